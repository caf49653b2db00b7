//! Intervision: structured peer consultation on one member's case, run live. The
//! methods are data (`method`), the live round a pure state machine (`round`).

pub mod method;
pub mod round;
