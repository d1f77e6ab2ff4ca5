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
    let deadline = Instant::now() + StdDuration::from_secs(5);
    while app
        .count("SELECT COUNT(*) FROM outbox WHERE claimed_until IS NOT NULL AND status = 'PENDING'")
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
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    let mut to: Vec<String> = sink.messages().into_iter().flat_map(|m| m.to).collect();
    to.sort();
    let mut expected: Vec<String> = (0..N).map(|i| format!("s{i}@example.com")).collect();
    expected.sort();
    assert_eq!(to, expected, "each subscriber gets exactly one mail");
}
