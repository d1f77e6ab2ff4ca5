//! The front page's in-memory snapshot: the status and the page rendered once per
//! language (plain and gzip, with an ETag), rebuilt when data changes and at each
//! lifecycle boundary, so `GET /` never touches the database.
//!
//! While the database cannot be read, the page keeps being rendered from the last data
//! read, with each window's status recomputed from the clock (a window that ends still
//! ends), and after [`STALE_AFTER`] it says plainly that it may be out of date.

use std::collections::HashSet;
use std::sync::{Arc, RwLock};

use askama::Template;
use axum::body::Bytes;
use axum::http::HeaderValue;
use chrono::{DateTime, Duration, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

use super::views::{Chrome, index};
use crate::config::Site;
use crate::error::{AppError, AppResult};
use crate::service::Services;
use crate::service::status::{self, Status, StatusData};
use crate::web::assets::Assets;
use crate::web::i18n::ALL;

/// Longest a snapshot lives without a change signal: changes made by another replica
/// reach this one's page within this time.
pub const MAX_AGE: Duration = Duration::seconds(15);

/// How old the last successful read may be before the page says its data may be out of
/// date (four missed refreshes: not a single slow one).
pub const STALE_AFTER: Duration = Duration::seconds(60);

/// How soon a failed read is tried again (and the page re-rendered from memory).
const RETRY: Duration = Duration::seconds(2);

pub struct RenderedPage {
    pub lang: &'static str,
    /// Shared buffers: a response clones a reference, not the page.
    pub html: Bytes,
    pub gzip: Bytes,
    pub etag: String,
    /// `etag` and the build time as header values, made once per build, not per request.
    pub etag_header: HeaderValue,
    pub last_modified: HeaderValue,
}

pub struct Snapshot {
    /// The status as of `built_at`.
    pub status: Status,
    /// What it was computed from, read from the database at `read_at`.
    data: Arc<StatusData>,
    pub read_at: DateTime<Utc>,
    /// When the pages were rendered.
    pub built_at: DateTime<Utc>,
    pub pages: Vec<RenderedPage>,
}

impl Snapshot {
    pub fn page(&self, lang: &str) -> Option<&RenderedPage> {
        self.pages.iter().find(|p| p.lang == lang).or(self.pages.first())
    }
}

/// The current snapshot, shared by all requests.
#[derive(Clone, Default)]
pub struct Snapshots {
    current: Arc<RwLock<Option<Arc<Snapshot>>>>,
}

impl Snapshots {
    pub fn get(&self) -> Option<Arc<Snapshot>> {
        self.current.read().ok().and_then(|s| s.clone())
    }

    fn set(&self, snapshot: Snapshot) {
        if let Ok(mut current) = self.current.write() {
            *current = Some(Arc::new(snapshot));
        }
    }

    /// Reads the data and builds a snapshot now.
    pub async fn refresh(&self, s: &Services, site: &Site, assets: &Assets) -> AppResult<()> {
        let now = s.now();
        let prev = self.get().map(|o| o.data.clone());
        let data = status::load_after(s, prev.as_deref()).await?;
        self.set(build_off_thread(Arc::new(data), now, now, site, assets).await?);
        Ok(())
    }

    /// Reads the plans `ids` again, keeps the rest of the last data read, and builds a
    /// snapshot now; reads everything when there is no snapshot yet.
    pub async fn refresh_plans(&self, s: &Services, ids: &HashSet<i64>, site: &Site, assets: &Assets) -> AppResult<()> {
        let Some(old) = self.get() else {
            return self.refresh(s, site, assets).await;
        };
        let now = s.now();
        let data = old.data.reload_plans(s, ids).await?;
        // `read_at` stays the last full read: it says how old the rest of the data is.
        self.set(build_off_thread(Arc::new(data), old.read_at, now, site, assets).await?);
        Ok(())
    }

    /// Reads what changed since the last build (as the services noted it) and builds the
    /// snapshot: everything when asked to or when the last full read is [`MAX_AGE`] old,
    /// else the plans written to, else nothing (the statuses follow from the clock).
    async fn update(&self, s: &Services, site: &Site, assets: &Assets) -> AppResult<()> {
        let now = s.now();
        let dirty = s.take_page_dirty();
        let old = self.get();
        let full = dirty.all || old.as_ref().is_none_or(|o| now - o.read_at >= MAX_AGE);
        let done = if full {
            self.refresh(s, site, assets).await
        } else if !dirty.plans.is_empty() {
            self.refresh_plans(s, &dirty.plans, site, assets).await
        } else if let Some(old) = old {
            let snapshot = build_off_thread(old.data.clone(), old.read_at, now, site, assets).await;
            snapshot.map(|snapshot| self.set(snapshot))
        } else {
            Ok(())
        };
        if done.is_err() {
            // What could not be read is read in full next time.
            s.mark_page(None);
        }
        done
    }

    /// Renders the last data read again for `now` (the database could not be read).
    fn rerender(&self, now: DateTime<Utc>, site: &Site, assets: &Assets) -> AppResult<Option<DateTime<Utc>>> {
        let Some(old) = self.get() else { return Ok(None) };
        let next = old.data.next_boundary(now);
        self.set(build(old.data.clone(), old.read_at, now, site, assets)?);
        Ok(next)
    }

    /// Keeps the snapshot fresh until `shutdown`.
    pub async fn run(self, s: Services, site: Arc<Site>, assets: Arc<Assets>, shutdown: CancellationToken) {
        loop {
            let began = std::time::Instant::now();
            let updated = self.update(&s, &site, &assets).await;
            let took = began.elapsed();
            let wake = match updated {
                Ok(()) => {
                    let now = s.now();
                    let snapshot = self.get();
                    let full_read = snapshot.as_ref().map_or(now, |o| o.read_at + MAX_AGE);
                    let boundary = snapshot.and_then(|o| o.data.next_boundary(now));
                    boundary.map_or(full_read, |b| b.min(full_read))
                }
                Err(e) => {
                    match e {
                        AppError::Unavailable(_) => {
                            tracing::warn!(error = %e, "status page: database unavailable, serving from memory");
                        }
                        _ => tracing::error!(error = %e, "rebuilding the status page failed"),
                    }
                    // The read may have taken a while (timeouts): render for the time now.
                    let now = s.now();
                    let next = self.rerender(now, &site, &assets).unwrap_or_else(|e| {
                        tracing::error!(error = %e, "rendering the status page from memory failed");
                        None
                    });
                    next.map_or(now + RETRY, |b| b.min(now + RETRY))
                }
            };
            let changed = tokio::select! {
                () = s.clock.sleep_until(wake) => false,
                () = s.page_changes.notified() => true,
                () = shutdown.cancelled() => return,
            };
            // A page of thousands of plans takes a while to render: under a stream of
            // writes, rest as long as the last build took, so the page never takes more
            // than half a core from the writes themselves (the changes meanwhile are noted
            // and all read at the next build).
            if changed {
                tokio::select! {
                    () = tokio::time::sleep(took.min(std::time::Duration::from_secs(1))) => {}
                    () = shutdown.cancelled() => return,
                }
            }
        }
    }
}

/// [`build`] on the blocking pool: a page of thousands of plans takes a good part of a
/// second to render and compress, and on an async worker it would hold up every request
/// queued behind it.
async fn build_off_thread(
    data: Arc<StatusData>,
    read_at: DateTime<Utc>,
    now: DateTime<Utc>,
    site: &Site,
    assets: &Assets,
) -> AppResult<Snapshot> {
    let (site, assets) = (site.clone(), assets.clone());
    tokio::task::spawn_blocking(move || build(data, read_at, now, &site, &assets))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("rendering the status page failed: {e}")))?
}

/// Renders every language's page for `now` from `data` (read at `read_at`).
fn build(
    data: Arc<StatusData>,
    read_at: DateTime<Utc>,
    now: DateTime<Utc>,
    site: &Site,
    assets: &Assets,
) -> AppResult<Snapshot> {
    let status = data.at(now);
    let stale = (now - read_at > STALE_AFTER).then(|| read_at.format("%H:%M UTC").to_string());
    let mut pages = Vec::new();
    let last_modified =
        HeaderValue::from_str(&now.format("%a, %d %b %Y %H:%M:%S GMT").to_string()).map_err(anyhow::Error::from)?;
    for m in ALL {
        let chrome = Chrome::new(site, m, assets, site.name.clone(), "/");
        let html = index(chrome, &status, stale.clone())
            .render()
            .map_err(|e| anyhow::anyhow!("rendering the status page: {e}"))?
            .into_bytes();
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        std::io::Write::write_all(&mut gz, &html).map_err(anyhow::Error::from)?;
        let gzip = gz.finish().map_err(anyhow::Error::from)?;
        let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&html)[..12]));
        pages.push(RenderedPage {
            lang: m.lang,
            html: html.into(),
            gzip: gzip.into(),
            etag_header: HeaderValue::from_str(&etag).map_err(anyhow::Error::from)?,
            etag,
            last_modified: last_modified.clone(),
        });
    }
    Ok(Snapshot {
        status,
        data,
        read_at,
        built_at: now,
        pages,
    })
}
