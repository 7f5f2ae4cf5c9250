//! Backfill throughput: a generated outlet (robots.txt, a sitemap index, gzipped monthly sitemaps,
//! ~3 KB article pages) served on 127.0.0.1, backfilled with the host gap at zero, end to end.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, Response};
use tonlage::backfill;
use tonlage::config::Config;
use tonlage::index::SearchIndex;
use tonlage::ingest::Pipeline;
use tonlage::store::Store;

use crate::gen::Generator;

fn gzip(text: &str) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(text.as_bytes()).expect("writing to a Vec cannot fail");
    enc.finish().expect("writing to a Vec cannot fail")
}

/// The outlet: `n` pages spread over twelve monthly sitemaps of 2025.
fn outlet(n: usize, seed: u64, base: &str) -> HashMap<String, (&'static str, Vec<u8>)> {
    let mut gen = Generator::new(seed);
    let mut routes = HashMap::new();
    let mut months: Vec<String> = vec![String::new(); 12];
    for i in 0..n {
        let a = gen.article(3000);
        let path = format!("/nyheter/{i}");
        let m = i % 12;
        months[m].push_str(&format!(
            "<url><loc>{base}{path}</loc><lastmod>2025-{:02}-{:02}</lastmod></url>",
            m + 1,
            1 + i % 28
        ));
        routes.insert(path, ("text/html; charset=utf-8", gen.page(&a).into_bytes()));
    }
    let mut index = String::from("<?xml version=\"1.0\"?><sitemapindex>");
    for (m, urls) in months.iter().enumerate() {
        let path = format!("/sitemap-2025-{:02}.xml.gz", m + 1);
        index.push_str(&format!("<sitemap><loc>{base}{path}</loc></sitemap>"));
        routes.insert(path, ("application/x-gzip", gzip(&format!("<urlset>{urls}</urlset>"))));
    }
    index.push_str("</sitemapindex>");
    routes.insert("/sitemap.xml".into(), ("application/xml", index.into_bytes()));
    let robots = format!("User-agent: *\nDisallow: /sok\nSitemap: {base}/sitemap.xml\n");
    routes.insert("/robots.txt".into(), ("text/plain", robots.into_bytes()));
    routes
}

pub fn run(n: usize, seed: u64) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let base = format!("http://{}", listener.local_addr()?);
    let routes = Arc::new(outlet(n, seed, &base));
    let served = routes.clone();
    let app = axum::Router::new().fallback(move |req: Request<Body>| {
        let routes = served.clone();
        async move {
            match routes.get(req.uri().path()) {
                Some((ct, body)) => Response::builder().header("content-type", *ct).body(Body::from(body.clone())),
                None => Response::builder().status(404).body(Body::from("not found")),
            }
            .expect("static response")
        }
    });
    rt.spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir()?;
    let config = Arc::new(Config::parse(
        &format!(
            "[[feed]]\nid = \"bench\"\nurl = \"{base}/rss\"\n[[district]]\nid = \"araby\"\naliases = [\"Araby\"]\n\
             [worker]\nhost_gap_ms = 0\n[backfill]\ndaily_budget_per_host = 1000000\n"
        ),
        std::path::Path::new("bench.toml"),
    )?);
    let store = Store::open(dir.path())?;
    let index = Arc::new(SearchIndex::open(&dir.path().join("search"), true)?);
    let pipeline = Pipeline::new(config.clone(), store, index.clone())?;
    let targets = backfill::targets(&config, Some("bench"), None)?;
    let started = Instant::now();
    let sum = rt.block_on(backfill::run(&pipeline, &targets, &backfill::Options::default(), chrono::Utc::now()))?;
    let secs = started.elapsed().as_secs_f64();
    let requests = sum.fetched + sum.sitemaps + 1;
    println!(
        "backfill from 127.0.0.1, host gap 0: {} URLs found in {} sitemaps, {} pages fetched, {} new articles",
        sum.found, sum.sitemaps, sum.fetched, sum.new_articles
    );
    println!(
        "  {secs:.2} s end to end (discovery, fetch, extract, label, store, index): {:.0} pages/s",
        sum.fetched as f64 / secs
    );
    println!(
        "  at the default 1,000 ms gap the same {requests} requests take at least {:.1} min (one request per second)",
        requests as f64 / 60.0
    );
    drop(pipeline);
    if let Some(index) = Arc::into_inner(index) {
        index.wait_merges()?;
    }
    Ok(())
}
