//! The composition layer: pages that combine several features (the community page
//! with its meetings, knowledge and intervision; later the home page and the leaders'
//! dashboards). It imports features; no feature imports it.

pub mod community;
