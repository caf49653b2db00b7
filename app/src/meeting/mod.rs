//! Meetings of a community: scheduling, changing and cancelling them, attendance by
//! self check-in and facilitator correction (which feeds participation levels), and
//! calendars (a download per meeting and a private feed per person).

pub mod api;
#[cfg(feature = "ssr")]
pub mod calendar;
pub mod domain;
#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(feature = "ssr")]
pub mod service;
pub mod views;
