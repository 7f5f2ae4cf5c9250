//! The search answer: index hits joined with their stored articles and labels. One shape for
//! `tonlage search --json` and `/api/search`, so scripts and the web UI agree.

use chrono_tz::Europe::Stockholm;
use serde::Serialize;

use crate::index::{IndexError, SearchIndex, SearchQuery};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Store(#[from] StoreError),
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
    let results = index.search(q)?;
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
