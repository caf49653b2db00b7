//! Turning configuration into a running application, and the CLI's one-off commands
//! (migrate, demo, user create). Every failure is one line naming what to fix.

use std::io::Read;

use app::account::domain::{Language, NAME_MAX, Role, normalise_email, validate_email, validate_password};
use app::account::service::{NewStaffMember, find_user_by_email, hash_password, insert_staff_member};
use app::db::entities::organisation;
use app::db::{begin_write, now};
use app::mail::{Mailer, SmtpSettings};
use app::shared::text::validate_text;
use app::state::{AppState, Settings};
use leptos::config::LeptosOptions;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::config::Config;

/// Connects to the database (applying migrations) and assembles the state.
pub async fn app_state(config: &Config) -> Result<AppState, String> {
    let db = connect(config).await?;
    let public_url = config.public_url()?;
    let from = config.mail_from.parse().map_err(|_| {
        format!("MAIL_FROM must be a mail address like 'Kring <kring@school.nl>' (got {:?})", config.mail_from)
    })?;
    let mailer = match &config.smtp_host {
        Some(host) => Mailer::smtp(
            &SmtpSettings {
                host: host.clone(),
                port: config.smtp_port,
                username: config.smtp_username.clone(),
                password: config.smtp_password.clone(),
                security: config.smtp_security.clone(),
            },
            from,
        )?,
        None => {
            let dir = config.data_dir.join("outbox");
            Mailer::outbox(dir.clone(), from)
                .map_err(|e| format!("KRING_DATA_DIR: cannot create the mail outbox {}: {e}", dir.display()))?
        }
    };
    let (upload_max_bytes, storage_quota_bytes) = config.upload_limits()?;
    let settings = Settings {
        public_url,
        data_dir: config.data_dir.clone(),
        session_idle: config.session_idle(),
        session_absolute: config.session_absolute(),
        invitation_valid: std::time::Duration::from_secs(14 * 86_400),
        password_reset_valid: std::time::Duration::from_secs(3600),
        time_zone: config.time_zone()?,
        upload_max_bytes,
        storage_quota_bytes,
        retention: config.retention()?,
        trusted_proxies: config.trusted_proxies()?,
        min_group: config.min_group()?,
    };
    let mut state = match &config.s3_bucket {
        Some(bucket) => {
            let mut builder = object_store::aws::AmazonS3Builder::from_env().with_bucket_name(bucket);
            if let Some(endpoint) = &config.s3_endpoint {
                builder = builder.with_endpoint(endpoint).with_allow_http(endpoint.starts_with("http://"));
            }
            let store = builder.build().map_err(|e| format!("KRING_S3_BUCKET {bucket}: {e}"))?;
            AppState::with_file_store(db, settings, mailer, std::sync::Arc::new(store))
        }
        None => AppState::new(db, settings, mailer).map_err(|e| format!("KRING_DATA_DIR: {e}"))?,
    };
    // On PostgreSQL several servers may share the database: rounds are announced to all.
    if app::db::Backend::from_url(&config.database_url)? == app::db::Backend::Postgres {
        state.hub = std::sync::Arc::new(app::hub::PostgresHub::start(&config.database_url, state.db.clone()));
    }
    Ok(state)
}

pub async fn connect(config: &Config) -> Result<DatabaseConnection, String> {
    app::db::Backend::from_url(&config.database_url)?;
    app::db::connect_and_migrate_with(&config.database_url, config.db_connections)
        .await
        .map_err(|e| format!("DATABASE_URL {}: {e}", redact(&config.database_url)))
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Leptos' options: what cargo-leptos compiled in, with our listen address.
pub fn leptos_options(config: &Config) -> Result<LeptosOptions, String> {
    let addr = config.socket_addr()?;
    let mut options = leptos::config::get_configuration(None)
        .map_err(|e| format!("LEPTOS_* settings are invalid: {e}"))?
        .leptos_options;
    if options.output_name.is_empty() {
        options.output_name = "kring".into();
    }
    options.site_addr = addr;
    Ok(options)
}

/// `kring demo`: loads the demo board into an empty database.
pub async fn load_demo(db: &DatabaseConnection) -> Result<bool, String> {
    app::demo::load_if_empty(db).await.map_err(|e| format!("loading demo data failed: {e}"))
}

/// `kring user create`.
pub async fn create_user(
    db: &DatabaseConnection,
    email: &str,
    name: &str,
    role: &str,
    org: Option<&str>,
    mut stdin: impl Read,
) -> Result<Uuid, String> {
    let role = Role::parse(role).map_err(|_| format!("--role must be teacher, leader or admin (got {role:?})"))?;
    validate_email(email).map_err(|_| format!("--email {email:?} is not a valid email address"))?;
    validate_text(name, NAME_MAX).map_err(|_| format!("--name must be 1 to {NAME_MAX} characters"))?;
    let mut password = String::new();
    stdin.read_to_string(&mut password).map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    validate_password(&password)
        .map_err(|_| "the password on standard input must be 10 to 128 characters".to_string())?;

    let email = normalise_email(email);
    if find_user_by_email(db, &email).await.map_err(|e| e.to_string())?.is_some() {
        return Err(format!("--email: an account for {email} already exists"));
    }
    let organisation = find_or_create_org(db, org).await?;
    let hash = hash_password(password).await.map_err(|e| e.to_string())?;
    let txn = begin_write(db).await.map_err(|e| e.to_string())?;
    let user = insert_staff_member(
        &txn,
        NewStaffMember {
            email: &email,
            name: name.trim(),
            password_hash: &hash,
            language: Language::Nl,
            organisation_id: organisation.id,
            role,
            profile: None,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    txn.commit().await.map_err(|e| e.to_string())?;
    Ok(user.id)
}

async fn find_or_create_org(db: &DatabaseConnection, slug: Option<&str>) -> Result<organisation::Model, String> {
    if let Some(slug) = slug {
        return organisation::Entity::find()
            .filter(organisation::Column::Slug.eq(slug))
            .one(db)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("--org: no school or board with slug {slug:?}"));
    }
    let boards = organisation::Entity::find()
        .filter(organisation::Column::Kind.eq("board"))
        .all(db)
        .await
        .map_err(|e| e.to_string())?;
    match boards.len() {
        1 if boards[0].slug == app::demo::DEMO_BOARD_SLUG => {
            Err("--org is required: the only board is the demo board, which is no place for a real account".into())
        }
        1 => Ok(boards.into_iter().next().expect("one board")),
        0 => organisation::ActiveModel {
            id: Set(Uuid::now_v7()),
            parent_id: Set(None),
            kind: Set("board".into()),
            name: Set("Kring".into()),
            slug: Set("kring".into()),
            created_at: Set(now()),
        }
        .insert(db)
        .await
        .map_err(|e| e.to_string()),
        _ => Err("--org is required when there is more than one board".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_in_database_urls_are_hidden() {
        assert_eq!(redact("postgres://kring:geheim@db/kring"), "postgres://kring:***@db/kring");
        assert_eq!(redact("sqlite://data/kring.db"), "sqlite://data/kring.db");
    }
}
