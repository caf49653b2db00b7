//! The leaders' dashboard on SQLite and PostgreSQL: who may open which scope (a school
//! leader their school, board leaders and admins the board and every school, nobody
//! else anything), that the answer carries counts and never a person, that small
//! groups are hidden in the demo, and that the CSV holds the same figures.

use crate::common::*;
use crate::intervision::json;
use http::StatusCode;
use serde_json::Value;
use uuid::Uuid;

const DASHBOARD: &str = "leader_dashboard";

fn last_month(view: &Value) -> &Value {
    view["months"].as_array().unwrap().last().unwrap()
}

#[tokio::test]
async fn leaders_open_their_own_scope_and_nobody_else_opens_any() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let lyceum = demo_school_id(&app).await;
        let vakcollege = organisation_id(&app, "esdal-vakcollege").await;

        let anonymous = Client::default();
        assert_eq!(app.call(DASHBOARD, &[], &anonymous).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.get("/dashboard.csv", &anonymous).await.status, StatusCode::UNAUTHORIZED);

        for email in [TEACHER, OTHER_TEACHER] {
            let client = app.login(email).await;
            for scope in ["", "board", lyceum.as_str()] {
                let r = app.call(DASHBOARD, &[("scope", scope)], &client).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?} {email} scope {scope:?}: {}", r.body);
            }
            assert_eq!(app.get("/dashboard", &client).await.status, StatusCode::NOT_FOUND, "{email}");
            assert_eq!(app.get("/dashboard.csv", &client).await.status, StatusCode::NOT_FOUND, "{email}");
        }

        // A school leader: their school, by default and by name; not the other school,
        // not the board.
        let leader = app.login(LEADER).await;
        let own = json(&app.call(DASHBOARD, &[], &leader).await.body);
        assert_eq!(own["scope"]["name"], "Esdal Lyceum");
        assert_eq!(own["scopes"].as_array().unwrap().len(), 1, "{}", own["scopes"]);
        assert_eq!(own["schools"].as_array().unwrap().len(), 0);
        let named = app.call(DASHBOARD, &[("scope", &lyceum)], &leader).await;
        assert_eq!(named.status, StatusCode::OK);
        for scope in [vakcollege.as_str(), "board"] {
            let r = app.call(DASHBOARD, &[("scope", scope)], &leader).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?} leader asks for {scope}: {}", r.body);
            let csv = app.get(&format!("/dashboard.csv?scope={scope}"), &leader).await;
            assert_eq!(csv.status, StatusCode::NOT_FOUND);
        }
        // Their home page is the dashboard.
        let home = app.get("/", &leader).await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.body.contains("role=\"img\""), "the leader's home shows the charts");

        // The board's admin: the board with its schools, and each school.
        let admin = app.login(ADMIN).await;
        let board = json(&app.call(DASHBOARD, &[], &admin).await.body);
        assert_eq!(board["scope"]["id"], Value::Null);
        assert_eq!(board["scopes"].as_array().unwrap().len(), 3);
        assert_eq!(board["schools"].as_array().unwrap().len(), 2);
        let school = app.call(DASHBOARD, &[("scope", &vakcollege)], &admin).await;
        assert_eq!(school.status, StatusCode::OK, "{}", school.body);

        // Another board's admin sees their own board, and nothing of this one.
        let other = app.login(OTHER_ADMIN).await;
        let theirs = json(&app.call(DASHBOARD, &[], &other).await.body);
        assert_ne!(theirs["scope"]["name"], board["scope"]["name"]);
        let r = app.call(DASHBOARD, &[("scope", &lyceum)], &other).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn the_dashboard_shows_counts_of_groups_never_people() {
    use app::db::entities::user;
    use sea_orm::EntityTrait;
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let admin = app.login(ADMIN).await;
        let response = app.call(DASHBOARD, &[("period", "year")], &admin).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        // Nobody's name, address or id is in the answer.
        for person in user::Entity::find().all(app.db()).await.unwrap() {
            assert!(!response.body.contains(&person.email), "{backend:?}: {} in the dashboard", person.email);
            assert!(!response.body.contains(&person.name), "{backend:?}: {} in the dashboard", person.name);
            assert!(!response.body.contains(&person.id.to_string()));
        }
        let view = json(&response.body);
        // The board's staff are its schools' staff (the board's own staff work at none).
        let now = last_month(&view);
        let staff = now["staff"].as_u64().expect("the board's staff count is shown");
        let schools: Vec<&Value> = view["schools"].as_array().unwrap().iter().collect();
        let shown: Vec<u64> = schools.iter().filter_map(|s| s["staff"].as_u64()).collect();
        assert_eq!(shown.len(), 2, "{}", view["schools"]);
        assert_eq!(shown.iter().sum::<u64>(), staff);
        assert!(now["active"].as_u64().unwrap() > 0, "the demo's communities took part");
        // Every shown count is zero or at least k; and in the demo some are hidden.
        let k = view["k"].as_u64().unwrap();
        let mut hidden = 0;
        for breakdown in view["breadth"].as_array().unwrap() {
            if breakdown["more_hidden"] == true {
                hidden += 1;
            }
            for row in breakdown["rows"].as_array().unwrap() {
                assert!(row["staff"].as_u64().is_some(), "a group shown by name has its size shown: {row}");
                for field in ["staff", "active"] {
                    match row[field].as_u64() {
                        Some(n) => assert!(n == 0 || n >= k, "{backend:?} {breakdown} shows {n}"),
                        None => hidden += 1,
                    }
                }
            }
        }
        assert!(hidden > 0, "the demo has groups too small to show");
        // Departments of one or two teachers are not even named.
        let departments = &view["breadth"].as_array().unwrap()[0];
        assert_eq!(departments["dimension"], "department");
        assert!(!departments.to_string().contains("Lichamelijke opvoeding"), "{departments}");
        assert!(departments.to_string().contains("Wiskunde"), "{departments}");
        // A school leader sees the same figures for their school as the board shows.
        let leader = app.login(LEADER).await;
        let school = json(&app.call(DASHBOARD, &[("period", "year")], &leader).await.body);
        let lyceum = schools.iter().find(|s| s["label"] == "Esdal Lyceum").unwrap();
        assert_eq!(last_month(&school)["staff"], lyceum["staff"]);
        assert_eq!(last_month(&school)["active"], lyceum["active"]);
    }
}

#[tokio::test]
async fn bad_parameters_are_refused_and_the_csv_holds_the_figures() {
    let app = TestApp::new(Backend::Sqlite).await;
    let leader = app.login(LEADER).await;
    for (name, value) in [("period", "weekly"), ("scope", "not-a-school"), ("from", "2026-13"), ("to", "later")] {
        let r = app.call(DASHBOARD, &[(name, value)], &leader).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}={value}: {}", r.body);
        assert!(r.body.contains(name), "the error names the field: {}", r.body);
    }
    let custom =
        json(&app.call(DASHBOARD, &[("period", "custom"), ("from", "2000-01"), ("to", "2099-12")], &leader).await.body);
    let months = custom["months"].as_array().unwrap();
    assert_eq!(months.len(), 24, "a custom period is at most two years and ends this month");

    let view = json(&app.call(DASHBOARD, &[("period", "year")], &leader).await.body);
    let csv = app.get("/dashboard.csv?period=year", &leader).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(csv.header("cache-control"), Some("private, no-store"));
    let text = csv.text();
    let last = last_month(&view);
    let month = {
        let m = last["month"].as_i64().unwrap();
        format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
    };
    let staff_line = format!("Deelname,Medewerkers,Esdal Lyceum,{month},{}", last["staff"].as_u64().unwrap());
    assert!(text.lines().any(|l| l.starts_with(&staff_line)), "{staff_line} in\n{text}");
    assert!(text.contains("verborgen: minder dan k mensen"), "hidden figures say why");
    let page = app.get("/dashboard?period=year", &leader).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<table"), "every chart has its table");
    assert!(page.body.contains("href=\"/dashboard.csv?period=year\""));
}

#[tokio::test]
async fn staff_can_read_what_leaders_see() {
    let app = TestApp::new(Backend::Sqlite).await;
    let page = app.get("/privacy/leaders", &Client::default()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("minstens 5 mensen"), "the page names k: {}", page.text());
    let privacy = app.get("/privacy", &Client::default()).await;
    assert!(privacy.body.contains("href=\"/privacy/leaders\""));
}

#[tokio::test]
async fn a_school_leader_asking_to_join_is_told_and_the_facilitator_sees_it() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let reading = crate::intervision::reading_id(&app).await;
        let leader = app.login(LEADER).await;
        let directory = app.get("/communities", &leader).await;
        assert!(
            directory.text().contains("werken het best zonder de leidinggevende in de groep"),
            "{backend:?}: the leader reads the note before asking"
        );
        let teacher_view = app.get("/communities", &app.login(crate::intervision::COLLEAGUE).await).await;
        assert!(!teacher_view.text().contains("zonder de leidinggevende"), "teachers get no such note");

        let asked = app.call("request_to_join", &[("community_id", &reading)], &leader).await;
        assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
        let colleague = app.login(crate::intervision::COLLEAGUE).await;
        assert_eq!(app.call("request_to_join", &[("community_id", &reading)], &colleague).await.status, StatusCode::OK);

        let facilitator = app.login(TEACHER).await;
        let page = json(&app.call("community_page", &[("community_id", &reading)], &facilitator).await.body);
        let pending = page["pending"].as_array().unwrap();
        let flag = |name: &str| pending.iter().find(|p| p["name"] == name).map(|p| p["line_manager"].clone());
        assert_eq!(flag("Marco Veenstra"), Some(Value::Bool(true)), "{backend:?}: {pending:?}");
        assert_eq!(flag("Jeroen Bakker"), Some(Value::Bool(false)));
        let html = app.get(&format!("/c/{reading}"), &facilitator).await.text();
        assert!(html.contains("werkt het best zonder de leidinggevende van de leden"));
    }
}

/// Members see their community's health this term on its page, counted from the
/// community's own meetings and members; the demo's intervision groups hold real rounds
/// whose follow-ups the dashboard counts.
#[tokio::test]
async fn members_see_their_community_health_and_the_demo_rounds_are_real() {
    use app::dashboard::domain::{Month, PeriodKind, period_months};
    use app::db::entities::{community, intervision_action, intervision_round, meeting};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let reading = community::Entity::find()
            .filter(community::Column::Name.eq("Begrijpend lezen in de onderbouw"))
            .one(app.db())
            .await
            .unwrap()
            .unwrap();
        let member = app.login(TEACHER).await;
        let response = app.call("community_page", &[("community_id", &reading.id.to_string())], &member).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        let page = json(&response.body);
        let health = &page["health"]["health"];
        let members = page["members"].as_array().unwrap().iter().filter(|m| m["role"] != "guest").count();
        assert_eq!(health["members"].as_u64().unwrap() as usize, members, "{backend:?}: {health}");
        // This term's meetings, counted here from the table.
        let term = period_months(PeriodKind::Term, Month::of(app::db::now().date()), None, None);
        let start = term[0].first_day().midnight().assume_utc();
        let held: Vec<meeting::Model> = meeting::Entity::find()
            .filter(meeting::Column::CommunityId.eq(reading.id))
            .filter(meeting::Column::Status.ne("cancelled"))
            .filter(meeting::Column::StartsAt.gte(start))
            .filter(meeting::Column::StartsAt.lt(app::db::now()))
            .all(app.db())
            .await
            .unwrap();
        assert!(!held.is_empty(), "{backend:?}: the demo community met this term");
        assert_eq!(health["meetings"].as_u64().unwrap() as usize, held.len(), "{backend:?}");
        let months: std::collections::HashSet<Month> = held.iter().map(|m| Month::of(m.starts_at.date())).collect();
        assert_eq!(health["months_met"].as_u64().unwrap() as usize, months.len());
        assert_eq!(health["months"].as_u64().unwrap() as usize, term.len());
        assert!(health["seci_phases"].as_u64().unwrap() >= 2, "{health}");
        assert_eq!(page["health"]["k"].as_u64(), Some(u64::from(app.state.settings.min_group.max(5))));
        assert!(response.body.contains("\"mixed_levels\""));

        // The demo's rounds are real: ended rounds with actions, some reported on.
        let rounds = intervision_round::Entity::find()
            .filter(intervision_round::Column::CommunityId.eq(reading.id))
            .filter(intervision_round::Column::Status.eq("ended"))
            .count(app.db())
            .await
            .unwrap();
        assert!(rounds >= 3, "{backend:?}: {rounds} rounds");
        let reported = intervision_action::Entity::find()
            .filter(intervision_action::Column::ReportedAt.is_not_null())
            .count(app.db())
            .await
            .unwrap();
        assert!(reported >= 3, "{backend:?}: {reported} actions followed up");
        let admin = app.login(ADMIN).await;
        let view =
            json(&app.call(DASHBOARD, &[("period", "custom"), ("from", &term[0].plus(-6).iso())], &admin).await.body);
        let followed: u64 =
            view["things"].as_array().unwrap().iter().map(|m| m["actions_followed_up"].as_u64().unwrap()).sum();
        assert!(followed > 0, "{backend:?}: the dashboard counts the demo's follow-ups");
    }
}

/// The monthly rollups the dashboard reads, recounted from the events themselves.
async fn recount(app: &TestApp) -> (Rollup<Uuid>, Rollup<String>) {
    use app::dashboard::domain::Month;
    use app::db::entities::participation_event;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let mut people = Rollup::new();
    let mut kinds = Rollup::new();
    let events = participation_event::Entity::find()
        .filter(participation_event::Column::RetractedAt.is_null())
        .all(app.db())
        .await
        .unwrap();
    for event in events {
        let month = Month::of(event.occurred_at.to_offset(time::UtcOffset::UTC).date()).0;
        *people.entry((event.community_id, month, event.user_id)).or_insert(0) += 1;
        *kinds.entry((event.community_id, month, event.kind)).or_insert(0) += 1;
    }
    (people, kinds)
}

type Rollup<K> = std::collections::BTreeMap<(Uuid, i32, K), i32>;

async fn stored_rollups(app: &TestApp) -> (Rollup<Uuid>, Rollup<String>) {
    use app::db::entities::{participation_kind_month, participation_person_month};
    use sea_orm::EntityTrait;
    let people = participation_person_month::Entity::find().all(app.db()).await.unwrap();
    let kinds = participation_kind_month::Entity::find().all(app.db()).await.unwrap();
    (
        people.into_iter().map(|r| ((r.community_id, r.month, r.user_id), r.events)).collect(),
        kinds.into_iter().map(|r| ((r.community_id, r.month, r.kind), r.events)).collect(),
    )
}

/// The dashboard reads monthly rollups, not the million events: the database keeps
/// them equal to the events however they are written, retracted, moved or deleted
/// (a person erasing their account, retention), on both databases.
#[tokio::test]
async fn the_monthly_rollups_always_agree_with_the_events() {
    use app::db::entities::{community, participation_event};
    use app::participation::domain::EventKind;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let db = app.db();
        let agree = |step: &'static str| {
            let app = &app;
            async move {
                let (expected, stored) = (recount(app).await, stored_rollups(app).await);
                assert!(!expected.0.is_empty() || step == "all gone", "{backend:?} {step}: the demo has events");
                assert_eq!(stored.0, expected.0, "{backend:?} {step}: people per community and month");
                assert_eq!(stored.1, expected.1, "{backend:?} {step}: activities per community, month and kind");
            }
        };
        agree("the demo as loaded").await;

        // New events, one of them in another month, through the service.
        let reading = community::Entity::find()
            .filter(community::Column::Name.eq("Begrijpend lezen in de onderbouw"))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let member =
            uuid::Uuid::parse_str(&crate::intervision::user_id(&app, crate::intervision::MEMBER).await).unwrap();
        let now = app::db::now();
        for at in [now, now - time::Duration::days(45), now - time::Duration::days(45)] {
            app::participation::service::record_event(db, &reading, member, EventKind::SharedArtifact, at, None, None)
                .await
                .unwrap();
        }
        agree("three new events").await;

        // A facilitator's correction retracts attendance; putting one back counts it again.
        let attended = participation_event::Column::Kind.eq(EventKind::Attended.as_str());
        participation_event::Entity::update_many()
            .col_expr(participation_event::Column::RetractedAt, Expr::value(now))
            .filter(participation_event::Column::CommunityId.eq(reading.id))
            .filter(attended.clone())
            .exec(db)
            .await
            .unwrap();
        agree("attendance retracted").await;
        let one = participation_event::Entity::find()
            .filter(participation_event::Column::CommunityId.eq(reading.id))
            .filter(attended)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        participation_event::Entity::update_many()
            .col_expr(participation_event::Column::RetractedAt, Expr::value(Option::<time::OffsetDateTime>::None))
            .col_expr(participation_event::Column::OccurredAt, Expr::value(one.occurred_at - time::Duration::days(40)))
            .filter(participation_event::Column::Id.eq(one.id))
            .exec(db)
            .await
            .unwrap();
        agree("one attendance put back, a month earlier").await;

        // Someone erases their account: the community's history keeps its counts.
        let leaving = app::account::service::load_viewer(db, member).await.unwrap().unwrap();
        app::privacy::service::erase(&app.state, &leaving, PASSWORD.into(), true).await.unwrap();
        let theirs =
            participation_event::Entity::find().filter(participation_event::Column::UserId.eq(member)).count(db).await;
        assert!(theirs.unwrap() > 0, "{backend:?}: counted without a name");
        agree("an account erased").await;

        // Retention deletes old events: as if 700 days had passed, all but the last month.
        let forgotten = app::retention::enforce(&app.state, now + time::Duration::days(700)).await.unwrap();
        assert!(forgotten.participation_events > 0, "{backend:?}");
        agree("old events forgotten").await;
        participation_event::Entity::delete_many().exec(db).await.unwrap();
        agree("all gone").await;
        assert!(stored_rollups(&app).await.0.is_empty(), "{backend:?}");
    }
}

/// The dashboard reads its figures in a few packed queries; this recounts them the plain
/// way from the records (staff, memberships, every level change, artifacts and their
/// reuses) over twelve months, and every figure shown must agree.
#[tokio::test]
async fn the_figures_agree_with_a_recount_from_the_records() {
    use app::artifact::domain::{ArtifactStatus, Standing};
    use app::dashboard::domain::Month;
    use app::db::entities::{
        artifact, artifact_reuse, community, community_member, level_change, meeting, organisation,
    };
    use app::db::entities::{participation_event, staff_membership, user};
    use app::participation::domain::{EventKind, Level, SeciPhase};
    use sea_orm::EntityTrait;
    use std::collections::{HashMap, HashSet};
    use time::OffsetDateTime;
    let month_start = |m: Month| m.first_day().midnight().assume_utc();
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let admin = app.login(ADMIN).await;
        let current = Month::of(OffsetDateTime::now_utc().date());
        let from = current.plus(-11).iso();
        let response = app.call(DASHBOARD, &[("period", "custom"), ("from", &from)], &admin).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        let view: app::dashboard::api::DashboardView = serde_json::from_str(&response.body).unwrap();
        assert_eq!(view.months.len(), 12);
        let db = app.db();

        let board = organisation::Entity::find().all(db).await.unwrap().into_iter().find(|o| o.name == view.scope.name);
        let board = board.expect("the board");
        let schools: HashSet<Uuid> = organisation::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .filter(|o| o.parent_id == Some(board.id))
            .map(|o| o.id)
            .collect();
        let communities: HashSet<Uuid> = community::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.organisation_id == board.id || schools.contains(&c.organisation_id))
            .map(|c| c.id)
            .collect();
        // Staff: each person from their first membership of one of the board's schools.
        let mut staff_memberships = staff_membership::Entity::find().all(db).await.unwrap();
        staff_memberships.sort_by_key(|m| m.created_at);
        let users: HashMap<Uuid, user::Model> =
            user::Entity::find().all(db).await.unwrap().into_iter().map(|u| (u.id, u)).collect();
        let mut on_staff_from: HashMap<Uuid, (Month, Option<Month>)> = HashMap::new();
        let mut seen = HashSet::new();
        for m in staff_memberships.iter().filter(|m| schools.contains(&m.organisation_id)) {
            if seen.insert(m.user_id) {
                let until = users[&m.user_id].deactivated_at.map(|at| Month::of(at.date()).plus(1));
                on_staff_from.insert(m.user_id, (Month::of(m.created_at.date()), until));
            }
        }
        let mut changes = level_change::Entity::find().all(db).await.unwrap();
        changes.sort_by_key(|c| (c.changed_at, c.id));
        let members: Vec<community_member::Model> = community_member::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| communities.contains(&m.community_id) && m.status == "active" && m.role != "guest")
            .collect();

        let mut compared = 0;
        for row in &view.months {
            let end = month_start(row.month.plus(1));
            let mut highest: HashMap<Uuid, Level> = HashMap::new();
            for member in &members {
                let on_staff = on_staff_from
                    .get(&member.user_id)
                    .is_some_and(|(from, until)| *from <= row.month && until.is_none_or(|u| row.month < u));
                if !on_staff || member.joined_at.unwrap_or(member.created_at) >= end {
                    continue;
                }
                let last = changes.iter().rfind(|c| {
                    c.community_id == member.community_id && c.user_id == member.user_id && c.changed_at < end
                });
                if let Some(level) = last.and_then(|c| Level::decode(&c.level).ok()) {
                    let best = highest.entry(member.user_id).or_insert(level);
                    *best = (*best).max(level);
                }
            }
            for (i, level) in Level::ALL.iter().enumerate() {
                let expected = highest.values().filter(|l| *l == level).count() as u32;
                if let Some(shown) = row.levels[i] {
                    assert_eq!(shown, expected, "{backend:?}: {level:?} at the end of {}", row.month.iso());
                    compared += shown;
                }
            }
            if let Some(members) = row.members {
                assert_eq!(members, highest.len() as u32, "{backend:?}: members in {}", row.month.iso());
            }
        }
        assert!(compared > 0, "{backend:?}: the demo shows levels to compare");

        // The knowledge base today, and what was created and applied in each month.
        let now = OffsetDateTime::now_utc();
        let artifacts: Vec<artifact::Model> = artifact::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| communities.contains(&a.community_id))
            .collect();
        let knowledge = view.knowledge.clone().expect("the board is large enough to show its knowledge base");
        let count = |standing: Standing| {
            artifacts
                .iter()
                .filter(|a| Standing::of(ArtifactStatus::decode(&a.status).unwrap(), a.review_due_at, now) == standing)
                .count() as u32
        };
        assert_eq!(
            (knowledge.current, knowledge.review_due, knowledge.outdated),
            (count(Standing::Current), count(Standing::ReviewDue), count(Standing::Outdated)),
            "{backend:?}"
        );
        assert!(knowledge.current + knowledge.review_due > 0);
        let ids: HashSet<Uuid> = artifacts.iter().map(|a| a.id).collect();
        let reuses = artifact_reuse::Entity::find().all(db).await.unwrap();
        let things = view.things.clone().expect("the board's activity is shown");
        for month in &things {
            let created = artifacts.iter().filter(|a| Month::of(a.created_at.date()) == month.month).count() as u32;
            let applied = reuses
                .iter()
                .filter(|r| ids.contains(&r.artifact_id) && Month::of(r.created_at.date()) == month.month)
                .count() as u32;
            assert_eq!(
                (month.artifacts_created, month.reuses),
                (created, applied),
                "{backend:?}: {}",
                month.month.iso()
            );
        }

        // Activity per knowledge-creation phase and artifact updates, from the events.
        let events: Vec<participation_event::Model> = participation_event::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| communities.contains(&e.community_id) && e.retracted_at.is_none())
            .collect();
        let month_of = |e: &participation_event::Model| Month::of(e.occurred_at.to_offset(time::UtcOffset::UTC).date());
        let mut activity = 0;
        for month in &things {
            let of_month: Vec<EventKind> = events
                .iter()
                .filter(|e| month_of(e) == month.month)
                .filter_map(|e| EventKind::decode(&e.kind).ok())
                .collect();
            let seci: [u32; 4] = std::array::from_fn(|p| {
                of_month.iter().filter(|k| k.seci_phase() == Some(SeciPhase::ALL[p])).count() as u32
            });
            let updated = of_month.iter().filter(|k| **k == EventKind::UpdatedArtifact).count() as u32;
            assert_eq!((month.seci, month.artifacts_updated), (seci, updated), "{backend:?}: {}", month.month.iso());
            activity += seci.iter().sum::<u32>();
        }
        assert!(activity > 0, "{backend:?}: the demo has activity to compare");
        // Active: on staff, and took part in the three months up to the month's end.
        for row in &view.months {
            let Some(shown) = row.active else { continue };
            let window = row.month.plus(-2)..=row.month;
            let active: HashSet<Uuid> = events
                .iter()
                .filter(|e| window.contains(&month_of(e)))
                .map(|e| e.user_id)
                .filter(|user| {
                    on_staff_from
                        .get(user)
                        .is_some_and(|(from, until)| *from <= row.month && until.is_none_or(|u| row.month < u))
                })
                .collect();
            assert_eq!(shown, active.len() as u32, "{backend:?}: active in {}", row.month.iso());
        }
        // Each community's health over the period: its members (not guests), the meetings
        // held so far and the months they fell in, whether anyone joined.
        let (start, end) = (month_start(view.months[0].month), month_start(current.plus(1)));
        let meetings = meeting::Entity::find().all(db).await.unwrap();
        let mut cards = 0;
        for card in &view.communities {
            let Some(health) = &card.health else { continue };
            let of_community: Vec<&community_member::Model> =
                members.iter().filter(|m| m.community_id == card.id).collect();
            let joined = |m: &&community_member::Model| m.joined_at.unwrap_or(m.created_at);
            let held: Vec<&meeting::Model> = meetings
                .iter()
                .filter(|m| m.community_id == card.id && m.status != "cancelled")
                .filter(|m| m.starts_at >= start && m.starts_at < end.min(now))
                .collect();
            let months: HashSet<Month> =
                held.iter().map(|m| Month::of(m.starts_at.to_offset(time::UtcOffset::UTC).date())).collect();
            assert_eq!(
                (health.members, health.meetings, health.months_met, health.newcomers),
                (
                    of_community.len() as u32,
                    held.len() as u32,
                    months.len() as u32,
                    of_community.iter().any(|m| joined(m) >= start && joined(m) < end)
                ),
                "{backend:?}: {}",
                card.name
            );
            cards += 1;
        }
        assert!(cards > 0, "{backend:?}: the demo shows community health to compare");
    }
}
