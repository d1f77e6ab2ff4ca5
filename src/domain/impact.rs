//! What a monitor shows: its own realtime status, overridden while an ongoing event
//! affects it by the most severe impact (DOWN > DEGRADED > MAINTENANCE > UP).

use serde::{Deserialize, Serialize};

use super::validate::FieldError;

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

macro_rules! text_enum {
    ($ty:ident, $what:literal, $($variant:ident => $text:literal),+) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
                match value.trim().to_ascii_uppercase().as_str() {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(FieldError::new(field, concat!("must be one of ", $what))),
                }
            }
        }
    };
}

text_enum!(MonitorStatus, "UP, DEGRADED, DOWN", Up => "UP", Degraded => "DEGRADED", Down => "DOWN");
text_enum!(Impact, "MAINTENANCE, DOWN, DEGRADED, UP", Maintenance => "MAINTENANCE", Down => "DOWN", Degraded => "DEGRADED", Up => "UP");
text_enum!(EffectiveStatus, "UP, MAINTENANCE, DEGRADED, DOWN", Up => "UP", Maintenance => "MAINTENANCE", Degraded => "DEGRADED", Down => "DOWN");

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

/// The most severe of a monitor's own status and the impacts of the ongoing events
/// that affect it.
pub fn effective_status(own: MonitorStatus, ongoing: impl IntoIterator<Item = Impact>) -> EffectiveStatus {
    ongoing
        .into_iter()
        .map(EffectiveStatus::from)
        .fold(own.into(), Ord::max)
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
    fn a_real_outage_is_not_hidden_by_maintenance() {
        assert_eq!(
            effective_status(MonitorStatus::Down, [Impact::Maintenance]),
            EffectiveStatus::Down
        );
        assert_eq!(
            effective_status(MonitorStatus::Degraded, [Impact::Maintenance]),
            EffectiveStatus::Degraded
        );
    }

    #[test]
    fn the_most_severe_overlapping_impact_wins() {
        assert_eq!(
            effective_status(MonitorStatus::Up, [Impact::Maintenance, Impact::Down, Impact::Degraded]),
            EffectiveStatus::Down
        );
        assert_eq!(effective_status(MonitorStatus::Up, [Impact::Up]), EffectiveStatus::Up);
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
