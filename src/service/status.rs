//! The public status: every monitor's effective status plus ongoing and upcoming events.

use std::collections::HashMap;

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::Services;
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
    let (ongoing, upcoming): (Vec<EventView>, Vec<EventView>) = all
        .into_iter()
        .filter(|e| {
            matches!(
                e.status,
                EventStatus::Ongoing | EventStatus::Ready | EventStatus::Scheduled
            )
        })
        .partition(|e| e.status == EventStatus::Ongoing);
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
                status: own,
                effective_status: effective,
            }
        })
        .collect();
    Ok(StatusView {
        monitors,
        ongoing,
        upcoming,
    })
}
