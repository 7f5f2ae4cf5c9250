//! Attention over time: how many matches of a query fall in each hour, split by tone, so the
//! search page can chart weekly counts. Collectors count straight from fast fields per segment:
//! no set of matching documents is built, however many match.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Utc};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::query::EnableScoring;
use tantivy::{DocId, Executor, Opstamp, Score, SegmentOrdinal, SegmentReader};

use super::query::forgiving;
use super::{schema, IndexError, SearchIndex, SearchQuery};
use crate::model::Label;

/// Per tone, (start of an hour, matches published in it). Hours, not days, so the caller can
/// place each in its Europe/Stockholm week exactly, across daylight-saving changes.
pub type HoursByTone = Vec<(Label, Vec<(DateTime<Utc>, u32)>)>;

const HOUR: i64 = 3600;

impl SearchIndex {
    /// For each tone, the matches per hour labelled so (toward the query's district when it has
    /// one, toward any district otherwise). A query filtered to one tone charts that tone only.
    pub fn hours_by_tone(&self, q: &SearchQuery) -> Result<HoursByTone, IndexError> {
        let live = self.live();
        let searcher = live.reader.searcher();
        // An index made before `tone` and `district_tone` were fast fields has no label columns.
        // It still charts, by one counting search per label (four passes, slower at archive
        // scale), so nobody is forced into a rebuild; `tonlage reindex` remakes it with them.
        if !schema::tones_are_fast(searcher.schema(), &live.fields) {
            return self.hours_per_label(q);
        }
        // Paging through a result or re-sorting it charts the same matches again: the counts of
        // the last few queries are kept for as long as the index snapshot they came from.
        let key = ChartKey::of(q);
        let snapshot = searcher.generation().segments().clone();
        let counts = match self.charts.get(&key, &snapshot) {
            Some(counts) => counts,
            None => {
                let collector = ToneHours {
                    column: if q.district.is_some() { "district_tone" } else { "tone" },
                    prefix: q.district.as_ref().map(|d| format!("{d}:")).unwrap_or_default(),
                    only: q.tone,
                };
                let query = self.filtered(self.text_query(&forgiving(&q.text)), q);
                let scoring = EnableScoring::disabled_from_searcher(&searcher);
                let counts = Arc::new(searcher.search_with_executor(&query, &collector, chart_pool(), scoring)?);
                self.charts.put(key, snapshot, counts.clone());
                counts
            }
        };
        Ok(charted(q)
            .map(|label| {
                let n = counts.iter().map(|(h, c)| (*h, c[slot(label)])).filter(|(_, n)| *n > 0);
                (label, n.filter_map(|(h, n)| DateTime::from_timestamp(h * HOUR, 0).map(|t| (t, n))).collect())
            })
            .collect())
    }

    /// Drops the kept chart counts, so the next chart counts afresh: for benchmarks that time the
    /// counting itself.
    pub fn forget_charts(&self) {
        self.charts.lock().clear();
    }

    /// The chart by one counting search per label: for indexes without label columns.
    fn hours_per_label(&self, q: &SearchQuery) -> Result<HoursByTone, IndexError> {
        let searcher = self.live().reader.searcher();
        let text = forgiving(&q.text);
        let mut out = Vec::new();
        for label in charted(q) {
            let mut tq = q.clone();
            tq.tone = Some(label);
            let query = self.filtered(self.text_query(&text), &tq);
            out.push((label, sorted_hours(searcher.search(&query, &HourCounts)?.into_iter())));
        }
        Ok(out)
    }
}

/// Threads that count a chart's segments side by side. A common word matches most of the
/// archive, and the page's other work (the hits) ends long before its count would on one core.
fn chart_pool() -> &'static Executor {
    static POOL: OnceLock<Executor> = OnceLock::new();
    POOL.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
        if cores < 2 {
            return Executor::single_thread();
        }
        Executor::multi_thread(cores, "tonlage-chart-").unwrap_or_else(|e| {
            tracing::warn!(error = %e, "no thread pool for charts; counting on one thread");
            Executor::single_thread()
        })
    })
}

/// What a chart depends on besides the index: the query without its paging and order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ChartKey {
    text: String,
    district: Option<String>,
    source: Option<String>,
    tone: Option<Label>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}

impl ChartKey {
    fn of(q: &SearchQuery) -> ChartKey {
        ChartKey {
            text: forgiving(&q.text),
            district: q.district.clone(),
            source: q.source.clone(),
            tone: q.tone,
            from: q.from,
            to: q.to,
        }
    }
}

/// The segments (and their deletes) a searcher saw: equal only when nothing was committed,
/// merged or rebuilt in between, since segment ids are never reused.
type Snapshot = BTreeMap<SegmentId, Option<Opstamp>>;

/// Charts kept per index snapshot, newest first.
const CHARTS_KEPT: usize = 8;

/// The counts of the last few charted queries. A commit makes every entry stale; stale ones are
/// dropped as soon as a chart of the new snapshot is stored.
#[derive(Default)]
pub(super) struct ChartCache {
    kept: Mutex<VecDeque<(ChartKey, Snapshot, Arc<LabelHours>)>>,
}

impl ChartCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<(ChartKey, Snapshot, Arc<LabelHours>)>> {
        self.kept.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get(&self, key: &ChartKey, snapshot: &Snapshot) -> Option<Arc<LabelHours>> {
        self.lock().iter().find(|(k, s, _)| k == key && s == snapshot).map(|(_, _, c)| c.clone())
    }

    fn put(&self, key: ChartKey, snapshot: Snapshot, counts: Arc<LabelHours>) {
        let mut kept = self.lock();
        kept.retain(|(k, s, _)| s == &snapshot && k != &key);
        kept.push_front((key, snapshot, counts));
        kept.truncate(CHARTS_KEPT);
    }
}

/// The labels a query charts: all four, or the one it is filtered to.
fn charted(q: &SearchQuery) -> impl Iterator<Item = Label> + '_ {
    Label::ALL.into_iter().filter(|l| q.tone.is_none_or(|t| t == *l))
}

fn sorted_hours(counts: impl Iterator<Item = (i64, u32)>) -> Vec<(DateTime<Utc>, u32)> {
    let mut hours: Vec<_> = counts.filter_map(|(h, n)| DateTime::from_timestamp(h * HOUR, 0).map(|t| (t, n))).collect();
    hours.sort();
    hours
}

/// Position of a label in `Label::ALL`, which is the order of `LabelHours` counts.
fn slot(l: Label) -> usize {
    l as usize
}

/// (hour since the epoch, matches carrying each label), sorted by hour.
type LabelHours = Vec<(i64, [u32; 4])>;

/// Hours a segment counts in an array (20 years back from its newest date); a stray date
/// outside them goes to a map. At archive scale a map for all of them costs more than the
/// search itself.
const DENSE_HOURS: i64 = 20 * 366 * 24;

/// One pass over the matches: per document, its hour and the distinct labels it carries.
struct ToneHours {
    /// `tone`, or `district_tone` when the query names a district.
    column: &'static str,
    /// Only values starting so count (`"{district}:"`), the rest being the label; empty for `tone`.
    prefix: String,
    only: Option<Label>,
}

struct ToneHoursSegment {
    published: Column<tantivy::DateTime>,
    /// `None` when no document of the segment has a label.
    tones: Option<StrColumn>,
    /// The label each term ordinal of `tones` stands for; `None` for another district's terms
    /// and for labels the query leaves out.
    labels: Vec<Option<Label>>,
    /// The hour `dense[0]` counts.
    first: i64,
    dense: Vec<[u32; 4]>,
    stray: HashMap<i64, [u32; 4]>,
    /// Dates of a block of documents, read together.
    dates: Vec<Option<tantivy::DateTime>>,
}

impl Collector for ToneHours {
    type Fruit = LabelHours;
    type Child = ToneHoursSegment;

    fn for_segment(&self, _ord: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<ToneHoursSegment> {
        let tones = segment.fast_fields().str(self.column)?;
        let mut labels = Vec::new();
        if let Some(col) = &tones {
            // Ordinals are per segment; a district's few dozen terms are read once here, so
            // counting a document compares no strings.
            labels = vec![None; col.num_terms()];
            let mut terms = col.dictionary().stream()?;
            while terms.advance() {
                let label = std::str::from_utf8(terms.key())
                    .ok()
                    .and_then(|t| t.strip_prefix(self.prefix.as_str()))
                    .and_then(|l| Label::ALL.into_iter().find(|x| x.as_str() == l))
                    .filter(|l| self.only.is_none_or(|o| o == *l));
                if let Some(at) = labels.get_mut(terms.term_ord() as usize) {
                    *at = label;
                }
            }
        }
        let published = segment.fast_fields().date("published")?;
        let last = published.max_value().into_timestamp_secs().div_euclid(HOUR);
        let first = published.min_value().into_timestamp_secs().div_euclid(HOUR).max(last - DENSE_HOURS + 1);
        let hours = if tones.is_some() { (last - first + 1).clamp(0, DENSE_HOURS) as usize } else { 0 };
        Ok(ToneHoursSegment {
            published,
            tones,
            labels,
            first,
            dense: vec![[0; 4]; hours],
            stray: HashMap::new(),
            dates: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<LabelHours>) -> tantivy::Result<LabelHours> {
        Ok(merge(fruits))
    }
}

/// Hour-sorted count lists as one. Segments of one archive span the same years, so their hours
/// are summed in one array over the span; lists that span more than that are merged by sorting.
fn merge(fruits: Vec<LabelHours>) -> LabelHours {
    let first = fruits.iter().filter_map(|f| f.first()).map(|(h, _)| *h).min();
    let last = fruits.iter().filter_map(|f| f.last()).map(|(h, _)| *h).max();
    let (Some(first), Some(last)) = (first, last) else { return Vec::new() };
    if last - first < DENSE_HOURS {
        let mut dense = vec![[0u32; 4]; (last - first + 1) as usize];
        for (hour, n) in fruits.into_iter().flatten() {
            add_counts(&mut dense[(hour - first) as usize], n);
        }
        return (first..).zip(dense).filter(|(_, n)| *n != [0; 4]).collect();
    }
    let mut all: LabelHours = fruits.into_iter().flatten().collect();
    all.sort_by_key(|(h, _)| *h);
    let mut out: LabelHours = Vec::with_capacity(all.len());
    for (hour, n) in all {
        match out.last_mut() {
            Some((h, sum)) if *h == hour => add_counts(sum, n),
            _ => out.push((hour, n)),
        }
    }
    out
}

fn add_counts(sum: &mut [u32; 4], n: [u32; 4]) {
    for (s, n) in sum.iter_mut().zip(n) {
        *s += n;
    }
}

impl ToneHoursSegment {
    fn add(&mut self, doc: DocId, date: tantivy::DateTime) {
        let Some(tones) = &self.tones else { return };
        // A document labelled the same toward two districts counts once for that label.
        let mut carried = 0u8;
        for ord in tones.term_ords(doc) {
            if let Some(Some(l)) = self.labels.get(ord as usize) {
                carried |= 1 << slot(*l);
            }
        }
        if carried == 0 {
            return;
        }
        let hour = date.into_timestamp_secs().div_euclid(HOUR);
        let counts = match usize::try_from(hour - self.first).ok().and_then(|i| self.dense.get_mut(i)) {
            Some(c) => c,
            None => self.stray.entry(hour).or_default(),
        };
        for (i, n) in counts.iter_mut().enumerate() {
            *n += u32::from(carried >> i & 1);
        }
    }
}

impl SegmentCollector for ToneHoursSegment {
    type Fruit = LabelHours;

    fn collect_block(&mut self, docs: &[DocId]) {
        let mut dates = std::mem::take(&mut self.dates);
        dates.resize(docs.len(), None);
        self.published.first_vals(docs, &mut dates);
        for (doc, date) in docs.iter().zip(&dates) {
            // Undated archive articles have no `published` value and are simply not charted.
            if let Some(date) = date {
                self.add(*doc, *date);
            }
        }
        self.dates = dates;
    }

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(date) = self.published.first(doc) {
            self.add(doc, date);
        }
    }

    fn harvest(self) -> LabelHours {
        let first = self.first;
        let mut out: LabelHours = (first..).zip(self.dense).filter(|(_, n)| *n != [0; 4]).chain(self.stray).collect();
        // Stable sort: the array part is in order already, so this is one cheap walk.
        out.sort_by_key(|(h, _)| *h);
        out
    }
}

/// Matches per hour, for one label's counting search.
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

#[cfg(test)]
#[path = "timeline_tests.rs"]
mod tests;
