//! The public status: every monitor's effective status plus ongoing and upcoming events,
//! read once ([`load`]) and computable for any later instant ([`StatusData::at`]).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::Services;
use super::events::{Event, views};
use super::horizon::HORIZON_DAYS;
use super::incidents::{self, Incident};
use crate::domain::check::CheckType;
use crate::domain::impact::{EffectiveStatus, Impact, MonitorStatus, effective_status};
use crate::domain::lifecycle::{EventStatus, Timing};
use crate::domain::rollup::{Period, Tally};
use crate::error::AppResult;
use crate::store::events::{self, EventFilter, WindowRow};
use crate::store::{AnyConnection, checks, monitors};

/// How far ahead the page lists one-time maintenance beyond the horizon.
pub const LATER_DAYS: i64 = 90;

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonitorStatusView {
    pub slug: String,
    pub name: String,
    pub group: Option<String>,
    /// What the service is, for visitors (may be empty).
    #[serde(default)]
    pub description: String,
    /// The monitor's own status.
    pub status: MonitorStatus,
    /// What visitors see: the own status overridden by ongoing maintenance impact.
    pub effective_status: EffectiveStatus,
    /// `statuspage` monitors: what the followed page says is going on (its incident or
    /// maintenance in progress).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `statuspage` monitors: the followed page has the followed part under maintenance
    /// (shown as maintenance here).
    #[serde(default)]
    pub followed_maintenance: bool,
}

/// The status at one instant (the API sends `web::api::views::StatusView`).
#[derive(Debug, Clone)]
pub struct Status {
    pub monitors: Vec<MonitorStatusView>,
    pub ongoing: Vec<Event>,
    /// Events starting within the next 7 days that have not started, soonest first: at
    /// most 1,000 (then `upcoming_truncated` is true; `upcoming_by_maintenance` has all).
    pub upcoming: Vec<Event>,
    /// Whether `upcoming` was cut at 1,000 events.
    pub upcoming_truncated: bool,
    /// The same events grouped by maintenance, complete however many there are: each
    /// maintenance with windows in the next 7 days, soonest first, with its next window in
    /// full and every window of those 7 days.
    pub upcoming_by_maintenance: Vec<PlanAhead>,
    /// Windows cancelled although their planned start has not come yet (so visitors who
    /// saw them planned see them called off).
    pub cancelled: Vec<Event>,
    /// One-time maintenance planned later than the next 7 days (up to 90 days ahead).
    pub later: Vec<Event>,
    /// Open incidents (published), oldest first.
    pub incidents: Vec<Incident>,
    /// Incidents resolved in the last 7 days, latest first.
    pub resolved_incidents: Vec<Incident>,
    /// The last 90 days of each checked monitor, by slug.
    pub history: Arc<HashMap<String, History>>,
}

/// A day's seconds up, down, degraded and in maintenance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DaySecs {
    pub up: u32,
    pub down: u32,
    pub degraded: u32,
    pub maintenance: u32,
}

impl DaySecs {
    /// As a tally (the rest zero), for what tallies know: the worst, the uptime.
    pub fn tally(self) -> Tally {
        Tally {
            up_secs: self.up.into(),
            down_secs: self.down.into(),
            degraded_secs: self.degraded.into(),
            maintenance_secs: self.maintenance.into(),
            ..Tally::default()
        }
    }
}

/// How many days the page's bar shows.
pub const BAR_DAYS: i64 = 90;

/// How often the page reads the roll-ups again (they are written once a minute).
const HISTORY_EVERY: Duration = Duration::seconds(60);

/// A checked monitor's last 90 days, as the page's bar shows them.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The first of the 90 UTC days.
    pub first: DateTime<Utc>,
    /// One per day from `first`, today (so far) last; just the seconds (5,000 monitors
    /// hold 450,000 of these).
    pub days: Box<[DaySecs]>,
    /// Over those days, in percent (maintenance left out); `None` when nothing was observed.
    pub uptime: Option<f64>,
    /// The latency of the latest HTTP check that got an answer.
    pub response_ms: Option<i64>,
}

/// How long a resolved incident stays on the front page.
pub const RESOLVED_SHOWN_DAYS: i64 = 7;

/// A maintenance's windows in the next 7 days.
#[derive(Debug, Clone)]
pub struct PlanAhead {
    pub maintenance_id: i64,
    /// Its next window, as `upcoming` lists it.
    pub next: Event,
    /// Every window starting within the next 7 days that has not started (`next` first).
    pub windows: Vec<WindowAhead>,
}

#[derive(Debug, Clone)]
pub struct WindowAhead {
    /// The event's id.
    pub id: i64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// SCHEDULED or READY.
    pub status: EventStatus,
}

/// The most events `upcoming` lists.
pub const UPCOMING_LIMIT: usize = 1000;

/// What the status is computed from, read in one go: every window of the next 7 days with
/// its times, so the status at any later instant follows from the clock alone (the page
/// keeps telling the truth about windows that start or end while the database cannot be
/// read).
#[derive(Debug, Clone)]
pub struct StatusData {
    monitors: Vec<MonitorStatusView>,
    /// Shared with earlier reads: a write to one plan reads that plan again and keeps the
    /// others ([`StatusData::reload_plans`]).
    plans: Vec<Arc<Plan>>,
    later: Vec<Event>,
    /// Published incidents, open and recently resolved.
    incidents: Arc<Vec<Incident>>,
    history: Arc<HashMap<String, History>>,
    /// When `history` was read (it is read at most once a minute).
    history_read_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
struct Plan {
    /// Its first window in full: what all its windows share (title, text, monitors).
    template: Event,
    windows: Vec<Held>,
}

#[derive(Debug, Clone)]
struct Held {
    row: WindowRow,
    timing: Timing,
    /// The full view when it differs from the template's (it has progress updates).
    full: Option<Event>,
}

impl Held {
    fn view(&self, template: &Event, now: DateTime<Utc>) -> Event {
        let mut view = self.full.clone().unwrap_or_else(|| Event {
            id: self.row.id,
            start: self.row.start_at,
            end: self.row.end_at,
            scheduled_start: self.row.scheduled_start,
            scheduled_end: self.row.scheduled_end,
            cancelled_at: self.row.cancelled_at,
            cancel_reason: self.row.cancel_reason,
            created_at: self.row.created_at,
            updates: Vec::new(),
            ..template.clone()
        });
        view.status = self.timing.status_at(now);
        view
    }
}

impl StatusData {
    /// The status as of `now`, which may be later than the read.
    pub fn at(&self, now: DateTime<Utc>) -> Status {
        let mut ongoing = Vec::new();
        let mut cancelled = Vec::new();
        let mut upcoming: Vec<(DateTime<Utc>, i64, &Held, &Event)> = Vec::new();
        let mut by_plan = Vec::new();
        for plan in &self.plans {
            let mut windows = Vec::new();
            let mut next = None;
            for w in &plan.windows {
                match w.timing.status_at(now) {
                    EventStatus::Ongoing => ongoing.push(w.view(&plan.template, now)),
                    EventStatus::Cancelled if w.row.scheduled_start > now => {
                        cancelled.push(w.view(&plan.template, now));
                    }
                    status @ (EventStatus::Scheduled | EventStatus::Ready) => {
                        upcoming.push((w.row.start_at, w.row.id, w, &plan.template));
                        next.get_or_insert(w);
                        windows.push(WindowAhead {
                            id: w.row.id,
                            start: w.row.start_at,
                            end: w.row.end_at,
                            status,
                        });
                    }
                    _ => {}
                }
            }
            if let Some(next) = next {
                windows.sort_by(|a, b| a.start.cmp(&b.start).then(a.id.cmp(&b.id)));
                by_plan.push(PlanAhead {
                    maintenance_id: plan.template.maintenance_id,
                    next: next.view(&plan.template, now),
                    windows,
                });
            }
        }
        let by_start = |a: &Event, b: &Event| a.start.cmp(&b.start).then(a.id.cmp(&b.id));
        ongoing.sort_by(by_start);
        cancelled.sort_by(by_start);
        upcoming.sort_by_key(|(start, id, _, _)| (*start, *id));
        by_plan.sort_by(|a, b| by_start(&a.next, &b.next));
        let upcoming_truncated = upcoming.len() > UPCOMING_LIMIT;
        let upcoming = upcoming
            .into_iter()
            .take(UPCOMING_LIMIT)
            .map(|(_, _, w, template)| w.view(template, now))
            .collect();
        let mut impacts: HashMap<&str, Vec<_>> = HashMap::new();
        for e in &ongoing {
            for m in &e.monitors {
                impacts.entry(m.slug.as_str()).or_default().push(m.impact);
            }
        }
        let (open, resolved): (Vec<&Incident>, Vec<&Incident>) = self.incidents.iter().partition(|i| i.is_open());
        for i in &open {
            for m in &i.monitors {
                impacts.entry(m.slug.as_str()).or_default().push(m.impact);
            }
        }
        let shown_since = now - Duration::days(RESOLVED_SHOWN_DAYS);
        let monitors = self
            .monitors
            .iter()
            .map(|m| {
                let mut on = impacts.get(m.slug.as_str()).cloned().unwrap_or_default();
                if m.followed_maintenance {
                    on.push(Impact::Maintenance);
                }
                MonitorStatusView {
                    effective_status: effective_status(m.status, on),
                    ..m.clone()
                }
            })
            .collect();
        Status {
            monitors,
            ongoing,
            upcoming,
            upcoming_truncated,
            upcoming_by_maintenance: by_plan,
            cancelled,
            later: self.later.clone(),
            incidents: open.into_iter().cloned().collect(),
            resolved_incidents: resolved
                .into_iter()
                .filter(|i| i.resolved_at.is_some_and(|at| at >= shown_since))
                .cloned()
                .collect(),
            history: self.history.clone(),
        }
    }

    /// The first instant after `now` at which a status shown changes.
    pub fn next_boundary(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.plans
            .iter()
            .flat_map(|p| &p.windows)
            .filter_map(|w| w.timing.next_boundary(now))
            .min()
    }
}

/// The status now, from the database.
pub async fn status(s: &Services) -> AppResult<Status> {
    Ok(load(s).await?.at(s.now()))
}

/// Reads what the status is computed from.
pub async fn load(s: &Services) -> AppResult<StatusData> {
    load_after(s, None).await
}

/// [`load`], keeping `prev`'s 90-day history when it was read less than a minute ago.
pub async fn load_after(s: &Services, prev: Option<&StatusData>) -> AppResult<StatusData> {
    let now = s.now();
    let mut conn = s.store.conn().await?;
    let horizon = now + Duration::days(HORIZON_DAYS);
    let rows = events::windows(&mut conn, now, horizon).await?;
    let plans = plans_of(&mut conn, rows, now).await?;
    let later = later(&mut conn, now).await?;
    let incidents = published_incidents(&mut conn, now).await?;
    let rows = monitors::list(&mut conn).await?;
    let checked: HashMap<i64, String> = rows
        .iter()
        .filter(|m| m.check.check_type != CheckType::Manual)
        .map(|m| (m.id, m.slug.clone()))
        .collect();
    // Read again once a minute, and at once when a monitor starts or stops being checked.
    let (history, history_read_at) = match prev {
        Some(p)
            if now - p.history_read_at < HISTORY_EVERY
                && now >= p.history_read_at
                && p.history.len() == checked.len()
                && checked.values().all(|slug| p.history.contains_key(slug)) =>
        {
            (p.history.clone(), p.history_read_at)
        }
        _ => (Arc::new(history(&mut conn, &checked, now).await?), now),
    };
    let monitors = rows
        .into_iter()
        .map(|m| MonitorStatusView {
            slug: m.slug,
            name: m.name,
            group: m.group_name,
            description: m.description,
            status: m.status,
            effective_status: m.status.into(),
            note: m.status_note,
            followed_maintenance: m.external_maintenance,
        })
        .collect();
    Ok(StatusData {
        monitors,
        plans,
        later,
        incidents: Arc::new(incidents),
        history,
        history_read_at,
    })
}

/// The last 90 UTC days of every checked monitor (`slugs`, by id), and the
/// response time of HTTP monitors.
async fn history(
    conn: &mut AnyConnection,
    slugs: &HashMap<i64, String>,
    now: DateTime<Utc>,
) -> AppResult<HashMap<String, History>> {
    let today = Period::Day.floor(now);
    let first = today - Duration::days(BAR_DAYS - 1);
    let mut stored: HashMap<i64, HashMap<DateTime<Utc>, Tally>> = HashMap::new();
    for (id, day, t) in checks::days_since(conn, first).await? {
        stored.entry(id).or_default().insert(day, t);
    }
    let latencies: HashMap<i64, i64> = checks::latest_latencies(conn).await?.into_iter().collect();
    let mut out = HashMap::new();
    let none = HashMap::new();
    for (id, slug) in slugs {
        let days = stored.get(id).unwrap_or(&none);
        let mut total = Tally::default();
        let secs = |v: i64| u32::try_from(v.clamp(0, 86_400)).unwrap_or(0);
        let list = (0..BAR_DAYS)
            .map(|i| {
                let t = days.get(&(first + Duration::days(i))).copied().unwrap_or_default();
                total.merge(&t);
                DaySecs {
                    up: secs(t.up_secs),
                    down: secs(t.down_secs),
                    degraded: secs(t.degraded_secs),
                    maintenance: secs(t.maintenance_secs),
                }
            })
            .collect();
        out.insert(
            slug.clone(),
            History {
                first,
                days: list,
                uptime: total.uptime(),
                response_ms: latencies.get(id).copied(),
            },
        );
    }
    Ok(out)
}

/// The most incidents the page holds (open ones first): a page is no incident archive.
const PAGE_INCIDENTS: i64 = 50;

/// Published incidents: the open ones and those resolved in the last 7 days.
async fn published_incidents(conn: &mut AnyConnection, now: DateTime<Utc>) -> AppResult<Vec<Incident>> {
    let list = incidents::list_in(conn, now, false, PAGE_INCIDENTS).await?;
    let since = now - Duration::days(RESOLVED_SHOWN_DAYS);
    Ok(list
        .into_iter()
        .filter(|i| i.resolved_at.is_none_or(|at| at >= since))
        .collect())
}

impl StatusData {
    /// This data with the plans `ids` read again (they were created, edited, deleted, or
    /// their events changed); the other plans' windows are kept as read before, so a write
    /// to one plan costs one plan's read, however many plans there are.
    pub async fn reload_plans(&self, s: &Services, ids: &HashSet<i64>) -> AppResult<StatusData> {
        let now = s.now();
        let mut conn = s.store.conn().await?;
        let horizon = now + Duration::days(HORIZON_DAYS);
        let list: Vec<i64> = ids.iter().copied().collect();
        let mut plans = Vec::with_capacity(self.plans.len() + list.len());
        for chunk in list.chunks(500) {
            let rows = events::plan_windows(&mut conn, chunk, now, horizon).await?;
            plans.extend(plans_of(&mut conn, rows, now).await?);
        }
        plans.extend(
            self.plans
                .iter()
                .filter(|p| !ids.contains(&p.template.maintenance_id))
                .cloned(),
        );
        // A one-time plan far ahead is listed from its own (short) query.
        let later = later(&mut conn, now).await?;
        Ok(StatusData {
            monitors: self.monitors.clone(),
            plans,
            later,
            incidents: self.incidents.clone(),
            history: self.history.clone(),
            history_read_at: self.history_read_at,
        })
    }
}

/// The plans of `rows` (soonest first), each with its first window read in full as the
/// template its other windows share.
async fn plans_of(conn: &mut AnyConnection, rows: Vec<WindowRow>, now: DateTime<Utc>) -> AppResult<Vec<Arc<Plan>>> {
    // In full: each plan's first window (its template), and windows with updates.
    let mut full_ids = Vec::new();
    let mut seen = HashSet::new();
    for w in &rows {
        if seen.insert(w.maintenance_id) || w.has_updates {
            full_ids.push(w.id);
        }
    }
    let full = events::by_ids(conn, &full_ids).await?;
    let mut full: HashMap<i64, Event> = views(conn, full, now).await?.into_iter().map(|v| (v.id, v)).collect();
    let mut plans: Vec<Plan> = Vec::new();
    let mut index: HashMap<i64, usize> = HashMap::new();
    for row in rows {
        let timing = row.timing();
        let view = full.remove(&row.id);
        match index.get(&row.maintenance_id) {
            Some(&i) => plans[i].windows.push(Held {
                row,
                timing,
                full: view,
            }),
            None => {
                // The plan's first window is always read in full.
                let Some(template) = view.clone() else { continue };
                index.insert(row.maintenance_id, plans.len());
                plans.push(Plan {
                    template,
                    windows: vec![Held {
                        row,
                        timing,
                        full: view,
                    }],
                });
            }
        }
    }
    Ok(plans.into_iter().map(Arc::new).collect())
}

/// Recurring plans have rows for 7 days only; a one-time plan's single window exists
/// however far ahead, and a visitor told about it by mail should find it on the page.
async fn later(conn: &mut AnyConnection, now: DateTime<Utc>) -> AppResult<Vec<Event>> {
    let horizon = now + Duration::days(HORIZON_DAYS);
    let later_filter = EventFilter {
        from: Some(horizon),
        to: Some(now + Duration::days(LATER_DAYS)),
        status: Some(EventStatus::Scheduled),
        limit: 50,
        ..Default::default()
    };
    let rows = events::list(conn, &later_filter, now).await?;
    Ok(views(conn, rows, now)
        .await?
        .into_iter()
        .filter(|e| e.start >= horizon)
        .collect())
}
