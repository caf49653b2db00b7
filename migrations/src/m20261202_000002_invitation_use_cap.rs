//! A shareable invitation link is used by at most as many people as the admin who made
//! it set (`max_uses`); emailed invitations stay single-use and leave it empty.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("invitations").add_column(integer_null("max_uses")).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("invitations").drop_column("max_uses").to_owned()).await
    }
}
