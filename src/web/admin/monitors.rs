//! Dashboard: monitors.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::error::{HtmlError, or_form};
use super::form::{Confirm, CsrfForm, checkbox, sent};
use super::pages::{CheckForm, Errors, MonitorEditPage, MonitorForm, MonitorsPage};
use super::session::Admin;
use super::{Destructive, destructive, done, layout, render};
use crate::domain::check::{CheckInput, CheckType};
use crate::error::AppError;
use crate::service::admins::Session;
use crate::service::monitors::{self, MonitorInput, MonitorPatch, MonitorView};
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
    #[serde(rename = "type")]
    kind: String,
    url: String,
    component: String,
    alertmanager_matcher: String,
    target: String,
    interval: String,
    timeout: String,
    expect_status: String,
    keyword: String,
    retries: String,
    degraded_after_ms: String,
    #[serde(deserialize_with = "checkbox")]
    rotate_heartbeat: bool,
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
            check: CheckForm {
                kind: f.kind,
                url: f.url,
                component: f.component,
                alertmanager_matcher: f.alertmanager_matcher,
                target: f.target,
                interval: f.interval,
                timeout: f.timeout,
                expect_status: f.expect_status,
                keyword: f.keyword,
                retries: f.retries,
                degraded_after_ms: f.degraded_after_ms,
            },
        }
    }
}

/// The check settings of the form as API input: only the fields of the chosen type (the
/// form shows them all), blanks left out (on an edit, a blank keyword removes it).
fn check_input(c: &CheckForm, editing: bool) -> Result<CheckInput, AppError> {
    if c.kind.is_empty() {
        // A form without the check's fields (a script's) changes nothing of it.
        return Ok(CheckInput::default());
    }
    let kind = CheckType::parse("type", &c.kind)?;
    let text = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_string());
    let number = |field: &str, v: &str| -> Result<Option<i64>, AppError> {
        match v.trim() {
            "" => Ok(None),
            n => n
                .parse()
                .map(Some)
                .map_err(|_| AppError::invalid(field, "must be a whole number")),
        }
    };
    let (http, tcp, followed, checked) = (
        kind == CheckType::Http,
        kind == CheckType::Tcp,
        kind == CheckType::Statuspage,
        kind != CheckType::Manual,
    );
    let probed = http || tcp;
    Ok(CheckInput {
        kind: Some(kind.as_str().into()),
        url: text(&c.url).filter(|_| http || followed),
        // On an edit, a blank goes back to the default.
        alertmanager_matcher: if editing {
            Some(c.alertmanager_matcher.trim().to_string())
        } else {
            text(&c.alertmanager_matcher)
        },
        // On an edit, a blank name follows the whole page again.
        component: if followed && editing {
            Some(c.component.trim().to_string())
        } else {
            text(&c.component).filter(|_| followed)
        },
        target: text(&c.target).filter(|_| tcp),
        interval: number("check_interval", &c.interval)?.filter(|_| checked),
        timeout: number("timeout", &c.timeout)?.filter(|_| checked),
        expect_status: text(&c.expect_status).filter(|_| http),
        keyword: if http && editing {
            Some(c.keyword.trim().to_string())
        } else {
            text(&c.keyword).filter(|_| http)
        },
        retries: number("retries", &c.retries)?.filter(|_| probed || followed),
        degraded_after_ms: number("degraded_after_ms", &c.degraded_after_ms)?.filter(|_| probed),
        ..CheckInput::default()
    })
}

/// A saved monitor, as the edit form shows it.
fn form_of(m: &MonitorView) -> MonitorForm {
    MonitorForm {
        name: m.name.clone(),
        slug: m.slug.clone(),
        group: m.group.clone().unwrap_or_default(),
        description: m.description.clone(),
        status: m.status.as_str().to_string(),
        checked_by: (m.kind != CheckType::Manual).then(|| m.check_summary()),
        check: check_form(m),
    }
}

/// The check settings of a saved monitor, as the form shows them.
fn check_form(m: &MonitorView) -> CheckForm {
    let n = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    CheckForm {
        kind: m.kind.as_str().into(),
        url: m.url.clone().unwrap_or_default(),
        component: m.component.clone().unwrap_or_default(),
        alertmanager_matcher: m.alertmanager_matcher.clone().unwrap_or_default(),
        target: m.target.clone().unwrap_or_default(),
        interval: n(m.interval),
        timeout: n(m.timeout),
        expect_status: m.expect_status.clone().unwrap_or_default(),
        keyword: m.keyword.clone().unwrap_or_default(),
        retries: n(m.retries),
        degraded_after_ms: n(m.degraded_after_ms),
    }
}

/// The form's errors, with the check interval named apart from a schedule's `interval`
/// (its own label and anchor in the error summary).
fn form_errors(found: Errors) -> Errors {
    let mut errors = Errors::new();
    for (field, message) in found.iter() {
        let field = if field == "interval" {
            "check_interval"
        } else {
            field.as_str()
        };
        errors.insert(field, message.clone());
    }
    errors
}

/// Where a heartbeat monitor's job calls, given its secret.
fn heartbeat_url(state: &AppState, secret: &str) -> String {
    format!("{}/api/v1/heartbeat/{secret}", state.site.public_url)
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
    heartbeat_url: Option<String>,
) -> Result<Response, HtmlError> {
    render(
        status,
        MonitorsPage {
            l: layout(state, "Monitors", "monitors", Some(session)),
            monitors: monitors::list(&state.services).await?,
            form,
            errors,
            heartbeat_url,
        },
    )
}

async fn list(State(state): State<AppState>, Admin(session): Admin) -> Result<Response, HtmlError> {
    let empty = MonitorFields::default().into();
    show(&state, &session, empty, Errors::new(), StatusCode::OK, None).await
}

async fn create(
    State(state): State<AppState>,
    Admin(session): Admin,
    CsrfForm(fields): CsrfForm<MonitorFields>,
) -> Result<Response, HtmlError> {
    let f = MonitorForm::from(fields);
    let created = match check_input(&f.check, false) {
        Ok(check) => {
            let input = MonitorInput {
                name: f.name.clone(),
                slug: f.slug.clone(),
                group: Some(f.group.clone()),
                description: Some(f.description.clone()),
                status: matches!(check.kind.as_deref(), None | Some("manual")).then(|| f.status.clone()),
                check,
            };
            monitors::create(&state.services, &session.actor(), input).await
        }
        Err(e) => Err(e),
    };
    let (st, se) = (&state, &session);
    let created = or_form(created, move |errors| {
        show(st, se, f, form_errors(errors), StatusCode::UNPROCESSABLE_ENTITY, None)
    })
    .await?;
    // A heartbeat's secret is shown this once.
    if let Some(secret) = &created.heartbeat_secret {
        let empty = MonitorFields::default().into();
        let url = heartbeat_url(&state, secret);
        return show(&state, &session, empty, Errors::new(), StatusCode::OK, Some(url)).await;
    }
    Ok(Redirect::to(&done("/admin/monitors", "monitor_added")).into_response())
}

async fn edit(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(key): Path<String>,
) -> Result<Response, HtmlError> {
    let m = monitors::get(&state.services, &key).await?;
    render(
        StatusCode::OK,
        MonitorEditPage {
            l: layout(&state, &m.name, "monitors", Some(&session)),
            key: m.slug.clone(),
            form: form_of(&m),
            errors: Errors::new(),
            heartbeat_url: None,
        },
    )
}

async fn update(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(key): Path<String>,
    CsrfForm(fields): CsrfForm<MonitorFields>,
) -> Result<Response, HtmlError> {
    let rotate = fields.rotate_heartbeat;
    let mut f = MonitorForm::from(fields);
    // A checked monitor's status is its checks': the form sends none for it.
    let current = monitors::get(&state.services, &key).await?;
    let manual = current.kind == CheckType::Manual;
    f.checked_by = (!manual).then(|| current.check_summary());
    let updated = match check_input(&f.check, true) {
        Ok(check) => {
            let patch = MonitorPatch {
                name: Some(f.name.clone()),
                slug: Some(f.slug.clone()),
                group: Some(f.group.clone()),
                description: Some(f.description.clone()),
                status: (manual && matches!(check.kind.as_deref(), None | Some("manual"))).then(|| f.status.clone()),
                check,
                rotate_heartbeat: rotate,
            };
            monitors::update(&state.services, &session.actor(), &key, patch).await
        }
        Err(e) => Err(e),
    };
    let (st, se) = (&state, &session);
    let updated = or_form(updated, move |errors| async move {
        render(
            StatusCode::UNPROCESSABLE_ENTITY,
            MonitorEditPage {
                l: layout(st, "Edit monitor", "monitors", Some(se)),
                key,
                form: f,
                errors: form_errors(errors),
                heartbeat_url: None,
            },
        )
    })
    .await?;
    // A new heartbeat secret is shown this once.
    if let Some(secret) = &updated.heartbeat_secret {
        return render(
            StatusCode::OK,
            MonitorEditPage {
                l: layout(&state, &updated.name, "monitors", Some(&session)),
                key: updated.slug.clone(),
                form: form_of(&updated),
                errors: Errors::new(),
                heartbeat_url: Some(heartbeat_url(&state, secret)),
            },
        );
    }
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
