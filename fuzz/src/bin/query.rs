//! The query language end to end: parsing (`search::parse`), query building with typo
//! expansion and compounds, query rewriting (wrong layouts, Finglish, synonyms, number words),
//! filters, sorting, facets, highlights and suggestions, over a small in-memory index of corpus
//! pages. Any query is either answered or refused as invalid (a 400); an index error or a panic
//! is a bug. The first byte picks the typo tolerance, match mode, sort, whether to rewrite and
//! the filters (a kind, a year, a domain: with any of them the filtered facets are counted in
//! the hits' pass, `search::multiselect`); the rest is the query.
#![no_main]

use std::sync::LazyLock;

use kavosh::index::SearchIndex;
use kavosh::ingest::{page::parse_page, settle};
use kavosh::document::Kind;
use kavosh::search::{self, Filters, MatchMode, SearchError, SearchRequest, Sort, Typos};
use libfuzzer_sys::fuzz_target;

const PAGES: [(&str, &str); 6] = [
    ("mou-001", include_str!("../../../corpus/mou-001.txt")),
    ("mou-054", include_str!("../../../corpus/mou-054.txt")),
    ("mou-099", include_str!("../../../corpus/mou-099.txt")),
    ("news-009", include_str!("../../../corpus/news-009.txt")),
    ("news-029", include_str!("../../../corpus/news-029.txt")),
    ("news-049", include_str!("../../../corpus/news-049.txt")),
];

static INDEX: LazyLock<SearchIndex> = LazyLock::new(|| {
    let index = SearchIndex::in_memory().expect("an index");
    let docs: Vec<_> = PAGES
        .iter()
        .map(|(id, text)| settle(parse_page(id, "corpus", text).expect("a corpus page")))
        .collect();
    index.upsert(&docs).expect("the pages index");
    index
});

// The index and the analysis tables are built before the first input, not in its timing.
fuzz_target!(init: drop(search::search(&INDEX, &SearchRequest::default())), |data: &[u8]| {
    let Some((&options, query)) = data.split_first() else {
        return;
    };
    let q = String::from_utf8_lossy(query).into_owned();
    let bit = |n: u8| options >> n & 1 == 1;
    let filters = Filters {
        kinds: bit(5).then_some(Kind::Agreement).into_iter().collect(),
        years: bit(6).then_some(1404).into_iter().collect(),
        domains: bit(7).then(|| "ict".to_string()).into_iter().collect(),
        ..Filters::default()
    };
    let request = SearchRequest {
        typos: [Typos::Auto, Typos::Exact, Typos::One, Typos::Two][usize::from(options & 3)],
        mode: [MatchMode::All, MatchMode::Any][usize::from(options >> 2 & 1)],
        sort: [Sort::Relevance, Sort::Newest][usize::from(options >> 3 & 1)],
        rewrite: !bit(4),
        filters,
        q,
        ..SearchRequest::default()
    };
    match search::search(&INDEX, &request) {
        Ok(_) | Err(SearchError::Invalid(_)) => {}
        Err(SearchError::Index(e)) => panic!("index error for {:?}: {e}", request.q),
    }
    if let Err(e) = search::suggest::suggest(&INDEX, &request.q, 8, request.rewrite) {
        if let SearchError::Index(e) = e {
            panic!("index error in suggest for {:?}: {e}", request.q);
        }
    }
});
