//! When the weekly digest is due. Pure: `now` and the `[digest]` settings in, a week out.
//!
//! The digest of ISO week W goes out on the configured weekday and time (in `[digest] time_zone`)
//! of the week after W. Only the last complete week is ever due: after a long outage the service
//! sends last week's digest once, not a backlog of stale ones.

use chrono::{DateTime, Datelike, NaiveTime, Utc};

use super::weeks::{local_instant, Week};
use crate::config::DigestConfig;

/// The moment week `w`'s digest is scheduled for.
pub fn moment(w: Week, cfg: &DigestConfig) -> Option<DateTime<Utc>> {
    let tz: chrono_tz::Tz = cfg.time_zone.parse().ok()?;
    let day = crate::model::weekday_from_name(&cfg.weekday)?;
    let time = NaiveTime::parse_from_str(&cfg.time, "%H:%M").ok()?;
    let date = w.next().monday() + chrono::Duration::days(day.num_days_from_monday() as i64);
    debug_assert_eq!(date.weekday(), day);
    Some(local_instant(date, time, tz))
}

/// The week whose digest should have gone out by `now`, if its moment has come.
pub fn due(now: DateTime<Utc>, cfg: &DigestConfig) -> Option<Week> {
    let w = Week::last_complete(now);
    moment(w, cfg).filter(|m| *m <= now).map(|_| w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Europe::Stockholm;

    fn cfg(weekday: &str, time: &str) -> DigestConfig {
        DigestConfig { weekday: weekday.into(), time: time.into(), ..DigestConfig::default() }
    }

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Stockholm.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap().with_timezone(&Utc)
    }

    #[test]
    fn due_after_the_monday_moment_of_the_following_week() {
        let c = cfg("monday", "07:00");
        // Monday 2026-11-23 is in W48: W47's digest is due from 07:00.
        assert_eq!(due(local(2026, 11, 23, 6, 59), &c), None);
        assert_eq!(due(local(2026, 11, 23, 7, 0), &c).unwrap().to_string(), "2026-W47");
        assert_eq!(due(local(2026, 11, 29, 23, 0), &c).unwrap().to_string(), "2026-W47");
        assert_eq!(moment(Week::parse("2026-W47").unwrap(), &c), Some(local(2026, 11, 23, 7, 0)));
    }

    #[test]
    fn a_later_weekday_and_a_dst_week() {
        let c = cfg("onsdag", "09:30");
        assert_eq!(due(local(2026, 11, 24, 12, 0), &c), None, "Tuesday: not yet");
        assert_eq!(due(local(2026, 11, 25, 9, 30), &c).unwrap().to_string(), "2026-W47");
        // W13 2026 ends as summer time begins; Monday 07:00 is CEST (05:00 UTC).
        let m = moment(Week::parse("2026-W13").unwrap(), &cfg("monday", "07:00")).unwrap();
        assert_eq!(m, Utc.with_ymd_and_hms(2026, 3, 30, 5, 0, 0).unwrap());
    }
}
