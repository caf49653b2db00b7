//! Staff administration over the database. Every function takes the admin's board and
//! only touches schools, people and invitations inside it.

use std::collections::{BTreeMap, HashMap};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::api::{PendingInvitation, School, SchoolRole, StaffMember, StaffOverview};
use crate::account::domain::{Language, Role};
use crate::account::service::{
    NewStaffMember, find_user_by_email, hash_password, hash_token, insert_staff_member, insert_user, new_token,
};
use crate::account::session::Viewer;
use crate::db::entities::{invitation, organisation, staff_membership, user};
use crate::db::{begin_write, now};
use crate::error::{AppError, ErrorKey};
use crate::state::AppState;

pub const BOARD: &str = "board";
pub const SCHOOL: &str = "school";

/// The board the viewer administers. Fails with `NotFound` for anyone who is not an
/// admin, so the admin pages do not exist for them.
pub async fn administered_board(db: &DatabaseConnection, viewer: &Viewer) -> Result<organisation::Model, AppError> {
    let admin_of: Vec<Uuid> = viewer
        .memberships
        .iter()
        .filter(|m| Role::parse(&m.role) == Ok(Role::Admin))
        .map(|m| m.organisation_id)
        .collect();
    let Some(org) = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(admin_of))
        .order_by_asc(organisation::Column::CreatedAt)
        .one(db)
        .await?
    else {
        return Err(AppError::NotFound);
    };
    board_of(db, org).await
}

/// The board an organisation belongs to (itself, for a board).
pub async fn board_of<C: ConnectionTrait>(db: &C, org: organisation::Model) -> Result<organisation::Model, AppError> {
    match org.parent_id {
        None => Ok(org),
        Some(parent) => organisation::Entity::find_by_id(parent).one(db).await?.ok_or_else(|| {
            tracing::error!(school = %org.id, "school without board");
            AppError::Internal
        }),
    }
}

pub async fn schools_of<C: ConnectionTrait>(
    db: &C,
    board: &organisation::Model,
) -> Result<Vec<organisation::Model>, AppError> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::ParentId.eq(board.id))
        .order_by_asc(organisation::Column::Name)
        .all(db)
        .await?)
}

/// A school of this board, or the board itself (for board-wide staff), or `NotFound`.
pub async fn school_of_board(
    db: &DatabaseConnection,
    board: &organisation::Model,
    school_id: Uuid,
) -> Result<organisation::Model, AppError> {
    if school_id == board.id {
        return Ok(board.clone());
    }
    organisation::Entity::find_by_id(school_id)
        .filter(organisation::Column::ParentId.eq(board.id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

fn school_dto(org: &organisation::Model) -> School {
    School { id: org.id, name: org.name.clone() }
}

/// Staff, roles and open invitations of a board, in a fixed number of queries.
pub async fn staff_overview(db: &DatabaseConnection, board: &organisation::Model) -> Result<StaffOverview, AppError> {
    let schools = schools_of(db, board).await?;
    let mut org_ids: Vec<Uuid> = schools.iter().map(|s| s.id).collect();
    org_ids.push(board.id);
    let org_names: HashMap<Uuid, &organisation::Model> =
        schools.iter().map(|s| (s.id, s)).chain(std::iter::once((board.id, board))).collect();

    let memberships = staff_membership::Entity::find()
        .filter(staff_membership::Column::OrganisationId.is_in(org_ids.clone()))
        .all(db)
        .await?;
    let user_ids: Vec<Uuid> = memberships.iter().map(|m| m.user_id).collect();
    let users =
        user::Entity::find().filter(user::Column::Id.is_in(user_ids)).order_by_asc(user::Column::Name).all(db).await?;

    let mut roles: BTreeMap<Uuid, Vec<SchoolRole>> = BTreeMap::new();
    for m in &memberships {
        if let (Some(org), Ok(role)) = (org_names.get(&m.organisation_id), Role::parse(&m.role)) {
            roles.entry(m.user_id).or_default().push(SchoolRole { school: school_dto(org), role });
        }
    }
    let staff = users
        .into_iter()
        .map(|u| {
            let mut user_roles = roles.remove(&u.id).unwrap_or_default();
            user_roles.sort_by(|a, b| a.school.name.cmp(&b.school.name));
            StaffMember {
                id: u.id,
                name: u.name,
                email: u.email,
                roles: user_roles,
                active: u.deactivated_at.is_none(),
            }
        })
        .collect();

    let invitations = invitation::Entity::find()
        .filter(invitation::Column::OrganisationId.is_in(org_ids))
        .filter(invitation::Column::CommunityId.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(now()))
        .order_by_desc(invitation::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .filter(usable)
        .filter_map(|i| {
            Some(PendingInvitation {
                id: i.id,
                school: school_dto(org_names.get(&i.organisation_id)?),
                email: i.email,
                role: Role::parse(&i.role).ok()?,
                accepted_count: i.accepted_count,
                expires_at: i.expires_at,
            })
        })
        .collect();

    let (member_cap, staff_may_start) = crate::community::service::policy(db, board.id).await?;
    Ok(StaffOverview {
        member_cap,
        staff_may_start,
        board_name: board.name.clone(),
        schools: schools.iter().map(school_dto).collect(),
        staff,
        invitations,
    })
}

async fn insert_invitation(
    state: &AppState,
    viewer: &Viewer,
    school: &organisation::Model,
    email: Option<String>,
    role: Role,
    max_uses: Option<i32>,
) -> Result<String, AppError> {
    let (token, token_hash) = new_token();
    let created = now();
    invitation::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(school.id),
        single_use: Set(email.is_some()),
        email: Set(email),
        role: Set(role.as_str().to_string()),
        token_hash: Set(token_hash),
        accepted_count: Set(0),
        created_by: Set(Some(viewer.id())),
        created_at: Set(created),
        expires_at: Set(created + state.settings.invitation_valid),
        revoked_at: Set(None),
        community_id: Set(None),
        max_uses: Set(max_uses),
    }
    .insert(&state.db)
    .await?;
    Ok(format!("{}/invite/{token}", state.settings.public_url))
}

/// Emails an invitation. Fails with a field error when the address already has an account.
pub async fn invite_by_email(
    state: &AppState,
    viewer: &Viewer,
    school: &organisation::Model,
    email: &str,
    role: Role,
) -> Result<(), AppError> {
    if find_user_by_email(&state.db, email).await?.is_some() {
        return Err(AppError::field("email", ErrorKey::EmailTaken));
    }
    let link = insert_invitation(state, viewer, school, Some(email.to_string()), role, None).await?;
    let days = state.settings.invitation_valid.as_secs() / 86_400;
    let body = format!(
        "Hallo,\n\n{inviter} nodigt je uit voor Kring, de plek voor de professionele leergemeenschappen van {school}. \
         Maak je account aan via deze link (geldig gedurende {days} dagen):\n\n{link}\n\n\
         ---\n\n{inviter} invites you to Kring, the place for the professional learning communities of {school}. \
         Create your account through this link (valid for {days} days):\n\n{link}\n",
        inviter = viewer.user.name,
        school = school.name,
    );
    state.mailer.send(email, &format!("Uitnodiging voor Kring – {}", school.name), body).await
}

/// The most people one shareable link may sign up.
pub const LINK_MAX_USES: i32 = 500;

/// A shareable link signs up teachers only, at most `max_uses` of them: a link can be
/// forwarded, so the roles with more power come only by a personal emailed invitation.
pub async fn create_link(
    state: &AppState,
    viewer: &Viewer,
    school: &organisation::Model,
    role: Role,
    max_uses: &str,
) -> Result<String, AppError> {
    let cap = match max_uses.trim() {
        "" => Err(ErrorKey::Required),
        text => text.parse::<i32>().ok().filter(|n| (1..=LINK_MAX_USES).contains(n)).ok_or(ErrorKey::InvalidChoice),
    };
    let teacher = if role == Role::Teacher { Ok(()) } else { Err(ErrorKey::LinkTeachersOnly) };
    crate::error::Validation::new().check("role", teacher).check("max_uses", cap.map(|_| ())).finish()?;
    insert_invitation(state, viewer, school, None, role, cap.ok()).await
}

pub async fn revoke_invitation(
    db: &DatabaseConnection,
    board: &organisation::Model,
    invitation_id: Uuid,
) -> Result<(), AppError> {
    let invitation = invitation::Entity::find_by_id(invitation_id).one(db).await?.ok_or(AppError::NotFound)?;
    let school =
        organisation::Entity::find_by_id(invitation.organisation_id).one(db).await?.ok_or(AppError::NotFound)?;
    if school.parent_id != Some(board.id) && school.id != board.id {
        return Err(AppError::NotFound);
    }
    let mut active: invitation::ActiveModel = invitation.into();
    active.revoked_at = Set(Some(now()));
    active.update(db).await?;
    Ok(())
}

/// Sets (or with `None` removes) a staff member's role at a school. Refuses to remove
/// the board's last admin.
pub async fn set_role(
    db: &DatabaseConnection,
    board: &organisation::Model,
    school: &organisation::Model,
    user_id: Uuid,
    role: Option<Role>,
) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    let memberships = staff_of(&txn, board, user_id).await?;
    let current = memberships.iter().find(|m| m.user_id == user_id && m.organisation_id == school.id);
    let losing_admin = current.is_some_and(|m| m.role == Role::Admin.as_str()) && role != Some(Role::Admin);
    if losing_admin {
        let other_admins = memberships
            .iter()
            .filter(|m| m.role == Role::Admin.as_str() && !(m.user_id == user_id && m.organisation_id == school.id))
            .count();
        if other_admins == 0 {
            return Err(AppError::Conflict(ErrorKey::LastAdmin));
        }
    }
    match (current, role) {
        (Some(existing), Some(role)) => {
            let mut active: staff_membership::ActiveModel = existing.clone().into();
            active.role = Set(role.as_str().to_string());
            active.update(&txn).await?;
        }
        (Some(existing), None) => {
            staff_membership::Entity::delete_by_id(existing.id).exec(&txn).await?;
        }
        (None, Some(role)) => {
            staff_membership::ActiveModel {
                id: Set(Uuid::now_v7()),
                user_id: Set(user_id),
                organisation_id: Set(school.id),
                role: Set(role.as_str().to_string()),
                created_at: Set(now()),
            }
            .insert(&txn)
            .await?;
        }
        (None, None) => {}
    }
    txn.commit().await?;
    Ok(())
}

/// Offboarding: an admin deactivates a staff member of their board (`active = false`)
/// or brings them back. Deactivation ends every session and live screen at once, stops
/// calendar feeds, ends every community membership (their facilitator role and the
/// artifacts they own pass on, the facilitators are told) and refuses sign-in from then
/// on. Reactivation restores the account, not its memberships. Fails with `NotFound`
/// for someone outside the board, `Conflict(LastAdmin)` for the board's last admin and
/// `Conflict(LeaveInstead)` for the admin themselves.
pub async fn set_active(
    state: &AppState,
    viewer: &Viewer,
    board: &organisation::Model,
    user_id: Uuid,
    active: bool,
) -> Result<(), AppError> {
    let db = &state.db;
    let txn = begin_write(db).await?;
    let memberships = staff_of(&txn, board, user_id).await?;
    let user = user::Entity::find_by_id(user_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    if user.deactivated_at.is_none() == active {
        return Ok(());
    }
    let at = now();
    let mut row: user::ActiveModel = user.clone().into();
    row.updated_at = Set(at);
    if active {
        row.deactivated_at = Set(None);
        row.update(&txn).await?;
        txn.commit().await?;
        return Ok(());
    }
    if user_id == viewer.id() {
        return Err(AppError::Conflict(ErrorKey::LeaveInstead));
    }
    let is_admin = |m: &&staff_membership::Model| m.role == Role::Admin.as_str();
    if memberships.iter().filter(is_admin).all(|m| m.user_id == user_id) {
        return Err(AppError::Conflict(ErrorKey::LastAdmin));
    }
    row.deactivated_at = Set(Some(at));
    row.auth_version = Set(user.auth_version + 1);
    row.update(&txn).await?;
    crate::account::service::revoke_calendar_feeds(&txn, user_id).await?;
    let told = crate::community::service::end_memberships_of_departed(&txn, user_id, viewer.id()).await?;
    txn.commit().await?;
    state.hub.sessions_changed(user_id);
    crate::community::service::tell_of_departure(state, told, Some(viewer.id())).await?;
    Ok(())
}

/// Every staff role on the board and its schools. Fails with `NotFound` when `user_id`
/// holds none of them (someone outside the board).
async fn staff_of<C: ConnectionTrait>(
    db: &C,
    board: &organisation::Model,
    user_id: Uuid,
) -> Result<Vec<staff_membership::Model>, AppError> {
    let schools = schools_of(db, board).await?;
    let org_ids: Vec<Uuid> = schools.iter().map(|s| s.id).chain(std::iter::once(board.id)).collect();
    let memberships = staff_membership::Entity::find()
        .filter(staff_membership::Column::OrganisationId.is_in(org_ids))
        .all(db)
        .await?;
    if !memberships.iter().any(|m| m.user_id == user_id) {
        return Err(AppError::NotFound);
    }
    Ok(memberships)
}

fn usable(invitation: &invitation::Model) -> bool {
    invitation.revoked_at.is_none()
        && invitation.expires_at > now()
        && !(invitation.single_use && invitation.accepted_count > 0)
        && invitation.max_uses.is_none_or(|cap| invitation.accepted_count < cap)
}

/// The invitation behind a token and its school. Fails with `InvalidToken` for an
/// unknown, revoked, expired or used-up invitation.
pub async fn open_invitation<C: ConnectionTrait>(
    db: &C,
    token: &str,
) -> Result<(invitation::Model, organisation::Model), AppError> {
    let invitation = invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(hash_token(token)))
        .one(db)
        .await?
        .filter(usable)
        .ok_or(AppError::InvalidToken)?;
    let school =
        organisation::Entity::find_by_id(invitation.organisation_id).one(db).await?.ok_or(AppError::InvalidToken)?;
    Ok((invitation, school))
}

/// Creates the account for an invitation. Fails with `InvalidToken` if the invitation
/// was used up meanwhile, or a field error when the email already has an account.
pub async fn accept_invitation(
    db: &DatabaseConnection,
    token: &str,
    name: &str,
    email: &str,
    password: String,
    language: Language,
) -> Result<user::Model, AppError> {
    let hash = hash_password(password).await?;
    let txn = begin_write(db).await?;
    let (invitation, school) = open_invitation(&txn, token).await?;
    if find_user_by_email(&txn, email).await?.is_some() {
        return Err(AppError::field("email", ErrorKey::EmailTaken));
    }
    let user = match invitation.community_id {
        // A guest: an account with no role in the organisation, in one community.
        Some(community_id) => {
            let user = insert_user(&txn, email, name, &hash, language).await?;
            crate::community::service::join_as_guest(&txn, community_id, user.id, invitation.created_by).await?;
            user
        }
        None => {
            let role = Role::parse(&invitation.role).unwrap_or(Role::Teacher);
            let organisation_id = school.id;
            let new =
                NewStaffMember { email, name, password_hash: &hash, language, organisation_id, role, profile: None };
            insert_staff_member(&txn, new).await?
        }
    };
    let count = invitation.accepted_count + 1;
    let mut active: invitation::ActiveModel = invitation.into();
    active.accepted_count = Set(count);
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(user)
}

/// The signed-in person accepts a guest invitation emailed to their own address.
/// Fails with `InvalidToken` for an unusable link or one meant for another address
/// (which a stranger holding the link must not learn more about). Returns the
/// community.
pub async fn accept_guest_invitation(db: &DatabaseConnection, viewer: &Viewer, token: &str) -> Result<Uuid, AppError> {
    let txn = begin_write(db).await?;
    let (invitation, _) = open_invitation(&txn, token).await?;
    let (Some(community_id), Some(email)) = (invitation.community_id, invitation.email.as_deref()) else {
        return Err(AppError::InvalidToken);
    };
    if email != viewer.user.email {
        return Err(AppError::InvalidToken);
    }
    crate::community::service::join_as_guest(&txn, community_id, viewer.id(), invitation.created_by).await?;
    let count = invitation.accepted_count + 1;
    let mut active: invitation::ActiveModel = invitation.into();
    active.accepted_count = Set(count);
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(community_id)
}

/// Stores the board's community policy (one row per board).
pub async fn set_community_policy(
    db: &DatabaseConnection,
    board: &organisation::Model,
    member_cap: i32,
    staff_may_start: bool,
) -> Result<(), AppError> {
    use crate::db::entities::community_policy;
    let txn = begin_write(db).await?;
    let model = community_policy::ActiveModel {
        organisation_id: Set(board.id),
        member_cap: Set(member_cap),
        staff_may_start: Set(staff_may_start),
    };
    if community_policy::Entity::find_by_id(board.id).one(&txn).await?.is_some() {
        model.update(&txn).await?;
    } else {
        model.insert(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The name of the community a guest's invitation leads into.
pub async fn community_name(db: &DatabaseConnection, community_id: Uuid) -> Result<String, AppError> {
    Ok(crate::db::entities::community::Entity::find_by_id(community_id)
        .one(db)
        .await?
        .ok_or(AppError::InvalidToken)?
        .name)
}
