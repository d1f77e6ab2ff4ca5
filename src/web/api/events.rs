//! `/api/v1/events`: listing (public) and the operator actions (token).

use axum::Json;
use axum::extract::{Path, State};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::AppResult;
use crate::service::events::{self, Action, EventQuery, ExtendInput, StartInput, UpdateInput};
use crate::web::AppState;
use crate::web::api::views::{self, EventView};
use crate::web::error::ErrorBody;
use crate::web::extract::{ApiJson, ApiQuery, Auth, OptionalJson, id};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(get_one))
        .routes(routes!(start))
        .routes(routes!(complete))
        .routes(routes!(cancel))
        .routes(routes!(extend))
        .routes(routes!(post_update))
}

/// Events by start time, filtered by time range, status (as of now) and monitor.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(EventQuery),
    responses((status = 200, body = Vec<EventView>), (status = 422, body = ErrorBody)))]
async fn list(State(state): State<AppState>, ApiQuery(q): ApiQuery<EventQuery>) -> AppResult<Json<Vec<EventView>>> {
    Ok(Json(views::events(
        &events::list(&state.services, &q.to_filter(None)?).await?,
    )))
}

#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "events", params(("id" = i64, Path)),
    responses((status = 200, body = EventView), (status = 404, body = ErrorBody)))]
async fn get_one(State(state): State<AppState>, Path(raw): Path<String>) -> AppResult<Json<EventView>> {
    Ok(Json((&events::get(&state.services, id(&raw, "event")?).await?).into()))
}

async fn act(state: &AppState, actor: &crate::service::Actor, raw: &str, action: Action) -> AppResult<Json<EventView>> {
    Ok(Json(
        (&events::act(&state.services, actor, id(raw, "event")?, action).await?).into(),
    ))
}

/// Starts the event now, ahead of its scheduled start (SCHEDULED or READY only). It keeps
/// its planned length (end = now + planned duration) unless the body gives another
/// `{"end": "…Z"}`; the body may be left out.
#[utoipa::path(post, path = "/api/v1/events/{id}/start", tag = "events", params(("id" = i64, Path)),
    request_body(content = StartInput, description = "optional"), security(("token" = [])),
    responses((status = 200, body = EventView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn start(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(raw): Path<String>,
    OptionalJson(input): OptionalJson<StartInput>,
) -> AppResult<Json<EventView>> {
    let action = Action::start(&input)?;
    act(&state, &actor, &raw, action).await
}

/// Completes an ongoing event now.
#[utoipa::path(post, path = "/api/v1/events/{id}/complete", tag = "events", params(("id" = i64, Path)),
    security(("token" = [])), responses((status = 200, body = EventView), (status = 409, body = ErrorBody)))]
async fn complete(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(raw): Path<String>,
) -> AppResult<Json<EventView>> {
    act(&state, &actor, &raw, Action::Complete).await
}

/// Cancels an event that has not ended (terminal).
#[utoipa::path(post, path = "/api/v1/events/{id}/cancel", tag = "events", params(("id" = i64, Path)),
    security(("token" = [])), responses((status = 200, body = EventView), (status = 409, body = ErrorBody)))]
async fn cancel(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(raw): Path<String>,
) -> AppResult<Json<EventView>> {
    act(&state, &actor, &raw, Action::Cancel).await
}

/// Moves the end later: `{"end": "…Z"}` or `{"seconds": 1800}`.
#[utoipa::path(post, path = "/api/v1/events/{id}/extend", tag = "events", params(("id" = i64, Path)),
    request_body = ExtendInput, security(("token" = [])),
    responses((status = 200, body = EventView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn extend(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<ExtendInput>,
) -> AppResult<Json<EventView>> {
    let action = Action::extend(&input)?;
    act(&state, &actor, &raw, action).await
}

/// Posts a progress update shown with the event.
#[utoipa::path(post, path = "/api/v1/events/{id}/updates", tag = "events", params(("id" = i64, Path)),
    request_body = UpdateInput, security(("token" = [])),
    responses((status = 200, body = EventView), (status = 422, body = ErrorBody)))]
async fn post_update(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<UpdateInput>,
) -> AppResult<Json<EventView>> {
    Ok(Json(
        (&events::post_update(&state.services, &actor, id(&raw, "event")?, input).await?).into(),
    ))
}
