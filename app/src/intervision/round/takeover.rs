//! A round that survives its people: who may give which command (the timekeeper keeps
//! the clock too), when someone may take over from a round lead whose screens are gone,
//! and the note taker's notes for the case bringer. Pure rules; the server applies them
//! with its own clock.

use super::domain::{Command, Status};
use super::plan::RoundRole;
use crate::error::{AppError, ErrorKey, Validation};

/// How long every screen of the round lead must have been gone before someone else
/// may take over.
pub const LEAD_GONE_AFTER_MS: i64 = 30_000;

/// How often an open screen of the round lead says it is still there; well within
/// [`LEAD_GONE_AFTER_MS`], so a connected lead never looks gone.
pub const LEAD_BEAT_MS: i64 = 10_000;

pub const NOTES_MAX: usize = 5000;

/// Whether someone in `role` may give `command`: the lead runs the round; the
/// timekeeper keeps its clock (pause, resume, extend).
pub fn may_command(role: RoundRole, command: Command) -> bool {
    match role {
        RoundRole::Lead => true,
        RoundRole::Timekeeper => matches!(command, Command::Pause | Command::Resume | Command::Extend { .. }),
        _ => false,
    }
}

/// Whether the lead counts as gone at `now_ms`, given when one of their screens was
/// last connected (`None`: never).
pub fn lead_gone(lead_seen_ms: Option<i64>, now_ms: i64) -> bool {
    lead_seen_ms.is_none_or(|seen| now_ms - seen >= LEAD_GONE_AFTER_MS)
}

/// When a lead last seen at `lead_seen_ms` will count as gone.
pub fn gone_at(lead_seen_ms: i64) -> i64 {
    lead_seen_ms + LEAD_GONE_AFTER_MS
}

/// Why someone may not take over the lead; nothing changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TakeoverRefusal {
    /// The round is over.
    Ended,
    /// They lead already.
    AlreadyLead,
    /// Neither a facilitator of the community nor (where the method allows) the
    /// timekeeper; the case bringer never leads their own case.
    NotAllowed,
    /// A screen of the lead is still connected: ask them instead.
    LeadConnected,
}

/// Someone taking part in a round who might take over its lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taker {
    pub role: RoundRole,
    /// Facilitator of the round's community.
    pub is_facilitator: bool,
}

/// Whether `taker` may take over the lead at `now_ms`: a facilitator of the community,
/// or, once the round has started, the timekeeper if the method lets the timekeeper
/// lead; only when every screen of the lead has been gone for [`LEAD_GONE_AFTER_MS`].
/// (Before the start a facilitator can stand in for a lead who did not come.)
pub fn may_take_over(
    taker: Taker,
    timekeeper_may_lead: bool,
    status: Status,
    lead_seen_ms: Option<i64>,
    now_ms: i64,
) -> Result<(), TakeoverRefusal> {
    if status == Status::Ended {
        return Err(TakeoverRefusal::Ended);
    }
    match taker.role {
        RoundRole::Lead => return Err(TakeoverRefusal::AlreadyLead),
        RoundRole::CaseBringer => return Err(TakeoverRefusal::NotAllowed),
        _ => {}
    }
    let started = status != Status::Waiting;
    let timekeeper = taker.role == RoundRole::Timekeeper && timekeeper_may_lead && started;
    if !taker.is_facilitator && !timekeeper {
        return Err(TakeoverRefusal::NotAllowed);
    }
    if !lead_gone(lead_seen_ms, now_ms) {
        return Err(TakeoverRefusal::LeadConnected);
    }
    Ok(())
}

impl TakeoverRefusal {
    pub fn error(self) -> AppError {
        match self {
            TakeoverRefusal::Ended | TakeoverRefusal::AlreadyLead => AppError::Conflict(ErrorKey::StepNotPossible),
            // As for any round action someone does not have: it does not exist for them.
            TakeoverRefusal::NotAllowed => AppError::NotFound,
            TakeoverRefusal::LeadConnected => AppError::Conflict(ErrorKey::LeadStillConnected),
        }
    }
}

/// Who sees the note taker's notes: the note taker, and the case bringer once the
/// round has ended.
pub fn sees_notes(role: RoundRole, status: Status) -> bool {
    role == RoundRole::NoteTaker || (role == RoundRole::CaseBringer && status == Status::Ended)
}

/// The notes as stored: trimmed, line ends unified; too long is refused.
pub fn clean_notes(notes: &str) -> Result<String, AppError> {
    let notes = notes.replace("\r\n", "\n").trim().to_string();
    let length = if notes.chars().count() > NOTES_MAX { Err(ErrorKey::TooLong) } else { Ok(()) };
    Validation::new().check("notes", length).finish()?;
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_800_000_000_000;

    fn taker(role: RoundRole, is_facilitator: bool) -> Taker {
        Taker { role, is_facilitator }
    }

    #[test]
    fn the_timekeeper_keeps_the_clock_and_only_the_lead_steps() {
        for command in [Command::Pause, Command::Resume, Command::Extend { minutes: 2 }] {
            assert!(may_command(RoundRole::Timekeeper, command));
            assert!(may_command(RoundRole::Lead, command));
            assert!(!may_command(RoundRole::Participant, command));
        }
        for command in
            [Command::Start, Command::Advance { confirmed: true }, Command::Back, Command::Undo, Command::End]
        {
            assert!(!may_command(RoundRole::Timekeeper, command), "{command:?}");
            assert!(!may_command(RoundRole::NoteTaker, command));
            assert!(!may_command(RoundRole::CaseBringer, command));
            assert!(may_command(RoundRole::Lead, command));
        }
        assert!(!may_command(RoundRole::Timekeeper, Command::Reveal));
    }

    #[test]
    fn a_lead_counts_as_gone_thirty_seconds_after_their_last_screen() {
        assert!(lead_gone(None, T0));
        assert!(!lead_gone(Some(T0), T0 + LEAD_GONE_AFTER_MS - 1));
        assert!(lead_gone(Some(T0), T0 + LEAD_GONE_AFTER_MS));
        assert_eq!(gone_at(T0), T0 + 30_000);
        const { assert!(LEAD_BEAT_MS * 2 < LEAD_GONE_AFTER_MS) };
    }

    #[test]
    fn a_facilitator_takes_over_once_the_lead_is_gone() {
        let seen = Some(T0);
        let later = T0 + LEAD_GONE_AFTER_MS;
        let facilitator = taker(RoundRole::Participant, true);
        assert_eq!(may_take_over(facilitator, false, Status::Running, seen, later), Ok(()));
        assert_eq!(may_take_over(facilitator, false, Status::Paused, seen, later), Ok(()));
        // A lead who never opened the round can be replaced before the start.
        assert_eq!(may_take_over(facilitator, false, Status::Waiting, None, T0), Ok(()));
        assert_eq!(
            may_take_over(facilitator, false, Status::Running, seen, T0 + 1_000),
            Err(TakeoverRefusal::LeadConnected)
        );
        assert_eq!(may_take_over(facilitator, false, Status::Ended, seen, later), Err(TakeoverRefusal::Ended));
        // A facilitator holding the note taker's role may take over too.
        assert_eq!(may_take_over(taker(RoundRole::NoteTaker, true), false, Status::Running, seen, later), Ok(()));
    }

    #[test]
    fn the_timekeeper_takes_over_only_where_the_method_allows() {
        let seen = Some(T0);
        let later = T0 + LEAD_GONE_AFTER_MS;
        let timekeeper = taker(RoundRole::Timekeeper, false);
        assert_eq!(may_take_over(timekeeper, true, Status::Running, seen, later), Ok(()));
        assert_eq!(may_take_over(timekeeper, false, Status::Running, seen, later), Err(TakeoverRefusal::NotAllowed));
        // Before the start there is no lead who dropped out, only one who has not come yet.
        assert_eq!(may_take_over(timekeeper, true, Status::Waiting, None, later), Err(TakeoverRefusal::NotAllowed));
        // A timekeeper who facilitates the community may, whatever the method.
        assert_eq!(may_take_over(taker(RoundRole::Timekeeper, true), false, Status::Running, seen, later), Ok(()));
    }

    #[test]
    fn members_the_case_bringer_and_the_lead_do_not_take_over() {
        let later = T0 + LEAD_GONE_AFTER_MS;
        let refused = |t: Taker| may_take_over(t, true, Status::Running, Some(T0), later);
        assert_eq!(refused(taker(RoundRole::Participant, false)), Err(TakeoverRefusal::NotAllowed));
        assert_eq!(refused(taker(RoundRole::NoteTaker, false)), Err(TakeoverRefusal::NotAllowed));
        // Even a facilitator does not lead the round on their own case.
        assert_eq!(refused(taker(RoundRole::CaseBringer, true)), Err(TakeoverRefusal::NotAllowed));
        assert_eq!(refused(taker(RoundRole::Lead, true)), Err(TakeoverRefusal::AlreadyLead));
        assert_eq!(TakeoverRefusal::NotAllowed.error(), AppError::NotFound);
        assert_eq!(TakeoverRefusal::LeadConnected.error(), AppError::Conflict(ErrorKey::LeadStillConnected));
    }

    #[test]
    fn the_case_bringer_gets_the_notes_after_the_round() {
        assert!(sees_notes(RoundRole::NoteTaker, Status::Running));
        assert!(!sees_notes(RoundRole::CaseBringer, Status::Running));
        assert!(sees_notes(RoundRole::CaseBringer, Status::Ended));
        for role in [RoundRole::Lead, RoundRole::Timekeeper, RoundRole::Participant] {
            assert!(!sees_notes(role, Status::Ended), "{role:?}");
        }
        assert_eq!(clean_notes("  Vraag 1: warm\r\n").unwrap(), "Vraag 1: warm");
        assert_eq!(clean_notes(&"x".repeat(NOTES_MAX + 1)).unwrap_err().field_error("notes"), Some(ErrorKey::TooLong));
    }
}
