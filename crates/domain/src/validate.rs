//! Input checks: newtypes built by `parse` ([`Email`], [`Slug`], [`Title`]) and checking
//! functions for the rest; each returns a [`FieldError`] naming the field and the reason,
//! so the API, the dashboard and the CLI report bad input the same way. A value of a
//! newtype is proof that the check ran.

use chrono::NaiveDateTime;
use serde::Serialize;

/// Longest maintenance window or extension: 31 days.
pub const MAX_DURATION_SECS: i64 = 31 * 24 * 3600;
/// Longest reminder lead time: 7 days.
pub const MAX_LEAD_SECS: i64 = 7 * 24 * 3600;

/// Bad input in one field, with a reason a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The same error reported under a parent path, e.g. `monitors[0].` + `impact`.
    pub fn within(mut self, prefix: &str) -> Self {
        self.field = format!("{prefix}{}", self.field);
        self
    }
}

/// Text of several lines (descriptions, updates): line breaks and tabs are fine.
fn text(field: &str, value: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(FieldError::new(field, "must not contain control characters"));
    }
    bounded(field, value, min, max)
}

/// Text of one line (titles, names): it ends up in mail subjects and chat messages, so
/// no line breaks, tabs or other control characters.
fn line(field: &str, value: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "must be one line, without line breaks, tabs or other control characters",
        ));
    }
    bounded(field, value, min, max)
}

fn bounded(field: &str, value: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let len = value.chars().count();
    if len < min {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if len > max {
        return Err(FieldError::new(
            field,
            format!("must be at most {max} characters (got {len})"),
        ));
    }
    Ok(value.to_string())
}

macro_rules! text_newtype {
    ($ty:ident) => {
        impl $ty {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<$ty> for String {
            fn from(v: $ty) -> String {
                v.0
            }
        }
    };
}

/// A maintenance title: one line of 1 to 200 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Title(String);
text_newtype!(Title);

impl Title {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        line("title", value, 1, 200).map(Self)
    }
}

/// A maintenance title: 1 to 200 characters after trimming.
pub fn title(value: &str) -> Result<String, FieldError> {
    Title::parse(value).map(String::from)
}

/// A monitor name: 1 to 100 characters after trimming.
pub fn monitor_name(value: &str) -> Result<String, FieldError> {
    line("name", value, 1, 100)
}

/// An optional group name; empty means none.
pub fn group(value: Option<&str>) -> Result<Option<String>, FieldError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => line("group", v, 1, 100).map(Some),
    }
}

/// Markdown source of a description, up to 20,000 characters (may be empty).
pub fn description(value: &str) -> Result<String, FieldError> {
    text("description", value, 0, 20_000)
}

/// The body of a progress update: 1 to 10,000 characters.
pub fn update_body(value: &str) -> Result<String, FieldError> {
    text("body", value, 1, 10_000)
}

/// An email address, trimmed and lower-cased, that the mailer can send to: lettre's
/// `Address` accepts it (so nothing stored is refused later at delivery; it refuses
/// whitespace and control characters), it has one `@` and a dotted domain, and at most
/// 254 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);
text_newtype!(Email);

impl Email {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let v = value.trim().to_ascii_lowercase();
        let ok = v.len() <= 254
            && v.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
            })
            && v.matches('@').count() == 1
            && v.parse::<lettre::Address>().is_ok();
        if ok {
            Ok(Self(v))
        } else {
            Err(FieldError::new("email", "is not an email address"))
        }
    }
}

/// An email address; see [`Email`].
pub fn email(value: &str) -> Result<String, FieldError> {
    Email::parse(value).map(String::from)
}

/// A URL-safe identifier: lowercase letters, digits and dashes, 1 to 63 characters,
/// starting with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);
text_newtype!(Slug);

impl Slug {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let ok = !value.is_empty()
            && value.len() <= 63
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !value.starts_with('-');
        if ok {
            Ok(Self(value.to_string()))
        } else {
            Err(FieldError::new(
                "slug",
                "must be 1-63 lowercase letters, digits or dashes, not starting with a dash",
            ))
        }
    }
}

/// A slug; see [`Slug`].
pub fn slug(value: &str) -> Result<String, FieldError> {
    Slug::parse(value).map(String::from)
}

/// An IANA time zone name such as `Europe/Berlin`.
pub fn time_zone(field: &str, value: &str) -> Result<chrono_tz::Tz, FieldError> {
    value.trim().parse::<chrono_tz::Tz>().map_err(|_| {
        FieldError::new(
            field,
            format!("unknown time zone '{value}' (use an IANA name like Europe/Berlin)"),
        )
    })
}

/// A window length in seconds: more than 0, at most 31 days.
pub fn duration(field: &str, secs: i64) -> Result<i64, FieldError> {
    if secs <= 0 {
        Err(FieldError::new(field, "must be more than 0 seconds"))
    } else if secs > MAX_DURATION_SECS {
        Err(FieldError::new(
            field,
            format!("must be at most 31 days ({MAX_DURATION_SECS} seconds)"),
        ))
    } else {
        Ok(secs)
    }
}

/// A reminder lead time in seconds: 0 to 7 days.
pub fn reminder_lead(secs: i64) -> Result<i64, FieldError> {
    if (0..=MAX_LEAD_SECS).contains(&secs) {
        Ok(secs)
    } else {
        Err(FieldError::new(
            "reminder_lead",
            format!("must be between 0 and {MAX_LEAD_SECS} seconds"),
        ))
    }
}

/// A local date-time without offset: `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS`.
pub fn local_datetime(field: &str, value: &str) -> Result<NaiveDateTime, FieldError> {
    let value = value.trim();
    let parsed = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M"));
    if let Ok(t) = parsed
        && !(1970..=9999).contains(&chrono::Datelike::year(&t))
    {
        return Err(FieldError::new(field, "must be a date between the years 1970 and 9999"));
    }
    parsed.map_err(|_| {
        if value.is_empty() {
            FieldError::new(field, "is required: a local date and time like 2026-05-17T03:00")
        } else {
            FieldError::new(
                field,
                format!("'{value}' is not a local date and time like 2026-05-17T03:00 (without an offset: the time zone is given separately)"),
            )
        }
    })
}

/// Formats a local date-time the way the API returns it: `YYYY-MM-DDTHH:MM:SS`.
pub fn format_local(value: NaiveDateTime) -> String {
    value.format("%Y-%m-%dT%H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(title("  Upgrade  ").unwrap(), "Upgrade");
        assert_eq!(title("   ").unwrap_err().field, "title");
        assert!(title(&"x".repeat(201)).is_err());
        assert!(title(&"é".repeat(200)).is_ok());
        for bad in ["Upgrade\r\nBcc: x", "Up\ngrade", "Up\tgrade", "Up\u{7}grade"] {
            assert_eq!(title(bad).unwrap_err().field, "title", "{bad:?}");
            assert_eq!(monitor_name(bad).unwrap_err().field, "name", "{bad:?}");
        }
        assert!(description("two\nlines\tand a tab").is_ok());
        assert!(update_body("line one\r\nline two").is_ok());
    }

    #[test]
    fn texts_of_several_lines_are_trimmed_bounded_and_free_of_other_control_characters() {
        assert_eq!(
            description("  Patch **all** nodes.\n  ").unwrap(),
            "Patch **all** nodes."
        );
        assert_eq!(description("   ").unwrap(), "", "a description may be empty");
        assert!(description(&"d".repeat(20_000)).is_ok());
        assert!(description(&"d".repeat(20_001)).is_err());
        assert_eq!(
            update_body(" Half the nodes are done.\r\n").unwrap(),
            "Half the nodes are done."
        );
        assert_eq!(update_body("x").unwrap(), "x", "one character is enough");
        let empty = update_body(" \n ").unwrap_err();
        assert_eq!(
            (empty.field.as_str(), empty.message.as_str()),
            ("body", "must not be empty")
        );
        let long = update_body(&"u".repeat(10_001)).unwrap_err();
        assert_eq!(long.message, "must be at most 10000 characters (got 10001)");
        let bell = description("ding\u{7}").unwrap_err();
        assert_eq!(
            (bell.field.as_str(), bell.message.as_str()),
            ("description", "must not contain control characters")
        );
    }

    #[test]
    fn a_group_is_optional_and_one_line() {
        assert_eq!(group(None).unwrap(), None);
        assert_eq!(group(Some("  ")).unwrap(), None, "blank means no group");
        assert_eq!(
            group(Some(" Core services ")).unwrap().as_deref(),
            Some("Core services")
        );
        assert_eq!(group(Some("Core\nservices")).unwrap_err().field, "group");
        assert!(group(Some(&"g".repeat(101))).is_err());
    }

    #[test]
    fn reminder_leads_are_zero_to_seven_days() {
        assert_eq!(reminder_lead(0).unwrap(), 0);
        assert_eq!(reminder_lead(3600).unwrap(), 3600);
        assert_eq!(reminder_lead(7 * 86_400).unwrap(), 604_800);
        for bad in [-1, 7 * 86_400 + 1] {
            let err = reminder_lead(bad).unwrap_err();
            assert_eq!(err.field, "reminder_lead");
            assert_eq!(err.message, "must be between 0 and 604800 seconds");
        }
    }

    #[test]
    fn emails_are_lowercased_and_must_be_deliverable_addresses() {
        assert_eq!(Email::parse("  Kim@Example.COM ").unwrap().as_str(), "kim@example.com");
        assert_eq!(email(" Kim@Example.COM").unwrap(), "kim@example.com");
        for bad in [
            "",
            "kim",
            "kim@",
            "@example.com",
            "kim@example",
            "kim@.example.com",
            "kim@example.com.",
            "k m@example.com",
            "kim@@example.com",
            "kim@exa mple.com",
            "kim@example.com\r\nBcc: x@example.com",
            "k\tm@example.com",
            "k\u{7}m@example.com",
            "k\u{a0}m@example.com",
            "\"k@m\"@example.com",
        ] {
            assert_eq!(Email::parse(bad).unwrap_err().field, "email", "{bad:?}");
        }
        // lettre refuses what the shape check alone would let through.
        assert!(Email::parse("kim\"@example.com").is_err());
        assert!(Email::parse(&format!("{}@example.com", "k".repeat(250))).is_err());
    }

    #[test]
    fn slugs_are_lowercase_and_dashed() {
        assert!(slug("api-2").is_ok());
        for bad in ["", "API", "-api", "a b", "a_b", &"a".repeat(64)] {
            assert_eq!(slug(bad).unwrap_err().field, "slug", "{bad:?}");
        }
    }

    #[test]
    fn durations_must_be_positive_and_at_most_31_days() {
        assert!(duration("duration", 0).is_err());
        assert!(duration("duration", -5).is_err());
        assert!(duration("duration", 31 * 86400).is_ok());
        assert!(duration("duration", 31 * 86400 + 1).is_err());
    }

    #[test]
    fn local_times_take_minutes_or_seconds_but_no_offset() {
        assert_eq!(
            format_local(local_datetime("start", "2026-05-17T03:00").unwrap()),
            "2026-05-17T03:00:00"
        );
        assert!(local_datetime("start", "2026-05-17T03:00:30").is_ok());
        assert!(local_datetime("start", "2026-05-17T03:00Z").is_err());
        assert!(local_datetime("start", "2026-05-17 03:00+02:00").is_err());
    }

    #[test]
    fn unknown_time_zones_are_named_in_the_error() {
        let err = time_zone("timezone", "Mars/Olympus").unwrap_err();
        assert_eq!(err.field, "timezone");
        assert!(err.message.contains("Mars/Olympus"));
        assert!(time_zone("timezone", "Europe/Berlin").is_ok());
    }
}
