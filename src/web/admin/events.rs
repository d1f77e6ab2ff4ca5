//! Dashboard: events and the operator actions on them.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Duration;
use serde::Deserialize;

use super::error::HtmlError;
use super::form::{Confirm, CsrfForm, sent};
use super::pages::{Errors, EventPage, EventsPage};
use super::session::Admin;
use super::{Destructive, ask, done, layout, render};
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
        .route("/admin/events/{id}/start", post(start))
        .route("/admin/events/{id}/complete", post(complete))
        .route("/admin/events/{id}/cancel", post(cancel))
        .route("/admin/events/{id}/extend", post(extend))
        .route("/admin/events/{id}/updates", post(post_update))
}

/// "Start now", with how long to run (left out: as planned).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StartFields {
    #[serde(deserialize_with = "sent")]
    run_minutes: Option<String>,
}

/// "Extend by".
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ExtendFields {
    minutes: String,
}

/// A progress update.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UpdateFields {
    body: String,
}

async fn list(State(state): State<AppState>, Admin(session): Admin) -> Result<Response, HtmlError> {
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
    render(
        StatusCode::OK,
        EventsPage {
            l: layout(&state, "Events", "events", Some(&session)),
            ongoing,
            upcoming,
            past,
        },
    )
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
) -> Result<Response, HtmlError> {
    let e = events::get(&state.services, id).await?;
    render(
        status,
        EventPage {
            l: layout(state, &e.title, "events", Some(session)),
            run_minutes: typed.run_minutes.unwrap_or_else(|| planned_minutes(&e).to_string()),
            extend_minutes: typed.extend_minutes.unwrap_or_else(|| "30".into()),
            body: typed.body,
            e,
            errors,
        },
    )
}

async fn show(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(id): Path<i64>,
) -> Result<Response, HtmlError> {
    page(&state, &session, id, Errors::new(), Typed::default(), StatusCode::OK).await
}

/// Whole minutes from a form field, as a field error in the form's own words.
fn minutes(text: &str, field: &str) -> Result<i64, AppError> {
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

/// After an action: back to the event with a notice, or the event page again with the
/// reason beside the field (or at the top, when the lifecycle refused it).
async fn acted<T>(
    state: &AppState,
    session: &Session,
    id: i64,
    result: Result<T, AppError>,
    typed: Typed,
    notice: &str,
) -> Result<Response, HtmlError> {
    match result {
        Ok(_) => Ok(Redirect::to(&done(&format!("/admin/events/{id}"), notice)).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = e.status();
            let errors = match e {
                AppError::Invalid(f) => Errors::from([(f.field, f.message)]),
                other => Errors::from([("form".to_string(), other.to_string())]),
            };
            Err(HtmlError::page(page(state, session, id, errors, typed, status).await?))
        }
        Err(e) => Err(e.into()),
    }
}

async fn start(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StartFields>,
) -> Result<Response, HtmlError> {
    let s = &state.services;
    let result = match form.run_minutes.as_deref().map(|t| minutes(t, "run_minutes")) {
        Some(Err(e)) => Err(e),
        run => {
            let end = run.map(|m| m.map(|m| s.now() + Duration::minutes(m.min(44_641))));
            match end.transpose() {
                Ok(end) => events::act(s, &session.actor(), id, Action::Start(end))
                    .await
                    .map_err(|e| in_minutes(e, "run_minutes")),
                Err(e) => Err(e),
            }
        }
    };
    let typed = Typed {
        run_minutes: Some(form.run_minutes.unwrap_or_default()),
        ..Typed::default()
    };
    acted(&state, &session, id, result, typed, "started").await
}

/// Completing or cancelling a window: asked first.
async fn end_early(
    state: &AppState,
    session: &Session,
    id: i64,
    answer: &Confirm,
    cancel: bool,
) -> Result<Response, HtmlError> {
    let s = &state.services;
    if !answer.yes() {
        let e = events::get(s, id).await?;
        let title = format!("'{}' ({})", e.title, super::show::window(&e));
        let (question, answer) = if cancel {
            (
                format!(
                    "Cancel {title}? Cancelling is final; visitors see this window as cancelled and the plan's other windows go on."
                ),
                "Yes, cancel this window",
            )
        } else {
            (
                format!("Complete {title} now? The window ends at once."),
                "Yes, complete it now",
            )
        };
        let back = format!("/admin/events/{id}");
        let action = format!("{back}/{}", if cancel { "cancel" } else { "complete" });
        let d = Destructive {
            question,
            answer,
            action,
            done: back.clone(),
            back,
        };
        return ask(state, session, d, cancel);
    }
    let (action, notice) = if cancel {
        (Action::Cancel, "cancelled")
    } else {
        (Action::Complete, "completed")
    };
    let result = events::act(s, &session.actor(), id, action).await;
    acted(state, session, id, result, Typed::default(), notice).await
}

async fn complete(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(id): Path<i64>,
    CsrfForm(answer): CsrfForm<Confirm>,
) -> Result<Response, HtmlError> {
    end_early(&state, &session, id, &answer, false).await
}

async fn cancel(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(id): Path<i64>,
    CsrfForm(answer): CsrfForm<Confirm>,
) -> Result<Response, HtmlError> {
    end_early(&state, &session, id, &answer, true).await
}

async fn extend(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ExtendFields>,
) -> Result<Response, HtmlError> {
    let s = &state.services;
    let result = match minutes(&form.minutes, "minutes") {
        Ok(m) => events::act(
            s,
            &session.actor(),
            id,
            Action::Extend(None, Some(m.saturating_mul(60))),
        )
        .await
        .map_err(|e| in_minutes(e, "minutes")),
        Err(e) => Err(e),
    };
    let typed = Typed {
        extend_minutes: Some(form.minutes),
        ..Typed::default()
    };
    acted(&state, &session, id, result, typed, "extended").await
}

async fn post_update(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<UpdateFields>,
) -> Result<Response, HtmlError> {
    let input = UpdateInput {
        body: form.body.clone(),
    };
    let result = events::post_update(&state.services, &session.actor(), id, input).await;
    let typed = Typed {
        body: form.body,
        ..Typed::default()
    };
    acted(&state, &session, id, result, typed, "update").await
}
