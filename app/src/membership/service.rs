//! Belonging to a community, over the database: the access guards every feature starts
//! from (anything inside a community exists only for its active members), the
//! membership rows and their change log, and the head counts the board's cap limits.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QuerySelect,
    RelationTrait, Set,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::domain::{CommunityRole, DEFAULT_MEMBER_CAP, MembershipChange, MembershipStatus, check_capacity};
use crate::account::session::Viewer;
use crate::db::entities::{community, community_member, community_policy, membership_change};
use crate::db::now;
use crate::error::AppError;

/// The board's community policy: (member cap, may staff start communities).
pub async fn policy<C: ConnectionTrait>(db: &C, board_id: Uuid) -> Result<(i32, bool), AppError> {
    Ok(community_policy::Entity::find_by_id(board_id)
        .one(db)
        .await?
        .map_or((DEFAULT_MEMBER_CAP, true), |p| (p.member_cap, p.staff_may_start)))
}

/// The community and the viewer's active membership, or `NotFound`.
pub(crate) async fn member_access<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    community_id: Uuid,
) -> Result<(community::Model, community_member::Model), AppError> {
    crate::shared::record_in_request("community", community_id);
    let (community, membership) = community::Entity::find_by_id(community_id)
        .join(JoinType::InnerJoin, community_member::Relation::Community.def().rev())
        .filter(community_member::Column::UserId.eq(viewer.id()))
        .filter(community_member::Column::Status.eq(MembershipStatus::Active.as_str()))
        .select_also(community_member::Entity)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((community, membership.ok_or(AppError::NotFound)?))
}

/// As [`member_access`], for facilitators only; other members get `NotFound` too, as
/// the management actions do not exist for them.
pub(crate) async fn facilitator_access<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    community_id: Uuid,
) -> Result<community::Model, AppError> {
    let (community, membership) = member_access(db, viewer, community_id).await?;
    if CommunityRole::decode(&membership.role)? != CommunityRole::Facilitator {
        return Err(AppError::NotFound);
    }
    Ok(community)
}

pub(crate) async fn membership_of<C: ConnectionTrait>(
    db: &C,
    community_id: Uuid,
    user_id: Uuid,
) -> Result<Option<community_member::Model>, AppError> {
    Ok(community_member::Entity::find()
        .filter(community_member::Column::CommunityId.eq(community_id))
        .filter(community_member::Column::UserId.eq(user_id))
        .one(db)
        .await?)
}

/// (active, invited) head counts.
pub(crate) async fn head_count<C: ConnectionTrait>(db: &C, community_id: Uuid) -> Result<(usize, usize), AppError> {
    let statuses: Vec<String> = community_member::Entity::find()
        .select_only()
        .column(community_member::Column::Status)
        .filter(community_member::Column::CommunityId.eq(community_id))
        .into_tuple()
        .all(db)
        .await?;
    let active = statuses.iter().filter(|s| *s == MembershipStatus::Active.as_str()).count();
    let invited = statuses.iter().filter(|s| *s == MembershipStatus::Invited.as_str()).count();
    Ok((active, invited))
}

pub(crate) async fn ensure_capacity<C: ConnectionTrait>(
    db: &C,
    community: &community::Model,
    pending_counts: bool,
) -> Result<(), AppError> {
    let (cap, _) = policy(db, community.organisation_id).await?;
    let (active, invited) = head_count(db, community.id).await?;
    check_capacity(active, if pending_counts { invited } else { 0 }, cap).map_err(AppError::Conflict)
}

/// Adds a membership; an active one has joined at `at`.
pub(crate) async fn insert_membership<C: ConnectionTrait>(
    db: &C,
    community_id: Uuid,
    user_id: Uuid,
    role: CommunityRole,
    status: MembershipStatus,
    invited_by: Option<Uuid>,
    at: OffsetDateTime,
) -> Result<(), AppError> {
    community_member::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community_id),
        user_id: Set(user_id),
        role: Set(role.as_str().to_string()),
        status: Set(status.as_str().to_string()),
        invited_by: Set(invited_by),
        created_at: Set(at),
        joined_at: Set((status == MembershipStatus::Active).then_some(at)),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub(crate) async fn record_change<C: ConnectionTrait>(
    db: &C,
    community_id: Uuid,
    user_id: Uuid,
    actor: Option<Uuid>,
    change: MembershipChange,
    role: Option<CommunityRole>,
) -> Result<(), AppError> {
    membership_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community_id),
        user_id: Set(user_id),
        actor_id: Set(actor),
        change: Set(change.as_str().to_string()),
        role: Set(role.map(|r| r.as_str().to_string())),
        created_at: Set(now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Ids of the community's active members, or only those with `role`.
/// The communities `user_id` is an active member of.
pub(crate) async fn active_community_ids<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Vec<Uuid>, AppError> {
    Ok(community_member::Entity::find()
        .select_only()
        .column(community_member::Column::CommunityId)
        .filter(community_member::Column::UserId.eq(user_id))
        .filter(community_member::Column::Status.eq(MembershipStatus::Active.as_str()))
        .into_tuple()
        .all(db)
        .await?)
}

pub(crate) async fn active_member_ids<C: ConnectionTrait>(
    db: &C,
    community_id: Uuid,
    role: Option<CommunityRole>,
) -> Result<Vec<Uuid>, AppError> {
    let mut query = community_member::Entity::find()
        .select_only()
        .column(community_member::Column::UserId)
        .filter(community_member::Column::CommunityId.eq(community_id))
        .filter(community_member::Column::Status.eq(MembershipStatus::Active.as_str()));
    if let Some(role) = role {
        query = query.filter(community_member::Column::Role.eq(role.as_str()));
    }
    Ok(query.into_tuple().all(db).await?)
}

/// Active members holding one of `roles`, with their role, in one query.
pub(crate) async fn active_roles<C: ConnectionTrait>(
    db: &C,
    community_id: Uuid,
    roles: &[CommunityRole],
) -> Result<Vec<(Uuid, CommunityRole)>, AppError> {
    let rows: Vec<(Uuid, String)> = community_member::Entity::find()
        .select_only()
        .column(community_member::Column::UserId)
        .column(community_member::Column::Role)
        .filter(community_member::Column::CommunityId.eq(community_id))
        .filter(community_member::Column::Status.eq(MembershipStatus::Active.as_str()))
        .filter(community_member::Column::Role.is_in(roles.iter().map(|r| r.as_str())))
        .into_tuple()
        .all(db)
        .await?;
    rows.into_iter().map(|(id, role)| Ok((id, CommunityRole::decode(&role)?))).collect()
}

pub(crate) async fn active_facilitators<C: ConnectionTrait>(db: &C, community_id: Uuid) -> Result<u64, AppError> {
    Ok(community_member::Entity::find()
        .filter(community_member::Column::CommunityId.eq(community_id))
        .filter(community_member::Column::Status.eq(MembershipStatus::Active.as_str()))
        .filter(community_member::Column::Role.eq(CommunityRole::Facilitator.as_str()))
        .count(db)
        .await?)
}
