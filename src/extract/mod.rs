//! Article main-text extraction: given a fetched HTML page, returns the article's title,
//! body text and publication time, so monitoring matches run on the story and not on
//! menus, cookie banners and "läs också" boxes around it.
//!
//! Sources are tried in order of trust: JSON-LD `articleBody` (when it is not a
//! truncated teaser), a site-configured CSS selector, then a generic content scorer.

mod clean;
mod generic;
mod guard;
mod hints;
mod jsonld;
mod meta;
mod prune;
mod selector;
mod text;

use scraper::Html;

/// What [`extract`] found on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    pub title: Option<String>,
    /// Main text, paragraphs separated by "\n\n".
    pub text: String,
    pub published: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub method: Method,
}

/// Which source the main text came from.
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

/// Below this many characters a JSON-LD body is a teaser, not the article.
const MIN_LD_CHARS: usize = 200;

/// Extracts title, main text and publication time from `html`. `selector` is an
/// optional site-specific CSS selector for the article container. Only an invalid
/// selector is an error; unusable pages give [`Method::Empty`].
pub fn extract(html: &str, selector: Option<&str>) -> Result<Extracted, ExtractError> {
    let sel = selector.map(selector::parse).transpose()?;
    let doc = Html::parse_document(&guard::limit_depth(html));
    let ld = jsonld::find(&doc);
    let title = meta::title(&doc, ld.headline.as_deref());
    let published = meta::published(&doc, ld.published.as_deref());

    let mut found = sel
        .as_ref()
        .map(|s| clean::join(&selector::extract(&doc, s)))
        .filter(|t| !t.is_empty())
        .map(|t| (t, Method::Selector));
    if found.is_none() {
        let t = clean::join(&generic::extract(&doc));
        if !t.is_empty() {
            found = Some((t, Method::Generic));
        }
    }
    if let Some(body) = ld.body.as_deref() {
        let t = clean::join(&ld_paragraphs(body));
        // Some sites publish only the first paragraphs in JSON-LD; trust it only when
        // it is about as long as what the page itself shows.
        let page_len = found.as_ref().map_or(0, |(f, _)| f.chars().count());
        let ld_len = t.chars().count();
        if ld_len >= MIN_LD_CHARS && ld_len * 10 >= page_len * 9 {
            found = Some((t, Method::JsonLd));
        }
    }
    let (text, method) = found.unwrap_or((String::new(), Method::Empty));
    Ok(Extracted { title, text, published, method })
}

/// The page's own address (`<link rel=canonical>`, else `og:url`), for saved pages whose URL is
/// known only from their content.
pub fn page_url(html: &str) -> Option<String> {
    meta::own_url(&Html::parse_document(&guard::limit_depth(html)))
}

/// Validates a CSS selector (used at config load time).
pub fn check_selector(selector: &str) -> Result<(), ExtractError> {
    selector::parse(selector).map(|_| ())
}

/// JSON-LD bodies are plain text with newlines, or HTML, sometimes escaped once more
/// (`&lt;p&gt;`, `&amp;quot;`), so markup is decoded until none is left.
fn ld_paragraphs(body: &str) -> Vec<text::Para> {
    let mut paras = plain_paragraphs(body);
    for _ in 0..3 {
        if !paras.iter().any(|p| looks_like_markup(&p.text)) {
            break;
        }
        paras = paras
            .into_iter()
            .flat_map(|p| if looks_like_markup(&p.text) { text::fragment_text(&p.text) } else { vec![p] })
            .collect();
    }
    paras
}

fn plain_paragraphs(body: &str) -> Vec<text::Para> {
    body.split('\n')
        .flat_map(|line| {
            let mut b = text::Builder::default();
            b.text(line);
            b.finish()
        })
        .collect()
}

fn looks_like_markup(s: &str) -> bool {
    let tag = s
        .find('<')
        .is_some_and(|i| s[i + 1..].chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!'));
    tag || s.split('&').skip(1).any(|rest| {
        let end = rest.find(';').unwrap_or(usize::MAX);
        end > 0 && end <= 10 && rest[..end].chars().all(|c| c.is_ascii_alphanumeric() || c == '#')
    })
}

#[cfg(test)]
mod tests;

/// Plain text of an HTML fragment such as a feed item's content: paragraphs separated by "\n\n".
pub fn fragment_text(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return html.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    text::fragment_text(html)
        .into_iter()
        .map(|p| p.text)
        .filter(|t| !t.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}
