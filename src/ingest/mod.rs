//! The one place that wires fetch → extract → districts/tone → store → index. Every other module
//! does one step; this one decides what happens to each feed entry, and records what went wrong.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use tokio::task::JoinSet;
use url::Url;

use crate::config::{Config, FeedConfig};
use crate::districts::Matcher;
use crate::extract;
use crate::fetch::{self, Fetched, HttpClient, Validators};
use crate::index::{IndexError, SearchIndex};
use crate::model::{Entry, Tone};
use crate::progress::Progress;
use crate::store::{NewArticle, PageUpdate, Store, StoreError};
use crate::tone::{self, Classifier};

/// Extracted text shorter than this is taken as a failed extraction when the feed has more.
const MIN_PAGE_TEXT: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Fetch(#[from] fetch::FetchError),
}

/// What one pass did, for the summary line and the tests.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct PassSummary {
    pub feeds_ok: usize,
    pub feeds_not_modified: usize,
    pub feeds_failed: usize,
    pub new_articles: usize,
    /// Entries already stored (seen before, or reached through another feed).
    pub duplicates: usize,
    pub pages_failed: usize,
    pub failures: Vec<(String, String)>,
}

enum EntryOutcome {
    New { page_failed: bool },
    Duplicate,
}

#[derive(Clone)]
pub struct Pipeline {
    pub store: Store,
    pub index: Arc<SearchIndex>,
    client: HttpClient,
    labeller: Arc<Labeller>,
    config: Arc<Config>,
    claims: Arc<Claims>,
}

/// Per-URL locks, so one article is fetched and stored once however many feeds carry it.
#[derive(Default)]
struct Claims(std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>);

struct Claim<'a> {
    claims: &'a Claims,
    key: String,
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

impl Claims {
    async fn claim(&self, key: &str) -> Claim<'_> {
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

/// Districts and tone for a text, with the classifier version that goes on each stored label.
pub struct Labeller {
    matcher: Matcher,
    classifier: Classifier,
}

impl Labeller {
    pub fn new(config: &Config) -> Labeller {
        Labeller { matcher: Matcher::new(&config.districts), classifier: Classifier::new() }
    }

    pub fn label(&self, title: &str, text: &str) -> Vec<(String, Tone)> {
        self.matcher
            .find(title, text)
            .into_iter()
            .map(|hit| {
                let tone = self.classifier.classify(title, text, &hit);
                (hit.district_id, tone)
            })
            .collect()
    }
}

pub fn http_client(config: &Config) -> Result<HttpClient, fetch::FetchError> {
    let w = &config.worker;
    HttpClient::new(fetch::ClientSettings {
        user_agent: w.user_agent.clone(),
        timeout: Duration::from_secs(w.timeout_secs),
        max_body_bytes: w.max_body_bytes,
        max_redirects: w.max_redirects,
        host_gap: Duration::from_millis(w.host_gap_ms),
        concurrency: w.concurrency,
    })
}

impl Pipeline {
    pub fn new(config: Arc<Config>, store: Store, index: Arc<SearchIndex>) -> Result<Pipeline, IngestError> {
        for f in &config.feeds {
            store.upsert_feed(&f.id, &f.name, f.url.as_str())?;
        }
        Ok(Pipeline {
            client: http_client(&config)?,
            labeller: Arc::new(Labeller::new(&config)),
            store,
            index,
            config,
            claims: Arc::default(),
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Polls `feeds` concurrently (the client bounds requests per host and overall), then brings
    /// the index in line. One feed's failure is recorded and never stops the others.
    pub async fn poll(&self, feeds: &[FeedConfig], progress: &Progress) -> Result<PassSummary, IngestError> {
        let mut tasks = JoinSet::new();
        for feed in feeds.iter().cloned() {
            let me = self.clone();
            tasks.spawn(async move {
                let r = me.poll_feed(&feed).await;
                (feed.id, r)
            });
        }
        let mut sum = PassSummary::default();
        while let Some(joined) = tasks.join_next().await {
            progress.inc(1);
            let (feed_id, result) = match joined {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!(error = %e, "feed task panicked");
                    sum.feeds_failed += 1;
                    continue;
                }
            };
            match result {
                Ok(FeedResult::NotModified) => sum.feeds_not_modified += 1,
                Ok(FeedResult::Polled { new, duplicates, pages_failed }) => {
                    sum.feeds_ok += 1;
                    sum.new_articles += new;
                    sum.duplicates += duplicates;
                    sum.pages_failed += pages_failed;
                }
                Err(msg) => {
                    sum.feeds_failed += 1;
                    sum.failures.push((feed_id, msg));
                }
            }
        }
        sum.failures.sort();
        self.sync_index()?;
        Ok(sum)
    }

    async fn poll_feed(&self, feed: &FeedConfig) -> Result<FeedResult, String> {
        let now = Utc::now();
        let state = self.store.feed_state(&feed.id).map_err(|e| e.to_string())?.unwrap_or_default();
        let validators = Validators { etag: state.etag.clone(), last_modified: state.last_modified.clone() };
        let poll = chrono::Duration::minutes(feed.poll_minutes as i64);
        let fail = |msg: String, retry_after: Option<Duration>| {
            let next = now + self.backoff(feed, state.consecutive_failures + 1, retry_after);
            tracing::warn!(feed_id = %feed.id, url = %feed.url, error = %msg, next_due = %next, "feed failed");
            if let Err(e) = self.store.record_feed_failure(&feed.id, now, &msg, next) {
                tracing::error!(feed_id = %feed.id, error = %e, "cannot record feed failure");
            }
            Err(msg)
        };
        let page = match self.client.get(&feed.url, Some(&validators)).await {
            Ok(Fetched::NotModified) => {
                self.record_success(feed, now, None, None, None, None, now + poll)?;
                return Ok(FeedResult::NotModified);
            }
            Ok(Fetched::Page(p)) => p,
            Err(e) => {
                let retry = e.retry_after();
                return fail(e.to_string(), retry);
            }
        };
        // Servers that ignore conditional GET still send the same bytes: skip the work then.
        let hash = hex(&Sha256::digest(&page.body));
        if state.body_hash.as_deref() == Some(hash.as_str()) {
            self.record_success(feed, now, Some(&page.validators), Some(&hash), None, None, now + poll)?;
            return Ok(FeedResult::NotModified);
        }
        let decoded = match fetch::decode_feed(&page.body, page.content_type.as_deref(), &page.final_url) {
            Ok(d) => d,
            Err(e) => return fail(format!("{e} (from {})", page.final_url), None),
        };
        let warning = (!decoded.warnings.is_empty()).then(|| decoded.warnings.join("; "));
        let (mut new, mut duplicates, mut pages_failed) = (0, 0, 0);
        for entry in &decoded.entries {
            match self.process_entry(feed, &page.final_url, entry).await {
                Ok(EntryOutcome::New { page_failed }) => {
                    new += 1;
                    pages_failed += page_failed as usize;
                }
                Ok(EntryOutcome::Duplicate) => duplicates += 1,
                Err(e) => {
                    // Only the store can fail here; a bad entry must not cost the others.
                    tracing::error!(feed_id = %feed.id, title = %entry.title, error = %e, "entry not stored");
                }
            }
        }
        let items = decoded.entries.len() as u32;
        self.record_success(
            feed,
            now,
            Some(&page.validators),
            Some(&hash),
            Some(items),
            warning.as_deref(),
            now + poll,
        )?;
        tracing::info!(feed_id = %feed.id, items, new, duplicates, encoding = decoded.encoding, "feed polled");
        Ok(FeedResult::Polled { new, duplicates, pages_failed })
    }

    #[allow(clippy::too_many_arguments)]
    fn record_success(
        &self,
        feed: &FeedConfig,
        now: DateTime<Utc>,
        validators: Option<&Validators>,
        hash: Option<&str>,
        items: Option<u32>,
        warning: Option<&str>,
        next: DateTime<Utc>,
    ) -> Result<(), String> {
        let etag = validators.and_then(|v| v.etag.as_deref());
        let lm = validators.and_then(|v| v.last_modified.as_deref());
        self.store.record_feed_success(&feed.id, now, etag, lm, hash, items, warning, next).map_err(|e| e.to_string())
    }

    /// Exponential back-off from the feed's own interval, capped, and never sooner than Retry-After.
    fn backoff(&self, feed: &FeedConfig, failures: u32, retry_after: Option<Duration>) -> chrono::Duration {
        let base = feed.poll_minutes.max(1) as i64;
        let cap = self.config.worker.max_backoff_minutes.max(1) as i64;
        let minutes = base.saturating_mul(1i64 << failures.saturating_sub(1).min(16)).min(cap.max(base));
        let wait = chrono::Duration::minutes(minutes);
        match retry_after.and_then(|r| chrono::Duration::from_std(r).ok()) {
            Some(r) if r > wait => r,
            _ => wait,
        }
    }

    async fn process_entry(
        &self,
        feed: &FeedConfig,
        feed_url: &Url,
        entry: &Entry,
    ) -> Result<EntryOutcome, IngestError> {
        let now = Utc::now();
        let link = entry
            .link
            .as_deref()
            .or(entry.guid.as_deref().filter(|g| g.starts_with("http")))
            .and_then(|l| Url::parse(l).ok());
        let canonical = match &link {
            Some(u) => fetch::canonical_key(u),
            None => format!("guid:{}:{}", feed.id, entry.guid.as_deref().unwrap_or(&entry.title)),
        };
        let link_str = link.as_ref().map(|u| u.to_string()).unwrap_or_default();
        // Two feeds carrying one story are polled at once: the second waits here and then finds it stored.
        let _claim = self.claims.claim(&canonical).await;
        if let Some(existing) = self.store.find_article(&canonical, &feed.id, entry.guid.as_deref())? {
            self.store.add_appearance(existing.id, &feed.id, entry.guid.as_deref(), &link_str, now)?;
            if existing.page_status == "failed" && existing.page_attempts < self.config.worker.page_attempts {
                if let Some(url) = &link {
                    self.retry_page(feed, feed_url, url, existing.id, entry).await?;
                }
            }
            return Ok(EntryOutcome::Duplicate);
        }
        let page = match (&link, feed.full_text) {
            (Some(url), true) => Some(self.fetch_page(feed, feed_url, url).await),
            _ => None,
        };
        self.store_new(&feed.id, entry, canonical, link_str, page, feed.full_text && link.is_some()).await
    }

    /// Ingests a page saved earlier (an import, a benchmark) exactly as if it had just been fetched.
    /// Returns true when the article is new.
    pub async fn ingest_saved_page(
        &self,
        feed_id: &str,
        url: &Url,
        body: &[u8],
        entry: &Entry,
    ) -> Result<bool, IngestError> {
        let canonical = fetch::canonical_key(url);
        let _claim = self.claims.claim(&canonical).await;
        if let Some(existing) = self.store.find_article(&canonical, feed_id, entry.guid.as_deref())? {
            self.store.add_appearance(existing.id, feed_id, entry.guid.as_deref(), url.as_str(), Utc::now())?;
            return Ok(false);
        }
        let selector = self.config.feed(feed_id).and_then(|f| f.content_selector.clone());
        let page = extract_page(body.to_vec(), None, selector, url).await;
        let outcome = self.store_new(feed_id, entry, canonical, url.to_string(), Some(page), true).await?;
        Ok(matches!(outcome, EntryOutcome::New { .. }))
    }

    async fn store_new(
        &self,
        feed_id: &str,
        entry: &Entry,
        canonical: String,
        link: String,
        page: Option<PageResult>,
        wanted_page: bool,
    ) -> Result<EntryOutcome, IngestError> {
        let now = Utc::now();
        let feed_text = extract::fragment_text(&entry.summary_html);
        let (text, text_source, html, status, error, page_title, page_published) =
            settle_text(page, &feed_text, wanted_page);
        let title = if entry.title.is_empty() { page_title.unwrap_or_default() } else { entry.title.clone() };
        let labels = self.labels(&title, &text).await;
        let article = NewArticle {
            uid: uid_of(&canonical),
            canonical,
            url: link.clone(),
            title,
            published: entry.published.or(page_published),
            seen: now,
            text,
            text_source,
            feed_html: entry.summary_html.clone(),
            page_html: html,
            page_status: status.to_string(),
            page_error: error,
            page_attempts: u32::from(wanted_page),
        };
        let guid = entry.guid.as_deref();
        match self.store.insert_article(&article, feed_id, guid, &link, &labels, tone::VERSION) {
            Ok(_) => Ok(EntryOutcome::New { page_failed: status == "failed" || status == "refused" }),
            Err(StoreError::Sql(rusqlite::Error::SqliteFailure(e, _)))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                // Another feed's task stored the same story a moment ago: this is an appearance.
                if let Some(existing) = self.store.find_article(&article.canonical, feed_id, guid)? {
                    self.store.add_appearance(existing.id, feed_id, guid, &link, now)?;
                }
                Ok(EntryOutcome::Duplicate)
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn retry_page(
        &self,
        feed: &FeedConfig,
        feed_url: &Url,
        url: &Url,
        article_id: i64,
        entry: &Entry,
    ) -> Result<(), IngestError> {
        let feed_text = extract::fragment_text(&entry.summary_html);
        let page = self.fetch_page(feed, feed_url, url).await;
        let (text, text_source, html, status, error, title, published) = settle_text(Some(page), &feed_text, true);
        let labels = self.labels(&entry.title, &text).await;
        let update = PageUpdate {
            title,
            published,
            text,
            text_source,
            page_html: html,
            page_status: status.into(),
            page_error: error,
        };
        self.store.update_page(article_id, &update, &labels, tone::VERSION, Utc::now())?;
        Ok(())
    }

    /// Fetches and extracts one article page; extraction runs off the async threads.
    async fn fetch_page(&self, feed: &FeedConfig, feed_url: &Url, url: &Url) -> PageResult {
        if let Err(refused) = fetch::check_link(url, feed_url).await {
            tracing::warn!(feed_id = %feed.id, url = %url, reason = %refused, "link not followed");
            return PageResult::Refused(refused.to_string());
        }
        let page = match self.client.get(url, None).await {
            Ok(Fetched::Page(p)) => p,
            Ok(Fetched::NotModified) => return PageResult::Failed(format!("unexpected 304 from {url}")),
            Err(e) => {
                tracing::warn!(feed_id = %feed.id, url = %url, error = %e, "article page failed");
                return PageResult::Failed(e.to_string());
            }
        };
        extract_page(page.body, page.content_type, feed.content_selector.clone(), url).await
    }

    async fn labels(&self, title: &str, text: &str) -> Vec<(String, Tone)> {
        let labeller = self.labeller.clone();
        let (title, text) = (title.to_string(), text.to_string());
        tokio::task::spawn_blocking(move || labeller.label(&title, &text)).await.unwrap_or_default()
    }

    /// Applies every store change the index has not seen, then commits with the new high-water mark.
    /// Run after each pass and at start-up, so a crash between store and index heals itself.
    pub fn sync_index(&self) -> Result<usize, IngestError> {
        sync_index(&self.store, &self.index, None)
    }
}

/// Store → index catch-up, in batches; `progress` counts documents.
pub fn sync_index(store: &Store, index: &SearchIndex, progress: Option<&Progress>) -> Result<usize, IngestError> {
    let mut seq = index.synced_seq()?;
    let target = store.change_seq()?;
    if seq >= target {
        return Ok(0);
    }
    let mut done = 0;
    loop {
        let batch = store.index_docs_after(seq, 1000)?;
        let Some(last) = batch.last().map(|(s, _)| *s) else { break };
        let docs: Vec<_> = batch.into_iter().map(|(_, d)| d).collect();
        index.upsert(&docs)?;
        done += docs.len();
        if let Some(p) = progress {
            p.inc(docs.len() as u64);
        }
        seq = last;
    }
    index.commit(seq.max(target))?;
    Ok(done)
}

enum FeedResult {
    NotModified,
    Polled { new: usize, duplicates: usize, pages_failed: usize },
}

/// Charset decoding and extraction, off the async threads (both are CPU work on large pages).
async fn extract_page(body: Vec<u8>, content_type: Option<String>, selector: Option<String>, url: &Url) -> PageResult {
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

enum PageResult {
    Ok { html: String, extracted: extract::Extracted },
    Failed(String),
    Refused(String),
}

type Settled = (String, String, Option<String>, &'static str, Option<String>, Option<String>, Option<DateTime<Utc>>);

/// Chooses the article text: the page's extracted text when it is real, else the feed's own.
fn settle_text(page: Option<PageResult>, feed_text: &str, wanted_page: bool) -> Settled {
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

/// A short, stable article id derived from its canonical URL.
pub fn uid_of(canonical: &str) -> String {
    hex(&Sha256::digest(canonical.as_bytes()))[..16].to_string()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
