//! The front page's in-memory snapshot: the status and the page rendered once per
//! language (plain and gzip, with an ETag), rebuilt when data changes and at each
//! lifecycle boundary, so `GET /` never touches the database.

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
use crate::error::AppResult;
use crate::service::status::{self, StatusView};
use crate::service::{Services, from_ts};
use crate::store::events;
use crate::web::assets::Assets;
use crate::web::i18n::ALL;

/// Longest a snapshot lives without a change signal: changes made by another replica
/// reach this one's page within this time.
pub const MAX_AGE: Duration = Duration::seconds(15);

pub struct RenderedPage {
    pub lang: &'static str,
    /// Shared buffers: a response clones a reference, not the page.
    pub html: Bytes,
    pub gzip: Bytes,
    pub etag: String,
}

pub struct Snapshot {
    pub status: StatusView,
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

    /// Builds a snapshot now.
    pub async fn refresh(&self, s: &Services, site: &Site, assets: &Assets) -> AppResult<()> {
        let snapshot = build(s, site, assets).await?;
        self.set(snapshot);
        Ok(())
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
                    tracing::error!(error = %e, "rebuilding the status page failed");
                    now + Duration::seconds(2)
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
    events::next_boundary_after(&mut conn, now.timestamp())
        .await
        .ok()
        .flatten()
        .map(from_ts)
}

async fn build(s: &Services, site: &Site, assets: &Assets) -> AppResult<Snapshot> {
    let status = status::status(s).await?;
    let mut pages = Vec::new();
    for m in ALL {
        let chrome = Chrome::new(site, m, assets, site.name.clone(), "/");
        let html = index(chrome, &status)
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
        built_at: s.now(),
        pages,
    })
}
