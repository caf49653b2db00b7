//! The follow-up loop on screen: before a round, the look back at open actions; after
//! it, the case bringer's actions, everyone's evaluation and the summary the case
//! bringer may publish; on the community page, the history of actions and reports.
//! Every form is a plain post; inside the round island each part re-renders only when
//! its own data changes, so a live update does not wipe what someone is typing.

use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::{Deserialize, Serialize};

use super::api::{ActionRow, AddRoundAction, EvaluateRound, PublishRoundSummary, RemoveRoundAction, ReportAction};
use super::domain::{LEARNED_MAX, Outcome, REPORT_MAX};
use crate::error::{AppError, ErrorKey};
use crate::i18n::*;
use crate::intervision::round::api::RoundView;
use crate::ui::{Field, error_key_text, kept_input};

/// What the last form post left (its error and what was typed), handed to the round
/// island so that it renders the same on the server and in the browser.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostResult {
    pub error: Option<AppError>,
    pub kept: Vec<(String, String)>,
}

const KEPT_FIELDS: &[&str] = &["body", "action", "check_in", "report", "learned", "summary_title", "summary", "notes"];

impl PostResult {
    /// Read on the server, from the page's context.
    pub fn current(error: Option<AppError>) -> Self {
        let kept = KEPT_FIELDS.iter().filter_map(|name| kept_input(name).map(|v| (name.to_string(), v))).collect();
        PostResult { error, kept }
    }

    pub fn kept(&self, name: &str) -> Option<String> {
        self.kept.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }

    fn field(&self, name: &str) -> Option<ErrorKey> {
        self.error.as_ref().and_then(|e| e.field_error(name))
    }
}

fn outcome_text(locale: Locale, outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Done => td_string!(locale, rounds.outcome_done),
        Outcome::Partly => td_string!(locale, rounds.outcome_partly),
        Outcome::NotDone => td_string!(locale, rounds.outcome_not_done),
    }
}

/// One action: what, whose, when to look back, and how it went. Its owner reports
/// on it here (and may remove it while it has no report, when `removable`).
#[component]
pub fn ActionItem(action: ActionRow, #[prop(default = false)] removable: bool) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let id = action.id;
    let reportable = action.mine && !action.body.is_empty();
    let report_form = reportable.then(|| {
        let form = view! {
            <form method="post" action=ReportAction::url() class="form form--compact">
                <input type="hidden" name="action_id" value=id.to_string()/>
                <fieldset class="field">
                    <legend class="field__label">{td_string!(locale, rounds.outcome)}</legend>
                    <div class="choice-row">
                        {Outcome::ALL.iter().map(|outcome| {
                            let input_id = format!("outcome-{id}-{}", outcome.as_str());
                            view! {
                                <span class="choice">
                                    <input type="radio" name="outcome" id=input_id.clone() value=outcome.as_str()
                                        checked=action.outcome == Some(*outcome) required/>
                                    <label for=input_id>{outcome_text(locale, *outcome)}</label>
                                </span>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
                <div class="field">
                    <label class="field__label" for=format!("report-{id}")>{td_string!(locale, rounds.report)}</label>
                    <textarea class="field__input field__input--area" id=format!("report-{id}") name="report" rows=2
                        maxlength=REPORT_MAX>{action.report.clone().unwrap_or_default()}</textarea>
                </div>
                <button type="submit" class="button button--small button--primary">{td_string!(locale, rounds.report_submit)}</button>
            </form>
        };
        if action.outcome.is_some() {
            Either::Left(view! {
                <details class="disclosure">
                    <summary>{td_string!(locale, rounds.report_change)}</summary>
                    {form}
                </details>
            })
        } else {
            Either::Right(form)
        }
    });
    let remove_form = (removable && action.mine && action.outcome.is_none()).then(|| {
        view! {
            <form method="post" action=RemoveRoundAction::url() class="inline-form">
                <input type="hidden" name="action_id" value=id.to_string()/>
                <button type="submit" class="button button--small">{td_string!(locale, rounds.remove_action)}</button>
            </form>
        }
    });
    let date = action.check_in_on.clone();
    view! {
        <li class="action" data-testid="action">
            <p class="prewrap">{action.body.clone()}</p>
            <p class="muted small">
                {action.owner.clone().unwrap_or_default()}" · "
                {td_string!(locale, rounds.check_in_on, date = date.clone()).to_string()}
                {action.due.then(|| view! { " "<span class="badge badge--warning">{td_string!(locale, rounds.due)}</span> })}
                {action.outcome.map(|o| view! {
                    " "<span class="badge badge--success" data-testid="outcome">{outcome_text(locale, o)}</span>
                })}
            </p>
            {action.report.clone().filter(|_| action.outcome.is_some()).map(|r| view! { <p class="prewrap small">{r}</p> })}
            {report_form}
            {remove_form}
        </li>
    }
}

/// The home page's card of the viewer's own open actions (with their community's
/// name), each linking to its round, where the report is written.
#[component]
pub fn MyOpenActions(actions: Vec<(String, ActionRow)>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <section class="card" aria-labelledby="my-actions-title" data-testid="my-actions">
            <h2 id="my-actions-title">{t!(i18n, home.actions_title)}</h2>
            {if actions.is_empty() {
                view! { <p class="muted">{t!(i18n, home.actions_empty)}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list stack">
                        {actions.into_iter().map(|(community, action)| view! {
                            <li class="action">
                                <a href=format!("/r/{}", action.round_id)>{action.body.clone()}</a>
                                <p class="muted small">
                                    {community}" · "
                                    {td_string!(locale, rounds.check_in_on, date = action.check_in_on.clone()).to_string()}
                                    {action.due.then(|| view! { " "<span class="badge badge--warning">{td_string!(locale, rounds.due)}</span> })}
                                </p>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// Before the round: the community's open actions from earlier rounds.
#[component]
pub fn LookBack(round: RwSignal<RoundView>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let actions = Memo::new(move |_| round.with(|r| r.look_back.clone()));
    move || {
        let actions = actions.get();
        (!actions.is_empty()).then(|| {
            view! {
                <details class="card disclosure" open=round.with_untracked(|r| r.phase == 0) data-testid="look-back">
                    <summary><strong>{td_string!(locale, rounds.look_back_title)}</strong></summary>
                    <p class="muted">{td_string!(locale, rounds.look_back_hint)}</p>
                    <ul class="plain-list stack">
                        {actions.into_iter().map(|action| view! { <ActionItem action/> }).collect_view()}
                    </ul>
                </details>
            }
        })
    }
}

/// After the round: actions, evaluation and summary.
#[component]
pub fn RoundClosingView(round: RwSignal<RoundView>, post: PostResult) -> impl IntoView {
    let ended = Memo::new(move |_| round.with(|r| r.closing.is_some()));
    move || {
        let post = post.clone();
        ended.get().then(|| {
            view! {
                <Actions round post=post.clone()/>
                <EvaluationCard round post=post.clone()/>
                <SummaryCard round post/>
            }
        })
    }
}

#[component]
fn Actions(round: RwSignal<RoundView>, post: PostResult) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let (round_id, is_bringer) =
        round.with_untracked(|r| (r.id, r.my_role == crate::intervision::round::plan::RoundRole::CaseBringer));
    let actions = Memo::new(move |_| round.with(|r| r.closing.as_ref().map(|c| c.actions.clone()).unwrap_or_default()));
    let chosen = Memo::new(move |_| {
        round.with(|r| r.contributions.iter().filter(|c| c.chosen).map(|c| c.body.clone()).collect::<Vec<_>>())
    });
    let default_check_in = round.with_untracked(|r| r.closing.as_ref().map(|c| c.default_check_in.clone()));
    let error = Signal::stored(post.error.clone());
    let form = is_bringer.then(|| {
        let check_in = post.kept("check_in").or(default_check_in).unwrap_or_default();
        view! {
            <p class="muted small">{td_string!(locale, rounds.actions_hint)}</p>
            {move || {
                let chosen = chosen.get();
                (!chosen.is_empty()).then(|| view! {
                    <p class="small"><strong>{td_string!(locale, rounds.chosen_advice)}": "</strong>{chosen.join(" · ")}</p>
                })
            }}
            <form method="post" action=AddRoundAction::url() class="form" novalidate>
                <input type="hidden" name="round_id" value=round_id.to_string()/>
                <Field name="action" label=td_string!(locale, rounds.action).to_string() rows=2 required=true
                    value=post.kept("action").unwrap_or_default() error/>
                <Field name="check_in" kind="date" label=td_string!(locale, rounds.check_in).to_string() required=true
                    value=check_in error/>
                <button type="submit" class="button button--primary">{td_string!(locale, rounds.add_action)}</button>
            </form>
        }
    });
    view! {
        <section class="card" aria-labelledby="actions-title" data-testid="actions">
            <h2 id="actions-title">{td_string!(locale, rounds.actions_title)}</h2>
            {move || {
                let actions = actions.get();
                if actions.is_empty() {
                    Either::Left(view! { <p class="muted">{td_string!(locale, rounds.actions_none)}</p> })
                } else {
                    Either::Right(view! {
                        <ul class="plain-list stack">
                            {actions.into_iter().map(|action| view! { <ActionItem action removable=true/> }).collect_view()}
                        </ul>
                    })
                }
            }}
            {form}
        </section>
    }
}

#[component]
fn EvaluationCard(round: RwSignal<RoundView>, post: PostResult) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let round_id = round.with_untracked(|r| r.id);
    let group =
        Memo::new(move |_| round.with(|r| r.closing.as_ref().map(|c| c.evaluation.clone()).unwrap_or_default()));
    let mine = Memo::new(move |_| round.with(|r| r.closing.as_ref().and_then(|c| c.my_evaluation.clone())));
    let halves = |h: u32| if h.is_multiple_of(2) { format!("{}", h / 2) } else { format!("{},5", h / 2) };
    let scale = move |name: &'static str, legend: String, selected: Option<u8>, error: Option<ErrorKey>| {
        view! {
            <fieldset class="field" class:field--invalid=error.is_some()>
                <legend class="field__label">{legend}</legend>
                {error.map(|key| view! { <p class="field__error">{error_key_text(locale, key)}</p> })}
                <div class="choice-row">
                    {(1..=5u8).map(|n| {
                        let id = format!("{name}-{n}");
                        view! {
                            <span class="choice">
                                <input type="radio" name=name id=id.clone() value=n.to_string() checked=selected == Some(n)/>
                                <label for=id>{n}</label>
                            </span>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
        }
    };
    let form = move || {
        let post = post.clone();
        let mine = mine.get();
        let learned_error = post.field("learned");
        let form = view! {
            <form method="post" action=EvaluateRound::url() class="form" novalidate>
                <input type="hidden" name="round_id" value=round_id.to_string()/>
                {scale("safe", td_string!(locale, rounds.eval_safe).to_string(), mine.as_ref().map(|m| m.safe), post.field("safe"))}
                {scale("useful", td_string!(locale, rounds.eval_useful).to_string(), mine.as_ref().map(|m| m.useful), post.field("useful"))}
                <div class="field" class:field--invalid=learned_error.is_some()>
                    <label class="field__label" for="learned">{td_string!(locale, rounds.eval_learned)}</label>
                    {learned_error.map(|key| view! { <p class="field__error">{error_key_text(locale, key)}</p> })}
                    <textarea class="field__input field__input--area" id="learned" name="learned" rows=2 maxlength=LEARNED_MAX>
                        {post.kept("learned").or_else(|| mine.as_ref().map(|m| m.learned.clone())).unwrap_or_default()}
                    </textarea>
                </div>
                <button type="submit" class="button button--primary">{td_string!(locale, rounds.eval_submit)}</button>
            </form>
        };
        if mine.is_some() {
            Either::Left(view! {
                <p data-testid="evaluation-thanks">{td_string!(locale, rounds.eval_thanks)}</p>
                <details class="disclosure">
                    <summary>{td_string!(locale, rounds.eval_change)}</summary>
                    {form}
                </details>
            })
        } else {
            Either::Right(form)
        }
    };
    view! {
        <section class="card" aria-labelledby="evaluation-title" data-testid="evaluation">
            <h2 id="evaluation-title">{td_string!(locale, rounds.evaluation_title)}</h2>
            {move || {
                let group = group.get();
                match (group.safe_halves, group.useful_halves) {
                    (Some(safe), Some(useful)) => Either::Left(view! {
                        <p data-testid="evaluation-group">
                            {td_string!(locale, rounds.eval_group, count = group.answers, safe = halves(safe), useful = halves(useful)).to_string()}
                        </p>
                        {(!group.learned.is_empty()).then(|| view! {
                            <h3>{td_string!(locale, rounds.eval_learned_title)}</h3>
                            <ul class="stack">{group.learned.into_iter().map(|l| view! { <li class="prewrap">{l}</li> }).collect_view()}</ul>
                        })}
                    }),
                    _ => Either::Right(view! {
                        <p class="muted" data-testid="evaluation-group">
                            {if group.closed {
                                td_string!(locale, rounds.eval_too_few, count = group.answers).to_string()
                            } else {
                                td_string!(locale, rounds.eval_wait, count = group.answers).to_string()
                            }}
                        </p>
                    }),
                }
            }}
            {move || (!group.with(|g| g.closed)).then(&form)}
        </section>
    }
}

#[component]
fn SummaryCard(round: RwSignal<RoundView>, post: PostResult) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let (round_id, is_bringer, has_case) = round.with_untracked(|r| {
        (r.id, r.my_role == crate::intervision::round::plan::RoundRole::CaseBringer, r.case.is_some())
    });
    let summary = Memo::new(move |_| round.with(|r| r.closing.as_ref().and_then(|c| c.summary.clone())));
    let error = Signal::stored(post.error.clone());
    let consent_error = post.field("consent");
    move || match summary.get() {
        Some(link) => EitherOf3::A(view! {
            <section class="card">
                <p data-testid="summary-link"><strong>{td_string!(locale, rounds.summary_published)}": "</strong>
                    <a href=format!("/a/{}", link.id)>{link.title}</a></p>
            </section>
        }),
        None if is_bringer && has_case => {
            let template =
                post.kept("summary").unwrap_or_else(|| td_string!(locale, rounds.summary_template).to_string());
            EitherOf3::B(view! {
                <section class="card" aria-labelledby="summary-title" data-testid="summary">
                    <h2 id="summary-title">{td_string!(locale, rounds.summary_title)}</h2>
                    <p class="muted small">{td_string!(locale, rounds.summary_hint)}</p>
                    <form method="post" action=PublishRoundSummary::url() class="form" novalidate>
                        <input type="hidden" name="round_id" value=round_id.to_string()/>
                        <Field name="summary_title" label=td_string!(locale, rounds.summary_title_label).to_string() required=true
                            value=post.kept("summary_title").unwrap_or_default() error/>
                        <Field name="summary" label=td_string!(locale, rounds.summary_label).to_string() rows=6 required=true
                            value=template error/>
                        <div class="field" class:field--invalid=consent_error.is_some()>
                            {consent_error.map(|key| view! { <p class="field__error">{error_key_text(locale, key)}</p> })}
                            <span class="choice">
                                <input type="checkbox" id="consent" name="consent" value="on"/>
                                <label for="consent">{td_string!(locale, rounds.summary_consent)}</label>
                            </span>
                        </div>
                        <button type="submit" class="button button--primary">{td_string!(locale, rounds.summary_submit)}</button>
                    </form>
                </section>
            })
        }
        None => EitherOf3::C(()),
    }
}

/// The community's follow-up history, on the community page.
#[component]
pub fn FollowUps(actions: Vec<ActionRow>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    view! {
        <h3>{td_string!(locale, rounds.follow_ups_title)}</h3>
        {if actions.is_empty() {
            view! { <p class="muted">{td_string!(locale, rounds.follow_ups_none)}</p> }.into_any()
        } else {
            view! {
                <ul class="plain-list stack" data-testid="follow-ups">
                    {actions.into_iter().map(|action| view! { <ActionItem action/> }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}
