//! Dashboard: incidents — open one, post updates (which move its status), publish a
//! draft, delete one opened by mistake.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::error::{HtmlError, or_form};
use super::form::{Confirm, CsrfForm, checkbox};
use super::pages::{Errors, IncidentForm, IncidentPage, IncidentsPage, UpdateForm};
use super::session::Admin;
use super::{Destructive, destructive, done, layout, render};
use crate::service::admins::Session;
use crate::service::incidents::{self, IncidentInput, IncidentPatch, IncidentUpdateInput};
use crate::service::maintenances::MonitorImpactInput;
use crate::service::monitors;
use crate::web::AppState;
use crate::web::extract::id;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/incidents", get(list).post(open))
        .route("/admin/incidents/{id}", get(show))
        .route("/admin/incidents/{id}/updates", post(post_update))
        .route("/admin/incidents/{id}/publish", post(publish))
        .route("/admin/incidents/{id}/delete", post(delete))
}

/// The form that opens an incident. Each monitor has a select sending `SLUG:IMPACT`, or
/// nothing when not affected.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OpenFields {
    title: String,
    status: String,
    body: String,
    monitor: Vec<String>,
    #[serde(deserialize_with = "checkbox")]
    draft: bool,
    #[serde(deserialize_with = "checkbox")]
    quiet: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UpdateFields {
    status: String,
    body: String,
    #[serde(deserialize_with = "checkbox")]
    quiet: bool,
}

/// (slug, name) of every monitor, for the form's selects.
async fn monitor_choices(state: &AppState) -> Result<Vec<(String, String)>, HtmlError> {
    Ok(monitors::list(&state.services)
        .await?
        .into_iter()
        .map(|m| (m.slug, m.name))
        .collect())
}

async fn page(
    state: &AppState,
    session: &Session,
    form: IncidentForm,
    errors: Errors,
    status: StatusCode,
) -> Result<Response, HtmlError> {
    render(
        status,
        IncidentsPage {
            l: layout(state, "Incidents", "incidents", Some(session)),
            incidents: incidents::list(&state.services, true, 200).await?,
            monitors: monitor_choices(state).await?,
            form,
            errors,
        },
    )
}

async fn list(State(state): State<AppState>, Admin(session): Admin) -> Result<Response, HtmlError> {
    let form = IncidentForm {
        status: "INVESTIGATING".into(),
        ..IncidentForm::default()
    };
    page(&state, &session, form, Errors::new(), StatusCode::OK).await
}

async fn open(
    State(state): State<AppState>,
    Admin(session): Admin,
    CsrfForm(f): CsrfForm<OpenFields>,
) -> Result<Response, HtmlError> {
    let chosen: Vec<String> = f.monitor.into_iter().filter(|m| !m.is_empty()).collect();
    let form = IncidentForm {
        title: f.title,
        status: f.status,
        body: f.body,
        monitors: chosen.clone(),
        draft: f.draft,
        quiet: f.quiet,
    };
    let input = IncidentInput {
        title: form.title.clone(),
        status: Some(form.status.clone()),
        body: form.body.clone(),
        monitors: chosen.iter().map(|m| MonitorImpactInput::parse(m)).collect(),
        notify: Some(!form.quiet),
        draft: Some(form.draft),
    };
    let opened = incidents::open(&state.services, &session.actor(), input).await;
    let (st, se) = (&state, &session);
    let incident = or_form(opened, move |found| {
        // An error about one monitor shows beside the monitors.
        let mut errors = Errors::new();
        for (field, message) in found.iter() {
            match field.strip_prefix("monitors[") {
                Some(_) => errors.insert("monitors", message.clone()),
                None => errors.insert(field.clone(), message.clone()),
            }
        }
        page(st, se, form, errors, StatusCode::UNPROCESSABLE_ENTITY)
    })
    .await?;
    Ok(Redirect::to(&done(&format!("/admin/incidents/{}", incident.id), "incident_opened")).into_response())
}

async fn one(
    state: &AppState,
    session: &Session,
    raw: &str,
    form: UpdateForm,
    errors: Errors,
    status: StatusCode,
) -> Result<Response, HtmlError> {
    let incident = incidents::get(&state.services, id(raw, "incident")?, true).await?;
    render(
        status,
        IncidentPage {
            l: layout(state, &incident.title, "incidents", Some(session)),
            form: if form.status.is_empty() {
                UpdateForm {
                    status: incident.status.as_str().into(),
                    ..form
                }
            } else {
                form
            },
            incident,
            errors,
        },
    )
}

async fn show(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    one(
        &state,
        &session,
        &raw,
        UpdateForm::default(),
        Errors::new(),
        StatusCode::OK,
    )
    .await
}

async fn post_update(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm<UpdateFields>,
) -> Result<Response, HtmlError> {
    let incident_id = id(&raw, "incident")?;
    let form = UpdateForm {
        status: f.status,
        body: f.body,
        quiet: f.quiet,
    };
    let input = IncidentUpdateInput {
        status: Some(form.status.clone()),
        body: form.body.clone(),
        notify: Some(!form.quiet),
    };
    let posted = incidents::post_update(&state.services, &session.actor(), incident_id, input).await;
    let (st, se, r) = (&state, &session, &raw);
    or_form(posted, move |errors| {
        one(st, se, r, form, errors, StatusCode::UNPROCESSABLE_ENTITY)
    })
    .await?;
    Ok(Redirect::to(&done(&format!("/admin/incidents/{incident_id}"), "update")).into_response())
}

async fn publish(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(raw): Path<String>,
    CsrfForm(answer): CsrfForm<Confirm>,
) -> Result<Response, HtmlError> {
    let incident_id = id(&raw, "incident")?;
    let title = incidents::get(&state.services, incident_id, true).await?.title;
    let d = Destructive {
        question: format!("Publish '{title}'? Visitors see it on the status page and subscribers are told."),
        answer: "Yes, publish it",
        action: format!("/admin/incidents/{incident_id}/publish"),
        back: format!("/admin/incidents/{incident_id}"),
        done: done(&format!("/admin/incidents/{incident_id}"), "published"),
    };
    let actor = session.actor();
    let patch = IncidentPatch {
        draft: Some(false),
        ..IncidentPatch::default()
    };
    destructive(&state, &session, &answer, d, async {
        incidents::patch(&state.services, &actor, incident_id, patch)
            .await
            .map(|_| ())
    })
    .await
}

async fn delete(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(raw): Path<String>,
    CsrfForm(answer): CsrfForm<Confirm>,
) -> Result<Response, HtmlError> {
    let incident_id = id(&raw, "incident")?;
    let title = incidents::get(&state.services, incident_id, true).await?.title;
    let d = Destructive {
        question: format!("Delete the incident '{title}'? It leaves the status page and its history."),
        answer: "Yes, delete it",
        action: format!("/admin/incidents/{incident_id}/delete"),
        back: format!("/admin/incidents/{incident_id}"),
        done: done("/admin/incidents", "deleted"),
    };
    let actor = session.actor();
    destructive(
        &state,
        &session,
        &answer,
        d,
        incidents::delete(&state.services, &actor, incident_id),
    )
    .await
}
