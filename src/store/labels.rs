//! Tone labels per (article, district): the machine's, with its evidence and classifier version,
//! and beside them any staff correction, which is never overwritten by a relabelling.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::articles::{bump_article, sources};
use super::{from_ts, ts, Store, StoreError};
use crate::model::{Evidence, IndexDoc, Label, Tone};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredLabel {
    pub district_id: String,
    pub label: Label,
    pub score: f32,
    pub frames: Vec<String>,
    pub evidence: Vec<Evidence>,
    pub classifier_version: String,
    pub classified_at: DateTime<Utc>,
    /// The latest staff correction, if any: it wins in every figure.
    pub corrected: Option<Label>,
}

impl StoredLabel {
    pub fn effective(&self) -> Label {
        self.corrected.unwrap_or(self.label)
    }
}

/// One staff correction as the article page shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Correction {
    pub district_id: String,
    pub label: Label,
    /// The machine label it overrides (absent when the machine no longer labels this district).
    pub machine_label: Option<Label>,
    pub user: String,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A corrected pair as a gold line: `classify` input plus `label`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CorrectedExample {
    pub id: String,
    pub title: String,
    pub text: String,
    pub district: String,
    pub label: Label,
    pub corrected_by: String,
    pub corrected_at: DateTime<Utc>,
}

pub(super) fn parse_label(s: &str) -> Result<Label, StoreError> {
    Label::parse(s).ok_or_else(|| StoreError::Corrupt(format!("label {s:?}")))
}

/// Writes the machine labels of one article. Each row carries the article's date and story from
/// `stories` (written first), so relabelling never loses the story a label counts under.
pub(super) fn write_labels(
    tx: &Transaction<'_>,
    article_id: i64,
    labels: &[(String, Tone)],
    version: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.execute("DELETE FROM labels WHERE article_id = ?1", [article_id])?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO labels (article_id, district_id, label, score, frames, evidence, classifier_version, classified_at,
             at, story_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, (SELECT s.at FROM stories s WHERE s.article_id = ?1),
             COALESCE((SELECT s.story_id FROM stories s WHERE s.article_id = ?1), ?1))",
    )?;
    for (district, tone) in labels {
        let frames = serde_json::to_string(&tone.frames).expect("strings serialize");
        let evidence = serde_json::to_string(&tone.evidence).expect("strings serialize");
        stmt.execute(params![
            article_id,
            district,
            tone.label.as_str(),
            tone.score,
            frames,
            evidence,
            version,
            ts(now)
        ])?;
    }
    Ok(())
}

/// Article → the latest staff correction toward `district`: what overrides the machine label.
pub(super) fn corrected_labels(conn: &Connection, district: &str) -> Result<HashMap<i64, Label>, StoreError> {
    let mut out = HashMap::new();
    let mut stmt = conn
        .prepare_cached("SELECT article_id, label FROM corrections WHERE district_id = ?1 ORDER BY created_at, id")?;
    let mut rows = stmt.query([district])?;
    while let Some(r) = rows.next()? {
        // Ordered oldest first, so the latest correction is the one left in the map.
        out.insert(r.get(0)?, parse_label(&r.get::<_, String>(1)?)?);
    }
    Ok(out)
}

/// District → label as the figures count it: the latest correction, else the machine label.
pub(super) fn effective_labels(conn: &Connection, article_id: i64) -> Result<Vec<(String, Label)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.district_id, COALESCE(
             (SELECT c.label FROM corrections c WHERE c.article_id = l.article_id AND c.district_id = l.district_id
              ORDER BY c.created_at DESC, c.id DESC LIMIT 1), l.label)
         FROM labels l WHERE l.article_id = ?1 ORDER BY l.district_id",
    )?;
    let rows: Vec<(String, String)> =
        stmt.query_map([article_id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    rows.into_iter().map(|(d, l)| Ok((d, parse_label(&l)?))).collect()
}

impl Store {
    pub fn labels_for(&self, article_id: i64) -> Result<Vec<StoredLabel>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT l.district_id, l.label, l.score, l.frames, l.evidence, l.classifier_version, l.classified_at,
                 (SELECT c.label FROM corrections c WHERE c.article_id = l.article_id AND c.district_id = l.district_id
                  ORDER BY c.created_at DESC, c.id DESC LIMIT 1)
             FROM labels l WHERE l.article_id = ?1 ORDER BY l.district_id",
        )?;
        type Row = (String, String, f64, String, String, String, i64, Option<String>);
        let rows: Vec<Row> = stmt
            .query_map([article_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
            })?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(district_id, label, score, frames, evidence, version, at, corrected)| {
                Ok(StoredLabel {
                    district_id,
                    label: parse_label(&label)?,
                    score: score as f32,
                    frames: serde_json::from_str(&frames).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    evidence: serde_json::from_str(&evidence).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    classifier_version: version,
                    classified_at: from_ts(at),
                    corrected: corrected.as_deref().map(parse_label).transpose()?,
                })
            })
            .collect()
    }

    /// A staff correction of one (article, district) label, kept beside the machine label with
    /// who and when; the figures and the index use it from now on.
    pub fn add_correction(
        &self,
        article_id: i64,
        district_id: &str,
        label: Label,
        user: &str,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO corrections (article_id, district_id, label, user_name, note, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![article_id, district_id, label.as_str(), user, note, ts(now)],
        )?;
        bump_article(&tx, article_id)?;
        tx.commit()?;
        Ok(())
    }

    /// Every correction of one article, oldest first: who changed which label, when and why.
    pub fn corrections_for(&self, article_id: i64) -> Result<Vec<Correction>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT c.district_id, c.label, l.label, c.user_name, c.note, c.created_at FROM corrections c
             LEFT JOIN labels l ON l.article_id = c.article_id AND l.district_id = c.district_id
             WHERE c.article_id = ?1 ORDER BY c.created_at, c.id",
        )?;
        type Row = (String, String, Option<String>, String, Option<String>, i64);
        let rows: Vec<Row> = stmt
            .query_map([article_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(district_id, label, machine, user, note, at)| {
                Ok(Correction {
                    district_id,
                    label: parse_label(&label)?,
                    machine_label: machine.as_deref().map(parse_label).transpose()?,
                    user,
                    note,
                    created_at: from_ts(at),
                })
            })
            .collect()
    }

    /// The latest correction of every (article, district), with the article's text: labelled
    /// data in the `classify`/`eval` gold-line shape. `f` is called per line, so nothing is buffered.
    pub fn each_corrected(&self, mut f: impl FnMut(CorrectedExample)) -> Result<(), StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT a.uid, a.title, a.text, c.district_id, c.label, c.user_name, c.created_at FROM corrections c
             JOIN articles a ON a.id = c.article_id
             WHERE c.id = (SELECT c2.id FROM corrections c2 WHERE c2.article_id = c.article_id
                           AND c2.district_id = c.district_id ORDER BY c2.created_at DESC, c2.id DESC LIMIT 1)
             ORDER BY c.created_at, c.id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let label: String = r.get(4)?;
            f(CorrectedExample {
                id: r.get(0)?,
                title: r.get(1)?,
                text: r.get(2)?,
                district: r.get(3)?,
                label: parse_label(&label)?,
                corrected_by: r.get(5)?,
                corrected_at: from_ts(r.get(6)?),
            });
        }
        Ok(())
    }

    /// One article as the index holds it (effective labels), so a correction can reach search at once.
    pub fn index_doc(&self, article_id: i64) -> Result<Option<IndexDoc>, StoreError> {
        let conn = self.conn();
        let doc = conn
            .query_row(
                "SELECT uid, title, text, published_at, first_seen_at, undated FROM articles WHERE id = ?1",
                [article_id],
                |r| {
                    Ok(IndexDoc {
                        uid: r.get(0)?,
                        title: r.get(1)?,
                        text: r.get(2)?,
                        published: r.get::<_, Option<i64>>(3)?.map(from_ts),
                        seen: from_ts(r.get(4)?),
                        sources: Vec::new(),
                        labels: Vec::new(),
                        undated: r.get(5)?,
                    })
                },
            )
            .optional()?;
        let Some(mut doc) = doc else { return Ok(None) };
        doc.sources = sources(&conn, article_id)?;
        doc.labels = effective_labels(&conn, article_id)?;
        Ok(Some(doc))
    }

    /// Relabels one article (after a lexicon change); corrections stay where they are.
    pub fn replace_labels(
        &self,
        article_id: i64,
        labels: &[(String, Tone)],
        version: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        write_labels(&tx, article_id, labels, version, now)?;
        bump_article(&tx, article_id)?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewArticle;

    fn tone(label: Label) -> Tone {
        Tone {
            label,
            score: -0.5,
            frames: vec!["violence".into()],
            evidence: vec![Evidence { text: "Skott i Araby.".into(), terms: vec!["skott".into()] }],
        }
    }

    #[test]
    fn corrections_survive_relabelling_and_win_in_the_index() {
        let s = Store::open_in_memory().unwrap();
        let now = Utc::now();
        let a = NewArticle {
            uid: "u1".into(),
            canonical: "x.se/a".into(),
            url: "https://x.se/a".into(),
            title: "t".into(),
            published: None,
            seen: now,
            undated: false,
            text: "Skott i Araby.".into(),
            text_source: "feed".into(),
            feed_html: String::new(),
            page_html: None,
            page_status: "skipped".into(),
            page_error: None,
            page_attempts: 0,
        };
        let id = s
            .insert_article(&a, "f", None, "https://x.se/a", &[("araby".into(), tone(Label::Stigmatizing))], "v1")
            .unwrap();
        s.add_correction(id, "araby", Label::Negative, "anna", Some("en enskild brand"), now).unwrap();
        s.replace_labels(id, &[("araby".into(), tone(Label::Stigmatizing))], "v2", now).unwrap();
        let labels = s.labels_for(id).unwrap();
        assert_eq!(labels.len(), 1);
        assert_eq!(labels[0].label, Label::Stigmatizing, "machine label kept");
        assert_eq!(labels[0].classifier_version, "v2");
        assert_eq!(labels[0].corrected, Some(Label::Negative), "correction kept beside it");
        let docs = s.index_docs_after(0, 10).unwrap();
        assert_eq!(s.purge_pages(now - chrono::Duration::days(1)).unwrap(), 0, "nothing old enough");
        assert_eq!(docs[0].1.labels, vec![("araby".to_string(), Label::Negative)], "figures use the correction");
        let c = s.corrections_for(id).unwrap();
        assert_eq!(
            (c[0].user.as_str(), c[0].label, c[0].machine_label),
            ("anna", Label::Negative, Some(Label::Stigmatizing))
        );
        let mut gold = Vec::new();
        s.each_corrected(|g| gold.push(g)).unwrap();
        assert_eq!((gold.len(), gold[0].district.as_str(), gold[0].label), (1, "araby", Label::Negative));
    }
}
