//! Calendar days in both calendars kavosh speaks: ISO (Gregorian) and Jalali (Solar Hijri),
//! converted with icu_calendar's Persian calendar.
//!
//! A [`Day`] is parsed from `2025-12-16` (ISO) or `1404/09/25` (Jalali), with Latin, Persian
//! (۰–۹) or Arabic-Indic (٠–٩) digits; 1404/09/25 is 2025-12-16. [`dates_in`] finds the dates
//! written in running text as web pages write them (`۲۵ آذر ۱۴۰۴`, `سه‌شنبه ۲۵ آذرماه ۱۴۰۴`,
//! `1404/09/25`); [`Day::parse_timestamp`] reads the ISO date-times of HTML metadata in Iran's
//! time.

use std::fmt;
use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

use icu_calendar::{Date, Iso, cal::Persian};
use regex::Regex;

use crate::analysis::fold;

/// Persian names of the Jalali months, فروردین first.
pub const JALALI_MONTH_NAMES: [&str; 12] = [
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
];

/// Rata Die of 1970-01-01.
const UNIX_EPOCH_RATA_DIE: i64 = 719_163;

/// Jalali years kavosh accepts (1200–1600 AP, about 1821–2222 CE).
const JALALI_YEARS: std::ops::RangeInclusive<i32> = 1200..=1600;

/// A calendar day, known in both calendars.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day {
    /// Days since 1970-01-01 (orders days; the index stores it).
    days_since_epoch: i64,
    pub iso: (i32, u8, u8),
    pub jalali: (i32, u8, u8),
}

/// Why a date was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateError(pub String);

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DateError {}

impl Day {
    /// Parses `YYYY-MM-DD` (ISO) or `YYYY/MM/DD` (Jalali), digits in any script. A year below
    /// 1700 written with dashes is taken as Jalali too (`1404-09-25`).
    pub fn parse(text: &str) -> Result<Day, DateError> {
        let folded = fold(text.trim());
        // Folding lowercases the `T` of an ISO date-time.
        let date_part = folded.split(['t', ' ']).next().unwrap_or("");
        let fields: Vec<&str> = date_part.split(['-', '/']).collect();
        let bad = || {
            DateError(format!(
                "bad date {text:?}: expected ISO YYYY-MM-DD or Jalali YYYY/MM/DD"
            ))
        };
        let [y, m, d] = fields.as_slice() else {
            return Err(bad());
        };
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        let day: u8 = d.parse().map_err(|_| bad())?;
        if date_part.contains('/') || year < 1700 {
            Day::from_jalali(year, month, day)
        } else {
            Day::from_iso(year, month, day)
        }
    }

    pub fn from_jalali(year: i32, month: u8, day: u8) -> Result<Day, DateError> {
        if !JALALI_YEARS.contains(&year) {
            return Err(DateError(format!(
                "Jalali year {year} is outside {}–{}",
                JALALI_YEARS.start(),
                JALALI_YEARS.end()
            )));
        }
        let date = Date::try_new_persian(year, month, day).map_err(|_| {
            DateError(format!(
                "{year:04}/{month:02}/{day:02} is not a day of the Jalali calendar"
            ))
        })?;
        Ok(Day::from_iso_date(date.to_iso()))
    }

    pub fn from_iso(year: i32, month: u8, day: u8) -> Result<Day, DateError> {
        let date = Date::try_new_iso(year, month, day).map_err(|_| {
            DateError(format!(
                "{year:04}-{month:02}-{day:02} is not a day of the calendar"
            ))
        })?;
        let day = Day::from_iso_date(date);
        if !JALALI_YEARS.contains(&day.jalali.0) {
            return Err(DateError(format!("{year} is outside the supported years")));
        }
        Ok(day)
    }

    /// The day `days` after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Day {
        let rd = icu_calendar::types::RataDie::new(days + UNIX_EPOCH_RATA_DIE);
        Day::from_iso_date(Date::from_rata_die(rd, Iso))
    }

    fn from_iso_date(iso: Date<Iso>) -> Day {
        let persian = iso.to_calendar(Persian);
        Day {
            days_since_epoch: iso.to_rata_die().to_i64_date() - UNIX_EPOCH_RATA_DIE,
            iso: (
                iso.extended_year(),
                iso.month().ordinal,
                iso.day_of_month().0,
            ),
            jalali: (
                persian.extended_year(),
                persian.month().ordinal,
                persian.day_of_month().0,
            ),
        }
    }

    pub fn days_since_epoch(&self) -> i64 {
        self.days_since_epoch
    }

    /// `2025-12-16`
    pub fn iso_string(&self) -> String {
        let (y, m, d) = self.iso;
        format!("{y:04}-{m:02}-{d:02}")
    }

    /// `1404/09/25`
    pub fn jalali_string(&self) -> String {
        let (y, m, d) = self.jalali;
        format!("{y:04}/{m:02}/{d:02}")
    }

    /// Reads an ISO date or date-time (`2025-12-16`, `2025-12-15T21:30:00Z`,
    /// `2025-12-16T08:30:00+03:30`) as the day it was in Iran (UTC+03:30): a time given in
    /// another offset is moved to Iran's before its day is taken.
    pub fn parse_timestamp(text: &str) -> Result<Day, DateError> {
        let text = text.trim();
        let day = Day::parse(text)?;
        let Some(minutes) = offset_minutes_from_iran(text) else {
            return Ok(day);
        };
        Ok(Day::from_days_since_epoch(
            day.days_since_epoch + minutes.div_euclid(24 * 60),
        ))
    }

    /// The Jalali year and month as one number, `140409`.
    pub fn jalali_month_key(&self) -> u64 {
        self.jalali.0 as u64 * 100 + self.jalali.1 as u64
    }
}

/// Iran's offset from UTC, in minutes (no daylight saving since 1401).
const IRAN_OFFSET_MINUTES: i64 = 3 * 60 + 30;

/// For `YYYY-MM-DDThh:mm[:ss[.f]](Z|±hh:mm)`, the minutes from the start of the written day to
/// the moment in Iran's time (negative when it falls on the day before); `None` without a time
/// and offset.
fn offset_minutes_from_iran(text: &str) -> Option<i64> {
    static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\d{4}-\d{2}-\d{2}[Tt ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))$")
            .expect("a valid pattern")
    });
    let c = TIMESTAMP.captures(text)?;
    let number = |i: usize| {
        c.get(i)
            .map_or(0, |m| m.as_str().parse::<i64>().unwrap_or(0))
    };
    let local = number(1) * 60 + number(2);
    let offset = match c.get(4).map(|m| m.as_str()) {
        Some("-") => -(number(5) * 60 + number(6)),
        Some(_) => number(5) * 60 + number(6),
        None => 0,
    };
    Some(local - offset + IRAN_OFFSET_MINUTES)
}

/// A moment as an ISO date-time in UTC, `2026-12-06T07:06:43Z`.
pub fn utc_timestamp(time: SystemTime) -> String {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let day = Day::from_days_since_epoch(seconds.div_euclid(86_400));
    let second_of_day = seconds.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        day.iso_string(),
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60
    )
}

/// The dates written in `text`, in order, each with its reading (an error for a date-shaped
/// text that is no day, like `1404/13/40`): `1404/09/25` and `1404-09-25` (Jalali below year
/// 1700), `2025-12-16`, and `۲۵ آذر ۱۴۰۴` with an optional weekday before it and `ماه` after the
/// month (`سه‌شنبه ۲۵ آذرماه ۱۴۰۴`, `۲۵ آذر ماه ۱۴۰۴`). Digits in any script, Arabic letters.
pub fn dates_in(text: &str) -> Vec<Result<Day, DateError>> {
    static DATE: LazyLock<Regex> = LazyLock::new(|| {
        let months = JALALI_MONTH_NAMES
            .iter()
            .map(|m| regex::escape(&fold(m)))
            .collect::<Vec<_>>()
            .join("|");
        Regex::new(&format!(
            r"(?:^|[^\d])(?:(\d{{4}})\s*([/-])\s*(\d{{1,2}})\s*[/-]\s*(\d{{1,2}})|(\d{{1,2}})\s*({months})(?:[\s\x{{200c}}]*ماه)?\s*،?\s*(?:سال\s*)?(\d{{4}}))(?:$|[^\d])"
        ))
        .expect("a valid pattern")
    });
    let folded = fold(text);
    let mut found = Vec::new();
    // Matches may share the separator between two dates: search again from each match's end
    // less one character.
    let mut at = 0;
    while let Some(c) = DATE.captures_at(&folded, at) {
        let whole = c.get(0).expect("the whole match");
        let number = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<i64>().ok());
        let day = if let (Some(y), Some(m), Some(d)) = (number(1), number(3), number(4)) {
            let (y, m, d) = (y as i32, m.clamp(0, 255) as u8, d.clamp(0, 255) as u8);
            if c.get(2).is_some_and(|s| s.as_str() == "/") || y < 1700 {
                Day::from_jalali(y, m, d)
            } else {
                Day::from_iso(y, m, d)
            }
        } else {
            let month = c.get(6).map_or("", |m| m.as_str());
            let month = JALALI_MONTH_NAMES
                .iter()
                .position(|name| fold(name) == month)
                .unwrap_or(0) as u8
                + 1;
            let (d, y) = (number(5).unwrap_or(0), number(7).unwrap_or(0));
            Day::from_jalali(y as i32, month, d.clamp(0, 255) as u8)
        };
        found.push(day);
        // The last character is the boundary after the date unless the text ended there; it
        // lies past the match's digits, so the search moves on.
        let end = whole.end();
        at = match folded[..end].chars().next_back() {
            Some(c) if !c.is_ascii_digit() => end - c.len_utf8(),
            _ => end,
        };
    }
    found
}

/// `1404/09` for a month key `140409`, and its Persian month name.
pub fn jalali_month_label(key: u64) -> (String, &'static str) {
    let (year, month) = (key / 100, (key % 100) as usize);
    let name = JALALI_MONTH_NAMES
        .get(month.wrapping_sub(1))
        .copied()
        .unwrap_or("");
    (format!("{year:04}/{month:02}"), name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_date_in_both_calendars() {
        let d = Day::parse("1404/09/25").unwrap();
        assert_eq!(d.iso_string(), "2025-12-16");
        assert_eq!(Day::parse("2025-12-16").unwrap(), d);
        assert_eq!(Day::parse("۱۴۰۴/۰۹/۲۵").unwrap(), d);
        assert_eq!(Day::parse("١٤٠٤/٠٩/٢٥").unwrap(), d);
        assert_eq!(Day::parse("2025-12-16T08:30:00Z").unwrap(), d);
    }

    #[test]
    fn leap_years_and_month_ends_round_trip() {
        // 1399 and 1403 are leap years: Esfand has 30 days.
        for (j, iso) in [
            ("1399/12/30", "2021-03-20"),
            ("1400/01/01", "2021-03-21"),
            ("1403/12/30", "2025-03-20"),
            ("1404/01/01", "2025-03-21"),
            ("1402/12/29", "2024-03-19"),
            ("1404/06/31", "2025-09-22"),
            ("1404/07/30", "2025-10-22"),
            ("1398/01/01", "2019-03-21"),
        ] {
            let d = Day::parse(j).unwrap();
            assert_eq!(d.iso_string(), iso, "{j}");
            assert_eq!(Day::parse(iso).unwrap().jalali_string(), j, "{iso}");
            assert_eq!(Day::from_days_since_epoch(d.days_since_epoch()), d);
        }
        assert!(Day::parse("1404/12/30").is_err(), "1404 is not a leap year");
        assert!(Day::parse("1402/07/31").is_err(), "Mehr has 30 days");
    }

    #[test]
    fn every_day_of_a_decade_round_trips() {
        let start = Day::parse("1398/01/01").unwrap().days_since_epoch();
        let mut previous: Option<Day> = None;
        for n in start..start + 3700 {
            let d = Day::from_days_since_epoch(n);
            let (y, m, dd) = d.jalali;
            assert_eq!(Day::from_jalali(y, m, dd).unwrap(), d);
            if let Some(p) = previous {
                assert!(p.jalali < d.jalali, "{p:?} {d:?}");
            }
            previous = Some(d);
        }
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        for bad in [
            "",
            "1404",
            "1404/13/01",
            "2025-02-30",
            "abc/de/fg",
            "99999-01-01",
        ] {
            let err = Day::parse(bad).unwrap_err();
            assert!(!err.0.is_empty());
        }
    }

    #[test]
    fn dates_as_pages_write_them() {
        let seed = Day::parse("1404/09/25").unwrap();
        for text in [
            "تاریخ ایجاد تفاهم نامه: 1404/09/25 ساعت ایجاد تفاهم نامه: 12:00 AM",
            "۲۵ آذر ۱۴۰۴",
            "سه‌شنبه ۲۵ آذرماه ۱۴۰۴",
            "سه شنبه، ۲۵ آذر ماه ۱۴۰۴ - ۱۰:۳۰",
            "شنبه 25 آذر\u{200c}ماه 1404",
            "منتشر شده در ٢٥ آذر سال ١٤٠٤",
            "۱۴۰۴/۹/۲۵",
            "1404-09-25",
            "2025-12-16",
        ] {
            let found: Vec<Day> = dates_in(text).into_iter().filter_map(Result::ok).collect();
            assert_eq!(found, vec![seed], "{text}");
        }
        let two: Vec<Day> = dates_in("از 1404/01/01 تا 1404/09/25")
            .into_iter()
            .filter_map(Result::ok)
            .collect();
        assert_eq!(two.len(), 2);
        assert!(dates_in("1404/13/40")[0].is_err());
        assert!(dates_in("۳۲ آذر ۱۴۰۴")[0].is_err());
        for none in [
            "کد خبر: 12345",
            "تلفن: ۰۱۱-۳۳۰۴۵۶۷۸",
            "۲۵ نفر در سال ۱۴۰۴",
            "12/25",
        ] {
            assert!(dates_in(none).is_empty(), "{none}");
        }
    }

    #[test]
    fn timestamps_are_read_in_iran_time() {
        let day = |t: &str| Day::parse_timestamp(t).unwrap().iso_string();
        assert_eq!(day("2025-12-16"), "2025-12-16");
        assert_eq!(day("2025-12-16T08:30:00+03:30"), "2025-12-16");
        assert_eq!(day("2025-12-15T21:00:00Z"), "2025-12-16");
        assert_eq!(day("2025-12-15T20:00:00.000+00:00"), "2025-12-15");
        assert_eq!(day("2025-12-16T01:00:00+04:30"), "2025-12-16");
        assert_eq!(day("2025-12-16T00:30:00+05:00"), "2025-12-15");
        assert!(Day::parse_timestamp("yesterday").is_err());
    }

    #[test]
    fn utc_timestamps() {
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_765_873_803);
        assert_eq!(utc_timestamp(t), "2025-12-16T08:30:03Z");
    }

    #[test]
    fn month_labels() {
        assert_eq!(jalali_month_label(140409), ("1404/09".to_string(), "آذر"));
    }
}
