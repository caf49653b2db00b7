//! Lesson study: a community's cycles, their research lessons (each with a meeting, a
//! teacher, a class and observers with their case pupils), the lesson plan as versions
//! (a unique version number per lesson, so two racing saves cannot both win), and the
//! observers' notes, stored under the id the observer's phone made (a resend is stored
//! once). Case pupils are codes; no column holds a pupil's name.

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
                    .table("lesson_study_cycles")
                    .col(pk_uuid("id"))
                    .col(uuid("community_id"))
                    .col(string_len("title", 120))
                    .col(string_len("subject", 80).default(""))
                    .col(string_len("year_group", 80).default(""))
                    .col(text("theme").default(""))
                    .col(text("learning_question"))
                    .col(text("agreements").default(""))
                    .col(uuid_null("knowledgeable_other"))
                    .col(small_integer("lessons_planned").default(1))
                    .col(string_len("phase", 16).default("study"))
                    .col(uuid_null("started_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(timestamp_with_time_zone_null("completed_at"))
                    .foreign_key(&mut fk(
                        "lesson_study_cycles",
                        "community_id",
                        "communities",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "lesson_study_cycles",
                        "knowledgeable_other",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk("lesson_study_cycles", "started_by", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_lesson_study_cycles_community",
                "lesson_study_cycles",
                &["community_id", "created_at"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("research_lessons")
                    .col(pk_uuid("id"))
                    .col(uuid("cycle_id"))
                    .col(small_integer("number"))
                    .col(uuid_null("meeting_id"))
                    .col(uuid_null("teacher_id"))
                    .col(string_len("class_name", 80).default(""))
                    .col(timestamp_with_time_zone_null("taught_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "research_lessons",
                        "cycle_id",
                        "lesson_study_cycles",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("research_lessons", "meeting_id", "meetings", ForeignKeyAction::SetNull))
                    .foreign_key(&mut fk("research_lessons", "teacher_id", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ux_research_lessons_number", "research_lessons", &["cycle_id", "number"]).unique().to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("research_lesson_observers")
                    .col(pk_uuid("id"))
                    .col(uuid("lesson_id"))
                    .col(uuid("user_id"))
                    // The case pupils this observer follows, as codes separated by spaces.
                    .col(string_len("pupil_codes", 64).default(""))
                    .foreign_key(&mut fk(
                        "research_lesson_observers",
                        "lesson_id",
                        "research_lessons",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("research_lesson_observers", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ux_research_lesson_observers", "research_lesson_observers", &["lesson_id", "user_id"])
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("lesson_plan_versions")
                    .col(pk_uuid("id"))
                    .col(uuid("cycle_id"))
                    .col(small_integer("lesson_number"))
                    .col(integer("version"))
                    .col(text("plan"))
                    .col(uuid_null("author_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "lesson_plan_versions",
                        "cycle_id",
                        "lesson_study_cycles",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("lesson_plan_versions", "author_id", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ux_lesson_plan_versions", "lesson_plan_versions", &["cycle_id", "lesson_number", "version"])
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("lesson_observations")
                    // Made by the observer's phone.
                    .col(pk_uuid("id"))
                    .col(uuid("lesson_id"))
                    .col(uuid_null("observer_id"))
                    .col(string_len("pupil_code", 8))
                    .col(small_integer("phase"))
                    .col(string_len_null("mark", 16))
                    .col(text("text").default(""))
                    .col(timestamp_with_time_zone("noted_at"))
                    .col(timestamp_with_time_zone("received_at"))
                    .foreign_key(&mut fk(
                        "lesson_observations",
                        "lesson_id",
                        "research_lessons",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("lesson_observations", "observer_id", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_lesson_observations_pupil",
                "lesson_observations",
                &["lesson_id", "pupil_code", "phase"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "lesson_observations",
            "lesson_plan_versions",
            "research_lesson_observers",
            "research_lessons",
            "lesson_study_cycles",
        ] {
            manager.drop_table(Table::drop().table(Alias::new(table)).to_owned()).await?;
        }
        Ok(())
    }
}
