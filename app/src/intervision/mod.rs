//! Intervision: structured peer consultation on one member's case, run live. The
//! methods are data (`method`), the live round a pure state machine (`round`), and
//! cases are what members bring ahead of a round (`case`).

pub mod api;
pub mod case;
pub mod method;
pub mod round;
#[cfg(feature = "ssr")]
pub mod service;
