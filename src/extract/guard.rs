//! Input guard against pathological nesting. The HTML parser checks element scope by
//! walking the stack of open elements, so tens of thousands of unclosed `<div>`s make
//! parsing quadratic (seconds for a few hundred kilobytes). Real pages nest a few dozen
//! levels deep, so opening tags beyond a generous depth are dropped before parsing;
//! their text is kept.

use std::borrow::Cow;

/// Far deeper than any real page, low enough to keep the parser linear in practice.
const MAX_DEPTH: usize = 1000;

/// Elements that never contain others, or that the parser closes implicitly when a
/// sibling starts, so they do not deepen the tree.
fn does_not_nest(tag: &[u8]) -> bool {
    const FLAT: &[&[u8]] = &[
        b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta", b"param", b"source",
        b"track", b"wbr", b"p", b"li", b"dt", b"dd", b"option", b"tr", b"td", b"th",
    ];
    FLAT.iter().any(|f| f.eq_ignore_ascii_case(tag))
}

/// Elements whose content is raw text: a `<` inside them is not a tag.
fn is_raw_text(tag: &[u8]) -> bool {
    const RAW: &[&[u8]] = &[b"script", b"style", b"textarea", b"title", b"xmp", b"noembed", b"noframes"];
    RAW.iter().any(|f| f.eq_ignore_ascii_case(tag))
}

fn find_from(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle)).map(|i| i + from)
}

/// Returns `html` unchanged unless its nesting exceeds [`MAX_DEPTH`]; then returns a
/// copy without the opening tags (and their matching closing tags) beyond that depth.
pub(crate) fn limit_depth(html: &str) -> Cow<'_, str> {
    let b = html.as_bytes();
    let mut depth = 0usize;
    let mut excess = 0usize;
    // Byte ranges of tags to drop; all boundaries are ASCII '<' / '>' so slicing the
    // string at them is always on a char boundary.
    let mut drop: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while let Some(off) = b.get(i..).and_then(|r| r.iter().position(|&c| c == b'<')) {
        let start = i + off;
        if b.get(start..start + 4) == Some(b"<!--") {
            i = find_from(b, start + 4, b"-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        let closing = b.get(start + 1) == Some(&b'/');
        let name_start = start + 1 + usize::from(closing);
        let name_len = b.get(name_start..).map_or(0, |r| r.iter().take_while(|c| c.is_ascii_alphanumeric()).count());
        if name_len == 0 || !b[name_start].is_ascii_alphabetic() {
            i = start + 1;
            continue;
        }
        let name = &b[name_start..name_start + name_len];
        let Some(end) = b[name_start..].iter().position(|&c| c == b'>') else {
            break;
        };
        let end = name_start + end + 1;
        i = end;
        if does_not_nest(name) {
            continue;
        }
        if closing {
            if excess > 0 {
                excess -= 1;
                drop.push((start, end));
            } else {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        if is_raw_text(name) {
            let mut close = b"</".to_vec();
            close.extend_from_slice(name);
            i = find_from(b, end, &close).unwrap_or(b.len());
            continue;
        }
        if b[end - 2] == b'/' {
            continue;
        }
        if depth >= MAX_DEPTH {
            excess += 1;
            drop.push((start, end));
        } else {
            depth += 1;
        }
    }
    if drop.is_empty() {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut last = 0;
    for (s, e) in drop {
        out.push_str(&html[last..s]);
        last = e;
    }
    out.push_str(&html[last..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_pages_are_untouched() {
        let html = "<div><p>Hej<p>då<script>if (a<b) {}</script><!-- <div> --></div>";
        assert!(matches!(limit_depth(html), Cow::Borrowed(_)));
    }

    #[test]
    fn excess_nesting_is_flattened_and_text_kept() {
        let html = "<div class=x>".repeat(MAX_DEPTH + 500) + "kvar" + &"</div>".repeat(10);
        let out = limit_depth(&html);
        assert_eq!(out.matches("<div").count(), MAX_DEPTH);
        assert!(out.ends_with("kvar"), "dropped closes match dropped opens");
    }

    #[test]
    fn odd_bytes_do_not_panic() {
        for s in ["<", "</", "<a", "<!--", "<å>ö</å>", "<div/>", "<<div>>"] {
            let _ = limit_depth(s);
        }
    }
}
