//! What the checks found: recent results per monitor, and every status change.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::AnyConnection;
use super::types::{Flag, Seconds};
use crate::domain::impact::MonitorStatus;
use crate::domain::rollup::{Period, Tally};

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

/// Adds `t` to a monitor's bucket (creating it), in the caller's transaction.
pub async fn add_rollup(
    conn: &mut AnyConnection,
    monitor_id: i64,
    period: Period,
    start: DateTime<Utc>,
    t: &Tally,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO check_rollups (monitor_id, period, start, up_secs, down_secs, degraded_secs,
             maintenance_secs, checks, failures, latency_min, latency_max, latency_sum)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12
          WHERE EXISTS (SELECT 1 FROM monitors WHERE id = $1)
         ON CONFLICT (monitor_id, period, start) DO UPDATE SET
             up_secs = check_rollups.up_secs + excluded.up_secs,
             down_secs = check_rollups.down_secs + excluded.down_secs,
             degraded_secs = check_rollups.degraded_secs + excluded.degraded_secs,
             maintenance_secs = check_rollups.maintenance_secs + excluded.maintenance_secs,
             checks = check_rollups.checks + excluded.checks,
             failures = check_rollups.failures + excluded.failures,
             latency_min = CASE WHEN check_rollups.latency_min IS NULL THEN excluded.latency_min
                                WHEN excluded.latency_min IS NULL THEN check_rollups.latency_min
                                WHEN excluded.latency_min < check_rollups.latency_min THEN excluded.latency_min
                                ELSE check_rollups.latency_min END,
             latency_max = CASE WHEN check_rollups.latency_max IS NULL THEN excluded.latency_max
                                WHEN excluded.latency_max IS NULL THEN check_rollups.latency_max
                                WHEN excluded.latency_max > check_rollups.latency_max THEN excluded.latency_max
                                ELSE check_rollups.latency_max END,
             latency_sum = check_rollups.latency_sum + excluded.latency_sum",
    )
    .bind(monitor_id)
    .bind(period.as_str())
    .bind(start.timestamp())
    .bind(t.up_secs)
    .bind(t.down_secs)
    .bind(t.degraded_secs)
    .bind(t.maintenance_secs)
    .bind(t.checks)
    .bind(t.failures)
    .bind(t.latency_min)
    .bind(t.latency_max)
    .bind(t.latency_sum)
    .execute(conn)
    .await?;
    Ok(())
}

/// A monitor's buckets of `period` starting at or after `from`, oldest first.
pub async fn rollups(
    conn: &mut AnyConnection,
    monitor_id: i64,
    period: Period,
    from: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, Tally)>, sqlx::Error> {
    let rows: Vec<RollupRow> = sqlx::query_as(
        "SELECT start, up_secs, down_secs, degraded_secs, maintenance_secs, checks, failures,
                latency_min, latency_max, latency_sum
         FROM check_rollups WHERE monitor_id = $1 AND period = $2 AND start >= $3 ORDER BY start",
    )
    .bind(monitor_id)
    .bind(period.as_str())
    .bind(from.timestamp())
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let t = Tally {
                up_secs: r.up_secs,
                down_secs: r.down_secs,
                degraded_secs: r.degraded_secs,
                maintenance_secs: r.maintenance_secs,
                checks: r.checks,
                failures: r.failures,
                latency_min: r.latency_min,
                latency_max: r.latency_max,
                latency_sum: r.latency_sum,
            };
            (r.start, t)
        })
        .collect())
}

#[derive(FromRow)]
struct RollupRow {
    #[sqlx(try_from = "Seconds")]
    start: DateTime<Utc>,
    up_secs: i64,
    down_secs: i64,
    degraded_secs: i64,
    maintenance_secs: i64,
    checks: i64,
    failures: i64,
    latency_min: Option<i64>,
    latency_max: Option<i64>,
    latency_sum: i64,
}

/// Deletes the buckets past their period's retention (minutes after 24 h, hours after 30
/// days; days are kept), monitor by monitor through the table's key.
pub async fn prune_rollups(conn: &mut AnyConnection, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM monitors")
        .fetch_all(&mut *conn)
        .await?;
    let mut deleted = 0;
    for id in ids {
        for period in Period::ALL {
            if let Some(kept) = period.kept() {
                deleted +=
                    sqlx::query("DELETE FROM check_rollups WHERE monitor_id = $1 AND period = $2 AND start < $3")
                        .bind(id)
                        .bind(period.as_str())
                        .bind((now - kept).timestamp())
                        .execute(&mut *conn)
                        .await?
                        .rows_affected();
            }
        }
    }
    Ok(deleted)
}

/// The error of monitor `monitor_id`'s check at `at` (the one that changed its status), if
/// that result is kept and had one.
pub async fn error_at(
    conn: &mut AnyConnection,
    monitor_id: i64,
    at: DateTime<Utc>,
) -> Result<Option<String>, sqlx::Error> {
    let error: Option<Option<String>> = sqlx::query_scalar(
        "SELECT error FROM check_results WHERE monitor_id = $1 AND at = $2 ORDER BY changed DESC, id DESC LIMIT 1",
    )
    .bind(monitor_id)
    .bind(at.timestamp())
    .fetch_optional(conn)
    .await?;
    Ok(error.flatten())
}

/// The day buckets since `from` of every checked monitor: (monitor id, day, tally), by
/// monitor and day. Read through the table's key, monitor by monitor.
pub async fn days_since(
    conn: &mut AnyConnection,
    from: DateTime<Utc>,
) -> Result<Vec<(i64, DateTime<Utc>, Tally)>, sqlx::Error> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM monitors WHERE check_type <> 'manual' ORDER BY id")
        .fetch_all(&mut *conn)
        .await?;
    let mut all = Vec::new();
    for id in ids {
        all.extend(
            rollups(conn, id, Period::Day, from)
                .await?
                .into_iter()
                .map(|(day, t)| (id, day, t)),
        );
    }
    Ok(all)
}

/// The latency of each HTTP monitor's latest check that got an answer: (monitor id, ms).
pub async fn latest_latencies(conn: &mut AnyConnection) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.monitor_id, r.latency_ms FROM check_results r
         WHERE r.id IN (SELECT MAX(l.id) FROM check_results l
                        WHERE l.monitor_id IN (SELECT id FROM monitors WHERE check_type = 'http')
                        GROUP BY l.monitor_id)
           AND r.status <> 'DOWN'",
    )
    .fetch_all(conn)
    .await
}
