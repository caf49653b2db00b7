//! Accounts: signing in and out, sign-up from an invitation, password reset, the
//! profile, and who the current user is. Roles in the organisation live in
//! [`crate::organisation`].

pub mod api;
pub mod domain;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod session;
pub mod views;
