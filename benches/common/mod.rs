//! What the scale benchmarks share: the generated corpus and the persistent index under
//! `bench-data/` (git-ignored), built once when absent, and the query set of `benches/queries/`.
//!
//! `KAVOSH_BENCH_DOCS` sets the corpus size (each bench has its own default); the corpus is
//! `scripts/gen_corpus.py --seed 42`, so every size is a prefix of the larger ones.

#![allow(dead_code)] // each bench uses part of this

use std::path::{Path, PathBuf};
use std::process::Command;

use kavosh::index::SearchIndex;

pub mod cpu;

/// The seed of every benchmark corpus.
pub const SEED: u64 = 42;

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn bench_data() -> PathBuf {
    let dir = root().join("bench-data");
    std::fs::create_dir_all(&dir).expect("bench-data/ can be created");
    dir
}

/// Whether criterion runs in test mode (`cargo test --benches`, or `cargo bench -- --test`):
/// the benches then run once, on a small corpus. criterion itself decides so when cargo did not
/// pass `--bench`.
pub fn test_mode() -> bool {
    let args: Vec<String> = std::env::args().collect();
    !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--test")
}

/// `KAVOSH_BENCH_DOCS`, or `default`.
pub fn docs_from_env(default: usize) -> usize {
    match std::env::var("KAVOSH_BENCH_DOCS") {
        Ok(v) => v
            .trim()
            .replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("KAVOSH_BENCH_DOCS={v:?} is not a number")),
        Err(_) => default,
    }
}

/// `bench-data/corpus-N.ndjson`, generated when absent.
pub fn corpus(docs: usize) -> PathBuf {
    let path = bench_data().join(format!("corpus-{docs}.ndjson"));
    if !path.exists() {
        let tmp = path.with_extension("ndjson.part");
        eprintln!("generating {docs} documents into {}", path.display());
        let status = Command::new("python3")
            .arg(root().join("scripts/gen_corpus.py"))
            .args(["--docs", &docs.to_string(), "--seed", &SEED.to_string()])
            .arg("--out")
            .arg(&tmp)
            .status()
            .expect("python3 runs scripts/gen_corpus.py");
        assert!(status.success(), "gen_corpus.py failed");
        std::fs::rename(&tmp, &path).expect("rename the generated corpus");
    }
    path
}

/// The persistent index of `docs` generated documents (`bench-data/bench-index-N`), built with
/// `ingest_paths` when absent (a half-built one, without its `complete` marker, is rebuilt).
pub fn index(docs: usize) -> SearchIndex {
    let dir = bench_data().join(format!("bench-index-{docs}"));
    let marker = dir.join("complete");
    if !marker.exists() {
        let corpus = corpus(docs);
        let _ = std::fs::remove_dir_all(&dir);
        eprintln!("indexing {} into {}", corpus.display(), dir.display());
        let index = SearchIndex::open_or_create(&dir).expect("create the bench index");
        let report = kavosh::ingest::ingest_paths(&index, &[corpus]).expect("ingest");
        assert_eq!(report.indexed, docs, "{report}");
        eprintln!("{report}");
        drop(index);
        std::fs::write(&marker, "").expect("write the complete marker");
    }
    SearchIndex::open_or_create(&dir).expect("open the bench index")
}

/// The benchmark queries with their class (`word1`, `word2`, `word3`, `phrase`, `fuzzy`).
pub fn queries() -> Vec<(String, String)> {
    queries_of("queries.txt", "kinds.txt")
}

/// Queries that need rewriting or expansion (issue 12), with their class (`layout`, `finglish`,
/// `numbers`, `synonyms`).
pub fn rewrite_queries() -> Vec<(String, String)> {
    queries_of("rewrite-queries.txt", "rewrite-kinds.txt")
}

/// The queries of `benches/queries/QUERIES`, each with its class from the same line of KINDS.
fn queries_of(queries: &str, kinds: &str) -> Vec<(String, String)> {
    let read = |name: &str| -> Vec<String> {
        let path = root().join("benches/queries").join(name);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .lines()
            .map(str::to_string)
            .collect()
    };
    let (kinds, queries) = (read(kinds), read(queries));
    assert_eq!(kinds.len(), queries.len(), "{} lines", queries.len());
    kinds.into_iter().zip(queries).collect()
}

/// Nearest-rank percentile of an ascending slice (as the Lucene peer computes it).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
