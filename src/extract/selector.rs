//! Site-configured CSS selectors: when a site's article container is known, the
//! operator can name it and skip the guessing. Furniture inside it is still pruned.

use scraper::{ElementRef, Html, Selector};

use super::hints::is_furniture;
use super::text::{render_into, Builder, Para};
use super::ExtractError;

pub(crate) fn parse(selector: &str) -> Result<Selector, ExtractError> {
    let bad = |reason: String| ExtractError::BadSelector { selector: selector.to_string(), reason };
    if selector.trim().is_empty() {
        return Err(bad("empty selector".to_string()));
    }
    Selector::parse(selector).map_err(|e| bad(e.to_string()))
}

/// Renders every match in document order; a match nested in an earlier one is already
/// part of it and is not repeated.
pub(crate) fn extract(doc: &Html, sel: &Selector) -> Vec<Para> {
    let mut b = Builder::default();
    let mut taken: Vec<ElementRef> = Vec::new();
    for el in doc.select(sel) {
        if el.ancestors().any(|a| taken.iter().any(|t| t.id() == a.id())) {
            continue;
        }
        render_into(&mut b, el, |e| is_furniture(e.value(), true));
        b.block();
        taken.push(el);
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_selector_is_reported() {
        let e = parse("div[").unwrap_err();
        assert!(matches!(e, ExtractError::BadSelector { ref selector, .. } if selector == "div["));
        assert!(parse("   ").is_err());
        assert!(parse("div.brodtext > p").is_ok());
    }

    #[test]
    fn nested_matches_are_not_repeated() {
        let d = Html::parse_document(
            r#"<div class="t"><p>Ett</p><div class="t"><p>Två</p></div></div><div class="t">Tre</div>"#,
        );
        let s = parse(".t").unwrap();
        let text: Vec<String> = extract(&d, &s).into_iter().map(|p| p.text).collect();
        assert_eq!(text, vec!["Ett", "Två", "Tre"]);
    }
}
