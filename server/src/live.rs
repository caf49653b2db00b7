//! Live round screens over Server-Sent Events: `GET /r/{round}/events`. A screen gets
//! the whole round as it may see it on (re)connect, then again at every change the hub
//! announces, so a dropped connection, a second device or a late joiner catches up at
//! once (`EventSource` reconnects by itself). Filtering happens per viewer, here on
//! the server: a hidden contribution never reaches a screen that may not show it.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use http::{HeaderValue, header};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tower_sessions::Session;
use uuid::Uuid;

use app::account::session::Viewer;
use app::error::AppError;
use app::intervision::api::RoundView;
use app::intervision::rounds;
use app::state::AppState;

use crate::ServerState;

/// `EventSource` waits this long before reconnecting after a drop.
const RETRY: Duration = Duration::from_secs(2);

fn event(view: &RoundView) -> Event {
    let data = serde_json::to_string(view).unwrap_or_default();
    Event::default().event("round").id(view.version.to_string()).retry(RETRY).data(data)
}

/// `GET /r/{round}/events`: for the people who took part in the round; 404 for
/// everyone else (school leaders and admins included), 401 without a session.
pub async fn round_events(State(state): State<ServerState>, session: Session, Path(id): Path<String>) -> Response {
    let Ok(round_id) = Uuid::parse_str(&id) else { return AppError::NotFound.into_response() };
    let viewer = match crate::files::signed_in(&state, &session).await {
        Ok(viewer) => viewer,
        Err(err) => return err.into_response(),
    };
    // Listen before the first load, so no change between the two is missed.
    let changes = state.app.hub.subscribe(round_id);
    let first = match rounds::view(&state.app, &viewer, round_id).await {
        Ok(view) => view,
        Err(err) => return err.into_response(),
    };
    let mut response = Sse::new(screen(state.app.clone(), viewer, round_id, first, changes))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(20)))
        .into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Proxies such as nginx must pass each event on at once.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

struct Screen {
    app: AppState,
    viewer: Viewer,
    round_id: Uuid,
    first: Option<RoundView>,
    changes: tokio::sync::broadcast::Receiver<()>,
}

fn screen(
    app: AppState,
    viewer: Viewer,
    round_id: Uuid,
    first: RoundView,
    changes: tokio::sync::broadcast::Receiver<()>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let screen = Screen { app, viewer, round_id, first: Some(first), changes };
    stream::unfold(screen, |mut screen| async move {
        if let Some(view) = screen.first.take() {
            return Some((Ok(event(&view)), screen));
        }
        loop {
            match screen.changes.recv().await {
                Ok(()) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return None,
            }
            // Several changes at once need one reload.
            while matches!(screen.changes.try_recv(), Ok(()) | Err(TryRecvError::Lagged(_))) {}
            match rounds::view(&screen.app, &screen.viewer, screen.round_id).await {
                Ok(view) => return Some((Ok(event(&view)), screen)),
                // No longer taking part (or the round is gone): the screen stops.
                Err(AppError::NotFound) => return None,
                Err(err) => {
                    tracing::warn!(error = ?err, round = %screen.round_id, "could not load a round for a screen")
                }
            }
        }
    })
}
