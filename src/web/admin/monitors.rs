//! Dashboard: monitors.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::pages::{Errors, MonitorEditPage, MonitorForm, MonitorsPage};
use super::session::{Admin, FormData};
use super::{Destructive, destructive, done, error_page, field_errors, layout, render};
use crate::service::admins::Session;
use crate::service::monitors::{self, MonitorInput, MonitorPatch};
use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/monitors", get(list).post(create))
        .route("/admin/monitors/{key}", get(edit).post(update))
        .route("/admin/monitors/{key}/status", post(set_status))
        .route("/admin/monitors/{key}/delete", post(delete))
}

fn form_of(f: &FormData) -> MonitorForm {
    MonitorForm {
        name: f.text("name"),
        slug: f.text("slug"),
        group: f.text("group"),
        description: f.text("description"),
        status: f.get("status").unwrap_or("UP").to_string(),
    }
}

async fn show(state: &AppState, session: &Session, form: MonitorForm, errors: Errors, status: StatusCode) -> Response {
    match monitors::list(&state.services).await {
        Ok(list) => render(
            status,
            MonitorsPage {
                l: layout(state, "Monitors", "monitors", Some(session)),
                monitors: list,
                form,
                errors,
            },
        ),
        Err(e) => error_page(e),
    }
}

async fn list(State(state): State<AppState>, Admin(session): Admin) -> Response {
    let empty = form_of(&FormData(Vec::new()));
    show(&state, &session, empty, Errors::new(), StatusCode::OK).await
}

async fn create(State(state): State<AppState>, Admin(session): Admin, form: FormData) -> Response {
    if let Err(r) = form.check_csrf(&session.csrf) {
        return r.into_response();
    }
    let f = form_of(&form);
    let input = MonitorInput {
        name: f.name.clone(),
        slug: f.slug.clone(),
        group: Some(f.group.clone()),
        description: Some(f.description.clone()),
        status: Some(f.status.clone()),
    };
    match monitors::create(&state.services, &session.actor(), input).await {
        Ok(_) => Redirect::to(&done("/admin/monitors", "monitor_added")).into_response(),
        Err(e) => match field_errors(&e) {
            Some(errors) => show(&state, &session, f, errors, StatusCode::UNPROCESSABLE_ENTITY).await,
            None => error_page(e),
        },
    }
}

async fn edit(State(state): State<AppState>, Admin(session): Admin, Path(key): Path<String>) -> Response {
    match monitors::get(&state.services, &key).await {
        Ok(m) => render(
            StatusCode::OK,
            MonitorEditPage {
                l: layout(&state, &m.name, "monitors", Some(&session)),
                key: m.slug.clone(),
                form: MonitorForm {
                    name: m.name,
                    slug: m.slug,
                    group: m.group.unwrap_or_default(),
                    description: m.description,
                    status: m.status.as_str().to_string(),
                },
                errors: Errors::new(),
            },
        ),
        Err(e) => error_page(e),
    }
}

async fn update(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(key): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = form.check_csrf(&session.csrf) {
        return r.into_response();
    }
    let f = form_of(&form);
    let patch = MonitorPatch {
        name: Some(f.name.clone()),
        slug: Some(f.slug.clone()),
        group: Some(f.group.clone()),
        description: Some(f.description.clone()),
        status: Some(f.status.clone()),
    };
    match monitors::update(&state.services, &session.actor(), &key, patch).await {
        Ok(_) => Redirect::to(&done("/admin/monitors", "monitor_saved")).into_response(),
        Err(e) => match field_errors(&e) {
            Some(errors) => render(
                StatusCode::UNPROCESSABLE_ENTITY,
                MonitorEditPage {
                    l: layout(&state, "Edit monitor", "monitors", Some(&session)),
                    key,
                    form: f,
                    errors,
                },
            ),
            None => error_page(e),
        },
    }
}

async fn set_status(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(key): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = form.check_csrf(&session.csrf) {
        return r.into_response();
    }
    let patch = MonitorPatch {
        status: Some(form.text("status")),
        ..Default::default()
    };
    match monitors::update(&state.services, &session.actor(), &key, patch).await {
        Ok(_) => Redirect::to(&done("/admin/monitors", "status_set")).into_response(),
        Err(e) => error_page(e),
    }
}

async fn delete(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(key): Path<String>,
    form: FormData,
) -> Response {
    let name = match monitors::get(&state.services, &key).await {
        Ok(m) => m.name,
        Err(e) => return error_page(e),
    };
    let d = Destructive {
        question: format!("Delete the monitor '{name}'? Maintenances stop affecting it and it leaves the status page."),
        answer: "Yes, delete it",
        action: format!("/admin/monitors/{key}/delete"),
        back: format!("/admin/monitors/{key}"),
        done: done("/admin/monitors", "deleted"),
    };
    destructive(
        &state,
        &session,
        &form,
        d,
        monitors::delete(&state.services, &session.actor(), &key),
    )
    .await
}
