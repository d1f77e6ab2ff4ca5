//! Webhook endpoints.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::AnyConnection;
use super::types::Seconds;

#[derive(Debug, Clone, FromRow)]
pub struct WebhookRow {
    pub id: i64,
    pub url: String,
    pub secret: String,
    pub format: String,
    pub kinds: String,
    #[sqlx(try_from = "Seconds")]
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, url, secret, format, kinds, created_at";

pub async fn insert(conn: &mut AnyConnection, w: &WebhookRow) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO webhooks (url, secret, format, kinds, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&w.url)
    .bind(&w.secret)
    .bind(&w.format)
    .bind(&w.kinds)
    .bind(w.created_at.timestamp())
    .fetch_one(conn)
    .await
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<WebhookRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM webhooks WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn list(conn: &mut AnyConnection) -> Result<Vec<WebhookRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM webhooks ORDER BY id"
    )))
    .fetch_all(conn)
    .await
}

pub async fn delete(conn: &mut AnyConnection, id: i64) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM webhooks WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected()
        > 0)
}

pub async fn set_monitors(conn: &mut AnyConnection, id: i64, monitor_ids: &[i64]) -> Result<(), sqlx::Error> {
    for m in monitor_ids {
        sqlx::query("INSERT INTO webhook_monitors (webhook_id, monitor_id) VALUES ($1, $2)")
            .bind(id)
            .bind(m)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// `(webhook_id, slug)` of every webhook's monitor filter.
pub async fn monitor_slugs(conn: &mut AnyConnection) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT wm.webhook_id, m.slug FROM webhook_monitors wm JOIN monitors m ON m.id = wm.monitor_id ORDER BY m.slug",
    )
    .fetch_all(conn)
    .await
}
