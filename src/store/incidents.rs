//! Incidents, the monitors they affect, and their updates.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::types::{Flag, MaybeSeconds, Seconds};
use super::{AnyConnection, placeholders};
use crate::domain::impact::Impact;
use crate::domain::incident::IncidentStatus;

#[derive(Debug, Clone, FromRow)]
pub struct IncidentRow {
    pub id: i64,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub status: IncidentStatus,
    #[sqlx(try_from = "Flag")]
    pub draft: bool,
    #[sqlx(try_from = "Seconds")]
    pub created_at: DateTime<Utc>,
    #[sqlx(try_from = "Seconds")]
    pub updated_at: DateTime<Utc>,
    #[sqlx(try_from = "MaybeSeconds")]
    pub resolved_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, title, status, draft, created_at, updated_at, resolved_at";

#[derive(Debug, Clone, FromRow)]
pub struct AffectedRow {
    pub incident_id: i64,
    pub monitor_id: i64,
    pub slug: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub impact: Impact,
}

#[derive(Debug, Clone, FromRow)]
pub struct UpdateRow {
    pub id: i64,
    pub incident_id: i64,
    #[sqlx(try_from = "String")]
    pub status: IncidentStatus,
    pub body: String,
    pub author: String,
    #[sqlx(try_from = "Seconds")]
    pub created_at: DateTime<Utc>,
}

pub async fn insert(
    conn: &mut AnyConnection,
    title: &str,
    status: IncidentStatus,
    draft: bool,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO incidents (title, status, draft, created_at, updated_at, resolved_at)
         VALUES ($1, $2, $3, $4, $4, $5) RETURNING id",
    )
    .bind(title)
    .bind(status.as_str())
    .bind(i64::from(draft))
    .bind(now.timestamp())
    .bind((!status.is_open()).then_some(now.timestamp()))
    .fetch_one(conn)
    .await
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<IncidentRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM incidents WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// [`get`], locking the row for the rest of the transaction (concurrent updates of one
/// incident take turns).
pub async fn get_for_update(conn: &mut AnyConnection, id: i64) -> Result<Option<IncidentRow>, sqlx::Error> {
    let lock = super::row_lock(conn, "");
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM incidents WHERE id = $1{lock}"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Open incidents (oldest first), then those resolved since `resolved_since` (latest
/// first), at most `limit` in all; drafts only when asked.
pub async fn list(
    conn: &mut AnyConnection,
    resolved_since: DateTime<Utc>,
    with_drafts: bool,
    limit: i64,
) -> Result<Vec<IncidentRow>, sqlx::Error> {
    let drafts = if with_drafts { "" } else { " AND draft = 0" };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM incidents
         WHERE (resolved_at IS NULL OR resolved_at >= $1){drafts}
         ORDER BY (resolved_at IS NULL) DESC, COALESCE(-resolved_at, created_at), id LIMIT $2"
    )))
    .bind(resolved_since.timestamp())
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn set_status(
    conn: &mut AnyConnection,
    id: i64,
    status: IncidentStatus,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE incidents SET status = $2, updated_at = $3,
            resolved_at = CASE WHEN $2 = 'RESOLVED' THEN COALESCE(resolved_at, $3) ELSE NULL END
         WHERE id = $1",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(now.timestamp())
    .execute(conn)
    .await?;
    Ok(())
}

/// Changes the title and whether it is a draft.
pub async fn set_details(
    conn: &mut AnyConnection,
    id: i64,
    title: &str,
    draft: bool,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE incidents SET title = $2, draft = $3, updated_at = $4 WHERE id = $1")
        .bind(id)
        .bind(title)
        .bind(i64::from(draft))
        .bind(now.timestamp())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, id: i64) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM incidents WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected()
        > 0)
}

pub async fn set_monitors(conn: &mut AnyConnection, id: i64, monitors: &[(i64, Impact)]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM incident_monitors WHERE incident_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (monitor_id, impact) in monitors {
        sqlx::query("INSERT INTO incident_monitors (incident_id, monitor_id, impact) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(monitor_id)
            .bind(impact.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn insert_update(
    conn: &mut AnyConnection,
    incident_id: i64,
    status: IncidentStatus,
    body: &str,
    author: &str,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO incident_updates (incident_id, status, body, author, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(incident_id)
    .bind(status.as_str())
    .bind(body)
    .bind(author)
    .bind(now.timestamp())
    .fetch_one(conn)
    .await
}

/// The monitors the incidents `ids` affect, by monitor name.
pub async fn affected(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<AffectedRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT im.incident_id, im.monitor_id, m.slug, m.name, im.impact
         FROM incident_monitors im JOIN monitors m ON m.id = im.monitor_id
         WHERE im.incident_id IN ({}) ORDER BY m.name, m.id",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    query.fetch_all(conn).await
}

/// The updates of the incidents `ids`, latest first.
pub async fn updates(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<UpdateRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, incident_id, status, body, author, created_at FROM incident_updates
         WHERE incident_id IN ({}) ORDER BY id DESC",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    query.fetch_all(conn).await
}

/// Whether an open incident (a draft or not) affects monitor `monitor_id`.
pub async fn open_affecting(conn: &mut AnyConnection, monitor_id: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT i.id FROM incidents i JOIN incident_monitors im ON im.incident_id = i.id
         WHERE im.monitor_id = $1 AND i.resolved_at IS NULL LIMIT 1",
    )
    .bind(monitor_id)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}
