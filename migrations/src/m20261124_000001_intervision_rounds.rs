//! Intervision rounds: a case discussed with a method, live. The round keeps a copy of
//! its method (so adapting a method later does not change a round that used it), its
//! state as the runner left it, who took part in which role, and what participants
//! wrote per phase. Contributions and the case text expire together.

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
                    .table("intervision_rounds")
                    .col(pk_uuid("id"))
                    .col(uuid("community_id"))
                    .col(uuid("case_id"))
                    .col(string_len("method_key", 40))
                    .col(text("method"))
                    .col(text("state"))
                    .col(big_integer("version").default(0))
                    .col(string_len("status", 16).default("waiting"))
                    .col(uuid_null("planned_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("started_at"))
                    .col(timestamp_with_time_zone_null("ended_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("purged_at"))
                    .foreign_key(&mut fk(
                        "intervision_rounds",
                        "community_id",
                        "communities",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "intervision_rounds",
                        "case_id",
                        "intervision_cases",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("intervision_rounds", "planned_by", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_intervision_rounds_community",
                "intervision_rounds",
                &["community_id", "created_at"],
            ))
            .await?;
        manager.create_index(index("ix_intervision_rounds_expiry", "intervision_rounds", &["expires_at"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("intervision_participants")
                    .col(pk_uuid("id"))
                    .col(uuid("round_id"))
                    .col(uuid("user_id"))
                    .col(string_len("role", 16))
                    .col(boolean("present").default(false))
                    .foreign_key(&mut fk(
                        "intervision_participants",
                        "round_id",
                        "intervision_rounds",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("intervision_participants", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ux_intervision_participants", "intervision_participants", &["round_id", "user_id"])
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("intervision_contributions")
                    .col(pk_uuid("id"))
                    .col(uuid("round_id"))
                    .col(integer("phase"))
                    .col(uuid_null("author_id"))
                    .col(text("body"))
                    .col(string_len_null("warmth", 8))
                    .col(text_null("answer"))
                    .col(boolean("chosen").default(false))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "intervision_contributions",
                        "round_id",
                        "intervision_rounds",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("intervision_contributions", "author_id", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_intervision_contributions_round",
                "intervision_contributions",
                &["round_id", "phase"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["intervision_contributions", "intervision_participants", "intervision_rounds"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
