//! Signing in and out, sessions, password reset, invitations and the profile, on
//! SQLite and PostgreSQL.

use crate::common::*;
use http::StatusCode;

fn link_in(mail: &str, prefix: &str) -> String {
    let start = mail.find(prefix).unwrap_or_else(|| panic!("no {prefix} link in mail:\n{mail}"));
    mail[start..].split_whitespace().next().unwrap().trim_end_matches('.').to_string()
}

#[tokio::test]
async fn login_with_the_right_password_starts_a_session() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let client = app.login(TEACHER).await;
        let me = app.call("current_user", &[], &client).await;
        assert_eq!(me.status, StatusCode::OK);
        assert!(me.body.contains("Anouk de Bruin"), "{backend:?}: {}", me.body);
        let page = app.get("/", &client).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("Welkom, Anouk de Bruin"), "{backend:?}");
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let client = Client::default();
        let wrong = app.call("login", &[("email", TEACHER), ("password", "not the password")], &client).await;
        let unknown =
            app.call("login", &[("email", "nobody@esdal.test"), ("password", "not the password")], &client).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong.body, unknown.body, "the response must not reveal whether an email is registered");
        let me = app.call("current_user", &[], &client).await;
        assert_eq!(me.body, "null", "{backend:?}");
    }
}

#[tokio::test]
async fn sixth_failed_login_is_rate_limited_with_retry_after() {
    let app = TestApp::new(Backend::Sqlite).await;
    let client = Client::default();
    for _ in 0..5 {
        let r = app.call("login", &[("email", LEADER), ("password", "wrong password")], &client).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let limited = app.call("login", &[("email", LEADER), ("password", PASSWORD)], &client).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = limited.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!(retry >= 1);
    let me = app.call("current_user", &[], &client).await;
    assert_eq!(me.body, "null", "a rate-limited login must not sign in");
}

#[tokio::test]
async fn successful_logins_are_never_rate_limited() {
    let app = TestApp::new(Backend::Sqlite).await;
    for _ in 0..8 {
        let client = Client::default();
        let r = app.call("login", &[("email", LEADER), ("password", PASSWORD)], &client).await;
        assert!(r.status.is_success() || r.status.is_redirection(), "{}", r.status);
    }
    let client = Client::default();
    for _ in 0..5 {
        let r = app.call("login", &[("email", LEADER), ("password", "wrong password")], &client).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let limited = app.call("login", &[("email", LEADER), ("password", PASSWORD)], &client).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "failures still count after successes");
}

#[tokio::test]
async fn login_issues_a_new_session_id_and_logout_ends_it() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let client = Client::default();
        // Two logins in the same browser: the second must get a new session id.
        let first = app.call("login", &[("email", TEACHER), ("password", PASSWORD)], &client).await;
        let cookie_one = first.set_cookies.iter().find(|c| c.starts_with("kring_session=")).cloned().unwrap();
        assert!(cookie_one.contains("HttpOnly") && cookie_one.contains("SameSite=Lax"), "{cookie_one}");
        let copy = client.clone_cookies();
        let again = app.call("login", &[("email", TEACHER), ("password", PASSWORD)], &client).await;
        let cookie_two = again.set_cookies.iter().find(|c| c.starts_with("kring_session=")).cloned().unwrap();
        assert_ne!(cookie_one.split(';').next(), cookie_two.split(';').next(), "login must cycle the session id");
        assert_eq!(app.call("current_user", &[], &copy).await.body, "null", "the old id no longer works");

        let out = app.call("logout", &[], &client).await;
        assert_eq!(out.status, StatusCode::OK);
        assert_eq!(app.call("current_user", &[], &client).await.body, "null", "{backend:?}");
    }
}

#[tokio::test]
async fn sessions_are_stored_in_the_database_and_survive_a_restart() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let client = app.login(TEACHER).await;
        let restarted = TestApp::open(backend, app.dir.clone(), app.database_url.clone(), false).await;
        let me = restarted.call("current_user", &[], &client).await;
        assert!(me.body.contains("Anouk de Bruin"), "{backend:?}: {}", me.body);
    }
}

/// Moves the one signed-in session back in time by `minutes`: when it was written and
/// when it expires, as if the person had last been seen that long ago.
async fn age_the_session(app: &TestApp, minutes: i64) -> app::db::entities::session::Model {
    use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
    let row = the_session(app).await;
    let mut data: serde_json::Value = serde_json::from_str(&row.data).unwrap();
    let back = minutes * 60;
    let seen = data.get("seen").and_then(|v| v.as_i64()).unwrap_or(data["auth"]["signed_in_at"].as_i64().unwrap());
    data["seen"] = serde_json::json!(seen - back);
    data["auth"]["signed_in_at"] = serde_json::json!(data["auth"]["signed_in_at"].as_i64().unwrap() - back);
    let expires_at = row.expires_at - time::Duration::minutes(minutes);
    let mut active = row.into_active_model();
    active.data = Set(data.to_string());
    active.expires_at = Set(expires_at);
    active.update(app.db()).await.unwrap()
}

/// The one signed-in session in the store.
async fn the_session(app: &TestApp) -> app::db::entities::session::Model {
    use sea_orm::EntityTrait;
    let all = app::db::entities::session::Entity::find().all(app.db()).await.unwrap();
    all.into_iter().find(|s| s.data.contains("\"auth\"")).expect("a signed-in session")
}

#[tokio::test]
async fn a_session_in_use_stays_alive_and_an_idle_one_ends() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let client = app.login(TEACHER).await;
        let idle = time::Duration::seconds(app.state.settings.session_idle.as_secs() as i64);
        let written = the_session(&app).await;

        // Right after signing in, a request does not write the session again.
        let me = app.call("current_user", &[], &client).await;
        assert!(me.body.contains("Anouk de Bruin"), "{backend:?}");
        assert!(!me.set_cookies.iter().any(|c| c.starts_with("kring_session=")), "{backend:?}: {:?}", me.set_cookies);
        assert_eq!(the_session(&app).await.expires_at, written.expires_at, "{backend:?}: no write per request");

        // Ten minutes later (past the five-minute touch interval) a page is still served
        // and the session's end moves to a full idle timeout from now, in the store and
        // in the cookie.
        let aged = age_the_session(&app, 10).await;
        let page = app.get("/", &client).await;
        assert_eq!(page.status, StatusCode::OK, "{backend:?}");
        assert!(page.text().contains("Anouk de Bruin"), "{backend:?}");
        let cookie = page.set_cookies.iter().find(|c| c.starts_with("kring_session=")).expect("a renewed cookie");
        assert!(cookie.contains(&format!("Max-Age={}", idle.whole_seconds())), "{backend:?}: {cookie}");
        let renewed = the_session(&app).await.expires_at;
        assert!(
            renewed > aged.expires_at + time::Duration::minutes(9),
            "{backend:?}: {renewed} after {}",
            aged.expires_at
        );
        assert!(renewed <= time::OffsetDateTime::now_utc() + idle, "{backend:?}");

        // A session left alone for longer than the idle timeout has ended.
        age_the_session(&app, idle.whole_minutes() + 1).await;
        assert_eq!(app.call("current_user", &[], &client).await.body, "null", "{backend:?}");
    }
}

#[tokio::test]
async fn password_reset_by_mail_is_single_use_and_ends_other_sessions() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let other_device = app.login(TEACHER).await;
        let client = Client::default();
        let asked = app.call("request_password_reset", &[("email", TEACHER)], &client).await;
        assert_eq!(asked.status, StatusCode::OK);
        let unknown = app.call("request_password_reset", &[("email", "nobody@esdal.test")], &client).await;
        assert_eq!(unknown.status, StatusCode::OK, "unknown addresses get the same answer");
        let mail = app.mail_to(TEACHER).await.expect("reset mail in the outbox, sent in the background");
        assert!(app.last_mail_to("nobody@esdal.test").is_none());
        let link = link_in(&mail, "http://kring.test/password/reset/");
        let token = link.rsplit('/').next().unwrap();

        let mismatch = app
            .call(
                "reset_password",
                &[("token", token), ("password", "nieuw wachtwoord 1"), ("password_confirm", "anders")],
                &client,
            )
            .await;
        assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(mismatch.body.contains("PasswordsDiffer"));

        let new_password = "een nieuw en lang wachtwoord";
        let done = app
            .call(
                "reset_password",
                &[("token", token), ("password", new_password), ("password_confirm", new_password)],
                &client,
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert!(app.call("current_user", &[], &client).await.body.contains("Anouk"));
        assert_eq!(app.call("current_user", &[], &other_device).await.body, "null", "other sessions end");

        let reused = app
            .call(
                "reset_password",
                &[("token", token), ("password", new_password), ("password_confirm", new_password)],
                &client,
            )
            .await;
        assert_eq!(reused.status, StatusCode::GONE, "{backend:?}: the token is single use");

        let fresh = Client::default();
        let old = app.call("login", &[("email", TEACHER), ("password", PASSWORD)], &fresh).await;
        assert_eq!(old.status, StatusCode::UNAUTHORIZED);
        let new = app.call("login", &[("email", TEACHER), ("password", new_password)], &fresh).await;
        assert_eq!(new.status, StatusCode::OK);
    }
}

/// Reset requests are limited per address asked for (three, then one every twenty
/// minutes) whether or not it has an account, and a guessed link is refused before
/// any password is hashed.
#[tokio::test]
async fn password_reset_requests_are_limited_and_reveal_nothing() {
    let app = TestApp::new(Backend::Sqlite).await;
    for email in [TEACHER, "nobody@esdal.test"] {
        for _ in 0..3 {
            let r = app.call("request_password_reset", &[("email", email)], &Client::default()).await;
            assert_eq!(r.status, StatusCode::OK, "{email}");
        }
        let limited = app.call("request_password_reset", &[("email", email)], &Client::default()).await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{email}: the same answer for both");
        assert!(limited.header("retry-after").is_some());
    }
    let guessed = [
        ("token", "geraden"),
        ("password", "een nieuw en lang wachtwoord"),
        ("password_confirm", "een nieuw en lang wachtwoord"),
    ];
    assert_eq!(app.call("reset_password", &guessed, &Client::default()).await.status, StatusCode::GONE);
}

/// Behind a trusted proxy the limits count the client named in `X-Forwarded-For`; a
/// client that is not a trusted proxy cannot pick its own address with that header.
#[tokio::test]
async fn sign_in_limits_believe_only_trusted_proxies() {
    use axum::extract::connect_info::MockConnectInfo;
    use http::header;
    use tower::ServiceExt;
    let app = TestApp::new(Backend::Sqlite).await;
    // The test app's router fixes the peer address; this one lets each request set it.
    let leptos = leptos::config::LeptosOptions::builder()
        .output_name("kring")
        .site_root(app.dir.to_string_lossy().to_string())
        .env(leptos::config::Env::PROD)
        .build();
    let bare = kring::router(app.state.clone(), leptos, SECRET);
    let via = |peer: [u8; 4], forwarded: &str, email: &str| {
        let router = bare.clone().layer(MockConnectInfo(std::net::SocketAddr::from((peer, 40_000))));
        let body = format!("email={}&password=fout", email.replace('@', "%40"));
        let request = http::Request::post("/api/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .header("sec-fetch-site", "same-origin")
            .header("x-forwarded-for", forwarded)
            .body(axum::body::Body::from(body))
            .unwrap();
        async move { router.oneshot(request).await.unwrap().status() }
    };
    // One client behind the proxy fails for account after account until its address is
    // limited: after a hundred failures (a few more, as one leaks away each second).
    let mut failures = 0;
    while via([127, 0, 0, 2], "203.0.113.7", &format!("user{failures}@esdal.test")).await == StatusCode::UNAUTHORIZED {
        failures += 1;
        assert!(failures < 150, "the client behind the proxy is never limited");
    }
    assert!(failures >= 100, "limited after {failures} failures");
    assert_eq!(via([127, 0, 0, 2], "203.0.113.8", "nog2@esdal.test").await, StatusCode::UNAUTHORIZED, "another client");
    // Not a proxy: the header is ignored, the socket's address counts.
    assert_eq!(via([127, 0, 0, 9], "203.0.113.7", "nog3@esdal.test").await, StatusCode::UNAUTHORIZED);
}

/// Two people accepting invitations to the same address at once: one account, and the
/// other gets the field error a check-before-insert gives, not a server error (on
/// PostgreSQL both pass the check; the unique constraint decides).
#[tokio::test]
async fn two_sign_ups_of_one_address_at_once_give_one_account_and_one_field_error() {
    use app::account::domain::Language;
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let admin = app.login(ADMIN).await;
        let school = demo_school_id(&app).await;
        let email = "tweemaal@esdal.test";
        let mut tokens = Vec::new();
        for _ in 0..2 {
            let before = app.last_mail_to(email);
            let args = [("school_id", school.as_str()), ("email", email), ("role", "teacher")];
            assert_eq!(app.call("invite_staff", &args, &admin).await.status, StatusCode::OK, "{backend:?}");
            let mail =
                app.last_mail_to(email).filter(|m| Some(m) != before.as_ref()).expect("a second invitation mail");
            tokens.push(link_in(&mail, "http://kring.test/invite/").rsplit('/').next().unwrap().to_string());
        }
        let password = "twee keer tegelijk";
        let form = |token: &'static str| {
            [("token", token), ("name", "Dubbel"), ("password", password), ("password_confirm", password)]
        };
        let (first, second): (&'static str, &'static str) = (tokens[0].clone().leak(), tokens[1].clone().leak());
        let (a, b) = (form(first), form(second));
        let (client_a, client_b) = (Client::default(), Client::default());
        let (one, other) =
            tokio::join!(app.call("accept_invitation", &a, &client_a), app.call("accept_invitation", &b, &client_b));
        let mut statuses = [one.status, other.status];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::UNPROCESSABLE_ENTITY],
            "{backend:?}: {} / {}",
            one.body,
            other.body
        );
        let refused = if one.status == StatusCode::OK { &other } else { &one };
        assert!(refused.body.contains("EmailTaken"), "{backend:?}: {}", refused.body);

        // The constraint itself answers as the field error, whoever inserts second.
        let hash = app::account::service::hash_password("nog een wachtwoord".into()).await.unwrap();
        let duplicate = app::account::service::insert_user(app.db(), email, "Nog eens", &hash, Language::Nl).await;
        let error = app::error::AppError::from(duplicate.expect_err("the address is taken"));
        assert_eq!(error.field_error("email"), Some(app::error::ErrorKey::EmailTaken), "{backend:?}");
    }
}

#[tokio::test]
async fn invited_colleague_signs_up_and_lands_signed_in() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let admin = app.login(ADMIN).await;
        let school = demo_school_id(&app).await;
        let sent = app
            .call(
                "invite_staff",
                &[("school_id", &school), ("email", "Nieuw.Collega@esdal.test"), ("role", "teacher")],
                &admin,
            )
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        let mail = app.last_mail_to("nieuw.collega@esdal.test").expect("invitation mail");
        let link = link_in(&mail, "http://kring.test/invite/");
        let token = link.rsplit('/').next().unwrap().to_string();

        let visitor = Client::default();
        let details = app.call("invitation_details", &[("token", &token)], &visitor).await;
        assert!(details.body.contains("Esdal Lyceum") && details.body.contains("nieuw.collega@esdal.test"));

        let short = app
            .call(
                "accept_invitation",
                &[("token", &token), ("name", "Nieuwe Collega"), ("password", "kort"), ("password_confirm", "kort")],
                &visitor,
            )
            .await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(short.body.contains("PasswordTooShort"));

        let password = "welkom in de kring 2026";
        let ok = app
            .call(
                "accept_invitation",
                &[
                    ("token", &token),
                    ("name", "Nieuwe Collega"),
                    ("password", password),
                    ("password_confirm", password),
                ],
                &visitor,
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{backend:?}: {}", ok.body);
        assert!(app.call("current_user", &[], &visitor).await.body.contains("Nieuwe Collega"));

        let twice = app
            .call(
                "accept_invitation",
                &[("token", &token), ("name", "Iemand"), ("password", password), ("password_confirm", password)],
                &Client::default(),
            )
            .await;
        assert_eq!(twice.status, StatusCode::GONE, "an emailed invitation is single use");
    }
}

/// The token of the invitation link in the newest mail to `email`.
async fn invitation_token_mailed_to(app: &TestApp, email: &str) -> String {
    let mail = app.mail_to(email).await.unwrap_or_else(|| panic!("no mail to {email}"));
    link_in(&mail, "http://kring.test/invite/").rsplit('/').next().unwrap().to_string()
}

/// A shareable link asks only for an address and mails a personal invitation there; the
/// answer is the same for an address that has an account, which is told so by mail.
#[tokio::test]
async fn a_shareable_link_signs_up_through_the_mailbox_and_never_tells_who_has_an_account() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let admin = app.login(ADMIN).await;
        let school = demo_school_id(&app).await;
        // A link signs up teachers only, and no more people than the admin set.
        for (role, cap, field) in [("leader", "5", "role"), ("admin", "5", "role"), ("teacher", "0", "max_uses")] {
            let args = [("school_id", school.as_str()), ("role", role), ("max_uses", cap)];
            let refused = app.call("create_invitation_link", &args, &admin).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?} {role} {cap}");
            assert!(refused.body.contains(field), "{backend:?} {}", refused.body);
        }
        let args = [("school_id", school.as_str()), ("role", "teacher"), ("max_uses", "2")];
        let created = app.call("create_invitation_link", &args, &admin).await;
        assert_eq!(created.status, StatusCode::OK);
        let url: String = serde_json::from_str(&created.body).unwrap();
        let link = url.rsplit('/').next().unwrap().to_string();
        let password = "een goed wachtwoord";

        // The link itself makes no account, with or without an address.
        let direct = [("token", link.as_str()), ("name", "X"), ("password", password), ("password_confirm", password)];
        assert_eq!(app.call("accept_invitation", &direct, &Client::default()).await.status, StatusCode::GONE);

        // Same answer for a new address and for one with an account.
        let new =
            app.call("request_sign_up", &[("token", &link), ("email", "Link0@esdal.test")], &Client::default()).await;
        let known = app.call("request_sign_up", &[("token", &link), ("email", TEACHER)], &Client::default()).await;
        assert_eq!((new.status, &new.body), (known.status, &known.body), "{backend:?}");
        assert_eq!(new.status, StatusCode::OK, "{backend:?}: {}", new.body);
        let mut told = None;
        for _ in 0..50 {
            told = app.last_mail_to(TEACHER).filter(|m| m.contains("al een account"));
            if told.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let told = told.expect("the account's owner is told");
        assert!(told.contains("/login") && !told.contains("/invite/"), "{backend:?}: {told}");
        let bad = app.call("request_sign_up", &[("token", &link), ("email", "geen-adres")], &Client::default()).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}");

        // Three ask; the personal invitations count towards the cap of two once used.
        for i in 1..3 {
            let email = format!("link{i}@esdal.test");
            let r = app.call("request_sign_up", &[("token", &link), ("email", &email)], &Client::default()).await;
            assert_eq!(r.status, StatusCode::OK, "{backend:?}");
        }
        for (i, name) in ["Eerste", "Tweede"].iter().enumerate() {
            let token = invitation_token_mailed_to(&app, &format!("link{i}@esdal.test")).await;
            let details = app.call("invitation_details", &[("token", &token)], &Client::default()).await;
            assert!(details.body.contains(&format!("link{i}@esdal.test")), "{backend:?}: {}", details.body);
            let visitor = Client::default();
            let form =
                [("token", token.as_str()), ("name", name), ("password", password), ("password_confirm", password)];
            let r = app.call("accept_invitation", &form, &visitor).await;
            assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
            assert!(app.call("current_user", &[], &visitor).await.body.contains(name));
        }
        let third = invitation_token_mailed_to(&app, "link2@esdal.test").await;
        let form =
            [("token", third.as_str()), ("name", "Derde"), ("password", password), ("password_confirm", password)];
        let over = app.call("accept_invitation", &form, &Client::default()).await;
        assert_eq!(over.status, StatusCode::GONE, "{backend:?} the cap of two is reached");
        let fourth = [("token", link.as_str()), ("email", "link3@esdal.test")];
        let used_up = app.call("request_sign_up", &fourth, &Client::default()).await;
        assert_eq!(used_up.status, StatusCode::GONE, "{backend:?}");

        // Revoking a link also voids the invitations requested through it, which are
        // not listed on their own; unfinished ones are deleted once expired.
        let created = app.call("create_invitation_link", &args, &admin).await;
        let url: String = serde_json::from_str(&created.body).unwrap();
        let link = url.rsplit('/').next().unwrap().to_string();
        let r =
            app.call("request_sign_up", &[("token", &link), ("email", "laat@esdal.test")], &Client::default()).await;
        assert_eq!(r.status, StatusCode::OK);
        let requested = invitation_token_mailed_to(&app, "laat@esdal.test").await;
        let overview = app.call("staff_overview", &[], &admin).await;
        let data: serde_json::Value = serde_json::from_str(&overview.body).unwrap();
        let invitations = data["invitations"].as_array().unwrap();
        assert!(!overview.body.contains("laat@esdal.test"), "{backend:?}");
        let invitation = invitations.iter().find(|i| i["email"].is_null()).unwrap().clone();
        assert_eq!(invitation["accepted_count"], 0);
        let id = invitation["id"].as_str().unwrap();
        let revoked = app.call("revoke_invitation", &[("invitation_id", id)], &admin).await;
        assert_eq!(revoked.status, StatusCode::OK);
        for token in [&link, &requested] {
            let after = app.call("invitation_details", &[("token", token)], &Client::default()).await;
            assert_eq!(after.status, StatusCode::GONE, "{backend:?}");
        }
        let now = time::OffsetDateTime::now_utc();
        app::db::entities::invitation::Entity::update_many()
            .col_expr(app::db::entities::invitation::Column::ExpiresAt, Expr::value(now - time::Duration::hours(1)))
            .filter(app::db::entities::invitation::Column::LinkId.is_not_null())
            .exec(app.db())
            .await
            .unwrap();
        let forgotten = app::retention::enforce(&app.state, now).await.unwrap();
        assert_eq!(forgotten.unfinished_sign_ups, 2, "{backend:?}: link2 and laat, not the two who finished");
    }
}

#[tokio::test]
async fn bad_invitation_input_changes_nothing() {
    let app = TestApp::new(Backend::Sqlite).await;
    let admin = app.login(ADMIN).await;
    let school = demo_school_id(&app).await;
    let before = app.call("staff_overview", &[], &admin).await.body;
    for (email, role, key) in [
        ("", "teacher", "Required"),
        ("geen-adres", "teacher", "InvalidEmail"),
        ("<script>alert(1)</script>@x.nl", "teacher", "InvalidEmail"),
        ("goed@esdal.test", "koning", "InvalidChoice"),
        (TEACHER, "teacher", "EmailTaken"),
    ] {
        let r = app.call("invite_staff", &[("school_id", &school), ("email", email), ("role", role)], &admin).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{email} {role}: {}", r.body);
        assert!(r.body.contains(key), "{email}: expected {key} in {}", r.body);
    }
    assert_eq!(app.call("staff_overview", &[], &admin).await.body, before);
}

#[tokio::test]
async fn profile_changes_are_validated_and_saved() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let client = app.login(TEACHER).await;
        let long_name = "x".repeat(121);
        let bad = app
            .call(
                "update_profile",
                &[
                    ("name", &long_name),
                    ("language", "en"),
                    ("department", ""),
                    ("experience_band", "100"),
                    ("location", ""),
                ],
                &client,
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("TooLong") && bad.body.contains("InvalidChoice"));
        assert!(app.call("current_user", &[], &client).await.body.contains("\"language\":\"nl\""), "nothing changed");

        let ok = app
            .call(
                "update_profile",
                &[
                    ("name", "Anouk de Bruin-Smit"),
                    ("language", "en"),
                    ("department", "Nederlands"),
                    ("experience_band", "6-10"),
                    ("location", "Emmen"),
                ],
                &client,
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        assert!(
            ok.set_cookies.iter().any(|c| c.starts_with("i18n_pref_locale=en")),
            "the language choice is remembered"
        );
        let me = app.call("current_user", &[], &client).await.body;
        assert!(
            me.contains("Anouk de Bruin-Smit") && me.contains("\"language\":\"en\"") && me.contains("6-10"),
            "{backend:?}: {me}"
        );
        let page = app.get("/profile", &client).await;
        assert!(page.body.contains("<html lang=\"en\""), "the page renders in the chosen language");
    }
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions_but_keeps_this_one() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let here = app.login(TEACHER).await;
        let elsewhere = app.login(TEACHER).await;
        let wrong = app
            .call(
                "change_password",
                &[
                    ("current_password", "niet goed"),
                    ("new_password", "nog een wachtwoord"),
                    ("new_password_confirm", "nog een wachtwoord"),
                ],
                &here,
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.body.contains("WrongPassword"));
        let ok = app
            .call(
                "change_password",
                &[
                    ("current_password", PASSWORD),
                    ("new_password", "nog een wachtwoord"),
                    ("new_password_confirm", "nog een wachtwoord"),
                ],
                &here,
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        assert!(app.call("current_user", &[], &here).await.body.contains("Anouk"));
        assert_eq!(app.call("current_user", &[], &elsewhere).await.body, "null", "{backend:?}");
    }
}

#[tokio::test]
async fn forms_work_without_javascript() {
    let app = TestApp::new(Backend::Sqlite).await;
    let client = Client::default();
    let failed =
        app.post_form("login", &[("email", TEACHER), ("password", "fout wachtwoord")], "/login", &client).await;
    assert_eq!(failed.status, StatusCode::FOUND);
    let location = failed.header("location").unwrap().to_string();
    assert!(location.starts_with("http://kring.test/login?") && location.contains("__err"), "{location}");

    let ok = app
        .post_form("login", &[("email", TEACHER), ("password", PASSWORD), ("next", "/profile")], "/login", &client)
        .await;
    assert_eq!(ok.status, StatusCode::FOUND);
    assert_eq!(ok.header("location"), Some("/profile"));
    let profile = app.get("/profile", &client).await;
    assert!(profile.text().contains("Anouk de Bruin"));

    let evil = app
        .post_form(
            "login",
            &[("email", TEACHER), ("password", PASSWORD), ("next", "//evil.test")],
            "/login",
            &Client::default(),
        )
        .await;
    assert_eq!(evil.header("location"), Some("/"), "never redirect off-site");
}

#[tokio::test]
async fn cli_user_create_refuses_bad_input() {
    let app = TestApp::new(Backend::Sqlite).await;
    let create = |email: &'static str, role: &'static str, org: Option<&'static str>, pw: &'static str| {
        let db = app.db().clone();
        async move { kring::startup::create_user(&db, email, "Naam", role, org, pw.as_bytes()).await }
    };
    assert!(
        create("x@esdal.test", "king", Some("esdal"), "lang genoeg wachtwoord")
            .await
            .unwrap_err()
            .starts_with("--role")
    );
    assert!(
        create("geen-adres", "teacher", Some("esdal"), "lang genoeg wachtwoord")
            .await
            .unwrap_err()
            .starts_with("--email")
    );
    assert!(create("x@esdal.test", "teacher", Some("esdal"), "kort").await.unwrap_err().contains("password"));
    assert!(
        create("x@esdal.test", "teacher", Some("nergens"), "lang genoeg wachtwoord")
            .await
            .unwrap_err()
            .starts_with("--org")
    );
    assert!(
        create("x@esdal.test", "teacher", None, "lang genoeg wachtwoord").await.unwrap_err().starts_with("--org"),
        "two boards: --org needed"
    );
    assert!(
        create(TEACHER, "teacher", Some("esdal"), "lang genoeg wachtwoord")
            .await
            .unwrap_err()
            .contains("already exists")
    );
    create("x@esdal.test", "leader", Some("esdal-lyceum"), "lang genoeg wachtwoord\n").await.unwrap();
    let client = Client::default();
    let login = app.call("login", &[("email", "x@esdal.test"), ("password", "lang genoeg wachtwoord")], &client).await;
    assert_eq!(login.status, StatusCode::OK);
}

/// A real administrator created on a database holding only the demo board must not end
/// up in it (its accounts share a published password).
#[tokio::test]
async fn cli_user_create_never_puts_an_account_into_the_demo_board_unasked() {
    let dir = temp_dir();
    let url = fresh_database(Backend::Sqlite, dir.path()).await;
    let db = app::db::connect_and_migrate(&url).await.unwrap();
    assert!(app::demo::load_if_empty(&db).await.unwrap());
    let refused = kring::startup::create_user(&db, "it@school.example", "Beheer", "admin", None, PASSWORD.as_bytes())
        .await
        .unwrap_err();
    assert!(refused.contains("--org") && refused.contains("demo board"), "{refused}");
    let found = app::account::service::find_user_by_email(&db, "it@school.example").await.unwrap();
    assert!(found.is_none(), "nothing was created");
}

#[tokio::test]
async fn a_failed_form_comes_back_filled_in_and_a_saved_one_says_so_once() {
    let app = TestApp::new(Backend::Sqlite).await;
    let client = Client::default();
    let failed =
        app.post_form("login", &[("email", TEACHER), ("password", "fout wachtwoord")], "/login", &client).await;
    assert_eq!(failed.status, StatusCode::FOUND);
    let again = app.get("/login", &client).await.text();
    assert!(again.contains(&format!("value=\"{TEACHER}\"")), "the email is kept");
    assert!(!again.contains("fout wachtwoord"), "a password is never kept");
    let later = app.get("/login", &client).await.text();
    assert!(!later.contains(&format!("value=\"{TEACHER}\"")), "kept for one page view only");

    let teacher = app.login(TEACHER).await;
    let profile = |name: &'static str| {
        [("name", name), ("language", "nl"), ("department", ""), ("experience_band", ""), ("location", "")]
    };
    let refused = app.post_form("update_profile", &profile(""), "/profile", &teacher).await;
    assert!(refused.header("location").is_some_and(|l| l.contains("__err")));
    assert!(!app.get("/profile", &teacher).await.text().contains("Je gegevens zijn opgeslagen."));
    let saved = app.post_form("update_profile", &profile("Anouk de Bruin-Jansen"), "/profile", &teacher).await;
    assert_eq!(saved.status, StatusCode::FOUND);
    let page = app.get("/profile", &teacher).await.text();
    assert!(page.contains("Je gegevens zijn opgeslagen.") && page.contains("Anouk de Bruin-Jansen"));
    assert!(!app.get("/profile", &teacher).await.text().contains("Je gegevens zijn opgeslagen."), "said once");
}
