//! Turns one sentence into weighted evidence: cues with negation scope, direction ("brotten minskar"),
//! epithets before the district name, and the in-sentence part of CODEBOOK rules 2 and 6.

use super::lexicon::{normalize, Cat, Cue, Lexicon};
use crate::districts::is_word_char;

/// Which way a cue pulls the label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pol {
    Stig,
    /// Ordinary crime: bad news, stigmatizing only when generalised.
    Crime,
    Neg,
    Pos,
}

/// Summed cue weights of one sentence (or, weighted, of a set of sentences).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Score {
    /// Stigma cues located in the sentence (violence, gangs, drugs, disorder, labels, fear, raids).
    pub hard: f32,
    /// The part of `hard` that is an event (violence, gangs, drugs, disorder, raids), for rule 3.
    pub events: f32,
    /// The part of `hard` that is a label or fear, which a counter-narrative can take back.
    pub labels: f32,
    pub crime: f32,
    pub gen: f32,
    pub poverty: f32,
    pub neg: f32,
    pub pos: f32,
    pub impr: f32,
    pub counter: f32,
    pub logistics: f32,
    /// The sentence says an alarmed event did not happen ("inga spår av skott").
    pub nothing: f32,
}

impl Score {
    /// Drops event stigma (rule 6: an alarm that came to nothing is judged by what remains).
    pub(crate) fn cancel_events(&mut self) {
        self.hard -= self.events;
        self.events = 0.0;
    }

    pub(crate) fn add(&mut self, o: &Score, w: f32) {
        self.hard += o.hard * w;
        self.events += o.events * w;
        self.labels += o.labels * w;
        self.crime += o.crime * w;
        self.gen += o.gen * w;
        self.poverty += o.poverty * w;
        self.neg += o.neg * w;
        self.pos += o.pos * w;
        self.impr += o.impr * w;
        self.counter += o.counter * w;
        self.logistics += o.logistics * w;
        self.nothing += o.nothing * w;
    }
}

/// One sentence's score with the terms and frames behind it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Eval {
    pub score: Score,
    pub terms: Vec<(Pol, String, Option<&'static str>)>,
}

/// Words a negator reaches ("inte den farliga plats": 2 words in between).
const NEG_REACH: usize = 3;

/// Swedish particle verbs split by their object ("stängs vattnet av"): the particle decides the
/// meaning, so "stänga av" (shut off, for works) is logistics, not a closure.
/// "öppna skolan igen": a closed place opening again is an improvement on its closure (rule 2);
/// "läggs vårdcentralen ner" is a closure however the object splits it.
const PARTICLE_VERBS: &[(&str, &str, Cat)] = &[
    ("stäng", "av", Cat::Logistics),
    ("öppn", "igen", Cat::Improvement),
    ("lägg", "ner", Cat::Negative),
    ("lägg", "ned", Cat::Negative),
    ("lad", "ner", Cat::Negative),
    ("lad", "ned", Cat::Negative),
];
const PARTICLE_REACH: usize = 4;

fn particle_verb(norm: &str, c: &Cue) -> Option<Cat> {
    let word = widen(norm, c);
    let (_, particle, cat) = PARTICLE_VERBS.iter().find(|(v, _, _)| word.starts_with(v))?;
    let after = &norm[c.end..];
    let clause = after.split([',', ';', ':', '.', '–']).next().unwrap_or("");
    let ws: Vec<&str> = clause.split_whitespace().collect();
    // "stängdes av säkerhetsskäl" is "closed for safety reasons": "av" there is not the particle.
    let reason = |i: usize| ws.iter().skip(i + 1).take(2).any(|w| w.contains("skäl"));
    ws.iter().take(PARTICLE_REACH).enumerate().any(|(i, w)| w == particle && !reason(i)).then_some(*cat)
}

/// Words that make the rest of their clause an aim rather than a result ("för att skapa ökad
/// trygghet", "ska få bort området från listan"): an aim is good news, not an improvement.
const INTENT_WORDS: &[&str] = &["ska", "skall", "syfte", "syftet", "målet", "vill", "hoppas", "tanken", "ambitionen"];
/// "för" opens an aim when one of these follows it ("en satsning för ökad trygghet").
const INTENT_AFTER_FOR: &[&str] =
    &["att", "ökad", "ökade", "minskad", "minskade", "färre", "fler", "mer", "mindre", "bättre", "tryggare", "säkrare"];
/// Improvement phrases that are aims by their form ("bryta segregationen", "mot utanförskap").
const INTENT_HEADS: &[&str] = &["bryta", "motverka", "mot", "minska", "öka", "skapa"];

/// Is the improvement cue at `c` an aim (CODEBOOK rule 2 counts achieved improvements; rule 3 keeps
/// a response with its cause even when the response is said to be for safety)?
fn intended(norm: &str, c: &Cue) -> bool {
    let head = norm[c.start..c.end].split_whitespace().next().unwrap_or("");
    if INTENT_HEADS.contains(&head) {
        return true;
    }
    let clause = norm[..c.start].rsplit([',', ';', ':', '–', '—', '(', ')', '.', '?', '!']).next().unwrap_or("");
    let ws: Vec<&str> = clause.split_whitespace().collect();
    ws.iter().enumerate().any(|(i, w)| {
        INTENT_WORDS.contains(w) || (*w == "för" && ws.get(i + 1).is_none_or(|n| INTENT_AFTER_FOR.contains(n)))
    })
}

fn clause_break(between: &str) -> bool {
    between.contains([',', ';', ':', '–', '—', '(', ')', '.', '?', '!'])
}

/// The whole word(s) around a cue, for evidence ("brand" inside "köksbrand" shows as "köksbrand").
fn widen(norm: &str, c: &Cue) -> String {
    let mut s = c.start;
    while let Some(p) = norm[..s].chars().next_back().filter(|&p| is_word_char(p)) {
        s -= p.len_utf8();
    }
    let e = crate::districts::word_end(norm, c.end);
    norm[s..e].to_string()
}

/// Does `sentence` place what it tells inside a home ("i en lägenhet")?
pub(crate) fn private_setting(lex: &Lexicon, sentence: &str) -> bool {
    lex.scan(&normalize(sentence)).iter().any(|c| c.cat == Cat::Private)
}

/// Scores `sentence`. `epithets` are the folded words right before each district mention in it.
#[cfg(test)]
pub(crate) fn evaluate(lex: &Lexicon, sentence: &str, epithets: &[String]) -> Eval {
    evaluate_in(lex, sentence, epithets, false)
}

/// Scores `sentence`; `private_ctx` says the article's headline or lead already placed the event
/// inside a home, so violence against a person here is crime news even if this sentence omits it.
pub(crate) fn evaluate_in(lex: &Lexicon, sentence: &str, epithets: &[String], private_ctx: bool) -> Eval {
    let norm = normalize(sentence);
    let cues = lex.scan(&norm);
    let negators: Vec<&Cue> =
        cues.iter().filter(|c| matches!(c.cat, Cat::Negator | Cat::Rejector) && c.weight > 0.0).collect();
    let private = private_ctx || cues.iter().any(|c| c.cat == Cat::Private);
    let negated_by = |c: &Cue| -> Option<(&str, bool)> {
        negators
            .iter()
            .filter(|n| n.end <= c.start)
            .filter(|n| {
                let between = &norm[n.end..c.start];
                between.split_whitespace().count() <= NEG_REACH && !clause_break(between)
            })
            .map(|n| (&norm[n.start..n.end], n.cat == Cat::Rejector))
            .next_back()
    };
    let mut ev = Eval::default();
    let (mut down, mut up, mut good, mut problem) = (None, false, false, false);
    // An aimed-at improvement in the sentence: good news that takes back labels but not events.
    let mut aim = false;
    let (mut new, mut facility) = (false, None);
    for c in &cues {
        let w = c.weight;
        let term = widen(&norm, c);
        let neg = negated_by(c);
        let mut cat = particle_verb(&norm, c).unwrap_or(c.cat);
        // Violence against a person inside a home is crime news, not a verdict on the place.
        if cat == Cat::Assault && private {
            cat = Cat::Crime;
        }
        let s = &mut ev.score;
        match cat {
            cat if cat.is_hard_stigma() => match neg {
                // Rule 6: "inte den farliga plats", "inte längre utsatt", "ett år utan skjutningar",
                // "något annat än kravaller".
                Some((n, rejects))
                    if rejects
                        || matches!(cat, Cat::Insecurity | Cat::AreaLabel | Cat::Othering)
                        || (n == "utan" && matches!(cat, Cat::Violence | Cat::Disorder | Cat::Gangs)) =>
                {
                    // Denying a danger label is a full statement however mild the word.
                    s.impr += w.max(1.0);
                    ev.terms.push((Pol::Pos, format!("{n} {term}"), Cat::Improvement.frame()));
                }
                // A report that it did not happen is judged by what remains: drop the cue.
                Some(_) => {}
                None => {
                    s.hard += w;
                    if matches!(cat, Cat::AreaLabel | Cat::Insecurity | Cat::Othering) {
                        s.labels += w;
                    } else if cat != Cat::Response {
                        s.events += w;
                    }
                    problem = true;
                    ev.terms.push((Pol::Stig, term, cat.frame()));
                }
            },
            Cat::Crime if neg.is_none() => {
                s.crime += w;
                problem = true;
                ev.terms.push((Pol::Crime, term, c.cat.frame()));
            }
            Cat::Poverty if neg.is_none() => {
                s.poverty += w;
                problem = true;
                ev.terms.push((Pol::Stig, term, c.cat.frame()));
            }
            Cat::Amplifier => {
                s.gen += w;
                ev.terms.push((Pol::Stig, term, c.cat.frame()));
            }
            Cat::Negative if neg.is_none() => {
                s.neg += w;
                ev.terms.push((Pol::Neg, term, None));
            }
            // "inte nöjd", "inte lyckad": a denied good is mild bad news.
            Cat::Community | Cat::Culture | Cat::Investment | Cat::Education if neg.is_some() => {
                s.neg += 0.5 * w;
                ev.terms.push((Pol::Neg, format!("{} {term}", neg.map_or("", |n| n.0)), None));
            }
            Cat::Community | Cat::Culture | Cat::Investment | Cat::Education | Cat::Improvement if neg.is_none() => {
                if cat == Cat::Improvement && intended(&norm, c) {
                    s.pos += w;
                    aim = true;
                } else if cat == Cat::Improvement {
                    s.impr += w;
                } else {
                    s.pos += w;
                }
                ev.terms.push((Pol::Pos, term, cat.frame()));
            }
            Cat::Counter => {
                s.counter += w;
                ev.terms.push((Pol::Pos, term, c.cat.frame()));
            }
            Cat::Down => down = Some((term, intended(&norm, c))),
            Cat::Up => up = true,
            Cat::GoodTopic => good = true,
            Cat::Logistics => s.logistics += w,
            Cat::Nothing => s.nothing += w,
            Cat::New if neg.is_none() => new = true,
            Cat::Facility => facility = facility.or(Some(term)),
            _ => {}
        }
    }
    for e in epithets {
        if let Some((_, cat)) = lex.epithets.iter().find(|(w, _)| w == e) {
            // An epithet glued to the name labels the whole place: hard stigma.
            ev.score.hard += 1.0;
            ev.score.labels += 1.0;
            problem = true;
            ev.terms.push((Pol::Stig, e.clone(), cat.frame()));
        }
    }
    let s = &mut ev.score;
    // "Nya skolan försenas": a new place that is delayed, closed or damaged is the bad news itself.
    if let (true, Some(f), true) = (new, facility, s.neg == 0.0) {
        s.pos += 1.0;
        ev.terms.push((Pol::Pos, format!("ny {f}"), Cat::Investment.frame()));
    }
    match (down, problem) {
        // "för minskad brottslighet": a fall that is aimed at, not reported.
        (Some((d, true)), true) => {
            s.pos += 1.0;
            aim = true;
            ev.terms.push((Pol::Pos, d, Cat::Improvement.frame()));
        }
        (Some((d, false)), true) => {
            s.impr += 1.0;
            ev.terms.push((Pol::Pos, d, Cat::Improvement.frame()));
        }
        (Some((d, _)), false) if good && !up => {
            s.neg += 1.0;
            ev.terms.push((Pol::Neg, d, None));
        }
        _ if up && good && !problem => s.pos += 1.0,
        _ => {}
    }
    if s.nothing > 0.0 {
        s.cancel_events();
        ev.terms.retain(|t| !(t.0 == Pol::Stig && t.2 == Some("violence")));
    }
    // Rule 2 inside one sentence: the improvement beats the problem it improves on.
    if s.impr > 0.0 {
        (s.hard, s.events, s.labels, s.crime, s.poverty, s.gen) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        ev.terms.retain(|t| !matches!(t.0, Pol::Stig | Pol::Crime));
    } else if s.counter > 0.0 || aim {
        // Rule 6: talk about the image ("bilden av Y som farligt") is not a claim of danger; nor is
        // naming the label a plan aims to leave behind. Events and responses stay (rule 3).
        s.hard -= s.labels;
        (s.labels, s.gen) = (0.0, 0.0);
        ev.terms.retain(|t| {
            !(t.0 == Pol::Stig && matches!(t.2, Some("insecurity" | "area_label" | "othering" | "generalization")))
        });
    }
    ev
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(s: &str) -> Score {
        evaluate(&Lexicon::load(), s, &[]).score
    }

    #[test]
    fn shooting_is_hard_stigma_and_injury_negation_does_not_undo_it() {
        let s = ev("Skottlossning i Alby – ingen skadad");
        assert!(s.hard >= 1.0 && s.events >= 1.0);
        assert_eq!(s.neg, 0.0);
    }

    #[test]
    fn absence_of_violence_is_improvement() {
        let s = ev("Ett år utan skjutningar i Rinkeby");
        assert_eq!(s.hard, 0.0);
        assert!(s.impr >= 1.0);
    }

    #[test]
    fn negated_danger_is_counter_stigma() {
        let s = ev("Bergsjön är inte så farligt som ryktet säger");
        assert_eq!(s.hard, 0.0);
        assert!(s.impr + s.counter >= 1.0);
    }

    #[test]
    fn falling_crime_beats_crime() {
        let s = ev("Antalet anmälda brott i Vivalla har minskat för tredje året i rad");
        assert_eq!((s.crime, s.gen), (0.0, 0.0));
        assert!(s.impr >= 1.0);
        let s = ev("Andelen behöriga elever sjönk på skolorna i Bergsjön");
        assert!(s.neg >= 1.0 && s.impr == 0.0);
    }

    #[test]
    fn epithet_before_name_labels_the_place() {
        let e = evaluate(&Lexicon::load(), "Gångtunnel stängs i utsatta Skäggetorp", &["utsatta".into()]);
        assert!(e.score.hard >= 1.0);
        assert!(e.terms.iter().any(|t| t.2 == Some("area_label")));
    }

    #[test]
    fn an_aim_is_good_news_but_not_an_improvement() {
        // Rule 3: the response keeps its weight although its stated aim is safety.
        let s = ev("Polisen inför kameraövervakning i Sörby för att skapa ökad trygghet");
        assert_eq!(s.impr, 0.0);
        assert!(s.pos >= 1.0 && s.hard > 0.0);
        // A reported improvement still beats the problem in its sentence (rule 2).
        let s = ev("Tryggheten har ökat i Sörby sedan kamerorna kom upp");
        assert!(s.impr >= 1.0 && s.hard == 0.0);
        // Naming the list a plan aims to leave is not a claim of danger.
        let s = ev("Upprustningen ska få bort Sörby från listan över utsatta områden");
        assert_eq!((s.hard, s.impr), (0.0, 0.0));
        assert!(s.pos > 0.0);
    }

    #[test]
    fn particle_verbs_split_by_their_object() {
        let s = ev("Kommunen öppnar biblioteket i Lunden igen efter branden");
        assert!(s.impr > 0.0);
        let s = ev("Nu läggs vårdcentralen i Lunden ner");
        assert!(s.neg >= 1.0);
    }

    #[test]
    fn a_delay_is_not_a_shooting() {
        let s = ev("Bygget av nya skolan har skjutits upp igen");
        assert_eq!(s.hard, 0.0);
        assert!(s.neg > 0.0 && s.pos == 0.0);
    }

    #[test]
    fn not_only_is_not_a_negation() {
        let s = ev("Det handlar inte bara skjutningar utan också om skolan");
        assert!(s.hard >= 1.0);
    }
}
