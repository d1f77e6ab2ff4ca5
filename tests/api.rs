//! The HTTP API: monitors, maintenances, auth, bad input, OpenAPI and the audit log.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn monitors_can_be_created_listed_updated_and_deleted() {
    let app = spawn_app().await;
    let (status, m) = app
        .post(
            "/api/v1/monitors",
            json!({"name": "Public API", "slug": "api", "group": "Core", "description": "REST"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(m["slug"], "api");
    assert_eq!(m["group"], "Core");
    assert_eq!(m["status"], "UP");

    let (_, list) = app.request(Method::GET, "/api/v1/monitors", None, false).await;
    assert_eq!(list.as_array().unwrap().len(), 1);

    let (status, m) = app
        .patch("/api/v1/monitors/api", json!({"status": "DOWN", "name": "API"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(m["status"], "DOWN");
    assert_eq!(m["name"], "API");
    let (_, by_id) = app.get(&format!("/api/v1/monitors/{}", m["id"])).await;
    assert_eq!(by_id["status"], "DOWN");

    let (status, _) = app.delete("/api/v1/monitors/api").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.get("/api/v1/monitors/api").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");
}

#[tokio::test]
async fn a_monitor_can_be_defined_as_an_http_or_tcp_check() {
    let app = spawn_app().await;
    let (status, m) = app
        .post(
            "/api/v1/monitors",
            json!({"name": "Public API", "slug": "api", "type": "http",
                   "url": "http://127.0.0.1:9/health", "interval": 30, "timeout": 5,
                   "expect_status": "200-299,304", "keyword": "ok", "retries": 2,
                   "degraded_after_ms": 800}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    assert_eq!(
        (&m["type"], &m["url"], &m["method"], &m["interval"], &m["timeout"]),
        (
            &json!("http"),
            &json!("http://127.0.0.1:9/health"),
            &json!("GET"),
            &json!(30),
            &json!(5)
        )
    );
    assert_eq!(
        (
            &m["expect_status"],
            &m["keyword"],
            &m["retries"],
            &m["degraded_after_ms"]
        ),
        (&json!("200-299,304"), &json!("ok"), &json!(2), &json!(800))
    );
    assert_eq!((&m["follow_redirects"], &m["verify_tls"]), (&json!(true), &json!(true)));

    // Readers without a token see that it is checked, not where (an inside address).
    for path in ["/api/v1/monitors/api", "/api/v1/monitors"] {
        let (status, anonymous) = app.request(Method::GET, path, None, false).await;
        assert_eq!(status, StatusCode::OK);
        let seen = if anonymous.is_array() {
            &anonymous[0]
        } else {
            &anonymous
        };
        assert_eq!(
            (&seen["type"], &seen["interval"]),
            (&json!("http"), &json!(30)),
            "{seen}"
        );
        assert!(seen["url"].is_null() && seen.get("keyword").is_none(), "{seen}");
    }
    let bad_token = app
        .http
        .get(format!("{}/api/v1/monitors", app.base))
        .bearer_auth("lull_not_a_token")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_token.status(), StatusCode::UNAUTHORIZED);

    // Its status is its checks' to set.
    let (status, body) = app.patch("/api/v1/monitors/api", json!({"status": "DOWN"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "status");

    // Made a TCP check, it keeps no URL; a manual one keeps no check settings.
    let (status, m) = app
        .patch(
            "/api/v1/monitors/api",
            json!({"type": "tcp", "target": "127.0.0.1:5432"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(
        (&m["type"], &m["target"], &m["url"]),
        (&json!("tcp"), &json!("127.0.0.1:5432"), &json!(null))
    );
    assert_eq!((&m["interval"], &m["retries"]), (&json!(30), &json!(2)));
    let (_, m) = app
        .patch("/api/v1/monitors/api", json!({"type": "manual", "status": "DEGRADED"}))
        .await;
    assert_eq!(
        (&m["type"], &m["status"], &m["interval"]),
        (&json!("manual"), &json!("DEGRADED"), &json!(null))
    );

    // Plain monitors are manual, as before.
    let (_, plain) = app
        .post("/api/v1/monitors", json!({"name": "Web", "slug": "web"}))
        .await;
    assert_eq!((&plain["type"], &plain["url"]), (&json!("manual"), &json!(null)));
}

#[tokio::test]
async fn bad_check_definitions_are_422s_naming_the_field() {
    let app = spawn_app().await;
    let cases = [
        (json!({"type": "http", "url": "http://"}), "url"),
        (json!({"type": "http", "url": "example.com/health"}), "url"),
        (json!({"type": "http"}), "url"),
        (
            json!({"type": "http", "url": "http://127.0.0.1/", "interval": 5}),
            "interval",
        ),
        (
            json!({"type": "http", "url": "http://127.0.0.1/", "interval": 10, "timeout": 30}),
            "timeout",
        ),
        (
            json!({"type": "http", "url": "http://127.0.0.1/", "expect_status": "2xx"}),
            "expect_status",
        ),
        (json!({"type": "ping"}), "type"),
        (json!({"type": "tcp", "target": "db.example.com"}), "target"),
        (
            json!({"type": "tcp", "target": "127.0.0.1:5432", "url": "http://127.0.0.1/"}),
            "url",
        ),
        (
            json!({"type": "http", "url": "http://127.0.0.1/", "status": "DOWN"}),
            "status",
        ),
        (json!({"interval": 30}), "interval"),
    ];
    for (i, (fields, field)) in cases.into_iter().enumerate() {
        let mut body = json!({"name": "Checked", "slug": format!("m{i}")});
        body.as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        let (status, answer) = app.post("/api/v1/monitors", body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(answer["field"], field, "{body}: {answer}");
        assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()), "{answer}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM monitors").await, 0, "nothing was saved");
}

#[tokio::test]
async fn a_taken_slug_is_a_422_naming_slug() {
    let app = spawn_app().await;
    app.monitor("api").await;
    let (status, body) = app
        .post("/api/v1/monitors", json!({"name": "Other", "slug": "api"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "slug");
    assert!(body["message"].as_str().unwrap().contains("already used"));
}

#[tokio::test]
async fn writes_need_a_valid_token_and_reads_of_status_do_not() {
    let app = spawn_app().await;
    let (status, body) = app
        .request(
            Method::POST,
            "/api/v1/monitors",
            Some(json!({"name": "A", "slug": "a"})),
            false,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "unauthorized");

    let resp = app
        .http
        .post(format!("{}/api/v1/monitors", app.base))
        .bearer_auth("lull_not-a-real-token")
        .json(&json!({"name": "A", "slug": "a"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(resp.headers()["www-authenticate"], "Bearer");

    let (status, _) = app.request(Method::GET, "/api/v1/maintenances", None, false).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "maintenance plans are not public");
    let (status, _) = app.request(Method::GET, "/api/v1/status", None, false).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM monitors").await,
        0,
        "nothing was written"
    );
}

#[tokio::test]
async fn a_revoked_token_stops_working() {
    let app = spawn_app().await;
    let (id, token) = lull::service::tokens::create(&app.services, "short-lived")
        .await
        .unwrap();
    let call = |t: String| {
        let app = &app;
        async move {
            app.http
                .post(format!("{}/api/v1/monitors", app.base))
                .bearer_auth(t)
                .json(&json!({"name": "A", "slug": format!("a{}", rand_suffix())}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(call(token.clone()).await, StatusCode::CREATED);
    lull::service::tokens::revoke(&app.services, id).await.unwrap();
    assert_eq!(call(token).await, StatusCode::UNAUTHORIZED);
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
}

#[tokio::test]
async fn tokens_are_stored_only_as_hashes() {
    let app = spawn_app().await;
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_all(&app.store.pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&app.token[5..]), "the token itself is not stored");
    assert_eq!(stored[0].len(), 64);
}

#[tokio::test]
async fn creating_a_maintenance_returns_it_with_its_events() {
    let app = spawn_app().await;
    app.monitor("api").await;
    // Now is Sunday 10 May 2026 12:00Z; Sundays 03:00 Berlin (CEST) are 01:00Z.
    let m = app
        .maintenance(json!({
            "title": "Database migration", "description": "**Read-only** for an hour",
            "start": "2026-05-17T03:00", "timezone": "Europe/Berlin", "duration": 3600,
            "rrule": "FREQ=WEEKLY;BYDAY=SU",
            "monitors": [{"slug": "api", "impact": "MAINTENANCE"}]
        }))
        .await;
    assert!(m["id"].as_i64().is_some());
    assert_eq!(m["status"], "ACTIVE");
    assert_eq!(m["reminder_lead"], 3600);
    assert_eq!(m["start"], "2026-05-17T03:00:00");
    assert_eq!(m["warnings"], json!([]));
    assert_eq!(m["notify"]["reminder"], true);
    let events = &m["events"];
    assert_eq!(starts(events), ["2026-05-17T01:00:00Z"], "one Sunday within 7 days");
    assert_eq!(events[0]["end"], "2026-05-17T02:00:00Z");
    assert_eq!(events[0]["status"], "SCHEDULED");
    assert_eq!(events[0]["title"], "Database migration");
    assert_eq!(
        events[0]["monitors"],
        json!([{"slug": "api", "name": "API", "impact": "MAINTENANCE"}])
    );
    assert_eq!(events[0]["updates"], json!([]));

    let (status, got) = app.get(&format!("/api/v1/maintenances/{}", m["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["title"], "Database migration");
    let (_, listed) = app.get("/api/v1/maintenances").await;
    assert_eq!(listed[0]["next_start"], "2026-05-17T01:00:00Z");
}

#[tokio::test]
async fn a_one_time_maintenance_beyond_the_horizon_still_gets_its_event() {
    let app = spawn_app().await;
    let m = app
        .maintenance(json!({"title": "Datacenter move", "start": "2026-08-01T22:00", "timezone": "America/New_York", "duration": 14400}))
        .await;
    assert_eq!(m["rrule"], "FREQ=MINUTELY;COUNT=1");
    assert_eq!(starts(&m["events"]), ["2026-08-02T02:00:00Z"]);
}

#[tokio::test]
async fn bad_maintenance_input_names_the_field_and_saves_nothing() {
    let app = spawn_app().await;
    app.monitor("api").await;
    let valid = json!({"title": "T", "start": "2026-05-17T03:00", "timezone": "Europe/Berlin", "duration": 3600,
                       "monitors": [{"slug": "api", "impact": "MAINTENANCE"}]});
    let cases = [
        (json!({"rrule": "FREQ=SOMETIMES"}), "rrule"),
        (json!({"rrule": "BYDAY=MO"}), "rrule"),
        (json!({"timezone": "Europe/Atlantis"}), "timezone"),
        (json!({"duration": 0}), "duration"),
        (json!({"duration": -60}), "duration"),
        (json!({"duration": 31 * 86400 + 1}), "duration"),
        (json!({"title": ""}), "title"),
        (json!({"title": "   "}), "title"),
        (json!({"title": "x".repeat(201)}), "title"),
        (json!({"start": "2026-05-17 03:00+02:00"}), "start"),
        (
            json!({"monitors": [{"slug": "nope", "impact": "MAINTENANCE"}]}),
            "monitors[0].slug",
        ),
        (
            json!({"monitors": [{"slug": "api", "impact": "EXPLODED"}]}),
            "monitors[0].impact",
        ),
        (json!({"reminder_lead": -1}), "reminder_lead"),
        (json!({"status": "PAUSED"}), "status"),
        (json!({"duration": "an hour"}), "duration"),
    ];
    for (change, field) in cases {
        let mut body = valid.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, err) = app.post("/api/v1/maintenances", body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{change} → {err}");
        assert_eq!(err["error"], "invalid_field");
        assert_eq!(err["field"], field, "{change} → {err}");
        assert!(!err["message"].as_str().unwrap().is_empty());
    }
    let mut missing = valid.clone();
    missing.as_object_mut().unwrap().remove("title");
    let (status, err) = app.post("/api/v1/maintenances", missing).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "title");

    assert_eq!(app.count("SELECT COUNT(*) FROM maintenances").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 0);
}

#[tokio::test]
async fn a_window_that_already_ended_is_refused_unless_recording_the_past() {
    // Now is Sun 10 May 2026, 12:00 UTC (14:00 in Berlin).
    let app = spawn_app().await;
    let typo = json!({"title": "Typo in the year", "start": "2025-05-17T03:00", "timezone": "Europe/Berlin", "duration": 7200});
    let (status, err) = app.post("/api/v1/maintenances", typo.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["field"], "start");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("ended on Sat 17 May 2025, 05:00 CEST"),
        "{err}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM maintenances").await, 0);

    let mut backfill = typo;
    backfill["record_past"] = json!(true);
    let (status, m) = app.post("/api/v1/maintenances", backfill).await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    let (_, events) = app.get(&format!("/api/v1/maintenances/{}/events", m["id"])).await;
    assert_eq!(events[0]["status"], "COMPLETED", "{events}");
    assert_eq!(events[0]["start"], "2025-05-17T01:00:00Z");

    // Started at 13:00 Berlin, ends at 15:00: still running, so it is accepted and ongoing.
    let (status, m) = app
        .post(
            "/api/v1/maintenances",
            json!({"title": "Already running", "start": "2026-05-10T13:00", "timezone": "Europe/Berlin", "duration": 7200}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    assert_eq!(m["events"][0]["status"], "ONGOING");
}

#[tokio::test]
async fn a_schedule_whose_windows_overlap_each_other_is_refused_naming_duration() {
    let app = spawn_app().await;
    for (rrule, duration) in [
        ("FREQ=HOURLY", 7200),
        ("FREQ=MINUTELY", 3600),
        ("FREQ=DAILY;BYHOUR=3,4", 5400),
    ] {
        let (status, err) = app
            .post(
                "/api/v1/maintenances",
                json!({"title": "Too tight", "start": "2026-05-11T03:00", "timezone": "UTC", "duration": duration, "rrule": rrule}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{rrule} for {duration}s: {err}"
        );
        assert_eq!(err["field"], "duration", "{err}");
        assert!(err["message"].as_str().unwrap().contains("overlap"), "{err}");
    }
    // One-second windows every second (the old SECONDLY bypass), or every minute: more
    // than 2,016 a week is refused on the rule, before anything is stored.
    let seconds: Vec<String> = (0..60).map(|i| i.to_string()).collect();
    for (rrule, duration) in [
        (format!("FREQ=MINUTELY;BYSECOND={}", seconds.join(",")), 1),
        ("FREQ=MINUTELY".into(), 60),
    ] {
        let (status, err) = app
            .post(
                "/api/v1/maintenances",
                json!({"title": "Too many", "start": "2026-05-11T03:00", "timezone": "UTC", "duration": duration, "rrule": rrule}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{rrule}: {err}");
        assert_eq!(err["field"], "rrule", "{err}");
        assert!(
            err["message"].as_str().unwrap().contains("more than 2016 windows"),
            "{err}"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 0);
    // Back to back is fine, and so is a daily window of an hour.
    for (rrule, duration) in [("FREQ=HOURLY", 3600), ("FREQ=DAILY", 3600)] {
        let (status, err) = app
            .post(
                "/api/v1/maintenances",
                json!({"title": "Fits", "start": "2026-05-11T03:00", "timezone": "UTC", "duration": duration, "rrule": rrule}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{rrule}: {err}");
    }
}

#[tokio::test]
async fn malformed_json_is_a_400_and_unknown_ids_404() {
    let app = spawn_app().await;
    let resp = app
        .http
        .post(format!("{}/api/v1/maintenances", app.base))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "bad_request");

    for path in [
        "/api/v1/maintenances/999",
        "/api/v1/maintenances/abc",
        "/api/v1/events/999",
        "/api/v1/nothing-here",
    ] {
        let (status, body) = app.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body["error"], "not_found");
    }
    let (status, _) = app.post("/api/v1/events/999/start", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn schedule_preview_is_the_same_over_http() {
    let app = spawn_app().await;
    let (status, body) = app
        .request(
            Method::GET,
            "/api/v1/schedule/preview?rrule=FREQ%3DDAILY%3BCOUNT%3D3&start=2026-03-28T02:30&tz=Europe/Berlin&duration=3600&limit=5",
            None,
            false,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        instants(&body),
        json!([
            {"start": "2026-03-28T01:30:00Z", "end": "2026-03-28T02:30:00Z"},
            {"start": "2026-03-29T01:30:00Z", "end": "2026-03-29T02:30:00Z"},
            {"start": "2026-03-30T00:30:00Z", "end": "2026-03-30T01:30:00Z"}
        ])
    );
    // The same windows as people read them, in the schedule's zone: 02:30 does not exist
    // on 29 March in Berlin, so that window starts at 03:30 summer time.
    let local: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["local"].as_str().unwrap())
        .collect();
    assert_eq!(
        local,
        [
            "Sat 28 Mar 2026, 02:30–03:30 CET",
            "Sun 29 Mar 2026, 03:30–04:30 CEST",
            "Mon 30 Mar 2026, 02:30–03:30 CEST"
        ]
    );
    assert_eq!(body[0]["utc"], "01:30–02:30 UTC");
    let (status, err) = app
        .request(
            Method::GET,
            "/api/v1/schedule/preview?start=2026-03-28T02:30&tz=Nowhere&duration=60",
            None,
            false,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "timezone");
    let (status, err) = app
        .request(
            Method::GET,
            "/api/v1/schedule/preview?start=2026-03-28T02:30&tz=UTC&duration=soon",
            None,
            false,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "duration");
}

#[tokio::test]
async fn openapi_document_describes_the_api() {
    let app = spawn_app().await;
    let (status, doc) = app.request(Method::GET, "/api/openapi.json", None, false).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/monitors",
        "/api/v1/maintenances",
        "/api/v1/maintenances/{id}",
        "/api/v1/maintenances/{id}/events",
        "/api/v1/events",
        "/api/v1/events/{id}/start",
        "/api/v1/events/{id}/extend",
        "/api/v1/events/{id}/updates",
        "/api/v1/status",
        "/api/v1/schedule/preview",
        "/api/v1/audit",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"]["EventView"].is_object());
    assert!(doc["components"]["securitySchemes"]["token"].is_object());

    // Every operation lists the errors it can answer, with the error body's schema.
    let error_body = json!({"$ref": "#/components/schemas/ErrorBody"});
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = &op["responses"];
            let has = |status: &str| responses[status]["content"]["application/json"]["schema"] == error_body;
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            let id_in_path = path.contains('{');
            let writes = method != "get";
            assert_eq!(has("401"), secured, "{method} {path}: 401");
            assert_eq!(has("404"), id_in_path, "{method} {path}: 404");
            assert_eq!(has("413"), writes, "{method} {path}: 413");
            assert_eq!(has("409"), writes, "{method} {path}: 409");
            assert_eq!(
                has("403"),
                writes,
                "{method} {path}: 403 (a browser's cross-site write)"
            );
            assert!(writes || !has("400"), "{method} {path}: 400");
            // A parameter said to be in the path is one of the path's own.
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "path" {
                    let name = p["name"].as_str().unwrap();
                    assert!(
                        path.contains(&format!("{{{name}}}")),
                        "{method} {path}: {name} is no path parameter"
                    );
                }
            }
            assert!(has("503"), "{method} {path}: 503");
            assert!(responses["503"]["headers"]["Retry-After"].is_object());
            if method == "post" && secured {
                assert!(
                    responses["409"]["headers"]["Retry-After"].is_object(),
                    "{method} {path}: 409 Retry-After"
                );
            }
            let keyed = op["parameters"]
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"));
            assert_eq!(keyed, method == "post" && secured, "{method} {path}: Idempotency-Key");
        }
    }
    assert!(doc["paths"]["/api/v1/subscribers"]["post"]["responses"]["429"].is_object());
}

#[tokio::test]
async fn every_change_is_in_the_audit_log_with_who_and_what() {
    let app = spawn_app().await;
    app.monitor("api").await;
    let m = app
        .maintenance(json!({"title": "Patch", "start": "2026-05-10T14:00", "timezone": "UTC", "duration": 600}))
        .await;
    let id = m["id"].as_i64().unwrap();
    app.patch(&format!("/api/v1/maintenances/{id}"), json!({"title": "Patch Tuesday"}))
        .await;
    let event = m["events"][0]["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/events/{event}/cancel"), json!({})).await;

    let (status, log) = app.get("/api/v1/audit").await;
    assert_eq!(status, StatusCode::OK);
    let items = log["items"].as_array().unwrap();
    let actions: Vec<&str> = items.iter().map(|i| i["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "event.cancel",
            "maintenance.update",
            "maintenance.create",
            "monitor.create"
        ]
    );
    assert!(items.iter().all(|i| i["actor"] == "token:test"));
    assert_eq!(items[1]["summary"], "title: Patch → Patch Tuesday");
    assert_eq!(items[0]["at"], "2026-05-10T12:00:00Z");

    let (_, page) = app.get("/api/v1/audit?limit=2").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let before = page["next_before"].as_i64().unwrap();
    let (_, rest) = app.get(&format!("/api/v1/audit?limit=2&before={before}")).await;
    assert_eq!(rest["items"][0]["action"], "maintenance.create");
    let (status, _) = app.request(Method::GET, "/api/v1/audit", None, false).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn overlapping_maintenances_on_a_monitor_warn_but_save() {
    let app = spawn_app().await;
    app.monitor("api").await;
    app.monitor("web").await;
    let weekly = app
        .maintenance(
            json!({"title": "Weekly patching", "start": "2026-05-11T02:00", "timezone": "UTC", "duration": 7200,
                            "rrule": "FREQ=WEEKLY;BYDAY=MO", "monitors": [{"slug": "api", "impact": "MAINTENANCE"}]}),
        )
        .await;
    // Monday 8 June 03:00–04:00 overlaps the weekly 02:00–04:00 window that day.
    let one_off = app
        .maintenance(
            json!({"title": "Disk swap", "start": "2026-06-08T03:00", "timezone": "UTC", "duration": 3600,
                            "monitors": [{"slug": "api", "impact": "DOWN"}, {"slug": "web", "impact": "DEGRADED"}]}),
        )
        .await;
    let warnings = one_off["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0]["maintenance_id"], weekly["id"]);
    assert_eq!(warnings[0]["title"], "Weekly patching");
    assert_eq!(warnings[0]["monitors"], json!(["api"]));
    assert_eq!(warnings[0]["start"], "2026-06-08T03:00:00Z");
    assert_eq!(warnings[0]["other_start"], "2026-06-08T02:00:00Z");
    assert_eq!(warnings[0]["other_end"], "2026-06-08T04:00:00Z");

    // On a monitor the other does not touch there is no warning.
    let elsewhere = app
        .maintenance(
            json!({"title": "CDN", "start": "2026-06-08T03:00", "timezone": "UTC", "duration": 3600,
                            "monitors": [{"slug": "web", "impact": "DEGRADED"}]}),
        )
        .await;
    assert_eq!(
        elsewhere["warnings"].as_array().unwrap().len(),
        1,
        "it overlaps Disk swap on web only"
    );
    assert_eq!(elsewhere["warnings"][0]["title"], "Disk swap");
}

#[tokio::test]
async fn control_characters_are_refused_with_a_reason_not_a_server_error() {
    let app = spawn_app().await;
    app.monitor("api").await;
    let (status, err) = app
        .post("/api/v1/monitors", json!({"name": "A\u{0}PI", "slug": "x"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "name");
    let (status, err) = app
        .post(
            "/api/v1/maintenances",
            json!({"title": "t\u{0}", "start": "2026-06-01T00:00", "timezone": "UTC", "duration": 60}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "title");
    let (status, _) = app.get("/api/v1/monitors/a%00").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, err) = app.get("/api/v1/events?monitor=a%00").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "monitor");
}

#[tokio::test]
async fn the_preview_refuses_a_rule_that_would_fill_memory_at_once() {
    let app = spawn_app().await;
    let list = |n: std::ops::Range<u32>| n.map(|i| i.to_string()).collect::<Vec<_>>().join("%2C");
    let bomb = format!(
        "FREQ%3DYEARLY%3BBYMONTH%3D{}%3BBYMONTHDAY%3D{}%3BBYHOUR%3D{}%3BBYMINUTE%3D{}%3BBYSECOND%3D{}",
        list(1..13),
        list(1..32),
        list(0..24),
        list(0..60),
        list(0..60)
    );
    let (status, err) = app
        .request(
            Method::GET,
            &format!("/api/v1/schedule/preview?rrule={bomb}&start=2026-01-01T00:00&tz=UTC&duration=1&limit=1"),
            None,
            false,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    // Refused from the rule's text, before anything is expanded (the `rrule` crate builds
    // a whole year of these at once): the message says how many.
    assert_eq!(err["field"], "rrule");
    assert!(err["message"].as_str().unwrap().contains("windows per year"), "{err}");
}

#[tokio::test]
async fn previewing_far_ahead_of_an_old_frequent_rule_is_exact() {
    // 41 million minutes lie between the start and the preview, far more than one
    // expansion may walk (MAX_SCAN): only expanding from near 2099 finds these at all.
    let app = spawn_app().await;
    let (status, body) = app
        .request(
            Method::GET,
            "/api/v1/schedule/preview?rrule=FREQ%3DMINUTELY&start=2020-01-01T00:00&tz=UTC&duration=60&limit=2&from=2099-01-01T00:00:00Z",
            None,
            false,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        instants(&body),
        json!([
            {"start": "2099-01-01T00:00:00Z", "end": "2099-01-01T00:01:00Z"},
            {"start": "2099-01-01T00:01:00Z", "end": "2099-01-01T00:02:00Z"}
        ])
    );
}

/// Only the instants of preview windows.
fn instants(windows: &Value) -> Value {
    windows
        .as_array()
        .unwrap()
        .iter()
        .map(|w| json!({"start": w["start"], "end": w["end"]}))
        .collect()
}

#[tokio::test]
async fn the_preview_of_a_saved_plan_starts_now_and_marks_skipped_and_cancelled_windows() {
    // Now is Sun 10 May 2026, 12:00 UTC; the plan began in March, daily at 03:00 UTC.
    let app = spawn_app().await;
    let m = app
        .maintenance(json!({"title": "Daily", "start": "2026-03-01T03:00", "timezone": "UTC", "duration": 1800, "rrule": "FREQ=DAILY"}))
        .await;
    let id = m["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/maintenances/{id}/skip"),
        json!({"start": "2026-05-12T03:00:00Z"}),
    )
    .await;
    let (_, events) = app.get(&format!("/api/v1/maintenances/{id}/events")).await;
    let thirteenth = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["scheduled_start"] == "2026-05-13T03:00:00Z")
        .unwrap()["id"]
        .clone();
    app.post(&format!("/api/v1/events/{thirteenth}/cancel"), json!({}))
        .await;
    let (status, body) = app
        .get(&format!(
            "/api/v1/schedule/preview?rrule=FREQ%3DDAILY&start=2026-03-01T03:00&tz=UTC&duration=1800&limit=4&from=now&maintenance={id}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let seen: Vec<(&str, &str)> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["start"].as_str().unwrap(), w["note"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        seen,
        [
            ("2026-05-11T03:00:00Z", ""),
            ("2026-05-12T03:00:00Z", "skipped"),
            ("2026-05-13T03:00:00Z", "cancelled"),
            ("2026-05-14T03:00:00Z", "")
        ]
    );
}

#[tokio::test]
async fn a_tokens_last_use_is_written_at_most_once_a_minute() {
    let app = spawn_app().await;
    let last_used = || app.count("SELECT COALESCE(MAX(last_used_at), 0) FROM api_tokens");
    app.get("/api/v1/maintenances").await;
    let first = last_used().await;
    assert_eq!(first, t0().timestamp(), "the first use is recorded");
    app.clock.set(t0() + chrono::Duration::seconds(30));
    app.get("/api/v1/maintenances").await;
    assert_eq!(last_used().await, first, "not written again within the minute");
    app.clock.set(t0() + chrono::Duration::seconds(61));
    app.get("/api/v1/maintenances").await;
    assert_eq!(last_used().await, t0().timestamp() + 61);
}

#[tokio::test]
async fn health_is_200_only_while_the_database_answers() {
    let app = spawn_app().await;
    let resp = app.http.get(format!("{}/healthz", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    // The database goes away (its pool closes: no connection can be had). Closing waits
    // for connections in use (PostgreSQL's LISTEN holds one), so it runs on its own.
    let pool = app.services.store.pool.clone();
    tokio::spawn(async move { pool.close().await });
    while !app.services.store.pool.is_closed() {
        tokio::task::yield_now().await;
    }
    let resp = app.http.get(format!("{}/healthz", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(resp.headers().contains_key("retry-after"));
    assert!(resp.text().await.unwrap().contains("database unavailable"));
}

/// A POST with an `Idempotency-Key` header; returns status, `Idempotent-Replayed` and body.
async fn keyed_post(app: &TestApp, path: &str, key: &str, body: &Value) -> (StatusCode, bool, Value) {
    let resp = app
        .http
        .post(format!("{}{path}", app.base))
        .bearer_auth(&app.token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let replayed = resp.headers().get("idempotent-replayed").is_some_and(|v| v == "true");
    (status, replayed, resp.json().await.unwrap())
}

fn plan_body(title: &str) -> Value {
    json!({"title": title, "start": "2026-05-11T03:00", "timezone": "Europe/Berlin", "duration": 3600,
           "rrule": "FREQ=DAILY;COUNT=3"})
}

#[tokio::test]
async fn a_retried_create_with_the_same_idempotency_key_returns_the_first_plan() {
    let app = spawn_app().await;
    let body = plan_body("Router upgrade");
    let (status, replayed, first) = keyed_post(&app, "/api/v1/maintenances", "retry-1", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert!(!replayed);
    let audit_after_first = app.count("SELECT COUNT(*) FROM audit_log").await;

    let (status, replayed, again) = keyed_post(&app, "/api/v1/maintenances", "retry-1", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert!(replayed, "the retry is answered from the stored result");
    assert_eq!(again["id"], first["id"]);
    assert_eq!(app.count("SELECT COUNT(*) FROM maintenances").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 3);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audit_after_first);

    // Without a key, or with another key, a POST is a new request.
    let (status, _, other) = keyed_post(&app, "/api/v1/maintenances", "retry-2", &body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(other["id"], first["id"]);
    assert_eq!(app.count("SELECT COUNT(*) FROM maintenances").await, 2);

    // The key is kept for a day; after that it may name a new request.
    app.clock.advance(chrono::Duration::hours(25));
    let (status, replayed, later) = keyed_post(&app, "/api/v1/maintenances", "retry-1", &plan_body("Later")).await;
    assert_eq!(status, StatusCode::CREATED, "{later}");
    assert!(!replayed);
    assert_eq!(app.count("SELECT COUNT(*) FROM maintenances").await, 3);
}

#[tokio::test]
async fn an_idempotency_key_reused_for_another_body_is_refused_and_a_failed_request_can_be_retried() {
    let app = spawn_app().await;
    let (status, _, _) = keyed_post(&app, "/api/v1/maintenances", "k", &plan_body("First")).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, err) = keyed_post(&app, "/api/v1/maintenances", "k", &plan_body("Second")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["field"], "Idempotency-Key");
    assert_eq!(app.count("SELECT COUNT(*) FROM maintenances").await, 1);

    // A request that failed is not remembered: fixing it and retrying with the key works.
    let mut bad = plan_body("Bad");
    bad["rrule"] = json!("FREQ=NEVER");
    let (status, _, err) = keyed_post(&app, "/api/v1/maintenances", "fix-me", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "rrule");
    let (status, replayed, _) = keyed_post(&app, "/api/v1/maintenances", "fix-me", &plan_body("Fixed")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(!replayed);

    for key in ["", &"x".repeat(256), "tab\there"] {
        let (status, _, err) = keyed_post(&app, "/api/v1/maintenances", key, &plan_body("Odd key")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "key {key:?}: {err}");
        assert_eq!(err["field"], "Idempotency-Key");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM maintenances").await, 2);

    // A token is checked before the key, as without one.
    let resp = app
        .http
        .post(format!("{}/api/v1/maintenances", app.base))
        .bearer_auth("lull_not-a-token")
        .header("Idempotency-Key", "")
        .json(&plan_body("No token"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn parallel_requests_with_one_idempotency_key_create_one_plan() {
    let app = spawn_app().await;
    let body = plan_body("Burst");
    let results =
        futures_util::future::join_all((0..6).map(|_| keyed_post(&app, "/api/v1/maintenances", "burst", &body))).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM maintenances").await, 1);
    let ids: std::collections::HashSet<String> = results
        .iter()
        .filter(|(status, _, _)| *status == StatusCode::CREATED)
        .map(|(_, _, b)| b["id"].to_string())
        .collect();
    assert_eq!(ids.len(), 1, "{results:?}");
    for (status, _, body) in &results {
        assert!(
            *status == StatusCode::CREATED || *status == StatusCode::CONFLICT,
            "{status}: {body}"
        );
    }
}

#[tokio::test]
async fn a_retried_progress_update_with_the_same_key_is_posted_once() {
    let app = spawn_app().await;
    let plan = app.maintenance(plan_body("Updates")).await;
    let event = plan["events"][0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/events/{event}/updates");
    let body = json!({"body": "Halfway there"});
    let (first, _, _) = keyed_post(&app, &path, "u-1", &body).await;
    assert!(first.is_success(), "{first}");
    let (again, replayed, _) = keyed_post(&app, &path, "u-1", &body).await;
    assert_eq!(again, first);
    assert!(replayed);
    assert_eq!(app.count("SELECT COUNT(*) FROM event_updates").await, 1);
}

#[tokio::test]
async fn a_keyed_create_whose_client_hung_up_is_finished_and_its_retry_gets_the_same_plan() {
    use tokio::io::AsyncWriteExt;
    let app = spawn_app().await;
    let body = plan_body("Hung up").to_string();
    let addr = app.base.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST /api/v1/maintenances HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Idempotency-Key: gone\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        app.token,
        body.len()
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    // The client gives up before any answer, as after a timeout.
    drop(socket);
    let mut done = false;
    for _ in 0..400 {
        if app
            .count("SELECT COUNT(*) FROM idempotency_keys WHERE status IS NOT NULL")
            .await
            == 1
        {
            done = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(
        done,
        "the request ran to its end and kept its result: {} keys, {} plans",
        app.count("SELECT COUNT(*) FROM idempotency_keys").await,
        app.count("SELECT COUNT(*) FROM maintenances").await
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM maintenances").await, 1);

    // The retry comes late, after any claim would count as abandoned: still the first plan.
    app.clock.advance(chrono::Duration::minutes(2));
    let (status, replayed, again) = keyed_post(&app, "/api/v1/maintenances", "gone", &plan_body("Hung up")).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert!(replayed, "answered from the stored result");
    assert_eq!(app.count("SELECT COUNT(*) FROM maintenances").await, 1);
}

#[tokio::test]
async fn an_open_incident_overrides_the_shown_status_until_it_is_resolved() {
    let app = spawn_app().await;
    app.monitor("api").await;
    app.monitor("web").await;
    app.monitor("db").await;
    // Planned work on web, an incident on web and api: the most severe shows.
    let m = app
        .maintenance(
            json!({"title": "Web deploy", "start": "2026-05-10T11:00", "timezone": "UTC", "duration": 7200,
                            "record_past": true, "monitors": [{"slug": "web"}]}),
        )
        .await;
    assert_eq!(m["events"][0]["status"], "ONGOING", "{m}");
    let (status, incident) = app
        .post(
            "/api/v1/incidents",
            json!({"title": "Errors", "body": "Looking.", "monitors": [
                {"slug": "api", "impact": "degraded"}, {"slug": "web", "impact": "DOWN"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    assert_eq!(incident["status"], "INVESTIGATING");
    assert_eq!(incident["draft"], false);
    assert_eq!(incident["updates"][0]["body"], "Looking.");
    assert_eq!(incident["updates"][0]["author"], "token:test");
    let id = incident["id"].as_i64().unwrap();
    app.settle().await;
    let shown = |status: &Value, slug: &str| {
        status["monitors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["slug"] == slug)
            .unwrap()["effective_status"]
            .clone()
    };
    let (_, status) = app.get("/api/v1/status").await;
    assert_eq!(shown(&status, "api"), "DEGRADED");
    assert_eq!(shown(&status, "web"), "DOWN", "an outage beats maintenance");
    assert_eq!(shown(&status, "db"), "UP");
    assert_eq!(status["incidents"][0]["id"], id);

    let (status, body) = app
        .post(
            &format!("/api/v1/incidents/{id}/updates"),
            json!({"status": "resolved", "body": "Fixed."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(body["resolved_at"].is_string());
    assert_eq!(body["updates"].as_array().unwrap().len(), 2);
    assert_eq!(body["updates"][0]["status"], "RESOLVED", "latest first");
    app.settle().await;
    let (_, status) = app.get("/api/v1/status").await;
    assert_eq!(shown(&status, "api"), "UP");
    assert_eq!(shown(&status, "web"), "MAINTENANCE", "the maintenance shows again");
    assert_eq!(status["incidents"], json!([]));
}

#[tokio::test]
async fn incidents_list_open_first_and_drafts_only_with_a_token() {
    let app = spawn_app().await;
    app.monitor("api").await;
    let open = |title: &str, extra: Value| {
        let mut body = json!({"title": title, "body": "x"});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    let (_, first) = app.post("/api/v1/incidents", open("First", json!({}))).await;
    app.clock.advance(chrono::Duration::minutes(5));
    let (_, second) = app.post("/api/v1/incidents", open("Second", json!({}))).await;
    let (_, past) = app
        .post(
            "/api/v1/incidents",
            open("Recorded after", json!({"status": "RESOLVED"})),
        )
        .await;
    assert_eq!(past["status"], "RESOLVED");
    let (_, draft) = app
        .post("/api/v1/incidents", open("Draft", json!({"draft": true})))
        .await;
    let titles = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|i| i["title"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, public) = app.request(Method::GET, "/api/v1/incidents", None, false).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(titles(&public), ["First", "Second", "Recorded after"]);
    let (_, admin) = app.get("/api/v1/incidents").await;
    assert_eq!(titles(&admin), ["First", "Second", "Draft", "Recorded after"]);
    let draft_path = format!("/api/v1/incidents/{}", draft["id"]);
    assert_eq!(
        app.request(Method::GET, &draft_path, None, false).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&draft_path).await.0, StatusCode::OK);
    let (status, one) = app
        .request(Method::GET, &format!("/api/v1/incidents/{}", first["id"]), None, false)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["title"], "First");
    // Deleting one opened by mistake.
    assert_eq!(
        app.delete(&format!("/api/v1/incidents/{}", second["id"])).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&format!("/api/v1/incidents/{}", second["id"])).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, _) = app
        .request(
            Method::POST,
            "/api/v1/incidents",
            Some(open("No token", json!({}))),
            false,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_incident_input_is_a_422_naming_the_field_and_saves_nothing() {
    let app = spawn_app().await;
    app.monitor("api").await;
    for (body, field) in [
        (json!({"title": "", "body": "x"}), "title"),
        (json!({"title": "A\nB", "body": "x"}), "title"),
        (json!({"title": "T", "body": " "}), "body"),
        (json!({"title": "T", "body": "x", "status": "FIXED"}), "status"),
        (
            json!({"title": "T", "body": "x", "monitors": [{"slug": "nope"}]}),
            "monitors[0].slug",
        ),
        (
            json!({"title": "T", "body": "x", "monitors": [{"slug": "api", "impact": "MAINTENANCE"}]}),
            "monitors[0].impact",
        ),
        (
            json!({"title": "T", "body": "x", "monitors": [{"slug": "api"}, {"slug": "api"}]}),
            "monitors[1].slug",
        ),
        (
            json!({"title": "T", "body": "x", "status": "RESOLVED", "draft": true}),
            "draft",
        ),
    ] {
        let (status, err) = app.post("/api/v1/incidents", body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body} -> {err}");
        assert_eq!(err["field"], field, "{body} -> {err}");
    }
    let (_, list) = app.get("/api/v1/incidents").await;
    assert_eq!(list, json!([]));
    let (_, incident) = app.post("/api/v1/incidents", json!({"title": "T", "body": "x"})).await;
    let (status, err) = app
        .post(
            &format!("/api/v1/incidents/{}/updates", incident["id"]),
            json!({"status": "SOLVED", "body": "y"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "status");
    assert_eq!(
        app.post("/api/v1/incidents/99999/updates", json!({"body": "y"}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/api/v1/incidents/abc").await.0, StatusCode::NOT_FOUND);
    // A body is an object: an array is not read into the fields by position.
    let (status, err) = app
        .patch(&format!("/api/v1/incidents/{}", incident["id"]), json!([null, null]))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "body");
    let (status, _) = app.post("/api/v1/incidents", json!(["T", null, "x"])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, one) = app.get(&format!("/api/v1/incidents/{}", incident["id"])).await;
    assert_eq!(
        one["updates"].as_array().unwrap().len(),
        1,
        "the refused update left nothing"
    );
}

/// `GET /api/v1/monitors/{slug}/maintenance` once the page's snapshot says `in_maintenance`
/// is `want` (it is rebuilt after each change and at each boundary, a moment later).
async fn flag_when(app: &TestApp, slug: &str, want: bool) -> (reqwest::header::HeaderMap, Value) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let resp = app
            .http
            .get(format!("{}/api/v1/monitors/{slug}/maintenance", app.base))
            .send()
            .await
            .unwrap();
        // A monitor created a moment ago is on the page once its snapshot is rebuilt.
        let known = resp.status() != StatusCode::NOT_FOUND;
        assert!(!known || resp.status() == StatusCode::OK, "{}", resp.status());
        let headers = resp.headers().clone();
        let body: Value = resp.json().await.unwrap();
        if known && body["in_maintenance"] == want {
            return (headers, body);
        }
        assert!(std::time::Instant::now() < deadline, "still {body}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_monitors_maintenance_flag_is_set_while_an_event_affects_it_and_served_with_an_etag() {
    let app = spawn_app().await;
    app.monitor("api").await;
    app.monitor("db").await;
    let (headers, body) = flag_when(&app, "api", false).await;
    assert_eq!(
        body,
        json!({"in_maintenance": false, "event": null, "impact": null, "until": null})
    );
    assert_eq!(headers["cache-control"], "max-age=5");
    assert_eq!(headers["x-lull-in-maintenance"], "false");
    let idle_etag = headers["etag"].to_str().unwrap().to_string();

    let m = app
        .maintenance(
            json!({"title": "Failover", "start": "2026-05-10T13:00", "timezone": "UTC", "duration": 3600,
                            "monitors": [{"slug": "api", "impact": "DOWN"}, {"slug": "db", "impact": "UP"}]}),
        )
        .await;
    let ev = m["events"][0]["id"].as_i64().unwrap();
    app.clock.set(utc("2026-05-10T13:00:00Z"));
    let (headers, body) = flag_when(&app, "api", true).await;
    assert_eq!(headers["x-lull-in-maintenance"], "true");
    assert_eq!(body["event"]["id"], ev);
    assert_eq!(body["event"]["title"], "Failover");
    assert_eq!(body["impact"], "DOWN");
    assert_eq!(body["until"], "2026-05-10T14:00:00Z");
    let etag = headers["etag"].to_str().unwrap().to_string();
    assert_ne!(etag, idle_etag);
    // An impact of UP is still maintenance in progress for that monitor.
    let (_, db) = flag_when(&app, "db", true).await;
    assert_eq!(db["impact"], "UP");

    // A proxy asking again with the ETag it has gets a 304 while nothing changed.
    let resp = app
        .http
        .get(format!("{}/api/v1/monitors/api/maintenance", app.base))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(resp.headers()["x-lull-in-maintenance"], "true");

    // Extended by half an hour: the flag says so (and its ETag changes).
    let (status, body) = app
        .post(&format!("/api/v1/events/{ev}/extend"), json!({"seconds": 1800}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let (headers, body) = flag_when(&app, "api", true).await;
        if body["until"] == "2026-05-10T14:30:00Z" {
            assert_ne!(headers["etag"].to_str().unwrap(), etag);
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never extended: {body}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // Once it ends, the flag is down again.
    app.clock.set(utc("2026-05-10T14:30:00Z"));
    let (headers, _) = flag_when(&app, "api", false).await;
    assert_eq!(headers["x-lull-in-maintenance"], "false");

    let (status, body) = app.get("/api/v1/monitors/nope/maintenance").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");
}
