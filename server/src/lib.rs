//! The Kring server as a library, so the binary and the integration tests build the
//! very same HTTP stack: Leptos pages and server functions, sessions in the database,
//! CSRF protection, security headers, compressed static assets.
//!
//! A tour: [`config`] reads flags and environment; [`startup`] turns them into an
//! [`app::state::AppState`]; [`router`] assembles the layers; [`security`] holds the
//! request-level protections.

#![recursion_limit = "256"]

pub mod assets;
pub mod config;
pub mod forms;
pub mod security;
pub mod startup;

use std::net::SocketAddr;
use std::time::Duration;

use app::state::AppState;
use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::extract::{FromRef, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderValue, header};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower::ServiceExt;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::ServeDir;
use tower_sessions::cookie::{Key, SameSite};
use tower_sessions::{Expiry, SessionManagerLayer};

use app::db::session_store::DbSessionStore;

/// Axum state: the application state plus Leptos' options.
#[derive(Clone)]
pub struct ServerState {
    pub app: AppState,
    pub leptos: LeptosOptions,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(state: &ServerState) -> Self {
        state.leptos.clone()
    }
}

/// The app's routes, generated once per process. Generating them sets a process-wide
/// flag that keeps every resource first polled meanwhile pending forever (leptos #4773),
/// so it must never run while another router is rendering pages.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Builds the whole router. `secret` signs the session cookie.
pub fn router(app_state: AppState, leptos: LeptosOptions, secret: &[u8]) -> Router {
    let state = ServerState { app: app_state.clone(), leptos: leptos.clone() };
    let routes = route_list();
    let context = {
        let app_state = app_state.clone();
        move || {
            provide_context(app_state.clone());
            provide_context(app::account::session::ViewerCache::default());
        }
    };

    let sessions = SessionManagerLayer::new(DbSessionStore::new(app_state.db.clone()))
        .with_name(security::SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(app_state.settings.secure_cookies())
        .with_expiry(Expiry::OnInactivity(
            time::Duration::try_from(app_state.settings.session_idle).unwrap_or(time::Duration::hours(12)),
        ))
        .with_signed(Key::from(secret));

    let policy = security::HeaderPolicy {
        https: app_state.settings.secure_cookies(),
        dev_reload_port: (leptos.env == leptos::config::Env::DEV).then_some(leptos.reload_port),
    };

    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(app::shell::http_routes(&app_state).with_state(app_state.clone()))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let leptos = leptos.clone();
            move || shell(leptos.clone())
        })
        .route("/pkg/{*file}", get(static_file))
        .route("/favicon.svg", get(static_file))
        .route("/sw.js", get(static_file))
        .fallback(leptos_axum::file_and_error_handler_with_context::<ServerState, _>(context, shell))
        .layer(axum::middleware::from_fn(forms::keep_input_on_error))
        .layer(sessions)
        .layer(axum::middleware::from_fn(keep_request_span))
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(request_span))
        .layer(axum::middleware::from_fn(server_fn_error_status))
        .layer(axum::middleware::from_fn(security::reject_cross_site))
        .layer(axum::middleware::from_fn_with_state(policy, security::security_headers))
        // Pages are compressed as they are sent, once per request: gzip at level 1 takes
        // 0.14 ms for a 30 KB community page (7.5 KB), brotli at 1 0.29 ms (6.7 KB) and at
        // its default of 4 0.50 ms (6.0 KB). Static assets are compressed once, at start-up,
        // with brotli at its best level.
        .layer(CompressionLayer::new().br(false).gzip(true).quality(CompressionLevel::Precise(1)))
        .with_state(state)
}

/// One span per request, so every log line says where it came from: the route or
/// server function, and (recorded on the way, see `session::viewer`,
/// `membership::service::member_access`, `rounds::participant_access`) the signed-in
/// person and the community or round. Ids only: never names, text, a query string or
/// the tokens some paths carry (the route's pattern stands in for those paths).
fn request_span(request: &Request<Body>) -> tracing::Span {
    let path = request.uri().path();
    let route = if path.starts_with("/api/") {
        path.to_string()
    } else {
        request.extensions().get::<axum::extract::MatchedPath>().map_or("(fallback)", |m| m.as_str()).to_string()
    };
    tracing::info_span!(
        "request",
        method = %request.method(),
        route = %route,
        user = tracing::field::Empty,
        community = tracing::field::Empty,
        round = tracing::field::Empty,
    )
}

/// Keeps the request's span in its extensions, for `app::shared::record_in_request`.
async fn keep_request_span(mut request: Request<Body>, next: axum::middleware::Next) -> Response {
    request.extensions_mut().insert(app::shared::RequestSpan(tracing::Span::current()));
    next.run(request).await
}

/// Errors raised before a server function's body runs (arguments that do not parse)
/// come back from Leptos as 500; give them the status of the error they carry, so bad
/// input is a 422 like every other validation failure.
async fn server_fn_error_status(request: Request<Body>, next: axum::middleware::Next) -> Response {
    let server_fn = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if !server_fn || response.status() != http::StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (http::StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
    };
    if let Ok(error) = serde_json::from_slice::<app::error::AppError>(&bytes) {
        parts.status = error.status();
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Files the build writes to the site folder (wasm, JS, CSS, icons). They are sent
/// precompressed when [`assets::precompress`] has run (else the compression layer
/// compresses them) and revalidated by the browser (they are not content-hashed, so
/// they must not be cached blindly).
async fn static_file(State(state): State<ServerState>, request: Request<Body>) -> Response {
    let root = state.leptos.site_root.to_string();
    match ServeDir::new(root).precompressed_br().precompressed_gzip().oneshot(request).await {
        Ok(mut response) => {
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, no-cache"));
            response.map(Body::new)
        }
        Err(err) => match err {},
    }
}

/// Serves until Ctrl-C or SIGTERM, with TCP_NODELAY on every connection.
pub async fn serve(router: Router, addr: SocketAddr) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("Kring is listening on http://{addr}");
    let listener = listener.tap_io(|tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::warn!(error = %err, "could not set TCP_NODELAY");
        }
    });
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

/// Compresses the site's assets at maximum quality in the background; until it is
/// done, the compression layer serves them compressed on the fly.
pub fn spawn_precompression(site_root: std::path::PathBuf) {
    tokio::task::spawn_blocking(move || match assets::precompress(&site_root) {
        Ok(files) if !files.is_empty() => tracing::info!(count = files.len(), "precompressed static assets"),
        Ok(_) => {}
        Err(err) => tracing::warn!(error = %err, root = %site_root.display(), "could not precompress static assets"),
    });
}

/// Periodic housekeeping: expired sessions, idle rate-limit keys, participation levels
/// that changed because events left their window, tomorrow's meeting reminders,
/// artifacts due for review, expired intervision text and records past their
/// retention period.
///
/// With several servers on one database, one of them does the shared work per interval:
/// the one that takes the `housekeeping` lease (`app::db::lease`).
pub fn spawn_housekeeping(state: AppState) {
    const EVERY: Duration = Duration::from_secs(600);
    tokio::spawn(async move {
        let store = DbSessionStore::new(state.db.clone());
        let me = uuid::Uuid::now_v7();
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            for limiter in [&state.login_limiter, &state.reset_limiter, &state.sign_up_limiter] {
                limiter.forget_idle();
            }
            match app::db::lease::take(
                &state.db,
                "housekeeping",
                me,
                time::Duration::try_from(EVERY).unwrap_or_default(),
            )
            .await
            {
                Ok(true) => {}
                Ok(false) => continue,
                Err(err) => {
                    tracing::warn!(error = %err, "could not take the housekeeping lease");
                    continue;
                }
            }
            if let Err(err) = store.delete_expired().await {
                tracing::warn!(error = %err, "could not delete expired sessions");
            }
            if let Err(err) = app::participation::service::refresh_all_levels(&state.db).await {
                tracing::warn!(error = ?err, "could not refresh participation levels");
            }
            match app::meeting::service::send_due_reminders(&state).await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "sent meeting reminders"),
                Err(err) => tracing::warn!(error = ?err, "could not send meeting reminders"),
            }
            match app::intervision::closing::service::send_check_in_reminders(&state).await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "reminded owners of actions at their check-in date"),
                Err(err) => tracing::warn!(error = ?err, "could not send check-in reminders"),
            }
            match app::artifact::service::send_review_reminders(&state).await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "asked owners to review artifacts"),
                Err(err) => tracing::warn!(error = ?err, "could not send review reminders"),
            }
            match app::intervision::case::service::purge_expired(&state.db, app::db::now()).await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "emptied expired intervision cases"),
                Err(err) => tracing::warn!(error = ?err, "could not empty expired intervision cases"),
            }
            match app::intervision::round::service::purge_expired(&state.db, app::db::now()).await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "deleted what was written in expired intervision rounds"),
                Err(err) => tracing::warn!(error = ?err, "could not purge expired intervision rounds"),
            }
            match app::retention::enforce(&state, app::db::now()).await {
                Ok(forgotten) if forgotten == app::retention::Forgotten::default() => {}
                Ok(forgotten) => tracing::info!(?forgotten, "deleted records past their retention period"),
                Err(err) => tracing::warn!(error = ?err, "could not enforce retention periods"),
            }
        }
    });
}
