//! Attention over time: how many matches of a query fall in each hour, split by tone, so the
//! search page can chart weekly counts. A collector counts straight from the `published` fast
//! field per segment: no set of matching documents is built, however many match.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::query::forgiving;
use super::{IndexError, SearchIndex, SearchQuery};
use crate::model::Label;

/// Per tone, (start of an hour, matches published in it). Hours, not days, so the caller can
/// place each in its Europe/Stockholm week exactly, across daylight-saving changes.
pub type HoursByTone = Vec<(Label, Vec<(DateTime<Utc>, u32)>)>;

const HOUR: i64 = 3600;

struct HourCounts;

struct HourCountsSegment {
    published: Column<tantivy::DateTime>,
    counts: HashMap<i64, u32>,
}

impl Collector for HourCounts {
    type Fruit = HashMap<i64, u32>;
    type Child = HourCountsSegment;

    fn for_segment(&self, _ord: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<HourCountsSegment> {
        Ok(HourCountsSegment { published: segment.fast_fields().date("published")?, counts: HashMap::new() })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<HashMap<i64, u32>>) -> tantivy::Result<HashMap<i64, u32>> {
        let mut all = HashMap::new();
        for fruit in fruits {
            for (hour, n) in fruit {
                *all.entry(hour).or_insert(0) += n;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for HourCountsSegment {
    type Fruit = HashMap<i64, u32>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        // Undated archive articles have no `published` value and are simply not charted.
        if let Some(d) = self.published.first(doc) {
            *self.counts.entry(d.into_timestamp_secs().div_euclid(HOUR)).or_insert(0) += 1;
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.counts
    }
}

impl SearchIndex {
    /// For each tone, the matches per hour labelled so (toward the query's district when it has
    /// one, toward any district otherwise). A query filtered to one tone charts that tone only.
    pub fn hours_by_tone(&self, q: &SearchQuery) -> Result<HoursByTone, IndexError> {
        let searcher = self.reader.searcher();
        let text = forgiving(&q.text);
        let mut out = Vec::new();
        for label in Label::ALL.into_iter().filter(|l| q.tone.is_none_or(|t| t == *l)) {
            let mut tq = q.clone();
            tq.tone = Some(label);
            let query = self.filtered(self.text_query(&text), &tq);
            let mut hours: Vec<(DateTime<Utc>, u32)> = searcher
                .search(&query, &HourCounts)?
                .into_iter()
                .filter_map(|(h, n)| DateTime::from_timestamp(h * HOUR, 0).map(|t| (t, n)))
                .collect();
            hours.sort();
            out.push((label, hours));
        }
        Ok(out)
    }
}
