//! An iCalendar (RFC 5545) feed of maintenance plans: one VEVENT per plan with its own
//! DTSTART (in its zone, with TZID), DURATION and RRULE, so calendar apps expand the rule
//! themselves; EXDATE for skipped and cancelled occurrences; an overriding VEVENT
//! (RECURRENCE-ID) for each occurrence whose times an operator changed; and a VTIMEZONE
//! for each zone used, written out of the zone database as the offsets it holds.

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::{DateTime, Duration, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

use crate::schedule::Schedule;

/// An occurrence whose times changed (started early, extended, completed early).
#[derive(Debug, Clone)]
pub struct Moved {
    /// The occurrence's scheduled start: its RECURRENCE-ID.
    pub scheduled_start: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Its page on the status site.
    pub url: String,
    pub modified: DateTime<Utc>,
}

/// One maintenance plan as the feed shows it.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    /// Stable across edits: the plan's id and the site's host.
    pub uid: String,
    pub schedule: &'a Schedule,
    pub title: &'a str,
    pub description: String,
    pub url: String,
    pub created: DateTime<Utc>,
    /// The last change of the plan or of any of its exceptions (DTSTAMP, LAST-MODIFIED).
    pub modified: DateTime<Utc>,
    /// Occurrences that will not happen (skipped or cancelled), by scheduled start.
    pub exdates: Vec<DateTime<Utc>>,
    pub moved: Vec<Moved>,
}

/// The whole feed.
#[derive(Debug, Clone)]
pub struct Calendar<'a> {
    pub name: &'a str,
    pub plans: Vec<Plan<'a>>,
    /// Zone definitions cover at least this span (and every plan's first start): a year
    /// back and two ahead of now is plenty for calendar apps, which refresh a subscribed
    /// feed every few hours.
    pub zones_from: DateTime<Utc>,
    pub zones_until: DateTime<Utc>,
}

/// The feed as text: CRLF line ends, lines folded at 75 octets.
pub fn render(cal: &Calendar<'_>) -> String {
    let mut out = Lines::default();
    out.line("BEGIN:VCALENDAR");
    out.line("VERSION:2.0");
    out.line("PRODID:-//Lull//Maintenance calendar//EN");
    out.line("CALSCALE:GREGORIAN");
    out.line("METHOD:PUBLISH");
    out.prop("X-WR-CALNAME", &text(&format!("{}: maintenance", cal.name)));
    // Subscribed calendars poll: ask for 15 minutes (apps choose their own at least that long).
    out.line("REFRESH-INTERVAL;VALUE=DURATION:PT15M");
    out.line("X-PUBLISHED-TTL:PT15M");

    // Each zone from the earliest start that refers to it.
    let mut zones: BTreeMap<&str, (Tz, DateTime<Utc>)> = BTreeMap::new();
    for plan in &cal.plans {
        let first = plan.schedule.resolve(plan.schedule.start);
        let entry = zones
            .entry(plan.schedule.tz.name())
            .or_insert((plan.schedule.tz, cal.zones_from));
        entry.1 = entry.1.min(first);
    }
    for (tz, from) in zones.values() {
        vtimezone(&mut out, *tz, *from - Duration::days(1), cal.zones_until);
    }
    for plan in &cal.plans {
        vevent(&mut out, plan);
    }
    out.line("END:VCALENDAR");
    out.0
}

fn vevent(out: &mut Lines, plan: &Plan<'_>) {
    let s = plan.schedule;
    let tz = s.tz.name();
    let single = s.is_single();
    out.line("BEGIN:VEVENT");
    out.prop("UID", &plan.uid);
    out.prop("DTSTAMP", &utc(plan.modified));
    out.prop("CREATED", &utc(plan.created));
    out.prop("LAST-MODIFIED", &utc(plan.modified));
    out.prop("SEQUENCE", &sequence(plan.created, plan.modified));
    // A one-time window that was moved shows its actual times; one that was cancelled
    // stays in the feed as CANCELLED, so calendars that copied it take it out.
    match plan.moved.first().filter(|_| single) {
        Some(m) => {
            out.prop("DTSTART", &utc(m.start));
            out.prop("DURATION", &duration((m.end - m.start).num_seconds()));
        }
        None => {
            out.prop(&format!("DTSTART;TZID={tz}"), &local(s.start));
            out.prop("DURATION", &duration(s.duration));
        }
    }
    if single {
        let status = if plan.exdates.is_empty() {
            "CONFIRMED"
        } else {
            "CANCELLED"
        };
        out.prop("STATUS", status);
    } else {
        // A DTSTART the rule does not produce (Sunday for BYDAY=MO) is undefined in RFC
        // 5545: some apps add it as an instance (and count it in COUNT), others do not.
        // Lull does not; the feed says so whichever way an app reads it.
        let first = s.resolve(s.start);
        let unsynced = !s.has_occurrence_at(first);
        out.prop("RRULE", &rrule(s, unsynced));
        let mut exdates = plan.exdates.clone();
        if unsynced {
            exdates.push(first);
            exdates.sort();
        }
        for chunk in exdates.chunks(20) {
            let dates: Vec<String> = chunk.iter().map(|d| utc(*d)).collect();
            out.prop("EXDATE", &dates.join(","));
        }
        out.prop("STATUS", "CONFIRMED");
    }
    common(out, plan, &plan.url);
    out.line("END:VEVENT");
    if single {
        return;
    }
    for m in &plan.moved {
        out.line("BEGIN:VEVENT");
        out.prop("UID", &plan.uid);
        out.prop("RECURRENCE-ID", &utc(m.scheduled_start));
        out.prop("DTSTAMP", &utc(m.modified));
        out.prop("LAST-MODIFIED", &utc(m.modified));
        out.prop("SEQUENCE", &sequence(plan.created, m.modified.max(plan.modified)));
        out.prop("DTSTART", &utc(m.start));
        out.prop("DURATION", &duration((m.end - m.start).num_seconds()));
        out.prop("STATUS", "CONFIRMED");
        common(out, plan, &m.url);
        out.line("END:VEVENT");
    }
}

/// What every VEVENT of a plan says.
fn common(out: &mut Lines, plan: &Plan<'_>, url: &str) {
    out.prop("SUMMARY", &text(plan.title));
    if !plan.description.is_empty() {
        out.prop("DESCRIPTION", &text(&plan.description));
    }
    out.prop("URL;VALUE=URI", url);
    out.prop("CATEGORIES", "MAINTENANCE");
    // Planned work on a service does not make the reader busy.
    out.prop("TRANSP", "TRANSPARENT");
}

/// SEQUENCE: seconds from creation to the last change, so it grows with every change
/// without a counter to keep (two changes within one second share a number).
fn sequence(created: DateTime<Utc>, modified: DateTime<Utc>) -> String {
    (modified - created).num_seconds().max(0).to_string()
}

/// The rule for calendar apps: UNTIL in UTC, as RFC 5545 requires with a zoned DTSTART
/// (Lull also accepts a local date or date-time, resolved in the plan's zone). With a
/// DTSTART the rule does not produce, COUNT becomes the UNTIL of the last window, so apps
/// that count DTSTART and apps that do not end on the same one.
fn rrule(s: &Schedule, unsynced: bool) -> String {
    s.rrule()
        .split(';')
        .map(|part| match part.split_once('=') {
            Some(("UNTIL", _)) => s
                .until_instant()
                .map_or_else(|| part.to_string(), |u| format!("UNTIL={}", utc(u))),
            Some(("COUNT", _)) if unsynced => s
                .occurrences()
                .last()
                .map_or_else(|| part.to_string(), |o| format!("UNTIL={}", utc(o.start))),
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn local(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

/// An exact duration (RFC 5545 `dur-time`): hours, minutes and seconds, never days, which
/// are nominal and would stretch across a DST change.
fn duration(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let mut d = String::from("PT");
    if h > 0 {
        write!(d, "{h}H").ok();
    }
    if m > 0 {
        write!(d, "{m}M").ok();
    }
    if s > 0 || (h == 0 && m == 0) {
        write!(d, "{s}S").ok();
    }
    d
}

/// Escapes a TEXT value (RFC 5545 3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A VTIMEZONE with one observance per offset change of `tz` between `from` and `to`,
/// found by stepping through the zone database a day at a time; the first observance is
/// the offset in force at `from`.
fn vtimezone(out: &mut Lines, tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) {
    out.line("BEGIN:VTIMEZONE");
    out.prop("TZID", tz.name());
    let first = Observance::at(tz, from);
    first.write(out, from, first.offset);
    let mut before = first;
    let mut day = from;
    while day < to {
        let next = day + Duration::days(1);
        let after = Observance::at(tz, next);
        if after != before {
            // The first second with the new offset, between `day` and `next`.
            let (mut lo, mut hi) = (day, next);
            while hi - lo > Duration::seconds(1) {
                let mid = lo + (hi - lo) / 2;
                if Observance::at(tz, mid) == before {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let changed = Observance::at(tz, hi);
            changed.write(out, hi, before.offset);
            before = changed;
        }
        day = next;
    }
    out.line("END:VTIMEZONE");
}

/// The offset of a zone at an instant, whether it is summer time, and its abbreviation.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Observance {
    offset: i32,
    dst: bool,
    name: String,
}

impl Observance {
    fn at(tz: Tz, t: DateTime<Utc>) -> Self {
        let o = tz.offset_from_utc_datetime(&t.naive_utc());
        Self {
            offset: o.fix().local_minus_utc(),
            dst: !o.dst_offset().is_zero(),
            name: o.abbreviation().unwrap_or_default().to_string(),
        }
    }

    /// This observance starting at `onset`, after `offset_from`; its DTSTART is the onset in
    /// local time before the change, as RFC 5545 says.
    fn write(&self, out: &mut Lines, onset: DateTime<Utc>, offset_from: i32) {
        let kind = if self.dst { "DAYLIGHT" } else { "STANDARD" };
        out.line(&format!("BEGIN:{kind}"));
        out.prop(
            "DTSTART",
            &local(onset.naive_utc() + Duration::seconds(offset_from.into())),
        );
        out.prop("TZOFFSETFROM", &utc_offset(offset_from));
        out.prop("TZOFFSETTO", &utc_offset(self.offset));
        // Names like "+03" are not names; RFC 5545 lets TZNAME be left out.
        if self.name.chars().any(|c| c.is_ascii_alphabetic()) {
            out.prop("TZNAME", &text(&self.name));
        }
        out.line(&format!("END:{kind}"));
    }
}

/// `+0100`, `-0330`, `+053028` (seconds only when there are any, as in old local mean times).
fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.abs();
    let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

/// Content lines, folded at 75 octets (never inside a UTF-8 character) and ended by CRLF.
#[derive(Default)]
struct Lines(String);

impl Lines {
    fn prop(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{value}"));
    }

    fn line(&mut self, line: &str) {
        let mut width = 0;
        for c in line.chars() {
            let n = c.len_utf8();
            // The first line holds 75 octets; each continuation 74 after its leading space.
            if width + n > 75 {
                self.0.push_str("\r\n ");
                width = 1;
            }
            self.0.push(c);
            width += n;
        }
        self.0.push_str("\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let mut out = Lines::default();
        out.prop("SUMMARY", &"é".repeat(60));
        let lines: Vec<&str> = out.0.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.len() <= 75), "{lines:?}");
        assert!(lines[1..].iter().all(|l| l.starts_with(' ')));
        let unfolded = out.0.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{}\r\n", "é".repeat(60)));
    }

    #[test]
    fn text_values_escape_what_rfc_5545_reserves() {
        assert_eq!(text("a,b;c\\d\r\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn durations_are_exact_times_never_nominal_days() {
        assert_eq!(duration(7200), "PT2H");
        assert_eq!(duration(90), "PT1M30S");
        assert_eq!(duration(86_400 * 2 + 60), "PT48H1M");
        assert_eq!(duration(0), "PT0S");
    }

    #[test]
    fn offsets_are_written_with_sign_hours_minutes_and_seconds_only_when_needed() {
        assert_eq!(utc_offset(3600), "+0100");
        assert_eq!(utc_offset(-12_600), "-0330");
        assert_eq!(utc_offset(0), "+0000");
        assert_eq!(utc_offset(3208), "+005328");
    }

    #[test]
    fn a_zone_lists_each_change_at_its_local_onset() {
        // Berlin in 2026: summer time from 29 March 01:00 UTC, winter time from 25 October
        // 01:00 UTC (the EU rule: last Sundays, 01:00 UTC).
        let mut out = Lines::default();
        vtimezone(
            &mut out,
            chrono_tz::Europe::Berlin,
            at("2026-01-01T00:00:00Z"),
            at("2027-01-01T00:00:00Z"),
        );
        let expected = "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n\
            BEGIN:STANDARD\r\nDTSTART:20260101T010000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD\r\n\
            BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\n\
            BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD\r\n\
            END:VTIMEZONE\r\n";
        assert_eq!(out.0, expected);
    }

    #[test]
    fn a_zone_without_summer_time_has_one_observance() {
        let mut out = Lines::default();
        vtimezone(
            &mut out,
            chrono_tz::Asia::Tokyo,
            at("2026-01-01T00:00:00Z"),
            at("2028-01-01T00:00:00Z"),
        );
        assert_eq!(out.0.matches("BEGIN:STANDARD").count(), 1);
        assert!(!out.0.contains("DAYLIGHT"));
        assert!(out.0.contains("TZOFFSETTO:+0900"));
    }

    fn plan(schedule: &Schedule) -> Plan<'_> {
        Plan {
            uid: "maintenance-7@status.example.com".into(),
            schedule,
            title: "DB upgrade, phase 2",
            description: String::new(),
            url: "https://status.example.com/".into(),
            created: at("2026-05-01T00:00:00Z"),
            modified: at("2026-05-01T00:00:10Z"),
            exdates: vec![],
            moved: vec![],
        }
    }

    fn feed(plans: Vec<Plan<'_>>) -> String {
        render(&Calendar {
            name: "Acme",
            plans,
            zones_from: at("2026-01-01T00:00:00Z"),
            zones_until: at("2027-01-01T00:00:00Z"),
        })
        .replace("\r\n ", "")
    }

    #[test]
    fn a_weekly_plan_carries_its_zone_rule_exceptions_and_moved_occurrence() {
        let s = Schedule::parse("2026-05-10T02:00:00", "Europe/Berlin", 7200, "FREQ=WEEKLY;BYDAY=SU").unwrap();
        let mut p = plan(&s);
        p.exdates = vec![at("2026-05-17T00:00:00Z")];
        p.moved = vec![Moved {
            scheduled_start: at("2026-05-24T00:00:00Z"),
            start: at("2026-05-23T23:30:00Z"),
            end: at("2026-05-24T03:00:00Z"),
            url: "https://status.example.com/maintenance/12".into(),
            modified: at("2026-05-20T00:00:00Z"),
        }];
        let f = feed(vec![p]);
        for line in [
            "DTSTART;TZID=Europe/Berlin:20260510T020000",
            "DURATION:PT2H",
            "RRULE:FREQ=WEEKLY;BYDAY=SU",
            "EXDATE:20260517T000000Z",
            "RECURRENCE-ID:20260524T000000Z",
            "DTSTART:20260523T233000Z",
            "DURATION:PT3H30M",
            "SUMMARY:DB upgrade\\, phase 2",
            "SEQUENCE:10",
            "URL;VALUE=URI:https://status.example.com/maintenance/12",
            "TZID:Europe/Berlin",
        ] {
            assert!(f.contains(&format!("{line}\r\n")), "{line} missing from\n{f}");
        }
        assert_eq!(f.matches("BEGIN:VEVENT").count(), 2);
        assert_eq!(f.matches("UID:maintenance-7@status.example.com").count(), 2);
    }

    #[test]
    fn until_is_written_in_utc_whatever_form_it_was_given_in() {
        // 23:59:59 on 31 December in Berlin (winter, +01:00) is 22:59:59 UTC.
        for until in ["20261231", "20261231T235959", "20261231T225959Z"] {
            let rule = format!("FREQ=DAILY;UNTIL={until}");
            let s = Schedule::parse("2026-05-10T02:00:00", "Europe/Berlin", 600, &rule).unwrap();
            assert!(
                feed(vec![plan(&s)]).contains("RRULE:FREQ=DAILY;UNTIL=20261231T225959Z\r\n"),
                "{until}"
            );
        }
    }

    #[test]
    fn a_start_the_rule_does_not_produce_is_excluded_and_count_becomes_until() {
        // Sunday 10 May, BYDAY=MO: the first window is Monday 11 May; the third, 25 May.
        let s = Schedule::parse("2026-05-10T09:00:00", "UTC", 600, "FREQ=WEEKLY;BYDAY=MO;COUNT=3").unwrap();
        let f = feed(vec![plan(&s)]);
        assert!(
            f.contains("RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20260525T090000Z\r\n"),
            "{f}"
        );
        assert!(f.contains("EXDATE:20260510T090000Z\r\n"), "{f}");
        let synced = Schedule::parse("2026-05-11T09:00:00", "UTC", 600, "FREQ=WEEKLY;BYDAY=MO;COUNT=3").unwrap();
        let f = feed(vec![plan(&synced)]);
        assert!(
            f.contains("RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3\r\n") && !f.contains("EXDATE"),
            "{f}"
        );
    }

    #[test]
    fn a_one_time_plan_has_no_rule_and_shows_its_actual_times_or_that_it_was_cancelled() {
        let s = Schedule::parse("2026-06-01T10:00:00", "UTC", 3600, "").unwrap();
        let f = feed(vec![plan(&s)]);
        assert!(!f.contains("RRULE"));
        assert!(
            f.contains("DTSTART;TZID=UTC:20260601T100000\r\nDURATION:PT1H\r\nSTATUS:CONFIRMED\r\n"),
            "{f}"
        );

        let mut extended = plan(&s);
        extended.moved = vec![Moved {
            scheduled_start: at("2026-06-01T10:00:00Z"),
            start: at("2026-06-01T10:00:00Z"),
            end: at("2026-06-01T11:30:00Z"),
            url: String::new(),
            modified: at("2026-06-01T10:40:00Z"),
        }];
        let f = feed(vec![extended]);
        assert!(f.contains("DTSTART:20260601T100000Z\r\nDURATION:PT1H30M\r\n"), "{f}");
        assert_eq!(f.matches("BEGIN:VEVENT").count(), 1);

        let mut cancelled = plan(&s);
        cancelled.exdates = vec![at("2026-06-01T10:00:00Z")];
        assert!(feed(vec![cancelled]).contains("STATUS:CANCELLED\r\n"));
    }
}
