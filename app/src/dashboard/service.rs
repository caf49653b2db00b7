//! Reads what the dashboard counts, for a whole board at once (suppression must see
//! every school to decide what a school's page may show), and shapes it into the
//! page a viewer may see. Who may see what: board-level leaders and admins see the
//! board and each school; leaders and admins of a school see that school; everyone
//! else is told the page does not exist.

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect};
use time::OffsetDateTime;
use uuid::Uuid;

use super::api::{
    Breakdown, CommunityHealth, CultureSurvey, DashboardView, GroupRow, Health, HealthCard, Knowledge, MonthRow,
    ScopeRef, ThingsMonth,
};
use super::domain::{Dimension, Month, PeriodKind, period_months};
use super::people::{ACTIVE_WINDOW, Cell, Facts, Measure, People, Person};
use crate::account::domain::Role;
use crate::account::session::Viewer;
use crate::artifact::domain::{ArtifactStatus, Standing};
use crate::db::entities::{
    artifact, artifact_reuse, community, community_member, intervision_action, lesson_study_cycle, level_change,
    meeting, organisation, participation_kind_month, participation_person_month, research_lesson, staff_membership,
    user,
};
use crate::error::{AppError, ErrorKey};
use crate::membership::domain::{CommunityRole, MembershipStatus};
use crate::participation::domain::{EventKind, Level, SeciPhase};
use crate::state::AppState;

/// Which scope the page asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeRequest {
    /// The board for board-level leaders, a school leader's own school otherwise.
    Default,
    Board,
    School(Uuid),
}

/// What the page asked for, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub scope: ScopeRequest,
    pub period: PeriodKind,
    pub from: Option<Month>,
    pub to: Option<Month>,
}

impl Request {
    pub fn parse(
        scope: Option<String>,
        period: Option<String>,
        from: Option<String>,
        to: Option<String>,
    ) -> Result<Self, AppError> {
        let scope = match scope.as_deref().map(str::trim) {
            None | Some("") => ScopeRequest::Default,
            Some("board") => ScopeRequest::Board,
            Some(id) => ScopeRequest::School(
                Uuid::parse_str(id).map_err(|_| AppError::field("scope", ErrorKey::InvalidChoice))?,
            ),
        };
        let period = match period.as_deref().map(str::trim) {
            None | Some("") => PeriodKind::Term,
            Some(text) => PeriodKind::parse(text).map_err(|key| AppError::field("period", key))?,
        };
        let month = |field: &str, text: Option<String>| match text.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => {
                Month::parse_iso(text).map(Some).ok_or_else(|| AppError::field(field, ErrorKey::InvalidChoice))
            }
        };
        Ok(Request { scope, period, from: month("from", from)?, to: month("to", to)? })
    }
}

/// Where the viewer may look: the board (with every school) or some schools.
struct Access {
    board: organisation::Model,
    schools: Vec<organisation::Model>,
    whole_board: bool,
    /// Schools the viewer leads, when not the whole board.
    own: HashSet<Uuid>,
}

async fn access<C: ConnectionTrait>(db: &C, viewer: &Viewer) -> Result<Access, AppError> {
    let Some(board_id) = viewer.board_id else { return Err(AppError::NotFound) };
    let leading: Vec<&staff_membership::Model> =
        viewer.memberships.iter().filter(|m| Role::decode(&m.role).is_ok_and(|role| role >= Role::Leader)).collect();
    if leading.is_empty() {
        return Err(AppError::NotFound);
    }
    let board = organisation::Entity::find_by_id(board_id).one(db).await?.ok_or(AppError::NotFound)?;
    let schools = crate::organisation::service::schools_of(db, &board).await?;
    let whole_board = leading.iter().any(|m| m.organisation_id == board.id);
    let own = leading.iter().map(|m| m.organisation_id).filter(|id| *id != board.id).collect();
    Ok(Access { board, schools, whole_board, own })
}

/// The schools as the dashboard's scopes, by index in `schools`; communities of the
/// board itself count toward the board's figures only (`office`).
struct Scopes {
    of_organisation: HashMap<Uuid, u16>,
    office: u16,
}

fn month_start(month: Month) -> OffsetDateTime {
    month.first_day().midnight().assume_utc()
}

/// The dashboard for `request`, or `NotFound` when the viewer may not see it.
pub async fn dashboard(state: &AppState, viewer: &Viewer, request: &Request) -> Result<DashboardView, AppError> {
    let snapshot = crate::db::begin_read(&state.db).await?;
    let db = &snapshot;
    let access = access(db, viewer).await?;
    let scope_index = match request.scope {
        ScopeRequest::Default | ScopeRequest::Board if access.whole_board => None,
        ScopeRequest::Board => return Err(AppError::NotFound),
        ScopeRequest::Default => {
            // A school leader's dashboard opens on their (first) school.
            let first = access.schools.iter().position(|s| access.own.contains(&s.id)).ok_or(AppError::NotFound)?;
            Some(first as u16)
        }
        ScopeRequest::School(id) => {
            let index = access.schools.iter().position(|s| s.id == id).ok_or(AppError::NotFound)?;
            if !access.whole_board && !access.own.contains(&id) {
                return Err(AppError::NotFound);
            }
            Some(index as u16)
        }
    };
    let k = state.settings.min_group.max(super::privacy::MIN_GROUP);
    let now = crate::db::now();
    let current = Month::of(crate::shared::time::today_in(&state.settings.time_zone));
    let months = period_months(request.period, current, request.from, request.to);
    let (first, last) = (months[0], months[months.len() - 1]);
    let scopes = Scopes {
        of_organisation: access.schools.iter().enumerate().map(|(i, s)| (s.id, i as u16)).collect(),
        office: access.schools.len() as u16,
    };
    let scope_of = |organisation: Uuid| scopes.of_organisation.get(&organisation).copied().unwrap_or(scopes.office);
    let mut organisations: Vec<Uuid> = access.schools.iter().map(|s| s.id).collect();
    organisations.push(access.board.id);

    // Staff: each person once, at the school they joined first.
    let memberships: Vec<StaffRow> = staff_membership::Entity::find()
        .select_only()
        .columns([
            staff_membership::Column::OrganisationId,
            staff_membership::Column::Role,
            staff_membership::Column::CreatedAt,
        ])
        .column(user::Column::Id)
        .columns([user::Column::Department, user::Column::ExperienceBand, user::Column::Location])
        .column(user::Column::DeactivatedAt)
        .inner_join(user::Entity)
        .filter(staff_membership::Column::OrganisationId.is_in(organisations.clone()))
        .order_by_asc(staff_membership::Column::CreatedAt)
        .into_model()
        .all(db)
        .await?;
    let mut person_of: HashMap<Uuid, usize> = HashMap::new();
    let mut facts = Facts::default();
    for row in memberships {
        // The board's own staff work at no school: the dashboard counts school staff.
        let Some(&scope) = scopes.of_organisation.get(&row.organisation_id) else { continue };
        if person_of.contains_key(&row.id) {
            continue;
        }
        person_of.insert(row.id, facts.people.len());
        facts.people.push(Person {
            scope,
            groups: [
                row.department.filter(|d| !d.trim().is_empty()),
                row.experience_band,
                row.location.filter(|l| !l.trim().is_empty()),
                Some(row.role),
            ],
            from: Month::of(row.created_at.date()),
            until: row.deactivated_at.map(|at| Month::of(at.date()).plus(1)),
        });
    }

    let communities = community::Entity::find()
        .filter(community::Column::OrganisationId.is_in(organisations))
        .order_by_asc(community::Column::Name)
        .all(db)
        .await?;
    let community_scope: HashMap<Uuid, u16> = communities.iter().map(|c| (c.id, scope_of(c.organisation_id))).collect();
    let community_ids: Vec<Uuid> = communities.iter().map(|c| c.id).collect();
    let in_scope = |scope: u16| scope_index.is_none_or(|s| s == scope);
    let month_index = |at: OffsetDateTime| -> Option<usize> {
        let month = Month::of(at.date());
        (first <= month && month <= last).then(|| (month.0 - first.0) as usize)
    };

    // Activity, from the monthly rollups the database keeps with the events (the window
    // reaches back before the period): who took part each month, and how many activities
    // of each kind each community had. A large board has a million events; these tables
    // have a few thousand rows a month.
    let mut things: Vec<ThingsMonth> =
        months.iter().map(|m| ThingsMonth { month: *m, ..ThingsMonth::default() }).collect();
    // Who was active: one row per person, their active months as bits from `window`.
    let window = first.plus(1 - ACTIVE_WINDOW);
    let active_months: Vec<(Uuid, i64)> = participation_person_month::Entity::find()
        .select_only()
        .column(participation_person_month::Column::UserId)
        .column_as(Expr::cust(format!("SUM(DISTINCT (1 << (month - {})))", window.0)), "months")
        .filter(participation_person_month::Column::CommunityId.is_in(community_ids.clone()))
        .filter(participation_person_month::Column::Month.gte(window.0))
        .filter(participation_person_month::Column::Month.lte(last.0))
        .group_by(participation_person_month::Column::UserId)
        .into_tuple()
        .all(db)
        .await?;
    let mut active: Vec<(usize, Month)> = Vec::new();
    for (user_id, bits) in active_months {
        let Some(&person) = person_of.get(&user_id) else { continue };
        active.extend((0..=last.0 - window.0).filter(|i| bits >> i & 1 == 1).map(|i| (person, window.plus(i))));
    }
    // Activities per phase in each community in scope and month: the month's SECI
    // figures and artifact updates, and which phases each community touched.
    let scoped: Vec<Uuid> = community_ids.iter().copied().filter(|id| in_scope(community_scope[id])).collect();
    let mut phases_of: HashMap<Uuid, [bool; 4]> = HashMap::new();
    for row in activity_by_phase(db, &scoped, first, last).await? {
        let Some(things) = things.get_mut((row.month - first.0) as usize) else { continue };
        let phases = [row.phase_0, row.phase_1, row.phase_2, row.phase_3].map(|n| n.max(0) as u32);
        things.artifacts_updated += row.updated_artifacts.max(0) as u32;
        let touched = phases_of.entry(row.community_id).or_default();
        for (p, n) in phases.into_iter().enumerate() {
            things.seci[p] += n;
            touched[p] |= n > 0;
        }
    }
    facts.active = active;

    // Levels at each month's end, for people still members of the community: their
    // level when the period began (read with the membership) and the changes in it.
    let (start, end) = (month_start(first), month_start(last.plus(1)));
    let members = members_with_level_before(db, &community_ids, start).await?;
    let mut history: HashMap<(Uuid, Uuid), Vec<LevelAt>> = HashMap::new();
    let mut joined: HashMap<(Uuid, Uuid), Option<OffsetDateTime>> = HashMap::new();
    for (community_id, user_id, role, joined_at, created_at, before) in members {
        let key = (community_id, user_id);
        joined.insert(key, (role != CommunityRole::Guest.as_str()).then_some(joined_at.unwrap_or(created_at)));
        if let Some(level) = before.and_then(|l| Level::decode(&l).ok()) {
            history.entry(key).or_default().push((None, Uuid::nil(), level));
        }
    }
    for (community_id, user_id, level, at, id) in level_changes_between(db, &community_ids, start, end).await? {
        if let Ok(level) = Level::decode(&level) {
            history.entry((community_id, user_id)).or_default().push((Some(at), id, level));
        }
    }
    for changes in history.values_mut() {
        changes.sort_unstable();
    }
    let mut level_at_end: HashMap<Uuid, Vec<Level>> = HashMap::new();
    for (key, changes) in &history {
        let Some(Some(joined_at)) = joined.get(key) else { continue };
        let Some(person) = person_of.get(&key.1) else { continue };
        for &month in &months {
            let end = month_start(month.plus(1));
            if *joined_at >= end {
                continue;
            }
            if let Some((_, _, level)) = changes.iter().rev().find(|(at, _, _)| at.is_none_or(|at| at < end)) {
                facts.levels.push((*person, month, *level));
                if month == last {
                    level_at_end.entry(key.0).or_default().push(*level);
                }
            }
        }
    }

    let people = People::compute(&facts, &months, k);
    let cell = |month, group, measure| Cell { month, scope: scope_index, group, measure };
    let month_rows = months
        .iter()
        .map(|&month| MonthRow {
            month,
            staff: people.shown(cell(month, None, Measure::Staff)),
            active: people.shown(cell(month, None, Measure::Active)),
            members: people.shown(cell(month, None, Measure::Members)),
            levels: Level::ALL.iter().map(|l| people.shown(cell(month, None, Measure::Level(*l)))).collect(),
        })
        .collect::<Vec<_>>();
    let breadth = Dimension::ALL
        .iter()
        .map(|&dimension| {
            let mut rows = Vec::new();
            let mut more_hidden = false;
            for (g, label) in people.groups(dimension).iter().enumerate() {
                let group = Some((dimension, g as u16));
                match people.shown(cell(last, group, Measure::Staff)) {
                    Some(0) => {}
                    Some(staff) => rows.push(GroupRow {
                        label: label.clone(),
                        staff: Some(staff),
                        active: people.shown(cell(last, group, Measure::Active)),
                    }),
                    None => more_hidden = people.value(cell(last, group, Measure::Staff)) > 0 || more_hidden,
                }
            }
            Breakdown { dimension, rows, more_hidden }
        })
        .collect();
    let schools = if scope_index.is_none() {
        access
            .schools
            .iter()
            .enumerate()
            .map(|(i, school)| school_row(&people, last, i as u16, Some(school.name.clone())))
            .collect()
    } else {
        Vec::new()
    };
    let staff_now = people.shown(cell(last, None, Measure::Staff)).unwrap_or(0);
    let enough = staff_now >= k;

    // Things, for the scope, per month: only its own communities are read.
    // Only the columns counted: an artifact's body can be long.
    let artifacts: Vec<(Uuid, Uuid, OffsetDateTime, String, OffsetDateTime)> = artifact::Entity::find()
        .select_only()
        .columns([
            artifact::Column::Id,
            artifact::Column::CommunityId,
            artifact::Column::CreatedAt,
            artifact::Column::Status,
            artifact::Column::ReviewDueAt,
        ])
        .filter(artifact::Column::CommunityId.is_in(scoped.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    let mut knowledge = Knowledge::default();
    let scoped_artifacts: HashSet<Uuid> = artifacts.iter().map(|a| a.0).collect();
    for (_, _, created_at, status, review_due_at) in &artifacts {
        if let Some(index) = month_index(*created_at) {
            things[index].artifacts_created += 1;
        }
        let Ok(status) = ArtifactStatus::decode(status) else { continue };
        match Standing::of(status, *review_due_at, now) {
            Standing::Current => knowledge.current += 1,
            Standing::ReviewDue => knowledge.review_due += 1,
            Standing::Outdated => knowledge.outdated += 1,
            Standing::Archived => {}
        }
    }
    let reuses: Vec<(Uuid, OffsetDateTime)> = artifact_reuse::Entity::find()
        .select_only()
        .columns([artifact_reuse::Column::ArtifactId, artifact_reuse::Column::CreatedAt])
        .filter(artifact_reuse::Column::CreatedAt.gte(start))
        .filter(artifact_reuse::Column::CreatedAt.lt(end))
        .into_tuple()
        .all(db)
        .await?;
    for (artifact_id, at) in reuses {
        if let Some(index) = month_index(at).filter(|_| scoped_artifacts.contains(&artifact_id)) {
            things[index].reuses += 1;
        }
    }
    let actions: Vec<Option<OffsetDateTime>> = intervision_action::Entity::find()
        .select_only()
        .column(intervision_action::Column::ReportedAt)
        .filter(intervision_action::Column::CommunityId.is_in(scoped.iter().copied()))
        .filter(intervision_action::Column::ReportedAt.gte(start))
        .filter(intervision_action::Column::ReportedAt.lt(end))
        .into_tuple()
        .all(db)
        .await?;
    for at in actions {
        if let Some(index) = at.and_then(month_index) {
            things[index].actions_followed_up += 1;
        }
    }
    let cycles = lesson_study_cycle::Entity::find()
        .filter(lesson_study_cycle::Column::CommunityId.is_in(scoped.iter().copied()))
        .all(db)
        .await?;
    for cycle in &cycles {
        if let Some(index) = month_index(cycle.created_at) {
            things[index].cycles_started += 1;
        }
        if let Some(index) = cycle.completed_at.and_then(month_index) {
            things[index].cycles_completed += 1;
        }
    }
    let lessons: Vec<Option<OffsetDateTime>> = research_lesson::Entity::find()
        .select_only()
        .column(research_lesson::Column::TaughtAt)
        .filter(research_lesson::Column::CycleId.is_in(cycles.iter().map(|c| c.id)))
        .filter(research_lesson::Column::TaughtAt.gte(start))
        .filter(research_lesson::Column::TaughtAt.lt(end))
        .into_tuple()
        .all(db)
        .await?;
    for at in lessons {
        if let Some(index) = at.and_then(month_index) {
            things[index].lessons_taught += 1;
        }
    }

    // Health per community in scope.
    let held: Vec<(Uuid, OffsetDateTime)> = meeting::Entity::find()
        .select_only()
        .columns([meeting::Column::CommunityId, meeting::Column::StartsAt])
        .filter(meeting::Column::CommunityId.is_in(scoped.iter().copied()))
        .filter(meeting::Column::Status.ne(crate::meeting::domain::MeetingStatus::Cancelled.as_str()))
        .filter(meeting::Column::StartsAt.gte(start))
        .filter(meeting::Column::StartsAt.lt(end.min(now)))
        .into_tuple()
        .all(db)
        .await?;
    let mut meetings_of: HashMap<Uuid, (u32, HashSet<Month>)> = HashMap::new();
    for (community_id, at) in held {
        let entry = meetings_of.entry(community_id).or_default();
        entry.0 += 1;
        entry.1.insert(Month::of(at.date()));
    }
    let mut members_of: HashMap<Uuid, (u32, bool)> = HashMap::new();
    for ((community_id, _), joined_at) in &joined {
        let Some(joined_at) = joined_at else { continue };
        let entry = members_of.entry(*community_id).or_default();
        entry.0 += 1;
        entry.1 |= *joined_at >= start && *joined_at < end;
    }
    let communities = communities
        .iter()
        .filter(|c| in_scope(scope_of(c.organisation_id)))
        .map(|c| {
            let (members, newcomers) = members_of.get(&c.id).copied().unwrap_or_default();
            let (meetings, months_met) = meetings_of.get(&c.id).map(|(n, m)| (*n, m.len() as u32)).unwrap_or_default();
            let levels: HashSet<Level> = level_at_end.get(&c.id).into_iter().flatten().copied().collect();
            HealthCard {
                id: c.id,
                name: c.name.clone(),
                health: (members >= k).then(|| Health {
                    members,
                    meetings,
                    months_met,
                    months: months.len() as u32,
                    newcomers,
                    mixed_levels: levels.len() >= 2,
                    seci_phases: phases_of.get(&c.id).map_or(0, |p| p.iter().filter(|x| **x).count() as u8),
                }),
            }
        })
        .collect();

    let scope = match scope_index {
        None => ScopeRef { id: None, name: access.board.name.clone() },
        Some(i) => {
            let school = &access.schools[i as usize];
            ScopeRef { id: Some(school.id), name: school.name.clone() }
        }
    };
    let mut choices = Vec::new();
    if access.whole_board {
        choices.push(ScopeRef { id: None, name: access.board.name.clone() });
    }
    choices.extend(
        access
            .schools
            .iter()
            .filter(|s| access.whole_board || access.own.contains(&s.id))
            .map(|s| ScopeRef { id: Some(s.id), name: s.name.clone() }),
    );
    let surveyed: Vec<Uuid> = match scope_index {
        None => access.schools.iter().map(|s| s.id).collect(),
        Some(i) => vec![access.schools[i as usize].id],
    };
    let surveys =
        culture_surveys(state, db, &access.schools, &surveyed, month_start(first), month_start(last.plus(1)), now, k)
            .await?;
    snapshot.commit().await?;
    Ok(DashboardView {
        scope,
        scopes: choices,
        period: request.period,
        months: month_rows,
        breadth,
        schools,
        things: enough.then_some(things),
        knowledge: enough.then_some(knowledge),
        communities,
        surveys,
        k,
    })
}

/// The school surveys closed in the period, each with the same school's previous one
/// beside it; a survey fewer than k answered shows nothing but that.
#[allow(clippy::too_many_arguments)]
async fn culture_surveys<C: ConnectionTrait>(
    state: &AppState,
    db: &C,
    schools: &[organisation::Model],
    surveyed: &[Uuid],
    from: OffsetDateTime,
    to: OffsetDateTime,
    at: OffsetDateTime,
    k: u32,
) -> Result<Vec<CultureSurvey>, AppError> {
    use crate::survey::api::DimensionResult;
    let closed = crate::survey::service::closed_school_surveys(db, surveyed, from, to, at, k).await?;
    let mut previous: HashMap<Uuid, Vec<crate::survey::domain::Distribution>> = HashMap::new();
    let mut out = Vec::with_capacity(closed.len());
    for survey in closed {
        let school =
            schools.iter().find(|s| s.id == survey.organisation_id).map(|s| s.name.clone()).unwrap_or_default();
        let closed_at = crate::shared::time::to_local(&state.settings.time_zone, survey.closes_at);
        let Some(distributions) = survey.distributions else {
            out.push(CultureSurvey { school, closed_at, respondents: None, dimensions: Vec::new() });
            continue;
        };
        let before = previous.insert(survey.organisation_id, distributions.clone()).unwrap_or_default();
        let dimensions = distributions
            .into_iter()
            .map(|distribution| DimensionResult {
                previous_agree: before
                    .iter()
                    .find(|b| b.dimension == distribution.dimension)
                    .and_then(|b| b.agree_percent()),
                distribution,
            })
            .collect();
        out.push(CultureSurvey { school, closed_at, respondents: Some(survey.respondents), dimensions });
    }
    Ok(out)
}

/// A member's level from a moment on: when (`None`: since before the period), the
/// change's id (to order changes at the same moment), the level.
type LevelAt = (Option<OffsetDateTime>, Uuid, Level);

/// One row of the staff the dashboard counts: a membership with its person's record.
#[derive(Debug, FromQueryResult)]
struct StaffRow {
    organisation_id: Uuid,
    role: String,
    created_at: OffsetDateTime,
    id: Uuid,
    department: Option<String>,
    experience_band: Option<String>,
    location: Option<String>,
    deactivated_at: Option<OffsetDateTime>,
}

/// Activities of a community in a month, summed per knowledge-creation phase.
#[derive(Debug, FromQueryResult)]
struct PhaseMonth {
    community_id: Uuid,
    month: i32,
    phase_0: i64,
    phase_1: i64,
    phase_2: i64,
    phase_3: i64,
    updated_artifacts: i64,
}

/// One row per community and month (in the rollup's key order, so nothing is sorted),
/// with a column per phase rather than a row per kind.
async fn activity_by_phase<C: ConnectionTrait>(
    db: &C,
    community_ids: &[Uuid],
    first: Month,
    last: Month,
) -> Result<Vec<PhaseMonth>, AppError> {
    use participation_kind_month::Column as K;
    use sea_orm::sea_query::ExprTrait;
    let sum_of = |kinds: Vec<&'static str>| {
        Expr::cust_with_expr(
            "CAST(SUM($1) AS BIGINT)",
            Expr::case(Expr::col(K::Kind).is_in(kinds), Expr::col(K::Events)).finally(0),
        )
    };
    let mut query = participation_kind_month::Entity::find().select_only().columns([K::CommunityId, K::Month]);
    for (p, phase) in SeciPhase::ALL.iter().enumerate() {
        let kinds = EventKind::ALL.iter().filter(|k| k.seci_phase() == Some(*phase)).map(|k| k.as_str()).collect();
        query = query.column_as(sum_of(kinds), format!("phase_{p}"));
    }
    Ok(query
        .column_as(sum_of(vec![EventKind::UpdatedArtifact.as_str()]), "updated_artifacts")
        .filter(K::CommunityId.is_in(community_ids.iter().copied()))
        .filter(K::Month.between(first.0, last.0))
        .group_by(K::CommunityId)
        .group_by(K::Month)
        .into_model()
        .all(db)
        .await?)
}

/// The communities' active memberships as (community, person, role, joined, created,
/// level before `start`): the level comes from the member's last change before then,
/// one index lookup per member rather than a pass over every community's history.
#[allow(clippy::type_complexity)]
async fn members_with_level_before<C: ConnectionTrait>(
    db: &C,
    community_ids: &[Uuid],
    start: OffsetDateTime,
) -> Result<Vec<(Uuid, Uuid, String, Option<OffsetDateTime>, OffsetDateTime, Option<String>)>, AppError> {
    use community_member::Column as M;
    use level_change::Column as L;
    use sea_orm::sea_query::{ExprTrait, Order};
    let (changes, members) = (level_change::Entity, community_member::Entity);
    let before = Query::select()
        .column((changes, L::Level))
        .from(changes)
        .and_where(Expr::col((changes, L::CommunityId)).equals((members, M::CommunityId)))
        .and_where(Expr::col((changes, L::UserId)).equals((members, M::UserId)))
        .and_where(Expr::col((changes, L::ChangedAt)).lt(start))
        .order_by((changes, L::ChangedAt), Order::Desc)
        .order_by((changes, L::Id), Order::Desc)
        .limit(1)
        .to_owned();
    Ok(community_member::Entity::find()
        .select_only()
        .columns([M::CommunityId, M::UserId, M::Role, M::JoinedAt, M::CreatedAt])
        .expr_as(Expr::SubQuery(None, Box::new(before.into())), "level_before")
        .filter(M::CommunityId.is_in(community_ids.iter().copied()))
        .filter(M::Status.eq(MembershipStatus::Active.as_str()))
        .into_tuple()
        .all(db)
        .await?)
}

/// The level changes from `start` to `end`, as (community, person, level, when, id).
async fn level_changes_between<C: ConnectionTrait>(
    db: &C,
    community_ids: &[Uuid],
    start: OffsetDateTime,
    end: OffsetDateTime,
) -> Result<Vec<(Uuid, Uuid, String, OffsetDateTime, Uuid)>, AppError> {
    use level_change::Column as L;
    Ok(level_change::Entity::find()
        .select_only()
        .columns([L::CommunityId, L::UserId, L::Level, L::ChangedAt, L::Id])
        .filter(L::CommunityId.is_in(community_ids.iter().copied()))
        .filter(L::ChangedAt.gte(start))
        .filter(L::ChangedAt.lt(end))
        .into_tuple()
        .all(db)
        .await?)
}

fn school_row(people: &People, month: Month, scope: u16, name: Option<String>) -> GroupRow {
    let cell = |measure| Cell { month, scope: Some(scope), group: None, measure };
    GroupRow { label: name, staff: people.shown(cell(Measure::Staff)), active: people.shown(cell(Measure::Active)) }
}

/// A community's health this term for its own page, with the dashboard's marks: `joined`
/// (when each member, not guest, joined) and `levels` (theirs now) come from the page;
/// meetings held and kinds of activity this term are read here, in two queries.
pub async fn community_health<C: ConnectionTrait>(
    db: &C,
    tz: &jiff::tz::TimeZone,
    k: u32,
    community_id: Uuid,
    joined: &[OffsetDateTime],
    levels: &[Level],
) -> Result<CommunityHealth, AppError> {
    let now = crate::db::now();
    let months = period_months(PeriodKind::Term, Month::of(crate::shared::time::today_in(tz)), None, None);
    let start = month_start(months[0]);
    let held: Vec<OffsetDateTime> = meeting::Entity::find()
        .select_only()
        .column(meeting::Column::StartsAt)
        .filter(meeting::Column::CommunityId.eq(community_id))
        .filter(meeting::Column::Status.ne(crate::meeting::domain::MeetingStatus::Cancelled.as_str()))
        .filter(meeting::Column::StartsAt.gte(start))
        .filter(meeting::Column::StartsAt.lt(now))
        .into_tuple()
        .all(db)
        .await?;
    let kinds: Vec<String> = participation_kind_month::Entity::find()
        .select_only()
        .column(participation_kind_month::Column::Kind)
        .distinct()
        .filter(participation_kind_month::Column::CommunityId.eq(community_id))
        .filter(participation_kind_month::Column::Month.gte(months[0].0))
        .into_tuple()
        .all(db)
        .await?;
    let phases: HashSet<SeciPhase> =
        kinds.iter().filter_map(|k| EventKind::decode(k).ok()).filter_map(|k| k.seci_phase()).collect();
    let months_met: HashSet<Month> = held.iter().map(|at| Month::of(at.date())).collect();
    let health = Health {
        members: joined.len() as u32,
        meetings: held.len() as u32,
        months_met: months_met.len() as u32,
        months: months.len() as u32,
        newcomers: joined.iter().any(|at| *at >= start),
        mixed_levels: levels.iter().collect::<HashSet<_>>().len() >= 2,
        seci_phases: phases.len() as u8,
    };
    Ok(CommunityHealth { health, since: months[0].first_day(), k })
}
