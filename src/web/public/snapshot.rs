//! The front page's in-memory snapshot: the status and the page rendered once per
//! language (plain and gzip, with an ETag), rebuilt when data changes and at each
//! lifecycle boundary, so `GET /` never touches the database.
//!
//! While the database cannot be read, the page keeps being rendered from the last data
//! read, with each window's status recomputed from the clock (a window that ends still
//! ends), and after [`STALE_AFTER`] it says plainly that it may be out of date.

use std::sync::{Arc, RwLock};

use askama::Template;
use axum::body::Bytes;
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
use crate::store::events;
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
        let data = status::load(s).await?;
        self.set(build(Arc::new(data), now, now, site, assets)?);
        Ok(())
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
            let now = s.now();
            let wake = match self.refresh(&s, &site, &assets).await {
                Ok(()) => next_boundary(&s, now)
                    .await
                    .map_or(now + MAX_AGE, |b| b.min(now + MAX_AGE)),
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
            tokio::select! {
                () = s.clock.sleep_until(wake) => {}
                () = s.page_changes.notified() => {}
                () = shutdown.cancelled() => return,
            }
        }
    }
}

async fn next_boundary(s: &Services, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let mut conn = s.store.conn().await.ok()?;
    events::next_boundary_by_times(&mut conn, now).await.ok().flatten()
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
            etag,
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
