//! Intervision cases over HTTP, on SQLite and PostgreSQL: only the community's members
//! see and submit them (leaders, admins, colleagues outside it and other boards get
//! 404, anonymous callers 401); bad input changes nothing; only the case bringer
//! withdraws and puts back a case; expired case text is emptied. Rounds: planned by a
//! facilitator, seen only by those taking part (leaders, admins, members not marked
//! present: 404), run by the round lead with every screen following over SSE, and
//! emptied when they expire. Closing the loop: actions, reports, evaluations and the
//! published summary.

use crate::common::*;
use http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;

use std::time::Duration;

use app::db::entities::{artifact, community, intervision_case, intervision_contribution, intervision_round};
use app::db::entities::{intervision_action, intervision_evaluation, participation_event, user};

pub(crate) const MEMBER: &str = "m.vermeulen@esdal.test";
/// A colleague on the same board, not in "Begrijpend lezen".
pub(crate) const COLLEAGUE: &str = "j.bakker@esdal.test";
pub(crate) const READING: &str = "Begrijpend lezen in de onderbouw";

pub(crate) fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// For tests that count every case, round or action in the database, or purge every
/// expired one: the demo's past rounds (and their cases, writing and actions, which
/// cascade) are taken out first, so the test counts only its own.
pub(crate) async fn without_demo_rounds(app: &TestApp) {
    intervision_case::Entity::delete_many().exec(app.db()).await.unwrap();
    assert_eq!(intervision_round::Entity::find().count(app.db()).await.unwrap(), 0);
}

pub(crate) async fn reading_id(app: &TestApp) -> String {
    community::Entity::find()
        .filter(community::Column::Name.eq(READING))
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

pub(crate) fn case<'a>(cid: &'a str, title: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("community_id", cid),
        ("title", title),
        ("situation", "Na de pauze zegt niemand in 2B nog iets, ook niet bij open vragen."),
        ("question", "Hoe krijg ik de klas na de pauze weer aan het praten?"),
    ]
}

#[tokio::test]
async fn only_members_see_and_submit_cases() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        without_demo_rounds(&app).await;
        let cid = reading_id(&app).await;
        let member = app.login(MEMBER).await;
        let submitted = app.call("submit_case", &case(&cid, "Stille klas na de pauze"), &member).await;
        assert_eq!(submitted.status, StatusCode::OK, "{backend:?} {}", submitted.body);

        let facilitator = app.login(TEACHER).await;
        let seen = json(&app.call("community_cases", &[("community_id", &cid)], &facilitator).await.body);
        let cases = seen["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 1, "{backend:?}");
        let card = json(&app.call("community_intervision", &[("community_id", &cid)], &facilitator).await.body);
        assert_eq!(card["cases"], seen, "{backend:?}: the card lists the same cases");
        let page = json(&app.call("community_page", &[("community_id", &cid)], &facilitator).await.body);
        assert_eq!(page["intervision"], card, "{backend:?}: the community page carries the same card");
        assert_eq!(cases[0]["title"], "Stille klas na de pauze");
        assert_eq!(cases[0]["mine"], false);
        assert_eq!(cases[0]["author"], "Mila Vermeulen");

        for outsider in [LEADER, ADMIN, COLLEAGUE, OTHER_TEACHER, OTHER_ADMIN] {
            let client = app.login(outsider).await;
            let list = app.call("community_cases", &[("community_id", &cid)], &client).await;
            assert_eq!(list.status, StatusCode::NOT_FOUND, "{backend:?} {outsider} lists");
            assert!(!list.body.contains("Stille klas"));
            let card = app.call("community_intervision", &[("community_id", &cid)], &client).await;
            assert_eq!(card.status, StatusCode::NOT_FOUND, "{backend:?} {outsider} reads the card");
            assert!(!card.body.contains("Stille klas"));
            let submit = app.call("submit_case", &case(&cid, "Mag niet"), &client).await;
            assert_eq!(submit.status, StatusCode::NOT_FOUND, "{backend:?} {outsider} submits");
        }
        let anonymous = Client::default();
        for (endpoint, args) in [
            ("community_cases", vec![("community_id", cid.as_str())]),
            ("community_intervision", vec![("community_id", cid.as_str())]),
            ("submit_case", case(&cid, "Anoniem")),
            ("set_case_open", vec![("case_id", cases[0]["id"].as_str().unwrap()), ("open", "false")]),
        ] {
            assert_eq!(app.call(endpoint, &args, &anonymous).await.status, StatusCode::UNAUTHORIZED, "{endpoint}");
        }
        assert_eq!(intervision_case::Entity::find().count(app.db()).await.unwrap(), 1, "{backend:?}");
    }
}

#[tokio::test]
async fn a_bad_case_changes_nothing() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        without_demo_rounds(&app).await;
        let cid = reading_id(&app).await;
        let member = app.login(MEMBER).await;
        let long = "x".repeat(121);
        let refused = app.call("submit_case", &case(&cid, &long), &member).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}");
        let empty = app
            .call(
                "submit_case",
                &[("community_id", &cid), ("title", ""), ("situation", " "), ("question", "")],
                &member,
            )
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        for field in ["title", "situation", "question"] {
            assert!(empty.body.contains(field), "{backend:?} names {field}: {}", empty.body);
        }
        let not_an_id = app.call("submit_case", &case("geen-id", "Titel"), &member).await;
        assert_eq!(not_an_id.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(intervision_case::Entity::find().count(app.db()).await.unwrap(), 0, "{backend:?}");
    }
}

#[tokio::test]
async fn only_the_case_bringer_withdraws_and_puts_back_a_case() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading_id(&app).await;
        let member = app.login(MEMBER).await;
        let id = json(&app.call("submit_case", &case(&cid, "Stille klas"), &member).await.body)
            .as_str()
            .unwrap()
            .to_string();
        let facilitator = app.login(TEACHER).await;
        let theirs = app.call("set_case_open", &[("case_id", &id), ("open", "false")], &facilitator).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{backend:?} not the case bringer");

        let withdrawn = app.call("set_case_open", &[("case_id", &id), ("open", "false")], &member).await;
        assert_eq!(withdrawn.status, StatusCode::OK, "{backend:?} {}", withdrawn.body);
        let listed = json(&app.call("community_cases", &[("community_id", &cid)], &member).await.body);
        assert_eq!(listed["cases"][0]["status"], "withdrawn");
        assert_eq!(listed["cases"][0]["mine"], true);
        let twice = app.call("set_case_open", &[("case_id", &id), ("open", "false")], &member).await;
        assert_eq!(twice.status, StatusCode::CONFLICT);
        let back = app.call("set_case_open", &[("case_id", &id), ("open", "true")], &member).await;
        assert_eq!(back.status, StatusCode::OK);
        let listed = json(&app.call("community_cases", &[("community_id", &cid)], &member).await.body);
        assert_eq!(listed["cases"][0]["status"], "open");
    }
}

#[tokio::test]
async fn expired_case_text_is_emptied() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        without_demo_rounds(&app).await;
        let cid = reading_id(&app).await;
        let member = app.login(MEMBER).await;
        app.call("submit_case", &case(&cid, "Stille klas"), &member).await;
        let stored = intervision_case::Entity::find().one(app.db()).await.unwrap().unwrap();
        assert!(stored.expires_at > stored.created_at);

        let before = app::intervision::case::service::purge_expired(app.db(), stored.created_at).await.unwrap();
        assert_eq!(before, 0, "{backend:?} nothing is due yet");
        let purged = app::intervision::case::service::purge_expired(app.db(), stored.expires_at).await.unwrap();
        assert_eq!(purged, 1, "{backend:?}");
        let row = intervision_case::Entity::find_by_id(stored.id).one(app.db()).await.unwrap().unwrap();
        assert!(row.title.is_empty() && row.situation.is_empty() && row.question.is_empty());
        assert!(row.purged_at.is_some());
        let listed = json(&app.call("community_cases", &[("community_id", &cid)], &member).await.body);
        assert_eq!(listed["cases"].as_array().unwrap().len(), 0, "{backend:?} purged cases are not listed");
    }
}

pub(crate) const LEAD: &str = "s.mulder@esdal.test";
pub(crate) const TIMEKEEPER: &str = "t.kuipers@esdal.test";
/// A member of "Begrijpend lezen" who takes part only once marked present.
pub(crate) const LATE: &str = "e.visser@esdal.test";
pub(crate) const SCREEN_WAIT: Duration = Duration::from_secs(5);

pub(crate) async fn user_id(app: &TestApp, email: &str) -> String {
    user::Entity::find().filter(user::Column::Email.eq(email)).one(app.db()).await.unwrap().unwrap().id.to_string()
}

/// MEMBER brings a case; the facilitator plans a round on it with `method`, LEAD as
/// round lead and TIMEKEEPER keeping time. Returns the round's id.
pub(crate) async fn planned_round(app: &TestApp, method: &str) -> String {
    plan_with(app, method, "Stille klas na de pauze", None).await
}

/// As [`planned_round`], on a case titled `title`, with `note_taker` taking notes.
async fn plan_with(app: &TestApp, method: &str, title: &str, note_taker: Option<&str>) -> String {
    let cid = reading_id(app).await;
    let member = app.login(MEMBER).await;
    let case_id = json(&app.call("submit_case", &case(&cid, title), &member).await.body);
    let facilitator = app.login(TEACHER).await;
    let (lead, timekeeper) = (user_id(app, LEAD).await, user_id(app, TIMEKEEPER).await);
    let notes = match note_taker {
        Some(email) => user_id(app, email).await,
        None => String::new(),
    };
    let planned = app
        .call(
            "plan_round",
            &[
                ("community_id", &cid),
                ("case_id", case_id.as_str().unwrap()),
                ("method_key", method),
                ("lead_id", &lead),
                ("timekeeper_id", &timekeeper),
                ("note_taker_id", &notes),
            ],
            &facilitator,
        )
        .await;
    assert_eq!(planned.status, StatusCode::OK, "{}", planned.body);
    json(&planned.body).as_str().unwrap().to_string()
}

pub(crate) async fn step(app: &TestApp, lead: &Client, round: &str, version: u64, command: &str) -> TestResponse {
    let version = version.to_string();
    let args = [("round_id", round), ("version", version.as_str()), ("command", command), ("confirmed", "true")];
    app.call("round_command", &args, lead).await
}

/// The next view a screen is sent.
pub(crate) async fn next_view(screen: &mut EventStream) -> Value {
    json(&screen.next_named("round", SCREEN_WAIT).await.expect("the screen got no update"))
}

pub(crate) fn phase_collecting(view: &Value, collects: &str) -> u64 {
    view["method"]["phases"].as_array().unwrap().iter().position(|p| p["collects"] == collects).unwrap() as u64
}

#[tokio::test]
async fn only_those_taking_part_see_a_round() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        without_demo_rounds(&app).await;
        let cid = reading_id(&app).await;
        let member = app.login(MEMBER).await;
        let case_id = json(&app.call("submit_case", &case(&cid, "Stille klas na de pauze"), &member).await.body);
        let case_id = case_id.as_str().unwrap();
        let facilitator = app.login(TEACHER).await;
        let planning = app.call("round_planning", &[("community_id", &cid)], &facilitator).await;
        assert_eq!(planning.status, StatusCode::OK, "{backend:?} {}", planning.body);
        let planning = json(&planning.body);
        assert_eq!(planning["cases"][0]["title"], "Stille klas na de pauze");
        assert_eq!(planning["methods"].as_array().unwrap().len(), 7);
        assert_ne!(planning["cases"][0]["suggested_lead"], Value::Null);
        for outsider in [MEMBER, LEADER, ADMIN, OTHER_ADMIN] {
            let client = app.login(outsider).await;
            let refused = app.call("round_planning", &[("community_id", &cid)], &client).await;
            assert_eq!(refused.status, StatusCode::NOT_FOUND, "{backend:?} {outsider} plans");
        }

        // Bad plans change nothing.
        let (lead, timekeeper, member_id) =
            (user_id(&app, LEAD).await, user_id(&app, TIMEKEEPER).await, user_id(&app, MEMBER).await);
        let plan = |method: &'static str, lead: String, timekeeper: String| {
            vec![
                ("community_id", cid.clone()),
                ("case_id", case_id.to_string()),
                ("method_key", method.to_string()),
                ("lead_id", lead),
                ("timekeeper_id", timekeeper),
            ]
        };
        let as_args = |v: &Vec<(&'static str, String)>| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
        for (args, field) in [
            (plan("incident_timed", member_id.clone(), String::new()), "lead_id"),
            (plan("incident_timed", lead.clone(), lead.clone()), "timekeeper_id"),
            (plan("no_such_method", lead.clone(), String::new()), "method_key"),
        ] {
            let args = as_args(&args);
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let refused = app.call("plan_round", &args, &facilitator).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?} {field}: {}", refused.body);
            assert!(refused.body.contains(field), "{backend:?} {}", refused.body);
        }
        assert_eq!(intervision_round::Entity::find().count(app.db()).await.unwrap(), 0, "{backend:?}");
        let args = as_args(&plan("incident_timed", lead.clone(), timekeeper.clone()));
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let planned = app.call("plan_round", &args, &facilitator).await;
        assert_eq!(planned.status, StatusCode::OK, "{backend:?} {}", planned.body);
        let round = json(&planned.body).as_str().unwrap().to_string();
        // The case is taken: a second round on it is refused.
        assert_eq!(app.call("plan_round", &args, &facilitator).await.status, StatusCode::CONFLICT, "{backend:?}");

        let anonymous = Client::default();
        let some_id = uuid::Uuid::now_v7().to_string();
        let every_function: Vec<(&str, Vec<(&str, &str)>)> = vec![
            ("round_planning", vec![("community_id", &cid)]),
            ("plan_round", args.clone()),
            ("round", vec![("round_id", &round)]),
            ("round_command", vec![("round_id", &round), ("version", "0"), ("command", "start")]),
            ("contribute", vec![("round_id", &round), ("body", "Anoniem")]),
            ("rate_question", vec![("contribution_id", &some_id), ("warmth", "warm")]),
            ("answer_question", vec![("contribution_id", &some_id), ("answer", "Nee")]),
            ("choose_advice", vec![("contribution_id", &some_id), ("chosen", "true")]),
            ("set_round_presence", vec![("round_id", &round), ("user_id", &lead), ("present", "true")]),
            ("community_rounds", vec![("community_id", &cid)]),
        ];
        for (endpoint, args) in &every_function {
            let status = app.call(endpoint, args, &anonymous).await.status;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{backend:?} anonymous {endpoint}");
        }
        for outsider in [LEADER, ADMIN, OTHER_ADMIN] {
            let client = app.login(outsider).await;
            for (endpoint, args) in &every_function {
                let status = app.call(endpoint, args, &client).await.status;
                assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?} {outsider} {endpoint}");
            }
        }
        assert_eq!(
            app.events(&format!("/r/{round}/events"), &anonymous).await.err().unwrap().status,
            StatusCode::UNAUTHORIZED
        );
        // A member not (yet) marked present is not taking part; school leaders and
        // admins never are.
        for outsider in [LATE, LEADER, ADMIN, COLLEAGUE, OTHER_TEACHER, OTHER_ADMIN] {
            let client = app.login(outsider).await;
            let view = app.call("round", &[("round_id", &round)], &client).await;
            assert_eq!(view.status, StatusCode::NOT_FOUND, "{backend:?} {outsider} views");
            assert!(!view.body.contains("Stille klas"), "{backend:?} {outsider}");
            let screen = app.events(&format!("/r/{round}/events"), &client).await;
            assert_eq!(screen.err().unwrap().status, StatusCode::NOT_FOUND, "{backend:?} {outsider} listens");
            let started = step(&app, &client, &round, 0, "start").await;
            assert_eq!(started.status, StatusCode::NOT_FOUND, "{backend:?} {outsider} starts");
            let wrote = app.call("contribute", &[("round_id", &round), ("body", "Mag dit?")], &client).await;
            assert_eq!(wrote.status, StatusCode::NOT_FOUND, "{backend:?} {outsider} writes");
        }
        // The facilitator who planned it takes part, until the lead marks them absent.
        for insider in [MEMBER, LEAD, TIMEKEEPER, TEACHER] {
            let client = app.login(insider).await;
            let view = app.call("round", &[("round_id", &round)], &client).await;
            assert_eq!(view.status, StatusCode::OK, "{backend:?} {insider}: {}", view.body);
            assert_eq!(json(&view.body)["case"]["title"], "Stille klas na de pauze");
        }
        let member_view = json(&app.call("round", &[("round_id", &round)], &member).await.body);
        assert_eq!(member_view["my_role"], "case_bringer");
        // Only the round lead runs the round and marks people present (the timekeeper may
        // pause, once the round runs).
        let late_id = user_id(&app, LATE).await;
        for (who, status) in
            [(MEMBER, StatusCode::NOT_FOUND), (TIMEKEEPER, StatusCode::NOT_FOUND), (LEAD, StatusCode::OK)]
        {
            let client = app.login(who).await;
            assert_eq!(
                step(&app, &client, &round, 0, "pause").await.status,
                if who == MEMBER { status } else { StatusCode::CONFLICT }
            );
            let marked = app
                .call(
                    "set_round_presence",
                    &[("round_id", &round), ("user_id", &late_id), ("present", "true")],
                    &client,
                )
                .await;
            assert_eq!(marked.status, status, "{backend:?} {who} marks present");
        }
        let late = app.login(LATE).await;
        assert_eq!(app.call("round", &[("round_id", &round)], &late).await.status, StatusCode::OK, "{backend:?}");
        // Writing waits for the start.
        let early = app.call("contribute", &[("round_id", &round), ("body", "Te vroeg")], &late).await;
        assert_eq!(early.status, StatusCode::CONFLICT, "{backend:?}");
        assert_eq!(intervision_contribution::Entity::find().count(app.db()).await.unwrap(), 0);
    }
}

/// A step is read once for all the round's screens on a server, not once per screen,
/// and the reading stops when the last screen closes.
#[tokio::test]
async fn a_step_is_read_once_for_every_screen_of_the_round() {
    use app::intervision::round::live::followed;
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let round = planned_round(&app, "five_step").await;
        let events = format!("/r/{round}/events");
        let lead = app.login(LEAD).await;
        let mut screens = Vec::new();
        for email in [LEAD, MEMBER, TIMEKEEPER, TEACHER] {
            let mut screen = app.events(&events, &app.login(email).await).await.ok().unwrap();
            let first = next_view(&mut screen).await;
            assert_eq!(first["version"], 0, "{backend:?} {email}");
            assert!(
                !first["method"]["phases"].as_array().unwrap().is_empty(),
                "{backend:?} the first event has it all"
            );
            screens.push(screen);
        }
        assert_eq!(followed(&app.state), (1, 4), "{backend:?} one reader, four screens");
        let (views, queries) = app
            .queries
            .record(async {
                assert_eq!(step(&app, &lead, &round, 0, "start").await.status, StatusCode::OK);
                let mut views = Vec::new();
                for screen in &mut screens {
                    views.push(next_view(screen).await);
                }
                views
            })
            .await;
        let roles: Vec<&str> = views.iter().map(|v| v["my_role"].as_str().unwrap()).collect();
        assert_eq!(roles, ["lead", "case_bringer", "timekeeper", "participant"], "{backend:?} each their own view");
        assert!(views.iter().all(|v| v["version"] == 1 && v["status"] == "running"), "{backend:?}");
        // The method does not change during a round: a screen keeps it from its first event.
        assert!(views.iter().all(|v| v.get("method").is_none()), "{backend:?} {views:#?}");
        let round_reads =
            |queries: &[String]| queries.iter().filter(|q| q.contains("FROM \"intervision_contributions\"")).count();
        // A step changes only the round's row: the screens and the lead's answer follow it
        // from what the step wrote, without reading the round.
        assert_eq!(round_reads(&queries), 0, "{backend:?} {queries:#?}");
        // The session, the account, the round with the lead's place and membership, the
        // update; on PostgreSQL also the notice to the other servers.
        assert!(queries.len() <= 5, "{backend:?} {queries:#?}");

        // Anything else (here: someone marked present) is read once for every screen.
        let late = user_id(&app, LATE).await;
        let (views, queries) = app
            .queries
            .record(async {
                let presence = [("round_id", round.as_str()), ("user_id", late.as_str()), ("present", "true")];
                assert_eq!(app.call("set_round_presence", &presence, &lead).await.status, StatusCode::OK);
                let mut views = Vec::new();
                for screen in &mut screens {
                    views.push(next_view(screen).await);
                }
                views
            })
            .await;
        let shows_late_present = |view: &Value| {
            view["participants"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["user_id"] == late.as_str() && p["present"] == true)
        };
        assert!(views.iter().all(shows_late_present), "{backend:?} {views:#?}");
        // One read for the four screens and the lead's answer; two when the lead's answer
        // asked just after the screens' read had begun.
        assert!((1..=2).contains(&round_reads(&queries)), "{backend:?} {queries:#?}");
        drop(screens);
        let mut waited = Duration::ZERO;
        while followed(&app.state) != (0, 0) && waited < SCREEN_WAIT {
            tokio::time::sleep(Duration::from_millis(20)).await;
            waited += Duration::from_millis(20);
        }
        assert_eq!(followed(&app.state), (0, 0), "{backend:?} nothing is read for closed screens");
    }
}

#[tokio::test]
async fn a_lead_who_left_the_community_can_no_longer_step() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let round = planned_round(&app, "five_step").await;
        let (lead, member) = (app.login(LEAD).await, app.login(MEMBER).await);
        assert_eq!(step(&app, &lead, &round, 0, "start").await.status, StatusCode::OK);
        let cid = reading_id(&app).await;
        assert_eq!(app.call("leave_community", &[("community_id", &cid)], &lead).await.status, StatusCode::OK);
        // The membership is checked in the same read as the lead's place in the round.
        assert_eq!(step(&app, &lead, &round, 1, "advance").await.status, StatusCode::NOT_FOUND, "{backend:?}");
        let view = json(&app.call("round", &[("round_id", &round)], &member).await.body);
        assert_eq!((view["version"].as_u64(), view["phase"].as_u64()), (Some(1), Some(0)), "{backend:?} unchanged");
    }
}

#[tokio::test]
async fn the_lead_runs_the_round_and_every_screen_follows() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let round = planned_round(&app, "incident_ten_phase").await;
        let (lead, member, late, timekeeper) =
            (app.login(LEAD).await, app.login(MEMBER).await, app.login(LATE).await, app.login(TIMEKEEPER).await);
        let late_id = user_id(&app, LATE).await;
        let marked = app
            .call("set_round_presence", &[("round_id", &round), ("user_id", &late_id), ("present", "true")], &lead)
            .await;
        assert_eq!(marked.status, StatusCode::OK);
        let events = format!("/r/{round}/events");
        let mut bringer_screen = app.events(&events, &member).await.ok().unwrap();
        let mut late_screen = app.events(&events, &late).await.ok().unwrap();
        // On connect: the whole round as it stands.
        let first = next_view(&mut late_screen).await;
        assert_eq!((first["status"].as_str(), first["version"].as_u64()), (Some("waiting"), Some(0)), "{backend:?}");
        assert_eq!(next_view(&mut bringer_screen).await["my_role"], "case_bringer");

        let started = step(&app, &lead, &round, 0, "start").await;
        assert_eq!(started.status, StatusCode::OK, "{backend:?} {}", started.body);
        for screen in [&mut bringer_screen, &mut late_screen] {
            let view = next_view(screen).await;
            assert_eq!((view["status"].as_str(), view["version"].as_u64()), (Some("running"), Some(1)), "{backend:?}");
            let deadline = view["deadline_ms"].as_i64().unwrap();
            let now = view["server_now_ms"].as_i64().unwrap();
            assert!(deadline > now && deadline - now <= 5 * 60_000, "{backend:?} a 5-minute first phase");
        }
        // A step decided on an old screen, and one with time left but unconfirmed, change nothing.
        assert_eq!(step(&app, &lead, &round, 0, "advance").await.status, StatusCode::CONFLICT);
        let unconfirmed =
            app.call("round_command", &[("round_id", &round), ("version", "1"), ("command", "advance")], &lead).await;
        assert_eq!(unconfirmed.status, StatusCode::CONFLICT);
        assert!(unconfirmed.body.contains("TimeLeft"), "{backend:?} {}", unconfirmed.body);

        // On to the information questions.
        let questions = phase_collecting(&first, "questions");
        let mut version = 1;
        while version <= questions {
            assert_eq!(step(&app, &lead, &round, version, "advance").await.status, StatusCode::OK);
            version += 1;
        }
        // A screen that was not read meanwhile catches up, never going back to an older state.
        let mut seen_versions = Vec::new();
        while seen_versions.last() != Some(&(questions + 1)) {
            seen_versions.push(next_view(&mut late_screen).await["version"].as_u64().unwrap());
        }
        assert!(seen_versions.is_sorted() && seen_versions[0] > 1, "{backend:?} {seen_versions:?}");
        let asked =
            app.call("contribute", &[("round_id", &round), ("body", "Wat doe je direct na de pauze?")], &late).await;
        assert_eq!(asked.status, StatusCode::OK, "{backend:?} {}", asked.body);
        let question = json(&asked.body).as_str().unwrap().to_string();
        let bringer_asks = app.call("contribute", &[("round_id", &round), ("body", "Eigen vraag")], &member).await;
        assert_eq!(bringer_asks.status, StatusCode::CONFLICT, "{backend:?} the case bringer does not ask");
        let seen = loop {
            let view = next_view(&mut bringer_screen).await;
            if !view["contributions"].as_array().unwrap().is_empty() {
                break view;
            }
        };
        assert_eq!(seen["contributions"][0]["body"], "Wat doe je direct na de pauze?", "{backend:?}");
        assert_eq!(seen["contributions"][0]["author"], "Eva Visser");
        // Only the case bringer rates and answers questions.
        let rated = app.call("rate_question", &[("contribution_id", &question), ("warmth", "warm")], &late).await;
        assert_eq!(rated.status, StatusCode::NOT_FOUND, "{backend:?}");
        let rated = app.call("rate_question", &[("contribution_id", &question), ("warmth", "warm")], &member).await;
        assert_eq!(rated.status, StatusCode::OK, "{backend:?} {}", rated.body);
        let answered = app
            .call("answer_question", &[("contribution_id", &question), ("answer", "Ik deel direct uit.")], &member)
            .await;
        assert_eq!(answered.status, StatusCode::OK);
        let chose = app.call("choose_advice", &[("contribution_id", &question), ("chosen", "true")], &member).await;
        assert_eq!(chose.status, StatusCode::CONFLICT, "{backend:?} a question is not advice");
        let view = json(&app.call("round", &[("round_id", &round)], &late).await.body);
        assert_eq!(view["contributions"][0]["warmth"], "warm");
        assert_eq!(view["contributions"][0]["answer"], "Ik deel direct uit.");

        // Written positions stay hidden until the round lead reveals them.
        let positions = phase_collecting(&first, "positions");
        while version <= positions {
            assert_eq!(step(&app, &lead, &round, version, "advance").await.status, StatusCode::OK);
            version += 1;
        }
        for (client, text) in [(&late, "Structuur na de pauze"), (&timekeeper, "Eerst een korte opdracht")] {
            let wrote = app.call("contribute", &[("round_id", &round), ("body", text)], client).await;
            assert_eq!(wrote.status, StatusCode::OK, "{backend:?} {}", wrote.body);
        }
        let positions_seen = |view: &Value| {
            view["contributions"].as_array().unwrap().iter().filter(|c| c["phase"].as_u64() == Some(positions)).count()
        };
        let hidden_count = |view: &Value| {
            view["hidden"]
                .as_array()
                .unwrap()
                .iter()
                .find(|h| h["phase"].as_u64() == Some(positions))
                .map(|h| h["count"].as_u64().unwrap())
        };
        let bringer = json(&app.call("round", &[("round_id", &round)], &member).await.body);
        assert_eq!((positions_seen(&bringer), hidden_count(&bringer)), (0, Some(2)), "{backend:?}");
        let own = json(&app.call("round", &[("round_id", &round)], &late).await.body);
        assert_eq!((positions_seen(&own), hidden_count(&own)), (1, Some(1)), "{backend:?} authors see their own");
        assert!(
            !own.to_string().contains("Eerst een korte opdracht"),
            "{backend:?} hidden text never leaves the server"
        );
        assert_eq!(step(&app, &lead, &round, version, "reveal").await.status, StatusCode::OK);
        version += 1;
        let revealed = loop {
            let view = next_view(&mut bringer_screen).await;
            if view["version"].as_u64() == Some(version) {
                break view;
            }
        };
        assert_eq!((positions_seen(&revealed), hidden_count(&revealed)), (2, None), "{backend:?}");
        // One undo hides them again; the lead reveals once more.
        assert_eq!(step(&app, &lead, &round, version, "undo").await.status, StatusCode::OK);
        version += 1;
        let undone = json(&app.call("round", &[("round_id", &round)], &member).await.body);
        assert_eq!(hidden_count(&undone), Some(2), "{backend:?}");
        assert_eq!(undone["can_undo"], false);
        assert_eq!(step(&app, &lead, &round, version, "reveal").await.status, StatusCode::OK);
        version += 1;

        // A second device catches up at once.
        let mut second_device = app.events(&events, &late.clone_cookies()).await.ok().unwrap();
        let caught_up = next_view(&mut second_device).await;
        assert_eq!((caught_up["phase"].as_u64(), caught_up["version"].as_u64()), (Some(positions), Some(version)));

        let ended = step(&app, &lead, &round, version, "end").await;
        assert_eq!(ended.status, StatusCode::OK, "{backend:?} {}", ended.body);
        assert_eq!(json(&ended.body)["status"], "ended");
        assert_eq!(
            step(&app, &lead, &round, version + 1, "undo").await.status,
            StatusCode::CONFLICT,
            "ending is final"
        );
        let events_of = |email: &'static str| {
            let app = &app;
            async move {
                let id = uuid::Uuid::parse_str(&user_id(app, email).await).unwrap();
                participation_event::Entity::find()
                    .filter(participation_event::Column::UserId.eq(id))
                    .all(app.db())
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|e| e.kind)
                    .collect::<Vec<_>>()
            }
        };
        assert!(events_of(MEMBER).await.contains(&"brought_case".to_string()), "{backend:?}");
        assert!(events_of(LEAD).await.contains(&"took_role".to_string()), "{backend:?}");
        assert!(events_of(LATE).await.contains(&"contributed".to_string()), "{backend:?}");
    }
}

#[tokio::test]
async fn what_was_written_in_a_round_expires_with_its_case() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        without_demo_rounds(&app).await;
        let round = planned_round(&app, "incident_timed").await;
        let lead = app.login(LEAD).await;
        assert_eq!(step(&app, &lead, &round, 0, "start").await.status, StatusCode::OK);
        let first = json(&app.call("round", &[("round_id", &round)], &lead).await.body);
        let questions = phase_collecting(&first, "questions");
        for version in 1..=questions {
            assert_eq!(step(&app, &lead, &round, version, "advance").await.status, StatusCode::OK);
        }
        let timekeeper = app.login(TIMEKEEPER).await;
        let wrote = app.call("contribute", &[("round_id", &round), ("body", "Welke klas?")], &timekeeper).await;
        assert_eq!(wrote.status, StatusCode::OK, "{backend:?} {}", wrote.body);

        let stored = intervision_round::Entity::find().one(app.db()).await.unwrap().unwrap();
        assert_eq!(app::intervision::round::service::purge_expired(app.db(), stored.created_at).await.unwrap(), 0);
        assert_eq!(app::intervision::round::service::purge_expired(app.db(), stored.expires_at).await.unwrap(), 1);
        app::intervision::case::service::purge_expired(app.db(), stored.expires_at).await.unwrap();
        assert_eq!(intervision_contribution::Entity::find().count(app.db()).await.unwrap(), 0, "{backend:?}");
        let view = json(&app.call("round", &[("round_id", &round)], &lead).await.body);
        assert_eq!(view["case"], Value::Null, "{backend:?}");
        assert_eq!(view["contributions"].as_array().unwrap().len(), 0);
        // The fact of the round stays: its method and how many took part.
        let cid = reading_id(&app).await;
        let rounds = json(&app.call("community_rounds", &[("community_id", &cid)], &lead).await.body);
        assert_eq!(rounds[0]["people"], 4, "{backend:?} case bringer, lead, timekeeper, planner");
        assert_eq!(rounds[0]["case_title"], Value::Null);
        assert_eq!(rounds[0]["method_name"]["nl"], "Incidentmethode (65 minuten)");
    }
}

pub(crate) fn days_ahead(days: i64) -> String {
    (time::OffsetDateTime::now_utc().date() + time::Duration::days(days)).to_string()
}

pub(crate) fn field_errors(response: &TestResponse) -> Vec<String> {
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", response.body);
    json(&response.body)["Invalid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_round_closes_the_loop() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        without_demo_rounds(&app).await;
        let cid = reading_id(&app).await;
        let round = planned_round(&app, "incident_timed").await;
        let (member, lead, timekeeper, facilitator) =
            (app.login(MEMBER).await, app.login(LEAD).await, app.login(TIMEKEEPER).await, app.login(TEACHER).await);
        let action_args = |text: &'static str, check_in: String| {
            vec![("round_id", round.clone()), ("action", text.to_string()), ("check_in", check_in)]
        };
        let pairs = |v: &Vec<(&'static str, String)>| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
        let call = |endpoint: &'static str, args: Vec<(&'static str, String)>, client: &Client| {
            let args = pairs(&args);
            let client = client.clone_cookies();
            let app = &app;
            async move {
                let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.call(endpoint, &args, &client).await
            }
        };
        let good_action = action_args("Ik start na de pauze met een schrijfopdracht van twee minuten.", days_ahead(7));

        // Closing comes after the end.
        let early = call("add_round_action", good_action.clone(), &member).await;
        assert_eq!(early.status, StatusCode::CONFLICT, "{backend:?} {}", early.body);
        assert_eq!(step(&app, &lead, &round, 0, "start").await.status, StatusCode::OK);
        assert_eq!(step(&app, &lead, &round, 1, "end").await.status, StatusCode::OK);

        // Only the case bringer chooses actions; bad input changes nothing.
        assert_eq!(call("add_round_action", good_action.clone(), &lead).await.status, StatusCode::NOT_FOUND);
        let bad = call("add_round_action", action_args("", days_ahead(-1)), &member).await;
        assert_eq!(field_errors(&bad), vec!["action", "check_in"], "{backend:?}");
        let far = call("add_round_action", action_args("Later", days_ahead(400)), &member).await;
        assert_eq!(field_errors(&far), vec!["check_in"], "{backend:?}");
        assert_eq!(intervision_action::Entity::find().count(app.db()).await.unwrap(), 0, "{backend:?}");
        let added = call("add_round_action", good_action.clone(), &member).await;
        assert_eq!(added.status, StatusCode::OK, "{backend:?} {}", added.body);
        let action_id = json(&added.body).as_str().unwrap().to_string();
        let view = json(&call("round", vec![("round_id", round.clone())], &lead).await.body);
        assert_eq!(view["closing"]["actions"][0]["body"], good_action[1].1.as_str(), "{backend:?}");
        assert_eq!(view["closing"]["actions"][0]["mine"], false);
        // A second action, taken back: only by its owner, only while it has no report.
        let second = json(&call("add_round_action", action_args("Nog iets", days_ahead(3)), &member).await.body);
        let second = second.as_str().unwrap().to_string();
        let remove = vec![("action_id", second.clone())];
        assert_eq!(call("remove_round_action", remove.clone(), &lead).await.status, StatusCode::NOT_FOUND);
        assert_eq!(call("remove_round_action", remove.clone(), &member).await.status, StatusCode::OK);
        assert_eq!(intervision_action::Entity::find().count(app.db()).await.unwrap(), 1, "{backend:?}");

        // Evaluations show as a group from three answers on, without names.
        let evaluate = |safe: &'static str, useful: &'static str, learned: &'static str| {
            vec![
                ("round_id", round.clone()),
                ("safe", safe.to_string()),
                ("useful", useful.to_string()),
                ("learned", learned.to_string()),
            ]
        };
        assert_eq!(field_errors(&call("evaluate_round", evaluate("9", "", ""), &member).await), vec!["safe", "useful"]);
        assert_eq!(
            call("evaluate_round", evaluate("5", "4", "Eerst vragen stellen.").clone(), &member).await.status,
            StatusCode::OK
        );
        assert_eq!(call("evaluate_round", evaluate("4", "4", "").clone(), &lead).await.status, StatusCode::OK);
        let two = json(&call("round", vec![("round_id", round.clone())], &lead).await.body);
        assert_eq!(two["closing"]["evaluation"]["answers"], 2, "{backend:?}");
        assert_eq!(two["closing"]["evaluation"]["safe_halves"], Value::Null);
        assert_eq!(two["closing"]["evaluation"]["learned"].as_array().unwrap().len(), 0);
        assert_eq!(two["closing"]["my_evaluation"]["safe"], 4);
        assert_eq!(
            call("evaluate_round", evaluate("4", "3", "Zuinig adviseren.").clone(), &timekeeper).await.status,
            StatusCode::OK
        );
        // Answering again replaces the answer.
        assert_eq!(
            call("evaluate_round", evaluate("4", "4", "Eerst vragen stellen.").clone(), &member).await.status,
            StatusCode::OK
        );
        // Three of the four taking part answered: nothing shows until the evaluation closes.
        let three = json(&call("round", vec![("round_id", round.clone())], &facilitator).await.body);
        let group = &three["closing"]["evaluation"];
        assert_eq!((group["answers"].clone(), group["closed"].clone()), (3.into(), false.into()), "{backend:?}");
        assert_eq!((group["safe_halves"].clone(), group["learned"].clone()), (Value::Null, serde_json::json!([])));
        assert_eq!(call("evaluate_round", evaluate("3", "5", ""), &facilitator).await.status, StatusCode::OK);
        let four = json(&call("round", vec![("round_id", round.clone())], &facilitator).await.body);
        let group = &four["closing"]["evaluation"];
        assert_eq!(
            (group["answers"].clone(), group["safe_halves"].clone(), group["useful_halves"].clone()),
            (4.into(), 8.into(), 8.into()),
            "{backend:?} 3.75 and 4.0, shown as halves"
        );
        assert_eq!(group["learned"], serde_json::json!(["Eerst vragen stellen.", "Zuinig adviseren."]));
        assert!(!four.to_string().contains(MEMBER) && four["closing"]["my_evaluation"]["safe"] == 3);
        // Once closed, answers are final: a change would give itself away.
        let changed = call("evaluate_round", evaluate("1", "1", ""), &member).await;
        assert_eq!(changed.status, StatusCode::CONFLICT, "{backend:?} {}", changed.body);

        // The summary: the case bringer's, with consent, not quoting the case.
        let summary = |body: &'static str, consent: bool| {
            let mut args = vec![
                ("round_id", round.clone()),
                ("summary_title", "Stille klassen na de pauze".to_string()),
                ("summary", body.to_string()),
            ];
            if consent {
                args.push(("consent", "on".to_string()));
            }
            args
        };
        let learned = "Wat hielp: eerst laten schrijven, dan delen in tweetallen.";
        assert_eq!(call("publish_round_summary", summary(learned, true), &lead).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            field_errors(&call("publish_round_summary", summary(learned, false), &member).await),
            vec!["consent"]
        );
        let quoting = "Na de pauze zegt niemand in 2B nog iets, ook niet bij open vragen.";
        assert_eq!(
            field_errors(&call("publish_round_summary", summary(quoting, true), &member).await),
            vec!["summary"]
        );
        let summaries = artifact::Entity::find().filter(artifact::Column::Source.eq("intervision"));
        assert_eq!(summaries.clone().count(app.db()).await.unwrap(), 0, "{backend:?}");
        let published = call("publish_round_summary", summary(learned, true), &member).await;
        assert_eq!(published.status, StatusCode::OK, "{backend:?} {}", published.body);
        let stored = summaries.one(app.db()).await.unwrap().unwrap();
        assert_eq!(
            (stored.source.as_str(), stored.scope.as_str(), stored.body.as_str()),
            ("intervision", "community", learned)
        );
        assert_eq!(call("publish_round_summary", summary(learned, true), &member).await.status, StatusCode::CONFLICT);
        let view = json(&call("round", vec![("round_id", round.clone())], &timekeeper).await.body);
        assert_eq!(view["closing"]["summary"]["title"], "Stille klassen na de pauze", "{backend:?}");

        // The next round looks back on the open action; the community sees it.
        let next = planned_round(&app, "five_step").await;
        let waiting = json(&call("round", vec![("round_id", next.clone())], &lead).await.body);
        assert_eq!(waiting["look_back"][0]["id"], action_id.as_str(), "{backend:?}");
        assert_eq!(waiting["look_back"][0]["due"], false);
        let late = app.login(LATE).await;
        let follow_ups = call("community_follow_ups", vec![("community_id", cid.clone())], &late).await;
        assert_eq!(json(&follow_ups.body)[0]["body"], good_action[1].1.as_str(), "{backend:?}");
        let Ok(mut screen) = app.events(&format!("/r/{next}/events"), &lead).await else { panic!("no screen") };
        next_view(&mut screen).await;

        // The case bringer reports; the first report counts as following up.
        let report = |outcome: &'static str| {
            vec![
                ("action_id", action_id.clone()),
                ("outcome", outcome.to_string()),
                ("report", "Het werkte bij 2B.".to_string()),
            ]
        };
        let followed_ups = || {
            participation_event::Entity::find()
                .filter(participation_event::Column::Kind.eq("followed_up"))
                .count(app.db())
        };
        // The demo's rounds were followed up before: count from here.
        let followed_before = followed_ups().await.unwrap();
        assert_eq!(call("report_action", report("done"), &lead).await.status, StatusCode::NOT_FOUND);
        assert_eq!(field_errors(&call("report_action", report("great"), &member).await), vec!["outcome"]);
        assert_eq!(call("report_action", report("partly"), &member).await.status, StatusCode::OK);
        let updated = next_view(&mut screen).await;
        assert_eq!(updated["look_back"].as_array().unwrap().len(), 0, "{backend:?} the look back updates live");
        assert_eq!(call("report_action", report("done"), &member).await.status, StatusCode::OK);
        assert_eq!(followed_ups().await.unwrap(), followed_before + 1, "{backend:?}: the first report only");
        let history = json(&call("community_follow_ups", vec![("community_id", cid.clone())], &late).await.body);
        assert_eq!(
            (history[0]["outcome"].clone(), history[0]["report"].clone()),
            ("done".into(), "Het werkte bij 2B.".into())
        );
        assert_eq!(
            call("remove_round_action", vec![("action_id", action_id.clone())], &member).await.status,
            StatusCode::CONFLICT
        );

        // Nobody outside sees or does any of it.
        let some_id = uuid::Uuid::now_v7().to_string();
        let every_function: Vec<(&'static str, Vec<(&'static str, String)>)> = vec![
            ("add_round_action", good_action.clone()),
            ("remove_round_action", vec![("action_id", action_id.clone())]),
            ("report_action", report("done")),
            ("evaluate_round", evaluate("3", "3", "")),
            ("publish_round_summary", summary(learned, true)),
            ("community_follow_ups", vec![("community_id", cid.clone())]),
            ("report_action", vec![("action_id", some_id), ("outcome", "done".to_string())]),
        ];
        for (endpoint, args) in &every_function {
            assert_eq!(
                call(endpoint, args.clone(), &Client::default()).await.status,
                StatusCode::UNAUTHORIZED,
                "{endpoint}"
            );
        }
        for outsider in [LEADER, ADMIN, COLLEAGUE, OTHER_ADMIN] {
            let client = app.login(outsider).await;
            for (endpoint, args) in &every_function {
                let status = call(endpoint, args.clone(), &client).await.status;
                assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?} {outsider} {endpoint}");
            }
        }

        // At expiry the words go; outcomes and scores stay.
        let stored = intervision_round::Entity::find_by_id(uuid::Uuid::parse_str(&round).unwrap())
            .one(app.db())
            .await
            .unwrap()
            .unwrap();
        app::intervision::round::service::purge_expired(app.db(), stored.expires_at).await.unwrap();
        let action = intervision_action::Entity::find().one(app.db()).await.unwrap().unwrap();
        assert_eq!((action.body.as_str(), action.report.clone(), action.outcome.as_deref()), ("", None, Some("done")));
        let evaluations = intervision_evaluation::Entity::find().all(app.db()).await.unwrap();
        assert_eq!(evaluations.len(), 4);
        assert!(evaluations.iter().all(|e| e.learned.is_none()), "{backend:?}");
        let history = json(&call("community_follow_ups", vec![("community_id", cid.clone())], &late).await.body);
        assert_eq!(history.as_array().unwrap().len(), 0, "{backend:?}");
    }
}

/// The method form as posted: every field of `method` (phase rows included), with
/// `changes` replacing or adding fields.
fn method_form(method_id: &str, edit: &Value, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let form = &edit["form"];
    let mut fields: Vec<(String, String)> = vec![
        ("method_id".into(), method_id.into()),
        ("language".into(), "nl".into()),
        ("name".into(), form["name"].as_str().unwrap().into()),
        ("description".into(), form["description"].as_str().unwrap().into()),
        ("when_to_use".into(), form["when_to_use"].as_str().unwrap().into()),
        ("trust".into(), form["trust"].as_str().unwrap().into()),
    ];
    for (row, phase) in form["phases"].as_array().unwrap().iter().enumerate() {
        for input in ["title", "instruction", "minutes", "speaks", "case_bringer", "collects", "position"] {
            fields.push((format!("phases[{row}][{input}]"), phase[input].as_str().unwrap().into()));
        }
        if phase["hidden"].is_string() {
            fields.push((format!("phases[{row}][hidden]"), "on".into()));
        }
    }
    for (name, value) in changes {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value.to_string(),
            None => fields.push((name.to_string(), value.to_string())),
        }
    }
    fields
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[tokio::test]
async fn facilitators_adapt_methods_for_their_organisation() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading_id(&app).await;
        let facilitator = app.login(TEACHER).await;
        let library = json(&app.call("method_library", &[], &facilitator).await.body);
        assert_eq!(library["may_adapt"], true, "{backend:?}");
        assert_eq!(library["built_in"].as_array().unwrap().len(), 7);
        assert_eq!(library["adapted"].as_array().unwrap().len(), 0);
        for (reader, may_adapt) in [(MEMBER, false), (LEADER, false), (ADMIN, true)] {
            let client = app.login(reader).await;
            let seen = json(&app.call("method_library", &[], &client).await.body);
            assert_eq!(seen["may_adapt"], may_adapt, "{backend:?} {reader}");
        }
        let member = app.login(MEMBER).await;
        let refused = app.call("copy_method", &[("from", "incident_timed")], &member).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{backend:?} a member does not adapt methods");
        let unknown = app.call("copy_method", &[("from", "astrology")], &facilitator).await;
        assert_eq!(field_errors(&unknown), ["from"]);

        let copied = app.call("copy_method", &[("from", "incident_timed")], &facilitator).await;
        assert_eq!(copied.status, StatusCode::OK, "{backend:?} {}", copied.body);
        let id = json(&copied.body).as_str().unwrap().to_string();
        let edit =
            json(&app.call("method_for_editing", &[("method_id", &id), ("language", "nl")], &facilitator).await.body);
        assert_eq!(edit["form"]["name"], "Incidentmethode (65 minuten) (aangepast)", "{backend:?}");
        assert_eq!(edit["total_minutes"], 65);

        // Bad input names every bad field and changes nothing.
        let bad = method_form(
            &id,
            &edit,
            &[("name", ""), ("phases[0][minutes]", "0"), ("phases[1][title]", " "), ("phases[2][collects]", "x")],
        );
        let refused = app.call("update_method", &pairs(&bad), &facilitator).await;
        let mut fields = field_errors(&refused);
        fields.sort();
        assert_eq!(fields, ["name", "phases[0][minutes]", "phases[1][title]", "phases[2][collects]"], "{backend:?}");
        let unchanged =
            json(&app.call("method_for_editing", &[("method_id", &id), ("language", "nl")], &facilitator).await.body);
        assert_eq!(unchanged, edit, "{backend:?} nothing changed");

        // Shorter phases, one removed, one added at the start; posted without JavaScript.
        let good = method_form(
            &id,
            &edit,
            &[
                ("name", "Incidentmethode, kort"),
                ("phases[0][minutes]", "3"),
                ("phases[3][remove]", "on"),
                ("phases[7][title]", "Even stil"),
                ("phases[7][instruction]", "Iedereen schrijft voor zichzelf op wat hem raakte."),
                ("phases[7][minutes]", "2"),
                ("phases[7][collects]", "positions"),
                ("phases[7][hidden]", "on"),
                ("phases[7][position]", "0"),
            ],
        );
        let saved = app.post_form("update_method", &pairs(&good), &format!("/methods/{id}/edit"), &facilitator).await;
        assert_eq!(saved.status, StatusCode::FOUND, "{backend:?} {}", saved.body);
        assert_eq!(saved.header("location"), Some("/methods"));
        let library = json(&app.call("method_library", &[], &facilitator).await.body);
        let adapted = &library["adapted"][0];
        assert_eq!(adapted["method"]["name"]["nl"], "Incidentmethode, kort");
        let phases = adapted["method"]["phases"].as_array().unwrap();
        assert_eq!(phases.len(), 7, "{backend:?} one removed, one added");
        assert_eq!(phases[0]["title"]["nl"], "Even stil");
        assert_eq!(phases[0]["hidden_until_revealed"], true);
        assert_eq!(phases[1]["minutes"], 3);
        assert_eq!(phases[1]["title"]["en"], "Look back", "{backend:?} untouched texts keep both languages");
        assert_eq!(app::intervision::method::catalogue::built_in_by_key("incident_timed").unwrap().total_minutes(), 65);
        let total: u64 = phases.iter().map(|p| p["minutes"].as_u64().unwrap()).sum();

        // Planning offers it; the round copies it.
        let planning = json(&app.call("round_planning", &[("community_id", &cid)], &facilitator).await.body);
        let offered = planning["methods"].as_array().unwrap().iter().find(|m| m["id"] == id.as_str()).unwrap();
        assert_eq!(offered["adapted"], true);
        let case_id = json(&app.call("submit_case", &case(&cid, "Stille klas"), &member).await.body);
        let (lead, case_id) = (user_id(&app, LEAD).await, case_id.as_str().unwrap().to_string());
        let plan = |method: String| {
            vec![
                ("community_id", cid.clone()),
                ("case_id", case_id.clone()),
                ("method_key", method),
                ("lead_id", lead.clone()),
                ("timekeeper_id", String::new()),
                ("note_taker_id", String::new()),
            ]
        };
        let owned = |args: &[(&'static str, String)]| args.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();

        // Put away, it is no longer offered; brought back, it is.
        let archived = app.call("archive_method", &[("method_id", &id), ("archived", "true")], &facilitator).await;
        assert_eq!(archived.status, StatusCode::OK, "{backend:?} {}", archived.body);
        let args = owned(&plan(id.clone()));
        let refused = app.call("plan_round", &as_str_pairs(&args), &facilitator).await;
        assert_eq!(field_errors(&refused), ["method_key"], "{backend:?}");
        app.call("archive_method", &[("method_id", &id), ("archived", "false")], &facilitator).await;
        let planned = app.call("plan_round", &as_str_pairs(&args), &facilitator).await;
        assert_eq!(planned.status, StatusCode::OK, "{backend:?} {}", planned.body);
        let round_id: uuid::Uuid = json(&planned.body).as_str().unwrap().parse().unwrap();
        let round = intervision_round::Entity::find_by_id(round_id).one(app.db()).await.unwrap().unwrap();
        let method = app::intervision::method::domain::Method::from_json(&round.method).unwrap();
        assert_eq!(u64::from(method.total_minutes()), total, "{backend:?}");
        assert_eq!(method.key, "incident_timed");

        // Another board neither sees nor changes it; anonymous callers are asked to log in.
        let other = app.login(OTHER_ADMIN).await;
        let theirs = json(&app.call("method_library", &[], &other).await.body);
        assert_eq!(theirs["adapted"].as_array().unwrap().len(), 0, "{backend:?}");
        for (endpoint, args) in [
            ("method_for_editing", vec![("method_id", id.as_str()), ("language", "nl")]),
            ("copy_method", vec![("from", id.as_str())]),
            ("archive_method", vec![("method_id", id.as_str()), ("archived", "true")]),
            ("update_method", pairs(&good)),
        ] {
            for client in [&other, &member] {
                let r = app.call(endpoint, &args, client).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?} {endpoint}: {}", r.body);
            }
            let r = app.call(endpoint, &args, &Client::default()).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend:?} anonymous {endpoint}");
        }
        let r = app.call("method_library", &[], &Client::default()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        for path in ["/methods".to_string(), format!("/methods/{id}/edit")] {
            assert_eq!(app.get(&path, &facilitator).await.status, StatusCode::OK, "{backend:?} {path}");
        }
        assert_eq!(app.get(&format!("/methods/{id}/edit"), &other).await.status, StatusCode::NOT_FOUND);
    }
}

fn as_str_pairs<'a>(args: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    args.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn members_vote_for_the_case_to_discuss_next() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading_id(&app).await;
        let (member, facilitator, late) = (app.login(MEMBER).await, app.login(TEACHER).await, app.login(LATE).await);
        let first = json(&app.call("submit_case", &case(&cid, "Stille klas"), &member).await.body);
        let second = json(&app.call("submit_case", &case(&cid, "Telefoons in de les"), &late).await.body);
        let (first, second) = (first.as_str().unwrap(), second.as_str().unwrap());
        let vote = |case: &str, vote: &str| vec![("case_id", case.to_string()), ("vote", vote.to_string())];

        for (client, case) in [(&member, second), (&facilitator, second), (&late, first)] {
            let r = app.call("vote_for_case", &as_str_pairs(&vote(case, "true")), client).await;
            assert_eq!(r.status, StatusCode::OK, "{backend:?} {}", r.body);
        }
        // A new vote moves the old one.
        app.call("vote_for_case", &as_str_pairs(&vote(first, "true")), &member).await;
        let listed = json(&app.call("community_cases", &[("community_id", &cid)], &member).await.body);
        let votes_of = |listed: &Value, id: &str| {
            let case = listed["cases"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap().clone();
            (case["votes"].as_u64().unwrap(), case["my_vote"].as_bool().unwrap())
        };
        assert_eq!(votes_of(&listed, first), (2, true), "{backend:?}");
        assert_eq!(votes_of(&listed, second), (1, false), "{backend:?}");
        assert!(!listed.to_string().contains("voter"), "nobody sees who voted");

        let planning = json(&app.call("round_planning", &[("community_id", &cid)], &facilitator).await.body);
        let order: Vec<(&str, u64)> = planning["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["id"].as_str().unwrap(), c["votes"].as_u64().unwrap()))
            .collect();
        assert_eq!(order, [(first, 2), (second, 1)], "{backend:?} most votes first");

        // Taking a vote back; a withdrawn case takes no votes; outsiders cannot vote.
        app.call("vote_for_case", &as_str_pairs(&vote(first, "false")), &late).await;
        let listed = json(&app.call("community_cases", &[("community_id", &cid)], &late).await.body);
        assert_eq!(votes_of(&listed, first), (1, false), "{backend:?}");
        app.call("set_case_open", &[("case_id", second), ("open", "false")], &late).await;
        let refused = app.call("vote_for_case", &as_str_pairs(&vote(second, "true")), &facilitator).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{backend:?}");
        for outsider in [LEADER, ADMIN, COLLEAGUE, OTHER_ADMIN] {
            let client = app.login(outsider).await;
            let r = app.call("vote_for_case", &as_str_pairs(&vote(first, "true")), &client).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?} {outsider}");
        }
        let r = app.call("vote_for_case", &as_str_pairs(&vote(first, "true")), &Client::default()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let listed = json(&app.call("community_cases", &[("community_id", &cid)], &member).await.body);
        assert_eq!(votes_of(&listed, first), (1, true), "{backend:?} refused votes changed nothing");
    }
}

#[tokio::test]
async fn a_community_keeps_case_text_as_long_as_it_chooses() {
    use sea_orm::{ActiveModelTrait, Set};
    for backend in backends() {
        let app = TestApp::new(backend).await;
        without_demo_rounds(&app).await;
        let cid = reading_id(&app).await;
        let (member, facilitator) = (app.login(MEMBER).await, app.login(TEACHER).await);
        let old = json(&app.call("submit_case", &case(&cid, "Oude casus"), &member).await.body);
        let old: uuid::Uuid = old.as_str().unwrap().parse().unwrap();
        let written = time::OffsetDateTime::now_utc() - time::Duration::days(45);
        let stored = intervision_case::Entity::find_by_id(old).one(app.db()).await.unwrap().unwrap();
        let promised = stored.expires_at;
        let mut backdated: intervision_case::ActiveModel = stored.into();
        backdated.created_at = Set(written);
        backdated.update(app.db()).await.unwrap();

        for outsider in [MEMBER, LEADER, ADMIN] {
            let client = app.login(outsider).await;
            let r = app.call("set_case_keeping", &[("community_id", &cid), ("keeping", "months_1")], &client).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?} {outsider}");
        }
        let bad = app.call("set_case_keeping", &[("community_id", &cid), ("keeping", "forever")], &facilitator).await;
        assert_eq!(field_errors(&bad), ["keeping"]);

        // Three months: the old case now expires three months after it was written.
        let r = app.call("set_case_keeping", &[("community_id", &cid), ("keeping", "months_3")], &facilitator).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?} {}", r.body);
        let expiry = intervision_case::Entity::find_by_id(old).one(app.db()).await.unwrap().unwrap().expires_at;
        assert!(expiry < promised, "{backend:?} brought forward");
        assert!((expiry - written - time::Duration::days(89)).whole_days().abs() <= 3, "{backend:?} {expiry}");
        let new = json(&app.call("submit_case", &case(&cid, "Nieuwe casus"), &member).await.body);
        let new: uuid::Uuid = new.as_str().unwrap().parse().unwrap();
        let new_expiry = intervision_case::Entity::find_by_id(new).one(app.db()).await.unwrap().unwrap().expires_at;
        let ahead = (new_expiry - time::OffsetDateTime::now_utc()).whole_days();
        assert!((88..=92).contains(&ahead), "{backend:?} new cases follow the setting: {ahead} days");

        // One month would erase the old case at once: that needs a confirmation.
        let unconfirmed =
            app.call("set_case_keeping", &[("community_id", &cid), ("keeping", "months_1")], &facilitator).await;
        assert_eq!(field_errors(&unconfirmed), ["confirm"], "{backend:?}");
        let community = community::Entity::find_by_id(cid.parse::<uuid::Uuid>().unwrap()).one(app.db()).await.unwrap();
        assert_eq!(community.unwrap().case_keeping, "months_3", "{backend:?} nothing changed");
        let confirmed = app
            .call(
                "set_case_keeping",
                &[("community_id", &cid), ("keeping", "months_1"), ("confirm", "on")],
                &facilitator,
            )
            .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{backend:?} {}", confirmed.body);
        let erased = intervision_case::Entity::find_by_id(old).one(app.db()).await.unwrap().unwrap();
        assert!(erased.title.is_empty() && erased.purged_at.is_some(), "{backend:?}");
        let kept = intervision_case::Entity::find_by_id(new).one(app.db()).await.unwrap().unwrap();
        assert_eq!(kept.title, "Nieuwe casus");

        // A longer time never extends what was promised.
        app.call("set_case_keeping", &[("community_id", &cid), ("keeping", "school_year")], &facilitator).await;
        let after = intervision_case::Entity::find_by_id(new).one(app.db()).await.unwrap().unwrap();
        assert_eq!(after.expires_at, kept.expires_at, "{backend:?}");
        let listed = json(&app.call("community_cases", &[("community_id", &cid)], &member).await.body);
        assert_eq!(listed["keeping"], "school_year");
    }
}

/// A member of "Begrijpend lezen" who takes notes in [`round_with_note_taker`].
const NOTE_TAKER: &str = "n.hendriks@esdal.test";

/// As [`planned_round`], with NOTE_TAKER taking notes.
async fn round_with_note_taker(app: &TestApp, method: &str) -> String {
    plan_with(app, method, "Telefoons in de les", Some(NOTE_TAKER)).await
}

/// Moves the round lead's last connected screen `ago` into the past (as if it had
/// closed then); a real lead's screen renews it every ten seconds while open.
async fn lead_last_seen(app: &TestApp, round: &str, ago: time::Duration) {
    use sea_orm::sea_query::Expr;
    intervision_round::Entity::update_many()
        .col_expr(intervision_round::Column::LeadSeenAt, Expr::value(app::db::now() - ago))
        .filter(intervision_round::Column::Id.eq(uuid::Uuid::parse_str(round).unwrap()))
        .exec(app.db())
        .await
        .unwrap();
}

async fn take_over(app: &TestApp, round: &str, client: &Client) -> TestResponse {
    app.call("take_over_round", &[("round_id", round)], client).await
}

async fn save_notes(app: &TestApp, round: &str, client: &Client, notes: &str) -> TestResponse {
    app.call("save_round_notes", &[("round_id", round), ("notes", notes)], client).await
}

async fn round_view(app: &TestApp, round: &str, client: &Client) -> Value {
    json(&app.call("round", &[("round_id", round)], client).await.body)
}

#[tokio::test]
async fn the_timekeeper_keeps_the_clock_and_only_the_lead_steps() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let round = planned_round(&app, "incident_ten_phase").await;
        let (lead, timekeeper, member, facilitator) =
            (app.login(LEAD).await, app.login(TIMEKEEPER).await, app.login(MEMBER).await, app.login(TEACHER).await);
        assert_eq!(step(&app, &timekeeper, &round, 0, "start").await.status, StatusCode::NOT_FOUND, "{backend:?}");
        assert_eq!(step(&app, &lead, &round, 0, "start").await.status, StatusCode::OK);
        let paused = step(&app, &timekeeper, &round, 1, "pause").await;
        assert_eq!(paused.status, StatusCode::OK, "{backend:?} {}", paused.body);
        assert_eq!(json(&paused.body)["status"], "paused");
        let args = [("round_id", round.as_str()), ("version", "2"), ("command", "extend"), ("minutes", "3")];
        let extended = app.call("round_command", &args, &timekeeper).await;
        assert_eq!(extended.status, StatusCode::OK, "{backend:?} {}", extended.body);
        let extended = json(&extended.body);
        let remaining = extended["remaining_ms"].as_i64().unwrap();
        assert!(
            (7 * 60_000..=8 * 60_000).contains(&remaining),
            "{backend:?} 5 minutes + 3, a little used: {remaining}"
        );
        assert_eq!(step(&app, &timekeeper, &round, 3, "resume").await.status, StatusCode::OK);
        // Stepping, revealing, undoing and ending stay the lead's.
        for command in ["advance", "back", "undo", "end", "reveal"] {
            let refused = step(&app, &timekeeper, &round, 4, command).await;
            assert_eq!(refused.status, StatusCode::NOT_FOUND, "{backend:?} {command}");
        }
        // Others keep no time.
        for client in [&member, &facilitator] {
            assert_eq!(step(&app, client, &round, 4, "pause").await.status, StatusCode::NOT_FOUND, "{backend:?}");
        }
        let view = json(&app.call("round", &[("round_id", &round)], &lead).await.body);
        assert_eq!((view["version"].as_u64(), view["status"].as_str()), (Some(4), Some("running")), "{backend:?}");
    }
}

#[tokio::test]
async fn a_facilitator_takes_over_a_round_whose_lead_is_gone() {
    use app::db::entities::intervision_lead_change;
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let round = planned_round(&app, "incident_ten_phase").await;
        let events = format!("/r/{round}/events");
        let (lead, member, timekeeper, facilitator, late, colleague) = (
            app.login(LEAD).await,
            app.login(MEMBER).await,
            app.login(TIMEKEEPER).await,
            app.login(TEACHER).await,
            app.login(LATE).await,
            app.login(COLLEAGUE).await,
        );
        // The lead's screen is open: nobody takes over.
        let mut lead_screen = app.events(&events, &lead).await.ok().unwrap();
        assert_eq!(next_view(&mut lead_screen).await["my_role"], "lead");
        assert_eq!(step(&app, &lead, &round, 0, "start").await.status, StatusCode::OK);
        let refused = take_over(&app, &round, &facilitator).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{backend:?} {}", refused.body);
        assert!(refused.body.contains("LeadStillConnected"), "{backend:?} {}", refused.body);
        // Those who may never take over get what anyone gets for a round action they do
        // not have: the case bringer, members not present, colleagues outside, the lead.
        for (client, who) in [(&member, "case bringer"), (&late, "not present"), (&colleague, "outsider")] {
            assert_eq!(take_over(&app, &round, client).await.status, StatusCode::NOT_FOUND, "{backend:?} {who}");
        }
        for outsider in [LEADER, ADMIN, OTHER_ADMIN] {
            let client = app.login(outsider).await;
            assert_eq!(take_over(&app, &round, &client).await.status, StatusCode::NOT_FOUND, "{backend:?} {outsider}");
        }
        assert_eq!(take_over(&app, &round, &Client::default()).await.status, StatusCode::UNAUTHORIZED, "{backend:?}");
        assert_eq!(
            take_over(&app, &round, &lead).await.status,
            StatusCode::CONFLICT,
            "{backend:?} the lead leads already"
        );

        // The lead's tab closes; 29 seconds later the case bringer's screen still shows
        // the lead as here, and a moment later (nobody writing anything) as gone.
        drop(lead_screen);
        lead_last_seen(&app, &round, time::Duration::seconds(29)).await;
        let mut bringer_screen = app.events(&events, &member).await.ok().unwrap();
        let first = next_view(&mut bringer_screen).await;
        assert_eq!(first["lead_away"], false, "{backend:?}");
        let gone = next_view(&mut bringer_screen).await;
        assert_eq!((gone["lead_away"].as_bool(), gone["can_take_over"].as_bool()), (Some(true), Some(false)));
        assert_eq!(gone["version"], first["version"], "{backend:?} nothing was stepped");
        let mut facilitator_screen = app.events(&events, &facilitator).await.ok().unwrap();
        let offered = next_view(&mut facilitator_screen).await;
        assert_eq!((offered["lead_away"].as_bool(), offered["can_take_over"].as_bool()), (Some(true), Some(true)));
        // The timekeeper may too with this method; the facilitator is first.
        let taken = take_over(&app, &round, &facilitator).await;
        assert_eq!(taken.status, StatusCode::OK, "{backend:?} {}", taken.body);
        let taken = json(&taken.body);
        assert_eq!((taken["my_role"].as_str(), taken["version"].as_u64()), (Some("lead"), Some(2)), "{backend:?}");
        assert_eq!(taken["can_undo"], false, "{backend:?} the old lead's step is not the new lead's to undo");
        // Every screen follows: who leads now, who took over from whom.
        let seen = next_view(&mut bringer_screen).await;
        assert_eq!((seen["version"].as_u64(), seen["lead_away"].as_bool()), (Some(2), Some(false)), "{backend:?}");
        let roles: Vec<(String, String)> = seen["participants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["name"].as_str().unwrap().to_string(), p["role"].as_str().unwrap().to_string()))
            .collect();
        assert!(roles.contains(&("Anouk de Bruin".into(), "lead".into())), "{backend:?} {roles:?}");
        assert!(roles.contains(&("Sanne Mulder".into(), "participant".into())), "{backend:?} {roles:?}");
        assert_eq!(seen["lead_changes"][0]["from"], "Sanne Mulder", "{backend:?}");
        assert_eq!(seen["lead_changes"][0]["to"], "Anouk de Bruin", "{backend:?}");
        let recorded = intervision_lead_change::Entity::find().all(app.db()).await.unwrap();
        assert_eq!(recorded.len(), 1, "{backend:?}");
        assert_eq!(recorded[0].from_user.map(|u| u.to_string()), Some(user_id(&app, LEAD).await));
        // A step decided on the old lead's screen is refused as the round having moved on;
        // the old lead steps no more.
        let stale = step(&app, &lead, &round, 1, "advance").await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{backend:?}");
        assert!(stale.body.contains("RoundChanged"), "{backend:?} {}", stale.body);
        assert_eq!(step(&app, &lead, &round, 2, "advance").await.status, StatusCode::NOT_FOUND, "{backend:?}");
        assert_eq!(step(&app, &facilitator, &round, 2, "advance").await.status, StatusCode::OK, "{backend:?}");
        // The new lead is here: the timekeeper cannot take over from them.
        assert_eq!(take_over(&app, &round, &timekeeper).await.status, StatusCode::CONFLICT, "{backend:?}");
    }
}

#[tokio::test]
async fn the_timekeeper_takes_over_only_where_the_method_allows_it() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let (lead, timekeeper) = (app.login(LEAD).await, app.login(TIMEKEEPER).await);
        // Balint asks for high trust: only a facilitator takes over its lead.
        for (method, allowed) in [("five_step", true), ("balint", false)] {
            let round = planned_round(&app, method).await;
            assert_eq!(
                app.call("take_over_round", &[("round_id", &round)], &timekeeper).await.status,
                StatusCode::NOT_FOUND,
                "{backend:?} {method}: not before the start"
            );
            assert_eq!(step(&app, &lead, &round, 0, "start").await.status, StatusCode::OK, "{backend:?} {method}");
            lead_last_seen(&app, &round, time::Duration::seconds(45)).await;
            let taken = app.call("take_over_round", &[("round_id", &round)], &timekeeper).await;
            let expected = if allowed { StatusCode::OK } else { StatusCode::NOT_FOUND };
            assert_eq!(taken.status, expected, "{backend:?} {method}: {}", taken.body);
        }
    }
}

#[tokio::test]
async fn the_note_taker_writes_for_the_case_bringer_and_the_notes_expire_with_the_case() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        without_demo_rounds(&app).await;
        let round = round_with_note_taker(&app, "five_step").await;
        let (lead, member, notes_client, timekeeper) =
            (app.login(LEAD).await, app.login(MEMBER).await, app.login(NOTE_TAKER).await, app.login(TIMEKEEPER).await);
        assert_eq!(step(&app, &lead, &round, 0, "start").await.status, StatusCode::OK);
        let text = "Vraag over de start van de les: warm.\nAdvies 2 sprak je aan.";
        let saved = save_notes(&app, &round, &notes_client, &format!("  {text}\r\n")).await;
        assert_eq!(saved.status, StatusCode::OK, "{backend:?} {}", saved.body);
        // Only the note taker writes them.
        for (client, who) in [(&member, "case bringer"), (&lead, "lead"), (&timekeeper, "timekeeper")] {
            assert_eq!(
                save_notes(&app, &round, client, "iets anders").await.status,
                StatusCode::NOT_FOUND,
                "{backend:?} {who}"
            );
        }
        for outsider in [LATE, LEADER, ADMIN, COLLEAGUE, OTHER_ADMIN] {
            let client = app.login(outsider).await;
            assert_eq!(
                save_notes(&app, &round, &client, "iets").await.status,
                StatusCode::NOT_FOUND,
                "{backend:?} {outsider}"
            );
        }
        assert_eq!(
            save_notes(&app, &round, &Client::default(), "iets").await.status,
            StatusCode::UNAUTHORIZED,
            "{backend:?}"
        );
        let too_long = save_notes(&app, &round, &notes_client, &"x".repeat(5001)).await;
        assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?} {}", too_long.body);
        assert_eq!(
            round_view(&app, &round, &notes_client).await["notes"],
            text,
            "{backend:?} unchanged by the refused save"
        );
        // During the round the case bringer does not see them, nor does anyone else.
        for client in [&member, &lead, &timekeeper] {
            assert_eq!(round_view(&app, &round, client).await["notes"], Value::Null, "{backend:?}");
        }
        let ended = step(&app, &lead, &round, 1, "end").await;
        assert_eq!(ended.status, StatusCode::OK, "{backend:?} {}", ended.body);
        assert_eq!(
            round_view(&app, &round, &member).await["notes"],
            text,
            "{backend:?} the case bringer gets them after the round"
        );
        assert_eq!(round_view(&app, &round, &lead).await["notes"], Value::Null, "{backend:?}");

        // They expire with the case, with everything else written in the round.
        let stored = intervision_round::Entity::find().one(app.db()).await.unwrap().unwrap();
        assert_eq!(stored.notes.as_deref(), Some(text));
        app::intervision::round::service::purge_expired(app.db(), stored.expires_at).await.unwrap();
        let purged = intervision_round::Entity::find().one(app.db()).await.unwrap().unwrap();
        assert_eq!(purged.notes, None, "{backend:?}");
        assert_eq!(round_view(&app, &round, &member).await["notes"], Value::Null, "{backend:?}");
        assert_eq!(
            save_notes(&app, &round, &notes_client, "te laat").await.status,
            StatusCode::CONFLICT,
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn owners_are_reminded_of_an_action_on_its_check_in_date() {
    use app::db::entities::{email_opt_out, notification};
    use sea_orm::sea_query::Expr;
    use sea_orm::{ActiveModelTrait, Set};
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let today = app::intervision::closing::service::today(&app.state);
        // The demo's actions: all reminded already but one of MEMBER's, due today.
        intervision_action::Entity::update_many()
            .col_expr(intervision_action::Column::RemindedAt, Expr::value(app::db::now()))
            .exec(app.db())
            .await
            .unwrap();
        let actions: Vec<intervision_action::Model> = intervision_action::Entity::find()
            .filter(intervision_action::Column::Body.ne(""))
            .all(app.db())
            .await
            .unwrap();
        let owned_by =
            |owner: uuid::Uuid| actions.iter().filter(|a| a.owner_id == Some(owner)).cloned().collect::<Vec<_>>();
        let member_id = actions
            .iter()
            .filter_map(|a| a.owner_id)
            .find(|owner| owned_by(*owner).len() >= 2)
            .expect("the demo gives someone two actions");
        let mine = owned_by(member_id);
        let owner = user::Entity::find_by_id(member_id).one(app.db()).await.unwrap().unwrap().email;
        let due = |action: &intervision_action::Model, on: time::Date| {
            let mut model: intervision_action::ActiveModel = action.clone().into();
            model.check_in_on = Set(on);
            model.reminded_at = Set(None);
            model.reported_at = Set(None);
            model.outcome = Set(None);
            model.update(app.db())
        };
        due(&mine[0], today).await.unwrap();
        // Not yet due, and long overdue: no reminder.
        due(&mine[1], today + time::Duration::days(1)).await.unwrap();
        let send = || app::intervision::closing::service::send_check_in_reminders(&app.state);
        assert_eq!(send().await.unwrap(), 1, "{backend:?}");
        assert_eq!(send().await.unwrap(), 0, "{backend:?} once");
        let notices = notification::Entity::find()
            .filter(notification::Column::UserId.eq(member_id))
            .filter(notification::Column::Kind.eq("action_check_in"))
            .count(app.db())
            .await
            .unwrap();
        assert_eq!(notices, 1, "{backend:?}");
        let mail = app.mail_to(&owner).await.expect("a reminder email");
        assert!(mail.contains("Terugkijken"), "{backend:?} {mail}");

        // Turned off for email: still in the app, no email.
        email_opt_out::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            user_id: Set(member_id),
            kind: Set("action_check_in".into()),
        }
        .insert(app.db())
        .await
        .unwrap();
        let mails_before = app.mails_to(&owner);
        due(&mine[1], today).await.unwrap();
        assert_eq!(send().await.unwrap(), 1, "{backend:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(app.mails_to(&owner), mails_before, "{backend:?} no email for a kind turned off");
    }
}
