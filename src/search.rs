//! The search answer: index hits joined with their stored articles and labels. One shape for
//! `tonlage search --json` and `/api/search`, so scripts and the web UI agree.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use serde::{Deserialize, Serialize};

use crate::index::{IndexError, SearchIndex, SearchQuery, Sort};
use crate::model::Label;
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A parameter a person typed (a date, a tone, a sort order) that cannot be read.
    #[error("{0}")]
    Input(String),
}

/// Search parameters as people and scripts give them (CLI flags, URL query): unparsed text.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SearchParams {
    pub q: String,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
    pub district: Option<String>,
    pub source: Option<String>,
    pub tone: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub sort: Option<String>,
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl SearchParams {
    /// The index query, or the first parameter that cannot be read. `limit` defaults to 20.
    pub fn to_query(&self) -> Result<SearchQuery, SearchError> {
        let tone = match non_empty(&self.tone) {
            Some(t) => Some(Label::parse(t).ok_or_else(|| {
                SearchError::Input(format!("tone {t:?}: expected stigmatizing, negative, neutral or positive"))
            })?),
            None => None,
        };
        let sort = match non_empty(&self.sort).unwrap_or("relevance") {
            "relevance" => Sort::Relevance,
            "date" => Sort::Date,
            other => return Err(SearchError::Input(format!("sort {other:?}: expected relevance or date"))),
        };
        Ok(SearchQuery {
            text: self.q.clone(),
            district: non_empty(&self.district).map(str::to_string),
            source: non_empty(&self.source).map(str::to_string),
            tone,
            from: non_empty(&self.from).map(|s| local_day(s, false)).transpose().map_err(|e| named("from", e))?,
            to: non_empty(&self.to).map(|s| local_day(s, true)).transpose().map_err(|e| named("to", e))?,
            limit: self.limit.unwrap_or(20),
            offset: self.offset.unwrap_or(0),
            sort,
        })
    }
}

fn named(name: &str, e: SearchError) -> SearchError {
    SearchError::Input(format!("{name} {e}"))
}

/// DATE (`YYYY-MM-DD`, inclusive, Europe/Stockholm) → the UTC instant its day starts; `end` gives
/// the next day's start, so a range `[from, to)` covers both named days whole.
pub fn local_day(s: &str, end: bool) -> Result<DateTime<Utc>, SearchError> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| SearchError::Input(format!("{s:?} is not a date like 2026-11-20")))?;
    let d = if end { d.succ_opt().unwrap_or(d) } else { d };
    let midnight = d.and_hms_opt(0, 0, 0).expect("midnight exists");
    Stockholm
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| SearchError::Input(format!("{s:?} has no midnight in Europe/Stockholm")))
}

#[derive(Debug, Serialize)]
pub struct SearchOutput {
    pub total: usize,
    pub hits: Vec<SearchHit>,
}

#[derive(Debug, Serialize)]
pub struct SearchHit {
    pub id: String,
    pub url: String,
    pub title: String,
    /// The feed that carried the article first.
    pub source: String,
    /// Every feed that carried it.
    pub sources: Vec<String>,
    /// Publication time in Europe/Stockholm (first sight when the feed gave none); an empty string
    /// for an undated archive article, which then also carries `"undated": true`.
    pub published: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub undated: bool,
    pub snippet: String,
    /// The snippet as HTML, with matched words in `<b>`; everything else escaped.
    pub snippet_html: String,
    pub districts: Vec<HitDistrict>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct HitDistrict {
    pub id: String,
    pub label: String,
    pub score: f32,
    /// The machine's label when staff corrected it (`label` is then the correction).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub machine_label: Option<String>,
}

pub fn run(store: &Store, index: &SearchIndex, q: &SearchQuery, with_text: bool) -> Result<SearchOutput, SearchError> {
    answer(store, &index.search(q)?, with_text)
}

/// Every match of `q` in batches of `batch` hits, from one snapshot of the index, for exports;
/// `each` returns false to stop.
pub fn run_all(
    store: &Store,
    index: &SearchIndex,
    q: &SearchQuery,
    batch: usize,
    mut each: impl FnMut(SearchOutput) -> bool,
) -> Result<(), SearchError> {
    let mut failed = None;
    index.search_all(q, batch, |results| match answer(store, &results, false) {
        Ok(out) => each(out),
        Err(e) => {
            failed = Some(e);
            false
        }
    })?;
    failed.map_or(Ok(()), Err)
}

/// Index hits joined with the store: title, link, date, labels and snippet of each.
fn answer(store: &Store, results: &crate::index::SearchResults, with_text: bool) -> Result<SearchOutput, SearchError> {
    let mut hits = Vec::with_capacity(results.hits.len());
    for h in &results.hits {
        // The index may be a commit ahead of a reader's store snapshot or behind a deletion: skip, never fail.
        let Some(a) = store.article_by_uid(&h.uid)? else { continue };
        let (snippet, snippet_html) = results.snippet(&a.text);
        let districts = store
            .labels_for(a.id)?
            .into_iter()
            .map(|l| HitDistrict {
                id: l.district_id.clone(),
                label: l.effective().as_str().to_string(),
                score: l.score,
                machine_label: l.corrected.map(|_| l.label.as_str().to_string()),
            })
            .collect();
        hits.push(SearchHit {
            id: a.uid,
            url: a.url,
            title: a.title,
            source: a.sources.first().cloned().unwrap_or_default(),
            sources: a.sources,
            published: match (a.published, a.undated) {
                (Some(p), _) => p.with_timezone(&Stockholm).to_rfc3339(),
                (None, false) => a.seen.with_timezone(&Stockholm).to_rfc3339(),
                (None, true) => String::new(),
            },
            undated: a.undated && a.published.is_none(),
            snippet,
            snippet_html,
            districts,
            text: with_text.then_some(a.text),
        });
    }
    Ok(SearchOutput { total: results.total, hits })
}
