//! The audit log: who changed what, when.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::AnyConnection;
use super::types::Seconds;

#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub id: i64,
    #[sqlx(try_from = "Seconds")]
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub target_id: i64,
    pub summary: String,
}

pub async fn insert(conn: &mut AnyConnection, row: &AuditRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, target, target_id, summary) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(row.at.timestamp())
    .bind(&row.actor)
    .bind(&row.action)
    .bind(&row.target)
    .bind(row.target_id)
    .bind(&row.summary)
    .execute(conn)
    .await?;
    Ok(())
}

/// Newest first, `limit` rows with ids below `before` (for paging).
pub async fn list(
    conn: &mut AnyConnection,
    target: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, at, actor, action, target, target_id, summary FROM audit_log
         WHERE (CAST($1 AS TEXT) IS NULL OR target = $1) AND ($2 IS NULL OR id < $2)
         ORDER BY id DESC LIMIT $3",
    )
    .bind(target)
    .bind(before)
    .bind(limit)
    .fetch_all(conn)
    .await
}
