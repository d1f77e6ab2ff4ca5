//! HTTP: the public status page, the JSON API under `/api/v1` (documented at
//! `/api/openapi.json`) and health. Handlers are thin: extract, call a service, render.

pub mod admin;
pub mod api;
pub mod assets;
pub mod client;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod public;
pub mod statuspage;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::MatchedPath;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::routing::get;
use axum::{Json, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::Site;
use crate::error::AppError;
use crate::service::Services;
use assets::Assets;
use public::snapshot::Snapshots;

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub site: Arc<Site>,
    pub assets: Arc<Assets>,
    pub snapshots: Snapshots,
    pub throttle: crate::service::throttle::Throttle,
    pub signups: crate::service::subscribers::SignupLimits,
    /// Whether an SMTP server is configured (the dashboard says so when not).
    pub mail_configured: bool,
    /// Peers whose forwarding headers name the client (`LULL_TRUSTED_PROXIES`).
    pub trusted_proxies: Arc<[ipnet::IpNet]>,
    /// The origin dashboard forms must come from (of `LULL_PUBLIC_URL`, when set); `None`:
    /// the request's `Host`.
    pub origin: Option<String>,
    /// The SHA-256 of `LULL_METRICS_TOKEN`, when `/metrics` needs it.
    pub metrics_token: Option<Arc<str>>,
}

impl AppState {
    pub fn new(services: Services, site: Site) -> Self {
        Self {
            services,
            site: Arc::new(site),
            assets: Arc::new(Assets::default()),
            snapshots: Snapshots::default(),
            throttle: crate::service::admins::sign_in_throttle(),
            signups: Default::default(),
            mail_configured: false,
            trusted_proxies: Arc::new([]),
            origin: None,
            metrics_token: None,
        }
    }
}

/// Scripts and styles only from this server; images also from https (a logo); no framing.
const CSP: &str = "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; \
    script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// On every response (unless a handler set its own): by the router's layers, and by the
/// front page's fast path itself.
pub const SECURITY_HEADERS: [(HeaderName, &str); 4] = [
    (header::CONTENT_SECURITY_POLICY, CSP),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
    (header::X_FRAME_OPTIONS, "DENY"),
];

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = api::router(&state);
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    // Browsers say where a form or script came from; a write from another site's page
    // (a hidden form signing visitors up, a text/plain POST to the API) is refused.
    // Scripts and the CLI send no Origin and are not affected.
    let same_origin = || axum::middleware::from_fn_with_state(state.clone(), admin::session::same_origin);
    let front_page = public::FrontPageLayer(state.snapshots.clone(), state.services.metrics.clone());
    let [csp, nosniff, referrer, frame] = SECURITY_HEADERS;
    Router::new()
        .merge(api.route_layer(same_origin()))
        .merge(public::router().route_layer(same_origin()))
        .merge(admin::router(&state))
        .merge(statuspage::router())
        .route("/api/openapi.json", get(move || async move { Json(openapi) }))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .fallback(|| async { AppError::NotFound("route") })
        .layer(axum::middleware::from_fn_with_state(state.clone(), html_errors))
        .layer(axum::middleware::from_fn_with_state(state.clone(), track))
        .with_state(state)
        .layer(CompressionLayer::new())
        .layer(header(csp.0, csp.1))
        .layer(header(nosniff.0, nosniff.1))
        .layer(header(referrer.0, referrer.1))
        .layer(header(frame.0, frame.1))
        .layer(CatchPanicLayer::custom(|_| {
            axum::response::IntoResponse::into_response(AppError::Internal(anyhow::anyhow!("handler panicked")))
        }))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let path = req
                        .extensions()
                        .get::<MatchedPath>()
                        .map(MatchedPath::as_str)
                        .unwrap_or("unmatched");
                    tracing::info_span!("http", method = %req.method(), path)
                })
                // A 5xx is logged where it arises, with its cause (an unavailable database
                // as one WARN line): a second, cause-less ERROR line per request is noise.
                .on_failure(
                    |class: tower_http::classify::ServerErrorsFailureClass, _: Duration, _: &tracing::Span| {
                        if let tower_http::classify::ServerErrorsFailureClass::Error(e) = class {
                            tracing::error!(error = %e, "response failed");
                        }
                    },
                ),
        )
        .layer(front_page)
}

/// Browsers get an HTML page for a 4xx on any path outside `/api/` (unknown pages, ids
/// that cannot name anything, expired forms), keeping the message; the API keeps JSON.
async fn html_errors(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = req.uri().path().to_string();
    let m = i18n::negotiate(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let response = next.run(req).await;
    let status = response.status();
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.starts_with("image/"));
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    // An unavailable database (an `AppError`, in JSON) reads as a plain "try again soon".
    let unavailable = status == axum::http::StatusCode::SERVICE_UNAVAILABLE && json;
    if path.starts_with("/api/") || !(status.is_client_error() || unavailable) || html {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).to_string();
    let message = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_string))
        .unwrap_or(text);
    // A path segment that cannot be an id names nothing: that is a missing page.
    let not_found = status == axum::http::StatusCode::NOT_FOUND
        || (status == axum::http::StatusCode::BAD_REQUEST && message.starts_with("Invalid URL"));
    let (status, heading, message) = if not_found {
        (
            axum::http::StatusCode::NOT_FOUND,
            m.not_found_page,
            m.not_found_text.to_string(),
        )
    } else if unavailable {
        (status, m.unavailable_page, m.unavailable_text.to_string())
    } else {
        (status, m.error_page, message)
    };
    let admin = path == "/admin" || path.starts_with("/admin/");
    let (back_href, back_text) = if admin {
        ("/admin", "Back to the dashboard")
    } else {
        ("/", m.back)
    };
    let mut chrome = public::views::Chrome::new(
        &state.site,
        m,
        &state.assets,
        format!("{heading} · {}", state.site.name),
        &path,
    );
    chrome.times = false;
    let page = public::views::ErrorPage {
        c: chrome,
        heading: heading.into(),
        message,
        back_href,
        back_text,
    };
    match askama::Template::render(&page) {
        Ok(body) => {
            let mut r = (status, axum::response::Html(body)).into_response();
            for name in [header::WWW_AUTHENTICATE, header::RETRY_AFTER] {
                if let Some(v) = parts.headers.get(&name) {
                    r.headers_mut().insert(name, v.clone());
                }
            }
            r
        }
        Err(_) => (status, heading).into_response(),
    }
}

/// Counts every request and how long it took, by its route's pattern (for `/metrics`).
async fn track(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = crate::metrics::method_label(req.method());
    let started = std::time::Instant::now();
    let response = next.run(req).await;
    state
        .services
        .metrics
        .request(method, &route, response.status().as_u16(), started.elapsed());
    response
}

/// `GET /metrics`: Prometheus metrics; with `LULL_METRICS_TOKEN` set, only for
/// `Authorization: Bearer <that token>`.
async fn metrics(
    axum::extract::State(state): axum::extract::State<AppState>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if let Some(expected) = &state.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| crate::secret::sha256_hex(t.trim()));
        if given.as_deref() != Some(&**expected) {
            return (
                axum::http::StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\"")],
                "a valid LULL_METRICS_TOKEN is needed (Authorization: Bearer …)",
            )
                .into_response();
        }
    }
    let snapshot = state.snapshots.get();
    match crate::service::metrics::render(&state.services, snapshot.as_ref().map(|s| &s.status)).await {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            text,
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /healthz`: 200 only when the database answers a trivial query within two seconds;
/// otherwise 503 with the reason (the page itself keeps serving from memory).
async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let probe = async {
        let mut conn = state.services.store.conn().await?;
        sqlx::query("SELECT 1").execute(&mut *conn).await?;
        Ok::<_, sqlx::Error>(())
    };
    let unavailable = |reason: &str| {
        (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5"), (header::CACHE_CONTROL, "no-store")],
            format!("database unavailable: {reason}"),
        )
            .into_response()
    };
    match tokio::time::timeout(Duration::from_secs(2), probe).await {
        Ok(Ok(())) => ([(header::CACHE_CONTROL, "no-store")], "ok").into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: the database did not answer");
            unavailable("it refused the query")
        }
        Err(_) => unavailable("no answer within 2 seconds"),
    }
}
