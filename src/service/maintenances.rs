//! Maintenances: the plans. Creating or editing one stores it and reconciles its events
//! in the same transaction, so the response already carries the events it produced.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub use super::conflicts::Warning;
use super::conflicts::conflicts;
use super::events::{AffectedMonitor, EventView, parse_instant, timing, views};
use super::horizon::{new_events, schedule_of, wanted};
use super::{Actor, Services, audit, fmt_ts};
use crate::domain::FieldError;
use crate::domain::format;
use crate::domain::impact::Impact;
use crate::domain::lifecycle::EventStatus;
use crate::domain::schedule::{Crowding, MAX_PER_WEEK, Occurrence, Schedule, format_utc};
use crate::domain::validate;
use crate::error::{AppError, AppResult};
use crate::store::events::{self, Change, EventFilter};
use crate::store::maintenances::{self, MaintenanceRow};
use crate::store::{AnyConnection, monitors, outbox};

fn yes() -> bool {
    true
}

/// Which notices subscribers get for this maintenance (all on by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NotifySettings {
    #[serde(default = "yes")]
    pub scheduled: bool,
    #[serde(default = "yes")]
    pub reminder: bool,
    #[serde(default = "yes")]
    pub start: bool,
    #[serde(default = "yes")]
    pub completion: bool,
    #[serde(default = "yes")]
    pub cancellation: bool,
}

impl Default for NotifySettings {
    fn default() -> Self {
        Self {
            scheduled: true,
            reminder: true,
            start: true,
            completion: true,
            cancellation: true,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonitorImpactInput {
    pub slug: String,
    /// MAINTENANCE (default), DOWN, DEGRADED or UP.
    #[serde(default)]
    pub impact: Option<String>,
}

/// A new maintenance.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MaintenanceInput {
    pub title: String,
    /// Markdown source.
    #[serde(default)]
    pub description: Option<String>,
    /// Local date-time of the first window, without offset: `2026-05-17T03:00`.
    pub start: String,
    /// IANA time zone of `start`, e.g. `Europe/Berlin`.
    pub timezone: String,
    /// Length of each window in seconds (1 second to 31 days).
    pub duration: i64,
    /// RFC 5545 RRULE; one-time (`FREQ=MINUTELY;COUNT=1`) when absent.
    #[serde(default)]
    pub rrule: Option<String>,
    /// ACTIVE (default) or INACTIVE.
    #[serde(default)]
    pub status: Option<String>,
    /// Seconds before the start at which an event turns READY (default 3600).
    #[serde(default)]
    pub reminder_lead: Option<i64>,
    #[serde(default)]
    pub notify: Option<NotifySettings>,
    #[serde(default)]
    pub monitors: Vec<MonitorImpactInput>,
    /// Accept a schedule whose windows have all ended already (to record past work);
    /// without it such a schedule is refused, since a mistyped year is the likelier cause.
    #[serde(default)]
    pub record_past: bool,
}

/// Changes to a maintenance; absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MaintenancePatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub start: Option<String>,
    pub timezone: Option<String>,
    pub duration: Option<i64>,
    pub rrule: Option<String>,
    pub status: Option<String>,
    pub reminder_lead: Option<i64>,
    pub notify: Option<NotifySettings>,
    /// Replaces the affected monitors when given.
    pub monitors: Option<Vec<MonitorImpactInput>>,
    /// As on create: accept a new schedule whose windows have all ended.
    #[serde(default)]
    pub record_past: bool,
}

/// Body of `POST /api/v1/maintenances/{id}/skip`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SkipInput {
    /// The occurrence to skip: its start as an RFC 3339 instant, or as a local
    /// date-time in the maintenance's zone (`2026-12-25T03:00`).
    pub start: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MaintenanceView {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub start: String,
    pub timezone: String,
    pub duration: i64,
    pub rrule: String,
    pub status: String,
    pub reminder_lead: i64,
    pub notify: NotifySettings,
    pub monitors: Vec<AffectedMonitor>,
    /// Starts (UTC) of occurrences skipped ahead of time.
    pub skipped: Vec<String>,
    /// Start of the next window that has not ended, from the schedule.
    pub next_start: Option<String>,
    /// Recent and upcoming events (ended within the last 7 days, or later); present on
    /// single-maintenance responses. `GET /api/v1/maintenances/{id}/events` lists all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<EventView>>,
    /// Overlaps with other maintenances in the next 90 days; saving still succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<Warning>>,
    pub created_at: String,
    pub updated_at: String,
}

fn flag(b: bool) -> i64 {
    i64::from(b)
}

fn notify_of(m: &MaintenanceRow) -> NotifySettings {
    NotifySettings {
        scheduled: m.notify_scheduled != 0,
        reminder: m.notify_reminder != 0,
        start: m.notify_start != 0,
        completion: m.notify_completion != 0,
        cancellation: m.notify_cancellation != 0,
    }
}

fn set_notify(m: &mut MaintenanceRow, n: NotifySettings) {
    m.notify_scheduled = flag(n.scheduled);
    m.notify_reminder = flag(n.reminder);
    m.notify_start = flag(n.start);
    m.notify_completion = flag(n.completion);
    m.notify_cancellation = flag(n.cancellation);
}

fn parse_status(value: &str) -> Result<&'static str, FieldError> {
    match value.trim().to_ascii_uppercase().as_str() {
        "ACTIVE" => Ok("ACTIVE"),
        "INACTIVE" => Ok("INACTIVE"),
        _ => Err(FieldError::new("status", "must be ACTIVE or INACTIVE")),
    }
}

/// Validates a row in place (normalising text) and returns its schedule.
fn validate_row(m: &mut MaintenanceRow) -> Result<Schedule, FieldError> {
    m.title = validate::title(&m.title)?;
    m.description = validate::description(&m.description)?;
    let schedule = Schedule::parse(&m.start_local, &m.timezone, m.duration, &m.rrule)?;
    m.start_local = validate::format_local(schedule.start);
    m.timezone = schedule.tz.name().to_string();
    m.rrule = schedule.rrule().to_string();
    m.status = parse_status(&m.status)?.to_string();
    m.reminder_lead = validate::reminder_lead(m.reminder_lead)?;
    Ok(schedule)
}

/// Refuses schedules people do not mean: windows that overlap each other, more than one
/// window every 5 minutes on average over any week, and (unless
/// `record_past`) a schedule whose every window has already ended.
fn check_windows(schedule: &Schedule, now: DateTime<Utc>, record_past: bool) -> Result<(), FieldError> {
    let tz = schedule.tz;
    match schedule.crowding(now.max(schedule.resolve(schedule.start))) {
        Some(Crowding::Overlap(a, b)) => {
            return Err(FieldError::new(
                "duration",
                format!(
                    "is longer than the time between two windows ({} and {}), so the windows would overlap; \
                     shorten it or space the windows further apart",
                    format::local(a.start, tz, &format::ENGLISH_DATES),
                    format::local(b.start, tz, &format::ENGLISH_DATES),
                ),
            ));
        }
        Some(Crowding::TooMany(from)) => {
            return Err(FieldError::new(
                "rrule",
                format!(
                    "puts more than {MAX_PER_WEEK} windows into the 7 days from {} (more than one every 5 minutes); \
                     space the windows further apart",
                    format::local(from, tz, &format::ENGLISH_DATES),
                ),
            ));
        }
        None => {}
    }
    if !record_past && schedule.ahead(now).next().is_none() {
        let last = schedule.occurrences().last().map(|o| o.end).unwrap_or(now);
        let when = format::local(last, schedule.tz, &format::ENGLISH_DATES);
        let message = if schedule.is_single() {
            format!(
                "this window ended on {when}; check the date, or confirm that you are recording past work (record_past)"
            )
        } else {
            format!(
                "every window of this schedule ended by {when}; check the dates, or confirm that you are recording past work (record_past)"
            )
        };
        return Err(FieldError::new("start", message));
    }
    Ok(())
}

/// Resolves `{slug, impact}` pairs to monitor ids, naming the entry at fault.
async fn resolve_monitors(conn: &mut AnyConnection, list: &[MonitorImpactInput]) -> AppResult<Vec<(i64, Impact)>> {
    let mut out: Vec<(i64, Impact)> = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let at = format!("monitors[{i}].");
        let impact = match &item.impact {
            Some(v) => Impact::parse("impact", v).map_err(|e| e.within(&at))?,
            None => Impact::Maintenance,
        };
        let monitor = monitors::by_slug(conn, item.slug.trim())
            .await?
            .ok_or_else(|| FieldError::new(format!("{at}slug"), format!("no monitor with slug '{}'", item.slug)))?;
        if out.iter().any(|(id, _)| *id == monitor.id) {
            return Err(FieldError::new(format!("{at}slug"), format!("'{}' is listed twice", item.slug)).into());
        }
        out.push((monitor.id, impact));
    }
    Ok(out)
}

async fn save_monitors(conn: &mut AnyConnection, id: i64, list: &[(i64, Impact)]) -> Result<(), sqlx::Error> {
    let pairs: Vec<(i64, &str)> = list.iter().map(|(m, i)| (*m, i.as_str())).collect();
    maintenances::set_monitors(conn, id, &pairs).await
}

async fn skips_of(conn: &mut AnyConnection, id: i64) -> Result<HashSet<i64>, sqlx::Error> {
    Ok(maintenances::skips(conn, Some(id))
        .await?
        .into_iter()
        .map(|(_, s)| s)
        .collect())
}

pub async fn create(s: &Services, actor: &Actor, input: MaintenanceInput) -> AppResult<MaintenanceView> {
    let now = s.now();
    let mut m = MaintenanceRow {
        id: 0,
        title: input.title,
        description: input.description.unwrap_or_default(),
        start_local: input.start,
        timezone: input.timezone,
        duration: input.duration,
        rrule: input.rrule.unwrap_or_default(),
        status: input.status.unwrap_or_else(|| "ACTIVE".into()),
        reminder_lead: input.reminder_lead.unwrap_or(3600),
        notify_scheduled: 1,
        notify_reminder: 1,
        notify_start: 1,
        notify_completion: 1,
        notify_cancellation: 1,
        created_at: now.timestamp(),
        updated_at: now.timestamp(),
    };
    set_notify(&mut m, input.notify.unwrap_or_default());
    let schedule = validate_row(&mut m)?;
    check_windows(&schedule, now, input.record_past)?;
    let mut tx = s.store.begin().await?;
    let affected = resolve_monitors(&mut tx, &input.monitors).await?;
    m.id = maintenances::insert(&mut tx, &m).await?;
    save_monitors(&mut tx, m.id, &affected).await?;
    if m.status == "ACTIVE" {
        let occ = wanted(&schedule, &HashSet::new(), now);
        events::insert_missing(&mut tx, &new_events(m.id, m.reminder_lead, &occ), now.timestamp()).await?;
        outbox::enqueue(&mut tx, "scheduled", m.id, None, "", now.timestamp()).await?;
    }
    let summary = format!(
        "created '{}': {} {} for {}s, {}",
        m.title, m.start_local, m.timezone, m.duration, m.rrule
    );
    audit::record(
        &mut tx,
        actor,
        "maintenance.create",
        "maintenance",
        m.id,
        summary,
        now.timestamp(),
    )
    .await?;
    tx.commit().await?;
    s.changed();
    view_with_warnings(s, m.id).await
}

pub async fn update(s: &Services, actor: &Actor, id: i64, patch: MaintenancePatch) -> AppResult<MaintenanceView> {
    let now = s.now();
    let mut tx = s.store.begin().await?;
    let before = maintenances::get_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("maintenance"))?;
    let mut m = before.clone();
    if let Some(v) = patch.title {
        m.title = v;
    }
    if let Some(v) = patch.description {
        m.description = v;
    }
    if let Some(v) = patch.start {
        m.start_local = v;
    }
    if let Some(v) = patch.timezone {
        m.timezone = v;
    }
    if let Some(v) = patch.duration {
        m.duration = v;
    }
    if let Some(v) = patch.rrule {
        m.rrule = v;
    }
    if let Some(v) = patch.status {
        m.status = v;
    }
    if let Some(v) = patch.reminder_lead {
        m.reminder_lead = v;
    }
    if let Some(n) = patch.notify {
        set_notify(&mut m, n);
    }
    let schedule = validate_row(&mut m)?;
    let retimed = (
        &before.start_local,
        &before.timezone,
        before.duration,
        &before.rrule,
        before.reminder_lead,
    ) != (&m.start_local, &m.timezone, m.duration, &m.rrule, m.reminder_lead);
    if retimed {
        check_windows(&schedule, now, patch.record_past)?;
    }
    if let Some(list) = &patch.monitors {
        let affected = resolve_monitors(&mut tx, list).await?;
        save_monitors(&mut tx, id, &affected).await?;
    }
    m.updated_at = now.timestamp();
    maintenances::update(&mut tx, &m).await?;

    let deactivated = before.status == "ACTIVE" && m.status == "INACTIVE";
    let reactivated = before.status == "INACTIVE" && m.status == "ACTIVE";
    if deactivated {
        cancel_not_started(&mut tx, id, "deactivated", now).await?;
    } else if m.status == "ACTIVE" && (reactivated || retimed) {
        if reactivated {
            events::delete_deactivated(&mut tx, id, now.timestamp()).await?;
            // Once per maintenance: a plan announced before is not announced again.
            outbox::enqueue(&mut tx, "scheduled", id, None, "", now.timestamp()).await?;
        }
        let skips = skips_of(&mut tx, id).await?;
        reconcile(&mut tx, &m, &schedule, &skips, now).await?;
    }
    let summary = audit::diff(&[
        ("title", before.title, m.title.clone()),
        ("description", before.description, m.description.clone()),
        ("start", before.start_local, m.start_local.clone()),
        ("timezone", before.timezone, m.timezone.clone()),
        ("duration", before.duration.to_string(), m.duration.to_string()),
        ("rrule", before.rrule, m.rrule.clone()),
        ("status", before.status, m.status.clone()),
        (
            "reminder_lead",
            before.reminder_lead.to_string(),
            m.reminder_lead.to_string(),
        ),
        (
            "monitors",
            String::new(),
            if patch.monitors.is_some() {
                "replaced".into()
            } else {
                String::new()
            },
        ),
    ]);
    audit::record(
        &mut tx,
        actor,
        "maintenance.update",
        "maintenance",
        id,
        summary,
        now.timestamp(),
    )
    .await?;
    tx.commit().await?;
    s.changed();
    view_with_warnings(s, id).await
}

/// Cancels every event of the maintenance that has not started (it is being switched
/// off). Everyone who was told of the plan hears once that it is off — not once per
/// window, and not those who never heard of it — provided something was still to come:
/// a window cancelled now, or one later than the events that exist.
async fn cancel_not_started(conn: &mut AnyConnection, id: i64, reason: &str, now: DateTime<Utc>) -> AppResult<()> {
    let mut called_off = false;
    for e in events::not_started(conn, id, now.timestamp()).await? {
        let change = Change::cancelled(&e, now.timestamp(), reason);
        called_off |= events::change(conn, &e, &change, now.timestamp()).await?;
    }
    let still_to_come = match maintenances::get(conn, id).await? {
        Some(m) => {
            let skips = skips_of(conn, id).await?;
            let known: HashSet<i64> = events::list(
                conn,
                &EventFilter {
                    from: Some(now.timestamp()),
                    maintenance_id: Some(id),
                    limit: 1000,
                    ..Default::default()
                },
                now.timestamp(),
            )
            .await?
            .into_iter()
            .map(|e| e.scheduled_start)
            .collect();
            schedule_of(&m).ok().is_some_and(|sch| {
                sch.preview(Some(now), 1000)
                    .iter()
                    .any(|o| !skips.contains(&o.start.timestamp()) && !known.contains(&o.start.timestamp()))
            })
        }
        None => false,
    };
    if called_off || still_to_come {
        outbox::enqueue_plan_cancelled(conn, id, now.timestamp()).await?;
    }
    Ok(())
}

/// A window that will not happen after all (the schedule changed): if it was announced by
/// a reminder, the same subscribers hear that it is off. (Those not yet reminded hear
/// nothing: an edited series would otherwise mail once per occurrence.)
async fn call_off(conn: &mut AnyConnection, e: &events::EventRow, now: DateTime<Utc>) -> AppResult<()> {
    if e.status == EventStatus::Ready.as_str() {
        outbox::enqueue(conn, "cancelled", e.maintenance_id, Some(e.id), "", now.timestamp()).await?;
    }
    Ok(())
}

/// After a schedule edit: events that have not started and no longer match are deleted,
/// those that still match take the new duration and lead, and missing ones are added.
/// Started, past and cancelled events are history and stay as they are.
async fn reconcile(
    conn: &mut AnyConnection,
    m: &MaintenanceRow,
    schedule: &Schedule,
    skips: &HashSet<i64>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let occurrences = wanted(schedule, skips, now);
    let by_start: HashMap<i64, &Occurrence> = occurrences.iter().map(|o| (o.start.timestamp(), o)).collect();
    for e in events::not_started(conn, m.id, now.timestamp()).await? {
        match by_start.get(&e.scheduled_start) {
            // A window already announced by a reminder is cancelled (and announced as
            // such); one nobody heard of simply goes.
            None if e.status == EventStatus::Ready.as_str() => {
                let change = Change::cancelled(&e, now.timestamp(), "rescheduled");
                if events::change(conn, &e, &change, now.timestamp()).await? {
                    call_off(conn, &e, now).await?;
                }
            }
            None => events::delete(conn, e.id).await?,
            Some(o) => {
                let end = o.end.timestamp();
                // Keep an operator's extension when it reaches past the new end.
                let end_at = if e.end_at != e.scheduled_end {
                    e.end_at.max(end)
                } else {
                    end
                };
                let change = Change {
                    scheduled_end: end,
                    start_at: e.start_at,
                    end_at,
                    lead: m.reminder_lead,
                    status: e.status.clone(),
                    cancelled_at: None,
                    cancel_reason: None,
                };
                events::change(conn, &e, &change, now.timestamp()).await?;
            }
        }
    }
    events::insert_missing(conn, &new_events(m.id, m.reminder_lead, &occurrences), now.timestamp()).await?;
    Ok(())
}

pub async fn delete(s: &Services, actor: &Actor, id: i64) -> AppResult<()> {
    let now = s.now().timestamp();
    let mut tx = s.store.begin().await?;
    let m = maintenances::get_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("maintenance"))?;
    maintenances::delete(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        "maintenance.delete",
        "maintenance",
        id,
        format!("deleted '{}' and its events", m.title),
        now,
    )
    .await?;
    tx.commit().await?;
    s.changed();
    Ok(())
}

/// Skips one occurrence ahead of time (like iCalendar's EXDATE). A stored event for it
/// is cancelled; either way it is never generated again.
pub async fn skip(s: &Services, actor: &Actor, id: i64, input: SkipInput) -> AppResult<MaintenanceView> {
    let now = s.now();
    let mut tx = s.store.begin().await?;
    let m = maintenances::get_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("maintenance"))?;
    let schedule = schedule_of(&m)?;
    let start = match parse_instant("start", &input.start) {
        Ok(t) => t,
        Err(e) => match validate::local_datetime("start", &input.start) {
            Ok(local) => schedule.resolve(local),
            Err(_) => return Err(e.into()),
        },
    };
    if !schedule.has_occurrence_at(start) {
        return Err(AppError::invalid(
            "start",
            format!(
                "{} is not an occurrence of this maintenance's schedule",
                format_utc(start)
            ),
        ));
    }
    let already_skipped = skips_of(&mut tx, id).await?.contains(&start.timestamp());
    if let Some(e) = events::by_occurrence(&mut tx, id, start.timestamp()).await? {
        match timing(&e).status_at(now) {
            EventStatus::Scheduled | EventStatus::Ready => {
                let change = Change::cancelled(&e, now.timestamp(), "skipped");
                if !events::change(&mut tx, &e, &change, now.timestamp()).await? {
                    return Err(AppError::Conflict(
                        "that occurrence changed at the same time (it may have started); reload and try again".into(),
                    ));
                }
                outbox::enqueue(&mut tx, "cancelled", id, Some(e.id), "", now.timestamp()).await?;
            }
            EventStatus::Cancelled => {}
            other => {
                return Err(AppError::Conflict(format!(
                    "cannot skip an occurrence that is {}",
                    other.as_str()
                )));
            }
        }
    } else if !already_skipped && m.status == "ACTIVE" {
        // Beyond the horizon there is no event yet, but subscribers told of the plan may
        // have this date in their calendars: it is announced like a cancelled window.
        let detail = format!("{}{}", outbox::OCCURRENCE, start.timestamp());
        outbox::enqueue(&mut tx, "cancelled", id, None, &detail, now.timestamp()).await?;
    }
    maintenances::add_skip(&mut tx, id, start.timestamp(), now.timestamp()).await?;
    audit::record(
        &mut tx,
        actor,
        "maintenance.skip",
        "maintenance",
        id,
        format!("'{}': skipped {}", m.title, format_utc(start)),
        now.timestamp(),
    )
    .await?;
    tx.commit().await?;
    s.changed();
    view(s, id, true).await
}

pub async fn list(s: &Services, status: Option<&str>) -> AppResult<Vec<MaintenanceView>> {
    let status = status.map(parse_status).transpose()?;
    let now = s.now();
    let mut conn = s.store.conn().await?;
    let rows = maintenances::list(&mut conn, status).await?;
    let ids: Vec<i64> = rows.iter().map(|m| m.id).collect();
    let mut affected: HashMap<i64, Vec<AffectedMonitor>> = HashMap::new();
    for a in maintenances::affected(&mut conn, Some(&ids)).await? {
        affected.entry(a.maintenance_id).or_default().push(a.into());
    }
    let mut skips: HashMap<i64, HashSet<i64>> = HashMap::new();
    for (id, start) in maintenances::skips(&mut conn, None).await? {
        skips.entry(id).or_default().insert(start);
    }
    let mut changed: HashMap<i64, Changed> = HashMap::new();
    for (id, planned, actual, over) in events::changed_ahead(&mut conn, None, now.timestamp()).await? {
        changed
            .entry(id)
            .or_default()
            .insert(planned, (over == 0).then_some(actual));
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
type Changed = HashMap<i64, Option<i64>>;

/// The next window skips skipped occurrences and those that are over although their
/// planned window has not passed; one started early counts from its actual start; an
/// INACTIVE plan has none.
fn to_view(
    m: MaintenanceRow,
    monitors: Vec<AffectedMonitor>,
    skips: &HashSet<i64>,
    changed: &Changed,
    now: DateTime<Utc>,
) -> MaintenanceView {
    let next_start = (m.status == "ACTIVE")
        .then(|| schedule_of(&m).ok())
        .flatten()
        .and_then(|sch| {
            sch.ahead(now)
                .take(10_000)
                .filter(|o| !skips.contains(&o.start.timestamp()))
                .find_map(|o| match changed.get(&o.start.timestamp()) {
                    Some(None) => None,
                    Some(Some(actual)) => Some(fmt_ts(*actual)),
                    None => Some(format_utc(o.start)),
                })
        });
    let mut skipped: Vec<i64> = skips.iter().copied().collect();
    skipped.sort_unstable();
    MaintenanceView {
        id: m.id,
        notify: notify_of(&m),
        title: m.title,
        description: m.description,
        start: m.start_local,
        timezone: m.timezone,
        duration: m.duration,
        rrule: m.rrule,
        status: m.status,
        reminder_lead: m.reminder_lead,
        monitors,
        skipped: skipped.into_iter().map(fmt_ts).collect(),
        next_start,
        events: None,
        warnings: None,
        created_at: fmt_ts(m.created_at),
        updated_at: fmt_ts(m.updated_at),
    }
}

/// One maintenance with its recent and upcoming events.
pub async fn view(s: &Services, id: i64, with_events: bool) -> AppResult<MaintenanceView> {
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
    let changed: Changed = events::changed_ahead(&mut conn, Some(id), now.timestamp())
        .await?
        .into_iter()
        .map(|(_, planned, actual, over)| (planned, (over == 0).then_some(actual)))
        .collect();
    let mut v = to_view(m, monitors, &skips, &changed, now);
    if with_events {
        let filter = EventFilter {
            from: Some((now - Duration::days(7)).timestamp()),
            maintenance_id: Some(id),
            limit: 100,
            ..Default::default()
        };
        let rows = events::list(&mut conn, &filter, now.timestamp()).await?;
        v.events = Some(views(&mut conn, rows, now).await?);
    }
    Ok(v)
}

pub async fn view_with_warnings(s: &Services, id: i64) -> AppResult<MaintenanceView> {
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
        from: Some(from.timestamp()),
        maintenance_id: Some(id),
        limit: 1000,
        ..Default::default()
    };
    let cancelled: HashSet<i64> = events::list(&mut conn, &filter, s.now().timestamp())
        .await?
        .into_iter()
        .filter(|e| e.cancelled_at.is_some())
        .map(|e| e.scheduled_start)
        .collect();
    Ok(windows
        .into_iter()
        .map(|o| {
            let t = o.start.timestamp();
            let note = if skips.contains(&t) {
                Some(WindowNote::Skipped)
            } else if cancelled.contains(&t) {
                Some(WindowNote::Cancelled)
            } else {
                None
            };
            (o, note)
        })
        .collect())
}
