//! The plumbing of the commands that talk to a running server through the API
//! (`--server`, `--token`), and the monitor and status commands. Errors print the API's
//! reason (field and message) and exit non-zero.

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use reqwest::Method;
use serde_json::{Value, json};

use super::output;

#[derive(Debug, Args)]
pub struct ClientArgs {
    /// Base URL of the Lull server
    #[arg(long, env = "LULL_SERVER", default_value = "http://127.0.0.1:3000", global = true)]
    pub server: String,
    /// API token (from `lull token create`)
    #[arg(long, env = "LULL_TOKEN", hide_env_values = true, global = true)]
    pub token: Option<crate::config::Secret>,
}

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
        /// Group the monitor is listed under on the status page
        #[arg(long)]
        group: Option<String>,
        /// Markdown description
        #[arg(long)]
        description: Option<String>,
        /// UP, DEGRADED or DOWN
        #[arg(long)]
        status: Option<String>,
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
        /// Group the monitor is listed under on the status page
        #[arg(long)]
        group: Option<String>,
        /// Markdown description
        #[arg(long)]
        description: Option<String>,
        /// UP, DEGRADED or DOWN
        #[arg(long)]
        status: Option<String>,
    },
    /// Delete a monitor
    Delete {
        /// The monitor's slug or id
        monitor: String,
    },
}

/// The parts of a maintenance besides its title and first window.
/// A client of the server's API that prints what it gets back for people or as JSON.
pub(super) struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    pub json: bool,
}

impl Api {
    pub fn new(args: &ClientArgs, json: bool) -> anyhow::Result<Self> {
        Ok(Self {
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()?,
            base: args.server.trim_end_matches('/').to_string(),
            token: args.token.as_ref().map(|t| t.0.clone()),
            json,
        })
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        let url = format!("{}{path}", self.base);
        let mut req = self.http.request(method, &url);
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req
            .send()
            .await
            .with_context(|| format!("cannot reach the server at {}", self.base))?;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if !status.is_success() {
            let err: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            let message = err["message"].as_str().unwrap_or(text.as_str());
            match err["field"].as_str() {
                Some(field) => bail!("{field}: {message} (HTTP {})", status.as_u16()),
                None if status.as_u16() == 401 => {
                    bail!("{message} (HTTP 401; pass --token or set LULL_TOKEN)")
                }
                None => bail!("{message} (HTTP {})", status.as_u16()),
            }
        }
        if text.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).context("the server's answer is not JSON")
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.call(Method::GET, path, None).await
    }

    /// Prints `value` as JSON, or through `render` as text.
    pub fn show(&self, value: &Value, render: impl FnOnce(&Value) -> String) {
        if self.json {
            println!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
        } else {
            print!("{}", render(value));
        }
    }
}

pub async fn monitor(args: ClientArgs, json: bool, command: MonitorCommand) -> anyhow::Result<()> {
    let api = Api::new(&args, json)?;
    let v = match command {
        MonitorCommand::List => api.get("/api/v1/monitors").await?,
        MonitorCommand::Get { monitor } => api.get(&format!("/api/v1/monitors/{monitor}")).await?,
        MonitorCommand::Create {
            name,
            slug,
            group,
            description,
            status,
        } => {
            let body =
                json!({"name": name, "slug": slug, "group": group, "description": description, "status": status});
            api.call(Method::POST, "/api/v1/monitors", Some(body)).await?
        }
        MonitorCommand::Update {
            monitor,
            name,
            slug,
            group,
            description,
            status,
        } => {
            let mut body = serde_json::Map::new();
            for (k, v) in [
                ("name", name),
                ("slug", slug),
                ("group", group),
                ("description", description),
                ("status", status),
            ] {
                if let Some(v) = v {
                    body.insert(k.into(), json!(v));
                }
            }
            api.call(
                Method::PATCH,
                &format!("/api/v1/monitors/{monitor}"),
                Some(Value::Object(body)),
            )
            .await?
        }
        MonitorCommand::Delete { monitor } => {
            api.call(Method::DELETE, &format!("/api/v1/monitors/{monitor}"), None)
                .await?;
            println!("monitor {monitor} deleted");
            return Ok(());
        }
    };
    api.show(&v, output::monitor_table);
    Ok(())
}

pub async fn status(args: ClientArgs, json: bool) -> anyhow::Result<()> {
    let api = Api::new(&args, json)?;
    let v = api.get("/api/v1/status").await?;
    api.show(&v, output::status);
    Ok(())
}

pub(super) fn urlencode(v: &str) -> String {
    form_urlencoded::byte_serialize(v.as_bytes()).collect()
}
