//! Jobs that must run once across several servers take a lease: a row per job naming
//! the server that holds it and until when, taken with one conditional `UPDATE`, so it
//! works the same on SQLite and PostgreSQL and needs no lock held across the job. A
//! server that stops simply lets its lease run out.

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::entities::job_lease;
use super::now;

/// Takes `job` for `holder` until `hold_for` from now, if nobody else holds it (a
/// holder may take it again before it runs out). Whether it was taken.
pub async fn take<C: ConnectionTrait>(
    db: &C,
    job: &str,
    holder: Uuid,
    hold_for: time::Duration,
) -> Result<bool, sea_orm::DbErr> {
    let at = now();
    job_lease::Entity::insert(job_lease::ActiveModel {
        name: Set(job.to_string()),
        holder: Set(None),
        until: Set(at),
        runs: Set(0),
    })
    .on_conflict(OnConflict::column(job_lease::Column::Name).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    let taken = job_lease::Entity::update_many()
        .col_expr(job_lease::Column::Holder, Expr::value(holder))
        .col_expr(job_lease::Column::Until, Expr::value(at + hold_for))
        .col_expr(job_lease::Column::Runs, Expr::col(job_lease::Column::Runs).add(1))
        .filter(job_lease::Column::Name.eq(job))
        .filter(Condition::any().add(job_lease::Column::Until.lte(at)).add(job_lease::Column::Holder.eq(holder)))
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}
