//! A person's own data as one archive: machine-readable JSON per kind of record and a
//! readable `index.html`, with the files they uploaded. The archive is written as it is
//! sent (`crate::archive`), files read one at a time, so memory stays bounded by the
//! largest single file whatever the number of files.

use std::io::Write;

use bytes::Bytes;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::account::session::Viewer;
use crate::db::entities::{
    artifact, artifact_comment, artifact_file, artifact_flag, artifact_reuse, artifact_version, attendance,
    calendar_feed, community, community_member, email_opt_out, intervision_action, intervision_case,
    intervision_contribution, intervision_evaluation, intervision_participant, intervision_round, lesson_discussion,
    lesson_observation, lesson_photo, lesson_plan_version, level_change, membership_change, notification, organisation,
    participation_event, pupil_interview, staff_membership,
};
use crate::error::AppError;
use crate::state::AppState;

/// Everything Kring holds about one person, read before the archive is written.
pub struct PersonalData {
    pub name: String,
    /// `(file name in the archive, JSON)`, in the order the index lists them.
    pub records: Vec<(&'static str, Value)>,
    /// Their artifacts: id, title, and the files attached (archive path, storage key).
    pub artifacts: Vec<(String, String)>,
    pub files: Vec<(String, String)>,
}

fn rows<T: serde::Serialize>(rows: Vec<T>) -> Value {
    serde_json::to_value(rows).unwrap_or(Value::Null)
}

/// Reads what Kring holds about `viewer`. Fails only on database errors.
pub async fn collect(state: &AppState, viewer: &Viewer) -> Result<PersonalData, AppError> {
    let db = &state.db;
    let me = viewer.id();
    let user = &viewer.user;
    let staff = staff_membership::Entity::find().filter(staff_membership::Column::UserId.eq(me)).all(db).await?;
    let organisations = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(staff.iter().map(|s| s.organisation_id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    let profile = json!({
        "id": me,
        "email": user.email,
        "name": user.name,
        "language": user.language,
        "department": user.department,
        "experience_band": user.experience_band,
        "location": user.location,
        "created_at": user.created_at,
        "roles": staff.iter().map(|s| json!({
            "organisation": organisations.iter().find(|o| o.id == s.organisation_id).map(|o| o.name.clone()),
            "role": s.role,
        })).collect::<Vec<_>>(),
    });
    let memberships =
        community_member::Entity::find().filter(community_member::Column::UserId.eq(me)).into_json().all(db).await?;
    let community_ids: Vec<uuid::Uuid> = memberships
        .iter()
        .filter_map(|m| m["community_id"].as_str().and_then(|id| uuid::Uuid::parse_str(id).ok()))
        .collect();
    let communities: Vec<Value> = community::Entity::find()
        .filter(community::Column::Id.is_in(community_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| json!({ "id": c.id, "name": c.name }))
        .collect();
    let artifacts = artifact::Entity::find()
        .filter(Condition::any().add(artifact::Column::CreatedBy.eq(me)).add(artifact::Column::OwnerId.eq(me)))
        .order_by_asc(artifact::Column::CreatedAt)
        .all(db)
        .await?;
    let files = artifact_file::Entity::find()
        .filter(artifact_file::Column::UploadedBy.eq(me))
        .order_by_asc(artifact_file::Column::CreatedAt)
        .all(db)
        .await?;
    let archive_files: Vec<(String, String)> = files
        .iter()
        .enumerate()
        .map(|(n, f)| (format!("files/{}-{}", n + 1, safe_name(&f.name)), f.storage_key.clone()))
        .collect();
    let file_rows: Vec<Value> = files
        .iter()
        .zip(&archive_files)
        .map(|(f, (path, _))| {
            json!({ "artifact_id": f.artifact_id, "name": f.name, "content_type": f.content_type,
                    "size_bytes": f.size_bytes, "created_at": f.created_at, "in_archive": path })
        })
        .collect();
    let artifact_rows: Vec<Value> = artifacts
        .iter()
        .map(|a| {
            json!({ "id": a.id, "community_id": a.community_id, "title": a.title, "kind": a.kind, "body": a.body,
                    "scope": a.scope, "status": a.status, "owner": a.owner_id == Some(me),
                    "created_at": a.created_at, "updated_at": a.updated_at })
        })
        .collect();
    let cases: Vec<Value> = intervision_case::Entity::find()
        .filter(intervision_case::Column::AuthorId.eq(me))
        .filter(intervision_case::Column::PurgedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|c| json!({ "id": c.id, "community_id": c.community_id, "title": c.title, "situation": c.situation,
                          "question": c.question, "status": c.status, "expires_at": c.expires_at, "created_at": c.created_at }))
        .collect();
    let feeds: Vec<Value> = calendar_feed::Entity::find()
        .filter(calendar_feed::Column::UserId.eq(me))
        .all(db)
        .await?
        .into_iter()
        .map(|f| json!({ "created_at": f.created_at, "revoked_at": f.revoked_at }))
        .collect();
    let records = vec![
        ("profile.json", profile),
        ("memberships.json", json!({ "memberships": memberships, "communities": communities })),
        (
            "level_changes.json",
            rows(level_change::Entity::find().filter(level_change::Column::UserId.eq(me)).into_json().all(db).await?),
        ),
        (
            "membership_changes.json",
            rows(
                membership_change::Entity::find()
                    .filter(membership_change::Column::UserId.eq(me))
                    .into_json()
                    .all(db)
                    .await?,
            ),
        ),
        (
            "participation_events.json",
            rows(
                participation_event::Entity::find()
                    .filter(participation_event::Column::UserId.eq(me))
                    .into_json()
                    .all(db)
                    .await?,
            ),
        ),
        (
            "attendance.json",
            rows(attendance::Entity::find().filter(attendance::Column::UserId.eq(me)).into_json().all(db).await?),
        ),
        ("artifacts.json", Value::Array(artifact_rows)),
        (
            "artifact_versions.json",
            rows(
                artifact_version::Entity::find()
                    .filter(artifact_version::Column::AuthorId.eq(me))
                    .into_json()
                    .all(db)
                    .await?,
            ),
        ),
        ("files.json", Value::Array(file_rows)),
        (
            "comments.json",
            rows(
                artifact_comment::Entity::find()
                    .filter(artifact_comment::Column::AuthorId.eq(me))
                    .into_json()
                    .all(db)
                    .await?,
            ),
        ),
        (
            "flags.json",
            rows(
                artifact_flag::Entity::find()
                    .filter(artifact_flag::Column::FlaggedBy.eq(me))
                    .into_json()
                    .all(db)
                    .await?,
            ),
        ),
        (
            "reuses.json",
            rows(
                artifact_reuse::Entity::find()
                    .filter(artifact_reuse::Column::UserId.eq(me))
                    .into_json()
                    .all(db)
                    .await?,
            ),
        ),
        ("cases.json", Value::Array(cases)),
        (
            "rounds.json",
            rows(
                intervision_participant::Entity::find()
                    .filter(intervision_participant::Column::UserId.eq(me))
                    .into_json()
                    .all(db)
                    .await?,
            ),
        ),
        (
            "round_contributions.json",
            rows(
                intervision_contribution::Entity::find()
                    .filter(intervision_contribution::Column::AuthorId.eq(me))
                    .into_json()
                    .all(db)
                    .await?,
            ),
        ),
        (
            "round_notes.json",
            Value::Array(
                intervision_round::Entity::find()
                    .filter(intervision_round::Column::Notes.is_not_null())
                    .filter(
                        intervision_round::Column::Id.in_subquery(
                            sea_orm::sea_query::Query::select()
                                .column(intervision_participant::Column::RoundId)
                                .from(intervision_participant::Entity)
                                .and_where(intervision_participant::Column::UserId.eq(me))
                                .and_where(intervision_participant::Column::Role.is_in(["note_taker", "case_bringer"]))
                                .to_owned(),
                        ),
                    )
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|round| json!({ "round_id": round.id, "notes": round.notes }))
                    .collect(),
            ),
        ),
        (
            "actions.json",
            rows(
                intervision_action::Entity::find()
                    .filter(intervision_action::Column::OwnerId.eq(me))
                    .into_json()
                    .all(db)
                    .await?,
            ),
        ),
        (
            "evaluations.json",
            rows(
                intervision_evaluation::Entity::find()
                    .filter(intervision_evaluation::Column::UserId.eq(me))
                    .into_json()
                    .all(db)
                    .await?,
            ),
        ),
        (
            "lesson_study_observations.json",
            rows(
                lesson_observation::Entity::find()
                    .filter(lesson_observation::Column::ObserverId.eq(me))
                    .order_by_asc(lesson_observation::Column::NotedAt)
                    .into_json()
                    .all(db)
                    .await?,
            ),
        ),
        (
            "lesson_plan_versions.json",
            rows(
                lesson_plan_version::Entity::find()
                    .filter(lesson_plan_version::Column::AuthorId.eq(me))
                    .order_by_asc(lesson_plan_version::Column::CreatedAt)
                    .into_json()
                    .all(db)
                    .await?,
            ),
        ),
        (
            "lesson_study_interviews.json",
            rows(
                pupil_interview::Entity::find()
                    .filter(pupil_interview::Column::InterviewerId.eq(me))
                    .order_by_asc(pupil_interview::Column::CreatedAt)
                    .into_json()
                    .all(db)
                    .await?,
            ),
        ),
        (
            "lesson_study_discussions.json",
            rows(
                lesson_discussion::Entity::find()
                    .filter(lesson_discussion::Column::UpdatedBy.eq(me))
                    .into_json()
                    .all(db)
                    .await?,
            ),
        ),
        (
            // What is known of the photos they took; the pictures are of pupils' work,
            // the community's research, and stay in the community.
            "lesson_study_photos.json",
            rows(
                lesson_photo::Entity::find()
                    .filter(lesson_photo::Column::ObserverId.eq(me))
                    .order_by_asc(lesson_photo::Column::CreatedAt)
                    .into_json()
                    .all(db)
                    .await?,
            ),
        ),
        (
            "notifications.json",
            rows(notification::Entity::find().filter(notification::Column::UserId.eq(me)).into_json().all(db).await?),
        ),
        (
            "email_preferences.json",
            rows(email_opt_out::Entity::find().filter(email_opt_out::Column::UserId.eq(me)).into_json().all(db).await?),
        ),
        ("calendar_feeds.json", Value::Array(feeds)),
    ];
    Ok(PersonalData {
        name: user.name.clone(),
        records,
        artifacts: artifacts.iter().map(|a| (a.id.to_string(), a.title.clone())).collect(),
        files: archive_files,
    })
}

/// A name safe as the last part of a path in the archive.
fn safe_name(name: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    cleaned.trim_start_matches('.').chars().take(100).collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The readable index of the archive.
pub fn index_html(data: &PersonalData) -> String {
    let mut html = format!(
        "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>Kring – {name}</title></head><body>\
         <h1>Wat Kring over {name} bewaart / What Kring keeps about {name}</h1>\
         <p>Elk bestand hieronder is JSON, leesbaar voor mens en machine. Each file below is JSON.</p><ul>",
        name = escape(&data.name)
    );
    for (file, value) in &data.records {
        let count = value.as_array().map(|a| a.len().to_string()).unwrap_or_default();
        html.push_str(&format!("<li><a href=\"{file}\">{file}</a> {count}</li>"));
    }
    html.push_str("</ul><h2>Producten / Artifacts</h2><ul>");
    for (_, title) in &data.artifacts {
        html.push_str(&format!("<li>{}</li>", escape(title)));
    }
    html.push_str("</ul><h2>Bestanden / Files</h2><ul>");
    for (path, _) in &data.files {
        html.push_str(&format!("<li><a href=\"{path}\">{}</a></li>", escape(path)));
    }
    html.push_str("</ul></body></html>\n");
    html
}

/// Writes the archive (blocking). `read_file` fetches one stored file by its key; each
/// is written and dropped before the next is read.
pub fn write_archive<W: Write + std::io::Seek>(
    data: &PersonalData,
    mut read_file: impl FnMut(&str) -> Result<Bytes, AppError>,
    zip: &mut zip::ZipWriter<W>,
) -> zip::result::ZipResult<()> {
    use crate::archive::{file_entry, text_entry};
    zip.start_file("index.html", text_entry())?;
    zip.write_all(index_html(data).as_bytes())?;
    for (file, value) in &data.records {
        zip.start_file(*file, text_entry())?;
        serde_json::to_writer_pretty(&mut *zip, value).map_err(std::io::Error::other)?;
    }
    for (path, key) in &data.files {
        match read_file(key) {
            Ok(bytes) => {
                zip.start_file(path.as_str(), file_entry())?;
                zip.write_all(&bytes)?;
            }
            Err(_) => tracing::warn!(%path, "a stored file could not be read for an export"),
        }
    }
    Ok(())
}

/// Starts writing `viewer`'s archive; the returned channel yields it chunk by chunk.
pub async fn stream(state: &AppState, viewer: &Viewer) -> Result<tokio::sync::mpsc::Receiver<Bytes>, AppError> {
    let data = collect(state, viewer).await?;
    let runtime = tokio::runtime::Handle::current();
    let state = state.clone();
    Ok(crate::archive::spawn("personal export", move |zip| {
        let read = |key: &str| runtime.block_on(crate::artifact::files::read(&state, key));
        write_archive(&data, read, zip)
    }))
}
