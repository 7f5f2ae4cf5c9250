//! Builds a generated archive in a data directory through the product's own store and labeller
//! (what ingest stores), streaming so a million articles never sit in memory at once.

use std::path::Path;
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use tonlage::config::Config;
use tonlage::ingest::Labeller;
use tonlage::store::{NewArticle, Store};

use crate::gen::{Generator, Rng, DISTRICTS};

pub const OUTLETS: [&str; 5] = ["svt-smaland", "smp", "smalanningen", "polisen-kronoberg", "tt"];

pub fn config_text() -> String {
    let mut s = String::new();
    for d in DISTRICTS {
        let id = district_id(d);
        s.push_str(&format!("[[district]]\nid = \"{id}\"\nname = \"{d}\"\naliases = [\"{d}\"]\n"));
    }
    s
}

pub fn district_id(name: &str) -> String {
    name.to_lowercase().replace(['å', 'ä'], "a").replace('ö', "o")
}

/// One generated article with its metadata, the same for a seed on every call.
pub struct Doc {
    pub i: usize,
    pub title: String,
    pub text: String,
    pub outlet: &'static str,
    pub published: chrono::DateTime<Utc>,
}

/// Articles spread evenly at random over the five years before 2026-11-23.
pub fn docs(n: usize, seed: u64) -> impl Iterator<Item = Doc> {
    let mut gen = Generator::new(seed);
    let mut rng = Rng::new(seed ^ 0x5eed);
    let end = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
    let span = 5 * 365 * 24 * 3600;
    (0..n).map(move |i| {
        let a = gen.article(3000);
        Doc {
            i,
            title: a.title,
            text: a.text,
            outlet: OUTLETS[rng.below(OUTLETS.len())],
            published: end - Duration::seconds((rng.next() % span) as i64),
        }
    })
}

/// Fills `data` with `n` articles and their labels; returns seconds spent.
pub fn build(data: &Path, n: usize, seed: u64) -> anyhow::Result<f64> {
    let config = Config::parse(&config_text(), Path::new("bench.toml"))?;
    let labeller = Labeller::new(&config);
    let store = Store::open(data)?;
    let started = Instant::now();
    let progress = tonlage::progress::Progress::new("genererar", n as u64);
    for d in docs(n, seed) {
        let labels = labeller.label(&d.title, &d.text);
        let url = format!("https://{}.example/nyheter/{}", d.outlet, d.i);
        let a = NewArticle {
            uid: format!("{:016x}", d.i),
            canonical: url.trim_start_matches("https://").to_string(),
            url: url.clone(),
            title: d.title,
            published: Some(d.published),
            seen: d.published,
            text: d.text,
            text_source: "generic".into(),
            feed_html: String::new(),
            page_html: None,
            page_status: "ok".into(),
            page_error: None,
            page_attempts: 1,
            undated: false,
        };
        store.insert_article(&a, d.outlet, None, &url, &labels, tonlage::tone::VERSION)?;
        progress.inc(1);
    }
    progress.finish();
    Ok(started.elapsed().as_secs_f64())
}
