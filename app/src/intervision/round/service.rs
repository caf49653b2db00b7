//! Rounds on the server: planned by a facilitator, run by the round lead, seen only by
//! the people who took part (everyone else, school leaders and admins included, gets
//! `NotFound`). Every change is stored first and then announced on the hub, so a
//! screen that reloads always sees what was committed.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, JoinType, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::api::{MemberOption, MethodOption, RoundPlanning, RoundRow, RoundView};
use super::domain::{Command, Reader, Refusal, RoundState, Status, may_see};
use super::plan::{PastRole, Roles, RoundRole, Warmth, clean_contribution, may_write, suggest_roles};
use super::plan::{takes_choice, takes_warmth};
use super::snapshot::Step;
use super::takeover::{TakeoverRefusal, Taker, clean_notes, may_command, may_take_over};
use crate::account::session::Viewer;
use crate::db::entities::intervision_lead_change;
use crate::db::entities::intervision_round;
use crate::db::entities::{community, intervision_case, intervision_contribution, intervision_participant};
use crate::db::{begin_write, now};
use crate::error::{AppError, ErrorKey, Validation};
use crate::intervision::case::domain::{CaseStatus, in_vote_order};
use crate::intervision::case::service;
use crate::intervision::case::service::{intervision_access, takes_part_in_intervision};
use crate::intervision::closing::service as closing;
use crate::intervision::method::catalogue::suitable;
use crate::intervision::method::domain::Method;
use crate::intervision::method::library as method_library;
use crate::membership::domain::CommunityRole;
use crate::membership::service::{active_roles, facilitator_access, membership_of};
use crate::participation::domain::EventKind;
use crate::participation::service::record_event;
use crate::state::AppState;

/// What a facilitator chose when planning a round.
#[derive(Debug, Clone)]
pub struct PlanForm {
    pub case_id: Uuid,
    pub method_key: String,
    pub lead_id: Uuid,
    pub timekeeper_id: Option<Uuid>,
    pub note_taker_id: Option<Uuid>,
}

/// Milliseconds since the epoch, the clock the round state counts in.
pub fn millis(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

/// Members who can take part in rounds: active, not guests.
pub(crate) async fn round_members<C: ConnectionTrait>(db: &C, community_id: Uuid) -> Result<Vec<Uuid>, AppError> {
    Ok(round_member_roles(db, community_id).await?.into_iter().map(|(id, _)| id).collect())
}

/// [`round_members`] with their role in the community (facilitator or member).
pub(crate) async fn round_member_roles<C: ConnectionTrait>(
    db: &C,
    community_id: Uuid,
) -> Result<Vec<(Uuid, CommunityRole)>, AppError> {
    active_roles(db, community_id, &[CommunityRole::Facilitator, CommunityRole::Member]).await
}

async fn names<C: ConnectionTrait>(db: &C, ids: Vec<Uuid>) -> Result<HashMap<Uuid, String>, AppError> {
    crate::account::service::names_of(db, ids).await
}

async fn rounds_held<C: ConnectionTrait>(db: &C, community_id: Uuid) -> Result<u64, AppError> {
    Ok(intervision_round::Entity::find()
        .filter(intervision_round::Column::CommunityId.eq(community_id))
        .filter(intervision_round::Column::Status.eq("ended"))
        .count(db)
        .await?)
}

/// What the plan form offers: the open cases, the members, suggested methods and roles.
pub async fn planning(db: &DatabaseConnection, viewer: &Viewer, community_id: Uuid) -> Result<RoundPlanning, AppError> {
    let community = facilitator_access(db, viewer, community_id).await?;
    let cases = intervision_case::Entity::find()
        .filter(intervision_case::Column::CommunityId.eq(community_id))
        .filter(intervision_case::Column::Status.eq(CaseStatus::Open.as_str()))
        .filter(intervision_case::Column::PurgedAt.is_null())
        .order_by_asc(intervision_case::Column::CreatedAt)
        .all(db)
        .await?;
    let member_ids = round_members(db, community_id).await?;
    let names = names(db, member_ids.clone()).await?;
    let mut members: Vec<MemberOption> = member_ids
        .iter()
        .map(|id| MemberOption { id: *id, name: names.get(id).cloned().unwrap_or_default() })
        .collect();
    members.sort_by(|a, b| a.name.cmp(&b.name));
    let ordered: Vec<Uuid> = members.iter().map(|m| m.id).collect();
    let history = past_roles(db, community_id).await?;
    let held = rounds_held(db, community_id).await?;
    let suggested = suitable(held as u32);
    let methods = method_library::offered(db, community.organisation_id)
        .await?
        .into_iter()
        .map(|(id, adapted, m)| MethodOption { id, adapted, suggested: suggested.contains(&m.key.as_str()), method: m })
        .collect();
    let votes = service::open_votes(db, community_id).await?;
    let cases = in_vote_order(
        cases
            .into_iter()
            .map(|c| {
                let n = votes.get(&c.id).copied().unwrap_or(0);
                (c, n)
            })
            .collect(),
    );
    let cases = cases
        .into_iter()
        .map(|(case, votes)| {
            let bringer = case.author_id.unwrap_or_default();
            let [lead, timekeeper, note_taker] = suggest_roles(&ordered, bringer, &history);
            super::api::PlannableCase {
                id: case.id,
                title: case.title,
                author: case.author_id.and_then(|id| names.get(&id).cloned()),
                votes,
                suggested_lead: lead,
                suggested_timekeeper: timekeeper,
                suggested_note_taker: note_taker,
            }
        })
        .collect();
    Ok(RoundPlanning { community_id, community_name: community.name, rounds_held: held, cases, members, methods })
}

async fn past_roles<C: ConnectionTrait>(db: &C, community_id: Uuid) -> Result<Vec<PastRole>, AppError> {
    let rounds: HashMap<Uuid, OffsetDateTime> = intervision_round::Entity::find()
        .filter(intervision_round::Column::CommunityId.eq(community_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.started_at.unwrap_or(r.created_at)))
        .collect();
    let rows = intervision_participant::Entity::find()
        .filter(intervision_participant::Column::RoundId.is_in(rounds.keys().copied().collect::<Vec<_>>()))
        .filter(intervision_participant::Column::Role.ne(RoundRole::Participant.as_str()))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|p| {
            Some(PastRole { user: p.user_id, role: RoundRole::decode(&p.role).ok()?, at: *rounds.get(&p.round_id)? })
        })
        .collect())
}

/// Plans a round on an open case; the case is then no longer open. The round lead,
/// the case bringer, the timekeeper, the note taker and the facilitator who planned it
/// take part; the other members join when the round lead marks them present.
pub async fn plan(
    db: &DatabaseConnection,
    viewer: &Viewer,
    community_id: Uuid,
    form: PlanForm,
) -> Result<Uuid, AppError> {
    let txn = begin_write(db).await?;
    let community = facilitator_access(&txn, viewer, community_id).await?;
    let case = intervision_case::Entity::find_by_id(form.case_id)
        .filter(intervision_case::Column::CommunityId.eq(community_id))
        .filter(intervision_case::Column::PurgedAt.is_null())
        .one(&txn)
        .await?;
    let method = method_library::chosen(&txn, community.organisation_id, &form.method_key).await?;
    let mut check = Validation::new();
    check.check("case_id", if case.is_some() { Ok(()) } else { Err(ErrorKey::InvalidChoice) });
    check.check("method_key", if method.is_some() { Ok(()) } else { Err(ErrorKey::InvalidChoice) });
    check.finish()?;
    let (Some(case), Some(method)) = (case, method) else { return Err(AppError::Internal) };
    if case.status != CaseStatus::Open.as_str() {
        return Err(AppError::Conflict(ErrorKey::CaseChanged));
    }
    let Some(case_bringer) = case.author_id else { return Err(AppError::field("case_id", ErrorKey::InvalidChoice)) };
    let members = round_members(&txn, community_id).await?;
    if !members.contains(&case_bringer) {
        return Err(AppError::field("case_id", ErrorKey::InvalidChoice));
    }
    let roles =
        Roles { lead: form.lead_id, case_bringer, timekeeper: form.timekeeper_id, note_taker: form.note_taker_id };
    roles.validate(&members)?;

    let at = now();
    let id = Uuid::now_v7();
    let state = RoundState::default();
    intervision_round::ActiveModel {
        id: Set(id),
        community_id: Set(community_id),
        case_id: Set(case.id),
        method_key: Set(method.key.clone()),
        method: Set(method.to_json()),
        state: Set(serde_json::to_string(&state).map_err(internal)?),
        version: Set(0),
        status: Set(status_str(state.status).to_string()),
        planned_by: Set(Some(viewer.id())),
        created_at: Set(at),
        started_at: Set(None),
        ended_at: Set(None),
        expires_at: Set(case.expires_at),
        purged_at: Set(None),
        summary_artifact_id: Set(None),
        lead_seen_at: Set(None),
        notes: Set(None),
    }
    .insert(&txn)
    .await?;
    intervision_participant::Entity::insert_many(members.iter().map(|user_id| {
        let role = roles.role_of(*user_id);
        intervision_participant::ActiveModel {
            id: Set(Uuid::now_v7()),
            round_id: Set(id),
            user_id: Set(*user_id),
            role: Set(role.as_str().to_string()),
            present: Set(role != RoundRole::Participant || *user_id == viewer.id()),
        }
    }))
    .exec(&txn)
    .await?;
    let mut case: intervision_case::ActiveModel = case.into();
    case.status = Set(CaseStatus::Discussed.as_str().to_string());
    case.updated_at = Set(at);
    case.update(&txn).await?;
    txn.commit().await?;
    Ok(id)
}

pub(crate) fn internal(err: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %err, "round data could not be (de)serialised");
    AppError::Internal
}

pub(crate) fn status_str(status: Status) -> &'static str {
    match status {
        Status::Waiting => "waiting",
        Status::Running => "running",
        Status::Paused => "paused",
        Status::Ended => "ended",
    }
}

/// The inverse of [`status_str`]; an unknown value counts as ended.
fn status_of(column: &str) -> Status {
    [Status::Waiting, Status::Running, Status::Paused]
        .into_iter()
        .find(|s| status_str(*s) == column)
        .unwrap_or(Status::Ended)
}

/// A round as one participant may see it.
pub(crate) struct Access {
    pub round: intervision_round::Model,
    pub me: intervision_participant::Model,
    pub method: Method,
    pub state: RoundState,
}

impl Access {
    fn role(&self) -> Result<RoundRole, AppError> {
        RoundRole::decode(&self.me.role)
    }

    /// The round's community, read only where needed (a step does without).
    pub async fn community<C: ConnectionTrait>(&self, db: &C) -> Result<community::Model, AppError> {
        community::Entity::find_by_id(self.round.community_id).one(db).await?.ok_or(AppError::NotFound)
    }

    pub fn require(&self, role: RoundRole) -> Result<(), AppError> {
        if self.role()? == role { Ok(()) } else { Err(AppError::NotFound) }
    }
}

/// The round, if the viewer took part in it: an active member of its community who
/// holds a role or was marked present.
pub(crate) async fn participant_access<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    round_id: Uuid,
) -> Result<Access, AppError> {
    crate::shared::record_in_request("round", round_id);
    // The round with the viewer's place in it and their membership, in one read.
    let of_round = intervision_participant::Entity::belongs_to(intervision_round::Entity)
        .from(intervision_participant::Column::RoundId)
        .to(intervision_round::Column::Id);
    let (me, round) = intervision_participant::Entity::find()
        .join(JoinType::InnerJoin, of_round.into())
        .filter(intervision_participant::Column::RoundId.eq(round_id))
        .filter(intervision_participant::Column::UserId.eq(viewer.id()))
        .filter(takes_part_in_intervision(viewer, (intervision_round::Entity, intervision_round::Column::CommunityId)))
        .select_also(intervision_round::Entity)
        .one(db)
        .await?
        .filter(|(me, _)| takes_part(me))
        .ok_or(AppError::NotFound)?;
    let round = round.ok_or(AppError::NotFound)?;
    crate::shared::record_in_request("community", round.community_id);
    let method = Method::from_json(&round.method).map_err(|problem| internal(format!("{problem:?}")))?;
    let state: RoundState = serde_json::from_str(&round.state).map_err(internal)?;
    Ok(Access { round, me, method, state })
}

/// The round as the viewer may see it now.
pub async fn view(state: &AppState, viewer: &Viewer, round_id: Uuid) -> Result<RoundView, AppError> {
    crate::shared::record_in_request("round", round_id);
    let snapshot = super::snapshot::load(&state.db, round_id).await?;
    super::snapshot::view_of(&snapshot, viewer, closing::today(state), now())
}

/// Whether someone takes part in a round: they hold a role or were marked present.
pub(crate) fn takes_part(person: &intervision_participant::Model) -> bool {
    person.present || person.role != RoundRole::Participant.as_str()
}

fn refusal_error(refusal: Refusal) -> AppError {
    AppError::Conflict(match refusal {
        Refusal::TimeLeft { .. } => ErrorKey::TimeLeft,
        _ => ErrorKey::StepNotPossible,
    })
}

/// The round lead's step, or the timekeeper's pause, resume or extension.
/// `seen_version` is the version their screen showed: a step decided on an old screen
/// (a double click, a second lead tab, a lead who was taken over from) is refused.
pub async fn command(
    state: &AppState,
    viewer: &Viewer,
    round_id: Uuid,
    seen_version: u64,
    command: Command,
) -> Result<RoundView, AppError> {
    // The checks read outside any transaction (each read on its own, none waiting for
    // a writer): the update below applies only to the version they saw, so a step, a
    // takeover or an undo in between refuses it.
    let access = participant_access(&state.db, viewer, round_id).await?;
    // A step decided on an old screen first: a lead who was taken over from learns
    // that the round moved on (their screen then shows who leads now).
    if access.state.version != seen_version {
        return Err(AppError::Conflict(ErrorKey::RoundChanged));
    }
    let role = access.role()?;
    if !may_command(role, command) {
        return Err(AppError::NotFound);
    }
    let at = now();
    let next = access.state.apply(&access.method.phases, command, millis(at)).map_err(refusal_error)?;
    let step = Step {
        stored: serde_json::to_string(&next).map_err(internal)?,
        started_at: (access.round.started_at.is_none() && next.status != Status::Waiting).then_some(at),
        ended_at: (next.status == Status::Ended).then_some(at),
        // A lead stepping without JavaScript (no live screen) is here too.
        lead_seen_at: (role == RoundRole::Lead).then_some(at),
        state: next,
    };
    let mut update = intervision_round::Entity::update_many()
        .col_expr(intervision_round::Column::State, Expr::value(step.stored.clone()))
        .col_expr(intervision_round::Column::Version, Expr::value(step.state.version as i64))
        .col_expr(intervision_round::Column::Status, Expr::value(status_str(step.state.status)));
    if let Some(started) = step.started_at {
        update = update.col_expr(intervision_round::Column::StartedAt, Expr::value(started));
    }
    if let Some(ended) = step.ended_at {
        update = update.col_expr(intervision_round::Column::EndedAt, Expr::value(ended));
    }
    if let Some(seen) = step.lead_seen_at {
        update = update.col_expr(intervision_round::Column::LeadSeenAt, Expr::value(seen));
    }
    let update = update
        .filter(intervision_round::Column::Id.eq(round_id))
        .filter(intervision_round::Column::Version.eq(access.state.version as i64));
    if step.state.status == Status::Ended {
        let txn = begin_write(&state.db).await?;
        if update.exec(&txn).await?.rows_affected != 1 {
            return Err(AppError::Conflict(ErrorKey::RoundChanged));
        }
        record_participation(&txn, &access, at).await?;
        txn.commit().await?;
    } else if update.exec(&state.db).await?.rows_affected != 1 {
        // One statement: it holds SQLite's write lock for itself alone.
        return Err(AppError::Conflict(ErrorKey::RoundChanged));
    }
    let version = step.state.version;
    super::feed::announce_step(state, round_id, &access.state, &step);
    super::feed::view_after_step(state, viewer, round_id, version).await
}

/// Takes over the lead of a round whose lead's screens have been gone for a while
/// ([`may_take_over`]): the viewer becomes the lead, the old lead a participant. The
/// change is recorded and pushed to every screen; a step decided on the old lead's
/// screen is then refused.
pub async fn take_over(state: &AppState, viewer: &Viewer, round_id: Uuid) -> Result<RoundView, AppError> {
    let txn = begin_write(&state.db).await?;
    let access = participant_access(&txn, viewer, round_id).await?;
    let membership = membership_of(&txn, access.round.community_id, viewer.id()).await?.ok_or(AppError::NotFound)?;
    let taker = Taker {
        role: access.role()?,
        is_facilitator: CommunityRole::decode(&membership.role)? == CommunityRole::Facilitator,
    };
    let at = now();
    let lead_seen = access.round.lead_seen_at.map(millis);
    may_take_over(taker, access.method.timekeeper_may_lead(), access.state.status, lead_seen, millis(at))
        .map_err(TakeoverRefusal::error)?;
    let next = access.state.handed_over();
    let stored = intervision_round::Entity::update_many()
        .col_expr(intervision_round::Column::State, Expr::value(serde_json::to_string(&next).map_err(internal)?))
        .col_expr(intervision_round::Column::Version, Expr::value(next.version as i64))
        // The new lead is here: their screen keeps this fresh from now on.
        .col_expr(intervision_round::Column::LeadSeenAt, Expr::value(at))
        .filter(intervision_round::Column::Id.eq(round_id))
        .filter(intervision_round::Column::Version.eq(access.state.version as i64))
        .exec(&txn)
        .await?;
    if stored.rows_affected != 1 {
        return Err(AppError::Conflict(ErrorKey::RoundChanged));
    }
    let old_lead = intervision_participant::Entity::find()
        .filter(intervision_participant::Column::RoundId.eq(round_id))
        .filter(intervision_participant::Column::Role.eq(RoundRole::Lead.as_str()))
        .one(&txn)
        .await?;
    if let Some(old) = &old_lead {
        let mut old: intervision_participant::ActiveModel = old.clone().into();
        old.role = Set(RoundRole::Participant.as_str().to_string());
        old.present = Set(true);
        old.update(&txn).await?;
    }
    let mut me: intervision_participant::ActiveModel = access.me.clone().into();
    me.role = Set(RoundRole::Lead.as_str().to_string());
    me.present = Set(true);
    me.update(&txn).await?;
    intervision_lead_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        round_id: Set(round_id),
        from_user: Set(old_lead.map(|old| old.user_id)),
        to_user: Set(Some(viewer.id())),
        at: Set(at),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    tracing::info!(round = %round_id, "the round lead was taken over");
    state.hub.publish(round_id);
    super::feed::view_after_change(state, viewer, round_id).await
}

/// An open screen of the round lead is connected: they do not count as gone. No
/// announcement: nothing anyone sees changes unless they were gone (then the caller
/// announces it).
pub(crate) async fn lead_is_here(db: &DatabaseConnection, round_id: Uuid, at: OffsetDateTime) -> Result<(), AppError> {
    intervision_round::Entity::update_many()
        .col_expr(intervision_round::Column::LeadSeenAt, Expr::value(at))
        .filter(intervision_round::Column::Id.eq(round_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The note taker writes down what the case bringer will want to keep (questions,
/// advice, what struck them); the case bringer gets the notes when the round ends, and
/// they expire with the case.
pub async fn save_notes(state: &AppState, viewer: &Viewer, round_id: Uuid, notes: &str) -> Result<(), AppError> {
    let notes = clean_notes(notes)?;
    let txn = begin_write(&state.db).await?;
    let access = participant_access(&txn, viewer, round_id).await?;
    access.require(RoundRole::NoteTaker)?;
    if text_gone(&access.round, now()) {
        return Err(AppError::Conflict(ErrorKey::StepNotPossible));
    }
    intervision_round::Entity::update_many()
        .col_expr(intervision_round::Column::Notes, Expr::value((!notes.is_empty()).then_some(notes)))
        .filter(intervision_round::Column::Id.eq(round_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    state.hub.publish(round_id);
    Ok(())
}

/// At the end of a round: who brought the case, who held a role, who wrote something,
/// and who took part by listening.
async fn record_participation<C: ConnectionTrait>(db: &C, access: &Access, at: OffsetDateTime) -> Result<(), AppError> {
    let people = intervision_participant::Entity::find()
        .filter(intervision_participant::Column::RoundId.eq(access.round.id))
        .all(db)
        .await?;
    let writers: Vec<Uuid> = intervision_contribution::Entity::find()
        .filter(intervision_contribution::Column::RoundId.eq(access.round.id))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|c| c.author_id)
        .collect();
    let community = access.community(db).await?;
    for person in people {
        let role = RoundRole::decode(&person.role)?;
        if role == RoundRole::Participant && !person.present {
            continue;
        }
        let wrote = writers.contains(&person.user_id);
        let kind = match role {
            RoundRole::CaseBringer => Some(EventKind::BroughtCase),
            RoundRole::Lead | RoundRole::Timekeeper | RoundRole::NoteTaker => Some(EventKind::TookRole),
            RoundRole::Participant if !wrote => Some(EventKind::ObservedRound),
            RoundRole::Participant => None,
        };
        if let Some(kind) = kind {
            record_event(db, &community, person.user_id, kind, at, None, None).await?;
        }
        if wrote {
            record_event(db, &community, person.user_id, EventKind::Contributed, at, None, None).await?;
        }
    }
    Ok(())
}

/// A participant writes in the current phase, if the phase collects something and
/// the method gives them a voice in it.
pub async fn contribute(state: &AppState, viewer: &Viewer, round_id: Uuid, body: &str) -> Result<Uuid, AppError> {
    let body = clean_contribution(body)?;
    let txn = begin_write(&state.db).await?;
    let access = participant_access(&txn, viewer, round_id).await?;
    if !matches!(access.state.status, Status::Running | Status::Paused) {
        return Err(AppError::Conflict(ErrorKey::StepNotPossible));
    }
    let phase = access.method.phases.get(access.state.phase).ok_or(AppError::Internal)?;
    if !may_write(phase, access.role()?) {
        return Err(AppError::Conflict(ErrorKey::NotWritingPhase));
    }
    let id = Uuid::now_v7();
    intervision_contribution::ActiveModel {
        id: Set(id),
        round_id: Set(round_id),
        phase: Set(access.state.phase as i32),
        author_id: Set(Some(viewer.id())),
        body: Set(body),
        warmth: Set(None),
        answer: Set(None),
        chosen: Set(false),
        created_at: Set(now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    state.hub.publish(round_id);
    Ok(id)
}

/// How the case bringer responds to a contribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    Warmth(Option<Warmth>),
    Answer(String),
    Chosen(bool),
}

/// The case bringer rates or answers a question, or chooses advice to act on; only
/// for contributions they can see, in phases that take such a response.
pub async fn respond_to(
    state: &AppState,
    viewer: &Viewer,
    contribution_id: Uuid,
    response: Response,
) -> Result<(), AppError> {
    let txn = begin_write(&state.db).await?;
    let contribution =
        intervision_contribution::Entity::find_by_id(contribution_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let access = participant_access(&txn, viewer, contribution.round_id).await?;
    let phase_index = contribution.phase.max(0) as usize;
    let reader = Reader { is_author: contribution.author_id == Some(viewer.id()), is_case_bringer: true };
    if !may_see(&access.method.phases, &access.state, phase_index, reader) {
        return Err(AppError::NotFound);
    }
    access.require(RoundRole::CaseBringer)?;
    if access.state.status == Status::Waiting {
        return Err(AppError::Conflict(ErrorKey::StepNotPossible));
    }
    let phase = access.method.phases.get(phase_index).ok_or(AppError::NotFound)?;
    let round_id = contribution.round_id;
    let mut active: intervision_contribution::ActiveModel = contribution.into();
    match response {
        Response::Warmth(warmth) if takes_warmth(phase) => active.warmth = Set(warmth.map(|w| w.as_str().to_string())),
        Response::Answer(answer) if takes_warmth(phase) => {
            let answer = answer.replace("\r\n", "\n").trim().to_string();
            let length = if answer.chars().count() > super::plan::ANSWER_MAX { Err(ErrorKey::TooLong) } else { Ok(()) };
            Validation::new().check("answer", length).finish()?;
            active.answer = Set((!answer.is_empty()).then_some(answer));
        }
        Response::Chosen(chosen) if takes_choice(phase) => active.chosen = Set(chosen),
        _ => return Err(AppError::Conflict(ErrorKey::StepNotPossible)),
    }
    active.update(&txn).await?;
    txn.commit().await?;
    state.hub.publish(round_id);
    Ok(())
}

/// The round lead marks a member present (they can then open the round) or not.
pub async fn set_present(
    state: &AppState,
    viewer: &Viewer,
    round_id: Uuid,
    user_id: Uuid,
    present: bool,
) -> Result<(), AppError> {
    let txn = begin_write(&state.db).await?;
    let access = participant_access(&txn, viewer, round_id).await?;
    access.require(RoundRole::Lead)?;
    if access.state.status == Status::Ended {
        return Err(AppError::Conflict(ErrorKey::StepNotPossible));
    }
    let person = intervision_participant::Entity::find()
        .filter(intervision_participant::Column::RoundId.eq(round_id))
        .filter(intervision_participant::Column::UserId.eq(user_id))
        .filter(intervision_participant::Column::Role.eq(RoundRole::Participant.as_str()))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::field("user_id", ErrorKey::InvalidChoice))?;
    let mut active: intervision_participant::ActiveModel = person.into();
    active.present = Set(present);
    active.update(&txn).await?;
    txn.commit().await?;
    state.hub.publish(round_id);
    Ok(())
}

/// The community's rounds. Everyone in the community sees that a round took place,
/// with its method and how many took part; only those who took part see its case.
pub async fn community_rounds(
    db: &DatabaseConnection,
    viewer: &Viewer,
    community_id: Uuid,
) -> Result<Vec<RoundRow>, AppError> {
    intervision_access(db, viewer, community_id).await?;
    round_rows(db, viewer, community_id).await
}

/// [`community_rounds`] for a community whose access is checked.
pub(crate) async fn round_rows<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    community_id: Uuid,
) -> Result<Vec<RoundRow>, AppError> {
    let (rounds, people) = rounds_with_people(db, community_id).await?;
    let at = now();
    let case_ids: Vec<Uuid> = rounds.iter().filter(|r| !text_gone(r, at)).map(|r| r.case_id).collect();
    let case_titles: HashMap<Uuid, String> = intervision_case::Entity::find()
        .select_only()
        .column(intervision_case::Column::Id)
        .column(intervision_case::Column::Title)
        .filter(intervision_case::Column::Id.is_in(case_ids))
        .filter(intervision_case::Column::PurgedAt.is_null())
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(rows_of_rounds(rounds, &people, &case_titles, viewer))
}

/// The community's rounds, newest first, with everyone who had a part in them.
pub(crate) async fn rounds_with_people<C: ConnectionTrait>(
    db: &C,
    community_id: Uuid,
) -> Result<(Vec<intervision_round::Model>, Vec<intervision_participant::Model>), AppError> {
    let rounds = intervision_round::Entity::find()
        .filter(intervision_round::Column::CommunityId.eq(community_id))
        .order_by_desc(intervision_round::Column::CreatedAt)
        .all(db)
        .await?;
    if rounds.is_empty() {
        return Ok((rounds, Vec::new()));
    }
    let people = intervision_participant::Entity::find()
        .filter(intervision_participant::Column::RoundId.is_in(rounds.iter().map(|r| r.id)))
        .all(db)
        .await?;
    Ok((rounds, people))
}

/// The rows of [`round_rows`]; `case_titles` holds the titles of cases that still have
/// their text. Only those who took part see which case a round was about.
pub(crate) fn rows_of_rounds(
    rounds: Vec<intervision_round::Model>,
    people: &[intervision_participant::Model],
    case_titles: &HashMap<Uuid, String>,
    viewer: &Viewer,
) -> Vec<RoundRow> {
    let at = now();
    rounds
        .into_iter()
        .map(|round| {
            let taking_part: Vec<&intervision_participant::Model> =
                people.iter().filter(|p| p.round_id == round.id && takes_part(p)).collect();
            let mine = taking_part.iter().any(|p| p.user_id == viewer.id());
            let method = Method::from_json(&round.method).ok();
            RoundRow {
                id: round.id,
                case_title: case_titles.get(&round.case_id).filter(|_| mine && !text_gone(&round, at)).cloned(),
                method_name: method.map(|m| m.name).unwrap_or_default(),
                status: status_of(&round.status),
                took_part: mine,
                people: taking_part.len() as u32,
                created_at: round.created_at,
            }
        })
        .collect()
}

/// Whether what was written in a round is gone: purged, or expired and waiting for
/// housekeeping to purge it (pages never show expired text in between).
pub(crate) fn text_gone(round: &intervision_round::Model, at: OffsetDateTime) -> bool {
    round.purged_at.is_some() || round.expires_at <= at
}

/// Deletes what was written in rounds whose time is up and marks them purged; the
/// method, the roles and the counts stay. Returns how many rounds.
pub async fn purge_expired(db: &DatabaseConnection, at: OffsetDateTime) -> Result<usize, AppError> {
    let txn = begin_write(db).await?;
    let expired: Vec<Uuid> = intervision_round::Entity::find()
        .filter(intervision_round::Column::ExpiresAt.lte(at))
        .filter(intervision_round::Column::PurgedAt.is_null())
        .all(&txn)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    if expired.is_empty() {
        return Ok(0);
    }
    intervision_contribution::Entity::delete_many()
        .filter(intervision_contribution::Column::RoundId.is_in(expired.clone()))
        .exec(&txn)
        .await?;
    intervision_round::Entity::update_many()
        .col_expr(intervision_round::Column::PurgedAt, Expr::value(at))
        .col_expr(intervision_round::Column::Notes, Expr::value(Option::<String>::None))
        .filter(intervision_round::Column::Id.is_in(expired.clone()))
        .exec(&txn)
        .await?;
    closing::purge_rounds(&txn, &expired).await?;
    txn.commit().await?;
    crate::db::forget_deleted(db).await;
    Ok(expired.len())
}
