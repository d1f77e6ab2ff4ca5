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

/// The date formats of a language: weekday, day, month and year as its readers write them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateStyle {
    pub locale: chrono::Locale,
    /// `Sun 6 Dec 2026` / `So 6. Dez 2026`.
    pub date: &'static str,
    /// The same without the year.
    pub short_date: &'static str,
}

pub const ENGLISH_DATES: DateStyle = DateStyle {
    locale: chrono::Locale::POSIX,
    date: "%a %-d %b %Y",
    short_date: "%a %-d %b",
};

pub const GERMAN_DATES: DateStyle = DateStyle {
    locale: chrono::Locale::de_DE,
    date: "%a %-d. %b %Y",
    short_date: "%a %-d. %b",
};

fn fmt<Z: chrono::TimeZone>(t: &chrono::DateTime<Z>, pattern: &str, style: &DateStyle) -> String
where
    Z::Offset: std::fmt::Display,
{
    t.format_localized(pattern, style.locale).to_string()
}

/// "Sun 6 Dec 2026, 03:00 CET": an instant in a zone, the zone named.
pub fn local(t: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz, style: &DateStyle) -> String {
    let l = t.with_timezone(&tz);
    format!("{}, {}", fmt(&l, style.date, style), l.format("%H:%M %Z"))
}

/// A window in a zone: "Sun 6 Dec 2026, 03:00–05:00 CET"; across midnight
/// "Sat 5 Dec 2026, 22:00 – Sun 6 Dec, 02:00 CET" (the year again when it changes); across
/// a DST change each time names its own offset ("02:00 CEST–03:00 CET").
pub fn window(
    start: chrono::DateTime<chrono::Utc>,
    end: chrono::DateTime<chrono::Utc>,
    tz: chrono_tz::Tz,
    style: &DateStyle,
) -> String {
    span(start, end, tz, None, style)
}

/// The same window in UTC, after its local form: "02:00–04:00 UTC", naming the day only
/// where it differs from the local start's ("Sun 6 Dec, 02:00–04:00 UTC" for a window
/// that starts on Saturday evening in New York).
pub fn window_utc(
    start: chrono::DateTime<chrono::Utc>,
    end: chrono::DateTime<chrono::Utc>,
    tz: chrono_tz::Tz,
) -> String {
    let local_day = start.with_timezone(&tz).date_naive();
    span(start, end, chrono_tz::UTC, Some(local_day), &ENGLISH_DATES)
}

/// A span whose start day is left out when it is `known` (already written nearby).
fn span(
    start: chrono::DateTime<chrono::Utc>,
    end: chrono::DateTime<chrono::Utc>,
    tz: chrono_tz::Tz,
    known: Option<chrono::NaiveDate>,
    style: &DateStyle,
) -> String {
    use chrono::Datelike;
    let (s, e) = (start.with_timezone(&tz), end.with_timezone(&tz));
    let start_day = match known {
        Some(day) if day == s.date_naive() => String::new(),
        Some(_) => format!("{}, ", fmt(&s, style.short_date, style)),
        None => format!("{}, ", fmt(&s, style.date, style)),
    };
    let same_day = e.date_naive() == s.date_naive();
    let end_day = if same_day {
        String::new()
    } else if e.year() == s.year() {
        format!("{}, ", fmt(&e, style.short_date, style))
    } else {
        format!("{}, ", fmt(&e, style.date, style))
    };
    let sep = if same_day { "–" } else { " – " };
    let (from, to) = (s.format("%H:%M"), e.format("%H:%M"));
    let (zs, ze) = (s.format("%Z").to_string(), e.format("%Z").to_string());
    if zs == ze {
        format!("{start_day}{from}{sep}{end_day}{to} {zs}")
    } else {
        format!("{start_day}{from} {zs}{sep}{end_day}{to} {ze}")
    }
}

/// [`when`] in a language: the maintenance's zone, then UTC.
pub fn when_in(t: chrono::DateTime<chrono::Utc>, tz: Option<chrono_tz::Tz>, style: &DateStyle) -> String {
    match tz.filter(|tz| *tz != chrono_tz::UTC) {
        Some(tz) => format!("{} ({} UTC)", local(t, tz, style), t.format("%H:%M")),
        None => format!("{}, {} UTC", fmt(&t, style.date, style), t.format("%H:%M")),
    }
}

/// A stored language code that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {0:?} in the database")]
pub struct UnknownLang(pub String);

impl TryFrom<String> for Lang {
    type Error = UnknownLang;

    fn try_from(code: String) -> Result<Self, UnknownLang> {
        [Self::En, Self::De]
            .into_iter()
            .find(|l| l.code() == code)
            .ok_or(UnknownLang(code))
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

    /// How this language writes dates (the same style as the pages').
    pub fn dates(self) -> &'static DateStyle {
        match self {
            Self::En => &ENGLISH_DATES,
            Self::De => &GERMAN_DATES,
        }
    }
}

/// "Sun 6 Dec, 03:00 CET" / "So 6. Dez, 03:00 CET": an instant in a zone without the
/// year, for subject lines.
pub fn local_short(t: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz, style: &DateStyle) -> String {
    let l = t.with_timezone(&tz);
    format!("{}, {}", fmt(&l, style.short_date, style), l.format("%H:%M %Z"))
}

/// A calendar date with its weekday: "Sun 6 Dec 2026" / "So 6. Dez 2026".
pub fn day(d: chrono::NaiveDate, style: &DateStyle) -> String {
    fmt(&d.and_time(chrono::NaiveTime::MIN).and_utc(), style.date, style)
}

/// A date without weekday, for "until …": "31 Dec 2026" / "31. Dez 2026".
pub fn plain_date(d: chrono::NaiveDate, lang: Lang) -> String {
    let pattern = match lang {
        Lang::En => "%-d %b %Y",
        Lang::De => "%-d. %b %Y",
    };
    fmt(&d.and_time(chrono::NaiveTime::MIN).and_utc(), pattern, lang.dates())
}

/// The time of day in `tz` with its zone: "03:00 CET".
pub fn clock_time(t: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> String {
    t.with_timezone(&tz).format("%H:%M %Z").to_string()
}

/// A lead time in words for a subject line: "1 hour", "30 minutes", "2 hours 15 minutes";
/// in German "1 Stunde", "30 Minuten", "2 Stunden 15 Minuten".
pub fn lead_words_in(secs: i64, lang: Lang) -> String {
    let (soon, [hour, hours, minute, minutes]) = match lang {
        Lang::En => ("moments", ["hour", "hours", "minute", "minutes"]),
        Lang::De => ("Kürze", ["Stunde", "Stunden", "Minute", "Minuten"]),
    };
    let (h, m) = (secs / 3600, secs % 3600 / 60);
    let part = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match (h, m) {
        (0, 0) => soon.into(),
        (0, m) => part(m, minute, minutes),
        (h, 0) => part(h, hour, hours),
        (h, m) => format!("{} {}", part(h, hour, hours), part(m, minute, minutes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_read_from_codes_and_back() {
        assert_eq!((Lang::En.code(), Lang::De.code()), ("en", "de"));
        assert_eq!(Lang::parse(" de-AT "), Some(Lang::De));
        assert_eq!(Lang::parse("EN_gb"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        for lang in [Lang::En, Lang::De] {
            assert_eq!(Lang::try_from(lang.code().to_string()), Ok(lang));
        }
        assert_eq!(Lang::try_from("fr".to_string()), Err(UnknownLang("fr".into())));
    }

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

    fn utc(d: u32, h: u32, m: u32) -> chrono::DateTime<chrono::Utc> {
        use chrono::TimeZone;
        chrono::Utc.with_ymd_and_hms(2026, 12, d, h, m, 0).unwrap()
    }

    #[test]
    fn windows_read_in_the_plans_zone_with_the_weekday() {
        let berlin = chrono_tz::Europe::Berlin;
        // 02:00–04:00 UTC on Sunday 6 December is 03:00–05:00 CET.
        assert_eq!(
            window(utc(6, 2, 0), utc(6, 4, 0), berlin, &ENGLISH_DATES),
            "Sun 6 Dec 2026, 03:00–05:00 CET"
        );
        // Seen from New York the same window is Saturday evening there, but it is shown in
        // the plan's zone, whatever the reader's.
        assert_eq!(local(utc(6, 2, 0), berlin, &ENGLISH_DATES), "Sun 6 Dec 2026, 03:00 CET");
        assert_eq!(
            window(utc(5, 21, 0), utc(6, 1, 0), berlin, &ENGLISH_DATES),
            "Sat 5 Dec 2026, 22:00 – Sun 6 Dec, 02:00 CET"
        );
        assert_eq!(window_utc(utc(6, 2, 0), utc(6, 4, 0), berlin), "02:00–04:00 UTC");
        // Saturday evening in New York is already Sunday in UTC: the UTC part says so.
        let new_york = chrono_tz::America::New_York;
        assert_eq!(
            window(utc(6, 2, 0), utc(6, 4, 0), new_york, &ENGLISH_DATES),
            "Sat 5 Dec 2026, 21:00–23:00 EST"
        );
        assert_eq!(
            window_utc(utc(6, 2, 0), utc(6, 4, 0), new_york),
            "Sun 6 Dec, 02:00–04:00 UTC"
        );
    }

    #[test]
    fn a_window_across_a_dst_change_names_both_offsets() {
        use chrono::TimeZone;
        let berlin = chrono_tz::Europe::Berlin;
        // 25 Oct 2026: clocks go back at 03:00 CEST (01:00 UTC).
        let s = chrono::Utc.with_ymd_and_hms(2026, 10, 24, 23, 0, 0).unwrap();
        let e = chrono::Utc.with_ymd_and_hms(2026, 10, 25, 2, 0, 0).unwrap();
        assert_eq!(
            window(s, e, berlin, &ENGLISH_DATES),
            "Sun 25 Oct 2026, 01:00 CEST–03:00 CET"
        );
    }

    #[test]
    fn german_dates_use_german_words() {
        let berlin = chrono_tz::Europe::Berlin;
        assert_eq!(local(utc(6, 2, 0), berlin, &GERMAN_DATES), "So 6. Dez 2026, 03:00 CET");
        assert_eq!(
            when_in(utc(6, 2, 0), Some(berlin), &GERMAN_DATES),
            "So 6. Dez 2026, 03:00 CET (02:00 UTC)"
        );
    }

    #[test]
    fn lead_times_read_as_words() {
        let lead_words = |s| lead_words_in(s, Lang::En);
        assert_eq!(lead_words(3600), "1 hour");
        assert_eq!(lead_words(1800), "30 minutes");
        assert_eq!(lead_words(2 * 3600 + 15 * 60), "2 hours 15 minutes");
    }

    #[test]
    fn notice_dates_follow_the_language() {
        use chrono::TimeZone;
        let t = chrono::Utc.with_ymd_and_hms(2026, 12, 6, 2, 0, 0).unwrap();
        let berlin = chrono_tz::Europe::Berlin;
        assert_eq!(local_short(t, berlin, Lang::En.dates()), "Sun 6 Dec, 03:00 CET");
        assert_eq!(local_short(t, berlin, Lang::De.dates()), "So 6. Dez, 03:00 CET");
        assert_eq!(clock_time(t, berlin), "03:00 CET");
        let march = chrono::NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
        assert_eq!(day(march, Lang::En.dates()), "Wed 4 Mar 2026");
        assert_eq!(day(march, Lang::De.dates()), "Mi 4. Mär 2026");
        assert_eq!(plain_date(march, Lang::De), "4. Mär 2026");
        assert_eq!(plain_date(march, Lang::En), "4 Mar 2026");
        assert_eq!(lead_words_in(3600, Lang::De), "1 Stunde");
        assert_eq!(lead_words_in(2 * 3600 + 15 * 60, Lang::De), "2 Stunden 15 Minuten");
        assert_eq!(Lang::parse("de-AT"), Some(Lang::De));
        assert_eq!(Lang::parse("fr"), None);
    }
}
