//! The report page: what the cycle learned, assembled from its research lessons, as a
//! page that prints well, and the facilitator's button that publishes it in the
//! community's knowledge base.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{PublishLessonStudyReport, lesson_study_report};
use super::discuss::PupilTable;
use super::report::{ReportLesson, ReportView};
use super::views::{PlanChangesView, PlanView};
use crate::i18n::*;
use crate::ui::{Alert, ErrorAlert, action_error, load_or_not_found, resource_page, uuid_param};

#[component]
pub fn ReportPage() -> impl IntoView {
    let cycle_id = uuid_param("cycle_id");
    let publish = ServerAction::<PublishLessonStudyReport>::new();
    let page = Resource::new(
        move || (cycle_id(), publish.version().try_get()),
        |(id, _)| load_or_not_found(id, lesson_study_report),
    );
    resource_page(page, move |report| Some(view! { <Report report publish/> }.into_any()))
}

#[component]
fn Report(report: ReportView, publish: ServerAction<PublishLessonStudyReport>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let error = action_error(publish);
    let row = move |label: &'static str, value: String| {
        (!value.is_empty()).then(|| view! { <dt>{label}</dt><dd class="prose-text">{value}</dd> })
    };
    let cycle_id = report.cycle_id;
    view! {
        <Title text=format!("{} · {}", t_string!(i18n, lesson_study.report), report.title)/>
        <div class="print-page">
            <p class="breadcrumb no-print"><a href=format!("/ls/{cycle_id}")>{report.title.clone()}</a></p>
            <h1>{t!(i18n, lesson_study.report)}": "{report.title.clone()}</h1>
            <div class="no-print">
                <ErrorAlert error=error/>
                {match (report.published, report.may_publish) {
                    (Some(id), _) => Either::Left(view! {
                        <Alert kind="success">
                            <p>{t!(i18n, lesson_study.report_published)}" "<a href=format!("/a/{id}")>{t!(i18n, lesson_study.report_open_artifact)}</a></p>
                        </Alert>
                    }),
                    (None, true) => Either::Right(Some(view! {
                        <ActionForm action=publish attr:class="inline-form">
                            <input type="hidden" name="cycle_id" value=cycle_id.to_string()/>
                            <button type="submit" class="button button--primary">{t!(i18n, lesson_study.report_publish)}</button>
                        </ActionForm>
                        <p class="muted small">{t!(i18n, lesson_study.report_publish_hint)}</p>
                    })),
                    (None, false) => Either::Right(None),
                }}
                <p class="muted small">{t!(i18n, lesson_study.report_hint)}</p>
            </div>
            <dl class="details">
                {row(td_string!(locale, lesson_study.field_question), report.learning_question.clone())}
                {row(td_string!(locale, lesson_study.field_subject), report.subject.clone())}
                {row(td_string!(locale, lesson_study.field_year_group), report.year_group.clone())}
                {row(td_string!(locale, lesson_study.field_theme), report.theme.clone())}
                {row(td_string!(locale, lesson_study.field_other), report.knowledgeable_other.clone().unwrap_or_default())}
            </dl>
            {if report.lessons.is_empty() {
                Either::Left(view! { <p class="muted">{t!(i18n, lesson_study.report_empty)}</p> })
            } else {
                Either::Right(report.lessons.into_iter().map(|lesson| view! { <ReportLessonView lesson/> }).collect_view())
            }}
        </div>
    }
}

#[component]
fn ReportLessonView(lesson: ReportLesson) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let record = lesson.record.clone();
    let row = move |label: &'static str, value: String| {
        (!value.is_empty()).then(|| view! { <dt>{label}</dt><dd class="prose-text">{value}</dd> })
    };
    let class = (!lesson.class_name.is_empty()).then(|| format!(" · {}", lesson.class_name));
    view! {
        <section class="report-lesson" aria-labelledby=format!("lesson-{}", lesson.number)>
            <h2 id=format!("lesson-{}", lesson.number)>{t!(i18n, lesson_study.lesson)}" "{lesson.number}{class}</h2>
            <h3>{t!(i18n, lesson_study.plan_title)}</h3>
            <PlanView plan=lesson.plan.clone()/>
            {lesson.changes.clone().map(|changes| view! { <PlanChangesView changes since=lesson.number - 1/> })}
            {(!lesson.pupils.is_empty()).then(|| view! { <h3>{t!(i18n, lesson_study.protocol_data)}</h3> })}
            {lesson.pupils.into_iter().map(|pupil| view! { <PupilTable pupil/> }).collect_view()}
            {(!record.is_empty()).then(|| view! {
                <h3>{t!(i18n, lesson_study.discussion)}</h3>
                <dl class="details">
                    {row(td_string!(locale, lesson_study.teacher_remarks), record.teacher_remarks.clone())}
                    {row(td_string!(locale, lesson_study.conclusions), record.conclusions.clone())}
                    {row(td_string!(locale, lesson_study.decisions), record.decisions.clone())}
                    {row(td_string!(locale, lesson_study.other_comments), record.other_comments.clone())}
                </dl>
            })}
        </section>
    }
}
