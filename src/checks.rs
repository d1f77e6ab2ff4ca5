//! The check runner: asks each `http` and `tcp` monitor's service how it is, on its
//! interval, and moves the monitor's status when the answers say so.
//!
//! - It runs on the scheduler's leader only (the lease decides on PostgreSQL), so several
//!   replicas never check twice; a new leader starts over, first checks spread again.
//! - First checks are spread over each monitor's interval (jitter), not fired at once;
//!   at most [`IN_FLIGHT`] checks run at a time, each bounded by its own timeout, so one
//!   slow target never holds up the others.
//! - Flap damping: a monitor turns DOWN after `retries + 1` failed checks in a row; one
//!   good answer makes it UP again (DEGRADED when slower than `degraded_after_ms`).
//! - **During maintenance** a monitor that an ongoing event affects is not checked at all
//!   (its shown status is the event's impact); when the event ends, is completed early or
//!   cancelled, checks resume and the first one decides the status, without damping.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::clock::MAX_SLEEP;
use crate::domain::check::{CheckSpec, CheckType};
use crate::domain::impact::MonitorStatus;
use crate::error::AppResult;
use crate::service::Services;
use crate::store::monitors;

/// Checks in flight at once.
pub const IN_FLIGHT: usize = 64;
/// The most of a body read for a keyword.
const BODY_MAX: usize = 1 << 20;

/// What one check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub monitor_id: i64,
    pub status: MonitorStatus,
    pub latency_ms: i64,
    /// Why it failed (or was slow), for people.
    pub error: Option<String>,
}

/// What the runner remembers of a monitor between checks.
#[derive(Debug, Clone)]
struct Watch {
    spec: CheckSpec,
    next_at: DateTime<Utc>,
    /// Failed checks in a row.
    failures: i64,
    /// Paused by maintenance since the last check: the next one decides alone.
    resumed: bool,
}

/// The runner's memory: every checked monitor's next check and run of failures.
pub struct Runner {
    watches: HashMap<i64, Watch>,
    http: HttpClients,
    pool: Arc<Semaphore>,
}

impl Default for Runner {
    fn default() -> Self {
        Self::new()
    }
}

impl Runner {
    pub fn new() -> Self {
        Self {
            watches: HashMap::new(),
            http: HttpClients::new(),
            pool: Arc::new(Semaphore::new(IN_FLIGHT)),
        }
    }

    /// Runs every check due at `now` (all at once, within the pool) and records what they
    /// found; returns their outcomes and when the next check is due.
    pub async fn run_due(&mut self, s: &Services, now: DateTime<Utc>) -> AppResult<(Vec<Outcome>, DateTime<Utc>)> {
        let mut conn = s.store.conn().await?;
        let rows = monitors::list(&mut conn).await?;
        let paused = monitors::under_maintenance(&mut conn, now).await?;
        drop(conn);

        // Forget monitors that are gone or no longer checked; (re)learn changed ones, their
        // first check at a random point of the interval.
        let checked: HashMap<i64, (CheckSpec, MonitorStatus)> = rows
            .into_iter()
            .map(|r| (r.id, (r.check.spec(), r.status)))
            .filter(|(_, (spec, _))| matches!(spec.kind, CheckType::Http | CheckType::Tcp))
            .collect();
        self.watches
            .retain(|id, w| checked.get(id).is_some_and(|(spec, _)| *spec == w.spec));
        for (id, (spec, _)) in &checked {
            self.watches.entry(*id).or_insert_with(|| Watch {
                next_at: now + jitter(spec.interval),
                spec: spec.clone(),
                failures: 0,
                resumed: false,
            });
        }

        let mut due = Vec::new();
        for (id, w) in &mut self.watches {
            if paused.contains(id) {
                w.resumed = true;
                w.failures = 0;
                continue;
            }
            if w.next_at <= now {
                w.next_at = now + Duration::seconds(w.spec.interval);
                due.push((*id, w.spec.clone()));
            }
        }
        let checks = due.into_iter().map(|(id, spec)| {
            let (pool, http) = (self.pool.clone(), &self.http);
            async move {
                let _permit = pool.acquire_owned().await.ok();
                check(http, id, &spec).await
            }
        });
        let outcomes = futures_util::future::join_all(checks).await;

        let mut changed = false;
        for o in &outcomes {
            let Some(w) = self.watches.get_mut(&o.monitor_id) else {
                continue;
            };
            let Some((_, current)) = checked.get(&o.monitor_id) else {
                continue;
            };
            let new = if o.status == MonitorStatus::Down {
                w.failures += 1;
                if w.failures > w.spec.retries || w.resumed {
                    MonitorStatus::Down
                } else {
                    *current
                }
            } else {
                w.failures = 0;
                o.status
            };
            w.resumed = false;
            if new != *current {
                let mut conn = s.store.conn().await?;
                if monitors::set_checked_status(&mut conn, o.monitor_id, new, now).await? {
                    tracing::info!(monitor = o.monitor_id, from = %current, to = %new, error = o.error.as_deref(), "monitor status changed");
                    changed = true;
                }
            }
        }
        if changed {
            s.changed();
        }
        let next = self.watches.values().map(|w| w.next_at).min();
        Ok((outcomes, next.unwrap_or(now + MAX_SLEEP)))
    }
}

/// A random point within the first interval, so checks start spread out.
fn jitter(interval: i64) -> Duration {
    Duration::milliseconds(rand::random_range(0..interval.max(1) * 1000))
}

/// Runs until `stop` (the scheduler starts it while it leads, and stops it when it no
/// longer does).
pub async fn run(s: Services, stop: CancellationToken) {
    let mut runner = Runner::new();
    loop {
        let now = s.now();
        let wake = match runner.run_due(&s, now).await {
            Ok((_, next)) => next.clamp(now + Duration::milliseconds(200), now + MAX_SLEEP),
            Err(e) => {
                tracing::error!(error = %e, "checking monitors failed; retrying");
                now + Duration::seconds(2)
            }
        };
        tokio::select! {
            () = s.clock.sleep_until(wake) => {}
            // A monitor added or changed, or a maintenance that starts or ends.
            () = s.check_changes.notified() => {}
            () = stop.cancelled() => return,
        }
    }
}

/// One HTTP client per combination of redirect and TLS settings, shared by all checks.
struct HttpClients([reqwest::Client; 4]);

impl HttpClients {
    fn new() -> Self {
        let build = |follow: bool, verify: bool| {
            reqwest::Client::builder()
                .redirect(if follow {
                    reqwest::redirect::Policy::limited(10)
                } else {
                    reqwest::redirect::Policy::none()
                })
                .danger_accept_invalid_certs(!verify)
                .user_agent(concat!("Lull/", env!("CARGO_PKG_VERSION"), " (status checks)"))
                .build()
                .unwrap_or_default()
        };
        Self([
            build(false, false),
            build(false, true),
            build(true, false),
            build(true, true),
        ])
    }

    fn get(&self, follow: bool, verify: bool) -> &reqwest::Client {
        &self.0[usize::from(follow) * 2 + usize::from(verify)]
    }
}

/// Runs one check within its timeout.
async fn check(http: &HttpClients, monitor_id: i64, spec: &CheckSpec) -> Outcome {
    let started = Instant::now();
    let limit = StdDuration::from_secs(spec.timeout.max(1) as u64);
    let result = match spec.kind {
        CheckType::Http => tokio::time::timeout(limit, http_check(http, spec)).await,
        CheckType::Tcp => tokio::time::timeout(limit, tcp_check(spec)).await,
        CheckType::Manual | CheckType::Heartbeat => Ok(Ok(())),
    };
    let latency_ms = started.elapsed().as_millis() as i64;
    let (status, error) = match result {
        Err(_) => (
            MonitorStatus::Down,
            Some(format!("no answer within {} s", spec.timeout)),
        ),
        Ok(Err(e)) => (MonitorStatus::Down, Some(e)),
        Ok(Ok(())) => match spec.degraded_after_ms {
            Some(ms) if latency_ms > ms => (
                MonitorStatus::Degraded,
                Some(format!("answered in {latency_ms} ms (slower than {ms} ms)")),
            ),
            _ => (MonitorStatus::Up, None),
        },
    };
    Outcome {
        monitor_id,
        status,
        latency_ms,
        error,
    }
}

async fn http_check(http: &HttpClients, spec: &CheckSpec) -> Result<(), String> {
    let url = spec.url.as_deref().ok_or("no URL")?;
    let method = reqwest::Method::from_bytes(spec.method.as_str().as_bytes()).map_err(|e| e.to_string())?;
    let mut resp = http
        .get(spec.follow_redirects, spec.verify_tls)
        .request(method, url)
        .send()
        .await
        .map_err(|e| describe(&e))?;
    let code = resp.status().as_u16();
    if !spec.expect_status.contains(code) {
        return Err(format!("HTTP {code}, expected {}", spec.expect_status));
    }
    if let Some(keyword) = &spec.keyword {
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| describe(&e))? {
            body.extend_from_slice(&chunk);
            if body.len() >= BODY_MAX {
                break;
            }
        }
        if !String::from_utf8_lossy(&body).contains(keyword.as_str()) {
            return Err(format!("the answer does not contain '{keyword}'"));
        }
    }
    Ok(())
}

/// A request error in a few words, with its cause (refused, TLS, DNS).
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    text
}

async fn tcp_check(spec: &CheckSpec) -> Result<(), String> {
    let target = spec.target.as_deref().ok_or("no target")?;
    let addr = target.replace(['[', ']'], "");
    let (host, port) = addr.rsplit_once(':').ok_or("no port")?;
    let port: u16 = port.parse().map_err(|_| "bad port")?;
    tokio::net::TcpStream::connect((host, port))
        .await
        .map(drop)
        .map_err(|e| format!("cannot connect to {target}: {e}"))
}
