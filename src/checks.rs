//! The check runner: asks each `http` and `tcp` monitor's service how it is, on its
//! interval, watches that each `heartbeat` monitor's job beats within its interval plus
//! grace (`timeout`), and moves the monitors' statuses when the answers say so.
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

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, SubsecRound, Utc};
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

use crate::clock::MAX_SLEEP;
use crate::domain::check::{CheckSpec, CheckType};
use crate::domain::impact::MonitorStatus;
use crate::domain::notice::NoticeKind;
use crate::domain::rollup::{Ledger, State};
use crate::error::AppResult;
use crate::service::Services;
use crate::store::{checks, monitors, outbox};

/// Checks in flight at once.
pub const IN_FLIGHT: usize = 64;
/// Results kept in memory while they cannot be written.
const PENDING_MAX: usize = 100_000;
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
    /// `statuspage`: whether the followed part is under maintenance there, and what the
    /// followed page says is going on (neither when it could not be read); `None` for
    /// other types.
    pub followed: Option<(bool, Option<String>)>,
}

/// What the runner remembers of a monitor between checks.
#[derive(Debug, Clone)]
struct Watch {
    spec: CheckSpec,
    /// The status stored for it (what its checks last decided, or a person before that).
    status: MonitorStatus,
    next_at: DateTime<Utc>,
    /// Failed checks in a row.
    failures: i64,
    /// Paused by maintenance since the last check: the next one decides alone.
    resumed: bool,
    /// Paused by maintenance at the last look.
    paused: bool,
    in_flight: bool,
    /// `heartbeat`: the last beat, and since when the runner has been waiting for beats
    /// (it started, or maintenance ended: each gives the job a full grace).
    last_beat: Option<DateTime<Utc>>,
    since: DateTime<Utc>,
    /// `statuspage`: the followed page says its part is under maintenance (its time
    /// counts as maintenance, as Lull's own pauses do).
    followed_maintenance: bool,
}

/// A status change a result made: (from, to).
type Change = (MonitorStatus, MonitorStatus);

/// The runner's memory: every checked monitor's next check and run of failures, the
/// checks in flight, and the results waiting to be written.
pub struct Runner {
    watches: HashMap<i64, Watch>,
    paused: HashSet<i64>,
    http: Arc<HttpClients>,
    pool: Arc<Semaphore>,
    results_tx: mpsc::UnboundedSender<(Outcome, DateTime<Utc>)>,
    results: mpsc::UnboundedReceiver<(Outcome, DateTime<Utc>)>,
    /// Results not yet written, each with whether it changed its monitor's status.
    /// Results to write, with the status change each made (from, to), if any.
    pending: Vec<Pending>,
    /// Roll-ups not yet written, and up to when each monitor's time is counted.
    ledger: Ledger,
    accounted: HashMap<i64, DateTime<Utc>>,
    rollups_written: Option<DateTime<Utc>>,
    pruned: Option<DateTime<Utc>>,
    /// Open a draft incident for a monitor DOWN this long (`LULL_DRAFT_INCIDENT_AFTER`).
    draft_after: Option<Duration>,
    /// Since when each monitor has been DOWN, and those a draft was opened for (or found)
    /// in this spell.
    down_since: HashMap<i64, DateTime<Utc>>,
    drafted: HashSet<i64>,
    /// How late the checks started since it was last reported.
    lateness: Arc<Lateness>,
    /// Where check durations are counted for `/metrics`.
    metrics: Arc<crate::metrics::Metrics>,
}

/// How late checks start (after their due time, counting the wait for a free slot),
/// summed up in the log once a minute.
#[derive(Debug, Default)]
pub struct Lateness(std::sync::Mutex<Vec<u32>>);

impl Lateness {
    fn record(&self, late: StdDuration) {
        if let Ok(mut samples) = self.0.lock()
            && samples.len() < 1_000_000
        {
            samples.push(late.as_millis().min(u32::MAX as u128) as u32);
        }
    }

    /// (checks started, p50, p99, max in ms) since the last call, which starts over.
    pub fn take(&self) -> Option<(usize, u32, u32, u32)> {
        let mut samples = std::mem::take(&mut *self.0.lock().ok()?);
        if samples.is_empty() {
            return None;
        }
        samples.sort_unstable();
        let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
        Some((samples.len(), at(0.5), at(0.99), at(1.0)))
    }
}

impl Default for Runner {
    fn default() -> Self {
        Self::new()
    }
}

impl Runner {
    pub fn new() -> Self {
        let (results_tx, results) = mpsc::unbounded_channel();
        Self {
            watches: HashMap::new(),
            paused: HashSet::new(),
            http: Arc::new(HttpClients::new()),
            pool: Arc::new(Semaphore::new(IN_FLIGHT)),
            results_tx,
            results,
            pending: Vec::new(),
            ledger: Ledger::default(),
            accounted: HashMap::new(),
            rollups_written: None,
            pruned: None,
            draft_after: None,
            down_since: HashMap::new(),
            drafted: HashSet::new(),
            lateness: Arc::default(),
            metrics: Arc::default(),
        }
    }

    /// Opens a draft incident for each monitor that stays DOWN (outside maintenance) for
    /// `after`, unless an open incident already affects it.
    pub fn with_draft_incidents(mut self, after: Option<Duration>) -> Self {
        self.draft_after = after;
        self
    }

    /// Opens the drafts due (see [`Self::with_draft_incidents`]).
    async fn open_drafts(&mut self, s: &Services, now: DateTime<Utc>) -> AppResult<()> {
        let Some(after) = self.draft_after else {
            return Ok(());
        };
        for (id, w) in &self.watches {
            if w.status == MonitorStatus::Down {
                self.down_since.entry(*id).or_insert(now);
            } else {
                self.down_since.remove(id);
                self.drafted.remove(id);
            }
        }
        let due: Vec<(i64, DateTime<Utc>)> = self
            .down_since
            .iter()
            .filter(|(id, since)| now - **since >= after && !self.drafted.contains(id) && !self.paused.contains(id))
            .map(|(id, since)| (*id, *since))
            .collect();
        for (id, since) in due {
            if let Some(incident) = crate::service::incidents::draft_for_down(s, id, since).await? {
                tracing::info!(monitor = id, incident, "monitor down for long: draft incident opened");
            }
            self.drafted.insert(id);
        }
        Ok(())
    }

    /// Reads the checked monitors and which of them maintenance pauses at `now`: a new or
    /// changed monitor gets its first check at a random point of its interval.
    pub async fn refresh(&mut self, s: &Services, now: DateTime<Utc>) -> AppResult<()> {
        let mut conn = s.store.conn().await?;
        let rows = monitors::list(&mut conn).await?;
        let paused = monitors::under_maintenance(&mut conn, now).await?;
        drop(conn);
        // Time so far counts as it was; the new pauses count from here.
        self.account(now);
        self.paused = paused;
        let checked: HashMap<i64, (CheckSpec, monitors::MonitorRow)> = rows
            .into_iter()
            .map(|r| (r.id, (r.check.spec(), r)))
            .filter(|(_, (spec, _))| spec.kind != CheckType::Manual)
            .collect();
        self.watches
            .retain(|id, w| checked.get(id).is_some_and(|(spec, _)| *spec == w.spec));
        self.accounted.retain(|id, _| checked.contains_key(id));
        for (id, (spec, row)) in checked {
            let w = self.watches.entry(id).or_insert_with(|| Watch {
                next_at: now + jitter(spec.interval),
                spec,
                status: row.status,
                failures: 0,
                resumed: false,
                paused: false,
                in_flight: false,
                last_beat: row.last_beat_at,
                since: now,
                followed_maintenance: row.external_maintenance,
            });
            w.last_beat = row.last_beat_at;
            // Its time counts from when the runner first sees it.
            self.accounted.entry(id).or_insert(now.trunc_subsecs(0));
            if !w.in_flight {
                w.status = row.status;
            }
        }
        Ok(())
    }

    /// Starts every check due at `now` that is not paused or already running, each on
    /// its own task; returns how many started.
    pub fn launch_due(&mut self, now: DateTime<Utc>) -> usize {
        let mut started = 0;
        for (id, w) in &mut self.watches {
            if self.paused.contains(id) {
                w.resumed = true;
                w.paused = true;
                w.failures = 0;
                continue;
            }
            if std::mem::take(&mut w.paused) {
                w.since = now;
            }
            if w.spec.kind == CheckType::Heartbeat {
                // Not a request: the beats are late or they are not.
                let from = w.last_beat.map_or(w.since, |b| b.max(w.since));
                let deadline = from + Duration::seconds(w.spec.interval + w.spec.timeout);
                if now < deadline {
                    w.next_at = deadline;
                    continue;
                }
                w.next_at = now + Duration::seconds(w.spec.interval);
                if w.status == MonitorStatus::Down || w.in_flight {
                    continue;
                }
                w.in_flight = true;
                started += 1;
                let error = match w.last_beat {
                    Some(at) => format!("no heartbeat since {}", crate::domain::schedule::format_utc(at)),
                    None => "no heartbeat yet".to_string(),
                };
                let outcome = Outcome {
                    monitor_id: *id,
                    status: MonitorStatus::Down,
                    latency_ms: 0,
                    error: Some(error),
                    followed: None,
                };
                let _ = self.results_tx.send((outcome, now));
                continue;
            }
            if w.in_flight || w.next_at > now {
                continue;
            }
            // Keep the cadence (every `interval` from the first check), unless a whole
            // interval was missed: then from now.
            let due = w.next_at;
            let every = Duration::seconds(w.spec.interval);
            w.next_at = if due + every > now { due + every } else { now + every };
            w.in_flight = true;
            started += 1;
            let (id, spec, http, pool, tx, lateness, metrics) = (
                *id,
                w.spec.clone(),
                self.http.clone(),
                self.pool.clone(),
                self.results_tx.clone(),
                self.lateness.clone(),
                self.metrics.clone(),
            );
            let late = (now - due).to_std().unwrap_or_default();
            let launched = Instant::now();
            tokio::spawn(async move {
                let _permit = pool.acquire_owned().await;
                lateness.record(late + launched.elapsed());
                let outcome = check(&http, id, &spec).await;
                if !matches!(spec.kind, CheckType::Manual | CheckType::Heartbeat) {
                    metrics.check(id, StdDuration::from_millis(outcome.latency_ms.max(0) as u64));
                }
                let _ = tx.send((outcome, now));
            });
        }
        started
    }

    /// Takes one check's outcome into account (flap damping, resuming after maintenance)
    /// and queues it to be written.
    fn apply(&mut self, outcome: Outcome, at: DateTime<Utc>) {
        let Some(w) = self.watches.get_mut(&outcome.monitor_id) else {
            return; // deleted or changed while it ran
        };
        w.in_flight = false;
        let new = if outcome.status == MonitorStatus::Down {
            w.failures += 1;
            if w.failures > w.spec.retries || w.resumed {
                MonitorStatus::Down
            } else {
                w.status
            }
        } else {
            w.failures = 0;
            outcome.status
        };
        w.resumed = false;
        let failed = outcome.status == MonitorStatus::Down;
        self.ledger
            .add_check(outcome.monitor_id, at, failed, outcome.latency_ms.max(0));
        let changed = new != w.status;
        let followed = outcome.followed.as_ref().map(|(maintenance, _)| *maintenance);
        let followed_changed = followed.is_some_and(|m| m != w.followed_maintenance);
        if changed || followed_changed {
            // The time up to this check counts as the old status.
            let id = outcome.monitor_id;
            let state = self.state_of(id);
            let upto = at.trunc_subsecs(0);
            if let Some(from) = self.accounted.get_mut(&id)
                && *from < upto
            {
                self.ledger.add_time(id, state, *from, upto);
                *from = upto;
            }
        }
        let Some(w) = self.watches.get_mut(&outcome.monitor_id) else {
            return;
        };
        if let Some(m) = followed {
            w.followed_maintenance = m;
        }
        let change = changed.then_some((w.status, new));
        if changed && new == MonitorStatus::Down {
            self.down_since.insert(outcome.monitor_id, at);
        }
        if changed {
            tracing::info!(monitor = outcome.monitor_id, from = %w.status, to = %new, error = outcome.error.as_deref(), "monitor status changed");
            w.status = new;
        }
        self.pending.push((outcome, at, change));
        // While the database is away, results wait here; beyond this many, the oldest
        // that changed nothing are dropped (status changes are always kept).
        if self.pending.len() > PENDING_MAX {
            let mut extra = self.pending.len() - PENDING_MAX / 2;
            self.pending.retain(|(_, _, change)| {
                let drop = extra > 0 && change.is_none();
                extra -= usize::from(drop);
                !drop
            });
        }
    }

    /// What a monitor is doing now, for its roll-ups.
    fn state_of(&self, id: i64) -> State {
        match self.watches.get(&id) {
            _ if self.paused.contains(&id) => State::Maintenance,
            Some(w) if w.followed_maintenance => State::Maintenance,
            Some(w) => State::Status(w.status),
            None => State::Maintenance,
        }
    }

    /// Counts every watched monitor's time up to `now` (whole seconds) as what it is doing.
    fn account(&mut self, now: DateTime<Utc>) {
        let upto = now.trunc_subsecs(0);
        let ids: Vec<i64> = self.watches.keys().copied().collect();
        for id in ids {
            let state = self.state_of(id);
            let from = *self.accounted.entry(id).or_insert(upto);
            if from < upto {
                self.ledger.add_time(id, state, from, upto);
                self.accounted.insert(id, upto);
            }
        }
    }

    /// Counts time up to `now` and writes the roll-ups in one transaction (the runner does
    /// this each minute; results and status changes go each second); once an hour, buckets
    /// past their retention are deleted.
    pub async fn write_rollups(&mut self, s: &Services, now: DateTime<Utc>) -> AppResult<()> {
        let (rows, prune) = self.take_rollups(now);
        match write_rollup_rows(s, &rows, prune, now).await {
            Ok(()) => {
                self.rollups_done(now, prune);
                Ok(())
            }
            Err(e) => {
                self.restore_rollups(rows);
                Err(e)
            }
        }
    }

    /// Counts time up to `now` and takes the roll-ups to write, and whether the old ones
    /// are due for pruning (hourly).
    fn take_rollups(&mut self, now: DateTime<Utc>) -> (Vec<RollupRow>, bool) {
        self.account(now);
        let prune = self.pruned.is_none_or(|t| now >= t + Duration::hours(1));
        (self.ledger.take(), prune)
    }

    fn rollups_done(&mut self, at: DateTime<Utc>, pruned: bool) {
        self.rollups_written = Some(at);
        if pruned {
            self.pruned = Some(at);
        }
    }

    /// Roll-ups that could not be written are counted again at the next try.
    fn restore_rollups(&mut self, rows: Vec<RollupRow>) {
        for (monitor, period, start, tally) in rows {
            self.ledger
                .open
                .entry((monitor, period, start))
                .or_default()
                .merge(&tally);
        }
    }

    /// Writes the queued results and status changes (see [`write_results`]), then opens
    /// the draft incidents due.
    pub async fn flush(&mut self, s: &Services, now: DateTime<Utc>) -> AppResult<()> {
        if !self.pending.is_empty() {
            write_results(s, &self.pending, now).await?;
            self.pending.clear();
        }
        self.open_drafts(s, now).await
    }

    /// Refreshes, runs every check due at `now` to its end, and writes what they found:
    /// the synchronous round tests drive. Returns the outcomes and when the next check is
    /// due.
    pub async fn run_due(&mut self, s: &Services, now: DateTime<Utc>) -> AppResult<(Vec<Outcome>, DateTime<Utc>)> {
        self.refresh(s, now).await?;
        let mut left = self.launch_due(now);
        let mut outcomes = Vec::new();
        while left > 0 {
            let Some((o, at)) = self.results.recv().await else {
                break;
            };
            outcomes.push(o.clone());
            self.apply(o, at);
            left -= 1;
        }
        self.flush(s, now).await?;
        Ok((outcomes, self.next_due(now)))
    }

    fn next_due(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        self.watches
            .iter()
            .filter(|(id, w)| !w.in_flight && !self.paused.contains(id))
            .map(|(_, w)| w.next_at)
            .min()
            .unwrap_or(now + MAX_SLEEP)
    }
}

/// A result to write, with the status change it made (from, to), if any.
type Pending = (Outcome, DateTime<Utc>, Option<Change>);
/// A roll-up to add: monitor, period, bucket start, sums.
type RollupRow = (
    i64,
    crate::domain::rollup::Period,
    DateTime<Utc>,
    crate::domain::rollup::Tally,
);

/// Writes results and status changes in one transaction (with the alerts a change
/// raises), and prunes the results beyond each monitor's last 100; tells the page when a
/// status moved and the delivery worker when an alert was queued.
async fn write_results(s: &Services, pending: &[Pending], now: DateTime<Utc>) -> AppResult<()> {
    let mut tx = s.store.begin().await?;
    let mut moved = false;
    let mut touched = HashSet::new();
    let mut alerts = false;
    for (o, at, change) in pending {
        if let Some((from, to)) = *change {
            let set = monitors::set_checked_status(&mut tx, o.monitor_id, to, now).await?;
            moved |= set;
            // Admins hear when a monitor goes down and when it comes back (checks are
            // paused during its maintenance, so no change happens inside one).
            let alert = match (from, to) {
                (_, MonitorStatus::Down) => Some(NoticeKind::MonitorDown),
                (MonitorStatus::Down, _) => Some(NoticeKind::MonitorUp),
                _ => None,
            };
            if set && let Some(kind) = alert {
                alerts |= outbox::enqueue_alert(&mut tx, kind, o.monitor_id, *at, now).await? > 0;
            }
        }
        let row = checks::CheckResultRow {
            id: 0,
            monitor_id: o.monitor_id,
            at: *at,
            status: o.status,
            latency_ms: o.latency_ms.max(0),
            error: o.error.clone(),
            changed: change.is_some(),
        };
        checks::insert(&mut tx, &row).await?;
        if let Some((maintenance, note)) = &o.followed {
            moved |= monitors::set_followed(&mut tx, o.monitor_id, *maintenance, note.as_deref()).await?;
        }
        touched.insert(o.monitor_id);
    }
    for id in touched {
        checks::prune(&mut tx, id).await?;
    }
    tx.commit().await?;
    if moved {
        s.changed();
    }
    if alerts {
        s.outbox_changed();
    }
    Ok(())
}

/// Adds roll-ups in one transaction; with `prune`, deletes the buckets past retention.
async fn write_rollup_rows(s: &Services, rows: &[RollupRow], prune: bool, now: DateTime<Utc>) -> AppResult<()> {
    let mut tx = s.store.begin().await?;
    for (monitor, period, start, tally) in rows {
        checks::add_rollup(&mut tx, *monitor, *period, *start, tally).await?;
    }
    if prune {
        checks::prune_rollups(&mut tx, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A write the runner handed to its own task, come back: what it wrote, for a retry.
enum Written {
    Results(AppResult<()>, Vec<Pending>),
    Rollups(AppResult<()>, Vec<RollupRow>, bool, DateTime<Utc>),
}

/// A random point within the first interval, so checks start spread out.
fn jitter(interval: i64) -> Duration {
    Duration::milliseconds(rand::random_range(0..interval.max(1) * 1000))
}

/// Runs until `stop` (the scheduler starts it while it leads, and stops it when it no
/// longer does). Checks start on time whatever the others are doing; results are written
/// once a second at most, in one transaction for all monitors.
pub async fn run(s: Services, stop: CancellationToken, draft_after: Option<Duration>) {
    let mut runner = Runner::new().with_draft_incidents(draft_after);
    runner.metrics = s.metrics.clone();
    // Monitors and pauses are read again after a change (at most once a second) and each
    // minute whatever happens (the pause follows time).
    let mut stale = true;
    let mut last_read: Option<DateTime<Utc>> = None;
    let mut next_flush = s.now();
    let mut next_report = s.now() + Duration::minutes(1);
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Written>();
    let (mut writing_results, mut writing_rollups) = (false, false);
    loop {
        // Checks are due at sub-second instants (their first is spread over the interval):
        // whole seconds would start each up to a second late.
        let now = s.clock.now_precise();
        let wait = if stale {
            Duration::seconds(1)
        } else {
            Duration::minutes(1)
        };
        if last_read.is_none_or(|t| now >= t + wait) {
            last_read = Some(now);
            match runner.refresh(&s, now).await {
                Ok(()) => stale = false,
                Err(e) => {
                    stale = true;
                    tracing::error!(error = %e, "reading the monitors to check failed; retrying");
                }
            }
        }
        runner.launch_due(now);
        // Writes run on their own tasks (one of each kind at a time), so a slow write never
        // holds up the checks due meanwhile.
        if now >= next_flush {
            if !writing_results && !runner.pending.is_empty() {
                writing_results = true;
                let (s, done, batch) = (s.clone(), done_tx.clone(), std::mem::take(&mut runner.pending));
                tokio::spawn(async move {
                    let written = write_results(&s, &batch, now).await;
                    let _ = done.send(Written::Results(written, batch));
                });
            }
            if let Err(e) = runner.open_drafts(&s, now).await {
                tracing::error!(error = %e, "opening a draft incident failed; trying again");
            }
            if !writing_rollups && runner.rollups_written.is_none_or(|t| now >= t + Duration::minutes(1)) {
                writing_rollups = true;
                let (rows, prune) = runner.take_rollups(now);
                let (s, done) = (s.clone(), done_tx.clone());
                tokio::spawn(async move {
                    let written = write_rollup_rows(&s, &rows, prune, now).await;
                    let _ = done.send(Written::Rollups(written, rows, prune, now));
                });
            }
            next_flush = now + Duration::seconds(1);
        }
        if now >= next_report {
            if let Some((n, p50, p99, max)) = runner.lateness.take() {
                tracing::info!(
                    checks = n,
                    p50_ms = p50,
                    p99_ms = p99,
                    max_ms = max,
                    "checks started in the last minute, and how late"
                );
            }
            next_report = now + Duration::minutes(1);
        }
        let mut wake = runner.next_due(now).min(now + MAX_SLEEP);
        if !runner.pending.is_empty() {
            wake = wake.min(next_flush);
        }
        if let Some(t) = last_read {
            let again = if stale {
                Duration::seconds(1)
            } else {
                Duration::minutes(1)
            };
            wake = wake.min(t + again);
        }
        tokio::select! {
            Some((o, at)) = runner.results.recv() => runner.apply(o, at),
            Some(written) = done_rx.recv() => match written {
                Written::Results(Ok(()), _) => writing_results = false,
                Written::Results(Err(e), mut batch) => {
                    tracing::error!(error = %e, "writing check results failed; keeping them to try again");
                    writing_results = false;
                    batch.append(&mut runner.pending);
                    runner.pending = batch;
                }
                Written::Rollups(Ok(()), _, pruned, at) => {
                    writing_rollups = false;
                    runner.rollups_done(at, pruned);
                }
                Written::Rollups(Err(e), rows, _, _) => {
                    tracing::error!(error = %e, "writing check roll-ups failed; keeping them to try again");
                    writing_rollups = false;
                    runner.restore_rollups(rows);
                }
            },
            () = s.clock.sleep_until(wake) => {}
            // A monitor added or changed, or a maintenance that starts or ends.
            () = s.check_changes.notified() => stale = true,
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
    let mut found = None;
    let result = match spec.kind {
        CheckType::Http => tokio::time::timeout(limit, http_check(http, spec)).await,
        CheckType::Tcp => tokio::time::timeout(limit, tcp_check(spec)).await,
        CheckType::Statuspage => tokio::time::timeout(limit, follow_check(http, spec))
            .await
            .map(|r| r.map(|f| found = Some(f))),
        CheckType::Manual | CheckType::Heartbeat => Ok(Ok(())),
    };
    let latency_ms = started.elapsed().as_millis() as i64;
    if let (Ok(Ok(())), Some(f)) = (&result, found) {
        return Outcome {
            monitor_id,
            status: f.status,
            latency_ms,
            error: None,
            followed: Some((f.maintenance, f.note)),
        };
    }
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
        followed: (spec.kind == CheckType::Statuspage).then_some((false, None)),
    }
}

/// Reads the followed page's `/api/v2/summary.json` (under the monitor's URL).
async fn follow_check(http: &HttpClients, spec: &CheckSpec) -> Result<crate::follow::Followed, String> {
    let base = spec.url.as_deref().ok_or("no URL")?;
    let url = format!("{}/api/v2/summary.json", base.trim_end_matches('/'));
    let mut resp = http.get(true, true).get(&url).send().await.map_err(|e| describe(&e))?;
    let code = resp.status();
    if !code.is_success() {
        return Err(format!("HTTP {} from {url}", code.as_u16()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| describe(&e))? {
        body.extend_from_slice(&chunk);
        if body.len() > BODY_MAX {
            return Err(format!("{url} answered more than {} MB", BODY_MAX >> 20));
        }
    }
    crate::follow::read(&body, spec.component.as_deref())
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::Lateness;

    #[test]
    fn lateness_reports_its_quantiles_once_and_starts_over() {
        let l = Lateness::default();
        assert_eq!(l.take(), None);
        for ms in 1..=100 {
            l.record(Duration::from_millis(ms));
        }
        // 100 samples 1..=100 ms: the median is the 50th or 51st, p99 the 99th.
        let (n, p50, p99, max) = l.take().unwrap();
        assert_eq!((n, max), (100, 100));
        assert!((50..=51).contains(&p50), "{p50}");
        assert_eq!(p99, 99);
        assert_eq!(l.take(), None, "taken");
    }
}
