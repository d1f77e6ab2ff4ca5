//! Following another status page (monitors of type `statuspage`): what its Statuspage v2
//! summary (`/api/v2/summary.json`) says about one component, or about the whole page,
//! as a monitor status, whether the followed part is under maintenance, and the note to
//! show (the provider's active incident or maintenance). Pure: the check runner fetches.

use serde::Deserialize;

use crate::domain::impact::MonitorStatus;

/// What a followed page says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Followed {
    pub status: MonitorStatus,
    /// The followed part is under maintenance there: shown as maintenance here.
    pub maintenance: bool,
    /// The names of the provider's incidents and maintenance in progress that concern the
    /// followed part, for people.
    pub note: Option<String>,
}

/// The parts of Statuspage's summary that are read; anything else is ignored.
#[derive(Debug, Deserialize)]
struct Summary {
    status: Indicator,
    components: Vec<Component>,
    #[serde(default)]
    incidents: Vec<Happening>,
    #[serde(default)]
    scheduled_maintenances: Vec<Happening>,
}

#[derive(Debug, Deserialize)]
struct Indicator {
    indicator: String,
}

#[derive(Debug, Deserialize)]
struct Component {
    #[serde(default)]
    id: String,
    name: String,
    #[serde(default)]
    status: String,
}

#[derive(Debug, Deserialize)]
struct Happening {
    name: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    components: Vec<Named>,
}

#[derive(Debug, Deserialize)]
struct Named {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
}

/// The longest note kept.
const NOTE_MAX: usize = 200;

/// Reads a summary document: the status of `component` (by name; exact, else ignoring
/// case) or, without one, of the page. An error says why the page cannot be followed
/// (the monitor is then DOWN with that reason).
pub fn read(body: &[u8], component: Option<&str>) -> Result<Followed, String> {
    let summary: Summary = serde_json::from_slice(body)
        .map_err(|e| format!("the page does not answer in Statuspage's v2 shape (summary.json): {e}"))?;
    let (status, maintenance, part) = match component {
        Some(wanted) => {
            let found = summary
                .components
                .iter()
                .find(|c| c.name == wanted)
                .or_else(|| summary.components.iter().find(|c| c.name.eq_ignore_ascii_case(wanted)))
                .ok_or_else(|| {
                    let names: Vec<&str> = summary.components.iter().take(10).map(|c| c.name.as_str()).collect();
                    format!(
                        "the page has no component named '{wanted}' (it has: {})",
                        names.join(", ")
                    )
                })?;
            let (status, maintenance) = match found.status.as_str() {
                "operational" => (MonitorStatus::Up, false),
                "degraded_performance" => (MonitorStatus::Degraded, false),
                "partial_outage" | "major_outage" => (MonitorStatus::Down, false),
                "under_maintenance" => (MonitorStatus::Up, true),
                other => return Err(format!("component '{}' has an unknown status '{other}'", found.name)),
            };
            (status, maintenance, Some(found))
        }
        None => {
            let (status, maintenance) = match summary.status.indicator.as_str() {
                "none" => (MonitorStatus::Up, false),
                "minor" => (MonitorStatus::Degraded, false),
                "major" | "critical" => (MonitorStatus::Down, false),
                "maintenance" => (MonitorStatus::Up, true),
                other => return Err(format!("the page's indicator '{other}' is unknown")),
            };
            (status, maintenance, None)
        }
    };
    let concerns = |h: &Happening| {
        part.is_none_or(|c| {
            h.components
                .iter()
                .any(|n| (!n.id.is_empty() && n.id == c.id) || n.name == c.name)
        })
    };
    let names: Vec<&str> = summary
        .incidents
        .iter()
        .filter(|i| i.status != "resolved" && i.status != "postmortem")
        .chain(
            summary
                .scheduled_maintenances
                .iter()
                .filter(|m| m.status == "in_progress" || m.status == "verifying"),
        )
        .filter(|h| concerns(h))
        .map(|h| h.name.trim())
        .filter(|n| !n.is_empty())
        .collect();
    let note = (!names.is_empty()).then(|| {
        let mut note = names.join("; ");
        if note.chars().count() > NOTE_MAX {
            note = note.chars().take(NOTE_MAX - 1).collect::<String>() + "…";
        }
        note
    });
    Ok(Followed {
        status,
        maintenance,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"{
        "page": {"id": "x", "name": "Provider"},
        "status": {"indicator": "major", "description": "Partial System Outage"},
        "components": [
            {"id": "a1", "name": "API", "status": "major_outage"},
            {"id": "w1", "name": "Website", "status": "under_maintenance"},
            {"id": "d1", "name": "Dashboard", "status": "degraded_performance"},
            {"id": "e1", "name": "Email", "status": "operational"}
        ],
        "incidents": [
            {"name": "Elevated API errors", "status": "investigating", "components": [{"id": "a1", "name": "API"}]}
        ],
        "scheduled_maintenances": [
            {"name": "CDN migration", "status": "in_progress", "components": [{"id": "w1", "name": "Website"}]},
            {"name": "Next week's work", "status": "scheduled", "components": [{"id": "e1", "name": "Email"}]}
        ]
    }"#;

    fn read_page(component: Option<&str>) -> Result<Followed, String> {
        read(PAGE.as_bytes(), component)
    }

    #[test]
    fn a_component_takes_its_status_and_the_note_of_what_concerns_it() {
        let api = read_page(Some("API")).unwrap();
        assert_eq!((api.status, api.maintenance), (MonitorStatus::Down, false));
        assert_eq!(api.note.as_deref(), Some("Elevated API errors"));
        let web = read_page(Some("website")).unwrap();
        assert_eq!((web.status, web.maintenance), (MonitorStatus::Up, true));
        assert_eq!(web.note.as_deref(), Some("CDN migration"));
        let dash = read_page(Some("Dashboard")).unwrap();
        assert_eq!((dash.status, dash.note), (MonitorStatus::Degraded, None));
        let email = read_page(Some("Email")).unwrap();
        assert_eq!(
            (email.status, email.note),
            (MonitorStatus::Up, None),
            "scheduled work is not news yet"
        );
    }

    #[test]
    fn without_a_component_the_page_indicator_counts() {
        let page = read_page(None).unwrap();
        assert_eq!((page.status, page.maintenance), (MonitorStatus::Down, false));
        assert_eq!(page.note.as_deref(), Some("Elevated API errors; CDN migration"));
        for (indicator, status, maintenance) in [
            ("none", MonitorStatus::Up, false),
            ("minor", MonitorStatus::Degraded, false),
            ("critical", MonitorStatus::Down, false),
            ("maintenance", MonitorStatus::Up, true),
        ] {
            let body = format!(r#"{{"status": {{"indicator": "{indicator}"}}, "components": []}}"#);
            let f = read(body.as_bytes(), None).unwrap();
            assert_eq!((f.status, f.maintenance), (status, maintenance), "{indicator}");
        }
    }

    #[test]
    fn what_cannot_be_followed_says_why() {
        let err = read(b"<html>not json</html>", None).unwrap_err();
        assert!(err.contains("Statuspage's v2 shape"), "{err}");
        let err = read(br#"{"components": []}"#, None).unwrap_err();
        assert!(err.contains("missing field `status`"), "{err}");
        let err = read_page(Some("Billing")).unwrap_err();
        assert_eq!(
            err,
            "the page has no component named 'Billing' (it has: API, Website, Dashboard, Email)"
        );
        let err = read(br#"{"status": {"indicator": "purple"}, "components": []}"#, None).unwrap_err();
        assert!(err.contains("'purple'"), "{err}");
    }
}
