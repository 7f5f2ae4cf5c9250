//! Archive pages: a URL from a sitemap or an export list, or a page saved to disk, taken through the
//! same de-duplication, extraction, labelling and store as a feed entry. Only the dating differs:
//! the page's own date wins over the list's, and an article with neither is undated.

use chrono::{DateTime, Utc};
use url::Url;

use super::page::{extract_page, PageResult};
use super::{Dating, EntryOutcome, IngestError, Pipeline};
use crate::fetch;
use crate::model::Entry;

/// What became of one archive page.
#[derive(Debug, Clone, PartialEq)]
pub enum ArchiveOutcome {
    /// Stored as a new article; `undated` when neither page nor list gave a date.
    New { undated: bool },
    /// Already stored (from a feed, an earlier backfill): this source is added as an appearance.
    Duplicate,
    /// The caller's `may_fetch` said no (robots.txt, the day's budget): nothing was requested.
    Held(String),
    /// The page could not be fetched or read; nothing was stored.
    Failed(String),
}

impl Pipeline {
    /// Fetches `url` as an article of `source_id` (a feed id, or a site's `site-…` id) unless it is
    /// stored already. `title` and `date` are what the sitemap or list said; the page's own date
    /// wins. `may_fetch` is asked right before the page request, so a URL that needs none (a
    /// duplicate) costs no request budget.
    pub async fn ingest_url(
        &self,
        source_id: &str,
        url: &Url,
        title: Option<&str>,
        date: Option<DateTime<Utc>>,
        may_fetch: impl FnOnce() -> Result<(), String>,
    ) -> Result<ArchiveOutcome, IngestError> {
        let canonical = fetch::canonical_key(url);
        let _claim = self.claims.claim(&canonical).await;
        if let Some(existing) = self.store.find_article(&canonical, source_id, None)? {
            self.store.add_appearance(existing.id, source_id, None, url.as_str(), Utc::now())?;
            return Ok(ArchiveOutcome::Duplicate);
        }
        if let Err(reason) = may_fetch() {
            return Ok(ArchiveOutcome::Held(reason));
        }
        let selector = self.config.feed(source_id).and_then(|f| f.content_selector.clone());
        let page = match self.fetch_page(source_id, selector, url, url).await {
            ok @ PageResult::Ok { .. } => ok,
            PageResult::Failed(e) | PageResult::Refused(e) => return Ok(ArchiveOutcome::Failed(e)),
        };
        let entry = Entry {
            link: Some(url.to_string()),
            title: title.unwrap_or_default().to_string(),
            published: date,
            ..Entry::default()
        };
        let outcome =
            self.store_new(source_id, &entry, canonical, url.to_string(), Some(page), true, Dating::Archive).await?;
        Ok(outcome.into())
    }

    /// Ingests a page saved earlier (an import, a benchmark) as if it had just been fetched from
    /// `url`. `entry.published` is the list's date for it; the page's own date wins.
    pub async fn ingest_saved_page(
        &self,
        feed_id: &str,
        url: &Url,
        body: &[u8],
        entry: &Entry,
    ) -> Result<ArchiveOutcome, IngestError> {
        let canonical = fetch::canonical_key(url);
        let _claim = self.claims.claim(&canonical).await;
        if let Some(existing) = self.store.find_article(&canonical, feed_id, entry.guid.as_deref())? {
            self.store.add_appearance(existing.id, feed_id, entry.guid.as_deref(), url.as_str(), Utc::now())?;
            return Ok(ArchiveOutcome::Duplicate);
        }
        let selector = self.config.feed(feed_id).and_then(|f| f.content_selector.clone());
        let page = extract_page(body.to_vec(), None, selector, url).await;
        let outcome =
            self.store_new(feed_id, entry, canonical, url.to_string(), Some(page), true, Dating::Archive).await?;
        Ok(outcome.into())
    }
}

impl From<EntryOutcome> for ArchiveOutcome {
    fn from(o: EntryOutcome) -> Self {
        match o {
            EntryOutcome::New { undated, .. } => ArchiveOutcome::New { undated },
            EntryOutcome::Duplicate => ArchiveOutcome::Duplicate,
        }
    }
}
