//! Search insights: what visitors search for, which searches find nothing, which results they
//! click, counted per Jalali day and kept with the index (the setting `insights`), so the
//! park's web team can see the pages the site is missing.
//!
//! - [`counts`]: the per-day counts and the reports made of them (plain logic);
//! - [`Insights`]: what the server shares. A search hands its query to a bounded queue and
//!   returns: no lock is shared with searches and nothing is written on their path. The queue
//!   is emptied into the counts every second and before every report, and the counts are saved
//!   into the index settings periodically and at shutdown (see `server::insights`).
//!
//! Privacy by design: only per-day counts by folded query text are kept (no address, user
//! agent, identifier or time of day); reports leave out the queries seen fewer than
//! [`InsightsConfig::min_count`] times; days older than [`InsightsConfig::retention_days`] are
//! dropped; `KAVOSH_INSIGHTS=off` counts and stores nothing.

pub mod counts;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

pub use counts::{
    Counts, DEFAULT_RANGE_DAYS, DailyCounts, DayRow, MAX_RANGE_DAYS, NoResultRow, QueriesReport,
    QueryRow, Range, SearchOutcome, StoredInsights, query_key,
};

use crate::index::{IndexError, IndexSettings};
use crate::search::SearchResponse;

/// The name of the index setting that holds the counts.
pub const SETTING: &str = "insights";
/// Searches and clicks waiting to be counted, at most; more are dropped (and counted as
/// dropped) rather than slow a search down.
pub const QUEUE_CAPACITY: usize = 16_384;
/// Days begin at midnight Iran time (UTC+03:30; Iran keeps no daylight saving time since
/// 1402), so a day's counts are the park's calendar day.
const DAY_START_OFFSET_SECS: i64 = 3 * 3600 + 30 * 60;

/// How insights are kept (`KAVOSH_INSIGHTS`, `KAVOSH_INSIGHTS_MIN_COUNT`,
/// `KAVOSH_INSIGHTS_DAYS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InsightsConfig {
    /// `false`: nothing is counted, read or stored.
    pub enabled: bool,
    /// Reports leave out the queries searched fewer times than this in their range.
    pub min_count: u64,
    /// Days kept, today included.
    pub retention_days: u32,
}

impl Default for InsightsConfig {
    fn default() -> Self {
        InsightsConfig {
            enabled: true,
            min_count: 2,
            retention_days: 90,
        }
    }
}

impl SearchOutcome {
    /// What became of a search, from its reply.
    pub fn of(reply: &SearchResponse) -> SearchOutcome {
        SearchOutcome {
            no_results: reply.total == 0,
            rewritten: reply.rewritten.is_some(),
        }
    }
}

/// A search or click waiting to be counted.
enum Event {
    Search {
        day: i64,
        query: String,
        outcome: SearchOutcome,
    },
    Click {
        day: i64,
        query: String,
        position: u32,
    },
}

struct State {
    queue: Receiver<Event>,
    counts: DailyCounts,
    /// Counted since the last save.
    unsaved: bool,
}

impl State {
    fn count_queued(&mut self) {
        while let Ok(event) = self.queue.try_recv() {
            let (day, query) = match &event {
                Event::Search { day, query, .. } | Event::Click { day, query, .. } => (*day, query),
            };
            let Some(key) = query_key(query) else {
                continue;
            };
            match event {
                Event::Search { outcome, .. } => self.counts.add_search(day, &key, outcome),
                Event::Click { position, .. } => self.counts.add_click(day, &key, position),
            }
            self.unsaved = true;
        }
    }
}

/// The server's insights: counts in memory, fed through a queue.
pub struct Insights {
    config: InsightsConfig,
    queue: SyncSender<Event>,
    state: Mutex<State>,
    /// Events refused because the queue was full.
    dropped: AtomicU64,
    /// Held through a whole save, so two saves never write out of order.
    saving: Mutex<()>,
}

/// The overview of a range of days (`GET /insights`).
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Overview {
    /// False when `KAVOSH_INSIGHTS=off`: nothing is counted.
    pub enabled: bool,
    /// Queries searched fewer times in a range are left out of its reports.
    pub min_count: u64,
    /// Days kept, today included.
    pub retention_days: u32,
    /// First day, Jalali.
    pub from: String,
    /// Last day, Jalali.
    pub to: String,
    pub searches: u64,
    pub no_results: u64,
    pub rewritten: u64,
    pub clicks: u64,
    /// Every day of the range, oldest first.
    pub days: Vec<DayRow>,
    /// Searches and clicks since the server started that arrived faster than they could be
    /// counted and were dropped.
    pub dropped: u64,
}

impl Insights {
    /// Empty insights that live as long as the process.
    pub fn new(config: InsightsConfig) -> Insights {
        let (queue, receiver) = sync_channel(QUEUE_CAPACITY);
        Insights {
            config,
            queue,
            state: Mutex::new(State {
                queue: receiver,
                counts: DailyCounts::default(),
                unsaved: false,
            }),
            dropped: AtomicU64::new(0),
            saving: Mutex::new(()),
        }
    }

    /// The insights saved in an index's settings (none when insights are off), without the
    /// days past retention.
    pub fn load(config: InsightsConfig, settings: &IndexSettings) -> Result<Insights, IndexError> {
        let insights = Insights::new(config);
        if !config.enabled {
            return Ok(insights);
        }
        if let Some(stored) = settings.get::<StoredInsights>(SETTING)? {
            let mut state = insights.lock();
            state.counts = DailyCounts::from_stored(stored).map_err(|e| {
                IndexError(format!(
                    "the index setting {SETTING:?} cannot be read: {e}; move it out of the \
                     index's settings directory to start counting afresh"
                ))
            })?;
            state.unsaved = state.counts.retain_days(today(), config.retention_days);
        }
        Ok(insights)
    }

    pub fn config(&self) -> InsightsConfig {
        self.config
    }

    /// Counts a search of `query` (once the queue is next emptied). Costs a clock reading, a
    /// copy of the query and a push onto a queue; a search without text is not counted.
    pub fn record_search(&self, query: &str, outcome: SearchOutcome) {
        if self.config.enabled && !query.trim().is_empty() {
            self.push(Event::Search {
                day: today(),
                query: query.to_string(),
                outcome,
            });
        }
    }

    /// Counts a click on the result at `position` (1-based) of a search of `query`.
    pub fn record_click(&self, query: &str, position: u32) {
        if self.config.enabled {
            self.push(Event::Click {
                day: today(),
                query: query.to_string(),
                position,
            });
        }
    }

    fn push(&self, event: Event) {
        // The receiving end lives as long as `self`: the only failure is a full queue.
        if self.queue.try_send(event).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts what is queued.
    pub fn count_queued(&self) {
        self.lock().count_queued();
    }

    /// Counts what is queued, drops the days past retention and, when anything changed since
    /// the last save, writes the counts into the index setting [`SETTING`].
    pub fn save(&self, settings: &IndexSettings) -> Result<(), IndexError> {
        if !self.config.enabled {
            return Ok(());
        }
        let _saving = self.saving.lock().unwrap_or_else(|e| e.into_inner());
        let stored = {
            let mut state = self.lock();
            state.count_queued();
            if state
                .counts
                .retain_days(today(), self.config.retention_days)
            {
                state.unsaved = true;
            }
            if !state.unsaved {
                return Ok(());
            }
            state.unsaved = false;
            state.counts.to_stored()
        };
        settings.put(SETTING, &stored).inspect_err(|_| {
            self.lock().unsaved = true;
        })
    }

    /// The totals of each day of `range`.
    pub fn overview(&self, range: Range) -> Overview {
        let mut state = self.lock();
        state.count_queued();
        let totals = state.counts.totals(range);
        Overview {
            enabled: self.config.enabled,
            min_count: self.config.min_count,
            retention_days: self.config.retention_days,
            from: range.from.jalali_string(),
            to: range.to.jalali_string(),
            searches: totals.searches,
            no_results: totals.no_results,
            rewritten: totals.rewritten,
            clicks: totals.clicks,
            days: state.counts.days(range),
            dropped: self.dropped.load(Ordering::Relaxed),
        }
    }

    /// The `top` most searched queries of `range` and the `top` that most often found
    /// nothing, each searched at least `min_count` times in the range.
    pub fn queries(&self, range: Range, top: usize) -> QueriesReport {
        let mut state = self.lock();
        state.count_queued();
        state.counts.queries(range, top, self.config.min_count)
    }

    /// The rows of [`Insights::queries`], whole (for CSV).
    pub fn ranked_queries(&self, range: Range, top: usize) -> (Vec<QueryRow>, Vec<QueryRow>) {
        let mut state = self.lock();
        state.count_queued();
        state.counts.ranked(range, top, self.config.min_count)
    }

    /// The `top` most searched queries of the last [`DEFAULT_RANGE_DAYS`] days (as the
    /// analyzer folds them), most first, with how many times each was searched.
    pub fn most_searched(&self, top: usize) -> Vec<(String, u64)> {
        let range = Range::asked(None, None, today()).expect("the default range is valid");
        let (queries, _) = self.ranked_queries(range, top);
        queries
            .into_iter()
            .map(|row| (row.query, row.searches))
            .collect()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Counting cannot leave the counts half-changed: a panic elsewhere leaves them usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The day (days since 1970-01-01) a moment falls on, in the park's time.
pub fn day_of(unix_secs: i64) -> i64 {
    (unix_secs + DAY_START_OFFSET_SECS).div_euclid(86_400)
}

/// Today, in the park's time (days since 1970-01-01).
pub fn today() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    day_of(secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Day;

    fn everything() -> Range {
        Range {
            from: Day::from_days_since_epoch(today() - 400),
            to: Day::from_days_since_epoch(today()),
        }
    }

    const FOUND: SearchOutcome = SearchOutcome {
        no_results: false,
        rewritten: false,
    };

    #[test]
    fn days_begin_at_midnight_in_iran() {
        // 2025-12-16 20:29:59 UTC is 23:59:59 in Tehran; a second later it is 1404/09/26.
        let last_second = 1_765_916_999;
        assert_eq!(
            Day::from_days_since_epoch(day_of(last_second)).jalali_string(),
            "1404/09/25"
        );
        assert_eq!(
            Day::from_days_since_epoch(day_of(last_second + 1)).jalali_string(),
            "1404/09/26"
        );
    }

    #[test]
    fn queued_searches_count_before_a_report() {
        let insights = Insights::new(InsightsConfig::default());
        insights.record_search("فناوري", FOUND);
        insights.record_search("فناوری", SearchOutcome::default());
        insights.record_search("   ", FOUND);
        insights.record_click("فناوری", 2);
        let r = insights.queries(everything(), 10);
        assert_eq!(r.queries.len(), 1);
        assert_eq!((r.queries[0].searches, r.queries[0].clicks), (2, 1));
        let o = insights.overview(everything());
        assert_eq!((o.searches, o.clicks, o.dropped), (2, 1, 0));
        assert_eq!(o.days.len(), 401);
    }

    #[test]
    fn a_full_queue_drops_rather_than_waits() {
        let insights = Insights::new(InsightsConfig::default());
        for _ in 0..QUEUE_CAPACITY + 3 {
            insights.record_search("فناوری", FOUND);
        }
        let o = insights.overview(everything());
        assert_eq!(o.searches, QUEUE_CAPACITY as u64);
        assert_eq!(o.dropped, 3);
    }

    #[test]
    fn saved_counts_load_again_and_off_stores_nothing() {
        let settings = IndexSettings::in_memory();
        let insights = Insights::load(InsightsConfig::default(), &settings).unwrap();
        insights.record_search("شیلات", FOUND);
        insights.record_search("شیلات", FOUND);
        insights.save(&settings).unwrap();
        let again = Insights::load(InsightsConfig::default(), &settings).unwrap();
        assert_eq!(again.queries(everything(), 10).queries[0].searches, 2);

        let off = InsightsConfig {
            enabled: false,
            ..InsightsConfig::default()
        };
        let empty = IndexSettings::in_memory();
        let insights = Insights::load(off, &empty).unwrap();
        insights.record_search("شیلات", FOUND);
        insights.record_click("شیلات", 1);
        insights.save(&empty).unwrap();
        assert!(empty.all().unwrap().is_empty(), "nothing stored");
        let o = insights.overview(everything());
        assert!(!o.enabled);
        assert_eq!(o.searches + o.clicks, 0);
        assert_eq!(
            Insights::load(off, &settings)
                .unwrap()
                .overview(everything())
                .searches,
            0,
            "off reads nothing either"
        );
    }

    #[test]
    fn loading_drops_days_past_retention_and_refuses_an_unreadable_setting() {
        let settings = IndexSettings::in_memory();
        let mut counts = DailyCounts::default();
        counts.add_search(today() - 10, "کشاورزی", FOUND);
        counts.add_search(today() - 1, "کشاورزی", FOUND);
        settings.put(SETTING, &counts.to_stored()).unwrap();
        let five_days = InsightsConfig {
            retention_days: 5,
            ..InsightsConfig::default()
        };
        let insights = Insights::load(five_days, &settings).unwrap();
        assert_eq!(insights.overview(everything()).searches, 1);
        insights.save(&settings).unwrap();
        let stored: StoredInsights = settings.get(SETTING).unwrap().unwrap();
        assert_eq!(stored.days.len(), 1, "the pruned counts were saved");

        settings
            .put(SETTING, &serde_json::json!({"version": 7, "days": {}}))
            .unwrap();
        let e = Insights::load(InsightsConfig::default(), &settings)
            .err()
            .unwrap();
        assert!(e.0.contains("insights") && e.0.contains("afresh"), "{e}");
    }
}
