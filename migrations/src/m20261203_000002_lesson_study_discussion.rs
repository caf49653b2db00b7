//! Lesson study after the lesson: the post-lesson discussion of each research lesson
//! (the teacher's remarks, conclusions, decisions for the revision and the
//! knowledgeable other's comments, saved as versions against a number so two editors
//! cannot overwrite each other), who took part in it, short pupil interviews, photos
//! of pupil work (metadata stripped before they are stored; the bytes live in the file
//! store), and the report artifact a cycle published. Case pupils are codes here too.

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
                    .table("lesson_discussions")
                    .col(pk_uuid("lesson_id"))
                    .col(text("teacher_remarks").default(""))
                    .col(text("conclusions").default(""))
                    .col(text("decisions").default(""))
                    .col(text("other_comments").default(""))
                    .col(integer("version").default(1))
                    .col(uuid_null("updated_by"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "lesson_discussions",
                        "lesson_id",
                        "research_lessons",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("lesson_discussions", "updated_by", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("lesson_discussion_attendees")
                    .col(pk_uuid("id"))
                    .col(uuid("lesson_id"))
                    .col(uuid("user_id"))
                    .foreign_key(&mut fk(
                        "lesson_discussion_attendees",
                        "lesson_id",
                        "research_lessons",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("lesson_discussion_attendees", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ux_lesson_discussion_attendees", "lesson_discussion_attendees", &["lesson_id", "user_id"])
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("pupil_interviews")
                    // Made by the page, so a repeated post is stored once.
                    .col(pk_uuid("id"))
                    .col(uuid("lesson_id"))
                    .col(uuid_null("interviewer_id"))
                    .col(string_len("pupil_code", 8))
                    .col(text("text"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "pupil_interviews",
                        "lesson_id",
                        "research_lessons",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("pupil_interviews", "interviewer_id", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_pupil_interviews_lesson", "pupil_interviews", &["lesson_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("lesson_photos")
                    .col(pk_uuid("id"))
                    .col(uuid("lesson_id"))
                    .col(uuid("organisation_id"))
                    .col(uuid_null("observer_id"))
                    .col(string_len("pupil_code", 8))
                    .col(small_integer("phase"))
                    .col(string_len("content_type", 64))
                    .col(big_integer("size_bytes"))
                    .col(string_len("storage_key", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("lesson_photos", "lesson_id", "research_lessons", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk(
                        "lesson_photos",
                        "organisation_id",
                        "organisations",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("lesson_photos", "observer_id", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_lesson_photos_lesson", "lesson_photos", &["lesson_id"])).await?;
        manager.create_index(index("ix_lesson_photos_organisation", "lesson_photos", &["organisation_id"])).await?;

        // Like a round's summary: no foreign key (SQLite cannot add one to a table);
        // an artifact that is gone counts as not published.
        manager
            .alter_table(
                Table::alter().table("lesson_study_cycles").add_column(uuid_null("report_artifact_id")).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("lesson_study_cycles").drop_column("report_artifact_id").to_owned())
            .await?;
        for table in ["lesson_photos", "pupil_interviews", "lesson_discussion_attendees", "lesson_discussions"] {
            manager.drop_table(Table::drop().table(Alias::new(table)).to_owned()).await?;
        }
        Ok(())
    }
}
