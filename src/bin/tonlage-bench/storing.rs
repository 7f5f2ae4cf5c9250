//! Store insert figures: generated articles with labels and appearances written through the
//! store calls ingest makes per feed entry (look up; insert with first appearance and labels in
//! one transaction, or add an appearance), on their own: text, pages and labels are made before
//! the clock starts. Story assignment, ingest's next write, is timed beside it.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use tonlage::config::Config;
use tonlage::ingest::{self, Labeller};
use tonlage::model::Tone;
use tonlage::store::{NewArticle, Store};

use crate::archive::{self, OUTLETS};
use crate::gen::{Generator, Rng};

/// Days the articles' dates spread over, newest 2026-11-23.
const DAYS: usize = 60;
/// Entries per feed poll: ingest stores a poll's entries one after another.
const PER_POLL: usize = 50;
/// Of each poll, every so many entries were already carried by the previous poll's outlet.
const RELISTED_EVERY: usize = 7;

struct Prepared {
    article: NewArticle,
    feed: &'static str,
    labels: Vec<(String, Tone)>,
}

fn prepare(n: usize, seed: u64) -> anyhow::Result<Vec<Prepared>> {
    let config = Config::parse(&archive::config_text(), Path::new("bench.toml"))?;
    let labeller = Labeller::new(&config);
    let mut gen = Generator::new(seed);
    let mut rng = Rng::new(seed ^ 0x570e);
    let end = Utc.with_ymd_and_hms(2026, 11, 23, 7, 0, 0).unwrap();
    Ok((0..n)
        .map(|i| {
            let a = gen.article(3000);
            let page = gen.page(&a);
            let feed = OUTLETS[(i / PER_POLL) % OUTLETS.len()];
            let url = format!("https://{feed}.example/nyheter/{i}");
            // A live installation's recent weeks, so story assignment has neighbours to compare.
            let published = end - chrono::Duration::minutes(rng.below(DAYS * 24 * 60) as i64);
            let lead = a.text.split(". ").next().unwrap_or_default();
            let labels = labeller.label(&a.title, &a.text);
            let article = NewArticle {
                uid: ingest::uid_of(&url),
                canonical: url.trim_start_matches("https://").to_string(),
                url,
                title: a.title,
                published: Some(published),
                seen: published + chrono::Duration::minutes(5),
                undated: false,
                text: a.text.clone(),
                text_source: "generic".into(),
                feed_html: format!("<p>{lead}.</p>"),
                page_html: Some(page),
                page_status: "ok".into(),
                page_error: None,
                page_attempts: 1,
            };
            Prepared { article, feed, labels }
        })
        .collect())
}

/// Inserts `n` articles poll by poll into a fresh store and reports articles/s and size.
pub fn run(n: usize, seed: u64) -> anyhow::Result<()> {
    let prepared = prepare(n, seed)?;
    let pairs: usize = prepared.iter().map(|p| p.labels.len()).sum();
    let dir = tempfile::tempdir()?;
    let store = Store::open(dir.path())?;
    let (mut store_time, mut story_time) = (Duration::ZERO, Duration::ZERO);
    let mut appearances = 0;
    let mut ids = Vec::with_capacity(n);
    for (poll, batch) in prepared.chunks(PER_POLL).enumerate() {
        let started = Instant::now();
        // Entries the previous outlet carried too: found by URL, recorded as an appearance.
        let relisted = prepared[poll.saturating_sub(1) * PER_POLL..poll * PER_POLL].iter().step_by(RELISTED_EVERY);
        for p in relisted {
            let a = &p.article;
            let feed = batch[0].feed;
            let found = store.find_article(&a.canonical, feed, Some(&a.url))?.expect("stored by the previous poll");
            store.add_appearance(found.id, feed, Some(&a.url), &a.url, a.seen)?;
            appearances += 1;
        }
        for p in batch {
            let a = &p.article;
            anyhow::ensure!(store.find_article(&a.canonical, p.feed, Some(&a.url))?.is_none(), "a new article");
            let id = store.insert_article(a, p.feed, Some(&a.url), &a.url, &p.labels, tonlage::tone::VERSION)?;
            ids.push(id);
        }
        store_time += started.elapsed();
        let started = Instant::now();
        for (p, id) in batch.iter().zip(&ids[poll * PER_POLL..]) {
            let a = &p.article;
            ingest::assign_story(&store, *id, &a.title, &a.text, a.published.unwrap_or(a.seen))?;
        }
        story_time += started.elapsed();
    }
    anyhow::ensure!(store.article_count()? == n as u64, "every article stored");
    // Closing the only connection checkpoints the WAL into the database file.
    drop(store);
    let bytes = std::fs::metadata(dir.path().join("tonlage.db"))?.len();
    let (s, t) = (store_time.as_secs_f64(), story_time.as_secs_f64());
    println!(
        "store insert: {n} articles of ~3 KB text + gzipped page, {pairs} labels, {appearances} extra appearances, \
         polls of {PER_POLL}, one thread"
    );
    println!("  look-up + insert (+ appearance): {s:.2} s, {:.0} articles/s", n as f64 / s);
    println!(
        "  with story assignment (ingest::assign_story, {:.0} articles a day over {DAYS} days): {:.2} s, {:.0} articles/s",
        n as f64 / DAYS as f64,
        s + t,
        n as f64 / (s + t)
    );
    println!(
        "  tonlage.db after close: {:.1} MB, {:.2} MB per 1,000 articles",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / n as f64 * 1e3
    );
    Ok(())
}
