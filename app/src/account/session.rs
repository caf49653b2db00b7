//! Who is signed in. The session (server-side, see `db::session_store`) holds only the
//! user id, the account's `auth_version` and when the person signed in; every request
//! checks them against the database, so a password change or deactivation ends all
//! sessions at once, and the absolute timeout holds even for busy sessions. A session
//! in use is kept alive by writing it again now and then (see `touch_interval`), so the
//! idle timeout counts from the last request, not from the last change to the session.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use crate::db::entities::{staff_membership, user};
use crate::error::AppError;
use crate::state::AppState;

const AUTH_KEY: &str = "auth";
const FLASH_KEY: &str = "flash";
/// When the session was last written to keep it alive (Unix seconds).
const SEEN_KEY: &str = "seen";
/// Written by the server's form middleware when a plain form post fails.
pub const KEPT_INPUT_KEY: &str = "kept_input";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct SessionAuth {
    user_id: Uuid,
    auth_version: i32,
    signed_in_at: i64,
    /// Signed in on a shared computer: the cookie ends with the browser and the session
    /// after [`SHARED_COMPUTER_IDLE`] without use.
    #[serde(default)]
    shared: bool,
}

/// How long a session on a shared classroom computer lasts without use.
pub const SHARED_COMPUTER_IDLE: std::time::Duration = std::time::Duration::from_secs(30 * 60);

impl SessionAuth {
    fn idle_timeout(&self, state: &AppState) -> std::time::Duration {
        if self.shared { SHARED_COMPUTER_IDLE.min(state.settings.session_idle) } else { state.settings.session_idle }
    }
}

/// The signed-in person as the server sees them. `Debug` shows ids and roles only:
/// the account row holds the password hash, and logs must never.
#[derive(Clone)]
pub struct Viewer {
    pub user: user::Model,
    pub memberships: Vec<staff_membership::Model>,
    /// The board of the organisation they are staff of; `None` for guests.
    pub board_id: Option<Uuid>,
    /// Notices not yet seen, as read with the account (for the header's badge).
    pub unread_notifications: u64,
}

impl std::fmt::Debug for Viewer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Viewer")
            .field("id", &self.user.id)
            .field("board_id", &self.board_id)
            .field("roles", &self.memberships.iter().map(|m| m.role.as_str()).collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Viewer {
    pub fn id(&self) -> Uuid {
        self.user.id
    }

    /// An admin of the organisation (board or school) they are staff of.
    pub fn is_admin(&self) -> bool {
        self.memberships.iter().any(|m| m.role == crate::account::domain::Role::Admin.as_str())
    }
}

/// The session of the current server-function call or page render.
pub async fn current_session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "session layer missing");
        AppError::Internal
    })
}

/// The viewer as loaded once for this request: a page render calls several server
/// functions at once, and each would otherwise read the same account and memberships
/// again. The first caller reads while the others wait for its answer. Keyed by the
/// session's sign-in, so signing in or out within a request is seen.
#[derive(Clone, Default)]
pub struct ViewerCache(std::sync::Arc<tokio::sync::Mutex<Option<(SessionAuth, Viewer)>>>);

/// The signed-in viewer, or `None`. Ends the session when it is stale.
pub async fn viewer(state: &AppState, session: &Session) -> Result<Option<Viewer>, AppError> {
    let Some(auth) = session.get::<SessionAuth>(AUTH_KEY).await? else {
        return Ok(None);
    };
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let age = now - auth.signed_in_at;
    if age < 0 || age as u64 > state.settings.session_absolute.as_secs() {
        session.flush().await?;
        return Ok(None);
    }
    if auth.shared {
        // The store's expiry follows the usual idle timeout; a shared computer's is shorter.
        let seen = session.get::<i64>(SEEN_KEY).await?.unwrap_or(auth.signed_in_at);
        if now - seen > auth.idle_timeout(state).as_secs() as i64 {
            session.flush().await?;
            return Ok(None);
        }
    }
    let cache = leptos::prelude::use_context::<ViewerCache>();
    let mut cached = match &cache {
        Some(cache) => Some(cache.0.lock().await),
        None => None,
    };
    // The request's log lines say whose request it was (its id, nothing else).
    crate::shared::record_in_request("user", auth.user_id);
    if let Some((key, viewer)) = cached.as_ref().and_then(|c| c.as_ref())
        && *key == auth
    {
        return Ok(Some(viewer.clone()));
    }
    let Some(viewer) = super::service::load_viewer(&state.db, auth.user_id).await? else {
        session.flush().await?;
        return Ok(None);
    };
    if viewer.user.auth_version != auth.auth_version || viewer.user.deactivated_at.is_some() {
        session.flush().await?;
        return Ok(None);
    }
    if let Some(cached) = cached.as_mut() {
        **cached = Some((auth, viewer.clone()));
    }
    keep_alive(state, session, &auth).await?;
    Ok(Some(viewer))
}

/// How long a session in use goes without being written again: a twelfth of the idle
/// timeout, at most five minutes, so an active session never ends while a busy one
/// costs a write only every few minutes, not on every request.
pub fn touch_interval(idle: std::time::Duration) -> std::time::Duration {
    (idle / 12).clamp(std::time::Duration::from_secs(1), std::time::Duration::from_secs(300))
}

/// Writes the session again (a new expiry in the store and in the cookie) once
/// `touch_interval` has passed since it was last written.
async fn keep_alive(state: &AppState, session: &Session, auth: &SessionAuth) -> Result<(), AppError> {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let seen = session.get::<i64>(SEEN_KEY).await?.unwrap_or(auth.signed_in_at);
    let interval = touch_interval(auth.idle_timeout(state)).as_secs() as i64;
    if now - seen >= interval || now < seen {
        session.insert(SEEN_KEY, now).await?;
    }
    Ok(())
}

/// The body of a server function for the signed-in: the app state and the viewer,
/// then `work`, its error reported as [`crate::error::respond`] does. Anonymous callers
/// get `Unauthenticated`.
pub async fn as_viewer<T, F, Fut>(work: F) -> Result<T, AppError>
where
    F: FnOnce(AppState, Viewer) -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    crate::error::respond(async move {
        let state = AppState::get()?;
        let viewer = require_viewer(&state).await?;
        work(state, viewer).await
    })
    .await
}

/// The viewer of the current call, or `Unauthenticated`.
/// The signed-in viewer of a plain HTTP route, or `Unauthenticated` (401).
pub async fn signed_in(state: &AppState, session: &Session) -> Result<Viewer, AppError> {
    viewer(state, session).await?.ok_or(AppError::Unauthenticated)
}

pub async fn require_viewer(state: &AppState) -> Result<Viewer, AppError> {
    let session = current_session().await?;
    viewer(state, &session).await?.ok_or(AppError::Unauthenticated)
}

/// Signs `user` in on a fresh session id (no session fixation). On a `shared_computer`
/// the cookie is not kept when the browser closes and the session ends sooner.
pub async fn sign_in(session: &Session, user: &user::Model, shared_computer: bool) -> Result<(), AppError> {
    session.cycle_id().await?;
    if shared_computer {
        session.set_expiry(Some(tower_sessions::Expiry::OnSessionEnd));
    }
    session
        .insert(
            AUTH_KEY,
            SessionAuth {
                user_id: user.id,
                auth_version: user.auth_version,
                signed_in_at: OffsetDateTime::now_utc().unix_timestamp(),
                shared: shared_computer,
            },
        )
        .await?;
    Ok(())
}

/// Ends the session and deletes it from the store.
pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await?;
    Ok(())
}

/// Tells the next page that the form post succeeded. Only a plain form post (no
/// JavaScript) loads a next page; the hydrated app shows success from the action's
/// value, and a flash left for it would show on some later page instead.
pub async fn flash(flash: super::domain::Flash) -> Result<(), AppError> {
    let plain_post = leptos::prelude::use_context::<http::request::Parts>()
        .is_some_and(|parts| crate::shared::http::wants_html(&parts.headers));
    if plain_post {
        current_session().await?.insert(FLASH_KEY, flash).await?;
    }
    Ok(())
}

/// Takes (and so removes) what the last form post left for this page. Removing marks
/// a session changed (a write, or a new session for an anonymous visitor), so only
/// what is there is removed.
pub async fn take_after_post(session: &Session) -> Result<super::domain::AfterPost, AppError> {
    let flash: Option<super::domain::Flash> = session.get(FLASH_KEY).await?;
    if flash.is_some() {
        session.remove_value(FLASH_KEY).await?;
    }
    let input: Option<Vec<(String, String)>> = session.get(KEPT_INPUT_KEY).await?;
    if input.is_some() {
        session.remove_value(KEPT_INPUT_KEY).await?;
    }
    Ok(super::domain::AfterPost { flash, input: input.unwrap_or_default() })
}

#[cfg(test)]
mod tests {
    use super::touch_interval;
    use std::time::Duration;

    #[test]
    fn sessions_are_written_again_at_most_every_five_minutes() {
        assert_eq!(touch_interval(Duration::from_secs(12 * 3600)), Duration::from_secs(300));
        assert_eq!(touch_interval(Duration::from_secs(3600)), Duration::from_secs(300));
        assert_eq!(touch_interval(Duration::from_secs(1200)), Duration::from_secs(100));
        assert_eq!(touch_interval(Duration::from_secs(60)), Duration::from_secs(5));
        assert_eq!(touch_interval(Duration::from_secs(6)), Duration::from_secs(1));
    }
}
