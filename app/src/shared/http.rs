//! What plain HTTP routes share (file downloads and archives do not fit a server
//! function): the signed-in viewer of a route, attachment headers and a zip archive
//! sent as it is written.

use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, header};

/// Whether a browser posted a plain form (and wants a page back, not a status).
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// `Content-Disposition: attachment` with an ASCII fallback and the UTF-8 name.
pub fn attachment(name: &str) -> HeaderValue {
    let ascii: String = name.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' }).collect();
    let encoded = crate::ui::percent_encode(name);
    HeaderValue::from_str(&format!("attachment; filename=\"{}\"; filename*=UTF-8''{encoded}", ascii.replace('"', "")))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// A zip archive sent as it is written.
/// Stored bytes for the person allowed to see them: their type, never kept by a shared
/// cache or the browser's, and as an attachment when `name` is given.
pub fn private_file(content_type: &str, name: Option<&str>, bytes: bytes::Bytes) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Some(name) = name {
        headers.insert(header::CONTENT_DISPOSITION, attachment(name));
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}

pub fn zip_download(name: &str, mut receiver: tokio::sync::mpsc::Receiver<bytes::Bytes>) -> Response {
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
