//! Week tallies through the store's figures cache: settled weeks are read as they were stored,
//! touched ones are computed from the rows, so a reader is always exact and a five-year series
//! costs a few hundred small rows once the writer has refreshed. `refresh` is the writer's side.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use super::figures::{tally, WeekTally};
use super::{DigestError, Week};
use crate::store::{Store, ARCHIVE_SCOPE};

/// Weeks further apart than this are fetched from the rows in separate ranges.
const RUN_GAP_WEEKS: i64 = 4;

/// The tally of each of `weeks` (sorted, consecutive or not) for a district id or
/// `ARCHIVE_SCOPE`.
pub fn tallies(store: &Store, scope: &str, weeks: &[Week]) -> Result<Vec<WeekTally>, DigestError> {
    let (Some(first), Some(last)) = (weeks.first(), weeks.last()) else { return Ok(Vec::new()) };
    let cached = store.cached_weeks(scope, first.start(), last.end())?;
    let stale: BTreeSet<Week> = cached.touched.iter().map(|t| Week::of(*t)).collect();
    let settled: HashMap<DateTime<Utc>, &str> = cached.settled.iter().map(|(t, d)| (*t, d.as_str())).collect();
    let mut out = Vec::with_capacity(weeks.len());
    for w in weeks {
        let t = match settled.get(&w.start()) {
            Some(data) if !stale.contains(w) => serde_json::from_str(data)
                .map_err(|e| DigestError::Stored { week: w.to_string(), reason: format!("figures cache: {e}") })?,
            _ => WeekTally::default(),
        };
        out.push(t);
    }
    let todo: Vec<Week> = weeks.iter().filter(|w| stale.contains(w)).copied().collect();
    if !todo.is_empty() {
        let fresh: HashMap<Week, WeekTally> = todo.iter().copied().zip(compute(store, scope, &todo)?).collect();
        for (w, t) in weeks.iter().zip(out.iter_mut()) {
            if let Some(f) = fresh.get(w) {
                *t = f.clone();
            }
        }
    }
    Ok(out)
}

/// The whole archive's (articles, stories) for each of `weeks`.
pub fn volume(store: &Store, weeks: &[Week]) -> Result<Vec<(u32, u32)>, DigestError> {
    Ok(tallies(store, ARCHIVE_SCOPE, weeks)?.iter().map(|t| (t.articles, t.stories)).collect())
}

/// Tallies of `weeks` (sorted) from the rows, one range query per run of nearby weeks.
fn compute(store: &Store, scope: &str, weeks: &[Week]) -> Result<Vec<WeekTally>, DigestError> {
    let mut out = Vec::with_capacity(weeks.len());
    let mut i = 0;
    while i < weeks.len() {
        let mut j = i + 1;
        while j < weeks.len() && (weeks[j].monday() - weeks[j - 1].monday()).num_weeks() <= RUN_GAP_WEEKS {
            j += 1;
        }
        let run = &weeks[i..j];
        let (start, end) = (run[0].start(), run[run.len() - 1].end());
        if scope == ARCHIVE_SCOPE {
            let bounds: Vec<DateTime<Utc>> = run.iter().flat_map(|w| [w.start(), w.end()]).collect();
            // Pairs of bounds: volume counts every window, so take every other one.
            let counts = store.volume(&bounds)?;
            out.extend(counts.into_iter().step_by(2).map(|(articles, stories)| WeekTally {
                articles,
                stories,
                ..WeekTally::default()
            }));
        } else {
            let rows = store.figure_rows(scope, start, end)?;
            let sources = store.figure_sources(scope, start, end)?;
            out.extend(tally(&rows, &sources, run));
        }
        i = j;
    }
    Ok(out)
}

/// Settles every touched week: recomputes its tally from the rows and stores it. Returns the
/// number of (scope, week) pairs written. Cheap when little changed; after an upgrade or a
/// `reclassify` it recomputes the whole archive once.
pub fn refresh(store: &Store) -> Result<usize, DigestError> {
    let pending = store.pending_touches()?;
    if pending.touches.is_empty() {
        return Ok(0);
    }
    let mut by_scope: BTreeMap<String, BTreeSet<Week>> = BTreeMap::new();
    for (scope, t) in pending.touches {
        by_scope.entry(scope).or_default().insert(Week::of(t));
    }
    let mut settled = Vec::new();
    for (scope, weeks) in by_scope {
        let weeks: Vec<Week> = weeks.into_iter().collect();
        for (w, t) in weeks.iter().zip(compute(store, &scope, &weeks)?) {
            let data = (!t.is_empty()).then(|| serde_json::to_string(&t).expect("plain data serializes"));
            settled.push((scope.clone(), w.start(), data));
        }
    }
    // Another refresh that saw later changes may have settled first; then this one's work is moot.
    Ok(if store.settle_weeks(pending.upto, &settled)? { settled.len() } else { 0 })
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
