//! The audit log: every change to a monitor, maintenance or event, with who and what.

use serde::Serialize;

use chrono::{DateTime, Utc};

use super::{Actor, Services};
use crate::domain::schedule::format_utc;
use crate::error::AppResult;
use crate::store::{AnyConnection, audit};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub target_id: i64,
    pub summary: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// Pass as `before` to get the next (older) page; absent on the last page.
    pub next_before: Option<i64>,
}

pub async fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    action: &str,
    target: &str,
    target_id: i64,
    summary: impl Into<String>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    audit::insert(
        conn,
        &audit::AuditRow {
            id: 0,
            at: now,
            actor: actor.0.clone(),
            action: action.to_string(),
            target: target.to_string(),
            target_id,
            summary: summary.into(),
        },
    )
    .await
}

pub async fn list(s: &Services, target: Option<&str>, before: Option<i64>, limit: i64) -> AppResult<AuditPage> {
    let limit = limit.clamp(1, 500);
    if let Some(t) = target
        && !["monitor", "maintenance", "event", "admin"].contains(&t)
    {
        return Err(crate::error::AppError::invalid(
            "target",
            "must be monitor, maintenance, event or admin",
        ));
    }
    let mut conn = s.store.conn().await?;
    let rows = audit::list(&mut conn, target, before, limit).await?;
    let next_before = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    Ok(AuditPage {
        items: rows
            .into_iter()
            .map(|r| AuditEntry {
                id: r.id,
                at: format_utc(r.at),
                actor: r.actor,
                action: r.action,
                target: r.target,
                target_id: r.target_id,
                summary: r.summary,
            })
            .collect(),
        next_before,
    })
}

/// "field: before → after" for each changed field, for audit summaries.
pub fn diff(pairs: &[(&str, String, String)]) -> String {
    let changed: Vec<String> = pairs
        .iter()
        .filter(|(_, a, b)| a != b)
        .map(|(name, a, b)| format!("{name}: {} → {}", short(a), short(b)))
        .collect();
    if changed.is_empty() {
        "no changes".into()
    } else {
        changed.join("; ")
    }
}

fn short(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}
