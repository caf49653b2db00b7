//! One reader per round with open screens on this server. The reader listens to the
//! hub; at a change it reads the round once into a snapshot and hands it to every
//! screen of the round through a `watch` channel, so a change costs one read per
//! server however many screens follow it. A step changes only the round's own row:
//! the hub carries what it wrote, and readers on every server follow it without
//! reading at all (the row alone if a notice came without it). A screen that
//! (re)connects asks for a fresh read of everything; screens connecting at the same
//! moment share it. The reader stops when its last
//! screen goes. It also reads the row again when the round lead would count as gone,
//! so every screen learns that someone may take over without anyone writing anything.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::{Notify, broadcast, watch};
use uuid::Uuid;

use sea_orm::EntityTrait;

use super::api::RoundView;
use super::service::millis;
use super::snapshot::{self, RoundSnapshot, Step};
use crate::account::session::Viewer;
use crate::db::entities::intervision_round;
use crate::db::now;
use crate::error::AppError;
use crate::hub::Change;
use crate::intervision::closing::service as closing;
use crate::state::AppState;

/// The latest read of a round.
#[derive(Clone, Default)]
pub(crate) struct Latest {
    /// How many fresh reads had been asked for when this read began.
    pub asked: u64,
    /// Rises with every change the hub announced before this read began.
    pub generation: u64,
    pub loaded: Loaded,
}

impl Latest {
    /// This read as `viewer` may see it now.
    pub fn view_for(&self, state: &AppState, viewer: &Viewer) -> Result<RoundView, AppError> {
        match &self.loaded {
            Loaded::Round(snapshot) => snapshot::view_of(snapshot, viewer, closing::today(state), now()),
            Loaded::Gone => Err(AppError::NotFound),
            Loaded::Nothing | Loaded::Failed => Err(AppError::Internal),
        }
    }
}

#[derive(Clone, Default)]
pub(crate) enum Loaded {
    /// Not read yet.
    #[default]
    Nothing,
    Round(Arc<RoundSnapshot>),
    /// There is no such round (any more).
    Gone,
    /// The read failed (logged); the next change or fresh read tries again.
    Failed,
}

struct Feed {
    latest: watch::Sender<Latest>,
    asked: AtomicU64,
    wake: Notify,
}

/// This server's readers, one per round with open screens.
#[derive(Default)]
pub(crate) struct RoundFeeds {
    feeds: Mutex<HashMap<Uuid, Arc<Feed>>>,
}

impl RoundFeeds {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Arc<Feed>>> {
        self.feeds.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Forgets the reader of `round` if no screen watches it; whether it did.
    fn forget_if_unwatched(&self, round: Uuid) -> bool {
        let mut feeds = self.lock();
        let unwatched = feeds.get(&round).is_none_or(|feed| feed.latest.receiver_count() == 0);
        if unwatched {
            feeds.remove(&round);
        }
        unwatched
    }

    /// How many rounds this server reads for open screens, and how many screens
    /// follow them.
    pub fn followed(&self) -> (usize, usize) {
        let feeds = self.lock();
        (feeds.len(), feeds.values().map(|feed| feed.latest.receiver_count()).sum())
    }
}

/// One screen's view of its round's reads.
pub(crate) struct Subscription {
    feed: Arc<Feed>,
    pub latest: watch::Receiver<Latest>,
}

impl Subscription {
    /// A read that began after this call: what a (re)connecting screen starts from.
    pub async fn fresh(&mut self) -> Result<Latest, AppError> {
        let ticket = self.feed.asked.fetch_add(1, Ordering::SeqCst) + 1;
        self.feed.wake.notify_one();
        match self.latest.wait_for(|latest| latest.asked >= ticket).await {
            Ok(latest) => Ok(latest.clone()),
            Err(_) => Err(AppError::Internal),
        }
    }
}

/// The round as `viewer` may see it after a change this server just announced: built
/// from the read the round's screens on this server get anyway, so answering the
/// one who made the change costs no read of its own.
pub(crate) async fn view_after_change(state: &AppState, viewer: &Viewer, round: Uuid) -> Result<RoundView, AppError> {
    subscribe(state, round).fresh().await?.view_for(state, viewer)
}

/// Announces `step`, just stored (`before` is the state it followed): the round's
/// readers, on every server, follow it from what the step wrote, which the hub
/// carries. A step that ends the round (or undoes its end) is announced as any
/// change: the round is read whole.
pub(crate) fn announce_step(state: &AppState, round: Uuid, before: &super::domain::RoundState, step: &Step) {
    if !step.follows_from_row(before) {
        state.hub.publish(round);
        return;
    }
    state.hub.announce(round, Change::Stepped(step.state.version, Some(Arc::from(step.notice()))));
}

/// How long the one who stepped waits for the reader to follow their step before
/// asking for a read of their own.
const FOLLOW_WAIT: Duration = Duration::from_secs(2);

/// The round as `viewer` may see it after the step to `version` this server just
/// announced ([`announce_step`]): the reader's view once it followed the step, at no
/// cost of its own; a fresh read when this server had no reader of the round.
pub(crate) async fn view_after_step(
    state: &AppState,
    viewer: &Viewer,
    round: Uuid,
    version: u64,
) -> Result<RoundView, AppError> {
    let mut reads = subscribe(state, round);
    if matches!(reads.latest.borrow().loaded, Loaded::Nothing) {
        return reads.fresh().await?.view_for(state, viewer);
    }
    let followed = tokio::time::timeout(FOLLOW_WAIT, async {
        let latest = reads.latest.wait_for(|latest| match &latest.loaded {
            Loaded::Round(snapshot) => snapshot.version() >= version,
            Loaded::Nothing => false,
            Loaded::Gone | Loaded::Failed => true,
        });
        latest.await.map(|latest| latest.clone())
    })
    .await;
    match followed {
        Ok(Ok(latest)) if !matches!(latest.loaded, Loaded::Failed) => latest.view_for(state, viewer),
        _ => reads.fresh().await?.view_for(state, viewer),
    }
}

/// Follows `round`'s reads, starting its reader if it has none on this server.
pub(crate) fn subscribe(state: &AppState, round: Uuid) -> Subscription {
    let feeds = state.per_server.get::<RoundFeeds>();
    let mut open = feeds.lock();
    if let Some(feed) = open.get(&round) {
        return Subscription { feed: Arc::clone(feed), latest: feed.latest.subscribe() };
    }
    let (sender, latest) = watch::channel(Latest::default());
    let feed = Arc::new(Feed { latest: sender, asked: AtomicU64::new(0), wake: Notify::new() });
    open.insert(round, Arc::clone(&feed));
    drop(open);
    // Listen before the first read, so no change between the two is missed.
    let changes = state.hub.subscribe(round);
    tokio::spawn(read_on_change(state.clone(), Arc::clone(&feeds), round, Arc::clone(&feed), changes));
    Subscription { feed, latest }
}

/// What the hub announced since the reader last looked.
#[derive(Default)]
struct Announced {
    /// Anything may have changed (or a screen asked for a fresh read).
    whole: bool,
    /// Versions that steps reached, with what they wrote when the hub carried it.
    steps: Vec<(u64, Option<Arc<str>>)>,
    /// How many changes.
    count: u64,
}

impl Announced {
    fn add(&mut self, change: Result<Change, TryRecvError>) -> bool {
        match change {
            Ok(Change::Stepped(version, written)) => self.steps.push((version, written)),
            Ok(Change::Any) | Err(TryRecvError::Lagged(_)) => self.whole = true,
            Err(TryRecvError::Empty | TryRecvError::Closed) => return false,
        }
        self.count += 1;
        true
    }
}

async fn read_on_change(
    state: AppState,
    feeds: Arc<RoundFeeds>,
    round: Uuid,
    feed: Arc<Feed>,
    mut changes: broadcast::Receiver<Change>,
) {
    let mut generation = 0;
    // When the round lead would count as gone, if they do not yet.
    let mut lead_check: Option<tokio::time::Instant> = None;
    loop {
        let mut lead_checked = false;
        let mut announced = Announced::default();
        tokio::select! {
            change = changes.recv() => match change {
                Ok(change) => {
                    announced.add(Ok(change));
                }
                Err(RecvError::Lagged(skipped)) => {
                    announced.add(Err(TryRecvError::Lagged(skipped)));
                }
                Err(RecvError::Closed) => {
                    let mut open = feeds.lock();
                    if open.get(&round).is_some_and(|current| Arc::ptr_eq(current, &feed)) {
                        open.remove(&round);
                    }
                    return;
                }
            },
            () = feed.wake.notified() => announced.whole = true,
            () = until(lead_check) => lead_checked = true,
            () = feed.latest.closed() => {
                if feeds.forget_if_unwatched(round) {
                    return;
                }
                continue;
            }
        }
        // Several changes at once need one read.
        while announced.add(changes.try_recv()) {}
        if lead_checked {
            lead_check = None;
        }
        generation += announced.count;
        let previous = feed.latest.borrow().clone();
        let followed = match (&previous.loaded, announced.whole) {
            (Loaded::Round(current), false) => follow(&state, current, &announced.steps, lead_checked).await,
            _ => Followed::ReadWhole,
        };
        let (asked, loaded) = match followed {
            Followed::Unchanged if announced.count == 0 => continue,
            // What was announced is in the snapshot already (a fresh read for a screen
            // that connected took it up, which the other screens ignored): they show it now.
            Followed::Unchanged => (previous.asked, previous.loaded.clone()),
            // Not a fresh read: a screen that asked for one still waits for it.
            Followed::To(snapshot) => (previous.asked, Loaded::Round(snapshot)),
            Followed::ReadWhole => {
                let asked = feed.asked.load(Ordering::SeqCst);
                (asked, read_whole(&state, round).await)
            }
        };
        if let Loaded::Round(snapshot) = &loaded {
            let now_ms = millis(now());
            lead_check = snapshot.lead_gone_at().filter(|at| *at > now_ms).map(|at| {
                tokio::time::Instant::now() + Duration::from_millis((at - now_ms) as u64 + LEAD_CHECK_SLACK_MS)
            });
            // The lead is gone now: every screen shows it. (Still here: nothing to show.)
            if lead_checked && lead_check.is_none() {
                generation += 1;
            }
        }
        feed.latest.send_replace(Latest { asked, generation, loaded });
    }
}

async fn read_whole(state: &AppState, round: Uuid) -> Loaded {
    match snapshot::load(&state.db, round).await {
        Ok(snapshot) => Loaded::Round(Arc::new(snapshot)),
        Err(AppError::NotFound) => Loaded::Gone,
        Err(err) => {
            tracing::warn!(error = ?err, %round, "could not read a round for its screens");
            Loaded::Failed
        }
    }
}

/// How a reader follows what was announced.
enum Followed {
    /// The snapshot shows what was announced already.
    Unchanged,
    To(Arc<RoundSnapshot>),
    ReadWhole,
}

/// The round after the steps announced since `current` (and, when the lead may have
/// gone, with the lead's presence read again): from what the steps wrote, as the hub
/// carried it, else from the round's own row. Reads the round whole unless every
/// version in between was announced as a step.
async fn follow(
    state: &AppState,
    current: &RoundSnapshot,
    steps: &[(u64, Option<Arc<str>>)],
    lead_checked: bool,
) -> Followed {
    let from = current.version();
    let versions: Vec<u64> = steps.iter().map(|(version, _)| *version).collect();
    let to = match steps_to(from, &versions) {
        Some(to) if to == from && !lead_checked => return Followed::Unchanged,
        Some(to) => to,
        None => return Followed::ReadWhole,
    };
    let mut next: Option<RoundSnapshot> = None;
    for step in written_between(from, to, steps) {
        let base = next.as_ref().unwrap_or(current);
        if step.state.version == base.version() + 1 {
            match base.stepped(&step) {
                Some(stepped) => next = Some(stepped),
                None => return Followed::ReadWhole,
            }
        }
    }
    let next_version = next.as_ref().map_or(from, RoundSnapshot::version);
    if next_version == to && !lead_checked {
        return next.map_or(Followed::Unchanged, |next| Followed::To(Arc::new(next)));
    }
    // Another server's steps, or the lead's presence: the round's own row.
    let round = current.round.id;
    match intervision_round::Entity::find_by_id(round).one(&state.db).await {
        Ok(Some(row)) => match next.as_ref().unwrap_or(current).with_row(row, to) {
            Ok(Some(snapshot)) => Followed::To(Arc::new(snapshot)),
            Ok(None) => Followed::ReadWhole,
            Err(err) => {
                tracing::warn!(error = ?err, %round, "could not follow a round's step");
                Followed::ReadWhole
            }
        },
        Ok(None) => Followed::ReadWhole,
        Err(err) => {
            tracing::warn!(error = %err, %round, "could not read a round's row for its screens");
            Followed::ReadWhole
        }
    }
}

/// The version that steps announced after `from` reach, if each version in between
/// was announced as a step; `None` if one was not (something else changed with it,
/// say a takeover, and the round is read whole).
fn steps_to(from: u64, steps: &[u64]) -> Option<u64> {
    let to = steps.iter().copied().max().unwrap_or(from).max(from);
    (from + 1..=to).all(|version| steps.contains(&version)).then_some(to)
}

/// The steps after `from` up to `to` whose notices carried what they wrote, oldest
/// first, each once.
fn written_between(from: u64, to: u64, steps: &[(u64, Option<Arc<str>>)]) -> Vec<Step> {
    let mut written: Vec<Step> = steps
        .iter()
        .filter(|(version, _)| (from + 1..=to).contains(version))
        .filter_map(|(_, written)| written.as_deref().and_then(Step::from_notice))
        .collect();
    written.sort_by_key(|step| step.state.version);
    written.dedup_by_key(|step| step.state.version);
    written
}

/// Read a moment after the lead would count as gone, not a moment before.
const LEAD_CHECK_SLACK_MS: u64 = 250;

async fn until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_followed_only_when_every_version_in_between_was_a_step() {
        assert_eq!(steps_to(4, &[5]), Some(5));
        assert_eq!(steps_to(4, &[6, 5, 7]), Some(7), "in any order");
        assert_eq!(steps_to(4, &[5, 5, 6]), Some(6), "twice is once");
        assert_eq!(steps_to(4, &[6]), None, "version 5 was something else: read whole");
        assert_eq!(steps_to(4, &[5, 7]), None);
        assert_eq!(steps_to(4, &[3, 4]), Some(4), "already shown: nothing to follow");
        assert_eq!(steps_to(4, &[]), Some(4));
    }

    #[test]
    fn steps_are_taken_from_their_notices_in_order_and_once() {
        let notice = |version, phase| {
            let state = super::super::domain::RoundState { version, phase, ..Default::default() };
            let step = Step { stored: String::new(), started_at: None, ended_at: None, lead_seen_at: None, state };
            Some(Arc::from(step.notice()))
        };
        let steps =
            [(7, notice(7, 3)), (5, notice(5, 1)), (6, None), (5, notice(5, 1)), (4, notice(4, 0)), (6, notice(6, 2))];
        let written: Vec<(u64, usize)> =
            written_between(4, 6, &steps).iter().map(|s| (s.state.version, s.state.phase)).collect();
        assert_eq!(written, [(5, 1), (6, 2)], "after 4 up to 6, oldest first, each once");
        assert!(written_between(4, 6, &[(5, Some(Arc::from("garbled"))), (6, None)]).is_empty());
    }
}
