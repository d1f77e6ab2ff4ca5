//! HTTP: the public status page, the JSON API under `/api/v1` (documented at
//! `/api/openapi.json`) and health. Handlers are thin: extract, call a service, render.

pub mod admin;
pub mod api;
pub mod assets;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod markdown;
pub mod public;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::MatchedPath;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::routing::get;
use axum::{Json, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::Site;
use crate::error::AppError;
use crate::service::Services;
use assets::Assets;
use public::snapshot::Snapshots;

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub site: Arc<Site>,
    pub assets: Arc<Assets>,
    pub snapshots: Snapshots,
    pub throttle: crate::service::throttle::Throttle,
    pub signups: crate::service::subscribers::SignupLimits,
    /// Whether an SMTP server is configured (the dashboard says so when not).
    pub mail_configured: bool,
}

impl AppState {
    pub fn new(services: Services, site: Site) -> Self {
        Self {
            services,
            site: Arc::new(site),
            assets: Arc::new(Assets::default()),
            snapshots: Snapshots::default(),
            throttle: crate::service::admins::sign_in_throttle(),
            signups: Default::default(),
            mail_configured: false,
        }
    }
}

/// Scripts and styles only from this server; images also from https (a logo); no framing.
const CSP: &str = "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; \
    script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = api::router().split_for_parts();
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    Router::new()
        .merge(api)
        .merge(public::router())
        .merge(admin::router())
        .route("/api/openapi.json", get(move || async move { Json(openapi) }))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { AppError::NotFound("route") })
        .with_state(state)
        .layer(CompressionLayer::new())
        .layer(header(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::REFERRER_POLICY, "strict-origin-when-cross-origin"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(CatchPanicLayer::custom(|_| {
            axum::response::IntoResponse::into_response(AppError::Internal(anyhow::anyhow!("handler panicked")))
        }))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let path = req
                .extensions()
                .get::<MatchedPath>()
                .map(MatchedPath::as_str)
                .unwrap_or("unmatched");
            tracing::info_span!("http", method = %req.method(), path)
        }))
}
