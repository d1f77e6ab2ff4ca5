//! CPU-heavy work (password hashing, expanding a schedule someone typed) off the async
//! workers: on the blocking pool, at most one job per core at a time, so the status page
//! and every other request keep being served while it runs.

use std::sync::{Arc, OnceLock};

use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

fn permits() -> &'static Arc<Semaphore> {
    static PERMITS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    PERMITS.get_or_init(|| {
        Arc::new(Semaphore::new(
            std::thread::available_parallelism().map_or(2, |n| n.get()),
        ))
    })
}

/// Runs `f` on the blocking pool once a core is free.
pub async fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    run_on(permits(), f).await
}

async fn run_on<T: Send + 'static>(permits: &Arc<Semaphore>, f: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    // The job owns its permit: a caller that goes away (a client that hangs up) cannot
    // free the core while the job still runs on it.
    let permit = permits
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("CPU pool closed: {e}")))?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        f()
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("a CPU job failed: {e}")))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn callers_that_give_up_do_not_free_a_core_while_their_job_runs() {
        let permits = Arc::new(Semaphore::new(2));
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut callers = Vec::new();
        for _ in 0..12 {
            let (permits, running, most) = (permits.clone(), running.clone(), most.clone());
            let caller = tokio::spawn(async move {
                run_on(&permits, move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(100));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            });
            // Like a client hanging up while its preview is being expanded.
            tokio::time::sleep(Duration::from_millis(10)).await;
            caller.abort();
            callers.push(caller);
        }
        // Wait until every job that started has finished.
        let _ = permits.acquire_many(2).await;
        assert!(
            most.load(Ordering::SeqCst) <= 2,
            "{} jobs ran at once on 2 permits",
            most.load(Ordering::SeqCst)
        );
    }
}
