//! The public pages' fixed strings, one catalogue per language, chosen by
//! `Accept-Language`. English is complete; German proves the mechanism.

use crate::domain::format::{DateStyle, ENGLISH, ENGLISH_DATES, GERMAN_DATES, Units};

#[derive(Debug)]
pub struct Messages {
    pub lang: &'static str,
    pub all_operational: &'static str,
    pub partial_outage: &'static str,
    pub major_outage: &'static str,
    pub degraded_performance: &'static str,
    pub under_maintenance: &'static str,
    pub status_up: &'static str,
    pub status_degraded: &'static str,
    pub status_down: &'static str,
    pub status_maintenance: &'static str,
    pub impact_none: &'static str,
    pub ongoing_maintenance: &'static str,
    pub upcoming_maintenance: &'static str,
    pub starting_soon: &'static str,
    pub scheduled: &'static str,
    pub in_progress: &'static str,
    pub completed: &'static str,
    pub not_observed: &'static str,
    pub not_observed_text: &'static str,
    pub cancelled: &'static str,
    pub affected: &'static str,
    pub started: &'static str,
    pub expected_end: &'static str,
    pub starts: &'static str,
    pub ended: &'static str,
    pub duration: &'static str,
    pub updates: &'static str,
    pub no_upcoming: &'static str,
    pub history: &'static str,
    pub no_history: &'static str,
    pub newer: &'static str,
    pub older: &'static str,
    pub back: &'static str,
    pub details: &'static str,
    pub page_description: &'static str,
    pub local_time_note: &'static str,
    /// Footer links to the feeds.
    pub atom_feed: &'static str,
    /// Before what a followed status page says of a monitor.
    pub provider_says: &'static str,
    pub calendar_feed: &'static str,
    pub not_found: &'static str,
    pub subscribe: &'static str,
    pub subscribe_email: &'static str,
    pub subscribe_some: &'static str,
    pub subscribe_button: &'static str,
    pub units: Units,
    /// How dates are written on pages without JavaScript.
    pub dates: DateStyle,
    pub when: &'static str,
    pub was_planned: &'static str,
    /// The label of a window that passed unobserved: when it was planned.
    pub planned_for: &'static str,
    pub ended_early: &'static str,
    pub ran_longer: &'static str,
    pub planned: &'static str,
    pub until: &'static str,
    pub also: &'static str,
    pub also_cancelled: &'static str,
    pub planned_down: &'static str,
    pub planned_degraded: &'static str,
    pub not_found_page: &'static str,
    pub not_found_text: &'static str,
    pub error_page: &'static str,
    pub unavailable_page: &'static str,
    pub unavailable_text: &'static str,
    /// The page is served from memory while the database cannot be read: before the time
    /// of the last successful read (`HH:MM UTC`).
    pub stale_before: &'static str,
    pub stale_after: &'static str,
    /// "and N more this week", as (before N, after N).
    pub more_this_week: (&'static str, &'static str),
    pub incidents: &'static str,
    pub recently_resolved: &'static str,
    pub past_incidents: &'static str,
    pub past_maintenance: &'static str,
    pub investigating: &'static str,
    pub identified: &'static str,
    pub monitoring: &'static str,
    pub resolved: &'static str,
    pub opened: &'static str,
    pub uptime_90: &'static str,
    pub no_data: &'static str,
    pub days_ago_90: &'static str,
    pub today: &'static str,
    pub response_time: &'static str,
}

impl Messages {
    /// An incident's status, as visitors read it.
    pub fn incident_status(&self, status: crate::domain::incident::IncidentStatus) -> &'static str {
        use crate::domain::incident::IncidentStatus::*;
        match status {
            Investigating => self.investigating,
            Identified => self.identified,
            Monitoring => self.monitoring,
            Resolved => self.resolved,
        }
    }
}

pub static EN: Messages = Messages {
    lang: "en",
    all_operational: "All systems operational",
    partial_outage: "Partial outage",
    major_outage: "Major outage",
    degraded_performance: "Degraded performance",
    under_maintenance: "Under maintenance",
    status_up: "Operational",
    status_degraded: "Degraded",
    status_down: "Down",
    status_maintenance: "Under Maintenance",
    impact_none: "No visible impact",
    ongoing_maintenance: "Ongoing maintenance",
    upcoming_maintenance: "Upcoming maintenance",
    starting_soon: "Starting soon",
    scheduled: "Scheduled",
    in_progress: "In progress",
    completed: "Completed",
    not_observed: "Not observed",
    not_observed_text: "This status page was offline when this window was due, so it cannot say how the work went.",
    cancelled: "Cancelled",
    affected: "Affected",
    started: "Started",
    expected_end: "Expected end",
    starts: "Starts",
    ended: "Ended",
    duration: "Duration",
    updates: "Updates",
    no_upcoming: "No maintenance planned for the next 7 days.",
    history: "Maintenance history",
    no_history: "No past maintenance.",
    newer: "Newer",
    older: "Older",
    back: "Current status",
    details: "Details",
    page_description: "Current status and planned maintenance",
    local_time_note: "Times are shown in the maintenance's time zone and UTC; with JavaScript on, in yours.",
    atom_feed: "Atom feed",
    provider_says: "Provider",
    calendar_feed: "Maintenance calendar (iCalendar)",
    not_found: "There is no such maintenance.",
    subscribe: "Get notices by email",
    subscribe_email: "Email address",
    subscribe_some: "Only about some services",
    subscribe_button: "Subscribe",
    units: ENGLISH,
    dates: ENGLISH_DATES,
    when: "When",
    was_planned: "Cancelled — was planned for",
    planned_for: "Planned for",
    ended_early: "Completed early",
    ran_longer: "Ran longer than planned",
    planned: "planned",
    until: "until",
    also: "Also on",
    also_cancelled: "Also called off",
    planned_down: "Planned maintenance: some services are unavailable",
    planned_degraded: "Planned maintenance: some services are slower",
    not_found_page: "Page not found",
    not_found_text: "There is nothing at this address.",
    error_page: "That did not work",
    unavailable_page: "Temporarily unavailable",
    unavailable_text: "This cannot be shown right now. Please try again in a minute.",
    stale_before: "Live data is unavailable; shown as of",
    stale_after: ", may be out of date.",
    more_this_week: ("and ", " more this week"),
    incidents: "Incidents",
    recently_resolved: "Recently resolved",
    past_incidents: "Past incidents",
    past_maintenance: "Past maintenance",
    investigating: "Investigating",
    identified: "Identified",
    monitoring: "Monitoring",
    resolved: "Resolved",
    opened: "Opened",
    uptime_90: "uptime over 90 days",
    no_data: "No data",
    days_ago_90: "90 days ago",
    today: "Today",
    response_time: "Response time",
};

pub static DE: Messages = Messages {
    lang: "de",
    all_operational: "Alle Systeme betriebsbereit",
    partial_outage: "Teilweiser Ausfall",
    major_outage: "Schwerer Ausfall",
    degraded_performance: "Eingeschränkte Leistung",
    under_maintenance: "Wartungsarbeiten",
    status_up: "Betriebsbereit",
    status_degraded: "Eingeschränkt",
    status_down: "Ausgefallen",
    status_maintenance: "In Wartung",
    impact_none: "Keine sichtbaren Auswirkungen",
    ongoing_maintenance: "Laufende Wartung",
    upcoming_maintenance: "Geplante Wartung",
    starting_soon: "Beginnt in Kürze",
    scheduled: "Geplant",
    in_progress: "Läuft",
    completed: "Abgeschlossen",
    not_observed: "Nicht beobachtet",
    not_observed_text: "Diese Statusseite war offline, als dieser Termin fällig war, und kann nicht sagen, wie die Arbeiten verliefen.",
    cancelled: "Abgesagt",
    affected: "Betroffen",
    started: "Begonnen",
    expected_end: "Voraussichtliches Ende",
    starts: "Beginn",
    ended: "Beendet",
    duration: "Dauer",
    updates: "Neuigkeiten",
    no_upcoming: "In den nächsten 7 Tagen ist keine Wartung geplant.",
    history: "Vergangene Wartungen",
    no_history: "Noch keine vergangenen Wartungen.",
    newer: "Neuere",
    older: "Ältere",
    back: "Aktueller Status",
    details: "Details",
    page_description: "Aktueller Status und geplante Wartungsarbeiten",
    local_time_note: "Zeiten in der Zeitzone der Wartung und in UTC; mit JavaScript in Ihrer eigenen.",
    atom_feed: "Atom-Feed",
    provider_says: "Anbieter",
    calendar_feed: "Wartungskalender (iCalendar)",
    not_found: "Diese Wartung gibt es nicht.",
    subscribe: "Benachrichtigungen per E-Mail",
    subscribe_email: "E-Mail-Adresse",
    subscribe_some: "Nur zu einigen Diensten",
    subscribe_button: "Abonnieren",
    units: Units {
        day: "Tag",
        days: "Tage",
        h: " Std.",
        m: " Min.",
    },
    dates: GERMAN_DATES,
    when: "Wann",
    was_planned: "Abgesagt — war geplant für",
    planned_for: "Geplant für",
    ended_early: "Früher beendet",
    ran_longer: "Länger als geplant",
    planned: "geplant",
    until: "bis",
    also: "Auch am",
    also_cancelled: "Ebenfalls abgesagt",
    planned_down: "Geplante Wartung: einige Dienste sind nicht erreichbar",
    planned_degraded: "Geplante Wartung: einige Dienste sind langsamer",
    not_found_page: "Seite nicht gefunden",
    not_found_text: "Unter dieser Adresse gibt es nichts.",
    error_page: "Das hat nicht geklappt",
    unavailable_page: "Vorübergehend nicht verfügbar",
    unavailable_text: "Das kann gerade nicht angezeigt werden. Bitte versuchen Sie es in einer Minute erneut.",
    stale_before: "Aktuelle Daten sind nicht verfügbar; Stand",
    stale_after: ", möglicherweise veraltet.",
    more_this_week: ("und ", " weitere diese Woche"),
    incidents: "Störungen",
    recently_resolved: "Kürzlich behoben",
    past_incidents: "Frühere Störungen",
    past_maintenance: "Frühere Wartungen",
    investigating: "Wird untersucht",
    identified: "Ursache erkannt",
    monitoring: "Wird beobachtet",
    resolved: "Behoben",
    opened: "Gemeldet",
    uptime_90: "Verfügbarkeit in 90 Tagen",
    no_data: "Keine Daten",
    days_ago_90: "vor 90 Tagen",
    today: "Heute",
    response_time: "Antwortzeit",
};

pub static ALL: [&Messages; 2] = [&EN, &DE];

/// The best catalogue for an `Accept-Language` header (by q-value), English by default.
pub fn negotiate(header: Option<&str>) -> &'static Messages {
    let Some(header) = header else { return &EN };
    let mut best: Option<(&'static Messages, f32)> = None;
    for part in header.split(',') {
        let mut pieces = part.trim().split(';');
        let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = pieces
            .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or("");
        if let Some(m) = ALL.iter().find(|m| m.lang == primary)
            && q > 0.0
            && best.is_none_or(|(_, bq)| q > bq)
        {
            best = Some((m, q));
        }
    }
    best.map_or(&EN, |(m, _)| m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported_language() {
        assert_eq!(negotiate(None).lang, "en");
        assert_eq!(negotiate(Some("de-DE,de;q=0.9,en;q=0.8")).lang, "de");
        assert_eq!(negotiate(Some("fr-FR, en;q=0.5, de;q=0.7")).lang, "de");
        assert_eq!(negotiate(Some("fr, ja")).lang, "en");
        assert_eq!(negotiate(Some("de;q=0, en")).lang, "en");
    }
}
