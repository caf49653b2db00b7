//! Closing the loop on the server: the case bringer's actions and reports, the
//! participants' evaluations and the published summary. Actions are the case bringer's
//! own words, written to be seen by the community (the form says so); they and the
//! reports are emptied with the round's case when it expires. Evaluations are seen
//! only as a group by those who took part.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use time::{Date, Duration};
use uuid::Uuid;

use super::api::{ActionRow, MyEvaluation, RoundClosing, SummaryLink};
use super::domain::{
    ActionForm, DEFAULT_CHECK_IN_DAYS, Evaluation, GroupEvaluation, Outcome, SummaryForm, evaluation_closed,
    validate_report,
};
use crate::account::session::Viewer;
use crate::artifact::domain::{ArtifactForm, ArtifactKind, Scope, Source};
use crate::artifact::service::insert_artifact;
use crate::db::entities::{
    artifact, intervision_action, intervision_case, intervision_evaluation, intervision_participant, intervision_round,
};
use crate::db::{begin_write, now};
use crate::error::{AppError, ErrorKey};
use crate::intervision::case::service::intervision_access;
use crate::intervision::round::domain::Status;
use crate::intervision::round::plan::RoundRole;
use crate::intervision::round::service::{Access, participant_access, takes_part};
use crate::membership::service::active_member_ids;
use crate::notification::domain::NoticeKind;
use crate::notification::service::{Notice, notify};
use crate::participation::domain::EventKind;
use crate::participation::service::record_event;
use crate::shared::time::today_in;
use crate::state::AppState;

/// At most this many actions per round: one or two is what people follow up on.
const ACTIONS_PER_ROUND: u64 = 5;

/// The board's date today.
pub fn today(state: &AppState) -> Date {
    today_in(&state.settings.time_zone)
}

fn ended(access: &Access) -> Result<(), AppError> {
    if access.state.status == Status::Ended && !crate::intervision::round::service::text_gone(&access.round, now()) {
        Ok(())
    } else {
        Err(AppError::Conflict(ErrorKey::StepNotPossible))
    }
}

/// Tells the round's screens, and those of rounds in the community still to come or
/// running (their look back shows open actions), that something changed.
async fn announce<C: ConnectionTrait>(state: &AppState, db: &C, community_id: Uuid, round_id: Uuid) {
    state.hub.publish(round_id);
    let open = intervision_round::Entity::find()
        .filter(intervision_round::Column::CommunityId.eq(community_id))
        .filter(intervision_round::Column::Status.ne("ended"))
        .all(db)
        .await
        .unwrap_or_default();
    for round in open {
        state.hub.publish(round.id);
    }
}

/// The case bringer adds an action they will take, with a date to check in on it.
pub async fn add_action(state: &AppState, viewer: &Viewer, round_id: Uuid, form: ActionForm) -> Result<Uuid, AppError> {
    let input = form.validate(today(state))?;
    let txn = begin_write(&state.db).await?;
    let access = participant_access(&txn, viewer, round_id).await?;
    access.require(RoundRole::CaseBringer)?;
    ended(&access)?;
    let existing =
        intervision_action::Entity::find().filter(intervision_action::Column::RoundId.eq(round_id)).count(&txn).await?;
    if existing >= ACTIONS_PER_ROUND {
        return Err(AppError::Conflict(ErrorKey::StepNotPossible));
    }
    let id = Uuid::now_v7();
    intervision_action::ActiveModel {
        id: Set(id),
        round_id: Set(round_id),
        community_id: Set(access.round.community_id),
        owner_id: Set(Some(viewer.id())),
        body: Set(input.body),
        check_in_on: Set(input.check_in_on),
        outcome: Set(None),
        report: Set(None),
        reported_at: Set(None),
        created_at: Set(now()),
        reminded_at: Set(None),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    announce(state, &state.db, access.round.community_id, round_id).await;
    Ok(id)
}

/// An action of the viewer's own in a community they are still in.
async fn own_action<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    action_id: Uuid,
) -> Result<(intervision_action::Model, crate::db::entities::community::Model), AppError> {
    let action = intervision_action::Entity::find_by_id(action_id).one(db).await?.ok_or(AppError::NotFound)?;
    let community = intervision_access(db, viewer, action.community_id).await?;
    if action.owner_id != Some(viewer.id()) || action.body.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok((action, community))
}

/// The case bringer takes back an action they have not reported on yet.
pub async fn remove_action(state: &AppState, viewer: &Viewer, action_id: Uuid) -> Result<(), AppError> {
    let txn = begin_write(&state.db).await?;
    let (action, community) = own_action(&txn, viewer, action_id).await?;
    if action.outcome.is_some() {
        return Err(AppError::Conflict(ErrorKey::StepNotPossible));
    }
    let round_id = action.round_id;
    intervision_action::Entity::delete_by_id(action.id).exec(&txn).await?;
    txn.commit().await?;
    announce(state, &state.db, community.id, round_id).await;
    Ok(())
}

/// The case bringer reports what came of an action. The first report counts as
/// following up; a later one corrects it.
pub async fn report_action(
    state: &AppState,
    viewer: &Viewer,
    action_id: Uuid,
    outcome: &str,
    report: &str,
) -> Result<(), AppError> {
    let (outcome, report) = validate_report(outcome, report)?;
    let txn = begin_write(&state.db).await?;
    let (action, community) = own_action(&txn, viewer, action_id).await?;
    let first = action.outcome.is_none();
    let round_id = action.round_id;
    let at = now();
    let mut active: intervision_action::ActiveModel = action.into();
    active.outcome = Set(Some(outcome.as_str().to_string()));
    active.report = Set(report);
    active.reported_at = Set(Some(at));
    active.update(&txn).await?;
    if first {
        record_event(&txn, &community, viewer.id(), EventKind::FollowedUp, at, None, None).await?;
    }
    txn.commit().await?;
    announce(state, &state.db, community.id, round_id).await;
    Ok(())
}

/// A participant's evaluation of an ended round; answering again replaces it.
pub async fn evaluate(
    state: &AppState,
    viewer: &Viewer,
    round_id: Uuid,
    evaluation: Evaluation,
) -> Result<(), AppError> {
    let txn = begin_write(&state.db).await?;
    let access = participant_access(&txn, viewer, round_id).await?;
    ended(&access)?;
    let at = now();
    let taking_part = taking_part(&txn, round_id).await?;
    let answered = |answers: u64| evaluation_closed(access.round.ended_at, answers as usize, taking_part, at);
    let before = evaluations_of(round_id).count(&txn).await?;
    if answered(before) {
        return Err(AppError::Conflict(ErrorKey::EvaluationClosed));
    }
    let row = intervision_evaluation::ActiveModel {
        id: Set(Uuid::now_v7()),
        round_id: Set(round_id),
        user_id: Set(viewer.id()),
        safe: Set(evaluation.safe as i16),
        useful: Set(evaluation.useful as i16),
        learned: Set(evaluation.learned),
        created_at: Set(now()),
    };
    intervision_evaluation::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([intervision_evaluation::Column::RoundId, intervision_evaluation::Column::UserId])
                .update_columns([
                    intervision_evaluation::Column::Safe,
                    intervision_evaluation::Column::Useful,
                    intervision_evaluation::Column::Learned,
                ])
                .to_owned(),
        )
        .exec(&txn)
        .await?;
    let closes_now = answered(evaluations_of(round_id).count(&txn).await?);
    txn.commit().await?;
    // Screens hear of the evaluation once, when it closes; never of one answer.
    if closes_now {
        state.hub.publish(round_id);
    }
    Ok(())
}

fn evaluations_of(round_id: Uuid) -> sea_orm::Select<intervision_evaluation::Entity> {
    intervision_evaluation::Entity::find().filter(intervision_evaluation::Column::RoundId.eq(round_id))
}

/// How many people take part in a round: role holders and those marked present.
async fn taking_part<C: ConnectionTrait>(db: &C, round_id: Uuid) -> Result<usize, AppError> {
    let people = intervision_participant::Entity::find()
        .filter(intervision_participant::Column::RoundId.eq(round_id))
        .all(db)
        .await?;
    Ok(people.iter().filter(|p| takes_part(p)).count())
}

/// The case bringer publishes a de-identified summary of what the group learned as a
/// case summary in the community's knowledge base. Ticking consent is the case
/// bringer's explicit agreement; a summary that copies the case is refused.
pub async fn publish_summary(
    state: &AppState,
    viewer: &Viewer,
    round_id: Uuid,
    form: SummaryForm,
) -> Result<Uuid, AppError> {
    let txn = begin_write(&state.db).await?;
    let access = participant_access(&txn, viewer, round_id).await?;
    access.require(RoundRole::CaseBringer)?;
    ended(&access)?;
    if access.round.summary_artifact_id.is_some() {
        return Err(AppError::Conflict(ErrorKey::StepNotPossible));
    }
    let case = intervision_case::Entity::find_by_id(access.round.case_id).one(&txn).await?;
    let case_texts: Vec<&str> =
        case.as_ref().map(|c| vec![c.situation.as_str(), c.question.as_str()]).unwrap_or_default();
    let (title, body) = form.validate(&case_texts)?;
    let artifact_form = ArtifactForm {
        title,
        kind: ArtifactKind::CaseSummary.as_str().to_string(),
        body,
        tags: "intervisie".to_string(),
        seci_phase: String::new(),
        scope: Scope::Community.as_str().to_string(),
        review_date: String::new(),
    };
    let input = artifact_form.validate(Source::Intervision, today(state))?;
    let at = now();
    let community = access.community(&txn).await?;
    let id =
        insert_artifact(&txn, &community, viewer.id(), &input, Source::Intervision, at + input.kind.review_after(), at)
            .await?;
    intervision_round::Entity::update_many()
        .col_expr(intervision_round::Column::SummaryArtifactId, Expr::value(id))
        .filter(intervision_round::Column::Id.eq(round_id))
        .exec(&txn)
        .await?;
    record_event(&txn, &community, viewer.id(), EventKind::SharedArtifact, at, None, None).await?;
    txn.commit().await?;
    state.hub.publish(round_id);
    Ok(id)
}

pub(crate) fn action_row(
    action: intervision_action::Model,
    names: &HashMap<Uuid, String>,
    viewer: &Viewer,
    today: Date,
) -> ActionRow {
    ActionRow {
        id: action.id,
        round_id: action.round_id,
        owner: action.owner_id.and_then(|id| names.get(&id).cloned()),
        mine: action.owner_id == Some(viewer.id()),
        due: action.outcome.is_none() && action.check_in_on <= today,
        body: action.body,
        check_in_on: crate::ui::day_text(action.check_in_on),
        outcome: action.outcome.as_deref().and_then(|o| Outcome::decode(o).ok()),
        report: action.report,
    }
}

async fn action_rows<C: ConnectionTrait>(
    db: &C,
    actions: Vec<intervision_action::Model>,
    viewer: &Viewer,
    today: Date,
) -> Result<Vec<ActionRow>, AppError> {
    let names = crate::account::service::names_of(db, actions.iter().filter_map(|a| a.owner_id)).await?;
    Ok(actions.into_iter().map(|a| action_row(a, &names, viewer, today)).collect())
}

/// Open actions from earlier rounds in the community, soonest check-in first: what
/// a round looks back on before it starts.
pub(crate) async fn look_back_actions<C: ConnectionTrait>(
    db: &C,
    community_id: Uuid,
    before_round: Uuid,
) -> Result<Vec<intervision_action::Model>, AppError> {
    Ok(intervision_action::Entity::find()
        .filter(intervision_action::Column::CommunityId.eq(community_id))
        .filter(intervision_action::Column::RoundId.ne(before_round))
        .filter(intervision_action::Column::RoundId.in_subquery(rounds_with_text(community_id)))
        .filter(intervision_action::Column::Outcome.is_null())
        .filter(intervision_action::Column::Body.ne(""))
        .order_by_asc(intervision_action::Column::CheckInOn)
        .all(db)
        .await?)
}

/// The viewer's own open actions in these communities, soonest check-in first, each
/// with its community: one query, for their home page. Actions whose case text has
/// expired are empty and left out.
pub async fn open_actions_of<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    community_ids: Vec<Uuid>,
    today: Date,
) -> Result<Vec<(Uuid, ActionRow)>, AppError> {
    let actions = intervision_action::Entity::find()
        .filter(intervision_action::Column::OwnerId.eq(viewer.id()))
        .filter(intervision_action::Column::CommunityId.is_in(community_ids))
        .filter(intervision_action::Column::Outcome.is_null())
        .filter(intervision_action::Column::Body.ne(""))
        .order_by_asc(intervision_action::Column::CheckInOn)
        .order_by_asc(intervision_action::Column::Id)
        .all(db)
        .await?;
    let no_names = HashMap::new();
    Ok(actions.into_iter().map(|a| (a.community_id, action_row(a, &no_names, viewer, today))).collect())
}

/// What an ended round's closing is made of, read once for all its screens.
#[derive(Clone)]
pub(crate) struct ClosingRecords {
    pub actions: Vec<intervision_action::Model>,
    pub evaluations: Vec<intervision_evaluation::Model>,
    pub summary: Option<SummaryLink>,
}

impl ClosingRecords {
    /// Whose names the closing shows.
    pub fn people(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.actions.iter().filter_map(|a| a.owner_id)
    }
}

pub(crate) async fn closing_records<C: ConnectionTrait>(
    db: &C,
    round: &intervision_round::Model,
) -> Result<ClosingRecords, AppError> {
    let actions = intervision_action::Entity::find()
        .filter(intervision_action::Column::RoundId.eq(round.id))
        .order_by_asc(intervision_action::Column::CreatedAt)
        .all(db)
        .await?;
    let evaluations = evaluations_of(round.id).all(db).await?;
    let summary = match round.summary_artifact_id {
        Some(id) => artifact::Entity::find_by_id(id).one(db).await?.map(|a| SummaryLink { id: a.id, title: a.title }),
        None => None,
    };
    Ok(ClosingRecords { actions, evaluations, summary })
}

/// What an ended round shows the viewer at `at`: its actions, the group's evaluation,
/// their own answers and the published summary. Once the case text is gone, so are
/// the actions and what people wrote they learned.
pub(crate) fn closing_of(
    records: &ClosingRecords,
    round: &intervision_round::Model,
    taking_part: usize,
    names: &HashMap<Uuid, String>,
    viewer: &Viewer,
    today: Date,
    at: time::OffsetDateTime,
) -> RoundClosing {
    let gone = crate::intervision::round::service::text_gone(round, at);
    let learned = |e: &intervision_evaluation::Model| if gone { None } else { e.learned.clone() };
    let closed = evaluation_closed(round.ended_at, records.evaluations.len(), taking_part, at);
    let mine = records.evaluations.iter().find(|e| e.user_id == viewer.id()).map(|e| MyEvaluation {
        safe: e.safe as u8,
        useful: e.useful as u8,
        learned: learned(e).unwrap_or_default(),
    });
    let group: Vec<Evaluation> = records
        .evaluations
        .iter()
        .map(|e| Evaluation { safe: e.safe as u8, useful: e.useful as u8, learned: learned(e) })
        .collect();
    let actions = if gone { Vec::new() } else { records.actions.clone() };
    RoundClosing {
        actions: actions.into_iter().map(|a| action_row(a, names, viewer, today)).collect(),
        evaluation: GroupEvaluation::of(&group, closed),
        my_evaluation: mine,
        summary: records.summary.clone(),
        default_check_in: (today + Duration::days(DEFAULT_CHECK_IN_DAYS)).to_string(),
    }
}

/// The community's follow-up history: every action from its rounds, open ones first
/// (soonest check-in first), then reported ones, newest report first.
pub async fn community_follow_ups(
    state: &AppState,
    viewer: &Viewer,
    community_id: Uuid,
) -> Result<Vec<ActionRow>, AppError> {
    intervision_access(&state.db, viewer, community_id).await?;
    follow_up_rows(&state.db, viewer, community_id, today(state)).await
}

/// [`community_follow_ups`] for a community whose access is checked.
pub(crate) async fn follow_up_rows<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    community_id: Uuid,
    today: Date,
) -> Result<Vec<ActionRow>, AppError> {
    action_rows(db, follow_up_actions(db, community_id).await?, viewer, today).await
}

/// The community's actions that still have their text: open ones first, soonest
/// check-in first, then the reported ones, latest report first.
pub(crate) async fn follow_up_actions<C: ConnectionTrait>(
    db: &C,
    community_id: Uuid,
) -> Result<Vec<intervision_action::Model>, AppError> {
    let mut actions = intervision_action::Entity::find()
        .filter(intervision_action::Column::CommunityId.eq(community_id))
        .filter(intervision_action::Column::RoundId.in_subquery(rounds_with_text(community_id)))
        .filter(intervision_action::Column::Body.ne(""))
        .all(db)
        .await?;
    actions.sort_by(|a, b| match (a.reported_at, b.reported_at) {
        (None, None) => a.check_in_on.cmp(&b.check_in_on),
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => y.cmp(&x),
    });
    Ok(actions)
}

/// The community's rounds whose text has neither expired nor been purged.
fn rounds_with_text(community_id: Uuid) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(intervision_round::Column::Id)
        .from(intervision_round::Entity)
        .and_where(intervision_round::Column::CommunityId.eq(community_id))
        .and_where(intervision_round::Column::PurgedAt.is_null())
        .and_where(intervision_round::Column::ExpiresAt.gt(now()))
        .to_owned()
}

/// Empties the text of actions and evaluations of rounds whose time is up; outcomes
/// and scores stay for the counts.
pub async fn purge_rounds<C: ConnectionTrait>(db: &C, rounds: &[Uuid]) -> Result<(), AppError> {
    intervision_action::Entity::update_many()
        .col_expr(intervision_action::Column::Body, Expr::value(""))
        .col_expr(intervision_action::Column::Report, Expr::value(Option::<String>::None))
        .filter(intervision_action::Column::RoundId.is_in(rounds.to_vec()))
        .exec(db)
        .await?;
    intervision_evaluation::Entity::update_many()
        .col_expr(intervision_evaluation::Column::Learned, Expr::value(Option::<String>::None))
        .filter(intervision_evaluation::Column::RoundId.is_in(rounds.to_vec()))
        .exec(db)
        .await?;
    Ok(())
}

/// How long after its check-in date an unreported action is still worth a reminder
/// (older ones were due before reminders existed, or their owner was away).
const REMIND_UP_TO_DAYS_LATE: i64 = 7;

/// Reminds the owner of each unreported action on its check-in date, in the app and by
/// email unless they turned that kind off; once per action, while they still belong to
/// the community and the action still has its text. Run by the server's housekeeping.
/// Returns how many were reminded.
pub async fn send_check_in_reminders(state: &AppState) -> Result<usize, AppError> {
    let db = &state.db;
    let today = today(state);
    let due = intervision_action::Entity::find()
        .filter(intervision_action::Column::RemindedAt.is_null())
        .filter(intervision_action::Column::ReportedAt.is_null())
        .filter(intervision_action::Column::CheckInOn.lte(today))
        .filter(intervision_action::Column::CheckInOn.gte(today - Duration::days(REMIND_UP_TO_DAYS_LATE)))
        .filter(intervision_action::Column::OwnerId.is_not_null())
        .filter(intervision_action::Column::Body.ne(""))
        .all(db)
        .await?;
    let at = now();
    let mut reminded = 0;
    for action in due {
        let Some(owner) = action.owner_id else { continue };
        // Taken before it is sent, so a retry never reminds twice.
        let taken = intervision_action::Entity::update_many()
            .col_expr(intervision_action::Column::RemindedAt, Expr::value(at))
            .filter(intervision_action::Column::Id.eq(action.id))
            .filter(intervision_action::Column::RemindedAt.is_null())
            .exec(db)
            .await?;
        if taken.rows_affected != 1 || !active_member_ids(db, action.community_id, None).await?.contains(&owner) {
            continue;
        }
        let notice = Notice {
            kind: NoticeKind::ActionCheckIn,
            community_id: action.community_id,
            meeting_id: None,
            artifact_id: None,
            actor_id: None,
        };
        notify(state, notice, &[owner]).await?;
        reminded += 1;
    }
    Ok(reminded)
}
