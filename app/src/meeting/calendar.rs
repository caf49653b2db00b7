//! iCalendar output: a file per meeting and a private feed per person. Times are
//! written in UTC, which Outlook, Google Calendar and Apple Calendar all place
//! correctly; UID and SEQUENCE let them replace an earlier copy of a changed or
//! cancelled meeting instead of adding a second one.

use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use time::Duration;

use crate::db::entities::{community, meeting};

fn event(public_url: &str, meeting: &meeting::Model, community: &community::Model) -> Event {
    let summary = if meeting.title.is_empty() {
        community.name.clone()
    } else {
        format!("{} – {}", meeting.title, community.name)
    };
    let link = format!("{public_url}/m/{}", meeting.id);
    let mut description = meeting.agenda.clone();
    if !meeting.online_url.is_empty() {
        description = format!("{}\n\n{description}", meeting.online_url);
    }
    description = format!("{}\n\n{link}", description.trim());
    let location = if meeting.place.is_empty() { &meeting.online_url } else { &meeting.place };
    let stamp = meeting
        .updated_at
        .to_offset(time::UtcOffset::UTC)
        .format(time::macros::format_description!("[year][month][day]T[hour][minute][second]Z"))
        .unwrap_or_default();
    let mut event = Event::new();
    event
        .uid(&format!("{}@kring", meeting.id))
        .add_property("DTSTAMP", stamp)
        .summary(&summary)
        .description(description.trim())
        .location(location)
        .url(&link)
        .sequence(meeting.sequence.max(0) as u32)
        .starts(meeting.starts_at)
        .ends(meeting.starts_at + Duration::minutes(i64::from(meeting.duration_minutes)))
        .status(if meeting.status == "cancelled" { EventStatus::Cancelled } else { EventStatus::Confirmed });
    event.done()
}

/// A calendar holding the given meetings, as iCalendar text.
pub fn calendar(public_url: &str, name: &str, meetings: &[(meeting::Model, community::Model)]) -> String {
    let mut calendar = Calendar::new();
    calendar.name(name).append_property(("METHOD", "PUBLISH"));
    for (meeting, community) in meetings {
        calendar.push(event(public_url, meeting, community));
    }
    calendar.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use uuid::Uuid;

    #[test]
    fn a_meeting_becomes_one_event_in_utc() {
        let at = datetime!(2026-11-20 10:00 UTC);
        let community = community::Model {
            id: Uuid::nil(),
            organisation_id: Uuid::nil(),
            name: "Lezen, samen".into(),
            goal: String::new(),
            agreements: String::new(),
            rhythm: String::new(),
            status: "active".into(),
            listed: true,
            window_days: 90,
            case_keeping: "school_year".into(),
            created_by: None,
            created_at: at,
            updated_at: at,
        };
        let meeting = meeting::Model {
            id: Uuid::nil(),
            community_id: Uuid::nil(),
            title: "Bijeenkomst; 3".into(),
            starts_at: datetime!(2026-12-01 14:30 UTC),
            duration_minutes: 90,
            place: "Lokaal 12".into(),
            online_url: String::new(),
            agenda: "Opening\nCasus".into(),
            status: "cancelled".into(),
            sequence: 2,
            reminded_at: None,
            created_by: None,
            created_at: at,
            updated_at: at,
        };
        let text = calendar("https://kring.example", "Kring", &[(meeting, community)]);
        let unfolded = text.replace("\r\n ", "");
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 1);
        assert!(unfolded.contains("DTSTART:20261201T143000Z"), "{text}");
        assert!(unfolded.contains("DTEND:20261201T160000Z"), "{text}");
        assert!(unfolded.contains("SEQUENCE:2"), "{text}");
        assert!(unfolded.contains("DTSTAMP:20261120T100000Z"), "{text}");
        assert!(unfolded.contains("STATUS:CANCELLED"), "{text}");
        assert!(unfolded.contains("SUMMARY:Bijeenkomst\\; 3 – Lezen\\, samen"), "{text}");
        assert!(unfolded.contains("UID:00000000-0000-0000-0000-000000000000@kring"), "{text}");
        assert!(unfolded.contains("DESCRIPTION:Opening\\nCasus\\n\\nhttps://kring.example/m/"), "{text}");
        assert!(text.lines().all(|line| line.len() <= 75), "{text}");
    }
}
