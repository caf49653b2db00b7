//! The meetings' plain HTTP routes (calendar programs cannot run server
//! functions): one meeting as an `.ics` file for its members, and each person's
//! private feed, reached by the secret token in its address.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderValue, StatusCode, header};
use tower_sessions::Session;
use uuid::Uuid;

use super::{calendar, service};
use crate::account::session::signed_in;
use crate::error::AppError;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/m/{id}/ics", get(meeting_ics)).route("/calendar/{file}", get(feed))
}

fn ics(body: String, filename: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// `GET /m/{id}/ics`: one meeting, for active members of its community; 404 for
/// everyone else, 401 without a session.
async fn meeting_ics(State(app): State<AppState>, session: Session, Path(id): Path<String>) -> Response {
    let Ok(meeting_id) = Uuid::parse_str(&id) else { return AppError::NotFound.into_response() };
    let viewer = match signed_in(&app, &session).await {
        Ok(viewer) => viewer,
        Err(err) => return err.into_response(),
    };
    match service::meeting_for_download(&app.db, &viewer, meeting_id).await {
        Ok((meeting, community)) => {
            let name = community.name.clone();
            ics(calendar::calendar(&app.settings.public_url, &name, &[(meeting, community)]), "kring.ics")
        }
        Err(err) => err.into_response(),
    }
}

/// `GET /calendar/{token}.ics`: every meeting of the owner's communities. An unknown
/// or stopped token gets 404, the same as an address that never existed.
async fn feed(State(app): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(token) = file.strip_suffix(".ics") else { return StatusCode::NOT_FOUND.into_response() };
    let owner = match crate::notification::service::feed_owner(&app.db, token).await {
        Ok(Some(owner)) => owner,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(err) => return err.into_response(),
    };
    match service::feed_meetings(&app.db, owner.id).await {
        Ok(meetings) => ics(calendar::calendar(&app.settings.public_url, "Kring", &meetings), "kring.ics"),
        Err(err) => err.into_response(),
    }
}
