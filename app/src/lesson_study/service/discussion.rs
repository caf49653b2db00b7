//! After a research lesson: pupil interviews, the data per case pupil side by side for
//! the post-lesson discussion, and the discussion's record (saved against a version
//! number, so two people typing at once cannot overwrite each other) with who took
//! part.

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use std::collections::HashMap;
use uuid::Uuid;

use super::{cycle_access, latest_lesson, lesson_plan, people, takes_notes};
use crate::account::service::names_of;
use crate::account::session::Viewer;
use crate::db::entities::{
    lesson_discussion, lesson_discussion_attendee, lesson_observation, lesson_photo, pupil_interview, research_lesson,
    research_lesson_observer,
};
use crate::db::{begin_read, begin_write, now};
use crate::error::{AppError, ErrorKey};
use crate::lesson_study::api::DiscussionView;
use crate::lesson_study::discussion::{
    DiscussionRecord, Gathered, Interview, InterviewInput, PhotoRef, PupilData, SeenNote, pupil_data,
};
use crate::lesson_study::domain::{CyclePhase, LessonPlan, Mark, check_plan_version};
use crate::membership::domain::CommunityRole;
use crate::membership::service::active_member_ids;

/// Stores a pupil interview for the cycle's newest research lesson, once under the id
/// the page made. Taken while notes are (the lesson and the time after it).
pub async fn record_interview(
    db: &DatabaseConnection,
    viewer: &Viewer,
    lesson_id: Uuid,
    input: &InterviewInput,
) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    let lesson = research_lesson::Entity::find_by_id(lesson_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let (cycle, _, _) = cycle_access(&txn, viewer, lesson.cycle_id).await?;
    let phase = CyclePhase::decode(&cycle.phase)?;
    if latest_lesson(&txn, cycle.id).await?.id != lesson.id || !takes_notes(phase, &lesson) {
        return Err(AppError::Conflict(ErrorKey::NotObserving));
    }
    let plan = lesson_plan(&txn, &lesson).await?;
    input.check(&plan)?;
    if let Some(taken) = pupil_interview::Entity::find_by_id(input.id).one(&txn).await? {
        // A repeated post is fine; someone else's id is not.
        return if taken.interviewer_id == Some(viewer.id()) && taken.lesson_id == lesson_id {
            Ok(())
        } else {
            Err(AppError::field("id", ErrorKey::InvalidChoice))
        };
    }
    pupil_interview::Entity::insert(pupil_interview::ActiveModel {
        id: Set(input.id),
        lesson_id: Set(lesson_id),
        interviewer_id: Set(Some(viewer.id())),
        pupil_code: Set(input.pupil.clone()),
        text: Set(crate::shared::text::clean_text(&input.text)),
        created_at: Set(now()),
    })
    .on_conflict(OnConflict::column(pupil_interview::Column::Id).do_nothing().to_owned())
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Whether the discussion of `lesson` can still be written: once it is taught, until
/// the cycle is done.
fn discussion_open(phase: CyclePhase, lesson: &research_lesson::Model) -> bool {
    lesson.taught_at.is_some() && phase != CyclePhase::Done
}

/// Everything gathered about the case pupils of one research lesson, side by side.
/// `viewer` is who reads it and whether they lead the community; `None` for the
/// report, which names nobody.
pub(super) async fn gathered<C: ConnectionTrait>(
    db: &C,
    lesson: &research_lesson::Model,
    plan: &LessonPlan,
    viewer: Option<(Uuid, bool)>,
) -> Result<Vec<PupilData>, AppError> {
    let with_names = viewer.is_some();
    let observers = research_lesson_observer::Entity::find()
        .filter(research_lesson_observer::Column::LessonId.eq(lesson.id))
        .all(db)
        .await?;
    let notes = lesson_observation::Entity::find()
        .filter(lesson_observation::Column::LessonId.eq(lesson.id))
        .order_by_asc(lesson_observation::Column::NotedAt)
        .all(db)
        .await?;
    let photos = lesson_photo::Entity::find()
        .filter(lesson_photo::Column::LessonId.eq(lesson.id))
        .order_by_asc(lesson_photo::Column::CreatedAt)
        .all(db)
        .await?;
    let interviews = pupil_interview::Entity::find()
        .filter(pupil_interview::Column::LessonId.eq(lesson.id))
        .order_by_asc(pupil_interview::Column::CreatedAt)
        .all(db)
        .await?;
    let names = if with_names {
        names_of(
            db,
            observers
                .iter()
                .map(|o| o.user_id)
                .chain(notes.iter().filter_map(|n| n.observer_id))
                .chain(photos.iter().filter_map(|p| p.observer_id))
                .chain(interviews.iter().filter_map(|i| i.interviewer_id)),
        )
        .await?
    } else {
        HashMap::new()
    };
    let name = |id: Option<Uuid>| id.and_then(|id| names.get(&id).cloned()).unwrap_or_default();
    Ok(pupil_data(
        plan,
        &observers
            .iter()
            .map(|o| (name(Some(o.user_id)), o.pupil_codes.split_whitespace().map(str::to_string).collect()))
            .collect::<Vec<_>>(),
        notes
            .into_iter()
            .map(|n| Gathered {
                pupil: n.pupil_code,
                phase: usize::try_from(n.phase).unwrap_or(usize::MAX),
                item: SeenNote {
                    observer: name(n.observer_id),
                    mark: n.mark.as_deref().and_then(|m| Mark::decode(m).ok()),
                    text: n.text,
                    noted_at: n.noted_at,
                },
            })
            .collect(),
        photos
            .into_iter()
            .map(|p| Gathered {
                pupil: p.pupil_code,
                phase: usize::try_from(p.phase).unwrap_or(usize::MAX),
                item: PhotoRef {
                    id: p.id,
                    observer: name(p.observer_id),
                    may_remove: viewer.is_some_and(|(me, leads)| leads || p.observer_id == Some(me)),
                },
            })
            .collect(),
        interviews
            .into_iter()
            .map(|i| (i.pupil_code, Interview { interviewer: name(i.interviewer_id), text: i.text }))
            .collect(),
    ))
}

/// The discussion page of research lesson `number` (the newest taught one when
/// `None`): the protocol's data per case pupil and the record so far.
pub async fn discussion_view(
    db: &DatabaseConnection,
    viewer: &Viewer,
    cycle_id: Uuid,
    number: Option<i16>,
) -> Result<DiscussionView, AppError> {
    let snapshot = begin_read(db).await?;
    let (cycle, community, role) = cycle_access(&snapshot, viewer, cycle_id).await?;
    let lessons = research_lesson::Entity::find()
        .filter(research_lesson::Column::CycleId.eq(cycle.id))
        .order_by_asc(research_lesson::Column::Number)
        .all(&snapshot)
        .await?;
    let taught: Vec<i16> = lessons.iter().filter(|l| l.taught_at.is_some()).map(|l| l.number).collect();
    let lesson = match number {
        Some(n) => lessons.iter().find(|l| l.number == n),
        None => lessons.iter().rev().find(|l| l.taught_at.is_some()).or(lessons.last()),
    }
    .ok_or(AppError::NotFound)?;
    let plan = lesson_plan(&snapshot, lesson).await?;
    let pupils = gathered(&snapshot, lesson, &plan, Some((viewer.id(), role == CommunityRole::Facilitator))).await?;
    let record = lesson_discussion::Entity::find_by_id(lesson.id).one(&snapshot).await?;
    let attendees: Vec<Uuid> = lesson_discussion_attendee::Entity::find()
        .filter(lesson_discussion_attendee::Column::LessonId.eq(lesson.id))
        .all(&snapshot)
        .await?
        .into_iter()
        .map(|a| a.user_id)
        .collect();
    let people = people(&snapshot, cycle.community_id).await?;
    let mut names = names_of(&snapshot, lesson.teacher_id.into_iter().chain(cycle.knowledgeable_other)).await?;
    snapshot.commit().await?;
    let phase = CyclePhase::decode(&cycle.phase)?;
    Ok(DiscussionView {
        cycle_id: cycle.id,
        title: cycle.title,
        community_name: community.name,
        learning_question: cycle.learning_question,
        lesson_id: lesson.id,
        lesson_number: lesson.number,
        taught_lessons: taught,
        teacher: lesson.teacher_id.and_then(|id| names.remove(&id)),
        knowledgeable_other: cycle.knowledgeable_other.and_then(|id| names.remove(&id)),
        open: discussion_open(phase, lesson),
        may_lead: role == CommunityRole::Facilitator,
        version: record.as_ref().map_or(0, |r| r.version),
        record: record.map(record_of).unwrap_or_default(),
        attendees,
        people,
        goals: plan.goals,
        pupils,
    })
}

pub(super) fn record_of(row: lesson_discussion::Model) -> DiscussionRecord {
    DiscussionRecord {
        teacher_remarks: row.teacher_remarks,
        conclusions: row.conclusions,
        decisions: row.decisions,
        other_comments: row.other_comments,
    }
}

/// Saves the discussion's record and who took part, if nobody saved since
/// `started_from`. Any member writes it (whoever keeps the notes); everyone named as
/// taking part must be an active member.
pub async fn save_discussion(
    db: &DatabaseConnection,
    viewer: &Viewer,
    lesson_id: Uuid,
    started_from: i32,
    record: &DiscussionRecord,
    attendees: &[Uuid],
) -> Result<i32, AppError> {
    let record = record.checked()?;
    let txn = begin_write(db).await?;
    let lesson = research_lesson::Entity::find_by_id(lesson_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let (cycle, _, _) = cycle_access(&txn, viewer, lesson.cycle_id).await?;
    if !discussion_open(CyclePhase::decode(&cycle.phase)?, &lesson) {
        return Err(AppError::Conflict(ErrorKey::DiscussionClosed));
    }
    let members = active_member_ids(&txn, cycle.community_id, None).await?;
    if attendees.iter().any(|a| !members.contains(a)) {
        return Err(AppError::field("attendees", ErrorKey::InvalidChoice));
    }
    let current = lesson_discussion::Entity::find_by_id(lesson_id).one(&txn).await?;
    check_plan_version(current.as_ref().map_or(0, |r| r.version), started_from)?;
    let at = now();
    let version = started_from + 1;
    let row = lesson_discussion::ActiveModel {
        lesson_id: Set(lesson_id),
        teacher_remarks: Set(record.teacher_remarks),
        conclusions: Set(record.conclusions),
        decisions: Set(record.decisions),
        other_comments: Set(record.other_comments),
        version: Set(version),
        updated_by: Set(Some(viewer.id())),
        updated_at: Set(at),
    };
    match current {
        // Only the version read above is replaced: a racing save finds none to update.
        Some(_) => {
            let updated = lesson_discussion::Entity::update_many()
                .set(row)
                .filter(lesson_discussion::Column::LessonId.eq(lesson_id))
                .filter(lesson_discussion::Column::Version.eq(started_from))
                .exec(&txn)
                .await?;
            if updated.rows_affected != 1 {
                return Err(AppError::Conflict(ErrorKey::EditConflict));
            }
        }
        None => {
            row.insert(&txn).await?;
        }
    }
    lesson_discussion_attendee::Entity::delete_many()
        .filter(lesson_discussion_attendee::Column::LessonId.eq(lesson_id))
        .exec(&txn)
        .await?;
    let mut unique = attendees.to_vec();
    unique.sort();
    unique.dedup();
    let rows: Vec<lesson_discussion_attendee::ActiveModel> = unique
        .into_iter()
        .map(|user| lesson_discussion_attendee::ActiveModel {
            id: Set(Uuid::now_v7()),
            lesson_id: Set(lesson_id),
            user_id: Set(user),
        })
        .collect();
    if !rows.is_empty() {
        lesson_discussion_attendee::Entity::insert_many(rows).exec_without_returning(&txn).await?;
    }
    super::touch(&txn, cycle, at).await?;
    txn.commit().await?;
    Ok(version)
}

/// Who took part in the discussion of `lesson` and is still an active member.
pub(super) async fn attendees_of<C: ConnectionTrait>(
    db: &C,
    community_id: Uuid,
    lesson_id: Uuid,
) -> Result<Vec<Uuid>, AppError> {
    let members = active_member_ids(db, community_id, None).await?;
    Ok(lesson_discussion_attendee::Entity::find()
        .filter(lesson_discussion_attendee::Column::LessonId.eq(lesson_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.user_id)
        .filter(|id| members.contains(id))
        .collect())
}

/// The decisions of the discussion of `lesson`, if any were written.
pub(super) async fn decisions_of<C: ConnectionTrait>(db: &C, lesson_id: Uuid) -> Result<String, AppError> {
    Ok(lesson_discussion::Entity::find_by_id(lesson_id).one(db).await?.map(|r| r.decisions).unwrap_or_default())
}
