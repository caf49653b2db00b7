//! The participation log over the database: every feature appends what members do,
//! in the same transaction as the deed, and a member's level is refreshed from it.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::domain::{Assessment, EventKind, LevelReason, LevelRule};
use crate::db::entities::{community, community_member, level_change, participation_event};
use crate::db::now;
use crate::error::AppError;
use crate::membership::domain::MembershipStatus;

/// Appends a participation event and records the member's level if it changed (as of
/// the event, so back-dated events draw the trajectory as it was).
pub async fn record_event<C: ConnectionTrait>(
    db: &C,
    community: &community::Model,
    user_id: Uuid,
    kind: EventKind,
    occurred_at: OffsetDateTime,
    recorded_by: Option<Uuid>,
    note: Option<String>,
) -> Result<(), AppError> {
    append_event(db, community, user_id, kind, occurred_at, recorded_by, note, None).await
}

/// As [`record_event`], for an event that stands for a meeting (attendance).
pub async fn record_event_for_meeting<C: ConnectionTrait>(
    db: &C,
    community: &community::Model,
    user_id: Uuid,
    kind: EventKind,
    occurred_at: OffsetDateTime,
    recorded_by: Option<Uuid>,
    meeting_id: Uuid,
) -> Result<(), AppError> {
    append_event(db, community, user_id, kind, occurred_at, recorded_by, None, Some(meeting_id)).await
}

#[allow(clippy::too_many_arguments)]
async fn append_event<C: ConnectionTrait>(
    db: &C,
    community: &community::Model,
    user_id: Uuid,
    kind: EventKind,
    occurred_at: OffsetDateTime,
    recorded_by: Option<Uuid>,
    note: Option<String>,
    meeting_id: Option<Uuid>,
) -> Result<(), AppError> {
    participation_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community.id),
        user_id: Set(user_id),
        kind: Set(kind.as_str().to_string()),
        occurred_at: Set(occurred_at),
        recorded_by: Set(recorded_by),
        note: Set(note),
        created_at: Set(now()),
        meeting_id: Set(meeting_id),
        retracted_at: Set(None),
    }
    .insert(db)
    .await?;
    // A facilitator's record (coordination, a corrected attendance) is their reason.
    let by_facilitator = kind.recorded_by_facilitator() || recorded_by.is_some_and(|by| by != user_id);
    let reason = if by_facilitator { LevelReason::Facilitator } else { LevelReason::Computed };
    refresh_level(db, community, user_id, reason, recorded_by, occurred_at.min(now())).await
}

/// Recomputes one member's level at `at` and appends a level change when it differs
/// from the last one recorded.
pub async fn refresh_level<C: ConnectionTrait>(
    db: &C,
    community: &community::Model,
    user_id: Uuid,
    reason: LevelReason,
    recorded_by: Option<Uuid>,
    at: OffsetDateTime,
) -> Result<(), AppError> {
    let rule = rule_of(community);
    let since = at - Duration::days(i64::from(rule.window_days));
    let events: Vec<(EventKind, OffsetDateTime)> = participation_event::Entity::find()
        .filter(participation_event::Column::RetractedAt.is_null())
        .filter(participation_event::Column::CommunityId.eq(community.id))
        .filter(participation_event::Column::UserId.eq(user_id))
        .filter(participation_event::Column::OccurredAt.gt(since))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|e| Some((EventKind::decode(&e.kind).ok()?, e.occurred_at)))
        .collect();
    let assessment = rule.assess(&events, at);
    let last = level_change::Entity::find()
        .filter(level_change::Column::CommunityId.eq(community.id))
        .filter(level_change::Column::UserId.eq(user_id))
        .order_by_desc(level_change::Column::ChangedAt)
        .order_by_desc(level_change::Column::Id)
        .one(db)
        .await?;
    if last.as_ref().is_some_and(|l| l.level == assessment.level.as_str()) {
        return Ok(());
    }
    insert_level_change(db, community.id, user_id, &assessment, reason, recorded_by, at).await
}

async fn insert_level_change<C: ConnectionTrait>(
    db: &C,
    community_id: Uuid,
    user_id: Uuid,
    assessment: &Assessment,
    reason: LevelReason,
    recorded_by: Option<Uuid>,
    at: OffsetDateTime,
) -> Result<(), AppError> {
    level_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community_id),
        user_id: Set(user_id),
        level: Set(assessment.level.as_str().to_string()),
        reason: Set(reason.as_str().to_string()),
        points: Set(assessment.points as i32),
        recorded_by: Set(recorded_by),
        changed_at: Set(at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Records level changes that follow from time passing (events leaving the window)
/// for every active member of every community, in four queries plus one insert per
/// changed level. Run by the server's housekeeping; returns how many levels changed.
pub async fn refresh_all_levels(db: &DatabaseConnection) -> Result<usize, AppError> {
    let at = now();
    let communities: HashMap<Uuid, community::Model> =
        community::Entity::find().all(db).await?.into_iter().map(|c| (c.id, c)).collect();
    let widest = communities.values().map(|c| rule_of(c).window_days).max().unwrap_or(0);
    let members = community_member::Entity::find()
        .filter(community_member::Column::Status.eq(MembershipStatus::Active.as_str()))
        .all(db)
        .await?;
    let mut events: HashMap<(Uuid, Uuid), Vec<(EventKind, OffsetDateTime)>> = HashMap::new();
    for event in participation_event::Entity::find()
        .filter(participation_event::Column::RetractedAt.is_null())
        .filter(participation_event::Column::OccurredAt.gt(at - Duration::days(i64::from(widest))))
        .all(db)
        .await?
    {
        if let Ok(kind) = EventKind::decode(&event.kind) {
            events.entry((event.community_id, event.user_id)).or_default().push((kind, event.occurred_at));
        }
    }
    let mut last_level: HashMap<(Uuid, Uuid), String> = HashMap::new();
    for change in level_change::Entity::find()
        .order_by_asc(level_change::Column::ChangedAt)
        .order_by_asc(level_change::Column::Id)
        .all(db)
        .await?
    {
        last_level.insert((change.community_id, change.user_id), change.level);
    }
    let mut changed = 0;
    for member in &members {
        let Some(community) = communities.get(&member.community_id) else { continue };
        let key = (member.community_id, member.user_id);
        let assessment = rule_of(community).assess(events.get(&key).map(Vec::as_slice).unwrap_or_default(), at);
        if last_level.get(&key).map(String::as_str) != Some(assessment.level.as_str()) {
            insert_level_change(db, community.id, member.user_id, &assessment, LevelReason::Computed, None, at).await?;
            changed += 1;
        }
    }
    Ok(changed)
}

pub fn rule_of(community: &community::Model) -> LevelRule {
    LevelRule::standard(community.window_days.clamp(1, 3650) as u32)
}
