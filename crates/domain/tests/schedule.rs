//! Properties of schedule expansion that must hold for any rule, start and zone, checked on
//! generated cases (proptest): occurrences come sorted and unique, each lasts the
//! schedule's duration, and the windows asked for from some instant on (`between`,
//! `preview`, `ahead`, which expand a periodic rule from near that instant) are exactly
//! those of the full walk from the start. The zones have DST: Berlin and New York change
//! at different dates, Lord Howe by half an hour.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use lull_domain::schedule::{Occurrence, Schedule};
use proptest::prelude::*;

const ZONES: [&str; 4] = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"];

const DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/// A local start: any day of 2025-2027 at a time that is often near a DST change (the
/// changes are at 00:00-03:00 local in these zones).
fn start() -> impl Strategy<Value = NaiveDateTime> {
    (0i64..3 * 365, 0u32..24, prop::sample::select(vec![0u32, 15, 30, 45])).prop_map(|(day, hour, minute)| {
        (NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + Duration::days(day))
            .and_hms_opt(hour, minute, 0)
            .unwrap()
    })
}

/// An RRULE and how far past the start (in days) it may be asked about, so that the full
/// walk stays well inside the expansion's safety net.
fn rule() -> impl Strategy<Value = (String, i64)> {
    let byday = prop::sample::subsequence(DAYS.to_vec(), 1..=3).prop_map(|d| format!(";BYDAY={}", d.join(",")));
    let byhour = prop::sample::subsequence(vec![0u32, 1, 2, 3, 12, 23], 1..=3)
        .prop_map(|h| format!(";BYHOUR={}", h.iter().map(u32::to_string).collect::<Vec<_>>().join(",")));
    let monthly = prop_oneof![
        byday.clone(),
        Just(";BYMONTHDAY=1,15,31".to_string()),
        Just(";BYMONTHDAY=-1".to_string()),
        Just(";BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1".to_string()),
        Just(";BYDAY=2SU".to_string()),
    ];
    let yearly = prop_oneof![
        Just(String::new()),
        Just(";BYMONTH=3,10;BYDAY=-1SU".to_string()),
        Just(";BYMONTH=2;BYMONTHDAY=29".to_string()),
        Just(";BYWEEKNO=1,53;BYDAY=MO".to_string()),
        Just(";BYYEARDAY=1,100,366".to_string()),
    ];
    let end = prop_oneof![
        3 => Just(String::new()),
        1 => (1u32..40).prop_map(|n| format!(";COUNT={n}")),
    ];
    prop_oneof![
        (prop::sample::select(vec![15u32, 30, 45, 90]), end.clone())
            .prop_map(|(i, e)| (format!("FREQ=MINUTELY;INTERVAL={i}{e}"), 20)),
        (1u32..4, prop::option::of(Just(";BYMINUTE=0,30")), end.clone())
            .prop_map(|(i, m, e)| (format!("FREQ=HOURLY;INTERVAL={i}{}{e}", m.unwrap_or_default()), 40)),
        (1u32..4, prop::option::of(byhour.clone()), end.clone())
            .prop_map(|(i, h, e)| (format!("FREQ=DAILY;INTERVAL={i}{}{e}", h.unwrap_or_default()), 400)),
        (1u32..3, byday.clone(), prop::option::of(byhour), end.clone())
            .prop_map(|(i, d, h, e)| (format!("FREQ=WEEKLY;INTERVAL={i}{d}{}{e}", h.unwrap_or_default()), 700)),
        // Monthly and yearly rules are asked about years after their start, where the
        // expansion starts from a nearby year instead of walking from DTSTART.
        (1u32..7, monthly, end.clone()).prop_map(|(i, by, e)| (format!("FREQ=MONTHLY;INTERVAL={i}{by}{e}"), 6 * 365)),
        (1u32..4, yearly, end).prop_map(|(i, by, e)| (format!("FREQ=YEARLY;INTERVAL={i}{by}{e}"), 12 * 365)),
    ]
}

struct Case {
    schedule: Schedule,
    /// Where the question starts, and where it ends.
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(ZONES.to_vec()),
        start(),
        rule(),
        prop::sample::select(vec![60i64, 1800, 3600, 5400]),
        0.0f64..1.0,
        1i64..8,
    )
        .prop_filter_map(
            "the rule never fires",
            |(zone, start, (rule, reach), duration, at, span)| {
                let schedule = Schedule::new(start, zone.parse().unwrap(), duration, &rule).ok()?;
                let from = schedule.resolve(start) + Duration::seconds((at * (reach * 86_400) as f64) as i64)
                    - Duration::days(1);
                Some(Case {
                    schedule,
                    from,
                    to: from + Duration::days(span),
                })
            },
        )
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} {} {}s, asked for [{}, {})",
            self.schedule.start,
            self.schedule.tz,
            self.schedule.rrule(),
            self.schedule.duration,
            self.from,
            self.to
        )
    }
}

/// Every occurrence that starts before `stop`, by the full walk from the start.
fn walk(s: &Schedule, stop: DateTime<Utc>) -> Vec<Occurrence> {
    s.occurrences().take_while(|o| o.start < stop).collect()
}

proptest! {
    // Each case walks up to a few thousand occurrences in a debug build: 256 cases run in
    // a few seconds.
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn occurrences_are_sorted_unique_and_last_the_duration(c in case()) {
        let all = walk(&c.schedule, c.to);
        prop_assert!(all.windows(2).all(|w| w[0].start < w[1].start), "not strictly increasing: {all:?}");
        for o in &all {
            prop_assert_eq!(o.end - o.start, Duration::seconds(c.schedule.duration));
        }
    }

    #[test]
    fn between_is_the_full_walk_cut_to_the_bounds(c in case()) {
        let expected: Vec<_> = walk(&c.schedule, c.to).into_iter().filter(|o| o.start >= c.from).collect();
        let got = c.schedule.between(c.from, c.to);
        prop_assert!(got.iter().all(|o| o.start >= c.from && o.start < c.to));
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn preview_and_ahead_agree_with_the_full_walk(c in case(), limit in 1usize..8) {
        let preview: Vec<_> = c.schedule.occurrences().filter(|o| o.start >= c.from).take(limit).collect();
        prop_assert_eq!(c.schedule.preview(Some(c.from), limit), preview);
        let ahead: Vec<_> = c.schedule.occurrences().filter(|o| o.end > c.from).take(limit).collect();
        prop_assert_eq!(c.schedule.ahead(c.from).take(limit).collect::<Vec<_>>(), ahead);
        for o in c.schedule.between(c.from, c.to).into_iter().take(3) {
            prop_assert!(c.schedule.has_occurrence_at(o.start), "{o:?} not recognised");
            prop_assert!(!c.schedule.has_occurrence_at(o.start + Duration::seconds(1)));
        }
    }
}
