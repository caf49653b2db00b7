//! Pulse surveys: a facilitator or leader asks a community or a school five to eight
//! statements on the dimensions of a professional learning community, for a set
//! period. Answers are anonymous by construction, and results (distributions per
//! dimension, with the group's previous survey beside them) appear only after
//! closing and when at least k people answered.

pub mod api;
pub mod domain;
#[cfg(feature = "ssr")]
pub mod service;
pub mod views;
