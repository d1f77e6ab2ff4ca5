//! Alertmanager silences for ongoing maintenance, against a real Alertmanager (Debian
//! package `prometheus-alertmanager`) on loopback, read back through its own API.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, SubsecRound, Utc};
use common::{TestApp, TestDb, free_port, launch_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// An Alertmanager on a free loopback port, clustering off, in a temporary directory;
/// stopped when dropped.
struct Alertmanager {
    base: String,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Alertmanager {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("alertmanager.yml");
        std::fs::write(&config, "route:\n  receiver: nobody\nreceivers:\n  - name: nobody\n").unwrap();
        let port = free_port();
        let child = Command::new("prometheus-alertmanager")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.path={}", dir.path().join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus-alertmanager runs (apt-get install prometheus-alertmanager)");
        let am = Self {
            base: format!("http://127.0.0.1:{port}"),
            child,
            _dir: dir,
        };
        let deadline = Instant::now() + StdDuration::from_secs(20);
        loop {
            if let Ok(r) = reqwest::get(format!("{}/-/ready", am.base)).await
                && r.status().is_success()
            {
                return am;
            }
            assert!(Instant::now() < deadline, "Alertmanager did not start");
            tokio::time::sleep(StdDuration::from_millis(100)).await;
        }
    }

    async fn silences(&self) -> Vec<Value> {
        reqwest::get(format!("{}/api/v2/silences", self.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The silences not expired whose matchers include `name="value"`.
    async fn live(&self, name: &str, value: &str) -> Vec<Value> {
        self.silences()
            .await
            .into_iter()
            .filter(|s| s["status"]["state"] != "expired")
            .filter(|s| {
                s["matchers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|m| m["name"] == name && m["value"] == value)
            })
            .collect()
    }

    /// Waits until `check` holds for the live silences of `name="value"`.
    async fn until(&self, name: &str, value: &str, what: &str, check: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + StdDuration::from_secs(10);
        loop {
            let live = self.live(name, value).await;
            if check(&live) {
                return live;
            }
            assert!(Instant::now() < deadline, "{what}: {live:#?}");
            tokio::time::sleep(StdDuration::from_millis(50)).await;
        }
    }
}

fn ends_at(silence: &Value) -> DateTime<Utc> {
    silence["endsAt"].as_str().unwrap().parse().unwrap()
}

/// A Lull on a clock that reads the real time (Alertmanager refuses silences that ended
/// in its past), silencing in `am`.
async fn lull(am_url: &str, matcher: Option<&str>) -> TestApp {
    let now = Utc::now().trunc_subsecs(0);
    let url = am_url.to_string();
    let matcher = matcher.map(str::to_string);
    launch_with(TestDb::new(now).await, None, move |s| {
        s.alertmanager = Some(lull::silences::Settings::parse(&url, matcher.as_deref(), &s.site.public_url).unwrap());
    })
    .await
}

#[tokio::test]
#[ignore = "needs prometheus-alertmanager (Debian package); .ci/run installs it"]
async fn ongoing_maintenance_is_silenced_in_alertmanager_extended_and_expired_early() {
    let am = Alertmanager::start().await;
    let app = lull(&am.base, None).await;
    app.monitor("api").await;
    let (status, body) = app
        .post(
            "/api/v1/monitors",
            json!({"name": "Main DB", "slug": "db", "alertmanager_matcher": "job=\"postgres\",env=\"prod\""}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.monitor("web").await;
    let now = app.services.now();
    let start = (now + Duration::hours(2)).format("%Y-%m-%dT%H:%M").to_string();
    let plan = app
        .maintenance(
            json!({"title": "Kernel upgrade", "start": start, "timezone": "UTC", "duration": 3600,
            "monitors": [{"slug": "api"}, {"slug": "db", "impact": "DOWN"}, {"slug": "web", "impact": "UP"}]}),
        )
        .await;
    let event = plan["events"][0]["id"].as_i64().unwrap();
    assert!(am.silences().await.is_empty(), "nothing is silenced before the window");

    // Started early: the window is ONGOING now, until now + 1 h.
    let (status, body) = app.post(&format!("/api/v1/events/{event}/start"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let end = now + Duration::hours(1);
    let api = am.until("service", "api", "a silence for api", |l| l.len() == 1).await;
    assert_eq!(api[0]["status"]["state"], "active");
    assert_eq!(ends_at(&api[0]), end);
    assert_eq!(
        api[0]["matchers"],
        json!([{"name": "service", "value": "api", "isRegex": false, "isEqual": true}])
    );
    let link = format!("{}/maintenance/{event}", app.base);
    assert!(
        api[0]["createdBy"].as_str().unwrap().contains(&link),
        "{}",
        api[0]["createdBy"]
    );
    let comment = api[0]["comment"].as_str().unwrap();
    assert!(
        comment.contains("Kernel upgrade") && comment.contains(&link),
        "{comment}"
    );
    // The monitor's own matchers; none for a monitor the plan does not affect.
    let db = am.until("job", "postgres", "a silence for db", |l| l.len() == 1).await;
    assert!(
        db[0]["matchers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["name"] == "env" && m["value"] == "prod")
    );
    assert!(
        am.live("service", "web").await.is_empty(),
        "impact UP: its alerts stay on"
    );
    // Further passes (any replica's) leave it alone: still one silence, none expired.
    let settings = lull::silences::Settings::parse(&am.base, None, &app.base).unwrap();
    let client = reqwest::Client::new();
    for _ in 0..3 {
        assert_eq!(
            lull::silences::pass(&app.services, &settings, &client).await.unwrap(),
            0
        );
    }
    assert_eq!(
        am.silences().await.len(),
        2,
        "one for api, one for db: {:#?}",
        am.silences().await
    );

    // Extended by 30 minutes: the silence ends later (and there is still one).
    let (status, body) = app
        .post(&format!("/api/v1/events/{event}/extend"), json!({"seconds": 1800}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let extended = end + Duration::minutes(30);
    am.until("service", "api", "the silence moved to the new end", |l| {
        l.len() == 1 && ends_at(&l[0]) == extended
    })
    .await;

    // A restart that lost the silence's id (a crash between Alertmanager's answer and the
    // write) finds it again by its marker: no second silence.
    sqlx::query("UPDATE silences SET silence_id = NULL, ends_at = NULL")
        .execute(&app.store.pool)
        .await
        .unwrap();
    let failed = lull::silences::pass(&app.services, &settings, &client).await.unwrap();
    let errors: Vec<Option<String>> = sqlx::query_scalar("SELECT last_error FROM silences")
        .fetch_all(&app.store.pool)
        .await
        .unwrap();
    assert_eq!(failed, 0, "{errors:?}");
    assert_eq!(am.live("service", "api").await.len(), 1);
    let stored: Option<String> = sqlx::query_scalar(
        "SELECT silence_id FROM silences WHERE monitor_id = (SELECT id FROM monitors WHERE slug = 'api')",
    )
    .fetch_one(&app.store.pool)
    .await
    .unwrap();
    assert!(stored.is_some());

    // Two replicas at a leader handover may each make one before either writes its id
    // down: the other's is a copy with the same comment (and so the same marker).
    let mut copy = am.live("service", "api").await.remove(0);
    for field in ["id", "status", "updatedAt"] {
        copy.as_object_mut().unwrap().remove(field);
    }
    let made = reqwest::Client::new()
        .post(format!("{}/api/v2/silences", am.base))
        .json(&copy)
        .send()
        .await
        .unwrap();
    assert!(made.status().is_success(), "{}", made.text().await.unwrap());
    assert_eq!(am.live("service", "api").await.len(), 2);

    // Completed early: the silences are expired at once, not left until the planned end
    // (the copy too: it would otherwise mute the service's alerts after the work).
    let (status, body) = app.post(&format!("/api/v1/events/{event}/complete"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    am.until("service", "api", "expired", <[Value]>::is_empty).await;
    am.until("job", "postgres", "expired", <[Value]>::is_empty).await;
    // … and Lull notes they are done (just after Alertmanager answered).
    let deadline = Instant::now() + StdDuration::from_secs(5);
    loop {
        let open: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM silences WHERE done = 0")
            .fetch_one(&app.store.pool)
            .await
            .unwrap();
        if open == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{open} silences still open");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

#[tokio::test]
#[ignore = "needs prometheus-alertmanager (Debian package); .ci/run installs it"]
async fn a_cancelled_window_ends_its_silence_and_an_unreachable_alertmanager_holds_nothing_up() {
    // Nothing listens here: every call fails.
    let closed = format!("http://127.0.0.1:{}", free_port());
    let app = lull(&closed, None).await;
    app.monitor("api").await;
    let start = (app.services.now() + Duration::hours(2))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let plan = app
        .maintenance(
            json!({"title": "Upgrade", "start": start, "timezone": "UTC", "duration": 3600,
            "monitors": [{"slug": "api"}]}),
        )
        .await;
    let event = plan["events"][0]["id"].as_i64().unwrap();
    let (status, body) = app.post(&format!("/api/v1/events/{event}/start"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["status"], "ONGOING",
        "the lifecycle does not wait for Alertmanager"
    );
    // The failure is kept for the dashboard.
    let deadline = Instant::now() + StdDuration::from_secs(10);
    let (count, latest) = loop {
        let (count, latest) = lull::service::overview::silence_problems(&app.services).await.unwrap();
        if count > 0 {
            break (count, latest);
        }
        assert!(Instant::now() < deadline, "no failure was recorded");
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    };
    assert_eq!(count, 1);
    let (error, _) = latest.unwrap();
    assert!(error.contains(&closed), "{error}");

    // Alertmanager comes up at another address: a second replica with the right setting
    // makes the silence the first could not, then cancelling the window ends it.
    let am = Alertmanager::start().await;
    let settings = lull::silences::Settings::parse(&am.base, None, &app.base).unwrap();
    let client = reqwest::Client::new();
    assert_eq!(
        lull::silences::pass(&app.services, &settings, &client).await.unwrap(),
        0
    );
    assert_eq!(am.live("service", "api").await.len(), 1);
    let problems = lull::service::overview::silence_problems(&app.services).await.unwrap();
    assert_eq!(problems.0, 0, "{problems:?}");
    let (status, body) = app.post(&format!("/api/v1/events/{event}/cancel"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        lull::silences::pass(&app.services, &settings, &client).await.unwrap(),
        0
    );
    assert!(am.live("service", "api").await.is_empty());
}

#[test]
fn bad_alertmanager_settings_stop_the_start_with_the_reason() {
    let parse = |url: &str, matcher: Option<&str>| {
        lull::silences::Settings::parse(url, matcher, "http://127.0.0.1:3000")
            .unwrap_err()
            .to_string()
    };
    assert!(parse("localhost:9093", None).contains("LULL_ALERTMANAGER_URL"));
    assert!(parse("ftp://127.0.0.1:9093", None).contains("http:// or https://"));
    let err = parse("http://127.0.0.1:9093", Some("service={slug}"));
    assert!(
        err.starts_with("LULL_ALERTMANAGER_MATCHER") && err.contains("double quotes"),
        "{err}"
    );
    let err = parse("http://127.0.0.1:9093", Some("env!=\"prod\""));
    assert!(err.contains("at least one = or =~"), "{err}");
    let ok = lull::silences::Settings::parse("http://127.0.0.1:9093/", None, "http://127.0.0.1:3000").unwrap();
    assert_eq!(ok.url, "http://127.0.0.1:9093");
}
