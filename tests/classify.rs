//! `classify` and `eval` from outside, on JSON lines of our own wording, including bad input.

mod common;

use common::run_with;

fn classify(config: &str, input: &[u8]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    std::fs::write(&path, config).unwrap();
    let out = run_with(&path, &dir.path().join("data"), &["classify"], Some(input));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn named_and_detected_districts_get_labels_with_evidence() {
    let input = concat!(
        r#"{"id": "a1", "title": "Två skadade i skottlossning i Araby", "text": "Polisen larmades vid tiotiden efter flera skott i Araby. Två män fördes till sjukhus.", "district": "Araby"}"#,
        "\n",
        r#"{"id": "a2", "title": "Nytt bibliotek invigt på Dalbo", "text": "Det nya biblioteket på Dalbo invigdes i helgen med musik och fika. Hundratals boende kom."}"#,
        "\n",
        r#"{"id": "a3", "title": "Ingen nämns", "text": "En text om väder och vind i Småland."}"#,
        "\n"
    );
    let (code, out, err) = classify(common::DISTRICTS, input.as_bytes());
    assert_eq!(code, 0, "{err}");
    let v = lines(&out);
    assert_eq!(v.len(), 2, "a3 names no district: {out}");
    assert_eq!(v[0]["id"], "a1");
    assert_eq!(v[0]["district"], "Araby");
    assert_eq!(v[0]["label"], "stigmatizing");
    assert!(v[0]["score"].as_f64().unwrap() < 0.0);
    assert!(!v[0]["evidence"].as_array().unwrap().is_empty(), "{out}");
    assert!(v[0]["frames"].as_array().unwrap().iter().any(|f| f == "violence"), "{out}");
    assert_eq!(v[1]["id"], "a2");
    assert_eq!(v[1]["district"], "dalbo");
    assert_eq!(v[1]["label"], "positive");
    for line in &v {
        let s = line["score"].as_f64().unwrap();
        assert!((-1.0..=1.0).contains(&s));
    }
}

#[test]
fn a_district_outside_the_config_is_matched_by_name() {
    let input = r#"{"id": "x", "title": "Fotbollsskola i Kronogården", "text": "Barn i Kronogården får gratis fotbollsträning hela sommaren.", "district": "Kronogården"}"#;
    let (code, out, err) = classify("", input.as_bytes());
    assert_eq!(code, 0, "{err}");
    let v = lines(&out);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["label"], "positive", "{out}");
}

#[test]
fn bad_input_gives_a_label_or_a_clear_error_never_a_panic() {
    let huge = "ord ".repeat(1_300_000); // ~5 MB, no sentence breaks
    let html = "<div><p>Polisen <b>grep</b> två personer i Araby efter en skjutning</p><script>alert(1)</script></div>";
    let mixed = "Araby is mentioned here in English. مرحبا Araby. Araby på svenska också.";
    let mut input = String::new();
    for (id, text) in [("empty", ""), ("huge", huge.as_str()), ("html", html), ("mixed", mixed)] {
        input.push_str(&serde_json::json!({"id": id, "title": "", "text": text, "district": "Araby"}).to_string());
        input.push('\n');
    }
    input.push_str("this is not json\n");
    let (code, out, err) = classify(common::DISTRICTS, input.as_bytes());
    assert_eq!(code, 1, "a bad line makes the run fail at the end: {err}");
    assert!(err.contains("line 5"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let v = lines(&out);
    assert_eq!(v.len(), 4, "every readable line got a label: {out}");
    assert_eq!(v[2]["label"], "stigmatizing", "HTML left in text is still read: {}", v[2]);
}

#[test]
fn eval_scores_and_reports_json() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.jsonl");
    let lines = [
        r#"{"id": "g1", "title": "Skottlossning i Araby i natt", "text": "Flera skott avlossades i Araby.", "district": "Araby", "label": "stigmatizing"}"#,
        r#"{"id": "g2", "title": "Ny lekplats i Araby", "text": "Kommunen har byggt en ny lekplats i Araby som barnen varit med och formgett.", "district": "Araby", "label": "positive"}"#,
        r#"{"id": "g3", "title": "Dalbo", "text": "Anna från Dalbo vann tävlingen i Stockholm.", "expected": ["dalbo"]}"#,
    ];
    std::fs::write(&gold, lines.join("\n")).unwrap();
    let cfg = dir.path().join("feeds.toml");
    std::fs::write(&cfg, common::DISTRICTS).unwrap();
    let out = run_with(&cfg, dir.path(), &["eval", gold.to_str().unwrap(), "--json"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["n"], 2);
    assert_eq!(v["per_label"]["stigmatizing"]["support"], 1);
    for key in ["macro_f1", "accuracy", "per_label", "confusion"] {
        assert!(v.get(key).is_some(), "{key} missing: {v}");
    }
    assert_eq!(v["detection"]["expected"], 1);
    let text = run_with(&cfg, dir.path(), &["eval", gold.to_str().unwrap()], None);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("makro-F1") && text.contains("stigmatizing"), "{text}");
}
