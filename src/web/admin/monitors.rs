//! Dashboard: monitors.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::error::{HtmlError, or_form};
use super::form::{Confirm, CsrfForm, sent};
use super::pages::{Errors, MonitorEditPage, MonitorForm, MonitorsPage};
use super::session::Admin;
use super::{Destructive, destructive, done, layout, render};
use crate::domain::check::CheckType;
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

/// The add and edit forms of a monitor.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MonitorFields {
    name: String,
    slug: String,
    group: String,
    description: String,
    #[serde(deserialize_with = "sent")]
    status: Option<String>,
}

impl From<MonitorFields> for MonitorForm {
    fn from(f: MonitorFields) -> Self {
        Self {
            name: f.name,
            slug: f.slug,
            group: f.group,
            description: f.description,
            status: f.status.unwrap_or_else(|| "UP".into()),
            checked_by: None,
        }
    }
}

/// The status buttons of the list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StatusFields {
    status: String,
}

async fn show(
    state: &AppState,
    session: &Session,
    form: MonitorForm,
    errors: Errors,
    status: StatusCode,
) -> Result<Response, HtmlError> {
    render(
        status,
        MonitorsPage {
            l: layout(state, "Monitors", "monitors", Some(session)),
            monitors: monitors::list(&state.services).await?,
            form,
            errors,
        },
    )
}

async fn list(State(state): State<AppState>, Admin(session): Admin) -> Result<Response, HtmlError> {
    let empty = MonitorFields::default().into();
    show(&state, &session, empty, Errors::new(), StatusCode::OK).await
}

async fn create(
    State(state): State<AppState>,
    Admin(session): Admin,
    CsrfForm(fields): CsrfForm<MonitorFields>,
) -> Result<Response, HtmlError> {
    let f = MonitorForm::from(fields);
    let input = MonitorInput {
        name: f.name.clone(),
        slug: f.slug.clone(),
        group: Some(f.group.clone()),
        description: Some(f.description.clone()),
        status: Some(f.status.clone()),
        check: Default::default(),
    };
    let created = monitors::create(&state.services, &session.actor(), input).await;
    let (st, se) = (&state, &session);
    or_form(created, move |errors| {
        show(st, se, f, errors, StatusCode::UNPROCESSABLE_ENTITY)
    })
    .await?;
    Ok(Redirect::to(&done("/admin/monitors", "monitor_added")).into_response())
}

async fn edit(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(key): Path<String>,
) -> Result<Response, HtmlError> {
    let m = monitors::get(&state.services, &key).await?;
    let checked_by = (m.kind != CheckType::Manual).then(|| m.check_summary());
    render(
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
                checked_by,
            },
            errors: Errors::new(),
        },
    )
}

async fn update(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(key): Path<String>,
    CsrfForm(fields): CsrfForm<MonitorFields>,
) -> Result<Response, HtmlError> {
    let mut f = MonitorForm::from(fields);
    // The form has no check settings yet: a checked monitor keeps them, and its status
    // (which its checks set) is not sent.
    let current = monitors::get(&state.services, &key).await?;
    let manual = current.kind == CheckType::Manual;
    f.checked_by = (!manual).then(|| current.check_summary());
    let patch = MonitorPatch {
        name: Some(f.name.clone()),
        slug: Some(f.slug.clone()),
        group: Some(f.group.clone()),
        description: Some(f.description.clone()),
        status: manual.then(|| f.status.clone()),
        check: Default::default(),
        rotate_heartbeat: false,
    };
    let updated = monitors::update(&state.services, &session.actor(), &key, patch).await;
    let (st, se) = (&state, &session);
    or_form(updated, move |errors| async move {
        render(
            StatusCode::UNPROCESSABLE_ENTITY,
            MonitorEditPage {
                l: layout(st, "Edit monitor", "monitors", Some(se)),
                key,
                form: f,
                errors,
            },
        )
    })
    .await?;
    Ok(Redirect::to(&done("/admin/monitors", "monitor_saved")).into_response())
}

async fn set_status(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(key): Path<String>,
    CsrfForm(form): CsrfForm<StatusFields>,
) -> Result<Response, HtmlError> {
    let patch = MonitorPatch {
        status: Some(form.status),
        ..Default::default()
    };
    monitors::update(&state.services, &session.actor(), &key, patch).await?;
    Ok(Redirect::to(&done("/admin/monitors", "status_set")).into_response())
}

async fn delete(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(key): Path<String>,
    CsrfForm(answer): CsrfForm<Confirm>,
) -> Result<Response, HtmlError> {
    let name = monitors::get(&state.services, &key).await?.name;
    let d = Destructive {
        question: format!("Delete the monitor '{name}'? Maintenances stop affecting it and it leaves the status page."),
        answer: "Yes, delete it",
        action: format!("/admin/monitors/{key}/delete"),
        back: format!("/admin/monitors/{key}"),
        done: done("/admin/monitors", "deleted"),
    };
    let actor = session.actor();
    destructive(
        &state,
        &session,
        &answer,
        d,
        monitors::delete(&state.services, &actor, &key),
    )
    .await
}
