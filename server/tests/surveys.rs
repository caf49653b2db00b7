//! Pulse surveys on SQLite and PostgreSQL: who may run, answer and read them; that
//! answers are stored with no link to the person and leave the server only as
//! distributions, after closing and with at least k people; that bad input changes
//! nothing; and that a board's own wording of the statements is used.

use crate::common::*;
use crate::intervision::{COLLEAGUE, MEMBER, json, reading_id};
use app::db::entities::{survey, survey_answer, survey_comment, survey_respondent};
use http::StatusCode;
use sea_orm::{EntityTrait, Iterable, PaginatorTrait};
use serde_json::Value;

/// Staff of the demo's first school (Esdal Lyceum), none of them a leader.
const LYCEUM_STAFF: [&str; 7] = [
    "a.debruin@esdal.test",
    "j.bakker@esdal.test",
    "s.mulder@esdal.test",
    "t.kuipers@esdal.test",
    "l.jansen@esdal.test",
    "d.smit@esdal.test",
    "e.visser@esdal.test",
];

fn closing_in(days: i64) -> String {
    let date = time::OffsetDateTime::now_utc().date() + time::Duration::days(days);
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

/// Starts a survey of `scope` asking the first `statements` statements.
async fn start(app: &TestApp, client: &Client, scope: &str, statements: usize) -> TestResponse {
    let closes = closing_in(7);
    let picked: Vec<(String, String)> = (0..statements).map(|i| (format!("picked[{i}]"), i.to_string())).collect();
    let mut form: Vec<(&str, &str)> = vec![("scope", scope), ("closes_on", &closes)];
    form.extend(picked.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    app.call("start_survey", &form, client).await
}

fn survey_id(response: &TestResponse) -> String {
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    json(&response.body).as_str().unwrap().to_string()
}

async fn page(app: &TestApp, client: &Client, id: &str) -> TestResponse {
    app.call("survey_page", &[("survey_id", id)], client).await
}

/// Answers every statement with `value`, and an optional comment.
async fn answer(app: &TestApp, client: &Client, id: &str, value: &str, comment: &str) -> TestResponse {
    let view = json(&page(app, client, id).await.body);
    let items: Vec<String> =
        view["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect();
    let fields: Vec<(String, String)> = items
        .iter()
        .enumerate()
        .flat_map(|(i, item)| {
            [(format!("answers[{i}][item]"), item.clone()), (format!("answers[{i}][value]"), value.to_string())]
        })
        .collect();
    let mut form: Vec<(&str, &str)> = vec![("survey_id", id), ("comment", comment)];
    form.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    app.call("answer_survey", &form, client).await
}

#[tokio::test]
async fn a_school_survey_shows_results_only_after_closing_and_with_k_answers() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let lyceum = demo_school_id(&app).await;
        let scope = format!("s:{lyceum}");
        let leader = app.login(LEADER).await;

        // Teachers cannot ask the school; a leader can, with 5 to 8 statements.
        let teacher = app.login(TEACHER).await;
        let refused = start(&app, &teacher, &scope, 8).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        assert!(refused.body.contains("scope"), "{}", refused.body);
        for count in [4, 9] {
            let r = start(&app, &leader, &scope, count).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?} {count} statements: {}", r.body);
        }
        let late = app
            .call(
                "start_survey",
                &[("scope", &scope), ("closes_on", &closing_in(60)), ("picked[0]", "0"), ("picked[1]", "1")],
                &leader,
            )
            .await;
        assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(late.body.contains("closes_on") && late.body.contains("picked"), "{}", late.body);
        assert_eq!(survey::Entity::find().count(app.db()).await.unwrap(), 0, "{backend:?}: nothing was stored");

        // Four answer: closed, it says too few and shows nothing.
        let few = survey_id(&start(&app, &leader, &scope, 8).await);
        let home = app.get("/", &teacher).await.text();
        assert!(home.contains("Er staat een peiling voor je klaar: Esdal Lyceum."), "{backend:?}: the home page asks");
        for email in &LYCEUM_STAFF[..4] {
            let client = app.login(email).await;
            let view = json(&page(&app, &client, &few).await.body);
            assert_eq!(view["may_answer"], true, "{email}");
            assert_eq!(view["items"].as_array().unwrap().len(), 8);
            assert_eq!(view["answered_so_far"], Value::Null, "only who runs it sees the count");
            let r = answer(&app, &client, &few, "3", "").await;
            assert_eq!(r.status, StatusCode::OK, "{backend:?} {email}: {}", r.body);
        }
        assert!(!app.get("/", &teacher).await.text().contains("peiling voor je klaar"), "answered, no longer asked");
        let again = answer(&app, &app.login(LYCEUM_STAFF[0]).await, &few, "1", "").await;
        assert_eq!(again.status, StatusCode::CONFLICT, "nobody answers twice");
        let open = json(&page(&app, &leader, &few).await.body);
        assert_eq!(open["state"], "open");
        assert_eq!(open["results"], Value::Null);
        assert_eq!(open["answered_so_far"], 4);
        assert_eq!(app.call("close_survey", &[("survey_id", &few)], &teacher).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.call("close_survey", &[("survey_id", &few)], &leader).await.status, StatusCode::OK);
        for client in [&leader, &teacher] {
            let closed = json(&page(&app, client, &few).await.body);
            assert_eq!(closed["state"], "too_few", "{backend:?}");
            assert_eq!(closed["results"], Value::Null);
        }
        let late_answer = answer(&app, &app.login(LYCEUM_STAFF[5]).await, &few, "2", "").await;
        assert_eq!(late_answer.status, StatusCode::CONFLICT, "{}", late_answer.body);

        // Six answer, one of them incompletely first (refused, nothing stored).
        let enough = survey_id(&start(&app, &leader, &scope, 5).await);
        let answers_before = survey_answer::Entity::find().count(app.db()).await.unwrap();
        let partial = app.call("answer_survey", &[("survey_id", &enough), ("answers[0][value]", "4")], &teacher).await;
        assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(partial.body.contains("answers"), "{}", partial.body);
        assert_eq!(survey_answer::Entity::find().count(app.db()).await.unwrap(), answers_before);
        let values = ["4", "4", "3", "3", "2", "1"];
        for (i, email) in LYCEUM_STAFF[..6].iter().enumerate() {
            let comment = if i < 2 { format!("opmerking {}", 2 - i) } else { String::new() };
            let r = answer(&app, &app.login(email).await, &enough, values[i], &comment).await;
            assert_eq!(r.status, StatusCode::OK, "{backend:?} {email}: {}", r.body);
        }
        assert_eq!(survey_respondent::Entity::find().count(app.db()).await.unwrap(), 6, "only the open survey's");
        let still_open = page(&app, &leader, &enough).await.body;
        assert!(!still_open.contains("\"counts\""), "never live while open: {still_open}");
        assert_eq!(app.call("close_survey", &[("survey_id", &enough)], &leader).await.status, StatusCode::OK);
        assert_eq!(
            survey_respondent::Entity::find().count(app.db()).await.unwrap(),
            0,
            "who answered is forgotten at closing"
        );
        assert_eq!(survey_comment::Entity::find().count(app.db()).await.unwrap(), 2);

        let shown = page(&app, &teacher, &enough).await;
        let view = json(&shown.body);
        assert_eq!(view["state"], "shown", "{backend:?}: {}", shown.body);
        let results = &view["results"];
        assert_eq!(results["respondents"], 6);
        assert_eq!(results["comments"], serde_json::json!(["opmerking 1", "opmerking 2"]), "sorted, not as given");
        let dimensions = results["dimensions"].as_array().unwrap();
        assert_eq!(dimensions.len(), 5, "the first five statements are five dimensions");
        for d in dimensions {
            let counts: Vec<u64> =
                d["distribution"]["counts"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap()).collect();
            assert_eq!(counts, vec![1, 1, 2, 2], "{d}");
        }
        // Nothing in any answer names a person who answered.
        for email in &LYCEUM_STAFF[..6] {
            assert!(!shown.body.contains(email));
        }

        // The school's dashboard shows both under Culture; the small one without figures.
        let dashboard = json(&app.call("leader_dashboard", &[], &leader).await.body);
        let surveys = dashboard["surveys"].as_array().unwrap();
        assert_eq!(surveys.len(), 2, "{}", dashboard["surveys"]);
        assert_eq!(surveys[0]["respondents"], Value::Null);
        assert_eq!(surveys[0]["dimensions"], serde_json::json!([]));
        assert_eq!(surveys[1]["respondents"], 6);
        let csv = app.get("/dashboard.csv", &leader).await.body;
        assert!(csv.contains("Peilingen"), "{csv}");
    }
}

#[tokio::test]
async fn nobody_outside_the_group_reaches_a_survey() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let reading = reading_id(&app).await;
        let facilitator = app.login(TEACHER).await;
        let id = survey_id(&start(&app, &facilitator, &format!("c:{reading}"), 6).await);

        // A member answers; the school leader, a colleague outside the community and
        // another board's staff are told it does not exist.
        let member = app.login(MEMBER).await;
        assert_eq!(json(&page(&app, &member, &id).await.body)["may_answer"], true);
        for email in [LEADER, COLLEAGUE, OTHER_TEACHER, OTHER_ADMIN] {
            let client = app.login(email).await;
            assert_eq!(page(&app, &client, &id).await.status, StatusCode::NOT_FOUND, "{backend:?} {email}");
            let answer_form = [("survey_id", id.as_str()), ("answers[0][value]", "3")];
            let r = app.call("answer_survey", &answer_form, &client).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?} {email}");
            let r = app.call("close_survey", &[("survey_id", &id)], &client).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?} {email}");
            let list = json(&app.call("surveys", &[], &client).await.body);
            assert!(!list.to_string().contains(&id), "{email} does not see it listed");
        }
        // A member cannot run a school survey, nor one of a community they do not lead.
        let r = start(&app, &member, &format!("s:{}", demo_school_id(&app).await), 6).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?}: {}", r.body);
        assert_eq!(app.call("survey_start", &[], &member).await.status, StatusCode::NOT_FOUND);

        // The answer rows hold no person: the table has no column that could.
        let columns: Vec<String> = <survey_answer::Entity as EntityTrait>::Column::iter()
            .map(|c| sea_orm::IdenStatic::as_str(&c).to_string())
            .collect();
        assert_eq!(columns, ["id", "survey_id", "item_id", "value"]);
        let r = answer(&app, &member, &id, "2", "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let stored = survey_answer::Entity::find().all(app.db()).await.unwrap();
        assert_eq!(stored.len(), 6);
        assert!(stored.iter().all(|a| a.id.get_version_num() == 4), "random ids tell no time");
    }
}

#[tokio::test]
async fn a_board_words_its_own_statements() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let admin = app.login(ADMIN).await;
        for email in [LEADER, TEACHER] {
            let client = app.login(email).await;
            assert_eq!(app.call("survey_statements", &[], &client).await.status, StatusCode::NOT_FOUND);
            let r = app.call("save_survey_statements", &[("reset", "yes")], &client).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{email}");
        }
        let defaults = json(&app.call("survey_statements", &[], &admin).await.body);
        assert_eq!(defaults.as_array().unwrap().len(), 8);

        let mut rows: Vec<(String, String)> = Vec::new();
        for (i, s) in defaults.as_array().unwrap().iter().enumerate().take(6) {
            rows.push((format!("statements[{i}][dimension]"), s["dimension"].as_str().unwrap().to_string()));
            let text = if i == 0 { "Wij werken op het Esdal aan hetzelfde doel." } else { s["text"].as_str().unwrap() };
            rows.push((format!("statements[{i}][text]"), text.to_string()));
        }
        let form: Vec<(&str, &str)> = rows.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        // Four statements are too few, and a bad theme is named; nothing changes.
        let bad = app.call("save_survey_statements", &form[..8], &admin).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let mut wrong = form.clone();
        wrong[0].1 = "cake";
        let bad = app.call("save_survey_statements", &wrong, &admin).await;
        assert!(bad.body.contains("statements[0][dimension]"), "{}", bad.body);
        assert_eq!(json(&app.call("survey_statements", &[], &admin).await.body), defaults);

        assert_eq!(app.call("save_survey_statements", &form, &admin).await.status, StatusCode::OK);
        let leader = app.login(LEADER).await;
        let offered = json(&app.call("survey_start", &[], &leader).await.body);
        assert_eq!(offered["statements"].as_array().unwrap().len(), 6, "{backend:?}");
        assert_eq!(offered["statements"][0]["text"], "Wij werken op het Esdal aan hetzelfde doel.");
        assert_eq!(offered["statements"][0]["dimension"], "shared_vision");

        assert_eq!(app.call("save_survey_statements", &[("reset", "yes")], &admin).await.status, StatusCode::OK);
        assert_eq!(json(&app.call("survey_statements", &[], &admin).await.body), defaults);
    }
}
