//! Scale benchmark (issue 10): 5,000 daily plans in four zones on SQLite, with weeks of
//! history, against the real `lull serve` binary on loopback.
//!
//! 1. Quiet reads: one plan's events and one plan (50 plans each), listing all plans, and
//!    the operators' tools that read everything (metrics, calendar, Atom, Statuspage
//!    summary, export).
//! 2. The page: `GET /` next to a static axum handler of the same size, same run (wrk,
//!    when installed; the Debian package).
//! 3. Load: 8 API clients creating, patching and skipping for 30 s while two readers load
//!    `GET /`; latency per operation, failures (any answer that is not 2xx).
//!
//! The plans and their history are written with SQL into a fresh database (rows as the API
//! and the scheduler write them: a plan's `start_local`, zone and rule as validated, its
//! past windows COMPLETED and observed); the server then stores the next 7 days itself.
//!
//!     cargo bench --bench scale
//!     SCALE_PLANS=5000 SCALE_HISTORY_DAYS=60 SCALE_SECS=30 SCALE_CLIENTS=8 SCALE_READERS=2 cargo bench --bench scale
//!     SCALE_LULL_BIN=/path/to/an/older/lull cargo bench --bench scale     (before/after)
//!     SCALE_LULL_LOG=warn,sqlx::query=debug cargo bench --bench scale     (every statement)

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rand::{Rng, SeedableRng};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};

const ZONES: [Tz; 4] = [
    chrono_tz::UTC,
    chrono_tz::Europe::Berlin,
    chrono_tz::America::New_York,
    chrono_tz::Asia::Tokyo,
];
const MONITORS: usize = 250;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A seeded plan: daily at `hh:mm` in `tz` (hours 4–23, clear of DST changes).
#[derive(Clone, Copy)]
struct Plan {
    id: i64,
    tz: Tz,
    hh: u32,
    mm: u32,
}

impl Plan {
    fn of(i: usize, id: i64) -> Self {
        Self {
            id,
            tz: ZONES[i % 4],
            hh: 4 + (i / 4 % 20) as u32,
            mm: (i / 80 % 4) as u32 * 15,
        }
    }

    fn at(&self, day: NaiveDate) -> DateTime<Utc> {
        let local = day.and_hms_opt(self.hh, self.mm, 0).expect("valid time");
        self.tz
            .from_local_datetime(&local)
            .single()
            .expect("no DST change at 04:00–23:45")
            .with_timezone(&Utc)
    }

    fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.tz).date_naive()
    }
}

/// The server under test: this build's, or another (`SCALE_LULL_BIN`, e.g. an older
/// build to compare with).
fn lull_bin() -> String {
    std::env::var("SCALE_LULL_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_lull").to_string())
}

fn lull(args: &[&str], url: &str) -> String {
    let out = std::process::Command::new(lull_bin())
        .args(args)
        .env("LULL_DATABASE_URL", url)
        .env("LULL_LOG", "error")
        .output()
        .expect("run lull");
    assert!(
        out.status.success(),
        "lull {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

async fn seed(pool: &SqlitePool, plans: usize, history_days: i64, now: DateTime<Utc>) -> Vec<Plan> {
    let ts = now.timestamp();
    let created = ts - history_days * 86_400 - 86_400;
    let mut tx = pool.begin().await.unwrap();
    for i in 1..=MONITORS {
        sqlx::query(
            "INSERT INTO monitors (slug, name, group_name, description, status, created_at, updated_at)
             VALUES (?, ?, ?, '', 'UP', ?, ?)",
        )
        .bind(format!("svc-{i}"))
        .bind(format!("Service {i}"))
        .bind(format!("Group {}", (i - 1) / 25 + 1))
        .bind(ts)
        .bind(ts)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    let mut seeded = Vec::with_capacity(plans);
    for i in 0..plans {
        let p = Plan::of(i, 0);
        let first = p.today(now) - chrono::Days::new(history_days as u64 + 1);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO maintenances (title, description, start_local, timezone, duration, rrule, status,
                reminder_lead, notify_scheduled, notify_reminder, notify_start, notify_completion,
                notify_cancellation, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, 'FREQ=DAILY', 'ACTIVE', 3600, 1, 1, 1, 1, 1, ?, ?) RETURNING id",
        )
        .bind(format!("Nightly job {i}"))
        .bind(format!("Routine **maintenance** of batch {i}."))
        .bind(format!("{}T{:02}:{:02}:00", first.format("%Y-%m-%d"), p.hh, p.mm))
        .bind(p.tz.name())
        .bind(if i % 2 == 0 { 1800 } else { 2700 })
        .bind(created)
        .bind(created)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO maintenance_monitors (maintenance_id, monitor_id, impact) VALUES (?, ?, 'MAINTENANCE')",
        )
        .bind(id)
        .bind((i % MONITORS) as i64 + 1)
        .execute(&mut *tx)
        .await
        .unwrap();
        seeded.push(Plan { id, ..p });
    }
    tx.commit().await.unwrap();
    // History: every window that has ended since the plan began, COMPLETED and observed,
    // as the scheduler leaves them.
    let mut rows: Vec<(i64, i64, i64)> = Vec::new();
    for (i, p) in seeded.iter().enumerate() {
        let duration = if i % 2 == 0 { 1800 } else { 2700 };
        for d in 0..=history_days {
            let start = p.at(p.today(now) - chrono::Days::new(d as u64)).timestamp();
            if start + duration <= ts {
                rows.push((p.id, start, start + duration));
            }
        }
    }
    let mut tx = pool.begin().await.unwrap();
    for chunk in rows.chunks(90) {
        let values = vec!["(?, ?, ?, ?, ?, 3600, 'COMPLETED', 1, ?, ?)"; chunk.len()].join(", ");
        let sql = format!(
            "INSERT INTO events (maintenance_id, scheduled_start, scheduled_end, start_at, end_at, lead, status,
                observed, created_at, updated_at) VALUES {values}"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, start, end) in chunk {
            q = q
                .bind(id)
                .bind(start)
                .bind(end)
                .bind(start)
                .bind(end)
                .bind(end)
                .bind(end);
        }
        q.execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    seeded
}

#[derive(Default)]
struct Samples {
    ms: Vec<f64>,
    failures: usize,
    first_failure: Option<String>,
}

impl Samples {
    fn add(&mut self, started: Instant, outcome: Result<reqwest::StatusCode, String>) {
        self.ms.push(started.elapsed().as_secs_f64() * 1000.0);
        match outcome {
            Ok(s) if s.is_success() => {}
            Ok(s) => self.fail(format!("HTTP {s}")),
            Err(e) => self.fail(e),
        }
    }

    fn fail(&mut self, why: String) {
        self.failures += 1;
        self.first_failure.get_or_insert(why);
    }

    fn merge(&mut self, other: Samples) {
        self.ms.extend(other.ms);
        self.failures += other.failures;
        if self.first_failure.is_none() {
            self.first_failure = other.first_failure;
        }
    }

    fn pct(&self, p: f64) -> f64 {
        let mut v = self.ms.clone();
        v.sort_by(f64::total_cmp);
        if v.is_empty() {
            return 0.0;
        }
        v[((v.len() - 1) as f64 * p).round() as usize]
    }

    fn line(&self, name: &str) {
        let why = self
            .first_failure
            .as_deref()
            .map(|w| format!(" (first: {w})"))
            .unwrap_or_default();
        println!(
            "{name:<28} {:>7} {:>9.1} {:>9.1} {:>9.1} {:>9}{why}",
            self.ms.len(),
            self.pct(0.5),
            self.pct(0.99),
            self.pct(1.0),
            self.failures
        );
    }
}

fn header() {
    println!(
        "{:<28} {:>7} {:>9} {:>9} {:>9} {:>9}",
        "operation", "count", "p50 ms", "p99 ms", "max ms", "failures"
    );
}

async fn timed(req: reqwest::RequestBuilder, samples: &mut Samples) -> Option<String> {
    let started = Instant::now();
    match req.send().await {
        Ok(r) => {
            let status = r.status();
            let body = r.text().await;
            samples.add(started, Ok(status));
            body.ok()
        }
        Err(e) => {
            samples.add(started, Err(e.to_string()));
            None
        }
    }
}

/// `wrk -t2 -c50 -d{secs}s` on `url`: requests per second and p99.
fn wrk(url: &str, secs: u64) -> Option<(f64, String)> {
    let out = std::process::Command::new("wrk")
        .args(["-t2", "-c50", &format!("-d{secs}s"), "--latency", url])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let rps = text
        .lines()
        .find(|l| l.starts_with("Requests/sec"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    let p99 = text
        .lines()
        .find(|l| l.trim_start().starts_with("99%"))?
        .split_whitespace()
        .nth(1)?
        .to_string();
    Some((rps, p99))
}

/// A static body of `size` bytes behind a trivial axum handler: the ceiling for `GET /`.
async fn ceiling(size: usize) -> String {
    let body: &'static str = Box::leak("x".repeat(size).into_boxed_str());
    let app = axum::Router::new().route("/", axum::routing::get(move || async move { body }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

#[tokio::main]
async fn main() {
    let plans = env("SCALE_PLANS", 5000) as usize;
    let history_days = env("SCALE_HISTORY_DAYS", 60) as i64;
    let secs = env("SCALE_SECS", 30);
    let clients = env("SCALE_CLIENTS", 8) as usize;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scale.db");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    lull(&["migrate"], &url);
    let token = lull(&["token", "create", "--name", "bench"], &url)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();

    let now = Utc::now();
    let began = Instant::now();
    let pool = SqlitePool::connect_with(SqliteConnectOptions::new().filename(&path))
        .await
        .unwrap();
    let seeded = seed(&pool, plans, history_days, now).await;
    let history: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    println!(
        "seeded {plans} daily plans in {} zones, {MONITORS} monitors, {history} past events ({history_days} days) in {:.1} s",
        ZONES.len(),
        began.elapsed().as_secs_f64()
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let child = tokio::process::Command::new(lull_bin())
        .arg("serve")
        .env("LULL_DATABASE_URL", &url)
        .env("LULL_BIND", format!("127.0.0.1:{port}"))
        .env(
            "LULL_LOG",
            std::env::var("SCALE_LULL_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = child.id().unwrap_or_default();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    // Ready when the page lists the plans' next windows (the first horizon pass stored them).
    let page_size = loop {
        if let Ok(r) = http.get(format!("{base}/")).send().await
            && r.status().is_success()
            && let Ok(body) = r.text().await
            && body.contains(&format!("Nightly job {}", plans - 1))
        {
            break body.len();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    println!(
        "server up, horizon stored and page built in {:.1} s; page {:.1} kB",
        started.elapsed().as_secs_f64(),
        page_size as f64 / 1000.0
    );

    // 1. Quiet reads.
    let auth = |r: reqwest::RequestBuilder| r.bearer_auth(&token);
    let mut rng = rand::rng();
    let (mut one_events, mut one_plan, mut all_plans, mut page) = (
        Samples::default(),
        Samples::default(),
        Samples::default(),
        Samples::default(),
    );
    for _ in 0..50 {
        let p = seeded[rng.random_range(0..seeded.len())];
        timed(
            auth(http.get(format!("{base}/api/v1/maintenances/{}/events", p.id))),
            &mut one_events,
        )
        .await;
        timed(
            auth(http.get(format!("{base}/api/v1/maintenances/{}", p.id))),
            &mut one_plan,
        )
        .await;
        timed(http.get(format!("{base}/")), &mut page).await;
    }
    for _ in 0..5 {
        timed(auth(http.get(format!("{base}/api/v1/maintenances"))), &mut all_plans).await;
    }
    // Operators' tools (issue 12): each reads every plan, or every event's count.
    let mut tools = Vec::new();
    for (name, path, token) in [
        ("GET /metrics", "/metrics", false),
        ("GET /maintenance.ics", "/maintenance.ics", false),
        ("GET /feed.atom", "/feed.atom", false),
        ("GET /api/v2/summary.json", "/api/v2/summary.json", false),
        ("GET /api/v1/export", "/api/v1/export", true),
    ] {
        let mut samples = Samples::default();
        for _ in 0..5 {
            let req = http.get(format!("{base}{path}"));
            timed(if token { auth(req) } else { req }, &mut samples).await;
        }
        tools.push((name, samples));
    }
    println!("\n== quiet reads");
    header();
    one_events.line("one plan's events");
    one_plan.line("one plan");
    all_plans.line("list all plans");
    page.line("GET /");
    for (name, samples) in &tools {
        samples.line(name);
    }

    // 2. The page against the ceiling.
    if std::process::Command::new("wrk").arg("--version").output().is_ok() {
        let ceil = ceiling(page_size).await;
        let lull = wrk(&format!("{base}/"), 5);
        let top = wrk(&ceil, 5);
        if let (Some((l, lp)), Some((c, cp))) = (lull, top) {
            println!("\n== GET / vs a static handler of the same size (wrk -t2 -c50 -d5s)");
            println!(
                "lull GET /: {l:.0} req/s, p99 {lp}; static: {c:.0} req/s, p99 {cp}; ratio {:.0} %",
                100.0 * l / c
            );
        }
    } else {
        println!("\n(wrk not installed: page ratio skipped; see benches/page.sh)");
    }

    // 3. Writers and readers at once.
    let stop = Arc::new(AtomicBool::new(false));
    let seeded = Arc::new(seeded);
    let mut writers = Vec::new();
    for c in 0..clients {
        let (http, base, token, stop, seeded) =
            (http.clone(), base.clone(), token.clone(), stop.clone(), seeded.clone());
        writers.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(c as u64);
            let mut ops = [Samples::default(), Samples::default(), Samples::default()];
            let mut n = c;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let p = seeded[rng.random_range(0..seeded.len())];
                match n % 3 {
                    0 => {
                        let tz = ZONES[n % 4];
                        let day = Utc::now().with_timezone(&tz).date_naive() + chrono::Days::new(1);
                        let body = serde_json::json!({
                            "title": format!("Extra job {c}-{n}"),
                            "description": "Added under load.",
                            "start": format!("{}T{:02}:{:02}", day.format("%Y-%m-%d"), 4 + n % 20, (n % 4) * 15),
                            "timezone": tz.name(),
                            "duration": 1200,
                            "rrule": "FREQ=DAILY",
                            "monitors": [{"slug": format!("svc-{}", n % MONITORS + 1)}],
                        });
                        let req = http.post(format!("{base}/api/v1/maintenances")).bearer_auth(&token).json(&body);
                        timed(req, &mut ops[0]).await;
                    }
                    1 => {
                        // Half the patches change words, half the length of every window.
                        let body = if n % 2 == 0 {
                            serde_json::json!({"title": format!("Nightly job {} (edited {n})", p.id), "description": "Edited under load."})
                        } else {
                            serde_json::json!({"duration": 1500 + (n % 4) * 300})
                        };
                        let req = http
                            .patch(format!("{base}/api/v1/maintenances/{}", p.id))
                            .bearer_auth(&token)
                            .json(&body);
                        timed(req, &mut ops[1]).await;
                    }
                    _ => {
                        let day = p.today(Utc::now()) + chrono::Days::new(rng.random_range(1..=6));
                        let start = format!("{}-{:02}-{:02}T{:02}:{:02}", day.year(), day.month(), day.day(), p.hh, p.mm);
                        let req = http
                            .post(format!("{base}/api/v1/maintenances/{}/skip", p.id))
                            .bearer_auth(&token)
                            .json(&serde_json::json!({ "start": start }));
                        timed(req, &mut ops[2]).await;
                    }
                }
            }
            ops
        }));
    }
    let mut readers = Vec::new();
    for _ in 0..env("SCALE_READERS", 2) {
        let (http, base, stop) = (http.clone(), base.clone(), stop.clone());
        readers.push(tokio::spawn(async move {
            let mut s = Samples::default();
            // As a browser asks: the page's gzip snapshot.
            while !stop.load(Ordering::Relaxed) {
                let req = http.get(format!("{base}/")).header("accept-encoding", "gzip");
                timed(req, &mut s).await;
            }
            s
        }));
    }
    let load_began = Instant::now();
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    let mut ops = [Samples::default(), Samples::default(), Samples::default()];
    for w in writers {
        for (all, mine) in ops.iter_mut().zip(w.await.unwrap()) {
            all.merge(mine);
        }
    }
    let mut reads = Samples::default();
    for r in readers {
        reads.merge(r.await.unwrap());
    }
    let elapsed = load_began.elapsed().as_secs_f64();
    let mut writes = Samples::default();
    for o in &ops {
        writes.merge(Samples {
            ms: o.ms.clone(),
            failures: o.failures,
            first_failure: o.first_failure.clone(),
        });
    }
    println!(
        "\n== {clients} API clients writing for {secs} s while {} readers load GET /",
        env("SCALE_READERS", 2)
    );
    header();
    ops[0].line("create a plan");
    ops[1].line("patch a plan");
    ops[2].line("skip an occurrence");
    writes.line("all writes");
    reads.line("GET / (during writes)");
    println!(
        "writes/s: {:.0}, page reads/s: {:.0}",
        writes.ms.len() as f64 / elapsed,
        reads.ms.len() as f64 / elapsed
    );

    // 4. One plan's events again, now that the writes added plans, skips and history.
    let mut after = Samples::default();
    for _ in 0..50 {
        let p = seeded[rng.random_range(0..seeded.len())];
        timed(
            auth(http.get(format!("{base}/api/v1/maintenances/{}/events", p.id))),
            &mut after,
        )
        .await;
    }
    let mut all_after = Samples::default();
    for _ in 0..3 {
        timed(auth(http.get(format!("{base}/api/v1/maintenances"))), &mut all_after).await;
    }
    println!("\n== after the load");
    header();
    after.line("one plan's events");
    all_after.line("list all plans");
    println!("server resident memory: {:.0} MB", rss_mb(pid));
    drop(child);
}
