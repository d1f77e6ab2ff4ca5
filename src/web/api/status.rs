//! `GET /api/v1/status` and `GET /api/v1/schedule/preview`: public.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::domain::schedule::format_utc;
use crate::error::AppResult;
use crate::service::events::parse_instant;
use crate::service::maintenances::preview as preview_schedule;
use crate::service::status::{self, StatusView};
use crate::web::AppState;
use crate::web::error::ErrorBody;
use crate::web::extract::ApiQuery;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_status))
        .routes(routes!(preview))
}

/// Every monitor's effective status, ongoing maintenance and what is coming in 7 days.
#[utoipa::path(get, path = "/api/v1/status", tag = "status",
    responses((status = 200, body = StatusView)))]
async fn get_status(State(state): State<AppState>) -> AppResult<Json<StatusView>> {
    Ok(Json(status::status(&state.services).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PreviewQuery {
    /// RRULE; one-time when empty.
    #[serde(default)]
    rrule: String,
    /// Local start, `YYYY-MM-DDTHH:MM[:SS]`.
    start: String,
    /// IANA zone.
    tz: String,
    /// Window length in seconds.
    duration: i64,
    /// At most this many windows (default 10, at most 1000).
    limit: Option<usize>,
    /// Only windows starting at or after this instant (RFC 3339).
    from: Option<String>,
}

/// One window of a schedule, in UTC.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Window {
    pub start: String,
    pub end: String,
}

/// The first windows of a schedule that is not saved: what `lull schedule preview` prints.
#[utoipa::path(get, path = "/api/v1/schedule/preview", tag = "maintenances", params(PreviewQuery),
    responses((status = 200, body = Vec<Window>), (status = 422, body = ErrorBody)))]
async fn preview(ApiQuery(q): ApiQuery<PreviewQuery>) -> AppResult<Json<Vec<Window>>> {
    let from = q.from.as_deref().map(|f| parse_instant("from", f)).transpose()?;
    let windows = preview_schedule(&q.rrule, &q.start, &q.tz, q.duration, q.limit.unwrap_or(10), from)?;
    Ok(Json(
        windows
            .into_iter()
            .map(|o| Window {
                start: format_utc(o.start),
                end: format_utc(o.end),
            })
            .collect(),
    ))
}
