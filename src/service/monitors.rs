//! Monitors: create, list, get, update, delete, with a manually set status.

use serde::{Deserialize, Serialize};

use super::{Actor, Services, audit};
use crate::domain::impact::MonitorStatus;
use crate::domain::schedule::format_utc;
use crate::domain::validate::{self, Slug};
use crate::error::{AppError, AppResult};
use crate::store::{
    AnyConnection, is_unique_violation,
    monitors::{self, MonitorRow},
};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonitorView {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub group: Option<String>,
    pub description: String,
    pub status: MonitorStatus,
    pub created_at: String,
    pub updated_at: String,
}

impl From<MonitorRow> for MonitorView {
    fn from(r: MonitorRow) -> Self {
        Self {
            id: r.id,
            status: r.status,
            slug: r.slug,
            name: r.name,
            group: r.group_name,
            description: r.description,
            created_at: format_utc(r.created_at),
            updated_at: format_utc(r.updated_at),
        }
    }
}

/// A new monitor.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonitorInput {
    pub name: String,
    pub slug: String,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// UP (default), DEGRADED or DOWN.
    #[serde(default)]
    pub status: Option<String>,
}

/// Changes to a monitor; absent fields stay as they are, an empty `group` clears it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonitorPatch {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub group: Option<String>,
    pub description: Option<String>,
    pub status: Option<String>,
}

fn validate_row(row: &mut MonitorRow) -> AppResult<()> {
    row.name = validate::monitor_name(&row.name)?;
    row.slug = Slug::parse(&row.slug)?.into();
    row.group_name = validate::group(row.group_name.as_deref())?;
    row.description = validate::description(&row.description)?;
    Ok(())
}

fn slug_taken(err: sqlx::Error, slug: &str) -> AppError {
    if is_unique_violation(&err) {
        AppError::invalid("slug", format!("'{slug}' is already used by another monitor"))
    } else {
        err.into()
    }
}

#[tracing::instrument(skip_all, fields(actor = %actor.0), err(level = "debug"))]
pub async fn create(s: &Services, actor: &Actor, input: MonitorInput) -> AppResult<MonitorView> {
    let now = s.now();
    let mut row = MonitorRow {
        id: 0,
        slug: input.slug,
        name: input.name,
        group_name: input.group,
        description: input.description.unwrap_or_default(),
        status: match &input.status {
            Some(v) => MonitorStatus::parse("status", v)?,
            None => MonitorStatus::Up,
        },
        created_at: now,
        updated_at: now,
    };
    validate_row(&mut row)?;
    let mut tx = s.store.begin().await?;
    row.id = monitors::insert(&mut tx, &row)
        .await
        .map_err(|e| slug_taken(e, &row.slug))?;
    audit::record(
        &mut tx,
        actor,
        "monitor.create",
        "monitor",
        row.id,
        format!("created '{}' ({})", row.name, row.slug),
        now,
    )
    .await?;
    tx.commit().await?;
    s.changed();
    Ok(row.into())
}

pub async fn list(s: &Services) -> AppResult<Vec<MonitorView>> {
    let mut conn = s.store.conn().await?;
    Ok(monitors::list(&mut conn).await?.into_iter().map(Into::into).collect())
}

/// Finds a monitor by numeric id or by slug.
pub(crate) async fn find(conn: &mut AnyConnection, key: &str) -> AppResult<MonitorRow> {
    if key.contains('\0') {
        return Err(AppError::NotFound("monitor"));
    }
    let by_id = match key.parse::<i64>() {
        Ok(id) => monitors::by_id(conn, id).await?,
        Err(_) => None,
    };
    match by_id {
        Some(m) => Ok(m),
        None => monitors::by_slug(conn, key).await?.ok_or(AppError::NotFound("monitor")),
    }
}

/// Monitor ids of slugs given as input, in their order: the one rule for every list of
/// monitors (a plan's, a subscriber's, a webhook's). A slug that names no monitor, or one
/// listed twice, is an error naming its entry, `field(i)`.
pub async fn resolve_slugs(
    conn: &mut AnyConnection,
    slugs: &[&str],
    field: impl Fn(usize) -> String,
) -> AppResult<Vec<i64>> {
    let mut ids: Vec<i64> = Vec::with_capacity(slugs.len());
    for (i, slug) in slugs.iter().enumerate() {
        let m = monitors::by_slug(conn, slug.trim())
            .await?
            .ok_or_else(|| AppError::invalid(field(i), format!("no monitor with slug '{slug}'")))?;
        if ids.contains(&m.id) {
            return Err(AppError::invalid(field(i), format!("'{slug}' is listed twice")));
        }
        ids.push(m.id);
    }
    Ok(ids)
}

/// [`find`], locking the row for the rest of the transaction.
async fn find_locked(conn: &mut AnyConnection, key: &str) -> AppResult<MonitorRow> {
    if key.contains('\0') {
        return Err(AppError::NotFound("monitor"));
    }
    monitors::find_for_update(conn, key)
        .await?
        .ok_or(AppError::NotFound("monitor"))
}

pub async fn get(s: &Services, key: &str) -> AppResult<MonitorView> {
    let mut conn = s.store.conn().await?;
    Ok(find(&mut conn, key).await?.into())
}

#[tracing::instrument(skip_all, fields(actor = %actor.0, monitor = key), err(level = "debug"))]
pub async fn update(s: &Services, actor: &Actor, key: &str, patch: MonitorPatch) -> AppResult<MonitorView> {
    let now = s.now();
    let mut tx = s.store.begin().await?;
    let before = find_locked(&mut tx, key).await?;
    let mut row = before.clone();
    if let Some(v) = patch.name {
        row.name = v;
    }
    if let Some(v) = patch.slug {
        row.slug = v;
    }
    if let Some(v) = patch.group {
        row.group_name = Some(v);
    }
    if let Some(v) = patch.description {
        row.description = v;
    }
    if let Some(v) = patch.status {
        row.status = MonitorStatus::parse("status", &v)?;
    }
    validate_row(&mut row)?;
    row.updated_at = now;
    monitors::update(&mut tx, &row)
        .await
        .map_err(|e| slug_taken(e, &row.slug))?;
    let summary = audit::diff(&[
        ("name", before.name, row.name.clone()),
        ("slug", before.slug, row.slug.clone()),
        (
            "group",
            before.group_name.unwrap_or_default(),
            row.group_name.clone().unwrap_or_default(),
        ),
        ("description", before.description, row.description.clone()),
        ("status", before.status.as_str().into(), row.status.as_str().into()),
    ]);
    audit::record(&mut tx, actor, "monitor.update", "monitor", row.id, summary, now).await?;
    tx.commit().await?;
    s.changed();
    Ok(row.into())
}

#[tracing::instrument(skip_all, fields(actor = %actor.0, monitor = key), err(level = "debug"))]
pub async fn delete(s: &Services, actor: &Actor, key: &str) -> AppResult<()> {
    let now = s.now();
    let mut tx = s.store.begin().await?;
    let row = find_locked(&mut tx, key).await?;
    monitors::delete(&mut tx, row.id).await?;
    audit::record(
        &mut tx,
        actor,
        "monitor.delete",
        "monitor",
        row.id,
        format!("deleted '{}' ({})", row.name, row.slug),
        now,
    )
    .await?;
    tx.commit().await?;
    s.changed();
    Ok(())
}
