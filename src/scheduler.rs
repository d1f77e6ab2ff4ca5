//! The scheduler: one task with two duties.
//!
//! 1. **Horizon**: on start and hourly, store the events of every ACTIVE maintenance for
//!    the next 7 days (edits generate their own events at once, in their transaction).
//! 2. **Transitions**: sleep until the earliest boundary (ready, start, end) of any event
//!    or until something changes, then move each due event's stored status forward in
//!    its own compare-and-set transaction.
//!
//! It never sleeps longer than [`MAX_SLEEP`] in one go and then looks at the wall clock
//! afresh, so a clock step costs at most that much; the hourly pass follows the wall
//! clock too (a step forward brings it at once, a step back never puts it further than
//! an hour away). A failed query is retried after 1 s, doubling to [`RETRY_MAX`], and
//! logged; it never waits for the next pass.
//!
//! **Leadership.** With PostgreSQL and several replicas, only the holder of a lease row
//! (`scheduler_lease`) runs it. The lease lasts [`LEASE_SECS`] by the database's clock and
//! is renewed every [`RENEW_EVERY`]; a replica whose renewal fails (or that was frozen past
//! a renewal) stops leading at once, before the lease can lapse, and a standby takes a
//! lapsed lease within [`TAKE_EVERY`]. Everything the leader does is idempotent, so a
//! failover that repeats work does no harm. SQLite has one process, so no lease.
//!
//! **Downtime.** A window whose end passed while no scheduler ran is history as planned,
//! not as seen: its move to COMPLETED is recorded as not observed and sends no
//! "completed" notice, when it was never seen running or its end is more than [`LATE`]
//! ago. Those who had its reminder get one `unobserved` notice rather than silence.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::clock::MAX_SLEEP;
use crate::domain::lifecycle::EventStatus;
use crate::domain::notice::NoticeKind;
use crate::error::AppResult;
use crate::service::{Services, horizon};
use crate::store::{Backend, events, outbox, scheduler as lease};

/// How often the horizon is extended.
pub const HORIZON_EVERY: Duration = Duration::hours(1);
/// How late a window's end may be applied and still count as seen: longer than any retry,
/// failover or restart (seconds), shorter than a mail about it would still be news.
pub const LATE: Duration = Duration::minutes(15);
/// How long a taken lease lasts (database clock).
pub const LEASE_SECS: i64 = 15;
/// How often the leader renews its lease.
pub const RENEW_EVERY: StdDuration = StdDuration::from_secs(5);
/// How often a standby tries to take the lease.
pub const TAKE_EVERY: StdDuration = StdDuration::from_secs(2);
/// The longest wait before retrying after a failed query.
pub const RETRY_MAX: StdDuration = StdDuration::from_secs(4);
const RETRY_FIRST: StdDuration = StdDuration::from_secs(1);
const LEASE_NAME: &str = "scheduler";

/// A status change the scheduler applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub event_id: i64,
    pub from: EventStatus,
    pub to: EventStatus,
    /// False for a window whose end (or all of it) passed while no scheduler ran: no
    /// "completed" notice announces it.
    pub observed: bool,
}

/// What the leader runs besides the lifecycle.
#[derive(Debug, Clone, Default)]
pub struct LeaderSettings {
    /// The check runner opens a draft incident for a monitor DOWN this long (off when
    /// `None`).
    pub draft_after: Option<Duration>,
    /// Silences in Alertmanager for ongoing maintenance (off when `None`).
    pub alertmanager: Option<std::sync::Arc<crate::silences::Settings>>,
}

/// Runs until `shutdown` is cancelled; while it leads, it also runs the check runner and
/// (when configured) the Alertmanager silencer.
pub async fn run(s: Services, shutdown: CancellationToken, leader: LeaderSettings) {
    let mut lease = Lease::new(&s);
    loop {
        tokio::select! {
            () = lease.take(&s) => {}
            () = shutdown.cancelled() => return,
        }
        tracing::info!("scheduler running");
        // The leader checks the monitors too, for as long as it leads.
        let checks = shutdown.child_token();
        let runner = tokio::spawn(crate::checks::run(s.clone(), checks.clone(), leader.draft_after));
        let silencer = leader
            .alertmanager
            .clone()
            .map(|settings| tokio::spawn(crate::silences::run(s.clone(), settings, checks.clone())));
        lead(&s, &shutdown, &mut lease).await;
        checks.cancel();
        let _ = runner.await;
        if let Some(silencer) = silencer {
            let _ = silencer.await;
        }
        if shutdown.is_cancelled() {
            lease.release(&s).await;
            return;
        }
        tracing::warn!("scheduler lost its lease; standing by to take it again");
    }
}

/// This replica's claim to run the scheduler.
struct Lease {
    holder: String,
    /// SQLite: one process, nothing to share.
    needed: bool,
    /// When the last successful renewal was asked for (monotonic: a frozen process sees
    /// the time it missed).
    renewed: Option<Instant>,
}

impl Lease {
    fn new(s: &Services) -> Self {
        Self {
            holder: format!("{}-{}", std::process::id(), hex::encode(rand::random::<[u8; 6]>())),
            needed: s.store.backend == Backend::Postgres,
            renewed: None,
        }
    }

    /// Takes or renews the lease; false (and no longer leading) when it cannot.
    async fn renew(&mut self, s: &Services) -> bool {
        if !self.needed {
            return true;
        }
        let asked = Instant::now();
        let got = match s.store.conn().await {
            Ok(mut conn) => lease::take_lease(&mut conn, LEASE_NAME, &self.holder, LEASE_SECS).await,
            Err(e) => Err(e),
        };
        match got {
            Ok(true) => self.renewed = Some(asked),
            Ok(false) => self.renewed = None,
            Err(e) => {
                if self.renewed.is_some() {
                    tracing::warn!(error = %e, "renewing the scheduler lease failed");
                }
                self.renewed = None;
            }
        }
        self.renewed.is_some()
    }

    /// Waits until this replica holds the lease.
    async fn take(&mut self, s: &Services) {
        while !self.renew(s).await {
            tokio::time::sleep(TAKE_EVERY).await;
        }
    }

    /// Resolves when the lease must be renewed (never without one).
    async fn renewal_due(&self) {
        match self.renewed.filter(|_| self.needed) {
            Some(at) => tokio::time::sleep_until(at + RENEW_EVERY).await,
            None => std::future::pending().await,
        }
    }

    /// Lets a standby take over at once after a clean shutdown.
    async fn release(&self, s: &Services) {
        if self.needed
            && let Ok(mut conn) = s.store.conn().await
            && let Err(e) = lease::release_lease(&mut conn, LEASE_NAME, &self.holder).await
        {
            tracing::warn!(error = %e, "releasing the scheduler lease failed");
        }
    }
}

/// Runs the scheduler while this replica holds the lease.
async fn lead(s: &Services, shutdown: &CancellationToken, lease: &mut Lease) {
    let mut next_horizon = s.now();
    let mut retry = RETRY_FIRST;
    loop {
        // A wall clock that stepped back must not put the next pass further than an hour away.
        next_horizon = next_horizon.min(s.now() + HORIZON_EVERY);
        let wake = match step(s, &mut next_horizon).await {
            Ok(wake) => {
                retry = RETRY_FIRST;
                wake.min(s.now() + MAX_SLEEP)
            }
            Err(e) => {
                tracing::error!(error = %e, retry_in = ?retry, "scheduler step failed; retrying");
                tokio::select! {
                    () = tokio::time::sleep(retry) => {}
                    () = shutdown.cancelled() => return,
                }
                retry = (retry * 2).min(RETRY_MAX);
                continue;
            }
        };
        loop {
            tokio::select! {
                // Renewal first: after a freeze (or a long step) every branch is ready at
                // once, and the lease may be someone else's by now.
                biased;
                () = lease.renewal_due() => if !lease.renew(s).await {
                    return;
                },
                () = shutdown.cancelled() => return,
                () = s.clock.sleep_until(wake) => break,
                () = s.changes.notified() => break,
            }
        }
    }
}

/// One round: apply what is due, extend the horizon when its time has come, and say when
/// to look again.
#[tracing::instrument(skip_all, err)]
async fn step(s: &Services, next_horizon: &mut DateTime<Utc>) -> AppResult<DateTime<Utc>> {
    // One `now` for the round: what is due and when to look again are judged at the same
    // instant, so a boundary the clock reaches meanwhile is never slept past.
    let now = s.now();
    let applied = apply_due_at(s, now).await?;
    if !applied.is_empty() {
        s.page_changes.notify_one();
        s.check_changes.notify_one();
        s.broadcast();
    }
    if now >= *next_horizon {
        let r = horizon::pass(s).await?;
        *next_horizon = now + HORIZON_EVERY;
        tracing::info!(
            maintenances = r.maintenances,
            inserted = r.inserted,
            unobserved = r.unobserved,
            "horizon extended"
        );
        if r.inserted > 0 {
            return Ok(now); // new events may be due already
        }
    }
    let boundary = {
        let mut conn = s.store.conn().await?;
        events::next_stored_boundary(&mut conn).await?
    };
    let wake = boundary.map_or(*next_horizon, |b| b.min(*next_horizon));
    // A boundary that is due but could not be applied (a row another replica holds)
    // must not turn this into a busy loop.
    Ok(if applied.is_empty() {
        wake.max(now + Duration::seconds(1))
    } else {
        wake
    })
}

/// Moves every due event to its status at `now`, one transaction per event.
pub async fn apply_due(s: &Services) -> AppResult<Vec<Transition>> {
    apply_due_at(s, s.now()).await
}

#[tracing::instrument(skip_all, fields(now = %now), err)]
async fn apply_due_at(s: &Services, now: DateTime<Utc>) -> AppResult<Vec<Transition>> {
    let due = {
        let mut conn = s.store.conn().await?;
        events::due(&mut conn, now).await?
    };
    let mut applied = Vec::new();
    for e in due {
        let from = e.status;
        let to = e.timing().status_at(now);
        if to <= from {
            continue;
        }
        // Never seen running, or its end long past: downtime hid it.
        let observed = !(to == EventStatus::Completed && (from < EventStatus::Ongoing || now - e.end_at > LATE));
        let mut tx = s.store.begin().await?;
        // Compare-and-set: a second scheduler that got here first makes this a no-op.
        if events::set_status(&mut tx, &e, to, observed, now).await? {
            // The notice is written in the transaction of the transition it announces.
            let kind = match to {
                EventStatus::Ready => NoticeKind::Reminder,
                EventStatus::Ongoing => NoticeKind::Started,
                _ => NoticeKind::Completed,
            };
            if observed {
                outbox::enqueue(&mut tx, kind, e.maintenance_id, Some(e.id), "", now).await?;
            } else if from == EventStatus::Ready {
                // They were told it begins in moments; silence would leave them waiting.
                outbox::enqueue_unobserved(&mut tx, e.maintenance_id, e.id, now).await?;
            }
            tx.commit().await?;
            tracing::info!(event = e.id, title = %e.title, from = from.as_str(), to = to.as_str(), observed, "event transition");
            applied.push(Transition {
                event_id: e.id,
                from,
                to,
                observed,
            });
        }
    }
    // Most transitions write a notice; a needless wake costs the worker one query.
    if !applied.is_empty() {
        s.outbox_changed();
        s.silence_changes.notify_one();
    }
    Ok(applied)
}
