//! Article lists exported by another system: one URL a line, CSV with a header naming a `url`
//! column (and optional `date`/`published`, `title`, `outlet`/`source`), or JSON lines with the
//! same keys. Pure. A bad line is reported with its number and never costs the others.

use chrono::{DateTime, Utc};

use crate::fetch;

/// One article of a list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListItem {
    pub url: String,
    pub date: Option<DateTime<Utc>>,
    pub title: Option<String>,
    pub outlet: Option<String>,
}

/// Parses a list; each item or problem comes with its line number.
pub fn parse_list(text: &str) -> Vec<(usize, Result<ListItem, String>)> {
    let text = text.trim_start_matches('\u{feff}');
    let Some((first_no, first)) = text.lines().enumerate().find(|(_, l)| !l.trim().is_empty()) else {
        return Vec::new();
    };
    if first.trim_start().starts_with('{') {
        return json_lines(text);
    }
    if let Some(delim) = csv_delimiter(first) {
        return csv(text, first_no, delim);
    }
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| (i + 1, item(l.trim(), None, None, None)))
        .collect()
}

fn item(url: &str, date: Option<&str>, title: Option<&str>, outlet: Option<&str>) -> Result<ListItem, String> {
    let url = url.trim();
    if !(url.starts_with("http://") || url.starts_with("https://")) || url::Url::parse(url).is_err() {
        return Err(format!("{url:?} är ingen http(s)-adress"));
    }
    let date = match date.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(fetch::parse_timestamp(d).ok_or_else(|| format!("{d:?} är inget datum"))?),
        None => None,
    };
    let text = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    Ok(ListItem { url: url.to_string(), date, title: text(title), outlet: text(outlet) })
}

fn json_lines(text: &str) -> Vec<(usize, Result<ListItem, String>)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parsed = match serde_json::from_str::<serde_json::Value>(line) {
            Ok(v) if v.is_object() => {
                let s = |keys: &[&str]| keys.iter().find_map(|k| v.get(*k).and_then(|x| x.as_str()));
                match s(&["url"]) {
                    Some(u) => item(u, s(&["date", "published"]), s(&["title"]), s(&["outlet", "source"])),
                    None => Err("raden saknar \"url\"".into()),
                }
            }
            Ok(_) => Err("raden är inget JSON-objekt".into()),
            Err(e) => Err(format!("ogiltig JSON: {e}")),
        };
        out.push((i + 1, parsed));
    }
    out
}

/// A header line is CSV when splitting it on `,`, `;` or a tab gives a column named `url`.
fn csv_delimiter(header: &str) -> Option<char> {
    [',', ';', '\t']
        .into_iter()
        .find(|d| header.contains(*d) && split_record(header, *d).iter().any(|c| c.trim().eq_ignore_ascii_case("url")))
}

fn csv(text: &str, header_line: usize, delim: char) -> Vec<(usize, Result<ListItem, String>)> {
    let records = records(text, delim);
    let Some((_, header)) = records.iter().find(|(n, _)| *n == header_line + 1) else { return Vec::new() };
    let col = |names: &[&str]| header.iter().position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)));
    let url = col(&["url"]).expect("the header was chosen for its url column");
    let (date, title, outlet) = (col(&["date", "published"]), col(&["title"]), col(&["outlet", "source"]));
    records
        .iter()
        .filter(|(n, r)| *n > header_line + 1 && !(r.len() == 1 && r[0].trim().is_empty()))
        .map(|(n, r)| {
            let get = |c: Option<usize>| c.and_then(|c| r.get(c)).map(String::as_str);
            let parsed = match r.get(url) {
                Some(u) => item(u, get(date), get(title), get(outlet)),
                None => Err(format!("raden har {} fält, url är fält {}", r.len(), url + 1)),
            };
            (*n, parsed)
        })
        .collect()
}

fn split_record(line: &str, delim: char) -> Vec<String> {
    records(line, delim).into_iter().next().map(|(_, r)| r).unwrap_or_default()
}

/// RFC 4180 records with their starting line numbers: quoted fields may hold the delimiter,
/// `""` and line breaks.
fn records(text: &str, delim: char) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let (mut quoted, mut line, mut start) = (false, 1, 1);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' if quoted => quoted = false,
            '"' if field.is_empty() => quoted = true,
            '\n' if quoted => {
                field.push('\n');
                line += 1;
            }
            '\n' => {
                record.push(std::mem::take(&mut field));
                out.push((start, std::mem::take(&mut record)));
                line += 1;
                start = line;
            }
            '\r' if !quoted => {}
            c if c == delim && !quoted => record.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        out.push((start, record));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_with_comments_and_a_bad_line() {
        let v = parse_list("# export\nhttps://x.se/a\n\nnot a url\nhttps://x.se/b\n");
        assert_eq!(v.len(), 3);
        assert_eq!(v[0], (2, Ok(ListItem { url: "https://x.se/a".into(), ..ListItem::default() })));
        assert_eq!(v[1].0, 4);
        assert!(v[1].1.is_err());
    }

    #[test]
    fn csv_with_quotes_and_semicolons() {
        let text = "Title;URL;Published;Outlet\n\"Brand; i \"\"Araby\"\"\";https://x.se/a;2024-03-01;SMP\r\n;https://x.se/b;;\n";
        let v = parse_list(text);
        let a = v[0].1.as_ref().unwrap();
        assert_eq!(a.title.as_deref(), Some("Brand; i \"Araby\""));
        assert_eq!(a.outlet.as_deref(), Some("SMP"));
        assert!(a.date.is_some());
        assert_eq!(v[1].1.as_ref().unwrap().url, "https://x.se/b");
        assert_eq!(v[1].0, 3);
    }

    #[test]
    fn json_lines() {
        let v = parse_list("{\"url\": \"https://x.se/a\", \"date\": \"2024-05-01T10:00:00+02:00\", \"source\": \"smp\"}\n{\"title\": \"x\"}\n");
        assert_eq!(v[0].1.as_ref().unwrap().outlet.as_deref(), Some("smp"));
        assert!(v[1].1.is_err());
    }
}
