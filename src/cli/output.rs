//! What the CLI prints for people: tables and detail blocks rendered from the API's JSON,
//! with every time in the maintenance's own zone, its weekday and zone abbreviation (and
//! UTC beside it where a window is shown alone). `--json` prints the API's JSON instead.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::Value;

use crate::domain::schedule::{ONE_TIME, resolve_local};
use crate::domain::{format, validate};

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

/// A JSON value as a cell: strings bare, null as `-`.
pub fn s(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn instant(v: &Value) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v.as_str()?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The zone of a maintenance or event (its `timezone` field); UTC when absent.
pub fn zone(v: &Value) -> Tz {
    v["timezone"]
        .as_str()
        .and_then(|z| z.parse().ok())
        .unwrap_or(chrono_tz::UTC)
}

/// An event's window in its maintenance's zone, as the API's `start`/`end` say.
fn event_span(e: &Value) -> String {
    match (instant(&e["start"]), instant(&e["end"])) {
        (Some(start), Some(end)) => span(start, end, zone(e)),
        _ => format!("{} – {}", s(&e["start"]), s(&e["end"])),
    }
}

fn affected(v: &Value) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|m| format!("{}:{}", s(&m["slug"]), s(&m["impact"])))
                .collect::<Vec<_>>()
                .join(",")
        })
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "-".into())
}

fn list(v: &Value) -> Vec<Value> {
    v.as_array().cloned().unwrap_or_else(|| vec![v.clone()])
}

pub fn monitor_table(v: &Value) -> String {
    let rows = list(v)
        .iter()
        .map(|m| {
            vec![
                s(&m["id"]),
                s(&m["slug"]),
                s(&m["name"]),
                s(&m["group"]),
                s(&m["status"]),
            ]
        })
        .collect();
    table(&["ID", "SLUG", "NAME", "GROUP", "STATUS"], rows)
}

pub fn event_table(v: &Value) -> String {
    let rows = list(v)
        .iter()
        .map(|e| {
            vec![
                s(&e["id"]),
                s(&e["status"]),
                event_span(e),
                affected(&e["monitors"]),
                s(&e["title"]),
            ]
        })
        .collect();
    table(&["ID", "STATUS", "WHEN", "MONITORS", "TITLE"], rows)
}

/// One event: its window (and the planned one when an operator moved it), monitors and
/// progress updates.
pub fn event_detail(e: &Value) -> String {
    let tz = zone(e);
    let mut out = format!(
        "Event {} of maintenance {}: {} ({})\n",
        s(&e["id"]),
        s(&e["maintenance_id"]),
        s(&e["title"]),
        s(&e["status"])
    );
    let pair = |a: &str, b: &str| instant(&e[a]).zip(instant(&e[b]));
    if let Some((start, end)) = pair("start", "end") {
        out.push_str(&format!("  When:      {}\n", window(start, end, tz)));
        if let Some((ps, pe)) = pair("scheduled_start", "scheduled_end")
            && (ps, pe) != (start, end)
        {
            out.push_str(&format!("  Planned:   {}\n", window(ps, pe, tz)));
        }
    }
    out.push_str(&format!("  Monitors:  {}\n", affected(&e["monitors"])));
    if let Some(at_) = instant(&e["cancelled_at"]) {
        out.push_str(&format!("  Cancelled: {} ({})\n", at(at_, tz), s(&e["cancel_reason"])));
    }
    if let Some(updates) = e["updates"].as_array().filter(|u| !u.is_empty()) {
        out.push_str("  Updates (newest first):\n");
        for u in updates {
            let when = instant(&u["created_at"]).map_or_else(|| s(&u["created_at"]), |t| at(t, tz));
            out.push_str(&format!("    {when}  {}\n", s(&u["body"])));
        }
    }
    out
}

fn repeats(m: &Value) -> String {
    match m["rrule"].as_str().map(str::trim) {
        None | Some("") => "once".into(),
        Some(r) if r.eq_ignore_ascii_case(ONE_TIME) => "once".into(),
        Some(r) => r.to_string(),
    }
}

/// The next window of an ACTIVE maintenance, from `next_start` and `duration` (an
/// INACTIVE one has a schedule but no events).
fn next_window(m: &Value) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    if m["status"] == "INACTIVE" {
        return None;
    }
    let start = instant(&m["next_start"])?;
    let secs = m["duration"].as_i64()?;
    Some((start, start + chrono::Duration::seconds(secs)))
}

pub fn maintenance_table(v: &Value) -> String {
    let rows = list(v)
        .iter()
        .map(|m| {
            vec![
                s(&m["id"]),
                s(&m["status"]),
                next_window(m).map_or_else(|| "-".into(), |(a, b)| span(a, b, zone(m))),
                repeats(m),
                affected(&m["monitors"]),
                s(&m["title"]),
            ]
        })
        .collect();
    table(&["ID", "STATUS", "NEXT", "REPEATS", "MONITORS", "TITLE"], rows)
}

/// One maintenance: its schedule in its zone, skipped dates, recent and upcoming events
/// and the overlap warnings of a save.
pub fn maintenance_detail(m: &Value) -> String {
    let tz = zone(m);
    let mut out = format!(
        "Maintenance {}: {} ({})\n",
        s(&m["id"]),
        s(&m["title"]),
        s(&m["status"])
    );
    let first = m["start"]
        .as_str()
        .and_then(|t| validate::local_datetime("start", t).ok())
        .map(|local| at(resolve_local(tz, local), tz));
    out.push_str(&format!(
        "  First:     {} ({})\n",
        first.unwrap_or_else(|| s(&m["start"])),
        tz.name()
    ));
    if let Some(secs) = m["duration"].as_i64() {
        out.push_str(&format!("  Length:    {}\n", format::duration(secs, &format::ENGLISH)));
    }
    out.push_str(&format!("  Repeats:   {}\n", repeats(m)));
    let none = if m["status"] == "INACTIVE" {
        "none (INACTIVE)"
    } else {
        "none (every window has ended)"
    };
    let next = next_window(m).map_or_else(|| none.into(), |(a, b)| window(a, b, tz));
    out.push_str(&format!("  Next:      {next}\n"));
    out.push_str(&format!("  Monitors:  {}\n", affected(&m["monitors"])));
    if let Some(skipped) = m["skipped"].as_array().filter(|l| !l.is_empty()) {
        let days: Vec<String> = skipped
            .iter()
            .map(|t| instant(t).map_or_else(|| s(t), |t| at(t, tz)))
            .collect();
        out.push_str(&format!("  Skipped:   {}\n", days.join("; ")));
    }
    if let Some(events) = m["events"].as_array().filter(|e| !e.is_empty()) {
        out.push_str("\nEvents:\n");
        out.push_str(&event_table(&Value::Array(events.clone())));
    }
    if let Some(warnings) = m["warnings"].as_array() {
        for w in warnings {
            out.push_str(&format!("warning: {}\n", s(&w["message"])));
        }
    }
    out
}

pub fn status(v: &Value) -> String {
    let rows = v["monitors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|m| vec![s(&m["slug"]), s(&m["name"]), s(&m["status"]), s(&m["effective_status"])])
                .collect()
        })
        .unwrap_or_default();
    let mut out = table(&["SLUG", "NAME", "OWN", "SHOWN"], rows);
    for (label, key) in [("Ongoing", "ongoing"), ("Upcoming", "upcoming")] {
        if let Some(list) = v[key].as_array().filter(|l| !l.is_empty()) {
            out.push_str(&format!("\n{label}:\n"));
            out.push_str(&event_table(&Value::Array(list.clone())));
        }
    }
    out
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

    #[test]
    fn an_event_table_shows_the_window_in_the_maintenance_zone() {
        let events = serde_json::json!([{
            "id": 4, "status": "SCHEDULED", "title": "Patching",
            "start": "2026-12-13T02:00:00Z", "end": "2026-12-13T04:00:00Z",
            "timezone": "Europe/Berlin", "monitors": [{"slug": "db", "impact": "DOWN"}]
        }]);
        assert_eq!(
            event_table(&events),
            "ID  STATUS     WHEN                              MONITORS  TITLE\n\
             4   SCHEDULED  Sun 13 Dec 2026, 03:00–05:00 CET  db:DOWN   Patching\n"
        );
    }
}
