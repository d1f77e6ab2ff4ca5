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

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use rrule::{Frequency, RRule, RRuleSet, Unvalidated};

use super::validate::{self, FieldError};

/// The rule of a one-time maintenance.
pub const ONE_TIME: &str = "FREQ=MINUTELY;COUNT=1";

/// The most occurrences any expansion walks through. Expansion starts at DTSTART, so a
/// rule like "every minute since 2015" would otherwise cost millions of steps on every
/// pass; [`Schedule::check_reach`] refuses such schedules up front instead.
pub const MAX_SCAN: usize = 500_000;

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
    set: RRuleSet,
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
        // Wall-clock expansion: the local digits as if they were UTC (see the module doc).
        let wall_start = rrule::Tz::UTC.from_utc_datetime(&start);
        let set = rule
            .build(wall_start)
            .map_err(|e| FieldError::new("rrule", clean_rrule_error(&e.to_string())))?
            .limit();
        Ok(Self {
            start,
            tz,
            duration,
            rule_text,
            until,
            set,
        })
    }

    /// The rule as stored and shown: upper case, without an `RRULE:` prefix.
    pub fn rrule(&self) -> &str {
        &self.rule_text
    }

    /// Every occurrence in order, lazily. Infinite rules give an infinite iterator
    /// (bounded only by the `rrule` crate's loop limit), so callers bound it.
    pub fn occurrences(&self) -> impl Iterator<Item = Occurrence> + '_ {
        let tz = self.tz;
        let duration = Duration::seconds(self.duration);
        let until = self.until;
        (&self.set)
            .into_iter()
            .map(|wall| wall.naive_utc())
            .take_while(move |local| match until {
                Some(Until::Local(u)) => *local <= u,
                Some(Until::Date(d)) => local.date() <= d,
                _ => true,
            })
            .map(move |local| resolve_local(tz, local))
            .take_while(move |start| match until {
                Some(Until::Instant(u)) => *start <= u,
                _ => true,
            })
            .map(move |start| Occurrence {
                start,
                end: start + duration,
            })
            .take(MAX_SCAN)
    }

    /// Refuses a schedule whose expansion would need more than [`MAX_SCAN`] occurrences
    /// to reach `until` (a frequent rule with a start long ago).
    pub fn check_reach(&self, until: DateTime<Utc>) -> Result<(), FieldError> {
        let scanned = self.occurrences().take_while(|o| o.start < until).count();
        if scanned >= MAX_SCAN {
            Err(FieldError::new(
                "start",
                format!(
                    "this rule repeats too often since its start to be expanded (more than {MAX_SCAN} windows); move the start closer to today"
                ),
            ))
        } else {
            Ok(())
        }
    }

    /// The occurrences that start in `[from, to)`.
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Occurrence> {
        // Local digits can run up to a day ahead of UTC, so stop a day past `to`.
        let stop = to + Duration::days(1);
        self.occurrences()
            .take_while(|o| o.start < stop)
            .filter(|o| o.start >= from && o.start < to)
            .collect()
    }

    /// The first `limit` occurrences that start at or after `from`.
    pub fn preview(&self, from: Option<DateTime<Utc>>, limit: usize) -> Vec<Occurrence> {
        self.occurrences()
            .filter(|o| from.is_none_or(|f| o.start >= f))
            .take(limit)
            .collect()
    }

    /// True when the schedule has exactly one occurrence (a one-time maintenance).
    pub fn is_single(&self) -> bool {
        self.occurrences().take(2).count() == 1
    }

    /// Whether `start` is one of this schedule's occurrence starts.
    pub fn has_occurrence_at(&self, start: DateTime<Utc>) -> bool {
        self.occurrences()
            .take_while(|o| o.start <= start + Duration::days(1))
            .any(|o| o.start == start)
    }

    /// A local date-time of this schedule's zone placed on the time line.
    pub fn resolve(&self, local: NaiveDateTime) -> DateTime<Utc> {
        resolve_local(self.tz, local)
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
                rest.push(part);
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
    if matches!(rule.get_freq(), Frequency::Secondly) {
        return Err(err("FREQ=SECONDLY is not supported".into()));
    }
    Ok((text, rule, until))
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
    fn a_frequent_rule_with_an_ancient_start_is_refused() {
        let s = sched("2020-01-01T00:00", "UTC", "FREQ=MINUTELY");
        let until = Utc.with_ymd_and_hms(2026, 8, 1, 0, 0, 0).unwrap();
        assert_eq!(s.check_reach(until).unwrap_err().field, "start");
        assert!(
            sched("2020-01-01T00:00", "UTC", "FREQ=DAILY")
                .check_reach(until)
                .is_ok()
        );
        assert!(
            sched("2026-05-01T00:00", "UTC", "FREQ=MINUTELY")
                .check_reach(until)
                .is_ok()
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
