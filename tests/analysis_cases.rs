//! End to end: every spelling variant of `tests/data/fa-cases-public.tsv` is one document of a
//! real tantivy index; every variant, used as a query with typo tolerance off, must find all the
//! variants of its group, and no `neg` pair may find each other.

use std::collections::{BTreeMap, BTreeSet};

use kavosh::calendar::Day;
use kavosh::document::{Document, Kind};
use kavosh::index::SearchIndex;
use kavosh::search::{self, MatchMode, SearchRequest, Typos};

struct Case {
    id: String,
    group: String,
    kind: String,
    variant: String,
}

fn cases() -> Vec<Case> {
    let text = include_str!("data/fa-cases-public.tsv");
    text.lines()
        .skip(1)
        .enumerate()
        .map(|(i, line)| {
            let cols: Vec<&str> = line.split('\t').collect();
            Case {
                id: format!("case-{i:03}"),
                group: cols[0].to_string(),
                kind: cols[1].to_string(),
                variant: cols[2].to_string(),
            }
        })
        .collect()
}

fn index_of(cases: &[Case]) -> SearchIndex {
    let index = SearchIndex::in_memory().unwrap();
    let docs: Vec<Document> = cases
        .iter()
        .map(|c| Document {
            id: c.id.clone(),
            kind: Kind::News,
            title: c.id.clone(),
            body: c.variant.clone(),
            date: Day::parse("1404/09/25").unwrap(),
            number: None,
            partners: Some(vec![]),
            domains: Some(vec![]),
            url: None,
            source: None,
            publisher: None,
            crawl: None,
        })
        .collect();
    index.upsert(&docs).unwrap();
    index
}

fn found(index: &SearchIndex, q: &str) -> BTreeSet<String> {
    let req = SearchRequest {
        q: q.to_string(),
        typos: Typos::Exact,
        mode: MatchMode::All,
        per_page: 100,
        facets: false,
        ..SearchRequest::default()
    };
    let resp = search::search(index, &req).unwrap();
    assert!(!resp.relaxed || resp.total == 0, "{q:?} relaxed");
    resp.hits.into_iter().map(|h| h.id).collect()
}

fn groups(cases: &[Case]) -> BTreeMap<&str, Vec<&Case>> {
    let mut g: BTreeMap<&str, Vec<&Case>> = BTreeMap::new();
    for c in cases {
        g.entry(c.group.as_str()).or_default().push(c);
    }
    g
}

#[test]
fn every_spelling_of_a_group_finds_every_other() {
    let cases = cases();
    let index = index_of(&cases);
    let mut failures = Vec::new();
    let mut checked = 0;
    for (group, members) in groups(&cases) {
        if members[0].kind.starts_with("neg") {
            continue;
        }
        checked += 1;
        for q in &members {
            let hits = found(&index, &q.variant);
            for other in &members {
                if !hits.contains(&other.id) {
                    failures.push(format!(
                        "{group}: query {:?} misses {:?}",
                        q.variant, other.variant
                    ));
                }
            }
        }
    }
    assert!(checked >= 30, "only {checked} groups");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn phrase_groups_meet_as_quoted_phrases_too() {
    let cases = cases();
    let index = index_of(&cases);
    let mut failures = Vec::new();
    for (group, members) in groups(&cases) {
        if !matches!(members[0].kind.as_str(), "phrase" | "zwnj" | "space") {
            continue;
        }
        for q in &members {
            let hits = found(&index, &format!("\"{}\"", q.variant));
            for other in &members {
                if !hits.contains(&other.id) {
                    failures.push(format!(
                        "{group}: phrase \"{}\" misses {:?}",
                        q.variant, other.variant
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn must_not_match_pairs_stay_apart() {
    let cases = cases();
    let index = index_of(&cases);
    let mut merged = Vec::new();
    let mut tradeoffs = Vec::new();
    for (group, members) in groups(&cases) {
        let kind = members[0].kind.as_str();
        if !kind.starts_with("neg") {
            continue;
        }
        for a in &members {
            for b in &members {
                if a.id != b.id && found(&index, &a.variant).contains(&b.id) {
                    let line = format!("{group}: {:?} finds {:?}", a.variant, b.variant);
                    if kind == "neg" {
                        merged.push(line);
                    } else {
                        tradeoffs.push(line);
                    }
                }
            }
        }
    }
    // Accepted costs of folding: reported, not asserted.
    for t in &tradeoffs {
        eprintln!("accepted merge (neg-tradeoff): {t}");
    }
    assert!(merged.is_empty(), "{}", merged.join("\n"));
}
