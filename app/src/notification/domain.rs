//! The kinds of notification and how dates read in each language; shared by the
//! pages and the emails.

use time::OffsetDateTime;

use crate::account::domain::Language;
use crate::shared::string_enum;

string_enum! {
    /// What a notification is about. Each kind can be turned off for email.
    NoticeKind {
        Invited => "invited",
        JoinRequested => "join_requested",
        RequestAccepted => "request_accepted",
        RequestDeclined => "request_declined",
        MeetingScheduled => "meeting_scheduled",
        MeetingChanged => "meeting_changed",
        MeetingCancelled => "meeting_cancelled",
        MeetingReminder => "meeting_reminder",
        ReviewDue => "review_due",
        ArtifactFlagged => "artifact_flagged",
        /// A member's account was closed by an admin (they left the school).
        MemberDeparted => "member_departed",
        /// An action the person chose in an intervision round reaches its check-in date.
        ActionCheckIn => "action_check_in",
    }
}

const WEEKDAYS_NL: [&str; 7] = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"];
const WEEKDAYS_EN: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS_NL: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "dinsdag 1 december 2026" / "Tuesday 1 December 2026", for a time already in the
/// board's time zone.
pub fn day_text(language: Language, at: OffsetDateTime) -> String {
    let weekday = at.weekday().number_days_from_monday() as usize;
    let month = u8::from(at.month()) as usize - 1;
    let (weekdays, months) = match language {
        Language::Nl => (WEEKDAYS_NL, MONTHS_NL),
        Language::En => (WEEKDAYS_EN, MONTHS_EN),
    };
    format!("{} {} {} {}", weekdays[weekday], at.day(), months[month], at.year())
}

/// "15:30".
pub fn clock_text(at: OffsetDateTime) -> String {
    format!("{:02}:{:02}", at.hour(), at.minute())
}

/// "dinsdag 1 december 2026, 15:30–17:00".
pub fn when_text(language: Language, starts_at: OffsetDateTime, ends_at: OffsetDateTime) -> String {
    format!("{}, {}–{}", day_text(language, starts_at), clock_text(starts_at), clock_text(ends_at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn kinds_round_trip() {
        for kind in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(kind.as_str()), Ok(*kind));
        }
    }

    #[test]
    fn meeting_times_read_naturally_in_both_languages() {
        let starts = datetime!(2026-12-01 15:30 +1);
        let ends = datetime!(2026-12-01 17:00 +1);
        assert_eq!(when_text(Language::Nl, starts, ends), "dinsdag 1 december 2026, 15:30–17:00");
        assert_eq!(when_text(Language::En, starts, ends), "Tuesday 1 December 2026, 15:30–17:00");
    }
}
