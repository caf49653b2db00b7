//! Pulse surveys over the database. Who does what:
//! - a community's facilitators run surveys for it, and its active members answer;
//! - a school's leaders (and the board's, for every school) run surveys for the
//!   school, and its staff answer;
//! - results are for the group asked and whoever runs the survey. A community's own
//!   survey is not shown to school leaders: it is the community's mirror, and people
//!   answer more freely when their line manager is not reading along.
//!
//! Everyone else is told a survey does not exist. Answers never leave as rows: only
//! distributions per dimension, once the survey has closed and at least k answered.

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait, Set, TransactionTrait,
};
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use super::api::{
    AnswerRow, DimensionResult, ItemView, ScopeOption, StatementRow, SurveyPage, SurveyResults, SurveyStart,
    SurveySummary, SurveysPage,
};
use super::domain::{
    self, Distribution, MAX_STATEMENTS, MIN_STATEMENTS, ResultState, Statement, SurveyDimension, result_state,
};
use crate::account::domain::{Language, Role};
use crate::account::session::Viewer;
use crate::db::entities::{
    community, community_member, organisation, survey, survey_answer, survey_comment, survey_item, survey_respondent,
    survey_statement,
};
use crate::db::{begin_write, now};
use crate::error::{AppError, ErrorKey, Validation};
use crate::membership::domain::{CommunityRole, MembershipStatus};
use crate::shared::time::{local_moment, to_local, today_in};
use crate::state::AppState;

fn min_group(state: &AppState) -> u32 {
    state.settings.min_group.max(crate::shared::MIN_GROUP)
}

/// The board's statements: its own wording, or Kring's default set.
async fn statement_set<C: ConnectionTrait>(
    db: &C,
    board_id: Uuid,
    language: Language,
) -> Result<Vec<Statement>, AppError> {
    let rows = survey_statement::Entity::find()
        .filter(survey_statement::Column::OrganisationId.eq(board_id))
        .order_by_asc(survey_statement::Column::Position)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(domain::default_statements(language));
    }
    rows.into_iter()
        .map(|row| Ok(Statement { dimension: SurveyDimension::decode(&row.dimension)?, text: row.text }))
        .collect()
}

fn role_of(membership: &crate::db::entities::staff_membership::Model) -> Option<Role> {
    Role::decode(&membership.role).ok()
}

/// Whether the viewer leads `school` (as its leader or admin, or the board's).
fn leads(viewer: &Viewer, school: Uuid) -> bool {
    viewer.memberships.iter().any(|m| {
        role_of(m).is_some_and(|role| role >= Role::Leader)
            && (m.organisation_id == school || Some(m.organisation_id) == viewer.board_id)
    })
}

fn board_admin(viewer: &Viewer) -> Option<Uuid> {
    let board = viewer.board_id?;
    viewer.memberships.iter().any(|m| m.organisation_id == board && role_of(m) == Some(Role::Admin)).then_some(board)
}

/// The communities the viewer is an active member of, with their role.
async fn communities_of<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
) -> Result<Vec<(community::Model, CommunityRole)>, AppError> {
    let rows = community::Entity::find()
        .join(JoinType::InnerJoin, community_member::Relation::Community.def().rev())
        .filter(community_member::Column::UserId.eq(viewer.id()))
        .filter(community_member::Column::Status.eq(MembershipStatus::Active.as_str()))
        .select_also(community_member::Entity)
        .order_by_asc(community::Column::Name)
        .all(db)
        .await?;
    rows.into_iter()
        .filter_map(|(c, m)| m.map(|m| (c, m)))
        .map(|(c, m)| Ok((c, CommunityRole::decode(&m.role)?)))
        .collect()
}

/// The schools the viewer leads: every school of the board for board leaders.
async fn led_schools<C: ConnectionTrait>(db: &C, viewer: &Viewer) -> Result<Vec<organisation::Model>, AppError> {
    let Some(board_id) = viewer.board_id else { return Ok(Vec::new()) };
    let Some(board) = organisation::Entity::find_by_id(board_id).one(db).await? else { return Ok(Vec::new()) };
    let schools = crate::organisation::service::schools_of(db, &board).await?;
    Ok(schools.into_iter().filter(|s| leads(viewer, s.id)).collect())
}

async fn runnable_scopes<C: ConnectionTrait>(db: &C, viewer: &Viewer) -> Result<Vec<ScopeOption>, AppError> {
    let mut scopes: Vec<ScopeOption> = led_schools(db, viewer)
        .await?
        .into_iter()
        .map(|s| ScopeOption { key: format!("s:{}", s.id), name: s.name })
        .collect();
    scopes.extend(
        communities_of(db, viewer)
            .await?
            .into_iter()
            .filter(|(_, role)| *role == CommunityRole::Facilitator)
            .map(|(c, _)| ScopeOption { key: format!("c:{}", c.id), name: c.name }),
    );
    Ok(scopes)
}

/// What the viewer is to one survey.
struct Standing {
    /// Asked to answer it.
    asked: bool,
    runs_it: bool,
    scope_name: String,
}

async fn standing<C: ConnectionTrait>(db: &C, viewer: &Viewer, survey: &survey::Model) -> Result<Standing, AppError> {
    match survey.community_id {
        Some(community_id) => {
            let community = community::Entity::find_by_id(community_id).one(db).await?.ok_or(AppError::NotFound)?;
            let membership = crate::membership::service::membership_of(db, community_id, viewer.id())
                .await?
                .filter(|m| m.status == MembershipStatus::Active.as_str());
            let facilitates = membership.as_ref().is_some_and(|m| m.role == CommunityRole::Facilitator.as_str());
            Ok(Standing { asked: membership.is_some(), runs_it: facilitates, scope_name: community.name })
        }
        None => {
            let school =
                organisation::Entity::find_by_id(survey.organisation_id).one(db).await?.ok_or(AppError::NotFound)?;
            Ok(Standing {
                asked: viewer.memberships.iter().any(|m| m.organisation_id == school.id),
                runs_it: leads(viewer, school.id),
                scope_name: school.name,
            })
        }
    }
}

fn is_open(survey: &survey::Model, at: OffsetDateTime) -> bool {
    survey.opens_at <= at && at < survey.closes_at
}

async fn answered<C: ConnectionTrait>(db: &C, viewer: &Viewer, survey_id: Uuid) -> Result<bool, AppError> {
    Ok(survey_respondent::Entity::find()
        .filter(survey_respondent::Column::SurveyId.eq(survey_id))
        .filter(survey_respondent::Column::UserId.eq(viewer.id()))
        .count(db)
        .await?
        > 0)
}

/// The surveys the viewer can open: those of their communities and schools, and those
/// they run; newest first.
pub async fn surveys_page(state: &AppState, viewer: &Viewer) -> Result<SurveysPage, AppError> {
    let db = &state.db;
    let communities = communities_of(db, viewer).await?;
    let mut names: HashMap<Uuid, String> = communities.iter().map(|(c, _)| (c.id, c.name.clone())).collect();
    let schools = led_schools(db, viewer).await?;
    let mut organisations: HashSet<Uuid> = viewer.memberships.iter().map(|m| m.organisation_id).collect();
    organisations.extend(schools.iter().map(|s| s.id));
    let organisation_names: HashMap<Uuid, String> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(organisations.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    names.extend(organisation_names);
    let rows = survey::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(survey::Column::CommunityId.is_in(communities.iter().map(|(c, _)| c.id)))
                .add(
                    sea_orm::Condition::all()
                        .add(survey::Column::CommunityId.is_null())
                        .add(survey::Column::OrganisationId.is_in(organisations.iter().copied())),
                ),
        )
        .order_by_desc(survey::Column::ClosesAt)
        .limit(50)
        .all(db)
        .await?;
    let done: HashSet<Uuid> = survey_respondent::Entity::find()
        .select_only()
        .column(survey_respondent::Column::SurveyId)
        .filter(survey_respondent::Column::UserId.eq(viewer.id()))
        .filter(survey_respondent::Column::SurveyId.is_in(rows.iter().map(|s| s.id)))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let at = now();
    let tz = &state.settings.time_zone;
    let member_of: HashSet<Uuid> = viewer.memberships.iter().map(|m| m.organisation_id).collect();
    let surveys = rows
        .into_iter()
        .map(|s| {
            let scope = s.community_id.unwrap_or(s.organisation_id);
            let asked = s.community_id.is_some() || member_of.contains(&s.organisation_id);
            let open = is_open(&s, at);
            SurveySummary {
                id: s.id,
                scope_name: names.get(&scope).cloned().unwrap_or_default(),
                closes_at: to_local(tz, s.closes_at),
                open,
                to_answer: open && asked && !done.contains(&s.id),
            }
        })
        .collect();
    Ok(SurveysPage {
        surveys,
        may_run: !runnable_scopes(db, viewer).await?.is_empty(),
        may_adapt: board_admin(viewer).is_some(),
    })
}

/// The "run a survey" form; `NotFound` for anyone who runs nothing.
pub async fn start_form(state: &AppState, viewer: &Viewer) -> Result<SurveyStart, AppError> {
    let scopes = runnable_scopes(&state.db, viewer).await?;
    let Some(board_id) = viewer.board_id.filter(|_| !scopes.is_empty()) else { return Err(AppError::NotFound) };
    let language = Language::decode(&viewer.user.language)?;
    let default_closing = today_in(&state.settings.time_zone) + Duration::days(14);
    Ok(SurveyStart {
        scopes,
        statements: statement_set(&state.db, board_id, language).await?,
        default_closing: iso_date(default_closing),
    })
}

fn iso_date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

fn parse_date(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), format).ok()
}

/// Opens a survey now for the chosen group, closing at the end of `closes_on`.
pub async fn start(
    state: &AppState,
    viewer: &Viewer,
    scope: &str,
    closes_on: &str,
    picked: &[String],
) -> Result<Uuid, AppError> {
    let db = &state.db;
    let tz = &state.settings.time_zone;
    let scopes = runnable_scopes(db, viewer).await?;
    let Some(board_id) = viewer.board_id.filter(|_| !scopes.is_empty()) else { return Err(AppError::NotFound) };
    let mut errors = Validation::new();
    let chosen = scopes.iter().find(|s| s.key == scope.trim());
    errors.check("scope", chosen.map(|_| ()).ok_or(ErrorKey::InvalidChoice));
    let today = today_in(tz);
    let closing = parse_date(closes_on);
    errors.check("closes_on", closing.ok_or(ErrorKey::InvalidDate).and_then(|date| domain::closing_date(today, date)));
    let language = Language::decode(&viewer.user.language)?;
    let statements = domain::pick(&statement_set(db, board_id, language).await?, picked);
    errors.check("picked", statements.as_ref().map(|_| ()).map_err(|e| *e));
    errors.finish()?;
    let (Some(chosen), Some(closing), Ok(statements)) = (chosen, closing, statements) else {
        return Err(AppError::Internal);
    };
    let (community_id, organisation_id) = match chosen.key.split_once(':') {
        Some(("c", id)) => {
            let id = Uuid::parse_str(id).map_err(|_| AppError::Internal)?;
            let community = community::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
            (Some(id), community.organisation_id)
        }
        Some(("s", id)) => (None, Uuid::parse_str(id).map_err(|_| AppError::Internal)?),
        _ => return Err(AppError::Internal),
    };
    let closes_at = local_moment(tz, closing + Duration::days(1), time::Time::MIDNIGHT)
        .ok_or(AppError::field("closes_on", ErrorKey::InvalidDate))?;
    let at = now();
    let id = Uuid::now_v7();
    let txn = begin_write(db).await?;
    survey::ActiveModel {
        id: Set(id),
        organisation_id: Set(organisation_id),
        community_id: Set(community_id),
        created_by: Set(Some(viewer.id())),
        opens_at: Set(at),
        closes_at: Set(closes_at),
        created_at: Set(at),
        respondents: Set(0),
    }
    .insert(&txn)
    .await?;
    survey_item::Entity::insert_many(statements.into_iter().enumerate().map(|(position, s)| {
        survey_item::ActiveModel {
            id: Set(Uuid::now_v7()),
            survey_id: Set(id),
            position: Set(position as i32),
            dimension: Set(s.dimension.as_str().to_string()),
            text: Set(s.text),
        }
    }))
    .exec(&txn)
    .await?;
    txn.commit().await?;
    tracing::info!(survey = %id, "pulse survey opened");
    Ok(id)
}

async fn items_of<C: ConnectionTrait>(db: &C, survey_id: Uuid) -> Result<Vec<survey_item::Model>, AppError> {
    Ok(survey_item::Entity::find()
        .filter(survey_item::Column::SurveyId.eq(survey_id))
        .order_by_asc(survey_item::Column::Position)
        .all(db)
        .await?)
}

/// The answers to a survey summed per dimension. Answers are read only here, and
/// only as (statement, point) pairs.
async fn distributions_of<C: ConnectionTrait>(
    db: &C,
    items: &[survey_item::Model],
    survey_id: Uuid,
) -> Result<Vec<Distribution>, AppError> {
    let items: Vec<(Uuid, SurveyDimension)> =
        items.iter().map(|i| Ok((i.id, SurveyDimension::decode(&i.dimension)?))).collect::<Result<_, AppError>>()?;
    let answers: Vec<(Uuid, i16)> = survey_answer::Entity::find()
        .select_only()
        .column(survey_answer::Column::ItemId)
        .column(survey_answer::Column::Value)
        .filter(survey_answer::Column::SurveyId.eq(survey_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(domain::distributions(&items, &answers))
}

/// The results of a closed survey that at least `k` answered, with the previous such
/// survey of the same group to compare with.
async fn results_of<C: ConnectionTrait>(
    db: &C,
    survey: &survey::Model,
    items: &[survey_item::Model],
    k: u32,
    at: OffsetDateTime,
) -> Result<SurveyResults, AppError> {
    let distributions = distributions_of(db, items, survey.id).await?;
    let mut previous = survey::Entity::find()
        .filter(survey::Column::OrganisationId.eq(survey.organisation_id))
        .filter(survey::Column::ClosesAt.lt(survey.closes_at))
        .filter(survey::Column::ClosesAt.lte(at))
        .filter(survey::Column::Respondents.gte(k as i32))
        .order_by_desc(survey::Column::ClosesAt);
    previous = match survey.community_id {
        Some(id) => previous.filter(survey::Column::CommunityId.eq(id)),
        None => previous.filter(survey::Column::CommunityId.is_null()),
    };
    let before = match previous.one(db).await? {
        Some(previous) => distributions_of(db, &items_of(db, previous.id).await?, previous.id).await?,
        None => Vec::new(),
    };
    let mut comments: Vec<String> = survey_comment::Entity::find()
        .select_only()
        .column(survey_comment::Column::Text)
        .filter(survey_comment::Column::SurveyId.eq(survey.id))
        .into_tuple()
        .all(db)
        .await?;
    // Alphabetical: the stored order could follow the order people answered in.
    comments.sort();
    Ok(SurveyResults {
        respondents: survey.respondents.max(0) as u32,
        dimensions: distributions
            .into_iter()
            .map(|distribution| DimensionResult {
                previous_agree: before
                    .iter()
                    .find(|b| b.dimension == distribution.dimension)
                    .and_then(Distribution::agree_percent),
                distribution,
            })
            .collect(),
        comments,
    })
}

pub async fn survey_page(state: &AppState, viewer: &Viewer, survey_id: Uuid) -> Result<SurveyPage, AppError> {
    let snapshot = crate::db::begin_read(&state.db).await?;
    let db = &snapshot;
    let survey = survey::Entity::find_by_id(survey_id).one(db).await?.ok_or(AppError::NotFound)?;
    let standing = standing(db, viewer, &survey).await?;
    if !standing.asked && !standing.runs_it {
        return Err(AppError::NotFound);
    }
    let at = now();
    let open = is_open(&survey, at);
    let k = min_group(state);
    let state_now = result_state(!open, survey.respondents.max(0) as u64, u64::from(k));
    let answered = answered(db, viewer, survey.id).await?;
    let may_answer = open && standing.asked && !answered;
    let items = items_of(db, survey.id).await?;
    let results = match state_now {
        ResultState::Shown => Some(results_of(db, &survey, &items, k, at).await?),
        _ => None,
    };
    Ok(SurveyPage {
        id: survey.id,
        scope_name: standing.scope_name,
        community_id: survey.community_id,
        closes_at: to_local(&state.settings.time_zone, survey.closes_at),
        open,
        may_answer,
        answered,
        runs_it: standing.runs_it,
        answered_so_far: (standing.runs_it && open).then_some(survey.respondents.max(0) as u32),
        items: if may_answer {
            items
                .into_iter()
                .map(|i| Ok(ItemView { id: i.id, dimension: SurveyDimension::decode(&i.dimension)?, text: i.text }))
                .collect::<Result<_, AppError>>()?
        } else {
            Vec::new()
        },
        state: state_now,
        results,
        min_group: k,
    })
}

/// Stores one person's answers: each as its own row with a random id and nothing else,
/// the comment apart, and a separate note that this person answered.
pub async fn answer(
    state: &AppState,
    viewer: &Viewer,
    survey_id: Uuid,
    answers: &[AnswerRow],
    comment: &str,
) -> Result<(), AppError> {
    let txn = begin_write(&state.db).await?;
    let survey = survey::Entity::find_by_id(survey_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let standing = standing(&txn, viewer, &survey).await?;
    if !standing.asked {
        return Err(AppError::NotFound);
    }
    if !is_open(&survey, now()) {
        return Err(AppError::Conflict(ErrorKey::SurveyClosed));
    }
    if answered(&txn, viewer, survey.id).await? {
        return Err(AppError::Conflict(ErrorKey::AlreadyAnswered));
    }
    let items = items_of(&txn, survey.id).await?;
    let given: HashMap<&str, i16> = answers
        .iter()
        .filter_map(|row| domain::answer_value(&row.value).map(|value| (row.item.trim(), value)))
        .collect();
    let mut values = Vec::with_capacity(items.len());
    let mut errors = Validation::new();
    for item in &items {
        match given.get(item.id.to_string().as_str()) {
            Some(value) => values.push((item.id, *value)),
            None => {
                errors.check("answers", Err(ErrorKey::AnswerEveryStatement));
                break;
            }
        }
    }
    let comment = domain::comment(comment);
    errors.check("comment", comment.as_ref().map(|_| ()).map_err(|e| *e));
    errors.finish()?;
    survey_respondent::ActiveModel { id: Set(Uuid::new_v4()), survey_id: Set(survey.id), user_id: Set(viewer.id()) }
        .insert(&txn)
        .await?;
    survey_answer::Entity::insert_many(values.into_iter().map(|(item_id, value)| survey_answer::ActiveModel {
        id: Set(Uuid::new_v4()),
        survey_id: Set(survey.id),
        item_id: Set(item_id),
        value: Set(value),
    }))
    .exec(&txn)
    .await?;
    if let Ok(Some(text)) = comment {
        survey_comment::ActiveModel { id: Set(Uuid::new_v4()), survey_id: Set(survey.id), text: Set(text) }
            .insert(&txn)
            .await?;
    }
    survey::Entity::update_many()
        .col_expr(
            survey::Column::Respondents,
            sea_orm::sea_query::ExprTrait::add(Expr::col(survey::Column::Respondents), 1),
        )
        .filter(survey::Column::Id.eq(survey.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Closes an open survey now and forgets who answered it.
pub async fn close(state: &AppState, viewer: &Viewer, survey_id: Uuid) -> Result<(), AppError> {
    let txn = begin_write(&state.db).await?;
    let survey = survey::Entity::find_by_id(survey_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    if !standing(&txn, viewer, &survey).await?.runs_it {
        return Err(AppError::NotFound);
    }
    let at = now();
    if !is_open(&survey, at) {
        return Err(AppError::Conflict(ErrorKey::SurveyClosed));
    }
    let mut closing: survey::ActiveModel = survey.into();
    closing.closes_at = Set(at);
    closing.update(&txn).await?;
    crate::retention::forget_survey_respondents(&txn, at).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn statements_for_admin(state: &AppState, viewer: &Viewer) -> Result<Vec<Statement>, AppError> {
    let board = board_admin(viewer).ok_or(AppError::NotFound)?;
    statement_set(&state.db, board, Language::decode(&viewer.user.language)?).await
}

/// Replaces the board's wording of the statements (5 to 8 of them; an emptied row is
/// left out), or with `reset` goes back to Kring's own set. Surveys already run keep
/// the statements they asked.
pub async fn save_statements(
    state: &AppState,
    viewer: &Viewer,
    rows: &[StatementRow],
    reset: bool,
) -> Result<(), AppError> {
    let board = board_admin(viewer).ok_or(AppError::NotFound)?;
    let mut statements = Vec::new();
    if !reset {
        let mut errors = Validation::new();
        for (index, row) in rows.iter().enumerate().take(MAX_STATEMENTS + 2) {
            if row.text.trim().is_empty() {
                continue;
            }
            let dimension = SurveyDimension::parse(row.dimension.trim());
            let text = domain::statement_text(&row.text);
            errors.check(&format!("statements[{index}][dimension]"), dimension.map(|_| ()));
            errors.check(&format!("statements[{index}][text]"), text.as_ref().map(|_| ()).map_err(|e| *e));
            if let (Ok(dimension), Ok(text)) = (dimension, text) {
                statements.push(Statement { dimension, text });
            }
        }
        let count = (MIN_STATEMENTS..=MAX_STATEMENTS).contains(&statements.len());
        errors.check("statements", if count { Ok(()) } else { Err(ErrorKey::SurveyStatementCount) });
        errors.finish()?;
    }
    let at = now();
    let txn = state.db.begin().await?;
    survey_statement::Entity::delete_many()
        .filter(survey_statement::Column::OrganisationId.eq(board))
        .exec(&txn)
        .await?;
    if !statements.is_empty() {
        survey_statement::Entity::insert_many(statements.into_iter().enumerate().map(|(position, s)| {
            survey_statement::ActiveModel {
                id: Set(Uuid::now_v7()),
                organisation_id: Set(board),
                position: Set(position as i32),
                dimension: Set(s.dimension.as_str().to_string()),
                text: Set(s.text),
                updated_by: Set(Some(viewer.id())),
                updated_at: Set(at),
            }
        }))
        .exec(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A school survey as the leaders' dashboard shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedSurvey {
    pub organisation_id: Uuid,
    pub closes_at: OffsetDateTime,
    pub respondents: u32,
    /// `None` when fewer than k answered.
    pub distributions: Option<Vec<Distribution>>,
}

/// The school surveys of `organisations` that closed in `[from, to)` and by `at`,
/// oldest first, with results only where at least `k` answered.
pub async fn closed_school_surveys<C: ConnectionTrait>(
    db: &C,
    organisations: &[Uuid],
    from: OffsetDateTime,
    to: OffsetDateTime,
    at: OffsetDateTime,
    k: u32,
) -> Result<Vec<ClosedSurvey>, AppError> {
    let surveys = survey::Entity::find()
        .filter(survey::Column::OrganisationId.is_in(organisations.iter().copied()))
        .filter(survey::Column::CommunityId.is_null())
        .filter(survey::Column::ClosesAt.gte(from))
        .filter(survey::Column::ClosesAt.lt(to.min(at)))
        .order_by_asc(survey::Column::ClosesAt)
        .all(db)
        .await?;
    let mut closed = Vec::with_capacity(surveys.len());
    for survey in surveys {
        let respondents = survey.respondents.max(0) as u32;
        let distributions = if respondents >= k {
            Some(distributions_of(db, &items_of(db, survey.id).await?, survey.id).await?)
        } else {
            None
        };
        closed.push(ClosedSurvey {
            organisation_id: survey.organisation_id,
            closes_at: survey.closes_at,
            respondents,
            distributions,
        });
    }
    Ok(closed)
}

/// The open surveys that ask the viewer and that they have not answered, for their
/// home page; `communities` are the viewer's active communities by id, with names.
pub async fn waiting_for<C: ConnectionTrait>(
    db: &C,
    tz: &jiff::tz::TimeZone,
    viewer: &Viewer,
    communities: &HashMap<Uuid, String>,
) -> Result<Vec<SurveySummary>, AppError> {
    use sea_orm::QueryTrait;
    let at = now();
    let schools: Vec<Uuid> = viewer.memberships.iter().map(|m| m.organisation_id).collect();
    let answered = survey_respondent::Entity::find()
        .select_only()
        .column(survey_respondent::Column::SurveyId)
        .filter(survey_respondent::Column::UserId.eq(viewer.id()))
        .into_query();
    let open = survey::Entity::find()
        .filter(survey::Column::OpensAt.lte(at))
        .filter(survey::Column::ClosesAt.gt(at))
        .filter(
            sea_orm::Condition::any().add(survey::Column::CommunityId.is_in(communities.keys().copied())).add(
                sea_orm::Condition::all()
                    .add(survey::Column::CommunityId.is_null())
                    .add(survey::Column::OrganisationId.is_in(schools)),
            ),
        )
        .filter(survey::Column::Id.not_in_subquery(answered))
        .order_by_asc(survey::Column::ClosesAt)
        .all(db)
        .await?;
    let school_ids: Vec<Uuid> = open.iter().filter(|s| s.community_id.is_none()).map(|s| s.organisation_id).collect();
    let school_names: HashMap<Uuid, String> = if school_ids.is_empty() {
        HashMap::new()
    } else {
        organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(school_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect()
    };
    Ok(open
        .into_iter()
        .map(|s| SurveySummary {
            id: s.id,
            scope_name: match s.community_id {
                Some(id) => communities.get(&id).cloned(),
                None => school_names.get(&s.organisation_id).cloned(),
            }
            .unwrap_or_default(),
            closes_at: to_local(tz, s.closes_at),
            open: true,
            to_answer: true,
        })
        .collect())
}
