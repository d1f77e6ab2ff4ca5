//! Kinds of notice: what subscribers and webhooks are told, and when. The scheduler,
//! the services, the outbox and the mail texts all name a kind through [`NoticeKind`], so
//! a new kind that one of them forgets is a compile error, not a notice silently dropped.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum NoticeKind {
    /// A plan was created or re-timed (about the plan, not one window).
    Scheduled,
    /// A window begins within its reminder lead.
    Reminder,
    Started,
    /// An operator posted a progress update.
    Update,
    Extended,
    Completed,
    Cancelled,
    /// A window passed wholly while no scheduler ran: told to those who had its reminder.
    Unobserved,
    /// A subscriber's request to confirm the address (not about any maintenance).
    Confirm,
}

text_enum!(NoticeKind, "notice kind",
    "scheduled, reminder, started, update, extended, completed, cancelled, unobserved",
    Scheduled => "scheduled", Reminder => "reminder", Started => "started", Update => "update",
    Extended => "extended", Completed => "completed", Cancelled => "cancelled",
    Unobserved => "unobserved", Confirm => "confirm");

impl NoticeKind {
    /// The kinds about maintenance, which webhooks may choose from.
    pub const ABOUT_MAINTENANCE: [NoticeKind; 8] = [
        Self::Scheduled,
        Self::Reminder,
        Self::Started,
        Self::Update,
        Self::Extended,
        Self::Completed,
        Self::Cancelled,
        Self::Unobserved,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_reads_back_as_written_and_an_unknown_one_is_an_error() {
        for kind in NoticeKind::ALL {
            assert_eq!(NoticeKind::try_from(kind.as_str().to_string()), Ok(*kind));
        }
        let err = NoticeKind::try_from("remind".to_string()).unwrap_err();
        assert!(err.to_string().contains("remind"), "{err}");
        // Stored values are exact; input is forgiving.
        assert!(NoticeKind::try_from("Started".to_string()).is_err());
        assert_eq!(NoticeKind::parse("kinds[0]", " Started ").unwrap(), NoticeKind::Started);
    }
}
