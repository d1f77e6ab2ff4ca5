//! `Idempotency-Key` on `POST`: a client that retries a create or an action after a
//! timeout or a dropped connection sends the same key and gets the first result back
//! (with `Idempotent-Replayed: true`) instead of a second plan and a second round of
//! notices. Follows the IETF draft `draft-ietf-httpapi-idempotency-key-header`:
//!
//! - the key is scoped to the caller's credentials, the method and the path;
//! - only successful results are kept, for 24 hours; a failed request can be retried
//!   with the same key and runs again;
//! - the same key with another body is refused (422); while the first request with a
//!   key still runs, a second one is refused (409) — unless the first has been running
//!   for longer than any request can (its server died), in which case the second runs.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};
use crate::store::idempotency as store;
use crate::web::AppState;
use crate::web::extract::Auth;

pub const HEADER: &str = "idempotency-key";
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// How long a result is kept.
const KEEP: chrono::TimeDelta = chrono::TimeDelta::hours(24);
/// A claim older than this belongs to a request that can no longer be running (requests
/// time out after 30 s).
const ABANDONED: chrono::TimeDelta = chrono::TimeDelta::minutes(1);
/// Bodies are read whole to hash them; the API's own limit.
const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The middleware; passes through every request that is not a keyed `POST` with a token
/// (the public sign-up ignores the key: it has its own limits and sends one confirmation).
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    if req.method() != Method::POST || !headers.contains_key(HEADER) || !headers.contains_key(header::AUTHORIZATION) {
        return next.run(req).await;
    }
    // A keyed request runs to its end and keeps its result even when the client hangs up:
    // a dropped future could leave the work committed and the key unfinished, and a retry
    // after the claim counts as abandoned would do it all again.
    let task = tokio::spawn(async move {
        match keyed(&state, req, next).await {
            Ok(response) | Err(response) => response,
        }
    });
    task.await
        .unwrap_or_else(|e| AppError::Internal(anyhow::anyhow!("a keyed request failed: {e}")).into_response())
}

async fn keyed(state: &AppState, req: Request, next: Next) -> Result<Response, Response> {
    let (mut parts, body) = req.into_parts();
    // A bad token is a 401 before anything about the key, as without one; and a revoked
    // token gets no stored result back.
    Auth::from_request_parts(&mut parts, state)
        .await
        .map_err(IntoResponse::into_response)?;
    let key = key(&parts.headers).map_err(IntoResponse::into_response)?;
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|_| AppError::TooLarge.into_response())?;
    let scope = scope(&parts, &key);
    let request_hash = hex::encode(Sha256::digest(&bytes));

    claim(state, &scope, &request_hash).await?;
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    Ok(finish(state, &scope, response).await)
}

/// The header's value: 1 to 255 visible ASCII characters (a UUID is typical).
fn key(headers: &axum::http::HeaderMap) -> AppResult<String> {
    let mut values = headers.get_all(HEADER).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(AppError::invalid("Idempotency-Key", "must be sent once"));
    };
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_matches('"'))
        .filter(|v| (1..=255).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .ok_or_else(|| AppError::invalid("Idempotency-Key", "must be 1 to 255 visible ASCII characters"))
}

/// Who asks (the `Authorization` header, so keys of different tokens never meet), what
/// (method and path) and the key, hashed: no token is stored.
fn scope(parts: &axum::http::request::Parts, key: &str) -> String {
    let auth = parts
        .headers
        .get(header::AUTHORIZATION)
        .map(HeaderValue::as_bytes)
        .unwrap_or_default();
    let mut h = Sha256::new();
    for part in [
        auth,
        parts.method.as_str().as_bytes(),
        parts.uri.path().as_bytes(),
        key.as_bytes(),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    hex::encode(h.finalize())
}

/// Claims the key for this request, or answers for it: the stored result, or why not.
async fn claim(state: &AppState, scope: &str, request_hash: &str) -> Result<(), Response> {
    let now = state.services.now();
    let fail = |e: sqlx::Error| AppError::from(e).into_response();
    let mut conn = state.services.store.conn().await.map_err(fail)?;
    if store::claim(&mut conn, scope, request_hash, now, now - KEEP)
        .await
        .map_err(fail)?
    {
        return Ok(());
    }
    let Some(entry) = store::get(&mut conn, scope).await.map_err(fail)? else {
        // Released between our insert and our read: the caller may simply retry.
        return Err(in_progress());
    };
    if entry.request_hash != request_hash {
        return Err(AppError::invalid(
            "Idempotency-Key",
            "was already used with a different request body; use a new key for a new request",
        )
        .into_response());
    }
    match (entry.status, entry.body.as_deref()) {
        (Some(status), Some(body)) => Err(replay(status, body)),
        _ if entry.created_at < now - ABANDONED
            && store::take_over(&mut conn, scope, &entry, request_hash, now)
                .await
                .map_err(fail)? =>
        {
            Ok(())
        }
        _ => Err(in_progress()),
    }
}

fn in_progress() -> Response {
    let mut response =
        AppError::Conflict("a request with this Idempotency-Key is still being processed; retry shortly".into())
            .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

fn replay(status: i64, body: &str) -> Response {
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

/// Keeps a successful result for retries; gives the key back otherwise.
async fn finish(state: &AppState, scope: &str, response: Response) -> Response {
    let status = response.status();
    let mut conn = match state.services.store.conn().await {
        Ok(conn) => conn,
        Err(e) => {
            // The work is done and its answer is on its way; only a retry would repeat it
            // (after the claim is abandoned).
            tracing::warn!(error = %e, "recording an idempotent result failed");
            return response;
        }
    };
    if !status.is_success() {
        if let Err(e) = store::release(&mut conn, scope).await {
            tracing::warn!(error = %e, "releasing an idempotency key failed");
        }
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => {
            let _ = store::release(&mut conn, scope).await;
            return AppError::Internal(anyhow::anyhow!("reading a response failed: {e}")).into_response();
        }
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    if let Err(e) = store::finish(&mut conn, scope, i64::from(status.as_u16()), &text).await {
        tracing::warn!(error = %e, "recording an idempotent result failed");
    }
    Response::from_parts(parts, Body::from(bytes))
}
