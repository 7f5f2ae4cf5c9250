//! Sitemaps (sitemaps.org, Google News): an index of further sitemaps, or a `urlset` of pages with
//! `lastmod` and `news:publication_date`. Gzipped bodies (`.xml.gz`, or gzip sent without a
//! Content-Encoding) are inflated here, bounded. Pure: the caller fetches.

use std::io::Read;

use chrono::{DateTime, Utc};
use quick_xml::events::Event;
use quick_xml::reader::Reader;

use super::{charset, dates};

#[derive(Debug, thiserror::Error)]
pub enum SitemapError {
    #[error("gzip body cannot be inflated: {0}")]
    Gzip(String),
    #[error("inflated sitemap is larger than the {0}-byte limit")]
    TooLarge(usize),
    #[error("malformed sitemap XML: {0}")]
    Xml(String),
    #[error("not a sitemap: {0}")]
    NotASitemap(String),
}

/// One page listed in a `urlset`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SitemapUrl {
    pub loc: String,
    pub lastmod: Option<DateTime<Utc>>,
    /// Google News `news:publication_date`: the publication, not the last edit.
    pub news_date: Option<DateTime<Utc>>,
    /// Google News `news:title`.
    pub title: Option<String>,
}

impl SitemapUrl {
    /// The best date the sitemap gives: publication before last modification.
    pub fn date(&self) -> Option<DateTime<Utc>> {
        self.news_date.or(self.lastmod)
    }
}

/// One child of a sitemap index.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SitemapRef {
    pub loc: String,
    pub lastmod: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Sitemap {
    Index(Vec<SitemapRef>),
    UrlSet(Vec<SitemapUrl>),
}

/// Parses a sitemap body; `max_inflated` bounds what a gzip body may expand to.
pub fn parse_sitemap(bytes: &[u8], max_inflated: usize) -> Result<Sitemap, SitemapError> {
    let inflated;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        inflated = gunzip(bytes, max_inflated)?;
        &inflated[..]
    } else {
        bytes
    };
    let (text, _) = charset::decode(bytes, Some("application/xml"));
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if !trimmed.starts_with('<') {
        // The protocol also allows a plain text file of URLs, one per line.
        let urls: Vec<SitemapUrl> = trimmed
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("http://") || l.starts_with("https://"))
            .map(|l| SitemapUrl { loc: l.to_string(), ..SitemapUrl::default() })
            .collect();
        if urls.is_empty() {
            let start: String = trimmed.chars().take(40).collect();
            return Err(SitemapError::NotASitemap(format!("text starting {start:?}")));
        }
        return Ok(Sitemap::UrlSet(urls));
    }
    parse_xml(trimmed)
}

fn gunzip(bytes: &[u8], limit: usize) -> Result<Vec<u8>, SitemapError> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| SitemapError::Gzip(e.to_string()))?;
    if out.len() > limit {
        return Err(SitemapError::TooLarge(limit));
    }
    Ok(out)
}

/// Element names are matched without their namespace prefix (`news:`, `n:`, none).
fn parse_xml(text: &str) -> Result<Sitemap, SitemapError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let (mut is_index, mut saw_root) = (false, false);
    let mut urls = Vec::new();
    let mut refs = Vec::new();
    let mut cur: Option<SitemapUrl> = None;
    let mut field: Option<String> = None;
    let mut buf = String::new();
    loop {
        let ev =
            reader.read_event().map_err(|e| SitemapError::Xml(format!("at byte {}: {e}", reader.error_position())))?;
        match ev {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_ascii_lowercase();
                match name.as_str() {
                    "sitemapindex" => (is_index, saw_root) = (true, true),
                    "urlset" => saw_root = true,
                    "url" | "sitemap" => cur = Some(SitemapUrl::default()),
                    "loc" | "lastmod" | "publication_date" | "title" if cur.is_some() => {
                        field = Some(name);
                        buf.clear();
                    }
                    _ => {}
                }
            }
            Event::Text(t) if field.is_some() => buf.push_str(&t.xml10_content()),
            Event::CData(t) if field.is_some() => buf.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if field.is_some() => match r.resolve_char_ref() {
                Ok(Some(c)) => buf.push(c),
                _ => buf.push_str(named_entity(&r.into_inner())),
            },
            Event::End(e) => {
                let name = e.local_name().as_ref().to_ascii_lowercase();
                if field.as_deref() == Some(name.as_str()) {
                    field = None;
                    if let Some(u) = cur.as_mut() {
                        let value = buf.trim().to_string();
                        match name.as_str() {
                            "loc" => u.loc = value,
                            "lastmod" => u.lastmod = dates::parse_timestamp(&value),
                            "publication_date" => u.news_date = dates::parse_timestamp(&value),
                            _ => u.title = Some(value).filter(|t| !t.is_empty()),
                        }
                    }
                } else if name == "url" || name == "sitemap" {
                    if let Some(u) = cur.take().filter(|u| !u.loc.is_empty()) {
                        if name == "sitemap" {
                            refs.push(SitemapRef { loc: u.loc, lastmod: u.lastmod });
                        } else {
                            urls.push(u);
                        }
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root {
        return Err(SitemapError::NotASitemap("no <urlset> or <sitemapindex>".into()));
    }
    Ok(if is_index { Sitemap::Index(refs) } else { Sitemap::UrlSet(urls) })
}

fn named_entity(name: &str) -> &'static str {
    match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn news_urlset_with_entities_and_prefixes() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://x.se/a?id=1&amp;p=2</loc><lastmod>2025-03-04</lastmod>
    <news:news><news:publication_date>2025-03-01T08:00:00+01:00</news:publication_date>
    <news:title><![CDATA[Brand i Araby]]></news:title></news:news></url>
  <url><loc> https://x.se/b </loc></url>
</urlset>"#;
        let Sitemap::UrlSet(urls) = parse_sitemap(xml.as_bytes(), 1 << 20).unwrap() else { panic!("urlset") };
        assert_eq!(urls.len(), 2);
        assert_eq!(urls[0].loc, "https://x.se/a?id=1&p=2");
        assert_eq!(urls[0].date().unwrap().to_rfc3339(), "2025-03-01T07:00:00+00:00");
        assert_eq!(urls[0].title.as_deref(), Some("Brand i Araby"));
        assert_eq!((urls[1].loc.as_str(), urls[1].date()), ("https://x.se/b", None));
    }

    #[test]
    fn gzipped_index() {
        let xml = "<sitemapindex><sitemap><loc>https://x.se/s1.xml.gz</loc><lastmod>2024-01-31T00:00:00Z</lastmod></sitemap></sitemapindex>";
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(xml.as_bytes()).unwrap();
        let gz = enc.finish().unwrap();
        let Sitemap::Index(refs) = parse_sitemap(&gz, 1 << 20).unwrap() else { panic!("index") };
        assert_eq!(refs[0].loc, "https://x.se/s1.xml.gz");
        assert!(refs[0].lastmod.is_some());
        assert!(matches!(parse_sitemap(&gz, 20), Err(SitemapError::TooLarge(20))));
    }

    #[test]
    fn plain_text_and_garbage() {
        let Sitemap::UrlSet(u) = parse_sitemap(b"https://x.se/a\nhttps://x.se/b\n", 100).unwrap() else { panic!() };
        assert_eq!(u.len(), 2);
        assert!(parse_sitemap(b"<html><body>404</body></html>", 100).is_err());
        assert!(parse_sitemap(b"nothing here", 100).is_err());
    }
}
