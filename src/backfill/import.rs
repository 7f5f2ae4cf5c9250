//! `tonlage import`: a list of article URLs from another system's export goes through the backfill
//! queue (robots.txt, budget, resumable); a directory of saved HTML pages is extracted without
//! fetching anything.
//!
//! A saved page's address is its `<link rel=canonical>` or `og:url`. A page that names neither gets
//! `https://saved.invalid/<file name>`: `.invalid` never resolves (RFC 2606), so the key can never
//! collide with a real article or be fetched, and importing the same file again finds it stored.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use url::Url;

use super::discover::{fetch_robots, Stop};
use super::queue::{fetch_all, Ctx};
use super::{bare_host, origin, parse_list, source_for, BackfillError, Summary};
use crate::fetch::{self, Robots};
use crate::ingest::{ArchiveOutcome, Pipeline};
use crate::model::Entry;
use crate::store::{BackfillStatus, QueuedUrl};

/// Host of the synthetic addresses of saved pages that name none of their own.
pub const SAVED_HOST: &str = "saved.invalid";

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ImportSummary {
    /// Saved pages read (directory import).
    pub pages: usize,
    /// Saved pages that named no address of their own.
    pub synthetic_urls: usize,
    /// Lines or files that could not be used, with what was wrong.
    pub rejected: Vec<(String, String)>,
    pub result: Summary,
}

pub async fn import(pipeline: &Pipeline, path: &Path, now: DateTime<Utc>) -> Result<ImportSummary, BackfillError> {
    let read_err = |e: std::io::Error| BackfillError::Read { path: path.display().to_string(), reason: e.to_string() };
    let meta = std::fs::metadata(path).map_err(read_err)?;
    let sum = if meta.is_dir() {
        import_pages(pipeline, path).await?
    } else {
        let bytes = std::fs::read(path).map_err(read_err)?;
        let (text, _) = fetch::decode_text(&bytes, Some("text/plain"));
        import_list(pipeline, &text, now).await?
    };
    pipeline.sync_index()?;
    Ok(sum)
}

async fn import_list(pipeline: &Pipeline, text: &str, now: DateTime<Utc>) -> Result<ImportSummary, BackfillError> {
    let mut out = ImportSummary::default();
    let config = pipeline.config();
    let mut queued = Vec::new();
    let mut keys = HashSet::new();
    for (line, parsed) in parse_list(text) {
        let item = match parsed {
            Ok(i) => i,
            Err(e) => {
                out.rejected.push((format!("rad {line}"), e));
                continue;
            }
        };
        let url = Url::parse(&item.url).expect("parse_list checked the URL");
        let canonical = fetch::canonical_key(&url);
        if !keys.insert(canonical.clone()) {
            continue;
        }
        let source = match item.outlet.as_deref() {
            Some(o) if config.feed(o).is_some() => o.to_string(),
            Some(o) if source_for(config, &url).starts_with("site-") => slug(o),
            _ => source_for(config, &url),
        };
        queued.push(QueuedUrl {
            canonical,
            host: bare_host(&url),
            url: url.to_string(),
            source,
            date: item.date,
            title: item.title,
        });
    }
    let sum = &mut out.result;
    sum.found = queued.len();
    sum.in_range = queued.len();
    let ctx = Ctx::new(pipeline, now);
    // robots.txt once per host; a host whose robots.txt cannot be read is left queued.
    let mut robots: HashMap<String, Robots> = HashMap::new();
    let mut blocked = HashSet::new();
    let hosts: Vec<(String, Url)> = {
        let mut seen = HashMap::new();
        for q in &queued {
            seen.entry(q.host.clone()).or_insert_with(|| origin(&Url::parse(&q.url).expect("queued URLs parse")));
        }
        seen.into_iter().collect()
    };
    for (host, o) in hosts {
        match fetch_robots(&ctx, &o).await {
            Ok(r) => {
                robots.insert(host, r);
            }
            Err(Stop::Budget) => {
                sum.budget_spent.push(host.clone());
                blocked.insert(host);
            }
            Err(Stop::Problem(p)) => {
                sum.problems.push((host.clone(), p));
                blocked.insert(host);
            }
        }
    }
    let rows = pipeline.store.queue_backfill(&queued, now)?;
    let mut candidates = Vec::new();
    for row in rows {
        match row.status {
            BackfillStatus::Done => sum.done_before += 1,
            BackfillStatus::Failed if row.attempts >= ctx.page_attempts => sum.failed += 1,
            _ if blocked.contains(&row.url.host) => sum.remaining += 1,
            _ => candidates.push(row.url),
        }
    }
    fetch_all(&ctx, candidates, &robots, None, sum).await?;
    Ok(out)
}

async fn import_pages(pipeline: &Pipeline, dir: &Path) -> Result<ImportSummary, BackfillError> {
    let mut out = ImportSummary::default();
    let mut files = Vec::new();
    collect_pages(dir, &mut files, &mut out.rejected);
    files.sort();
    let progress = crate::progress::Progress::new("sidor", files.len() as u64);
    for file in files {
        progress.inc(1);
        let shown = file.display().to_string();
        let body = match std::fs::read(&file) {
            Ok(b) => b,
            Err(e) => {
                out.rejected.push((shown, e.to_string()));
                continue;
            }
        };
        out.pages += 1;
        let (html, _) = fetch::decode_text(&body, None);
        let own = crate::extract::page_url(&html)
            .and_then(|u| Url::parse(&u).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
        let url = match own {
            Some(u) => u,
            None => {
                out.synthetic_urls += 1;
                let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let mut u = Url::parse(&format!("https://{SAVED_HOST}/")).expect("static URL");
                u.path_segments_mut().expect("https URL has a path").push(&name);
                u
            }
        };
        let source =
            if url.host_str() == Some(SAVED_HOST) { "import".to_string() } else { source_for(pipeline.config(), &url) };
        let entry = Entry { link: Some(url.to_string()), ..Entry::default() };
        let sum = &mut out.result;
        sum.found += 1;
        match pipeline.ingest_saved_page(&source, &url, &body, &entry).await {
            Ok(ArchiveOutcome::New { undated }) => {
                sum.new_articles += 1;
                sum.undated += usize::from(undated);
            }
            Ok(ArchiveOutcome::Duplicate) => sum.duplicates += 1,
            Ok(ArchiveOutcome::Held(e) | ArchiveOutcome::Failed(e)) => {
                sum.failed += 1;
                out.rejected.push((shown, e));
            }
            Err(e) => {
                sum.failed += 1;
                tracing::error!(file = %shown, error = %e, "saved page not stored");
                out.rejected.push((shown, e.to_string()));
            }
        }
    }
    progress.finish();
    Ok(out)
}

/// `*.html` and `*.htm` under `dir`, subdirectories included.
fn collect_pages(dir: &Path, files: &mut Vec<PathBuf>, rejected: &mut Vec<(String, String)>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            rejected.push((dir.display().to_string(), e.to_string()));
            return;
        }
    };
    for entry in entries.flatten() {
        let p = entry.path();
        if p.is_dir() {
            collect_pages(&p, files, rejected);
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
        {
            files.push(p);
        }
    }
}

/// An outlet's name as a source id: `Smålandsposten` → `smalandsposten`.
fn slug(name: &str) -> String {
    let s: String = name
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'å' | 'ä' | 'á' | 'à' => 'a',
            'ö' | 'ø' | 'ó' => 'o',
            'é' | 'è' => 'e',
            'ü' => 'u',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        })
        .collect();
    let parts: Vec<&str> = s.split('-').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        return "import".into();
    }
    parts.join("-")
}

#[cfg(test)]
mod tests {
    #[test]
    fn outlet_names_become_ids() {
        assert_eq!(super::slug("Smålandsposten"), "smalandsposten");
        assert_eq!(super::slug("  Växjö Nyheter! "), "vaxjo-nyheter");
        assert_eq!(super::slug("!!"), "import");
    }
}
