//! `tonlage-bench`: reproducible benchmarks that print figures (recorded in BENCHMARKS.md).
//! Generated archives are deterministic by seed; the extraction benchmark reads shared/ at run time.

mod backfill;
mod extraction;
mod gen;
mod stages;

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
    /// Districts + tone classifications per second on ~3 KB articles, one thread.
    Classify {
        #[arg(long, default_value_t = 20000)]
        n: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
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
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().what {
        What::Ingest { n, seed } => stages::ingest(n, seed),
        What::Classify { n, seed } => stages::classify(n, seed),
        What::Backfill { n, seed } => backfill::run(n, seed),
        What::Extraction { dir } => extraction::run(&dir),
    }
}
