//! Rendering and sending one notice by email.

use askama::Template;
use chrono_tz::Tz;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Site;
use crate::domain::format::{lead_words, when};
use crate::domain::lifecycle::EventStatus;
use crate::service::events::{EventView, parse_instant};
use crate::service::subscribers::{CONFIRM_WITHIN, issue_token};
use crate::service::{Services, events, maintenances};
use crate::store::outbox::OutboxRow;
use crate::web::markdown;

/// How to reach the mail server.
#[derive(Clone)]
pub struct MailerSettings {
    /// `smtp://host:25`, `smtp://user:pass@host:587?tls=required` (STARTTLS) or
    /// `smtps://host:465`.
    pub url: String,
    /// The sender, e.g. `Acme Status <status@acme.example>`.
    pub from: String,
    /// Credentials given apart from the URL (`LULL_SMTP_USERNAME`, `LULL_SMTP_PASSWORD`).
    pub credentials: Option<(String, String)>,
    /// Seconds to wait for the mail server at each step before giving up on an attempt.
    pub timeout_secs: u64,
    /// How long a claimed notice is reserved for its worker; after a crash it is retried
    /// once this has passed. Keep it longer than the slowest send (see `timeout_secs`).
    pub lease_secs: i64,
}

impl std::fmt::Debug for MailerSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password.
        f.debug_struct("MailerSettings")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    pub lease_secs: i64,
}

impl Mailer {
    pub fn new(settings: &MailerSettings) -> anyhow::Result<Self> {
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.url)
            .map_err(|e| anyhow::anyhow!("LULL_SMTP_URL is not a usable SMTP URL: {e}"))?;
        if let Some((user, password)) = &settings.credentials {
            builder = builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
                user.clone(),
                password.clone(),
            ));
        }
        let transport = builder
            .timeout(Some(std::time::Duration::from_secs(settings.timeout_secs.max(1))))
            .pool_config(lettre::transport::smtp::PoolConfig::new().max_size(super::CONCURRENCY as u32))
            .build();
        let from = settings
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("LULL_SMTP_FROM '{}' is not an address: {e}", settings.from))?;
        Ok(Self {
            transport,
            from,
            lease_secs: settings.lease_secs.max(1),
        })
    }
}

#[derive(Debug)]
pub struct DeliveryError {
    pub permanent: bool,
    /// The notice no longer makes sense and is dropped, not failed.
    pub moot: bool,
    pub message: String,
}

impl DeliveryError {
    pub(crate) fn permanent(message: impl Into<String>) -> Self {
        Self {
            permanent: true,
            moot: false,
            message: message.into(),
        }
    }

    pub(crate) fn moot(message: impl Into<String>) -> Self {
        Self {
            permanent: true,
            moot: true,
            message: message.into(),
        }
    }

    pub(crate) fn temporary(message: impl Into<String>) -> Self {
        Self {
            permanent: false,
            moot: false,
            message: message.into(),
        }
    }
}

#[derive(Template)]
#[template(path = "email/notice.txt")]
struct NoticeText<'a> {
    site_name: &'a str,
    headline: &'a str,
    lines: &'a [String],
    description: &'a str,
    link: &'a str,
    unsubscribe: &'a str,
}

#[derive(Template)]
#[template(path = "email/notice.html")]
struct NoticeHtml<'a> {
    site_name: &'a str,
    headline: &'a str,
    lines: &'a [String],
    description_html: &'a str,
    link: &'a str,
    unsubscribe: &'a str,
}

#[derive(Template)]
#[template(path = "email/confirm.txt")]
struct ConfirmText<'a> {
    site_name: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "email/confirm.html")]
struct ConfirmHtml<'a> {
    site_name: &'a str,
    link: &'a str,
}

fn render(t: impl Template) -> Result<String, DeliveryError> {
    t.render()
        .map_err(|e| DeliveryError::permanent(format!("rendering: {e}")))
}

fn db(e: impl std::fmt::Display) -> DeliveryError {
    DeliveryError::temporary(format!("database: {e}"))
}

/// What a notice says: subject, headline, lines, description and the page it links to.
pub(crate) struct Notice {
    pub subject: String,
    pub headline: String,
    pub lines: Vec<String>,
    pub description: String,
    pub link: String,
}

/// What a row announces, for any channel.
pub(crate) async fn notice(s: &Services, site: &Site, row: &OutboxRow) -> Result<Notice, DeliveryError> {
    match (row.kind.as_str(), row.event_id) {
        ("scheduled", _) => scheduled_notice(s, site, row.maintenance_id.unwrap_or(0)).await,
        (_, Some(event)) => event_notice(s, site, row, event).await,
        _ => Err(DeliveryError::permanent("a notice without an event")),
    }
}

fn window_lines(e: &EventView) -> Vec<String> {
    let tz = e.timezone.parse::<Tz>().ok();
    let start = parse_instant("start", &e.start).unwrap_or_default();
    let end = parse_instant("end", &e.end).unwrap_or_default();
    let mut lines = vec![format!("Start: {}", when(start, tz)), format!("End: {}", when(end, tz))];
    if !e.monitors.is_empty() {
        let names: Vec<String> = e
            .monitors
            .iter()
            .map(|m| format!("{} ({})", m.name, m.impact.as_str()))
            .collect();
        lines.push(format!("Affected: {}", names.join(", ")));
    }
    lines
}

async fn event_notice(s: &Services, site: &Site, row: &OutboxRow, event_id: i64) -> Result<Notice, DeliveryError> {
    let e = match events::get(s, event_id).await {
        Ok(e) => e,
        Err(crate::error::AppError::NotFound(_)) => return Err(DeliveryError::permanent("the event no longer exists")),
        Err(err) => return Err(db(err)),
    };
    // A retried notice can be overtaken by events: never announce what is no longer true.
    let fits = match row.kind.as_str() {
        "reminder" => matches!(e.status, EventStatus::Scheduled | EventStatus::Ready),
        "started" => e.status == EventStatus::Ongoing,
        "extended" => !e.status.is_terminal(),
        "cancelled" => e.status == EventStatus::Cancelled,
        "update" => true,
        "completed" => e.status == EventStatus::Completed,
        _ => true,
    };
    if !fits {
        return Err(DeliveryError::moot(format!("the event is {} now", e.status.as_str())));
    }
    let t = &e.title;
    let mut lines = window_lines(&e);
    let subject = match row.kind.as_str() {
        "reminder" => {
            let lead = (parse_instant("start", &e.start).unwrap_or_default() - s.now()).num_seconds();
            if lead <= 0 {
                return Err(DeliveryError::permanent(
                    "the event started before its reminder could go out",
                ));
            }
            // Rounded to whole minutes: sent at the lead time, this reads "in 1 hour".
            format!("Reminder: {t} begins in {}", lead_words((lead + 30) / 60 * 60))
        }
        "started" => format!("Maintenance in progress: {t}"),
        "completed" => format!("Maintenance completed: {t}"),
        "cancelled" => format!("Maintenance cancelled: {t}"),
        "extended" => {
            let end = row.detail.parse::<i64>().map(from_ts_utc).unwrap_or_default();
            lines.insert(0, format!("New end: {}", when(end, e.timezone.parse::<Tz>().ok())));
            format!("Maintenance extended: {t} until {}", end.format("%b %-d, %H:%M UTC"))
        }
        "update" => {
            let id: i64 = row.detail.parse().unwrap_or(0);
            if let Some(u) = e.updates.iter().find(|u| u.id == id) {
                lines.insert(0, format!("Update ({}): {}", u.created_at, u.body));
            }
            format!("Update: {t}")
        }
        other => return Err(DeliveryError::permanent(format!("unknown notice kind {other}"))),
    };
    Ok(Notice {
        headline: subject.clone(),
        subject,
        lines,
        description: e.description.clone(),
        link: format!("{}/maintenance/{}", site.public_url, e.id),
    })
}

fn from_ts_utc(ts: i64) -> chrono::DateTime<chrono::Utc> {
    crate::service::from_ts(ts)
}

async fn scheduled_notice(s: &Services, site: &Site, maintenance_id: i64) -> Result<Notice, DeliveryError> {
    let m = match maintenances::view(s, maintenance_id, true).await {
        Ok(m) => m,
        Err(crate::error::AppError::NotFound(_)) => {
            return Err(DeliveryError::permanent("the maintenance no longer exists"));
        }
        Err(e) => return Err(db(e)),
    };
    let upcoming: Vec<&EventView> = m
        .events
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter(|e| !e.status.is_terminal())
        .collect();
    let Some(first) = upcoming.first() else {
        return Err(DeliveryError::permanent("the maintenance has no upcoming window"));
    };
    let start = parse_instant("start", &first.start).unwrap_or_default();
    let subject = format!(
        "Scheduled maintenance: {} on {}",
        m.title,
        start.format("%b %-d, %H:%M UTC")
    );
    let mut lines = window_lines(first);
    if upcoming.len() > 1 {
        lines.push(format!("It repeats ({}); next windows:", m.rrule));
        let tz = m.timezone.parse::<Tz>().ok();
        for e in upcoming.iter().take(5) {
            lines.push(format!(
                "- {}",
                when(parse_instant("start", &e.start).unwrap_or_default(), tz)
            ));
        }
    }
    Ok(Notice {
        headline: subject.clone(),
        subject,
        lines,
        description: m.description,
        link: format!("{}/maintenance/{}", site.public_url, first.id),
    })
}

/// Renders and sends one outbox row.
pub async fn deliver(s: &Services, site: &Site, mailer: &Mailer, row: &OutboxRow) -> Result<(), DeliveryError> {
    let (Some(email), Some(subscriber_id)) = (&row.email, row.subscriber_id) else {
        return Err(DeliveryError::permanent("the subscriber is gone"));
    };
    let to: Mailbox = email
        .parse()
        .map_err(|e| DeliveryError::permanent(format!("bad recipient address: {e}")))?;
    let now = s.now().timestamp();
    let mut conn = s.store.conn().await.map_err(db)?;
    let unsubscribe_token = issue_token(&mut conn, subscriber_id, "unsubscribe", now, None)
        .await
        .map_err(db)?;
    let unsubscribe = format!("{}/unsubscribe?token={unsubscribe_token}", site.public_url);
    let (subject, text, html) = if row.kind == "confirm" {
        let expires = now + CONFIRM_WITHIN.num_seconds();
        let token = issue_token(&mut conn, subscriber_id, "confirm", now, Some(expires))
            .await
            .map_err(db)?;
        drop(conn); // not held across the send
        let link = format!("{}/subscribe/confirm?token={token}", site.public_url);
        let site_name = site.name.as_str();
        (
            format!("Confirm your subscription to {site_name}"),
            render(ConfirmText { site_name, link: &link })?,
            render(ConfirmHtml { site_name, link: &link })?,
        )
    } else {
        drop(conn);
        let notice = notice(s, site, row).await?;
        let description_html = markdown::to_html(&notice.description);
        let text = render(NoticeText {
            site_name: &site.name,
            headline: &notice.headline,
            lines: &notice.lines,
            description: &notice.description,
            link: &notice.link,
            unsubscribe: &unsubscribe,
        })?;
        let html = render(NoticeHtml {
            site_name: &site.name,
            headline: &notice.headline,
            lines: &notice.lines,
            description_html: &description_html,
            link: &notice.link,
            unsubscribe: &unsubscribe,
        })?;
        (notice.subject, text, html)
    };
    let message = Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(subject)
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{unsubscribe}>"),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".into(),
        ))
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| DeliveryError::permanent(format!("building the message: {e}")))?;
    match mailer.transport.send(message).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(DeliveryError::permanent(e.to_string())),
        Err(e) => Err(DeliveryError::temporary(e.to_string())),
    }
}
