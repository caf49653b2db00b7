//! The knowledge base: artifacts with every version kept, tags, attached files (the
//! bytes live in a file store, the rows here), comments, outdated flags and their
//! resolution, and reuse records ("I used this in my class").
//!
//! Full-text search needs each database's own machinery, so `artifact_search` is
//! backend-specific: an FTS5 table on SQLite, and on PostgreSQL a table with a stored
//! `tsvector` (Dutch, English and unstemmed words) under a GIN index.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

use crate::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("artifacts")
                    .col(pk_uuid("id"))
                    .col(uuid("organisation_id"))
                    .col(uuid("community_id"))
                    .col(string_len("title", 160))
                    .col(string_len("kind", 24))
                    .col(text("body"))
                    .col(string_len("seci_phase", 16))
                    .col(string_len("scope", 16))
                    .col(string_len("source", 16))
                    .col(string_len("status", 16).default("current"))
                    .col(uuid_null("owner_id"))
                    .col(timestamp_with_time_zone("review_due_at"))
                    .col(timestamp_with_time_zone_null("review_notified_at"))
                    .col(integer("version").default(1))
                    .col(uuid_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("artifacts", "organisation_id", "organisations", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("artifacts", "community_id", "communities", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("artifacts", "owner_id", "users", ForeignKeyAction::SetNull))
                    .foreign_key(&mut fk("artifacts", "created_by", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_artifacts_community", "artifacts", &["community_id", "updated_at"])).await?;
        manager.create_index(index("ix_artifacts_org_scope", "artifacts", &["organisation_id", "scope"])).await?;
        manager.create_index(index("ix_artifacts_review", "artifacts", &["review_due_at"])).await?;
        manager.create_index(index("ix_artifacts_owner", "artifacts", &["owner_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("artifact_versions")
                    .col(pk_uuid("id"))
                    .col(uuid("artifact_id"))
                    .col(integer("number"))
                    .col(string_len("title", 160))
                    .col(string_len("kind", 24))
                    .col(text("body"))
                    .col(text("tags"))
                    .col(uuid_null("author_id"))
                    .col(integer_null("restored_from"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("artifact_versions", "artifact_id", "artifacts", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("artifact_versions", "author_id", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ux_artifact_versions", "artifact_versions", &["artifact_id", "number"]).unique().to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("artifact_tags")
                    .col(pk_uuid("id"))
                    .col(uuid("artifact_id"))
                    .col(string_len("tag", 40))
                    .foreign_key(&mut fk("artifact_tags", "artifact_id", "artifacts", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ux_artifact_tags", "artifact_tags", &["artifact_id", "tag"]).unique().to_owned())
            .await?;
        manager.create_index(index("ix_artifact_tags_tag", "artifact_tags", &["tag"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("artifact_files")
                    .col(pk_uuid("id"))
                    .col(uuid("artifact_id"))
                    .col(uuid("organisation_id"))
                    .col(string_len("name", 200))
                    .col(string_len("content_type", 100))
                    .col(big_integer("size_bytes"))
                    .col(string_len_uniq("storage_key", 100))
                    .col(uuid_null("uploaded_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("artifact_files", "artifact_id", "artifacts", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk(
                        "artifact_files",
                        "organisation_id",
                        "organisations",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("artifact_files", "uploaded_by", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_artifact_files_artifact", "artifact_files", &["artifact_id"])).await?;
        manager.create_index(index("ix_artifact_files_org", "artifact_files", &["organisation_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("artifact_comments")
                    .col(pk_uuid("id"))
                    .col(uuid("artifact_id"))
                    .col(uuid_null("author_id"))
                    .col(text("body"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("artifact_comments", "artifact_id", "artifacts", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("artifact_comments", "author_id", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_artifact_comments", "artifact_comments", &["artifact_id", "created_at"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("artifact_flags")
                    .col(pk_uuid("id"))
                    .col(uuid("artifact_id"))
                    .col(uuid_null("flagged_by"))
                    .col(text("reason"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(uuid_null("resolved_by"))
                    .col(timestamp_with_time_zone_null("resolved_at"))
                    .col(string_len_null("resolution", 16))
                    .foreign_key(&mut fk("artifact_flags", "artifact_id", "artifacts", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("artifact_flags", "flagged_by", "users", ForeignKeyAction::SetNull))
                    .foreign_key(&mut fk("artifact_flags", "resolved_by", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_artifact_flags", "artifact_flags", &["artifact_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("artifact_reuses")
                    .col(pk_uuid("id"))
                    .col(uuid("artifact_id"))
                    .col(uuid("user_id"))
                    .col(text("reflection"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("artifact_reuses", "artifact_id", "artifacts", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("artifact_reuses", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_artifact_reuses", "artifact_reuses", &["artifact_id", "created_at"])).await?;

        manager
            .alter_table(Table::alter().table("notifications").add_column(uuid_null("artifact_id")).to_owned())
            .await?;

        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE artifact_search USING fts5(\
                        artifact_id UNINDEXED, title, body, tags, files, \
                        tokenize = 'unicode61 remove_diacritics 2')",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared(
                    "CREATE TABLE artifact_search (\
                        artifact_id uuid PRIMARY KEY REFERENCES artifacts (id) ON DELETE CASCADE, \
                        title text NOT NULL, body text NOT NULL, tags text NOT NULL, files text NOT NULL, \
                        document tsvector GENERATED ALWAYS AS (\
                            setweight(to_tsvector('simple', title || ' ' || tags), 'A') || \
                            setweight(to_tsvector('dutch', title), 'A') || \
                            setweight(to_tsvector('english', title), 'A') || \
                            setweight(to_tsvector('simple', body), 'B') || \
                            setweight(to_tsvector('dutch', body), 'B') || \
                            setweight(to_tsvector('english', body), 'B') || \
                            setweight(to_tsvector('simple', files), 'C')) STORED)",
                )
                .await?;
                db.execute_unprepared("CREATE INDEX ix_artifact_search ON artifact_search USING gin (document)")
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DROP TABLE artifact_search").await?;
        manager
            .alter_table(Table::alter().table("notifications").drop_column(Alias::new("artifact_id")).to_owned())
            .await?;
        for table in [
            "artifact_reuses",
            "artifact_flags",
            "artifact_comments",
            "artifact_files",
            "artifact_tags",
            "artifact_versions",
            "artifacts",
        ] {
            manager.drop_table(Table::drop().table(Alias::new(table)).to_owned()).await?;
        }
        Ok(())
    }
}
