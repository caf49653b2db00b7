//! Cases members bring to their community ahead of a round: a title, the situation
//! and the question. Bringing a case is voluntary; its text is confidential and
//! expires (by default at the end of the school year; a community may keep it
//! shorter), after which only the fact of it remains. The group picks the case to
//! discuss by a quick vote or the facilitator's choice.

use time::{Date, Month, OffsetDateTime, Time};

use crate::artifact::domain::text_bounds;
use crate::error::{AppError, Validation};
use crate::shared::string_enum;
use crate::shared::text::validate_text;

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

string_enum! {
    /// How long a community keeps case text and what was written in its rounds.
    #[derive(Default)]
    CaseKeeping {
        #[default]
        SchoolYear => "school_year",
        SixMonths => "months_6",
        ThreeMonths => "months_3",
        OneMonth => "months_1",
    }
}

impl CaseKeeping {
    /// When text written at `written` expires.
    pub fn expires_at(self, written: OffsetDateTime) -> OffsetDateTime {
        match self {
            CaseKeeping::SchoolYear => school_year_end(written),
            CaseKeeping::SixMonths => months_later(written, 6),
            CaseKeeping::ThreeMonths => months_later(written, 3),
            CaseKeeping::OneMonth => months_later(written, 1),
        }
    }

    /// A case's expiry after the community chose `self`: a shorter keeping brings it
    /// forward, a longer one never extends what members were promised.
    pub fn applied_to(self, written: OffsetDateTime, expires_at: OffsetDateTime) -> OffsetDateTime {
        self.expires_at(written).min(expires_at)
    }
}

/// The same day `months` calendar months later (the month's last day when shorter).
fn months_later(at: OffsetDateTime, months: u8) -> OffsetDateTime {
    let index = i32::from(u8::from(at.month())) - 1 + i32::from(months);
    let year = at.year() + index / 12;
    let month = Month::January.nth_next((index % 12) as u8);
    let date =
        (1..=at.day()).rev().find_map(|day| Date::from_calendar_date(year, month, day).ok()).unwrap_or(at.date());
    at.replace_date(date)
}

/// Cases with their votes, most votes first; on a tie in the order given (oldest first).
pub fn in_vote_order<T>(mut cases: Vec<(T, u32)>) -> Vec<(T, u32)> {
    cases.sort_by_key(|(_, votes)| std::cmp::Reverse(*votes));
    cases
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

    #[test]
    fn a_community_may_keep_case_text_shorter() {
        let written = datetime!(2026-11-30 15:00 UTC);
        assert_eq!(CaseKeeping::default().expires_at(written), datetime!(2027-08-01 00:00 UTC));
        assert_eq!(CaseKeeping::OneMonth.expires_at(written), datetime!(2026-12-30 15:00 UTC));
        assert_eq!(CaseKeeping::ThreeMonths.expires_at(written), datetime!(2027-02-28 15:00 UTC));
        assert_eq!(CaseKeeping::SixMonths.expires_at(written), datetime!(2027-05-30 15:00 UTC));
        assert_eq!(CaseKeeping::OneMonth.expires_at(datetime!(2026-12-31 08:00 UTC)), datetime!(2027-01-31 08:00 UTC));
        assert_eq!(CaseKeeping::parse("months_3"), Ok(CaseKeeping::ThreeMonths));
        assert_eq!(CaseKeeping::parse("forever"), Err(ErrorKey::InvalidChoice));
    }

    #[test]
    fn a_new_keeping_brings_expiry_forward_but_never_extends_it() {
        let written = datetime!(2026-11-30 15:00 UTC);
        let promised = CaseKeeping::ThreeMonths.expires_at(written);
        assert_eq!(CaseKeeping::OneMonth.applied_to(written, promised), datetime!(2026-12-30 15:00 UTC));
        assert_eq!(CaseKeeping::SchoolYear.applied_to(written, promised), promised);
    }

    #[test]
    fn the_most_wanted_case_comes_first_and_the_oldest_on_a_tie() {
        let order: Vec<&str> =
            in_vote_order(vec![("a", 1), ("b", 3), ("c", 0), ("d", 3)]).into_iter().map(|(c, _)| c).collect();
        assert_eq!(order, ["b", "d", "a", "c"]);
        assert!(in_vote_order(Vec::<((), u32)>::new()).is_empty());
    }
}
