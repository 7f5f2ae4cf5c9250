//! Discovery: robots.txt, then its `Sitemap:` lines (or `/sitemap.xml`), sitemap indexes walked
//! breadth-first, gzip inflated, and the article URLs of the site's own host collected with their
//! dates. Child sitemaps last changed before `--from` hold nothing newer, so they are not read.

use std::collections::{HashMap, HashSet, VecDeque};

use chrono::{DateTime, Utc};
use url::Url;

use super::bare_host;
use super::queue::{Ctx, Gate};
use crate::fetch::{self, FetchError, Fetched, Robots, Sitemap, SitemapUrl, AGENT};
use crate::progress::Progress;

/// What one site's discovery found.
#[derive(Default)]
pub(super) struct Discovered {
    /// None when robots.txt could not be read: then nothing of the site is fetched this run.
    pub robots: Option<Robots>,
    pub urls: Vec<(Url, SitemapUrl)>,
    pub sitemaps: usize,
    pub problems: Vec<String>,
    pub budget_spent: bool,
}

pub(super) async fn discover(
    ctx: &Ctx,
    target: &super::Target,
    from: Option<DateTime<Utc>>,
    progress: &Progress,
) -> Discovered {
    let mut d = Discovered::default();
    let origin = &target.origin;
    let robots = match fetch_robots(ctx, origin).await {
        Ok(r) => r,
        Err(Stop::Budget) => {
            d.budget_spent = true;
            return d;
        }
        Err(Stop::Problem(p)) => {
            d.problems.push(p);
            return d;
        }
    };
    let listed: Vec<Url> = robots.sitemaps.iter().filter_map(|s| origin.join(s).ok()).collect();
    let guessed = listed.is_empty();
    let seeds = if guessed { vec![origin.join("/sitemap.xml").expect("static path")] } else { listed };
    let host = bare_host(origin);
    let mut queue: VecDeque<Url> = seeds.into_iter().collect();
    let mut seen: HashSet<Url> = queue.iter().cloned().collect();
    let mut urls: HashMap<String, (Url, SitemapUrl)> = HashMap::new();
    while let Some(sm) = queue.pop_front() {
        if d.sitemaps >= ctx.config.max_sitemaps {
            d.problems.push(format!("slutade efter {} webbplatskartor ([backfill] max_sitemaps)", d.sitemaps));
            break;
        }
        // A guessed /sitemap.xml may simply not exist; that is not worth a line in the summary.
        let quiet = guessed && d.sitemaps == 0;
        let body = match fetch_sitemap(ctx, origin, &robots, &sm, quiet).await {
            Ok(Some(b)) => b,
            Ok(None) => continue,
            Err(Stop::Budget) => {
                d.budget_spent = true;
                break;
            }
            Err(Stop::Problem(p)) => {
                d.problems.push(p);
                continue;
            }
        };
        d.sitemaps += 1;
        progress.inc(1);
        match fetch::parse_sitemap(&body, ctx.config.max_sitemap_bytes) {
            Ok(Sitemap::Index(children)) => {
                for c in children {
                    // A child unchanged since before the range cannot list anything in it.
                    if from.is_some_and(|f| c.lastmod.is_some_and(|m| m < f)) {
                        continue;
                    }
                    if let Ok(u) = sm.join(c.loc.trim()) {
                        if seen.insert(u.clone()) {
                            queue.push_back(u);
                        }
                    }
                }
            }
            Ok(Sitemap::UrlSet(list)) => {
                for su in list {
                    let Ok(u) = sm.join(su.loc.trim()) else { continue };
                    // The protocol allows only the sitemap's own site; anything else is not ours to crawl.
                    if !matches!(u.scheme(), "http" | "https") || bare_host(&u) != host {
                        continue;
                    }
                    let key = fetch::canonical_key(&u);
                    match urls.get_mut(&key) {
                        // The same page in a news sitemap and a monthly one: keep the better date.
                        Some((_, old)) => {
                            old.news_date = old.news_date.or(su.news_date);
                            old.lastmod = old.lastmod.or(su.lastmod);
                            old.title = old.title.take().or(su.title);
                        }
                        None => {
                            urls.insert(key, (u, su));
                        }
                    }
                }
            }
            Err(e) => d.problems.push(format!("{sm}: {e}")),
        }
    }
    let mut list: Vec<(Url, SitemapUrl)> = urls.into_values().collect();
    list.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    d.urls = list;
    d.robots = Some(robots);
    d
}

pub(super) enum Stop {
    Budget,
    Problem(String),
}

/// robots.txt: a 4xx means no rules; a 5xx or no answer means none of the site may be fetched.
pub(super) async fn fetch_robots(ctx: &Ctx, origin: &Url) -> Result<Robots, Stop> {
    let url = origin.join("/robots.txt").expect("static path");
    if ctx.gate(&url, None) == Gate::Budget {
        return Err(Stop::Budget);
    }
    match ctx.pipeline.client().get(&url, None).await {
        Ok(Fetched::Page(p)) => Ok(Robots::parse(&fetch::decode_text(&p.body, p.content_type.as_deref()).0, AGENT)),
        Ok(Fetched::NotModified) => Ok(Robots::allow_all()),
        Err(FetchError::Status { status, .. }) if (400..500).contains(&status) => Ok(Robots::allow_all()),
        Err(e) => Err(Stop::Problem(format!("robots.txt kunde inte läsas, inget hämtas från webbplatsen: {e}"))),
    }
}

async fn fetch_sitemap(
    ctx: &Ctx,
    origin: &Url,
    robots: &Robots,
    url: &Url,
    quiet: bool,
) -> Result<Option<Vec<u8>>, Stop> {
    if let Err(refused) = fetch::check_link(url, origin).await {
        return Err(Stop::Problem(format!("{url}: {refused}")));
    }
    match ctx.gate(url, Some(robots)) {
        Gate::Open => {}
        Gate::Budget => return Err(Stop::Budget),
        Gate::Robots => return Err(Stop::Problem(format!("{url}: robots.txt förbjuder webbplatskartan"))),
    }
    match ctx.pipeline.client().get_capped(url, None, ctx.config.max_sitemap_bytes).await {
        Ok(Fetched::Page(p)) => Ok(Some(p.body)),
        Ok(Fetched::NotModified) => Ok(None),
        Err(FetchError::Status { status: 404 | 410, .. }) if quiet => Ok(None),
        Err(e) => Err(Stop::Problem(e.to_string())),
    }
}
