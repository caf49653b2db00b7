//! Memory of a personal data export (`/me/export.zip`) as the number of files grows.
//! One teacher uploads N files of 1 MiB (random, so nothing compresses) to an artifact;
//! the export is written and read to the end as a download would, while the server
//! process's resident memory is sampled. Printed per N: the archive's size and the
//! peak rise in resident memory over the same process before the export (the
//! baseline). Bounded memory means the rise stays flat as N grows.
//! Run: `cargo bench -p kring --bench export` (scripts/bench.sh does).

use std::time::Instant;

use app::db::entities::{artifact, artifact_file, user};
use app::mail::Mailer;
use app::state::{AppState, Settings};
use object_store::ObjectStoreExt;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

const TEACHER: &str = "a.debruin@esdal.test";
const MIB: usize = 1024 * 1024;

/// Resident memory of this process, in MiB.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

async fn state_in(dir: &std::path::Path) -> AppState {
    let url = format!("sqlite://{}", dir.join("kring.db").display());
    let db = app::db::connect_and_migrate(&url).await.expect("database");
    app::demo::load_if_empty(&db).await.expect("demo data");
    let settings = Settings {
        public_url: "http://127.0.0.1".into(),
        data_dir: dir.to_path_buf(),
        session_idle: std::time::Duration::from_secs(3600),
        session_absolute: std::time::Duration::from_secs(86_400),
        invitation_valid: std::time::Duration::from_secs(86_400),
        password_reset_valid: std::time::Duration::from_secs(3600),
        time_zone: jiff::tz::TimeZone::UTC,
        upload_max_bytes: 20 * MIB as u64,
        storage_quota_bytes: 100 * 1024 * MIB as u64,
        min_group: app::dashboard::privacy::MIN_GROUP,
        retention: app::retention::Retention::default(),
        trusted_proxies: Vec::new(),
    };
    let mailer = Mailer::outbox(dir.join("outbox"), "Kring <kring@localhost>".parse().unwrap()).unwrap();
    AppState::new(db, settings, mailer).expect("state")
}

/// Gives the teacher `count` more files of 1 MiB each.
async fn add_files(state: &AppState, teacher: &user::Model, count: usize, seed: &mut u64) {
    let artifact = artifact::Entity::find()
        .filter(artifact::Column::OwnerId.eq(teacher.id))
        .one(&state.db)
        .await
        .unwrap()
        .expect("the teacher owns a demo artifact");
    for _ in 0..count {
        let bytes: Vec<u8> = (0..MIB)
            .map(|_| {
                *seed ^= *seed << 13;
                *seed ^= *seed >> 7;
                *seed ^= *seed << 17;
                *seed as u8
            })
            .collect();
        let key = uuid::Uuid::now_v7().to_string();
        state
            .files
            .put(&object_store::path::Path::from(format!("artifacts/{key}")), bytes.into())
            .await
            .expect("store a file");
        artifact_file::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            artifact_id: Set(artifact.id),
            organisation_id: Set(artifact.organisation_id),
            name: Set("werkblad.pdf".into()),
            content_type: Set("application/pdf".into()),
            size_bytes: Set(MIB as i64),
            storage_key: Set(key),
            uploaded_by: Set(Some(teacher.id)),
            created_at: Set(app::db::now()),
        }
        .insert(&state.db)
        .await
        .unwrap();
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let state = state_in(dir.path()).await;
        let teacher =
            user::Entity::find().filter(user::Column::Email.eq(TEACHER)).one(&state.db).await.unwrap().unwrap();
        let viewer = app::account::service::load_viewer(&state.db, teacher.id).await.unwrap().unwrap();
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        println!("| files of 1 MiB | archive MiB | seconds | RSS before MiB | peak RSS during MiB | rise MiB |");
        println!("|---:|---:|---:|---:|---:|---:|");
        let mut have = 0;
        for files in [0usize, 10, 100, 300] {
            add_files(&state, &teacher, files - have, &mut seed).await;
            have = files;
            let before = rss_mib();
            let started = Instant::now();
            let mut receiver = app::privacy::export::stream(&state, &viewer).await.expect("export");
            let (mut bytes, mut peak) = (0usize, before);
            while let Some(chunk) = receiver.recv().await {
                bytes += chunk.len();
                peak = peak.max(rss_mib());
            }
            println!(
                "| {files} | {:.1} | {:.2} | {before:.1} | {peak:.1} | {:.1} |",
                bytes as f64 / MIB as f64,
                started.elapsed().as_secs_f64(),
                peak - before
            );
        }
    });
}
