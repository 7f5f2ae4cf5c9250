//! Attention over time: the publication dates of every match of a query, split by tone, so the
//! search page can chart weekly counts. Reads the `published` fast field only, never stored docs.

use chrono::{DateTime, Utc};
use tantivy::collector::DocSetCollector;

use super::query::forgiving;
use super::{IndexError, SearchIndex, SearchQuery};
use crate::model::Label;

/// Per tone, the publication dates of the matches.
pub type DatesByTone = Vec<(Label, Vec<DateTime<Utc>>)>;

impl SearchIndex {
    /// For each tone, the dates of the matches labelled so (toward the query's district when it has
    /// one, toward any district otherwise). A query filtered to one tone charts that tone only.
    /// At most `cap` dates per tone.
    pub fn dates_by_tone(&self, q: &SearchQuery, cap: usize) -> Result<DatesByTone, IndexError> {
        let searcher = self.reader.searcher();
        let text = forgiving(&q.text);
        let mut out = Vec::new();
        for label in Label::ALL.into_iter().filter(|l| q.tone.is_none_or(|t| t == *l)) {
            let mut tq = q.clone();
            tq.tone = Some(label);
            let query = self.filtered(self.text_query(&text), &tq);
            let docs = searcher.search(&query, &DocSetCollector)?;
            let mut dates = Vec::with_capacity(docs.len().min(cap));
            for addr in docs.into_iter().take(cap) {
                let column = searcher.segment_reader(addr.segment_ord).fast_fields().date("published")?;
                if let Some(d) = column.first(addr.doc_id) {
                    if let Some(t) = DateTime::from_timestamp(d.into_timestamp_secs(), 0) {
                        dates.push(t);
                    }
                }
            }
            out.push((label, dates));
        }
        Ok(out)
    }
}
