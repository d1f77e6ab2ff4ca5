//! The dashboard and the public page in a real browser (headless Chromium driven over
//! WebDriver by Debian's chromedriver): an admin signs in on a fresh server, creates a
//! monitor, schedules a maintenance with the schedule builder, starts it now and posts an
//! update; the public page then shows the monitor "Under Maintenance" with that update.
//! Screenshots land in `target/e2e/`.
//!
//! Run with `cargo test --features e2e --test e2e` (needs `chromium` and `chromium-driver`).

mod common;

use std::process::Stdio;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Datelike, Duration, Utc};
use common::*;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

struct Driver {
    process: tokio::process::Child,
    client: Client,
}

async fn chromium() -> Driver {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let driver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let process = tokio::process::Command::new(&driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {driver} (install Debian's chromium-driver): {e}"));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--window-size=1200,1800"]
        }),
    );
    let deadline = Instant::now() + StdDuration::from_secs(20);
    let client = loop {
        // chromedriver speaks plain HTTP on loopback: no TLS stack needed.
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => break c,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(StdDuration::from_millis(200)).await;
            }
            Err(e) => panic!("chromedriver did not start a browser: {e}"),
        }
    };
    Driver { process, client }
}

async fn fill(c: &Client, id: &str, value: &str) {
    let el = c.find(Locator::Id(id)).await.unwrap();
    el.clear().await.unwrap();
    el.send_keys(value).await.unwrap();
}

/// Sets a value the way a date picker would (typing into one depends on the locale).
async fn set(c: &Client, id: &str, value: &str) {
    c.execute(
        "const el = document.getElementById(arguments[0]); el.value = arguments[1]; \
         el.dispatchEvent(new Event('input', {bubbles: true}));",
        vec![json!(id), json!(value)],
    )
    .await
    .unwrap();
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css)).await.unwrap().click().await.unwrap();
}

async fn text(c: &Client) -> String {
    c.find(Locator::Css("body")).await.unwrap().text().await.unwrap()
}

/// The text of an element, or `None` while the page is being replaced.
async fn text_of(c: &Client, id: &str) -> Option<String> {
    c.find(Locator::Id(id)).await.ok()?.text().await.ok()
}

async fn screenshot(c: &Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), c.screenshot().await.unwrap()).unwrap();
}

#[tokio::test]
async fn an_admin_schedules_and_starts_maintenance_and_visitors_see_it() {
    let app = launch(TestDb::with_system_clock().await).await;
    let Driver { mut process, client: c } = chromium().await;
    let base = app.base.clone();

    // First run: /admin offers to create the first admin.
    c.goto(&format!("{base}/admin")).await.unwrap();
    assert!(text(&c).await.contains("Create the first admin"));
    fill(&c, "email", "ops@example.com").await;
    fill(&c, "password", "correct horse battery").await;
    click(&c, "button[type=submit]").await;
    c.wait()
        .for_element(Locator::Css("a[href='/admin/monitors']"))
        .await
        .unwrap();
    assert!(text(&c).await.contains("Overview"));

    // A monitor.
    c.goto(&format!("{base}/admin/monitors")).await.unwrap();
    fill(&c, "name", "Public API").await;
    fill(&c, "slug", "api").await;
    click(&c, "#new-monitor button[type=submit]").await;
    c.wait()
        .for_element(Locator::XPath("//td[text()='Public API']"))
        .await
        .unwrap();

    // A weekly maintenance, built with the schedule builder, starting tomorrow.
    let tomorrow = Utc::now() + Duration::days(1);
    let weekday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][tomorrow.weekday().num_days_from_monday() as usize];
    c.goto(&format!("{base}/admin/maintenances/new")).await.unwrap();
    fill(&c, "title", "Storage migration").await;
    fill(&c, "description", "Moving volumes to **new disks**.").await;
    set(&c, "start", &format!("{}T10:00", tomorrow.format("%Y-%m-%d"))).await;
    c.find(Locator::Id("timezone"))
        .await
        .unwrap()
        .select_by_value("UTC")
        .await
        .unwrap();
    fill(&c, "hours", "2").await;
    click(&c, "input[name=mode][value=weekly]").await;
    click(&c, &format!("input[name=weekdays][value={weekday}]")).await;
    click(&c, "input[name=monitor][value=api]").await;
    // The live preview lists the next windows from the API.
    let first = format!("{}T10:00:00Z", tomorrow.format("%Y-%m-%d"));
    let deadline = Instant::now() + StdDuration::from_secs(10);
    loop {
        let preview = text_of(&c, "preview").await.unwrap_or_default();
        if preview.contains(&first) && preview.lines().count() == 5 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "live preview never showed {first}: {preview:?}"
        );
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    screenshot(&c, "dashboard-maintenance-form.png").await;
    click(&c, "button[name=action][value=save]").await;
    c.wait().for_element(Locator::Css("p.notice")).await.unwrap();
    let (_, list) = app.get("/api/v1/maintenances").await;
    assert_eq!(list[0]["rrule"], format!("FREQ=WEEKLY;BYDAY={weekday}"));
    assert_eq!(list[0]["duration"], 7200);

    // Start the first event now and post an update.
    click(&c, "table a[href^='/admin/events/']").await;
    c.wait().for_element(Locator::Css("#event-status")).await.unwrap();
    click(&c, "form[action$='/start'] button").await;
    let deadline = Instant::now() + StdDuration::from_secs(10);
    while text_of(&c, "event-status").await.as_deref() != Some("ONGOING") {
        assert!(Instant::now() < deadline, "the event did not start");
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    fill(&c, "body", "Half of the volumes are moved.").await;
    click(&c, "#update-form button").await;
    c.wait()
        .for_element(Locator::XPath("//p[text()='Half of the volumes are moved.']"))
        .await
        .unwrap();
    screenshot(&c, "dashboard-event.png").await;

    // The public page shows it.
    let deadline = Instant::now() + StdDuration::from_secs(10);
    loop {
        c.goto(&format!("{base}/")).await.unwrap();
        let page = text(&c).await;
        if page.contains("Under Maintenance") && page.contains("Half of the volumes are moved.") {
            assert!(page.contains("Storage migration"));
            assert!(page.contains("Ongoing maintenance"));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "public page never showed the maintenance:\n{page}"
        );
        tokio::time::sleep(StdDuration::from_millis(200)).await;
    }
    let api_row = c.find(Locator::Id("monitor-api")).await.unwrap().text().await.unwrap();
    assert!(api_row.contains("Under Maintenance"), "{api_row}");
    screenshot(&c, "public.png").await;

    c.close().await.unwrap();
    let _ = process.kill().await;
}
