//! Closing the loop of a round, as plain rules: the case bringer's actions with a
//! check-in date and the report of what came of them, each participant's three-question
//! evaluation (shown only as a group, coarsely, once it closed and enough people
//! answered, so no one's answer can be picked out or read from a change), and the de-identified summary that may leave the round only
//! with the case bringer's consent and without quoting the case.

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::artifact::domain::text_bounds;
use crate::error::{AppError, ErrorKey, Validation};
use crate::shared::string_enum;

pub const ACTION_MAX: usize = 500;
pub const REPORT_MAX: usize = 1000;
pub const LEARNED_MAX: usize = 500;
pub const SUMMARY_TITLE_MAX: usize = 120;
pub const SUMMARY_MAX: usize = 6000;
/// Evaluations are shown as a group from this many answers on.
pub const EVALUATION_MIN_GROUP: usize = 3;
/// How far ahead a check-in may be planned.
const CHECK_IN_HORIZON_DAYS: i64 = 366;
/// The check-in Kring proposes: two weeks, about two meetings ahead.
pub const DEFAULT_CHECK_IN_DAYS: i64 = 14;

string_enum! {
    /// What came of an action.
    Outcome { Done => "done", Partly => "partly", NotDone => "not_done" }
}

fn date_field(text: &str, today: Date) -> Result<Date, ErrorKey> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ErrorKey::Required);
    }
    let date = Date::parse(text, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| ErrorKey::InvalidDate)?;
    if date < today {
        Err(ErrorKey::InThePast)
    } else if date > today + Duration::days(CHECK_IN_HORIZON_DAYS) {
        Err(ErrorKey::TooFarAhead)
    } else {
        Ok(date)
    }
}

fn clean(text: &str) -> String {
    text.replace("\r\n", "\n").trim().to_string()
}

/// An action as the case bringer typed it.
#[derive(Debug, Clone, Default)]
pub struct ActionForm {
    pub body: String,
    /// `YYYY-MM-DD`
    pub check_in: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionInput {
    pub body: String,
    pub check_in_on: Date,
}

impl ActionForm {
    /// Every bad field at once; the check-in lies between today and a year ahead.
    pub fn validate(&self, today: Date) -> Result<ActionInput, AppError> {
        let body = clean(&self.body);
        let check_in = date_field(&self.check_in, today);
        Validation::new()
            .check("action", text_bounds(&body, ACTION_MAX))
            .check("check_in", check_in.map(|_| ()))
            .finish()?;
        Ok(ActionInput { body, check_in_on: check_in.map_err(|_| AppError::Internal)? })
    }
}

/// The report on an action: its outcome and, optionally, what happened.
pub fn validate_report(outcome: &str, report: &str) -> Result<(Outcome, Option<String>), AppError> {
    let report = clean(report);
    let outcome = Outcome::parse(outcome);
    let length = if report.chars().count() > REPORT_MAX { Err(ErrorKey::TooLong) } else { Ok(()) };
    Validation::new().check("outcome", outcome.map(|_| ())).check("report", length).finish()?;
    Ok((outcome.map_err(|_| AppError::Internal)?, (!report.is_empty()).then_some(report)))
}

/// One participant's evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub safe: u8,
    pub useful: u8,
    pub learned: Option<String>,
}

fn score(text: &str) -> Result<u8, ErrorKey> {
    match text.trim() {
        "" => Err(ErrorKey::Required),
        value => value.parse::<u8>().ok().filter(|n| (1..=5).contains(n)).ok_or(ErrorKey::InvalidChoice),
    }
}

/// Was it safe (1–5), was it useful (1–5), what did you learn (optional).
pub fn validate_evaluation(safe: &str, useful: &str, learned: &str) -> Result<Evaluation, AppError> {
    let learned = clean(learned);
    let (safe, useful) = (score(safe), score(useful));
    let length = if learned.chars().count() > LEARNED_MAX { Err(ErrorKey::TooLong) } else { Ok(()) };
    Validation::new()
        .check("safe", safe.map(|_| ()))
        .check("useful", useful.map(|_| ()))
        .check("learned", length)
        .finish()?;
    Ok(Evaluation {
        safe: safe.map_err(|_| AppError::Internal)?,
        useful: useful.map_err(|_| AppError::Internal)?,
        learned: (!learned.is_empty()).then_some(learned),
    })
}

/// How long after a round's end its participants may answer the evaluation, unless
/// all of them answered sooner.
pub const EVALUATION_OPEN_HOURS: i64 = 48;

/// Whether a round's evaluation is closed: answers are then final and the group's
/// shows. Nothing is shown while answers still come in, so no one can read the newest
/// answer from a change in the averages.
pub fn evaluation_closed(
    ended_at: Option<time::OffsetDateTime>,
    answers: usize,
    taking_part: usize,
    at: time::OffsetDateTime,
) -> bool {
    ended_at.is_some_and(|end| answers >= taking_part || at >= end + Duration::hours(EVALUATION_OPEN_HOURS))
}

/// The group's evaluation once it is closed and at least [`EVALUATION_MIN_GROUP`]
/// people answered: averages rounded to the nearest half (in halves: 9 is 4.5) and
/// what people learned, without names. Before that only the number of answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupEvaluation {
    pub answers: u32,
    pub closed: bool,
    pub safe_halves: Option<u32>,
    pub useful_halves: Option<u32>,
    pub learned: Vec<String>,
}

impl GroupEvaluation {
    pub fn of(evaluations: &[Evaluation], closed: bool) -> Self {
        let answers = evaluations.len() as u32;
        if !closed || evaluations.len() < EVALUATION_MIN_GROUP {
            return GroupEvaluation { answers, closed, ..Default::default() };
        }
        let halves = |sum: u32| (4 * sum + answers) / (2 * answers);
        let mut learned: Vec<String> = evaluations.iter().filter_map(|e| e.learned.clone()).collect();
        // Sorted, so the order does not give away who wrote what.
        learned.sort();
        GroupEvaluation {
            answers,
            closed,
            safe_halves: Some(halves(evaluations.iter().map(|e| e.safe as u32).sum())),
            useful_halves: Some(halves(evaluations.iter().map(|e| e.useful as u32).sum())),
            learned,
        }
    }
}

/// The summary the case bringer agrees to publish.
#[derive(Debug, Clone, Default)]
pub struct SummaryForm {
    pub title: String,
    pub body: String,
    pub consent: bool,
}

/// A sentence of the case long enough to recognise when it is copied.
const QUOTE_MIN_CHARS: usize = 30;

fn normalised(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Whether `summary` copies a sentence of the case text.
pub fn quotes_case(summary: &str, case_texts: &[&str]) -> bool {
    let summary = normalised(summary);
    case_texts
        .iter()
        .flat_map(|text| text.split(['.', '!', '?', '\n']))
        .map(normalised)
        .any(|sentence| sentence.chars().count() >= QUOTE_MIN_CHARS && summary.contains(&sentence))
}

impl SummaryForm {
    /// Title and text within bounds, consent given, and no sentence of the case quoted.
    pub fn validate(&self, case_texts: &[&str]) -> Result<(String, String), AppError> {
        let title = clean(&self.title);
        let body = clean(&self.body);
        let body_check = text_bounds(&body, SUMMARY_MAX)
            .and_then(|_| if quotes_case(&body, case_texts) { Err(ErrorKey::QuotesCase) } else { Ok(()) });
        Validation::new()
            .check("summary_title", text_bounds(&title, SUMMARY_TITLE_MAX))
            .check("summary", body_check)
            .check("consent", if self.consent { Ok(()) } else { Err(ErrorKey::ConsentNeeded) })
            .finish()?;
        Ok((title, body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 24);

    #[test]
    fn an_action_needs_text_and_a_check_in_within_a_year() {
        let form = ActionForm {
            body: "  Ik begin de les na de pauze met een denkvraag. ".into(),
            check_in: "2026-12-08".into(),
        };
        let action = form.validate(TODAY).unwrap();
        assert_eq!(action.body, "Ik begin de les na de pauze met een denkvraag.");
        assert_eq!(action.check_in_on, date!(2026 - 12 - 08));
        assert!(ActionForm { body: "x".into(), check_in: "2026-11-24".into() }.validate(TODAY).is_ok());

        let error = ActionForm::default().validate(TODAY).unwrap_err();
        assert_eq!(error.field_error("action"), Some(ErrorKey::Required));
        assert_eq!(error.field_error("check_in"), Some(ErrorKey::Required));
        let cases = [
            ("2026-11-23", ErrorKey::InThePast),
            ("2027-12-01", ErrorKey::TooFarAhead),
            ("8 dec", ErrorKey::InvalidDate),
        ];
        for (check_in, key) in cases {
            let error = ActionForm { body: "x".into(), check_in: check_in.into() }.validate(TODAY).unwrap_err();
            assert_eq!(error.field_error("check_in"), Some(key), "{check_in}");
        }
        let long = ActionForm { body: "a".repeat(ACTION_MAX + 1), check_in: "2026-12-08".into() };
        assert_eq!(long.validate(TODAY).unwrap_err().field_error("action"), Some(ErrorKey::TooLong));
    }

    #[test]
    fn a_report_needs_an_outcome_and_may_say_more() {
        assert_eq!(validate_report("done", "  ").unwrap(), (Outcome::Done, None));
        assert_eq!(
            validate_report("partly", "Twee keer gedaan.\r\nDe klas reageerde.").unwrap(),
            (Outcome::Partly, Some("Twee keer gedaan.\nDe klas reageerde.".into()))
        );
        assert_eq!(validate_report("", "").unwrap_err().field_error("outcome"), Some(ErrorKey::InvalidChoice));
        let long = "a".repeat(REPORT_MAX + 1);
        assert_eq!(validate_report("done", &long).unwrap_err().field_error("report"), Some(ErrorKey::TooLong));
    }

    #[test]
    fn an_evaluation_scores_one_to_five() {
        assert_eq!(
            validate_evaluation("5", "4", " Eerst vragen, dan pas adviseren. ").unwrap(),
            Evaluation { safe: 5, useful: 4, learned: Some("Eerst vragen, dan pas adviseren.".into()) }
        );
        let error = validate_evaluation("", "6", "").unwrap_err();
        assert_eq!(error.field_error("safe"), Some(ErrorKey::Required));
        assert_eq!(error.field_error("useful"), Some(ErrorKey::InvalidChoice));
        assert_eq!(validate_evaluation("0", "3", "").unwrap_err().field_error("safe"), Some(ErrorKey::InvalidChoice));
    }

    #[test]
    fn the_group_evaluation_shows_only_once_closed_and_from_three_answers() {
        let e = |safe, useful, learned: Option<&str>| Evaluation { safe, useful, learned: learned.map(Into::into) };
        let two = [e(5, 4, Some("b")), e(4, 4, None)];
        assert_eq!(GroupEvaluation::of(&two, true), GroupEvaluation { answers: 2, closed: true, ..Default::default() });
        let three = [e(5, 4, Some("zuinig adviseren")), e(4, 4, None), e(4, 3, Some("beter luisteren"))];
        let open = GroupEvaluation::of(&three, false);
        assert_eq!(open, GroupEvaluation { answers: 3, closed: false, ..Default::default() }, "nothing while open");
        let group = GroupEvaluation::of(&three, true);
        assert_eq!(group.answers, 3);
        // 4.33 and 3.67, coarsened to halves: 4.5 and 3.5.
        assert_eq!((group.safe_halves, group.useful_halves), (Some(9), Some(7)));
        assert_eq!(group.learned, vec!["beter luisteren".to_string(), "zuinig adviseren".to_string()]);
        let even = [e(4, 2, None), e(4, 2, None), e(4, 3, None)];
        assert_eq!(GroupEvaluation::of(&even, true).safe_halves, Some(8));
        assert_eq!(GroupEvaluation::of(&even, true).useful_halves, Some(5), "2.33 is 2.5");
    }

    #[test]
    fn the_evaluation_closes_when_everyone_answered_or_the_time_is_up() {
        let end = time::macros::datetime!(2026-12-01 15:00 UTC);
        assert!(!evaluation_closed(None, 6, 6, end), "a round that has not ended");
        assert!(!evaluation_closed(Some(end), 5, 6, end + Duration::hours(47)));
        assert!(evaluation_closed(Some(end), 6, 6, end), "everyone answered");
        assert!(evaluation_closed(Some(end), 2, 6, end + Duration::hours(EVALUATION_OPEN_HOURS)));
    }

    #[test]
    fn a_summary_needs_consent_and_may_not_quote_the_case() {
        let situation =
            "Na de pauze zegt niemand in 3B nog iets, ook niet bij open vragen.\nIk voel me dan machteloos.";
        let good = SummaryForm {
            title: "Stille klassen na de pauze".into(),
            body: "Wat hielp: eerst laten schrijven, dan delen in tweetallen.".into(),
            consent: true,
        };
        assert!(good.validate(&[situation]).is_ok());

        let without_consent = SummaryForm { consent: false, ..good.clone() };
        assert_eq!(
            without_consent.validate(&[situation]).unwrap_err().field_error("consent"),
            Some(ErrorKey::ConsentNeeded)
        );

        let quoting = SummaryForm {
            body: "De casus: na de pauze zegt   niemand in 3B nog iets, ook niet bij open vragen. Wat hielp...".into(),
            ..good.clone()
        };
        assert_eq!(quoting.validate(&[situation]).unwrap_err().field_error("summary"), Some(ErrorKey::QuotesCase));
        // Short sentences ("Ik voel me dan machteloos") are too common to count as quoting.
        let short = SummaryForm { body: "Ik voel me dan machteloos, zei iemand.".into(), ..good };
        assert!(short.validate(&[situation]).is_ok());
    }
}
