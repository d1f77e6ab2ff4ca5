//! Schedules in words (placeholder until the full phrasing lands).

/// The dashboard's compact form of a schedule.
pub fn summary(start: chrono::NaiveDateTime, tz: &str, rrule: &str) -> String {
    format!("{} {tz} {rrule}", start.format("%Y-%m-%d %H:%M"))
}
