//! Monitors: the services shown on the status page.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::AnyConnection;
use super::types::{Flag, MaybeSeconds, Seconds};
use crate::domain::check::{CheckSpec, CheckType, HttpMethod, StatusRanges};
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
    #[sqlx(flatten)]
    pub check: CheckColumns,
    /// `heartbeat` monitors: when the last beat arrived.
    #[sqlx(try_from = "MaybeSeconds")]
    pub last_beat_at: Option<DateTime<Utc>>,
    /// `statuspage` monitors: what the followed page says is going on.
    pub status_note: Option<String>,
    /// `statuspage` monitors: the followed page says the followed part is under maintenance.
    #[sqlx(try_from = "Flag")]
    pub external_maintenance: bool,
}

/// How the monitor is checked, as stored (see `CheckSpec`).
#[derive(Debug, Clone, FromRow)]
pub struct CheckColumns {
    #[sqlx(try_from = "String")]
    pub check_type: CheckType,
    pub url: Option<String>,
    #[sqlx(try_from = "String")]
    pub method: HttpMethod,
    pub target: Option<String>,
    pub interval_secs: i64,
    pub timeout_secs: i64,
    pub expect_status: String,
    pub keyword: Option<String>,
    pub retries: i64,
    pub degraded_after_ms: Option<i64>,
    #[sqlx(try_from = "Flag")]
    pub follow_redirects: bool,
    #[sqlx(try_from = "Flag")]
    pub verify_tls: bool,
    /// A `statuspage` monitor (stored as `http`, see migration 0018).
    #[sqlx(try_from = "Flag")]
    pub statuspage: bool,
    pub component: Option<String>,
    pub alertmanager_matcher: Option<String>,
}

impl From<&CheckSpec> for CheckColumns {
    fn from(s: &CheckSpec) -> Self {
        let statuspage = s.kind == CheckType::Statuspage;
        Self {
            check_type: if statuspage { CheckType::Http } else { s.kind },
            statuspage,
            component: s.component.clone(),
            alertmanager_matcher: s.alertmanager_matcher.clone(),
            url: s.url.clone(),
            method: s.method,
            target: s.target.clone(),
            interval_secs: s.interval,
            timeout_secs: s.timeout,
            expect_status: s.expect_status.to_string(),
            keyword: s.keyword.clone(),
            retries: s.retries,
            degraded_after_ms: s.degraded_after_ms,
            follow_redirects: s.follow_redirects,
            verify_tls: s.verify_tls,
        }
    }
}

impl CheckColumns {
    /// The stored settings; a stored `expect_status` that no longer parses is the default.
    pub fn spec(&self) -> CheckSpec {
        CheckSpec {
            kind: if self.statuspage {
                CheckType::Statuspage
            } else {
                self.check_type
            },
            url: self.url.clone(),
            component: self.component.clone(),
            alertmanager_matcher: self.alertmanager_matcher.clone(),
            method: self.method,
            target: self.target.clone(),
            interval: self.interval_secs,
            timeout: self.timeout_secs,
            expect_status: StatusRanges::parse("expect_status", &self.expect_status).unwrap_or_default(),
            keyword: self.keyword.clone(),
            retries: self.retries,
            degraded_after_ms: self.degraded_after_ms,
            follow_redirects: self.follow_redirects,
            verify_tls: self.verify_tls,
        }
    }
}

/// Binds the check columns, in `COLUMNS`' order, after a statement's other arguments
/// (a macro: inserts and updates are queries of different types).
macro_rules! bind_check {
    ($query:expr, $c:expr) => {{
        let c: &CheckColumns = $c;
        $query
            .bind(c.check_type.as_str())
            .bind(c.url.clone())
            .bind(c.method.as_str())
            .bind(c.target.clone())
            .bind(c.interval_secs)
            .bind(c.timeout_secs)
            .bind(c.expect_status.clone())
            .bind(c.keyword.clone())
            .bind(c.retries)
            .bind(c.degraded_after_ms)
            .bind(i64::from(c.follow_redirects))
            .bind(i64::from(c.verify_tls))
            .bind(i64::from(c.statuspage))
            .bind(c.component.clone())
            .bind(c.alertmanager_matcher.clone())
    }};
}

const COLUMNS: &str = "id, slug, name, group_name, description, status, created_at, updated_at,
    check_type, url, method, target, interval_secs, timeout_secs, expect_status, keyword, retries,
    degraded_after_ms, follow_redirects, verify_tls, statuspage, component, alertmanager_matcher, last_beat_at, status_note,
    external_maintenance";

pub async fn insert(conn: &mut AnyConnection, m: &MonitorRow) -> Result<i64, sqlx::Error> {
    let query = sqlx::query_scalar(
        "INSERT INTO monitors (slug, name, group_name, description, status, created_at, updated_at,
             check_type, url, method, target, interval_secs, timeout_secs, expect_status, keyword,
             retries, degraded_after_ms, follow_redirects, verify_tls, statuspage, component, alertmanager_matcher)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
         RETURNING id",
    )
    .bind(&m.slug)
    .bind(&m.name)
    .bind(&m.group_name)
    .bind(&m.description)
    .bind(m.status.as_str())
    .bind(m.created_at.timestamp());
    bind_check!(query, &m.check).fetch_one(conn).await
}

pub async fn update(conn: &mut AnyConnection, m: &MonitorRow) -> Result<(), sqlx::Error> {
    let query = sqlx::query(
        "UPDATE monitors SET slug = $2, name = $3, group_name = $4, description = $5, status = $6,
         updated_at = $7, check_type = $8, url = $9, method = $10, target = $11, interval_secs = $12,
         timeout_secs = $13, expect_status = $14, keyword = $15, retries = $16,
         degraded_after_ms = $17, follow_redirects = $18, verify_tls = $19, statuspage = $20, component = $21,
         alertmanager_matcher = $22,
         status_note = CASE WHEN $20 = 1 THEN status_note ELSE NULL END,
         external_maintenance = CASE WHEN $20 = 1 THEN external_maintenance ELSE 0 END
         WHERE id = $1",
    )
    .bind(m.id)
    .bind(&m.slug)
    .bind(&m.name)
    .bind(&m.group_name)
    .bind(&m.description)
    .bind(m.status.as_str())
    .bind(m.updated_at.timestamp());
    bind_check!(query, &m.check).execute(conn).await?;
    Ok(())
}

/// Stores what a followed page says of a `statuspage` monitor; true when that changed.
pub async fn set_followed(
    conn: &mut AnyConnection,
    id: i64,
    maintenance: bool,
    note: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE monitors SET external_maintenance = $2, status_note = $3
         WHERE id = $1 AND (external_maintenance <> $2 OR COALESCE(status_note, '') <> COALESCE($3, ''))",
    )
    .bind(id)
    .bind(i64::from(maintenance))
    .bind(note)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
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

/// Monitors an ongoing event affects at `now` (by its times: the lifecycle is a function
/// of time), whose checks pause.
pub async fn under_maintenance(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
) -> Result<std::collections::HashSet<i64>, sqlx::Error> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT mm.monitor_id FROM events e
         JOIN maintenance_monitors mm ON mm.maintenance_id = e.maintenance_id
         WHERE e.cancelled_at IS NULL AND e.start_at <= $1 AND e.end_at > $1",
    )
    .bind(now.timestamp())
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().collect())
}

/// Records the status a checked monitor's checks found; false when the monitor is gone or
/// became manual meanwhile (a person's status is never overwritten).
pub async fn set_checked_status(
    conn: &mut AnyConnection,
    id: i64,
    status: MonitorStatus,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE monitors SET status = $2, updated_at = $3 WHERE id = $1 AND check_type <> 'manual'")
        .bind(id)
        .bind(status.as_str())
        .bind(now.timestamp())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives a monitor a new heartbeat secret (its SHA-256), or none.
pub async fn set_heartbeat_hash(conn: &mut AnyConnection, id: i64, hash: Option<&str>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE monitors SET heartbeat_hash = $2 WHERE id = $1")
        .bind(id)
        .bind(hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records a beat of the heartbeat monitor whose secret hashes to `hash`: its id and
/// stored status, or `None` when no heartbeat monitor has that secret. At most one write
/// a second per monitor, however often the job calls.
pub async fn beat(
    conn: &mut AnyConnection,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<(i64, MonitorStatus)>, sqlx::Error> {
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT id, status FROM monitors WHERE heartbeat_hash = $1 AND check_type = 'heartbeat'")
            .bind(hash)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((id, status)) = row else {
        return Ok(None);
    };
    sqlx::query("UPDATE monitors SET last_beat_at = $2 WHERE id = $1 AND (last_beat_at IS NULL OR last_beat_at < $2)")
        .bind(id)
        .bind(now.timestamp())
        .execute(conn)
        .await?;
    let status = MonitorStatus::try_from(status).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(Some((id, status)))
}
