//! The ceiling for the page benchmark: a trivial axum server returning a static body of
//! a given size, so `benches/page.sh` can compare Lull's `/` with the fastest possible
//! handler on the same machine in the same run.
//!
//!     cargo run --release --example ceiling -- 127.0.0.1:3901 12345

use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:3901".into());
    let size: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let body: &'static str = Box::leak("x".repeat(size).into_boxed_str());
    let app = Router::new().route("/", get(move || async move { body }));
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
