//! Dashboard: maintenances, with the schedule builder and a preview of the next windows.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::HashMap;

use super::error::HtmlError;
use super::form::{Confirm, CsrfForm, checkbox, sent};
use super::pages::{AffectedChoice, Errors, MaintenanceForm, MaintenanceFormPage, MaintenancesPage, PreviewLine};
use super::session::Admin;
use super::{Destructive, destructive, done, layout, render};
use crate::domain::builder::{Builder, WEEKDAYS};
use crate::domain::format;
use crate::domain::schedule::{Schedule, format_utc};
use crate::domain::validate::MAX_DURATION_SECS;
use crate::error::AppError;
use crate::markdown;
use crate::service::admins::Session;
use crate::service::maintenances::{
    self, Maintenance, MaintenanceInput, MaintenancePatch, MonitorImpactInput, NotifySettings, SkipInput, WindowNote,
};
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

/// The schedule form as sent: text as typed (a failed save shows it again), the builder's
/// choices, the ticked boxes, and the impact chosen for each monitor.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MaintenanceFields {
    title: String,
    description: String,
    start: String,
    #[serde(deserialize_with = "sent")]
    timezone: Option<String>,
    hours: String,
    minutes: String,
    #[serde(deserialize_with = "sent")]
    mode: Option<String>,
    interval: String,
    weekdays: Vec<String>,
    month_day: String,
    nth: String,
    #[serde(deserialize_with = "sent")]
    nth_weekday: Option<String>,
    rrule: String,
    until: String,
    count: String,
    #[serde(deserialize_with = "sent")]
    status: Option<String>,
    lead_minutes: String,
    #[serde(deserialize_with = "checkbox")]
    record_past: bool,
    #[serde(deserialize_with = "checkbox")]
    notify_scheduled: bool,
    #[serde(deserialize_with = "checkbox")]
    notify_reminder: bool,
    #[serde(deserialize_with = "checkbox")]
    notify_start: bool,
    #[serde(deserialize_with = "checkbox")]
    notify_completion: bool,
    #[serde(deserialize_with = "checkbox")]
    notify_cancellation: bool,
    /// The affected monitors' slugs.
    monitor: Vec<String>,
    action: FormAction,
    /// `impact_{slug}`: one select per monitor.
    #[serde(flatten)]
    impacts: Impacts,
}

/// The form's two buttons.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum FormAction {
    #[default]
    Save,
    Preview,
}

/// The impact chosen per monitor, by slug, from the `impact_{slug}` fields; the other
/// fields the struct does not name (the CSRF token) are passed over.
#[derive(Debug, Default)]
struct Impacts(HashMap<String, String>);

impl<'de> Deserialize<'de> for Impacts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Impacts;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("impact_{slug} fields")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Impacts, A::Error> {
                let mut impacts = HashMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    match key.strip_prefix("impact_") {
                        Some(slug) => {
                            impacts.insert(slug.to_string(), map.next_value::<String>()?);
                        }
                        None => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(Impacts(impacts))
            }
        }
        d.deserialize_map(Visitor)
    }
}

/// The form's values, kept as typed so a failed save shows them again.
fn form_of(f: MaintenanceFields, monitors: &[(String, String)]) -> MaintenanceForm {
    let builder = Builder {
        mode: f.mode.unwrap_or_else(|| "once".into()),
        interval: f.interval.trim().parse().unwrap_or(1),
        weekdays: f.weekdays,
        month_day: f.month_day.parse().unwrap_or(1),
        nth: f.nth.parse().unwrap_or(1),
        nth_weekday: f.nth_weekday.unwrap_or_else(|| "MO".into()),
        until: None,
        count: None,
        raw: f.rrule,
    };
    MaintenanceForm {
        title: f.title,
        description: f.description,
        start: f.start,
        timezone: f.timezone.unwrap_or_else(|| "UTC".into()),
        hours: f.hours,
        minutes: f.minutes,
        builder,
        until: f.until,
        count: f.count,
        status: f.status.unwrap_or_else(|| "ACTIVE".into()),
        lead_minutes: f.lead_minutes,
        record_past: f.record_past,
        notify: NotifySettings {
            scheduled: f.notify_scheduled,
            reminder: f.notify_reminder,
            start: f.notify_start,
            completion: f.notify_completion,
            cancellation: f.notify_cancellation,
        },
        monitors: monitors
            .iter()
            .map(|(slug, name)| AffectedChoice {
                checked: f.monitor.contains(slug),
                impact: f.impacts.0.get(slug).map_or("MAINTENANCE", String::as_str).to_string(),
                slug: slug.clone(),
                name: name.clone(),
            })
            .collect(),
    }
}

/// A whole number typed into `field`, or `default` when left empty.
fn number(errors: &mut Errors, field: &str, text: &str, default: i64, what: &str) -> i64 {
    let t = text.trim();
    if t.is_empty() {
        return default;
    }
    t.parse().unwrap_or_else(|_| {
        errors.insert(field, format!("'{t}' is not a whole number of {what}"));
        default
    })
}

/// The form as API input: the builder becomes an RRULE, hours and minutes seconds. Every
/// field the form itself can check is checked, so all their errors show at once.
fn input_of(form: &MaintenanceForm) -> Result<MaintenanceInput, Errors> {
    let mut errors = Errors::new();
    let hours = number(&mut errors, "duration", &form.hours, 0, "hours");
    let minutes = number(&mut errors, "duration", &form.minutes, 0, "minutes");
    let lead = number(&mut errors, "lead_minutes", &form.lead_minutes, 60, "minutes");
    let mut builder = form.builder.clone();
    if !form.until.trim().is_empty() {
        match NaiveDate::parse_from_str(form.until.trim(), "%Y-%m-%d") {
            Ok(d) => builder.until = Some(d),
            Err(_) => errors.insert("until", "enter a date like 2027-06-30"),
        }
    }
    if !form.count.trim().is_empty() {
        builder.count = Some(number(&mut errors, "count", &form.count, 1, "times").clamp(0, 100_000) as u32);
    }
    if form.start.trim().is_empty() {
        errors.insert("start", "enter the date and time of the first window");
    }
    let duration = hours.saturating_mul(3600).saturating_add(minutes.saturating_mul(60));
    if errors.get("duration").is_none() && !(60..=MAX_DURATION_SECS).contains(&duration) {
        errors.insert("duration", "enter a length between 1 minute and 31 days (744 hours)");
    }
    let rrule = builder.to_rrule().map_err(|e| {
        let (key, message) = in_form_words(form, &e.field, e.message);
        errors.insert(key, message);
    });
    match rrule {
        Ok(rrule) if errors.is_empty() => Ok(MaintenanceInput {
            title: form.title.clone(),
            description: Some(form.description.clone()),
            start: form.start.clone(),
            timezone: form.timezone.clone(),
            duration,
            rrule: Some(rrule),
            status: Some(form.status.clone()),
            reminder_lead: Some(lead.saturating_mul(60)),
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
        }),
        _ => Err(errors),
    }
}

/// A service's field error in the form's own fields, units and words.
fn in_form_words(form: &MaintenanceForm, field: &str, message: String) -> (String, String) {
    match field {
        "duration" if !message.contains("overlap") => (
            "duration".into(),
            "enter a length between 1 minute and 31 days (744 hours)".into(),
        ),
        "reminder_lead" => (
            "lead_minutes".into(),
            "enter between 0 and 10,080 minutes (7 days) before the start".into(),
        ),
        "rrule" if message.starts_with("never produces") && !form.until.trim().is_empty() => (
            "until".into(),
            "is before the first window: choose a later date or leave it empty".into(),
        ),
        "rrule" if message.starts_with("never produces") => (
            "rrule".into(),
            "no date matches this schedule from the start given: check the start date, the days and the number of times".into(),
        ),
        "start" if message.contains("record_past") => (
            "start".into(),
            format!(
                "{}; check the date, or tick the box below if you are recording work that is over",
                message.split("; check").next().unwrap_or(&message)
            ),
        ),
        f if f.starts_with("monitors") => ("monitors".into(), message),
        f => (f.into(), message),
    }
}

fn form_from_view(m: &Maintenance, monitors: &[(String, String)]) -> MaintenanceForm {
    let builder = Builder::from_rrule(&m.rrule);
    MaintenanceForm {
        title: m.title.clone(),
        description: m.description.clone(),
        start: m.start_local.get(..16).unwrap_or(&m.start_local).to_string(),
        timezone: m.timezone.name().to_string(),
        hours: (m.duration.num_seconds() / 3600).to_string(),
        minutes: (m.duration.num_seconds() % 3600 / 60).to_string(),
        until: builder
            .until
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        count: builder.count.map(|c| c.to_string()).unwrap_or_default(),
        builder,
        status: m.status.as_str().to_string(),
        lead_minutes: (m.reminder_lead.num_seconds() / 60).to_string(),
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
