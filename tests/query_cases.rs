//! The public case file of issue 12 (`tests/data/query-cases.tsv`): queries as Persians type
//! them — wrong keyboard layout, Finglish, synonyms, domain labels, numbers written as words,
//! Arabic plurals, clitics, search-as-you-type — and, as important, queries that must be
//! searched as typed (Latin words the documents hold, rare Persian words, words that only look
//! plural). Run on the bundled corpus plus `tests/data/query-docs.ndjson`.
//!
//! `cargo test --release --test query_cases -- --nocapture` prints how many cases of each class
//! pass; every case must.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use kavosh::analysis::name_key;
use kavosh::index::SearchIndex;
use kavosh::ingest::ingest_paths;
use kavosh::search::{self, SearchRequest};

const CASES: &str = include_str!("data/query-cases.tsv");

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let index = SearchIndex::in_memory().unwrap();
        let report = ingest_paths(
            &index,
            &[
                root.join("corpus"),
                root.join("tests/data/query-docs.ndjson"),
            ],
        )
        .unwrap();
        assert!(report.rejected.is_empty(), "{report}");
        index
    })
}

struct Case<'a> {
    line: usize,
    class: &'a str,
    query: &'a str,
    rewrite: bool,
    rewritten: &'a str,
    find: Vec<&'a str>,
    avoid: Vec<&'a str>,
}

fn cases() -> Vec<Case<'static>> {
    let list = |s: &'static str| -> Vec<&'static str> {
        if s == "-" {
            Vec::new()
        } else {
            s.split(',').map(str::trim).collect()
        }
    };
    CASES
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|(i, l)| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(
                cols.len() >= 5,
                "query-cases.tsv:{}: 5 columns expected",
                i + 1
            );
            let (rewrite, query) = match cols[1].strip_prefix('!') {
                Some(q) => (false, q),
                None => (true, cols[1]),
            };
            Case {
                line: i + 1,
                class: cols[0],
                query,
                rewrite,
                rewritten: cols[2],
                find: list(cols[3]),
                avoid: list(cols[4]),
            }
        })
        .collect()
}

/// Checks the `rewritten` notice against the expectation (`-`, `+` or the text searched).
fn check_rewritten(expected: &str, got: Option<&search::Rewritten>) -> Result<(), String> {
    match (expected, got) {
        ("-", None) | ("+", Some(_)) => Ok(()),
        ("-", Some(r)) => Err(format!("rewritten to {:?}, expected as typed", r.to)),
        (_, None) => Err(format!(
            "searched as typed, expected rewritten to {expected:?}"
        )),
        (to, Some(r)) if r.to == to => Ok(()),
        (to, Some(r)) => Err(format!("rewritten to {:?}, expected {to:?}", r.to)),
    }
}

fn check(case: &Case) -> Result<(), String> {
    if case.class == "suggest" {
        let reply = search::suggest::suggest(index(), case.query, 8, case.rewrite)
            .map_err(|e| format!("{e:?}"))?;
        check_rewritten(case.rewritten, reply.rewritten.as_ref())?;
        for word in &case.find {
            if !reply
                .completions
                .iter()
                .any(|c| name_key(&c.text).contains(&name_key(word)))
            {
                let texts: Vec<&str> = reply.completions.iter().map(|c| c.text.as_str()).collect();
                return Err(format!("no completion holds {word:?}: {texts:?}"));
            }
        }
        return Ok(());
    }
    let req = SearchRequest {
        q: case.query.to_string(),
        per_page: 100,
        rewrite: case.rewrite,
        ..SearchRequest::default()
    };
    let reply = search::search(index(), &req).map_err(|e| format!("{e:?}"))?;
    check_rewritten(case.rewritten, reply.rewritten.as_ref())?;
    let ids: Vec<&str> = reply.hits.iter().map(|h| h.id.as_str()).collect();
    let rank = |id: &str| {
        ids.iter()
            .position(|h| *h == id)
            .ok_or_else(|| format!("{id} not found; hits {:?}", &ids[..ids.len().min(8)]))
    };
    for item in &case.find {
        match item.split_once('>') {
            Some((above, below)) => {
                let (a, b) = (rank(above)?, rank(below)?);
                if a > b {
                    return Err(format!("{above} (rank {a}) below {below} (rank {b})"));
                }
            }
            None => {
                rank(item)?;
            }
        }
    }
    if let Some(found) = case.avoid.iter().find(|id| ids.contains(id)) {
        return Err(format!("{found} found, it must not be"));
    }
    Ok(())
}

#[test]
fn query_cases_pass_in_every_class() {
    let cases = cases();
    assert!(cases.len() >= 150, "{} cases", cases.len());
    let mut by_class: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for case in &cases {
        let entry = by_class.entry(case.class).or_default();
        entry.1 += 1;
        match check(case) {
            Ok(()) => entry.0 += 1,
            Err(e) => failures.push(format!(
                "query-cases.tsv:{} [{}] {:?}: {e}",
                case.line, case.class, case.query
            )),
        }
    }
    println!("{:<18} pass / cases", "class");
    for (class, (pass, total)) in &by_class {
        println!("{class:<18} {pass:>4} / {total}");
    }
    let pass: usize = by_class.values().map(|v| v.0).sum();
    println!("{:<18} {pass:>4} / {}", "all", cases.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
