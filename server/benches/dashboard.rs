//! The leaders' dashboard at the size of a large board: 50 schools, 500 communities,
//! 5,000 staff and two school years of participation (about a million events), with
//! the level changes, meetings and artifacts that go with them. Prints p50/p95 of the
//! dashboard's server function (reading, suppression and the JSON it sends) for the
//! board and for one school, per period (this term, this school year, the last twelve
//! months), on SQLite and (when `KRING_BENCH_POSTGRES_URL`
//! or `KRING_TEST_POSTGRES_URL` names a server) PostgreSQL. The baseline is the same
//! call on the demo board (65 staff) in the same database.
//! Run: `cargo bench -p kring --bench dashboard` (scripts/bench.sh does). With
//! `KRING_BENCH_SPANS=1` each read's time goes to stderr; `KRING_BENCH_KEEP=1` keeps the
//! databases, `KRING_BENCH_SKIP_SQLITE=1` measures PostgreSQL only.

use std::time::{Duration, Instant};

use app::dashboard::domain::Month;
use app::dashboard::service::{Request, ScopeRequest, dashboard};
use app::db::entities::{
    artifact, community, community_member, level_change, meeting, organisation, participation_event, staff_membership,
    user,
};
use app::mail::Mailer;
use app::state::{AppState, Settings};
use sea_orm::{ConnectionTrait, EntityTrait, Set, TransactionTrait};
use time::OffsetDateTime;
use uuid::Uuid;

/// The server's allocator (server/src/main.rs), so the figures are the server's: with
/// glibc's, a fifth of the dashboard's time went to allocating and freeing rows.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const SCHOOLS: usize = 50;
const STAFF_PER_SCHOOL: usize = 100;
const COMMUNITIES_PER_SCHOOL: usize = 10;
const MEMBERS: usize = 9;
const WEEKS: i64 = 104;
/// Events per member and week at full engagement; members engage from 20 % up.
const EVENTS_PER_WEEK: f64 = 3.6;
const SAMPLES: usize = 20;

const DEPARTMENTS: &[&str] = &[
    "Nederlands",
    "Wiskunde",
    "Engels",
    "Geschiedenis",
    "Biologie",
    "Natuurkunde",
    "Frans",
    "Lichamelijke opvoeding",
    "Aardrijkskunde",
    "Economie",
    "Kunst en cultuur",
    "Zorg en begeleiding",
];
const BANDS: &[&str] = &["0-2", "3-5", "6-10", "11-20", "20+"];
const KINDS: &[&str] = &[
    "attended",
    "attended",
    "attended",
    "contributed",
    "contributed",
    "shared_artifact",
    "updated_artifact",
    "reused_artifact",
    "brought_case",
    "took_role",
    "observed_round",
    "followed_up",
    "taught_lesson",
    "observed_lesson",
];
const LEVELS: &[&str] = &["peripheral", "occasional", "active", "core"];

struct Rng(u64);
impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }
    fn unit(&mut self) -> f64 {
        self.next(1_000_000) as f64 / 1_000_000.0
    }
}

async fn insert_all<C, A>(db: &C, rows: Vec<A>, per_batch: usize)
where
    C: ConnectionTrait,
    A: sea_orm::ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<A> = rows.by_ref().take(per_batch).collect();
        <A::Entity as EntityTrait>::insert_many(batch).exec(db).await.expect("insert");
    }
}

/// The large board, with a board admin and a school leader to look at it.
async fn generate(db: &sea_orm::DatabaseConnection, now: OffsetDateTime) -> (Uuid, Uuid, Uuid) {
    let mut rng = Rng(11);
    let start = now - time::Duration::weeks(WEEKS);
    let txn = db.begin().await.unwrap();
    let board = Uuid::now_v7();
    let org = |id, parent, kind: &str, name: String| organisation::ActiveModel {
        id: Set(id),
        parent_id: Set(parent),
        kind: Set(kind.into()),
        slug: Set(name.to_lowercase().replace(' ', "-")),
        name: Set(name),
        created_at: Set(start),
    };
    let mut orgs = vec![org(board, None, "board", "Stichting Groot".into())];
    let schools: Vec<Uuid> = (0..SCHOOLS).map(|_| Uuid::now_v7()).collect();
    orgs.extend(schools.iter().enumerate().map(|(i, id)| org(*id, Some(board), "school", format!("School {i}"))));
    insert_all(&txn, orgs, 100).await;

    let person =
        |email: String, department: Option<&str>, band: Option<&str>, location: Option<String>| user::ActiveModel {
            id: Set(Uuid::now_v7()),
            email: Set(email.clone()),
            name: Set(email),
            password_hash: Set("!".into()),
            language: Set("nl".into()),
            department: Set(department.map(str::to_string)),
            experience_band: Set(band.map(str::to_string)),
            location: Set(location),
            auth_version: Set(1),
            deactivated_at: Set(None),
            created_at: Set(start),
            updated_at: Set(start),
        };
    let membership = |user_id, organisation_id, role: &str, at| staff_membership::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        organisation_id: Set(organisation_id),
        role: Set(role.into()),
        created_at: Set(at),
    };
    let admin = person("bestuur@groot.test".into(), None, None, None);
    let admin_id = admin.id.clone().unwrap();
    let mut users = vec![admin];
    let mut memberships = vec![membership(admin_id, board, "admin", start)];
    let mut staff_of: Vec<Vec<(Uuid, OffsetDateTime)>> = vec![Vec::new(); SCHOOLS];
    let mut leader_id = Uuid::nil();
    for (s, school) in schools.iter().enumerate() {
        for p in 0..STAFF_PER_SCHOOL {
            let mut user = person(
                format!("p{p}@school{s}.test"),
                Some(DEPARTMENTS[rng.next(DEPARTMENTS.len())]),
                Some(BANDS[rng.next(BANDS.len())]),
                Some(format!("Locatie {}", rng.next(2))),
            );
            let id = user.id.clone().unwrap();
            // Most were there from the start; some joined later, a few left.
            let joined =
                if rng.next(5) == 0 { start + time::Duration::weeks(rng.next(WEEKS as usize) as i64) } else { start };
            if rng.next(20) == 0 {
                user.deactivated_at = Set(Some(joined + time::Duration::weeks(20 + rng.next(60) as i64)));
            }
            let role = if p < 3 { "leader" } else { "teacher" };
            if s == 0 && p == 0 {
                leader_id = id;
            }
            users.push(user);
            memberships.push(membership(id, *school, role, joined));
            staff_of[s].push((id, joined));
        }
    }
    insert_all(&txn, users, 500).await;
    insert_all(&txn, memberships, 1000).await;

    let mut members = Vec::new();
    let mut levels = Vec::new();
    let mut events = Vec::new();
    let mut meetings = Vec::new();
    let mut artifacts = Vec::new();
    let mut event_count = 0;
    let body = "Een lesvoorbeeld met de opbouw, de vragen aan de klas en wat we zagen. ".repeat(20);
    for (s, school) in schools.iter().enumerate() {
        for c in 0..COMMUNITIES_PER_SCHOOL {
            let community_id = Uuid::now_v7();
            // Stored at once: its events are flushed before the loop ends.
            community::Entity::insert(community::ActiveModel {
                id: Set(community_id),
                organisation_id: Set(*school),
                name: Set(format!("Leergemeenschap {s}-{c}")),
                goal: Set(String::new()),
                agreements: Set(String::new()),
                rhythm: Set(String::new()),
                status: Set("active".into()),
                listed: Set(true),
                window_days: Set(90),
                case_keeping: Set("until_closed".into()),
                created_by: Set(None),
                created_at: Set(start),
                updated_at: Set(start),
            })
            .exec(&txn)
            .await
            .expect("community");
            for week in (0..WEEKS).step_by(3) {
                meetings.push(meeting::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    community_id: Set(community_id),
                    title: Set(String::new()),
                    starts_at: Set(start + time::Duration::weeks(week)),
                    duration_minutes: Set(90),
                    place: Set("Lokaal 1".into()),
                    online_url: Set(String::new()),
                    agenda: Set(String::new()),
                    status: Set("planned".into()),
                    sequence: Set(0),
                    reminded_at: Set(None),
                    created_by: Set(None),
                    created_at: Set(start),
                    updated_at: Set(start),
                });
            }
            let mut chosen = std::collections::HashSet::new();
            for m in 0..MEMBERS {
                let (user_id, joined) = staff_of[s][rng.next(STAFF_PER_SCHOOL)];
                if !chosen.insert(user_id) {
                    continue;
                }
                members.push(community_member::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    community_id: Set(community_id),
                    user_id: Set(user_id),
                    role: Set(if m == 0 { "facilitator" } else { "member" }.into()),
                    status: Set("active".into()),
                    invited_by: Set(None),
                    created_at: Set(joined),
                    joined_at: Set(Some(joined)),
                });
                let engagement = 0.2 + 0.8 * rng.unit();
                let mut level = rng.next(LEVELS.len());
                for week in 0..WEEKS {
                    let at = start + time::Duration::weeks(week);
                    if at < joined {
                        continue;
                    }
                    let expected = EVENTS_PER_WEEK * engagement;
                    let count = (expected * 2.0 * rng.unit()).round() as usize;
                    for _ in 0..count {
                        events.push(participation_event::ActiveModel {
                            id: Set(Uuid::now_v7()),
                            community_id: Set(community_id),
                            user_id: Set(user_id),
                            kind: Set(KINDS[rng.next(KINDS.len())].into()),
                            occurred_at: Set(at + time::Duration::minutes(rng.next(7 * 24 * 60) as i64)),
                            recorded_by: Set(None),
                            note: Set(None),
                            created_at: Set(at),
                            meeting_id: Set(None),
                            retracted_at: Set(None),
                        });
                    }
                    if events.len() >= 20_000 {
                        event_count += events.len();
                        insert_all(&txn, std::mem::take(&mut events), 2000).await;
                    }
                    if week % 6 == 0 {
                        level = (level + rng.next(3) + LEVELS.len() - 1) % LEVELS.len();
                        levels.push(level_change::ActiveModel {
                            id: Set(Uuid::now_v7()),
                            community_id: Set(community_id),
                            user_id: Set(user_id),
                            level: Set(LEVELS[level].into()),
                            reason: Set("computed".into()),
                            points: Set(0),
                            recorded_by: Set(None),
                            changed_at: Set(at),
                        });
                    }
                }
            }
            for a in 0..10 {
                let at = start + time::Duration::weeks(rng.next(WEEKS as usize) as i64);
                artifacts.push(artifact::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    organisation_id: Set(*school),
                    community_id: Set(community_id),
                    title: Set(format!("Product {a}")),
                    kind: Set("lesson_plan".into()),
                    body: Set(body.clone()),
                    seci_phase: Set("combination".into()),
                    scope: Set("community".into()),
                    source: Set("direct".into()),
                    status: Set(if rng.next(8) == 0 { "outdated" } else { "current" }.into()),
                    owner_id: Set(None),
                    review_due_at: Set(at + time::Duration::weeks(52)),
                    review_notified_at: Set(None),
                    version: Set(1),
                    created_by: Set(None),
                    created_at: Set(at),
                    updated_at: Set(at),
                });
            }
        }
    }
    let counts = (members.len(), event_count + events.len(), levels.len(), meetings.len(), artifacts.len());
    insert_all(&txn, members, 1000).await;
    insert_all(&txn, meetings, 1000).await;
    insert_all(&txn, artifacts, 500).await;
    insert_all(&txn, levels, 2000).await;
    insert_all(&txn, events, 2000).await;
    txn.commit().await.unwrap();
    eprintln!(
        "  generated {} staff, {} memberships, {} events, {} level changes, {} meetings, {} artifacts",
        SCHOOLS * STAFF_PER_SCHOOL,
        counts.0,
        counts.1,
        counts.2,
        counts.3,
        counts.4
    );
    (admin_id, leader_id, schools[0])
}

fn state_for(db: sea_orm::DatabaseConnection, dir: &std::path::Path) -> AppState {
    let settings = Settings {
        public_url: "http://127.0.0.1".into(),
        data_dir: dir.to_path_buf(),
        session_idle: Duration::from_secs(3600),
        session_absolute: Duration::from_secs(86_400),
        invitation_valid: Duration::from_secs(86_400),
        password_reset_valid: Duration::from_secs(3600),
        time_zone: jiff::tz::TimeZone::UTC,
        upload_max_bytes: 1 << 20,
        storage_quota_bytes: 1 << 30,
        min_group: app::shared::MIN_GROUP,
        retention: app::retention::Retention::default(),
        trusted_proxies: Vec::new(),
    };
    let mailer = Mailer::outbox(dir.join("outbox"), "Kring <kring@localhost>".parse().unwrap()).unwrap();
    AppState::new(db, settings, mailer).expect("state")
}

fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 * p).ceil() as usize).saturating_sub(1)].as_secs_f64() * 1000.0;
    (at(0.50), at(0.95))
}

async fn measure(state: &AppState, user_id: Uuid, scope: ScopeRequest, period: &str) -> (f64, f64) {
    let viewer = app::account::service::load_viewer(&state.db, user_id).await.unwrap().unwrap();
    // In August to December this term and this school year are the same months: the
    // last twelve months show a longer period whatever the date.
    let request = match period {
        "12 months" => {
            let today = OffsetDateTime::now_utc().date();
            let from = Month::new(today.year(), today.month() as u8).plus(-11).iso();
            Request::parse(None, Some("custom".into()), Some(from), None)
        }
        period => Request::parse(None, Some(period.into()), None, None),
    };
    let request = Request { scope, ..request.unwrap() };
    let mut samples = Vec::with_capacity(SAMPLES);
    for i in 0..=SAMPLES {
        let started = Instant::now();
        let view = dashboard(state, &viewer, &request).await.expect("dashboard");
        let json = serde_json::to_string(&view).unwrap();
        std::hint::black_box(json);
        if i > 0 {
            samples.push(started.elapsed());
        }
    }
    percentiles(samples)
}

async fn run(name: &str, url: &str, dir: &std::path::Path) {
    eprintln!("{name}: preparing");
    let db = app::db::connect_and_migrate(url).await.expect("database");
    app::demo::load_if_empty(&db).await.expect("demo data");
    let started = Instant::now();
    let (admin, leader, school) = generate(&db, app::db::now()).await;
    eprintln!("  in {:.0}s", started.elapsed().as_secs_f64());
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Measure the steady state, not PostgreSQL's autovacuum working through the
        // million rows just loaded on the same two cores (it doubled the figures).
        let started = Instant::now();
        db.execute_unprepared("VACUUM ANALYZE").await.expect("VACUUM ANALYZE");
        eprintln!("  vacuumed and analysed in {:.0}s", started.elapsed().as_secs_f64());
    }
    let demo_admin = {
        use sea_orm::{ColumnTrait, QueryFilter};
        user::Entity::find().filter(user::Column::Email.eq(app::demo::DEMO_ADMIN)).one(&db).await.unwrap().unwrap().id
    };
    let state = state_for(db, dir);
    let rows: [(&str, Uuid, ScopeRequest, &str); 9] = [
        ("baseline: demo board (65 staff), board", demo_admin, ScopeRequest::Board, "term"),
        ("baseline: demo board (65 staff), board", demo_admin, ScopeRequest::Board, "year"),
        ("baseline: demo board (65 staff), board", demo_admin, ScopeRequest::Board, "12 months"),
        ("5,000 staff: board", admin, ScopeRequest::Board, "term"),
        ("5,000 staff: board", admin, ScopeRequest::Board, "year"),
        ("5,000 staff: board", admin, ScopeRequest::Board, "12 months"),
        ("5,000 staff: one school (leader)", leader, ScopeRequest::School(school), "term"),
        ("5,000 staff: one school (leader)", leader, ScopeRequest::School(school), "year"),
        ("5,000 staff: one school (leader)", leader, ScopeRequest::School(school), "12 months"),
    ];
    for (what, user_id, scope, period) in rows {
        let (p50, p95) = measure(&state, user_id, scope, period).await;
        let period = match period {
            "term" => "this term",
            "year" => "this school year",
            _ => "the last 12 months",
        };
        println!("| {name} | {what} | {period} | {SAMPLES} | {p50:.1} | {p95:.1} |");
    }
}

fn main() {
    // KRING_BENCH_SPANS=1: each dashboard read's time on stderr, split into busy (our
    // code) and idle (waiting for the database).
    if std::env::var("KRING_BENCH_SPANS").is_ok() {
        tracing_subscriber::fmt()
            .with_env_filter("app::dashboard=debug")
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .with_writer(std::io::stderr)
            .init();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        println!("| database | dashboard | period | samples | p50 ms | p95 ms |");
        println!("|---|---|---|---|---|---|");
        let dir = std::env::temp_dir().join(format!("kring-bench-dashboard-{}", Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        if std::env::var("KRING_BENCH_SKIP_SQLITE").is_err() {
            run("SQLite", &format!("sqlite://{}", dir.join("kring.db").display()), &dir).await;
        }
        let postgres = std::env::var("KRING_BENCH_POSTGRES_URL").or_else(|_| std::env::var("KRING_TEST_POSTGRES_URL"));
        if let Ok(admin_url) = postgres {
            let name = format!("kring_bench_{}", Uuid::now_v7().simple());
            let admin = sea_orm::Database::connect(&admin_url).await.expect("PostgreSQL");
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
            let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin_url);
            run("PostgreSQL", &format!("{base}/{name}"), &dir).await;
            if std::env::var("KRING_BENCH_KEEP").is_ok() {
                eprintln!("kept the PostgreSQL database {name}");
            } else {
                let _ = admin.execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)")).await;
            }
        } else {
            eprintln!("PostgreSQL: skipped (set KRING_BENCH_POSTGRES_URL)");
        }
        if std::env::var("KRING_BENCH_KEEP").is_ok() {
            eprintln!("kept the SQLite database in {}", dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&dir);
        }
    });
}
