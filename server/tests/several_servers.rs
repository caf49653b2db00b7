//! Several Kring servers on one PostgreSQL database: a round's steps reach its screens
//! on every server, a signed-out session closes its screens everywhere, a lost
//! listening connection costs no step, a killed server loses no step (its screens
//! reconnect to another and catch up), and housekeeping runs once per interval, not
//! once per server.

use std::time::Duration;

use crate::common::*;
use crate::intervision::{LEAD, MEMBER, SCREEN_WAIT, TIMEKEEPER, next_view, planned_round, step};
use crate::platform::{http, session_cookie, start_server_env};
use app::db::entities::job_lease;
use http::StatusCode;
use sea_orm::{ConnectionTrait, EntityTrait};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn on_postgres() -> bool {
    backends().contains(&Backend::Postgres)
}

/// The lease: one holder at a time, who may take it again; anyone once it ran out.
#[tokio::test]
async fn housekeeping_is_taken_by_one_server_at_a_time() {
    use app::db::lease::take;
    use sea_orm::sea_query::Expr;
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let (first, second) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let ten_minutes = time::Duration::minutes(10);
        assert!(take(app.db(), "housekeeping", first, ten_minutes).await.unwrap(), "{backend:?}");
        assert!(!take(app.db(), "housekeeping", second, ten_minutes).await.unwrap(), "{backend:?} held");
        assert!(take(app.db(), "housekeeping", first, ten_minutes).await.unwrap(), "{backend:?} the holder again");
        assert!(take(app.db(), "other job", second, ten_minutes).await.unwrap(), "{backend:?} per job");
        job_lease::Entity::update_many()
            .col_expr(job_lease::Column::Until, Expr::value(app::db::now() - time::Duration::seconds(1)))
            .exec(app.db())
            .await
            .unwrap();
        assert!(take(app.db(), "housekeeping", second, ten_minutes).await.unwrap(), "{backend:?} ran out");
        assert!(!take(app.db(), "housekeeping", first, ten_minutes).await.unwrap(), "{backend:?} taken over");
        let lease = job_lease::Entity::find_by_id("housekeeping").one(app.db()).await.unwrap().unwrap();
        assert_eq!((lease.holder, lease.runs), (Some(second), 3), "{backend:?}");
    }
}

/// Two servers in this process on one database, each with the PostgreSQL hub.
async fn two_servers() -> (TestApp, TestApp) {
    let dir = temp_dir();
    let url = fresh_database(Backend::Postgres, dir.path()).await;
    let first = TestApp::one_of_several(url.clone(), true).await;
    let second = TestApp::one_of_several(url, false).await;
    (first, second)
}

#[tokio::test]
async fn a_step_on_one_server_reaches_screens_on_the_other() {
    if !on_postgres() {
        return;
    }
    let (a, b) = two_servers().await;
    let round = planned_round(&a, "five_step").await;
    let events = format!("/r/{round}/events");
    let lead = a.login(LEAD).await;
    let mut here = a.events(&events, &a.login(MEMBER).await).await.ok().unwrap();
    let timekeeper = b.login(TIMEKEEPER).await;
    let mut there = b.events(&events, &timekeeper).await.ok().unwrap();
    for screen in [&mut here, &mut there] {
        assert_eq!(next_view(screen).await["version"], 0);
    }
    // Give the listeners a moment to be connected before the first step.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(step(&a, &lead, &round, 0, "start").await.status, StatusCode::OK);
    for screen in [&mut here, &mut there] {
        assert_eq!(next_view(screen).await["version"], 1, "the step reaches both servers' screens");
    }
    // Steps from either server: each server's screens follow their own server's steps
    // from what the step wrote and the other's from the round's row, phase by phase.
    let lead_on_b = b.login(LEAD).await;
    for (version, server, cookie) in [(1, &b, &lead_on_b), (2, &a, &lead), (3, &b, &lead_on_b)] {
        assert_eq!(step(server, cookie, &round, version, "advance").await.status, StatusCode::OK);
        for screen in [&mut here, &mut there] {
            let view = next_view(screen).await;
            assert_eq!(view["version"], version + 1);
            assert_eq!(view["phase"], version, "phase {version} on every screen");
            assert_eq!(view["status"], "running");
        }
    }

    // The listening connection is cut: once it is back, the round is read again, so a
    // step announced meanwhile still arrives.
    let cut = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
               WHERE query LIKE 'LISTEN%' AND datname = current_database()";
    a.db().execute_unprepared(cut).await.unwrap();
    assert_eq!(step(&a, &lead, &round, 4, "back").await.status, StatusCode::OK);
    // (A screen may first get the round again as it stood: the resync after the cut.)
    for screen in [&mut here, &mut there] {
        let caught_up = loop {
            let view = next_view(screen).await;
            if view["version"] == 5 {
                break view;
            }
        };
        assert_eq!(caught_up["status"], "running");
        assert_eq!(caught_up["phase"], 2);
    }

    // Signing out on one server closes that session's screens on the other.
    assert_eq!(b.call("logout", &[], &timekeeper).await.status, StatusCode::OK);
    let other_device = b.login(TIMEKEEPER).await;
    let mut on_a = a.events(&events, &other_device).await.ok().unwrap();
    next_view(&mut on_a).await;
    assert_eq!(a.call("logout", &[], &other_device).await.status, StatusCode::OK);
    assert!(on_a.ends_within(SCREEN_WAIT).await, "signed out on the same server");
    let third_device = a.login(TIMEKEEPER).await;
    let mut on_b = b.events(&events, &third_device).await.ok().unwrap();
    next_view(&mut on_b).await;
    assert_eq!(a.call("logout", &[], &third_device).await.status, StatusCode::OK);
    assert!(on_b.ends_within(SCREEN_WAIT).await, "signed out on the other server");
}

/// A live screen over real TCP: the versions it receives, in order.
struct Screen {
    versions: tokio::sync::mpsc::UnboundedReceiver<u64>,
}

impl Screen {
    async fn open(port: u16, round: &str, cookie: &str) -> Self {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let head = format!(
            "GET /r/{round}/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\nCookie: {cookie}\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let (sender, versions) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut buffer = String::new();
            let mut chunk = vec![0u8; 64 * 1024];
            while let Ok(n @ 1..) = stream.read(&mut chunk).await {
                buffer.push_str(&String::from_utf8_lossy(&chunk[..n]));
                while let Some(start) = buffer.find("\nid: ") {
                    let Some(end) = buffer[start + 5..].find('\n') else { break };
                    if let Ok(version) = buffer[start + 5..start + 5 + end].trim().parse() {
                        let _ = sender.send(version);
                    }
                    buffer.drain(..start + 5 + end);
                }
            }
        });
        Screen { versions }
    }

    /// The next version received; `None` when the stream ended or nothing came.
    async fn next(&mut self) -> Option<u64> {
        tokio::time::timeout(SCREEN_WAIT, self.versions.recv()).await.ok().flatten()
    }

    /// Waits for `version`, skipping older ones.
    async fn reaches(&mut self, version: u64) -> bool {
        while let Some(seen) = self.next().await {
            if seen >= version {
                return seen == version;
            }
        }
        false
    }
}

fn login(port: u16, email: &str) -> String {
    let form = format!("email={}&password={PASSWORD}", email.replace('@', "%40"));
    let response = http(port, "POST", "/api/login", "", &form).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    session_cookie(&response)
}

/// The first quoted string of a server function's answer (the id it returns).
fn answer(port: u16, endpoint: &str, cookie: &str, form: &str) -> String {
    let response = http(port, "POST", &format!("/api/{endpoint}"), cookie, form).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{endpoint}: {response}");
    let body = response.split_once("\r\n\r\n").unwrap().1;
    body.split('"').nth(1).unwrap_or_default().to_string()
}

/// Two `kring serve` processes on one PostgreSQL database. The round is planned and
/// led on server A; screens are open on both. Server B is killed with SIGKILL in the
/// middle of the round: its screens end, a step is taken while they are gone, and
/// reconnected to A they start from that step. Housekeeping ran once, not twice.
#[tokio::test]
async fn two_server_processes_run_one_round_and_survive_a_kill() {
    if !on_postgres() {
        return;
    }
    let (dir_a, dir_b) = (temp_dir(), temp_dir());
    let url = fresh_database(Backend::Postgres, dir_a.path()).await;
    let secret = "s".repeat(64);
    let env = [("KRING_SECRET", secret.as_str())];
    let mut a = start_server_env(dir_a.path(), &url, &["serve", "--demo"], &env);
    let mut b = start_server_env(dir_b.path(), &url, &["serve"], &env);

    let db = sea_orm::Database::connect(&url).await.unwrap();
    let community = {
        use app::db::entities::community;
        use sea_orm::{ColumnTrait, QueryFilter};
        let reading = community::Entity::find().filter(community::Column::Name.eq(crate::intervision::READING));
        reading.one(&db).await.unwrap().unwrap().id.to_string()
    };
    let user = |email: &'static str| {
        let db = db.clone();
        async move {
            use app::db::entities::user;
            use sea_orm::{ColumnTrait, QueryFilter};
            let found = user::Entity::find().filter(user::Column::Email.eq(email)).one(&db).await.unwrap();
            found.unwrap().id.to_string()
        }
    };
    let (lead, member, timekeeper, facilitator) =
        (login(a.port, LEAD), login(b.port, MEMBER), login(b.port, TIMEKEEPER), login(a.port, TEACHER));
    let case = answer(
        b.port,
        "submit_case",
        &member,
        &format!(
            "community_id={community}&title=Stille+klas&situation=Na+de+pauze+zegt+niemand+iets.&question=Hoe+krijg+ik+ze+aan+het+praten%3F"
        ),
    );
    let round = answer(
        a.port,
        "plan_round",
        &facilitator,
        &format!(
            "community_id={community}&case_id={case}&method_key=five_step&lead_id={}&timekeeper_id={}&note_taker_id=",
            user(LEAD).await,
            user(TIMEKEEPER).await
        ),
    );
    let step = |version: u64, command: &str| {
        let form = format!("round_id={round}&version={version}&command={command}&confirmed=true");
        let response = http(a.port, "POST", "/api/round_command", &lead, &form).unwrap();
        assert!(response.starts_with("HTTP/1.1 200"), "{command}: {response}");
    };

    let mut on_a = Screen::open(a.port, &round, &member).await;
    let mut on_b = [Screen::open(b.port, &round, &timekeeper).await, Screen::open(b.port, &round, &facilitator).await];
    assert_eq!(on_a.next().await, Some(0));
    for screen in &mut on_b {
        assert_eq!(screen.next().await, Some(0));
    }
    step(0, "start");
    assert!(on_a.reaches(1).await, "A's screen follows");
    for screen in &mut on_b {
        assert!(screen.reaches(1).await, "B's screens follow A's lead");
    }

    b.child.kill().unwrap(); // SIGKILL in the middle of the round
    b.child.wait().unwrap();
    for screen in &mut on_b {
        assert_eq!(screen.next().await, None, "B's screens end with B");
    }
    step(1, "advance");
    assert!(on_a.reaches(2).await);
    // The participants reconnect to A and start from the step taken while they were gone.
    let mut reconnected =
        [Screen::open(a.port, &round, &timekeeper).await, Screen::open(a.port, &round, &facilitator).await];
    for screen in &mut reconnected {
        assert_eq!(screen.next().await, Some(2), "caught up");
    }
    step(2, "advance");
    for screen in reconnected.iter_mut().chain([&mut on_a]) {
        assert!(screen.reaches(3).await);
    }

    let lease = job_lease::Entity::find_by_id("housekeeping").one(&db).await.unwrap().expect("housekeeping ran");
    assert_eq!(lease.runs, 1, "two servers started, housekeeping ran once");
    a.child.kill().unwrap();
    a.child.wait().unwrap();
}
