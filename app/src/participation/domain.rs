//! Participation levels (Wenger-Trayner: peripheral, occasional, active, core),
//! derived from the append-only event log over a rolling window. The rule is data —
//! a weight per kind of event and three thresholds — so it can be shown to the person
//! it describes ("why this level") and tuned without touching the code.
//! Levels describe a trajectory, never a ranking: nothing here compares people.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::shared::string_enum;

string_enum! {
    /// Something a member did that counts toward participation.
    EventKind {
        Joined => "joined",
        Attended => "attended",
        ObservedRound => "observed_round",
        TookRole => "took_role",
        BroughtCase => "brought_case",
        Contributed => "contributed",
        SharedArtifact => "shared_artifact",
        UpdatedArtifact => "updated_artifact",
        ReusedArtifact => "reused_artifact",
        TaughtLesson => "taught_lesson",
        ObservedLesson => "observed_lesson",
        /// Wrote a version of the plan while the cycle revised it after a discussion.
        RevisedPlan => "revised_plan",
        /// Was the knowledgeable other of a research lesson that was discussed.
        AdvisedLesson => "advised_lesson",
        /// Took part in the post-lesson discussion of a research lesson.
        DiscussedLesson => "discussed_lesson",
        Facilitated => "facilitated",
        Coordination => "coordination",
        /// Reported what came of an action chosen in a round.
        FollowedUp => "followed_up",
    }
}

string_enum! {
    Level { Peripheral => "peripheral", Occasional => "occasional", Active => "active", Core => "core" }
}

string_enum! {
    /// Why a level changed: the rule computed it, or it followed from something a
    /// facilitator recorded (coordination).
    LevelReason { Computed => "computed", Facilitator => "facilitator" }
}

string_enum! {
    /// Nonaka and Takeuchi's knowledge cycle; every activity belongs to one phase.
    SeciPhase {
        Socialisation => "socialisation",
        Externalisation => "externalisation",
        Combination => "combination",
        Internalisation => "internalisation",
    }
}

impl EventKind {
    /// The knowledge-creation phase an activity belongs to (joining belongs to none).
    pub fn seci_phase(self) -> Option<SeciPhase> {
        use EventKind::*;
        match self {
            Joined | Coordination => None,
            Attended | ObservedRound | TookRole | Contributed | ObservedLesson | DiscussedLesson | Facilitated => {
                Some(SeciPhase::Socialisation)
            }
            BroughtCase | SharedArtifact | AdvisedLesson => Some(SeciPhase::Externalisation),
            UpdatedArtifact | RevisedPlan => Some(SeciPhase::Combination),
            ReusedArtifact | TaughtLesson | FollowedUp => Some(SeciPhase::Internalisation),
        }
    }

    /// Facilitators may record these for a member; the rest come from what people do.
    pub fn recorded_by_facilitator(self) -> bool {
        self == EventKind::Coordination
    }
}

/// Points for one kind of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weight {
    pub kind: EventKind,
    pub points: u32,
}

/// The rule that turns events into a level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelRule {
    pub window_days: u32,
    pub weights: Vec<Weight>,
    /// Points needed for occasional, active and core.
    pub occasional: u32,
    pub active: u32,
    pub core: u32,
}

const DEFAULT_WEIGHTS: &[(EventKind, u32)] = &[
    (EventKind::Joined, 0),
    (EventKind::Attended, 2),
    (EventKind::ObservedRound, 1),
    (EventKind::TookRole, 2),
    (EventKind::BroughtCase, 3),
    (EventKind::Contributed, 1),
    (EventKind::SharedArtifact, 3),
    (EventKind::UpdatedArtifact, 2),
    (EventKind::ReusedArtifact, 2),
    (EventKind::TaughtLesson, 4),
    (EventKind::ObservedLesson, 2),
    (EventKind::RevisedPlan, 2),
    (EventKind::AdvisedLesson, 3),
    (EventKind::DiscussedLesson, 2),
    (EventKind::Facilitated, 3),
    (EventKind::Coordination, 6),
    (EventKind::FollowedUp, 2),
];

impl LevelRule {
    /// Kring's rule with the community's own window. Roughly, with a meeting every two
    /// weeks (six in 90 days): someone who comes now and then is occasional; someone
    /// who attends most meetings, contributes and brings a case is active; core members
    /// also carry the community (facilitate, coordinate, teach research lessons).
    pub fn standard(window_days: u32) -> Self {
        LevelRule {
            window_days,
            weights: DEFAULT_WEIGHTS.iter().map(|&(kind, points)| Weight { kind, points }).collect(),
            occasional: 2,
            active: 12,
            core: 30,
        }
    }

    pub fn points(&self, kind: EventKind) -> u32 {
        self.weights.iter().find(|w| w.kind == kind).map_or(0, |w| w.points)
    }

    pub fn level_for(&self, points: u32) -> Level {
        if points >= self.core {
            Level::Core
        } else if points >= self.active {
            Level::Active
        } else if points >= self.occasional {
            Level::Occasional
        } else {
            Level::Peripheral
        }
    }

    fn threshold(&self, level: Level) -> u32 {
        match level {
            Level::Peripheral => 0,
            Level::Occasional => self.occasional,
            Level::Active => self.active,
            Level::Core => self.core,
        }
    }

    /// Applies the rule to a member's events at `now`: only events inside the window
    /// (and not in the future) count.
    pub fn assess(&self, events: &[(EventKind, OffsetDateTime)], now: OffsetDateTime) -> Assessment {
        let since = now - Duration::days(i64::from(self.window_days));
        let counted: Vec<usize> =
            events.iter().enumerate().filter(|(_, (_, at))| *at > since && *at <= now).map(|(i, _)| i).collect();
        let points = counted.iter().map(|&i| self.points(events[i].0)).sum();
        let level = self.level_for(points);
        let next = Level::ALL
            .iter()
            .copied()
            .find(|l| *l > level)
            .map(|l| NextLevel { level: l, points_needed: self.threshold(l) - points });
        Assessment { level, points, counted, next }
    }
}

/// The outcome of [`LevelRule::assess`], with everything needed to explain it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub level: Level,
    pub points: u32,
    /// Indices of the events that fell inside the window.
    pub counted: Vec<usize>,
    pub next: Option<NextLevel>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextLevel {
    pub level: Level,
    pub points_needed: u32,
}

/// Suggested first steps for a newcomer; each is ticked off by an event of its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NewcomerStep {
    AttendMeeting,
    ObserveRound,
    TakeTimekeeper,
    BringCase,
    ShareArtifact,
}

impl NewcomerStep {
    pub const ALL: [NewcomerStep; 5] = [
        NewcomerStep::AttendMeeting,
        NewcomerStep::ObserveRound,
        NewcomerStep::TakeTimekeeper,
        NewcomerStep::BringCase,
        NewcomerStep::ShareArtifact,
    ];

    pub fn done_by(self) -> EventKind {
        match self {
            NewcomerStep::AttendMeeting => EventKind::Attended,
            NewcomerStep::ObserveRound => EventKind::ObservedRound,
            NewcomerStep::TakeTimekeeper => EventKind::TookRole,
            NewcomerStep::BringCase => EventKind::BroughtCase,
            NewcomerStep::ShareArtifact => EventKind::SharedArtifact,
        }
    }

    /// Each step with whether the member's events (ever) include its kind.
    pub fn progress(kinds: impl IntoIterator<Item = EventKind> + Clone) -> Vec<(NewcomerStep, bool)> {
        NewcomerStep::ALL
            .into_iter()
            .map(|step| (step, kinds.clone().into_iter().any(|k| k == step.done_by())))
            .collect()
    }
}

/// How many of the community's recent activities fell in each SECI phase.
pub fn seci_balance(kinds: impl IntoIterator<Item = EventKind>) -> [(SeciPhase, u32); 4] {
    let mut counts = [
        (SeciPhase::Socialisation, 0),
        (SeciPhase::Externalisation, 0),
        (SeciPhase::Combination, 0),
        (SeciPhase::Internalisation, 0),
    ];
    for phase in kinds.into_iter().filter_map(EventKind::seci_phase) {
        if let Some(entry) = counts.iter_mut().find(|(p, _)| *p == phase) {
            entry.1 += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-23 12:00 UTC);

    fn days_ago(days: i64) -> OffsetDateTime {
        NOW - Duration::days(days)
    }

    #[test]
    fn a_new_member_is_peripheral() {
        let rule = LevelRule::standard(90);
        let a = rule.assess(&[(EventKind::Joined, days_ago(1))], NOW);
        assert_eq!(a.level, Level::Peripheral);
        assert_eq!(a.points, 0);
        assert_eq!(a.next, Some(NextLevel { level: Level::Occasional, points_needed: 2 }));
    }

    #[test]
    fn one_meeting_makes_an_occasional_member() {
        let rule = LevelRule::standard(90);
        let a = rule.assess(&[(EventKind::Joined, days_ago(10)), (EventKind::Attended, days_ago(3))], NOW);
        assert_eq!(a.level, Level::Occasional);
        assert_eq!(a.counted, vec![0, 1]);
    }

    #[test]
    fn regular_attendance_and_a_case_make_an_active_member() {
        let rule = LevelRule::standard(90);
        let events = [
            (EventKind::Attended, days_ago(60)),
            (EventKind::Attended, days_ago(45)),
            (EventKind::Attended, days_ago(30)),
            (EventKind::Attended, days_ago(2)),
            (EventKind::Contributed, days_ago(30)),
            (EventKind::Contributed, days_ago(2)),
            (EventKind::BroughtCase, days_ago(30)),
        ];
        let a = rule.assess(&events, NOW);
        assert_eq!((a.level, a.points), (Level::Active, 13));
    }

    #[test]
    fn carrying_the_community_makes_core_and_coordination_counts() {
        let rule = LevelRule::standard(90);
        let mut events = vec![(EventKind::Attended, days_ago(5)); 6];
        events.extend(vec![(EventKind::Facilitated, days_ago(5)); 4]);
        assert_eq!(rule.assess(&events, NOW).level, Level::Active);
        events.push((EventKind::Coordination, days_ago(1)));
        let a = rule.assess(&events, NOW);
        assert_eq!((a.level, a.points, a.next), (Level::Core, 30, None));
    }

    #[test]
    fn events_outside_the_window_or_in_the_future_do_not_count() {
        let rule = LevelRule::standard(30);
        let events = [
            (EventKind::Attended, days_ago(31)),
            (EventKind::Attended, days_ago(29)),
            (EventKind::Attended, NOW + Duration::days(1)),
        ];
        let a = rule.assess(&events, NOW);
        assert_eq!((a.points, a.counted.clone()), (2, vec![1]));
        assert_eq!(LevelRule::standard(90).assess(&events, NOW).points, 4);
    }

    #[test]
    fn weights_and_thresholds_are_data() {
        let mut rule = LevelRule::standard(90);
        rule.occasional = 1;
        rule.weights.iter_mut().find(|w| w.kind == EventKind::Contributed).unwrap().points = 5;
        assert_eq!(rule.assess(&[(EventKind::Contributed, days_ago(1))], NOW).level, Level::Occasional);
        assert_eq!(rule.level_for(rule.core), Level::Core);
    }

    #[test]
    fn newcomer_steps_tick_off_as_events_arrive() {
        let progress = NewcomerStep::progress([EventKind::Joined, EventKind::Attended]);
        assert_eq!(progress[0], (NewcomerStep::AttendMeeting, true));
        assert!(progress[1..].iter().all(|(_, done)| !done));
        let progress = NewcomerStep::progress([EventKind::TookRole, EventKind::SharedArtifact]);
        assert!(progress.iter().find(|(s, _)| *s == NewcomerStep::TakeTimekeeper).unwrap().1);
        assert!(progress.iter().find(|(s, _)| *s == NewcomerStep::ShareArtifact).unwrap().1);
    }

    #[test]
    fn every_activity_but_joining_and_coordination_has_a_seci_phase() {
        let balance = seci_balance([
            EventKind::Attended,
            EventKind::BroughtCase,
            EventKind::UpdatedArtifact,
            EventKind::ReusedArtifact,
            EventKind::ReusedArtifact,
            EventKind::Joined,
        ]);
        assert_eq!(balance.map(|(_, n)| n), [1, 1, 1, 2]);
    }
}
