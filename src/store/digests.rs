//! Stored digests: once built for a finished week, a digest is kept as rendered (JSON, HTML,
//! Markdown), so last month's digest reads the same next year; and the record of its sending,
//! so the schedule sends each week exactly once across restarts.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{from_ts, ts, Store, StoreError};

#[derive(Debug, Clone, PartialEq)]
pub struct StoredDigest {
    pub week: String,
    pub language: String,
    pub json: String,
    pub html: String,
    pub markdown: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub sent_to: Option<String>,
    /// Why a scheduled digest was recorded without mailing (an empty week with send_empty off).
    pub send_note: Option<String>,
}

impl Store {
    pub fn stored_digest(&self, week: &str) -> Result<Option<StoredDigest>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT week, language, json, html, markdown, created_at, sent_at, sent_to, send_note
                 FROM digests WHERE week = ?1",
                [week],
                |r| {
                    Ok(StoredDigest {
                        week: r.get(0)?,
                        language: r.get(1)?,
                        json: r.get(2)?,
                        html: r.get(3)?,
                        markdown: r.get(4)?,
                        created_at: from_ts(r.get(5)?),
                        sent_at: r.get::<_, Option<i64>>(6)?.map(from_ts),
                        sent_to: r.get(7)?,
                        send_note: r.get(8)?,
                    })
                },
            )
            .optional()?)
    }

    /// Stores (or, on an explicit rebuild, replaces) a week's rendered digest; a send already
    /// recorded for the week stays recorded.
    pub fn save_digest(
        &self,
        week: &str,
        language: &str,
        json: &str,
        html: &str,
        markdown: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO digests (week, language, json, html, markdown, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (week) DO UPDATE SET language = excluded.language, json = excluded.json,
                 html = excluded.html, markdown = excluded.markdown, created_at = excluded.created_at",
            params![week, language, json, html, markdown, ts(now)],
        )?;
        Ok(())
    }

    /// Records that a week's digest went out (or was deliberately not mailed, with `note`).
    pub fn mark_digest_sent(
        &self,
        week: &str,
        at: DateTime<Utc>,
        to: &str,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        let n = self.conn().execute(
            "UPDATE digests SET sent_at = ?2, sent_to = ?3, send_note = ?4 WHERE week = ?1",
            params![week, ts(at), to, note],
        )?;
        if n == 0 {
            return Err(StoreError::Corrupt(format!("no stored digest for {week} to mark as sent")));
        }
        Ok(())
    }
}

/// A stored digest as the list of past digests shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DigestSummary {
    pub week: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Every stored digest, newest week first.
    pub fn list_digests(&self) -> Result<Vec<DigestSummary>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT week, created_at, sent_at FROM digests ORDER BY week DESC")?;
        let rows = stmt.query_map([], |r| {
            Ok(DigestSummary {
                week: r.get(0)?,
                created_at: from_ts(r.get(1)?),
                sent_at: r.get::<_, Option<i64>>(2)?.map(from_ts),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
