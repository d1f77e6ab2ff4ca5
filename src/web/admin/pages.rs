//! Templates of the dashboard.

use std::collections::HashMap;

use askama::Template;

use crate::domain::builder::Builder;
use crate::service::events::EventView;
use crate::service::maintenances::{MaintenanceView, NotifySettings};
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
}

pub type Errors = HashMap<String, String>;

#[derive(Template)]
#[template(path = "admin/login.html")]
pub struct LoginPage {
    pub l: Layout,
    pub setup: bool,
    pub email: String,
    pub error: Option<String>,
    pub errors: Errors,
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
}

#[derive(Template)]
#[template(path = "admin/webhooks.html")]
pub struct WebhooksPage {
    pub l: Layout,
    pub hooks: Vec<crate::service::webhooks::WebhookView>,
    pub kinds: Vec<&'static str>,
    pub monitors: Vec<String>,
    pub errors: Errors,
}

#[derive(Template)]
#[template(path = "admin/overview.html")]
pub struct OverviewPage {
    pub l: Layout,
    pub mail_configured: bool,
    pub subscribers: i64,
    /// Notices by state: (PENDING, SENT, FAILED).
    pub outbox: (i64, i64, i64),
    pub failed: Vec<crate::store::outbox::FailedRow>,
    pub monitors: usize,
    pub active: usize,
    pub ongoing: Vec<EventView>,
    pub upcoming: Vec<EventView>,
}

pub struct MonitorForm {
    pub name: String,
    pub slug: String,
    pub group: String,
    pub description: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "admin/monitors.html")]
pub struct MonitorsPage {
    pub l: Layout,
    pub monitors: Vec<MonitorView>,
    pub form: MonitorForm,
    pub errors: Errors,
}

#[derive(Template)]
#[template(path = "admin/monitor_edit.html")]
pub struct MonitorEditPage {
    pub l: Layout,
    pub key: String,
    pub form: MonitorForm,
    pub errors: Errors,
}

#[derive(Template)]
#[template(path = "admin/maintenances.html")]
pub struct MaintenancesPage {
    pub l: Layout,
    pub maintenances: Vec<MaintenanceView>,
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

#[derive(Template)]
#[template(path = "admin/maintenance_form.html")]
pub struct MaintenanceFormPage {
    pub l: Layout,
    pub id: Option<i64>,
    pub form: MaintenanceForm,
    pub errors: Errors,
    pub zones: &'static [&'static str],
    pub weekdays: [(&'static str, &'static str); 7],
    /// Next windows, `(start UTC, end UTC)`, when the schedule is valid.
    pub preview: Vec<(String, String)>,
    pub description_html: Option<String>,
    pub events: Vec<EventView>,
    pub warnings: Vec<String>,
    pub saved: bool,
}

#[derive(Template)]
#[template(path = "admin/events.html")]
pub struct EventsPage {
    pub l: Layout,
    pub ongoing: Vec<EventView>,
    pub upcoming: Vec<EventView>,
    pub past: Vec<EventView>,
}

#[derive(Template)]
#[template(path = "admin/event.html")]
pub struct EventPage {
    pub l: Layout,
    pub e: EventView,
    pub error: Option<String>,
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
    /// Fields to send again with the confirmation.
    pub fields: Vec<(String, String)>,
    pub back: String,
}

#[derive(Template)]
#[template(path = "admin/error.html")]
pub struct ErrorPage {
    pub l: Layout,
    pub message: String,
}
