//! Downtime: stopping a test server for good and keeping its database for the next one.

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use lull::service::Services;

use super::{TestApp, TestDb};

impl TestApp {
    /// Stops this server (HTTP, scheduler, delivery) and waits until it is down; returns
    /// its database, opened afresh as a restarted server would open it.
    pub async fn stop(mut self) -> TestDb {
        self.shutdown.cancel();
        // The server closes its pool once its background tasks have ended.
        let deadline = Instant::now() + StdDuration::from_secs(10);
        while !self.db.store.pool.is_closed() {
            assert!(Instant::now() < deadline, "the server did not stop");
            tokio::time::sleep(StdDuration::from_millis(10)).await;
        }
        let store = lull::app::open_store(&self.db.url).await.unwrap();
        let clock = self.db.clock.clone();
        TestDb {
            url: self.db.url.clone(),
            services: Services::new(store.clone(), Arc::new(clock.clone())),
            store,
            clock,
            _dir: self.db._dir.take(),
        }
    }
}
