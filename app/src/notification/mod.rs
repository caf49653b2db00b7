//! Notifications: what happened that concerns someone (an invitation, a request to
//! join and its answer, a meeting planned, changed, cancelled or coming up), shown in
//! the app and sent by email unless the person turned that kind off.

pub mod api;
pub mod domain;
#[cfg(feature = "ssr")]
pub mod service;
pub mod views;
