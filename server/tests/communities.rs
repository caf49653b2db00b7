//! Communities of practice over HTTP, on SQLite and PostgreSQL: who may see and do
//! what (anonymous, another organisation, non-member, member, facilitator, school
//! leader, admin), joining by request and by invitation, the member cap, bad input,
//! participation levels and their explanation, and the community page's query count
//! (the home page's is in home.rs).

use crate::common::*;
use http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;

/// Facilitator of "Begrijpend lezen in de onderbouw" in the demo data.
const FACILITATOR: &str = TEACHER;
const MEMBER: &str = "m.vermeulen@esdal.test";
/// Staff of the same board, not in "Begrijpend lezen".
const COLLEAGUE: &str = "j.bakker@esdal.test";
const READING: &str = "Begrijpend lezen in de onderbouw";
const UNLISTED: &str = "Mentoraat bovenbouw";

async fn community_id(app: &TestApp, name: &str) -> String {
    use app::db::entities::community;
    community::Entity::find()
        .filter(community::Column::Name.eq(name))
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

async fn user_id(app: &TestApp, email: &str) -> String {
    use app::db::entities::user;
    user::Entity::find().filter(user::Column::Email.eq(email)).one(app.db()).await.unwrap().unwrap().id.to_string()
}

async fn membership_rows(app: &TestApp) -> (u64, u64, u64) {
    use app::db::entities::{community, community_member, membership_change};
    (
        community::Entity::find().count(app.db()).await.unwrap(),
        community_member::Entity::find().count(app.db()).await.unwrap(),
        membership_change::Entity::find().count(app.db()).await.unwrap(),
    )
}

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

fn pairs<'a>(args: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    args.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Facilitator-only server functions with valid arguments for "Begrijpend lezen".
async fn facilitator_calls(app: &TestApp) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let id = community_id(app, READING).await;
    let member = user_id(app, MEMBER).await;
    let invited = user_id(app, "n.kok@esdal.test").await;
    vec![
        ("invite_member", vec![("community_id", id.clone()), ("email", "l.prins@esdal.test".into())]),
        (
            "answer_join_request",
            vec![("community_id", id.clone()), ("user_id", invited.clone()), ("answer", "accept".into())],
        ),
        (
            "set_community_role",
            vec![("community_id", id.clone()), ("user_id", member.clone()), ("role", "facilitator".into())],
        ),
        (
            "record_coordination",
            vec![("community_id", id.clone()), ("user_id", member.clone()), ("note", "Agenda".into())],
        ),
        ("remove_member", vec![("community_id", id.clone()), ("user_id", member)]),
        (
            "update_community",
            vec![
                ("community_id", id),
                ("name", "Overgenomen".into()),
                ("goal", "Iets anders".into()),
                ("agreements", "".into()),
                ("rhythm", "".into()),
                ("status", "active".into()),
                ("window_days", "90".into()),
            ],
        ),
    ]
}

/// Server functions any active member may call.
async fn member_calls(app: &TestApp) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let id = community_id(app, READING).await;
    vec![
        ("community_page", vec![("community_id", id.clone())]),
        ("my_level", vec![("community_id", id.clone())]),
        ("update_success_criteria", vec![("community_id", id.clone()), ("criteria", "Nieuw criterium".into())]),
        ("leave_community", vec![("community_id", id)]),
    ]
}

#[tokio::test]
async fn nobody_outside_a_community_sees_or_changes_anything_inside_it() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let id = community_id(&app, READING).await;
        let mut calls = facilitator_calls(&app).await;
        calls.extend(member_calls(&app).await);
        let before = membership_rows(&app).await;

        let anonymous = Client::default();
        for path in [format!("/c/{id}"), format!("/c/{id}/level"), format!("/c/{id}/edit"), "/communities".into()] {
            let page = app.get(&path, &anonymous).await;
            assert_eq!(page.status, StatusCode::FOUND, "{backend:?} anonymous GET {path}");
        }
        for (endpoint, args) in &calls {
            let r = app.call(endpoint, &pairs(args), &anonymous).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend:?} anonymous {endpoint}");
        }
        let create = [("name", "Anoniem"), ("goal", "Doel"), ("agreements", ""), ("rhythm", "")];
        let own_choice: [(&str, Vec<(&str, &str)>); 6] = [
            ("my_communities", vec![]),
            ("community_directory", vec![]),
            ("create_community", create.to_vec()),
            ("request_to_join", vec![("community_id", &id)]),
            ("withdraw_request", vec![("community_id", &id)]),
            ("answer_invitation", vec![("community_id", &id), ("answer", "accept")]),
        ];
        for (endpoint, args) in &own_choice {
            let r = app.call(endpoint, args, &anonymous).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend:?} anonymous {endpoint}");
        }
        let guest_args = [("community_id", id.as_str()), ("guest_email", "gast@pabo.test")];
        let revoke_args = [("community_id", id.as_str()), ("invitation_id", id.as_str())];
        for (endpoint, args) in [("invite_guest", &guest_args), ("revoke_guest_invitation", &revoke_args)] {
            let r = app.call(endpoint, args, &anonymous).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend:?} anonymous {endpoint}");
        }
        // Someone without a request or an invitation has nothing to withdraw or accept.
        let colleague = app.login(COLLEAGUE).await;
        for (endpoint, args) in &own_choice[4..] {
            let r = app.call(endpoint, args, &colleague).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?} colleague {endpoint}: {}", r.body);
        }

        for email in [COLLEAGUE, LEADER, ADMIN, OTHER_TEACHER, OTHER_ADMIN] {
            let client = app.login(email).await;
            for path in [format!("/c/{id}"), format!("/c/{id}/level"), format!("/c/{id}/edit")] {
                let page = app.get(&path, &client).await;
                assert_eq!(page.status, StatusCode::NOT_FOUND, "{backend:?} {email} GET {path}");
                assert!(!page.text().contains("Mila Vermeulen"), "{email}: no member names in the 404 page");
            }
            for (endpoint, args) in &calls {
                let r = app.call(endpoint, &pairs(args), &client).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?} {email} {endpoint}: {}", r.body);
            }
        }

        // An ordinary member may not use the facilitator's tools either.
        let member = app.login(MEMBER).await;
        assert_eq!(app.get(&format!("/c/{id}/edit"), &member).await.status, StatusCode::NOT_FOUND);
        for (endpoint, args) in facilitator_calls(&app).await {
            let r = app.call(endpoint, &pairs(&args), &member).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?} member {endpoint}: {}", r.body);
        }
        assert_eq!(membership_rows(&app).await, before, "{backend:?}: refused calls changed nothing");
        let page = json(&app.call("community_page", &[("community_id", &id)], &member).await.body);
        assert_eq!(page["name"], READING, "the name was not changed");
        assert!(page["pending"].as_array().unwrap().is_empty(), "members do not see pending people");
    }
}

#[tokio::test]
async fn members_see_the_page_and_facilitators_manage_it() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let id = community_id(&app, READING).await;
        let member = app.login(MEMBER).await;
        let page = app.get(&format!("/c/{id}"), &member).await;
        assert_eq!(page.status, StatusCode::OK, "{backend:?}");
        let text = page.text();
        for expected in [READING, "Anouk de Bruin", "Werkafspraken", "Kenniscyclus", "Waarom dit niveau?"] {
            assert!(text.contains(expected), "{backend:?}: the page shows {expected}");
        }
        assert!(!text.contains("Procesbegeleiding</h2>"), "members get no facilitation section");
        assert_eq!(app.get(&format!("/c/{id}/level"), &member).await.status, StatusCode::OK);

        let facilitator = app.login(FACILITATOR).await;
        assert_eq!(app.get(&format!("/c/{id}/edit"), &facilitator).await.status, StatusCode::OK);
        let page = json(&app.call("community_page", &[("community_id", &id)], &facilitator).await.body);
        let pending = page["pending"].as_array().unwrap();
        assert_eq!(pending.len(), 1, "the demo invitation of Naomi Kok is pending");
        assert_eq!(pending[0]["status"], "invited");
        for (endpoint, args) in facilitator_calls(&app).await {
            let r = app.call(endpoint, &pairs(&args), &facilitator).await;
            let expected = if endpoint == "answer_join_request" { StatusCode::CONFLICT } else { StatusCode::OK };
            assert_eq!(r.status, expected, "{backend:?} facilitator {endpoint}: {}", r.body);
        }
        let page = json(&app.call("community_page", &[("community_id", &id)], &facilitator).await.body);
        assert_eq!(page["name"], "Overgenomen");
        assert!(!page["members"].as_array().unwrap().iter().any(|m| m["name"] == "Mila Vermeulen"), "removed");
        assert_eq!(app.call("community_page", &[("community_id", &id)], &member).await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn the_directory_shows_listed_communities_of_the_own_board_only() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let colleague = app.login(COLLEAGUE).await;
        let body = app.call("community_directory", &[], &colleague).await.body;
        let list = json(&body);
        let names: Vec<&str> = list.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert!(names.contains(&READING), "{backend:?}: {names:?}");
        assert!(!names.contains(&UNLISTED), "unlisted communities stay out of the directory");
        assert!(!body.contains("Anouk"), "the directory shows no member names");
        let reading = list.as_array().unwrap().iter().find(|c| c["name"] == READING).unwrap();
        assert_eq!(reading["member_count"], 8);
        assert_eq!(app.get("/communities", &colleague).await.status, StatusCode::OK);

        let other = app.login(OTHER_TEACHER).await;
        assert_eq!(app.call("community_directory", &[], &other).await.body, "[]", "another board sees none");
        let unlisted = community_id(&app, UNLISTED).await;
        let r = app.call("request_to_join", &[("community_id", &unlisted)], &colleague).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "unlisted communities cannot be requested");
        let reading_id = community_id(&app, READING).await;
        let r = app.call("request_to_join", &[("community_id", &reading_id)], &other).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "another board cannot request");
    }
}

#[tokio::test]
async fn joining_by_request_and_by_invitation_is_recorded_and_levels_start_peripheral() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let id = community_id(&app, READING).await;
        let colleague_id = user_id(&app, COLLEAGUE).await;
        let colleague = app.login(COLLEAGUE).await;
        let facilitator = app.login(FACILITATOR).await;

        assert_eq!(app.call("request_to_join", &[("community_id", &id)], &colleague).await.status, StatusCode::OK);
        let again = app.call("request_to_join", &[("community_id", &id)], &colleague).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{backend:?}: a second request is refused");
        let mine = json(&app.call("my_communities", &[], &colleague).await.body);
        assert_eq!(mine["requests"][0]["name"], READING);
        assert_eq!(
            app.call("community_page", &[("community_id", &id)], &colleague).await.status,
            StatusCode::NOT_FOUND
        );

        let answer = [("community_id", id.as_str()), ("user_id", colleague_id.as_str()), ("answer", "accept")];
        assert_eq!(app.call("answer_join_request", &answer, &facilitator).await.status, StatusCode::OK);
        let twice = app.call("answer_join_request", &answer, &facilitator).await;
        assert_eq!(twice.status, StatusCode::CONFLICT, "{backend:?}: an answered request cannot be answered again");
        assert!(twice.body.contains("MembershipChanged"));

        let page = json(&app.call("community_page", &[("community_id", &id)], &colleague).await.body);
        assert_eq!(page["me"]["level"], "peripheral");
        assert_eq!(page["me"]["role"], "member");
        assert!(page["me"]["newcomer_path"].as_array().unwrap().iter().all(|s| s[1] == false));

        // An invitation: the invitee sees it on their home page and accepts.
        let invite = [("community_id", id.as_str()), ("email", "L.Prins@esdal.test")];
        assert_eq!(app.call("invite_member", &invite, &facilitator).await.status, StatusCode::OK);
        let dup = app.call("invite_member", &invite, &facilitator).await;
        assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(dup.body.contains("AlreadyMember"));
        let outsider =
            app.call("invite_member", &[("community_id", &id), ("email", OTHER_TEACHER)], &facilitator).await;
        assert!(outsider.body.contains("NotAColleague"), "{backend:?}: staff of another board are not colleagues");
        let invitee = app.login("l.prins@esdal.test").await;
        let mine = json(&app.call("my_communities", &[], &invitee).await.body);
        assert_eq!(mine["invitations"][0]["name"], READING);
        let accept = [("community_id", id.as_str()), ("answer", "accept")];
        assert_eq!(app.call("answer_invitation", &accept, &invitee).await.status, StatusCode::OK);
        assert_eq!(app.call("community_page", &[("community_id", &id)], &invitee).await.status, StatusCode::OK);

        // Leaving takes effect at once; the change log keeps every step.
        assert_eq!(app.call("leave_community", &[("community_id", &id)], &colleague).await.status, StatusCode::OK);
        assert_eq!(
            app.call("community_page", &[("community_id", &id)], &colleague).await.status,
            StatusCode::NOT_FOUND
        );
        use app::db::entities::membership_change;
        let changes: Vec<String> = membership_change::Entity::find()
            .filter(membership_change::Column::UserId.eq(uuid::Uuid::parse_str(&colleague_id).unwrap()))
            .filter(membership_change::Column::CommunityId.eq(uuid::Uuid::parse_str(&id).unwrap()))
            .all(app.db())
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.change)
            .collect();
        assert_eq!(changes, ["requested", "request_accepted", "left"], "{backend:?}");
    }
}

#[tokio::test]
async fn the_last_facilitator_hands_over_before_leaving() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let id = community_id(&app, READING).await;
        let facilitator = app.login(FACILITATOR).await;
        let r = app.call("leave_community", &[("community_id", &id)], &facilitator).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend:?}");
        assert!(r.body.contains("LastFacilitator"));
        let me = user_id(&app, FACILITATOR).await;
        let r = app
            .call("set_community_role", &[("community_id", &id), ("user_id", &me), ("role", "member")], &facilitator)
            .await;
        assert!(r.body.contains("LastFacilitator"), "{backend:?}: {}", r.body);
        let member = user_id(&app, MEMBER).await;
        let r = app
            .call(
                "set_community_role",
                &[("community_id", &id), ("user_id", &member), ("role", "facilitator")],
                &facilitator,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(app.call("leave_community", &[("community_id", &id)], &facilitator).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn bad_input_gets_a_clear_message_and_changes_nothing() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let teacher = app.login(COLLEAGUE).await;
        let before = membership_rows(&app).await;
        let long = "x".repeat(121);
        for (name, goal, field, key) in [
            ("", "Een doel", "name", "Required"),
            ("ab", "Een doel", "name", "TooShort"),
            (long.as_str(), "Een doel", "name", "TooLong"),
            ("Goede naam", "   ", "goal", "Required"),
        ] {
            let r = app
                .call(
                    "create_community",
                    &[("name", name), ("goal", goal), ("agreements", ""), ("rhythm", ""), ("listed", "on")],
                    &teacher,
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?} {field}");
            let errors = json(&r.body);
            assert_eq!(errors["Invalid"][0]["field"], field, "{}", r.body);
            assert_eq!(errors["Invalid"][0]["message"], key);
        }
        let id = community_id(&app, READING).await;
        let facilitator = app.login(FACILITATOR).await;
        let r = app.call("update_success_criteria", &[("community_id", &id), ("criteria", " ")], &facilitator).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app
            .call(
                "record_coordination",
                &[("community_id", &id), ("user_id", "not-a-uuid"), ("note", "x")],
                &facilitator,
            )
            .await;
        assert_eq!(r.body, r#"{"Invalid":[]}"#, "{backend:?}: arguments that do not parse are invalid input");
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}");
        assert_eq!(membership_rows(&app).await, before, "{backend:?}: nothing was created");

        let created = app
            .call(
                "create_community",
                &[
                    ("name", "Rekenen in de bovenbouw"),
                    ("goal", "Samen beter rekenen"),
                    ("agreements", ""),
                    ("rhythm", ""),
                ],
                &teacher,
            )
            .await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.body);
        let new_id = created.body.trim_matches('"').to_string();
        let page = json(&app.call("community_page", &[("community_id", &new_id)], &teacher).await.body);
        assert_eq!(page["me"]["role"], "facilitator");
        assert_eq!(page["listed"], false, "an unticked box means unlisted");
        assert!(page["agreements"].as_str().unwrap().contains("Wat hier gezegd wordt"), "default agreements in Dutch");
        assert_eq!(page["size_advice"], "Small");
    }
}

#[tokio::test]
async fn the_member_cap_is_enforced_on_the_server() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        use app::db::entities::{community, community_policy};
        use sea_orm::{ActiveModelTrait, Set};
        let board = community::Entity::find().one(app.db()).await.unwrap().unwrap().organisation_id;
        community_policy::ActiveModel { organisation_id: Set(board), member_cap: Set(9), staff_may_start: Set(true) }
            .insert(app.db())
            .await
            .unwrap();
        let id = community_id(&app, READING).await;
        let facilitator = app.login(FACILITATOR).await;
        // 8 active members and 1 open invitation fill the 9 places.
        let before = membership_rows(&app).await;
        let r =
            app.call("invite_member", &[("community_id", &id), ("email", "l.prins@esdal.test")], &facilitator).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend:?}: {}", r.body);
        assert!(r.body.contains("CommunityFull"));
        assert_eq!(membership_rows(&app).await, before);

        // A request can still be made, but not accepted while the circle is full.
        let colleague = app.login(COLLEAGUE).await;
        assert_eq!(app.call("request_to_join", &[("community_id", &id)], &colleague).await.status, StatusCode::OK);
        let invitee = app.login("n.kok@esdal.test").await;
        let accepted = app.call("answer_invitation", &[("community_id", &id), ("answer", "accept")], &invitee).await;
        assert_eq!(accepted.status, StatusCode::OK, "the invited person fills the ninth place");
        let colleague_id = user_id(&app, COLLEAGUE).await;
        let r = app
            .call(
                "answer_join_request",
                &[("community_id", &id), ("user_id", &colleague_id), ("answer", "accept")],
                &facilitator,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend:?}: a tenth member is over the cap");
        assert_eq!(
            app.call("community_page", &[("community_id", &id)], &colleague).await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn levels_move_with_events_and_are_explained_to_the_member() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let id = community_id(&app, READING).await;
        let colleague_id = user_id(&app, COLLEAGUE).await;
        let colleague = app.login(COLLEAGUE).await;
        let facilitator = app.login(FACILITATOR).await;
        app.call("request_to_join", &[("community_id", &id)], &colleague).await;
        app.call(
            "answer_join_request",
            &[("community_id", &id), ("user_id", &colleague_id), ("answer", "accept")],
            &facilitator,
        )
        .await;
        let level = json(&app.call("my_level", &[("community_id", &id)], &colleague).await.body);
        assert_eq!(level["level"], "peripheral", "{backend:?}");
        assert_eq!(level["next"]["level"], "occasional");

        let r = app
            .call(
                "record_coordination",
                &[("community_id", &id), ("user_id", &colleague_id), ("note", "Plant de bijeenkomsten")],
                &facilitator,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let level = json(&app.call("my_level", &[("community_id", &id)], &colleague).await.body);
        assert_eq!(level["level"], "occasional", "{backend:?}: coordination counts");
        assert_eq!(level["points"], 6);
        let events = level["events"].as_array().unwrap();
        assert!(
            events
                .iter()
                .any(|e| e["kind"] == "coordination" && e["counted"] == true && e["note"] == "Plant de bijeenkomsten")
        );
        let trajectory: Vec<(&str, &str)> = level["trajectory"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["level"].as_str().unwrap(), p["reason"].as_str().unwrap()))
            .collect();
        assert_eq!(trajectory, [("peripheral", "computed"), ("occasional", "facilitator")]);

        // Other members see the current level, never the points.
        let member = app.login(MEMBER).await;
        let page = json(&app.call("community_page", &[("community_id", &id)], &member).await.body);
        let row = page["members"].as_array().unwrap().iter().find(|m| m["name"] == "Jeroen Bakker").unwrap().clone();
        assert_eq!(row["level"], "occasional");
        assert!(row.get("points").is_none());
        let page = app.get(&format!("/c/{id}/level"), &colleague).await;
        assert!(page.text().contains("Plant de bijeenkomsten"), "the why-page lists the event");
    }
}

#[tokio::test]
async fn demo_communities_have_months_of_history_and_a_spread_of_levels() {
    let app = TestApp::new(Backend::Sqlite).await;
    let member = app.login(MEMBER).await;
    let id = community_id(&app, READING).await;
    let page = json(&app.call("community_page", &[("community_id", &id)], &member).await.body);
    let levels: Vec<&str> = page["members"].as_array().unwrap().iter().map(|m| m["level"].as_str().unwrap()).collect();
    assert!(levels.contains(&"core"), "{levels:?}");
    assert!(levels.contains(&"peripheral"), "the newcomer is peripheral: {levels:?}");
    assert!(levels.iter().any(|l| *l == "active" || *l == "occasional"), "{levels:?}");
    assert!(page["seci"].as_array().unwrap().iter().filter(|p| p[1].as_u64().unwrap() > 0).count() >= 3);
    use app::db::entities::participation_event;
    use sea_orm::QueryOrder;
    let oldest = participation_event::Entity::find()
        .order_by_asc(participation_event::Column::OccurredAt)
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert!(app::db::now() - oldest.occurred_at > time::Duration::days(120), "several months of history");
}

/// The community page costs the same number of queries for four members as for eight.
#[tokio::test]
async fn the_community_page_has_no_query_per_member() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let mut db = app::db::connect(&app.database_url).await.unwrap();
        let count = Arc::new(AtomicUsize::new(0));
        let counter = count.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let mut queries = Vec::new();
        for (community, email) in
            [(READING, MEMBER), ("Formatief handelen in de praktijkvakken", "k.wolters@esdal.test")]
        {
            let id = uuid::Uuid::parse_str(&community_id(&app, community).await).unwrap();
            let user = uuid::Uuid::parse_str(&user_id(&app, email).await).unwrap();
            let viewer = app::account::service::load_viewer(&db, user).await.unwrap().unwrap();
            count.store(0, Ordering::SeqCst);
            let page =
                app::pages::community::service::community_page(&db, &app.state.settings, &viewer, id).await.unwrap();
            queries.push((page.community.members.len(), count.load(Ordering::SeqCst)));
        }
        assert_eq!(queries[0].0, 8);
        assert_eq!(queries[1].0, 4);
        assert_eq!(queries[0].1, queries[1].1, "{backend:?}: queries per page {queries:?}");
        // Ten for the page, two for the health card (meetings and kinds of activity this
        // term), one for the names of former members who took part in the demo's rounds.
        assert!(queries[0].1 <= 13, "{backend:?}: {queries:?}");
    }
}

/// The whole community page (session, viewer, header and every card) is read in a
/// fixed, small number of queries: more cases and members cost no more queries.
#[tokio::test]
async fn the_whole_community_page_is_read_in_few_queries() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let facilitator = app.login(FACILITATOR).await;
        let member = app.login(MEMBER).await;
        let id = community_id(&app, READING).await;
        let page = format!("/c/{id}");
        let submit = |title: &'static str| {
            [
                ("community_id", id.clone()),
                ("title", title.to_string()),
                ("situation", "Na de pauze zegt niemand nog iets.".to_string()),
                ("question", "Hoe krijg ik ze weer aan het praten?".to_string()),
            ]
        };
        let case = submit("Stille klas");
        let pairs: Vec<(&str, &str)> = case.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(app.call("submit_case", &pairs, &member).await.status, StatusCode::OK);
        let (first, before) = app.queries.record(app.get(&page, &facilitator)).await;
        assert_eq!(first.status, StatusCode::OK);
        assert!(first.text().contains("Stille klas"), "{backend:?}: the case is on the page");

        for (title, client) in [("Drukke groep", &facilitator), ("Lege klas", &member)] {
            let case = submit(title);
            let pairs: Vec<(&str, &str)> = case.iter().map(|(k, v)| (*k, v.as_str())).collect();
            assert_eq!(app.call("submit_case", &pairs, client).await.status, StatusCode::OK);
        }
        let (second, after) = app.queries.record(app.get(&page, &facilitator)).await;
        assert!(second.text().contains("Lege klas"));
        assert_eq!(before.len(), after.len(), "{backend:?}: more cases, more queries: {after:#?}");
        assert!(before.len() <= 17, "{backend:?}: {} queries: {before:#?}", before.len());
    }
}

/// The hourly refresh records what time changed and agrees with the levels pages show.
#[tokio::test]
async fn the_level_refresh_matches_the_page_and_is_idempotent() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        app::participation::service::refresh_all_levels(app.db()).await.unwrap();
        assert_eq!(app::participation::service::refresh_all_levels(app.db()).await.unwrap(), 0, "{backend:?}");
        let id = community_id(&app, READING).await;
        let member = app.login(MEMBER).await;
        let page = json(&app.call("community_page", &[("community_id", &id)], &member).await.body);
        use app::db::entities::level_change;
        use sea_orm::QueryOrder;
        for row in page["members"].as_array().unwrap() {
            let user = uuid::Uuid::parse_str(row["user_id"].as_str().unwrap()).unwrap();
            let last = level_change::Entity::find()
                .filter(level_change::Column::CommunityId.eq(uuid::Uuid::parse_str(&id).unwrap()))
                .filter(level_change::Column::UserId.eq(user))
                .order_by_desc(level_change::Column::ChangedAt)
                .order_by_desc(level_change::Column::Id)
                .one(app.db())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(last.level, row["level"].as_str().unwrap(), "{backend:?} {}", row["name"]);
        }
    }
}

/// Only a board's admin sets its community policy; the server enforces it at once.
#[tokio::test]
async fn an_admin_sets_the_cap_and_who_may_start() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let args = [("member_cap", "8")];
        for email in [TEACHER, LEADER, OTHER_TEACHER] {
            let client = app.login(email).await;
            let r = app.call("community_policy", &args, &client).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?} {email}");
        }
        assert_eq!(app.call("community_policy", &args, &Client::default()).await.status, StatusCode::UNAUTHORIZED);

        let admin = app.login(ADMIN).await;
        let r = app.call("community_policy", &[("member_cap", "40"), ("staff_may_start", "on")], &admin).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}");
        let overview = json(&app.call("staff_overview", &[], &admin).await.body);
        assert_eq!((overview["member_cap"].as_i64(), overview["staff_may_start"].as_bool()), (Some(12), Some(true)));

        // Staff may no longer start communities; the cap drops to 8.
        assert_eq!(app.call("community_policy", &args, &admin).await.status, StatusCode::OK, "{backend:?}");
        let overview = json(&app.call("staff_overview", &[], &admin).await.body);
        assert_eq!((overview["member_cap"].as_i64(), overview["staff_may_start"].as_bool()), (Some(8), Some(false)));
        let colleague = app.login(COLLEAGUE).await;
        let create = [("name", "Nieuwe kring"), ("goal", "Samen leren"), ("agreements", ""), ("rhythm", "")];
        let r = app.call("create_community", &create, &colleague).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend:?}");
        assert!(r.body.contains("StartingRestricted"), "{}", r.body);
        assert_eq!(app.call("create_community", &create, &admin).await.status, StatusCode::OK, "{backend:?}");
        // "Begrijpend lezen" has 8 members and an invitation: full under the new cap.
        let facilitator = app.login(FACILITATOR).await;
        let id = community_id(&app, READING).await;
        let invite = [("community_id", id.as_str()), ("email", "l.prins@esdal.test")];
        let r = app.call("invite_member", &invite, &facilitator).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend:?}");
        assert!(r.body.contains("CommunityFull"), "{}", r.body);
    }
}

/// A guest from outside the organisation joins one community by an emailed link and
/// sees nothing else of the organisation.
#[tokio::test]
async fn a_guest_sees_one_community_and_nothing_else() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let id = community_id(&app, READING).await;
        let facilitator = app.login(FACILITATOR).await;
        let invite = |email: &'static str| [("community_id", id.clone()), ("guest_email", email.to_string())];

        // A colleague is invited as a colleague, not as a guest; bad input changes nothing.
        let before = membership_rows(&app).await;
        let r = app.call("invite_guest", &pairs(&invite(MEMBER)), &facilitator).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}");
        assert!(r.body.contains("ColleagueNotGuest"), "{}", r.body);
        let r = app.call("invite_guest", &pairs(&invite("geen-adres")), &facilitator).await;
        assert!(r.body.contains("InvalidEmail"), "{}", r.body);
        // Only facilitators invite guests.
        let member = app.login(MEMBER).await;
        let r = app.call("invite_guest", &pairs(&invite("gast@pabo.test")), &member).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?}");
        assert_eq!(membership_rows(&app).await, before, "{backend:?}");

        assert_eq!(
            app.call("invite_guest", &pairs(&invite("gast@pabo.test")), &facilitator).await.status,
            StatusCode::OK
        );
        let r = app.call("invite_guest", &pairs(&invite("gast@pabo.test")), &facilitator).await;
        assert!(r.body.contains("AlreadyMember"), "{backend:?}: invited once: {}", r.body);
        let page = json(&app.call("community_page", &[("community_id", &id)], &facilitator).await.body);
        assert_eq!(page["guest_invitations"][0]["email"], "gast@pabo.test", "{backend:?}");
        let member_view = json(&app.call("community_page", &[("community_id", &id)], &member).await.body);
        assert!(member_view["guest_invitations"].as_array().unwrap().is_empty(), "{backend:?}");

        let mail = app.last_mail_to("gast@pabo.test").expect("an invitation email");
        let link = mail.split_whitespace().find(|w| w.contains("/invite/")).unwrap().to_string();
        let token = link.rsplit('/').next().unwrap().to_string();
        let details = json(&app.call("invitation_details", &[("token", &token)], &Client::default()).await.body);
        assert_eq!(details["guest_of"], READING, "{backend:?}");
        let guest = Client::default();
        let form = [
            ("token", token.as_str()),
            ("name", "Gerrit Gast"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ];
        let r = app.call("accept_invitation", &form, &guest).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        let me = json(&app.call("current_user", &[], &guest).await.body);
        assert_eq!(me["staff"], false, "{backend:?}");

        // Inside: the community, as a guest, starting at the edge; the link is used up.
        let page = app.call("community_page", &[("community_id", &id)], &guest).await;
        assert_eq!(page.status, StatusCode::OK, "{backend:?}");
        let page = json(&page.body);
        assert_eq!((page["me"]["role"].as_str(), page["me"]["level"].as_str()), (Some("guest"), Some("peripheral")));
        assert!(page["intervision"].is_null(), "{backend:?}: guests do not take part in intervision");
        let r = app.call("accept_invitation", &form, &Client::default()).await;
        assert_eq!(r.status, StatusCode::GONE, "{backend:?}");
        // The community's meetings are the guest's too; planning them is not.
        let meeting = page["meetings"][0]["id"].as_str().expect("demo meetings").to_string();
        let r = app.call("meeting_page", &[("meeting_id", &meeting)], &guest).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}");
        assert_eq!(app.call("meeting_planning", &[("community_id", &id)], &guest).await.status, StatusCode::NOT_FOUND);
        let elsewhere = {
            use app::db::entities::meeting;
            let other = uuid::Uuid::parse_str(&community_id(&app, "Lesson study rekenvaardigheid").await).unwrap();
            let m = meeting::Entity::find().filter(meeting::Column::CommunityId.eq(other)).one(app.db()).await.unwrap();
            m.unwrap().id.to_string()
        };
        let r = app.call("meeting_page", &[("meeting_id", &elsewhere)], &guest).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?}");

        // Outside: nothing of the organisation.
        let mine = json(&app.call("my_communities", &[], &guest).await.body);
        assert_eq!(mine["communities"].as_array().unwrap().len(), 1);
        assert_eq!((mine["has_directory"].as_bool(), mine["may_start"].as_bool()), (Some(false), Some(false)));
        let other = community_id(&app, "Lesson study rekenvaardigheid").await;
        let create = [("name", "Gastkring"), ("goal", "Iets"), ("agreements", ""), ("rhythm", "")];
        let outside: [(&str, Vec<(&str, &str)>); 5] = [
            ("community_directory", vec![]),
            ("community_page", vec![("community_id", &other)]),
            ("request_to_join", vec![("community_id", &other)]),
            ("create_community", create.to_vec()),
            ("staff_overview", vec![]),
        ];
        for (endpoint, args) in &outside {
            let r = app.call(endpoint, args, &guest).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?} guest {endpoint}: {}", r.body);
        }
        for path in ["/communities", "/admin/staff", &format!("/c/{other}")] {
            assert_eq!(app.get(path, &guest).await.status, StatusCode::NOT_FOUND, "{backend:?} guest GET {path}");
        }
        // Guests stay guests.
        let guest_id = me["id"].as_str().unwrap().to_string();
        let role = [("community_id", id.as_str()), ("user_id", guest_id.as_str()), ("role", "facilitator")];
        assert_eq!(app.call("set_community_role", &role, &facilitator).await.status, StatusCode::CONFLICT);

        // A withdrawn invitation's link stops working.
        assert_eq!(
            app.call("invite_guest", &pairs(&invite("tweede@bedrijf.test")), &facilitator).await.status,
            StatusCode::OK
        );
        let page = json(&app.call("community_page", &[("community_id", &id)], &facilitator).await.body);
        let invitation = page["guest_invitations"][0]["id"].as_str().unwrap().to_string();
        let revoke = [("community_id", id.as_str()), ("invitation_id", invitation.as_str())];
        assert_eq!(app.call("revoke_guest_invitation", &revoke, &member).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.call("revoke_guest_invitation", &revoke, &facilitator).await.status, StatusCode::OK);
        let mail = app.last_mail_to("tweede@bedrijf.test").unwrap();
        let token =
            mail.split_whitespace().find(|w| w.contains("/invite/")).unwrap().rsplit('/').next().unwrap().to_string();
        let r = app.call("invitation_details", &[("token", &token)], &Client::default()).await;
        assert_eq!(r.status, StatusCode::GONE, "{backend:?}");
    }
}
