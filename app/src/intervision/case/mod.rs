//! Cases: what members bring ahead of a round, voted on, kept as long as the
//! community chooses.

pub mod api;
pub mod domain;
#[cfg(feature = "ssr")]
pub mod service;
