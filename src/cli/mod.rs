//! The `lull` binary's commands. `serve`, `migrate` and `token` work on the database
//! directly; `schedule preview` is pure; the rest talk to a running server over the API.

mod client;
mod output;

use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use tokio_util::sync::CancellationToken;

use crate::app;
use crate::clock::SystemClock;
use crate::config::{Secret, Site};
use crate::domain::schedule::format_utc;
use crate::notify::MailerSettings;
use crate::service::{Services, admins, maintenances, tokens};

#[derive(Debug, Parser)]
#[command(
    name = "lull",
    version,
    about = "A self-hosted status page server whose heart is planned maintenance"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
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
    /// Create dashboard admins (works on the database directly)
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
        client: client::ClientArgs,
        #[command(subcommand)]
        command: client::MonitorCommand,
    },
    /// Maintenances on a running server
    Maintenance {
        #[command(flatten)]
        client: client::ClientArgs,
        #[command(subcommand)]
        command: client::MaintenanceCommand,
    },
    /// Events (occurrences) on a running server, and the operator actions on them
    Event {
        #[command(flatten)]
        client: client::ClientArgs,
        #[command(subcommand)]
        command: client::EventCommand,
    },
    /// What the status page shows now
    Status {
        #[command(flatten)]
        client: client::ClientArgs,
    },
}

#[derive(Debug, Args)]
pub struct DbArgs {
    /// Database: sqlite://FILE (created when missing) or postgres://USER@HOST/DB
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
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; it is printed once, as the last line
    Create {
        #[arg(long)]
        name: String,
    },
    /// List tokens (never the tokens themselves)
    List,
    /// Revoke a token by id
    Revoke { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin for the dashboard, e.g. for a headless install
    Create {
        #[arg(long)]
        email: String,
        /// Read the password from standard input (first line) instead of asking
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Print the first windows of a schedule: `START END` per line, UTC
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
        /// Window length in seconds
        #[arg(long)]
        duration: i64,
        /// At most this many windows
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
}

/// Runs the CLI and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
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
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Migrate(db) => {
            app::open_store(&db.database_url).await?;
            println!("migrations applied to {}", app::redact(&db.database_url));
            Ok(())
        }
        Command::Token { db, command } => token(db, command).await,
        Command::Admin {
            db,
            command: AdminCommand::Create { email, .. },
        } => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            let store = app::open_store(&db.database_url).await?;
            let services = Services::new(store.clone(), Arc::new(SystemClock));
            let created = admins::create(&services, &email, password, false).await;
            store.close().await;
            created?;
            println!("admin {} created", email.trim().to_ascii_lowercase());
            Ok(())
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
            let windows = maintenances::preview(&rrule, &start, &tz, duration, limit, None)?;
            for w in windows {
                println!("{} {}", format_utc(w.start), format_utc(w.end));
            }
            Ok(())
        }
        Command::Monitor { client, command } => client::monitor(client, command).await,
        Command::Maintenance { client, command } => client::maintenance(client, command).await,
        Command::Event { client, command } => client::event(client, command).await,
        Command::Status { client } => client::status(client).await,
    }
}

fn init_tracing(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LULL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
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
    let settings = app::Settings { site, mail };
    let store = app::open_store(&args.db.database_url).await?;
    let listener = tokio::net::TcpListener::bind(&args.bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.bind))?;
    tracing::info!(database = %app::redact(&args.db.database_url), "database ready");
    let shutdown = CancellationToken::new();
    app::cancel_on_signal(shutdown.clone());
    app::launch(
        Services::new(store, Arc::new(SystemClock)),
        settings,
        listener,
        shutdown,
    )
    .await
}

async fn token(db: DbArgs, command: TokenCommand) -> anyhow::Result<()> {
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
        TokenCommand::List => {
            let rows = tokens::list(&services)
                .await?
                .into_iter()
                .map(|t| {
                    vec![
                        t.id.to_string(),
                        t.name,
                        t.created_at,
                        t.last_used_at.unwrap_or_else(|| "never".into()),
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
    }
}
