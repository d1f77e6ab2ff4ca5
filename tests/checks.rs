//! The check runner against real HTTP and TCP servers on loopback: statuses found, flap
//! damping, and checks paused while maintenance affects a monitor. The runner's "run what
//! is due" is called directly, with the test clock moved past each interval.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration as StdDuration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use chrono::Duration;
use lull::checks::Runner;
use lull::domain::check::CheckInput;
use lull::domain::impact::MonitorStatus;
use lull::service::Actor;
use lull::service::monitors::{self, MonitorInput};

use common::{TestDb, t0};

/// A loopback HTTP server: `/ok` answers "all good", `/fail` 500, `/slow` after 3 s,
/// `/sluggish` after 400 ms, `/flip` 200 or 503 as `failing` says; `hits` counts every
/// request.
struct Target {
    base: String,
    hits: Arc<AtomicUsize>,
    failing: Arc<std::sync::atomic::AtomicBool>,
}

impl Target {
    async fn start() -> Self {
        let hits = Arc::new(AtomicUsize::new(0));
        let count = hits.clone();
        let failing = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = failing.clone();
        let router = Router::new()
            .route(
                "/flip",
                get(move || {
                    let fail = flag.load(Ordering::SeqCst);
                    async move {
                        if fail {
                            (StatusCode::SERVICE_UNAVAILABLE, "down")
                        } else {
                            (StatusCode::OK, "up")
                        }
                    }
                }),
            )
            .route("/ok", get(|| async { "all good" }))
            .route("/fail", get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }))
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(StdDuration::from_secs(3)).await;
                    "late"
                }),
            )
            .route(
                "/sluggish",
                get(|| async {
                    tokio::time::sleep(StdDuration::from_millis(400)).await;
                    "all good, slowly"
                }),
            )
            .layer(axum::middleware::from_fn(move |req, next: axum::middleware::Next| {
                let count = count.clone();
                async move {
                    count.fetch_add(1, Ordering::SeqCst);
                    next.run(req).await
                }
            }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { base, hits, failing }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

fn actor() -> Actor {
    Actor("test".into())
}

async fn monitor(db: &TestDb, slug: &str, check: CheckInput) {
    let input = MonitorInput {
        name: slug.to_uppercase(),
        slug: slug.into(),
        check,
        ..MonitorInput::default()
    };
    monitors::create(&db.services, &actor(), input).await.unwrap();
}

fn http(url: String, retries: i64) -> CheckInput {
    CheckInput {
        kind: Some("http".into()),
        url: Some(url),
        interval: Some(30),
        timeout: Some(1),
        retries: Some(retries),
        ..CheckInput::default()
    }
}

/// Saves a maintenance plan from its API body.
async fn plan(db: &TestDb, body: serde_json::Value) {
    let input = serde_json::from_value(body).unwrap();
    lull::service::maintenances::create(&db.services, &actor(), input)
        .await
        .unwrap();
}

/// Points monitor `slug`'s HTTP check at `url`.
async fn point(db: &TestDb, slug: &str, url: String) {
    let patch = lull::service::monitors::MonitorPatch {
        check: CheckInput {
            url: Some(url),
            ..CheckInput::default()
        },
        ..Default::default()
    };
    monitors::update(&db.services, &actor(), slug, patch).await.unwrap();
}

async fn status(db: &TestDb, slug: &str) -> MonitorStatus {
    monitors::get(&db.services, slug).await.unwrap().status
}

/// Sets the clock to `secs` after t0 and runs what is due.
async fn at_second(db: &TestDb, runner: &mut Runner, secs: i64) -> Vec<lull::checks::Outcome> {
    db.clock.set(t0() + Duration::seconds(secs));
    runner.run_due(&db.services, db.services.now()).await.unwrap().0
}

/// Moves the clock one interval (30 s) on and runs what is due.
async fn round(db: &TestDb, runner: &mut Runner) -> Vec<lull::checks::Outcome> {
    db.clock.advance(Duration::seconds(30));
    runner.run_due(&db.services, db.services.now()).await.unwrap().0
}

#[tokio::test]
async fn http_and_tcp_checks_find_up_down_and_degraded() {
    let db = TestDb::new(t0()).await;
    let target = Target::start().await;
    let open = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    monitor(&db, "ok", http(format!("{}/ok", target.base), 0)).await;
    monitor(&db, "fail", http(format!("{}/fail", target.base), 0)).await;
    monitor(&db, "slow", http(format!("{}/slow", target.base), 0)).await;
    let mut sluggish = http(format!("{}/sluggish", target.base), 0);
    sluggish.degraded_after_ms = Some(200);
    monitor(&db, "sluggish", sluggish).await;
    let mut keyword = http(format!("{}/ok", target.base), 0);
    keyword.keyword = Some("maintenance".into());
    monitor(&db, "keyword", keyword).await;
    let tcp = |target: String| CheckInput {
        kind: Some("tcp".into()),
        target: Some(target),
        interval: Some(30),
        timeout: Some(1),
        ..CheckInput::default()
    };
    monitor(&db, "tcp-open", tcp(open.local_addr().unwrap().to_string())).await;
    monitor(&db, "tcp-closed", tcp(closed.to_string())).await;
    // A manual monitor is never checked and keeps what a person set.
    monitors::create(
        &db.services,
        &actor(),
        MonitorInput {
            name: "Manual".into(),
            slug: "manual".into(),
            status: Some("DEGRADED".into()),
            ..MonitorInput::default()
        },
    )
    .await
    .unwrap();

    let mut runner = Runner::new();
    // First checks are spread over the first interval: none runs at once …
    let first = runner.run_due(&db.services, db.services.now()).await.unwrap();
    assert!(first.0.len() < 7, "all checks fired at once: {:?}", first.0);
    assert!(first.1 <= db.services.now() + Duration::seconds(30));
    // … and all have run once the interval has passed.
    let outcomes = round(&db, &mut runner).await;
    assert_eq!(outcomes.len() + first.0.len(), 7, "{outcomes:?}");
    let expected = [
        ("ok", MonitorStatus::Up),
        ("fail", MonitorStatus::Down),
        ("slow", MonitorStatus::Down),
        ("sluggish", MonitorStatus::Degraded),
        ("keyword", MonitorStatus::Down),
        ("tcp-open", MonitorStatus::Up),
        ("tcp-closed", MonitorStatus::Down),
        ("manual", MonitorStatus::Degraded),
    ];
    for (slug, want) in expected {
        assert_eq!(status(&db, slug).await, want, "{slug}");
    }
    let all: Vec<_> = first.0.iter().chain(&outcomes).collect();
    let error = |slug_url: &str| {
        all.iter()
            .find(|o| o.error.as_deref().is_some_and(|e| e.contains(slug_url)))
            .map(|o| o.error.clone().unwrap())
    };
    assert!(error("HTTP 500").is_some(), "{all:?}");
    assert!(error("no answer within 1 s").is_some(), "{all:?}");
    assert!(error("does not contain 'maintenance'").is_some(), "{all:?}");
    // The slow target took its whole timeout; the others did not wait for it.
    let fast = all.iter().filter(|o| o.latency_ms < 900).count();
    assert!(fast >= 5, "{all:?}");
}

#[tokio::test]
async fn a_monitor_turns_down_after_its_retries_and_up_at_the_first_good_answer() {
    let db = TestDb::new(t0()).await;
    let target = Target::start().await;
    monitor(&db, "api", http(format!("{}/fail", target.base), 2)).await;
    let mut runner = Runner::new();
    runner.run_due(&db.services, db.services.now()).await.unwrap();
    round(&db, &mut runner).await; // the first check (jittered) has run by now
    let hits = target.hits();
    assert!(hits >= 1);
    // Failures 1..=3 with retries = 2: DOWN only at the third in a row.
    let mut seen = Vec::new();
    while target.hits() < 3 {
        seen.push(status(&db, "api").await);
        round(&db, &mut runner).await;
    }
    assert!(seen.iter().all(|s| *s == MonitorStatus::Up), "{seen:?}");
    assert_eq!(status(&db, "api").await, MonitorStatus::Down);

    // The service recovers: one good answer is enough.
    point(&db, "api", format!("{}/ok", target.base)).await;
    // A changed definition starts over: its first check within the next interval.
    round(&db, &mut runner).await;
    round(&db, &mut runner).await;
    assert_eq!(status(&db, "api").await, MonitorStatus::Up);
}

#[tokio::test]
async fn checks_pause_while_maintenance_affects_the_monitor_and_the_first_after_decides() {
    let db = TestDb::new(t0()).await;
    let target = Target::start().await;
    monitor(&db, "api", http(format!("{}/fail", target.base), 3)).await;
    monitor(&db, "web", http(format!("{}/fail", target.base), 0)).await;
    // Maintenance on `api` only, from 12:05 to 12:35 (t0 is 12:00).
    plan(
        &db,
        serde_json::json!({
            "title": "Upgrade", "start": "2026-05-10T12:05", "timezone": "UTC", "duration": 1800,
            "monitors": [{"slug": "api", "impact": "MAINTENANCE"}]
        }),
    )
    .await;
    let mut runner = Runner::new();
    runner.run_due(&db.services, db.services.now()).await.unwrap();
    let api_checks = |o: &[lull::checks::Outcome], id: i64| o.iter().filter(|o| o.monitor_id == id).count();
    let api_id = monitors::get(&db.services, "api").await.unwrap().id;
    let web_id = monitors::get(&db.services, "web").await.unwrap().id;

    // 12:05 to 12:35: `api` is not checked at all; `web`, which no event affects, is.
    db.clock.set(common::utc("2026-05-10T12:05:00Z"));
    let (mut api_during, mut web_during) = (0, 0);
    for _ in 0..59 {
        let out = round(&db, &mut runner).await;
        let now = db.services.now();
        if now >= common::utc("2026-05-10T12:05:00Z") && now < common::utc("2026-05-10T12:35:00Z") {
            api_during += api_checks(&out, api_id);
            web_during += api_checks(&out, web_id);
        }
        if now >= common::utc("2026-05-10T12:34:30Z") {
            break;
        }
    }
    assert_eq!(api_during, 0, "api was checked during its maintenance");
    assert!(web_during >= 50, "web stopped being checked: {web_during}");
    assert_eq!(status(&db, "web").await, MonitorStatus::Down);
    assert_eq!(
        status(&db, "api").await,
        MonitorStatus::Up,
        "a paused monitor keeps its status"
    );

    // The window ends at 12:35: the first check after it decides, without waiting for
    // `retries` (3) more failures.
    let out = round(&db, &mut runner).await;
    assert_eq!(db.services.now(), common::utc("2026-05-10T12:35:00Z"));
    assert_eq!(api_checks(&out, api_id), 1, "{out:?}");
    assert_eq!(status(&db, "api").await, MonitorStatus::Down);
}

#[tokio::test]
async fn results_keep_the_last_100_and_every_status_change() {
    let db = TestDb::new(t0()).await;
    let target = Target::start().await;
    monitor(&db, "api", http(format!("{}/flip", target.base), 0)).await;
    let mut runner = Runner::new();
    runner.run_due(&db.services, db.services.now()).await.unwrap();
    for _ in 0..3 {
        round(&db, &mut runner).await;
    }
    target.failing.store(true, Ordering::SeqCst);
    round(&db, &mut runner).await;
    assert_eq!(status(&db, "api").await, MonitorStatus::Down);
    for _ in 0..150 {
        round(&db, &mut runner).await;
    }
    target.failing.store(false, Ordering::SeqCst);
    round(&db, &mut runner).await;
    assert_eq!(status(&db, "api").await, MonitorStatus::Up);

    // 155 checks ran (the first within the first interval): the last 100 are kept, and the
    // change to DOWN, older than those, too.
    let all = lull::service::monitors::checks(&db.services, "api", 1000, true)
        .await
        .unwrap();
    assert_eq!(all.len(), 101, "{}", all.len());
    assert!(all[0].changed && all[0].status == MonitorStatus::Up, "{:?}", all[0]);
    assert!(
        all[1..100]
            .iter()
            .all(|c| !c.changed && c.status == MonitorStatus::Down)
    );
    assert!(
        all[100].changed && all[100].status == MonitorStatus::Down,
        "{:?}",
        all[100]
    );
    assert!(
        all[100].error.as_deref().is_some_and(|e| e.contains("HTTP 503")),
        "{:?}",
        all[100]
    );
    assert!(all.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
    let anonymous = lull::service::monitors::checks(&db.services, "api", 5, false)
        .await
        .unwrap();
    assert_eq!(anonymous.len(), 5);
    assert!(anonymous.iter().all(|c| c.error.is_none()));
}

#[tokio::test]
async fn the_checks_endpoint_lists_results_newest_first_errors_only_with_a_token() {
    let app = common::spawn_app().await;
    let m = app.monitor("api").await;
    for (i, (status, error)) in [("UP", None), ("DOWN", Some("HTTP 500, expected 200-399"))]
        .iter()
        .enumerate()
    {
        sqlx::query(
            "INSERT INTO check_results (monitor_id, at, status, latency_ms, error, changed) VALUES ($1, $2, $3, $4, $5, 1)",
        )
        .bind(m["id"].as_i64().unwrap())
        .bind(t0().timestamp() + i as i64 * 30)
        .bind(*status)
        .bind(12_i64)
        .bind(*error)
        .execute(&app.store.pool)
        .await
        .unwrap();
    }
    let (code, list) = app.get("/api/v1/monitors/api/checks").await;
    assert_eq!(code, StatusCode::OK, "{list}");
    assert_eq!(list[0]["status"], "DOWN");
    assert_eq!(list[0]["error"], "HTTP 500, expected 200-399");
    assert_eq!(list[0]["latency_ms"], 12);
    assert_eq!(list[1]["status"], "UP");
    assert_eq!(list[0]["at"], "2026-05-10T12:00:30Z");
    let (code, list) = app
        .request(reqwest::Method::GET, "/api/v1/monitors/api/checks?limit=1", None, false)
        .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(list[0]["error"].is_null(), "{list}");
    let (code, body) = app.get("/api/v1/monitors/api/checks?limit=0").await;
    assert_eq!(
        (code, &body["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &serde_json::json!("limit"))
    );
    let (code, _) = app.get("/api/v1/monitors/nope/checks").await;
    assert_eq!(code, StatusCode::NOT_FOUND);

    // The daily roll-up, public: 90 days by default, today last.
    let (code, up) = app
        .request(reqwest::Method::GET, "/api/v1/monitors/api/uptime", None, false)
        .await;
    assert_eq!(code, StatusCode::OK, "{up}");
    assert_eq!(up["daily"].as_array().unwrap().len(), 90);
    assert_eq!(up["daily"][89]["date"], "2026-05-10");
    assert!(up["uptime"].is_null(), "nothing observed yet: {up}");
    let (code, body) = app.get("/api/v1/monitors/api/uptime?days=400").await;
    assert_eq!(
        (code, &body["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &serde_json::json!("days"))
    );
}

#[tokio::test]
async fn a_heartbeat_monitor_is_down_when_beats_stop_and_up_at_the_next_beat() {
    let db = TestDb::new(t0()).await;
    let input = MonitorInput {
        name: "Nightly backup".into(),
        slug: "backup".into(),
        check: CheckInput {
            kind: Some("heartbeat".into()),
            interval: Some(60),
            timeout: Some(30),
            ..CheckInput::default()
        },
        ..MonitorInput::default()
    };
    let created = monitors::create(&db.services, &actor(), input).await.unwrap();
    let secret = created.heartbeat_secret.expect("the secret is shown once, on create");
    assert_eq!(
        monitors::get(&db.services, "backup").await.unwrap().heartbeat_secret,
        None
    );
    let stored: String = sqlx::query_scalar("SELECT heartbeat_hash FROM monitors WHERE slug = 'backup'")
        .fetch_one(&db.store.pool)
        .await
        .unwrap();
    assert_ne!(stored, secret, "stored as a hash");

    let mut runner = Runner::new();
    // Interval 60 s plus 30 s of grace from when the runner started waiting.
    at_second(&db, &mut runner, 0).await;
    at_second(&db, &mut runner, 89).await;
    assert_eq!(status(&db, "backup").await, MonitorStatus::Up);
    let out = at_second(&db, &mut runner, 90).await;
    assert_eq!(status(&db, "backup").await, MonitorStatus::Down);
    assert_eq!(out[0].error.as_deref(), Some("no heartbeat yet"));

    // A beat: UP at once, and the wait starts again from it.
    db.clock.set(t0() + Duration::seconds(100));
    monitors::beat(&db.services, &secret).await.unwrap();
    assert_eq!(status(&db, "backup").await, MonitorStatus::Up);
    at_second(&db, &mut runner, 189).await;
    assert_eq!(status(&db, "backup").await, MonitorStatus::Up);
    let out = at_second(&db, &mut runner, 190).await;
    assert_eq!(status(&db, "backup").await, MonitorStatus::Down);
    assert_eq!(out[0].error.as_deref(), Some("no heartbeat since 2026-05-10T12:01:40Z"));

    let changes = monitors::checks(&db.services, "backup", 10, true).await.unwrap();
    let statuses: Vec<MonitorStatus> = changes.iter().map(|c| c.status).collect();
    assert_eq!(statuses, [MonitorStatus::Down, MonitorStatus::Up, MonitorStatus::Down]);
    assert!(changes.iter().all(|c| c.changed));

    // An unknown secret names nothing.
    let err = monitors::beat(&db.services, "lull_wrong").await.unwrap_err();
    assert!(matches!(err, lull::error::AppError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn the_heartbeat_url_takes_a_post_without_a_token() {
    let app = common::spawn_app().await;
    let (code, m) = app
        .post(
            "/api/v1/monitors",
            serde_json::json!({"name": "Cron", "slug": "cron", "type": "heartbeat", "interval": 3600, "timeout": 600}),
        )
        .await;
    assert_eq!(code, StatusCode::CREATED, "{m}");
    let secret = m["heartbeat_secret"].as_str().unwrap().to_string();
    let (code, _) = app
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/heartbeat/{secret}"),
            None,
            false,
        )
        .await;
    assert_eq!(code, StatusCode::NO_CONTENT);
    let (_, m) = app.get("/api/v1/monitors/cron").await;
    assert_eq!(m["last_beat_at"], "2026-05-10T12:00:00Z");
    assert!(m.get("heartbeat_secret").is_none(), "{m}");
    let (code, _) = app
        .request(reqwest::Method::POST, "/api/v1/heartbeat/lull_wrong", None, false)
        .await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    // A new secret on request; the old one stops working.
    let (code, rotated) = app
        .patch("/api/v1/monitors/cron", serde_json::json!({"rotate_heartbeat": true}))
        .await;
    assert_eq!(code, StatusCode::OK, "{rotated}");
    let fresh = rotated["heartbeat_secret"].as_str().unwrap();
    assert_ne!(fresh, secret);
    let (code, _) = app
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/heartbeat/{secret}"),
            None,
            false,
        )
        .await;
    assert_eq!(code, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_heartbeat_that_stops_during_maintenance_gets_a_full_grace_after_it() {
    let db = TestDb::new(t0()).await;
    let input = MonitorInput {
        name: "Import".into(),
        slug: "import".into(),
        check: CheckInput {
            kind: Some("heartbeat".into()),
            interval: Some(60),
            timeout: Some(60),
            ..CheckInput::default()
        },
        ..MonitorInput::default()
    };
    monitors::create(&db.services, &actor(), input).await.unwrap();
    // Maintenance on it from 12:01 to 12:31 (t0 is 12:00): the job is stopped for it.
    plan(
        &db,
        serde_json::json!({
            "title": "Migration", "start": "2026-05-10T12:01", "timezone": "UTC", "duration": 1800,
            "monitors": [{"slug": "import"}]
        }),
    )
    .await;
    let mut runner = Runner::new();
    at_second(&db, &mut runner, 0).await;
    // Silent all through the window (the 2-minute wait would have run out at 12:02).
    for secs in (60..1860).step_by(30) {
        at_second(&db, &mut runner, secs).await;
        assert_eq!(status(&db, "import").await, MonitorStatus::Up, "at +{secs} s");
    }
    // After 12:31 the job gets its interval and grace again before it counts as down.
    at_second(&db, &mut runner, 1860).await;
    at_second(&db, &mut runner, 1860 + 119).await;
    assert_eq!(status(&db, "import").await, MonitorStatus::Up);
    at_second(&db, &mut runner, 1860 + 120).await;
    assert_eq!(status(&db, "import").await, MonitorStatus::Down);
}

#[tokio::test]
async fn roll_ups_add_up_the_seconds_leave_out_maintenance_and_are_pruned_by_age() {
    let db = TestDb::new(t0()).await;
    let target = Target::start().await;
    target.failing.store(true, Ordering::SeqCst);
    monitor(&db, "api", http(format!("{}/flip", target.base), 0)).await;
    // Maintenance on it from 12:10 to 12:20 (t0 is 12:00).
    plan(
        &db,
        serde_json::json!({
            "title": "Upgrade", "start": "2026-05-10T12:10", "timezone": "UTC", "duration": 600,
            "monitors": [{"slug": "api"}]
        }),
    )
    .await;
    let mut runner = Runner::new();
    // Every 30 s from 12:00 to 12:40; the service recovers just before 12:30.
    for secs in (0..=2400).step_by(30) {
        if secs == 1800 {
            target.failing.store(false, Ordering::SeqCst);
        }
        at_second(&db, &mut runner, secs).await;
    }
    runner.write_rollups(&db.services, db.services.now()).await.unwrap();

    // Worked out by hand: UP 12:00:00–12:00:30 (the first check, due within the first
    // interval, runs at 12:00:30) and 12:30–12:40; DOWN 12:00:30–12:10 and 12:20–12:30;
    // paused 12:10–12:20. Checks every 30 s outside the pause: 19 before it (all failed),
    // 41 from 12:20 to 12:40 (20 failed).
    let (up, down, maintenance) = (30 + 600, 570 + 600, 600);
    let day = lull::service::monitors::uptime(&db.services, "api", 1).await.unwrap();
    let today = &day.daily[0];
    assert_eq!(today.date, "2026-05-10");
    assert_eq!(
        (
            today.up_secs,
            today.down_secs,
            today.degraded_secs,
            today.maintenance_secs
        ),
        (up, down, 0, maintenance)
    );
    assert_eq!((today.checks, today.failures), (60, 39));
    let expected = 100.0 * up as f64 / (up + down) as f64;
    assert!(
        (today.uptime.unwrap() - expected).abs() < 1e-9,
        "{:?} vs {expected}",
        today.uptime
    );
    assert_eq!(day.uptime, today.uptime);

    let rows = |period: &'static str| {
        let pool = db.store.pool.clone();
        async move {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM check_rollups WHERE period = $1")
                .bind(period)
                .fetch_one(&pool)
                .await
                .unwrap();
            n
        }
    };
    // The same seconds in every period: 41 minutes, 1 hour, 1 day.
    let sums: (i64, i64, i64) = sqlx::query_as(
        "SELECT CAST(SUM(up_secs) AS BIGINT), CAST(SUM(down_secs) AS BIGINT), CAST(SUM(maintenance_secs) AS BIGINT)
         FROM check_rollups WHERE period = 'minute'",
    )
    .fetch_one(&db.store.pool)
    .await
    .unwrap();
    assert_eq!(sums, (up, down, maintenance));
    assert_eq!(
        (rows("minute").await, rows("hour").await, rows("day").await),
        (41, 1, 1)
    );

    // Minutes are kept a day, hours 30 days, days for good. (The runner keeps counting the
    // time that passes as what the monitor last was.)
    let older_than = |period: &'static str, start: chrono::DateTime<chrono::Utc>| {
        let pool = db.store.pool.clone();
        async move {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM check_rollups WHERE period = $1 AND start < $2")
                .bind(period)
                .bind(start.timestamp())
                .fetch_one(&pool)
                .await
                .unwrap();
            n
        }
    };
    let noon = t0();
    db.clock.set(t0() + Duration::hours(25));
    runner.write_rollups(&db.services, db.services.now()).await.unwrap();
    assert_eq!(
        older_than("minute", t0() + Duration::hours(1)).await,
        0,
        "minutes past 24 h"
    );
    assert_eq!(
        older_than("hour", noon + Duration::hours(1)).await,
        1,
        "the 12:00 hour stays"
    );
    // No longer checked: its history stays, and nothing more is counted.
    monitors::update(
        &db.services,
        &actor(),
        "api",
        lull::service::monitors::MonitorPatch {
            check: CheckInput {
                kind: Some("manual".into()),
                ..CheckInput::default()
            },
            ..Default::default()
        },
    )
    .await
    .unwrap();
    runner.run_due(&db.services, db.services.now()).await.unwrap();
    db.clock.set(t0() + Duration::days(31));
    runner.write_rollups(&db.services, db.services.now()).await.unwrap();
    assert_eq!(
        older_than("hour", t0() + Duration::days(1)).await,
        0,
        "hours past 30 days"
    );
    assert!(
        older_than("hour", t0() + Duration::days(2)).await > 0,
        "hours within 30 days stay"
    );
    assert_eq!(older_than("day", t0()).await, 1, "days stay");
    let later = lull::service::monitors::uptime(&db.services, "api", 90).await.unwrap();
    assert_eq!(later.daily.len(), 90);
    assert_eq!(later.daily.last().unwrap().date, "2026-06-10");
}

/// The alerts written so far: (kind, monitor slug, recipient: `admin` or `webhook`).
async fn alerts(db: &TestDb) -> Vec<(String, String, String)> {
    let mut conn = db.services.store.conn().await.unwrap();
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT o.kind, m.slug, CASE WHEN o.admin_id IS NOT NULL THEN 'admin' ELSE 'webhook' END
         FROM outbox o JOIN monitors m ON m.id = o.monitor_id ORDER BY o.id",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    rows
}

#[tokio::test]
async fn admins_are_alerted_once_per_change_and_never_for_a_monitor_in_maintenance() {
    let db = TestDb::new(t0()).await;
    lull::service::admins::create(&db.services, "ops@example.com", "a long enough password", true)
        .await
        .unwrap();
    let target = Target::start().await;
    monitor(&db, "api", http(format!("{}/fail", target.base), 0)).await;
    monitor(&db, "web", http(format!("{}/fail", target.base), 0)).await;
    // A public channel (every kind) hears no alerts; one that names monitor_down for web does.
    for body in [
        serde_json::json!({"url": "http://127.0.0.1:9/all"}),
        serde_json::json!({"url": "http://127.0.0.1:9/ops", "kinds": ["monitor_down"], "monitors": ["web"]}),
    ] {
        lull::service::webhooks::create(&db.services, serde_json::from_value(body).unwrap())
            .await
            .unwrap();
    }
    // Maintenance on api from 12:00:00 to 12:10.
    plan(
        &db,
        serde_json::json!({
            "title": "Upgrade", "start": "2026-05-10T12:00", "timezone": "UTC", "duration": 600,
            "monitors": [{"slug": "api"}]
        }),
    )
    .await;
    let mut runner = Runner::new();
    runner.run_due(&db.services, db.services.now()).await.unwrap();
    for _ in 0..19 {
        round(&db, &mut runner).await; // to 12:09:30
    }
    let web_down = [
        ("monitor_down".to_string(), "web".to_string(), "admin".to_string()),
        ("monitor_down".into(), "web".into(), "webhook".into()),
    ];
    assert_eq!(
        alerts(&db).await,
        web_down,
        "web once (still down since), api not at all"
    );
    assert_eq!(status(&db, "web").await, MonitorStatus::Down);

    // The window is over: api's first check finds it down, which is news.
    round(&db, &mut runner).await;
    round(&db, &mut runner).await;
    assert_eq!(status(&db, "api").await, MonitorStatus::Down);
    let mut expected = web_down.to_vec();
    expected.push(("monitor_down".into(), "api".into(), "admin".into()));
    assert_eq!(alerts(&db).await, expected);

    // web recovers: admins hear it once; the ops webhook asked for downs only.
    point(&db, "web", format!("{}/ok", target.base)).await;
    for _ in 0..4 {
        round(&db, &mut runner).await;
    }
    assert_eq!(status(&db, "web").await, MonitorStatus::Up);
    expected.push(("monitor_up".into(), "web".into(), "admin".into()));
    assert_eq!(alerts(&db).await, expected);
}

/// Incidents as (title, status, draft), from the store.
async fn incidents(db: &TestDb) -> Vec<(String, String, bool)> {
    lull::service::incidents::list(&db.services, true, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|i| (i.title, i.status.to_string(), i.draft))
        .collect()
}

#[tokio::test]
async fn a_monitor_down_for_long_opens_one_draft_incident_when_asked_to() {
    let db = TestDb::new(t0()).await;
    let target = Target::start().await;
    monitor(&db, "api", http(format!("{}/fail", target.base), 0)).await;
    let mut runner = Runner::new().with_draft_incidents(Some(Duration::minutes(5)));
    runner.run_due(&db.services, db.services.now()).await.unwrap();
    round(&db, &mut runner).await;
    assert_eq!(status(&db, "api").await, MonitorStatus::Down);
    let down_at = db.services.now();
    // Not before five minutes down.
    while db.services.now() < down_at + Duration::minutes(4) {
        round(&db, &mut runner).await;
    }
    assert_eq!(incidents(&db).await, []);
    for _ in 0..4 {
        round(&db, &mut runner).await;
    }
    assert_eq!(
        incidents(&db).await,
        [("API is down".to_string(), "INVESTIGATING".to_string(), true)]
    );
    let draft = &lull::service::incidents::list(&db.services, true, 10).await.unwrap()[0];
    assert_eq!(draft.monitors[0].slug, "api");
    assert_eq!(draft.monitors[0].impact, lull::domain::impact::Impact::Down);
    assert!(
        draft.updates[0].body.contains("publish it"),
        "{}",
        draft.updates[0].body
    );
    // Visitors see nothing until an admin publishes it.
    assert!(
        lull::service::incidents::list(&db.services, false, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Still down: no second draft, also after a restart of the runner.
    let mut runner = Runner::new().with_draft_incidents(Some(Duration::minutes(5)));
    runner.run_due(&db.services, db.services.now()).await.unwrap();
    for _ in 0..20 {
        round(&db, &mut runner).await;
    }
    assert_eq!(incidents(&db).await.len(), 1);

    // Off by default.
    let db = TestDb::new(t0()).await;
    monitor(&db, "api", http(format!("{}/fail", target.base), 0)).await;
    let mut runner = Runner::new();
    runner.run_due(&db.services, db.services.now()).await.unwrap();
    for _ in 0..20 {
        round(&db, &mut runner).await;
    }
    assert_eq!(status(&db, "api").await, MonitorStatus::Down);
    assert_eq!(incidents(&db).await, []);
}
