//! `lull monitor …`: the services on the status page, on a running server.

use clap::Subcommand;
use reqwest::Method;
use serde::Serialize;

use super::api::{Api, ClientArgs};
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
    /// UP, DEGRADED or DOWN
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
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
            ]
        })
        .collect();
    table(&["ID", "SLUG", "NAME", "GROUP", "STATUS"], rows)
}
