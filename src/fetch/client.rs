//! The HTTP client every feed and page request goes through: timeouts, a body cap, a redirect limit,
//! conditional GET, Retry-After, one honest User-Agent, a per-host gap and a global concurrency bound.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{HeaderMap, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER};
use reqwest::StatusCode;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use url::Url;

use super::urls;

#[derive(Debug, Clone)]
pub struct ClientSettings {
    pub user_agent: String,
    pub timeout: Duration,
    pub max_body_bytes: usize,
    pub max_redirects: usize,
    pub host_gap: Duration,
    pub concurrency: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("timed out after {secs} s fetching {url}")]
    Timeout { url: String, secs: u64 },
    #[error("HTTP {status} from {url}")]
    Status { url: String, status: u16, retry_after: Option<Duration> },
    #[error("body of {url} is larger than the {limit}-byte limit")]
    TooLarge { url: String, limit: usize },
    #[error("not following {url}: {reason}")]
    Refused { url: String, reason: String },
    #[error("cannot fetch {url}: {reason}")]
    Network { url: String, reason: String },
}

impl FetchError {
    /// What kind of failure this is, for pages that explain it in the reader's language.
    pub fn kind(&self) -> super::FailureKind {
        use super::FailureKind as K;
        match self {
            FetchError::Timeout { .. } => K::Timeout,
            FetchError::Status { status, .. } => K::Http(*status),
            FetchError::TooLarge { .. } => K::TooLarge,
            FetchError::Refused { .. } => K::Refused,
            FetchError::Network { .. } => K::Network,
        }
    }

    /// How long the server asked us to wait, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Validators from the last successful response, sent back for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

#[derive(Debug)]
pub struct Page {
    pub final_url: Url,
    pub content_type: Option<String>,
    pub validators: Validators,
    pub body: Vec<u8>,
}

#[derive(Debug)]
pub enum Fetched {
    NotModified,
    Page(Page),
}

/// Shared by all tasks; cheap to clone.
#[derive(Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    settings: Arc<ClientSettings>,
    gate: Arc<HostGate>,
    slots: Arc<Semaphore>,
}

impl HttpClient {
    pub fn new(settings: ClientSettings) -> Result<HttpClient, FetchError> {
        install_crypto_provider();
        let max_redirects = settings.max_redirects;
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > max_redirects {
                return attempt.error(format!("more than {max_redirects} redirects"));
            }
            let next = attempt.url().clone();
            if !matches!(next.scheme(), "http" | "https") {
                return attempt.error(format!("redirect to a {} URL", next.scheme()));
            }
            let first_host = attempt.previous().first().and_then(|u| u.host_str().map(String::from));
            if urls::is_private_literal(&next) && next.host_str().map(String::from) != first_host {
                return attempt.error("redirect into a private network");
            }
            attempt.follow()
        });
        let inner = reqwest::Client::builder()
            .user_agent(settings.user_agent.clone())
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .redirect(policy)
            .gzip(true)
            .brotli(true)
            .deflate(true)
            .build()
            .map_err(|e| FetchError::Network { url: String::new(), reason: e.to_string() })?;
        Ok(HttpClient {
            inner,
            gate: Arc::new(HostGate::new(settings.host_gap)),
            slots: Arc::new(Semaphore::new(settings.concurrency.max(1))),
            settings: Arc::new(settings),
        })
    }

    /// GET with the politeness gap, the concurrency bound and the body cap. A 304 is `NotModified`;
    /// any other non-2xx status is an error carrying Retry-After.
    pub async fn get(&self, url: &Url, validators: Option<&Validators>) -> Result<Fetched, FetchError> {
        self.get_capped(url, validators, self.settings.max_body_bytes).await
    }

    /// `get` with its own body cap: sitemaps may be 50 MB by protocol, far above an article page.
    pub async fn get_capped(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        limit: usize,
    ) -> Result<Fetched, FetchError> {
        let _slot = self.slots.acquire().await.expect("semaphore is never closed");
        self.gate.wait_turn(url.host_str().unwrap_or("")).await;
        let shown = url.to_string();
        let mut req = self.inner.get(url.clone()).header(
            reqwest::header::ACCEPT,
            "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/html;q=0.8, */*;q=0.5",
        );
        if let Some(v) = validators {
            if let Some(etag) = &v.etag {
                req = req.header(IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &v.last_modified {
                req = req.header(IF_MODIFIED_SINCE, lm);
            }
        }
        let mut resp = req.send().await.map_err(|e| self.classify(&shown, e))?;
        let status = resp.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                url: shown,
                status: status.as_u16(),
                retry_after: retry_after(resp.headers()),
            });
        }
        if resp.content_length().is_some_and(|n| n as usize > limit) {
            return Err(FetchError::TooLarge { url: shown, limit });
        }
        let headers = resp.headers().clone();
        let final_url = resp.url().clone();
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.classify(&shown, e))? {
            if body.len() + chunk.len() > limit {
                return Err(FetchError::TooLarge { url: shown, limit });
            }
            body.extend_from_slice(&chunk);
        }
        let header =
            |name| headers.get(name).and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok()).map(String::from);
        Ok(Fetched::Page(Page {
            final_url,
            content_type: header(CONTENT_TYPE),
            validators: Validators { etag: header(ETAG), last_modified: header(LAST_MODIFIED) },
            body,
        }))
    }

    fn classify(&self, url: &str, e: reqwest::Error) -> FetchError {
        if e.is_timeout() {
            return FetchError::Timeout { url: url.to_string(), secs: self.settings.timeout.as_secs() };
        }
        if e.is_redirect() {
            return FetchError::Refused { url: url.to_string(), reason: error_chain(&e) };
        }
        FetchError::Network { url: url.to_string(), reason: error_chain(&e) }
    }
}

/// reqwest's top-level message repeats the URL and says "error sending request"; the causes
/// underneath ("dns error: …", "Connection refused") are what an operator can act on.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = cur {
        let text = err.to_string();
        let noise = text.starts_with("error sending request") || text.starts_with("client error (");
        if !noise && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = err.source();
    }
    if parts.is_empty() {
        return e.to_string();
    }
    parts.join(": ")
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let secs = (when.timestamp() - chrono::Utc::now().timestamp()).max(0);
    Some(Duration::from_secs(secs as u64))
}

fn install_crypto_provider() {
    // Fails only when a provider is already installed, which is what we want anyway.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Hands out request slots per host at least `gap` apart, so a burst of article pages from one
/// outlet never hammers it, while different hosts proceed in parallel.
struct HostGate {
    gap: Duration,
    next: Mutex<HashMap<String, Instant>>,
}

impl HostGate {
    fn new(gap: Duration) -> HostGate {
        HostGate { gap, next: Mutex::new(HashMap::new()) }
    }

    async fn wait_turn(&self, host: &str) {
        if self.gap.is_zero() {
            return;
        }
        let slot = {
            let mut next = self.next.lock().expect("host gate lock");
            let now = Instant::now();
            let slot = next.get(host).copied().filter(|t| *t > now).unwrap_or(now);
            next.insert(host.to_string(), slot + self.gap);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn host_gate_spaces_requests_to_one_host() {
        let gate = HostGate::new(Duration::from_millis(40));
        let start = Instant::now();
        for _ in 0..3 {
            gate.wait_turn("a.se").await;
        }
        assert!(start.elapsed() >= Duration::from_millis(80));
        let other = Instant::now();
        gate.wait_turn("b.se").await;
        assert!(other.elapsed() < Duration::from_millis(30));
    }

    #[test]
    fn retry_after_seconds() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "120".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(120)));
    }
}
