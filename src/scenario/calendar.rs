//! Calendar time: the dates of rounds and events, and the weeks between rounds.
//!
//! Rounds may carry dates (`date: "2025-04-19"`, ISO 8601); a round without one comes a week
//! after the previous round, and a scenario without dates is a round a week. The model measures
//! time in weeks from the first round (docs/model.md §1, "Time"): every per-week rate is applied
//! over the weeks a round covers, so the same calendar split into more rounds carries the same
//! hazards.

use std::fmt;

use serde::{Serialize, Serializer};

/// A civil date (proleptic Gregorian), stored as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

/// Dates this tool accepts: years 1000 to 9999, so every date prints as `YYYY-MM-DD`.
const YEARS: std::ops::RangeInclusive<i32> = 1000..=9999;

impl Date {
    /// The date `year-month-day`, if it exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !YEARS.contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date(days_from_civil(year, month, day)))
    }

    /// Parses `YYYY-MM-DD`; the error says what is wrong in words a user can act on.
    pub fn parse(s: &str) -> Result<Date, String> {
        let bad = || format!("`{s}` is not a date written YYYY-MM-DD (for example 2025-04-19)");
        let parts: Vec<&str> = s.split('-').collect();
        let [y, m, d] = parts.as_slice() else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if !(all_digits(y) && all_digits(m) && all_digits(d)) {
            return Err(bad());
        }
        let (year, month, day) = (
            y.parse::<i32>().map_err(|_| bad())?,
            m.parse::<u32>().map_err(|_| bad())?,
            d.parse::<u32>().map_err(|_| bad())?,
        );
        if !YEARS.contains(&year) {
            return Err(format!("{s} is outside the years 1000 to 9999"));
        }
        Date::from_ymd(year, month, day)
            .ok_or_else(|| format!("{s} does not exist in the calendar"))
    }

    /// Days from `self` to `later` (negative if `later` comes first).
    pub fn days_until(self, later: Date) -> i32 {
        later.0 - self.0
    }

    /// The date `days` after this one, if it is still a date this tool accepts.
    pub fn plus_days(self, days: i32) -> Option<Date> {
        let d = Date(self.0.checked_add(days)?);
        YEARS.contains(&d.ymd().0).then_some(d)
    }

    /// Year, month (1–12) and day (1–31).
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count (H. Hinnant's `civil_from_days`).
fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i32::from(m <= 2);
    (y, m, d)
}

/// Days between rounds that carry no date of their own.
pub const DEFAULT_GAP_DAYS: i32 = 7;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates_round_trip() {
        assert_eq!(Date::parse("1970-01-01").unwrap().0, 0);
        assert_eq!(Date::parse("2000-03-01").unwrap().0, 11_017);
        let d = Date::parse("2025-04-19").unwrap();
        assert_eq!(d.to_string(), "2025-04-19");
        assert_eq!(Date::parse("2025-04-12").unwrap().days_until(d), 7);
        assert_eq!(d.plus_days(12).unwrap().to_string(), "2025-05-01");
        assert_eq!(
            Date::parse("2024-02-29")
                .unwrap()
                .plus_days(365)
                .unwrap()
                .to_string(),
            "2025-02-28"
        );
    }

    #[test]
    fn every_day_of_four_centuries_round_trips() {
        let start = Date::parse("1900-01-01").unwrap();
        let mut prev = start;
        for n in 1..(400 * 366) {
            let d = start.plus_days(n).unwrap();
            let (y, m, dd) = d.ymd();
            assert_eq!(Date::from_ymd(y, m, dd), Some(d));
            assert!(d > prev);
            prev = d;
        }
    }

    #[test]
    fn bad_dates_say_what_is_wrong() {
        for s in [
            "2025-4-19",
            "19-04-2025",
            "2025/04/19",
            "",
            "2025-04-19T00:00",
            "+025-04-19",
        ] {
            assert!(Date::parse(s).unwrap_err().contains("YYYY-MM-DD"), "{s}");
        }
        for s in [
            "2025-02-29",
            "2025-13-01",
            "2025-04-31",
            "2025-00-10",
            "0999-01-01",
        ] {
            assert!(Date::parse(s).is_err(), "{s}");
        }
        assert!(Date::parse("2024-02-29").is_ok());
    }
}
