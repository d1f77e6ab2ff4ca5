//! `/api/v1/incidents`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::views::IncidentView;
use crate::error::AppResult;
use crate::service::incidents::{self, IncidentInput, IncidentPatch, IncidentUpdateInput};
use crate::web::AppState;
use crate::web::error::ErrorBody;
use crate::web::extract::{ApiJson, ApiQuery, Auth, id};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, open))
        .routes(routes!(get_one, patch, delete))
        .routes(routes!(post_update))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// At most this many (1–500, default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// Open incidents (oldest first), then those resolved in the last 90 days (latest
/// first). Drafts only with a token.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents", params(ListQuery),
    security((), ("token" = [])),
    responses((status = 200, body = Vec<IncidentView>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    auth: Option<Auth>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> AppResult<Json<Vec<IncidentView>>> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(crate::error::AppError::invalid("limit", "must be from 1 to 500"));
    }
    let list = incidents::list(&state.services, auth.is_some(), limit).await?;
    Ok(Json(list.iter().map(IncidentView::from).collect()))
}

/// Opens an incident with its first update; subscribers and webhooks are told
/// (`incident_opened`) unless `notify` is false or it is a `draft`.
#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents", request_body = IncidentInput,
    security(("token" = [])),
    responses((status = 201, body = IncidentView), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn open(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(input): ApiJson<IncidentInput>,
) -> AppResult<(StatusCode, Json<IncidentView>)> {
    let i = incidents::open(&state.services, &actor, input).await?;
    Ok((StatusCode::CREATED, Json(IncidentView::from(&i))))
}

/// One incident with its updates (a draft only with a token).
#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "incidents",
    params(("id" = i64, Path, description = "Incident id")), security((), ("token" = [])),
    responses((status = 200, body = IncidentView), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn get_one(
    State(state): State<AppState>,
    auth: Option<Auth>,
    Path(raw): Path<String>,
) -> AppResult<Json<IncidentView>> {
    let i = incidents::get(&state.services, id(&raw, "incident")?, auth.is_some()).await?;
    Ok(Json(IncidentView::from(&i)))
}

/// Posts a timestamped update and moves the incident to its `status` (unchanged when
/// left out); RESOLVED ends it (`incident_resolved`), others tell `incident_update`. A
/// resolved incident takes no more updates (409).
#[utoipa::path(post, path = "/api/v1/incidents/{id}/updates", tag = "incidents", request_body = IncidentUpdateInput,
    params(("id" = i64, Path, description = "Incident id")), security(("token" = [])),
    responses((status = 201, body = IncidentView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn post_update(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<IncidentUpdateInput>,
) -> AppResult<(StatusCode, Json<IncidentView>)> {
    let i = incidents::post_update(&state.services, &actor, id(&raw, "incident")?, input).await?;
    Ok((StatusCode::CREATED, Json(IncidentView::from(&i))))
}

/// Corrects the title or the affected monitors, or publishes a draft (`"draft": false`).
#[utoipa::path(patch, path = "/api/v1/incidents/{id}", tag = "incidents", request_body = IncidentPatch,
    params(("id" = i64, Path, description = "Incident id")), security(("token" = [])),
    responses((status = 200, body = IncidentView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 401, body = ErrorBody)))]
async fn patch(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<IncidentPatch>,
) -> AppResult<Json<IncidentView>> {
    let i = incidents::patch(&state.services, &actor, id(&raw, "incident")?, input).await?;
    Ok(Json(IncidentView::from(&i)))
}

/// Deletes an incident opened by mistake (it leaves the page and the history).
#[utoipa::path(delete, path = "/api/v1/incidents/{id}", tag = "incidents",
    params(("id" = i64, Path, description = "Incident id")), security(("token" = [])),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn delete(State(state): State<AppState>, Auth(actor): Auth, Path(raw): Path<String>) -> AppResult<StatusCode> {
    incidents::delete(&state.services, &actor, id(&raw, "incident")?).await?;
    Ok(StatusCode::NO_CONTENT)
}
