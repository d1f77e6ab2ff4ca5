//! Fan-out benchmark: one "Started" notice to N confirmed subscribers, end to end, from
//! the operator's click to the last message accepted by an SMTP server on loopback.
//! Runs the real `lull serve` binary and reports messages per second and the server's
//! peak resident memory, for 1,000 and 10,000 subscribers (flat memory means fan-out is
//! streamed, not loaded whole).
//!
//!     cargo bench --bench fanout

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// An SMTP server that accepts everything and only counts messages.
async fn counting_sink() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let c = c.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("DATA") {
                        let _ = write.write_all(b"354 go ahead\r\n").await;
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                        }
                        c.fetch_add(1, Ordering::Relaxed);
                        b"250 OK\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 OK\r\n"
                    };
                    if write.write_all(reply).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (url, count)
}

fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn run(n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("fanout.db").display());
    let store = lull::app::open_store(&url).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    for i in 0..n {
        sqlx::query("INSERT INTO subscribers (email, confirmed_at, created_at) VALUES ($1, 1, 1)")
            .bind(format!("subscriber{i}@example.com"))
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let services = lull::service::Services::new(store.clone(), Arc::new(lull::clock::SystemClock));
    let (_, token) = lull::service::tokens::create(&services, "bench").await.unwrap();
    store.close().await;

    let (smtp, count) = counting_sink().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_lull"))
        .arg("serve")
        .env("LULL_DATABASE_URL", &url)
        .env("LULL_BIND", format!("127.0.0.1:{port}"))
        .env("LULL_SMTP_URL", &smtp)
        .env("LULL_LOG", "error")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    while reqwest::get(format!("{base}/healthz")).await.is_err() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let http = reqwest::Client::new();
    let start = (chrono::Utc::now() + chrono::Duration::hours(3))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let m: serde_json::Value = http
        .post(format!("{base}/api/v1/maintenances"))
        .bearer_auth(&token)
        .json(
            &serde_json::json!({"title": "Fan-out", "start": start, "timezone": "UTC", "duration": 3600,
                                  "notify": {"scheduled": false}}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let began = Instant::now();
    http.post(format!("{base}/api/v1/events/{}/start", m["events"][0]["id"]))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    while count.load(Ordering::Relaxed) < n {
        assert!(
            began.elapsed() < Duration::from_secs(600),
            "fan-out stalled at {}",
            count.load(Ordering::Relaxed)
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let secs = began.elapsed().as_secs_f64();
    let pid = child.id().unwrap_or(0);
    println!(
        "{n:>6} subscribers: {secs:.2} s, {:.0} messages/s, server peak memory {:.1} MB",
        n as f64 / secs,
        peak_rss_mb(pid)
    );
    child.kill().await.unwrap();
}

#[tokio::main]
async fn main() {
    run(1_000).await;
    run(10_000).await;
}
