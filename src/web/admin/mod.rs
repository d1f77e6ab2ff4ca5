//! The dashboard, `/admin`: first-run setup, sign-in, and pages to manage monitors,
//! maintenances (with the schedule builder), events and API tokens. Every page needs a
//! signed-in admin; every form carries a CSRF token; destructive actions ask first.

mod events;
mod maintenances;
mod monitors;
mod notices;
pub mod pages;
pub mod session;
pub mod show;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use chrono::Duration;

use self::pages::{ConfirmPage, ErrorPage, Errors, Layout, LoginPage, OverviewPage, TokensPage};
use self::session::{Admin, FormData, PRE_CSRF_COOKIE, SESSION_COOKIE, pre_csrf_cookie, session_cookie};
use super::AppState;
use super::client::ClientAddr;
use crate::domain::lifecycle::EventStatus;
use crate::error::AppError;
use crate::service::admins::{self, Session, SignInError};
use crate::service::{
    events as event_service, maintenances as maintenance_service, monitors as monitor_service, tokens,
};
use crate::store::events::EventFilter;

pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/admin", get(home))
        .route("/admin/setup", post(setup))
        .route("/admin/login", get(login_page).post(login))
        .route("/admin/logout", post(logout))
        .route("/admin/tokens", get(tokens_page).post(create_token))
        .route("/admin/tokens/{id}/revoke", post(revoke_token))
        .merge(monitors::router())
        .merge(notices::router())
        .merge(maintenances::router())
        .merge(events::router())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::same_origin,
        ))
        .route_layer(axum::middleware::from_fn(with_notice))
        // Dashboard pages show secrets (a new token, webhook secrets) and personal data:
        // neither the browser nor a proxy keeps a copy.
        .route_layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        ))
}

tokio::task_local! {
    /// The confirmation of the action that redirected here (`?done=…`), for the layout.
    static NOTICE: Option<&'static str>;
}

/// What `?done=KEY` says at the top of the page after a redirect. A fixed list, so
/// nobody can make the dashboard show words of their own through a link.
fn notice_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "saved" => "Saved.",
        "scheduled" => "Maintenance scheduled.",
        "deleted" => "Deleted.",
        "skipped" => "That window is skipped: it will not happen, and the plan goes on.",
        "started" => "Started. The window is now in progress.",
        "extended" => "Extended: the new end is shown below.",
        "completed" => "Completed.",
        "cancelled" => "Cancelled. Visitors see it as cancelled.",
        "update" => "Update posted.",
        "monitor_added" => "Monitor added.",
        "monitor_saved" => "Monitor saved.",
        "status_set" => "Status set.",
        "subscriber_added" => "Subscriber added.",
        "subscriber_removed" => "Subscriber removed.",
        "webhook_added" => "Webhook added.",
        "webhook_deleted" => "Webhook deleted.",
        "token_revoked" => "Token revoked.",
        "signed_out" => "You are signed out.",
        _ => return None,
    })
}

async fn with_notice(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let notice = req
        .uri()
        .query()
        .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "done"))
        .and_then(|(_, v)| notice_text(&v));
    NOTICE.scope(notice, next.run(req)).await
}

/// `path` with `?done=key` (or `&done=key`) added.
pub(crate) fn done(path: &str, key: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}done={key}")
}

pub(crate) fn layout(state: &AppState, title: &str, section: &'static str, session: Option<&Session>) -> Layout {
    Layout {
        site_name: state.site.name.clone(),
        title: title.to_string(),
        css: state.assets.url("style.css"),
        js: state.assets.url("app.js"),
        admin_js: state.assets.url("admin.js"),
        favicon: state.assets.url("favicon.svg"),
        email: session.map(|s| s.email.clone()).unwrap_or_default(),
        csrf: session.map(|s| s.csrf.clone()).unwrap_or_default(),
        section,
        notice: NOTICE.try_with(|n| *n).ok().flatten(),
    }
}

pub(crate) fn render(status: StatusCode, page: impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "rendering a dashboard page");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// An error as a dashboard page; server faults are logged and not described.
pub(crate) fn error_page(e: AppError) -> Response {
    let status = e.status();
    let message = e.body().message;
    let unavailable = matches!(e, AppError::Unavailable(_));
    if unavailable {
        tracing::warn!(error = ?e, "dashboard request failed: database unavailable");
    } else if status.is_server_error() {
        tracing::error!(error = ?e, "dashboard request failed");
    }
    let l = Layout {
        site_name: "Lull".into(),
        title: "Error".into(),
        css: String::new(),
        js: String::new(),
        admin_js: String::new(),
        favicon: String::new(),
        email: String::new(),
        csrf: String::new(),
        section: "",
        notice: None,
    };
    let mut response = render(status, ErrorPage { l, message });
    if unavailable {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static(crate::web::error::RETRY_AFTER_SECS),
        );
    }
    response
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

/// Asks before a destructive action: shows a page that posts the same form again with
/// `confirm=yes`. Returns `None` when the request already is the confirmation.
#[expect(
    clippy::too_many_arguments,
    reason = "the parts of one question, each named at the call"
)]
pub(crate) fn confirm(
    state: &AppState,
    session: &Session,
    form: &FormData,
    question: String,
    action: String,
    back: String,
    answer: &'static str,
    danger: bool,
) -> Option<Response> {
    if form.get("confirm") == Some("yes") {
        return None;
    }
    let fields = form
        .0
        .iter()
        .filter(|(k, _)| k != "csrf" && k != "confirm")
        .cloned()
        .collect();
    Some(render(
        StatusCode::OK,
        ConfirmPage {
            l: layout(state, "Confirm", "", Some(session)),
            question,
            action,
            fields,
            back,
            answer,
            danger,
        },
    ))
}

/// A destructive form: the question asked first, where the confirmation posts, where
/// "no" and "done" go.
pub(crate) struct Destructive {
    pub question: String,
    /// The confirming button's words, e.g. "Yes, delete it".
    pub answer: &'static str,
    pub action: String,
    pub back: String,
    pub done: String,
}

/// Checks the CSRF token, asks for confirmation, then runs `act` (a future, so nothing
/// happens before it is awaited) and goes to `done`.
pub(crate) async fn destructive(
    state: &AppState,
    session: &Session,
    form: &FormData,
    d: Destructive,
    act: impl std::future::Future<Output = Result<(), AppError>>,
) -> Response {
    if let Err(r) = form.check_csrf(&session.csrf) {
        return r.into_response();
    }
    if let Some(page) = confirm(state, session, form, d.question, d.action, d.back, d.answer, true) {
        return page;
    }
    match act.await {
        Ok(()) => Redirect::to(&d.done).into_response(),
        Err(e) => error_page(e),
    }
}

fn secure(state: &AppState) -> bool {
    state.site.public_url.starts_with("https://")
}

fn random_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// The setup or sign-in page, with a fresh pre-session CSRF cookie.
#[expect(
    clippy::too_many_arguments,
    reason = "one call per outcome of signing in, each naming its parts"
)]
fn sign_in_page(
    state: &AppState,
    jar: CookieJar,
    setup: bool,
    email: String,
    error: Option<String>,
    errors: Errors,
    status: StatusCode,
    next: &str,
) -> Response {
    let token = random_token();
    let mut l = layout(state, if setup { "Set up" } else { "Sign in" }, "", None);
    l.csrf = token.clone();
    let jar = jar.add(pre_csrf_cookie(token, secure(state)));
    (
        jar,
        render(
            status,
            LoginPage {
                l,
                setup,
                email,
                error,
                errors,
                next: session::safe_next(next).unwrap_or("").to_string(),
            },
        ),
    )
        .into_response()
}

async fn home(State(state): State<AppState>, jar: CookieJar, admin: Result<Admin, Response>) -> Response {
    match admins::count(&state.services).await {
        Ok(0) => {
            return sign_in_page(
                &state,
                jar,
                true,
                String::new(),
                None,
                Errors::new(),
                StatusCode::OK,
                "",
            );
        }
        Ok(_) => {}
        Err(e) => return error_page(e),
    }
    let Ok(Admin(session)) = admin else {
        return Redirect::to("/admin/login").into_response();
    };
    match overview(&state, &session).await {
        Ok(r) => r,
        Err(e) => error_page(e),
    }
}

async fn overview(state: &AppState, session: &Session) -> Result<Response, AppError> {
    let s = &state.services;
    let monitors = monitor_service::list(s).await?.len();
    // Plans with a window ahead: finished one-offs are not "active" to a person.
    let active = maintenance_service::list(s, Some("ACTIVE"))
        .await?
        .iter()
        .filter(|m| m.next_start.is_some())
        .count();
    let now = s.now();
    let soon = EventFilter {
        from: Some(now),
        to: Some(now + Duration::days(7)),
        limit: 200,
        ..Default::default()
    };
    let (ongoing, upcoming) = event_service::list(s, &soon)
        .await?
        .into_iter()
        .filter(|e| !e.status.is_terminal())
        .partition(|e| e.status == EventStatus::Ongoing);
    let mut conn = s.store.conn().await?;
    let (confirmed, _) = crate::store::subscribers::counts(&mut conn).await?;
    let counts = crate::store::outbox::counts(&mut conn).await?;
    let count = |k: &str| counts.iter().find(|(s, _)| s.as_str() == k).map_or(0, |(_, n)| *n);
    let failed = crate::store::outbox::failed(&mut conn, 20).await?;
    let dropped = crate::store::outbox::skipped_since(&mut conn, now - Duration::days(7)).await?;
    Ok(render(
        StatusCode::OK,
        OverviewPage {
            l: layout(state, "Overview", "overview", Some(session)),
            mail_configured: state.mail_configured,
            subscribers: confirmed,
            outbox: (count("PENDING"), count("SENT"), count("FAILED")),
            dropped,
            failed,
            monitors,
            active,
            ongoing,
            upcoming,
        },
    ))
}

fn check_pre_csrf(jar: &CookieJar, form: &FormData) -> Result<(), session::CsrfRejected> {
    form.check_csrf(jar.get(PRE_CSRF_COOKIE).map(|c| c.value()).unwrap_or(""))
}

async fn setup(State(state): State<AppState>, client: ClientAddr, jar: CookieJar, form: FormData) -> Response {
    if let Err(r) = check_pre_csrf(&jar, &form) {
        return r.into_response();
    }
    let email = form.text("email");
    let password = form.text("password");
    // Each setup may hash a password: a client gets as many tries as it gets sign-ins.
    let now = state.services.now().timestamp();
    if let Err(wait) = state.throttle.attempt(&[format!("setup:{}", client.key())], now) {
        return sign_in_page(
            &state,
            jar,
            true,
            email,
            Some(format!("Too many attempts. Try again in {} minutes.", (wait + 59) / 60)),
            Errors::new(),
            StatusCode::TOO_MANY_REQUESTS,
            "",
        );
    }
    if let Err(e) = admins::create(&state.services, &email, &password, true).await {
        return match field_errors(&e) {
            Some(errors) => sign_in_page(
                &state,
                jar,
                true,
                email,
                None,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
                "",
            ),
            None => error_page(e),
        };
    }
    finish_sign_in(&state, jar, &client.key(), &email, &password, "").await
}

#[derive(serde::Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_page(
    State(state): State<AppState>,
    jar: CookieJar,
    axum::extract::Query(q): axum::extract::Query<NextQuery>,
) -> Response {
    let next = q.next.unwrap_or_default();
    match admins::count(&state.services).await {
        Ok(0) => Redirect::to("/admin").into_response(),
        Ok(_) => sign_in_page(
            &state,
            jar,
            false,
            String::new(),
            None,
            Errors::new(),
            StatusCode::OK,
            &next,
        ),
        Err(e) => error_page(e),
    }
}

async fn login(State(state): State<AppState>, client: ClientAddr, jar: CookieJar, form: FormData) -> Response {
    if let Err(r) = check_pre_csrf(&jar, &form) {
        return r.into_response();
    }
    finish_sign_in(
        &state,
        jar,
        &client.key(),
        &form.text("email"),
        &form.text("password"),
        form.get("next").unwrap_or(""),
    )
    .await
}

async fn finish_sign_in(
    state: &AppState,
    jar: CookieJar,
    client: &str,
    email: &str,
    password: &str,
    next: &str,
) -> Response {
    match admins::sign_in(&state.services, &state.throttle, client, email, password).await {
        Ok((cookie, _)) => {
            let jar = jar.add(session_cookie(cookie, secure(state))).remove(PRE_CSRF_COOKIE);
            (jar, Redirect::to(session::safe_next(next).unwrap_or("/admin"))).into_response()
        }
        Err(SignInError::Wrong) => sign_in_page(
            state,
            jar,
            false,
            email.to_string(),
            Some("Wrong email or password.".into()),
            Errors::new(),
            StatusCode::UNAUTHORIZED,
            next,
        ),
        Err(SignInError::TooMany(wait)) => sign_in_page(
            state,
            jar,
            false,
            email.to_string(),
            Some(format!(
                "Too many failed attempts. Try again in {} minutes.",
                (wait + 59) / 60
            )),
            Errors::new(),
            StatusCode::TOO_MANY_REQUESTS,
            next,
        ),
        Err(SignInError::Other(e)) => error_page(e),
    }
}

async fn logout(State(state): State<AppState>, jar: CookieJar, Admin(session): Admin, form: FormData) -> Response {
    if let Err(r) = form.check_csrf(&session.csrf) {
        return r.into_response();
    }
    if let Some(c) = jar.get(SESSION_COOKIE)
        && let Err(e) = admins::sign_out(&state.services, c.value()).await
    {
        return error_page(e);
    }
    (
        jar.remove(axum_extra::extract::cookie::Cookie::build(SESSION_COOKIE).path("/")),
        Redirect::to("/admin/login?done=signed_out"),
    )
        .into_response()
}

/// Carries a new token's secret across the redirect after creating it, once: the page
/// that shows it removes the cookie, so a reload shows it no more (and creates nothing).
const NEW_TOKEN_COOKIE: &str = "lull_new_token";

async fn tokens_page(State(state): State<AppState>, jar: CookieJar, Admin(session): Admin) -> Response {
    let created = jar.get(NEW_TOKEN_COOKIE).map(|c| c.value().to_string());
    let jar = jar.remove(axum_extra::extract::cookie::Cookie::build(NEW_TOKEN_COOKIE).path("/admin/tokens"));
    (
        jar,
        show_tokens(&state, &session, created, Errors::new(), StatusCode::OK).await,
    )
        .into_response()
}

async fn show_tokens(
    state: &AppState,
    session: &Session,
    created: Option<String>,
    errors: Errors,
    status: StatusCode,
) -> Response {
    match tokens::list(&state.services).await {
        Ok(list) => render(
            status,
            TokensPage {
                l: layout(state, "API tokens", "tokens", Some(session)),
                tokens: list,
                created,
                errors,
            },
        ),
        Err(e) => error_page(e),
    }
}

async fn create_token(
    State(state): State<AppState>,
    jar: CookieJar,
    Admin(session): Admin,
    form: FormData,
) -> Response {
    if let Err(r) = form.check_csrf(&session.csrf) {
        return r.into_response();
    }
    match tokens::create(&state.services, &form.text("name")).await {
        Ok((_, token)) => {
            let cookie = axum_extra::extract::cookie::Cookie::build((NEW_TOKEN_COOKIE, token))
                .path("/admin/tokens")
                .http_only(true)
                .secure(secure(&state))
                .same_site(axum_extra::extract::cookie::SameSite::Strict)
                .max_age(time::Duration::minutes(5))
                .build();
            (jar.add(cookie), Redirect::to("/admin/tokens")).into_response()
        }
        Err(e) => match field_errors(&e) {
            Some(errors) => show_tokens(&state, &session, None, errors, StatusCode::UNPROCESSABLE_ENTITY).await,
            None => error_page(e),
        },
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(id): Path<i64>,
    form: FormData,
) -> Response {
    let name = match tokens::list(&state.services).await {
        Ok(list) => list.into_iter().find(|t| t.id == id).map(|t| t.name),
        Err(e) => return error_page(e),
    };
    let Some(name) = name else {
        return error_page(AppError::NotFound("token"));
    };
    let d = Destructive {
        question: format!("Revoke the API token '{name}'? Scripts using it stop working at once."),
        answer: "Yes, revoke it",
        action: format!("/admin/tokens/{id}/revoke"),
        back: "/admin/tokens".into(),
        done: done("/admin/tokens", "token_revoked"),
    };
    destructive(&state, &session, &form, d, tokens::revoke(&state.services, id)).await
}
