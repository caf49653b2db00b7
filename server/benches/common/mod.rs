//! What the live-round benchmarks share: the demo's people, plain HTTP/1.1 requests on
//! their own connections, signing in, server-function calls, memory and percentiles.
#![allow(dead_code)] // each benchmark uses its own part

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const PASSWORD: &str = "kring-demo-2026";
pub const COMMUNITY: &str = "Begrijpend lezen in de onderbouw";
pub const FACILITATOR: &str = "a.debruin@esdal.test";
pub const CASE_BRINGER: &str = "m.vermeulen@esdal.test";
pub const LEAD: &str = "s.mulder@esdal.test";
pub const TIMEKEEPER: &str = "t.kuipers@esdal.test";
/// Marked present by the lead: with the four above, eight screens per round.
pub const OTHERS: [(&str, &str); 4] = [
    ("e.visser@esdal.test", "Eva Visser"),
    ("n.hendriks@esdal.test", "Noor Hendriks"),
    ("y.bos@esdal.test", "Yara Bos"),
    ("l.jansen@esdal.test", "Lotte Jansen"),
];

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// One HTTP/1.1 request on its own connection.
pub async fn request(addr: &str, method: &str, path: &str, cookie: Option<&str>, form: Option<&str>) -> Reply {
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

pub fn dechunk(mut rest: &str) -> String {
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

pub fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

pub async fn login(addr: &str, email: &str) -> String {
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

pub async fn call(addr: &str, endpoint: &str, cookie: &str, pairs: &[(&str, &str)]) -> serde_json::Value {
    let reply = request(addr, "POST", &format!("/api/{endpoint}"), Some(cookie), Some(&form(pairs))).await;
    assert_eq!(reply.status, 200, "{endpoint}: {}", reply.body);
    serde_json::from_str(&reply.body).unwrap_or(serde_json::Value::Null)
}

pub fn rss_kib(pid: Option<u32>) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", pid?)).ok()?;
    status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()
}

/// The servers to measure: `KRING_BENCH_URLS` (comma separated) or `KRING_BENCH_URL`,
/// as `host:port`.
pub fn servers_from_env() -> Vec<String> {
    std::env::var("KRING_BENCH_URLS")
        .or_else(|_| std::env::var("KRING_BENCH_URL"))
        .unwrap_or_else(|_| "http://127.0.0.1:3000".into())
        .split(',')
        .map(|base| base.trim().trim_start_matches("http://").trim_end_matches('/').to_string())
        .collect()
}

/// The servers' process ids, for their memory: `KRING_BENCH_PIDS` or `KRING_BENCH_PID`.
pub fn pids_from_env() -> Vec<u32> {
    std::env::var("KRING_BENCH_PIDS")
        .or_else(|_| std::env::var("KRING_BENCH_PID"))
        .unwrap_or_default()
        .split(',')
        .filter_map(|p| p.trim().parse().ok())
        .collect()
}

/// A table row: `name`, what was counted, and p50/p95/p99 of `samples` (ms).
pub fn row(name: &str, counted: &str, mut samples: Vec<f64>) -> String {
    samples.sort_by(|a, b| a.total_cmp(b));
    format!(
        "| {name} | {counted} | {:.2} | {:.2} | {:.2} |",
        percentile(&samples, 0.5),
        percentile(&samples, 0.95),
        percentile(&samples, 0.99)
    )
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The demo's people of one community, signed in, who plan and run the rounds.
pub struct Cast {
    pub facilitator: String,
    pub bringer: String,
    pub lead: String,
    /// Everyone's session: the facilitator, case bringer, lead, timekeeper and the four
    /// others, in that order (eight screens per round).
    pub cookies: Vec<String>,
    pub community: String,
    pub lead_id: String,
    pub timekeeper_id: String,
    /// The four others' ids, marked present by the lead.
    pub others: Vec<String>,
}

impl Cast {
    pub async fn sign_in(addr: &str) -> Cast {
        let facilitator = login(addr, FACILITATOR).await;
        let bringer = login(addr, CASE_BRINGER).await;
        let lead = login(addr, LEAD).await;
        let mut cookies = vec![facilitator.clone(), bringer.clone(), lead.clone(), login(addr, TIMEKEEPER).await];
        for (email, _) in OTHERS {
            cookies.push(login(addr, email).await);
        }
        let home = request(addr, "GET", "/", Some(&facilitator), None).await.body;
        let community = home
            .split("href=\"/c/")
            .skip(1)
            .find(|part| part.split("</a>").next().is_some_and(|link| link.contains(COMMUNITY)))
            .and_then(|part| part.split('"').next())
            .expect("the community on the home page")
            .to_string();
        let planning = call(addr, "round_planning", &facilitator, &[("community_id", &community)]).await;
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
        let others = OTHERS.iter().map(|(_, name)| member(name)).collect();
        Cast { facilitator, bringer, lead, cookies, community, lead_id, timekeeper_id, others }
    }

    /// A case brought and a round planned on it (incident method, ten phases); its id.
    pub async fn plan_round(&self, addr: &str, number: usize) -> String {
        let case = call(
            addr,
            "submit_case",
            &self.bringer,
            &[
                ("community_id", &self.community),
                ("title", &format!("Benchmarkcasus {number}")),
                ("situation", "Na de pauze zegt niemand in 2B nog iets, ook niet bij open vragen."),
                ("question", "Hoe krijg ik de klas na de pauze weer aan het praten?"),
            ],
        )
        .await;
        let round = call(
            addr,
            "plan_round",
            &self.facilitator,
            &[
                ("community_id", &self.community),
                ("case_id", case.as_str().unwrap()),
                ("method_key", "incident_ten_phase"),
                ("lead_id", &self.lead_id),
                ("timekeeper_id", &self.timekeeper_id),
            ],
        )
        .await;
        round.as_str().unwrap().to_string()
    }

    /// The lead marks `person` present, so they can open the round.
    pub async fn mark_present(&self, addr: &str, round: &str, person: &str) {
        call(addr, "set_round_presence", &self.lead, &[("round_id", round), ("user_id", person), ("present", "true")])
            .await;
    }
}
