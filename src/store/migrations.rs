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
    // 2: stories (near-duplicate clusters of articles), each label's date and story for the weekly
    // figures (a covering index answers a district's series without touching article rows), and
    // stored digests. Articles stored before this step start as stories of their own.
    r#"
    CREATE TABLE stories (
        article_id INTEGER PRIMARY KEY REFERENCES articles (id),
        story_id INTEGER NOT NULL,
        at INTEGER NOT NULL,
        signature BLOB NOT NULL
    );
    CREATE INDEX stories_at ON stories (at, story_id);
    CREATE INDEX stories_story ON stories (story_id);
    INSERT INTO stories (article_id, story_id, at, signature)
        SELECT id, id, COALESCE(published_at, first_seen_at), X'' FROM articles;

    ALTER TABLE labels ADD COLUMN at INTEGER;
    ALTER TABLE labels ADD COLUMN story_id INTEGER;
    UPDATE labels SET at = (SELECT s.at FROM stories s WHERE s.article_id = labels.article_id),
        story_id = article_id;
    CREATE INDEX labels_figures ON labels (district_id, at, story_id, label, frames, article_id);
    CREATE INDEX corrections_district ON corrections (district_id, article_id);

    CREATE TABLE digests (
        week TEXT PRIMARY KEY,
        language TEXT NOT NULL,
        json TEXT NOT NULL,
        html TEXT NOT NULL,
        markdown TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        sent_at INTEGER,
        sent_to TEXT,
        send_note TEXT
    );
    "#,
    // 3: backfill. Articles from an archive (sitemap, import) may have no date at all: `undated`
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
    // 4: web accounts, browser sessions, API tokens, failed logins (for rate limiting).
    r#"
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );

    CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
        csrf TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE INDEX sessions_expires ON sessions (expires_at);

    CREATE TABLE api_tokens (
        token_hash TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER
    );

    CREATE TABLE login_attempts (
        key TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE INDEX login_attempts_key ON login_attempts (key, at);
    "#,
    // 5: the weekly figures cache. `figure_weeks` keeps each district's (and, as scope '*', the
    // whole archive's) tally per week; `figure_touch` records, in the writing transaction itself,
    // every change those tallies depend on, so a touched week is recomputed from the rows until
    // a refresh settles it. Everything stored before this step starts touched. `labels_latest`
    // lists a district's newest articles of one label without reading all its labels.
    r#"
    CREATE TABLE figure_weeks (
        scope TEXT NOT NULL,
        start INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (scope, start)
    ) WITHOUT ROWID;

    CREATE TABLE figure_touch (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        scope TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE INDEX figure_touch_scope ON figure_touch (scope, at);

    INSERT INTO figure_touch (scope, at)
        SELECT DISTINCT district_id, at - ((at % 3600) + 3600) % 3600 FROM labels WHERE at IS NOT NULL;
    INSERT INTO figure_touch (scope, at)
        SELECT DISTINCT '*', at - ((at % 3600) + 3600) % 3600 FROM stories;

    CREATE TRIGGER figure_labels_insert AFTER INSERT ON labels WHEN NEW.at IS NOT NULL BEGIN
        INSERT INTO figure_touch (scope, at) VALUES (NEW.district_id, NEW.at);
    END;
    CREATE TRIGGER figure_labels_delete AFTER DELETE ON labels WHEN OLD.at IS NOT NULL BEGIN
        INSERT INTO figure_touch (scope, at) VALUES (OLD.district_id, OLD.at);
    END;
    CREATE TRIGGER figure_labels_update AFTER UPDATE OF district_id, at, story_id, label, frames ON labels BEGIN
        INSERT INTO figure_touch (scope, at) SELECT OLD.district_id, OLD.at WHERE OLD.at IS NOT NULL;
        INSERT INTO figure_touch (scope, at) SELECT NEW.district_id, NEW.at WHERE NEW.at IS NOT NULL;
    END;

    CREATE TRIGGER figure_stories_insert AFTER INSERT ON stories BEGIN
        INSERT INTO figure_touch (scope, at) VALUES ('*', NEW.at);
    END;
    CREATE TRIGGER figure_stories_delete AFTER DELETE ON stories BEGIN
        INSERT INTO figure_touch (scope, at) VALUES ('*', OLD.at);
    END;
    CREATE TRIGGER figure_stories_update AFTER UPDATE OF story_id, at ON stories BEGIN
        INSERT INTO figure_touch (scope, at) VALUES ('*', OLD.at), ('*', NEW.at);
    END;

    CREATE TRIGGER figure_corrections_insert AFTER INSERT ON corrections BEGIN
        INSERT INTO figure_touch (scope, at) SELECT district_id, at FROM labels
            WHERE article_id = NEW.article_id AND district_id = NEW.district_id AND at IS NOT NULL;
    END;
    CREATE TRIGGER figure_corrections_delete AFTER DELETE ON corrections BEGIN
        INSERT INTO figure_touch (scope, at) SELECT district_id, at FROM labels
            WHERE article_id = OLD.article_id AND district_id = OLD.district_id AND at IS NOT NULL;
    END;
    CREATE TRIGGER figure_corrections_update AFTER UPDATE ON corrections BEGIN
        INSERT INTO figure_touch (scope, at) SELECT district_id, at FROM labels
            WHERE article_id IN (OLD.article_id, NEW.article_id)
              AND district_id IN (OLD.district_id, NEW.district_id) AND at IS NOT NULL;
    END;

    CREATE TRIGGER figure_appearances_insert AFTER INSERT ON appearances BEGIN
        INSERT INTO figure_touch (scope, at) SELECT district_id, at FROM labels
            WHERE article_id = NEW.article_id AND at IS NOT NULL;
    END;
    CREATE TRIGGER figure_appearances_delete AFTER DELETE ON appearances BEGIN
        INSERT INTO figure_touch (scope, at) SELECT district_id, at FROM labels
            WHERE article_id = OLD.article_id AND at IS NOT NULL;
    END;
    CREATE TRIGGER figure_appearances_update AFTER UPDATE OF article_id, feed_id ON appearances BEGIN
        INSERT INTO figure_touch (scope, at) SELECT district_id, at FROM labels
            WHERE article_id IN (OLD.article_id, NEW.article_id) AND at IS NOT NULL;
    END;

    CREATE INDEX labels_latest ON labels (district_id, label, at);
    "#,
    // 6: the class of a feed's last error (`fetch::FailureKind::code`), beside its message.
    r#"
    ALTER TABLE feeds ADD COLUMN last_error_kind TEXT;
    "#,
];

/// The schema version this build writes.
pub const LATEST: usize = STEPS.len();

/// Brings the database up to `LATEST`, one transaction per step.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrate_to(conn, LATEST)
}

fn migrate_to(conn: &mut Connection, target: usize) -> Result<(), StoreError> {
    let current: usize = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if current > LATEST {
        return Err(StoreError::TooNew { found: current, known: LATEST });
    }
    for (i, step) in STEPS.iter().enumerate().take(target).skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    /// Every released schema version upgrades to the latest with its data readable.
    #[test]
    fn upgrades_from_every_earlier_version_keep_data() {
        for from in 1..=LATEST {
            let dir = tempfile::tempdir().unwrap();
            let mut conn = Connection::open(dir.path().join("tonlage.db")).unwrap();
            migrate_to(&mut conn, from).unwrap();
            conn.execute_batch(
                "INSERT INTO feeds (id, name, url) VALUES ('smp', 'Smålandsposten', 'https://www.smp.se/rss');
                 INSERT INTO articles (uid, canonical, url, title, first_seen_at, text, text_source, page_status, change_seq)
                 VALUES ('u1', 'smp.se/a', 'https://www.smp.se/a', 'Ny park i Araby', 1763600000, 'Text.', 'feed', 'skipped', 1);
                 INSERT INTO appearances (article_id, feed_id, link, seen_at) VALUES (1, 'smp', 'https://www.smp.se/a', 1763600000);",
            )
            .unwrap();
            drop(conn);
            let store = Store::open(dir.path()).unwrap();
            assert_eq!(store.schema_version().unwrap(), LATEST, "from version {from}");
            let a = store.article_by_uid("u1").unwrap().expect("article survives");
            assert_eq!(a.title, "Ny park i Araby");
            assert_eq!(a.sources, vec!["smp".to_string()]);
            assert_eq!(store.feed_state("smp").unwrap().unwrap().articles, 1);
        }
    }

    #[test]
    fn a_newer_database_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", (LATEST + 1) as i64).unwrap();
        assert!(matches!(migrate(&mut conn), Err(StoreError::TooNew { .. })));
    }
}
