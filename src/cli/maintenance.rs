//! `lull maintenance …`: plans on a running server, and skipping one occurrence by its
//! day, local start or instant.

use anyhow::{Context, bail};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use clap::{Args, Subcommand};
use reqwest::Method;
use serde::Serialize;
use serde_json::json;

use super::api::{Api, ClientArgs, read, urlencode};
use super::event;
use super::input::{SkipDate, monitor_refs, parse_seconds, parse_skip_date};
use super::output::{affected, at, instant, span, table, window, zone};
use crate::domain::format;
use crate::domain::schedule::{ONE_TIME, Schedule, format_utc, resolve_local};
use crate::domain::validate::{self, format_local};
use crate::service::maintenances::MonitorImpactInput;
use crate::web::api::views::{EventView, MaintenanceView};

#[derive(Debug, Args)]
pub struct DetailArgs {
    /// Markdown description
    #[arg(long)]
    pub description: Option<String>,
    /// RRULE, e.g. FREQ=WEEKLY;BYDAY=SU (one-time when omitted on create)
    #[arg(long)]
    pub rrule: Option<String>,
    /// Affected monitor as SLUG or SLUG:IMPACT (MAINTENANCE, DOWN, DEGRADED, UP); repeatable
    #[arg(long = "monitor")]
    pub monitors: Vec<String>,
    /// How long before the start an event turns READY and reminders go out: 1h, 30m,
    /// 1h30m or seconds (1h when not given on create)
    #[arg(long, value_parser = parse_seconds)]
    pub reminder_lead: Option<i64>,
}

#[derive(Debug, Subcommand)]
pub enum MaintenanceCommand {
    /// List maintenances, with each one's next window in its own zone
    List {
        /// ACTIVE or INACTIVE
        #[arg(long)]
        status: Option<String>,
    },
    /// Show one maintenance with its events
    Get {
        /// The maintenance's id
        id: i64,
    },
    /// Schedule a maintenance
    Create {
        /// Title shown on the status page and in notices
        #[arg(long)]
        title: String,
        /// Local start of the first window, YYYY-MM-DDTHH:MM[:SS], in the --tz zone
        #[arg(long)]
        start: String,
        /// IANA time zone of the start, e.g. Europe/Berlin
        #[arg(long)]
        tz: String,
        /// Length of each window: 90m, 2h, 1h30m, 2d or seconds
        #[arg(long, value_parser = parse_seconds)]
        duration: i64,
        #[command(flatten)]
        details: DetailArgs,
        /// Save as INACTIVE (no events)
        #[arg(long)]
        inactive: bool,
        /// Accept a one-time window that has already ended and record it as history
        /// (otherwise the server refuses it, as a likely typo)
        #[arg(long)]
        record_past: bool,
    },
    /// Change a maintenance; future events follow a new schedule
    Update {
        /// The maintenance's id
        id: i64,
        /// New title
        #[arg(long)]
        title: Option<String>,
        /// New local start of the first window, YYYY-MM-DDTHH:MM[:SS]
        #[arg(long)]
        start: Option<String>,
        /// New IANA time zone, e.g. Europe/Berlin
        #[arg(long)]
        tz: Option<String>,
        /// New length of each window: 90m, 2h, 1h30m, 2d or seconds
        #[arg(long, value_parser = parse_seconds)]
        duration: Option<i64>,
        #[command(flatten)]
        details: DetailArgs,
        /// ACTIVE or INACTIVE
        #[arg(long)]
        status: Option<String>,
    },
    /// Cancel a maintenance: make it INACTIVE, cancelling every event not yet started
    Cancel {
        /// The maintenance's id
        id: i64,
    },
    /// Skip one occurrence ahead of time, e.g. `lull maintenance skip 3 2026-12-13`
    Skip {
        /// The maintenance's id
        id: i64,
        /// The occurrence: its day (2026-12-13) or local start (2026-12-13T03:00) in the
        /// maintenance's zone, or its start as an instant (2026-12-13T02:00:00Z)
        #[arg(value_parser = parse_skip_date, required_unless_present = "start")]
        date: Option<SkipDate>,
        /// The same as DATE (the older spelling)
        #[arg(long, value_parser = parse_skip_date, conflicts_with = "date")]
        start: Option<SkipDate>,
    },
    /// Delete a maintenance and all its events
    Delete {
        /// The maintenance's id
        id: i64,
    },
    /// List a maintenance's events
    Events {
        /// The maintenance's id
        id: i64,
    },
}

/// What create and update send; a field left out is not sent (on update: unchanged).
#[derive(Debug, Default, Serialize)]
struct Body {
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timezone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rrule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reminder_lead: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    monitors: Option<Vec<MonitorImpactInput>>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    record_past: bool,
}

impl Body {
    fn with(mut self, a: DetailArgs) -> Self {
        self.description = a.description;
        self.rrule = a.rrule;
        self.reminder_lead = a.reminder_lead;
        if !a.monitors.is_empty() {
            self.monitors = Some(monitor_refs(&a.monitors));
        }
        self
    }
}

pub async fn run(args: ClientArgs, json: bool, command: MaintenanceCommand) -> anyhow::Result<()> {
    let api = Api::new(&args, json)?;
    let v = match command {
        MaintenanceCommand::List { status } => {
            let q = status.map(|s| format!("?status={}", urlencode(&s))).unwrap_or_default();
            let v = api.get(&format!("/api/v1/maintenances{q}")).await?;
            return api.show(v, |list: &Vec<MaintenanceView>| render_table(list));
        }
        MaintenanceCommand::Get { id } => api.get(&format!("/api/v1/maintenances/{id}")).await?,
        MaintenanceCommand::Create {
            title,
            start,
            tz,
            duration,
            details,
            inactive,
            record_past,
        } => {
            let body = Body {
                title: Some(title),
                start: Some(start),
                timezone: Some(tz),
                duration: Some(duration),
                status: inactive.then(|| "INACTIVE".into()),
                record_past,
                ..Body::default()
            }
            .with(details);
            api.call(Method::POST, "/api/v1/maintenances", Some(serde_json::to_value(body)?))
                .await?
        }
        MaintenanceCommand::Update {
            id,
            title,
            start,
            tz,
            duration,
            details,
            status,
        } => {
            let body = Body {
                title,
                start,
                timezone: tz,
                duration,
                status,
                ..Body::default()
            }
            .with(details);
            api.call(
                Method::PATCH,
                &format!("/api/v1/maintenances/{id}"),
                Some(serde_json::to_value(body)?),
            )
            .await?
        }
        MaintenanceCommand::Cancel { id } => {
            api.call(
                Method::PATCH,
                &format!("/api/v1/maintenances/{id}"),
                Some(json!({"status": "INACTIVE"})),
            )
            .await?
        }
        MaintenanceCommand::Skip { id, date, start } => {
            let date = date.or(start).context("give the date to skip, e.g. 2026-12-13")?;
            return skip(&api, id, date).await;
        }
        MaintenanceCommand::Delete { id } => {
            api.call(Method::DELETE, &format!("/api/v1/maintenances/{id}"), None)
                .await?;
            println!("maintenance {id} deleted");
            return Ok(());
        }
        MaintenanceCommand::Events { id } => {
            let v = api.get(&format!("/api/v1/maintenances/{id}/events")).await?;
            return api.show(v, |list: &Vec<EventView>| event::table(list));
        }
    };
    api.show(v, detail)
}

/// Skips one occurrence and says which: "Skipped Sun 13 Dec 2026, 03:00 CET of 'Patching'".
async fn skip(api: &Api, id: i64, date: SkipDate) -> anyhow::Result<()> {
    let path = format!("/api/v1/maintenances/{id}");
    let start = match date {
        SkipDate::Instant(t) => format_utc(t),
        SkipDate::Local(local) => format_local(local),
        SkipDate::Day(day) => format_utc(occurrence_on(&read(api.get(&path).await?)?, day)?),
    };
    let v = api
        .call(Method::POST, &format!("{path}/skip"), Some(json!({"start": start})))
        .await?;
    if api.json {
        return api.show(v, |_: &serde_json::Value| String::new());
    }
    let m: MaintenanceView = read(v)?;
    let tz = zone(&m.timezone);
    let when = match date {
        SkipDate::Instant(t) => t,
        SkipDate::Local(local) => resolve_local(tz, local),
        SkipDate::Day(_) => DateTime::parse_from_rfc3339(&start)?.to_utc(),
    };
    println!("Skipped {} of '{}'", at(when, tz), m.title);
    Ok(())
}

/// The start of the one window of maintenance `m` that starts on `day` in its zone.
fn occurrence_on(m: &MaintenanceView, day: NaiveDate) -> anyhow::Result<DateTime<Utc>> {
    let tz = zone(&m.timezone);
    let schedule = Schedule::parse(&m.start, tz.name(), m.duration, &m.rrule)
        .context("the server sent a schedule this CLI cannot read")?;
    let midnight = |d: NaiveDate| resolve_local(tz, d.and_time(chrono::NaiveTime::MIN));
    let from = midnight(day);
    let on_day: Vec<_> = schedule
        .between(from, midnight(day + Duration::days(1)))
        .into_iter()
        .filter(|o| o.start.with_timezone(&tz).date_naive() == day)
        .collect();
    let day_name = day.format("%a %-d %b %Y");
    let title = &m.title;
    match on_day.as_slice() {
        [one] => Ok(one.start),
        [] => {
            let next: Vec<String> = schedule
                .preview(Some(from), 3)
                .iter()
                .map(|o| at(o.start, tz))
                .collect();
            let hint = if next.is_empty() {
                "it has no windows after that day".to_string()
            } else {
                format!("its next windows from then: {}", next.join("; "))
            };
            bail!("no window of '{title}' starts on {day_name} in {}; {hint}", tz.name())
        }
        several => {
            let times: Vec<String> = several
                .iter()
                .map(|o| o.start.with_timezone(&tz).format("%H:%M %Z").to_string())
                .collect();
            bail!(
                "{} windows of '{title}' start on {day_name} ({}); give the time as well, e.g. {}-{:02}-{:02}T{}",
                several.len(),
                times.join(", "),
                day.year(),
                day.month(),
                day.day(),
                several[0].start.with_timezone(&tz).format("%H:%M"),
            )
        }
    }
}

fn repeats(m: &MaintenanceView) -> String {
    match m.rrule.trim() {
        "" => "once".into(),
        r if r.eq_ignore_ascii_case(ONE_TIME) => "once".into(),
        r => r.to_string(),
    }
}

/// The next window of an ACTIVE maintenance, from `next_start` and `duration` (an
/// INACTIVE one has a schedule but no events).
fn next_window(m: &MaintenanceView) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    if m.status == "INACTIVE" {
        return None;
    }
    let start = instant(m.next_start.as_deref()?)?;
    Some((start, start + Duration::seconds(m.duration)))
}

fn render_table(list: &[MaintenanceView]) -> String {
    let rows = list
        .iter()
        .map(|m| {
            vec![
                m.id.to_string(),
                m.status.clone(),
                next_window(m).map_or_else(|| "-".into(), |(a, b)| span(a, b, zone(&m.timezone))),
                repeats(m),
                affected(&m.monitors),
                m.title.clone(),
            ]
        })
        .collect();
    table(&["ID", "STATUS", "NEXT", "REPEATS", "MONITORS", "TITLE"], rows)
}

/// One maintenance: its schedule in its zone, skipped dates, recent and upcoming events
/// and the overlap warnings of a save.
fn detail(m: &MaintenanceView) -> String {
    let tz = zone(&m.timezone);
    let mut out = format!("Maintenance {}: {} ({})\n", m.id, m.title, m.status);
    let first = validate::local_datetime("start", &m.start)
        .map(|local| at(resolve_local(tz, local), tz))
        .unwrap_or_else(|_| m.start.clone());
    out.push_str(&format!("  First:     {first} ({})\n", tz.name()));
    out.push_str(&format!(
        "  Length:    {}\n",
        format::duration(m.duration, &format::ENGLISH)
    ));
    out.push_str(&format!("  Repeats:   {}\n", repeats(m)));
    let none = if m.status == "INACTIVE" {
        "none (INACTIVE)"
    } else {
        "none (every window has ended)"
    };
    let next = next_window(m).map_or_else(|| none.into(), |(a, b)| window(a, b, tz));
    out.push_str(&format!("  Next:      {next}\n"));
    out.push_str(&format!("  Monitors:  {}\n", affected(&m.monitors)));
    if !m.skipped.is_empty() {
        let days: Vec<String> = m
            .skipped
            .iter()
            .map(|t| instant(t).map_or_else(|| t.clone(), |t| at(t, tz)))
            .collect();
        out.push_str(&format!("  Skipped:   {}\n", days.join("; ")));
    }
    if let Some(events) = m.events.as_deref().filter(|e| !e.is_empty()) {
        out.push_str("\nEvents:\n");
        out.push_str(&event::table(events));
    }
    for w in m.warnings.iter().flatten() {
        out.push_str(&format!("warning: {}\n", w.message));
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn weekly() -> MaintenanceView {
        read(json!({"id": 3, "title": "Weekly DB patching", "description": "",
               "start": "2026-12-06T03:00:00", "timezone": "Europe/Berlin", "duration": 7200,
               "rrule": "FREQ=WEEKLY;BYDAY=SU", "status": "ACTIVE", "reminder_lead": 3600,
               "notify": {}, "monitors": [], "skipped": [], "next_start": null,
               "created_at": "2026-12-01T00:00:00Z", "updated_at": "2026-12-01T00:00:00Z"}))
        .unwrap()
    }

    #[test]
    fn a_day_names_the_one_window_that_starts_on_it() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 13).unwrap();
        // 03:00 CET is 02:00 UTC.
        assert_eq!(
            occurrence_on(&weekly(), day).unwrap(),
            Utc.with_ymd_and_hms(2026, 12, 13, 2, 0, 0).unwrap()
        );
    }

    #[test]
    fn a_day_without_a_window_says_when_the_next_ones_are() {
        let err = occurrence_on(&weekly(), NaiveDate::from_ymd_opt(2026, 12, 14).unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no window of 'Weekly DB patching' starts on Mon 14 Dec 2026"),
            "{err}"
        );
        assert!(err.contains("Sun 20 Dec 2026, 03:00 CET"), "{err}");
    }

    #[test]
    fn a_day_with_several_windows_asks_for_the_time() {
        let mut m = weekly();
        m.rrule = "FREQ=WEEKLY;BYDAY=SU;BYHOUR=3,15".into();
        let err = occurrence_on(&m, NaiveDate::from_ymd_opt(2026, 12, 13).unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("03:00 CET, 15:00 CET") && err.contains("2026-12-13T03:00"),
            "{err}"
        );
    }
}
