//! Dashboard: subscribers and webhooks, the recipients of notices.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::pages::{self, Errors};
use super::session::{Admin, FormData};
use super::{Destructive, destructive, done, error_page, field_errors, layout, render};
use crate::error::AppError;
use crate::service::admins::Session;
use crate::service::monitors as monitor_service;
use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/subscribers", get(subscribers_page).post(add_subscriber))
        .route("/admin/subscribers/{id}/delete", post(remove_subscriber))
        .route("/admin/webhooks", get(webhooks_page).post(add_webhook))
        .route("/admin/webhooks/{id}/delete", post(delete_webhook))
}

#[derive(serde::Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

async fn subscribers_page(
    State(state): State<AppState>,
    Admin(session): Admin,
    axum::extract::Query(query): axum::extract::Query<SearchQuery>,
) -> Response {
    show_subscribers(
        &state,
        &session,
        query.q.unwrap_or_default(),
        Errors::new(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

async fn show_subscribers(
    state: &AppState,
    session: &Session,
    q: String,
    errors: Errors,
    email: String,
    status: StatusCode,
) -> Response {
    let result = async {
        let list = crate::service::subscribers::list(&state.services, &q).await?;
        let mut conn = state.services.store.conn().await?;
        let (confirmed, pending) = crate::store::subscribers::counts(&mut conn).await?;
        Ok::<_, AppError>(pages::SubscribersPage {
            l: layout(state, "Subscribers", "subscribers", Some(session)),
            q: q.clone(),
            subscribers: list,
            confirmed,
            pending,
            errors,
            email,
        })
    }
    .await;
    match result {
        Ok(page) => render(status, page),
        Err(e) => error_page(e),
    }
}

async fn add_subscriber(State(state): State<AppState>, Admin(session): Admin, form: FormData) -> Response {
    if let Err(r) = form.check_csrf(&session.csrf) {
        return r.into_response();
    }
    match crate::service::subscribers::add_confirmed(&state.services, &form.text("email")).await {
        Ok(()) => Redirect::to(&done("/admin/subscribers", "subscriber_added")).into_response(),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                show_subscribers(
                    &state,
                    &session,
                    String::new(),
                    errors,
                    form.text("email"),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => error_page(e),
        },
    }
}

async fn remove_subscriber(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(id): Path<i64>,
    form: FormData,
) -> Response {
    let email = match crate::service::subscribers::list(&state.services, "").await {
        Ok(list) => list.into_iter().find(|s| s.id == id).map(|s| s.email),
        Err(e) => return error_page(e),
    };
    let Some(email) = email else {
        return error_page(AppError::NotFound("subscriber"));
    };
    let d = Destructive {
        question: format!("Remove the subscriber {email}? They get no more notices."),
        answer: "Yes, remove them",
        action: format!("/admin/subscribers/{id}/delete"),
        back: "/admin/subscribers".into(),
        done: done("/admin/subscribers", "subscriber_removed"),
    };
    destructive(
        &state,
        &session,
        &form,
        d,
        crate::service::subscribers::remove(&state.services, id),
    )
    .await
}

async fn webhooks_page(State(state): State<AppState>, Admin(session): Admin) -> Response {
    show_webhooks(&state, &session, Errors::new(), String::new(), StatusCode::OK).await
}

async fn show_webhooks(
    state: &AppState,
    session: &Session,
    errors: Errors,
    url: String,
    status: StatusCode,
) -> Response {
    let result = async {
        Ok::<_, AppError>(pages::WebhooksPage {
            l: layout(state, "Webhooks", "webhooks", Some(session)),
            hooks: crate::service::webhooks::list(&state.services).await?,
            kinds: crate::domain::notice::NoticeKind::ABOUT_MAINTENANCE
                .iter()
                .map(|k| k.as_str())
                .collect(),
            monitors: monitor_service::list(&state.services)
                .await?
                .into_iter()
                .map(|m| (m.slug, m.name))
                .collect(),
            errors,
            url,
        })
    }
    .await;
    match result {
        Ok(page) => render(status, page),
        Err(e) => error_page(e),
    }
}

async fn add_webhook(State(state): State<AppState>, Admin(session): Admin, form: FormData) -> Response {
    if let Err(r) = form.check_csrf(&session.csrf) {
        return r.into_response();
    }
    let input = crate::service::webhooks::WebhookInput {
        url: form.text("url"),
        format: form.get("format").map(str::to_string),
        kinds: Some(form.all("kinds")),
        monitors: Some(form.all("monitors")),
    };
    match crate::service::webhooks::create(&state.services, input).await {
        Ok(_) => Redirect::to(&done("/admin/webhooks", "webhook_added")).into_response(),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                show_webhooks(
                    &state,
                    &session,
                    errors,
                    form.text("url"),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => error_page(e),
        },
    }
}

async fn delete_webhook(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(id): Path<i64>,
    form: FormData,
) -> Response {
    let url = match crate::service::webhooks::list(&state.services).await {
        Ok(list) => list.into_iter().find(|w| w.id == id).map(|w| w.url),
        Err(e) => return error_page(e),
    };
    let Some(url) = url else {
        return error_page(AppError::NotFound("webhook"));
    };
    let d = Destructive {
        question: format!("Delete the webhook to {url}? Notices waiting for it are dropped."),
        answer: "Yes, delete it",
        action: format!("/admin/webhooks/{id}/delete"),
        back: "/admin/webhooks".into(),
        done: done("/admin/webhooks", "webhook_deleted"),
    };
    destructive(
        &state,
        &session,
        &form,
        d,
        crate::service::webhooks::delete(&state.services, id),
    )
    .await
}
