//! Helpers for tests of pages over plain HTTP: sign in, read a form's CSRF token, fetch a
//! page with the session cookie.

use std::time::{Duration as StdDuration, Instant};

use reqwest::StatusCode;
use reqwest::header::SET_COOKIE;

use super::TestApp;

pub async fn page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let resp = app.http.get(format!("{}{path}", app.base)).send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

/// Waits until the front page's snapshot shows `needle`.
pub async fn front_page_with(app: &TestApp, needle: &str) -> String {
    let deadline = Instant::now() + StdDuration::from_secs(5);
    loop {
        let (_, html) = page(app, "/").await;
        if html.contains(needle) {
            return html;
        }
        assert!(Instant::now() < deadline, "front page never showed {needle:?}:\n{html}");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

pub fn cookie_of(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_string())
}

pub fn hidden_csrf(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

pub async fn admin_get(app: &TestApp, cookie: &str, path: &str) -> String {
    let resp = app
        .http
        .get(format!("{}{path}", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    resp.text().await.unwrap()
}

pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs in as a fresh admin; returns the session cookie.
pub async fn signed_in(app: &TestApp) -> String {
    lull::service::admins::create(&app.services, "ops@example.com", "correct horse battery", false)
        .await
        .unwrap();
    sign_in(app, "ops@example.com", "correct horse battery")
        .await
        .1
        .unwrap()
}

pub async fn sign_in(app: &TestApp, email: &str, password: &str) -> (StatusCode, Option<String>) {
    let http = no_redirects();
    let form = http.get(format!("{}/admin/login", app.base)).send().await.unwrap();
    let pre = cookie_of(&form, "lull_csrf").unwrap();
    let csrf = hidden_csrf(&form.text().await.unwrap());
    let resp = http
        .post(format!("{}/admin/login", app.base))
        .header("cookie", pre)
        .form(&[("csrf", csrf.as_str()), ("email", email), ("password", password)])
        .send()
        .await
        .unwrap();
    (resp.status(), cookie_of(&resp, "lull_session"))
}
