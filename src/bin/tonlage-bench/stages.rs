//! Stage benchmarks: the whole ingest path on stored pages, and districts + tone on its own.

use std::sync::Arc;
use std::time::Instant;

use tonlage::config::Config;
use tonlage::districts::Matcher;
use tonlage::index::SearchIndex;
use tonlage::ingest::{self, Pipeline};
use tonlage::model::{District, Entry};
use tonlage::store::Store;
use tonlage::tone::Classifier;

use crate::gen::{Generator, DISTRICTS};

pub(crate) fn districts() -> String {
    DISTRICTS
        .iter()
        .map(|d| {
            format!(
                "[[district]]\nid = \"{}\"\nname = \"{d}\"\naliases = [\"{d}\"]\n",
                d.to_lowercase().replace(['å', 'ä'], "a").replace('ö', "o")
            )
        })
        .collect()
}

pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

pub fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|rd| {
            rd.flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

/// Ingest from stored pages: decode → extract → districts/tone → store → index, as `fetch` does.
pub fn ingest(n: usize, seed: u64) -> anyhow::Result<()> {
    let mut gen = Generator::new(seed);
    let pages: Vec<(String, String, Vec<u8>)> = (0..n)
        .map(|i| {
            let a = gen.article(3000);
            let page = gen.page(&a);
            (format!("https://lokaltidningen.example/nyheter/{i}"), a.title, page.into_bytes())
        })
        .collect();
    let mb: f64 = pages.iter().map(|p| p.2.len()).sum::<usize>() as f64 / 1e6;
    let dir = tempfile::tempdir()?;
    let config = Arc::new(Config::parse(
        &format!("[[feed]]\nid = \"bench\"\nurl = \"https://lokaltidningen.example/rss\"\n{}", districts()),
        std::path::Path::new("bench.toml"),
    )?);
    let store = Store::open(dir.path())?;
    let index = Arc::new(SearchIndex::open(&dir.path().join("search"), true)?);
    let pipeline = Pipeline::new(config, store.clone(), index.clone())?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let started = Instant::now();
    rt.block_on(async {
        // A few pages in flight, as the worker has while pages arrive from several hosts.
        let mut set = tokio::task::JoinSet::new();
        for (url, title, body) in pages {
            if set.len() >= 4 {
                set.join_next().await.expect("non-empty")??;
            }
            let p = pipeline.clone();
            set.spawn(async move {
                let entry = Entry { title, link: Some(url.clone()), ..Entry::default() };
                p.ingest_saved_page("bench", &url::Url::parse(&url)?, &body, &entry).await.map_err(anyhow::Error::from)
            });
        }
        while let Some(r) = set.join_next().await {
            r??;
        }
        anyhow::Ok(())
    })?;
    let stored = started.elapsed();
    ingest::sync_index(&store, &index, None)?;
    let total = started.elapsed();
    drop(pipeline);
    if let Some(index) = Arc::into_inner(index) {
        index.wait_merges()?;
    }
    let index_bytes = dir_size(&dir.path().join("search"));
    let store_bytes = dir_size(dir.path()) - index_bytes;
    println!("ingest from stored pages: {n} articles, {mb:.1} MB of HTML");
    println!(
        "  decode+extract+label+store: {:.2} s; + index and commit: {:.2} s",
        stored.as_secs_f64(),
        total.as_secs_f64()
    );
    println!(
        "  end to end: {:.0} articles/s ({:.1} MB/s of HTML)",
        n as f64 / total.as_secs_f64(),
        mb / total.as_secs_f64()
    );
    println!(
        "  index: {:.2} MB per 1,000 articles; store (text + gzipped page): {:.2} MB per 1,000",
        index_bytes as f64 / 1e6 / n as f64 * 1000.0,
        store_bytes as f64 / 1e6 / n as f64 * 1000.0
    );
    println!("  peak RSS: {:.0} MB", peak_rss_mb());
    Ok(())
}

/// Districts + tone per (article, district), one thread, ~3 KB articles.
pub fn classify(n: usize, seed: u64) -> anyhow::Result<()> {
    let mut gen = Generator::new(seed);
    let articles: Vec<_> = (0..n).map(|_| gen.article(3000)).collect();
    let ds: Vec<District> = DISTRICTS
        .iter()
        .map(|d| District {
            id: d.to_lowercase(),
            name: d.to_string(),
            municipality: String::new(),
            aliases: vec![d.to_string()],
            exclude: Vec::new(),
            context: Vec::new(),
        })
        .collect();
    let matcher = Matcher::new(&ds);
    let classifier = Classifier::new();
    let started = Instant::now();
    let mut pairs = 0usize;
    let mut agree = 0usize;
    for a in &articles {
        for hit in matcher.find(&a.title, &a.text) {
            let tone = classifier.classify(&a.title, &a.text, &hit);
            pairs += 1;
            agree += usize::from(tone.label.as_str() == a.label);
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "districts + tone: {pairs} (article, district) pairs from {n} articles of ~3 KB in {secs:.2} s on one thread"
    );
    println!("  {:.0} classifications/s (matcher included)", pairs as f64 / secs);
    println!(
        "  (sanity: {:.0}% agree with the generator's intended label)",
        100.0 * agree as f64 / pairs.max(1) as f64
    );
    Ok(())
}
