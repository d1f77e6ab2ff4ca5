//! The public status: every monitor's effective status plus ongoing and upcoming events.

use std::collections::HashMap;

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::{Services, fmt_ts};

/// How far ahead the page lists one-time maintenance beyond the horizon.
pub const LATER_DAYS: i64 = 90;
use super::events::{EventView, views};
use super::horizon::HORIZON_DAYS;
use crate::domain::impact::{EffectiveStatus, MonitorStatus, effective_status};
use crate::domain::lifecycle::EventStatus;
use crate::error::AppResult;
use crate::store::events::{self, EventFilter};
use crate::store::monitors;

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonitorStatusView {
    pub slug: String,
    pub name: String,
    pub group: Option<String>,
    /// What the service is, for visitors (may be empty).
    #[serde(default)]
    pub description: String,
    /// The monitor's own status.
    pub status: MonitorStatus,
    /// What visitors see: the own status overridden by ongoing maintenance impact.
    pub effective_status: EffectiveStatus,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatusView {
    pub monitors: Vec<MonitorStatusView>,
    pub ongoing: Vec<EventView>,
    /// Events starting within the next 7 days that have not started.
    pub upcoming: Vec<EventView>,
    /// Windows cancelled although their planned start has not come yet (so visitors who
    /// saw them planned see them called off).
    #[serde(default)]
    pub cancelled: Vec<EventView>,
    /// One-time maintenance planned later than the next 7 days (up to 90 days ahead).
    #[serde(default)]
    pub later: Vec<EventView>,
}

pub async fn status(s: &Services) -> AppResult<StatusView> {
    let now = s.now();
    let mut conn = s.store.conn().await?;
    let filter = EventFilter {
        from: Some(now.timestamp()),
        to: Some((now + Duration::days(HORIZON_DAYS)).timestamp()),
        limit: 1000,
        ..Default::default()
    };
    let rows = events::list(&mut conn, &filter, now.timestamp()).await?;
    let all = views(&mut conn, rows, now).await?;
    let planned_ahead = |e: &EventView| e.scheduled_start.as_str() > fmt_ts(now.timestamp()).as_str();
    let cancelled = all
        .iter()
        .filter(|e| e.status == EventStatus::Cancelled && planned_ahead(e))
        .cloned()
        .collect();
    let (ongoing, upcoming): (Vec<EventView>, Vec<EventView>) = all
        .into_iter()
        .filter(|e| {
            matches!(
                e.status,
                EventStatus::Ongoing | EventStatus::Ready | EventStatus::Scheduled
            )
        })
        .partition(|e| e.status == EventStatus::Ongoing);
    // Recurring plans have rows for 7 days only; a one-time plan's single window exists
    // however far ahead, and a visitor told about it by mail should find it on the page.
    let later_filter = EventFilter {
        from: Some((now + Duration::days(HORIZON_DAYS)).timestamp()),
        to: Some((now + Duration::days(LATER_DAYS)).timestamp()),
        status: Some(EventStatus::Scheduled.as_str().into()),
        limit: 50,
        ..Default::default()
    };
    let rows = events::list(&mut conn, &later_filter, now.timestamp()).await?;
    let later = views(&mut conn, rows, now)
        .await?
        .into_iter()
        .filter(|e| e.start.as_str() >= fmt_ts((now + Duration::days(HORIZON_DAYS)).timestamp()).as_str())
        .collect();
    let mut impacts: HashMap<&str, Vec<_>> = HashMap::new();
    for e in &ongoing {
        for m in &e.monitors {
            impacts.entry(m.slug.as_str()).or_default().push(m.impact);
        }
    }
    let monitors = monitors::list(&mut conn)
        .await?
        .into_iter()
        .map(|m| {
            let own = MonitorStatus::parse("status", &m.status).unwrap_or(MonitorStatus::Up);
            let effective = effective_status(own, impacts.get(m.slug.as_str()).cloned().unwrap_or_default());
            MonitorStatusView {
                slug: m.slug,
                name: m.name,
                group: m.group_name,
                description: m.description,
                status: own,
                effective_status: effective,
            }
        })
        .collect();
    Ok(StatusView {
        monitors,
        ongoing,
        upcoming,
        cancelled,
        later,
    })
}
