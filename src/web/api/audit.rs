//! `GET /api/v1/audit`.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::AppResult;
use crate::service::audit::{self, AuditPage};
use crate::web::AppState;
use crate::web::error::ErrorBody;
use crate::web::extract::{ApiQuery, Auth};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// `monitor`, `maintenance` or `event`.
    target: Option<String>,
    /// Only entries older than this id (from `next_before`).
    before: Option<i64>,
    /// Page size (default 100, at most 500).
    limit: Option<i64>,
}

/// The audit log, newest first, paginated.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery), security(("token" = [])),
    responses((status = 200, body = AuditPage), (status = 401, body = ErrorBody)))]
async fn list(State(state): State<AppState>, _: Auth, ApiQuery(q): ApiQuery<AuditQuery>) -> AppResult<Json<AuditPage>> {
    Ok(Json(
        audit::list(&state.services, q.target.as_deref(), q.before, q.limit.unwrap_or(100)).await?,
    ))
}
