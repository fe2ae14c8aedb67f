//! Where a request came from and how the client reached us: the root every absolute link is
//! built on (OGC API links, TileJSON `tiles`, GPX links, the OpenAPI `servers`) and the client
//! address the sign-in throttle counts. `--public-url` fixes the root; otherwise the `Host`
//! the client sent is used (only if it is a plain host name). `X-Forwarded-Proto`,
//! `X-Forwarded-Host` and `X-Forwarded-For` are believed only from the proxies that
//! `--trust-proxy` names: from anyone else they are ignored, so a client cannot forge links or
//! dodge the throttle.

use super::{ApiError, ServeOptions, Shared};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `https://host[:port][/prefix]`, without a trailing slash.
    pub root: String,
    /// The client's address: the TCP peer, or what a trusted proxy says it forwarded.
    pub client: IpAddr,
}

impl Origin {
    /// The OGC API's root.
    pub fn ogc(&self) -> String {
        format!("{}/ogc", self.root)
    }

    pub fn of(options: &ServeOptions, headers: &HeaderMap, peer: IpAddr) -> Self {
        let trusted = options.trusted_proxies.contains(&peer);
        let forwarded = |name: &str| trusted.then(|| headers.get(name)?.to_str().ok()).flatten();
        // The proxy appends the address it saw: the last entry is the one it vouches for.
        let client = forwarded("x-forwarded-for")
            .and_then(|v| v.rsplit(',').next())
            .and_then(|a| a.trim().parse().ok())
            .unwrap_or(peer);
        let root = match &options.public_url {
            Some(url) => url.clone(),
            None => {
                let scheme = match forwarded("x-forwarded-proto").map(str::trim) {
                    Some(p @ ("http" | "https")) => p,
                    _ if options.tls => "https",
                    _ => "http",
                };
                let host = forwarded("x-forwarded-host")
                    .and_then(|h| h.split(',').next())
                    .or_else(|| headers.get(header::HOST)?.to_str().ok())
                    .map(str::trim)
                    .filter(|h| plain_host(h))
                    .map_or_else(|| options.listen.to_string(), str::to_string);
                format!("{scheme}://{host}")
            }
        };
        Self { root, client }
    }
}

/// A host name or address with an optional port, nothing a link could be bent with.
fn plain_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
}

impl FromRequestParts<Shared> for Origin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, ApiError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        Ok(Origin::of(&state.options, &parts.headers, peer))
    }
}

/// Checks a `--public-url`: an absolute http(s) URL with a host, kept without a trailing `/`.
pub fn parse_public_url(text: &str) -> Result<String, String> {
    let t = text.trim().trim_end_matches('/');
    let rest = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .ok_or_else(|| format!("{text:?} must start with https:// or http://"))?;
    let host = rest.split('/').next().unwrap_or_default();
    if !plain_host(host) || rest.contains(['?', '#', ' ']) {
        return Err(format!("{text:?} has no plain host name"));
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(public: Option<&str>, proxies: &[IpAddr]) -> ServeOptions {
        let mut o = ServeOptions::new("127.0.0.1:8080".parse().unwrap());
        o.public_url = public.map(str::to_string);
        o.trusted_proxies = proxies.to_vec();
        o
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn forwarded_headers_count_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let stranger: IpAddr = "10.0.0.9".parse().unwrap();
        let h = headers(&[
            ("host", "10.0.0.2:8080"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "patrol.district.gov.cn"),
            ("x-forwarded-for", "6.6.6.6, 192.168.1.23"),
        ]);
        let via_proxy = Origin::of(&options(None, &[proxy]), &h, proxy);
        assert_eq!(via_proxy.root, "https://patrol.district.gov.cn");
        assert_eq!(via_proxy.client, "192.168.1.23".parse::<IpAddr>().unwrap());
        let direct = Origin::of(&options(None, &[proxy]), &h, stranger);
        assert_eq!(direct.root, "http://10.0.0.2:8080");
        assert_eq!(direct.client, stranger);
    }

    #[test]
    fn the_public_url_wins_and_odd_hosts_are_not_echoed() {
        let h = headers(&[("host", "evil.example")]);
        let o = Origin::of(
            &options(Some("https://patrol.example/gis"), &[]),
            &h,
            IpAddr::from([127, 0, 0, 1]),
        );
        assert_eq!(o.ogc(), "https://patrol.example/gis/ogc");
        let h = headers(&[("host", "a\"b<script>")]);
        let o = Origin::of(&options(None, &[]), &h, IpAddr::from([127, 0, 0, 1]));
        assert_eq!(o.root, "http://127.0.0.1:8080");
        assert_eq!(
            parse_public_url("https://x.example/").unwrap(),
            "https://x.example"
        );
        assert!(parse_public_url("ftp://x").is_err());
        assert!(parse_public_url("https://x.example/?a=b").is_err());
    }
}
