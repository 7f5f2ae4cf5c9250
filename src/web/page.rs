//! What every request and page shares: the request context (client address, language, whether
//! cookies must be Secure), the security headers, cookies, escaping, and the page frame.

use std::net::{IpAddr, SocketAddr};

use askama::Template;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::error::WebError;
use super::i18n::{Lang, Tr};
use super::AppState;
use crate::store::Principal;

/// Per-request facts, put into the request's extensions by `context`.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub ip: IpAddr,
    pub lang: Lang,
    /// The browser reached us over TLS (directly configured or said by the proxy).
    pub secure: bool,
}

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the security headers to every answer, errors and redirects included.
pub(crate) async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // A page may narrow what it needs (the mailed digest's inline styles); the default is strict.
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Searches in our URLs must not leak to the outlets when staff follow a link out.
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    res
}

/// Resolves the client address, language and TLS; `?lang=` also sets the language cookie.
pub(crate) async fn context(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let ip = client_ip(peer, req.headers());
    let secure = s.config.web.secure_cookies
        || req.headers().get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https");
    let asked = req.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "lang").and_then(|(_, v)| Lang::parse(&v))
    });
    let lang = asked
        .or_else(|| cookie(req.headers(), "tonlage_lang").and_then(|v| Lang::parse(&v)))
        .or_else(|| Lang::parse(&s.config.web.language))
        .unwrap_or(Lang::Sv);
    req.extensions_mut().insert(Ctx { ip, lang, secure });
    let mut res = next.run(req).await;
    if let Some(l) = asked {
        let c = set_cookie("tonlage_lang", l.code(), Some(365 * 24 * 3600), secure, false);
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// The peer, or behind a reverse proxy on this host or its container network the address the
/// proxy saw (the last X-Forwarded-For entry: the one the proxy appended, which a client cannot
/// forge). A public peer's header is ignored. At worst a spoofed header dodges the per-address
/// limit; the per-account limit still holds.
fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap) -> IpAddr {
    let peer = peer.unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let local = match peer {
        IpAddr::V4(a) => a.is_loopback() || a.is_private(),
        IpAddr::V6(a) => a.is_loopback() || (a.segments()[0] & 0xfe00) == 0xfc00,
    };
    if !local {
        return peer;
    }
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(peer)
}

pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

/// A `Set-Cookie` value; `max_age` of `Some(0)` deletes. Values are our own hex or language codes.
pub(crate) fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool, http_only: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie values are plain ASCII")
}

/// HTML text and attribute escaping, shared with the mailed digest.
pub(crate) fn escape(s: &str) -> String {
    crate::digest::escape_html(s)
}

/// Only http(s) links from feeds become links: `javascript:` and `data:` never reach an href.
pub(crate) fn safe_link(url: &str) -> Option<String> {
    let u = url::Url::parse(url.trim()).ok()?;
    matches!(u.scheme(), "http" | "https").then(|| u.to_string())
}

/// The frame around every page: language, navigation and the signed-in person.
pub(crate) struct Chrome {
    pub t: &'static Tr,
    pub lang: &'static str,
    pub title: String,
    pub nav: &'static str,
    pub user: String,
    pub role: &'static str,
    pub csrf: String,
    /// Shows the accounts page in the navigation.
    pub admin: bool,
    /// The current path and query without `lang=`, for the language switch.
    pub here: String,
}

impl Chrome {
    pub fn new(ctx: &Ctx, who: &Principal, nav: &'static str, title: impl Into<String>, here: &str) -> Chrome {
        Chrome {
            t: ctx.lang.tr(),
            lang: ctx.lang.code(),
            title: title.into(),
            nav,
            user: who.name.clone(),
            role: ctx.lang.tr().role(who.role),
            csrf: who.csrf.clone().unwrap_or_default(),
            admin: who.role == crate::store::Role::Admin,
            here: here.to_string(),
        }
    }

    /// `here` with `lang=code` set.
    pub fn lang_link(&self, code: &str) -> String {
        let (path, query) = self.here.split_once('?').unwrap_or((&self.here, ""));
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()).filter(|(k, _)| k != "lang") {
            ser.append_pair(&k, &v);
        }
        ser.append_pair("lang", code);
        format!("{path}?{}", ser.finish())
    }
}

pub(crate) fn render(t: &impl Template) -> Result<Response, WebError> {
    let body = t.render().map_err(|e| WebError::Internal(format!("template: {e}")))?;
    Ok(Html(body).into_response())
}

/// Constant-time comparison, so a CSRF token cannot be guessed byte by byte from timings.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_addresses() {
        assert_eq!(safe_link("javascript:alert(1)"), None);
        assert_eq!(safe_link(" JaVaScRiPt:alert(1)"), None);
        assert_eq!(safe_link("data:text/html,x"), None);
        assert_eq!(safe_link("https://www.smp.se/a?b=1").as_deref(), Some("https://www.smp.se/a?b=1"));
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("6.6.6.6, 10.0.0.7"));
        assert_eq!(client_ip(Some([127, 0, 0, 1].into()), &h), IpAddr::from([10, 0, 0, 7]));
        assert_eq!(client_ip(Some([172, 17, 0, 1].into()), &h), IpAddr::from([10, 0, 0, 7]), "a container network");
        assert_eq!(client_ip(Some([192, 0, 2, 1].into()), &h), IpAddr::from([192, 0, 2, 1]), "only a local proxy");
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; tonlage_lang=en"));
        assert_eq!(cookie(&h, "tonlage_lang").as_deref(), Some("en"));
        assert!(same_secret("abc", "abc") && !same_secret("abc", "abd") && !same_secret("abc", "ab"));
    }
}
