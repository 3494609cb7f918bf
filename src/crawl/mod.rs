//! The crawler (`kavosh crawl`, `kavosh serve --crawl`): it reads a site's pages into the index
//! and keeps the index in step with the site.
//!
//! From the start URLs and the sitemaps robots.txt names (or `/sitemap.xml`), it follows links
//! on the start URLs' hosts (and the `--allow` prefixes), politely: robots.txt for our user agent
//! (else `*`) and its `Crawl-delay`, one request at a time per host with a delay between them,
//! timeouts and limits on bodies and redirects. Each page is read by the HTML reader
//! ([`crate::ingest::html`]) into a document or the reason it is none; the documents are
//! settled (partners, domains) and indexed in batches.
//!
//! Crawling again updates what changed and nothing else: pages are asked for with
//! `If-None-Match`/`If-Modified-Since`, and an article whose content hash is unchanged is not
//! indexed again. A page that answers 404 or 410, or that a complete crawl no longer reaches, is
//! deleted — only when the stored document is still the crawler's own for that site (see
//! [`crate::document::CrawlRecord`]); a 5xx or a timeout keeps the document and is reported.
//! A crawl cut short by `max_pages` deletes nothing it did not reach.
//!
//! - [`urls`]: canonical URLs, scope, ids; [`fetch`]: HTTP; [`robots`]; [`sitemap`];
//! - [`state`]: what a crawl leaves for the next (the index setting `crawl`);
//! - [`schedule`]: crawls in the background of `kavosh serve`, and their status.

pub mod fetch;
pub mod robots;
mod run;
pub mod schedule;
pub mod sitemap;
pub mod state;
pub mod urls;

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use regex::Regex;
use serde::Serialize;
use url::Url;

use crate::index::SearchIndex;
use crate::ingest::html::HtmlOptions;

/// The User-Agent kavosh crawls with.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "kavosh/",
    env!("CARGO_PKG_VERSION"),
    " (Persian site search crawler)"
);
/// The delay between two requests to a host, unless robots.txt asks for more.
pub const DEFAULT_DELAY: Duration = Duration::from_millis(250);
/// Hosts crawled at once.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// Longest a request may take, body included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest page read.
pub const MAX_PAGE_BYTES: usize = 10 * 1024 * 1024;
/// Redirects followed from one link.
pub const MAX_REDIRECTS: u8 = 5;
/// Errors a report keeps (all are counted).
pub const MAX_REPORTED_ERRORS: usize = 1000;
/// Documents indexed per commit.
const BATCH: usize = 100;

/// How a crawl runs.
#[derive(Clone, Debug)]
pub struct CrawlOptions {
    pub start: Vec<Url>,
    /// URL prefixes the crawl stays within (none: the start URLs' hosts).
    pub allow: Vec<String>,
    /// URLs matching any of these are not visited.
    pub deny: Vec<Regex>,
    /// Most pages fetched; a crawl cut short is not complete.
    pub max_pages: Option<usize>,
    pub delay: Duration,
    /// Most requests at once (one per host).
    pub concurrency: usize,
    pub user_agent: String,
    pub html: HtmlOptions,
    pub timeout: Duration,
}

impl CrawlOptions {
    /// The defaults, from these start URLs (http or https).
    pub fn new(start: Vec<Url>) -> CrawlOptions {
        CrawlOptions {
            start,
            allow: Vec::new(),
            deny: Vec::new(),
            max_pages: None,
            delay: DEFAULT_DELAY,
            concurrency: DEFAULT_CONCURRENCY,
            user_agent: DEFAULT_USER_AGENT.to_string(),
            html: HtmlOptions::default(),
            timeout: REQUEST_TIMEOUT,
        }
    }
}

/// Parses a start URL: http or https only.
pub fn parse_start_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|e| format!("bad URL {text:?}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("{text:?} is not an http or https URL"));
    }
    Ok(url)
}

/// A page that could not be read, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PageError {
    pub url: String,
    pub reason: String,
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.url, self.reason)
    }
}

/// What a crawl did.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct CrawlReport {
    /// Pages requested that answered (robots.txt and sitemaps aside).
    pub fetched: usize,
    /// New documents.
    pub indexed: usize,
    /// Documents indexed again because their page changed.
    pub updated: usize,
    /// Articles unchanged: answered 304, or read with the same content hash.
    pub unchanged: usize,
    /// Documents deleted: their page is gone (404, 410), moved, or no longer reached.
    pub deleted: usize,
    /// Pages not indexed by rule: listings, tag, search and print pages, attachments,
    /// duplicates, redirects, pages robots.txt disallows.
    pub skipped: usize,
    /// Pages that could not be read (see `errors`).
    pub failed: usize,
    pub seconds: f64,
    /// Whether every page in scope was reached (only then are unreached pages deleted).
    pub complete: bool,
    /// The first [`MAX_REPORTED_ERRORS`] failures.
    pub errors: Vec<PageError>,
}

impl fmt::Display for CrawlReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "fetched {}, indexed {}, updated {}, unchanged {}, deleted {}, skipped {}, failed {}, {:.2} seconds",
            self.fetched,
            self.indexed,
            self.updated,
            self.unchanged,
            self.deleted,
            self.skipped,
            self.failed,
            self.seconds
        )
    }
}

/// A crawl's progress while it runs: URLs handled out of those found so far, and the report
/// so far (what `GET /crawl` shows of the current run; what a progress bar reads).
#[derive(Default)]
pub struct CrawlProgress {
    done: AtomicUsize,
    total: AtomicUsize,
    report: Mutex<CrawlReport>,
}

impl CrawlProgress {
    /// URLs handled (fetched or skipped).
    pub fn done(&self) -> usize {
        self.done.load(Ordering::Relaxed)
    }

    /// URLs found so far (it grows as pages are read).
    pub fn total(&self) -> usize {
        self.total.load(Ordering::Relaxed)
    }

    /// The report so far.
    pub fn report(&self) -> CrawlReport {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CrawlReport> {
        self.report.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn found(&self) {
        self.total.fetch_add(1, Ordering::Relaxed);
    }

    fn handled(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    fn count(&self, what: impl FnOnce(&mut CrawlReport)) {
        what(&mut self.lock());
    }

    fn fail(&self, url: &str, reason: String) {
        let mut report = self.lock();
        report.failed += 1;
        if report.errors.len() < MAX_REPORTED_ERRORS {
            report.errors.push(PageError {
                url: url.to_string(),
                reason,
            });
        }
    }
}

/// Crawls into `index` (see the module's documentation). An `Err` is a failure of the index
/// (nothing the site did); the documents of earlier batches are committed then.
pub async fn crawl(
    index: Arc<SearchIndex>,
    options: &CrawlOptions,
    progress: &CrawlProgress,
) -> Result<CrawlReport, String> {
    run::run(index, options, progress).await
}
