//! After the store: a new article finds the story it belongs to, and the search index catches up
//! with every store change it has not seen (after each pass, at start-up, after a crash).

use chrono::{DateTime, Utc};

use super::IngestError;
use crate::index::SearchIndex;
use crate::metrics::METRICS;
use crate::progress::Progress;
use crate::store::{Store, StoreError};
use crate::stories;

/// Puts a stored article into the story of its nearest near-duplicate within the time window, or
/// leaves it a story of its own. The caller serializes calls, so copies stored at once still meet.
pub fn assign_story(
    store: &Store,
    article_id: i64,
    title: &str,
    text: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let sig = stories::Signature::of(title, text);
    if sig.is_empty() {
        return Ok(());
    }
    let window = chrono::Duration::days(stories::WINDOW_DAYS);
    let candidates: Vec<stories::Candidate> = store
        .story_candidates(at - window, at + window, article_id)?
        .into_iter()
        .map(|r| stories::Candidate {
            article_id: r.article_id,
            story_id: r.story_id,
            signature: stories::Signature::from_bytes(&r.signature),
        })
        .collect();
    let story = stories::assign(&sig, &candidates).unwrap_or(article_id);
    store.set_story(article_id, story, &sig.to_bytes())
}

/// Store → index catch-up, in batches; `progress` counts documents.
pub fn sync_index(store: &Store, index: &SearchIndex, progress: Option<&Progress>) -> Result<usize, IngestError> {
    let mut seq = index.synced_seq()?;
    let target = store.change_seq()?;
    if seq >= target {
        return Ok(0);
    }
    let mut done = 0;
    loop {
        let batch = store.index_docs_after(seq, 1000)?;
        let Some(last) = batch.last().map(|(s, _)| *s) else { break };
        let docs: Vec<_> = batch.into_iter().map(|(_, d)| d).collect();
        index.upsert(&docs)?;
        done += docs.len();
        if let Some(p) = progress {
            p.inc(docs.len() as u64);
        }
        seq = last;
    }
    index.commit(seq.max(target))?;
    METRICS.set_index_documents(index.num_docs());
    Ok(done)
}
