//! The method library pages: every method with its phases, and the form where a
//! facilitator adapts a copy (phases, minutes, texts). Plain forms throughout, so the
//! pages work without JavaScript.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use super::api::{
    AdaptedMethod, ArchiveMethod, CopyMethod, MethodEdit, UpdateMethod, get_method_library, method_for_editing,
};
use super::domain::{Collects, Method, PhaseForm, Presence, Speaker, TrustNeeded, phase_field};
use crate::error::AppError;
use crate::i18n::*;
use crate::intervision::round::views::{collects_text, presence_text, speaker_text};
use crate::ui::loaded;
use crate::ui::{
    ErrorAlert, Field, Loading, NotFound, action_error, date_text, kept_input, language_of, load_or_not_found,
    signed_in, text, uuid_param,
};

fn collects_label(locale: Locale, collects: Collects) -> &'static str {
    match collects {
        Collects::Nothing => td_string!(locale, methods.collects_nothing),
        other => collects_text(locale, other),
    }
}

fn trust_text(locale: Locale, trust: TrustNeeded) -> &'static str {
    match trust {
        TrustNeeded::Any => td_string!(locale, methods.trust_any),
        TrustNeeded::High => td_string!(locale, methods.trust_high),
    }
}

/// `/methods`: the built-in methods and the organisation's adapted ones.
#[component]
pub fn MethodLibraryPage() -> impl IntoView {
    let i18n = use_i18n();
    let library = Resource::new(|| (), |_| get_method_library());
    signed_in(move |_| {
        view! {
            <Title text=t_string!(i18n, methods.title)/>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    let library = match library.await {
                        Ok(library) => library,
                        Err(AppError::NotFound) => return view! { <NotFound/> }.into_any(),
                        Err(error) => return view! { <ErrorAlert error=Signal::stored(Some(error))/> }.into_any(),
                    };
                    let may_adapt = library.may_adapt;
                    view! {
                        <section class="card">
                            <h1>{t!(i18n, methods.title)}</h1>
                            <p>{t!(i18n, methods.intro)}</p>
                            {(!may_adapt).then(|| view! { <p class="muted small">{t!(i18n, methods.who_adapts)}</p> })}
                        </section>
                        <section class="card" aria-labelledby="adapted-title">
                            <h2 id="adapted-title">{t!(i18n, methods.adapted_title)}</h2>
                            {if library.adapted.is_empty() {
                                view! { <p class="muted">{t!(i18n, methods.adapted_none)}</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="plain-list stack" data-testid="adapted-methods">
                                        {library.adapted.into_iter().map(|m| view! { <AdaptedItem item=m may_adapt/> }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        </section>
                        <section class="card" aria-labelledby="built-in-title">
                            <h2 id="built-in-title">{t!(i18n, methods.built_in_title)}</h2>
                            <ul class="plain-list stack">
                                {library.built_in.into_iter().map(|method| {
                                    let key = method.key.clone();
                                    view! {
                                        <li>
                                            <MethodDetails method/>
                                            {may_adapt.then(|| view! { <CopyButton from=key/> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </section>
                    }.into_any()
                })}
            </Suspense>
        }
    })
}

#[component]
fn CopyButton(from: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form method="post" action=CopyMethod::url() class="inline-form">
            <input type="hidden" name="from" value=from/>
            <button type="submit" class="button button--small">{t!(i18n, methods.copy)}</button>
        </form>
    }
}

#[component]
fn AdaptedItem(item: AdaptedMethod, may_adapt: bool) -> impl IntoView {
    let i18n = use_i18n();
    let id = item.id.to_string();
    view! {
        <li class="method-item">
            <MethodDetails method=item.method.clone()/>
            <p class="muted small">
                {item.archived.then(|| view! { <span class="badge">{t!(i18n, methods.archived)}</span>" " })}
                {item.author.clone().map(|a| view! { {a}" · " })}
                {t!(i18n, methods.changed)}" "{date_text(item.updated_at)}
            </p>
            {may_adapt.then(|| view! {
                <div class="inline-actions">
                    <a class="button button--small" href=format!("/methods/{id}/edit")>{t!(i18n, methods.edit)}</a>
                    <CopyButton from=id.clone()/>
                    <form method="post" action=ArchiveMethod::url() class="inline-form">
                        <input type="hidden" name="method_id" value=id.clone()/>
                        <input type="hidden" name="archived" value=(!item.archived).to_string()/>
                        <button type="submit" class="button button--small">
                            {if item.archived { t!(i18n, methods.restore).into_any() } else { t!(i18n, methods.archive).into_any() }}
                        </button>
                    </form>
                </div>
            })}
        </li>
    }
}

/// A method with what it is for and its phases, folded open on request.
#[component]
fn MethodDetails(method: Method) -> impl IntoView {
    let i18n = use_i18n();
    let language = move || language_of(i18n.get_locale());
    let minutes = method.total_minutes();
    let trust = method.trust;
    let (name, description, when) = (method.name.clone(), method.description.clone(), method.when_to_use.clone());
    view! {
        <details class="disclosure">
            <summary>
                <strong>{move || name.get(language()).to_string()}</strong>
                " · "{t!(i18n, rounds.minutes, count = minutes)}
                {(trust == TrustNeeded::High).then(|| view! { " "<span class="badge">{move || trust_text(i18n.get_locale(), trust)}</span> })}
            </summary>
            <p>{move || description.get(language()).to_string()}</p>
            <p class="muted">{move || when.get(language()).to_string()}</p>
            <ol class="phase-list">
                {method.phases.into_iter().map(|phase| {
                    let (title, instruction) = (phase.title.clone(), phase.instruction.clone());
                    view! {
                        <li>
                            <strong>{move || title.get(language()).to_string()}</strong>
                            " · "{t!(i18n, rounds.minutes, count = phase.minutes)}
                            <span class="muted small">
                                " · "{move || speaker_text(i18n.get_locale(), phase.speaks)}
                                " · "{move || presence_text(i18n.get_locale(), phase.case_bringer)}
                                {(phase.collects != Collects::Nothing).then(|| view! { " · "{move || collects_text(i18n.get_locale(), phase.collects)} })}
                                {phase.hidden_until_revealed.then(|| view! { " · "{t!(i18n, methods.hidden_until_revealed)} })}
                            </span>
                            <br/>
                            <span class="small">{move || instruction.get(language()).to_string()}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </details>
    }
}

/// `/methods/:method_id/edit`: adapting a copied method.
#[component]
pub fn EditMethodPage() -> impl IntoView {
    let i18n = use_i18n();
    let method_id = uuid_param("method_id");
    let language = language_of(i18n.get_locale_untracked()).as_str();
    let update = ServerAction::<UpdateMethod>::new();
    let error = action_error(update);
    let edit = Resource::new(method_id, move |id| {
        load_or_not_found(id, move |id| method_for_editing(id, language.to_string()))
    });
    signed_in(move |_| {
        view! {
            <Title text=t_string!(i18n, methods.edit_title)/>
            {loaded(edit, move |edit| Some(view! { <MethodFormView edit language update error/> }.into_any()))}
        }
    })
}

#[component]
fn MethodFormView(
    edit: MethodEdit,
    language: &'static str,
    update: ServerAction<UpdateMethod>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let form = edit.form;
    let trust = kept_input("trust").unwrap_or(form.trust.clone());
    let rows = form.phases.len();
    let phases_error = move || error.get().and_then(|e| e.field_error("phases"));
    view! {
        <section class="card narrow-wide">
            <h1>{t!(i18n, methods.edit_title)}</h1>
            <p class="muted">{t!(i18n, methods.edit_hint)}" "{t!(i18n, rounds.minutes, count = edit.total_minutes)}</p>
            <ErrorAlert error=error/>
            <ActionForm action=update attr:class="form" attr:novalidate=true>
                <input type="hidden" name="method_id" value=edit.id.to_string()/>
                <input type="hidden" name="language" value=language/>
                <Field name="name" required=true value=form.name.clone() label=text(move || t_string!(i18n, methods.name)) error=error/>
                <Field name="description" rows=3 value=form.description.clone() label=text(move || t_string!(i18n, methods.description)) error=error/>
                <Field name="when_to_use" rows=2 value=form.when_to_use.clone() label=text(move || t_string!(i18n, methods.when_to_use)) error=error/>
                <div class="field">
                    <label class="field__label" for="field-trust">{t!(i18n, methods.trust)}</label>
                    <select class="field__input" id="field-trust" name="trust">
                        {TrustNeeded::ALL.iter().map(|&t| view! {
                            <option value=t.as_str() selected=t.as_str() == trust>{move || trust_text(i18n.get_locale(), t)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <h2 id="phases-title">{t!(i18n, methods.phases)}</h2>
                <p class="muted small">{t!(i18n, methods.phases_hint)}</p>
                {move || phases_error().map(|key| view! {
                    <p class="field__error" role="alert">{move || crate::ui::error_key_text(i18n.get_locale(), key)}</p>
                })}
                {form.phases.into_iter().enumerate().map(|(row, phase)| view! {
                    <PhaseFields row phase new=row + 1 == rows error/>
                }).collect_view()}
                <button type="submit" class="button button--primary">{t!(i18n, methods.save)}</button>
                " "<a class="button" href="/methods">{t!(i18n, methods.cancel)}</a>
            </ActionForm>
        </section>
    }
}

/// The inputs of one phase; the last row adds a new phase when filled in.
#[component]
fn PhaseFields(row: usize, phase: PhaseForm, new: bool, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let field = move |input: &str| phase_field(row, input);
    let chosen = move |input: &str, value: &str| kept_input(&field(input)).unwrap_or(value.to_string());
    let (speaks, presence, collects) = (
        chosen("speaks", &phase.speaks),
        chosen("case_bringer", &phase.case_bringer),
        chosen("collects", &phase.collects),
    );
    // After a failed plain post the checkboxes come back as they were sent.
    let after_failed_post = kept_input(&field("title")).is_some();
    let hidden = if after_failed_post { kept_input(&field("hidden")).is_some() } else { phase.hidden.is_some() };
    let remove = after_failed_post && kept_input(&field("remove")).is_some();
    let select = move |input: &'static str,
                       label: Signal<String>,
                       options: Vec<(&'static str, Signal<String>)>,
                       selected: String| {
        let id = format!("field-{}", field(input));
        view! {
            <div class="field">
                <label class="field__label" for=id.clone()>{move || label.get()}</label>
                <select class="field__input" id=id name=field(input)>
                    {options.into_iter().map(|(value, label)| view! {
                        <option value=value selected=value == selected>{move || label.get()}</option>
                    }).collect_view()}
                </select>
            </div>
        }
    };
    view! {
        <fieldset class="phase-edit" data-testid=format!("phase-{row}")>
            <legend>
                {if new { t!(i18n, methods.new_phase).into_any() } else { view! { {t!(i18n, methods.phase)}" "{row + 1}}.into_any() }}
            </legend>
            <Field name=field("title") value=phase.title.clone() label=text(move || t_string!(i18n, methods.phase_title)) error=error/>
            <Field name=field("instruction") rows=2 value=phase.instruction.clone() label=text(move || t_string!(i18n, methods.instruction)) error=error/>
            <div class="field-row">
                <Field name=field("minutes") kind="number" value=phase.minutes.clone() label=text(move || t_string!(i18n, methods.minutes)) error=error/>
                <Field name=field("position") kind="number" value=phase.position.clone() label=text(move || t_string!(i18n, methods.position)) error=error/>
            </div>
            {select("speaks", text(move || t_string!(i18n, rounds.speaks)),
                Speaker::ALL.iter().map(|&s| (s.as_str(), Signal::derive(move || speaker_text(i18n.get_locale(), s).to_string()))).collect(), speaks)}
            {select("case_bringer", text(move || t_string!(i18n, methods.case_bringer)),
                Presence::ALL.iter().map(|&p| (p.as_str(), Signal::derive(move || presence_text(i18n.get_locale(), p).to_string()))).collect(), presence)}
            {select("collects", text(move || t_string!(i18n, methods.collects)),
                Collects::ALL.iter().map(|&c| (c.as_str(), Signal::derive(move || collects_label(i18n.get_locale(), c).to_string()))).collect(), collects)}
            <div class="field field--check">
                <input type="checkbox" id=format!("field-{}", field("hidden")) name=field("hidden") value="on" checked=hidden/>
                <label for=format!("field-{}", field("hidden"))>{t!(i18n, methods.hidden_until_revealed)}</label>
            </div>
            {(!new).then(|| view! {
                <div class="field field--check">
                    <input type="checkbox" id=format!("field-{}", field("remove")) name=field("remove") value="on" checked=remove/>
                    <label for=format!("field-{}", field("remove"))>{t!(i18n, methods.remove_phase)}</label>
                </div>
            })}
        </fieldset>
    }
}
