//! The figures at archive scale: a store filled with N generated (article, district) rows over
//! about five years across ten districts, then the week's digest for every district and one
//! district's five-year series, timed. Rows go in through the store's bulk insert.

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use tonlage::config::Config;
use tonlage::digest::{self, Week};
use tonlage::model::{Evidence, Label, Tone};
use tonlage::store::{BulkArticle, NewArticle, Store};

use crate::gen::Rng;
use crate::stages::{districts, peak_rss_mb};

const FRAMES: [&[&str]; 4] = [&["violence", "gangs"], &["crime"], &[], &["community", "culture"]];

pub fn run(n: usize, seed: u64, runs: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let config = Config::parse(&districts(), std::path::Path::new("bench.toml"))?;
    let ids: Vec<String> = config.districts.iter().map(|d| d.id.clone()).collect();
    let store = Store::open(dir.path())?;
    let mut rng = Rng::new(seed);
    let end = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).single().expect("valid date");
    let span = Duration::days(5 * 365).num_seconds();
    let started = Instant::now();
    let batch = 50_000;
    let mut i = 0;
    while i < n {
        let items: Vec<BulkArticle> = (i..(i + batch).min(n))
            .map(|k| {
                // Evenly spread over five years with jitter; about one in five is a copy of the story before.
                let at = end - Duration::seconds(span - span * k as i64 / n as i64)
                    + Duration::seconds(rng.below(3600) as i64);
                let copy = k > 0 && rng.below(5) == 0;
                let label = match rng.below(20) {
                    0..=4 => Label::Stigmatizing,
                    5..=8 => Label::Negative,
                    9..=15 => Label::Neutral,
                    _ => Label::Positive,
                };
                let frames = FRAMES[label as usize].iter().map(|f| f.to_string()).collect();
                let district = ids[rng.below(ids.len())].clone();
                let tone = Tone {
                    label,
                    score: -0.5,
                    frames,
                    evidence: vec![Evidence { text: format!("Mening om {} nummer {k}.", district), terms: vec![] }],
                };
                let url = format!("https://lokaltidningen.example/nyheter/{k}");
                BulkArticle {
                    article: NewArticle {
                        uid: format!("{k:016x}"),
                        canonical: url.clone(),
                        url,
                        title: format!("Nyhet {k} om {district}"),
                        published: Some(at),
                        seen: at,
                        text: format!("Text om {district}: generated article number {k}."),
                        text_source: "feed".into(),
                        feed_html: String::new(),
                        page_html: None,
                        page_status: "skipped".into(),
                        page_error: None,
                        page_attempts: 0,
                        undated: false,
                    },
                    feed_id: ["smp", "svt", "smalanningen", "polisen"][rng.below(4)].to_string(),
                    labels: vec![(district, tone)],
                    same_story_as_previous: copy,
                }
            })
            .collect();
        store.insert_bulk(&items, "bench")?;
        i += items.len();
    }
    println!(
        "digest figures: {n} articles over 5 years, 10 districts, filled in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let from_rows = digest::series(
        &store,
        &config.districts[0],
        Week::of(end - Duration::days(5 * 365)),
        Week::last_complete(end),
    )?;
    let unsettled_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let settled = digest::cache::refresh(&store)?;
    println!(
        "  stats for one district over five years before the figures cache is settled (from the rows): {unsettled_ms:.0} ms"
    );
    println!("  settling the figures cache: {settled} district-weeks in {:.1} s", t.elapsed().as_secs_f64());

    let week = Week::last_complete(end);
    let mut digest_ms = Vec::new();
    let mut stats_ms = Vec::new();
    let mut weeks = 0;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let r = digest::render(digest::build(&store, &config, week, end)?);
        digest_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(!r.html.is_empty());
        let t = Instant::now();
        let s = digest::series(&store, &config.districts[0], Week::of(end - Duration::days(5 * 365)), week)?;
        stats_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        weeks = s.buckets.len();
        anyhow::ensure!(
            serde_json::to_string(&s)? == serde_json::to_string(&from_rows)?,
            "the cached series differs from the one computed from the rows"
        );
    }
    let show = |v: &mut Vec<f64>| {
        let first = v[0];
        v.sort_by(f64::total_cmp);
        format!("first {first:.1} ms, median {:.1} ms, best {:.1} ms", v[v.len() / 2], v[0])
    };
    println!("  digest of {week} for 10 districts (build + render html/md/json): {}", show(&mut digest_ms));
    println!("  stats for one district over five years ({weeks} weeks): {}", show(&mut stats_ms));
    println!("  peak RSS: {:.0} MB", peak_rss_mb());
    Ok(())
}

/// Five-year series of each configured bench district on an existing archive, `runs` times each,
/// through the figures cache (settled first, and timed, if a writer has not done so).
pub fn aggregation(data: &std::path::Path, runs: usize) -> anyhow::Result<()> {
    let config = Config::parse(&districts(), std::path::Path::new("bench.toml"))?;
    let store = Store::open(data)?;
    let t = Instant::now();
    let settled = digest::cache::refresh(&store)?;
    println!(
        "district x week aggregation: settled {settled} district-weeks first in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let end = Utc::now();
    let (from, to) = (Week::of(end - Duration::days(5 * 365)), Week::of(end));
    let mut ms = Vec::new();
    let mut weeks = 0;
    let mut articles = 0;
    for _ in 0..runs.max(1) {
        for d in &config.districts {
            let t = Instant::now();
            let s = digest::series(&store, d, from, to)?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            weeks = s.buckets.len();
            articles += s.buckets.iter().map(|b| b.articles as u64).sum::<u64>();
        }
    }
    let calls = ms.len();
    let (a, b, c) = crate::searching::percentiles(ms);
    println!(
        "  one district, {weeks} weeks (stories, labels, frames, outlets, baseline, spikes, share of all): \
         {calls} calls, {} articles per call on average; p50 {a:.2} / p95 {b:.2} / p99 {c:.2} ms",
        articles / calls as u64
    );
    Ok(())
}
