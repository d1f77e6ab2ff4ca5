//! Monitors: the services shown on the status page.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::AnyConnection;
use super::types::Seconds;
use crate::domain::impact::MonitorStatus;

#[derive(Debug, Clone, FromRow)]
pub struct MonitorRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub group_name: Option<String>,
    pub description: String,
    #[sqlx(try_from = "String")]
    pub status: MonitorStatus,
    #[sqlx(try_from = "Seconds")]
    pub created_at: DateTime<Utc>,
    #[sqlx(try_from = "Seconds")]
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, slug, name, group_name, description, status, created_at, updated_at";

pub async fn insert(conn: &mut AnyConnection, m: &MonitorRow) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO monitors (slug, name, group_name, description, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(&m.slug)
    .bind(&m.name)
    .bind(&m.group_name)
    .bind(&m.description)
    .bind(m.status.as_str())
    .bind(m.created_at.timestamp())
    .fetch_one(conn)
    .await
}

pub async fn update(conn: &mut AnyConnection, m: &MonitorRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE monitors SET slug = $2, name = $3, group_name = $4, description = $5, status = $6,
         updated_at = $7 WHERE id = $1",
    )
    .bind(m.id)
    .bind(&m.slug)
    .bind(&m.name)
    .bind(&m.group_name)
    .bind(&m.description)
    .bind(m.status.as_str())
    .bind(m.updated_at.timestamp())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM monitors WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn list(conn: &mut AnyConnection) -> Result<Vec<MonitorRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM monitors ORDER BY COALESCE(group_name, ''), name, id"
    )))
    .fetch_all(conn)
    .await
}

pub async fn by_slug(conn: &mut AnyConnection, slug: &str) -> Result<Option<MonitorRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM monitors WHERE slug = $1"
    )))
    .bind(slug)
    .fetch_optional(conn)
    .await
}

/// `by_slug` or `by_id`, locking the row until the transaction ends (PostgreSQL).
pub async fn find_for_update(conn: &mut AnyConnection, key: &str) -> Result<Option<MonitorRow>, sqlx::Error> {
    let lock = super::row_lock(conn, "");
    let id = key.parse::<i64>().unwrap_or(-1);
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM monitors WHERE id = $1 OR slug = $2 ORDER BY (id = $1) DESC LIMIT 1{lock}"
    )))
    .bind(id)
    .bind(key)
    .fetch_optional(conn)
    .await
}

pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<MonitorRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM monitors WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await
}
