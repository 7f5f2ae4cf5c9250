//! Districts and tone for one article: the matcher finds the districts, the classifier labels
//! the tone toward each. Shared by ingest, `classify`/`eval` and the benchmarks, so they all label
//! alike.

use crate::config::Config;
use crate::districts::{DistrictHit, Matcher};
use crate::model::{District, Tone};
use crate::tone::Classifier;

/// Districts and tone for a text, with the classifier version that goes on each stored label.
pub struct Labeller {
    matcher: Matcher,
    classifier: Classifier,
}

impl Labeller {
    pub fn new(config: &Config) -> Labeller {
        Labeller::for_districts(&config.districts)
    }

    pub fn for_districts(districts: &[District]) -> Labeller {
        Labeller { matcher: Matcher::new(districts), classifier: Classifier::new() }
    }

    /// Tone toward one given district, whether or not the matcher finds it in the text (a
    /// passing or missing mention is then judged as such by the classifier).
    pub fn for_district(&self, title: &str, text: &str, district: &District) -> Tone {
        let hit = Matcher::new(std::slice::from_ref(district))
            .find(title, text)
            .into_iter()
            .next()
            .unwrap_or(DistrictHit { district_id: district.id.clone(), mentions: Vec::new() });
        self.classifier.classify(title, text, &hit)
    }

    pub fn label(&self, title: &str, text: &str) -> Vec<(String, Tone)> {
        self.matcher
            .find(title, text)
            .into_iter()
            .map(|hit| {
                let tone = self.classifier.classify(title, text, &hit);
                (hit.district_id, tone)
            })
            .collect()
    }
}
