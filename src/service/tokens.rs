//! API tokens: created by the CLI (`lull token create`), shown once, stored as a hash.

use super::{Actor, Services};
use crate::domain::FieldError;
use crate::domain::schedule::format_utc;
use crate::error::{AppError, AppResult};
use crate::secret::sha256_hex;
use crate::store::tokens;

pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked: bool,
}

/// Creates a token named `name`; returns its id and the token itself (shown once).
pub async fn create(s: &Services, name: &str) -> AppResult<(i64, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(FieldError::new("name", "must be 1-100 characters, no control characters").into());
    }
    let token = format!("lull_{}", crate::secret::token());
    let mut conn = s.store.conn().await?;
    let id = tokens::insert(&mut conn, name, &sha256_hex(&token), s.now()).await?;
    Ok((id, token))
}

/// The actor a bearer token stands for, if it is a live token.
pub async fn authenticate(s: &Services, token: &str) -> AppResult<Actor> {
    let mut conn = s.store.conn().await?;
    tokens::use_hash(&mut conn, &sha256_hex(token), s.now())
        .await?
        .map(|t| Actor::token(&t.name))
        .ok_or(AppError::Unauthorized)
}

pub async fn list(s: &Services) -> AppResult<Vec<TokenInfo>> {
    let mut conn = s.store.conn().await?;
    Ok(tokens::list(&mut conn)
        .await?
        .into_iter()
        .map(|t| TokenInfo {
            id: t.id,
            name: t.name,
            created_at: format_utc(t.created_at),
            last_used_at: t.last_used_at.map(format_utc),
            revoked: t.revoked_at.is_some(),
        })
        .collect())
}

pub async fn revoke(s: &Services, id: i64) -> AppResult<()> {
    let mut conn = s.store.conn().await?;
    if tokens::revoke(&mut conn, id, s.now()).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("live token"))
    }
}
