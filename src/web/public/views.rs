//! View models of the public pages: what a visitor reads, in their language.

use askama::Template;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::config::Site;
use crate::domain::format;
use crate::domain::impact::MonitorStatus;
use crate::domain::impact::{EffectiveStatus, Impact};
use crate::domain::incident::IncidentStatus;
use crate::domain::lifecycle::EventStatus;
use crate::domain::rollup::State;
use crate::domain::schedule::format_utc;
use crate::markdown;
use crate::service::events::Event;
use crate::service::incidents::Incident;
use crate::service::status::{History, Status};
use crate::web::assets::Assets;
use crate::web::i18n::Messages;

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
    /// The page shows times (and so the note on time zones in the footer).
    pub times: bool,
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
            times: true,
        }
    }
}

pub struct MonitorLine {
    pub slug: String,
    pub name: String,
    pub class: &'static str,
    pub icon: &'static str,
    pub label: &'static str,
    /// The maintenances responsible, when one shows: (title, RFC 3339 end, end as text).
    pub notes: Vec<(String, String, String)>,
    pub description: String,
    /// The last 90 days, for monitors that are checked.
    pub bar: Option<Bar>,
    /// Open incidents that affect it: (id, title).
    pub incidents: Vec<(i64, String)>,
    /// A followed page's word on it (its provider's incident or maintenance).
    pub followed_note: Option<String>,
}

/// A checked monitor's last 90 days: one segment per day coloured by the worst that
/// happened, maintenance in its own colour.
pub struct Bar {
    /// (class, what happened, how many days) per segment, oldest first: one segment a
    /// day, except that a run of days without data is one.
    pub days: Vec<(&'static str, String, usize)>,
    /// "99.95 % uptime over 90 days", or "No data".
    pub summary: String,
    /// "123 ms", for HTTP monitors.
    pub response: Option<String>,
}

/// "99.95 %": two decimals, never rounded up to 100 while any time was down.
fn percent(p: f64) -> String {
    let shown = (p * 100.0).floor() / 100.0;
    format!("{shown:.2} %")
}

fn bar(h: &History, m: &Messages) -> Bar {
    let date = |i: usize| format::day((h.first + chrono::Duration::days(i as i64)).date_naive(), &m.dates);
    let mut days: Vec<(&'static str, String, usize)> = Vec::new();
    let mut i = 0;
    while i < h.days.len() {
        let t = h.days[i].tally();
        let Some(state) = t.worst() else {
            // Days without data (before the monitor was checked) make one segment.
            let run = h.days[i..].iter().take_while(|d| d.tally().worst().is_none()).count();
            let span = if run == 1 {
                date(i)
            } else {
                format!("{} – {}", date(i), date(i + run - 1))
            };
            days.push(("none", format!("{span}: {}", m.no_data), run));
            i += run;
            continue;
        };
        let mut parts = vec![t.uptime().map_or_else(|| m.status_maintenance.to_string(), percent)];
        for (secs, word) in [
            (t.down_secs, m.status_down),
            (t.degraded_secs, m.status_degraded),
            (t.maintenance_secs, m.status_maintenance),
        ] {
            if secs > 0 {
                parts.push(format!("{word} {}", format::duration(secs, &m.units)));
            }
        }
        let class = match state {
            State::Status(MonitorStatus::Down) => "down",
            State::Status(MonitorStatus::Degraded) => "degraded",
            State::Maintenance => "maintenance",
            State::Status(MonitorStatus::Up) => "up",
        };
        days.push((class, format!("{}: {}", date(i), parts.join(" · ")), 1));
        i += 1;
    }
    Bar {
        days,
        summary: h
            .uptime
            .map_or_else(|| m.no_data.to_string(), |u| format!("{} {}", percent(u), m.uptime_90)),
        response: h.response_ms.map(|ms| format!("{ms} ms")),
    }
}

pub struct Group {
    pub name: Option<String>,
    pub label: String,
    pub monitors: Vec<MonitorLine>,
}

/// One line of an event card: "When: Sun 6 Dec 2026, 03:00–05:00 CET (02:00–04:00 UTC)".
pub struct CardLine {
    pub label: &'static str,
    /// RFC 3339 start (and end, for a window), for the visitor's zone with JavaScript.
    pub iso: String,
    pub end_iso: Option<String>,
    pub text: String,
    /// Add "in 2 hours" with JavaScript.
    pub relative: bool,
}

pub struct EventCard {
    pub id: i64,
    pub maintenance_id: i64,
    pub title: String,
    pub state_label: Option<&'static str>,
    pub state_class: &'static str,
    pub cancelled: bool,
    /// On the event's own page the title is the page's heading, not repeated.
    pub standalone: bool,
    pub lines: Vec<CardLine>,
    pub duration_text: Option<String>,
    /// How the window kept to its plan, when it did not: "Completed early: …".
    pub adherence: Option<String>,
    /// Further windows of the same recurring plan: (event id, RFC 3339 start, text).
    pub also: Vec<(i64, String, String)>,
    /// What `also` lists: further windows, or further cancelled ones.
    pub also_label: &'static str,
    /// Further windows this week beyond those in `also`.
    pub more: usize,
    /// (monitor name, impact label)
    pub monitors: Vec<(String, &'static str)>,
    pub description_html: String,
    /// (RFC 3339, readable text, sanitised HTML body), newest first.
    pub updates: Vec<(String, String, String)>,
}

/// An incident as visitors read it: its status, what it affects, and every update.
pub struct IncidentCard {
    pub id: i64,
    pub title: String,
    pub status_label: &'static str,
    /// `down`, `degraded` (open, by its worst impact) or `done` (resolved).
    pub status_class: &'static str,
    pub standalone: bool,
    /// (RFC 3339, readable text) of when it was opened and, once resolved, resolved.
    pub opened: (String, String),
    pub resolved: Option<(String, String)>,
    /// (monitor name, impact label)
    pub monitors: Vec<(String, &'static str)>,
    /// (RFC 3339, readable text, status label, sanitised HTML body), newest first.
    pub updates: Vec<(String, String, &'static str, String)>,
}

pub fn incident_card(i: &Incident, m: &'static Messages) -> IncidentCard {
    let when = |t: DateTime<Utc>| (format_utc(t), format::when_in(t, None, &m.dates));
    let worst = i.monitors.iter().map(|a| EffectiveStatus::from(a.impact)).max();
    IncidentCard {
        id: i.id,
        title: i.title.clone(),
        status_label: m.incident_status(i.status),
        status_class: match (i.status, worst) {
            (IncidentStatus::Resolved, _) => "done",
            (_, Some(EffectiveStatus::Degraded)) => "degraded",
            _ => "down",
        },
        standalone: false,
        opened: when(i.created_at),
        resolved: i.resolved_at.map(when),
        monitors: i
            .monitors
            .iter()
            .map(|a| (a.name.clone(), impact_label(a.impact, m)))
            .collect(),
        updates: i
            .updates
            .iter()
            .map(|u| {
                let (iso, text) = when(u.created_at);
                (iso, text, m.incident_status(u.status), markdown::to_html(&u.body))
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "public/incident.html")]
pub struct IncidentPage<'a> {
    pub c: Chrome<'a>,
    pub incident: Option<IncidentCard>,
}

#[derive(Template)]
#[template(path = "public/index.html")]
pub struct IndexPage<'a> {
    pub c: Chrome<'a>,
    /// Open incidents, oldest first.
    pub incidents: Vec<IncidentCard>,
    /// Incidents resolved in the last 7 days, latest first.
    pub resolved: Vec<IncidentCard>,
    pub overall_class: &'static str,
    pub overall_icon: &'static str,
    pub overall_text: &'static str,
    pub groups: Vec<Group>,
    pub ongoing: Vec<EventCard>,
    pub upcoming: Vec<EventCard>,
    /// Something is in progress or about to start: the page refreshes itself.
    pub live: bool,
    /// The database could not be read lately: the time of the last read (`HH:MM UTC`).
    pub stale_as_of: Option<String>,
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
    /// Incidents resolved in the last 90 days (on the first page).
    pub incidents: Vec<IncidentCard>,
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
    /// A button that acts, as (where it posts, its words): links in mail must not act on
    /// a plain GET, which mail scanners make (unsubscribe, confirm a subscription).
    pub button: Option<(String, &'static str)>,
    /// A sign-up to correct: the address as typed and the services chosen.
    pub retry: Option<(String, Vec<String>)>,
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

fn window_text(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz, m: &Messages) -> String {
    let local = format::window(start, end, tz, &m.dates);
    if tz == chrono_tz::UTC {
        local
    } else {
        format!("{local} ({})", format::window_utc(start, end, tz))
    }
}

pub fn event_card(e: &Event, m: &'static Messages) -> EventCard {
    let tz = e.timezone;
    let (start, end) = (e.start, e.end);
    let (planned_start, planned_end) = (e.scheduled_start, e.scheduled_end);
    let (state_label, state_class) = match e.status {
        EventStatus::Ready => (Some(m.starting_soon), "soon"),
        EventStatus::Ongoing => (Some(m.in_progress), "live"),
        EventStatus::Completed if !e.observed => (Some(m.not_observed), "unobserved"),
        EventStatus::Completed => (Some(m.completed), "done"),
        EventStatus::Cancelled => (Some(m.cancelled), "cancelled"),
        EventStatus::Scheduled => (None, ""),
    };
    let window = |label, s: DateTime<Utc>, e: DateTime<Utc>, relative| CardLine {
        label,
        iso: format_utc(s),
        end_iso: Some(format_utc(e)),
        text: window_text(s, e, tz, m),
        relative,
    };
    let instant = |label, at: DateTime<Utc>, relative| CardLine {
        label,
        iso: format_utc(at),
        end_iso: None,
        text: format::when_in(at, Some(tz), &m.dates),
        relative,
    };
    let planned_len = (planned_end - planned_start).num_seconds();
    let actual_len = (end - start).num_seconds();
    let (lines, duration, adherence) = match e.status {
        EventStatus::Scheduled | EventStatus::Ready => (vec![window(m.when, start, end, true)], Some(actual_len), None),
        EventStatus::Ongoing => (
            vec![instant(m.started, start, false), instant(m.expected_end, end, true)],
            Some(actual_len),
            None,
        ),
        // Its planned window, as planned: how long it really took is not known.
        EventStatus::Completed if !e.observed => (
            vec![window(m.planned_for, planned_start, planned_end, false)],
            None,
            Some(m.not_observed_text.to_string()),
        ),
        EventStatus::Completed => {
            // Differences under a minute are noise, not news.
            let verdict = if actual_len < planned_len - 59 {
                Some(m.ended_early)
            } else if actual_len > planned_len + 59 {
                Some(m.ran_longer)
            } else {
                None
            };
            let adherence = verdict.map(|v| {
                format!(
                    "{v}: {} ({} {})",
                    format::duration(actual_len, &m.units),
                    m.planned,
                    format::duration(planned_len, &m.units)
                )
            });
            (vec![window(m.when, start, end, false)], None, adherence)
        }
        EventStatus::Cancelled => (
            vec![window(m.was_planned, planned_start, planned_end, false)],
            None,
            None,
        ),
    };
    EventCard {
        id: e.id,
        maintenance_id: e.maintenance_id,
        title: e.title.clone(),
        state_label,
        state_class,
        cancelled: e.status == EventStatus::Cancelled,
        standalone: false,
        lines,
        duration_text: duration.map(|d| format::duration(d, &m.units)),
        adherence,
        also: Vec::new(),
        more: 0,
        also_label: if e.status == EventStatus::Cancelled {
            m.also_cancelled
        } else {
            m.also
        },
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
                (
                    format_utc(u.created_at),
                    format::when_in(u.created_at, Some(tz), &m.dates),
                    markdown::to_html(&u.body),
                )
            })
            .collect(),
    }
}

/// Upcoming windows with one card per plan: a recurring plan's first window gets the
/// card, its later ones are listed on it ("Also on …"), not repeated as identical cards;
/// the same for the windows of a plan that were called off.
fn grouped(events: &[&Event], m: &'static Messages) -> Vec<(DateTime<Utc>, EventCard)> {
    let mut cards: Vec<(DateTime<Utc>, EventCard)> = Vec::new();
    for e in events {
        let cancelled = e.status == EventStatus::Cancelled;
        if let Some((_, card)) = cards
            .iter_mut()
            .find(|(_, c)| c.maintenance_id == e.maintenance_id && c.cancelled == cancelled)
        {
            card.also
                .push((e.id, format_utc(e.start), format::local(e.start, e.timezone, &m.dates)));
            continue;
        }
        cards.push((e.scheduled_start, event_card(e, m)));
    }
    cards
}

/// Windows of a recurring plan listed on its card after the next one; the rest are counted.
const ALSO_SHOWN: usize = 3;

/// The upcoming list: one card per plan (its next window, the few after it, how many more
/// this week), then cancelled and later windows, by planned start.
fn upcoming_cards(status: &Status, m: &'static Messages) -> Vec<EventCard> {
    let mut cards: Vec<(DateTime<Utc>, EventCard)> = status
        .upcoming_by_maintenance
        .iter()
        .map(|p| {
            let tz = p.next.timezone;
            let mut card = event_card(&p.next, m);
            let after: Vec<_> = p.windows.iter().filter(|w| w.id != p.next.id).collect();
            card.also = after
                .iter()
                .take(ALSO_SHOWN)
                .map(|w| (w.id, format_utc(w.start), format::local(w.start, tz, &m.dates)))
                .collect();
            card.more = after.len().saturating_sub(ALSO_SHOWN);
            (p.next.scheduled_start, card)
        })
        .collect();
    let mut others: Vec<&Event> = status.cancelled.iter().chain(&status.later).collect();
    others.sort_by(|a, b| a.scheduled_start.cmp(&b.scheduled_start).then(a.id.cmp(&b.id)));
    cards.extend(grouped(&others, m));
    cards.sort_by_key(|(start, _)| *start);
    cards.into_iter().map(|(_, card)| card).collect()
}

/// The front page's model from a status snapshot.
pub fn index<'a>(c: Chrome<'a>, status: &Status, stale_as_of: Option<String>) -> IndexPage<'a> {
    let m = c.m;
    let worst = status.monitors.iter().map(|s| s.effective_status).max();
    let all_down = !status.monitors.is_empty()
        && status
            .monitors
            .iter()
            .all(|s| s.effective_status == EffectiveStatus::Down);
    let (overall_class, overall_text, overall_icon): (&'static str, &'static str, &'static str) = match worst {
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
    // Planned work that takes services down reads as maintenance, not as an incident;
    // an open incident that shows is never planned.
    let in_incident = |slug: &str| {
        status
            .incidents
            .iter()
            .any(|i| i.monitors.iter().any(|a| a.slug == slug))
    };
    let planned = status
        .monitors
        .iter()
        .filter(|s| s.effective_status != EffectiveStatus::Up)
        .all(|s| s.effective_status != s.status.into() && !in_incident(&s.slug));
    let (overall_class, overall_text) = match (overall_class, planned) {
        ("down", true) => ("maintenance", m.planned_down),
        ("degraded", true) => ("maintenance", m.planned_degraded),
        _ => (overall_class, overall_text),
    };
    let overall_icon = if overall_class == "maintenance" {
        status_icon(EffectiveStatus::Maintenance)
    } else {
        overall_icon
    };
    let mut groups: Vec<Group> = Vec::new();
    for s in &status.monitors {
        let notes = if s.effective_status != s.status.into() && !in_incident(&s.slug) {
            status
                .ongoing
                .iter()
                .filter(|e| e.monitors.iter().any(|a| a.slug == s.slug))
                .map(|e| {
                    (
                        e.title.clone(),
                        format_utc(e.end),
                        format::local(e.end, e.timezone, &m.dates),
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        let line = MonitorLine {
            slug: s.slug.clone(),
            name: s.name.clone(),
            class: status_class(s.effective_status),
            icon: status_icon(s.effective_status),
            label: status_label(s.effective_status, m),
            notes,
            description: s.description.clone(),
            bar: status.history.get(&s.slug).map(|h| bar(h, m)),
            incidents: status
                .incidents
                .iter()
                .filter(|i| i.monitors.iter().any(|a| a.slug == s.slug))
                .map(|i| (i.id, i.title.clone()))
                .collect(),
            followed_note: s.note.clone(),
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
        incidents: status.incidents.iter().map(|i| incident_card(i, m)).collect(),
        resolved: status.resolved_incidents.iter().map(|i| incident_card(i, m)).collect(),
        overall_class,
        overall_icon,
        overall_text,
        groups,
        ongoing: status.ongoing.iter().map(|e| event_card(e, m)).collect(),
        upcoming: upcoming_cards(status, m),
        live: !status.incidents.is_empty()
            || status
                .ongoing
                .iter()
                .chain(&status.upcoming)
                .any(|e| e.status != EventStatus::Scheduled),
        stale_as_of,
        c,
    }
}

/// A 4xx answered to a browser (API paths keep their JSON).
#[derive(Template)]
#[template(path = "public/error.html")]
pub struct ErrorPage<'a> {
    pub c: Chrome<'a>,
    pub heading: String,
    pub message: String,
    pub back_href: &'static str,
    pub back_text: &'static str,
}
