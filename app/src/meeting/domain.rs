//! Plain rules about meetings, shared by server and browser: what a valid meeting
//! looks like, when people can check themselves in, and when a facilitator may
//! correct the attendance.

use time::{Date, Duration, OffsetDateTime, Time};

use crate::error::{ErrorKey, Validation};
use crate::shared::string_enum;
use crate::shared::text::{clean_text, validate_optional};

pub const TITLE_MAX: usize = 120;
pub const PLACE_MAX: usize = 200;
pub const URL_MAX: usize = 500;
pub const AGENDA_MAX: usize = 4_000;
pub const DURATION_MIN: i32 = 15;
pub const DURATION_MAX: i32 = 8 * 60;
/// People can check in this long before a meeting starts…
pub const CHECK_IN_EARLY: Duration = Duration::minutes(15);
/// …and until this long after it ends.
pub const CHECK_IN_LATE: Duration = Duration::minutes(60);

string_enum! {
    MeetingStatus { Scheduled => "scheduled", Cancelled => "cancelled" }
}

/// A meeting as typed into the form: local date and time in the board's time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingInput {
    pub title: String,
    pub date: Date,
    pub start: Time,
    pub duration_minutes: i32,
    pub place: String,
    pub online_url: String,
    pub agenda: String,
}

/// The raw form fields of a meeting.
#[derive(Debug, Clone, Default)]
pub struct MeetingForm {
    pub title: String,
    pub date: String,
    pub time: String,
    pub duration: String,
    pub place: String,
    pub online_url: String,
    pub agenda: String,
}

impl MeetingForm {
    /// Checks every field and returns the meeting, or every field error at once.
    pub fn parse(&self) -> Result<MeetingInput, crate::error::AppError> {
        let date = Date::parse(self.date.trim(), &time::macros::format_description!("[year]-[month]-[day]"));
        let start = parse_time(self.time.trim());
        let duration = self.duration.trim().parse::<i32>().map_err(|_| ErrorKey::InvalidChoice).and_then(|d| {
            if (DURATION_MIN..=DURATION_MAX).contains(&d) { Ok(d) } else { Err(ErrorKey::InvalidChoice) }
        });
        let place = self.place.trim();
        let url = self.online_url.trim();
        let mut validation = Validation::new();
        validation
            .check("title", validate_optional(&self.title, TITLE_MAX).and_then(|_| single_line(&self.title)))
            .check(
                "date",
                if self.date.trim().is_empty() {
                    Err(ErrorKey::Required)
                } else {
                    date.map(|_| ()).map_err(|_| ErrorKey::InvalidChoice)
                },
            )
            .check("time", if self.time.trim().is_empty() { Err(ErrorKey::Required) } else { start.map(|_| ()) })
            .check("duration", duration.map(|_| ()))
            .check(
                "place",
                if place.is_empty() && url.is_empty() {
                    Err(ErrorKey::PlaceOrLink)
                } else {
                    validate_optional(place, PLACE_MAX).and_then(|_| single_line(place))
                },
            )
            .check("online_url", validate_link(url))
            .check("agenda", validate_optional(&self.agenda, AGENDA_MAX));
        validation.finish()?;
        Ok(MeetingInput {
            title: self.title.trim().to_string(),
            date: date.map_err(|_| crate::error::AppError::Internal)?,
            start: start.map_err(|_| crate::error::AppError::Internal)?,
            duration_minutes: duration.unwrap_or(DURATION_MIN),
            place: place.to_string(),
            online_url: url.to_string(),
            agenda: clean_text(&self.agenda),
        })
    }
}

fn parse_time(value: &str) -> Result<Time, ErrorKey> {
    let short = time::macros::format_description!("[hour]:[minute]");
    let long = time::macros::format_description!("[hour]:[minute]:[second]");
    Time::parse(value, &short).or_else(|_| Time::parse(value, &long)).map_err(|_| ErrorKey::InvalidChoice)
}

fn single_line(text: &str) -> Result<(), ErrorKey> {
    if text.contains(['\n', '\r']) { Err(ErrorKey::InvalidChoice) } else { Ok(()) }
}

/// An online meeting link: empty, or an http(s) address without spaces.
pub fn validate_link(url: &str) -> Result<(), ErrorKey> {
    if url.is_empty() {
        return Ok(());
    }
    if url.chars().count() > URL_MAX {
        return Err(ErrorKey::TooLong);
    }
    let has_scheme = url.starts_with("https://") || url.starts_with("http://");
    let host = url.split("://").nth(1).unwrap_or_default();
    if !has_scheme || host.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ErrorKey::InvalidLink);
    }
    Ok(())
}

/// New meetings (and meetings moved to another time) must start in the future.
pub fn check_in_future(starts_at: OffsetDateTime, now: OffsetDateTime) -> Result<(), ErrorKey> {
    if starts_at > now { Ok(()) } else { Err(ErrorKey::InThePast) }
}

/// Members check themselves in from a little before the start until an hour after
/// the end of a meeting that takes place.
pub fn check_in_open(status: MeetingStatus, starts_at: OffsetDateTime, minutes: i32, now: OffsetDateTime) -> bool {
    let ends_at = starts_at + Duration::minutes(i64::from(minutes));
    status == MeetingStatus::Scheduled && now >= starts_at - CHECK_IN_EARLY && now <= ends_at + CHECK_IN_LATE
}

/// Facilitators correct attendance once a meeting has started.
pub fn may_correct(status: MeetingStatus, starts_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    status == MeetingStatus::Scheduled && now >= starts_at
}

/// The agenda, one item per non-empty line.
pub fn agenda_items(agenda: &str) -> Vec<String> {
    agenda
        .lines()
        .map(|line| line.trim().trim_start_matches(['-', '*', '•']).trim())
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn form() -> MeetingForm {
        MeetingForm {
            title: "Bijeenkomst 3".into(),
            date: "2026-12-01".into(),
            time: "15:30".into(),
            duration: "90".into(),
            place: "Lokaal 12".into(),
            online_url: String::new(),
            agenda: "- Opening\n- Casus\n\n- Afspraken".into(),
        }
    }

    #[test]
    fn a_complete_form_parses() {
        let meeting = form().parse().unwrap();
        assert_eq!(meeting.date, time::macros::date!(2026 - 12 - 01));
        assert_eq!(meeting.start, time::macros::time!(15:30));
        assert_eq!(meeting.duration_minutes, 90);
        assert_eq!(agenda_items(&meeting.agenda), ["Opening", "Casus", "Afspraken"]);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = MeetingForm {
            title: "x".repeat(121),
            date: "1-12".into(),
            time: "25:00".into(),
            duration: "5".into(),
            place: String::new(),
            online_url: "teams.example".into(),
            agenda: String::new(),
        };
        let err = bad.parse().unwrap_err();
        assert_eq!(err.field_error("title"), Some(ErrorKey::TooLong));
        assert_eq!(err.field_error("date"), Some(ErrorKey::InvalidChoice));
        assert_eq!(err.field_error("time"), Some(ErrorKey::InvalidChoice));
        assert_eq!(err.field_error("duration"), Some(ErrorKey::InvalidChoice));
        assert_eq!(err.field_error("online_url"), Some(ErrorKey::InvalidLink));
    }

    #[test]
    fn a_place_or_a_link_is_needed() {
        let mut no_place = form();
        no_place.place.clear();
        assert_eq!(no_place.parse().unwrap_err().field_error("place"), Some(ErrorKey::PlaceOrLink));
        no_place.online_url = "https://meet.example/plg".into();
        assert!(no_place.parse().is_ok());
    }

    #[test]
    fn links_are_http_addresses() {
        assert_eq!(validate_link(""), Ok(()));
        assert_eq!(validate_link("https://teams.example/l/123"), Ok(()));
        assert_eq!(validate_link("javascript:alert(1)"), Err(ErrorKey::InvalidLink));
        assert_eq!(validate_link("https://"), Err(ErrorKey::InvalidLink));
        assert_eq!(validate_link("https://a b"), Err(ErrorKey::InvalidLink));
    }

    #[test]
    fn new_meetings_start_in_the_future() {
        let now = datetime!(2026-11-23 12:00 UTC);
        assert_eq!(check_in_future(datetime!(2026-11-23 12:01 UTC), now), Ok(()));
        assert_eq!(check_in_future(now, now), Err(ErrorKey::InThePast));
    }

    #[test]
    fn check_in_opens_a_quarter_before_and_closes_an_hour_after() {
        let start = datetime!(2026-11-23 15:00 UTC);
        let open = |now| check_in_open(MeetingStatus::Scheduled, start, 60, now);
        assert!(!open(datetime!(2026-11-23 14:44 UTC)));
        assert!(open(datetime!(2026-11-23 14:45 UTC)));
        assert!(open(datetime!(2026-11-23 17:00 UTC)));
        assert!(!open(datetime!(2026-11-23 17:01 UTC)));
        assert!(!check_in_open(MeetingStatus::Cancelled, start, 60, start));
    }

    #[test]
    fn corrections_start_with_the_meeting() {
        let start = datetime!(2026-11-23 15:00 UTC);
        assert!(!may_correct(MeetingStatus::Scheduled, start, start - Duration::minutes(1)));
        assert!(may_correct(MeetingStatus::Scheduled, start, start + Duration::days(30)));
        assert!(!may_correct(MeetingStatus::Cancelled, start, start + Duration::days(1)));
    }
}
