//! Events (occurrences of maintenances) and their progress updates.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use sqlx::FromRow;

use super::types::{Flag, MaybeSeconds, MaybeText, Seconds, ZoneName};
use super::{AnyConnection, placeholders};
use crate::domain::lifecycle::{CancelReason, EventStatus, Timing};

#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub id: i64,
    pub maintenance_id: i64,
    #[sqlx(try_from = "Seconds")]
    pub scheduled_start: DateTime<Utc>,
    #[sqlx(try_from = "Seconds")]
    pub scheduled_end: DateTime<Utc>,
    #[sqlx(try_from = "Seconds")]
    pub start_at: DateTime<Utc>,
    #[sqlx(try_from = "Seconds")]
    pub end_at: DateTime<Utc>,
    #[sqlx(try_from = "Seconds")]
    pub lead: TimeDelta,
    /// The last status the scheduler (or an operator) applied; what is shown comes from
    /// [`EventRow::timing`] and the clock.
    #[sqlx(try_from = "String")]
    pub status: EventStatus,
    #[sqlx(try_from = "MaybeSeconds")]
    pub cancelled_at: Option<DateTime<Utc>>,
    #[sqlx(try_from = "MaybeText")]
    pub cancel_reason: Option<CancelReason>,
    #[sqlx(try_from = "Seconds")]
    pub created_at: DateTime<Utc>,
    #[sqlx(try_from = "Seconds")]
    pub updated_at: DateTime<Utc>,
    /// False when the scheduler was not running at the window's end (see migration 0005).
    #[sqlx(try_from = "Flag")]
    pub observed: bool,
    /// From the maintenance.
    pub title: String,
    pub description: String,
    #[sqlx(try_from = "ZoneName")]
    pub timezone: Tz,
}

impl EventRow {
    pub fn timing(&self) -> Timing {
        Timing {
            start: self.start_at,
            end: self.end_at,
            lead: self.lead,
            cancelled: self.cancelled_at.is_some(),
        }
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct UpdateRow {
    pub id: i64,
    pub event_id: i64,
    pub body: String,
    pub author: String,
    #[sqlx(try_from = "Seconds")]
    pub created_at: DateTime<Utc>,
}

/// A new occurrence to store.
#[derive(Debug, Clone, Copy)]
pub struct NewEvent {
    pub maintenance_id: i64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub lead: TimeDelta,
}

/// What an [`EventRow`] is read from, before the FROM.
macro_rules! event_columns {
    () => {
        "SELECT e.id, e.maintenance_id, e.scheduled_start, e.scheduled_end, e.start_at,
    e.end_at, e.lead, e.status, e.cancelled_at, e.cancel_reason, e.created_at, e.updated_at, e.observed,
    m.title, m.description, m.timezone"
    };
}

const SELECT: &str = concat!(
    event_columns!(),
    " FROM events e JOIN maintenances m ON m.id = e.maintenance_id"
);

/// The lifecycle status at `$N` as SQL, mirroring `domain::lifecycle::Timing::status_at`;
/// used only to filter lists (what is shown always comes from the Rust function).
fn status_sql(now: &str) -> String {
    format!(
        "(CASE WHEN e.cancelled_at IS NOT NULL THEN 'CANCELLED'
              WHEN e.end_at <= {now} THEN 'COMPLETED'
              WHEN e.start_at <= {now} THEN 'ONGOING'
              WHEN e.start_at - e.lead <= {now} THEN 'READY'
              ELSE 'SCHEDULED' END)"
    )
}

/// Rows per INSERT.
const INSERT_BATCH: usize = 100;

/// Inserts occurrences that do not exist yet; returns how many were new. Idempotent:
/// the unique key `(maintenance_id, scheduled_start)` makes racing schedulers harmless,
/// and a cancelled occurrence keeps its row, so it is never generated again.
pub async fn insert_missing(
    conn: &mut AnyConnection,
    events: &[NewEvent],
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    insert(conn, events, EventStatus::Scheduled, true, now).await
}

/// Inserts occurrences that ended while no scheduler ran (downtime longer than the
/// horizon) as history: COMPLETED and not observed. Idempotent like [`insert_missing`].
pub async fn insert_unobserved(
    conn: &mut AnyConnection,
    events: &[NewEvent],
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    insert(conn, events, EventStatus::Completed, false, now).await
}

async fn insert(
    conn: &mut AnyConnection,
    events: &[NewEvent],
    status: EventStatus,
    observed: bool,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let now = now.timestamp();
    const COLS: usize = 10;
    // SQLite finds each `$n` parameter by a linear scan of the statement's parameter
    // names, which makes a 900-parameter insert quadratic; plain `?` avoids it.
    let sqlite = conn.backend_name() == "SQLite";
    let mut inserted = 0;
    for chunk in events.chunks(INSERT_BATCH) {
        let values = (0..chunk.len())
            .map(|i| {
                if sqlite {
                    format!("({})", ["?"; COLS].join(", "))
                } else {
                    format!("({})", placeholders(i * COLS + 1, COLS))
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO events (maintenance_id, scheduled_start, scheduled_end, start_at, end_at, lead,
                status, observed, created_at, updated_at) VALUES {values}
             ON CONFLICT (maintenance_id, scheduled_start) DO NOTHING"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for e in chunk {
            query = query
                .bind(e.maintenance_id)
                .bind(e.start.timestamp())
                .bind(e.end.timestamp())
                .bind(e.start.timestamp())
                .bind(e.end.timestamp())
                .bind(e.lead.num_seconds())
                .bind(status.as_str())
                .bind(i64::from(observed))
                .bind(now)
                .bind(now);
        }
        inserted += query.execute(&mut *conn).await?.rows_affected();
    }
    Ok(inserted)
}

/// `(maintenance_id, scheduled_start)` of every event planned to start at or after `since`.
pub async fn keys_since(
    conn: &mut AnyConnection,
    since: DateTime<Utc>,
) -> Result<Vec<(i64, DateTime<Utc>)>, sqlx::Error> {
    let rows: Vec<(i64, i64)> =
        sqlx::query_as("SELECT maintenance_id, scheduled_start FROM events WHERE scheduled_start >= $1")
            .bind(since.timestamp())
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(|(m, start)| Ok((m, instant(start)?))).collect()
}

/// A stored instant read as a plain column (outside a [`FromRow`] struct).
fn instant(ts: i64) -> Result<DateTime<Utc>, sqlx::Error> {
    DateTime::try_from(Seconds(ts)).map_err(|e| sqlx::Error::Decode(e.into()))
}

/// The event, locked against concurrent writers until the transaction ends.
pub async fn get_for_update(conn: &mut AnyConnection, id: i64) -> Result<Option<EventRow>, sqlx::Error> {
    let lock = super::row_lock(conn, "e");
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE e.id = $1{lock}")))
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<EventRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE e.id = $1")))
        .bind(id)
        .fetch_optional(conn)
        .await
}

#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Events that end after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Events that start before this instant.
    pub to: Option<DateTime<Utc>>,
    pub status: Option<EventStatus>,
    pub monitor: Option<String>,
    pub maintenance_id: Option<i64>,
    /// Only past maintenance: completed, or cancelled by an operator and due by now.
    pub history: bool,
    pub newest_first: bool,
    pub limit: i64,
    pub offset: i64,
}

pub async fn list(conn: &mut AnyConnection, f: &EventFilter, now: DateTime<Utc>) -> Result<Vec<EventRow>, sqlx::Error> {
    let now = now.timestamp();
    // Only the filters given become conditions: a catch-all `($n IS NULL OR …)` hides
    // the maintenance and window indexes from the planner, and every per-plan query
    // then scans the whole (ever-growing) table.
    enum Arg<'a> {
        Int(i64),
        Text(&'a str),
    }
    let mut args: Vec<Arg<'_>> = vec![];
    let mut conditions = String::new();
    // `now` is $1 when the status or history conditions need it.
    if f.status.is_some() || f.history {
        args.push(Arg::Int(now));
    }
    let mut condition = |sql: &str, arg| {
        args.push(arg);
        conditions.push_str(&format!(" AND {}", sql.replace("$?", &format!("${}", args.len()))));
    };
    if let Some(from) = f.from {
        condition("e.end_at > $?", Arg::Int(from.timestamp()));
    }
    // With a lower bound on the end (what is on now or ahead), the `end_at` index finds
    // the few events that matter; the unary `+` keeps SQLite from choosing the start-time
    // index for the order and walking every past event instead (160 ms → 2 ms with 1M
    // events of history). One plan's events come in order from the plan's own index
    // (`events_plan_start`), which the `+` would hide.
    let start = if f.from.is_some() && f.maintenance_id.is_none() {
        "+e.start_at"
    } else {
        "e.start_at"
    };
    if let Some(to) = f.to {
        condition(&format!("{start} < $?"), Arg::Int(to.timestamp()));
    }
    if let Some(status) = &f.status {
        condition(&format!("{} = $?", status_sql("$1")), Arg::Text(status.as_str()));
    }
    if let Some(monitor) = &f.monitor {
        condition(
            "EXISTS (SELECT 1 FROM maintenance_monitors mm JOIN monitors mo ON mo.id = mm.monitor_id
                     WHERE mm.maintenance_id = e.maintenance_id AND mo.slug = $?)",
            Arg::Text(monitor),
        );
    }
    if let Some(id) = f.maintenance_id {
        condition("e.maintenance_id = $?", Arg::Int(id));
    }
    if f.history {
        conditions.push_str(
            // `+` again: walk the start-time index from the newest and stop at a page, rather
            // than gather all history through two indexes and sort it (1.4 s → 9 ms).
            " AND ((e.cancelled_at IS NULL AND +e.end_at <= $1) OR (e.cancel_reason = 'operator' AND +e.start_at <= $1))",
        );
    }
    let order = if f.newest_first { "DESC" } else { "ASC" };
    let sql = format!(
        "{SELECT} WHERE 1 = 1{conditions} ORDER BY {start} {order}, e.id {order} LIMIT ${} OFFSET ${}",
        args.len() + 1,
        args.len() + 2,
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for arg in args {
        query = match arg {
            Arg::Int(v) => query.bind(v),
            Arg::Text(v) => query.bind(v),
        };
    }
    query.bind(f.limit).bind(f.offset).fetch_all(conn).await
}

/// The times of an event, without its plan's text: what the status page holds for every
/// window of the next days, however many there are.
#[derive(Debug, Clone, FromRow)]
pub struct WindowRow {
    pub id: i64,
    pub maintenance_id: i64,
    #[sqlx(try_from = "Seconds")]
    pub scheduled_start: DateTime<Utc>,
    #[sqlx(try_from = "Seconds")]
    pub scheduled_end: DateTime<Utc>,
    #[sqlx(try_from = "Seconds")]
    pub start_at: DateTime<Utc>,
    #[sqlx(try_from = "Seconds")]
    pub end_at: DateTime<Utc>,
    #[sqlx(try_from = "Seconds")]
    pub lead: TimeDelta,
    #[sqlx(try_from = "MaybeSeconds")]
    pub cancelled_at: Option<DateTime<Utc>>,
    #[sqlx(try_from = "MaybeText")]
    pub cancel_reason: Option<CancelReason>,
    #[sqlx(try_from = "Seconds")]
    pub created_at: DateTime<Utc>,
    /// Whether progress updates were posted on it.
    #[sqlx(try_from = "Flag")]
    pub has_updates: bool,
}

impl WindowRow {
    pub fn timing(&self) -> Timing {
        Timing {
            start: self.start_at,
            end: self.end_at,
            lead: self.lead,
            cancelled: self.cancelled_at.is_some(),
        }
    }
}

/// Every event ending after `from` and starting before `to`, soonest first, unlimited.
/// (The `+`s keep SQLite on the `end_at` index, which finds the few windows not over yet,
/// instead of walking all history by start time; see [`list`].)
pub async fn windows(
    conn: &mut AnyConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<WindowRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.id, e.maintenance_id, e.scheduled_start, e.scheduled_end, e.start_at, e.end_at, e.lead,
                e.cancelled_at, e.cancel_reason, e.created_at,
                CASE WHEN EXISTS (SELECT 1 FROM event_updates u WHERE u.event_id = e.id) THEN 1 ELSE 0 END
                    AS has_updates
         FROM events e WHERE e.end_at > $1 AND +e.start_at < $2 ORDER BY +e.start_at, e.id",
    )
    .bind(from.timestamp())
    .bind(to.timestamp())
    .fetch_all(conn)
    .await
}

/// [`windows`] of the given plans only (to refresh the page after they changed), through
/// the plan index.
pub async fn plan_windows(
    conn: &mut AnyConnection,
    maintenance_ids: &[i64],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<WindowRow>, sqlx::Error> {
    if maintenance_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT e.id, e.maintenance_id, e.scheduled_start, e.scheduled_end, e.start_at, e.end_at, e.lead,
                e.cancelled_at, e.cancel_reason, e.created_at,
                CASE WHEN EXISTS (SELECT 1 FROM event_updates u WHERE u.event_id = e.id) THEN 1 ELSE 0 END
                    AS has_updates
         FROM events e WHERE e.maintenance_id IN ({}) AND e.start_at < ${} AND e.end_at > ${}
         ORDER BY e.start_at, e.id",
        placeholders(1, maintenance_ids.len()),
        maintenance_ids.len() + 1,
        maintenance_ids.len() + 2,
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in maintenance_ids {
        query = query.bind(*id);
    }
    query.bind(to.timestamp()).bind(from.timestamp()).fetch_all(conn).await
}

/// The events with these ids, in no particular order.
pub async fn by_ids(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<EventRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("{SELECT} WHERE e.id IN ({})", placeholders(1, ids.len()));
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    query.fetch_all(conn).await
}

/// Events of ACTIVE plans that ended after `since` and differ from their schedule:
/// cancelled, or moved (started early, extended, completed early). What a calendar feed
/// writes as EXDATE and overriding VEVENTs. (The partial index `events_exceptions`, of
/// migration 0021, holds just these rows: keep the condition as it is written there.)
pub async fn exceptions(conn: &mut AnyConnection, since: DateTime<Utc>) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        // `+` on the join: the few rows of the partial index lead, rather than every
        // event of every ACTIVE plan through the plan index (0.7 s at 5,000 plans).
        "{} FROM events e JOIN maintenances m ON m.id = +e.maintenance_id
         WHERE e.end_at > $1 AND m.status = 'ACTIVE'
            AND (e.cancelled_at IS NOT NULL OR e.start_at <> e.scheduled_start OR e.end_at <> e.scheduled_end)
         ORDER BY e.maintenance_id, e.scheduled_start",
        event_columns!()
    )))
    .bind(since.timestamp())
    .fetch_all(conn)
    .await
}

/// Events by lifecycle status at `now`, of those ending after `after` (the earlier ones
/// are counted once, by [`ended_between`]).
pub async fn count_by_status(
    conn: &mut AnyConnection,
    after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {} AS s, COUNT(*) FROM events e WHERE e.end_at > $2 GROUP BY 1",
        status_sql("$1")
    )))
    .bind(now.timestamp())
    .bind(after.timestamp())
    .fetch_all(conn)
    .await
}

/// The windows that end after `after` (all, without it) and by `upto`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ended {
    /// Not cancelled: COMPLETED.
    pub completed: i64,
    pub cancelled: i64,
    /// Of the completed ones that were seen (observed): how many ended at most each
    /// bound's seconds after their scheduled end (cumulative, as Prometheus buckets are),
    /// how many they are, and the sum of those differences.
    pub cumulative: Vec<i64>,
    pub count: i64,
    pub sum: i64,
}

impl Ended {
    /// Adds the windows of a later span (counted with the same bounds).
    pub fn add(&mut self, later: &Ended) {
        self.cumulative.resize(later.cumulative.len(), 0);
        for (c, l) in self.cumulative.iter_mut().zip(&later.cumulative) {
            *c += l;
        }
        self.count += later.count;
        self.sum += later.sum;
        self.completed += later.completed;
        self.cancelled += later.cancelled;
    }
}

/// Counts the windows that end in (`after`, `upto`], for `bounds` (seconds).
pub async fn ended_between(
    conn: &mut AnyConnection,
    bounds: &[f64],
    after: Option<DateTime<Utc>>,
    upto: DateTime<Utc>,
) -> Result<Ended, sqlx::Error> {
    const SEEN: &str = "e.cancelled_at IS NULL AND e.observed = 1";
    let buckets: String = bounds
        .iter()
        .map(|b| {
            format!(
                "CAST(COALESCE(SUM(CASE WHEN {SEEN} AND e.end_at - e.scheduled_end <= {} THEN 1 ELSE 0 END), 0) AS BIGINT), ",
                *b as i64
            )
        })
        .collect();
    let sql = format!(
        "SELECT {buckets}
                CAST(COALESCE(SUM(CASE WHEN {SEEN} THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN {SEEN} THEN e.end_at - e.scheduled_end ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN e.cancelled_at IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN e.cancelled_at IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT)
         FROM events e WHERE e.end_at > $1 AND e.end_at <= $2"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(after.map_or(i64::MIN, |t| t.timestamp()))
        .bind(upto.timestamp())
        .fetch_one(conn)
        .await?;
    use sqlx::Row;
    let n = bounds.len();
    Ok(Ended {
        cumulative: (0..n).map(|i| row.try_get::<i64, _>(i)).collect::<Result<_, _>>()?,
        count: row.try_get(n)?,
        sum: row.try_get(n + 1)?,
        completed: row.try_get(n + 2)?,
        cancelled: row.try_get(n + 3)?,
    })
}

/// Events of a maintenance that have not started and are not cancelled.
pub async fn not_started(
    conn: &mut AnyConnection,
    maintenance_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE e.maintenance_id = $1 AND e.cancelled_at IS NULL AND e.start_at > $2 ORDER BY e.start_at"
    )))
    .bind(maintenance_id)
    .bind(now.timestamp())
    .fetch_all(conn)
    .await
}

/// Future events that deactivation cancelled, which reactivation removes so the
/// schedule can generate them afresh.
pub async fn delete_deactivated(
    conn: &mut AnyConnection,
    maintenance_id: i64,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM events WHERE maintenance_id = $1 AND cancel_reason = 'deactivated' AND start_at > $2")
            .bind(maintenance_id)
            .bind(now.timestamp())
            .execute(conn)
            .await?;
    Ok(done.rows_affected())
}

pub async fn delete(conn: &mut AnyConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM events WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The new times and state an operator action (or a schedule edit) gives an event.
#[derive(Debug, Clone)]
pub struct Change {
    pub scheduled_end: DateTime<Utc>,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub lead: TimeDelta,
    pub status: EventStatus,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<CancelReason>,
}

impl Change {
    /// `e` cancelled at `now` for `reason`.
    pub fn cancelled(e: &EventRow, now: DateTime<Utc>, reason: CancelReason) -> Self {
        Self {
            scheduled_end: e.scheduled_end,
            start_at: e.start_at,
            end_at: e.end_at,
            lead: e.lead,
            status: EventStatus::Cancelled,
            cancelled_at: Some(now),
            cancel_reason: Some(reason),
        }
    }
}

/// Writes `change` only if the event still has the times and status it was read with and
/// is not cancelled (compare-and-set); false means someone else changed it first.
#[tracing::instrument(level = "debug", skip_all, fields(event = old.id), err(level = "debug"))]
pub async fn change(
    conn: &mut AnyConnection,
    old: &EventRow,
    change: &Change,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE events SET scheduled_end = $4, start_at = $5, end_at = $6, lead = $7, status = $8,
            cancelled_at = $9, cancel_reason = $10, updated_at = $11
         WHERE id = $1 AND start_at = $2 AND end_at = $3 AND status = $12 AND cancelled_at IS NULL",
    )
    .bind(old.id)
    .bind(old.start_at.timestamp())
    .bind(old.end_at.timestamp())
    .bind(change.scheduled_end.timestamp())
    .bind(change.start_at.timestamp())
    .bind(change.end_at.timestamp())
    .bind(change.lead.num_seconds())
    .bind(change.status.as_str())
    .bind(change.cancelled_at.map(|t| t.timestamp()))
    .bind(change.cancel_reason.map(CancelReason::as_str))
    .bind(now.timestamp())
    .bind(old.status.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Events whose stored status lags their next boundary at `now` (each status read
/// through its index: see migration 0012).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn due(conn: &mut AnyConnection, now: DateTime<Utc>) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE e.id IN (
            SELECT id FROM events
             WHERE status = 'SCHEDULED' AND cancelled_at IS NULL AND start_at - lead <= $1
            UNION ALL
            SELECT id FROM events WHERE status = 'READY' AND cancelled_at IS NULL AND start_at <= $1
            UNION ALL
            SELECT id FROM events WHERE status = 'ONGOING' AND cancelled_at IS NULL AND end_at <= $1)
         ORDER BY e.start_at LIMIT 1000"
    )))
    .bind(now.timestamp())
    .fetch_all(conn)
    .await
}

/// The earliest boundary of any event whose lifecycle has not ended, by its stored
/// status: the scheduler's next piece of work (possibly already past, when it is behind).
pub async fn next_stored_boundary(conn: &mut AnyConnection) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    // One indexed lookup per status (`events_ready_at`, `events_status`), not a scan.
    let at: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(t) FROM (
            SELECT (SELECT start_at - lead FROM events
                     WHERE status = 'SCHEDULED' AND cancelled_at IS NULL
                     ORDER BY start_at - lead LIMIT 1) AS t
            UNION ALL
            SELECT (SELECT start_at FROM events WHERE status = 'READY' AND cancelled_at IS NULL
                     ORDER BY start_at LIMIT 1)
            UNION ALL
            SELECT (SELECT end_at FROM events WHERE status = 'ONGOING' AND cancelled_at IS NULL
                     ORDER BY end_at LIMIT 1)) boundaries",
    )
    .fetch_one(conn)
    .await?;
    at.map(instant).transpose()
}

/// Moves the stored status of `e` to `new` (`observed` false for a window whose end
/// passed while no scheduler ran); false when another scheduler (or an operator) changed
/// the event first.
pub async fn set_status(
    conn: &mut AnyConnection,
    e: &EventRow,
    new: EventStatus,
    observed: bool,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    // The times are compared too: an operator who extended the event since it was read
    // may have made `new` wrong.
    let done = sqlx::query(
        "UPDATE events SET status = $3, updated_at = $4, observed = $7
         WHERE id = $1 AND status = $2 AND start_at = $5 AND end_at = $6 AND cancelled_at IS NULL",
    )
    .bind(e.id)
    .bind(e.status.as_str())
    .bind(new.as_str())
    .bind(now.timestamp())
    .bind(e.start_at.timestamp())
    .bind(e.end_at.timestamp())
    .bind(i64::from(observed))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn insert_update(
    conn: &mut AnyConnection,
    event_id: i64,
    body: &str,
    author: &str,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO event_updates (event_id, body, author, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(event_id)
    .bind(body)
    .bind(author)
    .bind(now.timestamp())
    .fetch_one(conn)
    .await
}

/// Progress updates of the given events, newest first.
pub async fn updates_for(conn: &mut AnyConnection, event_ids: &[i64]) -> Result<Vec<UpdateRow>, sqlx::Error> {
    if event_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, event_id, body, author, created_at FROM event_updates WHERE event_id IN ({})
         ORDER BY created_at DESC, id DESC",
        placeholders(1, event_ids.len())
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in event_ids {
        query = query.bind(*id);
    }
    query.fetch_all(conn).await
}

/// The event of maintenance `maintenance_id` planned to start at `start`, if stored.
pub async fn by_occurrence(
    conn: &mut AnyConnection,
    maintenance_id: i64,
    start: DateTime<Utc>,
) -> Result<Option<EventRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE e.maintenance_id = $1 AND e.scheduled_start = $2"
    )))
    .bind(maintenance_id)
    .bind(start.timestamp())
    .fetch_optional(conn)
    .await
}

/// The first instant after `now` at which any event that has not ended changes status
/// (its ready time, start or end), from the times alone, whatever the stored status says:
/// when the page must be rebuilt.
pub async fn next_boundary_by_times(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let at: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(CASE WHEN start_at - lead > $1 THEN start_at - lead
                         WHEN start_at > $1 THEN start_at ELSE end_at END)
         FROM events WHERE cancelled_at IS NULL AND end_at > $1",
    )
    .bind(now.timestamp())
    .fetch_one(conn)
    .await?;
    at.map(instant).transpose()
}

/// An occurrence whose planned window has not passed but that an operator changed.
#[derive(Debug, Clone, FromRow)]
pub struct ChangedAhead {
    pub maintenance_id: i64,
    #[sqlx(try_from = "Seconds")]
    pub scheduled_start: DateTime<Utc>,
    #[sqlx(try_from = "Seconds")]
    pub start_at: DateTime<Utc>,
    /// Cancelled or completed early: then it is not "next". Otherwise it was moved
    /// (started early), and next is its actual start.
    #[sqlx(try_from = "Flag")]
    pub over: bool,
}

/// Occurrences whose planned window has not passed but that an operator changed, of one
/// maintenance or all.
///
/// The last condition follows from the one before it, given `scheduled_end > now`; it is
/// spelled out so the planner can use the partial index `events_changed`, which holds only
/// such rows, instead of looking up every event to come (500 → 0.1 ms with 5,000 plans).
pub async fn changed_ahead(
    conn: &mut AnyConnection,
    maintenance_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Vec<ChangedAhead>, sqlx::Error> {
    let sql = "SELECT maintenance_id, scheduled_start, start_at,
                CASE WHEN cancelled_at IS NOT NULL OR end_at <= $1 THEN 1 ELSE 0 END AS over
         FROM events
         WHERE scheduled_end > $1 AND (cancelled_at IS NOT NULL OR end_at <= $1 OR start_at <> scheduled_start)
           AND (cancelled_at IS NOT NULL OR end_at <> scheduled_end OR start_at <> scheduled_start)";
    let now = now.timestamp();
    match maintenance_id {
        Some(id) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{sql} AND maintenance_id = $2")))
                .bind(now)
                .bind(id)
                .fetch_all(conn)
                .await
        }
        None => sqlx::query_as(sql).bind(now).fetch_all(conn).await,
    }
}
