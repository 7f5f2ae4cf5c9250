//! Commands that write: `fetch`, `run`, `reindex`, `reclassify`. They hold the index's writer lock.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::Context;
use chrono::Utc;

use super::{open_for_writing, open_index, open_store, settle_figures};
use crate::config::Config;
use crate::ingest::{self, Pipeline};
use crate::progress::Progress;

pub(super) async fn fetch(config: Config, data: &Path) -> anyhow::Result<()> {
    let (store, index) = open_for_writing(data)?;
    let config = Arc::new(config);
    let pipeline = Pipeline::new(config.clone(), store, index.clone())?;
    let progress = Progress::new("flöden", config.feeds.len() as u64);
    let sum = pipeline.poll(&config.feeds, &progress).await?;
    progress.finish();
    println!(
        "Flöden: {} ok, {} oförändrade, {} misslyckades. Nya artiklar: {}, dubbletter: {}, artikelsidor som inte kunde hämtas: {}.",
        sum.feeds_ok, sum.feeds_not_modified, sum.feeds_failed, sum.new_articles, sum.duplicates, sum.pages_failed
    );
    for (feed, err) in &sum.failures {
        println!("  misslyckades: {feed}: {err}");
    }
    settle_figures(&pipeline.store)?;
    drop(pipeline);
    if let Some(index) = Arc::into_inner(index) {
        index.wait_merges()?;
    }
    Ok(())
}

pub(super) async fn serve(config: Config, data: &Path) -> anyhow::Result<()> {
    let (store, index) = open_for_writing(data)?;
    let config = Arc::new(config);
    let pipeline = Pipeline::new(config.clone(), store.clone(), index.clone())?;
    let bind = |addr: String, key: &'static str| async move {
        tokio::net::TcpListener::bind(&addr).await.with_context(|| format!("cannot listen on {addr} ({key})"))
    };
    let listener = bind(config.web.listen.clone(), "[web] listen").await?;
    let metrics_listener = bind(config.metrics.listen.clone(), "[metrics] listen").await?;
    tracing::info!(listen = %config.web.listen, metrics = %config.metrics.listen, feeds = config.feeds.len(), "tonlage running");
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let running = Arc::new(AtomicBool::new(false));
    let state = crate::web::AppState { store, index, worker_running: running.clone(), config: config.clone() };
    let web = tokio::spawn(crate::web::serve(listener, state, stopped(stop_rx.clone())));
    let metrics = tokio::spawn(crate::web::serve_metrics(metrics_listener, stopped(stop_rx.clone())));
    let worker = tokio::spawn(crate::worker::run(pipeline, stop_rx, running));
    shutdown_signal().await;
    tracing::info!("shutting down: finishing work in hand");
    let _ = stop_tx.send(true);
    worker.await.context("worker task")??;
    web.await.context("web task")??;
    metrics.await.context("metrics task")??;
    tracing::info!("stopped cleanly");
    Ok(())
}

pub(super) async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

pub(super) fn reindex(data: &Path) -> anyhow::Result<()> {
    let store = open_store(data)?;
    let index = open_index(data, true)?;
    let total = store.article_count()?;
    let progress = Progress::new("indexerar", total);
    let started = std::time::Instant::now();
    index.clear()?;
    index.commit(0)?;
    let n = ingest::sync_index(&store, &index, Some(&progress))?;
    progress.finish();
    index.wait_merges()?;
    println!("Indexerade {n} artiklar på {:.1} s.", started.elapsed().as_secs_f64());
    Ok(())
}

pub(super) fn reclassify(config: &Config, data: &Path) -> anyhow::Result<()> {
    let store = open_store(data)?;
    let index = open_index(data, true)?;
    let labeller = ingest::Labeller::new(config);
    let ids = store.article_ids()?;
    let progress = Progress::new("märker om", ids.len() as u64);
    let now = Utc::now();
    let mut clustered = 0;
    for id in &ids {
        let (title, text) = store.article_text(*id)?;
        store.replace_labels(*id, &labeller.label(&title, &text), crate::tone::VERSION, now)?;
        // Articles stored before stories existed get one now, oldest first as ingest would have.
        if let Some(s) = store.story_of(*id)?.filter(|s| s.signature.is_empty()) {
            ingest::assign_story(&store, *id, &title, &text, s.at)?;
            clustered += 1;
        }
        progress.inc(1);
    }
    progress.finish();
    ingest::sync_index(&store, &index, None)?;
    settle_figures(&store)?;
    index.wait_merges()?;
    println!("Märkte om {} artiklar med klassificerare {}.", ids.len(), crate::tone::VERSION);
    if clustered > 0 {
        tracing::info!(articles = clustered, "story signatures computed for older articles");
    }
    Ok(())
}
