//! Intervision: structured peer consultation on one member's case, run live. The
//! methods are data (`method`), the live round a pure state machine (`round`), and
//! cases are what members bring ahead of a round (`case`). A round closes with actions, an
//! evaluation and perhaps a published summary (`follow_up`, stored by `closing`). Rounds are stored and
//! guarded in `rounds`; `crate::hub` tells open screens that a round changed. Facilitators
//! adapt methods for their organisation in the `method_library`.

pub mod api;
pub mod case;
#[cfg(feature = "ssr")]
pub mod closing;
pub mod closing_views;
pub mod follow_up;
pub mod method;
#[cfg(feature = "ssr")]
pub mod method_library;
pub mod method_views;
pub mod plan;
pub mod round;
#[cfg(feature = "ssr")]
pub mod rounds;
#[cfg(feature = "ssr")]
pub mod service;
pub mod views;
