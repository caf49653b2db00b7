//! Every form on a page is a plain form post (only the live parts of a page run in
//! the browser). When a post fails, Leptos sends the browser back to the form with the
//! error; this keeps what was typed (never passwords, never case text) in the session, so the form
//! comes back filled in and nothing has to be typed twice.

use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use app::account::domain::AfterPost;
use app::account::session::KEPT_INPUT_KEY;

/// The largest form body read here (files go to their own route); axum's default.
const FORM_LIMIT: usize = 2 * 1024 * 1024;

pub async fn keep_input_on_error(request: Request<Body>, next: axum::middleware::Next) -> Response {
    let Some(session) = plain_form_post(&request).then(|| request.extensions().get::<Session>().cloned()).flatten()
    else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let Ok(form) = to_bytes(body, FORM_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response();
    };
    let endpoint = parts.uri.path().trim_start_matches("/api/").to_string();
    let response = next.run(Request::from_parts(parts, Body::from(form.clone()))).await;
    let failed = response
        .headers()
        .get(header::LOCATION)
        .and_then(|location| location.to_str().ok())
        .is_some_and(|location| location.contains("__err="));
    if failed {
        let input: Vec<(String, String)> = form_urlencoded::parse(&form)
            .filter(|(name, _)| AfterPost::may_keep(&endpoint, name))
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        if let Err(error) = session.insert(KEPT_INPUT_KEY, input).await {
            tracing::warn!(%error, "could not keep the input of a failed form");
        }
    }
    response
}

/// A browser's own form submission to a server function (not a `fetch` from an island).
fn plain_form_post(request: &Request<Body>) -> bool {
    let header_has = |name: header::HeaderName, needle: &str| {
        request.headers().get(name).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains(needle))
    };
    request.method() == Method::POST
        && request.uri().path().starts_with("/api/")
        && header_has(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        && header_has(header::ACCEPT, "text/html")
}
