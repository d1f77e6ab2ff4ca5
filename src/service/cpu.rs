//! CPU-heavy work (password hashing, expanding a schedule someone typed) off the async
//! workers: on the blocking pool, at most one job per core at a time, so the status page
//! and every other request keep being served while it runs.

use std::sync::OnceLock;

use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
}

/// Runs `f` on the blocking pool once a core is free.
pub async fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let _permit = permits()
        .acquire()
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("CPU pool closed: {e}")))?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("a CPU job failed: {e}")))
}
