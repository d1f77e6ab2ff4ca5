//! The Statuspage v2 public API: served in Atlassian's shapes from Lull's data.

mod common;

use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use common::{TestApp, spawn_app, t0};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn v2(app: &TestApp, doc: &str) -> Value {
    let resp = app.http.get(format!("{}/api/v2/{doc}", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{doc}");
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "*",
        "widgets read it from other sites"
    );
    assert!(resp.headers().contains_key("etag"));
    resp.json().await.unwrap()
}

/// Reads `doc` until `check` holds (the snapshot follows changes within milliseconds).
async fn v2_until(app: &TestApp, doc: &str, check: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + StdDuration::from_secs(5);
    loop {
        let value = v2(app, doc).await;
        if check(&value) {
            return value;
        }
        assert!(Instant::now() < deadline, "{doc} never became as expected: {value:#}");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

fn component<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no component {id} in {doc:#}"))
}

#[tokio::test]
async fn the_v2_documents_follow_maintenance_and_incidents_in_statuspage_shapes() {
    let app = spawn_app().await;
    for (slug, group) in [("api", "Core"), ("db", "Core"), ("docs", "")] {
        let mut body = json!({"name": slug.to_uppercase(), "slug": slug});
        if !group.is_empty() {
            body["group"] = json!(group);
        }
        let (status, b) = app.post("/api/v1/monitors", body).await;
        assert_eq!(status, StatusCode::CREATED, "{b}");
    }
    let plan = app
        .maintenance(json!({"title": "DB upgrade", "description": "Read-only for a while.",
            "start": "2026-05-10T12:10", "timezone": "UTC", "duration": 3600,
            "monitors": [{"slug": "db"}]}))
        .await;
    let event = plan["events"][0]["id"].as_i64().unwrap().to_string();

    let summary = v2_until(&app, "summary.json", |s| {
        s["components"].as_array().is_some_and(|c| c.len() == 4)
            && s["scheduled_maintenances"].as_array().is_some_and(|m| !m.is_empty())
    })
    .await;
    assert_eq!(summary["page"]["url"], app.base);
    assert_eq!(
        summary["status"],
        json!({"indicator": "none", "description": "All Systems Operational"})
    );
    // The group comes first, as a group component listing its members.
    let core = component(&summary, "group-core");
    assert_eq!(core["group"], true);
    assert_eq!(core["components"], json!(["api", "db"]));
    assert_eq!(component(&summary, "db")["group_id"], "group-core");
    assert_eq!(component(&summary, "docs")["group_id"], Value::Null);
    assert_eq!(component(&summary, "db")["status"], "operational");
    let upcoming = &summary["scheduled_maintenances"][0];
    assert_eq!(upcoming["id"], event);
    assert_eq!(upcoming["status"], "scheduled", "READY is scheduled");
    assert_eq!(upcoming["impact"], "maintenance");
    assert_eq!(upcoming["scheduled_for"], "2026-05-10T12:10:00Z");
    assert_eq!(upcoming["scheduled_until"], "2026-05-10T13:10:00Z");
    assert_eq!(upcoming["components"][0]["id"], "db");
    assert_eq!(upcoming["incident_updates"][0]["status"], "scheduled");
    assert_eq!(upcoming["incident_updates"][0]["body"], "Read-only for a while.");
    assert_eq!(upcoming["shortlink"], format!("{}/maintenance/{event}", app.base));
    let up = v2(&app, "scheduled-maintenances/upcoming.json").await;
    assert_eq!(up["scheduled_maintenances"][0]["id"], event, "{up:#}");
    assert_eq!(
        v2(&app, "scheduled-maintenances/active.json").await["scheduled_maintenances"],
        json!([])
    );

    // Work starts: the component is under maintenance, the indicator says maintenance.
    app.clock.set(t0() + Duration::minutes(10));
    app.settle().await;
    let summary = v2_until(&app, "summary.json", |s| s["status"]["indicator"] == "maintenance").await;
    assert_eq!(summary["status"]["description"], "Service Under Maintenance");
    assert_eq!(component(&summary, "db")["status"], "under_maintenance");
    assert_eq!(component(&summary, "group-core")["status"], "under_maintenance");
    let active = v2(&app, "scheduled-maintenances/active.json").await;
    assert_eq!(active["scheduled_maintenances"][0]["status"], "in_progress");
    let (status, body) = app
        .post(&format!("/api/v1/events/{event}/updates"), json!({"body": "Half way"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // An incident takes the API down: worse than maintenance.
    let (status, incident) = app
        .post(
            "/api/v1/incidents",
            json!({"title": "API errors", "body": "Looking into it",
            "monitors": [{"slug": "api"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    let summary = v2_until(&app, "summary.json", |s| s["status"]["indicator"] == "major").await;
    assert_eq!(summary["status"]["description"], "Partial System Outage");
    assert_eq!(component(&summary, "api")["status"], "major_outage");
    assert_eq!(
        component(&summary, "group-core")["status"],
        "partial_outage",
        "one of two members down"
    );
    let open = &summary["incidents"][0];
    assert_eq!(open["name"], "API errors");
    assert_eq!(open["status"], "investigating");
    assert_eq!(open["impact"], "major");
    assert_eq!(open["incident_updates"][0]["body"], "Looking into it");
    assert_eq!(open["incident_updates"][0]["affected_components"][0]["code"], "api");
    assert_eq!(
        v2(&app, "incidents/unresolved.json").await["incidents"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let status_doc = v2(&app, "status.json").await;
    assert_eq!(status_doc["status"]["indicator"], "major");
    assert!(status_doc.get("components").is_none());

    // Resolved, and the window completed early.
    let id = incident["id"].as_i64().unwrap();
    let (status, body) = app
        .post(
            &format!("/api/v1/incidents/{id}/updates"),
            json!({"body": "Fixed", "status": "RESOLVED"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.clock.set(t0() + Duration::minutes(40));
    let (status, body) = app.post(&format!("/api/v1/events/{event}/complete"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let summary = v2_until(&app, "summary.json", |s| s["status"]["indicator"] == "none").await;
    assert_eq!(summary["incidents"], json!([]));
    let all = v2(&app, "incidents.json").await;
    assert_eq!(all["incidents"][0]["status"], "resolved");
    assert!(all["incidents"][0]["resolved_at"].is_string());
    let past = v2(&app, "scheduled-maintenances.json").await;
    let done = &past["scheduled_maintenances"][0];
    assert_eq!(done["id"], event);
    assert_eq!(done["status"], "completed");
    assert_eq!(done["resolved_at"], "2026-05-10T12:40:00Z");
    let updates: Vec<&str> = done["incident_updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["status"].as_str().unwrap())
        .collect();
    assert_eq!(updates, ["completed", "in_progress", "scheduled"], "newest first");
}

/// A monitor of Lull B that follows Lull A's page.
async fn follower(db: &common::TestDb, slug: &str, url: &str, component: Option<&str>) {
    let input = lull::service::monitors::MonitorInput {
        name: slug.to_uppercase(),
        slug: slug.into(),
        check: lull::domain::check::CheckInput {
            kind: Some("statuspage".into()),
            url: Some(url.into()),
            component: component.map(str::to_string),
            interval: Some(30),
            timeout: Some(5),
            ..Default::default()
        },
        ..Default::default()
    };
    lull::service::monitors::create(&db.services, &lull::service::Actor("test".into()), input)
        .await
        .unwrap();
}

/// B's checks, one round (its clock moved an interval on).
async fn round(db: &common::TestDb, runner: &mut lull::checks::Runner) -> Vec<lull::checks::Outcome> {
    db.clock.advance(Duration::seconds(30));
    runner.run_due(&db.services, db.services.now()).await.unwrap().0
}

/// B's status page view of its monitor `slug`.
async fn shown(db: &common::TestDb, slug: &str) -> lull::service::status::MonitorStatusView {
    let status = lull::service::status::status(&db.services).await.unwrap();
    status.monitors.into_iter().find(|m| m.slug == slug).unwrap()
}

fn error_of(outcomes: &[lull::checks::Outcome], db_id: i64) -> String {
    outcomes
        .iter()
        .find(|o| o.monitor_id == db_id)
        .and_then(|o| o.error.clone())
        .unwrap_or_default()
}

/// Lull B follows Lull A's `/api/v2` on loopback: a component's status and the page's,
/// A's maintenance as maintenance on B (with A's title as the note), A's incident as DOWN
/// (its name the note); a component A does not have, and a page that does not speak v2,
/// are DOWN with the reason.
#[tokio::test]
async fn one_lull_follows_another_through_its_statuspage_api() {
    use lull::domain::impact::{EffectiveStatus, MonitorStatus};
    let a = spawn_app().await;
    a.monitor("api").await;
    a.monitor("web").await;
    a.maintenance(
        json!({"title": "Database upgrade", "start": "2026-05-10T12:10", "timezone": "UTC",
        "duration": 3600, "monitors": [{"slug": "api"}]}),
    )
    .await;
    let (status, body) = a
        .post(
            "/api/v1/incidents",
            json!({"title": "Checkout errors", "body": "Looking",
            "monitors": [{"slug": "web", "impact": "DEGRADED"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    v2_until(&a, "summary.json", |s| {
        s["incidents"].as_array().is_some_and(|i| i.len() == 1)
            && s["components"].as_array().is_some_and(|c| c.len() == 2)
    })
    .await;

    // Something on loopback that is not a status page.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let not_a_page = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let router = axum::Router::new().route(
            "/api/v2/summary.json",
            axum::routing::get(|| async { "{\"hello\": 1}" }),
        );
        axum::serve(listener, router).await
    });

    let b = common::TestDb::new(t0()).await;
    follower(&b, "a-api", &a.base, Some("API")).await;
    follower(&b, "a-web", &format!("{}/", a.base), Some("web")).await;
    follower(&b, "a-page", &a.base, None).await;
    follower(&b, "a-billing", &a.base, Some("Billing")).await;
    follower(&b, "elsewhere", &not_a_page, None).await;
    let id = |slug: &'static str| {
        let b = &b;
        async move { lull::service::monitors::get(&b.services, slug).await.unwrap().id }
    };
    let mut runner = lull::checks::Runner::new();
    // The first look finds the monitors (their first checks spread over an interval).
    runner.run_due(&b.services, b.services.now()).await.unwrap();
    let outcomes = round(&b, &mut runner).await;
    assert_eq!(outcomes.len(), 5);

    let api = shown(&b, "a-api").await;
    assert_eq!(
        (api.status, api.effective_status, api.note),
        (MonitorStatus::Up, EffectiveStatus::Up, None)
    );
    let web = shown(&b, "a-web").await;
    assert_eq!(
        web.status,
        MonitorStatus::Degraded,
        "A's component is degraded_performance"
    );
    assert_eq!(web.note.as_deref(), Some("Checkout errors"));
    let page = shown(&b, "a-page").await;
    assert_eq!(page.status, MonitorStatus::Degraded, "A's indicator is minor");
    let billing = shown(&b, "a-billing").await;
    assert_eq!(billing.status, MonitorStatus::Down);
    let reason = error_of(&outcomes, id("a-billing").await);
    assert!(
        reason.contains("no component named 'Billing' (it has: API, WEB)"),
        "{reason}"
    );
    assert_eq!(shown(&b, "elsewhere").await.status, MonitorStatus::Down);
    let reason = error_of(&outcomes, id("elsewhere").await);
    assert!(
        reason.contains("Statuspage's v2 shape") && reason.contains("missing field"),
        "{reason}"
    );
    // The reason is kept with the check results (for admins), the API shows the note.
    let (_, view) = (0, lull::service::monitors::get(&b.services, "a-web").await.unwrap());
    assert_eq!(view.note.as_deref(), Some("Checkout errors"));
    assert_eq!(view.component.as_deref(), Some("web"));

    // A's window starts: B shows A's API under maintenance, with A's title.
    a.clock.set(t0() + Duration::minutes(10));
    a.settle().await;
    v2_until(&a, "summary.json", |s| {
        component(s, "api")["status"] == "under_maintenance"
    })
    .await;
    round(&b, &mut runner).await;
    let api = shown(&b, "a-api").await;
    assert_eq!(api.effective_status, EffectiveStatus::Maintenance);
    assert!(api.followed_maintenance);
    assert_eq!(api.note.as_deref(), Some("Database upgrade"));
    let page = shown(&b, "a-page").await;
    assert_eq!(
        page.status,
        MonitorStatus::Degraded,
        "an incident outranks maintenance on A's page"
    );
    assert_eq!(page.note.as_deref(), Some("Checkout errors; Database upgrade"));

    // The incident is resolved and the window completed: all clear on B, notes gone.
    let incident = body["id"].as_i64().unwrap();
    let (status, body) = a
        .post(
            &format!("/api/v1/incidents/{incident}/updates"),
            json!({"body": "Fixed", "status": "RESOLVED"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    a.clock.set(t0() + Duration::minutes(80));
    a.settle().await;
    v2_until(&a, "status.json", |s| s["status"]["indicator"] == "none").await;
    round(&b, &mut runner).await;
    for slug in ["a-api", "a-web", "a-page"] {
        let m = shown(&b, slug).await;
        assert_eq!(
            (m.effective_status, m.note.as_deref()),
            (EffectiveStatus::Up, None),
            "{slug}"
        );
    }

    // A's window is maintenance time in B's uptime too, left out of the percentage: the
    // 30 s from the check that saw it begin to the one that saw it over.
    runner.write_rollups(&b.services, b.services.now()).await.unwrap();
    let day = &lull::service::monitors::uptime(&b.services, "a-api", 1)
        .await
        .unwrap()
        .daily[0];
    assert_eq!(day.maintenance_secs, 30, "{day:?}");
    assert_eq!(day.up_secs + day.down_secs + day.degraded_secs, 60, "{day:?}");
}
