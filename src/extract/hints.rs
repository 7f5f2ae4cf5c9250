//! Class/id hints: decides from an element's tag and `class`/`id` words whether it is
//! page furniture (navigation, cookie banners, share bars, "läs också" boxes …) or likely
//! article content. Shared by the scorer and the text renderer so both see the same page.

use scraper::node::Element;

/// Tags whose content is never article text, wherever they appear.
pub(crate) fn is_skipped_tag(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "math"
            | "button"
            | "iframe"
            | "object"
            | "embed"
            | "select"
            | "textarea"
            | "input"
            | "canvas"
            | "video"
            | "audio"
            | "figcaption"
            | "dialog"
            | "head"
            | "title"
            | "meta"
            | "link"
    )
}

/// Page-structure tags that hold furniture on any sane page, but that some sites wrap
/// around everything (ASP.NET's page-wide `<form>`, a `<header>` around the whole layout).
fn is_structural_furniture(name: &str) -> bool {
    matches!(name, "nav" | "aside" | "footer" | "header" | "form" | "menu")
}

/// Words that mark furniture. Matched against whole words of `class`/`id`, because
/// substring matching turns "header" into an ad and "download" into a load.
const NEGATIVE_WORDS: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "menu",
    "menus",
    "footer",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "banner",
    "share",
    "sharing",
    "shares",
    "sharebar",
    "social",
    "related",
    "comment",
    "comments",
    "newsletter",
    "ad",
    "ads",
    "adslot",
    "advert",
    "advertisement",
    "annons",
    "sponsor",
    "sponsored",
    "promo",
    "promotion",
    "sidebar",
    "breadcrumb",
    "breadcrumbs",
    "subscribe",
    "subscription",
    "popup",
    "modal",
    "masthead",
    "outbrain",
    "taboola",
    "disqus",
    "recirc",
    "recirculation",
    "ocksa",
    "lasmer",
    "recommended",
    "recommendations",
    "trending",
    "popular",
    "byline",
    "toolbar",
    "pagination",
    "pager",
    "caption",
    "credit",
    "credits",
    "skip",
    "tags",
    "tag",
    "signup",
    "login",
    "author",
    "bio",
    "meta",
    "dateline",
    "timestamp",
    "print",
    "teaser",
    "teasers",
    "readmore",
    "newsletters",
    "sronly",
    "visually",
    "offscreen",
];

/// Words that cancel a negative word in the same class: an embedded tweet or video
/// ("social-media-embed") was placed in the story by its author.
const EMBED_WORDS: &[&str] = &["embed", "embedded", "oembed", "tweet"];

/// Words that mark the article container.
const POSITIVE_WORDS: &[&str] = &[
    "article",
    "articlebody",
    "body",
    "content",
    "entry",
    "main",
    "post",
    "story",
    "text",
    "blog",
    "hentry",
    "prose",
    "richtext",
    "brödtext",
    "brodtext",
    "bodytext",
    "storytext",
];

/// Splits `class` and `id` into lower-case words on any non-alphanumeric character and
/// at camelCase boundaries ("shareBar" → "share", "bar").
fn for_each_word(el: &Element, mut f: impl FnMut(&str) -> bool) -> bool {
    let sources = el.attr("class").into_iter().chain(el.attr("id"));
    sources.into_iter().any(|src| split_words(src, &mut f))
}

fn split_words(src: &str, mut f: impl FnMut(&str) -> bool) -> bool {
    let mut buf = String::new();
    let mut prev_lower = false;
    for c in src.chars() {
        let boundary = !c.is_alphanumeric() || (c.is_uppercase() && prev_lower);
        if boundary && !buf.is_empty() {
            if f(&buf) {
                return true;
            }
            buf.clear();
        }
        prev_lower = c.is_lowercase();
        if c.is_alphanumeric() {
            buf.extend(c.to_lowercase());
        }
    }
    !buf.is_empty() && f(&buf)
}

fn has_negative_word(el: &Element) -> bool {
    for_each_word(el, |w| NEGATIVE_WORDS.contains(&w))
}

fn has_positive_word(el: &Element) -> bool {
    for_each_word(el, |w| POSITIVE_WORDS.contains(&w))
}

/// Class-word verdict, one class at a time: a class such as "related-content" is
/// furniture (the negative word says which content), while an element that also carries
/// a purely positive class ("article-body pagination-first") is kept, because layout
/// modifiers like "has-sidebar" or "modal-enabled" often sit on the content wrapper.
fn hinted_furniture(el: &Element) -> bool {
    let mut negative = false;
    let mut positive = false;
    let sources = el.attr("class").into_iter().flat_map(str::split_whitespace).chain(el.attr("id"));
    for class in sources {
        let (mut neg, mut pos, mut embed) = (false, false, false);
        split_words(class, |w| {
            neg |= NEGATIVE_WORDS.contains(&w);
            pos |= POSITIVE_WORDS.contains(&w);
            embed |= EMBED_WORDS.contains(&w);
            false
        });
        neg &= !embed;
        negative |= neg;
        positive |= pos && !neg;
    }
    negative && !positive
}

/// Whether the element's own attributes say the article body lives here.
pub(crate) fn is_article_marker(el: &Element) -> bool {
    el.name() == "article" || el.attr("itemprop").is_some_and(|v| v.eq_ignore_ascii_case("articleBody"))
}

/// Hidden by attribute or inline style; screen readers and crawlers disagree on what
/// to do with these, but readers never see them.
fn is_hidden(el: &Element) -> bool {
    if el.attr("hidden").is_some() || el.attr("aria-hidden") == Some("true") {
        return true;
    }
    el.attr("style").is_some_and(|s| {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        let s = s.to_ascii_lowercase();
        s.contains("display:none") || s.contains("visibility:hidden")
    })
}

/// True when the whole subtree should be dropped from scoring and from the output.
/// `strict` also drops structural and class-hinted furniture; the relaxed form is the
/// fallback for pages whose layout wrappers carry furniture-like names.
pub(crate) fn is_furniture(el: &Element, strict: bool) -> bool {
    let name = el.name();
    if matches!(name, "html" | "body" | "main") || is_article_marker(el) {
        return false;
    }
    if is_skipped_tag(name) || is_hidden(el) {
        return true;
    }
    strict && (is_structural_furniture(name) || role_is_furniture(el) || hinted_furniture(el))
}

fn role_is_furniture(el: &Element) -> bool {
    el.attr("role")
        .is_some_and(|r| matches!(r, "navigation" | "banner" | "contentinfo" | "complementary" | "menu" | "dialog"))
}

/// Score adjustment from class/id words and semantic markers, in readability's units.
pub(crate) fn class_weight(el: &Element) -> f32 {
    let mut w = 0.0;
    if has_positive_word(el) {
        w += 25.0;
    }
    if has_negative_word(el) {
        w -= 25.0;
    }
    if is_article_marker(el) {
        w += 25.0;
    }
    if el.name() == "main" {
        w += 10.0;
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::{Html, Selector};

    fn first(html: &str) -> Html {
        Html::parse_fragment(html)
    }

    fn el_of(doc: &Html) -> Element {
        let sel = Selector::parse("div, section, span").unwrap();
        doc.select(&sel).next().unwrap().value().clone()
    }

    #[test]
    fn words_are_split_on_case_and_punctuation() {
        let d = first(r#"<div class="articleShareBar x">a</div>"#);
        assert!(is_furniture(&el_of(&d), true));
        let d = first(r#"<div class="header-wrapper">a</div>"#);
        assert!(!is_furniture(&el_of(&d), true), "header is not 'ad'");
        let d = first(r#"<div class="las-ocksa">a</div>"#);
        assert!(is_furniture(&el_of(&d), true));
    }

    #[test]
    fn article_body_is_never_furniture() {
        let d = first(r#"<div itemprop="articleBody" class="ad">a</div>"#);
        assert!(!is_furniture(&el_of(&d), true));
        assert!(class_weight(&el_of(&d)) >= 0.0);
    }

    #[test]
    fn hidden_styles_are_furniture() {
        let d = first(r#"<span style="DISPLAY: none">a</span>"#);
        assert!(is_furniture(&el_of(&d), true));
    }
}
