//! What Kring keeps only for a while. Participation events (the levels need 90 days of
//! them; the history a community looks back on, a few school years), notifications and
//! the mail outbox are deleted once older than their retention period; ended sessions
//! are deleted by the session store's own housekeeping. A sign-up someone requested
//! through a shared link but never finished is deleted once its invitation expired (it
//! holds their address). Who answered a pulse survey is forgotten once it has closed
//! (only the count stays). Intervision text has its own
//! expiry, chosen per community (`intervision::case::domain::CaseKeeping`).

use std::time::Duration;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};
use time::OffsetDateTime;

use crate::db::entities::{invitation, notification, participation_event, survey, survey_respondent};
use crate::error::AppError;
use crate::state::AppState;

/// How long each kind of record is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub participation_events: Duration,
    pub notifications: Duration,
    pub sent_mail: Duration,
}

const DAY: u64 = 86_400;

impl Default for Retention {
    /// Two school years of participation, half a year of notifications, a month of mail.
    fn default() -> Self {
        Self {
            participation_events: Duration::from_secs(730 * DAY),
            notifications: Duration::from_secs(180 * DAY),
            sent_mail: Duration::from_secs(30 * DAY),
        }
    }
}

impl Retention {
    /// The shortest periods that keep Kring working: levels read 90 days of events.
    pub const MIN_EVENT_DAYS: u64 = 90;

    /// From days, as the settings give them. Fails with the setting's problem.
    pub fn from_days(events: u64, notifications: u64, sent_mail: u64) -> Result<Self, String> {
        if events < Self::MIN_EVENT_DAYS {
            return Err(format!(
                "KRING_KEEP_EVENTS_DAYS must be at least {} (participation levels read that far back)",
                Self::MIN_EVENT_DAYS
            ));
        }
        if notifications == 0 || sent_mail == 0 {
            return Err("KRING_KEEP_NOTIFICATIONS_DAYS and KRING_KEEP_SENT_MAIL_DAYS must be at least 1".into());
        }
        Ok(Self {
            participation_events: Duration::from_secs(events * DAY),
            notifications: Duration::from_secs(notifications * DAY),
            sent_mail: Duration::from_secs(sent_mail * DAY),
        })
    }
}

/// What one run deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Forgotten {
    pub participation_events: u64,
    pub notifications: u64,
    pub sent_mail: u64,
    pub unfinished_sign_ups: u64,
    pub survey_respondents: u64,
}

/// Deletes the record of who answered, for every survey closed by `at`: once nobody
/// can answer any more, it has no use left.
pub async fn forget_survey_respondents<C: ConnectionTrait>(db: &C, at: OffsetDateTime) -> Result<u64, AppError> {
    let closed = survey::Entity::find()
        .select_only()
        .column(survey::Column::Id)
        .filter(survey::Column::ClosesAt.lte(at))
        .into_query();
    let result = survey_respondent::Entity::delete_many()
        .filter(survey_respondent::Column::SurveyId.in_subquery(closed))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Deletes what is older than its retention period at `at`.
pub async fn enforce(state: &AppState, at: OffsetDateTime) -> Result<Forgotten, AppError> {
    let keep = state.settings.retention;
    let events = participation_event::Entity::delete_many()
        .filter(participation_event::Column::OccurredAt.lt(at - keep.participation_events))
        .exec(&state.db)
        .await?
        .rows_affected;
    let notifications = notification::Entity::delete_many()
        .filter(notification::Column::CreatedAt.lt(at - keep.notifications))
        .exec(&state.db)
        .await?
        .rows_affected;
    let unfinished_sign_ups = invitation::Entity::delete_many()
        .filter(invitation::Column::LinkId.is_not_null())
        .filter(invitation::Column::AcceptedCount.eq(0))
        .filter(invitation::Column::ExpiresAt.lt(at))
        .exec(&state.db)
        .await?
        .rows_affected;
    let survey_respondents = forget_survey_respondents(&state.db, at).await?;
    let cutoff = std::time::SystemTime::from(at) - keep.sent_mail;
    let sent_mail = state.mailer.forget_sent_before(cutoff).await;
    if events + notifications + unfinished_sign_ups + survey_respondents > 0 {
        crate::db::forget_deleted(&state.db).await;
    }
    Ok(Forgotten { participation_events: events, notifications, sent_mail, unfinished_sign_ups, survey_respondents })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_periods_keep_what_levels_need() {
        assert!(Retention::from_days(89, 180, 30).unwrap_err().contains("KRING_KEEP_EVENTS_DAYS"));
        assert!(Retention::from_days(365, 0, 30).is_err());
        let retention = Retention::from_days(365, 30, 7).unwrap();
        assert_eq!(retention.sent_mail, Duration::from_secs(7 * DAY));
        assert_eq!(Retention::default().participation_events, Duration::from_secs(730 * DAY));
    }
}
