//! The cache must never change an answer: after every kind of write, before and after a refresh,
//! tallies read through it equal tallies computed from the rows.

use chrono::Duration;

use super::*;
use crate::model::{Label, Tone};
use crate::store::{BulkArticle, NewArticle};

fn tone(label: Label, frames: &[&str]) -> Tone {
    Tone { label, score: 0.0, frames: frames.iter().map(|f| f.to_string()).collect(), evidence: vec![] }
}

fn article(i: usize, at: DateTime<Utc>) -> NewArticle {
    NewArticle {
        uid: format!("u{i}"),
        canonical: format!("example.se/{i}"),
        url: format!("https://example.se/{i}"),
        title: format!("Artikel {i}"),
        published: Some(at),
        seen: at,
        undated: false,
        text: "Text.".into(),
        text_source: "feed".into(),
        feed_html: String::new(),
        page_html: None,
        page_status: "skipped".into(),
        page_error: None,
        page_attempts: 0,
    }
}

/// 40 articles over ten weeks, two feeds, stories of two, labels toward two districts.
fn archive() -> (Store, Vec<i64>, Vec<Week>) {
    let store = Store::open_in_memory().unwrap();
    let first = Week::parse("2026-W40").unwrap();
    let labels = [Label::Stigmatizing, Label::Negative, Label::Neutral, Label::Positive, Label::Stigmatizing];
    let items: Vec<BulkArticle> = (0..40)
        .map(|i| {
            let at = first.start() + Duration::hours(7 + 41 * i as i64);
            let mut l = vec![("araby".to_string(), tone(labels[i % 5], if i % 3 == 0 { &["violence"] } else { &[] }))];
            if i % 4 == 0 {
                l.push(("norrby".to_string(), tone(Label::Positive, &["culture"])));
            }
            BulkArticle {
                article: article(i, at),
                feed_id: if i % 2 == 0 { "smp".into() } else { "svt".into() },
                labels: l,
                same_story_as_previous: i % 7 == 1,
            }
        })
        .collect();
    let ids = store.insert_bulk(&items, "test").unwrap();
    (store, ids, Week::range(first.minus(1), Week::parse("2026-W51").unwrap()))
}

fn from_rows(store: &Store, scope: &str, weeks: &[Week]) -> Vec<WeekTally> {
    let (start, end) = (weeks[0].start(), weeks[weeks.len() - 1].end());
    if scope == ARCHIVE_SCOPE {
        return weeks
            .iter()
            .map(|w| {
                let (articles, stories) = store.volume(&[w.start(), w.end()]).unwrap()[0];
                WeekTally { articles, stories, ..WeekTally::default() }
            })
            .collect();
    }
    tally(&store.figure_rows(scope, start, end).unwrap(), &store.figure_sources(scope, start, end).unwrap(), weeks)
}

fn agrees(store: &Store, weeks: &[Week], when: &str) {
    for scope in ["araby", "norrby", ARCHIVE_SCOPE] {
        let got = tallies(store, scope, weeks).unwrap();
        assert_eq!(got, from_rows(store, scope, weeks), "{scope}, {when}");
    }
}

fn settled_weeks(store: &Store, weeks: &[Week]) -> (usize, usize) {
    let c = store.cached_weeks("araby", weeks[0].start(), weeks[weeks.len() - 1].end()).unwrap();
    (c.settled.len(), c.touched.len())
}

#[test]
fn every_write_reads_the_same_through_the_cache() {
    let (store, ids, weeks) = archive();
    assert!(from_rows(&store, "araby", &weeks).iter().any(|t| t.stories < t.articles), "stories merge articles");
    assert_eq!(settled_weeks(&store, &weeks).0, 0);
    agrees(&store, &weeks, "before any refresh");

    let written = refresh(&store).unwrap();
    assert!(written >= 20, "{written} weeks settled");
    let (settled, touched) = settled_weeks(&store, &weeks);
    assert_eq!((settled, touched), (10, 0), "read from the cache now");
    agrees(&store, &weeks, "after the first refresh");
    assert_eq!(refresh(&store).unwrap(), 0, "nothing left to settle");

    // A correction turns a negative article positive.
    let now = weeks[5].start();
    store.add_correction(ids[1], "araby", Label::Positive, "anna", None, now).unwrap();
    assert_eq!(settled_weeks(&store, &weeks).1, 1, "its week is touched");
    agrees(&store, &weeks, "after a correction");
    // Another outlet carries an article; a story absorbs another article.
    assert!(store.add_appearance(ids[2], "p4", None, "https://p4.example/x", now).unwrap());
    store.set_story(ids[3], ids[2], b"").unwrap();
    agrees(&store, &weeks, "after an appearance and a merge");
    // Relabelling moves an article out of a district altogether.
    store.replace_labels(ids[8], &[("norrby".into(), tone(Label::Negative, &[]))], "test", now).unwrap();
    agrees(&store, &weeks, "after relabelling");

    assert!(refresh(&store).unwrap() > 0);
    assert_eq!(settled_weeks(&store, &weeks).1, 0);
    agrees(&store, &weeks, "after the second refresh");
    let corrected = &tallies(&store, "araby", &weeks).unwrap()[1];
    assert_eq!(corrected.article_labels.positive, from_rows(&store, "araby", &weeks)[1].article_labels.positive);
    assert!(tallies(&store, "araby", &weeks).unwrap().iter().any(|t| t.sources.contains_key("p4")));
}

#[test]
fn a_series_reads_the_same_before_and_after_refresh() {
    let (store, _, weeks) = archive();
    let d = crate::model::District {
        id: "araby".into(),
        name: "Araby".into(),
        municipality: "Växjö".into(),
        aliases: vec!["Araby".into()],
        exclude: vec![],
        context: vec![],
    };
    let (from, to) = (weeks[1], weeks[weeks.len() - 1]);
    let before = serde_json::to_string(&crate::digest::series(&store, &d, from, to).unwrap()).unwrap();
    refresh(&store).unwrap();
    let after = serde_json::to_string(&crate::digest::series(&store, &d, from, to).unwrap()).unwrap();
    assert_eq!(before, after);
    assert!(before.contains("\"stories\":"));
}
