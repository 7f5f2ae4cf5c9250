//! The background worker: polls each feed when it is due, until told to stop; an interrupted
//! pass finishes the entry in hand, records feed state and commits the index before returning.
//! Between passes it mails the weekly digest when it is due (`mailing`).

mod mailing;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;

use crate::ingest::{IngestError, Pipeline};
use crate::progress::Progress;

/// Longest sleep between checks, so a config's shortest interval and a shutdown are noticed soon.
const MAX_IDLE: Duration = Duration::from_secs(30);

/// Runs until `shutdown` turns true. `running` is what `/readyz` reports.
pub async fn run(
    pipeline: Pipeline,
    mut shutdown: watch::Receiver<bool>,
    running: Arc<AtomicBool>,
) -> Result<(), IngestError> {
    running.store(true, Ordering::SeqCst);
    let mut last_purge: Option<std::time::Instant> = None;
    let mut mailing = mailing::Mailing::default();
    let result = loop {
        if *shutdown.borrow() {
            break Ok(());
        }
        if last_purge.is_none_or(|t| t.elapsed() >= PURGE_EVERY) {
            purge_old_pages(&pipeline);
            last_purge = Some(std::time::Instant::now());
        }
        // Before the pass, so a due digest never waits for slow feeds.
        tokio::select! {
            _ = mailing.tick(&pipeline.store, pipeline.config()) => {}
            _ = shutdown.changed() => continue,
        }
        let due = due_feeds(&pipeline)?;
        if !due.is_empty() {
            let progress = Progress::new("flöden", due.len() as u64);
            let pass = tokio::select! {
                r = pipeline.poll(&due, &progress) => Some(r),
                _ = shutdown.changed() => None,
            };
            progress.finish();
            match pass {
                Some(Ok(sum)) => {
                    tracing::info!(
                        feeds_ok = sum.feeds_ok,
                        feeds_failed = sum.feeds_failed,
                        new_articles = sum.new_articles,
                        duplicates = sum.duplicates,
                        "pass done"
                    );
                    settle_figures(&pipeline);
                }
                Some(Err(e)) => tracing::error!(error = %e, "pass failed"),
                // Dropped mid-pass: everything stored so far is committed in SQLite; catch the index up.
                None => break pipeline.sync_index().map(|_| ()),
            }
        }
        let wait = next_wake(&pipeline)?;
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => {}
        }
    };
    running.store(false, Ordering::SeqCst);
    result
}

/// Settles the weeks this pass touched in the weekly figures cache. A failure only costs speed:
/// readers compute unsettled weeks from the rows.
fn settle_figures(p: &Pipeline) {
    if let Err(e) = crate::digest::cache::refresh(&p.store) {
        tracing::warn!(error = %e, "weekly figures cache not settled");
    }
}

/// Kept pages beyond `[retention] page_html_days` are dropped once a day; text and labels stay.
const PURGE_EVERY: Duration = Duration::from_secs(24 * 3600);

fn purge_old_pages(p: &Pipeline) {
    let days = p.config().retention.page_html_days;
    if days == 0 {
        return;
    }
    match p.store.purge_pages(Utc::now() - chrono::Duration::days(days as i64)) {
        Ok(0) => {}
        Ok(n) => tracing::info!(pages = n, days, "dropped kept pages past retention"),
        Err(e) => tracing::error!(error = %e, "cannot drop old pages"),
    }
}

fn due_feeds(p: &Pipeline) -> Result<Vec<crate::config::FeedConfig>, IngestError> {
    let now = Utc::now();
    let states = p.store.feed_states()?;
    Ok(p.config()
        .feeds
        .iter()
        .filter(|f| states.iter().find(|s| s.id == f.id).and_then(|s| s.next_due).is_none_or(|due| due <= now))
        .cloned()
        .collect())
}

fn next_wake(p: &Pipeline) -> Result<Duration, IngestError> {
    let now = Utc::now();
    let soonest = p.store.feed_states()?.into_iter().filter_map(|s| s.next_due).min();
    Ok(match soonest {
        Some(t) if t > now => (t - now).to_std().unwrap_or(MAX_IDLE).min(MAX_IDLE),
        Some(_) => Duration::from_secs(1),
        None => MAX_IDLE,
    })
}
