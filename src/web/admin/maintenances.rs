//! Dashboard: maintenances, with the schedule builder and a preview of the next windows.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;

use super::pages::{AffectedChoice, Errors, MaintenanceForm, MaintenanceFormPage, MaintenancesPage};
use super::session::{Admin, FormData};
use super::{Destructive, destructive, error_page, field_errors, layout, render};
use crate::domain::builder::{Builder, WEEKDAYS};
use crate::domain::schedule::{Schedule, format_utc};
use crate::error::AppError;
use crate::service::admins::Session;
use crate::service::maintenances::{
    self, MaintenanceInput, MaintenancePatch, MaintenanceView, MonitorImpactInput, NotifySettings,
};
use crate::service::monitors;
use crate::web::AppState;
use crate::web::markdown;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/maintenances", get(list).post(create))
        .route("/admin/maintenances/new", get(new))
        .route("/admin/maintenances/{id}", get(edit).post(update))
        .route("/admin/maintenances/{id}/delete", post(delete))
}

const WEEKDAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn zones() -> &'static [&'static str] {
    static ZONES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    ZONES.get_or_init(|| {
        let mut z: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|t| t.name()).collect();
        z.sort_unstable();
        z
    })
}

async fn list(State(state): State<AppState>, Admin(session): Admin) -> Response {
    match maintenances::list(&state.services, None).await {
        Ok(list) => render(
            StatusCode::OK,
            MaintenancesPage {
                l: layout(&state, "Maintenances", "maintenances", Some(&session)),
                maintenances: list,
            },
        ),
        Err(e) => error_page(e),
    }
}

/// The form's values, kept as typed so a failed save shows them again.
fn form_of(f: &FormData, monitors: &[(String, String)]) -> MaintenanceForm {
    let chosen = f.all("monitor");
    let builder = Builder {
        mode: f.get("mode").unwrap_or("once").to_string(),
        interval: f.text("interval").trim().parse().unwrap_or(1),
        weekdays: f.all("weekdays"),
        month_day: f.text("month_day").parse().unwrap_or(1),
        nth: f.text("nth").parse().unwrap_or(1),
        nth_weekday: f.get("nth_weekday").unwrap_or("MO").to_string(),
        until: None,
        count: None,
        raw: f.text("rrule"),
    };
    MaintenanceForm {
        title: f.text("title"),
        description: f.text("description"),
        start: f.text("start"),
        timezone: f.get("timezone").unwrap_or("UTC").to_string(),
        hours: f.text("hours"),
        minutes: f.text("minutes"),
        builder,
        until: f.text("until"),
        count: f.text("count"),
        status: f.get("status").unwrap_or("ACTIVE").to_string(),
        lead_minutes: f.text("lead_minutes"),
        record_past: f.checked("record_past"),
        notify: NotifySettings {
            scheduled: f.checked("notify_scheduled"),
            reminder: f.checked("notify_reminder"),
            start: f.checked("notify_start"),
            completion: f.checked("notify_completion"),
            cancellation: f.checked("notify_cancellation"),
        },
        monitors: monitors
            .iter()
            .map(|(slug, name)| AffectedChoice {
                checked: chosen.contains(slug),
                impact: f.get(&format!("impact_{slug}")).unwrap_or("MAINTENANCE").to_string(),
                slug: slug.clone(),
                name: name.clone(),
            })
            .collect(),
    }
}

fn number(field: &str, text: &str, default: i64) -> Result<i64, AppError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(default);
    }
    t.parse()
        .map_err(|_| AppError::invalid(field, "must be a whole number"))
}

/// The form as API input: the builder becomes an RRULE, hours and minutes seconds.
fn input_of(form: &MaintenanceForm) -> Result<MaintenanceInput, AppError> {
    let hours = number("duration", &form.hours, 0)?;
    let minutes = number("duration", &form.minutes, 0)?;
    let mut builder = form.builder.clone();
    if !form.until.trim().is_empty() {
        builder.until = Some(
            NaiveDate::parse_from_str(form.until.trim(), "%Y-%m-%d")
                .map_err(|_| AppError::invalid("until", "must be a date"))?,
        );
    }
    if !form.count.trim().is_empty() {
        builder.count = Some(number("count", &form.count, 1)?.clamp(0, 100_000) as u32);
    }
    Ok(MaintenanceInput {
        title: form.title.clone(),
        description: Some(form.description.clone()),
        start: form.start.clone(),
        timezone: form.timezone.clone(),
        duration: hours.saturating_mul(3600).saturating_add(minutes.saturating_mul(60)),
        rrule: Some(builder.to_rrule()?),
        status: Some(form.status.clone()),
        reminder_lead: Some(number("reminder_lead", &form.lead_minutes, 60)?.saturating_mul(60)),
        notify: Some(form.notify),
        monitors: form
            .monitors
            .iter()
            .filter(|m| m.checked)
            .map(|m| MonitorImpactInput {
                slug: m.slug.clone(),
                impact: Some(m.impact.clone()),
            })
            .collect(),
        record_past: form.record_past,
    })
}

fn form_from_view(m: &MaintenanceView, monitors: &[(String, String)]) -> MaintenanceForm {
    let builder = Builder::from_rrule(&m.rrule);
    MaintenanceForm {
        title: m.title.clone(),
        description: m.description.clone(),
        start: m.start.get(..16).unwrap_or(&m.start).to_string(),
        timezone: m.timezone.clone(),
        hours: (m.duration / 3600).to_string(),
        minutes: (m.duration % 3600 / 60).to_string(),
        until: builder
            .until
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        count: builder.count.map(|c| c.to_string()).unwrap_or_default(),
        builder,
        status: m.status.clone(),
        lead_minutes: (m.reminder_lead / 60).to_string(),
        record_past: false,
        notify: m.notify,
        monitors: monitors
            .iter()
            .map(|(slug, name)| {
                let affected = m.monitors.iter().find(|a| &a.slug == slug);
                AffectedChoice {
                    checked: affected.is_some(),
                    impact: affected.map_or("MAINTENANCE", |a| a.impact.as_str()).to_string(),
                    slug: slug.clone(),
                    name: name.clone(),
                }
            })
            .collect(),
    }
}

async fn monitor_names(state: &AppState) -> Result<Vec<(String, String)>, AppError> {
    Ok(monitors::list(&state.services)
        .await?
        .into_iter()
        .map(|m| (m.slug, m.name))
        .collect())
}

struct Extras {
    errors: Errors,
    description_html: Option<String>,
    view: Option<MaintenanceView>,
    saved: bool,
}

fn show(
    state: &AppState,
    session: &Session,
    id: Option<i64>,
    form: MaintenanceForm,
    x: Extras,
    status: StatusCode,
) -> Response {
    let preview = input_of(&form)
        .ok()
        .and_then(|i| Schedule::parse(&i.start, &i.timezone, i.duration, i.rrule.as_deref().unwrap_or("")).ok())
        .map(|s| {
            s.preview(None, 5)
                .into_iter()
                .map(|o| (format_utc(o.start), format_utc(o.end)))
                .collect()
        })
        .unwrap_or_default();
    let weekdays = std::array::from_fn(|i| (WEEKDAYS[i], WEEKDAY_NAMES[i]));
    let (events, warnings) = match x.view {
        Some(v) => (
            v.events.unwrap_or_default(),
            v.warnings.unwrap_or_default().into_iter().map(|w| w.message).collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let title = if id.is_some() {
        "Edit maintenance"
    } else {
        "Schedule maintenance"
    };
    render(
        status,
        MaintenanceFormPage {
            l: layout(state, title, "maintenances", Some(session)),
            id,
            form,
            errors: x.errors,
            zones: zones(),
            weekdays,
            preview,
            description_html: x.description_html,
            events,
            warnings,
            saved: x.saved,
        },
    )
}

async fn new(State(state): State<AppState>, Admin(session): Admin) -> Response {
    let monitors = match monitor_names(&state).await {
        Ok(m) => m,
        Err(e) => return error_page(e),
    };
    let mut form = form_of(&FormData(Vec::new()), &monitors);
    form.hours = "1".into();
    form.minutes = "0".into();
    form.lead_minutes = "60".into();
    form.notify = NotifySettings::default();
    let x = Extras {
        errors: Errors::new(),
        description_html: None,
        view: None,
        saved: false,
    };
    show(&state, &session, None, form, x, StatusCode::OK)
}

/// Saves (or previews) a submitted form; `id` is `None` when creating.
async fn submit(state: &AppState, session: &Session, id: Option<i64>, form: FormData) -> Response {
    if let Err(r) = form.check_csrf(&session.csrf) {
        return r.into_response();
    }
    let monitors = match monitor_names(state).await {
        Ok(m) => m,
        Err(e) => return error_page(e),
    };
    let f = form_of(&form, &monitors);
    let again = |f, errors, description_html, status| {
        let x = Extras {
            errors,
            description_html,
            view: None,
            saved: false,
        };
        show(state, session, id, f, x, status)
    };
    if form.get("action") == Some("preview") {
        let html = Some(markdown::to_html(&f.description));
        let errors = input_of(&f).err().and_then(|e| field_errors(&e)).unwrap_or_default();
        return again(f, errors, html, StatusCode::OK);
    }
    let input = match input_of(&f) {
        Ok(i) => i,
        Err(e) => {
            return again(
                f,
                field_errors(&e).unwrap_or_default(),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let actor = session.actor();
    let saved = match id {
        None => maintenances::create(&state.services, &actor, input).await,
        Some(id) => {
            let patch = MaintenancePatch {
                title: Some(input.title),
                description: input.description,
                start: Some(input.start),
                timezone: Some(input.timezone),
                duration: Some(input.duration),
                rrule: input.rrule,
                status: input.status,
                reminder_lead: input.reminder_lead,
                notify: input.notify,
                monitors: Some(input.monitors),
                record_past: input.record_past,
            };
            maintenances::update(&state.services, &actor, id, patch).await
        }
    };
    match saved {
        Ok(view) => {
            // Show the saved plan with its events and any overlap warnings.
            let form = form_from_view(&view, &monitors);
            let x = Extras {
                errors: Errors::new(),
                description_html: None,
                saved: true,
                view: Some(view.clone()),
            };
            if id.is_none() && view.warnings.as_ref().is_none_or(|w| w.is_empty()) {
                return Redirect::to(&format!("/admin/maintenances/{}?saved=1", view.id)).into_response();
            }
            show(state, session, Some(view.id), form, x, StatusCode::OK)
        }
        Err(e) => match field_errors(&e) {
            Some(errors) => again(f, errors, None, StatusCode::UNPROCESSABLE_ENTITY),
            None => error_page(e),
        },
    }
}

async fn create(State(state): State<AppState>, Admin(session): Admin, form: FormData) -> Response {
    submit(&state, &session, None, form).await
}

async fn update(State(state): State<AppState>, Admin(session): Admin, Path(id): Path<i64>, form: FormData) -> Response {
    submit(&state, &session, Some(id), form).await
}

async fn edit(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>,
) -> Response {
    let monitors = match monitor_names(&state).await {
        Ok(m) => m,
        Err(e) => return error_page(e),
    };
    match maintenances::view(&state.services, id, true).await {
        Ok(view) => {
            let form = form_from_view(&view, &monitors);
            let x = Extras {
                errors: Errors::new(),
                description_html: None,
                view: Some(view),
                saved: q.contains_key("saved"),
            };
            show(&state, &session, Some(id), form, x, StatusCode::OK)
        }
        Err(e) => error_page(e),
    }
}

async fn delete(State(state): State<AppState>, Admin(session): Admin, Path(id): Path<i64>, form: FormData) -> Response {
    let d = Destructive {
        question: format!("Delete maintenance #{id} and all its events, past ones included? This cannot be undone."),
        action: format!("/admin/maintenances/{id}/delete"),
        back: format!("/admin/maintenances/{id}"),
        done: "/admin/maintenances".into(),
    };
    destructive(
        &state,
        &session,
        &form,
        d,
        maintenances::delete(&state.services, &session.actor(), id),
    )
    .await
}
