//! Server functions for lesson study, and what they send: only what the community's
//! members may see (no note reaches anyone outside it). Each is thin: session →
//! permission (inside the service) → service → DTO.

// Server functions take one argument per field of the plain HTML form that posts them.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::domain::{CasePupilForm, CyclePhase, LessonPlan, NoteInput, PlanPhaseForm};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::domain::{CycleForm, PlanForm},
    super::service,
    crate::account::session,
};

/// A cycle in the community's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleSummary {
    pub id: Uuid,
    pub title: String,
    pub phase: CyclePhase,
    pub lessons_planned: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonView {
    pub id: Uuid,
    pub number: i16,
    pub class_name: String,
    pub taught: bool,
}

/// The newest plan of a research lesson; version 0 before anyone saved it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanVersionView {
    pub lesson: i16,
    pub version: i32,
    pub plan: LessonPlan,
    pub saved_at: Option<OffsetDateTime>,
}

/// The cycle page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleView {
    pub id: Uuid,
    pub community_id: Uuid,
    pub title: String,
    pub subject: String,
    pub year_group: String,
    pub theme: String,
    pub learning_question: String,
    pub agreements: String,
    pub knowledgeable_other: Option<String>,
    pub lessons_planned: u8,
    pub phase: CyclePhase,
    /// (steps done, steps in all).
    pub progress: (u32, u32),
    pub lessons: Vec<LessonView>,
    pub plan: PlanVersionView,
    /// A facilitator of the community: starts cycles and moves them on.
    pub may_lead: bool,
}

#[server(endpoint = "start_lesson_study")]
pub async fn start_lesson_study(
    community_id: Uuid,
    #[server(default)] title: String,
    #[server(default)] subject: String,
    #[server(default)] year_group: String,
    #[server(default)] theme: String,
    #[server(default)] learning_question: String,
    #[server(default)] agreements: String,
    #[server(default)] lessons_planned: String,
    #[server(default)] knowledgeable_other: Option<Uuid>,
) -> Result<Uuid, AppError> {
    session::as_viewer(|state, viewer| async move {
        let form = CycleForm { title, subject, year_group, theme, learning_question, agreements, lessons_planned };
        service::start(&state.db, &viewer, community_id, &form, knowledgeable_other).await
    })
    .await
}

#[server(endpoint = "lesson_study_cycles")]
pub async fn lesson_study_cycles(community_id: Uuid) -> Result<Vec<CycleSummary>, AppError> {
    session::as_viewer(|state, viewer| async move { service::community_cycles(&state.db, &viewer, community_id).await })
        .await
}

#[server(endpoint = "lesson_study_cycle")]
pub async fn lesson_study_cycle(cycle_id: Uuid) -> Result<CycleView, AppError> {
    session::as_viewer(|state, viewer| async move { service::cycle_view(&state.db, &viewer, cycle_id).await }).await
}

/// Saves the plan as the next version; `version` is the one the editor started from.
#[server(endpoint = "save_lesson_plan")]
pub async fn save_lesson_plan(
    cycle_id: Uuid,
    version: i32,
    #[server(default)] goals: String,
    #[server(default)] phases: Vec<PlanPhaseForm>,
    #[server(default)] pupils: Vec<CasePupilForm>,
) -> Result<i32, AppError> {
    session::as_viewer(|state, viewer| async move {
        let plan = PlanForm { goals, phases, pupils }.plan()?;
        service::save_plan(&state.db, &viewer, cycle_id, version, &plan).await
    })
    .await
}

/// Moves the cycle on from the phase the facilitator's page showed (`from`).
#[server(endpoint = "advance_lesson_study")]
pub async fn advance_lesson_study(cycle_id: Uuid, from: String) -> Result<CyclePhase, AppError> {
    session::as_viewer(|state, viewer| async move {
        let from = CyclePhase::parse(&from).map_err(|key| AppError::field("from", key))?;
        service::advance(&state.db, &viewer, cycle_id, from).await
    })
    .await
}

/// An observer's notes, sent as JSON by the observation form (several at once after
/// being offline); answers with the ids the server holds.
#[server(endpoint = "record_observations")]
pub async fn record_observations(lesson_id: Uuid, notes: Vec<NoteInput>) -> Result<Vec<Uuid>, AppError> {
    session::as_viewer(
        |state, viewer| async move { service::record_notes(&state.db, &viewer, lesson_id, &notes).await },
    )
    .await
}
