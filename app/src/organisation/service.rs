//! Staff administration over the database. Every function takes the admin's board and
//! only touches schools, people and invitations inside it.

use std::collections::{BTreeMap, HashMap};

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::api::{PendingInvitation, School, SchoolRole, StaffMember, StaffOverview};
use crate::account::domain::{Language, Role};
use crate::account::service::{
    NewStaffMember, board_of, find_user_by_email, hash_password, hash_token, insert_staff_member, insert_user,
    new_token,
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
        .filter(|m| Role::decode(&m.role).is_ok_and(|role| role == Role::Admin))
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
        if let (Some(org), Ok(role)) = (org_names.get(&m.organisation_id), Role::decode(&m.role)) {
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
        // The personal invitations a link handed out belong to the link.
        .filter(invitation::Column::LinkId.is_null())
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
                role: Role::decode(&i.role).ok()?,
                accepted_count: i.accepted_count,
                expires_at: i.expires_at,
            })
        })
        .collect();

    let (member_cap, staff_may_start) = crate::membership::service::policy(db, board.id).await?;
    Ok(StaffOverview {
        member_cap,
        staff_may_start,
        board_name: board.name.clone(),
        schools: schools.iter().map(school_dto).collect(),
        staff,
        invitations,
    })
}

/// What a new invitation to a school is.
struct NewInvitation {
    school_id: Uuid,
    email: Option<String>,
    role: Role,
    created_by: Option<Uuid>,
    expires_at: time::OffsetDateTime,
    max_uses: Option<i32>,
    link_id: Option<Uuid>,
}

/// Stores an invitation and returns the link that opens it.
async fn insert_invitation(state: &AppState, new: NewInvitation) -> Result<String, AppError> {
    let (token, token_hash) = new_token();
    invitation::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(new.school_id),
        single_use: Set(new.email.is_some()),
        email: Set(new.email),
        role: Set(new.role.as_str().to_string()),
        token_hash: Set(token_hash),
        accepted_count: Set(0),
        created_by: Set(new.created_by),
        created_at: Set(now()),
        expires_at: Set(new.expires_at),
        revoked_at: Set(None),
        community_id: Set(None),
        max_uses: Set(new.max_uses),
        link_id: Set(new.link_id),
    }
    .insert(&state.db)
    .await?;
    Ok(format!("{}/invite/{token}", state.settings.public_url))
}

/// An invitation by the viewer, valid for the configured time.
fn invitation_by(
    state: &AppState,
    viewer: &Viewer,
    school: &organisation::Model,
    email: Option<String>,
    role: Role,
    max_uses: Option<i32>,
) -> NewInvitation {
    NewInvitation {
        school_id: school.id,
        email,
        role,
        created_by: Some(viewer.id()),
        expires_at: now() + state.settings.invitation_valid,
        max_uses,
        link_id: None,
    }
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
    let link =
        insert_invitation(state, invitation_by(state, viewer, school, Some(email.to_string()), role, None)).await?;
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
    insert_invitation(state, invitation_by(state, viewer, school, None, role, cap.ok())).await
}

/// Someone with a shareable link asks for an account at `email`. Returns at once and
/// works in the background, so neither the answer nor its timing tells whether the
/// address has an account: a new address receives a personal invitation (which counts
/// towards the link's cap once used); an address with an account is told so, with the
/// way to sign in. A failure is logged.
pub fn start_link_sign_up(state: &AppState, link: invitation::Model, school: organisation::Model, email: String) {
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(error) = send_link_sign_up(&state, link, &school, &email).await {
            tracing::warn!(?error, "a sign-up through a shared link could not be mailed");
        }
    });
}

async fn send_link_sign_up(
    state: &AppState,
    link: invitation::Model,
    school: &organisation::Model,
    email: &str,
) -> Result<(), AppError> {
    let base = &state.settings.public_url;
    if let Some(user) = find_user_by_email(&state.db, email).await? {
        let body = format!(
            "Hallo {name},\n\nIemand (jij?) wilde met dit adres een account maken bij Kring voor {school}. \
             Je hebt al een account. Log in via {base}/login; wachtwoord vergeten? Vraag een nieuw aan via \
             {base}/password/forgot.\n\nWas jij dit niet? Dan hoef je niets te doen.\n\n---\n\n\
             Someone (you?) tried to create a Kring account for {school} with this address. You already have an \
             account. Sign in at {base}/login; forgot your password? Ask for a new one at \
             {base}/password/forgot.\n\nWasn't you? Then there is nothing to do.\n",
            name = user.name,
            school = school.name,
        );
        return state.mailer.send(email, "Je hebt al een account bij Kring", body).await;
    }
    let role = Role::decode(&link.role)?;
    let new = NewInvitation {
        school_id: school.id,
        email: Some(email.to_string()),
        role,
        created_by: link.created_by,
        expires_at: Ord::min(link.expires_at, now() + state.settings.invitation_valid),
        max_uses: None,
        link_id: Some(link.id),
    };
    let invite = insert_invitation(state, new).await?;
    let body = format!(
        "Hallo,\n\nMaak je account bij Kring voor {school} af via deze link:\n\n{invite}\n\n\
         Heb je hier niet om gevraagd? Dan hoef je niets te doen.\n\n---\n\n\
         Finish your Kring account for {school} through this link:\n\n{invite}\n\n\
         Didn't ask for it? Then there is nothing to do.\n",
        school = school.name,
    );
    state.mailer.send(email, &format!("Je account bij Kring – {}", school.name), body).await
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
    if let Some(link_id) = invitation.link_id {
        invitation::Entity::find_by_id(link_id).one(db).await?.filter(usable).ok_or(AppError::InvalidToken)?;
    }
    let school =
        organisation::Entity::find_by_id(invitation.organisation_id).one(db).await?.ok_or(AppError::InvalidToken)?;
    Ok((invitation, school))
}

/// Creates the account for an invitation to one address (emailed by an admin or a
/// facilitator, or requested through a shareable link, whose use it then counts).
/// Fails with `InvalidToken` for a link itself or an invitation used up meanwhile, or a
/// field error when the address has an account by now.
pub async fn accept_invitation(
    db: &DatabaseConnection,
    token: &str,
    name: &str,
    password: String,
    language: Language,
) -> Result<user::Model, AppError> {
    let hash = hash_password(password).await?;
    let txn = begin_write(db).await?;
    let (invitation, school) = open_invitation(&txn, token).await?;
    // An address taken meanwhile fails the insert: the unique constraint answers with
    // the `email` field error (`crate::error`), also when two sign-ups race.
    let email = invitation.email.clone().ok_or(AppError::InvalidToken)?;
    let user = match invitation.community_id {
        // A guest: an account with no role in the organisation, in one community.
        Some(community_id) => {
            let user = insert_user(&txn, &email, name, &hash, language).await?;
            crate::community::service::join_as_guest(&txn, community_id, user.id, invitation.created_by).await?;
            user
        }
        None => {
            let role = Role::decode(&invitation.role)?;
            let organisation_id = school.id;
            let new = NewStaffMember {
                email: &email,
                name,
                password_hash: &hash,
                language,
                organisation_id,
                role,
                profile: None,
            };
            insert_staff_member(&txn, new).await?
        }
    };
    count_use(&txn, [Some(invitation.id), invitation.link_id].into_iter().flatten()).await?;
    txn.commit().await?;
    Ok(user)
}

/// Counts one use of each invitation, in one statement that reads nothing back.
async fn count_use<C: ConnectionTrait>(db: &C, ids: impl IntoIterator<Item = Uuid>) -> Result<(), AppError> {
    invitation::Entity::update_many()
        .col_expr(invitation::Column::AcceptedCount, Expr::col(invitation::Column::AcceptedCount).add(1))
        .filter(invitation::Column::Id.is_in(ids))
        .exec(db)
        .await?;
    Ok(())
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
    count_use(&txn, [invitation.id]).await?;
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
