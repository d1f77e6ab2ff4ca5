//! What a monitor shows: its own realtime status, overridden while ongoing events affect
//! it by the most severe of their impacts (DOWN > DEGRADED > MAINTENANCE).

use serde::{Deserialize, Serialize};

use crate::text_enum::text_enum;

/// A monitor's own (realtime or manually set) status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum MonitorStatus {
    Up,
    Degraded,
    Down,
}

/// What an ongoing event does to an affected monitor's shown status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Impact {
    Maintenance,
    Down,
    Degraded,
    Up,
}

/// The status a visitor sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum EffectiveStatus {
    // Declared from least to most severe so that `Ord` is severity.
    Up,
    Maintenance,
    Degraded,
    Down,
}

text_enum!(MonitorStatus, "monitor status", "UP, DEGRADED, DOWN", Up => "UP", Degraded => "DEGRADED", Down => "DOWN");
text_enum!(Impact, "impact", "MAINTENANCE, DOWN, DEGRADED, UP", Maintenance => "MAINTENANCE", Down => "DOWN", Degraded => "DEGRADED", Up => "UP");
text_enum!(EffectiveStatus, "status", "UP, MAINTENANCE, DEGRADED, DOWN", Up => "UP", Maintenance => "MAINTENANCE", Degraded => "DEGRADED", Down => "DOWN");

impl From<MonitorStatus> for EffectiveStatus {
    fn from(s: MonitorStatus) -> Self {
        match s {
            MonitorStatus::Up => Self::Up,
            MonitorStatus::Degraded => Self::Degraded,
            MonitorStatus::Down => Self::Down,
        }
    }
}

impl From<Impact> for EffectiveStatus {
    fn from(i: Impact) -> Self {
        match i {
            Impact::Maintenance => Self::Maintenance,
            Impact::Down => Self::Down,
            Impact::Degraded => Self::Degraded,
            Impact::Up => Self::Up,
        }
    }
}

/// What visitors see. While ongoing events affect a monitor, the most severe of their
/// impacts overrides the monitor's own status: planned work shows as planned work, not
/// as an outage (checks of the monitor are paused during its windows anyway). An impact of
/// UP ("no visible impact") overrides nothing, so it never hides a real outage.
pub fn effective_status(own: MonitorStatus, ongoing: impl IntoIterator<Item = Impact>) -> EffectiveStatus {
    ongoing
        .into_iter()
        .filter(|i| *i != Impact::Up)
        .map(EffectiveStatus::from)
        .max()
        .unwrap_or(own.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maintenance_beats_up_so_planned_work_shows() {
        assert_eq!(
            effective_status(MonitorStatus::Up, [Impact::Maintenance]),
            EffectiveStatus::Maintenance
        );
    }

    #[test]
    fn the_impact_overrides_the_monitors_own_status_while_ongoing() {
        assert_eq!(
            effective_status(MonitorStatus::Down, [Impact::Maintenance]),
            EffectiveStatus::Maintenance
        );
        assert_eq!(
            effective_status(MonitorStatus::Degraded, [Impact::Maintenance]),
            EffectiveStatus::Maintenance
        );
        assert_eq!(
            effective_status(MonitorStatus::Up, [Impact::Down]),
            EffectiveStatus::Down
        );
    }

    #[test]
    fn an_impact_of_up_overrides_nothing() {
        assert_eq!(
            effective_status(MonitorStatus::Down, [Impact::Up]),
            EffectiveStatus::Down
        );
        assert_eq!(effective_status(MonitorStatus::Up, [Impact::Up]), EffectiveStatus::Up);
    }

    #[test]
    fn the_most_severe_overlapping_impact_wins() {
        assert_eq!(
            effective_status(MonitorStatus::Up, [Impact::Maintenance, Impact::Down, Impact::Degraded]),
            EffectiveStatus::Down
        );
        assert_eq!(effective_status(MonitorStatus::Degraded, []), EffectiveStatus::Degraded);
    }

    #[test]
    fn impacts_parse_case_insensitively_and_name_the_choices() {
        assert_eq!(Impact::parse("impact", "maintenance").unwrap(), Impact::Maintenance);
        let err = Impact::parse("monitors[0].impact", "BROKEN").unwrap_err();
        assert_eq!(err.field, "monitors[0].impact");
        assert!(err.message.contains("MAINTENANCE"));
    }
}
