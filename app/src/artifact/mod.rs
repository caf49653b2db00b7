//! Shared artifacts and a knowledge base that stays current: lesson plans, case
//! summaries, protocols and more, each with an owner, a review date, versions,
//! files, comments, outdated flags and reuse records, found by full-text search.

pub mod api;
pub mod domain;
pub mod views;

#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod files;
#[cfg(feature = "ssr")]
pub mod markdown;
#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(feature = "ssr")]
pub mod search;
#[cfg(feature = "ssr")]
pub mod service;
