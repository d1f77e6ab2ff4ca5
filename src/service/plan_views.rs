//! What a plan looks like to those who read it: the list of plans and one plan with its
//! next window (which skips, cancellations and early starts move), its events and its
//! overlap warnings, and previews of a schedule with its skipped and cancelled windows
//! marked. The changes are in [`super::maintenances`].

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::Services;
use super::conflicts::conflicts;
use super::events::{AffectedMonitor, views};
use super::horizon::schedule_of;
use super::maintenances::{Maintenance, notify_of, skips_of};
use crate::domain::FieldError;
use crate::domain::lifecycle::MaintenanceStatus;
use crate::domain::schedule::{Occurrence, Schedule};
use crate::error::{AppError, AppResult};
use crate::store::events::{self, EventFilter};
use crate::store::maintenances::{self, MaintenanceRow};

pub async fn list(s: &Services, status: Option<&str>) -> AppResult<Vec<Maintenance>> {
    let status = status.map(|v| MaintenanceStatus::parse("status", v)).transpose()?;
    let now = s.now();
    let mut conn = s.store.conn().await?;
    let rows = maintenances::list(&mut conn, status).await?;
    let ids: Vec<i64> = rows.iter().map(|m| m.id).collect();
    let mut affected: HashMap<i64, Vec<AffectedMonitor>> = HashMap::new();
    for a in maintenances::affected(&mut conn, Some(&ids)).await? {
        affected.entry(a.maintenance_id).or_default().push(a.into());
    }
    let mut skips = maintenances::skips_by_plan(&mut conn, None).await?;
    let mut changed: HashMap<i64, Changed> = HashMap::new();
    for c in events::changed_ahead(&mut conn, None, now).await? {
        changed
            .entry(c.maintenance_id)
            .or_default()
            .insert(c.scheduled_start, (!c.over).then_some(c.start_at));
    }
    Ok(rows
        .into_iter()
        .map(|m| {
            let monitors = affected.remove(&m.id).unwrap_or_default();
            let skipped = skips.remove(&m.id).unwrap_or_default();
            let changed = changed.remove(&m.id).unwrap_or_default();
            to_view(m, monitors, &skipped, &changed, now)
        })
        .collect())
}

/// Occurrences an operator changed before their planned window passed, by planned start:
/// `None` when over (cancelled or completed early), else the actual start (started early).
type Changed = HashMap<DateTime<Utc>, Option<DateTime<Utc>>>;

/// The next window skips skipped occurrences and those that are over although their
/// planned window has not passed; one started early counts from its actual start; an
/// INACTIVE plan has none.
fn to_view(
    m: MaintenanceRow,
    monitors: Vec<AffectedMonitor>,
    skips: &HashSet<DateTime<Utc>>,
    changed: &Changed,
    now: DateTime<Utc>,
) -> Maintenance {
    let next_start = (m.status == MaintenanceStatus::Active)
        .then(|| schedule_of(&m).ok())
        .flatten()
        .and_then(|sch| {
            sch.ahead(now)
                .take(10_000)
                .filter(|o| !skips.contains(&o.start))
                .find_map(|o| match changed.get(&o.start) {
                    Some(None) => None,
                    Some(Some(actual)) => Some(*actual),
                    None => Some(o.start),
                })
        });
    let mut skipped: Vec<DateTime<Utc>> = skips.iter().copied().collect();
    skipped.sort_unstable();
    Maintenance {
        skipped,
        id: m.id,
        notify: notify_of(&m),
        title: m.title,
        description: m.description,
        start_local: m.start_local,
        timezone: m.timezone,
        duration: m.duration,
        rrule: m.rrule,
        status: m.status,
        reminder_lead: m.reminder_lead,
        monitors,
        next_start,
        events: None,
        warnings: None,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// One maintenance with its recent and upcoming events.
pub async fn view(s: &Services, id: i64, with_events: bool) -> AppResult<Maintenance> {
    let now = s.now();
    let mut conn = s.store.conn().await?;
    let m = maintenances::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound("maintenance"))?;
    let monitors = maintenances::affected(&mut conn, Some(&[id]))
        .await?
        .into_iter()
        .map(AffectedMonitor::from)
        .collect();
    let skips = skips_of(&mut conn, id).await?;
    let changed: Changed = events::changed_ahead(&mut conn, Some(id), now)
        .await?
        .into_iter()
        .map(|c| (c.scheduled_start, (!c.over).then_some(c.start_at)))
        .collect();
    let mut v = to_view(m, monitors, &skips, &changed, now);
    if with_events {
        let filter = EventFilter {
            from: Some(now - Duration::days(7)),
            maintenance_id: Some(id),
            limit: 100,
            ..Default::default()
        };
        let rows = events::list(&mut conn, &filter, now).await?;
        v.events = Some(views(&mut conn, rows, now).await?);
    }
    Ok(v)
}

pub async fn view_with_warnings(s: &Services, id: i64) -> AppResult<Maintenance> {
    let mut v = view(s, id, true).await?;
    let mut conn = s.store.conn().await?;
    v.warnings = Some(conflicts(&mut conn, id, s.now()).await?);
    Ok(v)
}

/// Preview of a schedule that is not saved: the first `limit` windows (from `from` when
/// given), for `lull schedule preview` and the dashboard's live preview.
pub fn preview(
    rrule: &str,
    start: &str,
    tz: &str,
    duration: i64,
    limit: usize,
    from: Option<DateTime<Utc>>,
) -> Result<Vec<Occurrence>, FieldError> {
    if !(1..=1000).contains(&limit) {
        return Err(FieldError::new("limit", "must be between 1 and 1000"));
    }
    Ok(Schedule::parse(start, tz, duration, rrule)?.preview(from, limit))
}

/// Why a previewed window will not happen, if it will not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WindowNote {
    Skipped,
    Cancelled,
}

/// [`preview`] for the schedule as edited, marking the windows of maintenance `id` (when
/// given) that were skipped ahead of time or cancelled.
pub async fn preview_marked(
    s: &Services,
    schedule: &Schedule,
    id: Option<i64>,
    from: DateTime<Utc>,
    limit: usize,
) -> AppResult<Vec<(Occurrence, Option<WindowNote>)>> {
    let windows = schedule.preview(Some(from), limit.clamp(1, 1000));
    mark_windows(s, id, from, windows).await
}

/// Marks which of `windows` (from `from` on) maintenance `id` skipped or cancelled.
pub async fn mark_windows(
    s: &Services,
    id: Option<i64>,
    from: DateTime<Utc>,
    windows: Vec<Occurrence>,
) -> AppResult<Vec<(Occurrence, Option<WindowNote>)>> {
    let Some(id) = id else {
        return Ok(windows.into_iter().map(|o| (o, None)).collect());
    };
    let mut conn = s.store.conn().await?;
    let skips = skips_of(&mut conn, id).await?;
    let filter = EventFilter {
        from: Some(from),
        maintenance_id: Some(id),
        limit: 1000,
        ..Default::default()
    };
    let cancelled: HashSet<DateTime<Utc>> = events::list(&mut conn, &filter, s.now())
        .await?
        .into_iter()
        .filter(|e| e.cancelled_at.is_some())
        .map(|e| e.scheduled_start)
        .collect();
    Ok(windows
        .into_iter()
        .map(|o| {
            let note = if skips.contains(&o.start) {
                Some(WindowNote::Skipped)
            } else if cancelled.contains(&o.start) {
                Some(WindowNote::Cancelled)
            } else {
                None
            };
            (o, note)
        })
        .collect())
}
