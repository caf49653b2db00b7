//! Account services over the database: loading the viewer, password hashing (off the
//! async runtime), authentication, password reset, profile updates.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, FromQueryResult,
    IdenStatic, QueryFilter, QueryOrder, QueryResult, QuerySelect, QueryTrait, SelectA, SelectB, SelectC, Set,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

use super::domain::{ExperienceBand, Language, normalise_email};
use super::session::Viewer;
use crate::db::entities::{calendar_feed, notification, organisation, password_reset, staff_membership, user};
use crate::db::{begin_write, now};
use crate::error::{AppError, ErrorKey};
use crate::state::AppState;

/// A password hash; never printed, never serialised.
#[derive(Clone)]
pub struct PasswordHashString(pub String);

impl std::fmt::Debug for PasswordHashString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Hashes with Argon2id (OWASP parameters) on a blocking thread.
pub async fn hash_password(password: String) -> Result<PasswordHashString, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| PasswordHashString(h.to_string())).map_err(
            |e| {
                tracing::error!(error = %e, "password hashing failed");
                AppError::Internal
            },
        )
    })
    .await?
}

/// Checks a password against a stored hash on a blocking thread.
pub async fn verify_password(hash: String, password: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash).map_err(|e| {
            tracing::error!(error = %e, "stored password hash is unreadable");
            AppError::Internal
        })?;
        Ok(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await?
}

/// A hash of a password nobody knows, so a login for an unknown email takes as long
/// as one for a known email.
async fn dummy_hash() -> String {
    static DUMMY_HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY_HASH
        .get_or_init(|| async {
            hash_password("no account has this password".to_string()).await.map(|h| h.0).unwrap_or_default()
        })
        .await
        .clone()
}

/// A random single-use token for a link and the hash we store of it.
pub fn new_token() -> (String, String) {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub async fn load_viewer(db: &DatabaseConnection, user_id: Uuid) -> Result<Option<Viewer>, AppError> {
    // One read: the account with each membership and its organisation, whose parent
    // (if any) is the board, and how many notices wait unread for the header's badge.
    // Every request of a signed-in person starts here.
    let unread = Query::select()
        .expr(Expr::col((notification::Entity, notification::Column::Id)).count())
        .from(notification::Entity)
        .and_where(
            Expr::col((notification::Entity, notification::Column::UserId)).equals((user::Entity, user::Column::Id)),
        )
        .and_where(Expr::col((notification::Entity, notification::Column::ReadAt)).is_null())
        .to_owned();
    let query = user::Entity::find_by_id(user_id)
        .find_also_related(staff_membership::Entity)
        .and_also_related(organisation::Entity)
        .expr_as(unread, "unread")
        .order_by_asc(staff_membership::Column::CreatedAt)
        .into_query();
    let rows = ViewerRow::find_by_statement(db.get_database_backend().build(&query)).all(db).await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let user = first.user.clone();
    let unread_notifications = u64::try_from(first.unread).unwrap_or(0);
    let board_id = first.organisation.as_ref().map(|org| org.parent_id.unwrap_or(org.id));
    Ok(Some(Viewer {
        user,
        memberships: rows.into_iter().filter_map(|row| row.membership).collect(),
        board_id,
        unread_notifications,
    }))
}

/// One row of [`load_viewer`]'s read, under the prefixes sea-orm gives a three-way select.
struct ViewerRow {
    user: user::Model,
    membership: Option<staff_membership::Model>,
    organisation: Option<organisation::Model>,
    unread: i64,
}

impl FromQueryResult for ViewerRow {
    fn from_query_result(row: &QueryResult, _: &str) -> Result<Self, DbErr> {
        Ok(Self {
            user: user::Model::from_query_result(row, SelectA.as_str())?,
            membership: staff_membership::Model::from_query_result_optional(row, SelectB.as_str())?,
            organisation: organisation::Model::from_query_result_optional(row, SelectC.as_str())?,
            unread: row.try_get("", "unread")?,
        })
    }
}

/// Names of the given people, by id, read in one query (only the columns needed).
/// Someone whose account was deactivated (they left the school) reads as "former
/// member" in the language of the current request.
pub(crate) async fn names_of<C: ConnectionTrait>(
    db: &C,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, String>, AppError> {
    let ids: BTreeSet<Uuid> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::Name)
        .column(user::Column::DeactivatedAt)
        .filter(user::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, String, Option<time::OffsetDateTime>)>()
        .all(db)
        .await?;
    let former = || {
        // The request's language inside a page or server function; Dutch elsewhere
        // (plain routes and housekeeping have no request to read it from).
        let locale = if leptos::prelude::Owner::current().is_some() {
            leptos_i18n::locale::resolve_locale::<crate::i18n::Locale>()
        } else {
            crate::i18n::Locale::default()
        };
        crate::i18n::td_string!(locale, app.former_member).to_string()
    };
    Ok(rows.into_iter().map(|(id, name, gone)| (id, if gone.is_some() { former() } else { name })).collect())
}

pub async fn find_user_by_email<C: ConnectionTrait>(db: &C, email: &str) -> Result<Option<user::Model>, AppError> {
    Ok(user::Entity::find().filter(user::Column::Email.eq(normalise_email(email))).one(db).await?)
}

/// The user with this email and password. Fails with `InvalidCredentials` for a wrong
/// password, an unknown email or a deactivated account alike.
pub async fn authenticate(db: &DatabaseConnection, email: &str, password: &str) -> Result<user::Model, AppError> {
    let user = find_user_by_email(db, email).await?;
    let hash = match &user {
        Some(user) => user.password_hash.clone(),
        None => dummy_hash().await,
    };
    let matches = verify_password(hash, password.to_string()).await.unwrap_or(false);
    match user {
        Some(user) if matches && user.deactivated_at.is_none() => Ok(user),
        _ => Err(AppError::InvalidCredentials),
    }
}

/// Starts a password reset in the background and returns at once, so how long the
/// request takes says nothing about whether the address has an account. A failure is
/// logged.
pub fn start_password_reset(state: &AppState, email: &str) {
    let (state, email) = (state.clone(), email.to_string());
    tokio::spawn(async move {
        if let Err(error) = send_password_reset(&state, &email).await {
            tracing::warn!(?error, "a password reset could not be started");
        }
    });
}

/// Mails a reset link to the account with this address, if there is an active one.
async fn send_password_reset(state: &AppState, email: &str) -> Result<(), AppError> {
    let Some(user) = find_user_by_email(&state.db, email).await? else {
        return Ok(());
    };
    if user.deactivated_at.is_some() {
        return Ok(());
    }
    let (token, token_hash) = new_token();
    let created = now();
    let expires = created + state.settings.password_reset_valid;
    password_reset::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user.id),
        token_hash: Set(token_hash),
        created_at: Set(created),
        expires_at: Set(expires),
        used_at: Set(None),
    }
    .insert(&state.db)
    .await?;
    let link = format!("{}/password/reset/{token}", state.settings.public_url);
    let minutes = state.settings.password_reset_valid.as_secs() / 60;
    let (subject, body) = match Language::decode(&user.language)? {
        Language::Nl => (
            "Nieuw wachtwoord voor Kring".to_string(),
            format!(
                "Hallo {},\n\nJe hebt gevraagd om een nieuw wachtwoord voor Kring. Kies het via deze link (geldig \
                 gedurende {minutes} minuten, één keer te gebruiken):\n\n{link}\n\nHeb je dit niet gevraagd? Dan hoef \
                 je niets te doen; je wachtwoord blijft hetzelfde.\n",
                user.name
            ),
        ),
        Language::En => (
            "A new password for Kring".to_string(),
            format!(
                "Hello {},\n\nYou asked for a new password for Kring. Choose it through this link (valid for \
                 {minutes} minutes, usable once):\n\n{link}\n\nDidn't ask? Then there is nothing to do; your password \
                 stays the same.\n",
                user.name
            ),
        ),
    };
    state.mailer.send(&user.email, &subject, body).await
}

/// Sets a new password from a reset token, uses the token up and ends every session of
/// the account. Fails with `InvalidToken` for an unknown, used or expired token.
pub async fn finish_password_reset(state: &AppState, token: &str, password: String) -> Result<user::Model, AppError> {
    // The link is checked before the costly hashing, so guessing links costs the server
    // nothing; the write below checks it again.
    password_reset::Entity::find()
        .filter(password_reset::Column::TokenHash.eq(hash_token(token)))
        .one(&state.db)
        .await?
        .filter(|r| r.used_at.is_none() && r.expires_at > now())
        .ok_or(AppError::InvalidToken)?;
    let hash = hash_password(password).await?;
    let txn = begin_write(&state.db).await?;
    let reset = password_reset::Entity::find()
        .filter(password_reset::Column::TokenHash.eq(hash_token(token)))
        .one(&txn)
        .await?
        .filter(|r| r.used_at.is_none() && r.expires_at > now())
        .ok_or(AppError::InvalidToken)?;
    let user = user::Entity::find_by_id(reset.user_id).one(&txn).await?.ok_or(AppError::InvalidToken)?;
    let mut reset: password_reset::ActiveModel = reset.into();
    reset.used_at = Set(Some(now()));
    reset.update(&txn).await?;
    let user = set_password(&txn, user, hash).await?;
    txn.commit().await?;
    Ok(user)
}

/// Stores a new password hash and bumps `auth_version`, which ends all sessions; the
/// private calendar feed addresses stop working too (someone who learned the old
/// password may have copied one).
pub async fn set_password<C: ConnectionTrait>(
    db: &C,
    user: user::Model,
    hash: PasswordHashString,
) -> Result<user::Model, AppError> {
    revoke_calendar_feeds(db, user.id).await?;
    let version = user.auth_version + 1;
    let mut active: user::ActiveModel = user.into();
    active.password_hash = Set(hash.0);
    active.auth_version = Set(version);
    active.updated_at = Set(now());
    Ok(active.update(db).await?)
}

/// Stops every private calendar feed of `user_id`.
pub async fn revoke_calendar_feeds<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<(), AppError> {
    calendar_feed::Entity::update_many()
        .col_expr(calendar_feed::Column::RevokedAt, Expr::value(now()))
        .filter(calendar_feed::Column::UserId.eq(user_id))
        .filter(calendar_feed::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Changes the password after checking the current one. Fails with a field error on
/// `current_password` when it is wrong.
pub async fn change_password(
    db: &DatabaseConnection,
    user: user::Model,
    current: String,
    new: String,
) -> Result<user::Model, AppError> {
    if !verify_password(user.password_hash.clone(), current).await? {
        return Err(AppError::field("current_password", ErrorKey::WrongPassword));
    }
    let hash = hash_password(new).await?;
    let txn = begin_write(db).await?;
    let user = set_password(&txn, user, hash).await?;
    txn.commit().await?;
    Ok(user)
}

/// The self-declared parts of a profile, already validated.
pub struct ProfileUpdate {
    pub name: String,
    pub language: Language,
    pub department: Option<String>,
    pub experience_band: Option<ExperienceBand>,
    pub location: Option<String>,
}

pub async fn update_profile(
    db: &DatabaseConnection,
    user: user::Model,
    update: ProfileUpdate,
) -> Result<user::Model, AppError> {
    let mut active: user::ActiveModel = user.into();
    active.name = Set(update.name);
    active.language = Set(update.language.as_str().to_string());
    active.department = Set(update.department);
    active.experience_band = Set(update.experience_band.map(|b| b.as_str().to_string()));
    active.location = Set(update.location);
    active.updated_at = Set(now());
    let txn = begin_write(db).await?;
    let user = active.update(&txn).await?;
    txn.commit().await?;
    Ok(user)
}

pub async fn set_language(db: &DatabaseConnection, user: user::Model, language: Language) -> Result<(), AppError> {
    let mut active: user::ActiveModel = user.into();
    active.language = Set(language.as_str().to_string());
    active.updated_at = Set(now());
    active.update(db).await?;
    Ok(())
}

/// A new staff account and its first role, as written by sign-up, the CLI and the demo.
pub struct NewStaffMember<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a PasswordHashString,
    pub language: Language,
    pub organisation_id: Uuid,
    pub role: super::domain::Role,
    /// Department, experience band and location, when known.
    pub profile: Option<(&'a str, ExperienceBand, &'a str)>,
}

fn new_user(email: &str, name: &str, password_hash: &PasswordHashString, language: Language) -> user::ActiveModel {
    let created = now();
    user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.to_string()),
        name: Set(name.to_string()),
        password_hash: Set(password_hash.0.clone()),
        language: Set(language.as_str().to_string()),
        department: Set(None),
        experience_band: Set(None),
        location: Set(None),
        auth_version: Set(1),
        deactivated_at: Set(None),
        created_at: Set(created),
        updated_at: Set(created),
    }
}

/// Inserts an account without any organisation role, e.g. a community's guest (inside
/// the caller's transaction). Fails on database errors, e.g. an email already taken.
pub async fn insert_user<C: ConnectionTrait>(
    db: &C,
    email: &str,
    name: &str,
    password_hash: &PasswordHashString,
    language: Language,
) -> Result<user::Model, sea_orm::DbErr> {
    new_user(email, name, password_hash, language).insert(db).await
}

/// Inserts the account and its staff membership (inside the caller's transaction).
/// Fails on database errors, e.g. an email that is already taken.
pub async fn insert_staff_member<C: ConnectionTrait>(
    db: &C,
    new: NewStaffMember<'_>,
) -> Result<user::Model, sea_orm::DbErr> {
    let mut user = new_user(new.email, new.name, new.password_hash, new.language);
    if let Some((department, band, location)) = new.profile {
        user.department = Set(Some(department.to_string()));
        user.experience_band = Set(Some(band.as_str().to_string()));
        user.location = Set(Some(location.to_string()));
    }
    let user = user.insert(db).await?;
    staff_membership::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user.id),
        organisation_id: Set(new.organisation_id),
        role: Set(new.role.as_str().to_string()),
        created_at: Set(user.created_at),
    }
    .insert(db)
    .await?;
    Ok(user)
}

/// The board an organisation belongs to (itself, for a board).
pub async fn board_of<C: ConnectionTrait>(db: &C, org: organisation::Model) -> Result<organisation::Model, AppError> {
    match org.parent_id {
        None => Ok(org),
        Some(parent) => organisation::Entity::find_by_id(parent).one(db).await?.ok_or_else(|| {
            tracing::error!(school = %org.id, "school without board");
            AppError::Internal
        }),
    }
}
