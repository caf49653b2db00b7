//! Lesson study's plain HTTP routes: a photo of pupil work is a multipart upload and
//! comes back as bytes, neither fits a server function. Permission is checked by the
//! service, as for the pages.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use http::{HeaderMap, StatusCode};
use tower_sessions::Session;
use uuid::Uuid;

use super::service::photos;
use crate::account::session::signed_in;
use crate::error::{AppError, ErrorKey};
use crate::shared::http::{private_file, wants_html};
use crate::state::AppState;

const MULTIPART_OVERHEAD: usize = 64 * 1024;

pub fn routes(upload_max_bytes: u64) -> Router<AppState> {
    let upload_limit = DefaultBodyLimit::max(upload_max_bytes as usize + MULTIPART_OVERHEAD);
    Router::new().route("/ls/lessons/{id}/photos", post(upload).layer(upload_limit)).route("/ls/photos/{id}", get(show))
}

/// `POST /ls/lessons/{id}/photos` (multipart: `pupil`, `phase`, `photo`). A browser
/// posting the plain form goes back to the observation form with the outcome in the
/// query string; other callers get the status (201, 413, 415, 409, 422).
async fn upload(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let html = wants_html(&headers);
    let Ok(lesson_id) = Uuid::parse_str(&id) else { return AppError::NotFound.into_response() };
    let too_large = |err: &axum::extract::multipart::MultipartError| err.status() == StatusCode::PAYLOAD_TOO_LARGE;
    let result = async {
        let viewer = signed_in(&state, &session).await?;
        let (mut pupil, mut phase, mut photo) = (String::new(), String::new(), None);
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(err) if too_large(&err) => return Err(AppError::TooLarge(ErrorKey::FileTooLarge)),
                Err(_) => return Err(AppError::field("photo", ErrorKey::Required)),
            };
            let name = field.name().unwrap_or_default().to_string();
            match name.as_str() {
                "pupil" => pupil = field.text().await.unwrap_or_default(),
                "phase" => phase = field.text().await.unwrap_or_default(),
                "photo" => match field.bytes().await {
                    Ok(bytes) => photo = Some(bytes),
                    Err(err) if too_large(&err) => return Err(AppError::TooLarge(ErrorKey::FileTooLarge)),
                    Err(_) => return Err(AppError::field("photo", ErrorKey::Required)),
                },
                _ => {}
            }
        }
        let phase = phase.trim().parse::<usize>().map_err(|_| AppError::field("phase", ErrorKey::InvalidChoice))?;
        let photo = photo.ok_or(AppError::field("photo", ErrorKey::Required))?;
        let id = photos::upload_photo(&state, &viewer, lesson_id, pupil.trim(), phase, photo).await?;
        Ok::<_, AppError>((viewer, id))
    }
    .await;
    if !html {
        return match result {
            Ok((_, id)) => (StatusCode::CREATED, id.to_string()).into_response(),
            Err(err) => err.into_response(),
        };
    }
    let outcome = match &result {
        Ok(_) => "ok",
        Err(AppError::Unauthenticated | AppError::NotFound) => {
            return result.err().map(IntoResponse::into_response).unwrap_or_default();
        }
        Err(AppError::TooLarge(ErrorKey::StorageFull)) => "storage_full",
        Err(AppError::TooLarge(_)) => "too_large",
        Err(AppError::UnsupportedType) => "type",
        Err(AppError::Conflict(_)) => "closed",
        Err(_) => "missing",
    };
    // Back to the observation form, which says in words what happened.
    match photos::cycle_of(&state, lesson_id).await {
        Ok(cycle_id) => Redirect::to(&format!("/ls/{cycle_id}/observe?photo={outcome}")).into_response(),
        Err(err) => err.into_response(),
    }
}

/// `GET /ls/photos/{id}`: the photo, for the members of its community.
async fn show(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Response {
    let Ok(photo_id) = Uuid::parse_str(&id) else { return AppError::NotFound.into_response() };
    let result = async {
        let viewer = signed_in(&state, &session).await?;
        photos::photo(&state, &viewer, photo_id).await
    }
    .await;
    match result {
        Ok((content_type, bytes)) => private_file(&content_type, None, bytes),
        Err(err) => err.into_response(),
    }
}
