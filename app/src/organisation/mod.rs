//! The organisation: a board with its schools, the staff who work there and their
//! roles (teacher, school leader, admin), and inviting new staff.

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
pub mod views;
