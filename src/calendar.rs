//! Calendar days in both calendars kavosh speaks: ISO (Gregorian) and Jalali (Solar Hijri),
//! converted with icu_calendar's Persian calendar.
//!
//! A [`Day`] is parsed from `2025-12-16` (ISO) or `1404/09/25` (Jalali), with Latin, Persian
//! (۰–۹) or Arabic-Indic (٠–٩) digits; 1404/09/25 is 2025-12-16.

use std::fmt;

use icu_calendar::{Date, Iso, cal::Persian};

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

    /// The Jalali year and month as one number, `140409`.
    pub fn jalali_month_key(&self) -> u64 {
        self.jalali.0 as u64 * 100 + self.jalali.1 as u64
    }
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
    fn month_labels() {
        assert_eq!(jalali_month_label(140409), ("1404/09".to_string(), "آذر"));
    }
}
