//! Use cases over the store, the clock and the scheduler's change signal. Handlers and the
//! CLI call these; each write is one transaction that also records the audit entry.

pub mod admins;
pub mod audit;
pub mod conflicts;
pub mod cpu;
pub mod events;
pub mod horizon;
pub mod maintenances;
pub mod monitors;
pub mod status;
pub mod subscribers;
pub mod throttle;
pub mod tokens;
pub mod webhooks;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use crate::clock::SharedClock;
use crate::store::Store;

/// Everything a use case needs.
#[derive(Clone)]
pub struct Services {
    pub store: Store,
    pub clock: SharedClock,
    /// Wakes the scheduler when events or maintenances change.
    pub changes: Arc<Notify>,
    /// Tells the public page's snapshot to rebuild.
    pub page_changes: Arc<Notify>,
    /// Wakes the delivery worker when notices are queued.
    pub outbox_changes: Arc<Notify>,
}

impl Services {
    pub fn new(store: Store, clock: SharedClock) -> Self {
        Self {
            store,
            clock,
            changes: Arc::new(Notify::new()),
            page_changes: Arc::new(Notify::new()),
            outbox_changes: Arc::new(Notify::new()),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Tells the scheduler that boundaries may have moved, and the page that data did,
    /// here and (on PostgreSQL) on every other replica.
    pub fn changed(&self) {
        self.wake_local();
        self.broadcast();
    }

    /// Wakes this process's scheduler, page and delivery worker.
    pub fn wake_local(&self) {
        self.changes.notify_one();
        self.page_changes.notify_one();
        self.outbox_changes.notify_one();
    }

    /// Wakes the delivery worker.
    pub fn outbox_changed(&self) {
        self.outbox_changes.notify_one();
    }

    /// Tells the other replicas, without waiting for it.
    pub fn broadcast(&self) {
        if self.store.backend == crate::store::Backend::Postgres {
            let store = self.store.clone();
            tokio::spawn(async move {
                if let Err(e) = store.broadcast().await {
                    tracing::warn!(error = %e, "could not tell other replicas about a change");
                }
            });
        }
    }

    /// Relays other replicas' changes to this one until `shutdown` (PostgreSQL only).
    pub async fn relay_changes(self, shutdown: tokio_util::sync::CancellationToken) {
        loop {
            let mut listener = match self.store.listen().await {
                Ok(Some(l)) => l,
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for changes; retrying");
                    tokio::select! {
                        () = tokio::time::sleep(std::time::Duration::from_secs(2)) => continue,
                        () = shutdown.cancelled() => return,
                    }
                }
            };
            loop {
                tokio::select! {
                    got = listener.recv() => match got {
                        Ok(_) => self.wake_local(),
                        Err(e) => {
                            tracing::warn!(error = %e, "change listener lost its connection; reconnecting");
                            break;
                        }
                    },
                    () = shutdown.cancelled() => return,
                }
            }
        }
    }
}

/// Who made a change, as recorded in the audit log: `token:NAME`, `cli`, `scheduler`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(pub String);

impl Actor {
    pub fn token(name: &str) -> Self {
        Self(format!("token:{name}"))
    }
}
