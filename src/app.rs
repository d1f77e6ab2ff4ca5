//! Builds the running server: store, services, scheduler task and HTTP, with a graceful
//! shutdown that stops accepting, lets the scheduler finish its step and closes the pool.
//! HTTP is served by hyper directly (not `axum::serve`) for its limits: a header read
//! timeout, a cap on open connections and a deadline on the shutdown wait.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Site;
use crate::notify::{Mailer, MailerSettings};
use crate::service::Services;
use crate::store::Store;
use crate::web::{self, AppState};

/// Connects to the database and applies migrations.
pub async fn open_store(url: &str) -> anyhow::Result<Store> {
    let store = Store::connect(url)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open database {}: {e}", redact(url)))?;
    store.migrate().await?;
    Ok(store)
}

/// What `serve` is configured with besides the database.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub site: Site,
    /// `None` when no SMTP server is configured: notices wait in the outbox.
    pub mail: Option<MailerSettings>,
    pub limits: Limits,
    /// Peers whose `Forwarded`/`X-Forwarded-For` name the client (`LULL_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Dashboard forms must come from the public URL's origin (`LULL_PUBLIC_URL` was set);
    /// otherwise from the request's `Host`.
    pub origin_from_public_url: bool,
    /// Which addresses webhooks may reach (`LULL_WEBHOOK_BLOCK_PRIVATE`).
    pub webhook_targets: crate::notify::webhook::Targets,
    /// A monitor DOWN this long opens a draft incident (`LULL_DRAFT_INCIDENT_AFTER`, off
    /// by default).
    pub draft_incident_after: Option<chrono::Duration>,
    /// `/metrics` only for `Authorization: Bearer <this>` (`LULL_METRICS_TOKEN`).
    pub metrics_token: Option<String>,
    /// Silences in Alertmanager for ongoing maintenance (`LULL_ALERTMANAGER_URL`).
    pub alertmanager: Option<crate::silences::Settings>,
}

/// The shortest `LULL_METRICS_TOKEN` accepted: anything shorter is guessable.
pub const METRICS_TOKEN_MIN: usize = 16;

/// `LULL_METRICS_TOKEN` as given, checked: unset (or empty) leaves `/metrics` open; a
/// token that is too short stops the start rather than guard the metrics badly.
pub fn metrics_token(raw: Option<&str>) -> anyhow::Result<Option<String>> {
    let Some(token) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let n = token.chars().count();
    if n < METRICS_TOKEN_MIN {
        anyhow::bail!(
            "LULL_METRICS_TOKEN is too short: {n} characters, at least {METRICS_TOKEN_MIN} are needed \
             (e.g. the output of `openssl rand -hex 32`)"
        );
    }
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        anyhow::bail!("LULL_METRICS_TOKEN must not contain spaces or control characters");
    }
    Ok(Some(token.to_string()))
}

/// Limits of the HTTP server against slow or numerous clients.
#[derive(Debug, Clone)]
pub struct Limits {
    /// A connection that has not sent a whole request head within this is closed.
    pub header_read_timeout: Duration,
    /// Connections open at once; more wait in the listen backlog until one closes
    /// (`LULL_MAX_CONNECTIONS`).
    pub max_connections: usize,
    /// How long a shutdown waits for requests in flight before it drops the connections.
    pub shutdown_deadline: Duration,
}

/// Default of [`Limits::max_connections`].
pub const MAX_CONNECTIONS: usize = 1024;

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            max_connections: MAX_CONNECTIONS,
            shutdown_deadline: Duration::from_secs(10),
        }
    }
}

/// Serves on `listener` until `shutdown` is cancelled.
pub async fn launch(
    services: Services,
    settings: Settings,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let store = services.store.clone();
    // A mail setup that cannot work (no usable sender) stops the start, saying why.
    let mailer = settings
        .mail
        .as_ref()
        .map(|m| Mailer::new(m, &settings.site))
        .transpose()?;
    let mut state = AppState::new(services.clone(), settings.site);
    state.mail_configured = mailer.is_some();
    state.trusted_proxies = settings.trusted_proxies.clone().into();
    state.metrics_token = settings
        .metrics_token
        .as_deref()
        .map(|t| crate::secret::sha256_hex(t).into());
    state.origin = settings
        .origin_from_public_url
        .then(|| web::client::origin_of(&state.site.public_url));
    // The first snapshot is built before the first request is accepted.
    if let Err(e) = state.snapshots.refresh(&services, &state.site, &state.assets).await {
        tracing::error!(error = %e, "building the first status page failed; retrying in the background");
    }
    let tracker = TaskTracker::new();
    tracker.spawn(crate::scheduler::run(
        services.clone(),
        shutdown.clone(),
        crate::scheduler::LeaderSettings {
            draft_after: settings.draft_incident_after,
            alertmanager: settings.alertmanager.clone().map(Arc::new),
        },
    ));
    tracker.spawn(services.clone().relay_changes(shutdown.clone()));
    tracker.spawn(crate::notify::run(
        services.clone(),
        state.site.clone(),
        mailer,
        settings.webhook_targets,
        shutdown.clone(),
    ));
    let refresher = state
        .snapshots
        .clone()
        .run(services, state.site.clone(), state.assets.clone(), shutdown.clone());
    tracker.spawn(refresher);
    let app = web::router(state);
    tracing::info!(addr = %listener.local_addr()?, "listening");
    serve(listener, app, &settings.limits, &shutdown).await;
    shutdown.cancel();
    tracker.close();
    tracker.wait().await;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Accepts connections until `shutdown`, at most `limits.max_connections` at once, each
/// with the peer's address as `ConnectInfo`; then lets requests in flight finish for up
/// to `limits.shutdown_deadline` and drops whatever is still open.
async fn serve(listener: TcpListener, app: axum::Router, limits: &Limits, shutdown: &CancellationToken) {
    use axum::extract::connect_info::ConnectInfo;
    use hyper_util::rt::{TokioIo, TokioTimer};

    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut connections = tokio::task::JoinSet::new();
    loop {
        // A free slot first: over the cap, new connections wait in the kernel's backlog.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = shutdown.cancelled() => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait a little rather than spin.
                    tracing::error!(error = %e, "accepting a connection failed");
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_millis(200)) => continue,
                        () = shutdown.cancelled() => break,
                    }
                }
            },
            () = shutdown.cancelled() => break,
        };
        while connections.try_join_next().is_some() {}
        let _ = stream.set_nodelay(true);
        let service = tower::Layer::layer(&axum::Extension(ConnectInfo(peer)), app.clone());
        let conn = http.serve_connection(
            TokioIo::new(stream),
            hyper_util::service::TowerToHyperService::new(service),
        );
        let conn = graceful.watch(conn);
        connections.spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_deadline, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            open = connections.len(),
            "connections still open after the shutdown deadline are dropped"
        );
    }
    connections.shutdown().await;
}

/// A database URL with any password replaced, for messages and logs: the one in
/// `user:pass@` and a `password=` query parameter (any case).
pub fn redact(url: &str) -> String {
    // The authority ends at the first `/`, `?` or `#` (in a password they are escaped).
    let authority = url.find("://").map(|scheme| {
        let start = scheme + 3;
        (
            start,
            url[start..].find(['/', '?', '#']).map_or(url.len(), |end| start + end),
        )
    });
    let url = match authority.and_then(|(start, end)| Some((start, start + url[start..end].rfind('@')?))) {
        Some((start, at)) => match url[start..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &url[..start], &url[at..]),
            None => url.to_string(),
        },
        None => url.to_string(),
    };
    let Some((base, query)) = url.split_once('?') else {
        return url;
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
            _ => pair.to_string(),
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

/// Cancels `token` on Ctrl-C or SIGTERM.
pub fn cancel_on_signal(token: CancellationToken) {
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {}
            () = term => {}
        }
        tracing::info!("shutting down");
        token.cancel();
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            super::redact("postgres://lull:s3cret@db:5432/lull"),
            "postgres://lull:***@db:5432/lull"
        );
        assert_eq!(super::redact("sqlite://lull.db"), "sqlite://lull.db");
        assert_eq!(
            super::redact("postgres://lull@db/lull?password=s3cret"),
            "postgres://lull@db/lull?password=***"
        );
        assert_eq!(
            super::redact("postgres://lull:a@db/lull?sslmode=require&PassWord=s3cret&x=1"),
            "postgres://lull:***@db/lull?sslmode=require&PassWord=***&x=1"
        );
        assert_eq!(super::redact("sqlite://lull.db?mode=rwc"), "sqlite://lull.db?mode=rwc");
    }

    #[test]
    fn the_server_limits_default_to_ten_seconds_and_1024_connections() {
        let limits = super::Limits::default();
        assert_eq!(limits.header_read_timeout, std::time::Duration::from_secs(10));
        assert_eq!(limits.shutdown_deadline, std::time::Duration::from_secs(10));
        assert_eq!(limits.max_connections, 1024);
    }
}
