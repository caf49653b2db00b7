//! Photos of pupil work taken during a research lesson: checked (type, size, the
//! organisation's storage quota), cleaned of metadata before anything is stored, kept
//! in the file store under a server-made name, and shown to the community's members
//! only.

use bytes::Bytes;
use object_store::ObjectStoreExt;
use object_store::path::Path as StorePath;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use uuid::Uuid;

use super::{cycle_access, latest_lesson, lesson_plan, takes_notes};
use crate::account::session::Viewer;
use crate::db::entities::{lesson_photo, research_lesson};
use crate::db::{begin_read, begin_write, now};
use crate::error::{AppError, ErrorKey, Validation};
use crate::lesson_study::domain::CyclePhase;
use crate::lesson_study::photo::clean_photo;
use crate::membership::domain::CommunityRole;
use crate::state::AppState;

fn store_path(key: &str) -> StorePath {
    StorePath::from(format!("lesson-photos/{key}"))
}

fn store_error(err: object_store::Error) -> AppError {
    tracing::error!(error = %err, "file store error");
    AppError::Internal
}

/// Stores a photo of a case pupil's work in one phase of the cycle's newest research
/// lesson, while it takes notes. Nothing is stored when anything is wrong.
pub async fn upload_photo(
    state: &AppState,
    viewer: &Viewer,
    lesson_id: Uuid,
    pupil: &str,
    phase: usize,
    bytes: Bytes,
) -> Result<Uuid, AppError> {
    if bytes.len() as u64 > state.settings.upload_max_bytes {
        return Err(AppError::TooLarge(ErrorKey::FileTooLarge));
    }
    if bytes.is_empty() {
        return Err(AppError::field("photo", ErrorKey::Required));
    }
    let txn = begin_write(&state.db).await?;
    let lesson = research_lesson::Entity::find_by_id(lesson_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let (cycle, community, _) = cycle_access(&txn, viewer, lesson.cycle_id).await?;
    if latest_lesson(&txn, cycle.id).await?.id != lesson.id || !takes_notes(CyclePhase::decode(&cycle.phase)?, &lesson)
    {
        return Err(AppError::Conflict(ErrorKey::NotObserving));
    }
    let plan = lesson_plan(&txn, &lesson).await?;
    let mut check = Validation::new();
    check
        .check("pupil", if plan.has_pupil(pupil) { Ok(()) } else { Err(ErrorKey::InvalidChoice) })
        .check("phase", if phase < plan.phases.len() { Ok(()) } else { Err(ErrorKey::InvalidChoice) });
    check.finish()?;
    let photo = clean_photo(bytes)?;
    let used = crate::artifact::files::used_bytes(&txn, community.organisation_id).await?;
    if used as u64 + photo.bytes.len() as u64 > state.settings.storage_quota_bytes {
        return Err(AppError::TooLarge(ErrorKey::StorageFull));
    }
    let id = Uuid::now_v7();
    let key = id.simple().to_string();
    let size = photo.bytes.len() as i64;
    state.files.put(&store_path(&key), photo.bytes.into()).await.map_err(store_error)?;
    let stored = async {
        lesson_photo::ActiveModel {
            id: Set(id),
            lesson_id: Set(lesson_id),
            organisation_id: Set(community.organisation_id),
            observer_id: Set(Some(viewer.id())),
            pupil_code: Set(pupil.to_string()),
            // Checked above: a phase of the plan.
            phase: Set(phase as i16),
            content_type: Set(photo.content_type.to_string()),
            size_bytes: Set(size),
            storage_key: Set(key.clone()),
            created_at: Set(now()),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    if let Err(err) = stored {
        let _ = state.files.delete(&store_path(&key)).await;
        return Err(err);
    }
    Ok(id)
}

/// A photo and its bytes, for the members of its community.
pub async fn photo(state: &AppState, viewer: &Viewer, photo_id: Uuid) -> Result<(String, Bytes), AppError> {
    let snapshot = begin_read(&state.db).await?;
    let photo = lesson_photo::Entity::find_by_id(photo_id).one(&snapshot).await?.ok_or(AppError::NotFound)?;
    let lesson =
        research_lesson::Entity::find_by_id(photo.lesson_id).one(&snapshot).await?.ok_or(AppError::NotFound)?;
    cycle_access(&snapshot, viewer, lesson.cycle_id).await?;
    snapshot.commit().await?;
    let bytes = state
        .files
        .get(&store_path(&photo.storage_key))
        .await
        .map_err(store_error)?
        .bytes()
        .await
        .map_err(store_error)?;
    Ok((photo.content_type, bytes))
}

/// The cycle a research lesson belongs to (for a caller that has checked access).
pub async fn cycle_of(state: &AppState, lesson_id: Uuid) -> Result<Uuid, AppError> {
    Ok(research_lesson::Entity::find_by_id(lesson_id).one(&state.db).await?.ok_or(AppError::NotFound)?.cycle_id)
}

/// Removes a photo (its taker, or a facilitator): a picture taken by mistake, of a
/// pupil's face say, must not stay.
pub async fn remove_photo(state: &AppState, viewer: &Viewer, photo_id: Uuid) -> Result<(), AppError> {
    let txn = begin_write(&state.db).await?;
    let photo = lesson_photo::Entity::find_by_id(photo_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let lesson = research_lesson::Entity::find_by_id(photo.lesson_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let (_, _, role) = cycle_access(&txn, viewer, lesson.cycle_id).await?;
    if photo.observer_id != Some(viewer.id()) && role != CommunityRole::Facilitator {
        return Err(AppError::NotFound);
    }
    lesson_photo::Entity::delete_by_id(photo_id).exec(&txn).await?;
    txn.commit().await?;
    if let Err(err) = state.files.delete(&store_path(&photo.storage_key)).await {
        tracing::warn!(error = %err, key = %photo.storage_key, "could not remove a deleted photo from the store");
    }
    Ok(())
}
