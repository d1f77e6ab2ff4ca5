//! `POST /api/v1/subscribers` (public) and the admin's list.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::AppResult;
use crate::service::subscribers::{self, SubscribeInput, SubscriberView};
use crate::service::webhooks::{self, WebhookInput, WebhookView};
use crate::web::AppState;
use crate::web::client::ClientAddr;
use crate::web::error::ErrorBody;
use crate::web::extract::{ApiJson, ApiQuery, Auth};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(subscribe, list))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Accepted {
    pub message: String,
}

/// Asks for notices by email. Always 202 for a valid address, known or not; a
/// confirmation link is mailed and nothing else is sent until it is followed. Messages
/// are in `language` (`en` or `de`), or else in the request's `Accept-Language` when it
/// prefers German, or else in English.
#[utoipa::path(post, path = "/api/v1/subscribers", tag = "subscribers", request_body = SubscribeInput,
    responses((status = 202, body = Accepted), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn subscribe(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: axum::http::HeaderMap,
    ApiJson(mut input): ApiJson<SubscribeInput>,
) -> AppResult<(StatusCode, Json<Accepted>)> {
    if input.language.is_none() {
        let accept = headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        input.language = accept.map(|a| crate::web::i18n::negotiate(Some(a)).lang.to_string());
    }
    subscribers::subscribe(&state.services, &state.signups, &client.key(), input).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            message: "If the address can receive mail, a confirmation link is on its way.".into(),
        }),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Part of the address to look for.
    q: Option<String>,
}

/// Subscribers, newest first (at most 500).
#[utoipa::path(get, path = "/api/v1/subscribers", tag = "subscribers", params(ListQuery), security(("token" = [])),
    responses((status = 200, body = Vec<SubscriberView>), (status = 401, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    _: Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> AppResult<Json<Vec<SubscriberView>>> {
    Ok(Json(
        subscribers::list(&state.services, q.q.as_deref().unwrap_or("")).await?,
    ))
}

/// Webhook endpoints (admin).
pub fn webhook_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_webhooks, create_webhook))
        .routes(routes!(delete_webhook))
}

/// Registered webhooks, with their signing secrets.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "subscribers", security(("token" = [])),
    responses((status = 200, body = Vec<WebhookView>), (status = 401, body = ErrorBody)))]
async fn list_webhooks(State(state): State<AppState>, _: Auth) -> AppResult<Json<Vec<WebhookView>>> {
    Ok(Json(webhooks::list(&state.services).await?))
}

/// Registers a webhook; every matching notice is POSTed to it, signed.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "subscribers", request_body = WebhookInput, security(("token" = [])),
    responses((status = 201, body = WebhookView), (status = 422, body = ErrorBody)))]
async fn create_webhook(
    State(state): State<AppState>,
    _: Auth,
    ApiJson(input): ApiJson<WebhookInput>,
) -> AppResult<(StatusCode, Json<WebhookView>)> {
    Ok((
        StatusCode::CREATED,
        Json(webhooks::create(&state.services, input).await?),
    ))
}

#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "subscribers", params(("id" = i64, Path)),
    security(("token" = [])), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_webhook(
    State(state): State<AppState>,
    _: Auth,
    axum::extract::Path(raw): axum::extract::Path<String>,
) -> AppResult<StatusCode> {
    webhooks::delete(&state.services, crate::web::extract::id(&raw, "webhook")?).await?;
    Ok(StatusCode::NO_CONTENT)
}
