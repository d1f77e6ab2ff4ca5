//! Degraded operation: what clients, visitors and subscribers get while the database is
//! unavailable, locked by another writer or slow, and at scale (many plans, old plans).

mod common;

use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use common::degraded::{OutsideLock, db_with_timeouts, lose_database, short_timeouts};
use common::smtp::SmtpSink;
use common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn an_unreachable_database_is_a_503_with_retry_after_for_the_api_and_a_plain_page_for_people() {
    let app = spawn_app().await;
    app.monitor("api").await;
    lose_database(&app).await;

    let resp = app
        .http
        .get(format!("{}/api/v1/monitors", app.base))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(resp.headers()["retry-after"], "5");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "unavailable", "{body}");

    let resp = app.http.get(format!("{}/history", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(resp.headers().contains_key("retry-after"));
    let html = resp.text().await.unwrap();
    assert!(html.contains("Temporarily unavailable"), "{html}");
    assert!(!html.contains("\"error\""), "a page, not JSON: {html}");

    let resp = app.http.get(format!("{}/admin/login", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(resp.headers().contains_key("retry-after"));
    let html = resp.text().await.unwrap();
    assert!(html.contains("temporarily unavailable"), "{html}");
}

#[tokio::test]
async fn a_write_behind_a_held_lock_gets_503_within_the_timeouts_not_a_hang_or_a_500() {
    let app = launch(db_with_timeouts(t0(), short_timeouts()).await).await;
    let lock = OutsideLock::take(&app, "monitors").await;
    let started = Instant::now();
    let (status, body) = app
        .post("/api/v1/monitors", json!({"name": "API", "slug": "api"}))
        .await;
    let waited = started.elapsed();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"], "unavailable");
    // SQLite: three attempts of 0.3 s each; PostgreSQL: the 1 s statement timeout.
    assert!(waited < StdDuration::from_secs(4), "answered after {waited:?}");
    lock.release().await;
    let (status, body) = app
        .post("/api/v1/monitors", json!({"name": "API", "slug": "api"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn a_lock_held_through_a_fan_out_sends_each_subscriber_exactly_one_mail() {
    const N: usize = 12;
    let sink = SmtpSink::start().await;
    let db = db_with_timeouts(t0(), short_timeouts()).await;
    for i in 0..N {
        lull::service::subscribers::add_confirmed(&db.services, &format!("s{i}@example.com"))
            .await
            .unwrap();
    }
    let app = launch_with_mail(db, Some(sink.url())).await;
    // Each message takes a while to accept, so the lock is taken mid-send.
    *sink.delay.lock().unwrap() = StdDuration::from_millis(300);
    app.maintenance(json!({"title": "Upgrade", "start": "2026-05-12T02:00", "timezone": "UTC", "duration": 3600}))
        .await;
    // Each send first writes its subscriber's unsubscribe token; the lock comes after
    // those writes (on SQLite it would hold them back too), while the messages go out.
    let deadline = Instant::now() + StdDuration::from_secs(5);
    while app
        .count("SELECT COUNT(*) FROM outbox WHERE claimed_until IS NOT NULL AND status = 'PENDING'")
        .await
        < N as i64
        || app
            .count("SELECT COUNT(*) FROM subscriber_tokens WHERE purpose = 'unsubscribe'")
            .await
            < N as i64
    {
        assert!(Instant::now() < deadline, "the notices were never claimed");
        tokio::time::sleep(StdDuration::from_millis(10)).await;
    }
    // Another process holds the write lock for far longer than the busy and acquire
    // timeouts while the messages go out and their deliveries are to be recorded.
    let lock = OutsideLock::take(&app, "outbox").await;
    let held = Instant::now();
    let (status, body) = app
        .post("/api/v1/monitors", json!({"name": "Web", "slug": "web"}))
        .await;
    assert!(
        status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::CREATED,
        "a write during the lock: {status} {body}"
    );
    sink.wait_for(N).await;
    tokio::time::sleep(StdDuration::from_secs(3).saturating_sub(held.elapsed())).await;
    lock.release().await;

    // Every delivery is recorded once the lock is gone …
    let deadline = Instant::now() + StdDuration::from_secs(10);
    while app.count("SELECT COUNT(*) FROM outbox WHERE status = 'SENT'").await < N as i64 {
        assert!(Instant::now() < deadline, "deliveries were not recorded after the lock");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    // … so when every claim has long run out, nothing is sent again.
    app.clock.advance(Duration::minutes(10));
    app.settle().await;
    let mut to: Vec<String> = sink.messages().into_iter().flat_map(|m| m.to).collect();
    to.sort();
    let mut expected: Vec<String> = (0..N).map(|i| format!("s{i}@example.com")).collect();
    expected.sort();
    assert_eq!(to, expected, "each subscriber gets exactly one mail");
}

/// The class of a monitor's line on the front page (`s-up`, `s-maintenance`, …).
fn monitor_class(html: &str, slug: &str) -> String {
    let at = html
        .find(&format!("id=\"monitor-{slug}\""))
        .expect("the monitor is listed");
    let line = &html[html[..at].rfind("<div").unwrap()..at];
    line.split("s-")
        .nth(1)
        .unwrap()
        .split(['"', ' '])
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn while_the_database_is_unreachable_the_page_follows_the_clock_and_says_it_may_be_out_of_date() {
    let app = spawn_app().await;
    app.monitor("api").await;
    app.monitor("web").await;
    let ending = app
        .maintenance(
            json!({"title": "Disk swap", "start": "2026-05-10T12:05", "timezone": "UTC", "duration": 1800,
                            "monitors": [{"slug": "api", "impact": "MAINTENANCE"}]}),
        )
        .await;
    let starting = app
        .maintenance(
            json!({"title": "Router upgrade", "start": "2026-05-10T12:38", "timezone": "UTC", "duration": 1800,
                            "monitors": [{"slug": "web", "impact": "MAINTENANCE"}]}),
        )
        .await;
    let event = |m: &serde_json::Value| m["events"][0]["id"].as_i64().unwrap();
    let (ending, starting) = (event(&ending), event(&starting));
    app.clock.set(t0() + Duration::minutes(10));
    let html = common::pages::front_page_with(&app, "In progress").await;
    assert_eq!(monitor_class(&html, "api"), "maintenance");
    assert!(!html.contains("Live data is unavailable"));

    lose_database(&app).await;
    // The first window ends and the second starts while nothing can be read.
    app.clock.set(t0() + Duration::minutes(40));
    let html = common::pages::front_page_with(&app, "Live data is unavailable").await;
    assert!(
        html.contains("Live data is unavailable; shown as of 12:10 UTC, may be out of date."),
        "{html}"
    );
    assert!(
        !html.contains(&format!("id=\"event-{ending}\"")),
        "the ended window is gone:\n{html}"
    );
    let ongoing = &html[html.find("id=\"ongoing\"").expect("an ongoing section")..];
    assert!(ongoing.contains(&format!("id=\"event-{starting}\"")), "{html}");
    assert_eq!(monitor_class(&html, "api"), "up", "its maintenance ended");
    assert_eq!(monitor_class(&html, "web"), "maintenance", "its maintenance began");
    // Said in German too.
    let de = app
        .http
        .get(format!("{}/", app.base))
        .header("accept-language", "de")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        de.contains("Aktuelle Daten sind nicht verfügbar; Stand 12:10 UTC"),
        "{de}"
    );

    // What needs the database says so, and when to come back.
    let resp = app
        .http
        .get(format!("{}/api/v1/status", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(resp.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn a_dozen_hourly_plans_neither_hide_a_plan_on_day_six_nor_bloat_the_page() {
    let app = spawn_app().await;
    app.monitor("api").await;
    for i in 0..12 {
        app.maintenance(json!({
            "title": format!("Hourly job {i}"),
            "description": "Rotates the **logs**; nobody notices.",
            "start": format!("2026-05-10T12:{:02}", 10 + i),
            "timezone": "UTC", "duration": 300, "rrule": "FREQ=HOURLY",
            "monitors": [{"slug": "api", "impact": "UP"}]}))
            .await;
    }
    let late = app
        .maintenance(json!({"title": "Storage move", "start": "2026-05-16T10:00", "timezone": "UTC", "duration": 3600}))
        .await;

    let html = common::pages::front_page_with(&app, "Storage move").await;
    assert!(html.len() < 300_000, "the page is {} bytes", html.len());
    // One card per plan, with its next windows and a count of the rest.
    assert_eq!(html.matches("Hourly job 0<").count(), 1, "one card for the plan");
    assert!(html.contains(" more this week"), "{html}");

    let (status, body) = app.get("/api/v1/status").await;
    assert_eq!(status, StatusCode::OK);
    let plans = body["upcoming_by_maintenance"].as_array().unwrap();
    assert_eq!(plans.len(), 13);
    let windows = |title: &str| {
        plans
            .iter()
            .find(|p| p["next"]["title"] == title)
            .unwrap_or_else(|| panic!("{title} is listed"))["windows"]
            .as_array()
            .unwrap()
            .clone()
    };
    // Every hourly window of the next 7 days (12:10 today is the first, 11:10 on the 17th the last).
    let first = windows("Hourly job 0");
    assert_eq!(first.len(), 168);
    assert_eq!(first[0]["start"], "2026-05-10T12:10:00Z");
    assert_eq!(first[167]["start"], "2026-05-17T11:10:00Z");
    assert_eq!(windows("Storage move")[0]["id"], late["events"][0]["id"]);
    // The flat list keeps its shape and says it was cut.
    assert_eq!(body["upcoming"].as_array().unwrap().len(), 1000);
    assert_eq!(body["upcoming_truncated"], true);
}

#[tokio::test]
async fn a_fifteen_year_old_quarter_hourly_plan_knows_its_next_start_at_once() {
    let app = spawn_app().await;
    let dtstart = utc("2011-05-10T12:07:00Z");
    let m = app
        .maintenance(
            json!({"title": "Poll", "start": "2011-05-10T12:07", "timezone": "UTC", "duration": 300,
                            "rrule": "FREQ=MINUTELY;INTERVAL=15"}),
        )
        .await;
    // Worked out by hand: the first quarter-hour step from DTSTART at or after now (the
    // window before it ended 3 minutes ago: windows last 5 of the 15 minutes).
    let period = 15 * 60;
    let steps = ((t0() - dtstart).num_seconds() + period - 1) / period;
    let expected = dtstart + Duration::seconds(steps * period);
    assert_eq!(expected, utc("2026-05-10T12:07:00Z"));
    let id = m["id"].as_i64().unwrap();
    let started = Instant::now();
    let (status, one) = app.get(&format!("/api/v1/maintenances/{id}")).await;
    let (_, all) = app.get("/api/v1/maintenances").await;
    let took = started.elapsed();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["next_start"], "2026-05-10T12:07:00Z");
    assert_eq!(all[0]["next_start"], "2026-05-10T12:07:00Z");
    assert_eq!(m["next_start"], "2026-05-10T12:07:00Z");
    assert!(took < StdDuration::from_secs(2), "two reads took {took:?}");
    // An hour later it has moved on by four steps.
    app.clock.set(t0() + Duration::hours(1));
    let (_, one) = app.get(&format!("/api/v1/maintenances/{id}")).await;
    assert_eq!(one["next_start"], "2026-05-10T13:07:00Z");
}

#[tokio::test]
async fn notices_dropped_as_stale_are_counted_on_the_dashboard() {
    use common::smtp::Mode;
    let sink = SmtpSink::start().await;
    let db = TestDb::new(t0()).await;
    lull::service::subscribers::add_confirmed(&db.services, "ops@example.org")
        .await
        .unwrap();
    let app = launch_with_mail(db, Some(sink.url())).await;
    app.maintenance(
        json!({"title": "Patch", "start": "2026-05-10T12:05", "timezone": "UTC", "duration": 600,
                           "notify": {"scheduled": false}}),
    )
    .await;
    // The reminder (the window is READY at once) goes out first …
    let deadline = Instant::now() + StdDuration::from_secs(10);
    while app
        .count("SELECT COUNT(*) FROM outbox WHERE kind = 'reminder' AND status = 'SENT'")
        .await
        == 0
    {
        assert!(Instant::now() < deadline, "the reminder was never sent");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    // … then the mail server turns the "started" notice away; by its retry the window is over.
    sink.set_mode(Mode::Temporary(1));
    app.clock.set(utc("2026-05-10T12:05:00Z"));
    let deadline = Instant::now() + StdDuration::from_secs(10);
    while app
        .count("SELECT COUNT(*) FROM outbox WHERE kind = 'started' AND attempts > 0")
        .await
        == 0
    {
        assert!(Instant::now() < deadline, "the started notice was never tried");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    app.clock.set(utc("2026-05-10T12:30:00Z"));
    let deadline = Instant::now() + StdDuration::from_secs(10);
    while app.count("SELECT COUNT(*) FROM outbox WHERE status = 'SKIPPED'").await == 0 {
        assert!(Instant::now() < deadline, "the stale notice was not dropped");
        app.clock.advance(Duration::minutes(1));
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }

    let cookie = common::pages::signed_in(&app).await;
    let html = common::pages::admin_get(&app, &cookie, "/admin").await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'started' AND status = 'SKIPPED'")
            .await,
        1
    );
    let dropped = app.count("SELECT COUNT(*) FROM outbox WHERE status = 'SKIPPED'").await;
    let plural = if dropped == 1 { "" } else { "s" };
    assert!(
        html.contains(&format!("{dropped} notice{plural} dropped as stale in the last 7 days")),
        "{html}"
    );
    assert!(html.contains("no longer true"));
    // A week later it is history.
    app.clock.advance(Duration::days(8));
    let cookie = common::pages::sign_in(&app, "ops@example.com", "correct horse battery")
        .await
        .1
        .unwrap();
    let html = common::pages::admin_get(&app, &cookie, "/admin").await;
    assert!(!html.contains("dropped as stale"), "{html}");
}
