//! `POST /api/v1/apply` and `GET /api/v1/export`: maintenance as code.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::AppResult;
use crate::service::declare::{self, Declaration, Outcome};
use crate::web::AppState;
use crate::web::error::ErrorBody;
use crate::web::extract::{ApiJson, ApiQuery, Auth};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(apply)).routes(routes!(export))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ApplyQuery {
    /// Only work out the changes (`true`); nothing is written.
    dry_run: Option<bool>,
}

/// Makes the stored monitors and plans what the declaration says, in one transaction:
/// creates and updates them (monitors by slug, plans by key) and deactivates keyed plans
/// no longer declared. Answers with the changes; applying the same declaration again
/// changes nothing. An error names the item and field (`maintenances[2].rrule`) and
/// nothing is written.
#[utoipa::path(post, path = "/api/v1/apply", tag = "maintenances", params(ApplyQuery), request_body = Declaration,
    security(("token" = [])),
    responses((status = 200, body = Outcome), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn apply(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(q): ApiQuery<ApplyQuery>,
    ApiJson(decl): ApiJson<Declaration>,
) -> AppResult<Json<Outcome>> {
    Ok(Json(
        declare::apply(&state.services, &actor, decl, q.dry_run.unwrap_or(false)).await?,
    ))
}

/// Every monitor and plan as a declaration that `POST /api/v1/apply` takes back unchanged.
#[utoipa::path(get, path = "/api/v1/export", tag = "maintenances", security(("token" = [])),
    responses((status = 200, body = Declaration), (status = 401, body = ErrorBody)))]
async fn export(State(state): State<AppState>, _: Auth) -> AppResult<Json<Declaration>> {
    Ok(Json(declare::export(&state.services).await?))
}
