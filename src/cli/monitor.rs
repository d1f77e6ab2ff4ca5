//! `lull monitor …`: the services on the status page, on a running server.

use clap::Subcommand;
use reqwest::Method;
use serde::Serialize;

use super::api::{Api, ClientArgs};
use super::input::parse_seconds;
use super::output::{cell, table};
use crate::service::monitors::MonitorView;

#[derive(Debug, Subcommand)]
pub enum MonitorCommand {
    /// List monitors
    List,
    /// Show one monitor
    Get {
        /// The monitor's slug or id
        monitor: String,
    },
    /// Create a monitor
    Create {
        /// Name shown on the status page, e.g. "Public API"
        #[arg(long)]
        name: String,
        /// Short unique name used by the API and CLI, e.g. api (lower case, digits, -)
        #[arg(long)]
        slug: String,
        #[command(flatten)]
        fields: Fields,
    },
    /// Change a monitor, e.g. its manual status
    Update {
        /// The monitor's slug or id
        monitor: String,
        /// New name shown on the status page
        #[arg(long)]
        name: Option<String>,
        /// New slug (scripts that use the old one stop finding it)
        #[arg(long)]
        slug: Option<String>,
        #[command(flatten)]
        fields: Fields,
    },
    /// Delete a monitor
    Delete {
        /// The monitor's slug or id
        monitor: String,
    },
}

/// What `create` and `update` send besides names; a field left out is not sent (on
/// update: unchanged).
#[derive(Debug, clap::Args, Serialize)]
pub struct Fields {
    /// Group the monitor is listed under on the status page
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    /// Markdown description
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    /// UP, DEGRADED or DOWN (manual monitors; the others' checks set it)
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    /// How the status is found: manual (default), http, tcp, heartbeat or statuspage
    #[arg(long = "type")]
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    /// http: the URL to ask, e.g. https://api.example.com/health; statuspage: the followed
    /// page's base URL, e.g. https://www.githubstatus.com
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    /// Alertmanager label matchers of its alerts, overriding LULL_ALERTMANAGER_MATCHER,
    /// e.g. 'job="api",env="prod"' ("" goes back to the default)
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    alertmanager_matcher: Option<String>,
    /// statuspage: the component to follow, by name (the whole page without it; "" on an
    /// update goes back to the whole page)
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    component: Option<String>,
    /// http: GET (default), HEAD, POST, PUT, PATCH, DELETE or OPTIONS
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<String>,
    /// tcp: host:port to connect to
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<String>,
    /// Time between checks, at least 10s: 30s, 1m, 5m or seconds (default 1m)
    #[arg(long, value_parser = parse_seconds)]
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<i64>,
    /// Time a check may take, at most 60s and the interval (default 10s)
    #[arg(long, value_parser = parse_seconds)]
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout: Option<i64>,
    /// http: status codes that count as up, e.g. 200-399 (default) or 200,204
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    expect_status: Option<String>,
    /// http: text the body must contain ("" removes it)
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    keyword: Option<String>,
    /// Failed checks in a row, beyond the first, before the monitor is DOWN (0-10)
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    retries: Option<i64>,
    /// Answers slower than this many milliseconds make the monitor DEGRADED (0: never)
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    degraded_after_ms: Option<i64>,
    /// http: follow redirects (true or false; default true)
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    follow_redirects: Option<bool>,
    /// http: verify the TLS certificate (true or false; default true)
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    verify_tls: Option<bool>,
}

pub async fn run(args: ClientArgs, json: bool, command: MonitorCommand) -> anyhow::Result<()> {
    let api = Api::new(&args, json)?;
    let one = match command {
        MonitorCommand::List => {
            let v = api.get("/api/v1/monitors").await?;
            return api.show(v, |list: &Vec<MonitorView>| render(list));
        }
        MonitorCommand::Get { monitor } => api.get(&format!("/api/v1/monitors/{monitor}")).await?,
        MonitorCommand::Create { name, slug, fields } => {
            let mut body = serde_json::to_value(&fields)?;
            body["name"] = name.into();
            body["slug"] = slug.into();
            api.call(Method::POST, "/api/v1/monitors", Some(body)).await?
        }
        MonitorCommand::Update {
            monitor,
            name,
            slug,
            fields,
        } => {
            let mut body = serde_json::to_value(&fields)?;
            for (key, value) in [("name", name), ("slug", slug)] {
                if let Some(value) = value {
                    body[key] = value.into();
                }
            }
            api.call(Method::PATCH, &format!("/api/v1/monitors/{monitor}"), Some(body))
                .await?
        }
        MonitorCommand::Delete { monitor } => {
            api.call(Method::DELETE, &format!("/api/v1/monitors/{monitor}"), None)
                .await?;
            println!("monitor {monitor} deleted");
            return Ok(());
        }
    };
    api.show(one, |m: &MonitorView| render(std::slice::from_ref(m)))
}

fn render(list: &[MonitorView]) -> String {
    let rows = list
        .iter()
        .map(|m| {
            vec![
                m.id.to_string(),
                m.slug.clone(),
                m.name.clone(),
                cell(m.group.as_deref()),
                m.status.as_str().to_string(),
                m.check_summary(),
            ]
        })
        .collect();
    table(&["ID", "SLUG", "NAME", "GROUP", "STATUS", "CHECK"], rows)
}
