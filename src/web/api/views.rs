//! What the API sends: its own types, built from the services' models, so a change to
//! an internal model never changes the contract unnoticed. Instants are RFC 3339 UTC
//! (`2026-05-17T01:00:00Z`), zones IANA names, lengths seconds.

use serde::{Deserialize, Serialize};

use crate::domain::impact::Impact;
use crate::domain::incident::IncidentStatus;
use crate::domain::lifecycle::EventStatus;
use crate::domain::schedule::format_utc;
use crate::service::events::{self as model, Event};
use crate::service::incidents::Incident;
use crate::service::maintenances::{Maintenance, NotifySettings, Warning};
use crate::service::status::{MonitorStatusView, Status};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AffectedMonitor {
    pub slug: String,
    pub name: String,
    pub impact: Impact,
}

impl From<&model::AffectedMonitor> for AffectedMonitor {
    fn from(a: &model::AffectedMonitor) -> Self {
        Self {
            slug: a.slug.clone(),
            name: a.name.clone(),
            impact: a.impact,
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
    /// `operator`, `skipped`, `deactivated` or `rescheduled` for cancelled events.
    pub cancel_reason: Option<String>,
    /// False when the status page was not running at the window's end (downtime): the
    /// window is history as planned, not as seen.
    pub observed: bool,
    pub monitors: Vec<AffectedMonitor>,
    /// Newest first.
    pub updates: Vec<UpdateView>,
}

impl From<&Event> for EventView {
    fn from(e: &Event) -> Self {
        Self {
            id: e.id,
            maintenance_id: e.maintenance_id,
            title: e.title.clone(),
            description: e.description.clone(),
            status: e.status,
            start: format_utc(e.start),
            end: format_utc(e.end),
            scheduled_start: format_utc(e.scheduled_start),
            scheduled_end: format_utc(e.scheduled_end),
            timezone: e.timezone.name().to_string(),
            cancelled_at: e.cancelled_at.map(format_utc),
            cancel_reason: e.cancel_reason.map(|r| r.as_str().to_string()),
            observed: e.observed,
            monitors: e.monitors.iter().map(AffectedMonitor::from).collect(),
            updates: e
                .updates
                .iter()
                .map(|u| UpdateView {
                    id: u.id,
                    body: u.body.clone(),
                    author: u.author.clone(),
                    created_at: format_utc(u.created_at),
                })
                .collect(),
        }
    }
}

pub fn events(list: &[Event]) -> Vec<EventView> {
    list.iter().map(EventView::from).collect()
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MaintenanceView {
    pub id: i64,
    pub title: String,
    pub description: String,
    /// Local date-time of the first window, in `timezone`.
    pub start: String,
    pub timezone: String,
    /// Seconds.
    pub duration: i64,
    pub rrule: String,
    /// ACTIVE or INACTIVE.
    pub status: String,
    /// Seconds.
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

impl From<&Maintenance> for MaintenanceView {
    fn from(m: &Maintenance) -> Self {
        Self {
            id: m.id,
            title: m.title.clone(),
            description: m.description.clone(),
            start: m.start_local.clone(),
            timezone: m.timezone.name().to_string(),
            duration: m.duration.num_seconds(),
            rrule: m.rrule.clone(),
            status: m.status.as_str().to_string(),
            reminder_lead: m.reminder_lead.num_seconds(),
            notify: m.notify,
            monitors: m.monitors.iter().map(AffectedMonitor::from).collect(),
            skipped: m.skipped.iter().copied().map(format_utc).collect(),
            next_start: m.next_start.map(format_utc),
            events: m.events.as_deref().map(events),
            warnings: m.warnings.clone(),
            created_at: format_utc(m.created_at),
            updated_at: format_utc(m.updated_at),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatusView {
    pub monitors: Vec<MonitorStatusView>,
    pub ongoing: Vec<EventView>,
    /// Events starting within the next 7 days that have not started, soonest first: at
    /// most 1,000 (then `upcoming_truncated` is true; `upcoming_by_maintenance` has all).
    pub upcoming: Vec<EventView>,
    /// Whether `upcoming` was cut at 1,000 events.
    #[serde(default)]
    pub upcoming_truncated: bool,
    /// The same events grouped by maintenance, complete however many there are: each
    /// maintenance with windows in the next 7 days, soonest first, with its next window in
    /// full and every window of those 7 days.
    #[serde(default)]
    pub upcoming_by_maintenance: Vec<UpcomingMaintenance>,
    /// Windows cancelled although their planned start has not come yet (so visitors who
    /// saw them planned see them called off).
    #[serde(default)]
    pub cancelled: Vec<EventView>,
    /// One-time maintenance planned later than the next 7 days (up to 90 days ahead).
    #[serde(default)]
    pub later: Vec<EventView>,
    /// Open incidents, oldest first; while open, each overrides the shown status of the
    /// monitors it affects (the most severe of incidents and ongoing maintenance wins).
    #[serde(default)]
    pub incidents: Vec<IncidentView>,
}

/// An incident: unplanned trouble and what operators said of it, latest update first.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IncidentView {
    pub id: i64,
    pub title: String,
    /// INVESTIGATING, IDENTIFIED, MONITORING or RESOLVED: its latest update's.
    pub status: IncidentStatus,
    /// Shown to token holders only until published.
    pub draft: bool,
    pub monitors: Vec<AffectedMonitor>,
    pub updates: Vec<IncidentUpdateView>,
    pub created_at: String,
    pub updated_at: String,
    pub resolved_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IncidentUpdateView {
    pub id: i64,
    /// The status this update moved the incident to.
    pub status: IncidentStatus,
    /// Markdown source.
    pub body: String,
    pub author: String,
    pub created_at: String,
}

impl From<&Incident> for IncidentView {
    fn from(i: &Incident) -> Self {
        Self {
            id: i.id,
            title: i.title.clone(),
            status: i.status,
            draft: i.draft,
            monitors: i
                .monitors
                .iter()
                .map(|a| AffectedMonitor {
                    slug: a.slug.clone(),
                    name: a.name.clone(),
                    impact: a.impact,
                })
                .collect(),
            updates: i
                .updates
                .iter()
                .map(|u| IncidentUpdateView {
                    id: u.id,
                    status: u.status,
                    body: u.body.clone(),
                    author: u.author.clone(),
                    created_at: format_utc(u.created_at),
                })
                .collect(),
            created_at: format_utc(i.created_at),
            updated_at: format_utc(i.updated_at),
            resolved_at: i.resolved_at.map(format_utc),
        }
    }
}

/// A maintenance's windows in the next 7 days.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UpcomingMaintenance {
    pub maintenance_id: i64,
    /// Its next window, as `upcoming` lists it.
    pub next: EventView,
    /// Every window starting within the next 7 days that has not started (`next` first).
    pub windows: Vec<UpcomingWindow>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UpcomingWindow {
    /// The event's id.
    pub id: i64,
    pub start: String,
    pub end: String,
    /// SCHEDULED or READY.
    pub status: EventStatus,
}

impl From<&Status> for StatusView {
    fn from(s: &Status) -> Self {
        Self {
            monitors: s.monitors.clone(),
            ongoing: events(&s.ongoing),
            upcoming: events(&s.upcoming),
            upcoming_truncated: s.upcoming_truncated,
            upcoming_by_maintenance: s
                .upcoming_by_maintenance
                .iter()
                .map(|p| UpcomingMaintenance {
                    maintenance_id: p.maintenance_id,
                    next: EventView::from(&p.next),
                    windows: p
                        .windows
                        .iter()
                        .map(|w| UpcomingWindow {
                            id: w.id,
                            start: format_utc(w.start),
                            end: format_utc(w.end),
                            status: w.status,
                        })
                        .collect(),
                })
                .collect(),
            cancelled: events(&s.cancelled),
            later: events(&s.later),
            incidents: s.incidents.iter().map(IncidentView::from).collect(),
        }
    }
}
