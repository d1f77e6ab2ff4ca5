//! Who is asking, and from which site: the client address every per-client limit keys on
//! (the TCP peer, or what a trusted proxy says it forwarded for), and the origin that
//! state-changing dashboard requests must come from.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use ipnet::IpNet;

use super::AppState;
use crate::error::AppError;

/// Parses `LULL_TRUSTED_PROXIES`: comma-separated CIDRs (`10.0.0.0/8, ::1/128`); a bare
/// address means just that address.
pub fn parse_proxies(value: &str) -> anyhow::Result<Vec<IpNet>> {
    value
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<IpNet>()
                .or_else(|_| v.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    anyhow::anyhow!(
                        "LULL_TRUSTED_PROXIES: '{v}' is not an address range like 10.0.0.0/8 or 2001:db8::/32"
                    )
                })
        })
        .collect()
}

/// The client of a request: the TCP peer, unless the peer is a trusted proxy; then the
/// right-most address in `Forwarded` (or, without it, `X-Forwarded-For`) that is not a
/// trusted proxy itself. Addresses further left were written by the client and are
/// ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The key of per-client limits: the address, or its /64 for IPv6 (one subscriber
    /// line or host usually has a whole /64).
    pub fn key(&self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        }
    }

    pub fn of(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> Self {
        let peer = peer.to_canonical();
        let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
        if !is_trusted(&peer) {
            return Self(peer);
        }
        let hops = forwarded_for(headers);
        let mut client = peer;
        for hop in hops.iter().rev() {
            match hop {
                Some(ip) if is_trusted(ip) => client = *ip,
                Some(ip) => return Self(*ip),
                // `unknown` or an obfuscated name: nothing further left can be trusted.
                None => break,
            }
        }
        Self(client)
    }
}

/// The addresses a request passed through, left (client) to right (nearest proxy), from
/// `Forwarded: for=…` or else `X-Forwarded-For`; `None` for an entry that is no address.
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let forwarded = values(header::FORWARDED);
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.trim().split_once('='))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, v)| parse_node(v.trim().trim_matches('"')))
            })
            .collect();
    }
    values(header::HeaderName::from_static("x-forwarded-for"))
        .iter()
        .map(|v| parse_node(v))
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1` or `[2001:db8::1]:4711`.
fn parse_node(v: &str) -> Option<IpAddr> {
    v.parse::<IpAddr>()
        .ok()
        .or_else(|| v.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| v.strip_prefix('[')?.strip_suffix(']')?.parse().ok())
        .map(|ip| ip.to_canonical())
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no peer address on the request")))?;
        Ok(Self::of(peer, &parts.headers, &state.trusted_proxies))
    }
}

/// `scheme://host[:port]` of a URL, lower-cased, without a default port: what browsers
/// send as `Origin` for pages from it.
pub fn origin_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("").to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => ":443",
        "http" => ":80",
        _ => "",
    };
    let host_port = host_port
        .strip_suffix(default_port)
        .filter(|_| !default_port.is_empty())
        .unwrap_or(&host_port);
    format!("{scheme}://{host_port}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let proxies = parse_proxies("10.0.0.0/8, 127.0.0.1").unwrap();
        let xff = headers(&[("x-forwarded-for", "203.0.113.9, 198.51.100.7, 10.1.2.3")]);
        // From a trusted proxy: the right-most address that is not a proxy; the left-most
        // one was written by the client and is ignored.
        assert_eq!(ClientAddr::of(ip("127.0.0.1"), &xff, &proxies).0, ip("198.51.100.7"));
        // From anyone else the header means nothing.
        assert_eq!(ClientAddr::of(ip("127.0.0.2"), &xff, &proxies).0, ip("127.0.0.2"));
        // No proxies configured (the default): never read.
        assert_eq!(ClientAddr::of(ip("127.0.0.1"), &xff, &[]).0, ip("127.0.0.1"));
        // Forwarded wins over X-Forwarded-For, with ports, brackets and quotes.
        let fwd = headers(&[
            ("forwarded", "for=192.0.2.60;proto=https, for=\"[2001:db8::1]:4711\""),
            ("x-forwarded-for", "198.51.100.7"),
        ]);
        assert_eq!(ClientAddr::of(ip("10.0.0.1"), &fwd, &proxies).0, ip("2001:db8::1"));
        // Only proxies in the chain: the farthest one.
        let all = headers(&[("x-forwarded-for", "10.9.9.9, 10.1.1.1")]);
        assert_eq!(ClientAddr::of(ip("10.0.0.1"), &all, &proxies).0, ip("10.9.9.9"));
        // Something that is no address stops the walk at the proxy that wrote it.
        let junk = headers(&[("x-forwarded-for", "198.51.100.7, unknown")]);
        assert_eq!(ClientAddr::of(ip("10.0.0.1"), &junk, &proxies).0, ip("10.0.0.1"));
    }

    #[test]
    fn bad_proxy_ranges_are_named() {
        let err = parse_proxies("10.0.0.0/8,proxy.local").unwrap_err().to_string();
        assert!(
            err.contains("LULL_TRUSTED_PROXIES") && err.contains("proxy.local"),
            "{err}"
        );
        assert!(parse_proxies("10.0.0.0/33").is_err());
        assert!(parse_proxies("").unwrap().is_empty());
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        assert_eq!(ClientAddr(ip("2001:db8:1:2:3:4:5:6")).key(), "2001:db8:1:2::/64");
        assert_eq!(
            ClientAddr(ip("2001:db8:1:2:ffff::1")).key(),
            ClientAddr(ip("2001:db8:1:2::9")).key()
        );
        assert_eq!(ClientAddr(ip("192.0.2.1")).key(), "192.0.2.1");
    }

    #[test]
    fn origins_drop_paths_and_default_ports() {
        assert_eq!(origin_of("https://Status.Example.test/"), "https://status.example.test");
        assert_eq!(
            origin_of("https://status.example.test:443"),
            "https://status.example.test"
        );
        assert_eq!(origin_of("http://127.0.0.1:3000/x?y"), "http://127.0.0.1:3000");
    }
}
