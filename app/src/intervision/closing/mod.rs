//! Closing the loop: the case bringer's actions and reports, the evaluation and the
//! published summary (rules in `domain`, stored by `service`).

pub mod api;
pub mod domain;
#[cfg(feature = "ssr")]
pub mod service;
pub mod views;
