//! Explanation and output shape of a label: which sentences and terms are shown as evidence,
//! the frames they support, and the score in [-1, 1]. Kept apart from the rules that decide.

use super::cues::{Pol, Score};
use super::rules::Judged;
use crate::model::{Evidence, Label, Tone};

const EVIDENCE_CHARS: usize = 300;

pub(crate) fn fits(p: Pol, label: Label) -> bool {
    match label {
        Label::Stigmatizing => matches!(p, Pol::Stig | Pol::Crime),
        Label::Negative => matches!(p, Pol::Neg | Pol::Crime),
        Label::Positive => p == Pol::Pos,
        Label::Neutral => false,
    }
}

pub(crate) fn has_terms(j: &Judged, label: Label) -> bool {
    j.weight > 0.0 && j.eval.terms.iter().any(|t| fits(t.0, label))
}

pub(crate) fn strength(j: &Judged, label: Label) -> f32 {
    let s = &j.eval.score;
    match label {
        Label::Stigmatizing => s.hard + s.crime + s.gen + s.poverty,
        Label::Negative => s.neg + s.crime,
        Label::Positive => s.pos + s.impr + s.counter,
        Label::Neutral => 0.0,
    }
}

pub(crate) fn score(label: Label, s: &Score) -> f32 {
    let sat = |x: f32| (x / 4.0).clamp(0.0, 1.0);
    match label {
        Label::Stigmatizing => -(0.6 + 0.4 * sat(s.hard + s.crime + s.gen + s.poverty)),
        Label::Negative => -(0.2 + 0.35 * sat(s.neg + s.crime)),
        Label::Neutral => 0.0,
        Label::Positive => 0.2 + 0.8 * sat(s.pos + s.impr + s.counter),
    }
}

pub(crate) fn neutral(evidence: Vec<Evidence>) -> Tone {
    Tone { label: Label::Neutral, score: 0.0, frames: Vec::new(), evidence }
}

pub(crate) fn trim(s: &str) -> String {
    if s.chars().count() <= EVIDENCE_CHARS {
        return s.to_string();
    }
    let mut out: String = s.chars().take(EVIDENCE_CHARS - 1).collect();
    out.push('…');
    out
}

pub(crate) fn dedup(it: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in it {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// Frames in the codebook's order, each once.
pub(crate) fn order_frames(frames: Vec<&'static str>) -> Vec<String> {
    const ORDER: [&str; 15] = [
        "crime",
        "violence",
        "drugs",
        "gangs",
        "insecurity",
        "disorder",
        "area_label",
        "poverty",
        "othering",
        "generalization",
        "community",
        "culture",
        "investment",
        "education",
        "safety_improvement",
    ];
    ORDER.iter().filter(|f| frames.contains(f)).map(|f| f.to_string()).collect()
}
