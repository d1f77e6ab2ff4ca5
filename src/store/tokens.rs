//! API tokens. Only a SHA-256 hash of each token is stored; tokens are 256 random bits,
//! so a fast hash is enough (there is nothing to brute-force).

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::AnyConnection;
use super::types::{MaybeSeconds, Seconds};

#[derive(Debug, Clone, FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    #[sqlx(try_from = "Seconds")]
    pub created_at: DateTime<Utc>,
    #[sqlx(try_from = "MaybeSeconds")]
    pub last_used_at: Option<DateTime<Utc>>,
    #[sqlx(try_from = "MaybeSeconds")]
    pub revoked_at: Option<DateTime<Utc>>,
}

pub async fn insert(conn: &mut AnyConnection, name: &str, hash: &str, now: DateTime<Utc>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO api_tokens (name, token_hash, created_at) VALUES ($1, $2, $3) RETURNING id")
        .bind(name)
        .bind(hash)
        .bind(now.timestamp())
        .fetch_one(conn)
        .await
}

/// How often a token's "last used" is written: at most once a minute per token, so a
/// busy script reads the table instead of writing it on every request (on SQLite every
/// write takes the one write lock).
pub const LAST_USED_EVERY: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

/// The live token with this hash, marking it used (at most once a minute).
pub async fn use_hash(
    conn: &mut AnyConnection,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<TokenRow>, sqlx::Error> {
    let found: Option<TokenRow> = sqlx::query_as(
        "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens
         WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(hash)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(mut token) = found else {
        return Ok(None);
    };
    if token.last_used_at.is_none_or(|t| t <= now - LAST_USED_EVERY) {
        // Best effort: a token's last use is a hint for its owner, and a busy database
        // must not turn a valid token's read into an error.
        match sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
            .bind(token.id)
            .bind(now.timestamp())
            .execute(conn)
            .await
        {
            Ok(_) => token.last_used_at = Some(now),
            Err(e) => tracing::warn!(error = %e, token = token.id, "recording a token's last use failed"),
        }
    }
    Ok(Some(token))
}

pub async fn list(conn: &mut AnyConnection) -> Result<Vec<TokenRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY id")
        .fetch_all(conn)
        .await
}

pub async fn revoke(conn: &mut AnyConnection, id: i64, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
        .bind(id)
        .bind(now.timestamp())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}
