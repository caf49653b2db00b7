//! People's own data rights, a page that combines every feature: the privacy page
//! (what Kring keeps, who sees what, for how long) and erasing one's own account.
//! Features never import this module.

pub mod api;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(feature = "ssr")]
pub mod service;
pub mod views;
