//! `backfill` and `import`: build the pipeline, run, print the Swedish summary. Exit 0 even when
//! pages fail: they are counted, kept in the queue and retried by the next run.

use std::path::Path;
use std::sync::Arc;

use chrono::Utc;

use super::read::local_day;
use super::{open_for_writing, BackfillArgs, UsageError};
use crate::backfill::{self, BackfillError, Options, Summary};
use crate::config::Config;
use crate::ingest::Pipeline;

pub(super) async fn backfill(config: Config, data: &Path, args: BackfillArgs) -> anyhow::Result<()> {
    let opts = Options {
        from: args.from.as_deref().map(|s| local_day(s, false)).transpose()?,
        to: args.to.as_deref().map(|s| local_day(s, true)).transpose()?,
        limit: args.limit,
    };
    if let (Some(f), Some(t)) = (opts.from, opts.to) {
        if f >= t {
            return Err(UsageError("--from is after --to".into()).into());
        }
    }
    let targets = backfill::targets(&config, args.feed.as_deref(), args.site.as_deref()).map_err(usage)?;
    if targets.is_empty() {
        return Err(UsageError("no feeds in the config: name a site with --site URL".into()).into());
    }
    let (store, index) = open_for_writing(data)?;
    let pipeline = Pipeline::new(Arc::new(config), store, index.clone())?;
    for t in &targets {
        eprintln!("Söker artiklar på {} (källa {})", t.origin, t.source);
    }
    let sum = backfill::run(&pipeline, &targets, &opts, Utc::now()).await?;
    println!(
        "Bakåtläsning: {} adresser hittade i {} webbplatskartor, {} inom intervallet ({} klara sedan tidigare).",
        sum.found, sum.sitemaps, sum.in_range, sum.done_before
    );
    print_result(&sum);
    finish(pipeline, index)
}

pub(super) async fn import(config: Config, data: &Path, path: &Path) -> anyhow::Result<()> {
    let (store, index) = open_for_writing(data)?;
    let pipeline = Pipeline::new(Arc::new(config), store, index.clone())?;
    let out = backfill::import(&pipeline, path, Utc::now()).await?;
    if out.pages > 0 {
        println!(
            "Import: {} sparade sidor lästa ({} utan egen adress fick en adress under {}).",
            out.pages,
            out.synthetic_urls,
            backfill::SAVED_HOST
        );
    } else {
        println!("Import: {} adresser i listan ({} klara sedan tidigare).", out.result.found, out.result.done_before);
    }
    print_result(&out.result);
    for (what, why) in &out.rejected {
        println!("  kunde inte användas: {what}: {why}");
    }
    finish(pipeline, index)
}

fn print_result(sum: &Summary) {
    println!(
        "Hämtade sidor: {}. Nya artiklar: {}, dubbletter: {}, stoppade av robots.txt: {}, misslyckades: {}, utan datum: {}. Kvar till nästa körning: {}.",
        sum.fetched, sum.new_articles, sum.duplicates, sum.robots, sum.failed, sum.undated, sum.remaining
    );
    for host in &sum.budget_spent {
        println!("  dagens budget för {host} är slut ([backfill] daily_budget_per_host); kör igen i morgon");
    }
    for (source, problem) in &sum.problems {
        println!("  {source}: {problem}");
    }
}

fn finish(pipeline: Pipeline, index: Arc<crate::index::SearchIndex>) -> anyhow::Result<()> {
    super::settle_figures(&pipeline.store)?;
    drop(pipeline);
    if let Some(index) = Arc::into_inner(index) {
        index.wait_merges()?;
    }
    Ok(())
}

/// A feed id or site that does not exist is the caller's mistake: exit 2, like other usage errors.
fn usage(e: BackfillError) -> anyhow::Error {
    match e {
        BackfillError::UnknownFeed(_) | BackfillError::BadSite(_) => UsageError(e.to_string()).into(),
        other => other.into(),
    }
}
