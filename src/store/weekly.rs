//! Weekly buckets of dated counts in ISO weeks (Europe/Stockholm), for the search page's
//! attention chart, and a district's latest stories of one label for its dashboard.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::labels::corrected_labels;
use super::{from_ts, ts, Store, StoreError};
use crate::model::{Label, LabelCounts};

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

/// The Monday that starts `t`'s ISO week in Europe/Stockholm, and the week's name.
pub fn iso_week(t: DateTime<Utc>) -> (NaiveDate, String) {
    let monday = monday_of(t);
    let w = monday.iso_week();
    (monday, format!("{}-W{:02}", w.year(), w.week()))
}

/// The Monday that starts `t`'s ISO week in Europe/Stockholm.
fn monday_of(t: DateTime<Utc>) -> NaiveDate {
    let d = t.with_timezone(&Stockholm).date_naive();
    d - Duration::days(d.weekday().num_days_from_monday() as i64)
}

/// The instants a Stockholm week starting on `monday` spans, [start, end), across DST changes
/// (they happen at 02:00 or 03:00, so midnight always exists).
fn week_bounds(monday: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let midnight = |d: NaiveDate| {
        Stockholm.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).earliest().map(|t| t.with_timezone(&Utc))
    };
    Some((midnight(monday)?, midnight(monday + Duration::weeks(1))?))
}

/// Buckets (date, label) pairs into consecutive ISO weeks, empty weeks included so charts keep time.
pub fn bucket_weeks(
    rows: &[(DateTime<Utc>, Label, u32)],
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Vec<WeekBucket> {
    let mut by_week: BTreeMap<NaiveDate, LabelCounts> = BTreeMap::new();
    // Rows come in runs of nearby times (a chart has one per hour and label): the last week's
    // bounds are kept, so the time zone is consulted once per week rather than once per row.
    let mut known: Option<(DateTime<Utc>, DateTime<Utc>, NaiveDate)> = None;
    for (t, l, n) in rows {
        let monday = match known {
            Some((start, end, monday)) if start <= *t && *t < end => monday,
            _ => {
                let monday = monday_of(*t);
                known = week_bounds(monday).map(|(start, end)| (start, end, monday));
                monday
            }
        };
        by_week.entry(monday).or_default().add(*l, *n);
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

impl Store {
    /// Articles each feed brought in since `since` (by first appearance in that feed).
    pub fn feed_articles_since(&self, since: DateTime<Utc>) -> Result<Vec<(String, u32)>, StoreError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT feed_id, COUNT(*) FROM appearances WHERE seen_at >= ?1 GROUP BY feed_id")?;
        let rows = stmt.query_map([ts(since)], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// The newest stories whose effective label toward `district` is `label`: each story once,
    /// by its newest such article. Walks the `labels_latest` index from the newest end and stops
    /// once it has enough, so a district with a hundred thousand labels costs a few rows.
    pub fn latest_with_label(&self, district: &str, label: Label, limit: usize) -> Result<Vec<StoryRef>, StoreError> {
        let conn = self.conn();
        let corrected = corrected_labels(&conn, district)?;
        // (at, article, story), newest first.
        let mut found: Vec<(i64, i64, i64)> = Vec::new();
        let mut stmt = conn.prepare_cached(
            "SELECT at, article_id, COALESCE(story_id, article_id) FROM labels
             WHERE district_id = ?1 AND label = ?2 AND at IS NOT NULL ORDER BY at DESC",
        )?;
        let mut rows = stmt.query(params![district, label.as_str()])?;
        let mut stories = HashSet::new();
        while found.len() < limit {
            let Some(r) = rows.next()? else { break };
            let (at, article, story): (i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            if corrected.get(&article).is_some_and(|l| *l != label) || !stories.insert(story) {
                continue;
            }
            found.push((at, article, story));
        }
        drop(rows);
        // Articles staff corrected to this label, wherever their machine label sorts.
        let mut one = conn.prepare_cached(
            "SELECT at, COALESCE(story_id, article_id) FROM labels
             WHERE article_id = ?1 AND district_id = ?2 AND at IS NOT NULL",
        )?;
        for (article, _) in corrected.iter().filter(|(_, l)| **l == label) {
            if let Some((at, story)) = one
                .query_row(params![article, district], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
                .optional()?
            {
                found.retain(|f| f.2 != story || f.0 > at);
                if !found.iter().any(|f| f.2 == story) {
                    found.push((at, *article, story));
                }
            }
        }
        found.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
        found.truncate(limit);
        let mut art = conn.prepare_cached("SELECT uid, title, url FROM articles WHERE id = ?1")?;
        found
            .into_iter()
            .map(|(at, article, _)| {
                Ok(art.query_row([article], |r| {
                    Ok(StoryRef { uid: r.get(0)?, title: r.get(1)?, url: r.get(2)?, date: from_ts(at) })
                })?)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Tone;
    use crate::store::{BulkArticle, NewArticle};
    use chrono::TimeZone;

    #[test]
    fn latest_stories_follow_corrections_and_count_a_story_once() {
        let store = Store::open_in_memory().unwrap();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0).unwrap();
        let item = |i: i64, label: Label, same_story: bool| BulkArticle {
            article: NewArticle {
                uid: format!("u{i}"),
                canonical: format!("x.se/{i}"),
                url: format!("https://x.se/{i}"),
                title: format!("A{i}"),
                published: Some(t0 + Duration::hours(i)),
                seen: t0 + Duration::hours(i),
                undated: false,
                text: String::new(),
                text_source: "feed".into(),
                feed_html: String::new(),
                page_html: None,
                page_status: "skipped".into(),
                page_error: None,
                page_attempts: 0,
            },
            feed_id: "f".into(),
            labels: vec![("araby".into(), Tone { label, score: 0.0, frames: vec![], evidence: vec![] })],
            same_story_as_previous: same_story,
        };
        use Label::*;
        let ids = store
            .insert_bulk(
                &[
                    item(0, Stigmatizing, false),
                    item(1, Negative, false),
                    item(2, Stigmatizing, false),
                    item(3, Stigmatizing, true), // the same story as A2
                    item(4, Stigmatizing, false),
                ],
                "v",
            )
            .unwrap();
        let titles = |l: Label, n: usize| -> Vec<String> {
            store.latest_with_label("araby", l, n).unwrap().into_iter().map(|s| s.title).collect()
        };
        assert_eq!(titles(Stigmatizing, 5), ["A4", "A3", "A0"]);
        assert_eq!(titles(Stigmatizing, 2), ["A4", "A3"]);
        store.add_correction(ids[4], "araby", Neutral, "anna", None, t0).unwrap();
        store.add_correction(ids[1], "araby", Stigmatizing, "anna", None, t0).unwrap();
        assert_eq!(titles(Stigmatizing, 5), ["A3", "A1", "A0"]);
        assert_eq!(titles(Neutral, 5), ["A4"]);
        assert!(titles(Positive, 5).is_empty());
    }

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

    #[test]
    fn hourly_rows_land_in_their_own_week_across_both_dst_changes() {
        // Every hour from before the spring change to after the autumn one, in label runs as the
        // chart gives them, with counts that tell the hours apart.
        let start = Utc.with_ymd_and_hms(2026, 3, 20, 0, 0, 0).unwrap();
        let hours: Vec<DateTime<Utc>> = (0..24 * 230).map(|h| start + Duration::hours(h)).collect();
        let mut rows = Vec::new();
        for l in Label::ALL {
            rows.extend(hours.iter().enumerate().map(|(i, t)| (*t, l, (i % 7) as u32 + 1)));
        }
        let mut expected: BTreeMap<String, u32> = BTreeMap::new();
        for (t, _, n) in &rows {
            *expected.entry(iso_week(*t).1).or_default() += n;
        }
        let got: BTreeMap<String, u32> =
            bucket_weeks(&rows, None, None).into_iter().map(|b| (b.week, b.articles)).collect();
        assert_eq!(got, expected);
        // The hour before and after Monday 00:00 local on both sides of each change.
        for (sunday_late, monday_early) in [
            ((2026, 3, 29, 21), (2026, 3, 29, 22)), // CEST begins that Sunday: Monday starts 22:00 UTC
            ((2026, 10, 25, 22), (2026, 10, 25, 23)), // CET again: Monday starts 23:00 UTC
        ] {
            let at = |(y, m, d, h): (i32, u32, u32, u32)| Utc.with_ymd_and_hms(y, m, d, h, 30, 0).unwrap();
            let b = bucket_weeks(
                &[(at(sunday_late), Label::Neutral, 1), (at(monday_early), Label::Neutral, 1)],
                None,
                None,
            );
            assert_eq!(b.len(), 2, "{sunday_late:?} and {monday_early:?} are in different weeks");
        }
    }
}
