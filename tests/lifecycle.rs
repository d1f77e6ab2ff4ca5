//! The event lifecycle end to end: the scheduler on an injected clock, operator actions,
//! schedule edits, skips, the rolling horizon and catch-up after downtime.

mod common;

use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, Utc};
use common::*;
use lull::domain::lifecycle::CancelReason;
use lull::scheduler;
use lull::service::maintenances::{MaintenanceInput, MonitorImpactInput};
use lull::service::{Actor, horizon, maintenances};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn one_time(app: &TestApp, start: &str, duration: i64, monitors: Value) -> (i64, i64) {
    let m = app
        .maintenance(
            json!({"title": "Window", "start": start, "timezone": "UTC", "duration": duration, "monitors": monitors}),
        )
        .await;
    (m["id"].as_i64().unwrap(), m["events"][0]["id"].as_i64().unwrap())
}

async fn event(app: &TestApp, id: i64) -> Value {
    let (status, e) = app.get(&format!("/api/v1/events/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    e
}

fn shown(status: &Value, slug: &str) -> String {
    status["monitors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["slug"] == slug)
        .map(|m| m["effective_status"].as_str().unwrap().to_string())
        .unwrap()
}

#[tokio::test]
async fn the_scheduler_moves_an_event_through_its_lifecycle_at_each_boundary() {
    let app = spawn_app().await; // 12:00Z
    app.monitor("api").await;
    let (_, ev) = one_time(
        &app,
        "2026-05-10T14:00",
        3600,
        json!([{"slug": "api", "impact": "MAINTENANCE"}]),
    )
    .await;
    assert_eq!(app.stored_status(ev).await, "SCHEDULED");

    app.clock.set(utc("2026-05-10T12:59:59Z"));
    let applied = lull::scheduler::apply_due(&app.services).await.unwrap();
    assert!(applied.is_empty(), "{applied:?}");
    assert_eq!(
        app.stored_status(ev).await,
        "SCHEDULED",
        "one second before the reminder lead"
    );
    assert_eq!(event(&app, ev).await["status"], "SCHEDULED");

    app.clock.set(utc("2026-05-10T13:00:00Z"));
    app.wait_stored(ev, "READY").await;
    assert_eq!(event(&app, ev).await["status"], "READY");
    let (_, status) = app.get("/api/v1/status").await;
    assert_eq!(status["upcoming"][0]["status"], "READY");
    assert_eq!(shown(&status, "api"), "UP");

    app.clock.set(utc("2026-05-10T14:00:00Z"));
    app.wait_stored(ev, "ONGOING").await;
    let (_, status) = app.get("/api/v1/status").await;
    assert_eq!(shown(&status, "api"), "MAINTENANCE");
    assert_eq!(status["ongoing"][0]["id"], ev);
    assert_eq!(status["upcoming"], json!([]));

    app.clock.set(utc("2026-05-10T15:00:00Z"));
    app.wait_stored(ev, "COMPLETED").await;
    let (_, status) = app.get("/api/v1/status").await;
    assert_eq!(shown(&status, "api"), "UP");
    assert_eq!(status["ongoing"], json!([]));
}

#[tokio::test]
async fn with_the_real_clock_the_scheduler_wakes_for_each_boundary_and_never_before() {
    let app = launch(TestDb::with_system_clock().await).await;
    let start = Utc::now() + Duration::seconds(2);
    let local = start.format("%Y-%m-%dT%H:%M:%S").to_string();
    let m = app
        .maintenance(json!({"title": "Quick", "start": local, "timezone": "UTC", "duration": 2, "reminder_lead": 0}))
        .await;
    let ev = m["events"][0]["id"].as_i64().unwrap();
    let start = utc(m["events"][0]["start"].as_str().unwrap());
    // The deadline is far shorter than any pass the scheduler makes on its own (the
    // horizon's hour): only a sleep towards the boundary itself meets it. How soon after
    // the boundary is a matter for load, not for this test.
    for (status, boundary) in [("ONGOING", start), ("COMPLETED", start + Duration::seconds(2))] {
        let deadline = Instant::now() + StdDuration::from_secs(20);
        while app.stored_status(ev).await != status {
            assert!(Instant::now() < deadline, "never became {status}");
            tokio::time::sleep(StdDuration::from_millis(20)).await;
        }
        assert!(Utc::now() >= boundary, "{status} applied before its boundary");
    }
}

#[tokio::test]
async fn starting_now_can_set_another_end_and_refuses_one_in_the_past() {
    let app = spawn_app().await;
    let (_, ev) = one_time(&app, "2026-05-10T18:00", 7200, json!([])).await;
    let (status, e) = app
        .post(
            &format!("/api/v1/events/{ev}/start"),
            json!({"end": "2026-05-10T11:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field"], "end");
    // An empty body is allowed: scripts just POST.
    let (status, e) = app
        .request(reqwest::Method::POST, &format!("/api/v1/events/{ev}/start"), None, true)
        .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(
        (e["start"].as_str(), e["end"].as_str()),
        (Some("2026-05-10T12:00:00Z"), Some("2026-05-10T14:00:00Z"))
    );

    let (_, ev) = one_time(&app, "2026-05-11T18:00", 7200, json!([])).await;
    let (status, e) = app
        .post(
            &format!("/api/v1/events/{ev}/start"),
            json!({"end": "2026-05-10T12:45:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(
        (e["start"].as_str(), e["end"].as_str()),
        (Some("2026-05-10T12:00:00Z"), Some("2026-05-10T12:45:00Z"))
    );
    assert_eq!(e["status"], "ONGOING");
}

#[tokio::test]
async fn operators_can_start_early_extend_and_complete_early() {
    let app = spawn_app().await;
    app.monitor("db").await;
    let (_, ev) = one_time(
        &app,
        "2026-05-10T18:00",
        3600,
        json!([{"slug": "db", "impact": "DOWN"}]),
    )
    .await;

    let (status, e) = app.post(&format!("/api/v1/events/{ev}/start"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(e["status"], "ONGOING");
    assert_eq!(e["start"], "2026-05-10T12:00:00Z");
    assert_eq!(e["scheduled_start"], "2026-05-10T18:00:00Z");
    assert_eq!(
        e["end"], "2026-05-10T13:00:00Z",
        "starting six hours early keeps the planned hour: 12:00 to 13:00"
    );
    let (_, status) = app.get("/api/v1/status").await;
    assert_eq!(shown(&status, "db"), "DOWN");

    let (_, e) = app
        .post(&format!("/api/v1/events/{ev}/extend"), json!({"seconds": 1800}))
        .await;
    assert_eq!(e["end"], "2026-05-10T13:30:00Z");
    let (_, e) = app
        .post(
            &format!("/api/v1/events/{ev}/extend"),
            json!({"end": "2026-05-10T21:00:00Z"}),
        )
        .await;
    assert_eq!(e["end"], "2026-05-10T21:00:00Z");
    assert_eq!(
        e["scheduled_end"], "2026-05-10T19:00:00Z",
        "the plan is kept for adherence"
    );

    app.clock.set(utc("2026-05-10T13:15:00Z"));
    let (status, e) = app.post(&format!("/api/v1/events/{ev}/complete"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(e["status"], "COMPLETED");
    assert_eq!(e["end"], "2026-05-10T13:15:00Z");
    assert_eq!(app.stored_status(ev).await, "COMPLETED");
    let (_, status) = app.get("/api/v1/status").await;
    assert_eq!(shown(&status, "db"), "UP");
}

#[tokio::test]
async fn the_lifecycle_refuses_to_go_backwards() {
    let app = spawn_app().await;
    let (_, a) = one_time(&app, "2026-05-10T18:00", 3600, json!([])).await;
    let (_, b) = one_time(&app, "2026-05-10T11:30", 3600, json!([])).await; // ongoing now

    let (status, e) = app.post(&format!("/api/v1/events/{a}/cancel"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(e["status"], "CANCELLED");
    assert_eq!(e["cancel_reason"], "operator");
    for op in ["complete", "cancel", "start"] {
        let (status, err) = app.post(&format!("/api/v1/events/{a}/{op}"), json!({})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{op} a cancelled event");
        assert_eq!(err["error"], "conflict");
        assert!(err["message"].as_str().unwrap().contains("CANCELLED"), "{err}");
    }
    let (status, _) = app
        .post(&format!("/api/v1/events/{a}/extend"), json!({"seconds": 60}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (status, _) = app.post(&format!("/api/v1/events/{b}/start"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "already ongoing");
    let (status, err) = app
        .post(
            &format!("/api/v1/events/{b}/extend"),
            json!({"end": "2026-05-10T11:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "end");
    assert!(err["message"].as_str().unwrap().contains("after the event's start"));
    let (status, err) = app.post(&format!("/api/v1/events/{b}/extend"), json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "end");
    let (status, err) = app
        .post(&format!("/api/v1/events/{b}/extend"), json!({"seconds": 0}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "seconds");

    let (_, _) = app.post(&format!("/api/v1/events/{b}/complete"), json!({})).await;
    let (status, _) = app.post(&format!("/api/v1/events/{b}/cancel"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "a completed event cannot be cancelled");
    assert_eq!(event(&app, b).await["status"], "COMPLETED");
}

#[tokio::test]
async fn progress_updates_are_listed_newest_first_with_their_time() {
    let app = spawn_app().await;
    let (_, ev) = one_time(&app, "2026-05-10T11:00", 7200, json!([])).await;
    app.post(
        &format!("/api/v1/events/{ev}/updates"),
        json!({"body": "Primary switched over"}),
    )
    .await;
    app.clock.advance(Duration::minutes(20));
    let (status, e) = app
        .post(
            &format!("/api/v1/events/{ev}/updates"),
            json!({"body": "Replica catching up"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let updates = e["updates"].as_array().unwrap();
    assert_eq!(updates.len(), 2);
    assert_eq!(updates[0]["body"], "Replica catching up");
    assert_eq!(updates[0]["created_at"], "2026-05-10T12:20:00Z");
    assert_eq!(updates[1]["created_at"], "2026-05-10T12:00:00Z");
    assert_eq!(updates[0]["author"], "token:test");
    let (status, err) = app
        .post(&format!("/api/v1/events/{ev}/updates"), json!({"body": "  "}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "body");
}

async fn daily(app: &TestApp, start: &str, duration: i64) -> Value {
    app.maintenance(
        json!({"title": "Nightly", "start": start, "timezone": "UTC", "duration": duration, "rrule": "FREQ=DAILY"}),
    )
    .await
}

async fn events_of(app: &TestApp, id: &Value) -> Value {
    let (status, list) = app.get(&format!("/api/v1/maintenances/{id}/events")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list
}

#[tokio::test]
async fn a_recurring_maintenance_has_its_next_seven_days_and_an_ongoing_window() {
    let app = spawn_app().await; // Sunday 12:00Z
    let m = daily(&app, "2026-05-01T11:00", 7200).await;
    // 11:00–13:00 today is still running; the horizon ends Sunday 17 May 12:00.
    let list = events_of(&app, &m["id"]).await;
    assert_eq!(
        starts(&list),
        [
            "2026-05-10T11:00:00Z",
            "2026-05-11T11:00:00Z",
            "2026-05-12T11:00:00Z",
            "2026-05-13T11:00:00Z",
            "2026-05-14T11:00:00Z",
            "2026-05-15T11:00:00Z",
            "2026-05-16T11:00:00Z",
            "2026-05-17T11:00:00Z",
        ]
    );
    assert_eq!(list[0]["status"], "ONGOING");
}

#[tokio::test]
async fn editing_the_schedule_regenerates_future_events_and_keeps_history() {
    let app = spawn_app().await;
    let m = daily(&app, "2026-05-01T11:00", 7200).await;
    let id = &m["id"];
    let before = events_of(&app, id).await;
    let ongoing = before[0]["id"].clone();
    app.post(
        &format!("/api/v1/events/{}/updates", before[1]["id"]),
        json!({"body": "prep"}),
    )
    .await;

    let (status, edited) = app
        .patch(
            &format!("/api/v1/maintenances/{id}"),
            json!({"start": "2026-05-01T15:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    let after = events_of(&app, id).await;
    assert_eq!(after[0]["id"], ongoing, "the ongoing event is history and stays");
    assert_eq!(after[0]["start"], "2026-05-10T11:00:00Z");
    assert_eq!(after[0]["end"], "2026-05-10T13:00:00Z");
    // Tomorrow's 11:00 window had a progress update: it is called off, not erased.
    let after_list = after.as_array().unwrap();
    let prepared: Vec<&serde_json::Value> = after_list.iter().filter(|e| e["id"] == before[1]["id"]).collect();
    assert_eq!(prepared.len(), 1, "{after:?}");
    assert_eq!(prepared[0]["status"], "CANCELLED");
    assert_eq!(prepared[0]["cancel_reason"], "rescheduled");
    let future: Vec<String> = after_list[1..]
        .iter()
        .filter(|e| e["status"] != "CANCELLED")
        .map(|e| e["start"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        future,
        [
            "2026-05-10T15:00:00Z",
            "2026-05-11T15:00:00Z",
            "2026-05-12T15:00:00Z",
            "2026-05-13T15:00:00Z",
            "2026-05-14T15:00:00Z",
            "2026-05-15T15:00:00Z",
            "2026-05-16T15:00:00Z",
        ]
    );

    // A longer duration on the same starts keeps the events (and their ids) and moves the end.
    let ids_before = ids(&after);
    app.patch(&format!("/api/v1/maintenances/{id}"), json!({"duration": 10800}))
        .await;
    let longer = events_of(&app, id).await;
    assert_eq!(ids(&longer), ids_before);
    assert_eq!(longer[1]["end"], "2026-05-10T18:00:00Z");
    assert_eq!(
        longer[0]["end"], "2026-05-10T13:00:00Z",
        "the ongoing one keeps its end"
    );
}

#[tokio::test]
async fn a_schedule_edit_keeps_an_operators_extension_that_reaches_past_the_new_end() {
    let app = spawn_app().await; // 12:00Z
    let m = daily(&app, "2026-05-01T15:00", 3600).await;
    let id = &m["id"];
    let today = events_of(&app, id).await[0]["id"].as_i64().unwrap();
    let (status, e) = app
        .post(
            &format!("/api/v1/events/{today}/extend"),
            json!({"end": "2026-05-10T18:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{e}");

    // Windows of an hour and a half: the extension to 18:00 still reaches further.
    let (status, body) = app
        .patch(&format!("/api/v1/maintenances/{id}"), json!({"duration": 5400}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, e) = app.get(&format!("/api/v1/events/{today}")).await;
    assert_eq!(e["end"], "2026-05-10T18:00:00Z", "the operator's extension survives");
    assert_eq!(e["scheduled_end"], "2026-05-10T16:30:00Z", "the plan moved");
    let (_, tomorrow) = app.get(&format!("/api/v1/events/{}", today + 1)).await;
    assert_eq!(
        tomorrow["end"], "2026-05-11T16:30:00Z",
        "windows nobody extended follow the plan"
    );

    // Windows of four hours end later than the extension did: the plan wins.
    app.patch(&format!("/api/v1/maintenances/{id}"), json!({"duration": 14400}))
        .await;
    let (_, e) = app.get(&format!("/api/v1/events/{today}")).await;
    assert_eq!(e["end"], "2026-05-10T19:00:00Z");
}

#[tokio::test]
async fn a_write_based_on_a_stale_read_loses_to_the_operator_action_in_between() {
    // The scheduler and schedule edits read events without locking them, then write with
    // a compare-and-set on the times and status they read. When an operator acts between
    // the read and the write, the write must be refused, never applied over the action.
    use lull::store::events::{self, Change};
    let app = spawn_app().await; // 12:00Z
    let now = app.services.now();
    for (action, body, status, start, end) in [
        (
            "extend",
            json!({"seconds": 1800}),
            "SCHEDULED",
            "2026-05-10T14:00:00Z",
            "2026-05-10T15:30:00Z",
        ),
        (
            "start",
            json!({}),
            "ONGOING",
            "2026-05-10T12:00:00Z",
            "2026-05-10T13:00:00Z",
        ),
        (
            "cancel",
            json!({}),
            "CANCELLED",
            "2026-05-10T14:00:00Z",
            "2026-05-10T15:00:00Z",
        ),
    ] {
        let (_, ev) = one_time(&app, "2026-05-10T14:00", 3600, json!([])).await;
        let mut conn = app.store.conn().await.unwrap();
        let stale = events::get(&mut conn, ev).await.unwrap().unwrap();
        let (code, e) = app.post(&format!("/api/v1/events/{ev}/{action}"), json!(body)).await;
        assert_eq!(code, StatusCode::OK, "{action}: {e}");
        // What a schedule edit that read the event before the action would write: the
        // window shortened to half an hour, or dropped as no longer planned.
        let shorter = Change {
            scheduled_end: stale.scheduled_end - chrono::Duration::minutes(30),
            end_at: stale.end_at - chrono::Duration::minutes(30),
            ..Change::cancelled(&stale, now, CancelReason::Rescheduled)
        };
        let shorter = Change {
            status: stale.status,
            cancelled_at: None,
            cancel_reason: None,
            ..shorter
        };
        for write in [shorter, Change::cancelled(&stale, now, CancelReason::Rescheduled)] {
            assert!(
                !events::change(&mut conn, &stale, &write, now).await.unwrap(),
                "after {action}: a write from a stale read went through"
            );
        }
        let (_, e) = app.get(&format!("/api/v1/events/{ev}")).await;
        assert_eq!(
            (e["status"].as_str(), e["start"].as_str(), e["end"].as_str()),
            (Some(status), Some(start), Some(end)),
            "the operator's {action} stands"
        );
    }
}

#[tokio::test]
async fn of_two_operator_actions_at_once_one_wins_and_the_other_is_told_of_the_conflict() {
    let app = spawn_app().await; // 12:00Z
    for _ in 0..5 {
        let (_, ev) = one_time(&app, "2026-05-10T11:30", 3600, json!([])).await; // ongoing
        let (to_complete, to_cancel) = (
            format!("/api/v1/events/{ev}/complete"),
            format!("/api/v1/events/{ev}/cancel"),
        );
        let (complete, cancel) = tokio::join!(app.post(&to_complete, json!({})), app.post(&to_cancel, json!({})),);
        let mut codes = [complete.0, cancel.0];
        codes.sort();
        assert_eq!(codes, [StatusCode::OK, StatusCode::CONFLICT], "{complete:?} {cancel:?}");
        let winner = if complete.0 == StatusCode::OK {
            "COMPLETED"
        } else {
            "CANCELLED"
        };
        let (_, e) = app.get(&format!("/api/v1/events/{ev}")).await;
        assert_eq!(e["status"], winner);
        let recorded: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE target = 'event' AND target_id = $1
               AND action IN ('event.complete', 'event.cancel')",
        )
        .bind(ev)
        .fetch_one(&app.store.pool)
        .await
        .unwrap();
        assert_eq!(recorded, 1, "one action applied, one recorded");
    }
}

#[tokio::test]
async fn deactivating_cancels_future_events_and_reactivating_brings_them_back() {
    let app = spawn_app().await;
    let m = daily(&app, "2026-05-01T11:00", 7200).await;
    let id = &m["id"];
    let (_, off) = app
        .patch(&format!("/api/v1/maintenances/{id}"), json!({"status": "INACTIVE"}))
        .await;
    assert_eq!(off["status"], "INACTIVE");
    let list = events_of(&app, id).await;
    assert_eq!(list[0]["status"], "ONGOING", "an ongoing window is not cut short");
    assert!(
        list.as_array().unwrap()[1..]
            .iter()
            .all(|e| e["status"] == "CANCELLED" && e["cancel_reason"] == "deactivated")
    );
    let (_, status) = app.get("/api/v1/status").await;
    assert_eq!(status["upcoming"], json!([]));

    app.patch(&format!("/api/v1/maintenances/{id}"), json!({"status": "ACTIVE"}))
        .await;
    let list = events_of(&app, id).await;
    assert_eq!(list.as_array().unwrap().len(), 8);
    assert!(list.as_array().unwrap()[1..].iter().all(|e| e["status"] == "SCHEDULED"));
}

#[tokio::test]
async fn a_skipped_occurrence_is_never_generated_even_beyond_the_horizon() {
    let app = spawn_app().await;
    let m = app
        .maintenance(
            json!({"title": "Weekly", "start": "2026-05-11T03:00", "timezone": "Europe/Berlin",
                            "duration": 3600, "rrule": "FREQ=WEEKLY;BYDAY=MO"}),
        )
        .await;
    let id = m["id"].as_i64().unwrap();
    // Monday 25 May is beyond the horizon; skip it by its local time.
    let (status, skipped) = app
        .post(
            &format!("/api/v1/maintenances/{id}/skip"),
            json!({"start": "2026-05-25T03:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{skipped}");
    assert_eq!(skipped["skipped"], json!(["2026-05-25T01:00:00Z"]));
    // And the one inside the horizon by its UTC start: its event is cancelled.
    let (status, _) = app
        .post(
            &format!("/api/v1/maintenances/{id}/skip"),
            json!({"start": "2026-05-11T01:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let first = &events_of(&app, &json!(id)).await[0];
    assert_eq!(first["status"], "CANCELLED");
    assert_eq!(first["cancel_reason"], "skipped");

    let (status, err) = app
        .post(
            &format!("/api/v1/maintenances/{id}/skip"),
            json!({"start": "2026-05-12T03:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a Tuesday is no occurrence");
    assert_eq!(err["field"], "start");

    // When 25 May comes into the horizon it is left out, and later Mondays are not.
    app.clock.set(utc("2026-05-24T12:00:00Z"));
    horizon::pass(&app.services).await.unwrap();
    app.clock.set(utc("2026-06-01T00:00:00Z"));
    horizon::pass(&app.services).await.unwrap();
    let list = events_of(&app, &json!(id)).await;
    let all = starts(&list);
    assert!(!all.contains(&"2026-05-25T01:00:00Z".to_string()), "{all:?}");
    assert!(all.contains(&"2026-06-01T01:00:00Z".to_string()), "{all:?}");
    assert_eq!(
        all.iter().filter(|s| s.as_str() == "2026-05-11T01:00:00Z").count(),
        1,
        "never regenerated"
    );
}

#[tokio::test]
async fn a_cancelled_occurrence_stays_cancelled_across_horizon_passes() {
    let app = spawn_app().await;
    let m = daily(&app, "2026-05-01T20:00", 3600).await;
    let list = events_of(&app, &m["id"]).await;
    let today = list[0]["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/events/{today}/cancel"), json!({})).await;
    horizon::pass(&app.services).await.unwrap();
    horizon::pass(&app.services).await.unwrap();
    let again = events_of(&app, &m["id"]).await;
    assert_eq!(ids(&again), ids(&list));
    assert_eq!(again[0]["status"], "CANCELLED");
}

#[tokio::test]
async fn the_horizon_rolls_forward_as_time_passes() {
    let app = spawn_app().await;
    let m = daily(&app, "2026-05-01T20:00", 3600).await;
    assert_eq!(events_of(&app, &m["id"]).await.as_array().unwrap().len(), 7);
    // Three days later the scheduler's hourly pass has added three more days.
    app.clock.set(utc("2026-05-13T12:00:00Z"));
    let deadline = Instant::now() + StdDuration::from_secs(5);
    loop {
        let list = events_of(&app, &m["id"]).await;
        if starts(&list).last().map(String::as_str) == Some("2026-05-19T20:00:00Z") {
            assert_eq!(list.as_array().unwrap().len(), 10);
            break;
        }
        assert!(Instant::now() < deadline, "horizon did not roll: {:?}", starts(&list));
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn events_filter_by_time_status_and_monitor() {
    let app = spawn_app().await;
    app.monitor("api").await;
    app.monitor("web").await;
    let (_, ongoing) = one_time(
        &app,
        "2026-05-10T11:00",
        7200,
        json!([{"slug": "api", "impact": "MAINTENANCE"}]),
    )
    .await;
    let (_, later) = one_time(
        &app,
        "2026-05-12T11:00",
        3600,
        json!([{"slug": "web", "impact": "DEGRADED"}]),
    )
    .await;
    let (_, much_later) = one_time(
        &app,
        "2026-06-12T11:00",
        3600,
        json!([{"slug": "api", "impact": "DOWN"}]),
    )
    .await;

    let (_, l) = app.get("/api/v1/events?status=ONGOING").await;
    assert_eq!(ids(&l), [ongoing]);
    let (_, l) = app.get("/api/v1/events?status=scheduled").await;
    assert_eq!(ids(&l), [later, much_later]);
    let (_, l) = app.get("/api/v1/events?monitor=api").await;
    assert_eq!(ids(&l), [ongoing, much_later]);
    let (_, l) = app
        .get("/api/v1/events?from=2026-05-11T00:00:00Z&to=2026-05-31T00:00:00Z")
        .await;
    assert_eq!(ids(&l), [later]);
    let (status, err) = app.get("/api/v1/events?status=SOON").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "status");
    let (status, err) = app.get("/api/v1/events?from=yesterday").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "from");
}

#[tokio::test]
async fn an_ongoing_impact_overrides_the_monitors_own_status_most_severe_first() {
    let app = spawn_app().await;
    app.monitor("api").await;
    app.monitor("db").await;
    app.monitor("cdn").await;
    app.patch("/api/v1/monitors/db", json!({"status": "DOWN"})).await;
    app.patch("/api/v1/monitors/cdn", json!({"status": "DOWN"})).await;
    one_time(&app, "2026-05-10T11:00", 7200, json!([{"slug": "api", "impact": "MAINTENANCE"}, {"slug": "db", "impact": "MAINTENANCE"}, {"slug": "cdn", "impact": "UP"}])).await;
    one_time(
        &app,
        "2026-05-10T11:30",
        7200,
        json!([{"slug": "api", "impact": "DEGRADED"}]),
    )
    .await;
    let (_, status) = app.get("/api/v1/status").await;
    assert_eq!(
        shown(&status, "api"),
        "DEGRADED",
        "the most severe of two overlapping impacts"
    );
    assert_eq!(
        shown(&status, "db"),
        "MAINTENANCE",
        "planned downtime shows as maintenance"
    );
    assert_eq!(shown(&status, "cdn"), "DOWN", "an impact of UP hides nothing");
    let db = status["monitors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["slug"] == "db")
        .unwrap();
    assert_eq!(db["status"], "DOWN", "the own status is still reported");
    assert_eq!(status["ongoing"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn sunday_3am_berlin_stays_3am_across_the_spring_change_in_stored_events() {
    let app = spawn_app_at(utc("2026-03-23T12:00:00Z")).await;
    let weekly = app
        .maintenance(
            json!({"title": "Sunday", "start": "2026-03-22T03:00", "timezone": "Europe/Berlin",
                            "duration": 3600, "rrule": "FREQ=WEEKLY;BYDAY=SU"}),
        )
        .await;
    assert_eq!(
        starts(&weekly["events"]),
        ["2026-03-29T01:00:00Z"],
        "03:00 CEST, not CET"
    );
    let gap = app
        .maintenance(
            json!({"title": "Gap", "start": "2026-03-28T02:30", "timezone": "Europe/Berlin",
                            "duration": 3600, "rrule": "FREQ=DAILY;COUNT=3"}),
        )
        .await;
    assert_eq!(
        starts(&gap["events"]),
        ["2026-03-28T01:30:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"]
    );
}

fn input(title: &str, start: &str, rrule: &str, duration: i64) -> MaintenanceInput {
    MaintenanceInput {
        title: title.into(),
        start: start.into(),
        timezone: "UTC".into(),
        duration,
        rrule: Some(rrule.into()),
        monitors: Vec::<MonitorImpactInput>::new(),
        ..Default::default()
    }
}

#[tokio::test]
async fn after_downtime_windows_that_passed_unseen_are_caught_up_silently() {
    let db = TestDb::new(t0()).await;
    let cli = Actor("cli".into());
    let past = maintenances::create(&db.services, &cli, input("Past", "2026-05-10T13:00", "", 3600))
        .await
        .unwrap();
    let running = maintenances::create(&db.services, &cli, input("Running", "2026-05-10T16:00", "", 7200))
        .await
        .unwrap();
    let past = past.events.unwrap()[0].id;
    let running = running.events.unwrap()[0].id;

    // The server was down from 12:00 to 17:00.
    db.clock.set(utc("2026-05-10T17:00:00Z"));
    let mut applied = scheduler::apply_due(&db.services).await.unwrap();
    applied.sort_by_key(|t| t.event_id);
    assert_eq!(applied.len(), 2);
    assert_eq!(
        (applied[0].event_id, applied[0].to.as_str(), applied[0].observed),
        (past, "COMPLETED", false)
    );
    assert_eq!(
        (applied[1].event_id, applied[1].to.as_str(), applied[1].observed),
        (running, "ONGOING", true)
    );
    assert!(
        scheduler::apply_due(&db.services).await.unwrap().is_empty(),
        "nothing is replayed"
    );
}

#[tokio::test]
async fn concurrent_scheduler_ticks_never_double_an_event_or_a_transition() {
    let db = TestDb::new(t0()).await;
    let cli = Actor("cli".into());
    for i in 0..30 {
        let mut m = input(&format!("M{i}"), "2026-05-01T11:00", "FREQ=DAILY", 7200);
        m.status = Some("INACTIVE".into());
        maintenances::create(&db.services, &cli, m).await.unwrap();
    }
    sqlx::query("UPDATE maintenances SET status = 'ACTIVE'")
        .execute(&db.store.pool)
        .await
        .unwrap();

    let passes = (0..6).map(|_| {
        let s = db.services.clone();
        tokio::spawn(async move { horizon::pass(&s).await.unwrap().inserted })
    });
    let inserted: u64 = futures_sum(passes).await;
    assert_eq!(inserted, 30 * 8, "each event was inserted by exactly one pass");
    assert_eq!(db.count("SELECT COUNT(*) FROM events").await, 30 * 8);
    assert_eq!(
        db.count("SELECT COUNT(*) FROM (SELECT maintenance_id, scheduled_start FROM events GROUP BY 1, 2 HAVING COUNT(*) > 1) d").await,
        0
    );

    let ticks = (0..6).map(|_| {
        let s = db.services.clone();
        tokio::spawn(async move { scheduler::apply_due(&s).await.unwrap().len() as u64 })
    });
    assert_eq!(
        futures_sum(ticks).await,
        30,
        "each ongoing event moved once, by one tick"
    );
}

async fn futures_sum(handles: impl Iterator<Item = tokio::task::JoinHandle<u64>>) -> u64 {
    let mut total = 0;
    for h in handles.collect::<Vec<_>>() {
        total += h.await.unwrap();
    }
    total
}

#[tokio::test]
#[ignore = "PostgreSQL only: run with LULL_TEST_DATABASE_URL set and -- --include-ignored (.ci/run does)"]
async fn on_postgres_a_change_on_one_replica_wakes_the_others() {
    let a = TestDb::new(t0()).await;
    postgres_only(&a);
    let b_store = lull::app::open_store(&a.url).await.unwrap();
    let b = lull::service::Services::new(b_store.clone(), std::sync::Arc::new(a.clock.clone()));
    let shutdown = tokio_util::sync::CancellationToken::new();
    let relay = tokio::spawn(b.clone().relay_changes(shutdown.clone()));
    tokio::time::sleep(StdDuration::from_millis(300)).await; // let B start listening
    let woken = b.page_changes.notified();
    lull::service::monitors::create(
        &a.services,
        &Actor("cli".into()),
        lull::service::monitors::MonitorInput {
            name: "API".into(),
            slug: "api".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    tokio::time::timeout(StdDuration::from_secs(5), woken)
        .await
        .expect("replica B heard of the change");
    shutdown.cancel();
    relay.await.unwrap();
}
