//! The schedule form of a maintenance: as sent (typed fields, the builder's choices, the
//! ticked boxes, an impact per monitor), as shown again, and as API input, with every
//! error in the form's own fields, units and words.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Deserialize;

use super::form::{checkbox, sent};
use super::pages::{AffectedChoice, Errors, MaintenanceForm};
use crate::domain::builder::Builder;
use crate::domain::validate::MAX_DURATION_SECS;
use crate::service::maintenances::{Maintenance, MaintenanceInput, MonitorImpactInput, NotifySettings};

/// The schedule form as sent: text as typed (a failed save shows it again), the builder's
/// choices, the ticked boxes, and the impact chosen for each monitor.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct MaintenanceFields {
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
    pub action: FormAction,
    /// `impact_{slug}`: one select per monitor.
    #[serde(flatten)]
    impacts: Impacts,
}

/// The form's two buttons.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum FormAction {
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
pub(super) fn form_of(f: MaintenanceFields, monitors: &[(String, String)]) -> MaintenanceForm {
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
pub(super) fn input_of(form: &MaintenanceForm) -> Result<MaintenanceInput, Errors> {
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
pub(super) fn in_form_words(form: &MaintenanceForm, field: &str, message: String) -> (String, String) {
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

pub(super) fn form_from_view(m: &Maintenance, monitors: &[(String, String)]) -> MaintenanceForm {
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
