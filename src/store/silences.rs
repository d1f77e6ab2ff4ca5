//! Alertmanager silences Lull made (or is to make) for ongoing maintenance: what was asked
//! of Alertmanager, so that restarts and replicas go on from there (migration 0019).

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::AnyConnection;
use super::types::{Flag, MaybeSeconds, Seconds};

/// A silence to make, keep or end, with what it is for.
#[derive(Debug, Clone, FromRow)]
pub struct SilenceRow {
    pub event_id: i64,
    pub monitor_id: i64,
    /// The id Alertmanager gave it; `None` before it was made.
    pub silence_id: Option<String>,
    /// The end Alertmanager was told.
    #[sqlx(try_from = "MaybeSeconds")]
    pub ends_at: Option<DateTime<Utc>>,
    /// From the event: its window now, and whether it was cancelled.
    #[sqlx(try_from = "Seconds")]
    pub start_at: DateTime<Utc>,
    #[sqlx(try_from = "Seconds")]
    pub end_at: DateTime<Utc>,
    #[sqlx(try_from = "Flag")]
    pub cancelled: bool,
    /// The plan still lists the monitor as taken down, degraded or under maintenance.
    #[sqlx(try_from = "Flag")]
    pub affected: bool,
    pub title: String,
    /// From the monitor.
    pub slug: String,
    pub name: String,
    pub alertmanager_matcher: Option<String>,
}

impl SilenceRow {
    /// Whether the event is going on at `now` and still affects the monitor (so the
    /// silence should be in force).
    pub fn ongoing(&self, now: DateTime<Utc>) -> bool {
        self.affected && !self.cancelled && self.start_at <= now && now < self.end_at
    }
}

/// Adds a row for every ongoing event and monitor it takes down, degrades or puts under
/// maintenance (a monitor listed as not affected, impact UP, keeps its alerts) that has
/// none yet.
pub async fn add_wanted(conn: &mut AnyConnection, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO silences (event_id, monitor_id, updated_at)
         SELECT e.id, mm.monitor_id, $1 FROM events e
         JOIN maintenance_monitors mm ON mm.maintenance_id = e.maintenance_id
         WHERE e.end_at > $1 AND e.start_at <= $1 AND e.cancelled_at IS NULL AND mm.impact <> 'UP'
         ON CONFLICT DO NOTHING",
    )
    .bind(now.timestamp())
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The rows not done yet, with their event and monitor.
pub async fn open(conn: &mut AnyConnection) -> Result<Vec<SilenceRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.event_id, s.monitor_id, s.silence_id, s.ends_at, e.start_at, e.end_at,
                CASE WHEN e.cancelled_at IS NULL THEN 0 ELSE 1 END AS cancelled,
                CASE WHEN EXISTS (SELECT 1 FROM maintenance_monitors mm WHERE mm.maintenance_id = e.maintenance_id
                    AND mm.monitor_id = s.monitor_id AND mm.impact <> 'UP') THEN 1 ELSE 0 END AS affected,
                m.title,
                mo.slug, mo.name, mo.alertmanager_matcher
         FROM silences s JOIN events e ON e.id = s.event_id
         JOIN maintenances m ON m.id = e.maintenance_id
         JOIN monitors mo ON mo.id = s.monitor_id
         WHERE s.done = 0 ORDER BY s.event_id, s.monitor_id",
    )
    .fetch_all(conn)
    .await
}

/// Records what Alertmanager now has for a row: its silence and end (`done` once ended).
pub async fn record(
    conn: &mut AnyConnection,
    event_id: i64,
    monitor_id: i64,
    silence_id: Option<&str>,
    ends_at: Option<DateTime<Utc>>,
    done: bool,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE silences SET silence_id = $3, ends_at = $4, done = $5, last_error = NULL, updated_at = $6
         WHERE event_id = $1 AND monitor_id = $2",
    )
    .bind(event_id)
    .bind(monitor_id)
    .bind(silence_id)
    .bind(ends_at.map(|t| t.timestamp()))
    .bind(i64::from(done))
    .bind(now.timestamp())
    .execute(conn)
    .await?;
    Ok(())
}

/// Records why a call for a row failed (it is tried again).
pub async fn failed(
    conn: &mut AnyConnection,
    event_id: i64,
    monitor_id: i64,
    error: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE silences SET last_error = $3, updated_at = $4 WHERE event_id = $1 AND monitor_id = $2")
        .bind(event_id)
        .bind(monitor_id)
        .bind(error)
        .bind(now.timestamp())
        .execute(conn)
        .await?;
    Ok(())
}

/// Silences that could not be made, changed or ended, for the dashboard: how many, and
/// the latest error with when it happened.
pub async fn problems(conn: &mut AnyConnection) -> Result<(i64, Option<(String, DateTime<Utc>)>), sqlx::Error> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM silences WHERE done = 0 AND last_error IS NOT NULL")
        .fetch_one(&mut *conn)
        .await?;
    let latest: Option<(String, i64)> = sqlx::query_as(
        "SELECT last_error, updated_at FROM silences WHERE done = 0 AND last_error IS NOT NULL
         ORDER BY updated_at DESC LIMIT 1",
    )
    .fetch_optional(conn)
    .await?;
    Ok((
        count,
        latest.and_then(|(e, at)| DateTime::from_timestamp(at, 0).map(|at| (e, at))),
    ))
}
