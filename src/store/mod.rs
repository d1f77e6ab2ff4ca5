//! Persistence on SQLite (default) or PostgreSQL through sqlx's `Any` driver.
//!
//! One set of runtime queries serves both backends: the SQL used is the common dialect
//! (`$n` placeholders, `RETURNING`, `ON CONFLICT DO NOTHING`), instants are stored as Unix
//! seconds in 64-bit integers and flags as 0/1, so no query needs a per-backend twin.
//! Schema differences live in `migrations/{sqlite,postgres}/` with the same numbering.
//! Functions take `&mut AnyConnection` so services can compose them in one transaction.

pub mod admins;
pub mod audit;
pub mod checks;
pub mod events;
pub mod idempotency;
pub mod incidents;
pub mod maintenances;
pub mod monitors;
pub mod outbox;
pub mod scheduler;
pub mod silences;
pub mod subscribers;
pub mod tokens;
pub mod types;
pub mod webhooks;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor, Transaction};

pub use sqlx::{Any, AnyConnection};

/// A write transaction. On SQLite it also holds this process's turn at the write lock
/// (see [`Store::begin`]) until it commits, rolls back or is dropped. Derefs to the
/// connection, as sqlx's `Transaction` does.
pub struct Tx {
    inner: Transaction<'static, Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.inner.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.inner.rollback().await
    }
}

impl std::ops::Deref for Tx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How long anything waits on the database before giving up with an "unavailable" error
/// (503 to clients), so a hung or locked database hangs no request for long.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Waiting for a pooled connection (all in use, or the server not answering).
    pub acquire: Duration,
    /// SQLite: waiting for the write lock inside one statement (`busy_timeout`). Kept
    /// below `acquire`, so a writer stuck behind an outside lock gives its connection
    /// back (and retries) before readers waiting for one time out.
    pub busy: Duration,
    /// PostgreSQL: the longest a statement may run, lock waits included
    /// (`statement_timeout`).
    pub statement: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            acquire: Duration::from_secs(5),
            busy: Duration::from_secs(2),
            statement: Duration::from_secs(10),
        }
    }
}

/// Attempts of a SQLite write transaction that finds the write lock taken (each waits
/// up to [`Timeouts::busy`]) before the error reaches the caller.
const WRITE_ATTEMPTS: u32 = 3;

#[derive(Clone)]
pub struct Store {
    pub pool: AnyPool,
    pub backend: Backend,
    /// Kept for the PostgreSQL change listener; never logged (it may hold a password).
    url: std::sync::Arc<str>,
    /// SQLite: whose turn it is to write, first come first served (see [`Store::begin`]).
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
    timeouts: Timeouts,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

/// The PostgreSQL channel on which replicas tell each other that data changed.
pub const CHANGES_CHANNEL: &str = "lull_changes";

impl Store {
    /// Connects to `url` (`sqlite://file.db` or `postgres://…`), creating a SQLite file
    /// when missing.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        Self::connect_with(url, Timeouts::default()).await
    }

    /// [`Store::connect`] with other timeouts (tests shorten them).
    pub async fn connect_with(url: &str, timeouts: Timeouts) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if url.starts_with("sqlite:") {
            let url = if url.contains("mode=") {
                url.to_string()
            } else if url.contains('?') {
                format!("{url}&mode=rwc")
            } else {
                format!("{url}?mode=rwc")
            };
            (Backend::Sqlite, url)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(sqlx::Error::Configuration(
                "LULL_DATABASE_URL must start with sqlite: or postgres:".into(),
            ));
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 10 })
            .acquire_timeout(timeouts.acquire)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            // WAL lets readers run beside the one writer; the busy timeout
                            // makes writers queue (briefly) instead of failing.
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            let busy = format!("PRAGMA busy_timeout = {}", timeouts.busy.as_millis());
                            conn.execute(sqlx::AssertSqlSafe(busy)).await?;
                        }
                        Backend::Postgres => {
                            // A statement stuck behind a lock ends as "unavailable" instead
                            // of holding its request (and a pooled connection) open.
                            let timeout = format!("SET statement_timeout = {}", timeouts.statement.as_millis());
                            conn.execute(sqlx::AssertSqlSafe(timeout)).await?;
                            // A process frozen (or cut off) inside a transaction would hold
                            // its row locks for as long as its session lives, blocking the
                            // standby that took over the scheduler's lease on those rows:
                            // the server ends such a transaction after the lease's length.
                            conn.execute("SET idle_in_transaction_session_timeout = 15000").await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Self {
            pool,
            backend,
            url: url.into(),
            writer: std::sync::Arc::default(),
            timeouts,
        })
    }

    /// Applies pending migrations of this backend.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&self.pool).await,
            Backend::Postgres => {
                // A migration may rightly run longer than a request's statement timeout: it
                // runs on its own connection without one, which is closed afterwards.
                let mut conn = self.pool.acquire().await?;
                conn.close_on_drop();
                conn.execute("SET statement_timeout = 0").await?;
                sqlx::migrate!("./migrations/postgres").run(&mut *conn).await
            }
        }
    }

    /// Begins a write transaction. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`), so a transaction that reads before it writes cannot fail
    /// with SQLITE_BUSY when another writer got there first; a lock held elsewhere for
    /// longer than the busy timeout is waited out a few times, the connection going back
    /// to the pool between attempts, before "unavailable" reaches the caller.
    ///
    /// The writers of this process take turns first come, first served before they ask
    /// SQLite for the lock: SQLite's own waiting polls with sleeps of up to 100 ms, so
    /// writers queued there start late and in no order, which made the slowest writes
    /// (p99) several times the typical one under concurrent writes.
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        if self.backend == Backend::Postgres {
            return Ok(Tx {
                inner: self.pool.begin().await?,
                _turn: None,
            });
        }
        let wait = self.timeouts.busy * WRITE_ATTEMPTS;
        let turn = tokio::time::timeout(wait, self.writer.clone().lock_owned())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?;
        let mut attempt = 1;
        loop {
            match self.pool.begin_with("BEGIN IMMEDIATE").await {
                Err(e) if is_busy(&e) && attempt < WRITE_ATTEMPTS => {
                    tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
                    attempt += 1;
                }
                result => {
                    return result.map(|inner| Tx {
                        inner,
                        _turn: Some(turn),
                    });
                }
            }
        }
    }

    pub async fn conn(&self) -> Result<sqlx::pool::PoolConnection<Any>, sqlx::Error> {
        self.pool.acquire().await
    }

    /// Tells the other replicas that data changed (PostgreSQL `NOTIFY`); a no-op on
    /// SQLite, where there is only one process.
    pub async fn broadcast(&self) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify('lull_changes', '')")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// A listener for [`CHANGES_CHANNEL`] on PostgreSQL; `None` on SQLite.
    pub async fn listen(&self) -> Result<Option<sqlx::postgres::PgListener>, sqlx::Error> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let mut listener = sqlx::postgres::PgListener::connect(&self.url).await?;
        listener.listen(CHANGES_CHANNEL).await?;
        Ok(Some(listener))
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `$from, $from+1, …` for `n` values, for `IN (…)` lists and multi-row inserts.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// ` FOR UPDATE [OF table]` on PostgreSQL, nothing on SQLite (whose write transactions
/// are exclusive from their start).
pub(crate) fn row_lock(conn: &AnyConnection, of: &str) -> String {
    match (conn.backend_name(), of) {
        ("PostgreSQL", "") => " FOR UPDATE".into(),
        ("PostgreSQL", table) => format!(" FOR UPDATE OF {table}"),
        _ => String::new(),
    }
}

/// SQLite's "database is busy/locked": another writer holds the lock.
pub fn is_busy(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|e| e.try_downcast_ref::<sqlx::sqlite::SqliteError>())
        .and_then(sqlx::error::DatabaseError::code)
        .and_then(|code| code.parse::<i32>().ok())
        // The primary result code is the low byte of an extended one (SQLITE_BUSY_SNAPSHOT…).
        .is_some_and(|code| matches!(code & 0xff, 5 | 6))
}

/// Whether `err` says the database cannot serve right now (down, unreachable, overloaded,
/// locked, shutting down, a statement cut by its timeout) rather than that the query or
/// the data is wrong: such a request may simply be tried again later (HTTP 503).
pub fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(e) => match e.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
            // SQLSTATE classes 08 (connection), 53 (resources), 57 (operator intervention:
            // shutdown, statement timeout), lock and serialization failures.
            Some(pg) => {
                let code = pg.code();
                ["08", "53", "57"].iter().any(|c| code.starts_with(c)) || ["55P03", "40001", "40P01"].contains(&code)
            }
            None => is_busy(err),
        },
        _ => false,
    }
}

pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error().is_some_and(|e| e.is_unique_violation())
}

/// Creates an empty, uniquely named database (`lull_t_…`) on the PostgreSQL server of
/// `admin_url` and returns its URL; for tests and benchmarks.
pub async fn create_scratch_database(admin_url: &str) -> Result<String, sqlx::Error> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(admin_url).await?;
    let name = format!("lull_t_{}", hex::encode(rand::random::<[u8; 8]>()));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let prefix = base.rfind('/').map_or(base, |i| &base[..i]);
    Ok(format!("{prefix}/{name}{query}"))
}
