//! Feed decoding figures: generated RSS 2.0, Atom and JSON Feed documents (Swedish text, HTML in
//! CDATA and escaped, HTML entities XML does not define, some RSS in windows-1252) through
//! `fetch::decode_feed`, the call ingest turns fetched bytes into entries with (charset, repair,
//! feed-rs). Deterministic by seed.

use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use encoding_rs::WINDOWS_1252;
use tonlage::fetch::decode_feed;
use url::Url;

use crate::archive::OUTLETS;
use crate::gen::{Generator, Rng};

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Rss,
    Atom,
    Json,
}

const FORMATS: [(Format, &str); 3] = [(Format::Rss, "RSS 2.0"), (Format::Atom, "Atom"), (Format::Json, "JSON Feed")];

/// A generated feed as a server would send it.
struct Fetched {
    format: Format,
    url: Url,
    content_type: String,
    body: Vec<u8>,
    /// The item titles as written, to check decoding got every letter back.
    titles: Vec<String>,
}

struct Item {
    title: String,
    link: String,
    guid: String,
    published: DateTime<Utc>,
    author: &'static str,
    /// The item's text as HTML paragraphs, with a link and an image as outlets send them.
    html: String,
}

const AUTHORS: [&str; 4] = ["Anna Lindqvist", "Erik Öberg", "Sara Åström", "Redaktionen"];

fn items(gen: &mut Generator, rng: &mut Rng, outlet: &str, feed: usize, n: usize) -> Vec<Item> {
    let end = Utc.with_ymd_and_hms(2026, 11, 23, 7, 30, 0).unwrap();
    (0..n)
        .map(|i| {
            let a = gen.article(500);
            let id = feed * 1000 + i;
            let link = format!("https://{outlet}.example/nyheter/{id}-{}", a.title.len());
            let paras: String = a.text.split_inclusive(". ").map(|s| format!("<p>{}</p>", s.trim())).collect();
            let html = format!(
                "{paras}<p><img src=\"https://{outlet}.example/bild/{id}.jpg\" alt=\"Bild\"/> \
                 <a href=\"{link}\">Läs mer &amp; se bilderna</a></p>"
            );
            Item {
                // Titles with an ampersand and quotes, as headlines have.
                title: if i % 5 == 0 { format!("{} & \"{}\"", a.title, outlet) } else { a.title },
                guid: format!("{outlet}-{id}"),
                link,
                published: end - Duration::minutes(rng.below(7 * 24 * 60) as i64),
                author: AUTHORS[rng.below(AUTHORS.len())],
                html,
            }
        })
        .collect()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Letters written as HTML entities, which XML lacks: feed-rs alone would reject the feed.
fn html_entities(s: &str) -> String {
    s.replace('ä', "&auml;").replace('å', "&aring;").replace('ö', "&ouml;").replace(" – ", "&nbsp;&ndash; ")
}

fn rss(title: &str, site: &str, items: &[Item], latin1: bool) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"{}\"?>\n<rss version=\"2.0\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\
         <channel><title>{}</title><link>{site}</link><description>Nyheter från {}</description><language>sv</language>\n",
        if latin1 { "ISO-8859-1" } else { "UTF-8" },
        xml_escape(title),
        xml_escape(title)
    );
    for (i, it) in items.iter().enumerate() {
        // Three ways outlets put HTML in a description: CDATA, escaped, and text with HTML entities.
        let description = match i % 3 {
            0 => format!("<![CDATA[{}]]>", it.html),
            1 => xml_escape(&it.html),
            _ => html_entities(&xml_escape(&it.html)),
        };
        let content = if i % 2 == 0 {
            format!("<content:encoded><![CDATA[{}]]></content:encoded>", it.html)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "<item><title>{}</title><link>{}</link><guid isPermaLink=\"false\">{}</guid><pubDate>{}</pubDate>\
             <dc:creator>{}</dc:creator><description>{description}</description>{content}</item>\n",
            if i % 3 == 2 { html_entities(&xml_escape(&it.title)) } else { xml_escape(&it.title) },
            it.link,
            it.guid,
            it.published.with_timezone(&chrono_tz::Europe::Stockholm).to_rfc2822(),
            it.author,
        ));
    }
    out.push_str("</channel></rss>\n");
    out
}

fn atom(title: &str, site: &str, items: &[Item]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"sv\">\
         <title>{}</title><id>{site}</id><link rel=\"self\" href=\"{site}atom.xml\"/><link href=\"{site}\"/>\
         <updated>2026-11-23T07:30:00+01:00</updated>\n",
        xml_escape(title)
    );
    for (i, it) in items.iter().enumerate() {
        let body = if i % 2 == 0 {
            format!("<content type=\"html\"><![CDATA[{}]]></content>", it.html)
        } else {
            format!("<summary type=\"html\">{}</summary>", xml_escape(&it.html))
        };
        out.push_str(&format!(
            "<entry><title type=\"html\">{}</title><id>urn:{}</id><link rel=\"alternate\" href=\"{}\"/>\
             <published>{}</published><updated>{}</updated><author><name>{}</name></author>{body}</entry>\n",
            xml_escape(&xml_escape(&it.title)),
            it.guid,
            it.link,
            it.published.to_rfc3339(),
            it.published.to_rfc3339(),
            it.author,
        ));
    }
    out.push_str("</feed>\n");
    out
}

fn json_feed(title: &str, site: &str, items: &[Item]) -> String {
    let items: Vec<_> = items
        .iter()
        .map(|it| {
            serde_json::json!({
                "id": it.guid,
                "url": it.link,
                "title": it.title,
                "content_html": it.html,
                "date_published": it.published.to_rfc3339(),
                "authors": [{ "name": it.author }],
            })
        })
        .collect();
    serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": site,
        "feed_url": format!("{site}feed.json"),
        "language": "sv",
        "items": items,
    })
    .to_string()
}

/// `n` feeds in turn RSS, Atom and JSON Feed; every fourth RSS feed is windows-1252 bytes under
/// an ISO-8859-1 declaration, as some Swedish outlets still serve.
fn feeds(n: usize, per_feed: usize, seed: u64) -> Vec<Fetched> {
    let mut gen = Generator::new(seed);
    let mut rng = Rng::new(seed ^ 0xfeed);
    (0..n)
        .map(|f| {
            let outlet = OUTLETS[f % OUTLETS.len()];
            let site = format!("https://{outlet}.example/");
            let title = format!("{outlet} – Nyheter från Kronoberg & Småland");
            let its = items(&mut gen, &mut rng, outlet, f, per_feed);
            let (format, _) = FORMATS[f % 3];
            let latin1 = format == Format::Rss && (f / 3) % 4 == 3;
            let (body, content_type) = match format {
                Format::Rss if latin1 => (
                    WINDOWS_1252.encode(&rss(&title, &site, &its, true)).0.into_owned(),
                    "application/rss+xml; charset=ISO-8859-1",
                ),
                Format::Rss => (rss(&title, &site, &its, false).into_bytes(), "application/rss+xml"),
                Format::Atom => (atom(&title, &site, &its).into_bytes(), "application/atom+xml; charset=utf-8"),
                Format::Json => (json_feed(&title, &site, &its).into_bytes(), "application/feed+json"),
            };
            let url = Url::parse(&format!("{site}feed")).expect("a valid URL");
            let titles = its.iter().map(|i| i.title.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
            Fetched { format, url, content_type: content_type.into(), body, titles }
        })
        .collect()
}

/// Decodes every generated feed once to check it (all items, titles letter for letter), then
/// times decoding per format.
pub fn run(n: usize, per_feed: usize, seed: u64) -> anyhow::Result<()> {
    let feeds = feeds(n, per_feed, seed);
    for f in &feeds {
        let d = decode_feed(&f.body, Some(&f.content_type), &f.url)?;
        let complete =
            d.entries.iter().zip(&f.titles).all(|(e, t)| &e.title == t && e.link.is_some() && e.published.is_some());
        anyhow::ensure!(
            d.entries.len() == per_feed && complete && d.warnings.is_empty(),
            "generated feed {} decoded to {} entries ({:?})",
            f.url,
            d.entries.len(),
            d.warnings
        );
    }
    println!("feed decoding: {n} feeds of {per_feed} items (seed {seed}) through fetch::decode_feed, one thread");
    let (mut all_secs, mut all_bytes) = (0.0, 0usize);
    for (format, name) in FORMATS {
        let these: Vec<&Fetched> = feeds.iter().filter(|f| f.format == format).collect();
        let bytes: usize = these.iter().map(|f| f.body.len()).sum();
        let started = Instant::now();
        let mut items = 0;
        for f in &these {
            items += decode_feed(&f.body, Some(&f.content_type), &f.url)?.entries.len();
        }
        let secs = started.elapsed().as_secs_f64();
        (all_secs, all_bytes) = (all_secs + secs, all_bytes + bytes);
        println!(
            "  {name:<10} {:>5} feeds, {:>6.1} MB: {:>7.0} feeds/s, {:>8.0} items/s, {:>6.1} MB/s",
            these.len(),
            bytes as f64 / 1e6,
            these.len() as f64 / secs,
            items as f64 / secs,
            bytes as f64 / 1e6 / secs
        );
    }
    println!(
        "  {:<10} {n:>5} feeds, {:>6.1} MB: {:>7.0} feeds/s, {:>8.0} items/s, {:>6.1} MB/s",
        "all",
        all_bytes as f64 / 1e6,
        n as f64 / all_secs,
        (n * per_feed) as f64 / all_secs,
        all_bytes as f64 / 1e6 / all_secs
    );
    let latin1 = feeds.iter().filter(|f| f.content_type.contains("ISO-8859-1")).count();
    println!("  ({latin1} RSS feeds in windows-1252; a third of RSS items carry HTML entities XML lacks)");
    Ok(())
}
