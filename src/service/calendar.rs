//! The maintenance calendar (`/maintenance.ics`): every ACTIVE plan as one recurring
//! VEVENT, with its exceptions, for calendar apps to subscribe to.

use std::collections::{HashMap, HashSet};

use chrono::Duration;

use super::Services;
use super::horizon::schedule_of;
use crate::config::Site;
use crate::domain::ical::{self, Calendar, Moved, Plan};
use crate::domain::lifecycle::MaintenanceStatus;
use crate::error::{AppError, AppResult};
use crate::store::{events, maintenances, monitors};

/// How far back exceptions (cancelled or moved occurrences) are written: a calendar shows
/// the year past exactly, and older windows as their rule had them.
pub const EXCEPTIONS_DAYS: i64 = 366;

/// The feed of all plans, or of those affecting monitor `monitor` (404 when unknown).
pub async fn feed(s: &Services, site: &Site, monitor: Option<&str>) -> AppResult<String> {
    let now = s.now();
    let mut conn = s.store.conn().await?;
    let mut plans = maintenances::list(&mut conn, Some(MaintenanceStatus::Active)).await?;
    plans.reverse();
    let affected = maintenances::affected(&mut conn, None).await?;
    if let Some(slug) = monitor {
        let found = monitors::by_slug(&mut conn, slug)
            .await?
            .ok_or(AppError::NotFound("monitor"))?;
        let of_monitor: HashSet<i64> = affected
            .iter()
            .filter(|a| a.monitor_id == found.id)
            .map(|a| a.maintenance_id)
            .collect();
        plans.retain(|p| of_monitor.contains(&p.id));
    }
    let skips = maintenances::skips(&mut conn, None).await?;
    let exceptions = events::exceptions(&mut conn, now - Duration::days(EXCEPTIONS_DAYS)).await?;
    drop(conn);
    // By plan, so that thousands of plans do not each walk every list.
    let mut names: HashMap<i64, Vec<&str>> = HashMap::new();
    for a in &affected {
        names.entry(a.maintenance_id).or_default().push(&a.name);
    }
    let mut skipped: HashMap<i64, Vec<_>> = HashMap::new();
    for k in &skips {
        skipped.entry(k.maintenance_id).or_default().push(k);
    }
    let mut excepted: HashMap<i64, Vec<_>> = HashMap::new();
    for e in &exceptions {
        excepted.entry(e.maintenance_id).or_default().push(e);
    }

    let host = url::Url::parse(&site.public_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "lull".into());
    let schedules: HashMap<i64, _> = plans
        .iter()
        .filter_map(|p| match schedule_of(p) {
            Ok(schedule) => Some((p.id, schedule)),
            Err(e) => {
                tracing::warn!(maintenance = p.id, error = %e, "a stored schedule does not parse; left out of the calendar");
                None
            }
        })
        .collect();
    let mut out = Vec::with_capacity(plans.len());
    for p in &plans {
        let Some(schedule) = schedules.get(&p.id) else { continue };
        let names = names.get(&p.id).map_or(&[][..], Vec::as_slice);
        let mut description = p.description.trim().to_string();
        if !names.is_empty() {
            if !description.is_empty() {
                description.push_str("\n\n");
            }
            description.push_str(&format!("Affects: {}", names.join(", ")));
        }
        let mut plan = Plan {
            uid: format!("maintenance-{}@{host}", p.id),
            schedule,
            title: &p.title,
            description,
            url: format!("{}/", site.public_url),
            created: p.created_at,
            modified: p.updated_at,
            exdates: Vec::new(),
            moved: Vec::new(),
        };
        for skip in skipped.get(&p.id).into_iter().flatten() {
            plan.exdates.push(skip.start);
            plan.modified = plan.modified.max(skip.created_at);
        }
        // Only exceptions of the schedule as it is now: windows of an earlier version of
        // the plan are not occurrences of its rule.
        for e in excepted.get(&p.id).into_iter().flatten() {
            if !schedule.has_occurrence_at(e.scheduled_start) {
                continue;
            }
            if let Some(cancelled) = e.cancelled_at {
                plan.exdates.push(e.scheduled_start);
                plan.modified = plan.modified.max(cancelled);
            } else {
                plan.moved.push(Moved {
                    scheduled_start: e.scheduled_start,
                    start: e.start_at,
                    end: e.end_at,
                    url: format!("{}/maintenance/{}", site.public_url, e.id),
                    modified: e.updated_at,
                });
            }
        }
        plan.exdates.sort();
        plan.exdates.dedup();
        out.push(plan);
    }
    let calendar = Calendar {
        name: &site.name,
        plans: out,
        zones_from: now - Duration::days(366),
        zones_until: now + Duration::days(2 * 366),
    };
    Ok(ical::render(&calendar))
}
