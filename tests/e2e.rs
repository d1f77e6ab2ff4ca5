//! The dashboard and the public page in a real browser (headless Chromium driven over
//! WebDriver by Debian's chromedriver).
//!
//! - The walk-through: an admin signs in on a fresh server, creates a monitor, schedules a
//!   maintenance with the schedule builder, starts it now and posts an update; the public
//!   page then shows the monitor "Under Maintenance" with that update.
//! - Every page, on a desktop (1280×900) and a phone (390×844), in the light and the dark
//!   theme: the page is a centred column on the desktop, never wider than the phone's
//!   screen (with 200-character unbroken titles in the data), and axe-core finds no serious
//!   or critical WCAG 2.1 AA violation.
//!
//! Screenshots land in `target/e2e/`. Run with `cargo test --features e2e --test e2e`
//! (needs `chromium`, `chromium-driver` and axe-core from npm: `.ci/run` installs all three;
//! axe-core goes to `target/axe/node_modules/axe-core/axe.min.js`, or set `LULL_AXE_JS`).

mod common;

use std::process::Stdio;
use std::time::{Duration as StdDuration, Instant};

use base64::Engine as _;
use chrono::{Datelike, Duration, Utc};
use common::*;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

struct Driver {
    process: tokio::process::Child,
    client: Client,
    /// chromedriver's own address, for the Chrome DevTools commands WebDriver lacks.
    url: String,
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
    Driver {
        process,
        client,
        url: format!("http://127.0.0.1:{port}"),
    }
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

/// The checkout this test runs from (cargo sets it when running tests; the compile-time
/// value can be another worktree's when several share one target directory).
fn checkout() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), Into::into)
}

fn screenshot_path(name: &str) -> std::path::PathBuf {
    let dir = checkout().join("target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

async fn screenshot(c: &Client, name: &str) {
    std::fs::write(screenshot_path(name), c.screenshot().await.unwrap()).unwrap();
}

#[tokio::test]
async fn an_admin_schedules_and_starts_maintenance_and_visitors_see_it() {
    let app = launch(TestDb::with_system_clock().await).await;
    let d = chromium().await;
    // The admin sits in New York; the plan is in Berlin: the dashboard must speak Berlin.
    cdp(
        &d,
        "Emulation.setTimezoneOverride",
        json!({"timezoneId": "America/New_York"}),
    )
    .await;
    let Driver {
        mut process, client: c, ..
    } = d;
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
        .select_by_value("Europe/Berlin")
        .await
        .unwrap();
    fill(&c, "hours", "2").await;
    click(&c, "input[name=mode][value=weekly]").await;
    click(&c, &format!("input[name=weekdays][value={weekday}]")).await;
    click(&c, "input[name=monitor][value=api]").await;
    // The live preview lists the next windows in the plan's zone, with the weekday, not
    // in New York time: tomorrow 10:00–12:00 Berlin time.
    let berlin = chrono_tz::Europe::Berlin;
    let local_start = tomorrow.date_naive().and_hms_opt(10, 0, 0).unwrap();
    let zone = chrono::TimeZone::from_local_datetime(&berlin, &local_start)
        .unwrap()
        .format("%Z");
    let first = format!("{}, 10:00–12:00 {zone}", tomorrow.format("%a %-d %b %Y"));
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

// ---------------------------------------------------------------------------------------
// Every page at two sizes and in two themes: layout and accessibility.

#[derive(Clone, Copy)]
struct Viewport {
    name: &'static str,
    width: i64,
    height: i64,
}

const DESKTOP: Viewport = Viewport {
    name: "desktop",
    width: 1280,
    height: 900,
};
const PHONE: Viewport = Viewport {
    name: "phone",
    width: 390,
    height: 844,
};

/// A Chrome DevTools command through chromedriver's `goog/cdp/execute` endpoint: WebDriver
/// has no word for the colour scheme or a full-page screenshot, and fantoccini 0.22 no call.
async fn cdp(d: &Driver, cmd: &str, params: Value) -> Value {
    let session = d.client.session_id().await.unwrap().expect("a WebDriver session");
    let resp = reqwest::Client::new()
        .post(format!("{}/session/{session}/goog/cdp/execute", d.url))
        .json(&json!({ "cmd": cmd, "params": params }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("chromedriver did not answer {cmd}: {e}"));
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert!(status.is_success(), "{cmd} failed: {body}");
    body["value"].clone()
}

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap()
}

/// Sizes the window so that the page's viewport (`window.innerWidth`) is exactly `v`.
async fn set_viewport(c: &Client, v: Viewport) {
    c.set_window_size(v.width as u32, v.height as u32).await.unwrap();
    let inner = js(c, "return [window.innerWidth, window.innerHeight];").await;
    let (w, h) = (inner[0].as_i64().unwrap(), inner[1].as_i64().unwrap());
    if (w, h) != (v.width, v.height) {
        // The window's frame, if any, comes on top of the viewport.
        let (dw, dh) = (v.width - w, v.height - h);
        c.set_window_size((v.width + dw) as u32, (v.height + dh) as u32)
            .await
            .unwrap();
    }
    let inner = js(c, "return window.innerWidth;").await;
    assert_eq!(inner.as_i64(), Some(v.width), "the {} viewport", v.name);
}

async fn set_theme(d: &Driver, theme: &str) {
    cdp(
        d,
        "Emulation.setEmulatedMedia",
        json!({ "features": [{ "name": "prefers-color-scheme", "value": theme }] }),
    )
    .await;
    let dark = js(&d.client, "return matchMedia('(prefers-color-scheme: dark)').matches;").await;
    assert_eq!(
        dark,
        json!(theme == "dark"),
        "the browser did not switch to the {theme} theme"
    );
}

/// The whole page, not only the part in view.
async fn full_screenshot(d: &Driver, name: &str) {
    let size = js(
        &d.client,
        // The capture lays the page out without a scroll bar, so at the window's full width.
        "const de = document.documentElement; \
         return [Math.max(de.scrollWidth, innerWidth), de.scrollHeight];",
    )
    .await;
    let shot = cdp(
        d,
        "Page.captureScreenshot",
        json!({
            "format": "png",
            "captureBeyondViewport": true,
            "clip": { "x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1 },
        }),
    )
    .await;
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot["data"].as_str().unwrap())
        .unwrap();
    std::fs::write(screenshot_path(name), png).unwrap();
}

/// How `<main>` sits in the viewport, how wide the document is, and what sticks out.
const MEASURE: &str = r#"
const de = document.documentElement, main = document.querySelector('main');
const r = main ? main.getBoundingClientRect() : null;
const wide = [];
const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
  (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
for (const el of document.body.querySelectorAll('*')) {
  if (wide.length >= 6) break;
  const b = el.getBoundingClientRect();
  if (b.right > de.clientWidth + 1) {
    wide.push(name(el) + ' (right edge at ' + Math.round(b.right) + ' px)');
  } else if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 &&
             getComputedStyle(el).overflowX === 'visible') {
    wide.push(name(el) + ' (content ' + el.scrollWidth + ' px wide in ' + el.clientWidth + ' px)');
  }
}
return {
  main: r ? { left: r.left, right: de.clientWidth - r.right, width: r.width } : null,
  viewport: window.innerWidth, client: de.clientWidth, scroll: de.scrollWidth, wide: wide,
};
"#;

/// Runs axe-core (already injected) and returns its serious and critical violations.
const AXE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] }).then(r => done(
  r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 6).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').replace(/\s+/g, ' ')),
  }))
), e => done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]));
"#;

fn axe_source() -> String {
    let path = std::env::var_os("LULL_AXE_JS").map_or_else(
        || checkout().join("target/axe/node_modules/axe-core/axe.min.js"),
        Into::into,
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core is missing at {} ({e}): install it with \
             `npm install --prefix target/axe axe-core@4.14.1` (as .ci/run does) or set LULL_AXE_JS",
            path.display()
        )
    })
}

/// How the browser reaches a page.
enum Visit {
    Get(String),
    /// Open `from`, fill the field with id `.0` (if any), press the button `.1`.
    Submit {
        from: String,
        fill: Option<(&'static str, String)>,
        button: &'static str,
    },
}

struct Page {
    name: &'static str,
    visit: Visit,
    /// Text the page must show, so that a check never passes on the wrong page.
    shows: String,
}

fn page(name: &'static str, path: impl Into<String>, shows: impl Into<String>) -> Page {
    Page {
        name,
        visit: Visit::Get(path.into()),
        shows: shows.into(),
    }
}

async fn open(c: &Client, base: &str, visit: &Visit) {
    match visit {
        Visit::Get(path) => c.goto(&format!("{base}{path}")).await.unwrap(),
        Visit::Submit {
            from,
            fill: field,
            button,
        } => {
            c.goto(&format!("{base}{from}")).await.unwrap();
            if let Some((id, value)) = field {
                fill(c, id, value).await;
            }
            let before = c.current_url().await.unwrap();
            click(c, button).await;
            // The form posts and the browser loads the answer.
            let deadline = Instant::now() + StdDuration::from_secs(10);
            while js(c, "return document.readyState;").await != json!("complete")
                || c.current_url().await.unwrap() == before
            {
                assert!(Instant::now() < deadline, "pressing {button} on {from} led nowhere");
                tokio::time::sleep(StdDuration::from_millis(50)).await;
            }
        }
    }
}

/// Visits each page and checks it; returns what is wrong, one line per problem.
async fn check_pages(d: &Driver, base: &str, pages: &[Page], v: Viewport, theme: &str, axe: &str) -> Vec<String> {
    let c = &d.client;
    let mut problems = Vec::new();
    for p in pages {
        open(c, base, &p.visit).await;
        let at = format!("{} at {}×{} ({}, {theme})", p.name, v.width, v.height, v.name);
        let body = text(c).await;
        if !body.contains(&p.shows) {
            problems.push(format!("{at}: the page does not show {:?}; it shows:\n{body}", p.shows));
            continue;
        }
        let m = js(c, MEASURE).await;
        full_screenshot(d, &format!("{}-{}-{theme}.png", p.name, v.name)).await;
        let (viewport, scroll) = (m["viewport"].as_i64().unwrap(), m["scroll"].as_i64().unwrap());
        if viewport != v.width {
            problems.push(format!("{at}: the viewport is {viewport} px wide"));
        }
        if scroll > v.width {
            problems.push(format!(
                "{at}: the page is {scroll} px wide, wider than the screen; sticking out: {}",
                m["wide"]
            ));
        }
        if v.width == DESKTOP.width {
            let main = &m["main"];
            let (left, right, width) = (
                main["left"].as_f64().unwrap_or(-1.0),
                main["right"].as_f64().unwrap_or(-1.0),
                main["width"].as_f64().unwrap_or(0.0),
            );
            if (left - right).abs() > 4.0 {
                problems.push(format!(
                    "{at}: <main> is not centred: {left:.0} px on the left, {right:.0} px on the right"
                ));
            }
            if width < 700.0 {
                problems.push(format!("{at}: <main> is only {width:.0} px wide"));
            }
        }

        js(c, axe).await;
        let violations = c.execute_async(AXE, vec![]).await.unwrap();
        for v in violations.as_array().unwrap() {
            problems.push(format!(
                "{at}: axe {} ({}): {}\n    {}",
                v["id"].as_str().unwrap_or_default(),
                v["impact"].as_str().unwrap_or_default(),
                v["help"].as_str().unwrap_or_default(),
                v["nodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n.as_str().unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join("\n    ")
            ));
        }
    }
    problems
}

/// One unbroken word of `len` characters, as a pasted URL or an identifier can be.
fn long_word(len: usize) -> String {
    "Unbrokenword".chars().cycle().take(len).collect()
}

#[tokio::test]
async fn every_page_fits_a_desktop_and_a_phone_in_both_themes_and_passes_axe() {
    let axe = axe_source();
    let app = launch(TestDb::with_system_clock().await).await;
    let base = app.base.clone();
    let now = Utc::now();
    let local = |t: chrono::DateTime<Utc>| t.format("%Y-%m-%dT%H:%M").to_string();

    // Monitors, one with the longest name, slug and group there can be.
    let long_name = long_word(100);
    let long_slug = format!("long-{}", "x".repeat(58));
    for (name, slug, group) in [
        ("Public API", "api", "Core services"),
        ("Website", "web", "Core services"),
        (long_name.as_str(), long_slug.as_str(), long_name.as_str()),
    ] {
        let (status, body) = app
            .post(
                "/api/v1/monitors",
                json!({ "name": name, "slug": slug, "group": group }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    // A checked monitor (a closed loopback port, hourly) with 90 days of history: mostly
    // up, a few bad days, a maintenance day, and days before it was checked.
    let (status, checked) = app
        .post(
            "/api/v1/monitors",
            json!({ "name": "Checkout", "slug": "checkout", "group": "Core services", "type": "http",
                    "url": "http://127.0.0.1:9/", "interval": 3600 }),
        )
        .await;
    assert_eq!(status, 201, "{checked}");
    {
        use lull::domain::rollup::{Period, Tally};
        let today = Period::Day.floor(now);
        let mut conn = app.services.store.conn().await.unwrap();
        for n in 1..70 {
            let (down, degraded, maintenance) = match n {
                3 => (5_400, 0, 0),
                12 => (0, 1_800, 0),
                20 | 48 => (0, 0, 7_200),
                33 => (600, 0, 3_600),
                _ => (0, 0, 0),
            };
            let t = Tally {
                up_secs: 86_400 - down - degraded - maintenance,
                down_secs: down,
                degraded_secs: degraded,
                maintenance_secs: maintenance,
                ..Tally::default()
            };
            lull::store::checks::add_rollup(
                &mut conn,
                checked["id"].as_i64().unwrap(),
                Period::Day,
                today - Duration::days(n),
                &t,
            )
            .await
            .unwrap();
        }
    }
    // A second checked monitor, new: its bar has no data yet (and its arrival makes the
    // page read the roll-ups above at once).
    let (status, body) = app
        .post(
            "/api/v1/monitors",
            json!({ "name": "Search", "slug": "search", "group": "Core services", "type": "tcp",
                    "target": "127.0.0.1:9", "interval": 3600 }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let events_of = async |m: &Value| {
        let (_, events) = app.get(&format!("/api/v1/maintenances/{}/events", m["id"])).await;
        ids(&events)
    };
    let act = async |event: i64, action: &str, body: Value| {
        let (status, answer) = app.post(&format!("/api/v1/events/{event}/{action}"), body).await;
        assert_eq!(status, 200, "{action} {event}: {answer}");
    };

    // A 200-character unbroken title, with a long URL in its description.
    let long_title = long_word(200);
    let long_url = format!("https://example.com/{}", long_word(180));
    let long = app
        .maintenance(json!({
            "title": long_title, "start": local(now + Duration::days(2)), "timezone": "Europe/Berlin",
            "duration": 3600, "description": format!("See <{long_url}> and `{}`.", long_word(120)),
            "monitors": [{ "slug": long_slug, "impact": "DOWN" }, { "slug": "api" }],
        }))
        .await;
    // Ongoing, with a progress update.
    let ongoing = app
        .maintenance(json!({
            "title": "Database failover", "start": local(now + Duration::hours(3)), "timezone": "UTC",
            "duration": 7200, "description": "The primary moves to **new hardware**.",
            "monitors": [{ "slug": "api" }, { "slug": "web", "impact": "DEGRADED" }],
        }))
        .await;
    let ongoing_event = events_of(&ongoing).await[0];
    act(ongoing_event, "start", json!({})).await;
    let update = format!("Replica promoted; details at {long_url}");
    act(ongoing_event, "updates", json!({ "body": update })).await;
    // Upcoming, weekly.
    let tomorrow = now + Duration::days(1);
    let weekday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][tomorrow.weekday().num_days_from_monday() as usize];
    app.maintenance(json!({
        "title": "Weekly patching", "start": local(tomorrow), "timezone": "America/New_York",
        "duration": 5400, "rrule": format!("FREQ=WEEKLY;BYDAY={weekday}"), "monitors": [{ "slug": "web" }],
    }))
    .await;
    // Every four hours: one card with its next windows and "and N more this week".
    app.maintenance(json!({
        "title": "Backup rotation", "start": local(now + Duration::hours(1)), "timezone": "UTC",
        "duration": 600, "rrule": "FREQ=HOURLY;INTERVAL=4", "monitors": [{ "slug": "api", "impact": "DEGRADED" }],
    }))
    .await;
    // Cancelled.
    let cancelled = app
        .maintenance(json!({
            "title": "Switch replacement", "start": local(now + Duration::days(4)), "timezone": "UTC",
            "duration": 1800, "monitors": [{ "slug": "web" }],
        }))
        .await;
    act(events_of(&cancelled).await[0], "cancel", json!({})).await;
    // Completed (started and completed early).
    let done = app
        .maintenance(json!({
            "title": "Certificate rotation", "start": local(now + Duration::hours(5)), "timezone": "UTC",
            "duration": 1800, "monitors": [{ "slug": "api", "impact": "UP" }],
        }))
        .await;
    let done_event = events_of(&done).await[0];
    act(done_event, "start", json!({})).await;
    act(done_event, "complete", json!({})).await;
    // How history reads a window that passed while the server was down, and how the
    // overview reads notices dropped as stale (both states come from downtime, which this
    // test cannot wait through, so they are written as the scheduler and outbox would).
    sqlx::query("UPDATE events SET observed = 0 WHERE id = $1")
        .bind(done_event)
        .execute(&app.store.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO outbox (dedupe, kind, event_id, maintenance_id, status, next_attempt_at, last_error, created_at)
         VALUES ('e2e-stale', 'started', $1, $2, 'SKIPPED', $3, 'the event is COMPLETED now', $3)",
    )
    .bind(done_event)
    .bind(done["id"].as_i64().unwrap())
    .bind(now.timestamp())
    .execute(&app.store.pool)
    .await
    .unwrap();
    // An open incident with two updates, and one recorded as resolved with a long title.
    let (status, incident) = app
        .post(
            "/api/v1/incidents",
            json!({ "title": "Elevated API errors", "body": format!("Requests to **checkout** fail; see {long_url}"),
                    "monitors": [{ "slug": "api", "impact": "DEGRADED" }] }),
        )
        .await;
    assert!(status.is_success(), "{incident}");
    let incident_page = format!("/incidents/{}", incident["id"]);
    app.post(
        &format!("/api/v1/incidents/{}/updates", incident["id"]),
        json!({ "status": "IDENTIFIED", "body": "A bad deploy; rolling back." }),
    )
    .await;
    let (status, body) = app
        .post(
            "/api/v1/incidents",
            json!({ "title": long_title.clone(), "body": "Over.", "status": "RESOLVED", "monitors": [{ "slug": "web" }] }),
        )
        .await;
    assert!(status.is_success(), "{body}");
    // A subscriber, a webhook (on a closed loopback port) and a token, all with long text.
    let long_email = format!("{}@example.com", long_word(60).to_lowercase());
    let (status, body) = app.post("/api/v1/subscribers", json!({ "email": long_email })).await;
    assert!(status.is_success(), "{body}");
    let hook = format!("http://127.0.0.1:9/{}", long_word(180));
    let (status, body) = app.post("/api/v1/webhooks", json!({ "url": hook })).await;
    assert!(status.is_success(), "{body}");
    lull::service::tokens::create(&app.services, &long_word(100))
        .await
        .unwrap();
    lull::service::admins::create(&app.services, "ops@example.com", "correct horse battery", false)
        .await
        .unwrap();

    let public = [
        page("public", "/", "Database failover"),
        page("public-recurring", "/#upcoming", "more this week"),
        page("public-event", format!("/maintenance/{ongoing_event}"), update.clone()),
        page(
            "public-event-long",
            format!("/maintenance/{}", events_of(&long).await[0]),
            long_title.clone(),
        ),
        page("history", "/history", "Not observed"),
        page("public-incident", incident_page.clone(), "A bad deploy; rolling back."),
        page("not-found", "/maintenance/999999", "There is no such maintenance."),
        page("sign-in", "/admin/login", "Sign in"),
    ];
    let dashboard = [
        page("admin", "/admin", "dropped as stale"),
        page("admin-monitors", "/admin/monitors", long_name.clone()),
        page(
            "admin-monitor",
            format!("/admin/monitors/{long_slug}"),
            "Delete monitor",
        ),
        page("admin-maintenances", "/admin/maintenances", long_title.clone()),
        page("admin-maintenance-new", "/admin/maintenances/new", "Time zone"),
        page(
            "admin-maintenance",
            format!("/admin/maintenances/{}", long["id"]),
            "Edit maintenance",
        ),
        page("admin-events", "/admin/events", "Certificate rotation"),
        page("admin-incidents", "/admin/incidents", "Open an incident"),
        page("admin-incident", format!("/admin{incident_page}"), "Post an update"),
        page(
            "admin-event",
            format!("/admin/events/{ongoing_event}"),
            "Replica promoted",
        ),
        page("admin-subscribers", "/admin/subscribers", long_email.clone()),
        page("admin-webhooks", "/admin/webhooks", hook.clone()),
        page("admin-tokens", "/admin/tokens", long_word(100)),
        Page {
            name: "admin-confirm",
            visit: Visit::Submit {
                from: "/admin/monitors/web".into(),
                fill: None,
                button: ".danger-zone button",
            },
            shows: "Are you sure?".into(),
        },
    ];

    let d = chromium().await;
    let c = &d.client;
    let mut problems = Vec::new();
    let mut subscribed = 0;
    for v in [DESKTOP, PHONE] {
        set_viewport(c, v).await;
        for theme in ["light", "dark"] {
            c.goto(&format!("{base}/")).await.unwrap();
            set_theme(&d, theme).await;
            c.delete_all_cookies().await.unwrap();
            subscribed += 1;
            let subscribe = Page {
                name: "subscribed",
                visit: Visit::Submit {
                    from: "/".into(),
                    fill: Some(("subscribe-email", format!("visitor{subscribed}@example.com"))),
                    button: ".subscribe button[type=submit]",
                },
                shows: "Check your inbox".into(),
            };
            problems.extend(check_pages(&d, &base, &public, v, theme, &axe).await);
            problems.extend(check_pages(&d, &base, std::slice::from_ref(&subscribe), v, theme, &axe).await);

            c.goto(&format!("{base}/admin/login")).await.unwrap();
            fill(c, "email", "ops@example.com").await;
            fill(c, "password", "correct horse battery").await;
            click(c, "main button[type=submit]").await;
            c.wait()
                .for_element(Locator::Css("a[href='/admin/monitors']"))
                .await
                .unwrap();
            problems.extend(check_pages(&d, &base, &dashboard, v, theme, &axe).await);
        }
    }
    let Driver {
        mut process, client, ..
    } = d;
    client.close().await.unwrap();
    let _ = process.kill().await;
    assert!(
        problems.is_empty(),
        "{} problems (screenshots in target/e2e/):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
