//! The dashboard's error type: what a handler answers when it cannot show the page asked
//! for. Handlers return `Result<Response, HtmlError>` and use `?` on `AppError`s; a field
//! error that belongs beside its field comes back as the form again ([`or_form`]).

use std::future::Future;

use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use super::pages::{ErrorPage, Errors};
use crate::error::AppError;

/// An answer other than the page asked for.
#[derive(Debug)]
pub enum HtmlError {
    /// A failure, shown on the dashboard's error page in the dashboard's layout. Server
    /// faults are logged and not described.
    App(AppError),
    /// A page made already: the form again with its errors beside the fields (422), the
    /// way to the sign-in page, the refusal of an expired form. Boxed: a `Response` is
    /// large, and every handler's `Result` carries this.
    Page(Box<Response>),
}

impl HtmlError {
    pub fn page(r: impl IntoResponse) -> Self {
        Self::Page(Box::new(r.into_response()))
    }
}

impl From<AppError> for HtmlError {
    fn from(e: AppError) -> Self {
        Self::App(e)
    }
}

impl IntoResponse for HtmlError {
    fn into_response(self) -> Response {
        match self {
            Self::App(e) => error_page(e),
            Self::Page(r) => *r,
        }
    }
}

/// On a field error, the form again from `again` (which shows the errors beside their
/// fields, with 422); any other error is passed on to the error page.
pub(crate) async fn or_form<T, Fut>(
    result: Result<T, AppError>,
    again: impl FnOnce(Errors) -> Fut,
) -> Result<T, HtmlError>
where
    Fut: Future<Output = Result<Response, HtmlError>>,
{
    match result {
        Ok(value) => Ok(value),
        Err(e) => match field_errors(&e) {
            Some(errors) => Err(HtmlError::page(again(errors).await?)),
            None => Err(e.into()),
        },
    }
}

/// Field errors keyed by the form field that shows them.
pub(crate) fn field_errors(e: &AppError) -> Option<Errors> {
    match e {
        AppError::Invalid(f) => {
            let key = if f.field.starts_with("monitors") {
                "monitors".to_string()
            } else {
                f.field.clone()
            };
            Some(Errors::from([(key, f.message.clone())]))
        }
        _ => None,
    }
}

fn error_page(e: AppError) -> Response {
    let status = e.status();
    let message = e.body().message;
    let unavailable = matches!(e, AppError::Unavailable(_));
    if unavailable {
        tracing::warn!(error = ?e, "dashboard request failed: database unavailable");
    } else if status.is_server_error() {
        tracing::error!(error = ?e, "dashboard request failed");
    }
    let page = ErrorPage {
        l: super::error_layout(),
        message,
    };
    let mut response = match askama::Template::render(&page) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "rendering the dashboard's error page");
            (status, "That did not work. Go back to /admin and try again.").into_response()
        }
    };
    if unavailable {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(crate::web::error::RETRY_AFTER_SECS),
        );
    }
    response
}

/// A page that could not be rendered is a server fault.
pub(crate) fn render_failed(e: askama::Error) -> HtmlError {
    HtmlError::App(AppError::Internal(
        anyhow::Error::new(e).context("rendering a dashboard page"),
    ))
}
