//! Dashboard accounts and sessions.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::AnyConnection;
use super::types::Seconds;

#[derive(Debug, Clone, FromRow)]
pub struct AdminRow {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub admin_id: i64,
    pub email: String,
    pub csrf: String,
    #[sqlx(try_from = "Seconds")]
    pub expires_at: DateTime<Utc>,
}

pub async fn count(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM admins").fetch_one(conn).await
}

/// Holds back other transactions that would lock or write `admins` until this one ends,
/// so a count then an insert cannot interleave with another's (PostgreSQL's READ
/// COMMITTED would let both see no admin). SQLite's write transaction already does this.
pub async fn lock(conn: &mut AnyConnection, backend: super::Backend) -> Result<(), sqlx::Error> {
    if backend == super::Backend::Postgres {
        sqlx::query("LOCK TABLE admins IN EXCLUSIVE MODE").execute(conn).await?;
    }
    Ok(())
}

pub async fn insert(conn: &mut AnyConnection, email: &str, hash: &str, now: DateTime<Utc>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO admins (email, password_hash, created_at) VALUES ($1, $2, $3) RETURNING id")
        .bind(email)
        .bind(hash)
        .bind(now.timestamp())
        .fetch_one(conn)
        .await
}

pub async fn by_email(conn: &mut AnyConnection, email: &str) -> Result<Option<AdminRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, email, password_hash FROM admins WHERE email = $1")
        .bind(email)
        .fetch_optional(conn)
        .await
}

pub async fn touch_login(conn: &mut AnyConnection, id: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE admins SET last_login_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now.timestamp())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_session(
    conn: &mut AnyConnection,
    id_hash: &str,
    admin_id: i64,
    csrf: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO sessions (id_hash, admin_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id_hash)
        .bind(admin_id)
        .bind(csrf)
        .bind(now.timestamp())
        .bind(expires_at.timestamp())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn session(
    conn: &mut AnyConnection,
    id_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<SessionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.admin_id, a.email, s.csrf, s.expires_at FROM sessions s JOIN admins a ON a.id = s.admin_id
         WHERE s.id_hash = $1 AND s.expires_at > $2",
    )
    .bind(id_hash)
    .bind(now.timestamp())
    .fetch_optional(conn)
    .await
}

pub async fn delete_session(conn: &mut AnyConnection, id_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_expired_sessions(conn: &mut AnyConnection, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now.timestamp())
        .execute(conn)
        .await?
        .rows_affected())
}

/// An admin as `lull admin list` shows it.
#[derive(Debug, Clone, FromRow)]
pub struct AdminInfo {
    pub id: i64,
    pub email: String,
    #[sqlx(try_from = "Seconds")]
    pub created_at: DateTime<Utc>,
    #[sqlx(try_from = "super::types::MaybeSeconds")]
    pub last_login_at: Option<DateTime<Utc>>,
}

pub async fn list(conn: &mut AnyConnection) -> Result<Vec<AdminInfo>, sqlx::Error> {
    sqlx::query_as("SELECT id, email, created_at, last_login_at FROM admins ORDER BY id")
        .fetch_all(conn)
        .await
}

/// Removes an admin and (by the foreign key) every session of theirs.
pub async fn delete(conn: &mut AnyConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM admins WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets a new password hash and ends every session of the admin.
pub async fn set_password(conn: &mut AnyConnection, id: i64, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE admins SET password_hash = $2 WHERE id = $1")
        .bind(id)
        .bind(hash)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE admin_id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
