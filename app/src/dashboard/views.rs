//! The leaders' dashboard page. Every chart is SVG drawn on the server (readable
//! without JavaScript, printable, with an accessible name and the reading as its
//! description), followed by its figures as a table. Hidden counts read "hidden" and
//! the page says why.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::api::{
    Breakdown, CommunityHealth, CultureSurvey, DashboardView, GroupRow, Health, HealthCard, MonthRow, ThingsMonth,
    leader_dashboard,
};
use super::domain::{Dimension, Month, PeriodKind};
use super::reading::{self, Trend};
use crate::account::domain::{ExperienceBand, Role};
use crate::i18n::*;
use crate::participation::domain::{Level, SeciPhase};
use crate::participation::views::{level_text, seci_text};
use crate::survey::views::DistributionChart;
use crate::ui::{ChartFigure, band_text, loaded, percent_encode, role_text, signed_in};

/// `sep 2026`.
pub fn month_text(locale: Locale, month: Month) -> String {
    let name = match month.number() {
        1 => td_string!(locale, dashboard.m1),
        2 => td_string!(locale, dashboard.m2),
        3 => td_string!(locale, dashboard.m3),
        4 => td_string!(locale, dashboard.m4),
        5 => td_string!(locale, dashboard.m5),
        6 => td_string!(locale, dashboard.m6),
        7 => td_string!(locale, dashboard.m7),
        8 => td_string!(locale, dashboard.m8),
        9 => td_string!(locale, dashboard.m9),
        10 => td_string!(locale, dashboard.m10),
        11 => td_string!(locale, dashboard.m11),
        _ => td_string!(locale, dashboard.m12),
    };
    format!("{name} {}", month.year())
}

pub fn dimension_text(locale: Locale, dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::Department => td_string!(locale, dashboard.by_department),
        Dimension::Experience => td_string!(locale, dashboard.by_experience),
        Dimension::Location => td_string!(locale, dashboard.by_location),
        Dimension::Role => td_string!(locale, dashboard.by_role),
    }
}

/// A group's name: roles and experience bands are codes; departments and locations
/// are what the staff record says.
pub fn group_text(locale: Locale, dimension: Dimension, label: Option<&str>) -> String {
    let Some(label) = label else { return td_string!(locale, dashboard.not_recorded).to_string() };
    match dimension {
        Dimension::Role => Role::parse(label).map_or(label.to_string(), |r| role_text(locale, r).to_string()),
        Dimension::Experience => {
            ExperienceBand::parse(label).map_or(label.to_string(), |b| band_text(locale, b).to_string())
        }
        _ => label.to_string(),
    }
}

pub fn count_text(locale: Locale, value: Option<u32>) -> String {
    value.map_or_else(|| td_string!(locale, dashboard.hidden).to_string(), |v| v.to_string())
}

pub fn percent_text(locale: Locale, value: Option<u32>) -> String {
    value.map_or_else(|| td_string!(locale, dashboard.hidden).to_string(), |v| format!("{v} %"))
}

fn period_text(locale: Locale, period: PeriodKind) -> &'static str {
    match period {
        PeriodKind::Term => td_string!(locale, dashboard.period_term),
        PeriodKind::SchoolYear => td_string!(locale, dashboard.period_year),
        PeriodKind::Custom => td_string!(locale, dashboard.period_custom),
    }
}

/// The dashboard for the page's query parameters. `wanted` runs on the server first:
/// a page that shows the dashboard only to some (the home page) loads nothing for others.
pub fn dashboard_for_query<W, Fut>(wanted: W) -> Resource<Result<Option<DashboardView>, crate::error::AppError>>
where
    W: Fn() -> Fut + Copy + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send + 'static,
{
    let query = use_query_map();
    let param = move |name: &'static str| query.try_with(|q| q.get(name));
    Resource::new(
        move || (param("scope").flatten(), param("period").flatten(), param("from").flatten(), param("to").flatten()),
        move |(scope, period, from, to)| async move {
            if wanted().await { leader_dashboard(scope, period, from, to).await.map(Some) } else { Ok(None) }
        },
    )
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let i18n = use_i18n();
    let page = dashboard_for_query(|| async { true });
    signed_in(move |_| {
        view! {
            <Title text=t_string!(i18n, dashboard.title)/>
            {loaded(page, move |data| data.map(|data| view! { <Dashboard data/> }.into_any()))}
        }
    })
}

#[component]
pub fn Dashboard(data: DashboardView) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let query = use_query_map();
    let csv_query = query.with_untracked(|q| {
        ["scope", "period", "from", "to"]
            .iter()
            .filter_map(|name| q.get(name).map(|v| format!("{name}={}", percent_encode(&v))))
            .collect::<Vec<_>>()
            .join("&")
    });
    let csv_href =
        if csv_query.is_empty() { "/dashboard.csv".to_string() } else { format!("/dashboard.csv?{csv_query}") };
    let last = data.months.last().cloned();
    let first_month = data.months.first().map(|m| m.month).unwrap_or_default();
    let last_month = last.as_ref().map(|m| m.month).unwrap_or_default();
    let overall = last.as_ref().and_then(reading::rate);
    let k = data.k;
    view! {
        <div class="page-head">
            <h1>{t!(i18n, dashboard.title)}</h1>
            <p class="muted">{format!("{} · {}", data.scope.name, period_text(locale, data.period))}</p>
        </div>
        <p class="lead">{t!(i18n, dashboard.intro, k = k)}" "<a href="/privacy/leaders">{t!(i18n, dashboard.what_leaders_see)}</a></p>
        <PeriodForm data=data.clone() first=first_month last=last_month/>
        <p><a class="button button--secondary" href=csv_href download="kring-dashboard.csv">{t!(i18n, dashboard.csv)}</a></p>

        <section class="card stack" aria-labelledby="participation-title">
            <h2 id="participation-title">{t!(i18n, dashboard.participation)}</h2>
            <dl class="figures">
                <div><dt>{t!(i18n, dashboard.rate_now)}</dt><dd>{percent_text(locale, overall)}</dd></div>
                <div><dt>{t!(i18n, dashboard.staff)}</dt><dd>{count_text(locale, last.as_ref().and_then(|m| m.staff))}</dd></div>
                <div><dt>{t!(i18n, dashboard.members)}</dt><dd>{count_text(locale, last.as_ref().and_then(|m| m.members))}</dd></div>
            </dl>
            <RateChart months=data.months.clone()/>
            <BreadthCharts breadth=data.breadth.clone() overall k/>
            <LevelsChart months=data.months.clone()/>
            {(!data.schools.is_empty()).then(|| view! { <SchoolsTable schools=data.schools.clone()/> })}
        </section>

        <section class="card stack" aria-labelledby="quality-title">
            <h2 id="quality-title">{t!(i18n, dashboard.quality)}</h2>
            {match (data.knowledge.clone(), data.things.clone()) {
                (Some(knowledge), Some(things)) => {
                    let share = reading::current_share(&knowledge);
                    view! {
                        <dl class="figures">
                            <div><dt>{t!(i18n, dashboard.current_share)}</dt><dd>{percent_text(locale, share)}</dd></div>
                            <div><dt>{t!(i18n, dashboard.review_due)}</dt><dd>{knowledge.review_due}</dd></div>
                            <div><dt>{t!(i18n, dashboard.outdated)}</dt><dd>{knowledge.outdated}</dd></div>
                            <div><dt>{t!(i18n, dashboard.created)}</dt><dd>{reading::things_total(&things, |m| m.artifacts_created)}</dd></div>
                            <div><dt>{t!(i18n, dashboard.updated)}</dt><dd>{reading::things_total(&things, |m| m.artifacts_updated)}</dd></div>
                        </dl>
                        <p class="reading">{match share {
                            Some(share) => t_string!(i18n, dashboard.reading_knowledge, share = share, due = knowledge.review_due, outdated = knowledge.outdated).to_string(),
                            None => t_string!(i18n, dashboard.reading_knowledge_empty).to_string(),
                        }}</p>
                    }.into_any()
                }
                _ => view! { <TooFewStaff k/> }.into_any(),
            }}
        </section>

        <section class="card stack" aria-labelledby="application-title">
            <h2 id="application-title">{t!(i18n, dashboard.application)}</h2>
            {match data.things.clone() {
                Some(things) => view! { <ApplicationTable things/> }.into_any(),
                None => view! { <TooFewStaff k/> }.into_any(),
            }}
        </section>

        <section class="card stack" aria-labelledby="culture-title">
            <h2 id="culture-title">{t!(i18n, dashboard.culture)}</h2>
            <PulseSurveys surveys=data.surveys.clone() k/>
            {match data.things.clone() {
                Some(things) => view! { <SeciChart things/> }.into_any(),
                None => view! { <TooFewStaff k/> }.into_any(),
            }}
        </section>

        <section class="stack" aria-labelledby="communities-title">
            <h2 id="communities-title">{t!(i18n, dashboard.communities)}</h2>
            {if data.communities.is_empty() {
                view! { <p class="muted">{t!(i18n, dashboard.no_communities)}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list card-list">
                        {data.communities.into_iter().map(|card| view! { <li><HealthCardView card k/></li> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// The school pulse surveys closed in the period, each as its distribution chart.
#[component]
fn PulseSurveys(surveys: Vec<CultureSurvey>, k: u32) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <h3>{t!(i18n, dashboard.pulse)}</h3>
        {if surveys.is_empty() {
            view! {
                <p class="muted">{t!(i18n, dashboard.pulse_none)}" "<a href="/surveys/new">{t!(i18n, surveys.run)}</a></p>
            }.into_any()
        } else {
            surveys.into_iter().enumerate().map(|(i, survey)| {
                let when = crate::notification::domain::day_text(crate::ui::language_of(locale), survey.closed_at);
                view! {
                    <h4>{t!(i18n, dashboard.pulse_survey, school = survey.school.clone(), date = when)}</h4>
                    {match survey.respondents {
                        Some(n) => view! {
                            <p class="muted">{t!(i18n, surveys.respondents, count = n)}</p>
                            <DistributionChart dimensions=survey.dimensions id=format!("pulse-{i}")/>
                        }.into_any(),
                        None => view! { <p class="muted">{t!(i18n, surveys.too_few, k = k)}</p> }.into_any(),
                    }}
                }
            }).collect_view().into_any()
        }}
    }
}

#[component]
fn PeriodForm(data: DashboardView, first: Month, last: Month) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let current = data.scope.key();
    view! {
        <form class="filters" method="get" action="/dashboard">
            {(data.scopes.len() > 1).then(|| view! {
                <div class="field">
                    <label class="field__label" for="dashboard-scope">{t!(i18n, dashboard.scope)}</label>
                    <select class="field__input" id="dashboard-scope" name="scope">
                        {data.scopes.iter().map(|s| {
                            let key = s.key();
                            let selected = key == current;
                            view! { <option value=key selected=selected>{s.name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
            })}
            {(data.scopes.len() <= 1).then(|| view! { <input type="hidden" name="scope" value=current.clone()/> })}
            <div class="field">
                <label class="field__label" for="dashboard-period">{t!(i18n, dashboard.period)}</label>
                <select class="field__input" id="dashboard-period" name="period">
                    {PeriodKind::ALL.iter().map(|p| {
                        let selected = *p == data.period;
                        view! { <option value=p.as_str() selected=selected>{period_text(locale, *p)}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label class="field__label" for="dashboard-from">{t!(i18n, dashboard.from)}</label>
                <input class="field__input" type="month" id="dashboard-from" name="from" value=first.iso()/>
            </div>
            <div class="field">
                <label class="field__label" for="dashboard-to">{t!(i18n, dashboard.to)}</label>
                <input class="field__input" type="month" id="dashboard-to" name="to" value=last.iso()/>
            </div>
            <button class="button" type="submit">{t!(i18n, dashboard.show)}</button>
        </form>
    }
}

const WIDTH: f64 = 640.0;

/// The participation rate per month as a line; months whose rate is hidden break it.
#[component]
fn RateChart(months: Vec<MonthRow>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let reading_text = match reading::participation(&months) {
        Trend::Moved { from, to } => t_string!(
            i18n,
            dashboard.reading_rate,
            from = from.1,
            to = to.1,
            start = month_text(locale, from.0),
            end = month_text(locale, to.0)
        )
        .to_string(),
        Trend::One { month, rate } => {
            t_string!(i18n, dashboard.reading_rate_one, rate = rate, month = month_text(locale, month)).to_string()
        }
        Trend::Hidden => t_string!(i18n, dashboard.reading_rate_hidden).to_string(),
    };
    let (left, right, top, height) = (48.0, 16.0, 12.0, 160.0);
    let n = months.len().max(1);
    let step = if n > 1 { (WIDTH - left - right) / (n - 1) as f64 } else { 0.0 };
    let x = move |i: usize| left + step * i as f64 + if n == 1 { (WIDTH - left - right) / 2.0 } else { 0.0 };
    let y = move |pct: u32| top + height * (1.0 - f64::from(pct.min(100)) / 100.0);
    let rates: Vec<Option<u32>> = months.iter().map(reading::rate).collect();
    let mut segments: Vec<String> = Vec::new();
    let mut current = String::new();
    for (i, rate) in rates.iter().enumerate() {
        match rate {
            Some(rate) => current.push_str(&format!("{:.1},{:.1} ", x(i), y(*rate))),
            None if !current.is_empty() => segments.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        segments.push(current);
    }
    let label_every = n.div_ceil(8).max(1);
    view! {
        <ChartFigure
            chart=view! {
                <svg viewBox=format!("0 0 {WIDTH} 200") role="img" aria-labelledby="rate-title rate-desc" class="chart__svg">
                    <title id="rate-title">{t!(i18n, dashboard.rate_chart)}</title>
                    <desc id="rate-desc">{reading_text.clone()}</desc>
                    {[0u32, 50, 100].into_iter().map(|pct| view! {
                        <line class="chart__grid" x1=left x2=WIDTH - right y1=y(pct) y2=y(pct)/>
                        <text class="chart__axis" x=left - 6.0 y=y(pct) + 4.0 text-anchor="end">{format!("{pct} %")}</text>
                    }).collect_view()}
                    {segments.into_iter().map(|points| view! { <polyline class="chart__line" points=points/> }).collect_view()}
                    {rates.iter().enumerate().filter_map(|(i, r)| r.map(|r| (i, r))).map(|(i, r)| view! {
                        <circle class="chart__point" cx=x(i) cy=y(r) r="4"/>
                    }).collect_view()}
                    {months.iter().enumerate().filter(|(i, _)| i % label_every == 0).map(|(i, m)| view! {
                        <text class="chart__axis" x=x(i) y="194" text-anchor="middle">{month_text(locale, m.month)}</text>
                    }).collect_view()}
                </svg>
            }.into_any()
            caption=reading_text.into_any()
            show_table=td_string!(locale, dashboard.show_table)
        >
            <div class="table-wrap">
                <table class="table">
                    <caption class="visually-hidden">{t!(i18n, dashboard.rate_chart)}</caption>
                    <thead><tr>
                        <th scope="col">{t!(i18n, dashboard.month)}</th>
                        <th scope="col">{t!(i18n, dashboard.staff)}</th>
                        <th scope="col">{t!(i18n, dashboard.active)}</th>
                        <th scope="col">{t!(i18n, dashboard.rate)}</th>
                    </tr></thead>
                    <tbody>
                        {months.iter().map(|m| view! {
                            <tr>
                                <th scope="row">{month_text(locale, m.month)}</th>
                                <td>{count_text(locale, m.staff)}</td>
                                <td>{count_text(locale, m.active)}</td>
                                <td>{percent_text(locale, reading::rate(m))}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </ChartFigure>
    }
}

/// Horizontal bars of one value per row, with the whole scope's value as a marker.
fn bars(
    id: String,
    title: String,
    reading_text: String,
    rows: Vec<(String, Option<u32>)>,
    marker: Option<u32>,
    hidden: String,
) -> impl IntoView {
    let (label_width, right) = (220.0, 56.0);
    let span = WIDTH - label_width - right;
    let height = 28.0 * rows.len() as f64 + 8.0;
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled_by = format!("{title_id} {desc_id}");
    view! {
        <svg viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-labelledby=labelled_by class="chart__svg">
            <title id=title_id>{title}</title>
            <desc id=desc_id>{reading_text}</desc>
            {rows.into_iter().enumerate().map(|(i, (label, value))| {
                let y = 8.0 + 28.0 * i as f64;
                let short: String = if label.chars().count() > 30 { label.chars().take(29).chain(['…']).collect() } else { label };
                view! {
                    <text class="chart__label" x=label_width - 8.0 y=y + 15.0 text-anchor="end">{short}</text>
                    {match value {
                        Some(v) => view! {
                            <rect class="chart__bar" x=label_width y=y width=(span * f64::from(v.min(100)) / 100.0).max(1.0) height="20"/>
                            <text class="chart__value" x=label_width + (span * f64::from(v.min(100)) / 100.0).max(1.0) + 6.0 y=y + 15.0>{format!("{v} %")}</text>
                        }.into_any(),
                        None => view! { <text class="chart__hidden" x=label_width + 4.0 y=y + 15.0>{hidden.clone()}</text> }.into_any(),
                    }}
                }
            }).collect_view()}
            {marker.map(|m| {
                let x = label_width + span * f64::from(m.min(100)) / 100.0;
                view! { <line class="chart__marker" x1=x x2=x y1="2" y2=height - 2.0/> }
            })}
        </svg>
    }
}

#[component]
fn BreadthCharts(breadth: Vec<Breakdown>, overall: Option<u32>, k: u32) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let lowest = reading::lowest_breadth(&breadth, overall);
    let reading_text = match (&lowest, overall) {
        (Some((dimension, label, rate)), Some(all)) => t_string!(
            i18n,
            dashboard.reading_breadth,
            group = group_text(locale, *dimension, label.as_deref()),
            rate = *rate,
            all = all
        )
        .to_string(),
        (None, Some(_)) => t_string!(i18n, dashboard.reading_breadth_even).to_string(),
        _ => t_string!(i18n, dashboard.reading_rate_hidden).to_string(),
    };
    view! {
        <h3>{t!(i18n, dashboard.breadth)}</h3>
        <p class="reading">{reading_text.clone()}</p>
        {breadth.into_iter().filter(|b| !b.rows.is_empty() || b.more_hidden).map(|b| {
            let dimension = b.dimension;
            let more_hidden = b.more_hidden;
            let id = format!("breadth-{}", dimension.as_str());
            let rows: Vec<(String, Option<u32>)> = b.rows.iter().map(|r| (group_text(locale, dimension, r.label.as_deref()), reading::group_rate(r))).collect();
            view! {
                <ChartFigure
                    chart=bars(id, dimension_text(locale, dimension).to_string(), reading_text.clone(), rows, overall, td_string!(locale, dashboard.hidden).to_string()).into_any()
                    caption=view! {
                        {dimension_text(locale, dimension)}
                        {more_hidden.then(|| view! { " · "{t!(i18n, dashboard.groups_hidden, k = k)} })}
                    }.into_any()
                    show_table=td_string!(locale, dashboard.show_table)
                    caption_class=""
                >
                    <GroupTable rows=b.rows caption=dimension_text(locale, dimension).to_string() dimension=Some(dimension)/>
                </ChartFigure>
            }
        }).collect_view()}
    }
}

#[component]
fn GroupTable(rows: Vec<GroupRow>, caption: String, dimension: Option<Dimension>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <div class="table-wrap">
            <table class="table">
                <caption class="visually-hidden">{caption}</caption>
                <thead><tr>
                    <th scope="col">{t!(i18n, dashboard.group)}</th>
                    <th scope="col">{t!(i18n, dashboard.staff)}</th>
                    <th scope="col">{t!(i18n, dashboard.active)}</th>
                    <th scope="col">{t!(i18n, dashboard.rate)}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let name = match dimension {
                            Some(d) => group_text(locale, d, r.label.as_deref()),
                            None => r.label.clone().unwrap_or_else(|| td_string!(locale, dashboard.board_staff).to_string()),
                        };
                        view! {
                            <tr>
                                <th scope="row">{name}</th>
                                <td>{count_text(locale, r.staff)}</td>
                                <td>{count_text(locale, r.active)}</td>
                                <td>{percent_text(locale, reading::group_rate(&r))}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn SchoolsTable(schools: Vec<GroupRow>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h3>{t!(i18n, dashboard.schools)}</h3>
        <GroupTable rows=schools caption=t_string!(i18n, dashboard.schools).to_string() dimension=None/>
    }
}

/// Members by level per month, as stacked bars of shares.
#[component]
fn LevelsChart(months: Vec<MonthRow>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let reading_text = match reading::depth(&months) {
        Some((from, to)) => t_string!(i18n, dashboard.reading_levels, from = from, to = to).to_string(),
        None => t_string!(i18n, dashboard.reading_levels_hidden).to_string(),
    };
    let (label_width, right) = (120.0, 16.0);
    let span = WIDTH - label_width - right;
    let height = 24.0 * months.len() as f64 + 36.0;
    view! {
        <h3>{t!(i18n, dashboard.levels)}</h3>
        <ChartFigure
            chart=view! {
                <svg viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-labelledby="levels-title levels-desc" class="chart__svg">
                    <title id="levels-title">{t!(i18n, dashboard.levels)}</title>
                    <desc id="levels-desc">{reading_text.clone()}</desc>
                    {months.iter().enumerate().map(|(i, m)| {
                        let y = 4.0 + 24.0 * i as f64;
                        let counts: Option<Vec<u32>> = m.levels.iter().copied().collect();
                        let total: u32 = counts.as_ref().map_or(0, |c| c.iter().sum());
                        view! {
                            <text class="chart__label" x=label_width - 8.0 y=y + 14.0 text-anchor="end">{month_text(locale, m.month)}</text>
                            {match counts {
                                Some(counts) if total > 0 => {
                                    let mut x = label_width;
                                    counts.into_iter().enumerate().map(|(l, c)| {
                                        let w = span * f64::from(c) / f64::from(total);
                                        let start = x;
                                        x += w;
                                        view! { <rect class=format!("chart__level chart__level--{}", Level::ALL[l].as_str()) x=start y=y width=w height="18"/> }
                                    }).collect_view().into_any()
                                }
                                _ => view! { <text class="chart__hidden" x=label_width + 4.0 y=y + 14.0>{td_string!(locale, dashboard.hidden)}</text> }.into_any(),
                            }}
                        }
                    }).collect_view()}
                    {Level::ALL.iter().enumerate().map(|(l, level)| {
                        let x = label_width + 130.0 * l as f64;
                        let y = height - 14.0;
                        view! {
                            <rect class=format!("chart__level chart__level--{}", level.as_str()) x=x y=y width="12" height="12"/>
                            <text class="chart__axis" x=x + 16.0 y=y + 11.0>{level_text(locale, *level)}</text>
                        }
                    }).collect_view()}
                </svg>
            }.into_any()
            caption=reading_text.into_any()
            show_table=td_string!(locale, dashboard.show_table)
        >
            <div class="table-wrap">
                <table class="table">
                    <caption class="visually-hidden">{t!(i18n, dashboard.levels)}</caption>
                    <thead><tr>
                        <th scope="col">{t!(i18n, dashboard.month)}</th>
                        <th scope="col">{t!(i18n, dashboard.members)}</th>
                        {Level::ALL.iter().map(|l| view! { <th scope="col">{level_text(locale, *l)}</th> }).collect_view()}
                    </tr></thead>
                    <tbody>
                        {months.iter().map(|m| view! {
                            <tr>
                                <th scope="row">{month_text(locale, m.month)}</th>
                                <td>{count_text(locale, m.members)}</td>
                                {m.levels.iter().map(|c| view! { <td>{count_text(locale, *c)}</td> }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </ChartFigure>
    }
}

#[component]
fn ApplicationTable(things: Vec<ThingsMonth>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let total = |pick: fn(&ThingsMonth) -> u32| reading::things_total(&things, pick);
    let reading_text = t_string!(
        i18n,
        dashboard.reading_application,
        reuses = total(|m| m.reuses),
        actions = total(|m| m.actions_followed_up),
        started = total(|m| m.cycles_started),
        lessons = total(|m| m.lessons_taught)
    )
    .to_string();
    view! {
        <p class="reading">{reading_text}</p>
        <div class="table-wrap">
            <table class="table">
                <caption class="visually-hidden">{t!(i18n, dashboard.application)}</caption>
                <thead><tr>
                    <th scope="col">{t!(i18n, dashboard.month)}</th>
                    <th scope="col">{t!(i18n, dashboard.reuses)}</th>
                    <th scope="col">{t!(i18n, dashboard.actions_followed_up)}</th>
                    <th scope="col">{t!(i18n, dashboard.cycles_started)}</th>
                    <th scope="col">{t!(i18n, dashboard.cycles_completed)}</th>
                    <th scope="col">{t!(i18n, dashboard.lessons_taught)}</th>
                </tr></thead>
                <tbody>
                    {things.iter().map(|m| view! {
                        <tr>
                            <th scope="row">{month_text(locale, m.month)}</th>
                            <td>{m.reuses}</td>
                            <td>{m.actions_followed_up}</td>
                            <td>{m.cycles_started}</td>
                            <td>{m.cycles_completed}</td>
                            <td>{m.lessons_taught}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn SeciChart(things: Vec<ThingsMonth>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let totals = reading::seci_totals(&things);
    let all: u32 = totals.iter().sum();
    let reading_text = match reading::weakest_phase(totals) {
        Some((phase, share)) => {
            t_string!(i18n, dashboard.reading_seci, phase = seci_text(locale, phase), share = share).to_string()
        }
        None => t_string!(i18n, dashboard.reading_seci_none).to_string(),
    };
    let rows: Vec<(String, Option<u32>)> = SeciPhase::ALL
        .iter()
        .zip(totals)
        .map(|(phase, n)| (seci_text(locale, *phase).to_string(), reading::percent(Some(n), Some(all))))
        .collect();
    view! {
        <h3>{t!(i18n, dashboard.seci)}</h3>
        <ChartFigure
            chart=view! {
                {bars("seci".into(), t_string!(i18n, dashboard.seci).to_string(), reading_text.clone(), rows, None, td_string!(locale, dashboard.hidden).to_string())}
            }.into_any()
            caption=reading_text.into_any()
            show_table=td_string!(locale, dashboard.show_table)
        >
            <div class="table-wrap">
                <table class="table">
                    <caption class="visually-hidden">{t!(i18n, dashboard.seci)}</caption>
                    <thead><tr>
                        <th scope="col">{t!(i18n, dashboard.phase)}</th>
                        <th scope="col">{t!(i18n, dashboard.activities)}</th>
                    </tr></thead>
                    <tbody>
                        {SeciPhase::ALL.iter().zip(totals).map(|(phase, n)| view! {
                            <tr><th scope="row">{seci_text(locale, *phase)}</th><td>{n}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </ChartFigure>
    }
}

/// Said instead of figures for a scope with fewer than k staff.
#[component]
fn TooFewStaff(k: u32) -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="muted">{t!(i18n, dashboard.too_few_staff, k = k)}</p> }
}

/// A community's health by the marks of a living community of practice, as a card
/// on the leader's dashboard (its members see the same marks on their page).
#[component]
pub fn HealthCardView(card: HealthCard, k: u32) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <article class="card health" aria-labelledby=format!("health-{}", card.id)>
            <h3 id=format!("health-{}", card.id)>{card.name.clone()}</h3>
            {match card.health {
                None => view! { <p class="muted">{t!(i18n, dashboard.community_too_small, k = k)}</p> }.into_any(),
                Some(health) => view! { <HealthMarks health/> }.into_any(),
            }}
        </article>
    }
}

/// The health card on the community's own page, so its members and facilitator can
/// steer by it; it says when leaders see the same card.
#[component]
pub fn CommunityHealthCard(own: CommunityHealth) -> impl IntoView {
    let i18n = use_i18n();
    let since = crate::ui::day_text(own.since);
    view! {
        <section class="card health" aria-labelledby="community-health">
            <h2 id="community-health">{t!(i18n, dashboard.health_own_title)}</h2>
            <p class="muted">{t!(i18n, dashboard.health_own_intro, since = since, k = own.k)}</p>
            <HealthMarks health=own.health/>
        </section>
    }
}

#[component]
fn HealthMarks(health: Health) -> impl IntoView {
    let i18n = use_i18n();
    let h = health;
    let mark = move |ok: bool| if ok { "✓" } else { "–" };
    let size_ok = (6..=10).contains(&h.members);
    let regular = h.months > 0 && h.months_met * 4 >= h.months * 3;
    view! {
        <dl class="health__marks">
            <div><dt>{mark(regular)}" "{t!(i18n, dashboard.health_regular)}</dt><dd>{t!(i18n, dashboard.health_regular_value, met = h.months_met, months = h.months, meetings = h.meetings)}</dd></div>
            <div><dt>{mark(size_ok)}" "{t!(i18n, dashboard.health_size)}</dt><dd>{t!(i18n, dashboard.health_size_value, members = h.members)}</dd></div>
            <div><dt>{mark(h.mixed_levels)}" "{t!(i18n, dashboard.health_levels)}</dt><dd>{if h.mixed_levels { t_string!(i18n, dashboard.health_levels_mixed) } else { t_string!(i18n, dashboard.health_levels_same) }}</dd></div>
            <div><dt>{mark(h.newcomers)}" "{t!(i18n, dashboard.health_newcomers)}</dt><dd>{if h.newcomers { t_string!(i18n, dashboard.yes) } else { t_string!(i18n, dashboard.no) }}</dd></div>
            <div><dt>{mark(h.seci_phases == 4)}" "{t!(i18n, dashboard.health_seci)}</dt><dd>{t!(i18n, dashboard.health_seci_value, phases = h.seci_phases)}</dd></div>
        </dl>
    }
}

/// What leaders can and cannot see, in plain words for staff (linked from the privacy
/// page and the dashboard).
#[component]
pub fn LeadersSeePage() -> impl IntoView {
    let i18n = use_i18n();
    let k = Resource::new(|| (), |_| super::api::dashboard_min_group());
    view! {
        <Title text=t_string!(i18n, dashboard.leaders_title)/>
        <article class="prose stack">
            <h1>{t!(i18n, dashboard.leaders_title)}</h1>
            {loaded(k, move |k| Some(view! {
                <p class="lead">{t!(i18n, dashboard.leaders_intro, k = k)}</p>
                <h2>{t!(i18n, dashboard.leaders_can_title)}</h2>
                <ul>
                    <li>{t!(i18n, dashboard.leaders_can_rate)}</li>
                    <li>{t!(i18n, dashboard.leaders_can_breadth, k = k)}</li>
                    <li>{t!(i18n, dashboard.leaders_can_levels)}</li>
                    <li>{t!(i18n, dashboard.leaders_can_things)}</li>
                    <li>{t!(i18n, dashboard.leaders_can_health, k = k)}</li>
                    <li>{t!(i18n, dashboard.leaders_can_surveys, k = k)}</li>
                </ul>
                <h2>{t!(i18n, dashboard.leaders_cannot_title)}</h2>
                <ul>
                    <li>{t!(i18n, dashboard.leaders_cannot_names)}</li>
                    <li>{t!(i18n, dashboard.leaders_cannot_small, k = k)}</li>
                    <li>{t!(i18n, dashboard.leaders_cannot_content)}</li>
                    <li>{t!(i18n, dashboard.leaders_cannot_answers)}</li>
                    <li>{t!(i18n, dashboard.leaders_cannot_seen)}</li>
                </ul>
                <h2>{t!(i18n, dashboard.leaders_you_title)}</h2>
                <p>{t!(i18n, dashboard.leaders_you_body)}" "<a href="/privacy">{t!(i18n, privacy.title)}</a></p>
            }.into_any()))}
        </article>
    }
}
