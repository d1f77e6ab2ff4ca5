//! The server's edges (issue 9): limits against slow and numerous clients, client
//! addresses behind proxies, where dashboard forms may come from, what webhooks may reach
//! and what mail may say.

mod common;

use std::time::{Duration as StdDuration, Instant};

use common::edge::{closed_within, launch_with, raw, stop};
use common::{TestDb, t0};
use reqwest::StatusCode;
use serde_json::Value;

// --- limits ---

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_closed() {
    let (app, _) = launch_with(TestDb::new(t0()).await, |s| {
        s.limits.header_read_timeout = StdDuration::from_secs(1);
    })
    .await;
    let mut slow = raw(&app, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agen").await;
    assert!(
        closed_within(&mut slow, StdDuration::from_secs(5)).await,
        "a half-sent request head kept its connection open"
    );
    // Others are served as before.
    assert_eq!(app.get("/api/v1/monitors").await.0, StatusCode::OK);
}

#[tokio::test]
async fn connections_over_the_cap_wait_until_one_closes() {
    let (app, _) = launch_with(TestDb::new(t0()).await, |s| s.limits.max_connections = 1).await;
    let holder = raw(&app, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n").await;
    tokio::time::sleep(StdDuration::from_millis(200)).await;
    let url = format!("{}/healthz", app.base);
    let waiting = tokio::spawn(async move { reqwest::get(url).await.map(|r| r.status()) });
    tokio::time::sleep(StdDuration::from_millis(700)).await;
    assert!(!waiting.is_finished(), "a connection over the cap was served");
    drop(holder);
    let status = tokio::time::timeout(StdDuration::from_secs(5), waiting)
        .await
        .expect("served once the slot was free")
        .unwrap()
        .unwrap();
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn bodies_over_the_limit_are_413_with_a_json_reason() {
    let app = common::spawn_app().await;
    let huge = format!("{{\"email\":\"{}@example.com\"}}", "a".repeat(3 << 20));
    let resp = app
        .http
        .post(format!("{}/api/v1/subscribers", app.base))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "too_large", "{body}");
    assert!(body["message"].as_str().unwrap().contains("2 MB"), "{body}");

    // The public form answers the same status, as a page.
    let resp = app
        .http
        .post(format!("{}/subscribe", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email={}", "a".repeat(3 << 20)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn shutdown_ends_within_its_deadline_even_with_a_slow_client() {
    let (app, server) = launch_with(TestDb::new(t0()).await, |s| {
        s.limits.shutdown_deadline = StdDuration::from_secs(1);
    })
    .await;
    // A request whose body never comes: it is in a handler, which graceful shutdown waits for.
    let mut slow = raw(
        &app,
        b"POST /api/v1/subscribers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"email\"",
    )
    .await;
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    let asked = Instant::now();
    stop(&app);
    tokio::time::timeout(StdDuration::from_secs(5), server)
        .await
        .expect("the server stopped within its deadline")
        .unwrap()
        .unwrap();
    assert!(
        asked.elapsed() >= StdDuration::from_millis(900),
        "it did wait for the request"
    );
    assert!(closed_within(&mut slow, StdDuration::from_secs(1)).await);
}
