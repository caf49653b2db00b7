//! Reads what the dashboard counts, for a whole board at once (suppression must see
//! every school to decide what a school's page may show), and shapes it into the
//! page a viewer may see. Who may see what: board-level leaders and admins see the
//! board and each school; leaders and admins of a school see that school; everyone
//! else is told the page does not exist.

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::api::{
    Breakdown, CommunityHealth, CultureSurvey, DashboardView, GroupRow, Health, HealthCard, Knowledge, MonthRow,
    ScopeRef, ThingsMonth,
};
use super::domain::{Dimension, Month, PeriodKind, period_months};
use super::people::{ACTIVE_WINDOW, Cell, Facts, Measure, People, Person, level_at_month_ends};
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
#[tracing::instrument(level = "debug", skip_all)]
pub async fn dashboard(state: &AppState, viewer: &Viewer, request: &Request) -> Result<DashboardView, AppError> {
    let snapshot = crate::db::begin_read(&state.db).await?;
    let db = &snapshot;
    if db.get_database_backend() == DbBackend::Postgres {
        // The statements carry hundreds of ids and a period's dates: the plan PostgreSQL
        // caches for any values after five runs read the large board two to three times
        // slower than one made for the values at hand (docs/dashboard.md, Speed).
        db.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan").await?;
    }
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

    let communities = community::Entity::find()
        .filter(community::Column::OrganisationId.is_in(organisations.clone()))
        .order_by_asc(community::Column::Name)
        .all(db)
        .await?;
    let community_scope: HashMap<Uuid, u16> = communities.iter().map(|c| (c.id, scope_of(c.organisation_id))).collect();
    let community_ids: Vec<Uuid> = communities.iter().map(|c| c.id).collect();
    let in_scope = |scope: u16| scope_index.is_none_or(|s| s == scope);
    // Staff: each person once, at the school they joined first, with the months they
    // took part in something (from the monthly rollup the database keeps with the
    // events; the window reaches back before the period).
    let window = first.plus(1 - ACTIVE_WINDOW);
    let memberships = staff_with_active_months(db, &organisations, &community_ids, window, last).await?;
    let mut person_of: HashMap<Uuid, usize> = HashMap::new();
    let mut facts = Facts::default();
    for row in memberships {
        // The board's own staff work at no school: the dashboard counts school staff.
        let Some(&scope) = scopes.of_organisation.get(&row.organisation_id) else { continue };
        if person_of.contains_key(&row.id) {
            continue;
        }
        let person = facts.people.len();
        person_of.insert(row.id, person);
        let bits = row.active_months.unwrap_or(0);
        facts.active.extend((0..=last.0 - window.0).filter(|i| bits >> i & 1 == 1).map(|i| (person, window.plus(i))));
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

    // Levels at each month's end, for people still members of the community: their
    // level when the period began and their changes in it, read with the membership.
    let (start, end) = (month_start(first), month_start(last.plus(1)));
    let month_ends: Vec<OffsetDateTime> = months.iter().map(|m| month_start(m.plus(1))).collect();
    // Members (not guests) and whether anyone joined in the period, per community.
    let mut members_of: HashMap<Uuid, (u32, bool)> = HashMap::new();
    let mut level_at_end: HashMap<Uuid, Vec<Level>> = HashMap::new();
    for member in members_with_levels(db, &community_ids, start, &month_ends).await? {
        let joined_at =
            (member.role != CommunityRole::Guest.as_str()).then_some(member.joined_at.unwrap_or(member.created_at));
        if let Some(joined_at) = joined_at {
            let entry = members_of.entry(member.community_id).or_default();
            entry.0 += 1;
            entry.1 |= joined_at >= start && joined_at < end;
        }
        let (Some(joined_at), Some(&person)) = (joined_at, person_of.get(&member.user_id)) else { continue };
        let before = member.level_before.and_then(|l| Level::decode(&l).ok());
        let changes = unpack_level_changes(member.changes.as_deref().unwrap_or_default());
        for (i, level) in level_at_month_ends(before, changes, months.len()).into_iter().enumerate() {
            let Some(level) = level.filter(|_| joined_at < month_ends[i]) else { continue };
            facts.levels.push((person, months[i], level));
            if months[i] == last {
                level_at_end.entry(member.community_id).or_default().push(level);
            }
        }
    }

    // Counting and suppressing is plain work: done on a thread of its own while the
    // database reads what the scope's communities did and made.
    let counting = {
        let (months, span) = (months.clone(), tracing::debug_span!("people_compute"));
        tokio::task::spawn_blocking(move || span.in_scope(|| People::compute(&facts, &months, k)))
    };

    let mut things: Vec<ThingsMonth> =
        months.iter().map(|m| ThingsMonth { month: *m, ..ThingsMonth::default() }).collect();
    // Activities per phase in each community in scope and month: the month's SECI
    // figures and artifact updates, and which phases each community touched.
    let scoped: Vec<Uuid> = community_ids.iter().copied().filter(|id| in_scope(community_scope[id])).collect();
    let mut phases_of: HashMap<Uuid, [bool; 4]> = HashMap::new();
    for community in activity_by_phase(db, &scoped, first, last).await? {
        let touched = phases_of.entry(community.community_id).or_default();
        for month in unpack_activity(community.months.as_deref().unwrap_or_default()) {
            let Some(things) = usize::try_from(month.month - first.0).ok().and_then(|i| things.get_mut(i)) else {
                continue;
            };
            things.artifacts_updated += month.updated_artifacts;
            for (p, n) in month.phases.into_iter().enumerate() {
                things.seci[p] += n;
                touched[p] |= n > 0;
            }
        }
    }

    // Things, for the scope, per month: only its own communities are read. The
    // knowledge base is counted in the database, per status and whether the review
    // date has passed; the artifacts created and reused in the period come by date.
    let mut knowledge = Knowledge::default();
    let standings: Vec<(String, i64, i64)> = artifact::Entity::find()
        .select_only()
        .column(artifact::Column::Status)
        .column_as(Expr::cust("COUNT(*)"), "artifacts")
        .column_as(big_sum(Expr::case(artifact::Column::ReviewDueAt.lte(now), 1).finally(0)), "review_due")
        .filter(artifact::Column::CommunityId.is_in(scoped.iter().copied()))
        .group_by(artifact::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    for (status, artifacts, review_due) in standings {
        let Ok(status) = ArtifactStatus::decode(&status) else { continue };
        for (due, count) in [(true, review_due), (false, artifacts - review_due)] {
            let count = count.max(0) as u32;
            match Standing::with_review(status, due) {
                Standing::Current => knowledge.current += count,
                Standing::ReviewDue => knowledge.review_due += count,
                Standing::Outdated => knowledge.outdated += count,
                Standing::Archived => {}
            }
        }
    }
    let in_scope_communities = || scoped.iter().copied();
    let period = (start, end);
    let created = dates_within::<artifact::Entity, _>(
        db,
        artifact::Column::CreatedAt,
        artifact::Column::CommunityId.is_in(in_scope_communities()),
        period,
    );
    tally(&mut things, created.await?, |t| &mut t.artifacts_created);
    let scope_artifacts = Query::select()
        .column(artifact::Column::Id)
        .from(artifact::Entity)
        .and_where(artifact::Column::CommunityId.is_in(in_scope_communities()))
        .to_owned();
    let reuses = dates_within::<artifact_reuse::Entity, _>(
        db,
        artifact_reuse::Column::CreatedAt,
        artifact_reuse::Column::ArtifactId.in_subquery(scope_artifacts),
        period,
    );
    tally(&mut things, reuses.await?, |t| &mut t.reuses);
    let actions = dates_within::<intervision_action::Entity, _>(
        db,
        intervision_action::Column::ReportedAt,
        intervision_action::Column::CommunityId.is_in(in_scope_communities()),
        period,
    );
    tally(&mut things, actions.await?, |t| &mut t.actions_followed_up);
    let cycles = lesson_study_cycle::Entity::find()
        .filter(lesson_study_cycle::Column::CommunityId.is_in(in_scope_communities()))
        .all(db)
        .await?;
    tally(&mut things, cycles.iter().map(|c| Some(c.created_at)), |t| &mut t.cycles_started);
    tally(&mut things, cycles.iter().map(|c| c.completed_at), |t| &mut t.cycles_completed);
    let lessons = dates_within::<research_lesson::Entity, _>(
        db,
        research_lesson::Column::TaughtAt,
        research_lesson::Column::CycleId.is_in(cycles.iter().map(|c| c.id)),
        period,
    );
    tally(&mut things, lessons.await?, |t| &mut t.lessons_taught);

    // Health per community in scope: meetings held and the months they fell in, counted
    // in the database.
    let held: Vec<(Uuid, i64, i64)> = meeting::Entity::find()
        .select_only()
        .column(meeting::Column::CommunityId)
        .column_as(Expr::cust("COUNT(*)"), "meetings")
        .column_as(
            custom(
                db.get_database_backend(),
                "COUNT(DISTINCT $1)",
                month_index_of(Expr::col((meeting::Entity, meeting::Column::StartsAt)), &month_ends),
            ),
            "months_met",
        )
        .filter(meeting::Column::CommunityId.is_in(scoped.iter().copied()))
        .filter(meeting::Column::Status.ne(crate::meeting::domain::MeetingStatus::Cancelled.as_str()))
        .filter(meeting::Column::StartsAt.gte(start))
        .filter(meeting::Column::StartsAt.lt(end.min(now)))
        .group_by(meeting::Column::CommunityId)
        .into_tuple()
        .all(db)
        .await?;
    let meetings_of: HashMap<Uuid, (u32, u32)> =
        held.into_iter().map(|(id, meetings, months)| (id, (meetings.max(0) as u32, months.max(0) as u32))).collect();
    let communities = communities
        .iter()
        .filter(|c| in_scope(scope_of(c.organisation_id)))
        .map(|c| {
            let (members, newcomers) = members_of.get(&c.id).copied().unwrap_or_default();
            let (meetings, months_met) = meetings_of.get(&c.id).copied().unwrap_or_default();
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
    let people = counting.await.map_err(|err| {
        tracing::error!(error = %err, "the dashboard's counting stopped");
        AppError::Internal
    })?;
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
#[tracing::instrument(level = "debug", skip_all)]
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
    /// Bit `i` set: active in month `window + i` (see [`staff_with_active_months`]).
    active_months: Option<i64>,
}

/// The organisations' staff memberships, oldest first, each with the months from
/// `window` to `last` in which the person took part in one of `community_ids`, as bits.
/// Read with the staff, one index lookup per person, instead of as a row per person
/// (rows are what cost on SQLite) sorted by person (what cost on PostgreSQL).
#[tracing::instrument(level = "debug", skip_all)]
async fn staff_with_active_months<C: ConnectionTrait>(
    db: &C,
    organisations: &[Uuid],
    community_ids: &[Uuid],
    window: Month,
    last: Month,
) -> Result<Vec<StaffRow>, AppError> {
    use participation_person_month::Column as P;
    use sea_orm::sea_query::ExprTrait;
    let rollup = participation_person_month::Entity;
    // PostgreSQL ORs the bits; SQLite has no bitwise aggregate and sums distinct ones.
    let bits = match db.get_database_backend() {
        DbBackend::Postgres => "BIT_OR(CAST(1 AS BIGINT) << ($1))",
        _ => "SUM(DISTINCT (1 << ($1)))",
    };
    let active = Query::select()
        .expr(custom(db.get_database_backend(), bits, Expr::col((rollup, P::Month)).sub(window.0)))
        .from(rollup)
        .and_where(Expr::col((rollup, P::UserId)).equals((user::Entity, user::Column::Id)))
        .and_where(Expr::col((rollup, P::Month)).between(window.0, last.0))
        .and_where(Expr::col((rollup, P::CommunityId)).is_in(community_ids.iter().copied()))
        .to_owned();
    Ok(staff_membership::Entity::find()
        .select_only()
        .columns([
            staff_membership::Column::OrganisationId,
            staff_membership::Column::Role,
            staff_membership::Column::CreatedAt,
        ])
        .column(user::Column::Id)
        .columns([user::Column::Department, user::Column::ExperienceBand, user::Column::Location])
        .column(user::Column::DeactivatedAt)
        .expr_as(Expr::SubQuery(None, Box::new(active.into())), "active_months")
        .inner_join(user::Entity)
        .filter(staff_membership::Column::OrganisationId.is_in(organisations.iter().copied()))
        .order_by_asc(staff_membership::Column::CreatedAt)
        .into_model()
        .all(db)
        .await?)
}

/// The index of the month a timestamp falls in, from the months' ends in order (one past
/// the last when after them): the same on both databases, and as `Month::of` reads it.
fn month_index_of(at: Expr, month_ends: &[OffsetDateTime]) -> Expr {
    use sea_orm::sea_query::{CaseStatement, ExprTrait};
    let mut case = CaseStatement::new();
    for (i, end) in month_ends.iter().enumerate() {
        case = case.case(at.clone().lt(*end), i as i32);
    }
    case.finally(month_ends.len() as i32).into()
}

/// `SUM(expr)` as a 64-bit integer on both databases.
fn big_sum(expr: impl Into<Expr>) -> Expr {
    use sea_orm::sea_query::{Alias, Func};
    Func::cast_as(Func::sum(expr), Alias::new("BIGINT")).into()
}

/// The SQL `template` with `$1` standing for `expr`. sea-query takes the backend's own
/// placeholder there (`$1` on PostgreSQL, `?` on SQLite, where `$1` would be a named
/// parameter left unbound), so the template is written for PostgreSQL and adapted.
fn custom(backend: DbBackend, template: &'static str, expr: impl Into<Expr>) -> Expr {
    match backend {
        DbBackend::Postgres => Expr::cust_with_expr(template, expr),
        _ => Expr::cust_with_expr(template.replace("$1", "?"), expr),
    }
}

/// A community's activities over the period, packed by [`activity_by_phase`].
#[derive(Debug, FromQueryResult)]
struct CommunityActivity {
    community_id: Uuid,
    months: Option<String>,
}

/// One community's activities in one month: per knowledge-creation phase, and the
/// artifact updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PhaseMonth {
    month: i32,
    phases: [u32; 4],
    updated_artifacts: u32,
}

/// The communities' activities per month, summed per phase in the rollup's key order,
/// then one row per community with its months packed into one column
/// (`"<month> <phase 0> … <phase 3> <updates>"`, see [`unpack_activity`]): thousands of
/// rows cost more on SQLite than the sums.
#[tracing::instrument(level = "debug", skip_all)]
async fn activity_by_phase<C: ConnectionTrait>(
    db: &C,
    community_ids: &[Uuid],
    first: Month,
    last: Month,
) -> Result<Vec<CommunityActivity>, AppError> {
    use participation_kind_month::Column as K;
    use sea_orm::QueryTrait;
    use sea_orm::sea_query::{Alias, ExprTrait};
    let sum_of = |kinds: Vec<&'static str>| {
        big_sum(Expr::case(Expr::col(K::Kind).is_in(kinds), Expr::col(K::Events)).finally(0))
    };
    let mut per_month = participation_kind_month::Entity::find().select_only().columns([K::CommunityId, K::Month]);
    for (p, phase) in SeciPhase::ALL.iter().enumerate() {
        let kinds = EventKind::ALL.iter().filter(|k| k.seci_phase() == Some(*phase)).map(|k| k.as_str()).collect();
        per_month = per_month.column_as(sum_of(kinds), format!("phase_{p}"));
    }
    let per_month = per_month
        .column_as(sum_of(vec![EventKind::UpdatedArtifact.as_str()]), "updated_artifacts")
        .filter(K::CommunityId.is_in(community_ids.iter().copied()))
        .filter(K::Month.between(first.0, last.0))
        .group_by(K::CommunityId)
        .group_by(K::Month)
        .into_query();
    let backend = db.get_database_backend();
    let packed = match backend {
        DbBackend::Postgres => {
            r#"STRING_AGG(CONCAT_WS(' ', "month", "phase_0", "phase_1", "phase_2", "phase_3", "updated_artifacts"), ',')"#
        }
        _ => {
            r#"GROUP_CONCAT(CONCAT_WS(' ', "month", "phase_0", "phase_1", "phase_2", "phase_3", "updated_artifacts"), ',')"#
        }
    };
    let per_community = Query::select()
        .column(Alias::new("community_id"))
        .expr_as(Expr::cust(packed), "months")
        .from_subquery(per_month, Alias::new("per_month"))
        .group_by_col(Alias::new("community_id"))
        .to_owned();
    Ok(CommunityActivity::find_by_statement(backend.build(&per_community)).all(db).await?)
}

/// The months [`activity_by_phase`] packed; an entry that does not read is skipped.
fn unpack_activity(packed: &str) -> impl Iterator<Item = PhaseMonth> + '_ {
    packed.split(',').filter_map(|entry| {
        let mut numbers = entry.split(' ').map(|n| n.parse::<i64>().ok());
        let mut next = || numbers.next().flatten();
        let month = i32::try_from(next()?).ok()?;
        let mut count = || next().map(|n| u32::try_from(n).unwrap_or(0));
        let phases = [count()?, count()?, count()?, count()?];
        Some(PhaseMonth { month, phases, updated_artifacts: count()? })
    })
}

/// An active membership with the member's level history over the period.
#[derive(Debug, FromQueryResult)]
struct MemberLevels {
    community_id: Uuid,
    user_id: Uuid,
    role: String,
    joined_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
    /// Their level when the period began: the last change before it.
    level_before: Option<String>,
    /// Their changes in the period, in the order made (see [`unpack_level_changes`]).
    changes: Option<String>,
}

/// The communities' active memberships, each with the member's level history over the
/// months from `start` to `month_ends`: the level before and the changes packed into one
/// column, so that a board's ten thousand changes come back as one row per member.
/// Both are index lookups on `(community, user, changed_at, id)`.
#[tracing::instrument(level = "debug", skip_all)]
async fn members_with_levels<C: ConnectionTrait>(
    db: &C,
    community_ids: &[Uuid],
    start: OffsetDateTime,
    month_ends: &[OffsetDateTime],
) -> Result<Vec<MemberLevels>, AppError> {
    use community_member::Column as M;
    use level_change::Column as L;
    use sea_orm::sea_query::{ExprTrait, Order, SelectStatement};
    let (changes, members) = (level_change::Entity, community_member::Entity);
    let Some(&end) = month_ends.last() else { return Ok(Vec::new()) };
    let of_member = |query: &mut SelectStatement| {
        query
            .from(changes)
            .and_where(Expr::col((changes, L::CommunityId)).equals((members, M::CommunityId)))
            .and_where(Expr::col((changes, L::UserId)).equals((members, M::UserId)));
    };
    let mut before = Query::select();
    of_member(&mut before);
    before
        .column((changes, L::Level))
        .and_where(Expr::col((changes, L::ChangedAt)).lt(start))
        .order_by((changes, L::ChangedAt), Order::Desc)
        .order_by((changes, L::Id), Order::Desc)
        .limit(1);
    // Each change as "<index of its month> <level>", joined by commas in the order made.
    let packed = match db.get_database_backend() {
        DbBackend::Postgres => {
            r#"STRING_AGG(($1) || ' ' || "level_changes"."level", ',' ORDER BY "level_changes"."changed_at", "level_changes"."id")"#
        }
        _ => {
            r#"GROUP_CONCAT(($1) || ' ' || "level_changes"."level", ',' ORDER BY "level_changes"."changed_at", "level_changes"."id")"#
        }
    };
    let mut in_period = Query::select();
    of_member(&mut in_period);
    in_period
        .expr(custom(db.get_database_backend(), packed, month_index_of(Expr::col((changes, L::ChangedAt)), month_ends)))
        .and_where(Expr::col((changes, L::ChangedAt)).gte(start))
        .and_where(Expr::col((changes, L::ChangedAt)).lt(end));
    Ok(community_member::Entity::find()
        .select_only()
        .columns([M::CommunityId, M::UserId, M::Role, M::JoinedAt, M::CreatedAt])
        .expr_as(Expr::SubQuery(None, Box::new(before.into())), "level_before")
        .expr_as(Expr::SubQuery(None, Box::new(in_period.into())), "changes")
        .filter(M::CommunityId.is_in(community_ids.iter().copied()))
        .filter(M::Status.eq(MembershipStatus::Active.as_str()))
        .into_model()
        .all(db)
        .await?)
}

/// The changes [`members_with_levels`] packed, as (month index, level) in the order made;
/// an entry that does not read is skipped.
fn unpack_level_changes(packed: &str) -> impl Iterator<Item = (usize, Level)> + '_ {
    packed.split(',').filter_map(|entry| {
        let (month, level) = entry.split_once(' ')?;
        Some((month.parse().ok()?, Level::decode(level).ok()?))
    })
}

fn school_row(people: &People, month: Month, scope: u16, name: Option<String>) -> GroupRow {
    let cell = |measure| Cell { month, scope: Some(scope), group: None, measure };
    GroupRow { label: name, staff: people.shown(cell(Measure::Staff)), active: people.shown(cell(Measure::Active)) }
}

/// The dates in `column` of the rows of `E` that `scope` selects, within `[start, end)`.
async fn dates_within<E: EntityTrait, C: ConnectionTrait>(
    db: &C,
    column: E::Column,
    scope: impl sea_orm::sea_query::IntoCondition,
    (start, end): (OffsetDateTime, OffsetDateTime),
) -> Result<Vec<Option<OffsetDateTime>>, AppError> {
    Ok(E::find()
        .select_only()
        .column(column)
        .filter(scope)
        .filter(column.gte(start))
        .filter(column.lt(end))
        .into_tuple()
        .all(db)
        .await?)
}

/// Counts each date into its month's figure; dates outside the months are left out.
fn tally(
    things: &mut [ThingsMonth],
    dates: impl IntoIterator<Item = Option<OffsetDateTime>>,
    figure: fn(&mut ThingsMonth) -> &mut u32,
) {
    let Some(first) = things.first().map(|t| t.month) else { return };
    for at in dates.into_iter().flatten() {
        let month = Month::of(at.date());
        if let Some(things) = usize::try_from(month.0 - first.0).ok().and_then(|i| things.get_mut(i)) {
            *figure(things) += 1;
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_sql_takes_its_expression_on_both_databases() {
        use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
        let sql = |backend| Query::select().expr(custom(backend, "SUM($1) + 1", Expr::val(7))).to_owned();
        assert_eq!(sql(DbBackend::Sqlite).to_string(SqliteQueryBuilder), "SELECT SUM(7) + 1");
        assert_eq!(sql(DbBackend::Postgres).to_string(PostgresQueryBuilder), "SELECT SUM(7) + 1");
        let (text, values) = sql(DbBackend::Sqlite).build(SqliteQueryBuilder);
        assert_eq!((text.as_str(), values.0.len()), ("SELECT SUM(?) + 1", 1));
    }

    #[test]
    fn packed_level_changes_read_back_in_order_and_skip_what_does_not_read() {
        let changes: Vec<_> = unpack_level_changes("0 active,2 core,x core,1 nonsense,3 peripheral").collect();
        assert_eq!(changes, vec![(0, Level::Active), (2, Level::Core), (3, Level::Peripheral)]);
        assert_eq!(unpack_level_changes("").count(), 0);
    }

    #[test]
    fn dates_are_tallied_into_their_month_and_others_left_out() {
        use time::macros::datetime;
        let first = Month::of(time::macros::date!(2026 - 09 - 01));
        let mut things: Vec<ThingsMonth> =
            (0..3).map(|i| ThingsMonth { month: first.plus(i), ..ThingsMonth::default() }).collect();
        let dates = [
            Some(datetime!(2026-09-30 23:59 UTC)),
            Some(datetime!(2026-11-01 00:00 UTC)),
            Some(datetime!(2026-11-20 12:00 UTC)),
            Some(datetime!(2026-08-31 23:59 UTC)),
            Some(datetime!(2026-12-01 00:00 UTC)),
            None,
        ];
        tally(&mut things, dates, |t| &mut t.reuses);
        assert_eq!(things.iter().map(|t| t.reuses).collect::<Vec<_>>(), vec![1, 0, 2]);
        assert!(things.iter().all(|t| t.lessons_taught == 0));
    }

    #[test]
    fn packed_activity_reads_back_and_skips_what_does_not_read() {
        let months: Vec<_> = unpack_activity("24318 1 0 2 0 3,24319 0 0 0 5 0,x 1 1 1 1 1,24320 1 2").collect();
        assert_eq!(
            months,
            vec![
                PhaseMonth { month: 24318, phases: [1, 0, 2, 0], updated_artifacts: 3 },
                PhaseMonth { month: 24319, phases: [0, 0, 0, 5], updated_artifacts: 0 },
            ]
        );
        assert_eq!(unpack_activity("").count(), 0);
    }
}
