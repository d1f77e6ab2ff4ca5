//! What the dashboard tells about notices and their audience: the outbox by state, the
//! notices that failed or were dropped, and how many subscribers there are.

use chrono::Duration;

use super::Services;
use crate::domain::notice::NoticeKind;
use crate::error::AppResult;
use crate::store::outbox::{self, FailedRow, OutboxStatus};
use crate::store::subscribers;

/// The state of delivery, for the overview.
pub struct NoticeHealth {
    pub confirmed_subscribers: i64,
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
    /// Notices of the last 7 days dropped because events overtook them.
    pub dropped_this_week: i64,
    /// The latest failures, newest first.
    pub recent_failures: Vec<FailedRow>,
}

/// How many failures the overview lists.
const RECENT_FAILURES: i64 = 20;

pub async fn notice_health(s: &Services) -> AppResult<NoticeHealth> {
    let week_ago = s.now() - Duration::days(7);
    let mut conn = s.store.conn().await?;
    let (confirmed_subscribers, _) = subscribers::counts(&mut conn).await?;
    let counts = outbox::counts(&mut conn).await?;
    let count = |k: OutboxStatus| counts.iter().find(|(s, _)| *s == k).map_or(0, |(_, n)| *n);
    Ok(NoticeHealth {
        confirmed_subscribers,
        pending: count(OutboxStatus::Pending),
        sent: count(OutboxStatus::Sent),
        failed: count(OutboxStatus::Failed),
        dropped_this_week: outbox::skipped_since(&mut conn, week_ago).await?,
        recent_failures: outbox::failed(&mut conn, RECENT_FAILURES).await?,
    })
}

/// Subscribers as (confirmed, waiting for confirmation).
pub async fn subscriber_counts(s: &Services) -> AppResult<(i64, i64)> {
    let mut conn = s.store.conn().await?;
    Ok(subscribers::counts(&mut conn).await?)
}

/// The kinds of notice a webhook can choose from.
pub fn notice_kinds() -> Vec<&'static str> {
    NoticeKind::for_webhooks().map(NoticeKind::as_str).collect()
}

/// Alertmanager silences that could not be made, moved or ended (Lull keeps trying): how
/// many, and the latest error with when it happened.
pub async fn silence_problems(s: &Services) -> AppResult<(i64, Option<(String, chrono::DateTime<chrono::Utc>)>)> {
    let mut conn = s.store.conn().await?;
    Ok(crate::store::silences::problems(&mut conn).await?)
}
