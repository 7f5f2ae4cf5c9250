//! The backfill queue and the daily request budget per host. A backfill of 50,000 URLs is
//! interrupted sooner or later; what was discovered, fetched and refused lives here so the next run
//! continues where the last one stopped and never fetches a page twice.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{from_ts, ts, Store, StoreError};

/// Where a discovered URL stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackfillStatus {
    Queued,
    /// Stored as an article (new, or found already stored).
    Done,
    /// The page could not be fetched; retried until `[worker] page_attempts` is used up.
    Failed,
    SkippedRobots,
    /// Its sitemap date lies outside the last run's range; a later run with another range may take it.
    OutOfRange,
}

impl BackfillStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BackfillStatus::Queued => "queued",
            BackfillStatus::Done => "done",
            BackfillStatus::Failed => "failed",
            BackfillStatus::SkippedRobots => "skipped_robots",
            BackfillStatus::OutOfRange => "out_of_range",
        }
    }

    fn parse(s: &str) -> Result<BackfillStatus, StoreError> {
        Ok(match s {
            "queued" => BackfillStatus::Queued,
            "done" => BackfillStatus::Done,
            "failed" => BackfillStatus::Failed,
            "skipped_robots" => BackfillStatus::SkippedRobots,
            "out_of_range" => BackfillStatus::OutOfRange,
            other => return Err(StoreError::Corrupt(format!("backfill status {other:?}"))),
        })
    }
}

/// A URL found in a sitemap or an import list.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedUrl {
    pub canonical: String,
    pub url: String,
    pub source: String,
    pub host: String,
    /// The sitemap's (or list's) date for it; the page's own date wins once fetched.
    pub date: Option<DateTime<Utc>>,
    pub title: Option<String>,
}

/// A queue row as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct BackfillRow {
    pub url: QueuedUrl,
    pub status: BackfillStatus,
    pub attempts: u32,
}

impl Store {
    /// Adds URLs to the queue (a URL queued before keeps its status, and gains a date or title it
    /// lacked) and returns every given URL's row as it now stands, in the given order.
    pub fn queue_backfill(&self, urls: &[QueuedUrl], now: DateTime<Utc>) -> Result<Vec<BackfillRow>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut rows = Vec::with_capacity(urls.len());
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO backfill_urls (canonical, url, source, host, sitemap_date, title, status, queued_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7, ?7)
                 ON CONFLICT (canonical) DO UPDATE SET
                     sitemap_date = COALESCE(backfill_urls.sitemap_date, excluded.sitemap_date),
                     title = COALESCE(backfill_urls.title, excluded.title)
                 RETURNING url, source, host, sitemap_date, title, status, attempts",
            )?;
            for u in urls {
                let row = stmt.query_row(
                    params![u.canonical, u.url, u.source, u.host, u.date.map(ts), u.title, ts(now)],
                    |r| {
                        Ok((
                            QueuedUrl {
                                canonical: u.canonical.clone(),
                                url: r.get(0)?,
                                source: r.get(1)?,
                                host: r.get(2)?,
                                date: r.get::<_, Option<i64>>(3)?.map(from_ts),
                                title: r.get(4)?,
                            },
                            r.get::<_, String>(5)?,
                            r.get::<_, u32>(6)?,
                        ))
                    },
                )?;
                rows.push(BackfillRow { url: row.0, status: BackfillStatus::parse(&row.1)?, attempts: row.2 });
            }
        }
        tx.commit()?;
        Ok(rows)
    }

    /// Records the outcome for one URL; `attempted` counts a page request.
    pub fn mark_backfill(
        &self,
        canonical: &str,
        status: BackfillStatus,
        error: Option<&str>,
        attempted: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE backfill_urls SET status = ?2, error = ?3, attempts = attempts + ?4, updated_at = ?5
             WHERE canonical = ?1",
            params![canonical, status.as_str(), error, i64::from(attempted), ts(now)],
        )?;
        Ok(())
    }

    /// Marks many URLs at once (out of range, say), in one transaction.
    pub fn mark_backfill_many(
        &self,
        canonicals: &[&str],
        status: BackfillStatus,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut stmt =
                tx.prepare_cached("UPDATE backfill_urls SET status = ?2, updated_at = ?3 WHERE canonical = ?1")?;
            for c in canonicals {
                stmt.execute(params![c, status.as_str(), ts(now)])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Counts one request to `host` on `day` against `budget`; false when the day's budget is spent.
    pub fn take_request(&self, host: &str, day: &str, budget: u32) -> Result<bool, StoreError> {
        if budget == 0 {
            return Ok(false);
        }
        let changed = self.conn().execute(
            "INSERT INTO host_requests (host, day, requests) VALUES (?1, ?2, 1)
             ON CONFLICT (host, day) DO UPDATE SET requests = host_requests.requests + 1
             WHERE host_requests.requests < ?3",
            params![host, day, budget],
        )?;
        Ok(changed > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(c: &str, date: Option<i64>) -> QueuedUrl {
        QueuedUrl {
            canonical: c.into(),
            url: format!("https://{c}"),
            source: "s".into(),
            host: "x.se".into(),
            date: date.map(from_ts),
            title: None,
        }
    }

    #[test]
    fn queue_keeps_status_and_fills_missing_dates() {
        let store = Store::open_in_memory().unwrap();
        let now = from_ts(1_700_000_000);
        let rows = store.queue_backfill(&[url("x.se/a", None), url("x.se/b", Some(5))], now).unwrap();
        assert!(rows.iter().all(|r| r.status == BackfillStatus::Queued && r.attempts == 0));
        store.mark_backfill("x.se/a", BackfillStatus::Failed, Some("HTTP 500"), true, now).unwrap();
        store.mark_backfill("x.se/b", BackfillStatus::Done, None, true, now).unwrap();
        let again = store.queue_backfill(&[url("x.se/a", Some(7)), url("x.se/b", Some(9))], now).unwrap();
        assert_eq!(
            (again[0].status, again[0].attempts, again[0].url.date),
            (BackfillStatus::Failed, 1, Some(from_ts(7)))
        );
        assert_eq!((again[1].status, again[1].url.date), (BackfillStatus::Done, Some(from_ts(5))));
    }

    #[test]
    fn budget_is_per_host_and_day() {
        let store = Store::open_in_memory().unwrap();
        assert!(store.take_request("a.se", "2026-01-01", 2).unwrap());
        assert!(store.take_request("a.se", "2026-01-01", 2).unwrap());
        assert!(!store.take_request("a.se", "2026-01-01", 2).unwrap());
        assert!(store.take_request("b.se", "2026-01-01", 2).unwrap());
        assert!(store.take_request("a.se", "2026-01-02", 2).unwrap());
    }
}
