//! A round read once for all its screens. A step (or a contribution, a response, a
//! person marked present) makes each server read the round once into a
//! [`RoundSnapshot`]; every open screen's view is then built from it in memory by
//! [`view_of`], which applies the same rules as a page load: only those who take part
//! see the round, and `may_see` decides per contribution. A step changes only the
//! round's own row ([`Step`]): a read follows it without reading the rest again.

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::api::{CaseText, ContributionRow, HiddenCount, LeadChange, ParticipantRow, RoundView};
use super::domain::{Reader, RoundState, Status, may_see};
use super::plan::{RoundRole, Warmth};
use super::service::{internal, millis, round_member_roles, takes_part, text_gone};
use super::takeover::{Taker, gone_at, lead_gone, may_take_over, sees_notes};
use crate::account::session::Viewer;
use crate::db::entities::{community, intervision_action, intervision_case, intervision_contribution};
use crate::db::entities::{intervision_lead_change, intervision_participant, intervision_round};
use crate::error::AppError;
use crate::intervision::closing::service::{self as closing, ClosingRecords};
use crate::intervision::method::domain::Method;
use crate::membership::domain::CommunityRole;

/// Everything any participant's screen of one round may show, as read at one moment.
#[derive(Clone)]
pub(crate) struct RoundSnapshot {
    pub round: intervision_round::Model,
    pub community: community::Model,
    pub method: Method,
    pub state: RoundState,
    /// `None` once the case text is gone.
    pub case: Option<CaseText>,
    pub participants: Vec<intervision_participant::Model>,
    /// The community's active members who may take part in rounds (not guests).
    pub members: HashSet<Uuid>,
    /// Those of `members` who facilitate the community.
    pub facilitators: HashSet<Uuid>,
    /// Oldest first.
    pub lead_changes: Vec<intervision_lead_change::Model>,
    pub names: HashMap<Uuid, String>,
    /// Oldest first; empty once the case text is gone.
    pub contributions: Vec<intervision_contribution::Model>,
    /// Before the end: open actions from the community's earlier rounds.
    pub look_back: Vec<intervision_action::Model>,
    /// After the end.
    pub closing: Option<ClosingRecords>,
}

/// Reads the round `round_id`; `NotFound` if there is none.
pub(crate) async fn load<C: ConnectionTrait>(db: &C, round_id: Uuid) -> Result<RoundSnapshot, AppError> {
    let round = intervision_round::Entity::find_by_id(round_id).one(db).await?.ok_or(AppError::NotFound)?;
    let community = community::Entity::find_by_id(round.community_id).one(db).await?.ok_or(AppError::NotFound)?;
    let method = Method::from_json(&round.method).map_err(|problem| internal(format!("{problem:?}")))?;
    let state: RoundState = serde_json::from_str(&round.state).map_err(internal)?;
    let gone = text_gone(&round, crate::db::now());
    let case = if gone {
        None
    } else {
        intervision_case::Entity::find_by_id(round.case_id)
            .filter(intervision_case::Column::PurgedAt.is_null())
            .one(db)
            .await?
            .map(|c| CaseText { title: c.title, situation: c.situation, question: c.question })
    };
    let participants = intervision_participant::Entity::find()
        .filter(intervision_participant::Column::RoundId.eq(round.id))
        .all(db)
        .await?;
    let member_roles = round_member_roles(db, round.community_id).await?;
    let members = member_roles.iter().map(|(id, _)| *id).collect();
    let facilitators =
        member_roles.iter().filter(|(_, role)| *role == CommunityRole::Facilitator).map(|(id, _)| *id).collect();
    let lead_changes = intervision_lead_change::Entity::find()
        .filter(intervision_lead_change::Column::RoundId.eq(round.id))
        .order_by_asc(intervision_lead_change::Column::At)
        .all(db)
        .await?;
    let contributions = if gone {
        Vec::new()
    } else {
        intervision_contribution::Entity::find()
            .filter(intervision_contribution::Column::RoundId.eq(round.id))
            .order_by_asc(intervision_contribution::Column::CreatedAt)
            .all(db)
            .await?
    };
    let (look_back, closing) = if state.status == Status::Ended {
        (Vec::new(), Some(closing::closing_records(db, &round).await?))
    } else {
        (closing::look_back_actions(db, round.community_id, round.id).await?, None)
    };
    let people = participants
        .iter()
        .map(|p| p.user_id)
        .chain(look_back.iter().filter_map(|a| a.owner_id))
        .chain(closing.iter().flat_map(ClosingRecords::people))
        .chain(lead_changes.iter().flat_map(|c| [c.from_user, c.to_user]).flatten())
        .collect::<Vec<_>>();
    let names = crate::account::service::names_of(db, people).await?;
    Ok(RoundSnapshot {
        round,
        community,
        method,
        state,
        case,
        participants,
        members,
        facilitators,
        lead_changes,
        names,
        contributions,
        look_back,
        closing,
    })
}

/// What a step (the lead's, or the timekeeper's pause, resumption or extension)
/// writes to the round's own row: all its screens need to follow it.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    pub state: RoundState,
    /// `state` as stored.
    pub stored: String,
    /// When the round started, if this step started it.
    pub started_at: Option<OffsetDateTime>,
    /// When the round ended, if this step ended it.
    pub ended_at: Option<OffsetDateTime>,
    /// When the lead stepped: they are here.
    pub lead_seen_at: Option<OffsetDateTime>,
}

/// A [`Step`] as the hub carries it to every reader of the round, on every server:
/// the state and the times it set (µs since the epoch, as stored). No one's text or
/// name is in it. Never a step that ends the round: that one is read whole.
#[derive(Serialize, Deserialize)]
struct StepNotice {
    state: RoundState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    started_us: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lead_seen_us: Option<i64>,
}

fn micros(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000) as i64
}

fn from_micros(us: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1_000).ok()
}

impl Step {
    /// Whether screens can follow this step from the round's own row: not when it
    /// ends the round or undoes its end (the closing shows then, read with the rest).
    pub fn follows_from_row(&self, before: &RoundState) -> bool {
        self.state.status != Status::Ended && before.status != Status::Ended
    }

    /// The step as the hub carries it ([`Step::from_notice`] reads it back).
    pub fn notice(&self) -> String {
        let notice = StepNotice {
            state: self.state.clone(),
            started_us: self.started_at.map(micros),
            lead_seen_us: self.lead_seen_at.map(micros),
        };
        serde_json::to_string(&notice).unwrap_or_default()
    }

    /// The step a notice carries; `None` if it is not one (the row is read instead).
    pub fn from_notice(notice: &str) -> Option<Step> {
        let notice: StepNotice = serde_json::from_str(notice).ok()?;
        let time = |us: Option<i64>| us.map(from_micros).map_or(Some(None), |at| at.map(Some));
        Some(Step {
            stored: serde_json::to_string(&notice.state).ok()?,
            started_at: time(notice.started_us)?,
            ended_at: None,
            lead_seen_at: time(notice.lead_seen_us)?,
            state: notice.state,
        })
    }
}

impl RoundSnapshot {
    /// The version of the round this read shows.
    pub fn version(&self) -> u64 {
        self.state.version
    }

    /// This read after `step`; `None` unless the step came right after this version
    /// and leaves the round open (then the round is read whole).
    pub fn stepped(&self, step: &Step) -> Option<RoundSnapshot> {
        if step.state.version != self.version() + 1 || !step.follows_from_row(&self.state) {
            return None;
        }
        let mut next = self.clone();
        let round = &mut next.round;
        round.state.clone_from(&step.stored);
        round.version = step.state.version as i64;
        round.status = super::service::status_str(step.state.status).to_string();
        round.started_at = round.started_at.or(step.started_at);
        round.lead_seen_at = round.lead_seen_at.max(step.lead_seen_at);
        next.state = step.state.clone();
        Some(next)
    }

    /// This read with the round's own row read again, when only that row changed
    /// since: at the same version (the lead's presence, notes) or by steps announced
    /// up to `version`. `None` if the row shows something else (read the round whole).
    pub fn with_row(&self, row: intervision_round::Model, version: u64) -> Result<Option<RoundSnapshot>, AppError> {
        if row.version != version as i64 || row.method != self.round.method || row.purged_at != self.round.purged_at {
            return Ok(None);
        }
        let state: RoundState = serde_json::from_str(&row.state).map_err(internal)?;
        if state.status == Status::Ended || self.state.status == Status::Ended {
            return Ok(None);
        }
        let mut next = self.clone();
        next.round = row;
        next.state = state;
        Ok(Some(next))
    }

    /// Whether `user` leads the round.
    pub fn led_by(&self, user: Uuid) -> bool {
        self.participants.iter().any(|p| p.user_id == user && p.role == RoundRole::Lead.as_str())
    }

    /// Whether the round lead counts as gone at `now_ms` (never after the end).
    pub fn lead_gone(&self, now_ms: i64) -> bool {
        self.state.status != Status::Ended && lead_gone(self.round.lead_seen_at.map(millis), now_ms)
    }

    /// When the round lead will count as gone, if they do not yet and the round runs:
    /// the screens' views change then without any write.
    pub fn lead_gone_at(&self) -> Option<i64> {
        if self.state.status == Status::Ended {
            return None;
        }
        self.round.lead_seen_at.map(|seen| gone_at(millis(seen)))
    }
}

/// The round as `viewer` may see it at `at`: `NotFound` unless they take part in it
/// and are still an active member of its community.
pub(crate) fn view_of(
    snapshot: &RoundSnapshot,
    viewer: &Viewer,
    today: Date,
    at: OffsetDateTime,
) -> Result<RoundView, AppError> {
    let me = snapshot
        .participants
        .iter()
        .find(|p| p.user_id == viewer.id() && takes_part(p))
        .filter(|_| snapshot.members.contains(&viewer.id()))
        .ok_or(AppError::NotFound)?;
    let RoundSnapshot { round, community, method, state, names, .. } = snapshot;
    let my_role = RoundRole::decode(&me.role)?;
    let gone = text_gone(round, at);
    let is_case_bringer = my_role == RoundRole::CaseBringer;
    let mut hidden: Vec<HiddenCount> = Vec::new();
    let mut contributions = Vec::new();
    for c in snapshot.contributions.iter().filter(|_| !gone) {
        let phase = c.phase.max(0) as usize;
        let reader = Reader { is_author: c.author_id == Some(viewer.id()), is_case_bringer };
        if may_see(&method.phases, state, phase, reader) {
            contributions.push(ContributionRow {
                id: c.id,
                phase,
                author: c.author_id.and_then(|id| names.get(&id).cloned()),
                mine: reader.is_author,
                body: c.body.clone(),
                warmth: c.warmth.as_deref().and_then(|w| Warmth::decode(w).ok()),
                answer: c.answer.clone(),
                chosen: c.chosen,
            });
        } else {
            match hidden.iter_mut().find(|h| h.phase == phase) {
                Some(count) => count.count += 1,
                None => hidden.push(HiddenCount { phase, count: 1 }),
            }
        }
    }
    let mut participants: Vec<ParticipantRow> = snapshot
        .participants
        .iter()
        .map(|p| ParticipantRow {
            user_id: p.user_id,
            name: names.get(&p.user_id).cloned().unwrap_or_default(),
            role: RoundRole::decode(&p.role).unwrap_or(RoundRole::Participant),
            present: takes_part(p),
        })
        .collect();
    participants.sort_by(|a, b| (a.role, &a.name).cmp(&(b.role, &b.name)));
    let look_back = snapshot.look_back.iter().map(|a| closing::action_row(a.clone(), names, viewer, today)).collect();
    let taking_part = snapshot.participants.iter().filter(|p| takes_part(p)).count();
    let closing = snapshot
        .closing
        .as_ref()
        .map(|records| closing::closing_of(records, round, taking_part, names, viewer, today, at));
    let server_now_ms = millis(at);
    let lead_seen_ms = round.lead_seen_at.map(millis);
    let taker = Taker { role: my_role, is_facilitator: snapshot.facilitators.contains(&viewer.id()) };
    let can_take_over =
        may_take_over(taker, method.timekeeper_may_lead(), state.status, lead_seen_ms, server_now_ms).is_ok();
    let lead_changes = snapshot
        .lead_changes
        .iter()
        .map(|c| LeadChange {
            from: c.from_user.and_then(|id| names.get(&id).cloned()),
            to: c.to_user.and_then(|id| names.get(&id).cloned()),
            at_ms: millis(c.at),
        })
        .collect();
    let notes = if sees_notes(my_role, state.status) && !gone {
        let notes = round.notes.clone().unwrap_or_default();
        (my_role == RoundRole::NoteTaker || !notes.is_empty()).then_some(notes)
    } else {
        None
    };
    Ok(RoundView {
        id: round.id,
        community_id: community.id,
        community_name: community.name.clone(),
        case: snapshot.case.clone().filter(|_| !gone),
        remaining_ms: state.remaining_at(&method.phases, server_now_ms),
        deadline_ms: state.deadline_ms(&method.phases),
        method: method.clone(),
        status: state.status,
        phase: state.phase,
        revealed: state.revealed.clone(),
        version: state.version,
        can_undo: state.undo.is_some(),
        server_now_ms,
        me: viewer.id(),
        my_role,
        participants,
        contributions,
        hidden,
        look_back,
        closing,
        lead_away: matches!(state.status, Status::Running | Status::Paused)
            && my_role != RoundRole::Lead
            && lead_gone(lead_seen_ms, server_now_ms),
        can_take_over,
        lead_changes,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intervision::round::domain::Status;

    #[test]
    fn a_step_reads_back_from_its_notice_as_it_was_written() {
        let at = crate::db::now();
        let before = RoundState { status: Status::Running, phase: 1, version: 4, ..Default::default() };
        let state = RoundState {
            status: Status::Running,
            phase: 2,
            running_since_ms: Some(millis(at)),
            revealed: vec![1],
            version: 5,
            undo: Some(Box::new(before)),
            ..Default::default()
        };
        let step = Step {
            stored: serde_json::to_string(&state).unwrap(),
            started_at: Some(at - time::Duration::minutes(12)),
            ended_at: None,
            lead_seen_at: Some(at),
            state,
        };
        let notice = step.notice();
        assert!(!notice.contains(' '), "one word in a notice: {notice}");
        let read = Step::from_notice(&notice).expect("a step");
        assert_eq!(read.state, step.state);
        assert_eq!(read.stored, step.stored, "as the row stores it");
        assert_eq!((read.started_at, read.ended_at, read.lead_seen_at), (step.started_at, None, step.lead_seen_at));
        assert!(Step::from_notice("not a step").is_none());
        assert!(Step::from_notice(r#"{"state":{"status":"running"}}"#).is_none());
    }
}
