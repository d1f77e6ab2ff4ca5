//! The scheduler's own rows: its lease (who leads, until when) and its marks (when the
//! horizon was last extended).

use chrono::{DateTime, Utc};

use super::AnyConnection;

/// The database's clock in Unix seconds: lease expiry is judged by one clock, whatever the
/// clocks of the replicas say.
fn db_now(conn: &AnyConnection) -> &'static str {
    if conn.backend_name() == "PostgreSQL" {
        "CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)"
    } else {
        "CAST(strftime('%s', 'now') AS INTEGER)"
    }
}

/// Takes or renews lease `name` for `holder` for `secs` seconds, in one statement: it
/// succeeds when the lease is free, already `holder`'s, or lapsed. True when `holder`
/// holds it now.
pub async fn take_lease(conn: &mut AnyConnection, name: &str, holder: &str, secs: i64) -> Result<bool, sqlx::Error> {
    let now = db_now(conn);
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO scheduler_lease (name, holder, expires_at) VALUES ($1, $2, {now} + $3)
         ON CONFLICT (name) DO UPDATE SET holder = $2, expires_at = {now} + $3
         WHERE scheduler_lease.holder = $2 OR scheduler_lease.expires_at <= {now}"
    )))
    .bind(name)
    .bind(holder)
    .bind(secs)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives lease `name` up, if `holder` has it, so a standby need not wait for it to lapse.
pub async fn release_lease(conn: &mut AnyConnection, name: &str, holder: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM scheduler_lease WHERE name = $1 AND holder = $2")
        .bind(name)
        .bind(holder)
        .execute(conn)
        .await?;
    Ok(())
}

/// The instant last recorded under `name`.
pub async fn mark(conn: &mut AnyConnection, name: &str) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let at: Option<i64> = sqlx::query_scalar("SELECT at FROM scheduler_marks WHERE name = $1")
        .bind(name)
        .fetch_optional(conn)
        .await?;
    at.map(|at| DateTime::try_from(super::types::Seconds(at)).map_err(|e| sqlx::Error::Decode(e.into())))
        .transpose()
}

pub async fn set_mark(conn: &mut AnyConnection, name: &str, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO scheduler_marks (name, at) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET at = $2")
        .bind(name)
        .bind(at.timestamp())
        .execute(conn)
        .await?;
    Ok(())
}
