//! Meetings of a community and who attended them, in-app notifications with each
//! member's email opt-outs per kind, and private calendar feeds. Attendance events in
//! the participation log point at their meeting and can be retracted (never deleted)
//! when a facilitator corrects the attendance.

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
                    .table("meetings")
                    .col(pk_uuid("id"))
                    .col(uuid("community_id"))
                    .col(string_len("title", 120))
                    .col(timestamp_with_time_zone("starts_at"))
                    .col(integer("duration_minutes"))
                    .col(string_len("place", 200))
                    .col(string_len("online_url", 500))
                    .col(text("agenda"))
                    .col(string_len("status", 16).default("scheduled"))
                    .col(integer("sequence").default(0))
                    .col(timestamp_with_time_zone_null("reminded_at"))
                    .col(uuid_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("meetings", "community_id", "communities", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("meetings", "created_by", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_meetings_community", "meetings", &["community_id", "starts_at"])).await?;
        manager.create_index(index("ix_meetings_starts_at", "meetings", &["starts_at"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("attendances")
                    .col(pk_uuid("id"))
                    .col(uuid("meeting_id"))
                    .col(uuid("user_id"))
                    .col(boolean("present"))
                    .col(uuid_null("recorded_by"))
                    .col(timestamp_with_time_zone("recorded_at"))
                    .foreign_key(&mut fk("attendances", "meeting_id", "meetings", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("attendances", "user_id", "users", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("attendances", "recorded_by", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ux_attendances", "attendances", &["meeting_id", "user_id"]).unique().to_owned())
            .await?;

        // SQLite adds one column per statement.
        manager
            .alter_table(Table::alter().table("participation_events").add_column(uuid_null("meeting_id")).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("participation_events")
                    .add_column(timestamp_with_time_zone_null("retracted_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("notifications")
                    .col(pk_uuid("id"))
                    .col(uuid("user_id"))
                    .col(string_len("kind", 32))
                    .col(uuid("community_id"))
                    .col(uuid_null("meeting_id"))
                    .col(uuid_null("actor_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("read_at"))
                    .foreign_key(&mut fk("notifications", "user_id", "users", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("notifications", "community_id", "communities", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("notifications", "meeting_id", "meetings", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("notifications", "actor_id", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_notifications_user", "notifications", &["user_id", "created_at"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("email_opt_outs")
                    .col(pk_uuid("id"))
                    .col(uuid("user_id"))
                    .col(string_len("kind", 32))
                    .foreign_key(&mut fk("email_opt_outs", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ux_email_opt_outs", "email_opt_outs", &["user_id", "kind"]).unique().to_owned())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("calendar_feeds")
                    .col(pk_uuid("id"))
                    .col(uuid("user_id"))
                    .col(string_len_uniq("token_hash", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(&mut fk("calendar_feeds", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["retracted_at", "meeting_id"] {
            manager
                .alter_table(Table::alter().table("participation_events").drop_column(Alias::new(column)).to_owned())
                .await?;
        }
        for table in ["calendar_feeds", "email_opt_outs", "notifications", "attendances", "meetings"] {
            manager.drop_table(Table::drop().table(Alias::new(table)).to_owned()).await?;
        }
        Ok(())
    }
}
