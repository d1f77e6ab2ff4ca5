//! Overlap warnings: when a maintenance would overlap another on a shared monitor within
//! the next 90 days, create and update answer with a warning (saving still succeeds).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::horizon::schedule_of;
use crate::domain::format;
use crate::domain::schedule::{Occurrence, format_utc};
use crate::error::AppResult;
use crate::store::AnyConnection;
use crate::store::maintenances::{self, MaintenanceRow};

/// How far ahead overlapping maintenances are looked for.
pub const CONFLICT_DAYS: i64 = 90;
const MAX_WARNINGS: usize = 20;

/// Another maintenance that would overlap this one on a shared monitor.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Warning {
    /// Always `overlap` for now.
    pub kind: String,
    pub maintenance_id: i64,
    pub title: String,
    /// Slugs of the monitors both maintenances affect.
    pub monitors: Vec<String>,
    /// This maintenance's window.
    pub start: String,
    pub end: String,
    /// The other maintenance's window.
    pub other_start: String,
    pub other_end: String,
    pub message: String,
}

/// Overlaps, within the next 90 days, between maintenance `id` and other ACTIVE
/// maintenances that affect one of its monitors.
pub async fn conflicts(conn: &mut AnyConnection, id: i64, now: DateTime<Utc>) -> AppResult<Vec<Warning>> {
    let Some(me) = maintenances::get(conn, id).await? else {
        return Ok(Vec::new());
    };
    if me.status != crate::domain::lifecycle::MaintenanceStatus::Active {
        return Ok(Vec::new());
    }
    let others = maintenances::sharing_monitors(conn, id).await?;
    if others.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids: Vec<i64> = others.iter().map(|o| o.id).collect();
    ids.push(id);
    let mut slugs: HashMap<i64, HashSet<String>> = HashMap::new();
    let mut names: HashMap<String, String> = HashMap::new();
    for a in maintenances::affected(conn, Some(&ids)).await? {
        names.insert(a.slug.clone(), a.name);
        slugs.entry(a.maintenance_id).or_default().insert(a.slug);
    }
    let skips = maintenances::skips_by_plan(conn, Some(&ids)).await?;
    // Expanding 90 days of every plan involved is CPU work: off the async workers.
    super::cpu::run(move || overlaps(me, others, slugs, names, skips, now)).await
}

/// The overlaps of `me`'s windows in the next 90 days with those of `others` on the
/// monitors they share.
fn overlaps(
    me: MaintenanceRow,
    others: Vec<MaintenanceRow>,
    mut slugs: HashMap<i64, HashSet<String>>,
    names: HashMap<String, String>,
    skips: HashMap<i64, HashSet<DateTime<Utc>>>,
    now: DateTime<Utc>,
) -> Vec<Warning> {
    let id = me.id;
    let tz = me.timezone;
    let until = now + Duration::days(CONFLICT_DAYS);
    let windows = |m: &MaintenanceRow| -> Vec<Occurrence> {
        let skipped = skips.get(&m.id);
        schedule_of(m)
            .map(|sch| {
                sch.between(now - m.duration, until)
                    .into_iter()
                    .filter(|o| o.end > now && skipped.is_none_or(|s| !s.contains(&o.start)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mine = windows(&me);
    let my_slugs = slugs.remove(&id).unwrap_or_default();
    let mut warnings = Vec::new();
    for other in &others {
        let mut shared: Vec<String> = slugs
            .get(&other.id)
            .map(|s| s.intersection(&my_slugs).cloned().collect())
            .unwrap_or_default();
        shared.sort();
        let shared_names: Vec<&str> = shared
            .iter()
            .map(|slug| names.get(slug).map_or(slug.as_str(), String::as_str))
            .collect();
        for theirs in windows(other) {
            for ours in mine.iter().filter(|o| o.start < theirs.end && theirs.start < o.end) {
                warnings.push(Warning {
                    kind: "overlap".into(),
                    maintenance_id: other.id,
                    title: other.title.clone(),
                    monitors: shared.clone(),
                    start: format_utc(ours.start),
                    end: format_utc(ours.end),
                    other_start: format_utc(theirs.start),
                    other_end: format_utc(theirs.end),
                    message: format!(
                        "overlaps '{}' on {} during {}",
                        other.title,
                        shared_names.join(", "),
                        format::window(
                            ours.start.max(theirs.start),
                            ours.end.min(theirs.end),
                            tz,
                            &format::ENGLISH_DATES
                        ),
                    ),
                });
                if warnings.len() >= MAX_WARNINGS {
                    return warnings;
                }
            }
        }
    }
    warnings
}
