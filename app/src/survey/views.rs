//! Pages of pulse surveys: the list, running one, answering one, its results (a chart
//! drawn on the server with its table) and a board's own wording of the statements.
//! Every form is a plain POST first.

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{
    AnswerSurvey, CloseSurvey, DimensionResult, SaveStatements, StartSurvey, SurveyPage, SurveyResults, SurveySummary,
    load_statements, load_survey, load_survey_start, load_surveys,
};
use super::domain::{COMMENT_MAX_CHARS, MAX_STATEMENTS, ResultState, SurveyDimension};
use crate::account::domain::Flash;
use crate::i18n::*;
use crate::notification::domain::day_text;
use crate::ui::{
    Alert, ChartFigure, EmptyState, ErrorAlert, Field, SelectField, action_error, flashed, kept_input, language_of,
    load_or_not_found, resource_page, text, uuid_param,
};

pub fn dimension_text(locale: Locale, dimension: SurveyDimension) -> &'static str {
    match dimension {
        SurveyDimension::SharedVision => td_string!(locale, surveys.dim_shared_vision),
        SurveyDimension::CollectiveLearning => td_string!(locale, surveys.dim_collective_learning),
        SurveyDimension::SharedPractice => td_string!(locale, surveys.dim_shared_practice),
        SurveyDimension::Relationships => td_string!(locale, surveys.dim_relationships),
        SurveyDimension::Structures => td_string!(locale, surveys.dim_structures),
        SurveyDimension::SharedLeadership => td_string!(locale, surveys.dim_shared_leadership),
        SurveyDimension::Safety => td_string!(locale, surveys.dim_safety),
    }
}

/// The four points of the scale, "strongly disagree" first.
pub fn scale_texts(locale: Locale) -> [&'static str; 4] {
    [
        td_string!(locale, surveys.scale_1),
        td_string!(locale, surveys.scale_2),
        td_string!(locale, surveys.scale_3),
        td_string!(locale, surveys.scale_4),
    ]
}

#[component]
pub fn SurveysPage() -> impl IntoView {
    let i18n = use_i18n();
    let page = Resource::new(|| (), |_| load_surveys());
    view! {
        <Title text=t_string!(i18n, surveys.title)/>
        {resource_page(page, move |data| {
            let locale = i18n.get_locale_untracked();
            let (to_answer, others): (Vec<SurveySummary>, Vec<SurveySummary>) =
                data.surveys.into_iter().partition(|s| s.to_answer);
            let row = move |s: SurveySummary| view! {
                <li>
                    <a href=format!("/surveys/{}", s.id)>{s.scope_name.clone()}</a>
                    <span class="muted">" · "{
                        if s.open {
                            t_string!(i18n, surveys.open_until, date = day_text(language_of(locale), s.closes_at)).to_string()
                        } else {
                            t_string!(i18n, surveys.closed_on, date = day_text(language_of(locale), s.closes_at)).to_string()
                        }
                    }</span>
                </li>
            };
            Some(view! {
                <section class="card">
                    <div class="card__head">
                        <h1>{t!(i18n, surveys.title)}</h1>
                        {data.may_run.then(|| view! {
                            <a class="button button--primary" href="/surveys/new">{t!(i18n, surveys.run)}</a>
                        })}
                    </div>
                    <p class="muted">{t!(i18n, surveys.intro, k = crate::shared::MIN_GROUP)}</p>
                    {data.may_adapt.then(|| view! {
                        <p><a href="/surveys/statements">{t!(i18n, surveys.adapt_link)}</a></p>
                    })}
                </section>
                {(!to_answer.is_empty()).then(|| view! {
                    <section class="card" aria-labelledby="to-answer-title">
                        <h2 id="to-answer-title">{t!(i18n, surveys.to_answer)}</h2>
                        <ul class="plain-list stack">{to_answer.into_iter().map(row).collect_view()}</ul>
                    </section>
                })}
                <section class="card" aria-labelledby="all-surveys-title">
                    <h2 id="all-surveys-title">{t!(i18n, surveys.all)}</h2>
                    {if others.is_empty() {
                        view! {
                            <EmptyState title=text(move || t_string!(i18n, surveys.none))>
                                <p>{t!(i18n, surveys.none_hint)}</p>
                            </EmptyState>
                        }.into_any()
                    } else {
                        view! { <ul class="plain-list stack">{others.into_iter().map(row).collect_view()}</ul> }.into_any()
                    }}
                </section>
            })
        })}
    }
}

#[component]
pub fn NewSurveyPage() -> impl IntoView {
    let i18n = use_i18n();
    let start = ServerAction::<StartSurvey>::new();
    let error = action_error(start);
    let form = Resource::new(|| (), |_| load_survey_start());
    view! {
        <Title text=t_string!(i18n, surveys.run)/>
        {resource_page(form, move |data| {
            let locale = i18n.get_locale_untracked();
            let picked_error = Signal::derive(move || error.get().and_then(|e| e.field_error("picked")));
            Some(view! {
                <section class="card narrow-wide">
                    <h1>{t!(i18n, surveys.run)}</h1>
                    <p class="muted">{t!(i18n, surveys.run_intro)}</p>
                    <ErrorAlert error=error/>
                    <ActionForm action=start attr:class="form" attr:novalidate=true>
                        <SelectField name="scope" label=text(move || t_string!(i18n, surveys.scope)) error=error>
                            {data.scopes.iter().map(|s| view! { <option value=s.key.clone()>{s.name.clone()}</option> }).collect_view()}
                        </SelectField>
                        <Field name="closes_on" kind="date" required=true value=data.default_closing.clone()
                            label=text(move || t_string!(i18n, surveys.closes_on))
                            hint=text(move || t_string!(i18n, surveys.closes_on_hint)) error=error/>
                        <fieldset class="fieldset" aria-describedby="picked-hint">
                            <legend>{t!(i18n, surveys.statements)}</legend>
                            <p class="field__hint" id="picked-hint">{t!(i18n, surveys.statements_hint)}</p>
                            {move || picked_error.get().map(|key| view! {
                                <p class="field__error">{crate::ui::error_key_text(locale, key)}</p>
                            })}
                            {data.statements.iter().enumerate().map(|(i, s)| view! {
                                <div class="field field--check">
                                    <input type="checkbox" id=format!("picked-{i}") name=format!("picked[{i}]") value=i.to_string() checked=i < MAX_STATEMENTS/>
                                    <label for=format!("picked-{i}")>
                                        {s.text.clone()}
                                        <span class="muted small">" · "{dimension_text(locale, s.dimension)}</span>
                                    </label>
                                </div>
                            }).collect_view()}
                        </fieldset>
                        <p class="muted small">{t!(i18n, surveys.anonymous_note)}</p>
                        <button type="submit" class="button button--primary">{t!(i18n, surveys.open_it)}</button>
                    </ActionForm>
                </section>
            })
        })}
    }
}

#[component]
pub fn SurveyPageView() -> impl IntoView {
    let i18n = use_i18n();
    let survey_id = uuid_param("survey_id");
    let answer = ServerAction::<AnswerSurvey>::new();
    let close = ServerAction::<CloseSurvey>::new();
    let answer_error = action_error(answer);
    let close_error = action_error(close);
    let page = Resource::new(
        move || (survey_id(), answer.version().get(), close.version().get()),
        |(id, ..)| load_or_not_found(id, load_survey),
    );
    view! {
        <Title text=t_string!(i18n, surveys.survey)/>
        {resource_page(page, move |data: SurveyPage| {
            let locale = i18n.get_locale_untracked();
            let when = day_text(language_of(locale), data.closes_at);
            let status = if data.open {
                t_string!(i18n, surveys.open_until, date = when.clone()).to_string()
            } else {
                t_string!(i18n, surveys.closed_on, date = when.clone()).to_string()
            };
            Some(view! {
                <section class="card">
                    <h1>{t!(i18n, surveys.survey)}": "{data.scope_name.clone()}</h1>
                    <p class="muted">{status}</p>
                    {data.community_id.map(|id| view! { <p><a href=format!("/c/{id}")>{t!(i18n, surveys.to_community)}</a></p> })}
                    {data.answered_so_far.map(|n| view! { <p>{t!(i18n, surveys.answered_so_far, count = n)}</p> })}
                    {(data.runs_it && data.open).then(|| view! {
                        <ErrorAlert error=close_error/>
                        <ActionForm action=close attr:class="inline-form">
                            <input type="hidden" name="survey_id" value=data.id.to_string()/>
                            <button type="submit" class="button">{t!(i18n, surveys.close_now)}</button>
                        </ActionForm>
                        <p class="muted small">{t!(i18n, surveys.close_now_hint)}</p>
                    })}
                </section>
                {data.may_answer.then(|| view! { <AnswerForm data=data.clone() action=answer error=answer_error/> })}
                {(data.open && data.answered).then(|| view! {
                    <Alert kind="success"><p>{t!(i18n, surveys.thanks)}</p></Alert>
                })}
                {match (data.state, data.results.clone()) {
                    (ResultState::Open, _) => view! {
                        <p class="muted">{t!(i18n, surveys.results_after_closing, k = data.min_group)}</p>
                    }.into_any(),
                    (ResultState::Shown, Some(results)) => view! { <Results results=results/> }.into_any(),
                    _ => view! {
                        <Alert><p>{t!(i18n, surveys.too_few, k = data.min_group)}</p></Alert>
                    }.into_any(),
                }}
            })
        })}
    }
}

#[component]
fn AnswerForm(
    data: SurveyPage,
    action: ServerAction<AnswerSurvey>,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let scale = scale_texts(locale);
    view! {
        <section class="card" aria-labelledby="answer-title">
            <h2 id="answer-title">{t!(i18n, surveys.answer_title)}</h2>
            <p class="muted">{t!(i18n, surveys.anonymous_note)}</p>
            <ErrorAlert error=error/>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <input type="hidden" name="survey_id" value=data.id.to_string()/>
                {move || error.get().and_then(|e| e.field_error("answers")).map(|key| view! {
                    <p class="field__error">{crate::ui::error_key_text(locale, key)}</p>
                })}
                {data.items.iter().enumerate().map(|(i, item)| view! {
                    <fieldset class="fieldset survey-item">
                        <legend>{item.text.clone()}</legend>
                        <input type="hidden" name=format!("answers[{i}][item]") value=item.id.to_string()/>
                        <div class="scale">
                            {scale.iter().enumerate().map(|(p, label)| {
                                let id = format!("answer-{i}-{}", p + 1);
                                let (name, value) = (format!("answers[{i}][value]"), (p + 1).to_string());
                                view! {
                                    <span class="scale__point">
                                        <input type="radio" id=id.clone() name=name.clone() value=value.clone() required=true
                                            checked=kept_input(&name).as_deref() == Some(value.as_str())/>
                                        <label for=id>{*label}</label>
                                    </span>
                                }
                            }).collect_view()}
                        </div>
                    </fieldset>
                }).collect_view()}
                <Field name="comment" rows=3
                    label=text(move || t_string!(i18n, surveys.comment))
                    hint=Signal::derive(move || t_string!(i18n, surveys.comment_hint, max = COMMENT_MAX_CHARS).to_string())
                    error=error/>
                <button type="submit" class="button button--primary">{t!(i18n, surveys.send)}</button>
            </ActionForm>
        </section>
    }
}

/// A survey's results: how many answered, the chart and its table, the comments.
#[component]
fn Results(results: SurveyResults) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="results-title">
            <h2 id="results-title">{t!(i18n, surveys.results)}</h2>
            <p>{t!(i18n, surveys.respondents, count = results.respondents)}</p>
            <DistributionChart dimensions=results.dimensions.clone() id="survey"/>
            <h3>{t!(i18n, surveys.comments)}</h3>
            {if results.comments.is_empty() {
                view! { <p class="muted">{t!(i18n, surveys.no_comments)}</p> }.into_any()
            } else {
                view! {
                    <ul class="stack survey-comments">
                        {results.comments.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// Answers per dimension as stacked bars of shares, with a plain reading and a table;
/// `id` keeps the chart's accessible names apart when a page shows several.
#[component]
pub fn DistributionChart(dimensions: Vec<DimensionResult>, #[prop(into)] id: String) -> impl IntoView {
    const WIDTH: f64 = 640.0;
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let scale = scale_texts(locale);
    let (label_width, right) = (230.0, 60.0);
    let span = WIDTH - label_width - right;
    let height = 26.0 * dimensions.len() as f64 + 40.0;
    let (title_id, desc_id) = (format!("{id}-chart-title"), format!("{id}-chart-desc"));
    let reading = reading(locale, &dimensions);
    let labelled_by = format!("{title_id} {desc_id}");
    view! {
        <ChartFigure
            chart=view! {
                <svg viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-labelledby=labelled_by class="chart__svg">
                    <title id=title_id>{t!(i18n, surveys.chart_title)}</title>
                    <desc id=desc_id>{reading.clone()}</desc>
                    {dimensions.iter().enumerate().map(|(i, d)| {
                        let y = 4.0 + 26.0 * i as f64;
                        let total = d.distribution.total().max(1);
                        let mut x = label_width;
                        view! {
                            <text class="chart__label" x=label_width - 8.0 y=y + 14.0 text-anchor="end">{dimension_text(locale, d.distribution.dimension)}</text>
                            {d.distribution.counts.iter().enumerate().map(|(p, c)| {
                                let w = span * f64::from(*c) / f64::from(total);
                                let start = x;
                                x += w;
                                view! { <rect class=format!("chart__scale chart__scale--{}", p + 1) x=start y=y width=w height="18"/> }
                            }).collect_view()}
                            <text class="chart__value" x=label_width + span + 6.0 y=y + 14.0>
                                {d.distribution.agree_percent().map(|p| format!("{p} %")).unwrap_or_default()}
                            </text>
                        }
                    }).collect_view()}
                    {scale.iter().enumerate().map(|(p, label)| {
                        let x = 8.0 + 158.0 * p as f64;
                        let y = height - 14.0;
                        view! {
                            <rect class=format!("chart__scale chart__scale--{}", p + 1) x=x y=y width="12" height="12"/>
                            <text class="chart__axis" x=x + 16.0 y=y + 11.0>{*label}</text>
                        }
                    }).collect_view()}
                </svg>
            }.into_any()
            caption=reading.into_any()
            show_table=td_string!(locale, surveys.show_table)
        >
            <div class="table-wrap">
                <table class="table">
                    <caption class="visually-hidden">{t!(i18n, surveys.chart_title)}</caption>
                    <thead><tr>
                        <th scope="col">{t!(i18n, surveys.dimension)}</th>
                        {scale.iter().map(|label| view! { <th scope="col">{*label}</th> }).collect_view()}
                        <th scope="col">{t!(i18n, surveys.agree)}</th>
                        <th scope="col">{t!(i18n, surveys.previous)}</th>
                    </tr></thead>
                    <tbody>
                        {dimensions.iter().map(|d| {
                            let percents = d.distribution.percents();
                            view! {
                                <tr>
                                    <th scope="row">{dimension_text(locale, d.distribution.dimension)}</th>
                                    {d.distribution.counts.iter().zip(percents).map(|(c, p)| view! { <td>{format!("{c} ({p} %)")}</td> }).collect_view()}
                                    <td>{d.distribution.agree_percent().map(|p| format!("{p} %")).unwrap_or_default()}</td>
                                    <td>{d.previous_agree.map(|p| format!("{p} %")).unwrap_or_else(|| "–".to_string())}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </ChartFigure>
    }
}

/// "Most agreement on …; least on …", and the largest change since the previous survey.
fn reading(locale: Locale, dimensions: &[DimensionResult]) -> String {
    let agree = |d: &&DimensionResult| d.distribution.agree_percent().unwrap_or(0);
    let (Some(high), Some(low)) = (dimensions.iter().max_by_key(agree), dimensions.iter().min_by_key(agree)) else {
        return String::new();
    };
    let mut text = td_string!(
        locale,
        surveys.reading,
        high = dimension_text(locale, high.distribution.dimension),
        high_pct = agree(&high),
        low = dimension_text(locale, low.distribution.dimension),
        low_pct = agree(&low)
    )
    .to_string();
    let change = dimensions
        .iter()
        .filter_map(|d| Some((d, i64::from(agree(&d)) - i64::from(d.previous_agree?))))
        .max_by_key(|(_, delta)| delta.abs());
    if let Some((d, delta)) = change.filter(|(_, delta)| *delta != 0) {
        text.push(' ');
        text.push_str(&td_string!(
            locale,
            surveys.reading_change,
            dimension = dimension_text(locale, d.distribution.dimension),
            delta = format!("{delta:+}")
        ));
    }
    text
}

/// A board's own wording of the statements, for its admins.
#[component]
pub fn StatementsPage() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveStatements>::new();
    let error = action_error(save);
    let statements = Resource::new(move || save.version().get(), |_| load_statements());
    view! {
        <Title text=t_string!(i18n, surveys.adapt_title)/>
        {resource_page(statements, move |statements| {
            let locale = i18n.get_locale_untracked();
            let rows: Vec<Option<super::domain::Statement>> =
                (0..MAX_STATEMENTS).map(|i| statements.get(i).cloned()).collect();
            Some(view! {
                <section class="card narrow-wide">
                    <h1>{t!(i18n, surveys.adapt_title)}</h1>
                    <p class="muted">{t!(i18n, surveys.adapt_intro)}</p>
                    <ErrorAlert error=error/>
                    <Show when=move || flashed(&Flash::StatementsSaved)>
                        <Alert kind="success"><p>{t!(i18n, surveys.adapt_saved)}</p></Alert>
                    </Show>
                    <ActionForm action=save attr:class="form" attr:novalidate=true>
                        {rows.into_iter().enumerate().map(|(i, row)| {
                            let chosen = row.as_ref().map(|s| s.dimension);
                            view! {
                                <fieldset class="fieldset">
                                    <legend>{t!(i18n, surveys.statement_n, n = i + 1)}</legend>
                                    <SelectField name=format!("statements[{i}][dimension]") label=text(move || t_string!(i18n, surveys.dimension)) error=error>
                                        {SurveyDimension::ALL.iter().map(|d| view! {
                                            <option value=d.as_str() selected=chosen == Some(*d)>{dimension_text(locale, *d)}</option>
                                        }).collect_view()}
                                    </SelectField>
                                    <Field name=format!("statements[{i}][text]") rows=2 value=row.map(|s| s.text).unwrap_or_default()
                                        label=text(move || t_string!(i18n, surveys.statement_text)) error=error/>
                                </fieldset>
                            }
                        }).collect_view()}
                        <p class="muted small">{t!(i18n, surveys.adapt_hint)}</p>
                        <div class="button-row">
                            <button type="submit" class="button button--primary">{t!(i18n, surveys.adapt_save)}</button>
                            <button type="submit" class="button" name="reset" value="yes">{t!(i18n, surveys.adapt_reset)}</button>
                        </div>
                    </ActionForm>
                </section>
            })
        })}
    }
}

/// On the home page: each open survey that waits for the viewer's answer.
#[component]
pub fn SurveysWaiting(surveys: Vec<SurveySummary>) -> impl IntoView {
    let i18n = use_i18n();
    surveys
        .into_iter()
        .map(|s| {
            view! {
                <Alert>
                    <p>
                        {t!(i18n, surveys.home_open, name = s.scope_name.clone())}" "
                        <a href=format!("/surveys/{}", s.id)>{t!(i18n, surveys.home_answer)}</a>
                    </p>
                </Alert>
            }
        })
        .collect_view()
}
