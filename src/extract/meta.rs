//! Page metadata: the article title and publication time, taken from the most
//! deliberate source available (structured data and meta tags before visible markup).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use scraper::{Html, Selector};
use std::sync::LazyLock;

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("static selector")
}

static META: LazyLock<Selector> = LazyLock::new(|| sel("meta"));
static H1: LazyLock<Selector> = LazyLock::new(|| sel("h1"));
static TITLE: LazyLock<Selector> = LazyLock::new(|| sel("title"));
static CANONICAL: LazyLock<Selector> = LazyLock::new(|| sel("link[rel~=canonical][href]"));
static DATED: LazyLock<Selector> = LazyLock::new(|| sel("[itemprop=datePublished], time[datetime]"));

fn clean(s: &str) -> Option<String> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

/// Value of the first `<meta>` whose property/name/itemprop is one of `keys`, in key order.
fn meta_content(doc: &Html, keys: &[&str]) -> Option<String> {
    let mut found: Vec<(usize, String)> = Vec::new();
    for m in doc.select(&META) {
        let v = m.value();
        let Some(content) = v.attr("content") else {
            continue;
        };
        let names = [v.attr("property"), v.attr("name"), v.attr("itemprop")];
        for n in names.into_iter().flatten() {
            if let Some(i) = keys.iter().position(|k| k.eq_ignore_ascii_case(n.trim())) {
                if let Some(c) = clean(content) {
                    found.push((i, c));
                }
            }
        }
    }
    found.into_iter().min_by_key(|(i, _)| *i).map(|(_, c)| c)
}

/// og:title, then the JSON-LD headline, then the first `<h1>`, then `<title>`.
pub(crate) fn title(doc: &Html, ld_headline: Option<&str>) -> Option<String> {
    meta_content(doc, &["og:title", "twitter:title"])
        .or_else(|| ld_headline.and_then(clean))
        .or_else(|| {
            let h = doc.select(&H1).next()?;
            clean(&h.text().collect::<String>())
        })
        .or_else(|| {
            let t = doc.select(&TITLE).next()?;
            clean(&t.text().collect::<String>())
        })
}

const DATE_METAS: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "datePublished",
    "article:published",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.created",
    "dc.date",
    "date",
];

/// The address the page gives for itself: `<link rel=canonical>`, then `og:url`. As written (the
/// caller resolves relative ones).
pub(crate) fn own_url(doc: &Html) -> Option<String> {
    doc.select(&CANONICAL)
        .find_map(|l| l.value().attr("href").and_then(clean))
        .or_else(|| meta_content(doc, &["og:url"]))
}

/// JSON-LD `datePublished`, then meta tags, then a machine-readable `<time>`.
pub(crate) fn published(doc: &Html, ld_date: Option<&str>) -> Option<DateTime<FixedOffset>> {
    if let Some(d) = ld_date.and_then(parse_date) {
        return Some(d);
    }
    if let Some(d) = meta_content(doc, DATE_METAS).as_deref().and_then(parse_date) {
        return Some(d);
    }
    // Prefer an element that declares itself the publication date over any <time>.
    let mut fallback = None;
    for el in doc.select(&DATED) {
        let v = el.value();
        let raw = v.attr("datetime").or(v.attr("content"));
        let Some(d) = raw.and_then(parse_date) else {
            continue;
        };
        if v.attr("itemprop") == Some("datePublished") || v.attr("pubdate").is_some() {
            return Some(d);
        }
        fallback.get_or_insert(d);
    }
    fallback
}

/// Parses the date shapes seen in the wild. Times without an offset are Swedish local time
/// (Europe/Stockholm, from the compiled-in zone table: still no clock, no disk).
pub(crate) fn parse_date(raw: &str) -> Option<DateTime<FixedOffset>> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%d %H:%M:%S %z"] {
        if let Ok(d) = DateTime::parse_from_str(s, f) {
            return Some(d);
        }
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d);
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return stockholm(&n);
        }
    }
    // Date-only values, or a date followed by something we cannot read.
    let head = s.get(..10)?;
    let d = NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()?;
    stockholm(&d.and_hms_opt(0, 0, 0)?)
}

fn stockholm(n: &NaiveDateTime) -> Option<DateTime<FixedOffset>> {
    chrono_tz::Europe::Stockholm.from_local_datetime(n).earliest().map(|d| d.fixed_offset())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_shapes() {
        let d = parse_date("2024-03-12T08:15:00+01:00").unwrap();
        assert_eq!(d.to_rfc3339(), "2024-03-12T08:15:00+01:00");
        let d = parse_date("2024-03-12T08:15:00+0100").unwrap();
        assert_eq!(d.to_rfc3339(), "2024-03-12T08:15:00+01:00");
        let d = parse_date("2024-03-12").unwrap();
        assert_eq!(d.to_rfc3339(), "2024-03-12T00:00:00+01:00", "date-only is Swedish local midnight");
        let d = parse_date("2024-07-01 10:00").unwrap();
        assert_eq!(d.to_rfc3339(), "2024-07-01T10:00:00+02:00", "summer time");
        let d = parse_date("Tue, 12 Mar 2024 08:15:00 +0100").unwrap();
        assert_eq!(d.to_rfc3339(), "2024-03-12T08:15:00+01:00");
        assert!(parse_date("igår").is_none());
        assert!(parse_date("2024-13-45").is_none());
    }

    #[test]
    fn published_time_meta() {
        let d = Html::parse_document(
            r#"<head><meta property="article:published_time" content="2023-11-05T17:04:00+01:00">
               <meta name="date" content="2020-01-01"></head><body><time datetime="2019-01-01">x</time></body>"#,
        );
        let p = published(&d, None).unwrap();
        assert_eq!(p.to_rfc3339(), "2023-11-05T17:04:00+01:00");
    }

    #[test]
    fn time_element_fallback_and_title_order() {
        let d = Html::parse_document(
            r#"<head><title>Sajten | Start</title></head><body><h1> Rubrik  här </h1>
               <time datetime="2022-06-06T12:00:00Z">6 juni</time></body>"#,
        );
        assert_eq!(published(&d, None).unwrap().to_rfc3339(), "2022-06-06T12:00:00+00:00");
        assert_eq!(title(&d, None).as_deref(), Some("Rubrik här"));
        assert_eq!(title(&d, Some("Från LD")).as_deref(), Some("Från LD"));
    }
}
