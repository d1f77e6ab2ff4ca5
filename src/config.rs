//! Settings of the public site, from the environment (see `lull serve --help`).

/// How the status page presents itself.
#[derive(Debug, Clone)]
pub struct Site {
    /// Shown in the header, the title and link previews.
    pub name: String,
    /// An image shown instead of the name in the header.
    pub logo_url: Option<String>,
    /// `#rrggbb`, used for links and the header rule.
    pub accent: String,
    /// Base of absolute links (Open Graph, emails), without a trailing slash.
    pub public_url: String,
}

impl Default for Site {
    fn default() -> Self {
        Self {
            name: "Status".into(),
            logo_url: None,
            accent: "#0969da".into(),
            public_url: "http://127.0.0.1:3000".into(),
        }
    }
}

impl Site {
    /// Validates what came from the environment.
    pub fn new(name: &str, logo_url: Option<&str>, accent: &str, public_url: &str) -> anyhow::Result<Self> {
        let accent = accent.trim();
        let hex = accent.strip_prefix('#').unwrap_or("");
        if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            anyhow::bail!("LULL_ACCENT_COLOR must look like #0969da (got '{accent}')");
        }
        let public_url = public_url.trim().trim_end_matches('/');
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            anyhow::bail!("LULL_PUBLIC_URL must start with http:// or https:// (got '{public_url}')");
        }
        let logo_url = logo_url.map(str::trim).filter(|u| !u.is_empty());
        if let Some(u) = logo_url
            && !(u.starts_with("https://") || u.starts_with("http://") || u.starts_with('/'))
        {
            anyhow::bail!("LULL_LOGO_URL must be an http(s) URL or a path (got '{u}')");
        }
        Ok(Self {
            name: name.trim().chars().take(100).collect(),
            logo_url: logo_url.map(str::to_string),
            accent: accent.to_ascii_lowercase(),
            public_url: public_url.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Site;

    #[test]
    fn site_settings_are_checked() {
        assert!(Site::new("Acme", None, "#12ab9F", "https://status.acme.test/").is_ok());
        assert!(Site::new("Acme", None, "red; } body { x", "https://a").is_err());
        assert!(Site::new("Acme", Some("javascript:alert(1)"), "#123456", "https://a").is_err());
        assert!(Site::new("Acme", None, "#123456", "status.acme.test").is_err());
        assert_eq!(
            Site::new("Acme", None, "#123456", "https://a/").unwrap().public_url,
            "https://a"
        );
    }
}

/// A setting that may hold a password (a database or SMTP URL, a token): usable as text,
/// shown as `***` by `Debug`, so it never reaches a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_string()))
    }
}

impl std::ops::Deref for Secret {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod secret_tests {
    #[test]
    fn secrets_do_not_debug_print() {
        let s: super::Secret = "postgres://u:pw@db/x".parse().unwrap();
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(&*s, "postgres://u:pw@db/x");
    }
}
