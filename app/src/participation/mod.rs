//! Participation, a base service below the features: the append-only log of what
//! members do in a community, and the level rule (peripheral to core) that reads it.
//! Every feature records into it; none of it knows the features.

pub mod domain;
#[cfg(feature = "ssr")]
pub mod service;
pub mod views;
