//! Splits an article into headline clauses and body sentences. Total on any input (no punctuation,
//! HTML, megabytes): sentences are capped in length and the text is capped in size, so work is bounded.

/// Only this much of the text is read; news articles are far shorter, and the cap bounds bad input.
pub(crate) const MAX_TEXT: usize = 100_000;
/// A "sentence" longer than this is cut at the next space (text without punctuation).
const MAX_SENTENCE: usize = 400;
/// At most this many units per article.
const MAX_UNITS: usize = 2_000;
/// A first line this short and without a final period, in an article with no title, is its headline
/// (extracted pages usually start with the headline on a line of its own).
const PSEUDO_TITLE_MAX: usize = 160;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Title,
    Text,
}

/// One headline clause or body sentence: a byte range in the title or the text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unit {
    pub field: Field,
    pub start: usize,
    pub end: usize,
    /// Part of the headline (the title, or a text's first line standing in for a missing title).
    pub headline: bool,
}

/// An article cut into units, headline units first.
pub(crate) struct Doc<'a> {
    pub title: &'a str,
    pub text: &'a str,
    pub units: Vec<Unit>,
}

impl<'a> Doc<'a> {
    pub(crate) fn new(title: &'a str, text: &'a str) -> Doc<'a> {
        let text_cut = &text[..floor_boundary(text, MAX_TEXT)];
        let mut units: Vec<Unit> = title_clauses(title)
            .into_iter()
            .map(|(start, end)| Unit { field: Field::Title, start, end, headline: true })
            .collect();
        let pseudo_end = if title.trim().is_empty() { pseudo_title_end(text_cut) } else { None };
        for (start, end) in sentences(text_cut) {
            if units.len() >= MAX_UNITS {
                break;
            }
            units.push(Unit { field: Field::Text, start, end, headline: pseudo_end.is_some_and(|pe| end <= pe) });
        }
        Doc { title, text, units }
    }

    pub(crate) fn field(&self, f: Field) -> &'a str {
        match f {
            Field::Title => self.title,
            Field::Text => self.text,
        }
    }

    pub(crate) fn unit_text(&self, u: &Unit) -> &'a str {
        &self.field(u.field)[u.start..u.end]
    }
}

/// Largest char boundary not above `max`.
pub(crate) fn floor_boundary(s: &str, max: usize) -> usize {
    if max >= s.len() {
        return s.len();
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// End of the text's first line when it reads as a headline.
fn pseudo_title_end(text: &str) -> Option<usize> {
    let lead = text.len() - text.trim_start().len();
    let nl = text[lead..].find('\n')? + lead;
    let line = text[lead..nl].trim();
    let more = !text[nl..].trim().is_empty();
    let ok =
        !line.is_empty() && line.len() <= PSEUDO_TITLE_MAX && !line.ends_with('.') && !line.starts_with('<') && more;
    ok.then_some(nl)
}

/// Headline clauses: split at dashes, colons, semicolons, bars and commas, so a roundup headline
/// ("Detonation i Bäckby, köksbrand i Vivalla") gives each place its own clause.
pub(crate) fn title_clauses(title: &str) -> Vec<(usize, usize)> {
    let title = &title[..floor_boundary(title, 2 * MAX_SENTENCE)];
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in title.char_indices() {
        let sep = matches!(c, '–' | '—' | ':' | ';' | '|' | ',' | '\n')
            || (c == '-' && title[..i].ends_with(' ') && title[i + 1..].starts_with(' '));
        if sep {
            push_trimmed(&mut out, title, start, i);
            start = i + c.len_utf8();
        }
    }
    push_trimmed(&mut out, title, start, title.len());
    out
}

fn push_trimmed(out: &mut Vec<(usize, usize)>, s: &str, start: usize, end: usize) {
    let piece = &s[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trimmed = piece.trim();
    if trimmed.chars().any(char::is_alphanumeric) {
        out.push((start + lead, start + lead + trimmed.len()));
    }
}

fn closes_quote(c: char) -> bool {
    matches!(c, '"' | '”' | '»' | '\'' | '’' | ')')
}

/// Can a sentence start with this character?
fn opens_sentence(c: char) -> bool {
    c.is_uppercase() || c.is_numeric() || matches!(c, '–' | '—' | '-' | '"' | '”' | '“' | '»' | '«' | '(' | '<')
}

/// Does `head` end with a short lower-case word ("kl", "ca", "nr")?
fn is_abbreviation(head: &str) -> bool {
    let word: Vec<char> = head.chars().rev().take_while(|c| c.is_alphabetic()).collect();
    !word.is_empty() && word.len() <= 3 && word.iter().all(|c| c.is_lowercase())
}

/// Body sentences as byte ranges. Breaks at sentence punctuation followed by a space and a capital,
/// at line breaks and at HTML tags; cuts over-long runs at a space.
pub(crate) fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < text.len() {
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        let next = i + c.len_utf8();
        let mut cut: Option<(usize, usize)> = None;
        match c {
            '\n' | '\r' => cut = Some((i, next)),
            '<' => {
                let tag = text[next..].chars().next().is_some_and(|n| n.is_ascii_alphabetic() || n == '/' || n == '!');
                if tag {
                    if let Some(close) = text[i..floor_boundary(text, i + 300)].find('>') {
                        cut = Some((i, i + close + 1));
                    }
                }
            }
            '.' | '!' | '?' | '…' => {
                let mut j = next;
                while let Some(q) = text[j..].chars().next().filter(|&q| closes_quote(q)) {
                    j += q.len_utf8();
                }
                let rest = &text[j..];
                if rest.is_empty() {
                    cut = Some((j, j));
                } else if rest.starts_with(char::is_whitespace) {
                    let after = rest.trim_start().chars().next();
                    // "kl. 21", "ca. 40": a digit after a short lower-case abbreviation goes on.
                    let abbrev = c == '.' && after.is_some_and(|a| a.is_numeric()) && is_abbreviation(&text[..i]);
                    if after.is_none_or(opens_sentence) && !abbrev {
                        cut = Some((j, j));
                    }
                }
            }
            _ if c.is_whitespace() && i - start > MAX_SENTENCE => cut = Some((i, next)),
            _ => {}
        }
        match cut {
            Some((end, resume)) => {
                push_trimmed(&mut out, text, start, end);
                start = resume;
                i = resume.max(next);
            }
            None => i = next,
        }
        if out.len() >= MAX_UNITS {
            return out;
        }
    }
    push_trimmed(&mut out, text, start, text.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<&str> {
        sentences(s).into_iter().map(|(a, b)| &s[a..b]).collect()
    }

    #[test]
    fn splits_on_punctuation_and_keeps_abbreviations() {
        let s = "Polisen kom kl. 21 till platsen. – Vi vet inget, säger hon. Bl.a. skolan stängs! Ok?";
        assert_eq!(
            texts(s),
            vec!["Polisen kom kl. 21 till platsen.", "– Vi vet inget, säger hon.", "Bl.a. skolan stängs!", "Ok?"]
        );
    }

    #[test]
    fn quotes_lines_and_html() {
        let s = "Hon sa ”nej.” Sedan gick hon.\nNy rad<p>Stycke</p>";
        assert_eq!(texts(s), vec!["Hon sa ”nej.”", "Sedan gick hon.", "Ny rad", "Stycke"]);
    }

    #[test]
    fn long_unpunctuated_text_is_cut() {
        let s = "ord ".repeat(1000);
        let parts = sentences(&s);
        assert!(parts.len() >= 9);
        assert!(parts.iter().all(|(a, b)| b - a <= MAX_SENTENCE + 10));
    }

    #[test]
    fn title_clauses_split_roundups() {
        let t = "Natten i korthet: Detonation i Bäckby, köksbrand i Vivalla";
        let c: Vec<&str> = title_clauses(t).into_iter().map(|(a, b)| &t[a..b]).collect();
        assert_eq!(c, vec!["Natten i korthet", "Detonation i Bäckby", "köksbrand i Vivalla"]);
    }

    #[test]
    fn first_line_stands_in_for_a_missing_title() {
        let d = Doc::new("", "Ny park invigd i Dalbo\nPå lördagen invigdes parken. Många kom.");
        assert!(d.units[0].headline);
        assert!(!d.units[1].headline);
        let d = Doc::new("", "En mening. Och en till.");
        assert!(d.units.iter().all(|u| !u.headline));
    }

    #[test]
    fn huge_text_is_capped() {
        let s = "Ett ord. ".repeat(600_000);
        let d = Doc::new("T", &s);
        assert!(d.units.len() <= MAX_UNITS + 5);
        assert!(d.units.iter().all(|u| u.end <= MAX_TEXT));
    }
}
