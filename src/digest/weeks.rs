//! ISO calendar weeks in Europe/Stockholm: which week an instant falls in, and the UTC instants a
//! week starts and ends. Pure: every function takes the instant it needs.
//!
//! Local time matters: an article published Monday 00:30 in Växjö is in the new week although it
//! is still Sunday in UTC, and a week that contains a daylight-saving change is 167 or 169 hours.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Stockholm;
use chrono_tz::Tz;

/// An ISO week (`2026-W47`) of the Europe/Stockholm calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Week {
    year: i32,
    week: u32,
}

impl Week {
    pub fn new(year: i32, week: u32) -> Option<Week> {
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).map(|_| Week { year, week })
    }

    /// The week `t` falls in, on the Stockholm wall clock.
    pub fn of(t: DateTime<Utc>) -> Week {
        Week::of_in(t, Stockholm)
    }

    /// The week `t` falls in, in time zone `tz`.
    pub fn of_in(t: DateTime<Utc>, tz: Tz) -> Week {
        let iso = t.with_timezone(&tz).iso_week();
        Week { year: iso.year(), week: iso.week() }
    }

    /// Parses `2026-W47` (also `2026-w47`, `2026W47`).
    pub fn parse(s: &str) -> Option<Week> {
        let s = s.trim();
        let (y, w) = s.split_once(['W', 'w'])?;
        let y = y.trim_end_matches('-');
        if y.len() != 4 || w.is_empty() || w.len() > 2 {
            return None;
        }
        Week::new(y.parse().ok()?, w.parse().ok()?)
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn number(self) -> u32 {
        self.week
    }

    pub fn monday(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon).expect("checked at construction")
    }

    /// Monday 00:00 Stockholm time, as a UTC instant.
    pub fn start(self) -> DateTime<Utc> {
        local_midnight(self.monday(), Stockholm)
    }

    /// The next week's start: the end of this one, exclusive.
    pub fn end(self) -> DateTime<Utc> {
        self.next().start()
    }

    pub fn next(self) -> Week {
        let d = self.monday() + chrono::Duration::days(7);
        let iso = d.iso_week();
        Week { year: iso.year(), week: iso.week() }
    }

    pub fn prev(self) -> Week {
        let d = self.monday() - chrono::Duration::days(7);
        let iso = d.iso_week();
        Week { year: iso.year(), week: iso.week() }
    }

    /// `n` weeks earlier.
    pub fn minus(self, n: u32) -> Week {
        let d = self.monday() - chrono::Duration::days(7 * n as i64);
        let iso = d.iso_week();
        Week { year: iso.year(), week: iso.week() }
    }

    /// The last week that has ended at `now`: the digest's default.
    pub fn last_complete(now: DateTime<Utc>) -> Week {
        Week::of(now).prev()
    }

    /// Every week from `from` to `to`, both included (empty when `to` is before `from`).
    pub fn range(from: Week, to: Week) -> Vec<Week> {
        let mut out = Vec::new();
        let mut w = from;
        while w <= to {
            out.push(w);
            w = w.next();
        }
        out
    }
}

impl std::fmt::Display for Week {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

/// 00:00 of `day` in `tz` as UTC. Midnight exists in every zone tonlage is configured for
/// (Europe switches at 02:00/03:00); where it would not, the first instant after the gap is used.
pub fn local_midnight(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    local_instant(day, chrono::NaiveTime::MIN, tz)
}

/// `day` at wall-clock `time` in `tz` as UTC; in a DST gap the clock time is moved forward an hour,
/// in an overlap the earlier instant is taken.
pub fn local_instant(day: NaiveDate, time: chrono::NaiveTime, tz: Tz) -> DateTime<Utc> {
    let naive = day.and_time(time);
    match tz.from_local_datetime(&naive).earliest() {
        Some(t) => t.with_timezone(&Utc),
        None => tz
            .from_local_datetime(&(naive + chrono::Duration::hours(1)))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&naive)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(s: &str) -> DateTime<Utc> {
        let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        Stockholm.from_local_datetime(&naive).single().unwrap().with_timezone(&Utc)
    }

    #[test]
    fn sunday_night_and_monday_morning_around_spring_forward() {
        // 2026-03-29 is the last Sunday of March: clocks go 02:00 → 03:00.
        let sunday = local("2026-03-29 23:30");
        let monday = local("2026-03-30 00:30");
        // Both are still Sunday in UTC, so a UTC week would put them together.
        assert_eq!(monday.format("%Y-%m-%d %H:%M").to_string(), "2026-03-29 22:30");
        assert_eq!(Week::of(sunday).to_string(), "2026-W13");
        assert_eq!(Week::of(monday).to_string(), "2026-W14");
        let w13 = Week::parse("2026-W13").unwrap();
        assert_eq!(w13.end(), local("2026-03-30 00:00"));
        assert_eq!((w13.end() - w13.start()).num_hours(), 167, "a spring week is an hour short");
        assert!(w13.start() <= sunday && sunday < w13.end());
        assert!(w13.end() <= monday);
    }

    #[test]
    fn sunday_night_and_monday_morning_around_fall_back() {
        // 2026-10-25 is the last Sunday of October: clocks go 03:00 → 02:00.
        let sunday = local("2026-10-25 23:30");
        let monday = local("2026-10-26 00:30");
        assert_eq!(monday.format("%Y-%m-%d %H:%M").to_string(), "2026-10-25 23:30");
        assert_eq!(Week::of(sunday).to_string(), "2026-W43");
        assert_eq!(Week::of(monday).to_string(), "2026-W44");
        let w43 = Week::of(sunday);
        assert_eq!((w43.end() - w43.start()).num_hours(), 169, "an autumn week is an hour long");
        assert_eq!(w43.next().start(), local("2026-10-26 00:00"));
    }

    #[test]
    fn parse_display_and_year_boundaries() {
        assert_eq!(Week::parse("2026-W47").unwrap().to_string(), "2026-W47");
        assert_eq!(Week::parse("2026w5").unwrap().to_string(), "2026-W05");
        assert!(Week::parse("2026-W54").is_none());
        assert!(Week::parse("2025-W53").is_none(), "2025 has 52 ISO weeks");
        assert!(Week::parse("2026-W53").is_some(), "2026 has 53 ISO weeks");
        assert!(Week::parse("week 5").is_none());
        let w = Week::parse("2026-W53").unwrap();
        assert_eq!(w.next().to_string(), "2027-W01");
        assert_eq!(w.next().prev(), w);
        assert_eq!(Week::parse("2027-W02").unwrap().minus(3).to_string(), "2026-W52");
        assert_eq!(Week::range(Week::parse("2026-W52").unwrap(), Week::parse("2027-W02").unwrap()).len(), 4);
        // 2027-01-01 00:30 local is a Friday in ISO week 2026-W53.
        assert_eq!(Week::of(local("2027-01-01 00:30")).to_string(), "2026-W53");
    }

    #[test]
    fn last_complete_week_is_the_one_before_now() {
        assert_eq!(Week::last_complete(local("2026-11-23 07:00")).to_string(), "2026-W47");
        assert_eq!(Week::last_complete(local("2026-11-22 23:59")).to_string(), "2026-W46");
    }
}
