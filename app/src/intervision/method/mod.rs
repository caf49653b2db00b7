//! Intervision methods as data: the rules (`domain`), the methods Kring ships
//! (`catalogue`), and the organisation's adapted copies (`library`).

pub mod api;
pub mod catalogue;
pub mod domain;
#[cfg(feature = "ssr")]
pub mod library;
pub mod views;
