//! How the dashboard writes times and names: every window in its plan's own zone with the
//! weekday ("Sun 6 Dec 2026, 03:00–05:00 CET"), UTC beside it, whatever the reader's zone.
//! Called from the templates.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::domain::format::{self, ENGLISH_DATES};
use crate::domain::schedule::format_utc;
use crate::service::events::{Event, parse_instant};

/// An instant for a `datetime` attribute: RFC 3339 UTC.
pub fn iso(t: &DateTime<Utc>) -> String {
    format_utc(*t)
}

/// The event's window (as it runs now: started early, extended…) in its plan's zone.
pub fn window(e: &Event) -> String {
    format::window(e.start, e.end, e.timezone, &ENGLISH_DATES)
}

/// The same window in UTC; empty for a plan in UTC, whose window already says it.
pub fn window_utc(e: &Event) -> String {
    if e.timezone == chrono_tz::UTC {
        return String::new();
    }
    format::window_utc(e.start, e.end, e.timezone)
}

/// The window as planned, in the plan's zone.
pub fn planned(e: &Event) -> String {
    format::window(e.scheduled_start, e.scheduled_end, e.timezone, &ENGLISH_DATES)
}

/// Whether an operator moved the window away from the plan.
pub fn moved(e: &Event) -> bool {
    e.moved()
}

/// An instant in a zone: "Sun 6 Dec 2026, 03:00 CET".
pub fn at(t: &DateTime<Utc>, tz: &Tz) -> String {
    format::local(*t, *tz, &ENGLISH_DATES)
}

/// An instant (RFC 3339) in UTC for records (created, last used): "Mon 23 Nov 2026, 05:23 UTC".
pub fn at_utc(t: &str) -> String {
    format::local(
        parse_instant("time", t).unwrap_or_default(),
        chrono_tz::UTC,
        &ENGLISH_DATES,
    )
}

/// Who did something, as people read it: "ops@example.com", "token deploy-bot".
pub fn author(actor: &str) -> String {
    match actor.split_once(':') {
        Some(("user", email)) => email.to_string(),
        Some(("token", name)) => format!("API token {name}"),
        _ => actor.to_string(),
    }
}

/// "1 subscriber", "2 subscribers".
pub fn count(n: impl ToString, one: &str, many: &str) -> String {
    let n = n.to_string();
    let word = if n == "1" { one } else { many };
    format!("{n} {word}")
}

/// An impact as the status page words it.
pub fn impact(i: &crate::domain::impact::Impact) -> &'static str {
    use crate::domain::impact::Impact;
    match *i {
        Impact::Maintenance => "under maintenance",
        Impact::Degraded => "degraded",
        Impact::Down => "down",
        Impact::Up => "no visible impact",
    }
}

/// The label of a form field, for the error summary at the top of a form.
pub fn field_label(field: &str) -> &str {
    match field {
        "title" => "Title",
        "description" => "Description",
        "start" => "Start",
        "timezone" => "Time zone",
        "duration" | "hours" => "Duration",
        "rrule" => "Repeats",
        "interval" => "Every how many",
        "weekdays" => "Weekdays",
        "until" => "Until",
        "count" => "Number of times",
        "monitors" => "Affected monitors",
        "reminder_lead" | "lead_minutes" => "Reminder",
        "status" => "Status",
        "minutes" => "Extend by",
        "run_minutes" => "Run for",
        "body" => "Update",
        "name" => "Name",
        "slug" => "Slug",
        "group" => "Group",
        "email" => "Email",
        "password" => "Password",
        "url" => "URL",
        "type" => "Check",
        "check_interval" => "Every",
        "target" => "Host and port",
        "expect_status" => "Status codes",
        "keyword" => "Text",
        "retries" => "Failed checks",
        "degraded_after_ms" => "Slower than",
        "timeout" => "Timeout",
        "form" => "Form",
        other => other,
    }
}

/// The id of the element that shows a field, for links from the error summary.
pub fn field_anchor(field: &str) -> &str {
    match field {
        "duration" => "hours",
        "reminder_lead" => "lead_minutes",
        "rrule" | "interval" | "weekdays" => "schedule",
        "monitors" => "affected",
        other => other,
    }
}

/// A plan's schedule in words for lists: "Weekly on Sun at 03:00, Europe/Berlin".
pub fn schedule(m: &crate::service::maintenances::Maintenance) -> String {
    match chrono::NaiveDateTime::parse_from_str(&m.start_local, "%Y-%m-%dT%H:%M:%S") {
        Ok(start) => crate::domain::describe::summary(start, m.timezone.name(), &m.rrule),
        Err(_) => format!("{} {} {}", m.start_local, m.timezone, m.rrule),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn actors_read_as_people_and_tokens() {
        assert_eq!(super::author("user:ops@example.com"), "ops@example.com");
        assert_eq!(super::author("token:deploy-bot"), "API token deploy-bot");
        assert_eq!(super::author("cli"), "cli");
        assert_eq!(super::count(1, "subscriber", "subscribers"), "1 subscriber");
        assert_eq!(super::count(0, "subscriber", "subscribers"), "0 subscribers");
    }
}
