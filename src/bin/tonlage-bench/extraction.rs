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

pub fn run(dir: &Path) -> anyhow::Result<()> {
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
    let (mut psum, mut pn, mut rsum, mut rn, mut exact) = (0.0, 0usize, 0.0, 0usize, 0usize);
    let mut elapsed = Duration::ZERO;
    let mut bytes = 0usize;
    for (id, raw) in ids.iter().zip(&pages) {
        let t0 = Instant::now();
        // The product's own path: charset handling, then extraction.
        let (html, _) = tonlage::fetch::decode_text(raw, None);
        let out = tonlage::extract::extract(&html, None)?;
        elapsed += t0.elapsed();
        bytes += raw.len();
        let truth = gt[id.as_str()]["articleBody"].as_str().unwrap_or("");
        let (p, r, same) = page_score(truth, &out.text);
        if let Some(p) = p {
            psum += p;
            pn += 1;
        }
        if let Some(r) = r {
            rsum += r;
            rn += 1;
        }
        exact += usize::from(same);
    }
    let (p, r) = (psum / pn.max(1) as f64, rsum / rn.max(1) as f64);
    let f1 = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
    let secs = elapsed.as_secs_f64();
    println!("extraction benchmark: {} pages", ids.len());
    println!("  precision {p:.4}  recall {r:.4}  F1 {f1:.4}  accuracy {:.4}", exact as f64 / ids.len() as f64);
    println!("  {:.0} pages/s, {:.1} MB/s on one thread", ids.len() as f64 / secs, bytes as f64 / 1e6 / secs);
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
