//! A shareable link no longer creates accounts directly: the person gives their address
//! and receives a personal invitation there, so the link never tells whether an address
//! has an account and every account's address is proven. `link_id` ties that personal
//! invitation to its link (whose cap and revocation it obeys). No foreign key: SQLite
//! cannot add one to an existing table, and invitations are revoked, never deleted,
//! except these personal ones once expired.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("invitations").add_column(uuid_null("link_id")).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("invitations").drop_column("link_id").to_owned()).await
    }
}
