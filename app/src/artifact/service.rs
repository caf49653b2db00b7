//! The knowledge base over the database. Who sees what is one rule
//! ([`search::Visibility`]): active members see their community's artifacts, staff of
//! the board see those published organisation-wide; everyone else gets `NotFound`.
//! Members edit (every edit is a version), the owner or a facilitator settles flags
//! and archives. Artifacts never end up without an owner: when one leaves, a
//! facilitator takes over.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult,
    JoinType, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait, Set,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::api::{
    ArtifactHit, ArtifactLink, ArtifactPage, CommentRow, FileRow, FlagRow, History, KnowledgePage, NewArtifactContext,
    ReuseRow, VersionRow,
};
use super::domain::{
    ArtifactForm, ArtifactInput, ArtifactKind, ArtifactStatus, COMMENT_MAX, REASON_MAX, REFLECTION_MAX, Resolution,
    Scope, Source, Standing, highlight_segments, iso_date, search_terms, text_bounds,
};
use super::markdown;
use super::search::{self, Criteria, Visibility};
use crate::account::session::Viewer;
use crate::db::entities::{
    artifact, artifact_comment, artifact_file, artifact_flag, artifact_reuse, artifact_tag, artifact_version,
    community, community_member,
};
use crate::db::{begin_write, now};
use crate::error::{AppError, ErrorKey, Validation};
use crate::membership::domain::{CommunityRole, MembershipStatus};
use crate::membership::service::{active_community_ids, member_access};
use crate::notification::domain::NoticeKind;
use crate::notification::service::{Notice, notify};
use crate::participation::domain::{EventKind, SeciPhase};
use crate::participation::service::record_event;
use crate::shared::time::{local_moment, to_local, today_in};
use crate::state::AppState;

/// How many hits a search shows.
pub const PAGE_SIZE: u64 = 50;

/// The knowledge-base filters as they come from the query string; unknown values
/// are ignored (a stale bookmark still shows something).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub criteria: Criteria,
}

impl Filter {
    pub fn parse(q: &str, kind: &str, tag: &str, community: &str, phase: &str, standing: &str) -> Self {
        let tag = tag.trim().to_lowercase();
        Filter {
            criteria: Criteria {
                terms: search_terms(q),
                kind: ArtifactKind::parse(kind).ok().map(|k| k.as_str().to_string()),
                tag: (!tag.is_empty()).then_some(tag),
                community_id: Uuid::parse_str(community).ok(),
                phase: SeciPhase::parse(phase).ok().map(|p| p.as_str().to_string()),
                standing: Standing::parse(standing).ok(),
            },
        }
    }
}

/// What settling an artifact does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    Confirm,
    Archive,
    Unarchive,
}

impl Settle {
    pub fn parse(value: &str) -> Result<Self, AppError> {
        match value {
            "confirm" => Ok(Settle::Confirm),
            "archive" => Ok(Settle::Archive),
            "unarchive" => Ok(Settle::Unarchive),
            _ => Err(AppError::field("action", ErrorKey::InvalidChoice)),
        }
    }
}

pub async fn visibility<C: ConnectionTrait>(db: &C, viewer: &Viewer) -> Result<Visibility, AppError> {
    Ok(Visibility { community_ids: active_community_ids(db, viewer.id()).await?, board_id: viewer.board_id })
}

/// An artifact the viewer may see, with the viewer's membership of its community.
pub struct Access {
    pub artifact: artifact::Model,
    pub community: community::Model,
    pub membership: Option<community_member::Model>,
    viewer_id: Uuid,
}

impl Access {
    pub fn may_edit(&self) -> bool {
        self.membership.is_some()
    }

    pub fn may_steward(&self) -> bool {
        self.artifact.owner_id == Some(self.viewer_id)
            || self.membership.as_ref().is_some_and(|m| m.role == CommunityRole::Facilitator.as_str())
    }

    /// Members (not guests) publish organisation-wide; a case summary only its case
    /// bringer, who consented to the community and must consent again to go wider.
    pub fn may_publish(&self) -> bool {
        self.membership.as_ref().is_some_and(|m| m.role != CommunityRole::Guest.as_str())
            && (!self.from_a_round() || self.artifact.created_by == Some(self.viewer_id))
    }

    /// Written from an intervision round: its case bringer's consent decides its scope.
    pub fn from_a_round(&self) -> bool {
        self.artifact.source == Source::Intervision.as_str()
    }

    /// Who brought the case behind a case summary stays within the community's own
    /// members: guests and readers elsewhere on the board see no names on it.
    pub fn hides_case_bringer(&self) -> bool {
        self.from_a_round() && self.membership.as_ref().is_none_or(|m| m.role == CommunityRole::Guest.as_str())
    }
}

pub async fn access<C: ConnectionTrait>(db: &C, viewer: &Viewer, artifact_id: Uuid) -> Result<Access, AppError> {
    let artifact = artifact::Entity::find_by_id(artifact_id).one(db).await?.ok_or(AppError::NotFound)?;
    let membership = community_member::Entity::find()
        .filter(community_member::Column::CommunityId.eq(artifact.community_id))
        .filter(community_member::Column::UserId.eq(viewer.id()))
        .filter(community_member::Column::Status.eq(MembershipStatus::Active.as_str()))
        .one(db)
        .await?;
    let visible = membership.is_some() || {
        let board = viewer.board_id;
        Visibility { community_ids: Vec::new(), board_id: board }.allows(
            artifact.community_id,
            artifact.scope == Scope::Organisation.as_str(),
            artifact.organisation_id,
        )
    };
    if !visible {
        return Err(AppError::NotFound);
    }
    let community = community::Entity::find_by_id(artifact.community_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok(Access { artifact, community, membership, viewer_id: viewer.id() })
}

async fn editable<C: ConnectionTrait>(db: &C, viewer: &Viewer, artifact_id: Uuid) -> Result<Access, AppError> {
    let access = access(db, viewer, artifact_id).await?;
    if !access.may_edit() {
        return Err(AppError::NotFound);
    }
    Ok(access)
}

fn standing_of(a: &artifact::Model, at: OffsetDateTime) -> Result<Standing, AppError> {
    Ok(Standing::of(ArtifactStatus::decode(&a.status)?, a.review_due_at, at))
}

/// The first moment of a date in the board's time zone, or the kind's default period.
fn review_moment(tz: &jiff::tz::TimeZone, input: &ArtifactInput, at: OffsetDateTime) -> OffsetDateTime {
    input
        .review_date
        .and_then(|date| local_moment(tz, date, time::Time::MIDNIGHT))
        .unwrap_or(at + input.kind.review_after())
}

async fn tags_of<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<String>>, AppError> {
    let mut tags: HashMap<Uuid, Vec<String>> = HashMap::new();
    let rows = artifact_tag::Entity::find()
        .filter(artifact_tag::Column::ArtifactId.is_in(ids.to_vec()))
        .order_by_asc(artifact_tag::Column::Tag)
        .all(db)
        .await?;
    for row in rows {
        tags.entry(row.artifact_id).or_default().push(row.tag);
    }
    Ok(tags)
}

async fn replace_tags<C: ConnectionTrait>(db: &C, artifact_id: Uuid, tags: &[String]) -> Result<(), AppError> {
    artifact_tag::Entity::delete_many().filter(artifact_tag::Column::ArtifactId.eq(artifact_id)).exec(db).await?;
    if !tags.is_empty() {
        artifact_tag::Entity::insert_many(tags.iter().map(|tag| artifact_tag::ActiveModel {
            id: Set(Uuid::now_v7()),
            artifact_id: Set(artifact_id),
            tag: Set(tag.clone()),
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}

/// Rebuilds the artifact's search entry from what is stored now.
pub async fn reindex<C: ConnectionTrait>(db: &C, artifact: &artifact::Model) -> Result<(), AppError> {
    let tags = tags_of(db, &[artifact.id]).await?.remove(&artifact.id).unwrap_or_default();
    let files: Vec<String> = artifact_file::Entity::find()
        .select_only()
        .column(artifact_file::Column::Name)
        .filter(artifact_file::Column::ArtifactId.eq(artifact.id))
        .into_tuple()
        .all(db)
        .await?;
    search::index(db, artifact.id, &artifact.title, &markdown::plain_text(&artifact.body), &tags, &files).await
}

#[allow(clippy::too_many_arguments)]
async fn insert_version<C: ConnectionTrait>(
    db: &C,
    artifact_id: Uuid,
    number: i32,
    title: &str,
    kind: &str,
    body: &str,
    tags: &[String],
    author: Uuid,
    restored_from: Option<i32>,
    at: OffsetDateTime,
) -> Result<(), AppError> {
    artifact_version::ActiveModel {
        id: Set(Uuid::now_v7()),
        artifact_id: Set(artifact_id),
        number: Set(number),
        title: Set(title.to_string()),
        kind: Set(kind.to_string()),
        body: Set(body.to_string()),
        tags: Set(tags.join(", ")),
        author_id: Set(Some(author)),
        restored_from: Set(restored_from),
        created_at: Set(at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A new artifact in one of the viewer's communities, written directly.
pub async fn create(
    state: &AppState,
    viewer: &Viewer,
    community_id: Uuid,
    form: &ArtifactForm,
) -> Result<Uuid, AppError> {
    let tz = &state.settings.time_zone;
    let input = form.validate(Source::Direct, today_in(tz))?;
    let txn = begin_write(&state.db).await?;
    let (community, membership) = member_access(&txn, viewer, community_id).await?;
    if input.scope == Scope::Organisation && membership.role == CommunityRole::Guest.as_str() {
        return Err(AppError::field("scope", ErrorKey::InvalidChoice));
    }
    let id =
        insert_artifact(&txn, &community, viewer.id(), &input, Source::Direct, review_moment(tz, &input, now()), now())
            .await?;
    record_event(&txn, &community, viewer.id(), EventKind::SharedArtifact, now(), None, None).await?;
    txn.commit().await?;
    Ok(id)
}

/// Stores an artifact, its first version, tags and search entry; no permission check.
pub async fn insert_artifact<C: ConnectionTrait>(
    db: &C,
    community: &community::Model,
    owner: Uuid,
    input: &ArtifactInput,
    source: Source,
    review_due_at: OffsetDateTime,
    at: OffsetDateTime,
) -> Result<Uuid, AppError> {
    let id = Uuid::now_v7();
    let model = artifact::ActiveModel {
        id: Set(id),
        organisation_id: Set(community.organisation_id),
        community_id: Set(community.id),
        title: Set(input.title.clone()),
        kind: Set(input.kind.as_str().to_string()),
        body: Set(input.body.clone()),
        seci_phase: Set(input.phase.as_str().to_string()),
        scope: Set(input.scope.as_str().to_string()),
        source: Set(source.as_str().to_string()),
        status: Set(ArtifactStatus::Current.as_str().to_string()),
        owner_id: Set(Some(owner)),
        review_due_at: Set(review_due_at),
        review_notified_at: Set(None),
        version: Set(1),
        created_by: Set(Some(owner)),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await?;
    insert_version(db, id, 1, &input.title, input.kind.as_str(), &input.body, &input.tags, owner, None, at).await?;
    replace_tags(db, id, &input.tags).await?;
    reindex(db, &model).await?;
    Ok(id)
}

/// Saves an edit as the next version. Fails with `EditConflict` when someone saved
/// after `base_version` (nothing is overwritten). Editing an outdated artifact or one
/// due for review counts as its review: open flags are resolved as "updated".
/// Widening a case summary beyond its community needs its case bringer's
/// `consent_again`.
pub async fn edit(
    state: &AppState,
    viewer: &Viewer,
    artifact_id: Uuid,
    base_version: i32,
    form: &ArtifactForm,
    consent_again: bool,
) -> Result<(), AppError> {
    let tz = &state.settings.time_zone;
    let txn = begin_write(&state.db).await?;
    let access = editable(&txn, viewer, artifact_id).await?;
    let mut form = form.clone();
    // The form shows the current review date; sending it back unchanged keeps it.
    let current_review = to_local(tz, access.artifact.review_due_at).date();
    if form.review_date.trim() == iso_date(current_review) {
        form.review_date.clear();
    }
    if form.scope.is_empty() {
        form.scope = access.artifact.scope.clone();
    } else if form.scope != access.artifact.scope && !access.may_steward() {
        // Only the owner or a facilitator changes who may see it.
        return Err(AppError::field("scope", ErrorKey::InvalidChoice));
    }
    let input = form.validate(Source::decode(&access.artifact.source)?, today_in(tz))?;
    let widening = input.scope == Scope::Organisation && access.artifact.scope != Scope::Organisation.as_str();
    if widening && !access.may_publish() {
        return Err(AppError::field("scope", ErrorKey::InvalidChoice));
    }
    if widening && access.from_a_round() && !consent_again {
        return Err(AppError::field("consent", ErrorKey::ConsentNeeded));
    }
    let current = access.artifact;
    if current.version != base_version {
        return Err(AppError::Conflict(ErrorKey::EditConflict));
    }
    let at = now();
    let old_tags = tags_of(&txn, &[current.id]).await?.remove(&current.id).unwrap_or_default();
    let content_changed = current.title != input.title
        || current.kind != input.kind.as_str()
        || current.body != input.body
        || old_tags != sorted(&input.tags);
    let standing = standing_of(&current, at)?;
    let reviewed = content_changed && matches!(standing, Standing::Outdated | Standing::ReviewDue);
    let mut model: artifact::ActiveModel = current.clone().into();
    model.title = Set(input.title.clone());
    model.kind = Set(input.kind.as_str().to_string());
    model.body = Set(input.body.clone());
    model.seci_phase = Set(input.phase.as_str().to_string());
    model.scope = Set(input.scope.as_str().to_string());
    if input.review_date.is_some() || reviewed {
        model.review_due_at = Set(review_moment(tz, &input, at));
        model.review_notified_at = Set(None);
    }
    if reviewed {
        model.status = Set(ArtifactStatus::Current.as_str().to_string());
        resolve_open_flags(&txn, current.id, viewer.id(), Resolution::Updated, at).await?;
    }
    if content_changed {
        let number = current.version + 1;
        model.version = Set(number);
        model.updated_at = Set(at);
        insert_version(
            &txn,
            current.id,
            number,
            &input.title,
            input.kind.as_str(),
            &input.body,
            &input.tags,
            viewer.id(),
            None,
            at,
        )
        .await?;
        replace_tags(&txn, current.id, &input.tags).await?;
    }
    let saved = model.update(&txn).await?;
    if content_changed {
        reindex(&txn, &saved).await?;
        record_event(&txn, &access.community, viewer.id(), EventKind::UpdatedArtifact, at, None, None).await?;
    }
    txn.commit().await?;
    Ok(())
}

fn sorted(tags: &[String]) -> Vec<String> {
    let mut tags = tags.to_vec();
    tags.sort();
    tags
}

async fn resolve_open_flags<C: ConnectionTrait>(
    db: &C,
    artifact_id: Uuid,
    by: Uuid,
    resolution: Resolution,
    at: OffsetDateTime,
) -> Result<(), AppError> {
    artifact_flag::Entity::update_many()
        .col_expr(artifact_flag::Column::ResolvedBy, sea_orm::sea_query::Expr::value(by))
        .col_expr(artifact_flag::Column::ResolvedAt, sea_orm::sea_query::Expr::value(at))
        .col_expr(artifact_flag::Column::Resolution, sea_orm::sea_query::Expr::value(resolution.as_str()))
        .filter(artifact_flag::Column::ArtifactId.eq(artifact_id))
        .filter(artifact_flag::Column::ResolvedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Brings back version `number` as a new version.
pub async fn restore(db: &DatabaseConnection, viewer: &Viewer, artifact_id: Uuid, number: i32) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    let access = editable(&txn, viewer, artifact_id).await?;
    let old = artifact_version::Entity::find()
        .filter(artifact_version::Column::ArtifactId.eq(artifact_id))
        .filter(artifact_version::Column::Number.eq(number))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if number == access.artifact.version {
        return Ok(());
    }
    let at = now();
    let next = access.artifact.version + 1;
    let tags = super::domain::parse_tags(&old.tags).unwrap_or_default();
    insert_version(&txn, artifact_id, next, &old.title, &old.kind, &old.body, &tags, viewer.id(), Some(number), at)
        .await?;
    let mut model: artifact::ActiveModel = access.artifact.into();
    model.title = Set(old.title);
    model.kind = Set(old.kind);
    model.body = Set(old.body);
    model.version = Set(next);
    model.updated_at = Set(at);
    let saved = model.update(&txn).await?;
    replace_tags(&txn, artifact_id, &tags).await?;
    reindex(&txn, &saved).await?;
    record_event(&txn, &access.community, viewer.id(), EventKind::UpdatedArtifact, at, None, None).await?;
    txn.commit().await?;
    Ok(())
}

fn name_or_former(names: &HashMap<Uuid, String>, id: Option<Uuid>) -> String {
    id.and_then(|id| names.get(&id).cloned()).unwrap_or_else(|| "—".to_string())
}

/// The artifact with its files, comments, open flags and reuses, in a fixed number
/// of queries.
/// Times are in the board's time zone `tz`.
pub async fn artifact_page(
    db: &DatabaseConnection,
    tz: &jiff::tz::TimeZone,
    viewer: &Viewer,
    artifact_id: Uuid,
) -> Result<ArtifactPage, AppError> {
    let access = access(db, viewer, artifact_id).await?;
    let a = &access.artifact;
    let id = a.id;
    let files = artifact_file::Entity::find()
        .filter(artifact_file::Column::ArtifactId.eq(id))
        .order_by_asc(artifact_file::Column::CreatedAt)
        .all(db)
        .await?;
    let comments = artifact_comment::Entity::find()
        .filter(artifact_comment::Column::ArtifactId.eq(id))
        .order_by_asc(artifact_comment::Column::CreatedAt)
        .all(db)
        .await?;
    let flags = artifact_flag::Entity::find()
        .filter(artifact_flag::Column::ArtifactId.eq(id))
        .filter(artifact_flag::Column::ResolvedAt.is_null())
        .order_by_asc(artifact_flag::Column::CreatedAt)
        .all(db)
        .await?;
    let reuses = artifact_reuse::Entity::find()
        .filter(artifact_reuse::Column::ArtifactId.eq(id))
        .order_by_desc(artifact_reuse::Column::CreatedAt)
        .all(db)
        .await?;
    let people = crate::account::service::names_of(
        db,
        a.owner_id
            .into_iter()
            .chain(comments.iter().filter_map(|c| c.author_id))
            .chain(flags.iter().filter_map(|f| f.flagged_by))
            .chain(reuses.iter().map(|r| r.user_id)),
    )
    .await?;
    let tags = tags_of(db, &[id]).await?.remove(&id).unwrap_or_default();
    let may_steward = access.may_steward();
    Ok(ArtifactPage {
        id,
        community_id: a.community_id,
        community_name: access.community.name.clone(),
        title: a.title.clone(),
        kind: ArtifactKind::decode(&a.kind)?,
        body_html: markdown::render(&a.body),
        body: if access.may_edit() { a.body.clone() } else { String::new() },
        tags,
        seci_phase: SeciPhase::decode(&a.seci_phase)?,
        scope: Scope::decode(&a.scope)?,
        source: Source::decode(&a.source)?,
        standing: standing_of(a, now())?,
        owner: if access.hides_case_bringer() { "—".to_string() } else { name_or_former(&people, a.owner_id) },
        review_due_at: to_local(tz, a.review_due_at),
        version: a.version,
        updated_at: to_local(tz, a.updated_at),
        files: files
            .into_iter()
            .map(|f| FileRow { id: f.id, name: f.name, size_bytes: f.size_bytes, content_type: f.content_type })
            .collect(),
        comments: comments
            .into_iter()
            .map(|c| CommentRow {
                id: c.id,
                author: name_or_former(&people, c.author_id),
                mine: c.author_id == Some(viewer.id()) || may_steward,
                body: c.body,
                at: c.created_at,
            })
            .collect(),
        open_flags: flags
            .into_iter()
            .map(|f| FlagRow { by: name_or_former(&people, f.flagged_by), reason: f.reason, at: f.created_at })
            .collect(),
        reuses: reuses
            .into_iter()
            .map(|r| ReuseRow {
                name: name_or_former(&people, Some(r.user_id)),
                reflection: r.reflection,
                at: r.created_at,
            })
            .collect(),
        may_edit: access.may_edit(),
        may_steward,
        may_publish: access.may_publish(),
    })
}

pub async fn new_artifact_context(
    db: &DatabaseConnection,
    viewer: &Viewer,
    community_id: Uuid,
) -> Result<NewArtifactContext, AppError> {
    let (community, membership) = member_access(db, viewer, community_id).await?;
    Ok(NewArtifactContext {
        community_name: community.name,
        may_publish: membership.role != CommunityRole::Guest.as_str(),
    })
}

/// The knowledge base as the viewer may see it: search hits, or the newest first.
pub async fn knowledge(db: &DatabaseConnection, viewer: &Viewer, filter: &Filter) -> Result<KnowledgePage, AppError> {
    let snapshot = crate::db::begin_read(db).await?;
    let db = &snapshot;
    // The viewer's communities, named for the filter; their artifacts are visible.
    let communities: Vec<(Uuid, String)> = community_member::Entity::find()
        .select_only()
        .column(community::Column::Id)
        .column(community::Column::Name)
        .join(JoinType::InnerJoin, community_member::Relation::Community.def())
        .filter(community_member::Column::UserId.eq(viewer.id()))
        .filter(community_member::Column::Status.eq(MembershipStatus::Active.as_str()))
        .order_by_asc(community::Column::Name)
        .into_tuple()
        .all(db)
        .await?;
    let visibility =
        Visibility { community_ids: communities.iter().map(|(id, _)| *id).collect(), board_id: viewer.board_id };
    let at = now();
    let mut hits = search::find(db, &visibility, &filter.criteria, at, PAGE_SIZE + 1).await?;
    let more = hits.len() as u64 > PAGE_SIZE;
    hits.truncate(PAGE_SIZE as usize);
    let result = describe_hits(db, &hits, at).await?;
    snapshot.commit().await?;
    Ok(KnowledgePage { tags: top_tags(&result, 20), hits: result, more, communities })
}

/// The community's artifacts for its page: current ones first, most recently
/// changed first. Only for members of the community (they see all of its artifacts).
pub async fn community_recent<C: ConnectionTrait>(
    db: &C,
    community_id: Uuid,
    limit: u64,
) -> Result<Vec<ArtifactLink>, AppError> {
    let at = now();
    Ok(artifact::Entity::find()
        .select_only()
        .column(artifact::Column::Id)
        .column(artifact::Column::Title)
        .column(artifact::Column::Status)
        .column(artifact::Column::ReviewDueAt)
        .filter(artifact::Column::CommunityId.eq(community_id))
        .order_by_asc(sea_orm::sea_query::Expr::cust(search::standing_penalty!("status")))
        .order_by_desc(artifact::Column::UpdatedAt)
        .limit(limit)
        .into_tuple::<(Uuid, String, String, OffsetDateTime)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, title, status, review_due_at)| ArtifactLink {
            id,
            title,
            standing: Standing::of(
                ArtifactStatus::decode(&status).unwrap_or(ArtifactStatus::Current),
                review_due_at,
                at,
            ),
        })
        .collect())
}

/// Artifacts the viewer looks after that want attention (review due, or flagged
/// outdated), the longest waiting first: one query, for their home page.
pub async fn in_care_of<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    limit: u64,
) -> Result<Vec<ArtifactLink>, AppError> {
    let at = now();
    let current = ArtifactStatus::Current.as_str();
    let wants_care = Condition::any()
        .add(artifact::Column::Status.eq(ArtifactStatus::Outdated.as_str()))
        .add(Condition::all().add(artifact::Column::Status.eq(current)).add(artifact::Column::ReviewDueAt.lte(at)));
    let rows = artifact::Entity::find()
        .select_only()
        .column(artifact::Column::Id)
        .column(artifact::Column::Title)
        .column(artifact::Column::Status)
        .column(artifact::Column::ReviewDueAt)
        .filter(artifact::Column::OwnerId.eq(viewer.id()))
        .filter(wants_care)
        .order_by_asc(artifact::Column::ReviewDueAt)
        .order_by_asc(artifact::Column::Id)
        .limit(limit)
        .into_tuple::<(Uuid, String, String, OffsetDateTime)>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, title, status, review_due_at)| {
            let standing = Standing::of(ArtifactStatus::decode(&status).ok()?, review_due_at, at);
            Some(ArtifactLink { id, title, standing })
        })
        .collect())
}

/// The most used tags among the hits: the tag filter narrows what is on screen.
fn top_tags(hits: &[ArtifactHit], limit: usize) -> Vec<String> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for tag in hits.iter().flat_map(|h| &h.tags) {
        *counts.entry(tag.as_str()).or_default() += 1;
    }
    let mut tags: Vec<(&str, usize)> = counts.into_iter().collect();
    tags.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    tags.into_iter().take(limit).map(|(tag, _)| tag.to_string()).collect()
}

/// What a list row shows of an artifact (not its body), with its community's name.
#[derive(Debug, FromQueryResult)]
struct ListedArtifact {
    id: Uuid,
    title: String,
    kind: String,
    seci_phase: String,
    status: String,
    review_due_at: OffsetDateTime,
    scope: String,
    updated_at: OffsetDateTime,
    community_name: String,
}

/// Turns search hits into list rows, in order, in a fixed number of queries.
async fn describe_hits<C: ConnectionTrait>(
    db: &C,
    hits: &[search::Hit],
    at: OffsetDateTime,
) -> Result<Vec<ArtifactHit>, AppError> {
    let ids: Vec<Uuid> = hits.iter().map(|h| h.id).collect();
    let artifacts: HashMap<Uuid, ListedArtifact> = artifact::Entity::find()
        .select_only()
        .columns([
            artifact::Column::Id,
            artifact::Column::Title,
            artifact::Column::Kind,
            artifact::Column::SeciPhase,
            artifact::Column::Status,
            artifact::Column::ReviewDueAt,
            artifact::Column::Scope,
            artifact::Column::UpdatedAt,
        ])
        .column_as(community::Column::Name, "community_name")
        .join(JoinType::InnerJoin, artifact::Relation::Community.def())
        .filter(artifact::Column::Id.is_in(ids.clone()))
        .into_model::<ListedArtifact>()
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let mut tags = tags_of(db, &ids).await?;
    let reuse_counts: HashMap<Uuid, i64> = artifact_reuse::Entity::find()
        .select_only()
        .column(artifact_reuse::Column::ArtifactId)
        .column_as(artifact_reuse::Column::Id.count(), "count")
        .filter(artifact_reuse::Column::ArtifactId.is_in(ids.clone()))
        .group_by(artifact_reuse::Column::ArtifactId)
        .into_tuple::<(Uuid, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(hits
        .iter()
        .filter_map(|hit| {
            let a = artifacts.get(&hit.id)?;
            Some(ArtifactHit {
                id: a.id,
                title: a.title.clone(),
                kind: ArtifactKind::decode(&a.kind).ok()?,
                seci_phase: SeciPhase::decode(&a.seci_phase).ok()?,
                community_name: a.community_name.clone(),
                standing: Standing::of(ArtifactStatus::decode(&a.status).ok()?, a.review_due_at, at),
                scope: Scope::decode(&a.scope).ok()?,
                tags: tags.remove(&a.id).unwrap_or_default(),
                snippet: hit.snippet.as_deref().map(highlight_segments).unwrap_or_default(),
                reuse_count: reuse_counts.get(&a.id).copied().unwrap_or(0).max(0) as u64,
                updated_at: a.updated_at,
            })
        })
        .collect())
}

/// The versions, and a diff between two of them (by default the newest against the
/// one before it).
pub async fn history(
    db: &DatabaseConnection,
    viewer: &Viewer,
    artifact_id: Uuid,
    from: Option<i32>,
    to: Option<i32>,
) -> Result<History, AppError> {
    let access = access(db, viewer, artifact_id).await?;
    let versions = artifact_version::Entity::find()
        .filter(artifact_version::Column::ArtifactId.eq(artifact_id))
        .order_by_desc(artifact_version::Column::Number)
        .all(db)
        .await?;
    let people = crate::account::service::names_of(db, versions.iter().filter_map(|v| v.author_id)).await?;
    let current = access.artifact.version;
    let to = to.filter(|n| versions.iter().any(|v| v.number == *n)).unwrap_or(current);
    let from = from.filter(|n| versions.iter().any(|v| v.number == *n)).unwrap_or((to - 1).max(1));
    let find = |n: i32| versions.iter().find(|v| v.number == n);
    let (diff, title_change) = match (find(from), find(to)) {
        (Some(old), Some(new)) => (
            markdown::diff(&old.body, &new.body),
            (old.title != new.title).then(|| (old.title.clone(), new.title.clone())),
        ),
        _ => (Vec::new(), None),
    };
    Ok(History {
        artifact_id,
        title: access.artifact.title.clone(),
        versions: versions
            .iter()
            .map(|v| VersionRow {
                number: v.number,
                title: v.title.clone(),
                author: if access.hides_case_bringer() {
                    "—".to_string()
                } else {
                    name_or_former(&people, v.author_id)
                },
                at: v.created_at,
                restored_from: v.restored_from,
            })
            .collect(),
        current,
        from,
        to,
        title_change,
        diff,
        may_edit: access.may_edit(),
    })
}

pub async fn comment(db: &DatabaseConnection, viewer: &Viewer, artifact_id: Uuid, body: &str) -> Result<(), AppError> {
    Validation::new().check("body", text_bounds(body, COMMENT_MAX)).finish()?;
    let access = access(db, viewer, artifact_id).await?;
    artifact_comment::ActiveModel {
        id: Set(Uuid::now_v7()),
        artifact_id: Set(access.artifact.id),
        author_id: Set(Some(viewer.id())),
        body: Set(body.trim().to_string()),
        created_at: Set(now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The author deletes their comment; the owner or a facilitator may remove any.
pub async fn delete_comment(db: &DatabaseConnection, viewer: &Viewer, comment_id: Uuid) -> Result<(), AppError> {
    let comment = artifact_comment::Entity::find_by_id(comment_id).one(db).await?.ok_or(AppError::NotFound)?;
    let access = access(db, viewer, comment.artifact_id).await?;
    if comment.author_id != Some(viewer.id()) && !access.may_steward() {
        return Err(AppError::NotFound);
    }
    artifact_comment::Entity::delete_by_id(comment_id).exec(db).await?;
    Ok(())
}

/// Anyone who can see an artifact may flag it outdated, with a reason; its owner is
/// told.
pub async fn flag(state: &AppState, viewer: &Viewer, artifact_id: Uuid, reason: &str) -> Result<(), AppError> {
    Validation::new().check("reason", text_bounds(reason, REASON_MAX)).finish()?;
    let txn = begin_write(&state.db).await?;
    let access = access(&txn, viewer, artifact_id).await?;
    if access.artifact.status == ArtifactStatus::Archived.as_str() {
        return Err(AppError::Conflict(ErrorKey::ArtifactArchived));
    }
    artifact_flag::ActiveModel {
        id: Set(Uuid::now_v7()),
        artifact_id: Set(artifact_id),
        flagged_by: Set(Some(viewer.id())),
        reason: Set(reason.trim().to_string()),
        created_at: Set(now()),
        resolved_by: Set(None),
        resolved_at: Set(None),
        resolution: Set(None),
    }
    .insert(&txn)
    .await?;
    let owner = access.artifact.owner_id;
    let community_id = access.artifact.community_id;
    let mut model: artifact::ActiveModel = access.artifact.into();
    model.status = Set(ArtifactStatus::Outdated.as_str().to_string());
    model.update(&txn).await?;
    txn.commit().await?;
    let notice = Notice::about_artifact(NoticeKind::ArtifactFlagged, community_id, artifact_id, Some(viewer.id()));
    notify(state, notice, &owner.into_iter().collect::<Vec<_>>()).await
}

/// The owner or a facilitator confirms the artifact is current (after a flag or a
/// due review), archives it, or takes it out of the archive again.
pub async fn settle(
    db: &DatabaseConnection,
    viewer: &Viewer,
    artifact_id: Uuid,
    action: Settle,
) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    let access = access(&txn, viewer, artifact_id).await?;
    if !access.may_steward() {
        return Err(AppError::NotFound);
    }
    let at = now();
    let kind = ArtifactKind::decode(&access.artifact.kind)?;
    let mut model: artifact::ActiveModel = access.artifact.into();
    match action {
        Settle::Confirm => {
            resolve_open_flags(&txn, artifact_id, viewer.id(), Resolution::Confirmed, at).await?;
            model.status = Set(ArtifactStatus::Current.as_str().to_string());
            model.review_due_at = Set(at + kind.review_after());
            model.review_notified_at = Set(None);
        }
        Settle::Archive => {
            resolve_open_flags(&txn, artifact_id, viewer.id(), Resolution::Archived, at).await?;
            model.status = Set(ArtifactStatus::Archived.as_str().to_string());
        }
        Settle::Unarchive => {
            model.status = Set(ArtifactStatus::Current.as_str().to_string());
        }
    }
    model.update(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// "I used this in my class": a reuse with a reflection; for members of the
/// artifact's community it is also a participation event (internalisation).
pub async fn reuse(
    db: &DatabaseConnection,
    viewer: &Viewer,
    artifact_id: Uuid,
    reflection: &str,
) -> Result<(), AppError> {
    Validation::new().check("reflection", text_bounds(reflection, REFLECTION_MAX)).finish()?;
    let txn = begin_write(db).await?;
    let access = access(&txn, viewer, artifact_id).await?;
    let at = now();
    artifact_reuse::ActiveModel {
        id: Set(Uuid::now_v7()),
        artifact_id: Set(artifact_id),
        user_id: Set(viewer.id()),
        reflection: Set(reflection.trim().to_string()),
        created_at: Set(at),
    }
    .insert(&txn)
    .await?;
    if access.membership.is_some() {
        record_event(&txn, &access.community, viewer.id(), EventKind::ReusedArtifact, at, None, None).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Passes the artifacts `user_id` owns in a community to one of its facilitators
/// (the longest-serving other one), or else to the longest-serving other member.
/// Called when someone leaves or is removed, inside that change's transaction.
pub async fn hand_over<C: ConnectionTrait>(
    db: &C,
    community_id: Uuid,
    user_id: Uuid,
) -> Result<Option<Uuid>, AppError> {
    let owned = artifact::Entity::find()
        .filter(artifact::Column::CommunityId.eq(community_id))
        .filter(artifact::Column::OwnerId.eq(user_id))
        .count(db)
        .await?;
    if owned == 0 {
        return Ok(None);
    }
    let others = community_member::Entity::find()
        .filter(community_member::Column::CommunityId.eq(community_id))
        .filter(community_member::Column::Status.eq(MembershipStatus::Active.as_str()))
        .filter(community_member::Column::UserId.ne(user_id))
        .order_by_asc(community_member::Column::JoinedAt)
        .all(db)
        .await?;
    let heir = others
        .iter()
        .find(|m| m.role == CommunityRole::Facilitator.as_str())
        .or_else(|| others.iter().find(|m| m.role != CommunityRole::Guest.as_str()))
        .or(others.first())
        .map(|m| m.user_id);
    let Some(heir) = heir else { return Ok(None) };
    artifact::Entity::update_many()
        .col_expr(artifact::Column::OwnerId, sea_orm::sea_query::Expr::value(heir))
        .filter(artifact::Column::CommunityId.eq(community_id))
        .filter(artifact::Column::OwnerId.eq(user_id))
        .exec(db)
        .await?;
    Ok(Some(heir))
}

/// Tells owners whose artifacts came due for review, once per review date.
pub async fn send_review_reminders(state: &AppState) -> Result<usize, AppError> {
    let db = &state.db;
    let at = now();
    let due = artifact::Entity::find()
        .filter(artifact::Column::Status.eq(ArtifactStatus::Current.as_str()))
        .filter(artifact::Column::ReviewDueAt.lte(at))
        .filter(artifact::Column::ReviewNotifiedAt.is_null())
        .limit(500)
        .all(db)
        .await?;
    let mut sent = 0;
    for a in due {
        // Marked first: a reminder is never sent twice, even if the mail fails.
        let updated = artifact::Entity::update_many()
            .col_expr(artifact::Column::ReviewNotifiedAt, sea_orm::sea_query::Expr::value(at))
            .filter(artifact::Column::Id.eq(a.id))
            .filter(artifact::Column::ReviewNotifiedAt.is_null())
            .exec(db)
            .await?;
        if updated.rows_affected == 0 {
            continue;
        }
        if let Some(owner) = a.owner_id {
            notify(state, Notice::about_artifact(NoticeKind::ReviewDue, a.community_id, a.id, None), &[owner]).await?;
            sent += 1;
        }
    }
    Ok(sent)
}
