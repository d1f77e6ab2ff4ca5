//! Schedules in words, for people: emails say "every Sunday at 03:00 Europe/Berlin"
//! ([`sentence`]), the dashboard says "Weekly on Sun at 03:00, Europe/Berlin"
//! ([`summary`]). Nobody reading a notice should have to decode an RRULE.
//!
//! The rule text is already validated (see [`super::schedule`]); it is read here part by
//! part (`NAME=VALUE`). Rules whose meaning cannot be said plainly (BYWEEKNO, BYYEARDAY,
//! several BYSETPOS, …) fall back to a generic phrase, or to the rule itself in the
//! dashboard's compact form.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;

use super::format::{ENGLISH_DATES, Lang, day, local, plain_date};
use super::schedule::resolve_local;

/// "every Sunday at 03:00 Europe/Berlin", "every 2 weeks on Tuesday and Thursday at 03:00
/// Europe/Berlin", "on the last Friday of every month at 22:00 UTC", "every hour",
/// "once, Sun 6 Dec 2026 at 03:00 Europe/Berlin", with ", 5 times" or ", until 31 Dec
/// 2026" when the series ends. English; see [`sentence_in`] for other languages.
pub fn sentence(start_local: NaiveDateTime, tz: &str, rrule: &str) -> String {
    sentence_in(start_local, tz, rrule, Lang::En)
}

/// [`sentence`] in `lang`. German: "jeden Sonntag um 03:00 Uhr (Europe/Berlin)",
/// "am letzten Freitag jedes Monats um 22:00 Uhr (UTC)", "einmalig, So 6. Dez 2026 um
/// 03:00 Uhr (Europe/Berlin)".
pub fn sentence_in(start_local: NaiveDateTime, tz: &str, rrule: &str, lang: Lang) -> String {
    let zone = tz.parse::<Tz>().unwrap_or(chrono_tz::UTC);
    // A start in a DST gap is moved as the schedule moves it (02:30 becomes 03:30).
    let start = resolve_local(zone, start_local).with_timezone(&zone).naive_local();
    let Some(p) = Phrase::read(start_local, zone, rrule) else {
        let from = local_date_at(start, lang);
        return match lang {
            Lang::En => format!("on a custom schedule from {from} {tz}"),
            Lang::De => format!("nach eigenem Zeitplan ab {from} ({tz})"),
        };
    };
    let mut out = match (lang, &p.shape) {
        (Lang::En, Shape::Once) => format!("once, {} {tz}", local_date_at(start, lang)),
        (Lang::De, Shape::Once) => format!("einmalig, {} ({tz})", local_date_at(start, lang)),
        (Lang::En, _) => en_sentence(&p, tz),
        (Lang::De, _) => de_sentence(&p, tz),
    };
    out.push_str(&tail(&p, lang));
    out
}

/// The dashboard's compact form: "Weekly on Sun at 03:00, Europe/Berlin", "Daily at 22:00,
/// UTC", "Once: Sun 6 Dec 2026, 03:00 CET", "Monthly on the last Fri at 22:00, UTC", and
/// "Custom: <RRULE>" for rules it cannot phrase.
pub fn summary(start_local: NaiveDateTime, tz: &str, rrule: &str) -> String {
    let zone = tz.parse::<Tz>().unwrap_or(chrono_tz::UTC);
    let Some(p) = Phrase::read(start_local, zone, rrule) else {
        return format!("Custom: {}", rrule.trim());
    };
    let at = en_times(&p.times);
    let body = match &p.shape {
        Shape::Once => {
            let t = local(resolve_local(zone, start_local), zone, &ENGLISH_DATES);
            return format!("Once: {t}");
        }
        Shape::Minutes(1) => "Every minute".to_string(),
        Shape::Minutes(n) => format!("Every {n} minutes"),
        Shape::Hours(1) => "Hourly".to_string(),
        Shape::Hours(n) => format!("Every {n} hours"),
        Shape::Days(1) => format!("Daily at {at}"),
        Shape::Days(n) => format!("Every {n} days at {at}"),
        Shape::Weeks(n, days) => {
            let days = if is_every_day(days) {
                "every day".to_string()
            } else {
                days.iter().map(|d| en_day_short(*d)).collect::<Vec<_>>().join(", ")
            };
            match n {
                1 if days == "every day" => format!("Daily at {at}"),
                1 => format!("Weekly on {days} at {at}"),
                n => format!("Every {n} weeks on {days} at {at}"),
            }
        }
        Shape::MonthDays(n, days) => {
            let days = en_list(&days.iter().map(|d| en_month_day(*d)).collect::<Vec<_>>());
            match n {
                1 => format!("Monthly on the {days} at {at}"),
                n => format!("Every {n} months on the {days} at {at}"),
            }
        }
        Shape::MonthWeekdays(n, days) => {
            let days = en_list(
                &days
                    .iter()
                    .map(|(k, d)| format!("{} {}", en_ordinal(*k), en_day_short(*d)))
                    .collect::<Vec<_>>(),
            );
            match n {
                1 => format!("Monthly on the {days} at {at}"),
                n => format!("Every {n} months on the {days} at {at}"),
            }
        }
        Shape::Years(n, month, day) => {
            let on = match day {
                YearDay::Day(d) => format!("{d} {}", en_month_short(*month)),
                YearDay::Nth(k, wd) => {
                    format!(
                        "the {} {} of {}",
                        en_ordinal(*k),
                        en_day_short(*wd),
                        en_month_short(*month)
                    )
                }
            };
            match n {
                1 => format!("Yearly on {on} at {at}"),
                n => format!("Every {n} years on {on} at {at}"),
            }
        }
    };
    let zone_part = match p.shape {
        Shape::Minutes(_) | Shape::Hours(_) => String::new(),
        _ => format!(", {tz}"),
    };
    format!("{body}{zone_part}{}", tail(&p, Lang::En))
}

/// True when `rrule` describes one window only (`COUNT=1`, as one-time maintenances do).
pub fn is_once(rrule: &str) -> bool {
    parts(rrule).any(|(k, v)| k == "COUNT" && v == "1")
}

fn parts(rrule: &str) -> impl Iterator<Item = (String, String)> + '_ {
    let text = rrule.trim();
    let text = text
        .strip_prefix("RRULE:")
        .or_else(|| text.strip_prefix("rrule:"))
        .unwrap_or(text);
    text.split(';').filter_map(|p| {
        let (k, v) = p.split_once('=')?;
        Some((k.trim().to_ascii_uppercase(), v.trim().to_ascii_uppercase()))
    })
}

/// What a rule means, in the few shapes people use.
#[derive(Debug, PartialEq)]
enum Shape {
    Once,
    Minutes(u32),
    Hours(u32),
    Days(u32),
    /// Every n weeks on these weekdays (in week order from Monday).
    Weeks(u32, Vec<Weekday>),
    /// Every n months on these days of the month (negative: from the end).
    MonthDays(u32, Vec<i32>),
    /// Every n months on the k-th weekday (negative k: from the end).
    MonthWeekdays(u32, Vec<(i32, Weekday)>),
    /// Every n years in a month (1–12), on a day.
    Years(u32, u32, YearDay),
}

#[derive(Debug, PartialEq)]
enum YearDay {
    Day(i32),
    Nth(i32, Weekday),
}

#[derive(Debug)]
struct Phrase {
    shape: Shape,
    /// Local wall-clock times of day, in order.
    times: Vec<(u32, u32)>,
    count: Option<u32>,
    /// The last local date of the series.
    until: Option<NaiveDate>,
}

#[derive(Default)]
struct Parts {
    freq: String,
    interval: u32,
    byday: Vec<(Option<i32>, Weekday)>,
    bymonthday: Vec<i32>,
    bymonth: Vec<u32>,
    byhour: Vec<u32>,
    byminute: Vec<u32>,
    bysetpos: Vec<i32>,
    count: Option<u32>,
    until: Option<String>,
}

fn weekday(code: &str) -> Option<Weekday> {
    Some(match code {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

fn numbers<T: std::str::FromStr>(v: &str) -> Option<Vec<T>> {
    v.split(',')
        .map(|n| n.trim().trim_start_matches('+').parse().ok())
        .collect()
}

impl Parts {
    fn read(rrule: &str) -> Option<Self> {
        let mut p = Parts {
            interval: 1,
            ..Default::default()
        };
        for (k, v) in parts(rrule) {
            match k.as_str() {
                "FREQ" => p.freq = v,
                "INTERVAL" => p.interval = v.parse().ok().filter(|n| *n >= 1)?,
                "COUNT" => p.count = Some(v.parse().ok()?),
                "UNTIL" => p.until = Some(v),
                "BYDAY" => {
                    for item in v.split(',') {
                        let item = item.trim();
                        let (num, code) = item.split_at(item.len().checked_sub(2)?);
                        let n = if num.is_empty() {
                            None
                        } else {
                            Some(num.trim_start_matches('+').parse::<i32>().ok()?)
                        };
                        p.byday.push((n, weekday(code)?));
                    }
                }
                "BYMONTHDAY" => p.bymonthday = numbers(&v)?,
                "BYMONTH" => p.bymonth = numbers(&v)?,
                "BYHOUR" => p.byhour = numbers(&v)?,
                "BYMINUTE" => p.byminute = numbers(&v)?,
                "BYSETPOS" => p.bysetpos = numbers(&v)?,
                // Seconds are not shown; zero is what every window has anyway.
                "BYSECOND" if v.split(',').all(|s| s.trim() == "0") => {}
                // WKST only shifts which week a day belongs to for INTERVAL > 1; the words
                // stay true.
                "WKST" => {}
                _ => return None,
            }
        }
        Some(p)
    }
}

impl Phrase {
    fn read(start: NaiveDateTime, tz: Tz, rrule: &str) -> Option<Self> {
        let p = Parts::read(rrule)?;
        let n = p.interval;
        let plain_days = || -> Option<Vec<Weekday>> {
            let mut days: Vec<Weekday> = p
                .byday
                .iter()
                .map(|(k, d)| k.is_none().then_some(*d))
                .collect::<Option<_>>()?;
            days.sort_by_key(|d| d.num_days_from_monday());
            days.dedup();
            Some(days)
        };
        let no_by = p.byday.is_empty() && p.bymonthday.is_empty() && p.bymonth.is_empty();
        let no_time = p.byhour.is_empty() && p.byminute.is_empty();
        let shape = match p.freq.as_str() {
            _ if p.count == Some(1) && no_by && no_time && p.bysetpos.is_empty() => Shape::Once,
            "MINUTELY" if no_by && no_time && p.bysetpos.is_empty() => Shape::Minutes(n),
            "HOURLY" if no_by && no_time && p.bysetpos.is_empty() => Shape::Hours(n),
            "DAILY" if no_by && p.bysetpos.is_empty() => Shape::Days(n),
            // Daily on some weekdays is the same as weekly on them.
            "DAILY" if n == 1 && p.bymonthday.is_empty() && p.bymonth.is_empty() && p.bysetpos.is_empty() => {
                Shape::Weeks(1, plain_days()?)
            }
            "WEEKLY" if p.bymonthday.is_empty() && p.bymonth.is_empty() && p.bysetpos.is_empty() => {
                let days = plain_days()?;
                Shape::Weeks(n, if days.is_empty() { vec![start.weekday()] } else { days })
            }
            "MONTHLY" if p.bymonth.is_empty() => {
                match (p.byday.is_empty(), p.bymonthday.is_empty(), p.bysetpos.as_slice()) {
                    (true, true, []) => Shape::MonthDays(n, vec![start.day() as i32]),
                    (true, false, []) => {
                        let mut days = p.bymonthday.clone();
                        days.sort_by_key(|d| if *d < 0 { 100 - d } else { *d });
                        Shape::MonthDays(n, days)
                    }
                    (false, true, []) => {
                        let days = p
                            .byday
                            .iter()
                            .map(|(k, d)| k.map(|k| (k, *d)))
                            .collect::<Option<Vec<_>>>()?;
                        Shape::MonthWeekdays(n, days)
                    }
                    // BYDAY=FR;BYSETPOS=-1: the last Friday, written the other way.
                    (false, true, [pos]) if p.byday.len() == 1 && p.byday[0].0.is_none() => {
                        Shape::MonthWeekdays(n, vec![(*pos, p.byday[0].1)])
                    }
                    _ => return None,
                }
            }
            "YEARLY" if p.bysetpos.is_empty() && p.bymonth.len() <= 1 => {
                let month = p.bymonth.first().copied().unwrap_or(start.month());
                let day = match (p.byday.as_slice(), p.bymonthday.as_slice()) {
                    ([], []) => YearDay::Day(start.day() as i32),
                    // A day out of 1-31 (the last, -1) is not sayable; see below.
                    ([], [d]) => YearDay::Day(*d),
                    ([(Some(k), wd)], []) if !p.bymonth.is_empty() => YearDay::Nth(*k, *wd),
                    _ => return None,
                };
                Shape::Years(n, month, day)
            }
            _ => return None,
        };
        // Every phrase must be sayable: ordinals we have words for.
        let sayable = match &shape {
            Shape::MonthDays(_, days) => days.iter().all(|d| (1..=31).contains(d) || *d == -1),
            Shape::MonthWeekdays(_, days) => days.iter().all(|(k, _)| (1..=5).contains(k) || matches!(k, -1 | -2)),
            Shape::Years(_, m, YearDay::Day(d)) => (1..=12).contains(m) && (1..=31).contains(d),
            Shape::Years(_, m, YearDay::Nth(k, _)) => {
                (1..=12).contains(m) && ((1..=5).contains(k) || matches!(k, -1 | -2))
            }
            _ => true,
        };
        if !sayable {
            return None;
        }
        let hours = if p.byhour.is_empty() {
            vec![start.hour()]
        } else {
            p.byhour.clone()
        };
        let minutes = if p.byminute.is_empty() {
            vec![start.minute()]
        } else {
            p.byminute.clone()
        };
        if hours.len() * minutes.len() > 6 || hours.iter().any(|h| *h > 23) || minutes.iter().any(|m| *m > 59) {
            return None;
        }
        let mut times: Vec<(u32, u32)> = hours
            .iter()
            .flat_map(|h| minutes.iter().map(move |m| (*h, *m)))
            .collect();
        times.sort_unstable();
        times.dedup();
        let until = match p.until.as_deref() {
            None => None,
            Some(v) => Some(until_date(v, tz)?),
        };
        Some(Phrase {
            shape,
            times,
            count: p.count.filter(|c| *c > 1),
            until,
        })
    }
}

/// UNTIL as the last local date of the series.
fn until_date(v: &str, tz: Tz) -> Option<NaiveDate> {
    if let Some(utc) = v.strip_suffix('Z') {
        let t = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok()?;
        Some(Utc.from_utc_datetime(&t).with_timezone(&tz).date_naive())
    } else if v.contains('T') {
        NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").ok().map(|t| t.date())
    } else {
        NaiveDate::parse_from_str(v, "%Y%m%d").ok()
    }
}

fn tail(p: &Phrase, lang: Lang) -> String {
    match (p.count, p.until, lang) {
        (Some(c), _, Lang::En) => format!(", {c} times"),
        (Some(c), _, Lang::De) => format!(", {c}-mal"),
        (None, Some(d), Lang::En) => format!(", until {}", plain_date(d, lang)),
        (None, Some(d), Lang::De) => format!(", bis {}", plain_date(d, lang)),
        (None, None, _) => String::new(),
    }
}

/// "Sun 6 Dec 2026 at 03:00" / "So. 6. Dez. 2026 um 03:00 Uhr", as written locally.
fn local_date_at(start: NaiveDateTime, lang: Lang) -> String {
    let date = day(start.date(), lang.dates());
    match lang {
        Lang::En => format!("{date} at {}", start.format("%H:%M")),
        Lang::De => format!("{date} um {} Uhr", start.format("%H:%M")),
    }
}

fn is_every_day(days: &[Weekday]) -> bool {
    days.len() == 7
}

fn is_work_week(days: &[Weekday]) -> bool {
    days == [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri]
}

// --- English ---

fn en_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn en_times(times: &[(u32, u32)]) -> String {
    en_list(&times.iter().map(|(h, m)| format!("{h:02}:{m:02}")).collect::<Vec<_>>())
}

fn en_day(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

fn en_day_short(d: Weekday) -> &'static str {
    &en_day(d)[..3]
}

const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn en_month_short(m: u32) -> &'static str {
    &EN_MONTHS[(m as usize).clamp(1, 12) - 1][..3]
}

fn en_ordinal(k: i32) -> &'static str {
    match k {
        1 => "first",
        2 => "second",
        3 => "third",
        4 => "fourth",
        5 => "fifth",
        -2 => "second-to-last",
        _ => "last",
    }
}

fn en_month_day(d: i32) -> String {
    if d < 0 {
        return "last day".into();
    }
    let suffix = match (d % 10, d % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{d}{suffix}")
}

fn en_sentence(p: &Phrase, tz: &str) -> String {
    let at = format!("at {} {tz}", en_times(&p.times));
    let every = |n: u32, one: &str, many: &str| {
        if n == 1 {
            format!("every {one}")
        } else {
            format!("every {n} {many}")
        }
    };
    match &p.shape {
        // Said by `sentence_in`, which knows the start.
        Shape::Once => String::new(),
        Shape::Minutes(n) => every(*n, "minute", "minutes"),
        Shape::Hours(n) => every(*n, "hour", "hours"),
        Shape::Days(n) => format!("{} {at}", every(*n, "day", "days")),
        Shape::Weeks(n, days) => {
            let names = || en_list(&days.iter().map(|d| en_day(*d).to_string()).collect::<Vec<_>>());
            match n {
                1 if is_every_day(days) => format!("every day {at}"),
                1 if is_work_week(days) => format!("every weekday {at}"),
                1 => format!("every {} {at}", names()),
                n => format!("every {n} weeks on {} {at}", names()),
            }
        }
        Shape::MonthDays(n, days) => {
            let days = en_list(&days.iter().map(|d| en_month_day(*d)).collect::<Vec<_>>());
            format!("on the {days} of {} {at}", every(*n, "month", "months"))
        }
        Shape::MonthWeekdays(n, days) => {
            let days = en_list(
                &days
                    .iter()
                    .map(|(k, d)| format!("{} {}", en_ordinal(*k), en_day(*d)))
                    .collect::<Vec<_>>(),
            );
            format!("on the {days} of {} {at}", every(*n, "month", "months"))
        }
        Shape::Years(n, month, day) => {
            let month_name = EN_MONTHS[(*month as usize).clamp(1, 12) - 1];
            let on = match day {
                YearDay::Day(d) => format!("{d} {month_name}"),
                YearDay::Nth(k, wd) => format!("the {} {} of {month_name}", en_ordinal(*k), en_day(*wd)),
            };
            format!("{} on {on} {at}", every(*n, "year", "years"))
        }
    }
}

// --- German ---

fn de_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} und {last}", rest.join(", ")),
    }
}

fn de_day(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Montag",
        Weekday::Tue => "Dienstag",
        Weekday::Wed => "Mittwoch",
        Weekday::Thu => "Donnerstag",
        Weekday::Fri => "Freitag",
        Weekday::Sat => "Samstag",
        Weekday::Sun => "Sonntag",
    }
}

const DE_MONTHS: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];

/// Ordinals as they stand after "am": "am ersten Montag", "am letzten Freitag".
fn de_ordinal(k: i32) -> &'static str {
    match k {
        1 => "ersten",
        2 => "zweiten",
        3 => "dritten",
        4 => "vierten",
        5 => "fünften",
        -2 => "vorletzten",
        _ => "letzten",
    }
}

fn de_month_day(d: i32) -> String {
    if d < 0 { "letzten Tag".into() } else { format!("{d}.") }
}

fn de_sentence(p: &Phrase, tz: &str) -> String {
    let times = de_list(
        &p.times
            .iter()
            .map(|(h, m)| format!("{h:02}:{m:02}"))
            .collect::<Vec<_>>(),
    );
    let at = format!("um {times} Uhr ({tz})");
    let every = |n: u32, many: &str| format!("alle {n} {many}");
    match &p.shape {
        Shape::Once => String::new(),
        Shape::Minutes(1) => "jede Minute".into(),
        Shape::Minutes(n) => every(*n, "Minuten"),
        Shape::Hours(1) => "stündlich".into(),
        Shape::Hours(n) => every(*n, "Stunden"),
        Shape::Days(1) => format!("täglich {at}"),
        Shape::Days(n) => format!("{} {at}", every(*n, "Tage")),
        Shape::Weeks(n, days) => {
            let names = de_list(&days.iter().map(|d| de_day(*d).to_string()).collect::<Vec<_>>());
            match n {
                1 if is_every_day(days) => format!("täglich {at}"),
                1 if is_work_week(days) => format!("montags bis freitags {at}"),
                1 => format!("jeden {names} {at}"),
                n => format!("{} am {names} {at}", every(*n, "Wochen")),
            }
        }
        Shape::MonthDays(n, days) => {
            let days = de_list(&days.iter().map(|d| de_month_day(*d)).collect::<Vec<_>>());
            match n {
                1 => format!("am {days} jedes Monats {at}"),
                n => format!("{} am {days} {at}", every(*n, "Monate")),
            }
        }
        Shape::MonthWeekdays(n, days) => {
            let days = de_list(
                &days
                    .iter()
                    .map(|(k, d)| format!("{} {}", de_ordinal(*k), de_day(*d)))
                    .collect::<Vec<_>>(),
            );
            match n {
                1 => format!("am {days} jedes Monats {at}"),
                n => format!("{} am {days} {at}", every(*n, "Monate")),
            }
        }
        Shape::Years(n, month, day) => {
            let month_name = DE_MONTHS[(*month as usize).clamp(1, 12) - 1];
            let on = match day {
                YearDay::Day(d) => format!("am {d}. {month_name}"),
                YearDay::Nth(k, wd) => format!("am {} {} im {month_name}", de_ordinal(*k), de_day(*wd)),
            };
            match n {
                1 => format!("jedes Jahr {on} {at}"),
                n => format!("{} {on} {at}", every(*n, "Jahre")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Expected phrases are written by hand from the rules' RFC 5545 meaning; weekdays of
    //! the start dates were looked up in a calendar (6 Dec 2026 is a Sunday).
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    fn en(start: &str, tz: &str, rule: &str) -> String {
        sentence(at(start), tz, rule)
    }

    fn de(start: &str, tz: &str, rule: &str) -> String {
        sentence_in(at(start), tz, rule, Lang::De)
    }

    fn short(start: &str, tz: &str, rule: &str) -> String {
        summary(at(start), tz, rule)
    }

    const SUN: &str = "2026-12-06T03:00";

    #[test]
    fn weekly_and_daily_plans_read_as_sentences() {
        assert_eq!(
            en(SUN, "Europe/Berlin", "FREQ=WEEKLY;BYDAY=SU"),
            "every Sunday at 03:00 Europe/Berlin"
        );
        assert_eq!(
            en(SUN, "Europe/Berlin", "FREQ=WEEKLY"),
            "every Sunday at 03:00 Europe/Berlin",
            "without BYDAY the start's weekday repeats"
        );
        assert_eq!(en("2026-12-06T22:00", "UTC", "FREQ=DAILY"), "every day at 22:00 UTC");
        assert_eq!(
            en("2026-12-06T22:00", "UTC", "FREQ=DAILY;INTERVAL=3"),
            "every 3 days at 22:00 UTC"
        );
        assert_eq!(
            en(SUN, "Europe/Berlin", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH"),
            "every 2 weeks on Tuesday and Thursday at 03:00 Europe/Berlin"
        );
        assert_eq!(
            en(SUN, "Europe/Berlin", "FREQ=WEEKLY;BYDAY=SU,TU,TH"),
            "every Tuesday, Thursday and Sunday at 03:00 Europe/Berlin"
        );
        assert_eq!(
            en(SUN, "UTC", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
            "every weekday at 03:00 UTC"
        );
        assert_eq!(
            en(SUN, "UTC", "FREQ=DAILY;BYDAY=SA,SU"),
            "every Saturday and Sunday at 03:00 UTC"
        );
        assert_eq!(
            en(SUN, "UTC", "FREQ=DAILY;BYHOUR=3,15"),
            "every day at 03:00 and 15:00 UTC"
        );
    }

    #[test]
    fn monthly_yearly_and_short_periods_read_as_sentences() {
        assert_eq!(
            en("2026-12-25T22:00", "UTC", "FREQ=MONTHLY;BYDAY=-1FR"),
            "on the last Friday of every month at 22:00 UTC"
        );
        assert_eq!(
            en("2026-12-25T22:00", "UTC", "FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1"),
            "on the last Friday of every month at 22:00 UTC"
        );
        assert_eq!(
            en("2026-12-07T01:00", "UTC", "FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO"),
            "on the first Monday of every 3 months at 01:00 UTC"
        );
        assert_eq!(en(SUN, "UTC", "FREQ=MONTHLY"), "on the 6th of every month at 03:00 UTC");
        assert_eq!(
            en(SUN, "UTC", "FREQ=MONTHLY;BYMONTHDAY=1,15,-1"),
            "on the 1st, 15th and last day of every month at 03:00 UTC"
        );
        assert_eq!(en(SUN, "UTC", "FREQ=YEARLY"), "every year on 6 December at 03:00 UTC");
        assert_eq!(
            en(SUN, "UTC", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"),
            "every year on the last Sunday of March at 03:00 UTC"
        );
        assert_eq!(en(SUN, "Europe/Berlin", "FREQ=HOURLY"), "every hour");
        assert_eq!(en(SUN, "Europe/Berlin", "FREQ=HOURLY;INTERVAL=6"), "every 6 hours");
        assert_eq!(en(SUN, "UTC", "FREQ=MINUTELY;INTERVAL=30"), "every 30 minutes");
    }

    #[test]
    fn one_time_plans_and_ends_of_series() {
        assert_eq!(
            en(SUN, "Europe/Berlin", "FREQ=MINUTELY;COUNT=1"),
            "once, Sun 6 Dec 2026 at 03:00 Europe/Berlin"
        );
        // 02:30 does not exist in Berlin that night: the window opens at 03:30 CEST.
        assert_eq!(
            en("2026-03-29T02:30", "Europe/Berlin", "FREQ=MINUTELY;COUNT=1"),
            "once, Sun 29 Mar 2026 at 03:30 Europe/Berlin"
        );
        assert_eq!(
            short("2026-03-29T02:30", "Europe/Berlin", "FREQ=MINUTELY;COUNT=1"),
            "Once: Sun 29 Mar 2026, 03:30 CEST"
        );
        assert_eq!(
            en(SUN, "UTC", "FREQ=YEARLY;BYMONTH=3"),
            "every year on 6 March at 03:00 UTC"
        );
        assert_eq!(en(SUN, "UTC", "FREQ=DAILY;COUNT=5"), "every day at 03:00 UTC, 5 times");
        assert_eq!(
            en(SUN, "UTC", "FREQ=WEEKLY;BYDAY=SU;UNTIL=20261231T235959Z"),
            "every Sunday at 03:00 UTC, until 31 Dec 2026"
        );
        // 23:30 UTC on 31 Dec is already 1 January in Berlin.
        assert_eq!(
            en(SUN, "Europe/Berlin", "FREQ=WEEKLY;UNTIL=20261231T233000Z"),
            "every Sunday at 03:00 Europe/Berlin, until 1 Jan 2027"
        );
        assert_eq!(
            en(SUN, "UTC", "FREQ=DAILY;UNTIL=20270115"),
            "every day at 03:00 UTC, until 15 Jan 2027"
        );
        assert!(is_once("FREQ=MINUTELY;COUNT=1"));
        assert!(is_once("FREQ=DAILY;COUNT=1"));
        assert!(!is_once("FREQ=DAILY;COUNT=10"));
        assert!(!is_once("FREQ=WEEKLY;BYDAY=SU"));
    }

    #[test]
    fn rules_without_plain_words_say_so_instead_of_showing_the_rule() {
        assert_eq!(
            en(SUN, "UTC", "FREQ=YEARLY;BYWEEKNO=20"),
            "on a custom schedule from Sun 6 Dec 2026 at 03:00 UTC"
        );
        assert_eq!(
            de(SUN, "UTC", "FREQ=YEARLY;BYWEEKNO=20"),
            "nach eigenem Zeitplan ab So 6. Dez 2026 um 03:00 Uhr (UTC)"
        );
        assert_eq!(
            short(SUN, "UTC", "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=1,3"),
            "Custom: FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=1,3"
        );
    }

    #[test]
    fn german_sentences() {
        assert_eq!(
            de(SUN, "Europe/Berlin", "FREQ=WEEKLY;BYDAY=SU"),
            "jeden Sonntag um 03:00 Uhr (Europe/Berlin)"
        );
        assert_eq!(
            de("2026-12-06T22:00", "UTC", "FREQ=DAILY"),
            "täglich um 22:00 Uhr (UTC)"
        );
        assert_eq!(
            de(SUN, "Europe/Berlin", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH"),
            "alle 2 Wochen am Dienstag und Donnerstag um 03:00 Uhr (Europe/Berlin)"
        );
        assert_eq!(
            de("2026-12-25T22:00", "UTC", "FREQ=MONTHLY;BYDAY=-1FR"),
            "am letzten Freitag jedes Monats um 22:00 Uhr (UTC)"
        );
        assert_eq!(
            de(SUN, "UTC", "FREQ=MONTHLY;INTERVAL=2"),
            "alle 2 Monate am 6. um 03:00 Uhr (UTC)"
        );
        assert_eq!(
            de(SUN, "UTC", "FREQ=YEARLY"),
            "jedes Jahr am 6. Dezember um 03:00 Uhr (UTC)"
        );
        assert_eq!(de(SUN, "UTC", "FREQ=HOURLY"), "stündlich");
        assert_eq!(
            de(SUN, "UTC", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
            "montags bis freitags um 03:00 Uhr (UTC)"
        );
        assert_eq!(
            de(SUN, "Europe/Berlin", "FREQ=MINUTELY;COUNT=1"),
            "einmalig, So 6. Dez 2026 um 03:00 Uhr (Europe/Berlin)"
        );
        assert_eq!(
            de(SUN, "UTC", "FREQ=DAILY;COUNT=5"),
            "täglich um 03:00 Uhr (UTC), 5-mal"
        );
        assert_eq!(
            de(SUN, "UTC", "FREQ=DAILY;UNTIL=20270304"),
            "täglich um 03:00 Uhr (UTC), bis 4. Mär 2027"
        );
    }

    #[test]
    fn parts_that_do_not_change_the_words_are_read() {
        for (rule, words) in [
            ("FREQ=DAILY;BYMINUTE=30", "Daily at 03:30, UTC"),
            ("FREQ=DAILY;BYHOUR=3;BYMINUTE=0,30", "Daily at 03:00 and 03:30, UTC"),
            (
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;WKST=SU",
                "Every 2 weeks on Mon at 03:00, UTC",
            ),
            ("FREQ=DAILY;BYSECOND=0", "Daily at 03:00, UTC"),
            (
                "FREQ=MONTHLY;BYMONTHDAY=-1,15,1",
                "Monthly on the 1st, 15th and last day at 03:00, UTC",
            ),
            ("FREQ=YEARLY;BYMONTHDAY=15", "Yearly on 15 Dec at 03:00, UTC"),
            ("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31", "Yearly on 31 Dec at 03:00, UTC"),
            (
                "FREQ=MONTHLY;BYDAY=-2FR",
                "Monthly on the second-to-last Fri at 03:00, UTC",
            ),
            (
                "FREQ=DAILY;BYHOUR=1,2,3;BYMINUTE=0,30",
                "Daily at 01:00, 01:30, 02:00, 02:30, 03:00 and 03:30, UTC",
            ),
            ("FREQ=DAILY;BYHOUR=23;BYMINUTE=59", "Daily at 23:59, UTC"),
        ] {
            assert_eq!(short(SUN, "UTC", rule), words, "{rule}");
        }
    }

    #[test]
    fn every_ordinal_has_its_word() {
        for (k, en_word, de_word) in [
            ("1", "first", "ersten"),
            ("2", "second", "zweiten"),
            ("3", "third", "dritten"),
            ("4", "fourth", "vierten"),
            ("5", "fifth", "fünften"),
            ("-1", "last", "letzten"),
            ("-2", "second-to-last", "vorletzten"),
        ] {
            let rule = format!("FREQ=MONTHLY;BYDAY={k}TU");
            assert_eq!(
                en(SUN, "UTC", &rule),
                format!("on the {en_word} Tuesday of every month at 03:00 UTC")
            );
            let de = de(SUN, "UTC", &rule);
            assert!(de.contains(&format!(" {de_word} Dienstag")), "{de}");
        }
    }

    #[test]
    fn every_day_of_the_month_has_its_ordinal() {
        for (d, word) in [
            (1, "1st"),
            (2, "2nd"),
            (3, "3rd"),
            (4, "4th"),
            (11, "11th"),
            (12, "12th"),
            (13, "13th"),
            (21, "21st"),
            (22, "22nd"),
            (23, "23rd"),
            (31, "31st"),
        ] {
            let rule = format!("FREQ=MONTHLY;BYMONTHDAY={d}");
            assert_eq!(
                en(SUN, "UTC", &rule),
                format!("on the {word} of every month at 03:00 UTC")
            );
        }
        assert_eq!(
            en(SUN, "UTC", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU"),
            "every day at 03:00 UTC"
        );
        let de_every_day = de(SUN, "UTC", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU");
        assert!(de_every_day.starts_with("täglich "), "{de_every_day}");
        let de_last = de(SUN, "UTC", "FREQ=MONTHLY;BYMONTHDAY=-1,15");
        assert!(de_last.contains("am 15. und letzten Tag"), "{de_last}");
    }

    #[test]
    fn rules_the_words_cannot_carry_are_shown_raw() {
        for rule in [
            "FREQ=DAILY;BYSECOND=0,30",
            "FREQ=MINUTELY;COUNT=1;BYHOUR=3",
            "FREQ=MINUTELY;COUNT=1;BYSETPOS=1",
            "FREQ=MINUTELY;INTERVAL=15;BYHOUR=3",
            "FREQ=MINUTELY;BYDAY=MO",
            "FREQ=MINUTELY;BYSETPOS=1",
            "FREQ=HOURLY;BYDAY=MO",
            "FREQ=HOURLY;BYMINUTE=15",
            "FREQ=HOURLY;BYSETPOS=1",
            "FREQ=DAILY;BYSETPOS=1",
            "FREQ=DAILY;INTERVAL=2;BYDAY=MO",
            "FREQ=DAILY;BYDAY=MO;BYMONTH=3",
            "FREQ=DAILY;BYDAY=MO;BYMONTHDAY=1",
            "FREQ=DAILY;BYDAY=MO;BYSETPOS=1",
            "FREQ=WEEKLY;BYMONTHDAY=1",
            "FREQ=WEEKLY;BYDAY=MO;BYMONTH=3",
            "FREQ=WEEKLY;BYDAY=MO;BYSETPOS=1",
            "FREQ=MONTHLY;BYMONTH=3;BYDAY=1MO",
            "FREQ=MONTHLY;BYDAY=MO,FR;BYSETPOS=1",
            "FREQ=MONTHLY;BYDAY=2FR;BYSETPOS=1",
            "FREQ=YEARLY;BYMONTH=3,9",
            "FREQ=YEARLY;BYDAY=1MO",
            "FREQ=YEARLY;BYMONTHDAY=-1",
            "FREQ=MONTHLY;BYMONTHDAY=32",
            "FREQ=MONTHLY;BYMONTHDAY=-2",
            "FREQ=MONTHLY;BYDAY=-3FR",
            "FREQ=MONTHLY;BYDAY=6FR",
            "FREQ=YEARLY;BYMONTH=13",
            "FREQ=YEARLY;BYMONTH=13;BYMONTHDAY=1",
            "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=32",
            "FREQ=YEARLY;BYMONTH=13;BYDAY=1MO",
            "FREQ=YEARLY;BYMONTH=3;BYDAY=6MO",
            "FREQ=DAILY;BYHOUR=1,2,3,4,5,6,7",
            "FREQ=DAILY;BYHOUR=1,2;BYMINUTE=0,15,30,45",
            "FREQ=DAILY;BYHOUR=1,2,3;BYMINUTE=0,20,40",
            "FREQ=DAILY;BYHOUR=24",
            "FREQ=DAILY;BYMINUTE=60",
            "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;BYSETPOS=1",
        ] {
            assert_eq!(short(SUN, "UTC", rule), format!("Custom: {rule}"));
        }
    }

    #[test]
    fn dashboard_summaries_are_compact() {
        assert_eq!(
            short(SUN, "Europe/Berlin", "FREQ=WEEKLY;BYDAY=SU"),
            "Weekly on Sun at 03:00, Europe/Berlin"
        );
        assert_eq!(short("2026-12-06T22:00", "UTC", "FREQ=DAILY"), "Daily at 22:00, UTC");
        assert_eq!(
            short(SUN, "Europe/Berlin", "FREQ=MINUTELY;COUNT=1"),
            "Once: Sun 6 Dec 2026, 03:00 CET"
        );
        assert_eq!(
            short("2026-07-05T03:00", "Europe/Berlin", "FREQ=MINUTELY;COUNT=1"),
            "Once: Sun 5 Jul 2026, 03:00 CEST"
        );
        assert_eq!(
            short("2026-12-25T22:00", "UTC", "FREQ=MONTHLY;BYDAY=-1FR"),
            "Monthly on the last Fri at 22:00, UTC"
        );
        assert_eq!(
            short(SUN, "Europe/Berlin", "FREQ=WEEKLY;BYDAY=TU,TH,SU"),
            "Weekly on Tue, Thu, Sun at 03:00, Europe/Berlin"
        );
        assert_eq!(
            short(SUN, "UTC", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH"),
            "Every 2 weeks on Tue, Thu at 03:00, UTC"
        );
        assert_eq!(
            short(SUN, "UTC", "FREQ=MONTHLY;BYMONTHDAY=15"),
            "Monthly on the 15th at 03:00, UTC"
        );
        assert_eq!(
            short(SUN, "UTC", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU"),
            "Daily at 03:00, UTC"
        );
        assert_eq!(short(SUN, "UTC", "FREQ=YEARLY"), "Yearly on 6 Dec at 03:00, UTC");
        assert_eq!(short(SUN, "UTC", "FREQ=HOURLY"), "Hourly");
        assert_eq!(short(SUN, "UTC", "FREQ=DAILY;COUNT=5"), "Daily at 03:00, UTC, 5 times");
        assert_eq!(
            short(SUN, "UTC", "FREQ=WEEKLY;UNTIL=20261231"),
            "Weekly on Sun at 03:00, UTC, until 31 Dec 2026"
        );
    }
}
