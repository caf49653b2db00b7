//! Who does what in a research lesson, as rules: the teacher teaches, observers each
//! follow one or more case pupils (never the teacher), and everyone is told what the
//! cycle asks of them next. Pure, so the cycle page and the home page say the same.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::domain::{CASE_PUPILS_MAX, CyclePhase, LessonPlan, SHORT_MAX, is_pupil_code};
use crate::error::{AppError, ErrorKey, Validation};
use crate::shared::string_enum;
use crate::shared::text::{clean_text, validate_optional_text};

string_enum! {
    /// A member's part in the current research lesson.
    LessonPart {
        Teacher => "teacher",
        Observer => "observer",
        Member => "member",
    }
}

string_enum! {
    /// What the cycle asks of one member now.
    NextStep {
        /// Study: read and discuss the theme and the learning question.
        StudyTheme => "study_theme",
        /// Plan or revise: write the plan and the predictions together.
        WritePlan => "write_plan",
        /// The facilitator still has to name the teacher, the class and the observers.
        SetUpLesson => "set_up_lesson",
        TeachLesson => "teach_lesson",
        ObservePupils => "observe_pupils",
        /// Teach, for a member without a part: the lesson is taught and observed.
        FollowLesson => "follow_lesson",
        JoinDiscussion => "join_discussion",
        WriteReport => "write_report",
        Nothing => "nothing",
    }
}

/// What `part` is asked to do in `phase`; `set_up` says whether the research lesson has
/// a teacher and at least one observer.
pub fn next_step(phase: CyclePhase, part: LessonPart, set_up: bool, may_lead: bool) -> NextStep {
    use CyclePhase::*;
    match (phase, part) {
        (Study, _) => NextStep::StudyTheme,
        (Plan | Revise, _) if may_lead && !set_up => NextStep::SetUpLesson,
        (Plan | Revise, _) => NextStep::WritePlan,
        (Teach, LessonPart::Teacher) => NextStep::TeachLesson,
        (Teach, LessonPart::Observer) => NextStep::ObservePupils,
        (Teach, LessonPart::Member) if may_lead && !set_up => NextStep::SetUpLesson,
        (Teach, LessonPart::Member) => NextStep::FollowLesson,
        (Discuss, _) => NextStep::JoinDiscussion,
        (Share, _) => NextStep::WriteReport,
        (Done, _) => NextStep::Nothing,
    }
}

/// The case-pupil codes an observer follows, as typed ("L1 L2", "L1, L2"): each a valid
/// code, no repeats, at most the plan's maximum. Empty means not observing.
pub fn observer_codes(typed: &str) -> Result<Vec<String>, ErrorKey> {
    let mut codes: Vec<String> = Vec::new();
    for code in typed.split(|c: char| c == ',' || c == ';' || c.is_whitespace()).filter(|c| !c.is_empty()) {
        let code = code.to_string();
        if !is_pupil_code(&code) {
            return Err(ErrorKey::PupilCode);
        }
        if codes.contains(&code) {
            return Err(ErrorKey::DuplicatePupil);
        }
        codes.push(code);
    }
    if codes.len() > CASE_PUPILS_MAX {
        return Err(ErrorKey::TooManyPupils);
    }
    Ok(codes)
}

/// The codes an observer follows that the plan does not (yet) have: shown as a warning,
/// since the plan may still gain them before the lesson.
pub fn codes_missing_from_plan<'a>(codes: &'a [String], plan: &LessonPlan) -> Vec<&'a str> {
    codes.iter().filter(|code| !plan.has_pupil(code)).map(String::as_str).collect()
}

/// The research lesson's set-up as the facilitator typed it: a teacher who is not also
/// an observer, and observers who each follow at least one case pupil.
pub fn check_set_up<T: PartialEq>(teacher: Option<&T>, observers: &[(T, Vec<String>)]) -> Result<(), AppError> {
    if let Some(teacher) = teacher
        && observers.iter().any(|(who, _)| who == teacher)
    {
        return Err(AppError::field("teacher", ErrorKey::TeacherObserves));
    }
    Ok(())
}

/// An id picked from a `<select>` whose first option is "nobody" (an empty value).
pub fn chosen_id(field: &str, value: &str) -> Result<Option<Uuid>, AppError> {
    match value.trim() {
        "" => Ok(None),
        id => Uuid::parse_str(id).map(Some).map_err(|_| AppError::field(field, ErrorKey::InvalidChoice)),
    }
}

/// One member's row in the set-up form: the case pupils they follow ("" = not observing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObserverRow {
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub codes: String,
}

/// The form field of an observer row's input, e.g. `observers[2][codes]`.
pub fn observer_field(row: usize, input: &str) -> String {
    format!("observers[{row}][{input}]")
}

/// A research lesson's set-up, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetUpForm {
    pub teacher: Option<Uuid>,
    pub class_name: String,
    pub meeting: Option<Uuid>,
    /// Members who observe, with the codes they follow.
    pub observers: Vec<(Uuid, Vec<String>)>,
}

impl SetUpForm {
    /// The set-up the form describes, or every problem at once.
    pub fn read(teacher: &str, class_name: &str, meeting: &str, rows: &[ObserverRow]) -> Result<SetUpForm, AppError> {
        let mut check = Validation::new();
        let teacher = chosen_id("teacher", teacher);
        let meeting = chosen_id("meeting", meeting);
        check.check("class_name", validate_optional_text(class_name, SHORT_MAX));
        let mut observers = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            match (chosen_id(&observer_field(i, "user"), &row.user), observer_codes(&row.codes)) {
                (Ok(Some(user)), Ok(codes)) if !codes.is_empty() => {
                    if observers.iter().any(|(who, _)| *who == user) {
                        check.check(&observer_field(i, "user"), Err(ErrorKey::InvalidChoice));
                    }
                    observers.push((user, codes));
                }
                (Ok(_), Ok(_)) => {}
                (Err(_), _) => {
                    check.check(&observer_field(i, "user"), Err(ErrorKey::InvalidChoice));
                }
                (_, Err(key)) => {
                    check.check(&observer_field(i, "codes"), Err(key));
                }
            }
        }
        if teacher.is_err() {
            check.check("teacher", Err(ErrorKey::InvalidChoice));
        }
        if meeting.is_err() {
            check.check("meeting", Err(ErrorKey::InvalidChoice));
        }
        check.finish()?;
        let form = SetUpForm { teacher: teacher?, class_name: clean_text(class_name), meeting: meeting?, observers };
        check_set_up(form.teacher.as_ref(), &form.observers)?;
        Ok(form)
    }
}

/// The set-up line shown to everyone: has the lesson a teacher and observers yet?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetUpState {
    pub has_teacher: bool,
    pub observers: usize,
}

impl SetUpState {
    pub fn complete(self) -> bool {
        self.has_teacher && self.observers > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson_study::domain::CasePupil;

    #[test]
    fn everyone_is_told_their_own_next_step() {
        use CyclePhase::*;
        assert_eq!(next_step(Study, LessonPart::Member, false, false), NextStep::StudyTheme);
        assert_eq!(next_step(Plan, LessonPart::Member, false, true), NextStep::SetUpLesson);
        assert_eq!(next_step(Plan, LessonPart::Member, false, false), NextStep::WritePlan);
        assert_eq!(next_step(Plan, LessonPart::Teacher, true, true), NextStep::WritePlan);
        assert_eq!(next_step(Teach, LessonPart::Teacher, true, false), NextStep::TeachLesson);
        assert_eq!(next_step(Teach, LessonPart::Observer, true, false), NextStep::ObservePupils);
        assert_eq!(next_step(Teach, LessonPart::Member, true, false), NextStep::FollowLesson);
        assert_eq!(next_step(Teach, LessonPart::Member, false, true), NextStep::SetUpLesson);
        assert_eq!(next_step(Discuss, LessonPart::Observer, true, false), NextStep::JoinDiscussion);
        assert_eq!(next_step(Revise, LessonPart::Member, true, false), NextStep::WritePlan);
        assert_eq!(next_step(Share, LessonPart::Teacher, true, false), NextStep::WriteReport);
        assert_eq!(next_step(Done, LessonPart::Teacher, true, true), NextStep::Nothing);
    }

    #[test]
    fn observer_codes_are_codes_never_names() {
        assert_eq!(observer_codes("L1 L2"), Ok(vec!["L1".to_string(), "L2".to_string()]));
        assert_eq!(observer_codes(" L1,L3 "), Ok(vec!["L1".to_string(), "L3".to_string()]));
        assert_eq!(observer_codes(""), Ok(vec![]));
        assert_eq!(observer_codes("Fleur"), Err(ErrorKey::PupilCode));
        assert_eq!(observer_codes("L1 L1"), Err(ErrorKey::DuplicatePupil));
        assert_eq!(observer_codes("A1 A2 A3 A4 A5 A6 A7"), Err(ErrorKey::TooManyPupils));
    }

    #[test]
    fn codes_the_plan_lacks_are_named() {
        let plan = LessonPlan {
            case_pupils: vec![CasePupil { code: "L1".into(), ..CasePupil::default() }],
            ..LessonPlan::default()
        };
        let codes = vec!["L1".to_string(), "L4".to_string()];
        assert_eq!(codes_missing_from_plan(&codes, &plan), vec!["L4"]);
    }

    #[test]
    fn the_set_up_form_keeps_observing_rows_and_names_every_bad_field() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let row = |user: &Uuid, codes: &str| ObserverRow { user: user.to_string(), codes: codes.to_string() };
        let form = SetUpForm::read(&a.to_string(), " 5B ", "", &[row(&a, ""), row(&b, "L1 L2")]).unwrap();
        assert_eq!(form.teacher, Some(a));
        assert_eq!(form.class_name, "5B");
        assert_eq!(form.meeting, None);
        assert_eq!(form.observers, vec![(b, vec!["L1".to_string(), "L2".to_string()])]);

        let error = SetUpForm::read("someone", "", "x", &[row(&b, "Fleur")]).unwrap_err();
        assert_eq!(error.field_error("teacher"), Some(ErrorKey::InvalidChoice));
        assert_eq!(error.field_error("meeting"), Some(ErrorKey::InvalidChoice));
        assert_eq!(error.field_error("observers[0][codes]"), Some(ErrorKey::PupilCode));

        let error = SetUpForm::read(&a.to_string(), "", "", &[row(&a, "L1")]).unwrap_err();
        assert_eq!(error.field_error("teacher"), Some(ErrorKey::TeacherObserves));
    }

    #[test]
    fn the_teacher_does_not_observe_their_own_lesson() {
        assert!(check_set_up(Some(&1), &[(2, vec!["L1".to_string()])]).is_ok());
        let error = check_set_up(Some(&1), &[(1, vec!["L1".to_string()])]).unwrap_err();
        assert_eq!(error.field_error("teacher"), Some(ErrorKey::TeacherObserves));
        assert!(check_set_up::<i32>(None, &[]).is_ok());
    }
}
