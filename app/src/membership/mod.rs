//! Membership, a base service below the features: who belongs to which community in
//! which role, the guards every feature's server functions start from, and the log of
//! every change to a membership.

pub mod domain;
#[cfg(feature = "ssr")]
pub mod service;
pub mod views;
