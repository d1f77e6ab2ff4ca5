//! The public pages and the dashboard over HTTP: what they show, that user text is
//! escaped everywhere, caching headers, sign-in, CSRF and the lockout.

mod common;

use common::pages::*;
use common::*;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, ACCEPT_LANGUAGE, ETAG, IF_NONE_MATCH, SET_COOKIE};
use serde_json::json;

const XSS: &str = "<script>alert('x')</script><img src=x onerror=alert(1)>";

#[tokio::test]
async fn the_front_page_shows_maintenance_as_under_maintenance_with_its_updates() {
    let app = spawn_app().await; // 12:00Z
    app.post(
        "/api/v1/monitors",
        json!({"name": "Public API", "slug": "api", "group": "Core"}),
    )
    .await;
    app.post(
        "/api/v1/monitors",
        json!({"name": "Search", "slug": "search", "group": "Core"}),
    )
    .await;
    let m = app
        .maintenance(
            json!({"title": "Index rebuild", "description": "Queries may be **slow**.",
                            "start": "2026-05-10T13:30", "timezone": "Europe/Berlin", "duration": 5400,
                            "monitors": [{"slug": "api", "impact": "MAINTENANCE"}]}),
        )
        .await;
    let ev = m["events"][0]["id"].as_i64().unwrap();
    app.maintenance(
        json!({"title": "Kernel update", "start": "2026-05-12T03:00", "timezone": "UTC",
                           "duration": 9000, "monitors": [{"slug": "search", "impact": "DEGRADED"}]}),
    )
    .await;
    app.post(
        &format!("/api/v1/events/{ev}/updates"),
        json!({"body": "Shard 3 of 8 done"}),
    )
    .await;

    let html = front_page_with(&app, "Shard 3 of 8 done").await;
    assert!(html.contains("All systems operational") || html.contains("Under maintenance"));
    assert!(html.contains("Index rebuild"), "ongoing since 11:30Z");
    assert!(html.contains("<strong>slow</strong>"), "Markdown rendered");
    assert!(html.contains("Under Maintenance"));
    assert!(
        html.contains("Kernel update") && html.contains("2h 30m"),
        "upcoming with a readable duration"
    );
    assert!(
        html.contains("Sun 10 May 2026, 13:30 CEST (11:30 UTC)"),
        "times in the maintenance's zone and UTC"
    );
    assert!(html.contains("<title>Status</title>") && html.contains("og:title") && html.contains("rel=\"icon\""));
    assert!(!html.contains("/admin/"), "nothing admin-only on the public page");

    // Its own page, and the badge.
    let (status, event_page) = page(&app, &format!("/maintenance/{ev}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(event_page.contains("Shard 3 of 8 done"));
    let (status, _) = page(&app, "/maintenance/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, badge) = page(&app, "/badge/api.svg").await;
    assert_eq!(status, StatusCode::OK);
    assert!(badge.contains("Under Maintenance") && badge.starts_with("<svg"));
    let (status, _) = page(&app, "/badge/nope.svg").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn starting_soon_marks_ready_events_and_history_lists_the_past() {
    let app = spawn_app().await;
    let m = app
        .maintenance(json!({"title": "Soon", "start": "2026-05-10T12:30", "timezone": "UTC", "duration": 600}))
        .await;
    front_page_with(&app, "Starting soon").await;
    let done = app
        .maintenance(json!({"title": "Done already", "start": "2026-05-10T11:00", "timezone": "UTC", "duration": 1800, "record_past": true}))
        .await;
    let called_off = app
        .maintenance(json!({"title": "Called off", "start": "2026-05-10T18:00", "timezone": "UTC", "duration": 1800}))
        .await;
    app.post(
        &format!("/api/v1/events/{}/cancel", called_off["events"][0]["id"]),
        json!({}),
    )
    .await;
    let _ = (m, done);
    app.clock.set(utc("2026-05-10T19:00:00Z"));
    let (status, html) = page(&app, "/history").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Done already") && html.contains("Soon"));
    assert!(
        html.contains("Called off") && html.contains("Cancelled"),
        "cancelled is labelled"
    );
    let (status, _) = page(&app, "/history?page=2").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn user_text_is_escaped_on_every_page() {
    let app = spawn_app().await;
    app.post(
        "/api/v1/monitors",
        json!({"name": XSS, "slug": "api", "group": XSS, "description": XSS}),
    )
    .await;
    let m = app
        .maintenance(
            json!({"title": XSS, "description": XSS, "start": "2026-05-10T11:00", "timezone": "UTC",
                            "duration": 7200, "monitors": [{"slug": "api"}]}),
        )
        .await;
    let ev = m["events"][0]["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/events/{ev}/updates"), json!({"body": XSS}))
        .await;
    front_page_with(&app, "&#60;script&#62;alert").await;
    let cookie = signed_in(&app).await;
    for path in [
        "/".to_string(),
        format!("/maintenance/{ev}"),
        "/badge/api.svg".into(),
        "/history".into(),
    ] {
        let (_, html) = page(&app, &path).await;
        assert!(!html.contains("<script>alert"), "{path} runs user script");
        assert!(!html.contains("<img src=x"), "{path} keeps an event handler");
    }
    for path in [
        "/admin",
        "/admin/monitors",
        "/admin/maintenances",
        &format!("/admin/maintenances/{}", m["id"]),
        "/admin/events",
        &format!("/admin/events/{ev}"),
    ] {
        let html = admin_get(&app, &cookie, path).await;
        assert!(!html.contains("<script>alert"), "{path} runs user script");
        assert!(!html.contains("<img src=x onerror"), "{path} keeps an event handler");
    }
}

#[tokio::test]
async fn the_front_page_is_cached_compressed_and_localised() {
    let app = spawn_app().await;
    let resp = app
        .http
        .get(&app.base)
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-encoding"], "gzip");
    assert!(resp.headers().contains_key("last-modified"));
    assert!(
        resp.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    let etag = resp.headers()[ETAG].clone();
    let again = app
        .http
        .get(&app.base)
        .header(IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let (_, de) = {
        let r = app
            .http
            .get(&app.base)
            .header(ACCEPT_LANGUAGE, "de-DE,de;q=0.9")
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    };
    assert!(de.contains("lang=\"de\"") && de.contains("Alle Systeme betriebsbereit"));
    // Static files are versioned and cached for a year.
    let css = de
        .split("href=\"/static/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let resp = app.http.get(format!("{}/static/{css}", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["cache-control"].to_str().unwrap().contains("immutable"));
}

// --- dashboard ---

#[tokio::test]
async fn the_first_visit_offers_setup_once_and_then_sign_in() {
    let app = spawn_app().await;
    let http = no_redirects();
    let first = http.get(format!("{}/admin", app.base)).send().await.unwrap();
    let pre = cookie_of(&first, "lull_csrf").unwrap();
    let html = first.text().await.unwrap();
    assert!(html.contains("Create the first admin"));
    let csrf = hidden_csrf(&html);
    let short = http
        .post(format!("{}/admin/setup", app.base))
        .header("cookie", pre.clone())
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "ops@example.com"),
            ("password", "short"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = short.text().await.unwrap();
    assert!(
        page.contains("at least 10 characters") && page.contains("value=\"ops@example.com\""),
        "error beside the field, input kept"
    );
    let ok = http
        .post(format!("{}/admin/setup", app.base))
        .header("cookie", pre.clone())
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "ops@example.com"),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let session = cookie_of(&ok, "lull_session").unwrap();
    let raw = ok
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(raw.contains("HttpOnly") && raw.contains("SameSite=Lax"), "{raw}");
    assert!(admin_get(&app, &session, "/admin").await.contains("Overview"));
    // Setup is closed now.
    let again = http
        .post(format!("{}/admin/setup", app.base))
        .header("cookie", pre)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "evil@example.com"),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let resp = http.get(format!("{}/admin", app.base)).send().await.unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::SEE_OTHER,
        "signed out visitors go to sign-in"
    );
}

#[tokio::test]
async fn every_dashboard_page_needs_a_signed_in_admin() {
    let app = spawn_app().await;
    lull::service::admins::create(&app.services, "ops@example.com", "correct horse battery", false)
        .await
        .unwrap();
    let http = no_redirects();
    for path in [
        "/admin/monitors",
        "/admin/maintenances",
        "/admin/maintenances/new",
        "/admin/events",
        "/admin/tokens",
    ] {
        let resp = http.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{path}");
        // Signing in returns to the page asked for.
        let next: String = form_urlencoded_encode(path);
        assert_eq!(resp.headers()["location"], format!("/admin/login?next={next}").as_str());
    }
    let resp = http
        .post(format!("{}/admin/monitors", app.base))
        .form(&[("name", "X"), ("slug", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM monitors").await, 0);
}

#[tokio::test]
async fn forms_without_the_csrf_token_change_nothing() {
    let app = spawn_app().await;
    let cookie = signed_in(&app).await;
    let http = no_redirects();
    let forged = http
        .post(format!("{}/admin/monitors", app.base))
        .header("cookie", &cookie)
        .form(&[("name", "Evil"), ("slug", "evil"), ("csrf", "guess")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let cross = http
        .post(format!("{}/admin/monitors", app.base))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .form(&[("name", "Evil"), ("slug", "evil")])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM monitors").await, 0);

    let csrf = hidden_csrf(&admin_get(&app, &cookie, "/admin/monitors").await);
    let ok = http
        .post(format!("{}/admin/monitors", app.base))
        .header("cookie", &cookie)
        .form(&[
            ("name", "Web"),
            ("slug", "web"),
            ("csrf", csrf.as_str()),
            ("status", "UP"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let (_, audit) = app.get("/api/v1/audit").await;
    assert_eq!(audit["items"][0]["actor"], "user:ops@example.com");
}

#[tokio::test]
async fn destructive_actions_ask_first() {
    let app = spawn_app().await;
    let cookie = signed_in(&app).await;
    let m = app
        .maintenance(json!({"title": "Swap", "start": "2026-05-10T15:00", "timezone": "UTC", "duration": 600}))
        .await;
    let ev = m["events"][0]["id"].as_i64().unwrap();
    let csrf = hidden_csrf(&admin_get(&app, &cookie, &format!("/admin/events/{ev}")).await);
    let http = no_redirects();
    let ask = http
        .post(format!("{}/admin/events/{ev}/cancel", app.base))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(ask.status(), StatusCode::OK);
    assert!(ask.text().await.unwrap().contains("Are you sure?"));
    assert_eq!(app.get(&format!("/api/v1/events/{ev}")).await.1["status"], "SCHEDULED");
    let done = http
        .post(format!("{}/admin/events/{ev}/cancel", app.base))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get(&format!("/api/v1/events/{ev}")).await.1["status"], "CANCELLED");
}

#[tokio::test]
async fn a_bad_maintenance_form_shows_the_error_beside_the_field_and_keeps_the_input() {
    let app = spawn_app().await;
    let cookie = signed_in(&app).await;
    let csrf = hidden_csrf(&admin_get(&app, &cookie, "/admin/maintenances/new").await);
    let resp = no_redirects()
        .post(format!("{}/admin/maintenances", app.base))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "Keep this title"),
            ("start", "2026-06-01T02:00"),
            ("timezone", "Europe/Berlin"),
            ("hours", "1"),
            ("minutes", "0"),
            ("mode", "weekly"),
            ("interval", "1"),
            ("action", "save"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("choose at least one day"));
    assert!(html.contains("value=\"Keep this title\""));
    assert_eq!(app.count("SELECT COUNT(*) FROM maintenances").await, 0);
}

#[tokio::test]
async fn sessions_live_in_the_database_and_survive_a_restart() {
    let app = spawn_app().await;
    let cookie = signed_in(&app).await;
    let db = TestDb::reopen(&app).await;
    let second = launch(db).await;
    assert!(admin_get(&second, &cookie, "/admin").await.contains("Overview"));
}

#[tokio::test]
async fn five_wrong_passwords_lock_sign_in_for_a_while() {
    let app = spawn_app().await;
    lull::service::admins::create(&app.services, "ops@example.com", "correct horse battery", false)
        .await
        .unwrap();
    for _ in 0..5 {
        assert_eq!(
            sign_in(&app, "ops@example.com", "wrong password!").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, session) = sign_in(&app, "ops@example.com", "correct horse battery").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    assert!(session.is_none());
    app.clock.advance(chrono::Duration::minutes(16));
    assert!(
        sign_in(&app, "ops@example.com", "correct horse battery")
            .await
            .1
            .is_some()
    );
}

#[tokio::test]
async fn admins_see_subscribers_and_that_email_is_not_configured() {
    let app = spawn_app().await;
    let cookie = signed_in(&app).await;
    app.request(
        reqwest::Method::POST,
        "/api/v1/subscribers",
        Some(json!({"email": "ivy@example.com"})),
        false,
    )
    .await;
    let overview = admin_get(&app, &cookie, "/admin").await;
    assert!(
        overview.contains("Email is not configured") && overview.contains("1 notices are waiting"),
        "{overview}"
    );
    let page = admin_get(&app, &cookie, "/admin/subscribers").await;
    assert!(page.contains("ivy@example.com") && page.contains("unconfirmed"));
    let csrf = hidden_csrf(&page);
    let resp = no_redirects()
        .post(format!("{}/admin/subscribers", app.base))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str()), ("email", "jo@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let page = admin_get(&app, &cookie, "/admin/subscribers?q=jo@").await;
    assert!(page.contains("jo@example.com") && page.contains("confirmed") && !page.contains("ivy@example.com"));
}

#[tokio::test]
async fn deleting_from_the_dashboard_asks_then_deletes() {
    let app = spawn_app().await;
    let cookie = signed_in(&app).await;
    app.monitor("api").await;
    let csrf = hidden_csrf(&admin_get(&app, &cookie, "/admin/monitors/api").await);
    let http = no_redirects();
    let post = |confirm: bool| {
        let mut form = vec![("csrf", csrf.clone())];
        if confirm {
            form.push(("confirm", "yes".into()));
        }
        http.post(format!("{}/admin/monitors/api/delete", app.base))
            .header("cookie", &cookie)
            .form(&form)
            .send()
    };
    let ask = post(false).await.unwrap();
    assert_eq!(ask.status(), StatusCode::OK);
    let question = ask.text().await.unwrap();
    assert!(question.contains("Delete the monitor &#39;API&#39;?"), "{question}");
    assert!(question.contains("Yes, delete it"));
    assert_eq!(app.count("SELECT COUNT(*) FROM monitors").await, 1);
    let done = post(true).await.unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(done.headers()["location"], "/admin/monitors?done=deleted");
    assert_eq!(app.count("SELECT COUNT(*) FROM monitors").await, 0);
}

fn form_urlencoded_encode(s: &str) -> String {
    s.replace('/', "%2F")
}

#[tokio::test]
async fn a_change_to_one_plan_shows_on_the_page_and_leaves_the_other_plans_as_they_were() {
    // The page reads again only the plan written to: the others must still be there, and
    // what depends on all plans together (the monitors' status) must follow.
    let app = spawn_app().await; // 12:00Z
    app.monitor("api").await;
    app.monitor("db").await;
    let backup = app
        .maintenance(
            json!({"title": "Nightly backup", "start": "2026-05-10T23:00", "timezone": "UTC",
                            "duration": 1800, "rrule": "FREQ=DAILY", "monitors": [{"slug": "api"}]}),
        )
        .await;
    let failover = app
        .maintenance(
            json!({"title": "Database failover", "start": "2026-05-10T11:30", "timezone": "UTC",
                            "duration": 7200, "monitors": [{"slug": "db", "impact": "DOWN"}]}),
        )
        .await;
    let html = front_page_with(&app, "Database failover").await;
    assert!(html.contains("Nightly backup"));
    assert!(html.contains("Planned maintenance: some services are unavailable"));

    let (status, _) = app
        .patch(
            &format!("/api/v1/maintenances/{}", backup["id"]),
            json!({"title": "Disk array backup"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let html = front_page_with(&app, "Disk array backup").await;
    assert!(!html.contains("Nightly backup"), "the old title is gone");
    assert!(html.contains("Database failover"), "the other plan is still shown");
    assert!(html.contains("Planned maintenance: some services are unavailable"));
    let (_, events) = app
        .get(&format!("/api/v1/maintenances/{}/events", failover["id"]))
        .await;
    assert_eq!(events.as_array().unwrap().len(), 1);
    assert_eq!(events[0]["status"], "ONGOING");

    // Skipping tonight's backup calls that window off and moves the plan's next to tomorrow.
    let (status, _) = app
        .post(
            &format!("/api/v1/maintenances/{}/skip", backup["id"]),
            json!({"start": "2026-05-10T23:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let html = front_page_with(&app, "was planned for").await;
    assert!(html.contains("Disk array backup") && html.contains("Database failover"));
    let (_, view) = app.get("/api/v1/status").await;
    let next = view["upcoming_by_maintenance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["maintenance_id"] == backup["id"])
        .map(|p| p["next"]["start"].clone());
    assert_eq!(next, Some(json!("2026-05-11T23:00:00Z")));

    let (status, _) = app.delete(&format!("/api/v1/maintenances/{}", failover["id"])).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let html = loop {
        let (_, html) = page(&app, "/").await;
        if !html.contains("Database failover") {
            break html;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the deleted plan stayed on the page"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert!(html.contains("All systems operational"), "db is up again");
    assert!(html.contains("Disk array backup"));
    let (status, events) = app.get(&format!("/api/v1/maintenances/{}/events", backup["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(events[0]["status"], "CANCELLED", "tonight's window, skipped");
    assert_eq!(events[1]["start"], "2026-05-11T23:00:00Z");
}

#[tokio::test]
async fn the_front_page_keeps_every_security_header() {
    // `GET /` is answered before the layers that add them to other responses.
    let app = spawn_app().await;
    front_page_with(&app, "All systems operational").await;
    for (method, path) in [
        (reqwest::Method::GET, "/"),
        (reqwest::Method::HEAD, "/"),
        (reqwest::Method::GET, "/history"),
    ] {
        let resp = app
            .http
            .request(method.clone(), format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        let h = resp.headers();
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{method} {path}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{method} {path}");
        assert_eq!(
            h["referrer-policy"], "strict-origin-when-cross-origin",
            "{method} {path}"
        );
        assert_eq!(h["x-frame-options"], "DENY", "{method} {path}");
    }
}

#[tokio::test]
async fn an_open_incident_leads_the_front_page_and_moves_to_history_when_resolved() {
    let app = spawn_app().await; // 12:00Z
    app.post("/api/v1/monitors", json!({"name": "Public API", "slug": "api"}))
        .await;
    app.post("/api/v1/monitors", json!({"name": "Search", "slug": "search"}))
        .await;
    // Planned work on search at the same time: the banner must not call the outage planned.
    app.maintenance(
        json!({"title": "Reindex", "start": "2026-05-10T11:30", "timezone": "UTC", "duration": 7200,
                           "monitors": [{"slug": "search"}]}),
    )
    .await;
    let (_, incident) = app
        .post(
            "/api/v1/incidents",
            json!({"title": "Errors <b>on</b> the API", "body": "Requests fail with **502**.",
                   "monitors": [{"slug": "api", "impact": "DOWN"}]}),
        )
        .await;
    let id = incident["id"].as_i64().unwrap();
    let html = front_page_with(&app, "Errors &#60;b&#62;on&#60;/b&#62; the API").await;
    assert!(html.contains("Partial outage"), "an outage, not planned work");
    assert!(!html.contains("Planned maintenance:"));
    let incidents_at = html.find("id=\"incidents\"").expect("an incidents section");
    assert!(
        incidents_at < html.find("id=\"ongoing\"").unwrap(),
        "incidents come first"
    );
    assert!(html.contains("<strong>502</strong>") && html.contains("Investigating"));
    assert!(html.contains(&format!("href=\"/incidents/{id}\"")));
    // The monitor's line names the incident that makes it down.
    let line = &html[html.find("id=\"monitor-api\"").unwrap()..];
    assert!(
        line[..line.find("</div>").unwrap()].contains(&format!("<a href=\"/incidents/{id}\">Errors")),
        "{line}"
    );
    assert!(
        html.contains("data-refresh"),
        "the page refreshes itself while it is open"
    );

    let (status, own) = page(&app, &format!("/incidents/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(own.contains("<h1>Errors &#60;b&#62;on&#60;/b&#62; the API</h1>"));
    assert!(own.contains("Public API: Down"));
    assert_eq!(page(&app, "/incidents/999").await.0, StatusCode::NOT_FOUND);

    app.clock.advance(chrono::Duration::minutes(30));
    app.post(
        &format!("/api/v1/incidents/{id}/updates"),
        json!({"status": "resolved", "body": "Fixed the pool."}),
    )
    .await;
    let html = front_page_with(&app, "Recently resolved").await;
    assert!(!html.contains("id=\"incidents\""));
    assert!(
        html.contains("Resolved <time datetime=\"2026-05-10T12:30:00Z\">"),
        "{html}"
    );
    let (_, history) = page(&app, "/history").await;
    assert!(history.contains("Past incidents") && history.contains("Fixed the pool."));
    // A draft is nowhere to be seen.
    let (_, draft) = app
        .post(
            "/api/v1/incidents",
            json!({"title": "Secret draft", "body": "x", "draft": true}),
        )
        .await;
    app.clock.advance(chrono::Duration::minutes(1));
    let html = front_page_with(&app, "Recently resolved").await;
    assert!(!html.contains("Secret draft"));
    assert_eq!(
        page(&app, &format!("/incidents/{}", draft["id"])).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_checked_monitor_shows_ninety_days_coloured_by_their_worst_and_its_response_time() {
    use lull::domain::rollup::{Period, Tally};
    let app = spawn_app().await; // Sun 10 May 2026, 12:00Z
    // A closed loopback port, checked daily: the first check (jittered over the day) is
    // not due in the two minutes this test moves the clock, but for 1 run in 700.
    let (status, api) = app
        .post(
            "/api/v1/monitors",
            json!({"name": "API", "slug": "api", "type": "http", "url": "http://127.0.0.1:9/", "interval": 86_400}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{api}");
    app.monitor("manual").await;
    let id = api["id"].as_i64().unwrap();
    let day = |n: i64| utc("2026-05-10T00:00:00Z") - chrono::Duration::days(n);
    let tally = |up, down, degraded, maintenance| Tally {
        up_secs: up,
        down_secs: down,
        degraded_secs: degraded,
        maintenance_secs: maintenance,
        ..Tally::default()
    };
    let mut conn = app.services.store.conn().await.unwrap();
    for (n, t) in [
        (1, tally(82_800, 3_600, 0, 0)), // Sat 9 May: down an hour
        (2, tally(79_200, 0, 0, 7_200)), // Fri 8 May: two hours of maintenance
        (3, tally(85_800, 0, 600, 0)),   // Thu 7 May: degraded 10 minutes
        (89, tally(86_400, 0, 0, 0)),    // the first day of the 90: all good
    ] {
        lull::store::checks::add_rollup(&mut conn, id, Period::Day, day(n), &t)
            .await
            .unwrap();
    }
    lull::store::checks::insert(
        &mut conn,
        &lull::store::checks::CheckResultRow {
            id: 0,
            monitor_id: id,
            at: utc("2026-05-10T11:59:00Z"),
            status: lull::domain::impact::MonitorStatus::Up,
            latency_ms: 123,
            error: None,
            changed: false,
        },
    )
    .await
    .unwrap();
    drop(conn);
    // The runner counts today from when it first saw the monitor as its status, UP, and
    // writes that each minute; the page reads the roll-ups at most once a minute. Let
    // minutes pass until today shows what was counted (rather than hang on whether the
    // page or the runner goes first).
    // Up: 82,800 + 79,200 + 85,800 + 86,400 = 334,200 s; degraded 600 counts as up; down
    // 3,600; maintenance left out: 334,800 / 338,400 = 98.936 % (today's few minutes up
    // move it by less than 0.001 %).
    let mut minutes = 0;
    let html = loop {
        app.clock.advance(chrono::Duration::seconds(61));
        app.services.mark_page(None);
        app.services.page_changes.notify_one();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let (_, html) = page(&app, "/").await;
        if html.contains("title=\"Sun 10 May 2026: 100.00 %") {
            break html;
        }
        minutes += 1;
        assert!(minutes < 10, "today never showed the time counted:\n{html}");
    };
    assert!(html.contains("98.93 % uptime over 90 days"));
    let section = &html[html.find("id=\"monitor-api\"").unwrap()..];
    let section = &section[..section.find("id=\"monitor-manual\"").unwrap_or(section.len())];
    // (class, days) of each segment: one a day, a run of days without data as one.
    let segments: Vec<(&str, usize)> = section
        .split("<span class=\"d d-")
        .skip(1)
        .map(|seg| {
            let class = seg.split('"').next().unwrap();
            let days = seg
                .split("flex-grow: ")
                .nth(1)
                .filter(|_| seg.find("flex-grow").unwrap() < seg.find("</span>").unwrap())
                .map_or(1, |n| n.split('"').next().unwrap().parse().unwrap());
            (class, days)
        })
        .collect();
    assert_eq!(segments.iter().map(|s| s.1).sum::<usize>(), 90, "{segments:?}");
    assert_eq!(
        segments,
        [
            ("up", 1),
            ("none", 85),
            ("degraded", 1),
            ("maintenance", 1),
            ("down", 1),
            ("up", 1)
        ],
        "the oldest day first, today last"
    );
    assert!(
        section.contains("title=\"Wed 11 Feb 2026 – Wed 6 May 2026: No data\""),
        "{section}"
    );
    assert!(
        section.contains("title=\"Sat 9 May 2026: 95.83 % · Down 1h\""),
        "{section}"
    );
    assert!(
        section.contains("title=\"Fri 8 May 2026: 100.00 % · Under Maintenance 2h\""),
        "{section}"
    );
    assert!(section.contains("Response time 123 ms"));
    assert!(section.contains("role=\"img\" aria-label=\"98.93 % uptime over 90 days\""));
    // A manual monitor has no history to show.
    let manual = &html[html.find("id=\"monitor-manual\"").unwrap()..];
    assert!(!manual[..manual.find("</div>\n</div>").unwrap_or(manual.len())].contains("class=\"bar\""));
}
