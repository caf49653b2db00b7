//! Pulse surveys: a board's own wording of the statements (the built-in set lives in
//! code), surveys of a school or a community with the statements they asked, and the
//! answers. Answers are anonymous by construction: `survey_answers` and
//! `survey_comments` hold no person, no time and no link to each other, and their ids
//! are random; `survey_respondents` only records who answered, so nobody answers twice, and is
//! emptied once the survey has closed (the count stays on the survey).

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
                    .table("survey_statements")
                    .col(pk_uuid("id"))
                    .col(uuid("organisation_id"))
                    .col(integer("position"))
                    .col(string_len("dimension", 32))
                    .col(text("text"))
                    .col(uuid_null("updated_by"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "survey_statements",
                        "organisation_id",
                        "organisations",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("survey_statements", "updated_by", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ux_survey_statements_position", "survey_statements", &["organisation_id", "position"])
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("surveys")
                    .col(pk_uuid("id"))
                    // The school (or board) the survey belongs to, also for a community's.
                    .col(uuid("organisation_id"))
                    .col(uuid_null("community_id"))
                    .col(uuid_null("created_by"))
                    .col(timestamp_with_time_zone("opens_at"))
                    .col(timestamp_with_time_zone("closes_at"))
                    // How many answered; kept when the respondents are forgotten at closing.
                    .col(integer("respondents").default(0))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("surveys", "organisation_id", "organisations", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("surveys", "community_id", "communities", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("surveys", "created_by", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_surveys_organisation", "surveys", &["organisation_id", "closes_at"])).await?;
        manager.create_index(index("ix_surveys_community", "surveys", &["community_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("survey_items")
                    .col(pk_uuid("id"))
                    .col(uuid("survey_id"))
                    .col(integer("position"))
                    .col(string_len("dimension", 32))
                    .col(text("text"))
                    .foreign_key(&mut fk("survey_items", "survey_id", "surveys", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_survey_items_survey", "survey_items", &["survey_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("survey_answers")
                    .col(pk_uuid("id"))
                    .col(uuid("survey_id"))
                    .col(uuid("item_id"))
                    .col(small_integer("value"))
                    .foreign_key(&mut fk("survey_answers", "survey_id", "surveys", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("survey_answers", "item_id", "survey_items", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_survey_answers_survey", "survey_answers", &["survey_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("survey_comments")
                    .col(pk_uuid("id"))
                    .col(uuid("survey_id"))
                    .col(text("text"))
                    .foreign_key(&mut fk("survey_comments", "survey_id", "surveys", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_survey_comments_survey", "survey_comments", &["survey_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("survey_respondents")
                    .col(pk_uuid("id"))
                    .col(uuid("survey_id"))
                    .col(uuid("user_id"))
                    .foreign_key(&mut fk("survey_respondents", "survey_id", "surveys", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("survey_respondents", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ux_survey_respondents", "survey_respondents", &["survey_id", "user_id"]).unique().to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in
            ["survey_respondents", "survey_comments", "survey_answers", "survey_items", "surveys", "survey_statements"]
        {
            manager.drop_table(Table::drop().table(Alias::new(table)).to_owned()).await?;
        }
        Ok(())
    }
}
