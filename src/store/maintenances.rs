//! Maintenances (plans), their affected monitors and their skipped occurrences.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use sqlx::FromRow;

use super::AnyConnection;
use super::types::{Flag, Seconds, ZoneName};
use crate::domain::impact::Impact;
use crate::domain::lifecycle::MaintenanceStatus;

#[derive(Debug, Clone, FromRow)]
pub struct MaintenanceRow {
    pub id: i64,
    pub title: String,
    pub description: String,
    /// The first window's local start, `YYYY-MM-DDTHH:MM:SS` in `timezone`.
    pub start_local: String,
    #[sqlx(try_from = "ZoneName")]
    pub timezone: Tz,
    #[sqlx(try_from = "Seconds")]
    pub duration: TimeDelta,
    /// Empty for a one-time window.
    pub rrule: String,
    #[sqlx(try_from = "String")]
    pub status: MaintenanceStatus,
    #[sqlx(try_from = "Seconds")]
    pub reminder_lead: TimeDelta,
    #[sqlx(try_from = "Flag")]
    pub notify_scheduled: bool,
    #[sqlx(try_from = "Flag")]
    pub notify_reminder: bool,
    #[sqlx(try_from = "Flag")]
    pub notify_start: bool,
    #[sqlx(try_from = "Flag")]
    pub notify_completion: bool,
    #[sqlx(try_from = "Flag")]
    pub notify_cancellation: bool,
    #[sqlx(try_from = "Seconds")]
    pub created_at: DateTime<Utc>,
    #[sqlx(try_from = "Seconds")]
    pub updated_at: DateTime<Utc>,
}

/// An affected monitor of a maintenance, with its impact.
#[derive(Debug, Clone, FromRow)]
pub struct AffectedRow {
    pub maintenance_id: i64,
    pub monitor_id: i64,
    pub slug: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub impact: Impact,
}

const COLUMNS: &str = "id, title, description, start_local, timezone, duration, rrule, status, reminder_lead,
    notify_scheduled, notify_reminder, notify_start, notify_completion, notify_cancellation, created_at, updated_at";

pub async fn insert(conn: &mut AnyConnection, m: &MaintenanceRow) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO maintenances (title, description, start_local, timezone, duration, rrule, status,
            reminder_lead, notify_scheduled, notify_reminder, notify_start, notify_completion,
            notify_cancellation, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
    )
    .bind(&m.title)
    .bind(&m.description)
    .bind(&m.start_local)
    .bind(m.timezone.name())
    .bind(m.duration.num_seconds())
    .bind(&m.rrule)
    .bind(m.status.as_str())
    .bind(m.reminder_lead.num_seconds())
    .bind(i64::from(m.notify_scheduled))
    .bind(i64::from(m.notify_reminder))
    .bind(i64::from(m.notify_start))
    .bind(i64::from(m.notify_completion))
    .bind(i64::from(m.notify_cancellation))
    .bind(m.created_at.timestamp())
    .fetch_one(conn)
    .await
}

pub async fn update(conn: &mut AnyConnection, m: &MaintenanceRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE maintenances SET title = $2, description = $3, start_local = $4, timezone = $5,
            duration = $6, rrule = $7, status = $8, reminder_lead = $9, notify_scheduled = $10,
            notify_reminder = $11, notify_start = $12, notify_completion = $13,
            notify_cancellation = $14, updated_at = $15
         WHERE id = $1",
    )
    .bind(m.id)
    .bind(&m.title)
    .bind(&m.description)
    .bind(&m.start_local)
    .bind(m.timezone.name())
    .bind(m.duration.num_seconds())
    .bind(&m.rrule)
    .bind(m.status.as_str())
    .bind(m.reminder_lead.num_seconds())
    .bind(i64::from(m.notify_scheduled))
    .bind(i64::from(m.notify_reminder))
    .bind(i64::from(m.notify_start))
    .bind(i64::from(m.notify_completion))
    .bind(i64::from(m.notify_cancellation))
    .bind(m.updated_at.timestamp())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM maintenances WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<MaintenanceRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM maintenances WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The maintenance, locked against concurrent writers until the transaction ends (on
/// SQLite `BEGIN IMMEDIATE` already serialises writers).
pub async fn get_for_update(conn: &mut AnyConnection, id: i64) -> Result<Option<MaintenanceRow>, sqlx::Error> {
    let lock = super::row_lock(conn, "");
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM maintenances WHERE id = $1{lock}"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// All maintenances, or those with the given status, newest first.
pub async fn list(
    conn: &mut AnyConnection,
    status: Option<MaintenanceStatus>,
) -> Result<Vec<MaintenanceRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM maintenances WHERE (CAST($1 AS TEXT) IS NULL OR status = $1) ORDER BY id DESC"
    )))
    .bind(status.map(MaintenanceStatus::as_str))
    .fetch_all(conn)
    .await
}

/// Those of `ids` that are ACTIVE, locked against edits until the transaction ends
/// (`FOR SHARE` on PostgreSQL; SQLite write transactions are exclusive anyway).
pub async fn active_versions(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<MaintenanceRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let lock = if conn.backend_name() == "PostgreSQL" {
        " FOR SHARE"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM maintenances WHERE status = 'ACTIVE' AND id IN ({}){lock}",
        super::placeholders(1, ids.len())
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    query.fetch_all(conn).await
}

/// Other ACTIVE maintenances that share at least one monitor with maintenance `id`.
pub async fn sharing_monitors(conn: &mut AnyConnection, id: i64) -> Result<Vec<MaintenanceRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM maintenances WHERE status = 'ACTIVE' AND id <> $1 AND id IN (
            SELECT other.maintenance_id FROM maintenance_monitors other
            JOIN maintenance_monitors mine ON mine.monitor_id = other.monitor_id
            WHERE mine.maintenance_id = $1)
         ORDER BY id"
    )))
    .bind(id)
    .fetch_all(conn)
    .await
}

pub async fn set_monitors(conn: &mut AnyConnection, id: i64, monitors: &[(i64, Impact)]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM maintenance_monitors WHERE maintenance_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (monitor_id, impact) in monitors {
        sqlx::query("INSERT INTO maintenance_monitors (maintenance_id, monitor_id, impact) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(monitor_id)
            .bind(impact.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Affected monitors of the given maintenances (all of them when `ids` is `None`).
pub async fn affected(conn: &mut AnyConnection, ids: Option<&[i64]>) -> Result<Vec<AffectedRow>, sqlx::Error> {
    let select = "SELECT mm.maintenance_id, mm.monitor_id, m.slug, m.name, mm.impact
        FROM maintenance_monitors mm JOIN monitors m ON m.id = mm.monitor_id";
    let Some(ids) = ids else {
        return sqlx::query_as(sqlx::AssertSqlSafe(format!("{select} ORDER BY m.slug")))
            .fetch_all(conn)
            .await;
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{select} WHERE mm.maintenance_id IN ({}) ORDER BY m.slug",
        super::placeholders(1, ids.len())
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    query.fetch_all(conn).await
}

/// The plans' keys given by `lull apply` (plans made elsewhere have none): (id, key).
pub async fn keys(conn: &mut AnyConnection) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, plan_key FROM maintenances WHERE plan_key IS NOT NULL ORDER BY id")
        .fetch_all(conn)
        .await
}

pub async fn set_key(conn: &mut AnyConnection, id: i64, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE maintenances SET plan_key = $2 WHERE id = $1")
        .bind(id)
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn add_skip(
    conn: &mut AnyConnection,
    id: i64,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO maintenance_skips (maintenance_id, occurrence_start, created_at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(start.timestamp())
    .bind(now.timestamp())
    .execute(conn)
    .await?;
    Ok(())
}

/// A skipped occurrence.
#[derive(Debug, Clone, Copy, FromRow)]
pub struct SkipRow {
    pub maintenance_id: i64,
    #[sqlx(try_from = "Seconds", rename = "occurrence_start")]
    pub start: DateTime<Utc>,
    /// When it was skipped.
    #[sqlx(try_from = "Seconds")]
    pub created_at: DateTime<Utc>,
}

/// Skipped occurrences of the given maintenances (found through the key: a catch-all
/// `$1 IS NULL OR …` would read every plan's skips), or of all when `ids` is `None`.
pub async fn skips(conn: &mut AnyConnection, ids: Option<&[i64]>) -> Result<Vec<SkipRow>, sqlx::Error> {
    let Some(ids) = ids else {
        return sqlx::query_as(
            "SELECT maintenance_id, occurrence_start, created_at FROM maintenance_skips
             ORDER BY maintenance_id, occurrence_start",
        )
        .fetch_all(conn)
        .await;
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT maintenance_id, occurrence_start, created_at FROM maintenance_skips
         WHERE maintenance_id IN ({}) ORDER BY maintenance_id, occurrence_start",
        super::placeholders(1, ids.len())
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    query.fetch_all(conn).await
}

/// Skipped occurrence starts by maintenance, of the given maintenances or all.
pub async fn skips_by_plan(
    conn: &mut AnyConnection,
    ids: Option<&[i64]>,
) -> Result<HashMap<i64, HashSet<DateTime<Utc>>>, sqlx::Error> {
    let mut by_plan: HashMap<i64, HashSet<DateTime<Utc>>> = HashMap::new();
    for skip in skips(conn, ids).await? {
        by_plan.entry(skip.maintenance_id).or_default().insert(skip.start);
    }
    Ok(by_plan)
}
