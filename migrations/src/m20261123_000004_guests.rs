//! Guests: an invitation can be into one community only (a person from a partner
//! school, a teacher-training institute or a company). Such an invitation creates an
//! account without any role in the organisation. SQLite cannot add a foreign key to an
//! existing table, so the reference is checked by the application (communities are
//! archived, never deleted).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("invitations").add_column(uuid_null("community_id")).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("invitations").drop_column(Alias::new("community_id")).to_owned())
            .await
    }
}
