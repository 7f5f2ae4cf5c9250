//! schema.org JSON-LD reader. Many news sites embed the full article as
//! `articleBody` next to `headline` and `datePublished`; this finds the article object
//! wherever it sits (top level, `@graph`, nested lists, `mainEntity` …).

use scraper::{Html, Selector};
use serde_json::Value;
use std::sync::LazyLock;

static LD_SCRIPT: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse(r#"script[type="application/ld+json" i]"#).expect("static selector"));

/// The parts of a schema.org article we use.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct LdArticle {
    pub(crate) headline: Option<String>,
    pub(crate) body: Option<String>,
    pub(crate) published: Option<String>,
}

fn is_article_type(v: Option<&Value>) -> bool {
    let one = |t: &str| {
        // Types may be written as "schema:NewsArticle" or "https://schema.org/NewsArticle".
        let t = t.rsplit(['/', ':']).next().unwrap_or(t);
        t.ends_with("Article") || t.ends_with("Posting") || t == "Report"
    };
    match v {
        Some(Value::String(s)) => one(s),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).any(one),
        _ => false,
    }
}

fn str_field(obj: &serde_json::Map<String, Value>, name: &str) -> Option<String> {
    let v = obj.get(name)?;
    let s = match v {
        Value::String(s) => s.as_str(),
        // Some sites wrap values in one-element lists or `{"@value": …}` objects.
        Value::Array(a) => a.first()?.as_str()?,
        Value::Object(o) => o.get("@value")?.as_str()?,
        _ => return None,
    };
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// Parses one script's content, tolerating HTML comment wrappers and raw newlines
/// inside strings (invalid JSON, but common in hand-built templates).
fn parse_lenient(raw: &str) -> Option<Value> {
    let t = raw
        .trim()
        .trim_start_matches("<!--")
        .trim_start_matches("//<![CDATA[")
        .trim_end_matches("-->")
        .trim_end_matches("//]]>")
        .trim()
        .trim_end_matches(';');
    if let Ok(v) = serde_json::from_str(t) {
        return Some(v);
    }
    let fixed: String = t.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    serde_json::from_str(&fixed).ok()
}

/// Finds the article object with the longest `articleBody` (or the first article
/// object when none has a body) across all JSON-LD blocks.
pub(crate) fn find(doc: &Html) -> LdArticle {
    let mut best = LdArticle::default();
    let mut best_len = 0usize;
    let mut seen_article = false;
    for script in doc.select(&LD_SCRIPT) {
        let raw: String = script.text().collect();
        let Some(root) = parse_lenient(&raw) else {
            continue;
        };
        let mut stack = vec![&root];
        while let Some(v) = stack.pop() {
            match v {
                Value::Array(a) => stack.extend(a.iter().rev()),
                Value::Object(o) => {
                    let body = str_field(o, "articleBody");
                    let typed = is_article_type(o.get("@type"));
                    if typed || body.is_some() {
                        let len = body.as_ref().map_or(0, String::len);
                        if (!seen_article && typed) || len > best_len {
                            best = LdArticle {
                                headline: str_field(o, "headline").or(str_field(o, "name")),
                                body,
                                published: str_field(o, "datePublished").or(str_field(o, "dateCreated")),
                            };
                            best_len = len;
                            seen_article |= typed;
                        }
                    }
                    // Child objects are pushed reversed so document order is kept.
                    let mut kids: Vec<&Value> =
                        o.iter().filter(|(_, v)| v.is_object() || v.is_array()).map(|(_, v)| v).collect();
                    kids.reverse();
                    stack.extend(kids);
                }
                _ => {}
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(ld: &str) -> Html {
        Html::parse_document(&format!(
            r#"<html><head><script type="application/ld+json">{ld}</script></head><body></body></html>"#
        ))
    }

    #[test]
    fn finds_article_in_graph() {
        let d = doc(r#"{"@context":"https://schema.org","@graph":[
            {"@type":"WebSite","name":"Tidningen"},
            {"@type":["ReportageNewsArticle"],"headline":"Älgar på vift",
             "datePublished":"2024-05-02T07:30:00+02:00","articleBody":"Älgarna syntes vid sjön."}]}"#);
        let a = find(&d);
        assert_eq!(a.headline.as_deref(), Some("Älgar på vift"));
        assert_eq!(a.body.as_deref(), Some("Älgarna syntes vid sjön."));
        assert_eq!(a.published.as_deref(), Some("2024-05-02T07:30:00+02:00"));
    }

    #[test]
    fn nested_lists_and_raw_newlines() {
        let d = doc("[[{\"@type\":\"BlogPosting\",\"headline\":\"Rad\",\"articleBody\":\"Ett\nTvå\"}]]");
        assert_eq!(find(&d).body.as_deref(), Some("Ett Två"));
    }

    #[test]
    fn broken_json_is_ignored() {
        let d = doc(r#"{"@type":"NewsArticle", "headline": "#);
        assert_eq!(find(&d), LdArticle::default());
    }

    #[test]
    fn non_article_types_without_body_are_ignored() {
        let d = doc(r#"{"@type":"Organization","name":"Radion"}"#);
        assert_eq!(find(&d).headline, None);
    }
}
