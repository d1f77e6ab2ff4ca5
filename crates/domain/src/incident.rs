//! Incidents: the unplanned sibling of maintenance. An incident moves INVESTIGATING →
//! IDENTIFIED → MONITORING → RESOLVED through its updates (any order while open: an
//! operator may go back to investigating); RESOLVED ends it, and a resolved incident
//! takes no more updates. While open it overrides the shown status of the monitors it
//! affects, with its impact (DEGRADED or DOWN).

use serde::{Deserialize, Serialize};

use crate::text_enum::text_enum;

use super::FieldError;
use super::impact::Impact;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum IncidentStatus {
    Investigating,
    Identified,
    Monitoring,
    Resolved,
}

text_enum!(IncidentStatus, "incident status", "INVESTIGATING, IDENTIFIED, MONITORING, RESOLVED",
    Investigating => "INVESTIGATING", Identified => "IDENTIFIED", Monitoring => "MONITORING",
    Resolved => "RESOLVED");

impl IncidentStatus {
    pub fn is_open(self) -> bool {
        self != Self::Resolved
    }
}

/// An incident's impact on a monitor: DEGRADED or DOWN (DOWN when not given). Planned
/// work is maintenance, not an incident, and "no impact" is no reason to list a monitor.
pub fn impact(field: &str, value: Option<&str>) -> Result<Impact, FieldError> {
    match value.map(str::trim) {
        None | Some("") => Ok(Impact::Down),
        Some(v) => match Impact::parse(field, v)? {
            i @ (Impact::Down | Impact::Degraded) => Ok(i),
            _ => Err(FieldError::new(field, "an incident's impact is DEGRADED or DOWN")),
        },
    }
}

/// The status after an update that names `next` (or none: unchanged) on an incident in
/// `current`: a resolved incident takes no more updates.
pub fn next_status(current: IncidentStatus, next: Option<IncidentStatus>) -> Result<IncidentStatus, FieldError> {
    if !current.is_open() {
        return Err(FieldError::new("status", "the incident is resolved; open a new one"));
    }
    Ok(next.unwrap_or(current))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_impact_is_degraded_or_down_and_down_when_left_out() {
        assert_eq!(impact("i", None), Ok(Impact::Down));
        assert_eq!(impact("i", Some(" ")), Ok(Impact::Down));
        assert_eq!(impact("i", Some("degraded")), Ok(Impact::Degraded));
        let err = impact("monitors[1].impact", Some("MAINTENANCE")).unwrap_err();
        assert_eq!(err.field, "monitors[1].impact");
        assert!(err.message.contains("DEGRADED or DOWN"), "{}", err.message);
        assert_eq!(impact("i", Some("UP")).unwrap_err().field, "i");
        assert!(impact("i", Some("sideways")).unwrap_err().message.contains("one of"));
    }

    #[test]
    fn an_open_incident_moves_freely_and_a_resolved_one_takes_no_update() {
        use IncidentStatus::*;
        assert_eq!(next_status(Investigating, Some(Monitoring)), Ok(Monitoring));
        assert_eq!(next_status(Monitoring, Some(Investigating)), Ok(Investigating));
        assert_eq!(next_status(Identified, None), Ok(Identified));
        assert_eq!(next_status(Monitoring, Some(Resolved)), Ok(Resolved));
        let err = next_status(Resolved, Some(Investigating)).unwrap_err();
        assert_eq!(err.field, "status");
        assert!(next_status(Resolved, None).is_err());
        assert!(Investigating.is_open() && !Resolved.is_open());
    }
}
