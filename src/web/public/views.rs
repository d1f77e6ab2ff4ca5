//! View models of the public pages: what a visitor reads, in their language.

use askama::Template;
use chrono_tz::Tz;

use crate::config::Site;
use crate::domain::format;
use crate::domain::impact::{EffectiveStatus, Impact};
use crate::domain::lifecycle::EventStatus;
use crate::service::events::{EventView, parse_instant};
use crate::service::status::StatusView;
use crate::web::assets::Assets;
use crate::web::i18n::Messages;
use crate::web::markdown;

/// What every page's `<head>` and header need.
pub struct Chrome<'a> {
    pub site: &'a Site,
    pub m: &'static Messages,
    pub title: String,
    pub description: String,
    pub url: String,
    pub css: String,
    pub js: String,
    pub favicon: String,
}

impl<'a> Chrome<'a> {
    pub fn new(site: &'a Site, m: &'static Messages, assets: &Assets, title: String, path: &str) -> Self {
        Self {
            description: format!("{}: {}", site.name, m.page_description),
            url: format!("{}{path}", site.public_url),
            site,
            m,
            title,
            css: assets.url("style.css"),
            js: assets.url("app.js"),
            favicon: assets.url("favicon.svg"),
        }
    }
}

pub struct MonitorLine {
    pub slug: String,
    pub name: String,
    pub class: &'static str,
    pub icon: &'static str,
    pub label: &'static str,
    /// The maintenance responsible, when one shows.
    pub note: Option<String>,
}

pub struct Group {
    pub name: Option<String>,
    pub label: String,
    pub monitors: Vec<MonitorLine>,
}

pub struct EventCard {
    pub id: i64,
    pub title: String,
    pub state_label: Option<&'static str>,
    pub state_class: &'static str,
    pub ongoing: bool,
    pub past: bool,
    pub cancelled: bool,
    pub start_iso: String,
    pub start_text: String,
    pub end_iso: String,
    pub end_text: String,
    pub duration_text: String,
    /// (monitor name, impact label)
    pub monitors: Vec<(String, &'static str)>,
    pub description_html: String,
    /// (RFC 3339, readable text, sanitised HTML body), newest first.
    pub updates: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "public/index.html")]
pub struct IndexPage<'a> {
    pub c: Chrome<'a>,
    pub overall_class: &'static str,
    pub overall_icon: &'static str,
    pub overall_text: &'static str,
    pub groups: Vec<Group>,
    pub ongoing: Vec<EventCard>,
    pub upcoming: Vec<EventCard>,
}

#[derive(Template)]
#[template(path = "public/event.html")]
pub struct EventPage<'a> {
    pub c: Chrome<'a>,
    pub event: Option<EventCard>,
}

#[derive(Template)]
#[template(path = "public/history.html")]
pub struct HistoryPage<'a> {
    pub c: Chrome<'a>,
    pub events: Vec<EventCard>,
    pub page: i64,
    pub has_more: bool,
}

#[derive(Template)]
#[template(path = "public/message.html")]
pub struct MessagePage<'a> {
    pub c: Chrome<'a>,
    pub heading: String,
    pub message: String,
    /// Shows the unsubscribe button (links in mail must not act on a plain GET, which
    /// mail scanners make).
    pub unsubscribe_token: Option<String>,
}

pub fn status_class(s: EffectiveStatus) -> &'static str {
    match s {
        EffectiveStatus::Up => "up",
        EffectiveStatus::Degraded => "degraded",
        EffectiveStatus::Down => "down",
        EffectiveStatus::Maintenance => "maintenance",
    }
}

pub fn status_icon(s: EffectiveStatus) -> &'static str {
    match s {
        EffectiveStatus::Up => "✓",
        EffectiveStatus::Degraded => "!",
        EffectiveStatus::Down => "✕",
        EffectiveStatus::Maintenance => "⚙",
    }
}

pub fn status_label(s: EffectiveStatus, m: &Messages) -> &'static str {
    match s {
        EffectiveStatus::Up => m.status_up,
        EffectiveStatus::Degraded => m.status_degraded,
        EffectiveStatus::Down => m.status_down,
        EffectiveStatus::Maintenance => m.status_maintenance,
    }
}

fn impact_label(i: Impact, m: &Messages) -> &'static str {
    match i {
        Impact::Maintenance => m.status_maintenance,
        Impact::Degraded => m.status_degraded,
        Impact::Down => m.status_down,
        Impact::Up => m.impact_none,
    }
}

use crate::domain::format::when;

pub fn event_card(e: &EventView, m: &'static Messages) -> EventCard {
    let tz = e.timezone.parse::<Tz>().ok();
    let start = parse_instant("start", &e.start).unwrap_or_default();
    let end = parse_instant("end", &e.end).unwrap_or_default();
    let (state_label, state_class) = match e.status {
        EventStatus::Ready => (Some(m.starting_soon), "soon"),
        EventStatus::Ongoing => (Some(m.in_progress), "live"),
        EventStatus::Completed => (Some(m.completed), "done"),
        EventStatus::Cancelled => (Some(m.cancelled), "cancelled"),
        EventStatus::Scheduled => (None, ""),
    };
    EventCard {
        id: e.id,
        title: e.title.clone(),
        state_label,
        state_class,
        ongoing: e.status == EventStatus::Ongoing,
        past: e.status.is_terminal(),
        cancelled: e.status == EventStatus::Cancelled,
        start_iso: e.start.clone(),
        start_text: when(start, tz),
        end_iso: e.end.clone(),
        end_text: when(end, tz),
        duration_text: format::duration((end - start).num_seconds(), &m.units),
        monitors: e
            .monitors
            .iter()
            .map(|a| (a.name.clone(), impact_label(a.impact, m)))
            .collect(),
        description_html: markdown::to_html(&e.description),
        updates: e
            .updates
            .iter()
            .map(|u| {
                let t = parse_instant("created_at", &u.created_at).unwrap_or_default();
                (u.created_at.clone(), when(t, tz), markdown::to_html(&u.body))
            })
            .collect(),
    }
}

/// The front page's model from a status snapshot.
pub fn index<'a>(c: Chrome<'a>, status: &StatusView) -> IndexPage<'a> {
    let m = c.m;
    let worst = status.monitors.iter().map(|s| s.effective_status).max();
    let all_down = !status.monitors.is_empty()
        && status
            .monitors
            .iter()
            .all(|s| s.effective_status == EffectiveStatus::Down);
    let (overall_class, overall_text, overall_icon) = match worst {
        Some(EffectiveStatus::Down) if all_down => ("down", m.major_outage, status_icon(EffectiveStatus::Down)),
        Some(EffectiveStatus::Down) => ("down", m.partial_outage, status_icon(EffectiveStatus::Down)),
        Some(EffectiveStatus::Degraded) => (
            "degraded",
            m.degraded_performance,
            status_icon(EffectiveStatus::Degraded),
        ),
        Some(EffectiveStatus::Maintenance) => (
            "maintenance",
            m.under_maintenance,
            status_icon(EffectiveStatus::Maintenance),
        ),
        _ => ("up", m.all_operational, status_icon(EffectiveStatus::Up)),
    };
    let mut groups: Vec<Group> = Vec::new();
    for s in &status.monitors {
        let note = (s.effective_status != s.status.into()).then(|| {
            status
                .ongoing
                .iter()
                .filter(|e| e.monitors.iter().any(|a| a.slug == s.slug))
                .map(|e| e.title.clone())
                .collect::<Vec<_>>()
                .join(", ")
        });
        let line = MonitorLine {
            slug: s.slug.clone(),
            name: s.name.clone(),
            class: status_class(s.effective_status),
            icon: status_icon(s.effective_status),
            label: status_label(s.effective_status, m),
            note: note.filter(|n| !n.is_empty()),
        };
        match groups.last_mut() {
            Some(g) if g.name == s.group => g.monitors.push(line),
            _ => groups.push(Group {
                name: s.group.clone(),
                label: s.group.clone().unwrap_or_else(|| c.site.name.clone()),
                monitors: vec![line],
            }),
        }
    }
    IndexPage {
        overall_class,
        overall_icon,
        overall_text,
        groups,
        ongoing: status.ongoing.iter().map(|e| event_card(e, m)).collect(),
        upcoming: status.upcoming.iter().map(|e| event_card(e, m)).collect(),
        c,
    }
}
