//! Test harness: the real router over a real database (a fresh SQLite file, and a fresh
//! PostgreSQL database when `KRING_TEST_POSTGRES_URL` is set), with the demo board
//! loaded and a second board to prove organisations are kept apart.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use app::mail::Mailer;
use app::state::{AppState, Settings};
use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use http::{Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use tower::ServiceExt;

pub const PASSWORD: &str = app::demo::DEMO_PASSWORD;
pub const ADMIN: &str = "beheer@esdal.test";
pub const LEADER: &str = "m.veenstra@esdal.test";
pub const TEACHER: &str = "a.debruin@esdal.test";
pub const OTHER_ADMIN: &str = "beheer@anderschool.test";
pub const OTHER_TEACHER: &str = "leraar@anderschool.test";
/// Small limits, so the tests can cross them cheaply.
pub const UPLOAD_MAX_BYTES: u64 = 256 * 1024;
pub const STORAGE_QUOTA_BYTES: u64 = 1024 * 1024;
pub const SECRET: &[u8] = b"a test secret that is long enough to sign cookies with, 64+ bytes!";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backends every database test runs on. PostgreSQL is required when
/// `KRING_REQUIRE_POSTGRES=1` (the test command sets it), so it cannot be skipped silently.
pub fn backends() -> Vec<Backend> {
    let mut list = vec![Backend::Sqlite];
    if std::env::var("KRING_TEST_POSTGRES_URL").is_ok() {
        list.push(Backend::Postgres);
    } else if std::env::var("KRING_REQUIRE_POSTGRES").as_deref() == Ok("1") {
        panic!("KRING_REQUIRE_POSTGRES=1 but KRING_TEST_POSTGRES_URL is not set");
    }
    list
}

/// Which hub a test app's rounds announce changes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hub {
    Local,
    Postgres,
}

pub struct TestApp {
    pub backend: Backend,
    pub router: Router,
    pub state: AppState,
    pub dir: PathBuf,
    pub database_url: String,
    /// The statements the app runs while recording (see [`QueryLog::record`]).
    pub queries: QueryLog,
    /// The directory `dir` when this app made it: removed with the app. An app opened
    /// on another's directory (a restart) leaves it to that one.
    own_dir: Option<tempfile::TempDir>,
}

/// Records the SQL the app's connection runs, so tests can count a page's queries.
#[derive(Clone, Default)]
pub struct QueryLog(std::sync::Arc<std::sync::Mutex<Option<Vec<String>>>>);

impl QueryLog {
    fn push(&self, sql: &str) {
        if let Some(log) = self.0.lock().unwrap().as_mut() {
            log.push(sql.to_string());
        }
    }

    /// Runs `work` and returns what it gave and the statements run meanwhile.
    pub async fn record<T>(&self, work: impl std::future::Future<Output = T>) -> (T, Vec<String>) {
        *self.0.lock().unwrap() = Some(Vec::new());
        let result = work.await;
        let log = self.0.lock().unwrap().take().unwrap_or_default();
        (result, log)
    }
}

/// A fresh directory for one app's database and files, removed when dropped.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("kring-test-").tempdir().expect("a temporary directory")
}

/// A fresh, migrated, empty database of the given backend; returns its URL.
pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.join("kring.db").display()),
        Backend::Postgres => {
            let admin_url = std::env::var("KRING_TEST_POSTGRES_URL").expect("KRING_TEST_POSTGRES_URL");
            let name = format!("kring_test_{}", uuid::Uuid::now_v7().simple());
            let admin = sea_orm::Database::connect(&admin_url).await.expect("connect to PostgreSQL");
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create database");
            admin.close().await.ok();
            let base = admin_url.rsplit_once('/').map(|(base, _)| base).unwrap_or(&admin_url);
            format!("{base}/{name}")
        }
    }
}

impl TestApp {
    pub async fn new(backend: Backend) -> Self {
        logs::init();
        let dir = temp_dir();
        let database_url = fresh_database(backend, dir.path()).await;
        let mut app = Self::open(backend, dir.path().to_path_buf(), database_url, true).await;
        app.own_dir = Some(dir);
        app
    }

    /// A fresh app whose attached files go to the S3-compatible store named by
    /// `KRING_TEST_S3_ENDPOINT` and `KRING_TEST_S3_BUCKET` (the test command runs one);
    /// `None` when none is configured, which `KRING_REQUIRE_S3=1` turns into a failure.
    pub async fn on_s3(backend: Backend) -> Option<Self> {
        let (Ok(endpoint), Ok(bucket)) =
            (std::env::var("KRING_TEST_S3_ENDPOINT"), std::env::var("KRING_TEST_S3_BUCKET"))
        else {
            assert_ne!(
                std::env::var("KRING_REQUIRE_S3").as_deref(),
                Ok("1"),
                "KRING_REQUIRE_S3=1 but KRING_TEST_S3_ENDPOINT is not set"
            );
            return None;
        };
        let store = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(endpoint)
            .with_allow_http(true)
            .with_bucket_name(bucket)
            .with_region("us-east-1")
            .with_access_key_id("kring-test")
            .with_secret_access_key("kring-test")
            .build()
            .expect("S3 store");
        let dir = temp_dir();
        let database_url = fresh_database(backend, dir.path()).await;
        let files = Some(std::sync::Arc::new(store) as std::sync::Arc<dyn object_store::ObjectStore>);
        let mut app = Self::open_with(backend, dir.path().to_path_buf(), database_url, true, files, Hub::Local).await;
        app.own_dir = Some(dir);
        Some(app)
    }

    /// Opens the app over an existing database (as a restarted server would).
    pub async fn open(backend: Backend, dir: PathBuf, database_url: String, seed: bool) -> Self {
        Self::open_with(backend, dir, database_url, seed, None, Hub::Local).await
    }

    /// One of several servers on one PostgreSQL database (`database_url`, seeded with
    /// the demo when `seed`), announcing round changes to the others as `kring serve`
    /// does on PostgreSQL.
    pub async fn one_of_several(database_url: String, seed: bool) -> Self {
        let dir = temp_dir();
        let mut app =
            Self::open_with(Backend::Postgres, dir.path().to_path_buf(), database_url, seed, None, Hub::Postgres).await;
        app.own_dir = Some(dir);
        app
    }

    async fn open_with(
        backend: Backend,
        dir: PathBuf,
        database_url: String,
        seed: bool,
        files: Option<std::sync::Arc<dyn object_store::ObjectStore>>,
        hub: Hub,
    ) -> Self {
        let mut db = app::db::connect_and_migrate(&database_url).await.expect("connect and migrate");
        let queries = QueryLog::default();
        db.set_metric_callback({
            let queries = queries.clone();
            move |info| queries.push(&info.statement.sql)
        });
        if seed {
            assert!(app::demo::load_if_empty(&db).await.unwrap());
            seed_other_board(&db).await;
        }
        let settings = Settings {
            public_url: "http://kring.test".into(),
            data_dir: dir.clone(),
            session_idle: Duration::from_secs(3600),
            session_absolute: Duration::from_secs(86_400),
            invitation_valid: Duration::from_secs(14 * 86_400),
            password_reset_valid: Duration::from_secs(3600),
            time_zone: jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap(),
            upload_max_bytes: UPLOAD_MAX_BYTES,
            storage_quota_bytes: STORAGE_QUOTA_BYTES,
            min_group: app::dashboard::privacy::MIN_GROUP,
            retention: app::retention::Retention::default(),
            trusted_proxies: vec!["127.0.0.2".parse().unwrap()],
        };
        let mailer = Mailer::outbox(dir.join("outbox"), "Kring <kring@kring.test>".parse().unwrap()).unwrap();
        let mut state = match files {
            Some(store) => AppState::with_file_store(db, settings, mailer, store),
            None => AppState::new(db, settings, mailer).unwrap(),
        };
        if hub == Hub::Postgres {
            state.hub = std::sync::Arc::new(app::hub::PostgresHub::start(&database_url, state.db.clone()));
        }
        let leptos = leptos::config::LeptosOptions::builder()
            .output_name("kring")
            .site_root(dir.to_string_lossy().to_string())
            .env(leptos::config::Env::PROD)
            .build();
        let router = kring::router(state.clone(), leptos, SECRET)
            .layer(MockConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40_000))));
        TestApp { backend, router, state, dir, database_url, queries, own_dir: None }
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    /// Sends a request and reads the whole response; a response that does not finish
    /// within a minute fails the test, naming the request, instead of hanging the suite.
    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let what = format!("{} {}", request.method(), request.uri());
        let exchange = async {
            let response = self.router.clone().oneshot(request).await.unwrap();
            TestResponse::read(response).await
        };
        tokio::time::timeout(Duration::from_secs(60), exchange)
            .await
            .unwrap_or_else(|_| panic!("{what} did not finish within 60 seconds"))
    }

    pub async fn get(&self, path: &str, client: &Client) -> TestResponse {
        let request = client.apply(Request::get(path)).header(header::ACCEPT, "text/html").body(Body::empty()).unwrap();
        let response = self.send(request).await;
        client.absorb(&response);
        response
    }

    /// Calls a server function the way the hydrated app does (JSON back).
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)], client: &Client) -> TestResponse {
        let body = serde_urlencoded_body(form);
        let request = client
            .apply(Request::post(format!("/api/{endpoint}")))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        let response = self.send(request).await;
        client.absorb(&response);
        response
    }

    /// Posts a form the way a browser without JavaScript does.
    pub async fn post_form(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
        referer: &str,
        client: &Client,
    ) -> TestResponse {
        let request = client
            .apply(Request::post(format!("/api/{endpoint}")))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, format!("http://kring.test{referer}"))
            .header(header::ORIGIN, "http://kring.test")
            .header(header::HOST, "kring.test")
            .body(Body::from(serde_urlencoded_body(form)))
            .unwrap();
        let response = self.send(request).await;
        client.absorb(&response);
        response
    }

    /// Posts one file as `multipart/form-data` (field `file`), as a browser form
    /// (`html`) or a script would.
    pub async fn upload(
        &self,
        path: &str,
        file_name: &str,
        content: &[u8],
        html: bool,
        client: &Client,
    ) -> TestResponse {
        self.upload_with(path, &[], "file", file_name, content, html, client).await
    }

    /// Posts text fields and one file (field `file_field`) as `multipart/form-data`.
    #[allow(clippy::too_many_arguments)]
    pub async fn upload_with(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file_field: &str,
        file_name: &str,
        content: &[u8],
        html: bool,
        client: &Client,
    ) -> TestResponse {
        let boundary = "kring-test-boundary-7d1f";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = client
            .apply(Request::post(path))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .header(header::ACCEPT, if html { "text/html" } else { "*/*" })
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        let response = self.send(request).await;
        client.absorb(&response);
        response
    }

    /// Opens a Server-Sent Events stream (a live round screen). Fails with the status
    /// and body when the server refuses it.
    pub async fn events(&self, path: &str, client: &Client) -> Result<EventStream, TestResponse> {
        let request =
            client.apply(Request::get(path)).header(header::ACCEPT, "text/event-stream").body(Body::empty()).unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        if response.status() != StatusCode::OK {
            return Err(TestResponse::read(response).await);
        }
        Ok(EventStream { body: response.into_body(), buffer: String::new() })
    }

    pub async fn login(&self, email: &str) -> Client {
        let client = Client::default();
        let response = self.call("login", &[("email", email), ("password", PASSWORD)], &client).await;
        assert_eq!(response.status, StatusCode::OK, "login of {email} failed: {}", response.body);
        client
    }

    /// The newest mail to `to`, waiting up to five seconds for mail sent in the background.
    pub async fn mail_to(&self, to: &str) -> Option<String> {
        for _ in 0..50 {
            if let Some(mail) = self.last_mail_to(to) {
                return Some(mail);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        None
    }

    /// The newest mail in the outbox sent to `to`.
    pub fn last_mail_to(&self, to: &str) -> Option<String> {
        let mut mails: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(self.dir.join("outbox"))
            .ok()?
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, std::fs::read_to_string(e.path()).ok()?)))
            .filter(|(_, text)| text.contains(&format!("To: {to}")))
            .collect();
        mails.sort_by_key(|(time, _)| *time);
        mails.pop().map(|(_, text)| decode_quoted_printable(&text))
    }

    /// How many mails in the outbox were sent to `to`.
    pub fn mails_to(&self, to: &str) -> usize {
        let Ok(entries) = std::fs::read_dir(self.dir.join("outbox")) else { return 0 };
        entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .filter(|text| text.contains(&format!("To: {to}")))
            .count()
    }
}

/// Undoes quoted-printable encoding (soft line breaks and `=XX` escapes).
pub fn decode_quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).to_string()
}

fn serde_urlencoded_body(form: &[(&str, &str)]) -> String {
    form.iter().map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v))).collect::<Vec<_>>().join("&")
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A cookie jar, like one browser.
#[derive(Default)]
pub struct Client {
    cookies: std::sync::Mutex<BTreeMap<String, String>>,
}

impl Client {
    fn apply(&self, builder: http::request::Builder) -> http::request::Builder {
        let cookies = self.cookies.lock().unwrap();
        if cookies.is_empty() {
            return builder;
        }
        let header_value = cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        builder.header(header::COOKIE, header_value)
    }

    fn absorb(&self, response: &TestResponse) {
        let mut cookies = self.cookies.lock().unwrap();
        for value in &response.set_cookies {
            let pair = value.split(';').next().unwrap_or_default();
            if let Some((name, val)) = pair.split_once('=') {
                if val.is_empty() || value.contains("Max-Age=0") {
                    cookies.remove(name);
                } else {
                    cookies.insert(name.to_string(), val.to_string());
                }
            }
        }
    }

    /// The `Cookie` header this client sends.
    pub fn cookie_header(&self) -> String {
        self.cookies.lock().unwrap().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    /// A second browser carrying the same cookies (e.g. a stolen or second device session).
    pub fn clone_cookies(&self) -> Client {
        Client { cookies: std::sync::Mutex::new(self.cookies.lock().unwrap().clone()) }
    }
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    pub set_cookies: Vec<String>,
    pub body: String,
    /// The body as sent (files, archives).
    pub raw: Vec<u8>,
}

impl TestResponse {
    async fn read(response: Response<Body>) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let set_cookies =
            headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok().map(str::to_string)).collect();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        TestResponse {
            status,
            headers,
            set_cookies,
            body: String::from_utf8_lossy(&bytes).to_string(),
            raw: bytes.to_vec(),
        }
    }

    /// The body without Leptos' hydration markers (`<!>` and `<!--…-->`), for text checks.
    pub fn text(&self) -> String {
        let mut out = String::with_capacity(self.body.len());
        let mut rest = self.body.as_str();
        while let Some(start) = rest.find("<!") {
            out.push_str(&rest[..start]);
            let after = &rest[start..];
            let end = if after.starts_with("<!--") {
                after.find("-->").map(|e| e + 3)
            } else {
                after.find('>').map(|e| e + 1)
            };
            match end {
                Some(end) => rest = &after[end..],
                None => {
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A second board with its own admin and teacher.
async fn seed_other_board(db: &DatabaseConnection) {
    use app::db::entities::organisation;
    use sea_orm::{ActiveModelTrait, Set};
    let board = organisation::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        parent_id: Set(None),
        kind: Set("board".into()),
        name: Set("Stichting Andere School".into()),
        slug: Set("ander".into()),
        created_at: Set(app::db::now()),
    }
    .insert(db)
    .await
    .unwrap();
    organisation::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        parent_id: Set(Some(board.id)),
        kind: Set("school".into()),
        name: Set("Andere School".into()),
        slug: Set("andere-school".into()),
        created_at: Set(app::db::now()),
    }
    .insert(db)
    .await
    .unwrap();
    let pw = || PASSWORD.as_bytes();
    kring::startup::create_user(db, OTHER_ADMIN, "Beheer Ander", "admin", Some("ander"), pw()).await.unwrap();
    kring::startup::create_user(db, OTHER_TEACHER, "Leraar Ander", "teacher", Some("andere-school"), pw())
        .await
        .unwrap();
}

/// The id of the first school of the demo board.
pub async fn demo_school_id(app: &TestApp) -> String {
    organisation_id(app, "esdal-lyceum").await
}

/// The id of the demo organisation with this slug.
pub async fn organisation_id(app: &TestApp, slug: &str) -> String {
    use app::db::entities::organisation;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    organisation::Entity::find()
        .filter(organisation::Column::Slug.eq(slug))
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

/// One screen's Server-Sent Events, read event by event.
pub struct EventStream {
    body: Body,
    buffer: String,
}

impl EventStream {
    /// The data of the next event named `name` (keep-alive comments are skipped);
    /// `None` when nothing arrives within `wait` or the stream ends.
    pub async fn next_named(&mut self, name: &str, wait: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = "message";
                let mut data = Vec::new();
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("event:") {
                        event = value.trim();
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push(value.strip_prefix(' ').unwrap_or(value));
                    }
                }
                if event == name && !data.is_empty() {
                    return Some(data.join("\n"));
                }
            }
            let frame = tokio::time::timeout_at(deadline, self.body.frame()).await.ok()??.ok()?;
            if let Ok(bytes) = frame.into_data() {
                self.buffer.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }

    /// Whether the server ends the stream within `wait` (whatever it sends meanwhile).
    pub async fn ends_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.body.frame()).await {
                Err(_) => return false,
                Ok(None) | Ok(Some(Err(_))) => return true,
                Ok(Some(Ok(_))) => {}
            }
        }
    }
}

/// The tests' log: warnings and errors to the test output, and the fields of every
/// request span kept for the tests of what the logs carry. Installed once, for every
/// thread (database driver threads too).
pub mod logs {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{EnvFilter, filter};

    /// Each request span's id and fields, oldest first (bounded).
    pub static REQUEST_SPANS: Mutex<Vec<(u64, HashMap<String, String>)>> = Mutex::new(Vec::new());

    pub fn init() {
        let to_output = tracing_subscriber::fmt::layer().with_test_writer().with_filter(EnvFilter::new("warn"));
        let requests = RequestSpans.with_filter(filter::filter_fn(|m| m.is_span() && m.name() == "request"));
        let _ = tracing_subscriber::registry().with(to_output).with(requests).try_init();
    }

    /// Fields of all request spans containing `field = value`, newest first.
    pub fn request_spans_with(field: &str, value: &str) -> Vec<HashMap<String, String>> {
        let spans = REQUEST_SPANS.lock().unwrap();
        spans.iter().rev().filter(|(_, f)| f.get(field).is_some_and(|v| v == value)).map(|(_, f)| f.clone()).collect()
    }

    struct RequestSpans;

    struct Fields<'a>(&'a mut HashMap<String, String>);

    impl Visit for Fields<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            self.0.insert(field.name().to_string(), format!("{value:?}"));
        }
        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.insert(field.name().to_string(), value.to_string());
        }
    }

    impl<S: tracing::Subscriber> Layer<S> for RequestSpans {
        fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
            let mut fields = HashMap::new();
            attrs.record(&mut Fields(&mut fields));
            let mut spans = REQUEST_SPANS.lock().unwrap();
            if spans.len() >= 20_000 {
                spans.drain(..10_000);
            }
            spans.push((id.into_u64(), fields));
        }

        fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
            let mut spans = REQUEST_SPANS.lock().unwrap();
            if let Some((_, fields)) = spans.iter_mut().rev().find(|(span, _)| *span == id.into_u64()) {
                values.record(&mut Fields(fields));
            }
        }
    }
}
