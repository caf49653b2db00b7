//! Cases on the server: submitted, listed, voted on and withdrawn by members of the
//! community only (everyone else, school leaders and admins included, gets
//! `NotFound`), and emptied when they expire, after the time the community keeps them.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, IntoColumnRef, Query, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::api::{CaseList, CaseRow};
use super::domain::{CaseForm, CaseKeeping, CaseStatus};
use crate::account::session::Viewer;
use crate::db::entities::{
    community, community_member, intervision_action, intervision_case, intervision_case_vote, intervision_participant,
    intervision_round,
};
use crate::db::{begin_write, now};
use crate::error::AppError;
use crate::intervision::card::IntervisionCard;
use crate::membership::domain::{CommunityRole, MembershipStatus};
use crate::membership::service::facilitator_access;
use crate::state::AppState;

/// The community, if the viewer is one of its members or facilitators. Guests take
/// part in the community's meetings and knowledge base, not in its intervision.
pub(crate) async fn intervision_access<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    community_id: Uuid,
) -> Result<community::Model, AppError> {
    crate::shared::record_in_request("community", community_id);
    community::Entity::find_by_id(community_id)
        .filter(takes_part_in_intervision(viewer, (community::Entity, community::Column::Id)))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The rule of [`intervision_access`] as a condition on a query that has the
/// community's id in `community_id`: an active member who is not a guest. A query
/// can so check it along with what it guards, in one statement.
pub(crate) fn takes_part_in_intervision(viewer: &Viewer, community_id: impl IntoColumnRef) -> SimpleExpr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(community_member::Entity)
            .and_where(community_member::Column::CommunityId.into_expr().equals(community_id))
            .and_where(community_member::Column::UserId.eq(viewer.id()))
            .and_where(community_member::Column::Status.eq(MembershipStatus::Active.as_str()))
            .and_where(community_member::Column::Role.ne(CommunityRole::Guest.as_str()))
            .to_owned(),
    )
}

pub async fn submit(
    db: &DatabaseConnection,
    viewer: &Viewer,
    community_id: Uuid,
    form: CaseForm,
) -> Result<Uuid, AppError> {
    let input = form.validate()?;
    let txn = begin_write(db).await?;
    let community = intervision_access(&txn, viewer, community_id).await?;
    let at = now();
    let id = Uuid::now_v7();
    intervision_case::ActiveModel {
        id: Set(id),
        community_id: Set(community_id),
        author_id: Set(Some(viewer.id())),
        title: Set(input.title),
        situation: Set(input.situation),
        question: Set(input.question),
        status: Set(CaseStatus::Open.as_str().to_string()),
        expires_at: Set(keeping_of(&community)?.expires_at(at)),
        purged_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// The community's cases that still have their text, newest first.
pub async fn community_cases(
    db: &DatabaseConnection,
    viewer: &Viewer,
    community_id: Uuid,
) -> Result<CaseList, AppError> {
    let community = intervision_access(db, viewer, community_id).await?;
    case_list(db, viewer, community).await
}

/// [`community_cases`] for a community whose access is checked.
pub(crate) async fn case_list<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    community: community::Model,
) -> Result<CaseList, AppError> {
    let (cases, votes) = cases_with_votes(db, community.id).await?;
    let authors = crate::account::service::names_of(db, cases.iter().filter_map(|c| c.author_id)).await?;
    Ok(case_rows(community, cases, &votes, &authors, viewer))
}

/// The community's cases that still have their text and have not expired (housekeeping
/// may not have emptied them yet), newest first, and their votes (a purged case's votes
/// are deleted with its text), read in one query.
async fn cases_with_votes<C: ConnectionTrait>(
    db: &C,
    community_id: Uuid,
) -> Result<(Vec<intervision_case::Model>, Vec<intervision_case_vote::Model>), AppError> {
    let rows = intervision_case::Entity::find()
        .filter(intervision_case::Column::CommunityId.eq(community_id))
        .filter(intervision_case::Column::PurgedAt.is_null())
        .filter(intervision_case::Column::ExpiresAt.gt(now()))
        .order_by_desc(intervision_case::Column::CreatedAt)
        .find_with_related(intervision_case_vote::Entity)
        .all(db)
        .await?;
    let mut votes = Vec::new();
    let cases = rows
        .into_iter()
        .map(|(case, case_votes)| {
            votes.extend(case_votes);
            case
        })
        .collect();
    Ok((cases, votes))
}

/// What members may see of the community's cases before a round: open cases with
/// their title, question and votes (the situation only for its bringer), a withdrawn
/// case only for its bringer, and no discussed case (its round shows it to those who
/// took part). The JSON obeys this, not just the page.
fn case_rows(
    community: community::Model,
    cases: Vec<intervision_case::Model>,
    votes: &[intervision_case_vote::Model],
    names: &HashMap<Uuid, String>,
    viewer: &Viewer,
) -> CaseList {
    let my_vote = votes.iter().find(|v| v.user_id == viewer.id()).map(|v| v.case_id);
    let rows = cases
        .into_iter()
        .filter_map(|case| {
            let status = CaseStatus::decode(&case.status).ok()?;
            let mine = case.author_id == Some(viewer.id());
            let visible = match status {
                CaseStatus::Open => true,
                CaseStatus::Withdrawn => mine,
                CaseStatus::Discussed => false,
            };
            if !visible {
                return None;
            }
            let votes =
                if status == CaseStatus::Open { votes.iter().filter(|v| v.case_id == case.id).count() } else { 0 };
            Some(CaseRow {
                id: case.id,
                title: case.title,
                situation: mine.then_some(case.situation),
                question: case.question,
                status,
                author: case.author_id.and_then(|id| names.get(&id).cloned()),
                mine,
                expires_at: case.expires_at,
                votes: votes as u32,
                my_vote: my_vote == Some(case.id),
            })
        })
        .collect();
    CaseList {
        community_id: community.id,
        keeping: keeping_of(&community).unwrap_or_default(),
        community_name: community.name,
        cases: rows,
    }
}

/// Everything the community page's intervision card shows, after one access check.
pub async fn intervision_card(
    state: &AppState,
    viewer: &Viewer,
    community_id: Uuid,
) -> Result<IntervisionCard, AppError> {
    let db = &state.db;
    let community = intervision_access(db, viewer, community_id).await?;
    let rows = CardRows::load(db, community_id).await?;
    let names = crate::account::service::names_of(db, rows.people()).await?;
    Ok(rows.into_card(community, &names, viewer, crate::intervision::closing::service::today(state)))
}

/// What the intervision card is made of, read in five queries; the community page
/// reads it with its own load and looks up everyone's names at once.
pub(crate) struct CardRows {
    rounds: Vec<intervision_round::Model>,
    people: Vec<intervision_participant::Model>,
    actions: Vec<intervision_action::Model>,
    cases: Vec<intervision_case::Model>,
    votes: Vec<intervision_case_vote::Model>,
}

impl CardRows {
    /// For a community whose access is checked.
    pub(crate) async fn load<C: ConnectionTrait>(db: &C, community_id: Uuid) -> Result<Self, AppError> {
        let (rounds, people) = crate::intervision::round::service::rounds_with_people(db, community_id).await?;
        let actions = crate::intervision::closing::service::follow_up_actions(db, community_id).await?;
        let (cases, votes) = cases_with_votes(db, community_id).await?;
        Ok(Self { rounds, people, actions, cases, votes })
    }

    /// Whose names the card shows: case bringers and action owners.
    pub(crate) fn people(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.cases.iter().filter_map(|c| c.author_id).chain(self.actions.iter().filter_map(|a| a.owner_id))
    }

    pub(crate) fn into_card(
        self,
        community: community::Model,
        names: &HashMap<Uuid, String>,
        viewer: &Viewer,
        today: time::Date,
    ) -> IntervisionCard {
        // The cases read are exactly those that still have their text.
        let titles: HashMap<Uuid, String> = self.cases.iter().map(|c| (c.id, c.title.clone())).collect();
        IntervisionCard {
            rounds: crate::intervision::round::service::rows_of_rounds(self.rounds, &self.people, &titles, viewer),
            follow_ups: self
                .actions
                .into_iter()
                .map(|a| crate::intervision::closing::service::action_row(a, names, viewer, today))
                .collect(),
            cases: case_rows(community, self.cases, &self.votes, names, viewer),
        }
    }
}

/// The case bringer takes a case back (`open = false`) or puts it back (`true`).
pub async fn set_open(db: &DatabaseConnection, viewer: &Viewer, case_id: Uuid, open: bool) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    let case = intervision_case::Entity::find_by_id(case_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    intervision_access(&txn, viewer, case.community_id).await?;
    if case.author_id != Some(viewer.id()) || case.purged_at.is_some() {
        return Err(AppError::NotFound);
    }
    let (from, to) =
        if open { (CaseStatus::Withdrawn, CaseStatus::Open) } else { (CaseStatus::Open, CaseStatus::Withdrawn) };
    if case.status != from.as_str() {
        return Err(AppError::Conflict(crate::error::ErrorKey::CaseChanged));
    }
    let mut active: intervision_case::ActiveModel = case.into();
    active.status = Set(to.as_str().to_string());
    active.updated_at = Set(now());
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Empties the text of every case whose time is up. Returns how many.
pub async fn purge_expired(db: &DatabaseConnection, at: OffsetDateTime) -> Result<usize, AppError> {
    let txn = begin_write(db).await?;
    let expired = intervision_case::Entity::find()
        .filter(intervision_case::Column::ExpiresAt.lte(at))
        .filter(intervision_case::Column::PurgedAt.is_null())
        .all(&txn)
        .await?;
    let count = expired.len();
    intervision_case_vote::Entity::delete_many()
        .filter(intervision_case_vote::Column::CaseId.is_in(expired.iter().map(|c| c.id).collect::<Vec<_>>()))
        .exec(&txn)
        .await?;
    for case in expired {
        let mut active: intervision_case::ActiveModel = case.into();
        active.title = Set(String::new());
        active.situation = Set(String::new());
        active.question = Set(String::new());
        active.purged_at = Set(Some(at));
        active.updated_at = Set(at);
        active.update(&txn).await?;
    }
    txn.commit().await?;
    if count > 0 {
        crate::db::forget_deleted(db).await;
    }
    Ok(count)
}

pub(crate) fn keeping_of(community: &community::Model) -> Result<CaseKeeping, AppError> {
    CaseKeeping::decode(&community.case_keeping)
}

/// Votes per open case of the community.
pub(crate) async fn open_votes<C: ConnectionTrait>(db: &C, community_id: Uuid) -> Result<HashMap<Uuid, u32>, AppError> {
    let open = Query::select()
        .column(intervision_case::Column::Id)
        .from(intervision_case::Entity)
        .and_where(intervision_case::Column::CommunityId.eq(community_id))
        .and_where(intervision_case::Column::Status.eq(CaseStatus::Open.as_str()))
        .and_where(intervision_case::Column::PurgedAt.is_null())
        .to_owned();
    let mut votes = HashMap::new();
    for vote in intervision_case_vote::Entity::find()
        .filter(intervision_case_vote::Column::CaseId.in_subquery(open))
        .all(db)
        .await?
    {
        *votes.entry(vote.case_id).or_insert(0) += 1;
    }
    Ok(votes)
}

/// A member votes for an open case to discuss next (their earlier vote in the
/// community moves to it), or takes their vote back.
pub async fn vote(db: &DatabaseConnection, viewer: &Viewer, case_id: Uuid, vote: bool) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    let case = intervision_case::Entity::find_by_id(case_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    intervision_access(&txn, viewer, case.community_id).await?;
    if case.purged_at.is_some() {
        return Err(AppError::NotFound);
    }
    if vote && case.status != CaseStatus::Open.as_str() {
        return Err(AppError::Conflict(crate::error::ErrorKey::CaseChanged));
    }
    let mine = intervision_case_vote::Entity::delete_many()
        .filter(intervision_case_vote::Column::CommunityId.eq(case.community_id))
        .filter(intervision_case_vote::Column::UserId.eq(viewer.id()));
    if vote {
        mine.exec(&txn).await?;
        intervision_case_vote::ActiveModel {
            id: Set(Uuid::now_v7()),
            case_id: Set(case.id),
            community_id: Set(case.community_id),
            user_id: Set(viewer.id()),
            created_at: Set(now()),
        }
        .insert(&txn)
        .await?;
    } else {
        mine.filter(intervision_case_vote::Column::CaseId.eq(case.id)).exec(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A facilitator chooses how long the community keeps case text. A shorter time
/// also brings forward the expiry of cases already there (and of their rounds); a
/// longer one never extends it. When that empties cases right away, `confirmed` must
/// be set. Returns how many cases were emptied.
pub async fn set_keeping(
    db: &DatabaseConnection,
    viewer: &Viewer,
    community_id: Uuid,
    keeping: &str,
    confirmed: bool,
) -> Result<usize, AppError> {
    let txn = begin_write(db).await?;
    let community = facilitator_access(&txn, viewer, community_id).await?;
    let keeping = CaseKeeping::parse(keeping).map_err(|key| AppError::field("keeping", key))?;
    let at = now();
    let cases = intervision_case::Entity::find()
        .filter(intervision_case::Column::CommunityId.eq(community_id))
        .filter(intervision_case::Column::PurgedAt.is_null())
        .all(&txn)
        .await?;
    let changed: Vec<(intervision_case::Model, OffsetDateTime)> = cases
        .into_iter()
        .filter_map(|case| {
            let expires_at = keeping.applied_to(case.created_at, case.expires_at);
            (expires_at != case.expires_at).then_some((case, expires_at))
        })
        .collect();
    if !confirmed && changed.iter().any(|(_, expires_at)| *expires_at <= at) {
        return Err(AppError::field("confirm", crate::error::ErrorKey::PurgeNeedsConfirmation));
    }
    for (case, expires_at) in changed {
        intervision_round::Entity::update_many()
            .col_expr(intervision_round::Column::ExpiresAt, Expr::value(expires_at))
            .filter(intervision_round::Column::CaseId.eq(case.id))
            .filter(intervision_round::Column::ExpiresAt.gt(expires_at))
            .exec(&txn)
            .await?;
        let mut case: intervision_case::ActiveModel = case.into();
        case.expires_at = Set(expires_at);
        case.updated_at = Set(at);
        case.update(&txn).await?;
    }
    let mut community: community::ActiveModel = community.into();
    community.case_keeping = Set(keeping.as_str().to_string());
    community.updated_at = Set(at);
    community.update(&txn).await?;
    txn.commit().await?;
    let purged = purge_expired(db, at).await?;
    crate::intervision::round::service::purge_expired(db, at).await?;
    Ok(purged)
}
