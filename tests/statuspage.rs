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
