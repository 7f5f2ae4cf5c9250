//! `backup DEST` and `restore SRC`: an online, consistent copy of the store and config, and the way
//! back (the search index is rebuilt from the restored store, never copied).

use std::path::Path;

use anyhow::Context;
use chrono::Utc;

use super::{open_index, open_store, UsageError};
use crate::ingest;
use crate::progress::Progress;
use crate::store::Store;

const DB: &str = "tonlage.db";

pub(super) fn backup(config: &Path, data: &Path, dest: &Path) -> anyhow::Result<()> {
    if !data.join(DB).exists() {
        return Err(UsageError(format!("no store at {} to back up", data.join(DB).display())).into());
    }
    if dest.join(DB).exists() {
        return Err(UsageError(format!("{} already holds a backup; choose an empty directory", dest.display())).into());
    }
    std::fs::create_dir_all(dest).with_context(|| format!("cannot create {}", dest.display()))?;
    let store = open_store(data)?;
    let started = std::time::Instant::now();
    store.backup_to(&dest.join(DB))?;
    // Figures of the copy itself, not of the live store, which may have moved on meanwhile.
    let copy = Store::open(dest)?;
    let (articles, schema) = (copy.article_count()?, copy.schema_version()?);
    drop(copy);
    if config.exists() {
        std::fs::copy(config, dest.join("feeds.toml")).with_context(|| format!("cannot copy {}", config.display()))?;
    }
    let manifest = serde_json::json!({
        "created": Utc::now().to_rfc3339(), "tonlage_version": env!("CARGO_PKG_VERSION"),
        "schema_version": schema, "articles": articles, "config": config.exists().then_some("feeds.toml"),
    });
    std::fs::write(dest.join("manifest.json"), serde_json::to_string_pretty(&manifest)?)?;
    println!(
        "Säkerhetskopia klar i {}: {articles} artiklar, schemaversion {schema}, {:.1} s.",
        dest.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub(super) fn restore(config: &Path, data: &Path, src: &Path) -> anyhow::Result<()> {
    let src_db = src.join(DB);
    if !src_db.exists() {
        return Err(UsageError(format!("{} has no {DB}: not a tonlage backup", src.display())).into());
    }
    std::fs::create_dir_all(data)?;
    // A running service holds the index lock; restoring under it would lose its writes.
    drop(open_index(data, true).context("stop `tonlage run` before restoring")?);
    let target = data.join(DB);
    if target.exists() {
        // Nothing is lost: the current store is kept beside the restored one.
        let aside = data.join(format!("{DB}.before-restore-{}", Utc::now().format("%Y%m%dT%H%M%SZ")));
        let conn = rusqlite::Connection::open(&target)?;
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        drop(conn);
        std::fs::rename(&target, &aside)?;
        for ext in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(data.join(format!("{DB}{ext}")));
        }
        println!("Den tidigare databasen ligger kvar som {}.", aside.display());
    }
    std::fs::copy(&src_db, &target).with_context(|| format!("cannot copy {}", src_db.display()))?;
    let store = Store::open(data)?; // runs any newer migrations
    let search = data.join("search");
    if search.exists() {
        std::fs::remove_dir_all(&search)?;
    }
    let index = open_index(data, true)?;
    let progress = Progress::new("indexerar", store.article_count()?);
    let n = ingest::sync_index(&store, &index, Some(&progress))?;
    progress.finish();
    index.wait_merges()?;
    let backed_config = src.join("feeds.toml");
    if backed_config.exists() {
        if config.exists() {
            println!(
                "Konfigurationen {} behölls; säkerhetskopians finns i {}.",
                config.display(),
                backed_config.display()
            );
        } else {
            std::fs::copy(&backed_config, config)?;
            println!("Konfigurationen återställdes till {}.", config.display());
        }
    }
    println!("Återställde {n} artiklar från {} och byggde om sökindexet.", src.display());
    Ok(())
}
