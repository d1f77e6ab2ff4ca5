//! Delivering a notice to a webhook: a versioned JSON payload signed with HMAC-SHA256
//! (like Stripe and Standard Webhooks), or a Slack or Discord message.

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::email::DeliveryError;
use super::notice::notice;
use crate::config::Site;
use crate::domain::format::Lang;
use crate::service::{Services, events};
use crate::store::outbox::OutboxRow;
use crate::store::webhooks;

/// The version of the JSON payload; a change that is not only additive bumps it.
pub const PAYLOAD_VERSION: u32 = 1;

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

pub async fn deliver(s: &Services, site: &Site, http: &reqwest::Client, row: &OutboxRow) -> Result<(), DeliveryError> {
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
                Some(e) => events::get(s, e)
                    .await
                    .ok()
                    .map(|e| serde_json::to_value(e).unwrap_or(Value::Null)),
                None => None,
            };
            let mut body = json!({
                "version": PAYLOAD_VERSION,
                "id": row.id,
                "kind": row.kind,
                "created_at": crate::domain::schedule::format_utc(s.now()),
                "subject": n.subject,
                "url": n.link,
                "maintenance_id": row.maintenance_id,
                "event": event,
            });
            if let Some(scope) = n.scope {
                body["scope"] = json!(scope);
            }
            // An occurrence skipped before its event existed: which window is off.
            if let Some(start) = row
                .detail
                .strip_prefix(crate::store::outbox::OCCURRENCE)
                .and_then(|t| t.parse::<i64>().ok())
            {
                body["occurrence_start"] = json!(crate::domain::schedule::format_utc(crate::service::from_ts(start)));
            }
            body
        }
    };
    let bytes = serde_json::to_vec(&body).map_err(|e| DeliveryError::permanent(e.to_string()))?;
    let resp = http
        .post(&hook.url)
        .header("content-type", "application/json")
        .header("user-agent", concat!("Lull/", env!("CARGO_PKG_VERSION")))
        .header("lull-signature", signature(&hook.secret, s.now().timestamp(), &bytes))
        .header("lull-event", &row.kind)
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
