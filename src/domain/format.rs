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

/// A language people read notices in. English is the default; German is complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    De,
}

impl Lang {
    /// The code stored with a subscriber and used in `lang` attributes: `en`, `de`.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
        }
    }

    /// `en` or `de` (a region like `de-AT` is accepted); anything else is `None`.
    pub fn parse(code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_lowercase();
        match code.split(['-', '_']).next().unwrap_or("") {
            "en" => Some(Self::En),
            "de" => Some(Self::De),
            _ => None,
        }
    }
}

const DE_WEEKDAYS: [&str; 7] = ["Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."];
const DE_MONTHS: [&str; 12] = [
    "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez.",
];

/// German readers know central European time as MEZ/MESZ; other abbreviations stay as
/// the zone database prints them.
fn zone_abbreviation(abbr: &str, lang: Lang) -> String {
    match (lang, abbr) {
        (Lang::De, "CET") => "MEZ".into(),
        (Lang::De, "CEST") => "MESZ".into(),
        _ => abbr.into(),
    }
}

/// A local date: "Sun 6 Dec 2026" / "So. 6. Dez. 2026"; without the year when `year` is
/// false ("Sun 6 Dec" / "So. 6. Dez.").
pub fn local_date(d: chrono::NaiveDate, lang: Lang, year: bool) -> String {
    use chrono::Datelike;
    match lang {
        Lang::En if year => d.format("%a %-d %b %Y").to_string(),
        Lang::En => d.format("%a %-d %b").to_string(),
        Lang::De => {
            let wd = DE_WEEKDAYS[d.weekday().num_days_from_monday() as usize];
            let mon = DE_MONTHS[d.month0() as usize];
            if year {
                format!("{wd} {}. {mon} {}", d.day(), d.year())
            } else {
                format!("{wd} {}. {mon}", d.day())
            }
        }
    }
}

/// A date without weekday, for "until …": "31 Dec 2026" / "31. Dez. 2026".
pub fn plain_date(d: chrono::NaiveDate, lang: Lang) -> String {
    use chrono::Datelike;
    match lang {
        Lang::En => d.format("%-d %b %Y").to_string(),
        Lang::De => format!("{}. {} {}", d.day(), DE_MONTHS[d.month0() as usize], d.year()),
    }
}

/// An instant in `tz` with its zone abbreviation: "Sun 6 Dec 2026, 03:00 CET" (with
/// `year`) or "Sun 6 Dec, 03:00 CET"; German "So. 6. Dez. 2026, 03:00 MEZ".
pub fn local_time(t: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz, lang: Lang, year: bool) -> String {
    let local = t.with_timezone(&tz);
    let abbr = zone_abbreviation(&local.format("%Z").to_string(), lang);
    format!(
        "{}, {} {abbr}",
        local_date(local.date_naive(), lang, year),
        local.format("%H:%M")
    )
}

/// The time of day in `tz` with its zone: "03:00 CET" / "03:00 MEZ".
pub fn clock_time(t: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz, lang: Lang) -> String {
    let local = t.with_timezone(&tz);
    let abbr = zone_abbreviation(&local.format("%Z").to_string(), lang);
    format!("{} {abbr}", local.format("%H:%M"))
}

/// [`when`] in a language: the maintenance's zone, then UTC.
/// "So. 17. Mai 2026, 03:00 MESZ (01:00 UTC)".
pub fn when_in(t: chrono::DateTime<chrono::Utc>, tz: Option<chrono_tz::Tz>, lang: Lang) -> String {
    match tz.filter(|tz| *tz != chrono_tz::UTC) {
        Some(tz) => format!("{} ({} UTC)", local_time(t, tz, lang, true), t.format("%H:%M")),
        None => local_time(t, chrono_tz::UTC, lang, true),
    }
}

/// [`lead_words`] in a language: "1 Stunde", "30 Minuten", "2 Stunden 15 Minuten".
pub fn lead_words_in(secs: i64, lang: Lang) -> String {
    if lang == Lang::En {
        return lead_words(secs);
    }
    let (h, m) = (secs / 3600, secs % 3600 / 60);
    let part = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match (h, m) {
        (0, 0) => "Kürze".into(),
        (0, m) => part(m, "Minute", "Minuten"),
        (h, 0) => part(h, "Stunde", "Stunden"),
        (h, m) => format!("{} {}", part(h, "Stunde", "Stunden"), part(m, "Minute", "Minuten")),
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

    #[test]
    fn german_dates_read_the_german_way_and_name_their_zone() {
        use chrono::TimeZone;
        let t = chrono::Utc.with_ymd_and_hms(2026, 12, 6, 2, 0, 0).unwrap();
        let berlin = chrono_tz::Europe::Berlin;
        assert_eq!(local_time(t, berlin, Lang::En, false), "Sun 6 Dec, 03:00 CET");
        assert_eq!(local_time(t, berlin, Lang::De, true), "So. 6. Dez. 2026, 03:00 MEZ");
        assert_eq!(
            when_in(t, Some(berlin), Lang::De),
            "So. 6. Dez. 2026, 03:00 MEZ (02:00 UTC)"
        );
        assert_eq!(when_in(t, Some(berlin), Lang::En), when(t, Some(berlin)));
        assert_eq!(clock_time(t, berlin, Lang::De), "03:00 MEZ");
        let summer = chrono::Utc.with_ymd_and_hms(2026, 5, 17, 1, 0, 0).unwrap();
        assert_eq!(
            when_in(summer, Some(berlin), Lang::De),
            "So. 17. Mai 2026, 03:00 MESZ (01:00 UTC)"
        );
        assert_eq!(when_in(summer, None, Lang::De), "So. 17. Mai 2026, 01:00 UTC");
        let march = chrono::NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
        assert_eq!(plain_date(march, Lang::De), "4. März 2026");
        assert_eq!(plain_date(march, Lang::En), "4 Mar 2026");
        assert_eq!(lead_words_in(3600, Lang::De), "1 Stunde");
        assert_eq!(lead_words_in(2 * 3600 + 15 * 60, Lang::De), "2 Stunden 15 Minuten");
        assert_eq!(Lang::parse("de-AT"), Some(Lang::De));
        assert_eq!(Lang::parse("fr"), None);
    }
}
