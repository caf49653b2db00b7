//! The leaders' dashboard reads each member's level before the period and their changes
//! in it by `(community_id, user_id, changed_at, id)`; with the level in the index as
//! well, both reads stay in the index instead of visiting the table for each change
//! (docs/dashboard.md, Speed). Replaces `ix_level_changes_latest`, whose every query it
//! serves.

use sea_orm_migration::prelude::*;

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const LEVELS: &str = "level_changes";
const OLD_INDEX: &str = "ix_level_changes_latest";
const INDEX: &str = "ix_level_changes_history";

fn drop(name: &str) -> IndexDropStatement {
    Index::drop().name(name).table(Alias::new(LEVELS)).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index(INDEX, LEVELS, &["community_id", "user_id", "changed_at", "id", "level"])).await?;
        manager.drop_index(drop(OLD_INDEX)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index(OLD_INDEX, LEVELS, &["community_id", "user_id", "changed_at", "id"])).await?;
        manager.drop_index(drop(INDEX)).await
    }
}
