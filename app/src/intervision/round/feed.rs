//! One reader per round with open screens on this server. The reader listens to the
//! hub; at a change it reads the round once into a snapshot and hands it to every
//! screen of the round through a `watch` channel, so a step costs one read per server
//! however many screens follow it. A screen that (re)connects asks for a fresh read;
//! screens connecting at the same moment share it. The reader stops when its last
//! screen goes. It also reads again when the round lead would count as gone, so every
//! screen learns that someone may take over without anyone writing anything.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::{Notify, broadcast, watch};
use uuid::Uuid;

use super::api::RoundView;
use super::service::millis;
use super::snapshot::{self, RoundSnapshot};
use crate::account::session::Viewer;
use crate::db::now;
use crate::error::AppError;
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

async fn read_on_change(
    state: AppState,
    feeds: Arc<RoundFeeds>,
    round: Uuid,
    feed: Arc<Feed>,
    mut changes: broadcast::Receiver<()>,
) {
    let mut generation = 0;
    // When the round lead would count as gone, if they do not yet.
    let mut lead_check: Option<tokio::time::Instant> = None;
    loop {
        let mut lead_checked = false;
        tokio::select! {
            change = changes.recv() => match change {
                Ok(()) | Err(RecvError::Lagged(_)) => {
                    generation += 1;
                    // Several changes at once need one read.
                    while matches!(changes.try_recv(), Ok(()) | Err(TryRecvError::Lagged(_))) {}
                }
                Err(RecvError::Closed) => {
                    let mut open = feeds.lock();
                    if open.get(&round).is_some_and(|current| Arc::ptr_eq(current, &feed)) {
                        open.remove(&round);
                    }
                    return;
                }
            },
            () = feed.wake.notified() => {}
            () = until(lead_check) => lead_checked = true,
            () = feed.latest.closed() => {
                if feeds.forget_if_unwatched(round) {
                    return;
                }
                continue;
            }
        }
        if lead_checked {
            lead_check = None;
        }
        let asked = feed.asked.load(Ordering::SeqCst);
        let loaded = match snapshot::load(&state.db, round).await {
            Ok(snapshot) => Loaded::Round(Arc::new(snapshot)),
            Err(AppError::NotFound) => Loaded::Gone,
            Err(err) => {
                tracing::warn!(error = ?err, %round, "could not read a round for its screens");
                Loaded::Failed
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

/// Read a moment after the lead would count as gone, not a moment before.
const LEAD_CHECK_SLACK_MS: u64 = 250;

async fn until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
