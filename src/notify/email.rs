//! Rendering and sending one notice by email.

use askama::Template;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::notice::{Notice, notice};
use super::words::{Words, words};
use crate::config::Site;
use crate::domain::notice::NoticeKind;
use crate::markdown;
use crate::service::Services;
use crate::service::subscribers::{CONFIRM_WITHIN, issue_token};
use crate::store::outbox::OutboxRow;

/// How to reach the mail server.
#[derive(Clone)]
pub struct MailerSettings {
    /// `smtp://host:25`, `smtp://user:pass@host:587?tls=required` (STARTTLS) or
    /// `smtps://host:465`. Credentials on a connection that may be unencrypted (no
    /// `tls`, or `tls=opportunistic`) are refused unless `tls=none` asks for exactly that.
    pub url: String,
    /// The sender, e.g. `Acme Status <status@acme.example>`; by default `SITE
    /// <noreply@…>` at the public URL's domain (see [`crate::config::sender`]).
    pub from: Option<String>,
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
    /// Checks the settings and prepares the transport (no connection is made yet).
    pub fn new(settings: &MailerSettings, site: &Site) -> anyhow::Result<Self> {
        let from = crate::config::sender(settings.from.as_deref(), site)?;
        let (url, tls) = split_tls(&settings.url);
        let credentials = settings.credentials.is_some() || has_password(&url);
        match tls.as_deref() {
            Some("none") if credentials => {
                tracing::warn!("LULL_SMTP_URL has tls=none: the SMTP password crosses the network unencrypted");
            }
            None | Some("opportunistic") if credentials && !url.starts_with("smtps://") => anyhow::bail!(
                "LULL_SMTP_URL (or LULL_SMTP_USERNAME/LULL_SMTP_PASSWORD) gives a password for a connection that may \
                 not be encrypted, so it could cross the network in clear: use smtps://HOST:465 or add ?tls=required \
                 (STARTTLS), or add ?tls=none to send it unencrypted on purpose"
            ),
            _ => {}
        }
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
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
        Ok(Self {
            transport,
            from,
            lease_secs: settings.lease_secs.max(1),
        })
    }
}

/// The URL without a `tls=none` parameter (lettre knows no such value: it means no TLS,
/// as no `tls` does), and the `tls` value given, lower-cased.
fn split_tls(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), None);
    };
    let mut tls = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.split_once('=') {
            Some(("tls", value)) => {
                tls = Some(value.to_ascii_lowercase());
                !value.eq_ignore_ascii_case("none")
            }
            _ => true,
        })
        .collect();
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, tls)
}

/// Whether the URL's user info holds a password (`user:pass@`).
fn has_password(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
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
    w: &'a Words,
    why: &'a str,
    subject: &'a str,
    body: &'a str,
    link: &'a str,
    unsubscribe: Option<&'a str>,
}

/// An update's body, as HTML.
struct UpdateHtml {
    label: String,
    html: String,
}

#[derive(Template)]
#[template(path = "email/notice.html")]
struct NoticeHtml<'a> {
    w: &'a Words,
    lang: &'a str,
    site_name: &'a str,
    accent: &'a str,
    why: &'a str,
    details_on: &'a str,
    n: &'a Notice,
    update: Option<UpdateHtml>,
    description_html: &'a str,
    unsubscribe: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "email/confirm.txt")]
struct ConfirmText<'a> {
    w: &'a Words,
    ask: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "email/confirm.html")]
struct ConfirmHtml<'a> {
    w: &'a Words,
    lang: &'a str,
    subject: &'a str,
    site_name: &'a str,
    accent: &'a str,
    ask: &'a str,
    link: &'a str,
}

fn render(t: impl Template) -> Result<String, DeliveryError> {
    t.render()
        .map_err(|e| DeliveryError::permanent(format!("rendering: {e}")))
}

fn db(e: impl std::fmt::Display) -> DeliveryError {
    DeliveryError::temporary(format!("database: {e}"))
}

/// A Message-ID unique to this message (a retry is a new message), under the sender's
/// domain as RFC 5322 asks.
fn message_id(from: &Mailbox, row_id: i64) -> String {
    format!("<lull.{row_id}.{:016x}@{}>", rand::random::<u64>(), from.email.domain())
}

/// Renders and sends one outbox row.
pub async fn deliver(s: &Services, site: &Site, mailer: &Mailer, row: &OutboxRow) -> Result<(), DeliveryError> {
    let Some(email) = &row.email else {
        return Err(DeliveryError::permanent("the recipient is gone"));
    };
    let to: Mailbox = email
        .parse()
        .map_err(|e| DeliveryError::permanent(format!("bad recipient address: {e}")))?;
    let now = s.now();
    let mut conn = s.store.conn().await.map_err(db)?;
    // Subscribers can leave with one click; admins (alerts) manage theirs on the dashboard.
    let unsubscribe = match row.subscriber_id {
        Some(subscriber_id) => {
            let token = issue_token(&mut conn, subscriber_id, "unsubscribe", now, None)
                .await
                .map_err(db)?;
            Some(format!("{}/unsubscribe?token={token}", site.public_url))
        }
        None => None,
    };
    let lang = row.language.unwrap_or_default();
    let w = words(lang);
    let (subject, text, html) = if let (NoticeKind::Confirm, Some(subscriber_id)) = (row.kind, row.subscriber_id) {
        let expires = now + CONFIRM_WITHIN;
        let token = issue_token(&mut conn, subscriber_id, "confirm", now, Some(expires))
            .await
            .map_err(db)?;
        drop(conn); // not held across the send
        let link = format!("{}/subscribe/confirm?token={token}", site.public_url);
        let site_name = site.name.as_str();
        let subject = (w.confirm_subject)(site_name);
        let ask = (w.confirm_ask)(site_name);
        let text = render(ConfirmText {
            w,
            ask: &ask,
            link: &link,
        })?;
        let html = render(ConfirmHtml {
            w,
            lang: lang.code(),
            subject: &subject,
            site_name,
            accent: &site.accent,
            ask: &ask,
            link: &link,
        })?;
        (subject, text, html)
    } else {
        drop(conn);
        let n = notice(s, site, row, lang).await?;
        let why = if row.admin_id.is_some() {
            format!("You get this because you are an admin of {}.", site.name)
        } else {
            (w.why)(&site.name)
        };
        let text = render(NoticeText {
            w,
            why: &why,
            subject: &n.subject,
            body: &n.plain(),
            link: &n.link,
            unsubscribe: unsubscribe.as_deref(),
        })?;
        let html = render(NoticeHtml {
            w,
            lang: lang.code(),
            site_name: &site.name,
            accent: &site.accent,
            why: &why,
            details_on: &(w.details_on)(&site.name),
            n: &n,
            update: n.update.as_ref().map(|u| UpdateHtml {
                label: u.label.clone(),
                html: markdown::to_html(&u.body),
            }),
            description_html: &markdown::to_html(&n.description),
            unsubscribe: unsubscribe.as_deref(),
        })?;
        (n.subject, text, html)
    };
    let mut message = Message::builder()
        .message_id(Some(message_id(&mailer.from, row.id)))
        .from(mailer.from.clone())
        .to(to)
        .subject(subject);
    if let Some(unsubscribe) = &unsubscribe {
        message = message
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{unsubscribe}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".into(),
            ));
    }
    let message = message
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| DeliveryError::permanent(format!("building the message: {e}")))?;
    match mailer.transport.send(message).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(DeliveryError::permanent(e.to_string())),
        Err(e) => Err(DeliveryError::temporary(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::{Mailer, MailerSettings};
    use crate::config::Site;

    fn mailer(url: &str, credentials: Option<(&str, &str)>) -> anyhow::Result<Mailer> {
        let site = Site::new("Acme", None, "#123456", "https://status.acme.test").unwrap();
        let settings = MailerSettings {
            url: url.into(),
            from: None,
            credentials: credentials.map(|(u, p)| (u.into(), p.into())),
            timeout_secs: 1,
            lease_secs: 120,
        };
        Mailer::new(&settings, &site)
    }

    #[tokio::test]
    async fn a_password_goes_unencrypted_only_when_tls_none_says_so() {
        for refused in [
            ("smtp://mailuser:SECRETpw@127.0.0.1:2525", None),
            ("smtp://127.0.0.1:2525", Some(("mailuser", "SECRETpw"))),
            ("smtp://mailuser:SECRETpw@127.0.0.1:2525?tls=opportunistic", None),
        ] {
            let Err(err) = mailer(refused.0, refused.1) else {
                panic!("{refused:?} was accepted");
            };
            let err = err.to_string();
            assert!(err.contains("tls=none") && err.contains("tls=required"), "{err}");
            assert!(!err.contains("SECRETpw"), "{err}");
        }
        for accepted in [
            ("smtp://mailuser:SECRETpw@127.0.0.1:2525?tls=none", None),
            ("smtp://127.0.0.1:2525?tls=NONE", Some(("mailuser", "SECRETpw"))),
            ("smtp://mailuser:SECRETpw@127.0.0.1:2525?tls=required", None),
            ("smtps://mailuser:SECRETpw@127.0.0.1:2525", None),
            // No password: nothing to protect.
            ("smtp://127.0.0.1:2525", None),
            ("smtp://mailuser@127.0.0.1:2525", None),
        ] {
            assert!(mailer(accepted.0, accepted.1).is_ok(), "{accepted:?}");
        }
    }

    #[test]
    fn tls_none_is_taken_out_of_the_url() {
        assert_eq!(
            super::split_tls("smtp://h:25?tls=none"),
            ("smtp://h:25".into(), Some("none".into()))
        );
        assert_eq!(
            super::split_tls("smtp://h:25/ehlo.name?x=1&tls=none"),
            ("smtp://h:25/ehlo.name?x=1".into(), Some("none".into()))
        );
        assert_eq!(
            super::split_tls("smtp://h:587?tls=required"),
            ("smtp://h:587?tls=required".into(), Some("required".into()))
        );
    }
}
