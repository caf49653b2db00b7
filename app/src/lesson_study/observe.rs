//! The observation form: an observer's phone in a classroom, one hand, a flaky
//! connection. It is an island of its own (only this page carries its code). Every
//! note is kept on the phone first (`localStorage`, see [`NoteQueue`]) and shown as
//! waiting, sent when the connection allows, and marked saved when the server says it
//! holds it; closing the tab loses nothing. Without JavaScript each note is a plain
//! form post.

use leptos::prelude::*;
use leptos_meta::Title;
use uuid::Uuid;

use super::api::{ObserveData, lesson_study_observe};
use super::domain::{Mark, NoteInput};
use super::queue::NoteQueue;
use crate::account::domain::Flash;
use crate::i18n::*;
use crate::ui::{
    Alert, ErrorAlert, Field, SelectField, action_error, flashed, load_or_not_found, resource_page, text, uuid_param,
};

pub(super) fn mark_text(locale: Locale, mark: Mark) -> &'static str {
    match mark {
        Mark::AsPredicted => td_string!(locale, lesson_study.mark_as_predicted),
        Mark::Different => td_string!(locale, lesson_study.mark_different),
        Mark::NotSeen => td_string!(locale, lesson_study.mark_not_seen),
    }
}

#[component]
pub fn ObservePage() -> impl IntoView {
    let i18n = use_i18n();
    let cycle_id = uuid_param("cycle_id");
    let post = ServerAction::<super::api::RecordObservation>::new();
    let error = action_error(post);
    let page = Resource::new(cycle_id, |id| load_or_not_found(id, lesson_study_observe));
    let (selected, photo_outcome) =
        leptos_router::hooks::use_query_map().with_untracked(|q| (q.get("pupil"), q.get("photo")));
    resource_page(page, move |data| {
        let selected = selected.clone().filter(|code| data.pupils.iter().any(|p| &p.code == code));
        Some(
            view! {
                <Title text=format!("{} · {}", t_string!(i18n, lesson_study.observe), data.title)/>
                <p class="breadcrumb"><a href=format!("/ls/{}", data.cycle_id)>{data.title.clone()}</a></p>
                <h1>{t!(i18n, lesson_study.observe)}" · "{t!(i18n, lesson_study.lesson)}" "{data.lesson_number}</h1>
                <p class="muted small">{t!(i18n, lesson_study.observe_privacy)}</p>
                <ErrorAlert error=error/>
                <Show when=move || flashed(&Flash::NoteSaved)>
                    <Alert kind="success"><p>{t!(i18n, lesson_study.note_saved)}</p></Alert>
                </Show>
                {if data.open {
                    view! {
                        <ObservationForm data=data.clone() selected/>
                        <PhotoForm data=data.clone() outcome=photo_outcome.clone()/>
                        <InterviewForm data=data.clone()/>
                    }.into_any()
                } else {
                    view! { <Alert><p>{t!(i18n, lesson_study.observe_closed)}</p></Alert> }.into_any()
                }}
            }
            .into_any(),
        )
    })
}

/// A photo of a case pupil's work (the phone's camera), as a plain multipart form;
/// the server strips location and camera data before storing it.
#[component]
fn PhotoForm(data: ObserveData, outcome: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let message = outcome.as_deref().map(|outcome| match outcome {
        "ok" => ("success", td_string!(locale, lesson_study.photo_saved)),
        "too_large" => ("error", td_string!(locale, errors.file_too_large)),
        "storage_full" => ("error", td_string!(locale, errors.storage_full)),
        "type" => ("error", td_string!(locale, lesson_study.photo_type)),
        "closed" => ("error", td_string!(locale, errors.not_observing)),
        _ => ("error", td_string!(locale, lesson_study.photo_missing)),
    });
    let pupils =
        data.pupils.iter().map(|p| view! { <option value=p.code.clone()>{p.code.clone()}</option> }).collect_view();
    let phases = data
        .phases
        .iter()
        .enumerate()
        .map(|(i, p)| view! { <option value=i.to_string()>{p.title.clone()}</option> })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="photo-title">
            <h2 id="photo-title">{t!(i18n, lesson_study.photo)}</h2>
            <p class="muted small">{t!(i18n, lesson_study.photo_hint)}</p>
            {message.map(|(kind, text)| view! { <Alert kind=kind><p data-testid="photo-outcome">{text}</p></Alert> })}
            <form method="post" action=format!("/ls/lessons/{}/photos", data.lesson_id) enctype="multipart/form-data" class="form">
                <div class="grid-2">
                    <div class="field">
                        <label class="field__label" for="photo-pupil">{t!(i18n, lesson_study.pupil_code)}</label>
                        <select class="field__input" id="photo-pupil" name="pupil">{pupils}</select>
                    </div>
                    <div class="field">
                        <label class="field__label" for="photo-phase">{t!(i18n, lesson_study.plan_phase_title)}</label>
                        <select class="field__input" id="photo-phase" name="phase">{phases}</select>
                    </div>
                </div>
                <div class="field">
                    <label class="field__label" for="photo-file">{t!(i18n, lesson_study.photo_file)}</label>
                    <input class="field__input" type="file" id="photo-file" name="photo" required=true
                        accept="image/jpeg,image/png,image/webp" capture="environment"/>
                </div>
                <button type="submit" class="button">{t!(i18n, lesson_study.photo_submit)}</button>
            </form>
        </section>
    }
}

/// After the lesson: a short interview with a case pupil, as a plain form.
#[component]
fn InterviewForm(data: ObserveData) -> impl IntoView {
    let i18n = use_i18n();
    let post = ServerAction::<super::api::RecordPupilInterview>::new();
    let error = action_error(post);
    let options = data
        .pupils
        .iter()
        .map(|p| view! { <option value=p.code.clone()>{p.code.clone()}" · "{p.typifies.clone()}</option> })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="interview-title">
            <h2 id="interview-title">{t!(i18n, lesson_study.interview)}</h2>
            <p class="muted small">{t!(i18n, lesson_study.interview_hint)}</p>
            <Show when=move || flashed(&Flash::InterviewSaved)>
                <Alert kind="success"><p>{t!(i18n, lesson_study.interview_saved)}</p></Alert>
            </Show>
            <ErrorAlert error=error/>
            <ActionForm action=post attr:class="form" attr:novalidate=true>
                <input type="hidden" name="lesson_id" value=data.lesson_id.to_string()/>
                <input type="hidden" name="id" value=data.fresh_id.to_string()/>
                <SelectField name="pupil" label=text(move || t_string!(i18n, lesson_study.pupil_code)) error=error>
                    {options}
                </SelectField>
                <Field name="text" rows=3 label=text(move || t_string!(i18n, lesson_study.interview_text)) error=error/>
                <button type="submit" class="button">{t!(i18n, lesson_study.interview_submit)}</button>
            </ActionForm>
        </section>
    }
}

/// A new note's id, made on this device (UUID v7: time-ordered, random).
fn new_note_id() -> Uuid {
    #[cfg(feature = "hydrate")]
    {
        let ms = js_sys::Date::now() as u64;
        let at = uuid::Timestamp::from_unix(
            uuid::timestamp::context::NoContext,
            ms / 1000,
            ((ms % 1000) * 1_000_000) as u32,
        );
        Uuid::new_v7(at)
    }
    #[cfg(not(feature = "hydrate"))]
    Uuid::now_v7()
}

fn now_seconds() -> i64 {
    #[cfg(feature = "hydrate")]
    return (js_sys::Date::now() / 1000.0) as i64;
    #[cfg(not(feature = "hydrate"))]
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[island]
fn ObservationForm(data: ObserveData, selected: Option<String>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let lesson_id = data.lesson_id;
    let mut first = NoteQueue::default();
    first.merge_held(&data.held);
    let queue = RwSignal::new(first);
    let pupil = RwSignal::new(selected.or_else(|| data.pupils.first().map(|p| p.code.clone())).unwrap_or_default());
    // Whether the last attempt to send reached the server.
    let reachable = RwSignal::new(true);
    let sending = RwSignal::new(false);
    // After hydration (the first render matches the server's), take in what the phone
    // kept and start sending.
    #[cfg(feature = "hydrate")]
    Effect::new(move |started: Option<()>| {
        if started.is_none() {
            untrack(|| keep_and_send(queue, lesson_id, reachable, sending));
        }
    });
    let _ = (reachable, sending);

    let add = move |phase: usize, mark: Option<Mark>, text: String| {
        let note =
            NoteInput { id: new_note_id(), pupil: pupil.get_untracked(), phase, mark, text, noted_at: now_seconds() };
        if mark.is_none() && note.text.trim().is_empty() {
            return;
        }
        queue.update(|q| q.add(note));
        #[cfg(feature = "hydrate")]
        {
            store(queue, lesson_id);
            send(queue, lesson_id, reachable, sending);
        }
    };

    let status = move || {
        let (saved, waiting) = queue.with(|q| q.counts());
        let mut text = td_string!(locale, lesson_study.notes_saved, count = saved).to_string();
        if waiting > 0 {
            text.push_str(" · ");
            text.push_str(&td_string!(locale, lesson_study.notes_waiting, count = waiting).to_string());
        }
        text
    };
    let pupils = data.pupils.clone();
    let mine = data.mine.clone();
    let tabs = pupils
        .iter()
        .map(|p| {
            let code = p.code.clone();
            let label = if mine.contains(&p.code) {
                format!("{} · {}", p.code, td_string!(locale, lesson_study.your_pupil))
            } else {
                p.code.clone()
            };
            let href = format!("?pupil={}", p.code);
            let (current, chosen) = (code.clone(), code.clone());
            view! {
                <li>
                    <a class="pupil-tab" href=href aria-current=move || (pupil.get() == current).then_some("true")
                        on:click=move |ev| { ev.prevent_default(); pupil.set(chosen.clone()); }>{label}</a>
                </li>
            }
        })
        .collect_view();
    let typifies = {
        let pupils = pupils.clone();
        move || pupils.iter().find(|p| p.code == pupil.get()).map(|p| p.typifies.clone()).unwrap_or_default()
    };
    let phases = data.phases.iter().cloned().enumerate().map(|(i, phase)| {
        let pupils = pupils.clone();
        let prediction = move || {
            pupils
                .iter()
                .find(|p| p.code == pupil.get())
                .and_then(|p| p.predictions.get(i).cloned())
                .filter(|p| !p.trim().is_empty())
                .unwrap_or_else(|| td_string!(locale, lesson_study.no_prediction).to_string())
        };
        let text = NodeRef::<leptos::html::Textarea>::new();
        let take = move |mark: Option<Mark>| {
            let typed = text.get().map(|t| t.value()).unwrap_or_default();
            add(i, mark, typed);
            if let Some(area) = text.get() {
                area.set_value("");
            }
        };
        let notes = move || {
            queue.with(|q| {
                q.notes
                    .iter()
                    .filter(|n| n.note.phase == i && n.note.pupil == pupil.get())
                    .cloned()
                    .collect::<Vec<_>>()
            })
        };
        let area_id = format!("note-{i}");
        view! {
            <section class="card observe-phase" aria-labelledby=format!("phase-{i}")>
                <h2 id=format!("phase-{i}")>{phase.title.clone()}<span class="muted small">" · "{phase.minutes}" min"</span></h2>
                <p class="observe-phase__prediction"><strong>{td_string!(locale, lesson_study.prediction)}": "</strong>{prediction}</p>
                <form method="post" action="/api/record_observation" class="observe-form">
                    <input type="hidden" name="lesson_id" value=lesson_id.to_string()/>
                    <input type="hidden" name="id" value=data.fresh_id.to_string()/>
                    <input type="hidden" name="phase" value=i.to_string()/>
                    <input type="hidden" name="pupil" value=move || pupil.get() prop:value=move || pupil.get()/>
                    <label class="field__label" for=area_id.clone()>{td_string!(locale, lesson_study.note)}</label>
                    <textarea class="field__input field__input--area" id=area_id.clone() name="text" rows="2" node_ref=text></textarea>
                    <div class="mark-buttons">
                        {[Mark::AsPredicted, Mark::Different, Mark::NotSeen].into_iter().map(|mark| view! {
                            <button type="submit" name="mark" value=mark.as_str() class="button mark-button"
                                on:click=move |ev| { ev.prevent_default(); take(Some(mark)); }>{mark_text(locale, mark)}</button>
                        }).collect_view()}
                        <button type="submit" name="mark" value="" class="button button--primary mark-button"
                            on:click=move |ev| { ev.prevent_default(); take(None); }>{td_string!(locale, lesson_study.save_note)}</button>
                    </div>
                </form>
                <ul class="plain-list stack observe-notes">
                    {move || notes().into_iter().map(|n| view! {
                        <li class="observe-note" data-testid="observe-note">
                            {n.note.mark.map(|m| view! { <strong>{mark_text(locale, m)}</strong>" " })}
                            {n.note.text}
                            " "
                            <span class=if n.saved { "badge badge--success" } else { "badge badge--warning" }>
                                {if n.saved { td_string!(locale, lesson_study.note_on_server) } else { td_string!(locale, lesson_study.note_waiting) }}
                            </span>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        }
    }).collect_view();
    view! {
        <p class="observe-status" role="status" aria-live="polite" data-testid="observe-status">{status}</p>
        {move || (!reachable.get()).then(|| view! { <p class="muted small">{td_string!(locale, lesson_study.offline_hint)}</p> })}
        <nav aria-label=td_string!(locale, lesson_study.case_pupils)>
            <ul class="pupil-tabs">{tabs}</ul>
        </nav>
        <p class="muted">{typifies}</p>
        {phases}
    }
}

#[cfg(feature = "hydrate")]
fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// Writes the queue to the phone's storage.
#[cfg(feature = "hydrate")]
fn store(queue: RwSignal<NoteQueue>, lesson_id: Uuid) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(&NoteQueue::key(lesson_id), &queue.with_untracked(NoteQueue::write));
    }
}

/// Takes in what the phone kept from before (a closed tab, a reload), then sends
/// what waits now, when the browser comes back online, and every ten seconds.
#[cfg(feature = "hydrate")]
fn keep_and_send(queue: RwSignal<NoteQueue>, lesson_id: Uuid, reachable: RwSignal<bool>, sending: RwSignal<bool>) {
    // Keeps a copy of this form, so it also opens without a connection (see sw.js).
    let _ = window().navigator().service_worker().register("/sw.js");
    let kept = storage().and_then(|s| s.get_item(&NoteQueue::key(lesson_id)).ok().flatten());
    let mut stored = NoteQueue::read(kept.as_deref());
    let held: Vec<NoteInput> = queue.with_untracked(|q| q.notes.iter().map(|n| n.note.clone()).collect());
    stored.merge_held(&held);
    queue.set(stored);
    store(queue, lesson_id);
    send(queue, lesson_id, reachable, sending);
    let online = window_event_listener(leptos::ev::online, move |_| send(queue, lesson_id, reachable, sending));
    std::mem::forget(online);
    let _ = set_interval_with_handle(
        move || send(queue, lesson_id, reachable, sending),
        std::time::Duration::from_secs(10),
    );
}

/// Sends the oldest waiting notes; what the server holds is marked saved and stored.
#[cfg(feature = "hydrate")]
fn send(queue: RwSignal<NoteQueue>, lesson_id: Uuid, reachable: RwSignal<bool>, sending: RwSignal<bool>) {
    let batch = queue.with_untracked(NoteQueue::waiting);
    if batch.is_empty() || sending.get_untracked() {
        return;
    }
    sending.set(true);
    leptos::task::spawn_local(async move {
        match super::api::record_observations(lesson_id, batch).await {
            Ok(held) => {
                queue.update(|q| q.mark_saved(&held));
                store(queue, lesson_id);
                reachable.set(true);
            }
            Err(_) => reachable.set(false),
        }
        sending.set(false);
        // More may have waited beyond this batch.
        if queue.with_untracked(|q| !q.waiting().is_empty()) && reachable.get_untracked() {
            send(queue, lesson_id, reachable, sending);
        }
    });
}
