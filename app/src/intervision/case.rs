//! Cases members bring to their community ahead of a round: a title, the situation
//! and the question. Bringing a case is voluntary; its text is confidential and
//! expires at the end of the school year, after which only the fact of it remains.

use time::{Date, Month, OffsetDateTime, Time};

use crate::account::domain::validate_text;
use crate::artifact::domain::text_bounds;
use crate::community::domain::string_enum;
use crate::error::{AppError, Validation};

pub const TITLE_MAX: usize = 120;
pub const SITUATION_MAX: usize = 4000;
pub const QUESTION_MAX: usize = 600;

string_enum! {
    CaseStatus {
        /// Waiting to be chosen for a round.
        Open => "open",
        /// Taken back by the case bringer (and can be put back).
        Withdrawn => "withdrawn",
        /// Discussed in a round.
        Discussed => "discussed",
    }
}

/// A case as typed into the form.
#[derive(Debug, Clone, Default)]
pub struct CaseForm {
    pub title: String,
    pub situation: String,
    pub question: String,
}

/// A valid case, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseInput {
    pub title: String,
    pub situation: String,
    pub question: String,
}

impl CaseForm {
    /// Every bad field at once.
    pub fn validate(&self) -> Result<CaseInput, AppError> {
        let situation = self.situation.replace("\r\n", "\n");
        let question = self.question.replace("\r\n", "\n");
        Validation::new()
            .check("title", validate_text(&self.title, TITLE_MAX))
            .check("situation", text_bounds(&situation, SITUATION_MAX))
            .check("question", text_bounds(&question, QUESTION_MAX))
            .finish()?;
        Ok(CaseInput {
            title: self.title.trim().to_string(),
            situation: situation.trim().to_string(),
            question: question.trim().to_string(),
        })
    }
}

/// When case text written at `now` expires: the start of the next school year
/// (1 August, 00:00 UTC), the moment Dutch schools start afresh.
pub fn school_year_end(now: OffsetDateTime) -> OffsetDateTime {
    let year = if now.month() >= Month::August { now.year() + 1 } else { now.year() };
    let date = Date::from_calendar_date(year, Month::August, 1).unwrap_or(now.date());
    date.with_time(Time::MIDNIGHT).assume_utc()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKey;
    use time::macros::datetime;

    #[test]
    fn a_case_needs_a_title_a_situation_and_a_question() {
        let empty = CaseForm::default().validate().unwrap_err();
        for field in ["title", "situation", "question"] {
            assert_eq!(empty.field_error(field), Some(ErrorKey::Required), "{field}");
        }
        let long = CaseForm { title: "t".repeat(121), situation: "s".into(), question: "q".repeat(601) };
        let error = long.validate().unwrap_err();
        assert_eq!(error.field_error("title"), Some(ErrorKey::TooLong));
        assert_eq!(error.field_error("question"), Some(ErrorKey::TooLong));
        assert_eq!(error.field_error("situation"), None);
    }

    #[test]
    fn a_valid_case_is_trimmed_and_keeps_its_lines() {
        let form = CaseForm {
            title: "  Stille klas na de pauze ".into(),
            situation: "Na de pauze zegt niemand iets.\r\nOok niet bij open vragen.".into(),
            question: " Hoe krijg ik ze weer aan het praten? ".into(),
        };
        let case = form.validate().unwrap();
        assert_eq!(case.title, "Stille klas na de pauze");
        assert_eq!(case.situation, "Na de pauze zegt niemand iets.\nOok niet bij open vragen.");
        assert_eq!(case.question, "Hoe krijg ik ze weer aan het praten?");
    }

    #[test]
    fn case_text_expires_when_the_next_school_year_starts() {
        assert_eq!(school_year_end(datetime!(2026-11-23 15:00 UTC)), datetime!(2027-08-01 00:00 UTC));
        assert_eq!(school_year_end(datetime!(2027-07-31 23:00 UTC)), datetime!(2027-08-01 00:00 UTC));
        assert_eq!(school_year_end(datetime!(2027-08-01 09:00 UTC)), datetime!(2028-08-01 00:00 UTC));
    }
}
