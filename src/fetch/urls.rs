//! URL rules for third-party links: canonical form for de-duplication, and which links may be followed.

use std::net::{IpAddr, Ipv4Addr};

use url::Url;

/// Query parameters that only track a click and never change what a page says.
fn is_tracking_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("utm_")
        || n.starts_with("at_")
        || n.starts_with("pk_")
        || matches!(
            n.as_str(),
            "fbclid"
                | "gclid"
                | "dclid"
                | "msclkid"
                | "mc_cid"
                | "mc_eid"
                | "igshid"
                | "ref"
                | "ref_src"
                | "cmpid"
                | "xtor"
                | "_ga"
                | "ito"
                | "s_cid"
                | "ncid"
                | "ocid"
                | "rss"
                | "source"
                | "referrer"
                | "share"
                | "amp"
        )
}

/// The key two links to the same article share: no scheme, no `www.`/`m.`, no fragment, no tracking
/// parameters, sorted query, no trailing slash. `https://www.smp.se/a/?utm_source=x#top` → `smp.se/a`.
pub fn canonical_key(url: &Url) -> String {
    let host = url.host_str().unwrap_or("").trim_end_matches('.').to_ascii_lowercase();
    let host = host
        .strip_prefix("www.")
        .or_else(|| host.strip_prefix("m."))
        .or_else(|| host.strip_prefix("amp."))
        .unwrap_or(&host)
        .to_string();
    let mut key = host;
    if let Some(port) = url.port() {
        key.push_str(&format!(":{port}"));
    }
    let path = url.path().trim_end_matches('/');
    let path = path.strip_suffix("/amp").unwrap_or(path);
    key.push_str(path);
    let mut params: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking_param(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if !params.is_empty() {
        params.sort();
        let q: Vec<String> =
            params.iter().map(|(k, v)| if v.is_empty() { k.clone() } else { format!("{k}={v}") }).collect();
        key.push('?');
        key.push_str(&q.join("&"));
    }
    key
}

/// Why a link from a feed is not followed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkRefused {
    #[error("only http and https links are followed, not {0}:")]
    Scheme(String),
    #[error("link has no host")]
    NoHost,
    #[error("link points at a private, loopback or link-local address ({0}) on another host than its feed")]
    PrivateAddress(IpAddr),
}

/// A link is followed when it is http(s) and, if it points into a private network, only when the
/// feed itself came from that same host: a feed must not make us probe the municipal LAN.
pub async fn check_link(link: &Url, feed: &Url) -> Result<(), LinkRefused> {
    if !matches!(link.scheme(), "http" | "https") {
        return Err(LinkRefused::Scheme(link.scheme().to_string()));
    }
    let host = link.host_str().ok_or(LinkRefused::NoHost)?;
    if Some(host) == feed.host_str() {
        return Ok(());
    }
    let port = link.port_or_known_default().unwrap_or(80);
    let addrs: Vec<IpAddr> = match link.host() {
        Some(url::Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
        Some(url::Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
        _ => match tokio::net::lookup_host((host, port)).await {
            Ok(a) => a.map(|s| s.ip()).collect(),
            // An unresolvable name fails at fetch time with a clearer message.
            Err(_) => Vec::new(),
        },
    };
    match addrs.into_iter().find(|ip| !is_public(ip)) {
        Some(ip) => Err(LinkRefused::PrivateAddress(ip)),
        None => Ok(()),
    }
}

/// Literal-address check for redirects, where no DNS lookup is possible inside reqwest's policy.
pub fn is_private_literal(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => !is_public(&IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => !is_public(&IpAddr::V6(ip)),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost"),
        None => false,
    }
}

pub(crate) fn is_public(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(&v4),
            None => {
                let seg0 = v6.segments()[0];
                !(v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || (seg0 & 0xfe00) == 0xfc00 // unique local
                    || (seg0 & 0xffc0) == 0xfe80) // link-local
            }
        },
    }
}

fn is_public_v4(ip: &Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64)) // carrier-grade NAT
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        canonical_key(&Url::parse(s).unwrap())
    }

    #[test]
    fn variants_of_one_article_share_a_key() {
        let a = key("https://www.smp.se/nyheter/araby-bibliotek/?utm_source=rss&utm_medium=feed#kommentarer");
        assert_eq!(a, "smp.se/nyheter/araby-bibliotek");
        assert_eq!(key("http://m.smp.se/nyheter/araby-bibliotek"), a);
        assert_eq!(key("https://smp.se/nyheter/araby-bibliotek/amp"), a);
    }

    #[test]
    fn meaningful_params_are_kept_and_sorted() {
        assert_eq!(key("https://x.se/a?b=2&a=1&fbclid=zz"), "x.se/a?a=1&b=2");
        assert_ne!(key("https://x.se/a?id=1"), key("https://x.se/a?id=2"));
    }

    #[tokio::test]
    async fn private_links_need_the_feeds_host() {
        let feed = Url::parse("http://127.0.0.1:8000/feed.xml").unwrap();
        let same = Url::parse("http://127.0.0.1:8000/a").unwrap();
        assert!(check_link(&same, &feed).await.is_ok());
        let meta = Url::parse("http://169.254.169.254/latest/meta-data").unwrap();
        assert!(matches!(check_link(&meta, &feed).await, Err(LinkRefused::PrivateAddress(_))));
        let lan = Url::parse("http://192.168.1.1/").unwrap();
        let public_feed = Url::parse("https://www.svt.se/rss.xml").unwrap();
        assert!(check_link(&lan, &public_feed).await.is_err());
        let js = Url::parse("javascript:alert(1)").unwrap();
        assert_eq!(check_link(&js, &feed).await, Err(LinkRefused::Scheme("javascript".into())));
    }
}
