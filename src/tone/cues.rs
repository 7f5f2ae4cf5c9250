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
const PARTICLE_VERBS: &[(&str, &str, Cat)] = &[("stäng", "av", Cat::Logistics)];
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

/// Scores `sentence`. `epithets` are the folded words right before each district mention in it.
pub(crate) fn evaluate(lex: &Lexicon, sentence: &str, epithets: &[String]) -> Eval {
    let norm = normalize(sentence);
    let cues = lex.scan(&norm);
    let negators: Vec<&Cue> =
        cues.iter().filter(|c| matches!(c.cat, Cat::Negator | Cat::Rejector) && c.weight > 0.0).collect();
    let private = cues.iter().any(|c| c.cat == Cat::Private);
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
                if c.cat == Cat::Improvement {
                    s.impr += w;
                } else {
                    s.pos += w;
                }
                ev.terms.push((Pol::Pos, term, c.cat.frame()));
            }
            Cat::Counter => {
                s.counter += w;
                ev.terms.push((Pol::Pos, term, c.cat.frame()));
            }
            Cat::Down => down = Some(term),
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
    if let (true, Some(f)) = (new, facility) {
        s.pos += 1.0;
        ev.terms.push((Pol::Pos, format!("ny {f}"), Cat::Investment.frame()));
    }
    match (down, problem) {
        (Some(d), true) => {
            s.impr += 1.0;
            ev.terms.push((Pol::Pos, d, Cat::Improvement.frame()));
        }
        (Some(d), false) if good && !up => {
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
    } else if s.counter > 0.0 {
        // Rule 6: talk about the image ("bilden av Y som farligt") is not a claim of danger.
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
    fn not_only_is_not_a_negation() {
        let s = ev("Det handlar inte bara skjutningar utan också om skolan");
        assert!(s.hard >= 1.0);
    }
}
