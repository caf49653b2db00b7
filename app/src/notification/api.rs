//! Server functions for notifications, email preferences and the private calendar
//! feed. Everyone only ever reaches their own.

// Server functions take one argument per checkbox of the plain HTML form.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::domain::NoticeKind;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {super::service, crate::account::session};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeView {
    pub id: Uuid,
    pub kind: NoticeKind,
    pub community_id: Uuid,
    pub community_name: String,
    pub meeting_id: Option<Uuid>,
    /// The meeting's start and end in the board's time zone.
    pub meeting_time: Option<(OffsetDateTime, OffsetDateTime)>,
    pub actor: Option<String>,
    /// The artifact (id, title) a knowledge-base notice is about.
    pub artifact: Option<(Uuid, String)>,
    pub at: OffsetDateTime,
    pub unread: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationsPage {
    pub notices: Vec<NoticeView>,
    /// Kinds the person gets no email for.
    pub email_off: Vec<NoticeKind>,
    pub has_calendar_feed: bool,
    /// The feed's address, once, right after it was made.
    pub new_feed_url: Option<String>,
}

/// The viewer's notifications (newest first); opening them marks them read.
#[server(endpoint = "notifications")]
pub async fn load_notifications() -> Result<NotificationsPage, AppError> {
    session::as_viewer(|state, viewer| async move {
        let session = session::current_session().await?;
        service::page(&state, &viewer, &session).await
    })
    .await
}

/// Which kinds arrive by email: a checked box keeps email on.
#[server(endpoint = "email_preferences")]
pub async fn set_email_preferences(
    invited: Option<String>,
    join_requested: Option<String>,
    request_accepted: Option<String>,
    request_declined: Option<String>,
    meeting_scheduled: Option<String>,
    meeting_changed: Option<String>,
    meeting_cancelled: Option<String>,
    meeting_reminder: Option<String>,
    review_due: Option<String>,
    artifact_flagged: Option<String>,
    member_departed: Option<String>,
    action_check_in: Option<String>,
) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let wanted = [
            (NoticeKind::Invited, invited),
            (NoticeKind::JoinRequested, join_requested),
            (NoticeKind::RequestAccepted, request_accepted),
            (NoticeKind::RequestDeclined, request_declined),
            (NoticeKind::MeetingScheduled, meeting_scheduled),
            (NoticeKind::MeetingChanged, meeting_changed),
            (NoticeKind::MeetingCancelled, meeting_cancelled),
            (NoticeKind::MeetingReminder, meeting_reminder),
            (NoticeKind::ReviewDue, review_due),
            (NoticeKind::ArtifactFlagged, artifact_flagged),
            (NoticeKind::MemberDeparted, member_departed),
            (NoticeKind::ActionCheckIn, action_check_in),
        ];
        let off: Vec<NoticeKind> = wanted.into_iter().filter(|(_, on)| on.is_none()).map(|(k, _)| k).collect();
        service::set_email_off(&state.db, &viewer, &off).await?;
        session::flash(crate::account::domain::Flash::EmailPreferencesSaved).await
    })
    .await
}

/// Makes a new private calendar address (`action = "new"`; the old one stops working)
/// or stops the feed (`action = "stop"`).
#[server(endpoint = "calendar_feed")]
pub async fn manage_calendar_feed(action: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        match action.as_str() {
            "new" => {
                let url = service::new_feed(&state, &viewer).await?;
                // Shown once on the next page load, with or without JavaScript.
                let session = session::current_session().await?;
                session.insert(service::NEW_FEED_KEY, url).await?;
                Ok(())
            }
            "stop" => service::stop_feed(&state.db, &viewer).await,
            _ => Err(AppError::field("action", crate::error::ErrorKey::InvalidChoice)),
        }
    })
    .await
}
