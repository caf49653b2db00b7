//! Database access shared by every feature: connecting (SQLite tuned for a server, or
//! PostgreSQL), migrating, write transactions, and the entities that mirror the schema
//! in `migrations/`.

pub mod entities;
pub mod lease;
pub mod session_store;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{LockedSqliteHandle, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

/// Which database a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Fails with a message naming `DATABASE_URL` for anything but sqlite:// and postgres://.
    pub fn from_url(url: &str) -> Result<Self, String> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(format!("DATABASE_URL must start with sqlite:// or postgres:// (got {url:?})"))
        }
    }
}

/// Connects and applies pending migrations.
///
/// SQLite runs in WAL mode with `synchronous = FULL` (a committed write survives a
/// killed process and a power cut), foreign keys on and a busy timeout, so concurrent
/// writers wait instead of failing. Fails when the database cannot be opened or a
/// migration fails.
pub async fn connect_and_migrate(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_and_migrate_with(url, None).await
}

/// As [`connect_and_migrate`], with at most `connections` open at once (else
/// [`default_connections`]).
pub async fn connect_and_migrate_with(url: &str, connections: Option<u32>) -> Result<DatabaseConnection, DbErr> {
    let db = connect_with(url, connections).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

/// How many connections a server keeps at most by default: twice the cores it runs
/// on, at least 4 and at most 20. More connections than the cores can serve only
/// queue for them: on a 2-core machine a pool of 4 instead of 20 took the step of a
/// hundred rounds at once on two servers from p99 100–155 ms to 75–80 ms
/// (docs/live-rounds.md "Speed"). A database on a bigger machine of its own may take
/// more: `--db-connections`.
pub fn default_connections() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
    (2 * cores).clamp(4, 20)
}

/// Rows a SQLite connection's thread may queue before it waits for the reader.
const SQLITE_ROW_BUFFER: usize = 1024;

/// Connects without migrating (see [`connect_and_migrate`]).
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_with(url, None).await
}

async fn connect_with(url: &str, connections: Option<u32>) -> Result<DatabaseConnection, DbErr> {
    let connections = connections.unwrap_or_else(default_connections).max(2);
    let backend = Backend::from_url(url).map_err(DbErr::Custom)?;
    let mut url = url.to_string();
    if backend == Backend::Sqlite {
        if let Some(path) = sqlite_file_path(&url)
            && let Some(dir) = std::path::Path::new(&path).parent()
            && !dir.as_os_str().is_empty()
        {
            crate::state::create_private_dir(dir)
                .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
        }
        if !url.contains("mode=") && !url.contains(":memory:") {
            url.push_str(if url.contains('?') { "&mode=rwc" } else { "?mode=rwc" });
        }
    }
    if backend == Backend::Sqlite {
        static GLOBAL_SETTINGS: std::sync::Once = std::sync::Once::new();
        GLOBAL_SETTINGS.call_once(without_memory_statistics);
    }
    let mut options = ConnectOptions::new(url);
    options.sqlx_logging(false).acquire_timeout(Duration::from_secs(10));
    if backend == Backend::Sqlite {
        // An embedded file has no link that can drop: no ping before each query.
        options.max_connections(connections).min_connections(1).test_before_acquire(false);
        options.map_sqlx_sqlite_pool_opts(|pool| {
            pool.after_connect(|conn, _| {
                Box::pin(async move {
                    let mut handle = conn.lock_handle().await?;
                    nap_while_busy(&mut handle);
                    stable_query_plans(&mut handle)
                })
            })
        });
        options.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(BUSY_WAIT)
                // Deleted and overwritten text is zeroed in the file, not left in free pages.
                .pragma("secure_delete", "ON")
                // Rows come from the connection's own thread through a bounded channel;
                // once it is full, every further row costs two thread switches. A page's
                // longest read fits whole (the queue grows only as far as it is used).
                .row_buffer_size(SQLITE_ROW_BUFFER)
        });
    } else {
        // Only a connection that sat idle a while is pinged before use.
        options.max_connections(connections).test_before_acquire_if_idle_for(Duration::from_secs(30));
    }
    Database::connect(options).await
}

/// Turns off SQLite's process-wide memory statistics, which we never read: with them on,
/// every allocation of every connection takes one global mutex, and under load the
/// connections' threads queue on it. Possible only before SQLite's first connection;
/// later (another database opened first in the same process) it changes nothing.
fn without_memory_statistics() {
    // SAFETY: called once, before this process opens a connection through us;
    // MEMSTATUS takes one int. SQLite refuses (SQLITE_MISUSE) once it has started.
    let rc = unsafe { libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS, 0 as std::ffi::c_int) };
    if rc != libsqlite3_sys::SQLITE_OK {
        tracing::debug!(rc, "SQLite had started; its memory statistics stay on");
    }
}

/// How long a SQLite writer waits for the write lock before it gives up (`SQLITE_BUSY`).
const BUSY_WAIT: Duration = Duration::from_secs(10);
/// The waiting writer looks again this often.
const BUSY_NAP: Duration = Duration::from_micros(200);

/// Makes one connection wait for SQLite's write lock in short naps. SQLite's own busy
/// timeout sleeps longer and longer (up to 100 ms at a time), so when many writers
/// arrive at once the lock sits free while they sleep; a round whose hundred leads
/// step at the same moment then waits for the sleeping, not for the writing. The naps
/// happen on the connection's own thread, never on the async runtime's.
fn nap_while_busy(handle: &mut LockedSqliteHandle<'_>) {
    extern "C" fn nap(_: *mut std::ffi::c_void, tries: std::ffi::c_int) -> std::ffi::c_int {
        if BUSY_NAP.saturating_mul(tries.max(0) as u32) >= BUSY_WAIT {
            return 0;
        }
        std::thread::sleep(BUSY_NAP);
        1
    }
    // SAFETY: the locked handle guarantees no other call uses this connection meanwhile;
    // the handler is a plain function that keeps no state (its argument is unused).
    unsafe {
        libsqlite3_sys::sqlite3_busy_handler(handle.as_raw_handle().as_ptr(), Some(nap), std::ptr::null_mut());
    }
}

/// Turns on SQLite's query planner stability guarantee for one connection.
///
/// Without it SQLite plans some statements by the values bound to them (any `LIMIT ?`,
/// which sea-orm binds for every `.one()` and `.limit(n)`, and `LIKE ?`), and then
/// compiles such a statement anew each time it runs: the statement cache saves nothing
/// and a page spends a tenth of its time in SQLite's parser. With it every cached
/// statement keeps its plan; our queries' plans never depend on those values.
fn stable_query_plans(handle: &mut LockedSqliteHandle<'_>) -> Result<(), sea_orm::sqlx::Error> {
    match query_plan_stability(handle, 1) {
        Ok(true) => Ok(()),
        failed => {
            Err(sea_orm::sqlx::Error::Configuration(format!("SQLite refused stable query plans ({failed:?})").into()))
        }
    }
}

/// Sets SQLite's query planner stability guarantee (`1` on, `0` off, `-1` leaves it) and
/// returns whether it is on afterwards, or SQLite's error code.
fn query_plan_stability(handle: &mut LockedSqliteHandle<'_>, set: std::ffi::c_int) -> Result<bool, std::ffi::c_int> {
    let mut on: std::ffi::c_int = 0;
    // SAFETY: the locked handle guarantees no other call uses this connection meanwhile;
    // ENABLE_QPSG takes an int and a pointer that receives the setting after the call.
    let rc = unsafe {
        libsqlite3_sys::sqlite3_db_config(
            handle.as_raw_handle().as_ptr(),
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            set,
            &mut on as *mut std::ffi::c_int,
        )
    };
    if rc == libsqlite3_sys::SQLITE_OK { Ok(on == 1) } else { Err(rc) }
}

/// Whether a pooled SQLite connection keeps stable query plans (for tests). Fails on
/// any other database.
pub async fn has_stable_query_plans(db: &DatabaseConnection) -> Result<bool, DbErr> {
    if db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        return Err(DbErr::Custom("query plan stability is a SQLite setting".into()));
    }
    let mut conn = db.get_sqlite_connection_pool().acquire().await.map_err(|e| DbErr::Custom(e.to_string()))?;
    let mut handle = conn.lock_handle().await.map_err(|e| DbErr::Custom(e.to_string()))?;
    query_plan_stability(&mut handle, -1).map_err(|rc| DbErr::Custom(format!("SQLite error code {rc}")))
}

/// Whether SQLite counts the memory it uses (for tests): with the statistics off (see
/// [`connect`]), its count stays at zero however much it allocates.
pub fn sqlite_counts_memory() -> bool {
    // SAFETY: a plain read of SQLite's process-wide counter.
    unsafe { libsqlite3_sys::sqlite3_memory_used() > 0 }
}

/// The file behind a `sqlite://` URL, if it names one.
pub fn sqlite_file_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| path.to_string())
}

/// Starts a write transaction. On SQLite it begins `IMMEDIATE`, taking the write lock
/// up front, so two concurrent writers queue on the busy timeout instead of one
/// failing halfway.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Starts a transaction for a page that reads many tables. Its statements share one
/// pooled connection: sqlx tests every connection it gets back with a round trip to
/// the database, once per statement otherwise. On SQLite they also see one moment of
/// the data (PostgreSQL's default isolation takes a snapshot per statement).
pub async fn begin_read(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin().await
}

/// After confidential text was deleted: on SQLite, copies the write-ahead log into
/// the database file and empties it, so the old text is in neither (with
/// `secure_delete` the freed space is zeroed). PostgreSQL keeps dead row versions
/// until VACUUM reclaims them (autovacuum, usually within minutes; see
/// docs/privacy.md). A failure is logged: the text is gone from every query already.
pub async fn forget_deleted(db: &DatabaseConnection) {
    if db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        return;
    }
    use sea_orm::ConnectionTrait;
    if let Err(error) = db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await {
        tracing::warn!(%error, "could not checkpoint the write-ahead log after a purge");
    }
}

/// The current time, truncated to whole microseconds so it round-trips through both
/// databases unchanged.
pub fn now() -> time::OffsetDateTime {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1000 * 1000).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_backends_from_url() {
        assert_eq!(Backend::from_url("sqlite://data/kring.db"), Ok(Backend::Sqlite));
        assert_eq!(Backend::from_url("postgres://u@h/db"), Ok(Backend::Postgres));
        assert!(Backend::from_url("mysql://x").unwrap_err().contains("DATABASE_URL"));
    }

    #[test]
    fn finds_the_sqlite_file() {
        assert_eq!(sqlite_file_path("sqlite://data/kring.db?mode=rwc").as_deref(), Some("data/kring.db"));
        assert_eq!(sqlite_file_path("sqlite::memory:"), None);
    }
}
