//! Webhook endpoints: where notices are POSTed, in which format, about what.

use serde::{Deserialize, Serialize};

use super::Services;
use crate::domain::FieldError;
use crate::domain::notice::NoticeKind;
use crate::domain::schedule::format_utc;
use crate::error::{AppError, AppResult};
use crate::store::webhooks;

pub const FORMATS: [&str; 3] = ["json", "slack", "discord"];

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WebhookInput {
    /// Where to POST; http or https.
    pub url: String,
    /// `json` (signed, versioned payload; default), `slack` or `discord` (their
    /// incoming-webhook formats).
    #[serde(default)]
    pub format: Option<String>,
    /// Notice kinds to send: about maintenance (scheduled, reminder, started, update,
    /// extended, completed, cancelled, unobserved), incidents (incident_opened,
    /// incident_update, incident_resolved), and alerts for admins (monitor_down,
    /// monitor_up). When absent, every kind but the alerts: those go only where named.
    #[serde(default)]
    pub kinds: Option<Vec<String>>,
    /// Only notices about these monitors (slugs); all when absent.
    #[serde(default)]
    pub monitors: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebhookView {
    pub id: i64,
    pub url: String,
    pub format: String,
    pub kinds: Vec<String>,
    pub monitors: Vec<String>,
    /// Signs every delivery: `Lull-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
    pub secret: String,
    pub created_at: String,
}

pub async fn create(s: &Services, input: WebhookInput) -> AppResult<WebhookView> {
    let url = input.url.trim().to_string();
    if !(url.starts_with("http://") || url.starts_with("https://"))
        || url.len() > 2000
        || url.contains(char::is_whitespace)
    {
        return Err(FieldError::new("url", "must be an http:// or https:// URL").into());
    }
    let format = input.format.unwrap_or_else(|| "json".into()).to_ascii_lowercase();
    if !FORMATS.contains(&format.as_str()) {
        return Err(FieldError::new("format", "must be json, slack or discord").into());
    }
    let mut kinds = Vec::new();
    for (i, k) in input.kinds.unwrap_or_default().iter().enumerate() {
        let kind = NoticeKind::parse(&format!("kinds[{i}]"), k)?;
        if !NoticeKind::for_webhooks().any(|k| k == kind) {
            return Err(FieldError::new(format!("kinds[{i}]"), "is not a kind of notice a webhook can take").into());
        }
        kinds.push(kind.as_str());
    }
    let now = s.now();
    let mut tx = s.store.begin().await?;
    let slugs = input.monitors.unwrap_or_default();
    let slugs: Vec<&str> = slugs.iter().map(String::as_str).collect();
    let monitor_ids = super::monitors::resolve_slugs(&mut tx, &slugs, |i| format!("monitors[{i}]")).await?;
    let row = webhooks::WebhookRow {
        id: 0,
        url,
        secret: format!("whsec_{}", crate::secret::token()),
        format,
        kinds: kinds.join(","),
        created_at: now,
    };
    let id = webhooks::insert(&mut tx, &row).await?;
    webhooks::set_monitors(&mut tx, id, &monitor_ids).await?;
    tx.commit().await?;
    list(s)
        .await?
        .into_iter()
        .find(|w| w.id == id)
        .ok_or(AppError::NotFound("webhook"))
}

pub async fn list(s: &Services) -> AppResult<Vec<WebhookView>> {
    let mut conn = s.store.conn().await?;
    let filters = webhooks::monitor_slugs(&mut conn).await?;
    Ok(webhooks::list(&mut conn)
        .await?
        .into_iter()
        .map(|w| WebhookView {
            monitors: filters
                .iter()
                .filter(|(id, _)| *id == w.id)
                .map(|(_, s)| s.clone())
                .collect(),
            kinds: w
                .kinds
                .split(',')
                .filter(|k| !k.is_empty())
                .map(str::to_string)
                .collect(),
            id: w.id,
            url: w.url,
            format: w.format,
            secret: w.secret,
            created_at: format_utc(w.created_at),
        })
        .collect())
}

pub async fn delete(s: &Services, id: i64) -> AppResult<()> {
    let mut conn = s.store.conn().await?;
    if webhooks::delete(&mut conn, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("webhook"))
    }
}
