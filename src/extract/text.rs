//! Turns a DOM subtree into plain paragraphs: block elements break paragraphs, `<br>`
//! breaks lines, whitespace collapses, and furniture subtrees are left out. Also holds
//! the tree walker, which is iterative so hostile nesting depth cannot overflow the stack.

use scraper::{ElementRef, Node};

/// One event of a depth-first walk.
pub(crate) enum Step<'a> {
    Open(ElementRef<'a>),
    Close(ElementRef<'a>),
    Text(&'a str),
}

/// Walks `root` depth-first. `f` returns whether to descend into an opened element;
/// every `Open` gets a matching `Close` either way.
pub(crate) fn walk<'a>(root: ElementRef<'a>, mut f: impl FnMut(Step<'a>) -> bool) {
    let root_id = root.id();
    let mut node = *root;
    'outer: loop {
        let mut descend = false;
        if let Some(el) = ElementRef::wrap(node) {
            descend = f(Step::Open(el));
        } else if let Node::Text(t) = node.value() {
            f(Step::Text(t));
        }
        if descend {
            if let Some(c) = node.first_child() {
                node = c;
                continue;
            }
        }
        loop {
            if let Some(el) = ElementRef::wrap(node) {
                f(Step::Close(el));
            }
            if node.id() == root_id {
                break 'outer;
            }
            if let Some(s) = node.next_sibling() {
                node = s;
                continue 'outer;
            }
            match node.parent() {
                Some(p) => node = p,
                None => break 'outer,
            }
        }
    }
}

/// Elements that start and end a paragraph of their own.
pub(crate) fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "dt"
            | "dd"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "thead"
            | "tbody"
            | "tfoot"
            | "caption"
            | "blockquote"
            | "pre"
            | "figure"
            | "hr"
            | "address"
            | "center"
            | "details"
            | "summary"
            | "fieldset"
            | "body"
            | "html"
    )
}

/// A rendered paragraph plus how much of it was link text, for link-farm filtering.
#[derive(Debug, Default)]
pub(crate) struct Para {
    pub(crate) text: String,
    pub(crate) link_chars: usize,
    pub(crate) chars: usize,
}

/// Accumulates text with whitespace collapsing across node boundaries.
#[derive(Default)]
pub(crate) struct Builder {
    paras: Vec<Para>,
    cur: Para,
    space: bool,
    link_depth: usize,
    pending_br: usize,
}

impl Builder {
    pub(crate) fn text(&mut self, t: &str) {
        for c in t.chars() {
            if c.is_whitespace() {
                self.space = true;
                continue;
            }
            if self.pending_br > 0 {
                if self.pending_br >= 2 {
                    self.block();
                } else if !self.cur.text.is_empty() {
                    self.cur.text.push('\n');
                }
                self.pending_br = 0;
                self.space = false;
            }
            if self.space && !self.cur.text.is_empty() && !self.cur.text.ends_with('\n') {
                self.cur.text.push(' ');
            }
            self.space = false;
            self.cur.text.push(c);
            self.cur.chars += 1;
            if self.link_depth > 0 {
                self.cur.link_chars += 1;
            }
        }
    }

    pub(crate) fn line_break(&mut self) {
        self.pending_br += 1;
    }

    pub(crate) fn block(&mut self) {
        self.pending_br = 0;
        self.space = false;
        if self.cur.chars > 0 {
            let p = std::mem::take(&mut self.cur);
            self.paras.push(p);
        } else {
            self.cur = Para::default();
        }
    }

    pub(crate) fn finish(mut self) -> Vec<Para> {
        self.block();
        self.paras
    }
}

/// Renders the subtrees under `roots`, skipping any element for which `skip` is true.
pub(crate) fn render_into<'a>(b: &mut Builder, root: ElementRef<'a>, mut skip: impl FnMut(ElementRef<'a>) -> bool) {
    walk(root, |step| match step {
        Step::Open(el) => {
            if el.id() != root.id() && skip(el) {
                return false;
            }
            let name = el.value().name();
            if name == "br" {
                b.line_break();
            } else if is_block(name) {
                b.block();
            } else if name == "a" {
                b.link_depth += 1;
            } else if matches!(name, "td" | "th") {
                b.space = true;
            }
            true
        }
        Step::Close(el) => {
            let name = el.value().name();
            if is_block(name) {
                b.block();
            } else if name == "a" {
                b.link_depth = b.link_depth.saturating_sub(1);
            }
            false
        }
        Step::Text(t) => {
            b.text(t);
            false
        }
    });
}

/// Plain text of an HTML fragment (e.g. a JSON-LD `articleBody` that carries markup).
pub(crate) fn fragment_text(html: &str) -> Vec<Para> {
    let doc = scraper::Html::parse_fragment(html);
    let mut b = Builder::default();
    render_into(&mut b, doc.root_element(), |el| super::hints::is_skipped_tag(el.value().name()));
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    fn render(html: &str) -> Vec<String> {
        let doc = Html::parse_document(html);
        let mut b = Builder::default();
        render_into(&mut b, doc.root_element(), |el| crate::extract::hints::is_furniture(el.value(), true));
        b.finish().into_iter().map(|p| p.text).collect()
    }

    #[test]
    fn blocks_breaks_and_whitespace() {
        let out = render("<p>Hej   <b>världen</b>\n och<br>rad två</p><div>Nästa<span>stycke</span></div>");
        assert_eq!(out, vec!["Hej världen och\nrad två", "Nästastycke"]);
    }

    #[test]
    fn double_br_is_a_paragraph() {
        let out = render("<div>Första<br><br>Andra</div>");
        assert_eq!(out, vec!["Första", "Andra"]);
    }

    #[test]
    fn scripts_and_nav_are_dropped() {
        let out = render("<nav>Meny</nav><p>Text<script>var x=1;</script></p><style>p{}</style>");
        assert_eq!(out, vec!["Text"]);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        // Spans, not divs: the parser handles deep inline nesting in linear time, so
        // this exercises the walker rather than the parser.
        let html = "<span>".repeat(100_000) + "djupt";
        let out = render(&html);
        assert_eq!(out, vec!["djupt"]);
    }
}
