//! The leaders' view: participation, quality, application and culture for a school or
//! the board, as aggregates only (see `privacy`), and pulse surveys. It sits in the
//! composition layer: it reads the other features, none of them reads it.

pub mod api;
pub mod domain;
pub mod people;
pub mod privacy;
pub mod reading;
#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(feature = "ssr")]
pub mod service;
pub mod views;
