//! Tone classifier: the tone of one article toward one district, by the rules of shared/CODEBOOK.md,
//! with the sentences and terms that decided it. Pure and deterministic; lexicons are embedded.

mod cues;
mod evidence;
mod lexicon;
mod rules;
mod sentences;

use crate::districts::DistrictHit;
use crate::model::Tone;

/// Version of the lexicons and rules, stored with every label so old labels can be told apart.
/// Bump rule: `tone-YYYY.MM.N`; any change to a lexicon file or a rule that can change a label
/// gets a new version (a new month resets N to 1; the same month increments N). Refactors that
/// provably change no label (golden tests unchanged) keep it.
pub const VERSION: &str = "tone-2026.12.1";

/// Holds the parsed lexicons; build once and share (it is `Send + Sync`).
pub struct Classifier {
    lex: lexicon::Lexicon,
}

impl Default for Classifier {
    fn default() -> Self {
        Classifier::new()
    }
}

impl Classifier {
    /// Parses the embedded lexicons once.
    pub fn new() -> Classifier {
        Classifier { lex: lexicon::Lexicon::load() }
    }

    /// Tone toward one district in one article. `hit.mentions` come from the `Matcher`; when empty,
    /// the caller has said the article is about the district, so the whole article is judged with
    /// its headline first.
    pub fn classify(&self, title: &str, text: &str, hit: &DistrictHit) -> Tone {
        let doc = sentences::Doc::new(title, text);
        rules::judge(&self.lex, &doc, &hit.mentions)
    }
}
