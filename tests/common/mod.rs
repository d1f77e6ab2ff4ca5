//! The test harness: a real server on an ephemeral port over a fresh database (a temporary
//! SQLite file, or a new PostgreSQL database when `LULL_TEST_DATABASE_URL` is set; if that
//! server cannot be reached the test fails), with a manual clock and an API token.
#![allow(dead_code, reason = "each test binary uses a different part of the harness")]

pub mod degraded;
pub mod edge;
pub mod pages;
pub mod restart;
pub mod smtp;

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use lull::clock::ManualClock;
use lull::service::{Services, tokens};
use lull::store::Store;
use reqwest::StatusCode;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

/// Sunday 2026-05-10 12:00 UTC: the default "now" of tests.
/// A loopback port free at the time of asking, for a server a test starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 10, 12, 0, 0).unwrap()
}

pub fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A fresh database and services over it, with no server and no scheduler running.
pub struct TestDb {
    pub url: String,
    pub store: Store,
    pub clock: ManualClock,
    pub services: Services,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new(now: DateTime<Utc>) -> Self {
        let clock = ManualClock::new(now);
        Self::with_clock(clock.clone(), Arc::new(clock)).await
    }

    /// A database whose services run on the real clock (`clock` is then unused).
    pub async fn with_system_clock() -> Self {
        Self::with_clock(ManualClock::new(t0()), Arc::new(lull::clock::SystemClock)).await
    }

    async fn with_clock(clock: ManualClock, shared: lull::clock::SharedClock) -> Self {
        let (url, dir) = match std::env::var("LULL_TEST_DATABASE_URL") {
            Ok(admin) if !admin.is_empty() => (fresh_postgres(&admin).await, None),
            _ => {
                let dir = tempfile::tempdir().unwrap();
                (format!("sqlite://{}", dir.path().join("lull.db").display()), Some(dir))
            }
        };
        let store = lull::app::open_store(&url).await.expect("open test database");
        let services = Services::new(store.clone(), shared);
        Self {
            url,
            store,
            clock,
            services,
            _dir: dir,
        }
    }

    /// A second handle on the database of a running app, as a restarted server would open it.
    pub async fn reopen(app: &TestApp) -> Self {
        let store = lull::app::open_store(&app.db.url).await.unwrap();
        let clock = app.db.clock.clone();
        let services = Services::new(store.clone(), Arc::new(clock.clone()));
        Self {
            url: app.db.url.clone(),
            store,
            clock,
            services,
            _dir: None,
        }
    }

    /// The status the scheduler last stored for an event.
    pub async fn stored_status(&self, event: i64) -> String {
        sqlx::query_scalar("SELECT status FROM events WHERE id = $1")
            .bind(event)
            .fetch_one(&self.store.pool)
            .await
            .unwrap()
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&self.store.pool).await.unwrap()
    }
}

/// For the tests marked `#[ignore = "PostgreSQL only: …"]`: run without
/// `LULL_TEST_DATABASE_URL` (on SQLite) they fail instead of passing without checking
/// anything. One process owns a SQLite file, so there is no other replica to wake or to
/// take over.
pub fn postgres_only(db: &TestDb) {
    assert_eq!(
        db.store.backend,
        lull::store::Backend::Postgres,
        "a PostgreSQL-only test: set LULL_TEST_DATABASE_URL"
    );
}

async fn fresh_postgres(admin_url: &str) -> String {
    lull::store::create_scratch_database(admin_url)
        .await
        .unwrap_or_else(|e| panic!("LULL_TEST_DATABASE_URL is set but PostgreSQL cannot be used: {e}"))
}

/// A running server.
pub struct TestApp {
    pub db: TestDb,
    pub base: String,
    pub token: String,
    pub http: reqwest::Client,
    /// Whether email notices are sent (an SMTP server is configured): without one they
    /// wait in the outbox and only webhooks go.
    pub mail: bool,
    shutdown: CancellationToken,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl std::ops::Deref for TestApp {
    type Target = TestDb;
    fn deref(&self) -> &TestDb {
        &self.db
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_at(t0()).await
}

pub async fn spawn_app_at(now: DateTime<Utc>) -> TestApp {
    launch(TestDb::new(now).await).await
}

/// Starts a server (with its scheduler) over an existing database.
pub async fn launch(db: TestDb) -> TestApp {
    launch_with_mail(db, None).await
}

/// Starts a server that sends its notices to the SMTP server at `mail` (a URL).
pub async fn launch_with_mail(db: TestDb, mail: Option<String>) -> TestApp {
    launch_with(db, mail, |_| {}).await
}

/// Starts a server with settings changed by `adjust` (after the harness's own).
pub async fn launch_with(db: TestDb, mail: Option<String>, adjust: impl FnOnce(&mut lull::app::Settings)) -> TestApp {
    let (_, token) = tokens::create(&db.services, "test").await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let shutdown = CancellationToken::new();
    let has_mail = mail.is_some();
    let settings = lull::app::Settings {
        site: lull::config::Site {
            public_url: base.clone(),
            ..Default::default()
        },
        mail: mail.map(|url| lull::notify::MailerSettings {
            url,
            from: Some("Status <status@example.test>".into()),
            credentials: None,
            timeout_secs: 1,
            lease_secs: 120,
        }),
        ..Default::default()
    };
    let mut settings = settings;
    adjust(&mut settings);
    tokio::spawn(lull::app::launch(
        db.services.clone(),
        settings,
        listener,
        shutdown.clone(),
    ));
    TestApp {
        db,
        base,
        token,
        http: reqwest::Client::new(),
        mail: has_mail,
        shutdown,
    }
}

impl TestApp {
    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        auth: bool,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if auth {
            req = req.bearer_auth(&self.token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.request(reqwest::Method::GET, path, None, true).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.request(reqwest::Method::POST, path, Some(body), true).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.request(reqwest::Method::PATCH, path, Some(body), true).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.request(reqwest::Method::DELETE, path, None, true).await
    }

    pub async fn monitor(&self, slug: &str) -> Value {
        let (status, body) = self
            .post(
                "/api/v1/monitors",
                serde_json::json!({"name": slug.to_uppercase(), "slug": slug}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    pub async fn maintenance(&self, body: Value) -> Value {
        let (status, body) = self.post("/api/v1/maintenances", body).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// Drives the background work to completion at the test clock's `now`: applies every
    /// transition that is due (the scheduler's "apply what is due", called here rather
    /// than waited for), then waits, in real time and bounded, until the delivery worker is
    /// done with every notice it may send now: none untried, none due for a retry, none
    /// claimed and in flight. After it, "nothing more was sent" is a fact, not a guess
    /// about how long the worker takes; a worker that never finishes fails the test.
    pub async fn settle(&self) {
        lull::scheduler::apply_due(&self.services).await.unwrap();
        let only = if self.mail { "" } else { " AND webhook_id IS NOT NULL" };
        let busy = format!(
            "SELECT COUNT(*) FROM outbox WHERE status = 'PENDING'
               AND (claimed_until IS NOT NULL OR attempts = 0 OR next_attempt_at <= $1){only}"
        );
        let deadline = Instant::now() + StdDuration::from_secs(10);
        loop {
            // The worker sleeps at least a second of clock time between passes, and the
            // test clock only moves when told to: wake it as a new notice would.
            self.services.outbox_changed();
            let left: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(busy.clone()))
                .bind(self.services.now().timestamp())
                .fetch_one(&self.store.pool)
                .await
                .unwrap();
            if left == 0 {
                return;
            }
            if Instant::now() > deadline {
                type Row = (i64, String, i64, Option<i64>, Option<i64>, Option<String>);
                let rows: Vec<Row> = sqlx::query_as(
                    "SELECT id, kind, attempts, next_attempt_at, claimed_until, last_error FROM outbox
                     WHERE status = 'PENDING'",
                )
                .fetch_all(&self.store.pool)
                .await
                .unwrap();
                panic!(
                    "{left} notices due at {} were never dealt with: {rows:?}",
                    self.services.now()
                );
            }
            tokio::time::sleep(StdDuration::from_millis(10)).await;
        }
    }

    /// Waits (in real time, briefly) until the scheduler has stored `status` for `event`.
    pub async fn wait_stored(&self, event: i64, status: &str) {
        let deadline = Instant::now() + StdDuration::from_secs(5);
        loop {
            let now = self.stored_status(event).await;
            if now == status {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "event {event} stayed {now}, expected {status}"
            );
            tokio::time::sleep(StdDuration::from_millis(10)).await;
        }
    }
}

pub fn ids(events: &Value) -> Vec<i64> {
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect()
}

pub fn starts(events: &Value) -> Vec<String> {
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["start"].as_str().unwrap().to_string())
        .collect()
}
