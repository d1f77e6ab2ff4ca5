//! Atlassian Statuspage's public API (v2), served from Lull's data so that the widgets,
//! exporters and bots people already run can read a Lull page unchanged:
//! `/api/v2/summary.json`, `status.json`, `components.json`, `incidents.json`,
//! `incidents/unresolved.json`, `scheduled-maintenances.json` and
//! `scheduled-maintenances/{upcoming,active}.json`.
//!
//! The mapping: a monitor is a component (its slug the id); a monitor group is a group
//! component holding its monitors; an incident is an incident; a maintenance event is a
//! scheduled maintenance (SCHEDULED and READY → `scheduled`, ONGOING → `in_progress`,
//! COMPLETED → `completed`; cancelled windows are left out, as Statuspage deletes them).
//! The page's indicator is `maintenance` while work is ongoing and nothing is worse.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::public::tagged;
use crate::domain::impact::{EffectiveStatus, Impact};
use crate::domain::incident::IncidentStatus;
use crate::domain::lifecycle::EventStatus;
use crate::domain::schedule::format_utc;
use crate::error::AppResult;
use crate::service::events::{self, Event};
use crate::service::incidents::{self, Incident};
use crate::service::status::{MonitorStatusView, Status};
use crate::store::events::EventFilter;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v2/summary.json", get(summary))
        .route("/api/v2/status.json", get(status))
        .route("/api/v2/components.json", get(components))
        .route("/api/v2/incidents.json", get(all_incidents))
        .route("/api/v2/incidents/unresolved.json", get(unresolved))
        .route("/api/v2/scheduled-maintenances.json", get(all_maintenances))
        .route("/api/v2/scheduled-maintenances/upcoming.json", get(upcoming))
        .route("/api/v2/scheduled-maintenances/active.json", get(active))
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page {
    pub id: String,
    pub name: String,
    pub url: String,
    pub time_zone: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Indicator {
    /// `none`, `minor`, `major`, `critical` or `maintenance`.
    pub indicator: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Component {
    pub id: String,
    pub name: String,
    /// `operational`, `degraded_performance`, `partial_outage`, `major_outage` or
    /// `under_maintenance`.
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    pub position: usize,
    pub description: Option<String>,
    pub showcase: bool,
    pub start_date: Option<String>,
    pub group_id: Option<String>,
    pub page_id: String,
    pub group: bool,
    pub only_show_if_degraded: bool,
    /// A group's members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AffectedComponent {
    pub code: String,
    pub name: String,
    pub old_status: String,
    pub new_status: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IncidentUpdate {
    pub id: String,
    pub status: String,
    pub body: String,
    pub incident_id: String,
    pub created_at: String,
    pub updated_at: String,
    pub display_at: String,
    pub affected_components: Vec<AffectedComponent>,
    pub deliver_notifications: bool,
    pub custom_tweet: Option<String>,
    pub tweet_id: Option<String>,
}

/// An incident, or a scheduled maintenance (which adds `scheduled_for` and
/// `scheduled_until`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatuspageIncident {
    pub id: String,
    pub name: String,
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    pub monitoring_at: Option<String>,
    pub resolved_at: Option<String>,
    /// `none`, `minor`, `major`, `critical` (incidents) or `maintenance`.
    pub impact: String,
    pub shortlink: String,
    pub started_at: String,
    pub page_id: String,
    pub incident_updates: Vec<IncidentUpdate>,
    pub components: Vec<Component>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_for: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_until: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub page: Page,
    pub components: Vec<Component>,
    pub incidents: Vec<StatuspageIncident>,
    pub scheduled_maintenances: Vec<StatuspageIncident>,
    pub status: Indicator,
}

/// Incidents and maintenances in the full lists (`incidents.json`,
/// `scheduled-maintenances.json`), newest first, as Statuspage has it.
const LIST_LIMIT: usize = 50;

/// What every v2 document is made from: the page's snapshot (no database read), the time
/// it was built, and the site.
struct Ctx<'a> {
    state: &'a AppState,
    status: &'a Status,
    built_at: DateTime<Utc>,
    components: Vec<Component>,
}

impl<'a> Ctx<'a> {
    fn new(state: &'a AppState, status: &'a Status, built_at: DateTime<Utc>) -> Self {
        let mut ctx = Self {
            state,
            status,
            built_at,
            components: Vec::new(),
        };
        ctx.components = ctx.all_components();
        ctx
    }

    fn page_id(&self) -> String {
        url::Url::parse(&self.state.site.public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "lull".into())
    }

    fn page(&self) -> Page {
        Page {
            id: self.page_id(),
            name: self.state.site.name.clone(),
            url: self.state.site.public_url.clone(),
            time_zone: "Etc/UTC".into(),
            updated_at: format_utc(self.built_at),
        }
    }

    fn component(&self, m: &MonitorStatusView, position: usize, group_id: Option<String>) -> Component {
        let at = format_utc(self.built_at);
        Component {
            id: m.slug.clone(),
            name: m.name.clone(),
            status: component_status(m.effective_status).into(),
            created_at: at.clone(),
            updated_at: at,
            position,
            description: (!m.description.is_empty()).then(|| m.description.clone()),
            showcase: true,
            start_date: None,
            group_id,
            page_id: self.page_id(),
            group: false,
            only_show_if_degraded: false,
            components: None,
        }
    }

    /// Every monitor as a component, and each group as a group component before its first
    /// member (its status: the worst of its members, `partial_outage` when some are down).
    fn all_components(&self) -> Vec<Component> {
        let mut out = Vec::new();
        let mut groups: BTreeMap<&str, usize> = BTreeMap::new();
        for m in &self.status.monitors {
            let parent = m.group.as_deref().map(group_id);
            if let Some(g) = m.group.as_deref()
                && !groups.contains_key(g)
            {
                let members: Vec<&MonitorStatusView> = self
                    .status
                    .monitors
                    .iter()
                    .filter(|o| o.group.as_deref() == Some(g))
                    .collect();
                let worst = members
                    .iter()
                    .map(|o| o.effective_status)
                    .max()
                    .unwrap_or(EffectiveStatus::Up);
                let down = members
                    .iter()
                    .filter(|o| o.effective_status == EffectiveStatus::Down)
                    .count();
                let status = if worst == EffectiveStatus::Down && down < members.len() {
                    "partial_outage"
                } else {
                    component_status(worst)
                };
                groups.insert(g, out.len());
                let at = format_utc(self.built_at);
                out.push(Component {
                    id: group_id(g),
                    name: g.to_string(),
                    status: status.into(),
                    created_at: at.clone(),
                    updated_at: at,
                    position: out.len() + 1,
                    description: None,
                    showcase: false,
                    start_date: None,
                    group_id: None,
                    page_id: self.page_id(),
                    group: true,
                    only_show_if_degraded: false,
                    components: Some(members.iter().map(|o| o.slug.clone()).collect()),
                });
            }
            let position = out.len() + 1;
            out.push(self.component(m, position, parent));
        }
        out
    }

    fn components_of<'b>(&self, slugs: impl Iterator<Item = &'b str>) -> Vec<Component> {
        let mut out = Vec::new();
        for slug in slugs {
            if let Some(c) = self.components.iter().find(|c| !c.group && c.id == slug) {
                out.push(c.clone());
            }
        }
        out
    }

    fn indicator(&self) -> Indicator {
        let shown: Vec<EffectiveStatus> = self.status.monitors.iter().map(|m| m.effective_status).collect();
        let down = shown.iter().filter(|s| **s == EffectiveStatus::Down).count();
        let (indicator, description) = if down > 0 && down == shown.len() {
            ("critical", "Major System Outage")
        } else if down > 0 {
            ("major", "Partial System Outage")
        } else if shown.contains(&EffectiveStatus::Degraded) {
            ("minor", "Minor Service Outage")
        } else if shown.contains(&EffectiveStatus::Maintenance) || !self.status.ongoing.is_empty() {
            ("maintenance", "Service Under Maintenance")
        } else {
            ("none", "All Systems Operational")
        };
        Indicator {
            indicator: indicator.into(),
            description: description.into(),
        }
    }

    fn incident(&self, i: &Incident) -> StatuspageIncident {
        let id = i.id.to_string();
        let shortlink = format!("{}/incidents/{}", self.state.site.public_url, i.id);
        let components = self.components_of(i.monitors.iter().map(|a| a.slug.as_str()));
        let worst = i
            .monitors
            .iter()
            .map(|a| a.impact)
            .max_by_key(|x| EffectiveStatus::from(*x));
        let impact = match worst {
            Some(Impact::Down) => "major",
            Some(Impact::Degraded) => "minor",
            _ => "none",
        };
        let monitoring_at = i
            .updates
            .iter()
            .filter(|u| u.status == IncidentStatus::Monitoring)
            .map(|u| u.created_at)
            .min();
        StatuspageIncident {
            name: i.title.clone(),
            status: incident_status(i.status).into(),
            created_at: format_utc(i.created_at),
            updated_at: format_utc(i.updated_at),
            monitoring_at: monitoring_at.map(format_utc),
            resolved_at: i.resolved_at.map(format_utc),
            impact: impact.into(),
            shortlink,
            started_at: format_utc(i.created_at),
            page_id: self.page_id(),
            incident_updates: i
                .updates
                .iter()
                .map(|u| {
                    update(
                        &u.id.to_string(),
                        &id,
                        incident_status(u.status),
                        &u.body,
                        u.created_at,
                        &components,
                    )
                })
                .collect(),
            components,
            scheduled_for: None,
            scheduled_until: None,
            id,
        }
    }

    fn maintenance(&self, e: &Event) -> StatuspageIncident {
        let id = e.id.to_string();
        let components = self.components_of(e.monitors.iter().map(|a| a.slug.as_str()));
        let now = self.built_at;
        let phase = |t: DateTime<Utc>| {
            if t < e.start {
                "scheduled"
            } else if t < e.end {
                "in_progress"
            } else {
                "completed"
            }
        };
        // Newest first, as Statuspage lists them: the end (once passed), the progress
        // updates, and the announcement with the plan's description.
        let mut updates = Vec::new();
        if e.status == EventStatus::Completed {
            updates.push(update(
                &format!("{id}-completed"),
                &id,
                "completed",
                "The scheduled maintenance has been completed.",
                e.end,
                &components,
            ));
        }
        for u in &e.updates {
            updates.push(update(
                &u.id.to_string(),
                &id,
                phase(u.created_at),
                &u.body,
                u.created_at,
                &components,
            ));
        }
        let announcement = if e.description.trim().is_empty() {
            format!("{} is scheduled.", e.title)
        } else {
            e.description.clone()
        };
        updates.push(update(
            &format!("{id}-scheduled"),
            &id,
            "scheduled",
            &announcement,
            e.created_at,
            &components,
        ));
        let updated = updates
            .iter()
            .map(|u| u.created_at.clone())
            .max()
            .unwrap_or_else(|| format_utc(e.created_at));
        StatuspageIncident {
            name: e.title.clone(),
            status: maintenance_status(e.status).into(),
            created_at: format_utc(e.created_at),
            updated_at: updated,
            monitoring_at: None,
            resolved_at: (e.status == EventStatus::Completed && e.end <= now).then(|| format_utc(e.end)),
            impact: "maintenance".into(),
            shortlink: format!("{}/maintenance/{}", self.state.site.public_url, e.id),
            started_at: format_utc(e.start),
            page_id: self.page_id(),
            incident_updates: updates,
            components,
            scheduled_for: Some(format_utc(e.start)),
            scheduled_until: Some(format_utc(e.end)),
            id,
        }
    }

    /// Ongoing maintenance, then what is coming (7 days), soonest first.
    fn active_and_upcoming(&self) -> Vec<StatuspageIncident> {
        self.status
            .ongoing
            .iter()
            .chain(self.status.upcoming.iter())
            .map(|e| self.maintenance(e))
            .collect()
    }
}

fn group_id(name: &str) -> String {
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("group-{}", slug.trim_matches('-'))
}

fn component_status(s: EffectiveStatus) -> &'static str {
    match s {
        EffectiveStatus::Up => "operational",
        EffectiveStatus::Degraded => "degraded_performance",
        EffectiveStatus::Down => "major_outage",
        EffectiveStatus::Maintenance => "under_maintenance",
    }
}

fn incident_status(s: IncidentStatus) -> &'static str {
    match s {
        IncidentStatus::Investigating => "investigating",
        IncidentStatus::Identified => "identified",
        IncidentStatus::Monitoring => "monitoring",
        IncidentStatus::Resolved => "resolved",
    }
}

fn maintenance_status(s: EventStatus) -> &'static str {
    match s {
        EventStatus::Scheduled | EventStatus::Ready => "scheduled",
        EventStatus::Ongoing => "in_progress",
        EventStatus::Completed | EventStatus::Cancelled => "completed",
    }
}

fn update(
    id: &str,
    incident_id: &str,
    status: &str,
    body: &str,
    at: DateTime<Utc>,
    components: &[Component],
) -> IncidentUpdate {
    let at = format_utc(at);
    IncidentUpdate {
        id: id.to_string(),
        status: status.to_string(),
        body: body.to_string(),
        incident_id: incident_id.to_string(),
        created_at: at.clone(),
        updated_at: at.clone(),
        display_at: at,
        affected_components: components
            .iter()
            .map(|c| AffectedComponent {
                code: c.id.clone(),
                name: c.name.clone(),
                old_status: c.status.clone(),
                new_status: c.status.clone(),
            })
            .collect(),
        deliver_notifications: true,
        custom_tweet: None,
        tweet_id: None,
    }
}

/// A v2 document: JSON with an `ETag`, a short cache and CORS open to every origin (the
/// widgets that read it run on other sites' pages; it is public data, read-only).
fn document(headers: &HeaderMap, value: &impl Serialize) -> Response {
    let body = match serde_json::to_vec(value) {
        Ok(body) => body,
        Err(e) => return crate::error::AppError::Internal(e.into()).into_response(),
    };
    let mut response = tagged(headers, "application/json", "public, max-age=10", body);
    response
        .headers_mut()
        .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

/// Runs `f` on the snapshot, or answers 503 while the first is being built.
fn with_snapshot(state: &AppState, f: impl FnOnce(&Ctx<'_>) -> Response) -> Response {
    let Some(snapshot) = state.snapshots.get() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "1")],
            "starting",
        )
            .into_response();
    };
    f(&Ctx::new(state, &snapshot.status, snapshot.built_at))
}

async fn summary(State(state): State<AppState>, headers: HeaderMap) -> Response {
    with_snapshot(&state, |c| {
        document(
            &headers,
            &Summary {
                page: c.page(),
                components: c.components.clone(),
                incidents: c.status.incidents.iter().map(|i| c.incident(i)).collect(),
                scheduled_maintenances: c.active_and_upcoming(),
                status: c.indicator(),
            },
        )
    })
}

async fn status(State(state): State<AppState>, headers: HeaderMap) -> Response {
    with_snapshot(&state, |c| {
        document(
            &headers,
            &serde_json::json!({"page": c.page(), "status": c.indicator()}),
        )
    })
}

async fn components(State(state): State<AppState>, headers: HeaderMap) -> Response {
    with_snapshot(&state, |c| {
        document(
            &headers,
            &serde_json::json!({"page": c.page(), "components": c.components}),
        )
    })
}

async fn unresolved(State(state): State<AppState>, headers: HeaderMap) -> Response {
    with_snapshot(&state, |c| {
        let list: Vec<_> = c.status.incidents.iter().map(|i| c.incident(i)).collect();
        document(&headers, &serde_json::json!({"page": c.page(), "incidents": list}))
    })
}

async fn upcoming(State(state): State<AppState>, headers: HeaderMap) -> Response {
    with_snapshot(&state, |c| {
        let list: Vec<_> = c.status.upcoming.iter().map(|e| c.maintenance(e)).collect();
        document(
            &headers,
            &serde_json::json!({"page": c.page(), "scheduled_maintenances": list}),
        )
    })
}

async fn active(State(state): State<AppState>, headers: HeaderMap) -> Response {
    with_snapshot(&state, |c| {
        let list: Vec<_> = c.status.ongoing.iter().map(|e| c.maintenance(e)).collect();
        document(
            &headers,
            &serde_json::json!({"page": c.page(), "scheduled_maintenances": list}),
        )
    })
}

/// `incidents.json`: the latest 50, open and resolved (in the last 90 days), newest first.
async fn all_incidents(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    let mut list = incidents::list(&state.services, false, LIST_LIMIT as i64).await?;
    list.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    Ok(with_snapshot(&state, |c| {
        let list: Vec<_> = list.iter().take(LIST_LIMIT).map(|i| c.incident(i)).collect();
        document(&headers, &serde_json::json!({"page": c.page(), "incidents": list}))
    }))
}

/// `scheduled-maintenances.json`: the latest 50 windows (what is coming in 7 days, going
/// on, or ended in the last 90 days), by start, latest first.
async fn all_maintenances(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    let now = state.services.now();
    let filter = EventFilter {
        from: Some(now - Duration::days(90)),
        to: Some(now + Duration::days(crate::service::horizon::HORIZON_DAYS)),
        newest_first: true,
        limit: 200,
        ..Default::default()
    };
    let mut list = events::list(&state.services, &filter).await?;
    list.retain(|e| e.cancelled_at.is_none());
    list.truncate(LIST_LIMIT);
    Ok(with_snapshot(&state, |c| {
        let list: Vec<_> = list.iter().map(|e| c.maintenance(e)).collect();
        document(
            &headers,
            &serde_json::json!({"page": c.page(), "scheduled_maintenances": list}),
        )
    }))
}
