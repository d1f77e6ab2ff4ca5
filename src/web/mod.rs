//! HTTP: the JSON API under `/api/v1` (documented at `/api/openapi.json`) and health.
//! Handlers are thin: extract, call a service, serialize.

pub mod api;
pub mod error;
pub mod extract;

use std::time::Duration;

use axum::extract::MatchedPath;
use axum::http::Request;
use axum::routing::get;
use axum::{Json, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::AppError;
use crate::service::Services;

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = api::router().split_for_parts();
    Router::new()
        .merge(api)
        .route(
            "/api/openapi.json",
            get(move || async move { Json(openapi) }),
        )
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { AppError::NotFound("route") })
        .with_state(state)
        .layer(CatchPanicLayer::custom(|_| {
            AppError::Internal(anyhow::anyhow!("handler panicked")).into_response_owned()
        }))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let path = req
                    .extensions()
                    .get::<MatchedPath>()
                    .map(MatchedPath::as_str)
                    .unwrap_or("unmatched");
                tracing::info_span!("http", method = %req.method(), path)
            }),
        )
}

impl AppError {
    fn into_response_owned(self) -> axum::response::Response {
        axum::response::IntoResponse::into_response(self)
    }
}
