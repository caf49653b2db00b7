//! Configuration from flags and environment, following the usual names
//! (`DATABASE_URL`, `LEPTOS_SITE_ADDR`, `SMTP_*`). Every problem is reported as one
//! line naming the setting.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "kring", version, about = "Kring: a home for teachers' professional learning communities")]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve Kring over HTTP (the default). Applies pending migrations first; loads the
    /// demo board into an empty database only with --demo (refused on an https public
    /// URL: every demo account has a published password).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo school board into an empty database and exit.
    Demo,
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// teacher, leader or admin
        #[arg(long)]
        role: String,
        /// Slug of the school or board; optional when there is exactly one board.
        #[arg(long)]
        org: Option<String>,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Database URL: sqlite://path (created if missing) or postgres://user@host/db.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/kring.db", global = true)]
    pub database_url: String,
    /// The most database connections this server keeps open at once; by default twice
    /// its cores (at least 4, at most 20).
    #[arg(long, env = "KRING_DB_CONNECTIONS", global = true)]
    pub db_connections: Option<u32>,
    /// Address to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000", global = true)]
    pub addr: String,
    /// Public base URL as people reach Kring (used in emailed links); defaults to http://ADDR.
    #[arg(long, env = "KRING_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Folder for the signing secret, the mail outbox and other files.
    #[arg(long, env = "KRING_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// Secret for signing cookies (at least 64 characters); generated and stored in
    /// the data folder when absent.
    #[arg(long, env = "KRING_SECRET", hide_env_values = true, global = true)]
    pub secret: Option<String>,
    /// Minutes without activity after which a session ends.
    #[arg(long, env = "KRING_SESSION_IDLE_MINUTES", default_value_t = 720, global = true)]
    pub session_idle_minutes: u64,
    /// Hours after sign-in after which a session ends regardless of activity.
    #[arg(long, env = "KRING_SESSION_ABSOLUTE_HOURS", default_value_t = 336, global = true)]
    pub session_absolute_hours: u64,
    /// SMTP server; without it mail goes to the outbox folder.
    #[arg(long, env = "SMTP_HOST", global = true)]
    pub smtp_host: Option<String>,
    #[arg(long, env = "SMTP_PORT", global = true)]
    pub smtp_port: Option<u16>,
    #[arg(long, env = "SMTP_USERNAME", global = true)]
    pub smtp_username: Option<String>,
    #[arg(long, env = "SMTP_PASSWORD", hide_env_values = true, global = true)]
    pub smtp_password: Option<String>,
    /// starttls, tls or none.
    #[arg(long, env = "SMTP_SECURITY", default_value = "starttls", global = true)]
    pub smtp_security: String,
    /// Sender of Kring's mail.
    #[arg(long, env = "MAIL_FROM", default_value = "Kring <kring@localhost>", global = true)]
    pub mail_from: String,
    /// Time zone in which people enter and read meeting times (an IANA name).
    #[arg(long, env = "KRING_TIME_ZONE", default_value = "Europe/Amsterdam", global = true)]
    pub time_zone: String,
    /// The largest file one upload may attach, in megabytes.
    #[arg(long, env = "KRING_UPLOAD_MAX_MB", default_value_t = 20, global = true)]
    pub upload_max_mb: u64,
    /// What all files of one organisation may take together, in megabytes.
    #[arg(long, env = "KRING_STORAGE_QUOTA_MB", default_value_t = 5120, global = true)]
    pub storage_quota_mb: u64,
    /// The smallest group of people a leader's dashboard shows a figure for (k):
    /// smaller groups, and figures that would give them away, are hidden. At least 5.
    #[arg(long, env = "KRING_DASHBOARD_MIN_GROUP", default_value_t = app::dashboard::privacy::MIN_GROUP, global = true)]
    pub dashboard_min_group: u32,
    /// Keep attached files in this S3-compatible bucket instead of the data directory
    /// (credentials and region from the usual AWS_* variables).
    #[arg(long, env = "KRING_S3_BUCKET", global = true)]
    pub s3_bucket: Option<String>,
    /// The S3 endpoint, for stores other than Amazon's (MinIO, Garage, Ceph).
    #[arg(long, env = "KRING_S3_ENDPOINT", global = true)]
    pub s3_endpoint: Option<String>,
    /// Load the demo board into an empty database when serving (never on an https
    /// public URL). Without it `kring serve` loads nothing.
    #[arg(long, env = "KRING_DEMO", value_parser = clap::builder::FalseyValueParser::new(), global = true)]
    pub demo: bool,
    /// Days participation events are kept (at least 90: levels read that far back).
    #[arg(long, env = "KRING_KEEP_EVENTS_DAYS", default_value_t = 730, global = true)]
    pub keep_events_days: u64,
    /// Days notifications are kept.
    #[arg(long, env = "KRING_KEEP_NOTIFICATIONS_DAYS", default_value_t = 180, global = true)]
    pub keep_notifications_days: u64,
    /// Days mail written to the outbox folder is kept.
    #[arg(long, env = "KRING_KEEP_SENT_MAIL_DAYS", default_value_t = 30, global = true)]
    pub keep_sent_mail_days: u64,
    /// Addresses of reverse proxies in front of Kring, comma-separated: only their
    /// `X-Forwarded-For` is believed when limiting sign-in attempts per address.
    #[arg(long, env = "KRING_TRUSTED_PROXIES", default_value = "", global = true)]
    pub trusted_proxies: String,
}

impl Config {
    /// The listen address. Fails with a line naming `LEPTOS_SITE_ADDR`.
    pub fn socket_addr(&self) -> Result<SocketAddr, String> {
        self.addr
            .parse()
            .map_err(|_| format!("LEPTOS_SITE_ADDR must be an address like 127.0.0.1:3000 (got {:?})", self.addr))
    }

    /// The time zone. Fails with a line naming `KRING_TIME_ZONE`.
    pub fn time_zone(&self) -> Result<jiff::tz::TimeZone, String> {
        jiff::tz::TimeZone::get(&self.time_zone).map_err(|e| {
            format!("KRING_TIME_ZONE must name a time zone like Europe/Amsterdam (got {:?}): {e}", self.time_zone)
        })
    }

    /// The trusted proxies. Fails with a line naming the setting.
    pub fn trusted_proxies(&self) -> Result<Vec<std::net::IpAddr>, String> {
        self.trusted_proxies
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| {
                a.parse().map_err(|_| format!("KRING_TRUSTED_PROXIES must list IP addresses like 10.0.0.2 (got {a:?})"))
            })
            .collect()
    }

    /// The retention periods. Fails with a line naming the setting.
    pub fn retention(&self) -> Result<app::retention::Retention, String> {
        app::retention::Retention::from_days(
            self.keep_events_days,
            self.keep_notifications_days,
            self.keep_sent_mail_days,
        )
    }

    /// The upload limits in bytes. Fails with a line naming the setting when zero.
    pub fn upload_limits(&self) -> Result<(u64, u64), String> {
        if self.upload_max_mb == 0 {
            return Err("KRING_UPLOAD_MAX_MB must be at least 1".into());
        }
        if self.storage_quota_mb < self.upload_max_mb {
            return Err("KRING_STORAGE_QUOTA_MB must be at least KRING_UPLOAD_MAX_MB".into());
        }
        Ok((self.upload_max_mb * 1024 * 1024, self.storage_quota_mb * 1024 * 1024))
    }

    /// k for the leaders' dashboards; below the minimum is refused, not raised quietly.
    pub fn min_group(&self) -> Result<u32, String> {
        let min = app::dashboard::privacy::MIN_GROUP;
        if self.dashboard_min_group < min {
            return Err(format!("KRING_DASHBOARD_MIN_GROUP must be at least {min}"));
        }
        Ok(self.dashboard_min_group)
    }

    /// The public URL without trailing slash. Fails with a line naming `KRING_PUBLIC_URL`.
    /// Demo data carries a published password: never on a public (https) deployment.
    pub fn allows_demo(&self) -> Result<(), String> {
        if self.public_url()?.starts_with("https://") {
            return Err("demo data is refused when KRING_PUBLIC_URL is https: every demo account has a published \
                        password"
                .into());
        }
        Ok(())
    }

    pub fn public_url(&self) -> Result<String, String> {
        let url = match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.addr),
        };
        if url.starts_with("http://") || url.starts_with("https://") {
            Ok(url)
        } else {
            Err(format!("KRING_PUBLIC_URL must start with http:// or https:// (got {url:?})"))
        }
    }

    pub fn session_idle(&self) -> Duration {
        Duration::from_secs(self.session_idle_minutes.max(1) * 60)
    }

    pub fn session_absolute(&self) -> Duration {
        Duration::from_secs(self.session_absolute_hours.max(1) * 3600)
    }

    /// The signing secret: from `KRING_SECRET`, else from `<data>/secret.key`, created on
    /// first start. Fails with a line naming the setting or the file.
    pub fn signing_secret(&self) -> Result<Vec<u8>, String> {
        if let Some(secret) = &self.secret {
            if secret.len() < 64 {
                return Err("KRING_SECRET must be at least 64 characters long".into());
            }
            return Ok(secret.as_bytes().to_vec());
        }
        let path = self.data_dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => hex::decode(text.trim())
                .ok()
                .filter(|bytes| bytes.len() >= 64)
                .ok_or_else(|| format!("{} is not a valid secret; delete it to generate a new one", path.display())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                use rand::RngCore;
                let mut bytes = vec![0u8; 64];
                rand::rngs::OsRng.fill_bytes(&mut bytes);
                app::state::create_private_dir(&self.data_dir)
                    .map_err(|e| format!("KRING_DATA_DIR {} cannot be created: {e}", self.data_dir.display()))?;
                write_private(&path, &hex::encode(&bytes))
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                tracing::info!(file = %path.display(), "generated a new signing secret");
                Ok(bytes)
            }
            Err(err) => Err(format!("cannot read {}: {err}", path.display())),
        }
    }
}

fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(args: &[&str]) -> Config {
        let mut all = vec!["kring"];
        all.extend_from_slice(args);
        Cli::parse_from(all).config
    }

    #[test]
    fn invalid_address_names_the_setting() {
        let err = config(&["--addr", "nowhere"]).socket_addr().unwrap_err();
        assert!(err.starts_with("LEPTOS_SITE_ADDR"), "{err}");
    }

    #[test]
    fn public_url_defaults_to_the_address() {
        assert_eq!(config(&["--addr", "127.0.0.1:4000"]).public_url().unwrap(), "http://127.0.0.1:4000");
        let err = config(&["--public-url", "kring.school.nl"]).public_url().unwrap_err();
        assert!(err.starts_with("KRING_PUBLIC_URL"), "{err}");
    }

    #[test]
    fn demo_data_is_asked_for_and_never_on_https() {
        let cli = |args: &[&str]| Cli::parse_from(std::iter::once("kring").chain(args.iter().copied()));
        assert!(!cli(&[]).config.demo, "serving alone loads no demo data");
        assert!(cli(&["serve", "--demo"]).config.demo);
        assert!(cli(&["--demo"]).config.demo, "serve is the default command");
        let https = cli(&["--demo", "--public-url", "https://kring.school.example"]).config;
        assert!(https.allows_demo().unwrap_err().contains("refused"));
    }

    #[test]
    fn short_secret_is_refused() {
        let err = config(&["--secret", "short"]).signing_secret().unwrap_err();
        assert!(err.starts_with("KRING_SECRET"), "{err}");
    }

    #[test]
    fn secret_is_generated_once_and_reused() {
        let dir = std::env::temp_dir().join(format!("kring-secret-{}", uuid::Uuid::now_v7()));
        let cfg = config(&["--data-dir", dir.to_str().unwrap()]);
        let first = cfg.signing_secret().unwrap();
        assert_eq!(cfg.signing_secret().unwrap(), first);
        assert_eq!(first.len(), 64);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
