//! The knowledge base's plain HTTP routes (uploads are multipart, downloads are
//! bytes, neither fits a server function): attaching a file to an artifact,
//! downloading one, and a community's knowledge base as a zip archive. Permission is
//! checked by the same service functions the pages use.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use http::{HeaderMap, StatusCode};
use tower_sessions::Session;
use uuid::Uuid;

use super::files;
use crate::account::session::signed_in;
use crate::error::{AppError, ErrorKey};
use crate::shared::http::{private_file, wants_html, zip_download};
use crate::state::AppState;

/// Room for the multipart framing around the largest allowed file.
const MULTIPART_OVERHEAD: usize = 64 * 1024;

pub fn routes(upload_max_bytes: u64) -> Router<AppState> {
    let upload_limit = DefaultBodyLimit::max(upload_max_bytes as usize + MULTIPART_OVERHEAD);
    Router::new()
        .route("/a/{id}/files", post(upload).layer(upload_limit))
        .route("/files/{id}", get(download))
        .route("/c/{id}/export.zip", get(export))
}

/// `POST /a/{id}/files` (multipart, field `file`). A browser posting the plain form
/// is sent back to the artifact (with the outcome in the query string); other callers
/// get the status: 201, 413 for a file or an organisation over its limit, 415 for a
/// type that is not allowed or does not match the name. Nothing is stored on failure.
async fn upload(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let html = wants_html(&headers);
    let Ok(artifact_id) = Uuid::parse_str(&id) else { return AppError::NotFound.into_response() };
    let result = async {
        let viewer = signed_in(&state, &session).await?;
        let mut upload = None;
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(AppError::TooLarge(ErrorKey::FileTooLarge));
                }
                Err(_) => return Err(AppError::field("file", ErrorKey::Required)),
            };
            if field.name() != Some("file") {
                continue;
            }
            let name = field.file_name().unwrap_or_default().to_string();
            let bytes = match field.bytes().await {
                Ok(bytes) => bytes,
                Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(AppError::TooLarge(ErrorKey::FileTooLarge));
                }
                Err(_) => return Err(AppError::field("file", ErrorKey::Required)),
            };
            upload = Some((name, bytes));
        }
        let (name, bytes) = upload.ok_or(AppError::field("file", ErrorKey::Required))?;
        files::upload(&state, &viewer, artifact_id, &name, bytes).await
    }
    .await;
    match (result, html) {
        (Ok(_), true) => Redirect::to(&format!("/a/{artifact_id}?upload=ok")).into_response(),
        (Ok(file_id), false) => (StatusCode::CREATED, file_id.to_string()).into_response(),
        (Err(err @ (AppError::Unauthenticated | AppError::NotFound)), _) => err.into_response(),
        (Err(err), true) => {
            let outcome = match err {
                AppError::TooLarge(ErrorKey::StorageFull) => "storage_full",
                AppError::TooLarge(_) => "too_large",
                AppError::UnsupportedType => "type",
                _ => "missing",
            };
            // Back to the artifact, which says in words what went wrong.
            Redirect::to(&format!("/a/{artifact_id}?upload={outcome}")).into_response()
        }
        (Err(err), false) => err.into_response(),
    }
}

/// `GET /files/{id}`: the file, as an attachment, for people who may see its artifact.
async fn download(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Response {
    let Ok(file_id) = Uuid::parse_str(&id) else { return AppError::NotFound.into_response() };
    let result = async {
        let viewer = signed_in(&state, &session).await?;
        files::download(&state, &viewer, file_id).await
    }
    .await;
    match result {
        Ok((file, bytes)) => private_file(&file.content_type, Some(&file.name), bytes),
        Err(err) => err.into_response(),
    }
}

/// `GET /c/{id}/export.zip`: every artifact of the community with its files, for its
/// members (not guests), sent as it is written.
async fn export(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Response {
    let Ok(community_id) = Uuid::parse_str(&id) else { return AppError::NotFound.into_response() };
    let result = async {
        let viewer = signed_in(&state, &session).await?;
        files::export(&state, &viewer, community_id).await
    }
    .await;
    match result {
        Ok((name, chunks)) => zip_download(&name, chunks),
        Err(err) => err.into_response(),
    }
}
