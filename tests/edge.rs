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

    // And a dashboard form of a signed-in admin, whose monitor list stays as it was.
    let cookie = common::pages::signed_in(&app).await;
    let csrf = common::pages::hidden_csrf(&common::pages::admin_get(&app, &cookie, "/admin/monitors").await);
    let resp = app
        .http
        .post(format!("{}/admin/monitors", app.base))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "csrf={csrf}&name=Big&slug=big&description={}",
            "a".repeat(3 << 20)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(resp.text().await.unwrap().contains("2 MB"));
    let (_, monitors) = app.get("/api/v1/monitors").await;
    assert_eq!(monitors, serde_json::json!([]));
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

// --- proxies and origins ---

/// `POST /api/v1/subscribers` for a fresh address, as forwarded for `client`.
async fn sign_up_via(app: &common::TestApp, n: usize, client: &str) -> StatusCode {
    app.http
        .post(format!("{}/api/v1/subscribers", app.base))
        .header("x-forwarded-for", client)
        .json(&serde_json::json!({"email": format!("reader{n}@example.com")}))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_visitor_has_their_own_limit() {
    let (app, _) = launch_with(TestDb::new(t0()).await, |s| {
        s.trusted_proxies = lull::web::client::parse_proxies("127.0.0.1/32").unwrap();
    })
    .await;
    for n in 0..10 {
        assert_eq!(sign_up_via(&app, n, "203.0.113.66").await, StatusCode::ACCEPTED);
    }
    assert_eq!(
        sign_up_via(&app, 10, "203.0.113.66").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Someone else behind the same proxy is not blocked; an address the visitor put in
    // front of the chain does not help them either.
    assert_eq!(sign_up_via(&app, 11, "198.51.100.7").await, StatusCode::ACCEPTED);
    assert_eq!(
        sign_up_via(&app, 12, "192.0.2.1, 203.0.113.66").await,
        StatusCode::TOO_MANY_REQUESTS
    );

    // The same address keys the sign-in lockout: five wrong passwords lock the visitor...
    lull::service::admins::create(&app.services, "ops@example.com", "correct horse battery", false)
        .await
        .unwrap();
    let http = common::pages::no_redirects();
    let form = http.get(format!("{}/admin/login", app.base)).send().await.unwrap();
    let pre = common::pages::cookie_of(&form, "lull_csrf").unwrap();
    let csrf = common::pages::hidden_csrf(&form.text().await.unwrap());
    let sign_in = |n: usize, client: &'static str| {
        let (http, pre, csrf, base) = (http.clone(), pre.clone(), csrf.clone(), app.base.clone());
        async move {
            http.post(format!("{base}/admin/login"))
                .header("cookie", pre)
                .header("x-forwarded-for", client)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("email", &format!("nobody{n}@example.com")),
                    ("password", "wrong password"),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    for n in 0..5 {
        assert_eq!(sign_in(n, "203.0.113.66").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(sign_in(5, "203.0.113.66").await, StatusCode::TOO_MANY_REQUESTS);
    // ...and nobody else.
    assert_eq!(sign_in(6, "198.51.100.7").await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn without_trusted_proxies_forwarding_headers_are_ignored() {
    let app = common::spawn_app().await;
    for n in 0..10 {
        let client = format!("203.0.113.{n}");
        assert_eq!(sign_up_via(&app, n, &client).await, StatusCode::ACCEPTED);
    }
    assert_eq!(
        sign_up_via(&app, 10, "198.51.100.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_bad_proxy_range_stops_the_start_and_is_named() {
    let db = TestDb::new(t0()).await;
    let stderr = common::edge::serve_refuses(&db, &[("LULL_TRUSTED_PROXIES", "10.0.0.0/8, proxy.local")]).await;
    assert!(
        stderr.contains("LULL_TRUSTED_PROXIES") && stderr.contains("proxy.local"),
        "{stderr}"
    );
}

/// A sign-in with a wrong password sent with `origin` (if any); 401 means the origin
/// check let it through.
async fn sign_in_from(app: &common::TestApp, origin: Option<&str>) -> StatusCode {
    let http = common::pages::no_redirects();
    let form = http.get(format!("{}/admin/login", app.base)).send().await.unwrap();
    let pre = common::pages::cookie_of(&form, "lull_csrf").unwrap();
    let csrf = common::pages::hidden_csrf(&form.text().await.unwrap());
    let mut req = http
        .post(format!("{}/admin/login", app.base))
        .header("cookie", pre)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "ops@example.com"),
            ("password", "wrong password"),
        ]);
    if let Some(origin) = origin {
        req = req.header("origin", origin);
    }
    req.send().await.unwrap().status()
}

#[tokio::test]
async fn dashboard_forms_must_come_from_the_public_origin() {
    let (app, _) = launch_with(TestDb::new(t0()).await, |s| {
        // A proxy serves it as https://status.example.test and passes Host: 127.0.0.1:…
        s.site.public_url = "https://status.example.test".into();
        s.origin_from_public_url = true;
    })
    .await;
    lull::service::admins::create(&app.services, "ops@example.com", "correct horse battery", false)
        .await
        .unwrap();
    assert_eq!(
        sign_in_from(&app, Some("https://status.example.test")).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(sign_in_from(&app, Some(&app.base)).await, StatusCode::FORBIDDEN);
    assert_eq!(sign_in_from(&app, Some("null")).await, StatusCode::FORBIDDEN);
    assert_eq!(
        sign_in_from(&app, Some("https://status.example.test.evil.example")).await,
        StatusCode::FORBIDDEN
    );
    // Without Origin the CSRF token alone decides.
    assert_eq!(sign_in_from(&app, None).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn without_a_public_url_the_origin_must_match_the_host_and_null_is_refused() {
    let app = common::spawn_app().await;
    lull::service::admins::create(&app.services, "ops@example.com", "correct horse battery", false)
        .await
        .unwrap();
    assert_eq!(sign_in_from(&app, Some(&app.base)).await, StatusCode::UNAUTHORIZED);
    assert_eq!(sign_in_from(&app, Some("null")).await, StatusCode::FORBIDDEN);
    assert_eq!(
        sign_in_from(&app, Some("http://evil.example")).await,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn another_site_cannot_sign_its_visitors_up() {
    let app = common::spawn_app().await;
    let http = common::pages::no_redirects();
    // A hidden form on another site, posting to the public sign-up …
    let form = http
        .post(format!("{}/subscribe", app.base))
        .header("origin", "https://evil.example")
        .form(&[("email", "victim@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::FORBIDDEN);
    // … or a text/plain POST to the API (a "simple" request needs no CORS preflight).
    let api = http
        .post(format!("{}/api/v1/subscribers", app.base))
        .header("origin", "https://evil.example")
        .header("content-type", "text/plain")
        .body(r#"{"email": "victim@example.com"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(
        body["error"], "forbidden",
        "the API answers in its own error body: {body}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM subscribers").await, 0);
    // The page's own form, and scripts without an Origin, still work.
    let own = http
        .post(format!("{}/subscribe", app.base))
        .header("origin", &app.base)
        .form(&[("email", "reader@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::SEE_OTHER);
    let (status, _) = app
        .request(
            reqwest::Method::POST,
            "/api/v1/subscribers",
            Some(serde_json::json!({"email": "script@example.com"})),
            false,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(app.count("SELECT COUNT(*) FROM subscribers").await, 2);
}

// --- mail ---

#[tokio::test]
async fn smtp_credentials_without_encryption_stop_the_start_unless_tls_none() {
    let db = TestDb::new(t0()).await;
    let sink = common::smtp::SmtpSink::start().await;
    let with_password = sink.url().replace("smtp://", "smtp://mailuser:SMTPSECRETpw99@");
    let stderr = common::edge::serve_refuses(
        &db,
        &[
            ("LULL_SMTP_URL", &with_password),
            ("LULL_SMTP_FROM", "Status <status@example.test>"),
        ],
    )
    .await;
    assert!(stderr.contains("tls=none"), "{stderr}");
    assert!(!stderr.contains("SMTPSECRETpw99"), "{stderr}");
    assert!(sink.messages().is_empty());

    // `tls=none` is understood (it is no lettre parameter) and mail goes out.
    let app = common::launch_with_mail(db, Some(format!("{}?tls=none", sink.url()))).await;
    let (status, _) = app
        .post(
            "/api/v1/subscribers",
            serde_json::json!({"email": "reader@example.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(sink.wait_for(1).await[0].to, ["reader@example.com"]);
}

// --- caching ---

/// The `Cache-Control` of a dashboard GET with `cookie`.
async fn cache_control(app: &common::TestApp, cookie: &str, path: &str) -> (StatusCode, String, String) {
    let resp = common::pages::no_redirects()
        .get(format!("{}{path}", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let cc = resp
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, cc, resp.text().await.unwrap())
}

#[tokio::test]
async fn pages_with_secrets_are_never_stored() {
    let app = common::spawn_app().await;
    // The setup form, before any admin exists.
    let (status, cc, html) = cache_control(&app, "", "/admin").await;
    assert!(status == StatusCode::OK && html.contains("password"), "{status}");
    assert_eq!(cc, "no-store");

    let cookie = common::pages::signed_in(&app).await;
    let (_, cc, _) = cache_control(&app, "", "/admin/login").await;
    assert_eq!(cc, "no-store", "sign-in page");
    // A fresh token, shown once.
    let page = common::pages::admin_get(&app, &cookie, "/admin/tokens").await;
    let csrf = common::pages::hidden_csrf(&page);
    let resp = common::pages::no_redirects()
        .post(format!("{}/admin/tokens", app.base))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str()), ("name", "deploy-bot")])
        .send()
        .await
        .unwrap();
    let carried = common::pages::cookie_of(&resp, "lull_new_token").unwrap();
    let (status, cc, html) = cache_control(&app, &format!("{cookie}; {carried}"), "/admin/tokens").await;
    assert!(status == StatusCode::OK && html.contains("shown only this once"));
    assert_eq!(cc, "no-store", "the page with a new token");
    // Webhook secrets.
    app.post(
        "/api/v1/webhooks",
        serde_json::json!({"url": "http://127.0.0.1:9/hook"}),
    )
    .await;
    let (status, cc, _) = cache_control(&app, &cookie, "/admin/webhooks").await;
    assert_eq!((status, cc.as_str()), (StatusCode::OK, "no-store"), "webhooks page");
}

// --- webhook targets ---

/// Registers `urls` as webhooks and starts a maintenance, which notifies them.
async fn notify_webhooks(app: &common::TestApp, urls: &[String]) {
    for url in urls {
        let (status, body) = app.post("/api/v1/webhooks", serde_json::json!({"url": url})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    app.monitor("api").await;
    let m = app
        .maintenance(
            serde_json::json!({"title": "DB", "start": "2026-05-10T15:00", "timezone": "UTC",
            "duration": 600, "monitors": [{"slug": "api"}]}),
        )
        .await;
    let (status, _) = app
        .post(
            &format!("/api/v1/events/{}/start", m["events"][0]["id"]),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn with_private_targets_blocked_a_loopback_webhook_gets_nothing_and_the_failure_says_why() {
    let (app, _) = launch_with(TestDb::new(t0()).await, |s| {
        s.webhook_targets = lull::notify::webhook::Targets::Public;
    })
    .await;
    let (hits, url) = common::edge::hook_receiver().await;
    // Once as an address, once as a name that resolves to loopback.
    let by_name = url.replace("127.0.0.1", "localhost");
    notify_webhooks(&app, &[url, by_name]).await;
    let total = app
        .count("SELECT COUNT(*) FROM outbox WHERE webhook_id IS NOT NULL")
        .await;
    assert!(total >= 2);
    common::edge::wait_count(
        &app,
        "SELECT COUNT(*) FROM outbox WHERE webhook_id IS NOT NULL AND status = 'FAILED' \
         AND last_error LIKE '%LULL_WEBHOOK_BLOCK_PRIVATE%'",
        total,
    )
    .await;
    assert!(hits.lock().unwrap().is_empty(), "a refused webhook was called");
}

#[tokio::test]
async fn by_default_webhooks_may_target_any_address() {
    let app = common::spawn_app().await;
    let (hits, url) = common::edge::hook_receiver().await;
    notify_webhooks(&app, &[url]).await;
    common::edge::wait_count(
        &app,
        "SELECT COUNT(*) FROM outbox WHERE webhook_id IS NOT NULL AND status = 'SENT'",
        1,
    )
    .await;
    assert!(!hits.lock().unwrap().is_empty());
}

// --- first-run setup ---

/// A setup form posted as forwarded for `client`, with a fresh pre-session CSRF pair.
async fn setup_as(app: &common::TestApp, client: &str, email: &str) -> StatusCode {
    let http = common::pages::no_redirects();
    // The setup form while there is no admin, the sign-in form after (same CSRF pair).
    let mut form = http.get(format!("{}/admin", app.base)).send().await.unwrap();
    if form.status() != StatusCode::OK {
        form = http.get(format!("{}/admin/login", app.base)).send().await.unwrap();
    }
    let pre = common::pages::cookie_of(&form, "lull_csrf").unwrap();
    let csrf = common::pages::hidden_csrf(&form.text().await.unwrap());
    http.post(format!("{}/admin/setup", app.base))
        .header("cookie", pre)
        .header("x-forwarded-for", client)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap()
        .status()
}

async fn behind_proxy() -> common::TestApp {
    launch_with(TestDb::new(t0()).await, |s| {
        s.trusted_proxies = lull::web::client::parse_proxies("127.0.0.1").unwrap();
    })
    .await
    .0
}

#[tokio::test]
async fn eight_racing_setups_make_one_admin() {
    let app = std::sync::Arc::new(behind_proxy().await);
    let racers: Vec<_> = (0..8)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(
                async move { setup_as(&app, &format!("198.51.100.{i}"), &format!("racer{i}@example.com")).await },
            )
        })
        .collect();
    let mut statuses = Vec::new();
    for r in racers {
        statuses.push(r.await.unwrap());
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM admins").await, 1, "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::SEE_OTHER).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::SEE_OTHER || *s == StatusCode::CONFLICT),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn a_second_setup_waits_for_the_first_and_then_sees_its_admin() {
    // The lock itself, without timing luck: while one setup's transaction is open, the
    // other's count waits and then counts the admin just made.
    let db = TestDb::new(t0()).await;
    let backend = db.store.backend;
    let mut first = db.store.begin().await.unwrap();
    lull::store::admins::lock(&mut first, backend).await.unwrap();
    assert_eq!(lull::store::admins::count(&mut first).await.unwrap(), 0);
    lull::store::admins::insert(&mut first, "first@example.com", "x", chrono::Utc::now())
        .await
        .unwrap();
    let store = db.store.clone();
    let second = tokio::spawn(async move {
        let mut tx = store.begin().await.unwrap();
        lull::store::admins::lock(&mut tx, backend).await.unwrap();
        lull::store::admins::count(&mut tx).await.unwrap()
    });
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert!(
        !second.is_finished(),
        "the second setup counted while the first was open"
    );
    first.commit().await.unwrap();
    assert_eq!(second.await.unwrap(), 1);
}

#[tokio::test]
async fn setup_after_an_admin_exists_is_refused_without_hashing_and_is_throttled() {
    let app = behind_proxy().await;
    lull::service::admins::create(&app.services, "ops@example.com", "correct horse battery", false)
        .await
        .unwrap();
    // Every core busy with other hashing: a setup that hashed first would wait for one.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let (started_tx, mut started) = tokio::sync::mpsc::unbounded_channel();
    let mut release = Vec::new();
    for _ in 0..cores {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        release.push(tx);
        let started_tx = started_tx.clone();
        tokio::spawn(lull::service::cpu::run(move || {
            started_tx.send(()).unwrap();
            let _ = rx.recv();
        }));
    }
    for _ in 0..cores {
        started.recv().await.unwrap();
    }
    let refused = tokio::time::timeout(
        StdDuration::from_secs(2),
        lull::service::admins::create(&app.services, "late@example.com", "correct horse battery", true),
    )
    .await
    .expect("the refusal waited for a core: it hashed first");
    drop(release);
    assert!(
        matches!(refused, Err(lull::error::AppError::Conflict(_))),
        "{refused:?}"
    );
    // Over HTTP: 409, and one client gets five tries.
    for _ in 0..5 {
        assert_eq!(
            setup_as(&app, "203.0.113.9", "late@example.com").await,
            StatusCode::CONFLICT
        );
    }
    assert_eq!(
        setup_as(&app, "203.0.113.9", "late@example.com").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

// --- sign-up flooding ---

/// `POST /api/v1/subscribers` for `email`, as forwarded for `client`.
async fn subscribe_as(app: &common::TestApp, client: &str, email: &str) -> StatusCode {
    app.http
        .post(format!("{}/api/v1/subscribers", app.base))
        .header("x-forwarded-for", client)
        .json(&serde_json::json!({"email": email}))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn plus_addresses_from_many_clients_get_one_mailbox_three_confirmations() {
    let app = behind_proxy().await;
    for n in 1..=5 {
        let status = subscribe_as(&app, &format!("198.51.100.{n}"), &format!("victim+{n}@example.com")).await;
        // The same answer as ever: nothing tells the caller the mailbox had enough.
        assert_eq!(status, StatusCode::ACCEPTED);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'confirm'").await, 3);
    // Another mailbox is not affected.
    assert_eq!(
        subscribe_as(&app, "198.51.100.9", "other@example.com").await,
        StatusCode::ACCEPTED
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'confirm'").await, 4);
}

#[tokio::test]
async fn an_ipv6_client_is_limited_by_its_64() {
    let app = behind_proxy().await;
    for n in 1..=10 {
        let client = format!("2001:db8:1:2::{n:x}");
        assert_eq!(
            subscribe_as(&app, &client, &format!("reader{n}@example.com")).await,
            StatusCode::ACCEPTED
        );
    }
    assert_eq!(
        subscribe_as(&app, "2001:db8:1:2:ffff::1", "reader11@example.com").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        subscribe_as(&app, "2001:db8:1:3::1", "reader12@example.com").await,
        StatusCode::ACCEPTED,
        "the next /64 is someone else"
    );
}

#[tokio::test]
async fn confirmation_mails_have_a_cap_in_all() {
    let db = TestDb::new(t0()).await;
    let limits = lull::service::subscribers::SignupLimits {
        per_hour: lull::service::throttle::Throttle::new(3, chrono::Duration::hours(1)),
        ..Default::default()
    };
    let sign_up = |n: usize| {
        let (db, limits) = (&db, &limits);
        async move {
            let input = lull::service::subscribers::SubscribeInput {
                email: format!("reader{n}@example.com"),
                ..Default::default()
            };
            lull::service::subscribers::subscribe(&db.services, limits, &format!("198.51.100.{n}"), input).await
        }
    };
    for n in 0..3 {
        sign_up(n).await.unwrap();
    }
    assert!(matches!(sign_up(3).await, Err(lull::error::AppError::TooMany(_))));
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox WHERE kind = 'confirm'").await, 3);
    // An hour later there is room again.
    db.clock.advance(chrono::Duration::minutes(61));
    sign_up(4).await.unwrap();
}

// --- one-line fields, senders ---

#[tokio::test]
async fn titles_and_names_are_one_line() {
    let app = common::spawn_app().await;
    let (status, err) = app
        .post(
            "/api/v1/monitors",
            serde_json::json!({"name": "API\r\nBcc: x", "slug": "api"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["field"], "name");
    app.monitor("api").await;
    let (status, err) = app
        .post(
            "/api/v1/maintenances",
            serde_json::json!({"title": "DB upgrade\nSecond line", "start": "2026-05-10T15:00", "timezone": "UTC",
                "duration": 600, "monitors": [{"slug": "api"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["field"], "title");
    assert!(err["message"].as_str().unwrap().contains("one line"), "{err}");
}

#[tokio::test]
async fn a_site_name_with_commas_and_colons_is_the_senders_name() {
    let sink = common::smtp::SmtpSink::start().await;
    let name = "Acme, Inc. (EU): Status";
    let (app, _) = launch_with(TestDb::new(t0()).await, |s| {
        // Only links point at this name; nothing is sent there.
        s.site = lull::config::Site::new(name, None, "#0969da", "https://status.acme.test").unwrap();
        s.mail = Some(lull::notify::MailerSettings {
            url: sink.url(),
            from: None,
            credentials: None,
            timeout_secs: 1,
            lease_secs: 120,
        });
    })
    .await;
    let (status, _) = app
        .post(
            "/api/v1/subscribers",
            serde_json::json!({"email": "reader@example.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mail = &sink.wait_for(1).await[0];
    let parsed = mail_parser::MessageParser::default()
        .parse(mail.data.as_bytes())
        .unwrap();
    let from = parsed.from().unwrap().first().unwrap();
    assert_eq!(from.name.as_deref(), Some(name));
    assert_eq!(from.address.as_deref(), Some("noreply@status.acme.test"));
}

/// Sends `n` copies of a request and a `GET /` after them on this test's one thread (the
/// server runs on it too): which answer came first.
async fn page_answered_first(app: &common::TestApp, slow: impl Fn() -> reqwest::RequestBuilder) -> bool {
    use futures_util::future::{Either, select, select_all};
    let slow: Vec<_> = (0..4).map(|_| Box::pin(slow().send())).collect();
    // The slow requests reach the server first: give them a moment to be read.
    let mut slow = Box::pin(select_all(slow));
    if let Either::Left(_) = select(&mut slow, Box::pin(tokio::time::sleep(StdDuration::from_millis(20)))).await {
        panic!("a slow request answered within 20 ms: nothing to compare the page with");
    }
    let page = Box::pin(app.http.get(format!("{}/", app.base)).send());
    matches!(select(page, slow).await, Either::Left(_))
}

#[tokio::test]
async fn the_status_page_is_answered_while_previews_and_sign_ins_are_being_computed() {
    // One thread runs this test and the server: work done on it would hold up every
    // request behind it. Expanding a rule that never fires in 300 years, and checking a
    // password (Argon2), run on the blocking pool instead.
    let app = common::spawn_app().await;
    common::pages::front_page_with(&app, "Status").await;
    let preview = || {
        app.http.get(format!("{}/api/v1/schedule/preview", app.base)).query(&[
            ("rrule", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO"),
            ("start", "2026-01-01T00:00"),
            ("tz", "UTC"),
            ("duration", "60"),
        ])
    };
    assert!(page_answered_first(&app, preview).await, "a preview held up the page");
    // A hash carries its own cost: thirty times the default's passes, so that each check
    // takes long enough to be seen on a fast machine too (the default's take ~10 ms there).
    let costly = "$argon2id$v=19$m=19456,t=60,p=1$c29tZXNhbHRzb21lc2FsdA$Q5oZ1rN8KZg0cZ9o7gq1oQ0o3x3ZlFq2m7cW0Xq3b9M";
    let mut conn = app.services.store.conn().await.unwrap();
    lull::store::admins::insert(&mut conn, "ops@example.com", costly, chrono::Utc::now())
        .await
        .unwrap();
    drop(conn);
    let form = app.http.get(format!("{}/admin/login", app.base)).send().await.unwrap();
    let pre = common::pages::cookie_of(&form, "lull_csrf").unwrap();
    let csrf = common::pages::hidden_csrf(&form.text().await.unwrap());
    let sign_in = || {
        app.http
            .post(format!("{}/admin/login", app.base))
            .header("cookie", &pre)
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", "ops@example.com"),
                ("password", "wrong horse battery"),
            ])
    };
    assert!(page_answered_first(&app, sign_in).await, "a sign-in held up the page");
}

/// A sign-in with a wrong password for `email` from `client` (behind the trusted proxy).
async fn wrong_sign_in_as(app: &common::TestApp, client: &str, email: &str) -> StatusCode {
    let http = common::pages::no_redirects();
    let form = http.get(format!("{}/admin/login", app.base)).send().await.unwrap();
    let pre = common::pages::cookie_of(&form, "lull_csrf").unwrap();
    let csrf = common::pages::hidden_csrf(&form.text().await.unwrap());
    http.post(format!("{}/admin/login", app.base))
        .header("cookie", pre)
        .header("x-forwarded-for", client)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", "wrong password"),
        ])
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn emails_longer_than_an_address_share_one_throttle_key() {
    // Each attempt from a new client with a new 10,000-character "email": kept whole, each
    // would be a key of its own (memory for every guess, and no limit); cut at 254
    // characters they are one key, locked after five.
    let app = behind_proxy().await;
    lull::service::admins::create(&app.services, "ops@example.com", "correct horse battery", false)
        .await
        .unwrap();
    let prefix = "x".repeat(300);
    let mut statuses = Vec::new();
    for i in 0..6 {
        let email = format!("{prefix}{}", "y".repeat(9_700 + i));
        statuses.push(wrong_sign_in_as(&app, &format!("198.51.100.{i}"), &email).await);
    }
    assert_eq!(statuses[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
}
