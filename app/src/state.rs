//! What every request handler and server function can reach: the database, settings,
//! the mailer and the login rate limiter. The server builds it once and provides it as
//! Leptos context and axum state.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use leptos::prelude::*;
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use sea_orm::DatabaseConnection;

use crate::error::AppError;
use crate::hub::{LocalHub, RoundHub};
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
    /// How long participation events, notifications and sent mail are kept.
    pub retention: crate::retention::Retention,
    /// Reverse proxies whose `X-Forwarded-For` names the client; none by default.
    pub trusted_proxies: Vec<IpAddr>,
    /// The smallest group of people a leader's dashboard shows a figure for (k, at
    /// least [`crate::shared::MIN_GROUP`]).
    pub min_group: u32,
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
    /// Limits password-reset requests, so nobody floods a mailbox or the outbox.
    pub reset_limiter: Arc<LoginLimiter>,
    /// Limits sign-up requests through shareable links, for the same reason.
    pub sign_up_limiter: Arc<LoginLimiter>,
    /// Where attached files are kept.
    pub files: Arc<dyn ObjectStore>,
    /// Tells open round screens that their round changed.
    pub hub: Arc<dyn RoundHub>,
    /// One personal export per person every few minutes: each reads all their data.
    pub exports: Arc<Cooldown>,
    /// What features keep once per server, such as the live rounds' shared snapshots.
    pub per_server: Arc<PerServer>,
}

impl AppState {
    /// State with files on the local disk, under `files/` in the data directory.
    pub fn new(db: DatabaseConnection, settings: Settings, mailer: Mailer) -> Result<Self, String> {
        let dir = settings.data_dir.join("files");
        create_private_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
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
            reset_limiter: Arc::new(LoginLimiter::for_reset_requests()),
            sign_up_limiter: Arc::new(LoginLimiter::for_sign_up_requests()),
            files,
            hub: Arc::new(LocalHub::default()),
            exports: Arc::new(Cooldown::new(Duration::from_secs(300))),
            per_server: Arc::default(),
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

/// Things one server keeps once, each made on first use by the feature that needs it,
/// so the state needs not know every feature's types.
#[derive(Default)]
pub struct PerServer {
    items: Mutex<HashMap<std::any::TypeId, Arc<dyn std::any::Any + Send + Sync>>>,
}

impl PerServer {
    /// This server's `T`, made with `T::default()` the first time.
    pub fn get<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let mut items = self.items.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let item = items.entry(std::any::TypeId::of::<T>()).or_insert_with(|| Arc::new(T::default()));
        Arc::clone(item).downcast::<T>().unwrap_or_else(|_| unreachable!("kept under its own type"))
    }
}

/// Lets something happen once per key every `every` (in this server's memory).
pub struct Cooldown {
    every: Duration,
    last: Mutex<HashMap<uuid::Uuid, Instant>>,
}

impl Cooldown {
    pub fn new(every: Duration) -> Self {
        Self { every, last: Mutex::new(HashMap::new()) }
    }

    /// Takes the turn of `key`, or fails with how long until its next one.
    pub fn take(&self, key: uuid::Uuid) -> Result<(), Duration> {
        let now = Instant::now();
        let mut last = self.last.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        last.retain(|_, at| now.saturating_duration_since(*at) < self.every);
        if let Some(at) = last.get(&key) {
            return Err(self.every.saturating_sub(now.saturating_duration_since(*at)));
        }
        last.insert(key, now);
        Ok(())
    }
}

/// Limits failed logins per account and per client address; the longer wait wins.
///
/// Each attempt reserves a strike before the password is checked (so a burst of
/// parallel guesses is counted at once) and a successful login gives it back, so a
/// teacher signing in on phone, laptop and classroom screen is never held up. Rate
/// limiter crates only consume capacity, never return it, hence this small bucket.
pub struct LoginLimiter {
    by_account: FailureBucket<String>,
    by_address: FailureBucket<IpAddr>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self {
            // Five failed tries, then one more every minute.
            by_account: FailureBucket::new(5, Duration::from_secs(60)),
            // A whole school may share one address (NAT): a hundred failed tries, then one
            // a second, so someone guessing from inside slows the school down by a second
            // at most and never locks it out.
            by_address: FailureBucket::new(100, Duration::from_secs(1)),
        }
    }
}

impl LoginLimiter {
    /// Password-reset requests: three per address asked for, then one every twenty
    /// minutes; thirty per client address, then one every two minutes. Every request
    /// counts (there is no success to give back).
    pub fn for_reset_requests() -> Self {
        Self {
            by_account: FailureBucket::new(3, Duration::from_secs(20 * 60)),
            by_address: FailureBucket::new(30, Duration::from_secs(120)),
        }
    }

    /// Sign-up requests through a shared link: three per address asked for, then one
    /// every twenty minutes; a hundred per client address (a link goes round a staff
    /// meeting on the school's one address), then one every ten seconds.
    pub fn for_sign_up_requests() -> Self {
        Self {
            by_account: FailureBucket::new(3, Duration::from_secs(20 * 60)),
            by_address: FailureBucket::new(100, Duration::from_secs(10)),
        }
    }

    /// Reserves one attempt; fails with the time to wait when either limit is reached
    /// (then nothing is reserved).
    pub fn begin(&self, account: &str, address: Option<IpAddr>) -> Result<(), Duration> {
        let address = address.map(network_of);
        let now = Instant::now();
        let account = account.to_string();
        let wait_account = self.by_account.wait(&account, now);
        let wait_address = address.map(|a| self.by_address.wait(&a, now)).unwrap_or_default();
        let wait = wait_account.max(wait_address);
        if !wait.is_zero() {
            return Err(wait);
        }
        self.by_account.strike(account, now);
        if let Some(address) = address {
            self.by_address.strike(address, now);
        }
        Ok(())
    }

    /// The attempt begun for `account` from `address` succeeded: its strikes are returned.
    pub fn succeeded(&self, account: &str, address: Option<IpAddr>) {
        let address = address.map(network_of);
        let now = Instant::now();
        self.by_account.forgive(&account.to_string(), now);
        if let Some(address) = address {
            self.by_address.forgive(&address, now);
        }
    }

    /// Forgets keys whose strikes have all leaked away.
    pub fn forget_idle(&self) {
        let now = Instant::now();
        self.by_account.forget_idle(now);
        self.by_address.forget_idle(now);
    }
}

/// The network an address stands for: an IPv6 host has a whole /64 to itself (one
/// person can take any address in it), an IPv4 address is one host.
fn network_of(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        },
        v4 => v4,
    }
}

/// A leaky bucket of strikes per key: `capacity` strikes, one leaks away every `leak`.
struct FailureBucket<K> {
    capacity: f64,
    leak: Duration,
    levels: Mutex<HashMap<K, (f64, Instant)>>,
}

impl<K: Hash + Eq> FailureBucket<K> {
    fn new(capacity: u32, leak: Duration) -> Self {
        Self { capacity: f64::from(capacity), leak, levels: Mutex::new(HashMap::new()) }
    }

    fn level(&self, stored: Option<&(f64, Instant)>, now: Instant) -> f64 {
        stored.map_or(0.0, |(level, at)| {
            (level - now.saturating_duration_since(*at).as_secs_f64() / self.leak.as_secs_f64()).max(0.0)
        })
    }

    fn levels(&self) -> std::sync::MutexGuard<'_, HashMap<K, (f64, Instant)>> {
        self.levels.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How long until one more strike fits.
    fn wait(&self, key: &K, now: Instant) -> Duration {
        let over = self.level(self.levels().get(key), now) - (self.capacity - 1.0);
        if over > 0.0 { self.leak.mul_f64(over) } else { Duration::ZERO }
    }

    fn strike(&self, key: K, now: Instant) {
        let mut levels = self.levels();
        let level = self.level(levels.get(&key), now);
        levels.insert(key, (level + 1.0, now));
    }

    fn forgive(&self, key: &K, now: Instant) {
        let mut levels = self.levels();
        if let Some(stored) = levels.get_mut(key) {
            *stored = ((self.level(Some(stored), now) - 1.0).max(0.0), now);
        }
    }

    fn forget_idle(&self, now: Instant) {
        let leak = self.leak.as_secs_f64();
        self.levels().retain(|_, (level, at)| *level - now.saturating_duration_since(*at).as_secs_f64() / leak > 0.0);
    }
}

/// Creates `dir` and its missing parents readable by this user only (attached files,
/// the mail outbox, the database): other accounts on the machine see nothing. A folder
/// that exists already keeps its permissions.
pub fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "a@school.test";

    #[test]
    fn sixth_failed_attempt_on_one_account_waits() {
        let limiter = LoginLimiter::default();
        for _ in 0..5 {
            assert!(limiter.begin(ACCOUNT, None).is_ok());
        }
        let wait = limiter.begin(ACCOUNT, None).unwrap_err();
        assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60), "{wait:?}");
        assert!(limiter.begin("b@school.test", None).is_ok(), "other accounts are not affected");
    }

    #[test]
    fn successful_logins_do_not_count() {
        let limiter = LoginLimiter::default();
        let address: IpAddr = "192.0.2.7".parse().unwrap();
        for _ in 0..50 {
            assert!(limiter.begin(ACCOUNT, Some(address)).is_ok());
            limiter.succeeded(ACCOUNT, Some(address));
        }
        for _ in 0..5 {
            assert!(limiter.begin(ACCOUNT, Some(address)).is_ok());
        }
        assert!(limiter.begin(ACCOUNT, Some(address)).is_err(), "failures still count after successes");
    }

    #[test]
    fn one_address_is_limited_across_accounts_but_a_school_is_never_locked_out() {
        let limiter = LoginLimiter::default();
        let address: IpAddr = "192.0.2.7".parse().unwrap();
        for i in 0..100 {
            assert!(limiter.begin(&format!("user{i}@school.test"), Some(address)).is_ok());
        }
        let wait = limiter.begin("another@school.test", Some(address)).unwrap_err();
        assert!(wait <= Duration::from_secs(1), "a second at most: {wait:?}");
        assert!(limiter.begin("another@school.test", None).is_ok(), "the account itself is not limited");
    }

    #[test]
    fn an_ipv6_network_counts_as_one_address() {
        let limiter = LoginLimiter::default();
        for i in 0..100u32 {
            let address: IpAddr = format!("2001:db8:1:2:{:x}::{:x}", i, i + 1).parse().unwrap();
            assert!(limiter.begin(&format!("user{i}@school.test"), Some(address)).is_ok());
        }
        let same_network: IpAddr = "2001:db8:1:2:ffff::1".parse().unwrap();
        assert!(limiter.begin("x@school.test", Some(same_network)).is_err(), "the /64 is one address");
        let other_network: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(limiter.begin("x@school.test", Some(other_network)).is_ok());
        assert_eq!(network_of("::ffff:192.0.2.7".parse().unwrap()), "192.0.2.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn strikes_leak_away() {
        let bucket = FailureBucket::new(2, Duration::from_secs(60));
        let start = Instant::now();
        bucket.strike("k", start);
        bucket.strike("k", start);
        assert!(bucket.wait(&"k", start) > Duration::from_secs(59));
        let later = start + Duration::from_secs(61);
        assert_eq!(bucket.wait(&"k", later), Duration::ZERO);
        bucket.forget_idle(start + Duration::from_secs(121));
        assert!(bucket.levels().is_empty());
    }
}
