//! The dashboard's vocabulary in plain Rust: calendar months (every figure is a
//! state at a month's end, so a period only chooses which months to show), the
//! periods a leader picks from, and the ways staff are grouped for breadth.

use serde::{Deserialize, Serialize};

use crate::shared::string_enum;

/// A calendar month, counted from year 0 (`year * 12 + month - 1`), so months order
/// and subtract as numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Month(pub i32);

impl Month {
    pub fn new(year: i32, month: u8) -> Self {
        Month(year * 12 + i32::from(month.clamp(1, 12)) - 1)
    }

    pub fn of(date: time::Date) -> Self {
        Month::new(date.year(), u8::from(date.month()))
    }

    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }

    /// 1 to 12.
    pub fn number(self) -> u8 {
        (self.0.rem_euclid(12) + 1) as u8
    }

    pub fn plus(self, months: i32) -> Self {
        Month(self.0 + months)
    }

    /// The first day of the month.
    pub fn first_day(self) -> time::Date {
        let month = time::Month::try_from(self.number()).unwrap_or(time::Month::January);
        time::Date::from_calendar_date(self.year(), month, 1).unwrap_or(time::Date::MIN)
    }

    /// `2026-09`, as an `<input type="month">` writes it.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}", self.year(), self.number())
    }

    pub fn parse_iso(text: &str) -> Option<Self> {
        let (year, month) = text.trim().split_once('-')?;
        let year: i32 = year.parse().ok()?;
        let month: u8 = month.parse().ok()?;
        ((1..=12).contains(&month) && (1900..=9999).contains(&year)).then(|| Month::new(year, month))
    }

    /// The school year (August to July) the month belongs to, by its first calendar year.
    pub fn school_year(self) -> i32 {
        if self.number() >= 8 { self.year() } else { self.year() - 1 }
    }
}

string_enum! {
    /// The periods a leader chooses from. Terms follow the Dutch school year: August
    /// to December, January to March, April to July.
    PeriodKind { Term => "term", SchoolYear => "year", Custom => "custom" }
}

/// The longest period one page shows (two school years: the events are kept that long).
pub const MAX_MONTHS: i32 = 24;

/// The months a period covers, up to and including `current` (later months have no
/// figures yet). A custom range is clamped to [`MAX_MONTHS`] and put in order.
pub fn period_months(kind: PeriodKind, current: Month, from: Option<Month>, to: Option<Month>) -> Vec<Month> {
    let (first, last) = match kind {
        PeriodKind::Term => {
            let number = current.number();
            let start = match number {
                8..=12 => 8,
                1..=3 => 1,
                _ => 4,
            };
            (Month::new(current.year(), start), current)
        }
        PeriodKind::SchoolYear => (Month::new(current.school_year(), 8), current),
        PeriodKind::Custom => {
            let to = to.unwrap_or(current).min(current);
            let from = from.unwrap_or(to.plus(-5)).min(to);
            (from.max(to.plus(1 - MAX_MONTHS)), to)
        }
    };
    (first.0..=last.0).map(Month).collect()
}

string_enum! {
    /// How breadth is broken down: by what the staff record says about a person.
    Dimension { Department => "department", Experience => "experience", Location => "location", Role => "role" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_count_and_print() {
        let m = Month::new(2026, 12);
        assert_eq!((m.year(), m.number()), (2026, 12));
        assert_eq!(m.plus(1), Month::new(2027, 1));
        assert_eq!(m.iso(), "2026-12");
        assert_eq!(Month::parse_iso("2027-01"), Some(Month::new(2027, 1)));
        assert_eq!(Month::parse_iso("2027-13"), None);
        assert_eq!(Month::parse_iso("x"), None);
        assert_eq!(Month::new(2027, 3).school_year(), 2026);
        assert_eq!(Month::of(time::macros::date!(2026 - 09 - 30)), Month::new(2026, 9));
    }

    #[test]
    fn periods_end_at_the_current_month() {
        let now = Month::new(2026, 11);
        let term = period_months(PeriodKind::Term, now, None, None);
        assert_eq!(term.first(), Some(&Month::new(2026, 8)));
        assert_eq!(term.last(), Some(&now));
        assert_eq!(period_months(PeriodKind::Term, Month::new(2027, 2), None, None).len(), 2);
        assert_eq!(period_months(PeriodKind::Term, Month::new(2027, 5), None, None)[0], Month::new(2027, 4));
        let year = period_months(PeriodKind::SchoolYear, Month::new(2027, 3), None, None);
        assert_eq!((year[0], year.len()), (Month::new(2026, 8), 8));
        let custom = period_months(PeriodKind::Custom, now, Some(Month::new(2030, 1)), Some(Month::new(2031, 1)));
        assert_eq!(custom, vec![now], "the future is clamped to now");
        let long = period_months(PeriodKind::Custom, now, Some(Month::new(2010, 1)), None);
        assert_eq!(long.len(), MAX_MONTHS as usize);
    }
}
