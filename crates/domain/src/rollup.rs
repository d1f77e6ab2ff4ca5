//! Time-weighted roll-ups of a monitor's history: how many seconds of each minute, hour
//! and day it spent up, down, degraded or paused by maintenance, with its checks. Pure:
//! the check runner feeds it and the store keeps it.

use std::collections::HashMap;

use chrono::{DateTime, Duration, DurationRound, Utc};

use super::impact::MonitorStatus;

/// The length of a roll-up's bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Minute,
    Hour,
    Day,
}

impl Period {
    pub const ALL: [Period; 3] = [Period::Minute, Period::Hour, Period::Day];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Minute => "minute",
            Self::Hour => "hour",
            Self::Day => "day",
        }
    }

    pub fn length(self) -> Duration {
        match self {
            Self::Minute => Duration::minutes(1),
            Self::Hour => Duration::hours(1),
            Self::Day => Duration::days(1),
        }
    }

    /// The start of the bucket holding `t` (UTC: a day is a UTC day).
    pub fn floor(self, t: DateTime<Utc>) -> DateTime<Utc> {
        t.duration_trunc(self.length()).unwrap_or(t)
    }

    /// How long buckets are kept: `None` for good.
    pub fn kept(self) -> Option<Duration> {
        match self {
            Self::Minute => Some(Duration::hours(24)),
            Self::Hour => Some(Duration::days(30)),
            Self::Day => None,
        }
    }
}

/// What a monitor was doing over a stretch of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Status(MonitorStatus),
    /// Paused: an ongoing event affected it.
    Maintenance,
}

/// One bucket's sums.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub up_secs: i64,
    pub down_secs: i64,
    pub degraded_secs: i64,
    pub maintenance_secs: i64,
    pub checks: i64,
    pub failures: i64,
    pub latency_min: Option<i64>,
    pub latency_max: Option<i64>,
    pub latency_sum: i64,
}

impl Tally {
    fn add_time(&mut self, state: State, secs: i64) {
        match state {
            State::Status(MonitorStatus::Up) => self.up_secs += secs,
            State::Status(MonitorStatus::Down) => self.down_secs += secs,
            State::Status(MonitorStatus::Degraded) => self.degraded_secs += secs,
            State::Maintenance => self.maintenance_secs += secs,
        }
    }

    fn add_check(&mut self, failed: bool, latency_ms: i64) {
        self.checks += 1;
        self.failures += i64::from(failed);
        self.latency_min = Some(self.latency_min.map_or(latency_ms, |m| m.min(latency_ms)));
        self.latency_max = Some(self.latency_max.map_or(latency_ms, |m| m.max(latency_ms)));
        self.latency_sum += latency_ms;
    }

    /// Adds another tally of the same bucket.
    pub fn merge(&mut self, o: &Tally) {
        self.up_secs += o.up_secs;
        self.down_secs += o.down_secs;
        self.degraded_secs += o.degraded_secs;
        self.maintenance_secs += o.maintenance_secs;
        self.checks += o.checks;
        self.failures += o.failures;
        self.latency_min = match (self.latency_min, o.latency_min) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.latency_max = match (self.latency_max, o.latency_max) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.latency_sum += o.latency_sum;
    }

    /// Uptime in percent: up (DEGRADED counts as up) over the time observed outside
    /// maintenance; `None` when there is none.
    pub fn uptime(&self) -> Option<f64> {
        let observed = self.up_secs + self.degraded_secs + self.down_secs;
        (observed > 0).then(|| 100.0 * (self.up_secs + self.degraded_secs) as f64 / observed as f64)
    }

    /// The worst that happened in the bucket, as the 90-day bar colours a day: any time
    /// DOWN makes it a down day, else any time DEGRADED, else any maintenance, else up;
    /// `None` when nothing was observed.
    pub fn worst(&self) -> Option<State> {
        if self.down_secs > 0 {
            Some(State::Status(MonitorStatus::Down))
        } else if self.degraded_secs > 0 {
            Some(State::Status(MonitorStatus::Degraded))
        } else if self.maintenance_secs > 0 {
            Some(State::Maintenance)
        } else if self.up_secs > 0 {
            Some(State::Status(MonitorStatus::Up))
        } else {
            None
        }
    }
}

/// Tallies not yet written, by monitor, period and bucket start.
#[derive(Debug, Default)]
pub struct Ledger {
    pub open: HashMap<(i64, Period, DateTime<Utc>), Tally>,
}

impl Ledger {
    /// Counts `[from, to)` as `state` for `monitor`, split at bucket boundaries (whole
    /// seconds: the caller accounts in whole seconds, so no rounding adds up).
    pub fn add_time(&mut self, monitor: i64, state: State, from: DateTime<Utc>, to: DateTime<Utc>) {
        for period in Period::ALL {
            let mut at = from;
            while at < to {
                let bucket = period.floor(at);
                let end = (bucket + period.length()).min(to);
                let secs = (end - at).num_seconds();
                self.open
                    .entry((monitor, period, bucket))
                    .or_default()
                    .add_time(state, secs);
                at = end;
            }
        }
    }

    /// Counts one check that ran at `at`.
    pub fn add_check(&mut self, monitor: i64, at: DateTime<Utc>, failed: bool, latency_ms: i64) {
        for period in Period::ALL {
            self.open
                .entry((monitor, period, period.floor(at)))
                .or_default()
                .add_check(failed, latency_ms);
        }
    }

    /// Everything counted so far, to be written; the ledger starts over.
    pub fn take(&mut self) -> Vec<(i64, Period, DateTime<Utc>, Tally)> {
        self.open.drain().map(|((m, p, start), t)| (m, p, start, t)).collect()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 10, h, m, s).unwrap()
    }

    #[test]
    fn time_is_split_at_each_bucket_boundary() {
        let mut l = Ledger::default();
        // 23:59:30 to 00:01:10 the next day: 30 s + 60 s + 10 s.
        l.add_time(
            1,
            State::Status(MonitorStatus::Down),
            t(23, 59, 30),
            t(23, 59, 30) + Duration::seconds(100),
        );
        let rows = l.take();
        let get =
            |p: Period, start: DateTime<Utc>| rows.iter().find(|r| r.1 == p && r.2 == start).map(|r| r.3.down_secs);
        assert_eq!(get(Period::Minute, t(23, 59, 0)), Some(30));
        assert_eq!(get(Period::Minute, t(23, 59, 0) + Duration::minutes(1)), Some(60));
        assert_eq!(get(Period::Minute, t(23, 59, 0) + Duration::minutes(2)), Some(10));
        assert_eq!(get(Period::Hour, t(23, 0, 0)), Some(30));
        assert_eq!(get(Period::Hour, t(23, 0, 0) + Duration::hours(1)), Some(70));
        assert_eq!(get(Period::Day, t(0, 0, 0)), Some(30));
        assert_eq!(get(Period::Day, t(0, 0, 0) + Duration::days(1)), Some(70));
    }

    #[test]
    fn time_in_one_bucket_adds_up_by_state() {
        let mut l = Ledger::default();
        for state in [
            State::Status(MonitorStatus::Up),
            State::Status(MonitorStatus::Degraded),
            State::Status(MonitorStatus::Down),
            State::Maintenance,
        ] {
            for _ in 0..2 {
                l.add_time(1, state, t(12, 0, 0), t(12, 0, 10));
            }
        }
        let rows = l.take();
        let minute = rows.iter().find(|r| r.1 == Period::Minute).unwrap().3;
        assert_eq!(
            (
                minute.up_secs,
                minute.degraded_secs,
                minute.down_secs,
                minute.maintenance_secs
            ),
            (20, 20, 20, 20)
        );
    }

    #[test]
    fn merged_tallies_add_up_and_keep_the_latency_bounds() {
        let a = Tally {
            up_secs: 1,
            down_secs: 2,
            degraded_secs: 3,
            maintenance_secs: 4,
            checks: 5,
            failures: 6,
            latency_min: Some(40),
            latency_max: Some(90),
            latency_sum: 7,
        };
        let b = Tally {
            latency_min: Some(30),
            latency_max: Some(80),
            ..a
        };
        let mut sum = a;
        sum.merge(&b);
        assert_eq!(
            sum,
            Tally {
                up_secs: 2,
                down_secs: 4,
                degraded_secs: 6,
                maintenance_secs: 8,
                checks: 10,
                failures: 12,
                latency_min: Some(30),
                latency_max: Some(90),
                latency_sum: 14,
            }
        );
        let mut none = Tally::default();
        none.merge(&a);
        assert_eq!(none, a, "a tally merged into an empty one is itself");
    }

    #[test]
    fn buckets_are_named_as_stored_and_kept_as_documented() {
        assert_eq!(Period::ALL.map(Period::as_str), ["minute", "hour", "day"]);
        assert_eq!(
            Period::ALL.map(Period::kept),
            [Some(Duration::hours(24)), Some(Duration::days(30)), None]
        );
    }

    #[test]
    fn uptime_leaves_out_maintenance_and_counts_degraded_as_up() {
        let tally = Tally {
            up_secs: 5_000,
            degraded_secs: 400,
            down_secs: 600,
            maintenance_secs: 7_200,
            ..Tally::default()
        };
        assert_eq!(tally.uptime(), Some(90.0));
        let only_maintenance = Tally {
            maintenance_secs: 86_400,
            ..Tally::default()
        };
        assert_eq!(only_maintenance.uptime(), None);
    }

    #[test]
    fn checks_keep_counts_and_latency_bounds() {
        let mut l = Ledger::default();
        for (failed, ms) in [(false, 40), (true, 900), (false, 10)] {
            l.add_check(7, t(12, 0, 5), failed, ms);
        }
        let rows = l.take();
        let day = rows.iter().find(|r| r.1 == Period::Day).unwrap().3;
        assert_eq!(
            (
                day.checks,
                day.failures,
                day.latency_min,
                day.latency_max,
                day.latency_sum
            ),
            (3, 1, Some(10), Some(900), 950)
        );
    }

    #[test]
    fn a_day_is_as_bad_as_its_worst_second() {
        let day = |up, down, degraded, maintenance| Tally {
            up_secs: up,
            down_secs: down,
            degraded_secs: degraded,
            maintenance_secs: maintenance,
            ..Tally::default()
        };
        assert_eq!(day(86_399, 1, 0, 0).worst(), Some(State::Status(MonitorStatus::Down)));
        assert_eq!(
            day(80_000, 0, 6_000, 400).worst(),
            Some(State::Status(MonitorStatus::Degraded))
        );
        assert_eq!(day(79_200, 0, 0, 7_200).worst(), Some(State::Maintenance));
        assert_eq!(day(86_400, 0, 0, 0).worst(), Some(State::Status(MonitorStatus::Up)));
        assert_eq!(day(0, 0, 0, 0).worst(), None);
    }
}
