//! Builds the running server: store, services, scheduler task and HTTP, with a graceful
//! shutdown that stops accepting, lets the scheduler finish its step and closes the pool.

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

/// Serves on `listener` until `shutdown` is cancelled.
/// What `serve` is configured with besides the database.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub site: Site,
    /// `None` when no SMTP server is configured: notices wait in the outbox.
    pub mail: Option<MailerSettings>,
}

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
    // The first snapshot is built before the first request is accepted.
    if let Err(e) = state.snapshots.refresh(&services, &state.site, &state.assets).await {
        tracing::error!(error = %e, "building the first status page failed; retrying in the background");
    }
    let tracker = TaskTracker::new();
    tracker.spawn(crate::scheduler::run(services.clone(), shutdown.clone()));
    tracker.spawn(services.clone().relay_changes(shutdown.clone()));
    tracker.spawn(crate::notify::run(
        services.clone(),
        state.site.clone(),
        mailer,
        shutdown.clone(),
    ));
    let refresher = state
        .snapshots
        .clone()
        .run(services, state.site.clone(), state.assets.clone(), shutdown.clone());
    tracker.spawn(refresher);
    let app = web::router(state);
    tracing::info!(addr = %listener.local_addr()?, "listening");
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown.clone().cancelled_owned())
    .await;
    shutdown.cancel();
    tracker.close();
    tracker.wait().await;
    store.close().await;
    tracing::info!("stopped");
    Ok(served?)
}

/// A database URL with any password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
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
    }
}
