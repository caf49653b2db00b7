//! Communities of practice (PLGs): starting and joining them, their members and
//! roles, success criteria and working agreements, and participation levels that
//! grow from peripheral to core.

pub mod api;
#[cfg(feature = "ssr")]
pub mod demo;
pub mod domain;
#[cfg(feature = "ssr")]
pub mod service;
pub mod views;
