//! What is shared in intervision stays where it was shared, proven on the JSON every
//! server function returns (not just the page), on SQLite and PostgreSQL: before a
//! round members see a case's title, question and votes, never its situation; a
//! withdrawn case only its bringer; a discussed case only its round's participants.

use crate::common::*;
use crate::intervision::*;
use http::StatusCode;

const SITUATION: &str = "Na de pauze zegt niemand in 2B nog iets";

/// Every server function that returns a community's cases, as one member calls it.
async fn case_json(app: &TestApp, cid: &str, client: &Client) -> Vec<String> {
    let mut bodies = Vec::new();
    for endpoint in ["community_cases", "community_intervision", "community_page"] {
        let response = app.call(endpoint, &[("community_id", cid)], client).await;
        assert_eq!(response.status, StatusCode::OK, "{endpoint}: {}", response.body);
        bodies.push(response.body);
    }
    bodies.push(app.get(&format!("/c/{cid}"), client).await.body);
    bodies
}

#[tokio::test]
async fn members_see_what_they_need_to_choose_a_case_and_no_more() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading_id(&app).await;
        let (member, timekeeper, late) = (app.login(MEMBER).await, app.login(TIMEKEEPER).await, app.login(LATE).await);
        let open = app.call("submit_case", &case(&cid, "Open casus"), &member).await;
        assert_eq!(open.status, StatusCode::OK, "{backend:?} {}", open.body);
        let withdrawn = json(&app.call("submit_case", &case(&cid, "Teruggetrokken casus"), &timekeeper).await.body);
        let args = [("case_id", withdrawn.as_str().unwrap()), ("open", "false")];
        assert_eq!(app.call("set_case_open", &args, &timekeeper).await.status, StatusCode::OK);
        // MEMBER's second case is planned: from then on it is discussed in that round.
        let round = planned_round(&app, "five_step").await;

        for body in case_json(&app, &cid, &late).await {
            assert!(body.contains("Open casus"), "{backend:?} an open case is listed for choosing");
            assert!(body.contains("Hoe krijg ik de klas"), "{backend:?} with the question for the group");
            assert!(!body.contains(SITUATION), "{backend:?} the situation stays in the round: {body}");
            assert!(!body.contains("Teruggetrokken"), "{backend:?} someone else's withdrawn case: {body}");
            assert!(!body.contains("Stille klas na de pauze"), "{backend:?} a round LATE is not in: {body}");
        }
        let rounds = app.call("community_rounds", &[("community_id", &cid)], &late).await;
        assert_eq!(rounds.status, StatusCode::OK, "{backend:?}");
        assert!(
            !rounds.body.contains("Stille klas") && !rounds.body.contains(SITUATION),
            "{backend:?} {}",
            rounds.body
        );
        let bringer_view = case_json(&app, &cid, &timekeeper).await;
        assert!(bringer_view[0].contains("Teruggetrokken casus"), "{backend:?} the bringer sees their withdrawn case");
        let mine = json(&app.call("community_cases", &[("community_id", &cid)], &member).await.body);
        let own = mine["cases"].as_array().unwrap().iter().find(|c| c["title"] == "Open casus").unwrap();
        assert!(own["situation"].as_str().unwrap().starts_with(SITUATION), "{backend:?} the bringer reads their own");

        // Those in the round see the discussed case there, with its situation.
        let in_round = json(&app.call("round", &[("round_id", &round)], &timekeeper).await.body);
        assert!(in_round["case"]["situation"].as_str().unwrap().starts_with(SITUATION), "{backend:?}");
        let rounds = json(&app.call("community_rounds", &[("community_id", &cid)], &timekeeper).await.body);
        assert_eq!(rounds[0]["case_title"], "Stille klas na de pauze", "{backend:?}");
    }
}

/// Starts the round and ends it at once, as its lead.
pub(crate) async fn ended_round(app: &TestApp) -> String {
    let round = planned_round(app, "five_step").await;
    let lead = app.login(LEAD).await;
    assert_eq!(step(app, &lead, &round, 0, "start").await.status, StatusCode::OK);
    assert_eq!(step(app, &lead, &round, 1, "end").await.status, StatusCode::OK);
    round
}

#[tokio::test]
async fn only_the_case_bringer_widens_a_case_summary_and_only_by_consenting_again() {
    use app::db::entities::artifact;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let round = ended_round(&app).await;
        let (member, facilitator) = (app.login(MEMBER).await, app.login(TEACHER).await);
        let published = app
            .call(
                "publish_round_summary",
                &[
                    ("round_id", &round),
                    ("summary_title", "Stille klassen"),
                    ("summary", "Wat hielp: eerst laten schrijven, dan delen in tweetallen."),
                    ("consent", "on"),
                ],
                &member,
            )
            .await;
        assert_eq!(published.status, StatusCode::OK, "{backend:?} {}", published.body);
        let id = json(&published.body).as_str().unwrap().to_string();
        let edit = |scope: &'static str, consent: bool| {
            let mut args = vec![
                ("artifact_id", id.clone()),
                ("base_version", "1".to_string()),
                ("title", "Stille klassen".to_string()),
                ("kind", "case_summary".to_string()),
                ("body", "Wat hielp: eerst laten schrijven, dan delen in tweetallen.".to_string()),
                ("scope", scope.to_string()),
            ];
            if consent {
                args.push(("consent", "on".to_string()));
            }
            args
        };
        let call = |args: Vec<(&'static str, String)>, client: &Client| {
            let client = client.clone_cookies();
            let app = &app;
            async move {
                let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.call("edit_artifact", &args, &client).await
            }
        };
        let by_facilitator = call(edit("organisation", true), &facilitator).await;
        assert_eq!(field_errors(&by_facilitator), vec!["scope"], "{backend:?} a facilitator cannot widen it");
        let without_consent = call(edit("organisation", false), &member).await;
        assert_eq!(field_errors(&without_consent), vec!["consent"], "{backend:?}");
        let stored = || artifact::Entity::find().filter(artifact::Column::Source.eq("intervision")).one(app.db());
        assert_eq!(stored().await.unwrap().unwrap().scope, "community", "{backend:?} nothing changed");
        let page = json(&app.call("artifact_page", &[("artifact_id", &id)], &facilitator).await.body);
        assert_eq!(page["may_publish"], false, "{backend:?} the facilitator is not offered the choice");
        let consented = call(edit("organisation", true), &member).await;
        assert_eq!(consented.status, StatusCode::OK, "{backend:?} {}", consented.body);
        assert_eq!(stored().await.unwrap().unwrap().scope, "organisation", "{backend:?}");
    }
}

#[tokio::test]
async fn screens_never_hear_of_one_evaluation_only_of_the_closed_group() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let round = ended_round(&app).await;
        let (member, lead, timekeeper, facilitator) =
            (app.login(MEMBER).await, app.login(LEAD).await, app.login(TIMEKEEPER).await, app.login(TEACHER).await);
        let mut screen = app.events(&format!("/r/{round}/events"), &timekeeper).await.ok().unwrap();
        next_view(&mut screen).await;
        let evaluate = |safe: &'static str| [("round_id", round.as_str()), ("safe", safe), ("useful", "4")];
        for (client, safe) in [(&member, "5"), (&lead, "2"), (&timekeeper, "4")] {
            assert_eq!(app.call("evaluate_round", &evaluate(safe), client).await.status, StatusCode::OK);
        }
        assert!(
            screen.next_named("round", std::time::Duration::from_millis(800)).await.is_none(),
            "{backend:?} an answer is not pushed: its effect on the averages would give it away"
        );
        let open = json(&app.call("round", &[("round_id", &round)], &lead).await.body);
        assert_eq!(open["closing"]["evaluation"]["safe_halves"], serde_json::Value::Null, "{backend:?}");
        // The last of the four taking part answers: the evaluation closes, once.
        assert_eq!(app.call("evaluate_round", &evaluate("3"), &facilitator).await.status, StatusCode::OK);
        let closed = next_view(&mut screen).await;
        assert_eq!(closed["closing"]["evaluation"]["closed"], true, "{backend:?}");
        assert_eq!(closed["closing"]["evaluation"]["safe_halves"], 7, "{backend:?} 3.5 in halves");
        let late = app.call("evaluate_round", &evaluate("1"), &member).await;
        assert_eq!(late.status, StatusCode::CONFLICT, "{backend:?} answers are final once shown");
    }
}

#[tokio::test]
async fn expired_text_is_gone_from_pages_before_housekeeping_empties_it() {
    use app::db::entities::{intervision_case, intervision_round};
    use sea_orm::EntityTrait;
    use sea_orm::sea_query::Expr;
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading_id(&app).await;
        let member = app.login(MEMBER).await;
        app.call("submit_case", &case(&cid, "Nog open casus"), &member).await;
        let round = ended_round(&app).await;
        let check_in = days_ahead(7);
        let add = [("round_id", round.as_str()), ("action", "Ik begin met schrijven."), ("check_in", &check_in)];
        assert_eq!(app.call("add_round_action", &add, &member).await.status, StatusCode::OK);
        let past = app::db::now() - time::Duration::minutes(1);
        intervision_case::Entity::update_many()
            .col_expr(intervision_case::Column::ExpiresAt, Expr::value(past))
            .exec(app.db())
            .await
            .unwrap();
        intervision_round::Entity::update_many()
            .col_expr(intervision_round::Column::ExpiresAt, Expr::value(past))
            .exec(app.db())
            .await
            .unwrap();
        let listed = json(&app.call("community_cases", &[("community_id", &cid)], &member).await.body);
        assert_eq!(listed["cases"].as_array().unwrap().len(), 0, "{backend:?} expired cases are not listed");
        let view = json(&app.call("round", &[("round_id", &round)], &member).await.body);
        assert_eq!(view["case"], serde_json::Value::Null, "{backend:?}");
        assert_eq!(view["closing"]["actions"].as_array().unwrap().len(), 0, "{backend:?}");
        let follow_ups = json(&app.call("community_follow_ups", &[("community_id", &cid)], &member).await.body);
        assert_eq!(follow_ups.as_array().unwrap().len(), 0, "{backend:?}");
        for body in case_json(&app, &cid, &member).await {
            assert!(!body.contains(SITUATION) && !body.contains("Ik begin met schrijven"), "{backend:?}");
        }
        for endpoint in ["community_rounds", "community_follow_ups"] {
            let body = app.call(endpoint, &[("community_id", &cid)], &member).await.body;
            assert!(!body.contains("Stille klas") && !body.contains("Ik begin met schrijven"), "{backend:?} {body}");
        }
    }
}

/// With `secure_delete` on and the write-ahead log emptied after a purge, the words of
/// an expired case are in neither file of the SQLite database.
#[tokio::test]
async fn purged_case_text_leaves_no_trace_in_the_sqlite_files() {
    use sea_orm::{ConnectionTrait, EntityTrait, Statement};
    let app = TestApp::new(Backend::Sqlite).await;
    without_demo_rounds(&app).await;
    let cid = reading_id(&app).await;
    let member = app.login(MEMBER).await;
    let marker = "Zwanenveer-vertrouwelijk-8271";
    let args = [("community_id", cid.as_str()), ("title", "Casus"), ("situation", marker), ("question", "Wat nu?")];
    assert_eq!(app.call("submit_case", &args, &member).await.status, StatusCode::OK);
    let secure = app
        .db()
        .query_one_raw(Statement::from_string(app.db().get_database_backend(), "PRAGMA secure_delete"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(secure.try_get_by_index::<i32>(0).unwrap(), 1, "secure_delete is on");
    let files = || {
        ["kring.db", "kring.db-wal"]
            .iter()
            .filter_map(|f| std::fs::read(app.dir.join(f)).ok())
            .any(|bytes| bytes.windows(marker.len()).any(|w| w == marker.as_bytes()))
    };
    assert!(files(), "the case is written to the database");
    let stored = app::db::entities::intervision_case::Entity::find().one(app.db()).await.unwrap().unwrap();
    assert_eq!(app::intervision::case::service::purge_expired(app.db(), stored.expires_at).await.unwrap(), 1);
    assert!(!files(), "the purged text is gone from the database and its log");
}

#[tokio::test]
async fn a_failed_case_form_keeps_nothing_of_the_case_in_the_session() {
    use sea_orm::EntityTrait;
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading_id(&app).await;
        let member = app.login(MEMBER).await;
        let long_title = "t".repeat(200);
        let marker = "Vertrouwelijke situatie 5519";
        let args = [("community_id", cid.as_str()), ("title", &long_title), ("situation", marker), ("question", "?")];
        let refused = app.post_form("submit_case", &args, &format!("/c/{cid}"), &member).await;
        assert!(refused.header("location").is_some_and(|l| l.contains("__err=")), "{backend:?} the form failed");
        let sessions = app::db::entities::session::Entity::find().all(app.db()).await.unwrap();
        assert!(sessions.iter().all(|s| !s.data.contains(marker)), "{backend:?} no case text in any session");
        // Other forms still come back filled in.
        let profile = [("name", ""), ("language", "nl"), ("department", "Bewaard vak"), ("experience_band", "")];
        let profile: Vec<(&str, &str)> = profile.into_iter().chain([("location", "")]).collect();
        app.post_form("update_profile", &profile, "/profile", &member).await;
        let sessions = app::db::entities::session::Entity::find().all(app.db()).await.unwrap();
        assert!(sessions.iter().any(|s| s.data.contains("Bewaard vak")), "{backend:?} other input is kept");
    }
}

#[tokio::test]
async fn sessions_are_stored_under_a_hash_and_signed_in_pages_are_not_cached() {
    use sea_orm::EntityTrait;
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let teacher = app.login(TEACHER).await;
        let cookie = teacher.cookie_header();
        let sessions = app::db::entities::session::Entity::find().all(app.db()).await.unwrap();
        assert!(!sessions.is_empty());
        for session in &sessions {
            assert!(session.id.len() == 64 && session.id.chars().all(|c| c.is_ascii_hexdigit()), "{backend:?}");
            assert!(!cookie.contains(&session.id), "{backend:?} the cookie value is not stored");
        }
        let home = app.get("/", &teacher).await;
        assert_eq!(home.header("cache-control"), Some("no-store"), "{backend:?}");
        let login_page = app.get("/login", &Client::default()).await;
        assert_eq!(login_page.header("cache-control"), None, "{backend:?} an anonymous page may be cached");
        let viewer =
            app::account::service::load_viewer(app.db(), uuid::Uuid::parse_str(&user_id(&app, TEACHER).await).unwrap())
                .await
                .unwrap()
                .unwrap();
        let printed = format!("{viewer:?}");
        assert!(!printed.contains("argon2") && !printed.contains(&viewer.user.password_hash), "{printed}");
    }
}

#[tokio::test]
async fn a_shared_computer_session_ends_with_the_browser_and_sooner() {
    use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let shared = Client::default();
        let args = [("email", TEACHER), ("password", PASSWORD), ("shared_computer", "on")];
        let login = app.call("login", &args, &shared).await;
        assert_eq!(login.status, StatusCode::OK, "{backend:?} {}", login.body);
        let cookie = login.set_cookies.iter().find(|c| c.starts_with("kring_session=")).unwrap();
        assert!(!cookie.contains("Max-Age") && !cookie.contains("Expires"), "{backend:?} not kept: {cookie}");
        let usual = app.login(MEMBER).await;
        let me = |client: &Client| {
            let client = client.clone_cookies();
            let app = &app;
            async move { app.call("current_user", &[], &client).await.body }
        };
        assert!(me(&shared).await.contains("Anouk"), "{backend:?}");
        // Both people were last seen 31 minutes ago.
        for row in app::db::entities::session::Entity::find().all(app.db()).await.unwrap() {
            let mut data: serde_json::Value = serde_json::from_str(&row.data).unwrap();
            if data.get("auth").is_none() {
                continue;
            }
            let back = 31 * 60;
            let seen =
                data.get("seen").and_then(|v| v.as_i64()).unwrap_or(data["auth"]["signed_in_at"].as_i64().unwrap());
            data["seen"] = serde_json::json!(seen - back);
            data["auth"]["signed_in_at"] = serde_json::json!(data["auth"]["signed_in_at"].as_i64().unwrap() - back);
            let mut active = row.into_active_model();
            active.data = Set(data.to_string());
            active.update(app.db()).await.unwrap();
        }
        assert!(!me(&shared).await.contains("Anouk"), "{backend:?} the shared computer's session ended");
        assert!(me(&usual).await.contains("Mila"), "{backend:?} a personal device's session goes on");
    }
}

#[tokio::test]
async fn a_password_change_stops_calendar_feeds() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let member = app.login(MEMBER).await;
        assert_eq!(app.call("calendar_feed", &[("action", "new")], &member).await.status, StatusCode::OK);
        let page = json(&app.call("notifications", &[], &member).await.body);
        let path = page["new_feed_url"].as_str().unwrap().strip_prefix("http://kring.test").unwrap().to_string();
        assert_eq!(app.get(&path, &Client::default()).await.status, StatusCode::OK);
        let new = "een heel nieuw wachtwoord";
        let args = [("current_password", PASSWORD), ("new_password", new), ("new_password_confirm", new)];
        assert_eq!(app.call("change_password", &args, &member).await.status, StatusCode::OK);
        assert_eq!(app.get(&path, &Client::default()).await.status, StatusCode::NOT_FOUND, "{backend:?}");
    }
}

#[tokio::test]
async fn a_round_screen_closes_when_its_viewer_signs_out_or_changes_password() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let round = planned_round(&app, "five_step").await;
        let events = format!("/r/{round}/events");
        let timekeeper = app.login(TIMEKEEPER).await;
        let other_device = app.login(TIMEKEEPER).await;
        let mut screen = app.events(&events, &timekeeper).await.ok().unwrap();
        let mut other_screen = app.events(&events, &other_device).await.ok().unwrap();
        next_view(&mut screen).await;
        next_view(&mut other_screen).await;
        assert_eq!(app.call("logout", &[], &timekeeper).await.status, StatusCode::OK);
        assert!(screen.ends_within(SCREEN_WAIT).await, "{backend:?} the signed-out screen closes");
        assert!(
            !other_screen.ends_within(std::time::Duration::from_millis(500)).await,
            "{backend:?} the other device's goes on"
        );

        let member = app.login(MEMBER).await;
        let new = "een heel nieuw wachtwoord";
        let args = [("current_password", PASSWORD), ("new_password", new), ("new_password_confirm", new)];
        let other_member = app.login(MEMBER).await;
        let mut stale_screen = app.events(&events, &other_member).await.ok().unwrap();
        next_view(&mut stale_screen).await;
        assert_eq!(app.call("change_password", &args, &member).await.status, StatusCode::OK);
        assert!(stale_screen.ends_within(SCREEN_WAIT).await, "{backend:?} a screen of an ended session closes");
    }
}

#[tokio::test]
async fn private_folders_are_readable_by_the_server_only() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::new(Backend::Sqlite).await;
    for folder in ["outbox", "files"] {
        let mode = std::fs::metadata(app.dir.join(folder)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{folder}");
    }
}

/// A facilitator cannot learn from a guest invitation whether an address has an account
/// (on another board, say): every guest is invited by an emailed link, and only the
/// address shows until they accept. Guests see no case bringer on a case summary.
#[tokio::test]
async fn inviting_a_guest_never_reveals_an_account_and_guests_see_no_case_bringer() {
    use app::db::entities::community_member;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading_id(&app).await;
        let facilitator = app.login(TEACHER).await;
        for email in [OTHER_TEACHER, "nieuw@pabo.test"] {
            let r = app.call("invite_guest", &[("community_id", &cid), ("guest_email", email)], &facilitator).await;
            assert_eq!(r.status, StatusCode::OK, "{backend:?} {email}: {}", r.body);
        }
        let page = app.call("community_page", &[("community_id", &cid)], &facilitator).await.body;
        assert!(!page.contains("Leraar Ander"), "{backend:?} no name before they accept");
        let invited: Vec<String> = json(&page)["guest_invitations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["email"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(invited, [OTHER_TEACHER, "nieuw@pabo.test"], "{backend:?} both look the same");
        let other_id = uuid::Uuid::parse_str(&user_id(&app, OTHER_TEACHER).await).unwrap();
        let rows = community_member::Entity::find().filter(community_member::Column::UserId.eq(other_id));
        assert_eq!(rows.clone().count(app.db()).await.unwrap(), 0, "{backend:?} no membership before accepting");

        let mail = app.last_mail_to(OTHER_TEACHER).expect("an invitation email");
        let token = mail.split_whitespace().find(|w| w.contains("/invite/")).unwrap().rsplit('/').next().unwrap();
        let token = token.to_string();
        let details = json(&app.call("invitation_details", &[("token", &token)], &Client::default()).await.body);
        assert_eq!(
            (details["has_account"].clone(), details["signed_in_as_invitee"].clone()),
            (true.into(), false.into())
        );
        let guest = app.login(OTHER_TEACHER).await;
        let details = json(&app.call("invitation_details", &[("token", &token)], &guest).await.body);
        assert_eq!(details["signed_in_as_invitee"], true, "{backend:?}");
        let stranger = app.login(COLLEAGUE).await;
        let refused = app.call("accept_guest_invitation", &[("token", &token)], &stranger).await;
        assert_eq!(refused.status, StatusCode::GONE, "{backend:?} a link for another address");
        let anonymous = app.call("accept_guest_invitation", &[("token", &token)], &Client::default()).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{backend:?}");
        let accepted = app.call("accept_guest_invitation", &[("token", &token)], &guest).await;
        assert_eq!(accepted.status, StatusCode::OK, "{backend:?} {}", accepted.body);
        let inside = json(&app.call("community_page", &[("community_id", &cid)], &guest).await.body);
        assert_eq!(inside["me"]["role"], "guest", "{backend:?}");
        let again = app.call("accept_guest_invitation", &[("token", &token)], &guest).await;
        assert_eq!(again.status, StatusCode::GONE, "{backend:?} used up");

        // A case summary, published by its case bringer: members see who, guests do not.
        let round = ended_round(&app).await;
        let member = app.login(MEMBER).await;
        let summary = [
            ("round_id", round.as_str()),
            ("summary_title", "Stille klassen"),
            ("summary", "Wat hielp: eerst laten schrijven, dan delen in tweetallen."),
            ("consent", "on"),
        ];
        let published = app.call("publish_round_summary", &summary, &member).await;
        let artifact = json(&published.body).as_str().unwrap().to_string();
        let for_member = app.call("artifact_page", &[("artifact_id", &artifact)], &facilitator).await.body;
        assert!(for_member.contains("Mila Vermeulen"), "{backend:?}");
        for (endpoint, args) in [
            ("artifact_page", vec![("artifact_id", artifact.as_str())]),
            ("artifact_history", vec![("artifact_id", artifact.as_str())]),
        ] {
            let for_guest = app.call(endpoint, &args, &guest).await;
            assert_eq!(for_guest.status, StatusCode::OK, "{backend:?} {endpoint} {}", for_guest.body);
            assert!(!for_guest.body.contains("Mila"), "{backend:?} {endpoint}: {}", for_guest.body);
        }
    }
}
