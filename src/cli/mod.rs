//! Subcommands: builds the pieces each command needs from the config and hands them down.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{Config, ConfigError};

mod backfill;
mod backup;
mod classify;
mod digest;
mod read;
mod users;
mod write;
use crate::index::SearchIndex;
use crate::ingest;
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
    /// Label JSON lines from stdin: one output line per (article, district).
    Classify,
    /// Score `classify` against labelled JSON lines: per-label P/R/F1, confusion, macro-F1.
    Eval {
        gold: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Consistent online copy of the store and config into the directory DEST.
    Backup { dest: PathBuf },
    /// Bring a backup back into --data and rebuild the search index.
    Restore { src: PathBuf },
    /// Exit 0 when the running service answers /healthz (for container health checks).
    #[command(hide = true)]
    Healthcheck,
    /// A district's weekly series: articles, stories, tone, baseline, spikes.
    Stats(digest::StatsArgs),
    /// The weekly tone digest (default: the last complete week); --send mails it.
    Digest(digest::DigestArgs),
    /// Rebuild the search index from the store.
    Reindex,
    /// Relabel every stored article with the current classifier (corrections are kept).
    Reclassify,
    /// Fetch an outlet's older articles from its sitemaps, like polled ones (resumable).
    Backfill(BackfillArgs),
    /// Ingest a list of article URLs (lines, CSV or JSON lines) or a directory of saved HTML pages.
    Import {
        /// A list file, or a directory of *.html / *.htm pages.
        path: PathBuf,
    },
    /// Web accounts: `user add NAME --role viewer|editor|admin` (password on stdin).
    User {
        #[command(subcommand)]
        action: AccountAction,
    },
    /// API tokens for scripts: `token add NAME --role viewer|editor|admin` prints the token once.
    Token {
        #[command(subcommand)]
        action: AccountAction,
    },
}

#[derive(clap::Args)]
pub(crate) struct BackfillArgs {
    /// Backfill this feed's site (the origin of its URL); its articles appear under the feed.
    #[arg(long, conflicts_with = "site")]
    pub(crate) feed: Option<String>,
    /// Backfill this site; articles appear under the feed on that host, else `site-<host>`.
    #[arg(long)]
    pub(crate) site: Option<String>,
    /// YYYY-MM-DD, inclusive, Europe/Stockholm.
    #[arg(long)]
    pub(crate) from: Option<String>,
    /// YYYY-MM-DD, inclusive, Europe/Stockholm.
    #[arg(long)]
    pub(crate) to: Option<String>,
    /// Take at most N queued URLs in this run; the next run continues.
    #[arg(long)]
    pub(crate) limit: Option<usize>,
}

#[derive(Subcommand)]
enum AccountAction {
    /// Create (or for a user: update) one.
    Add {
        name: String,
        /// viewer (read), editor (also correct labels) or admin.
        #[arg(long)]
        role: String,
    },
}

#[derive(clap::Args)]
pub(crate) struct SearchArgs {
    /// Words, "phrases", AND/OR/NOT (OCH/ELLER/INTE), -exclude, title:word. `*` lists everything.
    #[arg(default_value = "")]
    pub(crate) query: String,
    #[arg(long)]
    pub(crate) json: bool,
    /// Add each hit's extracted text as "text".
    #[arg(long)]
    pub(crate) with_text: bool,
    #[arg(long, default_value_t = 20)]
    pub(crate) limit: usize,
    #[arg(long, default_value_t = 0)]
    pub(crate) offset: usize,
    #[arg(long)]
    pub(crate) district: Option<String>,
    #[arg(long)]
    pub(crate) source: Option<String>,
    #[arg(long)]
    pub(crate) tone: Option<String>,
    /// YYYY-MM-DD, inclusive, Europe/Stockholm.
    #[arg(long)]
    pub(crate) from: Option<String>,
    /// YYYY-MM-DD, inclusive, Europe/Stockholm.
    #[arg(long)]
    pub(crate) to: Option<String>,
    /// relevance (default) or date.
    #[arg(long, default_value = "relevance")]
    pub(crate) sort: String,
}

/// A usage problem found after argument parsing (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UsageError(pub String);

pub fn main() -> ExitCode {
    reset_sigpipe();
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

/// `tonlage search … | head` should end quietly like other Unix tools, not panic on a closed pipe.
fn reset_sigpipe() {
    #[cfg(unix)]
    {
        extern "C" {
            fn signal(signum: i32, handler: usize) -> usize;
        }
        const SIGPIPE: i32 = 13;
        const SIG_DFL: usize = 0;
        // SAFETY: restoring the default disposition of one signal before any thread starts.
        unsafe {
            signal(SIGPIPE, SIG_DFL);
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
        Command::Check => read::check(&config()?, &cli.data),
        Command::Extract { url, selector, json } => read::extract_cmd(&cli.config, url, selector, json),
        Command::Search(args) => read::search(&cli.data, args),
        Command::Classify => classify::classify(&classify::districts_for(&cli.config)?),
        Command::Eval { gold, json } => classify::eval(&classify::districts_for(&cli.config)?, &gold, json),
        Command::Fetch => runtime()?.block_on(write::fetch(config()?, &cli.data)),
        Command::Run => runtime()?.block_on(write::serve(config()?, &cli.data)),
        Command::Stats(args) => digest::stats(&config()?, &cli.data, args),
        Command::Digest(args) => digest::digest_cmd(&config()?, &cli.data, args),
        Command::Reindex => write::reindex(&cli.data),
        Command::Backup { dest } => backup::backup(&cli.config, &cli.data, &dest),
        Command::Restore { src } => backup::restore(&cli.config, &cli.data, &src),
        Command::Healthcheck => read::healthcheck(&config()?),
        Command::Reclassify => write::reclassify(&config()?, &cli.data),
        Command::Backfill(args) => runtime()?.block_on(backfill::backfill(config()?, &cli.data, args)),
        Command::Import { path } => runtime()?.block_on(backfill::import(config()?, &cli.data, &path)),
        Command::User { action: AccountAction::Add { name, role } } => users::user_add(&cli.data, &name, &role),
        Command::Token { action: AccountAction::Add { name, role } } => users::token_add(&cli.data, &name, &role),
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
    settle_figures(&store)?;
    Ok((store, Arc::new(index)))
}

/// Brings the weekly figures cache in line with what was written (readers are exact without it,
/// only slower on the weeks it has not settled).
fn settle_figures(store: &Store) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let weeks = crate::digest::cache::refresh(store)?;
    if weeks > 0 {
        tracing::info!(weeks, ms = started.elapsed().as_millis() as u64, "weekly figures settled");
    }
    Ok(())
}
