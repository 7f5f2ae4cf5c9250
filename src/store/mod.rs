//! The store: SQLite, the source of truth for feeds, articles, their appearances and labels.
//! Plain, portable SQL behind this module's functions, so a PostgreSQL backend can replace it later.

mod articles;
mod backfill;
mod digests;
mod feeds;
mod figure_cache;
mod figures;
mod labels;
mod migrations;
mod stories;
mod users;
mod weekly;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::Connection;

pub use articles::{ArticleRef, NewArticle, PageUpdate, StoredArticle};
pub use backfill::{BackfillRow, BackfillStatus, QueuedUrl};
pub use digests::{DigestSummary, StoredDigest};
pub use feeds::FeedState;
pub use figure_cache::{CachedWeeks, PendingTouches, ARCHIVE_SCOPE};
pub use figures::{ArticleBrief, FigureRow};
pub use labels::{CorrectedExample, Correction, StoredLabel};
pub use stories::{BulkArticle, StoryRow};
pub use users::{random_token, Account, Principal, Role, TokenInfo};
pub use weekly::{bucket_weeks, iso_week, StoryRef, WeekBucket};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("cannot open store at {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("the store has schema version {found}, newer than this build knows ({known}): upgrade tonlage")]
    TooNew { found: usize, known: usize },
    #[error("corrupt value in store: {0}")]
    Corrupt(String),
}

/// Cheap to clone; one connection shared behind a mutex (SQLite writes are serial anyway).
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

impl Store {
    /// Opens (creating and migrating) `dir/tonlage.db`.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Open { path: dir.display().to_string(), reason: e.to_string() })?;
        let path = dir.join("tonlage.db");
        let conn = Connection::open(&path)
            .map_err(|e| StoreError::Open { path: path.display().to_string(), reason: e.to_string() })?;
        Store::setup(conn, true)
    }

    /// An in-memory store with every migration: for tests.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Store::setup(Connection::open_in_memory()?, false)
    }

    fn setup(mut conn: Connection, wal: bool) -> Result<Store, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        if wal {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrations::migrate(&mut conn)?;
        Ok(Store { conn: Arc::new(Mutex::new(conn)) })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent: the transaction rolls back.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn schema_version(&self) -> Result<usize, StoreError> {
        Ok(self.conn().query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize)
    }

    /// The highest change sequence handed out: the index is in line when it has seen this one.
    pub fn change_seq(&self) -> Result<i64, StoreError> {
        let v: String = self.conn().query_row("SELECT value FROM meta WHERE key = 'change_seq'", [], |r| r.get(0))?;
        v.parse().map_err(|_| StoreError::Corrupt(format!("change_seq {v:?}")))
    }
}

/// Next change sequence number, inside the caller's transaction.
fn next_seq(tx: &rusqlite::Transaction<'_>) -> Result<i64, StoreError> {
    let v: String = tx.query_row(
        "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'change_seq' RETURNING value",
        [],
        |r| r.get(0),
    )?;
    v.parse().map_err(|_| StoreError::Corrupt(format!("change_seq {v:?}")))
}

fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn from_ts(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

impl Store {
    /// A consistent copy of the live database at `dest`, taken in one read transaction so writers
    /// (a running `tonlage run`) go on meanwhile and the copy is one moment's state.
    pub fn backup_to(&self, dest: &Path) -> Result<(), StoreError> {
        let conn = self.conn();
        let mut target = Connection::open(dest)
            .map_err(|e| StoreError::Open { path: dest.display().to_string(), reason: e.to_string() })?;
        {
            let backup = rusqlite::backup::Backup::new(&conn, &mut target)?;
            // -1: every page in one step, so a concurrent write cannot restart or tear the copy.
            backup.step(-1)?;
        }
        target.pragma_update(None, "journal_mode", "DELETE")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_and_are_idempotent() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(store.schema_version().unwrap(), migrations::LATEST);
        let mut conn = store.conn();
        migrations::migrate(&mut conn).unwrap();
    }
}
