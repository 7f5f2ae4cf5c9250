//! Finds which configured districts an article is about. Pure: one Aho-Corasick pass over title and
//! text, then Swedish word rules (inflection, compounds, exclusions, person names, context words).

use std::collections::HashSet;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::model::District;

/// One place in the title or the text where a district is named (byte offsets, whole word).
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub in_title: bool,
    pub start: usize,
    pub end: usize,
}

/// A district the article names, with every mention that survived the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct DistrictHit {
    pub district_id: String,
    pub mentions: Vec<Mention>,
}

/// Precompiled matcher for a list of districts; build once, use for every article.
pub struct Matcher {
    ids: Vec<String>,
    has_context: Vec<bool>,
    ac: Option<AhoCorasick>,
    /// For each automaton pattern, every (district, kind) that uses it.
    uses: Vec<Vec<(usize, Kind)>>,
    /// Folded pattern lengths, to compare an alias with an exclude at the same place.
    pat_len: Vec<usize>,
    first_names: HashSet<String>,
    alias_is_first_name: Vec<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Alias,
    Exclude,
    Context,
}

#[derive(Debug, Clone)]
struct Occ {
    in_title: bool,
    start: usize,
    /// End of the matched literal (an exclude cancels aliases that start before this).
    lit_end: usize,
    /// End of the whole word (inflections and compounds run on).
    word_end: usize,
    /// Pattern id, to know whether the alias itself is a first name.
    pat: usize,
}

const FIRST_NAMES: &str = include_str!("districts/first_names.txt");

/// Words before a bare name that make it a place again after the name was used for a person
/// ("Anna Dalbo ... bor i Dalbo"). Lists ("Hjällbo och Dalbo") also read as places.
const LOCATIVES: &[&str] = &[
    "i", "på", "från", "till", "vid", "mot", "genom", "kring", "runt", "utanför", "nära", "inom", "ur", "över",
    "mellan", "och", "eller", "samt", "om", "bortom",
];

/// Surname endings strong enough to read "X Lindqvist" as a person even when X is not a known first
/// name. Place-like endings (-berg, -holm, -dal, -borg) are left out: "Tensta Hjulsta" must not vanish.
const SURNAME_ENDINGS: &[&str] =
    &["sson", "son", "qvist", "kvist", "ström", "gren", "quist", "lund", "lind", "blom", "sen"];

/// Lower-cases a string without changing any byte offset (characters whose lower case has another
/// UTF-8 length are kept as they are), so positions found in the folded copy index the original.
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        let mut low = c.to_lowercase();
        match (low.next(), low.next()) {
            (Some(l), None) if l.len_utf8() == c.len_utf8() => out.push(l),
            _ => out.push(c),
        }
    }
    out
}

pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// True when `pos` begins a word (no letter or digit right before it).
pub(crate) fn at_word_start(s: &str, pos: usize) -> bool {
    s[..pos].chars().next_back().is_none_or(|c| !is_word_char(c))
}

/// End of the word that contains byte `pos` (or `pos` itself when a non-word character follows).
pub(crate) fn word_end(s: &str, pos: usize) -> usize {
    let rest = &s[pos..];
    pos + rest.char_indices().find(|&(_, c)| !is_word_char(c)).map_or(rest.len(), |(i, _)| i)
}

fn starts_upper(s: &str, pos: usize) -> bool {
    s[pos..].chars().next().is_some_and(char::is_uppercase)
}

/// The word directly before `pos`, when exactly one space separates them.
fn word_before(s: &str, pos: usize) -> Option<&str> {
    let head = s[..pos].strip_suffix(' ')?;
    let start = head.char_indices().rev().find(|&(_, c)| !is_word_char(c)).map_or(0, |(i, c)| i + c.len_utf8());
    (start < head.len()).then(|| &head[start..])
}

/// The word directly after `pos`, when exactly one space separates them.
fn word_after(s: &str, pos: usize) -> Option<&str> {
    let tail = s[pos..].strip_prefix(' ')?;
    let end = word_end(tail, 0);
    (end > 0).then(|| &tail[..end])
}

/// "Lindholm": an upper-case letter, then lower-case only.
fn is_title_case(w: &str) -> bool {
    let mut cs = w.chars();
    cs.next().is_some_and(char::is_uppercase) && w.chars().count() >= 2 && cs.all(|c| c.is_lowercase())
}

impl Matcher {
    /// Compiles every alias, exclude phrase and context word of `districts` into one automaton.
    pub fn new(districts: &[District]) -> Matcher {
        let first_names: HashSet<String> = FIRST_NAMES
            .lines()
            .map(|l| l.split('#').next().unwrap_or(""))
            .flat_map(str::split_whitespace)
            .map(fold)
            .collect();
        let mut patterns: Vec<String> = Vec::new();
        let mut uses: Vec<Vec<(usize, Kind)>> = Vec::new();
        let mut add = |text: &str, d: usize, kind: Kind| {
            let folded = fold(text.trim());
            if folded.is_empty() {
                return;
            }
            let idx = match patterns.iter().position(|p| *p == folded) {
                Some(i) => i,
                None => {
                    patterns.push(folded);
                    uses.push(Vec::new());
                    patterns.len() - 1
                }
            };
            if !uses[idx].contains(&(d, kind)) {
                uses[idx].push((d, kind));
            }
        };
        for (i, d) in districts.iter().enumerate() {
            add(&d.name, i, Kind::Alias);
            for a in &d.aliases {
                add(a, i, Kind::Alias);
            }
            for x in &d.exclude {
                add(x, i, Kind::Exclude);
            }
            for c in &d.context {
                add(c, i, Kind::Context);
            }
        }
        let ac = if patterns.is_empty() {
            None
        } else {
            AhoCorasick::builder().match_kind(MatchKind::Standard).build(&patterns).ok()
        };
        let alias_is_first_name = patterns.iter().map(|p| first_names.contains(p)).collect();
        Matcher {
            ids: districts.iter().map(|d| d.id.clone()).collect(),
            has_context: districts.iter().map(|d| !d.context.is_empty()).collect(),
            ac,
            pat_len: patterns.iter().map(String::len).collect(),
            uses,
            first_names,
            alias_is_first_name,
        }
    }

    /// Districts the article is about, in config order, each with its mentions.
    pub fn find(&self, title: &str, text: &str) -> Vec<DistrictHit> {
        let n = self.ids.len();
        let mut aliases: Vec<Vec<Occ>> = vec![Vec::new(); n];
        let mut excludes: Vec<Vec<Occ>> = vec![Vec::new(); n];
        let mut context = vec![false; n];
        for (in_title, field) in [(true, title), (false, text)] {
            self.scan(in_title, field, &mut aliases, &mut excludes, &mut context);
        }
        let mut hits = Vec::new();
        for d in 0..n {
            if aliases[d].is_empty() || (self.has_context[d] && !context[d]) {
                continue;
            }
            let kept = self.resolve(title, text, &mut aliases[d], &excludes[d]);
            if !kept.is_empty() {
                hits.push(DistrictHit { district_id: self.ids[d].clone(), mentions: kept });
            }
        }
        hits
    }

    fn scan(
        &self,
        in_title: bool,
        field: &str,
        aliases: &mut [Vec<Occ>],
        excludes: &mut [Vec<Occ>],
        context: &mut [bool],
    ) {
        let Some(ac) = &self.ac else { return };
        let folded = fold(field);
        for m in ac.find_overlapping_iter(&folded) {
            let (start, end) = (m.start(), m.end());
            if !at_word_start(field, start) {
                continue;
            }
            let pat = m.pattern().as_usize();
            let occ = Occ { in_title, start, lit_end: end, word_end: word_end(field, end), pat };
            // Names are written with a capital; "husbygge" and "stockholmare" are not places.
            let upper = starts_upper(field, start);
            for &(d, kind) in &self.uses[pat] {
                match kind {
                    Kind::Alias if upper => aliases[d].push(occ.clone()),
                    Kind::Exclude => excludes[d].push(occ.clone()),
                    Kind::Context if upper => context[d] = true,
                    _ => {}
                }
            }
        }
    }

    /// Applies exclusions and the person-name rule to one district's alias occurrences.
    fn resolve(&self, title: &str, text: &str, occs: &mut Vec<Occ>, excl: &[Occ]) -> Vec<Mention> {
        // Two aliases at one place ("Kronogård", "Kronogården"): keep the longer.
        occs.sort_by_key(|o| (!o.in_title, o.start, usize::MAX - self.pat_len[o.pat]));
        occs.dedup_by_key(|o| (o.in_title, o.start));
        let field = |o: &Occ| if o.in_title { title } else { text };
        let live: Vec<&Occ> = occs.iter().filter(|a| !excl.iter().any(|x| self.excludes(x, a))).collect();
        // Person names: a first name before ("Anna Dalbo") or a surname after ("Seved Lindholm").
        let mut person = vec![false; live.len()];
        let mut person_words: HashSet<String> = HashSet::new();
        for (i, a) in live.iter().enumerate() {
            let f = field(a);
            let word = &f[a.start..a.word_end];
            let by_first = word_before(f, a.start).is_some_and(|w| {
                (is_title_case(w) || w.chars().all(char::is_uppercase)) && self.first_names.contains(&fold(w))
            });
            let bare = a.word_end == a.lit_end;
            let by_surname = bare
                && is_title_case(word)
                && word_after(f, a.word_end).is_some_and(|w| {
                    is_title_case(w)
                        && (self.alias_is_first_name[a.pat] || SURNAME_ENDINGS.iter().any(|e| fold(w).ends_with(e)))
                });
            if by_first || by_surname {
                person[i] = true;
                person_words.insert(fold(word));
            }
        }
        // Once a name is a person, its bare reuse is too ("Dalbo tillträder i augusti"), unless a
        // locative makes it a place again ("bor i Dalbo").
        if !person_words.is_empty() {
            for (i, a) in live.iter().enumerate() {
                let f = field(a);
                let w = fold(&f[a.start..a.word_end]);
                let reused = person_words.contains(&w) || w.strip_suffix('s').is_some_and(|s| person_words.contains(s));
                let locative = word_before(f, a.start).is_some_and(|p| LOCATIVES.contains(&fold(p).as_str()));
                if reused && !locative {
                    person[i] = true;
                }
            }
        }
        live.iter()
            .zip(person)
            .filter(|(_, p)| !p)
            .map(|(a, _)| Mention { in_title: a.in_title, start: a.start, end: a.word_end })
            .collect()
    }

    /// Does exclude occurrence `x` cancel alias occurrence `a`? Only when `a` starts inside `x`;
    /// at the same start the longer literal wins ("Hässleholmen" survives exclude "Hässleholm").
    fn excludes(&self, x: &Occ, a: &Occ) -> bool {
        if x.in_title != a.in_title || a.start < x.start || a.start >= x.lit_end {
            return false;
        }
        !(x.start == a.start && self.pat_len[a.pat] > self.pat_len[x.pat])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(id: &str, aliases: &[&str], exclude: &[&str], context: &[&str]) -> District {
        District {
            id: id.into(),
            name: aliases[0].into(),
            municipality: String::new(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            exclude: exclude.iter().map(|s| s.to_string()).collect(),
            context: context.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn ids(m: &Matcher, title: &str, text: &str) -> Vec<String> {
        m.find(title, text).into_iter().map(|h| h.district_id).collect()
    }

    #[test]
    fn fold_keeps_offsets() {
        let s = "ÅÄÖ Rosengård İstanbul ẞ";
        assert_eq!(fold(s).len(), s.len());
        assert!(fold(s).starts_with("åäö rosengård"));
    }

    #[test]
    fn genitive_compound_and_caps_match_lowercase_does_not() {
        let m = Matcher::new(&[d("husby", &["Husby"], &[], &[])]);
        assert_eq!(ids(&m, "", "Husbys centrum"), ["husby"]);
        assert_eq!(ids(&m, "HUSBY I DAG", ""), ["husby"]);
        assert_eq!(ids(&m, "", "Husbyborna protesterar"), ["husby"]);
        assert!(ids(&m, "", "ett nytt husbygge").is_empty());
        assert!(ids(&m, "", "Kvarnhusby är en annan plats").is_empty());
    }

    #[test]
    fn mention_offsets_cover_the_whole_word() {
        let m = Matcher::new(&[d("r", &["Rosengård"], &[], &[])]);
        let text = "Mitt på Rosengårds torg";
        let hit = &m.find("", text)[0];
        let mm = &hit.mentions[0];
        assert_eq!(&text[mm.start..mm.end], "Rosengårds");
        assert!(!mm.in_title);
    }

    #[test]
    fn exclude_cancels_only_inside_and_longer_match_wins() {
        let m = Matcher::new(&[d("r", &["Rosengård"], &["FC Rosengård"], &[])]);
        assert!(ids(&m, "FC Rosengårds seger", "FC Rosengård vann.").is_empty());
        assert_eq!(ids(&m, "", "FC Rosengård tränar mitt på Rosengård."), ["r"]);
        let h = Matcher::new(&[d("h", &["Hässleholmen"], &["Hässleholm"], &[])]);
        assert_eq!(ids(&h, "", "Nytt torg i Hässleholmen"), ["h"]);
        assert!(ids(&h, "", "Tåget till Hässleholms station").is_empty());
    }

    #[test]
    fn person_names_do_not_count() {
        let m = Matcher::new(&[d("dalbo", &["Dalbo"], &[], &[])]);
        assert!(ids(&m, "Anna Dalbo ny chef", "Dalbo tillträder i maj.").is_empty());
        assert_eq!(ids(&m, "Anna Dalbo flyttar", "Hon bor i Dalbo sedan i fjol."), ["dalbo"]);
        assert_eq!(ids(&m, "", "Ny lekplats i Dalbo. Dalbo centrum byggs om."), ["dalbo"]);
        let s = Matcher::new(&[d("seved", &["Seved"], &[], &[])]);
        assert!(ids(&s, "", "Seved Lindholm sjunger. – Kul, säger Seved.").is_empty());
        assert_eq!(ids(&s, "", "Boende på Seved odlar."), ["seved"]);
    }

    #[test]
    fn context_words_are_required_with_inflection() {
        let m = Matcher::new(&[d("holma", &["Holma"], &[], &["Malmö"])]);
        assert!(ids(&m, "Holmaskolan vann", "En skola i Umeå.").is_empty());
        assert_eq!(ids(&m, "Holmaskolan vann", "Malmös skolor jublar."), ["holma"]);
    }
}
