//! Feeds for the tools operators already use: the maintenance calendar.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use super::tagged;
use crate::error::AppResult;
use crate::service::calendar;
use crate::web::AppState;
use crate::web::extract::ApiQuery;

#[derive(Debug, Deserialize)]
pub struct FeedQuery {
    /// Only what affects this monitor (its slug).
    monitor: Option<String>,
}

/// `GET /maintenance.ics[?monitor=slug]`: every active plan as a recurring event, for
/// calendar apps to subscribe to.
pub async fn calendar(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<FeedQuery>,
) -> AppResult<Response> {
    let body = calendar::feed(&state.services, &state.site, q.monitor.as_deref()).await?;
    Ok(tagged(
        &headers,
        "text/calendar; charset=utf-8",
        "public, max-age=60",
        body.into_bytes(),
    ))
}
