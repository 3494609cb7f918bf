//! Property tests of query rewriting (issue 12) on arbitrary input: number words read back
//! from every writing, and no query — Latin keys, Finglish, Persian, digits, syntax, noise —
//! makes search or suggest fail or report a rewrite it did not make.

use std::path::Path;
use std::sync::OnceLock;

use kavosh::analysis::name_key;
use kavosh::analysis::numbers::{self, Number, Ordinal};
use kavosh::index::SearchIndex;
use kavosh::ingest::ingest_paths;
use kavosh::search::{self, SearchRequest};
use proptest::prelude::*;

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let index = SearchIndex::in_memory().unwrap();
        ingest_paths(
            &index,
            &[
                root.join("corpus"),
                root.join("tests/data/query-docs.ndjson"),
            ],
        )
        .unwrap();
        index
    })
}

fn query_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::char::range('a', 'z'),
        3 => prop::char::range('\u{0621}', '\u{06CC}'),
        2 => prop::sample::select(vec![
            ' ', ' ', ',', ';', '\'', '[', ']', '\\', '"', '(', ')', '-', ':', '«', '»', '.', '/',
            '\u{200C}', 'و', '۳', '2', 'A', 'I', 'â', 'O', 'R', '&',
        ]),
        1 => any::<char>(),
    ]
}

fn query() -> impl Strategy<Value = String> {
    prop::collection::vec(query_char(), 0..40).prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_query_searches_and_suggests_without_failing(q in query()) {
        let reply = search::search(index(), &SearchRequest { q: q.clone(), ..SearchRequest::default() })
            .expect("every query of at most 512 characters is answered");
        if let Some(r) = &reply.rewritten {
            prop_assert_eq!(&r.from, &q);
            prop_assert!(!r.words.is_empty());
            for w in &r.words {
                prop_assert!(q.contains(&w.from), "{:?} is not in {:?}", w.from, q);
                prop_assert!(r.to.contains(&w.to), "{:?} is not in {:?}", w.to, r.to);
            }
        }
        let exact = search::search(
            index(),
            &SearchRequest { q: q.clone(), rewrite: false, ..SearchRequest::default() },
        )
        .expect("answered");
        prop_assert!(exact.rewritten.is_none());
        let suggestions = search::suggest::suggest(index(), &q, 8, true).expect("answered");
        if let Some(r) = &suggestions.rewritten {
            prop_assert_eq!(&r.from, &q);
        }
    }

    #[test]
    fn numbers_read_back_from_their_writings(value in 1u64..=numbers::MAX_NUMBER, kind in 0..3u8) {
        let ordinal = match kind {
            0 => None,
            1 => Some(Ordinal::Adjective),
            _ => Some(Ordinal::Superlative),
        };
        let number = Number { value, ordinal };
        for writing in numbers::writings(number) {
            // However the document joins the words: spaced, joined, ZWNJ-joined.
            for text in [writing.join(" "), writing.concat(), writing.join("\u{200C}")] {
                prop_assert_eq!(numbers::parse(&name_key(&text)), Some(number), "{}", text);
            }
        }
    }

    #[test]
    fn number_parsing_never_fails_on_noise(s in "\\PC{0,30}") {
        let _ = numbers::parse(&s);
        let _ = numbers::may_be_part(&s);
    }
}
