//! Pages of lesson study: the community's card, the start form, the cycle page (where
//! it stands, what each member is asked to do next, the research lessons with their
//! teacher, class, meeting and observers, the current plan and what changed since it
//! was last taught), the plan form, and a print view of the plan and the observers'
//! forms. Every form is a plain POST first.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use uuid::Uuid;

use super::api::{
    AdvanceLessonStudy, CycleSummary, CycleView, LessonView, MyCycle, SaveLessonPlan, SetUpResearchLesson,
    StartLessonStudy, lesson_study_cycle, lesson_study_start_form,
};
use super::domain::{CyclePhase, LESSONS_MAX, LessonPlan, PhaseChange, PlanField, PlanForm, phase_field, pupil_field};
use super::roles::{NextStep, observer_field};
use crate::account::domain::Flash;
use crate::i18n::*;
use crate::notification::domain::when_text;
use crate::ui::{Alert, ErrorAlert, Field, SelectField, action_error, flashed, language_of, load_or_not_found};
use crate::ui::{kept_input, text, uuid_param};
use crate::ui::{loaded, resource_page, signed_in};

pub fn phase_text(locale: Locale, phase: CyclePhase) -> &'static str {
    match phase {
        CyclePhase::Study => td_string!(locale, lesson_study.phase_study),
        CyclePhase::Plan => td_string!(locale, lesson_study.phase_plan),
        CyclePhase::Teach => td_string!(locale, lesson_study.phase_teach),
        CyclePhase::Discuss => td_string!(locale, lesson_study.phase_discuss),
        CyclePhase::Revise => td_string!(locale, lesson_study.phase_revise),
        CyclePhase::Share => td_string!(locale, lesson_study.phase_share),
        CyclePhase::Done => td_string!(locale, lesson_study.phase_done),
    }
}

fn step_text(locale: Locale, step: NextStep) -> &'static str {
    match step {
        NextStep::StudyTheme => td_string!(locale, lesson_study.step_study_theme),
        NextStep::WritePlan => td_string!(locale, lesson_study.step_write_plan),
        NextStep::SetUpLesson => td_string!(locale, lesson_study.step_set_up_lesson),
        NextStep::TeachLesson => td_string!(locale, lesson_study.step_teach_lesson),
        NextStep::ObservePupils => td_string!(locale, lesson_study.step_observe_pupils),
        NextStep::FollowLesson => td_string!(locale, lesson_study.step_follow_lesson),
        NextStep::JoinDiscussion => td_string!(locale, lesson_study.step_join_discussion),
        NextStep::WriteReport => td_string!(locale, lesson_study.step_write_report),
        NextStep::Nothing => td_string!(locale, lesson_study.step_nothing),
    }
}

pub(super) fn field_text(locale: Locale, field: PlanField) -> &'static str {
    match field {
        PlanField::Title => td_string!(locale, lesson_study.plan_phase_title),
        PlanField::Minutes => td_string!(locale, lesson_study.plan_minutes),
        PlanField::Teacher => td_string!(locale, lesson_study.plan_teacher),
        PlanField::Pupils => td_string!(locale, lesson_study.plan_pupils),
        PlanField::Anticipated => td_string!(locale, lesson_study.plan_anticipated),
        PlanField::Predictions => td_string!(locale, lesson_study.plan_predictions),
    }
}

/// The lesson-study card on the community page.
#[component]
pub fn LessonStudyCard(community_id: Uuid, cycles: Vec<CycleSummary>, facilitator: bool) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <section class="card" aria-labelledby="lesson-study-title" data-testid="lesson-study-card">
            <div class="card__head">
                <h2 id="lesson-study-title">{t!(i18n, lesson_study.title)}</h2>
                {facilitator.then(|| view! {
                    <a class="button button--small button--primary" href=format!("/c/{community_id}/lesson-study/new")>{t!(i18n, lesson_study.start)}</a>
                })}
            </div>
            {if cycles.is_empty() {
                Either::Left(view! { <p class="muted">{t!(i18n, lesson_study.none)}</p> })
            } else {
                Either::Right(view! {
                    <ul class="plain-list stack">
                        {cycles.into_iter().map(|c| view! {
                            <li>
                                <a href=format!("/ls/{}", c.id)>{c.title}</a>
                                " "<span class="badge">{phase_text(locale, c.phase)}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                })
            }}
        </section>
    }
}

/// The home page's card: the viewer's running cycles and their next step in each
/// (nothing when they have none).
#[component]
pub fn MyCycles(cycles: Vec<MyCycle>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    (!cycles.is_empty()).then(|| {
        view! {
            <section class="card" aria-labelledby="my-cycles-title" data-testid="my-cycles">
                <h2 id="my-cycles-title">{t!(i18n, lesson_study.title)}</h2>
                <ul class="plain-list stack">
                    {cycles.into_iter().map(|c| view! {
                        <li>
                            <a href=format!("/ls/{}", c.id)>{c.title}</a>
                            " "<span class="badge">{phase_text(locale, c.phase)}</span>
                            <br/><span class="muted small">{c.community_name}</span>
                            <br/>{step_text(locale, c.next_step)}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
pub fn StartCyclePage() -> impl IntoView {
    let i18n = use_i18n();
    let community_id = uuid_param("id");
    let start = ServerAction::<StartLessonStudy>::new();
    let error = action_error(start);
    let form = Resource::new(community_id, |id| load_or_not_found(id, lesson_study_start_form));
    signed_in(move |_| {
        view! {
            <Title text=t_string!(i18n, lesson_study.start)/>
            {loaded(form, move |data| Some({
                // After a failed post without JavaScript, the choices as made.
                let lessons = kept_input("lessons_planned").unwrap_or_else(|| "2".to_string());
                let other = kept_input("knowledgeable_other").unwrap_or_default();
                let lesson_options = (1..=LESSONS_MAX)
                    .map(|n| view! { <option value=n.to_string() selected=n.to_string() == lessons>{n}</option> })
                    .collect_view();
                let other_options = data
                    .people
                    .iter()
                    .map(|p| view! { <option value=p.id.to_string() selected=p.id.to_string() == other>{p.name.clone()}</option> })
                    .collect_view();
                view! {
                <section class="card narrow-wide">
                    <p class="breadcrumb"><a href=format!("/c/{}", data.community_id)>{data.community_name.clone()}</a></p>
                    <h1>{t!(i18n, lesson_study.start)}</h1>
                    <p class="lead">{t!(i18n, lesson_study.start_intro)}</p>
                    <ErrorAlert error=error/>
                    <ActionForm action=start attr:class="form" attr:novalidate=true>
                        <input type="hidden" name="community_id" value=data.community_id.to_string()/>
                        <Field name="title" required=true label=text(move || t_string!(i18n, lesson_study.field_title))
                            hint=text(move || t_string!(i18n, lesson_study.field_title_hint)) error=error/>
                        <div class="grid-2">
                            <Field name="subject" label=text(move || t_string!(i18n, lesson_study.field_subject)) error=error/>
                            <Field name="year_group" label=text(move || t_string!(i18n, lesson_study.field_year_group)) error=error/>
                        </div>
                        <Field name="theme" rows=3 label=text(move || t_string!(i18n, lesson_study.field_theme))
                            hint=text(move || t_string!(i18n, lesson_study.field_theme_hint)) error=error/>
                        <Field name="learning_question" rows=3 required=true label=text(move || t_string!(i18n, lesson_study.field_question))
                            hint=text(move || t_string!(i18n, lesson_study.field_question_hint)) error=error/>
                        <Field name="agreements" rows=4 label=text(move || t_string!(i18n, lesson_study.field_agreements))
                            hint=text(move || t_string!(i18n, lesson_study.field_agreements_hint)) error=error/>
                        <SelectField name="lessons_planned" label=text(move || t_string!(i18n, lesson_study.field_lessons)) error=error>
                            {lesson_options}
                        </SelectField>
                        <SelectField name="knowledgeable_other" label=text(move || t_string!(i18n, lesson_study.field_other))
                            hint=text(move || t_string!(i18n, lesson_study.field_other_hint)) error=error>
                            <option value="">{t!(i18n, lesson_study.nobody_yet)}</option>
                            {other_options}
                        </SelectField>
                        <button type="submit" class="button button--primary">{t!(i18n, lesson_study.start_submit)}</button>
                    </ActionForm>
                </section>
                }.into_any()
            }))}
        }
    })
}

#[derive(Clone, Copy)]
struct CycleActions {
    advance: ServerAction<AdvanceLessonStudy>,
    set_up: ServerAction<SetUpResearchLesson>,
}

#[component]
pub fn CyclePageView() -> impl IntoView {
    let cycle_id = uuid_param("cycle_id");
    let actions = CycleActions { advance: ServerAction::new(), set_up: ServerAction::new() };
    let page = Resource::new(
        move || (cycle_id(), actions.advance.version().try_get(), actions.set_up.version().try_get()),
        |(id, ..)| load_or_not_found(id, lesson_study_cycle),
    );
    resource_page(page, move |cycle| Some(view! { <Cycle cycle actions/> }.into_any()))
}

#[component]
fn Cycle(cycle: CycleView, actions: CycleActions) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let advance_error = action_error(actions.advance);
    let (done, all) = cycle.progress;
    let plan_open = matches!(cycle.phase, CyclePhase::Study | CyclePhase::Plan | CyclePhase::Revise);
    let id = cycle.id;
    let current = cycle.lessons.last().cloned();
    let step_link = match cycle.next_step {
        NextStep::WritePlan => Some((format!("/ls/{id}/plan"), td_string!(locale, lesson_study.edit_plan))),
        NextStep::ObservePupils => Some((format!("/ls/{id}/observe"), td_string!(locale, lesson_study.observe_open))),
        NextStep::TeachLesson => Some((format!("/ls/{id}/print"), td_string!(locale, lesson_study.print))),
        NextStep::JoinDiscussion => {
            Some((format!("/ls/{id}/discuss"), td_string!(locale, lesson_study.open_discussion)))
        }
        NextStep::WriteReport => Some((format!("/ls/{id}/report"), td_string!(locale, lesson_study.open_report))),
        _ => None,
    };
    let planned = cycle.lessons_planned;
    let lesson_of =
        move |number: i16| td_string!(locale, lesson_study.lesson_of, number = number, planned = planned).to_string();
    let lesson_line = current.as_ref().map(|l| lesson_of(l.number));
    view! {
        <Title text=cycle.title.clone()/>
        <p class="breadcrumb"><a href=format!("/c/{}", cycle.community_id)>{cycle.community_name.clone()}</a></p>
        <div class="page-head">
            <h1>{cycle.title.clone()}</h1>
            <span class="badge" data-testid="cycle-phase">{phase_text(locale, cycle.phase)}</span>
        </div>
        <Show when=move || flashed(&Flash::LessonSetUp)>
            <Alert kind="success"><p>{t!(i18n, lesson_study.lesson_set_up)}</p></Alert>
        </Show>
        <section class="card" aria-labelledby="cycle-now">
            <h2 id="cycle-now">{t!(i18n, lesson_study.where_now)}</h2>
            <p>
                <label for="cycle-progress">{phase_text(locale, cycle.phase)}{lesson_line.map(|l| format!(" · {l}"))}</label>
                <progress id="cycle-progress" class="progress" max=all.to_string() value=done.to_string()>{format!("{done}/{all}")}</progress>
            </p>
            <p class="lead" data-testid="next-step">{step_text(locale, cycle.next_step)}</p>
            {step_link.map(|(href, label)| view! { <p><a class="button" href=href>{label}</a></p> })}
            {(cycle.phase == CyclePhase::Done).then(|| view! {
                <p><a class="button" href=format!("/ls/{id}/report")>{t!(i18n, lesson_study.open_report)}</a></p>
            })}
            {cycle.may_lead.then(|| cycle.next_phase.map(|next| view! {
                <ErrorAlert error=advance_error/>
                <ActionForm action=actions.advance attr:class="inline-form">
                    <input type="hidden" name="cycle_id" value=id.to_string()/>
                    <input type="hidden" name="from" value=cycle.phase.as_str()/>
                    <button type="submit" class="button button--primary">
                        {t!(i18n, lesson_study.move_on)}" "{phase_text(locale, next)}
                    </button>
                </ActionForm>
            }))}
        </section>
        <div class="grid-2">
            <CycleDetails cycle=cycle.clone()/>
            <section class="card" aria-labelledby="cycle-lessons">
                <h2 id="cycle-lessons">{t!(i18n, lesson_study.lessons)}</h2>
                <ol class="plain-list stack">
                    {cycle.lessons.iter().cloned().map(|l| view! { <li><LessonSummary lesson=l cycle_id=id/></li> }).collect_view()}
                </ol>
                {(cycle.may_lead && current.as_ref().is_some_and(|l| !l.taught) && cycle.phase != CyclePhase::Share && cycle.phase != CyclePhase::Done)
                    .then(|| view! { <SetUpForm cycle=cycle.clone() action=actions.set_up/> })}
            </section>
        </div>
        <section class="card" aria-labelledby="cycle-plan">
            <div class="card__head">
                <h2 id="cycle-plan">{t!(i18n, lesson_study.plan_title)}" · "{lesson_of(cycle.plan.lesson)}</h2>
                <span>
                    {plan_open.then(|| view! { <a class="button button--small" href=format!("/ls/{id}/plan")>{t!(i18n, lesson_study.edit_plan)}</a> })}
                    " "<a class="button button--small" href=format!("/ls/{id}/print")>{t!(i18n, lesson_study.print)}</a>
                </span>
            </div>
            {if cycle.plan.version == 0 {
                Either::Left(view! { <p class="muted">{t!(i18n, lesson_study.plan_empty)}</p> })
            } else {
                Either::Right(view! {
                    <p class="muted small">{t!(i18n, lesson_study.plan_version)}" "{cycle.plan.version}</p>
                    <PlanView plan=cycle.plan.plan.clone()/>
                })
            }}
            {cycle.changes.clone().map(|changes| view! { <PlanChangesView changes=changes.phases since=changes.since_lesson/> })}
        </section>
    }
}

#[component]
fn CycleDetails(cycle: CycleView) -> impl IntoView {
    let i18n = use_i18n();
    let row = |label: &'static str, value: String| {
        (!value.is_empty()).then(|| view! { <dt>{label}</dt><dd class="prose-text">{value}</dd> })
    };
    let locale = i18n.get_locale_untracked();
    view! {
        <section class="card" aria-labelledby="cycle-details">
            <h2 id="cycle-details">{t!(i18n, lesson_study.details)}</h2>
            <dl class="details">
                {row(td_string!(locale, lesson_study.field_question), cycle.learning_question)}
                {row(td_string!(locale, lesson_study.field_subject), cycle.subject)}
                {row(td_string!(locale, lesson_study.field_year_group), cycle.year_group)}
                {row(td_string!(locale, lesson_study.field_theme), cycle.theme)}
                {row(td_string!(locale, lesson_study.field_agreements), cycle.agreements)}
                {row(td_string!(locale, lesson_study.field_other), cycle.knowledgeable_other.unwrap_or_default())}
            </dl>
        </section>
    }
}

#[component]
fn LessonSummary(lesson: LessonView, cycle_id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let meeting = lesson.meeting.clone();
    view! {
        <p>
            <strong>{t!(i18n, lesson_study.lesson)}" "{lesson.number}</strong>
            {(!lesson.class_name.is_empty()).then(|| format!(" · {}", lesson.class_name))}
            {lesson.taught.then(|| view! {
                " "<span class="badge badge--success">{t!(i18n, lesson_study.taught)}</span>
                " "<a href=format!("/ls/{cycle_id}/discuss?lesson={}", lesson.number)>{t!(i18n, lesson_study.discussion)}</a>
            })}
        </p>
        <p class="muted small">
            {t!(i18n, lesson_study.teacher)}": "
            {lesson.teacher.map(|t| t.name).unwrap_or_else(|| td_string!(locale, lesson_study.nobody_yet).to_string())}
            {meeting.map(|m| view! {
                " · "<a href=format!("/m/{}", m.id)>{move || when_text(language_of(i18n.get_locale()), m.starts_at, m.ends_at)}</a>
            })}
        </p>
        {(!lesson.observers.is_empty()).then(|| view! {
            <ul class="plain-list small">
                {lesson.observers.into_iter().map(|o| view! {
                    <li>{o.person.name}" · "{o.codes.join(", ")}</li>
                }).collect_view()}
            </ul>
        })}
    }
}

/// The facilitator's set-up of the current research lesson.
#[component]
fn SetUpForm(cycle: CycleView, action: ServerAction<SetUpResearchLesson>) -> impl IntoView {
    let i18n = use_i18n();
    let error = action_error(action);
    let Some(lesson) = cycle.lessons.last().cloned() else { return ().into_any() };
    // After a failed post without JavaScript, the choices as made; else as saved.
    let chosen = |name: &str, saved: Option<Uuid>| match kept_input(name) {
        Some(kept) => Uuid::parse_str(&kept).ok(),
        None => saved,
    };
    let teacher = chosen("teacher", lesson.teacher.as_ref().map(|t| t.id));
    let meeting = chosen("meeting", lesson.meeting.as_ref().map(|m| m.id));
    let observers = lesson.observers.clone();
    let codes_of = move |person: Uuid| {
        observers.iter().find(|o| o.person.id == person).map(|o| o.codes.join(" ")).unwrap_or_default()
    };
    let codes_hint = cycle.plan.plan.case_pupils.iter().map(|p| p.code.clone()).collect::<Vec<_>>().join(", ");
    let teacher_options = cycle
        .people
        .iter()
        .map(|p| view! { <option value=p.id.to_string() selected=teacher == Some(p.id)>{p.name.clone()}</option> })
        .collect_view();
    let when = move |m: &super::api::LessonMeeting| {
        let (starts, ends) = (m.starts_at, m.ends_at);
        move || when_text(language_of(i18n.get_locale()), starts, ends)
    };
    let kept_meeting = lesson.meeting.clone().filter(|m| !cycle.meetings.iter().any(|o| o.id == m.id)).map(|m| {
        view! { <option value=m.id.to_string() selected=true>{when(&m)}</option> }
    });
    let meeting_options = cycle
        .meetings
        .iter()
        .map(|m| {
            let title = if m.title.is_empty() { String::new() } else { format!(" · {}", m.title) };
            view! { <option value=m.id.to_string() selected=meeting == Some(m.id)>{when(m)}{title}</option> }
        })
        .collect_view();
    view! {
        <details class="disclosure" open=lesson.teacher.is_none()>
            <summary>{t!(i18n, lesson_study.set_up)}</summary>
            <ErrorAlert error=error/>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <input type="hidden" name="lesson_id" value=lesson.id.to_string()/>
                <SelectField name="teacher" label=text(move || t_string!(i18n, lesson_study.teacher)) error=error>
                    <option value="">{t!(i18n, lesson_study.nobody_yet)}</option>
                    {teacher_options}
                </SelectField>
                <Field name="class_name" value=lesson.class_name.clone() label=text(move || t_string!(i18n, lesson_study.class_name)) error=error/>
                <SelectField name="meeting" label=text(move || t_string!(i18n, lesson_study.meeting))
                    hint=text(move || t_string!(i18n, lesson_study.meeting_hint)) error=error>
                        <option value="">{t!(i18n, lesson_study.no_meeting)}</option>
                        {kept_meeting}
                        {meeting_options}
                </SelectField>
                <fieldset class="fieldset">
                    <legend>{t!(i18n, lesson_study.observers)}</legend>
                    <p class="field__hint">{t!(i18n, lesson_study.observers_hint)}" "{codes_hint}</p>
                    {cycle.people.iter().enumerate().map(|(i, p)| view! {
                        <input type="hidden" name=observer_field(i, "user") value=p.id.to_string()/>
                        <Field name=observer_field(i, "codes") value=codes_of(p.id) label=Signal::stored(p.name.clone()) error=error/>
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="button button--primary">{t!(i18n, lesson_study.set_up_submit)}</button>
            </ActionForm>
        </details>
    }
    .into_any()
}

/// A plan as a table of its phases and one of its case pupils' predictions.
#[component]
pub(super) fn PlanView(plan: LessonPlan) -> impl IntoView {
    let i18n = use_i18n();
    let phases = plan.phases.clone();
    view! {
        {(!plan.goals.is_empty()).then(|| view! { <h3>{t!(i18n, lesson_study.plan_goals)}</h3><p class="prose-text">{plan.goals.clone()}</p> })}
        {(!plan.rationale.is_empty()).then(|| view! { <h3>{t!(i18n, lesson_study.rationale)}</h3><p class="prose-text" data-testid="plan-rationale">{plan.rationale.clone()}</p> })}
        <div class="table-wrap">
            <table class="table">
                <caption class="visually-hidden">{t!(i18n, lesson_study.plan_phases)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, lesson_study.plan_phase_title)}</th>
                        <th scope="col">{t!(i18n, lesson_study.plan_minutes)}</th>
                        <th scope="col">{t!(i18n, lesson_study.plan_teacher)}</th>
                        <th scope="col">{t!(i18n, lesson_study.plan_pupils)}</th>
                        <th scope="col">{t!(i18n, lesson_study.plan_anticipated)}</th>
                    </tr>
                </thead>
                <tbody>
                    {plan.phases.iter().cloned().map(|p| view! {
                        <tr>
                            <th scope="row">{p.title}</th>
                            <td>{p.minutes}</td>
                            <td class="prose-text">{p.teacher}</td>
                            <td class="prose-text">{p.pupils}</td>
                            <td class="prose-text">{p.anticipated}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h3>{t!(i18n, lesson_study.case_pupils)}</h3>
        <div class="table-wrap">
            <table class="table">
                <caption class="visually-hidden">{t!(i18n, lesson_study.plan_predictions)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, lesson_study.pupil_code)}</th>
                        {phases.iter().map(|p| view! { <th scope="col">{p.title.clone()}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {plan.case_pupils.iter().cloned().map(|pupil| {
                        let predictions = (0..phases.len()).map(|i| pupil.predictions.get(i).cloned().unwrap_or_default()).collect::<Vec<_>>();
                        view! {
                            <tr>
                                <th scope="row">{pupil.code}<br/><span class="muted small">{pupil.typifies}</span></th>
                                {predictions.into_iter().map(|p| view! { <td class="prose-text">{p}</td> }).collect_view()}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub(super) fn PlanChangesView(changes: Vec<PhaseChange>, since: i16) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let changed = changes.iter().any(|c| !matches!(c, PhaseChange::Same { .. }));
    view! {
        <h3>{t!(i18n, lesson_study.changes_since)}" "{since}</h3>
        {if changed {
            Either::Left(view! {
                <ul class="plain-list stack" data-testid="plan-changes">
                    {changes.into_iter().map(|c| match c {
                        PhaseChange::Same { title } => view! { <li class="muted">{title}" · "{t!(i18n, lesson_study.change_same)}</li> }.into_any(),
                        PhaseChange::Added { title } => view! { <li><strong>{title}</strong>" · "{t!(i18n, lesson_study.change_added)}</li> }.into_any(),
                        PhaseChange::Removed { title } => view! { <li><s>{title}</s>" · "{t!(i18n, lesson_study.change_removed)}</li> }.into_any(),
                        PhaseChange::Changed { before, title, fields } => {
                            let what = fields.iter().map(|f| field_text(locale, *f)).collect::<Vec<_>>().join(", ");
                            let renamed = (before != title).then(|| format!(" ({before})"));
                            view! { <li><strong>{title}</strong>{renamed}" · "{t!(i18n, lesson_study.change_changed)}" "{what}</li> }.into_any()
                        }
                    }).collect_view()}
                </ul>
            })
        } else {
            Either::Right(view! { <p class="muted">{t!(i18n, lesson_study.no_changes)}</p> })
        }}
    }
}

/// The plan form: goals, the phases (one empty row to add one), and the case pupils
/// with a prediction per phase. A save names the version it started from.
#[component]
pub fn PlanPage() -> impl IntoView {
    let i18n = use_i18n();
    let cycle_id = uuid_param("cycle_id");
    let save = ServerAction::<SaveLessonPlan>::new();
    let error = action_error(save);
    let page = Resource::new(cycle_id, |id| load_or_not_found(id, lesson_study_cycle));
    signed_in(move |_| {
        view! {
            <Title text=t_string!(i18n, lesson_study.edit_plan)/>
            {loaded(page, move |cycle| {
                let form = PlanForm::of(&cycle.plan.plan);
                // A revision starts from the discussion's decisions; later lessons keep
                // the reason they were changed.
                let revising = cycle.phase == CyclePhase::Revise || !form.rationale.is_empty();
                let rationale =
                    if form.rationale.is_empty() { cycle.decisions.clone() } else { form.rationale.clone() };
                let mut pupils = form.pupils.clone();
                // Room for one more case pupil, up to the maximum.
                if pupils.len() < super::domain::CASE_PUPILS_MAX {
                    pupils.push(Default::default());
                }
                let phases = form.phases.clone();
                Some(view! {
                    <p class="breadcrumb"><a href=format!("/ls/{}", cycle.id)>{cycle.title.clone()}</a></p>
                    <h1>{t!(i18n, lesson_study.edit_plan)}</h1>
                    <p class="lead">{t!(i18n, lesson_study.plan_intro)}</p>
                    <Show when=move || flashed(&Flash::PlanSaved)>
                        <Alert kind="success">
                            <p>{t!(i18n, lesson_study.plan_saved)}" "<a href=format!("/ls/{}", cycle.id)>{t!(i18n, lesson_study.back_to_cycle)}</a></p>
                        </Alert>
                    </Show>
                    <ErrorAlert error=error/>
                    <ActionForm action=save attr:class="form" attr:novalidate=true>
                        <input type="hidden" name="cycle_id" value=cycle.id.to_string()/>
                        <input type="hidden" name="version" value=cycle.plan.version.to_string()/>
                        <Field name="goals" rows=3 value=form.goals.clone() label=text(move || t_string!(i18n, lesson_study.plan_goals)) error=error/>
                        {revising.then(|| view! {
                            <Field name="rationale" rows=4 value=rationale.clone() label=text(move || t_string!(i18n, lesson_study.rationale))
                                hint=text(move || t_string!(i18n, lesson_study.rationale_hint)) error=error/>
                        })}
                        <h2>{t!(i18n, lesson_study.plan_phases)}</h2>
                        <p class="field__hint">{t!(i18n, lesson_study.plan_phases_hint)}</p>
                        {phases.iter().cloned().enumerate().map(|(i, p)| view! {
                            <fieldset class="fieldset">
                                <legend>{t!(i18n, lesson_study.plan_phase)}" "{i + 1}</legend>
                                <div class="grid-2">
                                    <Field name=phase_field(i, "title") value=p.title label=text(move || t_string!(i18n, lesson_study.plan_phase_title)) error=error/>
                                    <Field name=phase_field(i, "minutes") kind="number" value=p.minutes label=text(move || t_string!(i18n, lesson_study.plan_minutes)) error=error/>
                                </div>
                                <Field name=phase_field(i, "teacher") rows=2 value=p.teacher label=text(move || t_string!(i18n, lesson_study.plan_teacher)) error=error/>
                                <Field name=phase_field(i, "pupils") rows=2 value=p.pupils label=text(move || t_string!(i18n, lesson_study.plan_pupils)) error=error/>
                                <Field name=phase_field(i, "anticipated") rows=2 value=p.anticipated label=text(move || t_string!(i18n, lesson_study.plan_anticipated)) error=error/>
                            </fieldset>
                        }).collect_view()}
                        <h2>{t!(i18n, lesson_study.case_pupils)}</h2>
                        <Alert><p>{t!(i18n, lesson_study.codes_not_names)}</p></Alert>
                        {pupils.into_iter().enumerate().map(|(k, pupil)| {
                            let phases = phases.clone();
                            view! {
                                <fieldset class="fieldset">
                                    <legend>{t!(i18n, lesson_study.case_pupil)}" "{k + 1}</legend>
                                    <div class="grid-2">
                                        <Field name=pupil_field(k, "code") value=pupil.code.clone() label=text(move || t_string!(i18n, lesson_study.pupil_code))
                                            hint=text(move || t_string!(i18n, lesson_study.pupil_code_hint)) error=error/>
                                        <Field name=pupil_field(k, "typifies") value=pupil.typifies.clone() label=text(move || t_string!(i18n, lesson_study.pupil_typifies)) error=error/>
                                    </div>
                                    {phases.iter().enumerate().map(|(i, phase)| {
                                        let title = if phase.title.is_empty() { format!("{}", i + 1) } else { phase.title.clone() };
                                        let label = Signal::derive(move || format!("{} · {}", t_string!(i18n, lesson_study.prediction), title));
                                        view! {
                                            <Field name=format!("pupils[{k}][predictions][{i}]") rows=2 value=pupil.predictions.get(i).cloned().unwrap_or_default()
                                                label=label error=error/>
                                        }
                                    }).collect_view()}
                                </fieldset>
                            }
                        }).collect_view()}
                        <button type="submit" class="button button--primary">{t!(i18n, lesson_study.save_plan)}</button>
                    </ActionForm>
                }.into_any())
            })}
        }
    })
}

/// The plan and one paper observation form per observer and case pupil, for printing.
#[component]
pub fn PlanPrintPage() -> impl IntoView {
    let i18n = use_i18n();
    let cycle_id = uuid_param("cycle_id");
    let page = Resource::new(cycle_id, |id| load_or_not_found(id, lesson_study_cycle));
    resource_page(page, move |cycle| {
        let lesson = cycle.lessons.last().cloned();
        let plan = cycle.plan.plan.clone();
        // Observers with their pupils; without observers yet, one form per case pupil.
        let forms: Vec<(String, String)> = match &lesson {
            Some(l) if !l.observers.is_empty() => {
                l.observers.iter().flat_map(|o| o.codes.iter().map(|c| (o.person.name.clone(), c.clone()))).collect()
            }
            _ => plan.case_pupils.iter().map(|p| (String::new(), p.code.clone())).collect(),
        };
        Some(view! {
            <Title text=format!("{} · {}", cycle.title, t_string!(i18n, lesson_study.print))/>
            <div class="print-page">
                <p class="breadcrumb no-print"><a href=format!("/ls/{}", cycle.id)>{cycle.title.clone()}</a></p>
                <h1>{cycle.title.clone()}</h1>
                <p class="lead">{cycle.learning_question.clone()}</p>
                <PlanView plan=plan.clone()/>
                {forms.into_iter().map(|(observer, code)| {
                    let pupil = plan.case_pupils.iter().find(|p| p.code == code).cloned().unwrap_or_default();
                    view! {
                        <section class="print-form" aria-label=format!("{code}")>
                            <h2>{t!(i18n, lesson_study.observation_form)}" · "{code.clone()}</h2>
                            <p>{t!(i18n, lesson_study.observer)}": "{observer}" · "{pupil.typifies.clone()}</p>
                            <table class="table">
                                <thead>
                                    <tr>
                                        <th scope="col">{t!(i18n, lesson_study.plan_phase_title)}</th>
                                        <th scope="col">{t!(i18n, lesson_study.prediction)}</th>
                                        <th scope="col">{t!(i18n, lesson_study.observed)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {plan.phases.iter().enumerate().map(|(i, phase)| view! {
                                        <tr class="print-form__row">
                                            <th scope="row">{phase.title.clone()}" ("{phase.minutes}" min)"</th>
                                            <td class="prose-text">{pupil.predictions.get(i).cloned().unwrap_or_default()}</td>
                                            <td>{t!(i18n, lesson_study.marks_on_paper)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </section>
                    }
                }).collect_view()}
                <p class="no-print muted">{t!(i18n, lesson_study.print_hint)}</p>
            </div>
        }.into_any())
    })
}
