//! Organisations (a board with schools), staff accounts and their roles, invitations,
//! password resets and server-side sessions.

use sea_orm_migration::{prelude::*, schema::*};

use crate::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("organisations")
                    .col(pk_uuid("id"))
                    .col(uuid_null("parent_id"))
                    .col(string_len("kind", 16))
                    .col(string_len("name", 200))
                    .col(string_len_uniq("slug", 100))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("organisations", "parent_id", "organisations", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("users")
                    .col(pk_uuid("id"))
                    .col(string_len_uniq("email", 254))
                    .col(string_len("name", 120))
                    .col(string_len("password_hash", 200))
                    .col(string_len("language", 8).default("nl"))
                    .col(string_len_null("department", 120))
                    .col(string_len_null("experience_band", 16))
                    .col(string_len_null("location", 120))
                    .col(integer("auth_version").default(1))
                    .col(timestamp_with_time_zone_null("deactivated_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("staff_memberships")
                    .col(pk_uuid("id"))
                    .col(uuid("user_id"))
                    .col(uuid("organisation_id"))
                    .col(string_len("role", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("staff_memberships", "user_id", "users", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk(
                        "staff_memberships",
                        "organisation_id",
                        "organisations",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_staff_memberships_user_org")
                    .table("staff_memberships")
                    .col("user_id")
                    .col("organisation_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_staff_memberships_org")
                    .table("staff_memberships")
                    .col("organisation_id")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("invitations")
                    .col(pk_uuid("id"))
                    .col(uuid("organisation_id"))
                    .col(string_len_null("email", 254))
                    .col(string_len("role", 16))
                    .col(string_len_uniq("token_hash", 64))
                    .col(boolean("single_use"))
                    .col(integer("accepted_count").default(0))
                    .col(uuid_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(&mut fk("invitations", "organisation_id", "organisations", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("invitations", "created_by", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("password_resets")
                    .col(pk_uuid("id"))
                    .col(uuid("user_id"))
                    .col(string_len_uniq("token_hash", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .foreign_key(&mut fk("password_resets", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("sessions")
                    .col(string_len("id", 64).primary_key())
                    .col(text("data"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_sessions_expires_at").table("sessions").col("expires_at").to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["sessions", "password_resets", "invitations", "staff_memberships", "users", "organisations"] {
            manager.drop_table(Table::drop().table(Alias::new(table)).to_owned()).await?;
        }
        Ok(())
    }
}
