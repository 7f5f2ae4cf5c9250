//! A forgiving date parser for feeds: RFC 2822/3339 first, then Swedish month and day names,
//! zone abbreviations (`CET`, `CEST`) and dates without a zone (read as Europe/Stockholm).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;

const MONTHS: &[(&str, u32)] = &[
    ("januari", 1),
    ("january", 1),
    ("jan", 1),
    ("februari", 2),
    ("february", 2),
    ("feb", 2),
    ("mars", 3),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("maj", 5),
    ("may", 5),
    ("juni", 6),
    ("june", 6),
    ("jun", 6),
    ("juli", 7),
    ("july", 7),
    ("jul", 7),
    ("augusti", 8),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("oktober", 10),
    ("october", 10),
    ("okt", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

const ZONES: &[(&str, i32)] = &[
    ("z", 0),
    ("ut", 0),
    ("utc", 0),
    ("gmt", 0),
    ("wet", 0),
    ("bst", 3600),
    ("cet", 3600),
    ("mez", 3600),
    ("cest", 7200),
    ("mesz", 7200),
    ("eet", 7200),
    ("eest", 10800),
    ("est", -18000),
    ("edt", -14400),
    ("cst", -21600),
    ("cdt", -18000),
    ("pst", -28800),
    ("pdt", -25200),
];

/// Parses a feed or page timestamp; `None` when nothing date-like is found.
pub fn parse_timestamp(raw: &str) -> Option<DateTime<Utc>> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%d %H:%M:%S %z"] {
        if let Ok(d) = DateTime::parse_from_str(s, fmt) {
            return Some(d.with_timezone(&Utc));
        }
    }
    parse_loose(s)
}

fn parse_loose(s: &str) -> Option<DateTime<Utc>> {
    let lower = s.to_lowercase().replace(['\u{a0}', ','], " ");
    let (mut year, mut month, mut day) = (None, None, None);
    let mut time: Option<NaiveTime> = None;
    let mut offset: Option<i32> = None;
    for raw_tok in lower.split_whitespace() {
        let tok = raw_tok.trim_end_matches('.');
        if let Some(t) = tok.find('t').filter(|_| tok.len() > 10 && tok.as_bytes()[4] == b'-') {
            // "2024-11-20t07:30" without a zone.
            let (d, rest) = tok.split_at(t);
            if let Ok(date) = NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                (year, month, day) = (Some(date.year_ce().1 as i32), Some(date.month0() + 1), Some(date.day0() + 1));
            }
            time = parse_time(&rest[1..]).or(time);
            continue;
        }
        if let Ok(date) = NaiveDate::parse_from_str(tok, "%Y-%m-%d") {
            (year, month, day) = (Some(date.year_ce().1 as i32), Some(date.month0() + 1), Some(date.day0() + 1));
        } else if let Some(m) = MONTHS.iter().find(|(n, _)| *n == tok).map(|(_, m)| *m) {
            month = Some(m);
        } else if let Some(z) = ZONES.iter().find(|(n, _)| *n == tok).map(|(_, z)| *z) {
            offset = Some(z);
        } else if let Some(z) = parse_offset(tok) {
            offset = Some(z);
        } else if tok.contains(':') || (tok.contains('.') && tok.len() <= 8 && time.is_none() && day.is_some()) {
            time = parse_time(tok).or(time);
        } else if let Ok(n) = tok.parse::<u32>() {
            if tok.len() == 4 {
                year = Some(n as i32);
            } else if day.is_none() && (1..=31).contains(&n) {
                day = Some(n);
            }
        }
    }
    let date = NaiveDate::from_ymd_opt(year?, month?, day?)?;
    let local = NaiveDateTime::new(date, time.unwrap_or(NaiveTime::MIN));
    match offset {
        Some(off) => FixedOffset::east_opt(off)?.from_local_datetime(&local).single().map(|d| d.with_timezone(&Utc)),
        None => Stockholm.from_local_datetime(&local).earliest().map(|d| d.with_timezone(&Utc)),
    }
}

use chrono::Datelike;

fn parse_time(tok: &str) -> Option<NaiveTime> {
    let t = tok.replace('.', ":");
    let t = t.trim_end_matches('z');
    // Cut a trailing zone ("07:30:00+01:00") so the clock part parses; the zone is rare here.
    let t = t.split(['+', '-']).next().unwrap_or(t);
    NaiveTime::parse_from_str(t, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S%.f"))
        .ok()
}

fn parse_offset(tok: &str) -> Option<i32> {
    let sign = match tok.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = tok[1..].chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let h: i32 = digits[..2].parse().ok()?;
    let m: i32 = digits[2..].parse().ok()?;
    Some(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> String {
        parse_timestamp(s).map(|d| d.to_rfc3339()).unwrap_or_else(|| "none".into())
    }

    #[test]
    fn standard_forms() {
        assert_eq!(utc("Wed, 20 Nov 2024 07:30:00 +0100"), "2024-11-20T06:30:00+00:00");
        assert_eq!(utc("2024-11-20T07:30:00+01:00"), "2024-11-20T06:30:00+00:00");
        assert_eq!(utc("2024-11-20T07:30:00Z"), "2024-11-20T07:30:00+00:00");
    }

    #[test]
    fn zone_abbreviations() {
        assert_eq!(utc("Mon, 15 Jul 2024 12:00:00 CEST"), "2024-07-15T10:00:00+00:00");
        assert_eq!(utc("Mon, 18 Nov 2024 12:00:00 CET"), "2024-11-18T11:00:00+00:00");
    }

    #[test]
    fn swedish_names() {
        assert_eq!(utc("ons, 20 nov 2024 07:30:00 +0100"), "2024-11-20T06:30:00+00:00");
        assert_eq!(utc("Onsdag 20 november 2024 kl. 07.30"), "2024-11-20T06:30:00+00:00");
        assert_eq!(utc("3 maj 2024 14:05 CEST"), "2024-05-03T12:05:00+00:00");
        assert_eq!(utc("fre, 11 okt 2024 08:00:00 GMT"), "2024-10-11T08:00:00+00:00");
    }

    #[test]
    fn no_zone_is_stockholm_time() {
        assert_eq!(utc("2024-07-01 10:00"), "2024-07-01T08:00:00+00:00");
        assert_eq!(utc("2024-01-01T10:00:00"), "2024-01-01T09:00:00+00:00");
    }

    #[test]
    fn garbage_is_none() {
        assert_eq!(utc("igår"), "none");
        assert_eq!(utc(""), "none");
        assert_eq!(utc("32 nov 2024"), "none");
    }
}
