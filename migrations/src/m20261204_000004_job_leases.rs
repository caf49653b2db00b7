//! Jobs that must run once across several servers (housekeeping) take a lease: one
//! row per job naming the server that holds it and until when. `runs` counts how often
//! it was taken (for logs, and for the test that starts two servers).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("job_leases")
                    .col(string_len("name", 64).primary_key())
                    .col(uuid_null("holder"))
                    .col(timestamp_with_time_zone("until"))
                    .col(big_integer("runs").default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("job_leases").to_owned()).await
    }
}
