//! Subscribers: double opt-in sign-up, confirmation, one-click unsubscribe, and the
//! admin's list. Tokens are made when a message is sent (see `notify`), 256 random bits
//! each, and only their hashes are stored.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::Services;
use super::throttle::Throttle;
use crate::domain::format::Lang;
use crate::domain::schedule::format_utc;
use crate::domain::validate::Email;
use crate::error::{AppError, AppResult};
use crate::secret::sha256_hex;
use crate::store::{AnyConnection, outbox, subscribers};

/// An unconfirmed sign-up is forgotten after this.
pub const CONFIRM_WITHIN: Duration = Duration::hours(48);

/// Body of `POST /api/v1/subscribers`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SubscribeInput {
    pub email: String,
    /// Only notices about maintenance on these monitors (slugs); all when absent.
    #[serde(default)]
    pub monitors: Option<Vec<String>>,
    /// Language of the confirmation and every notice: `en` (default) or `de`.
    #[serde(default)]
    pub language: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubscriberView {
    pub id: i64,
    pub email: String,
    pub confirmed: bool,
    pub created_at: String,
    /// Slugs the subscriber filters on; empty means every monitor.
    pub monitors: Vec<String>,
    /// Language of the messages: `en` or `de`.
    pub language: String,
}

/// What following a confirmation link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    pub email: String,
    /// Names of the monitors the subscriber hears about; empty means all.
    pub monitors: Vec<String>,
    /// The address was confirmed before (a second click, or a mail scanner's visit).
    pub already: bool,
}

/// Confirmation mails the public sign-up sends per hour, in all (per server process).
pub const CONFIRMATIONS_PER_HOUR: usize = 200;

/// Limits on the public sign-up: per client (an address, an IPv6 /64), per mailbox
/// (`+tags` count as one) and in all.
#[derive(Clone)]
pub struct SignupLimits {
    pub per_client: Throttle,
    pub per_email: Throttle,
    pub per_hour: Throttle,
}

impl Default for SignupLimits {
    fn default() -> Self {
        Self {
            per_client: Throttle::new(10, Duration::hours(1)),
            per_email: Throttle::new(3, Duration::hours(1)),
            per_hour: Throttle::new(CONFIRMATIONS_PER_HOUR, Duration::hours(1)),
        }
    }
}

/// The mailbox an address delivers to, as far as it is common: `Ann+news@x` and
/// `ann@x` are one (most providers drop the `+tag`). Dots are kept: only some drop them.
pub fn mailbox(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((local, domain)) => {
            let local = local.split('+').next().unwrap_or(local);
            format!("{}@{}", local.to_lowercase(), domain.to_lowercase())
        }
        None => email.to_lowercase(),
    }
}

/// A new token for `purpose`, stored hashed; returns the token itself.
pub async fn issue_token(
    conn: &mut AnyConnection,
    subscriber_id: i64,
    purpose: &str,
    now: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
) -> Result<String, sqlx::Error> {
    let token = crate::secret::token();
    subscribers::insert_token(conn, &sha256_hex(&token), subscriber_id, purpose, now, expires_at).await?;
    Ok(token)
}

/// Signs `email` up and asks it to confirm; `client` is the key of the asking client
/// (see `ClientAddr::key`). The answer is the same whether or not the
/// address was known; an address asked too often is quietly left alone.
pub async fn subscribe(s: &Services, limits: &SignupLimits, client: &str, input: SubscribeInput) -> AppResult<()> {
    let email = Email::parse(&input.email)?;
    let language = language(input.language.as_deref())?;
    let now = s.now();
    let client_key = [format!("ip:{client}")];
    if let Some(wait) = limits.per_client.blocked(&client_key, now.timestamp()) {
        return Err(AppError::TooMany(wait));
    }
    limits.per_client.hit(&client_key, now.timestamp());
    let email_key = [format!("email:{}", mailbox(email.as_str()))];
    if limits.per_email.blocked(&email_key, now.timestamp()).is_some() {
        return Ok(());
    }
    // A flood spread over many clients and mailboxes still ends here.
    if let Err(wait) = limits.per_hour.attempt(&["all".to_string()], now.timestamp()) {
        tracing::warn!("the hourly limit on confirmation mails ({CONFIRMATIONS_PER_HOUR}) is reached");
        return Err(AppError::TooMany(wait));
    }
    limits.per_email.hit(&email_key, now.timestamp());

    let mut tx = s.store.begin().await?;
    let slugs = input.monitors.unwrap_or_default();
    let slugs: Vec<&str> = slugs.iter().map(String::as_str).collect();
    let monitor_ids = super::monitors::resolve_slugs(&mut tx, &slugs, |i| format!("monitors[{i}]")).await?;
    let expires = now + CONFIRM_WITHIN;
    match subscribers::by_email(&mut tx, email.as_str()).await? {
        // Already confirmed: nothing to do, and nothing that tells the caller so.
        Some(existing) if existing.confirmed_at.is_some() => {}
        Some(existing) => {
            subscribers::renew_unconfirmed(&mut tx, existing.id, language.code(), expires).await?;
            subscribers::set_monitors(&mut tx, existing.id, &monitor_ids).await?;
            outbox::enqueue_confirmation(&mut tx, existing.id, now).await?;
        }
        None => {
            let id = subscribers::insert(&mut tx, email.as_str(), language.code(), now, Some(expires)).await?;
            subscribers::set_monitors(&mut tx, id, &monitor_ids).await?;
            outbox::enqueue_confirmation(&mut tx, id, now).await?;
        }
    }
    tx.commit().await?;
    s.outbox_changed();
    Ok(())
}

/// The language of a sign-up: `en` or `de` (a region such as `de-AT` is fine); English
/// when not given.
pub fn language(value: Option<&str>) -> Result<Lang, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(Lang::En),
        Some(v) => {
            Lang::parse(v).ok_or_else(|| AppError::invalid("language", format!("'{v}' is not supported; use en or de")))
        }
    }
}

/// Confirms the subscription a confirmation link belongs to. Opening the link again (or
/// a mail scanner opening it first) answers "already confirmed", for as long as the
/// subscriber exists; an unconfirmed link works until it expires.
/// What a confirmation link is for, without confirming: the page a GET shows (mail
/// scanners follow links) holds the button that confirms.
pub async fn confirmation(s: &Services, token: &str) -> AppResult<Confirmation> {
    confirm_with(s, token, false).await
}

pub async fn confirm(s: &Services, token: &str) -> AppResult<Confirmation> {
    confirm_with(s, token, true).await
}

async fn confirm_with(s: &Services, token: &str, apply: bool) -> AppResult<Confirmation> {
    let now = s.now();
    let hash = sha256_hex(token.trim());
    let gone = AppError::NotFound("confirmation link (it may have expired, or the address was unsubscribed)");
    let mut tx = s.store.begin().await?;
    let Some((id, live)) = subscribers::token_holder(&mut tx, &hash, "confirm", now).await? else {
        return Err(gone);
    };
    let Some(row) = subscribers::get(&mut tx, id).await? else {
        return Err(gone);
    };
    let already = row.confirmed_at.is_some();
    if !already {
        if !live {
            return Err(gone);
        }
        if apply {
            subscribers::confirm(&mut tx, id, now).await?;
        }
    }
    let monitors = subscribers::monitor_names(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Confirmation {
        email: row.email,
        monitors,
        already,
    })
}

/// The address an unsubscribe link is for, if it still is subscribed.
pub async fn unsubscribe_target(s: &Services, token: &str) -> AppResult<Option<String>> {
    let now = s.now();
    let mut conn = s.store.conn().await?;
    let Some(id) = subscribers::token_owner(&mut conn, &sha256_hex(token.trim()), "unsubscribe", now).await? else {
        return Ok(None);
    };
    Ok(subscribers::get(&mut conn, id).await?.map(|r| r.email))
}

/// Removes the subscriber an unsubscribe link belongs to and returns its address; `None`
/// if it is already gone.
pub async fn unsubscribe(s: &Services, token: &str) -> AppResult<Option<String>> {
    let now = s.now();
    let mut tx = s.store.begin().await?;
    let Some(id) = subscribers::token_owner(&mut tx, &sha256_hex(token.trim()), "unsubscribe", now).await? else {
        return Ok(None);
    };
    let email = subscribers::get(&mut tx, id).await?.map(|r| r.email);
    subscribers::delete(&mut tx, id).await?;
    tx.commit().await?;
    Ok(email)
}

pub async fn list(s: &Services, search: &str) -> AppResult<Vec<SubscriberView>> {
    let mut conn = s.store.conn().await?;
    let rows = subscribers::list(&mut conn, search.trim(), 500).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let filters = subscribers::monitor_slugs(&mut conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| SubscriberView {
            monitors: filters
                .iter()
                .filter(|(id, _)| *id == r.id)
                .map(|(_, s)| s.clone())
                .collect(),
            id: r.id,
            email: r.email,
            language: r.language.code().to_string(),
            confirmed: r.confirmed_at.is_some(),
            created_at: format_utc(r.created_at),
        })
        .collect())
}

/// Adds a confirmed subscriber (an admin vouches for the address).
pub async fn add_confirmed(s: &Services, email: &str) -> AppResult<()> {
    let email = Email::parse(email)?;
    let now = s.now();
    let mut tx = s.store.begin().await?;
    let id = match subscribers::by_email(&mut tx, email.as_str()).await? {
        Some(existing) => existing.id,
        None => subscribers::insert(&mut tx, email.as_str(), Lang::En.code(), now, None).await?,
    };
    subscribers::confirm(&mut tx, id, now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove(s: &Services, id: i64) -> AppResult<()> {
    let mut conn = s.store.conn().await?;
    if subscribers::delete(&mut conn, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("subscriber"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn plus_tags_name_the_same_mailbox() {
        assert_eq!(super::mailbox("victim+1@example.com"), "victim@example.com");
        assert_eq!(super::mailbox("Victim+a+b@Example.com"), "victim@example.com");
        assert_eq!(super::mailbox("first.last@example.com"), "first.last@example.com");
        assert_eq!(super::CONFIRMATIONS_PER_HOUR, 200);
    }
}
