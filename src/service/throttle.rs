//! Counting attempts per key (a client address, an account, an email) in a sliding
//! window: the sign-in lockout and the limits on public writes. Per process: with
//! several replicas each keeps its own count, which only makes the limit looser.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::Duration;

#[derive(Clone)]
pub struct Throttle {
    max: usize,
    window: i64,
    hits: Arc<Mutex<Hits>>,
}

#[derive(Default)]
struct Hits {
    by_key: HashMap<String, Vec<i64>>,
    /// When keys whose attempts all fell out of the window were last dropped.
    swept_at: i64,
}

impl Throttle {
    pub fn new(max: usize, window: Duration) -> Self {
        Self {
            max,
            window: window.num_seconds(),
            hits: Arc::default(),
        }
    }

    /// Seconds until every one of `keys` is under its limit again, if one is over it.
    pub fn blocked(&self, keys: &[String], now: i64) -> Option<i64> {
        let mut map = self.hits.lock().ok()?;
        self.wait(&mut map, keys, now)
    }

    /// [`Self::blocked`] on a locked map, forgetting attempts older than the window.
    fn wait(&self, hits: &mut Hits, keys: &[String], now: i64) -> Option<i64> {
        let mut wait = None;
        for key in keys {
            if let Some(times) = hits.by_key.get_mut(key) {
                times.retain(|t| now - t < self.window);
                if times.len() >= self.max {
                    let until = times[times.len() - self.max] + self.window - now;
                    wait = Some(wait.map_or(until, |w: i64| w.max(until)));
                }
            }
        }
        wait
    }

    /// Counts an attempt against each of `keys`.
    pub fn hit(&self, keys: &[String], now: i64) {
        if let Ok(mut map) = self.hits.lock() {
            self.record(&mut map, keys, now);
        }
    }

    fn record(&self, hits: &mut Hits, keys: &[String], now: i64) {
        // Keys expire: once per window (or at once when a flood of distinct keys piles
        // up), those with no attempt left inside the window are dropped, so memory
        // follows the attempts of the last window only.
        if now - hits.swept_at >= self.window || hits.by_key.len() > 100_000 {
            hits.by_key
                .retain(|_, times| times.last().is_some_and(|t| now - t < self.window));
            hits.swept_at = now;
        }
        for key in keys {
            hits.by_key.entry(key.clone()).or_default().push(now);
        }
    }

    /// Checks and counts an attempt in one step (under one lock), so a burst of parallel
    /// attempts cannot all pass the check before any of them is counted: `Err(wait)` when
    /// a key is over its limit, else the attempt is counted. Clear the keys on success.
    pub fn attempt(&self, keys: &[String], now: i64) -> Result<(), i64> {
        let Ok(mut map) = self.hits.lock() else {
            return Ok(());
        };
        if let Some(wait) = self.wait(&mut map, keys, now) {
            return Err(wait);
        }
        self.record(&mut map, keys, now);
        Ok(())
    }

    pub fn clear(&self, keys: &[String]) {
        if let Ok(mut map) = self.hits.lock() {
            for key in keys {
                map.by_key.remove(key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_attempts_get_five_tries_in_all() {
        let t = Throttle::new(5, Duration::minutes(15));
        let keys = vec!["email:ops@example.com".to_string()];
        let allowed = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..50)
                .map(|_| scope.spawn(|| t.attempt(&keys, 1000).is_ok()))
                .collect();
            handles
                .into_iter()
                .filter_map(|h| h.join().ok())
                .filter(|ok| *ok)
                .count()
        });
        assert_eq!(allowed, 5);
    }

    #[test]
    fn five_hits_block_a_key_until_the_oldest_ages_out() {
        let t = Throttle::new(5, Duration::minutes(15));
        let keys = vec!["ip:1.2.3.4".to_string()];
        for i in 0..5 {
            assert_eq!(t.blocked(&keys, 1000 + i), None);
            t.hit(&keys, 1000 + i);
        }
        assert_eq!(t.blocked(&keys, 1005), Some(900 - 5));
        assert_eq!(t.blocked(&keys, 1000 + 900), None);
        assert_eq!(
            t.blocked(&["ip:5.6.7.8".to_string()], 1005),
            None,
            "other keys are free"
        );
    }

    #[test]
    fn keys_expire_once_their_attempts_leave_the_window() {
        let t = Throttle::new(5, Duration::minutes(15));
        for i in 0..1000 {
            t.hit(&[format!("email:{i}@example.com")], 1000);
        }
        assert_eq!(t.hits.lock().unwrap().by_key.len(), 1000);
        // A later attempt, one window on, drops every key with nothing left in the window.
        t.hit(&["ip:9.9.9.9".to_string()], 1000 + 900);
        assert_eq!(t.hits.lock().unwrap().by_key.len(), 1);
    }
}
