//! One district's coverage per ISO week (Europe/Stockholm) with effective label counts, its top
//! outlets and latest stories: what the district dashboard and `/api/districts/{id}/series` show.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Europe::Stockholm;
use rusqlite::params;
use serde::Serialize;

use super::{from_ts, ts, Store, StoreError};
use crate::model::{Label, LabelCounts};

/// The `stats --json` shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub district: String,
    pub buckets: Vec<WeekBucket>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekBucket {
    /// `2026-W47`.
    pub week: String,
    pub articles: u32,
    /// Distinct stories; until stories are grouped, each article is its own story.
    pub stories: u32,
    pub labels: LabelCounts,
    /// Stigmatizing articles / articles, two decimals; 0 for an empty week.
    pub stigma_share: f64,
}

/// A story listed on the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoryRef {
    pub uid: String,
    pub title: String,
    pub url: String,
    pub date: DateTime<Utc>,
}

/// The label that counts for an (article, district) pair: the latest correction, else the machine's.
pub(super) const EFFECTIVE: &str = "COALESCE((SELECT c.label FROM corrections c WHERE c.article_id = l.article_id \
     AND c.district_id = l.district_id ORDER BY c.created_at DESC, c.id DESC LIMIT 1), l.label)";

/// The Monday that starts `t`'s ISO week in Europe/Stockholm, and the week's name.
pub fn iso_week(t: DateTime<Utc>) -> (NaiveDate, String) {
    let d = t.with_timezone(&Stockholm).date_naive();
    let w = d.iso_week();
    let monday = d - Duration::days(d.weekday().num_days_from_monday() as i64);
    (monday, format!("{}-W{:02}", w.year(), w.week()))
}

/// Buckets (date, label) pairs into consecutive ISO weeks, empty weeks included so charts keep time.
pub fn bucket_weeks(
    rows: &[(DateTime<Utc>, Label, u32)],
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Vec<WeekBucket> {
    let mut by_week: BTreeMap<NaiveDate, LabelCounts> = BTreeMap::new();
    for (t, l, n) in rows {
        by_week.entry(iso_week(*t).0).or_default().add(*l, *n);
    }
    let first = from.map(|t| iso_week(t).0).or_else(|| by_week.keys().next().copied());
    // `to` is exclusive: the last week is the one holding the instant just before it.
    let last = to.map(|t| iso_week(t - Duration::seconds(1)).0).or_else(|| by_week.keys().last().copied());
    let (Some(first), Some(mut last)) = (first, last) else { return Vec::new() };
    // A runaway range (a typo in a year) must not allocate millions of empty weeks.
    last = last.min(first + Duration::weeks(1000));
    let mut out = Vec::new();
    let mut monday = first;
    while monday <= last {
        let labels = by_week.get(&monday).copied().unwrap_or_default();
        let articles = Label::ALL.iter().map(|l| labels.get(*l)).sum::<u32>();
        let share = if articles == 0 { 0.0 } else { labels.stigmatizing as f64 / articles as f64 };
        let w = monday.iso_week();
        out.push(WeekBucket {
            week: format!("{}-W{:02}", w.year(), w.week()),
            articles,
            stories: articles,
            labels,
            stigma_share: (share * 100.0).round() / 100.0,
        });
        monday += Duration::weeks(1);
    }
    out
}

fn range(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> (i64, i64) {
    (from.map(ts).unwrap_or(i64::MIN), to.map(ts).unwrap_or(i64::MAX))
}

impl Store {
    /// Weekly series of one district; `to` is exclusive.
    pub fn weekly_series(
        &self,
        district: &str,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Series, StoreError> {
        let (lo, hi) = range(from, to);
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            // `labels.at` carries the article's date (NULL while undated) beside the district in
            // one index, so a range of weeks never touches the article rows.
            "SELECT l.at, {EFFECTIVE} FROM labels l
             WHERE l.district_id = ?1 AND l.at >= ?2 AND l.at < ?3"
        ))?;
        let raw: Vec<(i64, String)> =
            stmt.query_map(params![district, lo, hi], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        let rows: Vec<(DateTime<Utc>, Label, u32)> = raw
            .into_iter()
            .map(|(t, l)| {
                Label::parse(&l).map(|l| (from_ts(t), l, 1)).ok_or_else(|| StoreError::Corrupt(format!("label {l:?}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Series { district: district.to_string(), buckets: bucket_weeks(&rows, from, to) })
    }

    /// Feeds that carried the most of a district's articles in the range: (feed id, articles).
    pub fn top_outlets(
        &self,
        district: &str,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<(String, u32)>, StoreError> {
        let (lo, hi) = range(from, to);
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT ap.feed_id, COUNT(DISTINCT l.article_id) AS n FROM labels l
             JOIN articles a ON a.id = l.article_id JOIN appearances ap ON ap.article_id = l.article_id
             WHERE l.district_id = ?1 AND COALESCE(a.published_at, a.first_seen_at) BETWEEN ?2 AND ?3 - 1
             GROUP BY ap.feed_id ORDER BY n DESC, ap.feed_id LIMIT ?4",
        )?;
        let rows = stmt
            .query_map(params![district, lo, hi, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Articles each feed brought in since `since` (by first appearance in that feed).
    pub fn feed_articles_since(&self, since: DateTime<Utc>) -> Result<Vec<(String, u32)>, StoreError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT feed_id, COUNT(*) FROM appearances WHERE seen_at >= ?1 GROUP BY feed_id")?;
        let rows = stmt.query_map([ts(since)], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// The newest articles whose effective label toward `district` is `label`.
    pub fn latest_with_label(&self, district: &str, label: Label, limit: usize) -> Result<Vec<StoryRef>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT a.uid, a.title, a.url, COALESCE(a.published_at, a.first_seen_at) AS d FROM labels l
             JOIN articles a ON a.id = l.article_id
             WHERE l.district_id = ?1 AND {EFFECTIVE} = ?2 ORDER BY d DESC LIMIT ?3"
        ))?;
        let rows = stmt
            .query_map(params![district, label.as_str(), limit as i64], |r| {
                Ok(StoryRef { uid: r.get(0)?, title: r.get(1)?, url: r.get(2)?, date: from_ts(r.get(3)?) })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn weeks_follow_stockholm_and_gaps_are_kept() {
        // Sunday 23:30 UTC is already Monday in Stockholm: the next ISO week.
        let sun_late = Utc.with_ymd_and_hms(2026, 11, 22, 23, 30, 0).unwrap();
        let sat = Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
        let later = Utc.with_ymd_and_hms(2026, 12, 8, 12, 0, 0).unwrap();
        let rows = vec![
            (sat, Label::Stigmatizing, 1),
            (sat, Label::Positive, 1),
            (sat, Label::Stigmatizing, 1),
            (sun_late, Label::Neutral, 1),
            (later, Label::Negative, 1),
        ];
        let b = bucket_weeks(&rows, None, None);
        let weeks: Vec<&str> = b.iter().map(|w| w.week.as_str()).collect();
        assert_eq!(weeks, ["2026-W47", "2026-W48", "2026-W49", "2026-W50"]);
        assert_eq!((b[0].articles, b[0].labels.stigmatizing, b[0].stigma_share), (3, 2, 0.67));
        assert_eq!((b[1].articles, b[1].labels.neutral), (1, 1));
        assert_eq!((b[2].articles, b[2].stigma_share), (0, 0.0));
        assert_eq!(b[3].labels.negative, 1);
    }
}
