//! Lesson study on the server: starting a cycle, moving it through its phases, the
//! plan as versions, and observation notes stored once under the id the phone made.
//! Every function checks access first: the community's active members (guests
//! included, so a knowledgeable other from outside the board takes part) see and write;
//! its facilitators start cycles and move them on.

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use time::OffsetDateTime;
use uuid::Uuid;

use std::collections::HashMap;

use super::api::{
    CycleSummary, CycleView, LessonMeeting, LessonView, MyCycle, ObserveData, ObserverView, Person, PlanChanges,
    PlanVersionView, StartCycleData,
};
use super::domain::{CycleForm, CyclePhase, LESSONS_MAX, LessonPlan, NoteInput, check_plan_version, plan_changes};
use super::roles::{LessonPart, SetUpForm, SetUpState, next_step};
use crate::account::service::names_of;
use crate::account::session::Viewer;
use crate::db::entities::{
    community, lesson_observation, lesson_plan_version, lesson_study_cycle, research_lesson, research_lesson_observer,
};
use crate::db::{begin_read, begin_write, now};
use crate::error::{AppError, ErrorKey};
use crate::meeting::api::MeetingSummary;
use crate::meeting::domain::MeetingStatus;
use crate::membership::domain::{CommunityRole, MembershipStatus};
use crate::membership::service::{active_member_ids, member_access, membership_of};
use crate::participation::domain::EventKind;
use crate::participation::service::{record_event, record_event_for_meeting};

pub mod discussion;
pub mod photos;
pub mod report;

/// The cycle, its community and the viewer's role there, or `NotFound` for anyone who
/// is not an active member.
async fn cycle_access<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    cycle_id: Uuid,
) -> Result<(lesson_study_cycle::Model, community::Model, CommunityRole), AppError> {
    crate::shared::record_in_request("cycle", cycle_id);
    let cycle = lesson_study_cycle::Entity::find_by_id(cycle_id).one(db).await?.ok_or(AppError::NotFound)?;
    let (community, membership) = member_access(db, viewer, cycle.community_id).await?;
    let role = CommunityRole::decode(&membership.role)?;
    Ok((cycle, community, role))
}

fn facilitator_only(role: CommunityRole) -> Result<(), AppError> {
    if role == CommunityRole::Facilitator { Ok(()) } else { Err(AppError::NotFound) }
}

/// The community's active members by name, for the forms that name people.
async fn people<C: ConnectionTrait>(db: &C, community_id: Uuid) -> Result<Vec<Person>, AppError> {
    let names = names_of(db, active_member_ids(db, community_id, None).await?).await?;
    let mut people: Vec<Person> = names.into_iter().map(|(id, name)| Person { id, name }).collect();
    people.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id)));
    Ok(people)
}

/// The start form, for the community's facilitators.
pub async fn start_form(
    db: &DatabaseConnection,
    viewer: &Viewer,
    community_id: Uuid,
) -> Result<StartCycleData, AppError> {
    let snapshot = begin_read(db).await?;
    let (community, membership) = member_access(&snapshot, viewer, community_id).await?;
    facilitator_only(CommunityRole::decode(&membership.role)?)?;
    let data =
        StartCycleData { community_id, community_name: community.name, people: people(&snapshot, community_id).await? };
    snapshot.commit().await?;
    Ok(data)
}

fn lesson_meeting(meeting: &MeetingSummary) -> LessonMeeting {
    LessonMeeting {
        id: meeting.id,
        title: meeting.title.clone(),
        starts_at: meeting.starts_at,
        ends_at: meeting.ends_at,
    }
}

/// A facilitator starts a cycle; it begins in the study phase with research lesson 1.
pub async fn start(
    db: &DatabaseConnection,
    viewer: &Viewer,
    community_id: Uuid,
    form: &CycleForm,
    knowledgeable_other: Option<Uuid>,
) -> Result<Uuid, AppError> {
    let lessons = form.check()?;
    let txn = begin_write(db).await?;
    let (community, membership) = member_access(&txn, viewer, community_id).await?;
    facilitator_only(CommunityRole::decode(&membership.role)?)?;
    if let Some(other) = knowledgeable_other {
        let active = membership_of(&txn, community_id, other)
            .await?
            .is_some_and(|m| m.status == MembershipStatus::Active.as_str());
        if !active {
            return Err(AppError::field("knowledgeable_other", ErrorKey::InvalidChoice));
        }
    }
    let at = now();
    let id = Uuid::now_v7();
    let clean = crate::shared::text::clean_text;
    lesson_study_cycle::ActiveModel {
        id: Set(id),
        community_id: Set(community.id),
        title: Set(clean(&form.title)),
        subject: Set(clean(&form.subject)),
        year_group: Set(clean(&form.year_group)),
        theme: Set(clean(&form.theme)),
        learning_question: Set(clean(&form.learning_question)),
        agreements: Set(clean(&form.agreements)),
        knowledgeable_other: Set(knowledgeable_other),
        lessons_planned: Set(i16::from(lessons)),
        phase: Set(CyclePhase::Study.as_str().to_string()),
        started_by: Set(Some(viewer.id())),
        created_at: Set(at),
        updated_at: Set(at),
        completed_at: Set(None),
        report_artifact_id: Set(None),
    }
    .insert(&txn)
    .await?;
    new_lesson(&txn, id, 1, at).await?;
    txn.commit().await?;
    Ok(id)
}

pub(super) async fn new_lesson<C: ConnectionTrait>(
    db: &C,
    cycle_id: Uuid,
    number: i16,
    at: OffsetDateTime,
) -> Result<(), AppError> {
    research_lesson::ActiveModel {
        id: Set(Uuid::now_v7()),
        cycle_id: Set(cycle_id),
        number: Set(number),
        meeting_id: Set(None),
        teacher_id: Set(None),
        class_name: Set(String::new()),
        taught_at: Set(None),
        created_at: Set(at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The running cycles of these communities (id → (name, viewer leads it)), with the
/// viewer's next step in each, for their home page: three queries, always.
pub async fn running_for<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    communities: &HashMap<Uuid, (String, bool)>,
) -> Result<Vec<MyCycle>, AppError> {
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let cycles = lesson_study_cycle::Entity::find()
        .filter(lesson_study_cycle::Column::CommunityId.is_in(communities.keys().copied()))
        .filter(lesson_study_cycle::Column::Phase.ne(CyclePhase::Done.as_str()))
        .order_by_desc(lesson_study_cycle::Column::UpdatedAt)
        .all(db)
        .await?;
    let lessons = research_lesson::Entity::find()
        .filter(research_lesson::Column::CycleId.is_in(cycles.iter().map(|c| c.id)))
        .order_by_asc(research_lesson::Column::Number)
        .all(db)
        .await?;
    let latest: HashMap<Uuid, &research_lesson::Model> = lessons.iter().map(|l| (l.cycle_id, l)).collect();
    let observers = research_lesson_observer::Entity::find()
        .filter(research_lesson_observer::Column::LessonId.is_in(latest.values().map(|l| l.id)))
        .all(db)
        .await?;
    let mut mine = Vec::new();
    for cycle in cycles {
        let Some((community_name, may_lead)) = communities.get(&cycle.community_id) else { continue };
        let phase = CyclePhase::decode(&cycle.phase)?;
        let lesson = latest.get(&cycle.id);
        let lesson_observers = || observers.iter().filter(|o| lesson.is_some_and(|l| l.id == o.lesson_id));
        let part = match lesson {
            Some(l) if l.teacher_id == Some(viewer.id()) => LessonPart::Teacher,
            Some(_) if lesson_observers().any(|o| o.user_id == viewer.id()) => LessonPart::Observer,
            _ => LessonPart::Member,
        };
        let set_up = SetUpState {
            has_teacher: lesson.is_some_and(|l| l.teacher_id.is_some()),
            observers: lesson_observers().count(),
        };
        mine.push(MyCycle {
            id: cycle.id,
            title: cycle.title,
            community_name: community_name.clone(),
            phase,
            next_step: next_step(phase, part, set_up.complete(), *may_lead),
        });
    }
    Ok(mine)
}

/// The community's cycles, newest first, for its members.
pub async fn community_cycles<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    community_id: Uuid,
) -> Result<Vec<CycleSummary>, AppError> {
    member_access(db, viewer, community_id).await?;
    cycles_of(db, community_id).await
}

/// The community's cycles, newest first, for a caller that has checked access (the
/// community page): one query.
pub async fn cycles_of<C: ConnectionTrait>(db: &C, community_id: Uuid) -> Result<Vec<CycleSummary>, AppError> {
    let cycles = lesson_study_cycle::Entity::find()
        .filter(lesson_study_cycle::Column::CommunityId.eq(community_id))
        .order_by_desc(lesson_study_cycle::Column::CreatedAt)
        .all(db)
        .await?;
    cycles.into_iter().map(summary).collect()
}

fn summary(cycle: lesson_study_cycle::Model) -> Result<CycleSummary, AppError> {
    Ok(CycleSummary {
        lessons_planned: lessons_planned(&cycle)?,
        phase: CyclePhase::decode(&cycle.phase)?,
        id: cycle.id,
        title: cycle.title,
    })
}

/// The stored number of research lessons; one outside 1–3 is logged and fails.
fn lessons_planned(cycle: &lesson_study_cycle::Model) -> Result<u8, AppError> {
    u8::try_from(cycle.lessons_planned)
        .ok()
        .filter(|n| (1..=LESSONS_MAX).contains(n))
        .ok_or_else(|| crate::shared::unknown_stored_value("lessons_planned", &cycle.lessons_planned.to_string()))
}

/// The cycle's newest research lesson (the one being planned, taught or discussed).
async fn latest_lesson<C: ConnectionTrait>(db: &C, cycle_id: Uuid) -> Result<research_lesson::Model, AppError> {
    research_lesson::Entity::find()
        .filter(research_lesson::Column::CycleId.eq(cycle_id))
        .order_by_desc(research_lesson::Column::Number)
        .one(db)
        .await?
        .ok_or_else(|| {
            tracing::error!(cycle = %cycle_id, "a lesson-study cycle without a research lesson");
            AppError::Internal
        })
}

/// The newest version of the plan for research lesson `number`, if anyone saved one.
async fn current_plan<C: ConnectionTrait>(
    db: &C,
    cycle_id: Uuid,
    number: i16,
) -> Result<Option<lesson_plan_version::Model>, AppError> {
    Ok(lesson_plan_version::Entity::find()
        .filter(lesson_plan_version::Column::CycleId.eq(cycle_id))
        .filter(lesson_plan_version::Column::LessonNumber.eq(number))
        .order_by_desc(lesson_plan_version::Column::Version)
        .one(db)
        .await?)
}

/// The plan as it stood when `lesson` was taught: its newest version saved by then.
async fn taught_plan<C: ConnectionTrait>(
    db: &C,
    lesson: &research_lesson::Model,
) -> Result<Option<LessonPlan>, AppError> {
    let Some(taught_at) = lesson.taught_at else { return Ok(None) };
    lesson_plan_version::Entity::find()
        .filter(lesson_plan_version::Column::CycleId.eq(lesson.cycle_id))
        .filter(lesson_plan_version::Column::LessonNumber.eq(lesson.number))
        .filter(lesson_plan_version::Column::CreatedAt.lte(taught_at))
        .order_by_desc(lesson_plan_version::Column::Version)
        .one(db)
        .await?
        .map(|row| read_plan(&row))
        .transpose()
}

/// The plan a research lesson is observed and discussed against: as taught once it
/// is, else the newest version (a revision after the lesson belongs to the next one).
async fn lesson_plan<C: ConnectionTrait>(db: &C, lesson: &research_lesson::Model) -> Result<LessonPlan, AppError> {
    let plan = match lesson.taught_at {
        Some(_) => taught_plan(db, lesson).await?,
        None => current_plan(db, lesson.cycle_id, lesson.number).await?.map(|row| read_plan(&row)).transpose()?,
    };
    Ok(plan.unwrap_or_else(LessonPlan::new))
}

fn read_plan(row: &lesson_plan_version::Model) -> Result<LessonPlan, AppError> {
    serde_json::from_str(&row.plan).map_err(|e| {
        tracing::error!(version = %row.id, error = %e, "a stored lesson plan does not read");
        AppError::Internal
    })
}

/// The cycle page: the cycle, its research lessons (teacher, class, meeting, observers)
/// and the current plan, with what the viewer is asked to do next. Read in one
/// snapshot, in a fixed number of queries however many lessons and observers.
pub async fn cycle_view(
    db: &DatabaseConnection,
    tz: &jiff::tz::TimeZone,
    viewer: &Viewer,
    cycle_id: Uuid,
) -> Result<CycleView, AppError> {
    let snapshot = begin_read(db).await?;
    let db = &snapshot;
    let (cycle, community, role) = cycle_access(db, viewer, cycle_id).await?;
    let community_name = community.name;
    let lessons = research_lesson::Entity::find()
        .filter(research_lesson::Column::CycleId.eq(cycle.id))
        .order_by_asc(research_lesson::Column::Number)
        .all(db)
        .await?;
    let observers = research_lesson_observer::Entity::find()
        .filter(research_lesson_observer::Column::LessonId.is_in(lessons.iter().map(|l| l.id)))
        .all(db)
        .await?;
    let current = lessons.last().map_or(1, |l| l.number);
    let taught = lessons.iter().filter(|l| l.taught_at.is_some()).count() as u8;
    let plan = match current_plan(db, cycle.id, current).await? {
        Some(row) => PlanVersionView {
            lesson: current,
            version: row.version,
            plan: read_plan(&row)?,
            saved_at: Some(row.created_at),
        },
        None => PlanVersionView { lesson: current, version: 0, plan: LessonPlan::new(), saved_at: None },
    };
    let may_lead = role == CommunityRole::Facilitator;
    let phase = CyclePhase::decode(&cycle.phase)?;
    let planned = lessons_planned(&cycle)?;
    let taught_now = if phase == CyclePhase::Teach { taught + 1 } else { taught };
    // The plan as taught before: while revising, the lesson just taught; from the
    // second research lesson on, the one before it.
    let baseline = match (phase, lessons.len()) {
        (CyclePhase::Revise, _) => lessons.last(),
        (_, n) if n >= 2 => lessons.get(n - 2),
        _ => None,
    };
    let changes = match baseline {
        Some(lesson) => match taught_plan(db, lesson).await? {
            Some(before) => {
                Some(PlanChanges { since_lesson: lesson.number, phases: plan_changes(&before, &plan.plan) })
            }
            None => None,
        },
        None => None,
    };
    // While revising, the decisions of the discussion go into the plan.
    let decisions = match (phase, lessons.last()) {
        (CyclePhase::Revise, Some(lesson)) => discussion::decisions_of(db, lesson.id).await?,
        _ => String::new(),
    };
    let meetings = crate::meeting::service::meetings_by_id(db, tz, lessons.iter().filter_map(|l| l.meeting_id)).await?;
    let mentioned = lessons
        .iter()
        .filter_map(|l| l.teacher_id)
        .chain(observers.iter().map(|o| o.user_id))
        .chain(cycle.knowledgeable_other);
    let mut names = names_of(db, mentioned).await?;
    let people = if may_lead { people(db, cycle.community_id).await? } else { Vec::new() };
    let meeting_options = if may_lead {
        crate::meeting::service::community_meetings(db, tz, cycle.community_id)
            .await?
            .iter()
            .filter(|m| !m.is_past && m.status == MeetingStatus::Scheduled)
            .map(lesson_meeting)
            .collect()
    } else {
        Vec::new()
    };
    snapshot.commit().await?;
    let person =
        |names: &HashMap<Uuid, String>, id: Uuid| Person { id, name: names.get(&id).cloned().unwrap_or_default() };
    let lesson_views: Vec<LessonView> = lessons
        .iter()
        .map(|l| LessonView {
            id: l.id,
            number: l.number,
            class_name: l.class_name.clone(),
            taught: l.taught_at.is_some(),
            teacher: l.teacher_id.map(|id| person(&names, id)),
            meeting: l.meeting_id.and_then(|id| meetings.iter().find(|m| m.id == id)).map(lesson_meeting),
            observers: observers
                .iter()
                .filter(|o| o.lesson_id == l.id)
                .map(|o| ObserverView {
                    person: person(&names, o.user_id),
                    codes: o.pupil_codes.split_whitespace().map(str::to_string).collect(),
                })
                .collect(),
        })
        .collect();
    let latest = lesson_views.last();
    let my_part = match latest {
        Some(l) if l.teacher.as_ref().is_some_and(|t| t.id == viewer.id()) => LessonPart::Teacher,
        Some(l) if l.observers.iter().any(|o| o.person.id == viewer.id()) => LessonPart::Observer,
        _ => LessonPart::Member,
    };
    let set_up = latest.map_or(SetUpState { has_teacher: false, observers: 0 }, |l| SetUpState {
        has_teacher: l.teacher.is_some(),
        observers: l.observers.len(),
    });
    Ok(CycleView {
        id: cycle.id,
        community_id: cycle.community_id,
        title: cycle.title,
        subject: cycle.subject,
        year_group: cycle.year_group,
        theme: cycle.theme,
        learning_question: cycle.learning_question,
        agreements: cycle.agreements,
        knowledgeable_other: cycle.knowledgeable_other.and_then(|id| names.remove(&id)),
        lessons_planned: planned,
        phase,
        progress: phase.progress(taught, planned),
        lessons: lesson_views,
        plan,
        next_phase: phase.next(taught_now, planned),
        changes,
        community_name,
        my_part,
        next_step: next_step(phase, my_part, set_up.complete(), may_lead),
        may_lead,
        decisions,
        people,
        meetings: meeting_options,
    })
}

/// A facilitator sets up the current research lesson before it is taught: its teacher,
/// class and meeting (one of the community's), and its observers with the case pupils
/// each follows. Everyone named must be an active member.
pub async fn set_up_lesson(
    db: &DatabaseConnection,
    viewer: &Viewer,
    lesson_id: Uuid,
    form: &SetUpForm,
) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    let lesson = research_lesson::Entity::find_by_id(lesson_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let (cycle, _, role) = cycle_access(&txn, viewer, lesson.cycle_id).await?;
    facilitator_only(role)?;
    let phase = CyclePhase::decode(&cycle.phase)?;
    let open = lesson.taught_at.is_none()
        && latest_lesson(&txn, cycle.id).await?.id == lesson.id
        && !matches!(phase, CyclePhase::Share | CyclePhase::Done);
    if !open {
        return Err(AppError::Conflict(ErrorKey::LessonSetUpClosed));
    }
    let members = active_member_ids(&txn, cycle.community_id, None).await?;
    if form.teacher.is_some_and(|t| !members.contains(&t)) {
        return Err(AppError::field("teacher", ErrorKey::InvalidChoice));
    }
    if let Some(i) = form.observers.iter().position(|(who, _)| !members.contains(who)) {
        return Err(AppError::field(&super::roles::observer_field(i, "user"), ErrorKey::InvalidChoice));
    }
    if let Some(meeting) = form.meeting {
        let ours = crate::db::entities::meeting::Entity::find_by_id(meeting)
            .one(&txn)
            .await?
            .is_some_and(|m| m.community_id == cycle.community_id);
        if !ours {
            return Err(AppError::field("meeting", ErrorKey::InvalidChoice));
        }
    }
    let mut active: research_lesson::ActiveModel = lesson.into();
    active.teacher_id = Set(form.teacher);
    active.class_name = Set(form.class_name.clone());
    active.meeting_id = Set(form.meeting);
    active.update(&txn).await?;
    research_lesson_observer::Entity::delete_many()
        .filter(research_lesson_observer::Column::LessonId.eq(lesson_id))
        .exec(&txn)
        .await?;
    let rows: Vec<research_lesson_observer::ActiveModel> = form
        .observers
        .iter()
        .map(|(user, codes)| research_lesson_observer::ActiveModel {
            id: Set(Uuid::now_v7()),
            lesson_id: Set(lesson_id),
            user_id: Set(*user),
            pupil_codes: Set(codes.join(" ")),
        })
        .collect();
    if !rows.is_empty() {
        research_lesson_observer::Entity::insert_many(rows).exec_without_returning(&txn).await?;
    }
    touch(&txn, cycle, now()).await?;
    txn.commit().await?;
    Ok(())
}

/// Saves the plan of the current research lesson as the next version, if nobody saved
/// since `started_from`. Written in the study, plan and revise phases.
pub async fn save_plan(
    db: &DatabaseConnection,
    viewer: &Viewer,
    cycle_id: Uuid,
    started_from: i32,
    plan: &LessonPlan,
) -> Result<i32, AppError> {
    plan.check()?;
    let txn = begin_write(db).await?;
    let (cycle, community, _) = cycle_access(&txn, viewer, cycle_id).await?;
    let phase = CyclePhase::decode(&cycle.phase)?;
    if !matches!(phase, CyclePhase::Study | CyclePhase::Plan | CyclePhase::Revise) {
        return Err(AppError::Conflict(ErrorKey::PlanClosed));
    }
    let lesson = latest_lesson(&txn, cycle.id).await?;
    let current = current_plan(&txn, cycle.id, lesson.number).await?.map_or(0, |row| row.version);
    check_plan_version(current, started_from)?;
    let at = now();
    let version = current + 1;
    // Revising after the discussion counts once per person and research lesson.
    if let (CyclePhase::Revise, Some(taught_at)) = (phase, lesson.taught_at) {
        let revised_before = lesson_plan_version::Entity::find()
            .filter(lesson_plan_version::Column::CycleId.eq(cycle.id))
            .filter(lesson_plan_version::Column::LessonNumber.eq(lesson.number))
            .filter(lesson_plan_version::Column::AuthorId.eq(viewer.id()))
            .filter(lesson_plan_version::Column::CreatedAt.gt(taught_at))
            .count(&txn)
            .await?;
        if revised_before == 0 {
            record(&txn, &community, viewer.id(), EventKind::RevisedPlan, at, None).await?;
        }
    }
    lesson_plan_version::ActiveModel {
        id: Set(Uuid::now_v7()),
        cycle_id: Set(cycle.id),
        lesson_number: Set(lesson.number),
        version: Set(version),
        plan: Set(serde_json::to_string(plan).map_err(|_| AppError::Internal)?),
        author_id: Set(Some(viewer.id())),
        created_at: Set(at),
    }
    .insert(&txn)
    .await?;
    touch(&txn, cycle, at).await?;
    txn.commit().await?;
    Ok(version)
}

async fn touch<C: ConnectionTrait>(
    db: &C,
    cycle: lesson_study_cycle::Model,
    at: OffsetDateTime,
) -> Result<(), AppError> {
    let mut active: lesson_study_cycle::ActiveModel = cycle.into();
    active.updated_at = Set(at);
    active.update(db).await?;
    Ok(())
}

/// A participation event, tied to the research lesson's meeting when it has one.
async fn record<C: ConnectionTrait>(
    db: &C,
    community: &crate::db::entities::community::Model,
    user: Uuid,
    kind: EventKind,
    at: OffsetDateTime,
    meeting: Option<Uuid>,
) -> Result<(), AppError> {
    match meeting {
        Some(meeting) => record_event_for_meeting(db, community, user, kind, at, None, meeting).await,
        None => record_event(db, community, user, kind, at, None, None).await,
    }
}

/// The teacher taught the research lesson and the observers observed it: events for
/// those who are still active members.
async fn record_lesson_taught<C: ConnectionTrait>(
    db: &C,
    community: &community::Model,
    lesson: &research_lesson::Model,
    at: OffsetDateTime,
) -> Result<(), AppError> {
    let observers: Vec<Uuid> = research_lesson_observer::Entity::find()
        .select_only()
        .column(research_lesson_observer::Column::UserId)
        .filter(research_lesson_observer::Column::LessonId.eq(lesson.id))
        .into_tuple()
        .all(db)
        .await?;
    let members = active_member_ids(db, community.id, None).await?;
    if let Some(teacher) = lesson.teacher_id.filter(|t| members.contains(t)) {
        record(db, community, teacher, EventKind::TaughtLesson, at, lesson.meeting_id).await?;
    }
    for observer in observers.into_iter().filter(|o| members.contains(o)) {
        record(db, community, observer, EventKind::ObservedLesson, at, lesson.meeting_id).await?;
    }
    Ok(())
}

/// A facilitator moves the cycle on from `from` (the phase their page showed; a stale
/// page changes nothing). Ending the teaching marks the research lesson taught; going
/// from revise to teach opens the next research lesson, its plan starting as a copy
/// of the revised one.
pub async fn advance(
    db: &DatabaseConnection,
    viewer: &Viewer,
    cycle_id: Uuid,
    from: CyclePhase,
) -> Result<CyclePhase, AppError> {
    let txn = begin_write(db).await?;
    let (cycle, community, role) = cycle_access(&txn, viewer, cycle_id).await?;
    facilitator_only(role)?;
    let phase = CyclePhase::decode(&cycle.phase)?;
    if phase != from {
        return Err(AppError::Conflict(ErrorKey::CycleChanged));
    }
    let lessons = research_lesson::Entity::find()
        .filter(research_lesson::Column::CycleId.eq(cycle.id))
        .order_by_asc(research_lesson::Column::Number)
        .all(&txn)
        .await?;
    let current = lessons.last().ok_or(AppError::Internal)?.clone();
    let taught = lessons.iter().filter(|l| l.taught_at.is_some()).count() as u8;
    let planned = lessons_planned(&cycle)?;
    let at = now();
    let taught_now = if phase == CyclePhase::Teach { taught + 1 } else { taught };
    let next = phase.next(taught_now, planned).ok_or(AppError::Conflict(ErrorKey::CycleChanged))?;
    match (phase, next) {
        (CyclePhase::Teach, _) => {
            record_lesson_taught(&txn, &community, &current, at).await?;
            let mut lesson: research_lesson::ActiveModel = current.into();
            lesson.taught_at = Set(Some(at));
            lesson.update(&txn).await?;
        }
        (CyclePhase::Discuss, _) => {
            for member in discussion::attendees_of(&txn, community.id, current.id).await? {
                record(&txn, &community, member, EventKind::DiscussedLesson, at, current.meeting_id).await?;
            }
            if let Some(other) = cycle.knowledgeable_other {
                let active = membership_of(&txn, cycle.community_id, other)
                    .await?
                    .is_some_and(|m| m.status == MembershipStatus::Active.as_str());
                if active {
                    record(&txn, &community, other, EventKind::AdvisedLesson, at, current.meeting_id).await?;
                }
            }
        }
        (CyclePhase::Revise, CyclePhase::Teach) => {
            let number = current.number;
            let revised = current_plan(&txn, cycle.id, number).await?;
            new_lesson(&txn, cycle.id, number + 1, at).await?;
            if let Some(revised) = revised {
                lesson_plan_version::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    cycle_id: Set(cycle.id),
                    lesson_number: Set(number + 1),
                    version: Set(1),
                    plan: Set(revised.plan),
                    author_id: Set(revised.author_id),
                    created_at: Set(at),
                }
                .insert(&txn)
                .await?;
            }
        }
        _ => {}
    }
    let mut active: lesson_study_cycle::ActiveModel = cycle.into();
    active.phase = Set(next.as_str().to_string());
    active.updated_at = Set(at);
    if next == CyclePhase::Done {
        active.completed_at = Set(Some(at));
    }
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(next)
}

/// Whether the cycle's newest research lesson takes notes in `phase`: while it is
/// taught, and after it until the next one begins (late notes from a phone that was
/// offline in the classroom).
fn takes_notes(phase: CyclePhase, lesson: &research_lesson::Model) -> bool {
    match phase {
        CyclePhase::Teach => lesson.taught_at.is_none(),
        CyclePhase::Discuss | CyclePhase::Revise => lesson.taught_at.is_some(),
        _ => false,
    }
}

/// The observation form of the cycle's newest research lesson for the viewer: the
/// plan's phases and case pupils (the viewer's own first), whether it takes notes now,
/// and the viewer's notes the server holds (so another device shows them too).
pub async fn observe_view(db: &DatabaseConnection, viewer: &Viewer, cycle_id: Uuid) -> Result<ObserveData, AppError> {
    let snapshot = begin_read(db).await?;
    let (cycle, _, _) = cycle_access(&snapshot, viewer, cycle_id).await?;
    let phase = CyclePhase::decode(&cycle.phase)?;
    let lesson = latest_lesson(&snapshot, cycle.id).await?;
    let plan = lesson_plan(&snapshot, &lesson).await?;
    let mine: Vec<String> = research_lesson_observer::Entity::find()
        .filter(research_lesson_observer::Column::LessonId.eq(lesson.id))
        .filter(research_lesson_observer::Column::UserId.eq(viewer.id()))
        .one(&snapshot)
        .await?
        .map(|o| o.pupil_codes.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let held = lesson_observation::Entity::find()
        .filter(lesson_observation::Column::LessonId.eq(lesson.id))
        .filter(lesson_observation::Column::ObserverId.eq(viewer.id()))
        .order_by_asc(lesson_observation::Column::NotedAt)
        .all(&snapshot)
        .await?
        .into_iter()
        .map(|n| NoteInput {
            id: n.id,
            pupil: n.pupil_code,
            phase: usize::try_from(n.phase).unwrap_or(0),
            mark: n.mark.as_deref().and_then(|m| super::domain::Mark::decode(m).ok()),
            text: n.text,
            noted_at: n.noted_at.unix_timestamp(),
        })
        .collect();
    snapshot.commit().await?;
    let mut pupils = plan.case_pupils.clone();
    pupils.sort_by_key(|p| !mine.contains(&p.code));
    Ok(ObserveData {
        cycle_id: cycle.id,
        title: cycle.title,
        lesson_id: lesson.id,
        lesson_number: lesson.number,
        open: takes_notes(phase, &lesson),
        phases: plan.phases,
        pupils,
        mine,
        held,
        fresh_id: Uuid::now_v7(),
    })
}

/// Stores an observer's notes for research lesson `lesson_id`, each once under the id
/// the phone made, and answers with the ids of this observer's notes the server now
/// holds (sent before or now), so the phone can mark them saved. Notes are taken while
/// the lesson is taught, and may still arrive during the discussion after it (a phone
/// that was offline). A note id that belongs to another observer is refused.
pub async fn record_notes(
    db: &DatabaseConnection,
    viewer: &Viewer,
    lesson_id: Uuid,
    notes: &[NoteInput],
) -> Result<Vec<Uuid>, AppError> {
    const BATCH_MAX: usize = 200;
    if notes.len() > BATCH_MAX {
        return Err(AppError::field("notes", ErrorKey::TooLong));
    }
    let txn = begin_write(db).await?;
    let lesson = research_lesson::Entity::find_by_id(lesson_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let (cycle, _, _) = cycle_access(&txn, viewer, lesson.cycle_id).await?;
    let phase = CyclePhase::decode(&cycle.phase)?;
    let lesson_open = latest_lesson(&txn, cycle.id).await?.id == lesson.id && takes_notes(phase, &lesson);
    if !lesson_open {
        return Err(AppError::Conflict(ErrorKey::NotObserving));
    }
    let plan = lesson_plan(&txn, &lesson).await?;
    for (i, note) in notes.iter().enumerate() {
        note.check(&plan).map_err(|error| error.rename_fields(|f| format!("notes[{i}][{f}]")))?;
    }
    let ids: Vec<Uuid> = notes.iter().map(|n| n.id).collect();
    let taken: Vec<(Uuid, Option<Uuid>, Uuid)> = lesson_observation::Entity::find()
        .select_only()
        .column(lesson_observation::Column::Id)
        .column(lesson_observation::Column::ObserverId)
        .column(lesson_observation::Column::LessonId)
        .filter(lesson_observation::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(&txn)
        .await?;
    if taken.iter().any(|(_, observer, lesson)| *observer != Some(viewer.id()) || *lesson != lesson_id) {
        return Err(AppError::field("notes", ErrorKey::InvalidChoice));
    }
    let at = now();
    let rows: Vec<lesson_observation::ActiveModel> = notes
        .iter()
        .map(|note| lesson_observation::ActiveModel {
            id: Set(note.id),
            lesson_id: Set(lesson_id),
            observer_id: Set(Some(viewer.id())),
            pupil_code: Set(note.pupil.clone()),
            // Checked above: a phase of the plan, so fewer than `PLAN_PHASES_MAX`.
            phase: Set(note.phase as i16),
            mark: Set(note.mark.map(|m| m.as_str().to_string())),
            text: Set(crate::shared::text::clean_text(&note.text)),
            // The phone's clock, but never later than now.
            noted_at: Set(OffsetDateTime::from_unix_timestamp(note.noted_at).ok().filter(|t| *t <= at).unwrap_or(at)),
            received_at: Set(at),
        })
        .collect();
    if !rows.is_empty() {
        lesson_observation::Entity::insert_many(rows)
            .on_conflict(OnConflict::column(lesson_observation::Column::Id).do_nothing().to_owned())
            .exec_without_returning(&txn)
            .await?;
    }
    // What the server holds of this observer's notes among those sent: the truth the
    // phone marks as saved, even if another request stored one of them meanwhile.
    let held: Vec<Uuid> = lesson_observation::Entity::find()
        .select_only()
        .column(lesson_observation::Column::Id)
        .filter(lesson_observation::Column::Id.is_in(ids))
        .filter(lesson_observation::Column::ObserverId.eq(viewer.id()))
        .filter(lesson_observation::Column::LessonId.eq(lesson_id))
        .into_tuple()
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(held)
}
