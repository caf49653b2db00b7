//! Server functions for intervision. Each is thin: session → permission (inside the
//! service: members of the community only) → service → DTO.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::case::{CaseKeeping, CaseStatus};
use super::follow_up::{GroupEvaluation, Outcome};
use super::method::{Method, MethodForm, PhaseForm, Text};
use super::plan::{RoundRole, Warmth};
use super::round::{Command, Status};
use crate::error::{AppError, ErrorKey};

#[cfg(feature = "ssr")]
use {
    super::follow_up::{ActionForm, SummaryForm, validate_evaluation},
    super::{case::CaseForm, closing, method_library, rounds, service},
    crate::account::session,
};

/// A case as the community's members see it before a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRow {
    pub id: Uuid,
    pub title: String,
    /// Only for the case bringer; the group hears the situation inside the round.
    pub situation: Option<String>,
    pub question: String,
    pub status: CaseStatus,
    pub author: Option<String>,
    pub mine: bool,
    pub expires_at: OffsetDateTime,
    /// Votes to discuss it next (open cases only; nobody sees who voted).
    pub votes: u32,
    pub my_vote: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseList {
    pub community_id: Uuid,
    pub community_name: String,
    pub cases: Vec<CaseRow>,
    pub keeping: CaseKeeping,
}

#[server(endpoint = "community_cases")]
pub async fn community_cases(community_id: Uuid) -> Result<CaseList, AppError> {
    session::as_viewer(|state, viewer| async move { service::community_cases(&state.db, &viewer, community_id).await })
        .await
}

#[server(endpoint = "submit_case")]
pub async fn submit_case(
    community_id: Uuid,
    title: String,
    situation: String,
    question: String,
) -> Result<Uuid, AppError> {
    session::as_viewer(|state, viewer| async move {
        service::submit(&state.db, &viewer, community_id, CaseForm { title, situation, question }).await
    })
    .await
}

/// The case bringer withdraws a case (`open = "false"`) or puts it back (`"true"`).
#[server(endpoint = "set_case_open")]
pub async fn set_case_open(case_id: Uuid, open: bool) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move { service::set_open(&state.db, &viewer, case_id, open).await }).await
}

/// A member votes for the open case they would most like to discuss next
/// (`vote = "true"`; one vote per member, a new vote moves it) or takes the vote back.
#[server(endpoint = "vote_for_case")]
pub async fn vote_for_case(case_id: Uuid, vote: bool) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move { service::vote(&state.db, &viewer, case_id, vote).await }).await
}

/// A facilitator sets how long the community keeps case text. A shorter time also
/// applies to cases already there; when that empties some now, `confirm` must be on.
#[server(endpoint = "set_case_keeping")]
pub async fn set_case_keeping(
    community_id: Uuid,
    keeping: String,
    #[server(default)] confirm: Option<String>,
) -> Result<usize, AppError> {
    session::as_viewer(|state, viewer| async move {
        let purged = service::set_keeping(&state.db, &viewer, community_id, &keeping, confirm.is_some()).await?;
        leptos_axum::redirect(&format!("/c/{community_id}"));
        Ok(purged)
    })
    .await
}

/// An open case a facilitator can plan a round on, with the roles Kring suggests.
/// Listed by votes, most first; on a tie, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannableCase {
    pub id: Uuid,
    pub title: String,
    pub author: Option<String>,
    pub votes: u32,
    pub suggested_lead: Option<Uuid>,
    pub suggested_timekeeper: Option<Uuid>,
    pub suggested_note_taker: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberOption {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodOption {
    /// What the plan form sends: a built-in method's key or an adapted method's id.
    pub id: String,
    pub adapted: bool,
    pub method: Method,
    /// Suitable for this group's experience with rounds.
    pub suggested: bool,
}

/// What the plan form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundPlanning {
    pub community_id: Uuid,
    pub community_name: String,
    pub rounds_held: u64,
    pub cases: Vec<PlannableCase>,
    pub members: Vec<MemberOption>,
    pub methods: Vec<MethodOption>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseText {
    pub title: String,
    pub situation: String,
    pub question: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantRow {
    pub user_id: Uuid,
    pub name: String,
    pub role: RoundRole,
    pub present: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContributionRow {
    pub id: Uuid,
    pub phase: usize,
    pub author: Option<String>,
    pub mine: bool,
    pub body: String,
    pub warmth: Option<Warmth>,
    pub answer: Option<String>,
    pub chosen: bool,
}

/// Contributions of a phase the viewer may not see yet, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HiddenCount {
    pub phase: usize,
    pub count: u32,
}

/// A round as one participant sees it; every screen shows this and is sent a new one
/// at every change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundView {
    pub id: Uuid,
    pub community_id: Uuid,
    pub community_name: String,
    /// `None` once the case text has expired.
    pub case: Option<CaseText>,
    pub method: Method,
    pub status: Status,
    pub phase: usize,
    /// Server time the phase runs out while the clock runs; screens count down to it.
    pub deadline_ms: Option<i64>,
    /// Time left in the phase at `server_now_ms` (negative when over time).
    pub remaining_ms: i64,
    pub server_now_ms: i64,
    pub revealed: Vec<usize>,
    pub version: u64,
    pub can_undo: bool,
    pub me: Uuid,
    pub my_role: RoundRole,
    pub participants: Vec<ParticipantRow>,
    pub contributions: Vec<ContributionRow>,
    pub hidden: Vec<HiddenCount>,
    /// Before and during the round: open actions from earlier rounds to look back on.
    pub look_back: Vec<ActionRow>,
    /// Once the round has ended.
    pub closing: Option<RoundClosing>,
}

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

/// A round in the community's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundRow {
    pub id: Uuid,
    /// Only for those who took part, while the case text lasts.
    pub case_title: Option<String>,
    pub method_name: Text,
    pub status: Status,
    pub took_part: bool,
    pub people: u32,
    pub created_at: OffsetDateTime,
}

/// A command as a form sends it: its name, plus `confirmed` or `minutes` where needed.
pub fn command_from_form(name: &str, confirmed: bool, minutes: Option<u16>) -> Result<Command, AppError> {
    Ok(match name {
        "start" => Command::Start,
        "advance" => Command::Advance { confirmed },
        "back" => Command::Back,
        "pause" => Command::Pause,
        "resume" => Command::Resume,
        "extend" => Command::Extend { minutes: minutes.unwrap_or(0) },
        "reveal" => Command::Reveal,
        "undo" => Command::Undo,
        "end" => Command::End,
        _ => return Err(AppError::field("command", ErrorKey::InvalidChoice)),
    })
}

/// An optional person from a select ("" is nobody).
pub fn optional_person(field: &str, value: &str) -> Result<Option<Uuid>, AppError> {
    match value.trim() {
        "" => Ok(None),
        id => Uuid::parse_str(id).map(Some).map_err(|_| AppError::field(field, ErrorKey::InvalidChoice)),
    }
}

#[server(endpoint = "round_planning")]
pub async fn get_round_planning(community_id: Uuid) -> Result<RoundPlanning, AppError> {
    session::as_viewer(|state, viewer| async move { rounds::planning(&state.db, &viewer, community_id).await }).await
}

#[server(endpoint = "plan_round")]
pub async fn plan_round(
    community_id: Uuid,
    case_id: Uuid,
    method_key: String,
    lead_id: Uuid,
    #[server(default)] timekeeper_id: String,
    #[server(default)] note_taker_id: String,
) -> Result<Uuid, AppError> {
    session::as_viewer(|state, viewer| async move {
        let form = rounds::PlanForm {
            case_id,
            method_key,
            lead_id,
            timekeeper_id: optional_person("timekeeper_id", &timekeeper_id)?,
            note_taker_id: optional_person("note_taker_id", &note_taker_id)?,
        };
        let id = rounds::plan(&state.db, &viewer, community_id, form).await?;
        leptos_axum::redirect(&format!("/r/{id}"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "round")]
pub async fn get_round(round_id: Uuid) -> Result<RoundView, AppError> {
    session::as_viewer(|state, viewer| async move { rounds::view(&state, &viewer, round_id).await }).await
}

/// The round lead's step, decided on the screen that showed `version`.
#[server(endpoint = "round_command")]
pub async fn round_command(
    round_id: Uuid,
    version: u64,
    command: String,
    #[server(default)] confirmed: bool,
    #[server(default)] minutes: Option<u16>,
) -> Result<RoundView, AppError> {
    session::as_viewer(|state, viewer| async move {
        let command = command_from_form(&command, confirmed, minutes)?;
        rounds::command(&state, &viewer, round_id, version, command).await
    })
    .await
}

#[server(endpoint = "contribute")]
pub async fn contribute(round_id: Uuid, body: String) -> Result<Uuid, AppError> {
    session::as_viewer(|state, viewer| async move { rounds::contribute(&state, &viewer, round_id, &body).await }).await
}

/// The case bringer's warm/neutral/cold for a question ("" takes it back).
#[server(endpoint = "rate_question")]
pub async fn rate_question(contribution_id: Uuid, #[server(default)] warmth: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let warmth = match warmth.as_str() {
            "" => None,
            value => Some(Warmth::parse(value).map_err(|key| AppError::field("warmth", key))?),
        };
        rounds::respond_to(&state, &viewer, contribution_id, rounds::Response::Warmth(warmth)).await
    })
    .await
}

#[server(endpoint = "answer_question")]
pub async fn answer_question(contribution_id: Uuid, #[server(default)] answer: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        rounds::respond_to(&state, &viewer, contribution_id, rounds::Response::Answer(answer)).await
    })
    .await
}

/// The case bringer chooses advice to act on, or takes the choice back.
#[server(endpoint = "choose_advice")]
pub async fn choose_advice(contribution_id: Uuid, chosen: bool) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        rounds::respond_to(&state, &viewer, contribution_id, rounds::Response::Chosen(chosen)).await
    })
    .await
}

#[server(endpoint = "set_round_presence")]
pub async fn set_round_presence(round_id: Uuid, user_id: Uuid, present: bool) -> Result<(), AppError> {
    session::as_viewer(
        |state, viewer| async move { rounds::set_present(&state, &viewer, round_id, user_id, present).await },
    )
    .await
}

#[server(endpoint = "community_rounds")]
pub async fn community_rounds(community_id: Uuid) -> Result<Vec<RoundRow>, AppError> {
    session::as_viewer(|state, viewer| async move { rounds::community_rounds(&state.db, &viewer, community_id).await })
        .await
}

/// The case bringer adds an action with a check-in date (`YYYY-MM-DD`).
#[server(endpoint = "add_round_action")]
pub async fn add_round_action(
    round_id: Uuid,
    #[server(default)] action: String,
    #[server(default)] check_in: String,
) -> Result<Uuid, AppError> {
    session::as_viewer(|state, viewer| async move {
        closing::add_action(&state, &viewer, round_id, ActionForm { body: action, check_in }).await
    })
    .await
}

#[server(endpoint = "remove_round_action")]
pub async fn remove_round_action(action_id: Uuid) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move { closing::remove_action(&state, &viewer, action_id).await }).await
}

/// The case bringer reports what came of an action: `done`, `partly` or `not_done`.
#[server(endpoint = "report_action")]
pub async fn report_action(
    action_id: Uuid,
    #[server(default)] outcome: String,
    #[server(default)] report: String,
) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        closing::report_action(&state, &viewer, action_id, &outcome, &report).await
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
        closing::evaluate(&state, &viewer, round_id, evaluation).await
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
        closing::publish_summary(&state, &viewer, round_id, form).await
    })
    .await
}

/// The community page's intervision card: cases, rounds and follow-ups in one call,
/// behind one access check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntervisionCard {
    pub cases: CaseList,
    pub rounds: Vec<RoundRow>,
    pub follow_ups: Vec<ActionRow>,
}

#[server(endpoint = "community_intervision")]
pub async fn community_intervision(community_id: Uuid) -> Result<IntervisionCard, AppError> {
    session::as_viewer(|state, viewer| async move { service::intervision_card(&state, &viewer, community_id).await })
        .await
}

#[server(endpoint = "community_follow_ups")]
pub async fn community_follow_ups(community_id: Uuid) -> Result<Vec<ActionRow>, AppError> {
    session::as_viewer(
        |state, viewer| async move { closing::community_follow_ups(&state, &viewer, community_id).await },
    )
    .await
}

/// The organisation's method library: the built-in methods and those its facilitators
/// adapted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodLibrary {
    /// Facilitators and admins copy and adapt methods; everyone else reads.
    pub may_adapt: bool,
    pub built_in: Vec<Method>,
    pub adapted: Vec<AdaptedMethod>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdaptedMethod {
    pub id: Uuid,
    pub method: Method,
    pub author: Option<String>,
    pub updated_at: OffsetDateTime,
    /// Put away: not offered when planning; can be brought back.
    pub archived: bool,
}

/// An adapted method as its edit form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodEdit {
    pub id: Uuid,
    pub form: MethodForm,
    pub total_minutes: u32,
}

#[server(endpoint = "method_library")]
pub async fn get_method_library() -> Result<MethodLibrary, AppError> {
    session::as_viewer(|state, viewer| async move { method_library::library(&state.db, &viewer).await }).await
}

/// Copies a built-in method (its key) or an adapted one (its id) for adapting.
#[server(endpoint = "copy_method")]
pub async fn copy_method(from: String) -> Result<Uuid, AppError> {
    session::as_viewer(|state, viewer| async move {
        let id = method_library::copy(&state.db, &viewer, &from).await?;
        leptos_axum::redirect(&format!("/methods/{id}/edit"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "method_for_editing")]
pub async fn method_for_editing(method_id: Uuid, language: String) -> Result<MethodEdit, AppError> {
    session::as_viewer(|state, viewer| async move {
        method_library::for_editing(&state.db, &viewer, method_id, &language).await
    })
    .await
}

/// Saves an adapted method. `language` is the one the form was shown in: texts left
/// as they were keep both languages.
#[server(endpoint = "update_method")]
#[allow(clippy::too_many_arguments)]
pub async fn update_method(
    method_id: Uuid,
    language: String,
    name: String,
    #[server(default)] description: String,
    #[server(default)] when_to_use: String,
    trust: String,
    #[server(default)] phases: Vec<PhaseForm>,
) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let form = MethodForm { name, description, when_to_use, trust, phases };
        method_library::update(&state.db, &viewer, method_id, &language, form).await?;
        leptos_axum::redirect("/methods");
        Ok(())
    })
    .await
}

/// Puts an adapted method away (`archived = "true"`) or brings it back.
#[server(endpoint = "archive_method")]
pub async fn archive_method(method_id: Uuid, archived: bool) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        method_library::set_archived(&state.db, &viewer, method_id, archived).await?;
        leptos_axum::redirect("/methods");
        Ok(())
    })
    .await
}
