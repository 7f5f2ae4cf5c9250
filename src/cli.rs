//! Subcommands: builds the pieces each command needs from the config and hands them down.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use clap::{Parser, Subcommand};

use crate::config::{Config, ConfigError};
use crate::index::{SearchIndex, SearchQuery, Sort};
use crate::ingest::{self, Pipeline};
use crate::model::Label;
use crate::progress::Progress;
use crate::store::Store;

#[derive(Parser)]
#[command(name = "tonlage", version, about = "Bevakar hur nyheterna skildrar kommunens prioriterade områden")]
struct Cli {
    /// Sources, districts and settings.
    #[arg(long, global = true, env = "TONLAGE_CONFIG", default_value = "./feeds.toml")]
    config: PathBuf,
    /// Everything the service writes: store, search index, digests.
    #[arg(long, global = true, env = "TONLAGE_DATA", default_value = "./index")]
    data: PathBuf,
    /// Log as JSON lines instead of human-readable text.
    #[arg(long, global = true, env = "TONLAGE_LOG_JSON")]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The service: polling worker and web server, until SIGTERM/SIGINT.
    Run,
    /// One polling pass over every feed, then a summary.
    Fetch,
    /// Search the archive.
    Search(SearchArgs),
    /// Validate the config and show what would be polled, with each feed's state.
    Check,
    /// Show the article text extracted from one page read on stdin.
    Extract {
        /// The page's address: picks the matching feed's content_selector.
        #[arg(long)]
        url: Option<String>,
        /// CSS selector to try instead of the feed's.
        #[arg(long)]
        selector: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Rebuild the search index from the store.
    Reindex,
    /// Relabel every stored article with the current classifier (corrections are kept).
    Reclassify,
}

#[derive(clap::Args)]
struct SearchArgs {
    /// Words, "phrases", AND/OR/NOT (OCH/ELLER/INTE), -exclude, title:word. `*` lists everything.
    #[arg(default_value = "")]
    query: String,
    #[arg(long)]
    json: bool,
    /// Add each hit's extracted text as "text".
    #[arg(long)]
    with_text: bool,
    #[arg(long, default_value_t = 20)]
    limit: usize,
    #[arg(long, default_value_t = 0)]
    offset: usize,
    #[arg(long)]
    district: Option<String>,
    #[arg(long)]
    source: Option<String>,
    #[arg(long)]
    tone: Option<String>,
    /// YYYY-MM-DD, inclusive, Europe/Stockholm.
    #[arg(long)]
    from: Option<String>,
    /// YYYY-MM-DD, inclusive, Europe/Stockholm.
    #[arg(long)]
    to: Option<String>,
    /// relevance (default) or date.
    #[arg(long, default_value = "relevance")]
    sort: String,
}

/// A usage problem found after argument parsing (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct UsageError(String);

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    init_logging(cli.log_json);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tonlage: {e:#}");
            if e.downcast_ref::<ConfigError>().is_some() || e.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("TONLAGE_LOG").unwrap_or_else(|_| EnvFilter::new("warn,tonlage=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.with_target(false).init();
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let config = || Config::load(&cli.config);
    match cli.command {
        Command::Check => check(&config()?, &cli.data),
        Command::Extract { url, selector, json } => extract_cmd(&cli.config, url, selector, json),
        Command::Search(args) => search(&cli.data, args),
        Command::Fetch => runtime()?.block_on(fetch(config()?, &cli.data)),
        Command::Run => runtime()?.block_on(serve(config()?, &cli.data)),
        Command::Reindex => reindex(&cli.data),
        Command::Reclassify => reclassify(&config()?, &cli.data),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")
}

fn open_store(data: &Path) -> anyhow::Result<Store> {
    Ok(Store::open(data)?)
}

fn open_index(data: &Path, writable: bool) -> anyhow::Result<SearchIndex> {
    Ok(SearchIndex::open(&data.join("search"), writable)?)
}

/// Store and writable index, with the index brought in line with the store (after a crash, say).
fn open_for_writing(data: &Path) -> anyhow::Result<(Store, Arc<SearchIndex>)> {
    let store = open_store(data)?;
    let index = open_index(data, true)?;
    let healed = ingest::sync_index(&store, &index, None)?;
    if healed > 0 {
        tracing::info!(documents = healed, "index brought in line with the store");
    }
    Ok((store, Arc::new(index)))
}

async fn fetch(config: Config, data: &Path) -> anyhow::Result<()> {
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
    drop(pipeline);
    if let Some(index) = Arc::into_inner(index) {
        index.wait_merges()?;
    }
    Ok(())
}

async fn serve(config: Config, data: &Path) -> anyhow::Result<()> {
    let (store, index) = open_for_writing(data)?;
    let config = Arc::new(config);
    let pipeline = Pipeline::new(config.clone(), store.clone(), index)?;
    let listener = tokio::net::TcpListener::bind(&config.web.listen)
        .await
        .with_context(|| format!("cannot listen on {} ([web] listen)", config.web.listen))?;
    tracing::info!(listen = %config.web.listen, feeds = config.feeds.len(), "tonlage running");
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let running = Arc::new(AtomicBool::new(false));
    let state = crate::web::AppState { store, worker_running: running.clone() };
    let mut web_stop = stop_rx.clone();
    let web = tokio::spawn(crate::web::serve(listener, state, async move {
        let _ = web_stop.wait_for(|s| *s).await;
    }));
    let worker = tokio::spawn(crate::worker::run(pipeline, stop_rx, running));
    shutdown_signal().await;
    tracing::info!("shutting down: finishing work in hand");
    let _ = stop_tx.send(true);
    worker.await.context("worker task")??;
    web.await.context("web task")??;
    tracing::info!("stopped cleanly");
    Ok(())
}

async fn shutdown_signal() {
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

fn check(config: &Config, data: &Path) -> anyhow::Result<()> {
    println!("Konfigurationen {} är giltig.", config.path.display());
    println!("{} flöden, {} områden.", config.feeds.len(), config.districts.len());
    // The store may not exist yet on a fresh install; its state is a bonus, never a requirement.
    let states = if data.join("tonlage.db").exists() {
        open_store(data).and_then(|s| Ok(s.feed_states()?)).unwrap_or_default()
    } else {
        Vec::new()
    };
    let show = |t: Option<DateTime<Utc>>| {
        t.map(|t| t.with_timezone(&Stockholm).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| "–".into())
    };
    for f in &config.feeds {
        println!(
            "\n[{}] {}\n  url: {}\n  fulltext: {}, var {} min{}",
            f.id,
            f.name,
            f.url,
            f.full_text,
            f.poll_minutes,
            f.content_selector.as_deref().map(|s| format!(", selektor: {s}")).unwrap_or_default()
        );
        match states.iter().find(|s| s.id == f.id) {
            Some(s) => {
                println!(
                    "  senast lyckad: {}, senaste försök: {}, nästa: {}",
                    show(s.last_success),
                    show(s.last_attempt),
                    show(s.next_due)
                );
                println!("  artiklar: {}, misslyckanden i rad: {}", s.articles, s.consecutive_failures);
                if let Some(e) = &s.last_error {
                    println!("  senaste fel: {e}");
                }
                if let Some(w) = &s.last_warning {
                    println!("  varning: {w}");
                }
            }
            None => println!("  aldrig hämtat"),
        }
    }
    for d in &config.districts {
        println!("\nområde [{}] {} ({}): {}", d.id, d.name, d.municipality, d.aliases.join(", "));
    }
    Ok(())
}

fn extract_cmd(config_path: &Path, url: Option<String>, selector: Option<String>, json: bool) -> anyhow::Result<()> {
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes).context("cannot read the page from stdin")?;
    let (html, encoding) = crate::fetch::decode_text(&bytes, None);
    // The feed whose host matches --url lends its content_selector, as in a real fetch.
    let selector = selector.or_else(|| {
        let host = url::Url::parse(url.as_deref()?).ok()?.host_str()?.trim_start_matches("www.").to_string();
        let config = Config::load(config_path).ok()?;
        config
            .feeds
            .iter()
            .find(|f| f.url.host_str().map(|h| h.trim_start_matches("www.")) == Some(host.as_str()))
            .and_then(|f| f.content_selector.clone())
    });
    let ex = crate::extract::extract(&html, selector.as_deref()).map_err(|e| UsageError(e.to_string()))?;
    if json {
        let v = serde_json::json!({
            "title": ex.title, "text": ex.text, "published": ex.published.map(|d| d.to_rfc3339()),
            "method": ex.method, "encoding": encoding, "selector": selector,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        eprintln!(
            "[metod: {:?}, teckenkodning: {encoding}{}]",
            ex.method,
            selector.map(|s| format!(", selektor: {s}")).unwrap_or_default()
        );
        if let Some(t) = &ex.title {
            println!("{t}\n");
        }
        println!("{}", ex.text);
    }
    Ok(())
}

/// DATE (inclusive, Europe/Stockholm) → the UTC instant its day starts; `end` gives the next day's start.
fn local_day(s: &str, end: bool) -> Result<DateTime<Utc>, UsageError> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| UsageError(format!("{s:?} is not a date like 2026-11-20")))?;
    let d = if end { d.succ_opt().unwrap_or(d) } else { d };
    let midnight = d.and_hms_opt(0, 0, 0).expect("midnight exists");
    Stockholm
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| UsageError(format!("{s:?} has no midnight in Europe/Stockholm")))
}

fn search(data: &Path, args: SearchArgs) -> anyhow::Result<()> {
    let tone = match &args.tone {
        Some(t) => Some(Label::parse(t).ok_or_else(|| {
            UsageError(format!("--tone {t:?}: expected stigmatizing, negative, neutral or positive"))
        })?),
        None => None,
    };
    let sort = match args.sort.as_str() {
        "relevance" => Sort::Relevance,
        "date" => Sort::Date,
        other => return Err(UsageError(format!("--sort {other:?}: expected relevance or date")).into()),
    };
    let query = SearchQuery {
        text: args.query.clone(),
        district: args.district.clone(),
        source: args.source.clone(),
        tone,
        from: args.from.as_deref().map(|s| local_day(s, false)).transpose()?,
        to: args.to.as_deref().map(|s| local_day(s, true)).transpose()?,
        limit: args.limit,
        offset: args.offset,
        sort,
    };
    let store = open_store(data)?;
    let index = open_index(data, false)?;
    let out = crate::search::run(&store, &index, &query, args.with_text)?;
    if args.json {
        println!("{}", serde_json::to_string(&out)?);
        return Ok(());
    }
    let bold = std::io::stdout().is_terminal();
    println!("{} träffar", out.total);
    for h in &out.hits {
        let tones: Vec<String> = h.districts.iter().map(|d| format!("{}: {}", d.id, d.label)).collect();
        let title = if bold { format!("\x1b[1m{}\x1b[0m", h.title) } else { h.title.clone() };
        println!("\n{title}\n  {} · {} · {}\n  {}", h.source, h.published, tones.join(", "), h.url);
        if !h.snippet.is_empty() {
            println!("  {}", h.snippet);
        }
    }
    Ok(())
}

fn reindex(data: &Path) -> anyhow::Result<()> {
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

fn reclassify(config: &Config, data: &Path) -> anyhow::Result<()> {
    let store = open_store(data)?;
    let index = open_index(data, true)?;
    let labeller = ingest::Labeller::new(config);
    let ids = store.article_ids()?;
    let progress = Progress::new("märker om", ids.len() as u64);
    let now = Utc::now();
    for id in &ids {
        let (title, text) = store.article_text(*id)?;
        store.replace_labels(*id, &labeller.label(&title, &text), crate::tone::VERSION, now)?;
        progress.inc(1);
    }
    progress.finish();
    ingest::sync_index(&store, &index, None)?;
    index.wait_merges()?;
    println!("Märkte om {} artiklar med klassificerare {}.", ids.len(), crate::tone::VERSION);
    Ok(())
}
