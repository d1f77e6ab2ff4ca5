//! Time as a dependency. Production uses [`SystemClock`]; tests drive a [`ManualClock`]
//! so the lifecycle can be checked across hours without sleeping through them.
//!
//! Instants are wall-clock time, but a sleep runs on the monotonic clock: a sleep in
//! progress does not see the wall clock step (NTP, a resumed VM). Loops that aim at a
//! wall-clock instant therefore sleep at most [`MAX_SLEEP`] at a time and look again.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use tokio::sync::watch;

/// The longest a loop that aims at wall-clock instants sleeps in one go.
pub const MAX_SLEEP: Duration = Duration::seconds(30);

pub type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

pub trait Clock: Send + Sync + 'static {
    /// The current instant, in whole seconds (the precision events are stored with).
    fn now(&self) -> DateTime<Utc>;
    /// The current instant to the clock's full precision, for work timed finer than a
    /// second (checks due at 12:00:03.417); [`Self::now`] unless the clock has more.
    fn now_precise(&self) -> DateTime<Utc> {
        self.now()
    }
    /// Resolves once `now() >= t`, as far as a sleep started now can tell: the wait is
    /// measured on the monotonic clock, so a wall-clock step while it runs is not seen.
    fn sleep_until(&self, t: DateTime<Utc>) -> SleepFuture;
}

pub type SharedClock = Arc<dyn Clock>;

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(0)
    }

    fn now_precise(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, t: DateTime<Utc>) -> SleepFuture {
        let wait = (t - Utc::now()).to_std().unwrap_or_default();
        Box::pin(tokio::time::sleep(wait))
    }
}

/// A clock that only moves when told to. Like the system's, it has two faces: the wall
/// clock ([`Clock::now`]) and the time that passes, which sleeps wait on. [`set`] and
/// [`advance`] let time pass (sleeps whose wait is over wake); [`step`] moves only the
/// wall clock, as NTP or a resumed VM does, and wakes nobody.
///
/// [`set`]: ManualClock::set
/// [`advance`]: ManualClock::advance
/// [`step`]: ManualClock::step
#[derive(Debug, Clone)]
pub struct ManualClock {
    /// (wall clock, time passed since the start)
    now: Arc<watch::Sender<(DateTime<Utc>, Duration)>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Arc::new(watch::Sender::new((start.trunc_subsecs(0), Duration::zero()))),
        }
    }

    /// Time passes until the wall clock reads `t` (if `t` is earlier, the wall clock
    /// steps back and no time passes).
    pub fn set(&self, t: DateTime<Utc>) {
        let t = t.trunc_subsecs(0);
        self.now.send_modify(|(wall, passed)| {
            *passed += (t - *wall).max(Duration::zero());
            *wall = t;
        });
    }

    pub fn advance(&self, by: Duration) {
        let t = self.now() + by;
        self.set(t);
    }

    /// The wall clock jumps by `by` (either way) while no time passes.
    pub fn step(&self, by: Duration) {
        self.now.send_modify(|(wall, _)| *wall += by);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.now.borrow().0
    }

    fn sleep_until(&self, t: DateTime<Utc>) -> SleepFuture {
        let mut rx = self.now.subscribe();
        // As the system clock does: the wait is worked out once, then measured in time
        // passed.
        let (wall, passed) = *rx.borrow();
        let until = passed + (t - wall).max(Duration::zero());
        Box::pin(async move {
            // An error means the clock was dropped: nothing will ever wake us, so wait forever.
            if rx.wait_for(|(_, passed)| *passed >= until).await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}
