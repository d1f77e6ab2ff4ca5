//! Kinds of notice: what subscribers and webhooks are told, and when. The scheduler,
//! the services, the outbox and the mail texts all name a kind through [`NoticeKind`], so
//! a new kind that one of them forgets is a compile error, not a notice silently dropped.

use serde::{Deserialize, Serialize};

use crate::text_enum::text_enum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
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
    /// An incident was opened (or a draft published).
    IncidentOpened,
    /// An operator posted an update on an open incident.
    IncidentUpdate,
    /// An incident was resolved.
    IncidentResolved,
    /// A checked monitor went DOWN outside maintenance (to admins and webhooks that ask).
    MonitorDown,
    /// A checked monitor that was DOWN is up again.
    MonitorUp,
}

text_enum!(NoticeKind, "notice kind",
    "scheduled, reminder, started, update, extended, completed, cancelled, unobserved, \
     incident_opened, incident_update, incident_resolved, monitor_down, monitor_up",
    Scheduled => "scheduled", Reminder => "reminder", Started => "started", Update => "update",
    Extended => "extended", Completed => "completed", Cancelled => "cancelled",
    Unobserved => "unobserved", Confirm => "confirm", IncidentOpened => "incident_opened",
    IncidentUpdate => "incident_update", IncidentResolved => "incident_resolved",
    MonitorDown => "monitor_down", MonitorUp => "monitor_up");

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

    /// The kinds about incidents: told to subscribers and webhooks like maintenance.
    pub const ABOUT_INCIDENTS: [NoticeKind; 3] = [Self::IncidentOpened, Self::IncidentUpdate, Self::IncidentResolved];

    /// Alerts for admins: told to admins by email and to webhooks that name them (a
    /// webhook that takes every kind is a public channel and does not get them).
    pub const FOR_ADMINS: [NoticeKind; 2] = [Self::MonitorDown, Self::MonitorUp];

    /// Every kind a webhook may choose.
    pub fn for_webhooks() -> impl Iterator<Item = NoticeKind> {
        Self::ABOUT_MAINTENANCE
            .into_iter()
            .chain(Self::ABOUT_INCIDENTS)
            .chain(Self::FOR_ADMINS)
    }
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
        // JSON spells them as the database does.
        for kind in NoticeKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
    }

    #[test]
    fn a_webhook_may_choose_every_kind_but_the_address_confirmation() {
        let mut kinds: Vec<_> = NoticeKind::for_webhooks().collect();
        kinds.push(NoticeKind::Confirm);
        kinds.sort_by_key(|k| k.as_str());
        let mut all = NoticeKind::ALL.to_vec();
        all.sort_by_key(|k| k.as_str());
        assert_eq!(kinds, all);
    }
}
