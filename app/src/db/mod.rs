//! Database access shared by every feature: connecting (SQLite tuned for a server, or
//! PostgreSQL), migrating, write transactions, and the entities that mirror the schema
//! in `migrations/`.

pub mod entities;
pub mod session_store;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
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
    let db = connect(url).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

/// Connects without migrating (see [`connect_and_migrate`]).
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let backend = Backend::from_url(url).map_err(DbErr::Custom)?;
    let mut url = url.to_string();
    if backend == Backend::Sqlite {
        if let Some(path) = sqlite_file_path(&url)
            && let Some(dir) = std::path::Path::new(&path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
        }
        if !url.contains("mode=") && !url.contains(":memory:") {
            url.push_str(if url.contains('?') { "&mode=rwc" } else { "?mode=rwc" });
        }
    }
    let mut options = ConnectOptions::new(url);
    options.sqlx_logging(false).acquire_timeout(Duration::from_secs(10));
    if backend == Backend::Sqlite {
        // An embedded file has no link that can drop: no ping before each query.
        options.max_connections(8).min_connections(1).test_before_acquire(false);
        options.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    } else {
        // Only a connection that sat idle a while is pinged before use.
        options.max_connections(20).test_before_acquire_if_idle_for(Duration::from_secs(30));
    }
    Database::connect(options).await
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
