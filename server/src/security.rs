//! Request-level protection that holds for every route, server functions included:
//! cross-site request forgery checks on state-changing requests, and security headers
//! (with a per-request CSP nonce for Leptos' hydration script) on every response.

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode, header};

use app::shell::CspNonce;

/// Refuses state-changing requests that a browser marks as coming from another site.
///
/// Browsers send `Sec-Fetch-Site` (or at least `Origin`) on such requests; clients
/// that send neither are not browsers and carry no ambient cookies to abuse.
pub async fn reject_cross_site(request: Request, next: Next) -> Response {
    if is_safe_method(request.method()) || is_same_site(&request) {
        next.run(request).await
    } else {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site request");
        (StatusCode::FORBIDDEN, "cross-site request refused").into_response()
    }
}

fn is_safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn is_same_site(request: &Request) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    match headers.get(header::ORIGIN) {
        None => true,
        Some(origin) => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
            origin
                .to_str()
                .ok()
                .and_then(|o| o.split_once("://").map(|(_, rest)| rest.to_string()))
                .is_some_and(|origin_host| !host.is_empty() && origin_host.eq_ignore_ascii_case(host))
        }
    }
}

/// Settings for [`security_headers`].
#[derive(Clone)]
pub struct HeaderPolicy {
    pub https: bool,
    /// Allow the development auto-reload websocket.
    pub dev_reload_port: Option<u32>,
}

/// Adds a fresh CSP nonce to the request and the security headers to the response.
pub async fn security_headers(
    axum::extract::State(policy): axum::extract::State<HeaderPolicy>,
    mut request: Request,
    next: Next,
) -> Response<Body> {
    let nonce = new_nonce();
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let had_session = carries_session(request.headers());
    let mut response = next.run(request).await;
    // What a signed-in person sees must not stay in a shared computer's cache (or be
    // shown again with the back button after they signed out).
    let has_session = had_session || sets_session(response.headers());
    if has_session && !response.headers().contains_key(header::CACHE_CONTROL) {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    let connect = match policy.dev_reload_port {
        Some(port) => format!("'self' ws://127.0.0.1:{port} ws://localhost:{port}"),
        None => "'self'".to_string(),
    };
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'nonce-{nonce}'; style-src 'self'; \
         img-src 'self' data:; font-src 'self'; connect-src {connect}; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    if policy.https {
        headers
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    response
}

/// The session cookie's name (see `crate::router`).
pub const SESSION_COOKIE: &str = "kring_session";

fn carries_session(headers: &http::HeaderMap) -> bool {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).any(|cookies| {
        cookies.split(';').any(|c| c.trim().strip_prefix(SESSION_COOKIE).is_some_and(|rest| rest.starts_with('=')))
    })
}

fn sets_session(headers: &http::HeaderMap) -> bool {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|cookie| cookie.starts_with(&format!("{SESSION_COOKIE}=")))
}

fn new_nonce() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 18];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: Method, headers: &[(&str, &str)]) -> Request {
        let mut builder = Request::builder().method(method).uri("/api/login");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[test]
    fn same_origin_posts_pass() {
        assert!(is_same_site(&request(Method::POST, &[("sec-fetch-site", "same-origin")])));
        assert!(is_same_site(&request(Method::POST, &[("origin", "http://kring.test"), ("host", "kring.test")])));
        assert!(is_same_site(&request(Method::POST, &[])), "non-browser clients have no ambient cookies");
    }

    #[test]
    fn cross_site_posts_are_refused() {
        assert!(!is_same_site(&request(Method::POST, &[("sec-fetch-site", "cross-site")])));
        assert!(!is_same_site(&request(Method::POST, &[("sec-fetch-site", "same-site")])));
        assert!(!is_same_site(&request(Method::POST, &[("origin", "https://evil.test"), ("host", "kring.test")])));
        assert!(!is_same_site(&request(Method::POST, &[("origin", "null"), ("host", "kring.test")])));
    }

    #[test]
    fn reads_are_always_allowed() {
        assert!(is_safe_method(&Method::GET));
        assert!(!is_safe_method(&Method::POST));
    }
}
