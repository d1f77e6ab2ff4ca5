//! The figures of `/metrics`: monitors and maintenance from the page's snapshot, event
//! and outbox counts and window adherence from the database, requests and checks from
//! what this process measured.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};

use super::Services;
use super::status::Status;
use crate::domain::impact::EffectiveStatus;
use crate::domain::lifecycle::EventStatus;
use crate::error::AppResult;
use crate::metrics::{ADHERENCE_BUCKETS, EndedSoFar, Exposition, Histogram};
use crate::store::{AnyConnection, events, monitors, outbox};

/// The exposition, with `status` the page's latest snapshot (none while starting: the
/// monitor families are then empty).
pub async fn render(s: &Services, status: Option<&Status>) -> AppResult<String> {
    let now = s.now();
    let mut conn = s.store.conn().await?;
    // The windows that ended before `upto` are counted in `before`; the rest are read.
    let (upto, before) = ended_long_ago(s, &mut conn, now).await?;
    let by_status = events::count_by_status(&mut conn, upto, now).await?;
    let mut ended = before.clone();
    ended.add(&events::ended_between(&mut conn, ADHERENCE_BUCKETS, Some(upto), now).await?);
    let backlog = outbox::backlog_by_kind(&mut conn).await?;
    let slugs: HashMap<i64, String> = monitors::list(&mut conn)
        .await?
        .into_iter()
        .map(|m| (m.id, m.slug))
        .collect();
    drop(conn);

    let mut out = Exposition::default();
    let monitors = status.map_or(&[][..], |s| &s.monitors[..]);
    out.family(
        "lull_monitor_status",
        "gauge",
        "What the status page shows for the monitor: 0 up, 1 degraded, 2 down, 3 under maintenance.",
    );
    for m in monitors {
        let value = match m.effective_status {
            EffectiveStatus::Up => 0.0,
            EffectiveStatus::Degraded => 1.0,
            EffectiveStatus::Down => 2.0,
            EffectiveStatus::Maintenance => 3.0,
        };
        out.sample("lull_monitor_status", &[("monitor", &m.slug)], value);
    }
    out.family(
        "lull_monitor_in_maintenance",
        "gauge",
        "1 while an ONGOING maintenance event affects the monitor, else 0 (for `unless on(monitor) lull_monitor_in_maintenance == 1` in alert rules).",
    );
    for m in monitors {
        let ongoing = status.is_some_and(|s| s.ongoing.iter().any(|e| e.monitors.iter().any(|a| a.slug == m.slug)));
        out.sample(
            "lull_monitor_in_maintenance",
            &[("monitor", &m.slug)],
            f64::from(u8::from(ongoing)),
        );
    }

    out.family(
        "lull_maintenance_events",
        "gauge",
        "Maintenance events by lifecycle status now.",
    );
    let counts: HashMap<String, i64> = by_status.into_iter().collect();
    for st in [
        EventStatus::Scheduled,
        EventStatus::Ready,
        EventStatus::Ongoing,
        EventStatus::Completed,
        EventStatus::Cancelled,
    ] {
        let earlier = match st {
            EventStatus::Completed => before.completed,
            EventStatus::Cancelled => before.cancelled,
            _ => 0,
        };
        let n = earlier + counts.get(st.as_str()).copied().unwrap_or(0);
        out.sample("lull_maintenance_events", &[("status", st.as_str())], n as f64);
    }

    out.family(
        "lull_maintenance_end_deviation_seconds",
        "histogram",
        "Completed maintenance windows by actual minus scheduled end (negative: completed early; positive: extended).",
    );
    let mut adherence = Histogram::new(ADHERENCE_BUCKETS);
    let mut below = 0;
    for (i, c) in ended.cumulative.iter().enumerate() {
        adherence.counts[i] = (c - below).max(0) as u64;
        below = *c;
    }
    adherence.counts[ADHERENCE_BUCKETS.len()] = (ended.count - below).max(0) as u64;
    adherence.count = ended.count.max(0) as u64;
    adherence.sum = ended.sum as f64;
    out.histogram("lull_maintenance_end_deviation_seconds", &[], &adherence);

    out.family(
        "lull_outbox_pending",
        "gauge",
        "Notices (emails, webhook calls) waiting to be delivered, by kind.",
    );
    let mut pending = BTreeMap::new();
    let mut failed = BTreeMap::new();
    for (kind, status, n) in backlog {
        match status.as_str() {
            "PENDING" => pending.insert(kind, n),
            _ => failed.insert(kind, n),
        };
    }
    for (kind, n) in &pending {
        out.sample("lull_outbox_pending", &[("kind", kind)], *n as f64);
    }
    out.family(
        "lull_outbox_failed",
        "gauge",
        "Notices given up on after their retries (or refused for good), by kind.",
    );
    for (kind, n) in &failed {
        out.sample("lull_outbox_failed", &[("kind", kind)], *n as f64);
    }

    out.family(
        "lull_check_duration_seconds",
        "histogram",
        "How long each check of a monitor took (HTTP and TCP checks), since this process started.",
    );
    s.metrics.retain_checks(|id| slugs.contains_key(&id));
    for (id, h) in s.metrics.checks() {
        if let Some(slug) = slugs.get(&id) {
            out.histogram("lull_check_duration_seconds", &[("monitor", slug)], &h);
        }
    }

    out.family(
        "lull_http_requests_total",
        "counter",
        "HTTP requests answered by this process, by method, route and status code.",
    );
    for ((method, route, code), n) in s.metrics.requests() {
        let code = code.to_string();
        out.sample(
            "lull_http_requests_total",
            &[("method", method), ("route", &route), ("code", &code)],
            n as f64,
        );
    }
    out.family(
        "lull_http_request_duration_seconds",
        "histogram",
        "How long HTTP requests took to answer, by method and route.",
    );
    for ((method, route), h) in s.metrics.durations() {
        out.histogram(
            "lull_http_request_duration_seconds",
            &[("method", method), ("route", &route)],
            &h,
        );
    }

    out.family("lull_build_info", "gauge", "Always 1; the version of Lull running.");
    out.sample("lull_build_info", &[("version", env!("CARGO_PKG_VERSION"))], 1.0);
    Ok(out.finish())
}

/// Windows that ended more than this long ago are counted once and kept: by then no
/// transaction that ended one (a completion computed its end a moment before it
/// committed) can still be writing.
const SETTLED: Duration = Duration::minutes(1);

/// How often the windows counted once are read again in full (those of deleted plans
/// drop out).
const RECOUNT: Duration = Duration::hours(1);

/// The windows that ended by a moment a minute ago, and that moment: what was counted
/// before plus those that ended since the last scrape, all of them on the first scrape,
/// each hour and when the clock went back. A scrape thus reads the windows of the last
/// minutes, not the whole history.
async fn ended_long_ago(
    s: &Services,
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
) -> AppResult<(DateTime<Utc>, events::Ended)> {
    let upto = now - SETTLED;
    // Held while reading, so two scrapes at once do not both add the same windows.
    let mut so_far = s.metrics.ended.lock().await;
    match so_far.as_mut() {
        Some(known) if known.upto <= upto && now - known.read_at < RECOUNT => {
            if known.upto < upto {
                let since = events::ended_between(conn, ADHERENCE_BUCKETS, Some(known.upto), upto).await?;
                known.tally.add(&since);
                known.upto = upto;
            }
        }
        _ => {
            let tally = events::ended_between(conn, ADHERENCE_BUCKETS, None, upto).await?;
            *so_far = Some(EndedSoFar {
                upto,
                read_at: now,
                tally,
            });
        }
    }
    Ok(so_far
        .as_ref()
        .map_or_else(|| (upto, events::Ended::default()), |k| (k.upto, k.tally.clone())))
}
