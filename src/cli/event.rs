//! `lull event …`: occurrences on a running server and the operator actions on them.

use anyhow::bail;
use chrono::Utc;
use clap::Subcommand;
use reqwest::Method;
use serde_json::json;

use super::api::{Api, ClientArgs, urlencode};
use super::input::{End, parse_end, parse_seconds};
use super::output::{affected, api_span, at, instant, window, zone};
use crate::domain::schedule::format_utc;
use crate::web::api::views::EventView;

#[derive(Debug, Subcommand)]
pub enum EventCommand {
    /// List events
    List {
        /// Only events ending after this instant (RFC 3339)
        #[arg(long)]
        from: Option<String>,
        /// Only events starting before this instant (RFC 3339)
        #[arg(long)]
        to: Option<String>,
        /// SCHEDULED, READY, ONGOING, COMPLETED or CANCELLED
        #[arg(long)]
        status: Option<String>,
        /// Only events affecting this monitor (slug)
        #[arg(long)]
        monitor: Option<String>,
        /// At most this many events (default 200, at most 1000)
        #[arg(long)]
        limit: Option<i64>,
    },
    /// Show one event with its updates
    Get {
        /// The event's id
        id: i64,
    },
    /// Start an event now, ahead of schedule; it keeps its planned length unless --end
    Start {
        /// The event's id
        id: i64,
        /// When it ends: an instant (2026-12-06T05:00:00Z) or a duration from now (90m)
        #[arg(long, value_parser = parse_end)]
        end: Option<End>,
    },
    /// Complete an ongoing event now
    Complete {
        /// The event's id
        id: i64,
    },
    /// Cancel an event
    Cancel {
        /// The event's id
        id: i64,
    },
    /// Move an event's end later
    Extend {
        /// The event's id
        id: i64,
        /// The new end: an instant (2026-12-06T05:00:00Z) or a duration from now (90m)
        #[arg(long, value_parser = parse_end, conflicts_with = "by", required_unless_present = "by")]
        end: Option<End>,
        /// How much later than the current end: 30m, 1h, 1h30m or seconds
        #[arg(long, value_parser = parse_seconds)]
        by: Option<i64>,
    },
    /// Post a progress update, e.g. `lull event update 12 "Rebooting the second half"`
    Update {
        /// The event's id
        id: i64,
        /// The update (Markdown); several words are joined with spaces
        #[arg(required_unless_present = "body")]
        text: Vec<String>,
        /// The same as TEXT (the older spelling)
        #[arg(long, conflicts_with = "text")]
        body: Option<String>,
    },
}

pub async fn run(args: ClientArgs, json: bool, command: EventCommand) -> anyhow::Result<()> {
    let api = Api::new(&args, json)?;
    let post = |id: i64, op: &str| format!("/api/v1/events/{id}/{op}");
    let v = match command {
        EventCommand::List {
            from,
            to,
            status,
            monitor,
            limit,
        } => {
            let query: Vec<String> = [
                ("from", from),
                ("to", to),
                ("status", status),
                ("monitor", monitor),
                ("limit", limit.map(|l| l.to_string())),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k}={}", urlencode(&v))))
            .collect();
            let q = if query.is_empty() {
                String::new()
            } else {
                format!("?{}", query.join("&"))
            };
            let v = api.get(&format!("/api/v1/events{q}")).await?;
            return api.show(v, |list: &Vec<EventView>| table(list));
        }
        EventCommand::Get { id } => api.get(&format!("/api/v1/events/{id}")).await?,
        EventCommand::Start { id, end } => {
            let body = end.map(|end| json!({"end": format_utc(end.resolve(Utc::now()))}));
            api.call(Method::POST, &post(id, "start"), body).await?
        }
        EventCommand::Complete { id } => api.call(Method::POST, &post(id, "complete"), None).await?,
        EventCommand::Cancel { id } => api.call(Method::POST, &post(id, "cancel"), None).await?,
        EventCommand::Extend { id, end, by } => {
            let body = match (end, by) {
                (Some(end), _) => json!({"end": format_utc(end.resolve(Utc::now()))}),
                (None, Some(by)) => json!({"seconds": by}),
                (None, None) => bail!("give --end or --by"),
            };
            api.call(Method::POST, &post(id, "extend"), Some(body)).await?
        }
        EventCommand::Update { id, text, body } => {
            let body = body.unwrap_or_else(|| text.join(" "));
            api.call(Method::POST, &post(id, "updates"), Some(json!({"body": body})))
                .await?
        }
    };
    api.show(v, detail)
}

/// Events as a table, each window in its maintenance's zone.
pub(super) fn table(list: &[EventView]) -> String {
    let rows = list
        .iter()
        .map(|e| {
            vec![
                e.id.to_string(),
                e.status.as_str().to_string(),
                api_span(&e.start, &e.end, zone(&e.timezone)),
                affected(&e.monitors),
                e.title.clone(),
            ]
        })
        .collect();
    super::output::table(&["ID", "STATUS", "WHEN", "MONITORS", "TITLE"], rows)
}

/// One event: its window (and the planned one when an operator moved it), monitors and
/// progress updates.
fn detail(e: &EventView) -> String {
    let tz = zone(&e.timezone);
    let mut out = format!(
        "Event {} of maintenance {}: {} ({})\n",
        e.id,
        e.maintenance_id,
        e.title,
        e.status.as_str()
    );
    if let (Some(start), Some(end)) = (instant(&e.start), instant(&e.end)) {
        out.push_str(&format!("  When:      {}\n", window(start, end, tz)));
        if let (Some(ps), Some(pe)) = (instant(&e.scheduled_start), instant(&e.scheduled_end))
            && (ps, pe) != (start, end)
        {
            out.push_str(&format!("  Planned:   {}\n", window(ps, pe, tz)));
        }
    }
    out.push_str(&format!("  Monitors:  {}\n", affected(&e.monitors)));
    if let Some(cancelled) = e.cancelled_at.as_deref().and_then(instant) {
        let why = e.cancel_reason.as_deref().unwrap_or("-");
        out.push_str(&format!("  Cancelled: {} ({why})\n", at(cancelled, tz)));
    }
    if !e.updates.is_empty() {
        out.push_str("  Updates (newest first):\n");
        for u in &e.updates {
            let when = instant(&u.created_at).map_or_else(|| u.created_at.clone(), |t| at(t, tz));
            out.push_str(&format!("    {when}  {}\n", u.body));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::domain::impact::Impact;
    use crate::domain::lifecycle::EventStatus;
    use crate::web::api::views::{AffectedMonitor, EventView};

    #[test]
    fn an_event_table_shows_the_window_in_the_maintenance_zone() {
        let event = EventView {
            id: 4,
            maintenance_id: 2,
            title: "Patching".into(),
            description: String::new(),
            status: EventStatus::Scheduled,
            start: "2026-12-13T02:00:00Z".into(),
            end: "2026-12-13T04:00:00Z".into(),
            scheduled_start: "2026-12-13T02:00:00Z".into(),
            scheduled_end: "2026-12-13T04:00:00Z".into(),
            timezone: "Europe/Berlin".into(),
            cancelled_at: None,
            cancel_reason: None,
            observed: true,
            monitors: vec![AffectedMonitor {
                slug: "db".into(),
                name: "Database".into(),
                impact: Impact::Down,
            }],
            updates: vec![],
        };
        assert_eq!(
            super::table(&[event]),
            "ID  STATUS     WHEN                              MONITORS  TITLE\n\
             4   SCHEDULED  Sun 13 Dec 2026, 03:00–05:00 CET  db:DOWN   Patching\n"
        );
    }
}
