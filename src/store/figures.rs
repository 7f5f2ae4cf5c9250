//! Rows for the weekly figures: one per (article, district) with its date, story and effective
//! label, read from a covering index so a district's five-year series never touches article rows.
//! The arithmetic is `crate::digest`'s; this file only fetches.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::labels::{corrected_labels, parse_label};
use super::{from_ts, ts, Store, StoreError};
use crate::model::Label;

/// One (article, district) pair as the figures count it.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureRow {
    pub article_id: i64,
    pub at: DateTime<Utc>,
    pub story_id: i64,
    /// The effective label: the latest staff correction, else the machine's.
    pub label: Label,
    pub frames: Vec<String>,
}

/// What a digest shows of one article.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleBrief {
    pub article_id: i64,
    pub title: String,
    pub url: String,
    pub at: DateTime<Utc>,
    pub sources: Vec<String>,
    /// The first evidence sentence of the label toward the district that is not the headline.
    pub evidence: Option<String>,
    pub score: f32,
}

impl Store {
    /// The district's rows dated in `[from, to)`, corrections applied.
    pub fn figure_rows(
        &self,
        district: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<FigureRow>, StoreError> {
        let conn = self.conn();
        let corrected = corrected_labels(&conn, district)?;
        let mut stmt = conn.prepare_cached(
            "SELECT article_id, at, story_id, label, frames FROM labels
             WHERE district_id = ?1 AND at >= ?2 AND at < ?3",
        )?;
        let mut rows = stmt.query(params![district, ts(from), ts(to)])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let article_id: i64 = r.get(0)?;
            let label = match corrected.get(&article_id) {
                Some(l) => *l,
                None => parse_label(r.get_ref(3)?.as_str().map_err(rusqlite::Error::from)?)?,
            };
            out.push(FigureRow {
                article_id,
                at: from_ts(r.get(1)?),
                story_id: r.get::<_, Option<i64>>(2)?.unwrap_or(article_id),
                label,
                frames: parse_frames(r.get_ref(4)?.as_str().map_err(rusqlite::Error::from)?)?,
            });
        }
        Ok(out)
    }

    /// (article, feed) for every appearance of the district's articles dated in `[from, to)`.
    pub fn figure_sources(
        &self,
        district: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT l.article_id, p.feed_id FROM labels l JOIN appearances p ON p.article_id = l.article_id
             WHERE l.district_id = ?1 AND l.at >= ?2 AND l.at < ?3",
        )?;
        let rows = stmt.query_map(params![district, ts(from), ts(to)], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Articles and distinct stories of the whole archive in each interval `[bounds[i], bounds[i+1])`.
    /// Counted inside SQLite over the `stories_at` index: a five-year series of a million articles
    /// never crosses into Rust row by row.
    pub fn volume(&self, bounds: &[DateTime<Utc>]) -> Result<Vec<(u32, u32)>, StoreError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT COUNT(*), COUNT(DISTINCT story_id) FROM stories WHERE at >= ?1 AND at < ?2")?;
        let mut out = Vec::with_capacity(bounds.len().saturating_sub(1));
        for w in bounds.windows(2) {
            out.push(stmt.query_row(params![ts(w[0]), ts(w[1])], |r| Ok((r.get::<_, u32>(0)?, r.get::<_, u32>(1)?)))?);
        }
        Ok(out)
    }

    /// Title, link, outlets and evidence of the given articles' labels toward `district`.
    pub fn article_briefs(&self, district: &str, ids: &[i64]) -> Result<Vec<ArticleBrief>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT a.id, a.title, a.url, COALESCE(a.published_at, a.first_seen_at), l.evidence, l.score
             FROM articles a JOIN labels l ON l.article_id = a.id AND l.district_id = ?2 WHERE a.id = ?1",
        )?;
        let mut src =
            conn.prepare_cached("SELECT feed_id FROM appearances WHERE article_id = ?1 ORDER BY seen_at, feed_id")?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let row = stmt.query_row(params![id, district], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, f64>(5)?,
                ))
            });
            let (article_id, title, url, at, evidence, score) = match row {
                Ok(r) => r,
                Err(rusqlite::Error::QueryReturnedNoRows) => continue,
                Err(e) => return Err(e.into()),
            };
            let evidence: Vec<crate::model::Evidence> =
                serde_json::from_str(&evidence).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let sources = src.query_map([id], |r| r.get(0))?.collect::<Result<_, _>>()?;
            // The headline is shown anyway: prefer the first sentence from the body.
            let evidence = evidence
                .iter()
                .find(|e| !title.contains(e.text.trim().trim_end_matches('.')))
                .or(evidence.first())
                .map(|e| e.text.clone());
            out.push(ArticleBrief { article_id, title, url, at: from_ts(at), sources, evidence, score: score as f32 });
        }
        Ok(out)
    }
}

/// Frames are stored as a JSON array of plain ids (`["violence","gangs"]`); read those without a
/// JSON parser, since a five-year series reads a hundred thousand of them.
fn parse_frames(s: &str) -> Result<Vec<String>, StoreError> {
    let inner = s.trim().strip_prefix('[').and_then(|t| t.strip_suffix(']')).map(str::trim);
    match inner {
        Some("") => Ok(Vec::new()),
        Some(body) if !body.contains('\\') => body
            .split(',')
            .map(|f| {
                let f = f.trim();
                f.strip_prefix('"')
                    .and_then(|f| f.strip_suffix('"'))
                    .map(String::from)
                    .ok_or_else(|| StoreError::Corrupt(format!("frames {s:?}")))
            })
            .collect(),
        _ => serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("frames {s:?}: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_parse_fast_and_slow_paths() {
        assert_eq!(parse_frames("[]").unwrap(), Vec::<String>::new());
        assert_eq!(parse_frames(r#"["violence","gangs"]"#).unwrap(), vec!["violence", "gangs"]);
        assert_eq!(parse_frames(r#"["a\"b"]"#).unwrap(), vec!["a\"b"]);
        assert!(parse_frames("nonsense").is_err());
    }
}
