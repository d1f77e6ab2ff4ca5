//! Helpers for tests of the server's edges (limits, proxies, webhooks' targets): a server
//! started with settings of the test's own, and raw connections to it.

use std::time::Duration as StdDuration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{TestApp, TestDb, tokens};

/// Starts a server whose settings `tweak` changes (after the usual test ones); returns
/// its task too, which ends when the server has stopped.
pub async fn launch_with(
    db: TestDb,
    tweak: impl FnOnce(&mut lull::app::Settings),
) -> (TestApp, JoinHandle<anyhow::Result<()>>) {
    let (_, token) = tokens::create(&db.services, "test").await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let shutdown = CancellationToken::new();
    let mut settings = lull::app::Settings {
        site: lull::config::Site {
            public_url: base.clone(),
            ..Default::default()
        },
        ..Default::default()
    };
    tweak(&mut settings);
    let mail = settings.mail.is_some();
    let task = tokio::spawn(lull::app::launch(
        db.services.clone(),
        settings,
        listener,
        shutdown.clone(),
    ));
    let app = TestApp {
        db,
        base,
        token,
        http: reqwest::Client::new(),
        mail,
        shutdown,
    };
    (app, task)
}

/// Asks the server to stop, as SIGTERM does.
pub fn stop(app: &TestApp) {
    app.shutdown.cancel();
}

/// A raw connection to the server that has sent `bytes`.
pub async fn raw(app: &TestApp, bytes: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap();
    stream.write_all(bytes).await.unwrap();
    stream
}

/// Whether the server closes `stream` within `within` (reading whatever it still sends).
pub async fn closed_within(stream: &mut TcpStream, within: StdDuration) -> bool {
    let mut buf = [0u8; 4096];
    tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// Runs `lull serve` over `db` with `env` added and expects it to refuse to start;
/// returns what it printed on standard error.
pub async fn serve_refuses(db: &TestDb, env: &[(&str, &str)]) -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_lull"));
    cmd.arg("serve")
        .env("LULL_DATABASE_URL", &db.url)
        .env("LULL_BIND", format!("127.0.0.1:{port}"))
        .env("LULL_LOG", "warn")
        .kill_on_drop(true);
    for var in [
        "LULL_SMTP_URL",
        "LULL_SMTP_FROM",
        "LULL_PUBLIC_URL",
        "LULL_SITE_NAME",
        "LULL_TRUSTED_PROXIES",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = tokio::time::timeout(StdDuration::from_secs(30), cmd.output())
        .await
        .expect("serve should stop at once, not run")
        .unwrap();
    assert!(!out.status.success(), "serve started with {env:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A webhook receiver on loopback that counts what it is sent; returns it and its URL.
pub async fn hook_receiver() -> (std::sync::Arc<std::sync::Mutex<Vec<String>>>, String) {
    let hits = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = hits.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let seen = seen.clone();
            async move {
                seen.lock().unwrap().push(body);
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (hits, url)
}

/// Waits (briefly, in real time) until `sql` counts at least `n`.
pub async fn wait_count(app: &TestApp, sql: &'static str, n: i64) {
    let deadline = std::time::Instant::now() + StdDuration::from_secs(10);
    loop {
        let got = app.count(sql).await;
        if got >= n {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{sql}: {got}, expected {n}");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}
