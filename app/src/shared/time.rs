//! Dates and times where the school is: the database keeps UTC, people read and type
//! the board's local time.

use time::{Date, OffsetDateTime, UtcOffset};

use crate::db::now;

/// A moment shown in the board's time zone.
pub fn to_local(tz: &jiff::tz::TimeZone, at: OffsetDateTime) -> OffsetDateTime {
    let offset =
        jiff::Timestamp::from_second(at.unix_timestamp()).map(|ts| tz.to_offset(ts).seconds()).unwrap_or_default();
    at.to_offset(UtcOffset::from_whole_seconds(offset).unwrap_or(UtcOffset::UTC))
}

/// The moment a date and clock time in the time zone `tz` stand for (the earlier
/// reading around a daylight-saving change); `None` outside jiff's range.
pub fn local_moment(tz: &jiff::tz::TimeZone, date: time::Date, at: time::Time) -> Option<OffsetDateTime> {
    let civil = jiff::civil::DateTime::new(
        date.year() as i16,
        u8::from(date.month()) as i8,
        date.day() as i8,
        at.hour() as i8,
        at.minute() as i8,
        0,
        0,
    )
    .ok()?;
    let zoned = civil.to_zoned(tz.clone()).ok()?;
    OffsetDateTime::from_unix_timestamp(zoned.timestamp().as_second()).ok()
}

/// Today's date where the school is.
pub fn today_in(tz: &jiff::tz::TimeZone) -> Date {
    to_local(tz, now()).date()
}
