//! Stored results of keyed POST requests (`Idempotency-Key`), see `web::api::idempotency`.

use chrono::{DateTime, Utc};

use super::AnyConnection;

/// What is stored under a key.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Entry {
    pub request_hash: String,
    /// `None` while the first request is still running.
    pub status: Option<i64>,
    pub body: Option<String>,
    #[sqlx(try_from = "super::types::Seconds")]
    pub created_at: DateTime<Utc>,
}

/// Claims `scope` for a request that is about to run; false when it is already taken.
/// Entries created before `expired_before` are dropped first, so a key can be reused a
/// day later.
pub async fn claim(
    conn: &mut AnyConnection,
    scope: &str,
    request_hash: &str,
    now: DateTime<Utc>,
    expired_before: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(expired_before.timestamp())
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query(
        "INSERT INTO idempotency_keys (scope, request_hash, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (scope) DO NOTHING",
    )
    .bind(scope)
    .bind(request_hash)
    .bind(now.timestamp())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn get(conn: &mut AnyConnection, scope: &str) -> Result<Option<Entry>, sqlx::Error> {
    sqlx::query_as("SELECT request_hash, status, body, created_at FROM idempotency_keys WHERE scope = $1")
        .bind(scope)
        .fetch_optional(conn)
        .await
}

/// Takes over a claim whose request never finished (its server died mid-request): true
/// when this caller won it.
pub async fn take_over(
    conn: &mut AnyConnection,
    scope: &str,
    stale: &Entry,
    request_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE idempotency_keys SET request_hash = $3, created_at = $4
         WHERE scope = $1 AND status IS NULL AND created_at = $2",
    )
    .bind(scope)
    .bind(stale.created_at.timestamp())
    .bind(request_hash)
    .bind(now.timestamp())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Stores the result of the request that claimed `scope`.
pub async fn finish(conn: &mut AnyConnection, scope: &str, status: i64, body: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE idempotency_keys SET status = $2, body = $3 WHERE scope = $1")
        .bind(scope)
        .bind(status)
        .bind(body)
        .execute(conn)
        .await?;
    Ok(())
}

/// Gives a claim back (the request failed, so a retry with the same key runs again).
pub async fn release(conn: &mut AnyConnection, scope: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM idempotency_keys WHERE scope = $1 AND status IS NULL")
        .bind(scope)
        .execute(conn)
        .await?;
    Ok(())
}
