//! Server functions for lesson study, and what they send: only what the community's
//! members may see (no note reaches anyone outside it). Each is thin: session →
//! permission (inside the service) → service → DTO.

// Server functions take one argument per field of the plain HTML form that posts them.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::discussion::{AttendeeRow, DiscussionRecord, PupilData};
use super::domain::{
    CasePupil, CasePupilForm, CyclePhase, LessonPlan, NoteInput, PhaseChange, PlanPhase, PlanPhaseForm,
};
use super::report::ReportView;
use super::roles::{LessonPart, NextStep, ObserverRow};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::discussion::InterviewInput,
    super::domain::{CycleForm, PlanForm},
    super::roles::SetUpForm,
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

/// A member of the community, for the forms that name people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
}

/// A meeting of the community a research lesson can be held in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonMeeting {
    pub id: Uuid,
    pub title: String,
    /// In the board's time zone.
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
}

/// An observer of a research lesson and the case pupils they follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObserverView {
    pub person: Person,
    pub codes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonView {
    pub id: Uuid,
    pub number: i16,
    pub class_name: String,
    pub taught: bool,
    pub teacher: Option<Person>,
    pub meeting: Option<LessonMeeting>,
    pub observers: Vec<ObserverView>,
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
    /// The phase the facilitator moves the cycle on to; `None` when it is done.
    pub next_phase: Option<CyclePhase>,
    /// How the current plan differs from the plan as last taught, phase by phase.
    pub changes: Option<PlanChanges>,
    pub community_name: String,
    /// The viewer's part in the current research lesson, and what they are asked to do.
    pub my_part: LessonPart,
    pub next_step: NextStep,
    /// A facilitator of the community: starts cycles, sets up lessons, moves them on.
    pub may_lead: bool,
    /// While revising: the decisions of the discussion, to carry into the plan.
    pub decisions: String,
    /// For the facilitator's set-up form only (empty for everyone else): the
    /// community's active members and its meetings ahead.
    pub people: Vec<Person>,
    pub meetings: Vec<LessonMeeting>,
}

/// A running cycle on someone's home page, with what they are asked to do next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyCycle {
    pub id: Uuid,
    pub title: String,
    pub community_name: String,
    pub phase: CyclePhase,
    pub next_step: NextStep,
}

/// The observation form of the newest research lesson, for one observer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObserveData {
    pub cycle_id: Uuid,
    pub title: String,
    pub lesson_id: Uuid,
    pub lesson_number: i16,
    /// Whether the lesson takes notes now (while taught, and until the next begins).
    pub open: bool,
    pub phases: Vec<PlanPhase>,
    /// The plan's case pupils, the viewer's own first.
    pub pupils: Vec<CasePupil>,
    /// The codes the viewer follows.
    pub mine: Vec<String>,
    /// The viewer's notes the server holds.
    pub held: Vec<NoteInput>,
    /// An id for a note posted without JavaScript (a repeated post stores it once).
    pub fresh_id: Uuid,
}

/// What changed in the plan since research lesson `since_lesson` was taught.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanChanges {
    pub since_lesson: i16,
    pub phases: Vec<PhaseChange>,
}

/// The post-lesson discussion of one research lesson: the protocol's data per case
/// pupil (predicted against what every observer saw, phase by phase) and the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscussionView {
    pub cycle_id: Uuid,
    pub title: String,
    pub community_name: String,
    pub learning_question: String,
    pub goals: String,
    pub lesson_id: Uuid,
    pub lesson_number: i16,
    /// The research lessons taught so far, to switch between their discussions.
    pub taught_lessons: Vec<i16>,
    pub teacher: Option<String>,
    pub knowledgeable_other: Option<String>,
    /// Whether the record can be written (the lesson is taught, the cycle not done).
    pub open: bool,
    pub may_lead: bool,
    /// The record's version, 0 before anyone saved it.
    pub version: i32,
    pub record: DiscussionRecord,
    pub attendees: Vec<Uuid>,
    pub people: Vec<Person>,
    pub pupils: Vec<PupilData>,
}

/// The form that starts a cycle: the community and who can be its knowledgeable other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartCycleData {
    pub community_id: Uuid,
    pub community_name: String,
    pub people: Vec<Person>,
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
    #[server(default)] knowledgeable_other: String,
) -> Result<Uuid, AppError> {
    session::as_viewer(|state, viewer| async move {
        let form = CycleForm { title, subject, year_group, theme, learning_question, agreements, lessons_planned };
        let other = super::roles::chosen_id("knowledgeable_other", &knowledgeable_other)?;
        let id = service::start(&state.db, &viewer, community_id, &form, other).await?;
        leptos_axum::redirect(&format!("/ls/{id}"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "lesson_study_start_form")]
pub async fn lesson_study_start_form(community_id: Uuid) -> Result<StartCycleData, AppError> {
    session::as_viewer(|state, viewer| async move { service::start_form(&state.db, &viewer, community_id).await }).await
}

/// The facilitator names the research lesson's teacher, class, meeting and observers
/// (each with the case pupils they follow); the observers are replaced as a whole.
#[server(endpoint = "set_up_research_lesson")]
pub async fn set_up_research_lesson(
    lesson_id: Uuid,
    #[server(default)] teacher: String,
    #[server(default)] class_name: String,
    #[server(default)] meeting: String,
    #[server(default)] observers: Vec<ObserverRow>,
) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let form = SetUpForm::read(&teacher, &class_name, &meeting, &observers)?;
        service::set_up_lesson(&state.db, &viewer, lesson_id, &form).await?;
        session::flash(crate::account::domain::Flash::LessonSetUp).await
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
    session::as_viewer(|state, viewer| async move {
        service::cycle_view(&state.db, &state.settings.time_zone, &viewer, cycle_id).await
    })
    .await
}

/// Saves the plan as the next version; `version` is the one the editor started from.
#[server(endpoint = "save_lesson_plan")]
pub async fn save_lesson_plan(
    cycle_id: Uuid,
    version: i32,
    #[server(default)] goals: String,
    #[server(default)] rationale: String,
    #[server(default)] phases: Vec<PlanPhaseForm>,
    #[server(default)] pupils: Vec<CasePupilForm>,
) -> Result<i32, AppError> {
    session::as_viewer(|state, viewer| async move {
        let plan = PlanForm { goals, rationale, phases, pupils }.plan()?;
        let version = service::save_plan(&state.db, &viewer, cycle_id, version, &plan).await?;
        session::flash(crate::account::domain::Flash::PlanSaved).await?;
        Ok(version)
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

#[server(endpoint = "lesson_study_observe")]
pub async fn lesson_study_observe(cycle_id: Uuid) -> Result<ObserveData, AppError> {
    session::as_viewer(|state, viewer| async move { service::observe_view(&state.db, &viewer, cycle_id).await }).await
}

/// One note posted by the observation form without JavaScript; the form's id makes a
/// repeated post store it once.
#[server(endpoint = "record_observation")]
pub async fn record_observation(
    lesson_id: Uuid,
    id: Uuid,
    #[server(default)] pupil: String,
    #[server(default)] phase: usize,
    #[server(default)] mark: String,
    #[server(default)] text: String,
) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let mark = match mark.as_str() {
            "" => None,
            mark => Some(super::domain::Mark::parse(mark).map_err(|key| AppError::field("mark", key))?),
        };
        let note =
            NoteInput { id, pupil, phase, mark, text, noted_at: time::OffsetDateTime::now_utc().unix_timestamp() };
        service::record_notes(&state.db, &viewer, lesson_id, &[note]).await.map_err(|error| {
            // The form's fields, not the batch's.
            error.rename_fields(|f| {
                f.strip_prefix("notes[0][").and_then(|f| f.strip_suffix(']')).unwrap_or(f).to_string()
            })
        })?;
        session::flash(crate::account::domain::Flash::NoteSaved).await
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

/// The discussion page of research lesson `lesson` (0: the newest taught one).
#[server(endpoint = "lesson_study_discussion")]
pub async fn lesson_study_discussion(
    cycle_id: Uuid,
    #[server(default)] lesson: i16,
) -> Result<DiscussionView, AppError> {
    session::as_viewer(|state, viewer| async move {
        let number = (lesson > 0).then_some(lesson);
        service::discussion::discussion_view(&state.db, &viewer, cycle_id, number).await
    })
    .await
}

/// Saves the discussion's record; `version` is the one the writer started from.
#[server(endpoint = "save_lesson_discussion")]
pub async fn save_lesson_discussion(
    lesson_id: Uuid,
    version: i32,
    #[server(default)] teacher_remarks: String,
    #[server(default)] conclusions: String,
    #[server(default)] decisions: String,
    #[server(default)] other_comments: String,
    #[server(default)] attendees: Vec<AttendeeRow>,
) -> Result<i32, AppError> {
    session::as_viewer(|state, viewer| async move {
        let record = DiscussionRecord { teacher_remarks, conclusions, decisions, other_comments };
        let attendees = AttendeeRow::present(&attendees)?;
        let version =
            service::discussion::save_discussion(&state.db, &viewer, lesson_id, version, &record, &attendees).await?;
        session::flash(crate::account::domain::Flash::DiscussionSaved).await?;
        Ok(version)
    })
    .await
}

/// A short interview with a case pupil after the lesson; the form's id makes a
/// repeated post store it once.
#[server(endpoint = "record_pupil_interview")]
pub async fn record_pupil_interview(
    lesson_id: Uuid,
    id: Uuid,
    #[server(default)] pupil: String,
    #[server(default)] text: String,
) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let input = InterviewInput { id, pupil, text };
        service::discussion::record_interview(&state.db, &viewer, lesson_id, &input).await?;
        session::flash(crate::account::domain::Flash::InterviewSaved).await
    })
    .await
}

#[server(endpoint = "lesson_study_report")]
pub async fn lesson_study_report(cycle_id: Uuid) -> Result<ReportView, AppError> {
    session::as_viewer(|state, viewer| async move { service::report::report_view(&state.db, &viewer, cycle_id).await })
        .await
}

/// A facilitator publishes the cycle's report in the community's knowledge base.
#[server(endpoint = "publish_lesson_study_report")]
pub async fn publish_lesson_study_report(cycle_id: Uuid) -> Result<Uuid, AppError> {
    session::as_viewer(|state, viewer| async move {
        let id = service::report::publish_report(&state, &viewer, cycle_id).await?;
        leptos_axum::redirect(&format!("/a/{id}"));
        Ok(id)
    })
    .await
}

/// Removes a photo of pupil work (its taker, or a facilitator).
#[server(endpoint = "remove_lesson_photo")]
pub async fn remove_lesson_photo(photo_id: Uuid) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        service::photos::remove_photo(&state, &viewer, photo_id).await?;
        session::flash(crate::account::domain::Flash::PhotoRemoved).await
    })
    .await
}
