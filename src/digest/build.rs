//! Assembles the figures from the store: a district's weekly series (`stats`) and the week's
//! digest for every district, with the stories behind the numbers. The arithmetic is in `figures`.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Stockholm;
use serde::{Deserialize, Serialize};

use super::cache;
use super::figures::{self, Baseline, Bucket, Count, LabelCounts, WeekTally};
use super::weeks::Week;
use super::DigestError;
use crate::config::Config;
use crate::model::{District, Label};
use crate::store::{FigureRow, Store};

/// Stories listed per district and tone.
const TOP_STORIES: usize = 5;

/// `stats --json` and `/api/districts/{id}/series`.
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    pub district: String,
    pub name: String,
    pub from: String,
    pub to: String,
    pub buckets: Vec<SeriesBucket>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SeriesBucket {
    pub week: String,
    /// The week's Monday (local date).
    pub start: String,
    pub articles: u32,
    pub stories: u32,
    /// Stories per label (each story once, under its most frequent label; ties to the more severe).
    pub labels: LabelCounts,
    pub article_labels: LabelCounts,
    pub stigma_share: f64,
    pub net_tone: f64,
    pub frames: Vec<Count>,
    pub sources: Vec<Count>,
    pub baseline: Baseline,
    pub baseline_stigma_share: f64,
    pub spike: bool,
    /// Every stored article and story that week, about any place: the district's share is visible.
    pub all_articles: u32,
    pub all_stories: u32,
    pub share_of_all_articles: f64,
}

/// `digest --format json` and `/api/digests/{week}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Digest {
    pub week: String,
    /// Monday and Sunday of the week (local dates).
    pub from: String,
    pub to: String,
    pub language: String,
    pub generated_at: String,
    /// No district had any coverage.
    pub quiet: bool,
    pub municipality: Totals,
    pub districts: Vec<DistrictDigest>,
}

/// The municipality line at the top: all tracked districts together, and the whole archive.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Totals {
    pub all_articles: u32,
    pub all_stories: u32,
    /// Articles and stories about at least one tracked district.
    pub district_articles: u32,
    pub district_stories: u32,
    /// Summed over districts (a story about two districts counts in each).
    pub labels: LabelCounts,
    pub stigma_share: f64,
    pub baseline_stigma_share: f64,
    /// Ids of the districts with a spike.
    pub spikes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DistrictDigest {
    pub id: String,
    pub name: String,
    pub articles: u32,
    pub stories: u32,
    pub labels: LabelCounts,
    pub article_labels: LabelCounts,
    pub stigma_share: f64,
    pub baseline_stigma_share: f64,
    pub spike: bool,
    pub net_tone: f64,
    pub baseline: Baseline,
    pub share_of_all_articles: f64,
    pub frames: Vec<Count>,
    pub sources: Vec<Count>,
    pub top_stigmatizing: Vec<StoryLine>,
    pub top_positive: Vec<StoryLine>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoryLine {
    pub title: String,
    pub url: String,
    /// The outlet of the article shown.
    pub source: String,
    /// Every outlet that carried the story that week.
    pub sources: Vec<String>,
    /// Articles of the story about the district that week.
    pub articles: u32,
    pub published: String,
    pub evidence: Option<String>,
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn share(part: u32, whole: u32) -> f64 {
    if whole == 0 {
        0.0
    } else {
        round(part as f64 / whole as f64)
    }
}

/// A district's weekly series for `from..=to`.
pub fn series(store: &Store, district: &District, from: Week, to: Week) -> Result<Series, DigestError> {
    Ok(series_and_total(store, district, from, to)?.0)
}

/// The series and the sum of its weeks (every frame and outlet, not only each week's top few):
/// what the district dashboard shows.
pub fn series_and_total(
    store: &Store,
    district: &District,
    from: Week,
    to: Week,
) -> Result<(Series, WeekTally), DigestError> {
    let weeks = figures::span_weeks(from, to);
    let tallies = cache::tallies(store, &district.id, &weeks)?;
    let volume = cache::volume(store, &weeks)?;
    let mut total = WeekTally::default();
    for t in tallies.iter().skip(figures::BASELINE_WEEKS as usize) {
        total.absorb(t);
    }
    let buckets = figures::buckets(&weeks, &tallies, &volume).into_iter().map(series_bucket).collect();
    Ok((series_of(district, from, to, buckets), total))
}

fn series_of(district: &District, from: Week, to: Week, buckets: Vec<SeriesBucket>) -> Series {
    Series {
        district: district.id.clone(),
        name: district.name.clone(),
        from: from.monday().to_string(),
        to: (to.monday() + chrono::Duration::days(6)).to_string(),
        buckets,
    }
}

fn series_bucket(b: Bucket) -> SeriesBucket {
    SeriesBucket {
        week: b.week.to_string(),
        start: b.week.monday().to_string(),
        articles: b.articles,
        stories: b.stories,
        labels: b.labels,
        article_labels: b.article_labels,
        stigma_share: round(b.stigma_share),
        net_tone: round(b.net_tone),
        frames: b.frames,
        sources: b.sources,
        baseline_stigma_share: round(b.baseline.stigma_share),
        baseline: rounded(b.baseline),
        spike: b.spike,
        share_of_all_articles: share(b.articles, b.all_articles),
        all_articles: b.all_articles,
        all_stories: b.all_stories,
    }
}

fn rounded(b: Baseline) -> Baseline {
    Baseline {
        weeks: b.weeks,
        stories_per_week: round(b.stories_per_week),
        articles_per_week: round(b.articles_per_week),
        stigmatizing_per_week: round(b.stigmatizing_per_week),
        stigma_share: round(b.stigma_share),
    }
}

/// The digest of `week` for every configured district.
pub fn build(store: &Store, config: &Config, week: Week, now: DateTime<Utc>) -> Result<Digest, DigestError> {
    let (start, end) = figures::fetch_span(week, week);
    let volume = cache::volume(store, &figures::span_weeks(week, week))?;
    let mut districts = Vec::new();
    let (mut art_ids, mut story_ids) = (HashSet::new(), HashSet::new());
    let (mut labels, mut base_stories, mut base_stig) = (LabelCounts::default(), 0.0, 0.0);
    for d in &config.districts {
        let rows = store.figure_rows(&d.id, start, end)?;
        let sources = store.figure_sources(&d.id, start, end)?;
        let b = figures::weekly(&rows, &sources, &volume, week, week).pop().expect("one week asked, one bucket");
        let in_week: Vec<&FigureRow> = rows.iter().filter(|r| r.at >= week.start() && r.at < week.end()).collect();
        art_ids.extend(in_week.iter().map(|r| r.article_id));
        story_ids.extend(in_week.iter().map(|r| r.story_id));
        for l in Label::ALL {
            for _ in 0..b.labels.get(l) {
                add(&mut labels, l);
            }
        }
        base_stories += b.baseline.stories_per_week;
        base_stig += b.baseline.stigmatizing_per_week;
        let by_article = outlets(&sources);
        let top_stigmatizing = top_stories(store, d, &in_week, &by_article, Label::Stigmatizing)?;
        let top_positive = top_stories(store, d, &in_week, &by_article, Label::Positive)?;
        districts.push(DistrictDigest {
            id: d.id.clone(),
            name: d.name.clone(),
            articles: b.articles,
            stories: b.stories,
            labels: b.labels,
            article_labels: b.article_labels,
            stigma_share: round(b.stigma_share),
            baseline_stigma_share: round(b.baseline.stigma_share),
            spike: b.spike,
            net_tone: round(b.net_tone),
            baseline: rounded(b.baseline),
            share_of_all_articles: share(b.articles, b.all_articles),
            frames: b.frames,
            sources: b.sources,
            top_stigmatizing,
            top_positive,
        });
    }
    let (all_articles, all_stories) = volume.last().copied().unwrap_or_default();
    let district_stories: u32 = labels.total();
    let totals = Totals {
        all_articles,
        all_stories,
        district_articles: art_ids.len() as u32,
        district_stories: story_ids.len() as u32,
        labels,
        stigma_share: share(labels.stigmatizing, district_stories),
        baseline_stigma_share: if base_stories > 0.0 { round(base_stig / base_stories) } else { 0.0 },
        spikes: districts.iter().filter(|d| d.spike).map(|d| d.id.clone()).collect(),
    };
    Ok(Digest {
        week: week.to_string(),
        from: week.monday().to_string(),
        to: (week.monday() + chrono::Duration::days(6)).to_string(),
        language: config.digest.language.clone(),
        generated_at: now.with_timezone(&Stockholm).to_rfc3339(),
        quiet: districts.iter().all(|d| d.articles == 0),
        municipality: totals,
        districts,
    })
}

fn add(c: &mut LabelCounts, l: Label) {
    match l {
        Label::Stigmatizing => c.stigmatizing += 1,
        Label::Negative => c.negative += 1,
        Label::Neutral => c.neutral += 1,
        Label::Positive => c.positive += 1,
    }
}

fn outlets(sources: &[(i64, String)]) -> HashMap<i64, Vec<String>> {
    let mut m: HashMap<i64, Vec<String>> = HashMap::new();
    for (a, f) in sources {
        m.entry(*a).or_default().push(f.clone());
    }
    m
}

/// The week's stories of one tone, most republished first; within that, the strongest tone first.
fn top_stories(
    store: &Store,
    district: &District,
    rows: &[&FigureRow],
    outlets: &HashMap<i64, Vec<String>>,
    label: Label,
) -> Result<Vec<StoryLine>, DigestError> {
    let stories: Vec<_> = figures::stories(rows).into_iter().filter(|s| s.label == label).collect();
    let faces: Vec<i64> = stories.iter().filter_map(|s| s.labelled.first().copied()).collect();
    let briefs: HashMap<i64, _> =
        store.article_briefs(&district.id, &faces)?.into_iter().map(|b| (b.article_id, b)).collect();
    let mut lines: Vec<(u32, f32, StoryLine)> = Vec::new();
    for s in &stories {
        let Some(b) = s.labelled.first().and_then(|id| briefs.get(id)) else { continue };
        let mut sources: Vec<String> =
            s.articles.iter().flat_map(|a| outlets.get(a).into_iter().flatten()).cloned().collect();
        sources.sort();
        sources.dedup();
        let strength = if label == Label::Positive { -b.score } else { b.score };
        lines.push((
            s.articles.len() as u32,
            strength,
            StoryLine {
                title: b.title.clone(),
                url: b.url.clone(),
                source: b.sources.first().cloned().unwrap_or_default(),
                sources,
                articles: s.articles.len() as u32,
                published: b.at.with_timezone(&Stockholm).to_rfc3339(),
                evidence: b.evidence.clone(),
            },
        ));
    }
    lines.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.total_cmp(&b.1)).then_with(|| a.2.published.cmp(&b.2.published)));
    Ok(lines.into_iter().take(TOP_STORIES).map(|(_, _, l)| l).collect())
}
