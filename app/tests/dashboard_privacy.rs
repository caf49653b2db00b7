//! The property behind the leaders' dashboard: whatever the organisation, its events
//! and the periods a leader picks, no figure shown, and nothing that can be worked out
//! from the figures shown, is a group of fewer than k people.
//!
//! The generator builds a board of one to three schools and its own staff, up to 40
//! people with departments, experience bands, locations and roles drawn from small
//! sets (so small groups are common), staff who join and leave, months in which each
//! took part, and levels at month ends; then two overlapping periods and a k of 5 to
//! 7. The check recomputes every count from the facts on its own, and plays the
//! attacker: it writes down how the page's figures add up (groups to their school,
//! schools to the board, active and not active to staff, levels to members), puts in
//! every figure shown on either period, and solves the equations exactly. Every
//! figure it can pin down, and every sum a total leaves unexplained, must be zero or
//! at least k people. It also checks each shown figure is the true count and both
//! periods show the same figures for the months they share.

use std::collections::{BTreeMap, HashMap};

use app::dashboard::domain::{Dimension, Month};
use app::dashboard::people::{ACTIVE_WINDOW, Cell, Facts, Measure, People, Person};
use app::dashboard::privacy::safe;
use app::participation::domain::Level;
use proptest::prelude::*;

const BASE: Month = Month(2026 * 12 + 7);
const SPAN: i32 = 9;

fn person() -> impl Strategy<Value = Person> {
    let label = |options: &'static [&'static str]| prop_oneof![4 => proptest::sample::select(options).prop_map(|s| Some(s.to_string())), 1 => Just(None)];
    (
        0u16..4,
        label(&["Wiskunde", "Talen", "Kunst"]),
        label(&["0-2", "3-10", "11+"]),
        label(&["Emmen", "Assen"]),
        proptest::sample::select(&["teacher", "teacher", "leader"][..]),
        0..4i32,
        proptest::option::weighted(0.2, 2..SPAN),
    )
        .prop_map(|(scope, department, band, location, role, from, until)| Person {
            scope,
            groups: [department, band, location, Some(role.to_string())],
            from: BASE.plus(from),
            until: until.map(|u| BASE.plus(u.max(from + 1))),
        })
}

fn level() -> impl Strategy<Value = Option<Level>> {
    prop_oneof![2 => Just(None), 1 => proptest::sample::select(Level::ALL).prop_map(Some)]
}

fn case() -> impl Strategy<Value = (Facts, Vec<Month>, Vec<Month>, u32)> {
    (proptest::collection::vec(person(), 0..40), 5u32..=7, (0..SPAN, 0..SPAN), (0..SPAN, 0..SPAN))
        .prop_flat_map(|(people, k, a, b)| {
            let n = people.len();
            let cells = n * SPAN as usize;
            (
                Just(people),
                proptest::collection::vec(proptest::bool::weighted(0.45), cells),
                proptest::collection::vec(level(), cells),
                Just(k),
                Just(a),
                Just(b),
            )
        })
        .prop_map(|(people, active_bits, levels, k, a, b)| {
            let mut facts = Facts { people, ..Facts::default() };
            for p in 0..facts.people.len() {
                for m in 0..SPAN {
                    let i = p * SPAN as usize + m as usize;
                    if active_bits[i] {
                        facts.active.push((p, BASE.plus(m)));
                    }
                    if let Some(level) = levels[i] {
                        facts.levels.push((p, BASE.plus(m), level));
                    }
                }
            }
            let range = |(x, y): (i32, i32)| (x.min(y)..=x.max(y)).map(|m| BASE.plus(m)).collect::<Vec<_>>();
            (facts, range(a), range(b), k)
        })
}

/// The test's own idea of who a cell counts.
fn members_of(facts: &Facts, labels: &[Vec<Option<String>>; 4], cell: Cell) -> Vec<usize> {
    facts
        .people
        .iter()
        .enumerate()
        .filter(|(i, p)| {
            if !p.on_staff(cell.month) || cell.scope.is_some_and(|s| s != p.scope) {
                return false;
            }
            if let Some((dimension, group)) = cell.group {
                let d = Dimension::ALL.iter().position(|x| *x == dimension).unwrap();
                if labels[d][group as usize] != p.groups[d] {
                    return false;
                }
            }
            let active = (0..ACTIVE_WINDOW).any(|back| facts.active.contains(&(*i, cell.month.plus(-back))));
            let best = facts.levels.iter().filter(|(q, m, _)| q == i && *m == cell.month).map(|(_, _, l)| *l).max();
            match cell.measure {
                Measure::Staff => true,
                Measure::Active => active,
                Measure::Members => best.is_some(),
                Measure::Level(level) => best == Some(level),
            }
        })
        .map(|(i, _)| i)
        .collect()
}

/// A quantity in the attacker's equations: a count the page may show, or one it never
/// shows (staff not active, staff in no community).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Var {
    Count(Cell),
    NotActive(Cell),
    NotMember(Cell),
}

/// `lhs = Σ rhs`.
struct Equation {
    lhs: Var,
    rhs: Vec<Var>,
}

fn equations(month: Month, scopes: &[Option<u16>], labels: &[Vec<Option<String>>; 4]) -> Vec<Equation> {
    let mut out = Vec::new();
    let cell = |scope, group, measure| Cell { month, scope, group, measure };
    let mut groups: Vec<Option<(Dimension, u16)>> = vec![None];
    for (d, dimension) in Dimension::ALL.iter().enumerate() {
        for g in 0..labels[d].len() {
            groups.push(Some((*dimension, g as u16)));
        }
    }
    for &scope in scopes {
        for (d, dimension) in Dimension::ALL.iter().enumerate() {
            for measure in [Measure::Staff, Measure::Active] {
                out.push(Equation {
                    lhs: Var::Count(cell(scope, None, measure)),
                    rhs: (0..labels[d].len())
                        .map(|g| Var::Count(cell(scope, Some((*dimension, g as u16)), measure)))
                        .collect(),
                });
            }
        }
        for &group in &groups {
            let staff = cell(scope, group, Measure::Staff);
            out.push(Equation {
                lhs: Var::Count(staff),
                rhs: vec![Var::Count(cell(scope, group, Measure::Active)), Var::NotActive(staff)],
            });
        }
        let staff = cell(scope, None, Measure::Staff);
        out.push(Equation {
            lhs: Var::Count(staff),
            rhs: vec![Var::Count(cell(scope, None, Measure::Members)), Var::NotMember(staff)],
        });
        out.push(Equation {
            lhs: Var::Count(cell(scope, None, Measure::Members)),
            rhs: Level::ALL.iter().map(|l| Var::Count(cell(scope, None, Measure::Level(*l)))).collect(),
        });
    }
    let schools: Vec<u16> = scopes.iter().flatten().copied().collect();
    let mut board_cells: Vec<Cell> =
        groups.iter().flat_map(|g| [cell(None, *g, Measure::Staff), cell(None, *g, Measure::Active)]).collect();
    board_cells.push(cell(None, None, Measure::Members));
    board_cells.extend(Level::ALL.iter().map(|l| cell(None, None, Measure::Level(*l))));
    for total in board_cells {
        out.push(Equation {
            lhs: Var::Count(total),
            rhs: schools.iter().map(|s| Var::Count(Cell { scope: Some(*s), ..total })).collect(),
        });
    }
    out
}

/// Which unknowns the equations pin down, by exact elimination over the rationals
/// (as fractions of i128 kept small by dividing out common factors).
fn pinned(rows: Vec<(Vec<i128>, i128)>, unknowns: usize) -> Vec<bool> {
    fn gcd(a: i128, b: i128) -> i128 {
        if b == 0 { a.abs() } else { gcd(b, a % b) }
    }
    let mut rows: Vec<Vec<i128>> = rows
        .into_iter()
        .map(|(mut r, b)| {
            r.push(b);
            r
        })
        .collect();
    let mut pivots = Vec::new();
    let mut rank = 0;
    for col in 0..unknowns {
        let Some(p) = (rank..rows.len()).find(|&r| rows[r][col] != 0) else { continue };
        rows.swap(rank, p);
        for r in 0..rows.len() {
            if r != rank && rows[r][col] != 0 {
                let (a, b) = (rows[rank][col], rows[r][col]);
                let pivot_row = rows[rank].clone();
                let row = &mut rows[r];
                for c in 0..=unknowns {
                    row[c] = row[c] * a - pivot_row[c] * b;
                }
                let g = row.iter().fold(0, |g, x| gcd(g, *x));
                if g > 1 {
                    row.iter_mut().for_each(|x| *x /= g);
                }
            }
        }
        pivots.push((rank, col));
        rank += 1;
    }
    let mut out = vec![false; unknowns];
    for (row, col) in pivots {
        if (0..unknowns).all(|c| c == col || rows[row][c] == 0) {
            out[col] = true;
        }
    }
    out
}

fn check(facts: &Facts, a: &[Month], b: &[Month], k: u32) -> Result<(), TestCaseError> {
    let first = People::compute(facts, a, k);
    let second = People::compute(facts, b, k);
    let labels = first.labels.clone();
    prop_assert_eq!(&labels, &second.labels);
    // Everything shown on either page, and the true size of everything.
    let mut shown: HashMap<Cell, u32> = HashMap::new();
    for (people, months) in [(&first, a), (&second, b)] {
        for (cell, value, visible) in people.cells() {
            prop_assert!(months.contains(&cell.month));
            let truth = members_of(facts, &labels, cell).len() as u32;
            prop_assert_eq!(value, truth, "count of {:?}", cell);
            if visible {
                prop_assert!(safe(value, k), "{:?} shows {} < k = {}", cell, value, k);
                if let Some(other) = shown.insert(cell, value) {
                    prop_assert_eq!(other, value);
                }
            }
        }
    }
    for (cell, _, visible) in first.cells() {
        if b.contains(&cell.month) {
            prop_assert_eq!(visible, second.shown(cell).is_some(), "{:?} differs between periods", cell);
        }
    }
    let mut scopes: Vec<Option<u16>> = vec![None];
    scopes.extend((0..4).map(Some));
    let mut months: Vec<Month> = a.iter().chain(b).copied().collect();
    months.sort();
    months.dedup();
    for month in months {
        let equations = equations(month, &scopes, &labels);
        let truth = |var: Var| -> u32 {
            match var {
                Var::Count(cell) => members_of(facts, &labels, cell).len() as u32,
                Var::NotActive(cell) => {
                    let staff = members_of(facts, &labels, cell).len();
                    (staff - members_of(facts, &labels, Cell { measure: Measure::Active, ..cell }).len()) as u32
                }
                Var::NotMember(cell) => {
                    let staff = members_of(facts, &labels, cell).len();
                    (staff - members_of(facts, &labels, Cell { measure: Measure::Members, ..cell }).len()) as u32
                }
            }
        };
        let known = |var: Var| match var {
            Var::Count(cell) => shown.get(&cell).copied(),
            _ => None,
        };
        let mut index: BTreeMap<Var, usize> = BTreeMap::new();
        for eq in &equations {
            for var in std::iter::once(eq.lhs).chain(eq.rhs.iter().copied()) {
                if known(var).is_none() {
                    let next = index.len();
                    index.entry(var).or_insert(next);
                }
            }
        }
        let rows: Vec<(Vec<i128>, i128)> = equations
            .iter()
            .map(|eq| {
                let mut row = vec![0i128; index.len()];
                let mut constant = 0i128;
                for (var, sign) in std::iter::once((eq.lhs, 1i128)).chain(eq.rhs.iter().map(|v| (*v, -1))) {
                    match known(var) {
                        Some(value) => constant -= sign * i128::from(value),
                        None => row[index[&var]] += sign,
                    }
                }
                (row, constant)
            })
            .collect();
        let pinned = pinned(rows, index.len());
        for (var, &i) in &index {
            if pinned[i] {
                prop_assert!(safe(truth(*var), k), "{:?} = {} can be worked out (k = {})", var, truth(*var), k);
            }
        }
        let is_known = |var: Var| known(var).is_some() || index.get(&var).is_some_and(|i| pinned[*i]);
        for eq in &equations {
            if is_known(eq.lhs) {
                let left: u32 = eq.rhs.iter().filter(|v| !is_known(**v)).map(|v| truth(*v)).sum();
                prop_assert!(safe(left, k), "{:?} minus what is known leaves {} (k = {})", eq.lhs, left, k);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn nothing_shown_or_worked_out_is_a_group_smaller_than_k((facts, a, b, k) in case()) {
        check(&facts, &a, &b, k)?;
    }
}

#[test]
fn a_small_department_is_hidden_with_what_would_give_it_away() {
    // Seven maths teachers and two art teachers at one school: the art group is too
    // small, and the school total minus maths would give it back.
    let teacher = |department: &str| Person {
        scope: 0,
        groups: [Some(department.into()), None, None, Some("teacher".into())],
        from: BASE,
        until: None,
    };
    let mut people: Vec<Person> = (0..7).map(|_| teacher("Wiskunde")).collect();
    people.extend([teacher("Kunst"), teacher("Kunst")]);
    let facts = Facts { people, ..Facts::default() };
    let figures = People::compute(&facts, &[BASE], 5);
    let hidden: Vec<Cell> = figures.cells().filter(|(_, _, visible)| !visible).map(|(c, ..)| c).collect();
    assert!(hidden.iter().any(|c| c.group.is_some() && c.measure == Measure::Staff));
    check(&facts, &[BASE], &[BASE], 5).unwrap();
}
