//! The feeds operators subscribe to: the maintenance calendar (`/maintenance.ics`).

mod common;

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use common::{TestApp, spawn_app, t0, utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn text(app: &TestApp, path: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let resp = app.http.get(format!("{}{path}", app.base)).send().await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    (status, headers, resp.text().await.unwrap())
}

/// The content lines of a feed, unfolded.
fn lines(feed: &str) -> Vec<String> {
    feed.replace("\r\n ", "").split("\r\n").map(str::to_string).collect()
}

/// The value of `name` in the VEVENT whose UID ends with `-{id}@…` and has no RECURRENCE-ID.
fn master_prop(feed: &str, id: i64, name: &str) -> Option<String> {
    let uid = format!("UID:maintenance-{id}@");
    let mut in_event = false;
    let mut mine = false;
    let mut found = None;
    for line in lines(feed) {
        match line.as_str() {
            "BEGIN:VEVENT" => (in_event, mine, found) = (true, false, None),
            "END:VEVENT" if mine => return found,
            "END:VEVENT" => in_event = false,
            l if in_event && l.starts_with("RECURRENCE-ID") => in_event = false,
            l if in_event => {
                mine |= l.starts_with(&uid);
                if l.split([':', ';']).next() == Some(name) {
                    found = l.split_once(':').map(|(_, v)| v.to_string());
                }
            }
            _ => {}
        }
    }
    None
}

async fn plan(app: &TestApp, body: Value) -> i64 {
    app.maintenance(body).await["id"].as_i64().unwrap()
}

#[tokio::test]
async fn the_calendar_is_one_recurring_event_per_active_plan_and_filters_by_monitor() {
    let app = spawn_app().await;
    app.monitor("api").await;
    app.monitor("db").await;
    let weekly = plan(
        &app,
        json!({
        "title": "Kernel patching; phase 2", "description": "Rolling reboots, one node at a time.",
        "start": "2026-05-17T02:00", "timezone": "Europe/Berlin", "duration": 7200,
        "rrule": "FREQ=WEEKLY;BYDAY=SU", "monitors": [{"slug": "api"}]}),
    )
    .await;
    let once = plan(
        &app,
        json!({"title": "Disk swap", "start": "2026-06-01T09:30", "timezone": "Asia/Kolkata",
        "duration": 3600, "monitors": [{"slug": "db"}]}),
    )
    .await;
    let off = plan(
        &app,
        json!({"title": "Old plan", "start": "2026-06-01T09:30", "timezone": "UTC",
        "duration": 3600, "rrule": "FREQ=DAILY"}),
    )
    .await;
    let (status, body) = app
        .patch(&format!("/api/v1/maintenances/{off}"), json!({"status": "INACTIVE"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, headers, feed) = text(&app, "/maintenance.ics").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/calendar; charset=utf-8");
    assert!(feed.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"), "{feed}");
    assert!(feed.ends_with("END:VCALENDAR\r\n"));
    assert!(feed.split("\r\n").all(|l| l.len() <= 75), "a line is not folded");
    assert_eq!(
        master_prop(&feed, weekly, "DTSTART").as_deref(),
        Some("20260517T020000")
    );
    assert_eq!(
        master_prop(&feed, weekly, "RRULE").as_deref(),
        Some("FREQ=WEEKLY;BYDAY=SU")
    );
    assert_eq!(master_prop(&feed, weekly, "DURATION").as_deref(), Some("PT2H"));
    assert_eq!(
        master_prop(&feed, weekly, "SUMMARY").as_deref(),
        Some("Kernel patching\\; phase 2")
    );
    assert_eq!(
        master_prop(&feed, weekly, "DESCRIPTION").as_deref(),
        Some("Rolling reboots\\, one node at a time.\\n\\nAffects: API")
    );
    assert!(feed.contains("DTSTART;TZID=Europe/Berlin:20260517T020000\r\n"));
    assert!(feed.contains("TZID:Europe/Berlin\r\n") && feed.contains("TZID:Asia/Kolkata\r\n"));
    assert_eq!(master_prop(&feed, once, "RRULE"), None, "a one-time window has no rule");
    assert_eq!(
        master_prop(&feed, off, "UID"),
        None,
        "an inactive plan is not in the calendar"
    );
    assert!(!feed.contains("TZID:UTC"), "no zone is defined that no event uses");

    // Conditional GET: calendar apps poll.
    let etag = headers["etag"].to_str().unwrap().to_string();
    let resp = app
        .http
        .get(format!("{}/maintenance.ics", app.base))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);

    let (_, _, db_only) = text(&app, "/maintenance.ics?monitor=db").await;
    assert!(master_prop(&db_only, once, "UID").is_some());
    assert!(master_prop(&db_only, weekly, "UID").is_none());
    assert!(!db_only.contains("TZID:Europe/Berlin"));
    let (status, _, body) = text(&app, "/maintenance.ics?monitor=nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn a_change_to_a_plan_or_its_occurrences_bumps_sequence_and_dtstamp() {
    let app = spawn_app().await;
    let id = plan(
        &app,
        json!({"title": "Backups", "start": "2026-05-11T01:00", "timezone": "UTC",
        "duration": 1800, "rrule": "FREQ=DAILY"}),
    )
    .await;
    let (_, _, feed) = text(&app, "/maintenance.ics").await;
    let seq = |feed: &str| master_prop(feed, id, "SEQUENCE").unwrap().parse::<i64>().unwrap();
    let first = seq(&feed);
    let stamp = master_prop(&feed, id, "DTSTAMP").unwrap();

    app.clock.advance(Duration::minutes(5));
    let (status, body) = app
        .patch(
            &format!("/api/v1/maintenances/{id}"),
            json!({"title": "Nightly backups"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, _, feed) = text(&app, "/maintenance.ics").await;
    let second = seq(&feed);
    assert!(second > first, "SEQUENCE {first} → {second}");
    assert_ne!(master_prop(&feed, id, "DTSTAMP").unwrap(), stamp);

    app.clock.advance(Duration::minutes(5));
    let (status, body) = app
        .post(
            &format!("/api/v1/maintenances/{id}/skip"),
            json!({"start": "2026-05-20T01:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, _, feed) = text(&app, "/maintenance.ics").await;
    assert!(seq(&feed) > second, "a skipped occurrence is a change too");
    assert_eq!(master_prop(&feed, id, "EXDATE").as_deref(), Some("20260520T010000Z"));
}

/// The expansion of a feed by `tests/tools/ical_expand.py` (icalendar and
/// recurring-ical-events, from PyPI).
fn expand(feed: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.ics");
    std::fs::write(&path, feed).unwrap();
    let out = std::process::Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/ical_expand.py"))
        .arg(&path)
        .arg(from.to_rfc3339())
        .arg(to.to_rfc3339())
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "ical_expand.py failed (pip install icalendar recurring-ical-events): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

type Window = (String, String, String);

/// Lull's own windows of plan `id` in `[from, to)`: its schedule's occurrences without
/// the skipped and cancelled ones, with the times of the events operators moved.
async fn lull_windows(app: &TestApp, id: i64, from: DateTime<Utc>, to: DateTime<Utc>) -> BTreeSet<Window> {
    let (_, m) = app.get(&format!("/api/v1/maintenances/{id}")).await;
    let uid = format!("maintenance-{id}@127.0.0.1");
    let query = serde_urlencoded::to_string([
        ("rrule", m["rrule"].as_str().unwrap().to_string()),
        ("start", m["start"].as_str().unwrap().to_string()),
        ("tz", m["timezone"].as_str().unwrap().to_string()),
        ("duration", m["duration"].to_string()),
        ("from", from.to_rfc3339()),
        ("limit", "1000".into()),
        ("maintenance", id.to_string()),
    ])
    .unwrap();
    let (status, preview) = app.get(&format!("/api/v1/schedule/preview?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let (_, events) = app.get(&format!("/api/v1/maintenances/{id}/events?limit=100")).await;
    let mut out = BTreeSet::new();
    for w in preview.as_array().unwrap() {
        let start = w["start"].as_str().unwrap();
        if utc(start) >= to || w.get("note").is_some() {
            continue;
        }
        let moved = events
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["scheduled_start"] == start && e["status"] != "CANCELLED");
        let (s, e) = match moved {
            Some(ev) => (ev["start"].as_str().unwrap(), ev["end"].as_str().unwrap()),
            None => (start, w["end"].as_str().unwrap()),
        };
        out.insert((uid.clone(), s.to_string(), e.to_string()));
    }
    out
}

/// A year of the feed, expanded by an independent RFC 5545 implementation, yields exactly
/// Lull's windows: across DST changes both ways, in both hemispheres, with UNTIL as a
/// local date, with skipped, cancelled, extended and early-started occurrences; and each
/// VTIMEZONE gives the zone database's offsets. Needs python3 with icalendar and
/// recurring-ical-events (`.ci/run` installs them).
#[tokio::test]
#[ignore = "needs python3 with icalendar and recurring-ical-events (PyPI); .ci/run installs them"]
async fn a_year_of_the_calendar_expanded_independently_is_exactly_lulls_windows() {
    let app = spawn_app().await;
    app.monitor("api").await;
    // Sundays 02:00 Berlin: 25 October 2026 is ambiguous (the first 02:00, summer time,
    // counts), 28 March 2027 falls in the gap (it takes the offset before it).
    let berlin = plan(
        &app,
        json!({"title": "Berlin", "start": "2026-05-17T02:00", "timezone": "Europe/Berlin",
        "duration": 7200, "rrule": "FREQ=WEEKLY;BYDAY=SU", "monitors": [{"slug": "api"}]}),
    )
    .await;
    let new_york = plan(
        &app,
        json!({"title": "New York", "start": "2026-05-10T23:00", "timezone": "America/New_York",
        "duration": 5400, "rrule": "FREQ=WEEKLY;BYDAY=MO,WE,FR"}),
    )
    .await;
    // First Sundays 01:30 New York: 1 November 2026 is the night clocks go back.
    let monthly = plan(
        &app,
        json!({"title": "Monthly", "start": "2026-06-07T01:30", "timezone": "America/New_York",
        "duration": 1800, "rrule": "FREQ=MONTHLY;BYDAY=1SU"}),
    )
    .await;
    let sydney = plan(
        &app,
        json!({"title": "Sydney", "start": "2026-05-12T02:30", "timezone": "Australia/Sydney",
        "duration": 1800, "rrule": "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270301"}),
    )
    .await;
    let once = plan(
        &app,
        json!({"title": "Once", "start": "2026-06-01T09:30", "timezone": "Asia/Kolkata",
        "duration": 3600}),
    )
    .await;

    // Operators at work within the horizon, and a skip beyond it.
    let events = |id: i64| {
        let app = &app;
        async move { app.get(&format!("/api/v1/maintenances/{id}/events")).await.1 }
    };
    let first = |v: &Value, i: usize| v[i]["id"].as_i64().unwrap();
    let b = events(berlin).await;
    let (status, body) = app
        .post(&format!("/api/v1/events/{}/cancel", first(&b, 0)), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .post(
            &format!("/api/v1/maintenances/{berlin}/skip"),
            json!({"start": "2026-05-31T02:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ny = events(new_york).await;
    let (status, body) = app
        .post(
            &format!("/api/v1/events/{}/extend", first(&ny, 0)),
            json!({"seconds": 1800}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .post(&format!("/api/v1/events/{}/start", first(&ny, 1)), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let o = events(once).await;
    let (status, body) = app
        .post(
            &format!("/api/v1/events/{}/extend", first(&o, 0)),
            json!({"seconds": 600}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (from, to) = (t0() - Duration::days(1), t0() + Duration::days(365));
    let (_, _, feed) = text(&app, "/maintenance.ics").await;
    let expanded = expand(&feed, from, to);

    for zone in expanded["zones"].as_array().unwrap() {
        assert_eq!(
            zone["mismatches"],
            json!([]),
            "VTIMEZONE {} differs from zoneinfo",
            zone["tzid"]
        );
    }
    assert_eq!(expanded["zones"].as_array().unwrap().len(), 4);

    let theirs: BTreeSet<Window> = expanded["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            let s = |k: &str| w[k].as_str().unwrap().to_string();
            (s("uid"), s("start"), s("end"))
        })
        .collect();
    let mut ours = BTreeSet::new();
    for id in [berlin, new_york, monthly, sydney, once] {
        ours.extend(lull_windows(&app, id, from, to).await);
    }
    assert!(ours.len() > 300, "{} windows", ours.len());
    let missing: Vec<_> = ours.difference(&theirs).take(5).collect();
    let extra: Vec<_> = theirs.difference(&ours).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing from the feed: {missing:?}; extra in it: {extra:?}"
    );

    // Hand-computed instants, independent of both implementations.
    let has = |id: i64, start: &str, end: &str| {
        theirs.contains(&(
            format!("maintenance-{id}@127.0.0.1"),
            start.to_string(),
            end.to_string(),
        ))
    };
    // Cancelled (17 May) and skipped (31 May) Berlin windows are gone; 24 May is there.
    assert!(!has(berlin, "2026-05-17T00:00:00Z", "2026-05-17T02:00:00Z"));
    assert!(!has(berlin, "2026-05-31T00:00:00Z", "2026-05-31T02:00:00Z"));
    assert!(has(berlin, "2026-05-24T00:00:00Z", "2026-05-24T02:00:00Z"));
    assert!(
        has(berlin, "2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z"),
        "02:00 CEST, the first of two"
    );
    assert!(has(berlin, "2026-11-01T01:00:00Z", "2026-11-01T03:00:00Z"), "02:00 CET");
    assert!(
        has(berlin, "2027-03-28T01:00:00Z", "2027-03-28T03:00:00Z"),
        "02:00 does not exist: 03:00 CEST"
    );
    // Monday 11 May 23:00 EDT = 03:00Z on the 12th, extended by 30 minutes.
    assert!(has(new_york, "2026-05-12T03:00:00Z", "2026-05-12T05:00:00Z"));
    // Wednesday's window, started at once (12:00Z on the 10th), keeps its 90 minutes.
    assert!(has(new_york, "2026-05-10T12:00:00Z", "2026-05-10T13:30:00Z"));
    assert!(
        has(monthly, "2026-11-01T05:30:00Z", "2026-11-01T06:00:00Z"),
        "01:30 EDT, the first of two"
    );
    assert!(
        has(monthly, "2026-12-06T06:30:00Z", "2026-12-06T07:00:00Z"),
        "01:30 EST"
    );
    // Sydney: 02:30 AEST (+10) in May, AEDT (+11) from October; the last is Thu 25 Feb 2027.
    assert!(has(sydney, "2026-05-11T16:30:00Z", "2026-05-11T17:00:00Z"));
    assert!(has(sydney, "2026-10-05T15:30:00Z", "2026-10-05T16:00:00Z"));
    assert!(has(sydney, "2027-02-24T15:30:00Z", "2027-02-24T16:00:00Z"));
    assert!(
        !theirs
            .iter()
            .any(|w| w.0.contains(&format!("-{sydney}@")) && w.1.as_str() > "2027-02-25")
    );
    assert!(
        has(once, "2026-06-01T04:00:00Z", "2026-06-01T05:10:00Z"),
        "09:30 IST, extended"
    );
}

async fn atom(app: &TestApp, path: &str) -> atom_syndication::Feed {
    let (status, headers, body) = text(app, path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["content-type"], "application/atom+xml; charset=utf-8");
    body.parse().unwrap_or_else(|e| panic!("not Atom: {e}\n{body}"))
}

/// The feed once `ready` holds for it: what is on and ahead comes from the page's
/// snapshot, which follows a change within milliseconds, not at once.
async fn atom_until(
    app: &TestApp,
    path: &str,
    ready: impl Fn(&atom_syndication::Feed) -> bool,
) -> atom_syndication::Feed {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let feed = atom(app, path).await;
        if ready(&feed) {
            return feed;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{path} never got there: {feed:#?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

fn entry<'a>(feed: &'a atom_syndication::Feed, id: &str) -> Option<&'a atom_syndication::Entry> {
    feed.entries().iter().find(|e| e.id() == id)
}

#[tokio::test]
async fn the_atom_feed_announces_incidents_and_maintenance_with_their_updates() {
    let app = spawn_app().await;
    app.monitor("api").await;
    app.monitor("db").await;
    let base = &app.base;
    // A daily plan: seven windows in the horizon, but only the next one is news.
    plan(
        &app,
        json!({"title": "Index rebuild", "description": "Queries **may be slow**.",
        "start": "2026-05-10T13:00", "timezone": "UTC", "duration": 3600, "rrule": "FREQ=DAILY",
        "monitors": [{"slug": "api"}]}),
    )
    .await;
    let (status, incident) = app
        .post(
            "/api/v1/incidents",
            json!({"title": "Replica lag", "body": "Reads are <stale> & slow",
            "monitors": [{"slug": "db"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    let incident_id = format!("{base}/incidents/{}", incident["id"]);

    let feed = atom_until(&app, "/feed.atom", |f| f.entries().len() == 2).await;
    assert_eq!(feed.id(), format!("{base}/feed.atom"));
    assert_eq!(
        feed.authors().len(),
        1,
        "the feed names its author, so entries need not"
    );
    assert!(
        feed.links()
            .iter()
            .any(|l| l.rel() == "self" && l.href() == format!("{base}/feed.atom"))
    );
    let plans_entries: Vec<_> = feed
        .entries()
        .iter()
        .filter(|e| e.id().contains("/maintenance/"))
        .collect();
    assert_eq!(plans_entries.len(), 1, "one entry for the plan's next window");
    let first = plans_entries[0];
    assert_eq!(first.title().as_str(), "Maintenance: Index rebuild");
    assert!(
        first
            .links()
            .iter()
            .any(|l| l.rel() == "alternate" && l.href() == first.id())
    );
    let content = first.content().and_then(|c| c.value()).unwrap();
    assert!(content.contains("<strong>may be slow</strong>"), "{content}");
    assert!(content.contains("When: Sun 10 May 2026, 13:00–14:00 UTC"), "{content}");
    assert!(content.contains("API: Under Maintenance"), "{content}");
    let lag = entry(&feed, &incident_id).expect("the incident has an entry");
    assert_eq!(lag.title().as_str(), "Incident: Replica lag");
    let content = lag.content().and_then(|c| c.value()).unwrap();
    // Markdown as on the page: the raw tag is dropped by the sanitiser, `&` escaped.
    assert!(content.contains("<p>Reads are  &amp; slow</p>"), "{content}");
    assert_eq!(
        lag.summary().map(|s| s.as_str()),
        Some("Investigating: Reads are <stale> & slow")
    );

    // Work starts, and an update is posted: the entry changes, its id does not.
    let before = *first.updated();
    let event_id = first.id().rsplit('/').next().unwrap().to_string();
    app.clock.set(utc("2026-05-10T13:00:00Z"));
    app.settle().await;
    app.clock.set(utc("2026-05-10T13:20:00Z"));
    let (status, body) = app
        .post(
            &format!("/api/v1/events/{event_id}/updates"),
            json!({"body": "Half the shards done"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let feed = atom_until(&app, "/feed.atom", |f| {
        entry(f, &format!("{base}/maintenance/{event_id}"))
            .is_some_and(|e| e.updated().to_rfc3339() == "2026-05-10T13:20:00+00:00")
    })
    .await;
    let ongoing = entry(&feed, &format!("{base}/maintenance/{event_id}")).unwrap();
    assert!(*ongoing.updated() > before);
    assert_eq!(ongoing.updated().to_rfc3339(), "2026-05-10T13:20:00+00:00");
    assert_eq!(feed.entries()[0].id(), ongoing.id(), "newest change first");
    let content = ongoing.content().and_then(|c| c.value()).unwrap();
    assert!(
        content.contains("In progress") && content.contains("Half the shards done"),
        "{content}"
    );
    // Tomorrow's window is now the plan's next, with an entry of its own.
    assert_eq!(
        feed.entries()
            .iter()
            .filter(|e| e.id().contains("/maintenance/"))
            .count(),
        2
    );

    // By monitor.
    let db_only = atom(&app, "/feed.atom?monitor=db").await;
    assert_eq!(db_only.entries().len(), 1);
    assert_eq!(db_only.entries()[0].id(), incident_id);
    let (status, _, _) = text(&app, "/feed.atom?monitor=nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A busy week (a plan every half hour: 336 windows ahead) hides neither what just
/// happened nor which window comes next.
#[tokio::test]
async fn the_atom_feed_keeps_past_windows_and_each_plans_next_when_the_week_is_full() {
    let app = spawn_app().await;
    app.monitor("api").await;
    plan(
        &app,
        json!({"title": "Certificate rotation", "start": "2026-05-10T12:05", "timezone": "UTC",
        "duration": 600, "monitors": [{"slug": "api"}]}),
    )
    .await;
    plan(
        &app,
        json!({"title": "Rolling restart", "start": "2026-05-10T12:30", "timezone": "UTC",
        "duration": 600, "rrule": "FREQ=HOURLY;BYMINUTE=0,30", "monitors": [{"slug": "api"}]}),
    )
    .await;
    let (_, ahead) = app.get("/api/v1/events?limit=500").await;
    assert!(
        ahead.as_array().unwrap().len() > 300,
        "{} windows",
        ahead.as_array().unwrap().len()
    );
    for at in ["2026-05-10T12:05:00Z", "2026-05-10T12:15:00Z", "2026-05-10T12:20:00Z"] {
        app.clock.set(utc(at));
        app.settle().await;
    }
    let titles = |f: &atom_syndication::Feed| -> Vec<String> {
        f.entries().iter().map(|e| e.title().as_str().to_string()).collect()
    };
    let feed = atom_until(&app, "/feed.atom", |f| titles(f).len() == 2).await;
    let mut got = titles(&feed);
    got.sort();
    assert_eq!(
        got,
        ["Maintenance: Certificate rotation", "Maintenance: Rolling restart"]
    );
    let content = |title: &str| {
        let e = feed.entries().iter().find(|e| e.title().as_str() == title).unwrap();
        e.content().and_then(|c| c.value()).unwrap().to_string()
    };
    let done = content("Maintenance: Certificate rotation");
    assert!(done.contains("Completed"), "{done}");
    let next = content("Maintenance: Rolling restart");
    assert!(next.contains("When: Sun 10 May 2026, 12:30–12:40 UTC"), "{next}");
}

/// The feed is valid Atom 1.0 by the RFC 4287 schema (RELAX NG, `tests/tools/atom.rnc`),
/// checked by jing (Debian package `jing`, which `.ci/run` installs), with text that
/// needs escaping everywhere it can appear.
#[tokio::test]
#[ignore = "needs jing (Debian package); .ci/run installs it"]
async fn the_atom_feed_is_valid_by_the_rfc_4287_schema() {
    let app = spawn_app().await;
    app.monitor("api").await;
    plan(
        &app,
        json!({"title": "Ünïcode & <tags> \"quoted\" 'single'", "description": "<script>x</script> **bold** & more",
        "start": "2026-05-10T15:30", "timezone": "Europe/Berlin", "duration": 3600, "monitors": [{"slug": "api"}]}),
    )
    .await;
    let (status, body) = app
        .post(
            "/api/v1/incidents",
            json!({"title": "A & B < C", "body": "]]> and \u{1F6A7}", "monitors": [{"slug": "api"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.settle().await;
    let dir = tempfile::tempdir().unwrap();
    for path in ["/feed.atom", "/feed.atom?monitor=api"] {
        atom_until(&app, path, |f| f.entries().len() == 2).await;
        let (_, _, feed) = text(&app, path).await;
        let file = dir.path().join("feed.xml");
        std::fs::write(&file, &feed).unwrap();
        let out = std::process::Command::new("jing")
            .arg("-c")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/atom.rnc"))
            .arg(&file)
            .output()
            .expect("jing runs (apt-get install jing)");
        // jing warns on stderr about optional Java libraries; errors go to stdout.
        assert!(
            out.status.success() && out.stdout.is_empty(),
            "{path} is not valid Atom:\n{}\n{feed}",
            String::from_utf8_lossy(&out.stdout)
        );
        // The schema's two Schematron rules, which jing does not check.
        let parsed: atom_syndication::Feed = feed.parse().unwrap();
        assert!(!parsed.authors().is_empty());
        assert_eq!(parsed.entries().len(), 2);
        for e in parsed.entries() {
            assert!(e.links().iter().any(|l| l.rel() == "alternate"), "{}", e.id());
        }
    }
}
