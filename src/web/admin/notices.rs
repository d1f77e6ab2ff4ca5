//! Dashboard: subscribers and webhooks, the recipients of notices.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::error::{HtmlError, or_form};
use super::form::{Confirm, CsrfForm, sent};
use super::pages::{self, Errors};
use super::session::Admin;
use super::{Destructive, destructive, done, layout, render};
use crate::error::AppError;
use crate::service::admins::Session;
use crate::service::{monitors, overview, subscribers, webhooks};
use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/subscribers", get(subscribers_page).post(add_subscriber))
        .route("/admin/subscribers/{id}/delete", post(remove_subscriber))
        .route("/admin/webhooks", get(webhooks_page).post(add_webhook))
        .route("/admin/webhooks/{id}/delete", post(delete_webhook))
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

/// Adding a subscriber by hand.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SubscriberFields {
    email: String,
}

/// Adding a webhook: its URL, body format, and what it hears about.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WebhookFields {
    url: String,
    #[serde(deserialize_with = "sent")]
    format: Option<String>,
    kinds: Vec<String>,
    monitors: Vec<String>,
}

async fn subscribers_page(
    State(state): State<AppState>,
    Admin(session): Admin,
    Query(query): Query<SearchQuery>,
) -> Result<Response, HtmlError> {
    let q = query.q.unwrap_or_default();
    show_subscribers(&state, &session, q, Errors::new(), String::new(), StatusCode::OK).await
}

async fn show_subscribers(
    state: &AppState,
    session: &Session,
    q: String,
    errors: Errors,
    email: String,
    status: StatusCode,
) -> Result<Response, HtmlError> {
    let list = subscribers::list(&state.services, &q).await?;
    let (confirmed, pending) = overview::subscriber_counts(&state.services).await?;
    render(
        status,
        pages::SubscribersPage {
            l: layout(state, "Subscribers", "subscribers", Some(session)),
            q,
            subscribers: list,
            confirmed,
            pending,
            errors,
            email,
        },
    )
}

async fn add_subscriber(
    State(state): State<AppState>,
    Admin(session): Admin,
    CsrfForm(form): CsrfForm<SubscriberFields>,
) -> Result<Response, HtmlError> {
    let added = subscribers::add_confirmed(&state.services, &form.email).await;
    let (st, se) = (&state, &session);
    or_form(added, move |errors| {
        show_subscribers(
            st,
            se,
            String::new(),
            errors,
            form.email,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    })
    .await?;
    Ok(Redirect::to(&done("/admin/subscribers", "subscriber_added")).into_response())
}

async fn remove_subscriber(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(id): Path<i64>,
    CsrfForm(answer): CsrfForm<Confirm>,
) -> Result<Response, HtmlError> {
    let email = subscribers::list(&state.services, "")
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .map(|s| s.email)
        .ok_or(AppError::NotFound("subscriber"))?;
    let d = Destructive {
        question: format!("Remove the subscriber {email}? They get no more notices."),
        answer: "Yes, remove them",
        action: format!("/admin/subscribers/{id}/delete"),
        back: "/admin/subscribers".into(),
        done: done("/admin/subscribers", "subscriber_removed"),
    };
    destructive(&state, &session, &answer, d, subscribers::remove(&state.services, id)).await
}

async fn webhooks_page(State(state): State<AppState>, Admin(session): Admin) -> Result<Response, HtmlError> {
    show_webhooks(&state, &session, Errors::new(), String::new(), StatusCode::OK).await
}

async fn show_webhooks(
    state: &AppState,
    session: &Session,
    errors: Errors,
    url: String,
    status: StatusCode,
) -> Result<Response, HtmlError> {
    render(
        status,
        pages::WebhooksPage {
            l: layout(state, "Webhooks", "webhooks", Some(session)),
            hooks: webhooks::list(&state.services).await?,
            kinds: overview::notice_kinds(),
            monitors: monitors::list(&state.services)
                .await?
                .into_iter()
                .map(|m| (m.slug, m.name))
                .collect(),
            errors,
            url,
        },
    )
}

async fn add_webhook(
    State(state): State<AppState>,
    Admin(session): Admin,
    CsrfForm(form): CsrfForm<WebhookFields>,
) -> Result<Response, HtmlError> {
    let input = webhooks::WebhookInput {
        url: form.url.clone(),
        format: form.format,
        kinds: Some(form.kinds),
        monitors: Some(form.monitors),
    };
    let created = webhooks::create(&state.services, input).await;
    let (st, se) = (&state, &session);
    or_form(created, move |errors| {
        show_webhooks(st, se, errors, form.url, StatusCode::UNPROCESSABLE_ENTITY)
    })
    .await?;
    Ok(Redirect::to(&done("/admin/webhooks", "webhook_added")).into_response())
}

async fn delete_webhook(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(id): Path<i64>,
    CsrfForm(answer): CsrfForm<Confirm>,
) -> Result<Response, HtmlError> {
    let url = webhooks::list(&state.services)
        .await?
        .into_iter()
        .find(|w| w.id == id)
        .map(|w| w.url)
        .ok_or(AppError::NotFound("webhook"))?;
    let d = Destructive {
        question: format!("Delete the webhook to {url}? Notices waiting for it are dropped."),
        answer: "Yes, delete it",
        action: format!("/admin/webhooks/{id}/delete"),
        back: "/admin/webhooks".into(),
        done: done("/admin/webhooks", "webhook_deleted"),
    };
    destructive(&state, &session, &answer, d, webhooks::delete(&state.services, id)).await
}
