//! Feeds for the tools operators already use: the maintenance calendar and an Atom feed
//! of maintenance and incidents.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::views::{event_card, incident_card};
use super::{lang, tagged};
use std::collections::HashSet;

use crate::domain::lifecycle::CancelReason;
use crate::domain::schedule::format_utc;
use crate::error::{AppError, AppResult};
use crate::service::{calendar, events, incidents};
use crate::store::events::EventFilter;
use crate::store::monitors;
use crate::web::AppState;
use crate::web::extract::ApiQuery;
use crate::web::i18n::Messages;

#[derive(Debug, Deserialize)]
pub struct FeedQuery {
    /// Only what affects this monitor (its slug).
    monitor: Option<String>,
}

/// `GET /maintenance.ics[?monitor=slug]`: every active plan as a recurring event, for
/// calendar apps to subscribe to.
pub async fn calendar(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<FeedQuery>,
) -> AppResult<Response> {
    let body = calendar::feed(&state.services, &state.site, q.monitor.as_deref()).await?;
    Ok(tagged(
        &headers,
        "text/calendar; charset=utf-8",
        "public, max-age=60",
        body.into_bytes(),
    ))
}

/// Maintenance windows in the feed: those that ended in the last 30 days or start within
/// the next 7 (the horizon).
const PAST_DAYS: i64 = 30;
/// Entries in the feed, newest change first.
const ENTRIES: usize = 50;

#[derive(Template)]
#[template(path = "public/feed.xml")]
struct AtomFeed {
    lang: &'static str,
    id: String,
    title: String,
    updated: String,
    home: String,
    author: String,
    entries: Vec<AtomEntry>,
}

struct AtomEntry {
    id: String,
    title: String,
    /// RFC 3339, and the same as an instant to sort by.
    updated: String,
    updated_at: DateTime<Utc>,
    published: String,
    link: String,
    category: &'static str,
    category_label: &'static str,
    summary: String,
    /// HTML, escaped into the feed as text (`type="html"`).
    content: String,
}

/// The body of an entry: what the event's or incident's page says, without the page.
#[derive(Template)]
#[template(path = "public/feed_entry.html")]
struct EntryContent {
    m: &'static Messages,
    e: Content,
}

struct Content {
    state: String,
    /// "When: Sun 6 Dec 2026, 03:00–05:00 CET (02:00–04:00 UTC)" and the like.
    lines: Vec<String>,
    /// (monitor name, impact label)
    monitors: Vec<(String, &'static str)>,
    description_html: String,
    /// (heading: status and time, sanitised HTML), newest first.
    updates: Vec<(String, String)>,
}

fn content(m: &'static Messages, e: Content) -> AppResult<String> {
    EntryContent { m, e }
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("rendering a feed entry: {e}")))
}

/// `GET /feed.atom[?monitor=slug]`: incidents and maintenance windows as Atom 1.0
/// (RFC 4287), one entry each with every update, newest change first.
pub async fn atom(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<FeedQuery>,
) -> AppResult<Response> {
    let m = lang(&headers);
    let s = &state.services;
    let now = s.now();
    let public = &state.site.public_url;
    if let Some(slug) = &q.monitor {
        let mut conn = s.store.conn().await?;
        monitors::by_slug(&mut conn, slug)
            .await?
            .ok_or(AppError::NotFound("monitor"))?;
    }

    let mut entries = Vec::new();
    for i in incidents::list(s, false, 100).await? {
        if q.monitor
            .as_ref()
            .is_some_and(|slug| !i.monitors.iter().any(|a| &a.slug == slug))
        {
            continue;
        }
        let card = incident_card(&i, m);
        let mut lines = vec![format!("{}: {}", m.opened, card.opened.1)];
        if let Some(r) = &card.resolved {
            lines.push(format!("{}: {}", m.resolved, r.1));
        }
        let summary = match i.updates.first() {
            Some(u) => format!(
                "{}: {}",
                card.status_label,
                u.body.split_whitespace().collect::<Vec<_>>().join(" ")
            ),
            None => card.status_label.to_string(),
        };
        entries.push(AtomEntry {
            id: format!("{public}/incidents/{}", i.id),
            title: format!("Incident: {}", i.title),
            updated: format_utc(i.updated_at),
            updated_at: i.updated_at,
            published: format_utc(i.created_at),
            link: format!("{public}/incidents/{}", i.id),
            category: "incident",
            category_label: "Incident",
            summary,
            content: content(
                m,
                Content {
                    state: card.status_label.to_string(),
                    lines,
                    monitors: card.monitors,
                    description_html: String::new(),
                    updates: card
                        .updates
                        .into_iter()
                        .map(|u| (format!("{} · {}", u.2, u.1), u.3))
                        .collect(),
                },
            )?,
        });
    }

    // What is on and ahead comes from the page's snapshot (no database read, however many
    // windows the next days hold): the windows going on, each plan's next (a daily plan
    // would fill the feed a week ahead), and those called off before their start. What
    // is over is read newest first, one feed's worth.
    let Some(snapshot) = state.snapshots.get() else {
        return Ok((
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            [(axum::http::header::RETRY_AFTER, "1")],
            "starting",
        )
            .into_response());
    };
    let past = events::list(
        s,
        &EventFilter {
            monitor: q.monitor.clone(),
            history: true,
            newest_first: true,
            limit: ENTRIES as i64,
            ..Default::default()
        },
    )
    .await?;
    let seen: HashSet<i64> = past.iter().map(|e| e.id).collect();
    let st = &snapshot.status;
    let ahead = st
        .ongoing
        .iter()
        .chain(st.upcoming_by_maintenance.iter().map(|p| &p.next))
        .chain(&st.cancelled)
        .filter(|e| !seen.contains(&e.id))
        .filter(|e| {
            q.monitor
                .as_ref()
                .is_none_or(|slug| e.monitors.iter().any(|a| &a.slug == slug))
        })
        .cloned();
    let since = now - Duration::days(PAST_DAYS);
    let list: Vec<_> = past
        .into_iter()
        .filter(|e| e.end > since || e.cancelled_at.is_some_and(|c| c > since))
        .chain(ahead)
        // Skipped windows and those of a deactivated plan were never on.
        .filter(|e| e.cancel_reason.is_none_or(|r| r == CancelReason::Operator))
        .collect();
    // Only the newest changes can make the feed: the rest are not rendered.
    let mut list: Vec<_> = list.into_iter().map(|e| (last_change(&e, now), e)).collect();
    list.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.id.cmp(&a.1.id)));
    list.truncate(ENTRIES);
    for (updated, e) in list {
        let card = event_card(&e, m);
        let state = card.state_label.unwrap_or(m.scheduled).to_string();
        let mut lines: Vec<String> = card.lines.iter().map(|l| format!("{}: {}", l.label, l.text)).collect();
        if let Some(d) = &card.duration_text {
            lines.push(format!("{}: {d}", m.duration));
        }
        lines.extend(card.adherence.clone());
        let summary = match lines.first() {
            Some(line) => format!("{state} · {line}"),
            None => state.clone(),
        };
        entries.push(AtomEntry {
            id: format!("{public}/maintenance/{}", e.id),
            title: format!("Maintenance: {}", e.title),
            updated: format_utc(updated),
            updated_at: updated,
            published: format_utc(e.created_at),
            link: format!("{public}/maintenance/{}", e.id),
            category: "maintenance",
            category_label: "Maintenance",
            summary,
            content: content(
                m,
                Content {
                    state,
                    lines,
                    monitors: card.monitors,
                    description_html: card.description_html,
                    updates: card.updates.into_iter().map(|u| (u.1, u.2)).collect(),
                },
            )?,
        });
    }
    entries.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then_with(|| b.id.cmp(&a.id)));
    entries.truncate(ENTRIES);

    let id = match &q.monitor {
        Some(slug) => format!("{public}/feed.atom?monitor={slug}"),
        None => format!("{public}/feed.atom"),
    };
    let feed = AtomFeed {
        lang: m.lang,
        id,
        title: state.site.name.clone(),
        updated: format_utc(entries.first().map_or(DateTime::UNIX_EPOCH, |e| e.updated_at)),
        home: format!("{public}/"),
        author: state.site.name.clone(),
        entries,
    };
    let body = feed
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("rendering the Atom feed: {e}")))?;
    Ok(tagged(
        &headers,
        "application/atom+xml; charset=utf-8",
        "public, max-age=60",
        body.into_bytes(),
    ))
}

/// The last thing that happened to a window by `now`: posted, updated, started, ended or
/// cancelled (its entry's `updated`).
fn last_change(e: &events::Event, now: DateTime<Utc>) -> DateTime<Utc> {
    [
        Some(e.created_at),
        e.updates.first().map(|u| u.created_at),
        e.cancelled_at,
        Some(e.start).filter(|t| *t <= now && e.cancelled_at.is_none()),
        Some(e.end).filter(|t| *t <= now && e.cancelled_at.is_none()),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(e.created_at)
}
