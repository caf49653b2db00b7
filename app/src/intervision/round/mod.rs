//! The live round: a pure state machine (`domain`) over the method's phases, the
//! roles and contributions (`plan`), stored and guarded (`service`), followed by open
//! screens over SSE (`live`) and shown on the round page (`views`); who may stand in
//! when people drop (`takeover`).

pub mod api;
pub mod domain;
#[cfg(feature = "ssr")]
pub(crate) mod feed;
#[cfg(feature = "ssr")]
pub mod live;
pub mod plan;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub(crate) mod snapshot;
pub mod takeover;
pub mod views;
