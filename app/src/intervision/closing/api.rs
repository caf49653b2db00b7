//! Server functions for closing the loop: the case bringer's actions and reports, the
//! evaluation and the published summary. Each is thin: session → permission (inside
//! the service) → service → DTO.

// Server functions take one argument per field of the plain HTML form that posts them.
#![allow(clippy::too_many_arguments)]

use super::domain::GroupEvaluation;
use super::domain::Outcome;
use crate::error::AppError;
use leptos::prelude::*;
use serde::Deserialize;
use serde::Serialize;
use uuid::Uuid;

#[cfg(feature = "ssr")]
use super::domain::ActionForm;
#[cfg(feature = "ssr")]
use super::domain::SummaryForm;
#[cfg(feature = "ssr")]
use super::domain::validate_evaluation;
#[cfg(feature = "ssr")]
use super::service;
#[cfg(feature = "ssr")]
use crate::account::session;

/// An action a case bringer chose, and what came of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionRow {
    pub id: Uuid,
    pub round_id: Uuid,
    pub owner: Option<String>,
    pub mine: bool,
    pub body: String,
    /// The check-in date as people read it (day-month-year); plain text, so the
    /// round island carries no date library.
    pub check_in_on: String,
    /// Not reported and the check-in date has come.
    pub due: bool,
    pub outcome: Option<Outcome>,
    pub report: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyEvaluation {
    pub safe: u8,
    pub useful: u8,
    pub learned: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryLink {
    pub id: Uuid,
    pub title: String,
}

/// The end of a round: the case bringer's actions, the evaluation, the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundClosing {
    pub actions: Vec<ActionRow>,
    pub evaluation: GroupEvaluation,
    pub my_evaluation: Option<MyEvaluation>,
    pub summary: Option<SummaryLink>,
    /// The check-in date the action form proposes, as the date input takes it (YYYY-MM-DD).
    pub default_check_in: String,
}

/// The case bringer adds an action with a check-in date (`YYYY-MM-DD`).
#[server(endpoint = "add_round_action")]
pub async fn add_round_action(
    round_id: Uuid,
    #[server(default)] action: String,
    #[server(default)] check_in: String,
) -> Result<Uuid, AppError> {
    session::as_viewer(|state, viewer| async move {
        service::add_action(&state, &viewer, round_id, ActionForm { body: action, check_in }).await
    })
    .await
}

#[server(endpoint = "remove_round_action")]
pub async fn remove_round_action(action_id: Uuid) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move { service::remove_action(&state, &viewer, action_id).await }).await
}

/// The case bringer reports what came of an action: `done`, `partly` or `not_done`.
#[server(endpoint = "report_action")]
pub async fn report_action(
    action_id: Uuid,
    #[server(default)] outcome: String,
    #[server(default)] report: String,
) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        service::report_action(&state, &viewer, action_id, &outcome, &report).await
    })
    .await
}

/// Was it safe, was it useful (1–5), what did you learn.
#[server(endpoint = "evaluate_round")]
pub async fn evaluate_round(
    round_id: Uuid,
    #[server(default)] safe: String,
    #[server(default)] useful: String,
    #[server(default)] learned: String,
) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let evaluation = validate_evaluation(&safe, &useful, &learned)?;
        service::evaluate(&state, &viewer, round_id, evaluation).await
    })
    .await
}

/// The case bringer publishes a de-identified summary; `consent` must be ticked.
#[server(endpoint = "publish_round_summary")]
pub async fn publish_round_summary(
    round_id: Uuid,
    #[server(default)] summary_title: String,
    #[server(default)] summary: String,
    #[server(default)] consent: Option<String>,
) -> Result<Uuid, AppError> {
    session::as_viewer(|state, viewer| async move {
        let consent = consent.is_some_and(|v| v == "on" || v == "true");
        let form = SummaryForm { title: summary_title, body: summary, consent };
        service::publish_summary(&state, &viewer, round_id, form).await
    })
    .await
}

#[server(endpoint = "community_follow_ups")]
pub async fn community_follow_ups(community_id: Uuid) -> Result<Vec<ActionRow>, AppError> {
    session::as_viewer(
        |state, viewer| async move { service::community_follow_ups(&state, &viewer, community_id).await },
    )
    .await
}
