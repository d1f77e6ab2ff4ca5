//! `GET /api/v1/status` and `GET /api/v1/schedule/preview`: public.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::domain::format;
use crate::domain::schedule::{Occurrence, Schedule, format_utc};
use crate::error::AppResult;
use crate::service::cpu;
use crate::service::events::parse_instant;
use crate::service::maintenances::{WindowNote, mark_windows, preview as preview_schedule};
use crate::service::status;
use crate::web::AppState;
use crate::web::api::views::StatusView;
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
    Ok(Json(StatusView::from(&status::status(&state.services).await?)))
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
    /// Only windows starting at or after this instant (RFC 3339, or `now`).
    from: Option<String>,
    /// Mark the windows this saved maintenance skipped or cancelled (`note`).
    maintenance: Option<i64>,
}

/// One window of a schedule: UTC instants, and the same as people read it.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Window {
    pub start: String,
    pub end: String,
    /// In the schedule's zone, e.g. `Sun 6 Dec 2026, 03:00–05:00 CET`.
    #[serde(default)]
    pub local: String,
    /// In UTC, e.g. `02:00–04:00 UTC`.
    #[serde(default)]
    pub utc: String,
    /// `skipped` or `cancelled` when this window of the maintenance will not happen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<WindowNote>,
}

/// The first windows of a schedule that is not saved: what `lull schedule preview` prints.
#[utoipa::path(get, path = "/api/v1/schedule/preview", tag = "maintenances", params(PreviewQuery),
    responses((status = 200, body = Vec<Window>), (status = 422, body = ErrorBody)))]
async fn preview(State(state): State<AppState>, ApiQuery(q): ApiQuery<PreviewQuery>) -> AppResult<Json<Vec<Window>>> {
    let from = match q.from.as_deref().map(str::trim) {
        Some("now") => Some(state.services.now()),
        Some(f) => Some(parse_instant("from", f)?),
        None => None,
    };
    let limit = q.limit.unwrap_or(10);
    let maintenance = q.maintenance;
    // Expanding a rule someone typed is CPU work: off the async workers.
    let (schedule, from, windows) = cpu::run(move || {
        // Validates every part (naming the field at fault) and the limit.
        preview_schedule(&q.rrule, &q.start, &q.tz, q.duration, limit, from)?;
        let schedule = Schedule::parse(&q.start, &q.tz, q.duration, &q.rrule)?;
        let from = from.unwrap_or_else(|| schedule.resolve(schedule.start));
        let windows = schedule.preview(Some(from), limit);
        Ok::<_, crate::domain::FieldError>((schedule, from, windows))
    })
    .await??;
    let windows = mark_windows(&state.services, maintenance, from, windows).await?;
    Ok(Json(
        windows
            .into_iter()
            .map(|(o, note)| window(&schedule, o, note))
            .collect(),
    ))
}

pub fn window(schedule: &Schedule, o: Occurrence, note: Option<WindowNote>) -> Window {
    Window {
        start: format_utc(o.start),
        end: format_utc(o.end),
        local: format::window(o.start, o.end, schedule.tz, &format::ENGLISH_DATES),
        utc: format::window_utc(o.start, o.end, schedule.tz),
        note,
    }
}
