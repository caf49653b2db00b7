//! Files attached to artifacts, and a community's whole knowledge base as one
//! archive. The bytes live in a file store (`object_store`: the local disk under the
//! data directory by default, or an S3-compatible bucket), under server-generated
//! names; the rows here say what they are. A file is accepted only when its content
//! and its name agree on an allowed type, within the per-file and per-organisation
//! limits; anything refused leaves nothing behind.

use std::io::Write;

use bytes::Bytes;
use object_store::ObjectStoreExt;
use object_store::path::Path as StorePath;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use super::domain::{accepted_file_type, clean_file_name};
use super::service::{access, reindex};
use crate::account::session::Viewer;
use crate::db::entities::{artifact, artifact_file, artifact_tag, lesson_photo};
use crate::db::{begin_write, now};
use crate::error::{AppError, ErrorKey};
use crate::membership::service::member_access;
use crate::state::AppState;

fn store_path(key: &str) -> StorePath {
    StorePath::from(format!("artifacts/{key}"))
}

fn store_error(err: object_store::Error) -> AppError {
    tracing::error!(error = %err, "file store error");
    AppError::Internal
}

/// Bytes stored for an organisation so far: files attached to artifacts and photos of
/// pupil work from lesson study share one quota.
pub(crate) async fn used_bytes<C: ConnectionTrait>(db: &C, organisation_id: Uuid) -> Result<i64, AppError> {
    let sum = || sea_orm::sea_query::Expr::cust("COALESCE(CAST(SUM(size_bytes) AS BIGINT), 0)");
    let files: Option<i64> = artifact_file::Entity::find()
        .select_only()
        .column_as(sum(), "total")
        .filter(artifact_file::Column::OrganisationId.eq(organisation_id))
        .into_tuple()
        .one(db)
        .await?;
    let photos: Option<i64> = lesson_photo::Entity::find()
        .select_only()
        .column_as(sum(), "total")
        .filter(lesson_photo::Column::OrganisationId.eq(organisation_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(files.unwrap_or(0) + photos.unwrap_or(0))
}

/// Attaches a file to an artifact the viewer may edit.
pub async fn upload(
    state: &AppState,
    viewer: &Viewer,
    artifact_id: Uuid,
    file_name: &str,
    bytes: Bytes,
) -> Result<Uuid, AppError> {
    let limits = &state.settings;
    if bytes.len() as u64 > limits.upload_max_bytes {
        return Err(AppError::TooLarge(ErrorKey::FileTooLarge));
    }
    let name = clean_file_name(file_name);
    if name.is_empty() || bytes.is_empty() {
        return Err(AppError::field("file", ErrorKey::Required));
    }
    let detected = infer::get(&bytes).map(|t| t.mime_type()).unwrap_or("application/octet-stream");
    let Some(file_type) = accepted_file_type(detected, &name) else {
        return Err(AppError::UnsupportedType);
    };
    let txn = begin_write(&state.db).await?;
    let access = access(&txn, viewer, artifact_id).await?;
    if !access.may_edit() {
        return Err(AppError::NotFound);
    }
    let organisation_id = access.artifact.organisation_id;
    if used_bytes(&txn, organisation_id).await? as u64 + bytes.len() as u64 > limits.storage_quota_bytes {
        return Err(AppError::TooLarge(ErrorKey::StorageFull));
    }
    let id = Uuid::now_v7();
    let key = id.simple().to_string();
    let size = bytes.len() as i64;
    state.files.put(&store_path(&key), bytes.into()).await.map_err(store_error)?;
    let stored = async {
        artifact_file::ActiveModel {
            id: Set(id),
            artifact_id: Set(artifact_id),
            organisation_id: Set(organisation_id),
            name: Set(name),
            content_type: Set(file_type.mime.to_string()),
            size_bytes: Set(size),
            storage_key: Set(key.clone()),
            uploaded_by: Set(Some(viewer.id())),
            created_at: Set(now()),
        }
        .insert(&txn)
        .await?;
        reindex(&txn, &access.artifact).await?;
        txn.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    if let Err(err) = stored {
        // Nothing half-stored: the bytes go when the row could not be written.
        let _ = state.files.delete(&store_path(&key)).await;
        return Err(err);
    }
    Ok(id)
}

/// A file and its bytes, for someone who may see its artifact.
pub async fn download(
    state: &AppState,
    viewer: &Viewer,
    file_id: Uuid,
) -> Result<(artifact_file::Model, Bytes), AppError> {
    let file = artifact_file::Entity::find_by_id(file_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    access(&state.db, viewer, file.artifact_id).await?;
    let bytes = read(state, &file.storage_key).await?;
    Ok((file, bytes))
}

/// The bytes of a stored file.
pub(crate) async fn read(state: &AppState, key: &str) -> Result<Bytes, AppError> {
    state.files.get(&store_path(key)).await.map_err(store_error)?.bytes().await.map_err(store_error)
}

/// Removes an attached file (members of the artifact's community).
pub async fn delete(state: &AppState, viewer: &Viewer, file_id: Uuid) -> Result<(), AppError> {
    let txn = begin_write(&state.db).await?;
    let file = artifact_file::Entity::find_by_id(file_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let access = access(&txn, viewer, file.artifact_id).await?;
    if !access.may_edit() {
        return Err(AppError::NotFound);
    }
    artifact_file::Entity::delete_by_id(file_id).exec(&txn).await?;
    reindex(&txn, &access.artifact).await?;
    txn.commit().await?;
    if let Err(err) = state.files.delete(&store_path(&file.storage_key)).await {
        tracing::warn!(error = %err, key = %file.storage_key, "could not remove a deleted file from the store");
    }
    Ok(())
}

/// A name for a folder in the archive: lower case letters, digits and dashes.
fn slug(title: &str) -> String {
    let mut slug = String::new();
    for c in title.to_lowercase().chars() {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').chars().take(60).collect()
}

/// Every artifact of a community (Markdown with its metadata, plus its files) and an
/// index, as one zip archive written while it is sent (`crate::archive`: files read
/// one at a time), for the community's members; a guest, who came for one community's
/// meetings and products, does not take its whole knowledge base away. Returns the
/// archive's name and its chunks.
pub async fn export(
    state: &AppState,
    viewer: &Viewer,
    community_id: Uuid,
) -> Result<(String, tokio::sync::mpsc::Receiver<Bytes>), AppError> {
    let db = &state.db;
    let (community, membership) = member_access(db, viewer, community_id).await?;
    if membership.role == crate::membership::domain::CommunityRole::Guest.as_str() {
        return Err(AppError::NotFound);
    }
    let artifacts = artifact::Entity::find()
        .filter(artifact::Column::CommunityId.eq(community_id))
        .order_by_asc(artifact::Column::CreatedAt)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = artifacts.iter().map(|a| a.id).collect();
    let files =
        artifact_file::Entity::find().filter(artifact_file::Column::ArtifactId.is_in(ids.clone())).all(db).await?;
    let tags = artifact_tag::Entity::find().filter(artifact_tag::Column::ArtifactId.is_in(ids)).all(db).await?;
    let owners = crate::account::service::names_of(db, artifacts.iter().filter_map(|a| a.owner_id)).await?;
    let base = state.settings.public_url.clone();
    let community_name = community.name.clone();
    let runtime = tokio::runtime::Handle::current();
    let state = state.clone();
    let chunks = crate::archive::spawn("community export", move |zip| {
        use crate::archive::{file_entry, text_entry};
        let mut index = format!("# {community_name}\n\n");
        for (n, a) in artifacts.iter().enumerate() {
            let folder = format!("{:03}-{}", n + 1, slug(&a.title));
            let tag_list: Vec<&str> = tags.iter().filter(|t| t.artifact_id == a.id).map(|t| t.tag.as_str()).collect();
            let owner = a.owner_id.and_then(|id| owners.get(&id)).map(String::as_str).unwrap_or("—");
            index.push_str(&format!(
                "- [{}]({folder}/README.md) — {}, {}, {owner}\n",
                a.title.replace(['[', ']'], ""),
                a.kind,
                a.status
            ));
            let mut readme = format!(
                "# {}\n\n- kind: {}\n- status: {}\n- SECI: {}\n- owner: {owner}\n- review due: {}\n- version: {}\n- tags: {}\n- link: {base}/a/{}\n\n",
                a.title,
                a.kind,
                a.status,
                a.seci_phase,
                a.review_due_at.date(),
                a.version,
                tag_list.join(", "),
                a.id
            );
            readme.push_str(&a.body);
            readme.push('\n');
            zip.start_file(format!("{folder}/README.md"), text_entry())?;
            zip.write_all(readme.as_bytes())?;
            // Numbered, so two files with one name both fit.
            for (k, file) in files.iter().filter(|f| f.artifact_id == a.id).enumerate() {
                let bytes = runtime
                    .block_on(read(&state, &file.storage_key))
                    .map_err(|_| std::io::Error::other(format!("stored file {} could not be read", file.id)))?;
                zip.start_file(format!("{folder}/files/{}-{}", k + 1, file.name), file_entry())?;
                zip.write_all(&bytes)?;
            }
        }
        zip.start_file("index.md", text_entry())?;
        zip.write_all(index.as_bytes())?;
        Ok(())
    });
    Ok((format!("kring-{}.zip", slug(&community.name)), chunks))
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs_are_safe_folder_names() {
        assert_eq!(slug("Exit tickets: groep 5/6 (versie 2)"), "exit-tickets-groep-5-6-versie-2");
        assert_eq!(slug("../../etc"), "etc");
    }
}
