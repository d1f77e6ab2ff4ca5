//! Dashboard: first-run setup, signing in and out. The setup and sign-in forms come before
//! any session, so their CSRF token is a double-submit cookie (`PreCsrfForm`).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::Cookie;
use serde::Deserialize;

use super::error::{HtmlError, or_form};
use super::form::{CsrfForm, NoFields, PreCsrfForm};
use super::pages::{Errors, LoginPage};
use super::session::{self, Admin, PRE_CSRF_COOKIE, SESSION_COOKIE, pre_csrf_cookie, session_cookie};
use super::{layout, render, secure};
use crate::secret;
use crate::service::admins::{self, SignInError};
use crate::web::AppState;
use crate::web::client::ClientAddr;

/// The setup and sign-in forms.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Credentials {
    email: String,
    password: String,
    /// Where to go after signing in (sign-in only).
    next: String,
}

/// How the setup or sign-in page is shown: after which outcome, with what typed.
pub(super) struct SignInPage<'a> {
    pub setup: bool,
    pub email: String,
    pub error: Option<String>,
    pub errors: Errors,
    pub status: StatusCode,
    pub next: &'a str,
}

impl SignInPage<'_> {
    /// The empty form.
    pub fn blank(setup: bool) -> Self {
        Self {
            setup,
            email: String::new(),
            error: None,
            errors: Errors::new(),
            status: StatusCode::OK,
            next: "",
        }
    }
}

/// The setup or sign-in page, with a fresh pre-session CSRF cookie.
pub(super) fn sign_in_page(state: &AppState, jar: CookieJar, p: SignInPage<'_>) -> Result<Response, HtmlError> {
    let token = secret::token();
    let mut l = layout(state, if p.setup { "Set up" } else { "Sign in" }, "", None);
    l.csrf = token.clone();
    let jar = jar.add(pre_csrf_cookie(token, secure(state)));
    let page = render(
        p.status,
        LoginPage {
            l,
            setup: p.setup,
            email: p.email,
            error: p.error,
            errors: p.errors,
            next: session::safe_next(p.next).unwrap_or("").to_string(),
        },
    )?;
    Ok((jar, page).into_response())
}

pub(super) async fn setup(
    State(state): State<AppState>,
    client: ClientAddr,
    jar: CookieJar,
    PreCsrfForm(form): PreCsrfForm<Credentials>,
) -> Result<Response, HtmlError> {
    let again = |error, errors, status| SignInPage {
        setup: true,
        email: form.email.clone(),
        error,
        errors,
        status,
        next: "",
    };
    // Each setup may hash a password: a client gets as many tries as it gets sign-ins.
    let now = state.services.now().timestamp();
    if let Err(wait) = state.throttle.attempt(&[format!("setup:{}", client.key())], now) {
        let error = format!("Too many attempts. Try again in {} minutes.", (wait + 59) / 60);
        return sign_in_page(
            &state,
            jar,
            again(Some(error), Errors::new(), StatusCode::TOO_MANY_REQUESTS),
        );
    }
    let created = admins::create(&state.services, &form.email, &form.password, true).await;
    let (st, jar_again) = (&state, jar.clone());
    or_form(created, move |errors| async move {
        sign_in_page(st, jar_again, again(None, errors, StatusCode::UNPROCESSABLE_ENTITY))
    })
    .await?;
    finish_sign_in(&state, jar, &client.key(), &form.email, &form.password, "").await
}

#[derive(Deserialize)]
pub(super) struct NextQuery {
    next: Option<String>,
}

pub(super) async fn login_page(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<NextQuery>,
) -> Result<Response, HtmlError> {
    if admins::count(&state.services).await? == 0 {
        return Ok(Redirect::to("/admin").into_response());
    }
    let next = q.next.unwrap_or_default();
    sign_in_page(
        &state,
        jar,
        SignInPage {
            next: &next,
            ..SignInPage::blank(false)
        },
    )
}

pub(super) async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    jar: CookieJar,
    PreCsrfForm(form): PreCsrfForm<Credentials>,
) -> Result<Response, HtmlError> {
    finish_sign_in(&state, jar, &client.key(), &form.email, &form.password, &form.next).await
}

async fn finish_sign_in(
    state: &AppState,
    jar: CookieJar,
    client: &str,
    email: &str,
    password: &str,
    next: &str,
) -> Result<Response, HtmlError> {
    let refused = |error: String, status| SignInPage {
        setup: false,
        email: email.to_string(),
        error: Some(error),
        errors: Errors::new(),
        status,
        next,
    };
    match admins::sign_in(&state.services, &state.throttle, client, email, password).await {
        Ok((cookie, _)) => {
            let jar = jar.add(session_cookie(cookie, secure(state))).remove(PRE_CSRF_COOKIE);
            Ok((jar, Redirect::to(session::safe_next(next).unwrap_or("/admin"))).into_response())
        }
        Err(SignInError::Wrong) => sign_in_page(
            state,
            jar,
            refused("Wrong email or password.".into(), StatusCode::UNAUTHORIZED),
        ),
        Err(SignInError::TooMany(wait)) => sign_in_page(
            state,
            jar,
            refused(
                format!("Too many failed attempts. Try again in {} minutes.", (wait + 59) / 60),
                StatusCode::TOO_MANY_REQUESTS,
            ),
        ),
        Err(SignInError::Other(e)) => Err(e.into()),
    }
}

pub(super) async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    Admin(session): Admin,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, HtmlError> {
    if let Some(c) = jar.get(SESSION_COOKIE) {
        admins::sign_out(&state.services, &session, c.value()).await?;
    }
    Ok((
        jar.remove(Cookie::build(SESSION_COOKIE).path("/")),
        Redirect::to("/admin/login?done=signed_out"),
    )
        .into_response())
}
