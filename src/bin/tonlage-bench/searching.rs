//! Search and indexing figures at archive scale: reindex time and peak RSS (the real binary),
//! index stage against plain tantivy, query latency percentiles for a mix of query shapes, and
//! the search page's attention chart.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use tonlage::index::{SearchIndex, SearchQuery, Sort};
use tonlage::model::Label;
use tonlage::store::Store;

use crate::archive;

/// The query shapes staff use, as (name, query).
pub fn query_mix() -> Vec<(&'static str, SearchQuery)> {
    let q = |text: &str| SearchQuery { text: text.into(), limit: 20, ..SearchQuery::default() };
    let year = |y: i32| Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).unwrap();
    vec![
        ("single term (common)", q("polisen")),
        ("single term (rare)", q("explosion")),
        ("AND of two terms", q("skolan resultat")),
        ("phrase", q("\"ny mötesplats\"")),
        ("phrase of common words", q("\"för att\"")),
        (
            "term + district + year",
            SearchQuery {
                district: Some("araby".into()),
                from: Some(year(2025)),
                to: Some(year(2026)),
                ..q("polisen")
            },
        ),
        (
            "district + tone, by date",
            SearchQuery {
                district: Some("rinkeby".into()),
                tone: Some(Label::Stigmatizing),
                sort: Sort::Date,
                ..q("*")
            },
        ),
    ]
}

pub fn percentiles(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize];
    (at(0.50), at(0.95), at(0.99))
}

/// Latency of each query shape over `runs` runs: the index alone, and with the store join and
/// snippets that `search --json` and the API add.
pub fn latencies(data: &Path, runs: usize) -> anyhow::Result<()> {
    let store = Store::open(data)?;
    let index = SearchIndex::open(&data.join("search"), false)?;
    let size = crate::stages::dir_size(&data.join("search"));
    println!("search index: {} documents, {:.0} MB on disk", index.num_docs(), size as f64 / 1e6);
    println!("search latency, {runs} runs per shape, in process (ms: p50 / p95 / p99)");
    for (name, q) in query_mix() {
        let (mut idx, mut full) = (Vec::new(), Vec::new());
        let mut total = 0;
        for _ in 0..runs {
            let t = Instant::now();
            total = index.search(&q)?.total;
            idx.push(t.elapsed().as_secs_f64() * 1e3);
            let t = Instant::now();
            tonlage::search::run(&store, &index, &q, false)?;
            full.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let (a, b, c) = percentiles(idx);
        let (d, e, f) = percentiles(full);
        println!("  {name:<28} {total:>8} hits  index {a:>6.2} / {b:>6.2} / {c:>6.2}   with store+snippets {d:>6.2} / {e:>6.2} / {f:>6.2}");
    }
    println!(
        "  serving footprint of this process (index open, queries run): peak RSS {:.0} MB",
        crate::stages::peak_rss_mb()
    );
    Ok(())
}

/// Time of the search page's attention chart (`hours_by_tone`) on the index in `data`, for the
/// shapes where it costs most: a term most articles contain, alone and with filters.
pub fn chart(data: &Path, runs: usize) -> anyhow::Result<()> {
    let dir = data.join("search");
    let schema = tantivy::Index::open_in_dir(&dir)?.schema();
    let columns = schema.get_field("tone").is_ok_and(|f| schema.get_field_entry(f).is_fast());
    let index = SearchIndex::open(&dir, false)?;
    let how = if columns { "one pass over the label columns" } else { "no label columns: one search per label" };
    println!(
        "attention chart, {} documents, {how}; {runs} runs per shape (ms: p50 / p95 / p99; counted afresh, then kept)",
        index.num_docs()
    );
    let q = |text: &str| SearchQuery { text: text.into(), limit: 20, ..SearchQuery::default() };
    let shapes = [
        ("common term", q("polisen")),
        ("common term + district", SearchQuery { district: Some("araby".into()), ..q("polisen") }),
        ("common term + tone", SearchQuery { tone: Some(Label::Stigmatizing), ..q("polisen") }),
        ("rare term", q("explosion")),
        ("everything", q("*")),
    ];
    for (name, q) in shapes {
        let matches = index.search(&q)?.total;
        // Counted afresh every run, as for a new query; then as when paging through the result.
        let mut fresh = Vec::with_capacity(runs);
        let mut kept = Vec::with_capacity(runs);
        for _ in 0..runs {
            index.forget_charts();
            let t = Instant::now();
            std::hint::black_box(index.hours_by_tone(&q)?);
            fresh.push(t.elapsed().as_secs_f64() * 1e3);
            let t = Instant::now();
            std::hint::black_box(index.hours_by_tone(&q)?);
            kept.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let (a, b, c) = percentiles(fresh);
        let (d, e, f) = percentiles(kept);
        println!(
            "  {name:<24} {matches:>8} matches  {a:>7.1} / {b:>7.1} / {c:>7.1}   kept: {d:>5.2} / {e:>5.2} / {f:>5.2}"
        );
    }
    Ok(())
}

/// Runs the real `tonlage reindex` on `data` and reports its time and peak RSS.
pub fn reindex(bin: &Path, data: &Path) -> anyhow::Result<()> {
    let config = data.join("bench.toml");
    std::fs::write(&config, archive::config_text())?;
    let t = Instant::now();
    let status = Command::new(bin).arg("--config").arg(&config).arg("--data").arg(data).arg("reindex").status()?;
    anyhow::ensure!(status.success(), "reindex failed");
    println!("reindex: {:.1} s, peak RSS {:.0} MB", t.elapsed().as_secs_f64(), children_peak_rss_mb());
    Ok(())
}

#[repr(C)]
struct RUsage {
    fields: [i64; 18],
}

extern "C" {
    fn getrusage(who: i32, usage: *mut RUsage) -> i32;
}

/// Largest resident set of any waited-for child (Linux reports kilobytes).
fn children_peak_rss_mb() -> f64 {
    let mut u = RUsage { fields: [0; 18] };
    const RUSAGE_CHILDREN: i32 = -1;
    // SAFETY: getrusage fills the struct, which is at least as large as Linux's `struct rusage`.
    let ok = unsafe { getrusage(RUSAGE_CHILDREN, &mut u) } == 0;
    // ru_utime and ru_stime (two timevals, four longs) come before ru_maxrss.
    if ok {
        u.fields[4] as f64 / 1024.0
    } else {
        f64::NAN
    }
}

/// Index stage of tonlage (Swedish analyzer, filter fields) against plain tantivy on the same texts.
pub fn index_vs_plain(n: usize, seed: u64) -> anyhow::Result<()> {
    use tantivy::schema::{Schema, STORED, STRING, TEXT};
    let docs: Vec<tonlage::model::IndexDoc> = archive::docs(n, seed)
        .map(|d| tonlage::model::IndexDoc {
            uid: format!("{:016x}", d.i),
            title: d.title,
            text: d.text,
            published: Some(d.published),
            seen: d.published,
            sources: vec![d.outlet.to_string()],
            labels: vec![("araby".into(), Label::Neutral)],
            undated: false,
        })
        .collect();
    let dir = tempfile::tempdir()?;
    let ours = SearchIndex::open(&dir.path().join("ours"), true)?;
    let t = Instant::now();
    for chunk in docs.chunks(1000) {
        ours.upsert(chunk)?;
    }
    ours.commit(1)?;
    let ours_secs = t.elapsed().as_secs_f64();

    let mut b = Schema::builder();
    let (id, title, body) =
        (b.add_text_field("id", STRING | STORED), b.add_text_field("title", TEXT), b.add_text_field("body", TEXT));
    let plain = tantivy::Index::create_in_dir(
        {
            let p = dir.path().join("plain");
            std::fs::create_dir_all(&p)?;
            p
        },
        b.build(),
    )?;
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(2);
    let mut w: tantivy::IndexWriter = plain.writer_with_num_threads(threads, 96 * 1024 * 1024)?;
    let t = Instant::now();
    for d in &docs {
        w.add_document(tantivy::doc!(id => d.uid.as_str(), title => d.title.as_str(), body => d.text.as_str()))?;
    }
    w.commit()?;
    let plain_secs = t.elapsed().as_secs_f64();
    println!("index stage on {n} documents of ~3 KB:");
    println!(
        "  tonlage (Swedish stemming, upsert by id, date/district/tone/source fields): {:.0} docs/s",
        n as f64 / ours_secs
    );
    println!(
        "  plain tantivy (default tokenizer, add only):                             {:.0} docs/s",
        n as f64 / plain_secs
    );
    println!("  ratio: tonlage takes {:.2}x the time of plain tantivy", ours_secs / plain_secs);
    Ok(())
}
