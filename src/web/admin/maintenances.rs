//! Dashboard: maintenances, with the schedule builder and a preview of the next windows.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::error::HtmlError;
use super::form::{Confirm, CsrfForm};
use super::pages::{Errors, MaintenanceForm, MaintenanceFormPage, MaintenancesPage, PreviewLine};
use super::schedule_form::{FormAction, MaintenanceFields, form_from_view, form_of, in_form_words, input_of};
use super::session::Admin;
use super::{Destructive, destructive, done, layout, render};
use crate::domain::builder::{Builder, WEEKDAYS};
use crate::domain::format;
use crate::domain::schedule::{Schedule, format_utc};
use crate::error::AppError;
use crate::markdown;
use crate::service::admins::Session;
use crate::service::maintenances::{self, Maintenance, MaintenancePatch, NotifySettings, SkipInput, WindowNote};
use crate::service::monitors;
use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/maintenances", get(list).post(create))
        .route("/admin/maintenances/new", get(new))
        .route("/admin/maintenances/{id}", get(edit).post(update))
        .route("/admin/maintenances/{id}/delete", post(delete))
        .route("/admin/maintenances/{id}/skip", post(skip))
}

const WEEKDAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Zones people pick: the canonical region/city names and UTC, not the ~600 legacy
/// aliases (GB-Eire, Zulu, US/Eastern…), which still work through the API.
fn zones() -> &'static [&'static str] {
    static ZONES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    const REGIONS: [&str; 9] = [
        "Africa/",
        "America/",
        "Antarctica/",
        "Asia/",
        "Atlantic/",
        "Australia/",
        "Europe/",
        "Indian/",
        "Pacific/",
    ];
    ZONES.get_or_init(|| {
        let mut z: Vec<&'static str> = chrono_tz::TZ_VARIANTS
            .iter()
            .map(|t| t.name())
            .filter(|n| *n == "UTC" || REGIONS.iter().any(|r| n.starts_with(r)))
            .collect();
        z.sort_unstable();
        z
    })
}

async fn list(State(state): State<AppState>, Admin(session): Admin) -> Result<Response, HtmlError> {
    render(
        StatusCode::OK,
        MaintenancesPage {
            l: layout(&state, "Maintenances", "maintenances", Some(&session)),
            maintenances: maintenances::list(&state.services, None).await?,
        },
    )
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
    view: Option<Maintenance>,
}

/// The next windows of the schedule as typed, from now on, in its own zone; for a saved
/// plan, skipped and cancelled ones are marked. Also a note when the start falls in a
/// DST gap.
async fn preview_of(state: &AppState, id: Option<i64>, form: &MaintenanceForm) -> (Vec<PreviewLine>, Option<String>) {
    let Ok(input) = input_of(form) else {
        return (Vec::new(), None);
    };
    let Ok(schedule) = Schedule::parse(
        &input.start,
        &input.timezone,
        input.duration,
        input.rrule.as_deref().unwrap_or(""),
    ) else {
        return (Vec::new(), None);
    };
    let first = schedule.resolve(schedule.start);
    let from = state.services.now();
    let lines = maintenances::preview_marked(&state.services, &schedule, id, from, 5)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(o, note)| PreviewLine {
            local: format::window(o.start, o.end, schedule.tz, &format::ENGLISH_DATES),
            utc: format::window_utc(o.start, o.end, schedule.tz),
            note: note.map(|n| match n {
                WindowNote::Skipped => "skipped",
                WindowNote::Cancelled => "cancelled",
            }),
            past: o.end <= state.services.now(),
        })
        .collect();
    let local_first = first.with_timezone(&schedule.tz).naive_local();
    let gap = (local_first != schedule.start).then(|| {
        format!(
            "{} does not exist on {} in {} (the clocks jump forward): that window starts at {}.",
            schedule.start.format("%H:%M"),
            schedule.start.format("%a %-d %b %Y"),
            schedule.tz.name(),
            local_first.format("%H:%M"),
        )
    });
    (lines, gap)
}

async fn show(
    state: &AppState,
    session: &Session,
    id: Option<i64>,
    form: MaintenanceForm,
    x: Extras,
    status: StatusCode,
) -> Result<Response, HtmlError> {
    let (preview, dst_note) = preview_of(state, id, &form).await;
    let weekdays = std::array::from_fn(|i| (WEEKDAYS[i], WEEKDAY_NAMES[i]));
    let (events, warnings, skipped, rrule, schedule_text) = match &x.view {
        Some(v) => {
            let tz = v.timezone;
            (
                v.events.clone().unwrap_or_default(),
                v.warnings
                    .clone()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|w| w.message)
                    .collect(),
                v.skipped
                    .iter()
                    .map(|t| format::local(*t, tz, &format::ENGLISH_DATES))
                    .collect(),
                v.rrule.clone(),
                super::show::schedule(v),
            )
        }
        None => (Vec::new(), Vec::new(), Vec::new(), String::new(), String::new()),
    };
    let recurring = x
        .view
        .as_ref()
        .is_some_and(|v| !Builder::from_rrule(&v.rrule).mode.eq("once"));
    let skippable = match &x.view {
        Some(v) if v.is_active() && recurring => skippable(state, v).await,
        _ => Vec::new(),
    };
    let title = if id.is_some() {
        "Edit maintenance"
    } else {
        "Schedule maintenance"
    };
    let zone_known = zones().contains(&form.timezone.as_str());
    render(
        status,
        MaintenanceFormPage {
            l: layout(state, title, "maintenances", Some(session)),
            id,
            form,
            errors: x.errors,
            zones: zones(),
            zone_known,
            weekdays,
            preview,
            dst_note,
            description_html: x.description_html,
            events,
            warnings,
            skipped,
            skippable,
            recurring,
            rrule,
            schedule_text,
        },
    )
}

/// Future windows that can still be skipped: (start as RFC 3339, as people read it).
async fn skippable(state: &AppState, v: &Maintenance) -> Vec<(String, String)> {
    let Ok(schedule) = Schedule::parse(&v.start_local, v.timezone.name(), v.duration.num_seconds(), &v.rrule) else {
        return Vec::new();
    };
    let now = state.services.now();
    maintenances::preview_marked(&state.services, &schedule, Some(v.id), now, 30)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|(o, note)| note.is_none() && o.start > now)
        .take(20)
        .map(|(o, _)| {
            (
                format_utc(o.start),
                format::window(o.start, o.end, schedule.tz, &format::ENGLISH_DATES),
            )
        })
        .collect()
}

async fn new(State(state): State<AppState>, Admin(session): Admin) -> Result<Response, HtmlError> {
    let monitors = monitor_names(&state).await?;
    let mut form = form_of(MaintenanceFields::default(), &monitors);
    form.hours = "1".into();
    form.minutes = "0".into();
    form.lead_minutes = "60".into();
    form.notify = NotifySettings::default();
    let x = Extras {
        errors: Errors::new(),
        description_html: None,
        view: None,
    };
    show(&state, &session, None, form, x, StatusCode::OK).await
}

/// Saves (or previews) a submitted form; `id` is `None` when creating.
async fn submit(
    state: &AppState,
    session: &Session,
    id: Option<i64>,
    fields: MaintenanceFields,
) -> Result<Response, HtmlError> {
    let monitors = monitor_names(state).await?;
    let action = fields.action;
    let f = form_of(fields, &monitors);
    let view = match id {
        Some(id) => Some(maintenances::view(&state.services, id, true).await?),
        None => None,
    };
    let again = |f, errors, description_html, status| async move {
        let x = Extras {
            errors,
            description_html,
            view,
        };
        show(state, session, id, f, x, status).await
    };
    if action == FormAction::Preview {
        let html = Some(markdown::to_html(&f.description));
        let errors = input_of(&f).err().unwrap_or_default();
        return again(f, errors, html, StatusCode::OK).await;
    }
    let input = match input_of(&f) {
        Ok(i) => i,
        Err(errors) => return again(f, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await,
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
        // Post/Redirect/Get: a reload shows the plan, it does not save it again.
        Ok(view) => {
            let key = if id.is_none() { "scheduled" } else { "saved" };
            Ok(Redirect::to(&done(&format!("/admin/maintenances/{}", view.id), key)).into_response())
        }
        // The service's field errors, in the form's fields and words.
        Err(AppError::Invalid(e)) => {
            let (key, message) = in_form_words(&f, &e.field, e.message);
            let errors = Errors::from([(key, message)]);
            Err(HtmlError::page(
                again(f, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await?,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

async fn create(
    State(state): State<AppState>,
    Admin(session): Admin,
    CsrfForm(form): CsrfForm<MaintenanceFields>,
) -> Result<Response, HtmlError> {
    submit(&state, &session, None, form).await
}

async fn update(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<MaintenanceFields>,
) -> Result<Response, HtmlError> {
    submit(&state, &session, Some(id), form).await
}

async fn edit(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(id): Path<i64>,
) -> Result<Response, HtmlError> {
    let monitors = monitor_names(&state).await?;
    let view = maintenances::view_with_warnings(&state.services, id).await?;
    let form = form_from_view(&view, &monitors);
    let x = Extras {
        errors: Errors::new(),
        description_html: None,
        view: Some(view),
    };
    show(&state, &session, Some(id), form, x, StatusCode::OK).await
}

/// The skip form: the start of the window to skip (RFC 3339).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SkipFields {
    start: String,
}

/// `POST /admin/maintenances/{id}/skip`: one future window is off; the plan goes on.
async fn skip(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<SkipFields>,
) -> Result<Response, HtmlError> {
    let input = SkipInput { start: form.start };
    maintenances::skip(&state.services, &session.actor(), id, input).await?;
    Ok(Redirect::to(&done(&format!("/admin/maintenances/{id}"), "skipped")).into_response())
}

async fn delete(
    State(state): State<AppState>,
    Admin(session): Admin,
    Path(id): Path<i64>,
    CsrfForm(answer): CsrfForm<Confirm>,
) -> Result<Response, HtmlError> {
    let title = maintenances::view(&state.services, id, false).await?.title;
    let d = Destructive {
        question: format!(
            "Delete the maintenance '{title}' and all its events, past ones included? This cannot be undone."
        ),
        answer: "Yes, delete it",
        action: format!("/admin/maintenances/{id}/delete"),
        back: format!("/admin/maintenances/{id}"),
        done: done("/admin/maintenances", "deleted"),
    };
    let actor = session.actor();
    destructive(
        &state,
        &session,
        &answer,
        d,
        maintenances::delete(&state.services, &actor, id),
    )
    .await
}
