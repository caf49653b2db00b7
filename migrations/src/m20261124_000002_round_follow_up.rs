//! Closing the loop of a round: the actions the case bringer chose, with a check-in
//! date and later a report of what happened; each participant's short evaluation; and
//! the link to the de-identified summary the case bringer agreed to publish.

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
                    .table("intervision_actions")
                    .col(pk_uuid("id"))
                    .col(uuid("round_id"))
                    .col(uuid("community_id"))
                    .col(uuid_null("owner_id"))
                    .col(text("body"))
                    .col(date("check_in_on"))
                    .col(string_len_null("outcome", 16))
                    .col(text_null("report"))
                    .col(timestamp_with_time_zone_null("reported_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "intervision_actions",
                        "round_id",
                        "intervision_rounds",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "intervision_actions",
                        "community_id",
                        "communities",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("intervision_actions", "owner_id", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_intervision_actions_community",
                "intervision_actions",
                &["community_id", "check_in_on"],
            ))
            .await?;
        manager.create_index(index("ix_intervision_actions_round", "intervision_actions", &["round_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("intervision_evaluations")
                    .col(pk_uuid("id"))
                    .col(uuid("round_id"))
                    .col(uuid("user_id"))
                    .col(small_integer("safe"))
                    .col(small_integer("useful"))
                    .col(text_null("learned"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "intervision_evaluations",
                        "round_id",
                        "intervision_rounds",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("intervision_evaluations", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ux_intervision_evaluations", "intervision_evaluations", &["round_id", "user_id"])
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter().table("intervision_rounds").add_column(uuid_null("summary_artifact_id")).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("intervision_rounds").drop_column("summary_artifact_id").to_owned())
            .await?;
        for table in ["intervision_evaluations", "intervision_actions"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
