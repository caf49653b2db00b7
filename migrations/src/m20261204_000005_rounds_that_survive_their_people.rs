//! A round that survives its people: when the lead's screen was last connected (a
//! facilitator or the timekeeper may take over once it has been gone a while), every
//! change of lead (who from, who to, when), the note taker's notes for the case bringer
//! (expire with the case, like everything written in a round), and when the owner of an
//! action was reminded of its check-in date.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        manager
            .alter_table(
                Table::alter()
                    .table("intervision_rounds")
                    .add_column(timestamp_with_time_zone_null("lead_seen_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(Table::alter().table("intervision_rounds").add_column(text_null("notes")).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("intervision_actions")
                    .add_column(timestamp_with_time_zone_null("reminded_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("intervision_lead_changes")
                    .col(pk_uuid("id"))
                    .col(uuid("round_id"))
                    .col(uuid_null("from_user"))
                    .col(uuid_null("to_user"))
                    .col(timestamp_with_time_zone("at"))
                    .foreign_key(&mut fk(
                        "intervision_lead_changes",
                        "round_id",
                        "intervision_rounds",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("intervision_lead_changes", "from_user", "users", ForeignKeyAction::SetNull))
                    .foreign_key(&mut fk("intervision_lead_changes", "to_user", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_intervision_lead_changes_round", "intervision_lead_changes", &["round_id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("intervision_lead_changes").to_owned()).await?;
        manager.alter_table(Table::alter().table("intervision_actions").drop_column("reminded_at").to_owned()).await?;
        manager.alter_table(Table::alter().table("intervision_rounds").drop_column("notes").to_owned()).await?;
        manager.alter_table(Table::alter().table("intervision_rounds").drop_column("lead_seen_at").to_owned()).await
    }
}
