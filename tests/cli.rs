//! The `lull` binary end to end: schedule preview, tokens and admins against the database,
//! the operator commands against a running server, and what `serve` tells the person who
//! starts it.

mod common;

use std::path::Path;
use std::process::Stdio;

use common::*;
use serde_json::Value;
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

#[tokio::test]
async fn schedule_preview_prints_one_utc_window_per_line() {
    let run = lull(
        &[
            "schedule",
            "preview",
            "--rrule",
            "FREQ=WEEKLY;BYDAY=SU",
            "--start",
            "2026-03-22T03:00",
            "--tz",
            "Europe/Berlin",
            "--duration",
            "3600",
            "--limit",
            "3",
        ],
        &[],
    )
    .await;
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "2026-03-22T02:00:00Z 2026-03-22T03:00:00Z\n\
         2026-03-29T01:00:00Z 2026-03-29T02:00:00Z\n\
         2026-04-05T01:00:00Z 2026-04-05T02:00:00Z\n"
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
    assert_eq!(run.stdout.lines().count(), 10);
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
    assert_eq!(run.stdout.lines().count(), 2);
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
    assert!(
        run.stdout.contains("Kernel patching") && run.stdout.contains("api:DEGRADED"),
        "{}",
        run.stdout
    );

    let run = api(&app, &["maintenance", "list", "--json"]).await;
    let list: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(list[0]["duration"], 5400);
    let id = list[0]["id"].to_string();

    let run = api(&app, &["event", "list", "--monitor", "api", "--json"]).await;
    let events: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        starts(&events),
        ["2026-05-10T13:00:00Z", "2026-05-11T13:00:00Z", "2026-05-12T13:00:00Z"]
    );
    let first = events[0]["id"].to_string();

    let run = api(&app, &["event", "start", &first]).await;
    assert!(run.ok && run.stdout.contains("ONGOING"), "{}{}", run.stdout, run.stderr);
    let run = api(&app, &["event", "extend", &first, "--by", "30m"]).await;
    assert!(run.stdout.contains("2026-05-10T15:00:00Z"), "{}", run.stdout);
    let run = api(
        &app,
        &["event", "update", &first, "--body", "Rebooting the second half"],
    )
    .await;
    assert!(run.stdout.contains("Rebooting the second half"));
    let run = api(&app, &["status", "--json"]).await;
    let status: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(status["monitors"][0]["effective_status"], "DEGRADED");
    let run = api(&app, &["event", "complete", &first]).await;
    assert!(run.ok && run.stdout.contains("COMPLETED"));

    let run = api(&app, &["maintenance", "cancel", &id]).await;
    assert!(run.ok, "{}", run.stderr);
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
