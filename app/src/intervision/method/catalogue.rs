//! The intervision methods Kring ships. Their texts live in `catalogue.json`, data that
//! facilitators and translators can read and correct without reading code; the file is
//! compiled in and checked by the tests below (every method valid, keys unique, both
//! languages present). Built-in methods never change at run time: adapted copies are
//! stored per board (`library`).

use std::sync::LazyLock;

use super::domain::Method;

static CATALOGUE: LazyLock<Vec<Method>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("catalogue.json")).expect("catalogue.json is valid: see its tests")
});

/// The built-in methods, in the order the library shows them.
pub fn built_in() -> &'static [Method] {
    &CATALOGUE
}

pub fn built_in_by_key(key: &str) -> Option<Method> {
    built_in().iter().find(|m| m.key == key).cloned()
}

/// A suggestion for a group: methods that need high trust only once the group has
/// run a few rounds together, and the simplest methods first for a new group.
pub fn suitable(rounds_held: u32) -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = Vec::new();
    if rounds_held < 3 {
        keys.extend(["five_step", "incident_timed", "socratic"]);
    } else {
        keys.extend(["incident_timed", "socratic", "ten_step", "incident_ten_phase", "five_step"]);
        if rounds_held >= 6 {
            keys.extend(["balint", "gossip"]);
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::super::domain::{Collects, Presence, TrustNeeded};
    use super::*;

    #[test]
    fn every_built_in_method_is_valid_and_has_a_unique_key() {
        let methods = built_in();
        assert_eq!(methods.len(), 7);
        for method in methods {
            assert_eq!(method.problems(), vec![], "{}", method.key);
            assert_eq!(methods.iter().filter(|m| m.key == method.key).count(), 1);
            for text in [&method.name, &method.description, &method.when_to_use] {
                assert!(!text.nl.trim().is_empty() && !text.en.trim().is_empty(), "{}", method.key);
            }
            for phase in &method.phases {
                assert!(!phase.title.nl.is_empty() && !phase.title.en.is_empty(), "{}", method.key);
                assert!(!phase.instruction.nl.is_empty() && !phase.instruction.en.is_empty(), "{}", method.key);
                assert_eq!(
                    phase.hidden_until_revealed,
                    phase.collects.hidden_until_revealed_by_default(),
                    "{}: only positions and associations wait for the reveal",
                    method.key
                );
            }
        }
    }

    #[test]
    fn every_suggested_method_is_in_the_catalogue() {
        for held in [0, 3, 6] {
            for key in suitable(held) {
                assert!(built_in_by_key(key).is_some(), "{key}");
            }
        }
        assert_eq!(built_in_by_key("prophecy"), None);
    }

    #[test]
    fn the_timed_incident_method_follows_the_known_schedule() {
        let method = built_in_by_key("incident_timed").unwrap();
        let minutes: Vec<u16> = method.phases.iter().map(|p| p.minutes).collect();
        assert_eq!(minutes, vec![5, 10, 5, 15, 10, 10, 10]);
        assert_eq!(method.total_minutes(), 65);
        let advice = &method.phases[5];
        assert_eq!((advice.collects, advice.case_bringer), (Collects::Advice, Presence::Listening));
        assert_eq!(built_in_by_key("incident_ten_phase").unwrap().phases.len(), 10);
        assert_eq!(built_in_by_key("ten_step").unwrap().phases.len(), 10);
    }

    #[test]
    fn written_positions_and_associations_wait_for_the_reveal() {
        let balint = built_in_by_key("balint").unwrap();
        let hidden: Vec<Collects> =
            balint.phases.iter().filter(|p| p.hidden_until_revealed).map(|p| p.collects).collect();
        assert_eq!(hidden, vec![Collects::Associations, Collects::Positions]);
        assert_eq!(balint.trust, TrustNeeded::High);
        assert_eq!(built_in_by_key("gossip").unwrap().trust, TrustNeeded::High);
    }

    #[test]
    fn high_trust_methods_are_suggested_only_to_experienced_groups() {
        assert!(!suitable(0).contains(&"balint"));
        assert!(!suitable(4).contains(&"gossip"));
        assert!(suitable(8).contains(&"gossip"));
        assert_eq!(suitable(0)[0], "five_step");
    }
}
