//! Dashboard: events and the operator actions on them.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Duration;

use super::pages::{EventPage, EventsPage};
use super::session::{Admin, FormData};
use super::{confirm, error_page, layout, render};
use crate::domain::lifecycle::EventStatus;
use crate::error::AppError;
use crate::service::admins::Session;
use crate::service::events::{self, Action, UpdateInput};
use crate::store::events::EventFilter;
use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/events", get(list))
        .route("/admin/events/{id}", get(show))
        .route("/admin/events/{id}/{action}", post(act))
}

async fn list(State(state): State<AppState>, Admin(session): Admin) -> Response {
    let s = &state.services;
    let now = s.now();
    let soon = EventFilter {
        from: Some(now.timestamp()),
        to: Some((now + Duration::days(30)).timestamp()),
        limit: 500,
        ..Default::default()
    };
    let past = EventFilter {
        to: Some(now.timestamp()),
        newest_first: true,
        limit: 50,
        ..Default::default()
    };
    let result = async {
        let (ongoing, upcoming) = events::list(s, &soon)
            .await?
            .into_iter()
            .filter(|e| !e.status.is_terminal())
            .partition(|e| e.status == EventStatus::Ongoing);
        let past = events::list(s, &past)
            .await?
            .into_iter()
            .filter(|e| e.status.is_terminal())
            .collect();
        Ok::<_, AppError>(EventsPage {
            l: layout(&state, "Events", "events", Some(&session)),
            ongoing,
            upcoming,
            past,
        })
    }
    .await;
    match result {
        Ok(page) => render(StatusCode::OK, page),
        Err(e) => error_page(e),
    }
}

async fn page(state: &AppState, session: &Session, id: i64, error: Option<String>, status: StatusCode) -> Response {
    match events::get(&state.services, id).await {
        Ok(e) => render(
            status,
            EventPage {
                l: layout(state, &e.title, "events", Some(session)),
                e,
                error,
            },
        ),
        Err(e) => error_page(e),
    }
}

async fn show(State(state): State<AppState>, Admin(session): Admin, Path(id): Path<i64>) -> Response {
    page(&state, &session, id, None, StatusCode::OK).await
}

async fn act(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path((id, action)): Path<(i64, String)>,
    form: FormData,
) -> Response {
    if let Err(r) = form.check_csrf(&session.csrf) {
        return r.into_response();
    }
    let back = format!("/admin/events/{id}");
    let here = format!("/admin/events/{id}/{action}");
    let s = &state.services;
    let actor = session.actor();
    let result = match action.as_str() {
        "start" => events::act(s, &actor, id, Action::Start(None)).await,
        "complete" | "cancel" => {
            let question = if action == "cancel" {
                format!("Cancel event #{id}? Cancelling is final; visitors see it as cancelled.")
            } else {
                format!("Complete event #{id} now? Its window ends at once.")
            };
            if let Some(page) = confirm(&state, &session, &form, question, here, back.clone()) {
                return page;
            }
            let a = if action == "cancel" {
                Action::Cancel
            } else {
                Action::Complete
            };
            events::act(s, &actor, id, a).await
        }
        "extend" => match form.text("minutes").trim().parse::<i64>() {
            Ok(m) => events::act(s, &actor, id, Action::Extend(None, Some(m.saturating_mul(60)))).await,
            Err(_) => Err(AppError::invalid("minutes", "enter a number of minutes")),
        },
        "updates" => {
            events::post_update(
                s,
                &actor,
                id,
                UpdateInput {
                    body: form.text("body"),
                },
            )
            .await
        }
        _ => Err(AppError::NotFound("action")),
    };
    match result {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let message = match &e {
                AppError::Invalid(f) => f.message.clone(),
                other => other.to_string(),
            };
            page(&state, &session, id, Some(message), e.status()).await
        }
        Err(e) => error_page(e),
    }
}
