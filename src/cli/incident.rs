//! `lull incident …`: open, update, resolve and list incidents on a running server.

use clap::Subcommand;
use reqwest::Method;
use serde_json::json;

use super::api::{Api, ClientArgs};
use super::input::monitor_refs;
use super::output::{affected, at, instant, table};
use crate::web::api::views::IncidentView;

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Open incidents, then those resolved in the last 90 days
    List {
        /// At most this many (default 100, at most 500)
        #[arg(long)]
        limit: Option<i64>,
    },
    /// Show one incident with its updates
    Get {
        /// The incident's id
        id: i64,
    },
    /// Open an incident, e.g. `lull incident open "API errors" --body "Investigating" --monitor api`
    Open {
        /// Its title
        title: String,
        /// What is known so far (Markdown): the first update
        #[arg(long, short)]
        body: String,
        /// Affected monitor as SLUG or SLUG:IMPACT (DOWN, the default, or DEGRADED); repeatable
        #[arg(long = "monitor")]
        monitors: Vec<String>,
        /// INVESTIGATING (default), IDENTIFIED or MONITORING
        #[arg(long)]
        status: Option<String>,
        /// Keep it from visitors and subscribers until published (`lull incident publish`)
        #[arg(long)]
        draft: bool,
        /// Tell no subscriber or webhook
        #[arg(long)]
        quiet: bool,
    },
    /// Post an update, e.g. `lull incident update 3 --status identified "A bad deploy"`
    Update {
        /// The incident's id
        id: i64,
        /// The update (Markdown); several words are joined with spaces
        #[arg(required = true)]
        text: Vec<String>,
        /// The status from now on: INVESTIGATING, IDENTIFIED or MONITORING (default: unchanged)
        #[arg(long)]
        status: Option<String>,
        /// Tell no subscriber or webhook
        #[arg(long)]
        quiet: bool,
    },
    /// Resolve an incident with a last update (default "Resolved.")
    Resolve {
        /// The incident's id
        id: i64,
        /// The last update (Markdown)
        text: Vec<String>,
        /// Tell no subscriber or webhook
        #[arg(long)]
        quiet: bool,
    },
    /// Publish a draft: visitors see it and subscribers are told
    Publish {
        /// The incident's id
        id: i64,
    },
    /// Delete an incident opened by mistake
    Delete {
        /// The incident's id
        id: i64,
    },
}

pub async fn run(args: ClientArgs, json: bool, command: IncidentCommand) -> anyhow::Result<()> {
    let api = Api::new(&args, json)?;
    let one = |id: i64| format!("/api/v1/incidents/{id}");
    let v = match command {
        IncidentCommand::List { limit } => {
            let q = limit.map(|l| format!("?limit={l}")).unwrap_or_default();
            let v = api.get(&format!("/api/v1/incidents{q}")).await?;
            return api.show(v, |list: &Vec<IncidentView>| list_table(list));
        }
        IncidentCommand::Get { id } => api.get(&one(id)).await?,
        IncidentCommand::Open {
            title,
            body,
            monitors,
            status,
            draft,
            quiet,
        } => {
            let body = json!({"title": title, "body": body, "monitors": monitor_refs(&monitors),
                              "status": status, "draft": draft, "notify": !quiet});
            api.call(Method::POST, "/api/v1/incidents", Some(body)).await?
        }
        IncidentCommand::Update {
            id,
            text,
            status,
            quiet,
        } => {
            let body = json!({"body": text.join(" "), "status": status, "notify": !quiet});
            api.call(Method::POST, &format!("{}/updates", one(id)), Some(body))
                .await?
        }
        IncidentCommand::Resolve { id, text, quiet } => {
            let text = if text.is_empty() {
                "Resolved.".to_string()
            } else {
                text.join(" ")
            };
            let body = json!({"body": text, "status": "RESOLVED", "notify": !quiet});
            api.call(Method::POST, &format!("{}/updates", one(id)), Some(body))
                .await?
        }
        IncidentCommand::Publish { id } => api.call(Method::PATCH, &one(id), Some(json!({"draft": false}))).await?,
        IncidentCommand::Delete { id } => {
            api.call(Method::DELETE, &one(id), None).await?;
            if !json {
                println!("Incident {id} deleted.");
            }
            return Ok(());
        }
    };
    api.show(v, detail)
}

fn list_table(list: &[IncidentView]) -> String {
    let rows = list
        .iter()
        .map(|i| {
            let opened = instant(&i.created_at).map_or_else(|| i.created_at.clone(), |t| at(t, chrono_tz::UTC));
            let status = if i.draft {
                format!("{} (draft)", i.status)
            } else {
                i.status.to_string()
            };
            vec![i.id.to_string(), status, opened, affected(&i.monitors), i.title.clone()]
        })
        .collect();
    table(&["ID", "STATUS", "OPENED", "MONITORS", "TITLE"], rows)
}

/// One incident: status, monitors and every update, newest first.
fn detail(i: &IncidentView) -> String {
    let draft = if i.draft { ", draft" } else { "" };
    let mut out = format!("Incident {}: {} ({}{draft})\n", i.id, i.title, i.status);
    let when = |v: &str| instant(v).map_or_else(|| v.to_string(), |t| at(t, chrono_tz::UTC));
    out.push_str(&format!("  Opened:    {}\n", when(&i.created_at)));
    if let Some(r) = &i.resolved_at {
        out.push_str(&format!("  Resolved:  {}\n", when(r)));
    }
    out.push_str(&format!("  Monitors:  {}\n", affected(&i.monitors)));
    out.push_str("  Updates (newest first):\n");
    for u in &i.updates {
        out.push_str(&format!(
            "    {}  {:<13}  {}\n",
            when(&u.created_at),
            u.status.as_str(),
            u.body
        ));
    }
    out
}
