//! Formatting people read: durations the way they write them ("45m", "2h 30m",
//! "1 day 5h"), with unit words from the page's language.

/// Unit words for [`duration`]: `day`/`days` are whole words, `h` and `m` are suffixes.
#[derive(Debug, Clone, Copy)]
pub struct Units {
    pub day: &'static str,
    pub days: &'static str,
    pub h: &'static str,
    pub m: &'static str,
}

pub const ENGLISH: Units = Units {
    day: "day",
    days: "days",
    h: "h",
    m: "m",
};

/// The two largest non-zero units, rounded down to whole minutes: `45m`, `2h 30m`,
/// `1 day 5h`, `3 days`. Under a minute reads `<1m`.
pub fn duration(secs: i64, u: &Units) -> String {
    let minutes = secs.max(0) / 60;
    if minutes == 0 {
        return format!("<1{}", u.m);
    }
    let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d} {}", if d == 1 { u.day } else { u.days }));
    }
    if h > 0 {
        parts.push(format!("{h}{}", u.h));
    }
    if m > 0 && d == 0 {
        parts.push(format!("{m}{}", u.m));
    }
    parts.join(" ")
}

/// "Sun 17 May 2026, 03:00 CEST (01:00 UTC)": the maintenance's zone, then UTC.
pub fn when(t: chrono::DateTime<chrono::Utc>, tz: Option<chrono_tz::Tz>) -> String {
    match tz.filter(|tz| *tz != chrono_tz::UTC) {
        Some(tz) => format!(
            "{} ({} UTC)",
            t.with_timezone(&tz).format("%a %-d %b %Y, %H:%M %Z"),
            t.format("%H:%M")
        ),
        None => t.format("%a %-d %b %Y, %H:%M UTC").to_string(),
    }
}

/// A lead time in words for a subject line: "1 hour", "30 minutes", "2 hours 15 minutes".
pub fn lead_words(secs: i64) -> String {
    let (h, m) = (secs / 3600, secs % 3600 / 60);
    let part = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match (h, m) {
        (0, 0) => "moments".into(),
        (0, m) => part(m, "minute", "minutes"),
        (h, 0) => part(h, "hour", "hours"),
        (h, m) => format!("{} {}", part(h, "hour", "hours"), part(m, "minute", "minutes")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_people_write_them() {
        let f = |s| duration(s, &ENGLISH);
        assert_eq!(f(45 * 60), "45m");
        assert_eq!(f(2 * 3600 + 30 * 60), "2h 30m");
        assert_eq!(f(3600), "1h");
        assert_eq!(f(29 * 3600), "1 day 5h");
        assert_eq!(f(3 * 86400), "3 days");
        assert_eq!(f(86400 + 59 * 60), "1 day", "minutes are dropped once there are days");
        assert_eq!(f(30), "<1m");
        assert_eq!(f(90), "1m");
    }

    #[test]
    fn lead_times_read_as_words() {
        assert_eq!(lead_words(3600), "1 hour");
        assert_eq!(lead_words(1800), "30 minutes");
        assert_eq!(lead_words(2 * 3600 + 15 * 60), "2 hours 15 minutes");
    }
}
