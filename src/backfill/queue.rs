//! The fetch half of backfill and import: queued URLs through `Pipeline::ingest_url`, a few in
//! flight (the shared client spaces requests to one host), each outcome written to the queue at
//! once so an interrupted run loses nothing. Robots.txt and the daily budget are asked only when a
//! page request is really about to happen.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;
use url::Url;

use super::{bare_host, budget_day, BackfillError, Summary};
use crate::config::BackfillConfig;
use crate::fetch::Robots;
use crate::ingest::{ArchiveOutcome, Pipeline};
use crate::progress::Progress;
use crate::store::{BackfillStatus, QueuedUrl};

const HELD_ROBOTS: &str = "robots";
const HELD_BUDGET: &str = "budget";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Gate {
    Open,
    Robots,
    Budget,
}

/// What every request of a run shares: the pipeline, the budget day, hosts whose budget is spent.
#[derive(Clone)]
pub(super) struct Ctx {
    pub pipeline: Pipeline,
    pub config: BackfillConfig,
    pub page_attempts: u32,
    day: String,
    spent: Arc<Mutex<HashSet<String>>>,
}

impl Ctx {
    pub fn new(pipeline: &Pipeline, now: DateTime<Utc>) -> Ctx {
        let config = pipeline.config();
        Ctx {
            config: config.backfill.clone(),
            page_attempts: config.worker.page_attempts.max(1),
            pipeline: pipeline.clone(),
            day: budget_day(now),
            spent: Arc::default(),
        }
    }

    /// May `url` be requested now? Counts the request against its host's budget when it may.
    pub fn gate(&self, url: &Url, robots: Option<&Robots>) -> Gate {
        if robots.is_some_and(|r| !r.allowed(url)) {
            return Gate::Robots;
        }
        let host = bare_host(url);
        let mut spent = self.spent.lock().unwrap_or_else(|p| p.into_inner());
        if spent.contains(&host) {
            return Gate::Budget;
        }
        match self.pipeline.store.take_request(&host, &self.day, self.config.daily_budget_per_host) {
            Ok(true) => Gate::Open,
            Ok(false) => {
                tracing::warn!(host = %host, budget = self.config.daily_budget_per_host, "daily request budget spent");
                spent.insert(host);
                Gate::Budget
            }
            Err(e) => {
                // Without a working store nothing can be recorded either: hold rather than guess.
                tracing::error!(host = %host, error = %e, "cannot count the request budget");
                Gate::Budget
            }
        }
    }

    fn spent_hosts(&self) -> Vec<String> {
        let mut v: Vec<String> = self.spent.lock().unwrap_or_else(|p| p.into_inner()).iter().cloned().collect();
        v.sort();
        v
    }
}

/// Takes `candidates` in order (at most `limit`), writing each outcome to the queue.
pub(super) async fn fetch_all(
    ctx: &Ctx,
    candidates: Vec<QueuedUrl>,
    robots: &HashMap<String, Robots>,
    limit: Option<usize>,
    sum: &mut Summary,
) -> Result<(), BackfillError> {
    let take = limit.unwrap_or(usize::MAX).min(candidates.len());
    sum.remaining += candidates.len() - take;
    let progress = Progress::new("sidor", take as u64);
    let in_flight = ctx.pipeline.config().worker.concurrency.max(1);
    let mut tasks = JoinSet::new();
    for q in candidates.into_iter().take(take) {
        while tasks.len() >= in_flight {
            settle(ctx, tasks.join_next().await, sum, &progress);
        }
        let ctx = ctx.clone();
        let r = robots.get(&q.host).cloned();
        tasks.spawn(async move {
            let outcome = fetch_one(&ctx, &q, r.as_ref()).await;
            (q, outcome)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        settle(ctx, Some(joined), sum, &progress);
    }
    progress.finish();
    for h in ctx.spent_hosts() {
        if !sum.budget_spent.contains(&h) {
            sum.budget_spent.push(h);
        }
    }
    Ok(())
}

type Joined = Result<(QueuedUrl, Result<ArchiveOutcome, BackfillError>), tokio::task::JoinError>;

async fn fetch_one(ctx: &Ctx, q: &QueuedUrl, robots: Option<&Robots>) -> Result<ArchiveOutcome, BackfillError> {
    let url = Url::parse(&q.url).map_err(|e| BackfillError::Read { path: q.url.clone(), reason: e.to_string() })?;
    let gate = || match ctx.gate(&url, robots) {
        Gate::Open => Ok(()),
        Gate::Robots => Err(HELD_ROBOTS.to_string()),
        Gate::Budget => Err(HELD_BUDGET.to_string()),
    };
    Ok(ctx.pipeline.ingest_url(&q.source, &url, q.title.as_deref(), q.date, gate).await?)
}

/// Counts one finished URL and records it in the queue. A store error on one URL is logged and
/// the batch goes on; the URL stays queued for the next run.
fn settle(ctx: &Ctx, joined: Option<Joined>, sum: &mut Summary, progress: &Progress) {
    let Some(joined) = joined else { return };
    progress.inc(1);
    let (q, outcome) = match joined {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "backfill task panicked");
            sum.failed += 1;
            return;
        }
    };
    let now = Utc::now();
    let (status, error, attempted) = match outcome {
        Ok(ArchiveOutcome::New { undated }) => {
            sum.fetched += 1;
            sum.new_articles += 1;
            sum.undated += usize::from(undated);
            (BackfillStatus::Done, None, true)
        }
        Ok(ArchiveOutcome::Duplicate) => {
            sum.duplicates += 1;
            (BackfillStatus::Done, None, false)
        }
        Ok(ArchiveOutcome::Held(why)) if why == HELD_ROBOTS => {
            sum.robots += 1;
            (BackfillStatus::SkippedRobots, None, false)
        }
        Ok(ArchiveOutcome::Held(_)) => {
            // The day's budget: it stays queued for tomorrow's run.
            sum.remaining += 1;
            return;
        }
        Ok(ArchiveOutcome::Failed(e)) => {
            sum.fetched += 1;
            sum.failed += 1;
            tracing::warn!(url = %q.url, source = %q.source, error = %e, "backfill page failed");
            (BackfillStatus::Failed, Some(e), true)
        }
        Err(e) => {
            sum.failed += 1;
            tracing::error!(url = %q.url, source = %q.source, error = %e, "backfill page not stored");
            return;
        }
    };
    if let Err(e) = ctx.pipeline.store.mark_backfill(&q.canonical, status, error.as_deref(), attempted, now) {
        tracing::error!(url = %q.url, error = %e, "cannot record backfill progress");
    }
}
