//! `/metrics`: Prometheus figures of monitors, maintenance, notices, checks and requests,
//! optionally behind a token; `promtool check metrics` reads them without a lint warning.

mod common;

use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use common::{TestApp, TestDb, launch_with, spawn_app, t0};
use reqwest::StatusCode;
use serde_json::json;

async fn scrape(app: &TestApp) -> String {
    let resp = app.http.get(format!("{}/metrics", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    resp.text().await.unwrap()
}

/// The value of the sample written exactly as `series` (name and labels).
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

/// Scrapes until `series` has `want` (the page's snapshot follows changes within
/// milliseconds, not at once).
async fn scrape_until(app: &TestApp, series: &str, want: f64) -> String {
    let deadline = Instant::now() + StdDuration::from_secs(5);
    loop {
        let text = scrape(app).await;
        if value(&text, series) == Some(want) {
            return text;
        }
        assert!(Instant::now() < deadline, "{series} never became {want}:\n{text}");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn metrics_follow_maintenance_monitors_and_requests() {
    let app = spawn_app().await;
    app.monitor("api").await;
    app.monitor("web").await;
    let plan = app
        .maintenance(
            json!({"title": "Upgrade", "start": "2026-05-10T12:10", "timezone": "UTC",
            "duration": 3600, "monitors": [{"slug": "api"}]}),
        )
        .await;
    let text = scrape_until(&app, "lull_monitor_status{monitor=\"api\"}", 0.0).await;
    assert_eq!(value(&text, "lull_monitor_in_maintenance{monitor=\"api\"}"), Some(0.0));
    // Ten minutes ahead: within the hour before, READY.
    assert_eq!(value(&text, "lull_maintenance_events{status=\"READY\"}"), Some(1.0));
    assert_eq!(value(&text, "lull_maintenance_events{status=\"SCHEDULED\"}"), Some(0.0));
    assert_eq!(value(&text, "lull_maintenance_events{status=\"ONGOING\"}"), Some(0.0));

    // The window starts: api is under maintenance, web is not.
    app.clock.set(t0() + Duration::minutes(10));
    app.settle().await;
    let text = scrape_until(&app, "lull_monitor_in_maintenance{monitor=\"api\"}", 1.0).await;
    assert_eq!(value(&text, "lull_monitor_status{monitor=\"api\"}"), Some(3.0));
    assert_eq!(value(&text, "lull_monitor_in_maintenance{monitor=\"web\"}"), Some(0.0));
    assert_eq!(value(&text, "lull_monitor_status{monitor=\"web\"}"), Some(0.0));
    assert_eq!(value(&text, "lull_maintenance_events{status=\"ONGOING\"}"), Some(1.0));

    // Completed 45 minutes early (after 15 of its 60): -2700 s from the scheduled end.
    app.clock.set(t0() + Duration::minutes(25));
    let event = plan["events"][0]["id"].as_i64().unwrap();
    let (status, body) = app.post(&format!("/api/v1/events/{event}/complete"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let text = scrape_until(&app, "lull_monitor_in_maintenance{monitor=\"api\"}", 0.0).await;
    assert_eq!(value(&text, "lull_maintenance_events{status=\"COMPLETED\"}"), Some(1.0));
    let bucket = |le: &str| {
        value(
            &text,
            &format!("lull_maintenance_end_deviation_seconds_bucket{{le=\"{le}\"}}"),
        )
    };
    assert_eq!(bucket("-3600"), Some(0.0));
    assert_eq!(bucket("-1800"), Some(1.0));
    assert_eq!(bucket("+Inf"), Some(1.0));
    assert_eq!(
        value(&text, "lull_maintenance_end_deviation_seconds_sum"),
        Some(-2700.0)
    );
    assert_eq!(value(&text, "lull_maintenance_end_deviation_seconds_count"), Some(1.0));
    // Windows that ended a while ago are counted once and kept between scrapes, then
    // recounted in full each hour: the window counts once all along.
    for minutes in [40, 40, 41, 130, 131] {
        app.clock.set(t0() + Duration::minutes(minutes));
        let text = scrape(&app).await;
        for (series, want) in [
            ("lull_maintenance_events{status=\"COMPLETED\"}", 1.0),
            ("lull_maintenance_events{status=\"ONGOING\"}", 0.0),
            ("lull_maintenance_end_deviation_seconds_count", 1.0),
            ("lull_maintenance_end_deviation_seconds_sum", -2700.0),
            ("lull_maintenance_end_deviation_seconds_bucket{le=\"-1800\"}", 1.0),
        ] {
            assert_eq!(value(&text, series), Some(want), "{series} at minute {minutes}");
        }
    }

    // Requests by route pattern, the front page (served before the router) included.
    for _ in 0..3 {
        app.http.get(format!("{}/", app.base)).send().await.unwrap();
    }
    app.http.get(format!("{}/no/such/page", app.base)).send().await.unwrap();
    let (status, _) = app.get(&format!("/api/v1/events/{event}")).await;
    assert_eq!(status, StatusCode::OK);
    let text = scrape(&app).await;
    assert!(
        value(
            &text,
            "lull_http_requests_total{method=\"GET\",route=\"/\",code=\"200\"}"
        ) >= Some(3.0),
        "{text}"
    );
    assert_eq!(
        value(
            &text,
            "lull_http_requests_total{method=\"POST\",route=\"/api/v1/monitors\",code=\"201\"}"
        ),
        Some(2.0)
    );
    assert_eq!(
        value(
            &text,
            "lull_http_requests_total{method=\"GET\",route=\"/api/v1/events/{id}\",code=\"200\"}"
        ),
        Some(1.0),
        "the pattern, not the path"
    );
    assert!(
        value(
            &text,
            "lull_http_requests_total{method=\"GET\",route=\"unmatched\",code=\"404\"}"
        ) >= Some(1.0)
    );
    assert_eq!(
        value(
            &text,
            "lull_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/events/{id}\"}"
        ),
        Some(1.0)
    );
}

#[tokio::test]
async fn notices_waiting_and_failed_are_counted_by_kind() {
    let app = spawn_app().await;
    // No SMTP server here: the confirmation mail of a sign-up waits in the outbox.
    for email in ["a@example.com", "b@example.com"] {
        let (status, body) = app.post("/api/v1/subscribers", json!({"email": email})).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }
    let db = &app.store.pool;
    let by_kind = |status: &'static str| async move {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT kind, COUNT(*) FROM outbox WHERE status = $1 GROUP BY kind")
                .bind(status)
                .fetch_all(db)
                .await
                .unwrap();
        rows
    };
    let waiting = by_kind("PENDING").await;
    assert_eq!(waiting.iter().map(|(_, n)| n).sum::<i64>(), 2, "{waiting:?}");
    let text = scrape(&app).await;
    for (kind, n) in &waiting {
        assert_eq!(
            value(&text, &format!("lull_outbox_pending{{kind=\"{kind}\"}}")),
            Some(*n as f64),
            "{text}"
        );
    }
    sqlx::query("UPDATE outbox SET status = 'FAILED'")
        .execute(db)
        .await
        .unwrap();
    let text = scrape(&app).await;
    for (kind, n) in &waiting {
        assert_eq!(
            value(&text, &format!("lull_outbox_failed{{kind=\"{kind}\"}}")),
            Some(*n as f64),
            "{text}"
        );
        assert_eq!(value(&text, &format!("lull_outbox_pending{{kind=\"{kind}\"}}")), None);
    }
}

#[tokio::test]
async fn with_a_metrics_token_only_its_bearer_may_scrape() {
    let token = "a-long-enough-metrics-token";
    let app = launch_with(TestDb::new(t0()).await, None, |s| s.metrics_token = Some(token.into())).await;
    let url = format!("{}/metrics", app.base);
    let resp = app.http.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(resp.headers().contains_key("www-authenticate"));
    let resp = app
        .http
        .get(&url)
        .bearer_auth("wrong-token-of-some-length")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // An API token is not the metrics token.
    let resp = app.http.get(&url).bearer_auth(&app.token).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let resp = app.http.get(&url).bearer_auth(token).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.text().await.unwrap().contains("# TYPE lull_monitor_status gauge"));
}

#[test]
fn a_metrics_token_too_short_is_refused_at_start() {
    let err = lull::app::metrics_token(Some("short")).unwrap_err().to_string();
    assert!(
        err.contains("LULL_METRICS_TOKEN is too short: 5 characters, at least 16"),
        "{err}"
    );
    assert!(lull::app::metrics_token(Some("has a space in it, long")).is_err());
    assert_eq!(
        lull::app::metrics_token(Some("")).unwrap(),
        None,
        "empty: open, as unset"
    );
    assert_eq!(
        lull::app::metrics_token(Some("0123456789abcdef")).unwrap().as_deref(),
        Some("0123456789abcdef")
    );
}

/// promtool (Debian package `prometheus`, which `.ci/run` installs) reads the metrics and
/// finds nothing to lint, with every family holding samples: a checked monitor (against a
/// loopback HTTP server), a window that ended late, a waiting notice, requests.
#[tokio::test]
#[ignore = "needs promtool (Debian package prometheus); .ci/run installs it"]
async fn promtool_checks_the_metrics_without_a_warning() {
    let app = spawn_app().await;
    // A loopback HTTP server for the check.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            axum::Router::new().route("/", axum::routing::get(|| async { "ok" })),
        )
        .await
    });
    let (status, body) = app
        .post(
            "/api/v1/monitors",
            json!({"name": "Web \"front\"", "slug": "web", "type": "http", "url": target, "interval": 10}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let plan = app
        .maintenance(
            json!({"title": "Upgrade", "start": "2026-05-10T12:10", "timezone": "UTC",
            "duration": 600, "monitors": [{"slug": "web"}]}),
        )
        .await;
    let event = plan["events"][0]["id"].as_i64().unwrap();
    app.clock.set(t0() + Duration::minutes(10));
    app.settle().await;
    let (status, body) = app
        .post(&format!("/api/v1/events/{event}/extend"), json!({"seconds": 90}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.clock.set(t0() + Duration::minutes(30));
    app.settle().await;
    app.http.get(format!("{}/", app.base)).send().await.unwrap();

    // Checks run on the real clock's pace: wait for the first to be counted.
    let deadline = Instant::now() + StdDuration::from_secs(20);
    let text = loop {
        let text = scrape(&app).await;
        if value(&text, "lull_check_duration_seconds_count{monitor=\"web\"}").is_some() {
            break text;
        }
        assert!(Instant::now() < deadline, "no check was counted:\n{text}");
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    };
    assert_eq!(
        value(&text, "lull_maintenance_end_deviation_seconds_bucket{le=\"60\"}"),
        Some(0.0)
    );
    assert_eq!(
        value(&text, "lull_maintenance_end_deviation_seconds_bucket{le=\"300\"}"),
        Some(1.0)
    );

    let mut child = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool runs (apt-get install prometheus)");
    use std::io::Write;
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim().is_empty(),
        "promtool: {said}\n{text}"
    );
}
