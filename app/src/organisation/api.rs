//! Server functions for staff administration and invitations. Only admins manage
//! staff; everyone else gets `NotFound`, as if the pages did not exist.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::account::domain::Role;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::service,
    crate::account::domain::{NAME_MAX, normalise_email, validate_email, validate_password},
    crate::account::{api::remember_language, session},
    crate::error::{ErrorKey, Validation, respond},
    crate::shared::text::validate_text,
    crate::state::AppState,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct School {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolRole {
    pub school: School,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub roles: Vec<SchoolRole>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingInvitation {
    pub id: Uuid,
    pub school: School,
    /// `None` for a shareable link.
    pub email: Option<String>,
    pub role: Role,
    pub accepted_count: i32,
    pub expires_at: OffsetDateTime,
}

/// What a person sees when they open an invitation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationDetails {
    pub school_name: String,
    /// For a guest's invitation: the one community they are invited into.
    pub guest_of: Option<String>,
    pub email: Option<String>,
    pub role: Role,
    /// A guest's invitation to an address that has an account already: they sign in
    /// and accept instead of signing up. Only the holder of the emailed link learns it.
    pub has_account: bool,
    /// Signed in as the invited address: one click accepts.
    pub signed_in_as_invitee: bool,
}

/// The staff page's data: schools of the admin's board, staff and open invitations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffOverview {
    pub board_name: String,
    pub schools: Vec<School>,
    pub staff: Vec<StaffMember>,
    pub invitations: Vec<PendingInvitation>,
    /// The board's community policy: the hard cap on members…
    pub member_cap: i32,
    /// …and whether every staff member may start a community (else admins only).
    pub staff_may_start: bool,
}

#[server(endpoint = "staff_overview")]
pub async fn load_staff_overview() -> Result<StaffOverview, AppError> {
    session::as_viewer(|state, viewer| async move {
        let board = service::administered_board(&state.db, &viewer).await?;
        service::staff_overview(&state.db, &board).await
    })
    .await
}

#[server(endpoint = "invite_staff")]
pub async fn invite_staff(school_id: Uuid, email: String, role: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let board = service::administered_board(&state.db, &viewer).await?;
        let role_choice = Role::parse(&role);
        Validation::new().check("email", validate_email(&email)).check("role", role_choice.map(|_| ())).finish()?;
        let school = service::school_of_board(&state.db, &board, school_id).await?;
        service::invite_by_email(
            &state,
            &viewer,
            &school,
            &normalise_email(&email),
            role_choice.unwrap_or(Role::Teacher),
        )
        .await?;
        session::flash(crate::account::domain::Flash::StaffInvited).await
    })
    .await
}

/// Creates a shareable invitation link and returns it; it is shown once.
#[server(endpoint = "create_invitation_link")]
pub async fn create_invitation_link(
    school_id: Uuid,
    #[server(default)] role: String,
    #[server(default)] max_uses: String,
) -> Result<String, AppError> {
    session::as_viewer(|state, viewer| async move {
        let board = service::administered_board(&state.db, &viewer).await?;
        let role = if role.is_empty() { Ok(Role::Teacher) } else { Role::parse(&role) };
        let role = role.map_err(|key| AppError::field("role", key))?;
        let school = service::school_of_board(&state.db, &board, school_id).await?;
        let url = service::create_link(&state, &viewer, &school, role, &max_uses).await?;
        // Shown once on the page the form returns to.
        session::flash(crate::account::domain::Flash::InvitationLink(url.clone())).await?;
        Ok(url)
    })
    .await
}

/// Sets the board's community policy: the member cap and who may start communities.
#[server(endpoint = "community_policy")]
pub async fn set_community_policy(member_cap: String, staff_may_start: Option<String>) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let board = service::administered_board(&state.db, &viewer).await?;
        let cap = crate::membership::domain::parse_member_cap(&member_cap)
            .map_err(|key| AppError::field("member_cap", key))?;
        service::set_community_policy(&state.db, &board, cap, staff_may_start.is_some()).await?;
        session::flash(crate::account::domain::Flash::PolicySaved).await
    })
    .await
}

#[server(endpoint = "revoke_invitation")]
pub async fn revoke_invitation(invitation_id: Uuid) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let board = service::administered_board(&state.db, &viewer).await?;
        service::revoke_invitation(&state.db, &board, invitation_id).await
    })
    .await
}

/// Gives a staff member a role at a school (or removes it with `role = "none"`).
#[server(endpoint = "set_staff_role")]
pub async fn set_staff_role(user_id: Uuid, school_id: Uuid, role: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let board = service::administered_board(&state.db, &viewer).await?;
        let role =
            if role == "none" { None } else { Some(Role::parse(&role).map_err(|key| AppError::field("role", key))?) };
        let school = service::school_of_board(&state.db, &board, school_id).await?;
        service::set_role(&state.db, &board, &school, user_id, role).await
    })
    .await
}

/// Offboarding: deactivates a staff member (`active = false`; their sessions end, their
/// memberships end and what they own passes on) or reactivates them.
#[server(endpoint = "set_staff_active")]
pub async fn set_staff_active(user_id: Uuid, active: bool) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let board = service::administered_board(&state.db, &viewer).await?;
        service::set_active(&state, &viewer, &board, user_id, active).await
    })
    .await
}

#[server(endpoint = "invitation_details")]
pub async fn get_invitation_details(token: String) -> Result<InvitationDetails, AppError> {
    respond(async move {
        let state = AppState::get()?;
        let (invitation, school) = service::open_invitation(&state.db, &token).await?;
        let guest_of = match invitation.community_id {
            Some(id) => Some(service::community_name(&state.db, id).await?),
            None => None,
        };
        let account = match (&invitation.email, guest_of.is_some()) {
            (Some(email), true) => crate::account::service::find_user_by_email(&state.db, email).await?,
            _ => None,
        };
        let viewer = session::viewer(&state, &session::current_session().await?).await?;
        Ok(InvitationDetails {
            guest_of,
            school_name: school.name,
            signed_in_as_invitee: account.as_ref().zip(viewer).is_some_and(|(a, v)| a.id == v.id()),
            has_account: account.is_some(),
            email: invitation.email,
            // A guest's invitation has no staff role (its role is the community's
            // "guest"); the page shows `guest_of` instead.
            role: match invitation.community_id {
                Some(_) => Role::Teacher,
                None => Role::decode(&invitation.role)?,
            },
        })
    })
    .await
}

/// Someone with an account accepts a guest invitation sent to their address and lands
/// in the community.
#[server(endpoint = "accept_guest_invitation")]
pub async fn accept_guest_invitation(token: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let community_id = service::accept_guest_invitation(&state.db, &viewer, &token).await?;
        leptos_axum::redirect(&format!("/c/{community_id}"));
        Ok(())
    })
    .await
}

/// Someone holding a shareable link asks for an account at their address; the answer
/// is the same whether or not it has one (see `service::start_link_sign_up`).
#[server(endpoint = "request_sign_up")]
pub async fn request_sign_up(token: String, email: String) -> Result<(), AppError> {
    respond(async move {
        let state = AppState::get()?;
        let (link, school) = service::open_invitation(&state.db, &token).await?;
        if link.email.is_some() || link.community_id.is_some() {
            return Err(AppError::InvalidToken);
        }
        Validation::new().check("email", validate_email(&email)).finish()?;
        let email = normalise_email(&email);
        let address = crate::account::api::client_address(&state).await;
        if let Err(wait) = state.sign_up_limiter.begin(&email, address) {
            return Err(AppError::RateLimited { retry_after_secs: wait.as_secs().max(1) });
        }
        service::start_link_sign_up(&state, link, school, email);
        leptos_axum::redirect(&format!("/invite/{token}?sent=1"));
        Ok(())
    })
    .await
}

/// Creates the account for an invitation to one address and signs the person in.
#[server(endpoint = "accept_invitation")]
pub async fn accept_invitation(
    token: String,
    name: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    respond(async move {
        let state = AppState::get()?;
        let (invitation, _) = service::open_invitation(&state.db, &token).await?;
        if invitation.email.is_none() {
            return Err(AppError::InvalidToken);
        }
        Validation::new()
            .check("name", validate_text(&name, NAME_MAX))
            .check("password", validate_password(&password))
            .check(
                "password_confirm",
                if password == password_confirm { Ok(()) } else { Err(ErrorKey::PasswordsDiffer) },
            )
            .finish()?;
        let language = crate::account::domain::Language::parse(
            leptos_i18n::locale::resolve_locale::<crate::i18n::Locale>().as_ref(),
        )
        .unwrap_or_default();
        let user = service::accept_invitation(&state.db, &token, name.trim(), password, language).await?;
        let session = session::current_session().await?;
        session::sign_in(&session, &user, false).await?;
        remember_language(language);
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}
