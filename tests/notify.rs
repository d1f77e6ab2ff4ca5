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
    from: String,
    message_id: String,
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
    if std::env::var_os("LULL_SHOW_MAIL").is_some() {
        // LULL_SHOW_MAIL=1 cargo test --test notify -- --nocapture: read them as people do.
        println!("===== to {:?}\n{}", r.to, r.data);
    }
    Mail {
        to: r.to.clone(),
        from: m.header_raw("From").unwrap_or_default().trim().to_string(),
        message_id: m.header_raw("Message-ID").unwrap_or_default().trim().to_string(),
        subject: m.subject().unwrap_or_default().to_string(),
        text: m.body_text(0).map(|b| b.replace("\r\n", "\n")).unwrap_or_default(),
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
    // Following the link shows a button (a mail scanner's GET confirms nothing) …
    let page = app.http.get(format!("{}{confirm}", app.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Confirm my subscription"));
    // … which confirms.
    let resp = app.http.post(format!("{}{confirm}", app.base)).send().await.unwrap();
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
    // A GET (a person, or a mail scanner) confirms nothing; the page's button does.
    let look = app.http.get(format!("{}{confirm}", app.base)).send().await.unwrap();
    assert!(look.text().await.unwrap().contains("Confirm my subscription"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM subscribers WHERE confirmed_at IS NOT NULL")
            .await,
        0
    );
    let resp = app.http.post(format!("{}{confirm}", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let again = app.http.get(format!("{}{confirm}", app.base)).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::OK, "a second visit is not an error");
    assert!(again.text().await.unwrap().contains("Already confirmed"));

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
        "Scheduled maintenance: Database Migration on Mon 11 May, 02:00 CEST"
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
    app.settle().await;
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
    app.settle().await;
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
    assert_eq!(
        reminder.subject,
        "Reminder: Database Migration begins in 1 hour (15:00 UTC)"
    );
    // Writing the same notice again is a no-op: one row per recipient, ever.
    let mut conn = app.store.conn().await.unwrap();
    lull::store::outbox::enqueue(
        &mut conn,
        lull::domain::notice::NoticeKind::Reminder,
        m["id"].as_i64().unwrap(),
        Some(m["events"][0]["id"].as_i64().unwrap()),
        "",
        utc("2026-05-10T14:00:00Z"),
    )
    .await
    .unwrap();
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
        app.settle().await;
    }
    let got = sink.wait_for(1).await;
    app.settle().await;
    assert_eq!(sink.messages().len(), 1, "delivered once");
    assert_eq!(got[0].to, ["frank@example.com"]);
    let (status, attempts): (String, i64) = sqlx::query_as("SELECT status, attempts FROM outbox")
        .fetch_one(&app.store.pool)
        .await
        .unwrap();
    assert_eq!((status.as_str(), attempts), ("SENT", 2));
}

#[tokio::test]
async fn a_retry_waits_for_its_time_unless_the_clock_stepped_back_past_any_backoff() {
    // Without SMTP the worker leaves email notices alone: claims here are this test's.
    let app = spawn_app().await;
    subscribe(&app, json!({"email": "ivy@example.com"})).await;
    let now = app.services.now().timestamp();
    let retry_at = |at: i64| {
        sqlx::query("UPDATE outbox SET attempts = 1, next_attempt_at = $1")
            .bind(at)
            .execute(&app.store.pool)
    };
    let mut conn = app.store.conn().await.unwrap();
    // After a failed attempt, at the longest backoff: an hour plus 20 % jitter.
    retry_at(now + 72 * 60).await.unwrap();
    let claimed = lull::store::outbox::claim(&mut conn, now, 60, 10, false).await.unwrap();
    assert!(claimed.is_empty(), "a retry 72 minutes ahead is not due yet");
    // The wall clock stepped back three hours: a retry that far ahead cannot be a
    // backoff, so it goes now instead of three hours late.
    retry_at(now + 3 * 3600).await.unwrap();
    let claimed = lull::store::outbox::claim(&mut conn, now, 60, 10, false).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].email.as_deref(), Some("ivy@example.com"));
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
    // The dashboard's overview counts it and names the address and the reason.
    let cookie = common::pages::signed_in(&app).await;
    let html = common::pages::admin_get(&app, &cookie, "/admin").await;
    assert!(html.contains("notices: 0 sent, 0 waiting, 1 failed"), "{html}");
    let failed = html
        .split("Notices that failed")
        .nth(1)
        .expect("a table of failed notices");
    assert!(failed.contains("<td>gone@example.com</td>"), "{failed}");
    assert!(failed.contains("550"), "{failed}");
}

#[tokio::test]
async fn the_started_mail_goes_out_as_the_window_starts_with_nothing_else_to_wake_the_worker() {
    let (app, sink) = app_with_mail().await;
    confirmed(&app, &sink, "kai@example.com", None, 1).await;
    app.maintenance(
        json!({"title": "Disk swap", "start": "2026-05-10T15:00", "timezone": "UTC", "duration": 3600,
                           "reminder_lead": 0, "notify": {"scheduled": false}}),
    )
    .await;
    app.clock.set(utc("2026-05-10T14:59:50Z"));
    app.settle().await;
    // Time passes a second at a time to the start and stops there: the scheduler's
    // transition itself must wake the delivery worker (its routine look is 30 s away).
    while app.services.now() < utc("2026-05-10T15:00:00Z") {
        app.clock.advance(Duration::seconds(1));
        tokio::time::sleep(StdDuration::from_millis(5)).await;
    }
    let started = parse(&sink.wait_for(2).await[1]);
    assert_eq!(started.subject, "Maintenance in progress: Disk swap");
}

#[tokio::test]
async fn a_retry_goes_out_when_its_backoff_ends_with_nothing_else_to_wake_the_worker() {
    let (app, sink) = app_with_mail().await;
    sink.set_mode(Mode::Temporary(1));
    subscribe(&app, json!({"email": "june@example.com"})).await;
    let deadline = std::time::Instant::now() + StdDuration::from_secs(10);
    let retry_at = loop {
        let row: (i64, Option<String>) = sqlx::query_as("SELECT next_attempt_at, last_error FROM outbox")
            .fetch_one(&app.store.pool)
            .await
            .unwrap();
        if row.1.is_some() {
            break row.0;
        }
        assert!(std::time::Instant::now() < deadline, "no failed attempt recorded");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    };
    // Time passes a second at a time and nothing else happens: the worker wakes by
    // itself when the retry is due, not at its next routine look (every 30 s after the
    // failure). The clock goes on passing (a worker slowed down by a loaded machine may
    // work out its wake a little late), but the mail must be out well before that look.
    let looked = loop {
        if !sink.messages().is_empty() {
            break app.services.now().timestamp();
        }
        assert!(
            app.services.now().timestamp() < retry_at + 20,
            "the retry due at {retry_at} did not go out by itself"
        );
        app.clock.advance(Duration::seconds(1));
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    };
    assert!(looked >= retry_at, "not before its backoff ends");
    let got = sink.wait_for(1).await;
    assert_eq!(got[0].to, ["june@example.com"]);
}

#[tokio::test]
async fn without_smtp_the_outbox_keeps_every_notice() {
    let app = spawn_app().await;
    subscribe(&app, json!({"email": "hal@example.com"})).await;
    // A webhook notice written after the email one: once it has been delivered, the
    // worker has had a pass in which the email notice was due too.
    let (receiver, url) = Receiver::start().await;
    app.post("/api/v1/webhooks", json!({"url": url})).await;
    app.maintenance(json!({"title": "Patch", "start": "2026-05-10T15:00", "timezone": "UTC", "duration": 600}))
        .await;
    receiver.wait_for(1).await;
    app.settle().await;
    // Never claimed, never tried: it is not burning its attempts towards FAILED.
    let (status, attempts, claimed, error): (String, i64, Option<i64>, Option<String>) =
        sqlx::query_as("SELECT status, attempts, claimed_until, last_error FROM outbox WHERE webhook_id IS NULL")
            .fetch_one(&app.store.pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), attempts, claimed, error), ("PENDING", 0, None, None));
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
    // A send that overran its share of the 2 s claim on a busy machine is retried after
    // the first backoff (30 s ± 20 %), so the wait allows for one retry.
    let deadline = std::time::Instant::now() + StdDuration::from_secs(60);
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
    // Every row recorded as sent: no claim is left whose send could still add a message.
    let deadline = std::time::Instant::now() + StdDuration::from_secs(30);
    while db.count("SELECT COUNT(*) FROM outbox WHERE status <> 'SENT'").await > 0 {
        assert!(std::time::Instant::now() < deadline, "notices stayed unsent");
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
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
        "Scheduled maintenance: Router swap on Sun 10 May, 15:00 UTC"
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
        app.settle().await;
    }
    app.settle().await;
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
    app.settle().await;
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
        app.settle().await;
    }
    app.settle().await;
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
        app.settle().await;
    }
    app.settle().await;
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
    // (Under load a send can time out and wait for its retry: time goes on until it is in.)
    let deadline = std::time::Instant::now() + StdDuration::from_secs(10);
    while sink.messages().len() < 2 {
        assert!(std::time::Instant::now() < deadline, "the cancellation never went out");
        app.settle().await;
        app.clock.advance(Duration::minutes(1));
    }
    let cancelled = parse(&sink.messages()[1]);
    assert_eq!(
        cancelled.subject,
        "Maintenance cancelled: Storage on Sun 10 May, 15:00 UTC (this window only)"
    );
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
        app.settle().await;
    }
    assert!(
        sink.messages()
            .iter()
            .all(|r| !parse(r).subject.starts_with("Reminder")),
        "no stale reminder went out"
    );

    // The next day's reminder goes out; then the series is switched off: one notice says
    // the whole plan is off (not one per window).
    app.clock.set(utc("2026-05-11T14:00:00Z"));
    let reminder = parse(&sink.wait_for(3).await[2]);
    assert_eq!(reminder.subject, "Reminder: Storage begins in 1 hour (15:00 UTC)");
    app.patch(
        &format!("/api/v1/maintenances/{}", m["id"]),
        json!({"status": "INACTIVE"}),
    )
    .await;
    let off = parse(&sink.wait_for(4).await[3]);
    assert_eq!(
        off.subject,
        "Maintenance cancelled: Storage — all future windows are off"
    );
    app.settle().await;
    assert_eq!(sink.messages().len(), 4);
}

// --- what the messages say (issue 8: every face reads right) ---

async fn app_with_mail_at(now: chrono::DateTime<chrono::Utc>) -> (TestApp, SmtpSink) {
    let sink = SmtpSink::start().await;
    let app = launch_with_mail(TestDb::new(now).await, Some(sink.url())).await;
    (app, sink)
}

fn subjects(sink: &SmtpSink) -> Vec<String> {
    sink.messages().iter().map(|r| parse(r).subject).collect()
}

/// Waits (briefly, in real time) for the message whose subject starts with `prefix`.
async fn mail_about(sink: &SmtpSink, prefix: &str) -> Mail {
    let deadline = std::time::Instant::now() + StdDuration::from_secs(10);
    loop {
        if let Some(m) = sink
            .messages()
            .iter()
            .map(parse)
            .find(|m| m.subject.starts_with(prefix))
        {
            return m;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no mail about {prefix:?}: {:?}",
            subjects(sink)
        );
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_weekly_plan_is_announced_in_its_own_zone_and_in_words_with_its_next_windows() {
    // Monday 23 November 2026; the plan's first window is Thursday 20:00 in New York,
    // which is already Friday 01:00 in UTC. Only one window falls within the 7-day
    // horizon, yet the mail must say that it repeats.
    let (app, sink) = app_with_mail_at(utc("2026-11-23T05:00:00Z")).await;
    app.monitor("web").await;
    app.monitor("api").await;
    confirmed(&app, &sink, "ops@example.org", None, 1).await;
    app.maintenance(
        json!({"title": "Weekly CMS deploy", "start": "2026-11-26T20:00", "timezone": "America/New_York",
        "duration": 2700, "rrule": "FREQ=WEEKLY;BYDAY=TH",
        "monitors": [{"slug": "web"}, {"slug": "api", "impact": "UP"}]}),
    )
    .await;
    let mail = parse(&sink.wait_for(2).await[1]);
    assert_eq!(
        mail.subject,
        "Scheduled maintenance: Weekly CMS deploy on Thu 26 Nov, 20:00 EST"
    );
    for expected in [
        "This maintenance repeats every Thursday at 20:00 America/New_York.",
        "First window\nStart: Thu 26 Nov 2026, 20:00 EST (01:00 UTC)\nEnd: Thu 26 Nov 2026, 20:45 EST (01:45 UTC)",
        "Affected services:\n- API: No visible impact\n- WEB: Under maintenance",
        "Later windows:\n- Thu 3 Dec 2026, 20:00 EST (01:00 UTC)\n- Thu 10 Dec 2026, 20:00 EST (01:00 UTC)\n- Thu 17 Dec 2026, 20:00 EST (01:00 UTC)\n- Thu 24 Dec 2026, 20:00 EST (01:00 UTC)",
    ] {
        assert!(mail.text.contains(expected), "missing {expected:?} in:\n{}", mail.text);
    }
    assert!(
        mail.html.contains("<li>Thu 3 Dec 2026, 20:00 EST (01:00 UTC)</li>"),
        "{}",
        mail.html
    );
    for raw in ["FREQ=", "BYDAY", "(UP)", "MAINTENANCE", "2026-11-27T"] {
        assert!(!mail.text.contains(raw) && !mail.html.contains(raw), "{raw} shown");
    }
}

#[tokio::test]
async fn a_daily_plan_reads_as_daily_and_impacts_read_as_the_status_page_says_them() {
    let (app, sink) = app_with_mail().await;
    app.monitor("web").await;
    app.monitor("api").await;
    confirmed(&app, &sink, "ops@example.org", None, 1).await;
    app.maintenance(
        json!({"title": "Nightly cache flush", "start": "2026-05-10T22:00", "timezone": "UTC",
        "duration": 600, "rrule": "FREQ=DAILY",
        "monitors": [{"slug": "web", "impact": "UP"}, {"slug": "api", "impact": "DOWN"}]}),
    )
    .await;
    let mail = parse(&sink.wait_for(2).await[1]);
    assert_eq!(
        mail.subject,
        "Scheduled maintenance: Nightly cache flush on Sun 10 May, 22:00 UTC"
    );
    assert!(
        mail.text.contains("This maintenance repeats every day at 22:00 UTC."),
        "{}",
        mail.text
    );
    assert!(
        mail.text.contains("- API: Down\n- WEB: No visible impact"),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("- Mon 11 May 2026, 22:00 UTC\n"), "{}", mail.text);
    assert!(!mail.text.contains("FREQ") && !mail.text.contains("(UP)"));
}

#[tokio::test]
async fn every_message_has_its_own_message_id_and_html_made_for_phones() {
    let (app, sink) = app_with_mail().await;
    confirmed(&app, &sink, "ops@example.org", None, 1).await;
    let m = app
        .maintenance(json!({"title": "Patch", "start": "2026-05-10T15:00", "timezone": "UTC", "duration": 600}))
        .await;
    app.post(&format!("/api/v1/events/{}/start", m["events"][0]["id"]), json!({}))
        .await;
    let mails: Vec<Mail> = sink.wait_for(3).await.iter().map(parse).collect();
    let mut ids: Vec<&str> = mails.iter().map(|m| m.message_id.as_str()).collect();
    for id in &ids {
        assert!(
            id.starts_with('<') && id.ends_with("@example.test>"),
            "a Message-ID under the sender's domain: {id:?}"
        );
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3, "each message has its own Message-ID");
    for mail in &mails {
        assert!(
            mail.html
                .contains(r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#),
            "{}",
            mail.html
        );
        assert!(mail.html.contains(r#"<html lang="en">"#));
    }
}

/// Starts a server with `site_url` as its public address and `from` as its sender.
async fn launch_site(
    db: &TestDb,
    site_url: &str,
    from: Option<&str>,
    sink: &SmtpSink,
) -> (
    String,
    tokio::task::JoinHandle<anyhow::Result<()>>,
    tokio_util::sync::CancellationToken,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let shutdown = tokio_util::sync::CancellationToken::new();
    let settings = lull::app::Settings {
        site: lull::config::Site::new("Acme Status", None, "#0969da", site_url).unwrap(),
        mail: Some(lull::notify::MailerSettings {
            url: sink.url(),
            from: from.map(str::to_string),
            credentials: None,
            timeout_secs: 1,
            lease_secs: 120,
        }),
        ..Default::default()
    };
    let handle = tokio::spawn(lull::app::launch(
        db.services.clone(),
        settings,
        listener,
        shutdown.clone(),
    ));
    (base, handle, shutdown)
}

#[tokio::test]
async fn without_a_sender_the_mail_comes_from_noreply_at_the_public_domain() {
    let db = TestDb::new(t0()).await;
    let sink = SmtpSink::start().await;
    // Links point at the public name; nothing is ever sent there.
    let (base, _, shutdown) = launch_site(&db, "https://status.acme.test", None, &sink).await;
    let resp = reqwest::Client::new()
        .post(format!("{base}/api/v1/subscribers"))
        .json(&json!({"email": "ops@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let mail = parse(&sink.wait_for(1).await[0]);
    assert_eq!(mail.from, "\"Acme Status\" <noreply@status.acme.test>");
    assert!(mail.message_id.ends_with("@status.acme.test>"), "{}", mail.message_id);
    shutdown.cancel();
}

#[tokio::test]
async fn with_no_domain_to_send_from_serve_refuses_to_start_and_says_what_to_set() {
    let db = TestDb::new(t0()).await;
    let sink = SmtpSink::start().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // The default public URL is http:// + the bind address: an IP, no domain.
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_lull"))
        .arg("serve")
        .env("LULL_DATABASE_URL", &db.url)
        .env("LULL_BIND", format!("127.0.0.1:{port}"))
        .env("LULL_SMTP_URL", sink.url())
        .env_remove("LULL_SMTP_FROM")
        .env_remove("LULL_PUBLIC_URL")
        .env("LULL_LOG", "warn")
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(StdDuration::from_secs(30), out)
        .await
        .expect("serve should stop at once, not run")
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("LULL_SMTP_FROM") && stderr.contains(&format!("http://127.0.0.1:{port}")),
        "{stderr}"
    );
    // The same setup started from the library fails the same way, before serving.
    let (_, handle, _) = launch_site(&db, "http://127.0.0.1:3000", None, &sink).await;
    let err = handle.await.unwrap().unwrap_err().to_string();
    assert!(err.contains("LULL_SMTP_FROM"), "{err}");
}

#[tokio::test]
async fn progress_updates_arrive_rendered_from_markdown_with_a_readable_time() {
    let (app, sink) = app_with_mail().await;
    confirmed(&app, &sink, "ops@example.org", None, 1).await;
    let m = app
        .maintenance(
            json!({"title": "Database Migration", "start": "2026-05-10T14:00", "timezone": "Europe/Berlin",
            "duration": 3600, "notify": {"scheduled": false}}),
        )
        .await;
    let ev = m["events"][0]["id"].as_i64().unwrap();
    app.clock.set(utc("2026-05-10T12:20:00Z"));
    app.post(
        &format!("/api/v1/events/{ev}/updates"),
        json!({"body": "Moved to **Dec 2** — see [the runbook](https://runbook.example.test/db)"}),
    )
    .await;
    let mail = mail_about(&sink, "Update").await;
    assert_eq!(mail.subject, "Update: Database Migration");
    assert!(
        mail.html.contains("<strong>Dec 2</strong>")
            && mail.html.contains(r#"<a href="https://runbook.example.test/db""#),
        "{}",
        mail.html
    );
    // 12:20 UTC is 14:20 in Berlin (CEST); the stamp names both zones.
    assert!(
        mail.text
            .contains("Update, Sun 10 May 2026, 14:20 CEST (12:20 UTC):\nMoved to **Dec 2**"),
        "{}",
        mail.text
    );
    assert!(!mail.text.contains("12:20:00Z") && !mail.html.contains("12:20:00Z"));
    assert!(
        mail.text.contains(
            "(12:20 UTC):\nMoved to **Dec 2** — see [the runbook](https://runbook.example.test/db)\n\nStart: "
        ),
        "a blank line before the window: {}",
        mail.text
    );
}

#[tokio::test]
async fn an_extension_shows_the_new_end_once_and_names_it_in_the_subject_in_the_plans_zone() {
    let (app, sink) = app_with_mail().await;
    confirmed(&app, &sink, "ops@example.org", None, 1).await;
    let m = app
        .maintenance(
            json!({"title": "Database Migration", "start": "2026-05-10T14:00", "timezone": "Europe/Berlin",
            "duration": 3600, "notify": {"scheduled": false}}),
        )
        .await;
    let ev = m["events"][0]["id"].as_i64().unwrap();
    // 12:00Z is 14:00 CEST: the window is running; it is extended by 90 minutes.
    app.post(&format!("/api/v1/events/{ev}/extend"), json!({"seconds": 5400}))
        .await;
    let mail = mail_about(&sink, "Maintenance extended").await;
    assert_eq!(
        mail.subject,
        "Maintenance extended: Database Migration until Sun 10 May, 16:30 CEST"
    );
    assert!(
        mail.text.contains("New end: Sun 10 May 2026, 16:30 CEST (14:30 UTC)"),
        "{}",
        mail.text
    );
    assert_eq!(
        mail.text.matches("16:30 CEST").count(),
        2,
        "subject and new end only: {}",
        mail.text
    );
    assert!(!mail.text.lines().any(|l| l.starts_with("End:")), "{}", mail.text);
}

#[tokio::test]
async fn a_german_subscriber_gets_every_message_in_german() {
    let (app, sink) = app_with_mail_at(utc("2026-11-23T05:00:00Z")).await;
    app.monitor("web").await;
    // From the German status page.
    let resp = app
        .http
        .post(format!("{}/subscribe", app.base))
        .header("accept-language", "de-DE,de;q=0.9,en;q=0.5")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("email=kunde%40example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.text().await.unwrap().contains("Bitte sehen Sie in Ihr Postfach"));
    let confirm = parse(&sink.wait_for(1).await[0]);
    assert_eq!(confirm.subject, "Bitte bestätigen Sie Ihr Abonnement bei Status");
    assert!(confirm.text.contains("Abonnement bestätigen: "), "{}", confirm.text);
    assert!(confirm.html.contains(r#"<html lang="de">"#));
    let link = link(&confirm.text, "/subscribe/confirm?token=");
    let page = app
        .http
        .post(format!("{}{link}", app.base))
        .header("accept-language", "de")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Abonnement bestätigt"), "{page}");
    assert!(page.contains("kunde@example.org erhält Hinweise auf alle geplanten Wartungsarbeiten und Störungen."));
    // And one in English through the API, to be sure each gets their own.
    lull::service::subscribers::add_confirmed(&app.services, "ops@example.org")
        .await
        .unwrap();

    app.maintenance(
        json!({"title": "Wartungsfenster", "start": "2026-12-06T03:00", "timezone": "Europe/Berlin",
        "duration": 3600, "rrule": "FREQ=WEEKLY;BYDAY=SU", "monitors": [{"slug": "web"}]}),
    )
    .await;
    let got: Vec<Mail> = sink.wait_for(3).await.iter().map(parse).collect();
    let de = got
        .iter()
        .find(|m| m.to == ["kunde@example.org"] && m.subject.starts_with("Geplante"))
        .unwrap();
    assert_eq!(de.subject, "Geplante Wartung: Wartungsfenster am So 6. Dez, 03:00 CET");
    for expected in [
        "Diese Wartung findet jeden Sonntag um 03:00 Uhr (Europe/Berlin) statt.",
        "Erster Termin\nBeginn: So 6. Dez 2026, 03:00 CET (02:00 UTC)\nEnde: So 6. Dez 2026, 04:00 CET (03:00 UTC)",
        "Betroffene Dienste:\n- WEB: In Wartung",
        "Weitere Termine:\n- So 13. Dez 2026, 03:00 CET (02:00 UTC)",
        "Abbestellen: ",
    ] {
        assert!(de.text.contains(expected), "missing {expected:?} in:\n{}", de.text);
    }
    assert!(de.html.contains(r#"<html lang="de">"#) && de.html.contains(">Abbestellen</a>"));
    let en = got.iter().find(|m| m.to == ["ops@example.org"]).unwrap();
    assert_eq!(
        en.subject,
        "Scheduled maintenance: Wartungsfenster on Sun 6 Dec, 03:00 CET"
    );

    // The API takes the language too, and names the field when it cannot.
    let (status, err) = subscribe(&app, json!({"email": "fr@example.org", "language": "fr"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "language");
    let (status, _) = subscribe(&app, json!({"email": "de@example.org", "language": "de"})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let last = parse(&sink.wait_for(4).await[3]);
    assert_eq!(last.to, ["de@example.org"]);
    assert_eq!(last.subject, "Bitte bestätigen Sie Ihr Abonnement bei Status");
}

#[tokio::test]
async fn switching_a_plan_off_tells_those_who_were_told_it_was_scheduled_and_nobody_else() {
    let (app, sink) = app_with_mail().await;
    app.monitor("web").await;
    let (receiver, url) = Receiver::start().await;
    app.post("/api/v1/webhooks", json!({"url": url})).await;
    confirmed(&app, &sink, "early@example.org", None, 1).await;
    let m = app
        .maintenance(
            json!({"title": "Nightly cache flush", "start": "2026-05-10T22:00", "timezone": "UTC",
            "duration": 600, "rrule": "FREQ=DAILY", "monitors": [{"slug": "web"}]}),
        )
        .await;
    sink.wait_for(2).await;
    receiver.wait_for(1).await;
    // Someone who signs up later never heard of the plan.
    confirmed(&app, &sink, "late@example.org", None, 3).await;
    app.settle().await;

    let (status, body) = app
        .patch(
            &format!("/api/v1/maintenances/{}", m["id"]),
            json!({"status": "INACTIVE"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let off = parse(&sink.wait_for(4).await[3]);
    assert_eq!(off.to, ["early@example.org"]);
    assert_eq!(
        off.subject,
        "Maintenance cancelled: Nightly cache flush — all future windows are off"
    );
    assert!(
        off.text
            .contains("Every future window of this maintenance is off. It was to repeat every day at 22:00 UTC."),
        "{}",
        off.text
    );
    assert!(!off.text.contains("Affected"), "{}", off.text);
    let hits = receiver.wait_for(2).await;
    let payload: serde_json::Value = serde_json::from_str(&hits[1].1).unwrap();
    assert_eq!(
        (payload["kind"].as_str(), payload["scope"].as_str()),
        (Some("cancelled"), Some("plan"))
    );

    // Saying it again, or switching it on and off with nothing announced in between to
    // those who heard, sends them nothing more.
    app.patch(
        &format!("/api/v1/maintenances/{}", m["id"]),
        json!({"status": "INACTIVE"}),
    )
    .await;
    app.patch(
        &format!("/api/v1/maintenances/{}", m["id"]),
        json!({"status": "ACTIVE"}),
    )
    .await;
    app.settle().await;
    app.patch(
        &format!("/api/v1/maintenances/{}", m["id"]),
        json!({"status": "INACTIVE"}),
    )
    .await;
    app.settle().await;
    let early: Vec<String> = sink
        .messages()
        .iter()
        .map(parse)
        .filter(|m| m.to == ["early@example.org"])
        .map(|m| m.subject)
        .collect();
    assert_eq!(early.len(), 3, "confirmation, scheduled, cancelled: {early:?}");
    assert_eq!(receiver.hits.lock().unwrap().len(), 2);
    // Switching it on announced it to the late subscriber (who had not heard of it), so
    // switching it off again tells them. (Had it been switched off before that
    // announcement went out, neither would be sent: see the next test.)
    let late: Vec<String> = sink
        .messages()
        .iter()
        .map(parse)
        .filter(|m| m.to == ["late@example.org"])
        .map(|m| m.subject)
        .collect();
    assert_eq!(
        late[1..],
        [
            "Scheduled maintenance: Nightly cache flush on Sun 10 May, 22:00 UTC",
            "Maintenance cancelled: Nightly cache flush — all future windows are off"
        ]
    );
}

#[tokio::test]
async fn a_plan_switched_off_before_its_announcement_went_out_is_never_announced_either_way() {
    let app = spawn_app().await; // no mail server yet: notices wait in the outbox
    lull::service::subscribers::add_confirmed(&app.services, "ops@example.org")
        .await
        .unwrap();
    let m = app
        .maintenance(
            json!({"title": "Patch", "start": "2026-05-12T10:00", "timezone": "UTC", "duration": 600,
            "rrule": "FREQ=DAILY"}),
        )
        .await;
    app.patch(
        &format!("/api/v1/maintenances/{}", m["id"]),
        json!({"status": "INACTIVE"}),
    )
    .await;
    // The mail server comes (a restart with SMTP configured).
    let sink = SmtpSink::start().await;
    let again = launch_with_mail(TestDb::reopen(&app).await, Some(sink.url())).await;
    let deadline = std::time::Instant::now() + StdDuration::from_secs(10);
    while again
        .count("SELECT COUNT(*) FROM outbox WHERE status = 'PENDING'")
        .await
        > 0
    {
        assert!(std::time::Instant::now() < deadline, "notices stayed pending");
        again.clock.advance(Duration::minutes(1));
        again.settle().await;
    }
    assert!(sink.messages().is_empty(), "{:?}", subjects(&sink));
    assert_eq!(
        again
            .count("SELECT COUNT(*) FROM outbox WHERE status = 'SKIPPED'")
            .await,
        2,
        "both the stale announcement and the cancellation of it are dropped"
    );
}

#[tokio::test]
async fn cancelling_one_window_of_a_recurring_plan_says_that_window_is_off_and_the_plan_goes_on() {
    let (app, sink) = app_with_mail().await; // Sunday 10 May 2026, 12:00 UTC
    let (receiver, url) = Receiver::start().await;
    app.post("/api/v1/webhooks", json!({"url": url, "kinds": ["cancelled"]}))
        .await;
    confirmed(&app, &sink, "ops@example.org", None, 1).await;
    let m = app
        .maintenance(
            json!({"title": "Weekly patching", "start": "2026-05-17T03:00", "timezone": "Europe/Berlin",
            "duration": 3600, "rrule": "FREQ=WEEKLY;BYDAY=SU", "notify": {"scheduled": false}}),
        )
        .await;
    let first = m["events"][0]["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/events/{first}/cancel"), json!({})).await;
    let mail = parse(&sink.wait_for(2).await[1]);
    assert_eq!(
        mail.subject,
        "Maintenance cancelled: Weekly patching on Sun 17 May, 03:00 CEST (this window only)"
    );
    for expected in [
        "This window is off. The maintenance itself goes on: it repeats every Sunday at 03:00 Europe/Berlin.",
        "Start: Sun 17 May 2026, 03:00 CEST (01:00 UTC)",
        "Next window:\n- Sun 24 May 2026, 03:00 CEST (01:00 UTC)",
    ] {
        assert!(mail.text.contains(expected), "missing {expected:?} in:\n{}", mail.text);
    }
    let hits = receiver.wait_for(1).await;
    let payload: serde_json::Value = serde_json::from_str(&hits[0].1).unwrap();
    assert_eq!(payload["scope"], "occurrence");

    // Skipping a window beyond the 7-day horizon (no event exists for it yet) reads the
    // same: 31 May is off, 24 May is still the next window.
    let (status, body) = app
        .post(
            &format!("/api/v1/maintenances/{}/skip", m["id"]),
            json!({"start": "2026-05-31T03:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let skipped = parse(&sink.wait_for(3).await[2]);
    assert_eq!(
        skipped.subject,
        "Maintenance cancelled: Weekly patching on Sun 31 May, 03:00 CEST (this window only)"
    );
    assert!(
        skipped.text.contains("Next window:\n- Sun 24 May 2026, 03:00 CEST"),
        "{}",
        skipped.text
    );
    let hits = receiver.wait_for(2).await;
    let payload: serde_json::Value = serde_json::from_str(&hits[1].1).unwrap();
    assert_eq!(payload["scope"], "occurrence");
    assert_eq!(payload["occurrence_start"], "2026-05-31T01:00:00Z");

    // A second window beyond the horizon is a notice of its own, not a repeat of the first.
    let (status, body) = app
        .post(
            &format!("/api/v1/maintenances/{}/skip", m["id"]),
            json!({"start": "2026-06-07T03:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let skipped = parse(&sink.wait_for(4).await[3]);
    assert_eq!(
        skipped.subject,
        "Maintenance cancelled: Weekly patching on Sun 7 Jun, 03:00 CEST (this window only)"
    );
}

#[tokio::test]
async fn cancelling_a_one_time_maintenance_simply_says_it_is_cancelled() {
    let (app, sink) = app_with_mail().await;
    confirmed(&app, &sink, "ops@example.org", None, 1).await;
    let m = app
        .maintenance(
            json!({"title": "Router swap", "start": "2026-05-12T22:00", "timezone": "UTC", "duration": 600,
            "notify": {"scheduled": false}}),
        )
        .await;
    app.post(&format!("/api/v1/events/{}/cancel", m["events"][0]["id"]), json!({}))
        .await;
    let mail = parse(&sink.wait_for(2).await[1]);
    assert_eq!(mail.subject, "Maintenance cancelled: Router swap");
    assert!(
        mail.text.contains("This maintenance will not take place."),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("Start: Tue 12 May 2026, 22:00 UTC"), "{}", mail.text);
    assert!(!mail.text.contains("goes on") && !mail.text.contains("Next window"));
}

#[tokio::test]
async fn a_plan_announced_within_its_reminder_lead_sends_no_separate_reminder() {
    let (app, sink) = app_with_mail().await; // 12:00 UTC
    confirmed(&app, &sink, "ops@example.org", None, 1).await;
    let (receiver, url) = Receiver::start().await;
    app.post("/api/v1/webhooks", json!({"url": url, "kinds": ["reminder"]}))
        .await;
    // Created 30 minutes ahead, with the default one-hour lead: the announcement already
    // says when it starts.
    let m = app
        .maintenance(
            json!({"title": "Hotfix", "start": "2026-05-10T12:30", "timezone": "UTC", "duration": 600,
            "rrule": "FREQ=DAILY"}),
        )
        .await;
    app.wait_stored(m["events"][0]["id"].as_i64().unwrap(), "READY").await;
    receiver.wait_for(1).await; // webhooks follow every transition
    app.settle().await;
    assert_eq!(
        subjects(&sink)[1..],
        ["Scheduled maintenance: Hotfix on Sun 10 May, 12:30 UTC"]
    );
    // Tomorrow's window was announced a day ahead: its reminder comes as usual.
    app.clock.set(utc("2026-05-11T11:30:00Z"));
    let reminder = parse(&sink.wait_for(3).await[2]);
    assert_eq!(reminder.subject, "Reminder: Hotfix begins in 1 hour (12:30 UTC)");
}

#[tokio::test]
async fn the_confirmation_link_opened_twice_says_already_confirmed_and_pages_name_the_address() {
    let (app, sink) = app_with_mail().await;
    app.monitor("web").await;
    app.monitor("api").await;
    let (status, _) = subscribe(&app, json!({"email": "ops@example.org", "monitors": ["web", "api"]})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mail = parse(&sink.wait_for(1).await[0]);
    let confirm = format!("{}{}", app.base, link(&mail.text, "/subscribe/confirm?token="));
    let first = app.http.post(&confirm).send().await.unwrap().text().await.unwrap();
    assert!(first.contains("Subscription confirmed"), "{first}");
    assert!(
        first.contains("ops@example.org will hear about planned maintenance and incidents of API and WEB."),
        "{first}"
    );
    // A second click, or a mail scanner that got there first.
    let second = app.http.get(&confirm).send().await.unwrap();
    assert_eq!(second.status(), StatusCode::OK);
    let second = second.text().await.unwrap();
    assert!(second.contains("Already confirmed"), "{second}");
    assert!(second.contains("ops@example.org will hear about planned maintenance and incidents of API and WEB."));

    // The unsubscribe page says which address it is about.
    let m = app
        .maintenance(
            json!({"title": "Patch", "start": "2026-05-11T10:00", "timezone": "UTC", "duration": 600,
            "monitors": [{"slug": "web"}]}),
        )
        .await;
    assert!(m["id"].is_i64());
    let notice = parse(&sink.wait_for(2).await[1]);
    let unsubscribe = format!("{}{}", app.base, link(&notice.text, "/unsubscribe?token="));
    let ask = app.http.get(&unsubscribe).send().await.unwrap().text().await.unwrap();
    assert!(
        ask.contains("Stop all notices to ops@example.org from this status page?"),
        "{ask}"
    );
    let done = app.http.post(&unsubscribe).send().await.unwrap().text().await.unwrap();
    assert!(done.contains("ops@example.org will get no more notices."), "{done}");
    let again = app.http.get(&unsubscribe).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    // Once unsubscribed, the old confirmation link no longer works.
    let stale = app.http.get(&confirm).send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn switching_off_a_plan_mid_window_says_the_running_window_goes_on_until_its_end() {
    let (app, sink) = app_with_mail().await; // 12:00 UTC
    confirmed(&app, &sink, "ops@example.org", None, 1).await;
    // Today's window runs 13:30–15:30 in Berlin, 11:30–13:30 UTC: it is under way.
    let m = app
        .maintenance(
            json!({"title": "Reindex", "start": "2026-05-10T13:30", "timezone": "Europe/Berlin",
            "duration": 7200, "rrule": "FREQ=DAILY", "notify": {"scheduled": false}}),
        )
        .await;
    mail_about(&sink, "Maintenance in progress").await;
    app.patch(
        &format!("/api/v1/maintenances/{}", m["id"]),
        json!({"status": "INACTIVE"}),
    )
    .await;
    let off = mail_about(&sink, "Maintenance cancelled").await;
    assert_eq!(
        off.subject,
        "Maintenance cancelled: Reindex — all future windows are off"
    );
    assert!(
        off.text
            .contains("The window in progress goes on until Sun 10 May 2026, 15:30 CEST (13:30 UTC)."),
        "{}",
        off.text
    );
}

#[tokio::test]
async fn a_window_with_updates_that_a_new_schedule_replaced_is_called_off_and_its_pending_update_skipped() {
    let (app, sink) = app_with_mail().await;
    confirmed(&app, &sink, "ivy@example.com", None, 1).await;
    let plan = app
        .maintenance(json!({"title": "Storage", "start": "2026-05-12T10:00", "timezone": "UTC", "duration": 600}))
        .await;
    sink.wait_for(2).await; // "scheduled"
    let event = plan["events"][0]["id"].as_i64().unwrap();
    // The update's first delivery attempt is refused for now …
    sink.set_mode(Mode::Temporary(1));
    let (status, _) = app
        .post(
            &format!("/api/v1/events/{event}/updates"),
            json!({"body": "Disks arrived"}),
        )
        .await;
    assert!(status.is_success());
    let deadline = std::time::Instant::now() + StdDuration::from_secs(10);
    while app
        .count("SELECT COUNT(*) FROM outbox WHERE kind = 'update' AND attempts > 0")
        .await
        == 0
    {
        assert!(std::time::Instant::now() < deadline, "the update was never tried");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    // … and before the retry, the plan moves to another day: the window is called off,
    // its update kept as history.
    let (status, body) = app
        .patch(
            &format!("/api/v1/maintenances/{}", plan["id"]),
            json!({"start": "2026-05-13T10:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    sink.set_mode(Mode::Accept);
    let deadline = std::time::Instant::now() + StdDuration::from_secs(10);
    let (status, reason) = loop {
        let row: (String, Option<String>) =
            sqlx::query_as("SELECT status, last_error FROM outbox WHERE kind = 'update'")
                .fetch_one(&app.store.pool)
                .await
                .unwrap();
        if row.0 != "PENDING" {
            break row;
        }
        assert!(std::time::Instant::now() < deadline, "the update stayed pending");
        app.clock.advance(Duration::minutes(1));
        app.settle().await;
    };
    assert_eq!(status, "SKIPPED", "{reason:?}");
    assert!(reason.unwrap().contains("CANCELLED"));
    let (_, old) = app.get(&format!("/api/v1/events/{event}")).await;
    assert_eq!(old["status"], "CANCELLED", "{old}");
    assert_eq!(old["cancel_reason"], "rescheduled", "{old}");
    assert_eq!(
        old["updates"][0]["body"], "Disks arrived",
        "the update stays on the record: {old}"
    );
    // Those told of the window (by its update) hear that it is off.
    let (_, after) = app.get(&format!("/api/v1/maintenances/{}/events", plan["id"])).await;
    assert!(after.to_string().contains("2026-05-13T10:00:00Z"), "{after}");
    // The subscriber hears that the window is off. Its notice may have been written by the
    // worker as it skipped the update, after the last settle: the worker then waits (at
    // least a second of the test clock, which no longer moves) before its next look, so
    // settle pokes it and waits until nothing due is left.
    app.settle().await;
    mail_about(&sink, "Maintenance cancelled: Storage").await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE status = 'FAILED'").await,
        0
    );
    assert!(sink.messages().iter().all(|m| !parse(m).text.contains("Disks arrived")));
}

#[tokio::test]
async fn an_incident_is_told_to_those_who_follow_its_monitors_as_it_opens_moves_and_resolves() {
    let (app, sink) = app_with_mail().await;
    app.monitor("api").await;
    app.monitor("web").await;
    confirmed(&app, &sink, "api-only@example.com", Some(vec!["api"]), 1).await;
    confirmed(&app, &sink, "web-only@example.com", Some(vec!["web"]), 2).await;
    confirmed(&app, &sink, "everything@example.com", None, 3).await;

    let (status, incident) = app
        .post(
            "/api/v1/incidents",
            json!({"title": "API errors", "body": "Requests fail with **502**.",
                   "monitors": [{"slug": "api"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    let id = incident["id"].as_i64().unwrap();
    let got = sink.wait_for(5).await;
    app.settle().await;
    assert_eq!(sink.messages().len(), 5, "two notices, to those following api");
    let mut to: Vec<String> = got[3..].iter().map(|r| r.to[0].clone()).collect();
    to.sort();
    assert_eq!(to, ["api-only@example.com", "everything@example.com"]);
    let opened = parse(&got[3]);
    assert_eq!(opened.subject, "Incident: API errors");
    assert!(opened.text.contains("Status: Investigating"), "{}", opened.text);
    assert!(opened.text.contains("Requests fail with **502**."), "{}", opened.text);
    assert!(
        opened.text.contains("Update, Sun 10 May 2026, 12:00 UTC:"),
        "{}",
        opened.text
    );
    assert!(opened.text.contains("- API: Down"), "{}", opened.text);
    assert!(opened.text.contains(&format!("/incidents/{id}")), "{}", opened.text);
    assert!(
        opened.html.contains("<strong>502</strong>"),
        "Markdown rendered: {}",
        opened.html
    );
    assert!(!opened.unsubscribe.is_empty(), "subscribers can leave with one click");

    app.clock.advance(Duration::minutes(20));
    let (status, moved) = app
        .post(
            &format!("/api/v1/incidents/{id}/updates"),
            json!({"status": "identified", "body": "A bad deploy; rolling back."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{moved}");
    assert_eq!(moved["status"], "IDENTIFIED");
    let update = mail_about(&sink, "Incident update: API errors").await;
    assert_eq!(update.subject, "Incident update: API errors — Identified");
    assert!(
        update
            .text
            .contains("Update, Sun 10 May 2026, 12:20 UTC:\nA bad deploy; rolling back."),
        "{}",
        update.text
    );

    // A quiet correction tells nobody.
    app.post(
        &format!("/api/v1/incidents/{id}/updates"),
        json!({"body": "Typo fixed in the last update.", "notify": false}),
    )
    .await;
    app.post(
        &format!("/api/v1/incidents/{id}/updates"),
        json!({"status": "RESOLVED", "body": "Back to normal."}),
    )
    .await;
    let resolved = mail_about(&sink, "Resolved: API errors").await;
    assert!(resolved.text.contains("Status: Resolved"), "{}", resolved.text);
    assert!(resolved.text.contains("- API: Operational"), "{}", resolved.text);
    sink.wait_for(9).await;
    app.settle().await;
    assert_eq!(sink.messages().len(), 9, "{:?}", subjects(&sink));
    assert!(!subjects(&sink).iter().any(|s| s.contains("Typo")));

    // Resolved is the end: a later update is refused, nothing is sent.
    let (status, err) = app
        .post(&format!("/api/v1/incidents/{id}/updates"), json!({"body": "More?"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert!(err["message"].as_str().unwrap().contains("resolved"), "{err}");
}

#[tokio::test]
async fn a_draft_incident_tells_nobody_until_it_is_published() {
    let (app, sink) = app_with_mail().await;
    app.monitor("api").await;
    confirmed(&app, &sink, "ada@example.com", None, 1).await;
    let (status, draft) = app
        .post(
            "/api/v1/incidents",
            json!({"title": "Slow API", "body": "Looking into it.", "draft": true,
                   "monitors": [{"slug": "api", "impact": "DEGRADED"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    let id = draft["id"].as_i64().unwrap();
    app.settle().await;
    assert_eq!(sink.messages().len(), 1, "only the confirmation");
    let (status, _) = app
        .patch(&format!("/api/v1/incidents/{id}"), json!({"draft": false}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let mail = mail_about(&sink, "Incident: Slow API").await;
    assert!(mail.text.contains("- API: Degraded"), "{}", mail.text);
    let (status, err) = app
        .patch(&format!("/api/v1/incidents/{id}"), json!({"draft": true}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "draft");
    // One recorded after the fact, already resolved, is news to nobody.
    let before = sink.messages().len();
    app.post(
        "/api/v1/incidents",
        json!({"title": "Last night's blip", "body": "Over.", "status": "RESOLVED"}),
    )
    .await;
    app.settle().await;
    assert_eq!(sink.messages().len(), before, "{:?}", subjects(&sink));
}

#[tokio::test]
async fn webhooks_take_incident_kinds_they_ask_for_and_alerts_only_when_named() {
    let app = spawn_app().await;
    app.monitor("api").await;
    let (all, all_url) = Receiver::start().await;
    let (resolved_only, resolved_url) = Receiver::start().await;
    app.post("/api/v1/webhooks", json!({"url": all_url})).await;
    let (status, hook) = app
        .post(
            "/api/v1/webhooks",
            json!({"url": resolved_url, "kinds": ["incident_resolved", "monitor_down"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    let (_, incident) = app
        .post(
            "/api/v1/incidents",
            json!({"title": "Outage", "body": "Down.", "monitors": [{"slug": "api"}]}),
        )
        .await;
    let id = incident["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/incidents/{id}/updates"),
        json!({"status": "resolved", "body": "Up."}),
    )
    .await;
    let hits = all.wait_for(2).await;
    let kinds: Vec<_> = hits
        .iter()
        .map(|(h, _, _)| h["lull-event"].to_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["incident_opened", "incident_resolved"]);
    let payload: serde_json::Value = serde_json::from_str(&hits[1].1).unwrap();
    assert_eq!(payload["kind"], "incident_resolved");
    assert_eq!(payload["incident"]["id"], id);
    assert_eq!(payload["incident"]["status"], "RESOLVED");
    assert_eq!(payload["incident"]["monitors"][0]["impact"], "DOWN");
    assert_eq!(payload["incident"]["updates"][0]["body"], "Up.");
    assert!(payload["url"].as_str().unwrap().ends_with(&format!("/incidents/{id}")));
    let hits = resolved_only.wait_for(1).await;
    app.settle().await;
    assert_eq!(resolved_only.hits.lock().unwrap().len(), 1);
    assert_eq!(hits[0].0["lull-event"], "incident_resolved");
    let (status, err) = app
        .post(
            "/api/v1/webhooks",
            json!({"url": all_url, "kinds": ["incident_closed"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "kinds[0]");
}

#[tokio::test]
async fn an_alert_reaches_every_admin_by_email_with_the_checks_error_and_no_unsubscribe_link() {
    let (app, sink) = app_with_mail().await;
    let api = app.monitor("api").await;
    for email in ["ops@example.com", "lead@example.com"] {
        lull::service::admins::create(&app.services, email, "a long enough password", false)
            .await
            .unwrap();
    }
    // What the check runner writes when api's check fails (tests/checks.rs drives that).
    let at = t0();
    let id = api["id"].as_i64().unwrap();
    let mut conn = app.services.store.conn().await.unwrap();
    lull::store::checks::insert(
        &mut conn,
        &lull::store::checks::CheckResultRow {
            id: 0,
            monitor_id: id,
            at,
            status: lull::domain::impact::MonitorStatus::Down,
            latency_ms: 12,
            error: Some("HTTP 503, expected 200-399".into()),
            changed: true,
        },
    )
    .await
    .unwrap();
    let written =
        lull::store::outbox::enqueue_alert(&mut conn, lull::domain::notice::NoticeKind::MonitorDown, id, at, at)
            .await
            .unwrap();
    drop(conn);
    assert_eq!(written, 2, "one per admin, no webhook asked");
    app.services.outbox_changed();
    let got = sink.wait_for(2).await;
    let mut to: Vec<String> = got.iter().map(|r| r.to[0].clone()).collect();
    to.sort();
    assert_eq!(to, ["lead@example.com", "ops@example.com"]);
    let mail = parse(&got[0]);
    assert_eq!(mail.subject, "DOWN: API");
    assert!(mail.text.contains("no maintenance covers it"), "{}", mail.text);
    assert!(mail.text.contains("Since: Sun 10 May 2026, 12:00 UTC"), "{}", mail.text);
    assert!(mail.text.contains("Error: HTTP 503, expected 200-399"), "{}", mail.text);
    assert!(mail.text.contains("you are an admin of Status"), "{}", mail.text);
    assert!(mail.text.contains(&format!("/admin/monitors/{id}")), "{}", mail.text);
    assert!(mail.unsubscribe.is_empty(), "admins manage alerts on the dashboard");
    assert!(!mail.text.contains("Unsubscribe"), "{}", mail.text);
}
