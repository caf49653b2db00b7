//! The dashboard's figures as a CSV file: every figure the page shows, in the
//! viewer's language, hidden counts empty with the reason beside them.

use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderValue, header};
use serde::Deserialize;
use tower_sessions::Session;

use super::api::DashboardView;
use super::reading;
use super::service::{Request, dashboard};
use super::views::{dimension_text, group_text};
use crate::account::domain::Language;
use crate::account::session::signed_in;
use crate::error::AppError;
use crate::i18n::*;
use crate::participation::domain::{Level, SeciPhase};
use crate::participation::views::{level_text, seci_text};
use crate::state::AppState;
use crate::survey::views::{dimension_text as survey_dimension_text, scale_texts};
use crate::ui::locale_of;

pub fn routes() -> Router<AppState> {
    Router::new().route("/dashboard.csv", get(download))
}

#[derive(Debug, Deserialize)]
struct Params {
    scope: Option<String>,
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// `GET /dashboard.csv`: the same figures, to the same people, as `/dashboard`.
async fn download(State(state): State<AppState>, session: Session, Query(params): Query<Params>) -> Response {
    let viewer = match signed_in(&state, &session).await {
        Ok(viewer) => viewer,
        Err(err) => return err.into_response(),
    };
    let result = async {
        let request = Request::parse(params.scope, params.period, params.from, params.to)?;
        let view = dashboard(&state, &viewer, &request).await?;
        let locale = locale_of(Language::parse(&viewer.user.language).unwrap_or(Language::Nl));
        to_csv(&view, locale)
    }
    .await;
    match result {
        Ok(body) => {
            let mut response = body.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
            headers.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"kring-dashboard.csv\""),
            );
            response
        }
        Err(err) => err.into_response(),
    }
}

/// One row per figure: section, figure, group, month, value, and a note where the
/// value is hidden.
pub fn to_csv(view: &DashboardView, locale: Locale) -> Result<String, AppError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        td_string!(locale, dashboard.csv_section),
        td_string!(locale, dashboard.csv_figure),
        td_string!(locale, dashboard.group),
        td_string!(locale, dashboard.month),
        td_string!(locale, dashboard.csv_value),
        td_string!(locale, dashboard.csv_note),
    ])
    .map_err(|e| {
        tracing::error!(error = %e, "writing the dashboard CSV");
        AppError::Internal
    })?;
    let hidden_note = td_string!(locale, dashboard.csv_hidden_note);
    let mut row = |section: &str, figure: &str, group: &str, month: String, value: Option<u32>| {
        let value_text = value.map(|v| v.to_string()).unwrap_or_default();
        let note = if value.is_none() { hidden_note } else { "" };
        out.write_record([section, figure, group, month.as_str(), value_text.as_str(), note])
    };
    let write = |e: csv::Error| {
        tracing::error!(error = %e, "writing the dashboard CSV");
        AppError::Internal
    };
    let participation = td_string!(locale, dashboard.participation);
    let all = view.scope.name.as_str();
    for m in &view.months {
        let month = m.month.iso();
        row(participation, td_string!(locale, dashboard.staff), all, month.clone(), m.staff).map_err(write)?;
        row(participation, td_string!(locale, dashboard.active), all, month.clone(), m.active).map_err(write)?;
        row(participation, td_string!(locale, dashboard.rate), all, month.clone(), reading::rate(m)).map_err(write)?;
        row(participation, td_string!(locale, dashboard.members), all, month.clone(), m.members).map_err(write)?;
        for (level, count) in Level::ALL.iter().zip(&m.levels) {
            row(participation, level_text(locale, *level), all, month.clone(), *count).map_err(write)?;
        }
    }
    if let Some(last) = view.months.last() {
        let month = last.month.iso();
        for breakdown in &view.breadth {
            let section = dimension_text(locale, breakdown.dimension);
            for r in &breakdown.rows {
                let group = group_text(locale, breakdown.dimension, r.label.as_deref());
                row(section, td_string!(locale, dashboard.staff), &group, month.clone(), r.staff).map_err(write)?;
                row(section, td_string!(locale, dashboard.active), &group, month.clone(), r.active).map_err(write)?;
                row(section, td_string!(locale, dashboard.rate), &group, month.clone(), reading::group_rate(r))
                    .map_err(write)?;
            }
        }
        for r in &view.schools {
            let section = td_string!(locale, dashboard.schools);
            let group = r.label.clone().unwrap_or_else(|| td_string!(locale, dashboard.board_staff).to_string());
            row(section, td_string!(locale, dashboard.staff), &group, month.clone(), r.staff).map_err(write)?;
            row(section, td_string!(locale, dashboard.active), &group, month.clone(), r.active).map_err(write)?;
        }
    }
    if let (Some(things), Some(knowledge)) = (&view.things, &view.knowledge) {
        let quality = td_string!(locale, dashboard.quality);
        let today = td_string!(locale, dashboard.csv_today).to_string();
        row(
            quality,
            td_string!(locale, dashboard.current_share),
            all,
            today.clone(),
            reading::current_share(knowledge),
        )
        .map_err(write)?;
        row(quality, td_string!(locale, dashboard.review_due), all, today.clone(), Some(knowledge.review_due))
            .map_err(write)?;
        row(quality, td_string!(locale, dashboard.outdated), all, today, Some(knowledge.outdated)).map_err(write)?;
        let application = td_string!(locale, dashboard.application);
        let culture = td_string!(locale, dashboard.seci);
        for m in things {
            let month = m.month.iso();
            let figures: [(&str, &str, u32); 7] = [
                (quality, td_string!(locale, dashboard.created), m.artifacts_created),
                (quality, td_string!(locale, dashboard.updated), m.artifacts_updated),
                (application, td_string!(locale, dashboard.reuses), m.reuses),
                (application, td_string!(locale, dashboard.actions_followed_up), m.actions_followed_up),
                (application, td_string!(locale, dashboard.cycles_started), m.cycles_started),
                (application, td_string!(locale, dashboard.cycles_completed), m.cycles_completed),
                (application, td_string!(locale, dashboard.lessons_taught), m.lessons_taught),
            ];
            for (section, figure, value) in figures {
                row(section, figure, all, month.clone(), Some(value)).map_err(write)?;
            }
            for (phase, n) in SeciPhase::ALL.iter().zip(m.seci) {
                row(culture, seci_text(locale, *phase), all, month.clone(), Some(n)).map_err(write)?;
            }
        }
    }
    let pulse = td_string!(locale, dashboard.pulse);
    for survey in &view.surveys {
        let month = format!("{:04}-{:02}", survey.closed_at.year(), u8::from(survey.closed_at.month()));
        row(pulse, td_string!(locale, surveys.respondents_figure), &survey.school, month.clone(), survey.respondents)
            .map_err(write)?;
        for d in &survey.dimensions {
            let figure = format!(
                "{}: {}",
                survey_dimension_text(locale, d.distribution.dimension),
                td_string!(locale, surveys.agree)
            );
            row(pulse, &figure, &survey.school, month.clone(), d.distribution.agree_percent()).map_err(write)?;
            for (label, count) in scale_texts(locale).iter().zip(d.distribution.counts) {
                let figure = format!("{}: {label}", survey_dimension_text(locale, d.distribution.dimension));
                row(pulse, &figure, &survey.school, month.clone(), Some(count)).map_err(write)?;
            }
        }
    }
    let bytes = out.into_inner().map_err(|e| {
        tracing::error!(error = %e, "finishing the dashboard CSV");
        AppError::Internal
    })?;
    String::from_utf8(bytes).map_err(|_| AppError::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::api::{MonthRow, ScopeRef};
    use crate::dashboard::domain::{Month, PeriodKind};

    #[test]
    fn hidden_counts_are_empty_with_a_note_and_text_is_quoted() {
        let view = DashboardView {
            scope: ScopeRef { id: None, name: "Stichting \"Esdal\", Emmen".into() },
            scopes: vec![],
            period: PeriodKind::Term,
            months: vec![MonthRow {
                month: Month::new(2026, 10),
                staff: Some(12),
                active: None,
                members: Some(0),
                levels: vec![Some(0); 4],
            }],
            breadth: vec![],
            schools: vec![],
            things: None,
            knowledge: None,
            communities: vec![],
            surveys: vec![],
            k: 5,
        };
        let text = to_csv(&view, Locale::en).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Section,Figure,Group,Month,Value,Note");
        assert_eq!(lines[1], "Participation,Staff,\"Stichting \"\"Esdal\"\", Emmen\",2026-10,12,");
        assert!(lines[2].ends_with("2026-10,,\"hidden: fewer than k people, or it would give such a group away\""));
        assert_eq!(lines.len(), 1 + 8);
    }
}
