//! Server functions for meetings: session → permission (in the service: only active
//! members of the meeting's community see it, only facilitators plan and correct) →
//! service → DTO. Times travel in the board's time zone, so server and browser show
//! the same clock time.

// Server functions take one argument per field of the plain HTML form that posts them.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::domain::MeetingStatus;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::{domain::MeetingForm, service},
    crate::account::session,
};

/// A meeting in a list (community page, calendar overview).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingSummary {
    pub id: Uuid,
    pub title: String,
    /// In the board's time zone.
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub place: String,
    pub online: bool,
    pub status: MeetingStatus,
    pub is_past: bool,
}

/// The soonest meeting of someone's communities that has not ended yet (until its
/// check-in closes), for their home page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextMeeting {
    pub meeting: MeetingSummary,
    pub community_id: Uuid,
    pub community_name: String,
    pub check_in_open: bool,
    pub checked_in: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceRow {
    pub user_id: Uuid,
    pub name: String,
    /// `None` while nothing is recorded.
    pub present: Option<bool>,
    pub corrected: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingPage {
    pub id: Uuid,
    pub community_id: Uuid,
    pub community_name: String,
    pub title: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub duration_minutes: i32,
    pub place: String,
    pub online_url: String,
    pub agenda: String,
    pub status: MeetingStatus,
    pub is_facilitator: bool,
    pub check_in_open: bool,
    pub may_correct: bool,
    /// Whether the viewer is recorded as present.
    pub checked_in: bool,
    pub attendance: Vec<AttendanceRow>,
    pub is_past: bool,
}

#[server(endpoint = "meeting_page")]
pub async fn load_meeting(meeting_id: Uuid) -> Result<MeetingPage, AppError> {
    session::as_viewer(|state, viewer| async move { service::meeting_page(&state, &viewer, meeting_id).await }).await
}

/// The name of a community the viewer facilitates, for the "plan a meeting" page.
#[server(endpoint = "meeting_planning")]
pub async fn load_planning(community_id: Uuid) -> Result<String, AppError> {
    session::as_viewer(|state, viewer| async move { service::planning(&state.db, &viewer, community_id).await }).await
}

#[server(endpoint = "schedule_meeting")]
pub async fn schedule_meeting(
    community_id: Uuid,
    title: String,
    date: String,
    time: String,
    duration: String,
    place: String,
    online_url: String,
    agenda: String,
) -> Result<Uuid, AppError> {
    session::as_viewer(|state, viewer| async move {
        let form = MeetingForm { title, date, time, duration, place, online_url, agenda };
        let id = service::schedule(&state, &viewer, community_id, &form).await?;
        leptos_axum::redirect(&format!("/m/{id}"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "update_meeting")]
pub async fn update_meeting(
    meeting_id: Uuid,
    title: String,
    date: String,
    time: String,
    duration: String,
    place: String,
    online_url: String,
    agenda: String,
) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let form = MeetingForm { title, date, time, duration, place, online_url, agenda };
        service::update(&state, &viewer, meeting_id, &form).await?;
        leptos_axum::redirect(&format!("/m/{meeting_id}"));
        Ok(())
    })
    .await
}

/// Cancels a meeting (`cancel = "cancel"`) or, for a meeting still ahead, undoes the
/// cancellation (`cancel = "reinstate"`).
#[server(endpoint = "cancel_meeting")]
pub async fn cancel_meeting(meeting_id: Uuid, cancel: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let cancelled = match cancel.as_str() {
            "cancel" => true,
            "reinstate" => false,
            _ => return Err(AppError::field("cancel", crate::error::ErrorKey::InvalidChoice)),
        };
        service::set_cancelled(&state, &viewer, meeting_id, cancelled).await
    })
    .await
}

/// The viewer checks in at a meeting that is taking place.
#[server(endpoint = "check_in")]
pub async fn check_in(meeting_id: Uuid) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move { service::check_in(&state.db, &viewer, meeting_id).await }).await
}

/// A facilitator records that a member was (`present = "yes"`) or was not there.
#[server(endpoint = "set_attendance")]
pub async fn set_attendance(meeting_id: Uuid, user_id: Uuid, present: String) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let present = match present.as_str() {
            "yes" => true,
            "no" => false,
            _ => return Err(AppError::field("present", crate::error::ErrorKey::InvalidChoice)),
        };
        service::correct_attendance(&state.db, &viewer, meeting_id, user_id, present).await
    })
    .await
}
