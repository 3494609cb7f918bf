//! A bounded cache of search and suggestion replies (Elasticsearch's request cache): site-search
//! traffic repeats itself (every user typing `تفاهم‌نامه` asks for the suggestions of `تف`,
//! `تفا`, `تفاه`…), and a repeated request over an unchanged index gets the same reply, hits,
//! exact total and facet counts alike, without searching again.
//!
//! A reply is kept under the request and the [`ViewMark`] of the searcher that answered it
//! (which commit of which opened index, and which of its settings); a commit, a reload or a
//! setting written changes the mark, so an acknowledged write is seen by the next search.
//! The cache holds at most its byte budget (an estimate of each reply's size) and drops the
//! least recently used replies first; replies larger than an eighth of it are not kept.
//!
//! A new view empties the cache, so after every commit the next user of each popular search
//! would wait for it (at 1M documents, 0.1 s for the park's name as a phrase). As Solr's
//! caches autowarm, [`SearchCache::refresh`] searches again over the new view the most used
//! requests of the view before (those asked more than once), at most [`REFRESHED_REPLIES`] of
//! them and for at most [`REFRESH_TIME`]; `kavosh serve` calls it in the background at most
//! once a second, and after a refresh waits four times as long as it took. A refreshed reply
//! starts with half the uses of the one it replaces: a search asked often stays ready through
//! a few commits in a row that no user searched between, and then drops out.

use std::any::Any;
use std::cmp::Reverse;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustc_hash::FxHashMap;

use tantivy::Searcher;

use super::rewrite::Rewritten;
use super::suggest::{SuggestResponse, suggest_with};
use super::{SearchError, SearchRequest, SearchResponse, search_with};
use crate::index::{SearchIndex, ViewMark};

/// The byte budget of `kavosh serve`'s cache unless configured (`--search-cache-mb`).
pub const DEFAULT_CACHE_BYTES: usize = 64 * 1024 * 1024;

/// Most search replies [`SearchCache::refresh`] computes again for a new view.
pub const REFRESHED_REPLIES: usize = 32;

/// Longest [`SearchCache::refresh`] keeps searching (it stops after the search under way).
pub const REFRESH_TIME: Duration = Duration::from_secs(2);

/// Search and suggestion replies by request, for one view of an index at a time.
pub struct SearchCache {
    budget: usize,
    state: Mutex<CacheState>,
}

#[derive(Default)]
struct CacheState {
    /// The view the kept replies were answered from.
    mark: Option<ViewMark>,
    entries: FxHashMap<String, Entry>,
    /// Sum of the entries' sizes.
    bytes: usize,
    /// Counts uses, for least-recently-used eviction.
    clock: u64,
    /// The most used search requests of the view before `mark` (asked more than once), most
    /// used first, with their uses, for [`SearchCache::refresh`].
    to_refresh: Vec<(SearchRequest, u64)>,
}

struct Entry {
    /// A [`SearchResponse`] or a [`SuggestResponse`], as its key says.
    reply: Arc<dyn Any + Send + Sync>,
    /// The request of a search reply, to search again over the next view.
    request: Option<SearchRequest>,
    bytes: usize,
    last_used: u64,
    /// How many times the reply was given, the search that made it included (for a refreshed
    /// reply, half its predecessor's).
    uses: u64,
}

impl CacheState {
    /// Moves the kept replies out of the way of `mark`'s: they answer another view. The
    /// requests of the most used searches among them are kept to search again.
    fn switch_to(&mut self, mark: ViewMark) {
        let mut searches: Vec<(&Entry, &SearchRequest)> = self
            .entries
            .values()
            .filter(|e| e.uses > 1)
            .filter_map(|e| Some((e, e.request.as_ref()?)))
            .collect();
        searches.sort_by_key(|(e, _)| Reverse((e.uses, e.last_used)));
        let most_used: Vec<(SearchRequest, u64)> = searches
            .into_iter()
            .take(REFRESHED_REPLIES)
            .map(|(e, r)| (r.clone(), e.uses))
            .collect();
        // A view left before its replies were refreshed passes its own list on.
        if !most_used.is_empty() {
            self.to_refresh = most_used;
        }
        self.entries.clear();
        self.bytes = 0;
        self.mark = Some(mark);
    }
}

impl SearchCache {
    /// A cache of at most `budget` bytes of replies; 0 keeps nothing.
    pub fn new(budget: usize) -> SearchCache {
        SearchCache {
            budget,
            state: Mutex::new(CacheState::default()),
        }
    }

    /// Searches, or answers from the cache when the same request was answered over the same
    /// view of the index. The reply's `took_ms` is this call's own time.
    pub fn search(
        &self,
        index: &SearchIndex,
        req: &SearchRequest,
    ) -> Result<SearchResponse, SearchError> {
        let started = Instant::now();
        let (mut reply, kept) = self.answer(
            index,
            search_key(req),
            Some(req),
            |searcher| search_with(index, searcher, req),
            reply_bytes,
        )?;
        if kept {
            reply.took_ms = started.elapsed().as_secs_f64() * 1000.0;
        }
        Ok(reply)
    }

    /// Has the next [`SearchCache::refresh`] search `requests` (with how many times each was
    /// asked, the most asked first), as if they were the most used of the view before: `kavosh
    /// serve` starts with the most searched queries of its search insights.
    pub fn prepare(&self, requests: Vec<(SearchRequest, u64)>) {
        self.lock().to_refresh = requests;
    }

    /// When `index` shows a view the cache has not answered from yet, searches again over it
    /// the most used requests of the view before (see the module's documentation), or those
    /// given to [`SearchCache::prepare`], unless a user already did; returns how many it
    /// searched. Errors are left to the users who ask.
    pub fn refresh(&self, index: &SearchIndex) -> usize {
        if self.budget == 0 {
            return 0;
        }
        let started = Instant::now();
        let searcher = index.searcher();
        let mark = index.view_mark(&searcher);
        let requests = {
            let mut state = self.lock();
            if state.mark.is_some_and(|m| m != mark) {
                state.switch_to(mark);
            }
            std::mem::take(&mut state.to_refresh)
        };
        let mut searched = 0;
        for (req, uses) in requests {
            if started.elapsed() > REFRESH_TIME {
                break;
            }
            let key = search_key(&req);
            if self.lock().entries.contains_key(&key) {
                continue;
            }
            if let Ok(reply) = search_with(index, &searcher, &req) {
                let bytes = key.len() + reply_bytes(&reply);
                self.keep(mark, key, (Some(&req), uses / 2), &reply, bytes);
                searched += 1;
            }
        }
        searched
    }

    /// Suggestions for `q` (see [`super::suggest::suggest`]), or the kept reply to the same
    /// request over the same view of the index. The reply's `took_ms` is this call's own time.
    pub fn suggest(
        &self,
        index: &SearchIndex,
        q: &str,
        limit: usize,
        rewrite: bool,
    ) -> Result<SuggestResponse, SearchError> {
        let started = Instant::now();
        let (mut reply, kept) = self.answer(
            index,
            format!("suggest {q:?} {limit} {rewrite}"),
            None,
            |searcher| suggest_with(index, searcher, q, limit, rewrite),
            suggestion_bytes,
        )?;
        if kept {
            reply.took_ms = started.elapsed().as_secs_f64() * 1000.0;
        }
        Ok(reply)
    }

    /// The reply kept under `key` for the index's current view, or the one `fresh` gives (then
    /// kept with `request`, when a search's, `size` estimating its bytes); true when it was
    /// kept.
    fn answer<R: Clone + Send + Sync + 'static>(
        &self,
        index: &SearchIndex,
        key: String,
        request: Option<&SearchRequest>,
        fresh: impl FnOnce(&Searcher) -> Result<R, SearchError>,
        size: fn(&R) -> usize,
    ) -> Result<(R, bool), SearchError> {
        let searcher = index.searcher();
        if self.budget == 0 {
            return Ok((fresh(&searcher)?, false));
        }
        // Taken before searching: a reply is never kept under a view newer than its own.
        let mark = index.view_mark(&searcher);
        if let Some(reply) = self.lookup(mark, &key) {
            return Ok((reply, true));
        }
        let reply = fresh(&searcher)?;
        let bytes = key.len() + size(&reply);
        self.keep(mark, key, (request, 1), &reply, bytes);
        Ok((reply, false))
    }

    /// How many replies are kept, and their estimated bytes.
    pub fn usage(&self) -> (usize, usize) {
        let state = self.lock();
        (state.entries.len(), state.bytes)
    }

    fn lookup<R: Clone + 'static>(&self, mark: ViewMark, key: &str) -> Option<R> {
        let mut state = self.lock();
        if state.mark != Some(mark) {
            return None;
        }
        state.clock += 1;
        let now = state.clock;
        let entry = state.entries.get_mut(key)?;
        entry.last_used = now;
        entry.uses += 1;
        entry.reply.downcast_ref::<R>().cloned()
    }

    /// Keeps `reply` under `key` for `mark`'s view, with the request of a search, and the
    /// uses it starts with (at least one).
    fn keep<R: Clone + Send + Sync + 'static>(
        &self,
        mark: ViewMark,
        key: String,
        (request, uses): (Option<&SearchRequest>, u64),
        reply: &R,
        bytes: usize,
    ) {
        if bytes > self.budget / 8 {
            return;
        }
        let mut state = self.lock();
        if state.mark != Some(mark) {
            // A newer view (or, after a race, an older one): what was kept answers another.
            state.switch_to(mark);
        }
        while state.bytes + bytes > self.budget {
            let Some(oldest) = state
                .entries
                .iter()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            let dropped = state.entries.remove(&oldest).expect("just found");
            state.bytes -= dropped.bytes;
        }
        state.clock += 1;
        let entry = Entry {
            reply: Arc::new(reply.clone()),
            request: request.cloned(),
            bytes,
            last_used: state.clock,
            uses: uses.max(1),
        };
        if let Some(previous) = state.entries.insert(key, entry) {
            state.bytes -= previous.bytes;
        }
        state.bytes += bytes;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheState> {
        // Every change leaves the state whole: a panic elsewhere cannot corrupt it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The request as a key: every field that changes the reply.
fn search_key(req: &SearchRequest) -> String {
    format!("search {req:?}")
}

/// The fixed cost counted for each reply, hit, value and word of the size estimates.
const PER_ITEM: usize = 64;

/// An estimate of the memory a `rewritten` notice holds.
fn rewritten_bytes(rewritten: &Option<Rewritten>) -> usize {
    rewritten.as_ref().map_or(0, |r| {
        PER_ITEM * (1 + r.words.len()) + r.from.len() + r.to.len()
    })
}

/// An estimate of the memory a suggestion reply holds.
fn suggestion_bytes(reply: &SuggestResponse) -> usize {
    let completions: usize = reply
        .completions
        .iter()
        .map(|c| PER_ITEM + c.text.len())
        .sum();
    let hits: usize = reply
        .hits
        .iter()
        .map(|h| PER_ITEM + h.id.len() + h.title.len() + h.title_html.len() + h.date_jalali.len())
        .sum();
    PER_ITEM + reply.query.len() + completions + hits + rewritten_bytes(&reply.rewritten)
}

/// An estimate of the memory a reply holds: its strings and a fixed cost per hit and value.
fn reply_bytes(reply: &SearchResponse) -> usize {
    let hits: usize = reply
        .hits
        .iter()
        .map(|h| {
            PER_ITEM
                + h.id.len()
                + h.title.len()
                + h.date.len()
                + h.date_jalali.len()
                + h.url.as_ref().map_or(0, String::len)
                + h.partners
                    .iter()
                    .chain(&h.domains)
                    .map(String::len)
                    .sum::<usize>()
                + h.highlights.title.len()
                + h.highlights.body.len()
        })
        .sum();
    let facets: usize = [
        &reply.facets.partner,
        &reply.facets.domain,
        &reply.facets.kind,
        &reply.facets.year,
    ]
    .into_iter()
    .flatten()
    .map(|v| PER_ITEM + v.value.len() + v.label.as_ref().map_or(0, String::len))
    .sum();
    let rest = reply.query.len()
        + reply.did_you_mean.as_ref().map_or(0, String::len)
        + rewritten_bytes(&reply.rewritten)
        + reply.warnings.iter().map(String::len).sum::<usize>();
    PER_ITEM + hits + facets + rest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;
    use crate::search::rewrite::synonyms::{SynonymRules, Synonyms};
    use crate::search::suggest::suggest;
    use crate::search::{Filters, search};

    fn doc(id: &str, title: &str, body: &str, partners: &[&str]) -> Document {
        Document::from_json(serde_json::json!({
            "id": id,
            "kind": "agreement",
            "title": title,
            "body": body,
            "date": "1403/05/10",
            "partners": partners,
            "domains": [],
        }))
        .expect("a valid document")
    }

    fn index() -> SearchIndex {
        let index = SearchIndex::in_memory().unwrap();
        index
            .upsert(&[
                doc(
                    "a",
                    "تفاهم‌نامه همکاری پژوهشی با دانشگاه مازندران",
                    "پارک علم و فناوری مازندران و دانشگاه مازندران تفاهم‌نامه همکاری امضا کردند.",
                    &["دانشگاه مازندران"],
                ),
                doc(
                    "b",
                    "همکاری فناوری در حوزه کشاورزی",
                    "شرکت‌های دانش‌بنیان در پارک علم و فناوری با جهاد کشاورزی همکاری می‌کنند.",
                    &["جهاد کشاورزی"],
                ),
            ])
            .unwrap();
        index
    }

    /// A reply as JSON without its time, to compare replies.
    fn content(reply: &SearchResponse) -> serde_json::Value {
        let mut v = serde_json::to_value(reply).unwrap();
        v.as_object_mut().unwrap().remove("took_ms");
        v
    }

    fn request(q: &str) -> SearchRequest {
        SearchRequest {
            q: q.into(),
            ..SearchRequest::default()
        }
    }

    #[test]
    fn a_kept_reply_equals_a_fresh_search() {
        let index = index();
        let cache = SearchCache::new(DEFAULT_CACHE_BYTES);
        let mut filtered = request("همکاری");
        filtered.filters = Filters {
            partners: vec!["جهاد کشاورزی".into()],
            ..Filters::default()
        };
        for req in [
            request("همکاری"),
            request("\"پارک علم و فناوری\""),
            request("مازندرن"),
            filtered,
        ] {
            let fresh = content(&search(&index, &req).unwrap());
            let first = content(&cache.search(&index, &req).unwrap());
            let kept = content(&cache.search(&index, &req).unwrap());
            assert_eq!(first, fresh, "{:?}", req.q);
            assert_eq!(kept, fresh, "{:?}", req.q);
        }
        assert_eq!(cache.usage().0, 4, "one reply per request");
        // Another page is another request.
        let mut second_page = request("همکاری");
        second_page.page = 2;
        assert_eq!(cache.search(&index, &second_page).unwrap().hits.len(), 0);
        assert_eq!(cache.usage().0, 5);
    }

    #[test]
    fn a_write_is_seen_by_the_next_search() {
        let index = index();
        let cache = SearchCache::new(DEFAULT_CACHE_BYTES);
        let req = request("زعفران");
        assert_eq!(cache.search(&index, &req).unwrap().total, 0);
        assert_eq!(cache.search(&index, &req).unwrap().total, 0);
        index
            .upsert(&[doc("c", "صادرات زعفران", "زعفران مازندران", &[])])
            .unwrap();
        let reply = cache.search(&index, &req).unwrap();
        assert_eq!(reply.total, 1);
        assert_eq!(reply.facets.kind[0].count, 1);
        assert!(index.delete("c").unwrap());
        assert_eq!(cache.search(&index, &req).unwrap().total, 0);
    }

    /// The search reply kept for `req` over the index's current view, if any (looked at, not
    /// used).
    fn kept(
        cache: &SearchCache,
        index: &SearchIndex,
        req: &SearchRequest,
    ) -> Option<SearchResponse> {
        let state = cache.lock();
        if state.mark != Some(index.view_mark(&index.searcher())) {
            return None;
        }
        let entry = state.entries.get(&search_key(req))?;
        entry.reply.downcast_ref::<SearchResponse>().cloned()
    }

    #[test]
    fn a_search_no_user_asks_again_stays_ready_for_fewer_commits_the_less_it_was_asked() {
        let index = index();
        let cache = SearchCache::new(DEFAULT_CACHE_BYTES);
        let (often, twice) = (request("همکاری"), request("مازندران"));
        for _ in 0..8 {
            cache.search(&index, &often).unwrap();
        }
        for _ in 0..2 {
            cache.search(&index, &twice).unwrap();
        }
        let mut refreshed = Vec::new();
        for i in 0..5 {
            let id = format!("n{i}");
            index
                .upsert(&[doc(&id, "همکاری پژوهشی", "همکاری در مازندران", &[])])
                .unwrap();
            refreshed.push(cache.refresh(&index));
        }
        // Uses 8 and 2, then 4 and 1, then 2, then 1: each commit halves them.
        assert_eq!(refreshed, [2, 1, 1, 0, 0]);
        // Asked again, a search counts anew.
        cache.search(&index, &twice).unwrap();
        cache.search(&index, &twice).unwrap();
        index
            .upsert(&[doc("n5", "همکاری", "مازندران", &[])])
            .unwrap();
        assert_eq!(cache.refresh(&index), 1);
        assert_eq!(kept(&cache, &index, &twice).unwrap().total, 7);
    }

    #[test]
    fn a_new_view_gets_the_most_used_searches_of_the_one_before() {
        let index = index();
        let cache = SearchCache::new(DEFAULT_CACHE_BYTES);
        let (saffron, cooperation) = (request("زعفران"), request("همکاری"));
        for _ in 0..3 {
            cache.search(&index, &saffron).unwrap();
        }
        for _ in 0..2 {
            cache.search(&index, &cooperation).unwrap();
            cache.suggest(&index, "زعف", 8, true).unwrap();
        }
        cache.search(&index, &request("مازندران")).unwrap();
        assert_eq!(cache.refresh(&index), 0, "the same view: nothing to do");

        index
            .upsert(&[doc("c", "صادرات زعفران", "همکاری در زعفران مازندران", &[])])
            .unwrap();
        assert!(kept(&cache, &index, &saffron).is_none());
        assert_eq!(
            cache.refresh(&index),
            2,
            "the searches asked again, not the one asked once nor the suggestion"
        );
        for req in [&saffron, &cooperation] {
            let refreshed = kept(&cache, &index, req).expect("searched again");
            assert_eq!(content(&refreshed), content(&search(&index, req).unwrap()));
        }
        assert_eq!(kept(&cache, &index, &saffron).unwrap().total, 1);
        assert_eq!(cache.refresh(&index), 0, "done once per view");

        // A user who searches first leaves the rest to the refresh.
        cache.search(&index, &saffron).unwrap();
        cache.search(&index, &cooperation).unwrap();
        assert!(index.delete("c").unwrap());
        assert_eq!(cache.search(&index, &saffron).unwrap().total, 0);
        assert_eq!(cache.refresh(&index), 1);
        assert!(kept(&cache, &index, &cooperation).is_some());
    }

    #[test]
    fn a_refresh_searches_at_most_its_number_of_the_most_used() {
        let index = index();
        let cache = SearchCache::new(DEFAULT_CACHE_BYTES);
        let requests: Vec<SearchRequest> = (1..=REFRESHED_REPLIES + 8)
            .map(|per_page| SearchRequest {
                per_page,
                ..request("فناوری")
            })
            .collect();
        // The most used are not the most recently used.
        let popular = &requests[..4];
        for req in popular {
            cache.search(&index, req).unwrap();
        }
        for req in requests.iter().chain(&requests) {
            cache.search(&index, req).unwrap();
        }
        index
            .upsert(&[doc("c", "فناوری زعفران", "فناوری", &[])])
            .unwrap();
        assert_eq!(cache.refresh(&index), REFRESHED_REPLIES);
        for req in popular {
            assert!(kept(&cache, &index, req).is_some(), "{}", req.per_page);
        }
        assert_eq!(cache.usage().0, REFRESHED_REPLIES);
    }

    /// A suggestion reply as JSON without its time.
    fn suggestion(reply: &SuggestResponse) -> serde_json::Value {
        let mut v = serde_json::to_value(reply).unwrap();
        v.as_object_mut().unwrap().remove("took_ms");
        v
    }

    #[test]
    fn a_kept_suggestion_equals_a_fresh_one_and_a_write_is_seen_by_the_next() {
        let index = index();
        let cache = SearchCache::new(DEFAULT_CACHE_BYTES);
        for (q, limit) in [("هم", 8), ("هم", 1), ("تفاهم‌نامه همک", 8), ("hamk", 8)]
        {
            let fresh = suggestion(&suggest(&index, q, limit, true).unwrap());
            let first = suggestion(&cache.suggest(&index, q, limit, true).unwrap());
            let kept = suggestion(&cache.suggest(&index, q, limit, true).unwrap());
            assert_eq!(first, fresh, "{q:?} {limit}");
            assert_eq!(kept, fresh, "{q:?} {limit}");
        }
        assert_eq!(cache.usage().0, 4, "one reply per request");
        // A search of the same text is another request, answered as a search.
        assert_eq!(cache.search(&index, &request("هم")).unwrap().query, "هم");
        assert_eq!(cache.usage().0, 5);
        assert!(
            cache
                .suggest(&index, "زعف", 8, true)
                .unwrap()
                .hits
                .is_empty()
        );
        index
            .upsert(&[doc("c", "صادرات زعفران", "زعفران مازندران", &[])])
            .unwrap();
        let after = cache.suggest(&index, "زعف", 8, true).unwrap();
        assert_eq!(after.hits.len(), 1);
        assert_eq!(after.completions[0].text, "زعفران");
    }

    #[test]
    fn new_synonyms_are_seen_by_the_next_search() {
        let index = index();
        let cache = SearchCache::new(DEFAULT_CACHE_BYTES);
        let req = request("کشت");
        assert_eq!(cache.search(&index, &req).unwrap().total, 0);
        let rules =
            SynonymRules::from_json(serde_json::json!({"کشت": ["کشاورزی"]})).expect("rules");
        Synonyms::set_for_index(&index, rules).unwrap();
        assert_eq!(cache.search(&index, &req).unwrap().total, 1);
    }

    #[test]
    fn the_budget_bounds_what_is_kept() {
        let index = index();
        let requests: Vec<SearchRequest> = ["همکاری", "فناوری", "مازندران", "پارک", "تفاهم‌نامه"]
            .into_iter()
            .flat_map(|q| {
                (1..=4).map(move |per_page| SearchRequest {
                    per_page,
                    ..request(q)
                })
            })
            .collect();
        let largest = requests
            .iter()
            .map(|r| search_key(r).len() + reply_bytes(&search(&index, r).unwrap()))
            .max()
            .unwrap();
        let budget = 8 * largest;
        let cache = SearchCache::new(budget);
        for req in requests.iter().chain(&requests) {
            cache.search(&index, req).unwrap();
            let (_, bytes) = cache.usage();
            assert!(bytes <= budget, "{bytes} bytes kept, budget {budget}");
        }
        let (kept, _) = cache.usage();
        assert!(
            (8..requests.len()).contains(&kept),
            "{kept} of {} replies kept",
            requests.len()
        );
        let nothing = SearchCache::new(0);
        nothing.search(&index, &request("همکاری")).unwrap();
        assert_eq!(nothing.usage(), (0, 0));
    }
}
