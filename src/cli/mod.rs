//! The `lull` binary's commands. `serve`, `migrate`, `token` and `admin` work on the
//! database directly; `schedule preview` is pure; the rest talk to a running server over
//! the API.

mod api;
mod declare;
mod event;
mod incident;
mod input;
mod maintenance;
mod monitor;
mod output;
mod status;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::Arc;

use anyhow::bail;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use tokio_util::sync::CancellationToken;

use crate::app;
use crate::clock::SystemClock;
use crate::config::{Secret, Site};
use crate::domain::format;
use crate::domain::schedule::{ONE_TIME, Schedule, format_utc};
use crate::notify::MailerSettings;
use crate::service::{Services, admins, maintenances, tokens};

#[derive(Debug, Parser)]
#[command(
    name = "lull",
    version,
    about = "A self-hosted status page server whose heart is planned maintenance"
)]
pub struct Cli {
    /// Print JSON instead of text meant for people (the API's JSON for server commands)
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// The command line definition as `main` uses it: clap prints `[env: NAME=]` for a
/// variable that is not set, which reads as if it were set to nothing, so the value part
/// is left out for those (set ones still show their value, secrets never).
pub fn command() -> clap::Command {
    fn hide_unset_env_values(cmd: clap::Command) -> clap::Command {
        cmd.mut_args(|arg| match arg.get_env() {
            Some(name) if std::env::var_os(name).is_none() => arg.hide_env_values(true),
            _ => arg,
        })
        .mut_subcommands(hide_unset_env_values)
    }
    hide_unset_env_values(Cli::command())
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (status API, scheduler)
    Serve(ServeArgs),
    /// Apply database migrations and exit
    Migrate(DbArgs),
    /// Create, list and revoke API tokens (works on the database directly)
    Token {
        #[command(flatten)]
        db: DbArgs,
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Create, list and remove dashboard admins, set a password (works on the database directly)
    Admin {
        #[command(flatten)]
        db: DbArgs,
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Work with schedules without a server
    Schedule {
        #[command(subcommand)]
        command: ScheduleCommand,
    },
    /// Monitors on a running server
    Monitor {
        #[command(flatten)]
        client: api::ClientArgs,
        #[command(subcommand)]
        command: monitor::MonitorCommand,
    },
    /// Maintenances on a running server
    Maintenance {
        #[command(flatten)]
        client: api::ClientArgs,
        #[command(subcommand)]
        command: maintenance::MaintenanceCommand,
    },
    /// Events (occurrences) on a running server, and the operator actions on them
    Event {
        #[command(flatten)]
        client: api::ClientArgs,
        #[command(subcommand)]
        command: event::EventCommand,
    },
    /// Incidents on a running server: open, update, resolve, list
    Incident {
        #[command(flatten)]
        client: api::ClientArgs,
        #[command(subcommand)]
        command: incident::IncidentCommand,
    },
    /// What the status page shows now
    Status {
        #[command(flatten)]
        client: api::ClientArgs,
    },
    /// Make the server's monitors and maintenance plans what a TOML file declares
    /// (monitors by slug, plans by key; keyed plans no longer declared are deactivated)
    Apply {
        #[command(flatten)]
        client: api::ClientArgs,
        /// The file, e.g. lull.toml (what `lull export` writes)
        #[arg(short = 'f', long = "file")]
        file: std::path::PathBuf,
        /// Print the changes without making them
        #[arg(long)]
        dry_run: bool,
    },
    /// Write the server's monitors and maintenance plans as a file `lull apply` takes
    Export {
        #[command(flatten)]
        client: api::ClientArgs,
        /// Write here instead of to standard output
        #[arg(short = 'o', long = "output")]
        output: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct DbArgs {
    /// Database: sqlite://FILE or postgres://USER@HOST/DB (serve and migrate create a
    /// missing SQLite file; token and admin need an existing one)
    #[arg(
        long,
        env = "LULL_DATABASE_URL",
        default_value = "sqlite://lull.db",
        hide_env_values = true
    )]
    pub database_url: Secret,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on
    #[arg(long, env = "LULL_BIND", default_value = "127.0.0.1:3000")]
    pub bind: String,
    /// Log format: text or json (filter with LULL_LOG, e.g. LULL_LOG=debug)
    #[arg(long, env = "LULL_LOG_FORMAT", default_value = "text")]
    pub log_format: String,
    /// Name shown on the status page
    #[arg(long, env = "LULL_SITE_NAME", default_value = "Status")]
    pub site_name: String,
    /// Logo image URL shown instead of the name
    #[arg(long, env = "LULL_LOGO_URL")]
    pub logo_url: Option<String>,
    /// Accent colour of the pages, #rrggbb
    #[arg(long, env = "LULL_ACCENT_COLOR", default_value = "#0969da")]
    pub accent_color: String,
    /// Base URL of every absolute link (default: http:// + the bind address)
    #[arg(long, env = "LULL_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Mail server for notices: smtp://host:25, smtp://user:pass@host:587?tls=required, smtps://host:465
    #[arg(long, env = "LULL_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<Secret>,
    /// Sender of notices, e.g. "Acme Status <status@acme.example>"
    #[arg(long, env = "LULL_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// SMTP user name, when not in LULL_SMTP_URL
    #[arg(long, env = "LULL_SMTP_USERNAME")]
    pub smtp_username: Option<String>,
    /// SMTP password, when not in LULL_SMTP_URL
    #[arg(long, env = "LULL_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<Secret>,
    /// Seconds to wait for the mail server before an attempt counts as failed
    #[arg(long, env = "LULL_SMTP_TIMEOUT", default_value_t = 20)]
    pub smtp_timeout: u64,
    /// Seconds a claimed notice waits before another worker retries it after a crash
    #[arg(long, env = "LULL_DELIVERY_LEASE", default_value_t = crate::notify::LEASE_SECS)]
    pub delivery_lease: i64,
    /// Connections served at once; more wait until one closes
    #[arg(long, env = "LULL_MAX_CONNECTIONS", default_value_t = app::MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Reverse proxies (comma-separated CIDRs) whose Forwarded/X-Forwarded-For name the client
    #[arg(long, env = "LULL_TRUSTED_PROXIES")]
    pub trusted_proxies: Option<String>,
    /// Refuse webhooks to loopback, private and link-local addresses (checked after DNS)
    #[arg(long, env = "LULL_WEBHOOK_BLOCK_PRIVATE", default_value_t = false, action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new())]
    pub webhook_block_private: bool,
    /// Open a draft incident (for an admin to publish) when a checked monitor stays DOWN
    /// this long outside maintenance: 15m, 1h or seconds; off when not set
    #[arg(long, env = "LULL_DRAFT_INCIDENT_AFTER", value_parser = input::parse_seconds)]
    pub draft_incident_after: Option<i64>,
    /// Require `Authorization: Bearer <this>` for /metrics (at least 16 characters); open
    /// when not set
    #[arg(long, env = "LULL_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<Secret>,
    /// Alertmanager to silence alerts in during maintenance, e.g. http://127.0.0.1:9093
    #[arg(long, env = "LULL_ALERTMANAGER_URL")]
    pub alertmanager_url: Option<String>,
    /// Label matchers of a monitor's alerts, {slug} and {name} filled in
    /// [default: service="{slug}"]
    #[arg(long, env = "LULL_ALERTMANAGER_MATCHER")]
    pub alertmanager_matcher: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; it is printed once, as the last line
    Create {
        /// What the token is for, e.g. deploy-bot; shown in lists and the audit log
        #[arg(long)]
        name: String,
    },
    /// List tokens (never the tokens themselves)
    List,
    /// Revoke a token
    Revoke {
        /// The token's id, as `lull token list` shows it
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin for the dashboard, e.g. for a headless install
    Create {
        /// The admin's email address, used to sign in
        #[arg(long)]
        email: String,
        /// Read the password from standard input (first line) instead of asking
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List the admins, with when each was created and last signed in
    List,
    /// Remove an admin and end their sessions (the last admin cannot be removed)
    Delete {
        /// The admin's email address
        #[arg(long)]
        email: String,
    },
    /// Set an admin's password (first line of standard input) and end all their sessions
    Password {
        /// The admin's email address
        #[arg(long)]
        email: String,
        /// Read the password from standard input (first line)
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Print the first windows of a schedule, in its zone and in UTC (`--json`: start
    /// and end as RFC 3339 instants)
    Preview {
        /// RRULE, e.g. FREQ=WEEKLY;BYDAY=SU (one-time when omitted)
        #[arg(long, default_value = "")]
        rrule: String,
        /// Local start, YYYY-MM-DDTHH:MM[:SS], without offset
        #[arg(long)]
        start: String,
        /// IANA time zone of the start, e.g. Europe/Berlin
        #[arg(long)]
        tz: String,
        /// Length of each window: 90m, 2h, 1h30m, 2d or seconds
        #[arg(long, value_parser = input::parse_seconds)]
        duration: i64,
        /// At most this many windows
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
}

/// Runs the CLI and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::from_arg_matches(&command().get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let json = cli.json;
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Migrate(db) => {
            app::open_store(&db.database_url).await?;
            println!("migrations applied to {}", app::redact(&db.database_url));
            Ok(())
        }
        Command::Token { db, command } => {
            existing_database(&db.database_url)?;
            token(db, json, command).await
        }
        Command::Admin { db, command } => {
            existing_database(&db.database_url)?;
            admin(db, json, command).await
        }
        Command::Schedule {
            command:
                ScheduleCommand::Preview {
                    rrule,
                    start,
                    tz,
                    duration,
                    limit,
                },
        } => {
            print!("{}", preview(&rrule, &start, &tz, duration, limit, json)?);
            Ok(())
        }
        Command::Monitor { client, command } => monitor::run(client, json, command).await,
        Command::Maintenance { client, command } => maintenance::run(client, json, command).await,
        Command::Event { client, command } => event::run(client, json, command).await,
        Command::Incident { client, command } => incident::run(client, json, command).await,
        Command::Status { client } => status::run(client, json).await,
        Command::Apply { client, file, dry_run } => declare::apply(client, json, file, dry_run).await,
        Command::Export { client, output } => declare::export(client, output).await,
    }
}

/// `admin …`, on the server's database; changes are audited as `cli`.
async fn admin(db: DbArgs, json: bool, command: AdminCommand) -> anyhow::Result<()> {
    let store = app::open_store(&db.database_url).await?;
    let services = Services::new(store.clone(), Arc::new(SystemClock));
    let result = admin_on(&services, json, command).await;
    store.close().await;
    result
}

async fn admin_on(services: &Services, json: bool, command: AdminCommand) -> anyhow::Result<()> {
    let actor = crate::service::Actor("cli".into());
    let password = || -> anyhow::Result<String> {
        let mut password = String::new();
        std::io::stdin().read_line(&mut password)?;
        Ok(password.trim_end_matches(['\r', '\n']).to_string())
    };
    match command {
        AdminCommand::Create { email, .. } => {
            let email = crate::domain::validate::Email::parse(&email)?;
            admins::create(services, email.as_str(), &password()?, false).await?;
            println!("admin {email} created");
        }
        AdminCommand::List => {
            let list = admins::list(services).await?;
            if json {
                let rows: Vec<serde_json::Value> = list
                    .iter()
                    .map(|a| {
                        serde_json::json!({
                            "id": a.id,
                            "email": a.email,
                            "created_at": crate::domain::schedule::format_utc(a.created_at),
                            "last_login_at": a.last_login_at.map(crate::domain::schedule::format_utc),
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else if list.is_empty() {
                println!("no admins yet: create one with `lull admin create`");
            } else {
                for a in list {
                    let last = a.last_login_at.map_or("never signed in".to_string(), |t| {
                        format!("last signed in {}", format_utc(t))
                    });
                    println!("{}\t{}\tcreated {}, {last}", a.id, a.email, format_utc(a.created_at));
                }
            }
        }
        AdminCommand::Delete { email } => {
            admins::delete(services, &actor, &email).await?;
            println!("admin {} removed; their sessions are ended", email.trim());
        }
        AdminCommand::Password { email, .. } => {
            admins::set_password(services, &actor, &email, &password()?).await?;
            println!("password of {} set; every session of theirs is ended", email.trim());
        }
    }
    Ok(())
}

/// `schedule preview`: a header saying what is listed, then one window a line in the
/// schedule's zone (with UTC), or the API's JSON form with `--json`.
fn preview(rrule: &str, start: &str, tz: &str, duration: i64, limit: usize, json: bool) -> anyhow::Result<String> {
    let windows = maintenances::preview(rrule, start, tz, duration, limit, None)?;
    if json {
        let list: Vec<_> = windows
            .iter()
            .map(|w| serde_json::json!({"start": format_utc(w.start), "end": format_utc(w.end)}))
            .collect();
        return Ok(serde_json::to_string_pretty(&list)? + "\n");
    }
    let schedule = Schedule::parse(start, tz, duration, rrule)?;
    let length = format::duration(duration, &format::ENGLISH);
    let zone = schedule.tz;
    let mut out = if schedule.rrule() == ONE_TIME {
        format!("One-time window in {}, {length}:\n", zone.name())
    } else {
        let n = windows.len();
        let which = match n {
            _ if n == limit => format!("First {n}"),
            1 => "The only".to_string(),
            _ => format!("All {n}"),
        };
        let plural = if n == 1 { "" } else { "s" };
        format!(
            "{which} window{plural} of {} in {}, {length} each:\n",
            schedule.rrule(),
            zone.name()
        )
    };
    for w in windows {
        out.push_str(&output::window(w.start, w.end, zone));
        out.push('\n');
    }
    Ok(out)
}

/// `token` and `admin` work on the server's database, so a SQLite file that is not there
/// means a wrong path or working directory; creating an empty database there would only
/// make tokens and admins the server never sees.
fn existing_database(url: &str) -> anyhow::Result<()> {
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    if !url.starts_with("sqlite:") || in_memory || url.contains("mode=rwc") {
        return Ok(());
    }
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)
        .map_err(|e| anyhow::anyhow!("LULL_DATABASE_URL {}: {e}", app::redact(url)))?;
    let path = options.get_filename();
    if path.exists() {
        return Ok(());
    }
    let shown = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    bail!(
        "there is no database at {}: LULL_DATABASE_URL (or --database-url) is {}. \
         Point it at the server's database, or run `lull migrate` to create a new one there",
        shown.display(),
        app::redact(url)
    )
}

fn init_tracing(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LULL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    // Logs go to standard output; colours only where a person watches it, never into a
    // file or a pipe, and never when NO_COLOR is set (https://no-color.org).
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(colour);
    if format.eq_ignore_ascii_case("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    init_tracing(&args.log_format);
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.bind));
    let site = Site::new(
        &args.site_name,
        args.logo_url.as_deref(),
        &args.accent_color,
        &public_url,
    )?;
    let mail = args
        .smtp_url
        .clone()
        .filter(|u| !u.trim().is_empty())
        .map(|url| MailerSettings {
            url: url.0,
            from: args.smtp_from.clone(),
            credentials: args.smtp_username.clone().zip(args.smtp_password.clone().map(|p| p.0)),
            timeout_secs: args.smtp_timeout,
            lease_secs: args.delivery_lease,
        });
    let settings = app::Settings {
        site,
        mail,
        limits: app::Limits {
            max_connections: args.max_connections,
            ..Default::default()
        },
        trusted_proxies: crate::web::client::parse_proxies(args.trusted_proxies.as_deref().unwrap_or(""))?,
        origin_from_public_url: args.public_url.is_some(),
        webhook_targets: if args.webhook_block_private {
            crate::notify::webhook::Targets::Public
        } else {
            crate::notify::webhook::Targets::Any
        },
        draft_incident_after: args.draft_incident_after.map(chrono::Duration::seconds),
        metrics_token: app::metrics_token(args.metrics_token.as_ref().map(|t| t.0.as_str()))?,
        alertmanager: alertmanager(&args, &public_url)?,
    };
    let store = app::open_store(&args.db.database_url).await?;
    let listener = tokio::net::TcpListener::bind(&args.bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.bind))?;
    tracing::info!(database = %app::redact(&args.db.database_url), "database ready");
    let services = Services::new(store, Arc::new(SystemClock));
    let dashboard = format!(
        "{}/admin",
        browsable(args.public_url.as_deref(), listener.local_addr()?)
    );
    match admins::count(&services).await {
        Ok(0) => tracing::info!("open {dashboard} to create the first admin"),
        Ok(_) => tracing::info!("dashboard at {dashboard}"),
        Err(e) => tracing::warn!(error = %e, "cannot count the admins"),
    }
    let shutdown = CancellationToken::new();
    app::cancel_on_signal(shutdown.clone());
    app::launch(services, settings, listener, shutdown).await
}

/// The base URL a person opens: the public URL when set, else the address listened on,
/// with a wildcard address (0.0.0.0, ::) replaced by loopback.
/// The Alertmanager settings of `serve`, checked: a bad URL or matcher stops the start.
fn alertmanager(args: &ServeArgs, public_url: &str) -> anyhow::Result<Option<crate::silences::Settings>> {
    let url = args
        .alertmanager_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    match url {
        Some(url) => crate::silences::Settings::parse(url, args.alertmanager_matcher.as_deref(), public_url).map(Some),
        None if args
            .alertmanager_matcher
            .as_deref()
            .is_some_and(|m| !m.trim().is_empty()) =>
        {
            anyhow::bail!("LULL_ALERTMANAGER_MATCHER is set but LULL_ALERTMANAGER_URL is not: silences need both")
        }
        None => Ok(None),
    }
}

fn browsable(public_url: Option<&str>, addr: std::net::SocketAddr) -> String {
    if let Some(url) = public_url.map(|u| u.trim_end_matches('/')).filter(|u| !u.is_empty()) {
        return url.to_string();
    }
    let mut addr = addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            std::net::SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            std::net::SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    format!("http://{addr}")
}

async fn token(db: DbArgs, json: bool, command: TokenCommand) -> anyhow::Result<()> {
    let store = app::open_store(&db.database_url).await?;
    let services = Services::new(store.clone(), Arc::new(SystemClock));
    let result = match command {
        TokenCommand::Create { name } => {
            let (id, token) = tokens::create(&services, &name).await?;
            println!(
                "Created API token '{}' (id {id}). Store it now; it is not shown again:",
                name.trim()
            );
            println!("{token}");
            Ok(())
        }
        TokenCommand::List if json => {
            let list: Vec<_> = tokens::list(&services)
                .await?
                .into_iter()
                .map(|t| {
                    serde_json::json!({"id": t.id, "name": t.name, "created_at": t.created_at,
                        "last_used_at": t.last_used_at, "revoked": t.revoked})
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&list)?);
            Ok(())
        }
        TokenCommand::List => {
            let when = |t: &str| match chrono::DateTime::parse_from_rfc3339(t) {
                Ok(t) => output::at(t.to_utc(), chrono_tz::UTC),
                Err(_) => t.to_string(),
            };
            let rows = tokens::list(&services)
                .await?
                .into_iter()
                .map(|t| {
                    vec![
                        t.id.to_string(),
                        t.name,
                        when(&t.created_at),
                        t.last_used_at.as_deref().map_or_else(|| "never".into(), when),
                        if t.revoked { "revoked".into() } else { "live".into() },
                    ]
                })
                .collect();
            print!(
                "{}",
                output::table(&["ID", "NAME", "CREATED", "LAST USED", "STATE"], rows)
            );
            Ok(())
        }
        TokenCommand::Revoke { id } => {
            tokens::revoke(&services, id).await?;
            println!("token {id} revoked");
            Ok(())
        }
    };
    store.close().await;
    result
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
        super::command().debug_assert();
    }

    #[test]
    fn the_dashboard_address_is_one_a_browser_can_open() {
        let at = |a: &str| super::browsable(None, a.parse().unwrap());
        assert_eq!(at("127.0.0.1:3000"), "http://127.0.0.1:3000");
        assert_eq!(at("0.0.0.0:8080"), "http://127.0.0.1:8080");
        assert_eq!(at("[::]:8080"), "http://[::1]:8080");
        assert_eq!(
            super::browsable(Some("https://status.example.com/"), "0.0.0.0:80".parse().unwrap()),
            "https://status.example.com"
        );
    }
}
