//! Live rounds under load, against a running Kring (`KRING_BENCH_URL`, demo data):
//! plans `BENCH_ROUNDS` (100) rounds in one community, opens the live screen of all
//! 8 participants of each over real TCP (Server-Sent Events), then lets every round
//! lead take `BENCH_STEPS` steps, all rounds at once. Prints p50/p95/p99 of the time
//! from a lead's step to each participant's screen receiving it, beside the baseline of
//! the same client's bare `/healthz` round trip in the same run, and the server's
//! memory (`KRING_BENCH_PID`) before and with all screens open.
//! Run by scripts/bench.sh; by hand: `cargo bench -p kring --bench rounds`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

const PASSWORD: &str = "kring-demo-2026";
const COMMUNITY: &str = "Begrijpend lezen in de onderbouw";
const FACILITATOR: &str = "a.debruin@esdal.test";
const CASE_BRINGER: &str = "m.vermeulen@esdal.test";
const LEAD: &str = "s.mulder@esdal.test";
const TIMEKEEPER: &str = "t.kuipers@esdal.test";
/// Marked present by the lead: with the four above, eight screens per round.
const OTHERS: [(&str, &str); 4] = [
    ("e.visser@esdal.test", "Eva Visser"),
    ("n.hendriks@esdal.test", "Noor Hendriks"),
    ("y.bos@esdal.test", "Yara Bos"),
    ("l.jansen@esdal.test", "Lotte Jansen"),
];

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

/// One HTTP/1.1 request on its own connection.
async fn request(addr: &str, method: &str, path: &str, cookie: Option<&str>, form: Option<&str>) -> Reply {
    let mut stream = TcpStream::connect(addr).await.expect("connect to Kring");
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept: application/json\r\n");
    if let Some(cookie) = cookie {
        head.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    if let Some(form) = form {
        head.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nSec-Fetch-Site: same-origin\r\nContent-Length: {}\r\n",
            form.len()
        ));
    }
    head.push_str("\r\n");
    head.push_str(form.unwrap_or_default());
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let chunked = headers.iter().any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked { dechunk(body) } else { body.to_string() };
    Reply { status, headers, body }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else { break };
        if size == 0 || after.len() < size {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    out
}

fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

async fn login(addr: &str, email: &str) -> String {
    let reply =
        request(addr, "POST", "/api/login", None, Some(&form(&[("email", email), ("password", PASSWORD)]))).await;
    assert_eq!(reply.status, 200, "login of {email}: {}", reply.body);
    reply
        .headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .filter_map(|(_, v)| v.split(';').next())
        .find(|pair| pair.starts_with("kring_session="))
        .expect("a session cookie")
        .to_string()
}

async fn call(addr: &str, endpoint: &str, cookie: &str, pairs: &[(&str, &str)]) -> serde_json::Value {
    let reply = request(addr, "POST", &format!("/api/{endpoint}"), Some(cookie), Some(&form(pairs))).await;
    assert_eq!(reply.status, 200, "{endpoint}: {}", reply.body);
    serde_json::from_str(&reply.body).unwrap_or(serde_json::Value::Null)
}

fn rss_kib(pid: Option<u32>) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", pid?)).ok()?;
    status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// When each (round, version) reached each screen.
type Arrivals = Arc<Mutex<Vec<(usize, u64, Instant)>>>;

/// Opens one live screen and records the version of every event it receives.
async fn screen(addr: String, round_index: usize, round_id: String, cookie: String, arrivals: Arrivals) {
    let mut stream = TcpStream::connect(&addr).await.expect("connect a screen");
    let head = format!(
        "GET /r/{round_id}/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\nCookie: {cookie}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buffer = String::new();
    let mut chunk = vec![0u8; 64 * 1024];
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
            if let Ok(version) = rest[..end].trim().parse::<u64>() {
                arrivals.lock().await.push((round_index, version, at));
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
    let base = std::env::var("KRING_BENCH_URL").unwrap_or_else(|_| "http://127.0.0.1:3000".into());
    let addr = base.trim_start_matches("http://").trim_end_matches('/').to_string();
    let pid = std::env::var("KRING_BENCH_PID").ok().and_then(|p| p.parse().ok());
    let rounds: usize = std::env::var("BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let steps: u64 = std::env::var("BENCH_STEPS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);

    let facilitator = login(&addr, FACILITATOR).await;
    let bringer = login(&addr, CASE_BRINGER).await;
    let lead = login(&addr, LEAD).await;
    let mut cookies = vec![facilitator.clone(), bringer.clone(), lead.clone(), login(&addr, TIMEKEEPER).await];
    for (email, _) in OTHERS {
        cookies.push(login(&addr, email).await);
    }
    let home = request(&addr, "GET", "/", Some(&facilitator), None).await.body;
    let community = home
        .split("href=\"/c/")
        .skip(1)
        .find(|part| part.split("</a>").next().is_some_and(|link| link.contains(COMMUNITY)))
        .and_then(|part| part.split('"').next())
        .expect("the community on the home page")
        .to_string();
    let planning = call(&addr, "round_planning", &facilitator, &[("community_id", &community)]).await;
    let member = |name: &str| -> String {
        planning["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .and_then(|m| m["id"].as_str())
            .unwrap_or_else(|| panic!("{name} is not a member"))
            .to_string()
    };
    let (lead_id, timekeeper_id) = (member("Sanne Mulder"), member("Thomas Kuipers"));
    let others: Vec<String> = OTHERS.iter().map(|(_, name)| member(name)).collect();

    let setup = Instant::now();
    let mut round_ids = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let case = call(
            &addr,
            "submit_case",
            &bringer,
            &[
                ("community_id", &community),
                ("title", &format!("Benchmarkcasus {i}")),
                ("situation", "Na de pauze zegt niemand in 2B nog iets, ook niet bij open vragen."),
                ("question", "Hoe krijg ik de klas na de pauze weer aan het praten?"),
            ],
        )
        .await;
        let round = call(
            &addr,
            "plan_round",
            &facilitator,
            &[
                ("community_id", &community),
                ("case_id", case.as_str().unwrap()),
                ("method_key", "incident_ten_phase"),
                ("lead_id", &lead_id),
                ("timekeeper_id", &timekeeper_id),
            ],
        )
        .await;
        let round = round.as_str().unwrap().to_string();
        for other in &others {
            call(&addr, "set_round_presence", &lead, &[("round_id", &round), ("user_id", other), ("present", "true")])
                .await;
        }
        round_ids.push(round);
    }
    let setup_secs = setup.elapsed().as_secs_f64();
    let rss_before = rss_kib(pid);

    let arrivals: Arrivals = Arc::new(Mutex::new(Vec::new()));
    for (index, round) in round_ids.iter().enumerate() {
        for cookie in &cookies {
            tokio::spawn(screen(addr.clone(), index, round.clone(), cookie.clone(), arrivals.clone()));
        }
    }
    let screens = rounds * cookies.len();
    // Every screen first gets the round as it stands (version 0).
    let connect = Instant::now();
    while arrivals.lock().await.iter().filter(|(_, v, _)| *v == 0).count() < screens {
        assert!(connect.elapsed() < Duration::from_secs(60), "not every screen connected");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let connect_secs = connect.elapsed().as_secs_f64();
    let rss_open = rss_kib(pid);

    let mut sent: HashMap<(usize, u64), Instant> = HashMap::new();
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
                (index, step + 1, at)
            }));
        }
        for task in tasks {
            let (index, version, at) = task.await.unwrap();
            sent.insert((index, version), at);
        }
        let want = screens * (step as usize + 2);
        let wait = Instant::now();
        while arrivals.lock().await.len() < want && wait.elapsed() < Duration::from_secs(30) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    let arrivals = arrivals.lock().await.clone();
    let mut latencies: Vec<f64> = arrivals
        .iter()
        .filter(|(_, version, _)| *version > 0)
        .filter_map(|(index, version, at)| {
            sent.get(&(*index, *version)).map(|sent| at.saturating_duration_since(*sent).as_secs_f64() * 1000.0)
        })
        .collect();
    latencies.sort_by(|a, b| a.total_cmp(b));
    let expected = screens * steps as usize;

    let mut baseline = Vec::new();
    for _ in 0..200 {
        let at = Instant::now();
        request(&addr, "GET", "/healthz", None, None).await;
        baseline.push(at.elapsed().as_secs_f64() * 1000.0);
    }
    baseline.sort_by(|a, b| a.total_cmp(b));

    let mib = |kib: Option<u64>| kib.map_or("n/a".to_string(), |k| format!("{:.1}", k as f64 / 1024.0));
    println!("| measure | samples | p50 ms | p95 ms | p99 ms |");
    println!("|---|---|---|---|---|");
    println!(
        "| baseline: /healthz round trip (same client, idle) | {} | {:.2} | {:.2} | {:.2} |",
        baseline.len(),
        percentile(&baseline, 0.5),
        percentile(&baseline, 0.95),
        percentile(&baseline, 0.99)
    );
    println!(
        "| lead's step → participant's screen ({rounds} rounds × {} screens, all rounds at once) | {} of {expected} | {:.2} | {:.2} | {:.2} |",
        cookies.len(),
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99)
    );
    println!();
    println!(
        "Set-up ({rounds} cases, rounds and 4 presences each over HTTP): {setup_secs:.1} s; {screens} screens connected in {connect_secs:.2} s."
    );
    println!(
        "Server memory (RSS): {} MiB before the screens opened, {} MiB with {screens} screens open.",
        mib(rss_before),
        mib(rss_open)
    );
    assert_eq!(latencies.len(), expected, "every screen receives every step");
}
