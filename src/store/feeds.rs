//! Feed rows: what each configured feed is and how its polling went (validators, errors, back-off).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{from_ts, ts, Store, StoreError};

/// A feed's polling state, as `tonlage check` and the sources page show it.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct FeedState {
    pub id: String,
    pub name: String,
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub body_hash: Option<String>,
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// `FailureKind::code` of the last error, so pages can explain it in their language; `None`
    /// for errors recorded before schema step 6.
    pub last_error_kind: Option<String>,
    pub last_warning: Option<String>,
    pub consecutive_failures: u32,
    pub next_due: Option<DateTime<Utc>>,
    pub items_last_seen: u32,
    pub articles: u64,
}

const COLUMNS: &str = "f.id, f.name, f.url, f.etag, f.last_modified, f.body_hash, f.last_attempt_at, \
    f.last_success_at, f.last_error, f.last_warning, f.consecutive_failures, f.next_due_at, f.items_last_seen, \
    (SELECT COUNT(*) FROM appearances a WHERE a.feed_id = f.id), f.last_error_kind";

fn row_to_state(r: &rusqlite::Row<'_>) -> rusqlite::Result<FeedState> {
    Ok(FeedState {
        id: r.get(0)?,
        name: r.get(1)?,
        url: r.get(2)?,
        etag: r.get(3)?,
        last_modified: r.get(4)?,
        body_hash: r.get(5)?,
        last_attempt: r.get::<_, Option<i64>>(6)?.map(from_ts),
        last_success: r.get::<_, Option<i64>>(7)?.map(from_ts),
        last_error: r.get(8)?,
        last_warning: r.get(9)?,
        consecutive_failures: r.get(10)?,
        next_due: r.get::<_, Option<i64>>(11)?.map(from_ts),
        items_last_seen: r.get(12)?,
        articles: r.get::<_, i64>(13)? as u64,
        last_error_kind: r.get(14)?,
    })
}

impl Store {
    /// Records the configured feeds; a changed URL forgets the old validators.
    pub fn upsert_feed(&self, id: &str, name: &str, url: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO feeds (id, name, url) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name,
                 etag = CASE WHEN feeds.url = excluded.url THEN feeds.etag END,
                 last_modified = CASE WHEN feeds.url = excluded.url THEN feeds.last_modified END,
                 body_hash = CASE WHEN feeds.url = excluded.url THEN feeds.body_hash END,
                 url = excluded.url",
            params![id, name, url],
        )?;
        Ok(())
    }

    pub fn feed_state(&self, id: &str) -> Result<Option<FeedState>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM feeds f WHERE f.id = ?1");
        Ok(self.conn().query_row(&sql, [id], row_to_state).optional()?)
    }

    pub fn feed_states(&self) -> Result<Vec<FeedState>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM feeds f ORDER BY f.id");
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map([], row_to_state)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A poll that got a body (or a 304, with `validators` unchanged).
    #[allow(clippy::too_many_arguments)]
    pub fn record_feed_success(
        &self,
        id: &str,
        now: DateTime<Utc>,
        etag: Option<&str>,
        last_modified: Option<&str>,
        body_hash: Option<&str>,
        items: Option<u32>,
        warning: Option<&str>,
        next_due: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE feeds SET last_attempt_at = ?2, last_success_at = ?2, last_error = NULL, last_error_kind = NULL,
                 consecutive_failures = 0, next_due_at = ?3,
                 etag = COALESCE(?4, etag), last_modified = COALESCE(?5, last_modified),
                 body_hash = COALESCE(?6, body_hash), items_last_seen = COALESCE(?7, items_last_seen),
                 last_warning = ?8
             WHERE id = ?1",
            params![id, ts(now), ts(next_due), etag, last_modified, body_hash, items, warning],
        )?;
        Ok(())
    }

    /// A failed poll: the error is kept for the operator and the failure count drives back-off.
    pub fn record_feed_failure(
        &self,
        id: &str,
        now: DateTime<Utc>,
        error: &str,
        kind: Option<&str>,
        next_due: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE feeds SET last_attempt_at = ?2, last_error = ?3, last_error_kind = ?5,
                 consecutive_failures = consecutive_failures + 1, next_due_at = ?4
             WHERE id = ?1",
            params![id, ts(now), error, ts(next_due), kind],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_count_and_success_resets() {
        let s = Store::open_in_memory().unwrap();
        s.upsert_feed("a", "A", "http://x/a").unwrap();
        let now = Utc::now();
        s.record_feed_failure("a", now, "HTTP 500", Some("http:500"), now).unwrap();
        s.record_feed_failure("a", now, "HTTP 500", Some("http:500"), now).unwrap();
        let st = s.feed_state("a").unwrap().unwrap();
        assert_eq!(st.consecutive_failures, 2);
        assert_eq!(st.last_error.as_deref(), Some("HTTP 500"));
        assert_eq!(st.last_error_kind.as_deref(), Some("http:500"));
        s.record_feed_success("a", now, Some("\"e1\""), None, Some("h"), Some(3), None, now).unwrap();
        let st = s.feed_state("a").unwrap().unwrap();
        assert_eq!(st.consecutive_failures, 0);
        assert_eq!(st.etag.as_deref(), Some("\"e1\""));
        assert!(st.last_error.is_none() && st.last_error_kind.is_none());
        s.upsert_feed("a", "A", "http://x/other").unwrap();
        assert!(s.feed_state("a").unwrap().unwrap().etag.is_none(), "a moved feed forgets its validators");
    }
}
