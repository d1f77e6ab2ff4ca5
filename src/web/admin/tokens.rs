//! Dashboard: API tokens. A new token's secret is shown once, after the redirect.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

use super::error::{HtmlError, or_form};
use super::form::{Confirm, CsrfForm};
use super::pages::{Errors, TokensPage};
use super::session::Admin;
use super::{Destructive, destructive, done, layout, render, secure};
use crate::error::AppError;
use crate::service::admins::Session;
use crate::service::tokens;
use crate::web::AppState;

/// Carries a new token's secret across the redirect after creating it, once: the page
/// that shows it removes the cookie, so a reload shows it no more (and creates nothing).
const NEW_TOKEN_COOKIE: &str = "lull_new_token";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct NewToken {
    name: String,
}

pub(super) async fn page(
    State(state): State<AppState>,
    jar: CookieJar,
    Admin(session): Admin,
) -> Result<Response, HtmlError> {
    let created = jar.get(NEW_TOKEN_COOKIE).map(|c| c.value().to_string());
    let jar = jar.remove(Cookie::build(NEW_TOKEN_COOKIE).path("/admin/tokens"));
    let page = show(&state, &session, created, Errors::new(), StatusCode::OK).await?;
    Ok((jar, page).into_response())
}

async fn show(
    state: &AppState,
    session: &Session,
    created: Option<String>,
    errors: Errors,
    status: StatusCode,
) -> Result<Response, HtmlError> {
    render(
        status,
        TokensPage {
            l: layout(state, "API tokens", "tokens", Some(session)),
            tokens: tokens::list(&state.services).await?,
            created,
            errors,
        },
    )
}

pub(super) async fn create(
    State(state): State<AppState>,
    jar: CookieJar,
    Admin(session): Admin,
    CsrfForm(form): CsrfForm<NewToken>,
) -> Result<Response, HtmlError> {
    let (st, se) = (&state, &session);
    let created = tokens::create(&state.services, &form.name).await;
    let (_, token) = or_form(created, move |errors| {
        show(st, se, None, errors, StatusCode::UNPROCESSABLE_ENTITY)
    })
    .await?;
    let cookie = Cookie::build((NEW_TOKEN_COOKIE, token))
        .path("/admin/tokens")
        .http_only(true)
        .secure(secure(&state))
        .same_site(SameSite::Strict)
        .max_age(time::Duration::minutes(5))
        .build();
    Ok((jar.add(cookie), Redirect::to("/admin/tokens")).into_response())
}

pub(super) async fn revoke(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(id): Path<i64>,
    CsrfForm(answer): CsrfForm<Confirm>,
) -> Result<Response, HtmlError> {
    let name = tokens::list(&state.services)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .map(|t| t.name)
        .ok_or(AppError::NotFound("token"))?;
    let d = Destructive {
        question: format!("Revoke the API token '{name}'? Scripts using it stop working at once."),
        answer: "Yes, revoke it",
        action: format!("/admin/tokens/{id}/revoke"),
        back: "/admin/tokens".into(),
        done: done("/admin/tokens", "token_revoked"),
    };
    destructive(&state, &session, &answer, d, tokens::revoke(&state.services, id)).await
}
