//! The public status page: `/` from the in-memory snapshot, a page per maintenance event,
//! the history of past maintenance and an SVG badge per monitor.

mod feeds;
pub mod snapshot;
pub mod views;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use self::views::{
    Chrome, EventCard, EventPage, HistoryPage, IncidentCard, IncidentPage, MessagePage, event_card, incident_card,
    status_class, status_label,
};
use super::AppState;
use super::extract::ApiQuery;
use super::i18n::{EN, Messages, negotiate};
use crate::domain::impact::EffectiveStatus;
use crate::error::{AppError, AppResult};
use crate::service::subscribers::{self, SubscribeInput};
use crate::service::{events, incidents};
use crate::store::events::EventFilter;
use snapshot::Snapshots;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/maintenance/{id}", get(event))
        .route("/incidents/{id}", get(incident))
        .route("/history", get(history))
        .route("/maintenance.ics", get(feeds::calendar))
        .route("/feed.atom", get(feeds::atom))
        .route("/badge/{file}", get(badge))
        .route("/subscribe", axum::routing::post(subscribe_form))
        .route("/subscribe/sent", get(subscribe_sent))
        .route("/subscribe/confirm", get(confirm_page).post(confirm))
        .route("/unsubscribe", get(unsubscribe_page).post(unsubscribe))
        .route("/static/{hash}/{name}", get(super::assets::serve))
        .route(
            "/favicon.ico",
            get(|State(state): State<AppState>| async move {
                axum::response::Redirect::permanent(&state.assets.url("favicon.svg"))
            }),
        )
}

fn lang(headers: &HeaderMap) -> &'static Messages {
    negotiate(headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|e| e.trim().split(';').next() == Some("gzip") && !e.contains("q=0"))
        })
}

/// `GET /`: served from memory; 304 when the visitor has this version.
async fn index(State(state): State<AppState>, headers: HeaderMap) -> Response {
    front_page(&state.snapshots, &headers)
}

/// The front page for a request with these headers, with the security headers every
/// response carries: [`FrontPageLayer`] answers `GET /` with this before any other layer.
/// Whether the request's `If-None-Match` names `etag` (quoted, as sent), weakly or by `*`.
pub fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag || t.trim() == "*")
        })
}

/// A generated document with a strong `ETag` (of its bytes) and `Cache-Control`; 304
/// when the request's `If-None-Match` names it. For feeds and API documents that are
/// cheap to make but polled often.
pub fn tagged(request: &HeaderMap, content_type: &'static str, cache_control: &'static str, body: Vec<u8>) -> Response {
    use sha2::{Digest, Sha256};
    let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&body)[..12]));
    let mut out = HeaderMap::with_capacity(4);
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        out.insert(header::ETAG, value);
    }
    if etag_matches(request, &etag) {
        return (StatusCode::NOT_MODIFIED, out).into_response();
    }
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    (out, body).into_response()
}

pub fn front_page(snapshots: &Snapshots, headers: &HeaderMap) -> Response {
    let mut out = HeaderMap::with_capacity(16);
    for (name, value) in super::SECURITY_HEADERS {
        out.insert(name, HeaderValue::from_static(value));
    }
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    let Some(snapshot) = snapshots.get() else {
        out.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return (StatusCode::SERVICE_UNAVAILABLE, out, "starting").into_response();
    };
    let m = lang(headers);
    let Some(page) = snapshot.page(m.lang) else {
        return (StatusCode::SERVICE_UNAVAILABLE, out).into_response();
    };
    out.insert(header::ETAG, page.etag_header.clone());
    out.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Encoding, Accept-Language"),
    );
    out.insert(header::LAST_MODIFIED, page.last_modified.clone());
    if etag_matches(headers, &page.etag) {
        return (StatusCode::NOT_MODIFIED, out).into_response();
    }
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    out.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(page.lang));
    if accepts_gzip(headers) {
        out.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        (out, page.gzip.clone()).into_response()
    } else {
        (out, page.html.clone()).into_response()
    }
}

/// Answers `GET /` and `HEAD /` from the snapshot before the layers every other request
/// crosses (tracing span, timeout, panic guard, compression, error pages, origin check):
/// the page is bytes in memory, already compressed, that cannot fail, hang or panic, and
/// those layers cost as much as serving it (`benches/page.sh`: 46 % → 70+ % of a static
/// handler). Every other request goes on to the router as before.
#[derive(Clone)]
pub struct FrontPageLayer(pub Snapshots, pub std::sync::Arc<crate::metrics::Metrics>);

impl<S> tower::Layer<S> for FrontPageLayer {
    type Service = FrontPage<S>;

    fn layer(&self, inner: S) -> Self::Service {
        FrontPage {
            inner,
            snapshots: self.0.clone(),
            metrics: self.1.clone(),
        }
    }
}

#[derive(Clone)]
pub struct FrontPage<S> {
    inner: S,
    snapshots: Snapshots,
    metrics: std::sync::Arc<crate::metrics::Metrics>,
}

impl<S> tower::Service<axum::extract::Request> for FrontPage<S>
where
    S: tower::Service<axum::extract::Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = futures_util::future::Either<std::future::Ready<Result<Response, S::Error>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: axum::extract::Request) -> Self::Future {
        use axum::http::Method;
        if req.uri().path() == "/" && (req.method() == Method::GET || req.method() == Method::HEAD) {
            let started = std::time::Instant::now();
            let response = front_page(&self.snapshots, req.headers());
            let method = crate::metrics::method_label(req.method());
            self.metrics
                .request(method, "/", response.status().as_u16(), started.elapsed());
            return futures_util::future::Either::Left(std::future::ready(Ok(response)));
        }
        futures_util::future::Either::Right(self.inner.call(req))
    }
}

fn render(t: impl Template) -> AppResult<Html<String>> {
    t.render()
        .map(Html)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("rendering a page: {e}")))
}

/// `GET /incidents/{id}`: one incident with every update (drafts are not found).
async fn incident(State(state): State<AppState>, headers: HeaderMap, Path(raw): Path<String>) -> AppResult<Response> {
    let m = lang(&headers);
    let found = match raw.parse::<i64>() {
        Ok(id) => match incidents::get(&state.services, id, false).await {
            Ok(i) => Some(i),
            Err(AppError::NotFound(_)) => None,
            Err(e) => return Err(e),
        },
        Err(_) => None,
    };
    let title = found.as_ref().map_or_else(
        || m.not_found.to_string(),
        |i| format!("{} · {}", i.title, state.site.name),
    );
    let mut chrome = Chrome::new(&state.site, m, &state.assets, title, &format!("/incidents/{raw}"));
    chrome.times = found.is_some();
    let status = if found.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let page = render(IncidentPage {
        c: chrome,
        incident: found.as_ref().map(|i| IncidentCard {
            standalone: true,
            ..incident_card(i, m)
        }),
    })?;
    Ok((status, page).into_response())
}

/// `GET /maintenance/{id}`: one event with its description and updates.
async fn event(State(state): State<AppState>, headers: HeaderMap, Path(raw): Path<String>) -> AppResult<Response> {
    let m = lang(&headers);
    let found = match raw.parse::<i64>() {
        Ok(id) => match events::get(&state.services, id).await {
            Ok(e) => Some(e),
            Err(AppError::NotFound(_)) => None,
            Err(e) => return Err(e),
        },
        Err(_) => None,
    };
    let title = found.as_ref().map_or_else(
        || m.not_found.to_string(),
        |e| format!("{} · {}", e.title, state.site.name),
    );
    let mut chrome = Chrome::new(&state.site, m, &state.assets, title, &format!("/maintenance/{raw}"));
    chrome.times = found.is_some();
    let status = if found.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let page = render(EventPage {
        c: chrome,
        event: found.as_ref().map(|e| EventCard {
            standalone: true,
            ..event_card(e, m)
        }),
    })?;
    Ok((status, page).into_response())
}

#[derive(Debug, Deserialize)]
struct HistoryQuery {
    page: Option<i64>,
}

const HISTORY_PAGE: i64 = 20;

/// `GET /history?page=N`: completed and operator-cancelled maintenance, newest first.
async fn history(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> AppResult<Html<String>> {
    let m = lang(&headers);
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let filter = EventFilter {
        history: true,
        newest_first: true,
        limit: HISTORY_PAGE + 1,
        offset: (page - 1) * HISTORY_PAGE,
        ..Default::default()
    };
    let mut list = events::list(&state.services, &filter).await?;
    let has_more = list.len() as i64 > HISTORY_PAGE;
    list.truncate(HISTORY_PAGE as usize);
    let incidents = if page == 1 {
        incidents::list(&state.services, false, 100).await?
    } else {
        Vec::new()
    };
    let title = format!("{} · {}", m.history, state.site.name);
    render(HistoryPage {
        incidents: incidents
            .iter()
            .filter(|i| !i.is_open())
            .map(|i| incident_card(i, m))
            .collect(),
        c: Chrome::new(&state.site, m, &state.assets, title, "/history"),
        events: list.iter().map(|e| event_card(e, m)).collect(),
        page,
        has_more,
    })
}

#[derive(Debug, Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

fn message(
    state: &AppState,
    m: &'static Messages,
    status: StatusCode,
    heading: &str,
    text: &str,
    button: Option<(String, &'static str)>,
) -> Response {
    message_page(state, m, status, heading, text, button, None)
}

fn message_page(
    state: &AppState,
    m: &'static Messages,
    status: StatusCode,
    heading: &str,
    text: &str,
    button: Option<(String, &'static str)>,
    retry: Option<(String, Vec<String>)>,
) -> Response {
    let mut chrome = Chrome::new(
        &state.site,
        m,
        &state.assets,
        format!("{heading} · {}", state.site.name),
        "/",
    );
    chrome.times = false;
    match render(MessagePage {
        c: chrome,
        heading: heading.into(),
        message: text.into(),
        button,
        retry,
    }) {
        Ok(html) => (status, html).into_response(),
        Err(e) => e.into_response(),
    }
}

/// The subscription pages' words, in the page's language.
fn subscription_words(m: &Messages) -> &'static crate::notify::words::Words {
    crate::notify::words::words(crate::domain::format::Lang::parse(m.lang).unwrap_or_default())
}

/// `POST /subscribe`: the form on the status page. The page's language becomes the
/// subscriber's: the confirmation and every notice come in it.
async fn subscribe_form(
    State(state): State<AppState>,
    client: crate::web::client::ClientAddr,
    headers: HeaderMap,
    form: super::admin::session::FormData,
) -> Response {
    let m = lang(&headers);
    let w = subscription_words(m);
    let chosen = form.all("monitors");
    let input = SubscribeInput {
        email: form.text("email"),
        monitors: (!chosen.is_empty()).then(|| chosen.clone()),
        language: Some(m.lang.to_string()),
    };
    match subscribers::subscribe(&state.services, &state.signups, &client.key(), input).await {
        // Post/Redirect/Get: a reload does not sign up (and mail) again.
        Ok(()) => axum::response::Redirect::to("/subscribe/sent").into_response(),
        // The form again, with the address as typed and the reason beside it.
        Err(AppError::Invalid(f)) => message_page(
            &state,
            m,
            StatusCode::UNPROCESSABLE_ENTITY,
            w.check_address,
            &f.message,
            None,
            Some((form.text("email"), chosen)),
        ),
        Err(AppError::TooMany(_)) => message(
            &state,
            m,
            StatusCode::TOO_MANY_REQUESTS,
            w.too_many,
            w.too_many_text,
            None,
        ),
        Err(e) => e.into_response(),
    }
}

/// `GET /subscribe/sent`: where a sign-up lands.
async fn subscribe_sent(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let m = lang(&headers);
    let w = subscription_words(m);
    message(&state, m, StatusCode::OK, w.check_inbox, w.check_inbox_text, None)
}

/// `GET /subscribe/confirm?token=…`: the link in the confirmation email shows a button
/// that confirms (a mail scanner following the link confirms nothing); once confirmed it
/// says "Already confirmed". Both name the address and what it will hear about.
async fn confirm_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<TokenQuery>,
) -> Response {
    let token = q.token.unwrap_or_default();
    let result = subscribers::confirmation(&state.services, &token).await;
    confirmation_answer(&state, &headers, result, Some(token))
}

/// `POST /subscribe/confirm?token=…`: the button.
async fn confirm(State(state): State<AppState>, headers: HeaderMap, ApiQuery(q): ApiQuery<TokenQuery>) -> Response {
    let result = subscribers::confirm(&state.services, q.token.as_deref().unwrap_or("")).await;
    confirmation_answer(&state, &headers, result, None)
}

/// The page after looking at (`token` given: not confirmed yet means a button) or acting on
/// a confirmation link.
fn confirmation_answer(
    state: &AppState,
    headers: &HeaderMap,
    result: AppResult<subscribers::Confirmation>,
    token: Option<String>,
) -> Response {
    let m = lang(headers);
    let w = subscription_words(m);
    match result {
        Ok(c) => {
            let what = if c.monitors.is_empty() {
                (w.will_hear_all)(&c.email)
            } else {
                (w.will_hear_some)(&c.email, &w.list(&c.monitors))
            };
            match token.filter(|_| !c.already) {
                Some(t) => message(
                    state,
                    m,
                    StatusCode::OK,
                    w.confirm_button,
                    &(w.confirm_ask)(&state.site.name),
                    Some((format!("/subscribe/confirm?token={}", encode(&t)), w.confirm_button)),
                ),
                None => {
                    let heading = if c.already { w.already_confirmed } else { w.confirmed };
                    message(state, m, StatusCode::OK, heading, &what, None)
                }
            }
        }
        Err(AppError::NotFound(_)) => message(
            state,
            m,
            StatusCode::NOT_FOUND,
            w.bad_link,
            w.bad_confirm_link_text,
            None,
        ),
        Err(e) => e.into_response(),
    }
}

fn encode(token: &str) -> String {
    form_urlencoded::byte_serialize(token.as_bytes()).collect()
}

/// `GET /unsubscribe?token=…`: asks before acting, since mail scanners follow links, and
/// names the address it is for.
async fn unsubscribe_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<TokenQuery>,
) -> Response {
    let m = lang(&headers);
    let w = subscription_words(m);
    match subscribers::unsubscribe_target(&state.services, q.token.as_deref().unwrap_or("")).await {
        Ok(Some(email)) => message(
            &state,
            m,
            StatusCode::OK,
            w.unsubscribe_heading,
            &(w.unsubscribe_ask)(&email),
            q.token
                .map(|t| (format!("/unsubscribe?token={}", encode(&t)), w.unsubscribe_heading)),
        ),
        Ok(None) => message(
            &state,
            m,
            StatusCode::NOT_FOUND,
            w.bad_link,
            w.bad_unsubscribe_link_text,
            None,
        ),
        Err(e) => e.into_response(),
    }
}

/// `POST /unsubscribe?token=…`: one click, also what mail clients send (RFC 8058).
async fn unsubscribe(State(state): State<AppState>, headers: HeaderMap, ApiQuery(q): ApiQuery<TokenQuery>) -> Response {
    let m = lang(&headers);
    let w = subscription_words(m);
    match subscribers::unsubscribe(&state.services, q.token.as_deref().unwrap_or("")).await {
        Ok(Some(email)) => message(
            &state,
            m,
            StatusCode::OK,
            w.unsubscribed,
            &(w.unsubscribed_text)(&email),
            None,
        ),
        Ok(None) => message(&state, m, StatusCode::OK, w.unsubscribed, w.unsubscribed_unknown, None),
        Err(e) => e.into_response(),
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /badge/{slug}.svg`: a shields-style badge with the monitor's shown status.
async fn badge(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let slug = file.strip_suffix(".svg").unwrap_or(&file);
    let found = state.snapshots.get().and_then(|s| {
        s.status
            .monitors
            .iter()
            .find(|m| m.slug == slug)
            .map(|m| (m.name.clone(), m.effective_status))
    });
    let Some((name, status)) = found else {
        return (StatusCode::NOT_FOUND, "no such monitor").into_response();
    };
    let colour = match status {
        EffectiveStatus::Up => "#1a7f37",
        EffectiveStatus::Degraded => "#9a6700",
        EffectiveStatus::Down => "#cf222e",
        EffectiveStatus::Maintenance => "#0969da",
    };
    let label = xml_escape(&name);
    let text = status_label(status, &EN);
    // Verdana-ish 11px: about 7px a character plus padding.
    let lw = 10 + 7 * name.chars().count();
    let tw = 10 + 7 * text.chars().count();
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" role="img" aria-label="{label}: {text}"><title>{label}: {text}</title><rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{tw}" height="20" fill="{colour}"/><g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle"><text x="{lx}" y="14">{label}</text><text x="{tx}" y="14">{text}</text></g><desc>{class}</desc></svg>"##,
        w = lw + tw,
        lx = lw / 2,
        tx = lw + tw / 2,
        class = status_class(status),
    );
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=60"),
        ],
        svg,
    )
        .into_response()
}
