//! Alertmanager silences for planned maintenance: with `LULL_ALERTMANAGER_URL` set, the
//! leading replica makes a silence for each monitor an event affects when the event
//! becomes ONGOING (ending at the event's end, its comment and `createdBy` linking the
//! event), moves its end when the event is extended, and expires it when the event is
//! completed early or cancelled. What Alertmanager was asked is kept (`store::silences`),
//! so a restart or another replica goes on from there; a silence whose id was not kept
//! (a crash between Alertmanager's answer and the write) is found again by the marker in
//! its comment, and so is a second one two replicas made at a leader handover: both are
//! expired when the event ends early. An unreachable Alertmanager is retried, and shown on the dashboard; it
//! never holds up the lifecycle, which does not wait for it.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::domain::matcher::{self, Matcher, Template};
use crate::domain::schedule::format_utc;
use crate::error::AppResult;
use crate::service::Services;
use crate::store::silences::{self, SilenceRow};

/// How Lull reaches Alertmanager (`LULL_ALERTMANAGER_URL`, `LULL_ALERTMANAGER_MATCHER`).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Base URL, without a trailing slash (`/api/v2/silences` is under it).
    pub url: String,
    pub matcher: Template,
    /// Links in silences point here (`LULL_PUBLIC_URL`).
    pub public_url: String,
}

impl Settings {
    /// Checks the settings as given; an error names the variable and says what is wrong
    /// (it stops `serve`).
    pub fn parse(url: &str, matcher: Option<&str>, public_url: &str) -> anyhow::Result<Self> {
        let url = url.trim().trim_end_matches('/');
        let parsed =
            url::Url::parse(url).map_err(|e| anyhow::anyhow!("LULL_ALERTMANAGER_URL is not a URL ({e}): '{url}'"))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
            anyhow::bail!(
                "LULL_ALERTMANAGER_URL must be http:// or https:// with a host, e.g. http://127.0.0.1:9093 (got '{url}')"
            );
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            anyhow::bail!("LULL_ALERTMANAGER_URL must be Alertmanager's base URL, without a query (got '{url}')");
        }
        let text = matcher
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .unwrap_or(matcher::DEFAULT);
        let matcher = Template::parse(text).map_err(|e| anyhow::anyhow!("LULL_ALERTMANAGER_MATCHER {e}: '{text}'"))?;
        Ok(Self {
            url: url.to_string(),
            matcher,
            public_url: public_url.trim_end_matches('/').to_string(),
        })
    }
}

/// A silence as Alertmanager's API (v2) takes and gives it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Silence {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub matchers: Vec<Matcher>,
    pub starts_at: String,
    pub ends_at: String,
    pub created_by: String,
    pub comment: String,
    #[serde(default, skip_serializing)]
    pub status: Option<SilenceStatus>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SilenceStatus {
    /// `active`, `pending` or `expired`.
    pub state: String,
}

#[derive(Debug, Deserialize)]
struct Created {
    #[serde(rename = "silenceID")]
    silence_id: String,
}

/// How often silences are looked at when nothing wakes the worker: ends that passed,
/// and retries after Alertmanager failed.
const EVERY: StdDuration = StdDuration::from_secs(15);

/// Runs until `stop` (the scheduler starts it while it leads).
pub async fn run(s: Services, settings: Arc<Settings>, stop: CancellationToken) {
    let client = reqwest::Client::builder()
        .timeout(StdDuration::from_secs(5))
        .user_agent(concat!("Lull/", env!("CARGO_PKG_VERSION"), " (silences)"))
        .build()
        .unwrap_or_default();
    loop {
        match pass(&s, &settings, &client).await {
            Ok(0) => {}
            Ok(failed) => tracing::warn!(failed, "Alertmanager calls failed; retrying"),
            Err(e) => tracing::error!(error = %e, "silences could not be read; retrying"),
        }
        tokio::select! {
            () = tokio::time::sleep(EVERY) => {}
            () = s.silence_changes.notified() => {}
            () = stop.cancelled() => return,
        }
    }
}

/// Brings Alertmanager in line with the ongoing maintenance, once; returns how many calls
/// failed (their rows keep the error and are tried at the next pass).
pub async fn pass(s: &Services, settings: &Settings, client: &reqwest::Client) -> AppResult<usize> {
    let _one_at_a_time = s.silencing.lock().await;
    let now = s.now();
    let mut conn = s.store.conn().await?;
    silences::add_wanted(&mut conn, now).await?;
    let rows = silences::open(&mut conn).await?;
    drop(conn);
    let am = Alertmanager { client, settings };
    let mut known: Option<Vec<Silence>> = None;
    let mut failed = 0;
    for row in rows {
        let result = settle(&am, &row, now, &mut known).await;
        let mut conn = s.store.conn().await?;
        match result {
            Ok(Some((id, ends_at, done))) => {
                silences::record(
                    &mut conn,
                    row.event_id,
                    row.monitor_id,
                    id.as_deref(),
                    ends_at,
                    done,
                    now,
                )
                .await?;
            }
            Ok(None) => {}
            Err(e) => {
                failed += 1;
                tracing::warn!(event = row.event_id, monitor = %row.slug, error = %e, "Alertmanager call failed");
                silences::failed(&mut conn, row.event_id, row.monitor_id, &e, now).await?;
            }
        }
    }
    Ok(failed)
}

/// What to record for one row after making Alertmanager match it: (silence id, the end
/// it was told, done), or nothing when it already matched.
type Settled = Option<(Option<String>, Option<DateTime<Utc>>, bool)>;

async fn settle(
    am: &Alertmanager<'_>,
    row: &SilenceRow,
    now: DateTime<Utc>,
    known: &mut Option<Vec<Silence>>,
) -> Result<Settled, String> {
    if !row.ongoing(now) {
        // Over (completed early, cancelled): every silence for it that would still be in
        // force is expired now. Not only the one kept: at a leader handover two replicas
        // may each have made one before either wrote its id down, and a replica that
        // stopped before writing left one unrecorded. A silence told to end by now ends
        // by itself.
        if row.silence_id.is_none() || row.ends_at.is_some_and(|ends| ends > now) {
            for id in in_force(am, row, known).await? {
                am.expire(&id).await?;
            }
        }
        return Ok(Some((row.silence_id.clone(), row.ends_at.map(|e| e.min(now)), true)));
    }
    if row.silence_id.is_some() && row.ends_at == Some(row.end_at) {
        return Ok(None);
    }
    let mut id = row.silence_id.clone();
    if id.is_none() {
        // Made before, by a replica that stopped before it could write the id down?
        id = in_force(am, row, known).await?.into_iter().next();
    }
    let silence = am.silence(row, id, now);
    let made = am.put(&silence).await?;
    Ok(Some((Some(made), Some(row.end_at), false)))
}

/// The ids of the silences in Alertmanager made for `row` and not expired, found by the
/// marker in their comments; Alertmanager's list is asked once per pass (`known`).
async fn in_force(
    am: &Alertmanager<'_>,
    row: &SilenceRow,
    known: &mut Option<Vec<Silence>>,
) -> Result<Vec<String>, String> {
    let list = match known {
        Some(list) => list,
        None => known.insert(am.list().await?),
    };
    let marker = marker(row);
    Ok(list
        .iter()
        .filter(|s| s.comment.contains(&marker) && s.status.as_ref().is_some_and(|st| st.state != "expired"))
        .filter_map(|s| s.id.clone())
        .collect())
}

/// Ties a silence to its event and monitor, in its comment.
fn marker(row: &SilenceRow) -> String {
    format!("[lull:event={}:monitor={}]", row.event_id, row.monitor_id)
}

struct Alertmanager<'a> {
    client: &'a reqwest::Client,
    settings: &'a Settings,
}

impl Alertmanager<'_> {
    fn silence(&self, row: &SilenceRow, id: Option<String>, now: DateTime<Utc>) -> Silence {
        let template = row
            .alertmanager_matcher
            .as_deref()
            .and_then(|t| Template::parse(t).ok())
            .unwrap_or_else(|| self.settings.matcher.clone());
        let link = format!("{}/maintenance/{}", self.settings.public_url, row.event_id);
        Silence {
            id,
            matchers: template.render(&row.slug, &row.name),
            starts_at: format_utc(row.start_at.min(now)),
            ends_at: format_utc(row.end_at),
            created_by: format!("Lull ({link})"),
            comment: format!(
                "Planned maintenance: {} affects {} until {} — {link} {}",
                row.title,
                row.name,
                format_utc(row.end_at),
                marker(row)
            ),
            status: None,
        }
    }

    /// Makes the silence, or changes the one with its id; Alertmanager answers with the
    /// id of the silence now in force (a new one when it could not change the old).
    async fn put(&self, silence: &Silence) -> Result<String, String> {
        let url = format!("{}/api/v2/silences", self.settings.url);
        let resp = self
            .client
            .post(&url)
            .json(silence)
            .send()
            .await
            .map_err(|e| describe(&url, &e))?;
        let code = resp.status();
        if !code.is_success() {
            let body = resp.text().await.unwrap_or_default();
            return Err(format!("{url} answered {}: {}", code.as_u16(), body.trim()));
        }
        let created: Created = resp
            .json()
            .await
            .map_err(|e| format!("{url}: unexpected answer ({e})"))?;
        Ok(created.silence_id)
    }

    async fn expire(&self, id: &str) -> Result<(), String> {
        let url = format!("{}/api/v2/silence/{id}", self.settings.url);
        let resp = self.client.delete(&url).send().await.map_err(|e| describe(&url, &e))?;
        let code = resp.status();
        // Gone already (expired by hand, or the data was lost): nothing left to end.
        if code.is_success() || code.as_u16() == 404 {
            return Ok(());
        }
        let body = resp.text().await.unwrap_or_default();
        Err(format!("{url} answered {}: {}", code.as_u16(), body.trim()))
    }

    async fn list(&self) -> Result<Vec<Silence>, String> {
        let url = format!("{}/api/v2/silences", self.settings.url);
        let resp = self.client.get(&url).send().await.map_err(|e| describe(&url, &e))?;
        if !resp.status().is_success() {
            return Err(format!("{url} answered {}", resp.status().as_u16()));
        }
        resp.json().await.map_err(|e| format!("{url}: unexpected answer ({e})"))
    }
}

fn describe(url: &str, e: &reqwest::Error) -> String {
    let mut text = format!("{url}: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    text
}
