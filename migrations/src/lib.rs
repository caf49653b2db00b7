//! Kring's schema. These migrations are the only place the schema is defined; the
//! entities in `app::db::entities` mirror them. Files are named by date so the order
//! reads as the product's history.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_accounts;
mod m20261123_000002_communities;
mod m20261123_000003_meetings;
mod m20261123_000004_guests;
mod m20261123_000005_artifacts;
mod m20261123_000006_intervision_cases;
mod m20261124_000001_intervision_rounds;
mod m20261124_000002_round_follow_up;
mod m20261124_000003_methods_votes_keeping;
mod m20261202_000001_hashed_sessions;
mod m20261202_000002_invitation_use_cap;
mod m20261202_000003_link_sign_up_by_email;
mod m20261203_000001_lesson_study;
mod m20261203_000002_lesson_study_discussion;
mod m20261203_000003_pulse_surveys;
mod m20261203_000004_participation_rollups;
mod m20261204_000001_kind_rollup_covering_index;
mod m20261204_000002_dashboard_lookup_indexes;
mod m20261204_000003_level_index_with_level;
mod m20261204_000004_job_leases;
mod m20261204_000005_rounds_that_survive_their_people;

pub struct Migrator;

/// A foreign key named `fk_<table>_<column>` to the `id` of `to_table`.
pub(crate) fn fk(
    from_table: &str,
    from_col: &str,
    to_table: &str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from_table}_{from_col}"))
        .from(Alias::new(from_table), Alias::new(from_col))
        .to(Alias::new(to_table), Alias::new("id"))
        .on_delete(on_delete)
        .to_owned()
}

/// An index named `name` on `cols` of `table`; add `.unique()` for a unique one.
pub(crate) fn index(name: &str, table: &str, cols: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(Alias::new(table));
    for col in cols {
        index.col(Alias::new(*col));
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_accounts::Migration),
            Box::new(m20261123_000002_communities::Migration),
            Box::new(m20261123_000003_meetings::Migration),
            Box::new(m20261123_000004_guests::Migration),
            Box::new(m20261123_000005_artifacts::Migration),
            Box::new(m20261123_000006_intervision_cases::Migration),
            Box::new(m20261124_000001_intervision_rounds::Migration),
            Box::new(m20261124_000002_round_follow_up::Migration),
            Box::new(m20261124_000003_methods_votes_keeping::Migration),
            Box::new(m20261202_000001_hashed_sessions::Migration),
            Box::new(m20261202_000002_invitation_use_cap::Migration),
            Box::new(m20261202_000003_link_sign_up_by_email::Migration),
            Box::new(m20261203_000001_lesson_study::Migration),
            Box::new(m20261203_000002_lesson_study_discussion::Migration),
            Box::new(m20261203_000003_pulse_surveys::Migration),
            Box::new(m20261203_000004_participation_rollups::Migration),
            Box::new(m20261204_000001_kind_rollup_covering_index::Migration),
            Box::new(m20261204_000002_dashboard_lookup_indexes::Migration),
            Box::new(m20261204_000003_level_index_with_level::Migration),
            Box::new(m20261204_000004_job_leases::Migration),
            Box::new(m20261204_000005_rounds_that_survive_their_people::Migration),
        ]
    }
}
