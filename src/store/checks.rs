//! What the checks found: recent results per monitor, and every status change.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::AnyConnection;
use super::types::{Flag, Seconds};
use crate::domain::impact::MonitorStatus;

/// Results kept per monitor besides those that changed its status.
pub const KEEP: i64 = 100;

#[derive(Debug, Clone, FromRow)]
pub struct CheckResultRow {
    pub id: i64,
    pub monitor_id: i64,
    #[sqlx(try_from = "Seconds")]
    pub at: DateTime<Utc>,
    #[sqlx(try_from = "String")]
    pub status: MonitorStatus,
    pub latency_ms: i64,
    pub error: Option<String>,
    /// This result moved the monitor's status.
    #[sqlx(try_from = "Flag")]
    pub changed: bool,
}

pub async fn insert(conn: &mut AnyConnection, r: &CheckResultRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        // A monitor deleted while its check ran gets no result.
        "INSERT INTO check_results (monitor_id, at, status, latency_ms, error, changed)
         SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM monitors WHERE id = $1)",
    )
    .bind(r.monitor_id)
    .bind(r.at.timestamp())
    .bind(r.status.as_str())
    .bind(r.latency_ms)
    .bind(r.error.as_deref())
    .bind(i64::from(r.changed))
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes a monitor's results older than its last [`KEEP`], except status changes.
pub async fn prune(conn: &mut AnyConnection, monitor_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM check_results WHERE monitor_id = $1 AND changed = 0 AND id <= (
             SELECT id FROM check_results WHERE monitor_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)",
    )
    .bind(monitor_id)
    .bind(KEEP)
    .execute(conn)
    .await?;
    Ok(())
}

/// A monitor's results, newest first.
pub async fn recent(conn: &mut AnyConnection, monitor_id: i64, limit: i64) -> Result<Vec<CheckResultRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, monitor_id, at, status, latency_ms, error, changed FROM check_results
         WHERE monitor_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(monitor_id)
    .bind(limit)
    .fetch_all(conn)
    .await
}
