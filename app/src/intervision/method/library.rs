//! The organisation's method library on the server. Everyone on the board's staff
//! reads it; facilitators (of any community of the board) and admins copy a method
//! and adapt it. Built-in methods (`catalogue`) never change; adapted ones are
//! stored per board and offered when planning a round there. A round keeps its own
//! copy of the method, so editing a method never changes a round already planned.

use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use super::api::{AdaptedMethod, MethodEdit, MethodLibrary};
use super::catalogue::{built_in, built_in_by_key};
use super::domain::{Method, MethodForm, adapted_copy};
use crate::account::domain::Language;
use crate::account::session::Viewer;
use crate::db::entities::{community, community_member, intervision_method};
use crate::db::{begin_write, now};
use crate::error::{AppError, ErrorKey};
use crate::membership::domain::{CommunityRole, MembershipStatus};

/// The viewer's board and whether they may adapt methods there.
async fn board_access<C: ConnectionTrait>(db: &C, viewer: &Viewer) -> Result<(Uuid, bool), AppError> {
    let board = viewer.board_id.ok_or(AppError::NotFound)?;
    if viewer.is_admin() {
        return Ok((board, true));
    }
    let board_communities = Query::select()
        .column(community::Column::Id)
        .from(community::Entity)
        .and_where(community::Column::OrganisationId.eq(board))
        .to_owned();
    let facilitates = community_member::Entity::find()
        .filter(community_member::Column::UserId.eq(viewer.id()))
        .filter(community_member::Column::CommunityId.in_subquery(board_communities))
        .filter(community_member::Column::Role.eq(CommunityRole::Facilitator.as_str()))
        .filter(community_member::Column::Status.eq(MembershipStatus::Active.as_str()))
        .count(db)
        .await?
        > 0;
    Ok((board, facilitates))
}

/// An adapted method of the viewer's board that they may change, or `NotFound`.
async fn adaptable<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    method_id: Uuid,
) -> Result<intervision_method::Model, AppError> {
    let (board, may_adapt) = board_access(db, viewer).await?;
    if !may_adapt {
        return Err(AppError::NotFound);
    }
    intervision_method::Entity::find_by_id(method_id)
        .filter(intervision_method::Column::OrganisationId.eq(board))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

fn stored(model: &intervision_method::Model) -> Result<Method, AppError> {
    Method::from_json(&model.method).map_err(|problem| {
        tracing::error!(method = %model.id, ?problem, "a stored method does not read");
        AppError::Internal
    })
}

pub async fn library(db: &DatabaseConnection, viewer: &Viewer) -> Result<MethodLibrary, AppError> {
    let (board, may_adapt) = board_access(db, viewer).await?;
    let rows = intervision_method::Entity::find()
        .filter(intervision_method::Column::OrganisationId.eq(board))
        .order_by_desc(intervision_method::Column::UpdatedAt)
        .all(db)
        .await?;
    let author_ids: Vec<Uuid> = rows.iter().filter_map(|m| m.created_by).collect();
    let authors = crate::account::service::names_of(db, author_ids).await?;
    let mut adapted = Vec::new();
    for row in rows {
        adapted.push(AdaptedMethod {
            id: row.id,
            method: stored(&row)?,
            author: row.created_by.and_then(|id| authors.get(&id).cloned()),
            updated_at: row.updated_at,
            archived: row.archived_at.is_some(),
        });
    }
    Ok(MethodLibrary { may_adapt, built_in: built_in().to_vec(), adapted })
}

/// Copies a built-in method (by key) or one of the board's adapted methods (by id).
pub async fn copy(db: &DatabaseConnection, viewer: &Viewer, from: &str) -> Result<Uuid, AppError> {
    let txn = begin_write(db).await?;
    let (board, may_adapt) = board_access(&txn, viewer).await?;
    if !may_adapt {
        return Err(AppError::NotFound);
    }
    let source = match Uuid::parse_str(from) {
        Ok(id) => Some(stored(&adaptable(&txn, viewer, id).await?)?),
        Err(_) => built_in_by_key(from),
    };
    let Some(source) = source else { return Err(AppError::field("from", ErrorKey::InvalidChoice)) };
    let at = now();
    let id = Uuid::now_v7();
    intervision_method::ActiveModel {
        id: Set(id),
        organisation_id: Set(board),
        method: Set(adapted_copy(&source).to_json()),
        created_by: Set(Some(viewer.id())),
        created_at: Set(at),
        updated_at: Set(at),
        archived_at: Set(None),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(id)
}

pub async fn for_editing(
    db: &DatabaseConnection,
    viewer: &Viewer,
    method_id: Uuid,
    language: &str,
) -> Result<MethodEdit, AppError> {
    let method = stored(&adaptable(db, viewer, method_id).await?)?;
    let language = Language::parse(language).unwrap_or(Language::Nl);
    Ok(MethodEdit { id: method_id, form: MethodForm::of(&method, language), total_minutes: method.total_minutes() })
}

/// Saves the form; bad input changes nothing and names every bad field.
pub async fn update(
    db: &DatabaseConnection,
    viewer: &Viewer,
    method_id: Uuid,
    language: &str,
    form: MethodForm,
) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    let model = adaptable(&txn, viewer, method_id).await?;
    let language = Language::parse(language).unwrap_or(Language::Nl);
    let method = form.apply(&stored(&model)?, language)?;
    let mut active: intervision_method::ActiveModel = model.into();
    active.method = Set(method.to_json());
    active.updated_at = Set(now());
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn set_archived(
    db: &DatabaseConnection,
    viewer: &Viewer,
    method_id: Uuid,
    archived: bool,
) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    let model = adaptable(&txn, viewer, method_id).await?;
    let mut active: intervision_method::ActiveModel = model.into();
    active.archived_at = Set(archived.then(now));
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// The methods a round in a community of `board_id` can use: built-in, then the
/// board's adapted methods that are not put away, as (form value, adapted, method).
pub async fn offered<C: ConnectionTrait>(db: &C, board_id: Uuid) -> Result<Vec<(String, bool, Method)>, AppError> {
    let mut methods: Vec<(String, bool, Method)> =
        built_in().iter().map(|m| (m.key.clone(), false, m.clone())).collect();
    let adapted = intervision_method::Entity::find()
        .filter(intervision_method::Column::OrganisationId.eq(board_id))
        .filter(intervision_method::Column::ArchivedAt.is_null())
        .order_by_asc(intervision_method::Column::CreatedAt)
        .all(db)
        .await?;
    for row in adapted {
        methods.push((row.id.to_string(), true, stored(&row)?));
    }
    Ok(methods)
}

/// The method a plan form chose: a built-in key or an adapted method of the board.
pub async fn chosen<C: ConnectionTrait>(db: &C, board_id: Uuid, choice: &str) -> Result<Option<Method>, AppError> {
    let Ok(id) = Uuid::parse_str(choice) else { return Ok(built_in_by_key(choice)) };
    let row = intervision_method::Entity::find_by_id(id)
        .filter(intervision_method::Column::OrganisationId.eq(board_id))
        .filter(intervision_method::Column::ArchivedAt.is_null())
        .one(db)
        .await?;
    row.as_ref().map(stored).transpose()
}
