//! Files as plain HTTP routes (uploads are multipart, downloads are bytes, neither
//! fits a server function): attaching a file to an artifact, downloading one, and a
//! community's knowledge base as a zip archive. Permission is checked by the same
//! service functions the pages use.

use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use tower_sessions::Session;
use uuid::Uuid;

use app::account::session::Viewer;
use app::artifact::files;
use app::error::{AppError, ErrorKey};

use crate::ServerState;

/// Room for the multipart framing around the largest allowed file.
const MULTIPART_OVERHEAD: usize = 64 * 1024;

/// The body limit of the upload route.
pub fn upload_body_limit(upload_max_bytes: u64) -> DefaultBodyLimit {
    DefaultBodyLimit::max(upload_max_bytes as usize + MULTIPART_OVERHEAD)
}

/// The signed-in viewer of a plain route, or `Unauthenticated` (401).
pub(crate) async fn signed_in(state: &ServerState, session: &Session) -> Result<Viewer, AppError> {
    app::account::session::viewer(&state.app, session).await?.ok_or(AppError::Unauthenticated)
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// `Content-Disposition: attachment` with an ASCII fallback and the UTF-8 name.
fn attachment(name: &str) -> HeaderValue {
    let ascii: String = name.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' }).collect();
    let encoded = app::ui::percent_encode(name);
    HeaderValue::from_str(&format!("attachment; filename=\"{}\"; filename*=UTF-8''{encoded}", ascii.replace('"', "")))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// `POST /a/{id}/files` (multipart, field `file`). A browser posting the plain form
/// is sent back to the artifact (with the outcome in the query string); other callers
/// get the status: 201, 413 for a file or an organisation over its limit, 415 for a
/// type that is not allowed or does not match the name. Nothing is stored on failure.
pub async fn upload(
    State(state): State<ServerState>,
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
        files::upload(&state.app, &viewer, artifact_id, &name, bytes).await
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
pub async fn download(State(state): State<ServerState>, session: Session, Path(id): Path<String>) -> Response {
    let Ok(file_id) = Uuid::parse_str(&id) else { return AppError::NotFound.into_response() };
    let result = async {
        let viewer = signed_in(&state, &session).await?;
        files::download(&state.app, &viewer, file_id).await
    }
    .await;
    match result {
        Ok((file, bytes)) => {
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_str(&file.content_type)
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            );
            headers.insert(header::CONTENT_DISPOSITION, attachment(&file.name));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
            response
        }
        Err(err) => err.into_response(),
    }
}

/// `GET /c/{id}/export.zip`: every artifact of the community with its files, for its
/// members (not guests), sent as it is written.
pub async fn export(State(state): State<ServerState>, session: Session, Path(id): Path<String>) -> Response {
    let Ok(community_id) = Uuid::parse_str(&id) else { return AppError::NotFound.into_response() };
    let result = async {
        let viewer = signed_in(&state, &session).await?;
        files::export(&state.app, &viewer, community_id).await
    }
    .await;
    match result {
        Ok((name, chunks)) => zip_download(&name, chunks),
        Err(err) => err.into_response(),
    }
}

/// A zip archive sent as it is written.
fn zip_download(name: &str, mut receiver: tokio::sync::mpsc::Receiver<bytes::Bytes>) -> Response {
    // A closed channel keeps answering "done", however often the body is polled after
    // its end (the compression layer does).
    let chunks = futures_util::stream::poll_fn(move |cx| {
        receiver.poll_recv(cx).map(|chunk| chunk.map(Ok::<_, std::convert::Infallible>))
    });
    let mut response = axum::body::Body::from_stream(chunks).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    headers.insert(header::CONTENT_DISPOSITION, attachment(name));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}

/// `GET /me/export.zip`: everything Kring holds about the signed-in person, written as
/// it is sent (memory bounded by the largest single file). Once every five minutes per
/// person (429 with `Retry-After` sooner).
pub async fn personal_export(State(state): State<ServerState>, session: Session) -> Response {
    let viewer = match signed_in(&state, &session).await {
        Ok(viewer) => viewer,
        Err(err) => return err.into_response(),
    };
    if let Err(wait) = state.app.exports.take(viewer.id()) {
        return AppError::RateLimited { retry_after_secs: wait.as_secs().max(1) }.into_response();
    }
    match app::privacy::export::stream(&state.app, &viewer).await {
        Ok(chunks) => zip_download("kring-mijn-gegevens.zip", chunks),
        Err(err) => err.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::attachment;

    #[test]
    fn attachment_names_are_quoted_and_encoded() {
        let value = attachment("Les \"ontwerp\" café.pdf");
        let text = value.to_str().unwrap();
        assert!(text.starts_with("attachment; filename=\"Les ontwerp caf_.pdf\""), "{text}");
        assert!(text.contains("filename*=UTF-8''Les%20%22ontwerp%22%20caf%C3%A9.pdf"), "{text}");
    }
}
