//! Live round screens over Server-Sent Events: `GET /r/{round}/events`. A screen gets
//! the whole round as it may see it on (re)connect, then again at every change the hub
//! announces, so a dropped connection, a second device or a late joiner catches up at
//! once (`EventSource` reconnects by itself). The round is read once per change for
//! all its screens on this server (`feed`); each screen's view is built from that
//! read per viewer, here on the server: a hidden contribution never reaches a screen
//! that may not show it.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{self, Stream};
use http::{HeaderValue, header};
use tokio::sync::broadcast::error::RecvError;
use tower_sessions::Session;
use tower_sessions::session::Id;
use uuid::Uuid;

use super::api::RoundView;
use super::domain::Status;
use super::feed::{self, Loaded, Subscription};
use super::service::{self, millis};
use super::snapshot::RoundSnapshot;
use super::takeover::LEAD_BEAT_MS;
use crate::account::session::{Viewer, signed_in};
use crate::db::now;
use crate::db::session_store::DbSessionStore;
use crate::error::AppError;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/r/{id}/events", get(round_events))
}

/// How many rounds this server reads for open screens, and how many screens follow
/// them (for tests, logs and the benchmark).
pub fn followed(state: &AppState) -> (usize, usize) {
    state.per_server.get::<feed::RoundFeeds>().followed()
}

/// `EventSource` waits this long before reconnecting after a drop.
const RETRY: Duration = Duration::from_secs(2);

/// The first event of a connection carries the whole view; later ones leave out the
/// method, which does not change during a round (about half of an event's bytes).
fn event(view: &mut RoundView, first: bool) -> Event {
    let json = |view: &RoundView| serde_json::to_string(view).unwrap_or_default();
    let data = if first { json(view) } else { view.without_method(json) };
    Event::default().event("round").id(view.version.to_string()).retry(RETRY).data(data)
}

/// How often an open screen checks that its session still holds, besides when told
/// (a session that simply expired, or a change made on another server).
const SESSION_CHECK: Duration = Duration::from_secs(30);

/// `GET /r/{round}/events`: for the people who took part in the round; 404 for
/// everyone else (school leaders and admins included), 401 without a session. The
/// stream ends when its viewer signs out, changes their password, is deactivated or
/// no longer takes part.
async fn round_events(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Response {
    let Ok(round_id) = Uuid::parse_str(&id) else { return AppError::NotFound.into_response() };
    crate::shared::record_in_request("round", round_id);
    let viewer = match signed_in(&state, &session).await {
        Ok(viewer) => viewer,
        Err(err) => return err.into_response(),
    };
    let Some(session_id) = session.id() else { return AppError::Unauthenticated.into_response() };
    let sessions = state.hub.subscribe_sessions();
    let mut reads = feed::subscribe(&state, round_id);
    let first = match reads.fresh().await {
        Ok(latest) => latest,
        Err(err) => return err.into_response(),
    };
    let view = match first.view_for(&state, &viewer) {
        Ok(view) => view,
        Err(err) => return err.into_response(),
    };
    if let Loaded::Round(snapshot) = &first.loaded
        && snapshot.led_by(viewer.id())
    {
        lead_is_here(&state, snapshot, round_id).await;
    }
    let mut check = tokio::time::interval_at(tokio::time::Instant::now() + SESSION_CHECK, SESSION_CHECK);
    check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let beat_every = Duration::from_millis(LEAD_BEAT_MS as u64);
    let mut beat = tokio::time::interval_at(tokio::time::Instant::now() + beat_every, beat_every);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let screen = Screen {
        app: state.clone(),
        viewer,
        session_id,
        round_id,
        first: Some(view),
        last: None,
        shown: first.generation,
        reads,
        sessions,
        check,
        beat,
    };
    let mut response =
        Sse::new(screen.events()).keep_alive(KeepAlive::new().interval(Duration::from_secs(20))).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Proxies such as nginx must pass each event on at once.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

struct Screen {
    app: AppState,
    viewer: Viewer,
    session_id: Id,
    round_id: Uuid,
    first: Option<RoundView>,
    /// The view this screen was last sent.
    last: Option<RoundView>,
    /// The generation of the read this screen last showed.
    shown: u64,
    reads: Subscription,
    sessions: tokio::sync::broadcast::Receiver<Uuid>,
    check: tokio::time::Interval,
    /// While the viewer leads the round: says that the lead is here.
    beat: tokio::time::Interval,
}

/// A screen of the round lead is open: they are here. If they counted as gone,
/// everyone's screen learns that they are back (no one may take over any more).
async fn lead_is_here(state: &AppState, snapshot: &RoundSnapshot, round_id: Uuid) {
    if snapshot.state.status == Status::Ended {
        return;
    }
    let at = now();
    if let Err(err) = service::lead_is_here(&state.db, round_id, at).await {
        tracing::warn!(error = ?err, round = %round_id, "could not note that the round lead is here");
        return;
    }
    if snapshot.lead_gone(millis(at)) {
        state.hub.publish(round_id);
    }
}

/// What woke a screen up.
enum Wake {
    RoundRead,
    CheckSession,
    LeadBeat,
    Closed,
}

impl Screen {
    fn events(self) -> impl Stream<Item = Result<Event, Infallible>> {
        stream::unfold(self, |mut screen| async move {
            if let Some(mut view) = screen.first.take() {
                let sent = event(&mut view, true);
                screen.last = Some(view);
                return Some((Ok(sent), screen));
            }
            loop {
                match screen.wake().await {
                    Wake::Closed => return None,
                    Wake::CheckSession => {
                        if !screen.session_holds().await {
                            return None;
                        }
                        continue;
                    }
                    Wake::LeadBeat => {
                        screen.lead_beat().await;
                        continue;
                    }
                    Wake::RoundRead => {}
                }
                let latest = screen.reads.latest.borrow_and_update().clone();
                match latest.loaded {
                    Loaded::Nothing | Loaded::Failed => continue,
                    // A read for a screen that connected, with nothing announced since.
                    Loaded::Round(_) if latest.generation == screen.shown => continue,
                    Loaded::Round(_) | Loaded::Gone => {}
                }
                screen.shown = latest.generation;
                match latest.view_for(&screen.app, &screen.viewer) {
                    // A change that changes nothing this viewer sees is not sent.
                    Ok(view) if screen.shows(&view) => continue,
                    Ok(mut view) => {
                        let sent = event(&mut view, false);
                        screen.last = Some(view);
                        return Some((Ok(sent), screen));
                    }
                    // Gone, or no longer taking part: the screen stops.
                    Err(_) => return None,
                }
            }
        })
    }

    async fn wake(&mut self) -> Wake {
        let me = self.viewer.id();
        loop {
            tokio::select! {
                read = self.reads.latest.changed() => return match read {
                    Ok(()) => Wake::RoundRead,
                    Err(_) => Wake::Closed,
                },
                user = self.sessions.recv() => match user {
                    Ok(user) if user == me => return Wake::CheckSession,
                    // Missed some: one of them may have been ours.
                    Err(RecvError::Lagged(_)) => return Wake::CheckSession,
                    Ok(_) => {}
                    Err(RecvError::Closed) => return Wake::Closed,
                },
                _ = self.check.tick() => return Wake::CheckSession,
                _ = self.beat.tick() => return Wake::LeadBeat,
            }
        }
    }

    /// Whether `view` shows what this screen shows already (the clock aside: screens
    /// count down to the deadline themselves).
    fn shows(&mut self, view: &RoundView) -> bool {
        self.last.as_mut().is_some_and(|last| {
            last.server_now_ms = view.server_now_ms;
            last.remaining_ms = view.remaining_ms;
            last == view
        })
    }

    /// While the viewer leads the round, this open screen says so.
    async fn lead_beat(&self) {
        let snapshot = match &self.reads.latest.borrow().loaded {
            Loaded::Round(snapshot) if snapshot.led_by(self.viewer.id()) => Arc::clone(snapshot),
            _ => return,
        };
        lead_is_here(&self.app, &snapshot, self.round_id).await;
    }

    /// Whether the session this screen was opened with still signs its viewer in.
    async fn session_holds(&self) -> bool {
        let store = Arc::new(DbSessionStore::new(self.app.db.clone()));
        let session = Session::new(Some(self.session_id), store, None);
        match crate::account::session::viewer(&self.app, &session).await {
            Ok(Some(viewer)) => viewer.id() == self.viewer.id(),
            Ok(None) => false,
            // A database hiccup does not end a screen; the next check decides.
            Err(err) => {
                tracing::warn!(error = ?err, round = %self.round_id, "could not check a screen's session");
                true
            }
        }
    }
}
