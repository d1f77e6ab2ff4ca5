//! Dashboard: events and the operator actions on them.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Duration;

use super::pages::{Errors, EventPage, EventsPage};
use super::session::{Admin, FormData};
use super::{confirm, done, error_page, layout, render};
use crate::domain::lifecycle::EventStatus;
use crate::error::AppError;
use crate::service::admins::Session;
use crate::service::events::{self, Action, Event, UpdateInput};
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
        from: Some(now),
        to: Some(now + Duration::days(30)),
        limit: 500,
        ..Default::default()
    };
    let past = EventFilter {
        to: Some(now),
        newest_first: true,
        limit: 50,
        ..Default::default()
    };
    let result = async {
        // Cancelled windows stay listed (as "was planned for …") until their time passes.
        let (ongoing, upcoming) = events::list(s, &soon)
            .await?
            .into_iter()
            .filter(|e| {
                e.status != EventStatus::Completed && (e.status != EventStatus::Cancelled || e.scheduled_start > now)
            })
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

/// The planned length in whole minutes, what Start now offers by default.
fn planned_minutes(e: &Event) -> i64 {
    ((e.scheduled_end - e.scheduled_start).num_seconds() + 59) / 60
}

/// Values typed into the event page's forms, shown again after a failed action.
#[derive(Default)]
struct Typed {
    run_minutes: Option<String>,
    extend_minutes: Option<String>,
    body: String,
}

async fn page(
    state: &AppState,
    session: &Session,
    id: i64,
    errors: Errors,
    typed: Typed,
    status: StatusCode,
) -> Response {
    match events::get(&state.services, id).await {
        Ok(e) => render(
            status,
            EventPage {
                l: layout(state, &e.title, "events", Some(session)),
                run_minutes: typed.run_minutes.unwrap_or_else(|| planned_minutes(&e).to_string()),
                extend_minutes: typed.extend_minutes.unwrap_or_else(|| "30".into()),
                body: typed.body,
                e,
                errors,
            },
        ),
        Err(e) => error_page(e),
    }
}

async fn show(State(state): State<AppState>, Admin(session): Admin, Path(id): Path<i64>) -> Response {
    page(&state, &session, id, Errors::new(), Typed::default(), StatusCode::OK).await
}

/// Whole minutes from a form field, as a field error in the form's own words.
fn minutes(form: &FormData, field: &str) -> Result<i64, AppError> {
    let text = form.text(field);
    match text.trim().parse::<i64>() {
        Ok(m) if m >= 1 => Ok(m),
        Ok(_) => Err(AppError::invalid(field, "enter at least 1 minute")),
        Err(_) if text.trim().is_empty() => Err(AppError::invalid(field, "enter a number of minutes")),
        Err(_) => Err(AppError::invalid(
            field,
            format!("'{}' is not a whole number of minutes", text.trim()),
        )),
    }
}

/// Service messages about the end, in the words of the field that sets it.
fn in_minutes(e: AppError, field: &str) -> AppError {
    match e {
        AppError::Invalid(f) if f.field == "end" || f.field == "seconds" => {
            let message = if f.message.contains("31 days") {
                "that would make the window longer than 31 days (44,640 minutes)".to_string()
            } else {
                f.message
            };
            AppError::invalid(field, message)
        }
        other => other,
    }
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
    let mut typed = Typed::default();
    let result = match action.as_str() {
        "start" => {
            typed.run_minutes = Some(form.text("run_minutes"));
            let end = if form.get("run_minutes").is_some() {
                minutes(&form, "run_minutes").map(|m| Some(s.now() + Duration::minutes(m.min(44_641))))
            } else {
                Ok(None)
            };
            match end {
                Ok(end) => events::act(s, &actor, id, Action::Start(end))
                    .await
                    .map_err(|e| in_minutes(e, "run_minutes")),
                Err(e) => Err(e),
            }
        }
        "complete" | "cancel" => {
            let title = match events::get(s, id).await {
                Ok(e) => format!("'{}' ({})", e.title, super::show::window(&e)),
                Err(e) => return error_page(e),
            };
            let (question, answer, danger) = if action == "cancel" {
                (
                    format!(
                        "Cancel {title}? Cancelling is final; visitors see this window as cancelled and the plan's other windows go on."
                    ),
                    "Yes, cancel this window",
                    true,
                )
            } else {
                (
                    format!("Complete {title} now? The window ends at once."),
                    "Yes, complete it now",
                    false,
                )
            };
            if let Some(page) = confirm(&state, &session, &form, question, here, back.clone(), answer, danger) {
                return page;
            }
            let a = if action == "cancel" {
                Action::Cancel
            } else {
                Action::Complete
            };
            events::act(s, &actor, id, a).await
        }
        "extend" => {
            typed.extend_minutes = Some(form.text("minutes"));
            match minutes(&form, "minutes") {
                Ok(m) => events::act(s, &actor, id, Action::Extend(None, Some(m.saturating_mul(60))))
                    .await
                    .map_err(|e| in_minutes(e, "minutes")),
                Err(e) => Err(e),
            }
        }
        "updates" => {
            typed.body = form.text("body");
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
    let key = match action.as_str() {
        "start" => "started",
        "complete" => "completed",
        "cancel" => "cancelled",
        "extend" => "extended",
        _ => "update",
    };
    match result {
        Ok(_) => Redirect::to(&done(&back, key)).into_response(),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = e.status();
            let errors = match e {
                AppError::Invalid(f) => Errors::from([(f.field, f.message)]),
                other => Errors::from([("form".to_string(), other.to_string())]),
            };
            page(&state, &session, id, errors, typed, status).await
        }
        Err(e) => error_page(e),
    }
}
