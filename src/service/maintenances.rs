//! Maintenances: the plans. Creating or editing one stores it and reconciles its events
//! in the same transaction, so the response already carries the events it produced.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

pub use super::conflicts::Warning;
use super::events::{AffectedMonitor, Event, parse_instant};
use super::horizon::{new_events, schedule_of, wanted};
pub use super::plan_views::{WindowNote, list, mark_windows, preview, preview_marked, view, view_with_warnings};
use super::{Actor, Services, audit};
use crate::domain::FieldError;
use crate::domain::format;
use crate::domain::impact::Impact;
use crate::domain::lifecycle::{CancelReason, EventStatus, MaintenanceStatus};
use crate::domain::notice::NoticeKind;
use crate::domain::schedule::{Crowding, MAX_PER_WEEK, Occurrence, Schedule, format_utc};
use crate::domain::validate::{self, Title};
use crate::error::{AppError, AppResult};
use crate::store::events::{self, Change, EventFilter};
use crate::store::maintenances::{self, MaintenanceRow};
use crate::store::{AnyConnection, outbox};

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonitorImpactInput {
    pub slug: String,
    /// MAINTENANCE (default), DOWN, DEGRADED or UP.
    #[serde(default)]
    pub impact: Option<String>,
}

impl MonitorImpactInput {
    /// `SLUG` or `SLUG:IMPACT`, as the CLI's `--monitor` and the dashboard's selects
    /// write one.
    pub fn parse(text: &str) -> Self {
        match text.split_once(':') {
            Some((slug, impact)) => Self {
                slug: slug.into(),
                impact: Some(impact.to_ascii_uppercase()),
            },
            None => Self {
                slug: text.into(),
                impact: None,
            },
        }
    }
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

/// A plan as the services, pages and notices know it (the API sends
/// `web::api::views::Maintenance`).
#[derive(Debug, Clone)]
pub struct Maintenance {
    pub id: i64,
    pub title: String,
    pub description: String,
    /// Local date-time of the first window, in `timezone`.
    pub start_local: String,
    pub timezone: Tz,
    pub duration: TimeDelta,
    /// Empty for a one-time window.
    pub rrule: String,
    pub status: MaintenanceStatus,
    pub reminder_lead: TimeDelta,
    pub notify: NotifySettings,
    pub monitors: Vec<AffectedMonitor>,
    /// Occurrences skipped ahead of time, soonest first.
    pub skipped: Vec<DateTime<Utc>>,
    /// Start of the next window that has not ended, from the schedule.
    pub next_start: Option<DateTime<Utc>>,
    /// Recent and upcoming events (ended within the last 7 days, or later), when asked for.
    pub events: Option<Vec<Event>>,
    /// Overlaps with other maintenances in the next 90 days, when asked for.
    pub warnings: Option<Vec<Warning>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Maintenance {
    pub fn is_active(&self) -> bool {
        self.status == MaintenanceStatus::Active
    }

    pub fn recurring(&self) -> bool {
        !self.rrule.is_empty()
    }
}

pub(super) fn notify_of(m: &MaintenanceRow) -> NotifySettings {
    NotifySettings {
        scheduled: m.notify_scheduled,
        reminder: m.notify_reminder,
        start: m.notify_start,
        completion: m.notify_completion,
        cancellation: m.notify_cancellation,
    }
}

/// A plan's fields as given (a new one, or a patch over the stored one), not yet checked.
struct Draft {
    title: String,
    description: String,
    start_local: String,
    timezone: String,
    duration: i64,
    rrule: String,
    status: String,
    reminder_lead: i64,
    notify: NotifySettings,
}

/// A new plan's input checked into the row it would store, and its schedule (`lull apply`
/// compares it with what is stored).
pub(crate) fn checked(input: &MaintenanceInput, now: DateTime<Utc>) -> Result<(MaintenanceRow, Schedule), FieldError> {
    Draft {
        title: input.title.clone(),
        description: input.description.clone().unwrap_or_default(),
        start_local: input.start.clone(),
        timezone: input.timezone.clone(),
        duration: input.duration,
        rrule: input.rrule.clone().unwrap_or_default(),
        status: input
            .status
            .clone()
            .unwrap_or_else(|| MaintenanceStatus::Active.as_str().into()),
        reminder_lead: input.reminder_lead.unwrap_or(3600),
        notify: input.notify.unwrap_or_default(),
    }
    .check(0, now, now)
}

impl Draft {
    fn of(m: &MaintenanceRow) -> Self {
        Self {
            title: m.title.clone(),
            description: m.description.clone(),
            start_local: m.start_local.clone(),
            timezone: m.timezone.name().to_string(),
            duration: m.duration.num_seconds(),
            rrule: m.rrule.clone(),
            status: m.status.as_str().to_string(),
            reminder_lead: m.reminder_lead.num_seconds(),
            notify: notify_of(m),
        }
    }

    /// Checks every field (normalising text) into the row to store, and its schedule.
    fn check(
        self,
        id: i64,
        created_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(MaintenanceRow, Schedule), FieldError> {
        let title = Title::parse(&self.title)?.into();
        let description = validate::description(&self.description)?;
        let schedule = Schedule::parse(&self.start_local, &self.timezone, self.duration, &self.rrule)?;
        let status = MaintenanceStatus::parse("status", &self.status)?;
        let reminder_lead = TimeDelta::seconds(validate::reminder_lead(self.reminder_lead)?);
        let n = self.notify;
        let row = MaintenanceRow {
            id,
            title,
            description,
            start_local: validate::format_local(schedule.start),
            timezone: schedule.tz,
            duration: TimeDelta::seconds(schedule.duration),
            rrule: schedule.rrule().to_string(),
            status,
            reminder_lead,
            notify_scheduled: n.scheduled,
            notify_reminder: n.reminder,
            notify_start: n.start,
            notify_completion: n.completion,
            notify_cancellation: n.cancellation,
            created_at,
            updated_at: now,
        };
        Ok((row, schedule))
    }
}

/// Refuses schedules people do not mean: windows that overlap each other, more than one
/// window every 5 minutes on average over any week, and (unless
/// `record_past`) a schedule whose every window has already ended.
/// [`check_windows`] on the CPU pool: it walks up to a year of windows (over 100,000 for a
/// plan every 5 minutes), which must not hold up an async worker.
pub(crate) async fn check_windows_off_runtime(
    schedule: &Schedule,
    now: DateTime<Utc>,
    record_past: bool,
) -> AppResult<()> {
    let schedule = schedule.clone();
    Ok(super::cpu::run(move || check_windows(&schedule, now, record_past)).await??)
}

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
    let mut impacts = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        impacts.push(match &item.impact {
            Some(v) => Impact::parse("impact", v).map_err(|e| e.within(&format!("monitors[{i}].")))?,
            None => Impact::Maintenance,
        });
    }
    let slugs: Vec<&str> = list.iter().map(|m| m.slug.as_str()).collect();
    let ids = super::monitors::resolve_slugs(conn, &slugs, |i| format!("monitors[{i}].slug")).await?;
    Ok(ids.into_iter().zip(impacts).collect())
}

pub(super) async fn skips_of(conn: &mut AnyConnection, id: i64) -> Result<HashSet<DateTime<Utc>>, sqlx::Error> {
    Ok(maintenances::skips_by_plan(conn, Some(&[id]))
        .await?
        .remove(&id)
        .unwrap_or_default())
}

#[tracing::instrument(skip_all, fields(actor = %actor.0), err(level = "debug"))]
pub async fn create(s: &Services, actor: &Actor, input: MaintenanceInput) -> AppResult<Maintenance> {
    let now = s.now();
    let draft = Draft {
        title: input.title,
        description: input.description.unwrap_or_default(),
        start_local: input.start,
        timezone: input.timezone,
        duration: input.duration,
        rrule: input.rrule.unwrap_or_default(),
        status: input
            .status
            .unwrap_or_else(|| MaintenanceStatus::Active.as_str().into()),
        reminder_lead: input.reminder_lead.unwrap_or(3600),
        notify: input.notify.unwrap_or_default(),
    };
    let (m, schedule) = draft.check(0, now, now)?;
    check_windows_off_runtime(&schedule, now, input.record_past).await?;
    let mut tx = s.store.begin().await?;
    let id = create_in(&mut tx, actor, m, &schedule, &input.monitors, now).await?;
    tx.commit().await?;
    s.plan_changed(id);
    view_with_warnings(s, id).await
}

/// [`create`]'s writes, in the caller's transaction, for a checked plan (the schedule's
/// windows already checked); returns its id.
pub(crate) async fn create_in(
    tx: &mut AnyConnection,
    actor: &Actor,
    mut m: MaintenanceRow,
    schedule: &Schedule,
    monitors: &[MonitorImpactInput],
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let affected = resolve_monitors(tx, monitors).await?;
    m.id = maintenances::insert(tx, &m).await?;
    maintenances::set_monitors(tx, m.id, &affected).await?;
    if m.status == MaintenanceStatus::Active {
        let occ = wanted(schedule, &HashSet::new(), now);
        events::insert_missing(tx, &new_events(m.id, m.reminder_lead, &occ), now).await?;
        outbox::enqueue(tx, NoticeKind::Scheduled, m.id, None, "", now).await?;
    }
    let summary = format!(
        "created '{}': {} {} for {}s, {}",
        m.title,
        m.start_local,
        m.timezone,
        m.duration.num_seconds(),
        m.rrule
    );
    audit::record(tx, actor, "maintenance.create", "maintenance", m.id, summary, now).await?;
    Ok(m.id)
}

#[tracing::instrument(skip_all, fields(actor = %actor.0, maintenance = id), err(level = "debug"))]
pub async fn update(s: &Services, actor: &Actor, id: i64, patch: MaintenancePatch) -> AppResult<Maintenance> {
    let now = s.now();
    let mut tx = s.store.begin().await?;
    update_in(&mut tx, actor, id, patch, now).await?;
    tx.commit().await?;
    s.plan_changed(id);
    view_with_warnings(s, id).await
}

/// [`update`]'s work, in the caller's transaction.
pub(crate) async fn update_in(
    tx: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    patch: MaintenancePatch,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let before = maintenances::get_for_update(tx, id)
        .await?
        .ok_or(AppError::NotFound("maintenance"))?;
    let mut d = Draft::of(&before);
    if let Some(v) = patch.title {
        d.title = v;
    }
    if let Some(v) = patch.description {
        d.description = v;
    }
    if let Some(v) = patch.start {
        d.start_local = v;
    }
    if let Some(v) = patch.timezone {
        d.timezone = v;
    }
    if let Some(v) = patch.duration {
        d.duration = v;
    }
    if let Some(v) = patch.rrule {
        d.rrule = v;
    }
    if let Some(v) = patch.status {
        d.status = v;
    }
    if let Some(v) = patch.reminder_lead {
        d.reminder_lead = v;
    }
    if let Some(n) = patch.notify {
        d.notify = n;
    }
    let (m, schedule) = d.check(id, before.created_at, now)?;
    let retimed = (
        &before.start_local,
        before.timezone,
        before.duration,
        &before.rrule,
        before.reminder_lead,
    ) != (&m.start_local, m.timezone, m.duration, &m.rrule, m.reminder_lead);
    if retimed {
        check_windows_off_runtime(&schedule, now, patch.record_past).await?;
    }
    if let Some(list) = &patch.monitors {
        let affected = resolve_monitors(tx, list).await?;
        maintenances::set_monitors(tx, id, &affected).await?;
    }
    maintenances::update(tx, &m).await?;

    use MaintenanceStatus::{Active, Inactive};
    let deactivated = before.status == Active && m.status == Inactive;
    let reactivated = before.status == Inactive && m.status == Active;
    if deactivated {
        cancel_not_started(tx, id, CancelReason::Deactivated, now).await?;
    } else if m.status == Active && (reactivated || retimed) {
        if reactivated {
            events::delete_deactivated(tx, id, now).await?;
            // Once per maintenance: a plan announced before is not announced again.
            outbox::enqueue(tx, NoticeKind::Scheduled, id, None, "", now).await?;
        }
        let skips = skips_of(tx, id).await?;
        reconcile(tx, &m, &schedule, &skips, now).await?;
    }
    let summary = audit::diff(&[
        ("title", before.title, m.title.clone()),
        ("description", before.description, m.description.clone()),
        ("start", before.start_local, m.start_local.clone()),
        ("timezone", before.timezone.name().into(), m.timezone.name().into()),
        (
            "duration",
            before.duration.num_seconds().to_string(),
            m.duration.num_seconds().to_string(),
        ),
        ("rrule", before.rrule, m.rrule.clone()),
        ("status", before.status.as_str().into(), m.status.as_str().into()),
        (
            "reminder_lead",
            before.reminder_lead.num_seconds().to_string(),
            m.reminder_lead.num_seconds().to_string(),
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
    audit::record(tx, actor, "maintenance.update", "maintenance", id, summary, now).await?;
    Ok(())
}

/// Cancels every event of the maintenance that has not started (it is being switched
/// off). Everyone who was told of the plan hears once that it is off — not once per
/// window, and not those who never heard of it — provided something was still to come:
/// a window cancelled now, or one later than the events that exist.
async fn cancel_not_started(
    conn: &mut AnyConnection,
    id: i64,
    reason: CancelReason,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut called_off = false;
    for e in events::not_started(conn, id, now).await? {
        let change = Change::cancelled(&e, now, reason);
        called_off |= events::change(conn, &e, &change, now).await?;
    }
    let still_to_come = match maintenances::get(conn, id).await? {
        Some(m) => {
            let skips = skips_of(conn, id).await?;
            let known: HashSet<DateTime<Utc>> = events::list(
                conn,
                &EventFilter {
                    from: Some(now),
                    maintenance_id: Some(id),
                    limit: 1000,
                    ..Default::default()
                },
                now,
            )
            .await?
            .into_iter()
            .map(|e| e.scheduled_start)
            .collect();
            schedule_of(&m).ok().is_some_and(|sch| {
                sch.preview(Some(now), 1000)
                    .iter()
                    .any(|o| !skips.contains(&o.start) && !known.contains(&o.start))
            })
        }
        None => false,
    };
    if called_off || still_to_come {
        outbox::enqueue_plan_cancelled(conn, id, now).await?;
    }
    Ok(())
}

/// After a schedule edit: events that have not started and no longer match are deleted
/// (or cancelled, when subscribers were told of them: a reminder or progress updates; the
/// same subscribers then hear that the window is off), those that still match take the new duration and lead, and missing ones are added.
/// Started, past and cancelled events are history and stay as they are.
async fn reconcile(
    conn: &mut AnyConnection,
    m: &MaintenanceRow,
    schedule: &Schedule,
    skips: &HashSet<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let occurrences = wanted(schedule, skips, now);
    let by_start: HashMap<DateTime<Utc>, &Occurrence> = occurrences.iter().map(|o| (o.start, o)).collect();
    let not_started = events::not_started(conn, m.id, now).await?;
    let ids: Vec<i64> = not_started.iter().map(|e| e.id).collect();
    let with_updates: HashSet<i64> = events::updates_for(conn, &ids)
        .await?
        .into_iter()
        .map(|u| u.event_id)
        .collect();
    for e in not_started {
        let told = e.status == EventStatus::Ready || with_updates.contains(&e.id);
        match by_start.get(&e.scheduled_start) {
            // A window already announced by a reminder, or with progress updates, is
            // cancelled (announced as such, its updates kept as history); one nobody heard
            // of simply goes.
            None if told => {
                let change = Change::cancelled(&e, now, CancelReason::Rescheduled);
                if events::change(conn, &e, &change, now).await? {
                    outbox::enqueue(conn, NoticeKind::Cancelled, e.maintenance_id, Some(e.id), "", now).await?;
                }
            }
            None => events::delete(conn, e.id).await?,
            Some(o) => {
                let end = o.end;
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
                    status: e.status,
                    cancelled_at: None,
                    cancel_reason: None,
                };
                events::change(conn, &e, &change, now).await?;
            }
        }
    }
    events::insert_missing(conn, &new_events(m.id, m.reminder_lead, &occurrences), now).await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(actor = %actor.0, maintenance = id), err(level = "debug"))]
pub async fn delete(s: &Services, actor: &Actor, id: i64) -> AppResult<()> {
    let now = s.now();
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
    s.plan_changed(id);
    Ok(())
}

/// Skips one occurrence ahead of time (like iCalendar's EXDATE). A stored event for it
/// is cancelled; either way it is never generated again.
#[tracing::instrument(skip_all, fields(actor = %actor.0, maintenance = id), err(level = "debug"))]
pub async fn skip(s: &Services, actor: &Actor, id: i64, input: SkipInput) -> AppResult<Maintenance> {
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
    let already_skipped = skips_of(&mut tx, id).await?.contains(&start);
    if let Some(e) = events::by_occurrence(&mut tx, id, start).await? {
        match e.timing().status_at(now) {
            EventStatus::Scheduled | EventStatus::Ready => {
                let change = Change::cancelled(&e, now, CancelReason::Skipped);
                if !events::change(&mut tx, &e, &change, now).await? {
                    return Err(AppError::Conflict(
                        "that occurrence changed at the same time (it may have started); reload and try again".into(),
                    ));
                }
                outbox::enqueue(&mut tx, NoticeKind::Cancelled, id, Some(e.id), "", now).await?;
            }
            EventStatus::Cancelled => {}
            other => {
                return Err(AppError::Conflict(format!(
                    "cannot skip an occurrence that is {}",
                    other.as_str()
                )));
            }
        }
    } else if !already_skipped && m.status == MaintenanceStatus::Active {
        // Beyond the horizon there is no event yet, but subscribers told of the plan may
        // have this date in their calendars: it is announced like a cancelled window.
        let detail = format!("{}{}", outbox::OCCURRENCE, start.timestamp());
        outbox::enqueue(&mut tx, NoticeKind::Cancelled, id, None, &detail, now).await?;
    }
    maintenances::add_skip(&mut tx, id, start, now).await?;
    audit::record(
        &mut tx,
        actor,
        "maintenance.skip",
        "maintenance",
        id,
        format!("'{}': skipped {}", m.title, format_utc(start)),
        now,
    )
    .await?;
    tx.commit().await?;
    s.plan_changed(id);
    view(s, id, true).await
}
