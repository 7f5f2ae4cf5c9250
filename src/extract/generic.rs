//! Readability-style main-content finder. Paragraph-like blocks vote for their
//! ancestors by text length and punctuation; link-heavy and furniture-labelled nodes are
//! discounted; the best container plus its content-like siblings becomes the article.

use std::collections::HashMap;

use scraper::{ElementRef, Html};

use super::clean::is_boilerplate;
use super::hints::{class_weight, is_furniture};
use super::prune::Renderer;
use super::text::{is_block, walk, Para, Step};

/// Text statistics of one element's subtree, furniture excluded.
#[derive(Clone, Copy, Default)]
pub(super) struct Stat {
    pub(super) text: u32,
    links: u32,
    pub(super) commas: u32,
    block_child: bool,
}

/// Elements are keyed by address: the tree is immutable while we hold it, and this
/// avoids a direct dependency on `ego_tree` just for its `NodeId`.
pub(super) fn key(el: ElementRef) -> usize {
    std::ptr::from_ref(el.value()) as usize
}

pub(super) struct Page<'a> {
    stats: HashMap<usize, Stat>,
    /// Elements in post-order, furniture excluded.
    order: Vec<ElementRef<'a>>,
}

fn measure(root: ElementRef<'_>, strict: bool) -> Page<'_> {
    let mut stats = HashMap::new();
    let mut order = Vec::new();
    let mut stack: Vec<(Stat, bool)> = Vec::new();
    let mut link_depth = 0usize;
    walk(root, |step| match step {
        Step::Open(el) => {
            let furniture = el.id() != root.id() && is_furniture(el.value(), strict);
            stack.push((Stat::default(), furniture));
            if el.value().name() == "a" {
                link_depth += 1;
            }
            !furniture
        }
        Step::Text(t) => {
            if let Some((s, _)) = stack.last_mut() {
                for c in t.chars() {
                    if c.is_whitespace() {
                        continue;
                    }
                    s.text += 1;
                    if link_depth > 0 {
                        s.links += 1;
                    }
                    if matches!(c, ',' | '，' | '،' | '、') {
                        s.commas += 1;
                    }
                }
            }
            false
        }
        Step::Close(el) => {
            if el.value().name() == "a" {
                link_depth = link_depth.saturating_sub(1);
            }
            if let Some((s, furniture)) = stack.pop() {
                if !furniture {
                    stats.insert(key(el), s);
                    order.push(el);
                    if let Some((p, _)) = stack.last_mut() {
                        p.text += s.text;
                        p.links += s.links;
                        p.commas += s.commas;
                        p.block_child |= is_block(el.value().name());
                    }
                }
            }
            false
        }
    });
    Page { stats, order }
}

fn tag_base(name: &str) -> f32 {
    match name {
        "div" | "article" | "section" => 5.0,
        "pre" | "td" | "blockquote" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    }
}

/// Blocks that hold prose directly and therefore get to vote.
fn is_paragraph(el: ElementRef, s: &Stat) -> bool {
    match el.value().name() {
        "p" | "pre" | "td" | "blockquote" => true,
        "div" | "section" | "article" | "span" => !s.block_child,
        _ => false,
    }
}

impl Page<'_> {
    pub(super) fn stat(&self, el: ElementRef) -> Stat {
        self.stats.get(&key(el)).copied().unwrap_or_default()
    }

    pub(super) fn link_density(&self, el: ElementRef) -> f32 {
        let s = self.stat(el);
        if s.text == 0 {
            0.0
        } else {
            s.links as f32 / s.text as f32
        }
    }
}

pub(super) fn parent_el(el: ElementRef) -> Option<ElementRef> {
    el.parent().and_then(ElementRef::wrap)
}

/// Below this many characters of clean text the strict pass probably pruned a layout
/// wrapper with a furniture-like name, so the relaxed pass gets a chance.
const RETRY_CHARS: usize = 500;

/// Finds the article in `doc` and renders it, or returns no paragraphs.
pub(crate) fn extract(doc: &Html) -> Vec<Para> {
    let strict = extract_with(doc, true);
    let len = |ps: &[Para]| -> usize { ps.iter().filter(|p| !is_boilerplate(p)).map(|p| p.chars).sum() };
    let strict_len = len(&strict);
    if strict_len >= RETRY_CHARS {
        return strict;
    }
    let relaxed = extract_with(doc, false);
    if len(&relaxed) > strict_len {
        relaxed
    } else {
        strict
    }
}

fn extract_with(doc: &Html, strict: bool) -> Vec<Para> {
    let root = doc.root_element();
    let page = measure(root, strict);

    let mut scores: HashMap<usize, (ElementRef, f32)> = HashMap::new();
    for &el in &page.order {
        let s = page.stat(el);
        if s.text < 25 || !is_paragraph(el, &s) {
            continue;
        }
        let vote = 1.0 + s.commas as f32 + (s.text as f32 / 100.0).min(3.0);
        let mut anc = parent_el(el);
        let mut level = 0;
        while let Some(a) = anc {
            if level >= 5 {
                break;
            }
            let entry = scores.entry(key(a)).or_insert_with(|| {
                let v = a.value();
                (a, tag_base(v.name()) + class_weight(v))
            });
            entry.1 += match level {
                0 => vote,
                1 => vote / 2.0,
                _ => vote / (level as f32 * 3.0),
            };
            anc = parent_el(a);
            level += 1;
        }
    }

    let mut cands: Vec<(ElementRef, f32)> =
        scores.values().map(|&(el, s)| (el, s * (1.0 - page.link_density(el)))).collect();
    cands.sort_by(|a, b| b.1.total_cmp(&a.1));
    let final_score = |el: ElementRef| scores.get(&key(el)).map(|&(_, s)| s * (1.0 - page.link_density(el)));

    let Some(&(mut top, mut top_score)) = cands.first() else {
        return Renderer::new(&page, root).render(&[root]);
    };
    let best = top;

    // Several near-equal candidates under one ancestor mean the article is split.
    let alternatives: Vec<ElementRef> =
        cands.iter().skip(1).filter(|(_, s)| *s >= top_score * 0.75).take(5).map(|&(e, _)| e).collect();
    if alternatives.len() >= 3 {
        let mut anc = parent_el(top);
        while let Some(a) = anc {
            if matches!(a.value().name(), "body" | "html") {
                break;
            }
            let containing = alternatives.iter().filter(|alt| alt.ancestors().any(|x| x.id() == a.id())).count();
            if containing >= 3 {
                top = a;
                top_score = final_score(a).unwrap_or(top_score);
                break;
            }
            anc = parent_el(a);
        }
    }

    // Climb while a parent scores higher: the article may wrap several scored blocks.
    let threshold = top_score / 3.0;
    let mut last = top_score;
    let mut anc = parent_el(top);
    while let Some(a) = anc {
        if matches!(a.value().name(), "body" | "html") {
            break;
        }
        if let Some(s) = final_score(a) {
            if s < threshold {
                break;
            }
            if s > last {
                top = a;
                top_score = s;
                break;
            }
            last = s;
        }
        anc = parent_el(a);
    }
    while let Some(p) = parent_el(top) {
        if matches!(p.value().name(), "body" | "html") || p.child_elements().count() != 1 {
            break;
        }
        top = p;
    }

    let roots = with_siblings(&page, top, top_score, &final_score);
    Renderer::new(&page, best).render(&roots)
}

/// The top candidate plus siblings that look like more of the same article.
fn with_siblings<'a>(
    page: &Page,
    top: ElementRef<'a>,
    top_score: f32,
    final_score: &dyn Fn(ElementRef) -> Option<f32>,
) -> Vec<ElementRef<'a>> {
    let Some(parent) = parent_el(top) else {
        return vec![top];
    };
    let threshold = (top_score * 0.2).max(10.0);
    let top_class = top.value().attr("class");
    let mut roots = Vec::new();
    for sib in parent.child_elements() {
        if sib.id() == top.id() {
            roots.push(sib);
            continue;
        }
        if !page.stats.contains_key(&key(sib)) || is_furniture(sib.value(), true) {
            continue;
        }
        let bonus = if top_class.is_some() && sib.value().attr("class") == top_class { top_score * 0.2 } else { 0.0 };
        if final_score(sib).is_some_and(|s| s + bonus >= threshold) {
            roots.push(sib);
            continue;
        }
        if sib.value().name() == "p" {
            let s = page.stat(sib);
            let ld = page.link_density(sib);
            if (s.text > 80 && ld < 0.25) || (s.text > 0 && ld == 0.0 && sentence_like(sib)) {
                roots.push(sib);
            }
        }
    }
    add_cousins(page, top, &mut roots);
    roots
}

/// How far up from the top candidate a same-class block may sit and still count as
/// another part of the same article.
const COUSIN_LEVELS: usize = 4;

/// Article bodies interrupted by figures or ads are often split into several blocks
/// with the same class at different depths; these are not siblings, so they are found
/// by their class under a nearby common ancestor.
fn add_cousins<'a>(page: &Page, top: ElementRef<'a>, roots: &mut Vec<ElementRef<'a>>) {
    let Some(class) = top.value().attr("class").filter(|c| !c.trim().is_empty()) else {
        return;
    };
    let name = top.value().name();
    let Some(scope) = top
        .ancestors()
        .filter_map(ElementRef::wrap)
        .take(COUSIN_LEVELS)
        .take_while(|a| !matches!(a.value().name(), "body" | "html"))
        .last()
    else {
        return;
    };
    let taken = |roots: &[ElementRef], el: ElementRef| {
        roots.iter().any(|r| {
            r.id() == el.id() || el.ancestors().any(|a| a.id() == r.id()) || r.ancestors().any(|a| a.id() == el.id())
        })
    };
    for el in scope.descendent_elements() {
        let v = el.value();
        if v.name() != name || v.attr("class") != Some(class) || taken(roots, el) {
            continue;
        }
        let s = page.stat(el);
        if s.text >= 100 && page.link_density(el) < 0.25 {
            roots.push(el);
        }
    }
    let pos: HashMap<usize, usize> = page.order.iter().enumerate().map(|(i, e)| (key(*e), i)).collect();
    roots.sort_by_key(|r| pos.get(&key(*r)).copied().unwrap_or(usize::MAX));
}

fn sentence_like(el: ElementRef) -> bool {
    let t: String = el.text().collect();
    let t = t.trim_end();
    t.ends_with('.') || t.ends_with('!') || t.ends_with('?')
}
