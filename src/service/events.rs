//! Events: listing, and the operator actions start now, extend, complete now, cancel and
//! post a progress update. Each action rewrites the event's times through the pure
//! lifecycle functions and stores the resulting status in one compare-and-set write.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Actor, Services, audit, fmt_ts, from_ts};
use crate::domain::impact::Impact;
use crate::domain::lifecycle::{self, EventStatus, Timing};
use crate::domain::{FieldError, validate};
use crate::error::{AppError, AppResult};
use crate::store::events::{self, Change, EventFilter, EventRow};
use crate::store::maintenances::AffectedRow;
use crate::store::{AnyConnection, maintenances, outbox};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AffectedMonitor {
    pub slug: String,
    pub name: String,
    pub impact: Impact,
}

impl From<AffectedRow> for AffectedMonitor {
    fn from(a: AffectedRow) -> Self {
        Self {
            impact: Impact::parse("impact", &a.impact).unwrap_or(Impact::Maintenance),
            slug: a.slug,
            name: a.name,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UpdateView {
    pub id: i64,
    pub body: String,
    pub author: String,
    pub created_at: String,
}

/// One occurrence of a maintenance. `start`/`end` are the effective times (after any
/// start-early, extension or early completion); `scheduled_*` are the planned ones.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventView {
    pub id: i64,
    pub maintenance_id: i64,
    pub title: String,
    /// The maintenance's description, Markdown source.
    pub description: String,
    pub status: EventStatus,
    pub start: String,
    pub end: String,
    pub scheduled_start: String,
    pub scheduled_end: String,
    /// The maintenance's IANA zone, for showing local times.
    pub timezone: String,
    pub cancelled_at: Option<String>,
    /// `operator`, `skipped` or `deactivated` for cancelled events.
    pub cancel_reason: Option<String>,
    /// False when the status page was not running at the window's end (downtime): the
    /// window is history as planned, not as seen.
    pub observed: bool,
    pub monitors: Vec<AffectedMonitor>,
    /// Newest first.
    pub updates: Vec<UpdateView>,
}

pub(crate) fn timing(e: &EventRow) -> Timing {
    Timing {
        start: from_ts(e.start_at),
        end: from_ts(e.end_at),
        lead: Duration::seconds(e.lead),
        cancelled: e.cancelled_at.is_some(),
    }
}

/// Builds views for `rows` with two batch queries (monitors, updates).
pub(crate) async fn views(
    conn: &mut AnyConnection,
    rows: Vec<EventRow>,
    now: DateTime<Utc>,
) -> AppResult<Vec<EventView>> {
    let mut maintenance_ids: Vec<i64> = rows.iter().map(|e| e.maintenance_id).collect();
    maintenance_ids.sort_unstable();
    maintenance_ids.dedup();
    let mut affected: HashMap<i64, Vec<AffectedMonitor>> = HashMap::new();
    for a in maintenances::affected(conn, Some(&maintenance_ids)).await? {
        affected.entry(a.maintenance_id).or_default().push(a.into());
    }
    let event_ids: Vec<i64> = rows.iter().map(|e| e.id).collect();
    let mut updates: HashMap<i64, Vec<UpdateView>> = HashMap::new();
    for u in events::updates_for(conn, &event_ids).await? {
        updates.entry(u.event_id).or_default().push(UpdateView {
            id: u.id,
            body: u.body,
            author: u.author,
            created_at: fmt_ts(u.created_at),
        });
    }
    Ok(rows
        .into_iter()
        .map(|e| EventView {
            id: e.id,
            maintenance_id: e.maintenance_id,
            status: timing(&e).status_at(now),
            start: fmt_ts(e.start_at),
            end: fmt_ts(e.end_at),
            scheduled_start: fmt_ts(e.scheduled_start),
            scheduled_end: fmt_ts(e.scheduled_end),
            cancelled_at: e.cancelled_at.map(fmt_ts),
            cancel_reason: e.cancel_reason,
            observed: e.observed != 0,
            monitors: affected.get(&e.maintenance_id).cloned().unwrap_or_default(),
            updates: updates.remove(&e.id).unwrap_or_default(),
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
            from: self
                .from
                .as_deref()
                .map(|v| parse_instant("from", v))
                .transpose()?
                .map(|t| t.timestamp()),
            to: self
                .to
                .as_deref()
                .map(|v| parse_instant("to", v))
                .transpose()?
                .map(|t| t.timestamp()),
            status: self
                .status
                .as_deref()
                .map(|v| EventStatus::parse("status", v))
                .transpose()?
                .map(|s| s.as_str().to_string()),
            monitor: self
                .monitor
                .as_deref()
                .map(|m| validate::slug(m).map_err(|e| FieldError::new("monitor", e.message)))
                .transpose()?,
            maintenance_id,
            history: false,
            newest_first: false,
            limit,
            offset: self.offset.unwrap_or(0).max(0),
        })
    }
}

pub async fn list(s: &Services, filter: &EventFilter) -> AppResult<Vec<EventView>> {
    let now = s.now();
    let mut conn = s.store.conn().await?;
    let rows = events::list(&mut conn, filter, now.timestamp()).await?;
    views(&mut conn, rows, now).await
}

pub async fn get(s: &Services, id: i64) -> AppResult<EventView> {
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
pub async fn act(s: &Services, actor: &Actor, id: i64, action: Action) -> AppResult<EventView> {
    let now = s.now();
    let mut tx = s.store.begin().await?;
    let row = events::get_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("event"))?;
    let before = timing(&row);
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
        start_at: after.start.timestamp(),
        end_at: after.end.timestamp(),
        lead: row.lead,
        status: after.status_at(now).as_str().to_string(),
        cancelled_at: after.cancelled.then_some(now.timestamp()),
        cancel_reason: after.cancelled.then(|| "operator".to_string()),
    };
    if !events::change(&mut tx, &row, &change, now.timestamp()).await? {
        return Err(AppError::Conflict(
            "the event was changed at the same time; reload and try again".into(),
        ));
    }
    let (kind, detail) = match action {
        Action::Start(_) => ("started", String::new()),
        Action::Complete => ("completed", String::new()),
        Action::Cancel => ("cancelled", String::new()),
        Action::Extend(..) => ("extended", change.end_at.to_string()),
    };
    outbox::enqueue(&mut tx, kind, row.maintenance_id, Some(id), &detail, now.timestamp()).await?;
    let summary = format!(
        "'{}' {}: {}",
        row.title,
        before.status_at(now).as_str(),
        audit::diff(&[
            ("status", before.status_at(now).as_str().into(), change.status.clone()),
            ("start", fmt_ts(row.start_at), fmt_ts(change.start_at)),
            ("end", fmt_ts(row.end_at), fmt_ts(change.end_at)),
        ])
    );
    audit::record(&mut tx, actor, action.name(), "event", id, summary, now.timestamp()).await?;
    tx.commit().await?;
    s.changed();
    get(s, id).await
}

/// Posts a progress update on event `id`.
pub async fn post_update(s: &Services, actor: &Actor, id: i64, input: UpdateInput) -> AppResult<EventView> {
    let body = validate::update_body(&input.body)?;
    let now = s.now().timestamp();
    let mut tx = s.store.begin().await?;
    let row = events::get_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("event"))?;
    let update = events::insert_update(&mut tx, id, &body, &actor.0, now).await?;
    outbox::enqueue(
        &mut tx,
        "update",
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
    s.changed();
    get(s, id).await
}
