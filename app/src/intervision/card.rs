//! Intervision's part of the community page, read in one call.

use crate::error::AppError;
use crate::intervision::case::api::CaseList;
use crate::intervision::closing::api::ActionRow;
use crate::intervision::round::api::RoundRow;
use leptos::prelude::*;
use serde::Deserialize;
use serde::Serialize;
use uuid::Uuid;

#[cfg(feature = "ssr")]
use crate::account::session;
#[cfg(feature = "ssr")]
use crate::intervision::case::service;

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
