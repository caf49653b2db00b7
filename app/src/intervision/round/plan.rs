//! Who does what in a round: the roles, a rotation suggestion (who has not had a role
//! lately), and who may write in which phase. Pure rules, used by the server when it
//! plans a round and accepts contributions.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{AppError, ErrorKey, Validation};
use crate::intervision::method::domain::{Collects, Phase, Presence, Speaker};
use crate::shared::string_enum;

pub const CONTRIBUTION_MAX: usize = 1000;
pub const ANSWER_MAX: usize = 1000;

string_enum! {
    /// A person's part in one round.
    RoundRole {
        /// Runs the round: starts, advances, reveals, ends.
        Lead => "lead",
        /// Brought the case.
        CaseBringer => "case_bringer",
        Timekeeper => "timekeeper",
        NoteTaker => "note_taker",
        Participant => "participant",
    }
}

impl RoundRole {
    /// The roles the group hands out (the case bringer comes with the case).
    pub const ROTATING: [RoundRole; 3] = [RoundRole::Lead, RoundRole::Timekeeper, RoundRole::NoteTaker];
}

string_enum! {
    /// How a question landed with the case bringer (Socratic method and others).
    Warmth { Warm => "warm", Neutral => "neutral", Cold => "cold" }
}

/// The roles chosen for a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Roles {
    pub lead: Uuid,
    pub case_bringer: Uuid,
    pub timekeeper: Option<Uuid>,
    pub note_taker: Option<Uuid>,
}

impl Roles {
    /// Every person holds one role; everyone is a member who can take part. All
    /// problems at once.
    pub fn validate(&self, members: &[Uuid]) -> Result<(), AppError> {
        let member = |id: Uuid| if members.contains(&id) { Ok(()) } else { Err(ErrorKey::InvalidChoice) };
        let not_taken = |id: Option<Uuid>, taken: &[Uuid]| match id {
            Some(id) if taken.contains(&id) => Err(ErrorKey::RoleTaken),
            Some(id) => member(id),
            None => Ok(()),
        };
        Validation::new()
            .check("lead_id", not_taken(Some(self.lead), &[self.case_bringer]))
            .check("timekeeper_id", not_taken(self.timekeeper, &[self.case_bringer, self.lead]))
            .check(
                "note_taker_id",
                not_taken(self.note_taker, &[self.case_bringer, self.lead, self.timekeeper.unwrap_or(self.lead)]),
            )
            .finish()
    }

    pub fn role_of(&self, user: Uuid) -> RoundRole {
        if user == self.case_bringer {
            RoundRole::CaseBringer
        } else if user == self.lead {
            RoundRole::Lead
        } else if Some(user) == self.timekeeper {
            RoundRole::Timekeeper
        } else if Some(user) == self.note_taker {
            RoundRole::NoteTaker
        } else {
            RoundRole::Participant
        }
    }
}

/// A role someone held in an earlier round of the community.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PastRole {
    pub user: Uuid,
    pub role: RoundRole,
    pub at: OffsetDateTime,
}

/// Suggested lead, timekeeper and note taker: for each role in turn, the member who
/// has gone longest without any role (never first), in the order `members` lists them
/// on a tie. The case bringer gets none.
pub fn suggest_roles(members: &[Uuid], case_bringer: Uuid, history: &[PastRole]) -> [Option<Uuid>; 3] {
    let last_role =
        |user: Uuid| history.iter().filter(|p| p.user == user && p.role != RoundRole::CaseBringer).map(|p| p.at).max();
    let mut chosen: Vec<Uuid> = Vec::new();
    let mut picks = [None; 3];
    for pick in &mut picks {
        let next = members
            .iter()
            .copied()
            .filter(|id| *id != case_bringer && !chosen.contains(id))
            .enumerate()
            .min_by_key(|(order, id)| (last_role(*id), *order))
            .map(|(_, id)| id);
        if let Some(id) = next {
            chosen.push(id);
        }
        *pick = next;
    }
    picks
}

/// Whether someone in `role` may write in `phase`. Phases that collect nothing take
/// no writing. The case bringer, in the circle, writes reflections and what they say
/// alone; questions, hypotheses, positions and advice are the group's. The group
/// writes wherever the case bringer does not have the floor alone.
pub fn may_write(phase: &Phase, role: RoundRole) -> bool {
    if phase.collects == Collects::Nothing {
        return false;
    }
    if role == RoundRole::CaseBringer {
        phase.case_bringer == Presence::Present
            && (phase.collects == Collects::Reflections || phase.speaks == Speaker::CaseBringer)
    } else {
        phase.speaks != Speaker::CaseBringer
    }
}

/// The case bringer rates questions and answers them.
pub fn takes_warmth(phase: &Phase) -> bool {
    phase.collects == Collects::Questions
}

/// The case bringer chooses the advice they will act on.
pub fn takes_choice(phase: &Phase) -> bool {
    phase.collects == Collects::Advice
}

/// A contribution's text, trimmed; empty or too long is refused.
pub fn clean_contribution(body: &str) -> Result<String, AppError> {
    let body = body.replace("\r\n", "\n");
    let body = body.trim();
    let result = if body.is_empty() {
        Err(ErrorKey::Required)
    } else if body.chars().count() > CONTRIBUTION_MAX {
        Err(ErrorKey::TooLong)
    } else {
        Ok(())
    };
    Validation::new().check("body", result).finish()?;
    Ok(body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intervision::method::domain::Text;
    use time::macros::datetime;

    fn ids(n: u128) -> Vec<Uuid> {
        (1..=n).map(Uuid::from_u128).collect()
    }

    #[test]
    fn each_person_holds_one_role_and_must_be_a_member() {
        let members = ids(5);
        let ok = Roles { lead: members[0], case_bringer: members[1], timekeeper: Some(members[2]), note_taker: None };
        assert!(ok.validate(&members).is_ok());
        let leads_own_case = Roles { lead: members[1], ..ok };
        assert_eq!(leads_own_case.validate(&members).unwrap_err().field_error("lead_id"), Some(ErrorKey::RoleTaken));
        let doubled = Roles { note_taker: Some(members[2]), ..ok };
        assert_eq!(doubled.validate(&members).unwrap_err().field_error("note_taker_id"), Some(ErrorKey::RoleTaken));
        let outsider = Roles { timekeeper: Some(Uuid::from_u128(99)), ..ok };
        assert_eq!(
            outsider.validate(&members).unwrap_err().field_error("timekeeper_id"),
            Some(ErrorKey::InvalidChoice)
        );
        assert_eq!(ok.role_of(members[1]), RoundRole::CaseBringer);
        assert_eq!(ok.role_of(members[4]), RoundRole::Participant);
    }

    #[test]
    fn roles_rotate_to_who_has_not_had_one_lately() {
        let m = ids(5);
        let history = [
            PastRole { user: m[0], role: RoundRole::Lead, at: datetime!(2026-10-01 15:00 UTC) },
            PastRole { user: m[2], role: RoundRole::Timekeeper, at: datetime!(2026-09-01 15:00 UTC) },
            PastRole { user: m[3], role: RoundRole::NoteTaker, at: datetime!(2026-11-01 15:00 UTC) },
            // Bringing a case is not a role the group hands out.
            PastRole { user: m[4], role: RoundRole::CaseBringer, at: datetime!(2026-11-10 15:00 UTC) },
        ];
        // m[1] brings today's case; m[4] never had a role; then the longest ago.
        assert_eq!(suggest_roles(&m, m[1], &history), [Some(m[4]), Some(m[2]), Some(m[0])]);
        assert_eq!(suggest_roles(&m[..2], m[1], &[]), [Some(m[0]), None, None]);
    }

    fn phase(speaks: Speaker, case_bringer: Presence, collects: Collects) -> Phase {
        Phase {
            title: Text::same("fase"),
            instruction: Text::same("doe iets"),
            minutes: 5,
            speaks,
            case_bringer,
            collects,
            hidden_until_revealed: false,
        }
    }

    #[test]
    fn who_may_write_follows_the_phase() {
        let questions = phase(Speaker::Group, Presence::Present, Collects::Questions);
        assert!(may_write(&questions, RoundRole::Participant));
        assert!(may_write(&questions, RoundRole::Lead));
        assert!(!may_write(&questions, RoundRole::CaseBringer));
        let telling = phase(Speaker::CaseBringer, Presence::Present, Collects::Nothing);
        assert!(!may_write(&telling, RoundRole::CaseBringer));
        assert!(!may_write(&telling, RoundRole::Participant));
        let reflection = phase(Speaker::Everyone, Presence::Present, Collects::Reflections);
        assert!(may_write(&reflection, RoundRole::CaseBringer));
        let written_questions = phase(Speaker::Everyone, Presence::Present, Collects::Questions);
        assert!(!may_write(&written_questions, RoundRole::CaseBringer));
        let away = phase(Speaker::Everyone, Presence::Away, Collects::Hypotheses);
        assert!(!may_write(&away, RoundRole::CaseBringer));
        assert!(may_write(&away, RoundRole::NoteTaker));
        assert!(takes_warmth(&questions) && !takes_choice(&questions));
    }

    #[test]
    fn contributions_are_trimmed_and_bounded() {
        assert_eq!(clean_contribution("  Wat deed je toen?\r\n ").unwrap(), "Wat deed je toen?");
        assert_eq!(clean_contribution("   ").unwrap_err().field_error("body"), Some(ErrorKey::Required));
        assert_eq!(clean_contribution(&"x".repeat(1001)).unwrap_err().field_error("body"), Some(ErrorKey::TooLong));
    }
}
