//! Maintenance as code: a declaration of monitors (by slug) and maintenance plans (by a
//! stable key), compared with what is stored into a plan of changes (create, update,
//! deactivate), and applied in one transaction. `lull apply -f lull.toml` sends one,
//! `lull export` writes the current state as one, so that export then apply changes
//! nothing.
//!
//! Monitors missing from a declaration are left alone (deleting one deletes its history);
//! keyed plans missing from it are deactivated. Plans made elsewhere have no key and are
//! known as `maintenance-{id}`; they are never deactivated by a declaration.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::maintenances::{self as plans, MaintenanceInput, MaintenancePatch, MonitorImpactInput, NotifySettings};
use super::monitors::{self as mons, MonitorInput, MonitorPatch};
use super::{Actor, Services};
use crate::domain::check::{CheckInput, CheckSpec};
use crate::domain::impact::Impact;
use crate::domain::lifecycle::MaintenanceStatus;
use crate::domain::validate::FieldError;
use crate::error::{AppError, AppResult};
use crate::store::{AnyConnection, maintenances, monitors};

/// The whole declared state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Declaration {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monitors: Vec<MonitorDecl>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maintenances: Vec<MaintenanceDecl>,
}

/// A monitor, by its slug; the check fields as in the API.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MonitorDecl {
    pub slug: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// `manual` monitors: UP, DEGRADED or DOWN; left as it is when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alertmanager_matcher: Option<String>,
}

impl MonitorDecl {
    fn check(&self) -> CheckInput {
        CheckInput {
            kind: self.kind.clone(),
            url: self.url.clone(),
            component: self.component.clone(),
            method: self.method.clone(),
            target: self.target.clone(),
            interval: self.interval,
            timeout: self.timeout,
            expect_status: self.expect_status.clone(),
            keyword: self.keyword.clone(),
            retries: self.retries,
            degraded_after_ms: self.degraded_after_ms,
            follow_redirects: self.follow_redirects,
            verify_tls: self.verify_tls,
            alertmanager_matcher: self.alertmanager_matcher.clone(),
        }
    }

    /// Only what differs from the defaults, as `export` writes it.
    fn of(view: &mons::MonitorView, spec: &CheckSpec) -> Self {
        let d = CheckSpec::default();
        let http = spec.kind == crate::domain::check::CheckType::Http;
        Self {
            slug: view.slug.clone(),
            name: view.name.clone(),
            group: view.group.clone(),
            description: view.description.clone(),
            // A status set by hand is the moment's news, not configuration: left out, so a
            // file applied later does not undo what an operator set meanwhile.
            status: None,
            kind: (spec.kind != d.kind).then(|| spec.kind.as_str().to_string()),
            url: spec.url.clone(),
            component: spec.component.clone(),
            method: (http && spec.method != d.method).then(|| spec.method.as_str().to_string()),
            target: spec.target.clone(),
            interval: (spec.interval != d.interval).then_some(spec.interval),
            timeout: (spec.timeout != d.timeout).then_some(spec.timeout),
            expect_status: (http && spec.expect_status != d.expect_status).then(|| spec.expect_status.to_string()),
            keyword: spec.keyword.clone(),
            retries: (spec.retries != d.retries).then_some(spec.retries),
            degraded_after_ms: spec.degraded_after_ms,
            follow_redirects: (spec.follow_redirects != d.follow_redirects).then_some(spec.follow_redirects),
            verify_tls: (spec.verify_tls != d.verify_tls).then_some(spec.verify_tls),
            alertmanager_matcher: spec.alertmanager_matcher.clone(),
        }
    }
}

/// A maintenance plan, by a stable key; the fields as in the API.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceDecl {
    /// Letters, digits, `-`, `_` and `.`; `maintenance-{id}` names a plan made elsewhere.
    pub key: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub start: String,
    pub timezone: String,
    /// Seconds.
    pub duration: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rrule: Option<String>,
    /// ACTIVE (default) or INACTIVE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder_lead: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<NotifySettings>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monitors: Vec<MonitorImpactInput>,
    /// Accept windows that all ended already (recording past work).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub record_past: bool,
}

impl MaintenanceDecl {
    fn input(&self) -> MaintenanceInput {
        MaintenanceInput {
            title: self.title.clone(),
            description: Some(self.description.clone()),
            start: self.start.clone(),
            timezone: self.timezone.clone(),
            duration: self.duration,
            rrule: self.rrule.clone(),
            status: self.status.clone(),
            reminder_lead: self.reminder_lead,
            notify: self.notify,
            monitors: self.monitors.clone(),
            record_past: self.record_past,
        }
    }
}

/// One change of a plan of changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Change {
    /// `create`, `update` or `deactivate`.
    pub action: String,
    /// `monitor` or `maintenance`.
    pub kind: String,
    /// The monitor's slug or the plan's key.
    pub key: String,
    /// For an update: the fields that change.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
}

/// What a declaration changes, and whether it was applied (not for a dry run).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Outcome {
    pub changes: Vec<Change>,
    pub applied: bool,
}

fn field_of(prefix: &str, e: FieldError) -> AppError {
    AppError::invalid(format!("{prefix}.{}", e.field), e.message)
}

fn prefixed(prefix: &str, e: AppError) -> AppError {
    match e {
        AppError::Invalid(f) => AppError::invalid(format!("{prefix}.{}", f.field), f.message),
        other => other,
    }
}

fn virtual_key(key: &str) -> Option<i64> {
    key.strip_prefix("maintenance-")?.parse().ok()
}

/// The plan of changes `decl` makes, applied in one transaction unless `dry_run`. An
/// error names the item and field (`maintenances[2].rrule`) and changes nothing.
#[tracing::instrument(skip_all, fields(actor = %actor.0, dry_run), err(level = "debug"))]
pub async fn apply(s: &Services, actor: &Actor, decl: Declaration, dry_run: bool) -> AppResult<Outcome> {
    let now = s.now();
    let mut seen = HashSet::new();
    for (i, m) in decl.monitors.iter().enumerate() {
        if !seen.insert(m.slug.clone()) {
            return Err(AppError::invalid(
                format!("monitors[{i}].slug"),
                format!("'{}' is declared twice", m.slug),
            ));
        }
    }
    let mut seen = HashSet::new();
    for (i, m) in decl.maintenances.iter().enumerate() {
        let ok = !m.key.is_empty()
            && m.key.len() <= 100
            && m.key.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !ok {
            return Err(AppError::invalid(
                format!("maintenances[{i}].key"),
                "must be 1–100 letters, digits, '-', '_' or '.'",
            ));
        }
        if !seen.insert(m.key.clone()) {
            return Err(AppError::invalid(
                format!("maintenances[{i}].key"),
                format!("'{}' is declared twice", m.key),
            ));
        }
    }
    let mut changes = Vec::new();
    let mut tx = s.store.begin().await?;
    for (i, d) in decl.monitors.iter().enumerate() {
        let prefix = format!("monitors[{i}]");
        let want = d
            .check()
            .apply(&CheckSpec::default())
            .map_err(|e| field_of(&prefix, e))?;
        match monitors::by_slug(&mut tx, &d.slug).await? {
            None => {
                changes.push(change("create", "monitor", &d.slug, Vec::new()));
                let input = MonitorInput {
                    name: d.name.clone(),
                    slug: d.slug.clone(),
                    group: d.group.clone(),
                    description: Some(d.description.clone()),
                    status: d.status.clone(),
                    check: d.check(),
                };
                mons::create_in(&mut tx, actor, input, now)
                    .await
                    .map_err(|e| prefixed(&prefix, e))?;
            }
            Some(row) => {
                let have = row.check.spec();
                let mut fields = Vec::new();
                let group = d.group.clone().filter(|g| !g.trim().is_empty());
                for (name, differs) in [
                    ("name", row.name != d.name.trim()),
                    ("group", row.group_name.as_deref() != group.as_deref().map(str::trim)),
                    ("description", row.description != d.description),
                    (
                        "status",
                        d.status
                            .as_ref()
                            .is_some_and(|st| !st.eq_ignore_ascii_case(row.status.as_str())),
                    ),
                    ("type", have.kind != want.kind),
                    ("check", have.kind == want.kind && have != want),
                ] {
                    if differs {
                        fields.push(name.to_string());
                    }
                }
                if fields.is_empty() {
                    continue;
                }
                changes.push(change("update", "monitor", &d.slug, fields));
                let patch = MonitorPatch {
                    name: Some(d.name.clone()),
                    slug: None,
                    group: Some(d.group.clone().unwrap_or_default()),
                    description: Some(d.description.clone()),
                    status: d.status.clone(),
                    check: CheckInput::from(&want),
                    rotate_heartbeat: false,
                };
                mons::update_in(&mut tx, actor, &d.slug, patch, now)
                    .await
                    .map_err(|e| prefixed(&prefix, e))?;
            }
        }
    }

    let keys: HashMap<String, i64> = maintenances::keys(&mut tx)
        .await?
        .into_iter()
        .map(|(id, k)| (k, id))
        .collect();
    let keyed: HashSet<i64> = keys.values().copied().collect();
    let mut declared = HashSet::new();
    for (i, d) in decl.maintenances.iter().enumerate() {
        let prefix = format!("maintenances[{i}]");
        let input = d.input();
        let (want, schedule) = plans::checked(&input, now).map_err(|e| field_of(&prefix, e))?;
        let id = match (keys.get(&d.key), virtual_key(&d.key)) {
            (Some(id), _) => Some(*id),
            (None, Some(id)) => {
                let exists = maintenances::get(&mut tx, id).await?.is_some();
                if !exists || keyed.contains(&id) {
                    return Err(AppError::invalid(
                        format!("{prefix}.key"),
                        format!(
                            "'{}' names maintenance {id}, which does not exist or has a key of its own",
                            d.key
                        ),
                    ));
                }
                Some(id)
            }
            (None, None) => None,
        };
        let Some(id) = id else {
            changes.push(change("create", "maintenance", &d.key, Vec::new()));
            plans::check_windows_off_runtime(&schedule, now, d.record_past)
                .await
                .map_err(|e| prefixed(&prefix, e))?;
            let new = plans::create_in(&mut tx, actor, want, &schedule, &d.monitors, now)
                .await
                .map_err(|e| prefixed(&prefix, e))?;
            maintenances::set_key(&mut tx, new, &d.key).await?;
            continue;
        };
        declared.insert(id);
        let have = maintenances::get(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("maintenance"))?;
        let affected: BTreeSet<(String, &'static str)> = maintenances::affected(&mut tx, Some(&[id]))
            .await?
            .into_iter()
            .map(|a| (a.slug, a.impact.as_str()))
            .collect();
        let wanted_monitors = desired_monitors(&d.monitors).map_err(|e| field_of(&prefix, e))?;
        let mut fields = Vec::new();
        for (name, differs) in [
            ("title", have.title != want.title),
            ("description", have.description != want.description),
            ("start", have.start_local != want.start_local),
            ("timezone", have.timezone != want.timezone),
            ("duration", have.duration != want.duration),
            ("rrule", have.rrule != want.rrule),
            ("status", have.status != want.status),
            ("reminder_lead", have.reminder_lead != want.reminder_lead),
            ("notify", plans::notify_of(&have) != plans::notify_of(&want)),
            ("monitors", affected != wanted_monitors),
        ] {
            if differs {
                fields.push(name.to_string());
            }
        }
        if fields.is_empty() {
            continue;
        }
        changes.push(change("update", "maintenance", &d.key, fields));
        let patch = MaintenancePatch {
            title: Some(input.title),
            description: input.description,
            start: Some(input.start),
            timezone: Some(input.timezone),
            duration: Some(input.duration),
            rrule: Some(input.rrule.unwrap_or_default()),
            status: Some(want.status.as_str().into()),
            reminder_lead: Some(want.reminder_lead.num_seconds()),
            notify: Some(plans::notify_of(&want)),
            monitors: Some(input.monitors),
            record_past: d.record_past,
        };
        plans::update_in(&mut tx, actor, id, patch, now)
            .await
            .map_err(|e| prefixed(&prefix, e))?;
    }
    // Keyed plans no longer declared are switched off (their history stays).
    for (key, id) in &keys {
        if declared.contains(id) {
            continue;
        }
        let have = maintenances::get(&mut tx, *id).await?;
        if have.is_some_and(|m| m.status == MaintenanceStatus::Active) {
            changes.push(change("deactivate", "maintenance", key, Vec::new()));
            let patch = MaintenancePatch {
                status: Some(MaintenanceStatus::Inactive.as_str().into()),
                ..Default::default()
            };
            plans::update_in(&mut tx, actor, *id, patch, now).await?;
        }
    }
    changes.sort_by(|a, b| (rank(&a.kind), &a.key).cmp(&(rank(&b.kind), &b.key)));
    let applied = !dry_run && !changes.is_empty();
    if applied {
        tx.commit().await?;
        s.changed();
    } else {
        tx.rollback().await?;
    }
    Ok(Outcome { changes, applied })
}

fn rank(kind: &str) -> u8 {
    u8::from(kind != "monitor")
}

fn change(action: &str, kind: &str, key: &str, fields: Vec<String>) -> Change {
    Change {
        action: action.into(),
        kind: kind.into(),
        key: key.into(),
        fields,
    }
}

/// The declared monitors of a plan as (slug, impact), impact MAINTENANCE by default.
fn desired_monitors(list: &[MonitorImpactInput]) -> Result<BTreeSet<(String, &'static str)>, FieldError> {
    list.iter()
        .map(|m| {
            let impact = match &m.impact {
                Some(i) => Impact::parse("monitors", i)?,
                None => Impact::Maintenance,
            };
            Ok((m.slug.trim().to_string(), impact.as_str()))
        })
        .collect()
}

/// The current state as a declaration: every monitor, and every plan (keyed or known as
/// `maintenance-{id}`) with its monitors.
pub async fn export(s: &Services) -> AppResult<Declaration> {
    let mut conn = s.store.conn().await?;
    let conn: &mut AnyConnection = &mut conn;
    let mut out = Declaration::default();
    for row in monitors::list(conn).await? {
        let spec = row.check.spec();
        let view = mons::MonitorView::from(row);
        out.monitors.push(MonitorDecl::of(&view, &spec));
    }
    let keys: HashMap<i64, String> = maintenances::keys(conn).await?.into_iter().collect();
    let mut plans_list = maintenances::list(conn, None).await?;
    plans_list.reverse();
    let ids: Vec<i64> = plans_list.iter().map(|m| m.id).collect();
    let affected = maintenances::affected(conn, Some(&ids)).await?;
    for m in plans_list {
        let notify = plans::notify_of(&m);
        out.maintenances.push(MaintenanceDecl {
            key: keys
                .get(&m.id)
                .cloned()
                .unwrap_or_else(|| format!("maintenance-{}", m.id)),
            title: m.title,
            description: m.description,
            start: m.start_local,
            timezone: m.timezone.name().to_string(),
            duration: m.duration.num_seconds(),
            rrule: (!crate::domain::describe::is_once(&m.rrule)).then_some(m.rrule),
            status: (m.status != MaintenanceStatus::Active).then(|| m.status.as_str().to_string()),
            reminder_lead: (m.reminder_lead.num_seconds() != 3600).then(|| m.reminder_lead.num_seconds()),
            notify: (notify != NotifySettings::default()).then_some(notify),
            monitors: affected
                .iter()
                .filter(|a| a.maintenance_id == m.id)
                .map(|a| MonitorImpactInput {
                    slug: a.slug.clone(),
                    impact: (a.impact != Impact::Maintenance).then(|| a.impact.as_str().to_string()),
                })
                .collect(),
            record_past: false,
        });
    }
    Ok(out)
}
