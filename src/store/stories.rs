//! Which story each article belongs to: its date, its story id (the id of the story's first
//! article) and the MinHash signature later articles are compared with. Clustering itself is
//! pure code in `crate::stories`; this file only keeps the answers.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::labels::write_labels;
use super::{from_ts, next_seq, ts, NewArticle, Store, StoreError};
use crate::model::Tone;

/// An earlier article a new one may be a copy of.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryRow {
    pub article_id: i64,
    pub story_id: i64,
    pub at: DateTime<Utc>,
    pub signature: Vec<u8>,
}

/// One article of a bulk load (benchmarks, imports of generated archives).
pub struct BulkArticle {
    pub article: NewArticle,
    pub feed_id: String,
    pub labels: Vec<(String, Tone)>,
    /// Joins the story of the item before it in the same batch.
    pub same_story_as_previous: bool,
}

impl Store {
    /// Articles dated in `[from, to]` that carry a signature, other than `except`.
    pub fn story_candidates(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        except: i64,
    ) -> Result<Vec<StoryRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT article_id, story_id, at, signature FROM stories
             WHERE at >= ?1 AND at <= ?2 AND article_id <> ?3 AND LENGTH(signature) > 0",
        )?;
        let rows = stmt
            .query_map(params![ts(from), ts(to), except], |r| {
                Ok(StoryRow {
                    article_id: r.get(0)?,
                    story_id: r.get(1)?,
                    at: from_ts(r.get(2)?),
                    signature: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Puts an article in a story and keeps its signature for the articles after it.
    pub fn set_story(&self, article_id: i64, story_id: i64, signature: &[u8]) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE stories SET story_id = ?2, signature = ?3 WHERE article_id = ?1",
            params![article_id, story_id, signature],
        )?;
        tx.execute("UPDATE labels SET story_id = ?2 WHERE article_id = ?1", params![article_id, story_id])?;
        tx.commit()?;
        Ok(())
    }

    /// The story an article belongs to and its date, if stored.
    pub fn story_of(&self, article_id: i64) -> Result<Option<StoryRow>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn()
            .query_row(
                "SELECT article_id, story_id, at, signature FROM stories WHERE article_id = ?1",
                [article_id],
                |r| {
                    Ok(StoryRow {
                        article_id: r.get(0)?,
                        story_id: r.get(1)?,
                        at: from_ts(r.get(2)?),
                        signature: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Inserts many articles in one transaction (no signatures, no kept pages): for benchmarks
    /// and generated archives, where one transaction per article would dominate the time.
    pub fn insert_bulk(&self, items: &[BulkArticle], classifier_version: &str) -> Result<Vec<i64>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut ids = Vec::with_capacity(items.len());
        let mut prev_story = None;
        {
            let mut art = tx.prepare_cached(
                "INSERT INTO articles (uid, canonical, url, title, published_at, first_seen_at, text, text_source,
                     feed_html, page_status, page_error, page_attempts, change_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?;
            let mut story = tx
                .prepare_cached("INSERT INTO stories (article_id, story_id, at, signature) VALUES (?1, ?2, ?3, X'')")?;
            let mut appearance = tx.prepare_cached(
                "INSERT INTO appearances (article_id, feed_id, guid, link, seen_at) VALUES (?1, ?2, NULL, ?3, ?4)",
            )?;
            for item in items {
                let a = &item.article;
                let seq = next_seq(&tx)?;
                art.execute(params![
                    a.uid,
                    a.canonical,
                    a.url,
                    a.title,
                    a.published.map(ts),
                    ts(a.seen),
                    a.text,
                    a.text_source,
                    a.feed_html,
                    a.page_status,
                    a.page_error,
                    a.page_attempts,
                    seq
                ])?;
                let id = tx.last_insert_rowid();
                let story_id = match (item.same_story_as_previous, prev_story) {
                    (true, Some(s)) => s,
                    _ => id,
                };
                prev_story = Some(story_id);
                story.execute(params![id, story_id, ts(a.published.unwrap_or(a.seen))])?;
                appearance.execute(params![id, item.feed_id, a.url, ts(a.seen)])?;
                write_labels(&tx, id, &item.labels, classifier_version, a.seen)?;
                ids.push(id);
            }
        }
        tx.commit()?;
        Ok(ids)
    }
}
