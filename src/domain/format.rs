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
}
