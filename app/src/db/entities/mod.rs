//! Entities mirroring the tables created in `migrations/`. They never leave the
//! server: features turn them into DTOs.

pub mod invitation;
pub mod organisation;
pub mod password_reset;
pub mod session;
pub mod staff_membership;
pub mod user;
