//! Intervision: structured peer consultation on one member's case, run live. Four
//! sub-slices, each with its rules, service, server functions and views: `case` (what
//! members bring ahead of a round), `round` (the live round), `closing` (actions,
//! evaluation and summary) and `method` (methods as data, adapted per organisation);
//! `card` is their part of the community page. `crate::hub` tells open screens that a
//! round changed.

pub mod card;
pub mod case;
pub mod closing;
#[cfg(feature = "ssr")]
pub mod demo;
pub mod method;
pub mod round;
