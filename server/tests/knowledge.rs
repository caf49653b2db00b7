//! The knowledge base over HTTP, on SQLite and PostgreSQL: who may see, edit and
//! settle what (list, search and detail agree), versions with diff and restore,
//! flags and their resolution, reuse as participation, uploads within their limits
//! (413, 415, nothing stored), downloads, the export archive, owners who leave, and
//! review reminders.

use std::io::Read;

use crate::common::*;
use http::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::Value;
use uuid::Uuid;

use app::db::entities::{artifact, artifact_file, community, notification, participation_event, user};

const FACILITATOR: &str = TEACHER;
const MEMBER: &str = "m.vermeulen@esdal.test";
/// A colleague on the same board, not in "Begrijpend lezen".
const COLLEAGUE: &str = "j.bakker@esdal.test";
const READING: &str = "Begrijpend lezen in de onderbouw";

/// The smallest PDF header `infer` recognises, with some content.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R'];

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

async fn reading(app: &TestApp) -> community::Model {
    community::Entity::find().filter(community::Column::Name.eq(READING)).one(app.db()).await.unwrap().unwrap()
}

async fn user_id(app: &TestApp, email: &str) -> Uuid {
    user::Entity::find().filter(user::Column::Email.eq(email)).one(app.db()).await.unwrap().unwrap().id
}

fn form<'a>(community_id: &'a str, title: &'a str, body: &'a str, scope: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("community_id", community_id),
        ("title", title),
        ("kind", "lesson_plan"),
        ("body", body),
        ("tags", "Formatief, exit ticket"),
        ("seci_phase", ""),
        ("scope", scope),
        ("review_date", ""),
    ]
}

async fn create(app: &TestApp, client: &Client, community_id: &str, title: &str, body: &str, scope: &str) -> String {
    let r = app.call("create_artifact", &form(community_id, title, body, scope), client).await;
    assert_eq!(r.status, StatusCode::OK, "create: {}", r.body);
    json(&r.body).as_str().unwrap().to_string()
}

async fn search(app: &TestApp, client: &Client, args: &[(&str, &str)]) -> Vec<Value> {
    let r = app.call("knowledge", args, client).await;
    assert_eq!(r.status, StatusCode::OK, "knowledge: {}", r.body);
    json(&r.body)["hits"].as_array().unwrap().clone()
}

fn ids(hits: &[Value]) -> Vec<String> {
    hits.iter().map(|h| h["id"].as_str().unwrap().to_string()).collect()
}

async fn page(app: &TestApp, client: &Client, id: &str) -> Value {
    let r = app.call("artifact_page", &[("artifact_id", id)], client).await;
    assert_eq!(r.status, StatusCode::OK, "artifact_page: {}", r.body);
    json(&r.body)
}

#[tokio::test]
async fn members_write_and_find_artifacts_and_bad_input_changes_nothing() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading(&app).await.id.to_string();
        let member = app.login(MEMBER).await;
        let before = artifact::Entity::find().count(app.db()).await.unwrap();

        let mut bad = form(&cid, " ", "x", "world");
        bad[2] = ("kind", "poem");
        let r = app.call("create_artifact", &bad, &member).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}: {}", r.body);
        for field in ["title", "kind", "scope"] {
            assert!(r.body.contains(&format!("\"{field}\"")), "{backend:?} names {field}: {}", r.body);
        }
        assert_eq!(artifact::Entity::find().count(app.db()).await.unwrap(), before, "{backend:?} nothing stored");

        let body = "## Doel\nLeerlingen schrijven een **kliksleutel** op.\n\n<script>alert('x')</script><img src=x onerror=alert(1)>";
        let id = create(&app, &member, &cid, "Kliksleutels in de les", body, "community").await;
        let data = page(&app, &member, &id).await;
        assert_eq!(data["version"], 1);
        assert_eq!(data["tags"], serde_json::json!(["exit ticket", "formatief"]), "{backend:?} tags, sorted");
        assert_eq!(data["seci_phase"], "externalisation", "{backend:?} suggested phase");
        let html = data["body_html"].as_str().unwrap();
        assert!(html.contains("<strong>kliksleutel</strong>"), "{backend:?}: {html}");
        assert!(!html.contains("<script") && !html.contains("onerror"), "{backend:?} sanitised: {html}");
        let shared = participation_event::Entity::find()
            .filter(participation_event::Column::UserId.eq(user_id(&app, MEMBER).await))
            .filter(participation_event::Column::Kind.eq("shared_artifact"))
            .count(app.db())
            .await
            .unwrap();
        assert!(shared >= 1, "{backend:?} sharing is participation");

        // Found by a word of the body (a prefix too), with the match highlighted.
        let hits = search(&app, &member, &[("q", "kliksleut")]).await;
        assert_eq!(ids(&hits), vec![id.clone()], "{backend:?}");
        let snippet = hits[0]["snippet"].as_array().unwrap();
        assert!(
            snippet.iter().any(|s| s[1] == true && s[0].as_str().unwrap().to_lowercase().starts_with("kliksleutel")),
            "{backend:?} highlighted: {snippet:?}"
        );
        // Query syntax is harmless.
        search(&app, &member, &[("q", "\"NEAR( * OR ' ;--")]).await;
        // Filters narrow.
        assert!(ids(&search(&app, &member, &[("q", "kliksleutel"), ("kind", "protocol")]).await).is_empty());
        assert_eq!(
            ids(&search(&app, &member, &[("tag", "exit ticket"), ("q", "kliksleutel")]).await),
            vec![id.clone()]
        );
        // Dutch and English words from the demo are found.
        let hits = search(&app, &member, &[("q", "verhoudingstabel")]).await;
        assert!(!hits.is_empty(), "{backend:?} organisation-wide demo artifact found");
    }
}

#[tokio::test]
async fn list_search_and_detail_agree_on_who_sees_what() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading(&app).await.id.to_string();
        let facilitator = app.login(FACILITATOR).await;
        let private =
            create(&app, &facilitator, &cid, "Alleen voor de kring", "Vertrouwelijk lesidee", "community").await;
        let public = create(&app, &facilitator, &cid, "Voor iedereen", "Openbaar lesidee", "organisation").await;

        let all: Vec<String> =
            artifact::Entity::find().all(app.db()).await.unwrap().iter().map(|a| a.id.to_string()).collect();
        for email in [FACILITATOR, MEMBER, COLLEAGUE, LEADER, ADMIN, OTHER_TEACHER] {
            let client = app.login(email).await;
            let mut listed = ids(&search(&app, &client, &[]).await);
            let mut detail = Vec::new();
            for id in &all {
                let r = app.call("artifact_page", &[("artifact_id", id)], &client).await;
                match r.status {
                    StatusCode::OK => detail.push(id.clone()),
                    StatusCode::NOT_FOUND => {}
                    other => panic!("{backend:?} {email}: {other} {}", r.body),
                }
            }
            listed.sort();
            detail.sort();
            assert_eq!(listed, detail, "{backend:?} {email}: list and detail disagree");
            let searched = ids(&search(&app, &client, &[("q", "lesidee")]).await);
            let sees_private = detail.contains(&private);
            assert_eq!(searched.contains(&private), sees_private, "{backend:?} {email} search private");
            assert_eq!(searched.contains(&public), detail.contains(&public), "{backend:?} {email} search public");
            match email {
                FACILITATOR | MEMBER => assert!(sees_private && detail.contains(&public)),
                COLLEAGUE | LEADER | ADMIN => assert!(!sees_private && detail.contains(&public), "{email}"),
                _ => assert!(detail.is_empty(), "{backend:?} another board sees nothing"),
            }
        }

        // Readers from the organisation comment, flag and reuse; they do not edit or settle.
        let colleague = app.login(COLLEAGUE).await;
        let edit = [
            ("artifact_id", public.as_str()),
            ("base_version", "1"),
            ("title", "Overgenomen"),
            ("kind", "lesson_plan"),
            ("body", "x"),
        ];
        assert_eq!(app.call("edit_artifact", &edit, &colleague).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.call("restore_version", &[("artifact_id", &public), ("number", "1")], &colleague).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.call("settle_artifact", &[("artifact_id", &public), ("action", "archive")], &colleague).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.upload(&format!("/a/{public}/files"), "plan.pdf", PDF, false, &colleague).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(app.get(&format!("/c/{cid}/export.zip"), &colleague).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&format!("/a/{public}/edit"), &colleague).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.call("add_comment", &[("artifact_id", &public), ("body", "Mooi!")], &colleague).await.status,
            StatusCode::OK
        );
        assert_eq!(
            app.call("record_reuse", &[("artifact_id", &public), ("reflection", "Werkte in 2b")], &colleague)
                .await
                .status,
            StatusCode::OK
        );
        // …and nothing at all about the private one.
        for (endpoint, args) in [
            ("artifact_page", vec![("artifact_id", private.as_str())]),
            ("artifact_history", vec![("artifact_id", private.as_str())]),
            ("add_comment", vec![("artifact_id", private.as_str()), ("body", "hoi")]),
            ("flag_outdated", vec![("artifact_id", private.as_str()), ("reason", "oud")]),
            ("record_reuse", vec![("artifact_id", private.as_str()), ("reflection", "ja")]),
        ] {
            let r = app.call(endpoint, &args, &colleague).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?} colleague {endpoint}");
        }
        for path in [format!("/a/{private}"), format!("/a/{private}/history")] {
            assert_eq!(app.get(&path, &colleague).await.status, StatusCode::NOT_FOUND, "{backend:?} {path}");
        }
        // Writing into a community, and removing someone else's comment, are for members.
        let r = app.call("new_artifact_context", &[("community_id", &cid)], &colleague).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?}");
        let r = app.call("create_artifact", &form(&cid, "Ingebroken", "x", "community"), &colleague).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?}");
        assert_eq!(app.get(&format!("/c/{cid}/artifacts/new"), &colleague).await.status, StatusCode::NOT_FOUND);
        let comment = page(&app, &facilitator, &public).await["comments"][0]["id"].as_str().unwrap().to_string();
        let leader = app.login(LEADER).await;
        let r = app.call("delete_comment", &[("comment_id", &comment)], &leader).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?} not their comment");
        // The owner (or a facilitator) may remove any comment.
        let r = app.call("delete_comment", &[("comment_id", &comment)], &facilitator).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);

        let anonymous = Client::default();
        for (endpoint, args) in [
            ("knowledge", vec![]),
            ("artifact_page", vec![("artifact_id", public.as_str())]),
            ("preview_markdown", vec![("body", "**x**")]),
            ("new_artifact_context", vec![("community_id", cid.as_str())]),
        ] {
            assert_eq!(app.call(endpoint, &args, &anonymous).await.status, StatusCode::UNAUTHORIZED, "{endpoint}");
        }
        assert_eq!(
            app.upload(&format!("/a/{public}/files"), "plan.pdf", PDF, false, &anonymous).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(app.get(&format!("/files/{}", Uuid::now_v7()), &anonymous).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.get(&format!("/c/{cid}/export.zip"), &anonymous).await.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn edits_are_versions_with_a_diff_a_conflict_check_and_restore() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading(&app).await.id.to_string();
        let facilitator = app.login(FACILITATOR).await;
        let member = app.login(MEMBER).await;
        let id = create(&app, &facilitator, &cid, "Stappenplan", "stap een\nstap twee\n", "community").await;
        let edit = |base: &'static str, body: &'static str| {
            vec![
                ("artifact_id", id.clone()),
                ("base_version", base.to_string()),
                ("title", "Stappenplan".to_string()),
                ("kind", "lesson_plan".to_string()),
                ("body", body.to_string()),
                ("tags", "formatief, exit ticket".to_string()),
            ]
        };
        let as_args = |v: &Vec<(&'static str, String)>| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
        let args = as_args(&edit("1", "stap een\nstap drie\n"));
        let refs: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = app.call("edit_artifact", &refs, &member).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?} member edits: {}", r.body);

        // Someone still on version 1 cannot overwrite version 2.
        let stale = as_args(&edit("1", "iets heel anders\n"));
        let refs: Vec<(&str, &str)> = stale.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = app.call("edit_artifact", &refs, &facilitator).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend:?}: {}", r.body);
        assert_eq!(page(&app, &member, &id).await["version"], 2);

        let r = app.call("artifact_history", &[("artifact_id", &id)], &member).await;
        let history = json(&r.body);
        assert_eq!(history["versions"].as_array().unwrap().len(), 2);
        let diff: Vec<(String, String)> = history["diff"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (l["side"].as_str().unwrap().to_string(), l["text"].as_str().unwrap().to_string()))
            .collect();
        assert!(diff.contains(&("Removed".into(), "stap twee".into())), "{backend:?} {diff:?}");
        assert!(diff.contains(&("Added".into(), "stap drie".into())), "{backend:?} {diff:?}");
        assert!(diff.contains(&("Same".into(), "stap een".into())), "{backend:?} {diff:?}");

        let r = app.call("restore_version", &[("artifact_id", &id), ("number", "1")], &member).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        let data = page(&app, &member, &id).await;
        assert_eq!(data["version"], 3);
        assert!(data["body"].as_str().unwrap().contains("stap twee"), "{backend:?} restored");
        let history = json(&app.call("artifact_history", &[("artifact_id", &id)], &member).await.body);
        assert_eq!(history["versions"][0]["restored_from"], 1);
        assert!(ids(&search(&app, &member, &[("q", "twee")]).await).contains(&id), "{backend:?} index follows restore");
        assert!(
            !ids(&search(&app, &member, &[("q", "drie")]).await).contains(&id),
            "{backend:?} old words leave the index"
        );
    }
}

#[tokio::test]
async fn flags_are_settled_by_owner_or_facilitator_and_sink_in_search() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading(&app).await.id.to_string();
        let member = app.login(MEMBER).await;
        let colleague = app.login(COLLEAGUE).await;
        let id = create(&app, &member, &cid, "Leesroosters", "Het leesrooster voor periode drie", "organisation").await;
        let other = create(&app, &member, &cid, "Leesrooster archief", "Nog een leesrooster", "community").await;

        let r = app.call("flag_outdated", &[("artifact_id", &id), ("reason", "")], &colleague).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r =
            app.call("flag_outdated", &[("artifact_id", &id), ("reason", "Periode drie is voorbij")], &colleague).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        let data = page(&app, &member, &id).await;
        assert_eq!(data["standing"], "Outdated");
        assert_eq!(data["open_flags"][0]["reason"], "Periode drie is voorbij");
        let owner_notices = notification::Entity::find()
            .filter(notification::Column::UserId.eq(user_id(&app, MEMBER).await))
            .filter(notification::Column::Kind.eq("artifact_flagged"))
            .count(app.db())
            .await
            .unwrap();
        assert_eq!(owner_notices, 1, "{backend:?} owner told");
        // The outdated one ranks below a current one for the same word.
        let hits = ids(&search(&app, &member, &[("q", "leesrooster")]).await);
        assert_eq!(hits, vec![other.clone(), id.clone()], "{backend:?}");

        // Another member may not settle it; the facilitator (not the owner) may.
        let other_member = app.login("s.mulder@esdal.test").await;
        let r = app.call("settle_artifact", &[("artifact_id", &id), ("action", "confirm")], &other_member).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?}");
        let facilitator = app.login(FACILITATOR).await;
        let r = app.call("settle_artifact", &[("artifact_id", &id), ("action", "confirm")], &facilitator).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        let data = page(&app, &member, &id).await;
        assert_eq!(data["standing"], "Current");
        assert!(data["open_flags"].as_array().unwrap().is_empty());

        let r = app.call("settle_artifact", &[("artifact_id", &id), ("action", "archive")], &member).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(page(&app, &member, &id).await["standing"], "Archived");
        let r = app.call("flag_outdated", &[("artifact_id", &id), ("reason", "weer oud")], &colleague).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend:?} archived cannot be flagged");
        let r = app.call("settle_artifact", &[("artifact_id", &id), ("action", "unarchive")], &member).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(page(&app, &member, &id).await["standing"], "Current");
        let r = app.call("settle_artifact", &[("artifact_id", &id), ("action", "burn")], &member).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn reuse_is_recorded_with_a_reflection_and_counts_as_participation() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading(&app).await.id.to_string();
        let facilitator = app.login(FACILITATOR).await;
        let member = app.login(MEMBER).await;
        let id = create(&app, &facilitator, &cid, "Woordweb", "Een woordweb maken", "community").await;
        let r = app.call("record_reuse", &[("artifact_id", &id), ("reflection", "  ")], &member).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app.call("record_reuse", &[("artifact_id", &id), ("reflection", "Werkte goed in 1c")], &member).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        let data = page(&app, &member, &id).await;
        assert_eq!(data["reuses"][0]["reflection"], "Werkte goed in 1c");
        let hit = search(&app, &member, &[("q", "woordweb")]).await;
        assert_eq!(hit[0]["reuse_count"], 1);
        let events = participation_event::Entity::find()
            .filter(participation_event::Column::UserId.eq(user_id(&app, MEMBER).await))
            .filter(participation_event::Column::Kind.eq("reused_artifact"))
            .count(app.db())
            .await
            .unwrap();
        assert!(events >= 1, "{backend:?}");
    }
}

fn stored_files(app: &TestApp) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries.filter_map(|e| e.ok()).map(|e| if e.path().is_dir() { count(&e.path()) } else { 1 }).sum()
            })
            .unwrap_or(0)
    }
    count(&app.dir.join("files"))
}

#[tokio::test]
async fn uploads_are_checked_by_size_and_content_and_downloads_by_permission() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading(&app).await.id.to_string();
        let member = app.login(MEMBER).await;
        let id = create(&app, &member, &cid, "Kijkwijzer met bijlage", "Zie de bijlage", "community").await;
        let path = format!("/a/{id}/files");

        let r = app.upload(&path, "kijkwijzer lezen.pdf", PDF, false, &member).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend:?}: {}", r.body);
        let file_id = r.body.clone();
        assert_eq!(stored_files(&app), 1);
        // The name is searchable.
        assert!(ids(&search(&app, &member, &[("q", "kijkwijzer lezen")]).await).contains(&id));

        let rows = artifact_file::Entity::find().count(app.db()).await.unwrap();
        let too_big = [PDF, &vec![b' '; UPLOAD_MAX_BYTES as usize]].concat();
        let r = app.upload(&path, "groot.pdf", &too_big, false, &member).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{backend:?}");
        let r = app.upload(&path, "plaatje.pdf", PNG, false, &member).await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{backend:?} name and content disagree");
        let r = app.upload(&path, "script.pdf", b"#!/bin/sh\nrm -rf /\n", false, &member).await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{backend:?} unknown content");
        let r = app.upload(&path, "tool.exe", b"MZ\x90\x00\x03\x00\x00\x00", false, &member).await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{backend:?}");
        // A browser form is sent back to the page, which says what went wrong.
        let r = app.upload(&path, "plaatje.pdf", PNG, true, &member).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.header("location"), Some(format!("/a/{id}?upload=type").as_str()));
        assert_eq!(artifact_file::Entity::find().count(app.db()).await.unwrap(), rows, "{backend:?} nothing stored");
        assert_eq!(stored_files(&app), 1, "{backend:?} no bytes left behind");

        // The organisation's storage limit.
        let chunk = [PDF, &vec![b' '; (UPLOAD_MAX_BYTES - 1024) as usize]].concat();
        let mut last = StatusCode::CREATED;
        for i in 0..8 {
            last = app.upload(&path, &format!("deel{i}.pdf"), &chunk, false, &member).await.status;
            if last != StatusCode::CREATED {
                break;
            }
        }
        assert_eq!(last, StatusCode::PAYLOAD_TOO_LARGE, "{backend:?} quota");
        let used: i64 = artifact_file::Entity::find().all(app.db()).await.unwrap().iter().map(|f| f.size_bytes).sum();
        assert!(used as u64 <= STORAGE_QUOTA_BYTES, "{backend:?}");

        let r = app.get(&format!("/files/{file_id}"), &member).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.raw, PDF);
        assert_eq!(r.header("content-type"), Some("application/pdf"));
        assert!(r.header("content-disposition").unwrap().starts_with("attachment; filename=\"kijkwijzer lezen.pdf\""));
        for email in [COLLEAGUE, LEADER, OTHER_TEACHER] {
            let client = app.login(email).await;
            assert_eq!(app.get(&format!("/files/{file_id}"), &client).await.status, StatusCode::NOT_FOUND, "{email}");
            let r = app.call("delete_file", &[("file_id", &file_id)], &client).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{email}");
        }

        // The export holds the artifact and its file.
        let r = app.get(&format!("/c/{cid}/export.zip"), &member).await;
        assert_eq!(r.status, StatusCode::OK);
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(r.raw.clone())).unwrap();
        let names: Vec<String> = archive.file_names().map(|n| n.unwrap().to_string()).collect();
        assert!(names.contains(&"index.md".to_string()), "{names:?}");
        let folder =
            names.iter().find(|n| n.contains("kijkwijzer-met-bijlage/README.md")).expect("artifact folder").clone();
        let mut readme = String::new();
        archive.by_name(&folder).unwrap().read_to_string(&mut readme).unwrap();
        assert!(readme.contains("Zie de bijlage"));
        assert!(names.iter().any(|n| n.ends_with("files/1-kijkwijzer lezen.pdf")), "{names:?}");

        let r = app.call("delete_file", &[("file_id", &file_id)], &member).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(app.get(&format!("/files/{file_id}"), &member).await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn owners_who_leave_hand_over_and_owners_hear_of_due_reviews() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let community = reading(&app).await;
        let cid = community.id.to_string();
        let member = app.login(MEMBER).await;
        let id = create(&app, &member, &cid, "Van een vertrekkend lid", "Tekst", "community").await;
        let r = app.call("leave_community", &[("community_id", &cid)], &member).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        let owned = artifact::Entity::find_by_id(Uuid::parse_str(&id).unwrap()).one(app.db()).await.unwrap().unwrap();
        assert_eq!(owned.owner_id, Some(user_id(&app, FACILITATOR).await), "{backend:?} passes to the facilitator");

        let mut model: artifact::ActiveModel = owned.into();
        model.review_due_at = Set(app::db::now() - time::Duration::days(1));
        model.update(app.db()).await.unwrap();
        let before = notification::Entity::find()
            .filter(notification::Column::Kind.eq("review_due"))
            .count(app.db())
            .await
            .unwrap();
        let sent = app::artifact::service::send_review_reminders(&app.state).await.unwrap();
        assert!(sent >= 1, "{backend:?}");
        assert_eq!(app::artifact::service::send_review_reminders(&app.state).await.unwrap(), 0, "{backend:?} once");
        let facilitator_notices = notification::Entity::find()
            .filter(notification::Column::Kind.eq("review_due"))
            .filter(notification::Column::UserId.eq(user_id(&app, FACILITATOR).await))
            .count(app.db())
            .await
            .unwrap();
        assert!(facilitator_notices >= 1 && before < before + sent as u64, "{backend:?}");
        let facilitator = app.login(FACILITATOR).await;
        assert_eq!(page(&app, &facilitator, &id).await["standing"], "ReviewDue");
        let due = ids(&search(&app, &facilitator, &[("standing", "review_due")]).await);
        assert!(due.contains(&id), "{backend:?}");
    }
}

#[tokio::test]
async fn guests_see_their_community_only_and_cannot_publish_to_the_organisation() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let community = reading(&app).await;
        let cid = community.id.to_string();
        let hash = app::account::service::hash_password(PASSWORD.to_string()).await.unwrap();
        let guest = app::account::service::insert_user(
            app.db(),
            "gast@pabo.test",
            "Gast van de pabo",
            &hash,
            app::account::domain::Language::Nl,
        )
        .await
        .unwrap();
        app::db::entities::community_member::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(community.id),
            user_id: Set(guest.id),
            role: Set("guest".into()),
            status: Set("active".into()),
            invited_by: Set(None),
            created_at: Set(app::db::now()),
            joined_at: Set(Some(app::db::now())),
        }
        .insert(app.db())
        .await
        .unwrap();
        let client = app.login("gast@pabo.test").await;
        let visible = search(&app, &client, &[]).await;
        assert!(!visible.is_empty(), "{backend:?} the guest sees their community's artifacts");
        let own: Vec<String> = artifact::Entity::find()
            .filter(artifact::Column::CommunityId.eq(community.id))
            .all(app.db())
            .await
            .unwrap()
            .iter()
            .map(|a| a.id.to_string())
            .collect();
        assert!(ids(&visible).iter().all(|id| own.contains(id)), "{backend:?} nothing from elsewhere");
        let elsewhere = artifact::Entity::find()
            .filter(artifact::Column::CommunityId.ne(community.id))
            .filter(artifact::Column::Scope.eq("organisation"))
            .one(app.db())
            .await
            .unwrap()
            .expect("an organisation-wide demo artifact");
        let r = app.call("artifact_page", &[("artifact_id", &elsewhere.id.to_string())], &client).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?}");

        let r = app.call("create_artifact", &form(&cid, "Van de gast", "Tekst", "organisation"), &client).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}: {}", r.body);
        create(&app, &client, &cid, "Van de gast", "Tekst", "community").await;
        // A guest reads the knowledge base; taking all of it away is for members.
        let export = app.get(&format!("/c/{cid}/export.zip"), &client).await;
        assert_eq!(export.status, StatusCode::NOT_FOUND, "{backend:?} guests do not export");
    }
}

#[tokio::test]
async fn attached_files_work_on_an_s3_compatible_store() {
    use futures_util::StreamExt;
    use object_store::ObjectStore;
    let Some(app) = TestApp::on_s3(Backend::Sqlite).await else { return };
    let cid = reading(&app).await.id.to_string();
    let member = app.login(MEMBER).await;
    let id = create(&app, &member, &cid, "Bijlage in de bucket", "Tekst", "community").await;
    let r = app.upload(&format!("/a/{id}/files"), "plan.pdf", PDF, false, &member).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let file_id = r.body.clone();
    let key = artifact_file::Entity::find_by_id(Uuid::parse_str(&file_id).unwrap())
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
        .storage_key;
    let listed: Vec<String> =
        app.state.files.list(None).map(|meta| meta.unwrap().location.to_string()).collect::<Vec<_>>().await;
    assert!(listed.contains(&format!("artifacts/{key}")), "in the bucket: {listed:?}");
    assert_eq!(stored_files(&app), 0, "nothing on the local disk");
    let r = app.get(&format!("/files/{file_id}"), &member).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.raw, PDF);
    let r = app.call("delete_file", &[("file_id", &file_id)], &member).await;
    assert_eq!(r.status, StatusCode::OK);
    let left: Vec<_> = app.state.files.list(None).collect::<Vec<_>>().await;
    assert!(left.is_empty(), "removed from the bucket");
}

/// The knowledge search page (session, viewer, header, hits with their tags, reuse
/// counts and communities) is read in a fixed number of queries: more hits cost no
/// more queries.
#[tokio::test]
async fn the_search_page_is_read_in_a_fixed_number_of_queries() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let member = app.login(MEMBER).await;
        let cid = reading(&app).await.id.to_string();
        create(&app, &member, &cid, "Exit ticket lezen", "Drie vragen over de tekst.", "community").await;
        let (first, before) = app.queries.record(app.get("/knowledge?q=exit", &member)).await;
        assert_eq!(first.status, StatusCode::OK);
        assert!(first.text().contains("Exit ticket lezen"), "{backend:?}");
        for title in ["Exit ticket rekenen", "Exit ticket spelling", "Exit ticket wereldoriëntatie"] {
            create(&app, &member, &cid, title, "Drie vragen aan het eind van de les.", "organisation").await;
        }
        let (second, after) = app.queries.record(app.get("/knowledge?q=exit", &member)).await;
        assert!(second.text().contains("Exit ticket spelling"), "{backend:?}");
        assert_eq!(before.len(), after.len(), "{backend:?}: more hits, more queries: {after:#?}");
        assert!(before.len() <= 10, "{backend:?}: {} queries: {before:#?}", before.len());
    }
}
