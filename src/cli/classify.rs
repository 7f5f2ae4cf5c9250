//! `classify` and `eval`: the tone classifier on JSON lines, and its scores against labelled lines.

use std::io::{BufRead, BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

use super::UsageError;
use crate::config::{Config, ConfigError};
use crate::ingest;
use crate::model::{District, Label, Tone};
use crate::tone;

#[derive(Deserialize)]
struct InLine {
    #[serde(default)]
    id: serde_json::Value,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
    district: Option<String>,
    label: Option<String>,
    expected: Option<Vec<String>>,
}

/// The configured districts; a missing config file means none (classify with explicit districts
/// needs no config), but a broken one is still an error.
pub(super) fn districts_for(path: &Path) -> anyhow::Result<Vec<District>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    Ok(Config::load(path)?.districts)
}

/// The configured districts with the product's labeller; a name outside the config is matched
/// as a name with its inflections.
struct Labeller {
    districts: Vec<District>,
    inner: ingest::Labeller,
}

impl Labeller {
    fn new(districts: &[District]) -> Labeller {
        Labeller { districts: districts.to_vec(), inner: ingest::Labeller::for_districts(districts) }
    }

    /// Tone toward a named district: a configured one by id, name or alias, else the name itself.
    fn for_named(&self, title: &str, text: &str, name: &str) -> (String, Tone) {
        let key = name.trim().to_lowercase();
        let district = self
            .districts
            .iter()
            .find(|d| d.id == key || d.name.to_lowercase() == key || d.aliases.iter().any(|a| a.to_lowercase() == key))
            .cloned()
            .unwrap_or_else(|| District {
                id: key.clone(),
                name: name.trim().to_string(),
                municipality: String::new(),
                aliases: vec![name.trim().to_string()],
                exclude: Vec::new(),
                context: Vec::new(),
            });
        let tone = self.inner.for_district(title, text, &district);
        (district.id, tone)
    }

    fn detected(&self, title: &str, text: &str) -> Vec<(String, Tone)> {
        self.inner.label(title, text)
    }
}

fn out_line(id: &serde_json::Value, district: &str, district_id: &str, tone: &Tone) -> serde_json::Value {
    serde_json::json!({
        "id": id, "district": district, "district_id": district_id, "label": tone.label, "score": tone.score,
        "frames": tone.frames, "evidence": tone.evidence, "classifier_version": tone::VERSION,
    })
}

pub(super) fn classify(districts: &[District]) -> anyhow::Result<()> {
    let labeller = Labeller::new(districts);
    let stdin = std::io::stdin();
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut bad = 0;
    for (n, line) in stdin.lock().lines().enumerate() {
        let line = line.context("cannot read stdin")?;
        if line.trim().is_empty() {
            continue;
        }
        let input: InLine = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("tonlage classify: line {}: not a classify input line: {e}", n + 1);
                bad += 1;
                continue;
            }
        };
        match &input.district {
            Some(name) => {
                let (id, tone) = labeller.for_named(&input.title, &input.text, name);
                writeln!(out, "{}", out_line(&input.id, name, &id, &tone))?;
            }
            None => {
                for (id, tone) in labeller.detected(&input.title, &input.text) {
                    writeln!(out, "{}", out_line(&input.id, &id, &id, &tone))?;
                }
            }
        }
    }
    out.flush()?;
    if bad > 0 {
        anyhow::bail!("{bad} input line(s) could not be read");
    }
    Ok(())
}

pub(super) fn eval(districts: &[District], gold: &Path, json: bool) -> anyhow::Result<()> {
    let file = std::fs::File::open(gold).map_err(|e| ConfigError {
        path: gold.display().to_string(),
        message: format!("cannot read gold file: {e}"),
    })?;
    let labeller = Labeller::new(districts);
    let mut pairs = Vec::new();
    let mut detection = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let g: InLine =
            serde_json::from_str(&line).map_err(|e| UsageError(format!("{}: line {}: {e}", gold.display(), n + 1)))?;
        if let Some(expected) = g.expected {
            let got = labeller.detected(&g.title, &g.text).into_iter().map(|(id, _)| id).collect();
            detection.push((expected, got));
        }
        if let (Some(label), Some(district)) = (g.label.as_deref(), g.district.as_deref()) {
            let gold_label = Label::parse(label)
                .ok_or_else(|| UsageError(format!("{}: line {}: unknown label {label:?}", gold.display(), n + 1)))?;
            let (_, tone) = labeller.for_named(&g.title, &g.text, district);
            pairs.push((gold_label, tone.label));
        }
    }
    if pairs.is_empty() && detection.is_empty() {
        return Err(UsageError(format!(
            "{}: no line has a \"label\" and \"district\", or \"expected\"",
            gold.display()
        ))
        .into());
    }
    let report = crate::eval::report(&pairs);
    let det = (!detection.is_empty()).then(|| crate::eval::detection(&detection));
    if json {
        let mut v = serde_json::to_value(&report)?;
        v["classifier_version"] = tone::VERSION.into();
        if let Some(d) = &det {
            v["detection"] = serde_json::to_value(d)?;
        }
        println!("{v}");
        return Ok(());
    }
    println!("Klassificerare {} på {} ({} rader)", tone::VERSION, gold.display(), report.n);
    if report.n > 0 {
        println!("\n{:<14} {:>9} {:>9} {:>9} {:>8}", "etikett", "precision", "recall", "F1", "stöd");
        for l in Label::ALL {
            let s = &report.per_label[l.as_str()];
            println!("{:<14} {:>9.3} {:>9.3} {:>9.3} {:>8}", l.as_str(), s.precision, s.recall, s.f1, s.support);
        }
        println!("\nmakro-F1 {:.3}, träffsäkerhet {:.3}", report.macro_f1, report.accuracy);
        println!("\nförväxlingar (rad: facit, kolumn: klassificerat)");
        print!("{:<14}", "");
        for l in Label::ALL {
            print!(" {:>12}", l.as_str());
        }
        println!();
        for g in Label::ALL {
            print!("{:<14}", g.as_str());
            for p in Label::ALL {
                print!(" {:>12}", report.confusion[g.as_str()][p.as_str()]);
            }
            println!();
        }
    }
    if let Some(d) = det {
        println!(
            "\nområdesigenkänning: precision {:.3}, recall {:.3} ({} rätt av {} funna, {} väntade)",
            d.precision, d.recall, d.true_positives, d.predicted, d.expected
        );
    }
    Ok(())
}
