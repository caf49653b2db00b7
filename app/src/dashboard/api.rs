//! What the leaders' dashboard sends: aggregates only. Counts of people arrive as
//! `Option<u32>`, `None` where the count is hidden (see `privacy`); nothing here
//! names, identifies or lists a person.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::domain::{Dimension, Month, PeriodKind};
use crate::error::AppError;

/// A school, or the board (`id` is then `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeRef {
    pub id: Option<Uuid>,
    pub name: String,
}

impl ScopeRef {
    /// The value of the page's `scope` parameter.
    pub fn key(&self) -> String {
        self.id.map_or_else(|| "board".to_string(), |id| id.to_string())
    }
}

/// People counts at one month's end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthRow {
    pub month: Month,
    pub staff: Option<u32>,
    /// Staff who took part in something in the three months up to this month's end.
    pub active: Option<u32>,
    /// Staff who are members of a community.
    pub members: Option<u32>,
    /// Members by their highest level, in `Level::ALL` order.
    pub levels: Vec<Option<u32>>,
}

/// One group of a breakdown (or one school of the board).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRow {
    /// What the staff record says; `None` is "not recorded".
    pub label: Option<String>,
    pub staff: Option<u32>,
    pub active: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown {
    pub dimension: Dimension,
    /// Groups whose size may be shown; a group too small to show is left out, name
    /// and all (its name alone would say someone is in it).
    pub rows: Vec<GroupRow>,
    /// Some groups were left out.
    pub more_hidden: bool,
}

/// Counts of things (not people) in one month.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThingsMonth {
    pub month: Month,
    pub artifacts_created: u32,
    pub artifacts_updated: u32,
    /// "Applied in my class" reflections.
    pub reuses: u32,
    pub actions_followed_up: u32,
    pub cycles_started: u32,
    pub cycles_completed: u32,
    pub lessons_taught: u32,
    /// Activities per SECI phase, in `SeciPhase::ALL` order.
    pub seci: [u32; 4],
}

/// The knowledge base as it stands today.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Knowledge {
    pub current: u32,
    pub review_due: u32,
    pub outdated: u32,
}

/// How a community is doing, by the marks of a healthy community of practice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub members: u32,
    /// Meetings held in the period.
    pub meetings: u32,
    /// Meetings per month in the period, at least one means "meets regularly".
    pub months_met: u32,
    pub months: u32,
    /// Someone joined in the period.
    pub newcomers: bool,
    /// Members are at two or more different levels (a path from the edge to the core).
    pub mixed_levels: bool,
    /// SECI phases with activity in the period (0–4).
    pub seci_phases: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCard {
    pub id: Uuid,
    pub name: String,
    /// `None` when the community has fewer than k members: a leader sees its name only.
    pub health: Option<Health>,
}

/// A community's health this term, for its own page: members see it whatever the
/// community's size; leaders see the same marks once it has at least `k` members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunityHealth {
    pub health: Health,
    /// The first day of the term.
    pub since: time::Date,
    pub k: u32,
}

/// A school's pulse survey that closed in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CultureSurvey {
    pub school: String,
    /// In the board's time zone.
    pub closed_at: time::OffsetDateTime,
    /// `None` when fewer than k answered: then nothing of it is shown.
    pub respondents: Option<u32>,
    pub dimensions: Vec<crate::survey::api::DimensionResult>,
}

/// The whole dashboard for one scope and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardView {
    pub scope: ScopeRef,
    /// What the viewer may open.
    pub scopes: Vec<ScopeRef>,
    pub period: PeriodKind,
    pub months: Vec<MonthRow>,
    /// Breadth at the period's last month.
    pub breadth: Vec<Breakdown>,
    /// The board's schools at the period's last month; empty for a school.
    pub schools: Vec<GroupRow>,
    /// `None` when the scope has fewer than k staff.
    pub things: Option<Vec<ThingsMonth>>,
    pub knowledge: Option<Knowledge>,
    pub communities: Vec<HealthCard>,
    /// School pulse surveys closed in the period, oldest first.
    pub surveys: Vec<CultureSurvey>,
    pub k: u32,
}

/// The dashboard a leader asked for by the page's parameters (`scope`: `board` or a
/// school's id; `period`: `term`, `year` or `custom` with `from` and `to` as
/// `YYYY-MM`). Teachers, guests and leaders asking for a school not theirs get 404.
#[server(endpoint = "leader_dashboard")]
pub async fn leader_dashboard(
    scope: Option<String>,
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> Result<DashboardView, AppError> {
    crate::account::session::as_viewer(|state, viewer| async move {
        let request = super::service::Request::parse(scope, period, from, to)?;
        super::service::dashboard(&state, &viewer, &request).await
    })
    .await
}

/// The smallest group a leader sees a figure for, for the page that explains it to
/// staff (public: it is a setting, not data).
#[server(endpoint = "dashboard_min_group")]
pub async fn dashboard_min_group() -> Result<u32, AppError> {
    crate::error::respond(async move { Ok(crate::state::AppState::get()?.settings.min_group) }).await
}
