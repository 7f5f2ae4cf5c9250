//! Parses the embedded lexicon files once and finds their cues in a sentence with one Aho-Corasick
//! pass; word-boundary rules and "longest match wins" are applied here so the rules see clean cues.

use aho_corasick::{AhoCorasick, MatchKind};

use crate::districts::{fold, is_word_char};

/// What a lexicon entry says about a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cat {
    Violence,
    Assault,
    Gangs,
    Drugs,
    Disorder,
    AreaLabel,
    Insecurity,
    Othering,
    Raid,
    Response,
    Crime,
    Poverty,
    Amplifier,
    Negative,
    Community,
    Culture,
    Investment,
    Education,
    Improvement,
    Counter,
    Down,
    Up,
    GoodTopic,
    Logistics,
    New,
    Facility,
    Negator,
    Rejector,
    Private,
    Nothing,
    Ignore,
}

impl Cat {
    /// The codebook frame a cue of this category supports, if any.
    pub(crate) fn frame(self) -> Option<&'static str> {
        Some(match self {
            Cat::Violence | Cat::Assault => "violence",
            Cat::Gangs => "gangs",
            Cat::Drugs => "drugs",
            Cat::Disorder => "disorder",
            Cat::AreaLabel => "area_label",
            Cat::Insecurity | Cat::Response => "insecurity",
            Cat::Othering => "othering",
            Cat::Raid | Cat::Crime => "crime",
            Cat::Poverty => "poverty",
            Cat::Amplifier => "generalization",
            Cat::Community | Cat::Counter => "community",
            Cat::Culture => "culture",
            Cat::Investment => "investment",
            Cat::Education => "education",
            Cat::Improvement => "safety_improvement",
            _ => return None,
        })
    }

    /// Categories whose cues, located in the district, make it stigmatizing (CODEBOOK rule 1).
    pub(crate) fn is_hard_stigma(self) -> bool {
        matches!(
            self,
            Cat::Violence
                | Cat::Assault
                | Cat::Gangs
                | Cat::Drugs
                | Cat::Disorder
                | Cat::AreaLabel
                | Cat::Insecurity
                | Cat::Othering
                | Cat::Raid
                | Cat::Response
        )
    }
}

const FILES: &[(&str, Cat)] = &[
    (include_str!("lexicon/violence.txt"), Cat::Violence),
    (include_str!("lexicon/assault.txt"), Cat::Assault),
    (include_str!("lexicon/gangs.txt"), Cat::Gangs),
    (include_str!("lexicon/drugs.txt"), Cat::Drugs),
    (include_str!("lexicon/disorder.txt"), Cat::Disorder),
    (include_str!("lexicon/area_label.txt"), Cat::AreaLabel),
    (include_str!("lexicon/insecurity.txt"), Cat::Insecurity),
    (include_str!("lexicon/othering.txt"), Cat::Othering),
    (include_str!("lexicon/raids.txt"), Cat::Raid),
    (include_str!("lexicon/response.txt"), Cat::Response),
    (include_str!("lexicon/crime.txt"), Cat::Crime),
    (include_str!("lexicon/poverty.txt"), Cat::Poverty),
    (include_str!("lexicon/generalization.txt"), Cat::Amplifier),
    (include_str!("lexicon/negative.txt"), Cat::Negative),
    (include_str!("lexicon/community.txt"), Cat::Community),
    (include_str!("lexicon/culture.txt"), Cat::Culture),
    (include_str!("lexicon/investment.txt"), Cat::Investment),
    (include_str!("lexicon/education.txt"), Cat::Education),
    (include_str!("lexicon/improvement.txt"), Cat::Improvement),
    (include_str!("lexicon/counter.txt"), Cat::Counter),
    (include_str!("lexicon/down.txt"), Cat::Down),
    (include_str!("lexicon/up.txt"), Cat::Up),
    (include_str!("lexicon/good_topic.txt"), Cat::GoodTopic),
    (include_str!("lexicon/logistics.txt"), Cat::Logistics),
    (include_str!("lexicon/new.txt"), Cat::New),
    (include_str!("lexicon/facility.txt"), Cat::Facility),
    (include_str!("lexicon/negators.txt"), Cat::Negator),
    (include_str!("lexicon/rejectors.txt"), Cat::Rejector),
    (include_str!("lexicon/private.txt"), Cat::Private),
    (include_str!("lexicon/nothing.txt"), Cat::Nothing),
    (include_str!("lexicon/ignore.txt"), Cat::Ignore),
];

const ORIGIN: &str = include_str!("lexicon/origin.txt");
const EPITHETS: &str = include_str!("lexicon/epithets.txt");

#[derive(Debug, Clone, Copy)]
struct Entry {
    cat: Cat,
    weight: f32,
    /// `*ord`: may start inside a word.
    open_left: bool,
    /// `ord*`: may end inside a word.
    open_right: bool,
}

/// One cue found in a normalised sentence (byte offsets into that sentence).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cue {
    pub cat: Cat,
    pub weight: f32,
    pub start: usize,
    pub end: usize,
}

pub(crate) struct Lexicon {
    ac: AhoCorasick,
    by_pattern: Vec<Vec<Entry>>,
    /// Phrases before a district name that make it a person's home ("uppvuxen i").
    pub origin: Vec<String>,
    /// Adjectives before a district name that label the area, with their frame category.
    pub epithets: Vec<(String, Cat)>,
}

fn lines(file: &str) -> impl Iterator<Item = &str> {
    file.lines().map(|l| l.split('#').next().unwrap_or("").trim()).filter(|l| !l.is_empty())
}

/// Splits `pattern [weight]` into its folded pattern and weight (default 1.0).
fn parse_line(line: &str) -> (String, f32) {
    let mut words: Vec<&str> = line.split_whitespace().collect();
    let mut weight = 1.0;
    if words.len() > 1 {
        if let Ok(w) = words[words.len() - 1].parse::<f32>() {
            weight = w;
            words.pop();
        }
    }
    (fold(&words.join(" ")), weight)
}

impl Lexicon {
    pub(crate) fn load() -> Lexicon {
        let mut patterns: Vec<String> = Vec::new();
        let mut by_pattern: Vec<Vec<Entry>> = Vec::new();
        for &(file, cat) in FILES {
            for line in lines(file) {
                let (raw, weight) = parse_line(line);
                let open_left = raw.starts_with('*');
                let open_right = raw.ends_with('*');
                let pat = raw.trim_matches('*').to_string();
                if pat.is_empty() {
                    continue;
                }
                let entry = Entry { cat, weight, open_left, open_right };
                match patterns.iter().position(|p| *p == pat) {
                    Some(i) => by_pattern[i].push(entry),
                    None => {
                        patterns.push(pat);
                        by_pattern.push(vec![entry]);
                    }
                }
            }
        }
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .expect("embedded lexicon patterns compile");
        let origin = lines(ORIGIN).map(fold).collect();
        let epithets = lines(EPITHETS)
            .filter_map(|l| {
                let mut it = l.split_whitespace();
                let word = fold(it.next()?);
                let cat = match it.next()? {
                    "area_label" => Cat::AreaLabel,
                    "poverty" => Cat::Poverty,
                    "othering" => Cat::Othering,
                    "insecurity" => Cat::Insecurity,
                    _ => Cat::Amplifier,
                };
                Some((word, cat))
            })
            .collect();
        Lexicon { ac, by_pattern, origin, epithets }
    }

    /// Cues in `norm` (folded, single-spaced), without overlaps: where entries overlap, the longest
    /// wins, so a phrase shadows the words inside it. Sorted by position.
    pub(crate) fn scan(&self, norm: &str) -> Vec<Cue> {
        let mut found: Vec<Cue> = Vec::new();
        for m in self.ac.find_overlapping_iter(norm) {
            let (s, e) = (m.start(), m.end());
            let pat = &norm[s..e];
            let first_is_word = pat.chars().next().is_some_and(is_word_char);
            let last_is_word = pat.chars().next_back().is_some_and(is_word_char);
            let left_ok = !first_is_word || norm[..s].chars().next_back().is_none_or(|c| !is_word_char(c));
            let right_ok = !last_is_word || norm[e..].chars().next().is_none_or(|c| !is_word_char(c));
            for en in &self.by_pattern[m.pattern().as_usize()] {
                if (en.open_left || left_ok) && (en.open_right || right_ok) {
                    found.push(Cue { cat: en.cat, weight: en.weight, start: s, end: e });
                }
            }
        }
        found.sort_by(|a, b| (b.end - b.start).cmp(&(a.end - a.start)).then(a.start.cmp(&b.start)));
        let mut kept: Vec<Cue> = Vec::new();
        for c in found {
            if !kept.iter().any(|k| k.start < c.end && c.start < k.end) {
                kept.push(c);
            }
        }
        kept.sort_by_key(|c| c.start);
        kept
    }
}

/// Folds case and collapses every whitespace run to one space, so phrases match across line breaks.
pub(crate) fn normalize(s: &str) -> String {
    let folded = fold(s);
    let mut out = String::with_capacity(folded.len());
    let mut space = false;
    for c in folded.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cats(lex: &Lexicon, s: &str) -> Vec<(Cat, String)> {
        let n = normalize(s);
        lex.scan(&n).into_iter().map(|c| (c.cat, n[c.start..c.end].to_string())).collect()
    }

    #[test]
    fn every_file_parses_and_patterns_are_folded() {
        let lex = Lexicon::load();
        assert!(lex.by_pattern.len() > 300);
        for (file, _) in FILES {
            assert!(lines(file).count() > 0);
        }
        assert!(lex.origin.iter().any(|o| o == "uppvuxen i"));
        assert!(lex.epithets.iter().any(|(w, c)| w == "utsatta" && *c == Cat::AreaLabel));
    }

    #[test]
    fn inflections_and_compounds() {
        let lex = Lexicon::load();
        let c = cats(&lex, "Nattens dödsskjutning och skottlossningen i Hjällbo");
        assert!(c.iter().any(|(k, t)| *k == Cat::Violence && t.contains("skjut")));
        assert!(c.iter().any(|(k, t)| *k == Cat::Violence && t == "skottlossning"));
        let c = cats(&lex, "En köksbrand i går");
        assert_eq!(c, vec![(Cat::Negative, "brand".into())]);
    }

    #[test]
    fn word_bounds_hold() {
        let lex = Lexicon::load();
        // "rån" must not fire inside "från"; "brott" not inside "brottarklubben".
        assert!(cats(&lex, "hon kommer från byn").iter().all(|(c, _)| *c != Cat::Crime));
        assert!(cats(&lex, "Brottarklubben tränar").iter().all(|(c, _)| *c != Cat::Crime));
    }

    #[test]
    fn longest_match_wins() {
        let lex = Lexicon::load();
        let c = cats(&lex, "gatan stängs av i morgon");
        assert_eq!(c, vec![(Cat::Logistics, "stängs av".into())]);
        let c = cats(&lex, "Ingen vågar gå ut");
        assert_eq!(c[0].0, Cat::Insecurity);
        let c = cats(&lex, "efter  mörkrets\ninbrott");
        assert!(c.iter().all(|(k, _)| *k == Cat::Ignore));
    }
}
