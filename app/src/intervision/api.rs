//! Server functions for intervision. Each is thin: session → permission (inside the
//! service: members of the community only) → service → DTO.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::case::CaseStatus;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::{case::CaseForm, service},
    crate::account::session,
    crate::error::respond,
    crate::state::AppState,
};

/// A case as the community's members see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRow {
    pub id: Uuid,
    pub title: String,
    pub situation: String,
    pub question: String,
    pub status: CaseStatus,
    pub author: Option<String>,
    pub mine: bool,
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseList {
    pub community_id: Uuid,
    pub community_name: String,
    pub cases: Vec<CaseRow>,
}

#[server(endpoint = "community_cases")]
pub async fn community_cases(community_id: Uuid) -> Result<CaseList, AppError> {
    respond(async move {
        let state = AppState::get()?;
        let viewer = session::require_viewer(&state).await?;
        service::community_cases(&state.db, &viewer, community_id).await
    })
    .await
}

#[server(endpoint = "submit_case")]
pub async fn submit_case(
    community_id: Uuid,
    title: String,
    situation: String,
    question: String,
) -> Result<Uuid, AppError> {
    respond(async move {
        let state = AppState::get()?;
        let viewer = session::require_viewer(&state).await?;
        service::submit(&state.db, &viewer, community_id, CaseForm { title, situation, question }).await
    })
    .await
}

/// The case bringer withdraws a case (`open = "false"`) or puts it back (`"true"`).
#[server(endpoint = "set_case_open")]
pub async fn set_case_open(case_id: Uuid, open: bool) -> Result<(), AppError> {
    respond(async move {
        let state = AppState::get()?;
        let viewer = session::require_viewer(&state).await?;
        service::set_open(&state.db, &viewer, case_id, open).await
    })
    .await
}
