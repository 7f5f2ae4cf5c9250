//! The digest as an HTML mail: table layout, inline CSS, no scripts or external resources, one
//! column that reads on a phone, tone mix as plain HTML bars. Everything from feeds is escaped.

use std::fmt::Write;

use super::build::{Digest, DistrictDigest, StoryLine};
use super::text::{texts, Texts};
use crate::model::Label;

const FONT: &str = "font-family:Arial,Helvetica,sans-serif;";

pub(super) fn color(l: Label) -> &'static str {
    match l {
        Label::Stigmatizing => "#b91c1c",
        Label::Negative => "#d97706",
        Label::Neutral => "#9ca3af",
        Label::Positive => "#15803d",
    }
}

/// Text and attribute escaping: a `<script>` in a headline stays text. The web pages use it too.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Only http(s) links become links; anything else (`javascript:`) is shown as text.
fn link(url: &str, text: &str) -> String {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        format!("<a href=\"{}\" style=\"color:#1d4ed8;text-decoration:underline;\">{}</a>", esc(url.trim()), esc(text))
    } else {
        esc(text)
    }
}

pub(super) fn render(d: &Digest) -> String {
    let t = texts(&d.language);
    let mut h = String::with_capacity(16 * 1024);
    let title = format!("{} ({})", t.heading(d), t.date_range(&d.from, &d.to));
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"color-scheme\" content=\"light\"><title>{title}</title></head>\n\
         <body style=\"margin:0;padding:0;background:#f3f4f6;\">\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"background:#f3f4f6;\">\
         <tr><td align=\"center\" style=\"padding:12px 6px;\">\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" \
         style=\"max-width:640px;background:#ffffff;border:1px solid #e5e7eb;{FONT}color:#111827;\">\n",
        lang = t.lang,
        title = esc(&title),
    );
    let _ = writeln!(
        h,
        "<tr><td style=\"padding:20px 20px 8px 20px;\">\
         <div style=\"font-size:22px;line-height:28px;font-weight:bold;\">{}</div>\
         <div style=\"font-size:14px;line-height:20px;color:#4b5563;\">{}</div></td></tr>",
        esc(&t.heading(d)),
        esc(&t.date_range(&d.from, &d.to))
    );
    h.push_str("<tr><td style=\"padding:8px 20px 16px 20px;font-size:15px;line-height:22px;\">");
    for line in t.summary(d) {
        let _ = write!(h, "<p style=\"margin:0 0 8px 0;\">{}</p>", esc(&line));
    }
    h.push_str("</td></tr>\n");
    if !d.quiet {
        for dist in &d.districts {
            district(&mut h, t, dist);
        }
    }
    let _ = write!(
        h,
        "<tr><td style=\"padding:16px 20px 20px 20px;border-top:1px solid #e5e7eb;font-size:12px;line-height:18px;color:#6b7280;\">{}</td></tr>\n\
         </table></td></tr></table>\n</body></html>\n",
        esc(t.footer)
    );
    h
}

fn district(h: &mut String, t: &Texts, d: &DistrictDigest) {
    let _ = write!(
        h,
        "<tr><td style=\"padding:16px 20px 4px 20px;border-top:1px solid #e5e7eb;\">\
         <div style=\"font-size:19px;line-height:26px;font-weight:bold;\">{}</div>",
        esc(&d.name)
    );
    if d.spike {
        let _ = write!(
            h,
            "<div style=\"display:inline-block;margin:4px 0;padding:3px 8px;background:#fee2e2;color:#991b1b;\
             font-size:13px;font-weight:bold;border-radius:3px;\">&#9888; {}</div>",
            esc(t.spike)
        );
    }
    h.push_str("</td></tr>\n");
    if d.articles == 0 {
        let _ = writeln!(
            h,
            "<tr><td style=\"padding:0 20px 12px 20px;font-size:15px;color:#4b5563;\">{}</td></tr>",
            esc(t.quiet_district)
        );
        return;
    }
    // Headline figures: two cells per row so a phone shows them without sideways scrolling.
    let b = &d.baseline;
    let cells = [
        (
            format!("{}", d.stories),
            format!(
                "{} ({}, {} {})",
                t.noun(d.stories, t.stories),
                t.count(d.articles, t.articles),
                t.decimal(b.stories_per_week),
                t.per_week
            ),
        ),
        (
            t.percent(d.stigma_share),
            format!("{} ({}: {})", t.stigma_share.to_lowercase(), t.baseline, t.percent(d.baseline_stigma_share)),
        ),
        (t.signed(d.net_tone), t.net_tone.to_lowercase()),
        (t.percent(d.share_of_all_articles), t.share_of_all.to_string()),
    ];
    h.push_str("<tr><td style=\"padding:4px 20px 4px 20px;\"><table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\">");
    for pair in cells.chunks(2) {
        h.push_str("<tr>");
        for (big, small) in pair {
            let _ = write!(
                h,
                "<td width=\"50%\" valign=\"top\" style=\"padding:4px 8px 8px 0;\">\
                 <div style=\"font-size:22px;line-height:26px;font-weight:bold;\">{}</div>\
                 <div style=\"font-size:12px;line-height:16px;color:#4b5563;\">{}</div></td>",
                esc(big),
                esc(small)
            );
        }
        h.push_str("</tr>");
    }
    h.push_str("</table></td></tr>\n");
    tone_bar(h, t, d);
    let list = |items: &[super::figures::Count], f: &dyn Fn(&str) -> String| {
        items.iter().map(|c| format!("{} ({})", f(&c.id), c.n)).collect::<Vec<_>>().join(", ")
    };
    let mut facts = String::new();
    if !d.frames.is_empty() {
        let _ = write!(facts, "<div><b>{}:</b> {}</div>", esc(t.frames), esc(&list(&d.frames, &|f| t.frame(f))));
    }
    if !d.sources.is_empty() {
        let _ = write!(facts, "<div><b>{}:</b> {}</div>", esc(t.outlets), esc(&list(&d.sources, &|s| s.to_string())));
    }
    if !facts.is_empty() {
        let _ = writeln!(
            h,
            "<tr><td style=\"padding:4px 20px 8px 20px;font-size:14px;line-height:21px;\">{facts}</td></tr>"
        );
    }
    stories(h, t, t.top_stigmatizing, &d.top_stigmatizing, color(Label::Stigmatizing), None);
    stories(h, t, t.top_positive, &d.top_positive, color(Label::Positive), Some(t.none_positive));
}

/// The tone mix as one bar of coloured cells (widths in percent) and a legend with the counts.
fn tone_bar(h: &mut String, t: &Texts, d: &DistrictDigest) {
    let total = d.labels.total().max(1);
    let _ = write!(
        h,
        "<tr><td style=\"padding:4px 20px 8px 20px;\"><div style=\"font-size:13px;color:#4b5563;margin-bottom:4px;\">{}</div>\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"border-collapse:collapse;\"><tr>",
        esc(t.tone_mix)
    );
    // Widths are rounded down and the remainder given to the largest part, so they sum to 100.
    let mut widths: Vec<(Label, u32)> = Label::ALL
        .into_iter()
        .map(|l| (l, d.labels.get(l) * 100 / total))
        .filter(|(l, _)| d.labels.get(*l) > 0)
        .collect();
    let rest = 100u32.saturating_sub(widths.iter().map(|w| w.1).sum());
    if let Some(max) = widths.iter_mut().max_by_key(|w| d.labels.get(w.0)) {
        max.1 += rest;
    }
    for (l, w) in &widths {
        let _ = write!(
            h,
            "<td width=\"{w}%\" height=\"16\" style=\"background:{};height:16px;font-size:1px;line-height:1px;\">&nbsp;</td>",
            color(*l)
        );
    }
    h.push_str("</tr></table><div style=\"font-size:13px;line-height:20px;margin-top:4px;\">");
    let legend: Vec<String> = Label::ALL
        .into_iter()
        .map(|l| {
            format!(
                "<span style=\"white-space:nowrap;\"><span style=\"color:{};font-size:15px;\">&#9632;</span> {} {}</span>",
                color(l),
                esc(t.label(l)),
                d.labels.get(l)
            )
        })
        .collect();
    h.push_str(&legend.join(" &nbsp; "));
    h.push_str("</div></td></tr>\n");
}

fn stories(h: &mut String, t: &Texts, heading: &str, lines: &[StoryLine], accent: &str, empty: Option<&str>) {
    if lines.is_empty() && empty.is_none() {
        return;
    }
    let _ = writeln!(
        h,
        "<tr><td style=\"padding:8px 20px 4px 20px;\"><div style=\"font-size:15px;font-weight:bold;color:{accent};\">{}</div></td></tr>",
        esc(heading)
    );
    if lines.is_empty() {
        let _ = writeln!(
            h,
            "<tr><td style=\"padding:0 20px 8px 20px;font-size:14px;color:#6b7280;\">{}</td></tr>",
            esc(empty.unwrap_or_default())
        );
        return;
    }
    for s in lines {
        let _ = write!(
            h,
            "<tr><td style=\"padding:4px 20px 8px 20px;\"><table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr>\
             <td width=\"4\" style=\"background:{accent};\"></td><td style=\"padding:2px 0 2px 10px;font-size:15px;line-height:21px;\">\
             <div style=\"font-weight:bold;\">{}</div>\
             <div style=\"font-size:13px;color:#4b5563;\">{} · {} · {}</div>",
            link(&s.url, &s.title),
            esc(&s.source),
            esc(&t.short_date(&s.published)),
            esc(&t.carried(s.articles, &s.sources)),
        );
        if let Some(e) = &s.evidence {
            let _ = write!(h, "<div style=\"font-size:14px;line-height:20px;color:#374151;font-style:italic;\">&#8221;{}&#8221;</div>", esc(e));
        }
        h.push_str("</td></tr></table></td></tr>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::super::build::Totals;
    use super::super::figures::{Baseline, Count, LabelCounts};
    use super::*;

    fn digest(title: &str) -> Digest {
        let line = StoryLine {
            title: title.into(),
            url: "https://x.se/a?b=1&c=2".into(),
            source: "smp".into(),
            sources: vec!["smp".into(), "svt".into()],
            articles: 2,
            published: "2026-11-18T07:30:00+01:00".into(),
            evidence: Some("Skott i <b>Araby</b>.".into()),
        };
        let labels = LabelCounts { stigmatizing: 1, negative: 0, neutral: 1, positive: 1 };
        let base = Baseline {
            weeks: 8,
            stories_per_week: 2.0,
            articles_per_week: 3.0,
            stigmatizing_per_week: 0.5,
            stigma_share: 0.25,
        };
        Digest {
            week: "2026-W47".into(),
            from: "2026-11-16".into(),
            to: "2026-11-22".into(),
            language: "sv".into(),
            generated_at: "2026-11-23T07:00:00+01:00".into(),
            quiet: false,
            municipality: Totals {
                all_articles: 40,
                all_stories: 30,
                district_articles: 4,
                district_stories: 3,
                labels,
                stigma_share: 0.33,
                baseline_stigma_share: 0.25,
                spikes: vec![],
            },
            districts: vec![DistrictDigest {
                id: "araby".into(),
                name: "Araby <i>".into(),
                articles: 4,
                stories: 3,
                labels,
                article_labels: labels,
                stigma_share: 0.33,
                baseline_stigma_share: 0.25,
                spike: true,
                net_tone: 0.0,
                baseline: base,
                share_of_all_articles: 0.1,
                frames: vec![Count { id: "violence".into(), n: 1 }],
                sources: vec![Count { id: "smp\"><script>".into(), n: 2 }],
                top_stigmatizing: vec![line.clone()],
                top_positive: vec![StoryLine { url: "javascript:alert(1)".into(), ..line }],
            }],
        }
    }

    #[test]
    fn a_script_in_a_title_stays_text() {
        let h = render(&digest("<script>alert('x')</script> Skott i Araby"));
        assert!(!h.contains("<script"), "{h}");
        assert!(h.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Skott i Araby"));
        assert!(h.contains("Skott i &lt;b&gt;Araby&lt;/b&gt;."), "evidence escaped");
        assert!(h.contains("Araby &lt;i&gt;"), "district name escaped");
        assert!(!h.contains("javascript:"), "no script links");
        assert!(h.contains("href=\"https://x.se/a?b=1&amp;c=2\""));
        assert!(h.contains("Ovanligt mycket stigmatiserande"), "spike shown");
        // Mail-safe: no scripts, no external resources, no style sheets.
        assert!(!h.contains("<link") && !h.contains("<img") && !h.contains("<style"));
        let md = super::super::markdown::render(&digest("<script>x</script> [klick](javascript:x)"));
        assert!(!md.contains("<script") && !md.contains("](javascript"), "{md}");
    }

    #[test]
    fn escapes_text_and_refuses_script_links() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        assert_eq!(link("javascript:alert(1)", "t"), "t");
        assert!(link("https://x.se/a?b=1&c=\"2\"", "t").contains("href=\"https://x.se/a?b=1&amp;c=&quot;2&quot;\""));
    }
}
