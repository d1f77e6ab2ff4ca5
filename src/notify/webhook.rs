//! Delivering a notice to a webhook: a versioned JSON payload signed with HMAC-SHA256
//! (like Stripe and Standard Webhooks), or a Slack or Discord message.

use std::net::{IpAddr, SocketAddr};

use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::Sha256;

use super::email::DeliveryError;
use super::notice::notice;
use crate::config::Site;
use crate::domain::format::Lang;
use crate::domain::impact::{Impact, MonitorStatus};
use crate::domain::incident::IncidentStatus;
use crate::domain::lifecycle::EventStatus;
use crate::domain::notice::NoticeKind;
use crate::domain::schedule::format_utc;
use crate::service::events::Event;
use crate::service::incidents::Incident;
use crate::service::{Services, events, incidents, monitors};
use crate::store::outbox::OutboxRow;
use crate::store::webhooks;

/// The version of the JSON payload; a change that is not only additive bumps it.
pub const PAYLOAD_VERSION: u32 = 1;

/// The JSON payload, version 1. Receivers parse it: it is its own type, not the API's
/// view of an event, so that neither can change the other.
#[derive(Debug, Serialize)]
pub struct PayloadV1 {
    pub version: u32,
    /// The notice's id (also in `Lull-Delivery`): the same on every retry.
    pub id: i64,
    pub kind: NoticeKind,
    pub created_at: String,
    pub subject: String,
    pub url: String,
    pub maintenance_id: Option<i64>,
    pub event: Option<EventV1>,
    /// `occurrence` or `plan` for cancellations: one window off, or the whole plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<&'static str>,
    /// The start of a window skipped before it had an event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurrence_start: Option<String>,
    /// For `incident_*` notices: the incident, latest update first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident: Option<IncidentV1>,
    /// For `monitor_down` / `monitor_up` alerts: the monitor and when it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitor: Option<MonitorAlertV1>,
}

/// An incident in payload version 1.
#[derive(Debug, Serialize)]
pub struct IncidentV1 {
    pub id: i64,
    pub title: String,
    pub status: IncidentStatus,
    pub created_at: String,
    pub resolved_at: Option<String>,
    pub monitors: Vec<MonitorV1>,
    pub updates: Vec<IncidentUpdateV1>,
}

#[derive(Debug, Serialize)]
pub struct IncidentUpdateV1 {
    pub id: i64,
    pub status: IncidentStatus,
    pub body: String,
    pub author: String,
    pub created_at: String,
}

impl From<Incident> for IncidentV1 {
    fn from(i: Incident) -> Self {
        Self {
            id: i.id,
            title: i.title,
            status: i.status,
            created_at: format_utc(i.created_at),
            resolved_at: i.resolved_at.map(format_utc),
            monitors: i
                .monitors
                .into_iter()
                .map(|m| MonitorV1 {
                    slug: m.slug,
                    name: m.name,
                    impact: m.impact,
                })
                .collect(),
            updates: i
                .updates
                .into_iter()
                .map(|u| IncidentUpdateV1 {
                    id: u.id,
                    status: u.status,
                    body: u.body,
                    author: u.author,
                    created_at: format_utc(u.created_at),
                })
                .collect(),
        }
    }
}

/// A monitor whose checks changed its status, in payload version 1.
#[derive(Debug, Serialize)]
pub struct MonitorAlertV1 {
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// DOWN for `monitor_down`; UP or DEGRADED for `monitor_up`.
    pub status: MonitorStatus,
    /// When the check that changed it ran.
    pub since: String,
}

/// An event in payload version 1.
#[derive(Debug, Serialize)]
pub struct EventV1 {
    pub id: i64,
    pub maintenance_id: i64,
    pub title: String,
    pub description: String,
    pub status: EventStatus,
    pub start: String,
    pub end: String,
    pub scheduled_start: String,
    pub scheduled_end: String,
    pub timezone: String,
    pub cancelled_at: Option<String>,
    pub cancel_reason: Option<String>,
    pub observed: bool,
    pub monitors: Vec<MonitorV1>,
    pub updates: Vec<UpdateV1>,
}

#[derive(Debug, Serialize)]
pub struct MonitorV1 {
    pub slug: String,
    pub name: String,
    pub impact: Impact,
}

#[derive(Debug, Serialize)]
pub struct UpdateV1 {
    pub id: i64,
    pub body: String,
    pub author: String,
    pub created_at: String,
}

impl From<Event> for EventV1 {
    fn from(e: Event) -> Self {
        Self {
            id: e.id,
            maintenance_id: e.maintenance_id,
            title: e.title,
            description: e.description,
            status: e.status,
            start: format_utc(e.start),
            end: format_utc(e.end),
            scheduled_start: format_utc(e.scheduled_start),
            scheduled_end: format_utc(e.scheduled_end),
            timezone: e.timezone.name().to_string(),
            cancelled_at: e.cancelled_at.map(format_utc),
            cancel_reason: e.cancel_reason.map(|r| r.as_str().to_string()),
            observed: e.observed,
            monitors: e
                .monitors
                .into_iter()
                .map(|m| MonitorV1 {
                    slug: m.slug,
                    name: m.name,
                    impact: m.impact,
                })
                .collect(),
            updates: e
                .updates
                .into_iter()
                .map(|u| UpdateV1 {
                    id: u.id,
                    body: u.body,
                    author: u.author,
                    created_at: format_utc(u.created_at),
                })
                .collect(),
        }
    }
}

/// `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// A Slack or Discord message. Titles and updates are admins' words, not markup: Slack's
/// control characters are escaped (so `<!channel>` or `<https://x|label>` stay text),
/// and Discord is told to ping nobody whatever the text says.
pub fn chat_message(format: &str, subject: &str, text: &str) -> Value {
    if format == "slack" {
        let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        json!({"text": format!("*{}*\n{}", escape(subject), escape(text))})
    } else {
        json!({
            "content": format!("**{subject}**\n{text}"),
            "allowed_mentions": {"parse": []},
        })
    }
}

/// Which addresses webhooks may reach.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Targets {
    /// Any (the default: admins choose their webhooks).
    #[default]
    Any,
    /// None that is loopback, private, link-local, unspecified or multicast, checked on
    /// the addresses the name resolves to at send time (`LULL_WEBHOOK_BLOCK_PRIVATE`).
    Public,
}

/// The client every webhook is sent with: 10 s per delivery, no redirects followed.
pub fn http_client() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
}

pub fn client(builder: reqwest::ClientBuilder) -> reqwest::Client {
    builder.build().unwrap_or_default()
}

/// Addresses a webhook must not reach with [`Targets::Public`]: loopback, private
/// (RFC 1918, carrier-grade NAT 100.64/10, unique local fc00::/7), link-local,
/// unspecified, broadcast and multicast, also when written as IPv4-mapped IPv6 or carried
/// in NAT64 or 6to4 addresses.
pub fn is_private(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(a) => {
            let [first, second, ..] = a.octets();
            a.is_loopback()
                || a.is_private()
                || a.is_link_local()
                || a.is_unspecified()
                || a.is_broadcast()
                || a.is_multicast()
                || first == 0
                || (first == 100 && (second & 0xc0) == 64)
        }
        IpAddr::V6(a) => {
            let s = a.segments();
            // An IPv4 address carried inside: NAT64 (64:ff9b::/96) and 6to4 (2002::/16)
            // reach whatever that IPv4 address is.
            let carried = if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                Some(std::net::Ipv4Addr::new(
                    (s[6] >> 8) as u8,
                    s[6] as u8,
                    (s[7] >> 8) as u8,
                    s[7] as u8,
                ))
            } else if s[0] == 0x2002 {
                Some(std::net::Ipv4Addr::new(
                    (s[1] >> 8) as u8,
                    s[1] as u8,
                    (s[2] >> 8) as u8,
                    s[2] as u8,
                ))
            } else {
                None
            };
            a.is_loopback()
                || a.is_unspecified()
                || a.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || carried.is_some_and(|v4| is_private(IpAddr::V4(v4)))
        }
    }
}

/// With [`Targets::Public`], resolves the webhook's host and refuses it if any address
/// is not public; the addresses checked are the ones connected to (a second lookup could
/// answer differently). `None` when any address may be reached.
async fn checked_client(targets: Targets, hook_id: i64, url: &str) -> Result<Option<reqwest::Client>, DeliveryError> {
    if targets == Targets::Any {
        return Ok(None);
    }
    let parsed = reqwest::Url::parse(url).map_err(|e| DeliveryError::permanent(format!("webhook #{hook_id}: {e}")))?;
    let host = parsed.host_str().unwrap_or("").to_string();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let refused = || {
        DeliveryError::permanent(format!(
            "webhook #{hook_id}: its address is loopback, private or link-local, which LULL_WEBHOOK_BLOCK_PRIVATE refuses"
        ))
    };
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = literal.parse::<IpAddr>() {
        return if is_private(ip) { Err(refused()) } else { Ok(None) };
    }
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| DeliveryError::temporary(format!("webhook #{hook_id}: cannot resolve its host: {e}")))?
        .collect();
    if addrs.is_empty() {
        return Err(DeliveryError::temporary(format!(
            "webhook #{hook_id}: its host has no address"
        )));
    }
    if addrs.iter().any(|a| is_private(a.ip())) {
        return Err(refused());
    }
    // Straight to the addresses checked: an HTTP(S)_PROXY of the environment would
    // resolve the name again, past the check.
    Ok(Some(client(http_client().no_proxy().resolve_to_addrs(&host, &addrs))))
}

pub async fn deliver(
    s: &Services,
    site: &Site,
    http: &reqwest::Client,
    targets: Targets,
    row: &OutboxRow,
) -> Result<(), DeliveryError> {
    let id = row.webhook_id.unwrap_or(0);
    let mut conn = s
        .store
        .conn()
        .await
        .map_err(|e| DeliveryError::temporary(e.to_string()))?;
    let Some(hook) = webhooks::get(&mut conn, id)
        .await
        .map_err(|e| DeliveryError::temporary(e.to_string()))?
    else {
        return Err(DeliveryError::permanent("the webhook was deleted"));
    };
    drop(conn);
    let n = notice(s, site, row, Lang::En).await?;
    let text = format!("{}\n\n{}", n.plain(), n.link);
    let body: Value = match hook.format.as_str() {
        "slack" | "discord" => chat_message(&hook.format, &n.subject, &text),
        _ => {
            let event = match row.event_id {
                Some(e) => events::get(s, e).await.ok().map(EventV1::from),
                None => None,
            };
            let incident = match row.incident_id {
                Some(i) => incidents::get(s, i, true).await.ok().map(IncidentV1::from),
                None => None,
            };
            let monitor = match row.monitor_id {
                Some(m) => monitors::get(s, &m.to_string()).await.ok().map(|m| MonitorAlertV1 {
                    id: m.id,
                    slug: m.slug,
                    name: m.name,
                    status: m.status,
                    since: row
                        .detail
                        .parse::<i64>()
                        .ok()
                        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
                        .map(format_utc)
                        .unwrap_or_default(),
                }),
                None => None,
            };
            let payload = PayloadV1 {
                version: PAYLOAD_VERSION,
                id: row.id,
                kind: row.kind,
                created_at: format_utc(s.now()),
                subject: n.subject,
                url: n.link,
                maintenance_id: row.maintenance_id,
                event,
                scope: n.scope,
                // An occurrence skipped before its event existed: which window is off.
                occurrence_start: row
                    .detail
                    .strip_prefix(crate::store::outbox::OCCURRENCE)
                    .and_then(|t| t.parse::<i64>().ok())
                    .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
                    .map(format_utc),
                incident,
                monitor,
            };
            serde_json::to_value(payload).map_err(|e| DeliveryError::permanent(e.to_string()))?
        }
    };
    let bytes = serde_json::to_vec(&body).map_err(|e| DeliveryError::permanent(e.to_string()))?;
    let checked = checked_client(targets, hook.id, &hook.url).await?;
    let resp = checked
        .as_ref()
        .unwrap_or(http)
        .post(&hook.url)
        .header("content-type", "application/json")
        .header("user-agent", concat!("Lull/", env!("CARGO_PKG_VERSION")))
        .header("lull-signature", signature(&hook.secret, s.now().timestamp(), &bytes))
        .header("lull-event", row.kind.as_str())
        .header("lull-delivery", row.id.to_string())
        .body(bytes)
        .send()
        .await
        // Slack and Discord URLs are credentials: errors name the webhook, not its URL.
        .map_err(|e| DeliveryError::temporary(format!("webhook #{}: {}", hook.id, e.without_url())))?;
    let status = resp.status();
    if status.is_success() {
        Ok(())
    } else if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
        Err(DeliveryError::temporary(format!(
            "webhook #{} answered {status}",
            hook.id
        )))
    } else {
        Err(DeliveryError::permanent(format!(
            "webhook #{} answered {status}",
            hook.id
        )))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn private_addresses_are_known() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.254",
            "169.254.169.254",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "2002:c0a8:101::1",
            "2002:7f00:1::",
        ] {
            assert!(super::is_private(private.parse().unwrap()), "{private}");
        }
        for public in [
            "93.184.216.34",
            "100.128.0.1",
            "172.32.0.1",
            "2001:db8::1",
            "2606:4700::1111",
            "64:ff9b::5db8:d822",
            "2002:5db8:d822::1",
        ] {
            assert!(!super::is_private(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn chat_messages_mention_nobody_and_link_nowhere_by_themselves() {
        let slack = super::chat_message("slack", "<!channel> DB & co", "see <https://evil.example|status> @here");
        assert_eq!(
            slack["text"],
            "*&lt;!channel&gt; DB &amp; co*\nsee &lt;https://evil.example|status&gt; @here"
        );
        let discord = super::chat_message("discord", "@everyone DB", "<@&123> and @here");
        assert_eq!(discord["content"], "**@everyone DB**\n<@&123> and @here");
        assert_eq!(discord["allowed_mentions"], serde_json::json!({"parse": []}));
    }

    #[test]
    fn the_signature_is_an_hmac_of_timestamp_and_body() {
        // Worked out independently: printf '1700000000.{}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            super::signature("whsec_test", 1_700_000_000, b"{}"),
            "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
    }
}
