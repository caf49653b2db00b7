//! Lesson study: a community studies a theme, plans a research lesson together with
//! predictions for a few case pupils, teaches it while the others observe those pupils,
//! discusses what the pupils did against the predictions, revises and teaches again,
//! then shares what it learned. Built in steps (issue 27, docs/lesson-study.md).

pub mod api;
#[cfg(feature = "ssr")]
pub mod demo;
pub mod discuss;
pub mod discussion;
pub mod domain;
pub mod observe;
#[cfg(feature = "ssr")]
pub mod photo;
pub mod queue;
pub mod report;
pub mod roles;
#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(feature = "ssr")]
pub mod service;
pub mod share;
pub mod views;
