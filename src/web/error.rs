//! `AppError` as an HTTP response: a JSON body `{"error", "message", "field"?}`.
//! Server faults are logged with their cause and answered with a generic message.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::AppError;

/// What `Retry-After` says when the database is unavailable: about the time a restart or
/// failover takes, and the longest the timeouts keep anyone waiting.
pub const RETRY_AFTER_SECS: &str = "5";

/// The body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// `invalid_field`, `bad_request`, `too_large`, `unauthorized`, `forbidden` (a browser's
    /// request from another site), `not_found`, `conflict`,
    /// `rate_limited`, `unavailable` (503, the database cannot serve now: retry after
    /// `Retry-After` seconds)
    /// or `internal`.
    pub error: &'static str,
    pub message: String,
    /// The input field at fault, for `invalid_field` (e.g. `rrule`, `monitors[0].impact`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Database(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let (error, field, message) = match self {
            Self::Invalid(f) => ("invalid_field", Some(f.field.clone()), f.message.clone()),
            Self::BadRequest(m) => ("bad_request", None, m.clone()),
            Self::TooLarge => ("too_large", None, self.to_string()),
            Self::Unauthorized => ("unauthorized", None, self.to_string()),
            Self::NotFound(_) => ("not_found", None, self.to_string()),
            Self::Forbidden(_) => ("forbidden", None, self.to_string()),
            Self::Conflict(m) => ("conflict", None, m.clone()),
            Self::TooMany(_) => ("rate_limited", None, self.to_string()),
            Self::Unavailable(_) => ("unavailable", None, self.to_string()),
            Self::Database(_) | Self::Internal(_) => ("internal", None, "internal server error".into()),
        };
        ErrorBody { error, message, field }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            Self::Unavailable(e) => tracing::warn!(error = %e, "database unavailable"),
            Self::Database(e) => tracing::error!(error = %e, "database error"),
            Self::Internal(e) => tracing::error!(error = ?e, "internal error"),
            _ => {}
        }
        let mut response = (self.status(), Json(self.body())).into_response();
        match self {
            Self::Unauthorized => {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::TooMany(wait) => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(wait.max(1)));
            }
            Self::Unavailable(_) => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECS));
            }
            _ => {}
        }
        response
    }
}
