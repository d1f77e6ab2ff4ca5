//! One error type for every request path: services return it, `web` turns it into a
//! response (JSON for the API). 5xx details are logged, never shown.

use crate::domain::FieldError;
use crate::domain::lifecycle::ActionError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that parses but is wrong (422), naming the field.
    #[error(transparent)]
    Invalid(#[from] FieldError),
    /// A request that cannot be read at all (400).
    #[error("{0}")]
    BadRequest(String),
    /// A body over the size limit (413).
    #[error("the request body is larger than the limit of 2 MB")]
    TooLarge,
    #[error("missing or invalid API token")]
    Unauthorized,
    /// A request a browser sent from another site (403).
    #[error("cross-site request refused: {0}")]
    Forbidden(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Too many requests from this client; retry after this many seconds (429).
    #[error("too many requests; try again in {0} seconds")]
    TooMany(i64),
    /// The lifecycle (or a concurrent change) forbids it (409).
    #[error("{0}")]
    Conflict(String),
    /// The database cannot serve right now (down, unreachable, locked, timed out): 503
    /// with `Retry-After`; the request may be repeated.
    #[error("the database is temporarily unavailable; try again shortly")]
    Unavailable(sqlx::Error),
    #[error("database error")]
    Database(sqlx::Error),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(FieldError::new(field, message))
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if crate::store::is_unavailable(&e) {
            Self::Unavailable(e)
        } else {
            Self::Database(e)
        }
    }
}

impl From<ActionError> for AppError {
    fn from(e: ActionError) -> Self {
        match e {
            ActionError::Conflict { .. } => Self::Conflict(e.to_string()),
            ActionError::Invalid(f) => Self::Invalid(f),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
