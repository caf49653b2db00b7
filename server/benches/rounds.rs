//! Live rounds under load, against running Kring servers (`KRING_BENCH_URLS`, comma
//! separated, or `KRING_BENCH_URL`; demo data): plans `BENCH_ROUNDS` (100) rounds in one
//! community, opens the live screen of all 8 participants of each over real TCP
//! (Server-Sent Events), spread over the servers, then lets every round lead take
//! `BENCH_STEPS` steps on the first server, all rounds at once. Prints p50/p95/p99 of
//! the time from a lead's step to each participant's screen receiving it and how many
//! arrived, beside the baseline of the same client's bare `/healthz` round trip in the
//! same run, and each server's memory (`KRING_BENCH_PIDS`) before and with all screens
//! open. Run by scripts/bench-rounds.sh (one server on SQLite, two on PostgreSQL).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

mod common;
use common::*;

/// When each (round, version) reached each screen.
/// Each screen's arrivals: round, version, when, and the server the screen is on.
type Arrivals = Arc<Mutex<Vec<(usize, u64, Instant, usize)>>>;

/// Opens one live screen and records the version of every event it receives.
async fn screen(
    addr: String,
    server_index: usize,
    round_index: usize,
    round_id: String,
    cookie: String,
    arrivals: Arrivals,
) {
    let mut stream = TcpStream::connect(&addr).await.expect("connect a screen");
    let head = format!(
        "GET /r/{round_id}/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\nCookie: {cookie}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buffer = String::new();
    let mut chunk = vec![0u8; 64 * 1024];
    // A screen may be sent the same version again when something else it shows changed
    // (who may take over the lead): a step counts at its first arrival.
    let mut last = None;
    loop {
        let Ok(n) = stream.read(&mut chunk).await else { return };
        if n == 0 {
            return;
        }
        let at = Instant::now();
        buffer.push_str(&String::from_utf8_lossy(&chunk[..n]));
        while let Some(start) = buffer.find("\nid: ") {
            let rest = &buffer[start + 5..];
            let Some(end) = rest.find('\n') else { break };
            if let Ok(version) = rest[..end].trim().parse::<u64>()
                && last != Some(version)
            {
                last = Some(version);
                arrivals.lock().await.push((round_index, version, at, server_index));
            }
            buffer.drain(..start + 5 + end);
        }
        if buffer.len() > 1 << 20 {
            buffer.clear();
        }
    }
}

#[tokio::main]
async fn main() {
    let servers = servers_from_env();
    let addr = servers[0].clone();
    let pids = pids_from_env();
    let rounds: usize = std::env::var("BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let steps: u64 = std::env::var("BENCH_STEPS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);

    let cast = Cast::sign_in(&addr).await;
    let (lead, cookies) = (cast.lead.clone(), cast.cookies.clone());
    let setup = Instant::now();
    let mut round_ids = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let round = cast.plan_round(&addr, i).await;
        for other in &cast.others {
            cast.mark_present(&addr, &round, other).await;
        }
        round_ids.push(round);
    }
    let setup_secs = setup.elapsed().as_secs_f64();
    let rss_before: Vec<Option<u64>> = pids.iter().map(|pid| rss_kib(Some(*pid))).collect();

    let arrivals: Arrivals = Arc::new(Mutex::new(Vec::new()));
    for (index, round) in round_ids.iter().enumerate() {
        for (person, cookie) in cookies.iter().enumerate() {
            let server_index = (index * cookies.len() + person) % servers.len();
            let server = servers[server_index].clone();
            tokio::spawn(screen(server, server_index, index, round.clone(), cookie.clone(), arrivals.clone()));
        }
    }
    let screens = rounds * cookies.len();
    // Every screen first gets the round as it stands (version 0).
    let connect = Instant::now();
    while arrivals.lock().await.iter().filter(|(_, v, _, _)| *v == 0).count() < screens {
        assert!(connect.elapsed() < Duration::from_secs(60), "not every screen connected");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let connect_secs = connect.elapsed().as_secs_f64();
    let rss_open: Vec<Option<u64>> = pids.iter().map(|pid| rss_kib(Some(*pid))).collect();

    let mut sent: HashMap<(usize, u64), Instant> = HashMap::new();
    let mut replies = Vec::new();
    for step in 0..steps {
        let command = if step == 0 { "start" } else { "advance" };
        let mut tasks = Vec::new();
        for (index, round) in round_ids.iter().enumerate() {
            let (addr, lead, round) = (addr.clone(), lead.clone(), round.clone());
            tasks.push(tokio::spawn(async move {
                let at = Instant::now();
                let version = step.to_string();
                let pairs =
                    [("round_id", round.as_str()), ("version", &version), ("command", command), ("confirmed", "true")];
                let reply = request(&addr, "POST", "/api/round_command", Some(&lead), Some(&form(&pairs))).await;
                assert_eq!(reply.status, 200, "{command}: {}", reply.body);
                (index, step + 1, at, at.elapsed())
            }));
        }
        for task in tasks {
            let (index, version, at, took) = task.await.unwrap();
            sent.insert((index, version), at);
            replies.push(took.as_secs_f64() * 1000.0);
        }
        let want = screens * (step as usize + 2);
        let wait = Instant::now();
        while arrivals.lock().await.len() < want && wait.elapsed() < Duration::from_secs(30) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    let arrivals = arrivals.lock().await.clone();
    let latencies_on = |on: Option<usize>| {
        let mut latencies: Vec<f64> = arrivals
            .iter()
            .filter(|(_, version, _, server)| *version > 0 && on.is_none_or(|on| on == *server))
            .filter_map(|(index, version, at, _)| {
                sent.get(&(*index, *version)).map(|sent| at.saturating_duration_since(*sent).as_secs_f64() * 1000.0)
            })
            .collect();
        latencies.sort_by(|a, b| a.total_cmp(b));
        latencies
    };
    let latencies = latencies_on(None);
    let expected = screens * steps as usize;

    let mut baseline = Vec::new();
    for _ in 0..200 {
        let at = Instant::now();
        request(&addr, "GET", "/healthz", None, None).await;
        baseline.push(at.elapsed().as_secs_f64() * 1000.0);
    }
    baseline.sort_by(|a, b| a.total_cmp(b));

    let mib = |kib: &[Option<u64>]| {
        if kib.is_empty() {
            return "n/a".to_string();
        }
        kib.iter()
            .map(|k| k.map_or("n/a".to_string(), |k| format!("{:.1}", k as f64 / 1024.0)))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let spread = if servers.len() == 1 { "one server".to_string() } else { format!("{} servers", servers.len()) };
    println!("| measure | samples | p50 ms | p95 ms | p99 ms |");
    println!("|---|---|---|---|---|");
    println!("{}", row("baseline: /healthz round trip (same client, idle)", &baseline.len().to_string(), baseline));
    let delivered = format!("{} of {expected}", latencies.len());
    let name = format!(
        "lead's step → participant's screen ({rounds} rounds × {} screens on {spread}, all rounds at once)",
        cookies.len()
    );
    println!("{}", row(&name, &delivered, latencies.clone()));
    if servers.len() > 1 {
        for (server, which) in [(0, "the lead's server"), (1, "the other server")] {
            let on = latencies_on(Some(server));
            println!("{}", row(&format!("… screens on {which}"), &on.len().to_string(), on));
        }
    }
    println!("{}", row("lead's step: request round trip (all rounds at once)", &replies.len().to_string(), replies));
    println!();
    println!(
        "Set-up ({rounds} cases, rounds and 4 presences each over HTTP): {setup_secs:.1} s; {screens} screens connected in {connect_secs:.2} s."
    );
    println!(
        "Server memory (RSS, per server): {} MiB before the screens opened, {} MiB with {screens} screens open.",
        mib(&rss_before),
        mib(&rss_open)
    );
    assert_eq!(latencies.len(), expected, "every screen receives every step");
}
