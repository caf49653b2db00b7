//! Server functions of the knowledge base: session → permission (in the service: the
//! artifact's community sees it; staff of the board see what was published
//! organisation-wide; members edit; the owner or a facilitator settles flags) →
//! service → DTO. Bodies travel as sanitised HTML; uploads and downloads are plain
//! routes in the server (see `server/src/files.rs`).

// Server functions take one argument per field of the plain HTML form that posts them.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::domain::{ArtifactKind, Scope, Source, Standing};
use crate::error::AppError;
use crate::participation::domain::SeciPhase;

#[cfg(feature = "ssr")]
use {
    super::{domain::ArtifactForm, service},
    crate::account::session,
    crate::error::respond,
    crate::state::AppState,
};

/// One artifact in a list or in search results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactHit {
    pub id: Uuid,
    pub title: String,
    pub kind: ArtifactKind,
    pub seci_phase: SeciPhase,
    pub community_name: String,
    pub standing: Standing,
    pub scope: Scope,
    pub tags: Vec<String>,
    /// Text around the matches: `(text, is_match)` pieces; empty without a query.
    pub snippet: Vec<(String, bool)>,
    pub reuse_count: u64,
    pub updated_at: OffsetDateTime,
}

/// A link to an artifact with its standing, as the community page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactLink {
    pub id: Uuid,
    pub title: String,
    pub standing: Standing,
}

/// The knowledge base page: what the viewer searched for and what they may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnowledgePage {
    pub hits: Vec<ArtifactHit>,
    /// There were more hits than shown.
    pub more: bool,
    /// The viewer's communities, for the filter and for "new artifact".
    pub communities: Vec<(Uuid, String)>,
    /// The most used tags among the hits.
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRow {
    pub id: Uuid,
    pub name: String,
    pub size_bytes: i64,
    pub content_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentRow {
    pub id: Uuid,
    pub author: String,
    pub body: String,
    pub at: OffsetDateTime,
    pub mine: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagRow {
    pub by: String,
    pub reason: String,
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReuseRow {
    pub name: String,
    pub reflection: String,
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactPage {
    pub id: Uuid,
    pub community_id: Uuid,
    pub community_name: String,
    pub title: String,
    pub kind: ArtifactKind,
    /// Sanitised on the server; safe to insert as HTML.
    pub body_html: String,
    /// The Markdown source, for the edit form (members only; empty otherwise).
    pub body: String,
    pub tags: Vec<String>,
    pub seci_phase: SeciPhase,
    pub scope: Scope,
    pub source: Source,
    pub standing: Standing,
    pub owner: String,
    pub review_due_at: OffsetDateTime,
    pub version: i32,
    pub updated_at: OffsetDateTime,
    pub files: Vec<FileRow>,
    pub comments: Vec<CommentRow>,
    pub open_flags: Vec<FlagRow>,
    pub reuses: Vec<ReuseRow>,
    /// Members of the artifact's community edit, attach and restore.
    pub may_edit: bool,
    /// The owner or a facilitator settles flags, archives and changes the scope.
    pub may_steward: bool,
    /// Guests cannot publish organisation-wide.
    pub may_publish: bool,
}

/// Whether a line is in both versions, or only in the older or newer one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiffSide {
    Same,
    Removed,
    Added,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub side: DiffSide,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRow {
    pub number: i32,
    pub title: String,
    pub author: String,
    pub at: OffsetDateTime,
    pub restored_from: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    pub artifact_id: Uuid,
    pub title: String,
    pub versions: Vec<VersionRow>,
    pub current: i32,
    pub from: i32,
    pub to: i32,
    pub title_change: Option<(String, String)>,
    pub diff: Vec<DiffLine>,
    pub may_edit: bool,
}

/// What the new-artifact form needs to know about the community.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewArtifactContext {
    pub community_name: String,
    pub may_publish: bool,
}

#[server(endpoint = "knowledge")]
pub async fn load_knowledge(
    #[server(default)] q: String,
    #[server(default)] kind: String,
    #[server(default)] tag: String,
    #[server(default)] community: String,
    #[server(default)] phase: String,
    #[server(default)] standing: String,
) -> Result<KnowledgePage, AppError> {
    session::as_viewer(|state, viewer| async move {
        let filter = service::Filter::parse(&q, &kind, &tag, &community, &phase, &standing);
        service::knowledge(&state.db, &viewer, &filter).await
    })
    .await
}

#[server(endpoint = "artifact_page")]
pub async fn load_artifact(artifact_id: Uuid) -> Result<ArtifactPage, AppError> {
    session::as_viewer(|state, viewer| async move {
        service::artifact_page(&state.db, &state.settings.time_zone, &viewer, artifact_id).await
    })
    .await
}

#[server(endpoint = "new_artifact_context")]
pub async fn load_new_artifact(community_id: Uuid) -> Result<NewArtifactContext, AppError> {
    session::as_viewer(
        |state, viewer| async move { service::new_artifact_context(&state.db, &viewer, community_id).await },
    )
    .await
}

#[server(endpoint = "create_artifact")]
pub async fn create_artifact(
    community_id: Uuid,
    title: String,
    kind: String,
    body: String,
    #[server(default)] tags: String,
    #[server(default)] seci_phase: String,
    #[server(default)] scope: String,
    #[server(default)] review_date: String,
) -> Result<Uuid, AppError> {
    session::as_viewer(|state, viewer| async move {
        let scope = if scope.is_empty() { "community".to_string() } else { scope };
        let form = ArtifactForm { title, kind, body, tags, seci_phase, scope, review_date };
        let id = service::create(&state, &viewer, community_id, &form).await?;
        leptos_axum::redirect(&format!("/a/{id}"));
        Ok(id)
    })
    .await
}

/// Saves an edit as a new version. `base_version` is the version the form was
/// opened on: when someone saved in between, nothing is overwritten.
#[server(endpoint = "edit_artifact")]
pub async fn edit_artifact(
    artifact_id: Uuid,
    base_version: i32,
    title: String,
    kind: String,
    body: String,
    #[server(default)] tags: String,
    #[server(default)] seci_phase: String,
    #[server(default)] scope: String,
    #[server(default)] review_date: String,
    #[server(default)] consent: Option<String>,
) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let form = ArtifactForm { title, kind, body, tags, seci_phase, scope, review_date };
        service::edit(&state, &viewer, artifact_id, base_version, &form, consent.is_some()).await?;
        leptos_axum::redirect(&format!("/a/{artifact_id}"));
        Ok(())
    })
    .await
}

/// The live preview of the edit form: Markdown rendered and sanitised as on the page.
#[server(endpoint = "preview_markdown")]
pub async fn preview_markdown(body: String) -> Result<String, AppError> {
    respond(async move {
        let state = AppState::get()?;
        session::require_viewer(&state).await?;
        if body.chars().count() > super::domain::BODY_MAX {
            return Err(AppError::field("body", crate::error::ErrorKey::TooLong));
        }
        Ok(super::markdown::render(&body))
    })
    .await
}

#[server(endpoint = "artifact_history")]
pub async fn load_history(
    artifact_id: Uuid,
    #[server(default)] from: Option<i32>,
    #[server(default)] to: Option<i32>,
) -> Result<History, AppError> {
    session::as_viewer(|state, viewer| async move { service::history(&state.db, &viewer, artifact_id, from, to).await })
        .await
}

/// Brings back an earlier version as a new one (nothing is lost: the versions in
/// between stay).
#[server(endpoint = "restore_version")]
pub async fn restore_version(artifact_id: Uuid, number: i32) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        service::restore(&state.db, &viewer, artifact_id, number).await?;
        leptos_axum::redirect(&format!("/a/{artifact_id}/history"));
        Ok(())
    })
    .await
}

#[server(endpoint = "add_comment")]
pub async fn add_comment(artifact_id: Uuid, body: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move { service::comment(&state.db, &viewer, artifact_id, &body).await })
        .await
}

#[server(endpoint = "delete_comment")]
pub async fn delete_comment(comment_id: Uuid) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move { service::delete_comment(&state.db, &viewer, comment_id).await })
        .await
}

#[server(endpoint = "flag_outdated")]
pub async fn flag_outdated(artifact_id: Uuid, reason: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move { service::flag(&state, &viewer, artifact_id, &reason).await }).await
}

/// The owner or a facilitator settles the artifact's standing: `confirm` (still
/// current; also ends a due review), `archive`, or `unarchive` (the undo).
#[server(endpoint = "settle_artifact")]
pub async fn settle_artifact(artifact_id: Uuid, action: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let action = service::Settle::parse(&action)?;
        service::settle(&state.db, &viewer, artifact_id, action).await
    })
    .await
}

/// "I used this in my class", with a short reflection.
#[server(endpoint = "record_reuse")]
pub async fn record_reuse(artifact_id: Uuid, reflection: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        service::reuse(&state.db, &viewer, artifact_id, &reflection).await?;
        session::flash(crate::account::domain::Flash::ReuseRecorded).await
    })
    .await
}

#[server(endpoint = "delete_file")]
pub async fn delete_file(file_id: Uuid) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move { super::files::delete(&state, &viewer, file_id).await }).await
}
