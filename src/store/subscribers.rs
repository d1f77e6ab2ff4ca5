//! Subscribers and their tokens.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::types::{MaybeSeconds, Seconds};
use super::{AnyConnection, placeholders};
use crate::domain::format::Lang;

#[derive(Debug, Clone, FromRow)]
pub struct SubscriberRow {
    pub id: i64,
    pub email: String,
    #[sqlx(try_from = "MaybeSeconds")]
    pub confirmed_at: Option<DateTime<Utc>>,
    #[sqlx(try_from = "Seconds")]
    pub created_at: DateTime<Utc>,
    /// An unconfirmed sign-up is forgotten after this.
    #[sqlx(try_from = "MaybeSeconds")]
    pub expires_at: Option<DateTime<Utc>>,
    /// The language of every message to this address.
    #[sqlx(try_from = "String")]
    pub language: Lang,
}

const COLUMNS: &str = "id, email, confirmed_at, created_at, expires_at, language";

pub async fn by_email(conn: &mut AnyConnection, email: &str) -> Result<Option<SubscriberRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM subscribers WHERE email = $1"
    )))
    .bind(email)
    .fetch_optional(conn)
    .await
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<SubscriberRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM subscribers WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn insert(
    conn: &mut AnyConnection,
    email: &str,
    language: &str,
    now: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO subscribers (email, language, created_at, expires_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(email)
    .bind(language)
    .bind(now.timestamp())
    .bind(expires_at.map(|t| t.timestamp()))
    .fetch_one(conn)
    .await
}

/// A new sign-up of an address that has not confirmed yet: a later deadline and the
/// language of the latest form.
pub async fn renew_unconfirmed(
    conn: &mut AnyConnection,
    id: i64,
    language: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE subscribers SET expires_at = $2, language = $3 WHERE id = $1 AND confirmed_at IS NULL")
        .bind(id)
        .bind(expires_at.timestamp())
        .bind(language)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_monitors(conn: &mut AnyConnection, id: i64, monitor_ids: &[i64]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM subscriber_monitors WHERE subscriber_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for m in monitor_ids {
        sqlx::query("INSERT INTO subscriber_monitors (subscriber_id, monitor_id) VALUES ($1, $2)")
            .bind(id)
            .bind(m)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn confirm(conn: &mut AnyConnection, id: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE subscribers SET confirmed_at = $2, expires_at = NULL WHERE id = $1 AND confirmed_at IS NULL")
        .bind(id)
        .bind(now.timestamp())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, id: i64) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM subscribers WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected()
        > 0)
}

/// Forgets sign-ups that were never confirmed in time.
pub async fn delete_expired(conn: &mut AnyConnection, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM subscribers WHERE confirmed_at IS NULL AND expires_at <= $1")
            .bind(now.timestamp())
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

/// Subscribers whose email contains `search`, newest first.
pub async fn list(conn: &mut AnyConnection, search: &str, limit: i64) -> Result<Vec<SubscriberRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM subscribers WHERE email LIKE $1 ORDER BY id DESC LIMIT $2"
    )))
    .bind(format!("%{}%", search.replace(['%', '_'], "")))
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn counts(conn: &mut AnyConnection) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as("SELECT COUNT(confirmed_at), COUNT(*) - COUNT(confirmed_at) FROM subscribers")
        .fetch_one(conn)
        .await
}

/// Names of the monitors a subscriber filters on, by name (empty: everything).
pub async fn monitor_names(conn: &mut AnyConnection, id: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT m.name FROM subscriber_monitors sm JOIN monitors m ON m.id = sm.monitor_id
         WHERE sm.subscriber_id = $1 ORDER BY m.name",
    )
    .bind(id)
    .fetch_all(conn)
    .await
}

/// Slugs each of `ids` filters on (empty: everything).
pub async fn monitor_slugs(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<(i64, String)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT sm.subscriber_id, m.slug FROM subscriber_monitors sm JOIN monitors m ON m.id = sm.monitor_id
         WHERE sm.subscriber_id IN ({}) ORDER BY m.slug",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(conn).await
}

pub async fn insert_token(
    conn: &mut AnyConnection,
    hash: &str,
    subscriber_id: i64,
    purpose: &str,
    now: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO subscriber_tokens (token_hash, subscriber_id, purpose, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash)
    .bind(subscriber_id)
    .bind(purpose)
    .bind(now.timestamp())
    .bind(expires_at.map(|t| t.timestamp()))
    .execute(conn)
    .await?;
    Ok(())
}

/// The subscriber a token of `purpose` belongs to, and whether the token is still live
/// (not expired), whatever its age.
pub async fn token_holder(
    conn: &mut AnyConnection,
    hash: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<Option<(i64, bool)>, sqlx::Error> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT subscriber_id, CASE WHEN expires_at IS NULL OR expires_at > $3 THEN 1 ELSE 0 END
         FROM subscriber_tokens WHERE token_hash = $1 AND purpose = $2",
    )
    .bind(hash)
    .bind(purpose)
    .bind(now.timestamp())
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(id, live)| (id, live == 1)))
}

/// The subscriber a live token of `purpose` belongs to.
pub async fn token_owner(
    conn: &mut AnyConnection,
    hash: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT subscriber_id FROM subscriber_tokens
         WHERE token_hash = $1 AND purpose = $2 AND (expires_at IS NULL OR expires_at > $3)",
    )
    .bind(hash)
    .bind(purpose)
    .bind(now.timestamp())
    .fetch_optional(conn)
    .await
}
