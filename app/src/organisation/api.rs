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
    crate::account::domain::{NAME_MAX, normalise_email, validate_email, validate_password, validate_text},
    crate::account::{api::remember_language, session},
    crate::error::{ErrorKey, Validation, respond},
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
    respond(async {
        let state = AppState::get()?;
        let viewer = session::require_viewer(&state).await?;
        let board = service::administered_board(&state.db, &viewer).await?;
        service::staff_overview(&state.db, &board).await
    })
    .await
}

#[server(endpoint = "invite_staff")]
pub async fn invite_staff(school_id: Uuid, email: String, role: String) -> Result<(), AppError> {
    respond(async move {
        let state = AppState::get()?;
        let viewer = session::require_viewer(&state).await?;
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
pub async fn create_invitation_link(school_id: Uuid, role: String) -> Result<String, AppError> {
    respond(async move {
        let state = AppState::get()?;
        let viewer = session::require_viewer(&state).await?;
        let board = service::administered_board(&state.db, &viewer).await?;
        let role = Role::parse(&role).map_err(|key| AppError::field("role", key))?;
        let school = service::school_of_board(&state.db, &board, school_id).await?;
        let url = service::create_link(&state, &viewer, &school, role).await?;
        // Shown once on the page the form returns to.
        session::flash(crate::account::domain::Flash::InvitationLink(url.clone())).await?;
        Ok(url)
    })
    .await
}

/// Sets the board's community policy: the member cap and who may start communities.
#[server(endpoint = "community_policy")]
pub async fn set_community_policy(member_cap: String, staff_may_start: Option<String>) -> Result<(), AppError> {
    respond(async move {
        let state = AppState::get()?;
        let viewer = session::require_viewer(&state).await?;
        let board = service::administered_board(&state.db, &viewer).await?;
        let cap = crate::community::domain::parse_member_cap(&member_cap)
            .map_err(|key| AppError::field("member_cap", key))?;
        service::set_community_policy(&state.db, &board, cap, staff_may_start.is_some()).await?;
        session::flash(crate::account::domain::Flash::PolicySaved).await
    })
    .await
}

#[server(endpoint = "revoke_invitation")]
pub async fn revoke_invitation(invitation_id: Uuid) -> Result<(), AppError> {
    respond(async move {
        let state = AppState::get()?;
        let viewer = session::require_viewer(&state).await?;
        let board = service::administered_board(&state.db, &viewer).await?;
        service::revoke_invitation(&state.db, &board, invitation_id).await
    })
    .await
}

/// Gives a staff member a role at a school (or removes it with `role = "none"`).
#[server(endpoint = "set_staff_role")]
pub async fn set_staff_role(user_id: Uuid, school_id: Uuid, role: String) -> Result<(), AppError> {
    respond(async move {
        let state = AppState::get()?;
        let viewer = session::require_viewer(&state).await?;
        let board = service::administered_board(&state.db, &viewer).await?;
        let role =
            if role == "none" { None } else { Some(Role::parse(&role).map_err(|key| AppError::field("role", key))?) };
        let school = service::school_of_board(&state.db, &board, school_id).await?;
        service::set_role(&state.db, &board, &school, user_id, role).await
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
        Ok(InvitationDetails {
            guest_of,
            school_name: school.name,
            email: invitation.email,
            role: Role::parse(&invitation.role).unwrap_or(Role::Teacher),
        })
    })
    .await
}

/// Creates the account for an invitation and signs the person in.
#[server(endpoint = "accept_invitation")]
pub async fn accept_invitation(
    token: String,
    name: String,
    email: Option<String>,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    respond(async move {
        let state = AppState::get()?;
        let (invitation, _) = service::open_invitation(&state.db, &token).await?;
        // An emailed invitation fixes the address; a link lets the person type theirs.
        let email = invitation.email.clone().or(email).unwrap_or_default();
        Validation::new()
            .check("name", validate_text(&name, NAME_MAX))
            .check("email", validate_email(&email))
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
        let user =
            service::accept_invitation(&state.db, &token, name.trim(), &normalise_email(&email), password, language)
                .await?;
        let session = session::current_session().await?;
        session::sign_in(&session, &user).await?;
        remember_language(language);
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}
