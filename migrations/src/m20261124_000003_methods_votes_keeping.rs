//! Choices a group makes around its rounds: methods a facilitator adapted for the
//! organisation (the built-in methods live in code and never change), the quick vote
//! on which case to discuss, and how long a community keeps case text.

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
                    .table("intervision_methods")
                    .col(pk_uuid("id"))
                    .col(uuid("organisation_id"))
                    .col(text("method"))
                    .col(uuid_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(timestamp_with_time_zone_null("archived_at"))
                    .foreign_key(&mut fk(
                        "intervision_methods",
                        "organisation_id",
                        "organisations",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("intervision_methods", "created_by", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_intervision_methods_organisation", "intervision_methods", &["organisation_id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("intervision_case_votes")
                    .col(pk_uuid("id"))
                    .col(uuid("case_id"))
                    .col(uuid("community_id"))
                    .col(uuid("user_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "intervision_case_votes",
                        "case_id",
                        "intervision_cases",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "intervision_case_votes",
                        "community_id",
                        "communities",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("intervision_case_votes", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        // One vote per member per community at a time.
        manager
            .create_index(
                index("ux_intervision_case_votes", "intervision_case_votes", &["community_id", "user_id"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_intervision_case_votes_case", "intervision_case_votes", &["case_id"])).await?;

        manager
            .alter_table(
                Table::alter()
                    .table("communities")
                    .add_column(string_len("case_keeping", 16).default("school_year"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("communities").drop_column("case_keeping").to_owned()).await?;
        for table in ["intervision_case_votes", "intervision_methods"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
