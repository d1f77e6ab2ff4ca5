//! Use cases over the store, the clock and the scheduler's change signal. Handlers and the
//! CLI call these; each write is one transaction that also records the audit entry.

pub mod admins;
pub mod audit;
pub mod events;
pub mod horizon;
pub mod maintenances;
pub mod monitors;
pub mod status;
pub mod tokens;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
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
}

impl Services {
    pub fn new(store: Store, clock: SharedClock) -> Self {
        Self {
            store,
            clock,
            changes: Arc::new(Notify::new()),
            page_changes: Arc::new(Notify::new()),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Tells the scheduler that boundaries may have moved, and the page that data did.
    pub fn changed(&self) {
        self.changes.notify_one();
        self.page_changes.notify_one();
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

pub(crate) fn from_ts(ts: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(ts, 0).single().unwrap_or_default()
}

pub(crate) fn fmt_ts(ts: i64) -> String {
    crate::domain::schedule::format_utc(from_ts(ts))
}
