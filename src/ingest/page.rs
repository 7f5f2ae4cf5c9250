//! One article page: fetched bytes → charset → extraction off the async threads → the text kept,
//! and the per-URL claims that make concurrent feeds fetch a shared story once.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use url::Url;

use crate::{extract, fetch};

/// Extracted text shorter than this is taken as a failed extraction when the feed has more.
const MIN_PAGE_TEXT: usize = 200;

/// Per-URL locks, so one article is fetched and stored once however many feeds carry it.
#[derive(Default)]
pub(super) struct Claims(std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>);

pub(super) struct Claim<'a> {
    claims: &'a Claims,
    key: String,
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

impl Claims {
    pub(super) async fn claim(&self, key: &str) -> Claim<'_> {
        let lock = self.0.lock().unwrap_or_else(|p| p.into_inner()).entry(key.to_string()).or_default().clone();
        Claim { claims: self, key: key.to_string(), _guard: lock.lock_owned().await }
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        let mut map = self.claims.0.lock().unwrap_or_else(|p| p.into_inner());
        // Only the map and this guard's lock hold it: nobody waits, so forget the key.
        if map.get(&self.key).is_some_and(|l| Arc::strong_count(l) <= 2) {
            map.remove(&self.key);
        }
    }
}

/// Charset decoding and extraction, off the async threads (both are CPU work on large pages).
pub(super) async fn extract_page(
    body: Vec<u8>,
    content_type: Option<String>,
    selector: Option<String>,
    url: &Url,
) -> PageResult {
    let extracted = tokio::task::spawn_blocking(move || {
        let (html, _) = fetch::decode_text(&body, content_type.as_deref());
        let ex = extract::extract(&html, selector.as_deref());
        (html, ex)
    })
    .await;
    match extracted {
        Ok((html, Ok(ex))) => PageResult::Ok { html, extracted: ex },
        Ok((_, Err(e))) => PageResult::Failed(e.to_string()),
        Err(e) => PageResult::Failed(format!("extraction of {url} crashed: {e}")),
    }
}

pub(super) enum PageResult {
    Ok { html: String, extracted: extract::Extracted },
    Failed(String),
    Refused(String),
}

pub(super) type Settled =
    (String, String, Option<String>, &'static str, Option<String>, Option<String>, Option<DateTime<Utc>>);

/// Chooses the article text: the page's extracted text when it is real, else the feed's own.
pub(super) fn settle_text(page: Option<PageResult>, feed_text: &str, wanted_page: bool) -> Settled {
    match page {
        Some(PageResult::Ok { html, extracted }) => {
            let usable = extracted.text.len() >= MIN_PAGE_TEXT || extracted.text.len() > feed_text.len();
            let published = extracted.published.map(|d| d.with_timezone(&Utc));
            let title = extracted.title.clone();
            if usable {
                let source = serde_json::to_value(extracted.method)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default();
                (extracted.text, source, Some(html), "ok", None, title, published)
            } else {
                (
                    feed_text.to_string(),
                    "feed".into(),
                    Some(html),
                    "ok",
                    Some("page had no article text; kept the feed's".into()),
                    title,
                    published,
                )
            }
        }
        Some(PageResult::Failed(e)) => (feed_text.to_string(), "feed".into(), None, "failed", Some(e), None, None),
        Some(PageResult::Refused(e)) => (feed_text.to_string(), "feed".into(), None, "refused", Some(e), None, None),
        None => (
            feed_text.to_string(),
            "feed".into(),
            None,
            if wanted_page { "failed" } else { "skipped" },
            None,
            None,
            None,
        ),
    }
}

/// The canonical key of the address a fetched page names for itself (`<link rel=canonical>`,
/// else `og:url`), when it can be trusted to merge a polled link with an article stored under
/// another address: same site as `url`, and an article-like path (its last segment long or with
/// a digit). Sites that name their home page or a section as every page's canonical are common,
/// and must not merge unrelated articles.
pub(super) fn own_canonical(html: &str, url: &Url) -> Option<String> {
    let own = url.join(extract::page_url(html)?.trim()).ok()?;
    if !matches!(own.scheme(), "http" | "https") {
        return None;
    }
    let site = |k: &str| k.split(['/', '?']).next().unwrap_or("").to_string();
    let (own_key, link_key) = (fetch::canonical_key(&own), fetch::canonical_key(url));
    let last = own.path_segments()?.rfind(|s| !s.is_empty())?;
    let article_like = last.chars().count() >= 12 || last.chars().any(|c| c.is_ascii_digit());
    (site(&own_key) == site(&link_key) && article_like).then_some(own_key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(href: &str) -> String {
        format!("<html><head><link rel=\"canonical\" href=\"{href}\"></head><body></body></html>")
    }

    #[test]
    fn a_page_names_its_article_address_but_never_a_section_or_another_site() {
        let url = Url::parse("https://m.smp.se/mobil/12345?utm_source=rss").unwrap();
        let own = |href: &str| own_canonical(&page(href), &url);
        assert_eq!(own("https://www.smp.se/nyheter/12345-ny-skola").as_deref(), Some("smp.se/nyheter/12345-ny-skola"));
        assert_eq!(
            own("/nyheter/skolan-i-araby-far-nytt-bibliotek").as_deref(),
            Some("smp.se/nyheter/skolan-i-araby-far-nytt-bibliotek")
        );
        assert_eq!(own("https://www.smp.se/"), None, "the home page");
        assert_eq!(own("https://www.smp.se/nyheter"), None, "a section");
        assert_eq!(own("https://www.annan.se/nyheter/12345-ny-skola"), None, "another site");
        assert_eq!(own("javascript:alert(1)"), None);
        assert_eq!(own_canonical("<html><body>ingen</body></html>", &url), None);
    }
}
