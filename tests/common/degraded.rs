//! Helpers for tests of degraded operation: a database whose timeouts are short (so a lock
//! held for a few seconds outlasts them), an outside writer holding the database's lock,
//! and a database that goes away.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use lull::service::Services;
use lull::store::{Backend, Store, Timeouts};
use sqlx::{Connection, Executor};

use super::{TestApp, TestDb};

/// Timeouts a few hundred milliseconds long: what production waits in seconds.
pub fn short_timeouts() -> Timeouts {
    Timeouts {
        acquire: StdDuration::from_millis(1000),
        busy: StdDuration::from_millis(300),
        statement: StdDuration::from_millis(1000),
    }
}

/// A fresh database opened with `timeouts`.
pub async fn db_with_timeouts(now: DateTime<Utc>, timeouts: Timeouts) -> TestDb {
    let mut db = TestDb::new(now).await;
    db.store.pool.close().await;
    db.store = Store::connect_with(&db.url, timeouts).await.unwrap();
    db.services = Services::new(db.store.clone(), Arc::new(db.clock.clone()));
    db
}

/// Another process's connection holding the write lock (SQLite: `BEGIN IMMEDIATE`) or,
/// on PostgreSQL, an exclusive lock on `tables`, until dropped or released.
pub struct OutsideLock {
    conn: sqlx::AnyConnection,
}

impl OutsideLock {
    pub async fn take(db: &TestDb, tables: &str) -> Self {
        let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        if db.store.backend == Backend::Sqlite {
            conn.execute("PRAGMA busy_timeout = 10000").await.unwrap();
            conn.execute("BEGIN IMMEDIATE").await.unwrap();
        } else {
            conn.execute("BEGIN").await.unwrap();
            conn.execute(sqlx::AssertSqlSafe(format!(
                "LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE"
            )))
            .await
            .unwrap();
        }
        Self { conn }
    }

    pub async fn release(mut self) {
        self.conn.execute("ROLLBACK").await.unwrap();
        self.conn.close().await.unwrap();
    }
}

/// Makes the database unreachable for the app: its pool closes, so no connection can be
/// had. Closing waits for connections in use (PostgreSQL's LISTEN holds one), so it runs
/// on its own task and is never awaited here.
pub async fn lose_database(app: &TestApp) {
    let pool = app.services.store.pool.clone();
    tokio::spawn(async move { pool.close().await });
    while !app.services.store.pool.is_closed() {
        tokio::task::yield_now().await;
    }
}
