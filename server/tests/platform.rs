//! What holds for every request: security headers, cross-site request refusal,
//! compressed static assets with cache headers, and durability of acknowledged writes
//! when the server process is killed; what the logs carry.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use axum::body::Body;
use http::{Request, StatusCode, header};

#[tokio::test]
async fn every_response_carries_security_headers() {
    let app = TestApp::new(Backend::Sqlite).await;
    for path in ["/login", "/does-not-exist", "/healthz"] {
        let r = app.get(path, &Client::default()).await;
        let csp = r.header("content-security-policy").unwrap_or_else(|| panic!("CSP on {path}"));
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("'nonce-"), "{csp}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("referrer-policy"), Some("same-origin"));
        assert!(r.header("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    }
    let page = app.get("/login", &Client::default()).await;
    let csp = page.header("content-security-policy").unwrap();
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap();
    assert!(page.body.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the CSP nonce");
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_change_nothing() {
    let app = TestApp::new(Backend::Sqlite).await;
    let admin = app.login(ADMIN).await;
    let school = demo_school_id(&app).await;
    for (name, value) in [("sec-fetch-site", "cross-site"), ("origin", "https://evil.test")] {
        let request = Request::post("/api/invite_staff")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "kring.test")
            .header(name, value)
            .header(header::COOKIE, admin.cookie_header())
            .body(Body::from(format!("school_id={school}&email=csrf%40esdal.test&role=admin")))
            .unwrap();
        assert_eq!(app.send(request).await.status, StatusCode::FORBIDDEN, "{name}: {value}");
    }
    assert!(!app.call("staff_overview", &[], &admin).await.body.contains("csrf@esdal.test"));
    assert!(app.last_mail_to("csrf@esdal.test").is_none());
}

#[tokio::test]
async fn static_assets_are_compressed_and_revalidated() {
    let app = TestApp::new(Backend::Sqlite).await;
    std::fs::create_dir_all(app.dir.join("pkg")).unwrap();
    std::fs::write(app.dir.join("pkg/kring.css"), "body { color: black; }\n".repeat(200)).unwrap();
    kring::assets::precompress(&app.dir).unwrap();
    for (encoding, expected) in [("br", "br"), ("gzip", "gzip"), ("br, gzip", "br")] {
        let request =
            Request::get("/pkg/kring.css").header(header::ACCEPT_ENCODING, encoding).body(Body::empty()).unwrap();
        let r = app.send(request).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("content-encoding"), Some(expected), "asked for {encoding}");
        assert_eq!(r.header("cache-control"), Some("public, no-cache"));
        assert!(r.header("last-modified").is_some());
    }
}

/// Pages are compressed as they are sent, with gzip (cheaper than brotli per request).
#[tokio::test]
async fn pages_are_compressed_with_gzip() {
    let app = TestApp::new(Backend::Sqlite).await;
    let request = Request::get("/login").header(header::ACCEPT_ENCODING, "br, gzip").body(Body::empty()).unwrap();
    let r = app.send(request).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
}

// ---- Durability: a real server process, killed with SIGKILL ----------------------

pub(crate) struct Server {
    pub child: Child,
    pub port: u16,
}

fn start_server(dir: &std::path::Path, database_url: &str) -> Server {
    start_server_with(dir, database_url, &["serve", "--demo"])
}

fn start_server_with(dir: &std::path::Path, database_url: &str, args: &[&str]) -> Server {
    start_server_env(dir, database_url, args, &[])
}

/// `kring <args>` on `database_url` with its data in `dir` and `env` set, once it
/// answers `/healthz`.
pub(crate) fn start_server_env(
    dir: &std::path::Path,
    database_url: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    #[allow(clippy::zombie_processes)] // the caller kills and waits for it
    let child = Command::new(env!("CARGO_BIN_EXE_kring"))
        .args(args)
        .envs(env.iter().copied())
        .env("DATABASE_URL", database_url)
        .env("KRING_DATA_DIR", dir)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_SITE_ROOT", dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start kring");
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if http(port, "GET", "/healthz", "", "").is_some_and(|r| r.contains("200 OK")) {
            return Server { child, port };
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("kring did not start on port {port}");
}

pub(crate) fn http(port: u16, method: &str, path: &str, cookie: &str, body: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\nSec-Fetch-Site: same-origin\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nCookie: {cookie}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

pub(crate) fn session_cookie(response: &str) -> String {
    response
        .lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("set-cookie: kring_session="))
        .map(|l| l["set-cookie: ".len()..].split(';').next().unwrap().to_string())
        .next()
        .expect("session cookie")
}

/// Every pooled SQLite connection keeps stable query plans, so a statement with a bound
/// `LIMIT` (every `.one()`) is compiled once per connection instead of on every run.
#[tokio::test]
async fn sqlite_connections_keep_stable_query_plans() {
    let app = TestApp::new(Backend::Sqlite).await;
    let checks = futures_util::future::join_all((0..4).map(|_| app::db::has_stable_query_plans(app.db()))).await;
    for stable in checks {
        assert!(stable.expect("read the setting"), "a connection plans by bound values");
    }
}

/// SQLite's allocations take no process-wide lock: its memory statistics are off,
/// while pages are read through the pool as usual.
#[tokio::test]
async fn sqlite_keeps_no_global_memory_statistics() {
    let app = TestApp::new(Backend::Sqlite).await;
    let teacher = app.login(TEACHER).await;
    assert_eq!(app.get("/", &teacher).await.status, StatusCode::OK);
    assert!(!app::db::sqlite_counts_memory(), "every SQLite allocation takes the statistics mutex");
}

#[tokio::test]
async fn an_acknowledged_write_survives_kill_9() {
    for backend in backends() {
        let temp = temp_dir();
        let dir = temp.path().to_path_buf();
        let database_url = fresh_database(backend, &dir).await;
        let mut server = start_server(&dir, &database_url);
        let login =
            http(server.port, "POST", "/api/login", "", &format!("email=beheer%40esdal.test&password={PASSWORD}"))
                .unwrap();
        assert!(login.starts_with("HTTP/1.1 200"), "{login}");
        let cookie = session_cookie(&login);
        let overview = http(server.port, "POST", "/api/staff_overview", &cookie, "").unwrap();
        let school = overview.split("\"schools\":[{\"id\":\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let invited = http(
            server.port,
            "POST",
            "/api/invite_staff",
            &cookie,
            &format!("school_id={school}&email=blijft.bewaard%40esdal.test&role=teacher"),
        )
        .unwrap();
        assert!(invited.starts_with("HTTP/1.1 200"), "{invited}");

        server.child.kill().unwrap(); // SIGKILL: no shutdown, no flush
        server.child.wait().unwrap();

        let mut restarted = start_server(&dir, &database_url);
        let overview = http(restarted.port, "POST", "/api/staff_overview", &cookie, "").unwrap();
        assert!(
            overview.contains("blijft.bewaard@esdal.test"),
            "{backend:?}: the invitation and the session survive: {overview}"
        );
        restarted.child.kill().unwrap();
        restarted.child.wait().unwrap();
    }
}

/// Demo data is opt-in: `kring serve` alone leaves an empty database empty, so a real
/// deployment never carries accounts with a published password.
#[tokio::test]
async fn serve_alone_never_loads_demo_data() {
    let temp = temp_dir();
    let database_url = fresh_database(Backend::Sqlite, temp.path()).await;
    let mut server = start_server_with(temp.path(), &database_url, &["serve"]);
    let login =
        http(server.port, "POST", "/api/login", "", &format!("email=beheer%40esdal.test&password={PASSWORD}")).unwrap();
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    assert!(login.starts_with("HTTP/1.1 401"), "no demo account exists: {login}");
    let db = app::db::connect(&database_url).await.unwrap();
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(app::db::entities::user::Entity::find().count(&db).await.unwrap(), 0);
}

/// Demo loading is refused where Kring is public, and the server does not start.
#[test]
fn demo_data_is_refused_on_an_https_deployment() {
    let temp = temp_dir();
    let output = Command::new(env!("CARGO_BIN_EXE_kring"))
        .args(["serve", "--demo"])
        .env("DATABASE_URL", format!("sqlite://{}/kring.db", temp.path().display()))
        .env("KRING_DATA_DIR", temp.path())
        .env("KRING_PUBLIC_URL", "https://kring.school.example")
        .output()
        .expect("run kring");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("demo data is refused"), "{stderr}");
    assert!(!temp.path().join("kring.db").exists(), "nothing was created");
}

/// One log line tells where a request came from: its span carries the server function,
/// the signed-in person and the community or round it read (ids, never names or text),
/// for server functions and plain routes alike.
#[tokio::test]
async fn a_request_span_carries_the_function_the_person_and_the_object() {
    use app::db::entities::{community, user};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = TestApp::new(backends()[0]).await;
    let member = app.login("m.vermeulen@esdal.test").await;
    let reading = community::Entity::find()
        .filter(community::Column::Name.eq("Begrijpend lezen in de onderbouw"))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    let me = user::Entity::find().filter(user::Column::Email.eq("m.vermeulen@esdal.test")).one(app.db()).await.unwrap();
    let me = me.unwrap().id.to_string();
    let community_id = reading.id.to_string();

    let page = app.call("community_page", &[("community_id", &community_id)], &member).await;
    assert_eq!(page.status, StatusCode::OK);
    let spans = logs::request_spans_with("community", &community_id);
    let span = spans.iter().find(|s| s["route"] == "/api/community_page").expect("the server function's span");
    assert_eq!(span["user"], me, "{span:?}");
    assert_eq!(span["method"], "POST", "{span:?}");

    let download = app.get(&format!("/c/{community_id}/export.zip"), &member).await;
    assert_eq!(download.status, StatusCode::OK);
    let spans = logs::request_spans_with("route", "/c/{id}/export.zip");
    let span = spans.iter().find(|s| s.get("community") == Some(&community_id)).expect("the plain route's span");
    assert_eq!(span["user"], me, "{span:?}");

    for span in logs::request_spans_with("user", &me) {
        let text = format!("{span:?}");
        assert!(!text.contains("Mila") && !text.contains("@esdal"), "ids only: {text}");
    }
}
