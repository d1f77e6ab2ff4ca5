//! What notices and the subscription pages say, in each language a subscriber can choose.
//! English and German are complete; a sentence with a value in it is a function, so each
//! language can put the value where its grammar wants it.

use crate::domain::format::Lang;
use crate::domain::impact::Impact;
use crate::web::i18n;

pub struct Words {
    pub lang: Lang,
    // Subjects.
    pub scheduled: fn(&str, &str) -> String,
    pub reminder: fn(&str, &str, &str) -> String,
    pub started: fn(&str) -> String,
    pub completed: fn(&str) -> String,
    pub unobserved: fn(&str) -> String,
    pub cancelled: fn(&str) -> String,
    pub cancelled_window: fn(&str, &str) -> String,
    pub cancelled_plan: fn(&str) -> String,
    pub extended: fn(&str, &str) -> String,
    pub update: fn(&str) -> String,
    pub incident_opened: fn(&str) -> String,
    pub incident_update: fn(&str, &str) -> String,
    pub incident_resolved: fn(&str) -> String,
    // Body.
    pub repeats: fn(&str) -> String,
    pub window_off: fn(&str) -> String,
    pub one_time_off: &'static str,
    pub unobserved_text: &'static str,
    pub plan_off: fn(&str) -> String,
    pub still_running: fn(&str) -> String,
    pub update_at: fn(&str) -> String,
    pub start: &'static str,
    pub end: &'static str,
    pub new_end: &'static str,
    pub affected: &'static str,
    pub first_window: &'static str,
    pub later_windows: &'static str,
    pub next_window: &'static str,
    pub details: &'static str,
    pub details_on: fn(&str) -> String,
    pub why: fn(&str) -> String,
    pub unsubscribe: &'static str,
    // Confirmation mail.
    pub confirm_subject: fn(&str) -> String,
    pub confirm_ask: fn(&str) -> String,
    pub confirm_button: &'static str,
    pub confirm_note: &'static str,
    // Pages.
    pub check_inbox: &'static str,
    pub check_inbox_text: &'static str,
    pub check_address: &'static str,
    pub too_many: &'static str,
    pub too_many_text: &'static str,
    pub confirmed: &'static str,
    pub already_confirmed: &'static str,
    pub will_hear_all: fn(&str) -> String,
    pub will_hear_some: fn(&str, &str) -> String,
    pub bad_link: &'static str,
    pub bad_confirm_link_text: &'static str,
    pub bad_unsubscribe_link_text: &'static str,
    pub unsubscribe_heading: &'static str,
    pub unsubscribe_ask: fn(&str) -> String,
    pub unsubscribed: &'static str,
    pub unsubscribed_text: fn(&str) -> String,
    pub unsubscribed_unknown: &'static str,
    pub and: &'static str,
    pub status: &'static str,
    pub pages: &'static i18n::Messages,
}

impl Words {
    /// What an impact does, in the status page's words: "Under maintenance", "No visible
    /// impact".
    pub fn impact(&self, impact: Impact) -> &'static str {
        match impact {
            Impact::Maintenance if self.lang == Lang::De => self.pages.status_maintenance,
            Impact::Maintenance => self.pages.under_maintenance,
            Impact::Down => self.pages.status_down,
            Impact::Degraded => self.pages.status_degraded,
            Impact::Up => self.pages.impact_none,
        }
    }

    /// "Website", "Website and API", "Website, API and Mail".
    pub fn list(&self, items: &[String]) -> String {
        match items {
            [] => String::new(),
            [one] => one.clone(),
            [rest @ .., last] => format!("{} {} {last}", rest.join(", "), self.and),
        }
    }
}

pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::De => &DE,
    }
}

static EN: Words = Words {
    lang: Lang::En,
    scheduled: |t, when| format!("Scheduled maintenance: {t} on {when}"),
    reminder: |t, lead, at| format!("Reminder: {t} begins in {lead} ({at})"),
    started: |t| format!("Maintenance in progress: {t}"),
    completed: |t| format!("Maintenance completed: {t}"),
    unobserved: |t| format!("Maintenance window passed while our status page was offline: {t}"),
    cancelled: |t| format!("Maintenance cancelled: {t}"),
    cancelled_window: |t, when| format!("Maintenance cancelled: {t} on {when} (this window only)"),
    cancelled_plan: |t| format!("Maintenance cancelled: {t} — all future windows are off"),
    extended: |t, until| format!("Maintenance extended: {t} until {until}"),
    update: |t| format!("Update: {t}"),
    incident_opened: |t| format!("Incident: {t}"),
    incident_update: |t, status| format!("Incident update: {t} — {status}"),
    incident_resolved: |t| format!("Resolved: {t}"),
    repeats: |s| format!("This maintenance repeats {s}."),
    window_off: |s| format!("This window is off. The maintenance itself goes on: it repeats {s}."),
    one_time_off: "This maintenance will not take place.",
    unobserved_text: "We reminded you of this window, but our status page was offline while it was due, so it could not tell you when the work started or ended. By its plan the window is over.",
    plan_off: |s| format!("Every future window of this maintenance is off. It was to repeat {s}."),
    still_running: |end| format!("The window in progress goes on until {end}."),
    update_at: |when| format!("Update, {when}:"),
    start: "Start",
    end: "End",
    new_end: "New end",
    affected: "Affected services",
    first_window: "First window",
    later_windows: "Later windows",
    next_window: "Next window",
    details: "Details",
    details_on: |site| format!("See the details on {site}"),
    why: |site| format!("You get this because you subscribed to notices from {site}."),
    unsubscribe: "Unsubscribe",
    confirm_subject: |site| format!("Confirm your subscription to {site}"),
    confirm_ask: |site| {
        format!("Please confirm that you want notices about planned maintenance and incidents from {site}.")
    },
    confirm_button: "Confirm my subscription",
    confirm_note: "The link expires in 48 hours. If you did not ask for this, ignore this message: nothing more will be sent.",
    check_inbox: "Check your inbox",
    check_inbox_text: "If the address can receive mail, a confirmation link is on its way. Nothing else is sent until you follow it.",
    check_address: "Please check the address",
    too_many: "Too many sign-ups",
    too_many_text: "Please try again in an hour.",
    confirmed: "Subscription confirmed",
    already_confirmed: "Already confirmed",
    will_hear_all: |email| format!("{email} will hear about all planned maintenance and incidents."),
    will_hear_some: |email, names| format!("{email} will hear about planned maintenance and incidents of {names}."),
    bad_link: "This link does not work",
    bad_confirm_link_text: "It may have expired, or the address was unsubscribed since. Subscribe again from the status page.",
    bad_unsubscribe_link_text: "The address it was for is not subscribed (any more).",
    unsubscribe_heading: "Unsubscribe",
    unsubscribe_ask: |email| format!("Stop all notices to {email} from this status page?"),
    unsubscribed: "Unsubscribed",
    unsubscribed_text: |email| format!("{email} will get no more notices."),
    unsubscribed_unknown: "This address gets no notices from this status page.",
    and: "and",
    status: "Status",
    pages: &i18n::EN,
};

static DE: Words = Words {
    lang: Lang::De,
    scheduled: |t, when| format!("Geplante Wartung: {t} am {when}"),
    reminder: |t, lead, at| format!("Erinnerung: {t} beginnt in {lead} ({at})"),
    started: |t| format!("Wartung läuft: {t}"),
    completed: |t| format!("Wartung abgeschlossen: {t}"),
    unobserved: |t| format!("Wartungstermin vorbei, während unsere Statusseite offline war: {t}"),
    cancelled: |t| format!("Wartung abgesagt: {t}"),
    cancelled_window: |t, when| format!("Wartung abgesagt: {t} am {when} (nur dieser Termin)"),
    cancelled_plan: |t| format!("Wartung abgesagt: {t} – alle künftigen Termine entfallen"),
    extended: |t, until| format!("Wartung verlängert: {t} bis {until}"),
    update: |t| format!("Neuigkeiten: {t}"),
    incident_opened: |t| format!("Störung: {t}"),
    incident_update: |t, status| format!("Störung: {t} – {status}"),
    incident_resolved: |t| format!("Behoben: {t}"),
    repeats: |s| format!("Diese Wartung findet {s} statt."),
    window_off: |s| format!("Dieser Termin entfällt. Die Wartung selbst geht weiter: Sie findet {s} statt."),
    one_time_off: "Diese Wartung findet nicht statt.",
    unobserved_text: "Wir hatten Sie an diesen Termin erinnert, aber unsere Statusseite war offline, als er fällig war, und konnte Ihnen Beginn und Ende nicht melden. Laut Plan ist der Termin vorbei.",
    plan_off: |s| format!("Alle künftigen Termine dieser Wartung entfallen. Geplant war sie {s}."),
    still_running: |end| format!("Der laufende Termin dauert noch bis {end}."),
    update_at: |when| format!("Neuigkeiten, {when}:"),
    start: "Beginn",
    end: "Ende",
    new_end: "Neues Ende",
    affected: "Betroffene Dienste",
    first_window: "Erster Termin",
    later_windows: "Weitere Termine",
    next_window: "Nächster Termin",
    details: "Details",
    details_on: |site| format!("Details auf {site}"),
    why: |site| format!("Sie erhalten diese Nachricht, weil Sie Hinweise von {site} abonniert haben."),
    unsubscribe: "Abbestellen",
    confirm_subject: |site| format!("Bitte bestätigen Sie Ihr Abonnement bei {site}"),
    confirm_ask: |site| {
        format!(
            "Bitte bestätigen Sie, dass Sie Hinweise auf geplante Wartungsarbeiten und Störungen von {site} erhalten möchten."
        )
    },
    confirm_button: "Abonnement bestätigen",
    confirm_note: "Der Link ist 48 Stunden gültig. Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht einfach: Es wird nichts weiter gesendet.",
    check_inbox: "Bitte sehen Sie in Ihr Postfach",
    check_inbox_text: "Wenn die Adresse E-Mails empfangen kann, ist ein Bestätigungslink unterwegs. Bis Sie ihm folgen, wird nichts weiter gesendet.",
    check_address: "Bitte prüfen Sie die Adresse",
    too_many: "Zu viele Anmeldungen",
    too_many_text: "Bitte versuchen Sie es in einer Stunde noch einmal.",
    confirmed: "Abonnement bestätigt",
    already_confirmed: "Bereits bestätigt",
    will_hear_all: |email| format!("{email} erhält Hinweise auf alle geplanten Wartungsarbeiten und Störungen."),
    will_hear_some: |email, names| {
        format!("{email} erhält Hinweise auf geplante Wartungsarbeiten und Störungen an {names}.")
    },
    bad_link: "Dieser Link funktioniert nicht",
    bad_confirm_link_text: "Vielleicht ist er abgelaufen, oder die Adresse wurde inzwischen abgemeldet. Sie können sich auf der Statusseite erneut anmelden.",
    bad_unsubscribe_link_text: "Die Adresse, für die er galt, ist nicht (mehr) angemeldet.",
    unsubscribe_heading: "Abbestellen",
    unsubscribe_ask: |email| format!("Keine Hinweise dieser Statusseite mehr an {email} senden?"),
    unsubscribed: "Abbestellt",
    unsubscribed_text: |email| format!("{email} erhält keine Hinweise mehr."),
    unsubscribed_unknown: "Diese Adresse erhält keine Hinweise von dieser Statusseite.",
    and: "und",
    status: "Status",
    pages: &i18n::DE,
};
