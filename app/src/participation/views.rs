//! How participation reads on a page: the names of levels, of the things members do
//! and of the knowledge-creation (SECI) phases.

use super::domain::{EventKind, Level, SeciPhase};
use crate::i18n::*;

pub fn level_text(locale: Locale, level: Level) -> &'static str {
    match level {
        Level::Peripheral => td_string!(locale, levels.peripheral),
        Level::Occasional => td_string!(locale, levels.occasional),
        Level::Active => td_string!(locale, levels.active),
        Level::Core => td_string!(locale, levels.core),
    }
}

pub fn event_text(locale: Locale, kind: EventKind) -> &'static str {
    match kind {
        EventKind::Joined => td_string!(locale, events.joined),
        EventKind::Attended => td_string!(locale, events.attended),
        EventKind::ObservedRound => td_string!(locale, events.observed_round),
        EventKind::TookRole => td_string!(locale, events.took_role),
        EventKind::BroughtCase => td_string!(locale, events.brought_case),
        EventKind::FollowedUp => td_string!(locale, events.followed_up),
        EventKind::Contributed => td_string!(locale, events.contributed),
        EventKind::SharedArtifact => td_string!(locale, events.shared_artifact),
        EventKind::UpdatedArtifact => td_string!(locale, events.updated_artifact),
        EventKind::ReusedArtifact => td_string!(locale, events.reused_artifact),
        EventKind::TaughtLesson => td_string!(locale, events.taught_lesson),
        EventKind::ObservedLesson => td_string!(locale, events.observed_lesson),
        EventKind::RevisedPlan => td_string!(locale, events.revised_plan),
        EventKind::AdvisedLesson => td_string!(locale, events.advised_lesson),
        EventKind::DiscussedLesson => td_string!(locale, events.discussed_lesson),
        EventKind::Facilitated => td_string!(locale, events.facilitated),
        EventKind::Coordination => td_string!(locale, events.coordination),
    }
}

pub fn seci_text(locale: Locale, phase: SeciPhase) -> &'static str {
    match phase {
        SeciPhase::Socialisation => td_string!(locale, seci.socialisation),
        SeciPhase::Externalisation => td_string!(locale, seci.externalisation),
        SeciPhase::Combination => td_string!(locale, seci.combination),
        SeciPhase::Internalisation => td_string!(locale, seci.internalisation),
    }
}
