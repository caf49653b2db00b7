//! What every request handler and server function can reach: the database, settings,
//! the mailer and the login rate limiter. The server builds it once and provides it as
//! Leptos context and axum state.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use leptos::prelude::*;
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use sea_orm::DatabaseConnection;

use crate::error::AppError;
use crate::intervision::hub::{LocalHub, RoundHub};
use crate::mail::Mailer;

/// Settings the application needs at run time (the server parses them from flags and
/// environment).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Public base URL without trailing slash, used in links sent by email.
    pub public_url: String,
    pub data_dir: PathBuf,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub invitation_valid: Duration,
    pub password_reset_valid: Duration,
    /// Where people enter and read meeting times.
    pub time_zone: jiff::tz::TimeZone,
    /// The largest file one upload may attach.
    pub upload_max_bytes: u64,
    /// What all attached files of one organisation may take together.
    pub storage_quota_bytes: u64,
}

impl Settings {
    pub const DEFAULT_UPLOAD_MAX_BYTES: u64 = 20 * 1024 * 1024;
    pub const DEFAULT_STORAGE_QUOTA_BYTES: u64 = 5 * 1024 * 1024 * 1024;
}

impl Settings {
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub mailer: Mailer,
    pub login_limiter: Arc<LoginLimiter>,
    /// Where attached files are kept.
    pub files: Arc<dyn ObjectStore>,
    /// Tells open round screens that their round changed.
    pub hub: Arc<dyn RoundHub>,
}

impl AppState {
    /// State with files on the local disk, under `files/` in the data directory.
    pub fn new(db: DatabaseConnection, settings: Settings, mailer: Mailer) -> Result<Self, String> {
        let dir = settings.data_dir.join("files");
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let files =
            LocalFileSystem::new_with_prefix(&dir).map_err(|e| format!("file store at {}: {e}", dir.display()))?;
        Ok(Self::with_file_store(db, settings, mailer, Arc::new(files)))
    }

    /// State with another file store (an S3-compatible bucket).
    pub fn with_file_store(
        db: DatabaseConnection,
        settings: Settings,
        mailer: Mailer,
        files: Arc<dyn ObjectStore>,
    ) -> Self {
        Self {
            db,
            settings: Arc::new(settings),
            mailer,
            login_limiter: Arc::new(LoginLimiter::default()),
            files,
            hub: Arc::new(LocalHub::default()),
        }
    }

    /// The state provided to the current server function or page render.
    pub fn get() -> Result<Self, AppError> {
        use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from context");
            AppError::Internal
        })
    }
}

/// Limits login attempts per account and per client address. Both are checked; the
/// longer wait wins.
pub struct LoginLimiter {
    by_account: DefaultKeyedRateLimiter<String>,
    by_address: DefaultKeyedRateLimiter<IpAddr>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        let per = |secs: u64, burst: u32| {
            Quota::with_period(Duration::from_secs(secs))
                .expect("non-zero period")
                .allow_burst(NonZeroU32::new(burst).expect("non-zero burst"))
        };
        Self {
            // Five tries, then one more every minute.
            by_account: RateLimiter::keyed(per(60, 5)),
            // A classroom shares one address: thirty tries, then one every two seconds.
            by_address: RateLimiter::keyed(per(2, 30)),
        }
    }
}

impl LoginLimiter {
    /// Counts one attempt; fails with the time to wait when either limit is reached.
    pub fn check(&self, account: &str, address: Option<IpAddr>) -> Result<(), Duration> {
        let now = DefaultClock::default().now();
        let mut wait = Duration::ZERO;
        if let Err(not_until) = self.by_account.check_key(&account.to_string()) {
            wait = wait.max(not_until.wait_time_from(now));
        }
        if let Some(address) = address
            && let Err(not_until) = self.by_address.check_key(&address)
        {
            wait = wait.max(not_until.wait_time_from(now));
        }
        if wait.is_zero() { Ok(()) } else { Err(wait) }
    }

    /// Forgets keys that are back at full allowance.
    pub fn forget_idle(&self) {
        self.by_account.retain_recent();
        self.by_address.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixth_attempt_on_one_account_waits() {
        let limiter = LoginLimiter::default();
        for _ in 0..5 {
            assert!(limiter.check("a@school.test", None).is_ok());
        }
        let wait = limiter.check("a@school.test", None).unwrap_err();
        assert!(wait > Duration::from_secs(1));
        assert!(limiter.check("b@school.test", None).is_ok(), "other accounts are not affected");
    }

    #[test]
    fn one_address_is_limited_across_accounts() {
        let limiter = LoginLimiter::default();
        let address: IpAddr = "192.0.2.7".parse().unwrap();
        for i in 0..30 {
            assert!(limiter.check(&format!("user{i}@school.test"), Some(address)).is_ok());
        }
        assert!(limiter.check("another@school.test", Some(address)).is_err());
    }
}
