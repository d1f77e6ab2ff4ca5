//! The horizon: events of ACTIVE maintenances exist as rows for the next 7 days.
//! Generation is idempotent (insert-if-missing on `(maintenance_id, scheduled_start)`),
//! so the scheduler's hourly pass, a maintenance edit and a second replica can all run it.
//!
//! Each pass records when it ran. After downtime longer than the horizon, the windows
//! that began past the last stored horizon and have ended are stored as history that
//! nobody observed (COMPLETED, `observed` 0), at most the last 7 days of them, so the
//! history has no silent gap; no notice is sent for them.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, TimeDelta, Utc};
use chrono_tz::Tz;

use super::Services;
use crate::domain::lifecycle::MaintenanceStatus;
use crate::domain::schedule::{Occurrence, Schedule};
use crate::error::AppResult;
use crate::store::events::{self, NewEvent};
use crate::store::maintenances::{self, MaintenanceRow};
use crate::store::scheduler;

/// The mark under which a pass records when it ran.
const PASSED: &str = "horizon";

pub const HORIZON_DAYS: i64 = 7;

pub fn schedule_of(m: &MaintenanceRow) -> Result<Schedule, crate::domain::FieldError> {
    Schedule::parse(&m.start_local, m.timezone.name(), m.duration.num_seconds(), &m.rrule)
}

/// The occurrences that should exist as rows at `now`: those that start within the
/// horizon or may still be running (`[now - duration, now + 7 days)`), and always the
/// single occurrence of a one-time maintenance. Skipped occurrences are left out.
pub fn wanted(schedule: &Schedule, skips: &HashSet<DateTime<Utc>>, now: DateTime<Utc>) -> Vec<Occurrence> {
    let occurrences = if schedule.is_single() {
        schedule.preview(None, 1)
    } else {
        schedule.between(
            now - Duration::seconds(schedule.duration),
            now + Duration::days(HORIZON_DAYS),
        )
    };
    occurrences.into_iter().filter(|o| !skips.contains(&o.start)).collect()
}

pub fn new_events(maintenance_id: i64, lead: TimeDelta, occurrences: &[Occurrence]) -> Vec<NewEvent> {
    occurrences
        .iter()
        .map(|o| NewEvent {
            maintenance_id,
            start: o.start,
            end: o.end,
            lead,
        })
        .collect()
}

#[derive(Debug, Clone, Copy, Default)]
pub struct PassReport {
    pub maintenances: usize,
    pub inserted: u64,
    /// Past windows stored as not observed (downtime longer than the horizon).
    pub unobserved: u64,
}

/// What a plan looked like when it was expanded; its events are stored only if it still
/// does (an edit or deactivation in between makes them wrong).
type Version = (String, Tz, TimeDelta, String, TimeDelta);

fn version(m: &MaintenanceRow) -> Version {
    (
        m.start_local.clone(),
        m.timezone,
        m.duration,
        m.rrule.clone(),
        m.reminder_lead,
    )
}

/// Expands every ACTIVE maintenance and stores the events that are missing.
#[tracing::instrument(skip_all, err)]
pub async fn pass(s: &Services) -> AppResult<PassReport> {
    let now = s.now();
    let mut conn = s.store.conn().await?;
    // Windows from the end of the last pass's horizon up to now were never stored.
    let missed_since = scheduler::mark(&mut conn, PASSED)
        .await?
        .map(|at| at + Duration::days(HORIZON_DAYS))
        .filter(|since| *since < now)
        .map(|since| since.max(now - Duration::days(HORIZON_DAYS)));
    let active = maintenances::list(&mut conn, Some(MaintenanceStatus::Active)).await?;
    let skips = maintenances::skips_by_plan(&mut conn, None).await?;
    drop(conn);
    let mut report = PassReport {
        maintenances: active.len(),
        ..Default::default()
    };
    // Expansion is CPU work: keep it off the threads that serve requests.
    let mut plans = tokio::task::spawn_blocking(move || expand_all(&active, &skips, now, missed_since))
        .await
        .map_err(|e| anyhow::anyhow!("horizon expansion failed: {e}"))?;
    // Most passes find almost everything stored already: skip those rows up front
    // instead of sending them all to the database to be ignored.
    let starts = plans
        .iter()
        .flat_map(|p| p.ahead.iter().chain(&p.missed).map(|e| e.start));
    if let Some(since) = starts.min() {
        let mut conn = s.store.conn().await?;
        let stored: HashSet<(i64, DateTime<Utc>)> = events::keys_since(&mut conn, since).await?.into_iter().collect();
        for p in &mut plans {
            p.ahead.retain(|e| !stored.contains(&(e.maintenance_id, e.start)));
            p.missed.retain(|e| !stored.contains(&(e.maintenance_id, e.start)));
        }
        plans.retain(|p| !p.ahead.is_empty() || !p.missed.is_empty());
    }
    // A few hundred plans per transaction, so a big pass never holds the SQLite write
    // lock for long; each plan's events go in only if the plan is unchanged.
    for chunk in plans.chunks(500) {
        let mut tx = s.store.begin().await?;
        let ids: Vec<i64> = chunk.iter().map(|p| p.id).collect();
        let current: HashMap<i64, Version> = maintenances::active_versions(&mut tx, &ids)
            .await?
            .iter()
            .map(|m| (m.id, version(m)))
            .collect();
        let unchanged = || chunk.iter().filter(|p| current.get(&p.id) == Some(&p.version));
        let ahead: Vec<NewEvent> = unchanged().flat_map(|p| p.ahead.iter().copied()).collect();
        let missed: Vec<NewEvent> = unchanged().flat_map(|p| p.missed.iter().copied()).collect();
        report.inserted += events::insert_missing(&mut tx, &ahead, now).await?;
        report.unobserved += events::insert_unobserved(&mut tx, &missed, now).await?;
        tx.commit().await?;
    }
    let mut conn = s.store.conn().await?;
    scheduler::set_mark(&mut conn, PASSED, now).await?;
    if report.inserted > 0 || report.unobserved > 0 {
        s.changed();
    }
    Ok(report)
}

/// What a pass stores for one plan.
struct Expanded {
    id: i64,
    /// What the plan looked like when expanded.
    version: Version,
    /// Windows running or to come.
    ahead: Vec<NewEvent>,
    /// Windows that began since `missed_since` and have ended: history nobody observed.
    missed: Vec<NewEvent>,
}

/// The events each plan should have now, with the version they were computed from.
/// Occurrences that have ended are history: creation or an earlier pass stored them,
/// except those that fell into downtime after `missed_since` (only for plans unchanged
/// since then: an edit stores the windows of its own time).
fn expand_all(
    active: &[MaintenanceRow],
    skips: &HashMap<i64, HashSet<DateTime<Utc>>>,
    now: DateTime<Utc>,
    missed_since: Option<DateTime<Utc>>,
) -> Vec<Expanded> {
    let none = HashSet::new();
    active
        .iter()
        .filter_map(|m| match schedule_of(m) {
            Ok(schedule) => {
                let skips = skips.get(&m.id).unwrap_or(&none);
                let ahead: Vec<Occurrence> = wanted(&schedule, skips, now)
                    .into_iter()
                    .filter(|o| o.end > now)
                    .collect();
                let missed: Vec<Occurrence> = match missed_since {
                    Some(since) if !schedule.is_single() => schedule
                        .between(since.max(m.updated_at), now)
                        .into_iter()
                        .filter(|o| o.end <= now && !skips.contains(&o.start))
                        .collect(),
                    _ => Vec::new(),
                };
                Some(Expanded {
                    id: m.id,
                    version: version(m),
                    ahead: new_events(m.id, m.reminder_lead, &ahead),
                    missed: new_events(m.id, m.reminder_lead, &missed),
                })
            }
            Err(e) => {
                tracing::warn!(maintenance = m.id, error = %e, "stored schedule no longer parses; skipped");
                None
            }
        })
        .collect()
}
