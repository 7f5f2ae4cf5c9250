//! The weekly figures of one district: articles, stories, tone per story, frames, outlets, the
//! district's own trailing baseline and the spike rule. Pure: rows in, buckets out.
//!
//! Rules, stated once:
//! - A story counts once per district and week, under its most frequent effective label among its
//!   articles about the district that week; a tie goes to the more severe label (stigmatizing >
//!   negative > neutral > positive), so a tie never hides stigma. A story whose articles span two
//!   weeks counts in each.
//! - `stigma_share` = stigmatizing stories / stories; `net_tone` = (positive − negative −
//!   stigmatizing stories) / stories, in [-1, 1]; both 0 without stories.
//! - Baseline: the `BASELINE_WEEKS` weeks before, empty weeks included (a quiet week is part of
//!   the district's normal). Its stigma share is pooled (stigmatizing / stories over those weeks).
//! - Spike: at least `SPIKE_MIN` stigmatizing stories, and that many or more would happen by chance
//!   with probability below `SPIKE_P` if the week were like the baseline (Poisson with the baseline's
//!   mean stigmatizing stories per week, floored at `SPIKE_FLOOR` so a silent past still needs three).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::weeks::Week;
use crate::model::Label;
pub use crate::model::LabelCounts;
use crate::store::FigureRow;

pub const BASELINE_WEEKS: u32 = 8;
pub const SPIKE_MIN: u32 = 3;
pub const SPIKE_P: f64 = 0.05;
pub const SPIKE_FLOOR: f64 = 0.5;
/// Frames and outlets listed per bucket.
const TOP: usize = 5;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Count {
    pub id: String,
    pub n: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub weeks: u32,
    pub stories_per_week: f64,
    pub articles_per_week: f64,
    pub stigmatizing_per_week: f64,
    pub stigma_share: f64,
}

/// One district-week.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    pub week: Week,
    pub articles: u32,
    pub stories: u32,
    /// Stories per label (the rule above).
    pub labels: LabelCounts,
    /// Articles per label, for readers who want the raw count.
    pub article_labels: LabelCounts,
    pub stigma_share: f64,
    pub net_tone: f64,
    /// Stories per frame (a story has the union of its articles' frames), most first.
    pub frames: Vec<Count>,
    /// Articles per outlet (each feed that carried an article counts it), most first.
    pub sources: Vec<Count>,
    pub baseline: Baseline,
    pub spike: bool,
    /// The whole archive that week: every stored article and story, about any place.
    pub all_articles: u32,
    pub all_stories: u32,
}

/// One story of a district-week, for the digest's lists.
#[derive(Debug, Clone, PartialEq)]
pub struct StorySummary {
    pub story_id: i64,
    pub label: Label,
    /// The story's articles about the district that week, earliest first.
    pub articles: Vec<i64>,
    /// Articles carrying the story's label, earliest first: the story's face in the digest.
    pub labelled: Vec<i64>,
    pub first_at: DateTime<Utc>,
}

/// The stories of one district-week (rows already limited to that week).
pub fn stories(rows: &[&FigureRow]) -> Vec<StorySummary> {
    let mut by_story: BTreeMap<i64, Vec<&FigureRow>> = BTreeMap::new();
    for r in rows {
        by_story.entry(r.story_id).or_default().push(r);
    }
    by_story
        .into_iter()
        .map(|(story_id, mut rs)| {
            rs.sort_by_key(|r| (r.at, r.article_id));
            let label = story_label(rs.iter().map(|r| r.label));
            StorySummary {
                story_id,
                label,
                articles: rs.iter().map(|r| r.article_id).collect(),
                labelled: rs.iter().filter(|r| r.label == label).map(|r| r.article_id).collect(),
                first_at: rs[0].at,
            }
        })
        .collect()
}

/// Most frequent label; ties go to the more severe (`Label`'s order is most severe first).
pub fn story_label(labels: impl Iterator<Item = Label>) -> Label {
    let mut n = [0u32; 4];
    for l in labels {
        n[l as usize] += 1;
    }
    // max_by_key keeps the last maximum: walk from least to most severe so the severe one wins ties.
    Label::ALL.into_iter().rev().max_by_key(|l| n[*l as usize]).expect("four labels")
}

/// Probability that a Poisson(λ) count is at least `k`.
pub fn poisson_tail(lambda: f64, k: u32) -> f64 {
    if k == 0 {
        return 1.0;
    }
    let mut term = (-lambda).exp();
    let mut below = term;
    for j in 1..k {
        term *= lambda / j as f64;
        below += term;
    }
    (1.0 - below).max(0.0)
}

/// The spike rule (module docs) for `k` stigmatizing stories against a baseline.
pub fn is_spike(k: u32, baseline: &Baseline) -> bool {
    k >= SPIKE_MIN && poisson_tail(baseline.stigmatizing_per_week.max(SPIKE_FLOOR), k) < SPIKE_P
}

/// The weeks whose rows `weekly` needs for buckets `from..=to`: the baseline weeks before too.
pub fn fetch_span(from: Week, to: Week) -> (DateTime<Utc>, DateTime<Utc>) {
    (from.minus(BASELINE_WEEKS).start(), to.end())
}

/// The weeks `weekly` computes for buckets `from..=to`: the baseline weeks first.
pub fn span_weeks(from: Week, to: Week) -> Vec<Week> {
    Week::range(from.minus(BASELINE_WEEKS), to)
}

/// What one week of one scope adds up to, before any comparison with other weeks: the unit the
/// figures cache keeps (`crate::digest::cache`). For the whole archive only `articles` and
/// `stories` are filled.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WeekTally {
    #[serde(default)]
    pub articles: u32,
    #[serde(default)]
    pub stories: u32,
    /// Stories per label (the rule above).
    #[serde(default)]
    pub labels: LabelCounts,
    #[serde(default)]
    pub article_labels: LabelCounts,
    /// Stories per frame, every frame (the top few are chosen when a range is shown).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub frames: BTreeMap<String, u32>,
    /// Articles per outlet.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, u32>,
}

impl WeekTally {
    pub fn is_empty(&self) -> bool {
        self.articles == 0 && self.stories == 0
    }

    /// Adds another week's counts: for a range's outlets and frames.
    pub fn absorb(&mut self, other: &WeekTally) {
        self.articles += other.articles;
        self.stories += other.stories;
        for l in Label::ALL {
            self.labels.add(l, other.labels.get(l));
            self.article_labels.add(l, other.article_labels.get(l));
        }
        for (k, n) in &other.frames {
            *self.frames.entry(k.clone()).or_default() += n;
        }
        for (k, n) in &other.sources {
            *self.sources.entry(k.clone()).or_default() += n;
        }
    }
}

/// The tally of each of `weeks` (sorted, not necessarily consecutive) from a district's rows and
/// their (article, feed) appearances; rows outside every week are ignored.
pub fn tally(rows: &[FigureRow], sources: &[(i64, String)], weeks: &[Week]) -> Vec<WeekTally> {
    let slot = |t: DateTime<Utc>| -> Option<usize> {
        let i = weeks.partition_point(|w| w.start() <= t);
        (i >= 1 && t < weeks[i - 1].end()).then(|| i - 1)
    };

    #[derive(Default)]
    struct Acc {
        articles: u32,
        article_labels: LabelCounts,
        stories: HashMap<i64, ([u32; 4], HashSet<String>)>,
        sources: BTreeMap<String, u32>,
    }
    let mut acc: Vec<Acc> = weeks.iter().map(|_| Acc::default()).collect();
    let mut week_of_article: HashMap<i64, usize> = HashMap::with_capacity(rows.len());
    for r in rows {
        let Some(i) = slot(r.at) else { continue };
        let a = &mut acc[i];
        a.articles += 1;
        a.article_labels.add(r.label, 1);
        let (n, frames) = a.stories.entry(r.story_id).or_default();
        n[r.label as usize] += 1;
        frames.extend(r.frames.iter().cloned());
        week_of_article.insert(r.article_id, i);
    }
    for (article, feed) in sources {
        if let Some(i) = week_of_article.get(article) {
            *acc[*i].sources.entry(feed.clone()).or_default() += 1;
        }
    }
    acc.into_iter()
        .map(|a| {
            let mut labels = LabelCounts::default();
            let mut frames: BTreeMap<String, u32> = BTreeMap::new();
            for (n, fs) in a.stories.values() {
                let label =
                    story_label(Label::ALL.into_iter().flat_map(|l| std::iter::repeat_n(l, n[l as usize] as usize)));
                labels.add(label, 1);
                for f in fs {
                    *frames.entry(f.clone()).or_default() += 1;
                }
            }
            WeekTally {
                articles: a.articles,
                stories: a.stories.len() as u32,
                labels,
                article_labels: a.article_labels,
                frames,
                sources: a.sources,
            }
        })
        .collect()
}

/// Buckets for every week `from..=to`. `rows` and `sources` (article, feed) should cover
/// `fetch_span(from, to)` (anything outside is ignored); `volume` is the whole archive's (articles,
/// stories) per week of `span_weeks(from, to)`, missing weeks counting as zero.
pub fn weekly(
    rows: &[FigureRow],
    sources: &[(i64, String)],
    volume: &[(u32, u32)],
    from: Week,
    to: Week,
) -> Vec<Bucket> {
    let weeks = span_weeks(from, to);
    buckets(&weeks, &tally(rows, sources, &weeks), volume)
}

/// Buckets from the tallies of `weeks` (consecutive, the `BASELINE_WEEKS` baseline weeks first,
/// which get no bucket of their own) and the whole archive's (articles, stories) per week.
pub fn buckets(weeks: &[Week], tallies: &[WeekTally], volume: &[(u32, u32)]) -> Vec<Bucket> {
    let mut out: Vec<Bucket> = Vec::with_capacity(weeks.len());
    for (i, (week, t)) in weeks.iter().zip(tallies).enumerate() {
        let (all_articles, all_stories) = volume.get(i).copied().unwrap_or_default();
        let stories = t.stories;
        let share = |k: u32| if stories == 0 { 0.0 } else { k as f64 / stories as f64 };
        out.push(Bucket {
            week: *week,
            articles: t.articles,
            stories,
            labels: t.labels,
            article_labels: t.article_labels,
            stigma_share: share(t.labels.stigmatizing),
            net_tone: share(t.labels.positive) - share(t.labels.negative) - share(t.labels.stigmatizing),
            frames: top(&t.frames),
            sources: top(&t.sources),
            baseline: Baseline {
                weeks: 0,
                stories_per_week: 0.0,
                articles_per_week: 0.0,
                stigmatizing_per_week: 0.0,
                stigma_share: 0.0,
            },
            spike: false,
            all_articles,
            all_stories,
        });
    }
    let n = BASELINE_WEEKS as usize;
    for i in n..out.len() {
        let past = &out[i - n..i];
        let stories: u32 = past.iter().map(|b| b.stories).sum();
        let articles: u32 = past.iter().map(|b| b.articles).sum();
        let stig: u32 = past.iter().map(|b| b.labels.stigmatizing).sum();
        let baseline = Baseline {
            weeks: BASELINE_WEEKS,
            stories_per_week: stories as f64 / n as f64,
            articles_per_week: articles as f64 / n as f64,
            stigmatizing_per_week: stig as f64 / n as f64,
            stigma_share: if stories == 0 { 0.0 } else { stig as f64 / stories as f64 },
        };
        out[i].spike = is_spike(out[i].labels.stigmatizing, &baseline);
        out[i].baseline = baseline;
    }
    out.drain(..n.min(out.len()));
    out
}

/// The most frequent ids, most first, ties by id.
pub fn top(counts: &BTreeMap<String, u32>) -> Vec<Count> {
    let mut v: Vec<Count> = counts.iter().map(|(id, n)| Count { id: id.clone(), n: *n }).collect();
    v.sort_by(|a, b| b.n.cmp(&a.n).then_with(|| a.id.cmp(&b.id)));
    v.truncate(TOP);
    v
}

#[cfg(test)]
#[path = "figures_tests.rs"]
mod tests;
