//! The one place that wires fetch → extract → districts/tone → store → index. Every other module
//! does one step; this one decides what happens to each feed entry, and records what went wrong.
//! Archive pages (backfill, import) take the same path through `archive.rs`.

mod archive;
mod labeller;
mod page;
mod sync;

pub use labeller::Labeller;
pub use sync::{assign_story, sync_index};

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use tokio::task::JoinSet;
use url::Url;

use crate::config::{Config, FeedConfig};
use crate::extract;
use crate::fetch::{self, Fetched, HttpClient, Validators};
use crate::index::{IndexError, SearchIndex};
use crate::metrics::{Fetch, METRICS};
use crate::model::{Entry, Tone};
use crate::progress::Progress;
use crate::store::{NewArticle, PageUpdate, Store, StoreError};
use crate::tone;
pub use archive::ArchiveOutcome;
use page::{extract_page, settle_text, Claims, PageResult};

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
    New { page_failed: bool, undated: bool },
    Duplicate,
}

/// Where an article's date comes from when its source gives none of its own.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Dating {
    /// A feed entry: its date, else the page's; without either, first sight dates it.
    Feed,
    /// An archive page (backfill, import): the page's date, else the entry's (sitemap, list);
    /// without either it is undated, never dated by the day it was fetched.
    Archive,
}

#[derive(Clone)]
pub struct Pipeline {
    pub store: Store,
    pub index: Arc<SearchIndex>,
    client: HttpClient,
    labeller: Arc<Labeller>,
    config: Arc<Config>,
    claims: Arc<Claims>,
    /// Serializes story assignment, so two copies of one story stored at once still meet.
    stories: Arc<std::sync::Mutex<()>>,
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
            stories: Arc::default(),
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The shared client, so other requests to a host (robots.txt, sitemaps) keep the same gap.
    pub fn client(&self) -> &HttpClient {
        &self.client
    }

    /// Polls `feeds` concurrently (the client bounds requests per host and overall), then brings
    /// the index in line. One feed's failure is recorded and never stops the others.
    pub async fn poll(&self, feeds: &[FeedConfig], progress: &Progress) -> Result<PassSummary, IngestError> {
        let mut tasks = JoinSet::new();
        METRICS.add_queue(feeds.len() as i64);
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
            METRICS.add_queue(-1);
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
        let fail = |msg: String, kind: fetch::FailureKind, retry_after: Option<Duration>| {
            METRICS.fetch(Fetch::FeedFailed);
            let next = now + self.backoff(feed, state.consecutive_failures + 1, retry_after);
            tracing::warn!(feed_id = %feed.id, url = %feed.url, error = %msg, next_due = %next, "feed failed");
            if let Err(e) = self.store.record_feed_failure(&feed.id, now, &msg, Some(&kind.code()), next) {
                tracing::error!(feed_id = %feed.id, error = %e, "cannot record feed failure");
            }
            Err(msg)
        };
        let started = std::time::Instant::now();
        let got = self.client.get(&feed.url, Some(&validators)).await;
        METRICS.latency(started.elapsed());
        let page = match got {
            Ok(Fetched::NotModified) => {
                METRICS.fetch(Fetch::FeedNotModified);
                self.record_success(feed, now, None, None, None, None, now + poll)?;
                return Ok(FeedResult::NotModified);
            }
            Ok(Fetched::Page(p)) => p,
            Err(e) => {
                let retry = e.retry_after();
                return fail(e.to_string(), e.kind(), retry);
            }
        };
        // Servers that ignore conditional GET still send the same bytes: skip the work then.
        let hash = hex(&Sha256::digest(&page.body));
        if state.body_hash.as_deref() == Some(hash.as_str()) {
            METRICS.fetch(Fetch::FeedNotModified);
            self.record_success(feed, now, Some(&page.validators), Some(&hash), None, None, now + poll)?;
            return Ok(FeedResult::NotModified);
        }
        let decoded = match fetch::decode_feed(&page.body, page.content_type.as_deref(), &page.final_url) {
            Ok(d) => d,
            Err(e) => return fail(format!("{e} (from {})", page.final_url), e.kind(), None),
        };
        METRICS.fetch(Fetch::FeedOk);
        let warning = (!decoded.warnings.is_empty()).then(|| decoded.warnings.join("; "));
        let (mut new, mut duplicates, mut pages_failed) = (0, 0, 0);
        for entry in &decoded.entries {
            match self.process_entry(feed, &page.final_url, entry).await {
                Ok(EntryOutcome::New { page_failed, .. }) => {
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
            // A backfilled article without a date of its own takes the feed's.
            if let Some(published) = entry.published {
                self.store.date_if_undated(existing.id, published)?;
            }
            if existing.page_status == "failed" && existing.page_attempts < self.config.worker.page_attempts {
                if let Some(url) = &link {
                    self.retry_page(feed, feed_url, url, existing.id, entry).await?;
                }
            }
            return Ok(EntryOutcome::Duplicate);
        }
        let page = match (&link, feed.full_text) {
            (Some(url), true) => Some(self.fetch_page(&feed.id, feed.content_selector.clone(), feed_url, url).await),
            _ => None,
        };
        // A variant link (mobile, campaign path) of an article already stored under the address
        // the page names for itself is another appearance of it; a new one is stored under that
        // address, so the canonical link from another feed finds it.
        let own = match (&page, &link) {
            (Some(PageResult::Ok { html, .. }), Some(url)) => page::own_canonical(html, url),
            _ => None,
        };
        let canonical = match own.filter(|o| *o != canonical) {
            Some(own) => {
                if let Some(existing) = self.store.find_article(&own, &feed.id, None)? {
                    self.store.add_appearance(existing.id, &feed.id, entry.guid.as_deref(), &link_str, now)?;
                    return Ok(EntryOutcome::Duplicate);
                }
                own
            }
            None => canonical,
        };
        let wanted = feed.full_text && link.is_some();
        self.store_new(&feed.id, entry, canonical, link_str, page, wanted, Dating::Feed).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn store_new(
        &self,
        feed_id: &str,
        entry: &Entry,
        canonical: String,
        link: String,
        page: Option<PageResult>,
        wanted_page: bool,
        dating: Dating,
    ) -> Result<EntryOutcome, IngestError> {
        let now = Utc::now();
        let feed_text = extract::fragment_text(&entry.summary_html);
        let (text, text_source, html, status, error, page_title, page_published) =
            settle_text(page, &feed_text, wanted_page);
        let title = if entry.title.is_empty() { page_title.unwrap_or_default() } else { entry.title.clone() };
        let labels = self.labels(&title, &text).await;
        let (published, undated) = match dating {
            Dating::Feed => (entry.published.or(page_published), false),
            Dating::Archive => {
                let p = page_published.or(entry.published);
                (p, p.is_none())
            }
        };
        let article = NewArticle {
            uid: uid_of(&canonical),
            canonical,
            url: link.clone(),
            title,
            published,
            seen: now,
            undated,
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
            Ok(id) => {
                METRICS.article_ingested();
                for (_, t) in &labels {
                    METRICS.classified(t.label);
                }
                // An undated archive article belongs to no week, so to no story, until a date arrives.
                if !undated {
                    let at = article.published.unwrap_or(article.seen);
                    let _one_at_a_time = self.stories.lock().unwrap_or_else(|p| p.into_inner());
                    if let Err(e) = assign_story(&self.store, id, &article.title, &article.text, at) {
                        // The article stays a story of its own: counted, just not merged.
                        tracing::error!(article_id = id, error = %e, "story not assigned");
                    }
                }
                Ok(EntryOutcome::New { page_failed: status == "failed" || status == "refused", undated })
            }
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
        let page = self.fetch_page(&feed.id, feed.content_selector.clone(), feed_url, url).await;
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
        let page_ok = update.page_status == "ok";
        let story_text =
            page_ok.then(|| (update.title.clone().unwrap_or_else(|| entry.title.clone()), update.text.clone()));
        self.store.update_page(article_id, &update, &labels, tone::VERSION, Utc::now())?;
        // The story was found from the feed's summary; the page's full text may show it is a copy
        // of another outlet's article after all.
        if let (Some((title, text)), Some(s)) = (story_text, self.store.story_of(article_id)?) {
            let _one_at_a_time = self.stories.lock().unwrap_or_else(|p| p.into_inner());
            if let Err(e) = assign_story(&self.store, article_id, &title, &text, s.at) {
                tracing::error!(article_id, error = %e, "story not reassigned after the page arrived");
            }
        }
        Ok(())
    }

    /// Fetches and extracts one article page; extraction runs off the async threads. `referrer` is
    /// the feed (or site) the link came from, for the rule on private addresses.
    async fn fetch_page(&self, source_id: &str, selector: Option<String>, referrer: &Url, url: &Url) -> PageResult {
        if let Err(refused) = fetch::check_link(url, referrer).await {
            tracing::warn!(feed_id = %source_id, url = %url, reason = %refused, "link not followed");
            METRICS.fetch(Fetch::PageRefused);
            return PageResult::Refused(refused.to_string());
        }
        let started = std::time::Instant::now();
        let got = self.client.get(url, None).await;
        METRICS.latency(started.elapsed());
        let page = match got {
            Ok(Fetched::Page(p)) => {
                METRICS.fetch(Fetch::PageOk);
                p
            }
            Ok(Fetched::NotModified) => return PageResult::Failed(format!("unexpected 304 from {url}")),
            Err(e) => {
                METRICS.fetch(Fetch::PageFailed);
                tracing::warn!(feed_id = %source_id, url = %url, error = %e, "article page failed");
                return PageResult::Failed(e.to_string());
            }
        };
        extract_page(page.body, page.content_type, selector, url).await
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

enum FeedResult {
    NotModified,
    Polled { new: usize, duplicates: usize, pages_failed: usize },
}

/// A short, stable article id derived from its canonical URL.
pub fn uid_of(canonical: &str) -> String {
    hex(&Sha256::digest(canonical.as_bytes()))[..16].to_string()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
