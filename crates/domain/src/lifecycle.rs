//! The event lifecycle as a pure function of time, plus the operator actions that rewrite
//! an event's times. The scheduler, the API and the pages all ask [`status_at`].
//!
//! ```text
//! SCHEDULED --(start - lead)--> READY --(start)--> ONGOING --(end)--> COMPLETED
//!     \_____________________ cancel ___________________/          CANCELLED
//! ```

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::text_enum::text_enum;

use super::validate::{FieldError, MAX_DURATION_SECS};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum EventStatus {
    Scheduled,
    Ready,
    Ongoing,
    Completed,
    Cancelled,
}

text_enum!(EventStatus, "event status", "SCHEDULED, READY, ONGOING, COMPLETED, CANCELLED",
    Scheduled => "SCHEDULED", Ready => "READY", Ongoing => "ONGOING", Completed => "COMPLETED", Cancelled => "CANCELLED");

impl EventStatus {
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Cancelled)
    }
}

/// Whether a plan generates events: INACTIVE keeps its schedule but has no windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum MaintenanceStatus {
    Active,
    Inactive,
}

text_enum!(MaintenanceStatus, "maintenance status", "ACTIVE, INACTIVE", Active => "ACTIVE", Inactive => "INACTIVE");

/// Why an event was cancelled. Only an operator's cancellation is shown as history once
/// its window passes; a skipped occurrence or a deactivated plan's windows were never on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CancelReason {
    /// Cancelled by an operator (API, dashboard or CLI).
    Operator,
    /// The occurrence was skipped in the plan.
    Skipped,
    /// The plan was made INACTIVE (reactivation removes these so they can be generated again).
    Deactivated,
    /// A schedule edit moved the plan off this window after its reminder went out.
    Rescheduled,
}

text_enum!(CancelReason, "cancel reason", "operator, skipped, deactivated, rescheduled",
    Operator => "operator", Skipped => "skipped", Deactivated => "deactivated", Rescheduled => "rescheduled");

/// The times that decide an event's status. `start`/`end` are the effective times:
/// scheduled ones until an operator starts early, extends or completes early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Reminder lead: the event is READY from `start - lead`.
    pub lead: Duration,
    pub cancelled: bool,
}

impl Timing {
    pub fn ready_at(&self) -> DateTime<Utc> {
        self.start - self.lead
    }

    /// The status at `now`; see the module doc.
    pub fn status_at(&self, now: DateTime<Utc>) -> EventStatus {
        if self.cancelled {
            EventStatus::Cancelled
        } else if now >= self.end {
            EventStatus::Completed
        } else if now >= self.start {
            EventStatus::Ongoing
        } else if now >= self.ready_at() {
            EventStatus::Ready
        } else {
            EventStatus::Scheduled
        }
    }

    /// The first instant after `now` at which the status changes, if any.
    pub fn next_boundary(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.cancelled {
            return None;
        }
        [self.ready_at(), self.start, self.end].into_iter().find(|t| *t > now)
    }
}

/// Why an operator action cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    /// The lifecycle forbids it (HTTP 409).
    #[error("cannot {action} an event that is {status}")]
    Conflict { action: &'static str, status: &'static str },
    /// The action's input is wrong (HTTP 422).
    #[error(transparent)]
    Invalid(#[from] FieldError),
}

fn conflict(action: &'static str, status: EventStatus) -> ActionError {
    ActionError::Conflict {
        action,
        status: status.as_str(),
    }
}

/// *Start now*: the event begins at `now` and keeps its planned length (`end = now +
/// (end - start)`), unless the operator gives another `end`; only before it has started.
pub fn start_now(t: Timing, now: DateTime<Utc>, end: Option<DateTime<Utc>>) -> Result<Timing, ActionError> {
    let status = t.status_at(now);
    if !matches!(status, EventStatus::Scheduled | EventStatus::Ready) {
        return Err(conflict("start", status));
    }
    let end = match end {
        None => now + (t.end - t.start),
        Some(end) if end <= now => return Err(FieldError::new("end", "must be later than now").into()),
        Some(end) if (end - now).num_seconds() > MAX_DURATION_SECS => {
            return Err(FieldError::new("end", "would make the window longer than 31 days").into());
        }
        Some(end) => end,
    };
    Ok(Timing { start: now, end, ..t })
}

/// *Complete now*: the event ends at `now`; only while it is ongoing.
pub fn complete_now(t: Timing, now: DateTime<Utc>) -> Result<Timing, ActionError> {
    match t.status_at(now) {
        EventStatus::Ongoing => Ok(Timing { end: now, ..t }),
        s => Err(conflict("complete", s)),
    }
}

/// *Cancel*: terminal; only for an event that has not ended.
pub fn cancel(t: Timing, now: DateTime<Utc>) -> Result<Timing, ActionError> {
    match t.status_at(now) {
        s if s.is_terminal() => Err(conflict("cancel", s)),
        _ => Ok(Timing { cancelled: true, ..t }),
    }
}

/// *Extend*: move the end later, to `new_end`; only for an event that has not ended.
pub fn extend(t: Timing, now: DateTime<Utc>, new_end: DateTime<Utc>) -> Result<Timing, ActionError> {
    let status = t.status_at(now);
    if status.is_terminal() {
        return Err(conflict("extend", status));
    }
    if new_end <= t.start {
        return Err(FieldError::new("end", "must be after the event's start").into());
    }
    if new_end <= t.end {
        return Err(FieldError::new(
            "end",
            "must be later than the current end (extend only moves the end later)",
        )
        .into());
    }
    if new_end <= now {
        return Err(FieldError::new("end", "must be in the future").into());
    }
    if (new_end - t.start).num_seconds() > MAX_DURATION_SECS {
        return Err(FieldError::new("end", "would make the window longer than 31 days").into());
    }
    Ok(Timing { end: new_end, ..t })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 17, h, m, 0).unwrap()
    }

    /// 03:00–04:00 with a one-hour reminder lead.
    fn window() -> Timing {
        Timing {
            start: at(3, 0),
            end: at(4, 0),
            lead: Duration::hours(1),
            cancelled: false,
        }
    }

    #[test]
    fn status_follows_the_clock_with_inclusive_starts() {
        let w = window();
        assert_eq!(w.status_at(at(1, 59)), EventStatus::Scheduled);
        assert_eq!(w.status_at(at(2, 0)), EventStatus::Ready);
        assert_eq!(w.status_at(at(2, 59)), EventStatus::Ready);
        assert_eq!(w.status_at(at(3, 0)), EventStatus::Ongoing);
        assert_eq!(w.status_at(at(3, 59)), EventStatus::Ongoing);
        assert_eq!(w.status_at(at(4, 0)), EventStatus::Completed);
    }

    #[test]
    fn cancelled_wins_over_time() {
        let w = Timing {
            cancelled: true,
            ..window()
        };
        assert_eq!(w.status_at(at(3, 30)), EventStatus::Cancelled);
        assert_eq!(w.next_boundary(at(0, 0)), None);
    }

    #[test]
    fn next_boundary_walks_ready_start_end() {
        let w = window();
        assert_eq!(w.next_boundary(at(0, 0)), Some(at(2, 0)));
        assert_eq!(w.next_boundary(at(2, 0)), Some(at(3, 0)));
        assert_eq!(w.next_boundary(at(3, 10)), Some(at(4, 0)));
        assert_eq!(w.next_boundary(at(4, 0)), None);
    }

    #[test]
    fn starting_early_keeps_the_planned_length() {
        // The 03:00–04:00 window started at 01:10 runs an hour: until 02:10, not 04:00.
        let started = start_now(window(), at(1, 10), None).unwrap();
        assert_eq!(started.status_at(at(1, 10)), EventStatus::Ongoing);
        assert_eq!((started.start, started.end), (at(1, 10), at(2, 10)));
        assert_eq!(started.status_at(at(2, 10)), EventStatus::Completed);
        assert!(matches!(
            start_now(window(), at(3, 30), None),
            Err(ActionError::Conflict { .. })
        ));
    }

    #[test]
    fn starting_early_with_an_end_takes_that_end() {
        let started = start_now(window(), at(1, 0), Some(at(5, 0))).unwrap();
        assert_eq!((started.start, started.end), (at(1, 0), at(5, 0)));
        let err = start_now(window(), at(1, 0), Some(at(0, 30))).unwrap_err();
        assert!(matches!(err, ActionError::Invalid(ref f) if f.field == "end"));
    }

    #[test]
    fn completing_early_only_while_ongoing() {
        let done = complete_now(window(), at(3, 20)).unwrap();
        assert_eq!(done.status_at(at(3, 20)), EventStatus::Completed);
        assert!(matches!(
            complete_now(window(), at(2, 30)),
            Err(ActionError::Conflict { .. })
        ));
        let cancelled = cancel(window(), at(2, 0)).unwrap();
        assert!(matches!(
            complete_now(cancelled, at(3, 20)),
            Err(ActionError::Conflict { .. })
        ));
    }

    #[test]
    fn a_completed_event_cannot_be_cancelled_or_extended() {
        assert!(matches!(cancel(window(), at(5, 0)), Err(ActionError::Conflict { .. })));
        assert!(matches!(
            extend(window(), at(5, 0), at(6, 0)),
            Err(ActionError::Conflict { .. })
        ));
    }

    #[test]
    fn extending_moves_the_end_later_only() {
        let longer = extend(window(), at(3, 30), at(5, 0)).unwrap();
        assert_eq!(longer.status_at(at(4, 30)), EventStatus::Ongoing);
        let err = extend(window(), at(1, 0), at(2, 0)).unwrap_err();
        assert!(matches!(err, ActionError::Invalid(ref f) if f.field == "end" && f.message.contains("start")));
        assert!(matches!(
            extend(window(), at(1, 0), at(3, 30)),
            Err(ActionError::Invalid(_))
        ));
    }

    #[test]
    fn statuses_are_named_in_capitals_and_parsed_in_any_case() {
        let names: Vec<&str> = EventStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["SCHEDULED", "READY", "ONGOING", "COMPLETED", "CANCELLED"]);
        assert_eq!(EventStatus::parse("status", " ongoing ").unwrap(), EventStatus::Ongoing);
        assert_eq!(
            EventStatus::parse("status", "Cancelled").unwrap(),
            EventStatus::Cancelled
        );
        let err = EventStatus::parse("status", "DONE").unwrap_err();
        assert_eq!(err.field, "status");
        assert!(err.message.contains("SCHEDULED, READY"), "{}", err.message);
    }

    #[test]
    fn starting_now_allows_a_window_of_31_days_and_not_a_second_more() {
        let now = at(1, 0);
        let longest = now + Duration::days(31);
        assert_eq!(start_now(window(), now, Some(longest)).unwrap().end, longest);
        let err = start_now(window(), now, Some(longest + Duration::seconds(1))).unwrap_err();
        assert!(matches!(err, ActionError::Invalid(ref f) if f.field == "end" && f.message.contains("31 days")));
    }

    #[test]
    fn extending_allows_a_window_of_31_days_from_its_start_and_not_a_second_more() {
        // The window starts at 03:00: its end may move to 03:00 31 days later.
        let longest = at(3, 0) + Duration::days(31);
        assert_eq!(extend(window(), at(3, 30), longest).unwrap().end, longest);
        let err = extend(window(), at(3, 30), longest + Duration::seconds(1)).unwrap_err();
        assert!(matches!(err, ActionError::Invalid(ref f) if f.field == "end" && f.message.contains("31 days")));
    }
}
