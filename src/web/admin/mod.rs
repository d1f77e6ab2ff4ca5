//! The dashboard, `/admin`: first-run setup, sign-in, and pages to manage monitors,
//! maintenances (with the schedule builder), events and API tokens. Every page needs a
//! signed-in admin; every form carries a CSRF token; destructive actions ask first.
//!
//! A tour: this file has the router and what the pages share (layout, rendering, the
//! confirmation step); [`error`] the dashboard's error type, [`form`] the typed forms
//! behind their CSRF check, [`session`] who is signed in; one file per section after that.

mod auth;
pub mod error;
mod events;
pub mod form;
mod incidents;
mod maintenances;
mod monitors;
mod notices;
mod overview;
pub mod pages;
mod schedule_form;
pub mod session;
pub mod show;
mod tokens;

use std::future::Future;
use std::sync::{Arc, OnceLock};

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use self::error::{HtmlError, render_failed};
use self::form::Confirm;
use self::pages::{ConfirmPage, Layout};
use super::AppState;
use super::assets::Assets;
use crate::error::AppError;
use crate::service::admins::Session;

pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/admin", get(overview::home))
        .route("/admin/setup", post(auth::setup))
        .route("/admin/login", get(auth::login_page).post(auth::login))
        .route("/admin/logout", post(auth::logout))
        .route("/admin/tokens", get(tokens::page).post(tokens::create))
        .route("/admin/tokens/{id}/revoke", post(tokens::revoke))
        .merge(monitors::router())
        .merge(notices::router())
        .merge(maintenances::router())
        .merge(events::router())
        .merge(incidents::router())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::same_origin,
        ))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), with_page))
        // Dashboard pages show secrets (a new token, webhook secrets) and personal data:
        // neither the browser nor a proxy keeps a copy.
        .route_layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        ))
}

/// What the pages of one request share beyond the state handlers are given: the error page
/// is made where no state is at hand (`IntoResponse`), and still wears the layout.
struct PageContext {
    /// The confirmation of the action that redirected here (`?done=…`).
    notice: Option<&'static str>,
    site_name: String,
    assets: Arc<Assets>,
    /// The signed-in admin, once known, for the error page's navigation.
    admin: OnceLock<Session>,
}

tokio::task_local! {
    static PAGE: PageContext;
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
        "incident_opened" => "Incident opened.",
        "published" => "Published: visitors see it and subscribers are told.",
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

async fn with_page(
    State(state): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let notice = req
        .uri()
        .query()
        .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "done"))
        .and_then(|(_, v)| notice_text(&v));
    let context = PageContext {
        notice,
        site_name: state.site.name.clone(),
        assets: state.assets.clone(),
        admin: OnceLock::new(),
    };
    PAGE.scope(context, next.run(req)).await
}

/// Remembers who is signed in for the rest of the request (the error page's layout).
pub(crate) fn signed_in(session: &Session) {
    let _ = PAGE.try_with(|p| p.admin.set(session.clone()));
}

/// `path` with `?done=key` (or `&done=key`) added.
pub(crate) fn done(path: &str, key: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}done={key}")
}

fn layout_of(
    site_name: &str,
    assets: &Assets,
    title: &str,
    section: &'static str,
    session: Option<&Session>,
    notice: Option<&'static str>,
) -> Layout {
    Layout {
        site_name: site_name.to_string(),
        title: title.to_string(),
        css: assets.url("style.css"),
        js: assets.url("app.js"),
        admin_js: assets.url("admin.js"),
        favicon: assets.url("favicon.svg"),
        email: session.map(|s| s.email.clone()).unwrap_or_default(),
        csrf: session.map(|s| s.csrf.clone()).unwrap_or_default(),
        section,
        notice,
    }
}

pub(crate) fn layout(state: &AppState, title: &str, section: &'static str, session: Option<&Session>) -> Layout {
    let notice = PAGE.try_with(|p| p.notice).ok().flatten();
    layout_of(&state.site.name, &state.assets, title, section, session, notice)
}

/// The layout of the error page: the site's, with the navigation when someone is signed in.
fn error_layout() -> Layout {
    PAGE.try_with(|p| layout_of(&p.site_name, &p.assets, "Error", "", p.admin.get(), None))
        .unwrap_or_else(|_| layout_of("Lull", &Assets::default(), "Error", "", None, None))
}

pub(crate) fn render(status: StatusCode, page: impl Template) -> Result<Response, HtmlError> {
    let html = page.render().map_err(render_failed)?;
    Ok((status, Html(html)).into_response())
}

/// A destructive action: the question asked first, where the confirmation posts, where
/// "no" and "done" go.
pub(crate) struct Destructive {
    pub question: String,
    /// The confirming button's words, e.g. "Yes, delete it".
    pub answer: &'static str,
    pub action: String,
    pub back: String,
    pub done: String,
}

/// Asks before acting: a page that posts the same form again with `confirm=yes`.
pub(crate) fn ask(state: &AppState, session: &Session, d: Destructive, danger: bool) -> Result<Response, HtmlError> {
    render(
        StatusCode::OK,
        ConfirmPage {
            l: layout(state, "Confirm", "", Some(session)),
            question: d.question,
            action: d.action,
            back: d.back,
            answer: d.answer,
            danger,
        },
    )
}

/// Asks for confirmation, then runs `act` (a future, so nothing happens before it is
/// awaited) and goes to `done`. The form's CSRF token was checked by its extractor.
pub(crate) async fn destructive(
    state: &AppState,
    session: &Session,
    answer: &Confirm,
    d: Destructive,
    act: impl Future<Output = Result<(), AppError>>,
) -> Result<Response, HtmlError> {
    if !answer.yes() {
        return ask(state, session, d, true);
    }
    act.await?;
    Ok(Redirect::to(&d.done).into_response())
}

fn secure(state: &AppState) -> bool {
    state.site.public_url.starts_with("https://")
}
