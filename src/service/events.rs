//! Events: listing, and the operator actions start now, extend, complete now, cancel and
//! post a progress update. Each action rewrites the event's times through the pure
//! lifecycle functions and stores the resulting status in one compare-and-set write.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{Actor, Services, audit};
use crate::domain::impact::Impact;
use crate::domain::lifecycle::{self, CancelReason, EventStatus};
use crate::domain::notice::NoticeKind;
use crate::domain::schedule::format_utc;
use crate::domain::validate::Slug;
use crate::domain::{FieldError, validate};
use crate::error::{AppError, AppResult};
use crate::store::events::{self, Change, EventFilter, EventRow};
use crate::store::maintenances::AffectedRow;
use crate::store::{AnyConnection, maintenances, outbox};

/// A monitor a maintenance affects, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffectedMonitor {
    pub slug: String,
    pub name: String,
    pub impact: Impact,
}

impl From<AffectedRow> for AffectedMonitor {
    fn from(a: AffectedRow) -> Self {
        Self {
            impact: a.impact,
            slug: a.slug,
            name: a.name,
        }
    }
}

/// A progress update posted on an event.
#[derive(Debug, Clone)]
pub struct Update {
    pub id: i64,
    pub body: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
}

/// One occurrence of a maintenance, as the pages, notices and the API's view of it
/// (`web::api::views::EventView`) are built from. `start`/`end` are the effective times
/// (after any start-early, extension or early completion); `scheduled_*` the planned ones.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: i64,
    pub maintenance_id: i64,
    pub title: String,
    /// The maintenance's description, Markdown source.
    pub description: String,
    /// As of when it was read.
    pub status: EventStatus,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub scheduled_start: DateTime<Utc>,
    pub scheduled_end: DateTime<Utc>,
    /// The maintenance's zone, for showing local times.
    pub timezone: Tz,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<CancelReason>,
    /// False when the status page was not running at the window's end (downtime): the
    /// window is history as planned, not as seen.
    pub observed: bool,
    pub monitors: Vec<AffectedMonitor>,
    /// Newest first.
    pub updates: Vec<Update>,
    /// When the occurrence was stored (generated within the horizon, or recorded).
    pub created_at: DateTime<Utc>,
}

impl Event {
    /// Started early, extended or completed early: the times differ from the plan's.
    pub fn moved(&self) -> bool {
        self.start != self.scheduled_start || self.end != self.scheduled_end
    }
}

/// Builds events for `rows` with two batch queries (monitors, updates).
pub(crate) async fn views(conn: &mut AnyConnection, rows: Vec<EventRow>, now: DateTime<Utc>) -> AppResult<Vec<Event>> {
    let mut maintenance_ids: Vec<i64> = rows.iter().map(|e| e.maintenance_id).collect();
    maintenance_ids.sort_unstable();
    maintenance_ids.dedup();
    let mut affected: HashMap<i64, Vec<AffectedMonitor>> = HashMap::new();
    for a in maintenances::affected(conn, Some(&maintenance_ids)).await? {
        affected.entry(a.maintenance_id).or_default().push(a.into());
    }
    let event_ids: Vec<i64> = rows.iter().map(|e| e.id).collect();
    let mut updates: HashMap<i64, Vec<Update>> = HashMap::new();
    for u in events::updates_for(conn, &event_ids).await? {
        updates.entry(u.event_id).or_default().push(Update {
            id: u.id,
            body: u.body,
            author: u.author,
            created_at: u.created_at,
        });
    }
    Ok(rows
        .into_iter()
        .map(|e| Event {
            id: e.id,
            maintenance_id: e.maintenance_id,
            status: e.timing().status_at(now),
            start: e.start_at,
            end: e.end_at,
            scheduled_start: e.scheduled_start,
            scheduled_end: e.scheduled_end,
            cancelled_at: e.cancelled_at,
            cancel_reason: e.cancel_reason,
            observed: e.observed,
            monitors: affected.get(&e.maintenance_id).cloned().unwrap_or_default(),
            updates: updates.remove(&e.id).unwrap_or_default(),
            created_at: e.created_at,
            title: e.title,
            description: e.description,
            timezone: e.timezone,
        })
        .collect())
}

/// Query parameters of `GET /api/v1/events`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// Only events that end after this instant (RFC 3339).
    pub from: Option<String>,
    /// Only events that start before this instant (RFC 3339).
    pub to: Option<String>,
    /// SCHEDULED, READY, ONGOING, COMPLETED or CANCELLED (as of now).
    pub status: Option<String>,
    /// Only events affecting the monitor with this slug.
    pub monitor: Option<String>,
    /// At most this many events (default 200, at most 1000).
    pub limit: Option<i64>,
    /// Skip this many (for paging).
    pub offset: Option<i64>,
}

pub fn parse_instant(field: &str, value: &str) -> Result<DateTime<Utc>, FieldError> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            FieldError::new(
                field,
                format!("'{value}' is not an RFC 3339 instant like 2026-05-17T01:00:00Z"),
            )
        })
}

impl EventQuery {
    pub(crate) fn to_filter(&self, maintenance_id: Option<i64>) -> AppResult<EventFilter> {
        let limit = self.limit.unwrap_or(200);
        if !(1..=1000).contains(&limit) {
            return Err(AppError::invalid("limit", "must be between 1 and 1000"));
        }
        Ok(EventFilter {
            from: self.from.as_deref().map(|v| parse_instant("from", v)).transpose()?,
            to: self.to.as_deref().map(|v| parse_instant("to", v)).transpose()?,
            status: self
                .status
                .as_deref()
                .map(|v| EventStatus::parse("status", v))
                .transpose()?,
            monitor: self
                .monitor
                .as_deref()
                .map(|m| {
                    Slug::parse(m)
                        .map(String::from)
                        .map_err(|e| FieldError::new("monitor", e.message))
                })
                .transpose()?,
            maintenance_id,
            history: false,
            newest_first: false,
            limit,
            offset: self.offset.unwrap_or(0).max(0),
        })
    }
}

pub async fn list(s: &Services, filter: &EventFilter) -> AppResult<Vec<Event>> {
    let now = s.now();
    let mut conn = s.store.conn().await?;
    let rows = events::list(&mut conn, filter, now).await?;
    views(&mut conn, rows, now).await
}

pub async fn get(s: &Services, id: i64) -> AppResult<Event> {
    let now = s.now();
    let mut conn = s.store.conn().await?;
    let row = events::get(&mut conn, id).await?.ok_or(AppError::NotFound("event"))?;
    Ok(views(&mut conn, vec![row], now).await?.remove(0))
}

/// Body of `POST /api/v1/events/{id}/extend`: a new end, or seconds to add.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExtendInput {
    /// The new end, RFC 3339.
    pub end: Option<String>,
    /// Seconds to add to the current end.
    pub seconds: Option<i64>,
}

/// Body of `POST /api/v1/events/{id}/start` (optional).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartInput {
    /// Another end than now + the planned duration, RFC 3339.
    #[serde(default)]
    pub end: Option<String>,
}

/// Body of `POST /api/v1/events/{id}/updates`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UpdateInput {
    pub body: String,
}

#[derive(Debug, Clone, Copy)]
pub enum Action {
    /// Start now, ending at the given instant or after the planned length.
    Start(Option<DateTime<Utc>>),
    Complete,
    Cancel,
    Extend(Option<DateTime<Utc>>, Option<i64>),
}

impl Action {
    pub fn start(input: &StartInput) -> AppResult<Self> {
        Ok(Self::Start(
            input.end.as_deref().map(|e| parse_instant("end", e)).transpose()?,
        ))
    }

    pub fn extend(input: &ExtendInput) -> AppResult<Self> {
        match (&input.end, input.seconds) {
            (Some(end), None) => Ok(Self::Extend(Some(parse_instant("end", end)?), None)),
            (None, Some(secs)) => Ok(Self::Extend(None, Some(validate::duration("seconds", secs)?))),
            (Some(_), Some(_)) => Err(AppError::invalid("end", "give either end or seconds, not both")),
            (None, None) => Err(AppError::invalid(
                "end",
                "give the new end (RFC 3339) or seconds to add",
            )),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Start(_) => "event.start",
            Self::Complete => "event.complete",
            Self::Cancel => "event.cancel",
            Self::Extend(..) => "event.extend",
        }
    }
}

/// Applies an operator action to event `id`.
#[tracing::instrument(skip_all, fields(actor = %actor.0, event = id, action = ?action), err(level = "debug"))]
pub async fn act(s: &Services, actor: &Actor, id: i64, action: Action) -> AppResult<Event> {
    let now = s.now();
    let mut tx = s.store.begin().await?;
    let row = events::get_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("event"))?;
    let before = row.timing();
    let after = match action {
        Action::Start(end) => lifecycle::start_now(before, now, end)?,
        Action::Complete => lifecycle::complete_now(before, now)?,
        Action::Cancel => lifecycle::cancel(before, now)?,
        Action::Extend(end, secs) => {
            let new_end = match end {
                Some(end) => end,
                // Out of chrono's range is far beyond the 31-day limit: say that, never panic.
                None => Duration::try_seconds(secs.unwrap_or(0))
                    .and_then(|d| before.end.checked_add_signed(d))
                    .ok_or_else(|| FieldError::new("seconds", "would make the window longer than 31 days"))?,
            };
            lifecycle::extend(before, now, new_end)?
        }
    };
    let change = Change {
        scheduled_end: row.scheduled_end,
        start_at: after.start,
        end_at: after.end,
        lead: row.lead,
        status: after.status_at(now),
        cancelled_at: after.cancelled.then_some(now),
        cancel_reason: after.cancelled.then_some(CancelReason::Operator),
    };
    if !events::change(&mut tx, &row, &change, now).await? {
        return Err(AppError::Conflict(
            "the event was changed at the same time; reload and try again".into(),
        ));
    }
    let (kind, detail) = match action {
        Action::Start(_) => (NoticeKind::Started, String::new()),
        Action::Complete => (NoticeKind::Completed, String::new()),
        Action::Cancel => (NoticeKind::Cancelled, String::new()),
        Action::Extend(..) => (NoticeKind::Extended, change.end_at.timestamp().to_string()),
    };
    outbox::enqueue(&mut tx, kind, row.maintenance_id, Some(id), &detail, now).await?;
    let summary = format!(
        "'{}' {}: {}",
        row.title,
        before.status_at(now).as_str(),
        audit::diff(&[
            (
                "status",
                before.status_at(now).as_str().into(),
                change.status.as_str().into()
            ),
            ("start", format_utc(row.start_at), format_utc(change.start_at)),
            ("end", format_utc(row.end_at), format_utc(change.end_at)),
        ])
    );
    audit::record(&mut tx, actor, action.name(), "event", id, summary, now).await?;
    tx.commit().await?;
    s.plan_changed(row.maintenance_id);
    get(s, id).await
}

/// Posts a progress update on event `id`.
#[tracing::instrument(skip_all, fields(actor = %actor.0, event = id), err(level = "debug"))]
pub async fn post_update(s: &Services, actor: &Actor, id: i64, input: UpdateInput) -> AppResult<Event> {
    let body = validate::update_body(&input.body)?;
    let now = s.now();
    let mut tx = s.store.begin().await?;
    let row = events::get_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("event"))?;
    let update = events::insert_update(&mut tx, id, &body, &actor.0, now).await?;
    outbox::enqueue(
        &mut tx,
        NoticeKind::Update,
        row.maintenance_id,
        Some(id),
        &update.to_string(),
        now,
    )
    .await?;
    let preview: String = body.chars().take(80).collect();
    audit::record(
        &mut tx,
        actor,
        "event.update",
        "event",
        id,
        format!("'{}': posted \"{preview}\"", row.title),
        now,
    )
    .await?;
    tx.commit().await?;
    s.plan_changed(row.maintenance_id);
    get(s, id).await
}
