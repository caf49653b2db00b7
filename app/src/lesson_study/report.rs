//! The cycle's report, assembled from what the cycle holds: the question, the plan of
//! each research lesson as taught and what changed between them (and why), what the
//! case pupils showed against the predictions, the discussion's conclusions and the
//! knowledgeable other's comments. The same text goes into the knowledge base as a
//! research report, so it names no observer and carries no photo: it may be shared
//! beyond the community.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::discussion::{DiscussionRecord, PupilData};
use super::domain::{CyclePhase, LessonPlan, Mark, PhaseChange};
use crate::i18n::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportLesson {
    pub number: i16,
    pub class_name: String,
    /// The plan as it was taught.
    pub plan: LessonPlan,
    /// Against the plan of the research lesson before, from the second one on.
    pub changes: Option<Vec<PhaseChange>>,
    /// Notes without observers' names; no photos.
    pub pupils: Vec<PupilData>,
    pub record: DiscussionRecord,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    pub cycle_id: Uuid,
    pub community_id: Uuid,
    pub community_name: String,
    pub title: String,
    pub subject: String,
    pub year_group: String,
    pub theme: String,
    pub learning_question: String,
    pub knowledgeable_other: Option<String>,
    pub phase: CyclePhase,
    /// The taught research lessons, in order.
    pub lessons: Vec<ReportLesson>,
    /// The report's artifact in the knowledge base, once published.
    pub published: Option<Uuid>,
    /// A facilitator may publish it now (sharing or done, not yet published).
    pub may_publish: bool,
}

/// A table cell: one line, no column breaks.
fn cell(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|");
    if text.is_empty() { "–".to_string() } else { text }
}

fn mark_word(locale: Locale, mark: Mark) -> &'static str {
    match mark {
        Mark::AsPredicted => td_string!(locale, lesson_study.mark_as_predicted),
        Mark::Different => td_string!(locale, lesson_study.mark_different),
        Mark::NotSeen => td_string!(locale, lesson_study.mark_not_seen),
    }
}

fn change_line(locale: Locale, change: &PhaseChange) -> String {
    match change {
        PhaseChange::Same { title } => format!("- {title}: {}", td_string!(locale, lesson_study.change_same)),
        PhaseChange::Added { title } => format!("- {title}: {}", td_string!(locale, lesson_study.change_added)),
        PhaseChange::Removed { title } => format!("- {title}: {}", td_string!(locale, lesson_study.change_removed)),
        PhaseChange::Changed { title, fields, .. } => format!(
            "- {title}: {} {}",
            td_string!(locale, lesson_study.change_changed),
            fields.iter().map(|f| super::views::field_text(locale, *f)).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The report as Markdown, in `locale`.
pub fn report_markdown(locale: Locale, report: &ReportView) -> String {
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(format!("**{}:** {}", td_string!(locale, lesson_study.field_question), report.learning_question.trim()));
    line(String::new());
    for (label, value) in [
        (td_string!(locale, lesson_study.field_subject), &report.subject),
        (td_string!(locale, lesson_study.field_year_group), &report.year_group),
        (td_string!(locale, lesson_study.field_theme), &report.theme),
    ] {
        if !value.trim().is_empty() {
            line(format!("- {label}: {}", value.trim()));
        }
    }
    if let Some(other) = &report.knowledgeable_other {
        line(format!("- {}: {other}", td_string!(locale, lesson_study.field_other)));
    }
    for lesson in &report.lessons {
        line(String::new());
        let class = if lesson.class_name.is_empty() { String::new() } else { format!(" · {}", lesson.class_name) };
        line(format!("## {} {}{class}", td_string!(locale, lesson_study.lesson), lesson.number));
        line(String::new());
        line(format!("### {}", td_string!(locale, lesson_study.plan_title)));
        if !lesson.plan.goals.is_empty() {
            line(String::new());
            line(lesson.plan.goals.clone());
        }
        if !lesson.plan.phases.is_empty() {
            line(String::new());
            line(format!(
                "| {} | {} | {} | {} | {} |",
                td_string!(locale, lesson_study.plan_phase_title),
                td_string!(locale, lesson_study.plan_minutes),
                td_string!(locale, lesson_study.plan_teacher),
                td_string!(locale, lesson_study.plan_pupils),
                td_string!(locale, lesson_study.plan_anticipated)
            ));
            line("|---|---|---|---|---|".to_string());
            for phase in &lesson.plan.phases {
                line(format!(
                    "| {} | {} | {} | {} | {} |",
                    cell(&phase.title),
                    phase.minutes,
                    cell(&phase.teacher),
                    cell(&phase.pupils),
                    cell(&phase.anticipated)
                ));
            }
        }
        if let Some(changes) = &lesson.changes {
            line(String::new());
            line(format!("### {} {}", td_string!(locale, lesson_study.changes_since), lesson.number - 1));
            line(String::new());
            for change in changes {
                line(change_line(locale, change));
            }
            if !lesson.plan.rationale.is_empty() {
                line(String::new());
                line(format!("**{}:** {}", td_string!(locale, lesson_study.rationale), lesson.plan.rationale));
            }
        }
        if !lesson.pupils.is_empty() {
            line(String::new());
            line(format!("### {}", td_string!(locale, lesson_study.protocol_data)));
        }
        for pupil in &lesson.pupils {
            line(String::new());
            let typifies = if pupil.typifies.is_empty() { String::new() } else { format!(" ({})", pupil.typifies) };
            line(format!("#### {}{typifies}", pupil.code));
            line(String::new());
            line(format!(
                "| {} | {} | {} |",
                td_string!(locale, lesson_study.plan_phase_title),
                td_string!(locale, lesson_study.prediction),
                td_string!(locale, lesson_study.observed)
            ));
            line("|---|---|---|".to_string());
            for phase in &pupil.phases {
                let mut seen: Vec<String> = Vec::new();
                for (mark, n) in [
                    (Mark::AsPredicted, phase.marks.as_predicted),
                    (Mark::Different, phase.marks.different),
                    (Mark::NotSeen, phase.marks.not_seen),
                ] {
                    if n > 0 {
                        seen.push(format!("{} × {n}", mark_word(locale, mark)));
                    }
                }
                seen.extend(phase.notes.iter().filter(|n| !n.text.is_empty()).map(|n| n.text.clone()));
                line(format!("| {} | {} | {} |", cell(&phase.title), cell(&phase.prediction), cell(&seen.join("; "))));
            }
            for interview in &pupil.interviews {
                line(String::new());
                line(format!("> {} ({})", interview.text.trim(), td_string!(locale, lesson_study.interview)));
            }
        }
        let record = &lesson.record;
        if !record.is_empty() {
            line(String::new());
            line(format!("### {}", td_string!(locale, lesson_study.discussion)));
            for (label, text) in [
                (td_string!(locale, lesson_study.teacher_remarks), &record.teacher_remarks),
                (td_string!(locale, lesson_study.conclusions), &record.conclusions),
                (td_string!(locale, lesson_study.decisions), &record.decisions),
                (td_string!(locale, lesson_study.other_comments), &record.other_comments),
            ] {
                if !text.is_empty() {
                    line(String::new());
                    line(format!("**{label}:** {text}"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson_study::discussion::{Gathered, Interview, SeenNote, pupil_data};
    use crate::lesson_study::domain::{CasePupil, PlanPhase};

    fn report() -> ReportView {
        let plan = LessonPlan {
            goals: "Verhoudingen herkennen.".into(),
            phases: vec![
                PlanPhase { title: "Start | recept".into(), minutes: 5, ..PlanPhase::default() },
                PlanPhase { title: "Verkennen".into(), minutes: 20, ..PlanPhase::default() },
            ],
            case_pupils: vec![CasePupil {
                code: "L2".into(),
                typifies: "telt op".into(),
                predictions: vec!["telt 2 op".into(), "blijft optellen".into()],
            }],
            rationale: String::new(),
        };
        let noted_at = time::OffsetDateTime::UNIX_EPOCH;
        let note = |phase, mark, text: &str| Gathered {
            pupil: "L2".into(),
            phase,
            item: SeenNote { observer: String::new(), mark, text: text.into(), noted_at },
        };
        let pupils = pupil_data(
            &plan,
            &[],
            vec![
                note(0, Some(Mark::AsPredicted), "252 gram"),
                note(0, Some(Mark::AsPredicted), ""),
                note(1, None, "tabel"),
            ],
            vec![],
            vec![("L2".into(), Interview { interviewer: String::new(), text: "Ik deed er twee bij.".into() })],
        );
        let mut revised = plan.clone();
        revised.phases[0].minutes = 8;
        revised.rationale = "Eerst alleen schatten.".into();
        ReportView {
            cycle_id: Uuid::nil(),
            community_id: Uuid::nil(),
            community_name: "Rekenen".into(),
            title: "Verhoudingstabellen".into(),
            subject: "Wiskunde".into(),
            year_group: String::new(),
            theme: String::new(),
            learning_question: "Hoe ontdekken leerlingen de tabel?".into(),
            knowledgeable_other: Some("Naomi Kok".into()),
            phase: CyclePhase::Done,
            lessons: vec![
                ReportLesson {
                    number: 1,
                    class_name: "3H1".into(),
                    plan: plan.clone(),
                    changes: None,
                    pupils,
                    record: DiscussionRecord { conclusions: "L2 telde op.".into(), ..DiscussionRecord::default() },
                },
                ReportLesson {
                    number: 2,
                    class_name: "3H2".into(),
                    plan: revised.clone(),
                    changes: Some(super::super::domain::plan_changes(&plan, &revised)),
                    pupils: vec![],
                    record: DiscussionRecord::default(),
                },
            ],
            published: None,
            may_publish: true,
        }
    }

    #[test]
    fn the_report_carries_question_plans_changes_pupils_and_conclusions() {
        let text = report_markdown(Locale::nl, &report());
        assert!(text.starts_with("**Leervraag"), "{text}");
        assert!(text.contains("Hoe ontdekken leerlingen de tabel?"));
        assert!(text.contains("Naomi Kok"));
        assert!(text.contains("## Onderzoeksles 1 · 3H1"), "{text}");
        assert!(text.contains("| Start \\| recept | 5 |"), "a pipe in a title must not break the table: {text}");
        assert!(text.contains("| Start \\| recept | telt 2 op | Zoals voorspeld × 2; 252 gram |"), "{text}");
        assert!(text.contains("> Ik deed er twee bij."));
        assert!(text.contains("**Conclusies:** L2 telde op."));
        assert!(text.contains("## Onderzoeksles 2 · 3H2"));
        assert!(text.contains("Eerst alleen schatten."), "the reason for the revision is in the report");
        let minutes = td_string!(Locale::nl, lesson_study.plan_minutes);
        let changed = td_string!(Locale::nl, lesson_study.change_changed);
        assert!(text.contains(&format!("- Start | recept: {changed} {minutes}")), "the changed field is named: {text}");
        assert!(text.contains("- Verkennen: "), "an unchanged phase is listed too: {text}");
    }

    #[test]
    fn an_empty_cell_shows_a_dash_and_keeps_one_line() {
        assert_eq!(cell("  "), "–");
        assert_eq!(cell("a\nb | c"), "a b \\| c");
    }
}
