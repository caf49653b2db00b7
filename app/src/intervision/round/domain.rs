//! The live round as a state machine: which phase, whether the clock runs, how much
//! time the phase has left, what has been revealed, and one step of undo. Pure: the
//! server applies commands with its own clock and pushes the new state; every screen
//! computes the same countdown from the server's timestamps.

use serde::{Deserialize, Serialize};

use crate::intervision::method::domain::{Phase, Presence};

/// Where a round stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Prepared (case, method, roles) but not started.
    Waiting,
    Running,
    Paused,
    Ended,
}

/// What the round lead can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "command")]
pub enum Command {
    Start,
    /// To the next phase; with time left, only when `confirmed`.
    Advance {
        confirmed: bool,
    },
    Back,
    Pause,
    Resume,
    Extend {
        minutes: u16,
    },
    /// Shows the current phase's hidden contributions to everyone.
    Reveal,
    /// Takes back the last step (once).
    Undo,
    End,
}

/// Why a command was not applied; the state is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    NotStarted,
    AlreadyStarted,
    Ended,
    /// The phase still has time; ask before moving on.
    TimeLeft {
        remaining_ms: i64,
    },
    FirstPhase,
    LastPhase,
    NotRunning,
    NotPaused,
    BadExtension,
    NothingHidden,
    NothingToUndo,
}

pub const MAX_EXTENSION_MINUTES: u16 = 30;

/// The state every participant's screen follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundState {
    pub status: Status,
    /// Index of the current phase.
    pub phase: usize,
    /// Server time (ms since the epoch) the clock last started running.
    pub running_since_ms: Option<i64>,
    /// Time used in this phase before `running_since_ms`.
    pub used_ms: i64,
    /// Minutes added to this phase, in ms.
    pub extra_ms: i64,
    /// Phases whose hidden contributions have been revealed.
    pub revealed: Vec<usize>,
    /// Rises with every change, so screens ignore stale updates.
    pub version: u64,
    /// The state before the last step, for one undo.
    pub undo: Option<Box<RoundState>>,
}

impl Default for RoundState {
    fn default() -> Self {
        Self {
            status: Status::Waiting,
            phase: 0,
            running_since_ms: None,
            used_ms: 0,
            extra_ms: 0,
            revealed: Vec::new(),
            version: 0,
            undo: None,
        }
    }
}

impl RoundState {
    /// Time used in the current phase at `now_ms`.
    pub fn used_at(&self, now_ms: i64) -> i64 {
        self.used_ms + self.running_since_ms.map_or(0, |since| (now_ms - since).max(0))
    }

    /// Time left in the current phase at `now_ms`; negative when over time.
    pub fn remaining_at(&self, phases: &[Phase], now_ms: i64) -> i64 {
        let planned = phases.get(self.phase).map_or(0, |p| i64::from(p.minutes) * 60_000);
        planned + self.extra_ms - self.used_at(now_ms)
    }

    /// The server time the current phase runs out, while the clock runs. Screens count
    /// down to it (corrected by their offset from the server clock), so a sleeping
    /// tab is right again the moment it wakes.
    pub fn deadline_ms(&self, phases: &[Phase]) -> Option<i64> {
        let since = self.running_since_ms?;
        Some(since + self.remaining_at(phases, since))
    }

    pub fn is_revealed(&self, phase: usize) -> bool {
        self.revealed.contains(&phase)
    }

    /// Applies `command` at server time `now_ms`, or says why not.
    pub fn apply(&self, phases: &[Phase], command: Command, now_ms: i64) -> Result<RoundState, Refusal> {
        if command == Command::Undo {
            let mut previous = *self.undo.clone().ok_or(Refusal::NothingToUndo)?;
            previous.undo = None;
            previous.version = self.version + 1;
            return Ok(previous);
        }
        let mut next = self.clone();
        next.undo = None;
        match (self.status, command) {
            (Status::Ended, _) => return Err(Refusal::Ended),
            (Status::Waiting, Command::Start) => {
                next.status = Status::Running;
                next.phase = 0;
                next.restart_phase(now_ms);
            }
            (_, Command::Start) => return Err(Refusal::AlreadyStarted),
            (Status::Waiting, _) => return Err(Refusal::NotStarted),
            (_, Command::Advance { confirmed }) => {
                if self.phase + 1 >= phases.len() {
                    return Err(Refusal::LastPhase);
                }
                let remaining_ms = self.remaining_at(phases, now_ms);
                if remaining_ms > 0 && !confirmed {
                    return Err(Refusal::TimeLeft { remaining_ms });
                }
                next.phase += 1;
                next.status = Status::Running;
                next.restart_phase(now_ms);
            }
            (_, Command::Back) => {
                if self.phase == 0 {
                    return Err(Refusal::FirstPhase);
                }
                next.phase -= 1;
                next.status = Status::Running;
                next.restart_phase(now_ms);
            }
            (Status::Running, Command::Pause) => {
                next.status = Status::Paused;
                next.used_ms = self.used_at(now_ms);
                next.running_since_ms = None;
            }
            (_, Command::Pause) => return Err(Refusal::NotRunning),
            (Status::Paused, Command::Resume) => {
                next.status = Status::Running;
                next.running_since_ms = Some(now_ms);
            }
            (_, Command::Resume) => return Err(Refusal::NotPaused),
            (_, Command::Extend { minutes }) => {
                if minutes == 0 || minutes > MAX_EXTENSION_MINUTES {
                    return Err(Refusal::BadExtension);
                }
                next.extra_ms += i64::from(minutes) * 60_000;
            }
            (_, Command::Reveal) => {
                let hidden = phases.get(self.phase).is_some_and(|p| p.hidden_until_revealed);
                if !hidden || self.is_revealed(self.phase) {
                    return Err(Refusal::NothingHidden);
                }
                next.revealed.push(self.phase);
            }
            (_, Command::End) => {
                next.status = Status::Ended;
                next.used_ms = self.used_at(now_ms);
                next.running_since_ms = None;
            }
            (_, Command::Undo) => unreachable!("handled above"),
        }
        next.version = self.version + 1;
        // Ending is final: there is no undo after it.
        if next.status != Status::Ended {
            next.undo = Some(Box::new(RoundState { undo: None, ..self.clone() }));
        }
        Ok(next)
    }

    /// The state after someone took over the lead: the same round, one version on, so
    /// a step decided on the old lead's screen is refused, and nothing to undo (the
    /// new lead does not take back the old lead's step).
    pub fn handed_over(&self) -> RoundState {
        RoundState { version: self.version + 1, undo: None, ..self.clone() }
    }

    fn restart_phase(&mut self, now_ms: i64) {
        self.running_since_ms = Some(now_ms);
        self.used_ms = 0;
        self.extra_ms = 0;
    }
}

/// Who is looking at a contribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader {
    pub is_author: bool,
    pub is_case_bringer: bool,
}

/// Whether `reader` may see a contribution written in phase `written_in`, now.
/// Authors always see their own. Write-then-reveal phases stay hidden until the round
/// lead reveals them. What the group wrote while the case bringer was away stays
/// hidden from the case bringer until the round reaches a later phase where they are
/// present again, or ends.
pub fn may_see(phases: &[Phase], state: &RoundState, written_in: usize, reader: Reader) -> bool {
    if reader.is_author {
        return true;
    }
    let Some(phase) = phases.get(written_in) else { return false };
    if phase.hidden_until_revealed && !state.is_revealed(written_in) {
        return false;
    }
    if reader.is_case_bringer && phase.case_bringer == Presence::Away {
        let back = state.status == Status::Ended
            || (state.phase > written_in
                && phases
                    .get(written_in + 1..=state.phase)
                    .is_some_and(|later| later.iter().any(|p| p.case_bringer == Presence::Present)));
        return back;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intervision::method::domain::{Collects, Speaker, Text};

    fn phase(minutes: u16, presence: Presence, hidden: bool) -> Phase {
        Phase {
            title: Text::same("fase"),
            instruction: Text::same("doe iets"),
            minutes,
            speaks: Speaker::Group,
            case_bringer: presence,
            collects: if hidden { Collects::Positions } else { Collects::Questions },
            hidden_until_revealed: hidden,
        }
    }

    fn phases() -> Vec<Phase> {
        vec![
            phase(5, Presence::Present, false),
            phase(10, Presence::Present, true),
            phase(10, Presence::Away, false),
            phase(5, Presence::Listening, false),
            phase(5, Presence::Present, false),
        ]
    }

    const MIN: i64 = 60_000;
    const T0: i64 = 1_800_000_000_000;

    fn started() -> RoundState {
        RoundState::default().apply(&phases(), Command::Start, T0).unwrap()
    }

    #[test]
    fn commands_before_the_start_and_after_the_end_are_refused() {
        let p = phases();
        let waiting = RoundState::default();
        assert_eq!(waiting.apply(&p, Command::Pause, T0), Err(Refusal::NotStarted));
        let running = started();
        assert_eq!(running.apply(&p, Command::Start, T0), Err(Refusal::AlreadyStarted));
        let ended = running.apply(&p, Command::End, T0 + MIN).unwrap();
        assert_eq!(ended.apply(&p, Command::Back, T0 + MIN), Err(Refusal::Ended));
        assert_eq!(ended.apply(&p, Command::Undo, T0 + MIN), Err(Refusal::NothingToUndo));
    }

    #[test]
    fn the_countdown_follows_server_timestamps() {
        let p = phases();
        let state = started();
        assert_eq!(state.remaining_at(&p, T0), 5 * MIN);
        assert_eq!(state.remaining_at(&p, T0 + 2 * MIN), 3 * MIN);
        assert_eq!(state.remaining_at(&p, T0 + 7 * MIN), -2 * MIN);
        assert_eq!(state.deadline_ms(&p), Some(T0 + 5 * MIN));
    }

    #[test]
    fn pausing_stops_the_clock_and_resuming_continues_it() {
        let p = phases();
        let paused = started().apply(&p, Command::Pause, T0 + MIN).unwrap();
        assert_eq!(paused.status, Status::Paused);
        assert_eq!(paused.deadline_ms(&p), None);
        assert_eq!(paused.remaining_at(&p, T0 + 30 * MIN), 4 * MIN);
        assert_eq!(paused.apply(&p, Command::Pause, T0 + 2 * MIN), Err(Refusal::NotRunning));
        let resumed = paused.apply(&p, Command::Resume, T0 + 10 * MIN).unwrap();
        assert_eq!(resumed.remaining_at(&p, T0 + 11 * MIN), 3 * MIN);
        assert_eq!(resumed.deadline_ms(&p), Some(T0 + 14 * MIN));
        assert_eq!(resumed.apply(&p, Command::Resume, T0 + 11 * MIN), Err(Refusal::NotPaused));
    }

    #[test]
    fn advancing_with_time_left_asks_for_confirmation() {
        let p = phases();
        let state = started();
        assert_eq!(
            state.apply(&p, Command::Advance { confirmed: false }, T0 + MIN),
            Err(Refusal::TimeLeft { remaining_ms: 4 * MIN })
        );
        let next = state.apply(&p, Command::Advance { confirmed: true }, T0 + MIN).unwrap();
        assert_eq!((next.phase, next.remaining_at(&p, T0 + MIN)), (1, 10 * MIN));
        // Out of time: no question asked.
        let late = state.apply(&p, Command::Advance { confirmed: false }, T0 + 6 * MIN).unwrap();
        assert_eq!(late.phase, 1);
    }

    #[test]
    fn back_goes_to_the_previous_phase_with_a_fresh_clock() {
        let p = phases();
        let state = started();
        assert_eq!(state.apply(&p, Command::Back, T0), Err(Refusal::FirstPhase));
        let second = state.apply(&p, Command::Advance { confirmed: true }, T0 + MIN).unwrap();
        let back = second.apply(&p, Command::Back, T0 + 3 * MIN).unwrap();
        assert_eq!((back.phase, back.remaining_at(&p, T0 + 3 * MIN)), (0, 5 * MIN));
    }

    #[test]
    fn the_last_phase_ends_only_by_ending_the_round() {
        let p = phases();
        let mut state = started();
        for i in 1..p.len() {
            state = state.apply(&p, Command::Advance { confirmed: true }, T0 + i as i64 * MIN).unwrap();
        }
        assert_eq!(state.phase, 4);
        assert_eq!(state.apply(&p, Command::Advance { confirmed: true }, T0), Err(Refusal::LastPhase));
        assert_eq!(state.apply(&p, Command::End, T0 + 9 * MIN).unwrap().status, Status::Ended);
    }

    #[test]
    fn extending_adds_time_to_the_current_phase_only() {
        let p = phases();
        let extended = started().apply(&p, Command::Extend { minutes: 3 }, T0 + MIN).unwrap();
        assert_eq!(extended.remaining_at(&p, T0 + MIN), 7 * MIN);
        assert_eq!(extended.apply(&p, Command::Extend { minutes: 0 }, T0), Err(Refusal::BadExtension));
        assert_eq!(extended.apply(&p, Command::Extend { minutes: 31 }, T0), Err(Refusal::BadExtension));
        let next = extended.apply(&p, Command::Advance { confirmed: true }, T0 + 2 * MIN).unwrap();
        assert_eq!(next.remaining_at(&p, T0 + 2 * MIN), 10 * MIN);
    }

    #[test]
    fn every_step_can_be_undone_once() {
        let p = phases();
        let state = started();
        let advanced = state.apply(&p, Command::Advance { confirmed: true }, T0 + MIN).unwrap();
        let undone = advanced.apply(&p, Command::Undo, T0 + 2 * MIN).unwrap();
        assert_eq!(undone.phase, 0);
        // The clock of the restored phase kept running, as if it had never been left.
        assert_eq!(undone.remaining_at(&p, T0 + 2 * MIN), 3 * MIN);
        assert!(undone.version > advanced.version);
        assert_eq!(undone.apply(&p, Command::Undo, T0 + 2 * MIN), Err(Refusal::NothingToUndo));
        let paused = state.apply(&p, Command::Pause, T0 + MIN).unwrap();
        let unpaused = paused.apply(&p, Command::Undo, T0 + 4 * MIN).unwrap();
        assert_eq!(unpaused.status, Status::Running);
    }

    #[test]
    fn a_new_lead_continues_where_the_old_one_was_without_their_undo() {
        let p = phases();
        let advanced = started().apply(&p, Command::Advance { confirmed: true }, T0 + MIN).unwrap();
        let handed = advanced.handed_over();
        assert_eq!((handed.phase, handed.status, handed.running_since_ms), (1, Status::Running, Some(T0 + MIN)));
        assert_eq!(handed.version, advanced.version + 1);
        assert_eq!(handed.apply(&p, Command::Undo, T0 + 2 * MIN), Err(Refusal::NothingToUndo));
    }

    #[test]
    fn a_refused_command_changes_nothing() {
        let p = phases();
        let state = started();
        let before = state.clone();
        let _ = state.apply(&p, Command::Advance { confirmed: false }, T0);
        assert_eq!(state, before);
    }

    #[test]
    fn hidden_contributions_appear_for_everyone_at_the_reveal() {
        let p = phases();
        let second = started().apply(&p, Command::Advance { confirmed: true }, T0).unwrap();
        let other = Reader { is_author: false, is_case_bringer: false };
        let author = Reader { is_author: true, is_case_bringer: false };
        assert!(!may_see(&p, &second, 1, other));
        assert!(may_see(&p, &second, 1, author));
        assert!(may_see(&p, &second, 0, other));
        let revealed = second.apply(&p, Command::Reveal, T0 + MIN).unwrap();
        assert!(may_see(&p, &revealed, 1, other));
        assert_eq!(revealed.apply(&p, Command::Reveal, T0 + MIN), Err(Refusal::NothingHidden));
        assert_eq!(started().apply(&p, Command::Reveal, T0), Err(Refusal::NothingHidden));
        // An undone reveal hides them again.
        assert!(!may_see(&p, &revealed.apply(&p, Command::Undo, T0 + MIN).unwrap(), 1, other));
    }

    #[test]
    fn the_case_bringer_sees_what_was_written_while_away_only_once_back() {
        let p = phases();
        let mut state = started();
        for _ in 0..2 {
            state = state.apply(&p, Command::Advance { confirmed: true }, T0).unwrap();
        }
        assert_eq!(state.phase, 2);
        let case_bringer = Reader { is_author: false, is_case_bringer: true };
        let member = Reader { is_author: false, is_case_bringer: false };
        assert!(!may_see(&p, &state, 2, case_bringer));
        assert!(may_see(&p, &state, 2, member));
        // Phase 3: listening, still not back in the circle.
        state = state.apply(&p, Command::Advance { confirmed: true }, T0).unwrap();
        assert!(!may_see(&p, &state, 2, case_bringer));
        // Phase 4: present again.
        state = state.apply(&p, Command::Advance { confirmed: true }, T0).unwrap();
        assert!(may_see(&p, &state, 2, case_bringer));
        let ended = state.apply(&p, Command::Back, T0).unwrap().apply(&p, Command::End, T0).unwrap();
        assert!(may_see(&p, &ended, 2, case_bringer));
    }
}
