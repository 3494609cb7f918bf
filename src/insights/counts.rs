//! The counts themselves, per day: how often each query was searched, how often it found
//! nothing or was rewritten, how often a result of it was clicked. Plain data and arithmetic,
//! no clock, channel or file: [`super::Insights`] feeds and stores them.
//!
//! Privacy is in the shape: a day holds counts by query text and nothing else (no address,
//! user agent, time of day or identifier), and the reports never show a query seen fewer than
//! `min_count` times in the range asked.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::analysis::fold::ZWNJ;
use crate::calendar::Day;

/// Most distinct queries kept per day; the searches of further queries still count in the
/// day's totals (a flood of made-up queries cannot grow memory without bound).
pub const MAX_QUERIES_PER_DAY: usize = 10_000;

/// The key a query is counted under: the analyzer's folding (`فناوري` and `فناوری` are one
/// query), with runs of spaces made one and no ZWNJ at a word's edge. `None` for a query with
/// no text (a search by filters only).
pub fn query_key(q: &str) -> Option<String> {
    let folded = crate::analysis::fold(q);
    let words: Vec<&str> = folded
        .split(' ')
        .map(|w| w.trim_matches(ZWNJ))
        .filter(|w| !w.is_empty())
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Counts of one query on one day, or of every query of a day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    #[serde(default, skip_serializing_if = "is_zero")]
    pub searches: u64,
    /// Searches that found nothing.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub no_results: u64,
    /// Searches the service rewrote (synonyms, corrections) before running them.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rewritten: u64,
    /// Results clicked.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub clicks: u64,
    /// The sum of the clicked results' positions (1-based): with `clicks`, their mean.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub click_positions: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.searches += other.searches;
        self.no_results += other.no_results;
        self.rewritten += other.rewritten;
        self.clicks += other.clicks;
        self.click_positions += other.click_positions;
    }

    fn add_search(&mut self, outcome: SearchOutcome) {
        self.searches += 1;
        self.no_results += u64::from(outcome.no_results);
        self.rewritten += u64::from(outcome.rewritten);
    }

    fn add_click(&mut self, position: u32) {
        self.clicks += 1;
        self.click_positions += u64::from(position);
    }

    /// The mean position of the clicked results, `None` without clicks.
    pub fn average_click_position(&self) -> Option<f64> {
        (self.clicks > 0).then(|| self.click_positions as f64 / self.clicks as f64)
    }
}

/// What became of one search.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SearchOutcome {
    pub no_results: bool,
    pub rewritten: bool,
}

/// One day's counts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DayCounts {
    /// Every search and click of the day, including those of queries past the day's limit.
    #[serde(default)]
    pub totals: Counts,
    #[serde(default)]
    pub queries: FxHashMap<String, Counts>,
}

impl DayCounts {
    /// The counts of `key`, created unless the day already holds [`MAX_QUERIES_PER_DAY`].
    fn query(&mut self, key: &str) -> Option<&mut Counts> {
        if !self.queries.contains_key(key) && self.queries.len() >= MAX_QUERIES_PER_DAY {
            return None;
        }
        Some(self.queries.entry(key.to_string()).or_default())
    }
}

/// The counts of every retained day, by day (days since 1970-01-01).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DailyCounts {
    days: BTreeMap<i64, DayCounts>,
}

/// Longest range of days a report covers.
pub const MAX_RANGE_DAYS: i64 = 3660;
/// Days a report covers when its request names no first day.
pub const DEFAULT_RANGE_DAYS: i64 = 30;

/// An inclusive range of days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub from: Day,
    pub to: Day,
}

impl Range {
    /// The range a request asks for: `to` defaults to `today`, `from` to the
    /// [`DEFAULT_RANGE_DAYS`] days that end at `to`.
    pub fn asked(from: Option<Day>, to: Option<Day>, today: i64) -> Result<Range, String> {
        let to = to.unwrap_or_else(|| Day::from_days_since_epoch(today));
        let from = from.unwrap_or_else(|| {
            Day::from_days_since_epoch(to.days_since_epoch() - DEFAULT_RANGE_DAYS + 1)
        });
        if from > to {
            return Err(format!(
                "from ({}) is after to ({})",
                from.jalali_string(),
                to.jalali_string()
            ));
        }
        if to.days_since_epoch() - from.days_since_epoch() >= MAX_RANGE_DAYS {
            return Err(format!(
                "a range of at most {MAX_RANGE_DAYS} days, please (from {} to {})",
                from.jalali_string(),
                to.jalali_string()
            ));
        }
        Ok(Range { from, to })
    }
}

/// A query's row of a report.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct QueryRow {
    /// The query as the analyzer folds it.
    pub query: String,
    pub searches: u64,
    /// Searches of it that found nothing.
    pub no_results: u64,
    /// Searches of it that the service rewrote before running them.
    pub rewritten: u64,
    /// Results of it clicked.
    pub clicks: u64,
    /// Mean position (1-based) of the clicked results; null without clicks.
    pub average_click_position: Option<f64>,
}

/// A row of the queries that found nothing.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NoResultRow {
    pub query: String,
    /// Searches of it that found nothing.
    pub searches: u64,
}

/// What visitors searched for in a range of days (`GET /insights/queries`).
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct QueriesReport {
    /// First day, Jalali (`1404/09/01`).
    pub from: String,
    /// Last day, Jalali.
    pub to: String,
    /// The most searched queries, most first.
    pub queries: Vec<QueryRow>,
    /// The queries whose searches found nothing, most such searches first.
    pub no_result_queries: Vec<NoResultRow>,
}

/// One day's totals.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DayRow {
    /// Jalali (`1404/09/25`).
    pub day: String,
    pub searches: u64,
    pub no_results: u64,
    pub rewritten: u64,
    pub clicks: u64,
}

impl DayRow {
    fn new(day: Day, c: &Counts) -> DayRow {
        DayRow {
            day: day.jalali_string(),
            searches: c.searches,
            no_results: c.no_results,
            rewritten: c.rewritten,
            clicks: c.clicks,
        }
    }
}

impl DailyCounts {
    /// Counts a search of `key` on `day`.
    pub fn add_search(&mut self, day: i64, key: &str, outcome: SearchOutcome) {
        let counts = self.days.entry(day).or_default();
        counts.totals.add_search(outcome);
        if let Some(q) = counts.query(key) {
            q.add_search(outcome);
        }
    }

    /// Counts a click on the result at `position` (1-based) of a search of `key` on `day`.
    pub fn add_click(&mut self, day: i64, key: &str, position: u32) {
        let counts = self.days.entry(day).or_default();
        counts.totals.add_click(position);
        if let Some(q) = counts.query(key) {
            q.add_click(position);
        }
    }

    /// Drops the days before the last `keep` days up to `today`; true when any was dropped.
    pub fn retain_days(&mut self, today: i64, keep: u32) -> bool {
        let first_kept = today - i64::from(keep) + 1;
        let before = self.days.len();
        self.days = self.days.split_off(&first_kept);
        self.days.len() != before
    }

    /// Each day of the range with its totals, days without searches included.
    pub fn days(&self, range: Range) -> Vec<DayRow> {
        (range.from.days_since_epoch()..=range.to.days_since_epoch())
            .map(|d| {
                let totals = self.days.get(&d).map(|c| c.totals).unwrap_or_default();
                DayRow::new(Day::from_days_since_epoch(d), &totals)
            })
            .collect()
    }

    /// The totals of the range.
    pub fn totals(&self, range: Range) -> Counts {
        let mut sum = Counts::default();
        for day in self.in_range(range) {
            sum.add(&day.totals);
        }
        sum
    }

    /// The `top` most searched queries of the range and the `top` that most often found
    /// nothing, leaving out every query searched fewer than `min_count` times in the range.
    pub fn queries(&self, range: Range, top: usize, min_count: u64) -> QueriesReport {
        let (queries, nothing) = self.ranked(range, top, min_count);
        QueriesReport {
            from: range.from.jalali_string(),
            to: range.to.jalali_string(),
            queries,
            no_result_queries: nothing
                .into_iter()
                .map(|q| NoResultRow {
                    query: q.query,
                    searches: q.no_results,
                })
                .collect(),
        }
    }

    /// The rows of [`DailyCounts::queries`], whole: the most searched, and the most often
    /// without results.
    pub fn ranked(
        &self,
        range: Range,
        top: usize,
        min_count: u64,
    ) -> (Vec<QueryRow>, Vec<QueryRow>) {
        let mut sums: FxHashMap<&str, Counts> = FxHashMap::default();
        for day in self.in_range(range) {
            for (q, c) in &day.queries {
                sums.entry(q.as_str()).or_default().add(c);
            }
        }
        let mut shown: Vec<(&str, Counts)> = sums
            .into_iter()
            .filter(|(_, c)| c.searches >= min_count.max(1))
            .collect();
        let row = |(q, c): &(&str, Counts)| QueryRow {
            query: q.to_string(),
            searches: c.searches,
            no_results: c.no_results,
            rewritten: c.rewritten,
            clicks: c.clicks,
            average_click_position: c.average_click_position(),
        };
        shown.sort_by(|a, b| b.1.searches.cmp(&a.1.searches).then(a.0.cmp(b.0)));
        let most = shown.iter().take(top).map(row).collect();
        shown.retain(|(_, c)| c.no_results > 0);
        shown.sort_by(|a, b| b.1.no_results.cmp(&a.1.no_results).then(a.0.cmp(b.0)));
        let nothing = shown.iter().take(top).map(row).collect();
        (most, nothing)
    }

    fn in_range(&self, range: Range) -> impl Iterator<Item = &DayCounts> {
        self.days
            .range(range.from.days_since_epoch()..=range.to.days_since_epoch())
            .map(|(_, c)| c)
    }

    /// The form kept in the index settings: days by Jalali date.
    pub fn to_stored(&self) -> StoredInsights {
        StoredInsights {
            version: STORED_VERSION,
            days: self
                .days
                .iter()
                .map(|(d, c)| (Day::from_days_since_epoch(*d).jalali_string(), c.clone()))
                .collect(),
        }
    }

    /// Counts read back from the index settings.
    pub fn from_stored(stored: StoredInsights) -> Result<DailyCounts, String> {
        if stored.version != STORED_VERSION {
            return Err(format!(
                "version {} of the insights is not {STORED_VERSION}, the one this kavosh reads",
                stored.version
            ));
        }
        let days = stored
            .days
            .into_iter()
            .map(|(d, c)| {
                Day::parse(&d)
                    .map(|day| (day.days_since_epoch(), c))
                    .map_err(|e| format!("day {d:?}: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(DailyCounts { days })
    }
}

/// The version of [`StoredInsights`].
const STORED_VERSION: u32 = 1;

/// The insights as the index setting `insights` holds them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredInsights {
    pub version: u32,
    /// By Jalali day, `1404/09/25`.
    pub days: BTreeMap<String, DayCounts>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> i64 {
        Day::parse(s).unwrap().days_since_epoch()
    }

    fn range(from: &str, to: &str) -> Range {
        Range {
            from: Day::parse(from).unwrap(),
            to: Day::parse(to).unwrap(),
        }
    }

    const FOUND: SearchOutcome = SearchOutcome {
        no_results: false,
        rewritten: false,
    };
    const NOTHING: SearchOutcome = SearchOutcome {
        no_results: true,
        rewritten: false,
    };

    #[test]
    fn spellings_the_analyzer_folds_together_are_one_query() {
        let keys: Vec<_> = [
            "فناوري",
            "فناوری",
            " فناوری  ",
            "فناورى",
            "فناوری\u{200C}",
            "ف\u{0640}ناوری",
        ]
        .iter()
        .map(|q| query_key(q))
        .collect();
        assert!(
            keys.iter().all(|k| k.as_deref() == Some("فناوری")),
            "{keys:?}"
        );
        assert_eq!(
            query_key("شركت  دانش‌بنيان").as_deref(),
            Some("شرکت دانش‌بنیان")
        );
        assert_eq!(query_key("Park ۱۴۰۴").as_deref(), Some("park 1404"));
        assert_eq!(query_key("  \u{200C} "), None);
        assert_eq!(query_key(""), None);
    }

    #[test]
    fn searches_no_results_and_clicks_sum_over_the_range() {
        let mut c = DailyCounts::default();
        c.add_search(day("1404/09/24"), "فناوری", FOUND);
        c.add_search(day("1404/09/25"), "فناوری", FOUND);
        c.add_search(day("1404/09/25"), "فناوری", NOTHING);
        c.add_click(day("1404/09/25"), "فناوری", 1);
        c.add_click(day("1404/09/25"), "فناوری", 4);
        c.add_search(day("1404/09/25"), "شیلات", NOTHING);
        c.add_search(day("1404/09/26"), "شیلات", NOTHING);
        c.add_search(day("1404/09/26"), "کشاورزی", FOUND);

        let r = c.queries(range("1404/09/24", "1404/09/26"), 10, 2);
        assert_eq!(
            (r.from.as_str(), r.to.as_str()),
            ("1404/09/24", "1404/09/26")
        );
        let rows: Vec<_> = r
            .queries
            .iter()
            .map(|q| (q.query.as_str(), q.searches, q.no_results, q.clicks))
            .collect();
        assert_eq!(rows, [("فناوری", 3, 1, 2), ("شیلات", 2, 2, 0)]);
        assert_eq!(r.queries[0].average_click_position, Some(2.5));
        assert_eq!(r.queries[1].average_click_position, None);
        let nothing: Vec<_> = r
            .no_result_queries
            .iter()
            .map(|q| (q.query.as_str(), q.searches))
            .collect();
        assert_eq!(nothing, [("شیلات", 2), ("فناوری", 1)]);

        let one_day = c.queries(range("1404/09/25", "1404/09/25"), 10, 2);
        assert_eq!(one_day.queries.len(), 1, "شیلات was searched once that day");
        let totals = c.totals(range("1404/09/25", "1404/09/26"));
        assert_eq!(
            (totals.searches, totals.no_results, totals.clicks),
            (5, 3, 2)
        );
        let days = c.days(range("1404/09/23", "1404/09/26"));
        let searches: Vec<_> = days.iter().map(|d| (d.day.as_str(), d.searches)).collect();
        assert_eq!(
            searches,
            [
                ("1404/09/23", 0),
                ("1404/09/24", 1),
                ("1404/09/25", 3),
                ("1404/09/26", 2)
            ]
        );
    }

    #[test]
    fn queries_seen_fewer_than_the_minimum_are_never_shown() {
        let mut c = DailyCounts::default();
        let d = day("1404/01/10");
        for (q, n) in [("الف", 5), ("ب", 3), ("پ", 1)] {
            for _ in 0..n {
                c.add_search(d, q, NOTHING);
            }
        }
        c.add_click(d, "ت", 1);
        let r = range("1404/01/10", "1404/01/10");
        let shown = |min| -> Vec<String> {
            c.queries(r, 10, min)
                .queries
                .into_iter()
                .map(|q| q.query)
                .collect()
        };
        assert_eq!(shown(1), ["الف", "ب", "پ"], "a click alone is no search");
        assert_eq!(shown(2), ["الف", "ب"]);
        assert_eq!(shown(4), ["الف"]);
        assert_eq!(shown(0), shown(1), "a minimum of 0 means 1");
        assert_eq!(c.queries(r, 10, 4).no_result_queries.len(), 1);
        assert_eq!(c.queries(r, 1, 1).queries.len(), 1, "top");
        assert_eq!(c.totals(r).clicks, 1, "the day's totals keep every click");
    }

    #[test]
    fn ranges_default_to_the_last_thirty_days_and_have_a_limit() {
        let today = day("1404/09/25");
        let r = Range::asked(None, None, today).unwrap();
        assert_eq!(
            (r.from.jalali_string(), r.to.jalali_string()),
            ("1404/08/26".into(), "1404/09/25".into())
        );
        let to = Day::parse("1404/01/10").ok();
        let r = Range::asked(None, to, today).unwrap();
        assert_eq!(r.from.jalali_string(), "1403/12/11");
        let from = Day::parse("1404/09/01").ok();
        assert_eq!(Range::asked(from, None, today).unwrap().to, r_day(today));
        assert!(
            Range::asked(Day::parse("1404/09/26").ok(), None, today)
                .unwrap_err()
                .contains("after")
        );
        assert!(
            Range::asked(Day::parse("1390/01/01").ok(), None, today)
                .unwrap_err()
                .contains("3660")
        );
    }

    fn r_day(d: i64) -> Day {
        Day::from_days_since_epoch(d)
    }

    #[test]
    fn retention_drops_whole_days() {
        let mut c = DailyCounts::default();
        let today = day("1404/09/25");
        for back in [0, 1, 89, 90, 400] {
            c.add_search(today - back, "فناوری", FOUND);
        }
        assert!(c.retain_days(today, 90));
        let r = Range {
            from: Day::from_days_since_epoch(today - 500),
            to: Day::from_days_since_epoch(today),
        };
        assert_eq!(c.totals(r).searches, 3);
        assert!(!c.retain_days(today, 90), "nothing more to drop");
        c.retain_days(today, 1);
        assert_eq!(c.totals(r).searches, 1);
    }

    #[test]
    fn a_day_keeps_at_most_its_limit_of_queries_but_counts_every_search() {
        let mut c = DailyCounts::default();
        let d = day("1404/02/01");
        for i in 0..MAX_QUERIES_PER_DAY + 5 {
            c.add_search(d, &format!("q{i}"), FOUND);
        }
        c.add_search(d, "q0", FOUND);
        let r = range("1404/02/01", "1404/02/01");
        assert_eq!(c.days[&d].queries.len(), MAX_QUERIES_PER_DAY);
        assert_eq!(c.totals(r).searches, MAX_QUERIES_PER_DAY as u64 + 6);
        assert_eq!(c.queries(r, 1, 2).queries[0].query, "q0");
    }

    #[test]
    fn stored_form_round_trips_by_jalali_day() {
        let mut c = DailyCounts::default();
        c.add_search(day("1403/12/30"), "فناوری", NOTHING);
        c.add_click(day("1404/01/01"), "فناوری", 3);
        let stored = c.to_stored();
        assert_eq!(
            stored.days.keys().collect::<Vec<_>>(),
            ["1403/12/30", "1404/01/01"]
        );
        let json = serde_json::to_value(&stored).unwrap();
        assert_eq!(
            json["days"]["1403/12/30"]["queries"]["فناوری"],
            serde_json::json!({"searches": 1, "no_results": 1})
        );
        let back: StoredInsights = serde_json::from_value(json).unwrap();
        assert_eq!(DailyCounts::from_stored(back).unwrap(), c);
        let mut newer = c.to_stored();
        newer.version = 99;
        assert!(DailyCounts::from_stored(newer).unwrap_err().contains("99"));
        let mut bad = c.to_stored();
        bad.days.insert("1404/13/01".into(), DayCounts::default());
        assert!(DailyCounts::from_stored(bad).is_err());
    }
}
