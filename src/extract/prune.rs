//! Pruning inside the chosen article container: furniture subtrees, link clutter and
//! "more stories" blocks that sit inside the same wrapper as the story text, which the
//! container choice alone cannot exclude.

use scraper::ElementRef;

use super::generic::{key, parent_el, Page};
use super::hints::{class_weight, is_furniture};
use super::text::{render_into, Builder, Para};

/// Headings that open a "more stories" block; everything after one in the same
/// container is recirculation, not article.
const RELATED_HEADINGS: &[&str] = &[
    "related",
    "you may also like",
    "you might also like",
    "you may like",
    "more from",
    "more stories",
    "more on this",
    "more like this",
    "recommended",
    "read more",
    "read next",
    "what to read next",
    "most popular",
    "most read",
    "trending",
    "also read",
    "see also",
    "comments",
    "leave a reply",
    "leave a comment",
    "about the author",
    "share this",
    "läs också",
    "läs mer",
    "läs även",
    "mer om",
    "relaterat",
    "relaterade",
    "mest läst",
    "fler nyheter",
    "kommentarer",
    "om skribenten",
];

fn is_related_heading(el: ElementRef) -> bool {
    if !matches!(el.value().name(), "h2" | "h3" | "h4" | "h5" | "h6") {
        return false;
    }
    // A heading that links somewhere is a single inline teaser ("Related: <a>…</a>"),
    // not the title of a block of them.
    if el.descendent_elements().any(|d| d.value().name() == "a") {
        return false;
    }
    let t: String = el.text().collect::<String>().to_lowercase();
    let t = t.trim();
    t.chars().count() < 40 && RELATED_HEADINGS.iter().any(|h| t.starts_with(h))
}

/// Renders the chosen roots, pruning furniture and link clutter inside them.
/// `best` is the highest-scoring block: its ancestors are never pruned, since a
/// wrapper that holds the article cannot be furniture whatever its class says.
pub(super) struct Renderer<'p, 'a> {
    page: &'p Page<'a>,
    best: ElementRef<'a>,
    /// Containers in which a related-stories heading was seen.
    cut: Vec<usize>,
}

impl<'p, 'a> Renderer<'p, 'a> {
    pub(super) fn new(page: &'p Page<'a>, best: ElementRef<'a>) -> Self {
        Renderer { page, best, cut: Vec::new() }
    }

    fn skip(&mut self, el: ElementRef<'a>) -> bool {
        if let Some(p) = parent_el(el) {
            if self.cut.contains(&key(p)) {
                return true;
            }
            if is_related_heading(el) {
                self.cut.push(key(p));
                return true;
            }
        }
        if !self.is_clutter(el) {
            return false;
        }
        el.id() != self.best.id() && !self.best.ancestors().any(|a| a.id() == el.id())
    }

    /// Subtrees that are mostly links or labelled as furniture.
    fn is_clutter(&self, el: ElementRef) -> bool {
        let v = el.value();
        if is_furniture(v, true) {
            return true;
        }
        let name = v.name();
        if name == "h1" {
            return true;
        }
        if !matches!(name, "div" | "section" | "ul" | "ol" | "table" | "dl" | "figure") {
            return false;
        }
        let s = self.page.stat(el);
        if s.text == 0 || s.commas >= 10 {
            return false;
        }
        let ld = self.page.link_density(el);
        let weight = class_weight(v);
        (weight < 25.0 && ld > 0.33) || ld > 0.5
    }

    pub(super) fn render(&mut self, roots: &[ElementRef<'a>]) -> Vec<Para> {
        let mut b = Builder::default();
        for &r in roots {
            render_into(&mut b, r, |el| self.skip(el));
            b.block();
        }
        b.finish()
    }
}
