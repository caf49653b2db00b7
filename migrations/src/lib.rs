//! Kring's schema. These migrations are the only place the schema is defined; the
//! entities in `app::db::entities` mirror them. Files are named by date so the order
//! reads as the product's history.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_accounts;
mod m20261123_000002_communities;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m20261123_000001_accounts::Migration), Box::new(m20261123_000002_communities::Migration)]
    }
}
