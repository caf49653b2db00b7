//! Knowledge-base search latency over 10,000 generated artifacts (text with Dutch
//! function words, a long tail of generated words and one domain word in ten, so a
//! query word occurs in a few hundred to a few thousand artifacts), on SQLite and (when
//! `KRING_BENCH_POSTGRES_URL` or `KRING_TEST_POSTGRES_URL` names a server) PostgreSQL.
//! For each backend it prints p50/p95/p99 of a full search as a teacher sees it
//! (visibility, full-text match, ranking, snippets, list rows), beside two baselines
//! measured in the same run: a trivial `SELECT 1` and the newest-first list without
//! search words. Run: `cargo bench -p kring --bench search` (scripts/bench.sh does).

use std::time::{Duration, Instant};

use app::account::session::Viewer;
use app::artifact::domain::{ArtifactForm, Source};
use app::artifact::service::{Filter, insert_artifact, knowledge};
use app::db::entities::{community, user};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};

const ARTIFACTS: usize = 10_000;
const ROUNDS: usize = 10;
const VIEWER: &str = "a.debruin@esdal.test";

const WORDS: &[&str] = &[
    "leerlingen",
    "les",
    "lezen",
    "tekst",
    "rekenen",
    "verhouding",
    "procenten",
    "feedback",
    "formatief",
    "toets",
    "klas",
    "groep",
    "mentor",
    "gesprek",
    "ouders",
    "planning",
    "samenvatten",
    "woordenschat",
    "bronnen",
    "geschiedenis",
    "natuurkunde",
    "eenheden",
    "praktijk",
    "werkplaats",
    "veiligheid",
    "succescriteria",
    "observatie",
    "caseleerling",
    "nabespreking",
    "intervisie",
    "casus",
    "advies",
    "vragen",
    "motivatie",
    "differentiatie",
    "instructie",
    "zelfstandig",
    "samenwerken",
    "reflectie",
    "evaluatie",
    "doelen",
    "criteria",
    "exit",
    "ticket",
    "kijkwijzer",
    "protocol",
    "handreiking",
    "onderzoek",
    "cyclus",
    "lesontwerp",
];
const COMMON: &[&str] =
    &["de", "het", "een", "en", "van", "in", "is", "dat", "op", "te", "met", "voor", "we", "ze", "niet"];
const QUERIES: &[&str] = &[
    "lezen",
    "procenten",
    "feedback formatief",
    "exit ticket",
    "kijkwijzer",
    "rekenen verhouding",
    "mentor gesprek",
    "intervisie casus",
    "veiligheid werkplaats",
    "woordenschat",
    "caseleerling observatie",
    "ouders",
    "differentiatie instructie",
    "lesontwerp cyclus",
    "bron",
    "succes",
    "nabespreking",
    "samenvatten tekst",
    "zelfstandig samenwerken",
    "onbekendwoord",
];

struct Rng(u64);
impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }
    /// `min` to `min + spread - 1` words. Like real text, most words are common
    /// function words or come from a long tail; one in ten is a domain word.
    fn words(&mut self, min: usize, spread: usize) -> String {
        let count = min + self.next(spread);
        (0..count).map(|_| self.word()).collect::<Vec<_>>().join(" ")
    }

    fn word(&mut self) -> String {
        match self.next(10) {
            0 => WORDS[self.next(WORDS.len())].to_string(),
            1..=4 => COMMON[self.next(COMMON.len())].to_string(),
            _ => {
                // A long tail of some 3,000 generated words, the first ones more often.
                let rank = self.next(60) * self.next(50);
                let syllables =
                    ["ka", "ver", "lo", "te", "mi", "ra", "son", "del", "pu", "gen", "ho", "bre", "tin", "wa"];
                let mut word = String::new();
                let mut n = rank + 1;
                while n > 0 {
                    word.push_str(syllables[n % syllables.len()]);
                    n /= syllables.len();
                }
                word
            }
        }
    }
}

async fn prepare(url: &str) -> (DatabaseConnection, Viewer) {
    let db = app::db::connect_and_migrate(url).await.expect("database");
    app::demo::load_if_empty(&db).await.expect("demo data");
    let communities = community::Entity::find().all(&db).await.unwrap();
    let owner = user::Entity::find().filter(user::Column::Email.eq(VIEWER)).one(&db).await.unwrap().unwrap();
    let mut rng = Rng(7);
    let started = Instant::now();
    let kinds = ["lesson_plan", "case_summary", "observation_form", "protocol", "research_report", "how_to", "other"];
    for chunk in 0..(ARTIFACTS / 500) {
        let txn = db.begin().await.unwrap();
        for i in 0..500 {
            let community = &communities[rng.next(communities.len())];
            let count = 3 + rng.next(5);
            let paragraphs: Vec<String> = (0..count).map(|_| rng.words(12, 30)).collect();
            let form = ArtifactForm {
                title: format!("{} {}", rng.words(3, 4), chunk * 500 + i),
                kind: kinds[rng.next(kinds.len())].to_string(),
                body: paragraphs.join("\n\n"),
                tags: rng.words(2, 1).replace(' ', ", "),
                seci_phase: String::new(),
                scope: if rng.next(3) == 0 { "organisation" } else { "community" }.to_string(),
                review_date: String::new(),
            };
            let input = form.validate(Source::Direct, time::Date::MIN).unwrap();
            let now = app::db::now();
            insert_artifact(&txn, community, owner.id, &input, Source::Direct, now + input.kind.review_after(), now)
                .await
                .unwrap();
        }
        txn.commit().await.unwrap();
    }
    eprintln!("  generated {ARTIFACTS} artifacts in {:.1}s", started.elapsed().as_secs_f64());
    let viewer: Viewer = app::account::service::load_viewer(&db, owner.id).await.unwrap().unwrap();
    (db, viewer)
}

fn percentiles(mut samples: Vec<Duration>) -> (f64, f64, f64) {
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 * p).ceil() as usize).saturating_sub(1)].as_secs_f64() * 1000.0;
    (at(0.50), at(0.95), at(0.99))
}

async fn run(name: &str, url: &str) {
    eprintln!("{name}: preparing");
    let (db, viewer) = prepare(url).await;
    let mut baseline = Vec::new();
    let mut listing = Vec::new();
    let mut searching = Vec::new();
    let mut hits = 0;
    for _ in 0..ROUNDS {
        for q in QUERIES {
            let started = Instant::now();
            db.execute_unprepared("SELECT 1").await.unwrap();
            baseline.push(started.elapsed());

            let started = Instant::now();
            knowledge(&db, &viewer, &Filter::default()).await.unwrap();
            listing.push(started.elapsed());

            let filter = Filter::parse(q, "", "", "", "", "");
            let started = Instant::now();
            hits += knowledge(&db, &viewer, &filter).await.unwrap().hits.len();
            searching.push(started.elapsed());
        }
    }
    for (what, samples) in
        [("baseline: SELECT 1", baseline), ("list, newest first", listing), ("full-text search", searching)]
    {
        let n = samples.len();
        let (p50, p95, p99) = percentiles(samples);
        println!("| {name} | {what} | {n} | {p50:.2} | {p95:.2} | {p99:.2} |");
    }
    eprintln!("  {hits} hits over {} searches", ROUNDS * QUERIES.len());
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        println!("| database | query | samples | p50 ms | p95 ms | p99 ms |");
        println!("|---|---|---|---|---|---|");
        let dir = std::env::temp_dir().join(format!("kring-bench-search-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        if std::env::var("KRING_BENCH_SKIP_SQLITE").is_err() {
            run("SQLite", &format!("sqlite://{}", dir.join("kring.db").display())).await;
        }
        let _ = std::fs::remove_dir_all(&dir);
        let postgres = std::env::var("KRING_BENCH_POSTGRES_URL").or_else(|_| std::env::var("KRING_TEST_POSTGRES_URL"));
        if let Ok(admin_url) = postgres {
            let name = format!("kring_bench_{}", uuid::Uuid::now_v7().simple());
            let admin = sea_orm::Database::connect(&admin_url).await.expect("PostgreSQL");
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
            let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin_url);
            run("PostgreSQL", &format!("{base}/{name}")).await;
            if std::env::var("KRING_BENCH_KEEP").is_ok() {
                eprintln!("  kept database {name}");
            } else {
                let _ = admin.execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)")).await;
            }
        } else {
            eprintln!("PostgreSQL: skipped (set KRING_BENCH_POSTGRES_URL)");
        }
    });
}
