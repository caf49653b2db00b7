//! Server functions for communities. Each is thin: session → permission (inside the
//! service, which answers `NotFound` for anything inside a community the viewer is not
//! an active member of) → service → DTO.

// Server functions take one argument per field of the plain HTML form that posts them.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::domain::CommunityStatus;
use crate::error::AppError;
use crate::membership::domain::{CommunityRole, MembershipStatus, SizeAdvice};
use crate::participation::domain::{EventKind, Level, LevelReason, LevelRule, NewcomerStep, NextLevel, SeciPhase};

#[cfg(feature = "ssr")]
use {super::service, crate::account::session};

/// A community as listed on someone's home page or in the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunitySummary {
    pub id: Uuid,
    pub name: String,
    pub goal: String,
    pub status: CommunityStatus,
    pub member_count: usize,
    pub my_role: Option<CommunityRole>,
    pub my_status: Option<MembershipStatus>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyCommunities {
    pub communities: Vec<CommunitySummary>,
    /// Communities that invited the viewer.
    pub invitations: Vec<CommunitySummary>,
    /// Requests to join the viewer made that await an answer.
    pub requests: Vec<CommunitySummary>,
    /// Communities the viewer facilitates where people ask to join.
    pub join_requests: Vec<JoinRequestsWaiting>,
    pub may_start: bool,
    /// Guests have no directory: they see only the communities they are in.
    pub has_directory: bool,
}

/// People asking to join a community the viewer facilitates (counted, not named: the
/// community page is where they are answered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequestsWaiting {
    pub community_id: Uuid,
    pub community_name: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: Uuid,
    pub name: String,
    pub role: CommunityRole,
    pub level: Level,
    pub is_me: bool,
}

/// Someone invited or asking to join; shown to facilitators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingMember {
    pub user_id: Uuid,
    pub name: String,
    pub status: MembershipStatus,
    pub since: OffsetDateTime,
    /// A leader of the community's school or board: their staff's line manager.
    pub line_manager: bool,
}

/// A guest invited by email who has not made an account yet; shown to facilitators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestInvitation {
    pub id: Uuid,
    pub email: String,
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriteriaVersion {
    pub criteria: String,
    pub author: Option<String>,
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub who: String,
    pub kind: EventKind,
    pub at: OffsetDateTime,
}

/// What the viewer sees about themselves on the community page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyPlace {
    pub user_id: Uuid,
    pub role: CommunityRole,
    pub level: Level,
    pub newcomer_path: Vec<(NewcomerStep, bool)>,
}

/// The community's own part of its page (`crate::pages::community` adds the other
/// features' parts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunityPage {
    pub id: Uuid,
    pub name: String,
    pub goal: String,
    pub agreements: String,
    pub rhythm: String,
    pub status: CommunityStatus,
    pub listed: bool,
    pub window_days: i32,
    pub criteria_history: Vec<CriteriaVersion>,
    pub members: Vec<Member>,
    pub pending: Vec<PendingMember>,
    pub recent: Vec<Activity>,
    pub seci: Vec<(SeciPhase, u32)>,
    pub size_advice: SizeAdvice,
    pub member_cap: i32,
    /// Open guest invitations (facilitators only; empty for everyone else).
    pub guest_invitations: Vec<GuestInvitation>,
    pub me: MyPlace,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExplainedEvent {
    pub kind: EventKind,
    pub at: OffsetDateTime,
    pub points: u32,
    pub counted: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelPoint {
    pub level: Level,
    pub points: i32,
    pub reason: LevelReason,
    pub at: OffsetDateTime,
}

/// "Why this level": the events, the rule and the trajectory of one member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelExplanation {
    pub community_id: Uuid,
    pub community_name: String,
    pub level: Level,
    pub points: u32,
    pub next: Option<NextLevel>,
    pub rule: LevelRule,
    pub events: Vec<ExplainedEvent>,
    pub trajectory: Vec<LevelPoint>,
    /// When this was computed (the chart runs up to it).
    pub as_of: OffsetDateTime,
}

#[server(endpoint = "my_communities")]
pub async fn load_my_communities() -> Result<MyCommunities, AppError> {
    session::as_viewer(|state, viewer| async move { service::my_communities(&state.db, &viewer).await }).await
}

#[server(endpoint = "community_directory")]
pub async fn load_directory() -> Result<Vec<CommunitySummary>, AppError> {
    session::as_viewer(|state, viewer| async move { service::directory(&state.db, &viewer).await }).await
}

#[server(endpoint = "my_level")]
pub async fn load_my_level(community_id: Uuid) -> Result<LevelExplanation, AppError> {
    session::as_viewer(|state, viewer| async move { service::explain_level(&state.db, &viewer, community_id).await })
        .await
}

/// Starts a community with the viewer as its first facilitator, then opens it.
#[server(endpoint = "create_community")]
pub async fn create_community(
    name: String,
    goal: String,
    agreements: String,
    rhythm: String,
    listed: Option<String>,
) -> Result<Uuid, AppError> {
    session::as_viewer(|state, viewer| async move {
        let form = service::CommunityForm { name, goal, agreements, rhythm, listed: listed.is_some() };
        let id = service::create(&state.db, &viewer, form).await?;
        leptos_axum::redirect(&format!("/c/{id}"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "update_community")]
pub async fn update_community(
    community_id: Uuid,
    name: String,
    goal: String,
    agreements: String,
    rhythm: String,
    status: String,
    listed: Option<String>,
    window_days: String,
) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let form = service::CommunityForm { name, goal, agreements, rhythm, listed: listed.is_some() };
        service::update(&state.db, &viewer, community_id, form, &status, &window_days).await?;
        leptos_axum::redirect(&format!("/c/{community_id}"));
        Ok(())
    })
    .await
}

#[server(endpoint = "update_success_criteria")]
pub async fn update_success_criteria(community_id: Uuid, criteria: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        service::update_criteria(&state.db, &viewer, community_id, &criteria).await?;
        session::flash(crate::account::domain::Flash::CriteriaSaved).await
    })
    .await
}

#[server(endpoint = "request_to_join")]
pub async fn request_to_join(community_id: Uuid) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move { service::request_to_join(&state, &viewer, community_id).await })
        .await
}

/// Withdraws the viewer's own request to join (undo).
#[server(endpoint = "withdraw_request")]
pub async fn withdraw_request(community_id: Uuid) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move { service::withdraw_request(&state.db, &viewer, community_id).await })
        .await
}

/// A facilitator accepts (`answer = "accept"`) or declines a request to join.
#[server(endpoint = "answer_join_request")]
pub async fn answer_join_request(community_id: Uuid, user_id: Uuid, answer: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let accept = parse_answer(&answer)?;
        service::answer_request(&state, &viewer, community_id, user_id, accept).await
    })
    .await
}

/// A facilitator invites a colleague of the same board by email address.
#[server(endpoint = "invite_member")]
pub async fn invite_member(community_id: Uuid, email: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        service::invite_colleague(&state, &viewer, community_id, &email).await?;
        session::flash(crate::account::domain::Flash::MemberInvited).await
    })
    .await
}

/// A facilitator invites someone from outside the organisation as a guest.
#[server(endpoint = "invite_guest")]
pub async fn invite_guest(community_id: Uuid, guest_email: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        service::invite_guest(&state, &viewer, community_id, &guest_email).await?;
        session::flash(crate::account::domain::Flash::GuestInvited).await
    })
    .await
}

/// A facilitator withdraws a guest's emailed invitation (undo).
#[server(endpoint = "revoke_guest_invitation")]
pub async fn revoke_guest_invitation(community_id: Uuid, invitation_id: Uuid) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        service::revoke_guest_invitation(&state.db, &viewer, community_id, invitation_id).await
    })
    .await
}

/// The invited person accepts or declines.
#[server(endpoint = "answer_invitation")]
pub async fn answer_invitation(community_id: Uuid, answer: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let accept = parse_answer(&answer)?;
        service::answer_invitation(&state.db, &viewer, community_id, accept).await?;
        if accept {
            leptos_axum::redirect(&format!("/c/{community_id}"));
        }
        Ok(())
    })
    .await
}

#[server(endpoint = "leave_community")]
pub async fn leave_community(community_id: Uuid) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        service::leave(&state.db, &viewer, community_id).await?;
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

/// A facilitator removes a member, or withdraws an invitation.
#[server(endpoint = "remove_member")]
pub async fn remove_member(community_id: Uuid, user_id: Uuid) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        service::remove_member(&state.db, &viewer, community_id, user_id).await
    })
    .await
}

#[server(endpoint = "set_community_role")]
pub async fn set_community_role(community_id: Uuid, user_id: Uuid, role: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let role = CommunityRole::parse(&role).map_err(|key| AppError::field("role", key))?;
        service::set_role(&state.db, &viewer, community_id, user_id, role).await
    })
    .await
}

/// A facilitator records that a member takes on coordination (counts toward core).
#[server(endpoint = "record_coordination")]
pub async fn record_coordination(community_id: Uuid, user_id: Uuid, note: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        service::record_coordination(&state.db, &viewer, community_id, user_id, &note).await
    })
    .await
}

#[cfg(feature = "ssr")]
fn parse_answer(answer: &str) -> Result<bool, AppError> {
    match answer {
        "accept" => Ok(true),
        "decline" => Ok(false),
        _ => Err(AppError::field("answer", crate::error::ErrorKey::InvalidChoice)),
    }
}
