//! Counts of people for the leaders' dashboard, computed from plain facts and then
//! thinned by [`super::privacy::suppress`]. Every count is a state at a month's end:
//! staff on the books, staff who took part in something in the three months up to it
//! (active), and staff who are members of a community with their highest
//! participation level. A period only selects months, so choosing another period
//! shows the same figures for the months it shares and nothing new to subtract.
//!
//! Suppression runs over the whole board at once (the board and every school; the
//! board's counts are the sum of its schools'), so a school's page hides the same
//! figures whoever opens it and a board leader cannot subtract one school's figures
//! from the board's to get another's.

use rustc_hash::{FxHashMap, FxHashSet};

use super::domain::{Dimension, Month};
use super::privacy::{Part, Relation, suppress};
use crate::participation::domain::Level;

/// How many months up to a month's end count for "active".
pub const ACTIVE_WINDOW: i32 = 3;

/// A member of staff, as the dashboard knows them: no name, no id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Index of their school in the board's schools.
    pub scope: u16,
    /// What the staff record says, per [`Dimension::ALL`]; `None` when not recorded.
    pub groups: [Option<String>; 4],
    /// The first month they were staff.
    pub from: Month,
    /// The first month they no longer were (deactivated), if any.
    pub until: Option<Month>,
}

impl Person {
    pub fn on_staff(&self, month: Month) -> bool {
        self.from <= month && self.until.is_none_or(|until| month < until)
    }
}

/// What the people counts are computed from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub people: Vec<Person>,
    /// `(person, month)`: the person took part in something that month.
    pub active: Vec<(usize, Month)>,
    /// `(person, month, level)`: their highest level in a community at the month's end.
    pub levels: Vec<(usize, Month, Level)>,
}

/// What a count counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Measure {
    Staff,
    Active,
    /// Staff who are members of at least one community.
    Members,
    Level(Level),
}

/// One count: a measure, for a month, a scope (`None` is the whole board) and
/// optionally one group of one dimension (an index into [`People::labels`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    pub month: Month,
    pub scope: Option<u16>,
    pub group: Option<(Dimension, u16)>,
    pub measure: Measure,
}

/// The board's people counts for some months, with the ones that must not be shown.
#[derive(Debug, Clone)]
pub struct People {
    /// Per dimension (in [`Dimension::ALL`] order), the groups' labels; `None` is "not recorded".
    pub labels: [Vec<Option<String>>; 4],
    values: FxHashMap<Cell, u32>,
    hidden: FxHashSet<Cell>,
}

fn dimension_index(dimension: Dimension) -> usize {
    Dimension::ALL.iter().position(|d| *d == dimension).unwrap_or(0)
}

impl People {
    /// Counts and suppresses for `months`, with groups of fewer than `k` people hidden.
    pub fn compute(facts: &Facts, months: &[Month], k: u32) -> Self {
        let labels: [Vec<Option<String>>; 4] = std::array::from_fn(|d| {
            let mut labels: Vec<Option<String>> = facts.people.iter().map(|p| p.groups[d].clone()).collect();
            labels.sort_by(label_order);
            labels.dedup();
            labels
        });
        let group_of: Vec<[u16; 4]> = facts
            .people
            .iter()
            .map(|p| {
                std::array::from_fn(|d| {
                    labels[d].binary_search_by(|l| label_order(l, &p.groups[d])).unwrap_or(0) as u16
                })
            })
            .collect();
        let active: FxHashSet<(usize, Month)> = facts.active.iter().copied().collect();
        let mut best: FxHashMap<(usize, Month), Level> = FxHashMap::default();
        for (person, month, level) in &facts.levels {
            let entry = best.entry((*person, *month)).or_insert(*level);
            *entry = (*entry).max(*level);
        }
        let layout = Layout::new(facts, &labels);
        let mut values: FxHashMap<Cell, u32> = FxHashMap::default();
        let mut hidden = FxHashSet::default();
        let mut counts = vec![0u32; layout.len()];
        for &month in months {
            // Counted into a dense table (scope × group × measure), then kept where not zero.
            counts.fill(0);
            for (index, person) in facts.people.iter().enumerate() {
                if !person.on_staff(month) {
                    continue;
                }
                let is_active = (0..ACTIVE_WINDOW).any(|back| active.contains(&(index, month.plus(-back))));
                let level = best.get(&(index, month)).copied();
                for scope in [Some(person.scope), None] {
                    let mut count = |slot: usize, measure: Measure| counts[layout.index(scope, slot, measure)] += 1;
                    count(0, Measure::Staff);
                    if is_active {
                        count(0, Measure::Active);
                    }
                    if let Some(level) = level {
                        count(0, Measure::Members);
                        count(0, Measure::Level(level));
                    }
                    for (d, group) in group_of[index].iter().enumerate() {
                        let slot = layout.slot(d, *group);
                        count(slot, Measure::Staff);
                        if is_active {
                            count(slot, Measure::Active);
                        }
                    }
                }
            }
            let of_month: FxHashMap<Cell, u32> = counts
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(index, n)| (layout.cell(month, index), *n))
                .collect();
            // No relation spans two months, so each month is thinned on its own.
            let (relations, follows) = relations(&of_month);
            hidden.extend(suppress(&of_month, &relations, &follows, k));
            values.extend(of_month);
        }
        People { labels, values, hidden }
    }

    /// A count as it may be shown: `None` when it is hidden.
    pub fn shown(&self, cell: Cell) -> Option<u32> {
        (!self.hidden.contains(&cell)).then(|| self.values.get(&cell).copied().unwrap_or(0))
    }

    /// The true count, shown or not: for deciding what to leave out, never to send.
    pub fn value(&self, cell: Cell) -> u32 {
        self.values.get(&cell).copied().unwrap_or(0)
    }

    /// Every count of the months computed, shown or not (for tests and benchmarks).
    pub fn cells(&self) -> impl Iterator<Item = (Cell, u32, bool)> + '_ {
        self.values.iter().map(|(cell, value)| (*cell, *value, !self.hidden.contains(cell)))
    }

    pub fn groups(&self, dimension: Dimension) -> &[Option<String>] {
        &self.labels[dimension_index(dimension)]
    }
}

/// The order of a dimension's groups: recorded labels alphabetically, "not recorded" last.
fn label_order(a: &Option<String>, b: &Option<String>) -> std::cmp::Ordering {
    (a.is_none(), a).cmp(&(b.is_none(), b))
}

/// Where each count of a month lives in a dense table: scope (the schools, then the
/// board), slot (0 for no group, then each dimension's groups) and measure.
struct Layout {
    scopes: usize,
    /// The first slot of each dimension's groups.
    offsets: [usize; 4],
    slots: usize,
}

const MEASURES: usize = 3 + Level::ALL.len();

impl Layout {
    fn new(facts: &Facts, labels: &[Vec<Option<String>>; 4]) -> Self {
        let scopes = facts.people.iter().map(|p| usize::from(p.scope) + 1).max().unwrap_or(0);
        let mut offsets = [0; 4];
        let mut next = 1;
        for (d, offset) in offsets.iter_mut().enumerate() {
            *offset = next;
            next += labels[d].len();
        }
        Layout { scopes, offsets, slots: next }
    }

    fn len(&self) -> usize {
        (self.scopes + 1) * self.slots * MEASURES
    }

    fn slot(&self, dimension: usize, group: u16) -> usize {
        self.offsets[dimension] + usize::from(group)
    }

    fn index(&self, scope: Option<u16>, slot: usize, measure: Measure) -> usize {
        let scope = scope.map_or(self.scopes, usize::from);
        let measure = match measure {
            Measure::Staff => 0,
            Measure::Active => 1,
            Measure::Members => 2,
            Measure::Level(level) => 3 + Level::ALL.iter().position(|l| *l == level).unwrap_or(0),
        };
        (scope * self.slots + slot) * MEASURES + measure
    }

    fn cell(&self, month: Month, index: usize) -> Cell {
        let measure = match index % MEASURES {
            0 => Measure::Staff,
            1 => Measure::Active,
            2 => Measure::Members,
            m => Measure::Level(Level::ALL[m - 3]),
        };
        let slot = index / MEASURES % self.slots;
        let scope = index / MEASURES / self.slots;
        let group = (slot > 0).then(|| {
            let d = self.offsets.iter().rposition(|offset| *offset <= slot).unwrap_or(0);
            (Dimension::ALL[d], (slot - self.offsets[d]) as u16)
        });
        Cell { month, scope: (scope < self.scopes).then_some(scope as u16), group, measure }
    }
}

/// The page's arithmetic over the counts that exist (absent counts are zero).
fn relations(values: &FxHashMap<Cell, u32>) -> (Vec<Relation<Cell>>, Vec<(Cell, Cell)>) {
    let value = |cell: &Cell| values.get(cell).copied().unwrap_or(0);
    let mut relations = Vec::new();
    let mut follows = Vec::new();
    // Parts of each total, gathered from the cells themselves.
    let mut by_group: FxHashMap<Cell, Vec<Cell>> = FxHashMap::default();
    let mut by_scope: FxHashMap<Cell, Vec<Cell>> = FxHashMap::default();
    let mut levels: FxHashMap<Cell, Vec<Cell>> = FxHashMap::default();
    let mut keys: Vec<&Cell> = values.keys().collect();
    keys.sort();
    for cell in keys {
        if let Some((dimension, _)) = cell.group {
            // Per dimension, the groups add up to the scope's total (the dimension is
            // kept in the key's group with index u16::MAX).
            let total = Cell { group: Some((dimension, u16::MAX)), ..*cell };
            by_group.entry(total).or_default().push(*cell);
        }
        if let Measure::Level(_) = cell.measure {
            levels.entry(Cell { measure: Measure::Members, ..*cell }).or_default().push(*cell);
        }
        if cell.scope.is_some() {
            by_scope.entry(Cell { scope: None, ..*cell }).or_default().push(*cell);
        }
        match cell.measure {
            Measure::Staff => {
                let active = Cell { measure: Measure::Active, ..*cell };
                relations.push(Relation {
                    total: *cell,
                    parts: vec![Part::Figure(active), Part::Remainder(value(cell) - value(&active))],
                });
                follows.push((*cell, active));
                if cell.group.is_none() {
                    let members = Cell { measure: Measure::Members, ..*cell };
                    relations.push(Relation {
                        total: *cell,
                        parts: vec![Part::Figure(members), Part::Remainder(value(cell) - value(&members))],
                    });
                    follows.push((*cell, members));
                }
            }
            Measure::Members => {
                for level in Level::ALL {
                    follows.push((*cell, Cell { measure: Measure::Level(*level), ..*cell }));
                }
            }
            _ => {}
        }
    }
    for (marker, parts) in by_group {
        let total = Cell { group: None, ..marker };
        relations.push(Relation { total, parts: parts.into_iter().map(Part::Figure).collect() });
    }
    for (total, parts) in by_scope.into_iter().chain(levels) {
        relations.push(Relation { total, parts: parts.into_iter().map(Part::Figure).collect() });
    }
    // A fixed order, so the same counts always hide the same figures.
    relations.sort();
    (relations, follows)
}

/// A member's level at the end of each of `months` months: `before` is their level when
/// the first began, `changes` their changes in the months as (month index, level) in the
/// order made. `None` for the months before their first level.
pub fn level_at_month_ends(
    before: Option<Level>,
    changes: impl IntoIterator<Item = (usize, Level)>,
    months: usize,
) -> Vec<Option<Level>> {
    let mut at_end = vec![before; months];
    for (month, level) in changes {
        if let Some(later) = at_end.get_mut(month..) {
            later.fill(Some(level));
        }
    }
    at_end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(scope: u16, department: &str) -> Person {
        Person {
            scope,
            groups: [Some(department.into()), None, None, Some("teacher".into())],
            from: Month::new(2026, 1),
            until: None,
        }
    }

    #[test]
    fn counts_and_hides_small_groups_with_their_complements() {
        let month = Month::new(2026, 10);
        let mut people: Vec<Person> = (0..8).map(|_| person(0, "Wiskunde")).collect();
        people.extend((0..2).map(|_| person(0, "Kunst")));
        people.extend((0..6).map(|_| person(1, "Wiskunde")));
        // Seven of the eight maths teachers of school 0 took part, in September.
        let active = (0..7).map(|p| (p, Month::new(2026, 9))).collect();
        let facts = Facts { people, active, levels: vec![] };
        let figures = People::compute(&facts, &[month], 5);
        let cell = |scope, group, measure| Cell { month, scope, group, measure };
        let maths = Some((
            Dimension::Department,
            figures.labels[0].iter().position(|l| l.as_deref() == Some("Wiskunde")).unwrap() as u16,
        ));
        let art = Some((Dimension::Department, 0));
        assert_eq!(figures.labels[0][0].as_deref(), Some("Kunst"));
        assert_eq!(figures.shown(cell(Some(0), None, Measure::Staff)), Some(10));
        assert_eq!(figures.shown(cell(None, None, Measure::Staff)), Some(16));
        // Two art teachers: hidden, and so is maths at school 0 (10 − 8 = 2).
        assert_eq!(figures.shown(cell(Some(0), art, Measure::Staff)), None);
        assert_eq!(figures.shown(cell(Some(0), maths, Measure::Staff)), None);
        // One maths teacher did not take part: the active count of 7 would say so.
        assert_eq!(figures.shown(cell(Some(0), None, Measure::Active)), None);
        assert_eq!(figures.shown(cell(Some(1), maths, Measure::Staff)), Some(6));
        assert_eq!(figures.shown(cell(Some(1), maths, Measure::Active)), Some(0));
        // October counts September: the window is three months.
        assert!(figures.cells().any(|(c, v, _)| c == cell(None, None, Measure::Active) && v == 7));
    }

    #[test]
    fn staff_who_left_are_not_counted() {
        let month = Month::new(2026, 10);
        let mut gone = person(0, "Wiskunde");
        gone.until = Some(month);
        let facts = Facts { people: vec![gone, person(0, "Wiskunde")], ..Facts::default() };
        let figures = People::compute(&facts, &[month], 5);
        let staff =
            figures.cells().find(|(c, ..)| c.scope.is_none() && c.group.is_none() && c.measure == Measure::Staff);
        assert_eq!(staff.map(|(_, v, _)| v), Some(1));
    }

    #[test]
    fn a_members_level_at_each_month_end_is_their_last_change_by_then() {
        use Level::*;
        assert_eq!(level_at_month_ends(None, [], 3), vec![None, None, None]);
        assert_eq!(level_at_month_ends(Some(Active), [], 2), vec![Some(Active), Some(Active)]);
        // Two changes in the second month: the later one holds at its end.
        let changes = [(1, Active), (1, Core), (3, Peripheral)];
        assert_eq!(
            level_at_month_ends(Some(Peripheral), changes, 4),
            vec![Some(Peripheral), Some(Core), Some(Core), Some(Peripheral)]
        );
        // A change after the months (index past the end) changes nothing in them.
        assert_eq!(level_at_month_ends(None, [(0, Active), (2, Core)], 2), vec![Some(Active), Some(Active)]);
    }
}
