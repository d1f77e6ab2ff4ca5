//! What people type on the command line, parsed once for every command: durations
//! (`90m`, `2h`, `1h30m`, `2d`, seconds), ends (an instant or a duration from now) and
//! the date of an occurrence to skip. The parsers are clap value parsers, so a bad value
//! is reported with the option that carried it.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

use crate::domain::validate;

const DURATION_HINT: &str =
    "use seconds (5400) or whole numbers with units d, h, m, s, largest first (90m, 2h, 1h30m, 2d)";

/// Seconds from `5400`, `90s`, `90m`, `2h`, `1h30m`, `1d 12h` or `2d`.
///
/// A bare number is seconds. Units go largest first, each at most once, so a typo such
/// as `30m1h` or `1h30` is refused instead of guessed at.
pub fn parse_seconds(text: &str) -> Result<i64, String> {
    let text = text.trim();
    // clap prints the value before these messages, so they do not repeat it.
    let bad = || format!("not a duration; {DURATION_HINT}");
    let too_long = || "too long a duration".to_string();
    if text.is_empty() {
        return Err(format!("a duration is needed; {DURATION_HINT}"));
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().map_err(|_| too_long());
    }
    let mut rest = text;
    let mut total: i64 = 0;
    // Rank of the last unit seen: d = 4 … s = 1; the next must rank lower.
    let mut last_rank = u8::MAX;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return Err(bad());
        }
        let n: i64 = rest[..digits].parse().map_err(|_| too_long())?;
        rest = rest[digits..].trim_start();
        let letters = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let (factor, rank) = match rest[..letters].to_ascii_lowercase().as_str() {
            "d" => (86_400, 4),
            "h" => (3_600, 3),
            "m" => (60, 2),
            "s" => (1, 1),
            "" => return Err(bad()),
            unit => return Err(format!("unknown unit '{unit}'; {DURATION_HINT}")),
        };
        if rank >= last_rank {
            return Err(bad());
        }
        last_rank = rank;
        total = n
            .checked_mul(factor)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(too_long)?;
        rest = rest[letters..].trim_start();
    }
    Ok(total)
}

/// The end of a window as typed: an instant, or a duration counted from when the command
/// runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    At(DateTime<Utc>),
    In(i64),
}

impl End {
    pub fn resolve(self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Self::At(t) => t,
            Self::In(secs) => now + Duration::seconds(secs),
        }
    }
}

/// An RFC 3339 instant (`2026-12-06T05:00:00Z`, `…+01:00`) or a duration from now (`90m`).
pub fn parse_end(text: &str) -> Result<End, String> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(End::At(t.with_timezone(&Utc)));
    }
    match parse_seconds(text) {
        // Beyond 100 years no date can be computed; say so rather than overflow later.
        Ok(secs) if secs <= 100 * 366 * 86_400 => Ok(End::In(secs)),
        Ok(_) => Err("too far away".into()),
        Err(_) => Err(
            "neither an instant like 2026-12-06T05:00:00Z (RFC 3339, with its offset) \
             nor a duration from now like 90m, 2h or 1h30m"
                .into(),
        ),
    }
}

/// Which occurrence of a maintenance to skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipDate {
    /// `2026-12-13T02:00:00Z`: the occurrence's start as an instant.
    Instant(DateTime<Utc>),
    /// `2026-12-13T03:00`: its start in the maintenance's zone.
    Local(NaiveDateTime),
    /// `2026-12-13`: the one occurrence starting on that day in the maintenance's zone.
    Day(NaiveDate),
}

pub fn parse_skip_date(text: &str) -> Result<SkipDate, String> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(SkipDate::Instant(t.with_timezone(&Utc)));
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(SkipDate::Day(day));
    }
    validate::local_datetime("DATE", text)
        .map(SkipDate::Local)
        .map_err(|_| {
            "not a day (2026-12-13), a local date-time in the maintenance's zone \
         (2026-12-13T03:00) or an instant (2026-12-13T02:00:00Z)"
                .to_string()
        })
}

/// `--monitor SLUG` or `--monitor SLUG:IMPACT`, as the API takes them.
pub fn monitor_refs(args: &[String]) -> Vec<crate::service::maintenances::MonitorImpactInput> {
    args.iter()
        .map(|m| crate::service::maintenances::MonitorImpactInput::parse(m))
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn durations_are_seconds_or_units_largest_first() {
        let ok = |t| parse_seconds(t).unwrap();
        assert_eq!(ok("90"), 90);
        assert_eq!(ok("0"), 0);
        assert_eq!(ok("45s"), 45);
        assert_eq!(ok("30m"), 30 * 60);
        assert_eq!(ok("90m"), 90 * 60);
        assert_eq!(ok("2h"), 2 * 60 * 60);
        assert_eq!(ok("1h30m"), 60 * 60 + 30 * 60);
        assert_eq!(ok("2d"), 2 * 24 * 60 * 60);
        assert_eq!(ok("1d12h"), 36 * 60 * 60);
        assert_eq!(ok("1h 30m"), 5400, "as Lull prints durations ('2h 30m')");
        assert_eq!(ok(" 2H "), 7200);
        assert_eq!(ok("1h0m1s"), 3601);
    }

    #[test]
    fn durations_that_are_not_clear_are_refused_with_the_forms_that_work() {
        for bad in [
            "", "soon", "2w", "h", "1h30", "30m1h", "1h1h", "-5", "1.5h", "2 hours", "1h-30m",
        ] {
            let err = parse_seconds(bad).unwrap_err();
            assert!(err.contains("90m") && err.contains("1h30m"), "{bad}: {err}");
        }
        assert!(parse_seconds("2w").unwrap_err().contains("unknown unit 'w'"));
        assert!(parse_seconds("99999999999999999999").unwrap_err().contains("too long"));
        assert!(parse_seconds("9999999999999999d").unwrap_err().contains("too long"));
    }

    #[test]
    fn an_end_is_an_instant_or_a_duration_from_now() {
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 2, 10, 0).unwrap();
        let at = |t| parse_end(t).unwrap().resolve(now);
        assert_eq!(
            at("2026-12-06T05:00:00Z"),
            Utc.with_ymd_and_hms(2026, 12, 6, 5, 0, 0).unwrap()
        );
        assert_eq!(
            at("2026-12-06T06:00:00+01:00"),
            Utc.with_ymd_and_hms(2026, 12, 6, 5, 0, 0).unwrap()
        );
        assert_eq!(at("90m"), Utc.with_ymd_and_hms(2026, 12, 6, 3, 40, 0).unwrap());
        assert_eq!(at("1h30m"), Utc.with_ymd_and_hms(2026, 12, 6, 3, 40, 0).unwrap());
        assert_eq!(at("3600"), Utc.with_ymd_and_hms(2026, 12, 6, 3, 10, 0).unwrap());
        let err = parse_end("2026-12-06T05:00").unwrap_err();
        assert!(err.contains("RFC 3339") && err.contains("90m"), "{err}");
        assert!(parse_end("999999999d").unwrap_err().contains("too far"));
    }

    #[test]
    fn a_skip_date_is_a_day_a_local_time_or_an_instant() {
        assert_eq!(
            parse_skip_date("2026-12-13").unwrap(),
            SkipDate::Day(NaiveDate::from_ymd_opt(2026, 12, 13).unwrap())
        );
        assert_eq!(
            parse_skip_date("2026-12-13T03:00").unwrap(),
            SkipDate::Local(
                NaiveDate::from_ymd_opt(2026, 12, 13)
                    .unwrap()
                    .and_hms_opt(3, 0, 0)
                    .unwrap()
            )
        );
        assert_eq!(
            parse_skip_date("2026-12-13T02:00:00Z").unwrap(),
            SkipDate::Instant(Utc.with_ymd_and_hms(2026, 12, 13, 2, 0, 0).unwrap())
        );
        let err = parse_skip_date("13.12.2026").unwrap_err();
        assert!(err.contains("2026-12-13T03:00"), "{err}");
    }
}
