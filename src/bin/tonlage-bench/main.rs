//! `tonlage-bench`: reproducible benchmarks that print figures (recorded in BENCHMARKS.md).
//! Generated archives are deterministic by seed; the extraction benchmark reads shared/ at run time.

mod archive;
mod backfill;
mod decoding;
mod digest;
mod extraction;
mod gen;
mod pg;
mod searching;
mod stages;
mod storing;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "tonlage-bench", about = "Benchmarks of tonlage's stages")]
struct Cli {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
    /// End-to-end ingest from stored pages (decode → extract → districts/tone → store → index).
    Ingest {
        #[arg(long, default_value_t = 5000)]
        n: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Feed decoding (charset, repair, feed-rs) per second of generated RSS 2.0, Atom and JSON Feed.
    Feeds {
        #[arg(long, default_value_t = 2000)]
        n: usize,
        /// Items per feed.
        #[arg(long, default_value_t = 50)]
        items: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Store inserts per second (articles with labels and appearances), without extraction,
    /// classification or indexing; and the database size per 1,000 articles.
    Store {
        #[arg(long, default_value_t = 20_000)]
        n: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Districts + tone classifications per second on ~3 KB articles, one thread.
    Classify {
        #[arg(long, default_value_t = 20000)]
        n: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Generate an archive of N articles into DATA (store + labels), then reindex it with the real
    /// binary (time, peak RSS) and measure search latency for a mix of query shapes.
    Search {
        #[arg(long, default_value_t = 100_000)]
        n: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Data directory to build in (reused when it already holds an archive).
        #[arg(long)]
        data: PathBuf,
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// Also load the archive into PostgreSQL full-text search and run the same shapes there.
        #[arg(long)]
        postgres: bool,
    },
    /// The search page's attention chart (tone counts per hour of every match) on the index of an
    /// existing data directory, e.g. one `search` built.
    Chart {
        #[arg(long)]
        data: PathBuf,
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
    /// The index stage against plain tantivy on the same generated documents.
    Index {
        #[arg(long, default_value_t = 20_000)]
        n: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Weekly figures at archive scale: the digest for 10 districts and one district's 5-year stats.
    Digest {
        #[arg(long, default_value_t = 100_000)]
        n: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Timed repetitions.
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// District x week aggregation on an existing archive (e.g. the one `search` built): five-year
    /// series of every district through the figures cache, latency percentiles.
    Aggregation {
        #[arg(long)]
        data: PathBuf,
        #[arg(long, default_value_t = 50)]
        runs: usize,
    },
    /// Backfill of a generated outlet on 127.0.0.1 (robots.txt, sitemaps, pages), host gap 0.
    Backfill {
        #[arg(long, default_value_t = 500)]
        n: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Extraction F1 and pages/s on the public benchmark in shared/extraction-benchmark.
    Extraction {
        #[arg(long, default_value = "../shared/extraction-benchmark")]
        dir: PathBuf,
        /// Also run trafilatura (Python) on the same pages and print the ratios.
        #[arg(long)]
        trafilatura: bool,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().what {
        What::Ingest { n, seed } => stages::ingest(n, seed),
        What::Classify { n, seed } => stages::classify(n, seed),
        What::Feeds { n, items, seed } => decoding::run(n, items, seed),
        What::Store { n, seed } => storing::run(n, seed),
        What::Index { n, seed } => searching::index_vs_plain(n, seed),
        What::Search { n, seed, data, runs, postgres } => {
            if !data.join("tonlage.db").exists() {
                let secs = archive::build(&data, n, seed)?;
                println!("generated and stored {n} articles with labels in {secs:.0} s ({:.0}/s)", n as f64 / secs);
            }
            let bin = std::env::current_exe()?.with_file_name("tonlage");
            searching::reindex(&bin, &data)?;
            searching::latencies(&data, runs)?;
            digest::aggregation(&data, runs)?;
            if postgres {
                pg::run(&data, runs)?;
            }
            Ok(())
        }
        What::Chart { data, runs } => searching::chart(&data, runs),
        What::Digest { n, seed, runs } => digest::run(n, seed, runs),
        What::Aggregation { data, runs } => digest::aggregation(&data, runs),
        What::Backfill { n, seed } => backfill::run(n, seed),
        What::Extraction { dir, trafilatura } => extraction::run(&dir, trafilatura),
    }
}
