//! Templates of the dashboard.

use askama::Template;

use crate::domain::builder::Builder;
use crate::service::events::Event;
use crate::service::incidents::Incident;
use crate::service::maintenances::{Maintenance, NotifySettings};
use crate::service::monitors::MonitorView;
use crate::service::tokens::TokenInfo;

/// What every dashboard page's layout needs.
pub struct Layout {
    pub site_name: String,
    pub title: String,
    pub css: String,
    pub js: String,
    pub admin_js: String,
    pub favicon: String,
    /// Signed-in admin's email and CSRF token; empty on the sign-in pages.
    pub email: String,
    pub csrf: String,
    pub section: &'static str,
    /// The confirmation of the action that led here.
    pub notice: Option<&'static str>,
}

/// Field errors of a form, in the order found, keyed by the field that shows them.
#[derive(Debug, Clone, Default)]
pub struct Errors(Vec<(String, String)>);

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an error unless the field has one already.
    pub fn insert(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let field = field.into();
        if !self.contains_key(&field) {
            self.0.push((field, message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&String> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, m)| m)
    }

    pub fn contains_key(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(f, m)| (f, m))
    }
}

impl<const N: usize> From<[(String, String); N]> for Errors {
    fn from(list: [(String, String); N]) -> Self {
        let mut e = Self::new();
        for (f, m) in list {
            e.insert(f, m);
        }
        e
    }
}

#[derive(Template)]
#[template(path = "admin/login.html")]
pub struct LoginPage {
    pub l: Layout,
    pub setup: bool,
    pub email: String,
    pub error: Option<String>,
    pub errors: Errors,
    /// Where to go after signing in.
    pub next: String,
}

#[derive(Template)]
#[template(path = "admin/subscribers.html")]
pub struct SubscribersPage {
    pub l: Layout,
    pub q: String,
    pub subscribers: Vec<crate::service::subscribers::SubscriberView>,
    pub confirmed: i64,
    pub pending: i64,
    pub errors: Errors,
    /// The address as typed, kept after a failed add.
    pub email: String,
}

#[derive(Template)]
#[template(path = "admin/webhooks.html")]
pub struct WebhooksPage {
    pub l: Layout,
    pub hooks: Vec<crate::service::webhooks::WebhookView>,
    pub kinds: Vec<&'static str>,
    /// (slug, name)
    pub monitors: Vec<(String, String)>,
    pub errors: Errors,
    /// The URL as typed, kept after a failed add.
    pub url: String,
}

#[derive(Template)]
#[template(path = "admin/overview.html")]
pub struct OverviewPage {
    pub l: Layout,
    pub mail_configured: bool,
    pub subscribers: i64,
    /// Notices by state: (PENDING, SENT, FAILED).
    pub outbox: (i64, i64, i64),
    /// Notices of the last 7 days dropped because events overtook them.
    pub dropped: i64,
    pub failed: Vec<crate::store::outbox::FailedRow>,
    /// Alertmanager silences that could not be made, changed or ended: how many, and the
    /// latest error with when (RFC 3339).
    pub silences: (i64, Option<(String, String)>),
    pub monitors: usize,
    pub active: usize,
    pub ongoing: Vec<Event>,
    pub upcoming: Vec<Event>,
}

pub struct MonitorForm {
    pub name: String,
    pub slug: String,
    pub group: String,
    pub description: String,
    pub status: String,
    /// How a checked monitor is checked (its checks set its status; no status field).
    pub checked_by: Option<String>,
    pub check: CheckForm,
}

/// How a monitor is checked, as the form holds it (text, as typed).
#[derive(Debug, Clone, Default)]
pub struct CheckForm {
    /// `manual`, `http`, `tcp`, `heartbeat` or `statuspage`.
    pub kind: String,
    pub url: String,
    /// `statuspage`: the followed component's name.
    pub component: String,
    /// Alertmanager matchers of its alerts (blank: the default).
    pub alertmanager_matcher: String,
    pub target: String,
    pub interval: String,
    pub timeout: String,
    pub expect_status: String,
    pub keyword: String,
    pub retries: String,
    pub degraded_after_ms: String,
}

#[derive(Template)]
#[template(path = "admin/monitors.html")]
pub struct MonitorsPage {
    pub l: Layout,
    pub monitors: Vec<MonitorView>,
    pub form: MonitorForm,
    pub errors: Errors,
    /// A new heartbeat monitor's URL, shown once.
    pub heartbeat_url: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/monitor_edit.html")]
pub struct MonitorEditPage {
    pub l: Layout,
    pub key: String,
    pub form: MonitorForm,
    pub errors: Errors,
    /// A new heartbeat URL, shown once.
    pub heartbeat_url: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/maintenances.html")]
pub struct MaintenancesPage {
    pub l: Layout,
    pub maintenances: Vec<Maintenance>,
}

pub struct AffectedChoice {
    pub slug: String,
    pub name: String,
    pub checked: bool,
    pub impact: String,
}

pub struct MaintenanceForm {
    pub title: String,
    pub description: String,
    pub start: String,
    pub timezone: String,
    pub hours: String,
    pub minutes: String,
    pub builder: Builder,
    pub until: String,
    pub count: String,
    pub status: String,
    pub lead_minutes: String,
    /// The admin confirmed that windows in the past are meant (recording past work).
    pub record_past: bool,
    pub notify: NotifySettings,
    pub monitors: Vec<AffectedChoice>,
}

/// One window of the schedule preview.
pub struct PreviewLine {
    /// In the plan's zone: "Sun 6 Dec 2026, 03:00–05:00 CET".
    pub local: String,
    /// "02:00–04:00 UTC".
    pub utc: String,
    /// `skipped` or `cancelled`.
    pub note: Option<&'static str>,
    /// Already over (only when the plan's first window is in the past).
    pub past: bool,
}

impl MaintenanceForm {
    pub fn any_monitor(&self) -> bool {
        self.monitors.iter().any(|m| m.checked)
    }
}

#[derive(Template)]
#[template(path = "admin/maintenance_form.html")]
pub struct MaintenanceFormPage {
    pub l: Layout,
    pub id: Option<i64>,
    pub form: MaintenanceForm,
    pub errors: Errors,
    pub zones: &'static [&'static str],
    /// Whether the form's zone is in `zones` (a zone typed elsewhere is kept and shown).
    pub zone_known: bool,
    pub weekdays: [(&'static str, &'static str); 7],
    /// Next windows from now on, when the schedule is valid.
    pub preview: Vec<PreviewLine>,
    /// Said when the start falls into a DST gap.
    pub dst_note: Option<String>,
    pub description_html: Option<String>,
    pub events: Vec<Event>,
    pub warnings: Vec<String>,
    /// Windows skipped ahead of time, as people read them.
    pub skipped: Vec<String>,
    /// Future windows that can be skipped: (RFC 3339 start, as people read it).
    pub skippable: Vec<(String, String)>,
    /// The plan repeats (so single windows can be skipped).
    pub recurring: bool,
    /// The stored RRULE and the schedule in words (saved plans).
    pub rrule: String,
    pub schedule_text: String,
}

#[derive(Template)]
#[template(path = "admin/events.html")]
pub struct EventsPage {
    pub l: Layout,
    pub ongoing: Vec<Event>,
    pub upcoming: Vec<Event>,
    pub past: Vec<Event>,
}

#[derive(Template)]
#[template(path = "admin/event.html")]
pub struct EventPage {
    pub l: Layout,
    pub e: Event,
    pub errors: Errors,
    /// Values as typed, kept after a failed action.
    pub run_minutes: String,
    pub extend_minutes: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "admin/tokens.html")]
pub struct TokensPage {
    pub l: Layout,
    pub tokens: Vec<TokenInfo>,
    pub created: Option<String>,
    pub errors: Errors,
}

#[derive(Template)]
#[template(path = "admin/confirm.html")]
pub struct ConfirmPage {
    pub l: Layout,
    pub question: String,
    pub action: String,
    pub back: String,
    pub answer: &'static str,
    /// Whether the action destroys something (a red button).
    pub danger: bool,
}

#[derive(Template)]
#[template(path = "admin/error.html")]
pub struct ErrorPage {
    pub l: Layout,
    pub message: String,
}

/// The form that opens an incident, as sent (shown again when it has errors).
#[derive(Debug, Clone, Default)]
pub struct IncidentForm {
    pub title: String,
    pub status: String,
    pub body: String,
    /// `SLUG:IMPACT` of each monitor chosen.
    pub monitors: Vec<String>,
    pub draft: bool,
    pub quiet: bool,
}

impl IncidentForm {
    /// Whether the select of `slug` shows `impact`.
    pub fn chose(&self, slug: &str, impact: &str) -> bool {
        self.monitors
            .iter()
            .any(|m| m.eq_ignore_ascii_case(&format!("{slug}:{impact}")))
    }
}

#[derive(Template)]
#[template(path = "admin/incidents.html")]
pub struct IncidentsPage {
    pub l: Layout,
    pub incidents: Vec<Incident>,
    /// (slug, name) of every monitor.
    pub monitors: Vec<(String, String)>,
    pub form: IncidentForm,
    pub errors: Errors,
}

/// The update form of an incident's page.
#[derive(Debug, Clone, Default)]
pub struct UpdateForm {
    pub status: String,
    pub body: String,
    pub quiet: bool,
}

#[derive(Template)]
#[template(path = "admin/incident.html")]
pub struct IncidentPage {
    pub l: Layout,
    pub incident: Incident,
    pub form: UpdateForm,
    pub errors: Errors,
}
