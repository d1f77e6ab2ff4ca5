//! The outbox: notices waiting to be delivered, claimed by workers so that no two send
//! the same row (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer).

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::AnyConnection;
use super::types::MaybeText;
use crate::domain::format::Lang;
use crate::domain::notice::NoticeKind;
use crate::domain::text_enum::text_enum;

/// The maintenance setting that turns notices of `kind` on for subscribers; `None` for a
/// kind that is not about maintenance. `unobserved` goes only to those who had the
/// window's reminder (see [`enqueue_unobserved`]).
fn setting(kind: NoticeKind) -> Option<&'static str> {
    match kind {
        NoticeKind::Scheduled => Some("notify_scheduled"),
        NoticeKind::Reminder | NoticeKind::Unobserved => Some("notify_reminder"),
        NoticeKind::Started | NoticeKind::Update | NoticeKind::Extended => Some("notify_start"),
        NoticeKind::Completed => Some("notify_completion"),
        NoticeKind::Cancelled => Some("notify_cancellation"),
        NoticeKind::Confirm
        | NoticeKind::IncidentOpened
        | NoticeKind::IncidentUpdate
        | NoticeKind::IncidentResolved
        | NoticeKind::MonitorDown
        | NoticeKind::MonitorUp => None,
    }
}

/// Where a notice is: waiting (or being retried), delivered, given up on, or dropped
/// because it no longer made sense when its turn came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboxStatus {
    Pending,
    Sent,
    Failed,
    Skipped,
}

text_enum!(OutboxStatus, "outbox status", "PENDING, SENT, FAILED, SKIPPED",
    Pending => "PENDING", Sent => "SENT", Failed => "FAILED", Skipped => "SKIPPED");

#[derive(Debug, Clone, FromRow)]
pub struct OutboxRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: NoticeKind,
    pub subscriber_id: Option<i64>,
    pub email: Option<String>,
    /// The subscriber's language; none for webhooks.
    #[sqlx(try_from = "MaybeText")]
    pub language: Option<Lang>,
    pub webhook_id: Option<i64>,
    /// An admin, for alerts (`email` is then the admin's).
    pub admin_id: Option<i64>,
    pub event_id: Option<i64>,
    pub maintenance_id: Option<i64>,
    pub incident_id: Option<i64>,
    pub monitor_id: Option<i64>,
    pub detail: String,
    pub attempts: i64,
}

/// `detail` of a `cancelled` notice about the whole plan (see [`enqueue_plan_cancelled`]).
pub const PLAN: &str = "plan";
/// `detail` prefix of a `cancelled` notice about an occurrence skipped before it had an
/// event: `occurrence:<unix start>`.
pub const OCCURRENCE: &str = "occurrence:";
/// No retry is put further ahead than this (seconds; `notify::backoff` stays below it).
pub const MAX_RETRY_DELAY: i64 = 2 * 3600;

/// Writes one notice of `kind` about an event (or a maintenance, for `scheduled`) for
/// every confirmed subscriber who wants it: no monitor filter, or one that shares a
/// monitor with the maintenance. One statement, streamed inside the database, so
/// fan-out does not grow with the number of subscribers in memory. A repeat writes none.
///
/// A reminder is not written for a subscriber whose "scheduled" notice of the plan was
/// itself written within the reminder's lead time before this window: that notice
/// already said when it starts, and two mails in the same minute say nothing new.
/// Webhooks get every reminder (they track transitions, not inboxes).
pub async fn enqueue(
    conn: &mut AnyConnection,
    kind: NoticeKind,
    maintenance_id: i64,
    event_id: Option<i64>,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let Some(flag) = setting(kind) else {
        debug_assert!(false, "{kind} notices are not about maintenance");
        return Ok(());
    };
    let now = now.timestamp();
    let subject = match event_id {
        Some(e) => format!("{kind}:e{e}:{detail}"),
        None if detail.is_empty() => format!("{kind}:m{maintenance_id}"),
        None => format!("{kind}:m{maintenance_id}:{detail}"),
    };
    let folded = if kind == NoticeKind::Reminder {
        "AND NOT EXISTS (SELECT 1 FROM outbox o JOIN events e ON e.id = $3
                         WHERE o.kind = 'scheduled' AND o.maintenance_id = $4 AND o.subscriber_id = s.id
                           AND o.created_at >= e.start_at - e.lead)"
    } else {
        ""
    };
    let sql = format!(
        "INSERT INTO outbox (dedupe, kind, subscriber_id, event_id, maintenance_id, detail, next_attempt_at, created_at)
         SELECT $1 || ':s' || CAST(s.id AS TEXT), $2, s.id, $3, $4, $5, $6, $6
         FROM subscribers s
         WHERE s.confirmed_at IS NOT NULL
           AND EXISTS (SELECT 1 FROM maintenances m WHERE m.id = $4 AND m.{flag} = 1)
           AND (NOT EXISTS (SELECT 1 FROM subscriber_monitors sm WHERE sm.subscriber_id = s.id)
                OR EXISTS (SELECT 1 FROM subscriber_monitors sm
                           JOIN maintenance_monitors mm ON mm.monitor_id = sm.monitor_id
                           WHERE sm.subscriber_id = s.id AND mm.maintenance_id = $4))
           {folded}
         ON CONFLICT (dedupe) DO NOTHING"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&subject)
        .bind(kind.as_str())
        .bind(event_id)
        .bind(maintenance_id)
        .bind(detail)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    // Webhooks: every endpoint whose kinds and monitors match (none listed: all). They
    // hear of every notice, whatever the maintenance's email settings.
    sqlx::query(
        "INSERT INTO outbox (dedupe, kind, webhook_id, event_id, maintenance_id, detail, next_attempt_at, created_at)
         SELECT $1 || ':w' || CAST(w.id AS TEXT), $2, w.id, $3, $4, $5, $6, $6
         FROM webhooks w
         WHERE (w.kinds = '' OR ',' || w.kinds || ',' LIKE '%,' || $2 || ',%')
           AND (NOT EXISTS (SELECT 1 FROM webhook_monitors wm WHERE wm.webhook_id = w.id)
                OR EXISTS (SELECT 1 FROM webhook_monitors wm
                           JOIN maintenance_monitors mm ON mm.monitor_id = wm.monitor_id
                           WHERE wm.webhook_id = w.id AND mm.maintenance_id = $4))
         ON CONFLICT (dedupe) DO NOTHING",
    )
    .bind(&subject)
    .bind(kind.as_str())
    .bind(event_id)
    .bind(maintenance_id)
    .bind(detail)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Tells those who were sent the reminder of event `event_id` — which then passed wholly
/// while no scheduler ran — that it is over and was not observed: one honest notice
/// instead of silence after "begins in moments". Webhooks hear it if they take the kind.
pub async fn enqueue_unobserved(
    conn: &mut AnyConnection,
    maintenance_id: i64,
    event_id: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox (dedupe, kind, subscriber_id, webhook_id, event_id, maintenance_id, detail, next_attempt_at, created_at)
         SELECT $1 || CASE WHEN o.subscriber_id IS NOT NULL THEN ':s' || CAST(o.subscriber_id AS TEXT)
                           ELSE ':w' || CAST(o.webhook_id AS TEXT) END,
                'unobserved', o.subscriber_id, o.webhook_id, $2, $3, '', $4, $4
         FROM outbox o
         WHERE o.event_id = $2 AND o.kind = 'reminder' AND o.status = 'SENT'
           AND (o.webhook_id IS NULL OR EXISTS (SELECT 1 FROM webhooks w WHERE w.id = o.webhook_id
                AND (w.kinds = '' OR ',' || w.kinds || ',' LIKE '%,unobserved,%')))
         ON CONFLICT (dedupe) DO NOTHING",
    )
    .bind(format!("unobserved:e{event_id}:"))
    .bind(event_id)
    .bind(maintenance_id)
    .bind(now.timestamp())
    .execute(conn)
    .await?;
    Ok(())
}

/// Tells everyone who heard of maintenance `maintenance_id` — subscribers and webhooks
/// sent (or about to be sent) any of its notices since they last heard it was called off —
/// that the whole plan is off: a `cancelled` notice with detail [`PLAN`]. The key names
/// the last notice each recipient was told, so writing this twice for the same state
/// writes nothing, while a plan switched on, announced and off again is announced again.
/// Subscribers hear it when the plan's cancellation setting is on; webhooks that take
/// `cancelled` notices always do.
pub async fn enqueue_plan_cancelled(
    conn: &mut AnyConnection,
    maintenance_id: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let now = now.timestamp();
    for (recipient, tag, extra) in [
        (
            "subscriber_id",
            "s",
            "AND EXISTS (SELECT 1 FROM maintenances m WHERE m.id = $1 AND m.notify_cancellation = 1)",
        ),
        (
            "webhook_id",
            "w",
            "AND EXISTS (SELECT 1 FROM webhooks w WHERE w.id = t.recipient
                         AND (w.kinds = '' OR ',' || w.kinds || ',' LIKE '%,cancelled,%'))",
        ),
    ] {
        let sql = format!(
            "INSERT INTO outbox (dedupe, kind, {recipient}, maintenance_id, detail, next_attempt_at, created_at)
             SELECT $3 || ':{tag}' || CAST(t.recipient AS TEXT) || ':after' || CAST(t.last AS TEXT),
                    'cancelled', t.recipient, $1, $4, $2, $2
             FROM (SELECT o.{recipient} AS recipient, MAX(o.id) AS last FROM outbox o
                   WHERE o.maintenance_id = $1 AND o.{recipient} IS NOT NULL
                     AND o.status IN ('SENT', 'PENDING')
                     AND NOT (o.kind = 'cancelled' AND o.detail = $4)
                   GROUP BY o.{recipient}) t
             WHERE t.last > COALESCE((SELECT MAX(p.id) FROM outbox p
                                      WHERE p.maintenance_id = $1 AND p.{recipient} = t.recipient
                                        AND p.kind = 'cancelled' AND p.detail = $4), 0)
               {extra}
             ON CONFLICT (dedupe) DO NOTHING"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(maintenance_id)
            .bind(now)
            .bind(format!("cancelled:m{maintenance_id}:{PLAN}"))
            .bind(PLAN)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// What a recipient has had of a maintenance before notice `before`: how many notices
/// reached it, and how many are still on their way. A plan's cancellation waits for the
/// second to settle and is dropped when the first is zero (nobody told them of it).
pub async fn told(conn: &mut AnyConnection, row: &OutboxRow) -> Result<(i64, i64), sqlx::Error> {
    let (column, recipient) = match (row.subscriber_id, row.webhook_id) {
        (Some(s), _) => ("subscriber_id", s),
        (None, Some(w)) => ("webhook_id", w),
        (None, None) => return Ok((0, 0)),
    };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COALESCE(SUM(CASE WHEN status = 'SENT' THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN status = 'PENDING' THEN 1 ELSE 0 END), 0)
         FROM outbox WHERE maintenance_id = $1 AND {column} = $2 AND id < $3
           AND NOT (kind = 'cancelled' AND detail = $4)"
    )))
    .bind(row.maintenance_id.unwrap_or(0))
    .bind(recipient)
    .bind(row.id)
    .bind(PLAN)
    .fetch_one(conn)
    .await
}

/// Writes one notice of `kind` (`incident_*`) about incident `incident_id` for every
/// confirmed subscriber who wants it (no monitor filter, or one that shares a monitor with
/// the incident) and every webhook whose kinds and monitors match; `detail` is the update
/// told. A repeat writes none.
pub async fn enqueue_incident(
    conn: &mut AnyConnection,
    kind: NoticeKind,
    incident_id: i64,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    debug_assert!(NoticeKind::ABOUT_INCIDENTS.contains(&kind));
    let subject = format!("{kind}:i{incident_id}:{detail}");
    for (recipient, tag, matches, table, on) in [
        (
            "subscriber_id",
            "s",
            "FROM subscribers r WHERE r.confirmed_at IS NOT NULL",
            "subscriber_monitors f",
            "f.subscriber_id = r.id",
        ),
        (
            "webhook_id",
            "w",
            "FROM webhooks r WHERE (r.kinds = '' OR ',' || r.kinds || ',' LIKE '%,' || $2 || ',%')",
            "webhook_monitors f",
            "f.webhook_id = r.id",
        ),
    ] {
        let sql = format!(
            "INSERT INTO outbox (dedupe, kind, {recipient}, incident_id, detail, next_attempt_at, created_at)
             SELECT $1 || ':{tag}' || CAST(r.id AS TEXT), $2, r.id, $3, $4, $5, $5
             {matches}
               AND (NOT EXISTS (SELECT 1 FROM {table} WHERE {on})
                    OR EXISTS (SELECT 1 FROM {table} JOIN incident_monitors im ON im.monitor_id = f.monitor_id
                               WHERE {on} AND im.incident_id = $3))
             ON CONFLICT (dedupe) DO NOTHING"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&subject)
            .bind(kind.as_str())
            .bind(incident_id)
            .bind(detail)
            .bind(now.timestamp())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Writes an alert of `kind` (`monitor_down`, `monitor_up`) about monitor `monitor_id`,
/// whose status changed at `at`, for every admin (by email) and every webhook that names
/// the kind (a webhook taking every kind is a public channel: it does not get alerts) and
/// the monitor (or no monitor). Once per change: the change's time is in the key.
pub async fn enqueue_alert(
    conn: &mut AnyConnection,
    kind: NoticeKind,
    monitor_id: i64,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    debug_assert!(NoticeKind::FOR_ADMINS.contains(&kind));
    let subject = format!("{kind}:m{monitor_id}:{}", at.timestamp());
    let mut written = 0;
    for (recipient, tag, from) in [
        ("admin_id", "a", "FROM admins r WHERE $2 <> ''"),
        (
            "webhook_id",
            "w",
            "FROM webhooks r WHERE ',' || r.kinds || ',' LIKE '%,' || $2 || ',%'
               AND (NOT EXISTS (SELECT 1 FROM webhook_monitors f WHERE f.webhook_id = r.id)
                    OR EXISTS (SELECT 1 FROM webhook_monitors f WHERE f.webhook_id = r.id AND f.monitor_id = $3))",
        ),
    ] {
        let sql = format!(
            "INSERT INTO outbox (dedupe, kind, {recipient}, monitor_id, detail, next_attempt_at, created_at)
             SELECT $1 || ':{tag}' || CAST(r.id AS TEXT), $2, r.id, $3, $4, $5, $5
             {from}
             ON CONFLICT (dedupe) DO NOTHING"
        );
        written += sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&subject)
            .bind(kind.as_str())
            .bind(monitor_id)
            .bind(at.timestamp().to_string())
            .bind(now.timestamp())
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    Ok(written)
}

/// The confirmation request for one (unconfirmed) subscriber.
pub async fn enqueue_confirmation(
    conn: &mut AnyConnection,
    subscriber_id: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let now = now.timestamp();
    sqlx::query(
        "INSERT INTO outbox (dedupe, kind, subscriber_id, next_attempt_at, created_at)
         VALUES ($1, 'confirm', $2, $3, $3) ON CONFLICT (dedupe) DO NOTHING",
    )
    // One per sign-up attempt and minute, so a retry of the form does not mail twice.
    .bind(format!("confirm:s{subscriber_id}:{}", now / 60))
    .bind(subscriber_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Claims up to `limit` due rows for `lease` seconds and returns them; with
/// `webhooks_only`, email rows stay where they are (no mail server configured).
///
/// Times are the wall clock's, which can step back. So that a step back does not hold
/// notices for its size: a row never attempted is due whatever its time says (it was
/// queued to go at once), a retry time further ahead than any backoff is due, and a
/// claim further ahead than a lease has lapsed.
#[tracing::instrument(level = "debug", skip_all, fields(limit = limit), err(level = "debug"))]
pub async fn claim(
    conn: &mut AnyConnection,
    now: i64,
    lease: i64,
    limit: i64,
    webhooks_only: bool,
) -> Result<Vec<OutboxRow>, sqlx::Error> {
    let skip_locked = if conn.backend_name() == "PostgreSQL" {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let only = if webhooks_only {
        " AND webhook_id IS NOT NULL"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE outbox SET claimed_until = $2, attempts = attempts + 1
         WHERE id IN (SELECT id FROM outbox
                      WHERE status = 'PENDING'
                        AND (next_attempt_at <= $1 OR attempts = 0 OR next_attempt_at > $1 + $4)
                        AND (claimed_until IS NULL OR claimed_until <= $1 OR claimed_until > $2){only}
                      ORDER BY id LIMIT $3{skip_locked})
         RETURNING id, kind, subscriber_id,
            COALESCE((SELECT email FROM subscribers WHERE subscribers.id = outbox.subscriber_id),
                     (SELECT email FROM admins WHERE admins.id = outbox.admin_id)) AS email,
            (SELECT language FROM subscribers WHERE subscribers.id = outbox.subscriber_id) AS language,
            webhook_id, admin_id, event_id, maintenance_id, incident_id, monitor_id, detail, attempts"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(now)
        .bind(now + lease)
        .bind(limit)
        .bind(MAX_RETRY_DELAY)
        .fetch_all(conn)
        .await
}

/// Records the delivery, if this worker's claim (`claimed_until`) still holds.
pub async fn mark_sent(conn: &mut AnyConnection, id: i64, claimed_until: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE outbox SET status = 'SENT', sent_at = $2, claimed_until = NULL, last_error = NULL
         WHERE id = $1 AND claimed_until = $3",
    )
    .bind(id)
    .bind(now)
    .bind(claimed_until)
    .execute(conn)
    .await?;
    Ok(())
}

/// A notice that no longer makes sense (a reminder for an event that already started, a
/// "started" for one that was cancelled): kept as SKIPPED with why, not sent.
pub async fn mark_skipped(conn: &mut AnyConnection, id: i64, claimed_until: i64, why: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE outbox SET status = 'SKIPPED', claimed_until = NULL, last_error = $3 WHERE id = $1 AND claimed_until = $2",
    )
    .bind(id)
    .bind(claimed_until)
    .bind(why)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a failed attempt (if this worker's claim still holds): retried at `retry_at`,
/// or FAILED for good when `None`.
pub async fn mark_failed(
    conn: &mut AnyConnection,
    id: i64,
    claimed_until: i64,
    error: &str,
    retry_at: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE outbox SET status = $2, next_attempt_at = COALESCE($3, next_attempt_at), claimed_until = NULL,
            last_error = $4 WHERE id = $1 AND claimed_until = $5",
    )
    .bind(id)
    .bind(if retry_at.is_some() { "PENDING" } else { "FAILED" })
    .bind(retry_at)
    .bind(error)
    .bind(claimed_until)
    .execute(conn)
    .await?;
    Ok(())
}

/// When the next row this worker may claim becomes due, if any is pending.
pub async fn next_due(conn: &mut AnyConnection, webhooks_only: bool) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let only = if webhooks_only {
        " AND webhook_id IS NOT NULL"
    } else {
        ""
    };
    let at: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT MIN(COALESCE(claimed_until, next_attempt_at)) FROM outbox WHERE status = 'PENDING'{only}"
    )))
    .fetch_one(conn)
    .await?;
    at.map(|t| DateTime::try_from(super::types::Seconds(t)).map_err(|e| sqlx::Error::Decode(e.into())))
        .transpose()
}

/// Counts by status, for the dashboard.
pub async fn counts(conn: &mut AnyConnection) -> Result<Vec<(OutboxStatus, i64)>, sqlx::Error> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status")
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(|(status, n)| {
            Ok((
                OutboxStatus::try_from(status).map_err(|e| sqlx::Error::Decode(e.into()))?,
                n,
            ))
        })
        .collect()
}

/// Notices waiting (PENDING) and given up on (FAILED), by kind, for `/metrics`; through
/// the `(status, …)` index, so history does not slow it.
pub async fn backlog_by_kind(conn: &mut AnyConnection) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT kind, status, COUNT(*) FROM outbox WHERE status IN ('PENDING', 'FAILED')
         GROUP BY kind, status ORDER BY kind, status",
    )
    .fetch_all(conn)
    .await
}

/// Notices queued since `since` that were dropped (SKIPPED) because events overtook them
/// before they could go out: a backlog or an unreachable mail server is the usual cause.
pub async fn skipped_since(conn: &mut AnyConnection, since: DateTime<Utc>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status = 'SKIPPED' AND created_at >= $1")
        .bind(since.timestamp())
        .fetch_one(conn)
        .await
}

#[derive(Debug, Clone, FromRow)]
pub struct FailedRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: NoticeKind,
    /// The address or webhook URL.
    pub email: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// The latest notices given up on, with why.
pub async fn failed(conn: &mut AnyConnection, limit: i64) -> Result<Vec<FailedRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.id, o.kind, COALESCE(s.email, 'webhook #' || CAST(w.id AS TEXT), '?') AS email, o.attempts, o.last_error FROM outbox o
         LEFT JOIN subscribers s ON s.id = o.subscriber_id LEFT JOIN webhooks w ON w.id = o.webhook_id
         WHERE o.status = 'FAILED' ORDER BY o.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await
}
