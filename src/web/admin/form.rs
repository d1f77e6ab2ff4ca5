//! Dashboard forms: a urlencoded body read into a typed struct, behind a CSRF check that
//! runs before the handler. [`CsrfForm`] checks the signed-in admin's token, [`PreCsrfForm`]
//! the double-submit cookie of the forms shown before there is a session (setup, sign-in).
//!
//! Form structs keep text fields as typed (`String`, empty when left out): a form that fails
//! shows them again as they were, and the handler turns them into values with messages in
//! the form's own words, beside the field. What a browser cannot send from our pages (a
//! field twice, a button's unknown value) is refused with 422 and a plain message.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Deserializer};

use super::error::HtmlError;
use super::session::{Admin, PRE_CSRF_COOKIE};
use crate::error::AppError;
use crate::web::AppState;

/// A form of a signed-in admin, whose CSRF token matched the session's.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = HtmlError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        // The handler's own `Admin` has usually run already: this reuses its session.
        let Admin(session) = Admin::from_request_parts(&mut parts, state).await?;
        let bytes = read(Request::from_parts(parts, body), state).await?;
        check_token(&bytes, &session.csrf)?;
        parse(&bytes).map(Self)
    }
}

/// A form shown before there is a session, whose CSRF token matched its cookie.
pub struct PreCsrfForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for PreCsrfForm<T> {
    type Rejection = HtmlError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(req.headers());
        let expected = jar
            .get(PRE_CSRF_COOKIE)
            .map(|c| c.value().to_string())
            .unwrap_or_default();
        let bytes = read(req, state).await?;
        check_token(&bytes, &expected)?;
        parse(&bytes).map(Self)
    }
}

async fn read<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, HtmlError> {
    Bytes::from_request(req, state)
        .await
        .map_err(|e| HtmlError::App(crate::web::extract::body_error(e)))
}

/// Refuses the form unless its `csrf` field is `expected` (never empty), compared in
/// constant time.
fn check_token(body: &[u8], expected: &str) -> Result<(), HtmlError> {
    let given = form_urlencoded::parse(body)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if !expected.is_empty() && constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(HtmlError::page(CsrfRejected))
    }
}

/// A form without the right CSRF token (403).
#[derive(Debug)]
pub struct CsrfRejected;

impl IntoResponse for CsrfRejected {
    fn into_response(self) -> Response {
        (
            StatusCode::FORBIDDEN,
            "This form has expired. Go back, reload the page and try again.",
        )
            .into_response()
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The body as `T`; what does not fit is a 422 that names the field in words, never
/// serde's text.
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, HtmlError> {
    let de = serde_html_form::Deserializer::new(form_urlencoded::parse(body));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let field = if field == "." { "form".to_string() } else { field };
        let inner = e.into_inner().to_string();
        tracing::debug!(%field, error = %inner, "a dashboard form did not fit its fields");
        // serde_html_form's words for a single field given several values.
        let what = if inner == "unsupported value" || inner.starts_with("invalid type: sequence") {
            "was sent more than once"
        } else {
            "has a value this form does not offer"
        };
        let label = super::show::field_label(&field);
        HtmlError::App(AppError::invalid(
            field.clone(),
            format!("The {label} field {what}. Go back, reload the page and try again."),
        ))
    })
}

/// A checkbox: ticked when sent at all, whatever its value.
pub(crate) fn checkbox<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(d).map(|_| true)
}

/// A field that may be left out, kept as sent when it is there, even empty (unlike
/// `Option<String>`, which reads an empty value as absent).
pub(crate) fn sent<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    String::deserialize(d).map(Some)
}

/// The answer of a confirmation page: a destructive form is sent once to ask, and again
/// with `confirm=yes`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Confirm {
    confirm: String,
}

impl Confirm {
    pub fn yes(&self) -> bool {
        self.confirm == "yes"
    }
}

/// A form with nothing but its CSRF token (signing out).
#[derive(Debug, Deserialize)]
pub(crate) struct NoFields {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Sample {
        title: String,
        weekdays: Vec<String>,
        #[serde(deserialize_with = "checkbox")]
        ticked: bool,
        #[serde(deserialize_with = "sent")]
        run_minutes: Option<String>,
    }

    #[test]
    fn fields_left_out_are_empty_and_repeated_keys_gather() {
        let s: Sample = parse(b"csrf=x&title=Patch+night&weekdays=MO&weekdays=TH&ticked=on").unwrap();
        assert_eq!(
            s,
            Sample {
                title: "Patch night".into(),
                weekdays: vec!["MO".into(), "TH".into()],
                ticked: true,
                run_minutes: None,
            }
        );
        let one: Sample = parse(b"weekdays=SU").unwrap();
        assert_eq!(
            (one.weekdays, one.ticked, one.title),
            (vec!["SU".to_string()], false, String::new())
        );
        assert_eq!(one.run_minutes, None);
        let empty: Sample = parse(b"run_minutes=").unwrap();
        assert_eq!(empty.run_minutes.as_deref(), Some(""), "sent empty is not left out");
    }

    #[test]
    fn a_field_sent_twice_is_named_in_words() {
        let Err(HtmlError::App(AppError::Invalid(f))) = parse::<Sample>(b"title=a&title=b") else {
            panic!("a repeated single field must be refused");
        };
        assert_eq!(f.field, "title");
        assert_eq!(
            f.message,
            "The Title field was sent more than once. Go back, reload the page and try again."
        );
    }

    #[test]
    fn only_the_expected_token_passes() {
        assert!(check_token(b"csrf=abc&x=1", "abc").is_ok());
        assert!(check_token(b"csrf=abd", "abc").is_err());
        assert!(check_token(b"x=1", "abc").is_err());
        // No token issued (no cookie) never matches an empty field.
        assert!(check_token(b"csrf=", "").is_err());
        assert!(check_token(b"", "").is_err());
    }

    #[test]
    fn tokens_compare_by_content() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
