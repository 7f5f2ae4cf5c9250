//! Tests of the weekly figures on constructed series: story counting, the label rule, baseline
//! and spike.

use super::*;

fn week(s: &str) -> Week {
    Week::parse(s).unwrap()
}

/// `n` rows in `w`, each its own story unless `story` is given.
fn rows(w: Week, label: Label, n: usize, first_id: i64, story: Option<i64>) -> Vec<FigureRow> {
    (0..n)
        .map(|i| {
            let id = first_id + i as i64;
            FigureRow {
                article_id: id,
                at: w.start() + chrono::Duration::hours(10 + i as i64),
                story_id: story.unwrap_or(id),
                label,
                frames: if label == Label::Stigmatizing { vec!["violence".into()] } else { vec![] },
            }
        })
        .collect()
}

#[test]
fn a_story_counts_once_under_its_most_frequent_label() {
    let w = week("2026-W47");
    let mut r = rows(w, Label::Stigmatizing, 3, 1, Some(1));
    r.extend(rows(w, Label::Negative, 1, 10, Some(1)));
    r.extend(rows(w, Label::Positive, 2, 20, None));
    let sources = vec![(1, "smp".to_string()), (2, "svt".to_string()), (3, "tt".to_string()), (1, "svt".into())];
    let b = &weekly(&r, &sources, &[], w, w)[0];
    assert_eq!((b.articles, b.stories), (6, 3));
    assert_eq!(b.labels, LabelCounts { stigmatizing: 1, negative: 0, neutral: 0, positive: 2 });
    assert_eq!(b.article_labels.stigmatizing, 3);
    assert!((b.stigma_share - 1.0 / 3.0).abs() < 1e-9);
    assert!((b.net_tone - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(b.frames, vec![Count { id: "violence".into(), n: 1 }], "frames count per story");
    assert_eq!(b.sources[0], Count { id: "svt".into(), n: 2 });
}

#[test]
fn ties_go_to_the_more_severe_label() {
    use Label::*;
    assert_eq!(story_label([Positive, Stigmatizing].into_iter()), Stigmatizing);
    assert_eq!(story_label([Neutral, Positive].into_iter()), Neutral);
    assert_eq!(story_label([Positive, Positive, Negative].into_iter()), Positive);
    assert_eq!(story_label([Negative, Neutral, Neutral, Negative].into_iter()), Negative);
}

#[test]
fn baseline_is_the_eight_weeks_before_including_quiet_ones() {
    let w = week("2026-W20");
    let mut r = Vec::new();
    // Weeks W12..W19: four weeks with 2 stories (1 stigmatizing), four empty weeks.
    for (i, past) in [8u32, 7, 5, 2].iter().enumerate() {
        let pw = w.minus(*past);
        r.extend(rows(pw, Label::Stigmatizing, 1, 100 + 10 * i as i64, None));
        r.extend(rows(pw, Label::Neutral, 1, 105 + 10 * i as i64, None));
    }
    // Outside the window: must not count.
    r.extend(rows(w.minus(9), Label::Stigmatizing, 5, 900, None));
    let b = &weekly(&r, &[], &[], w, w)[0];
    assert_eq!(b.baseline.weeks, 8);
    assert!((b.baseline.stories_per_week - 1.0).abs() < 1e-9, "{:?}", b.baseline);
    assert!((b.baseline.stigmatizing_per_week - 0.5).abs() < 1e-9);
    assert!((b.baseline.stigma_share - 0.5).abs() < 1e-9);
    assert_eq!(b.articles, 0);
    assert!(!b.spike);
}

#[test]
fn spike_rule_on_constructed_series() {
    let w = week("2026-W20");
    let steady = |k_per_week: usize| -> Vec<FigureRow> {
        (1..=8u32).flat_map(|p| rows(w.minus(p), Label::Stigmatizing, k_per_week, 1000 * p as i64, None)).collect()
    };
    let with_week = |mut base: Vec<FigureRow>, k: usize| {
        base.extend(rows(w, Label::Stigmatizing, k, 1, None));
        weekly(&base, &[], &[], w, w)[0].clone()
    };
    // A silent past: 3 stigmatizing stories are a spike, 2 are not (too few to call).
    assert!(with_week(vec![], 3).spike);
    assert!(!with_week(vec![], 2).spike);
    // One a week is normal: 3 is within chance (P≈0.08), 4 is not (P≈0.02).
    assert!(!with_week(steady(1), 3).spike);
    assert!(with_week(steady(1), 4).spike);
    // Three a week: 6 is within chance, 7 is a spike.
    assert!(!with_week(steady(3), 6).spike);
    assert!(with_week(steady(3), 7).spike);
    // Fewer than usual is never a spike.
    assert!(!with_week(steady(3), 0).spike);
}

#[test]
fn poisson_tail_matches_known_values() {
    assert!((poisson_tail(1.0, 3) - 0.080_301).abs() < 1e-5);
    assert!((poisson_tail(0.5, 3) - 0.014_388).abs() < 1e-5);
    assert_eq!(poisson_tail(2.0, 0), 1.0);
}

#[test]
fn whole_archive_volume_and_empty_weeks_are_buckets() {
    let w = week("2026-W47");
    let r = rows(w, Label::Neutral, 1, 1, None);
    // span_weeks(prev, next) is 8 baseline weeks then W46, W47, W48.
    assert_eq!(span_weeks(w.prev(), w.next()).len(), 11);
    let mut volume = vec![(0, 0); 8];
    volume.extend([(0, 0), (3, 2), (1, 1)]);
    let b = weekly(&r, &[], &volume, w.prev(), w.next());
    assert_eq!(b.len(), 3);
    assert_eq!((b[0].articles, b[0].all_articles), (0, 0));
    assert_eq!((b[1].articles, b[1].all_articles, b[1].all_stories), (1, 3, 2));
    assert_eq!(b[2].all_articles, 1);
    assert_eq!(weekly(&r, &[], &[], w, w)[0].all_articles, 0, "missing volume counts as zero");
}

#[test]
fn stories_list_faces_by_label() {
    let w = week("2026-W47");
    let mut r = rows(w, Label::Stigmatizing, 2, 5, Some(5));
    r.extend(rows(w, Label::Neutral, 1, 1, Some(5)));
    let refs: Vec<&FigureRow> = r.iter().collect();
    let s = stories(&refs);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].label, Label::Stigmatizing);
    assert_eq!(s[0].articles.len(), 3);
    assert_eq!(s[0].labelled, vec![5, 6]);
}
