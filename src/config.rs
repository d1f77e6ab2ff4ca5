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

/// The sender of notices: `LULL_SMTP_FROM` when given, else "SITE <noreply@HOST>" with
/// the host of `LULL_PUBLIC_URL`. That host must be a domain name: `noreply@127.0.0.1` is
/// not an address, and mail from an address literal or `localhost` is refused or binned
/// by most receivers, so without one the sender must be given.
pub fn sender(from: Option<&str>, site: &Site) -> anyhow::Result<lettre::message::Mailbox> {
    use lettre::Address;
    use lettre::message::Mailbox;
    if let Some(from) = from.map(str::trim).filter(|f| !f.is_empty()) {
        return from.parse().map_err(|e| {
            anyhow::anyhow!("LULL_SMTP_FROM '{from}' is not an address like \"Status <status@example.com>\": {e}")
        });
    }
    let host = public_host(&site.public_url).ok_or_else(|| {
        anyhow::anyhow!(
            "email is configured (LULL_SMTP_URL) but LULL_SMTP_FROM is not set, and LULL_PUBLIC_URL ({}) has no domain name \
             to send from: set LULL_SMTP_FROM, e.g. LULL_SMTP_FROM=\"Status <status@example.com>\", \
             or LULL_PUBLIC_URL to the status page's public address",
            site.public_url
        )
    })?;
    let address = Address::new("noreply", host)
        .map_err(|e| anyhow::anyhow!("noreply@{host} is not an address: {e}; set LULL_SMTP_FROM"))?;
    let name = site.name.trim();
    Ok(Mailbox::new((!name.is_empty()).then(|| name.to_string()), address))
}

/// The domain name of a public URL; `None` for an IP address, a name without a dot
/// (`localhost`) or anything that is not a host name.
fn public_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    if host_port.starts_with('[') {
        return None; // an IPv6 literal
    }
    let host = host_port.split(':').next()?.trim_end_matches('.');
    let labels_ok = host.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    });
    let is_ip = host.parse::<std::net::Ipv4Addr>().is_ok();
    // The last label of a real domain is not all digits.
    let tld_ok = host
        .rsplit('.')
        .next()
        .is_some_and(|t| !t.chars().all(|c| c.is_ascii_digit()));
    (host.contains('.') && labels_ok && !is_ip && tld_ok).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::Site;

    fn site(url: &str) -> Site {
        Site::new("Acme Status", None, "#123456", url).unwrap()
    }

    #[test]
    fn the_default_sender_uses_the_public_domain_and_never_an_ip() {
        let from = super::sender(None, &site("https://status.acme.test:8443/x")).unwrap();
        assert_eq!(from.name.as_deref(), Some("Acme Status"));
        assert_eq!(from.email.to_string(), "noreply@status.acme.test");
        for url in [
            "http://127.0.0.1:3000",
            "http://[::1]:3000",
            "http://localhost:3000",
            "http://10.0.0.7",
        ] {
            let err = super::sender(None, &site(url)).unwrap_err().to_string();
            assert!(err.contains("LULL_SMTP_FROM") && err.contains(url), "{url}: {err}");
        }
        // Given explicitly, the sender is used as it is, even with an IP-only page.
        let given = super::sender(Some("Ops <ops@acme.test>"), &site("http://127.0.0.1:3000")).unwrap();
        assert_eq!(given.email.to_string(), "ops@acme.test");
        let bad = super::sender(Some("not an address"), &site("https://status.acme.test")).unwrap_err();
        assert!(bad.to_string().contains("LULL_SMTP_FROM"), "{bad}");
    }

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
