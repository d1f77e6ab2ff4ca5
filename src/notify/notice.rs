//! What a notice says, for any channel: its subject, a few sentences, the window's times
//! in the maintenance's zone (and UTC), the affected services in the status page's words,
//! and for recurring plans the schedule in words with the next windows. Email renders it
//! as text and HTML, webhooks as JSON or a chat message.
//!
//! A notice is rendered when it is delivered, from what is true then: a notice overtaken
//! by events (a reminder for a window since cancelled, a plan switched back on) is dropped
//! as moot rather than sent.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::email::DeliveryError;
use super::words::{Words, words};
use crate::config::Site;
use crate::domain::describe;
use crate::domain::format::{Lang, clock_time, lead_words_in, local_short, when_in};
use crate::domain::lifecycle::{CancelReason, EventStatus};
use crate::domain::notice::NoticeKind;
use crate::domain::schedule::Schedule;
use crate::domain::validate;
use crate::service::maintenances::Maintenance;
use crate::service::{Services, events, incidents, maintenances, monitors};
use crate::store::checks;
use crate::store::outbox::{self, OCCURRENCE, OutboxRow, PLAN};

/// How many windows a notice about a recurring plan lists.
const LATER_WINDOWS: usize = 4;

pub(crate) struct Fact {
    pub label: String,
    pub value: String,
}

pub(crate) struct Update {
    /// "Update, Mon 11 May 2026, 02:30 CEST (00:30 UTC):"
    pub label: String,
    /// Markdown source.
    pub body: String,
}

pub(crate) struct Notice {
    pub subject: String,
    /// Sentences before the facts.
    pub intro: Vec<String>,
    pub update: Option<Update>,
    /// A heading over the facts ("First window"), when there is more than one window.
    pub heading: Option<String>,
    pub facts: Vec<Fact>,
    pub affected_label: String,
    /// "Website: Under maintenance".
    pub affected: Vec<String>,
    pub list_label: String,
    /// More windows of the plan, in its zone.
    pub list: Vec<String>,
    /// The maintenance's description, Markdown source.
    pub description: String,
    pub link: String,
    /// For `cancelled`: `plan` (no window of the plan will happen) or `occurrence` (this
    /// window is off, the plan goes on).
    pub scope: Option<&'static str>,
}

impl Notice {
    /// The notice as plain text (without the subject line): what the text part of an
    /// email and a chat message say.
    pub fn plain(&self) -> String {
        let mut blocks: Vec<String> = self.intro.clone();
        if let Some(u) = &self.update {
            blocks.push(format!("{}\n{}", u.label, u.body.trim()));
        }
        let facts: Vec<String> = self.facts.iter().map(|f| format!("{}: {}", f.label, f.value)).collect();
        if !facts.is_empty() {
            let mut block = self.heading.clone().map(|h| format!("{h}\n")).unwrap_or_default();
            block.push_str(&facts.join("\n"));
            blocks.push(block);
        }
        if !self.affected.is_empty() {
            blocks.push(format!("{}:\n- {}", self.affected_label, self.affected.join("\n- ")));
        }
        if !self.list.is_empty() {
            blocks.push(format!("{}:\n- {}", self.list_label, self.list.join("\n- ")));
        }
        if !self.description.trim().is_empty() {
            blocks.push(self.description.trim().to_string());
        }
        blocks.join("\n\n")
    }
}

fn db(e: impl std::fmt::Display) -> DeliveryError {
    DeliveryError::temporary(format!("database: {e}"))
}

/// The plan behind a notice: its view, schedule and zone.
struct Plan {
    m: Maintenance,
    schedule: Option<Schedule>,
    tz: Tz,
}

impl Plan {
    /// The plan, with its recent and upcoming events when `with_events` (to find its
    /// next windows, which leave out cancelled ones).
    async fn load(s: &Services, id: i64, with_events: bool) -> Result<Self, DeliveryError> {
        let m = match maintenances::view(s, id, with_events).await {
            Ok(m) => m,
            Err(crate::error::AppError::NotFound(_)) => {
                // Deleted since: nothing left to announce (SKIPPED, not a failed delivery).
                return Err(DeliveryError::moot("the maintenance no longer exists"));
            }
            Err(e) => return Err(db(e)),
        };
        let schedule = Schedule::parse(&m.start_local, m.timezone.name(), m.duration.num_seconds(), &m.rrule).ok();
        let tz = m.timezone;
        Ok(Self { m, schedule, tz })
    }

    fn recurring(&self) -> bool {
        self.schedule.as_ref().is_some_and(|s| !s.is_single())
    }

    fn active(&self) -> bool {
        self.m.is_active()
    }

    fn sentence(&self, lang: Lang) -> String {
        match validate::local_datetime("start", &self.m.start_local) {
            Ok(start) => describe::sentence_in(start, self.m.timezone.name(), &self.m.rrule, lang),
            Err(_) => String::new(),
        }
    }

    /// Windows of the plan that start after `after`, leaving out skipped and cancelled
    /// ones, at most `n`.
    fn windows_after(&self, after: DateTime<Utc>, n: usize) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let Some(schedule) = &self.schedule else {
            return Vec::new();
        };
        let off: Vec<DateTime<Utc>> = self
            .m
            .skipped
            .iter()
            .copied()
            .chain(
                self.m
                    .events
                    .iter()
                    .flatten()
                    .filter(|e| e.status == EventStatus::Cancelled)
                    .map(|e| e.scheduled_start),
            )
            .collect();
        schedule
            .preview(Some(after + Duration::seconds(1)), n + off.len())
            .into_iter()
            .filter(|o| !off.contains(&o.start))
            .take(n)
            .map(|o| (o.start, o.end))
            .collect()
    }

    fn affected(&self, w: &Words) -> Vec<String> {
        self.m
            .monitors
            .iter()
            .map(|a| format!("{}: {}", a.name, w.impact(a.impact)))
            .collect()
    }
}

/// What a row announces, in `lang`.
pub(crate) async fn notice(s: &Services, site: &Site, row: &OutboxRow, lang: Lang) -> Result<Notice, DeliveryError> {
    let w = words(lang);
    if NoticeKind::ABOUT_INCIDENTS.contains(&row.kind) {
        return incident_notice(s, site, row, w).await;
    }
    if NoticeKind::FOR_ADMINS.contains(&row.kind) {
        return alert_notice(s, site, row).await;
    }
    // Most notices are about one event and need no list of the plan's windows: a fan-out
    // to many subscribers should not read them once per message.
    let with_events = matches!(row.kind, NoticeKind::Scheduled | NoticeKind::Cancelled);
    let plan = Plan::load(s, row.maintenance_id.unwrap_or(0), with_events).await?;
    let mut n = Notice {
        subject: String::new(),
        intro: Vec::new(),
        update: None,
        heading: None,
        facts: Vec::new(),
        affected_label: w.affected.into(),
        affected: plan.affected(w),
        list_label: String::new(),
        list: Vec::new(),
        description: plan.m.description.clone(),
        link: format!("{}/", site.public_url),
        scope: None,
    };
    match (row.kind, row.event_id) {
        (NoticeKind::Scheduled, _) => scheduled(s, site, &plan, w, &mut n)?,
        (NoticeKind::Cancelled, None) if row.detail == PLAN => plan_cancelled(s, site, row, &plan, w, &mut n).await?,
        (NoticeKind::Cancelled, None) => {
            let start = row
                .detail
                .strip_prefix(OCCURRENCE)
                .and_then(|t| t.parse::<i64>().ok())
                .and_then(|t| DateTime::from_timestamp(t, 0))
                .ok_or_else(|| DeliveryError::permanent("a cancellation without a window"))?;
            if !plan.active() {
                return Err(DeliveryError::moot("the maintenance was switched off since"));
            }
            let end = start + plan.m.duration;
            window_off(s.now(), &plan, w, start, end, &mut n);
        }
        (_, Some(event)) => event_notice(s, site, row, event, &plan, w, &mut n).await?,
        _ => return Err(DeliveryError::permanent("a notice without an event")),
    }
    Ok(n)
}

fn window_facts(w: &Words, tz: Tz, start: DateTime<Utc>, end: DateTime<Utc>, end_label: &str) -> Vec<Fact> {
    vec![
        Fact {
            label: w.start.into(),
            value: when_in(start, Some(tz), w.lang.dates()),
        },
        Fact {
            label: end_label.into(),
            value: when_in(end, Some(tz), w.lang.dates()),
        },
    ]
}

fn scheduled(s: &Services, site: &Site, plan: &Plan, w: &Words, n: &mut Notice) -> Result<(), DeliveryError> {
    if !plan.active() {
        return Err(DeliveryError::moot(
            "the maintenance was switched off before it was announced",
        ));
    }
    let now = s.now();
    let first_event = plan.m.events.iter().flatten().find(|e| !e.status.is_terminal());
    let (start, end) = match first_event {
        Some(e) => {
            n.link = format!("{}/maintenance/{}", site.public_url, e.id);
            (e.start, e.end)
        }
        None => *plan
            .windows_after(now, 1)
            .first()
            .ok_or_else(|| DeliveryError::moot("the maintenance has no upcoming window"))?,
    };
    n.subject = (w.scheduled)(&plan.m.title, &local_short(start, plan.tz, w.lang.dates()));
    n.facts = window_facts(w, plan.tz, start, end, w.end);
    if plan.recurring() {
        n.intro.push((w.repeats)(&plan.sentence(w.lang)));
        n.heading = Some(w.first_window.into());
        n.list_label = w.later_windows.into();
        n.list = plan
            .windows_after(start, LATER_WINDOWS)
            .into_iter()
            .map(|(t, _)| when_in(t, Some(plan.tz), w.lang.dates()))
            .collect();
    }
    Ok(())
}

/// One window of a recurring plan is off: says so, how the plan goes on, and the next
/// window that will happen. (Of a one-time plan, the caller says it is cancelled.)
fn window_off(now: DateTime<Utc>, plan: &Plan, w: &Words, start: DateTime<Utc>, end: DateTime<Utc>, n: &mut Notice) {
    n.scope = Some("occurrence");
    n.subject = (w.cancelled_window)(&plan.m.title, &local_short(start, plan.tz, w.lang.dates()));
    n.intro.push((w.window_off)(&plan.sentence(w.lang)));
    n.facts = window_facts(w, plan.tz, start, end, w.end);
    if let Some((next, _)) = plan.windows_after(now, 1).first() {
        n.list_label = w.next_window.into();
        n.list = vec![when_in(*next, Some(plan.tz), w.lang.dates())];
    }
}

async fn plan_cancelled(
    s: &Services,
    site: &Site,
    row: &OutboxRow,
    plan: &Plan,
    w: &Words,
    n: &mut Notice,
) -> Result<(), DeliveryError> {
    if plan.active() {
        return Err(DeliveryError::moot("the maintenance was switched on again"));
    }
    // Only for those told of the plan: wait for what is still on its way to them (it may
    // yet be dropped as moot), and drop this when nothing of the plan reached them.
    let mut conn = s.store.conn().await.map_err(db)?;
    let (sent, pending) = outbox::told(&mut conn, row).await.map_err(db)?;
    drop(conn);
    if pending > 0 {
        return Err(DeliveryError::temporary(
            "waiting for an earlier notice of this maintenance to settle",
        ));
    }
    if sent == 0 {
        return Err(DeliveryError::moot(
            "no notice of this maintenance reached the recipient",
        ));
    }
    n.scope = Some("plan");
    // Nothing will be affected any more; a list headed "Affected services" would say so.
    n.affected.clear();
    let events = plan.m.events.as_deref().unwrap_or_default();
    if plan.recurring() {
        n.subject = (w.cancelled_plan)(&plan.m.title);
        n.intro.push((w.plan_off)(&plan.sentence(w.lang)));
        if let Some(e) = events.iter().find(|e| e.status == EventStatus::Ongoing) {
            let end = e.end;
            n.intro
                .push((w.still_running)(&when_in(end, Some(plan.tz), w.lang.dates())));
        }
    } else {
        n.subject = (w.cancelled)(&plan.m.title);
        n.intro.push(w.one_time_off.into());
        if let Some(e) = events
            .iter()
            .find(|e| e.status == EventStatus::Cancelled)
            .or(events.first())
        {
            n.link = format!("{}/maintenance/{}", site.public_url, e.id);
            let (start, end) = (e.start, e.end);
            n.facts = window_facts(w, plan.tz, start, end, w.end);
        }
    }
    Ok(())
}

async fn event_notice(
    s: &Services,
    site: &Site,
    row: &OutboxRow,
    event_id: i64,
    plan: &Plan,
    w: &Words,
    n: &mut Notice,
) -> Result<(), DeliveryError> {
    let e = match events::get(s, event_id).await {
        Ok(e) => e,
        // A new schedule replaced the event (and its updates) before this went out; people
        // hear about the change itself, so this is moot (SKIPPED), not a failed delivery.
        Err(crate::error::AppError::NotFound(_)) => return Err(DeliveryError::moot("the event no longer exists")),
        Err(err) => return Err(db(err)),
    };
    // A retried notice can be overtaken by events: never announce what is no longer true.
    let fits = match row.kind {
        NoticeKind::Reminder => matches!(e.status, EventStatus::Scheduled | EventStatus::Ready),
        NoticeKind::Started => e.status == EventStatus::Ongoing,
        NoticeKind::Extended => !e.status.is_terminal(),
        NoticeKind::Cancelled => e.status == EventStatus::Cancelled,
        // A new schedule called the window off: its cancellation says what matters now.
        NoticeKind::Update => e.cancel_reason != Some(CancelReason::Rescheduled),
        NoticeKind::Completed | NoticeKind::Unobserved => e.status == EventStatus::Completed,
        _ => true,
    };
    if !fits {
        return Err(DeliveryError::moot(format!("the event is {} now", e.status.as_str())));
    }
    n.link = format!("{}/maintenance/{}", site.public_url, e.id);
    let t = &e.title;
    let (start, end) = (e.start, e.end);
    n.facts = window_facts(w, plan.tz, start, end, w.end);
    match row.kind {
        NoticeKind::Reminder => {
            let lead = (start - s.now()).num_seconds();
            if lead <= 0 {
                return Err(DeliveryError::permanent(
                    "the event started before its reminder could go out",
                ));
            }
            // Rounded to whole minutes: sent at the lead time, this reads "in 1 hour".
            let words = lead_words_in((lead + 30) / 60 * 60, w.lang);
            n.subject = (w.reminder)(t, &words, &clock_time(start, plan.tz));
        }
        NoticeKind::Started => n.subject = (w.started)(t),
        NoticeKind::Completed => n.subject = (w.completed)(t),
        NoticeKind::Unobserved => {
            n.subject = (w.unobserved)(t);
            n.intro.push(w.unobserved_text.into());
        }
        NoticeKind::Cancelled if plan.recurring() => {
            if !plan.active() {
                // The plan's own cancellation tells those who knew of it.
                return Err(DeliveryError::moot("the whole maintenance was switched off since"));
            }
            window_off(s.now(), plan, w, start, end, n);
        }
        NoticeKind::Cancelled => {
            n.scope = Some("plan");
            n.subject = (w.cancelled)(t);
            n.intro.push(w.one_time_off.into());
        }
        NoticeKind::Extended => {
            let new_end = row
                .detail
                .parse::<i64>()
                .ok()
                .and_then(|t| DateTime::from_timestamp(t, 0))
                .unwrap_or(end);
            n.facts = window_facts(w, plan.tz, start, new_end, w.new_end);
            n.subject = (w.extended)(t, &local_short(new_end, plan.tz, w.lang.dates()));
        }
        NoticeKind::Update => {
            let id: i64 = row.detail.parse().unwrap_or(0);
            if let Some(u) = e.updates.iter().find(|u| u.id == id) {
                let at = u.created_at;
                n.update = Some(Update {
                    label: (w.update_at)(&when_in(at, Some(plan.tz), w.lang.dates())),
                    body: u.body.clone(),
                });
            }
            n.subject = (w.update)(t);
        }
        _ => {
            return Err(DeliveryError::permanent(format!(
                "a {} notice about one event",
                row.kind
            )));
        }
    }
    Ok(())
}

/// A notice to an empty shell: the caller fills in what is said.
fn blank(w: &Words, link: String) -> Notice {
    Notice {
        subject: String::new(),
        intro: Vec::new(),
        update: None,
        heading: None,
        facts: Vec::new(),
        affected_label: w.affected.into(),
        affected: Vec::new(),
        list_label: String::new(),
        list: Vec::new(),
        description: String::new(),
        link,
        scope: None,
    }
}

/// An incident opened, updated or resolved: its status, the update told, and what it
/// affects. An incident deleted since is moot.
async fn incident_notice(s: &Services, site: &Site, row: &OutboxRow, w: &Words) -> Result<Notice, DeliveryError> {
    let id = row.incident_id.unwrap_or(0);
    let i = match incidents::get(s, id, true).await {
        Ok(i) => i,
        Err(crate::error::AppError::NotFound(_)) => return Err(DeliveryError::moot("the incident no longer exists")),
        Err(e) => return Err(db(e)),
    };
    let update_id: i64 = row.detail.parse().unwrap_or(0);
    let u = i
        .updates
        .iter()
        .find(|u| u.id == update_id)
        .ok_or_else(|| DeliveryError::moot("the update no longer exists"))?;
    let mut n = blank(w, format!("{}/incidents/{}", site.public_url, i.id));
    let status = w.pages.incident_status(u.status);
    n.subject = match row.kind {
        NoticeKind::IncidentOpened => (w.incident_opened)(&i.title),
        NoticeKind::IncidentResolved => (w.incident_resolved)(&i.title),
        _ => (w.incident_update)(&i.title, status),
    };
    n.intro.push(format!("{}: {status}", w.status));
    n.update = Some(Update {
        label: (w.update_at)(&when_in(u.created_at, None, w.lang.dates())),
        body: u.body.clone(),
    });
    n.affected = i
        .monitors
        .iter()
        .map(|a| {
            let impact = if u.status.is_open() {
                w.impact(a.impact)
            } else {
                w.pages.status_up
            };
            format!("{}: {impact}", a.name)
        })
        .collect();
    Ok(n)
}

/// An alert for admins: a checked monitor went DOWN or is up again (English: admins
/// choose no language). The error of the check that decided it is quoted.
async fn alert_notice(s: &Services, site: &Site, row: &OutboxRow) -> Result<Notice, DeliveryError> {
    let w = words(Lang::En);
    let id = row.monitor_id.unwrap_or(0);
    let m = match monitors::get(s, &id.to_string()).await {
        Ok(m) => m,
        Err(crate::error::AppError::NotFound(_)) => return Err(DeliveryError::moot("the monitor no longer exists")),
        Err(e) => return Err(db(e)),
    };
    let at = row
        .detail
        .parse::<i64>()
        .ok()
        .and_then(|t| DateTime::from_timestamp(t, 0))
        .unwrap_or_else(|| s.now());
    let mut n = blank(w, format!("{}/admin/monitors/{}", site.public_url, m.id));
    let down = row.kind == NoticeKind::MonitorDown;
    n.subject = if down {
        format!("DOWN: {}", m.name)
    } else {
        format!("Recovered: {}", m.name)
    };
    n.intro.push(if down {
        format!(
            "{} ({}) is down: its checks fail, and no maintenance covers it.",
            m.name,
            m.check_summary()
        )
    } else {
        format!("{} ({}) is up again.", m.name, m.check_summary())
    });
    n.facts.push(Fact {
        label: "Since".into(),
        value: when_in(at, None, w.lang.dates()),
    });
    let mut conn = s.store.conn().await.map_err(db)?;
    if let Some(error) = checks::error_at(&mut conn, m.id, at).await.map_err(db)? {
        n.facts.push(Fact {
            label: "Error".into(),
            value: error,
        });
    }
    n.affected_label = String::new();
    Ok(n)
}
