//! Label matchers for Alertmanager silences, written as a template in Prometheus' own
//! syntax: `service="{slug}"`, `service=~"{slug}|{slug}-.*",env="prod"`. `{slug}` and
//! `{name}` stand for the monitor's; everything else is literal.

use serde::{Deserialize, Serialize};

/// The default template (`LULL_ALERTMANAGER_MATCHER`).
pub const DEFAULT: &str = "service=\"{slug}\"";
const TEMPLATE_MAX: usize = 500;

/// One matcher of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatcherTemplate {
    pub name: String,
    pub is_equal: bool,
    pub is_regex: bool,
    /// The value, with `{slug}` and `{name}` still in it.
    pub value: String,
}

/// A matcher as Alertmanager's API takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Matcher {
    pub name: String,
    pub value: String,
    pub is_regex: bool,
    pub is_equal: bool,
}

/// A parsed template: at least one matcher, and at least one that cannot match an empty
/// label (Alertmanager refuses a silence that would match every alert).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template(pub Vec<MatcherTemplate>);

impl Template {
    /// Parses `label<op>"value"` matchers separated by commas (`op`: `=`, `!=`, `=~`,
    /// `!~`); the error says what is wrong, in words.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("is empty; write matchers like service=\"{slug}\"".into());
        }
        if text.chars().count() > TEMPLATE_MAX {
            return Err(format!("is longer than {TEMPLATE_MAX} characters"));
        }
        let mut out = Vec::new();
        let mut rest = text.trim_start_matches('{').trim_end_matches('}').trim();
        while !rest.is_empty() {
            let name_len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let name = &rest[..name_len];
            if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
                return Err(format!(
                    "'{}' does not start with a label name (like service=\"{{slug}}\")",
                    first_part(rest)
                ));
            }
            rest = rest[name_len..].trim_start();
            let (is_equal, is_regex, op_len) = if rest.starts_with("=~") {
                (true, true, 2)
            } else if rest.starts_with("!~") {
                (false, true, 2)
            } else if rest.starts_with("!=") {
                (false, false, 2)
            } else if rest.starts_with('=') {
                (true, false, 1)
            } else {
                return Err(format!("'{name}' is not followed by =, !=, =~ or !~"));
            };
            rest = rest[op_len..].trim_start();
            let Some(quoted) = rest.strip_prefix('"') else {
                return Err(format!(
                    "the value of '{name}' must be in double quotes, like {name}=\"{{slug}}\""
                ));
            };
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some((_, n)) => value.push(n),
                        None => break,
                    },
                    '"' => {
                        end = Some(i);
                        break;
                    }
                    c => value.push(c),
                }
            }
            let Some(end) = end else {
                return Err(format!("the value of '{name}' has no closing quote"));
            };
            out.push(MatcherTemplate {
                name: name.to_string(),
                is_equal,
                is_regex,
                value,
            });
            rest = quoted[end + 1..].trim_start();
            if let Some(after) = rest.strip_prefix(',') {
                rest = after.trim_start();
            } else if !rest.is_empty() {
                return Err(format!("expected a comma before '{}'", first_part(rest)));
            }
        }
        if !out.iter().any(|m| m.is_equal && !m.value.is_empty()) {
            return Err("needs at least one = or =~ matcher with a value (Alertmanager refuses a silence that matches every alert)".into());
        }
        Ok(Self(out))
    }

    /// The matchers for one monitor.
    pub fn render(&self, slug: &str, name: &str) -> Vec<Matcher> {
        self.0
            .iter()
            .map(|m| Matcher {
                name: m.name.clone(),
                value: m.value.replace("{slug}", slug).replace("{name}", name),
                is_regex: m.is_regex,
                is_equal: m.is_equal,
            })
            .collect()
    }
}

fn first_part(s: &str) -> &str {
    let end = s.char_indices().nth(20).map_or(s.len(), |(i, _)| i);
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(name: &str, value: &str, is_equal: bool, is_regex: bool) -> Matcher {
        Matcher {
            name: name.into(),
            value: value.into(),
            is_regex,
            is_equal,
        }
    }

    #[test]
    fn templates_render_a_monitors_slug_and_name_into_each_matcher() {
        let t = Template::parse(DEFAULT).unwrap();
        assert_eq!(t.render("api", "API"), [m("service", "api", true, false)]);
        let t = Template::parse(r#"{ service=~"{slug}|{slug}-.*", env != "staging", team!~"x\"y", title="{name}" }"#)
            .unwrap();
        assert_eq!(
            t.render("db", "Main DB"),
            [
                m("service", "db|db-.*", true, true),
                m("env", "staging", false, false),
                m("team", "x\"y", false, true),
                m("title", "Main DB", true, false),
            ]
        );
    }

    #[test]
    fn a_bad_template_says_what_is_wrong() {
        for (text, says) in [
            ("", "is empty"),
            ("service={slug}", "double quotes"),
            ("service=\"{slug}", "no closing quote"),
            ("service", "not followed by"),
            ("1abc=\"x\"", "label name"),
            ("service=\"a\" env=\"b\"", "expected a comma"),
            ("env!=\"prod\"", "at least one = or =~"),
            ("service=\"\"", "at least one = or =~"),
        ] {
            let err = Template::parse(text).unwrap_err();
            assert!(err.contains(says), "{text:?}: {err}");
        }
        assert!(Template::parse(&format!("a=\"{}\"", "x".repeat(500))).is_err());
    }
}
