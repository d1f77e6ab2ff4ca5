//! `lull event …`: occurrences on a running server and the operator actions on them.

use anyhow::bail;
use chrono::Utc;
use clap::Subcommand;
use reqwest::Method;
use serde_json::json;

use super::client::{Api, ClientArgs, urlencode};
use super::input::{End, parse_end, parse_seconds};
use super::output;
use crate::domain::schedule::format_utc;

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
            api.show(&v, output::event_table);
            return Ok(());
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
    api.show(&v, output::event_detail);
    Ok(())
}
