//! Crawls in the background of `kavosh serve --crawl URL`: one when the server starts, then one
//! every `--crawl-every` (measured from one start to the next; a crawl that runs longer is
//! followed by the next at once), while searches go on. [`CrawlSchedule::status`] is what
//! `GET /crawl` answers: the current run so far and the last one.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde::Serialize;

use super::{CrawlOptions, CrawlProgress, CrawlReport, crawl};
use crate::calendar::utc_timestamp;
use crate::index::SearchIndex;

/// The default of `--crawl-every`.
pub const DEFAULT_EVERY: Duration = Duration::from_secs(24 * 3600);

/// One crawl as `GET /crawl` shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CrawlRun {
    /// UTC, `2026-12-06T07:06:43Z`.
    pub started_at: String,
    /// `null` while it runs.
    pub finished_at: Option<String>,
    /// URLs handled so far, of `total` found so far.
    pub done: usize,
    pub total: usize,
    /// The counts and the pages that failed (so far, while it runs).
    pub report: CrawlReport,
    /// Why the crawl stopped early: the index failed (failures of the site's pages are in
    /// `report.errors`).
    pub error: Option<String>,
}

/// What `GET /crawl` answers.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CrawlStatus {
    /// The start URLs.
    pub urls: Vec<String>,
    /// Seconds from the start of one crawl to the next.
    pub every_seconds: u64,
    /// The crawl running now, if any.
    pub current: Option<CrawlRun>,
    /// The last crawl that ended.
    pub last: Option<CrawlRun>,
    /// When the next crawl starts (UTC), when none runs.
    pub next_at: Option<String>,
}

#[derive(Default)]
struct Runs {
    current: Option<(String, Arc<CrawlProgress>)>,
    last: Option<CrawlRun>,
    next_at: Option<SystemTime>,
}

/// The index a crawl writes into, or `None` while writes must wait (the served index is being
/// upgraded: what is written into the old index then would not reach the new one).
pub type CrawlTarget = Box<dyn Fn() -> Option<Arc<SearchIndex>> + Send + Sync>;

/// How often a crawl that must wait for its index looks again.
const WAIT_FOR_INDEX: Duration = Duration::from_secs(5);

/// The background crawls of one server.
pub struct CrawlSchedule {
    index: CrawlTarget,
    options: CrawlOptions,
    every: Duration,
    runs: Mutex<Runs>,
}

impl CrawlSchedule {
    pub fn new(index: CrawlTarget, options: CrawlOptions, every: Duration) -> CrawlSchedule {
        CrawlSchedule {
            index,
            options,
            every,
            runs: Mutex::new(Runs::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Runs> {
        self.runs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current and last runs.
    pub fn status(&self) -> CrawlStatus {
        let runs = self.lock();
        CrawlStatus {
            urls: self.options.start.iter().map(|u| u.to_string()).collect(),
            every_seconds: self.every.as_secs(),
            current: runs
                .current
                .as_ref()
                .map(|(started_at, progress)| CrawlRun {
                    started_at: started_at.clone(),
                    finished_at: None,
                    done: progress.done(),
                    total: progress.total(),
                    report: progress.report(),
                    error: None,
                }),
            last: runs.last.clone(),
            next_at: runs.next_at.map(utc_timestamp),
        }
    }

    /// Crawls now and then every `every`, forever (the server's runtime ends it).
    pub async fn run_forever(self: Arc<Self>) {
        let mut ticks = tokio::time::interval(self.every.max(Duration::from_secs(1)));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            self.run_once().await;
            self.lock().next_at = Some(SystemTime::now() + self.every);
        }
    }

    /// One crawl, recorded as the current run while it goes and as the last when it ends.
    pub async fn run_once(&self) -> CrawlRun {
        let started_at = utc_timestamp(SystemTime::now());
        let progress = Arc::new(CrawlProgress::default());
        {
            let mut runs = self.lock();
            runs.current = Some((started_at.clone(), progress.clone()));
            runs.next_at = None;
        }
        let index = loop {
            match (self.index)() {
                Some(index) => break index,
                None => tokio::time::sleep(WAIT_FOR_INDEX).await,
            }
        };
        tracing::info!(urls = ?self.options.start.iter().map(|u| u.as_str()).collect::<Vec<_>>(), "crawl started");
        let result = crawl(index, &self.options, &progress).await;
        let run = CrawlRun {
            started_at,
            finished_at: Some(utc_timestamp(SystemTime::now())),
            done: progress.done(),
            total: progress.total(),
            report: match &result {
                Ok(report) => report.clone(),
                Err(_) => progress.report(),
            },
            error: result.as_ref().err().cloned(),
        };
        match &result {
            Ok(report) => {
                for e in &report.errors {
                    tracing::warn!("crawl: {e}");
                }
                tracing::info!("crawl finished: {report}");
            }
            Err(e) => tracing::error!("crawl stopped: {e}"),
        }
        let mut runs = self.lock();
        runs.current = None;
        runs.last = Some(run.clone());
        run
    }
}

/// Parses `--crawl-every`: a number with a unit, or several (`45s`, `30m`, `6h`, `1d`, `1h30m`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("bad duration {text:?}: expected a number and a unit: 30m, 6h, 1d");
    let mut total = 0u64;
    let mut number = String::new();
    let mut any = false;
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(bad()),
        };
        let n: u64 = number.parse().map_err(|_| bad())?;
        total = n
            .checked_mul(unit)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(bad)?;
        number.clear();
        any = true;
    }
    if !number.is_empty() || !any || total == 0 {
        return Err(bad());
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_duration("6h").unwrap(), Duration::from_secs(21_600));
        assert_eq!(parse_duration("24h").unwrap(), DEFAULT_EVERY);
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("1d").unwrap(), DEFAULT_EVERY);
        for bad in [
            "",
            "30",
            "m",
            "0m",
            "5 hours",
            "-1h",
            "99999999999999999999d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }
}
