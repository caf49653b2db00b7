//! Two lookups the leaders' dashboard makes once per person (docs/dashboard.md, Speed):
//!
//! - a member's level at a moment is their last change before it, ties broken by `id`.
//!   With `id` in the index after `changed_at` that reads one index entry; without it
//!   PostgreSQL read and sorted each member's earlier changes. The new index serves
//!   every query the old `(community_id, user_id, changed_at)` one did, which it replaces;
//! - the months a person took part in anything, read with their staff record, by person
//!   from the monthly rollup (whose key starts with the community).

use sea_orm_migration::prelude::*;

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const LEVELS: &str = "level_changes";
const OLD_LEVEL_INDEX: &str = "ix_level_changes";
const LEVEL_INDEX: &str = "ix_level_changes_latest";
const ACTIVE: &str = "participation_person_months";
const ACTIVE_INDEX: &str = "ix_participation_person_months_user";

fn drop(name: &str, table: &str) -> IndexDropStatement {
    Index::drop().name(name).table(Alias::new(table)).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index(LEVEL_INDEX, LEVELS, &["community_id", "user_id", "changed_at", "id"])).await?;
        manager.drop_index(drop(OLD_LEVEL_INDEX, LEVELS)).await?;
        manager.create_index(index(ACTIVE_INDEX, ACTIVE, &["user_id", "month", "community_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(drop(ACTIVE_INDEX, ACTIVE)).await?;
        manager.create_index(index(OLD_LEVEL_INDEX, LEVELS, &["community_id", "user_id", "changed_at"])).await?;
        manager.drop_index(drop(LEVEL_INDEX, LEVELS)).await
    }
}
