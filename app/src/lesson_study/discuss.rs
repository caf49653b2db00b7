//! The post-lesson discussion page: the protocol's steps in order, the data per case
//! pupil (predicted against what every observer saw, phase by phase, with photos and
//! interviews) and the group's record, written by whoever keeps the notes. The
//! decisions go into the revised plan. A plain page with a plain form.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{DiscussionView, SaveLessonDiscussion, lesson_study_discussion};
use super::discussion::{AttendeeRow, MarkCounts, PROTOCOL, ProtocolStep, PupilData};
use super::observe::mark_text;
use crate::account::domain::Flash;
use crate::i18n::*;
use crate::ui::{Alert, ErrorAlert, Field, action_error, flashed, load_or_not_found, resource_page, text, uuid_param};

fn step_title(locale: Locale, step: ProtocolStep) -> &'static str {
    match step {
        ProtocolStep::ThankTeacher => td_string!(locale, lesson_study.protocol_thank),
        ProtocolStep::TeacherRemarks => td_string!(locale, lesson_study.protocol_remarks),
        ProtocolStep::Purpose => td_string!(locale, lesson_study.protocol_purpose),
        ProtocolStep::PupilData => td_string!(locale, lesson_study.protocol_data),
        ProtocolStep::Discussion => td_string!(locale, lesson_study.protocol_discussion),
        ProtocolStep::OtherComments => td_string!(locale, lesson_study.protocol_other),
    }
}

fn step_hint(locale: Locale, step: ProtocolStep) -> &'static str {
    match step {
        ProtocolStep::ThankTeacher => td_string!(locale, lesson_study.protocol_thank_hint),
        ProtocolStep::TeacherRemarks => td_string!(locale, lesson_study.protocol_remarks_hint),
        ProtocolStep::Purpose => td_string!(locale, lesson_study.protocol_purpose_hint),
        ProtocolStep::PupilData => td_string!(locale, lesson_study.protocol_data_hint),
        ProtocolStep::Discussion => td_string!(locale, lesson_study.protocol_discussion_hint),
        ProtocolStep::OtherComments => td_string!(locale, lesson_study.protocol_other_hint),
    }
}

#[component]
pub fn DiscussionPage() -> impl IntoView {
    let cycle_id = uuid_param("cycle_id");
    let lesson = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("lesson").and_then(|n| n.parse::<i16>().ok()))
        .unwrap_or(0);
    let save = ServerAction::<SaveLessonDiscussion>::new();
    let page = Resource::new(
        move || (cycle_id(), save.version().try_get()),
        move |(id, _)| load_or_not_found(id, move |id| lesson_study_discussion(id, lesson)),
    );
    resource_page(page, move |data| Some(view! { <Discussion data save/> }.into_any()))
}

#[component]
fn Discussion(data: DiscussionView, save: ServerAction<SaveLessonDiscussion>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let cycle_id = data.cycle_id;
    let others = data.taught_lessons.iter().copied().filter(|n| *n != data.lesson_number).collect::<Vec<_>>();
    let teacher = data.teacher.clone().unwrap_or_default();
    let other = data.knowledgeable_other.clone();
    view! {
        <Title text=format!("{} · {}", t_string!(i18n, lesson_study.discussion), data.title)/>
        <p class="breadcrumb"><a href=format!("/ls/{cycle_id}")>{data.title.clone()}</a></p>
        <h1>{t!(i18n, lesson_study.discussion)}" · "{t!(i18n, lesson_study.lesson)}" "{data.lesson_number}</h1>
        {(!others.is_empty()).then(|| view! {
            <p class="muted">
                {t!(i18n, lesson_study.other_discussions)}" "
                {others.into_iter().map(|n| view! { <a href=format!("/ls/{cycle_id}/discuss?lesson={n}")>{t!(i18n, lesson_study.lesson)}" "{n}</a>" " }).collect_view()}
            </p>
        })}
        <Show when=move || flashed(&Flash::DiscussionSaved)>
            <Alert kind="success"><p>{t!(i18n, lesson_study.discussion_saved)}</p></Alert>
        </Show>
        <Show when=move || flashed(&Flash::PhotoRemoved)>
            <Alert kind="success"><p>{t!(i18n, lesson_study.photo_removed)}</p></Alert>
        </Show>
        <section class="card" aria-labelledby="protocol-title">
            <h2 id="protocol-title">{t!(i18n, lesson_study.protocol)}</h2>
            <ol class="stack protocol" data-testid="protocol">
                {PROTOCOL.iter().map(|step| {
                    let detail = match step {
                        ProtocolStep::ThankTeacher | ProtocolStep::TeacherRemarks => (!teacher.is_empty()).then(|| teacher.clone()),
                        ProtocolStep::Purpose => Some(data.learning_question.clone()),
                        ProtocolStep::OtherComments => other.clone(),
                        _ => None,
                    };
                    view! {
                        <li>
                            <strong>{step_title(locale, *step)}</strong>
                            {detail.map(|d| view! { " · "<span class="prose-text">{d}</span> })}
                            <br/><span class="muted small">{step_hint(locale, *step)}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
            {(!data.goals.is_empty()).then(|| view! { <h3>{t!(i18n, lesson_study.plan_goals)}</h3><p class="prose-text">{data.goals.clone()}</p> })}
        </section>
        <section class="card" aria-labelledby="pupil-data-title">
            <h2 id="pupil-data-title">{t!(i18n, lesson_study.protocol_data)}</h2>
            <p class="muted small">{t!(i18n, lesson_study.pupil_data_hint)}</p>
            {if data.pupils.is_empty() {
                Either::Left(view! { <p class="muted">{t!(i18n, lesson_study.no_case_pupils)}</p> })
            } else {
                Either::Right(data.pupils.clone().into_iter().map(|pupil| view! { <PupilTable pupil/> }).collect_view())
            }}
        </section>
        <DiscussionRecordCard data=data.clone() save/>
    }
}

fn marks_line(locale: Locale, marks: MarkCounts) -> String {
    use super::domain::Mark;
    [(Mark::AsPredicted, marks.as_predicted), (Mark::Different, marks.different), (Mark::NotSeen, marks.not_seen)]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(mark, n)| format!("{} × {n}", mark_text(locale, mark)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// One case pupil: per lesson phase the prediction next to every observer's notes.
#[component]
pub(super) fn PupilTable(pupil: PupilData) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let code = pupil.code.clone();
    view! {
        <h3 data-testid=format!("pupil-{code}")>{pupil.code.clone()}" "<span class="muted small">{pupil.typifies.clone()}</span></h3>
        {(!pupil.observers.is_empty()).then(|| view! {
            <p class="muted small">{t!(i18n, lesson_study.followed_by)}" "{pupil.observers.join(", ")}</p>
        })}
        <div class="table-wrap">
            <table class="table pupil-data">
                <caption class="visually-hidden">{t!(i18n, lesson_study.protocol_data)}" · "{code.clone()}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, lesson_study.plan_phase_title)}</th>
                        <th scope="col">{t!(i18n, lesson_study.prediction)}</th>
                        <th scope="col">{t!(i18n, lesson_study.observed)}</th>
                    </tr>
                </thead>
                <tbody>
                    {pupil.phases.into_iter().map(|phase| {
                        let marks = marks_line(locale, phase.marks);
                        let empty = phase.notes.is_empty() && phase.photos.is_empty();
                        let code = code.clone();
                        view! {
                            <tr>
                                <th scope="row">{phase.title}</th>
                                <td class="prose-text">{phase.prediction}</td>
                                <td>
                                    {(!marks.is_empty()).then(|| view! { <p><strong>{marks}</strong></p> })}
                                    {empty.then(|| view! { <p class="muted">{t!(i18n, lesson_study.nothing_noted)}</p> })}
                                    <ul class="plain-list small">
                                        {phase.notes.into_iter().filter(|n| !n.text.is_empty()).map(|note| view! {
                                            <li><span class="prose-text">{note.text}</span>" "<span class="muted">"· "{note.observer}</span></li>
                                        }).collect_view()}
                                    </ul>
                                    {(!phase.photos.is_empty()).then(|| view! {
                                        <p class="photo-strip">
                                            {phase.photos.into_iter().map(|photo| {
                                                let alt = format!("{} {code} · {}", td_string!(locale, lesson_study.photo_of_work), photo.observer);
                                                view! {
                                                    <span class="photo">
                                                        <a href=format!("/ls/photos/{}", photo.id)><img class="photo-thumb" src=format!("/ls/photos/{}", photo.id) alt=alt loading="lazy"/></a>
                                                        {photo.may_remove.then(|| view! {
                                                            <form method="post" action="/api/remove_lesson_photo" class="inline-form">
                                                                <input type="hidden" name="photo_id" value=photo.id.to_string()/>
                                                                <button type="submit" class="button button--small">{t!(i18n, lesson_study.photo_remove)}</button>
                                                            </form>
                                                        })}
                                                    </span>
                                                }
                                            }).collect_view()}
                                        </p>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {(!pupil.interviews.is_empty()).then(|| view! {
            <h4>{t!(i18n, lesson_study.interviews)}</h4>
            <ul class="plain-list stack">
                {pupil.interviews.into_iter().map(|i| view! {
                    <li><span class="prose-text">{i.text}</span>" "<span class="muted small">"· "{i.interviewer}</span></li>
                }).collect_view()}
            </ul>
        })}
    }
}

/// The record: the teacher's remarks, conclusions, decisions for the revision, the
/// knowledgeable other's comments, and who took part.
#[component]
fn DiscussionRecordCard(data: DiscussionView, save: ServerAction<SaveLessonDiscussion>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let error = action_error(save);
    let record = data.record.clone();
    if !data.open {
        let row = |label: &'static str, value: String| {
            (!value.is_empty()).then(|| view! { <dt>{label}</dt><dd class="prose-text">{value}</dd> })
        };
        let present: Vec<String> =
            data.people.iter().filter(|p| data.attendees.contains(&p.id)).map(|p| p.name.clone()).collect();
        return view! {
            <section class="card" aria-labelledby="record-title">
                <h2 id="record-title">{t!(i18n, lesson_study.record)}</h2>
                {if record.is_empty() {
                    Either::Left(view! { <p class="muted">{t!(i18n, lesson_study.record_empty)}</p> })
                } else {
                    Either::Right(view! {
                        <dl class="details">
                            {row(td_string!(locale, lesson_study.teacher_remarks), record.teacher_remarks)}
                            {row(td_string!(locale, lesson_study.conclusions), record.conclusions)}
                            {row(td_string!(locale, lesson_study.decisions), record.decisions)}
                            {row(td_string!(locale, lesson_study.other_comments), record.other_comments)}
                            {row(td_string!(locale, lesson_study.took_part), present.join(", "))}
                        </dl>
                    })
                }}
            </section>
        }
        .into_any();
    }
    view! {
        <section class="card" aria-labelledby="record-title">
            <h2 id="record-title">{t!(i18n, lesson_study.record)}</h2>
            <p class="muted small">{t!(i18n, lesson_study.record_hint)}</p>
            <ErrorAlert error=error/>
            <ActionForm action=save attr:class="form" attr:novalidate=true>
                <input type="hidden" name="lesson_id" value=data.lesson_id.to_string()/>
                <input type="hidden" name="version" value=data.version.to_string()/>
                <Field name="teacher_remarks" rows=3 value=record.teacher_remarks label=text(move || t_string!(i18n, lesson_study.teacher_remarks)) error=error/>
                <Field name="conclusions" rows=4 value=record.conclusions label=text(move || t_string!(i18n, lesson_study.conclusions)) error=error/>
                <Field name="decisions" rows=4 value=record.decisions label=text(move || t_string!(i18n, lesson_study.decisions))
                    hint=text(move || t_string!(i18n, lesson_study.decisions_hint)) error=error/>
                <Field name="other_comments" rows=3 value=record.other_comments label=text(move || t_string!(i18n, lesson_study.other_comments)) error=error/>
                <fieldset class="fieldset checks">
                    <legend>{t!(i18n, lesson_study.took_part)}</legend>
                    {data.people.iter().enumerate().map(|(i, p)| {
                        let id = format!("field-{}", AttendeeRow::field(i, "present"));
                        view! {
                            <input type="hidden" name=AttendeeRow::field(i, "user") value=p.id.to_string()/>
                            <div class="field field--check">
                                <input type="checkbox" id=id.clone() name=AttendeeRow::field(i, "present") value="on" checked=data.attendees.contains(&p.id)/>
                                <label for=id>{p.name.clone()}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="button button--primary">{t!(i18n, lesson_study.save_record)}</button>
            </ActionForm>
        </section>
    }
    .into_any()
}
