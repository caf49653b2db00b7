//! The live hub: tells every open screen of a round that the round changed, so each
//! reloads its own (permission-filtered) view. The database stays the only source of
//! truth; the hub carries "look again" and, for a step, the version it reached with
//! what the step wrote to the round's own row (phase, clock, version: no one's text
//! or name), so that no server reads anything to follow a step. One interface with
//! two hubs: the in-process one for a single server (SQLite), and one over
//! PostgreSQL's `LISTEN/NOTIFY` for several servers on one database (see
//! docs/live-rounds.md).

mod postgres;

pub use postgres::PostgresHub;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;
use uuid::Uuid;

/// How many unread changes a slow screen may fall behind before it skips to the
/// newest (it reloads the whole view anyway, so skipping loses nothing).
const BACKLOG: usize = 16;

/// What changed in a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Anything may have: read the whole round again.
    Any,
    /// Only the round's own row, by a step that reached this version (nothing else a
    /// screen shows: no contribution, no participant), with what the step wrote as the
    /// round's reader encodes it; without it the reader reads the row.
    Stepped(u64, Option<Arc<str>>),
}

pub trait RoundHub: Send + Sync {
    /// Tells every screen of `round` what changed.
    fn announce(&self, round: Uuid, change: Change);
    /// Tells every screen of `round` that anything may have changed.
    fn publish(&self, round: Uuid) {
        self.announce(round, Change::Any);
    }
    /// Changes of `round` from now on.
    fn subscribe(&self, round: Uuid) -> broadcast::Receiver<Change>;
    /// How many listeners the rounds have, over all rounds (for logs and tests).
    fn listeners(&self) -> usize;
    /// Tells every screen of `user` to check that its session still holds (they signed
    /// out, changed their password or were deactivated).
    fn sessions_changed(&self, user: Uuid);
    /// Users whose sessions changed, from now on.
    fn subscribe_sessions(&self) -> broadcast::Receiver<Uuid>;
}

/// The hub for one server process: a broadcast channel per round with open screens,
/// and one for accounts whose sessions changed.
pub struct LocalHub {
    rounds: Mutex<HashMap<Uuid, broadcast::Sender<Change>>>,
    sessions: broadcast::Sender<Uuid>,
}

impl Default for LocalHub {
    fn default() -> Self {
        Self { rounds: Mutex::default(), sessions: broadcast::channel(BACKLOG).0 }
    }
}

impl RoundHub for LocalHub {
    fn announce(&self, round: Uuid, change: Change) {
        let mut rounds = self.rounds.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(sender) = rounds.get(&round)
            && sender.send(change).is_err()
        {
            // Nobody listens any more.
            rounds.remove(&round);
        }
    }

    fn subscribe(&self, round: Uuid) -> broadcast::Receiver<Change> {
        let mut rounds = self.rounds.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        rounds.retain(|_, sender| sender.receiver_count() > 0);
        rounds.entry(round).or_insert_with(|| broadcast::channel(BACKLOG).0).subscribe()
    }

    fn listeners(&self) -> usize {
        let rounds = self.rounds.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        rounds.values().map(|sender| sender.receiver_count()).sum()
    }

    fn sessions_changed(&self, user: Uuid) {
        // No screen open: nobody to tell.
        let _ = self.sessions.send(user);
    }

    fn subscribe_sessions(&self) -> broadcast::Receiver<Uuid> {
        self.sessions.subscribe()
    }
}

impl LocalHub {
    /// Tells every round with open screens to look again (after notices may have been
    /// lost).
    pub fn publish_all(&self) {
        let rounds: Vec<Uuid> = {
            let rounds = self.rounds.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            rounds.keys().copied().collect()
        };
        for round in rounds {
            self.publish(round);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_change_reaches_every_screen_of_that_round_only() {
        let hub = LocalHub::default();
        let (round, other) = (Uuid::now_v7(), Uuid::now_v7());
        let mut first = hub.subscribe(round);
        let mut second = hub.subscribe(round);
        let mut elsewhere = hub.subscribe(other);
        assert_eq!(hub.listeners(), 3);
        let step = Change::Stepped(3, Some(Arc::from("written")));
        hub.announce(round, step.clone());
        assert_eq!(first.recv().await, Ok(step.clone()));
        assert_eq!(second.recv().await, Ok(step));
        assert!(elsewhere.try_recv().is_err());
        drop((first, second));
        hub.publish(round);
        assert_eq!(hub.listeners(), 1);
    }

    #[tokio::test]
    async fn a_screen_that_falls_behind_skips_to_the_newest_change() {
        let hub = LocalHub::default();
        let round = Uuid::now_v7();
        let mut slow = hub.subscribe(round);
        for _ in 0..BACKLOG + 5 {
            hub.publish(round);
        }
        assert!(matches!(slow.recv().await, Err(broadcast::error::RecvError::Lagged(_))));
        assert_eq!(slow.recv().await, Ok(Change::Any));
    }
}
