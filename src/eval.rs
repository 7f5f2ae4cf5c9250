//! Scores predicted labels against gold labels and district detection against expected districts.
//! Pure arithmetic, serializable to the `eval --json` shape of shared/INTERFACE.md.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::model::Label;

/// Precision, recall and F1 of one label, with its gold support.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LabelScore {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

/// The `eval --json` report: `{"n", "macro_f1", "accuracy", "per_label", "confusion"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub n: usize,
    pub macro_f1: f64,
    pub accuracy: f64,
    pub per_label: BTreeMap<String, LabelScore>,
    /// gold label → predicted label → count; every label appears in both levels.
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Builds the report from (gold, predicted) pairs. Macro-F1 is the mean over all four labels, so a
/// label with no support and no predictions counts as 0 (the codebook's four labels are the target).
pub fn report(pairs: &[(Label, Label)]) -> Report {
    let mut confusion: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for g in Label::ALL {
        let row = confusion.entry(g.as_str().to_string()).or_default();
        for p in Label::ALL {
            row.insert(p.as_str().to_string(), 0);
        }
    }
    for (g, p) in pairs {
        *confusion.get_mut(g.as_str()).and_then(|row| row.get_mut(p.as_str())).expect("all labels present") += 1;
    }
    let mut per_label = BTreeMap::new();
    for l in Label::ALL {
        let tp = pairs.iter().filter(|(g, p)| *g == l && *p == l).count();
        let predicted = pairs.iter().filter(|(_, p)| *p == l).count();
        let support = pairs.iter().filter(|(g, _)| *g == l).count();
        let (precision, recall) = (ratio(tp, predicted), ratio(tp, support));
        per_label.insert(l.as_str().to_string(), LabelScore { precision, recall, f1: f1(precision, recall), support });
    }
    let macro_f1 = per_label.values().map(|s| s.f1).sum::<f64>() / Label::ALL.len() as f64;
    let correct = pairs.iter().filter(|(g, p)| g == p).count();
    Report { n: pairs.len(), macro_f1, accuracy: ratio(correct, pairs.len()), per_label, confusion }
}

/// Precision and recall of district detection over (line, district id) pairs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DetectionScore {
    pub precision: f64,
    pub recall: f64,
    pub true_positives: usize,
    pub predicted: usize,
    pub expected: usize,
}

/// `lines` holds, per gold line, the expected district ids and the detected ones.
pub fn detection(lines: &[(Vec<String>, Vec<String>)]) -> DetectionScore {
    let (mut tp, mut predicted, mut expected) = (0, 0, 0);
    for (exp, got) in lines {
        let exp: HashSet<&String> = exp.iter().collect();
        let got: HashSet<&String> = got.iter().collect();
        tp += exp.intersection(&got).count();
        predicted += got.len();
        expected += exp.len();
    }
    DetectionScore {
        // With nothing predicted there is no false alarm: precision 1 is the honest value.
        precision: if predicted == 0 { 1.0 } else { ratio(tp, predicted) },
        recall: if expected == 0 { 1.0 } else { ratio(tp, expected) },
        true_positives: tp,
        predicted,
        expected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Label::*;

    #[test]
    fn per_label_and_macro() {
        let pairs = [
            (Stigmatizing, Stigmatizing),
            (Stigmatizing, Negative),
            (Negative, Negative),
            (Positive, Positive),
            (Neutral, Positive),
        ];
        let r = report(&pairs);
        assert_eq!(r.n, 5);
        assert!((r.accuracy - 0.6).abs() < 1e-9);
        let s = r.per_label["stigmatizing"];
        assert_eq!((s.precision, s.recall, s.support), (1.0, 0.5, 2));
        let n = r.per_label["negative"];
        assert!((n.precision - 0.5).abs() < 1e-9 && n.recall == 1.0);
        assert_eq!(r.per_label["neutral"].f1, 0.0);
        let expected = (2.0 / 3.0 + 2.0 / 3.0 + 0.0 + 2.0 / 3.0) / 4.0;
        assert!((r.macro_f1 - expected).abs() < 1e-9);
        assert_eq!(r.confusion["neutral"]["positive"], 1);
        assert_eq!(r.confusion["stigmatizing"]["negative"], 1);
    }

    #[test]
    fn json_shape() {
        let v = serde_json::to_value(report(&[(Positive, Positive)])).unwrap();
        for k in ["n", "macro_f1", "accuracy", "per_label", "confusion"] {
            assert!(v.get(k).is_some(), "missing {k}");
        }
        assert!(v["per_label"]["positive"]["support"].as_u64() == Some(1));
        assert!(v["confusion"]["negative"]["stigmatizing"].as_u64() == Some(0));
    }

    #[test]
    fn detection_counts_pairs() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let d = detection(&[(s(&["a", "b"]), s(&["a"])), (s(&[]), s(&["c"])), (s(&["d"]), s(&["d"]))]);
        assert_eq!((d.true_positives, d.predicted, d.expected), (2, 3, 3));
        assert!((d.precision - 2.0 / 3.0).abs() < 1e-9);
    }
}
