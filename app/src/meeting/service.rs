//! Meetings over the database. Only active members of a meeting's community reach
//! it (everyone else gets `NotFound`); facilitators plan, change, cancel and correct
//! attendance. Attendance feeds the participation log: a check-in appends an
//! `attended` event dated at the meeting's start (or at the check-in, if earlier);
//! a correction to "absent" retracts it.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::api::{AttendanceRow, MeetingPage, MeetingSummary, NextMeeting};
use super::domain::{
    CHECK_IN_LATE, DURATION_MAX, MeetingForm, MeetingInput, MeetingStatus, check_in_future, check_in_open, may_correct,
};
use crate::account::session::Viewer;
use crate::db::entities::{attendance, community, community_member, meeting, participation_event};
use crate::db::{begin_write, now};
use crate::error::{AppError, ErrorKey};
use crate::membership::domain::{CommunityRole, MembershipStatus};
use crate::membership::service::{
    active_community_ids, active_member_ids, facilitator_access, member_access, membership_of,
};
use crate::notification::domain::NoticeKind;
use crate::notification::service::{Notice, notify};
use crate::participation::domain::{EventKind, LevelReason};
use crate::participation::service::{record_event_for_meeting, refresh_level};
use crate::shared::time::{local_moment, to_local};
use crate::state::AppState;

/// The moment a local date and time in the board's time zone stands for. In the hour
/// skipped or repeated at a daylight-saving change, the earlier reading wins.
pub fn from_local(tz: &jiff::tz::TimeZone, input: &MeetingInput) -> Result<OffsetDateTime, AppError> {
    local_moment(tz, input.date, input.start).ok_or(AppError::field("date", ErrorKey::InvalidChoice))
}

fn ends_at(meeting: &meeting::Model) -> OffsetDateTime {
    meeting.starts_at + Duration::minutes(i64::from(meeting.duration_minutes))
}

/// The meeting, its community and the viewer's membership, or `NotFound`.
async fn meeting_access<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    meeting_id: Uuid,
) -> Result<(meeting::Model, community::Model, community_member::Model), AppError> {
    let meeting = meeting::Entity::find_by_id(meeting_id).one(db).await?.ok_or(AppError::NotFound)?;
    let (community, membership) = member_access(db, viewer, meeting.community_id).await?;
    Ok((meeting, community, membership))
}

async fn facilitated_meeting<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    meeting_id: Uuid,
) -> Result<(meeting::Model, community::Model), AppError> {
    let meeting = meeting::Entity::find_by_id(meeting_id).one(db).await?.ok_or(AppError::NotFound)?;
    let community = facilitator_access(db, viewer, meeting.community_id).await?;
    Ok((meeting, community))
}

/// A meeting within a day needs no separate reminder: its announcement is one.
fn reminded_at(starts_at: OffsetDateTime, at: OffsetDateTime) -> Option<OffsetDateTime> {
    (starts_at - at <= Duration::days(1)).then_some(at)
}

/// A planned meeting as of `at`, ready to insert.
pub(crate) fn new_meeting(
    community_id: Uuid,
    input: MeetingInput,
    starts_at: OffsetDateTime,
    created_by: Option<Uuid>,
    at: OffsetDateTime,
) -> meeting::ActiveModel {
    meeting::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community_id),
        title: Set(input.title),
        starts_at: Set(starts_at),
        duration_minutes: Set(input.duration_minutes),
        place: Set(input.place),
        online_url: Set(input.online_url),
        agenda: Set(input.agenda),
        status: Set(MeetingStatus::Scheduled.as_str().to_string()),
        sequence: Set(0),
        reminded_at: Set(reminded_at(starts_at, at)),
        created_by: Set(created_by),
        created_at: Set(at),
        updated_at: Set(at),
    }
}

pub async fn planning(db: &DatabaseConnection, viewer: &Viewer, community_id: Uuid) -> Result<String, AppError> {
    Ok(facilitator_access(db, viewer, community_id).await?.name)
}

/// A facilitator plans a meeting; every member is told.
pub async fn schedule(
    state: &AppState,
    viewer: &Viewer,
    community_id: Uuid,
    form: &MeetingForm,
) -> Result<Uuid, AppError> {
    let db = &state.db;
    let community = facilitator_access(db, viewer, community_id).await?;
    let input = form.parse()?;
    let starts_at = from_local(&state.settings.time_zone, &input)?;
    let at = now();
    check_in_future(starts_at, at).map_err(|key| AppError::field("date", key))?;
    let meeting = new_meeting(community.id, input, starts_at, Some(viewer.id()), at).insert(db).await?;
    let members = active_member_ids(db, community.id, None).await?;
    let notice = Notice {
        kind: NoticeKind::MeetingScheduled,
        community_id: community.id,
        meeting_id: Some(meeting.id),
        artifact_id: None,
        actor_id: Some(viewer.id()),
    };
    notify(state, notice, &members).await?;
    Ok(meeting.id)
}

/// A facilitator changes a planned meeting; a new time must lie ahead.
pub async fn update(state: &AppState, viewer: &Viewer, meeting_id: Uuid, form: &MeetingForm) -> Result<(), AppError> {
    let db = &state.db;
    let (meeting, community) = facilitated_meeting(db, viewer, meeting_id).await?;
    let input = form.parse()?;
    if MeetingStatus::decode(&meeting.status)? == MeetingStatus::Cancelled {
        return Err(AppError::Conflict(ErrorKey::MeetingCancelled));
    }
    let starts_at = from_local(&state.settings.time_zone, &input)?;
    let at = now();
    let moved = starts_at != meeting.starts_at;
    if moved {
        check_in_future(starts_at, at).map_err(|key| AppError::field("date", key))?;
    }
    let sequence = meeting.sequence + 1;
    let mut model: meeting::ActiveModel = meeting.into();
    model.title = Set(input.title);
    model.starts_at = Set(starts_at);
    model.duration_minutes = Set(input.duration_minutes);
    model.place = Set(input.place);
    model.online_url = Set(input.online_url);
    model.agenda = Set(input.agenda);
    model.sequence = Set(sequence);
    model.updated_at = Set(at);
    if moved {
        model.reminded_at = Set(reminded_at(starts_at, at));
    }
    model.update(db).await?;
    let members = active_member_ids(db, community.id, None).await?;
    let notice = Notice {
        kind: NoticeKind::MeetingChanged,
        community_id: community.id,
        meeting_id: Some(meeting_id),
        artifact_id: None,
        actor_id: Some(viewer.id()),
    };
    notify(state, notice, &members).await
}

/// Cancels a meeting that lies ahead, or undoes that while it still lies ahead.
pub async fn set_cancelled(
    state: &AppState,
    viewer: &Viewer,
    meeting_id: Uuid,
    cancelled: bool,
) -> Result<(), AppError> {
    let db = &state.db;
    let (meeting, community) = facilitated_meeting(db, viewer, meeting_id).await?;
    let at = now();
    if meeting.starts_at <= at {
        return Err(AppError::Conflict(ErrorKey::InThePast));
    }
    let wanted = if cancelled { MeetingStatus::Cancelled } else { MeetingStatus::Scheduled };
    if MeetingStatus::decode(&meeting.status)? == wanted {
        return Ok(());
    }
    let sequence = meeting.sequence + 1;
    let mut model: meeting::ActiveModel = meeting.into();
    model.status = Set(wanted.as_str().to_string());
    model.sequence = Set(sequence);
    model.updated_at = Set(at);
    model.update(db).await?;
    let members = active_member_ids(db, community.id, None).await?;
    let kind = if cancelled { NoticeKind::MeetingCancelled } else { NoticeKind::MeetingScheduled };
    let notice = Notice {
        kind,
        community_id: community.id,
        meeting_id: Some(meeting_id),
        artifact_id: None,
        actor_id: Some(viewer.id()),
    };
    notify(state, notice, &members).await
}

/// Records presence (or absence) and keeps the participation log in step: one active
/// `attended` event per present member.
async fn record_attendance<C: ConnectionTrait>(
    db: &C,
    community: &community::Model,
    meeting: &meeting::Model,
    user_id: Uuid,
    present: bool,
    recorded_by: Uuid,
) -> Result<(), AppError> {
    let at = now();
    match attendance::Entity::find()
        .filter(attendance::Column::MeetingId.eq(meeting.id))
        .filter(attendance::Column::UserId.eq(user_id))
        .one(db)
        .await?
    {
        Some(existing) => {
            let mut model: attendance::ActiveModel = existing.into();
            model.present = Set(present);
            model.recorded_by = Set(Some(recorded_by));
            model.recorded_at = Set(at);
            model.update(db).await?;
        }
        None => {
            attendance::ActiveModel {
                id: Set(Uuid::now_v7()),
                meeting_id: Set(meeting.id),
                user_id: Set(user_id),
                present: Set(present),
                recorded_by: Set(Some(recorded_by)),
                recorded_at: Set(at),
            }
            .insert(db)
            .await?;
        }
    }
    let event = participation_event::Entity::find()
        .filter(participation_event::Column::MeetingId.eq(meeting.id))
        .filter(participation_event::Column::UserId.eq(user_id))
        .filter(participation_event::Column::Kind.eq(EventKind::Attended.as_str()))
        .filter(participation_event::Column::RetractedAt.is_null())
        .one(db)
        .await?;
    let by_facilitator = recorded_by != user_id;
    match (present, event) {
        (true, None) => {
            let recorder = by_facilitator.then_some(recorded_by);
            // Dated at the start; an early check-in counts from the moment it is made.
            record_event_for_meeting(
                db,
                community,
                user_id,
                EventKind::Attended,
                meeting.starts_at.min(at),
                recorder,
                meeting.id,
            )
            .await?;
        }
        (false, Some(event)) => {
            let mut model: participation_event::ActiveModel = event.into();
            model.retracted_at = Set(Some(at));
            model.update(db).await?;
            refresh_level(db, community, user_id, LevelReason::Facilitator, Some(recorded_by), at).await?;
        }
        _ => {}
    }
    Ok(())
}

/// The viewer checks in while the meeting takes place.
pub async fn check_in(db: &DatabaseConnection, viewer: &Viewer, meeting_id: Uuid) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    let (meeting, community, _) = meeting_access(&txn, viewer, meeting_id).await?;
    if !check_in_open(MeetingStatus::decode(&meeting.status)?, meeting.starts_at, meeting.duration_minutes, now()) {
        return Err(AppError::Conflict(ErrorKey::CheckInClosed));
    }
    record_attendance(&txn, &community, &meeting, viewer.id(), true, viewer.id()).await?;
    txn.commit().await?;
    Ok(())
}

/// A facilitator records who was there, once the meeting has started.
pub async fn correct_attendance(
    db: &DatabaseConnection,
    viewer: &Viewer,
    meeting_id: Uuid,
    user_id: Uuid,
    present: bool,
) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    let (meeting, community) = facilitated_meeting(&txn, viewer, meeting_id).await?;
    if !may_correct(MeetingStatus::decode(&meeting.status)?, meeting.starts_at, now()) {
        return Err(AppError::Conflict(ErrorKey::NotStarted));
    }
    let is_member = membership_of(&txn, community.id, user_id)
        .await?
        .is_some_and(|m| m.status == MembershipStatus::Active.as_str());
    if !is_member {
        return Err(AppError::Conflict(ErrorKey::MembershipChanged));
    }
    record_attendance(&txn, &community, &meeting, user_id, present, viewer.id()).await?;
    txn.commit().await?;
    Ok(())
}

fn summary(tz: &jiff::tz::TimeZone, meeting: &meeting::Model, at: OffsetDateTime) -> MeetingSummary {
    let starts = to_local(tz, meeting.starts_at);
    MeetingSummary {
        id: meeting.id,
        title: meeting.title.clone(),
        starts_at: starts,
        ends_at: to_local(tz, ends_at(meeting)),
        place: meeting.place.clone(),
        online: !meeting.online_url.is_empty(),
        status: MeetingStatus::decode(&meeting.status).unwrap_or(MeetingStatus::Scheduled),
        is_past: ends_at(meeting) < at,
    }
}

/// The community's meetings of the last weeks and ahead, soonest first (one query).
pub async fn community_meetings<C: ConnectionTrait>(
    db: &C,
    tz: &jiff::tz::TimeZone,
    community_id: Uuid,
) -> Result<Vec<MeetingSummary>, AppError> {
    let at = now();
    Ok(meeting::Entity::find()
        .filter(meeting::Column::CommunityId.eq(community_id))
        .filter(meeting::Column::StartsAt.gt(at - Duration::days(28)))
        .order_by_asc(meeting::Column::StartsAt)
        .limit(12)
        .all(db)
        .await?
        .iter()
        .map(|m| summary(tz, m, at))
        .collect())
}

/// These meetings (one query), for features that hold meetings of their own.
pub async fn meetings_by_id<C: ConnectionTrait>(
    db: &C,
    tz: &jiff::tz::TimeZone,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<Vec<MeetingSummary>, AppError> {
    let ids: Vec<Uuid> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let at = now();
    Ok(meeting::Entity::find()
        .filter(meeting::Column::Id.is_in(ids))
        .all(db)
        .await?
        .iter()
        .map(|m| summary(tz, m, at))
        .collect())
}

/// The soonest scheduled meeting of these communities (id → name) whose check-in has
/// not closed, with whether the viewer may and did check in: two queries, always.
pub async fn next_of<C: ConnectionTrait>(
    db: &C,
    tz: &jiff::tz::TimeZone,
    viewer: &Viewer,
    communities: &HashMap<Uuid, String>,
) -> Result<Option<NextMeeting>, AppError> {
    let at = now();
    let reach = Duration::minutes(i64::from(DURATION_MAX)) + CHECK_IN_LATE;
    let candidates = meeting::Entity::find()
        .filter(meeting::Column::CommunityId.is_in(communities.keys().copied()))
        .filter(meeting::Column::Status.eq(MeetingStatus::Scheduled.as_str()))
        .filter(meeting::Column::StartsAt.gt(at - reach))
        .order_by_asc(meeting::Column::StartsAt)
        .order_by_asc(meeting::Column::Id)
        .limit(20)
        .all(db)
        .await?;
    let checked_in: Vec<Uuid> = attendance::Entity::find()
        .select_only()
        .column(attendance::Column::MeetingId)
        .filter(attendance::Column::MeetingId.is_in(candidates.iter().map(|m| m.id)))
        .filter(attendance::Column::UserId.eq(viewer.id()))
        .filter(attendance::Column::Present.eq(true))
        .into_tuple()
        .all(db)
        .await?;
    let Some(meeting) = candidates.into_iter().find(|m| ends_at(m) + CHECK_IN_LATE >= at) else {
        return Ok(None);
    };
    Ok(Some(NextMeeting {
        community_id: meeting.community_id,
        community_name: communities.get(&meeting.community_id).cloned().unwrap_or_default(),
        check_in_open: check_in_open(MeetingStatus::Scheduled, meeting.starts_at, meeting.duration_minutes, at),
        checked_in: checked_in.contains(&meeting.id),
        meeting: summary(tz, &meeting, at),
    }))
}

pub async fn meeting_page(state: &AppState, viewer: &Viewer, meeting_id: Uuid) -> Result<MeetingPage, AppError> {
    let db = &state.db;
    let (meeting, community, membership) = meeting_access(db, viewer, meeting_id).await?;
    let is_facilitator = CommunityRole::decode(&membership.role)? == CommunityRole::Facilitator;
    let members = active_member_ids(db, community.id, None).await?;
    let records: HashMap<Uuid, attendance::Model> = attendance::Entity::find()
        .filter(attendance::Column::MeetingId.eq(meeting.id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.user_id, a))
        .collect();
    let mut names: Vec<(Uuid, String)> = crate::account::service::names_of(db, members).await?.into_iter().collect();
    names.sort_by(|a, b| a.1.cmp(&b.1));
    let attendance = names
        .into_iter()
        .map(|(user_id, name)| {
            let record = records.get(&user_id);
            AttendanceRow {
                user_id,
                name,
                present: record.map(|r| r.present),
                corrected: record.is_some_and(|r| r.recorded_by.is_some_and(|by| by != user_id)),
            }
        })
        .collect();
    let at = now();
    let status = MeetingStatus::decode(&meeting.status)?;
    let tz = &state.settings.time_zone;
    Ok(MeetingPage {
        id: meeting.id,
        community_id: community.id,
        community_name: community.name.clone(),
        title: meeting.title.clone(),
        starts_at: to_local(tz, meeting.starts_at),
        ends_at: to_local(tz, ends_at(&meeting)),
        duration_minutes: meeting.duration_minutes,
        place: meeting.place.clone(),
        online_url: meeting.online_url.clone(),
        agenda: meeting.agenda.clone(),
        status,
        is_facilitator,
        check_in_open: check_in_open(status, meeting.starts_at, meeting.duration_minutes, at),
        may_correct: is_facilitator && may_correct(status, meeting.starts_at, at),
        checked_in: records.get(&viewer.id()).is_some_and(|r| r.present),
        attendance,
        is_past: ends_at(&meeting) < at,
    })
}

/// Sends "tomorrow" reminders for meetings starting within a day; returns how many
/// meetings were reminded. Run by the server's housekeeping.
pub async fn send_due_reminders(state: &AppState) -> Result<usize, AppError> {
    let db = &state.db;
    let at = now();
    let due = meeting::Entity::find()
        .filter(meeting::Column::Status.eq(MeetingStatus::Scheduled.as_str()))
        .filter(meeting::Column::RemindedAt.is_null())
        .filter(meeting::Column::StartsAt.gt(at))
        .filter(meeting::Column::StartsAt.lte(at + Duration::days(1)))
        .all(db)
        .await?;
    for meeting in &due {
        let mut model: meeting::ActiveModel = meeting.clone().into();
        model.reminded_at = Set(Some(at));
        model.update(db).await?;
        let members = active_member_ids(db, meeting.community_id, None).await?;
        let notice = Notice {
            kind: NoticeKind::MeetingReminder,
            community_id: meeting.community_id,
            meeting_id: Some(meeting.id),
            artifact_id: None,
            actor_id: None,
        };
        notify(state, notice, &members).await?;
    }
    Ok(due.len())
}

/// A meeting for its .ics download, if the viewer may see it.
pub async fn meeting_for_download(
    db: &DatabaseConnection,
    viewer: &Viewer,
    meeting_id: Uuid,
) -> Result<(meeting::Model, community::Model), AppError> {
    let (meeting, community, _) = meeting_access(db, viewer, meeting_id).await?;
    Ok((meeting, community))
}

/// Every meeting of the person's communities from 90 days back, for their feed.
pub async fn feed_meetings(
    db: &DatabaseConnection,
    user_id: Uuid,
) -> Result<Vec<(meeting::Model, community::Model)>, AppError> {
    let community_ids = active_community_ids(db, user_id).await?;
    let communities: HashMap<Uuid, community::Model> = community::Entity::find()
        .filter(community::Column::Id.is_in(community_ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    Ok(meeting::Entity::find()
        .filter(meeting::Column::CommunityId.is_in(community_ids))
        .filter(meeting::Column::StartsAt.gt(now() - Duration::days(90)))
        .order_by_asc(meeting::Column::StartsAt)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|m| {
            let community = communities.get(&m.community_id)?.clone();
            Some((m, community))
        })
        .collect())
}
