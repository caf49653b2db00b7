//! Sessions are stored under a hash of their id from now on (see
//! `app::db::session_store`). Rows stored under the plain id can never be loaded again
//! and would keep a cookie value in the database until they expire: they are deleted,
//! which signs everyone out once.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DELETE FROM sessions").await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}
