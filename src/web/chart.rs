//! Charts drawn on the server as SVG: stacked weekly bars by tone and lines per district. No
//! script and no inline style, so they work under the strict CSP and download as plain files.

use std::fmt::Write;

use super::page::escape;
use crate::model::Label;

/// One week of a chart's data table.
pub(crate) struct Row {
    pub week: String,
    pub counts: [u32; 4],
    pub total: u32,
    /// Stigmatizing share in percent, rounded.
    pub share: u32,
}

pub(crate) fn rows(weeks: &[(String, [u32; 4])]) -> Vec<Row> {
    weeks
        .iter()
        .map(|(w, c)| {
            let total: u32 = c.iter().sum();
            let share = if total == 0 { 0 } else { (c[0] as f64 * 100.0 / total as f64).round() as u32 };
            Row { week: w.clone(), counts: *c, total, share }
        })
        .collect()
}

/// Tone colours, from a colour-blind-safe diverging scheme (red = stigmatizing … blue = positive).
pub(crate) fn colour(l: Label) -> &'static str {
    match l {
        Label::Stigmatizing => "#b2182b",
        Label::Negative => "#ef8a62",
        Label::Neutral => "#8c8c8c",
        Label::Positive => "#2166ac",
    }
}

const LINE_COLOURS: [&str; 6] = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#a6761d"];
const W: f64 = 900.0;
const H: f64 = 320.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 48.0;

fn open(out: &mut String, id: &str, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" class=\"chart\" role=\"img\" \
         aria-labelledby=\"{id}-t {id}-d\" font-family=\"sans-serif\" font-size=\"12\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>\
         <rect width=\"{W}\" height=\"{H}\" fill=\"#ffffff\"/>",
        escape(title),
        escape(desc)
    );
}

/// A round maximum for the y axis and its gridlines.
fn axis(out: &mut String, max: f64, weeks: &[String], percent: bool) -> f64 {
    let top = if percent { 1.0 } else { nice(max) };
    let plot_h = H - TOP - BOTTOM;
    for i in 0..=4 {
        let v = top * i as f64 / 4.0;
        let y = H - BOTTOM - plot_h * i as f64 / 4.0;
        let label = if percent { format!("{:.0} %", v * 100.0) } else { format!("{v:.0}") };
        let _ = write!(
            out,
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#dddddd\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#333333\">{label}</text>",
            W - RIGHT,
            LEFT - 6.0,
            y + 4.0
        );
    }
    let step = weeks.len().div_ceil(12).max(1);
    let slot = (W - LEFT - RIGHT) / weeks.len().max(1) as f64;
    for (i, w) in weeks.iter().enumerate().filter(|(i, _)| i % step == 0) {
        let x = LEFT + slot * (i as f64 + 0.5);
        let _ = write!(
            out,
            "<text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333333\">{}</text>",
            H - BOTTOM + 16.0,
            escape(w.split_once("-W").map(|(_, n)| n).unwrap_or(w))
        );
    }
    if let (Some(first), Some(last)) = (weeks.first(), weeks.last()) {
        let _ = write!(
            out,
            "<text x=\"{LEFT}\" y=\"{}\" fill=\"#555555\">{} – {}</text>",
            H - 8.0,
            escape(first),
            escape(last)
        );
    }
    top
}

fn nice(max: f64) -> f64 {
    if max <= 4.0 {
        return 4.0;
    }
    let mag = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|v| *v >= max).unwrap_or(max)
}

fn legend(out: &mut String, items: &[(&str, &str)]) {
    let mut x = LEFT;
    for (name, colour) in items {
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"12\" width=\"12\" height=\"12\" fill=\"{colour}\"/>\
             <text x=\"{:.1}\" y=\"22\" fill=\"#222222\">{}</text>",
            x + 16.0,
            escape(name)
        );
        x += 26.0 + 7.5 * name.chars().count() as f64;
    }
}

/// Stacked bars: for each week, counts per tone in `Label::ALL` order.
pub(crate) fn stacked(id: &str, title: &str, desc: &str, weeks: &[(String, [u32; 4])], names: [&str; 4]) -> String {
    let mut out = String::new();
    open(&mut out, id, title, desc);
    let labels: Vec<String> = weeks.iter().map(|(w, _)| w.clone()).collect();
    let max = weeks.iter().map(|(_, c)| c.iter().sum::<u32>()).max().unwrap_or(0) as f64;
    let top = axis(&mut out, max, &labels, false);
    let plot_h = H - TOP - BOTTOM;
    let slot = (W - LEFT - RIGHT) / weeks.len().max(1) as f64;
    let bar = (slot * 0.75).max(1.0);
    for (i, (week, counts)) in weeks.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let mut y = H - BOTTOM;
        for (l, n) in Label::ALL.iter().zip(counts) {
            if *n == 0 {
                continue;
            }
            let h = plot_h * *n as f64 / top;
            y -= h;
            let _ = write!(
                out,
                "<rect class=\"bar\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"{}\">\
                 <title>{} {}: {n}</title></rect>",
                colour(*l),
                escape(week),
                escape(names[*l as usize])
            );
        }
    }
    let items: Vec<(&str, &str)> = Label::ALL.iter().map(|l| (names[*l as usize], colour(*l))).collect();
    legend(&mut out, &items);
    out.push_str("</svg>");
    out
}

/// One line per series over the same weeks.
pub(crate) fn lines(id: &str, title: &str, desc: &str, weeks: &[String], series: &[(String, Vec<f64>)]) -> String {
    let mut out = String::new();
    open(&mut out, id, title, desc);
    let max = series.iter().flat_map(|(_, v)| v.iter().copied()).fold(0.0, f64::max);
    let top = axis(&mut out, max, weeks, false);
    let plot_h = H - TOP - BOTTOM;
    let slot = (W - LEFT - RIGHT) / weeks.len().max(1) as f64;
    let mut items = Vec::new();
    for (k, (name, values)) in series.iter().enumerate() {
        let c = LINE_COLOURS[k % LINE_COLOURS.len()];
        let points: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", LEFT + slot * (i as f64 + 0.5), H - BOTTOM - plot_h * v / top))
            .collect();
        let _ = write!(
            out,
            "<polyline class=\"line\" fill=\"none\" stroke=\"{c}\" stroke-width=\"2.5\" points=\"{}\"/>",
            points.join(" ")
        );
        items.push((name.as_str(), c));
    }
    legend(&mut out, &items);
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_escape_text_and_scale() {
        let weeks = vec![("2026-W47".to_string(), [2, 0, 1, 1]), ("2026-W48".to_string(), [0, 0, 0, 8])];
        let svg = stacked("c", "<Araby>", "d", &weeks, ["S", "N", "Ne", "P"]);
        assert!(svg.contains("&lt;Araby&gt;") && !svg.contains("<Araby>"));
        assert_eq!(svg.matches("class=\"bar\"").count(), 4, "one rect per non-zero count");
        assert_eq!(nice(8.0), 10.0);
        assert_eq!(nice(3.0), 4.0);
    }
}
