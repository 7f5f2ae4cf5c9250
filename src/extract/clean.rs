//! Paragraph-level boilerplate filter. Structural pruning cannot catch furniture that
//! sits in a plain `<p>` inside the article ("Läs också: …", "Foto: …", "Annons"), so
//! these short, formulaic paragraphs are recognised by wording and dropped here.

use super::text::Para;

/// Phrases that, at the start of a short paragraph, mark it as furniture.
const PREFIXES: &[&str] = &[
    "läs också",
    "läs även",
    "läs mer",
    "läs hela",
    "dela artikeln",
    "dela på",
    "dela:",
    "publicerad",
    "uppdaterad",
    "prenumerera",
    "logga in",
    "bli prenumerant",
    "redan prenumerant",
    "foto:",
    "bild:",
    "fotograf:",
    "grafik:",
    "read more",
    "read also",
    "see also",
    "related:",
    "share this",
    "share on",
    "published",
    "updated",
    "photo:",
    "image:",
    "subscribe",
    "sign up",
    "advertisement",
    "sponsored",
    "annons",
    "reporting by",
];

/// Paragraphs that are furniture when they are the whole paragraph.
const EXACT: &[&str] = &[
    "annons",
    "advertisement",
    "dela",
    "share",
    "tweet",
    "kommentera",
    "comments",
    "story continues below advertisement",
];

/// Phrases that mark a short paragraph as a credit line or a call to action, wherever
/// they occur in it ("Reporting by …; Editing by …", "Follow her on Twitter …").
const CONTAINS: &[&str] = &[
    "contributed to this report",
    "contributed reporting",
    "(reporting by",
    "follow us on",
    "follow him on",
    "follow her on",
    "follow @",
    "may be reached at",
    "can be reached at",
    "have a tip?",
    "if you buy something",
    "all rights reserved",
    "följ oss på",
    "tipsa oss",
    "har du tips",
    "vårt nyhetsbrev",
    "logga in för att",
];

fn lower_trimmed(s: &str) -> String {
    s.trim().trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase()
}

/// Whether a single paragraph is boilerplate by its wording alone.
pub(crate) fn is_boilerplate(p: &Para) -> bool {
    let lower = lower_trimmed(&p.text);
    if lower.is_empty() {
        return true;
    }
    if EXACT.contains(&lower.as_str()) {
        return true;
    }
    let short = p.chars < 160;
    if short && PREFIXES.iter().any(|pre| lower.starts_with(pre)) {
        return true;
    }
    if p.chars < 400 && lower.contains("cookie") {
        let consent = ["godkänn", "acceptera", "använder", "accept", "we use", "consent", "samtycke"];
        if consent.iter().any(|w| lower.contains(w)) {
            return true;
        }
    }
    // A short line ending in a photo credit is a caption, not prose.
    if p.chars < 250 {
        for credit in ["foto:", "bild:", "photo:", "(foto", "(photo"] {
            if let Some(i) = lower.rfind(credit) {
                if lower.len() - i < 60 {
                    return true;
                }
            }
        }
    }
    if p.chars < 250 && CONTAINS.iter().any(|c| lower.contains(c)) {
        return true;
    }
    // Paragraphs that are nearly all link text are teasers or link lists.
    p.chars < 300 && p.link_chars * 10 > p.chars * 8
}

/// Drops boilerplate paragraphs and joins the rest with blank lines.
pub(crate) fn join(paras: &[Para]) -> String {
    let mut out = String::new();
    for p in paras.iter().filter(|p| !is_boilerplate(p)) {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(p.text.trim());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(text: &str, link_chars: usize) -> Para {
        Para { text: text.to_string(), link_chars, chars: text.chars().filter(|c| !c.is_whitespace()).count() }
    }

    #[test]
    fn swedish_furniture_is_dropped() {
        for t in [
            "Läs också: Så blir vädret i helgen",
            "LÄS MER: Nya regler för elsparkcyklar",
            "Annons",
            "Publicerad 12 mars 2024 kl 08.15",
            "Vi använder cookies för att ge dig en bättre upplevelse. Godkänn",
            "Polisen på plats vid Slussen. Foto: Anna Berg",
            "Logga in för att läsa hela artikeln",
        ] {
            assert!(is_boilerplate(&para(t, 0)), "{t}");
        }
    }

    #[test]
    fn prose_is_kept() {
        let t = "Kommunen publicerade på tisdagen en rapport om hur bussarna ska gå i vinter.";
        assert!(!is_boilerplate(&para(t, 0)));
        let long = "Läs mer ".repeat(40);
        assert!(!is_boilerplate(&para(&long, 0)), "long text is prose");
    }

    #[test]
    fn link_paragraphs_are_dropped() {
        let t = "Fem saker att göra i Göteborg i helgen";
        assert!(is_boilerplate(&para(t, 31)));
    }

    #[test]
    fn join_uses_blank_lines() {
        let ps = [para("Ett.", 0), para("Annons", 0), para("Två.", 0)];
        assert_eq!(join(&ps), "Ett.\n\nTvå.");
    }
}
