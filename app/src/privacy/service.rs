//! Erasure: a person deletes their account. What identifies them goes (name, email,
//! profile, password, sessions, notifications, calendar feeds, their memberships and
//! level history, their cases and what they wrote in rounds, their evaluations' words);
//! what the community needs stays without them (products, versions and comments,
//! credited to "former member"; counts of meetings attended and of participation,
//! attached to an anonymous remainder of the account that can never sign in).
//! docs/privacy.md lists it all.

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::account::domain::Role;
use crate::account::service::verify_password;
use crate::account::session::Viewer;
use crate::db::entities::{
    calendar_feed, email_opt_out, intervision_action, intervision_case, intervision_case_vote,
    intervision_contribution, intervision_evaluation, intervision_participant, intervision_round, level_change,
    membership_change, notification, password_reset, session, staff_membership, user,
};
use crate::db::{begin_write, now};
use crate::error::{AppError, ErrorKey, Validation};
use crate::state::AppState;

/// Erases `viewer`'s account. Fails with a field error for a wrong password or a
/// missing confirmation, and with `Conflict(LastAdmin)` for the last administrator of
/// a board (someone must be able to manage it). Nothing changes on failure.
pub async fn erase(state: &AppState, viewer: &Viewer, password: String, understood: bool) -> Result<(), AppError> {
    let right = !password.is_empty() && verify_password(viewer.user.password_hash.clone(), password).await?;
    Validation::new()
        .check("password", if right { Ok(()) } else { Err(ErrorKey::WrongPassword) })
        .check("understood", if understood { Ok(()) } else { Err(ErrorKey::ConsentNeeded) })
        .finish()?;
    let user_id = viewer.id();
    let db = &state.db;
    let txn = begin_write(db).await?;
    for membership in viewer.memberships.iter().filter(|m| m.role == Role::Admin.as_str()) {
        let admins = staff_membership::Entity::find()
            .filter(staff_membership::Column::OrganisationId.eq(membership.organisation_id))
            .filter(staff_membership::Column::Role.eq(Role::Admin.as_str()))
            .all(&txn)
            .await?;
        if admins.iter().all(|a| a.user_id == user_id) {
            return Err(AppError::Conflict(ErrorKey::LastAdmin));
        }
    }
    let told = crate::community::service::end_memberships_of_departed(&txn, user_id, user_id).await?;
    // Their cases: the words go, the fact that a round discussed one stays.
    intervision_case::Entity::update_many()
        .col_expr(intervision_case::Column::Title, Expr::value(""))
        .col_expr(intervision_case::Column::Situation, Expr::value(""))
        .col_expr(intervision_case::Column::Question, Expr::value(""))
        .col_expr(intervision_case::Column::PurgedAt, Expr::value(now()))
        .col_expr(intervision_case::Column::AuthorId, Expr::value(Option::<uuid::Uuid>::None))
        .filter(intervision_case::Column::AuthorId.eq(user_id))
        .exec(&txn)
        .await?;
    intervision_case_vote::Entity::delete_many()
        .filter(intervision_case_vote::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    // Notes they took for a case bringer, and notes taken on their own case, go with
    // their words.
    intervision_round::Entity::update_many()
        .col_expr(intervision_round::Column::Notes, Expr::value(Option::<String>::None))
        .filter(
            intervision_round::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(intervision_participant::Column::RoundId)
                    .from(intervision_participant::Entity)
                    .and_where(intervision_participant::Column::UserId.eq(user_id))
                    .and_where(intervision_participant::Column::Role.is_in(["note_taker", "case_bringer"]))
                    .to_owned(),
            ),
        )
        .exec(&txn)
        .await?;
    intervision_contribution::Entity::delete_many()
        .filter(intervision_contribution::Column::AuthorId.eq(user_id))
        .exec(&txn)
        .await?;
    intervision_action::Entity::delete_many()
        .filter(intervision_action::Column::OwnerId.eq(user_id))
        .exec(&txn)
        .await?;
    intervision_evaluation::Entity::update_many()
        .col_expr(intervision_evaluation::Column::Learned, Expr::value(Option::<String>::None))
        .filter(intervision_evaluation::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    level_change::Entity::delete_many().filter(level_change::Column::UserId.eq(user_id)).exec(&txn).await?;
    membership_change::Entity::delete_many().filter(membership_change::Column::UserId.eq(user_id)).exec(&txn).await?;
    notification::Entity::delete_many().filter(notification::Column::UserId.eq(user_id)).exec(&txn).await?;
    email_opt_out::Entity::delete_many().filter(email_opt_out::Column::UserId.eq(user_id)).exec(&txn).await?;
    calendar_feed::Entity::delete_many().filter(calendar_feed::Column::UserId.eq(user_id)).exec(&txn).await?;
    password_reset::Entity::delete_many().filter(password_reset::Column::UserId.eq(user_id)).exec(&txn).await?;
    staff_membership::Entity::delete_many().filter(staff_membership::Column::UserId.eq(user_id)).exec(&txn).await?;
    session::Entity::delete_many()
        .filter(session::Column::Data.contains(format!("\"user_id\":\"{user_id}\"")))
        .exec(&txn)
        .await?;
    // What remains of the account: an id the community's counts hang on, nothing more.
    let mut remainder: user::ActiveModel = viewer.user.clone().into();
    remainder.email = Set(format!("erased-{user_id}@erased.invalid"));
    remainder.name = Set(String::new());
    remainder.password_hash = Set(String::new());
    remainder.department = Set(None);
    remainder.experience_band = Set(None);
    remainder.location = Set(None);
    remainder.auth_version = Set(viewer.user.auth_version + 1);
    remainder.deactivated_at = Set(Some(now()));
    remainder.updated_at = Set(now());
    remainder.update(&txn).await?;
    txn.commit().await?;
    crate::db::forget_deleted(db).await;
    state.hub.sessions_changed(user_id);
    crate::community::service::tell_of_departure(state, told, None).await?;
    Ok(())
}
