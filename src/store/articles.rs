//! Article rows and their appearances in feeds. An article is one canonical URL; each feed that
//! carried it adds an appearance, so a story reached through two feeds is stored once.

use std::io::{Read, Write};

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};

use super::labels::{effective_labels, write_labels};
use super::{from_ts, next_seq, ts, Store, StoreError};
use crate::model::{IndexDoc, Tone};

/// Enough of a stored article to decide what to do with a feed entry that points at it.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleRef {
    pub id: i64,
    pub uid: String,
    pub page_status: String,
    pub page_attempts: u32,
}

#[derive(Debug, Clone)]
pub struct NewArticle {
    pub uid: String,
    pub canonical: String,
    pub url: String,
    pub title: String,
    pub published: Option<DateTime<Utc>>,
    pub seen: DateTime<Utc>,
    /// No date anywhere (archive articles): kept out of dated figures instead of dated by `seen`.
    pub undated: bool,
    pub text: String,
    /// Which extractor produced `text`: json_ld, selector, generic, feed, none.
    pub text_source: String,
    pub feed_html: String,
    pub page_html: Option<String>,
    /// ok, failed, refused or skipped (feed without full_text).
    pub page_status: String,
    pub page_error: Option<String>,
    pub page_attempts: u32,
}

/// A new attempt at the article page (or a re-extraction of the kept page).
#[derive(Debug, Clone)]
pub struct PageUpdate {
    pub title: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub text: String,
    pub text_source: String,
    pub page_html: Option<String>,
    pub page_status: String,
    pub page_error: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredArticle {
    pub id: i64,
    pub uid: String,
    pub url: String,
    pub title: String,
    pub published: Option<DateTime<Utc>>,
    pub seen: DateTime<Utc>,
    pub undated: bool,
    pub text: String,
    pub text_source: String,
    pub page_status: String,
    pub page_error: Option<String>,
    pub sources: Vec<String>,
}

fn gzip(text: &str) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(text.as_bytes()).expect("writing to a Vec cannot fail");
    enc.finish().expect("writing to a Vec cannot fail")
}

fn gunzip(bytes: &[u8]) -> Result<String, StoreError> {
    let mut s = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut s)
        .map_err(|e| StoreError::Corrupt(format!("stored page: {e}")))?;
    Ok(s)
}

impl Store {
    /// The article a feed entry refers to: by canonical URL, else by the feed's own GUID.
    pub fn find_article(
        &self,
        canonical: &str,
        feed_id: &str,
        guid: Option<&str>,
    ) -> Result<Option<ArticleRef>, StoreError> {
        let conn = self.conn();
        let by_url = conn
            .query_row(
                "SELECT id, uid, page_status, page_attempts FROM articles WHERE canonical = ?1",
                [canonical],
                |r| Ok(ArticleRef { id: r.get(0)?, uid: r.get(1)?, page_status: r.get(2)?, page_attempts: r.get(3)? }),
            )
            .optional()?;
        if by_url.is_some() || guid.is_none() {
            return Ok(by_url);
        }
        Ok(conn
            .query_row(
                "SELECT a.id, a.uid, a.page_status, a.page_attempts FROM appearances p JOIN articles a ON a.id = p.article_id
                 WHERE p.feed_id = ?1 AND p.guid = ?2 LIMIT 1",
                params![feed_id, guid],
                |r| Ok(ArticleRef { id: r.get(0)?, uid: r.get(1)?, page_status: r.get(2)?, page_attempts: r.get(3)? }),
            )
            .optional()?)
    }

    /// Stores a new article with its first appearance and labels, in one transaction.
    pub fn insert_article(
        &self,
        a: &NewArticle,
        feed_id: &str,
        guid: Option<&str>,
        link: &str,
        labels: &[(String, Tone)],
        classifier_version: &str,
    ) -> Result<i64, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let seq = next_seq(&tx)?;
        tx.execute(
            "INSERT INTO articles (uid, canonical, url, title, published_at, first_seen_at, text, text_source,
                 feed_html, page_html_gz, page_status, page_error, page_attempts, change_seq, undated)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![
                a.uid,
                a.canonical,
                a.url,
                a.title,
                a.published.map(ts),
                ts(a.seen),
                a.text,
                a.text_source,
                a.feed_html,
                a.page_html.as_deref().map(gzip),
                a.page_status,
                a.page_error,
                a.page_attempts,
                seq,
                a.undated && a.published.is_none()
            ],
        )?;
        let id = tx.last_insert_rowid();
        // A story of its own until ingest finds the story it belongs to (`set_story`): an article
        // is never missing from the figures, whatever happens between the two steps. An undated
        // archive article gets no row, so no week counts it (its labels' `at` stays NULL).
        if !(a.undated && a.published.is_none()) {
            tx.execute(
                "INSERT INTO stories (article_id, story_id, at, signature) VALUES (?1, ?1, ?2, X'')",
                params![id, ts(a.published.unwrap_or(a.seen))],
            )?;
        }
        tx.execute(
            "INSERT INTO appearances (article_id, feed_id, guid, link, seen_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, feed_id, guid, link, ts(a.seen)],
        )?;
        write_labels(&tx, id, labels, classifier_version, a.seen)?;
        tx.commit()?;
        Ok(id)
    }

    /// Records that `feed_id` carried the article; true when this feed is new for it.
    pub fn add_appearance(
        &self,
        article_id: i64,
        feed_id: &str,
        guid: Option<&str>,
        link: &str,
        seen: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let added = tx.execute(
            "INSERT INTO appearances (article_id, feed_id, guid, link, seen_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (article_id, feed_id) DO NOTHING",
            params![article_id, feed_id, guid, link, ts(seen)],
        )? > 0;
        if added {
            // The index holds the list of sources, so it must see this article again.
            bump(&tx, article_id)?;
        }
        tx.commit()?;
        Ok(added)
    }

    /// Gives an undated archive article the date a feed later carried it with; true when it had none.
    pub fn date_if_undated(&self, article_id: i64, published: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let changed = tx.execute(
            "UPDATE articles SET published_at = ?2, undated = 0 WHERE id = ?1 AND undated = 1",
            params![article_id, ts(published)],
        )? > 0;
        if changed {
            // Now it has a week: a story of its own there, and its labels dated with it.
            tx.execute(
                "INSERT INTO stories (article_id, story_id, at, signature) VALUES (?1, ?1, ?2, X'')
                 ON CONFLICT (article_id) DO UPDATE SET at = excluded.at",
                params![article_id, ts(published)],
            )?;
            tx.execute("UPDATE labels SET at = ?2 WHERE article_id = ?1", params![article_id, ts(published)])?;
            bump(&tx, article_id)?;
        }
        tx.commit()?;
        Ok(changed)
    }

    /// Replaces the article's text after a new page attempt, with fresh labels.
    pub fn update_page(
        &self,
        article_id: i64,
        u: &PageUpdate,
        labels: &[(String, Tone)],
        classifier_version: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE articles SET title = COALESCE(?2, title), published_at = COALESCE(?3, published_at),
                 undated = CASE WHEN ?3 IS NULL THEN undated ELSE 0 END,
                 text = ?4, text_source = ?5, page_html_gz = COALESCE(?6, page_html_gz), page_status = ?7,
                 page_error = ?8, page_attempts = page_attempts + 1
             WHERE id = ?1",
            params![
                article_id,
                u.title,
                u.published.map(ts),
                u.text,
                u.text_source,
                u.page_html.as_deref().map(gzip),
                u.page_status,
                u.page_error
            ],
        )?;
        // A date found on the page moves the article (and its labels) to that date's week.
        tx.execute(
            "UPDATE stories SET at = (SELECT COALESCE(a.published_at, a.first_seen_at) FROM articles a WHERE a.id = ?1)
             WHERE article_id = ?1",
            [article_id],
        )?;
        write_labels(&tx, article_id, labels, classifier_version, now)?;
        bump(&tx, article_id)?;
        tx.commit()?;
        Ok(())
    }

    pub fn article_by_uid(&self, uid: &str) -> Result<Option<StoredArticle>, StoreError> {
        let conn = self.conn();
        let art = conn
            .query_row(
                "SELECT id, uid, url, title, published_at, first_seen_at, text, text_source, page_status, page_error,
                     undated
                 FROM articles WHERE uid = ?1",
                [uid],
                |r| {
                    Ok(StoredArticle {
                        id: r.get(0)?,
                        uid: r.get(1)?,
                        url: r.get(2)?,
                        title: r.get(3)?,
                        published: r.get::<_, Option<i64>>(4)?.map(from_ts),
                        seen: from_ts(r.get(5)?),
                        text: r.get(6)?,
                        text_source: r.get(7)?,
                        page_status: r.get(8)?,
                        page_error: r.get(9)?,
                        undated: r.get(10)?,
                        sources: Vec::new(),
                    })
                },
            )
            .optional()?;
        let Some(mut art) = art else { return Ok(None) };
        art.sources = sources(&conn, art.id)?;
        Ok(Some(art))
    }

    /// The kept page and feed content of an article, for re-extraction without refetching.
    pub fn article_sources_html(&self, article_id: i64) -> Result<(Option<String>, String), StoreError> {
        let (gz, feed_html): (Option<Vec<u8>>, String) =
            self.conn().query_row("SELECT page_html_gz, feed_html FROM articles WHERE id = ?1", [article_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        Ok((gz.as_deref().map(gunzip).transpose()?, feed_html))
    }

    pub fn article_count(&self) -> Result<u64, StoreError> {
        Ok(self.conn().query_row("SELECT COUNT(*) FROM articles", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// Articles changed after `after_seq`, oldest change first, as index documents.
    pub fn index_docs_after(&self, after_seq: i64, limit: usize) -> Result<Vec<(i64, IndexDoc)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, change_seq, uid, title, text, published_at, first_seen_at, undated FROM articles
             WHERE change_seq > ?1 ORDER BY change_seq LIMIT ?2",
        )?;
        let rows: Vec<(i64, i64, IndexDoc)> = stmt
            .query_map(params![after_seq, limit as i64], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    IndexDoc {
                        uid: r.get(2)?,
                        title: r.get(3)?,
                        text: r.get(4)?,
                        published: r.get::<_, Option<i64>>(5)?.map(from_ts),
                        seen: from_ts(r.get(6)?),
                        undated: r.get(7)?,
                        sources: Vec::new(),
                        labels: Vec::new(),
                    },
                ))
            })?
            .collect::<Result<_, _>>()?;
        drop(stmt);
        let mut out = Vec::with_capacity(rows.len());
        for (id, seq, mut doc) in rows {
            doc.sources = sources(&conn, id)?;
            doc.labels = effective_labels(&conn, id)?;
            out.push((seq, doc));
        }
        Ok(out)
    }

    /// Drops kept pages of articles first seen before `before`; their text and labels stay.
    /// Returns how many pages were dropped.
    pub fn purge_pages(&self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        Ok(self.conn().execute(
            "UPDATE articles SET page_html_gz = NULL WHERE page_html_gz IS NOT NULL AND first_seen_at < ?1",
            [ts(before)],
        )?)
    }

    /// Ids of every article, for `reclassify`.
    pub fn article_ids(&self) -> Result<Vec<i64>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT id FROM articles ORDER BY id")?;
        let ids = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// Title and text of one article, for reclassification.
    pub fn article_text(&self, article_id: i64) -> Result<(String, String), StoreError> {
        Ok(self.conn().query_row("SELECT title, text FROM articles WHERE id = ?1", [article_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?)
    }
}

fn bump(tx: &Transaction<'_>, article_id: i64) -> Result<(), StoreError> {
    let seq = next_seq(tx)?;
    tx.execute("UPDATE articles SET change_seq = ?2 WHERE id = ?1", params![article_id, seq])?;
    Ok(())
}

pub(super) fn bump_article(tx: &Transaction<'_>, article_id: i64) -> Result<(), StoreError> {
    bump(tx, article_id)
}

pub(super) fn sources(conn: &rusqlite::Connection, article_id: i64) -> Result<Vec<String>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT feed_id FROM appearances WHERE article_id = ?1 ORDER BY seen_at, feed_id")?;
    let v = stmt.query_map([article_id], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_drops_old_pages_but_keeps_text() {
        let s = Store::open_in_memory().unwrap();
        let old = Utc::now() - chrono::Duration::days(400);
        let mk = |uid: &str, seen| NewArticle {
            uid: uid.into(),
            canonical: format!("x.se/{uid}"),
            url: format!("https://x.se/{uid}"),
            title: "t".into(),
            published: None,
            seen,
            text: "Kvar.".into(),
            text_source: "generic".into(),
            feed_html: String::new(),
            page_html: Some("<html><p>Kvar.</p></html>".into()),
            page_status: "ok".into(),
            page_error: None,
            page_attempts: 1,
            undated: false,
        };
        let a = s.insert_article(&mk("old", old), "f", None, "l", &[], "v").unwrap();
        let b = s.insert_article(&mk("new", Utc::now()), "f", None, "l", &[], "v").unwrap();
        assert_eq!(s.purge_pages(Utc::now() - chrono::Duration::days(365)).unwrap(), 1);
        assert_eq!(s.article_sources_html(a).unwrap().0, None);
        assert_eq!(s.article_sources_html(b).unwrap().0.as_deref(), Some("<html><p>Kvar.</p></html>"));
        assert_eq!(s.article_by_uid("old").unwrap().unwrap().text, "Kvar.");
    }
}
