//! Golden-file tests for the matcher and the classifier: our own example articles in
//! `tests/golden/*.jsonl`; a failure prints every differing case with its evidence.

use tonlage::districts::{DistrictHit, Matcher};
use tonlage::model::{District, Label};
use tonlage::tone::{Classifier, VERSION};

#[derive(serde::Deserialize)]
struct ToneCase {
    id: String,
    title: String,
    text: String,
    district: String,
    label: String,
    note: String,
}

#[derive(serde::Deserialize)]
struct DistrictCase {
    id: String,
    title: String,
    text: String,
    expected: Vec<String>,
    note: String,
}

#[derive(serde::Deserialize)]
struct Config {
    district: Vec<TomlDistrict>,
}

#[derive(serde::Deserialize)]
struct TomlDistrict {
    id: String,
    name: String,
    aliases: Vec<String>,
    exclude: Vec<String>,
    #[serde(default)]
    context: Vec<String>,
}

fn district(name: &str) -> District {
    District {
        id: name.to_lowercase(),
        name: name.into(),
        municipality: String::new(),
        aliases: vec![name.into()],
        exclude: Vec::new(),
        context: Vec::new(),
    }
}

fn classify(c: &Classifier, title: &str, text: &str, name: &str) -> tonlage::model::Tone {
    let d = district(name);
    let hit = Matcher::new(std::slice::from_ref(&d))
        .find(title, text)
        .into_iter()
        .next()
        .unwrap_or(DistrictHit { district_id: d.id, mentions: Vec::new() });
    c.classify(title, text, &hit)
}

fn cases<T: serde::de::DeserializeOwned>(file: &str) -> Vec<T> {
    file.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad golden line {l}: {e}")))
        .collect()
}

#[test]
fn tone_golden() {
    let c = Classifier::new();
    let all: Vec<ToneCase> = cases(include_str!("golden/tone.jsonl"));
    assert!(all.len() >= 30, "need at least 30 golden tone cases");
    let mut diff = String::new();
    for g in &all {
        let want = Label::parse(&g.label).expect("label");
        let got = classify(&c, &g.title, &g.text, &g.district);
        if got.label != want {
            diff.push_str(&format!(
                "\n{}: expected {} got {} ({:.2})  [{}]\n  title: {}\n",
                g.id,
                want.as_str(),
                got.label.as_str(),
                got.score,
                g.note,
                g.title
            ));
            for e in &got.evidence {
                diff.push_str(&format!("  evidence {:?}: {}\n", e.terms, e.text));
            }
        }
    }
    assert!(diff.is_empty(), "tone golden cases differ ({VERSION}):{diff}");
}

#[test]
fn district_golden() {
    let cfg: Config = toml::from_str(include_str!("golden/districts.toml")).expect("toml");
    let ds: Vec<District> = cfg
        .district
        .into_iter()
        .map(|d| District {
            id: d.id,
            name: d.name,
            municipality: String::new(),
            aliases: d.aliases,
            exclude: d.exclude,
            context: d.context,
        })
        .collect();
    let m = Matcher::new(&ds);
    let mut diff = String::new();
    for g in cases::<DistrictCase>(include_str!("golden/districts.jsonl")) {
        let got: Vec<String> = m.find(&g.title, &g.text).into_iter().map(|h| h.district_id).collect();
        if got != g.expected {
            diff.push_str(&format!(
                "\n{}: expected {:?} got {:?}  [{}]\n  {} | {}\n",
                g.id, g.expected, got, g.note, g.title, g.text
            ));
        }
    }
    assert!(diff.is_empty(), "district golden cases differ:{diff}");
}

#[test]
fn labels_carry_scores_frames_and_evidence() {
    let c = Classifier::new();
    let t = classify(&c, "Skottlossning i Lunden", "Flera skott avlossades i Lunden i natt.", "Lunden");
    assert_eq!(t.label, Label::Stigmatizing);
    assert!(t.score < -0.5 && t.score >= -1.0);
    assert!(t.frames.contains(&"violence".to_string()));
    assert!(!t.evidence.is_empty() && t.evidence.iter().all(|e| e.text.chars().count() <= 300));
    assert!(t.evidence[0].terms.iter().any(|w| w.contains("skottlossning")));
    let p = classify(&c, "Festival i Lunden", "Tusentals kom till festivalen i Lunden.", "Lunden");
    assert!(p.label == Label::Positive && p.score > 0.0 && p.score <= 1.0);
}

#[test]
fn bad_input_never_panics_and_is_bounded() {
    let c = Classifier::new();
    let m = Matcher::new(&[district("Lunden")]);
    let big = "Skott i Lunden och fest på torget ".repeat(150_000); // ~5 MB, no sentence ends
    let start = std::time::Instant::now();
    let hits = m.find("", &big);
    assert_eq!(hits.len(), 1);
    let t = c.classify("", &big, &hits[0]);
    assert!(Label::ALL.contains(&t.label));
    assert!(start.elapsed().as_secs() < 20, "5 MB took {:?}", start.elapsed());
    let weird = ["", " ", "\u{0}\u{feff}<<<>>>", "ÅÄÖ...!!!???", "<p><p><p>", "İ̇ẞ Lunden ß"];
    for w in weird {
        let hit = DistrictHit { district_id: "lunden".into(), mentions: Vec::new() };
        let _ = c.classify(w, w, &hit);
        let _ = m.find(w, w);
    }
    // Mentions pointing past the text (a stale hit) must not panic either.
    let stale = DistrictHit {
        district_id: "lunden".into(),
        mentions: vec![tonlage::districts::Mention { in_title: false, start: 10_000, end: 10_006 }],
    };
    assert_eq!(c.classify("", "kort", &stale).label, Label::Neutral);
}
