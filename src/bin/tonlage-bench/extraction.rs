//! Extraction quality and speed on the public article-extraction benchmark (shared/extraction-benchmark):
//! 4-token shingle precision/recall/F1 as its README defines them, exact-token accuracy, pages/s.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

/// `\w+` runs: Unicode letters, digits, marks and the underscore.
fn tokens(s: &str) -> Vec<&str> {
    s.split(|c: char| !(c.is_alphanumeric() || c == '_' || is_mark(c))).filter(|t| !t.is_empty()).collect()
}

fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x0610..=0x061A
        | 0x064B..=0x065F | 0x0900..=0x0903 | 0x093A..=0x094F | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

fn shingles<'a>(t: &'a [&'a str]) -> HashMap<&'a [&'a str], i64> {
    let mut m = HashMap::new();
    if t.len() < 4 {
        *m.entry(t).or_insert(0) += 1;
        return m;
    }
    for w in t.windows(4) {
        *m.entry(w).or_insert(0) += 1;
    }
    m
}

/// Per-page (precision, recall), each `None` when undefined for that page.
fn page_score(truth: &str, predicted: &str) -> (Option<f64>, Option<f64>, bool) {
    let (tt, pt) = (tokens(truth), tokens(predicted));
    let (ts, ps) = (shingles(&tt), shingles(&pt));
    let tp: i64 = ps.iter().map(|(k, n)| (*n).min(*ts.get(k).unwrap_or(&0))).sum();
    let fp = ps.values().sum::<i64>() - tp;
    let fn_ = ts.values().sum::<i64>() - tp;
    let sum = (tp + fp + fn_).max(1) as f64;
    let (tp, fp, fn_) = (tp as f64 / sum, fp as f64 / sum, fn_ as f64 / sum);
    let perfect = fp == 0.0 && fn_ == 0.0;
    let p = if perfect { Some(1.0) } else { (tp + fp > 0.0).then(|| tp / (tp + fp)) };
    let r = if perfect { Some(1.0) } else { (tp + fn_ > 0.0).then(|| tp / (tp + fn_)) };
    (p, r, tt == pt)
}

/// Mean precision and recall over pages, F1 from the means, and exact-token accuracy.
struct Score {
    p: f64,
    r: f64,
    f1: f64,
    accuracy: f64,
}

fn score_all<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Score {
    let (mut psum, mut pn, mut rsum, mut rn, mut exact, mut n) = (0.0, 0usize, 0.0, 0usize, 0usize, 0usize);
    for (truth, predicted) in pairs {
        let (p, r, same) = page_score(truth, predicted);
        if let Some(p) = p {
            psum += p;
            pn += 1;
        }
        if let Some(r) = r {
            rsum += r;
            rn += 1;
        }
        exact += usize::from(same);
        n += 1;
    }
    let (p, r) = (psum / pn.max(1) as f64, rsum / rn.max(1) as f64);
    let f1 = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
    Score { p, r, f1, accuracy: exact as f64 / n.max(1) as f64 }
}

/// trafilatura on the same pages in a Python subprocess; its own timing excludes start-up.
fn trafilatura(dir: &Path) -> anyhow::Result<(HashMap<String, String>, f64, String)> {
    let out = tempfile::NamedTempFile::new()?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/trafilatura_extract.py");
    let status = std::process::Command::new("python3").arg(&script).arg(dir).arg(out.path()).status()?;
    anyhow::ensure!(status.success(), "trafilatura run failed (pip install trafilatura lxml_html_clean)");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(out.path())?)?;
    let texts = v["texts"]
        .as_object()
        .map(|m| m.iter().map(|(k, t)| (k.clone(), t.as_str().unwrap_or("").to_string())).collect())
        .unwrap_or_default();
    Ok((texts, v["seconds"].as_f64().unwrap_or(f64::NAN), v["version"].as_str().unwrap_or("?").to_string()))
}

pub fn run(dir: &Path, compare: bool) -> anyhow::Result<()> {
    let gt: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("ground-truth.json"))?)?;
    let gt = gt.as_object().ok_or_else(|| anyhow::anyhow!("ground-truth.json is not an object"))?;
    let mut ids: Vec<&String> = gt.keys().collect();
    ids.sort();
    let mut pages = Vec::with_capacity(ids.len());
    for id in &ids {
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(dir.join("html").join(format!("{id}.html.gz")))?)
            .read_to_end(&mut raw)?;
        pages.push(raw);
    }
    let mut ours = HashMap::new();
    let mut elapsed = Duration::ZERO;
    let mut bytes = 0usize;
    for (id, raw) in ids.iter().zip(&pages) {
        let t0 = Instant::now();
        // The product's own path: charset handling, then extraction.
        let (html, _) = tonlage::fetch::decode_text(raw, None);
        let out = tonlage::extract::extract(&html, None)?;
        elapsed += t0.elapsed();
        bytes += raw.len();
        ours.insert(id.to_string(), out.text);
    }
    let truth = |id: &str| gt[id]["articleBody"].as_str().unwrap_or("");
    let s = score_all(ids.iter().map(|id| (truth(id), ours[id.as_str()].as_str())));
    let secs = elapsed.as_secs_f64();
    let our_rate = ids.len() as f64 / secs;
    println!("extraction benchmark: {} pages", ids.len());
    println!("  tonlage:     P {:.4}  R {:.4}  F1 {:.4}  accuracy {:.4}", s.p, s.r, s.f1, s.accuracy);
    println!("  tonlage:     {our_rate:.0} pages/s, {:.1} MB/s on one thread", bytes as f64 / 1e6 / secs);
    if compare {
        let (theirs, tsecs, version) = trafilatura(dir)?;
        let t = score_all(ids.iter().map(|id| (truth(id), theirs.get(id.as_str()).map(String::as_str).unwrap_or(""))));
        let their_rate = ids.len() as f64 / tsecs;
        println!("  trafilatura {version}: P {:.4}  R {:.4}  F1 {:.4}  accuracy {:.4}", t.p, t.r, t.f1, t.accuracy);
        println!("  trafilatura: {their_rate:.0} pages/s on one thread");
        println!("  ratio: F1 {:.3}x, speed {:.1}x trafilatura's", s.f1 / t.f1, our_rate / their_rate);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_text_scores_one_and_disjoint_zero() {
        let (p, r, same) = page_score("ett två tre fyra fem", "ett två tre fyra fem");
        assert_eq!((p, r, same), (Some(1.0), Some(1.0), true));
        let (p, r, _) = page_score("ett två tre fyra fem", "sex sju åtta nio tio");
        assert_eq!((p, r), (Some(0.0), Some(0.0)));
    }
}
