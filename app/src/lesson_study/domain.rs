//! Lesson study as rules: where a cycle stands and what comes next, the research lesson
//! plan written together (phases, anticipated responses, case pupils with a prediction
//! per phase), what changed between two versions of the plan, and what an observer may
//! note. Case pupils are pseudonym codes (L1, L2, …), never names: the rule for a code
//! refuses anything that reads like a name. A note that names a pupil in its text
//! cannot be detected reliably, and nothing here pretends to.

use serde::{Deserialize, Serialize};

use crate::error::{AppError, ErrorKey, Validation};
use crate::shared::string_enum;
use crate::shared::text::{clean_text, validate_body, validate_optional, validate_optional_text, validate_text};

string_enum! {
    /// Where a cycle stands: study → plan → teach & observe → post-lesson discussion →
    /// revise → (teach the revised lesson) → share → done.
    CyclePhase {
        Study => "study",
        Plan => "plan",
        Teach => "teach",
        Discuss => "discuss",
        Revise => "revise",
        Share => "share",
        Done => "done",
    }
}

impl CyclePhase {
    /// The phase after this one. After a post-lesson discussion the group revises and
    /// teaches again until it has taught the planned number of research lessons; then
    /// it shares what it learned.
    pub fn next(self, lessons_taught: u8, lessons_planned: u8) -> Option<CyclePhase> {
        use CyclePhase::*;
        match self {
            Study => Some(Plan),
            Plan | Revise => Some(Teach),
            Teach => Some(Discuss),
            Discuss if lessons_taught < lessons_planned => Some(Revise),
            Discuss => Some(Share),
            Share => Some(Done),
            Done => None,
        }
    }

    /// How far along the cycle is, for a progress bar: (steps done, steps in all).
    /// `lessons_taught` counts research lessons held, so it rises when teaching ends.
    pub fn progress(self, lessons_taught: u8, lessons_planned: u8) -> (u32, u32) {
        let steps = Self::steps(lessons_planned);
        let taught = lessons_taught.min(lessons_planned.max(1));
        let at = steps
            .iter()
            .position(|step| *step == (self, taught))
            .or_else(|| steps.iter().position(|(phase, _)| *phase == self))
            .unwrap_or(0);
        (at as u32, steps.len() as u32 - 1)
    }

    /// Every step of a cycle in order, with the lessons taught by then.
    fn steps(lessons_planned: u8) -> Vec<(CyclePhase, u8)> {
        use CyclePhase::*;
        let planned = lessons_planned.max(1);
        let mut steps = vec![(Study, 0), (Plan, 0)];
        for lesson in 1..=planned {
            steps.extend([(Teach, lesson - 1), (Discuss, lesson)]);
            if lesson < planned {
                steps.push((Revise, lesson));
            }
        }
        steps.extend([(Share, planned), (Done, planned)]);
        steps
    }
}

pub const TITLE_MAX: usize = 120;
pub const SHORT_MAX: usize = 80;
pub const QUESTION_MAX: usize = 500;
pub const TEXT_MAX: usize = 4000;
pub const LESSONS_MAX: u8 = 3;
pub const PLAN_PHASES_MAX: usize = 12;
pub const CASE_PUPILS_MAX: usize = 6;
pub const NOTE_MAX: usize = 2000;

/// The cycle as typed into the form that starts (or edits) it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleForm {
    pub title: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub year_group: String,
    #[serde(default)]
    pub theme: String,
    /// The learning question, phrased from the pupils' view.
    pub learning_question: String,
    /// The team's agreements for this cycle.
    #[serde(default)]
    pub agreements: String,
    #[serde(default)]
    pub lessons_planned: String,
}

impl CycleForm {
    /// Every problem at once, as field errors; the number of research lessons when fine.
    pub fn check(&self) -> Result<u8, AppError> {
        let lessons = self
            .lessons_planned
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|n| (1..=LESSONS_MAX).contains(n))
            .ok_or(ErrorKey::InvalidChoice);
        Validation::new()
            .check("title", validate_text(&self.title, TITLE_MAX))
            .check("subject", validate_optional_text(&self.subject, SHORT_MAX))
            .check("year_group", validate_optional_text(&self.year_group, SHORT_MAX))
            .check("theme", validate_optional(&self.theme, QUESTION_MAX))
            .check("learning_question", validate_body(&self.learning_question, QUESTION_MAX))
            .check("agreements", validate_optional(&self.agreements, TEXT_MAX))
            .check("lessons_planned", lessons.map(|_| ()))
            .finish()?;
        lessons.map_err(|key| AppError::field("lessons_planned", key))
    }
}

/// Whether `code` is a pseudonym code for a case pupil: one or two capital letters
/// followed by one or two digits (L1, L12, LL3). Names (even with a digit, `EVA2`),
/// initials with dots and anything with spaces are refused, so the form cannot be used
/// to write a pupil's name.
pub fn is_pupil_code(code: &str) -> bool {
    let letters = code.chars().take_while(char::is_ascii_uppercase).count();
    let digits = &code[letters..];
    (1..=2).contains(&letters)
        && (1..=2).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0')
}

/// The codes a new plan starts with.
pub fn default_pupil_codes() -> Vec<String> {
    (1..=3).map(|n| format!("L{n}")).collect()
}

/// One phase of a research lesson.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanPhase {
    pub title: String,
    pub minutes: u16,
    /// What the teacher does.
    pub teacher: String,
    /// What the pupils do.
    pub pupils: String,
    /// Pupil responses the team expects, including the mistakes.
    pub anticipated: String,
}

/// A case pupil: a code, the group of learners the pupil typifies, and what the team
/// predicts the pupil will do in each phase (one entry per phase, in order).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CasePupil {
    pub code: String,
    pub typifies: String,
    pub predictions: Vec<String>,
}

/// The research lesson plan. Stored as a whole per version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonPlan {
    pub goals: String,
    pub phases: Vec<PlanPhase>,
    pub case_pupils: Vec<CasePupil>,
    /// Why this version differs from the lesson taught before: the decisions of the
    /// post-lesson discussion, carried into the revision.
    #[serde(default)]
    pub rationale: String,
}

/// The form field of a phase's input, e.g. `phases[1][minutes]`.
pub fn phase_field(row: usize, input: &str) -> String {
    format!("phases[{row}][{input}]")
}

/// The form field of a case pupil's input, e.g. `pupils[0][code]` or `pupils[0][p2]`
/// for the prediction for phase 2.
pub fn pupil_field(row: usize, input: &str) -> String {
    format!("pupils[{row}][{input}]")
}

impl LessonPlan {
    /// An empty plan with the default case pupils.
    pub fn new() -> Self {
        LessonPlan {
            case_pupils: default_pupil_codes()
                .into_iter()
                .map(|code| CasePupil { code, ..CasePupil::default() })
                .collect(),
            ..LessonPlan::default()
        }
    }

    pub fn total_minutes(&self) -> u32 {
        self.phases.iter().map(|p| u32::from(p.minutes)).sum()
    }

    /// Every problem at once, as field errors. A plan may be saved half-written (the
    /// team writes it over several sessions), but what is there must be sound: phases
    /// have titles and minutes, case pupils have distinct codes, and each prediction
    /// belongs to a phase that exists.
    pub fn check(&self) -> Result<(), AppError> {
        let mut check = Validation::new();
        check
            .check("goals", validate_optional(&self.goals, TEXT_MAX))
            .check("rationale", validate_optional(&self.rationale, TEXT_MAX));
        if self.phases.len() > PLAN_PHASES_MAX {
            check.check("phases", Err(ErrorKey::TooManyPhases));
        }
        for (i, phase) in self.phases.iter().enumerate() {
            check
                .check(&phase_field(i, "title"), validate_text(&phase.title, SHORT_MAX))
                .check(
                    &phase_field(i, "minutes"),
                    if (1..=120).contains(&phase.minutes) { Ok(()) } else { Err(ErrorKey::MinutesRange) },
                )
                .check(&phase_field(i, "teacher"), validate_optional(&phase.teacher, TEXT_MAX))
                .check(&phase_field(i, "pupils"), validate_optional(&phase.pupils, TEXT_MAX))
                .check(&phase_field(i, "anticipated"), validate_optional(&phase.anticipated, TEXT_MAX));
        }
        if self.case_pupils.len() > CASE_PUPILS_MAX {
            check.check("pupils", Err(ErrorKey::TooManyPupils));
        }
        for (i, pupil) in self.case_pupils.iter().enumerate() {
            let code = if !is_pupil_code(&pupil.code) {
                Err(ErrorKey::PupilCode)
            } else if self.case_pupils[..i].iter().any(|p| p.code == pupil.code) {
                Err(ErrorKey::DuplicatePupil)
            } else {
                Ok(())
            };
            check
                .check(&pupil_field(i, "code"), code)
                .check(&pupil_field(i, "typifies"), validate_optional_text(&pupil.typifies, SHORT_MAX * 2));
            if pupil.predictions.len() > self.phases.len() {
                check.check(&pupil_field(i, "predictions"), Err(ErrorKey::InvalidChoice));
            }
            for (phase, prediction) in pupil.predictions.iter().enumerate() {
                check.check(&pupil_field(i, &format!("p{phase}")), validate_optional(prediction, TEXT_MAX));
            }
        }
        check.finish()
    }

    pub fn has_pupil(&self, code: &str) -> bool {
        self.case_pupils.iter().any(|p| p.code == code)
    }

    /// The prediction for `code` in phase `phase`, if the team wrote one.
    pub fn prediction(&self, code: &str, phase: usize) -> Option<&str> {
        self.case_pupils
            .iter()
            .find(|p| p.code == code)
            .and_then(|p| p.predictions.get(phase))
            .map(String::as_str)
            .filter(|p| !p.trim().is_empty())
    }
}

/// One phase as typed into the plan form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanPhaseForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub minutes: String,
    #[serde(default)]
    pub teacher: String,
    #[serde(default)]
    pub pupils: String,
    #[serde(default)]
    pub anticipated: String,
}

/// One case pupil as typed into the plan form: a prediction per phase, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CasePupilForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub typifies: String,
    #[serde(default)]
    pub predictions: Vec<String>,
}

/// The plan as typed into its form. Rows left wholly empty are dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    pub goals: String,
    #[serde(default)]
    pub rationale: String,
    #[serde(default)]
    pub phases: Vec<PlanPhaseForm>,
    #[serde(default)]
    pub pupils: Vec<CasePupilForm>,
}

/// `phases[k][…]` or `pupils[k][…]` of a plan as the form row that showed it; a
/// prediction's `p{k}` names the phase's form row too.
fn form_row_field(field: &str, phase_rows: &[usize], pupil_rows: &[usize]) -> String {
    let row_of = |rows: &[usize], k: &str| k.parse::<usize>().ok().and_then(|k| rows.get(k).copied());
    let Some((list, rest)) = field.split_once('[') else { return field.to_string() };
    let Some((index, rest)) = rest.split_once(']') else { return field.to_string() };
    let rows = if list == "phases" { phase_rows } else { pupil_rows };
    let Some(row) = row_of(rows, index) else { return field.to_string() };
    let rest = match rest.strip_prefix("[p").and_then(|r| r.strip_suffix(']')) {
        Some(phase) => match row_of(phase_rows, phase) {
            Some(phase_row) => format!("[p{phase_row}]"),
            None => rest.to_string(),
        },
        None => rest.to_string(),
    };
    format!("{list}[{row}]{rest}")
}

impl PlanForm {
    /// The plan the form describes, or every problem at once. Text is stored trimmed.
    pub fn plan(&self) -> Result<LessonPlan, AppError> {
        let clean = clean_text;
        let blank_phase = |p: &PlanPhaseForm| {
            [&p.title, &p.minutes, &p.teacher, &p.pupils, &p.anticipated].iter().all(|t| t.trim().is_empty())
        };
        let kept: Vec<(usize, &PlanPhaseForm)> =
            self.phases.iter().enumerate().filter(|(_, p)| !blank_phase(p)).collect();
        let phases: Vec<PlanPhase> = kept
            .iter()
            .map(|(_, p)| PlanPhase {
                title: clean(&p.title),
                // Not a number: 0, which the plan's check refuses with the minutes message.
                minutes: p.minutes.trim().parse::<u16>().unwrap_or(0),
                teacher: clean(&p.teacher),
                pupils: clean(&p.pupils),
                anticipated: clean(&p.anticipated),
            })
            .collect();
        let pupil_rows: Vec<(usize, &CasePupilForm)> = self
            .pupils
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.code.trim().is_empty() || !p.typifies.trim().is_empty())
            .collect();
        let case_pupils: Vec<CasePupil> = pupil_rows
            .iter()
            .map(|(_, p)| {
                // Predictions follow the phases kept, in the form's order.
                let predictions: Vec<String> =
                    kept.iter().map(|(row, _)| p.predictions.get(*row).map(|t| clean(t)).unwrap_or_default()).collect();
                CasePupil { code: p.code.trim().to_string(), typifies: clean(&p.typifies), predictions }
            })
            .collect();
        let plan = LessonPlan { goals: clean(&self.goals), phases, case_pupils, rationale: clean(&self.rationale) };
        // The plan counts the rows it kept; the form names the rows it showed.
        let phase_rows: Vec<usize> = kept.iter().map(|(row, _)| *row).collect();
        let pupil_rows: Vec<usize> = pupil_rows.iter().map(|(row, _)| *row).collect();
        plan.check().map_err(|error| error.rename_fields(|f| form_row_field(f, &phase_rows, &pupil_rows)))?;
        Ok(plan)
    }

    /// The form as it shows `plan`, plus one empty phase row.
    pub fn of(plan: &LessonPlan) -> PlanForm {
        let mut phases: Vec<PlanPhaseForm> = plan
            .phases
            .iter()
            .map(|p| PlanPhaseForm {
                title: p.title.clone(),
                minutes: p.minutes.to_string(),
                teacher: p.teacher.clone(),
                pupils: p.pupils.clone(),
                anticipated: p.anticipated.clone(),
            })
            .collect();
        phases.push(PlanPhaseForm::default());
        let pupils = plan
            .case_pupils
            .iter()
            .map(|p| CasePupilForm {
                code: p.code.clone(),
                typifies: p.typifies.clone(),
                predictions: p.predictions.clone(),
            })
            .collect();
        PlanForm { goals: plan.goals.clone(), rationale: plan.rationale.clone(), phases, pupils }
    }
}

/// A save of the plan is checked against the version the editor started from: when
/// someone else saved in between, nothing is overwritten.
pub fn check_plan_version(current: i32, started_from: i32) -> Result<(), AppError> {
    if current == started_from { Ok(()) } else { Err(AppError::Conflict(ErrorKey::EditConflict)) }
}

string_enum! {
    /// A part of a plan phase that can change between versions.
    PlanField {
        Title => "title",
        Minutes => "minutes",
        Teacher => "teacher",
        Pupils => "pupils",
        Anticipated => "anticipated",
        Predictions => "predictions",
    }
}

/// How one phase of the plan changed between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PhaseChange {
    Same {
        title: String,
    },
    Added {
        title: String,
    },
    Removed {
        title: String,
    },
    /// The phase is there in both; `fields` names what changed.
    Changed {
        before: String,
        title: String,
        fields: Vec<PlanField>,
    },
}

/// What changed from `before` to `after`, phase by phase. Phases are matched by
/// position; a phase past the end of the shorter plan was added or removed.
pub fn plan_changes(before: &LessonPlan, after: &LessonPlan) -> Vec<PhaseChange> {
    let predictions = |plan: &LessonPlan, phase: usize| -> Vec<(String, String)> {
        plan.case_pupils
            .iter()
            .map(|p| (p.code.clone(), p.predictions.get(phase).map(|s| s.trim().to_string()).unwrap_or_default()))
            .collect()
    };
    let longest = before.phases.len().max(after.phases.len());
    (0..longest)
        .map(|i| match (before.phases.get(i), after.phases.get(i)) {
            (Some(old), Some(new)) => {
                let mut fields = Vec::new();
                if old.title.trim() != new.title.trim() {
                    fields.push(PlanField::Title);
                }
                if old.minutes != new.minutes {
                    fields.push(PlanField::Minutes);
                }
                if old.teacher.trim() != new.teacher.trim() {
                    fields.push(PlanField::Teacher);
                }
                if old.pupils.trim() != new.pupils.trim() {
                    fields.push(PlanField::Pupils);
                }
                if old.anticipated.trim() != new.anticipated.trim() {
                    fields.push(PlanField::Anticipated);
                }
                if predictions(before, i) != predictions(after, i) {
                    fields.push(PlanField::Predictions);
                }
                if fields.is_empty() {
                    PhaseChange::Same { title: new.title.clone() }
                } else {
                    PhaseChange::Changed { before: old.title.clone(), title: new.title.clone(), fields }
                }
            }
            (None, Some(new)) => PhaseChange::Added { title: new.title.clone() },
            (Some(old), None) => PhaseChange::Removed { title: old.title.clone() },
            (None, None) => unreachable!("i < the longer plan's length"),
        })
        .collect()
}

string_enum! {
    /// What an observer saw against the prediction, in one tap.
    Mark { AsPredicted => "as_predicted", Different => "different", NotSeen => "not_seen" }
}

/// One observation note as the observer's phone sends it. The id is made on the phone,
/// so sending the same note twice (a retry after a dropped connection) stores it once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteInput {
    pub id: uuid::Uuid,
    pub pupil: String,
    /// The lesson phase (counted from 0) the note belongs to.
    pub phase: usize,
    pub mark: Option<Mark>,
    #[serde(default)]
    pub text: String,
    /// When the observer wrote it, by the phone's clock (Unix seconds).
    pub noted_at: i64,
}

impl NoteInput {
    /// A note must be about a case pupil of the plan, in one of its phases, and say
    /// something (a mark or text).
    pub fn check(&self, plan: &LessonPlan) -> Result<(), AppError> {
        let mut check = Validation::new();
        check
            .check("pupil", if plan.has_pupil(&self.pupil) { Ok(()) } else { Err(ErrorKey::InvalidChoice) })
            .check("phase", if self.phase < plan.phases.len() { Ok(()) } else { Err(ErrorKey::InvalidChoice) })
            .check("text", validate_optional(&self.text, NOTE_MAX));
        if self.mark.is_none() && self.text.trim().is_empty() {
            check.check("text", Err(ErrorKey::Required));
        }
        check.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(phases: &[(&str, u16)]) -> LessonPlan {
        let mut plan = LessonPlan::new();
        plan.goals = "Leerlingen herkennen verhoudingen in verhaalsommen.".into();
        plan.phases = phases
            .iter()
            .map(|(title, minutes)| PlanPhase { title: (*title).into(), minutes: *minutes, ..PlanPhase::default() })
            .collect();
        for pupil in &mut plan.case_pupils {
            pupil.predictions = phases.iter().map(|(t, _)| format!("{} bij {t}", pupil.code)).collect();
        }
        plan
    }

    #[test]
    fn a_cycle_teaches_the_planned_lessons_then_shares() {
        use CyclePhase::*;
        assert_eq!(Study.next(0, 2), Some(Plan));
        assert_eq!(Plan.next(0, 2), Some(Teach));
        assert_eq!(Teach.next(0, 2), Some(Discuss));
        assert_eq!(Discuss.next(1, 2), Some(Revise), "one of two taught: revise and teach again");
        assert_eq!(Revise.next(1, 2), Some(Teach));
        assert_eq!(Discuss.next(2, 2), Some(Share));
        assert_eq!(Discuss.next(1, 1), Some(Share));
        assert_eq!(Share.next(2, 2), Some(Done));
        assert_eq!(Done.next(2, 2), None);
    }

    #[test]
    fn progress_grows_with_every_step_and_ends_full() {
        use CyclePhase::*;
        let steps =
            [(Study, 0), (Plan, 0), (Teach, 0), (Discuss, 1), (Revise, 1), (Teach, 1), (Discuss, 2), (Share, 2)];
        let mut last = None;
        for (phase, taught) in steps {
            let (done, total) = phase.progress(taught, 2);
            assert_eq!(total, 8);
            assert!(last.is_none_or(|l| done > l), "{phase:?} after {last:?}: {done}");
            last = Some(done);
        }
        assert_eq!(Done.progress(2, 2), (8, 8));
        assert_eq!(Study.progress(0, 1), (0, 5));
    }

    #[test]
    fn the_cycle_form_names_every_bad_field() {
        let form = CycleForm {
            title: " ".into(),
            learning_question: String::new(),
            lessons_planned: "4".into(),
            ..CycleForm::default()
        };
        let error = form.check().unwrap_err();
        assert_eq!(error.field_error("title"), Some(ErrorKey::Required));
        assert_eq!(error.field_error("learning_question"), Some(ErrorKey::Required));
        assert_eq!(error.field_error("lessons_planned"), Some(ErrorKey::InvalidChoice));
        let fine = CycleForm {
            title: "Verhoudingen zien".into(),
            learning_question: "Hoe ontdekken leerlingen dat een verhouding gelijk blijft?".into(),
            lessons_planned: "2".into(),
            ..CycleForm::default()
        };
        assert_eq!(fine.check(), Ok(2));
    }

    #[test]
    fn pupil_codes_are_codes_never_names() {
        for code in ["L1", "L3", "L12", "LL2", "A9"] {
            assert!(is_pupil_code(code), "{code}");
        }
        for name in ["Sam", "Fleur", "EVA2", "L 1", "l1", "L01", "J.", "Jan1 ", "", "L", "L123", "Eva2x"] {
            assert!(!is_pupil_code(name), "{name:?}");
        }
        assert_eq!(default_pupil_codes(), vec!["L1", "L2", "L3"]);
    }

    #[test]
    fn a_plan_refuses_names_duplicates_and_predictions_without_a_phase() {
        let mut bad = plan(&[("Start", 5), ("Verkennen", 20)]);
        bad.case_pupils[0].code = "Fleur".into();
        bad.case_pupils[2].code = "L2".into();
        bad.case_pupils[1].predictions.push("een derde fase die er niet is".into());
        bad.phases[1].minutes = 0;
        let error = bad.check().unwrap_err();
        assert_eq!(error.field_error("pupils[0][code]"), Some(ErrorKey::PupilCode));
        assert_eq!(error.field_error("pupils[2][code]"), Some(ErrorKey::DuplicatePupil));
        assert_eq!(error.field_error("pupils[1][predictions]"), Some(ErrorKey::InvalidChoice));
        assert_eq!(error.field_error("phases[1][minutes]"), Some(ErrorKey::MinutesRange));
        assert_eq!(plan(&[("Start", 5), ("Verkennen", 20)]).check(), Ok(()));
        assert_eq!(LessonPlan::new().check(), Ok(()), "a new plan may be saved before it is written");
    }

    #[test]
    fn predictions_are_found_per_pupil_and_phase() {
        let plan = plan(&[("Start", 5), ("Verkennen", 20)]);
        assert_eq!(plan.prediction("L2", 1), Some("L2 bij Verkennen"));
        assert_eq!(plan.prediction("L4", 0), None);
        assert_eq!(plan.prediction("L1", 2), None);
        assert_eq!(plan.total_minutes(), 25);
    }

    #[test]
    fn a_stale_version_is_refused() {
        assert_eq!(check_plan_version(3, 3), Ok(()));
        assert_eq!(check_plan_version(4, 3), Err(AppError::Conflict(ErrorKey::EditConflict)));
    }

    #[test]
    fn changes_between_plans_are_told_phase_by_phase() {
        let before = plan(&[("Start", 5), ("Verkennen", 20), ("Nabespreken", 10)]);
        let mut after = before.clone();
        after.phases[1].minutes = 25;
        after.phases[1].anticipated = "Sommigen tellen op in plaats van te vermenigvuldigen.".into();
        after.case_pupils[0].predictions[2] = "L1 legt het uit aan een ander".into();
        after.phases.pop();
        for pupil in &mut after.case_pupils {
            pupil.predictions.truncate(2);
        }
        after.phases.push(PlanPhase { title: "Afsluiten".into(), minutes: 5, ..PlanPhase::default() });
        after.phases.push(PlanPhase { title: "Exit ticket".into(), minutes: 5, ..PlanPhase::default() });
        let changes = plan_changes(&before, &after);
        assert_eq!(changes[0], PhaseChange::Same { title: "Start".into() });
        assert_eq!(
            changes[1],
            PhaseChange::Changed {
                before: "Verkennen".into(),
                title: "Verkennen".into(),
                fields: vec![PlanField::Minutes, PlanField::Anticipated]
            }
        );
        assert_eq!(
            changes[2],
            PhaseChange::Changed {
                before: "Nabespreken".into(),
                title: "Afsluiten".into(),
                fields: vec![PlanField::Title, PlanField::Minutes, PlanField::Predictions]
            }
        );
        assert_eq!(changes[3], PhaseChange::Added { title: "Exit ticket".into() });
        assert_eq!(plan_changes(&after, &before)[3], PhaseChange::Removed { title: "Exit ticket".into() });
    }

    #[test]
    fn a_note_is_about_a_case_pupil_in_a_phase_and_says_something() {
        let plan = plan(&[("Start", 5), ("Verkennen", 20)]);
        let note = NoteInput {
            id: uuid::Uuid::nil(),
            pupil: "L2".into(),
            phase: 1,
            mark: Some(Mark::Different),
            text: String::new(),
            noted_at: 0,
        };
        assert_eq!(note.check(&plan), Ok(()));
        let stranger = NoteInput { pupil: "L7".into(), phase: 2, mark: None, ..note.clone() };
        let error = stranger.check(&plan).unwrap_err();
        assert_eq!(error.field_error("pupil"), Some(ErrorKey::InvalidChoice));
        assert_eq!(error.field_error("phase"), Some(ErrorKey::InvalidChoice));
        assert_eq!(error.field_error("text"), Some(ErrorKey::Required));
    }

    #[test]
    fn the_plan_form_drops_empty_rows_and_keeps_predictions_with_their_phase() {
        let form = PlanForm {
            goals: " Verhoudingen herkennen \r\n".into(),
            rationale: String::new(),
            phases: vec![
                PlanPhaseForm { title: "Start".into(), minutes: "5".into(), ..PlanPhaseForm::default() },
                PlanPhaseForm::default(),
                PlanPhaseForm { title: "Verkennen".into(), minutes: "20".into(), ..PlanPhaseForm::default() },
            ],
            pupils: vec![
                CasePupilForm {
                    code: "L1".into(),
                    typifies: "rekent snel, legt weinig uit".into(),
                    predictions: vec!["begint meteen".into(), String::new(), "zoekt een regel".into()],
                },
                CasePupilForm::default(),
            ],
        };
        let plan = form.plan().unwrap();
        assert_eq!(plan.goals, "Verhoudingen herkennen");
        assert_eq!(plan.phases.len(), 2);
        assert_eq!(plan.case_pupils.len(), 1);
        assert_eq!(plan.prediction("L1", 1), Some("zoekt een regel"));
        let again = PlanForm::of(&plan);
        assert_eq!(again.phases.len(), 3, "plus one empty row");
        assert_eq!(again.plan(), Ok(plan));
    }

    #[test]
    fn a_bad_plan_form_names_every_bad_field() {
        let form = PlanForm {
            phases: vec![PlanPhaseForm { title: "Start".into(), minutes: "vijf".into(), ..PlanPhaseForm::default() }],
            pupils: vec![CasePupilForm { code: "Sanne".into(), ..CasePupilForm::default() }],
            ..PlanForm::default()
        };
        let error = form.plan().unwrap_err();
        assert_eq!(error.field_error("phases[0][minutes]"), Some(ErrorKey::MinutesRange));
        let gap = PlanForm {
            phases: vec![
                PlanPhaseForm::default(),
                PlanPhaseForm { title: String::new(), minutes: "5".into(), ..PlanPhaseForm::default() },
            ],
            ..PlanForm::default()
        };
        assert_eq!(
            gap.plan().unwrap_err().field_error("phases[1][title]"),
            Some(ErrorKey::Required),
            "the error names the form's row, not the plan's"
        );
        let error = PlanForm { phases: vec![], ..form }.plan().unwrap_err();
        assert_eq!(error.field_error("pupils[0][code]"), Some(ErrorKey::PupilCode));
    }
}
