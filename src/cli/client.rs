//! CLI commands that talk to a running server through the API (`--server`, `--token`).
//! Errors print the API's reason (field and message) and exit non-zero.

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use reqwest::Method;
use serde_json::{Value, json};

use super::output::table;

#[derive(Debug, Args)]
pub struct ClientArgs {
    /// Base URL of the Lull server
    #[arg(long, env = "LULL_SERVER", default_value = "http://127.0.0.1:3000", global = true)]
    pub server: String,
    /// API token (from `lull token create`)
    #[arg(long, env = "LULL_TOKEN", hide_env_values = true, global = true)]
    pub token: Option<crate::config::Secret>,
    /// Print the API's JSON instead of a table
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum MonitorCommand {
    /// List monitors
    List,
    /// Show one monitor (by slug or id)
    Get { monitor: String },
    /// Create a monitor
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        slug: String,
        #[arg(long)]
        group: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// UP, DEGRADED or DOWN
        #[arg(long)]
        status: Option<String>,
    },
    /// Change a monitor (by slug or id), e.g. its manual status
    Update {
        monitor: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        slug: Option<String>,
        #[arg(long)]
        group: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// UP, DEGRADED or DOWN
        #[arg(long)]
        status: Option<String>,
    },
    /// Delete a monitor
    Delete { monitor: String },
}

#[derive(Debug, Args)]
pub struct ScheduleArgs {
    /// Markdown description
    #[arg(long)]
    pub description: Option<String>,
    /// Local start, YYYY-MM-DDTHH:MM[:SS]
    #[arg(long)]
    pub start: Option<String>,
    /// IANA time zone, e.g. Europe/Berlin
    #[arg(long)]
    pub tz: Option<String>,
    /// Window length: seconds, or with a unit (90m, 2h, 1d)
    #[arg(long)]
    pub duration: Option<String>,
    /// RRULE, e.g. FREQ=WEEKLY;BYDAY=SU (one-time when omitted on create)
    #[arg(long)]
    pub rrule: Option<String>,
    /// Affected monitor as SLUG or SLUG:IMPACT (MAINTENANCE, DOWN, DEGRADED, UP); repeatable
    #[arg(long = "monitor")]
    pub monitors: Vec<String>,
    /// Reminder lead time: seconds or with a unit (default 1h)
    #[arg(long)]
    pub reminder_lead: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum MaintenanceCommand {
    /// List maintenances
    List {
        /// ACTIVE or INACTIVE
        #[arg(long)]
        status: Option<String>,
    },
    /// Show one maintenance with its events
    Get { id: i64 },
    /// Schedule a maintenance
    Create {
        #[arg(long)]
        title: String,
        #[command(flatten)]
        schedule: ScheduleArgs,
        /// Save as INACTIVE (no events)
        #[arg(long)]
        inactive: bool,
    },
    /// Change a maintenance; future events follow a new schedule
    Update {
        id: i64,
        #[arg(long)]
        title: Option<String>,
        #[command(flatten)]
        schedule: ScheduleArgs,
        /// ACTIVE or INACTIVE
        #[arg(long)]
        status: Option<String>,
    },
    /// Cancel a maintenance: make it INACTIVE, cancelling every event not yet started
    Cancel { id: i64 },
    /// Skip one occurrence (its start, RFC 3339 or local YYYY-MM-DDTHH:MM)
    Skip {
        id: i64,
        #[arg(long)]
        start: String,
    },
    /// Delete a maintenance and all its events
    Delete { id: i64 },
    /// List a maintenance's events
    Events { id: i64 },
}

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
        #[arg(long)]
        limit: Option<i64>,
    },
    /// Show one event with its updates
    Get { id: i64 },
    /// Start an event now, ahead of schedule
    Start { id: i64 },
    /// Complete an ongoing event now
    Complete { id: i64 },
    /// Cancel an event
    Cancel { id: i64 },
    /// Move an event's end later: --end INSTANT or --by DURATION (seconds, 30m, 1h)
    Extend {
        id: i64,
        #[arg(long, conflicts_with = "by", required_unless_present = "by")]
        end: Option<String>,
        #[arg(long)]
        by: Option<String>,
    },
    /// Post a progress update
    Update {
        id: i64,
        #[arg(long)]
        body: String,
    },
}

struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    json: bool,
}

impl Api {
    fn new(args: &ClientArgs) -> anyhow::Result<Self> {
        Ok(Self {
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()?,
            base: args.server.trim_end_matches('/').to_string(),
            token: args.token.as_ref().map(|t| t.0.clone()),
            json: args.json,
        })
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
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

    async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.call(Method::GET, path, None).await
    }

    /// Prints `value` as JSON, or through `render` as text.
    fn show(&self, value: &Value, render: impl FnOnce(&Value) -> String) {
        if self.json {
            println!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
        } else {
            print!("{}", render(value));
        }
    }
}

fn s(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Seconds from `90`, `90s`, `30m`, `2h` or `1d`.
pub fn parse_seconds(flag: &str, text: &str) -> anyhow::Result<i64> {
    let text = text.trim();
    let (digits, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let n: i64 = digits
        .parse()
        .with_context(|| format!("--{flag}: '{text}' is not a duration like 3600, 90m, 2h or 1d"))?;
    let factor = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => bail!("--{flag}: unknown unit '{unit}' (use s, m, h or d)"),
    };
    Ok(n * factor)
}

fn monitors_json(list: &[String]) -> Value {
    Value::Array(
        list.iter()
            .map(|m| match m.split_once(':') {
                Some((slug, impact)) => {
                    json!({"slug": slug, "impact": impact.to_ascii_uppercase()})
                }
                None => json!({"slug": m}),
            })
            .collect(),
    )
}

fn schedule_json(body: &mut serde_json::Map<String, Value>, a: &ScheduleArgs) -> anyhow::Result<()> {
    if let Some(v) = &a.description {
        body.insert("description".into(), json!(v));
    }
    if let Some(v) = &a.start {
        body.insert("start".into(), json!(v));
    }
    if let Some(v) = &a.tz {
        body.insert("timezone".into(), json!(v));
    }
    if let Some(v) = &a.duration {
        body.insert("duration".into(), json!(parse_seconds("duration", v)?));
    }
    if let Some(v) = &a.rrule {
        body.insert("rrule".into(), json!(v));
    }
    if let Some(v) = &a.reminder_lead {
        body.insert("reminder_lead".into(), json!(parse_seconds("reminder-lead", v)?));
    }
    if !a.monitors.is_empty() {
        body.insert("monitors".into(), monitors_json(&a.monitors));
    }
    Ok(())
}

fn monitor_table(v: &Value) -> String {
    let list = v.as_array().cloned().unwrap_or_else(|| vec![v.clone()]);
    let rows = list
        .iter()
        .map(|m| {
            vec![
                s(&m["id"]),
                s(&m["slug"]),
                s(&m["name"]),
                s(&m["group"]),
                s(&m["status"]),
            ]
        })
        .collect();
    table(&["ID", "SLUG", "NAME", "GROUP", "STATUS"], rows)
}

fn affected(v: &Value) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|m| format!("{}:{}", s(&m["slug"]), s(&m["impact"])))
                .collect::<Vec<_>>()
                .join(",")
        })
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "-".into())
}

fn event_table(v: &Value) -> String {
    let list = v.as_array().cloned().unwrap_or_else(|| vec![v.clone()]);
    let rows = list
        .iter()
        .map(|e| {
            vec![
                s(&e["id"]),
                s(&e["status"]),
                s(&e["start"]),
                s(&e["end"]),
                affected(&e["monitors"]),
                s(&e["title"]),
            ]
        })
        .collect();
    table(&["ID", "STATUS", "START", "END", "MONITORS", "TITLE"], rows)
}

fn event_detail(e: &Value) -> String {
    let mut out = event_table(e);
    if let Some(updates) = e["updates"].as_array() {
        for u in updates {
            out.push_str(&format!("  [{}] {}\n", s(&u["created_at"]), s(&u["body"])));
        }
    }
    out
}

fn maintenance_table(v: &Value) -> String {
    let list = v.as_array().cloned().unwrap_or_else(|| vec![v.clone()]);
    let rows = list
        .iter()
        .map(|m| {
            vec![
                s(&m["id"]),
                s(&m["status"]),
                format!("{} {}", s(&m["start"]), s(&m["timezone"])),
                s(&m["duration"]),
                s(&m["rrule"]),
                s(&m["next_start"]),
                affected(&m["monitors"]),
                s(&m["title"]),
            ]
        })
        .collect();
    table(
        &["ID", "STATUS", "START", "SECONDS", "RRULE", "NEXT", "MONITORS", "TITLE"],
        rows,
    )
}

fn maintenance_detail(m: &Value) -> String {
    let mut out = maintenance_table(m);
    if let Some(events) = m["events"].as_array().filter(|e| !e.is_empty()) {
        out.push_str("\nEvents:\n");
        out.push_str(&event_table(&Value::Array(events.clone())));
    }
    if let Some(warnings) = m["warnings"].as_array() {
        for w in warnings {
            out.push_str(&format!("warning: {}\n", s(&w["message"])));
        }
    }
    out
}

pub async fn monitor(args: ClientArgs, command: MonitorCommand) -> anyhow::Result<()> {
    let api = Api::new(&args)?;
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
    api.show(&v, monitor_table);
    Ok(())
}

pub async fn maintenance(args: ClientArgs, command: MaintenanceCommand) -> anyhow::Result<()> {
    let api = Api::new(&args)?;
    let v = match command {
        MaintenanceCommand::List { status } => {
            let q = status.map(|s| format!("?status={s}")).unwrap_or_default();
            let v = api.get(&format!("/api/v1/maintenances{q}")).await?;
            api.show(&v, maintenance_table);
            return Ok(());
        }
        MaintenanceCommand::Get { id } => api.get(&format!("/api/v1/maintenances/{id}")).await?,
        MaintenanceCommand::Create {
            title,
            schedule,
            inactive,
        } => {
            let mut body = serde_json::Map::new();
            body.insert("title".into(), json!(title));
            schedule_json(&mut body, &schedule)?;
            for required in ["start", "timezone", "duration"] {
                if !body.contains_key(required) {
                    let flag = if required == "timezone" { "tz" } else { required };
                    bail!("--{flag} is required to create a maintenance");
                }
            }
            if inactive {
                body.insert("status".into(), json!("INACTIVE"));
            }
            api.call(Method::POST, "/api/v1/maintenances", Some(Value::Object(body)))
                .await?
        }
        MaintenanceCommand::Update {
            id,
            title,
            schedule,
            status,
        } => {
            let mut body = serde_json::Map::new();
            if let Some(t) = title {
                body.insert("title".into(), json!(t));
            }
            if let Some(s) = status {
                body.insert("status".into(), json!(s));
            }
            schedule_json(&mut body, &schedule)?;
            api.call(
                Method::PATCH,
                &format!("/api/v1/maintenances/{id}"),
                Some(Value::Object(body)),
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
        MaintenanceCommand::Skip { id, start } => {
            api.call(
                Method::POST,
                &format!("/api/v1/maintenances/{id}/skip"),
                Some(json!({"start": start})),
            )
            .await?
        }
        MaintenanceCommand::Delete { id } => {
            api.call(Method::DELETE, &format!("/api/v1/maintenances/{id}"), None)
                .await?;
            println!("maintenance {id} deleted");
            return Ok(());
        }
        MaintenanceCommand::Events { id } => {
            let v = api.get(&format!("/api/v1/maintenances/{id}/events")).await?;
            api.show(&v, event_table);
            return Ok(());
        }
    };
    api.show(&v, maintenance_detail);
    Ok(())
}

pub async fn event(args: ClientArgs, command: EventCommand) -> anyhow::Result<()> {
    let api = Api::new(&args)?;
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
            api.show(&v, event_table);
            return Ok(());
        }
        EventCommand::Get { id } => api.get(&format!("/api/v1/events/{id}")).await?,
        EventCommand::Start { id } => api.call(Method::POST, &post(id, "start"), None).await?,
        EventCommand::Complete { id } => api.call(Method::POST, &post(id, "complete"), None).await?,
        EventCommand::Cancel { id } => api.call(Method::POST, &post(id, "cancel"), None).await?,
        EventCommand::Extend { id, end, by } => {
            let body = match (end, by) {
                (Some(end), _) => json!({"end": end}),
                (None, Some(by)) => json!({"seconds": parse_seconds("by", &by)?}),
                (None, None) => bail!("give --end or --by"),
            };
            api.call(Method::POST, &post(id, "extend"), Some(body)).await?
        }
        EventCommand::Update { id, body } => {
            api.call(Method::POST, &post(id, "updates"), Some(json!({"body": body})))
                .await?
        }
    };
    api.show(&v, event_detail);
    Ok(())
}

pub async fn status(args: ClientArgs) -> anyhow::Result<()> {
    let api = Api::new(&args)?;
    let v = api.get("/api/v1/status").await?;
    api.show(&v, |v| {
        let rows = v["monitors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|m| vec![s(&m["slug"]), s(&m["name"]), s(&m["status"]), s(&m["effective_status"])])
                    .collect()
            })
            .unwrap_or_default();
        let mut out = table(&["SLUG", "NAME", "OWN", "SHOWN"], rows);
        for (label, key) in [("Ongoing", "ongoing"), ("Upcoming", "upcoming")] {
            if let Some(list) = v[key].as_array().filter(|l| !l.is_empty()) {
                out.push_str(&format!("\n{label}:\n"));
                out.push_str(&event_table(&Value::Array(list.clone())));
            }
        }
        out
    });
    Ok(())
}

fn urlencode(v: &str) -> String {
    form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::parse_seconds;

    #[test]
    fn durations_take_units() {
        assert_eq!(parse_seconds("d", "90").unwrap(), 90);
        assert_eq!(parse_seconds("d", "30m").unwrap(), 1800);
        assert_eq!(parse_seconds("d", "2h").unwrap(), 7200);
        assert_eq!(parse_seconds("d", "1d").unwrap(), 86400);
        assert!(parse_seconds("d", "2w").is_err());
        assert!(parse_seconds("d", "soon").is_err());
    }
}
