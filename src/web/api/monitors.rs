//! `/api/v1/monitors`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::AppResult;
use crate::service::monitors::{self, MonitorInput, MonitorPatch, MonitorView};
use crate::web::AppState;
use crate::web::error::ErrorBody;
use crate::web::extract::{ApiJson, Auth};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
}

/// All monitors, by group and name.
#[utoipa::path(get, path = "/api/v1/monitors", tag = "monitors", responses((status = 200, body = Vec<MonitorView>)))]
async fn list(State(state): State<AppState>) -> AppResult<Json<Vec<MonitorView>>> {
    Ok(Json(monitors::list(&state.services).await?))
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

/// One monitor, by id or slug.
#[utoipa::path(get, path = "/api/v1/monitors/{id}", tag = "monitors",
    params(("id" = String, Path, description = "Numeric id or slug")),
    responses((status = 200, body = MonitorView), (status = 404, body = ErrorBody)))]
async fn get_one(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Json<MonitorView>> {
    Ok(Json(monitors::get(&state.services, &id).await?))
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
