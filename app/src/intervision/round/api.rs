//! Server functions for rounds: planning one, its live view, the lead's commands and
//! everyone's contributions. Each is thin: session → permission (inside the service:
//! those taking part only) → service → DTO.

// Server functions take one argument per field of the plain HTML form that posts them.
#![allow(clippy::too_many_arguments)]

use super::domain::Command;
use super::domain::Status;
use super::plan::RoundRole;
use super::plan::Warmth;
use crate::error::AppError;
use crate::error::ErrorKey;
use crate::intervision::closing::api::ActionRow;
use crate::intervision::closing::api::RoundClosing;
use crate::intervision::method::domain::Method;
use crate::intervision::method::domain::Text;
use crate::intervision::method::domain::TrustNeeded;
use leptos::prelude::*;
use serde::Deserialize;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

#[cfg(feature = "ssr")]
use super::service;
#[cfg(feature = "ssr")]
use crate::account::session;

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

/// Someone took over the lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadChange {
    pub from: Option<String>,
    pub to: Option<String>,
    /// Server time, ms since the epoch.
    pub at_ms: i64,
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
    /// Sent in a live screen's first event only (it does not change during a round):
    /// the screen keeps it ([`RoundView::keep_method_of`]).
    #[serde(default = "unsent_method", skip_serializing_if = "is_unsent")]
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
    /// The round runs and no screen of its lead has been connected for a while.
    pub lead_away: bool,
    /// The viewer may take over the lead now.
    pub can_take_over: bool,
    /// Who took over the lead from whom, oldest first.
    pub lead_changes: Vec<LeadChange>,
    /// The note taker's notes: for the note taker, and for the case bringer once the
    /// round has ended; `None` for everyone else.
    pub notes: Option<String>,
}

/// The method of a view sent without it: no phases (a real method has at least one).
fn unsent_method() -> Method {
    Method {
        key: String::new(),
        name: Text::default(),
        description: Text::default(),
        when_to_use: Text::default(),
        trust: TrustNeeded::Any,
        phases: Vec::new(),
    }
}

fn is_unsent(method: &Method) -> bool {
    method.phases.is_empty()
}

impl RoundView {
    /// Leaves the method out of this view until `sending` is done with it (it then
    /// serialises without it): for a live screen's events after its first.
    pub fn without_method<T>(&mut self, sending: impl FnOnce(&RoundView) -> T) -> T {
        let method = std::mem::replace(&mut self.method, unsent_method());
        let sent = sending(self);
        self.method = method;
        sent
    }

    /// Gives a view that came without its method the one `shown` has.
    pub fn keep_method_of(&mut self, shown: &RoundView) {
        if is_unsent(&self.method) {
            self.method.clone_from(&shown.method);
        }
    }
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
    session::as_viewer(|state, viewer| async move { service::planning(&state.db, &viewer, community_id).await }).await
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
        let form = service::PlanForm {
            case_id,
            method_key,
            lead_id,
            timekeeper_id: optional_person("timekeeper_id", &timekeeper_id)?,
            note_taker_id: optional_person("note_taker_id", &note_taker_id)?,
        };
        let id = service::plan(&state.db, &viewer, community_id, form).await?;
        leptos_axum::redirect(&format!("/r/{id}"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "round")]
pub async fn get_round(round_id: Uuid) -> Result<RoundView, AppError> {
    session::as_viewer(|state, viewer| async move { service::view(&state, &viewer, round_id).await }).await
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
        service::command(&state, &viewer, round_id, version, command).await
    })
    .await
}

/// A facilitator (or the timekeeper, if the method allows) takes over the lead once
/// the lead's screens have been gone for 30 seconds.
#[server(endpoint = "take_over_round")]
pub async fn take_over_round(round_id: Uuid) -> Result<RoundView, AppError> {
    session::as_viewer(|state, viewer| async move { service::take_over(&state, &viewer, round_id).await }).await
}

/// The note taker's notes for the case bringer.
#[server(endpoint = "save_round_notes")]
pub async fn save_round_notes(round_id: Uuid, #[server(default)] notes: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move { service::save_notes(&state, &viewer, round_id, &notes).await })
        .await
}

#[server(endpoint = "contribute")]
pub async fn contribute(round_id: Uuid, body: String) -> Result<Uuid, AppError> {
    session::as_viewer(|state, viewer| async move { service::contribute(&state, &viewer, round_id, &body).await }).await
}

/// The case bringer's warm/neutral/cold for a question ("" takes it back).
#[server(endpoint = "rate_question")]
pub async fn rate_question(contribution_id: Uuid, #[server(default)] warmth: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let warmth = match warmth.as_str() {
            "" => None,
            value => Some(Warmth::parse(value).map_err(|key| AppError::field("warmth", key))?),
        };
        service::respond_to(&state, &viewer, contribution_id, service::Response::Warmth(warmth)).await
    })
    .await
}

#[server(endpoint = "answer_question")]
pub async fn answer_question(contribution_id: Uuid, #[server(default)] answer: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        service::respond_to(&state, &viewer, contribution_id, service::Response::Answer(answer)).await
    })
    .await
}

/// The case bringer chooses advice to act on, or takes the choice back.
#[server(endpoint = "choose_advice")]
pub async fn choose_advice(contribution_id: Uuid, chosen: bool) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        service::respond_to(&state, &viewer, contribution_id, service::Response::Chosen(chosen)).await
    })
    .await
}

#[server(endpoint = "set_round_presence")]
pub async fn set_round_presence(round_id: Uuid, user_id: Uuid, present: bool) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        service::set_present(&state, &viewer, round_id, user_id, present).await
    })
    .await
}

#[server(endpoint = "community_rounds")]
pub async fn community_rounds(community_id: Uuid) -> Result<Vec<RoundRow>, AppError> {
    session::as_viewer(|state, viewer| async move { service::community_rounds(&state.db, &viewer, community_id).await })
        .await
}
