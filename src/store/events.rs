//! Events (occurrences of maintenances) and their progress updates.

use sqlx::FromRow;

use super::{AnyConnection, placeholders};

#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub id: i64,
    pub maintenance_id: i64,
    pub scheduled_start: i64,
    pub scheduled_end: i64,
    pub start_at: i64,
    pub end_at: i64,
    pub lead: i64,
    pub status: String,
    pub cancelled_at: Option<i64>,
    pub cancel_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// 0 when the scheduler was not running at the window's end (see migration 0005).
    pub observed: i64,
    /// From the maintenance.
    pub title: String,
    pub description: String,
    pub timezone: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct UpdateRow {
    pub id: i64,
    pub event_id: i64,
    pub body: String,
    pub author: String,
    pub created_at: i64,
}

/// A new occurrence to store.
#[derive(Debug, Clone, Copy)]
pub struct NewEvent {
    pub maintenance_id: i64,
    pub start: i64,
    pub end: i64,
    pub lead: i64,
}

const SELECT: &str = "SELECT e.id, e.maintenance_id, e.scheduled_start, e.scheduled_end, e.start_at,
    e.end_at, e.lead, e.status, e.cancelled_at, e.cancel_reason, e.created_at, e.updated_at, e.observed,
    m.title, m.description, m.timezone
    FROM events e JOIN maintenances m ON m.id = e.maintenance_id";

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
pub async fn insert_missing(conn: &mut AnyConnection, events: &[NewEvent], now: i64) -> Result<u64, sqlx::Error> {
    insert(conn, events, "SCHEDULED", 1, now).await
}

/// Inserts occurrences that ended while no scheduler ran (downtime longer than the
/// horizon) as history: COMPLETED and not observed. Idempotent like [`insert_missing`].
pub async fn insert_unobserved(conn: &mut AnyConnection, events: &[NewEvent], now: i64) -> Result<u64, sqlx::Error> {
    insert(conn, events, "COMPLETED", 0, now).await
}

async fn insert(
    conn: &mut AnyConnection,
    events: &[NewEvent],
    status: &str,
    observed: i64,
    now: i64,
) -> Result<u64, sqlx::Error> {
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
                .bind(e.start)
                .bind(e.end)
                .bind(e.start)
                .bind(e.end)
                .bind(e.lead)
                .bind(status)
                .bind(observed)
                .bind(now)
                .bind(now);
        }
        inserted += query.execute(&mut *conn).await?.rows_affected();
    }
    Ok(inserted)
}

/// `(maintenance_id, scheduled_start)` of every event planned to start at or after `since`.
pub async fn keys_since(conn: &mut AnyConnection, since: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT maintenance_id, scheduled_start FROM events WHERE scheduled_start >= $1")
        .bind(since)
        .fetch_all(conn)
        .await
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
    pub from: Option<i64>,
    /// Events that start before this instant.
    pub to: Option<i64>,
    pub status: Option<String>,
    pub monitor: Option<String>,
    pub maintenance_id: Option<i64>,
    /// Only past maintenance: completed, or cancelled by an operator and due by now.
    pub history: bool,
    pub newest_first: bool,
    pub limit: i64,
    pub offset: i64,
}

pub async fn list(conn: &mut AnyConnection, f: &EventFilter, now: i64) -> Result<Vec<EventRow>, sqlx::Error> {
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
        condition("e.end_at > $?", Arg::Int(from));
    }
    // With a lower bound on the end (what is on now or ahead), the `end_at` index finds
    // the few events that matter; the unary `+` keeps SQLite from choosing the start-time
    // index for the order and walking every past event instead (160 ms → 2 ms with 1M
    // events of history).
    let start = if f.from.is_some() { "+e.start_at" } else { "e.start_at" };
    if let Some(to) = f.to {
        condition(&format!("{start} < $?"), Arg::Int(to));
    }
    if let Some(status) = &f.status {
        condition(&format!("{} = $?", status_sql("$1")), Arg::Text(status));
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
    pub scheduled_start: i64,
    pub scheduled_end: i64,
    pub start_at: i64,
    pub end_at: i64,
    pub lead: i64,
    pub cancelled_at: Option<i64>,
    pub cancel_reason: Option<String>,
    /// 1 when progress updates were posted on it.
    pub has_updates: i64,
}

/// Every event ending after `from` and starting before `to`, soonest first, unlimited.
/// (The `+`s keep SQLite on the `end_at` index, which finds the few windows not over yet,
/// instead of walking all history by start time; see [`list`].)
pub async fn windows(conn: &mut AnyConnection, from: i64, to: i64) -> Result<Vec<WindowRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.id, e.maintenance_id, e.scheduled_start, e.scheduled_end, e.start_at, e.end_at, e.lead,
                e.cancelled_at, e.cancel_reason,
                CASE WHEN EXISTS (SELECT 1 FROM event_updates u WHERE u.event_id = e.id) THEN 1 ELSE 0 END
                    AS has_updates
         FROM events e WHERE e.end_at > $1 AND +e.start_at < $2 ORDER BY +e.start_at, e.id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
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

/// Events of a maintenance that have not started and are not cancelled.
pub async fn not_started(
    conn: &mut AnyConnection,
    maintenance_id: i64,
    now: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE e.maintenance_id = $1 AND e.cancelled_at IS NULL AND e.start_at > $2 ORDER BY e.start_at"
    )))
    .bind(maintenance_id)
    .bind(now)
    .fetch_all(conn)
    .await
}

/// Future events that deactivation cancelled, which reactivation removes so the
/// schedule can generate them afresh.
pub async fn delete_deactivated(conn: &mut AnyConnection, maintenance_id: i64, now: i64) -> Result<u64, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM events WHERE maintenance_id = $1 AND cancel_reason = 'deactivated' AND start_at > $2")
            .bind(maintenance_id)
            .bind(now)
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
    pub scheduled_end: i64,
    pub start_at: i64,
    pub end_at: i64,
    pub lead: i64,
    pub status: String,
    pub cancelled_at: Option<i64>,
    pub cancel_reason: Option<String>,
}

impl Change {
    /// `e` cancelled at `now` for `reason` (`operator`, `skipped`, `deactivated`).
    pub fn cancelled(e: &EventRow, now: i64, reason: &str) -> Self {
        Self {
            scheduled_end: e.scheduled_end,
            start_at: e.start_at,
            end_at: e.end_at,
            lead: e.lead,
            status: "CANCELLED".into(),
            cancelled_at: Some(now),
            cancel_reason: Some(reason.into()),
        }
    }
}

/// Writes `change` only if the event still has the times and status it was read with and
/// is not cancelled (compare-and-set); false means someone else changed it first.
pub async fn change(conn: &mut AnyConnection, old: &EventRow, change: &Change, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE events SET scheduled_end = $4, start_at = $5, end_at = $6, lead = $7, status = $8,
            cancelled_at = $9, cancel_reason = $10, updated_at = $11
         WHERE id = $1 AND start_at = $2 AND end_at = $3 AND status = $12 AND cancelled_at IS NULL",
    )
    .bind(old.id)
    .bind(old.start_at)
    .bind(old.end_at)
    .bind(change.scheduled_end)
    .bind(change.start_at)
    .bind(change.end_at)
    .bind(change.lead)
    .bind(&change.status)
    .bind(change.cancelled_at)
    .bind(change.cancel_reason.as_deref())
    .bind(now)
    .bind(&old.status)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Events whose stored status lags their next boundary at `now`.
pub async fn due(conn: &mut AnyConnection, now: i64) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE e.cancelled_at IS NULL AND (
            (e.status = 'SCHEDULED' AND e.start_at - e.lead <= $1)
         OR (e.status = 'READY' AND e.start_at <= $1)
         OR (e.status = 'ONGOING' AND e.end_at <= $1))
         ORDER BY e.start_at LIMIT 1000"
    )))
    .bind(now)
    .fetch_all(conn)
    .await
}

/// The earliest boundary of any event whose lifecycle has not ended.
pub async fn next_boundary(conn: &mut AnyConnection) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT MIN(CASE WHEN status = 'SCHEDULED' THEN start_at - lead
                         WHEN status = 'READY' THEN start_at ELSE end_at END)
         FROM events WHERE cancelled_at IS NULL AND status IN ('SCHEDULED', 'READY', 'ONGOING')",
    )
    .fetch_one(conn)
    .await
}

/// Moves the stored status of `e` to `new` (`observed` false for a window whose end
/// passed while no scheduler ran); false when another scheduler (or an operator) changed
/// the event first.
pub async fn set_status(
    conn: &mut AnyConnection,
    e: &EventRow,
    new: &str,
    observed: bool,
    now: i64,
) -> Result<bool, sqlx::Error> {
    // The times are compared too: an operator who extended the event since it was read
    // may have made `new` wrong.
    let done = sqlx::query(
        "UPDATE events SET status = $3, updated_at = $4, observed = $7
         WHERE id = $1 AND status = $2 AND start_at = $5 AND end_at = $6 AND cancelled_at IS NULL",
    )
    .bind(e.id)
    .bind(&e.status)
    .bind(new)
    .bind(now)
    .bind(e.start_at)
    .bind(e.end_at)
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
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO event_updates (event_id, body, author, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(event_id)
    .bind(body)
    .bind(author)
    .bind(now)
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
    start: i64,
) -> Result<Option<EventRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE e.maintenance_id = $1 AND e.scheduled_start = $2"
    )))
    .bind(maintenance_id)
    .bind(start)
    .fetch_optional(conn)
    .await
}

/// The first instant after `now` at which any event that has not ended changes status
/// (its ready time, start or end), from the times alone.
pub async fn next_boundary_after(conn: &mut AnyConnection, now: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT MIN(CASE WHEN start_at - lead > $1 THEN start_at - lead
                         WHEN start_at > $1 THEN start_at ELSE end_at END)
         FROM events WHERE cancelled_at IS NULL AND end_at > $1",
    )
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Occurrences whose planned window has not passed but that an operator changed:
/// `(maintenance_id, scheduled_start, start_at, over)`, `over` when cancelled or completed
/// early (then it is not "next"), else moved (started early: next is its actual start).
pub async fn changed_ahead(
    conn: &mut AnyConnection,
    maintenance_id: Option<i64>,
    now: i64,
) -> Result<Vec<(i64, i64, i64, i64)>, sqlx::Error> {
    let sql = "SELECT maintenance_id, scheduled_start, start_at,
                CASE WHEN cancelled_at IS NOT NULL OR end_at <= $1 THEN 1 ELSE 0 END
         FROM events
         WHERE scheduled_end > $1 AND (cancelled_at IS NOT NULL OR end_at <= $1 OR start_at <> scheduled_start)";
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
