//! Kring's application: every page, server function and domain rule, organised by
//! feature. The same crate compiles for the server (`ssr`) and the browser
//! (`hydrate`); server-only code sits behind the `ssr` feature.

#![recursion_limit = "256"]

pub mod account;
pub mod artifact;
pub mod community;
pub mod dashboard;
pub mod error;
pub mod intervision;
pub mod lesson_study;
pub mod meeting;
pub mod membership;
pub mod notification;
pub mod organisation;
pub mod pages;
pub mod participation;
pub mod privacy;
pub mod shared;
pub mod survey;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod archive;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod hub;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod retention;
#[cfg(feature = "ssr")]
pub mod state;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub mod shell;
pub use shell::{App, shell};
