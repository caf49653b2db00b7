//! The personal data export as a plain HTTP route: a zip archive is bytes, not a
//! server function's answer.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_sessions::Session;

use crate::account::session::signed_in;
use crate::error::AppError;
use crate::shared::http::zip_download;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/me/export.zip", get(personal_export))
}

/// `GET /me/export.zip`: everything Kring holds about the signed-in person, written as
/// it is sent (memory bounded by the largest single file). Once every five minutes per
/// person (429 with `Retry-After` sooner).
async fn personal_export(State(state): State<AppState>, session: Session) -> Response {
    let viewer = match signed_in(&state, &session).await {
        Ok(viewer) => viewer,
        Err(err) => return err.into_response(),
    };
    if let Err(wait) = state.exports.take(viewer.id()) {
        return AppError::RateLimited { retry_after_secs: wait.as_secs().max(1) }.into_response();
    }
    match super::export::stream(&state, &viewer).await {
        Ok(chunks) => zip_download("kring-mijn-gegevens.zip", chunks),
        Err(err) => err.into_response(),
    }
}
