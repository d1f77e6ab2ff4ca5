//! The README's nginx snippet against a real nginx on loopback: visitors get the
//! maintenance page while Lull's flag for the monitor is set, and the upstream otherwise.
//! Needs `nginx` on the PATH (Debian package `nginx`): ignored by a plain `cargo test`, run
//! by `.ci/run` (which installs nginx) with `--include-ignored`.

mod common;

use std::time::{Duration as StdDuration, Instant};

use common::*;
use reqwest::StatusCode;
use serde_json::json;

/// The README's snippet, with the addresses of this test.
fn config(dir: &std::path::Path, listen: u16, maintenance_page: u16, lull: &str, upstream: u16) -> String {
    let dir = dir.display();
    format!(
        r#"daemon off;
master_process off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{}}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;

    # --- the README's snippet ---
    upstream shop {{ server 127.0.0.1:{upstream}; }}
    upstream shop_maintenance {{ server 127.0.0.1:{maintenance_page}; }}
    map $lull_in_maintenance $shop_backend {{
        true    shop_maintenance;
        default shop;
    }}
    server {{
        listen 127.0.0.1:{listen};
        location = /_lull_flag {{
            internal;
            proxy_pass {lull}/api/v1/monitors/shop/maintenance;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
        }}
        location / {{
            auth_request /_lull_flag;
            auth_request_set $lull_in_maintenance $upstream_http_x_lull_in_maintenance;
            proxy_pass http://$shop_backend;
            # Lull unreachable (or starting): the flag's subrequest fails; open the shop.
            error_page 500 = @shop;
        }}
        location @shop {{
            proxy_pass http://shop;
        }}
    }}
    server {{
        listen 127.0.0.1:{maintenance_page};
        default_type text/html;
        location / {{
            add_header Retry-After 600 always;
            return 503 "<!doctype html><title>Down for maintenance</title><h1>The shop is under planned maintenance</h1>\n";
        }}
    }}
    # --- end of the snippet ---
}}
"#
    )
}

struct Nginx(std::process::Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What nginx answers at `/` once its status is `want` (the flag follows the snapshot,
/// rebuilt a moment after each boundary).
async fn through_nginx(port: u16, want: StatusCode, dir: &std::path::Path) -> String {
    let deadline = Instant::now() + StdDuration::from_secs(10);
    loop {
        let last = match reqwest::get(format!("http://127.0.0.1:{port}/")).await {
            Ok(resp) if resp.status() == want => return resp.text().await.unwrap(),
            Ok(resp) => format!("{}: {}", resp.status(), resp.text().await.unwrap_or_default()),
            Err(e) => e.to_string(),
        };
        assert!(
            Instant::now() < deadline,
            "nginx never answered {want}; last: {last}; its log:\n{}",
            std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
        );
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
}

#[tokio::test]
#[ignore = "needs nginx (Debian package nginx): run with -- --include-ignored (.ci/run installs it and does)"]
async fn nginx_serves_the_maintenance_page_while_the_flag_is_set_and_the_upstream_after() {
    let app = spawn_app().await;
    app.monitor("shop").await;
    for start in ["2026-05-10T13:00", "2026-05-10T15:00"] {
        app.maintenance(json!({"title": "Checkout upgrade", "start": start, "timezone": "UTC",
                               "duration": 3600, "monitors": [{"slug": "shop", "impact": "MAINTENANCE"}]}))
            .await;
    }

    // The shop itself: a loopback server.
    let shop = axum::Router::new().route("/", axum::routing::get(|| async { "Welcome to the shop" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, shop).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    let (listen, page) = (free_port(), free_port());
    let conf = dir.path().join("nginx.conf");
    std::fs::write(&conf, config(dir.path(), listen, page, &app.base, upstream)).unwrap();
    let nginx = std::process::Command::new("nginx")
        .arg("-c")
        .arg(&conf)
        .arg("-p")
        .arg(dir.path())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("nginx is needed for this test (Debian package nginx)");
    let _nginx = Nginx(nginx);

    assert_eq!(
        through_nginx(listen, StatusCode::OK, dir.path()).await,
        "Welcome to the shop"
    );
    app.clock.set(utc("2026-05-10T13:00:00Z"));
    let page = through_nginx(listen, StatusCode::SERVICE_UNAVAILABLE, dir.path()).await;
    assert!(page.contains("under planned maintenance"), "{page}");
    app.clock.set(utc("2026-05-10T14:00:00Z"));
    assert_eq!(
        through_nginx(listen, StatusCode::OK, dir.path()).await,
        "Welcome to the shop"
    );

    // In the next window Lull goes away: the shop opens rather than fail with it.
    app.clock.set(utc("2026-05-10T15:00:00Z"));
    through_nginx(listen, StatusCode::SERVICE_UNAVAILABLE, dir.path()).await;
    let base = app.base.clone();
    drop(app);
    let deadline = Instant::now() + StdDuration::from_secs(10);
    while reqwest::get(format!("{base}/healthz")).await.is_ok() {
        assert!(Instant::now() < deadline, "Lull did not stop");
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    assert_eq!(
        through_nginx(listen, StatusCode::OK, dir.path()).await,
        "Welcome to the shop"
    );
}
