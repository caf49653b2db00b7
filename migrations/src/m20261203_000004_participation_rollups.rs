//! Monthly rollups of the participation events, so a leader's dashboard over a large
//! board reads a few thousand rows instead of a million events: who was active in a
//! community in a month, and how many activities of each kind it had. The database keeps
//! them with triggers, so every way an event is written, retracted or deleted (a
//! facilitator's correction, retention, a person's erasure cascading) counts the same.
//! Retracted events are not counted. Months are UTC calendar months, numbered
//! `year * 12 + month - 1` as `dashboard::domain::Month` does.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_MONTH: &str = "(CAST(strftime('%Y', {t}.occurred_at) AS INTEGER) * 12 \
     + CAST(strftime('%m', {t}.occurred_at) AS INTEGER) - 1)";
const POSTGRES_MONTH: &str = "(EXTRACT(YEAR FROM {t}.occurred_at AT TIME ZONE 'UTC')::integer * 12 \
     + EXTRACT(MONTH FROM {t}.occurred_at AT TIME ZONE 'UTC')::integer - 1)";

fn month_of(backend: DbBackend, row: &str) -> String {
    match backend {
        DbBackend::Postgres => POSTGRES_MONTH,
        _ => SQLITE_MONTH,
    }
    .replace("{t}", row)
}

/// Statements that count `row` (`NEW` or `OLD`) in both rollups, or uncount it.
fn count(backend: DbBackend, row: &str, by: i32) -> String {
    let month = month_of(backend, row);
    if by > 0 {
        format!(
            "INSERT INTO participation_person_months (community_id, month, user_id, events) \
                 VALUES ({row}.community_id, {month}, {row}.user_id, 1) \
                 ON CONFLICT (community_id, month, user_id) \
                 DO UPDATE SET events = participation_person_months.events + 1; \
             INSERT INTO participation_kind_months (community_id, month, kind, events) \
                 VALUES ({row}.community_id, {month}, {row}.kind, 1) \
                 ON CONFLICT (community_id, month, kind) \
                 DO UPDATE SET events = participation_kind_months.events + 1;"
        )
    } else {
        let person = format!("community_id = {row}.community_id AND month = {month} AND user_id = {row}.user_id");
        let kind = format!("community_id = {row}.community_id AND month = {month} AND kind = {row}.kind");
        format!(
            "UPDATE participation_person_months SET events = events - 1 WHERE {person}; \
             DELETE FROM participation_person_months WHERE {person} AND events <= 0; \
             UPDATE participation_kind_months SET events = events - 1 WHERE {kind}; \
             DELETE FROM participation_kind_months WHERE {kind} AND events <= 0;"
        )
    }
}

const WATCHED: &str = "retracted_at, community_id, user_id, kind, occurred_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("participation_person_months")
                    .col(uuid("community_id"))
                    .col(integer("month"))
                    .col(uuid("user_id"))
                    .col(integer("events"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("community_id"))
                            .col(Alias::new("month"))
                            .col(Alias::new("user_id")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("participation_kind_months")
                    .col(uuid("community_id"))
                    .col(integer("month"))
                    .col(string_len("kind", 32))
                    .col(integer("events"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("community_id"))
                            .col(Alias::new("month"))
                            .col(Alias::new("kind")),
                    )
                    .to_owned(),
            )
            .await?;

        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        let month = month_of(backend, "e");
        db.execute_unprepared(&format!(
            "INSERT INTO participation_person_months (community_id, month, user_id, events) \
             SELECT e.community_id, {month}, e.user_id, COUNT(*) FROM participation_events e \
             WHERE e.retracted_at IS NULL GROUP BY e.community_id, {month}, e.user_id"
        ))
        .await?;
        db.execute_unprepared(&format!(
            "INSERT INTO participation_kind_months (community_id, month, kind, events) \
             SELECT e.community_id, {month}, e.kind, COUNT(*) FROM participation_events e \
             WHERE e.retracted_at IS NULL GROUP BY e.community_id, {month}, e.kind"
        ))
        .await?;

        match backend {
            DbBackend::Postgres => {
                db.execute_unprepared(&format!(
                    "CREATE FUNCTION participation_events_rollup() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN \
                       IF TG_OP <> 'INSERT' THEN \
                         IF OLD.retracted_at IS NULL THEN {uncount} END IF; \
                       END IF; \
                       IF TG_OP <> 'DELETE' THEN \
                         IF NEW.retracted_at IS NULL THEN {count} END IF; \
                       END IF; \
                       RETURN NULL; \
                     END $$",
                    uncount = count(backend, "OLD", -1),
                    count = count(backend, "NEW", 1),
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER participation_events_rollup \
                     AFTER INSERT OR DELETE OR UPDATE OF {WATCHED} ON participation_events \
                     FOR EACH ROW EXECUTE FUNCTION participation_events_rollup()"
                ))
                .await?;
            }
            _ => {
                for (name, when, body) in [
                    ("participation_events_rollup_insert", "AFTER INSERT", count(backend, "NEW", 1)),
                    ("participation_events_rollup_delete", "AFTER DELETE", count(backend, "OLD", -1)),
                ] {
                    let row = if when == "AFTER INSERT" { "NEW" } else { "OLD" };
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {name} {when} ON participation_events \
                         WHEN {row}.retracted_at IS NULL BEGIN {body} END"
                    ))
                    .await?;
                }
                // An update uncounts the old row and counts the new one.
                for (name, row, body) in [
                    ("participation_events_rollup_update_old", "OLD", count(backend, "OLD", -1)),
                    ("participation_events_rollup_update_new", "NEW", count(backend, "NEW", 1)),
                ] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {name} AFTER UPDATE OF {WATCHED} ON participation_events \
                         WHEN {row}.retracted_at IS NULL BEGIN {body} END"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared("DROP TRIGGER participation_events_rollup ON participation_events").await?;
                db.execute_unprepared("DROP FUNCTION participation_events_rollup()").await?;
            }
            _ => {
                for name in ["insert", "delete", "update_old", "update_new"] {
                    db.execute_unprepared(&format!("DROP TRIGGER participation_events_rollup_{name}")).await?;
                }
            }
        }
        for table in ["participation_kind_months", "participation_person_months"] {
            manager.drop_table(Table::drop().table(Alias::new(table)).to_owned()).await?;
        }
        Ok(())
    }
}
