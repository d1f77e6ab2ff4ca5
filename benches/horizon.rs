//! Horizon benchmark: expand and store the 7-day horizon for 10,000 ACTIVE recurring
//! maintenances, then run the same pass again (everything exists: the idempotent case).
//!
//!     cargo bench --bench horizon
//!     LULL_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench horizon
//!
//! SQLite always runs; PostgreSQL runs when LULL_BENCH_POSTGRES_URL names a server on
//! which a scratch database can be created.

use std::sync::Arc;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use lull::clock::ManualClock;
use lull::service::{Services, horizon};
use lull::store::Store;

const MAINTENANCES: usize = 10_000;

/// A mix of schedules people write: daily, a few weekdays, every 6 hours, monthly.
const RULES: [&str; 4] = [
    "FREQ=DAILY",
    "FREQ=WEEKLY;BYDAY=MO,WE,FR",
    "FREQ=HOURLY;INTERVAL=6",
    "FREQ=MONTHLY;BYDAY=1SU,3SU",
];
const ZONES: [&str; 4] = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC"];

async fn seed(store: &Store) {
    let mut tx = store.begin().await.unwrap();
    for i in 0..MAINTENANCES {
        sqlx::query(
            "INSERT INTO maintenances (title, description, start_local, timezone, duration, rrule, status,
                reminder_lead, notify_scheduled, notify_reminder, notify_start, notify_completion,
                notify_cancellation, created_at, updated_at)
             VALUES ($1, '', $2, $3, 3600, $4, 'ACTIVE', 3600, 1, 1, 1, 1, 1, 0, 0)",
        )
        .bind(format!("Maintenance {i}"))
        .bind(format!(
            "2026-04-{:02}T{:02}:{:02}:00",
            1 + i % 28,
            i % 24,
            (i * 7) % 60
        ))
        .bind(ZONES[i % ZONES.len()])
        .bind(RULES[(i / 4) % RULES.len()])
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn run(label: &str, url: &str) {
    let store = lull::app::open_store(url).await.unwrap();
    seed(&store).await;
    let now = Utc.with_ymd_and_hms(2026, 5, 10, 12, 0, 0).unwrap();
    let services = Services::new(store.clone(), Arc::new(ManualClock::new(now)));

    let started = Instant::now();
    let first = horizon::pass(&services).await.unwrap();
    let first_time = started.elapsed();
    let started = Instant::now();
    let second = horizon::pass(&services).await.unwrap();
    let second_time = started.elapsed();
    assert_eq!(second.inserted, 0, "a second pass finds everything in place");
    println!(
        "{label}: {} maintenances, {} events stored in {:.2} s ({:.0} events/s); repeat pass {:.2} s",
        first.maintenances,
        first.inserted,
        first_time.as_secs_f64(),
        first.inserted as f64 / first_time.as_secs_f64(),
        second_time.as_secs_f64(),
    );
    store.close().await;
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    run("sqlite", &format!("sqlite://{}", dir.path().join("bench.db").display())).await;
    if let Ok(admin) = std::env::var("LULL_BENCH_POSTGRES_URL") {
        let url = lull::store::create_scratch_database(&admin)
            .await
            .expect("PostgreSQL for the benchmark");
        run("postgres", &url).await;
    }
}
