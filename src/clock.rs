//! Time as a dependency. Production uses [`SystemClock`]; tests drive a [`ManualClock`]
//! so the lifecycle can be checked across hours without sleeping through them.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use tokio::sync::watch;

pub type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

pub trait Clock: Send + Sync + 'static {
    /// The current instant, in whole seconds (the precision events are stored with).
    fn now(&self) -> DateTime<Utc>;
    /// Resolves once `now() >= t`.
    fn sleep_until(&self, t: DateTime<Utc>) -> SleepFuture;
}

pub type SharedClock = Arc<dyn Clock>;

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(0)
    }

    fn sleep_until(&self, t: DateTime<Utc>) -> SleepFuture {
        let wait = (t - Utc::now()).to_std().unwrap_or_default();
        Box::pin(tokio::time::sleep(wait))
    }
}

/// A clock that only moves when told to.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<watch::Sender<DateTime<Utc>>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Arc::new(watch::Sender::new(start.trunc_subsecs(0))),
        }
    }

    pub fn set(&self, t: DateTime<Utc>) {
        self.now.send_replace(t.trunc_subsecs(0));
    }

    pub fn advance(&self, by: Duration) {
        let t = *self.now.borrow() + by;
        self.set(t);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.borrow()
    }

    fn sleep_until(&self, t: DateTime<Utc>) -> SleepFuture {
        let mut rx = self.now.subscribe();
        Box::pin(async move {
            // An error means the clock was dropped: nothing will ever wake us, so wait forever.
            if rx.wait_for(|now| *now >= t).await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}
