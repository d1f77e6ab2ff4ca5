//! Schedules: a local start in an IANA zone, a duration and an RRULE, expanded into
//! occurrences in UTC following RFC 5545.
//!
//! The `rrule` crate refuses a DTSTART inside a DST gap and applies its own rules at DST
//! edges, so we never give it a real zone: the rule is expanded over *wall-clock* time
//! (a DTSTART in UTC carrying the local digits, where no DST exists), and each local
//! occurrence is then placed on the time line by [`resolve_local`], which implements the
//! RFC's rule for gaps (take the offset from before the gap) and overlaps (take the first).
//! `UNTIL` is applied here too, because it is a UTC instant (or a local date) that only
//! means something after that placement.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use rrule::{Frequency, RRule, RRuleSet, Unvalidated};

use super::validate::{self, FieldError};

/// The rule of a one-time maintenance.
pub const ONE_TIME: &str = "FREQ=MINUTELY;COUNT=1";

/// The most occurrences any expansion walks through: a safety net. Rules without COUNT
/// (every frequency) are expanded from near the window asked for, COUNT is capped at
/// 100,000 and starts at 1970, so real schedules stay far below it.
pub const MAX_SCAN: usize = 500_000;

/// The most windows one plan may put into any 7 days (one every 5 minutes).
pub const MAX_PER_WEEK: usize = 2_016;

/// Why a schedule is too crowded to store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crowding {
    /// Two consecutive windows overlap.
    Overlap(Occurrence, Occurrence),
    /// More than [`MAX_PER_WEEK`] windows in the 7 days from this start.
    TooMany(DateTime<Utc>),
}

/// One concrete window of a schedule, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Occurrence {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The end of a recurrence, as RFC 5545 allows it to be written.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Until {
    /// `UNTIL=20260412T010000Z`: the last start is at or before this instant.
    Instant(DateTime<Utc>),
    /// `UNTIL=20260412T030000`: a local (floating) date-time in the schedule's zone.
    Local(NaiveDateTime),
    /// `UNTIL=20260412`: starts on or before this local date.
    Date(NaiveDate),
}

/// A parsed, validated schedule.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub start: NaiveDateTime,
    pub tz: Tz,
    pub duration: i64,
    rule_text: String,
    until: Option<Until>,
    rule: RRule<Unvalidated>,
    set: RRuleSet,
    /// The rule's period in wall-clock seconds when it repeats exactly every period from
    /// DTSTART (MINUTELY to WEEKLY without COUNT): expansion can then start near the
    /// window asked for instead of at DTSTART.
    period: Option<i64>,
    /// For MONTHLY and YEARLY rules without COUNT: the fewest whole years after which the
    /// rule repeats from DTSTART's month and day (INTERVAL years; for MONTHLY the years
    /// that hold a whole number of its intervals), so expansion can start near the window
    /// asked for there too.
    year_step: Option<i32>,
}

impl Schedule {
    /// Parses the four parts of a schedule; errors name the field at fault
    /// (`start`, `timezone`, `duration` or `rrule`).
    pub fn parse(start: &str, tz: &str, duration: i64, rrule: &str) -> Result<Self, FieldError> {
        let start = validate::local_datetime("start", start)?;
        let tz = validate::time_zone("timezone", tz)?;
        let duration = validate::duration("duration", duration)?;
        Self::new(start, tz, duration, rrule)
    }

    pub fn new(start: NaiveDateTime, tz: Tz, duration: i64, rrule: &str) -> Result<Self, FieldError> {
        let (rule_text, rule, until) = parse_rule(rrule)?;
        let set = build(&rule, start)?;
        let unit = match rule.get_freq() {
            Frequency::Minutely => Some(60),
            Frequency::Hourly => Some(3600),
            Frequency::Daily => Some(86_400),
            Frequency::Weekly => Some(604_800),
            _ => None,
        };
        let period = unit
            .filter(|_| rule.get_count().is_none())
            .map(|u| u * i64::from(rule.get_interval().max(1)));
        let interval = i32::from(rule.get_interval().max(1));
        let year_step = match rule.get_freq() {
            Frequency::Yearly => Some(interval),
            Frequency::Monthly => Some(interval / gcd(interval, 12)),
            _ => None,
        }
        .filter(|_| rule.get_count().is_none());
        let schedule = Self {
            start,
            tz,
            duration,
            rule_text,
            until,
            rule,
            set,
            period,
            year_step,
        };
        if schedule.occurrences().next().is_none() {
            return Err(FieldError::new(
                "rrule",
                "never produces a window from this start (check the BY… parts, COUNT and UNTIL)",
            ));
        }
        Ok(schedule)
    }

    /// The rule as stored and shown: upper case, without an `RRULE:` prefix.
    pub fn rrule(&self) -> &str {
        &self.rule_text
    }

    /// Every occurrence in order, lazily. Infinite rules give an infinite iterator
    /// (bounded by [`MAX_SCAN`]), so callers bound it.
    pub fn occurrences(&self) -> impl Iterator<Item = Occurrence> + '_ {
        self.occurrences_near(None)
    }

    /// Occurrences in order, complete from `near` on (earlier ones may be left out).
    fn occurrences_near(&self, near: Option<DateTime<Utc>>) -> impl Iterator<Item = Occurrence> + '_ {
        let tz = self.tz;
        let duration = Duration::seconds(self.duration);
        let until = self.until;
        let set = self.anchored(near);
        let walls = set
            .into_iter()
            .map(|wall| wall.naive_utc())
            .take_while(move |local| match until {
                Some(Until::Local(u)) => *local <= u,
                Some(Until::Date(d)) => local.date() <= d,
                _ => true,
            });
        Ordered::new(walls.take(MAX_SCAN).map(move |local| (local, resolve_local(tz, local))))
            .take_while(move |start| match until {
                Some(Until::Instant(u)) => *start <= u,
                _ => true,
            })
            .map(move |start| Occurrence {
                start,
                end: start + duration,
            })
    }

    /// The rule set to expand for occurrences from `near` on: for a periodic rule, one
    /// whose DTSTART moved forward by whole periods to shortly before `near`.
    fn anchored(&self, near: Option<DateTime<Utc>>) -> RRuleSet {
        if let (Some(period), Some(near)) = (self.period, near) {
            // Two days of slack cover any UTC offset and DST gap: the moved DTSTART is
            // at least that far before `near`, and whole periods keep the rule's pattern.
            let target = near.naive_utc() - Duration::days(2);
            let k = (target - self.start).num_seconds() / period;
            if k > 0
                && let Some(moved) = self.start.checked_add_signed(Duration::seconds(k * period))
                && let Ok(set) = build(&self.rule, moved)
            {
                return set;
            }
        }
        if let (Some(step), Some(near)) = (self.year_step, near) {
            // Whole steps of years that leave DTSTART in a year before `near`'s, so the
            // periods from `near` on are whole; a 29 February start moves only to leap years.
            let target = (near.naive_utc() - Duration::days(2)).year();
            let k = (target - self.start.year()) / step - 1;
            for k in (k.saturating_sub(4).max(1)..=k).rev() {
                if let Some(moved) = self.start.with_year(self.start.year() + k * step)
                    && let Ok(set) = build(&self.rule, moved)
                {
                    return set;
                }
            }
        }
        self.set.clone()
    }

    /// The occurrences that start in `[from, to)`.
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Occurrence> {
        // Occurrences come in time order (see `Ordered`), so the window is a slice of them.
        self.occurrences_near(Some(from))
            .skip_while(|o| o.start < from)
            .take_while(|o| o.start < to)
            .collect()
    }

    /// The first `limit` occurrences that start at or after `from`.
    pub fn preview(&self, from: Option<DateTime<Utc>>, limit: usize) -> Vec<Occurrence> {
        self.occurrences_near(from)
            .filter(|o| from.is_none_or(|f| o.start >= f))
            .take(limit)
            .collect()
    }

    /// Occurrences still running or to come at `now` (those that end after it), in order.
    pub fn ahead(&self, now: DateTime<Utc>) -> impl Iterator<Item = Occurrence> + '_ {
        let from = now - Duration::seconds(self.duration);
        self.occurrences_near(Some(from)).filter(move |o| o.end > now)
    }

    /// The first two consecutive windows within a year of `from` that overlap each other
    /// (the second starts before the first ends), if any.
    pub fn self_overlap(&self, from: DateTime<Utc>) -> Option<(Occurrence, Occurrence)> {
        match self.crowding(from) {
            Some(Crowding::Overlap(a, b)) => Some((a, b)),
            _ => None,
        }
    }

    /// What makes the schedule too crowded within a year of `from`, found in one pass:
    /// windows that overlap each other, or more than [`MAX_PER_WEEK`] windows in 7 days.
    pub fn crowding(&self, from: DateTime<Utc>) -> Option<Crowding> {
        let stop = from + Duration::days(366);
        let week = Duration::days(7);
        let mut recent: std::collections::VecDeque<DateTime<Utc>> = std::collections::VecDeque::new();
        let mut previous: Option<Occurrence> = None;
        for o in self.occurrences_near(Some(from)).filter(|o| o.start >= from) {
            if o.start >= stop {
                break;
            }
            if let Some(p) = previous
                && o.start < p.end
            {
                return Some(Crowding::Overlap(p, o));
            }
            previous = Some(o);
            while recent.front().is_some_and(|t| *t <= o.start - week) {
                recent.pop_front();
            }
            recent.push_back(o.start);
            if recent.len() > MAX_PER_WEEK {
                return Some(Crowding::TooMany(recent[0]));
            }
        }
        None
    }

    /// True when the schedule has exactly one occurrence (a one-time maintenance).
    pub fn is_single(&self) -> bool {
        self.occurrences().take(2).count() == 1
    }

    /// Whether `start` is one of this schedule's occurrence starts.
    pub fn has_occurrence_at(&self, start: DateTime<Utc>) -> bool {
        self.occurrences_near(Some(start))
            .take_while(|o| o.start <= start + Duration::days(1))
            .any(|o| o.start == start)
    }

    /// The rule's UNTIL as an instant: a local date-time resolved in the zone, a local date
    /// as the last second of that day there.
    pub fn until_instant(&self) -> Option<DateTime<Utc>> {
        match self.until? {
            Until::Instant(u) => Some(u),
            Until::Local(l) => Some(resolve_local(self.tz, l)),
            Until::Date(d) => d.and_hms_opt(23, 59, 59).map(|l| resolve_local(self.tz, l)),
        }
    }

    /// A local date-time of this schedule's zone placed on the time line.
    pub fn resolve(&self, local: NaiveDateTime) -> DateTime<Utc> {
        resolve_local(self.tz, local)
    }
}

fn gcd(a: i32, b: i32) -> i32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn build(rule: &RRule<Unvalidated>, start: NaiveDateTime) -> Result<RRuleSet, FieldError> {
    // Wall-clock expansion: the local digits as if they were UTC (see the module doc).
    let wall_start = rrule::Tz::UTC.from_utc_datetime(&start);
    Ok(rule
        .clone()
        .build(wall_start)
        .map_err(|e| FieldError::new("rrule", clean_rrule_error(&e.to_string())))?
        .limit())
}

/// Puts placed occurrences back in time order and drops duplicates. Wall-clock order is
/// not always time order: in a DST gap 02:30 takes the offset from before the gap and
/// lands after 03:00 (HOURLY, BYHOUR=2,3), or on the same instant as 03:30. RFC 5545
/// ignores duplicate instances. An instant is released once the wall clock has run two
/// days past it, more than any offset or gap can move a later one before it.
struct Ordered<I> {
    inner: I,
    buffer: BTreeSet<DateTime<Utc>>,
    last_wall: Option<NaiveDateTime>,
    last_out: Option<DateTime<Utc>>,
    done: bool,
}

impl<I> Ordered<I> {
    fn new(inner: I) -> Self {
        Self {
            inner,
            buffer: BTreeSet::new(),
            last_wall: None,
            last_out: None,
            done: false,
        }
    }
}

impl<I: Iterator<Item = (NaiveDateTime, DateTime<Utc>)>> Iterator for Ordered<I> {
    type Item = DateTime<Utc>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(&first) = self.buffer.first() {
                let settled = self.done
                    || self
                        .last_wall
                        .is_some_and(|w| first.naive_utc() + Duration::days(2) < w);
                if settled {
                    self.buffer.pop_first();
                    if self.last_out.is_some_and(|last| first <= last) {
                        continue;
                    }
                    self.last_out = Some(first);
                    return Some(first);
                }
            } else if self.done {
                return None;
            }
            match self.inner.next() {
                Some((wall, instant)) => {
                    self.last_wall = Some(wall);
                    self.buffer.insert(instant);
                }
                None => self.done = true,
            }
        }
    }
}

/// Places a local date-time of `tz` on the time line as RFC 5545 says: a time in a DST gap
/// takes the UTC offset from before the gap (02:30 on a spring-forward night becomes 03:30
/// summer time); an ambiguous time takes its first occurrence.
pub fn resolve_local(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(dt) => dt.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            // In a gap: find the offset in force just before it. Gaps last minutes to a
            // day (Samoa skipped 30 December 2011), so step back an hour at a time.
            let mut probe = local;
            let offset = loop {
                probe -= Duration::hours(1);
                match tz.from_local_datetime(&probe) {
                    LocalResult::Single(dt) => break dt.offset().fix(),
                    LocalResult::Ambiguous(_, later) => break later.offset().fix(),
                    LocalResult::None if local - probe < Duration::days(3) => continue,
                    // Unreachable with real tz data; fall back to reading it as UTC.
                    LocalResult::None => break Utc.fix(),
                }
            };
            Utc.from_utc_datetime(&(local - Duration::seconds(offset.local_minus_utc().into())))
        }
    }
}

/// Formats an instant as the API and CLI print it: RFC 3339, UTC, whole seconds, `Z`.
pub fn format_utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn parse_rule(text: &str) -> Result<(String, RRule<Unvalidated>, Option<Until>), FieldError> {
    let err = |m: String| FieldError::new("rrule", m);
    let mut text = text.trim().to_ascii_uppercase();
    if let Some(rest) = text.strip_prefix("RRULE:") {
        text = rest.trim().to_string();
    }
    if text.is_empty() {
        text = ONE_TIME.to_string();
    }
    if text.contains('\n') || text.contains(':') {
        return Err(err("must be a single RRULE value like FREQ=WEEKLY;BYDAY=SU (no DTSTART or other lines; the start is given separately)".into()));
    }
    let mut until = None;
    let mut rest = Vec::new();
    let mut has_count = false;
    for part in text.split(';').filter(|p| !p.is_empty()) {
        let Some((key, value)) = part.split_once('=') else {
            return Err(err(format!("'{part}' is not a NAME=VALUE part")));
        };
        match key {
            "UNTIL" => {
                until = Some(parse_until(value).ok_or_else(|| {
                    err(format!(
                        "UNTIL '{value}' must look like 20261231T235959Z, 20261231T235959 or 20261231"
                    ))
                })?)
            }
            "FREQ" if value == "SECONDLY" => {
                return Err(err(
                    "FREQ=SECONDLY is not supported for maintenance windows; use MINUTELY or longer".into(),
                ));
            }
            "COUNT" => {
                has_count = true;
                match value.parse::<u32>() {
                    Ok(1..=100_000) => rest.push(part),
                    _ => return Err(err("COUNT must be between 1 and 100000".into())),
                }
            }
            "INTERVAL" if value.parse::<u16>().map_or(true, |n| n == 0) => {
                return Err(err("INTERVAL must be a whole number from 1".into()));
            }
            _ => rest.push(part),
        }
    }
    if has_count && until.is_some() {
        return Err(err("COUNT and UNTIL cannot both be given (RFC 5545)".into()));
    }
    if !rest.iter().any(|p| p.starts_with("FREQ=")) {
        return Err(err("FREQ is required, e.g. FREQ=WEEKLY;BYDAY=SU".into()));
    }
    let rule = rest
        .join(";")
        .parse::<RRule<Unvalidated>>()
        .map_err(|e| err(clean_rrule_error(&e.to_string())))?;
    let per_period = per_period(&rule);
    if per_period > MAX_PER_PERIOD {
        return Err(err(format!(
            "would expand to about {per_period} windows per {} (at most {MAX_PER_PERIOD}): use fewer BYMONTHDAY/BYDAY/BYHOUR/BYMINUTE/BYSECOND values",
            period_name(rule.get_freq())
        )));
    }
    Ok((text, rule, until))
}

/// The most instants one period of a rule may hold. The `rrule` crate builds a whole
/// period (a year for YEARLY) in memory before yielding its first instant, so this is
/// checked before anything is expanded.
pub const MAX_PER_PERIOD: u64 = 10_000;

/// An upper bound of the instants in one period of `rule`: days in the period that the
/// BY-parts can pick, times the times of day they list.
fn per_period(rule: &RRule<Unvalidated>) -> u64 {
    let n = |len: usize| (len as u64).max(1);
    let day_parts = !rule.get_by_month_day().is_empty()
        || !rule.get_by_year_day().is_empty()
        || !rule.get_by_week_no().is_empty()
        || !rule.get_by_weekday().is_empty();
    let days = match rule.get_freq() {
        Frequency::Yearly if day_parts || !rule.get_by_month().is_empty() => 366,
        Frequency::Monthly if day_parts => 31,
        Frequency::Weekly if day_parts => 7,
        _ => 1,
    };
    let (hours, minutes, seconds) = (
        n(rule.get_by_hour().len()),
        n(rule.get_by_minute().len()),
        n(rule.get_by_second().len()),
    );
    let times = match rule.get_freq() {
        Frequency::Minutely => seconds,
        Frequency::Hourly => minutes * seconds,
        _ => hours * minutes * seconds,
    };
    days * times
}

/// The period named in the error: HOURLY and MINUTELY rules never exceed the limit (at
/// most 61 x 61 and 61 instants), so only these four can be said.
fn period_name(f: Frequency) -> &'static str {
    match f {
        Frequency::Yearly => "year",
        Frequency::Monthly => "month",
        Frequency::Weekly => "week",
        _ => "day",
    }
}

fn parse_until(value: &str) -> Option<Until> {
    if let Some(utc) = value.strip_suffix('Z') {
        NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S")
            .ok()
            .map(|t| Until::Instant(Utc.from_utc_datetime(&t)))
    } else if value.contains('T') {
        NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S")
            .ok()
            .map(Until::Local)
    } else {
        NaiveDate::parse_from_str(value, "%Y%m%d").ok().map(Until::Date)
    }
}

fn clean_rrule_error(message: &str) -> String {
    message
        .trim_start_matches("RRule parsing error: ")
        .trim_start_matches("RRule validation error: ")
        .to_string()
}

#[cfg(test)]
mod overlap_tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn hourly_windows_of_two_hours_overlap_each_other() {
        let s = Schedule::parse("2026-12-01T00:00", "UTC", 7200, "FREQ=HOURLY").unwrap();
        let (a, b) = s.self_overlap(at(2026, 12, 1, 0, 0)).unwrap();
        assert_eq!((a.start, b.start), (at(2026, 12, 1, 0, 0), at(2026, 12, 1, 1, 0)));
    }

    #[test]
    fn back_to_back_windows_do_not_overlap() {
        let s = Schedule::parse("2026-12-01T00:00", "UTC", 3600, "FREQ=HOURLY").unwrap();
        assert_eq!(s.self_overlap(at(2026, 12, 1, 0, 0)), None);
        let weekly = Schedule::parse("2026-12-06T03:00", "Europe/Berlin", 7200, "FREQ=WEEKLY;BYDAY=SU").unwrap();
        assert_eq!(weekly.self_overlap(at(2026, 12, 1, 0, 0)), None);
    }

    #[test]
    fn the_shortest_gap_decides_not_the_first() {
        // 03:00 and 22:00 on Saturdays and Sundays, from Sunday 6 Dec 22:00: the gaps are
        // 5 days 5 h, 19 h, then 5 h (Sat 22:00 to Sun 03:00), where a 6 h window overlaps.
        let s = Schedule::parse(
            "2026-12-06T22:00",
            "UTC",
            6 * 3600,
            "FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=3,22",
        )
        .unwrap();
        let (a, b) = s.self_overlap(at(2026, 12, 1, 0, 0)).unwrap();
        assert_eq!((a.start, b.start), (at(2026, 12, 12, 22, 0), at(2026, 12, 13, 3, 0)));
    }

    #[test]
    fn more_than_one_window_every_five_minutes_is_too_crowded() {
        // Every 4 minutes, 1 minute long: 2,520 windows a week.
        let s = Schedule::parse("2026-12-01T00:00", "UTC", 60, "FREQ=MINUTELY;INTERVAL=4").unwrap();
        assert_eq!(
            s.crowding(at(2026, 12, 1, 0, 0)),
            Some(Crowding::TooMany(at(2026, 12, 1, 0, 0)))
        );
        // Every 5 minutes is the limit: 2,016 a week.
        let s = Schedule::parse("2026-12-01T00:00", "UTC", 60, "FREQ=MINUTELY;INTERVAL=5").unwrap();
        assert_eq!(s.crowding(at(2026, 12, 1, 0, 0)), None);
        // The BYSECOND route to second-by-second windows is the same thing.
        let every_second: Vec<String> = (0..60).map(|i| i.to_string()).collect();
        let rule = format!("FREQ=MINUTELY;BYSECOND={}", every_second.join(","));
        let s = Schedule::parse("2026-12-01T00:00", "UTC", 1, &rule).unwrap();
        assert!(matches!(s.crowding(at(2026, 12, 1, 0, 0)), Some(Crowding::TooMany(_))));
    }

    #[test]
    fn a_rule_that_would_fill_memory_is_refused_before_expanding() {
        let list = |n: std::ops::Range<u32>| n.map(|i| i.to_string()).collect::<Vec<_>>().join(",");
        let bomb = format!(
            "FREQ=YEARLY;BYMONTH={};BYMONTHDAY={};BYHOUR={};BYMINUTE={};BYSECOND={}",
            list(1..13),
            list(1..32),
            list(0..24),
            list(0..60),
            list(0..60)
        );
        let started = std::time::Instant::now();
        let err = Schedule::parse("2026-01-01T00:00", "UTC", 1, &bomb).unwrap_err();
        assert_eq!(err.field, "rrule");
        assert!(err.message.contains("per year"), "{}", err.message);
        assert!(started.elapsed() < std::time::Duration::from_millis(100));
        // Busy but sane rules still parse: every quarter hour of every day of the week.
        Schedule::parse("2026-01-01T00:00", "UTC", 60, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,15,30,45").unwrap();
        Schedule::parse(
            "2026-01-01T03:00",
            "UTC",
            60,
            "FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYMONTHDAY=1,15",
        )
        .unwrap();
    }

    #[test]
    fn ahead_skips_windows_that_ended() {
        let s = Schedule::parse("2026-09-02T03:00", "Europe/Berlin", 1800, "FREQ=WEEKLY;BYDAY=WE").unwrap();
        let next = s.ahead(at(2026, 11, 23, 6, 0)).next().unwrap();
        // Wed 25 Nov 2026, 03:00 CET = 02:00 UTC.
        assert_eq!(next.start, at(2026, 11, 25, 2, 0));
        // At the very end of a window it is over: the next one is ahead.
        let end = at(2026, 11, 25, 2, 30);
        assert_eq!(s.ahead(end).next().unwrap().start, at(2026, 12, 2, 2, 0));
        assert_eq!(
            s.ahead(end - Duration::seconds(1)).next().unwrap().start,
            at(2026, 11, 25, 2, 0)
        );
        // A three-week freeze every four weeks (from Monday 5 January 2026, UTC): on
        // 17 March the window of 2 March (to 23 March) is still running.
        let freeze = Schedule::parse("2026-01-05T00:00", "UTC", 21 * 86_400, "FREQ=WEEKLY;INTERVAL=4").unwrap();
        let running = freeze.ahead(at(2026, 3, 17, 0, 0)).next().unwrap();
        assert_eq!(
            (running.start, running.end),
            (at(2026, 3, 2, 0, 0), at(2026, 3, 23, 0, 0))
        );
        let once = Schedule::parse("2020-01-01T03:00", "Europe/Berlin", 7200, ONE_TIME).unwrap();
        assert!(once.ahead(at(2026, 11, 23, 6, 0)).next().is_none());
    }
}

#[cfg(test)]
mod tests {
    //! Expected instants below were worked out by hand from the published DST dates
    //! (EU: last Sunday of March/October at 01:00 UTC; US: second Sunday of March and
    //! first Sunday of November at 02:00 local) and cross-checked with Python's zoneinfo,
    //! never taken from this code's own output.
    use super::*;

    fn starts(s: &Schedule, n: usize) -> Vec<String> {
        s.preview(None, n).into_iter().map(|o| format_utc(o.start)).collect()
    }

    fn sched(start: &str, tz: &str, rule: &str) -> Schedule {
        Schedule::parse(start, tz, 3600, rule).unwrap()
    }

    #[test]
    fn weekly_sunday_3am_berlin_keeps_local_time_across_spring_forward() {
        let s = sched("2026-03-22T03:00", "Europe/Berlin", "FREQ=WEEKLY;BYDAY=SU");
        assert_eq!(
            starts(&s, 3),
            ["2026-03-22T02:00:00Z", "2026-03-29T01:00:00Z", "2026-04-05T01:00:00Z"]
        );
    }

    #[test]
    fn a_start_in_the_spring_gap_takes_the_offset_from_before_the_gap() {
        // 02:30 does not exist in Berlin on 29 March 2026: it becomes 03:30 CEST (01:30Z).
        let s = sched("2026-03-28T02:30", "Europe/Berlin", "FREQ=DAILY;COUNT=3");
        assert_eq!(
            starts(&s, 5),
            ["2026-03-28T01:30:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"]
        );
    }

    #[test]
    fn a_dtstart_inside_the_gap_is_accepted_and_moved_forward() {
        let s = sched("2026-03-29T02:30", "Europe/Berlin", ONE_TIME);
        assert_eq!(starts(&s, 5), ["2026-03-29T01:30:00Z"]);
    }

    #[test]
    fn an_ambiguous_autumn_time_takes_the_first_occurrence() {
        // 02:30 happens twice in Berlin on 25 October 2026; the first is CEST (00:30Z).
        let s = sched("2026-10-24T02:30", "Europe/Berlin", "FREQ=DAILY;COUNT=3");
        assert_eq!(
            starts(&s, 5),
            ["2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"]
        );
    }

    #[test]
    fn second_sunday_in_new_york_crosses_the_us_spring_gap() {
        // US DST began 8 March 2026 at 02:00 EST; 02:30 that night becomes 03:30 EDT.
        let s = sched("2026-01-11T02:30", "America/New_York", "FREQ=MONTHLY;BYDAY=2SU;COUNT=4");
        assert_eq!(
            starts(&s, 10),
            [
                "2026-01-11T07:30:00Z",
                "2026-02-08T07:30:00Z",
                "2026-03-08T07:30:00Z",
                "2026-04-12T06:30:00Z"
            ]
        );
    }

    #[test]
    fn last_friday_of_the_month() {
        let s = sched("2026-01-30T22:00", "UTC", "FREQ=MONTHLY;BYDAY=-1FR");
        assert_eq!(
            starts(&s, 4),
            [
                "2026-01-30T22:00:00Z",
                "2026-02-27T22:00:00Z",
                "2026-03-27T22:00:00Z",
                "2026-04-24T22:00:00Z"
            ]
        );
    }

    #[test]
    fn last_weekday_of_the_month_with_bysetpos() {
        // May 2026 ends on a Sunday, so its last weekday is Friday the 29th.
        let s = sched(
            "2026-04-30T20:00",
            "Europe/London",
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        );
        assert_eq!(
            starts(&s, 3),
            ["2026-04-30T19:00:00Z", "2026-05-29T19:00:00Z", "2026-06-30T19:00:00Z"]
        );
    }

    #[test]
    fn yearly_by_month_and_month_day() {
        let s = sched("2026-12-25T00:00", "Asia/Tokyo", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25");
        assert_eq!(starts(&s, 2), ["2026-12-24T15:00:00Z", "2027-12-24T15:00:00Z"]);
    }

    #[test]
    fn byhour_gives_several_windows_a_day() {
        let s = sched("2026-06-01T01:00", "Europe/Berlin", "FREQ=DAILY;BYHOUR=1,13;COUNT=3");
        assert_eq!(
            starts(&s, 5),
            ["2026-05-31T23:00:00Z", "2026-06-01T11:00:00Z", "2026-06-01T23:00:00Z"]
        );
    }

    #[test]
    fn interval_and_count() {
        let s = sched("2026-01-05T09:00", "UTC", "FREQ=WEEKLY;INTERVAL=2;COUNT=3");
        assert_eq!(
            starts(&s, 10),
            ["2026-01-05T09:00:00Z", "2026-01-19T09:00:00Z", "2026-02-02T09:00:00Z"]
        );
    }

    #[test]
    fn until_in_utc_is_inclusive_and_compared_after_the_dst_change() {
        // Sundays 03:00 Berlin: 5 April is 01:00Z, so UNTIL=...T010000Z keeps it.
        let s = sched(
            "2026-03-22T03:00",
            "Europe/Berlin",
            "FREQ=WEEKLY;UNTIL=20260405T010000Z",
        );
        assert_eq!(
            starts(&s, 10),
            ["2026-03-22T02:00:00Z", "2026-03-29T01:00:00Z", "2026-04-05T01:00:00Z"]
        );
        let s = sched(
            "2026-03-22T03:00",
            "Europe/Berlin",
            "FREQ=WEEKLY;UNTIL=20260405T005959Z",
        );
        assert_eq!(starts(&s, 10).len(), 2);
    }

    #[test]
    fn until_as_a_date_includes_that_local_day() {
        let s = sched("2026-07-01T23:30", "America/Los_Angeles", "FREQ=DAILY;UNTIL=20260703");
        assert_eq!(
            starts(&s, 10),
            ["2026-07-02T06:30:00Z", "2026-07-03T06:30:00Z", "2026-07-04T06:30:00Z"]
        );
    }

    #[test]
    fn until_as_a_local_time_is_read_on_the_schedules_wall_clock_and_inclusive() {
        // Sundays 03:00 Berlin with UNTIL=20260405T030000 (no Z): the local 03:00 of
        // 5 April (01:00Z, summer time) is the last window; one second less drops it.
        let s = sched("2026-03-22T03:00", "Europe/Berlin", "FREQ=WEEKLY;UNTIL=20260405T030000");
        assert_eq!(
            starts(&s, 10),
            ["2026-03-22T02:00:00Z", "2026-03-29T01:00:00Z", "2026-04-05T01:00:00Z"]
        );
        let s = sched("2026-03-22T03:00", "Europe/Berlin", "FREQ=WEEKLY;UNTIL=20260405T025959");
        assert_eq!(starts(&s, 10).len(), 2);
    }

    #[test]
    fn one_time_is_the_default_and_single() {
        let s = sched("2026-05-17T03:00", "Europe/Berlin", "");
        assert_eq!(s.rrule(), ONE_TIME);
        assert!(s.is_single());
        assert!(!sched("2026-05-17T03:00", "UTC", "FREQ=DAILY").is_single());
    }

    #[test]
    fn the_end_is_start_plus_duration_in_absolute_seconds() {
        // A 3-hour window from 01:00 CET on the spring-forward night ends at 05:00 CEST.
        let s = Schedule::parse("2026-03-29T01:00", "Europe/Berlin", 3 * 3600, ONE_TIME).unwrap();
        let o = s.preview(None, 1)[0];
        assert_eq!(format_utc(o.start), "2026-03-29T00:00:00Z");
        assert_eq!(format_utc(o.end), "2026-03-29T03:00:00Z");
    }

    #[test]
    fn between_is_half_open_and_bounded() {
        let s = sched("2026-01-01T00:00", "UTC", "FREQ=DAILY");
        let from = Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap();
        let to = from + Duration::days(7);
        let got = s.between(from, to);
        assert_eq!(got.len(), 7);
        assert_eq!(got[0].start, from);
    }

    #[test]
    fn hourly_across_the_spring_gap_is_in_order_without_duplicates() {
        // Berlin, 29 March 2026: 02:00 local does not exist; it takes the offset from
        // before the gap (+1), i.e. 01:00Z, which is also 03:00 CEST: one window.
        let s = sched("2026-03-29T00:00", "Europe/Berlin", "FREQ=HOURLY;COUNT=5");
        assert_eq!(
            starts(&s, 10),
            [
                "2026-03-28T23:00:00Z",
                "2026-03-29T00:00:00Z",
                "2026-03-29T01:00:00Z",
                "2026-03-29T02:00:00Z"
            ]
        );
        let s = sched("2026-03-29T01:00", "Europe/Berlin", "FREQ=MINUTELY;INTERVAL=30;COUNT=6");
        assert_eq!(
            starts(&s, 10),
            // 02:00 and 02:30 fall in the gap and land on 03:00 and 03:30 CEST.
            [
                "2026-03-29T00:00:00Z",
                "2026-03-29T00:30:00Z",
                "2026-03-29T01:00:00Z",
                "2026-03-29T01:30:00Z"
            ]
        );
        let s = sched("2026-03-28T02:00", "Europe/Berlin", "FREQ=DAILY;BYHOUR=2,3;COUNT=4");
        assert_eq!(
            starts(&s, 10),
            ["2026-03-28T01:00:00Z", "2026-03-28T02:00:00Z", "2026-03-29T01:00:00Z"]
        );
    }

    #[test]
    fn monthly_and_yearly_rules_years_old_expand_from_near_the_window_asked_for() {
        // Weekdays 09:00-17:45 every quarter hour, Berlin, since 2011: about 150,000
        // windows before 2026. 2026-03-28 is a Saturday and Berlin moves to summer time
        // on Sunday 29 March, so the next window is Monday 30 March 09:00 CEST = 07:00Z.
        let busy = sched(
            "2011-01-03T09:00",
            "Europe/Berlin",
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9,10,11,12,13,14,15,16,17;BYMINUTE=0,15,30,45",
        );
        let from = Utc.with_ymd_and_hms(2026, 3, 28, 12, 0, 0).unwrap();
        let next = busy.preview(Some(from), 2);
        assert_eq!(
            next.iter().map(|o| format_utc(o.start)).collect::<Vec<_>>(),
            ["2026-03-30T07:00:00Z", "2026-03-30T07:15:00Z"]
        );
        let walked: Vec<Occurrence> = busy
            .occurrences()
            .filter(|o| o.start >= from && o.start < from + Duration::days(3))
            .collect();
        assert_eq!(busy.between(from, from + Duration::days(3)), walked);
        // Every 5 months from January 2011: after 28 March 2026 the first of April is 183
        // months on, May 184, June 185 = 5 x 37: 1 June 2026.
        let fifth = sched("2011-01-01T22:00", "UTC", "FREQ=MONTHLY;INTERVAL=5;BYMONTHDAY=1");
        assert_eq!(
            format_utc(fifth.preview(Some(from), 1)[0].start),
            "2026-06-01T22:00:00Z"
        );
        // A 29 February start moves only to leap years: the next after 2026 is 2028.
        let leap = sched("2012-02-29T10:00", "UTC", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29");
        assert_eq!(format_utc(leap.preview(Some(from), 1)[0].start), "2028-02-29T10:00:00Z");
        // The review's dense yearly rule started in 1970, asked about a far year.
        let hours: Vec<String> = (0..24).map(|h| h.to_string()).collect();
        let days: Vec<String> = (1..=366).map(|d| d.to_string()).collect();
        let dense = sched(
            "1970-01-01T00:00",
            "UTC",
            &format!("FREQ=YEARLY;BYYEARDAY={};BYHOUR={}", days.join(","), hours.join(",")),
        );
        let far = Utc.with_ymd_and_hms(2999, 12, 31, 23, 30, 0).unwrap();
        assert_eq!(format_utc(dense.preview(Some(far), 1)[0].start), "3000-01-01T00:00:00Z");
    }

    #[test]
    fn far_from_the_start_a_periodic_rule_expands_from_nearby_with_the_same_result() {
        let s = sched("2020-01-01T00:07", "Europe/Berlin", "FREQ=MINUTELY;INTERVAL=7");
        let from = Utc.with_ymd_and_hms(2026, 3, 29, 0, 0, 0).unwrap();
        let got = s.between(from, from + Duration::hours(4));
        // Every 7 minutes of wall-clock time since 2020-01-01 00:07 CET; 2026-03-29 00:00Z
        // is 01:00 CET, 3,281,813 minutes after the start: the next multiple of 7 is
        // 3,281,817 minutes, 01:04 CET = 00:04Z (worked out with Python's datetime).
        assert_eq!(format_utc(got[0].start), "2026-03-29T00:04:00Z");
        assert!(got.windows(2).all(|w| w[0].start < w[1].start));
        let weekly = sched("2021-01-03T03:00", "Europe/Berlin", "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU");
        let got = weekly.between(from, from + Duration::days(22));
        let walked: Vec<Occurrence> = weekly
            .occurrences()
            .filter(|o| o.start >= from && o.start < from + Duration::days(22))
            .collect();
        assert_eq!(got, walked, "starting near the window changes nothing");
        // 2021-01-03 is a Sunday; 2026-03-29 is 273 weeks later (odd), so the next
        // fortnightly Sunday is 5 April, 03:00 CEST.
        assert_eq!(
            got.iter().map(|o| format_utc(o.start)).collect::<Vec<_>>(),
            ["2026-04-05T01:00:00Z", "2026-04-19T01:00:00Z"]
        );
    }

    #[test]
    fn a_rule_with_millions_of_windows_behind_it_still_gives_todays() {
        // Every 5 minutes since 2000: about 2.8 million windows before December 2026,
        // more than a walk from the start may take (MAX_SCAN).
        let s = sched("2000-01-01T00:00", "UTC", "FREQ=MINUTELY;INTERVAL=5");
        let from = Utc.with_ymd_and_hms(2026, 12, 6, 10, 0, 0).unwrap();
        let got = s.between(from, from + Duration::hours(1));
        assert_eq!(got.len(), 12);
        assert_eq!((got[0].start, got[11].start), (from, from + Duration::minutes(55)));
    }

    #[test]
    fn yearly_rules_keep_their_years_and_days_when_expanded_from_nearby() {
        // Every other year from 2002: 2026 and 2028, never an odd year.
        let s = sched("2002-06-01T10:00", "UTC", "FREQ=YEARLY;INTERVAL=2");
        let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            s.preview(Some(from), 2)
                .iter()
                .map(|o| format_utc(o.start))
                .collect::<Vec<_>>(),
            ["2026-06-01T10:00:00Z", "2028-06-01T10:00:00Z"]
        );
        // 30 and 31 December each year, asked from 30 December: both days are there,
        // though two days on is already the next year.
        let s = sched("2000-12-31T12:00", "UTC", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=30,31");
        let from = Utc.with_ymd_and_hms(2026, 12, 30, 0, 0, 0).unwrap();
        assert_eq!(
            s.between(from, from + Duration::days(2))
                .iter()
                .map(|o| format_utc(o.start))
                .collect::<Vec<_>>(),
            ["2026-12-30T12:00:00Z", "2026-12-31T12:00:00Z"]
        );
    }

    fn rule_error(rule: &str) -> String {
        let err = Schedule::parse("2026-01-01T00:00", "UTC", 60, rule).unwrap_err();
        assert_eq!(err.field, "rrule", "{rule}");
        err.message
    }

    #[test]
    fn refused_rules_say_why_in_words_a_person_can_act_on() {
        // The rrule crate's own wording, without its "RRule parsing error:" prefix.
        assert_eq!(
            rule_error("FREQ=FORTNIGHTLY"),
            "`FORTNIGHTLY` is not a valid frequency."
        );
        for pasted in ["FREQ=DAILY\nCOUNT=2", "DTSTART:20260101T000000Z;FREQ=DAILY"] {
            assert!(
                rule_error(pasted).starts_with("must be a single RRULE value"),
                "{pasted:?}"
            );
        }
        assert_eq!(
            rule_error("FREQ=SECONDLY"),
            "FREQ=SECONDLY is not supported for maintenance windows; use MINUTELY or longer"
        );
        for bad in ["FREQ=DAILY;INTERVAL=0", "FREQ=DAILY;INTERVAL=two"] {
            assert_eq!(rule_error(bad), "INTERVAL must be a whole number from 1", "{bad}");
        }
    }

    #[test]
    fn rules_of_too_many_instants_per_period_are_refused_with_the_count() {
        let list = |n: u32| (0..n).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
        let (hours, minutes) = (list(24), list(60));
        let too_many = |rule: String, n: u64, per: &str| {
            assert_eq!(
                rule_error(&rule),
                format!(
                    "would expand to about {n} windows per {per} (at most 10000): use fewer BYMONTHDAY/BYDAY/BYHOUR/BYMINUTE/BYSECOND values"
                ),
                "{rule}"
            );
        };
        // Any BY-day part (or BYMONTH) makes a year of up to 366 days.
        for day_part in ["BYMONTH=1", "BYMONTHDAY=1", "BYYEARDAY=1", "BYWEEKNO=1", "BYDAY=MO"] {
            too_many(
                format!("FREQ=YEARLY;{day_part};BYHOUR={hours};BYMINUTE=0,30"),
                366 * 48,
                "year",
            );
            too_many(
                format!("FREQ=YEARLY;{day_part};BYMINUTE={minutes};BYSECOND=0,30"),
                366 * 120,
                "year",
            );
        }
        too_many(
            format!("FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR={hours};BYMINUTE={minutes}"),
            31 * 1440,
            "month",
        );
        too_many(
            format!("FREQ=MONTHLY;BYDAY=MO;BYHOUR={hours};BYMINUTE={minutes}"),
            31 * 1440,
            "month",
        );
        too_many(
            format!("FREQ=WEEKLY;BYDAY=MO;BYHOUR={hours};BYMINUTE={minutes}"),
            7 * 1440,
            "week",
        );
        too_many(
            format!(
                "FREQ=DAILY;BYHOUR={};BYMINUTE={};BYSECOND={}",
                list(20),
                list(50),
                list(11)
            ),
            11_000,
            "day",
        );
        // Exactly at the limit is fine, and without BY-day parts a period is one day's times.
        assert!(
            Schedule::parse(
                "2026-01-01T00:00",
                "UTC",
                1,
                &format!(
                    "FREQ=DAILY;BYHOUR={};BYMINUTE={};BYSECOND={}",
                    list(20),
                    list(50),
                    list(10)
                )
            )
            .is_ok()
        );
        for rule in [
            format!("FREQ=YEARLY;BYHOUR={hours};BYMINUTE={minutes}"),
            format!("FREQ=MONTHLY;BYHOUR={hours};BYMINUTE={minutes}"),
            format!("FREQ=WEEKLY;BYHOUR={hours};BYMINUTE={minutes}"),
            // An hour holds at most 60 x 60 instants, a minute 60, whatever BYHOUR says.
            format!("FREQ=HOURLY;BYHOUR={hours};BYMINUTE={minutes};BYSECOND={}", list(60)),
            format!("FREQ=MINUTELY;BYHOUR={hours};BYMINUTE={minutes};BYSECOND={}", list(60)),
        ] {
            assert!(Schedule::parse("2026-01-01T00:00", "UTC", 1, &rule).is_ok(), "{rule}");
        }
    }

    #[test]
    fn wall_times_out_of_order_after_a_gap_come_out_in_time_order() {
        // Every 45 minutes from 01:30 CET on the spring-forward night: 02:15 is in the
        // gap and lands on 03:15 CEST (01:15Z), after the 03:00 CEST (01:00Z) that follows it
        // on the wall clock. Both are kept, in time order.
        let s = sched("2026-03-29T01:30", "Europe/Berlin", "FREQ=MINUTELY;INTERVAL=45;COUNT=4");
        assert_eq!(
            starts(&s, 10),
            [
                "2026-03-29T00:30:00Z",
                "2026-03-29T01:00:00Z",
                "2026-03-29T01:15:00Z",
                "2026-03-29T01:45:00Z"
            ]
        );
    }

    #[test]
    fn a_time_in_samoas_skipped_day_takes_the_offset_from_before_it() {
        // Samoa went from UTC-10 to UTC+14 after 29 December 2011: the 30th never was.
        // 10:00 that day is read at -10 (Python's zoneinfo agrees): 20:00Z.
        let s = sched("2011-12-30T10:00", "Pacific/Apia", ONE_TIME);
        assert_eq!(starts(&s, 1), ["2011-12-30T20:00:00Z"]);
    }

    #[test]
    fn an_every_other_month_rule_since_1970_still_gives_this_months_windows() {
        // Weekdays, every quarter hour, every other month from January 1970: over 700,000
        // windows before November 2026, more than a walk from the start may take.
        let s = sched(
            "1970-01-01T00:00",
            "UTC",
            &format!(
                "FREQ=MONTHLY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR;BYHOUR={};BYMINUTE=0,15,30,45",
                (0..24).map(|h| h.to_string()).collect::<Vec<_>>().join(",")
            ),
        );
        // November 2026 is month 682 counted from January 1970 (even): Monday the 2nd.
        let nov = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
        let got = s.between(nov, nov + Duration::hours(1));
        assert_eq!(
            got.iter().map(|o| format_utc(o.start)).collect::<Vec<_>>()[..2],
            ["2026-11-02T00:00:00Z", "2026-11-02T00:15:00Z"]
        );
        assert_eq!(got.len(), 4);
        // December (683) has none; January 2027 (684) begins on Friday the 1st.
        let dec = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        assert!(s.between(dec, dec + Duration::days(31)).is_empty());
        assert_eq!(format_utc(s.preview(Some(dec), 1)[0].start), "2027-01-01T00:00:00Z");
    }

    #[test]
    fn rules_that_never_fire_or_make_no_sense_are_refused() {
        for bad in [
            "FREQ=DAILY;INTERVAL=0",
            "FREQ=DAILY;COUNT=0",
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            "FREQ=DAILY;UNTIL=20200101T000000Z",
        ] {
            let err = Schedule::parse("2026-01-01T00:00", "UTC", 60, bad).unwrap_err();
            assert_eq!(err.field, "rrule", "{bad}");
        }
        assert_eq!(
            Schedule::parse("1969-12-31T00:00", "UTC", 60, "").unwrap_err().field,
            "start"
        );
    }

    #[test]
    fn bad_rules_name_the_rrule_field() {
        for bad in [
            "FREQ=FORTNIGHTLY",
            "BYDAY=MO",
            "FREQ=DAILY;COUNT=2;UNTIL=20260101T000000Z",
            "FREQ=SECONDLY",
            "FREQ=WEEKLY;BYDAY=XX",
            "DTSTART:20260101T000000Z",
            "FREQ=DAILY;UNTIL=tomorrow",
            "FREQ=MONTHLY;BYMONTHDAY=40",
        ] {
            let err = Schedule::parse("2026-01-01T00:00", "UTC", 60, bad).unwrap_err();
            assert_eq!(err.field, "rrule", "{bad}");
        }
    }
}
