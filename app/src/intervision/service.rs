//! Cases on the server: submitted, listed and withdrawn by members of the community
//! only (everyone else, school leaders and admins included, gets `NotFound`), and
//! emptied when they expire.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::api::{CaseList, CaseRow};
use super::case::{CaseForm, CaseStatus, school_year_end};
use crate::account::session::Viewer;
use crate::community::domain::CommunityRole;
use crate::community::service::member_access;
use crate::db::entities::{community, intervision_case, user};
use crate::db::{begin_write, now};
use crate::error::AppError;

/// The community, if the viewer is one of its members or facilitators. Guests take
/// part in the community's meetings and knowledge base, not in its intervision.
pub(crate) async fn intervision_access<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    community_id: Uuid,
) -> Result<community::Model, AppError> {
    let (community, membership) = member_access(db, viewer, community_id).await?;
    if membership.role == CommunityRole::Guest.as_str() {
        return Err(AppError::NotFound);
    }
    Ok(community)
}

pub async fn submit(
    db: &DatabaseConnection,
    viewer: &Viewer,
    community_id: Uuid,
    form: CaseForm,
) -> Result<Uuid, AppError> {
    let input = form.validate()?;
    let txn = begin_write(db).await?;
    intervision_access(&txn, viewer, community_id).await?;
    let at = now();
    let id = Uuid::now_v7();
    intervision_case::ActiveModel {
        id: Set(id),
        community_id: Set(community_id),
        author_id: Set(Some(viewer.id())),
        title: Set(input.title),
        situation: Set(input.situation),
        question: Set(input.question),
        status: Set(CaseStatus::Open.as_str().to_string()),
        expires_at: Set(school_year_end(at)),
        purged_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// The community's cases that still have their text, newest first.
pub async fn community_cases(
    db: &DatabaseConnection,
    viewer: &Viewer,
    community_id: Uuid,
) -> Result<CaseList, AppError> {
    let community = intervision_access(db, viewer, community_id).await?;
    let cases = intervision_case::Entity::find()
        .filter(intervision_case::Column::CommunityId.eq(community_id))
        .filter(intervision_case::Column::PurgedAt.is_null())
        .order_by_desc(intervision_case::Column::CreatedAt)
        .all(db)
        .await?;
    let author_ids: Vec<Uuid> = cases.iter().filter_map(|c| c.author_id).collect();
    let authors = user::Entity::find().filter(user::Column::Id.is_in(author_ids)).all(db).await?;
    let rows = cases
        .into_iter()
        .map(|case| CaseRow {
            id: case.id,
            title: case.title,
            situation: case.situation,
            question: case.question,
            status: CaseStatus::parse(&case.status).unwrap_or(CaseStatus::Open),
            author: case.author_id.and_then(|id| authors.iter().find(|u| u.id == id)).map(|u| u.name.clone()),
            mine: case.author_id == Some(viewer.id()),
            expires_at: case.expires_at,
        })
        .collect();
    Ok(CaseList { community_id, community_name: community.name, cases: rows })
}

/// The case bringer takes a case back (`open = false`) or puts it back (`true`).
pub async fn set_open(db: &DatabaseConnection, viewer: &Viewer, case_id: Uuid, open: bool) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    let case = intervision_case::Entity::find_by_id(case_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    intervision_access(&txn, viewer, case.community_id).await?;
    if case.author_id != Some(viewer.id()) || case.purged_at.is_some() {
        return Err(AppError::NotFound);
    }
    let (from, to) =
        if open { (CaseStatus::Withdrawn, CaseStatus::Open) } else { (CaseStatus::Open, CaseStatus::Withdrawn) };
    if case.status != from.as_str() {
        return Err(AppError::Conflict(crate::error::ErrorKey::CaseChanged));
    }
    let mut active: intervision_case::ActiveModel = case.into();
    active.status = Set(to.as_str().to_string());
    active.updated_at = Set(now());
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Empties the text of every case whose time is up. Returns how many.
pub async fn purge_expired(db: &DatabaseConnection, at: OffsetDateTime) -> Result<usize, AppError> {
    let txn = begin_write(db).await?;
    let expired = intervision_case::Entity::find()
        .filter(intervision_case::Column::ExpiresAt.lte(at))
        .filter(intervision_case::Column::PurgedAt.is_null())
        .all(&txn)
        .await?;
    let count = expired.len();
    for case in expired {
        let mut active: intervision_case::ActiveModel = case.into();
        active.title = Set(String::new());
        active.situation = Set(String::new());
        active.question = Set(String::new());
        active.purged_at = Set(Some(at));
        active.updated_at = Set(at);
        active.update(&txn).await?;
    }
    txn.commit().await?;
    Ok(count)
}
