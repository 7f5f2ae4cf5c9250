//! Chooses which sentences speak about the district and applies the codebook's precedence rules
//! (headline first, place decides stigma, improvement beats problem, passing mention is neutral).

use super::cues::{evaluate_in, private_setting, Eval, Score};
use super::evidence::{dedup, fits, has_terms, neutral, order_frames, score, strength, trim};
use super::lexicon::Lexicon;
use super::sentences::{Doc, Field};
use crate::districts::{fold, is_word_char, Mention};
use crate::model::{Evidence, Label, Tone};

/// A headline needs one full cue to have a verdict of its own.
const HEAD_THR: f32 = 0.8;
/// The body needs about one cue in a district sentence (weight 1.5 × cue) or two elsewhere.
const BODY_THR: f32 = 1.0;
/// Sentence weights (CODEBOOK rule 4: the headline and lead weigh most).
const W_LEAD: f32 = 2.0;
const W_MENTION: f32 = 1.5;
const W_AREA_REF: f32 = 1.0;
const W_FOLLOW: f32 = 0.7;
const W_OTHER: f32 = 0.6;
const W_ELSEWHERE: f32 = 0.15;
/// Quoted speech in the body weighs less than the article's own voice.
const QUOTE_FACTOR: f32 = 0.6;
/// A sentence that names the district only as someone's home or origin (rule 5).
const ORIGIN_FACTOR: f32 = 0.3;
/// Body sentences past this index are far from the lead and only count when they name the area.
const NEAR_BODY: usize = 12;
const EVIDENCE_MAX: usize = 3;

const LOCATIVE_PREPS: &[&str] = &["i", "på", "vid", "utanför", "från", "till"];
/// A name followed by one of these is the administrative whole the district lies in ("i Malmö stad",
/// "i Stockholms stads arbete"), not another place.
const CONTAINERS: &[&str] = &["stad", "stads", "kommun", "kommuns", "län", "läns", "region", "regions"];
/// A unit of at most this many words that names the district is a location tag ("Araby.",
/// "NORRBY, BORÅS"): the unit after it is the report about the place.
const TAG_WORDS: usize = 3;
const AREA_REFS: &[&str] = &["området", "stadsdelen", "stadsdelens", "områdets", "bostadsområdet"];
const FOLLOW_STARTS: &[&str] = &["där ", "här ", "området", "stadsdelen", "i området", "i stadsdelen"];

/// A title-less page is about a district it names within its first units.
const ABOUT_WITHIN: usize = 3;
const HEADLINE_MAX: usize = 160;

/// A short line without a final period reads as a headline.
fn headline_like(s: &str) -> bool {
    s.len() <= HEADLINE_MAX && !s.trim_end().ends_with(['.', '!', '?'])
}

/// Words (byte ranges) of `s`.
fn words(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(st)) => {
                out.push((st, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(st) = start {
        out.push((st, s.len()));
    }
    out
}

/// Does the sentence place something elsewhere ("i Askim", "på Södermalm") than at `mentions`?
fn names_other_place(sentence: &str, offset: usize, mentions: &[&Mention]) -> bool {
    let ws = words(sentence);
    ws.windows(2).any(|p| {
        let (a, b) = (p[0], p[1]);
        let prep = fold(&sentence[a.0..a.1]);
        let gap = &sentence[a.1..b.0];
        let container = ws
            .iter()
            .find(|w| w.0 > b.1)
            .is_some_and(|n| sentence[b.1..n.0] == *" " && CONTAINERS.contains(&fold(&sentence[n.0..n.1]).as_str()));
        LOCATIVE_PREPS.contains(&prep.as_str())
            && gap == " "
            && sentence[b.0..].starts_with(char::is_uppercase)
            && !container
            && !mentions.iter().any(|m| m.start <= offset + b.0 && offset + b.0 < m.end)
    })
}

fn is_quote(sentence: &str) -> bool {
    sentence.starts_with(['–', '—', '-', '"', '”', '“', '»'])
}

/// The folded word right before byte `pos` of `field` (one space between), for epithets.
fn word_before(field: &str, pos: usize) -> Option<String> {
    let head = field[..pos].strip_suffix(' ')?;
    let ws = words(head);
    let &(s, e) = ws.last()?;
    (e == head.len()).then(|| fold(&head[s..e]))
}

/// Is the mention preceded by an origin phrase ("uppvuxen i", "bor i", "från")?
fn is_origin(lex: &Lexicon, field: &str, pos: usize) -> bool {
    let from = super::sentences::floor_boundary(field, pos.saturating_sub(48));
    let before = fold(&field[from..pos]);
    lex.origin.iter().any(|o| {
        before.strip_suffix(' ').is_some_and(|b| {
            b.strip_suffix(o.as_str()).is_some_and(|rest| rest.chars().next_back().is_none_or(|c| !is_word_char(c)))
        })
    })
}

/// A verdict on one set of weighted scores, by the codebook's precedence.
fn verdict(s: &Score, thr: f32) -> Label {
    let good = s.impr + s.counter;
    // Rule 2: improvement beats the problem it improves on.
    if good >= thr && good >= s.hard {
        return Label::Positive;
    }
    let pos = s.pos + good;
    // Rule 1: stigma cues located in the district decide, whatever the style, unless the article
    // around them is overwhelmingly about something good (a past label named in a success story).
    if s.hard >= thr && s.hard >= 0.5 * pos {
        return Label::Stigmatizing;
    }
    if s.crime > 0.0 && s.gen > 0.0 && s.crime + s.gen >= thr + 0.5 {
        return Label::Stigmatizing;
    }
    if s.poverty >= 1.5 * thr {
        return Label::Stigmatizing;
    }
    let neg = s.neg + s.crime + 0.5 * (s.hard + s.poverty);
    // Rule 5: routine information needs clearer evaluation to count as good or bad news.
    let bar = thr + 0.4 * s.logistics;
    if pos.max(neg) < bar {
        Label::Neutral
    } else if pos > neg {
        Label::Positive
    } else {
        Label::Negative
    }
}

pub(crate) struct Judged {
    pub idx: usize,
    pub weight: f32,
    pub eval: Eval,
}

/// Tone toward the district whose `mentions` are given. With no mentions the whole article is
/// taken to be about the district (the caller named it); mentions past the text cap mean none counted.
pub(crate) fn judge(lex: &Lexicon, doc: &Doc, mentions: &[Mention]) -> Tone {
    let units = &doc.units;
    let n = units.len();
    let mut in_unit: Vec<Vec<&Mention>> = vec![Vec::new(); n];
    for m in mentions {
        let f = if m.in_title { Field::Title } else { Field::Text };
        if let Some(i) = units.iter().position(|u| u.field == f && u.start <= m.start && m.start < u.end) {
            in_unit[i].push(m);
        }
    }
    let about_all = mentions.is_empty();
    if !about_all && in_unit.iter().all(Vec::is_empty) {
        return neutral(Vec::new());
    }
    // A location tag ("Araby.", a dateline) hands its mention to the unit that follows it.
    let tagged: Vec<bool> = (0..n)
        .map(|i| {
            i > 0
                && !units[i].headline
                && units[i - 1].field == Field::Text
                && !in_unit[i - 1].is_empty()
                && words(doc.unit_text(&units[i - 1])).len() <= TAG_WORDS
        })
        .collect();
    let mentioned = |i: usize| !in_unit[i].is_empty() || tagged[i];
    let text_of = |i: usize| doc.unit_text(&units[i]);
    let elsewhere = |i: usize| names_other_place(text_of(i), units[i].start, &in_unit[i]);
    let mut head: Vec<usize> = (0..n).filter(|&i| units[i].headline).collect();
    let mut body: Vec<usize> = (0..n).filter(|&i| !units[i].headline).collect();
    let mut head_hit = head.iter().any(|&i| mentioned(i)) || (about_all && !head.is_empty());
    // Without a title (an extracted page), a district named in the first lines is what the page is
    // about: its first line naming the district stands in for the headline, lines before it are
    // page furniture ("Till innehållet", a site name).
    let mut about = false;
    if !head_hit && doc.title.trim().is_empty() {
        if let Some(p) = (0..n.min(ABOUT_WITHIN)).find(|&i| mentioned(i)) {
            about = true;
            if headline_like(text_of(p)) {
                head = vec![p];
                body = (p + 1..n).collect();
                head_hit = true;
            } else {
                head.clear();
                body = (0..n).collect();
            }
        }
    }
    // A roundup headline names other places in other clauses: only this district's clause counts.
    let roundup = !about_all && head.len() >= 2 && head.iter().any(|&i| !mentioned(i) && elsewhere(i));
    let head_scope: Vec<usize> = match (head_hit, roundup) {
        (false, _) => Vec::new(),
        (true, true) => head.iter().copied().filter(|&i| mentioned(i)).collect(),
        (true, false) => head.clone(),
    };
    let mut weights = vec![0.0f32; n];
    let lead_mentioned = body.first().is_some_and(|&i| mentioned(i));
    let origin_only = |i: usize| {
        let f = doc.field(units[i].field);
        !in_unit[i].is_empty() && in_unit[i].iter().all(|m| is_origin(lex, f, m.start))
    };
    for (k, &i) in body.iter().enumerate() {
        let norm = fold(text_of(i));
        let refers = AREA_REFS.iter().any(|r| words_contain(&norm, r));
        let follows = k > 0 && mentioned(body[k - 1]) && FOLLOW_STARTS.iter().any(|f| norm.starts_with(f));
        let mut w = if (head_hit || about) && !roundup {
            if k == 0 {
                W_LEAD
            } else if mentioned(i) {
                W_MENTION
            } else if refers && k < 2 * NEAR_BODY {
                W_AREA_REF
            } else if k >= NEAR_BODY {
                0.0
            } else if elsewhere(i) {
                W_ELSEWHERE
            } else {
                W_OTHER
            }
        } else if mentioned(i) {
            // Rule 4's exception: the district only in the body is judged by its own sentences.
            if origin_only(i) && !head_hit {
                W_MENTION * ORIGIN_FACTOR
            } else {
                W_MENTION
            }
        } else if follows {
            W_FOLLOW
        } else {
            0.0
        };
        if k > 0 && is_quote(text_of(i)) {
            w *= QUOTE_FACTOR;
        }
        weights[i] = w;
    }
    // A body-only district named in the lead shares the headline's event, unless it names elsewhere.
    if !head_hit && lead_mentioned && !head.iter().any(|&i| elsewhere(i)) {
        for &i in &head {
            weights[i] = 1.0;
        }
    }
    // A headline or lead that places the event in a home ("i en lägenhet") makes violence against a
    // person in the headline and lead crime news, though the headline itself omits the home.
    let opening: Vec<usize> = head_scope.iter().copied().chain(body.first().copied()).collect();
    let private_opening = opening.iter().any(|&i| private_setting(lex, text_of(i)));
    let eval_unit = |i: usize| {
        let f = doc.field(units[i].field);
        let epithets: Vec<String> = in_unit[i].iter().filter_map(|m| word_before(f, m.start)).collect();
        evaluate_in(lex, text_of(i), &epithets, private_opening && opening.contains(&i))
    };
    let heads: Vec<Judged> = head_scope.iter().map(|&i| Judged { idx: i, weight: 1.0, eval: eval_unit(i) }).collect();
    let bodies: Vec<Judged> = (0..n)
        .filter(|&i| weights[i] > 0.0)
        .map(|i| Judged { idx: i, weight: weights[i], eval: eval_unit(i) })
        .collect();
    let mut hs = Score::default();
    heads.iter().for_each(|j| hs.add(&j.eval.score, 1.0));
    let mut bs = Score::default();
    bodies.iter().for_each(|j| bs.add(&j.eval.score, j.weight));
    // An alarm the headline or lead says came to nothing does not place violence in the district.
    let lead_nothing =
        body.first().and_then(|&l| bodies.iter().find(|j| j.idx == l)).is_some_and(|j| j.eval.score.nothing > 0.0);
    if hs.nothing > 0.0 || lead_nothing {
        hs.cancel_events();
        bs.cancel_events();
    }
    let hl = if head_hit { verdict(&hs, HEAD_THR) } else { Label::Neutral };
    let bl = verdict(&bs, BODY_THR);
    let lead_events =
        body.first().and_then(|&l| bodies.iter().find(|j| j.idx == l)).is_some_and(|j| j.eval.score.events >= 1.0);
    let (label, by_head) = match hl {
        Label::Stigmatizing => (Label::Stigmatizing, true),
        // Rule 3: a good-news headline about a response keeps the violence the lead reports.
        Label::Positive if hs.impr + hs.counter == 0.0 && lead_events => (Label::Stigmatizing, false),
        Label::Positive => (Label::Positive, true),
        // Rule 1: a plain bad-news headline over violence placed in the district is stigmatizing.
        Label::Negative if bl == Label::Stigmatizing => (Label::Stigmatizing, false),
        Label::Negative => (Label::Negative, true),
        Label::Neutral => (bl, false),
    };
    let mut total = Score::default();
    total.add(&hs, 2.0);
    total.add(&bs, 1.0);
    let mut chosen: Vec<&Judged> = Vec::new();
    if by_head {
        chosen.extend(heads.iter().filter(|j| has_terms(j, label)));
    }
    let mut ranked: Vec<&Judged> = heads.iter().chain(bodies.iter()).filter(|j| has_terms(j, label)).collect();
    ranked.sort_by(|a, b| (b.weight * strength(b, label)).total_cmp(&(a.weight * strength(a, label))));
    for j in ranked {
        if chosen.len() >= EVIDENCE_MAX {
            break;
        }
        if !chosen.iter().any(|c| c.idx == j.idx) {
            chosen.push(j);
        }
    }
    chosen.sort_by_key(|j| j.idx);
    if label == Label::Neutral {
        let first = (0..n).find(|&i| mentioned(i));
        let ev = first.map(|i| Evidence { text: trim(text_of(i)), terms: Vec::new() });
        return neutral(ev.into_iter().collect());
    }
    let evidence = chosen
        .iter()
        .map(|j| Evidence {
            text: trim(text_of(j.idx)),
            terms: dedup(j.eval.terms.iter().filter(|t| fits(t.0, label)).map(|t| t.1.clone())),
        })
        .collect();
    let mut frames: Vec<&'static str> =
        chosen.iter().flat_map(|j| j.eval.terms.iter()).filter(|t| fits(t.0, label)).filter_map(|t| t.2).collect();
    if label == Label::Negative {
        frames.retain(|f| *f != "crime" || total.crime > 0.0);
    }
    Tone { label, score: score(label, &total), frames: order_frames(frames), evidence }
}

fn words_contain(norm: &str, w: &str) -> bool {
    norm.match_indices(w).any(|(i, _)| {
        norm[..i].chars().next_back().is_none_or(|c| !is_word_char(c))
            && norm[i + w.len()..].chars().next().is_none_or(|c| !is_word_char(c))
    })
}
