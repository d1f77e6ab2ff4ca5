//! Incidents: open, update (which moves the status), resolve, edit, delete. Every change
//! is one transaction with its audit entry and its notices; the page reads again.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::maintenances::MonitorImpactInput;
use super::{Actor, Services, audit};
use crate::domain::impact::Impact;
use crate::domain::incident::{self, IncidentStatus};
use crate::domain::notice::NoticeKind;
use crate::domain::validate;
use crate::error::{AppError, AppResult};
use crate::store::incidents::{self, IncidentRow};
use crate::store::{AnyConnection, outbox};

/// How long a resolved incident stays in the list (and on the page's history).
pub const RECENT_DAYS: i64 = 90;

/// A new incident: its first update says what is known.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IncidentInput {
    pub title: String,
    /// INVESTIGATING (default), IDENTIFIED, MONITORING, or RESOLVED to record one after
    /// the fact.
    #[serde(default)]
    pub status: Option<String>,
    /// The first update, Markdown.
    pub body: String,
    /// The monitors affected, each DOWN (default) or DEGRADED.
    #[serde(default)]
    pub monitors: Vec<MonitorImpactInput>,
    /// Tell subscribers and webhooks (default true; false for an incident recorded as
    /// already RESOLVED, which nobody needs to hear of now).
    #[serde(default)]
    pub notify: Option<bool>,
    /// Keep it from visitors (and untold) until published with `PATCH {"draft": false}`.
    #[serde(default)]
    pub draft: Option<bool>,
}

/// An update on an open incident.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IncidentUpdateInput {
    /// The status from now on (default: unchanged); RESOLVED ends the incident.
    #[serde(default)]
    pub status: Option<String>,
    /// What is new, Markdown.
    pub body: String,
    /// Tell subscribers and webhooks (default true).
    #[serde(default)]
    pub notify: Option<bool>,
}

/// A correction: the title, the monitors, or publishing a draft.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IncidentPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub monitors: Option<Vec<MonitorImpactInput>>,
    /// `false` publishes a draft (and tells subscribers it was opened); a published
    /// incident cannot become a draft again.
    #[serde(default)]
    pub draft: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct Incident {
    pub id: i64,
    pub title: String,
    pub status: IncidentStatus,
    pub draft: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub monitors: Vec<Affected>,
    /// Latest first.
    pub updates: Vec<Update>,
}

#[derive(Debug, Clone)]
pub struct Affected {
    pub slug: String,
    pub name: String,
    pub impact: Impact,
}

#[derive(Debug, Clone)]
pub struct Update {
    pub id: i64,
    pub status: IncidentStatus,
    pub body: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
}

impl Incident {
    pub fn is_open(&self) -> bool {
        self.status.is_open()
    }
}

/// Reads the incidents of `rows` with their monitors and updates.
async fn views(conn: &mut AnyConnection, rows: Vec<IncidentRow>) -> AppResult<Vec<Incident>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let affected = incidents::affected(conn, &ids).await?;
    let updates = incidents::updates(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| Incident {
            monitors: affected
                .iter()
                .filter(|a| a.incident_id == r.id)
                .map(|a| Affected {
                    slug: a.slug.clone(),
                    name: a.name.clone(),
                    impact: a.impact,
                })
                .collect(),
            updates: updates
                .iter()
                .filter(|u| u.incident_id == r.id)
                .map(|u| Update {
                    id: u.id,
                    status: u.status,
                    body: u.body.clone(),
                    author: u.author.clone(),
                    created_at: u.created_at,
                })
                .collect(),
            id: r.id,
            title: r.title,
            status: r.status,
            draft: r.draft,
            created_at: r.created_at,
            updated_at: r.updated_at,
            resolved_at: r.resolved_at,
        })
        .collect())
}

/// Open incidents (oldest first), then those resolved in the last 90 days (latest first),
/// at most `limit`; drafts only for admins.
pub async fn list(s: &Services, with_drafts: bool, limit: i64) -> AppResult<Vec<Incident>> {
    let mut conn = s.store.conn().await?;
    list_in(&mut conn, s.now(), with_drafts, limit).await
}

pub(super) async fn list_in(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
    with_drafts: bool,
    limit: i64,
) -> AppResult<Vec<Incident>> {
    let rows = incidents::list(conn, now - Duration::days(RECENT_DAYS), with_drafts, limit).await?;
    views(conn, rows).await
}

/// One incident; a draft only for admins (`with_drafts`).
pub async fn get(s: &Services, id: i64, with_drafts: bool) -> AppResult<Incident> {
    let mut conn = s.store.conn().await?;
    let row = incidents::get(&mut conn, id)
        .await?
        .filter(|r| with_drafts || !r.draft)
        .ok_or(AppError::NotFound("incident"))?;
    Ok(views(&mut conn, vec![row]).await?.remove(0))
}

/// `{slug, impact}` pairs as monitor ids with DEGRADED or DOWN, naming the entry at fault.
async fn resolve_monitors(conn: &mut AnyConnection, list: &[MonitorImpactInput]) -> AppResult<Vec<(i64, Impact)>> {
    let mut impacts = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        impacts.push(incident::impact(
            &format!("monitors[{i}].impact"),
            item.impact.as_deref(),
        )?);
    }
    let slugs: Vec<&str> = list.iter().map(|m| m.slug.as_str()).collect();
    let ids = super::monitors::resolve_slugs(conn, &slugs, |i| format!("monitors[{i}].slug")).await?;
    Ok(ids.into_iter().zip(impacts).collect())
}

fn status_of(value: Option<&str>) -> AppResult<Option<IncidentStatus>> {
    Ok(value.map(|v| IncidentStatus::parse("status", v)).transpose()?)
}

/// The kind of notice an update with `status` sends.
fn kind_of(status: IncidentStatus, first: bool) -> NoticeKind {
    match (status, first) {
        (IncidentStatus::Resolved, _) => NoticeKind::IncidentResolved,
        (_, true) => NoticeKind::IncidentOpened,
        (_, false) => NoticeKind::IncidentUpdate,
    }
}

#[tracing::instrument(skip_all, fields(actor = %actor.0), err(level = "debug"))]
pub async fn open(s: &Services, actor: &Actor, input: IncidentInput) -> AppResult<Incident> {
    let title = validate::title(&input.title)?;
    let body = validate::update_body(&input.body)?;
    let status = status_of(input.status.as_deref())?.unwrap_or(IncidentStatus::Investigating);
    let draft = input.draft.unwrap_or(false);
    if draft && !status.is_open() {
        return Err(AppError::invalid("draft", "a resolved incident cannot be a draft"));
    }
    let now = s.now();
    let mut tx = s.store.begin().await?;
    let monitors = resolve_monitors(&mut tx, &input.monitors).await?;
    let id = incidents::insert(&mut tx, &title, status, draft, now).await?;
    incidents::set_monitors(&mut tx, id, &monitors).await?;
    let update = incidents::insert_update(&mut tx, id, status, &body, &actor.0, now).await?;
    if !draft && input.notify.unwrap_or(status.is_open()) {
        outbox::enqueue_incident(&mut tx, kind_of(status, true), id, &update.to_string(), now).await?;
    }
    let what = if draft { "drafted" } else { "opened" };
    finish(
        s,
        tx,
        actor,
        "incident.open",
        id,
        format!("{what} '{title}' ({status})"),
        now,
    )
    .await
}

/// Records the change in the audit log, commits, tells the page and the scheduler, and
/// reads the incident back.
async fn finish(
    s: &Services,
    mut tx: crate::store::Tx,
    actor: &Actor,
    action: &str,
    id: i64,
    summary: String,
    now: DateTime<Utc>,
) -> AppResult<Incident> {
    audit::record(&mut tx, actor, action, "incident", id, summary, now).await?;
    tx.commit().await?;
    s.changed();
    get(s, id, true).await
}

/// Posts an update on an open incident, moving it to the update's status.
#[tracing::instrument(skip_all, fields(actor = %actor.0, incident = id), err(level = "debug"))]
pub async fn post_update(s: &Services, actor: &Actor, id: i64, input: IncidentUpdateInput) -> AppResult<Incident> {
    let body = validate::update_body(&input.body)?;
    let next = status_of(input.status.as_deref())?;
    let now = s.now();
    let mut tx = s.store.begin().await?;
    let row = incidents::get_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("incident"))?;
    let status = incident::next_status(row.status, next).map_err(|e| AppError::Conflict(e.message))?;
    incidents::set_status(&mut tx, id, status, now).await?;
    let update = incidents::insert_update(&mut tx, id, status, &body, &actor.0, now).await?;
    if !row.draft && input.notify.unwrap_or(true) {
        outbox::enqueue_incident(&mut tx, kind_of(status, false), id, &update.to_string(), now).await?;
    }
    let preview: String = body.chars().take(80).collect();
    let moved = if status == row.status {
        String::new()
    } else {
        format!(" ({} -> {status})", row.status)
    };
    finish(
        s,
        tx,
        actor,
        "incident.update",
        id,
        format!("'{}': posted \"{preview}\"{moved}", row.title),
        now,
    )
    .await
}

/// Corrects the title or the monitors, or publishes a draft.
#[tracing::instrument(skip_all, fields(actor = %actor.0, incident = id), err(level = "debug"))]
pub async fn patch(s: &Services, actor: &Actor, id: i64, patch: IncidentPatch) -> AppResult<Incident> {
    let now = s.now();
    let mut tx = s.store.begin().await?;
    let row = incidents::get_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("incident"))?;
    let title = match &patch.title {
        Some(t) => validate::title(t)?,
        None => row.title.clone(),
    };
    let draft = match patch.draft {
        Some(true) if !row.draft => {
            return Err(AppError::invalid(
                "draft",
                "a published incident cannot become a draft again",
            ));
        }
        Some(d) => d,
        None => row.draft,
    };
    let mut changes = Vec::new();
    if title != row.title {
        changes.push(format!("title '{}' -> '{title}'", row.title));
    }
    if let Some(list) = &patch.monitors {
        let monitors = resolve_monitors(&mut tx, list).await?;
        incidents::set_monitors(&mut tx, id, &monitors).await?;
        changes.push(format!("{} monitor(s)", monitors.len()));
    }
    incidents::set_details(&mut tx, id, &title, draft, now).await?;
    if row.draft && !draft {
        changes.push("published".into());
        // Those who follow the page hear of it now, with its latest update.
        let latest = incidents::updates(&mut tx, &[id]).await?;
        if let Some(u) = latest.first() {
            outbox::enqueue_incident(&mut tx, kind_of(u.status, true), id, &u.id.to_string(), now).await?;
        }
    }
    let summary = if changes.is_empty() {
        "no change".to_string()
    } else {
        changes.join(", ")
    };
    finish(s, tx, actor, "incident.edit", id, format!("'{title}': {summary}"), now).await
}

/// Deletes an incident (one opened by mistake): it leaves the page and its history.
#[tracing::instrument(skip_all, fields(actor = %actor.0, incident = id), err(level = "debug"))]
pub async fn delete(s: &Services, actor: &Actor, id: i64) -> AppResult<()> {
    let now = s.now();
    let mut tx = s.store.begin().await?;
    let row = incidents::get_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("incident"))?;
    incidents::delete(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        "incident.delete",
        "incident",
        id,
        format!("deleted '{}'", row.title),
        now,
    )
    .await?;
    tx.commit().await?;
    s.changed();
    Ok(())
}

/// Opens a draft incident for monitor `monitor_id`, DOWN since `since`, unless an open
/// incident (a draft or not) already affects it: an admin publishes it (or deletes it).
/// Returns the new incident's id.
#[tracing::instrument(skip_all, fields(monitor = monitor_id), err(level = "debug"))]
pub async fn draft_for_down(s: &Services, monitor_id: i64, since: DateTime<Utc>) -> AppResult<Option<i64>> {
    let now = s.now();
    let mut tx = s.store.begin().await?;
    if incidents::open_affecting(&mut tx, monitor_id).await? {
        return Ok(None);
    }
    let Some(m) = crate::store::monitors::by_id(&mut tx, monitor_id).await? else {
        return Ok(None);
    };
    let title = format!("{} is down", m.name);
    let body = format!(
        "{} has been down since {}, as its checks found. This draft was opened by Lull: \
         publish it to tell visitors and subscribers, or delete it.",
        m.name,
        crate::domain::format::when_in(since, None, &crate::domain::format::ENGLISH_DATES)
    );
    let actor = Actor("checks".into());
    let status = IncidentStatus::Investigating;
    let id = incidents::insert(&mut tx, &title, status, true, now).await?;
    incidents::set_monitors(&mut tx, id, &[(monitor_id, Impact::Down)]).await?;
    incidents::insert_update(&mut tx, id, status, &body, &actor.0, now).await?;
    let summary = format!(
        "drafted '{title}': down since {}",
        crate::domain::schedule::format_utc(since)
    );
    finish(s, tx, &actor, "incident.open", id, summary, now).await?;
    Ok(Some(id))
}
