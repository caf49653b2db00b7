//! Intervision cases over HTTP, on SQLite and PostgreSQL: only the community's members
//! see and submit them (leaders, admins, colleagues outside it and other boards get
//! 404, anonymous callers 401); bad input changes nothing; only the case bringer
//! withdraws and puts back a case; expired case text is emptied.

mod common;

use common::*;
use http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;

use app::db::entities::{community, intervision_case};

const MEMBER: &str = "m.vermeulen@esdal.test";
/// A colleague on the same board, not in "Begrijpend lezen".
const COLLEAGUE: &str = "j.bakker@esdal.test";
const READING: &str = "Begrijpend lezen in de onderbouw";

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

async fn reading_id(app: &TestApp) -> String {
    community::Entity::find()
        .filter(community::Column::Name.eq(READING))
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

fn case<'a>(cid: &'a str, title: &'a str) -> Vec<(&'static str, &'a str)> {
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
        let cid = reading_id(&app).await;
        let member = app.login(MEMBER).await;
        let submitted = app.call("submit_case", &case(&cid, "Stille klas na de pauze"), &member).await;
        assert_eq!(submitted.status, StatusCode::OK, "{backend:?} {}", submitted.body);

        let facilitator = app.login(TEACHER).await;
        let seen = json(&app.call("community_cases", &[("community_id", &cid)], &facilitator).await.body);
        let cases = seen["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 1, "{backend:?}");
        assert_eq!(cases[0]["title"], "Stille klas na de pauze");
        assert_eq!(cases[0]["mine"], false);
        assert_eq!(cases[0]["author"], "Mila Vermeulen");

        for outsider in [LEADER, ADMIN, COLLEAGUE, OTHER_TEACHER, OTHER_ADMIN] {
            let client = app.login(outsider).await;
            let list = app.call("community_cases", &[("community_id", &cid)], &client).await;
            assert_eq!(list.status, StatusCode::NOT_FOUND, "{backend:?} {outsider} lists");
            assert!(!list.body.contains("Stille klas"));
            let submit = app.call("submit_case", &case(&cid, "Mag niet"), &client).await;
            assert_eq!(submit.status, StatusCode::NOT_FOUND, "{backend:?} {outsider} submits");
        }
        let anonymous = Client::default();
        for (endpoint, args) in [
            ("community_cases", vec![("community_id", cid.as_str())]),
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
        let cid = reading_id(&app).await;
        let member = app.login(MEMBER).await;
        app.call("submit_case", &case(&cid, "Stille klas"), &member).await;
        let stored = intervision_case::Entity::find().one(app.db()).await.unwrap().unwrap();
        assert!(stored.expires_at > stored.created_at);

        let before = app::intervision::service::purge_expired(app.db(), stored.created_at).await.unwrap();
        assert_eq!(before, 0, "{backend:?} nothing is due yet");
        let purged = app::intervision::service::purge_expired(app.db(), stored.expires_at).await.unwrap();
        assert_eq!(purged, 1, "{backend:?}");
        let row = intervision_case::Entity::find_by_id(stored.id).one(app.db()).await.unwrap().unwrap();
        assert!(row.title.is_empty() && row.situation.is_empty() && row.question.is_empty());
        assert!(row.purged_at.is_some());
        let listed = json(&app.call("community_cases", &[("community_id", &cid)], &member).await.body);
        assert_eq!(listed["cases"].as_array().unwrap().len(), 0, "{backend:?} purged cases are not listed");
    }
}
