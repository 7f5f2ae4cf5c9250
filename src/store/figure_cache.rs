//! The weekly figures cache: one settled tally per (scope, week), where a scope is a district id
//! or `*` for the whole archive. Triggers (migration 5) record every change a tally depends on as
//! a touch (scope, instant) inside the writing transaction itself, so no write path can forget
//! it: a week with a touch is stale and readers compute it from the rows until a refresh settles
//! it. The tallies are opaque text here; what they hold is `crate::digest`'s business.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{from_ts, ts, Store, StoreError};

/// The scope of the whole archive's tallies (district ids are `[a-z0-9-]+`, never `*`).
pub const ARCHIVE_SCOPE: &str = "*";

/// What the cache holds for a range of weeks of one scope, read in one snapshot.
#[derive(Debug, Default)]
pub struct CachedWeeks {
    /// (week start, tally) of settled weeks.
    pub settled: Vec<(DateTime<Utc>, String)>,
    /// Instants of changes not yet settled: their weeks must be computed from the rows.
    pub touched: Vec<DateTime<Utc>>,
}

/// Changes waiting to be settled, up to and including touch `upto`.
#[derive(Debug, Default)]
pub struct PendingTouches {
    pub upto: i64,
    /// (scope, instant), one per scope and hour.
    pub touches: Vec<(String, DateTime<Utc>)>,
}

impl Store {
    /// Settled tallies of weeks starting in `[from, to)` and the touches in that span.
    pub fn cached_weeks(&self, scope: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<CachedWeeks, StoreError> {
        let mut conn = self.conn();
        // One read transaction: a refresh that settles a week and clears its touches in between
        // must not make the week look both unsettled and untouched.
        let tx = conn.transaction()?;
        let mut out = CachedWeeks::default();
        {
            let mut stmt = tx.prepare_cached(
                "SELECT start, data FROM figure_weeks WHERE scope = ?1 AND start >= ?2 AND start < ?3 ORDER BY start",
            )?;
            let mut rows = stmt.query(params![scope, ts(from), ts(to)])?;
            while let Some(r) = rows.next()? {
                out.settled.push((from_ts(r.get(0)?), r.get(1)?));
            }
            let mut stmt = tx.prepare_cached(
                "SELECT DISTINCT at - ((at % 3600) + 3600) % 3600 FROM figure_touch
                 WHERE scope = ?1 AND at >= ?2 AND at < ?3",
            )?;
            let mut rows = stmt.query(params![scope, ts(from), ts(to)])?;
            while let Some(r) = rows.next()? {
                out.touched.push(from_ts(r.get(0)?));
            }
        }
        tx.commit()?;
        Ok(out)
    }

    /// Every touch not yet settled, as of now. Touches made later get higher ids and survive
    /// `settle_weeks(upto, …)`, so a change racing a refresh is never lost.
    pub fn pending_touches(&self) -> Result<PendingTouches, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let upto: i64 = tx.query_row("SELECT COALESCE(MAX(id), 0) FROM figure_touch", [], |r| r.get(0))?;
        let mut touches = Vec::new();
        {
            let mut stmt = tx.prepare_cached(
                "SELECT DISTINCT scope, at - ((at % 3600) + 3600) % 3600 FROM figure_touch WHERE id <= ?1",
            )?;
            let mut rows = stmt.query([upto])?;
            while let Some(r) = rows.next()? {
                touches.push((r.get(0)?, from_ts(r.get(1)?)));
            }
        }
        tx.commit()?;
        Ok(PendingTouches { upto, touches })
    }

    /// Writes recomputed tallies (`None`: the week is empty) and clears the touches up to `upto`,
    /// in one transaction. Returns false, writing nothing, when a refresh that saw later touches
    /// has settled meanwhile: these tallies may be older than the ones stored.
    pub fn settle_weeks(
        &self,
        upto: i64,
        weeks: &[(String, DateTime<Utc>, Option<String>)],
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let newest: Option<String> =
            tx.query_row("SELECT value FROM meta WHERE key = 'figures_settled_upto'", [], |r| r.get(0)).optional()?;
        if newest.and_then(|v| v.parse::<i64>().ok()).is_some_and(|n| n > upto) {
            return Ok(false);
        }
        tx.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('figures_settled_upto', ?1)", [upto.to_string()])?;
        {
            let mut put =
                tx.prepare_cached("INSERT OR REPLACE INTO figure_weeks (scope, start, data) VALUES (?1, ?2, ?3)")?;
            let mut drop = tx.prepare_cached("DELETE FROM figure_weeks WHERE scope = ?1 AND start = ?2")?;
            for (scope, start, data) in weeks {
                match data {
                    Some(d) => put.execute(params![scope, ts(*start), d])?,
                    None => drop.execute(params![scope, ts(*start)])?,
                };
            }
            tx.execute("DELETE FROM figure_touch WHERE id <= ?1", [upto])?;
        }
        tx.commit()?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn touches_after_the_snapshot_survive_settling() {
        let store = Store::open_in_memory().unwrap();
        let t = Utc.with_ymd_and_hms(2026, 11, 18, 12, 30, 0).unwrap();
        let week = Utc.with_ymd_and_hms(2026, 11, 15, 23, 0, 0).unwrap();
        let touch = |at: DateTime<Utc>| {
            store.conn().execute("INSERT INTO figure_touch (scope, at) VALUES ('araby', ?1)", [ts(at)]).unwrap();
        };
        touch(t);
        let pending = store.pending_touches().unwrap();
        assert_eq!(pending.touches, vec![("araby".to_string(), Utc.with_ymd_and_hms(2026, 11, 18, 12, 0, 0).unwrap())]);
        // A change lands while the refresh computes.
        touch(t + chrono::Duration::hours(1));
        assert!(store.settle_weeks(pending.upto, &[("araby".into(), week, Some("{}".into()))]).unwrap());
        let cached = store.cached_weeks("araby", week, week + chrono::Duration::weeks(1)).unwrap();
        assert_eq!(cached.settled, vec![(week, "{}".to_string())]);
        assert_eq!(
            cached.touched,
            vec![Utc.with_ymd_and_hms(2026, 11, 18, 13, 0, 0).unwrap()],
            "the later touch stays"
        );
        let newer = store.pending_touches().unwrap().upto;
        assert!(store.settle_weeks(newer, &[("araby".into(), week, None)]).unwrap());
        // A slower refresh that started before that one must not put its older tallies back.
        assert!(!store.settle_weeks(pending.upto, &[("araby".into(), week, Some("{}".into()))]).unwrap());
        let cached = store.cached_weeks("araby", week, week + chrono::Duration::weeks(1)).unwrap();
        assert!(cached.settled.is_empty() && cached.touched.is_empty());
    }
}
