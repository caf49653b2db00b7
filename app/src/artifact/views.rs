//! The knowledge base pages: search and browse (a plain GET form, so it works without
//! JavaScript), write a new artifact with a live preview, read one (files, flags,
//! reuses, comments), edit it, and compare or restore its versions.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use super::api::{
    AddComment, ArtifactHit, ArtifactLink, ArtifactPage, CreateArtifact, DeleteComment, DeleteFile, DiffSide,
    EditArtifact, FlagOutdated, RecordReuse, RestoreVersion, SettleArtifact, load_artifact, load_history,
    load_knowledge, load_new_artifact, preview_markdown,
};
use super::domain::{ArtifactKind, Scope, Source, Standing, iso_date};
use crate::account::domain::Flash;
use crate::error::AppError;
use crate::i18n::*;
use crate::participation::domain::SeciPhase;
use crate::participation::views::seci_text;
use crate::ui::{
    Alert, EmptyState, ErrorAlert, Field, action_error, date_text, flashed, load_or_not_found, percent_encode,
    signed_in, text, uuid_param,
};
use crate::ui::{loaded, resource_page};

pub fn kind_text(locale: Locale, kind: ArtifactKind) -> &'static str {
    match kind {
        ArtifactKind::LessonPlan => td_string!(locale, artifacts.kind_lesson_plan),
        ArtifactKind::CaseSummary => td_string!(locale, artifacts.kind_case_summary),
        ArtifactKind::ObservationForm => td_string!(locale, artifacts.kind_observation_form),
        ArtifactKind::Protocol => td_string!(locale, artifacts.kind_protocol),
        ArtifactKind::ResearchReport => td_string!(locale, artifacts.kind_research_report),
        ArtifactKind::HowTo => td_string!(locale, artifacts.kind_how_to),
        ArtifactKind::Other => td_string!(locale, artifacts.kind_other),
    }
}

pub fn standing_text(locale: Locale, standing: Standing) -> &'static str {
    match standing {
        Standing::Current => td_string!(locale, artifacts.standing_current),
        Standing::ReviewDue => td_string!(locale, artifacts.standing_review_due),
        Standing::Outdated => td_string!(locale, artifacts.standing_outdated),
        Standing::Archived => td_string!(locale, artifacts.standing_archived),
    }
}

fn source_text(locale: Locale, source: Source) -> &'static str {
    match source {
        Source::Direct => td_string!(locale, artifacts.source_direct),
        Source::Intervision => td_string!(locale, artifacts.source_intervision),
        Source::LessonStudy => td_string!(locale, artifacts.source_lesson_study),
    }
}

fn scope_text(locale: Locale, scope: Scope) -> &'static str {
    match scope {
        Scope::Community => td_string!(locale, artifacts.scope_community),
        Scope::Organisation => td_string!(locale, artifacts.scope_organisation),
    }
}

/// A size as people read it.
fn size_text(bytes: i64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{} kB", b / 1024),
        b => format!("{b} B"),
    }
}

#[component]
fn StandingBadge(standing: Standing) -> impl IntoView {
    let i18n = use_i18n();
    let class = match standing {
        Standing::Current => return ().into_any(),
        Standing::ReviewDue => "badge badge--warning",
        Standing::Outdated => "badge badge--danger",
        Standing::Archived => "badge",
    };
    view! { <span class=class>{move || standing_text(i18n.get_locale(), standing)}</span> }.into_any()
}

/// The knowledge base: search with filters, or the newest artifacts first.
#[component]
pub fn KnowledgePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    // `try_with`: the resource's source may run once more after the request has ended.
    let param = move |name: &'static str| query.try_with(|q| q.get(name)).flatten().unwrap_or_default();
    let page = Resource::new(
        move || (param("q"), param("kind"), param("tag"), param("community"), param("phase"), param("standing")),
        |(q, kind, tag, community, phase, standing)| load_knowledge(q, kind, tag, community, phase, standing),
    );
    signed_in(move |_| {
        view! {
            <Title text=t_string!(i18n, artifacts.title)/>
            <div class="page-head">
                <h1>{t!(i18n, artifacts.title)}</h1>
            </div>
            <p class="lead">{t!(i18n, artifacts.intro)}</p>
            {loaded(page, move |data| Some({
                let searched = query.with_untracked(|q| !q.get("q").unwrap_or_default().trim().is_empty());
                view! {
                    <SearchForm communities=data.communities.clone() tags=data.tags.clone()/>
                    <section aria-labelledby="results-title" class="stack">
                        <h2 id="results-title" class="visually-hidden">{t!(i18n, artifacts.results)}</h2>
                        {if data.hits.is_empty() {
                            view! {
                                <EmptyState title=text(move || if searched { t_string!(i18n, artifacts.no_hits_title) } else { t_string!(i18n, artifacts.empty_title) })>
                                    <p>{move || if searched { t_string!(i18n, artifacts.no_hits_body) } else { t_string!(i18n, artifacts.empty_body) }}</p>
                                </EmptyState>
                            }.into_any()
                        } else {
                            view! {
                                <p class="muted" role="status">{t!(i18n, artifacts.hit_count, count = data.hits.len())}</p>
                                <ul class="plain-list stack results">
                                    {data.hits.into_iter().map(|hit| view! { <HitCard hit/> }).collect_view()}
                                </ul>
                                {data.more.then(|| view! { <p class="muted">{t!(i18n, artifacts.more)}</p> })}
                            }.into_any()
                        }}
                    </section>
                }.into_any()
            }))}
        }
    })
}

#[component]
fn SearchForm(communities: Vec<(Uuid, String)>, tags: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let current = move |name: &'static str| query.with_untracked(|q| q.get(name).unwrap_or_default());
    let select = move |name: &'static str, label: String, options: Vec<(String, String)>| {
        let id = format!("filter-{name}");
        let chosen = current(name);
        view! {
            <div class="field">
                <label class="field__label" for=id.clone()>{label}</label>
                <select class="field__input" id=id name=name>
                    <option value="">{t!(i18n, artifacts.filter_all)}</option>
                    {options.into_iter().map(|(value, label)| {
                        let selected = value == chosen;
                        view! { <option value=value selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    };
    let locale = i18n.get_locale_untracked();
    view! {
        <Form method="GET" action="/knowledge" attr:class="card search-form" attr:role="search">
            <div class="field">
                <label class="field__label" for="field-q">{t!(i18n, artifacts.search_label)}</label>
                <div class="search-row">
                    <input class="field__input" type="search" id="field-q" name="q" value=current("q")
                        placeholder=move || t_string!(i18n, artifacts.search_placeholder)/>
                    <button type="submit" class="button button--primary">{t!(i18n, artifacts.search)}</button>
                </div>
            </div>
            <details class="disclosure" open=["kind", "tag", "community", "phase", "standing"].iter().any(|n| !current(n).is_empty())>
                <summary>{t!(i18n, artifacts.filters)}</summary>
                <div class="filters">
                    {select("kind", t_string!(i18n, artifacts.kind).to_string(),
                        ArtifactKind::ALL.iter().map(|k| (k.as_str().to_string(), kind_text(locale, *k).to_string())).collect())}
                    {select("phase", t_string!(i18n, artifacts.phase).to_string(),
                        SeciPhase::ALL.iter().map(|p| (p.as_str().to_string(), seci_text(locale, *p).to_string())).collect())}
                    {select("standing", t_string!(i18n, artifacts.standing).to_string(),
                        Standing::ALL.iter().map(|s| (s.as_str().to_string(), standing_text(locale, *s).to_string())).collect())}
                    {select("community", t_string!(i18n, artifacts.community).to_string(),
                        communities.into_iter().map(|(id, name)| (id.to_string(), name)).collect())}
                    {select("tag", t_string!(i18n, artifacts.tag).to_string(),
                        tags.into_iter().map(|t| (t.clone(), t)).collect())}
                </div>
            </details>
        </Form>
    }
}

#[component]
fn HitCard(hit: ArtifactHit) -> impl IntoView {
    let i18n = use_i18n();
    let kind = hit.kind;
    let phase = hit.seci_phase;
    let organisation = hit.scope == Scope::Organisation;
    let reuses = hit.reuse_count;
    view! {
        <li class="card result" class:result--faded=matches!(hit.standing, Standing::Outdated | Standing::Archived)>
            <h3 class="result__title"><a href=format!("/a/{}", hit.id)>{hit.title.clone()}</a></h3>
            <p class="result__meta muted small">
                {move || kind_text(i18n.get_locale(), kind)}" · "{hit.community_name.clone()}" · "
                {move || seci_text(i18n.get_locale(), phase)}
                {organisation.then(|| view! { " · "{t!(i18n, artifacts.scope_organisation)} })}
                {(reuses > 0).then(|| view! { " · "{t!(i18n, artifacts.reuse_count, count = reuses)} })}
                " "<StandingBadge standing=hit.standing/>
            </p>
            {(!hit.snippet.is_empty()).then(|| view! {
                <p class="result__snippet">
                    {hit.snippet.into_iter().map(|(text, marked)| if marked {
                        view! { <mark>{text}</mark> }.into_any()
                    } else {
                        view! { <span>{text}</span> }.into_any()
                    }).collect_view()}
                </p>
            })}
            {(!hit.tags.is_empty()).then(|| view! {
                <ul class="tags" aria-label=move || t_string!(i18n, artifacts.tags)>
                    {hit.tags.into_iter().map(|t| view! { <li><a class="tag" href=format!("/knowledge?tag={}", percent_encode(&t))>{t.clone()}</a></li> }).collect_view()}
                </ul>
            })}
        </li>
    }
}

/// The Markdown field: label, hint and error rendered on the server, the editor an island.
#[component]
fn BodyField(
    #[prop(into)] value: String,
    initial_html: String,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let field_error = Signal::derive(move || error.get().and_then(|e| e.field_error("body")));
    let invalid = field_error.get_untracked().is_some();
    let value = crate::ui::kept_input("body").unwrap_or(value);
    view! {
        <div class="field" class:field--invalid=move || field_error.get().is_some()>
            <label class="field__label" for="field-body">{t!(i18n, artifacts.body)}</label>
            <p class="field__hint" id="field-body-hint">{t!(i18n, artifacts.body_hint)}</p>
            {move || field_error.get().map(|key| view! {
                <p class="field__error" id="field-body-error">{move || crate::ui::error_key_text(i18n.get_locale(), key)}</p>
            })}
            <MarkdownEditor value=value initial_html=initial_html invalid=invalid/>
        </div>
    }
}

/// The Markdown text with a preview that follows it (after a short pause in typing;
/// rendered and sanitised by the server exactly as the page will show it). Without
/// JavaScript it is a plain text area beside the last saved rendering.
#[island]
fn MarkdownEditor(value: String, initial_html: String, invalid: bool) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let preview = Action::new(|body: &String| preview_markdown(body.clone()));
    let (typed, set_typed) = signal(0u32);
    let on_input = move |ev: leptos::ev::Event| {
        let body = event_target_value(&ev);
        set_typed.update(|n| *n += 1);
        let mine = typed.get_untracked();
        set_timeout(
            move || {
                if typed.get_untracked() == mine {
                    preview.dispatch(body);
                }
            },
            std::time::Duration::from_millis(350),
        );
    };
    let html = move || match preview.value().get() {
        Some(Ok(html)) => html,
        _ => initial_html.clone(),
    };
    let described_by = if invalid { "field-body-hint field-body-error" } else { "field-body-hint" };
    view! {
        <div class="editor">
            <textarea class="field__input field__input--area editor__source" id="field-body" name="body" rows=16
                aria-describedby=described_by aria-invalid=invalid.then_some("true")
                on:input=on_input>{value}</textarea>
            <section class="editor__preview" aria-labelledby="preview-title">
                <h2 id="preview-title" class="editor__preview-title">{td_string!(locale, artifacts.preview)}</h2>
                <div class="prose" data-testid="preview" inner_html=html></div>
            </section>
        </div>
    }
}

/// The fields shared by the new and edit forms.
#[component]
fn ArtifactFields(
    #[prop(optional)] artifact: Option<ArtifactPage>,
    may_publish: bool,
    may_choose_scope: bool,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let kind = artifact.as_ref().map(|a| a.kind).unwrap_or(ArtifactKind::LessonPlan);
    let phase = artifact.as_ref().map(|a| a.seci_phase);
    let scope = artifact.as_ref().map(|a| a.scope).unwrap_or(Scope::Community);
    // A case summary goes wider only with its case bringer's consent, asked again.
    let needs_consent =
        artifact.as_ref().is_some_and(|a| a.source == Source::Intervision && a.scope == Scope::Community);
    let locale = i18n.get_locale_untracked();
    let kind_error = Signal::derive(move || error.get().and_then(|e| e.field_error("kind")));
    view! {
        <Field name="title" required=true value=artifact.as_ref().map(|a| a.title.clone()).unwrap_or_default()
            label=text(move || t_string!(i18n, artifacts.title_label)) error=error/>
        <div class="field" class:field--invalid=move || kind_error.get().is_some()>
            <label class="field__label" for="field-kind">{t!(i18n, artifacts.kind)}</label>
            <select class="field__input" id="field-kind" name="kind">
                {ArtifactKind::ALL.iter().map(|&k| view! {
                    <option value=k.as_str() selected=k == kind>{kind_text(locale, k)}</option>
                }).collect_view()}
            </select>
        </div>
        <BodyField value=artifact.as_ref().map(|a| a.body.clone()).unwrap_or_default()
            initial_html=artifact.as_ref().map(|a| a.body_html.clone()).unwrap_or_default() error=error/>
        <Field name="tags" value=artifact.as_ref().map(|a| a.tags.join(", ")).unwrap_or_default()
            label=text(move || t_string!(i18n, artifacts.tags))
            hint=text(move || t_string!(i18n, artifacts.tags_hint)) error=error/>
        <div class="field">
            <label class="field__label" for="field-seci_phase">{t!(i18n, artifacts.phase)}</label>
            <p class="field__hint" id="field-seci_phase-hint">{t!(i18n, artifacts.phase_hint)}</p>
            <select class="field__input" id="field-seci_phase" name="seci_phase" aria-describedby="field-seci_phase-hint">
                <option value="" selected=phase.is_none()>{t!(i18n, artifacts.phase_suggested)}</option>
                {SeciPhase::ALL.iter().map(|&p| view! {
                    <option value=p.as_str() selected=Some(p) == phase>{seci_text(locale, p)}</option>
                }).collect_view()}
            </select>
        </div>
        {(may_choose_scope && may_publish).then(|| view! {
            <fieldset class="field choices">
                <legend class="field__label">{t!(i18n, artifacts.scope)}</legend>
                {[Scope::Community, Scope::Organisation].into_iter().map(|s| {
                    let id = format!("scope-{}", s.as_str());
                    view! {
                        <div class="field--check">
                            <input type="radio" id=id.clone() name="scope" value=s.as_str() checked=s == scope/>
                            <label for=id>{scope_text(locale, s)}</label>
                        </div>
                    }
                }).collect_view()}
                {needs_consent.then(|| view! {
                    <div class="field--check">
                        <input type="checkbox" id="field-consent" name="consent" value="on"/>
                        <label for="field-consent">{t!(i18n, artifacts.widen_consent)}</label>
                    </div>
                })}
            </fieldset>
        })}
        <Field name="review_date" kind="date"
            value=artifact.as_ref().filter(|a| a.standing != Standing::ReviewDue).map(|a| iso_date(a.review_due_at.date())).unwrap_or_default()
            label=text(move || t_string!(i18n, artifacts.review_date))
            hint=text(move || t_string!(i18n, artifacts.review_date_hint)) error=error/>
    }
}

#[component]
pub fn NewArtifactPage() -> impl IntoView {
    let i18n = use_i18n();
    let community_id = uuid_param("id");
    let create = ServerAction::<CreateArtifact>::new();
    let error = action_error(create);
    let context = Resource::new(community_id, |id| load_or_not_found(id, load_new_artifact));
    signed_in(move |_| {
        view! {
            <Title text=t_string!(i18n, artifacts.new_product)/>
            {loaded(context, move |context| Some(view! {
                <section class="card">
                    <h1>{t!(i18n, artifacts.new_product)}</h1>
                    <p class="muted">{context.community_name.clone()}</p>
                    <ErrorAlert error=error/>
                    <ActionForm action=create attr:class="form" attr:novalidate=true>
                        <input type="hidden" name="community_id" value=community_id().map(|id| id.to_string()).unwrap_or_default()/>
                        <ArtifactFields may_publish=context.may_publish may_choose_scope=true error=error/>
                        <button type="submit" class="button button--primary">{t!(i18n, artifacts.publish)}</button>
                    </ActionForm>
                </section>
            }.into_any()))}
        }
    })
}

#[component]
pub fn EditArtifactPage() -> impl IntoView {
    let i18n = use_i18n();
    let artifact_id = uuid_param("artifact_id");
    let edit = ServerAction::<EditArtifact>::new();
    let error = action_error(edit);
    let page = Resource::new(artifact_id, |id| load_or_not_found(id, load_artifact));
    signed_in(move |_| {
        view! {
            <Title text=t_string!(i18n, artifacts.edit)/>
            {loaded(page, move |data| match data {
                artifact if artifact.may_edit => Some(view! {
                        <section class="card">
                            <h1>{t!(i18n, artifacts.edit)}</h1>
                            <p class="muted"><a href=format!("/a/{}", artifact.id)>{artifact.title.clone()}</a></p>
                            <ErrorAlert error=error/>
                            <ActionForm action=edit attr:class="form" attr:novalidate=true>
                                <input type="hidden" name="artifact_id" value=artifact.id.to_string()/>
                                <input type="hidden" name="base_version" value=artifact.version.to_string()/>
                                <ArtifactFields artifact=artifact.clone() may_publish=artifact.may_publish may_choose_scope=artifact.may_steward error=error/>
                                <p class="muted small">{t!(i18n, artifacts.version_note)}</p>
                                <button type="submit" class="button button--primary">{t!(i18n, artifacts.save)}</button>
                            </ActionForm>
                        </section>
                    }.into_any()),
                _ => None,
            })}
        }
    })
}

/// Actions on the artifact page; every one reloads the page when it succeeds.
#[derive(Clone, Copy)]
struct ArtifactActions {
    comment: ServerAction<AddComment>,
    delete_comment: ServerAction<DeleteComment>,
    flag: ServerAction<FlagOutdated>,
    settle: ServerAction<SettleArtifact>,
    reuse: ServerAction<RecordReuse>,
    delete_file: ServerAction<DeleteFile>,
}

#[component]
pub fn ArtifactPageView() -> impl IntoView {
    let artifact_id = uuid_param("artifact_id");
    let actions = ArtifactActions {
        comment: ServerAction::new(),
        delete_comment: ServerAction::new(),
        flag: ServerAction::new(),
        settle: ServerAction::new(),
        reuse: ServerAction::new(),
        delete_file: ServerAction::new(),
    };
    let page = Resource::new(
        move || {
            (
                artifact_id(),
                actions.comment.version().try_get(),
                actions.delete_comment.version().try_get(),
                actions.flag.version().try_get(),
                actions.settle.version().try_get(),
                actions.reuse.version().try_get(),
                actions.delete_file.version().try_get(),
            )
        },
        |(id, ..)| load_or_not_found(id, load_artifact),
    );
    resource_page(page, move |data| Some(view! { <Artifact data actions/> }.into_any()))
}

#[component]
fn Artifact(data: ArtifactPage, actions: ArtifactActions) -> impl IntoView {
    let i18n = use_i18n();
    let id = data.id;
    let kind = data.kind;
    let phase = data.seci_phase;
    let scope = data.scope;
    let source = data.source;
    let standing = data.standing;
    let upload_error = use_query_map().with_untracked(|q| q.get("upload").unwrap_or_default());
    let comment_error = action_error(actions.comment);
    let flag_error = action_error(actions.flag);
    let settle_error = action_error(actions.settle);
    let reuse_error = action_error(actions.reuse);
    let reuse_count = data.reuses.len();
    view! {
        <Title text=data.title.clone()/>
        <article class="artifact">
            <div class="page-head">
                <h1>{data.title.clone()}</h1>
                <StandingBadge standing/>
                {data.may_edit.then(|| view! { <a class="button button--small" href=format!("/a/{id}/edit")>{t!(i18n, artifacts.edit)}</a> })}
                <a class="button button--small button--secondary" href=format!("/a/{id}/history")>{t!(i18n, artifacts.history)}</a>
            </div>
            <dl class="meta">
                <div><dt>{t!(i18n, artifacts.kind)}</dt><dd>{move || kind_text(i18n.get_locale(), kind)}</dd></div>
                <div><dt>{t!(i18n, artifacts.community)}</dt><dd>
                    {if data.may_edit {
                        view! { <a href=format!("/c/{}", data.community_id)>{data.community_name.clone()}</a> }.into_any()
                    } else {
                        view! { <span>{data.community_name.clone()}</span> }.into_any()
                    }}
                </dd></div>
                <div><dt>{t!(i18n, artifacts.owner)}</dt><dd>{data.owner.clone()}</dd></div>
                <div><dt>{t!(i18n, artifacts.phase)}</dt><dd>{move || seci_text(i18n.get_locale(), phase)}</dd></div>
                <div><dt>{t!(i18n, artifacts.scope)}</dt><dd>{move || scope_text(i18n.get_locale(), scope)}</dd></div>
                <div><dt>{t!(i18n, artifacts.source)}</dt><dd>{move || source_text(i18n.get_locale(), source)}</dd></div>
                <div><dt>{t!(i18n, artifacts.review_date)}</dt><dd>{date_text(data.review_due_at)}</dd></div>
                <div><dt>{t!(i18n, artifacts.version)}</dt><dd>{data.version}" · "{date_text(data.updated_at)}</dd></div>
            </dl>
            {(!data.tags.is_empty()).then(|| view! {
                <ul class="tags" aria-label=move || t_string!(i18n, artifacts.tags)>
                    {data.tags.iter().map(|t| view! { <li><a class="tag" href=format!("/knowledge?tag={}", percent_encode(t))>{t.clone()}</a></li> }).collect_view()}
                </ul>
            })}

            <StandingPanel data=data.clone() actions settle_error/>

            <div class="card prose artifact__body" inner_html=data.body_html.clone()></div>
        </article>

        <section class="card" aria-labelledby="files-title">
            <h2 id="files-title">{t!(i18n, artifacts.files)}</h2>
            {match upload_error.as_str() {
                "" => ().into_any(),
                "ok" => view! { <Alert kind="success"><p>{t!(i18n, artifacts.uploaded)}</p></Alert> }.into_any(),
                "too_large" => view! { <Alert kind="error"><p>{t!(i18n, errors.file_too_large)}</p></Alert> }.into_any(),
                "storage_full" => view! { <Alert kind="error"><p>{t!(i18n, errors.storage_full)}</p></Alert> }.into_any(),
                "type" => view! { <Alert kind="error"><p>{t!(i18n, errors.unsupported_type)}</p></Alert> }.into_any(),
                _ => view! { <Alert kind="error"><p>{t!(i18n, errors.required)}</p></Alert> }.into_any(),
            }}
            {if data.files.is_empty() {
                view! { <p class="muted">{t!(i18n, artifacts.no_files)}</p> }.into_any()
            } else {
                let may_edit = data.may_edit;
                let files = data.files.clone();
                view! {
                    <ul class="plain-list stack files">
                        {files.into_iter().map(|f| {
                            let file_id = f.id.to_string();
                            view! {
                                <li class="file-row">
                                    <a href=format!("/files/{}", f.id) download=f.name.clone()>{f.name.clone()}</a>
                                    <span class="muted small">" · "{size_text(f.size_bytes)}</span>
                                    {may_edit.then(|| view! {
                                        <ActionForm action=actions.delete_file attr:class="inline-form">
                                            <input type="hidden" name="file_id" value=file_id.clone()/>
                                            <button type="submit" class="link-button small">{t!(i18n, artifacts.delete_file)}<span class="visually-hidden">": "{f.name.clone()}</span></button>
                                        </ActionForm>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {data.may_edit.then(|| view! {
                <form method="post" action=format!("/a/{id}/files") enctype="multipart/form-data" class="form upload-form">
                    <div class="field">
                        <label class="field__label" for="field-file">{t!(i18n, artifacts.attach)}</label>
                        <p class="field__hint" id="field-file-hint">{t!(i18n, artifacts.attach_hint)}</p>
                        <input class="field__input" type="file" id="field-file" name="file" required=true aria-describedby="field-file-hint"
                            accept=".pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx,.pptx,.odt,.ods,.odp,.doc,.xls,.ppt"/>
                    </div>
                    <button type="submit" class="button">{t!(i18n, artifacts.upload)}</button>
                </form>
            })}
        </section>

        <section class="card" aria-labelledby="reuse-title">
            <h2 id="reuse-title">{t!(i18n, artifacts.reuse_title)}</h2>
            <p class="muted">{t!(i18n, artifacts.reuse_count, count = reuse_count)}</p>
            {(!data.reuses.is_empty()).then(|| view! {
                <ul class="plain-list stack reflections">
                    {data.reuses.iter().map(|r| view! {
                        <li>
                            <p class="muted small">{r.name.clone()}" · "{date_text(r.at)}</p>
                            <p class="prewrap">{r.reflection.clone()}</p>
                        </li>
                    }).collect_view()}
                </ul>
            })}
            <ErrorAlert error=reuse_error/>
            <Show when=move || flashed(&Flash::ReuseRecorded)>
                <Alert kind="success"><p>{t!(i18n, artifacts.reuse_saved)}</p></Alert>
            </Show>
            <details class="disclosure" open=move || reuse_error.get().is_some()>
                <summary>{t!(i18n, artifacts.reuse_action)}</summary>
                <ActionForm action=actions.reuse attr:class="form" attr:novalidate=true>
                    <input type="hidden" name="artifact_id" value=id.to_string()/>
                    <Field name="reflection" rows=3 required=true
                        label=text(move || t_string!(i18n, artifacts.reflection))
                        hint=text(move || t_string!(i18n, artifacts.reflection_hint)) error=reuse_error/>
                    <button type="submit" class="button button--primary">{t!(i18n, artifacts.reuse_save)}</button>
                </ActionForm>
            </details>
        </section>

        <section class="card" aria-labelledby="comments-title">
            <h2 id="comments-title">{t!(i18n, artifacts.comments)}</h2>
            {if data.comments.is_empty() {
                view! { <p class="muted">{t!(i18n, artifacts.no_comments)}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list stack comments">
                        {data.comments.iter().map(|c| {
                            let comment_id = c.id.to_string();
                            view! {
                                <li class="comment">
                                    <div class="comment__head muted small">
                                        <span>{c.author.clone()}" · "{date_text(c.at)}</span>
                                        {c.mine.then(|| view! {
                                            <ActionForm action=actions.delete_comment attr:class="inline-form">
                                                <input type="hidden" name="comment_id" value=comment_id.clone()/>
                                                <button type="submit" class="link-button small">{t!(i18n, artifacts.delete_comment)}</button>
                                            </ActionForm>
                                        })}
                                    </div>
                                    <p class="prewrap">{c.body.clone()}</p>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <ErrorAlert error=comment_error/>
            <ActionForm action=actions.comment attr:class="form" attr:novalidate=true>
                <input type="hidden" name="artifact_id" value=id.to_string()/>
                <Field name="body" rows=3 required=true label=text(move || t_string!(i18n, artifacts.comment_label)) error=comment_error/>
                <button type="submit" class="button">{t!(i18n, artifacts.comment_save)}</button>
            </ActionForm>
        </section>

        {(standing != Standing::Archived).then(|| view! {
            <section class="card" aria-labelledby="flag-title">
                <h2 id="flag-title">{t!(i18n, artifacts.flag_title)}</h2>
                <p class="muted">{t!(i18n, artifacts.flag_intro)}</p>
                <ErrorAlert error=flag_error/>
                <details class="disclosure" open=move || flag_error.get().is_some()>
                    <summary>{t!(i18n, artifacts.flag_action)}</summary>
                    <ActionForm action=actions.flag attr:class="form" attr:novalidate=true>
                        <input type="hidden" name="artifact_id" value=id.to_string()/>
                        <Field name="reason" rows=3 required=true label=text(move || t_string!(i18n, artifacts.flag_reason)) error=flag_error/>
                        <button type="submit" class="button button--danger">{t!(i18n, artifacts.flag_save)}</button>
                    </ActionForm>
                </details>
            </section>
        })}
    }
}

/// Why an artifact is not plainly current, and what its owner or a facilitator can do.
#[component]
fn StandingPanel(
    data: ArtifactPage,
    actions: ArtifactActions,
    settle_error: Signal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = data.id.to_string();
    let settle_button = move |action: &'static str, primary: bool| {
        let id = id.clone();
        view! {
            <ActionForm action=actions.settle attr:class="inline-form">
                <input type="hidden" name="artifact_id" value=id/>
                <input type="hidden" name="action" value=action/>
                <button type="submit" class=if primary { "button button--primary" } else { "button" }>
                    {move || match action {
                        "confirm" => t_string!(i18n, artifacts.settle_confirm),
                        "archive" => t_string!(i18n, artifacts.settle_archive),
                        _ => t_string!(i18n, artifacts.settle_unarchive),
                    }}
                </button>
            </ActionForm>
        }
    };
    let steward = data.may_steward;
    let body = match data.standing {
        Standing::Current => return ().into_any(),
        Standing::ReviewDue => view! {
            <p>{t!(i18n, artifacts.review_due_text)}</p>
        }
        .into_any(),
        Standing::Outdated => view! {
            <p>{t!(i18n, artifacts.outdated_text)}</p>
            <ul class="plain-list stack">
                {data.open_flags.iter().map(|f| view! {
                    <li><span class="muted small">{f.by.clone()}" · "{date_text(f.at)}</span><br/><span class="prewrap">{f.reason.clone()}</span></li>
                }).collect_view()}
            </ul>
        }
        .into_any(),
        Standing::Archived => view! { <p>{t!(i18n, artifacts.archived_text)}</p> }.into_any(),
    };
    let archived = data.standing == Standing::Archived;
    view! {
        <div class="alert alert--warning" role="status" data-testid="standing">
            {body}
            <ErrorAlert error=settle_error/>
            {steward.then(|| view! {
                <div class="button-row">
                    {if archived {
                        settle_button("unarchive", true).into_any()
                    } else {
                        view! {
                            <a class="button button--primary" href=format!("/a/{}/edit", data.id)>{t!(i18n, artifacts.settle_update)}</a>
                            {settle_button("confirm", false)}
                            {settle_button("archive", false)}
                        }.into_any()
                    }}
                </div>
            })}
        </div>
    }
    .into_any()
}

/// The versions of an artifact, a comparison of two of them, and restoring one.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let artifact_id = uuid_param("artifact_id");
    let query = use_query_map();
    let number =
        move |name: &'static str| query.try_with(|q| q.get(name)).flatten().and_then(|v| v.parse::<i32>().ok());
    let restore = ServerAction::<RestoreVersion>::new();
    let restore_error = action_error(restore);
    let page = Resource::new(
        move || (artifact_id(), number("from"), number("to"), restore.version().try_get()),
        |(id, from, to, _)| load_or_not_found(id, move |id| load_history(id, from, to)),
    );
    signed_in(move |_| {
        view! {
            <Title text=t_string!(i18n, artifacts.history)/>
            {loaded(page, move |history| Some({
                let id = history.artifact_id;
                let (from, to, current) = (history.from, history.to, history.current);
                let may_edit = history.may_edit;
                view! {
                    <div class="page-head">
                        <h1>{t!(i18n, artifacts.history)}</h1>
                    </div>
                    <p class="lead"><a href=format!("/a/{id}")>{history.title.clone()}</a></p>
                    <ErrorAlert error=restore_error/>
                    <section class="card" aria-labelledby="versions-title">
                        <h2 id="versions-title">{t!(i18n, artifacts.versions)}</h2>
                        <Form method="GET" action=format!("/a/{id}/history") attr:class="form">
                            <table class="table">
                                <thead>
                                    <tr>
                                        <th scope="col">{t!(i18n, artifacts.version)}</th>
                                        <th scope="col">{t!(i18n, artifacts.compare_from)}</th>
                                        <th scope="col">{t!(i18n, artifacts.compare_to)}</th>
                                        <th scope="col">{t!(i18n, artifacts.author)}</th>
                                        <th scope="col">{t!(i18n, artifacts.date)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {history.versions.iter().map(|v| {
                                        let n = v.number;
                                        view! {
                                            <tr>
                                                <th scope="row">
                                                    {n}" · "{v.title.clone()}
                                                    {v.restored_from.map(|r| view! { <span class="muted small">" ("{t!(i18n, artifacts.restored_from, number = r)}")"</span> })}
                                                    {(n == current).then(|| view! { " "<span class="badge badge--success">{t!(i18n, artifacts.current_version)}</span> })}
                                                </th>
                                                <td><input type="radio" name="from" value=n.to_string() checked=n == from aria-label=move || format!("{} {n}", t_string!(i18n, artifacts.compare_from))/></td>
                                                <td><input type="radio" name="to" value=n.to_string() checked=n == to aria-label=move || format!("{} {n}", t_string!(i18n, artifacts.compare_to))/></td>
                                                <td>{v.author.clone()}</td>
                                                <td>{date_text(v.at)}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <button type="submit" class="button">{t!(i18n, artifacts.compare)}</button>
                        </Form>
                    </section>
                    <section class="card" aria-labelledby="diff-title">
                        <h2 id="diff-title">{t!(i18n, artifacts.changes, from = from, to = to)}</h2>
                        {history.title_change.clone().map(|(old, new)| view! {
                            <p>{t!(i18n, artifacts.title_changed)}" "<del>{old}</del>" → "<ins>{new}</ins></p>
                        })}
                        <ol class="diff" data-testid="diff">
                            {history.diff.iter().map(|line| {
                                let (class, sign, label) = match line.side {
                                    DiffSide::Same => ("diff__line", " ", None),
                                    DiffSide::Removed => ("diff__line diff__line--removed", "−", Some(t_string!(i18n, artifacts.removed))),
                                    DiffSide::Added => ("diff__line diff__line--added", "+", Some(t_string!(i18n, artifacts.added))),
                                };
                                view! {
                                    <li class=class>
                                        <span class="diff__sign" aria-hidden="true">{sign}</span>
                                        {label.map(|l| view! { <span class="visually-hidden">{l}": "</span> })}
                                        <span class="diff__text">{line.text.clone()}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                        {(may_edit && from != current).then(|| view! {
                            <ActionForm action=restore attr:class="inline-form">
                                <input type="hidden" name="artifact_id" value=id.to_string()/>
                                <input type="hidden" name="number" value=from.to_string()/>
                                <button type="submit" class="button">{t!(i18n, artifacts.restore, number = from)}</button>
                            </ActionForm>
                            <p class="muted small">{t!(i18n, artifacts.restore_note)}</p>
                        })}
                    </section>
                }.into_any()
            }))}
        }
    })
}

/// Artifacts as links, each with how current it is.
#[component]
fn ArtifactLinks(artifacts: Vec<ArtifactLink>) -> impl IntoView {
    view! {
        <ul class="plain-list stack">
            {artifacts.into_iter().map(|artifact| view! {
                <li>
                    <a href=format!("/a/{}", artifact.id)>{artifact.title}</a>" "
                    <StandingBadge standing=artifact.standing/>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// The home page's card of the artifacts the viewer looks after that want attention.
#[component]
pub fn InMyCare(artifacts: Vec<ArtifactLink>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="in-care-title" data-testid="in-my-care">
            <h2 id="in-care-title">{t!(i18n, home.care_title)}</h2>
            {if artifacts.is_empty() {
                view! { <p class="muted">{t!(i18n, home.care_empty)}</p> }.into_any()
            } else {
                view! { <ArtifactLinks artifacts/> }.into_any()
            }}
        </section>
    }
}

/// The knowledge-base card on a community page: the newest artifacts, and where to
/// write, find and export them.
#[component]
pub fn CommunityKnowledge(community_id: Uuid, recent: Vec<ArtifactLink>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="knowledge-title">
            <div class="card__head">
                <h2 id="knowledge-title">{t!(i18n, artifacts.title)}</h2>
                <a class="button button--small button--primary" href=format!("/c/{community_id}/artifacts/new")>{t!(i18n, artifacts.new_product)}</a>
            </div>
            {if recent.is_empty() {
                view! { <p class="muted">{t!(i18n, artifacts.community_empty)}</p> }.into_any()
            } else {
                view! { <ArtifactLinks artifacts=recent/> }.into_any()
            }}
            <p class="button-row">
                <a href=format!("/knowledge?community={community_id}")>{t!(i18n, artifacts.all_of_community)}</a>
                <a href=format!("/c/{community_id}/export.zip") download="">{t!(i18n, artifacts.export)}</a>
            </p>
        </section>
    }
}
