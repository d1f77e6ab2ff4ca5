//! Signed-in admins: the session cookie, the cookie of the pre-session CSRF token, and the
//! check that a state-changing request comes from this site.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};

use super::error::HtmlError;
use crate::error::AppError;
use crate::service::admins::{self, SESSION_DAYS, Session};
use crate::web::AppState;

pub const SESSION_COOKIE: &str = "lull_session";
/// Double-submit token for the forms shown before there is a session (setup, sign-in).
pub const PRE_CSRF_COOKIE: &str = "lull_csrf";

/// A signed-in admin; anyone else is sent to the sign-in page.
pub struct Admin(pub Session);

impl FromRequestParts<AppState> for Admin {
    type Rejection = HtmlError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // Found once per request: a handler's `Admin` and its `CsrfForm` share it.
        if let Some(session) = parts.extensions.get::<Session>() {
            return Ok(Admin(session.clone()));
        }
        let jar = CookieJar::from_headers(&parts.headers);
        if let Some(cookie) = jar.get(SESSION_COOKIE)
            && let Some(session) = admins::session(&state.services, cookie.value()).await?
        {
            super::signed_in(&session);
            parts.extensions.insert(session.clone());
            return Ok(Admin(session));
        }
        // Back to the page asked for after signing in (GET only: a form cannot be replayed).
        let next = (parts.method == Method::GET)
            .then(|| parts.uri.path_and_query().map(|p| p.as_str().to_string()))
            .flatten()
            .filter(|p| safe_next(p).is_some() && p != "/admin");
        let to = match next {
            Some(p) => format!(
                "/admin/login?next={}",
                form_urlencoded::byte_serialize(p.as_bytes()).collect::<String>()
            ),
            None => "/admin/login".into(),
        };
        Err(HtmlError::page(Redirect::to(&to)))
    }
}

/// A dashboard path to return to after signing in; anything else (another site,
/// `//host`, a public page) is refused.
pub fn safe_next(p: &str) -> Option<&str> {
    let ok = (p == "/admin" || p.starts_with("/admin/") || p.starts_with("/admin?"))
        && !p.contains("//")
        && !p.contains('\\')
        && !p.chars().any(char::is_control);
    ok.then_some(p)
}

pub fn session_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::days(SESSION_DAYS))
        .build()
}

pub fn pre_csrf_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((PRE_CSRF_COOKIE, value))
        .path("/admin")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .build()
}

/// A urlencoded form body, with repeated keys kept (checkbox groups): the public page's
/// subscribe form. Dashboard forms are typed, behind a CSRF check (`super::form`).
pub struct FormData(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| crate::web::extract::body_error(e).into_response())?;
        Ok(Self(form_urlencoded::parse(&bytes).into_owned().collect()))
    }
}

impl FormData {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or("").to_string()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// Refuses state-changing requests whose `Origin` is another site (a second line of
/// defence next to the CSRF tokens): it must be the origin of `LULL_PUBLIC_URL` when that
/// is set (a proxy may rewrite `Host`), else match the request's `Host`. `Origin: null`
/// (sandboxed frames, `data:` documents) is refused; a request without `Origin` (older
/// browsers, scripts) relies on its CSRF token alone.
pub async fn same_origin(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let header = |name| req.headers().get(name).map(|v| v.to_str().unwrap_or("null"));
        if let Some(origin) = header(header::ORIGIN) {
            let allowed = origin != "null"
                && match &state.origin {
                    Some(expected) => crate::web::client::origin_of(origin) == *expected,
                    None => header(header::HOST).is_some_and(|host| origin.split("://").nth(1) == Some(host)),
                };
            if !allowed {
                return AppError::Forbidden("a browser sent it from another site").into_response();
            }
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_dashboard_paths_are_returned_to() {
        assert_eq!(super::safe_next("/admin/events/4"), Some("/admin/events/4"));
        assert_eq!(super::safe_next("/admin"), Some("/admin"));
        for bad in [
            "//evil.example/admin",
            "https://evil.example",
            "/admin//evil",
            "/",
            "/adminx",
            "/admin/\\evil",
        ] {
            assert_eq!(super::safe_next(bad), None, "{bad}");
        }
    }
}
