//! The cycle's report: assembled from the taught research lessons (the plan as
//! taught, what changed since the one before, the case pupils' data without observer
//! names or photos, the discussion's record), and published once as a research report
//! in the community's knowledge base, where it has an owner, a review date and
//! versions like any artifact.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::discussion::{gathered, record_of};
use super::{cycle_access, facilitator_only, taught_plan};
use crate::account::domain::Language;
use crate::account::service::names_of;
use crate::account::session::Viewer;
use crate::artifact::domain::{ArtifactForm, ArtifactKind, Scope, Source};
use crate::artifact::service::insert_artifact;
use crate::db::entities::{artifact, community, lesson_discussion, lesson_study_cycle, research_lesson};
use crate::db::{begin_read, begin_write, now};
use crate::error::{AppError, ErrorKey};
use crate::lesson_study::domain::{CyclePhase, plan_changes};
use crate::lesson_study::report::{ReportLesson, ReportView, report_markdown};
use crate::membership::domain::CommunityRole;
use crate::participation::domain::EventKind;
use crate::participation::service::record_event;
use crate::shared::time::today_in;
use crate::state::AppState;

fn may_share(phase: CyclePhase) -> bool {
    matches!(phase, CyclePhase::Share | CyclePhase::Done)
}

async fn assemble<C: ConnectionTrait>(
    db: &C,
    cycle: lesson_study_cycle::Model,
    community: community::Model,
    role: CommunityRole,
) -> Result<ReportView, AppError> {
    let lessons = research_lesson::Entity::find()
        .filter(research_lesson::Column::CycleId.eq(cycle.id))
        .filter(research_lesson::Column::TaughtAt.is_not_null())
        .order_by_asc(research_lesson::Column::Number)
        .all(db)
        .await?;
    let mut report_lessons: Vec<ReportLesson> = Vec::new();
    for lesson in &lessons {
        let plan = taught_plan(db, lesson).await?.unwrap_or_default();
        let changes = report_lessons.last().map(|before| plan_changes(&before.plan, &plan));
        let mut pupils = gathered(db, lesson, &plan, None).await?;
        // The report may travel beyond the community: no names, no photos.
        for pupil in &mut pupils {
            pupil.observers.clear();
            pupil.phases.iter_mut().for_each(|phase| phase.photos.clear());
        }
        let record = lesson_discussion::Entity::find_by_id(lesson.id).one(db).await?.map(record_of).unwrap_or_default();
        report_lessons.push(ReportLesson {
            number: lesson.number,
            class_name: lesson.class_name.clone(),
            plan,
            changes,
            pupils,
            record,
        });
    }
    let published = match cycle.report_artifact_id {
        Some(id) => artifact::Entity::find_by_id(id).one(db).await?.map(|a| a.id),
        None => None,
    };
    let phase = CyclePhase::decode(&cycle.phase)?;
    let mut names = names_of(db, cycle.knowledgeable_other).await?;
    Ok(ReportView {
        cycle_id: cycle.id,
        community_id: community.id,
        community_name: community.name,
        title: cycle.title,
        subject: cycle.subject,
        year_group: cycle.year_group,
        theme: cycle.theme,
        learning_question: cycle.learning_question,
        knowledgeable_other: cycle.knowledgeable_other.and_then(|id| names.remove(&id)),
        phase,
        lessons: report_lessons,
        may_publish: role == CommunityRole::Facilitator && may_share(phase) && published.is_none(),
        published,
    })
}

/// The report page, for the community's members.
pub async fn report_view(db: &DatabaseConnection, viewer: &Viewer, cycle_id: Uuid) -> Result<ReportView, AppError> {
    let snapshot = begin_read(db).await?;
    let (cycle, community, role) = cycle_access(&snapshot, viewer, cycle_id).await?;
    let report = assemble(&snapshot, cycle, community, role).await?;
    snapshot.commit().await?;
    Ok(report)
}

/// A facilitator publishes the report in the community's knowledge base (once; the
/// artifact is then edited and reviewed there), in their own language. Sharing it with
/// the whole board is the community's choice, made on the artifact as for any other.
pub async fn publish_report(state: &AppState, viewer: &Viewer, cycle_id: Uuid) -> Result<Uuid, AppError> {
    let txn = begin_write(&state.db).await?;
    let (cycle, community, role) = cycle_access(&txn, viewer, cycle_id).await?;
    facilitator_only(role)?;
    let report = assemble(&txn, cycle.clone(), community.clone(), role).await?;
    if !may_share(report.phase) || report.published.is_some() {
        return Err(AppError::Conflict(ErrorKey::StepNotPossible));
    }
    let locale = crate::ui::locale_of(Language::decode(&viewer.user.language).unwrap_or_default());
    let form = ArtifactForm {
        title: report.title.clone(),
        kind: ArtifactKind::ResearchReport.as_str().to_string(),
        body: report_markdown(locale, &report),
        tags: "lesson study".to_string(),
        seci_phase: String::new(),
        scope: Scope::Community.as_str().to_string(),
        review_date: String::new(),
    };
    let input = form.validate(Source::LessonStudy, today_in(&state.settings.time_zone))?;
    let at = now();
    let id =
        insert_artifact(&txn, &community, viewer.id(), &input, Source::LessonStudy, at + input.kind.review_after(), at)
            .await?;
    let mut active: lesson_study_cycle::ActiveModel = cycle.into();
    active.report_artifact_id = Set(Some(id));
    active.updated_at = Set(at);
    active.update(&txn).await?;
    record_event(&txn, &community, viewer.id(), EventKind::SharedArtifact, at, None, None).await?;
    txn.commit().await?;
    Ok(id)
}

/// The demo's completed cycle publishes its report as its facilitator would have.
pub(crate) async fn publish_for_demo<C: ConnectionTrait>(
    db: &C,
    cycle_id: Uuid,
    owner: Uuid,
    at: time::OffsetDateTime,
) -> Result<(), AppError> {
    let cycle = lesson_study_cycle::Entity::find_by_id(cycle_id).one(db).await?.ok_or(AppError::NotFound)?;
    let community = community::Entity::find_by_id(cycle.community_id).one(db).await?.ok_or(AppError::NotFound)?;
    let report = assemble(db, cycle.clone(), community.clone(), CommunityRole::Facilitator).await?;
    let form = ArtifactForm {
        title: report.title.clone(),
        kind: ArtifactKind::ResearchReport.as_str().to_string(),
        body: report_markdown(crate::i18n::Locale::nl, &report),
        tags: "lesson study, verhoudingen".to_string(),
        seci_phase: String::new(),
        scope: Scope::Community.as_str().to_string(),
        review_date: String::new(),
    };
    let input = form.validate(Source::LessonStudy, at.date())?;
    let id =
        insert_artifact(db, &community, owner, &input, Source::LessonStudy, at + input.kind.review_after(), at).await?;
    let mut active: lesson_study_cycle::ActiveModel = cycle.into();
    active.report_artifact_id = Set(Some(id));
    active.update(db).await?;
    record_event(db, &community, owner, EventKind::SharedArtifact, at, None, None).await
}
