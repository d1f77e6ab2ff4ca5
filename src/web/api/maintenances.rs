//! `/api/v1/maintenances`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::AppResult;
use crate::service::events::{self, EventQuery};
use crate::service::maintenances::{self, MaintenanceInput, MaintenancePatch, SkipInput};
use crate::web::AppState;
use crate::web::api::views::{self, EventView, MaintenanceView};
use crate::web::error::ErrorBody;
use crate::web::extract::{ApiJson, ApiQuery, Auth, id};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(list_events))
        .routes(routes!(skip))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// ACTIVE or INACTIVE.
    status: Option<String>,
}

/// All maintenances, newest first.
#[utoipa::path(get, path = "/api/v1/maintenances", tag = "maintenances", params(ListQuery),
    security(("token" = [])), responses((status = 200, body = Vec<MaintenanceView>), (status = 401, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    _: Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> AppResult<Json<Vec<MaintenanceView>>> {
    let list = maintenances::list(&state.services, q.status.as_deref()).await?;
    Ok(Json(list.iter().map(MaintenanceView::from).collect()))
}

/// Schedules a maintenance. The response carries its events and any `warnings` about
/// overlaps with other maintenances on the same monitors (saving still succeeded).
#[utoipa::path(post, path = "/api/v1/maintenances", tag = "maintenances", request_body = MaintenanceInput,
    security(("token" = [])),
    responses((status = 201, body = MaintenanceView), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(input): ApiJson<MaintenanceInput>,
) -> AppResult<(StatusCode, Json<MaintenanceView>)> {
    Ok((
        StatusCode::CREATED,
        Json((&maintenances::create(&state.services, &actor, input).await?).into()),
    ))
}

/// One maintenance with its recent and upcoming events.
#[utoipa::path(get, path = "/api/v1/maintenances/{id}", tag = "maintenances", params(("id" = i64, Path)),
    security(("token" = [])), responses((status = 200, body = MaintenanceView), (status = 404, body = ErrorBody)))]
async fn get_one(State(state): State<AppState>, _: Auth, Path(raw): Path<String>) -> AppResult<Json<MaintenanceView>> {
    Ok(Json(
        (&maintenances::view(&state.services, id(&raw, "maintenance")?, true).await?).into(),
    ))
}

/// Changes a maintenance. A new schedule regenerates events that have not started;
/// `status: INACTIVE` cancels them. Started and past events are never touched.
#[utoipa::path(patch, path = "/api/v1/maintenances/{id}", tag = "maintenances", request_body = MaintenancePatch,
    params(("id" = i64, Path)), security(("token" = [])),
    responses((status = 200, body = MaintenanceView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(raw): Path<String>,
    ApiJson(patch): ApiJson<MaintenancePatch>,
) -> AppResult<Json<MaintenanceView>> {
    let id = id(&raw, "maintenance")?;
    Ok(Json(
        (&maintenances::update(&state.services, &actor, id, patch).await?).into(),
    ))
}

/// Deletes a maintenance and all its events.
#[utoipa::path(delete, path = "/api/v1/maintenances/{id}", tag = "maintenances", params(("id" = i64, Path)),
    security(("token" = [])), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete(State(state): State<AppState>, Auth(actor): Auth, Path(raw): Path<String>) -> AppResult<StatusCode> {
    maintenances::delete(&state.services, &actor, id(&raw, "maintenance")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The events of one maintenance, with the same filters as `GET /api/v1/events`.
#[utoipa::path(get, path = "/api/v1/maintenances/{id}/events", tag = "maintenances",
    params(("id" = i64, Path), EventQuery), security(("token" = [])),
    responses((status = 200, body = Vec<EventView>), (status = 404, body = ErrorBody)))]
async fn list_events(
    State(state): State<AppState>,
    _: Auth,
    Path(raw): Path<String>,
    ApiQuery(q): ApiQuery<EventQuery>,
) -> AppResult<Json<Vec<EventView>>> {
    let id = id(&raw, "maintenance")?;
    maintenances::view(&state.services, id, false).await?;
    Ok(Json(views::events(
        &events::list(&state.services, &q.to_filter(Some(id))?).await?,
    )))
}

/// Skips one occurrence ahead of time (like iCalendar's EXDATE); it is never generated.
#[utoipa::path(post, path = "/api/v1/maintenances/{id}/skip", tag = "maintenances", request_body = SkipInput,
    params(("id" = i64, Path)), security(("token" = [])),
    responses((status = 200, body = MaintenanceView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn skip(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<SkipInput>,
) -> AppResult<Json<MaintenanceView>> {
    let id = id(&raw, "maintenance")?;
    Ok(Json(
        (&maintenances::skip(&state.services, &actor, id, input).await?).into(),
    ))
}
