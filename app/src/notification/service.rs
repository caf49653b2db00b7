//! Notifications over the database and the mailer. `notify` is called after the
//! change it reports has been committed: it stores one notification per recipient and
//! sends the emails in the background, in each person's language, skipping the kinds
//! they turned off. Mail failures are logged and never undo the change.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use time::Duration;
use tower_sessions::Session;
use uuid::Uuid;

use super::api::{NoticeView, NotificationsPage};
use super::domain::{NoticeKind, when_text};
use crate::account::domain::Language;
use crate::account::service::{hash_token, new_token};
use crate::account::session::Viewer;
use crate::db::entities::{artifact, calendar_feed, community, email_opt_out, meeting, notification, user};
use crate::db::{begin_write, now};
use crate::error::AppError;
use crate::shared::time::to_local;
use crate::state::AppState;

/// Session key for the calendar address shown once after it was made.
pub const NEW_FEED_KEY: &str = "new_calendar_feed";

/// What happened, where, and who did it.
#[derive(Debug, Clone, Copy)]
pub struct Notice {
    pub kind: NoticeKind,
    pub community_id: Uuid,
    pub meeting_id: Option<Uuid>,
    pub artifact_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
}

impl Notice {
    pub fn about_artifact(kind: NoticeKind, community_id: Uuid, artifact_id: Uuid, actor_id: Option<Uuid>) -> Self {
        Notice { kind, community_id, meeting_id: None, artifact_id: Some(artifact_id), actor_id }
    }
}

struct Mail {
    to: String,
    subject: String,
    body: String,
}

/// Stores the notice for each recipient and emails those who want this kind.
pub async fn notify(state: &AppState, notice: Notice, recipients: &[Uuid]) -> Result<(), AppError> {
    let recipients: Vec<Uuid> = recipients
        .iter()
        .copied()
        .filter(|id| Some(*id) != notice.actor_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if recipients.is_empty() {
        return Ok(());
    }
    let db = &state.db;
    let at = now();
    notification::Entity::insert_many(recipients.iter().map(|user_id| notification::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(*user_id),
        kind: Set(notice.kind.as_str().to_string()),
        community_id: Set(notice.community_id),
        meeting_id: Set(notice.meeting_id),
        actor_id: Set(notice.actor_id),
        artifact_id: Set(notice.artifact_id),
        created_at: Set(at),
        read_at: Set(None),
    }))
    .exec(db)
    .await?;
    let mails = compose(state, notice, &recipients).await?;
    if !mails.is_empty() {
        let mailer = state.mailer.clone();
        tokio::spawn(async move {
            for mail in mails {
                if let Err(err) = mailer.send(&mail.to, &mail.subject, mail.body).await {
                    tracing::warn!(error = ?err, "notification email not sent");
                }
            }
        });
    }
    Ok(())
}

async fn compose(state: &AppState, notice: Notice, recipients: &[Uuid]) -> Result<Vec<Mail>, AppError> {
    let db = &state.db;
    let opted_out: HashSet<Uuid> = email_opt_out::Entity::find()
        .select_only()
        .column(email_opt_out::Column::UserId)
        .filter(email_opt_out::Column::UserId.is_in(recipients.to_vec()))
        .filter(email_opt_out::Column::Kind.eq(notice.kind.as_str()))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let people = user::Entity::find()
        .filter(user::Column::Id.is_in(recipients.iter().copied().filter(|id| !opted_out.contains(id))))
        .filter(user::Column::DeactivatedAt.is_null())
        .all(db)
        .await?;
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let Some(community) = community::Entity::find_by_id(notice.community_id).one(db).await? else {
        return Ok(Vec::new());
    };
    let meeting = match notice.meeting_id {
        Some(id) => meeting::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let item = match notice.artifact_id {
        Some(id) => artifact::Entity::find_by_id(id).one(db).await?.map(|a| a.title),
        None => None,
    };
    let actor = match notice.actor_id {
        Some(id) => crate::account::service::names_of(db, [id]).await?.remove(&id),
        None => None,
    };
    let base = &state.settings.public_url;
    Ok(people
        .into_iter()
        .map(|person| {
            let language = Language::decode(&person.language).unwrap_or_default();
            let when = meeting.as_ref().map(|m| {
                let starts = to_local(&state.settings.time_zone, m.starts_at);
                when_text(language, starts, starts + Duration::minutes(i64::from(m.duration_minutes)))
            });
            let link = match (notice.kind, &meeting, notice.artifact_id) {
                (_, Some(m), _) => format!("{base}/m/{}", m.id),
                (_, _, Some(id)) => format!("{base}/a/{id}"),
                (NoticeKind::Invited, _, _) => format!("{base}/"),
                (NoticeKind::RequestDeclined, _, _) => format!("{base}/communities"),
                _ => format!("{base}/c/{}", community.id),
            };
            let place =
                meeting.as_ref().map(|m| if m.place.is_empty() { m.online_url.clone() } else { m.place.clone() });
            let (subject, text) = message(
                notice.kind,
                language,
                &community.name,
                actor.as_deref().unwrap_or("Kring"),
                when.as_deref().unwrap_or_default(),
                place.as_deref().unwrap_or_default(),
                item.as_deref().unwrap_or_default(),
            );
            let footer = match language {
                Language::Nl => {
                    format!("Je krijgt deze e-mail van Kring. Welke e-mails je krijgt, kies je op {base}/notifications")
                }
                Language::En => {
                    format!("This email comes from Kring. Choose which emails you get at {base}/notifications")
                }
            };
            let greeting = match language {
                Language::Nl => "Hallo",
                Language::En => "Hello",
            };
            Mail {
                to: person.email,
                subject,
                body: format!("{greeting} {},\n\n{text}\n\n{link}\n\n-- \n{footer}\n", person.name),
            }
        })
        .collect())
}

/// The subject and text of one kind of email.
fn message(
    kind: NoticeKind,
    language: Language,
    community: &str,
    actor: &str,
    when: &str,
    place: &str,
    item: &str,
) -> (String, String) {
    use NoticeKind as K;
    match language {
        Language::Nl => match kind {
            K::Invited => (
                format!("Uitnodiging: {community}"),
                format!(
                    "{actor} nodigt je uit voor de leergemeenschap \"{community}\". Je kunt de uitnodiging aannemen of afslaan op je startpagina in Kring:"
                ),
            ),
            K::JoinRequested => (
                format!("Aanvraag om aan te sluiten bij {community}"),
                format!(
                    "{actor} vraagt om aan te sluiten bij \"{community}\". Als procesbegeleider kun je de aanvraag aannemen of afwijzen:"
                ),
            ),
            K::RequestAccepted => (
                format!("Welkom bij {community}"),
                format!("Je aanvraag is aangenomen: je bent nu lid van \"{community}\"."),
            ),
            K::RequestDeclined => (
                format!("Je aanvraag voor {community}"),
                format!(
                    "Je aanvraag om aan te sluiten bij \"{community}\" is niet aangenomen. Andere leergemeenschappen vind je in het overzicht:"
                ),
            ),
            K::MeetingScheduled => (
                format!("Nieuwe bijeenkomst: {community}, {when}"),
                format!("{actor} heeft een bijeenkomst van \"{community}\" gepland op {when} ({place})."),
            ),
            K::MeetingChanged => (
                format!("Gewijzigd: bijeenkomst {community}, {when}"),
                format!("{actor} heeft de bijeenkomst van \"{community}\" gewijzigd. Die is nu op {when} ({place})."),
            ),
            K::MeetingCancelled => (
                format!("Gaat niet door: bijeenkomst {community}, {when}"),
                format!("{actor} heeft de bijeenkomst van \"{community}\" op {when} afgezegd."),
            ),
            K::MeetingReminder => (
                format!("Morgen: bijeenkomst {community}"),
                format!("Herinnering: de bijeenkomst van \"{community}\" is {when} ({place})."),
            ),
            K::ReviewDue => (
                format!("Nakijken: {item}"),
                format!(
                    "\"{item}\" in de kennisbank van \"{community}\" is aan een controle toe. Werk het bij, bevestig dat het nog klopt, of archiveer het:"
                ),
            ),
            K::ArtifactFlagged => (
                format!("Mogelijk verouderd: {item}"),
                format!(
                    "{actor} heeft \"{item}\" in de kennisbank van \"{community}\" gemarkeerd als verouderd. Bekijk de reden en werk het bij, bevestig het of archiveer het:"
                ),
            ),
            K::ActionCheckIn => (
                format!("Terugkijken: je actie uit de intervisie van {community}"),
                format!(
                    "Vandaag is de dag waarop je wilde terugkijken op de actie die je koos in een intervisieronde van \"{community}\". Vertel je groep hoe het ging:"
                ),
            ),
            K::MemberDeparted => (
                format!("Een lid heeft {community} verlaten"),
                format!(
                    "Een lid van \"{community}\" werkt niet meer bij de organisatie; het account is gesloten. Producten van dat lid staan nu op naam van een procesbegeleider of lid van de gemeenschap. Kijk of rollen en producten goed verdeeld zijn:"
                ),
            ),
        },
        Language::En => match kind {
            K::Invited => (
                format!("Invitation: {community}"),
                format!(
                    "{actor} invites you to the learning community \"{community}\". Accept or decline the invitation on your Kring home page:"
                ),
            ),
            K::JoinRequested => (
                format!("Request to join {community}"),
                format!(
                    "{actor} asks to join \"{community}\". As a facilitator you can accept or decline the request:"
                ),
            ),
            K::RequestAccepted => (
                format!("Welcome to {community}"),
                format!("Your request was accepted: you are now a member of \"{community}\"."),
            ),
            K::RequestDeclined => (
                format!("Your request for {community}"),
                format!(
                    "Your request to join \"{community}\" was not accepted. Other learning communities are in the directory:"
                ),
            ),
            K::MeetingScheduled => (
                format!("New meeting: {community}, {when}"),
                format!("{actor} planned a meeting of \"{community}\" on {when} ({place})."),
            ),
            K::MeetingChanged => (
                format!("Changed: {community} meeting, {when}"),
                format!("{actor} changed the meeting of \"{community}\". It is now on {when} ({place})."),
            ),
            K::MeetingCancelled => (
                format!("Cancelled: {community} meeting, {when}"),
                format!("{actor} cancelled the meeting of \"{community}\" on {when}."),
            ),
            K::MeetingReminder => (
                format!("Tomorrow: {community} meeting"),
                format!("Reminder: the meeting of \"{community}\" is on {when} ({place})."),
            ),
            K::ReviewDue => (
                format!("Review due: {item}"),
                format!(
                    "\"{item}\" in the knowledge base of \"{community}\" is due for review. Update it, confirm it is still current, or archive it:"
                ),
            ),
            K::ArtifactFlagged => (
                format!("Possibly outdated: {item}"),
                format!(
                    "{actor} flagged \"{item}\" in the knowledge base of \"{community}\" as outdated. See why, then update, confirm or archive it:"
                ),
            ),
            K::ActionCheckIn => (
                format!("Look back: your action from {community}'s intervision"),
                format!(
                    "Today is the day you wanted to look back on the action you chose in an intervision round of \"{community}\". Tell your group how it went:"
                ),
            ),
            K::MemberDeparted => (
                format!("A member left {community}"),
                format!(
                    "A member of \"{community}\" no longer works at the organisation; their account is closed. Products they owned are now in the care of a facilitator or member of the community. Check that roles and products are shared out well:"
                ),
            ),
        },
    }
}

/// The viewer's latest notifications, in a fixed number of queries; marks them read.
pub async fn page(state: &AppState, viewer: &Viewer, session: &Session) -> Result<NotificationsPage, AppError> {
    let db = &state.db;
    let rows = latest(db, viewer, 100).await?;
    let notices = notice_views(db, &state.settings.time_zone, &rows).await?;
    if rows.iter().any(|n| n.read_at.is_none()) {
        notification::Entity::update_many()
            .col_expr(notification::Column::ReadAt, sea_orm::sea_query::Expr::value(now()))
            .filter(notification::Column::UserId.eq(viewer.id()))
            .filter(notification::Column::ReadAt.is_null())
            .exec(db)
            .await?;
    }
    let email_off = email_opt_out::Entity::find()
        .filter(email_opt_out::Column::UserId.eq(viewer.id()))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|o| NoticeKind::decode(&o.kind).ok())
        .collect();
    Ok(NotificationsPage {
        notices,
        email_off,
        has_calendar_feed: active_feed(db, viewer.id()).await?.is_some(),
        new_feed_url: session.remove::<String>(NEW_FEED_KEY).await?,
    })
}

/// The viewer's newest notifications, read or not, without marking them read: the
/// home page shows them and the notifications page is where they are read.
pub async fn newest<C: ConnectionTrait>(
    db: &C,
    tz: &jiff::tz::TimeZone,
    viewer: &Viewer,
    limit: u64,
) -> Result<Vec<NoticeView>, AppError> {
    let rows = latest(db, viewer, limit).await?;
    notice_views(db, tz, &rows).await
}

async fn latest<C: ConnectionTrait>(db: &C, viewer: &Viewer, limit: u64) -> Result<Vec<notification::Model>, AppError> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(viewer.id()))
        .order_by_desc(notification::Column::CreatedAt)
        .order_by_desc(notification::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// What each notification is about (community, meeting, artifact, who did it), in
/// four queries however many there are.
async fn notice_views<C: ConnectionTrait>(
    db: &C,
    tz: &jiff::tz::TimeZone,
    rows: &[notification::Model],
) -> Result<Vec<NoticeView>, AppError> {
    let community_ids: HashSet<Uuid> = rows.iter().map(|n| n.community_id).collect();
    let meeting_ids: HashSet<Uuid> = rows.iter().filter_map(|n| n.meeting_id).collect();
    let actor_ids: HashSet<Uuid> = rows.iter().filter_map(|n| n.actor_id).collect();
    let artifact_ids: HashSet<Uuid> = rows.iter().filter_map(|n| n.artifact_id).collect();
    let artifacts: HashMap<Uuid, String> = artifact::Entity::find()
        .filter(artifact::Column::Id.is_in(artifact_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.title))
        .collect();
    let communities: HashMap<Uuid, String> = community::Entity::find()
        .filter(community::Column::Id.is_in(community_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let meetings: HashMap<Uuid, meeting::Model> = meeting::Entity::find()
        .filter(meeting::Column::Id.is_in(meeting_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let actors = crate::account::service::names_of(db, actor_ids).await?;
    Ok(rows
        .iter()
        .filter_map(|n| {
            Some(NoticeView {
                id: n.id,
                kind: NoticeKind::decode(&n.kind).ok()?,
                community_id: n.community_id,
                community_name: communities.get(&n.community_id)?.clone(),
                meeting_id: n.meeting_id,
                meeting_time: n.meeting_id.and_then(|id| meetings.get(&id)).map(|m| {
                    let starts = to_local(tz, m.starts_at);
                    (starts, starts + Duration::minutes(i64::from(m.duration_minutes)))
                }),
                actor: n.actor_id.and_then(|id| actors.get(&id).cloned()),
                artifact: n.artifact_id.and_then(|id| Some((id, artifacts.get(&id)?.clone()))),
                at: to_local(tz, n.created_at),
                unread: n.read_at.is_none(),
            })
        })
        .collect())
}

pub async fn set_email_off(db: &DatabaseConnection, viewer: &Viewer, off: &[NoticeKind]) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    email_opt_out::Entity::delete_many().filter(email_opt_out::Column::UserId.eq(viewer.id())).exec(&txn).await?;
    for kind in off {
        email_opt_out::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(viewer.id()),
            kind: Set(kind.as_str().to_string()),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn active_feed<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Option<calendar_feed::Model>, AppError> {
    Ok(calendar_feed::Entity::find()
        .filter(calendar_feed::Column::UserId.eq(user_id))
        .filter(calendar_feed::Column::RevokedAt.is_null())
        .one(db)
        .await?)
}

async fn revoke_feeds<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<(), AppError> {
    calendar_feed::Entity::update_many()
        .col_expr(calendar_feed::Column::RevokedAt, sea_orm::sea_query::Expr::value(now()))
        .filter(calendar_feed::Column::UserId.eq(user_id))
        .filter(calendar_feed::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// A new private feed address; any earlier one stops working. Only the hash is kept.
pub async fn new_feed(state: &AppState, viewer: &Viewer) -> Result<String, AppError> {
    let (token, hash) = new_token();
    let txn = begin_write(&state.db).await?;
    revoke_feeds(&txn, viewer.id()).await?;
    calendar_feed::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(viewer.id()),
        token_hash: Set(hash),
        created_at: Set(now()),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(format!("{}/calendar/{token}.ics", state.settings.public_url))
}

pub async fn stop_feed(db: &DatabaseConnection, viewer: &Viewer) -> Result<(), AppError> {
    revoke_feeds(db, viewer.id()).await
}

/// The person a feed token belongs to, if the feed is still active.
pub async fn feed_owner(db: &DatabaseConnection, token: &str) -> Result<Option<user::Model>, AppError> {
    let Some(feed) = calendar_feed::Entity::find()
        .filter(calendar_feed::Column::TokenHash.eq(hash_token(token)))
        .filter(calendar_feed::Column::RevokedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(user::Entity::find_by_id(feed.user_id).one(db).await?.filter(|u| u.deactivated_at.is_none()))
}
