//! `/api/v1/monitors`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::domain::impact::{EffectiveStatus, Impact};
use crate::domain::schedule::format_utc;
use crate::error::{AppError, AppResult};
use crate::service::events::Event;
use crate::service::monitors::{self, CheckView, MonitorInput, MonitorPatch, MonitorView, UptimeView};
use crate::service::status::Status;
use crate::web::AppState;
use crate::web::api::views::EventView;
use crate::web::error::ErrorBody;
use crate::web::extract::{ApiJson, ApiQuery, Auth};
use crate::web::public::tagged;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(checks))
        .routes(routes!(heartbeat))
        .routes(routes!(uptime))
        .routes(routes!(maintenance_flag))
}

/// Whether a monitor is under planned maintenance right now: for proxies and pipelines
/// that hold back alerts or deploys, or serve a maintenance page, while it is.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MaintenanceFlag {
    /// True while an ONGOING event affects the monitor (whatever its impact).
    pub in_maintenance: bool,
    /// That event (the one ending last, when several overlap); null when none.
    pub event: Option<EventView>,
    /// The most severe impact the ongoing events put on the monitor; null when none.
    pub impact: Option<Impact>,
    /// When the last of them is planned to end (RFC 3339, UTC); null when none.
    pub until: Option<String>,
}

/// The flag of monitor `slug` from the page's snapshot in memory (no database read):
/// `None` for a monitor the page does not know.
pub fn flag(status: &Status, slug: &str) -> Option<MaintenanceFlag> {
    status.monitors.iter().find(|m| m.slug == slug)?;
    let affecting: Vec<(&Event, Impact)> = status
        .ongoing
        .iter()
        .filter_map(|e| e.monitors.iter().find(|m| m.slug == slug).map(|m| (e, m.impact)))
        .collect();
    let last = affecting.iter().max_by_key(|(e, _)| (e.end, e.id)).map(|(e, _)| *e);
    Some(MaintenanceFlag {
        in_maintenance: last.is_some(),
        event: last.map(EventView::from),
        impact: affecting
            .iter()
            .map(|(_, i)| *i)
            .max_by_key(|i| EffectiveStatus::from(*i)),
        until: last.map(|e| format_utc(e.end)),
    })
}

/// Whether monitor `slug` is under maintenance now, answered from memory: cheap enough to
/// ask on every request at a proxy. `X-Lull-In-Maintenance` carries the flag too (`true` or
/// `false`), for proxies that read headers but not JSON (nginx's `auth_request_set`).
#[utoipa::path(get, path = "/api/v1/monitors/{id}/maintenance", tag = "monitors",
    params(("id" = String, Path, description = "The monitor's slug")),
    responses((status = 200, body = MaintenanceFlag,
            headers(("ETag" = String), ("Cache-Control" = String, description = "max-age=5"),
                ("X-Lull-In-Maintenance" = String, description = "true or false"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, body = ErrorBody)))]
async fn maintenance_flag(State(state): State<AppState>, Path(slug): Path<String>, headers: HeaderMap) -> Response {
    let Some(snapshot) = state.snapshots.get() else {
        let body = ErrorBody {
            error: "unavailable",
            message: "starting: the status has not been read yet".into(),
            field: None,
        };
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "1")],
            Json(body),
        )
            .into_response();
    };
    let Some(flag) = flag(&snapshot.status, &slug) else {
        return AppError::NotFound("monitor").into_response();
    };
    let body = match serde_json::to_vec(&flag) {
        Ok(body) => body,
        Err(e) => return AppError::Internal(e.into()).into_response(),
    };
    let mut response = tagged(&headers, "application/json", "max-age=5", body);
    let in_maintenance = if flag.in_maintenance { "true" } else { "false" };
    response.headers_mut().insert(
        HeaderName::from_static("x-lull-in-maintenance"),
        HeaderValue::from_static(in_maintenance),
    );
    response
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct UptimeQuery {
    /// How many UTC days, today included (1–365, default 90).
    #[param(minimum = 1, maximum = 365)]
    days: Option<i64>,
}

/// A monitor's daily roll-up: per UTC day the seconds up, down, degraded and in
/// maintenance, and the uptime % (up, DEGRADED included, over the time observed outside
/// maintenance: planned work never lowers it).
#[utoipa::path(get, path = "/api/v1/monitors/{id}/uptime", tag = "monitors",
    params(("id" = String, Path, description = "Numeric id or slug"), UptimeQuery),
    responses((status = 200, body = UptimeView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn uptime(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<UptimeQuery>,
) -> AppResult<Json<UptimeView>> {
    Ok(Json(
        monitors::uptime(&state.services, &id, q.days.unwrap_or(90)).await?,
    ))
}

/// A beat from a heartbeat monitor's job (no token: the secret is the credential). The
/// monitor is DOWN when no beat arrives within its `interval` plus `timeout` (the grace);
/// a beat makes it UP again at once.
#[utoipa::path(post, path = "/api/v1/heartbeat/{secret}", tag = "monitors",
    params(("secret" = String, Path, description = "The monitor's heartbeat secret")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn heartbeat(State(state): State<AppState>, Path(secret): Path<String>) -> AppResult<StatusCode> {
    monitors::beat(&state.services, &secret).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ChecksQuery {
    /// At most this many results (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

/// A monitor's recent check results, newest first (time, status, latency in ms, error):
/// its last 100 and every result that changed its status. Errors only with a token.
#[utoipa::path(get, path = "/api/v1/monitors/{id}/checks", tag = "monitors",
    params(("id" = String, Path, description = "Numeric id or slug"), ChecksQuery), security((), ("token" = [])),
    responses((status = 200, body = Vec<CheckView>), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn checks(
    State(state): State<AppState>,
    auth: Option<Auth>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ChecksQuery>,
) -> AppResult<Json<Vec<CheckView>>> {
    let limit = q.limit.unwrap_or(100);
    Ok(Json(
        monitors::checks(&state.services, &id, limit, auth.is_some()).await?,
    ))
}

/// All monitors, by group and name. Where and how a monitor is checked (`url`, `target`,
/// `method`, `keyword`, `expect_status`, …) is shown only to token holders: it names
/// inside addresses.
#[utoipa::path(get, path = "/api/v1/monitors", tag = "monitors", security((), ("token" = [])), responses((status = 200, body = Vec<MonitorView>), (status = 401, body = ErrorBody)))]
async fn list(State(state): State<AppState>, auth: Option<Auth>) -> AppResult<Json<Vec<MonitorView>>> {
    let mut list = monitors::list(&state.services).await?;
    if auth.is_none() {
        list.iter_mut().for_each(MonitorView::hide_check_details);
    }
    Ok(Json(list))
}

/// Creates a monitor.
#[utoipa::path(post, path = "/api/v1/monitors", tag = "monitors", request_body = MonitorInput,
    security(("token" = [])),
    responses((status = 201, body = MonitorView), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(input): ApiJson<MonitorInput>,
) -> AppResult<(StatusCode, Json<MonitorView>)> {
    Ok((
        StatusCode::CREATED,
        Json(monitors::create(&state.services, &actor, input).await?),
    ))
}

/// One monitor, by id or slug (its check details only with a token, as in the list).
#[utoipa::path(get, path = "/api/v1/monitors/{id}", tag = "monitors",
    params(("id" = String, Path, description = "Numeric id or slug")), security((), ("token" = [])),
    responses((status = 200, body = MonitorView), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn get_one(
    State(state): State<AppState>,
    auth: Option<Auth>,
    Path(id): Path<String>,
) -> AppResult<Json<MonitorView>> {
    let mut m = monitors::get(&state.services, &id).await?;
    if auth.is_none() {
        m.hide_check_details();
    }
    Ok(Json(m))
}

/// Changes a monitor (including its manual status).
#[utoipa::path(patch, path = "/api/v1/monitors/{id}", tag = "monitors", request_body = MonitorPatch,
    params(("id" = String, Path, description = "Numeric id or slug")), security(("token" = [])),
    responses((status = 200, body = MonitorView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<MonitorPatch>,
) -> AppResult<Json<MonitorView>> {
    Ok(Json(monitors::update(&state.services, &actor, &id, patch).await?))
}

/// Deletes a monitor; maintenances stop affecting it.
#[utoipa::path(delete, path = "/api/v1/monitors/{id}", tag = "monitors",
    params(("id" = String, Path, description = "Numeric id or slug")), security(("token" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete(State(state): State<AppState>, Auth(actor): Auth, Path(id): Path<String>) -> AppResult<StatusCode> {
    monitors::delete(&state.services, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
