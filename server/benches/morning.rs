//! A morning of live rounds against running Kring servers (`KRING_BENCH_URLS`, comma
//! separated; demo data): `MORNING_ROUNDS` (300) rounds start spread evenly over an
//! hour. Each runs the ten-phase incident method, two minutes a phase: the lead,
//! case bringer, timekeeper and facilitator open their screens and the lead starts;
//! the four others are marked present at random moments in the first three minutes
//! and open theirs; in every phase that collects something, each participant writes
//! once at a random moment; every screen drops its connection once at a random moment
//! and reconnects (a phone that slept). Screens and leads are spread over the servers.
//!
//! Time runs `MORNING_SPEEDUP` (6) times faster than a real morning: the same overlap
//! of rounds, six times the requests per second. Prints p50/p99 of a step reaching the
//! screens open at the time, of a reconnect receiving the round, of writing, and the
//! errors: failed requests and screens, and steps that did not reach an open screen.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

mod common;
use common::*;

/// One connection of one screen.
struct Connection {
    round: usize,
    opened: Instant,
    /// When the round as it stood arrived (the first event), and its version.
    first: Option<Instant>,
    first_version: u64,
    /// Later events: the version and when it arrived.
    arrivals: Vec<(u64, Instant)>,
    closed: Instant,
    failed: bool,
}

#[derive(Default)]
struct Log {
    connections: Vec<Connection>,
    /// When each (round, version) step was sent.
    steps: HashMap<(usize, u64), Instant>,
    writes: Vec<f64>,
    /// Requests that failed: (what, status).
    errors: Vec<(String, u16)>,
    /// Writes refused because the phase had moved on meanwhile (not errors).
    refused_writes: usize,
}

type Shared = Arc<Mutex<Log>>;

/// Follows a round on one connection until `until`.
async fn follow(addr: String, round: usize, round_id: String, cookie: String, until: Instant, log: Shared) {
    let opened = Instant::now();
    let mut connection = Connection {
        round,
        opened,
        first: None,
        first_version: 0,
        arrivals: Vec::new(),
        closed: opened,
        failed: false,
    };
    match TcpStream::connect(&addr).await {
        Err(_) => connection.failed = true,
        Ok(mut stream) => {
            let head = format!(
                "GET /r/{round_id}/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\nCookie: {cookie}\r\n\r\n"
            );
            stream.write_all(head.as_bytes()).await.ok();
            let mut buffer = String::new();
            let mut chunk = vec![0u8; 64 * 1024];
            let mut checked = false;
            loop {
                let read = tokio::select! {
                    read = stream.read(&mut chunk) => read,
                    () = tokio::time::sleep_until(until.into()) => break,
                };
                let Ok(n @ 1..) = read else {
                    connection.failed |= Instant::now() + Duration::from_millis(50) < until;
                    break;
                };
                let at = Instant::now();
                buffer.push_str(&String::from_utf8_lossy(&chunk[..n]));
                if !checked {
                    checked = true;
                    if !buffer.starts_with("HTTP/1.1 200") {
                        connection.failed = true;
                        break;
                    }
                }
                while let Some(start) = buffer.find("\nid: ") {
                    let Some(end) = buffer[start + 5..].find('\n') else { break };
                    if let Ok(version) = buffer[start + 5..start + 5 + end].trim().parse::<u64>() {
                        if connection.first.is_none() {
                            connection.first = Some(at);
                            connection.first_version = version;
                        } else {
                            connection.arrivals.push((version, at));
                        }
                    }
                    buffer.drain(..start + 5 + end);
                }
            }
        }
    }
    connection.closed = Instant::now();
    log.lock().await.connections.push(connection);
}

/// A screen for the whole round that drops once at `drop_at` and reconnects.
async fn screen(
    addr: String,
    round: usize,
    round_id: String,
    cookie: String,
    drop_at: Instant,
    end: Instant,
    log: Shared,
) {
    follow(addr.clone(), round, round_id.clone(), cookie.clone(), drop_at, log.clone()).await;
    follow(addr, round, round_id, cookie, end, log).await;
}

async fn post(addr: &str, endpoint: &str, cookie: &str, pairs: &[(&str, &str)], log: &Shared) -> (u16, f64) {
    let at = Instant::now();
    let reply = request(addr, "POST", &format!("/api/{endpoint}"), Some(cookie), Some(&form(pairs))).await;
    let ms = at.elapsed().as_secs_f64() * 1000.0;
    if reply.status != 200 && !(endpoint == "contribute" && reply.status == 409) {
        log.lock().await.errors.push((endpoint.to_string(), reply.status));
    }
    (reply.status, ms)
}

struct Plan {
    servers: Vec<String>,
    cast: Arc<Cast>,
    phase: Duration,
    phases: u64,
    join_within: Duration,
}

/// Runs round `index` from `start`.
async fn run_round(plan: Arc<Plan>, index: usize, round_id: String, start: Instant, seed: u64, log: Shared) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let server = |person: usize| plan.servers[(index + person) % plan.servers.len()].clone();
    let lead_server = server(2);
    let end = start + plan.phase * plan.phases as u32 + Duration::from_secs(2);
    tokio::time::sleep_until(start.into()).await;
    let cast = &plan.cast;
    let length = end.saturating_duration_since(start);
    // The facilitator, case bringer, lead and timekeeper hold roles: their screens open first.
    for person in 0..4 {
        let drop_at = start + length.mul_f64(rng.gen_range(0.1..0.9));
        let (cookie, round_id, log) = (cast.cookies[person].clone(), round_id.clone(), log.clone());
        tokio::spawn(screen(server(person), index, round_id, cookie, drop_at, end, log));
    }
    // Let the role holders' screens connect before the first step.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut writers = vec![0]; // the facilitator takes part as a participant
    for (other, id) in cast.others.iter().enumerate() {
        let person = 4 + other;
        let join_at = start + plan.join_within.mul_f64(rng.gen_range(0.0..1.0));
        let drop_at = join_at + end.saturating_duration_since(join_at).mul_f64(rng.gen_range(0.1..0.9));
        let (plan, id, round_id, log) = (plan.clone(), id.clone(), round_id.clone(), log.clone());
        let addr = server(person);
        tokio::spawn(async move {
            tokio::time::sleep_until(join_at.into()).await;
            let lead_addr = plan.servers[(index + 2) % plan.servers.len()].clone();
            let pairs = [("round_id", round_id.as_str()), ("user_id", id.as_str()), ("present", "true")];
            post(&lead_addr, "set_round_presence", &plan.cast.lead, &pairs, &log).await;
            let cookie = plan.cast.cookies[person].clone();
            screen(addr, index, round_id, cookie, drop_at, end, log).await;
        });
        writers.push(person);
    }
    let view = call(&lead_server, "round", &cast.lead, &[("round_id", &round_id)]).await;
    let collects: Vec<bool> = view["method"]["phases"]
        .as_array()
        .map(|phases| phases.iter().map(|p| p["collects"] != "nothing").collect())
        .unwrap_or_default();
    for version in 0..=plan.phases {
        let command = match version {
            0 => "start",
            v if v == plan.phases => "end",
            _ => "advance",
        };
        let sent = Instant::now();
        log.lock().await.steps.insert((index, version + 1), sent);
        let v = version.to_string();
        let pairs = [("round_id", round_id.as_str()), ("version", &v), ("command", command), ("confirmed", "true")];
        post(&lead_server, "round_command", &cast.lead, &pairs, &log).await;
        if version == plan.phases {
            break;
        }
        // Writing in this phase: each participant once, at a random moment.
        if collects.get(version as usize).copied().unwrap_or(false) {
            for &person in &writers {
                let at = sent + plan.phase.mul_f64(rng.gen_range(0.05..0.85));
                let (addr, cookie, round_id, log) =
                    (server(person), cast.cookies[person].clone(), round_id.clone(), log.clone());
                tokio::spawn(async move {
                    tokio::time::sleep_until(at.into()).await;
                    let body = "Wat heb je al geprobeerd direct na de pauze?";
                    let (status, ms) =
                        post(&addr, "contribute", &cookie, &[("round_id", &round_id), ("body", body)], &log).await;
                    let mut log = log.lock().await;
                    match status {
                        200 => log.writes.push(ms),
                        409 => log.refused_writes += 1,
                        _ => {}
                    }
                });
            }
        }
        tokio::time::sleep_until((sent + plan.phase).into()).await;
    }
}

#[tokio::main]
async fn main() {
    let bases = std::env::var("KRING_BENCH_URLS").unwrap_or_else(|_| "http://127.0.0.1:3000".into());
    let servers: Vec<String> = bases
        .split(',')
        .map(|base| base.trim().trim_start_matches("http://").trim_end_matches('/').to_string())
        .collect();
    let rounds: usize = std::env::var("MORNING_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    let speedup: f64 = std::env::var("MORNING_SPEEDUP").ok().and_then(|v| v.parse().ok()).unwrap_or(6.0);
    let pids: Vec<u32> = std::env::var("KRING_BENCH_PIDS")
        .unwrap_or_default()
        .split(',')
        .filter_map(|p| p.trim().parse().ok())
        .collect();
    let minutes = |m: f64| Duration::from_secs_f64(m * 60.0 / speedup);

    let addr = servers[0].clone();
    let cast = Arc::new(Cast::sign_in(&addr).await);
    let setup = Instant::now();
    let mut round_ids = Vec::with_capacity(rounds);
    for i in 0..rounds {
        round_ids.push(cast.plan_round(&addr, i).await);
    }
    let setup_secs = setup.elapsed().as_secs_f64();

    let plan =
        Arc::new(Plan { servers: servers.clone(), cast, phase: minutes(2.0), phases: 10, join_within: minutes(3.0) });
    let log: Shared = Arc::default();
    let window = minutes(60.0);
    let begin = Instant::now() + Duration::from_secs(1);
    let mut drivers = Vec::new();
    for (index, round) in round_ids.into_iter().enumerate() {
        let start = begin + window.mul_f64(index as f64 / rounds as f64);
        drivers.push(tokio::spawn(run_round(plan.clone(), index, round, start, index as u64, log.clone())));
    }
    let mut peak_kib: Vec<u64> = vec![0; pids.len()];
    while drivers.iter().any(|d| !d.is_finished()) {
        for (peak, pid) in peak_kib.iter_mut().zip(&pids) {
            *peak = (*peak).max(rss_kib(Some(*pid)).unwrap_or(0));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // The last screens close two seconds after their round's end.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let log = log.lock().await;

    let mut step_ms = Vec::new();
    let mut reconnect_ms = Vec::new();
    let (mut expected, mut missed) = (0usize, 0usize);
    let grace = Duration::from_secs(5);
    for connection in &log.connections {
        if let Some(first) = connection.first {
            reconnect_ms.push(first.saturating_duration_since(connection.opened).as_secs_f64() * 1000.0);
        }
        // Only a version's first arrival is its step's; later ones with the same version
        // carry someone's writing.
        let mut shown = connection.first_version;
        for (version, at) in &connection.arrivals {
            if *version > shown
                && let Some(sent) = log.steps.get(&(connection.round, *version))
            {
                step_ms.push(at.saturating_duration_since(*sent).as_secs_f64() * 1000.0);
            }
            shown = shown.max(*version);
        }
    }
    // Every step must reach every screen open from before it was sent until well after.
    for (&(round, version), &sent) in &log.steps {
        for connection in log.connections.iter().filter(|c| c.round == round && !c.failed) {
            let open_throughout =
                connection.first.is_some_and(|first| first < sent) && connection.closed > sent + grace;
            if open_throughout {
                expected += 1;
                if !connection.arrivals.iter().any(|(v, at)| *v >= version && *at >= sent) {
                    missed += 1;
                }
            }
        }
    }
    let failed_screens = log.connections.iter().filter(|c| c.failed).count();

    let mut baseline = Vec::new();
    for _ in 0..200 {
        let at = Instant::now();
        request(&addr, "GET", "/healthz", None, None).await;
        baseline.push(at.elapsed().as_secs_f64() * 1000.0);
    }
    println!("| measure | samples | p50 ms | p95 ms | p99 ms |");
    println!("|---|---|---|---|---|");
    println!(
        "{}",
        row("baseline: /healthz round trip (same client, after the morning)", &baseline.len().to_string(), baseline)
    );
    println!("{}", row("lead's step → screens open at the time", &step_ms.len().to_string(), step_ms));
    println!("{}", row("screen (re)connects → the round as it stands", &reconnect_ms.len().to_string(), reconnect_ms));
    println!("{}", row("a participant writes (request round trip)", &log.writes.len().to_string(), log.writes.clone()));
    println!();
    println!(
        "{rounds} rounds over {:.0} s ({speedup}× a real hour), {} server(s); set-up {setup_secs:.1} s. \
         Steps delivered to screens open throughout: {} of {expected}. Errors: {} failed requests {:?}, \
         {failed_screens} failed screen connections. Writes refused because the phase had moved on: {}.",
        window.as_secs_f64(),
        servers.len(),
        expected - missed,
        log.errors.len(),
        log.errors.iter().take(5).collect::<Vec<_>>(),
        log.refused_writes,
    );
    let mib: Vec<String> = peak_kib.iter().map(|k| format!("{:.1}", *k as f64 / 1024.0)).collect();
    println!(
        "Peak server memory (RSS, per server): {} MiB.",
        if mib.is_empty() { "n/a".into() } else { mib.join(" + ") }
    );
}
