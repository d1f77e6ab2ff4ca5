//! How a monitor is checked: its type and the settings of its checks, parsed from what an
//! admin sends (API, dashboard, CLI) into a [`CheckSpec`] that is valid as a whole. Pure:
//! running the checks is another layer's work.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use crate::text_enum::text_enum;

use super::FieldError;

/// How a monitor's status is found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CheckType {
    /// Set by hand (API, dashboard, CLI); never checked.
    #[default]
    Manual,
    /// An HTTP request; UP when the answer's status (and body) are as expected.
    Http,
    /// A TCP connection to `host:port`.
    Tcp,
    /// An outside job calls the monitor's heartbeat URL; DOWN when none arrives in time.
    Heartbeat,
    /// Another status page that speaks Statuspage's v2 API (a provider's, or another
    /// Lull's): the status of one of its components, or of the whole page.
    Statuspage,
}

text_enum!(CheckType, "monitor type", "manual, http, tcp, heartbeat, statuspage",
    Manual => "manual", Http => "http", Tcp => "tcp", Heartbeat => "heartbeat", Statuspage => "statuspage");

/// The method of an HTTP check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    #[default]
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
    Options,
}

text_enum!(HttpMethod, "method", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
    Get => "GET", Head => "HEAD", Post => "POST", Put => "PUT", Patch => "PATCH",
    Delete => "DELETE", Options => "OPTIONS");

/// Seconds between checks: at least 10 s, at most a day.
pub const INTERVAL: RangeInclusive<i64> = 10..=86_400;
/// Seconds a check may take: at most a minute (and never more than the interval).
pub const TIMEOUT: RangeInclusive<i64> = 1..=60;
/// Failed checks in a row, beyond the first, before the monitor is DOWN.
pub const RETRIES: RangeInclusive<i64> = 0..=10;
pub const DEFAULT_INTERVAL: i64 = 60;
pub const DEFAULT_TIMEOUT: i64 = 10;
pub const DEFAULT_EXPECT_STATUS: &str = "200-399";
const KEYWORD_MAX: usize = 200;
const COMPONENT_MAX: usize = 200;
const URL_MAX: usize = 2_000;

/// Expected HTTP status codes, e.g. `200-399` or `200,204,301-302`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRanges(Vec<RangeInclusive<u16>>);

impl StatusRanges {
    pub fn parse(field: &str, text: &str) -> Result<Self, FieldError> {
        let bad = || {
            FieldError::new(
                field,
                "must be status codes or ranges of 100–599, e.g. 200-399 or 200,204",
            )
        };
        let code = |t: &str| -> Result<u16, FieldError> {
            t.trim()
                .parse::<u16>()
                .ok()
                .filter(|c| (100..=599).contains(c))
                .ok_or_else(bad)
        };
        let mut ranges = Vec::new();
        for part in text.split(',') {
            let range = match part.split_once('-') {
                Some((a, b)) => code(a)?..=code(b)?,
                None => {
                    let c = code(part)?;
                    c..=c
                }
            };
            if range.is_empty() {
                return Err(FieldError::new(
                    field,
                    format!("'{}' ends before it starts", part.trim()),
                ));
            }
            ranges.push(range);
        }
        if ranges.len() > 20 {
            return Err(FieldError::new(field, "at most 20 codes or ranges"));
        }
        Ok(Self(ranges))
    }

    pub fn contains(&self, code: u16) -> bool {
        self.0.iter().any(|r| r.contains(&code))
    }
}

impl std::fmt::Display for StatusRanges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|r| {
                if r.start() == r.end() {
                    r.start().to_string()
                } else {
                    format!("{}-{}", r.start(), r.end())
                }
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

impl Default for StatusRanges {
    fn default() -> Self {
        Self(vec![200..=399])
    }
}

/// The URL of an HTTP check: `http` or `https` with a host.
pub fn http_url(field: &str, text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    if text.len() > URL_MAX {
        return Err(FieldError::new(field, format!("at most {URL_MAX} characters")));
    }
    let url = url::Url::parse(text).map_err(|e| FieldError::new(field, format!("is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FieldError::new(field, "must start with http:// or https://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(FieldError::new(field, "must name a host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(FieldError::new(
            field,
            "must not carry a user name or password (they would be shown with the monitor)",
        ));
    }
    Ok(url.to_string())
}

/// The `host:port` of a TCP check (an IPv6 address in brackets: `[::1]:5432`).
pub fn tcp_target(field: &str, text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    let (host, port) = text
        .rsplit_once(':')
        .ok_or_else(|| FieldError::new(field, "must be host:port, e.g. db.example.com:5432"))?;
    let port: u16 = port
        .parse()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| FieldError::new(field, "must end with a port from 1 to 65535, e.g. db.example.com:5432"))?;
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']'));
    let valid = match bare {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => {
            !host.is_empty()
                && host.len() <= 253
                && !host.contains(':')
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        }
    };
    if !valid {
        return Err(FieldError::new(
            field,
            format!("'{host}' is not a host name or address"),
        ));
    }
    Ok(format!("{host}:{port}"))
}

/// How a monitor is checked, valid as a whole: what its type needs is there, and what it
/// does not use is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSpec {
    pub kind: CheckType,
    /// `http`: the URL asked; `statuspage`: the followed page's base URL.
    pub url: Option<String>,
    /// `statuspage`: the followed component's name; the whole page's status without it.
    pub component: Option<String>,
    /// Any type: the label matchers of this monitor's alerts in Alertmanager, when not
    /// `LULL_ALERTMANAGER_MATCHER` (a template, see `matcher`).
    pub alertmanager_matcher: Option<String>,
    pub method: HttpMethod,
    /// `tcp`: `host:port`.
    pub target: Option<String>,
    /// Seconds between checks (for `heartbeat`: the longest expected gap between beats).
    pub interval: i64,
    /// Seconds a check may take (for `heartbeat`: the grace after the interval).
    pub timeout: i64,
    pub expect_status: StatusRanges,
    /// `http`: text the answer's body must contain.
    pub keyword: Option<String>,
    /// Failed checks in a row, beyond the first, before the monitor is DOWN.
    pub retries: i64,
    /// An answer slower than this many milliseconds makes the monitor DEGRADED.
    pub degraded_after_ms: Option<i64>,
    pub follow_redirects: bool,
    pub verify_tls: bool,
}

impl Default for CheckSpec {
    fn default() -> Self {
        Self {
            kind: CheckType::Manual,
            url: None,
            component: None,
            alertmanager_matcher: None,
            method: HttpMethod::Get,
            target: None,
            interval: DEFAULT_INTERVAL,
            timeout: DEFAULT_TIMEOUT,
            expect_status: StatusRanges::default(),
            keyword: None,
            retries: 0,
            degraded_after_ms: None,
            follow_redirects: true,
            verify_tls: true,
        }
    }
}

/// A monitor's check settings as sent: on create over the defaults, on a change over what
/// is stored; a field left out keeps its value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CheckInput {
    /// `manual` (the default), `http`, `tcp`, `heartbeat` or `statuspage`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `http`: the URL to ask, e.g. `https://api.example.com/health`. `statuspage`: the base
    /// URL of a page that speaks Statuspage's v2 API (`/api/v2/summary.json` is read under
    /// it), e.g. `https://www.githubstatus.com`.
    pub url: Option<String>,
    /// `statuspage`: the name of the component to follow; without it, the page's overall
    /// indicator. An empty string removes it.
    pub component: Option<String>,
    /// Any type: how this monitor's alerts are matched for the silences Lull makes in
    /// Alertmanager during its maintenance, overriding `LULL_ALERTMANAGER_MATCHER`, e.g.
    /// `job="api",env="prod"` (`{slug}` and `{name}` are filled in). An empty string
    /// goes back to the default.
    pub alertmanager_matcher: Option<String>,
    /// `http`: GET (default), HEAD, POST, PUT, PATCH, DELETE or OPTIONS.
    pub method: Option<String>,
    /// `tcp`: `host:port` to connect to.
    pub target: Option<String>,
    /// Seconds between checks, at least 10 (default 60). For `heartbeat`: the longest gap
    /// expected between two beats.
    pub interval: Option<i64>,
    /// Seconds a check may take, 1–60 and at most the interval (default 10). For
    /// `heartbeat`: the grace after the interval before the monitor is DOWN (up to a day).
    pub timeout: Option<i64>,
    /// `http`: status codes that count as up, e.g. `200-399` (default) or `200,204`.
    pub expect_status: Option<String>,
    /// `http`: text the body must contain; an empty string removes it.
    pub keyword: Option<String>,
    /// Failed checks in a row, beyond the first, before the monitor is DOWN (0–10,
    /// default 0).
    pub retries: Option<i64>,
    /// An answer slower than this many milliseconds makes the monitor DEGRADED; 0 removes it.
    pub degraded_after_ms: Option<i64>,
    /// `http`: follow redirects (default true).
    pub follow_redirects: Option<bool>,
    /// `http`: verify the TLS certificate (default true).
    pub verify_tls: Option<bool>,
}

impl From<&CheckSpec> for CheckInput {
    /// Every setting of `spec`, so that applying it over any spec gives `spec` back.
    fn from(spec: &CheckSpec) -> Self {
        Self {
            kind: Some(spec.kind.as_str().into()),
            url: spec.url.clone(),
            component: Some(spec.component.clone().unwrap_or_default()).filter(|_| spec.kind == CheckType::Statuspage),
            alertmanager_matcher: Some(spec.alertmanager_matcher.clone().unwrap_or_default()),
            method: Some(spec.method.as_str().into()).filter(|_| spec.kind == CheckType::Http),
            target: spec.target.clone(),
            interval: Some(spec.interval).filter(|_| spec.kind != CheckType::Manual),
            timeout: Some(spec.timeout).filter(|_| spec.kind != CheckType::Manual),
            expect_status: Some(spec.expect_status.to_string()).filter(|_| spec.kind == CheckType::Http),
            keyword: Some(spec.keyword.clone().unwrap_or_default()).filter(|_| spec.kind == CheckType::Http),
            retries: Some(spec.retries)
                .filter(|_| matches!(spec.kind, CheckType::Http | CheckType::Tcp | CheckType::Statuspage)),
            degraded_after_ms: Some(spec.degraded_after_ms.unwrap_or(0))
                .filter(|_| matches!(spec.kind, CheckType::Http | CheckType::Tcp)),
            follow_redirects: Some(spec.follow_redirects).filter(|_| spec.kind == CheckType::Http),
            verify_tls: Some(spec.verify_tls).filter(|_| spec.kind == CheckType::Http),
        }
    }
}

impl CheckInput {
    /// `base` changed by what was sent, checked as a whole.
    pub fn apply(&self, base: &CheckSpec) -> Result<CheckSpec, FieldError> {
        let mut s = base.clone();
        if let Some(k) = &self.kind {
            s.kind = CheckType::parse("type", k)?;
        }
        let only = |field: &str, given: bool, kinds: &[CheckType]| -> Result<(), FieldError> {
            if given && !kinds.contains(&s.kind) {
                let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
                return Err(FieldError::new(
                    field,
                    format!("is only for {} monitors; this one is {}", names.join(" and "), s.kind),
                ));
            }
            Ok(())
        };
        use CheckType::{Heartbeat, Http, Statuspage, Tcp};
        only("url", self.url.is_some(), &[Http, Statuspage])?;
        only("component", self.component.is_some(), &[Statuspage])?;
        only("method", self.method.is_some(), &[Http])?;
        only("expect_status", self.expect_status.is_some(), &[Http])?;
        only("keyword", self.keyword.is_some(), &[Http])?;
        only("follow_redirects", self.follow_redirects.is_some(), &[Http])?;
        only("verify_tls", self.verify_tls.is_some(), &[Http])?;
        only("target", self.target.is_some(), &[Tcp])?;
        let checked = [Http, Tcp, Heartbeat, Statuspage];
        only("interval", self.interval.is_some(), &checked)?;
        only("timeout", self.timeout.is_some(), &checked)?;
        only("retries", self.retries.is_some(), &[Http, Tcp, Statuspage])?;
        only("degraded_after_ms", self.degraded_after_ms.is_some(), &[Http, Tcp])?;

        if let Some(v) = &self.url {
            s.url = Some(http_url("url", v)?);
        }
        if let Some(v) = &self.component {
            let v = v.trim();
            if v.chars().count() > COMPONENT_MAX {
                return Err(FieldError::new(
                    "component",
                    format!("at most {COMPONENT_MAX} characters"),
                ));
            }
            s.component = (!v.is_empty()).then(|| v.to_string());
        }
        if let Some(v) = &self.alertmanager_matcher {
            let v = v.trim();
            if !v.is_empty() {
                crate::matcher::Template::parse(v).map_err(|e| FieldError::new("alertmanager_matcher", e))?;
            }
            s.alertmanager_matcher = (!v.is_empty()).then(|| v.to_string());
        }
        if let Some(v) = &self.method {
            s.method = HttpMethod::parse("method", v)?;
        }
        if let Some(v) = &self.target {
            s.target = Some(tcp_target("target", v)?);
        }
        if let Some(v) = &self.expect_status {
            s.expect_status = StatusRanges::parse("expect_status", v)?;
        }
        if let Some(v) = &self.keyword {
            let v = v.trim();
            if v.chars().count() > KEYWORD_MAX {
                return Err(FieldError::new("keyword", format!("at most {KEYWORD_MAX} characters")));
            }
            s.keyword = (!v.is_empty()).then(|| v.to_string());
        }
        if let Some(v) = self.interval {
            s.interval = v;
        }
        if let Some(v) = self.timeout {
            s.timeout = v;
        }
        if let Some(v) = self.retries {
            s.retries = v;
        }
        if let Some(v) = self.degraded_after_ms {
            s.degraded_after_ms = (v != 0).then_some(v);
        }
        if let Some(v) = self.follow_redirects {
            s.follow_redirects = v;
        }
        if let Some(v) = self.verify_tls {
            s.verify_tls = v;
        }
        s.settle()
    }
}

impl CheckSpec {
    /// Checks the whole and empties what the type does not use (a monitor that changes
    /// type keeps no stale URL or target).
    fn settle(mut self) -> Result<Self, FieldError> {
        use CheckType::{Heartbeat, Http, Manual, Statuspage, Tcp};
        if !INTERVAL.contains(&self.interval) {
            return Err(FieldError::new(
                "interval",
                format!("must be from {} to {} seconds", INTERVAL.start(), INTERVAL.end()),
            ));
        }
        // A heartbeat's timeout is its grace after the interval: up to a day.
        let timeout = if self.kind == Heartbeat { 1..=86_400 } else { TIMEOUT };
        if !timeout.contains(&self.timeout) {
            return Err(FieldError::new(
                "timeout",
                format!("must be from {} to {} seconds", timeout.start(), timeout.end()),
            ));
        }
        if matches!(self.kind, Http | Tcp | Statuspage) && self.timeout > self.interval {
            return Err(FieldError::new("timeout", "must not be longer than the interval"));
        }
        if !RETRIES.contains(&self.retries) {
            return Err(FieldError::new(
                "retries",
                format!("must be from {} to {}", RETRIES.start(), RETRIES.end()),
            ));
        }
        if let Some(ms) = self.degraded_after_ms
            && !(1..self.timeout * 1000).contains(&ms)
        {
            return Err(FieldError::new(
                "degraded_after_ms",
                format!(
                    "must be from 1 to {} (less than the timeout), or 0 for none",
                    self.timeout * 1000 - 1
                ),
            ));
        }
        match self.kind {
            Http if self.url.is_none() => {
                return Err(FieldError::new("url", "is required for an http monitor"));
            }
            Tcp if self.target.is_none() => {
                return Err(FieldError::new("target", "is required for a tcp monitor (host:port)"));
            }
            Statuspage if self.url.is_none() => {
                return Err(FieldError::new(
                    "url",
                    "is required for a statuspage monitor: the page's base URL, e.g. https://status.example.com",
                ));
            }
            _ => {}
        }
        let defaults = Self::default();
        if self.kind != Statuspage {
            self.component = None;
        }
        if self.kind == Statuspage {
            self.degraded_after_ms = None;
        }
        if !matches!(self.kind, Http | Statuspage) {
            self.url = None;
        }
        if self.kind != Http {
            self.method = defaults.method;
            self.expect_status = defaults.expect_status;
            self.keyword = None;
            self.follow_redirects = defaults.follow_redirects;
            self.verify_tls = defaults.verify_tls;
        }
        if self.kind != Tcp {
            self.target = None;
        }
        if matches!(self.kind, Manual | Heartbeat) {
            self.retries = 0;
            self.degraded_after_ms = None;
        }
        if self.kind == Manual {
            self.interval = defaults.interval;
            self.timeout = defaults.timeout;
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(url: &str) -> CheckInput {
        CheckInput {
            kind: Some("http".into()),
            url: Some(url.into()),
            ..CheckInput::default()
        }
    }

    fn err(input: &CheckInput) -> (String, String) {
        let e = input.apply(&CheckSpec::default()).unwrap_err();
        (e.field, e.message)
    }

    #[test]
    fn status_ranges_read_codes_and_ranges() {
        let r = StatusRanges::parse("s", " 200-299, 304 ,418").unwrap();
        assert!(r.contains(200) && r.contains(299) && r.contains(304) && r.contains(418));
        assert!(!r.contains(300) && !r.contains(199) && !r.contains(500));
        assert_eq!(r.to_string(), "200-299,304,418");
        for bad in ["", "abc", "200-", "99", "600", "399-200", "200-399-500"] {
            assert!(StatusRanges::parse("s", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_statuspage_monitor_needs_a_page_url_and_may_name_a_component() {
        let page = |url: Option<&str>, component: Option<&str>| CheckInput {
            kind: Some("statuspage".into()),
            url: url.map(str::to_string),
            component: component.map(str::to_string),
            ..CheckInput::default()
        };
        let (field, message) = err(&page(None, None));
        assert_eq!(field, "url");
        assert!(message.contains("base URL"), "{message}");
        assert_eq!(err(&page(Some("status.example.com"), None)).0, "url");
        let s = page(Some("https://status.example.com"), Some("  API  "))
            .apply(&CheckSpec::default())
            .unwrap();
        assert_eq!(s.kind, CheckType::Statuspage);
        assert_eq!(s.component.as_deref(), Some("API"));
        let whole = page(Some("https://status.example.com"), Some("")).apply(&s).unwrap();
        assert_eq!(whole.component, None, "an empty name follows the whole page");
        assert_eq!(
            err(&page(Some("https://s.example.com"), Some(&"x".repeat(201)))).0,
            "component"
        );
        // A component only means something for a followed page.
        let (field, message) = err(&CheckInput {
            component: Some("API".into()),
            ..http("https://api.example.com/")
        });
        assert_eq!(field, "component");
        assert!(message.contains("only for statuspage monitors"), "{message}");
        // Switching to http drops the component.
        let http_now = http("https://api.example.com/").apply(&s).unwrap();
        assert_eq!(http_now.component, None);
    }

    #[test]
    fn a_spec_written_out_in_full_applies_back_to_itself_over_anything() {
        let specs = [
            CheckInput {
                keyword: Some("ok".into()),
                degraded_after_ms: Some(300),
                alertmanager_matcher: Some("job=\"api\"".into()),
                ..http("https://api.example.com/health")
            },
            CheckInput {
                kind: Some("statuspage".into()),
                url: Some("https://status.example.com".into()),
                component: Some("API".into()),
                ..CheckInput::default()
            },
            CheckInput {
                kind: Some("tcp".into()),
                target: Some("db:5432".into()),
                retries: Some(2),
                ..CheckInput::default()
            },
            CheckInput::default(),
        ]
        .map(|i| i.apply(&CheckSpec::default()).unwrap());
        for want in &specs {
            for base in &specs {
                assert_eq!(&CheckInput::from(want).apply(base).unwrap(), want, "over {base:?}");
            }
        }
    }

    #[test]
    fn an_http_monitor_needs_a_url_with_a_host() {
        assert_eq!(
            err(&CheckInput {
                kind: Some("http".into()),
                ..Default::default()
            })
            .0,
            "url"
        );
        assert_eq!(err(&http("http://")).0, "url");
        assert_eq!(err(&http("ftp://example.com/")).0, "url");
        assert_eq!(err(&http("example.com/health")).0, "url");
        let (field, message) = err(&http("https://user:secret@example.com/"));
        assert_eq!(field, "url");
        assert!(message.contains("password"), "{message}");
        let s = http(" https://api.example.com/health ")
            .apply(&CheckSpec::default())
            .unwrap();
        assert_eq!(s.url.as_deref(), Some("https://api.example.com/health"));
        assert_eq!((s.interval, s.timeout, s.retries), (60, 10, 0));
    }

    #[test]
    fn limits_are_inclusive() {
        let ranges = |n: usize| StatusRanges::parse("s", &vec!["200"; n].join(","));
        assert!(ranges(20).is_ok());
        assert!(ranges(21).unwrap_err().message.contains("at most 20"));
        let long = |n: usize| http(&format!("http://example.com/{}", "a".repeat(n - 19)));
        assert!(long(URL_MAX).apply(&CheckSpec::default()).is_ok());
        assert_eq!(err(&long(URL_MAX + 1)).0, "url");
        for secret in ["https://user@example.com/", "https://:secret@example.com/"] {
            assert_eq!(err(&http(secret)).0, "url", "{secret}");
        }
        let keyword = |k: String| CheckInput {
            keyword: Some(k),
            ..http("http://example.com/")
        };
        // Characters, not bytes: 200 two-byte letters are fine.
        let s = keyword("é".repeat(KEYWORD_MAX)).apply(&CheckSpec::default()).unwrap();
        assert_eq!(s.keyword.map(|k| k.chars().count()), Some(KEYWORD_MAX));
        assert_eq!(err(&keyword("é".repeat(KEYWORD_MAX + 1))).0, "keyword");
        let s = keyword(" ok ".into()).apply(&CheckSpec::default()).unwrap();
        assert_eq!(s.keyword.as_deref(), Some("ok"));
        let s = keyword("  ".into()).apply(&CheckSpec::default()).unwrap();
        assert_eq!(s.keyword, None, "a blank keyword is none");
    }

    #[test]
    fn a_timeout_may_equal_the_interval_and_a_heartbeats_grace_may_be_a_day() {
        let timed = |kind: &str, interval, timeout| CheckInput {
            kind: Some(kind.into()),
            url: (kind == "http").then(|| "http://example.com/".into()),
            interval: Some(interval),
            timeout: Some(timeout),
            ..Default::default()
        };
        let s = timed("http", 10, 10).apply(&CheckSpec::default()).unwrap();
        assert_eq!((s.interval, s.timeout), (10, 10));
        assert_eq!(err(&timed("http", 10, 11)).0, "timeout");
        assert_eq!(err(&timed("http", 3600, 61)).0, "timeout");
        let s = timed("heartbeat", 3600, 86_400).apply(&CheckSpec::default()).unwrap();
        assert_eq!(s.timeout, 86_400);
        assert_eq!(err(&timed("heartbeat", 3600, 86_401)).0, "timeout");
    }

    #[test]
    fn slowness_must_be_under_the_timeout_and_a_tcp_check_needs_a_target() {
        let slow = |ms| CheckInput {
            timeout: Some(10),
            degraded_after_ms: Some(ms),
            ..http("http://example.com/")
        };
        let s = slow(9_999).apply(&CheckSpec::default()).unwrap();
        assert_eq!(s.degraded_after_ms, Some(9_999));
        let (field, message) = err(&slow(10_000));
        assert_eq!(field, "degraded_after_ms");
        assert!(message.contains("1 to 9999"), "{message}");
        let tcp = CheckInput {
            kind: Some("tcp".into()),
            ..Default::default()
        };
        assert_eq!(err(&tcp).0, "target");
    }

    #[test]
    fn a_tcp_target_needs_a_port() {
        let tcp = |t: &str| CheckInput {
            kind: Some("tcp".into()),
            target: Some(t.into()),
            ..Default::default()
        };
        for bad in [
            "db.example.com",
            "db.example.com:",
            "db.example.com:0",
            "db.example.com:70000",
            ":5432",
            "::1:5432",
            "bad host:80",
        ] {
            assert_eq!(err(&tcp(bad)).0, "target", "{bad:?}");
        }
        for (good, stored) in [
            ("db.example.com:5432", "db.example.com:5432"),
            ("[::1]:6379", "[::1]:6379"),
            (" 127.0.0.1:80 ", "127.0.0.1:80"),
        ] {
            let s = tcp(good).apply(&CheckSpec::default()).unwrap();
            assert_eq!(s.target.as_deref(), Some(stored));
        }
    }

    #[test]
    fn intervals_timeouts_and_retries_are_bounded() {
        let with = |f: &dyn Fn(&mut CheckInput)| {
            let mut i = http("https://example.com/");
            f(&mut i);
            i
        };
        assert_eq!(err(&with(&|i| i.interval = Some(9))).0, "interval");
        assert_eq!(err(&with(&|i| i.timeout = Some(0))).0, "timeout");
        assert_eq!(err(&with(&|i| i.timeout = Some(61))).0, "timeout");
        assert_eq!(
            err(&with(&|i| {
                i.interval = Some(10);
                i.timeout = Some(20);
            }))
            .0,
            "timeout"
        );
        assert_eq!(err(&with(&|i| i.retries = Some(11))).0, "retries");
        assert_eq!(
            err(&with(&|i| i.degraded_after_ms = Some(10_000))).0,
            "degraded_after_ms"
        );
        let ok = with(&|i| {
            i.interval = Some(10);
            i.timeout = Some(5);
            i.retries = Some(2);
            i.degraded_after_ms = Some(800);
        })
        .apply(&CheckSpec::default())
        .unwrap();
        assert_eq!(
            (ok.interval, ok.timeout, ok.retries, ok.degraded_after_ms),
            (10, 5, 2, Some(800))
        );
    }

    #[test]
    fn a_field_of_another_type_is_refused_by_name() {
        let (field, message) = err(&CheckInput {
            kind: Some("tcp".into()),
            target: Some("db:5432".into()),
            url: Some("https://example.com/".into()),
            ..Default::default()
        });
        assert_eq!(field, "url");
        assert!(
            message.contains("only for http") && message.contains("tcp"),
            "{message}"
        );
        assert_eq!(
            err(&CheckInput {
                interval: Some(30),
                ..Default::default()
            })
            .0,
            "interval"
        );
        assert_eq!(
            err(&CheckInput {
                kind: Some("ping".into()),
                ..Default::default()
            })
            .0,
            "type"
        );
    }

    #[test]
    fn changing_type_drops_what_the_old_type_used() {
        let stored = http("https://example.com/").apply(&CheckSpec::default()).unwrap();
        let now_tcp = CheckInput {
            kind: Some("tcp".into()),
            target: Some("example.com:443".into()),
            ..Default::default()
        }
        .apply(&stored)
        .unwrap();
        assert_eq!(
            (now_tcp.url.as_deref(), now_tcp.target.as_deref()),
            (None, Some("example.com:443"))
        );
        let manual = CheckInput {
            kind: Some("manual".into()),
            ..Default::default()
        }
        .apply(&now_tcp)
        .unwrap();
        assert_eq!(manual, CheckSpec::default());
        // A change that leaves out the type keeps it, and what it needs.
        let patched = CheckInput {
            interval: Some(30),
            ..Default::default()
        }
        .apply(&stored)
        .unwrap();
        assert_eq!(
            (patched.kind, patched.interval, patched.url),
            (CheckType::Http, 30, stored.url)
        );
    }
}
