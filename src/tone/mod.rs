//! Tone toward one district in one article. Pure. (Interim: replaced by the lexicon classifier.)

use crate::districts::DistrictHit;
use crate::model::{Label, Tone};

pub const VERSION: &str = "interim-0";

pub struct Classifier;

impl Classifier {
    pub fn new() -> Classifier {
        Classifier
    }

    pub fn classify(&self, _title: &str, _text: &str, _hit: &DistrictHit) -> Tone {
        Tone { label: Label::Neutral, score: 0.0, frames: Vec::new(), evidence: Vec::new() }
    }
}
