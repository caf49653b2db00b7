//! The plain-language line under each chart, worked out from the figures shown (so a
//! reading never says more than the chart): what moved, and where breadth is lowest.

use super::api::{Breakdown, GroupRow, Knowledge, MonthRow, ThingsMonth};
use super::domain::{Dimension, Month};
use crate::participation::domain::{Level, SeciPhase};

/// A whole percentage, rounded; `None` when either count is hidden or there is no one.
pub fn percent(part: Option<u32>, whole: Option<u32>) -> Option<u32> {
    let (part, whole) = (part?, whole?);
    (whole > 0).then(|| ((f64::from(part) * 100.0 / f64::from(whole)).round()) as u32)
}

pub fn rate(row: &MonthRow) -> Option<u32> {
    percent(row.active, row.staff)
}

pub fn group_rate(row: &GroupRow) -> Option<u32> {
    percent(row.active, row.staff)
}

/// What the participation chart says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trend {
    /// From the first month with a shown rate to the last.
    Moved {
        from: (Month, u32),
        to: (Month, u32),
    },
    One {
        month: Month,
        rate: u32,
    },
    /// No month's rate may be shown.
    Hidden,
}

pub fn participation(months: &[MonthRow]) -> Trend {
    let shown: Vec<(Month, u32)> = months.iter().filter_map(|row| Some((row.month, rate(row)?))).collect();
    match (shown.first(), shown.last()) {
        (Some(first), Some(last)) if first.0 != last.0 => Trend::Moved { from: *first, to: *last },
        (Some(only), _) => Trend::One { month: only.0, rate: only.1 },
        _ => Trend::Hidden,
    }
}

/// The shown group with the lowest share taking part, against the whole scope's share,
/// over every breakdown; `None` when no group's share may be shown.
pub fn lowest_breadth(breadth: &[Breakdown], overall: Option<u32>) -> Option<(Dimension, Option<String>, u32)> {
    let overall = overall?;
    breadth
        .iter()
        .flat_map(|b| b.rows.iter().filter_map(move |row| Some((b.dimension, row.label.clone(), group_rate(row)?))))
        .filter(|(_, label, rate)| label.is_some() && *rate < overall)
        .min_by_key(|(_, _, rate)| *rate)
}

/// The share of members at the active or core level at the last month, and at the first.
pub fn depth(months: &[MonthRow]) -> Option<(u32, u32)> {
    let deep = |row: &MonthRow| -> Option<u32> {
        let a = *row.levels.get(Level::ALL.iter().position(|l| *l == Level::Active)?)?;
        let c = *row.levels.get(Level::ALL.iter().position(|l| *l == Level::Core)?)?;
        percent(Some(a? + c?), row.members)
    };
    let first = months.iter().find_map(deep)?;
    let last = months.iter().rev().find_map(deep)?;
    Some((first, last))
}

/// The share of the knowledge base that is current (not due for review, not flagged).
pub fn current_share(knowledge: &Knowledge) -> Option<u32> {
    let all = knowledge.current + knowledge.review_due + knowledge.outdated;
    percent(Some(knowledge.current), Some(all))
}

/// Activities per SECI phase over the period.
pub fn seci_totals(things: &[ThingsMonth]) -> [u32; 4] {
    let mut totals = [0; 4];
    for month in things {
        for (total, n) in totals.iter_mut().zip(month.seci) {
            *total += n;
        }
    }
    totals
}

/// The phase with the smallest share of activity, and its share, when there is any.
pub fn weakest_phase(totals: [u32; 4]) -> Option<(SeciPhase, u32)> {
    let all: u32 = totals.iter().sum();
    if all == 0 {
        return None;
    }
    let (i, n) = totals.iter().enumerate().min_by_key(|(_, n)| **n)?;
    Some((SeciPhase::ALL[i], percent(Some(*n), Some(all))?))
}

/// Sums of the things counts over the period.
pub fn things_total(things: &[ThingsMonth], pick: impl Fn(&ThingsMonth) -> u32) -> u32 {
    things.iter().map(pick).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(month: i32, staff: Option<u32>, active: Option<u32>) -> MonthRow {
        MonthRow { month: Month(month), staff, active, members: None, levels: vec![None; 4] }
    }

    #[test]
    fn the_trend_reads_from_the_first_to_the_last_shown_month() {
        let months = [row(1, Some(50), None), row(2, Some(50), Some(19)), row(3, Some(50), Some(23))];
        assert_eq!(participation(&months), Trend::Moved { from: (Month(2), 38), to: (Month(3), 46) });
        assert_eq!(participation(&months[..2]), Trend::One { month: Month(2), rate: 38 });
        assert_eq!(participation(&months[..1]), Trend::Hidden);
    }

    #[test]
    fn lowest_breadth_skips_hidden_and_unrecorded_groups() {
        let g = |label: Option<&str>, staff, active| GroupRow { label: label.map(String::from), staff, active };
        let breadth = vec![
            Breakdown {
                dimension: Dimension::Experience,
                rows: vec![
                    g(Some("up_to_2"), Some(10), Some(2)),
                    g(None, Some(6), Some(0)),
                    g(Some("over_20"), None, None),
                ],
                more_hidden: false,
            },
            Breakdown {
                dimension: Dimension::Department,
                rows: vec![g(Some("Wiskunde"), Some(8), Some(4))],
                more_hidden: true,
            },
        ];
        assert_eq!(lowest_breadth(&breadth, Some(40)), Some((Dimension::Experience, Some("up_to_2".into()), 20)));
        assert_eq!(lowest_breadth(&breadth, Some(10)), None, "no shown group is below the whole");
        assert_eq!(lowest_breadth(&breadth, None), None);
    }

    #[test]
    fn shares_round_and_refuse_hidden_counts() {
        assert_eq!(percent(Some(1), Some(3)), Some(33));
        assert_eq!(percent(Some(2), Some(3)), Some(67));
        assert_eq!(percent(None, Some(3)), None);
        assert_eq!(percent(Some(0), Some(0)), None);
        assert_eq!(current_share(&Knowledge { current: 6, review_due: 1, outdated: 1 }), Some(75));
        assert_eq!(weakest_phase([4, 3, 2, 1]), Some((SeciPhase::Internalisation, 10)));
        assert_eq!(weakest_phase([0; 4]), None);
        let mut m = row(1, Some(10), Some(5));
        m.members = Some(10);
        m.levels = vec![Some(0), Some(5), Some(5), None];
        assert_eq!(depth(&[m.clone()]), None, "a hidden level hides the depth");
        m.levels[3] = Some(0);
        assert_eq!(depth(&[m]), Some((50, 50)));
    }
}
