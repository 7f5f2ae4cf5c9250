//! The digest as Markdown: the same content as the HTML, for chat, wikis and the plain-text part
//! of the mail. Feed text is escaped so a headline cannot become a link, heading or HTML.

use std::fmt::Write;

use super::build::{Digest, DistrictDigest, StoryLine};
use super::text::{texts, Texts};
use crate::model::Label;

/// Backslash-escapes Markdown's punctuation and leaves no raw `<`.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '!' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn url(u: &str) -> String {
    let u = u.trim();
    if u.starts_with("http://") || u.starts_with("https://") {
        u.replace('(', "%28").replace(')', "%29").replace(' ', "%20")
    } else {
        String::new()
    }
}

pub(super) fn render(d: &Digest) -> String {
    let t = texts(&d.language);
    let mut m = String::new();
    let _ = writeln!(m, "# {}\n\n*{}*\n", esc(&t.heading(d)), esc(&t.date_range(&d.from, &d.to)));
    for line in t.summary(d) {
        let _ = writeln!(m, "{}\n", esc(&line));
    }
    if !d.quiet {
        for dist in &d.districts {
            district(&mut m, t, dist);
        }
    }
    let _ = writeln!(m, "---\n\n{}", esc(t.footer));
    m
}

fn district(m: &mut String, t: &Texts, d: &DistrictDigest) {
    let _ = writeln!(m, "## {}\n", esc(&d.name));
    if d.spike {
        let _ = writeln!(m, "**⚠ {}**\n", esc(t.spike));
    }
    if d.articles == 0 {
        let _ = writeln!(m, "{}\n", esc(t.quiet_district));
        return;
    }
    let b = &d.baseline;
    let _ = writeln!(
        m,
        "- **{}** ({}; {}: {} {})\n- {}: **{}** ({}: {})\n- {}: **{}**\n- {} {}",
        t.count(d.stories, t.stories),
        t.count(d.articles, t.articles),
        t.baseline,
        t.decimal(b.stories_per_week),
        t.per_week,
        t.stigma_share,
        t.percent(d.stigma_share),
        t.baseline,
        t.percent(d.baseline_stigma_share),
        t.net_tone,
        t.signed(d.net_tone),
        t.percent(d.share_of_all_articles),
        t.share_of_all,
    );
    let _ = writeln!(m, "\n{}:\n", t.tone_mix);
    let total = d.labels.total().max(1);
    for l in Label::ALL {
        let n = d.labels.get(l);
        let blocks = ((n as f64 / total as f64) * 20.0).round() as usize;
        let _ = writeln!(m, "    {:<16} {:>3}  {}", t.label(l), n, "█".repeat(blocks));
    }
    m.push('\n');
    if !d.frames.is_empty() {
        let f: Vec<String> = d.frames.iter().map(|c| format!("{} ({})", esc(&t.frame(&c.id)), c.n)).collect();
        let _ = writeln!(m, "{}: {}\n", t.frames, f.join(", "));
    }
    if !d.sources.is_empty() {
        let f: Vec<String> = d.sources.iter().map(|c| format!("{} ({})", esc(&c.id), c.n)).collect();
        let _ = writeln!(m, "{}: {}\n", t.outlets, f.join(", "));
    }
    stories(m, t, t.top_stigmatizing, &d.top_stigmatizing, None);
    stories(m, t, t.top_positive, &d.top_positive, Some(t.none_positive));
}

fn stories(m: &mut String, t: &Texts, heading: &str, lines: &[StoryLine], empty: Option<&str>) {
    if lines.is_empty() {
        if let Some(e) = empty {
            let _ = writeln!(m, "### {heading}\n\n{}\n", esc(e));
        }
        return;
    }
    let _ = writeln!(m, "### {heading}\n");
    for s in lines {
        let u = url(&s.url);
        let title = if u.is_empty() { esc(&s.title) } else { format!("[{}]({u})", esc(&s.title)) };
        let _ = writeln!(
            m,
            "- {title}  \n  {} · {} · {}",
            esc(&s.source),
            t.short_date(&s.published),
            esc(&t.carried(s.articles, &s.sources))
        );
        if let Some(e) = &s.evidence {
            let _ = writeln!(m, "  > {}", esc(e));
        }
    }
    m.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_text_cannot_become_markup() {
        assert_eq!(esc("<script>x</script>"), "&lt;script&gt;x&lt;/script&gt;");
        assert_eq!(esc("[a](javascript:x) *b*"), "\\[a\\]\\(javascript:x\\) \\*b\\*");
        assert_eq!(url("javascript:alert(1)"), "");
        assert_eq!(url("https://x.se/a(b)"), "https://x.se/a%28b%29");
    }
}
