//! The home page says what is next, on SQLite and PostgreSQL: the next meeting with its
//! check-in, one's own open actions, the artifacts one looks after that want
//! attention, what waits for one's answer and the newest notifications; never another
//! person's actions or artifacts; read in a fixed number of queries.

use crate::common::*;
use crate::confidentiality::ended_round;
use crate::intervision::{MEMBER, READING, days_ahead, json, reading_id};
use http::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;

/// Staff of the same board, not in "Begrijpend lezen".
const COLLEAGUE: &str = "j.bakker@esdal.test";

async fn home(app: &TestApp, client: &Client) -> Value {
    let response = app.call("home_page", &[], client).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    json(&response.body)
}

fn local_fields(from_now: time::Duration) -> (String, String) {
    let tz = jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap();
    let at = jiff::Timestamp::from_second((time::OffsetDateTime::now_utc() + from_now).unix_timestamp())
        .unwrap()
        .to_zoned(tz);
    (at.strftime("%Y-%m-%d").to_string(), at.strftime("%H:%M").to_string())
}

async fn schedule_soon(app: &TestApp, cid: &str, facilitator: &Client) -> String {
    let (date, time) = local_fields(time::Duration::minutes(10));
    let form = [
        ("community_id", cid),
        ("title", "Lezen na de pauze"),
        ("date", &date),
        ("time", &time),
        ("duration", "60"),
        ("place", "Lokaal B12"),
        ("online_url", ""),
        ("agenda", "Casus"),
    ];
    let r = app.call("schedule_meeting", &form, facilitator).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

async fn add_action(app: &TestApp, member: &Client, body: &str) -> String {
    let round = ended_round(app).await;
    let check_in = days_ahead(7);
    let add = [("round_id", round.as_str()), ("action", body), ("check_in", &check_in)];
    assert_eq!(app.call("add_round_action", &add, member).await.status, StatusCode::OK);
    round
}

/// An artifact by `client` in "Begrijpend lezen" whose review date has passed.
async fn artifact_due(app: &TestApp, cid: &str, client: &Client, title: &str) -> String {
    use app::db::entities::artifact;
    let form = [
        ("community_id", cid),
        ("title", title),
        ("kind", "lesson_plan"),
        ("body", "Eerst schrijven, dan delen."),
        ("tags", ""),
        ("seci_phase", ""),
        ("scope", "community"),
        ("review_date", ""),
    ];
    let r = app.call("create_artifact", &form, client).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id: String = serde_json::from_str(&r.body).unwrap();
    artifact::Entity::update_many()
        .col_expr(artifact::Column::ReviewDueAt, Expr::value(app::db::now() - time::Duration::days(1)))
        .filter(artifact::Column::Id.eq(uuid::Uuid::parse_str(&id).unwrap()))
        .exec(app.db())
        .await
        .unwrap();
    id
}

fn ids(list: &Value, pointer: &str) -> Vec<String> {
    list.as_array().unwrap().iter().filter_map(|item| item.pointer(pointer)?.as_str().map(String::from)).collect()
}

#[tokio::test]
async fn the_home_page_says_whats_next_and_only_what_is_ones_own() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading_id(&app).await;
        let (member, facilitator, colleague) =
            (app.login(MEMBER).await, app.login(TEACHER).await, app.login(COLLEAGUE).await);
        let anonymous = app.call("home_page", &[], &Client::default()).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{backend:?}: signed in only");

        // The next meeting, with its check-in while it is open.
        let meeting = schedule_soon(&app, &cid, &facilitator).await;
        let next = &home(&app, &member).await["next_meeting"];
        assert_eq!(next["meeting"]["id"], meeting.as_str(), "{backend:?}: {next}");
        assert_eq!(next["community_name"], READING);
        assert_eq!((next["check_in_open"].as_bool(), next["checked_in"].as_bool()), (Some(true), Some(false)));
        let page = app.get("/", &member).await.text();
        assert!(page.contains("Lezen na de pauze") && page.contains("(inchecken)"), "{backend:?}: {page}");
        assert_eq!(app.call("check_in", &[("meeting_id", &meeting)], &member).await.status, StatusCode::OK);
        assert_eq!(home(&app, &member).await["next_meeting"]["checked_in"], true, "{backend:?}");
        let outside = &home(&app, &colleague).await["next_meeting"];
        assert_ne!(outside["meeting"]["id"], meeting.as_str(), "{backend:?}: not a member, not their meeting");

        // One's own open actions, until reported.
        // (The demo's rounds may have left the member an open action already.)
        let open_before = home(&app, &member).await["actions"].clone();
        let body = "Ik laat de klas na de pauze eerst twee minuten schrijven.";
        add_action(&app, &member, body).await;
        let actions = home(&app, &member).await["actions"].clone();
        assert_eq!(actions.as_array().unwrap().len(), open_before.as_array().unwrap().len() + 1, "{backend:?}");
        let new = actions.as_array().unwrap().iter().find(|a| a[1]["body"] == body).expect("the new action is listed");
        assert_eq!(new[0], READING, "{backend:?}: {actions}");
        assert_eq!(new[1]["due"], false);
        for other in [&facilitator, &colleague] {
            let theirs = home(&app, other).await;
            assert!(!theirs["actions"].to_string().contains(body), "{backend:?}: another person's action");
        }
        let action_id = new[1]["id"].as_str().unwrap().to_string();
        let report = [("action_id", action_id.as_str()), ("outcome", "done"), ("report", "Het werkte.")];
        assert_eq!(app.call("report_action", &report, &member).await.status, StatusCode::OK);
        assert_eq!(home(&app, &member).await["actions"], open_before, "{backend:?}: reported");

        // Knowledge in one's care that wants attention.
        let due = artifact_due(&app, &cid, &member, "Schrijven na de pauze").await;
        let care = home(&app, &member).await["in_my_care"].clone();
        assert!(ids(&care, "/id").contains(&due), "{backend:?}: {care}");
        assert_eq!(care.as_array().unwrap().iter().find(|a| a["id"] == due.as_str()).unwrap()["standing"], "ReviewDue");
        assert!(!ids(&home(&app, &facilitator).await["in_my_care"], "/id").contains(&due), "{backend:?}");
        let confirm =
            app.call("settle_artifact", &[("artifact_id", due.as_str()), ("action", "confirm")], &member).await;
        assert_eq!(confirm.status, StatusCode::OK, "{backend:?}: {}", confirm.body);
        assert!(!ids(&home(&app, &member).await["in_my_care"], "/id").contains(&due), "{backend:?}: current again");

        // A request to join waits for the facilitator, counted, and is announced.
        assert_eq!(app.call("request_to_join", &[("community_id", &cid)], &colleague).await.status, StatusCode::OK);
        let facilitators = home(&app, &facilitator).await;
        let waiting = &facilitators["join_requests"];
        assert_eq!(waiting.as_array().unwrap().len(), 1, "{backend:?}: {waiting}");
        assert_eq!((waiting[0]["community_name"].as_str(), waiting[0]["count"].as_u64()), (Some(READING), Some(1)));
        assert!(!waiting.to_string().contains("Bakker"), "{backend:?}: counted, not named");
        assert_eq!(facilitators["notices"][0]["kind"], "join_requested", "{backend:?}");
        assert_eq!(
            home(&app, &member).await["join_requests"],
            serde_json::json!([]),
            "{backend:?}: members don't answer"
        );
        assert_eq!(
            home(&app, &facilitator).await["notices"][0]["unread"],
            true,
            "{backend:?}: the home page does not mark notifications read"
        );
        let requests = ids(&home(&app, &colleague).await["requests"], "/name");
        assert_eq!(requests, vec![READING.to_string()], "{backend:?}: one's own request, to withdraw");
    }
}

/// The home page (session, viewer and every card) costs the same number of queries
/// with one meeting and notice on it as with more meetings, an action, artifacts due,
/// an invitation and more notifications.
#[tokio::test]
async fn the_home_page_is_read_in_a_fixed_number_of_queries() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading_id(&app).await;
        let (member, facilitator) = (app.login(MEMBER).await, app.login(TEACHER).await);
        // One notice with someone to name first: names are looked up only for someone.
        schedule_soon(&app, &cid, &facilitator).await;
        let (first, before) = app.queries.record(app.get("/", &member)).await;
        assert_eq!(first.status, StatusCode::OK);

        schedule_soon(&app, &cid, &facilitator).await;
        add_action(&app, &member, "Ik begin met schrijven.").await;
        artifact_due(&app, &cid, &member, "Schrijven na de pauze").await;
        artifact_due(&app, &cid, &member, "Tweetallen").await;
        let colleague = app.login(COLLEAGUE).await;
        let unlisted = app.call("invite_member", &[("community_id", &cid), ("email", COLLEAGUE)], &facilitator).await;
        assert_eq!(unlisted.status, StatusCode::OK, "{}", unlisted.body);
        let (second, after) = app.queries.record(app.get("/", &member)).await;
        let text = second.text();
        assert!(text.contains("Ik begin met schrijven.") && text.contains("Tweetallen"), "{backend:?}");
        assert_eq!(before.len(), after.len(), "{backend:?}: more on the page, more queries: {after:#?}");
        assert!(before.len() <= 20, "{backend:?}: {} queries: {before:#?}", before.len());
        let (_, invited) = app.queries.record(app.get("/", &colleague)).await;
        // Fewer when there is no one to name (names are looked up only for someone).
        assert!(invited.len() <= before.len(), "{backend:?}: an invitation costs no query: {invited:#?}");
    }
}
