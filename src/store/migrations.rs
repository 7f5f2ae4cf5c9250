//! Schema migrations, append-only: a released step is never edited, only followed by a new one.
//! `PRAGMA user_version` records how many steps a database has had.

use rusqlite::Connection;

use super::StoreError;

const STEPS: &[&str] = &[
    // 1: feeds, articles, appearances, labels, corrections.
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta (key, value) VALUES ('change_seq', '0');

    CREATE TABLE feeds (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        url TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        body_hash TEXT,
        last_attempt_at INTEGER,
        last_success_at INTEGER,
        last_error TEXT,
        last_warning TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        next_due_at INTEGER,
        items_last_seen INTEGER NOT NULL DEFAULT 0
    );

    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        canonical TEXT NOT NULL UNIQUE,
        url TEXT NOT NULL,
        title TEXT NOT NULL,
        published_at INTEGER,
        first_seen_at INTEGER NOT NULL,
        text TEXT NOT NULL,
        text_source TEXT NOT NULL,
        feed_html TEXT NOT NULL DEFAULT '',
        page_html_gz BLOB,
        page_status TEXT NOT NULL,
        page_error TEXT,
        page_attempts INTEGER NOT NULL DEFAULT 0,
        change_seq INTEGER NOT NULL
    );
    CREATE INDEX articles_change_seq ON articles (change_seq);
    CREATE INDEX articles_published ON articles (published_at);

    CREATE TABLE appearances (
        article_id INTEGER NOT NULL REFERENCES articles (id),
        feed_id TEXT NOT NULL,
        guid TEXT,
        link TEXT NOT NULL,
        seen_at INTEGER NOT NULL,
        PRIMARY KEY (article_id, feed_id)
    );
    CREATE INDEX appearances_guid ON appearances (feed_id, guid);

    CREATE TABLE labels (
        article_id INTEGER NOT NULL REFERENCES articles (id),
        district_id TEXT NOT NULL,
        label TEXT NOT NULL,
        score REAL NOT NULL,
        frames TEXT NOT NULL,
        evidence TEXT NOT NULL,
        classifier_version TEXT NOT NULL,
        classified_at INTEGER NOT NULL,
        PRIMARY KEY (article_id, district_id)
    );
    CREATE INDEX labels_district ON labels (district_id, article_id);

    CREATE TABLE corrections (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles (id),
        district_id TEXT NOT NULL,
        label TEXT NOT NULL,
        user_name TEXT NOT NULL,
        note TEXT,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX corrections_article ON corrections (article_id, district_id);
    "#,
    // 2: backfill. Articles from an archive (sitemap, import) may have no date at all: `undated`
    // keeps them out of the weekly figures instead of placing them in the week they were fetched.
    // `backfill_urls` is the resumable queue of discovered URLs; `host_requests` the daily budget.
    r#"
    ALTER TABLE articles ADD COLUMN undated INTEGER NOT NULL DEFAULT 0;

    CREATE TABLE backfill_urls (
        canonical TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        source TEXT NOT NULL,
        host TEXT NOT NULL,
        sitemap_date INTEGER,
        title TEXT,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        article_id INTEGER,
        queued_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX backfill_urls_source ON backfill_urls (source, status);

    CREATE TABLE host_requests (
        host TEXT NOT NULL,
        day TEXT NOT NULL,
        requests INTEGER NOT NULL,
        PRIMARY KEY (host, day)
    );
    "#,
];

/// The schema version this build writes.
pub const LATEST: usize = STEPS.len();

/// Brings the database up to `LATEST`, one transaction per step.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: usize = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if current > LATEST {
        return Err(StoreError::TooNew { found: current, known: LATEST });
    }
    for (i, step) in STEPS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
