//! Use cases over the store, the clock and the scheduler's change signal. Handlers and the
//! CLI call these; each write is one transaction that also records the audit entry.

pub mod admins;
pub mod audit;
pub mod calendar;
pub mod conflicts;
pub mod cpu;
pub mod declare;
pub mod events;
pub mod horizon;
pub mod incidents;
pub mod maintenances;
pub mod metrics;
pub mod monitors;
pub mod overview;
mod plan_views;
pub mod status;
pub mod subscribers;
pub mod throttle;
pub mod tokens;
pub mod webhooks;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

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
    /// What the page must read again when it rebuilds (nothing: render the data it holds
    /// for the time now).
    page_dirty: Arc<Mutex<PageDirty>>,
    /// Wakes the delivery worker when notices are queued.
    pub outbox_changes: Arc<Notify>,
    /// Wakes the check runner when monitors or maintenance windows change.
    pub check_changes: Arc<Notify>,
    /// Wakes the Alertmanager silencer when events may have started, moved or ended.
    pub silence_changes: Arc<Notify>,
    /// Held by a silencer pass: two passes at once in one process (the leader's, and one
    /// started by hand) would both make a silence that neither had yet.
    pub silencing: Arc<tokio::sync::Mutex<()>>,
    /// What this process measures for `/metrics` (requests, checks).
    pub metrics: Arc<crate::metrics::Metrics>,
}

impl Services {
    pub fn new(store: Store, clock: SharedClock) -> Self {
        Self {
            store,
            clock,
            changes: Arc::new(Notify::new()),
            page_changes: Arc::new(Notify::new()),
            page_dirty: Arc::default(),
            outbox_changes: Arc::new(Notify::new()),
            check_changes: Arc::new(Notify::new()),
            silence_changes: Arc::new(Notify::new()),
            silencing: Arc::default(),
            metrics: Arc::default(),
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

    /// [`Self::changed`] for a change to one plan (its schedule, text, monitors, events):
    /// this replica's page reads that plan again, not all of them.
    pub fn plan_changed(&self, maintenance_id: i64) {
        self.mark_page(Some(maintenance_id));
        self.wake();
        self.broadcast();
    }

    /// Wakes this process's scheduler, page (to read everything again) and delivery worker.
    pub fn wake_local(&self) {
        self.mark_page(None);
        self.wake();
    }

    fn wake(&self) {
        self.changes.notify_one();
        self.page_changes.notify_one();
        self.outbox_changes.notify_one();
        self.check_changes.notify_one();
        self.silence_changes.notify_one();
    }

    /// Notes what the page must read again at its next build: one plan, or (`None`)
    /// everything.
    pub fn mark_page(&self, plan: Option<i64>) {
        if let Ok(mut dirty) = self.page_dirty.lock() {
            match plan {
                Some(id) => {
                    dirty.plans.insert(id);
                }
                None => dirty.all = true,
            }
        }
    }

    /// What the page must read again since it last asked, and clears it.
    pub fn take_page_dirty(&self) -> PageDirty {
        self.page_dirty
            .lock()
            .map(|mut dirty| std::mem::take(&mut *dirty))
            .unwrap_or(PageDirty {
                all: true,
                plans: HashSet::new(),
            })
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

/// What changed since the page last read its data.
#[derive(Debug, Default)]
pub struct PageDirty {
    /// Anything (monitors, another replica's writes): read everything.
    pub all: bool,
    /// These plans only.
    pub plans: HashSet<i64>,
}

/// Who made a change, as recorded in the audit log: `token:NAME`, `cli`, `scheduler`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(pub String);

impl Actor {
    pub fn token(name: &str) -> Self {
        Self(format!("token:{name}"))
    }
}
