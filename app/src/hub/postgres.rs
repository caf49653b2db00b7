//! The hub for several servers on one PostgreSQL database. Each server tells its own
//! screens at once (as [`LocalHub`] does) and the other servers through PostgreSQL's
//! `NOTIFY` on one channel; each server listens on one connection of its own and
//! passes what the others announced to its screens. A notice carries only ids ("look
//! again") and, for a step, the version it reached with what the step wrote to the
//! round's row (phase, clock, version), never anyone's text or name, so nothing
//! confidential passes through it. A lost
//! notice costs nothing lasting: after the listening connection comes back, every
//! round with open screens on this server is read again.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::Connection;
use sea_orm::sqlx::postgres::{PgConnection, PgListener};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use tokio::sync::{broadcast, mpsc, watch};
use uuid::Uuid;

use super::{Change, LocalHub, RoundHub};

/// The channel every Kring server on the database listens on.
const CHANNEL: &str = "kring_hub";
/// PostgreSQL refuses payloads of 8,000 bytes or more; notices are split well below.
const PAYLOAD_MAX: usize = 7_000;
/// The longest wait before connecting the listener again.
const BACKOFF_MAX: Duration = Duration::from_secs(10);

/// A step's detail longer than this goes without it (the other servers read the row).
const DETAIL_MAX: usize = 2_000;

/// Something to tell the other servers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Notice {
    Round(Uuid),
    /// A step's round, the version it reached and what it wrote.
    Stepped(Uuid, u64, Option<Arc<str>>),
    Sessions(Uuid),
}

pub struct PostgresHub {
    local: Arc<LocalHub>,
    outgoing: mpsc::UnboundedSender<Notice>,
    /// Dropping the hub stops its listener.
    _stop: watch::Sender<()>,
}

impl PostgresHub {
    /// Starts listening and sending on connections of its own to `url` (the
    /// `DATABASE_URL`); sends through `db` while its own cannot be opened.
    pub fn start(url: &str, db: DatabaseConnection) -> Self {
        let local = Arc::new(LocalHub::default());
        let server = Uuid::now_v7();
        let (outgoing, pending) = mpsc::unbounded_channel();
        let (stop, stopped) = watch::channel(());
        tokio::spawn(send(url.to_string(), db, server, pending));
        tokio::spawn(listen(url.to_string(), server, Arc::clone(&local), stopped));
        Self { local, outgoing, _stop: stop }
    }
}

impl RoundHub for PostgresHub {
    fn announce(&self, round: Uuid, change: Change) {
        let _ = self.outgoing.send(match &change {
            Change::Any => Notice::Round(round),
            Change::Stepped(version, detail) => Notice::Stepped(round, *version, detail.clone()),
        });
        self.local.announce(round, change);
    }

    fn subscribe(&self, round: Uuid) -> broadcast::Receiver<Change> {
        self.local.subscribe(round)
    }

    fn listeners(&self) -> usize {
        self.local.listeners()
    }

    fn sessions_changed(&self, user: Uuid) {
        self.local.sessions_changed(user);
        let _ = self.outgoing.send(Notice::Sessions(user));
    }

    fn subscribe_sessions(&self) -> broadcast::Receiver<Uuid> {
        self.local.subscribe_sessions()
    }
}

/// `"<server> r <round> … v <round>@<version>[@<detail>] … s <user> …"`, split into
/// payloads PostgreSQL accepts. A detail with a space in it, or a long one, is left
/// out (words are split at spaces).
fn payloads(server: Uuid, notices: &[Notice]) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut kind = ' ';
    for notice in notices {
        let (mark, word) = match notice {
            Notice::Round(id) => ('r', id.to_string()),
            Notice::Stepped(id, version, detail) => match detail {
                Some(detail) if detail.len() <= DETAIL_MAX && !detail.contains(' ') => {
                    ('v', format!("{id}@{version}@{detail}"))
                }
                _ => ('v', format!("{id}@{version}")),
            },
            Notice::Sessions(id) => ('s', id.to_string()),
        };
        if current.len() + word.len() + 3 > PAYLOAD_MAX {
            out.push(std::mem::take(&mut current));
        }
        if current.is_empty() {
            current.push_str(&server.to_string());
            kind = ' ';
        }
        if mark != kind {
            current.push(' ');
            current.push(mark);
            kind = mark;
        }
        current.push(' ');
        current.push_str(&word);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// What another server announced; `None` for this server's own notices and for
/// anything that is not a notice.
fn parse(payload: &str, me: Uuid) -> Option<Vec<Notice>> {
    let mut words = payload.split(' ');
    let from = Uuid::parse_str(words.next()?).ok()?;
    if from == me {
        return None;
    }
    let mut kind = None;
    let mut notices = Vec::new();
    for word in words {
        match (word, kind) {
            ("r" | "v" | "s", _) => kind = word.chars().next(),
            (word, Some('v')) => {
                let (id, reached) = word.split_once('@')?;
                let (version, detail) = match reached.split_once('@') {
                    Some((version, detail)) => (version, Some(Arc::from(detail))),
                    None => (reached, None),
                };
                notices.push(Notice::Stepped(Uuid::parse_str(id).ok()?, version.parse().ok()?, detail));
            }
            (id, Some(k)) => {
                let id = Uuid::parse_str(id).ok()?;
                notices.push(if k == 'r' { Notice::Round(id) } else { Notice::Sessions(id) });
            }
            (_, None) => return None,
        }
    }
    Some(notices)
}

const NOTIFY: &str = "SELECT pg_notify($1, $2)";

/// Sends what this server announced on a connection of its own, so a notice never
/// queues behind the requests waiting for the pool (a hundred leads stepping at once
/// on this server); through the pool while that connection cannot be opened. Notices
/// that pile up while one is sent go together in the next.
async fn send(url: String, db: DatabaseConnection, server: Uuid, mut pending: mpsc::UnboundedReceiver<Notice>) {
    let mut own: Option<PgConnection> = None;
    let mut batch = Vec::new();
    while pending.recv_many(&mut batch, 1_000).await > 0 {
        batch.dedup();
        if own.is_none() {
            own = PgConnection::connect(&url)
                .await
                .inspect_err(|err| tracing::warn!(error = %err, "could not open the connection that sends notices"))
                .ok();
        }
        for payload in payloads(server, &batch) {
            let sent = match own.as_mut() {
                Some(connection) => {
                    let notify = sea_orm::sqlx::query(NOTIFY).bind(CHANNEL).bind(&payload);
                    notify.execute(connection).await.map(drop).map_err(|err| err.to_string())
                }
                None => {
                    let notify =
                        Statement::from_sql_and_values(DbBackend::Postgres, NOTIFY, [CHANNEL.into(), payload.into()]);
                    db.execute_raw(notify).await.map(drop).map_err(|err| err.to_string())
                }
            };
            if let Err(err) = sent {
                // The other servers' screens catch up at the next change or reconnect.
                tracing::warn!(error = %err, "could not tell the other servers of a change");
                own = None;
            }
        }
        batch.clear();
    }
}

/// Listens for the other servers' notices, connecting again with growing waits after
/// a failure; after every (re)connection this server's open rounds are read again.
async fn listen(url: String, me: Uuid, local: Arc<LocalHub>, mut stopped: watch::Receiver<()>) {
    let mut backoff = Duration::from_millis(100);
    loop {
        let connected = async {
            let mut listener = PgListener::connect(&url).await?;
            listener.listen(CHANNEL).await?;
            Ok::<_, sea_orm::sqlx::Error>(listener)
        };
        let mut listener = tokio::select! {
            connected = connected => match connected {
                Ok(listener) => listener,
                Err(err) => {
                    tracing::warn!(error = %err, retry_in = ?backoff, "could not listen for the other servers");
                    tokio::select! {
                        () = tokio::time::sleep(backoff) => {}
                        _ = stopped.changed() => return,
                    }
                    backoff = (backoff * 2).min(BACKOFF_MAX);
                    continue;
                }
            },
            _ = stopped.changed() => return,
        };
        backoff = Duration::from_millis(100);
        local.publish_all();
        loop {
            let next = tokio::select! {
                next = listener.try_recv() => next,
                _ = stopped.changed() => return,
            };
            match next {
                Ok(Some(notification)) => {
                    for notice in parse(notification.payload(), me).unwrap_or_default() {
                        match notice {
                            Notice::Round(round) => local.publish(round),
                            Notice::Stepped(round, version, detail) => {
                                local.announce(round, Change::Stepped(version, detail))
                            }
                            Notice::Sessions(user) => local.sessions_changed(user),
                        }
                    }
                }
                // The connection dropped and is back: notices in between are lost.
                Ok(None) => local.publish_all(),
                Err(err) => {
                    tracing::warn!(error = %err, "lost the connection that listens for the other servers");
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_go_to_the_other_servers_in_payloads_postgres_accepts() {
        let (me, other) = (Uuid::now_v7(), Uuid::now_v7());
        let notices: Vec<Notice> = (0..400)
            .map(|i| match i % 7 {
                0 => Notice::Sessions(Uuid::now_v7()),
                1 => Notice::Stepped(Uuid::now_v7(), i * 1_000_003, None),
                2 => Notice::Stepped(Uuid::now_v7(), i, Some(Arc::from(r#"{"phase":2,"undo":{"a@b":1}}"#))),
                _ => Notice::Round(Uuid::now_v7()),
            })
            .collect();
        let sent = payloads(me, &notices);
        assert!(sent.len() > 1, "400 ids do not fit one payload");
        assert!(sent.iter().all(|p| p.len() < PAYLOAD_MAX), "each below the limit");
        let heard: Vec<Notice> = sent.iter().flat_map(|p| parse(p, other).unwrap()).collect();
        assert_eq!(heard, notices, "the other server hears every notice, in order");
        assert!(sent.iter().all(|p| parse(p, me).is_none()), "a server skips its own");
        assert_eq!(parse("not a notice", other), None);
        assert_eq!(parse(&format!("{me} x {other}"), other), None);
        assert_eq!(parse(&format!("{me} v {other}"), other), None, "a step names its version");
        let (spaced, long) = (Some(Arc::from("a b")), Some(Arc::from("x".repeat(DETAIL_MAX + 1))));
        let sent = payloads(me, &[Notice::Stepped(other, 4, spaced), Notice::Stepped(other, 5, long)]);
        let heard: Vec<Notice> = sent.iter().flat_map(|p| parse(p, other).unwrap()).collect();
        assert_eq!(heard, [Notice::Stepped(other, 4, None), Notice::Stepped(other, 5, None)], "sent without detail");
    }
}
