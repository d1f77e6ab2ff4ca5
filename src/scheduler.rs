//! The scheduler: one task with two duties.
//!
//! 1. **Horizon**: on start and hourly, store the events of every ACTIVE maintenance for
//!    the next 7 days (edits generate their own events at once, in their transaction).
//! 2. **Transitions**: sleep until the earliest boundary (ready, start, end) of any event
//!    or until something changes, then move each due event's stored status forward in
//!    its own compare-and-set transaction.
//!
//! With PostgreSQL and several replicas, only the holder of an advisory lock runs it;
//! everything it does is idempotent, so a failover that repeats work does no harm.
//! After downtime, windows that passed wholly unseen are caught up silently: a
//! transition straight from SCHEDULED/READY to COMPLETED is marked `silent`, so no notice
//! announces a window that is already over.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use tokio_util::sync::CancellationToken;

use crate::domain::lifecycle::EventStatus;
use crate::error::AppResult;
use crate::service::events::timing;
use crate::service::{Services, from_ts, horizon};
use crate::store::{Backend, events, outbox};

/// How often the horizon is extended.
pub const HORIZON_EVERY: Duration = Duration::hours(1);
/// Advisory lock key for the scheduler leader ("lull" in ASCII).
const LEADER_LOCK: i64 = 0x6c75_6c6c;

/// A status change the scheduler applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub event_id: i64,
    pub from: EventStatus,
    pub to: EventStatus,
    /// True for catch-up of a window that ended while nobody was watching.
    pub silent: bool,
}

/// Runs until `shutdown` is cancelled.
pub async fn run(s: Services, shutdown: CancellationToken) {
    loop {
        let leader = tokio::select! {
            leader = become_leader(&s) => leader,
            () = shutdown.cancelled() => return,
        };
        tracing::info!("scheduler running");
        lead(&s, &shutdown, leader).await;
        if shutdown.is_cancelled() {
            return;
        }
        tracing::warn!("scheduler lost leadership; waiting to take over again");
    }
}

/// Waits until this replica may run the scheduler. On SQLite there is one process, so
/// always at once; on PostgreSQL, whoever holds the session advisory lock.
async fn become_leader(s: &Services) -> Option<sqlx::pool::PoolConnection<sqlx::Any>> {
    if s.store.backend == Backend::Sqlite {
        return None;
    }
    loop {
        if let Ok(mut conn) = s.store.conn().await {
            let got: Result<bool, _> = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                .bind(LEADER_LOCK)
                .fetch_one(&mut *conn)
                .await;
            if let Ok(true) = got {
                // Keep the lock's session out of the pool for as long as we lead.
                return Some(conn);
            }
        }
        tokio::time::sleep(StdDuration::from_secs(10)).await;
    }
}

async fn lead(s: &Services, shutdown: &CancellationToken, mut leader: Option<sqlx::pool::PoolConnection<sqlx::Any>>) {
    let mut next_horizon = s.now();
    loop {
        if let Some(conn) = leader.as_mut()
            && sqlx::query("SELECT 1").execute(&mut **conn).await.is_err()
        {
            return;
        }
        let now = s.now();
        // Transitions first: a boundary never waits for the hourly horizon pass.
        let applied = apply_due(s).await;
        if applied.as_ref().is_ok_and(|a| !a.is_empty()) {
            s.page_changes.notify_one();
            s.broadcast();
        }
        if now >= next_horizon {
            next_horizon = now + HORIZON_EVERY;
            match horizon::pass(s).await {
                Ok(r) => {
                    tracing::info!(maintenances = r.maintenances, inserted = r.inserted, "horizon extended");
                    if r.inserted > 0 {
                        continue; // new events may be due already
                    }
                }
                Err(e) => tracing::error!(error = %e, "horizon pass failed"),
            }
        }
        let wake = match applied {
            // A boundary that is due but could not be applied (a row another replica
            // holds, or one that does not parse) must not turn this into a busy loop.
            Ok(applied) if applied.is_empty() => next_wake(s, next_horizon).await.max(now + Duration::seconds(1)),
            Ok(_) => next_wake(s, next_horizon).await,
            Err(e) => {
                tracing::error!(error = %e, "applying transitions failed; retrying shortly");
                s.now() + Duration::seconds(5)
            }
        };
        tokio::select! {
            () = s.clock.sleep_until(wake) => {}
            () = s.changes.notified() => {}
            () = shutdown.cancelled() => return,
        }
    }
}

async fn next_wake(s: &Services, next_horizon: DateTime<Utc>) -> DateTime<Utc> {
    let boundary = match s.store.conn().await {
        Ok(mut conn) => events::next_boundary(&mut conn).await.ok().flatten().map(from_ts),
        Err(_) => None,
    };
    boundary.map_or(next_horizon, |b| b.min(next_horizon))
}

/// Moves every due event to its status at `now`, one transaction per event.
pub async fn apply_due(s: &Services) -> AppResult<Vec<Transition>> {
    let now = s.now();
    let due = {
        let mut conn = s.store.conn().await?;
        events::due(&mut conn, now.timestamp()).await?
    };
    let mut applied = Vec::new();
    for e in due {
        let Ok(from) = EventStatus::parse("status", &e.status) else {
            continue;
        };
        let to = timing(&e).status_at(now);
        if to <= from {
            continue;
        }
        let silent = to == EventStatus::Completed && from < EventStatus::Ongoing;
        let mut tx = s.store.begin().await?;
        // Compare-and-set: a second scheduler that got here first makes this a no-op.
        if events::set_status(&mut tx, &e, to.as_str(), now.timestamp()).await? {
            // The notice is written in the transaction of the transition it announces.
            let kind = match to {
                EventStatus::Ready => Some("reminder"),
                EventStatus::Ongoing => Some("started"),
                EventStatus::Completed => Some("completed"),
                _ => None,
            };
            if let Some(kind) = kind.filter(|_| !silent) {
                outbox::enqueue(&mut tx, kind, e.maintenance_id, Some(e.id), "", now.timestamp()).await?;
            }
            tx.commit().await?;
            tracing::info!(event = e.id, title = %e.title, from = from.as_str(), to = to.as_str(), silent, "event transition");
            applied.push(Transition {
                event_id: e.id,
                from,
                to,
                silent,
            });
        }
    }
    if applied.iter().any(|t| !t.silent) {
        s.outbox_changed();
    }
    Ok(applied)
}
