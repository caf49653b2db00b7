//! Server functions for pulse surveys: session → permission (in the service) →
//! service → DTO. No function returns an individual answer: results leave the server
//! only as distributions per dimension, after closing and with at least k people.

// Server functions take one argument per field of the plain HTML form that posts them.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::domain::{Distribution, ResultState, Statement, SurveyDimension};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {super::service, crate::account::session};

/// A group a survey can ask: `c:<id>` for a community, `s:<id>` for a school.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeOption {
    pub key: String,
    pub name: String,
}

/// What the "run a survey" page offers the viewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyStart {
    pub scopes: Vec<ScopeOption>,
    /// The board's statements (its own wording, or Kring's).
    pub statements: Vec<Statement>,
    /// Two weeks from today, as `YYYY-MM-DD`.
    pub default_closing: String,
}

/// A survey in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveySummary {
    pub id: Uuid,
    /// The community's or school's name.
    pub scope_name: String,
    /// In the board's time zone.
    pub closes_at: OffsetDateTime,
    pub open: bool,
    /// The viewer is asked and has not answered yet.
    pub to_answer: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveysPage {
    pub surveys: Vec<SurveySummary>,
    pub may_run: bool,
    /// A board admin may reword the statements.
    pub may_adapt: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemView {
    pub id: Uuid,
    pub dimension: SurveyDimension,
    pub text: String,
}

/// One dimension's result, with the share that agreed in the group's previous survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimensionResult {
    pub distribution: Distribution,
    pub previous_agree: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyResults {
    pub respondents: u32,
    pub dimensions: Vec<DimensionResult>,
    /// In a fixed order that says nothing about who wrote them or when.
    pub comments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyPage {
    pub id: Uuid,
    pub scope_name: String,
    pub community_id: Option<Uuid>,
    pub closes_at: OffsetDateTime,
    pub open: bool,
    pub may_answer: bool,
    pub answered: bool,
    /// Who runs it may close it early and sees how many answered so far.
    pub runs_it: bool,
    pub answered_so_far: Option<u32>,
    /// The statements, for the answer form.
    pub items: Vec<ItemView>,
    pub state: ResultState,
    pub results: Option<SurveyResults>,
    pub min_group: u32,
}

/// One answer row of the form: the statement's id and the chosen point ("1"–"4").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerRow {
    #[serde(default)]
    pub item: String,
    #[serde(default)]
    pub value: String,
}

/// A statement row of the rewording form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementRow {
    #[serde(default)]
    pub dimension: String,
    #[serde(default)]
    pub text: String,
}

#[server(endpoint = "surveys")]
pub async fn load_surveys() -> Result<SurveysPage, AppError> {
    session::as_viewer(|state, viewer| async move { service::surveys_page(&state, &viewer).await }).await
}

#[server(endpoint = "survey_start")]
pub async fn load_survey_start() -> Result<SurveyStart, AppError> {
    session::as_viewer(|state, viewer| async move { service::start_form(&state, &viewer).await }).await
}

#[server(endpoint = "start_survey")]
pub async fn start_survey(
    #[server(default)] scope: String,
    #[server(default)] closes_on: String,
    #[server(default)] picked: Vec<String>,
) -> Result<Uuid, AppError> {
    session::as_viewer(|state, viewer| async move {
        let id = service::start(&state, &viewer, &scope, &closes_on, &picked).await?;
        leptos_axum::redirect(&format!("/surveys/{id}"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "survey_page")]
pub async fn load_survey(survey_id: Uuid) -> Result<SurveyPage, AppError> {
    session::as_viewer(|state, viewer| async move { service::survey_page(&state, &viewer, survey_id).await }).await
}

#[server(endpoint = "answer_survey")]
pub async fn answer_survey(
    survey_id: Uuid,
    #[server(default)] answers: Vec<AnswerRow>,
    #[server(default)] comment: String,
) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        service::answer(&state, &viewer, survey_id, &answers, &comment).await?;
        leptos_axum::redirect(&format!("/surveys/{survey_id}"));
        Ok(())
    })
    .await
}

/// Closes an open survey now, for whoever runs it.
#[server(endpoint = "close_survey")]
pub async fn close_survey(survey_id: Uuid) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        service::close(&state, &viewer, survey_id).await?;
        leptos_axum::redirect(&format!("/surveys/{survey_id}"));
        Ok(())
    })
    .await
}

/// The board's statements for the rewording page (board admins only).
#[server(endpoint = "survey_statements")]
pub async fn load_statements() -> Result<Vec<Statement>, AppError> {
    session::as_viewer(|state, viewer| async move { service::statements_for_admin(&state, &viewer).await }).await
}

/// Saves the board's wording of every statement, or (`reset = "yes"`) goes back to
/// Kring's own set.
#[server(endpoint = "save_survey_statements")]
pub async fn save_statements(
    #[server(default)] statements: Vec<StatementRow>,
    #[server(default)] reset: String,
) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        service::save_statements(&state, &viewer, &statements, reset == "yes").await?;
        session::flash(crate::account::domain::Flash::StatementsSaved).await?;
        leptos_axum::redirect("/surveys/statements");
        Ok(())
    })
    .await
}
