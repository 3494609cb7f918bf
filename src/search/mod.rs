//! Search: a request (query text, filters, sort, page) becomes hits with highlights, an exact
//! total and multi-select facet counts.
//!
//! - [`parse`] reads the query language;
//! - [`rewrite`] searches what a query meant when it was typed with the wrong keyboard layout
//!   or in Finglish, and holds the synonyms and domain labels queries expand with;
//! - [`query`] turns a parsed query into a tantivy query through the analyzer's groupings
//!   ([`bonus`] ranks what was typed above its other forms; [`apart`] finds a compound's
//!   words written apart where it is not written whole; [`phrase`] matches a phrase written
//!   several ways, its dense terms' positions read by `positions`; [`union`],
//!   [`alternatives`] and [`conjunction`] read a word's terms, its ways and a query's words
//!   window by window, and `windowed` walks a word alone so);
//! - [`vocabulary`] answers which words the index holds, once per query;
//! - [`filters`] filter by kind, partner, domain, Jalali year and date;
//! - [`facets`] count per partner, domain, kind and Jalali year; [`multiselect`] counts a
//!   filtered facet with every filter but its own in the same pass as the hits;
//! - [`highlight`] marks matches in snippets of the original text;
//! - [`suggest`] is search-as-you-type;
//! - [`stats`] counts by partner, domain, kind, Jalali year and month, and runs aggregations;
//! - [`export`] writes hits and stats as CSV;
//! - [`cache`] keeps the replies of repeated requests until the index changes.

pub mod alternatives;
pub mod apart;
pub mod bonus;
pub mod cache;
pub mod conjunction;
pub mod export;
pub mod facets;
pub mod filters;
pub mod highlight;
pub mod multiselect;
pub mod parse;
pub mod phrase;
mod positions;
pub mod query;
pub mod rewrite;
pub mod stats;
pub mod suggest;
#[cfg(test)]
mod testing;
pub mod union;
pub mod vocabulary;
mod windowed;

use std::collections::BTreeMap;
use std::time::Instant;

use serde::Serialize;
use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query, Scorer};
use tantivy::{
    DateTime, DocAddress, DocId, DocSet, Order, Searcher, SeekDangerResult, SegmentOrdinal,
};

use crate::document::StoredDocument;
use crate::index::{IndexError, SearchIndex};
pub use facets::{FacetCounts, FacetLists, FacetName, FacetValue};
pub use filters::{FilterClause, Filters};
pub use query::{MatchMode, Typos};
pub use rewrite::Rewritten;

/// Largest page size.
pub const MAX_PER_PAGE: usize = 100;
/// Deepest hit a page may reach.
pub const MAX_HIT_DEPTH: usize = 10_000;
/// Longest query text, in characters.
pub const MAX_QUERY_CHARS: usize = 512;

/// How hits are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    Relevance,
    Newest,
    Oldest,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Sort> {
        match s {
            "relevance" => Some(Sort::Relevance),
            "newest" => Some(Sort::Newest),
            "oldest" => Some(Sort::Oldest),
            _ => None,
        }
    }
}

/// One search request.
#[derive(Clone, Debug)]
pub struct SearchRequest {
    pub q: String,
    pub filters: Filters,
    pub sort: Sort,
    pub page: usize,
    pub per_page: usize,
    pub typos: Typos,
    pub mode: MatchMode,
    /// Compute facet counts.
    pub facets: bool,
    /// Search what was meant when the query was typed with the wrong keyboard layout or in
    /// Finglish, and expand with synonyms and domain labels (`false`: exactly what was typed).
    pub rewrite: bool,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            q: String::new(),
            filters: Filters::default(),
            sort: Sort::Relevance,
            page: 1,
            per_page: 10,
            typos: Typos::Auto,
            mode: MatchMode::All,
            facets: true,
            rewrite: true,
        }
    }
}

/// A request that cannot be answered as asked (a 400).
#[derive(Debug)]
pub enum SearchError {
    Invalid(String),
    Index(IndexError),
}

impl From<IndexError> for SearchError {
    fn from(e: IndexError) -> Self {
        SearchError::Index(e)
    }
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        SearchError::Index(e.into())
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Highlights {
    pub title: String,
    pub body: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub id: String,
    pub kind: crate::document::Kind,
    pub title: String,
    pub date: String,
    pub date_jalali: String,
    pub number: Option<u64>,
    pub partners: Vec<String>,
    pub domains: Vec<String>,
    /// The page the document was crawled from (or the `url` it was given); null when none.
    pub url: Option<String>,
    /// BM25 score (null when sorted by date, and when the query has no text to rank by).
    pub score: Option<f32>,
    pub highlights: Highlights,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SearchResponse {
    pub query: String,
    pub total: usize,
    pub took_ms: f64,
    pub page: usize,
    pub per_page: usize,
    pub hits: Vec<Hit>,
    pub facets: FacetCounts,
    /// True when no document had every word and the reply shows documents with any of them.
    pub relaxed: bool,
    /// A corrected query when typo tolerance found what the query as typed did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub did_you_mean: Option<String>,
    /// What was searched instead of the query as typed (a word typed with the wrong keyboard
    /// layout or in Finglish); null when the query was searched as typed. `rewrite=false`
    /// searches exactly what was typed.
    pub rewritten: Option<Rewritten>,
    pub warnings: Vec<String>,
}

/// Runs a search over the index's last commit.
pub fn search(index: &SearchIndex, req: &SearchRequest) -> Result<SearchResponse, SearchError> {
    search_with(index, &index.searcher(), req)
}

/// Runs a search over the commit `searcher` sees.
pub fn search_with(
    index: &SearchIndex,
    searcher: &Searcher,
    req: &SearchRequest,
) -> Result<SearchResponse, SearchError> {
    let started = Instant::now();
    validate(req)?;
    let parsed = parse::parse(&req.q);
    refuse_over_limit(&parsed)?;
    let filter_clauses = req.filters.clauses(index)?;
    let vocab = vocabulary::Vocabulary::new(searcher, &index.fields);
    let (parsed, mut rewritten) = rewritten_query(&req.q, parsed, req.rewrite, &vocab);
    let synonyms = expansions(index, req.rewrite)?;

    let shared_facets = if req.facets {
        facets::shared(&filter_clauses)
    } else {
        Vec::new()
    };
    let offset = (req.page - 1) * req.per_page;
    let run = |mode| -> Result<(query::BuiltQuery, MainPass), SearchError> {
        let built = query::QueryBuilder::new(&index.fields, searcher, req.typos, mode)
            .sharing(vocab.clone())
            .expanding(synonyms.as_deref())
            .build(&parsed);
        // Filtered facets are counted in the same pass as the hits, the text's matches checked
        // against each filter (`multiselect`). Every document (no text) is walked faster than
        // it is checked: the filters join the query, and each filtered facet is counted apart.
        let counted_filters = req.facets && filter_clauses.iter().any(|(f, _)| f.is_counted());
        let full;
        let pass = if counted_filters && built.has_text {
            Pass::Checked {
                text: &*built.query,
                filters: &filter_clauses,
            }
        } else {
            full = with_filters(built.query.box_clone(), &filter_clauses);
            Pass::Query(&*full)
        };
        let mut pass = main_pass(
            searcher,
            (pass, &built.proximity),
            req.sort,
            (offset, req.per_page),
            &shared_facets,
        )?;
        if counted_filters && !built.has_text {
            let apart = facets::count_apart(searcher, &*built.query, &filter_clauses)?;
            pass.facets.extend(apart);
        }
        Ok((built, pass))
    };
    let (mut built, mut pass) = run(req.mode)?;
    let mut relaxed = false;
    if pass.total == 0 && req.mode == MatchMode::All && built.has_text && word_count(&parsed) > 1 {
        (built, pass) = run(MatchMode::Any)?;
        relaxed = pass.total > 0;
    }
    let total = pass.total;
    let mut hits = Vec::with_capacity(pass.hits.len());
    // Words read as Finglish are shown as the documents found write them.
    let respell = rewritten.as_ref().is_some_and(|r| {
        r.words
            .iter()
            .any(|w| w.reason == rewrite::RewriteReason::Finglish)
    });
    // Each hit is read and highlighted on the search threads (a tenth of a query's time at
    // 1M documents, on the calling thread alone).
    let read = on_search_threads(searcher, pass.hits.into_iter(), |(score, address)| {
        index.stored(searcher, address).map(|doc| {
            let texts = respell.then(|| {
                [
                    doc.title.clone(),
                    opening(&doc.body, RESPELL_BYTES).to_string(),
                ]
            });
            // Without text nothing is ranked: no score, as when sorted by date.
            let score = score.filter(|_| built.has_text);
            (to_hit(doc, score, &built.terms), texts)
        })
    })?;
    let mut texts: Vec<String> = Vec::new();
    for (hit, hit_texts) in read {
        texts.extend(hit_texts.into_iter().flatten());
        hits.push(hit);
    }
    if let Some(r) = rewritten.as_mut().filter(|_| respell) {
        rewrite::respell(r, &texts.iter().map(String::as_str).collect::<Vec<_>>());
    }
    let facets = FacetCounts::of(pass.facets, &req.filters);
    let did_you_mean = if rewritten.is_some() {
        None
    } else {
        did_you_mean(searcher, index, req, &parsed, &built, total)?
    };
    Ok(SearchResponse {
        query: req.q.clone(),
        total,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        page: req.page,
        per_page: req.per_page,
        hits,
        facets,
        relaxed,
        did_you_mean,
        rewritten,
        warnings: built.warnings,
    })
}

/// The query to search: `parsed` with its mistyped words rewritten when `rewrite` allows, and
/// what was rewritten.
pub(crate) fn rewritten_query(
    q: &str,
    parsed: parse::Parsed,
    rewrite: bool,
    vocab: &vocabulary::Vocabulary,
) -> (parse::Parsed, Option<Rewritten>) {
    if !rewrite {
        return (parsed, None);
    }
    match rewrite::rewrite(q, &parsed, vocab) {
        Some((rewritten, notice)) => (rewritten, Some(notice)),
        None => (parsed, None),
    }
}

/// The synonyms an index's queries expand with (none when `rewrite` is off).
pub(crate) fn expansions(
    index: &SearchIndex,
    rewrite: bool,
) -> Result<Option<std::sync::Arc<rewrite::synonyms::Synonyms>>, SearchError> {
    Ok(if rewrite {
        Some(rewrite::synonyms::Synonyms::of_index(index)?)
    } else {
        None
    })
}

/// How much of each hit's body is read for how it writes a word read as Finglish.
const RESPELL_BYTES: usize = 4096;

/// The first `bytes` bytes of `text` at most, cut at a character boundary.
fn opening(text: &str, bytes: usize) -> &str {
    let mut end = bytes.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn validate(req: &SearchRequest) -> Result<(), SearchError> {
    if req.q.chars().count() > MAX_QUERY_CHARS {
        return Err(SearchError::Invalid(format!(
            "query longer than {MAX_QUERY_CHARS} characters"
        )));
    }
    if req.page == 0 {
        return Err(SearchError::Invalid("page starts at 1".into()));
    }
    if req.per_page == 0 || req.per_page > MAX_PER_PAGE {
        return Err(SearchError::Invalid(format!(
            "per_page must be between 1 and {MAX_PER_PAGE}"
        )));
    }
    if req.page.saturating_mul(req.per_page) > MAX_HIT_DEPTH {
        return Err(SearchError::Invalid(format!(
            "page {} of {} hits reaches past hit {MAX_HIT_DEPTH}, the deepest kavosh pages to; \
             narrow the query or filters",
            req.page, req.per_page
        )));
    }
    Ok(())
}

/// `q` under `filters`, for the routes that need no relaxation or separate facet passes
/// (stats, aggregations, export): the query and the searcher it was built for. With `rewrite`,
/// the query is read as `/search` reads it (wrong layout, Finglish, synonyms).
pub(crate) fn filtered_query(
    index: &SearchIndex,
    q: &str,
    filters: &Filters,
    (typos, mode): (Typos, MatchMode),
    rewrite: bool,
) -> Result<(Searcher, query::BuiltQuery, Box<dyn Query>), SearchError> {
    let searcher = index.searcher();
    let parsed = parse::parse(q);
    refuse_over_limit(&parsed)?;
    let clauses = filters.clauses(index)?;
    let vocab = vocabulary::Vocabulary::new(&searcher, &index.fields);
    let (parsed, _) = rewritten_query(q, parsed, rewrite, &vocab);
    let synonyms = expansions(index, rewrite)?;
    let built = query::QueryBuilder::new(&index.fields, &searcher, typos, mode)
        .sharing(vocab)
        .expanding(synonyms.as_deref())
        .build(&parsed);
    let full = with_filters(built.query.box_clone(), &clauses);
    Ok((searcher, built, full))
}

/// A query over a limit is refused (a 400 naming the limit), not cut silently.
fn refuse_over_limit(parsed: &parse::Parsed) -> Result<(), SearchError> {
    match &parsed.over_limit {
        Some(limit) => Err(SearchError::Invalid(limit.clone())),
        None => Ok(()),
    }
}

fn word_count(parsed: &parse::Parsed) -> usize {
    fn count(n: &parse::Node) -> usize {
        match n {
            parse::Node::Words { text, .. } => text.split_whitespace().count(),
            parse::Node::Phrase { .. } => 1,
            parse::Node::Not(_) => 0,
            parse::Node::Or(v) | parse::Node::And(v) => v.iter().map(count).sum(),
        }
    }
    parsed.root.as_ref().map_or(0, count)
}

/// `text AND filters`.
pub(crate) fn with_filters(text: Box<dyn Query>, filters: &[FilterClause]) -> Box<dyn Query> {
    if filters.is_empty() {
        return text;
    }
    let mut clauses = vec![(Occur::Must, text)];
    clauses.extend(filters.iter().map(|(_, q)| (Occur::Must, q.box_clone())));
    Box::new(BooleanQuery::new(clauses))
}

/// What a pass over the matching documents searches.
pub(crate) enum Pass<'a> {
    /// A query, its filters among its clauses ([`with_filters`]).
    Query(&'a dyn Query),
    /// A query's text, each match checked against the filters, so that each filtered facet
    /// is counted in the same pass (with every filter but its own: [`multiselect`]).
    Checked {
        text: &'a dyn Query,
        filters: &'a [FilterClause],
    },
}

impl Pass<'_> {
    /// What `collector` collects of the pass, and the counts of the filtered facets.
    fn run<C: Collector>(
        &self,
        searcher: &Searcher,
        collector: C,
    ) -> tantivy::Result<(C::Fruit, FacetLists)> {
        match self {
            Pass::Query(query) => Ok((searcher.search(*query, &collector)?, Vec::new())),
            Pass::Checked { text, filters } => {
                let checked = multiselect::MultiSelect::new(searcher, collector, (*text, filters))?;
                searcher.search(*text, &checked)
            }
        }
    }
}

/// What one pass over the matching documents gives: a page of hits, the exact total and the
/// counts of the facets asked for.
pub(crate) struct MainPass {
    pub hits: Vec<(Option<f32>, DocAddress)>,
    pub total: usize,
    pub facets: FacetLists,
}

/// Each facet's counts: those of `shared` (in the order of the hits' [`FacetCollector`]),
/// then those of the filtered facets (`filtered`, from a [`Pass::Checked`]).
///
/// [`FacetCollector`]: facets::FacetCollector
fn facet_lists(
    shared: &[FacetName],
    counted: Option<Vec<Vec<FacetValue>>>,
    filtered: FacetLists,
) -> FacetLists {
    let mut lists: Vec<_> = shared
        .iter()
        .copied()
        .zip(counted.unwrap_or_default())
        .collect();
    lists.extend(filtered);
    lists
}

/// Hits ranked by relevance whose scores get the proximity score added: the best
/// [`RESCORE_WINDOW`] by the query's own score (the same set whatever the page, so pages stay
/// consistent).
pub const RESCORE_WINDOW: usize = 100;

/// The pass over the matching documents, with `proximity` rescoring the best hits when
/// ranking by relevance, counting the `shared_facets` (those without a filter of their own)
/// over the hits.
pub(crate) fn main_pass(
    searcher: &Searcher,
    (pass, proximity): (Pass<'_>, &[Box<dyn Query>]),
    sort: Sort,
    (offset, limit): (usize, usize),
    shared_facets: &[FacetName],
) -> Result<MainPass, SearchError> {
    let facets = (!shared_facets.is_empty())
        .then(|| facets::FacetCollector::new(searcher, shared_facets.to_vec()));
    let order = match sort {
        Sort::Relevance => None,
        Sort::Newest => Some(Order::Desc),
        Sort::Oldest => Some(Order::Asc),
    };
    Ok(match order {
        None => {
            if proximity.is_empty() {
                let top = TopDocs::with_limit(limit).and_offset(offset);
                let ((hits, total, facets), filtered) =
                    pass.run(searcher, (top.order_by_score(), Count, facets))?;
                return Ok(MainPass {
                    hits: hits.into_iter().map(|(s, a)| (Some(s), a)).collect(),
                    total,
                    facets: facet_lists(shared_facets, facets, filtered),
                });
            }
            let top = TopDocs::with_limit((offset + limit).max(RESCORE_WINDOW));
            let ((mut hits, total, facets), filtered) =
                pass.run(searcher, (top.order_by_score(), Count, facets))?;
            let window = hits.len().min(RESCORE_WINDOW);
            rescore(searcher, proximity, &mut hits[..window])?;
            MainPass {
                hits: hits
                    .into_iter()
                    .skip(offset)
                    .take(limit)
                    .map(|(s, a)| (Some(s), a))
                    .collect(),
                total,
                facets: facet_lists(shared_facets, facets, filtered),
            }
        }
        Some(order) => {
            let top = TopDocs::with_limit(limit).and_offset(offset);
            let by_date = top.order_by_fast_field::<DateTime>("date", order);
            let ((hits, total, facets), filtered) = pass.run(searcher, (by_date, Count, facets))?;
            MainPass {
                hits: hits.into_iter().map(|(_, a)| (None, a)).collect(),
                total,
                facets: facet_lists(shared_facets, facets, filtered),
            }
        }
    })
}

/// Adds the scores of the `proximity` queries a hit matches to its score (hits best first, as
/// ranked), then ranks them again; equal scores keep their order. Each segment's hits are
/// checked on a search thread (see [`proximity_scores`]).
fn rescore(
    searcher: &Searcher,
    proximity: &[Box<dyn Query>],
    hits: &mut [(f32, DocAddress)],
) -> Result<(), SearchError> {
    let weights = proximity
        .iter()
        .map(|q| q.weight(EnableScoring::enabled_from_searcher(searcher)))
        .collect::<tantivy::Result<Vec<_>>>()?;
    // Each segment's hits, in document order.
    let mut by_segment: BTreeMap<SegmentOrdinal, Vec<(DocId, usize)>> = BTreeMap::new();
    for (i, (_, address)) in hits.iter().enumerate() {
        by_segment
            .entry(address.segment_ord)
            .or_default()
            .push((address.doc_id, i));
    }
    for docs in by_segment.values_mut() {
        docs.sort_unstable();
    }
    let added = on_search_threads(searcher, by_segment.into_iter(), |(segment, docs)| {
        proximity_scores(searcher.segment_reader(segment), &weights, &docs)
    })?;
    for (i, score) in added.into_iter().flatten() {
        hits[i].0 += score;
    }
    hits.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(())
}

/// `each` of `items`, done on the index's search threads (on the calling thread when it
/// searches on one), the results in the order of `items`.
pub(crate) fn on_search_threads<A: Send, R: Send, E: Send>(
    searcher: &Searcher,
    items: impl Iterator<Item = A>,
    each: impl Fn(A) -> Result<R, E> + Sync,
) -> Result<Vec<R>, SearchError>
where
    SearchError: From<E>,
{
    let done = searcher
        .index()
        .search_executor()
        .map(|item| Ok(each(item)), items)?;
    done.into_iter()
        .map(|r| r.map_err(SearchError::from))
        .collect()
}

/// The score each of `weights` gives the hits `docs` of one segment ((document, index of the
/// hit), in document order), weight after weight. A weight's scorer only checks the hits
/// (`seek_danger`), and is made at the first hit (`scorer_danger`): `seek`, or a scorer made at
/// the segment's start, would look for the next match past each point, through the whole
/// segment where the words are seldom near each other (titles).
fn proximity_scores(
    reader: &tantivy::SegmentReader,
    weights: &[Box<dyn tantivy::query::Weight>],
    docs: &[(DocId, usize)],
) -> tantivy::Result<Vec<(usize, f32)>> {
    let mut added = Vec::new();
    let Some(&(first, _)) = docs.first() else {
        return Ok(added);
    };
    for weight in weights {
        let (mut found, mut scorer) = weight.scorer_danger(reader, first, 1.0)?;
        // The first document the scorer may still match.
        let mut lower_bound = first;
        for (n, &(doc, i)) in docs.iter().enumerate() {
            if n > 0 {
                if doc < lower_bound {
                    continue;
                }
                found = scorer.seek_danger(doc);
            }
            match found {
                SeekDangerResult::Found => {
                    added.push((i, scorer.score()));
                    lower_bound = doc + 1;
                }
                SeekDangerResult::SeekLowerBound(next) => lower_bound = next,
            }
        }
    }
    Ok(added)
}

fn to_hit(doc: StoredDocument, score: Option<f32>, terms: &query::MatchedTerms) -> Hit {
    Hit {
        highlights: Highlights {
            title: highlight::highlight_all(&doc.title, terms),
            body: highlight::snippet(&doc.body, terms),
        },
        id: doc.id,
        kind: doc.kind,
        title: doc.title,
        date: doc.date,
        date_jalali: doc.date_jalali,
        number: doc.number,
        partners: doc.partners,
        domains: doc.domains,
        url: doc.url,
        score,
    }
}

/// When the query as typed finds little and typo tolerance would find more, the corrected
/// query (each misspelt word replaced by its most frequent near spelling).
fn did_you_mean(
    searcher: &Searcher,
    index: &SearchIndex,
    req: &SearchRequest,
    parsed: &parse::Parsed,
    built: &query::BuiltQuery,
    total: usize,
) -> Result<Option<String>, SearchError> {
    if !built.has_text || total > 2 {
        return Ok(None);
    }
    let corrections = if built.corrections.is_empty() {
        // Typos were off or found nothing: try with two edits.
        query::QueryBuilder::new(&index.fields, searcher, Typos::Two, req.mode)
            .build(parsed)
            .corrections
    } else {
        built.corrections.clone()
    };
    if corrections.is_empty() {
        return Ok(None);
    }
    let folded = crate::analysis::fold(&req.q);
    let mut corrected = folded.clone();
    for (from, to) in &corrections {
        corrected = corrected
            .split(' ')
            .map(|w| if w == from { to.as_str() } else { w })
            .collect::<Vec<_>>()
            .join(" ");
    }
    if corrected == folded {
        return Ok(None);
    }
    let exact = query::QueryBuilder::new(&index.fields, searcher, Typos::Exact, req.mode)
        .build(&parse::parse(&corrected));
    let corrected_total = searcher.search(&*exact.query, &Count)?;
    Ok((corrected_total > total).then_some(corrected))
}
