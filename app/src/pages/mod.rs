//! The composition layer: pages that combine several features (the community page
//! with its meetings, knowledge and intervision; the home page; later the leaders'
//! dashboards). It imports features; no feature imports it.

pub mod community;
pub mod home;
