//! Letting staff go, on SQLite and PostgreSQL: an admin deactivates a teacher, who is
//! signed out everywhere at once (live round screens included), cannot sign in, loses
//! their calendar feeds and memberships; their facilitator role and products pass on
//! and the facilitators are told; others see them as "former member". Reactivation
//! brings the account back without its memberships. Only the board's admins may do it.

use crate::common::*;
use crate::intervision::*;
use http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use app::db::entities::{artifact, community, community_member, notification};

#[tokio::test]
async fn an_admin_lets_a_teacher_go_and_nothing_of_theirs_is_left_hanging() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading_id(&app).await;
        let teacher_id = user_id(&app, TEACHER).await;
        let uuid = uuid::Uuid::parse_str(&teacher_id).unwrap();
        let owned = artifact::Entity::find().filter(artifact::Column::OwnerId.eq(uuid));
        assert!(owned.clone().count(app.db()).await.unwrap() > 0, "the demo gives the facilitator products");
        // The teacher has a calendar feed and a round screen open.
        let teacher = app.login(TEACHER).await;
        assert_eq!(app.call("calendar_feed", &[("action", "new")], &teacher).await.status, StatusCode::OK);
        let feed =
            json(&app.call("notifications", &[], &teacher).await.body)["new_feed_url"].as_str().unwrap().to_string();
        let feed = feed.strip_prefix("http://kring.test").unwrap().to_string();
        let round = planned_round(&app, "five_step").await;
        let mut screen = app.events(&format!("/r/{round}/events"), &teacher).await.ok().unwrap();
        next_view(&mut screen).await;

        let deactivate = [("user_id", teacher_id.as_str()), ("active", "false")];
        assert_eq!(
            app.call("set_staff_active", &deactivate, &Client::default()).await.status,
            StatusCode::UNAUTHORIZED
        );
        for outsider in [LEADER, MEMBER, OTHER_ADMIN] {
            let client = app.login(outsider).await;
            let r = app.call("set_staff_active", &deactivate, &client).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?} {outsider}");
        }
        assert!(screen.next_named("round", std::time::Duration::from_millis(200)).await.is_none());
        let admin = app.login(ADMIN).await;
        let admin_id = user_id(&app, ADMIN).await;
        let own = app.call("set_staff_active", &[("user_id", admin_id.as_str()), ("active", "false")], &admin).await;
        assert_eq!(own.status, StatusCode::CONFLICT, "{backend:?} an admin does not lock themselves out");
        let done = app.call("set_staff_active", &deactivate, &admin).await;
        assert_eq!(done.status, StatusCode::OK, "{backend:?} {}", done.body);

        assert!(screen.ends_within(SCREEN_WAIT).await, "{backend:?} the open round screen closes");
        assert_eq!(app.call("current_user", &[], &teacher).await.body, "null", "{backend:?} signed out");
        let login = app.call("login", &[("email", TEACHER), ("password", PASSWORD)], &Client::default()).await;
        assert_eq!(login.status, StatusCode::UNAUTHORIZED, "{backend:?} cannot sign in");
        assert_eq!(app.get(&feed, &Client::default()).await.status, StatusCode::NOT_FOUND, "{backend:?} feed stops");
        let memberships = community_member::Entity::find().filter(community_member::Column::UserId.eq(uuid));
        assert_eq!(memberships.clone().count(app.db()).await.unwrap(), 0, "{backend:?}");
        assert_eq!(owned.clone().count(app.db()).await.unwrap(), 0, "{backend:?} products passed on");
        let community_uuid = uuid::Uuid::parse_str(&cid).unwrap();
        let facilitators = community_member::Entity::find()
            .filter(community_member::Column::CommunityId.eq(community_uuid))
            .filter(community_member::Column::Role.eq("facilitator"))
            .all(app.db())
            .await
            .unwrap();
        assert!(!facilitators.is_empty(), "{backend:?} the community keeps a facilitator");
        let told = notification::Entity::find()
            .filter(notification::Column::Kind.eq("member_departed"))
            .filter(notification::Column::CommunityId.eq(community_uuid))
            .all(app.db())
            .await
            .unwrap();
        assert!(
            facilitators.iter().all(|f| told.iter().any(|n| n.user_id == f.user_id)),
            "{backend:?} every facilitator is told"
        );
        let status = community::Entity::find_by_id(community_uuid).one(app.db()).await.unwrap().unwrap().status;
        assert_eq!(status, "active", "{backend:?}");

        // Elsewhere they read as a former member.
        let written =
            artifact::Entity::find().filter(artifact::Column::CreatedBy.eq(uuid)).one(app.db()).await.unwrap();
        let written = written.expect("the demo facilitator wrote a product").id.to_string();
        let member = app.login(MEMBER).await;
        let history = app.call("artifact_history", &[("artifact_id", &written)], &member).await;
        assert!(history.body.contains("Voormalig lid"), "{backend:?} {}", history.body);
        assert!(!history.body.contains("Anouk de Bruin"), "{backend:?}");

        // Back again: the account, not the memberships.
        let reactivate = [("user_id", teacher_id.as_str()), ("active", "true")];
        assert_eq!(app.call("set_staff_active", &reactivate, &admin).await.status, StatusCode::OK);
        let back = app.call("login", &[("email", TEACHER), ("password", PASSWORD)], &Client::default()).await;
        assert_eq!(back.status, StatusCode::OK, "{backend:?}");
        assert_eq!(memberships.count(app.db()).await.unwrap(), 0, "{backend:?}");
    }
}

/// Housekeeping deletes participation events, notifications and sent mail older than
/// their retention periods, and keeps everything younger.
#[tokio::test]
async fn records_past_their_retention_period_are_deleted() {
    use app::db::entities::participation_event;
    use sea_orm::sea_query::Expr;
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let member = app.login(MEMBER).await;
        // Something to notify: a request to join sends the facilitator a notification.
        let other = community::Entity::find()
            .filter(community::Column::Name.eq("Lesson study rekenvaardigheid"))
            .one(app.db())
            .await
            .unwrap()
            .unwrap()
            .id
            .to_string();
        let asked = app.call("request_to_join", &[("community_id", &other)], &member).await;
        assert_eq!(asked.status, StatusCode::OK, "{backend:?} {}", asked.body);
        let now = app::db::now();
        let keep = app.state.settings.retention;
        let events_before = participation_event::Entity::find().count(app.db()).await.unwrap();
        assert!(events_before > 0, "the demo has months of history");
        // Age one event and one notification past their periods.
        let oldest = participation_event::Entity::find().one(app.db()).await.unwrap().unwrap();
        participation_event::Entity::update_many()
            .col_expr(
                participation_event::Column::OccurredAt,
                Expr::value(now - keep.participation_events - time::Duration::days(1)),
            )
            .filter(participation_event::Column::Id.eq(oldest.id))
            .exec(app.db())
            .await
            .unwrap();
        let notifications_before = notification::Entity::find().count(app.db()).await.unwrap();
        let aged = notification::Entity::find().one(app.db()).await.unwrap().expect("demo notifications");
        notification::Entity::update_many()
            .col_expr(notification::Column::CreatedAt, Expr::value(now - keep.notifications - time::Duration::days(1)))
            .filter(notification::Column::Id.eq(aged.id))
            .exec(app.db())
            .await
            .unwrap();
        let outbox = app.dir.join("outbox");
        std::fs::create_dir_all(&outbox).unwrap();
        let (old_mail, new_mail) = (outbox.join("old.eml"), outbox.join("new.eml"));
        std::fs::write(&old_mail, "To: iemand@esdal.test\r\n\r\noud").unwrap();
        std::fs::write(&new_mail, "To: iemand@esdal.test\r\n\r\nnieuw").unwrap();
        let long_ago = std::time::SystemTime::now() - keep.sent_mail - std::time::Duration::from_secs(3600);
        std::fs::File::options().write(true).open(&old_mail).unwrap().set_modified(long_ago).unwrap();

        let forgotten = app::retention::enforce(&app.state, now).await.unwrap();
        assert_eq!(
            (forgotten.participation_events, forgotten.notifications, forgotten.sent_mail),
            (1, 1, 1),
            "{backend:?}"
        );
        assert_eq!(participation_event::Entity::find().count(app.db()).await.unwrap(), events_before - 1);
        assert_eq!(notification::Entity::find().count(app.db()).await.unwrap(), notifications_before - 1);
        assert!(!old_mail.exists() && new_mail.exists(), "{backend:?}");
        assert_eq!(app::retention::enforce(&app.state, now).await.unwrap(), app::retention::Forgotten::default());
    }
}

/// A person erases their own account: what identifies them is gone, the community's
/// products and counts stay, credited to "former member".
#[tokio::test]
async fn a_person_erases_their_account_and_the_community_keeps_working() {
    use app::db::entities::{intervision_case, participation_event, session, user};
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading_id(&app).await;
        let member = app.login(MEMBER).await;
        let article = [
            ("community_id", cid.as_str()),
            ("title", "Leesstrategieën op een kaart"),
            ("kind", "lesson_plan"),
            ("body", "Voorspellen, verbinden, samenvatten."),
            ("tags", ""),
            ("seci_phase", ""),
            ("scope", "community"),
            ("review_date", ""),
        ];
        let created = app.call("create_artifact", &article, &member).await;
        assert_eq!(created.status, StatusCode::OK, "{backend:?} {}", created.body);
        let artifact_id = json(&created.body).as_str().unwrap().to_string();
        let round = planned_round(&app, "five_step").await;
        let member_id = uuid::Uuid::parse_str(&user_id(&app, MEMBER).await).unwrap();
        let events = participation_event::Entity::find().filter(participation_event::Column::UserId.eq(member_id));
        let events_before = events.clone().count(app.db()).await.unwrap();
        assert!(events_before > 0);

        // Refused without the password or the confirmation; nothing changes.
        assert_eq!(
            app.call("erase_account", &[("password", PASSWORD)], &Client::default()).await.status,
            StatusCode::UNAUTHORIZED
        );
        let wrong =
            app.call("erase_account", &[("password", "niet mijn wachtwoord"), ("understood", "on")], &member).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}");
        assert!(wrong.body.contains("WrongPassword"), "{}", wrong.body);
        let unticked = app.call("erase_account", &[("password", PASSWORD)], &member).await;
        assert!(unticked.body.contains("understood"), "{backend:?} {}", unticked.body);
        assert!(app.call("current_user", &[], &member).await.body.contains("Mila"), "{backend:?} still there");
        // The board's last administrator must stay.
        let admin = app.login(ADMIN).await;
        let last = app.call("erase_account", &[("password", PASSWORD), ("understood", "on")], &admin).await;
        assert_eq!(last.status, StatusCode::CONFLICT, "{backend:?}");

        let erased = app.call("erase_account", &[("password", PASSWORD), ("understood", "on")], &member).await;
        assert_eq!(erased.status, StatusCode::OK, "{backend:?} {}", erased.body);
        assert_eq!(app.call("current_user", &[], &member).await.body, "null", "{backend:?} signed out");
        let login = app.call("login", &[("email", MEMBER), ("password", PASSWORD)], &Client::default()).await;
        assert_eq!(login.status, StatusCode::UNAUTHORIZED, "{backend:?}");
        let remainder = user::Entity::find_by_id(member_id).one(app.db()).await.unwrap().unwrap();
        assert!(remainder.name.is_empty() && !remainder.email.contains("vermeulen"), "{backend:?}");
        assert!(remainder.password_hash.is_empty() && remainder.department.is_none());
        let cases = intervision_case::Entity::find().all(app.db()).await.unwrap();
        assert!(cases.iter().all(|c| c.author_id != Some(member_id)), "{backend:?}");
        assert!(cases.iter().all(|c| !c.situation.contains("Na de pauze")), "{backend:?} the case's words are gone");
        let lead = app.login(LEAD).await;
        let view = json(&app.call("round", &[("round_id", &round)], &lead).await.body);
        assert_eq!(view["case"], serde_json::Value::Null, "{backend:?}");
        let memberships = community_member::Entity::find().filter(community_member::Column::UserId.eq(member_id));
        assert_eq!(memberships.count(app.db()).await.unwrap(), 0, "{backend:?}");
        let sessions = session::Entity::find().all(app.db()).await.unwrap();
        assert!(sessions.iter().all(|s| !s.data.contains(&member_id.to_string())), "{backend:?}");
        assert_eq!(events.count(app.db()).await.unwrap(), events_before, "{backend:?} the counts stay");

        // The product stays, in a facilitator's care, its history credited to a former member.
        let facilitator = app.login(TEACHER).await;
        let page = app.call("artifact_page", &[("artifact_id", &artifact_id)], &facilitator).await;
        assert_eq!(page.status, StatusCode::OK, "{backend:?}");
        assert_eq!(json(&page.body)["owner"], "Anouk de Bruin", "{backend:?}");
        let history = app.call("artifact_history", &[("artifact_id", &artifact_id)], &facilitator).await.body;
        assert!(history.contains("Voormalig lid") && !history.contains("Mila"), "{backend:?} {history}");
    }
}

/// A person downloads everything Kring holds about them as one archive: JSON per kind
/// of record, a readable index and the files they uploaded; nobody else's data, once
/// every five minutes.
#[tokio::test]
async fn a_person_downloads_all_their_data_and_only_theirs() {
    use std::io::Read;
    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading_id(&app).await;
        let anonymous = app.get("/me/export.zip", &Client::default()).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{backend:?}");
        let member = app.login(MEMBER).await;
        let article = [
            ("community_id", cid.as_str()),
            ("title", "Leesstrategieën op een kaart"),
            ("kind", "lesson_plan"),
            ("body", "Voorspellen, verbinden, samenvatten."),
            ("tags", ""),
            ("seci_phase", ""),
            ("scope", "community"),
            ("review_date", ""),
        ];
        let artifact_id =
            json(&app.call("create_artifact", &article, &member).await.body).as_str().unwrap().to_string();
        let uploaded = app.upload(&format!("/a/{artifact_id}/files"), "kaart.pdf", PDF, false, &member).await;
        assert_eq!(uploaded.status, StatusCode::CREATED, "{backend:?} {}", uploaded.body);
        app.call("submit_case", &case(&cid, "Mijn eigen casus"), &member).await;
        let timekeeper = app.login(TIMEKEEPER).await;
        app.call("submit_case", &case(&cid, "Casus van een ander"), &timekeeper).await;

        let export = app.get("/me/export.zip", &member).await;
        assert_eq!(export.status, StatusCode::OK, "{backend:?} {}", export.body);
        assert_eq!(export.header("content-type"), Some("application/zip"));
        assert_eq!(export.header("cache-control"), Some("private, no-store"));
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(export.raw.clone())).expect("a zip archive");
        let mut read = |name: &str| {
            let mut text = String::new();
            archive
                .by_name(name)
                .unwrap_or_else(|_| panic!("{name} in the archive"))
                .read_to_string(&mut text)
                .unwrap();
            text
        };
        let index = read("index.html");
        assert!(index.contains("Leesstrategieën op een kaart") && index.contains("files/1-kaart.pdf"), "{index}");
        assert!(read("profile.json").contains(MEMBER), "{backend:?}");
        let cases = read("cases.json");
        assert!(cases.contains("Mijn eigen casus") && !cases.contains("Casus van een ander"), "{backend:?} {cases}");
        assert!(read("memberships.json").contains(READING), "{backend:?}");
        assert!(!read("participation_events.json").is_empty());
        assert!(!read("profile.json").contains("argon2"), "{backend:?} no password hash");
        let mut file = Vec::new();
        archive.by_name("files/1-kaart.pdf").unwrap().read_to_end(&mut file).unwrap();
        assert_eq!(file, PDF, "{backend:?}");

        let again = app.get("/me/export.zip", &member).await;
        assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS, "{backend:?}");
        assert!(again.header("retry-after").is_some());
    }
}
