//! Backfill and import: an outlet's older articles, found in its sitemaps or in another system's
//! export, taken through the same ingest path as polled ones. A feed carries its last few dozen
//! items; this is how a new installation gets the past years of a district's coverage.
//!
//! Polite and resumable: robots.txt is obeyed for pages, the shared client keeps the per-host gap,
//! a daily request budget per host is kept in the store, and every URL's state lives in the
//! store's `backfill_urls` queue, so an interrupted run continues and never fetches a page twice.

mod discover;
mod import;
mod list;
mod queue;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Stockholm;
use url::Url;

use crate::config::Config;
use crate::fetch::{self, Robots};
use crate::ingest::{IngestError, Pipeline};
use crate::progress::Progress;
use crate::store::{BackfillStatus, QueuedUrl, StoreError};

pub use import::{import, ImportSummary, SAVED_HOST};
pub use list::{parse_list, ListItem};

#[derive(Debug, thiserror::Error)]
pub enum BackfillError {
    #[error("no feed with id {0:?} in the config")]
    UnknownFeed(String),
    #[error("--site {0:?} is not an http(s) URL with a host")]
    BadSite(String),
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Ingest(#[from] IngestError),
}

/// One site to backfill: where it lives and the source id its articles appear under.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub source: String,
    pub origin: Url,
}

/// `--from`/`--to` as instants (`to` exclusive) and `--limit`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// At most this many queued URLs are taken in this run; the rest wait for the next.
    pub limit: Option<usize>,
}

/// What a run did, for the Swedish summary line and the tests.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Summary {
    pub sitemaps: usize,
    /// Article URLs found in the sitemaps (or the list).
    pub found: usize,
    /// Found URLs whose sitemap date is in the range or unknown.
    pub in_range: usize,
    /// In range, but done in an earlier run.
    pub done_before: usize,
    /// Page requests made.
    pub fetched: usize,
    pub new_articles: usize,
    pub duplicates: usize,
    pub robots: usize,
    pub failed: usize,
    /// New articles with no date at all (kept, out of the weekly figures).
    pub undated: usize,
    /// Left for a later run (`--limit`, the daily budget).
    pub remaining: usize,
    /// Hosts whose daily budget ran out.
    pub budget_spent: Vec<String>,
    /// Site-level problems (robots.txt unreadable, a broken sitemap), with the source id.
    pub problems: Vec<(String, String)>,
}

/// The sites to backfill: `--feed`'s origin, `--site`, or every configured feed's origin once.
pub fn targets(config: &Config, feed: Option<&str>, site: Option<&str>) -> Result<Vec<Target>, BackfillError> {
    if let Some(id) = feed {
        let f = config.feed(id).ok_or_else(|| BackfillError::UnknownFeed(id.to_string()))?;
        return Ok(vec![Target { source: f.id.clone(), origin: origin(&f.url) }]);
    }
    if let Some(s) = site {
        let url = Url::parse(s).ok().filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
        let url = url.ok_or_else(|| BackfillError::BadSite(s.to_string()))?;
        return Ok(vec![Target { source: source_for(config, &url), origin: origin(&url) }]);
    }
    let mut out: Vec<Target> = Vec::new();
    for f in &config.feeds {
        let o = origin(&f.url);
        if !out.iter().any(|t| t.origin == o) {
            out.push(Target { source: f.id.clone(), origin: o });
        }
    }
    Ok(out)
}

/// The source id for a URL: the configured feed on the same host, else `site-<host>`.
pub fn source_for(config: &Config, url: &Url) -> String {
    let host = bare_host(url);
    config
        .feeds
        .iter()
        .find(|f| bare_host(&f.url) == host && f.url.port_or_known_default() == url.port_or_known_default())
        .map(|f| f.id.clone())
        .unwrap_or_else(|| site_id(&host))
}

/// `www.smp.se` → `site-smp-se`: a valid source id ([a-z0-9-]+) derived from a host.
pub fn site_id(host: &str) -> String {
    let slug: String =
        host.to_ascii_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    format!("site-{}", slug.trim_matches('-'))
}

fn origin(url: &Url) -> Url {
    let mut o = url.clone();
    o.set_path("/");
    o.set_query(None);
    o.set_fragment(None);
    o
}

/// The host without `www.`, as two links to one site compare.
fn bare_host(url: &Url) -> String {
    let h = url.host_str().unwrap_or("").to_ascii_lowercase();
    h.strip_prefix("www.").map(String::from).unwrap_or(h)
}

/// The day the request budget is counted in.
fn budget_day(now: DateTime<Utc>) -> String {
    now.with_timezone(&Stockholm).format("%Y-%m-%d").to_string()
}

fn in_range(date: Option<DateTime<Utc>>, opts: &Options) -> bool {
    match date {
        None => true,
        Some(d) => opts.from.is_none_or(|f| d >= f) && opts.to.is_none_or(|t| d < t),
    }
}

/// Discovers every target's article URLs, queues them, and fetches what is in range and not done.
pub async fn run(
    pipeline: &Pipeline,
    targets: &[Target],
    opts: &Options,
    now: DateTime<Utc>,
) -> Result<Summary, BackfillError> {
    let ctx = queue::Ctx::new(pipeline, now);
    let mut sum = Summary::default();
    let mut robots: HashMap<String, Robots> = HashMap::new();
    let mut candidates = Vec::new();
    let found = Progress::new("kartor", 0);
    for t in targets {
        let d = discover::discover(&ctx, t, opts.from, &found).await;
        sum.sitemaps += d.sitemaps;
        sum.problems.extend(d.problems.into_iter().map(|p| (t.source.clone(), p)));
        if d.budget_spent {
            sum.budget_spent.push(t.origin.host_str().unwrap_or("").to_string());
        }
        let Some(site_robots) = d.robots else { continue };
        robots.insert(bare_host(&t.origin), site_robots);
        let queued: Vec<QueuedUrl> = d
            .urls
            .into_iter()
            .map(|(url, su)| QueuedUrl {
                canonical: fetch::canonical_key(&url),
                host: bare_host(&url),
                url: url.to_string(),
                source: t.source.clone(),
                date: su.date(),
                title: su.title,
            })
            .collect();
        sum.found += queued.len();
        let rows = pipeline.store.queue_backfill(&queued, now)?;
        let mut out_of_range = Vec::new();
        for row in rows {
            if !in_range(row.url.date, opts) {
                if row.status != BackfillStatus::Done {
                    out_of_range.push(row.url.canonical.clone());
                }
                continue;
            }
            sum.in_range += 1;
            match row.status {
                BackfillStatus::Done => sum.done_before += 1,
                BackfillStatus::Failed if row.attempts >= ctx.page_attempts => sum.failed += 1,
                _ => candidates.push(row.url),
            }
        }
        let refs: Vec<&str> = out_of_range.iter().map(String::as_str).collect();
        pipeline.store.mark_backfill_many(&refs, BackfillStatus::OutOfRange, now)?;
    }
    found.finish();
    // Newest first: an interrupted run has then covered the most recent, most asked-for years.
    candidates.sort_by_key(|c| std::cmp::Reverse(c.date));
    queue::fetch_all(&ctx, candidates, &robots, opts.limit, &mut sum).await?;
    pipeline.sync_index()?;
    Ok(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_ids_and_ranges() {
        assert_eq!(site_id("www.smp.se".strip_prefix("www.").unwrap()), "site-smp-se");
        assert_eq!(site_id("127.0.0.1"), "site-127-0-0-1");
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let opts = Options { from: Some(t("2025-01-01T00:00:00Z")), to: Some(t("2025-02-01T00:00:00Z")), limit: None };
        assert!(in_range(None, &opts));
        assert!(in_range(Some(t("2025-01-31T23:59:59Z")), &opts));
        assert!(!in_range(Some(t("2025-02-01T00:00:00Z")), &opts));
        assert!(!in_range(Some(t("2024-12-31T23:59:59Z")), &opts));
    }
}
