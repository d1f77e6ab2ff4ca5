//! Prometheus metrics (`/metrics`): what this process measures as it works (HTTP requests,
//! check latencies), kept here, and the text exposition format (version 0.0.4) that
//! `/metrics` writes them in, with what is read from the snapshot and the database at
//! scrape time. Written by hand: a few families, each with HELP and TYPE, in the format
//! `promtool check metrics` reads.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// Bounds of the request duration buckets, in seconds.
pub const HTTP_BUCKETS: &[f64] = &[0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// Bounds of the check latency buckets, in seconds.
pub const CHECK_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];
/// Bounds of the window adherence buckets (actual minus scheduled end), in seconds:
/// early completions are negative.
pub const ADHERENCE_BUCKETS: &[f64] = &[
    -7200.0, -3600.0, -1800.0, -600.0, -300.0, -60.0, 0.0, 60.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0,
];

/// A histogram: per bucket the observations at or below its bound (cumulative when
/// written), their sum and count.
#[derive(Debug, Clone)]
pub struct Histogram {
    pub bounds: &'static [f64],
    /// Observations in each bucket alone (not cumulative), one more for +Inf.
    pub counts: Vec<u64>,
    pub sum: f64,
    pub count: u64,
}

impl Histogram {
    pub fn new(bounds: &'static [f64]) -> Self {
        Self {
            bounds,
            counts: vec![0; bounds.len() + 1],
            sum: 0.0,
            count: 0,
        }
    }

    pub fn observe(&mut self, value: f64) {
        let i = self
            .bounds
            .iter()
            .position(|b| value <= *b)
            .unwrap_or(self.bounds.len());
        self.counts[i] += 1;
        self.sum += value;
        self.count += 1;
    }
}

/// What this process measured since it started.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Route pattern → its requests. One lock and no allocation per request once a route
    /// was seen (the front page is answered thousands of times a second).
    routes: Mutex<HashMap<String, RouteStats>>,
    /// Monitor id → check latencies.
    checks: Mutex<BTreeMap<i64, Histogram>>,
    /// Maintenance windows that ended a while ago, counted once (`service::metrics`).
    pub ended: tokio::sync::Mutex<Option<EndedSoFar>>,
}

/// The windows that ended by `upto`: they no longer change, so a scrape reads only the
/// ones that ended since, not the whole history.
#[derive(Debug, Clone)]
pub struct EndedSoFar {
    pub upto: DateTime<Utc>,
    /// When they were last read in full (again each hour: windows of deleted plans drop out).
    pub read_at: DateTime<Utc>,
    pub tally: crate::store::events::Ended,
}

#[derive(Debug, Default, Clone)]
struct RouteStats {
    /// (method, status code) → requests.
    counts: HashMap<(&'static str, u16), u64>,
    /// Method → durations.
    durations: HashMap<&'static str, Histogram>,
}

impl Metrics {
    /// One HTTP request, by its route's pattern (`/api/v1/events/{id}`, never the path a
    /// client made up: the label set stays small) and method ([`method_label`]).
    pub fn request(&self, method: &'static str, route: &str, status: u16, took: Duration) {
        let Ok(mut routes) = self.routes.lock() else { return };
        let stats = match routes.get_mut(route) {
            Some(stats) => stats,
            None => routes.entry(route.to_string()).or_default(),
        };
        *stats.counts.entry((method, status)).or_default() += 1;
        stats
            .durations
            .entry(method)
            .or_insert_with(|| Histogram::new(HTTP_BUCKETS))
            .observe(took.as_secs_f64());
    }

    /// One check of monitor `id` that took `took`.
    pub fn check(&self, id: i64, took: Duration) {
        if let Ok(mut c) = self.checks.lock() {
            c.entry(id)
                .or_insert_with(|| Histogram::new(CHECK_BUCKETS))
                .observe(took.as_secs_f64());
        }
    }

    /// Forgets the checks of monitors not in `live` (deleted, or no longer checked).
    pub fn retain_checks(&self, live: impl Fn(i64) -> bool) {
        if let Ok(mut c) = self.checks.lock() {
            c.retain(|id, _| live(*id));
        }
    }

    /// (method, route, status code) → requests, in order.
    pub fn requests(&self) -> BTreeMap<(&'static str, String, u16), u64> {
        let Ok(routes) = self.routes.lock() else {
            return BTreeMap::new();
        };
        routes
            .iter()
            .flat_map(|(route, s)| {
                s.counts
                    .iter()
                    .map(move |((m, code), n)| ((*m, route.clone(), *code), *n))
            })
            .collect()
    }

    /// (method, route) → durations, in order.
    pub fn durations(&self) -> BTreeMap<(&'static str, String), Histogram> {
        let Ok(routes) = self.routes.lock() else {
            return BTreeMap::new();
        };
        routes
            .iter()
            .flat_map(|(route, s)| s.durations.iter().map(move |(m, h)| ((*m, route.clone()), h.clone())))
            .collect()
    }

    pub fn checks(&self) -> BTreeMap<i64, Histogram> {
        self.checks.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

/// A request's method as a label: the standard ones, and `other` for the rest (a client
/// can send any token as a method; labels must stay few).
pub fn method_label(m: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The text exposition format, one family at a time.
#[derive(Default)]
pub struct Exposition(String);

/// Label pairs of one sample.
pub type Labels<'a> = &'a [(&'a str, &'a str)];

impl Exposition {
    pub fn family(&mut self, name: &str, kind: &str, help: &str) {
        writeln!(
            self.0,
            "# HELP {name} {}",
            help.replace('\\', "\\\\").replace('\n', "\\n")
        )
        .ok();
        writeln!(self.0, "# TYPE {name} {kind}").ok();
    }

    pub fn sample(&mut self, name: &str, labels: Labels<'_>, value: f64) {
        self.0.push_str(name);
        write_labels(&mut self.0, labels, None);
        writeln!(self.0, " {}", number(value)).ok();
    }

    /// A histogram's buckets (cumulative), sum and count.
    pub fn histogram(&mut self, name: &str, labels: Labels<'_>, h: &Histogram) {
        let mut cumulative = 0;
        for (i, count) in h.counts.iter().enumerate() {
            cumulative += count;
            let le = h.bounds.get(i).map_or_else(|| "+Inf".to_string(), |b| number(*b));
            write!(self.0, "{name}_bucket").ok();
            write_labels(&mut self.0, labels, Some(&le));
            writeln!(self.0, " {cumulative}").ok();
        }
        self.sample(&format!("{name}_sum"), labels, h.sum);
        self.sample(&format!("{name}_count"), labels, h.count as f64);
    }

    pub fn finish(self) -> String {
        self.0
    }
}

fn write_labels(out: &mut String, labels: Labels<'_>, le: Option<&str>) {
    if labels.is_empty() && le.is_none() {
        return;
    }
    out.push('{');
    let mut first = true;
    for (k, v) in labels.iter().copied().chain(le.map(|le| ("le", le))) {
        if !first {
            out.push(',');
        }
        first = false;
        write!(
            out,
            "{k}=\"{}\"",
            v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
        )
        .ok();
    }
    out.push('}');
}

/// A sample value: whole numbers without a fraction, others as Rust writes them.
fn number(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_is_written_cumulative_with_inf_sum_and_count() {
        let mut h = Histogram::new(&[0.1, 1.0]);
        for v in [0.05, 0.1, 0.5, 3.0] {
            h.observe(v);
        }
        let mut out = Exposition::default();
        out.histogram("x_seconds", &[("monitor", "a\"b")], &h);
        assert_eq!(
            out.finish(),
            "x_seconds_bucket{monitor=\"a\\\"b\",le=\"0.1\"} 2\n\
             x_seconds_bucket{monitor=\"a\\\"b\",le=\"1\"} 3\n\
             x_seconds_bucket{monitor=\"a\\\"b\",le=\"+Inf\"} 4\n\
             x_seconds_sum{monitor=\"a\\\"b\"} 3.65\n\
             x_seconds_count{monitor=\"a\\\"b\"} 4\n"
        );
    }
}
