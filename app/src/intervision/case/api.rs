//! Server functions for intervision cases: listing, submitting, withdrawing and voting
//! for them, and how long a community keeps their text. Each is thin: session →
//! permission (inside the service: members of the community only) → service → DTO.

use super::domain::CaseKeeping;
use super::domain::CaseStatus;
use crate::error::AppError;
use leptos::prelude::*;
use serde::Deserialize;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

#[cfg(feature = "ssr")]
use super::domain::CaseForm;
#[cfg(feature = "ssr")]
use super::service;
#[cfg(feature = "ssr")]
use crate::account::session;

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
