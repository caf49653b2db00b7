//! Pages of intervision: the community's cases and rounds, planning a round, and the
//! live round. The round screen is an island: it follows the server over SSE and
//! counts down from the server's timestamps. Every action on it is a form: with the
//! island awake a server-function call that updates the screen in place, without
//! JavaScript a plain post (the page then shows the state at load).

use leptos::either::{Either, EitherOf4};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use uuid::Uuid;

use super::api::{
    AnswerQuestion, ChooseAdvice, Contribute, ContributionRow, PlanRound, RateQuestion, RoundCommand, RoundRow,
    RoundView, SaveRoundNotes, SetRoundPresence, TakeOverRound, get_round, get_round_planning,
};
use super::domain::Status;
use super::plan::{RoundRole, Warmth, may_write, takes_choice, takes_warmth};
use crate::error::AppError;
use crate::i18n::*;
use crate::intervision::card::IntervisionCard;
use crate::intervision::case::api::{CaseList, SetCaseKeeping, SetCaseOpen, SubmitCase, VoteForCase};
use crate::intervision::case::domain::{CaseKeeping, CaseStatus};
use crate::intervision::closing::api::{
    AddRoundAction, EvaluateRound, PublishRoundSummary, RemoveRoundAction, ReportAction,
};
use crate::intervision::closing::views::{FollowUps, LookBack, PostResult, RoundClosingView};
use crate::intervision::method::domain::{Collects, Presence, Speaker};
use crate::ui::loaded;
use crate::ui::{
    ErrorAlert, Field, Loading, NotFound, action_error, date_text, error_key_text, error_text, kept_input, language_of,
    load_or_not_found, signed_in, text, uuid_param,
};

/// The intervision card on the community page: the rounds, the open cases, and a
/// form to bring a case.
#[component]
pub fn CommunityIntervision(
    community_id: Uuid,
    facilitator: bool,
    card: IntervisionCard,
    submit: ServerAction<SubmitCase>,
) -> impl IntoView {
    let i18n = use_i18n();
    let IntervisionCard { cases, rounds, follow_ups } = card;
    let submit_error = action_error(submit);
    let follow_up_errors =
        [action_error(ServerAction::<ReportAction>::new()), action_error(ServerAction::<RemoveRoundAction>::new())];
    let follow_up_error = Signal::derive(move || follow_up_errors.iter().find_map(|e| e.get()));
    view! {
        <section class="card" aria-labelledby="intervision-title">
            <div class="card__head">
                <h2 id="intervision-title">{t!(i18n, rounds.title)}</h2>
                <div class="inline-actions">
                    <a class="button button--small" href="/methods">{t!(i18n, methods.title)}</a>
                    {facilitator.then(|| view! {
                        <a class="button button--small button--primary" href=format!("/c/{community_id}/rounds/new")>{t!(i18n, rounds.plan)}</a>
                    })}
                </div>
            </div>
            <RoundList rounds/>
            <ErrorAlert error=follow_up_error/>
            <FollowUps actions=follow_ups/>
            <CaseListView cases/>
            <details class="disclosure" open=move || submit_error.get().is_some()>
                <summary>{t!(i18n, rounds.bring_case)}</summary>
                <p class="muted small">{t!(i18n, rounds.case_privacy)}</p>
                <ErrorAlert error=submit_error/>
                <ActionForm action=submit attr:class="form" attr:novalidate=true>
                    <input type="hidden" name="community_id" value=community_id.to_string()/>
                    <Field name="title" label=text(move || t_string!(i18n, rounds.case_title)) required=true error=submit_error/>
                    <Field name="situation" label=text(move || t_string!(i18n, rounds.case_situation)) rows=5 required=true error=submit_error/>
                    <Field name="question" label=text(move || t_string!(i18n, rounds.case_question)) rows=2 required=true error=submit_error/>
                    <button type="submit" class="button button--primary">{t!(i18n, rounds.submit_case)}</button>
                </ActionForm>
            </details>
        </section>
    }
}

#[component]
fn RoundList(rounds: Vec<RoundRow>) -> impl IntoView {
    let i18n = use_i18n();
    if rounds.is_empty() {
        return view! { <p class="muted">{t!(i18n, rounds.none)}</p> }.into_any();
    }
    view! {
        <ul class="plain-list stack" data-testid="rounds">
            {rounds.into_iter().map(|round| {
                let method = round.method_name.clone();
                let label = move || method.get(language_of(i18n.get_locale())).to_string();
                let status = round.status;
                view! {
                    <li class="round-row">
                        {if round.took_part {
                            view! { <a href=format!("/r/{}", round.id)>{label}</a> }.into_any()
                        } else {
                            view! { <span>{label}</span> }.into_any()
                        }}
                        {round.case_title.clone().map(|title| view! { " · "{title} })}
                        <span class="muted">" · "{date_text(round.created_at)}" · "{t!(i18n, rounds.people, count = round.people)}</span>
                        " "<span class="badge">{move || status_text(i18n.get_locale(), status)}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn CaseListView(cases: CaseList) -> impl IntoView {
    let i18n = use_i18n();
    let keeping = cases.keeping;
    let open = cases.cases;
    let voting = open.iter().filter(|c| c.status == CaseStatus::Open).count() > 1;
    view! {
        <h3>{t!(i18n, rounds.open_cases)}</h3>
        <p class="muted small">{move || keeping_text(i18n.get_locale(), keeping)}</p>
        {voting.then(|| view! { <p class="muted small">{t!(i18n, rounds.vote_hint)}</p> })}
        {if open.is_empty() {
            view! { <p class="muted">{t!(i18n, rounds.no_cases)}</p> }.into_any()
        } else {
            view! {
                <ul class="plain-list stack" data-testid="cases">
                    {open.into_iter().map(|case| {
                        let withdrawn = case.status == CaseStatus::Withdrawn;
                        let votes = case.votes;
                        view! {
                            <li class="case-row">
                                <details class="disclosure">
                                    <summary>
                                        {case.title.clone()}
                                        {case.author.clone().map(|a| view! { <span class="muted">" · "{a}</span> })}
                                        {withdrawn.then(|| view! { " "<span class="badge">{t!(i18n, rounds.withdrawn)}</span> })}
                                        {(votes > 0).then(|| view! { " "<span class="badge" data-testid="votes">{t!(i18n, rounds.votes, count = votes)}</span> })}
                                    </summary>
                                    {case.situation.clone().map(|situation| view! { <p class="prewrap">{situation}</p> })}
                                    <p><strong>{t!(i18n, rounds.case_question)}": "</strong>{case.question.clone()}</p>
                                    <p class="muted small">{t!(i18n, rounds.case_expires)}" "{date_text(case.expires_at)}</p>
                                    {case.mine.then(|| view! {
                                        <form method="post" action=SetCaseOpen::url() class="inline-form">
                                            <input type="hidden" name="case_id" value=case.id.to_string()/>
                                            <input type="hidden" name="open" value=withdrawn.to_string()/>
                                            <button type="submit" class="button button--small">
                                                {if withdrawn { t!(i18n, rounds.put_back).into_any() } else { t!(i18n, rounds.withdraw).into_any() }}
                                            </button>
                                        </form>
                                    })}
                                </details>
                                {(!withdrawn).then(|| view! {
                                    <form method="post" action=VoteForCase::url() class="inline-form">
                                        <input type="hidden" name="case_id" value=case.id.to_string()/>
                                        <input type="hidden" name="vote" value=(!case.my_vote).to_string()/>
                                        <button type="submit" class="button button--small" aria-pressed=case.my_vote.to_string()>
                                            {if case.my_vote { t!(i18n, rounds.unvote).into_any() } else { t!(i18n, rounds.vote).into_any() }}
                                        </button>
                                    </form>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

pub(crate) fn keeping_text(locale: Locale, keeping: CaseKeeping) -> &'static str {
    match keeping {
        CaseKeeping::SchoolYear => td_string!(locale, rounds.keeping_school_year),
        CaseKeeping::SixMonths => td_string!(locale, rounds.keeping_months_6),
        CaseKeeping::ThreeMonths => td_string!(locale, rounds.keeping_months_3),
        CaseKeeping::OneMonth => td_string!(locale, rounds.keeping_months_1),
    }
}

pub(crate) fn keeping_option(locale: Locale, keeping: CaseKeeping) -> &'static str {
    match keeping {
        CaseKeeping::SchoolYear => td_string!(locale, rounds.keep_school_year),
        CaseKeeping::SixMonths => td_string!(locale, rounds.keep_months_6),
        CaseKeeping::ThreeMonths => td_string!(locale, rounds.keep_months_3),
        CaseKeeping::OneMonth => td_string!(locale, rounds.keep_months_1),
    }
}

/// The facilitator's setting on the community's edit page: how long case text stays.
#[component]
pub fn CaseKeepingCard(community_id: Uuid, keeping: CaseKeeping) -> impl IntoView {
    let i18n = use_i18n();
    let set = ServerAction::<SetCaseKeeping>::new();
    let error = action_error(set);
    // A refused save (confirmation missing) keeps the choice, with JavaScript on or off.
    let chosen = RwSignal::new(kept_input("keeping").and_then(|k| CaseKeeping::parse(&k).ok()).unwrap_or(keeping));
    view! {
        <section class="card narrow-wide" aria-labelledby="keeping-title">
            <h2 id="keeping-title">{t!(i18n, rounds.keeping_title)}</h2>
            <p class="muted">{t!(i18n, rounds.keeping_hint)}</p>
            <ErrorAlert error=error/>
            <ActionForm action=set attr:class="form" attr:novalidate=true>
                <input type="hidden" name="community_id" value=community_id.to_string()/>
                <div class="field">
                    <label class="field__label" for="field-keeping">{t!(i18n, rounds.keeping_label)}</label>
                    <select
                        class="field__input"
                        id="field-keeping"
                        name="keeping"
                        on:change=move |ev| {
                            if let Ok(k) = CaseKeeping::parse(&event_target_value(&ev)) {
                                chosen.set(k);
                            }
                        }
                    >
                        {CaseKeeping::ALL.iter().map(|&k| view! {
                            <option value=k.as_str() selected=move || chosen.get() == k>{move || keeping_option(i18n.get_locale(), k)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field field--check" class:field--invalid=move || error.get().and_then(|e| e.field_error("confirm")).is_some()>
                    {move || error.get().and_then(|e| e.field_error("confirm")).map(|key| view! {
                        <p class="field__error" id="field-confirm-error">{move || crate::ui::error_key_text(i18n.get_locale(), key)}</p>
                    })}
                    <input type="checkbox" id="field-confirm" name="confirm" value="on"/>
                    <label for="field-confirm">{t!(i18n, rounds.keeping_confirm)}</label>
                </div>
                <button type="submit" class="button button--primary">{t!(i18n, rounds.keeping_save)}</button>
            </ActionForm>
        </section>
    }
}

fn status_text(locale: Locale, status: Status) -> &'static str {
    match status {
        Status::Waiting => td_string!(locale, rounds.status_waiting),
        Status::Running => td_string!(locale, rounds.status_running),
        Status::Paused => td_string!(locale, rounds.status_paused),
        Status::Ended => td_string!(locale, rounds.status_ended),
    }
}

fn role_text(locale: Locale, role: RoundRole) -> &'static str {
    match role {
        RoundRole::Lead => td_string!(locale, rounds.role_lead),
        RoundRole::CaseBringer => td_string!(locale, rounds.role_case_bringer),
        RoundRole::Timekeeper => td_string!(locale, rounds.role_timekeeper),
        RoundRole::NoteTaker => td_string!(locale, rounds.role_note_taker),
        RoundRole::Participant => td_string!(locale, rounds.role_participant),
    }
}

pub(crate) fn speaker_text(locale: Locale, speaker: Speaker) -> &'static str {
    match speaker {
        Speaker::CaseBringer => td_string!(locale, rounds.speaks_case_bringer),
        Speaker::Group => td_string!(locale, rounds.speaks_group),
        Speaker::EachInTurn => td_string!(locale, rounds.speaks_each),
        Speaker::Lead => td_string!(locale, rounds.speaks_lead),
        Speaker::Everyone => td_string!(locale, rounds.speaks_everyone),
    }
}

pub(crate) fn presence_text(locale: Locale, presence: Presence) -> &'static str {
    match presence {
        Presence::Present => td_string!(locale, rounds.bringer_present),
        Presence::Listening => td_string!(locale, rounds.bringer_listening),
        Presence::Away => td_string!(locale, rounds.bringer_away),
    }
}

pub(crate) fn collects_text(locale: Locale, collects: Collects) -> &'static str {
    match collects {
        Collects::Nothing => "",
        Collects::Questions => td_string!(locale, rounds.collects_questions),
        Collects::Hypotheses => td_string!(locale, rounds.collects_hypotheses),
        Collects::Positions => td_string!(locale, rounds.collects_positions),
        Collects::Associations => td_string!(locale, rounds.collects_associations),
        Collects::Advice => td_string!(locale, rounds.collects_advice),
        Collects::Reflections => td_string!(locale, rounds.collects_reflections),
    }
}

/// `m:ss`, with a minus sign when over time.
pub fn clock(ms: i64) -> String {
    let sign = if ms < 0 { "−" } else { "" };
    let seconds = (ms.abs() + 999) / 1000;
    format!("{sign}{}:{:02}", seconds / 60, seconds % 60)
}

/// `/c/:id/rounds/new`: a facilitator plans a round.
#[component]
pub fn PlanRoundPage() -> impl IntoView {
    let i18n = use_i18n();
    let community_id = uuid_param("id");
    let plan = ServerAction::<PlanRound>::new();
    let error = action_error(plan);
    let planning = Resource::new(community_id, |id| load_or_not_found(id, get_round_planning));
    signed_in(move |_| {
        view! {
            <Title text=t_string!(i18n, rounds.plan)/>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    let planning = match planning.await {
                        Ok(planning) => planning,
                        Err(AppError::NotFound) => return view! { <NotFound/> }.into_any(),
                        Err(error) => return view! { <ErrorAlert error=Signal::stored(Some(error))/> }.into_any(),
                    };
                    let language = language_of(i18n.get_locale_untracked());
                    let first = planning.cases.first().cloned();
                    let person_options = move |selected: Option<Uuid>, optional: bool| {
                        let members = planning.members.clone();
                        view! {
                            {optional.then(|| view! { <option value="">{t!(i18n, rounds.nobody)}</option> })}
                            {members.into_iter().map(|m| view! {
                                <option value=m.id.to_string() selected=selected == Some(m.id)>{m.name}</option>
                            }).collect_view()}
                        }
                    };
                    let suggestion = move |pick: fn(&super::api::PlannableCase) -> Option<Uuid>| first.as_ref().and_then(pick);
                    let mut methods = planning.methods.clone();
                    methods.sort_by_key(|m| !m.suggested);
                    view! {
                        <section class="card narrow-wide">
                            <h1>{t!(i18n, rounds.plan)}</h1>
                            <p class="muted">{planning.community_name.clone()}</p>
                            {if planning.cases.is_empty() {
                                view! {
                                    <p>{t!(i18n, rounds.no_cases)}</p>
                                    <p><a class="button" href=format!("/c/{}", planning.community_id)>{t!(i18n, rounds.back_to_community)}</a></p>
                                }.into_any()
                            } else {
                                view! {
                                    <ErrorAlert error=error/>
                                    <ActionForm action=plan attr:class="form" attr:novalidate=true>
                                        <input type="hidden" name="community_id" value=planning.community_id.to_string()/>
                                        <div class="field">
                                            <label class="field__label" for="case_id">{t!(i18n, rounds.case)}</label>
                                            <select class="field__input" id="case_id" name="case_id">
                                                {planning.cases.iter().map(|c| view! {
                                                    <option value=c.id.to_string()>
                                                        {c.title.clone()}{c.author.clone().map(|a| format!(" ({a})"))}
                                                        {(c.votes > 0).then(|| view! { " · "{t!(i18n, rounds.votes, count = c.votes)} })}
                                                    </option>
                                                }).collect_view()}
                                            </select>
                                        </div>
                                        <fieldset class="field">
                                            <legend class="field__label">{t!(i18n, rounds.method)}</legend>
                                            <p class="field__hint">{t!(i18n, rounds.method_hint, count = planning.rounds_held)}" "<a href="/methods">{t!(i18n, methods.library_link)}</a></p>
                                            {methods.iter().enumerate().map(|(i, option)| {
                                                let m = &option.method;
                                                view! {
                                                    <div class="choice">
                                                        <input type="radio" name="method_key" id=format!("method-{}", option.id) value=option.id.clone() checked=i == 0/>
                                                        <label for=format!("method-{}", option.id)>
                                                            <strong>{m.name.get(language).to_string()}</strong>
                                                            {option.adapted.then(|| view! { " "<span class="badge">{t!(i18n, methods.adapted)}</span> })}
                                                            " · "{t!(i18n, rounds.minutes, count = m.total_minutes())}
                                                            {option.suggested.then(|| view! { " "<span class="badge badge--success">{t!(i18n, rounds.suggested)}</span> })}
                                                            <span class="choice__hint">{m.description.get(language).to_string()}" "{m.when_to_use.get(language).to_string()}</span>
                                                        </label>
                                                    </div>
                                                }
                                            }).collect_view()}
                                        </fieldset>
                                        <p class="muted small">{t!(i18n, rounds.roles_hint)}</p>
                                        <div class="field">
                                            <label class="field__label" for="lead_id">{t!(i18n, rounds.role_lead)}</label>
                                            <select class="field__input" id="lead_id" name="lead_id">{person_options(suggestion(|c| c.suggested_lead), false)}</select>
                                        </div>
                                        <div class="field">
                                            <label class="field__label" for="timekeeper_id">{t!(i18n, rounds.role_timekeeper)}</label>
                                            <select class="field__input" id="timekeeper_id" name="timekeeper_id">{person_options(suggestion(|c| c.suggested_timekeeper), true)}</select>
                                        </div>
                                        <div class="field">
                                            <label class="field__label" for="note_taker_id">{t!(i18n, rounds.role_note_taker)}</label>
                                            <select class="field__input" id="note_taker_id" name="note_taker_id">{person_options(suggestion(|c| c.suggested_note_taker), true)}</select>
                                        </div>
                                        <button type="submit" class="button button--primary">{t!(i18n, rounds.plan_submit)}</button>
                                    </ActionForm>
                                }.into_any()
                            }}
                        </section>
                    }.into_any()
                })}
            </Suspense>
        }
    })
}

/// `/r/:round_id`: the round, for those taking part. `?presentation=1` shows the
/// phase and the countdown in large type for a projector.
#[component]
pub fn RoundPageView() -> impl IntoView {
    let i18n = use_i18n();
    let round_id = uuid_param("round_id");
    let presentation =
        leptos_router::hooks::use_query_map().with_untracked(|q| q.get("presentation").is_some_and(|v| v == "1"));
    // Errors of the plain form posts on the screen come back here.
    let errors = [
        action_error(ServerAction::<RoundCommand>::new()),
        action_error(ServerAction::<Contribute>::new()),
        action_error(ServerAction::<RateQuestion>::new()),
        action_error(ServerAction::<AnswerQuestion>::new()),
        action_error(ServerAction::<ChooseAdvice>::new()),
        action_error(ServerAction::<SetRoundPresence>::new()),
        action_error(ServerAction::<TakeOverRound>::new()),
        action_error(ServerAction::<SaveRoundNotes>::new()),
        action_error(ServerAction::<AddRoundAction>::new()),
        action_error(ServerAction::<RemoveRoundAction>::new()),
        action_error(ServerAction::<ReportAction>::new()),
        action_error(ServerAction::<EvaluateRound>::new()),
        action_error(ServerAction::<PublishRoundSummary>::new()),
    ];
    let error = Signal::derive(move || errors.iter().find_map(|e| e.get()));
    let round = Resource::new(round_id, |id| load_or_not_found(id, get_round));
    signed_in(move |_| {
        view! {
            <Title text=t_string!(i18n, rounds.round)/>
            {loaded(round, move |initial| Some({
                let post = PostResult::current(error.get_untracked());
                view! {
                    <ErrorAlert error=error/>
                    <RoundScreen initial presentation post/>
                }.into_any()
            }))}
        }
    })
}

/// The viewer's own actions on the round screen. With the island awake each form is
/// a server-function call: the screen shows that it is being sent, takes the new state
/// in place, and says why a step was refused. Without JavaScript the same forms post.
#[derive(Clone, Copy)]
struct Acts {
    command: ServerAction<RoundCommand>,
    take_over: ServerAction<TakeOverRound>,
    notes: ServerAction<SaveRoundNotes>,
    contribute: ServerAction<Contribute>,
    rate: ServerAction<RateQuestion>,
    answer: ServerAction<AnswerQuestion>,
    choose: ServerAction<ChooseAdvice>,
    presence: ServerAction<SetRoundPresence>,
    /// Why the last action was refused, until the next one succeeds.
    refusal: RwSignal<Option<AppError>>,
    /// The last action that needs no new state to show was done (notes saved).
    done: RwSignal<bool>,
}

impl Acts {
    fn new(round: RwSignal<RoundView>) -> Self {
        let acts = Acts {
            command: ServerAction::new(),
            take_over: ServerAction::new(),
            notes: ServerAction::new(),
            contribute: ServerAction::new(),
            rate: ServerAction::new(),
            answer: ServerAction::new(),
            choose: ServerAction::new(),
            presence: ServerAction::new(),
            refusal: RwSignal::new(None),
            done: RwSignal::new(false),
        };
        let take = move |view: RoundView| take_view(round, view);
        on_result(acts.command, acts.refusal, take);
        on_result(acts.take_over, acts.refusal, take);
        on_result(acts.notes, acts.refusal, move |()| acts.done.set(true));
        // The rest changes the round for everyone: the new state arrives on the live
        // connection like everyone else's.
        on_result(acts.contribute, acts.refusal, |_| {});
        on_result(acts.rate, acts.refusal, |()| {});
        on_result(acts.answer, acts.refusal, |()| {});
        on_result(acts.choose, acts.refusal, |()| {});
        on_result(acts.presence, acts.refusal, |()| {});
        acts
    }

    fn sending(self) -> bool {
        self.command.pending().get()
            || self.take_over.pending().get()
            || self.notes.pending().get()
            || self.contribute.pending().get()
            || self.rate.pending().get()
            || self.answer.pending().get()
            || self.choose.pending().get()
            || self.presence.pending().get()
    }
}

/// Takes a view of the round unless it is older than the one shown, or shows nothing
/// new (the clock aside): then nothing on the screen re-renders, so an open "next
/// phase?" question or a half-typed answer stays as it is.
fn take_view(round: RwSignal<RoundView>, view: RoundView) {
    let (older, same) = round.with_untracked(|shown| {
        let same = RoundView { server_now_ms: view.server_now_ms, remaining_ms: view.remaining_ms, ..shown.clone() };
        (view.version < shown.version, same == view)
    });
    if !older && !same {
        round.set(view);
    }
}

/// Runs `ok` with each successful result of `action`; keeps its refusal otherwise.
fn on_result<S>(action: ServerAction<S>, refusal: RwSignal<Option<AppError>>, ok: impl Fn(S::Output) + 'static)
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| match action.value().get() {
        Some(Ok(output)) => {
            refusal.set(None);
            ok(output);
        }
        Some(Err(err)) => refusal.set(Some(err)),
        None => {}
    });
}

/// A refusal in words: the field's problem where there is one.
fn refusal_text(locale: Locale, error: &AppError) -> String {
    match error {
        AppError::Invalid(fields) => fields
            .first()
            .map(|f| error_key_text(locale, f.message).to_string())
            .unwrap_or_else(|| error_text(locale, error)),
        _ => error_text(locale, error),
    }
}

/// The live round. On the server it renders the state at load; in the browser it
/// follows `/r/{id}/events` and counts down.
#[island]
fn RoundScreen(initial: RoundView, presentation: bool, post: PostResult) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let round_id = initial.id;
    // Server time minus this device's time, so every screen counts to the same deadline.
    let offset = RwSignal::new(0i64);
    let now_ms = RwSignal::new(initial.server_now_ms);
    let live = RwSignal::new(false);
    // Set once the island runs in the browser: controls that need JavaScript show then.
    let awake = RwSignal::new(false);
    let round = RwSignal::new(initial);
    let acts = Acts::new(round);
    #[cfg(feature = "hydrate")]
    {
        follow(round, offset, now_ms, live);
        Effect::new(move |_| awake.set(true));
    }
    let _ = (offset, live);

    let language = language_of(locale);
    let phase_count = move || round.with(|r| r.method.phases.len());
    let current = Memo::new(move |_| round.with(|r| (r.status, r.phase, r.version)));
    let phase = move || round.with(|r| r.method.phases.get(r.phase).cloned());
    let remaining = move || {
        round.with(|r| match (r.status, r.deadline_ms) {
            (Status::Running, Some(deadline)) => deadline - now_ms.get(),
            _ => r.remaining_ms,
        })
    };
    let over_time = move || remaining() < 0 && current.get().0 == Status::Running;
    // The lead can change during the round (someone takes over).
    let my_role = Memo::new(move |_| round.with(|r| r.my_role));
    let is_bringer = round.with_untracked(|r| r.my_role == RoundRole::CaseBringer);
    let takes_notes = round.with_untracked(|r| r.my_role == RoundRole::NoteTaker);
    let can_write = Memo::new(move |_| {
        round.with(|r| {
            matches!(r.status, Status::Running | Status::Paused)
                && r.method.phases.get(r.phase).is_some_and(|p| may_write(p, r.my_role))
        })
    });
    let body = NodeRef::<leptos::html::Textarea>::new();
    Effect::new(move |_| {
        if matches!(acts.contribute.value().get(), Some(Ok(_)))
            && let Some(area) = body.get_untracked()
        {
            area.set_value("");
        }
    });

    let phase_block = move || {
        let (status, index, _) = current.get();
        let Some(p) = phase() else { return Either::Left(()) };
        let lang = language;
        Either::Right(view! {
            <p class="round__step">
                {td_string!(locale, rounds.phase_of, n = index + 1, total = phase_count()).to_string()}
                " · "<span class="badge" data-testid="round-status">{status_text(locale, status)}</span>
            </p>
            <h1 class="round__title" data-testid="phase-title">{p.title.get(lang).to_string()}</h1>
            <p class="round__instruction">{p.instruction.get(lang).to_string()}</p>
            <p class="muted round__speaks">
                {td_string!(locale, rounds.speaks)}": "{speaker_text(locale, p.speaks)}" · "
                {presence_text(locale, p.case_bringer)}
                {(p.collects != Collects::Nothing).then(|| view! { " · "{collects_text(locale, p.collects)} })}
            </p>
        })
    };
    let feedback = move || {
        if acts.sending() {
            return Some((false, td_string!(locale, rounds.sending).to_string()));
        }
        acts.refusal.with(|refusal| refusal.as_ref().map(|e| (true, refusal_text(locale, e))))
    };

    view! {
        <div class="round" class:round--presentation=presentation data-testid="round" data-version=move || round.with(|r| r.version)
            data-live=move || live.get().then_some("true")>
            <p class="muted round__context">
                {round.with_untracked(|r| r.community_name.clone())}" · "
                {move || round.with(|r| r.method.name.get(language).to_string())}
                {move || (presentation && awake.get()).then(|| view! { " · "<FullScreenButton/> })}
            </p>
            <section class="round__phase" aria-live="polite">
                {phase_block}
                <p class="round__clock" class:round__clock--over=over_time role="timer" data-testid="countdown"
                    aria-label=td_string!(locale, rounds.time_left)>
                    {move || clock(remaining())}
                </p>
            </section>
            {(!presentation).then(|| view! {
                <p class="round__feedback" class:round__feedback--refused=move || feedback().is_some_and(|(refused, _)| refused)
                    role="status" data-testid="round-feedback">
                    {move || feedback().map(|(_, text)| text)}
                </p>
                <TakeOver round acts/>
                {move || match my_role.get() {
                    RoundRole::Lead | RoundRole::Timekeeper => Some(view! { <LeadControls round acts remaining=Signal::derive(remaining)/> }),
                    _ => None,
                }}
                <LookBack round/>
                <RoundClosingView round post=post.clone()/>
                <CaseCard round/>
                {move || can_write.get().then(|| view! {
                    <ActionForm action=acts.contribute attr:class="form round__write">
                        <input type="hidden" name="round_id" value=round_id.to_string()/>
                        <div class="field">
                            <label class="field__label" for="contribution">{td_string!(locale, rounds.write)}</label>
                            <textarea class="field__input field__input--area" id="contribution" name="body" rows=3 maxlength=1000 required
                                node_ref=body></textarea>
                        </div>
                        <button type="submit" class="button button--primary" disabled=move || acts.contribute.pending().get()>
                            {td_string!(locale, rounds.add)}
                        </button>
                    </ActionForm>
                })}
                {takes_notes.then(|| view! { <NotesForm round acts post=post.clone()/> })}
                {(is_bringer).then(|| view! { <NotesForBringer round/> })}
            })}
            <Contributions round is_bringer presentation acts/>
            {(!presentation).then(|| view! {
                <People round acts/>
                <p>
                    <a href=format!("/r/{round_id}?presentation=1") target="_blank" rel="noopener">{td_string!(locale, rounds.presentation)}</a>
                    " · "
                    <a href=move || format!("/c/{}", round.with(|r| r.community_id))>{td_string!(locale, rounds.back_to_community)}</a>
                </p>
            })}
        </div>
    }
}

/// Fills the screen with the round (a projector, a classroom screen); again to leave.
#[component]
fn FullScreenButton() -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let toggle = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let document = document();
            if document.fullscreen_element().is_some() {
                document.exit_fullscreen();
            } else if let Some(page) = document.document_element() {
                let _ = page.request_fullscreen();
            }
        }
    };
    view! {
        <button type="button" class="button button--small" data-testid="full-screen" on:click=toggle>
            {td_string!(locale, rounds.full_screen)}
        </button>
    }
}

/// Says that the round lead's screen is gone, and lets a facilitator (or the
/// timekeeper, where the method allows) take over; who took over from whom.
#[component]
fn TakeOver(round: RwSignal<RoundView>, acts: Acts) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let round_id = round.with_untracked(|r| r.id);
    let away = Memo::new(move |_| {
        round.with(|r| {
            let lead = r.participants.iter().find(|p| p.role == RoundRole::Lead).map(|p| p.name.clone());
            (r.lead_away, r.can_take_over, lead.unwrap_or_default())
        })
    });
    let changes = Memo::new(move |_| round.with(|r| r.lead_changes.clone()));
    view! {
        {move || {
            let (lead_away, can_take_over, lead) = away.get();
            (lead_away || can_take_over).then(|| view! {
                <section class="card round__takeover" data-testid="takeover" aria-labelledby="takeover-title">
                    <h2 id="takeover-title">{td_string!(locale, rounds.lead_away_title)}</h2>
                    <p>{if lead_away {
                        td_string!(locale, rounds.lead_away, name = lead).to_string()
                    } else {
                        td_string!(locale, rounds.lead_not_here, name = lead).to_string()
                    }}</p>
                    {if can_take_over {
                        Either::Left(view! {
                            <ActionForm action=acts.take_over attr:class="inline-form">
                                <input type="hidden" name="round_id" value=round_id.to_string()/>
                                <button type="submit" class="button button--primary" data-command="take-over"
                                    disabled=move || acts.take_over.pending().get()>{td_string!(locale, rounds.take_over)}</button>
                            </ActionForm>
                        })
                    } else {
                        Either::Right(view! { <p class="muted small">{td_string!(locale, rounds.take_over_who)}</p> })
                    }}
                </section>
            })
        }}
        {move || {
            let changes = changes.get();
            (!changes.is_empty()).then(|| view! {
                <ul class="plain-list muted small" data-testid="lead-changes">
                    {changes.into_iter().map(|c| view! {
                        <li>{td_string!(locale, rounds.took_over, to = c.to.unwrap_or_default(), from = c.from.unwrap_or_default()).to_string()}</li>
                    }).collect_view()}
                </ul>
            })
        }}
    }
}

/// The note taker's notes: saved for the case bringer, who gets them after the round.
/// Rendered once, so a live update never wipes what the note taker is typing.
#[component]
fn NotesForm(round: RwSignal<RoundView>, acts: Acts, post: PostResult) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let (round_id, saved) = round.with_untracked(|r| (r.id, r.notes.clone().unwrap_or_default()));
    let notes = post.kept("notes").unwrap_or(saved);
    let saved_note =
        move || (acts.done.get() && !acts.notes.pending().get()).then(|| td_string!(locale, rounds.notes_saved));
    view! {
        <section class="card" aria-labelledby="notes-title">
            <h2 id="notes-title">{td_string!(locale, rounds.notes_title)}</h2>
            <ActionForm action=acts.notes attr:class="form">
                <input type="hidden" name="round_id" value=round_id.to_string()/>
                <div class="field">
                    <label class="field__label" for="round-notes">{td_string!(locale, rounds.notes_label)}</label>
                    <p class="field__hint" id="round-notes-hint">{td_string!(locale, rounds.notes_hint)}</p>
                    <textarea class="field__input field__input--area" id="round-notes" name="notes" rows=6 maxlength=5000
                        aria-describedby="round-notes-hint" on:input=move |_| acts.done.set(false)>{notes}</textarea>
                </div>
                <button type="submit" class="button" disabled=move || acts.notes.pending().get()>{td_string!(locale, rounds.notes_save)}</button>
                " "<span class="muted small" data-testid="notes-saved">{saved_note}</span>
            </ActionForm>
        </section>
    }
}

/// After the round, the case bringer reads what the note taker wrote down for them.
#[component]
fn NotesForBringer(round: RwSignal<RoundView>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let notes = Memo::new(move |_| round.with(|r| r.notes.clone()));
    move || {
        notes.get().map(|notes| {
            view! {
                <section class="card" aria-labelledby="notes-title" data-testid="notes-for-bringer">
                    <h2 id="notes-title">{td_string!(locale, rounds.notes_for_you)}</h2>
                    <p class="prewrap">{notes}</p>
                </section>
            }
        })
    }
}

/// Opens the live connection: every event is the whole view (the method only in the
/// first of a connection: the screen keeps it), newest version wins.
#[cfg(feature = "hydrate")]
fn follow(round: RwSignal<RoundView>, offset: RwSignal<i64>, now_ms: RwSignal<i64>, live: RwSignal<bool>) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    let local_now = || js_sys::Date::now() as i64;
    let first = round.get_untracked().server_now_ms;
    offset.set(first - local_now());
    let id = round.get_untracked().id;
    let Ok(source) = web_sys::EventSource::new(&format!("/r/{id}/events")) else { return };
    let on_round = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
        let Some(data) = event.data().as_string() else { return };
        let Ok(mut view) = serde_json::from_str::<RoundView>(&data) else { return };
        round.with_untracked(|shown| view.keep_method_of(shown));
        offset.set(view.server_now_ms - local_now());
        take_view(round, view);
        live.set(true);
    });
    let _ = source.add_event_listener_with_callback("round", on_round.as_ref().unchecked_ref());
    on_round.forget();
    // A dropped connection is retried by the browser; a refused one (the session ended,
    // or access was lost) closes for good, and then the page reloads, which leads a
    // signed-out viewer to the login and takes the case off a shared screen.
    let watched = source.clone();
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        live.set(false);
        if watched.ready_state() == web_sys::EventSource::CLOSED {
            let _ = window().location().reload();
        }
    });
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    let tick = move || now_ms.set(local_now() + offset.get_untracked());
    tick();
    let _ = set_interval_with_handle(tick, std::time::Duration::from_millis(250));
}

/// The round lead's controls; the timekeeper gets the clock's (pause, resume, extend).
#[component]
fn LeadControls(round: RwSignal<RoundView>, acts: Acts, remaining: Signal<i64>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let id = round.with_untracked(|r| r.id);
    let sending = move || acts.command.pending().get();
    let button = move |command: &'static str, label: &'static str, primary: bool| {
        view! {
            <ActionForm action=acts.command attr:class="inline-form">
                <input type="hidden" name="round_id" value=id.to_string()/>
                <input type="hidden" name="version" value=move || round.with(|r| r.version.to_string())/>
                <input type="hidden" name="command" value=command/>
                <input type="hidden" name="confirmed" value="true"/>
                <button type="submit" class="button" class:button--primary=primary data-command=command disabled=sending>{label}</button>
            </ActionForm>
        }
    };
    let clock_controls = move |status: Status| {
        view! {
            {if status == Status::Paused {
                button("resume", td_string!(locale, rounds.resume), false)
            } else {
                button("pause", td_string!(locale, rounds.pause), false)
            }}
            <ActionForm action=acts.command attr:class="inline-form">
                <input type="hidden" name="round_id" value=id.to_string()/>
                <input type="hidden" name="version" value=move || round.with(|r| r.version.to_string())/>
                <input type="hidden" name="command" value="extend"/>
                <input type="hidden" name="minutes" value="2"/>
                <button type="submit" class="button" data-command="extend" disabled=sending>{td_string!(locale, rounds.extend)}</button>
            </ActionForm>
        }
    };
    // Re-rendered only when what the controls offer changes.
    let offered = Memo::new(move |_| {
        round.with(|r| {
            let hidden = r.method.phases.get(r.phase).is_some_and(|p| p.hidden_until_revealed);
            (
                r.status,
                r.phase,
                r.phase + 1 >= r.method.phases.len(),
                hidden,
                r.revealed.contains(&r.phase),
                r.can_undo,
                r.my_role,
            )
        })
    });
    // A question ("still time left: move on?") closes again at every change of the round,
    // however the controls are redrawn.
    let asked_again = move || {
        round.with(|r| r.version);
        false
    };
    let controls = move || {
        let (status, phase, last, hidden, revealed, can_undo, role) = offered.get();
        if status == Status::Ended {
            return EitherOf4::A(view! { <p class="muted">{td_string!(locale, rounds.ended_note)}</p> });
        }
        if role == RoundRole::Timekeeper {
            return EitherOf4::B(if status == Status::Waiting {
                Either::Left(view! { <p class="muted">{td_string!(locale, rounds.timekeeper_waiting)}</p> })
            } else {
                Either::Right(view! { <div class="button-row">{clock_controls(status)}</div> })
            });
        }
        if status == Status::Waiting {
            return EitherOf4::C(button("start", td_string!(locale, rounds.start), true));
        }
        let time_left = remaining.get_untracked() > 0;
        EitherOf4::D(view! {
            <div class="button-row">
                {(phase > 0).then(|| button("back", td_string!(locale, rounds.back), false))}
                {clock_controls(status)}
                {(hidden && !revealed).then(|| button("reveal", td_string!(locale, rounds.reveal), true))}
                {can_undo.then(|| button("undo", td_string!(locale, rounds.undo), false))}
                {(!last).then(|| if time_left {
                    Either::Left(view! {
                        <details class="confirm" prop:open=asked_again>
                            <summary class="button button--primary" data-command="advance">{td_string!(locale, rounds.next)}</summary>
                            <p>{td_string!(locale, rounds.next_confirm)}</p>
                            {button("advance", td_string!(locale, rounds.next_anyway), true)}
                        </details>
                    })
                } else {
                    Either::Right(button("advance", td_string!(locale, rounds.next), true))
                })}
                <details class="confirm" prop:open=asked_again>
                    <summary class="button" data-command="end">{td_string!(locale, rounds.end)}</summary>
                    <p>{td_string!(locale, rounds.end_confirm)}</p>
                    {button("end", td_string!(locale, rounds.end), false)}
                </details>
            </div>
        })
    };
    let title = move || {
        if round.with(|r| r.my_role) == RoundRole::Timekeeper {
            td_string!(locale, rounds.timekeeper_controls)
        } else {
            td_string!(locale, rounds.controls)
        }
    };
    view! {
        <section class="card round__controls" aria-label=title data-testid="round-controls">
            {controls}
        </section>
    }
}

#[component]
fn CaseCard(round: RwSignal<RoundView>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    move || match round.with(|r| r.case.clone()) {
        Some(case) => Either::Left(view! {
            <details class="card disclosure round__case" open=true>
                <summary><strong>{td_string!(locale, rounds.case)}": "{case.title}</strong></summary>
                <p class="prewrap">{case.situation}</p>
                <p><strong>{td_string!(locale, rounds.case_question)}": "</strong>{case.question}</p>
            </details>
        }),
        None => Either::Right(view! { <p class="muted">{td_string!(locale, rounds.case_expired)}</p> }),
    }
}

#[component]
fn Contributions(round: RwSignal<RoundView>, is_bringer: bool, presentation: bool, acts: Acts) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    move || {
        let r = round.get();
        let lang = language_of(locale);
        let mut phases: Vec<usize> =
            r.contributions.iter().map(|c| c.phase).chain(r.hidden.iter().map(|h| h.phase)).collect();
        phases.sort_unstable();
        phases.dedup();
        if presentation {
            phases.retain(|p| *p == r.phase);
        }
        phases.reverse();
        let status = r.status;
        view! {
            <section class="round__contributions" aria-labelledby="contributions-title">
                <h2 id="contributions-title" class="visually-hidden">{td_string!(locale, rounds.contributions)}</h2>
                {phases.into_iter().map(|index| {
                    let phase = r.method.phases.get(index).cloned();
                    let title = phase.as_ref().map(|p| p.title.get(lang).to_string()).unwrap_or_default();
                    let rows: Vec<ContributionRow> = r.contributions.iter().filter(|c| c.phase == index).cloned().collect();
                    let hidden = r.hidden.iter().find(|h| h.phase == index).map(|h| h.count).unwrap_or(0);
                    let warmth = phase.as_ref().is_some_and(takes_warmth) && is_bringer && status != Status::Waiting && !presentation;
                    let choice = phase.as_ref().is_some_and(takes_choice) && is_bringer && status != Status::Waiting && !presentation;
                    view! {
                        <section class="card" data-testid=format!("phase-{index}")>
                            <h3>{title}</h3>
                            {(hidden > 0).then(|| view! {
                                <p class="muted" data-testid="hidden-count">{td_string!(locale, rounds.hidden, count = hidden).to_string()}</p>
                            })}
                            <ul class="plain-list stack">
                                {rows.into_iter().map(|c| view! { <ContributionItem c warmth choice acts/> }).collect_view()}
                            </ul>
                        </section>
                    }
                }).collect_view()}
            </section>
        }
    }
}

#[component]
fn ContributionItem(c: ContributionRow, warmth: bool, choice: bool, acts: Acts) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let id = c.id.to_string();
    let warmth_form = warmth.then(|| {
        let (rate_id, answer_id, answer_for) = (id.clone(), id.clone(), format!("answer-{id}"));
        let (answer_label_for, answer) = (answer_for.clone(), c.answer.clone().unwrap_or_default());
        let current = c.warmth;
        view! {
            <ActionForm action=acts.rate attr:class="inline-form warmth">
                <input type="hidden" name="contribution_id" value=rate_id/>
                {[(Warmth::Warm, td_string!(locale, rounds.warm)), (Warmth::Neutral, td_string!(locale, rounds.neutral)), (Warmth::Cold, td_string!(locale, rounds.cold))]
                    .into_iter()
                    .map(|(w, label)| view! {
                        <button type="submit" name="warmth" value=w.as_str() class="button button--small"
                            aria-pressed=if current == Some(w) { "true" } else { "false" }>{label}</button>
                    })
                    .collect_view()}
            </ActionForm>
            <ActionForm action=acts.answer attr:class="inline-form">
                <input type="hidden" name="contribution_id" value=answer_id/>
                <label class="visually-hidden" for=answer_label_for>{td_string!(locale, rounds.answer)}</label>
                <input class="field__input field__input--small" id=answer_for name="answer" value=answer
                    placeholder=td_string!(locale, rounds.answer)/>
                <button type="submit" class="button button--small">{td_string!(locale, rounds.save_answer)}</button>
            </ActionForm>
        }
    });
    let choice_form = choice.then(|| {
        view! {
            <ActionForm action=acts.choose attr:class="inline-form">
                <input type="hidden" name="contribution_id" value=id.clone()/>
                <input type="hidden" name="chosen" value=(!c.chosen).to_string()/>
                <button type="submit" class="button button--small">
                    {if c.chosen { td_string!(locale, rounds.unchoose) } else { td_string!(locale, rounds.choose) }}
                </button>
            </ActionForm>
        }
    });
    let warmth_badge = c.warmth.map(|w| {
        let label = match w {
            Warmth::Warm => td_string!(locale, rounds.warm),
            Warmth::Neutral => td_string!(locale, rounds.neutral),
            Warmth::Cold => td_string!(locale, rounds.cold),
        };
        view! { " "<span class=format!("badge warmth--{}", w.as_str())>{label}</span> }
    });
    view! {
        <li class="contribution" class:contribution--chosen=c.chosen>
            <p class="prewrap">{c.body.clone()}</p>
            <p class="muted small">
                {c.author.clone().unwrap_or_default()}
                {warmth_badge}
                {c.chosen.then(|| view! { " "<span class="badge badge--success">{td_string!(locale, rounds.chosen)}</span> })}
            </p>
            {c.answer.clone().filter(|_| !warmth).map(|a| view! { <p class="small"><strong>{td_string!(locale, rounds.answer)}": "</strong>{a}</p> })}
            {warmth_form}
            {choice_form}
        </li>
    }
}

#[component]
fn People(round: RwSignal<RoundView>, acts: Acts) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    move || {
        let r = round.get();
        let is_lead = r.my_role == RoundRole::Lead;
        let ended = r.status == Status::Ended;
        view! {
            <section class="card" aria-labelledby="people-title">
                <h2 id="people-title">{td_string!(locale, rounds.people_title)}</h2>
                {is_lead.then(|| view! { <p class="muted small">{td_string!(locale, rounds.presence_hint)}</p> })}
                <ul class="plain-list stack" data-testid="people">
                    {r.participants.into_iter().filter(|p| is_lead || p.present).map(|p| {
                        let markable = is_lead && !ended && p.role == RoundRole::Participant;
                        view! {
                            <li>
                                {p.name.clone()}" · "<span class="muted">{role_text(locale, p.role)}</span>
                                {(!p.present).then(|| view! { " "<span class="badge">{td_string!(locale, rounds.not_present)}</span> })}
                                {markable.then(|| view! {
                                    <ActionForm action=acts.presence attr:class="inline-form">
                                        <input type="hidden" name="round_id" value=r.id.to_string()/>
                                        <input type="hidden" name="user_id" value=p.user_id.to_string()/>
                                        <input type="hidden" name="present" value=(!p.present).to_string()/>
                                        <button type="submit" class="button button--small">
                                            {if p.present { td_string!(locale, rounds.mark_absent) } else { td_string!(locale, rounds.mark_present) }}
                                        </button>
                                    </ActionForm>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        }
    }
}

#[cfg(test)]
mod tests {
    use super::clock;

    #[test]
    fn the_countdown_reads_as_minutes_and_seconds() {
        assert_eq!(clock(5 * 60_000), "5:00");
        assert_eq!(clock(61_500), "1:02");
        assert_eq!(clock(0), "0:00");
        assert_eq!(clock(-90_000), "−1:30");
    }
}
