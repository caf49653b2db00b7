//! Meetings, attendance, calendars and notifications over HTTP, on SQLite and
//! PostgreSQL: who may see and do what, bad input that changes nothing, check-in and
//! facilitator correction moving participation levels, .ics files and the private
//! feed, reminders, and notifications with their email opt-outs.

use crate::common::*;
use http::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::Value;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use app::db::entities::{community, meeting, notification, participation_event, user};

const FACILITATOR: &str = TEACHER;
const MEMBER: &str = "m.vermeulen@esdal.test";
/// Joined "Begrijpend lezen" two days ago: still peripheral.
const NEWCOMER: &str = "l.jansen@esdal.test";
const COLLEAGUE: &str = "j.bakker@esdal.test";
const READING: &str = "Begrijpend lezen in de onderbouw";

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

async fn reading(app: &TestApp) -> community::Model {
    community::Entity::find().filter(community::Column::Name.eq(READING)).one(app.db()).await.unwrap().unwrap()
}

async fn user_id(app: &TestApp, email: &str) -> Uuid {
    user::Entity::find().filter(user::Column::Email.eq(email)).one(app.db()).await.unwrap().unwrap().id
}

/// Local date and time in Amsterdam, `from_now` ahead, as the form fields take them.
fn local_fields(from_now: Duration) -> (String, String) {
    let tz = jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap();
    let at =
        jiff::Timestamp::from_second((OffsetDateTime::now_utc() + from_now).unix_timestamp()).unwrap().to_zoned(tz);
    (at.strftime("%Y-%m-%d").to_string(), at.strftime("%H:%M").to_string())
}

fn meeting_form<'a>(community_id: &'a str, date: &'a str, time: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("community_id", community_id),
        ("title", "Casus en lesvoorbeelden"),
        ("date", date),
        ("time", time),
        ("duration", "90"),
        ("place", "Lokaal B12"),
        ("online_url", ""),
        ("agenda", "Opening\nCasus"),
    ]
}

/// A meeting written straight to the database, e.g. one that started an hour ago.
async fn insert_meeting(app: &TestApp, community_id: Uuid, starts_at: OffsetDateTime) -> Uuid {
    let at = app::db::now();
    meeting::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community_id),
        title: Set("Ingevoegd".into()),
        starts_at: Set(starts_at),
        duration_minutes: Set(90),
        place: Set("Lokaal B12".into()),
        online_url: Set(String::new()),
        agenda: Set(String::new()),
        status: Set("scheduled".into()),
        sequence: Set(0),
        reminded_at: Set(None),
        created_by: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(app.db())
    .await
    .unwrap()
    .id
}

async fn notices_of(app: &TestApp, email: &str, kind: &str) -> u64 {
    notification::Entity::find()
        .filter(notification::Column::UserId.eq(user_id(app, email).await))
        .filter(notification::Column::Kind.eq(kind))
        .count(app.db())
        .await
        .unwrap()
}

/// Waits for a background email to `to` whose text contains `needle`.
async fn mail_to(app: &TestApp, to: &str, needle: &str) -> Option<String> {
    for _ in 0..100 {
        if let Some(mail) = app.last_mail_to(to).filter(|m| m.contains(needle)) {
            return Some(mail);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    None
}

async fn level_of(app: &TestApp, community_id: &str, client: &Client) -> String {
    let r = app.call("my_level", &[("community_id", community_id)], client).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    json(&r.body)["level"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn only_members_see_meetings_and_only_facilitators_plan_them() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let community = reading(&app).await;
        let cid = community.id.to_string();
        let meeting = insert_meeting(&app, community.id, app::db::now() - Duration::minutes(30)).await.to_string();
        let (date, time) = local_fields(Duration::days(3));
        let schedule = meeting_form(&cid, &date, &time);
        let mut update = schedule.clone();
        update[0] = ("meeting_id", &meeting);
        let member_id = user_id(&app, MEMBER).await.to_string();
        let facilitator_only: Vec<(&str, Vec<(&str, &str)>)> = vec![
            ("meeting_planning", vec![("community_id", &cid)]),
            ("schedule_meeting", schedule.clone()),
            ("update_meeting", update.clone()),
            ("cancel_meeting", vec![("meeting_id", &meeting), ("cancel", "cancel")]),
            ("set_attendance", vec![("meeting_id", &meeting), ("user_id", &member_id), ("present", "yes")]),
        ];
        let member_too: Vec<(&str, Vec<(&str, &str)>)> =
            vec![("meeting_page", vec![("meeting_id", &meeting)]), ("check_in", vec![("meeting_id", &meeting)])];
        let meetings_before = meeting::Entity::find().count(app.db()).await.unwrap();

        let anonymous = Client::default();
        for (endpoint, args) in facilitator_only.iter().chain(&member_too) {
            let r = app.call(endpoint, args, &anonymous).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend:?} anonymous {endpoint}");
        }
        let own: [(&str, &[(&str, &str)]); 3] = [
            ("notifications", &[]),
            ("email_preferences", &[("invited", "on")]),
            ("calendar_feed", &[("action", "new")]),
        ];
        for (endpoint, args) in own {
            let r = app.call(endpoint, args, &anonymous).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend:?} anonymous {endpoint}");
        }
        assert_eq!(app.get("/notifications", &anonymous).await.status, StatusCode::FOUND);
        assert_eq!(app.get(&format!("/m/{meeting}"), &anonymous).await.status, StatusCode::FOUND);
        assert_eq!(app.get(&format!("/m/{meeting}/ics"), &anonymous).await.status, StatusCode::UNAUTHORIZED);

        for email in [COLLEAGUE, LEADER, ADMIN, OTHER_TEACHER, OTHER_ADMIN] {
            let client = app.login(email).await;
            for (endpoint, args) in facilitator_only.iter().chain(&member_too) {
                let r = app.call(endpoint, args, &client).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?} {email} {endpoint}: {}", r.body);
            }
            for path in [format!("/m/{meeting}"), format!("/m/{meeting}/edit"), format!("/m/{meeting}/ics")] {
                assert_eq!(app.get(&path, &client).await.status, StatusCode::NOT_FOUND, "{backend:?} {email} {path}");
            }
        }

        let member = app.login(MEMBER).await;
        for (endpoint, args) in &facilitator_only {
            let r = app.call(endpoint, args, &member).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?} member {endpoint}: {}", r.body);
        }
        assert_eq!(app.get(&format!("/m/{meeting}/edit"), &member).await.status, StatusCode::NOT_FOUND);
        let page = app.get(&format!("/m/{meeting}"), &member).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("Ingevoegd"), "{backend:?}");
        let ics = app.get(&format!("/m/{meeting}/ics"), &member).await;
        assert_eq!(ics.status, StatusCode::OK);
        assert_eq!(ics.header("content-type"), Some("text/calendar; charset=utf-8"));
        assert_eq!(meeting::Entity::find().count(app.db()).await.unwrap(), meetings_before, "{backend:?}");
    }
}

#[tokio::test]
async fn planning_a_meeting_tells_every_member_and_bad_input_changes_nothing() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let community = reading(&app).await;
        let cid = community.id.to_string();
        let facilitator = app.login(FACILITATOR).await;
        let member = app.login(MEMBER).await;
        // The member wants no email about new meetings; the notification still comes.
        let prefs = [("invited", "on"), ("meeting_changed", "on"), ("meeting_cancelled", "on")];
        assert_eq!(app.call("email_preferences", &prefs, &member).await.status, StatusCode::OK);
        let before = meeting::Entity::find().count(app.db()).await.unwrap();

        let (past_date, past_time) = local_fields(-Duration::hours(2));
        let r = app.call("schedule_meeting", &meeting_form(&cid, &past_date, &past_time), &facilitator).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}");
        assert!(r.body.contains("InThePast"), "{}", r.body);
        let (date, time) = local_fields(Duration::days(3));
        let mut nowhere = meeting_form(&cid, &date, &time);
        nowhere[5] = ("place", "");
        let r = app.call("schedule_meeting", &nowhere, &facilitator).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("PlaceOrLink"), "{}", r.body);
        nowhere[6] = ("online_url", "javascript:alert(1)");
        let r = app.call("schedule_meeting", &nowhere, &facilitator).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("InvalidLink"), "{}", r.body);
        assert_eq!(meeting::Entity::find().count(app.db()).await.unwrap(), before, "{backend:?}: nothing stored");

        let r = app.call("schedule_meeting", &meeting_form(&cid, &date, &time), &facilitator).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        let id: String = serde_json::from_str(&r.body).unwrap();
        let stored = meeting::Entity::find_by_id(Uuid::parse_str(&id).unwrap()).one(app.db()).await.unwrap().unwrap();
        let (_, local_time) = local_fields(Duration::days(3));
        let tz = jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap();
        let stored_local = jiff::Timestamp::from_second(stored.starts_at.unix_timestamp()).unwrap().to_zoned(tz);
        assert_eq!(stored_local.strftime("%H:%M").to_string(), local_time, "{backend:?}: entered as Amsterdam time");

        assert_eq!(notices_of(&app, MEMBER, "meeting_scheduled").await, 1, "{backend:?}");
        assert_eq!(notices_of(&app, NEWCOMER, "meeting_scheduled").await, 1, "{backend:?}");
        assert_eq!(notices_of(&app, FACILITATOR, "meeting_scheduled").await, 0, "{backend:?}: not the planner");
        let mail = mail_to(&app, NEWCOMER, "Lokaal B12").await.expect("the newcomer gets an email");
        assert!(mail.contains(&format!("http://kring.test/m/{id}")), "{mail}");
        assert!(mail.contains("Subject: Nieuwe bijeenkomst"), "{mail}");
        assert!(app.last_mail_to(MEMBER).is_none_or(|m| !m.contains("Nieuwe bijeenkomst")), "{backend:?}: opted out");

        // Change, cancel and reinstate: each raises the sequence so calendars replace it.
        let mut changed = meeting_form(&cid, &date, &time);
        changed[0] = ("meeting_id", &id);
        changed[5] = ("place", "Mediatheek");
        assert_eq!(app.call("update_meeting", &changed, &facilitator).await.status, StatusCode::OK);
        assert_eq!(notices_of(&app, MEMBER, "meeting_changed").await, 1);
        assert!(mail_to(&app, MEMBER, "Mediatheek").await.is_some(), "{backend:?}: changes still by email");
        let cancel = |how: &'static str| vec![("meeting_id", id.clone()), ("cancel", how.to_string())];
        let args = cancel("cancel");
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(app.call("cancel_meeting", &args, &facilitator).await.status, StatusCode::OK);
        let ics = app.get(&format!("/m/{id}/ics"), &member).await.body.replace("\r\n ", "");
        assert!(ics.contains("STATUS:CANCELLED") && ics.contains("SEQUENCE:2"), "{ics}");
        assert!(ics.contains("LOCATION:Mediatheek"), "{ics}");
        // A cancelled meeting cannot be changed until it is reinstated.
        assert_eq!(app.call("update_meeting", &changed, &facilitator).await.status, StatusCode::CONFLICT);
        let args = cancel("reinstate");
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(app.call("cancel_meeting", &args, &facilitator).await.status, StatusCode::OK);
        let page = json(&app.call("meeting_page", &[("meeting_id", &id)], &member).await.body);
        assert_eq!(page["status"], "scheduled");
        assert_eq!(page["check_in_open"], false);

        // The community page lists it.
        let community_page = json(&app.call("community_page", &[("community_id", &cid)], &member).await.body);
        let listed = community_page["meetings"].as_array().unwrap();
        assert!(listed.iter().any(|m| m["id"] == id.as_str() && m["is_past"] == false), "{backend:?}");
    }
}

#[tokio::test]
async fn checking_in_moves_a_newcomer_and_a_correction_moves_them_back() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let community = reading(&app).await;
        let cid = community.id.to_string();
        let facilitator = app.login(FACILITATOR).await;
        let newcomer = app.login(NEWCOMER).await;
        assert_eq!(level_of(&app, &cid, &newcomer).await, "peripheral", "{backend:?}");

        // Tomorrow's meeting: too early to check in, too early to correct.
        let (date, time) = local_fields(Duration::days(1));
        let r = app.call("schedule_meeting", &meeting_form(&cid, &date, &time), &facilitator).await;
        let tomorrow: String = serde_json::from_str(&r.body).unwrap();
        let r = app.call("check_in", &[("meeting_id", &tomorrow)], &newcomer).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("CheckInClosed"), "{}", r.body);
        let newcomer_id = user_id(&app, NEWCOMER).await.to_string();
        let correct = |meeting: &str, present: &str| {
            vec![
                ("meeting_id", meeting.to_string()),
                ("user_id", newcomer_id.clone()),
                ("present", present.to_string()),
            ]
        };
        let args = correct(&tomorrow, "yes");
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = app.call("set_attendance", &args, &facilitator).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("NotStarted"), "{}", r.body);

        // A meeting about to start: the newcomer checks in early (twice is once) and
        // the level moves at once.
        let soon = insert_meeting(&app, community.id, app::db::now() + Duration::minutes(5)).await;
        let now_meeting = soon.to_string();
        for _ in 0..2 {
            assert_eq!(app.call("check_in", &[("meeting_id", &now_meeting)], &newcomer).await.status, StatusCode::OK);
        }
        let attended = participation_event::Entity::find()
            .filter(participation_event::Column::MeetingId.eq(Uuid::parse_str(&now_meeting).unwrap()))
            .filter(participation_event::Column::RetractedAt.is_null())
            .count(app.db())
            .await
            .unwrap();
        assert_eq!(attended, 1, "{backend:?}");
        assert_eq!(level_of(&app, &cid, &newcomer).await, "occasional", "{backend:?}");
        let page = json(&app.call("meeting_page", &[("meeting_id", &now_meeting)], &newcomer).await.body);
        assert_eq!(page["checked_in"], true);
        let explained = json(&app.call("my_level", &[("community_id", &cid)], &newcomer).await.body);
        assert_eq!(explained["trajectory"].as_array().unwrap().last().unwrap()["level"], "occasional");

        // Once it has started, the facilitator corrects: not there after all. The event
        // is retracted, not deleted.
        let mut started: meeting::ActiveModel =
            meeting::Entity::find_by_id(soon).one(app.db()).await.unwrap().unwrap().into();
        started.starts_at = Set(app::db::now() - Duration::minutes(10));
        started.update(app.db()).await.unwrap();
        let args = correct(&now_meeting, "no");
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(app.call("set_attendance", &args, &facilitator).await.status, StatusCode::OK);
        assert_eq!(level_of(&app, &cid, &newcomer).await, "peripheral", "{backend:?}");
        let explained = json(&app.call("my_level", &[("community_id", &cid)], &newcomer).await.body);
        let last = explained["trajectory"].as_array().unwrap().last().unwrap().clone();
        assert_eq!((last["level"].as_str(), last["reason"].as_str()), (Some("peripheral"), Some("facilitator")));
        let all = participation_event::Entity::find()
            .filter(participation_event::Column::MeetingId.eq(Uuid::parse_str(&now_meeting).unwrap()))
            .count(app.db())
            .await
            .unwrap();
        assert_eq!(all, 1, "{backend:?}: the log keeps the retracted event");
        let args = correct(&now_meeting, "yes");
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(app.call("set_attendance", &args, &facilitator).await.status, StatusCode::OK);
        assert_eq!(level_of(&app, &cid, &newcomer).await, "occasional", "{backend:?}");
        let page = json(&app.call("meeting_page", &[("meeting_id", &now_meeting)], &facilitator).await.body);
        let row = page["attendance"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["user_id"] == newcomer_id.as_str())
            .unwrap()
            .clone();
        assert_eq!((row["present"].as_bool(), row["corrected"].as_bool()), (Some(true), Some(true)));
        // Someone who is not a member cannot be marked present.
        let outsider = user_id(&app, COLLEAGUE).await.to_string();
        let args = [("meeting_id", now_meeting.as_str()), ("user_id", outsider.as_str()), ("present", "yes")];
        assert_eq!(app.call("set_attendance", &args, &facilitator).await.status, StatusCode::CONFLICT);
    }
}

#[tokio::test]
async fn the_private_feed_lists_my_meetings_until_it_is_renewed_or_stopped() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let member = app.login(MEMBER).await;
        let page = json(&app.call("notifications", &[], &member).await.body);
        assert_eq!(page["has_calendar_feed"], false);
        assert_eq!(app.call("calendar_feed", &[("action", "new")], &member).await.status, StatusCode::OK);
        let page = json(&app.call("notifications", &[], &member).await.body);
        assert_eq!(page["has_calendar_feed"], true);
        let url = page["new_feed_url"].as_str().expect("shown once").to_string();
        let again = json(&app.call("notifications", &[], &member).await.body);
        assert!(again["new_feed_url"].is_null(), "{backend:?}: shown only once");
        let path = url.strip_prefix("http://kring.test").unwrap().to_string();

        let feed = app.get(&path, &Client::default()).await;
        assert_eq!(feed.status, StatusCode::OK, "{backend:?}");
        assert_eq!(feed.header("content-type"), Some("text/calendar; charset=utf-8"));
        let events = feed.body.matches("BEGIN:VEVENT").count();
        assert!(events >= 4, "{backend:?}: the demo meetings of the member's community ({events})");
        assert!(feed.body.replace("\r\n ", "").contains(READING), "{backend:?}");
        assert!(!feed.body.contains("Mentoraat bovenbouw"), "{backend:?}: not someone else's community");

        assert_eq!(app.call("calendar_feed", &[("action", "new")], &member).await.status, StatusCode::OK);
        assert_eq!(
            app.get(&path, &Client::default()).await.status,
            StatusCode::NOT_FOUND,
            "{backend:?}: old one stops"
        );
        let renewed =
            json(&app.call("notifications", &[], &member).await.body)["new_feed_url"].as_str().unwrap().to_string();
        let renewed = renewed.strip_prefix("http://kring.test").unwrap().to_string();
        assert_eq!(app.get(&renewed, &Client::default()).await.status, StatusCode::OK);
        assert_eq!(app.call("calendar_feed", &[("action", "stop")], &member).await.status, StatusCode::OK);
        assert_eq!(app.get(&renewed, &Client::default()).await.status, StatusCode::NOT_FOUND, "{backend:?}: stopped");
        assert_eq!(app.get("/calendar/guess.ics", &Client::default()).await.status, StatusCode::NOT_FOUND);
        let r = app.call("calendar_feed", &[("action", "share")], &member).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn reminders_go_out_once_a_day_ahead() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let community = reading(&app).await;
        // The demo's own next meetings may fall within a day: send those first.
        app::meeting::service::send_due_reminders(&app.state).await.unwrap();
        let before = notices_of(&app, MEMBER, "meeting_reminder").await;
        insert_meeting(&app, community.id, app::db::now() + Duration::hours(20)).await;
        insert_meeting(&app, community.id, app::db::now() + Duration::hours(30)).await;
        assert_eq!(app::meeting::service::send_due_reminders(&app.state).await.unwrap(), 1, "{backend:?}");
        assert_eq!(app::meeting::service::send_due_reminders(&app.state).await.unwrap(), 0, "{backend:?}: once");
        assert_eq!(notices_of(&app, MEMBER, "meeting_reminder").await, before + 1, "{backend:?}");
        assert!(mail_to(&app, MEMBER, "Herinnering").await.is_some(), "{backend:?}");
    }
}

#[tokio::test]
async fn membership_changes_are_notified_and_reading_them_clears_the_count() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let community = reading(&app).await;
        let cid = community.id.to_string();
        let colleague = app.login(COLLEAGUE).await;
        assert_eq!(app.call("request_to_join", &[("community_id", &cid)], &colleague).await.status, StatusCode::OK);
        assert_eq!(notices_of(&app, FACILITATOR, "join_requested").await, 1, "{backend:?}");
        assert!(mail_to(&app, FACILITATOR, "Aanvraag om aan te sluiten").await.is_some(), "{backend:?}");

        let facilitator = app.login(FACILITATOR).await;
        let me = json(&app.call("current_user", &[], &facilitator).await.body);
        assert!(me["unread_notifications"].as_u64().unwrap() >= 1, "{backend:?}");
        let colleague_id = user_id(&app, COLLEAGUE).await.to_string();
        let answer = [("community_id", cid.as_str()), ("user_id", colleague_id.as_str()), ("answer", "decline")];
        assert_eq!(app.call("answer_join_request", &answer, &facilitator).await.status, StatusCode::OK);
        assert_eq!(notices_of(&app, COLLEAGUE, "request_declined").await, 1, "{backend:?}");

        let invite = [("community_id", cid.as_str()), ("email", "l.prins@esdal.test")];
        assert_eq!(app.call("invite_member", &invite, &facilitator).await.status, StatusCode::OK);
        assert_eq!(notices_of(&app, "l.prins@esdal.test", "invited").await, 1, "{backend:?}");

        let page = json(&app.call("notifications", &[], &facilitator).await.body);
        let first = &page["notices"][0];
        assert_eq!((first["kind"].as_str(), first["unread"].as_bool()), (Some("join_requested"), Some(true)));
        assert_eq!(first["actor"], "Jeroen Bakker", "{backend:?}");
        let me = json(&app.call("current_user", &[], &facilitator).await.body);
        assert_eq!(me["unread_notifications"], 0, "{backend:?}: opening the list reads it");
        // Nobody reads another person's notifications: the list is always one's own.
        let other = json(&app.call("notifications", &[], &app.login(OTHER_TEACHER).await).await.body);
        assert!(other["notices"].as_array().unwrap().is_empty(), "{backend:?}");
    }
}
