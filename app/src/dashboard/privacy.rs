//! Small-group suppression. A leader sees counts of people, never people; a count of
//! fewer than k people would point at someone, so it is hidden (primary suppression),
//! and so is any further figure that would let someone get a hidden one back by
//! subtraction (complementary suppression): a total minus its visible parts, a group
//! minus the part of it that took part, a board minus its schools.
//!
//! The page's arithmetic is given as relations `total = part + part + …`, where a
//! part may be a figure or a hidden remainder (the staff who did *not* take part is
//! never shown, but is what "staff − active" reveals). A relation is safe when the
//! parts hidden from view add up to nothing or to at least k people. The engine hides
//! figures until every relation is safe: the smallest visible part that is not zero,
//! or the total when no part is left. A sum of safe amounts is safe, so a relation is
//! also safe for any selection of its visible parts.

use std::hash::Hash;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

pub use crate::shared::MIN_GROUP;

/// Whether a number of people may be shown, or be computed from what is shown.
pub fn safe(people: u32, k: u32) -> bool {
    people == 0 || people >= k
}

/// One part of a total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part<Id> {
    Figure(Id),
    /// Never shown; its size is what subtracting the shown parts would reveal.
    Remainder(u32),
}

/// `total = Σ parts`, with disjoint parts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Relation<Id> {
    pub total: Id,
    pub parts: Vec<Part<Id>>,
}

/// Which figures to hide, given every figure's true value, the relations between
/// them, and pairs `(a, b)` where hiding `a` makes `b` pointless (an active count
/// without its group's size). Deterministic: the same input hides the same figures.
///
/// A hidden figure can still be worked out: when a relation's total is known and all
/// its parts but one, the last follows, and when all parts are known, the total does.
/// The check follows such chains from the shown figures (board − other schools gives
/// a school, the school's staff minus that gives who did not take part), and a
/// relation is violated when what it leaves unknown, or what it gives away, is a
/// group of fewer than k.
pub fn suppress<Id: Copy + Eq + Hash + Ord>(
    values: &HashMap<Id, u32>,
    relations: &[Relation<Id>],
    follows: &[(Id, Id)],
    k: u32,
) -> HashSet<Id> {
    let k = k.max(MIN_GROUP);
    let value = |id: &Id| values.get(id).copied().unwrap_or(0);
    let mut hidden: HashSet<Id> = values.iter().filter(|(_, v)| !safe(**v, k)).map(|(id, _)| *id).collect();
    loop {
        for (cause, effect) in follows {
            if hidden.contains(cause) {
                hidden.insert(*effect);
            }
        }
        let (violated, derived_by) = violations(values, relations, &hidden, k);
        if violated.is_empty() {
            return hidden;
        }
        let mut changed = false;
        for index in violated {
            changed |= hide_one_more(values, relations, &derived_by, index, &mut hidden, &value);
        }
        if !changed {
            // Nothing shown is left to hide; nothing can be worked out either.
            return hidden;
        }
    }
}

/// The relations that give away a small group, given what is hidden, and for each
/// hidden figure that can be worked out, the relation that gives it.
fn violations<Id: Copy + Eq + Hash + Ord>(
    values: &HashMap<Id, u32>,
    relations: &[Relation<Id>],
    hidden: &HashSet<Id>,
    k: u32,
) -> (Vec<usize>, HashMap<Id, usize>) {
    let value = |id: &Id| values.get(id).copied().unwrap_or(0);
    let known_at_first = |id: &Id| !hidden.contains(id);
    let mut derived_by: HashMap<Id, usize> = HashMap::default();
    let mut violated = Vec::new();
    let mut done = vec![false; relations.len()];
    loop {
        let mut progress = false;
        for (index, relation) in relations.iter().enumerate() {
            if done[index] {
                continue;
            }
            // Parts worked out on an earlier pass may now reveal more.
            let known = |id: &Id| known_at_first(id) || derived_by.contains_key(id);
            let unknown: Vec<Id> = relation
                .parts
                .iter()
                .filter_map(|part| match part {
                    Part::Figure(id) if !known(id) => Some(*id),
                    _ => None,
                })
                .collect();
            let remainder: u32 =
                relation.parts.iter().map(|part| if let Part::Remainder(people) = part { *people } else { 0 }).sum();
            if known(&relation.total) {
                let unseen = unknown.iter().map(value).sum::<u32>() + remainder;
                if !safe(unseen, k) {
                    done[index] = true;
                    violated.push(index);
                } else if unknown.len() == 1 && remainder == 0 {
                    done[index] = true;
                    derived_by.insert(unknown[0], index);
                    progress = true;
                } else if unknown.is_empty() {
                    done[index] = true;
                }
            } else if unknown.is_empty() && remainder == 0 {
                done[index] = true;
                if safe(value(&relation.total), k) {
                    derived_by.insert(relation.total, index);
                    progress = true;
                } else {
                    violated.push(index);
                }
            }
        }
        if !progress {
            return (violated, derived_by);
        }
    }
}

/// Hides the smallest shown part of a violated relation that is not zero; failing
/// that, when a hidden part or the total is known only by being worked out, the
/// relation that gave it away loses a figure instead; failing that, the total.
/// Returns whether anything was hidden.
fn hide_one_more<Id: Copy + Eq + Hash + Ord>(
    values: &HashMap<Id, u32>,
    relations: &[Relation<Id>],
    derived_by: &HashMap<Id, usize>,
    mut index: usize,
    hidden: &mut HashSet<Id>,
    value: &impl Fn(&Id) -> u32,
) -> bool {
    for _ in 0..=relations.len() {
        let relation = &relations[index];
        let smallest_shown = relation
            .parts
            .iter()
            .filter_map(|part| match part {
                Part::Figure(id) if !hidden.contains(id) && values.contains_key(id) && value(id) > 0 => {
                    Some((value(id), *id))
                }
                _ => None,
            })
            .min();
        if let Some((_, id)) = smallest_shown {
            return hidden.insert(id);
        }
        // A hidden part that was worked out elsewhere: stop it being worked out.
        let worked_out = relation.parts.iter().find_map(|part| match part {
            Part::Figure(id) => derived_by.get(id).filter(|giver| **giver != index),
            Part::Remainder(_) => None,
        });
        if let Some(&giver) = worked_out {
            index = giver;
            continue;
        }
        if !hidden.contains(&relation.total) {
            return hidden.insert(relation.total);
        }
        match derived_by.get(&relation.total) {
            Some(&giver) if giver != index => index = giver,
            _ => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&'static str, u32)]) -> HashMap<&'static str, u32> {
        pairs.iter().copied().collect()
    }

    fn set<const N: usize>(ids: [&'static str; N]) -> HashSet<&'static str> {
        ids.into_iter().collect()
    }

    #[test]
    fn small_groups_are_hidden_and_zero_is_not() {
        let v = values(&[("a", 4), ("b", 0), ("c", 5)]);
        let hidden = suppress(&v, &[], &[], 5);
        assert_eq!(hidden, set(["a"]));
    }

    #[test]
    fn a_total_does_not_give_back_its_one_hidden_part() {
        // 20 = 12 + 6 + 2: hiding the 2 alone leaves 20 − 12 − 6 = 2.
        let v = values(&[("total", 20), ("maths", 12), ("english", 6), ("art", 2)]);
        let relation = Relation {
            total: "total",
            parts: vec![Part::Figure("maths"), Part::Figure("english"), Part::Figure("art")],
        };
        let hidden = suppress(&v, &[relation], &[], 5);
        assert_eq!(hidden, set(["art", "english"]));
    }

    #[test]
    fn the_total_goes_when_no_part_is_left() {
        let v = values(&[("staff", 7), ("active", 5)]);
        // The two who did not take part are the remainder: the active count must go.
        let relation = Relation { total: "staff", parts: vec![Part::Figure("active"), Part::Remainder(2)] };
        assert_eq!(suppress(&v, &[relation], &[], 5), set(["active"]));
        let v = values(&[("school", 9), ("department", 3)]);
        let relation = Relation { total: "school", parts: vec![Part::Figure("department"), Part::Remainder(1)] };
        assert_eq!(suppress(&v, &[relation], &[], 5), set(["school", "department"]));
    }

    #[test]
    fn hiding_spreads_through_relations_and_follows() {
        // Board 30 = school A 26 + office 4: the office is hidden, so A must go too,
        // and with A's staff its active count.
        let v = values(&[("board", 30), ("a", 26), ("office", 4), ("a_active", 10)]);
        let relation = Relation { total: "board", parts: vec![Part::Figure("a"), Part::Figure("office")] };
        let hidden = suppress(&v, &[relation], &[("a", "a_active")], 5);
        assert_eq!(hidden, set(["office", "a", "a_active"]));
    }

    #[test]
    fn a_hidden_figure_worked_out_elsewhere_does_not_give_away_a_small_group() {
        // Board active 7 = school A's (hidden) + school B's 0, so A's 7 is known; A's
        // staff of 10 minus 7 would give away the 3 who did not take part.
        let v = values(&[("board_active", 7), ("a_active", 7), ("b_active", 0), ("a_staff", 10)]);
        let relations = [
            Relation { total: "board_active", parts: vec![Part::Figure("a_active"), Part::Figure("b_active")] },
            Relation { total: "a_staff", parts: vec![Part::Figure("a_active"), Part::Remainder(3)] },
        ];
        let hidden = suppress(&v, &relations, &[], 5);
        assert!(hidden.contains("a_active"));
        assert!(hidden.contains("board_active"), "otherwise 10 − (7 − 0) gives the three away: {hidden:?}");
        assert!(!hidden.contains("a_staff"), "the school keeps its size: {hidden:?}");
        assert!(violations(&v, &relations, &hidden, 5).0.is_empty());
    }

    #[test]
    fn k_is_never_below_the_minimum() {
        let v = values(&[("a", 3)]);
        assert!(suppress(&v, &[], &[], 1).contains("a"));
        assert!(safe(0, 5) && !safe(4, 5) && safe(5, 5));
    }
}
