//! `/api/v1/monitors`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::AppResult;
use crate::service::monitors::{self, CheckView, MonitorInput, MonitorPatch, MonitorView, UptimeView};
use crate::web::AppState;
use crate::web::error::ErrorBody;
use crate::web::extract::{ApiJson, ApiQuery, Auth};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(checks))
        .routes(routes!(heartbeat))
        .routes(routes!(uptime))
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
