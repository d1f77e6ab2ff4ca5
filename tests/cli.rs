//! The `lull` binary end to end: schedule preview, tokens and admins against the database,
//! the operator commands against a running server, the request bodies of options the
//! server reads, and what `serve` tells the person who starts it.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use common::*;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lull"));
    cmd.args(args)
        .env_remove("LULL_TOKEN")
        .env_remove("LULL_SERVER")
        .env_remove("LULL_DATABASE_URL")
        .env_remove("LULL_BIND")
        .env_remove("LULL_PUBLIC_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

async fn output(mut cmd: Command) -> Run {
    let out = cmd.output().await.unwrap();
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

async fn lull(args: &[&str], env: &[(&str, &str)]) -> Run {
    output(command(args, env)).await
}

/// Runs `lull` with `dir` as its working directory.
async fn lull_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = command(args, env);
    cmd.current_dir(dir);
    output(cmd).await
}

async fn api(app: &TestApp, args: &[&str]) -> Run {
    lull(args, &[("LULL_SERVER", &app.base), ("LULL_TOKEN", &app.token)]).await
}

fn preview_args<'a>(rrule: &'a str, start: &'a str, tz: &'a str, duration: &'a str) -> Vec<&'a str> {
    vec![
        "schedule",
        "preview",
        "--rrule",
        rrule,
        "--start",
        start,
        "--tz",
        tz,
        "--duration",
        duration,
    ]
}

#[tokio::test]
async fn schedule_preview_lists_windows_in_the_schedules_zone_and_in_utc() {
    let mut args = preview_args("FREQ=WEEKLY;BYDAY=SU", "2026-03-22T03:00", "Europe/Berlin", "1h");
    args.extend(["--limit", "3"]);
    let run = lull(&args, &[]).await;
    assert!(run.ok, "{}", run.stderr);
    // Berlin is UTC+1 until summer time starts on Sunday 29 March 2026, then UTC+2:
    // 03:00 local stays 03:00 while the UTC time moves an hour earlier.
    assert_eq!(
        run.stdout,
        "First 3 windows of FREQ=WEEKLY;BYDAY=SU in Europe/Berlin, 1h each:\n\
         Sun 22 Mar 2026, 03:00–04:00 CET (02:00–03:00 UTC)\n\
         Sun 29 Mar 2026, 03:00–04:00 CEST (01:00–02:00 UTC)\n\
         Sun 5 Apr 2026, 03:00–04:00 CEST (01:00–02:00 UTC)\n"
    );
}

#[tokio::test]
async fn schedule_preview_json_keeps_the_machine_form() {
    let mut args = vec!["--json"];
    args.extend(preview_args(
        "FREQ=WEEKLY;BYDAY=SU",
        "2026-03-22T03:00",
        "Europe/Berlin",
        "3600",
    ));
    args.extend(["--limit", "2"]);
    let run = lull(&args, &[]).await;
    assert!(run.ok, "{}", run.stderr);
    let windows: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        windows,
        json!([
            {"start": "2026-03-22T02:00:00Z", "end": "2026-03-22T03:00:00Z"},
            {"start": "2026-03-29T01:00:00Z", "end": "2026-03-29T02:00:00Z"}
        ])
    );
}

#[tokio::test]
async fn schedule_preview_takes_durations_as_every_command_does() {
    for (duration, end) in [("2h", "05:00"), ("1h30m", "04:30"), ("90m", "04:30"), ("5400", "04:30")] {
        let run = lull(&preview_args("", "2026-12-06T03:00", "Europe/Berlin", duration), &[]).await;
        assert!(run.ok, "{duration}: {}", run.stderr);
        assert!(
            run.stdout.contains(&format!("Sun 6 Dec 2026, 03:00–{end} CET")),
            "{duration}: {}",
            run.stdout
        );
    }
    let run = lull(&preview_args("", "2026-12-06T03:00", "Europe/Berlin", "2 weeks"), &[]).await;
    assert!(!run.ok);
    assert!(
        run.stderr.contains("--duration") && run.stderr.contains("1h30m") && !run.stderr.contains("invalid digit"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn schedule_preview_defaults_to_ten_and_stops_at_count() {
    let run = lull(
        &[
            "schedule",
            "preview",
            "--rrule",
            "FREQ=DAILY",
            "--start",
            "2026-01-01T00:00",
            "--tz",
            "UTC",
            "--duration",
            "60",
        ],
        &[],
    )
    .await;
    assert!(
        run.stdout
            .starts_with("First 10 windows of FREQ=DAILY in UTC, 1m each:\n"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.lines().count(), 1 + 10);
    let run = lull(
        &[
            "schedule",
            "preview",
            "--rrule",
            "FREQ=DAILY;COUNT=2",
            "--start",
            "2026-01-01T00:00",
            "--tz",
            "UTC",
            "--duration",
            "60",
        ],
        &[],
    )
    .await;
    assert!(
        run.stdout
            .starts_with("All 2 windows of FREQ=DAILY;COUNT=2 in UTC, 1m each:\n"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.lines().count(), 1 + 2);
}

#[tokio::test]
async fn schedule_preview_rejects_bad_input_with_the_reason() {
    let run = lull(
        &[
            "schedule",
            "preview",
            "--rrule",
            "FREQ=DAILY",
            "--start",
            "2026-01-01T00:00",
            "--tz",
            "Moon/Base",
            "--duration",
            "60",
        ],
        &[],
    )
    .await;
    assert!(!run.ok);
    assert!(
        run.stderr.contains("timezone") && run.stderr.contains("Moon/Base"),
        "{}",
        run.stderr
    );
    let run = lull(
        &[
            "schedule",
            "preview",
            "--rrule",
            "FREQ=OFTEN",
            "--start",
            "2026-01-01T00:00",
            "--tz",
            "UTC",
            "--duration",
            "60",
        ],
        &[],
    )
    .await;
    assert!(!run.ok);
    assert!(run.stderr.contains("rrule"), "{}", run.stderr);
}

#[tokio::test]
async fn token_create_prints_a_working_token_as_its_last_line() {
    let db = TestDb::new(t0()).await;
    let run = lull(
        &["token", "create", "--name", "deploy-bot"],
        &[("LULL_DATABASE_URL", &db.url)],
    )
    .await;
    assert!(run.ok, "{}", run.stderr);
    let token = run.stdout.lines().last().unwrap().to_string();
    assert!(token.starts_with("lull_") && token.len() > 40, "{token}");
    let listed = lull(&["token", "list"], &[("LULL_DATABASE_URL", &db.url)]).await;
    assert!(listed.stdout.contains("deploy-bot") && !listed.stdout.contains(&token));

    let app = launch(db).await;
    let run = lull(
        &["monitor", "create", "--name", "API", "--slug", "api"],
        &[("LULL_SERVER", &app.base), ("LULL_TOKEN", &token)],
    )
    .await;
    assert!(run.ok, "{}", run.stderr);
    let (_, log) = app.get("/api/v1/audit").await;
    assert_eq!(log["items"][0]["actor"], "token:deploy-bot");
}

#[tokio::test]
async fn operators_run_a_maintenance_from_the_command_line() {
    let app = spawn_app().await;
    assert!(
        api(&app, &["monitor", "create", "--name", "API", "--slug", "api"])
            .await
            .ok
    );

    let run = api(
        &app,
        &[
            "maintenance",
            "create",
            "--title",
            "Kernel patching",
            "--start",
            "2026-05-10T15:00",
            "--tz",
            "Europe/Berlin",
            "--duration",
            "90m",
            "--rrule",
            "FREQ=DAILY;COUNT=3",
            "--monitor",
            "api:degraded",
        ],
    )
    .await;
    assert!(run.ok, "{}", run.stderr);
    // In May Berlin is UTC+2: 15:00 CEST is 13:00 UTC, and 90 minutes later is 16:30.
    for line in [
        "Maintenance 1: Kernel patching (ACTIVE)",
        "First:     Sun 10 May 2026, 15:00 CEST (Europe/Berlin)",
        "Length:    1h 30m",
        "Repeats:   FREQ=DAILY;COUNT=3",
        "Next:      Sun 10 May 2026, 15:00–16:30 CEST (13:00–14:30 UTC)",
        "Monitors:  api:DEGRADED",
    ] {
        assert!(run.stdout.contains(line), "{line} in\n{}", run.stdout);
    }

    let run = api(&app, &["maintenance", "list", "--json"]).await;
    let list: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(list[0]["duration"], 5400);
    let id = list[0]["id"].to_string();
    let run = api(&app, &["maintenance", "list"]).await;
    assert!(
        run.stdout.contains("Sun 10 May 2026, 15:00–16:30 CEST"),
        "{}",
        run.stdout
    );

    let run = api(&app, &["event", "list", "--monitor", "api", "--json"]).await;
    let events: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        starts(&events),
        ["2026-05-10T13:00:00Z", "2026-05-11T13:00:00Z", "2026-05-12T13:00:00Z"]
    );
    let first = events[0]["id"].to_string();
    let run = api(&app, &["event", "list", "--monitor", "api"]).await;
    for when in [
        "Sun 10 May 2026, 15:00–16:30 CEST",
        "Mon 11 May 2026, 15:00–16:30 CEST",
        "Tue 12 May 2026, 15:00–16:30 CEST",
    ] {
        assert!(run.stdout.contains(when), "{when} in\n{}", run.stdout);
    }

    // Started at the server's 12:00 UTC (14:00 CEST), the 90-minute window keeps its
    // length and runs to 13:30 UTC; 30 more minutes make 14:00 UTC, 16:00 CEST.
    let run = api(&app, &["event", "start", &first]).await;
    assert!(run.ok && run.stdout.contains("ONGOING"), "{}{}", run.stdout, run.stderr);
    let run = api(&app, &["event", "extend", &first, "--by", "30m"]).await;
    assert!(
        run.stdout
            .contains("When:      Sun 10 May 2026, 14:00–16:00 CEST (12:00–14:00 UTC)")
            && run
                .stdout
                .contains("Planned:   Sun 10 May 2026, 15:00–16:30 CEST (13:00–14:30 UTC)"),
        "{}",
        run.stdout
    );
    let run = api(&app, &["event", "update", &first, "Rebooting", "the", "second", "half"]).await;
    assert!(
        run.stdout
            .contains("Sun 10 May 2026, 14:00 CEST  Rebooting the second half"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    let run = api(&app, &["event", "update", &first, "--body", "Second half is back"]).await;
    assert!(run.ok, "{}", run.stderr);
    let run = api(&app, &["event", "get", &first, "--json"]).await;
    let event: Value = serde_json::from_str(&run.stdout).unwrap();
    let bodies: Vec<&str> = event["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["Second half is back", "Rebooting the second half"]);

    let run = api(&app, &["--json", "status"]).await;
    let status: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(status["monitors"][0]["effective_status"], "DEGRADED");
    let run = api(&app, &["event", "complete", &first]).await;
    assert!(run.ok && run.stdout.contains("COMPLETED"));

    let run = api(&app, &["maintenance", "cancel", &id]).await;
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout.contains("Next:      none (INACTIVE)"), "{}", run.stdout);
    let run = api(&app, &["maintenance", "events", &id, "--json"]).await;
    let events: Value = serde_json::from_str(&run.stdout).unwrap();
    let statuses: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["COMPLETED", "CANCELLED", "CANCELLED"]);
}

#[tokio::test]
async fn the_cli_reports_api_errors_and_exits_non_zero() {
    let app = spawn_app().await;
    let run = api(
        &app,
        &[
            "maintenance",
            "create",
            "--title",
            "X",
            "--start",
            "2026-05-10T15:00",
            "--tz",
            "UTC",
            "--duration",
            "60",
            "--monitor",
            "ghost",
        ],
    )
    .await;
    assert!(!run.ok);
    assert!(
        run.stderr.contains("monitors[0].slug") && run.stderr.contains("ghost"),
        "{}",
        run.stderr
    );

    let run = lull(
        &["monitor", "create", "--name", "A", "--slug", "a"],
        &[("LULL_SERVER", &app.base)],
    )
    .await;
    assert!(!run.ok);
    assert!(
        run.stderr.contains("401") && run.stderr.contains("LULL_TOKEN"),
        "{}",
        run.stderr
    );

    let run = api(&app, &["event", "complete", "424242"]).await;
    assert!(!run.ok);
    assert!(run.stderr.contains("not found"), "{}", run.stderr);

    let run = lull(&["status"], &[("LULL_SERVER", "http://127.0.0.1:9")]).await;
    assert!(!run.ok);
    assert!(run.stderr.contains("cannot reach the server"), "{}", run.stderr);
}

#[tokio::test]
async fn maintenance_create_names_every_missing_option_at_once() {
    let run = lull(&["maintenance", "create", "--title", "Patching"], &[]).await;
    assert!(!run.ok);
    let missing = run.stderr.split("Usage:").next().unwrap().to_string();
    for flag in ["--start", "--tz", "--duration"] {
        assert!(missing.contains(flag), "{flag} in\n{}", run.stderr);
    }
    assert!(!missing.contains("--title"), "{}", run.stderr);

    let help = lull(&["maintenance", "create", "--help"], &[]).await;
    let usage = help.stdout.lines().find(|l| l.starts_with("Usage:")).unwrap();
    assert!(
        usage.ends_with("[OPTIONS] --title <TITLE> --start <START> --tz <TZ> --duration <DURATION>"),
        "{usage}"
    );
    let help = lull(&["maintenance", "update", "--help"], &[]).await;
    let usage = help.stdout.lines().find(|l| l.starts_with("Usage:")).unwrap();
    assert!(usage.ends_with("[OPTIONS] <ID>"), "{usage}");
}

#[tokio::test]
async fn every_option_says_what_it_is_for() {
    for cmd in [
        vec!["token", "create"],
        vec!["admin", "create"],
        vec!["monitor", "create"],
        vec!["monitor", "update"],
        vec!["maintenance", "create"],
        vec!["maintenance", "update"],
        vec!["maintenance", "skip"],
        vec!["event", "list"],
        vec!["event", "start"],
        vec!["event", "extend"],
        vec!["event", "update"],
        vec!["schedule", "preview"],
    ] {
        let mut args = cmd.clone();
        args.push("--help");
        let help = lull(&args, &[]).await.stdout;
        // An option with help has it on its line (`  --name <NAME>  Name …`) or, when clap
        // lays help out below the options, on the next line; one without has neither.
        let lines: Vec<&str> = help.lines().map(str::trim).collect();
        let option = |l: &str| l.starts_with('-') || l.starts_with('<') || l.starts_with('[');
        let bare: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|(i, l)| {
                let next = lines.get(i + 1).copied().unwrap_or("");
                option(l) && !l.contains("  ") && (next.is_empty() || option(next))
            })
            .map(|(_, l)| *l)
            .collect();
        assert!(bare.is_empty(), "{cmd:?} without help: {bare:?}\n{help}");
    }
}

#[tokio::test]
async fn maintenance_skip_takes_the_date_as_an_argument_and_says_what_was_skipped() {
    let app = spawn_app().await;
    let run = api(
        &app,
        &[
            "maintenance",
            "create",
            "--title",
            "Weekly DB patching",
            "--start",
            "2026-05-17T03:00",
            "--tz",
            "Europe/Berlin",
            "--duration",
            "2h",
            "--rrule",
            "FREQ=WEEKLY;BYDAY=SU",
        ],
    )
    .await;
    assert!(run.ok, "{}", run.stderr);

    // A day, a local start and the older --start flag all name one Sunday 03:00 CEST
    // (01:00 UTC) window.
    let run = api(&app, &["maintenance", "skip", "1", "2026-05-17"]).await;
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "Skipped Sun 17 May 2026, 03:00 CEST of 'Weekly DB patching'\n"
    );
    let run = api(&app, &["maintenance", "skip", "1", "2026-05-24T03:00"]).await;
    assert_eq!(
        run.stdout, "Skipped Sun 24 May 2026, 03:00 CEST of 'Weekly DB patching'\n",
        "{}",
        run.stderr
    );
    let run = api(&app, &["maintenance", "skip", "1", "--start", "2026-05-31T01:00:00Z"]).await;
    assert_eq!(
        run.stdout, "Skipped Sun 31 May 2026, 03:00 CEST of 'Weekly DB patching'\n",
        "{}",
        run.stderr
    );
    let (_, m) = app.get("/api/v1/maintenances/1").await;
    assert_eq!(
        m["skipped"],
        json!(["2026-05-17T01:00:00Z", "2026-05-24T01:00:00Z", "2026-05-31T01:00:00Z"])
    );

    let run = api(&app, &["maintenance", "skip", "1", "2026-06-02"]).await;
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("no window of 'Weekly DB patching' starts on Tue 2 Jun 2026")
            && run.stderr.contains("Sun 7 Jun 2026, 03:00 CEST"),
        "{}",
        run.stderr
    );
    let run = api(&app, &["maintenance", "get", "1"]).await;
    assert!(
        run.stdout
            .contains("Skipped:   Sun 17 May 2026, 03:00 CEST; Sun 24 May 2026, 03:00 CEST"),
        "{}",
        run.stdout
    );
}

#[tokio::test]
async fn json_may_come_before_the_command() {
    let app = spawn_app().await;
    app.monitor("api").await;
    for args in [
        vec!["--json", "monitor", "list"],
        vec!["monitor", "--json", "list"],
        vec!["monitor", "list", "--json"],
    ] {
        let run = api(&app, &args).await;
        let list: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", run.stdout));
        assert_eq!(list[0]["slug"], "api", "{args:?}");
    }
}

#[tokio::test]
async fn token_and_admin_refuse_to_create_a_new_empty_database() {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path().canonicalize().unwrap();
    let expected = here.join("lull.db").display().to_string();
    for args in [
        vec!["token", "list"],
        vec!["token", "create", "--name", "ops"],
        vec!["admin", "create", "--email", "ops@example.com", "--password-stdin"],
    ] {
        let run = lull_in(&here, &args, &[]).await;
        assert!(!run.ok, "{args:?}: {}", run.stdout);
        assert!(
            run.stderr.contains(&expected) && run.stderr.contains("LULL_DATABASE_URL"),
            "{args:?}: {}",
            run.stderr
        );
        assert_eq!(std::fs::read_dir(&here).unwrap().count(), 0, "{args:?} left a file");
    }
    let elsewhere = format!("sqlite://{}", here.join("other.db").display());
    let run = lull_in(&here, &["token", "list"], &[("LULL_DATABASE_URL", &elsewhere)]).await;
    assert!(!run.ok && run.stderr.contains(&elsewhere), "{}", run.stderr);

    // `migrate` (like `serve`) creates it; then tokens work.
    let run = lull_in(&here, &["migrate"], &[]).await;
    assert!(run.ok, "{}", run.stderr);
    let run = lull_in(&here, &["token", "create", "--name", "ops"], &[]).await;
    assert!(run.ok, "{}", run.stderr);
    let run = lull_in(&here, &["token", "list"], &[]).await;
    assert!(run.ok && run.stdout.contains("ops"), "{}", run.stderr);
}

/// A stand-in server that answers every request with `{"id": 1}` and keeps what it was
/// sent, to check request bodies for options the real server may not read yet.
struct Recorder {
    base: String,
    seen: Arc<Mutex<Vec<(String, String, String)>>>,
}

impl Recorder {
    async fn start() -> Self {
        let seen: Arc<Mutex<Vec<(String, String, String)>>> = Arc::default();
        let keep = seen.clone();
        let router = axum::Router::new().fallback(move |req: axum::extract::Request| {
            let keep = keep.clone();
            async move {
                let (parts, body) = req.into_parts();
                let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
                keep.lock().unwrap().push((
                    parts.method.to_string(),
                    parts.uri.to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                ));
                axum::Json(json!({"id": 1}))
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { base, seen }
    }

    /// Runs `lull --json ARGS` (its answer is not a real view, so it is not read as one).
    async fn run(&self, args: &[&str]) -> (String, String, Value) {
        let args = [&["--json"], args].concat();
        let run = lull(&args, &[("LULL_SERVER", &self.base), ("LULL_TOKEN", "t")]).await;
        assert!(run.ok, "{args:?}: {}", run.stderr);
        let (method, path, body) = self.seen.lock().unwrap().pop().unwrap();
        let body = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&body).unwrap()
        };
        (method, path, body)
    }
}

#[tokio::test]
async fn record_past_and_a_chosen_end_reach_the_server() {
    let server = Recorder::start().await;
    let create = [
        "maintenance",
        "create",
        "--title",
        "Typo year",
        "--start",
        "2020-01-01T03:00",
        "--tz",
        "Europe/Berlin",
        "--duration",
        "1h30m",
        "--reminder-lead",
        "45m",
    ];
    let (method, path, body) = server.run(&[&create[..], &["--record-past"]].concat()).await;
    assert_eq!((method.as_str(), path.as_str()), ("POST", "/api/v1/maintenances"));
    assert_eq!(
        body,
        json!({"title": "Typo year", "start": "2020-01-01T03:00", "timezone": "Europe/Berlin",
               "duration": 5400, "reminder_lead": 2700, "record_past": true})
    );
    let (_, _, body) = server.run(&create).await;
    assert!(body.get("record_past").is_none(), "{body}");

    let (method, path, body) = server
        .run(&["event", "start", "7", "--end", "2026-12-06T06:00:00+01:00"])
        .await;
    assert_eq!((method.as_str(), path.as_str()), ("POST", "/api/v1/events/7/start"));
    assert_eq!(body, json!({"end": "2026-12-06T05:00:00Z"}));
    let (_, _, body) = server.run(&["event", "start", "7"]).await;
    assert_eq!(body, Value::Null, "without --end, start keeps the planned length");

    let before = Utc::now();
    let (_, _, body) = server.run(&["event", "start", "7", "--end", "1h30m"]).await;
    let after = Utc::now();
    let end = utc(body["end"].as_str().unwrap());
    let planned = chrono::Duration::minutes(90);
    // Whole seconds are sent, so allow the second cut off `before`.
    assert!(
        before + planned - chrono::Duration::seconds(1) <= end && end <= after + planned,
        "{end} not 90 minutes after {before}"
    );

    let (_, path, body) = server.run(&["event", "extend", "7", "--by", "1h30m"]).await;
    assert_eq!(
        (path.as_str(), body),
        ("/api/v1/events/7/extend", json!({"seconds": 5400}))
    );
    let (_, path, body) = server.run(&["maintenance", "update", "7", "--duration", "2d"]).await;
    assert_eq!(
        (path.as_str(), body),
        ("/api/v1/maintenances/7", json!({"duration": 172_800}))
    );
}

/// Starts `lull serve` on an ephemeral loopback port and returns its log up to the line
/// that contains `until`.
async fn serve_log_until(dir: &Path, until: &str) -> Vec<String> {
    let mut cmd = command(&["serve", "--bind", "127.0.0.1:0"], &[]);
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut log = Vec::new();
    let found = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            let done = line.contains(until);
            log.push(line);
            if done {
                return true;
            }
        }
        false
    })
    .await;
    child.kill().await.unwrap();
    assert_eq!(found, Ok(true), "no '{until}' in the log:\n{}", log.join("\n"));
    log
}

#[tokio::test]
async fn serve_says_where_to_create_the_first_admin_without_colour_codes_in_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let log = serve_log_until(dir.path(), "to create the first admin").await;
    let line = log.last().unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line}"));
    let port: u16 = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix("/admin"))
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("{url}"));
    assert_ne!(port, 0, "the real port, not the one asked for");
    assert!(
        line.contains(&format!("open {url} to create the first admin")),
        "{line}"
    );
    assert!(log.iter().all(|l| !l.contains('\u{1b}')), "{log:?}");

    let mut admin = command(
        &["admin", "create", "--email", "ops@example.com", "--password-stdin"],
        &[],
    );
    admin
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    let mut child = admin.spawn().unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut child.stdin.take().unwrap(), b"correct horse battery staple\n")
        .await
        .unwrap();
    assert!(child.wait().await.unwrap().success());
    let log = serve_log_until(dir.path(), "dashboard at http://127.0.0.1:").await;
    assert!(log.last().unwrap().ends_with("/admin"), "{log:?}");
}

#[tokio::test]
async fn serve_help_shows_which_variables_are_set() {
    let help = lull(&["serve", "--help"], &[]).await.stdout;
    assert!(help.contains("[env: LULL_BIND]"), "{help}");
    assert!(!help.contains("=]"), "a variable shown as set to nothing:\n{help}");
    let help = lull(&["serve", "--help"], &[("LULL_BIND", "127.0.0.1:4000")])
        .await
        .stdout;
    assert!(help.contains("[env: LULL_BIND=127.0.0.1:4000]"), "{help}");
    let help = lull(
        &["serve", "--help"],
        &[("LULL_DATABASE_URL", "postgres://u:secret@127.0.0.1/x")],
    )
    .await
    .stdout;
    assert!(!help.contains("secret"), "{help}");
}

/// Runs `lull` against the test app's database with `input` on standard input.
async fn lull_with_input(app: &TestApp, args: &[&str], input: &str) -> Run {
    let mut cmd = command(args, &[("LULL_DATABASE_URL", &app.db.url)]);
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut child.stdin.take().unwrap(), input.as_bytes())
        .await
        .unwrap();
    let out = child.wait_with_output().await.unwrap();
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[tokio::test]
async fn admins_are_listed_given_new_passwords_that_end_their_sessions_and_removed_but_never_the_last() {
    let app = spawn_app().await;
    for email in ["ops@example.com", "oncall@example.com"] {
        let run = lull_with_input(
            &app,
            &["admin", "create", "--email", email, "--password-stdin"],
            "correct horse battery\n",
        )
        .await;
        assert!(run.ok, "{}", run.stderr);
    }
    let (_, session) = common::pages::sign_in(&app, "ops@example.com", "correct horse battery").await;
    let session = session.expect("signed in");
    let run = lull_with_input(&app, &["admin", "list"], "").await;
    assert!(run.ok, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(
        lines[0].contains("ops@example.com") && lines[0].contains("last signed in"),
        "{}",
        run.stdout
    );
    assert!(
        lines[1].contains("oncall@example.com") && lines[1].contains("never signed in"),
        "{}",
        run.stdout
    );

    // A new password: the old one no longer works and the open session is over.
    let run = lull_with_input(
        &app,
        &["admin", "password", "--email", "ops@example.com", "--password-stdin"],
        "a brand new passphrase\n",
    )
    .await;
    assert!(run.ok, "{}", run.stderr);
    let dashboard = common::pages::no_redirects()
        .get(format!("{}/admin", app.base))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(
        dashboard.status(),
        reqwest::StatusCode::SEE_OTHER,
        "the old session is ended"
    );
    let (status, _) = common::pages::sign_in(&app, "ops@example.com", "correct horse battery").await;
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED);
    let (_, again) = common::pages::sign_in(&app, "ops@example.com", "a brand new passphrase").await;
    assert!(again.is_some());

    // Unknown admins and short passwords are errors that say so.
    let run = lull_with_input(
        &app,
        &["admin", "password", "--email", "who@example.com", "--password-stdin"],
        "long enough pass\n",
    )
    .await;
    assert!(
        !run.ok && run.stderr.contains("no admin has this email"),
        "{}",
        run.stderr
    );

    let run = lull_with_input(&app, &["admin", "delete", "--email", "oncall@example.com"], "").await;
    assert!(run.ok, "{}", run.stderr);
    let run = lull_with_input(&app, &["admin", "delete", "--email", "ops@example.com"], "").await;
    assert!(!run.ok && run.stderr.contains("last admin"), "{}", run.stderr);
    let run = lull_with_input(&app, &["--json", "admin", "list"], "").await;
    let list: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["email"], "ops@example.com");

    let (_, log) = app.get("/api/v1/audit").await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"admin.password") && actions.contains(&"admin.delete"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn an_answer_this_cli_cannot_read_is_an_error_not_a_table_of_dashes() {
    // The stand-in answers `{"id": 1}`: not a maintenance as this version knows one.
    let server = Recorder::start().await;
    let run = lull(
        &["maintenance", "get", "1"],
        &[("LULL_SERVER", &server.base), ("LULL_TOKEN", "t")],
    )
    .await;
    assert!(!run.ok, "{}", run.stdout);
    assert!(
        run.stderr.contains("not what this version of lull expects") && run.stderr.contains("title"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains(" - "), "{}", run.stdout);
}

#[tokio::test]
async fn a_checked_monitor_is_defined_from_the_cli_and_bad_settings_name_the_field() {
    let app = spawn_app().await;
    let run = api(
        &app,
        &[
            "monitor",
            "create",
            "--name",
            "Database",
            "--slug",
            "db",
            "--type",
            "tcp",
            "--target",
            "127.0.0.1:5432",
            "--interval",
            "30s",
            "--retries",
            "2",
        ],
    )
    .await;
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout.contains("tcp 127.0.0.1:5432 every 30s"), "{}", run.stdout);
    let (_, m) = app.get("/api/v1/monitors/db").await;
    assert_eq!((&m["interval"], &m["retries"]), (&json!(30), &json!(2)));

    let run = api(
        &app,
        &["monitor", "create", "--name", "Web", "--slug", "web", "--type", "http"],
    )
    .await;
    assert!(!run.ok);
    assert!(
        run.stderr.contains("url: is required for an http monitor (HTTP 422)"),
        "{}",
        run.stderr
    );
    let run = api(&app, &["monitor", "update", "db", "--interval", "5s"]).await;
    assert!(!run.ok);
    assert!(run.stderr.contains("interval: must be from 10"), "{}", run.stderr);
}

#[tokio::test]
async fn an_incident_is_run_from_the_command_line_from_open_to_resolved() {
    let app = spawn_app().await;
    app.monitor("api").await;
    let run = api(
        &app,
        &[
            "incident",
            "open",
            "API errors",
            "--body",
            "Requests fail.",
            "--monitor",
            "api:degraded",
        ],
    )
    .await;
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("Incident 1: API errors (INVESTIGATING)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Monitors:  api:DEGRADED"), "{}", run.stdout);

    let run = api(
        &app,
        &[
            "incident",
            "update",
            "1",
            "--status",
            "identified",
            "A",
            "bad",
            "deploy.",
        ],
    )
    .await;
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout.contains("(IDENTIFIED)"), "{}", run.stdout);
    assert!(run.stdout.contains("IDENTIFIED     A bad deploy."), "{}", run.stdout);

    let run = api(&app, &["incident", "list"]).await;
    assert!(run.ok, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "ID  STATUS      OPENED                      MONITORS      TITLE"
    );
    assert_eq!(
        lines[1],
        "1   IDENTIFIED  Sun 10 May 2026, 12:00 UTC  api:DEGRADED  API errors"
    );

    let run = api(&app, &["incident", "resolve", "1"]).await;
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout.contains("(RESOLVED)") && run.stdout.contains("Resolved:"),
        "{}",
        run.stdout
    );
    let (_, incident) = app.get("/api/v1/incidents/1").await;
    assert_eq!(incident["updates"][0]["body"], "Resolved.");

    // Mistakes are named and exit non-zero.
    let run = api(&app, &["incident", "update", "1", "More?"]).await;
    assert!(!run.ok);
    assert!(run.stderr.contains("resolved"), "{}", run.stderr);
    let run = api(
        &app,
        &["incident", "open", "X", "--body", "y", "--monitor", "api:maintenance"],
    )
    .await;
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("monitors[0].impact: an incident's impact is DEGRADED or DOWN"),
        "{}",
        run.stderr
    );
    let run = api(&app, &["incident", "open", "X"]).await;
    assert!(!run.ok);
    assert!(run.stderr.contains("--body"), "{}", run.stderr);
}

const DECLARED: &str = r#"
[[monitors]]
slug = "api"
name = "API"
group = "Core"
type = "http"
url = "http://127.0.0.1:9/health"
interval = 30

[[monitors]]
slug = "db"
name = "Database"

[[maintenances]]
key = "db-weekly"
title = "Weekly database maintenance"
description = "Vacuum and reindex."
start = "2026-05-17T02:00"
timezone = "Europe/Berlin"
duration = 7200
rrule = "FREQ=WEEKLY;BYDAY=SU"
monitors = [{ slug = "db", impact = "DOWN" }, { slug = "api" }]
"#;

/// Runs `lull` against `app` in `dir`.
async fn declare(app: &TestApp, dir: &Path, args: &[&str]) -> Run {
    lull_in(dir, args, &[("LULL_SERVER", &app.base), ("LULL_TOKEN", &app.token)]).await
}

#[tokio::test]
async fn apply_makes_the_server_match_a_file_once_and_export_writes_it_back() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lull.toml"), DECLARED).unwrap();

    let plan = declare(&app, dir.path(), &["apply", "-f", "lull.toml", "--dry-run"]).await;
    assert!(plan.ok, "{}", plan.stderr);
    assert_eq!(
        plan.stdout,
        "  + monitor api (create)\n  + monitor db (create)\n  + maintenance db-weekly (create)\n\
         Plan (dry run, nothing changed): 3 to create, 0 to update, 0 to deactivate.\n"
    );
    let (_, monitors) = app.get("/api/v1/monitors").await;
    assert_eq!(monitors, json!([]), "a dry run changes nothing");

    let applied = declare(&app, dir.path(), &["apply", "-f", "lull.toml"]).await;
    assert!(applied.ok, "{}", applied.stderr);
    assert!(
        applied
            .stdout
            .ends_with("Applied: 3 to create, 0 to update, 0 to deactivate.\n"),
        "{}",
        applied.stdout
    );
    let (_, plans) = app.get("/api/v1/maintenances").await;
    assert_eq!(plans.as_array().unwrap().len(), 1);
    assert_eq!(plans[0]["rrule"], "FREQ=WEEKLY;BYDAY=SU");
    let (_, api) = app.get("/api/v1/monitors/api").await;
    assert_eq!(
        (api["type"].as_str(), api["interval"].as_i64()),
        (Some("http"), Some(30))
    );

    let again = declare(&app, dir.path(), &["apply", "-f", "lull.toml"]).await;
    assert_eq!(again.stdout, "No changes: the server already matches lull.toml.\n");

    // Export, then apply what was exported: nothing to do.
    let export = declare(&app, dir.path(), &["export", "-o", "exported.toml"]).await;
    assert!(export.ok, "{}", export.stderr);
    let exported = std::fs::read_to_string(dir.path().join("exported.toml")).unwrap();
    assert!(
        exported.contains("key = \"db-weekly\"") && exported.contains("slug = \"api\""),
        "{exported}"
    );
    let round = declare(&app, dir.path(), &["apply", "-f", "exported.toml"]).await;
    assert_eq!(
        round.stdout, "No changes: the server already matches exported.toml.\n",
        "{}",
        round.stderr
    );

    // A change, and a plan taken out of the file.
    let changed = DECLARED
        .replace("interval = 30", "interval = 60")
        .replace("duration = 7200", "duration = 5400");
    std::fs::write(dir.path().join("lull.toml"), &changed).unwrap();
    let plan = declare(&app, dir.path(), &["apply", "-f", "lull.toml"]).await;
    assert_eq!(
        plan.stdout,
        "  ~ monitor api (update: check)\n  ~ maintenance db-weekly (update: duration)\n\
         Applied: 0 to create, 2 to update, 0 to deactivate.\n"
    );
    let without = changed.split("[[maintenances]]").next().unwrap();
    std::fs::write(dir.path().join("lull.toml"), without).unwrap();
    let plan = declare(&app, dir.path(), &["apply", "-f", "lull.toml"]).await;
    assert!(
        plan.stdout.starts_with("  - maintenance db-weekly (deactivate)\n"),
        "{}",
        plan.stdout
    );
    let (_, plans) = app.get("/api/v1/maintenances").await;
    assert_eq!(plans[0]["status"], "INACTIVE");
    // Monitors left out of a file are left alone (deleting one deletes its history).
    std::fs::write(dir.path().join("lull.toml"), "").unwrap();
    let plan = declare(&app, dir.path(), &["apply", "-f", "lull.toml"]).await;
    assert_eq!(plan.stdout, "No changes: the server already matches lull.toml.\n");
}

#[tokio::test]
async fn a_bad_file_names_its_line_and_changes_nothing() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &'static str, text: String| {
        let (app, dir) = (&app, dir.path().to_path_buf());
        async move {
            std::fs::write(dir.join(name), text).unwrap();
            declare(app, &dir, &["apply", "-f", name]).await
        }
    };
    let typo = run("typo.toml", DECLARED.replace("interval = 30", "intervall = 30")).await;
    assert!(!typo.ok);
    assert!(
        typo.stderr.contains("typo.toml:8: unknown field `intervall`"),
        "{}",
        typo.stderr
    );
    let broken = run("broken.toml", DECLARED.replace("name = \"API\"", "name = \"API")).await;
    assert!(!broken.ok);
    assert!(broken.stderr.contains("broken.toml:4:"), "{}", broken.stderr);
    // The server refuses the rule (line 21): the monitors before it are not made either.
    let rule = run("rule.toml", DECLARED.replace("BYDAY=SU", "BYDAY=XX")).await;
    assert!(!rule.ok);
    assert!(
        rule.stderr.contains("rule.toml:21: maintenance 'db-weekly': rrule:")
            && rule.stderr.contains("nothing was changed"),
        "{}",
        rule.stderr
    );
    let missing = run(
        "missing.toml",
        DECLARED.replace("{ slug = \"api\" }", "{ slug = \"ghost\" }"),
    )
    .await;
    assert!(
        missing.stderr.contains("missing.toml:22:") && missing.stderr.contains("ghost"),
        "{}",
        missing.stderr
    );
    let twice = run(
        "twice.toml",
        format!("{DECLARED}\n[[monitors]]\nslug = \"db\"\nname = \"Again\"\n"),
    )
    .await;
    assert!(twice.stderr.contains("'db' is declared twice"), "{}", twice.stderr);
    let (_, monitors) = app.get("/api/v1/monitors").await;
    assert_eq!(monitors, json!([]), "nothing was made");
    let (_, plans) = app.get("/api/v1/maintenances").await;
    assert_eq!(plans, json!([]));
}

#[tokio::test]
async fn serve_refuses_to_start_on_bad_integration_settings_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("lull.db").display());
    for (env, says) in [
        (
            vec![("LULL_METRICS_TOKEN", "short")],
            "LULL_METRICS_TOKEN is too short: 5 characters, at least 16",
        ),
        (
            vec![("LULL_ALERTMANAGER_URL", "alertmanager:9093")],
            "LULL_ALERTMANAGER_URL",
        ),
        (
            vec![
                ("LULL_ALERTMANAGER_URL", "http://127.0.0.1:9093"),
                ("LULL_ALERTMANAGER_MATCHER", "service={slug}"),
            ],
            "LULL_ALERTMANAGER_MATCHER the value of 'service' must be in double quotes",
        ),
        (
            vec![("LULL_ALERTMANAGER_MATCHER", "service=\"{slug}\"")],
            "LULL_ALERTMANAGER_MATCHER is set but LULL_ALERTMANAGER_URL is not",
        ),
    ] {
        let mut all = vec![("LULL_DATABASE_URL", db.as_str())];
        all.extend(env.iter().copied());
        let run = lull(&["serve", "--bind", "127.0.0.1:0"], &all).await;
        assert!(!run.ok, "{env:?} started");
        assert!(run.stderr.contains(says), "{env:?}: {}", run.stderr);
    }
}
