//! Server functions of the account feature. Each one: session → permission → service
//! → DTO, and nothing else.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::domain::{AfterPost, ExperienceBand, Language, Role};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::domain::{NAME_MAX, PROFILE_FIELD_MAX, safe_next_path, validate_email, validate_password},
    super::{service, session},
    crate::error::{ErrorKey, Validation, respond},
    crate::shared::text::{validate_optional_text, validate_text},
    crate::state::AppState,
};

/// The signed-in person as pages see them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub language: Language,
    /// The highest organisation role the person holds anywhere.
    pub role: Role,
    /// Staff of a school or board; guests of a community are not.
    pub staff: bool,
    pub department: Option<String>,
    pub experience_band: Option<ExperienceBand>,
    pub location: Option<String>,
    /// Notifications not seen yet, for the count in the menu.
    pub unread_notifications: u64,
}

impl CurrentUser {
    pub fn is_admin(&self) -> bool {
        self.staff && self.role == Role::Admin
    }

    /// A school leader or admin: they have the leaders' dashboard.
    pub fn leads(&self) -> bool {
        self.staff && self.role >= Role::Leader
    }

    pub fn has_organisation(&self) -> bool {
        self.staff
    }
}

#[cfg(feature = "ssr")]
impl From<&session::Viewer> for CurrentUser {
    fn from(viewer: &session::Viewer) -> Self {
        let user = &viewer.user;
        CurrentUser {
            id: user.id,
            name: user.name.clone(),
            email: user.email.clone(),
            language: Language::decode(&user.language).unwrap_or_default(),
            role: viewer.memberships.iter().filter_map(|m| Role::decode(&m.role).ok()).max().unwrap_or(Role::Teacher),
            staff: !viewer.memberships.is_empty(),
            department: user.department.clone(),
            experience_band: user.experience_band.as_deref().and_then(|b| ExperienceBand::parse(b).ok()),
            location: user.location.clone(),
            unread_notifications: viewer.unread_notifications,
        }
    }
}

/// Sets the language cookie that the translation layer reads on every request.
#[cfg(feature = "ssr")]
pub fn remember_language(language: Language) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        let cookie = format!("i18n_pref_locale={}; Path=/; Max-Age=31536000; SameSite=Lax", language.as_str());
        if let Ok(value) = http::HeaderValue::from_str(&cookie) {
            response.append_header(http::header::SET_COOKIE, value);
        }
    }
}

#[server(endpoint = "current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    respond(async {
        let state = AppState::get()?;
        let session = session::current_session().await?;
        let Some(viewer) = session::viewer(&state, &session).await? else { return Ok(None) };
        Ok(Some(CurrentUser::from(&viewer)))
    })
    .await
}

/// What the last form post left for the page being rendered (see [`AfterPost`]).
#[server(endpoint = "after_post")]
pub async fn take_after_post() -> Result<AfterPost, AppError> {
    respond(async {
        let session = session::current_session().await?;
        session::take_after_post(&session).await
    })
    .await
}

/// Signs in; returns the person's language so the interface can switch to it.
#[server(endpoint = "login")]
pub async fn login(
    email: String,
    password: String,
    next: Option<String>,
    #[server(default)] shared_computer: Option<String>,
) -> Result<Language, AppError> {
    respond(async move {
        let state = AppState::get()?;
        Validation::new()
            .check("email", validate_text(&email, super::domain::EMAIL_MAX))
            .check("password", if password.is_empty() { Err(ErrorKey::Required) } else { Ok(()) })
            .finish()?;
        let address = client_address(&state).await;
        let account = super::domain::normalise_email(&email);
        if let Err(wait) = state.login_limiter.begin(&account, address) {
            return Err(AppError::RateLimited { retry_after_secs: wait.as_secs().max(1) });
        }
        let user = service::authenticate(&state.db, &email, &password).await?;
        state.login_limiter.succeeded(&account, address);
        let session = session::current_session().await?;
        session::sign_in(&session, &user, shared_computer.is_some()).await?;
        let language = Language::decode(&user.language)?;
        remember_language(language);
        leptos_axum::redirect(&safe_next_path(next.as_deref()));
        Ok(language)
    })
    .await
}

/// The client's address: the socket's, or, when the socket is a trusted proxy
/// (`KRING_TRUSTED_PROXIES`), the nearest address in `X-Forwarded-For` that is not one.
#[cfg(feature = "ssr")]
pub(crate) async fn client_address(state: &AppState) -> Option<std::net::IpAddr> {
    use axum::extract::ConnectInfo;
    let peer =
        leptos_axum::extract::<ConnectInfo<std::net::SocketAddr>>().await.ok().map(|ConnectInfo(addr)| addr.ip())?;
    if !state.settings.trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let headers = leptos_axum::extract::<http::HeaderMap>().await.ok()?;
    let forwarded: Vec<&str> = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    Some(super::domain::forwarded_client(peer, &forwarded, &state.settings.trusted_proxies))
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    respond(async {
        let state = AppState::get()?;
        let session = session::current_session().await?;
        let viewer = session::viewer(&state, &session).await?;
        session::sign_out(&session).await?;
        // Round screens open with this session stop.
        if let Some(viewer) = viewer {
            state.hub.sessions_changed(viewer.id());
        }
        leptos_axum::redirect("/login");
        Ok(())
    })
    .await
}

#[server(endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    respond(async move {
        let state = AppState::get()?;
        Validation::new().check("email", validate_email(&email)).finish()?;
        let address = client_address(&state).await;
        if let Err(wait) = state.reset_limiter.begin(&super::domain::normalise_email(&email), address) {
            return Err(AppError::RateLimited { retry_after_secs: wait.as_secs().max(1) });
        }
        service::start_password_reset(&state, &email);
        leptos_axum::redirect("/password/forgot?sent=1");
        Ok(())
    })
    .await
}

#[server(endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String, password_confirm: String) -> Result<(), AppError> {
    respond(async move {
        let state = AppState::get()?;
        validate_new_password("password", &password, &password_confirm)?;
        let user = service::finish_password_reset(&state, &token, password).await?;
        state.hub.sessions_changed(user.id);
        let session = session::current_session().await?;
        session::sign_in(&session, &user, false).await?;
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

#[cfg(feature = "ssr")]
fn validate_new_password(field: &str, password: &str, confirm: &str) -> Result<(), AppError> {
    Validation::new()
        .check(field, validate_password(password))
        .check(&format!("{field}_confirm"), if password == confirm { Ok(()) } else { Err(ErrorKey::PasswordsDiffer) })
        .finish()
}

#[server(endpoint = "update_profile")]
pub async fn update_profile(
    name: String,
    language: String,
    department: String,
    experience_band: String,
    location: String,
) -> Result<Language, AppError> {
    session::as_viewer(|state, viewer| async move {
        let parsed_language = Language::parse(&language);
        let parsed_band =
            if experience_band.is_empty() { Ok(None) } else { ExperienceBand::parse(&experience_band).map(Some) };
        Validation::new()
            .check("name", validate_text(&name, NAME_MAX))
            .check("language", parsed_language.map(|_| ()))
            .check("department", validate_optional_text(&department, PROFILE_FIELD_MAX))
            .check("experience_band", parsed_band.map(|_| ()))
            .check("location", validate_optional_text(&location, PROFILE_FIELD_MAX))
            .finish()?;
        let optional = |s: String| {
            let s = s.trim().to_string();
            (!s.is_empty()).then_some(s)
        };
        let language = parsed_language.unwrap_or_default();
        service::update_profile(
            &state.db,
            viewer.user,
            service::ProfileUpdate {
                name: name.trim().to_string(),
                language,
                department: optional(department),
                experience_band: parsed_band.ok().flatten(),
                location: optional(location),
            },
        )
        .await?;
        remember_language(language);
        session::flash(super::domain::Flash::ProfileSaved).await?;
        Ok(language)
    })
    .await
}

#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    new_password_confirm: String,
) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        validate_new_password("new_password", &new_password, &new_password_confirm)?;
        let user = service::change_password(&state.db, viewer.user, current_password, new_password).await?;
        state.hub.sessions_changed(user.id);
        // Every other session has ended; this one continues on a fresh id.
        let session = session::current_session().await?;
        session::sign_in(&session, &user, false).await?;
        session::flash(super::domain::Flash::PasswordChanged).await
    })
    .await
}

#[server(endpoint = "set_language")]
pub async fn set_language(language: String) -> Result<Language, AppError> {
    respond(async move {
        let state = AppState::get()?;
        let language = Language::parse(&language).map_err(|key| AppError::field("language", key))?;
        let session = session::current_session().await?;
        if let Some(viewer) = session::viewer(&state, &session).await? {
            service::set_language(&state.db, viewer.user, language).await?;
        }
        remember_language(language);
        Ok(language)
    })
    .await
}
