//! One crawl: each host's queue, the requests in flight, and what each answer does to the index
//! and to the state the next crawl reads.
//!
//! Each host's queue starts with its robots.txt; its sitemaps come next, then the start URL and
//! what pages and sitemaps lead to, in the order found (so which of two URLs with the same
//! content is indexed does not change from one crawl to the next). A host has one request in
//! flight at a time and waits its delay after each answer; hosts run side by side up to the
//! concurrency. Index writes and page reading run on the blocking pool.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::task::JoinSet;
use tokio::time::Instant as Deadline;
use url::Url;

use super::fetch::{Fetched, Fetcher, Validators};
use super::robots::{MAX_ROBOTS_BYTES, Robots, agent_token};
use super::sitemap::{MAX_SITEMAP_BYTES, MAX_SITEMAP_DEPTH, Sitemap, parse_sitemap};
use super::state::{CrawlState, PageState};
use super::urls::{self, Scope};
use super::{BATCH, CrawlOptions, CrawlProgress, CrawlReport, MAX_PAGE_BYTES, MAX_REDIRECTS};
use crate::calendar::utc_timestamp;
use crate::document::{CrawlRecord, Document};
use crate::index::SearchIndex;
use crate::ingest::html::{HtmlOptions, PageReading, read_html};
use crate::ingest::settle;

/// The `source` of crawled documents.
pub const SOURCE: &str = "crawl";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum What {
    Robots,
    Sitemap { depth: u8, named: bool },
    Page,
}

struct Item {
    /// What is requested: the link without fragment and tracking parameters.
    url: Url,
    /// The page's canonical URL (what identifies it; the URL itself for other items).
    key: String,
    what: What,
    /// Redirects followed to get here.
    hops: u8,
    referrer: Option<Arc<str>>,
}

/// What came back for an item.
enum Answer {
    Robots(Vec<u8>),
    Sitemap(Result<Sitemap, String>),
    Page(PageReading, Validators),
    /// Every answer without a body to read.
    Other(Fetched),
}

struct Done {
    site: String,
    item: Item,
    answer: Answer,
}

struct Host {
    queue: VecDeque<Item>,
    busy: bool,
    ready_at: Deadline,
    delay: Duration,
    /// `None` until robots.txt is read.
    robots: Option<Robots>,
    /// robots.txt could not be read: the host is not crawled.
    blocked: bool,
}

/// Whose the document with a page's id is.
enum Owner {
    Missing,
    /// The crawler's, for this site and URL, read with this content hash.
    Crawler(String),
    /// Someone else's (replaced through the API, or from a file).
    Other,
}

struct Deletion {
    id: String,
    site: String,
    url: String,
}

struct Run<'a> {
    index: Arc<SearchIndex>,
    options: &'a CrawlOptions,
    progress: &'a CrawlProgress,
    fetcher: Arc<Fetcher>,
    scope: Scope,
    agent: String,
    hosts: BTreeMap<String, Host>,
    /// Canonical URLs queued (or skipped) in this crawl.
    seen: HashSet<String>,
    /// Of which reached: not disallowed by robots.txt.
    reached: HashSet<String>,
    state: CrawlState,
    /// Content hash → the canonical URL first read with it.
    hashes: HashMap<String, String>,
    batch: Vec<Document>,
    deletions: Vec<Deletion>,
    /// Sites where something that may list pages could not be read.
    incomplete: HashSet<String>,
    /// `max_pages` was reached with pages still to fetch.
    cut_short: bool,
    pages_started: usize,
}

pub(super) async fn run(
    index: Arc<SearchIndex>,
    options: &CrawlOptions,
    progress: &CrawlProgress,
) -> Result<CrawlReport, String> {
    let started = Instant::now();
    let scope = Scope::new(&options.start, &options.allow, options.deny.clone())?;
    let fetcher = Arc::new(Fetcher::new(&options.user_agent, options.timeout)?);
    let state = {
        let index = index.clone();
        tokio::task::spawn_blocking(move || CrawlState::load(index.settings()))
            .await
            .map_err(|e| format!("reading the crawl state failed: {e}"))?
            .map_err(|e| e.to_string())?
    };
    let mut run = Run {
        index,
        options,
        progress,
        fetcher,
        scope,
        agent: agent_token(&options.user_agent).to_string(),
        hosts: BTreeMap::new(),
        seen: HashSet::new(),
        reached: HashSet::new(),
        state,
        hashes: HashMap::new(),
        batch: Vec::new(),
        deletions: Vec::new(),
        incomplete: HashSet::new(),
        cut_short: false,
        pages_started: 0,
    };
    let mut queued_start = false;
    for url in &options.start {
        queued_start |= run.enqueue_page(url.clone(), None, 0).is_some();
    }
    if !queued_start {
        return Err("no start URL is within the --allow prefixes and outside --deny".into());
    }
    run.crawl().await?;
    run.finish().await?;
    let mut report = progress.report();
    report.complete = !run.cut_short && run.incomplete.is_empty();
    report.seconds = started.elapsed().as_secs_f64();
    progress.count(|r| *r = report.clone());
    Ok(report)
}

impl Run<'_> {
    async fn crawl(&mut self) -> Result<(), String> {
        let mut tasks: JoinSet<Done> = JoinSet::new();
        loop {
            self.dispatch(&mut tasks);
            let wake = self.next_wake();
            if tasks.is_empty() {
                match wake {
                    Some(at) => {
                        tokio::time::sleep_until(at).await;
                        continue;
                    }
                    None => return Ok(()),
                }
            }
            tokio::select! {
                done = tasks.join_next() => {
                    let done = done
                        .expect("tasks is not empty")
                        .map_err(|e| format!("a crawl task failed: {e}"))?;
                    self.handle(done).await?;
                }
                () = tokio::time::sleep_until(wake.unwrap_or_else(Deadline::now)), if wake.is_some() => {}
            }
        }
    }

    /// When the next idle host may send its next request.
    fn next_wake(&self) -> Option<Deadline> {
        self.hosts
            .values()
            .filter(|h| !h.busy && !h.blocked && !h.queue.is_empty())
            .map(|h| h.ready_at)
            .min()
    }

    /// Starts every request that may start now.
    fn dispatch(&mut self, tasks: &mut JoinSet<Done>) {
        let now = Deadline::now();
        let sites: Vec<String> = self.hosts.keys().cloned().collect();
        for site in sites {
            if tasks.len() >= self.options.concurrency.max(1) {
                return;
            }
            while let Some(item) = self.next_item(&site, now) {
                if item.what == What::Page {
                    let robots = self.hosts[&site].robots.as_ref();
                    if !robots.is_none_or(|r| r.allowed(&item.url)) {
                        tracing::debug!(url = %item.url, "skipped: robots.txt disallows it");
                        self.reached.remove(&item.key);
                        self.progress.count(|r| r.skipped += 1);
                        self.progress.handled();
                        continue;
                    }
                    if self
                        .options
                        .max_pages
                        .is_some_and(|max| self.pages_started >= max)
                    {
                        self.cut();
                        break;
                    }
                    self.pages_started += 1;
                }
                let validators = self.validators(&site, &item);
                self.host(&site).busy = true;
                tasks.spawn(fetch(
                    self.fetcher.clone(),
                    self.options.html.clone(),
                    site.clone(),
                    item,
                    validators,
                ));
                break;
            }
        }
    }

    /// The next item of an idle host whose delay has passed.
    fn next_item(&mut self, site: &str, now: Deadline) -> Option<Item> {
        let host = self.hosts.get_mut(site)?;
        if host.busy || host.blocked || host.ready_at > now {
            return None;
        }
        host.queue.pop_front()
    }

    /// `max_pages` is reached: the pages still queued are not fetched.
    fn cut(&mut self) {
        self.cut_short = true;
        for host in self.hosts.values_mut() {
            host.queue.retain(|i| i.what != What::Page);
        }
    }

    /// The validators to send for a page: those it was last served with, unless the document
    /// made from it is gone or no longer the crawler's (then it is read again).
    fn validators(&self, site: &str, item: &Item) -> Validators {
        if item.what != What::Page {
            return Validators::default();
        }
        let Some(page) = self.old_page(site, &item.key) else {
            return Validators::default();
        };
        if let Some(id) = &page.doc_id
            && !matches!(self.owner(id, site, &item.key), Owner::Crawler(_))
        {
            return Validators::default();
        }
        Validators {
            etag: page.etag.clone(),
            last_modified: page.last_modified.clone(),
        }
    }

    fn old_page(&self, site: &str, url: &str) -> Option<&PageState> {
        self.state.sites.get(site).and_then(|pages| pages.get(url))
    }

    fn owner(&self, id: &str, site: &str, url: &str) -> Owner {
        match self.index.get(id) {
            Ok(None) => Owner::Missing,
            Ok(Some(doc)) => match doc.crawl {
                Some(c) if c.site == site && c.canonical_url == url => {
                    Owner::Crawler(c.content_hash)
                }
                _ => Owner::Other,
            },
            // An unreadable stored document is not touched.
            Err(_) => Owner::Other,
        }
    }

    /// The host of a site, created with its robots.txt first in its queue.
    fn host(&mut self, site: &str) -> &mut Host {
        if !self.hosts.contains_key(site) {
            let scheme = scheme_of(&self.options.start, site);
            let mut queue = VecDeque::new();
            if let Ok(url) = Url::parse(&format!("{scheme}://{site}/robots.txt")) {
                queue.push_back(Item {
                    key: url.to_string(),
                    url,
                    what: What::Robots,
                    hops: 0,
                    referrer: None,
                });
                self.progress.found();
            }
            let host = Host {
                queue,
                busy: false,
                ready_at: Deadline::now(),
                delay: self.options.delay,
                robots: None,
                blocked: false,
            };
            self.hosts.insert(site.to_string(), host);
        }
        self.hosts.get_mut(site).expect("inserted above")
    }

    /// Queues a page (if in scope and not seen yet); its canonical URL when in scope.
    fn enqueue_page(&mut self, url: Url, referrer: Option<&Url>, hops: u8) -> Option<String> {
        let link = urls::without_tracking(&url);
        let canonical = urls::canonical(&url);
        if !self.scope.contains(&link) || !self.scope.contains(&canonical) {
            return None;
        }
        let key = canonical.to_string();
        if !self.seen.insert(key.clone()) {
            return Some(key);
        }
        if urls::is_attachment(&canonical) {
            tracing::debug!(url = %key, "skipped: an attachment");
            self.progress.count(|r| r.skipped += 1);
            return None;
        }
        if self.cut_short {
            return Some(key);
        }
        self.reached.insert(key.clone());
        let site = urls::site_of(&canonical);
        let item = Item {
            url: link,
            key: key.clone(),
            what: What::Page,
            hops,
            referrer: referrer.map(|r| Arc::from(r.as_str())),
        };
        self.host(&site).queue.push_back(item);
        self.progress.found();
        Some(key)
    }

    fn enqueue_sitemap(&mut self, url: Url, depth: u8, named: bool, front: bool) {
        let site = urls::site_of(&url);
        if !self.scope.sites.contains(&site) || !self.seen.insert(url.to_string()) {
            return;
        }
        let item = Item {
            key: url.to_string(),
            url,
            what: What::Sitemap { depth, named },
            hops: 0,
            referrer: None,
        };
        let host = self.host(&site);
        if front {
            host.queue.push_front(item);
        } else {
            host.queue.push_back(item);
        }
        self.progress.found();
    }

    async fn handle(&mut self, done: Done) -> Result<(), String> {
        let Done { site, item, answer } = done;
        {
            let host = self.host(&site);
            host.busy = false;
            host.ready_at = Deadline::now() + host.delay;
        }
        match item.what {
            What::Robots => self.robots(&site, &item, answer),
            What::Sitemap { depth, named } => self.sitemap(&site, &item, depth, named, answer),
            What::Page => self.page(&site, &item, answer).await?,
        }
        self.progress.handled();
        Ok(())
    }

    fn robots(&mut self, site: &str, item: &Item, answer: Answer) {
        let robots = match answer {
            Answer::Robots(body) => Robots::parse(&self.agent, &body),
            Answer::Other(Fetched::Status { status }) if (400..500).contains(&status) => {
                Robots::AllowAll
            }
            Answer::Other(Fetched::Redirect { location, .. }) if item.hops < MAX_REDIRECTS => {
                if let Ok(target) = item.url.join(&location)
                    && urls::site_of(&target) == site
                {
                    self.host(site).queue.push_front(Item {
                        key: target.to_string(),
                        url: target,
                        what: What::Robots,
                        hops: item.hops + 1,
                        referrer: None,
                    });
                    self.progress.found();
                    return;
                }
                Robots::AllowAll
            }
            other => {
                let reason = describe_answer(&other);
                self.progress.fail(
                    item.url.as_str(),
                    format!("{reason}; the host is not crawled without its robots.txt"),
                );
                self.incomplete.insert(site.to_string());
                let host = self.host(site);
                host.blocked = true;
                host.queue.clear();
                return;
            }
        };
        let delay = robots.delay().unwrap_or_default().max(self.options.delay);
        let sitemaps: Vec<Url> = robots
            .sitemaps()
            .iter()
            .filter_map(|s| item.url.join(s.trim()).ok())
            .collect();
        let host = self.host(site);
        host.delay = delay;
        host.ready_at = Deadline::now() + delay;
        host.robots = Some(robots);
        if sitemaps.is_empty() {
            let default = item.url.join("/sitemap.xml").expect("a valid URL");
            self.enqueue_sitemap(default, 0, false, true);
        }
        for sitemap in sitemaps.into_iter().rev() {
            self.enqueue_sitemap(sitemap, 0, true, true);
        }
    }

    fn sitemap(&mut self, site: &str, item: &Item, depth: u8, named: bool, answer: Answer) {
        let url = item.url.as_str();
        match answer {
            Answer::Sitemap(Ok(Sitemap::Pages(pages))) => {
                for page in pages {
                    if let Ok(page) = Url::parse(&page) {
                        self.enqueue_page(page, Some(&item.url), 0);
                    }
                }
            }
            Answer::Sitemap(Ok(Sitemap::Sitemaps(maps))) => {
                // Before the pages queued so far: a sitemap lists pages as the site prefers to
                // link them.
                for map in maps.into_iter().rev() {
                    match Url::parse(&map) {
                        Ok(map) if depth < MAX_SITEMAP_DEPTH => {
                            self.enqueue_sitemap(map, depth + 1, true, true)
                        }
                        Ok(_) => self
                            .progress
                            .fail(&map, "sitemap indexes nested too deep".into()),
                        Err(e) => self.progress.fail(&map, format!("bad sitemap URL: {e}")),
                    }
                }
            }
            Answer::Sitemap(Err(reason)) => {
                self.progress
                    .fail(url, format!("unreadable sitemap: {reason}"));
                self.incomplete.insert(site.to_string());
            }
            Answer::Other(Fetched::Redirect { location, .. }) => match item.url.join(&location) {
                Ok(target) if item.hops < MAX_REDIRECTS => {
                    self.enqueue_sitemap(target, depth, named, false);
                }
                _ => self
                    .progress
                    .fail(url, "sitemap redirected too often".into()),
            },
            // A site without /sitemap.xml is no error; a sitemap robots.txt names that is gone is.
            Answer::Other(Fetched::Status { status }) if (400..500).contains(&status) => {
                if named {
                    self.progress.fail(url, http_status(status));
                }
            }
            other => {
                self.progress.fail(url, describe_answer(&other));
                self.incomplete.insert(site.to_string());
            }
        }
    }

    async fn page(&mut self, site: &str, item: &Item, answer: Answer) -> Result<(), String> {
        let url = item.key.clone();
        let old = self.old_page(site, &url).cloned();
        let linked_from = item
            .referrer
            .as_ref()
            .map(|r| format!(" (linked from {r})"))
            .unwrap_or_default();
        if !matches!(answer, Answer::Other(Fetched::Failed(_))) {
            self.progress.count(|r| r.fetched += 1);
        }
        match answer {
            Answer::Page(reading, validators) => {
                self.read(site, item, reading, validators, old).await?;
            }
            Answer::Other(Fetched::NotModified) => match old {
                Some(page) => {
                    self.follow_known_links(&page, &item.url);
                    if let Some(hash) = &page.content_hash {
                        self.hashes.entry(hash.clone()).or_insert(url);
                    }
                    self.progress.count(|r| match page.doc_id {
                        Some(_) => r.unchanged += 1,
                        None => r.skipped += 1,
                    });
                }
                None => self.progress.fail(
                    &url,
                    "304 Not Modified to a request that was not conditional".into(),
                ),
            },
            Answer::Other(Fetched::Redirect { location, .. }) => {
                self.forget(site, &url, old.as_ref());
                match item.url.join(&location) {
                    Ok(target) if item.hops < MAX_REDIRECTS => {
                        tracing::debug!(url, to = %target, "skipped: a redirect");
                        self.progress.count(|r| r.skipped += 1);
                        self.enqueue_page(target, Some(&item.url), item.hops + 1);
                    }
                    Ok(_) => self.progress.fail(
                        &url,
                        format!("more than {MAX_REDIRECTS} redirects{linked_from}"),
                    ),
                    Err(e) => self
                        .progress
                        .fail(&url, format!("bad redirect to {location:?}: {e}")),
                }
            }
            Answer::Other(Fetched::NotHtml { content_type }) => {
                tracing::debug!(url, content_type, "skipped: not a page");
                self.progress.count(|r| r.skipped += 1);
                self.forget(site, &url, old.as_ref());
                self.remember(site, &url, PageState::default());
            }
            Answer::Other(Fetched::Status { status: 404 | 410 }) if old.is_some() => {
                tracing::debug!(url, "gone");
                self.forget(site, &url, old.as_ref());
            }
            Answer::Other(other) => {
                // A failure keeps the page's document and state; its known links still lead on.
                self.progress
                    .fail(&url, format!("{}{linked_from}", describe(&other)));
                if let Some(page) = old {
                    self.follow_known_links(&page, &item.url);
                }
            }
            Answer::Robots(_) | Answer::Sitemap(_) => {}
        }
        Ok(())
    }

    /// Follows the links a page had when it was last read.
    fn follow_known_links(&mut self, page: &PageState, from: &Url) {
        for link in &page.links {
            if let Ok(link) = Url::parse(link) {
                self.enqueue_page(link, Some(from), 0);
            }
        }
    }

    /// What a page read says: links to follow, and a document to index, keep or delete.
    async fn read(
        &mut self,
        site: &str,
        item: &Item,
        reading: PageReading,
        validators: Validators,
        old: Option<PageState>,
    ) -> Result<(), String> {
        let url = item.key.clone();
        // Kept as requested (not canonical): a 304 next time leads to the same requests.
        let mut links: Vec<String> = Vec::new();
        if !reading.nofollow {
            for link in reading.links {
                let requested = urls::without_tracking(&link).to_string();
                if let Some(key) = self.enqueue_page(link, Some(&item.url), 0)
                    && key != url
                    && !links.contains(&requested)
                {
                    links.push(requested);
                }
            }
        }
        let mut page = PageState {
            etag: validators.etag.clone(),
            last_modified: validators.last_modified.clone(),
            content_hash: None,
            doc_id: None,
            links,
        };
        let canonical = reading.canonical.map(|c| urls::canonical(&c));
        if let Some(canonical) = canonical.filter(|c| c.as_str() != url && self.scope.contains(c)) {
            tracing::debug!(url, canonical = %canonical, "skipped: a copy of its canonical URL");
            self.progress.count(|r| r.skipped += 1);
            self.enqueue_page(canonical, Some(&item.url), item.hops);
            self.forget(site, &url, old.as_ref());
            self.remember(site, &url, page);
            return Ok(());
        }
        let article = match reading.article {
            Ok(article) => article,
            Err(not) => {
                tracing::debug!(url, "skipped: {not}");
                self.progress.count(|r| r.skipped += 1);
                self.forget(site, &url, old.as_ref());
                self.remember(site, &url, page);
                return Ok(());
            }
        };
        let hash = article.content_hash();
        if let Some(first) = self.hashes.get(&hash).filter(|f| **f != url) {
            tracing::debug!(url, first = %first, "skipped: the same article as another URL");
            self.progress.count(|r| r.skipped += 1);
            self.forget(site, &url, old.as_ref());
            self.remember(site, &url, page);
            return Ok(());
        }
        self.hashes.insert(hash.clone(), url.clone());
        page.content_hash = Some(hash.clone());
        let id = urls::document_id(&url);
        let updated = match self.owner(&id, site, &url) {
            Owner::Other => {
                tracing::debug!(
                    url,
                    id,
                    "skipped: its document was replaced through the API"
                );
                self.progress.count(|r| r.skipped += 1);
                self.remember(site, &url, page);
                return Ok(());
            }
            Owner::Crawler(stored) if stored == hash => {
                self.progress.count(|r| r.unchanged += 1);
                page.doc_id = Some(id);
                self.remember(site, &url, page);
                return Ok(());
            }
            Owner::Crawler(_) => true,
            Owner::Missing => false,
        };
        let mut doc = match article.into_document(id.clone(), Some(url.clone()), SOURCE.into()) {
            Ok(doc) => doc,
            Err(reason) => {
                self.progress.fail(&url, reason);
                self.remember(site, &url, page);
                return Ok(());
            }
        };
        doc.crawl = Some(CrawlRecord {
            canonical_url: url.clone(),
            site: site.to_string(),
            etag: validators.etag,
            last_modified: validators.last_modified,
            content_hash: hash,
            fetched_at: utc_timestamp(SystemTime::now()),
        });
        self.progress.count(|r| match updated {
            true => r.updated += 1,
            false => r.indexed += 1,
        });
        page.doc_id = Some(id);
        self.remember(site, &url, page);
        self.batch.push(doc);
        if self.batch.len() >= BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    fn remember(&mut self, site: &str, url: &str, page: PageState) {
        self.state
            .sites
            .entry(site.to_string())
            .or_default()
            .insert(url.to_string(), page);
    }

    /// The page is gone, moved or no article any more: its document is to be deleted (if it
    /// is still the crawler's) and the state forgets it.
    fn forget(&mut self, site: &str, url: &str, old: Option<&PageState>) {
        if let Some(id) = old.and_then(|p| p.doc_id.clone()) {
            self.deletions.push(Deletion {
                id,
                site: site.to_string(),
                url: url.to_string(),
            });
        }
        if let Some(pages) = self.state.sites.get_mut(site) {
            pages.remove(url);
        }
    }

    /// Indexes the documents read so far (settled: partners and domains extracted).
    async fn flush(&mut self) -> Result<(), String> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let docs = std::mem::take(&mut self.batch);
        let index = self.index.clone();
        tokio::task::spawn_blocking(move || {
            let docs: Vec<Document> = docs.into_iter().map(settle).collect();
            index.upsert(&docs)
        })
        .await
        .map_err(|e| format!("indexing failed: {e}"))?
        .map_err(|e| e.to_string())
    }

    /// The last batch, the deletions (pages gone, and pages a complete crawl did not reach),
    /// and the state for the next crawl.
    async fn finish(&mut self) -> Result<(), String> {
        self.flush().await?;
        if !self.cut_short {
            for (site, pages) in &mut self.state.sites {
                if !self.hosts.contains_key(site) || self.incomplete.contains(site) {
                    continue;
                }
                let unreached: Vec<String> = pages
                    .keys()
                    .filter(|u| {
                        !self.reached.contains(*u)
                            && Url::parse(u).is_ok_and(|u| self.scope.contains(&u))
                    })
                    .cloned()
                    .collect();
                for url in unreached {
                    if let Some(id) = pages.remove(&url).and_then(|p| p.doc_id) {
                        tracing::debug!(url, "no longer reached");
                        self.deletions.push(Deletion {
                            id,
                            site: site.clone(),
                            url,
                        });
                    }
                }
            }
        }
        let deletions = std::mem::take(&mut self.deletions);
        let index = self.index.clone();
        let state = std::mem::take(&mut self.state);
        let deleted = tokio::task::spawn_blocking(move || -> Result<usize, String> {
            let mine: Vec<String> = deletions
                .into_iter()
                .filter(|d| {
                    index.get(&d.id).ok().flatten().is_some_and(|doc| {
                        doc.crawl
                            .is_some_and(|c| c.site == d.site && c.canonical_url == d.url)
                    })
                })
                .map(|d| d.id)
                .collect();
            let deleted = index.delete_ids(&mine).map_err(|e| e.to_string())?;
            state.save(index.settings()).map_err(|e| e.to_string())?;
            Ok(deleted)
        })
        .await
        .map_err(|e| format!("deleting failed: {e}"))??;
        self.progress.count(|r| r.deleted += deleted);
        Ok(())
    }
}

/// The scheme of the start URL on `site` (robots.txt is asked for there).
fn scheme_of(start: &[Url], site: &str) -> &'static str {
    match start
        .iter()
        .find(|u| urls::site_of(u) == site)
        .map(Url::scheme)
    {
        Some("http") => "http",
        _ => "https",
    }
}

/// Fetches an item and reads what came back, on the blocking pool for pages and sitemaps.
async fn fetch(
    fetcher: Arc<Fetcher>,
    html: HtmlOptions,
    site: String,
    item: Item,
    validators: Validators,
) -> Done {
    let (html_only, limit) = match item.what {
        What::Robots => (false, MAX_ROBOTS_BYTES),
        What::Sitemap { .. } => (false, MAX_SITEMAP_BYTES),
        What::Page => (true, MAX_PAGE_BYTES),
    };
    let fetched = fetcher.get(&item.url, &validators, html_only, limit).await;
    let answer = match fetched {
        Fetched::Body {
            content_type,
            validators,
            body,
        } => match item.what {
            What::Robots => Answer::Robots(body),
            What::Sitemap { .. } => {
                match tokio::task::spawn_blocking(move || parse_sitemap(&body)).await {
                    Ok(sitemap) => Answer::Sitemap(sitemap),
                    Err(e) => Answer::Other(Fetched::Failed(format!("reading failed: {e}"))),
                }
            }
            What::Page => {
                let url = item.url.clone();
                let read = tokio::task::spawn_blocking(move || {
                    read_html(&body, content_type.as_deref(), &url, &html)
                })
                .await;
                match read {
                    Ok(reading) => Answer::Page(reading, validators),
                    Err(e) => Answer::Other(Fetched::Failed(format!("reading failed: {e}"))),
                }
            }
        },
        other => Answer::Other(other),
    };
    Done { site, item, answer }
}

fn http_status(status: u16) -> String {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    format!("HTTP {status} {reason}").trim_end().to_string()
}

/// A failure, in a few words.
fn describe(fetched: &Fetched) -> String {
    match fetched {
        Fetched::Status { status } => http_status(*status),
        Fetched::Failed(reason) => reason.clone(),
        Fetched::Redirect { status, location } => {
            format!("HTTP {status} to {location} not followed")
        }
        Fetched::NotHtml { content_type } => format!("unexpected {content_type}"),
        Fetched::NotModified => "304 Not Modified unasked".into(),
        Fetched::Body { .. } => "unexpected answer".into(),
    }
}

fn describe_answer(answer: &Answer) -> String {
    match answer {
        Answer::Other(fetched) => describe(fetched),
        _ => "unexpected answer".into(),
    }
}
