//! Turns a fetched page into article text. Pure: no network, no disk. (Interim version.)

use scraper::{Html, Selector};

#[derive(Debug, Clone)]
pub struct Extracted {
    pub title: Option<String>,
    pub text: String,
    pub published: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub method: Method,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    JsonLd,
    Selector,
    Generic,
    Empty,
}

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("invalid CSS selector {selector:?}: {reason}")]
    BadSelector { selector: String, reason: String },
}

pub fn check_selector(selector: &str) -> Result<(), ExtractError> {
    Selector::parse(selector)
        .map(|_| ())
        .map_err(|e| ExtractError::BadSelector { selector: selector.to_string(), reason: e.to_string() })
}

pub fn extract(html: &str, selector: Option<&str>) -> Result<Extracted, ExtractError> {
    let doc = Html::parse_document(html);
    let sel = match selector {
        Some(s) => Some(
            Selector::parse(s).map_err(|e| ExtractError::BadSelector { selector: s.into(), reason: e.to_string() })?,
        ),
        None => None,
    };
    let p = Selector::parse("p").unwrap();
    let root = sel.as_ref().and_then(|s| doc.select(s).next());
    let paras: Vec<String> = match root {
        Some(r) => r.select(&p).map(|e| e.text().collect::<String>()).collect(),
        None => doc.select(&p).map(|e| e.text().collect::<String>()).collect(),
    };
    let text = paras
        .iter()
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    let title =
        doc.select(&Selector::parse("h1").unwrap()).next().map(|e| e.text().collect::<String>().trim().to_string());
    Ok(Extracted {
        title,
        method: if text.is_empty() {
            Method::Empty
        } else if root.is_some() {
            Method::Selector
        } else {
            Method::Generic
        },
        text,
        published: None,
    })
}

/// Plain text of an HTML fragment such as a feed item's content.
pub fn fragment_text(html: &str) -> String {
    if !html.contains('<') {
        return html.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    let frag = Html::parse_fragment(html);
    frag.root_element().text().collect::<Vec<_>>().join(" ").split_whitespace().collect::<Vec<_>>().join(" ")
}
