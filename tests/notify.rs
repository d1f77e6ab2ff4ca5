//! Subscribers and email notices against a real SMTP server on loopback: double opt-in,
//! what is sent when, unsubscribe, filters, retries and permanent failures.

mod common;

use std::time::Duration as StdDuration;

use chrono::Duration;
use common::smtp::{Mode, SmtpSink};
use common::*;
use mail_parser::MessageParser;
use reqwest::{Method, StatusCode};
use serde_json::json;

struct Mail {
    to: Vec<String>,
    subject: String,
    text: String,
    html: String,
    unsubscribe: String,
    unsubscribe_post: String,
}

fn parse(r: &smtp::Received) -> Mail {
    let m = MessageParser::default()
        .parse(r.data.as_bytes())
        .expect("a MIME message");
    Mail {
        to: r.to.clone(),
        subject: m.subject().unwrap_or_default().to_string(),
        text: m.body_text(0).map(|b| b.to_string()).unwrap_or_default(),
        html: m.body_html(0).map(|b| b.to_string()).unwrap_or_default(),
        unsubscribe: m.header_raw("List-Unsubscribe").unwrap_or_default().trim().to_string(),
        unsubscribe_post: m
            .header_raw("List-Unsubscribe-Post")
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

use common::smtp;

fn link(text: &str, path: &str) -> String {
    let start = text.find(path).unwrap_or_else(|| panic!("no {path} link in:\n{text}"));
    let tail = &text[start..];
    let end = tail
        .find(|c: char| c.is_whitespace() || c == '"' || c == '>')
        .unwrap_or(tail.len());
    tail[..end].to_string()
}

async fn app_with_mail() -> (TestApp, SmtpSink) {
    let sink = SmtpSink::start().await;
    let app = launch_with_mail(TestDb::new(t0()).await, Some(sink.url())).await;
    (app, sink)
}

async fn subscribe(app: &TestApp, body: serde_json::Value) -> (StatusCode, serde_json::Value) {
    app.request(Method::POST, "/api/v1/subscribers", Some(body), false)
        .await
}

/// Subscribes `email` and follows the link of the confirmation message (the `n`-th).
async fn confirmed(app: &TestApp, sink: &SmtpSink, email: &str, monitors: Option<Vec<&str>>, n: usize) {
    let (status, _) = subscribe(app, json!({"email": email, "monitors": monitors})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mail = parse(&sink.wait_for(n).await[n - 1]);
    assert_eq!(mail.to, [email]);
    let confirm = link(&mail.text, "/subscribe/confirm?token=");
    let resp = app.http.get(format!("{}{confirm}", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.text().await.unwrap().contains("Subscription confirmed"));
}

#[tokio::test]
async fn double_opt_in_then_notices_at_each_step_and_one_click_unsubscribe() {
    let (app, sink) = app_with_mail().await;
    app.monitor("api").await;
    let (status, body) = subscribe(&app, json!({"email": "Ada@Example.com"})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert!(body["message"].as_str().unwrap().contains("confirmation link"));
    let confirm_mail = parse(&sink.wait_for(1).await[0]);
    assert_eq!(confirm_mail.subject, "Confirm your subscription to Status");
    assert_eq!(confirm_mail.to, ["ada@example.com"]);
    let confirm = link(&confirm_mail.text, "/subscribe/confirm?token=");
    let token = confirm.split("token=").nth(1).unwrap();
    assert!(token.len() >= 32, "at least 128 bits");
    assert!(confirm_mail.html.contains("/subscribe/confirm?token="));
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM subscriber_tokens WHERE token_hash = $1")
        .bind(token)
        .fetch_one(&app.store.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0, "tokens are stored hashed");
    let resp = app.http.get(format!("{}{confirm}", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let again = app.http.get(format!("{}{confirm}", app.base)).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND, "the link works once");

    // Scheduled, then started.
    let m = app
        .maintenance(
            json!({"title": "Database Migration", "description": "Read-only **for a while**.",
                            "start": "2026-05-11T02:00", "timezone": "Europe/Berlin", "duration": 3600,
                            "monitors": [{"slug": "api", "impact": "MAINTENANCE"}]}),
        )
        .await;
    let scheduled = parse(&sink.wait_for(2).await[1]);
    assert_eq!(
        scheduled.subject,
        "Scheduled maintenance: Database Migration on May 11, 00:00 UTC"
    );
    assert!(
        scheduled.text.contains("Mon 11 May 2026, 02:00 CEST (00:00 UTC)"),
        "{}",
        scheduled.text
    );
    assert!(scheduled.html.contains("<strong>for a while</strong>"));
    let ev = m["events"][0]["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/events/{ev}/start"), json!({})).await;
    let started = parse(&sink.wait_for(3).await[2]);
    assert_eq!(started.subject, "Maintenance in progress: Database Migration");
    assert!(
        started.text.contains(&format!("/maintenance/{ev}")) && started.html.contains(&format!("/maintenance/{ev}"))
    );
    assert_eq!(started.unsubscribe_post, "List-Unsubscribe=One-Click");
    app.post(
        &format!("/api/v1/events/{ev}/updates"),
        json!({"body": "Halfway there"}),
    )
    .await;
    let update = parse(&sink.wait_for(4).await[3]);
    assert_eq!(update.subject, "Update: Database Migration");
    assert!(update.text.contains("Halfway there"));

    // One click, as a mail client does it (RFC 8058), and nothing more arrives.
    let url = started.unsubscribe.trim_matches(['<', '>']).to_string();
    let resp = app
        .http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM subscribers").await, 0);
    app.post(&format!("/api/v1/events/{ev}/complete"), json!({})).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'completed'").await,
        0
    );
}

#[tokio::test]
async fn unconfirmed_addresses_get_nothing_but_the_confirmation() {
    let (app, sink) = app_with_mail().await;
    subscribe(&app, json!({"email": "bob@example.com"})).await;
    sink.wait_for(1).await;
    let m = app
        .maintenance(json!({"title": "Patch", "start": "2026-05-10T11:00", "timezone": "UTC", "duration": 7200}))
        .await;
    app.post(&format!("/api/v1/events/{}/complete", m["events"][0]["id"]), json!({}))
        .await;
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind <> 'confirm'").await,
        0
    );
}

#[tokio::test]
async fn the_answer_is_the_same_for_known_and_new_addresses() {
    let (app, sink) = app_with_mail().await;
    confirmed(&app, &sink, "carol@example.com", None, 1).await;
    let known = subscribe(&app, json!({"email": "carol@example.com"})).await;
    let fresh = subscribe(&app, json!({"email": "dave@example.com"})).await;
    assert_eq!(known, fresh);
    let (status, err) = subscribe(&app, json!({"email": "not-an-address"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "email");
    // A flood from one client is stopped.
    let mut last = StatusCode::ACCEPTED;
    for i in 0..12 {
        last = subscribe(&app, json!({"email": format!("x{i}@example.com")})).await.0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn subscribers_of_some_monitors_hear_only_about_those() {
    let (app, sink) = app_with_mail().await;
    app.monitor("api").await;
    app.monitor("web").await;
    confirmed(&app, &sink, "api-only@example.com", Some(vec!["api"]), 1).await;
    confirmed(&app, &sink, "everything@example.com", None, 2).await;
    app.maintenance(
        json!({"title": "Web deploy", "start": "2026-05-12T10:00", "timezone": "UTC", "duration": 600,
                           "monitors": [{"slug": "web", "impact": "DEGRADED"}]}),
    )
    .await;
    let got = sink.wait_for(3).await;
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 3, "only one notice");
    assert_eq!(got[2].to, ["everything@example.com"]);
}

#[tokio::test]
async fn the_reminder_goes_out_when_the_event_turns_ready_and_only_once() {
    let (app, sink) = app_with_mail().await;
    confirmed(&app, &sink, "eve@example.com", None, 1).await;
    let m = app
        .maintenance(
            json!({"title": "Database Migration", "start": "2026-05-10T15:00", "timezone": "UTC", "duration": 3600,
                            "notify": {"scheduled": false}}),
        )
        .await;
    app.clock.set(utc("2026-05-10T14:00:00Z"));
    let reminder = parse(&sink.wait_for(2).await[1]);
    assert_eq!(reminder.subject, "Reminder: Database Migration begins in 1 hour");
    // Writing the same notice again is a no-op: one row per recipient, ever.
    let mut conn = app.store.conn().await.unwrap();
    let again = lull::store::outbox::enqueue(
        &mut conn,
        "reminder",
        m["id"].as_i64().unwrap(),
        Some(m["events"][0]["id"].as_i64().unwrap()),
        "",
        0,
    )
    .await
    .unwrap();
    assert_eq!(again, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'reminder'").await,
        1
    );
}

#[tokio::test]
async fn a_refusing_server_is_retried_with_backoff_and_the_notice_arrives_once() {
    let (app, sink) = app_with_mail().await;
    sink.set_mode(Mode::Temporary(1));
    subscribe(&app, json!({"email": "frank@example.com"})).await;
    let deadline = std::time::Instant::now() + StdDuration::from_secs(10);
    loop {
        let err: Option<String> = sqlx::query_scalar("SELECT last_error FROM outbox")
            .fetch_one(&app.store.pool)
            .await
            .unwrap();
        if let Some(err) = err {
            assert!(err.contains("451") || err.contains("try again"), "{err}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no failed attempt recorded");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    assert!(sink.messages().is_empty());
    // Time passes (the first retry is due within 36 s) until the notice arrives.
    let deadline = std::time::Instant::now() + StdDuration::from_secs(10);
    while sink.messages().is_empty() {
        assert!(std::time::Instant::now() < deadline, "never retried");
        app.clock.advance(Duration::minutes(1));
        tokio::time::sleep(StdDuration::from_millis(200)).await;
    }
    let got = sink.wait_for(1).await;
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 1, "delivered once");
    assert_eq!(got[0].to, ["frank@example.com"]);
    let (status, attempts): (String, i64) = sqlx::query_as("SELECT status, attempts FROM outbox")
        .fetch_one(&app.store.pool)
        .await
        .unwrap();
    assert_eq!((status.as_str(), attempts), ("SENT", 2));
}

#[tokio::test]
async fn a_permanent_refusal_ends_the_notice_as_failed_with_the_reason() {
    let (app, sink) = app_with_mail().await;
    sink.set_mode(Mode::Permanent);
    subscribe(&app, json!({"email": "gone@example.com"})).await;
    let deadline = std::time::Instant::now() + StdDuration::from_secs(10);
    loop {
        let row: (String, Option<String>) = sqlx::query_as("SELECT status, last_error FROM outbox")
            .fetch_one(&app.store.pool)
            .await
            .unwrap();
        if row.0 == "FAILED" {
            assert!(row.1.unwrap().contains("550"));
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still {row:?}");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn without_smtp_the_outbox_keeps_every_notice() {
    let app = spawn_app().await;
    subscribe(&app, json!({"email": "hal@example.com"})).await;
    tokio::time::sleep(StdDuration::from_millis(200)).await;
    let pending: i64 = app.count("SELECT COUNT(*) FROM outbox WHERE status = 'PENDING'").await;
    assert_eq!(pending, 1);
}

/// Runs the real `lull serve` binary, so that it can be killed for real.
async fn serve_binary(db: &TestDb, port: u16, smtp: &SmtpSink) -> tokio::process::Child {
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_lull"))
        .arg("serve")
        .env("LULL_DATABASE_URL", &db.url)
        .env("LULL_BIND", format!("127.0.0.1:{port}"))
        .env("LULL_SMTP_URL", smtp.url())
        .env("LULL_SMTP_FROM", "Status <status@example.test>")
        .env("LULL_DELIVERY_LEASE", "2")
        .env("LULL_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + StdDuration::from_secs(20);
    while reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await.is_err() {
        assert!(std::time::Instant::now() < deadline, "lull serve did not come up");
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    child
}

#[tokio::test]
async fn a_server_killed_mid_fan_out_delivers_every_notice_after_restart() {
    const N: usize = 300;
    let db = TestDb::with_system_clock().await;
    for i in 0..N {
        lull::service::subscribers::add_confirmed(&db.services, &format!("s{i}@example.com"))
            .await
            .unwrap();
    }
    let (_, token) = lull::service::tokens::create(&db.services, "crash").await.unwrap();
    let sink = SmtpSink::start().await;
    *sink.delay.lock().unwrap() = StdDuration::from_millis(50);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut first = serve_binary(&db, port, &sink).await;

    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let start = (chrono::Utc::now() + Duration::hours(3))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let m: serde_json::Value = http
        .post(format!("{base}/api/v1/maintenances"))
        .bearer_auth(&token)
        .json(&json!({"title": "Fan-out", "start": start, "timezone": "UTC", "duration": 3600, "notify": {"scheduled": false}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ev = m["events"][0]["id"].as_i64().unwrap();
    http.post(format!("{base}/api/v1/events/{ev}/start"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();

    // Kill -9 in the middle of the fan-out.
    sink.wait_for(N / 5).await;
    first.kill().await.unwrap();
    let at_kill = sink.messages().len();
    assert!(at_kill < N, "the kill came too late to test anything ({at_kill} sent)");

    let _second = serve_binary(&db, port, &sink).await;
    let deadline = std::time::Instant::now() + StdDuration::from_secs(30);
    loop {
        let mut seen: Vec<String> = sink.messages().iter().flat_map(|m| m.to.clone()).collect();
        seen.sort();
        seen.dedup();
        if seen.len() == N {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "only {} of {N} subscribers got the notice",
            seen.len()
        );
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    let total = sink.messages().len();
    // At least once: a message whose "250 OK" arrived just before the kill, but whose row
    // was not yet marked sent, goes out again; at most one per concurrent send.
    assert!(
        (N..=N + lull::notify::CONCURRENCY).contains(&total),
        "{total} messages for {N} subscribers"
    );
}

// --- webhooks ---

#[derive(Clone, Default)]
struct Receiver {
    /// (headers, body, status answered)
    hits: std::sync::Arc<std::sync::Mutex<Vec<(reqwest::header::HeaderMap, String, u16)>>>,
    fail_next: std::sync::Arc<std::sync::Mutex<usize>>,
}

impl Receiver {
    async fn start() -> (Self, String) {
        let r = Receiver::default();
        let state = r.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
                let state = state.clone();
                async move {
                    let mut fail = state.fail_next.lock().unwrap();
                    let code = if *fail > 0 {
                        *fail -= 1;
                        500
                    } else {
                        200
                    };
                    let mut h = reqwest::header::HeaderMap::new();
                    for (k, v) in &headers {
                        h.insert(
                            reqwest::header::HeaderName::from_bytes(k.as_ref()).unwrap(),
                            reqwest::header::HeaderValue::from_bytes(v.as_bytes()).unwrap(),
                        );
                    }
                    state.hits.lock().unwrap().push((h, body, code));
                    axum::http::StatusCode::from_u16(code).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (r, url)
    }

    async fn wait_for(&self, n: usize) -> Vec<(reqwest::header::HeaderMap, String, u16)> {
        let deadline = std::time::Instant::now() + StdDuration::from_secs(10);
        loop {
            let hits = self.hits.lock().unwrap().clone();
            if hits.len() >= n {
                return hits;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "expected {n} webhook calls, got {}",
                hits.len()
            );
            tokio::time::sleep(StdDuration::from_millis(20)).await;
        }
    }
}

fn verify(secret: &str, header: &str, body: &str) -> bool {
    use hmac::Mac;
    let (t, v1) = header.split_once(",v1=").unwrap();
    let t = t.strip_prefix("t=").unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    mac.verify_slice(&hex::decode(v1).unwrap()).is_ok()
}

#[tokio::test]
async fn webhooks_get_signed_notices_and_a_500_is_retried_until_delivered_once() {
    let app = spawn_app().await; // no SMTP: webhooks still go
    let (receiver, url) = Receiver::start().await;
    let (status, hook) = app.post("/api/v1/webhooks", json!({"url": url})).await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    let secret = hook["secret"].as_str().unwrap().to_string();

    let m = app
        .maintenance(json!({"title": "Router swap", "start": "2026-05-10T15:00", "timezone": "UTC", "duration": 600}))
        .await;
    let hits = receiver.wait_for(1).await;
    let (headers, body, _) = &hits[0];
    assert!(
        verify(&secret, headers["lull-signature"].to_str().unwrap(), body),
        "signature checks out"
    );
    assert!(!verify(
        "whsec_wrong",
        headers["lull-signature"].to_str().unwrap(),
        body
    ));
    assert_eq!(headers["lull-event"], "scheduled");
    let payload: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["version"], 1);
    assert_eq!(payload["kind"], "scheduled");
    assert_eq!(
        payload["subject"],
        "Scheduled maintenance: Router swap on May 10, 15:00 UTC"
    );

    *receiver.fail_next.lock().unwrap() = 1;
    app.post(&format!("/api/v1/events/{}/start", m["events"][0]["id"]), json!({}))
        .await;
    let hits = receiver.wait_for(2).await;
    assert_eq!(hits[1].2, 500);
    let deadline = std::time::Instant::now() + StdDuration::from_secs(10);
    while receiver.hits.lock().unwrap().len() < 3 {
        assert!(std::time::Instant::now() < deadline, "never retried");
        app.clock.advance(Duration::minutes(1));
        tokio::time::sleep(StdDuration::from_millis(200)).await;
    }
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    let hits = receiver.hits.lock().unwrap().clone();
    let started: Vec<_> = hits.iter().filter(|(h, _, _)| h["lull-event"] == "started").collect();
    assert_eq!(started.len(), 2, "one failure, one success");
    assert_eq!(
        started.iter().filter(|(_, _, code)| *code == 200).count(),
        1,
        "delivered once"
    );
    assert_eq!(
        started[0].0["lull-delivery"], started[1].0["lull-delivery"],
        "the retry is the same delivery"
    );
    let payload: serde_json::Value = serde_json::from_str(&started[1].1).unwrap();
    assert_eq!(payload["event"]["status"], "ONGOING");
}

#[tokio::test]
async fn slack_and_discord_presets_speak_their_formats_and_filters_apply() {
    let app = spawn_app().await;
    app.monitor("api").await;
    app.monitor("web").await;
    let (receiver, url) = Receiver::start().await;
    app.post(
        "/api/v1/webhooks",
        json!({"url": url, "format": "slack", "kinds": ["started"], "monitors": ["api"]}),
    )
    .await;
    let (status, err) = app
        .post("/api/v1/webhooks", json!({"url": "ftp://x", "format": "slack"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "url");
    let web = app.maintenance(json!({"title": "Web", "start": "2026-05-10T15:00", "timezone": "UTC", "duration": 600, "monitors": [{"slug": "web"}]})).await;
    let api = app.maintenance(json!({"title": "API", "start": "2026-05-10T15:00", "timezone": "UTC", "duration": 600, "monitors": [{"slug": "api"}]})).await;
    app.post(&format!("/api/v1/events/{}/start", web["events"][0]["id"]), json!({}))
        .await;
    app.post(&format!("/api/v1/events/{}/start", api["events"][0]["id"]), json!({}))
        .await;
    let hits = receiver.wait_for(1).await;
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(receiver.hits.lock().unwrap().len(), 1, "only started, only about api");
    let body: serde_json::Value = serde_json::from_str(&hits[0].1).unwrap();
    assert!(
        body["text"]
            .as_str()
            .unwrap()
            .starts_with("*Maintenance in progress: API*")
    );
}

#[tokio::test]
async fn a_mail_server_going_away_mid_batch_loses_nothing_and_doubles_nothing() {
    let (app, sink) = app_with_mail().await;
    for name in ["ann", "ben", "cat", "dan"] {
        lull::service::subscribers::add_confirmed(&app.services, &format!("{name}@example.com"))
            .await
            .unwrap();
    }
    sink.set_mode(Mode::Vanish(2));
    let m = app
        .maintenance(
            json!({"title": "Core switch", "start": "2026-05-10T15:00", "timezone": "UTC", "duration": 600,
                            "notify": {"scheduled": false}}),
        )
        .await;
    app.post(&format!("/api/v1/events/{}/start", m["events"][0]["id"]), json!({}))
        .await;
    let deadline = std::time::Instant::now() + StdDuration::from_secs(15);
    while sink.messages().len() < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "only {} of 4 arrived",
            sink.messages().len()
        );
        app.clock.advance(Duration::minutes(1));
        tokio::time::sleep(StdDuration::from_millis(200)).await;
    }
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    let mut to: Vec<String> = sink.messages().iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "ann@example.com",
            "ben@example.com",
            "cat@example.com",
            "dan@example.com"
        ]
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox WHERE status = 'SENT'").await, 4);
}

#[tokio::test]
async fn a_mail_server_that_stops_answering_times_out_and_the_notice_is_retried() {
    let (app, sink) = app_with_mail().await; // 1 s SMTP timeout in tests
    sink.set_mode(Mode::Stall(1));
    subscribe(&app, json!({"email": "slow@example.com"})).await;
    let deadline = std::time::Instant::now() + StdDuration::from_secs(15);
    loop {
        let err: Option<String> = sqlx::query_scalar("SELECT last_error FROM outbox")
            .fetch_one(&app.store.pool)
            .await
            .unwrap();
        if err.is_some() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the stalled attempt never failed");
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    while sink.messages().is_empty() {
        assert!(std::time::Instant::now() < deadline, "never retried");
        app.clock.advance(Duration::minutes(1));
        tokio::time::sleep(StdDuration::from_millis(200)).await;
    }
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn notices_overtaken_by_events_are_dropped_and_reminded_people_hear_of_cancellations() {
    let (app, sink) = app_with_mail().await;
    confirmed(&app, &sink, "kim@example.com", None, 1).await;
    let m = app
        .maintenance(
            json!({"title": "Storage", "start": "2026-05-10T15:00", "timezone": "UTC", "duration": 3600,
                            "rrule": "FREQ=DAILY", "notify": {"scheduled": false}}),
        )
        .await;
    // The reminder is refused once, then the operator cancels the event before the retry.
    sink.set_mode(Mode::Temporary(1));
    app.clock.set(utc("2026-05-10T14:00:00Z"));
    let deadline = std::time::Instant::now() + StdDuration::from_secs(10);
    while app
        .count("SELECT COUNT(*) FROM outbox WHERE kind = 'reminder' AND attempts > 0 AND status = 'PENDING'")
        .await
        == 0
    {
        assert!(std::time::Instant::now() < deadline, "no reminder attempt");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    let first = m["events"][0]["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/events/{first}/cancel"), json!({})).await;
    app.clock.advance(Duration::minutes(5));
    let cancelled = parse(&sink.wait_for(2).await[1]);
    assert_eq!(cancelled.subject, "Maintenance cancelled: Storage");
    let deadline = std::time::Instant::now() + StdDuration::from_secs(10);
    while app
        .count("SELECT COUNT(*) FROM outbox WHERE kind = 'reminder' AND status = 'SKIPPED'")
        .await
        == 0
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the stale reminder was not dropped"
        );
        app.clock.advance(Duration::minutes(1));
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    assert!(
        sink.messages()
            .iter()
            .all(|r| !parse(r).subject.starts_with("Reminder")),
        "no stale reminder went out"
    );

    // The next day's reminder goes out; then the series is switched off: the reminded
    // window is called off by mail, the others silently.
    app.clock.set(utc("2026-05-11T14:00:00Z"));
    let reminder = parse(&sink.wait_for(3).await[2]);
    assert_eq!(reminder.subject, "Reminder: Storage begins in 1 hour");
    app.patch(
        &format!("/api/v1/maintenances/{}", m["id"]),
        json!({"status": "INACTIVE"}),
    )
    .await;
    let off = parse(&sink.wait_for(4).await[3]);
    assert_eq!(off.subject, "Maintenance cancelled: Storage");
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 4);
}
