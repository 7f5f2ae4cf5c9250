//! Finds district mentions in an article. Pure. (Interim: replaced by the full matcher.)

use crate::model::District;

#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub in_title: bool,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DistrictHit {
    pub district_id: String,
    pub mentions: Vec<Mention>,
}

pub struct Matcher {
    districts: Vec<District>,
}

impl Matcher {
    pub fn new(districts: &[District]) -> Matcher {
        Matcher { districts: districts.to_vec() }
    }

    pub fn find(&self, title: &str, text: &str) -> Vec<DistrictHit> {
        let mut out = Vec::new();
        for d in &self.districts {
            let mut mentions = Vec::new();
            for (in_title, s) in [(true, title), (false, text)] {
                for a in &d.aliases {
                    for (i, _) in s.match_indices(a.as_str()) {
                        mentions.push(Mention { in_title, start: i, end: i + a.len() });
                    }
                }
            }
            if !mentions.is_empty() {
                out.push(DistrictHit { district_id: d.id.clone(), mentions });
            }
        }
        out
    }
}
