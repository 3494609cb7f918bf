//! Query latency at scale (issue 7): `search` by query class — 1, 2 and 3 words, phrases,
//! typos — with and without facets, the share of highlights, and `suggest` for prefixes of 2–5
//! letters, on a persistent index of generated documents (`bench-data/bench-index-N`, built
//! once; N = `KAVOSH_BENCH_DOCS`, default 100k).
//!
//! `cargo bench --bench search`. Two kinds of figures:
//!
//! - criterion: one iteration is a pass over all queries of a class (flat sampling, 10
//!   samples); its median time divided by the class size is the median per query, and the
//!   throughput line gives queries/s;
//! - a plain timing loop first (criterion's per-iteration means give no tail): each query of
//!   the set once per pass, 1 warm-up pass and 3 timed passes, printing per class
//!   `latency bench=.. class=.. n=.. p50_us=.. p99_us=.. cpu_p50_us=.. cpu_p99_us=..`
//!   (nearest rank; `cpu_` is the thread's on-CPU time, which a loaded machine disturbs less).
//!
//! The API has no switch for highlights (every hit gets its title marked and a body snippet),
//! so "without highlights" is measured as what highlighting costs on its own: the same hits,
//! stored documents already read, run through `highlight::{highlight_all, snippet}`
//! (`highlight/top10` below; subtract it from `search/…/no-facets`).
//!
//! Issue 12 (queries as Persians type them): the timing loop also splits the query set into
//! `plain` queries (searched as typed, with no other forms, number writings, synonyms or
//! domains to look for) and `expanded` ones, and writes that split to
//! `bench-data/expansion-kinds-N.txt` so `examples/query_latency.rs --kinds` can time the same
//! split on another build (the cost of the rewriting on queries that need none: compare
//! `plain` before and after); and it times `benches/queries/rewrite-queries.txt` (wrong
//! layout, Finglish, number words, synonyms) as `rewrite-...` classes.
//!
//! Under `cargo test --benches` (criterion's test mode) it runs once on 1,000 documents.

mod common;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use kavosh::document::StoredDocument;
use kavosh::index::SearchIndex;
use kavosh::search::query::{MatchedTerms, QueryBuilder};
use kavosh::search::rewrite::synonyms::Synonyms;
use kavosh::search::vocabulary::Vocabulary;
use kavosh::search::{MatchMode, SearchRequest, Typos, highlight, parse, rewrite, search, suggest};
use kavosh::server::params::DEFAULT_SUGGESTIONS;

const CLASSES: [&str; 5] = ["word1", "word2", "word3", "phrase", "fuzzy"];
const REWRITE_CLASSES: [&str; 4] = [
    "rewrite-layout",
    "rewrite-finglish",
    "rewrite-numbers",
    "rewrite-synonyms",
];
const TIMED_PASSES: usize = 3;

fn request(q: &str, facets: bool) -> SearchRequest {
    SearchRequest {
        q: q.to_string(),
        facets,
        ..SearchRequest::default()
    }
}

/// The prefixes of 2..=5 letters of every query word, by length, deduplicated, in order.
fn prefixes(queries: &[(String, String)]) -> BTreeMap<usize, Vec<String>> {
    let mut out: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (_, q) in queries {
        for word in q.split(|c: char| c.is_whitespace() || c == '"') {
            let chars: Vec<char> = word.chars().collect();
            for n in 2..=5.min(chars.len()) {
                let p: String = chars[..n].iter().collect();
                let list = out.entry(n).or_default();
                if chars[n - 1] != '\u{200C}' && !list.contains(&p) {
                    list.push(p);
                }
            }
        }
    }
    out
}

/// What highlighting works on for one query: its terms and the stored documents of its hits.
struct HighlightCase {
    terms: MatchedTerms,
    docs: Vec<StoredDocument>,
}

fn highlight_cases(index: &SearchIndex, queries: &[(String, String)]) -> Vec<HighlightCase> {
    let searcher = index.searcher();
    queries
        .iter()
        .map(|(_, q)| {
            let reply = search(index, &request(q, false)).expect("search");
            let mode = if reply.relaxed {
                MatchMode::Any
            } else {
                MatchMode::All
            };
            let terms = QueryBuilder::new(&index.fields, &searcher, Typos::Auto, mode)
                .build(&parse::parse(q))
                .terms;
            let docs = reply
                .hits
                .iter()
                .map(|h| index.get(&h.id).expect("get").expect("hit exists"))
                .collect();
            HighlightCase { terms, docs }
        })
        .collect()
}

/// Each query labelled `plain` (searched as typed, looking for nothing else) or `expanded` (a
/// rewrite, other forms, number writings, synonyms or domains), as `search` builds it.
fn expansion_kinds(index: &SearchIndex, queries: &[(String, String)]) -> Vec<(String, String)> {
    let searcher = index.searcher();
    let synonyms = Synonyms::of_index(index).expect("synonyms");
    queries
        .iter()
        .map(|(_, q)| {
            let parsed = parse::parse(q);
            let vocab = Vocabulary::new(&searcher, &index.fields);
            let rewritten = rewrite::rewrite(q, &parsed, &vocab).is_some();
            let built = QueryBuilder::new(&index.fields, &searcher, Typos::Auto, MatchMode::All)
                .sharing(vocab)
                .expanding(Some(&synonyms))
                .build(&parsed);
            let kind = if rewritten || built.expansions > 0 {
                "expanded"
            } else {
                "plain"
            };
            (kind.to_string(), q.clone())
        })
        .collect()
}

fn highlight_one(case: &HighlightCase) -> usize {
    case.docs
        .iter()
        .map(|d| {
            highlight::highlight_all(&d.title, &case.terms).len()
                + highlight::snippet(&d.body, &case.terms).len()
        })
        .sum()
}

/// Times `f` on every item once per pass (1 warm-up pass) and prints per-class percentiles of
/// wall time and, where Linux gives it, of the thread's on-CPU time (`cpu_p50_us`, ...).
fn timing_loop<T>(bench: &str, items: &[(String, T)], mut f: impl FnMut(&T)) {
    for (_, item) in items {
        f(item);
    }
    let passes = if common::test_mode() { 1 } else { TIMED_PASSES };
    let mut by_class: BTreeMap<&str, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    let mut all = (Vec::new(), Vec::new());
    for _ in 0..passes {
        for (class, item) in items {
            let cpu_started = common::cpu::thread_cpu_ns();
            let started = Instant::now();
            f(item);
            let us = started.elapsed().as_secs_f64() * 1e6;
            let cpu = cpu_started
                .zip(common::cpu::thread_cpu_ns())
                .map(|(a, b)| b.saturating_sub(a) as f64 / 1e3);
            let entry = by_class.entry(class).or_default();
            entry.0.push(us);
            all.0.push(us);
            if let Some(cpu) = cpu {
                entry.1.push(cpu);
                all.1.push(cpu);
            }
        }
    }
    let print = |class: &str, (wall, cpu): &mut (Vec<f64>, Vec<f64>)| {
        wall.sort_by(f64::total_cmp);
        cpu.sort_by(f64::total_cmp);
        let cpu = if cpu.len() == wall.len() {
            format!(
                " cpu_p50_us={:.1} cpu_p99_us={:.1}",
                common::percentile(cpu, 50.0),
                common::percentile(cpu, 99.0)
            )
        } else {
            String::new()
        };
        println!(
            "latency bench={bench} class={class} n={} mean_us={:.1} p50_us={:.1} p90_us={:.1} \
             p99_us={:.1} max_us={:.1}{cpu}",
            wall.len(),
            wall.iter().sum::<f64>() / wall.len() as f64,
            common::percentile(wall, 50.0),
            common::percentile(wall, 90.0),
            common::percentile(wall, 99.0),
            wall[wall.len() - 1],
        );
    };
    print("all", &mut all);
    for (class, v) in &mut by_class {
        print(class, v);
    }
}

fn benches(c: &mut Criterion) {
    let docs = if common::test_mode() {
        1_000
    } else {
        common::docs_from_env(100_000)
    };
    let index = common::index(docs);
    let queries = common::queries();
    let rewrite_queries: Vec<(String, String)> = common::rewrite_queries()
        .into_iter()
        .map(|(class, q)| (format!("rewrite-{class}"), q))
        .collect();
    let by_expansion = expansion_kinds(&index, &queries);
    let kinds_file = common::bench_data().join(format!("expansion-kinds-{docs}.txt"));
    let kinds: Vec<&str> = by_expansion.iter().map(|(k, _)| k.as_str()).collect();
    std::fs::write(&kinds_file, kinds.join("\n") + "\n").expect("write the expansion kinds");
    println!(
        "{} of {} queries are plain (labels in {})",
        kinds.iter().filter(|k| **k == "plain").count(),
        kinds.len(),
        kinds_file.display()
    );
    let word_prefixes = prefixes(&queries);
    let cases = highlight_cases(&index, &queries);
    println!(
        "search bench: {} documents, {} queries, {} prefixes",
        index.num_docs(),
        queries.len(),
        word_prefixes.values().map(Vec::len).sum::<usize>()
    );

    // Plain timing loops: p50/p99 over the whole set.
    for facets in [true, false] {
        let bench = if facets {
            "search/facets"
        } else {
            "search/no-facets"
        };
        timing_loop(bench, &queries, |q| {
            black_box(search(&index, &request(q, facets)).expect("search"));
        });
        let split = format!("{bench}/by-expansion");
        timing_loop(&split, &by_expansion, |q| {
            black_box(search(&index, &request(q, facets)).expect("search"));
        });
        timing_loop(&format!("{bench}/rewrite"), &rewrite_queries, |q| {
            black_box(search(&index, &request(q, facets)).expect("search"));
        });
    }
    let highlight_items: Vec<(String, &HighlightCase)> = queries
        .iter()
        .zip(&cases)
        .map(|((class, _), case)| (class.clone(), case))
        .collect();
    timing_loop("highlight/top10", &highlight_items, |case| {
        black_box(highlight_one(case));
    });
    let typed_wrong: Vec<(String, String)> = rewrite_queries
        .iter()
        .filter(|(k, _)| k == "rewrite-layout" || k == "rewrite-finglish")
        .cloned()
        .collect();
    let latin_prefixes = prefixes(&typed_wrong);
    let prefix_items: Vec<(String, String)> = [
        ("prefix", &word_prefixes),
        ("latin-prefix", &latin_prefixes),
    ]
    .into_iter()
    .flat_map(|(name, by_length)| {
        by_length
            .iter()
            .flat_map(move |(n, list)| list.iter().map(move |p| (format!("{name}{n}"), p.clone())))
    })
    .collect();
    timing_loop("suggest", &prefix_items, |p| {
        black_box(suggest::suggest(&index, p, DEFAULT_SUGGESTIONS, true).expect("suggest"));
    });

    // criterion: one iteration = one pass over a class.
    let mut group = c.benchmark_group(format!("search-{docs}"));
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    let all_queries: Vec<(String, String)> = queries
        .iter()
        .chain(&by_expansion)
        .chain(&rewrite_queries)
        .cloned()
        .collect();
    for class in CLASSES
        .into_iter()
        .chain(["plain", "expanded"])
        .chain(REWRITE_CLASSES)
    {
        let of_class: Vec<&str> = all_queries
            .iter()
            .filter(|(k, _)| k == class)
            .map(|(_, q)| q.as_str())
            .collect();
        if of_class.is_empty() {
            continue;
        }
        group.throughput(Throughput::Elements(of_class.len() as u64));
        for facets in [true, false] {
            let name = format!("{class}/{}", if facets { "facets" } else { "no-facets" });
            group.bench_function(name, |b| {
                b.iter(|| {
                    for q in &of_class {
                        black_box(search(&index, &request(q, facets)).expect("search"));
                    }
                })
            });
        }
        let of_class_cases: Vec<&HighlightCase> = queries
            .iter()
            .zip(&cases)
            .filter(|((k, _), _)| k == class)
            .map(|(_, case)| case)
            .collect();
        if !of_class_cases.is_empty() {
            group.bench_function(format!("{class}/highlight-top10"), |b| {
                b.iter(|| {
                    for case in &of_class_cases {
                        black_box(highlight_one(case));
                    }
                })
            });
        }
    }
    group.finish();

    let mut group = c.benchmark_group(format!("suggest-{docs}"));
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (n, list) in &word_prefixes {
        group.throughput(Throughput::Elements(list.len() as u64));
        group.bench_function(format!("prefix{n}"), |b| {
            b.iter(|| {
                for p in list {
                    black_box(
                        suggest::suggest(&index, p, DEFAULT_SUGGESTIONS, true).expect("suggest"),
                    );
                }
            })
        });
    }
    group.finish();
}

criterion_group!(search_benches, benches);
criterion_main!(search_benches);
