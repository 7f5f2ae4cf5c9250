//! Feed bytes → entries: our own charset and entity repair, then feed-rs for RSS, Atom and JSON Feed.
//!
//! feed-rs is strict; real feeds are not. Everything that can be repaired without guessing at meaning is
//! repaired here, and a truncated feed keeps its complete items instead of losing all of them.

use url::Url;

use super::{charset, dates, entities};
use crate::model::Entry;

#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("not a feed: got {0}")]
    NotAFeed(String),
    #[error("malformed feed: {0}")]
    Malformed(String),
}

impl DecodeError {
    pub fn kind(&self) -> super::FailureKind {
        match self {
            DecodeError::NotAFeed(_) => super::FailureKind::NotAFeed,
            DecodeError::Malformed(_) => super::FailureKind::Malformed,
        }
    }
}

#[derive(Debug)]
pub struct DecodedFeed {
    pub title: Option<String>,
    pub entries: Vec<Entry>,
    /// The character encoding the bytes were read as.
    pub encoding: &'static str,
    /// What had to be repaired, for the feed's status line.
    pub warnings: Vec<String>,
}

/// Decodes a feed document fetched from `base`.
pub fn decode_feed(bytes: &[u8], content_type: Option<&str>, base: &Url) -> Result<DecodedFeed, DecodeError> {
    let (text, encoding) = charset::decode(bytes, content_type);
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if trimmed.is_empty() {
        return Err(DecodeError::NotAFeed("an empty body".into()));
    }
    let mut warnings = Vec::new();
    let feed = if trimmed.starts_with('{') {
        parse(trimmed, base).map_err(|e| DecodeError::Malformed(format!("JSON Feed: {e}")))?
    } else if trimmed.starts_with('<') {
        if looks_like_html(trimmed) {
            return Err(DecodeError::NotAFeed("an HTML page, not RSS, Atom or JSON Feed".into()));
        }
        let xml = entities::repair_xml(&utf8_prolog(trimmed));
        match parse(&xml, base) {
            Ok(feed) => feed,
            Err(first) => {
                let salvaged = salvage_truncated(&xml).and_then(|x| parse(&x, base).ok());
                match salvaged {
                    Some(feed) if !feed.entries.is_empty() => {
                        warnings.push(format!(
                            "feed is truncated or broken ({first}); kept its {} complete items",
                            feed.entries.len()
                        ));
                        feed
                    }
                    _ => return Err(DecodeError::Malformed(first.to_string())),
                }
            }
        }
    } else {
        let start: String = trimmed.chars().take(40).collect();
        return Err(DecodeError::NotAFeed(format!("text starting {start:?}")));
    };
    let title = feed.title.map(|t| clean_title(&t.content)).filter(|t| !t.is_empty());
    let entries = feed.entries.into_iter().map(|e| to_entry(e, base)).collect();
    Ok(DecodedFeed { title, entries, encoding, warnings })
}

fn parse(text: &str, base: &Url) -> Result<feed_rs::model::Feed, feed_rs::parser::ParseFeedError> {
    feed_rs::parser::Builder::new()
        .base_uri(Some(base.as_str()))
        .timestamp_parser(dates::parse_timestamp)
        .build()
        .parse(text.as_bytes())
}

fn looks_like_html(text: &str) -> bool {
    let head: String = text.chars().take(2048).collect::<String>().to_ascii_lowercase();
    let html = head.contains("<!doctype html") || head.contains("<html");
    html && !(head.contains("<rss") || head.contains("<feed") || head.contains("<rdf:rdf"))
}

/// We have decoded the bytes already, so the prolog must stop claiming another encoding.
fn utf8_prolog(xml: &str) -> String {
    if xml.starts_with("<?xml") {
        if let Some(end) = xml.find("?>") {
            return format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{}", &xml[end + 2..]);
        }
    }
    xml.to_string()
}

/// Cuts a broken document after its last complete item and closes the open elements.
fn salvage_truncated(xml: &str) -> Option<String> {
    let (cut, closer) = if let Some(p) = xml.rfind("</item>") {
        let closer = if xml.contains("<rdf:RDF") { "</rdf:RDF>" } else { "</channel></rss>" };
        (p + "</item>".len(), closer)
    } else {
        (xml.rfind("</entry>")? + "</entry>".len(), "</feed>")
    };
    Some(format!("{}{}", &xml[..cut], closer))
}

fn to_entry(e: feed_rs::model::Entry, base: &Url) -> Entry {
    let link = e
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or_else(|| e.links.first())
        .and_then(|l| base.join(l.href.trim()).ok())
        .map(String::from);
    let summary_html = e
        .content
        .and_then(|c| c.body)
        .filter(|b| !b.trim().is_empty())
        .or_else(|| e.summary.map(|s| s.content))
        .unwrap_or_default();
    Entry {
        guid: Some(e.id).filter(|g| !g.trim().is_empty()),
        link,
        title: e.title.map(|t| clean_title(&t.content)).unwrap_or_default(),
        summary_html,
        published: e.published.or(e.updated),
        author: e
            .authors
            .first()
            .and_then(|p| p.name.as_deref())
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty()),
    }
}

/// Titles arrive with markup and entities escaped once or twice; staff should see plain words.
pub(crate) fn clean_title(raw: &str) -> String {
    let decoded = entities::decode_html_entities(raw);
    let mut out = String::with_capacity(decoded.len());
    let mut in_tag = false;
    let mut chars = decoded.chars().peekable();
    while let Some(c) = chars.next() {
        // Only `<` followed by a letter, `/` or `!` opens a tag: "vinst <3" stays as written.
        let opens = c == '<' && chars.peek().is_some_and(|n| n.is_ascii_alphabetic() || *n == '/' || *n == '!');
        match c {
            _ if opens && !in_tag => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
