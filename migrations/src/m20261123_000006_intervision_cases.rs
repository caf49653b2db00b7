//! Intervision cases: what members bring to their community ahead of a round (title,
//! situation, question). Case text is confidential and expires: after `expires_at`
//! housekeeping empties it and sets `purged_at`; the row stays for the counts.

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
                    .table("intervision_cases")
                    .col(pk_uuid("id"))
                    .col(uuid("community_id"))
                    .col(uuid_null("author_id"))
                    .col(string_len("title", 120))
                    .col(text("situation"))
                    .col(text("question"))
                    .col(string_len("status", 16).default("open"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("purged_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("intervision_cases", "community_id", "communities", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("intervision_cases", "author_id", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_intervision_cases_community", "intervision_cases", &["community_id", "created_at"]))
            .await?;
        manager.create_index(index("ix_intervision_cases_expiry", "intervision_cases", &["expires_at"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("intervision_cases").to_owned()).await
    }
}
