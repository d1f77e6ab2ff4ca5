//! What the CLI prints for people, shared by the resources' commands (each renders its
//! own tables and details): columns, and every time in the maintenance's own zone with its
//! weekday and zone abbreviation (and UTC beside it where a window is shown alone).
//! `--json` prints the API's JSON instead.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::domain::format;
use crate::web::api::views::AffectedMonitor;

/// Left-aligned columns separated by two spaces, with a header row.
pub fn table(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  "));
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(headers.to_vec());
    for row in &rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// "Sun 13 Dec 2026, 03:00 CET".
pub fn at(t: DateTime<Utc>, tz: Tz) -> String {
    format::local(t, tz, &format::ENGLISH_DATES)
}

/// "Sun 6 Dec 2026, 03:00–05:00 CET"; the end's day is written when it differs, and each
/// time gets its own abbreviation when a DST change falls inside the window.
pub fn span(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> String {
    format::window(start, end, tz, &format::ENGLISH_DATES)
}

/// [`span`] followed by the same window in UTC: "Sun 6 Dec 2026, 03:00–05:00 CET
/// (02:00–04:00 UTC)".
pub fn window(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> String {
    let local = span(start, end, tz);
    if tz == chrono_tz::UTC {
        return local;
    }
    format!("{local} ({})", format::window_utc(start, end, tz))
}

/// An optional text as a cell: `-` when absent.
pub fn cell(v: Option<&str>) -> String {
    v.unwrap_or("-").to_string()
}

/// An RFC 3339 instant from the API.
pub fn instant(v: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v).ok().map(|t| t.with_timezone(&Utc))
}

/// A maintenance's or event's zone (its `timezone` field); UTC if this CLI does not know it.
pub fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::UTC)
}

/// The window between two API instants in `tz`, or the instants as sent.
pub fn api_span(start: &str, end: &str, tz: Tz) -> String {
    match (instant(start), instant(end)) {
        (Some(a), Some(b)) => span(a, b, tz),
        _ => format!("{start} – {end}"),
    }
}

/// Affected monitors as `slug:IMPACT,…`, or `-`.
pub fn affected(monitors: &[AffectedMonitor]) -> String {
    if monitors.is_empty() {
        return "-".into();
    }
    monitors
        .iter()
        .map(|m| format!("{}:{}", m.slug, m.impact.as_str()))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn columns_line_up() {
        let t = super::table(
            &["ID", "TITLE"],
            vec![vec!["10".into(), "Upgrade".into()], vec!["7".into(), "x".into()]],
        );
        assert_eq!(t, "ID  TITLE\n10  Upgrade\n7   x\n");
    }

    #[test]
    fn a_window_reads_in_its_zone_then_in_utc() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // 02:00Z in December is 03:00 CET (UTC+1).
        assert_eq!(
            window(utc(2026, 12, 6, 2, 0), utc(2026, 12, 6, 4, 0), berlin),
            "Sun 6 Dec 2026, 03:00–05:00 CET (02:00–04:00 UTC)"
        );
        // In May Berlin is UTC+2.
        assert_eq!(
            window(utc(2026, 5, 10, 12, 0), utc(2026, 5, 10, 15, 0), berlin),
            "Sun 10 May 2026, 14:00–17:00 CEST (12:00–15:00 UTC)"
        );
        assert_eq!(
            window(utc(2026, 12, 6, 2, 0), utc(2026, 12, 6, 4, 0), chrono_tz::UTC),
            "Sun 6 Dec 2026, 02:00–04:00 UTC"
        );
    }

    #[test]
    fn a_window_over_midnight_or_a_dst_change_names_both_ends() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let new_york: Tz = "America/New_York".parse().unwrap();
        // Sat 21:00 EST (UTC-5) is Sun 02:00 UTC: the UTC part names its own day.
        assert_eq!(
            window(utc(2026, 12, 6, 2, 0), utc(2026, 12, 6, 4, 0), new_york),
            "Sat 5 Dec 2026, 21:00–23:00 EST (Sun 6 Dec, 02:00–04:00 UTC)"
        );
        assert_eq!(
            span(utc(2026, 12, 5, 21, 0), utc(2026, 12, 6, 1, 0), berlin),
            "Sat 5 Dec 2026, 22:00 – Sun 6 Dec, 02:00 CET"
        );
        assert_eq!(
            span(utc(2026, 12, 31, 22, 0), utc(2027, 1, 1, 1, 0), berlin),
            "Thu 31 Dec 2026, 23:00 – Fri 1 Jan 2027, 02:00 CET"
        );
        // Summer time ends on 25 Oct 2026 at 01:00Z (03:00 CEST becomes 02:00 CET).
        assert_eq!(
            span(utc(2026, 10, 25, 0, 0), utc(2026, 10, 25, 2, 0), berlin),
            "Sun 25 Oct 2026, 02:00 CEST–03:00 CET"
        );
    }
}
