//! Communities of practice: the community itself, its members and their roles, the
//! history of membership changes and of the success criteria, the append-only
//! participation event log with the level changes derived from it, and each board's
//! policy (who may start a community, the hard cap on members).

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
                    .table("community_policies")
                    .col(uuid("organisation_id").primary_key())
                    .col(integer("member_cap").default(12))
                    .col(boolean("staff_may_start").default(true))
                    .foreign_key(&mut fk(
                        "community_policies",
                        "organisation_id",
                        "organisations",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("communities")
                    .col(pk_uuid("id"))
                    .col(uuid("organisation_id"))
                    .col(string_len("name", 120))
                    .col(text("goal"))
                    .col(text("agreements"))
                    .col(string_len("rhythm", 200))
                    .col(string_len("status", 16).default("active"))
                    .col(boolean("listed").default(true))
                    .col(integer("window_days").default(90))
                    .col(uuid_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("communities", "organisation_id", "organisations", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("communities", "created_by", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_communities_org", "communities", &["organisation_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("community_members")
                    .col(pk_uuid("id"))
                    .col(uuid("community_id"))
                    .col(uuid("user_id"))
                    .col(string_len("role", 16))
                    .col(string_len("status", 16))
                    .col(uuid_null("invited_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("joined_at"))
                    .foreign_key(&mut fk("community_members", "community_id", "communities", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("community_members", "user_id", "users", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("community_members", "invited_by", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ux_community_members", "community_members", &["community_id", "user_id"]).unique().to_owned(),
            )
            .await?;
        manager.create_index(index("ix_community_members_user", "community_members", &["user_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("membership_changes")
                    .col(pk_uuid("id"))
                    .col(uuid("community_id"))
                    .col(uuid("user_id"))
                    .col(uuid_null("actor_id"))
                    .col(string_len("change", 24))
                    .col(string_len_null("role", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "membership_changes",
                        "community_id",
                        "communities",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("membership_changes", "user_id", "users", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("membership_changes", "actor_id", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_membership_changes", "membership_changes", &["community_id", "created_at"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("success_criteria")
                    .col(pk_uuid("id"))
                    .col(uuid("community_id"))
                    .col(text("criteria"))
                    .col(uuid_null("author_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("success_criteria", "community_id", "communities", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("success_criteria", "author_id", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_success_criteria", "success_criteria", &["community_id", "created_at"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("participation_events")
                    .col(pk_uuid("id"))
                    .col(uuid("community_id"))
                    .col(uuid("user_id"))
                    .col(string_len("kind", 32))
                    .col(timestamp_with_time_zone("occurred_at"))
                    .col(uuid_null("recorded_by"))
                    .col(string_len_null("note", 200))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "participation_events",
                        "community_id",
                        "communities",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("participation_events", "user_id", "users", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("participation_events", "recorded_by", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_participation_events", "participation_events", &["community_id", "occurred_at"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("level_changes")
                    .col(pk_uuid("id"))
                    .col(uuid("community_id"))
                    .col(uuid("user_id"))
                    .col(string_len("level", 16))
                    .col(string_len("reason", 16))
                    .col(integer("points"))
                    .col(uuid_null("recorded_by"))
                    .col(timestamp_with_time_zone("changed_at"))
                    .foreign_key(&mut fk("level_changes", "community_id", "communities", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("level_changes", "user_id", "users", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("level_changes", "recorded_by", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_level_changes", "level_changes", &["community_id", "user_id", "changed_at"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "level_changes",
            "participation_events",
            "success_criteria",
            "membership_changes",
            "community_members",
            "communities",
            "community_policies",
        ] {
            manager.drop_table(Table::drop().table(Alias::new(table)).to_owned()).await?;
        }
        Ok(())
    }
}
