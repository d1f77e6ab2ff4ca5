//! Static files compiled into the binary and served under content-hashed paths
//! (`/static/{hash}/{name}`), so they can be cached for a year and still never go stale.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

const FILES: [(&str, &str, &[u8]); 4] = [
    (
        "style.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/style.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/app.js"),
    ),
    (
        "admin.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/admin.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../static/favicon.svg"),
    ),
];

/// The content hash of every file, computed once.
#[derive(Debug, Clone)]
pub struct Assets {
    hashes: Vec<(&'static str, String)>,
}

impl Default for Assets {
    fn default() -> Self {
        Self {
            hashes: FILES
                .iter()
                .map(|(name, _, bytes)| (*name, hex::encode(&Sha256::digest(bytes)[..6])))
                .collect(),
        }
    }
}

impl Assets {
    /// The URL path of a static file, e.g. `/static/1a2b3c4d5e6f/style.css`.
    pub fn url(&self, name: &str) -> String {
        let hash = self
            .hashes
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("0", |(_, h)| h.as_str());
        format!("/static/{hash}/{name}")
    }
}

/// `GET /static/{hash}/{name}`: the file, cached for a year when the hash is current.
pub async fn serve(Path((hash, name)): Path<(String, String)>) -> Response {
    let Some((_, mime, bytes)) = FILES.iter().find(|(n, _, _)| *n == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let current = hex::encode(&Sha256::digest(bytes)[..6]) == hash;
    let cache = if current {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        *bytes,
    )
        .into_response()
}
