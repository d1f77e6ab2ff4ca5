//! Monitors: create, list, get, update, delete; a status set by hand (`manual`) or, for
//! the other types, the settings of the checks that find it.

use serde::{Deserialize, Serialize};

use super::{Actor, Services, audit};
use crate::domain::check::{CheckInput, CheckSpec, CheckType, HttpMethod};
use crate::domain::impact::MonitorStatus;
use crate::domain::schedule::format_utc;
use crate::domain::validate::{self, Slug};
use crate::error::{AppError, AppResult};
use crate::store::{
    AnyConnection, checks, is_unique_violation,
    monitors::{self, MonitorRow},
};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonitorView {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub group: Option<String>,
    pub description: String,
    /// For `manual` monitors as set by hand; otherwise as the checks found it.
    pub status: MonitorStatus,
    /// How the status is found: `manual`, `http`, `tcp`, `heartbeat` or `statuspage`.
    #[serde(rename = "type", default)]
    pub kind: CheckType,
    #[serde(default)]
    pub url: Option<String>,
    /// `statuspage`: the followed component's name (`null`: the whole page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// The label matchers of its alerts for Alertmanager silences, when not the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alertmanager_matcher: Option<String>,
    /// `statuspage`: what the followed page says is going on, as last read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<HttpMethod>,
    #[serde(default)]
    pub target: Option<String>,
    /// Seconds between checks (`null` for manual monitors).
    #[serde(default)]
    pub interval: Option<i64>,
    /// Seconds a check may take (`null` for manual monitors).
    #[serde(default)]
    pub timeout: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degraded_after_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_redirects: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_tls: Option<bool>,
    /// `heartbeat`: when the last beat arrived (`null` before the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_beat_at: Option<String>,
    /// `heartbeat`: the secret the job calls `POST /api/v1/heartbeat/{secret}` with. Shown
    /// only in the answer that makes it (creating the monitor, turning it into a heartbeat,
    /// or `"rotate_heartbeat": true`); stored as a hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat_secret: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<MonitorRow> for MonitorView {
    fn from(r: MonitorRow) -> Self {
        let c = r.check.spec();
        let http = c.kind == CheckType::Http;
        let probed = matches!(c.kind, CheckType::Http | CheckType::Tcp | CheckType::Statuspage);
        let checked = c.kind != CheckType::Manual;
        Self {
            id: r.id,
            kind: c.kind,
            url: c.url,
            component: c.component,
            alertmanager_matcher: c.alertmanager_matcher,
            note: r.status_note,
            method: http.then_some(c.method),
            target: c.target,
            interval: checked.then_some(c.interval),
            timeout: checked.then_some(c.timeout),
            expect_status: http.then(|| c.expect_status.to_string()),
            keyword: c.keyword,
            retries: probed.then_some(c.retries),
            degraded_after_ms: c.degraded_after_ms,
            follow_redirects: http.then_some(c.follow_redirects),
            verify_tls: http.then_some(c.verify_tls),
            last_beat_at: (c.kind == CheckType::Heartbeat)
                .then_some(r.last_beat_at)
                .flatten()
                .map(format_utc),
            heartbeat_secret: None,
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

impl MonitorView {
    /// How it is checked, for people: "http GET https://… every 30s", "tcp db:5432 every
    /// 1m", "manual".
    pub fn check_summary(&self) -> String {
        let what = match (&self.url, &self.target) {
            (Some(url), _) if self.kind == CheckType::Statuspage => match &self.component {
                Some(c) => format!(" {url} ({c})"),
                None => format!(" {url}"),
            },
            (Some(url), _) => format!(" {} {url}", self.method.map_or("GET", |v| v.as_str())),
            (None, Some(target)) => format!(" {target}"),
            (None, None) => String::new(),
        };
        let every = self
            .interval
            .map(|s| format!(" every {}", short_seconds(s)))
            .unwrap_or_default();
        format!("{}{what}{every}", self.kind.as_str())
    }

    /// Leaves out where and how the monitor is checked (inside addresses, keywords), for
    /// readers without a token; the type and interval stay.
    pub fn hide_check_details(&mut self) {
        self.url = None;
        self.method = None;
        self.target = None;
        self.expect_status = None;
        self.keyword = None;
        self.follow_redirects = None;
        self.verify_tls = None;
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
    /// UP (default), DEGRADED or DOWN; only for `manual` monitors.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(flatten)]
    pub check: CheckInput,
}

/// Changes to a monitor; absent fields stay as they are, an empty `group` clears it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonitorPatch {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub group: Option<String>,
    pub description: Option<String>,
    /// Only for `manual` monitors.
    pub status: Option<String>,
    /// The check settings to change; changing `type` drops what the old type used.
    #[serde(flatten)]
    pub check: CheckInput,
    /// `heartbeat`: replace the secret (the answer shows the new one; the old one stops
    /// working).
    #[serde(default)]
    pub rotate_heartbeat: bool,
}

/// A status sent for a monitor whose checks set it is refused, naming why.
fn status_for(kind: CheckType, status: &str) -> AppResult<MonitorStatus> {
    if kind != CheckType::Manual {
        return Err(AppError::invalid(
            "status",
            format!("is set by the monitor's checks (type {kind}); only manual monitors take a status"),
        ));
    }
    Ok(MonitorStatus::parse("status", status)?)
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
    let mut tx = s.store.begin().await?;
    let view = create_in(&mut tx, actor, input, now).await?;
    tx.commit().await?;
    s.changed();
    Ok(view)
}

/// [`create`]'s work, in the caller's transaction.
pub(crate) async fn create_in(
    tx: &mut AnyConnection,
    actor: &Actor,
    input: MonitorInput,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<MonitorView> {
    let check = input.check.apply(&CheckSpec::default())?;
    let mut row = MonitorRow {
        id: 0,
        slug: input.slug,
        name: input.name,
        group_name: input.group,
        description: input.description.unwrap_or_default(),
        status: match &input.status {
            Some(v) => status_for(check.kind, v)?,
            None => MonitorStatus::Up,
        },
        created_at: now,
        updated_at: now,
        check: (&check).into(),
        last_beat_at: None,
        status_note: None,
        external_maintenance: false,
    };
    validate_row(&mut row)?;
    row.id = monitors::insert(tx, &row).await.map_err(|e| slug_taken(e, &row.slug))?;
    let secret = new_heartbeat(tx, row.id, check.kind).await?;
    audit::record(
        tx,
        actor,
        "monitor.create",
        "monitor",
        row.id,
        format!("created '{}' ({})", row.name, row.slug),
        now,
    )
    .await?;
    let mut view = MonitorView::from(row);
    view.heartbeat_secret = secret;
    Ok(view)
}

/// A heartbeat monitor's new secret (its hash stored), or none for the other types (their
/// stored secret is cleared).
async fn new_heartbeat(conn: &mut AnyConnection, id: i64, kind: CheckType) -> AppResult<Option<String>> {
    if kind != CheckType::Heartbeat {
        monitors::set_heartbeat_hash(conn, id, None).await?;
        return Ok(None);
    }
    let secret = crate::secret::token();
    monitors::set_heartbeat_hash(conn, id, Some(&crate::secret::sha256_hex(&secret))).await?;
    Ok(Some(secret))
}

/// A beat from the outside job of the heartbeat monitor whose secret this is: the monitor
/// is UP again at once (a change is recorded as a check result). 404 for an unknown secret.
pub async fn beat(s: &Services, secret: &str) -> AppResult<()> {
    let now = s.now();
    let mut tx = s.store.begin().await?;
    let (id, status) = monitors::beat(&mut tx, &crate::secret::sha256_hex(secret), now)
        .await?
        .ok_or(AppError::NotFound("heartbeat"))?;
    let changed = status != MonitorStatus::Up;
    if changed {
        monitors::set_checked_status(&mut tx, id, MonitorStatus::Up, now).await?;
        let result = checks::CheckResultRow {
            id: 0,
            monitor_id: id,
            at: now,
            status: MonitorStatus::Up,
            latency_ms: 0,
            error: None,
            changed: true,
        };
        checks::insert(&mut tx, &result).await?;
    }
    tx.commit().await?;
    if changed {
        tracing::info!(monitor = id, from = %status, "heartbeat: monitor is up again");
        s.changed();
    } else {
        // The runner reads the beat's time at its next look.
        s.check_changes.notify_one();
    }
    Ok(())
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
    let view = update_in(&mut tx, actor, key, patch, now).await?;
    tx.commit().await?;
    s.changed();
    Ok(view)
}

/// [`update`]'s work, in the caller's transaction.
pub(crate) async fn update_in(
    tx: &mut AnyConnection,
    actor: &Actor,
    key: &str,
    patch: MonitorPatch,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<MonitorView> {
    let before = find_locked(tx, key).await?;
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
    let check = patch.check.apply(&before.check.spec())?;
    if let Some(v) = patch.status {
        row.status = status_for(check.kind, &v)?;
    }
    row.check = (&check).into();
    validate_row(&mut row)?;
    let became_heartbeat = check.kind == CheckType::Heartbeat && before.check.check_type != CheckType::Heartbeat;
    if patch.rotate_heartbeat && check.kind != CheckType::Heartbeat {
        return Err(AppError::invalid("rotate_heartbeat", "is only for heartbeat monitors"));
    }
    row.updated_at = now;
    monitors::update(tx, &row).await.map_err(|e| slug_taken(e, &row.slug))?;
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
        (
            "type",
            before.check.check_type.as_str().into(),
            row.check.check_type.as_str().into(),
        ),
        (
            "check",
            String::new(),
            if before.check.spec() == check {
                String::new()
            } else {
                "changed".into()
            },
        ),
    ]);
    audit::record(tx, actor, "monitor.update", "monitor", row.id, summary, now).await?;
    let secret = if became_heartbeat || patch.rotate_heartbeat || check.kind != CheckType::Heartbeat {
        new_heartbeat(tx, row.id, check.kind).await?
    } else {
        None
    };
    let mut view = MonitorView::from(row);
    view.heartbeat_secret = secret;
    Ok(view)
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

/// One check's result.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CheckView {
    /// When the check ran (RFC 3339, UTC).
    pub at: String,
    /// What this check found (the monitor's status also waits for its `retries`).
    pub status: MonitorStatus,
    pub latency_ms: i64,
    /// Why it failed or was slow; only for token holders (it may name inside addresses).
    pub error: Option<String>,
    /// This result moved the monitor's status (such results are kept for good).
    pub changed: bool,
}

/// A monitor's recent check results, newest first: its last 100 and every status change.
pub async fn checks(s: &Services, key: &str, limit: i64, with_errors: bool) -> AppResult<Vec<CheckView>> {
    if !(1..=1000).contains(&limit) {
        return Err(AppError::invalid("limit", "must be from 1 to 1000"));
    }
    let mut conn = s.store.conn().await?;
    let m = find(&mut conn, key).await?;
    Ok(checks::recent(&mut conn, m.id, limit)
        .await?
        .into_iter()
        .map(|r| CheckView {
            at: format_utc(r.at),
            status: r.status,
            latency_ms: r.latency_ms,
            error: r.error.filter(|_| with_errors),
            changed: r.changed,
        })
        .collect())
}

/// 30s, 5m, 2h, 90s: the largest whole unit.
fn short_seconds(s: i64) -> String {
    match s {
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// One UTC day of a monitor's roll-up.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UptimeDay {
    /// The UTC day, `YYYY-MM-DD`.
    pub date: String,
    pub up_secs: i64,
    pub down_secs: i64,
    pub degraded_secs: i64,
    /// Paused by maintenance: left out of the uptime.
    pub maintenance_secs: i64,
    pub checks: i64,
    pub failures: i64,
    /// Up (DEGRADED counts as up) over the time observed outside maintenance, in percent;
    /// `null` when nothing was observed that day.
    pub uptime: Option<f64>,
}

/// A monitor's uptime over its last days.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UptimeView {
    /// Oldest first, one entry per day, today (so far) last.
    pub daily: Vec<UptimeDay>,
    /// Over all those days, in percent; `null` when nothing was observed.
    pub uptime: Option<f64>,
}

/// The daily roll-ups of a monitor's last `days` UTC days (1–365), today included.
pub async fn uptime(s: &Services, key: &str, days: i64) -> AppResult<UptimeView> {
    use crate::domain::rollup::{Period, Tally};
    if !(1..=365).contains(&days) {
        return Err(AppError::invalid("days", "must be from 1 to 365"));
    }
    let today = Period::Day.floor(s.now());
    let first = today - chrono::Duration::days(days - 1);
    let mut conn = s.store.conn().await?;
    let m = find(&mut conn, key).await?;
    let stored: std::collections::HashMap<_, _> = checks::rollups(&mut conn, m.id, Period::Day, first)
        .await?
        .into_iter()
        .collect();
    let mut total = Tally::default();
    let list = (0..days)
        .map(|i| {
            let day = first + chrono::Duration::days(i);
            let t = stored.get(&day).copied().unwrap_or_default();
            total.merge(&t);
            UptimeDay {
                date: day.format("%Y-%m-%d").to_string(),
                up_secs: t.up_secs,
                down_secs: t.down_secs,
                degraded_secs: t.degraded_secs,
                maintenance_secs: t.maintenance_secs,
                checks: t.checks,
                failures: t.failures,
                uptime: t.uptime(),
            }
        })
        .collect();
    Ok(UptimeView {
        daily: list,
        uptime: total.uptime(),
    })
}
