//! The dashboard as a person uses it, over HTTP: times in the plan's own zone, forms that
//! redirect after saving, errors beside their field in the form's words, skipping a
//! window, signing in from a deep link, and HTML error pages. Now is Sun 10 May 2026,
//! 12:00 UTC (14:00 in Berlin).

mod common;

use common::pages::*;
use common::*;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION};
use serde_json::json;

/// Posts a dashboard form with the session's CSRF token (read from `form_page`).
async fn post_form(
    app: &TestApp,
    cookie: &str,
    form_page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let csrf = hidden_csrf(&admin_get(app, cookie, form_page).await);
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    no_redirects()
        .post(format!("{}{action}", app.base))
        .header("cookie", cookie)
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// The schedule form for a one-time window in Berlin, `hours` long.
fn once<'a>(title: &'a str, start: &'a str, hours: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("start", start),
        ("timezone", "Europe/Berlin"),
        ("hours", hours),
        ("minutes", "0"),
        ("mode", "once"),
        ("lead_minutes", "60"),
        ("status", "ACTIVE"),
        ("action", "save"),
    ]
}

fn weekly_berlin() -> serde_json::Value {
    json!({"title": "Weekly patching", "start": "2026-05-17T03:00", "timezone": "Europe/Berlin",
           "duration": 7200, "rrule": "FREQ=WEEKLY;BYDAY=SU"})
}

#[tokio::test]
async fn the_dashboard_shows_windows_in_the_plans_zone_with_the_weekday_and_utc() {
    let app = spawn_app().await;
    let cookie = signed_in(&app).await;
    let m = app.maintenance(weekly_berlin()).await;
    let id = m["id"].as_i64().unwrap();
    // 03:00 on Sunday 17 May in Berlin is summer time (CEST, UTC+2): 01:00–03:00 UTC.
    for path in [
        format!("/admin/maintenances/{id}"),
        "/admin/events".into(),
        "/admin".into(),
    ] {
        let html = admin_get(&app, &cookie, &path).await;
        assert!(html.contains("Sun 17 May 2026, 03:00–05:00 CEST"), "{path}:\n{html}");
        assert!(html.contains("01:00–03:00 UTC"), "{path}");
        assert!(!html.contains("2026-05-17T01:00:00Z<"), "{path} shows a raw instant");
    }
    let list = admin_get(&app, &cookie, "/admin/maintenances").await;
    assert!(
        list.contains("Sun 17 May 2026, 03:00 CEST"),
        "next window in the plan's zone:\n{list}"
    );
    assert!(
        list.contains("Weekly on Sun at 03:00, Europe/Berlin"),
        "the schedule in words:\n{list}"
    );
    assert!(!list.contains("FREQ="), "no raw RRULE in the list");
    let plan = admin_get(&app, &cookie, &format!("/admin/maintenances/{id}")).await;
    assert!(
        plan.contains("RRULE:FREQ=WEEKLY;BYDAY=SU"),
        "the raw rule on the plan's own page"
    );
}

#[tokio::test]
async fn the_preview_lists_windows_from_now_on_and_marks_skipped_ones_without_javascript() {
    let app = spawn_app().await;
    let cookie = signed_in(&app).await;
    // A plan that began in March: its preview starts at the next window, not in March.
    let mut old = weekly_berlin();
    old["start"] = json!("2026-03-01T03:00");
    let id = app.maintenance(old).await["id"].as_i64().unwrap();
    let skipped = post_form(
        &app,
        &cookie,
        &format!("/admin/maintenances/{id}"),
        &format!("/admin/maintenances/{id}/skip"),
        &[("start", "2026-05-24T01:00:00Z")],
    )
    .await;
    assert_eq!(skipped.status(), StatusCode::SEE_OTHER);
    let html = admin_get(&app, &cookie, skipped.headers()[LOCATION].to_str().unwrap()).await;
    assert!(
        html.contains("That window is skipped"),
        "a confirmation after the action"
    );
    let preview = html
        .split("id=\"preview\"")
        .nth(1)
        .unwrap()
        .split("</ol>")
        .next()
        .unwrap();
    assert!(!preview.contains("Mar 2026"), "preview starts in the past:\n{preview}");
    assert!(preview.contains("Sun 17 May 2026, 03:00–05:00 CEST"), "{preview}");
    assert!(
        preview.contains("<s>Sun 24 May 2026, 03:00–05:00 CEST</s> — skipped"),
        "skipped window marked:\n{preview}"
    );
    let list = html.split("id=\"skipped\"").nth(1).unwrap();
    assert!(
        list.contains("Sun 24 May 2026, 03:00 CEST"),
        "skipped dates listed on the plan"
    );
}

#[tokio::test]
async fn saving_redirects_so_a_reload_does_not_save_twice() {
    let app = spawn_app().await;
    let cookie = signed_in(&app).await;
    let fields = once("Reload test", "2026-05-20T03:00", "1");
    let resp = post_form(&app, &cookie, "/admin/maintenances/new", "/admin/maintenances", &fields).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let to = resp.headers()[LOCATION].to_str().unwrap().to_string();
    assert!(to.ends_with("?done=scheduled"), "{to}");
    // The reload is a GET of that address: nothing is created again.
    let html = admin_get(&app, &cookie, &to).await;
    assert!(html.contains("Maintenance scheduled."));
    assert_eq!(app.count("SELECT COUNT(*) FROM maintenances").await, 1);

    let resp = post_form(
        &app,
        &cookie,
        "/admin/tokens",
        "/admin/tokens",
        &[("name", "deploy-bot")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let carried = cookie_of(&resp, "lull_new_token").unwrap();
    let both = format!("{cookie}; {carried}");
    let first = admin_get(&app, &both, "/admin/tokens").await;
    assert!(
        first.contains("shown only this once") && first.contains("lull_"),
        "{first}"
    );
    let again = admin_get(&app, &cookie, "/admin/tokens").await;
    assert!(!again.contains("shown only this once"), "the secret is shown once");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM api_tokens WHERE name = 'deploy-bot'")
            .await,
        1
    );
}

#[tokio::test]
async fn form_errors_sit_beside_their_fields_in_the_forms_words_with_a_summary() {
    let app = spawn_app().await;
    let cookie = signed_in(&app).await;
    let long_title = "A title the admin took care to type";
    let fields = once(long_title, "", "0");
    let resp = post_form(&app, &cookie, "/admin/maintenances/new", "/admin/maintenances", &fields).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("2 fields need attention"), "{html}");
    assert!(html.contains("href=\"#start\"") && html.contains("href=\"#hours\""));
    assert!(html.contains("enter the date and time of the first window"));
    assert!(
        html.contains("enter a length between 1 minute and 31 days"),
        "the form's units, not seconds"
    );
    assert!(!html.contains("0 seconds"));
    assert!(
        html.contains(&format!("value=\"{long_title}\"")),
        "the typed title is kept"
    );

    // An update too long for the server keeps its text in the box.
    let m = app.maintenance(weekly_berlin()).await;
    let ev = m["events"][0]["id"].as_i64().unwrap();
    let body = format!("Progress: {}", "x".repeat(10_001));
    let page = format!("/admin/events/{ev}");
    let resp = post_form(
        &app,
        &cookie,
        &page,
        &format!("/admin/events/{ev}/updates"),
        &[("body", body.as_str())],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"body-error\""), "error beside the text box");
    assert!(html.contains(&body), "the update text is not thrown away");
    let resp = post_form(
        &app,
        &cookie,
        &page,
        &format!("/admin/events/{ev}/extend"),
        &[("minutes", "-10")],
    )
    .await;
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("id=\"minutes-error\"") && html.contains("value=\"-10\""),
        "{html}"
    );
    // An absurd number is an error beside the field, not a server fault.
    let resp = post_form(
        &app,
        &cookie,
        &page,
        &format!("/admin/events/{ev}/extend"),
        &[("minutes", "9223372036854775807")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.text().await.unwrap().contains("longer than 31 days"));
}

#[tokio::test]
async fn a_past_window_needs_confirming_and_start_now_keeps_the_length() {
    let app = spawn_app().await;
    let cookie = signed_in(&app).await;
    let fields = once("Backfill", "2025-05-01T03:00", "2");
    let resp = post_form(&app, &cookie, "/admin/maintenances/new", "/admin/maintenances", &fields).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("this window ended on Thu 1 May 2025, 05:00 CEST"),
        "{html}"
    );
    assert!(html.contains("name=\"record_past\""), "the admin is asked to confirm");
    let mut confirmed = fields.clone();
    confirmed.push(("record_past", "on"));
    let resp = post_form(
        &app,
        &cookie,
        "/admin/maintenances/new",
        "/admin/maintenances",
        &confirmed,
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);

    // Start now on a 2-hour window planned for tomorrow: it runs 12:00–14:00 UTC.
    let m = app
        .maintenance(
            json!({"title": "Early", "start": "2026-05-11T22:00", "timezone": "Europe/Berlin", "duration": 7200}),
        )
        .await;
    let ev = m["events"][0]["id"].as_i64().unwrap();
    let page = format!("/admin/events/{ev}");
    assert!(
        admin_get(&app, &cookie, &page)
            .await
            .contains("name=\"run_minutes\" type=\"number\" min=\"1\" max=\"44640\" value=\"120\"")
    );
    let resp = post_form(
        &app,
        &cookie,
        &page,
        &format!("/admin/events/{ev}/start"),
        &[("run_minutes", "120")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, e) = app.get(&format!("/api/v1/events/{ev}")).await;
    assert_eq!(
        (e["start"].as_str(), e["end"].as_str()),
        (Some("2026-05-10T12:00:00Z"), Some("2026-05-10T14:00:00Z"))
    );
}

#[tokio::test]
async fn signing_in_from_a_deep_link_returns_there() {
    let app = spawn_app().await;
    lull::service::admins::create(&app.services, "ops@example.com", "correct horse battery", false)
        .await
        .unwrap();
    let http = no_redirects();
    let resp = http.get(format!("{}/admin/events", app.base)).send().await.unwrap();
    let login = resp.headers()[LOCATION].to_str().unwrap().to_string();
    let form = http.get(format!("{}{login}", app.base)).send().await.unwrap();
    let pre = cookie_of(&form, "lull_csrf").unwrap();
    let html = form.text().await.unwrap();
    assert!(html.contains("name=\"next\" value=\"/admin/events\""), "{html}");
    let resp = http
        .post(format!("{}/admin/login", app.base))
        .header("cookie", pre)
        .form(&[
            ("csrf", hidden_csrf(&html).as_str()),
            ("email", "ops@example.com"),
            ("password", "correct horse battery"),
            ("next", "/admin/events"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()[LOCATION], "/admin/events");
}

#[tokio::test]
async fn browsers_get_html_error_pages_and_the_api_keeps_json() {
    let app = spawn_app().await;
    let cookie = signed_in(&app).await;
    for (path, with_cookie) in [
        ("/nope", false),
        ("/maintenance/abc", false),
        ("/admin/maintenances/abc", true),
        ("/admin/maintenances/999", true),
    ] {
        let mut req = app.http.get(format!("{}{path}", app.base));
        if with_cookie {
            req = req.header("cookie", &cookie);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(
            resp.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("text/html"),
            "{path}"
        );
        let html = resp.text().await.unwrap();
        assert!(html.contains("<a href=\"/"), "{path} links back:\n{html}");
        assert!(!html.contains("Cannot parse"), "{path}");
    }
    let resp = app.http.get(format!("{}/api/v1/nope", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(
        resp.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    // An expired form reads as a page, not as plain text.
    let resp = app
        .http
        .post(format!("{}/admin/monitors", app.base))
        .header("cookie", &cookie)
        .form(&[("csrf", "stale"), ("name", "X"), ("slug", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(resp.text().await.unwrap().contains("This form has expired"));
}

#[tokio::test]
async fn the_public_page_reads_right_in_german_and_keeps_cancelled_windows_labelled() {
    let app = spawn_app().await;
    let m = app.maintenance(weekly_berlin()).await;
    let first = m["events"][0]["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/events/{first}/cancel"), json!({})).await;
    let html = front_page_with(&app, "was planned for").await;
    assert!(
        html.contains("Cancelled — was planned for: <time datetime=\"2026-05-17T01:00:00Z\" data-end=\"2026-05-17T03:00:00Z\">Sun 17 May 2026, 03:00–05:00 CEST (01:00–03:00 UTC)</time>"),
        "{html}"
    );
    assert!(!html.contains("Ended"), "a window that never happened did not end");
    let resp = app
        .http
        .get(format!("{}/", app.base))
        .header("accept-language", "de-DE")
        .send()
        .await
        .unwrap();
    let german = resp.text().await.unwrap();
    assert!(german.contains("So 17. Mai 2026, 03:00–05:00 CEST"), "{german}");
}

#[tokio::test]
async fn a_bad_address_on_the_subscribe_form_comes_back_with_the_reason_beside_it() {
    let app = spawn_app().await;
    let resp = app
        .http
        .post(format!("{}/subscribe", app.base))
        .form(&[("email", "ops at example.org"), ("monitors", "api")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("value=\"ops at example.org\""),
        "the address is kept:\n{html}"
    );
    assert!(
        html.contains("id=\"subscribe-error\""),
        "the reason sits beside the field"
    );
    assert!(
        html.contains("name=\"monitors\" value=\"api\""),
        "the chosen services are kept"
    );
}

#[tokio::test]
async fn signing_up_redirects_so_a_reload_sends_nothing_again() {
    let app = spawn_app().await;
    let resp = no_redirects()
        .post(format!("{}/subscribe", app.base))
        .form(&[("email", "visitor@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()[LOCATION], "/subscribe/sent");
    let (status, html) = page(&app, "/subscribe/sent").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Check your inbox"));
    assert_eq!(app.count("SELECT COUNT(*) FROM subscribers").await, 1);
}

#[tokio::test]
async fn the_next_window_follows_what_operators_did() {
    let app = spawn_app().await;
    let m = app
        .maintenance(
            json!({"title": "Early", "start": "2026-05-11T22:00", "timezone": "Europe/Berlin", "duration": 7200}),
        )
        .await;
    let (id, ev) = (m["id"].as_i64().unwrap(), m["events"][0]["id"].as_i64().unwrap());
    assert_eq!(m["next_start"], "2026-05-11T20:00:00Z");
    // Started a day early, its window is the one running now, from 12:00 UTC.
    app.post(&format!("/api/v1/events/{ev}/start"), json!({})).await;
    let (_, m) = app.get(&format!("/api/v1/maintenances/{id}")).await;
    assert_eq!(m["next_start"], "2026-05-10T12:00:00Z");
    // Completed early, a one-time plan has no next window, though its planned one is ahead.
    app.post(&format!("/api/v1/events/{ev}/complete"), json!({})).await;
    let (_, m) = app.get(&format!("/api/v1/maintenances/{id}")).await;
    assert_eq!(m["next_start"], serde_json::Value::Null);
}

#[tokio::test]
async fn an_error_on_the_dashboard_is_laid_out_like_the_dashboard() {
    let app = spawn_app().await;
    let cookie = signed_in(&app).await;
    for path in ["/admin/maintenances/999", "/admin/monitors/nope", "/admin/events/999"] {
        let resp = app
            .http
            .get(format!("{}{path}", app.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
        let html = resp.text().await.unwrap();
        assert!(html.contains("That did not work"), "the dashboard's error page: {html}");
        assert!(
            html.contains("<link rel=\"stylesheet\" href=\"/static/") && html.contains("/style.css\">"),
            "{path} has the stylesheet:\n{html}"
        );
        assert!(html.contains("/admin.js\" defer></script>"), "{path}:\n{html}");
        assert!(
            html.contains("Sign out (ops@example.com)") && html.contains("href=\"/admin/maintenances\""),
            "{path} keeps the navigation of the signed-in admin:\n{html}"
        );
    }
}

#[tokio::test]
async fn a_form_with_a_wrong_csrf_token_changes_nothing() {
    let app = spawn_app().await;
    let cookie = signed_in(&app).await;
    app.monitor("api").await;
    let post = |path: &'static str, form: Vec<(&'static str, &'static str)>| {
        no_redirects()
            .post(format!("{}{path}", app.base))
            .header("cookie", &cookie)
            .form(&form)
            .send()
    };
    for (path, form) in [
        (
            "/admin/monitors",
            vec![("csrf", "forged"), ("name", "Web"), ("slug", "web")],
        ),
        (
            "/admin/monitors/api/delete",
            vec![("csrf", "forged"), ("confirm", "yes")],
        ),
        ("/admin/monitors/api/status", vec![("status", "DOWN")]),
        ("/admin/tokens", vec![("csrf", ""), ("name", "sneaky")]),
        ("/admin/logout", vec![("csrf", "forged")]),
    ] {
        let resp = post(path, form).await.unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{path}");
        assert!(resp.text().await.unwrap().contains("This form has expired"), "{path}");
    }
    let (_, monitors) = app.get("/api/v1/monitors").await;
    let monitors = monitors.as_array().unwrap();
    assert_eq!(monitors.len(), 1, "nothing added, nothing deleted: {monitors:?}");
    assert_eq!(monitors[0]["status"], "UP", "the status stays");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM api_tokens WHERE name = 'sneaky'").await,
        0
    );
    admin_get(&app, &cookie, "/admin").await; // still signed in

    // Before there is a session: the token must match the sign-in page's cookie.
    let http = no_redirects();
    let form = http.get(format!("{}/admin/login", app.base)).send().await.unwrap();
    let pre = cookie_of(&form, "lull_csrf").unwrap();
    let resp = http
        .post(format!("{}/admin/login", app.base))
        .header("cookie", pre)
        .form(&[
            ("csrf", "forged"),
            ("email", "ops@example.com"),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(cookie_of(&resp, "lull_session"), None, "not signed in");
}

#[tokio::test]
async fn a_form_missing_a_field_or_with_a_malformed_one_answers_beside_the_field() {
    let app = spawn_app().await;
    let cookie = signed_in(&app).await;
    // No slug at all: the form comes back with the reason under the slug field.
    let resp = post_form(&app, &cookie, "/admin/monitors", "/admin/monitors", &[("name", "Web")]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    let slug_field = html.split("id=\"slug\"").nth(1).expect("the slug field");
    let beside = slug_field.split("</p>").next().unwrap();
    assert!(
        beside.contains("<p class=\"error\">"),
        "an error right after the field:\n{html}"
    );
    assert!(html.contains("value=\"Web\""), "the typed name is kept");

    // Minutes that are not a number.
    let m = app.maintenance(weekly_berlin()).await;
    let ev = m["events"][0]["id"].as_i64().unwrap();
    let page = format!("/admin/events/{ev}");
    let resp = post_form(
        &app,
        &cookie,
        &page,
        &format!("/admin/events/{ev}/extend"),
        &[("minutes", "half an hour")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("id=\"minutes-error\"")
            && html.contains("&#39;half an hour&#39; is not a whole number of minutes"),
        "{html}"
    );

    // What no page of ours sends (a field twice) is refused in plain words, in the layout.
    let mut twice = once("One", "2026-06-01T03:00", "1");
    twice.push(("title", "Two"));
    let resp = post_form(&app, &cookie, "/admin/maintenances/new", "/admin/maintenances", &twice).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("The Title field was sent more than once"), "{html}");
    assert!(html.contains("/style.css\">"), "{html}");
    for serde_words in ["Failed to deserialize", "invalid type", "sequence"] {
        assert!(!html.contains(serde_words), "{serde_words}: {html}");
    }
    let (_, list) = app.get("/api/v1/maintenances").await;
    assert_eq!(list.as_array().unwrap().len(), 1, "nothing saved: {list}");
}

#[tokio::test]
async fn the_schedule_form_saves_the_ticked_monitors_with_their_impacts_and_the_weekdays() {
    let app = spawn_app().await;
    let cookie = signed_in(&app).await;
    app.monitor("api").await;
    app.monitor("web").await;
    let mut fields = once("Patching", "2026-05-17T03:00", "2");
    fields.retain(|(k, _)| *k != "mode");
    fields.extend([
        ("mode", "weekly"),
        ("interval", "1"),
        ("weekdays", "SU"),
        ("monitor", "api"),
        ("impact_api", "DOWN"),
        ("impact_web", "DEGRADED"),
        ("notify_start", "on"),
    ]);
    let resp = post_form(&app, &cookie, "/admin/maintenances/new", "/admin/maintenances", &fields).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, list) = app.get("/api/v1/maintenances").await;
    let m = &list[0];
    assert_eq!(m["rrule"], "FREQ=WEEKLY;BYDAY=SU", "{m}");
    assert_eq!(
        m["monitors"],
        json!([{"slug": "api", "name": "API", "impact": "DOWN"}]),
        "only the ticked one: {m}"
    );
    assert_eq!(
        (m["notify"]["start"].as_bool(), m["notify"]["completion"].as_bool()),
        (Some(true), Some(false)),
        "{m}"
    );

    // Two weekdays gather into one list.
    fields.push(("weekdays", "WE"));
    let resp = post_form(&app, &cookie, "/admin/maintenances/new", "/admin/maintenances", &fields).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, list) = app.get("/api/v1/maintenances").await;
    let rrules: Vec<_> = list.as_array().unwrap().iter().map(|m| m["rrule"].clone()).collect();
    assert!(rrules.contains(&json!("FREQ=WEEKLY;BYDAY=WE,SU")), "{rrules:?}");
}

#[tokio::test]
async fn signing_in_and_out_and_refused_sign_ins_are_in_the_audit_log() {
    let app = spawn_app().await;
    lull::service::admins::create(&app.services, "ops@example.com", "correct horse battery", false)
        .await
        .unwrap();
    let (status, _) = sign_in(&app, "ops@example.com", "not the password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = sign_in(&app, "nobody@example.com", "whatever it is").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, cookie) = sign_in(&app, "ops@example.com", "correct horse battery").await;
    let cookie = cookie.expect("signed in");
    let out = post_form(&app, &cookie, "/admin", "/admin/logout", &[]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);

    let (_, log) = app.get("/api/v1/audit").await;
    let entries: Vec<(String, String, String)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let s = |k: &str| i[k].as_str().unwrap_or_default().to_string();
            (s("action"), s("actor"), s("summary"))
        })
        .collect();
    let of = |action: &str| entries.iter().filter(|e| e.0 == action).cloned().collect::<Vec<_>>();
    let failed = of("admin.sign_in_failed");
    assert_eq!(failed.len(), 2, "{entries:?}");
    assert!(
        failed
            .iter()
            .any(|e| e.2.contains("ops@example.com") && e.2.contains("wrong password"))
    );
    assert!(
        failed
            .iter()
            .any(|e| e.2.contains("nobody@example.com") && e.2.contains("no admin"))
    );
    assert!(failed.iter().all(|e| e.1.starts_with("client:")), "{failed:?}");
    assert_eq!(of("admin.sign_in").len(), 1, "{entries:?}");
    assert_eq!(of("admin.sign_in")[0].1, "user:ops@example.com");
    assert_eq!(of("admin.sign_out").len(), 1, "{entries:?}");
    assert!(!log.to_string().contains("correct horse"), "no password is ever logged");
}

#[tokio::test]
async fn a_parallel_burst_of_sign_ins_gets_five_guesses_then_the_account_is_locked() {
    let app = spawn_app().await;
    lull::service::admins::create(&app.services, "ops@example.com", "correct horse battery", false)
        .await
        .unwrap();
    let guesses = (0..16).map(|i| {
        let app = &app;
        async move { sign_in(app, "ops@example.com", &format!("guess number {i}")).await.0 }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let wrong = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((wrong, refused), (5, 11), "{statuses:?}");
    // The right password now comes too late: the lockout holds.
    let (status, cookie) = sign_in(&app, "ops@example.com", "correct horse battery").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(cookie.is_none());
}

#[tokio::test]
async fn a_checked_monitor_shows_how_it_is_checked_and_no_status_to_set() {
    let app = spawn_app().await;
    let (status, body) = app
        .post(
            "/api/v1/monitors",
            json!({"name": "Public API", "slug": "api", "type": "http", "url": "http://127.0.0.1:9/health", "interval": 30}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.monitor("web").await;
    let cookie = signed_in(&app).await;

    let list = admin_get(&app, &cookie, "/admin/monitors").await;
    assert!(
        list.contains("checked: http GET http://127.0.0.1:9/health every 30s"),
        "{list}"
    );
    assert!(
        !list.contains("aria-label=\"Status of Public API\""),
        "a status select for a checked monitor"
    );
    assert!(list.contains("aria-label=\"Status of WEB\""), "the manual one keeps it");

    let edit = admin_get(&app, &cookie, "/admin/monitors/api").await;
    assert!(
        edit.contains("set by its check (http GET http://127.0.0.1:9/health every 30s)"),
        "{edit}"
    );
    assert!(!edit.contains("<select id=\"status\""), "{edit}");
    // Saving the form keeps the check and does not trip over the status.
    let resp = post_form(
        &app,
        &cookie,
        "/admin/monitors/api",
        "/admin/monitors/api",
        &[
            ("name", "Public API v2"),
            ("slug", "api"),
            ("group", ""),
            ("description", ""),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{}", resp.text().await.unwrap());
    let (_, m) = app.get("/api/v1/monitors/api").await;
    assert_eq!(
        (&m["name"], &m["type"], &m["interval"]),
        (&json!("Public API v2"), &json!("http"), &json!(30))
    );
}

#[tokio::test]
async fn an_event_page_names_the_planned_window_only_once_an_operator_moved_it() {
    let app = spawn_app().await;
    let m = app
        .maintenance(json!({"title": "Patch", "start": "2026-05-10T14:00", "timezone": "UTC", "duration": 3600}))
        .await;
    let ev = m["events"][0]["id"].as_i64().unwrap();
    let cookie = signed_in(&app).await;
    let page = admin_get(&app, &cookie, &format!("/admin/events/{ev}")).await;
    assert!(
        !page.contains("<dt>Planned</dt>"),
        "as planned, no second window:\n{page}"
    );

    let (status, body) = app
        .post(&format!("/api/v1/events/{ev}/extend"), json!({"seconds": 1800}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page = admin_get(&app, &cookie, &format!("/admin/events/{ev}")).await;
    let planned = page
        .split("<dt>Planned</dt>")
        .nth(1)
        .expect("the planned window, once moved");
    let planned = planned.split("</dd>").next().unwrap();
    assert!(planned.contains("14:00–15:00"), "{planned}");
}

#[tokio::test]
async fn an_incident_is_opened_updated_and_resolved_from_the_dashboard() {
    let app = spawn_app().await;
    app.monitor("api").await;
    app.monitor("web").await;
    let cookie = signed_in(&app).await;
    let list = admin_get(&app, &cookie, "/admin/incidents").await;
    assert!(list.contains("No incidents in the last 90 days."));
    assert!(list.contains("value=\"api:DOWN\"") && list.contains("value=\"web:DEGRADED\""));

    // A form with errors comes back with the input and the reasons beside the fields.
    let fields = [
        ("title", ""),
        ("status", "INVESTIGATING"),
        ("body", "Errors on checkout."),
        ("monitor", "api:DOWN"),
        ("monitor", ""),
    ];
    let resp = post_form(&app, &cookie, "/admin/incidents", "/admin/incidents", &fields).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"title-error\""), "{html}");
    assert!(html.contains("Errors on checkout.</textarea>"));
    assert!(html.contains("value=\"api:DOWN\" selected"), "the choice is kept");

    let fields = [
        ("title", "Checkout errors"),
        ("status", "INVESTIGATING"),
        ("body", "Errors on **checkout**."),
        ("monitor", "api:DOWN"),
        ("monitor", ""),
    ];
    let resp = post_form(&app, &cookie, "/admin/incidents", "/admin/incidents", &fields).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let at = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(at.starts_with("/admin/incidents/1?done=incident_opened"), "{at}");
    let page = admin_get(&app, &cookie, &at).await;
    assert!(page.contains("Incident opened.") && page.contains("<strong>checkout</strong>"));
    assert!(page.contains("API (down)"));
    let (_, incident) = app.get("/api/v1/incidents/1").await;
    assert_eq!(
        incident["monitors"],
        serde_json::json!([{"slug": "api", "name": "API", "impact": "DOWN"}])
    );
    assert_eq!(incident["updates"][0]["author"], "user:ops@example.com");

    let fields = [("status", "RESOLVED"), ("body", "Fixed.")];
    let resp = post_form(
        &app,
        &cookie,
        "/admin/incidents/1",
        "/admin/incidents/1/updates",
        &fields,
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let page = admin_get(&app, &cookie, "/admin/incidents/1").await;
    assert!(page.contains("id=\"incident-status\">RESOLVED"));
    assert!(
        !page.contains("id=\"update-form\""),
        "a resolved incident takes no updates"
    );
    let list = admin_get(&app, &cookie, "/admin/incidents").await;
    assert!(list.contains("Checkout errors") && list.contains("p-RESOLVED"));
}

#[tokio::test]
async fn checks_are_set_up_from_the_dashboard_and_a_heartbeat_url_is_shown_once() {
    let app = spawn_app().await;
    let cookie = signed_in(&app).await;
    let base = [
        ("name", "API"),
        ("slug", "api"),
        ("group", ""),
        ("description", ""),
        ("status", "UP"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| -> Vec<(&'static str, &'static str)> {
        base.iter().chain(extra).copied().collect()
    };
    // Fields of another type are ignored; a bad value is named beside its field.
    let fields = with(&[
        ("type", "http"),
        ("url", "http://127.0.0.1:9/health"),
        ("target", "ignored:1"),
        ("interval", "5"),
        ("timeout", ""),
        ("expect_status", ""),
        ("keyword", ""),
        ("retries", "2"),
        ("degraded_after_ms", ""),
    ]);
    let resp = post_form(&app, &cookie, "/admin/monitors", "/admin/monitors", &fields).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"check_interval-error\""), "{html}");
    assert!(
        html.contains("href=\"#check_interval\""),
        "the summary links to the field"
    );
    assert!(
        html.contains("value=\"http://127.0.0.1:9/health\""),
        "the input is kept"
    );
    let fields = with(&[
        ("type", "http"),
        ("url", "http://127.0.0.1:9/health"),
        ("target", "ignored:1"),
        ("interval", "30"),
        ("retries", "2"),
        ("keyword", "ok"),
    ]);
    let resp = post_form(&app, &cookie, "/admin/monitors", "/admin/monitors", &fields).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, m) = app.get("/api/v1/monitors/api").await;
    assert_eq!(
        (&m["type"], &m["url"], &m["interval"], &m["retries"], &m["keyword"]),
        (
            &json!("http"),
            &json!("http://127.0.0.1:9/health"),
            &json!(30),
            &json!(2),
            &json!("ok")
        )
    );
    // The edit page shows the settings; a blank keyword removes it.
    let page = admin_get(&app, &cookie, "/admin/monitors/api").await;
    assert!(page.contains("value=\"30\"") && page.contains("<option value=\"http\" selected>"));
    let fields = with(&[
        ("type", "http"),
        ("url", "http://127.0.0.1:9/health"),
        ("interval", "30"),
        ("keyword", ""),
    ]);
    let resp = post_form(&app, &cookie, "/admin/monitors/api", "/admin/monitors/api", &fields).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, m) = app.get("/api/v1/monitors/api").await;
    assert!(m["keyword"].is_null(), "{m}");

    // A heartbeat: its URL is on the page that answers the form, and only there.
    let fields: Vec<(&str, &str)> = [
        ("name", "Backup"),
        ("slug", "backup"),
        ("type", "heartbeat"),
        ("interval", "3600"),
        ("timeout", "600"),
    ]
    .to_vec();
    let resp = post_form(&app, &cookie, "/admin/monitors", "/admin/monitors", &fields).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    let url = html
        .split("id=\"heartbeat-url\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    assert!(url.starts_with(&format!("{}/api/v1/heartbeat/", app.base)), "{url}");
    let beat = app.http.post(&url).send().await.unwrap();
    assert_eq!(beat.status(), StatusCode::NO_CONTENT, "the URL works");
    assert!(!admin_get(&app, &cookie, "/admin/monitors").await.contains(&url));
    assert!(!admin_get(&app, &cookie, "/admin/monitors/backup").await.contains(&url));
}
