//! Tests of the attention chart: the one-pass count against one search per label, on indexes
//! with and without label columns, and the upgrade a rebuild makes.

use chrono::TimeZone;

use super::*;
use crate::model::IndexDoc;

fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap()
}

fn old() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(1995, 6, 1, 12, 30, 0).unwrap()
}

fn doc(uid: &str, text: &str, when: Option<DateTime<Utc>>, source: &str, labels: &[(&str, Label)]) -> IndexDoc {
    IndexDoc {
        uid: uid.into(),
        title: String::new(),
        text: text.into(),
        published: when,
        seen: at(20, 12, 0),
        undated: when.is_none(),
        sources: vec![source.into()],
        labels: labels.iter().map(|(d, l)| (d.to_string(), *l)).collect(),
    }
}

/// Two batches, so the chart reads two segments whose term ordinals differ.
fn batches() -> [Vec<IndexDoc>; 2] {
    use Label::*;
    [
        vec![
            doc(
                "a",
                "polisen i Araby och Dalbo",
                Some(at(2, 10, 15)),
                "smp",
                &[("araby", Stigmatizing), ("dalbo", Negative)],
            ),
            doc("b", "polisen stängde vägen", Some(at(2, 10, 40)), "tt", &[("araby", Negative), ("dalbo", Negative)]),
            doc("c", "skolan i Dalbo", Some(at(3, 8, 0)), "smp", &[("dalbo", Positive)]),
            doc("d", "polisen i Araby för länge sedan", None, "smp", &[("araby", Stigmatizing)]),
        ],
        vec![
            doc("e", "polisen och vädret", Some(at(4, 9, 0)), "tt", &[]),
            // A district whose id starts like another's: its labels are not Araby's.
            doc("f", "polisen i Arabyn", Some(at(5, 23, 59)), "tt", &[("arabyn", Positive), ("araby", Neutral)]),
            doc("g", "skolan i Araby", Some(at(5, 23, 0)), "smp", &[("araby", Neutral), ("dalbo", Stigmatizing)]),
            // Decades before the rest: outside the hours a segment counts in its array.
            doc("h", "polisen i Dalbo", Some(old()), "tt", &[("dalbo", Negative)]),
        ],
    ]
}

fn filled(index: SearchIndex) -> SearchIndex {
    for (seq, batch) in batches().iter().enumerate() {
        index.upsert(batch).unwrap();
        index.commit(seq as i64 + 1).unwrap();
    }
    index
}

/// Every combination of text, district and tone filter, plus a source and a date filter.
fn queries() -> Vec<SearchQuery> {
    let mut out = Vec::new();
    for text in ["", "polisen", "skolan"] {
        for district in [None, Some("araby"), Some("dalbo"), Some("arabyn"), Some("nowhere")] {
            for tone in std::iter::once(None).chain(Label::ALL.map(Some)) {
                out.push(SearchQuery {
                    text: text.into(),
                    district: district.map(String::from),
                    tone,
                    ..SearchQuery::default()
                });
            }
        }
    }
    out.push(SearchQuery { source: Some("tt".into()), ..SearchQuery::default() });
    out.push(SearchQuery { from: Some(at(3, 0, 0)), to: Some(at(5, 23, 30)), ..SearchQuery::default() });
    out
}

fn counts(chart: &HoursByTone, label: Label) -> Vec<(DateTime<Utc>, u32)> {
    chart.iter().find(|(l, _)| *l == label).map(|(_, h)| h.clone()).unwrap_or_default()
}

#[test]
fn merge_adds_counts_of_the_same_hour_and_keeps_order() {
    let a = vec![(1, [1, 0, 0, 0]), (5, [0, 2, 0, 0]), (9, [1, 1, 1, 1])];
    let b = vec![(0, [0, 0, 3, 0]), (5, [1, 0, 0, 4]), (10, [0, 0, 0, 1])];
    let merged = merge(vec![a, b]);
    assert_eq!(
        merged,
        vec![(0, [0, 0, 3, 0]), (1, [1, 0, 0, 0]), (5, [1, 2, 0, 4]), (9, [1, 1, 1, 1]), (10, [0, 0, 0, 1])]
    );
    assert_eq!(merge(vec![Vec::new(), merged.clone(), Vec::new()]), merged);
    assert_eq!(merge(vec![Vec::new(), Vec::new()]), vec![]);
    // Hours further apart than the array covers take the sorting path, with the same result.
    let far = DENSE_HOURS + 5;
    let a = vec![(-3, [1, 0, 0, 0]), (far, [0, 1, 0, 0])];
    let b = vec![(2, [0, 0, 1, 0]), (far, [0, 0, 0, 2])];
    assert_eq!(merge(vec![a, b]), vec![(-3, [1, 0, 0, 0]), (2, [0, 0, 1, 0]), (far, [0, 1, 0, 2])]);
}

#[test]
fn label_slots_follow_label_all() {
    for (i, l) in Label::ALL.into_iter().enumerate() {
        assert_eq!(slot(l), i);
    }
}

#[test]
fn one_pass_equals_one_search_per_label() {
    let index = filled(SearchIndex::in_ram().unwrap());
    let live = index.live();
    assert!(schema::tones_are_fast(&live.index.schema(), &live.fields), "the one pass is what runs");
    assert!(live.reader.searcher().segment_readers().len() >= 2, "two segments, two dictionaries");
    for q in queries() {
        assert_eq!(index.hours_by_tone(&q).unwrap(), index.hours_per_label(&q).unwrap(), "query {q:?}");
    }
}

#[test]
fn counts_each_label_once_per_document_and_skips_undated() {
    use Label::*;
    let index = filled(SearchIndex::in_ram().unwrap());
    let all = index.hours_by_tone(&SearchQuery::default()).unwrap();
    assert_eq!(all.iter().map(|(l, _)| *l).collect::<Vec<_>>(), Label::ALL);
    // "d" is undated; "b" is negative toward two districts and counts once.
    assert_eq!(counts(&all, Stigmatizing), vec![(at(2, 10, 0), 1), (at(5, 23, 0), 1)]);
    let old_hour = Utc.with_ymd_and_hms(1995, 6, 1, 12, 0, 0).unwrap();
    assert_eq!(counts(&all, Negative), vec![(old_hour, 1), (at(2, 10, 0), 2)]);
    assert_eq!(counts(&all, Neutral), vec![(at(5, 23, 0), 2)]);
    assert_eq!(counts(&all, Positive), vec![(at(3, 8, 0), 1), (at(5, 23, 0), 1)]);

    let araby = SearchQuery { district: Some("araby".into()), ..SearchQuery::default() };
    let araby = index.hours_by_tone(&araby).unwrap();
    assert_eq!(counts(&araby, Stigmatizing), vec![(at(2, 10, 0), 1)]);
    assert_eq!(counts(&araby, Negative), vec![(at(2, 10, 0), 1)]);
    assert_eq!(counts(&araby, Positive), vec![], "Arabyn's label is not Araby's");

    let toned = SearchQuery { text: "polisen".into(), tone: Some(Negative), ..SearchQuery::default() };
    assert_eq!(index.hours_by_tone(&toned).unwrap(), vec![(Negative, vec![(old_hour, 1), (at(2, 10, 0), 2)])]);
}

#[test]
fn an_index_without_label_columns_charts_the_same() {
    let old = filled(SearchIndex::in_ram_before_fast_tones().unwrap());
    let live = old.live();
    assert!(!schema::tones_are_fast(&live.index.schema(), &live.fields), "the fallback is what runs");
    let new = filled(SearchIndex::in_ram().unwrap());
    for q in queries() {
        assert_eq!(old.hours_by_tone(&q).unwrap(), new.hours_by_tone(&q).unwrap(), "query {q:?}");
    }
}

#[test]
fn a_rebuild_gives_an_old_index_label_columns() {
    let dir = tempfile::tempdir().unwrap();
    tantivy::Index::create_in_dir(dir.path(), schema::build_before_fast_tones().0).unwrap();
    let index = filled(SearchIndex::open(dir.path(), true).unwrap());
    let fast = |i: &SearchIndex| {
        let live = i.live();
        schema::tones_are_fast(&live.index.schema(), &live.fields)
    };
    assert!(!fast(&index));
    let before: Vec<_> = queries().iter().map(|q| index.hours_by_tone(q).unwrap()).collect();

    // What `tonlage reindex` does.
    index.clear().unwrap();
    index.commit(0).unwrap();
    assert!(fast(&index));
    assert_eq!(index.num_docs(), 0);
    let index = filled(index);
    assert_eq!(index.synced_seq().unwrap(), 2);
    index.wait_merges().unwrap();

    let reopened = SearchIndex::open(dir.path(), false).unwrap();
    assert!(fast(&reopened));
    assert_eq!(reopened.num_docs(), 8);
    let after: Vec<_> = queries().iter().map(|q| reopened.hours_by_tone(q).unwrap()).collect();
    assert_eq!(before, after);
    // The old index's files are gone, not left beside the new one.
    let live: Vec<String> =
        reopened.live().index.searchable_segment_ids().unwrap().iter().map(|s| s.uuid_string()).collect();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some((stem, _)) = name.split_once('.').filter(|(stem, _)| stem.len() == 32) {
            assert!(live.iter().any(|s| s == stem), "leftover segment file {name}");
        }
    }
}

#[test]
fn paging_and_order_reuse_the_chart_until_the_index_changes() {
    use crate::index::Sort;
    let index = filled(SearchIndex::in_ram().unwrap());
    let q = SearchQuery { text: "polisen".into(), district: Some("araby".into()), ..SearchQuery::default() };
    let first = index.hours_by_tone(&q).unwrap();
    assert_eq!(index.charts.lock().len(), 1);
    let paged = SearchQuery { offset: 40, limit: 20, sort: Sort::Date, ..q.clone() };
    assert_eq!(index.hours_by_tone(&paged).unwrap(), first);
    assert_eq!(index.charts.lock().len(), 1, "page and order are not part of the key");

    // A commit is a new snapshot: the kept counts are not served, the new article is charted.
    let late = doc("z", "polisen i Araby igen", Some(at(6, 7, 5)), "tt", &[("araby", Label::Stigmatizing)]);
    index.upsert(&[late]).unwrap();
    index.commit(3).unwrap();
    let after = index.hours_by_tone(&paged).unwrap();
    assert_eq!(counts(&after, Label::Stigmatizing), vec![(at(2, 10, 0), 1), (at(6, 7, 0), 1)]);
    assert_eq!(index.charts.lock().len(), 1, "the stale entry went when the new one came");

    // Only the last few queries are kept.
    for q in queries() {
        index.hours_by_tone(&q).unwrap();
    }
    assert_eq!(index.charts.lock().len(), CHARTS_KEPT);
}
