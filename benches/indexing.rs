//! Indexing throughput (docs/s) of a generated corpus (issue 7), next to two baselines measured
//! in the same run: the same documents into a Lucene-peer-like tantivy schema (id, title, body;
//! tantivy's default tokenizer), and reading the NDJSON into kavosh documents without indexing.
//!
//! `cargo bench --bench indexing`; `KAVOSH_BENCH_DOCS` sets the corpus size (default 10,000, a
//! run of a few minutes: one iteration indexes the whole corpus into a fresh on-disk index under
//! `bench-data/`, with `ingest_paths`' commits per 20k documents and its final wait for merges;
//! flat sampling, 10 samples). The 100k figure of `BENCHMARKS.md` comes from
//! `scripts/compare_lucene.sh`, which times `kavosh ingest` on 100k documents once (criterion's
//! ten samples of three minutes each are too long for this machine).
//!
//! Under `cargo test --benches` (criterion's test mode) it runs once on 1,000 documents.

mod common;

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use kavosh::document::Document;
use kavosh::index::{SearchIndex, WRITER_MEMORY_BYTES};
use kavosh::ingest::{BATCH_SIZE, ingest_paths, settle};
use tantivy::schema::{STORED, STRING, Schema, TEXT};
use tantivy::{Index, IndexWriter, TantivyDocument};

fn lines(path: &Path) -> impl Iterator<Item = String> {
    BufReader::with_capacity(1 << 20, File::open(path).expect("corpus"))
        .lines()
        .map(|l| l.expect("corpus line"))
        .filter(|l| !l.trim().is_empty())
}

/// kavosh's own path: NDJSON → documents → index, committed and merged.
fn kavosh_ingest(corpus: &Path, docs: usize) {
    let dir = tempfile::tempdir_in(common::bench_data()).expect("tempdir");
    let index = SearchIndex::open_or_create(dir.path()).expect("index");
    let report = ingest_paths(&index, &[corpus.to_path_buf()]).expect("ingest");
    assert_eq!(report.indexed, docs, "{report}");
}

/// Baseline: id, title and body of the same records into tantivy with its default tokenizer
/// (the fields the Lucene peer indexes), same writer memory, commits and final merge wait.
fn tantivy_default(corpus: &Path, docs: usize) {
    let mut builder = Schema::builder();
    let id = builder.add_text_field("id", STRING | STORED);
    let title = builder.add_text_field("title", TEXT);
    let body = builder.add_text_field("body", TEXT);
    let dir = tempfile::tempdir_in(common::bench_data()).expect("tempdir");
    let index = Index::create_in_dir(dir.path(), builder.build()).expect("index");
    let mut writer: IndexWriter = index.writer(WRITER_MEMORY_BYTES).expect("writer");
    let mut n = 0;
    for line in lines(corpus) {
        let v: serde_json::Value = serde_json::from_str(&line).expect("JSON");
        let mut doc = TantivyDocument::new();
        doc.add_text(id, v["id"].as_str().unwrap_or_default());
        doc.add_text(title, v["title"].as_str().unwrap_or_default());
        doc.add_text(body, v["body"].as_str().unwrap_or_default());
        writer.add_document(doc).expect("add");
        n += 1;
        if n % BATCH_SIZE == 0 {
            writer.commit().expect("commit");
        }
    }
    writer.commit().expect("commit");
    writer.wait_merging_threads().expect("merges");
    assert_eq!(n, docs);
}

/// Baseline: the NDJSON read into settled kavosh documents, nothing indexed.
fn parse_only(corpus: &Path, docs: usize) {
    let mut n = 0;
    for line in lines(corpus) {
        let v: serde_json::Value = serde_json::from_str(&line).expect("JSON");
        let doc = settle(Document::from_json(v).expect("valid document"));
        std::hint::black_box(doc);
        n += 1;
    }
    assert_eq!(n, docs);
}

fn benches(c: &mut Criterion) {
    let docs = if common::test_mode() {
        1_000
    } else {
        common::docs_from_env(10_000)
    };
    let corpus = common::corpus(docs);
    let mut group = c.benchmark_group(format!("index-{docs}"));
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(docs as u64));
    group.bench_function("kavosh-ingest", |b| b.iter(|| kavosh_ingest(&corpus, docs)));
    group.bench_function("tantivy-default-title-body", |b| {
        b.iter(|| tantivy_default(&corpus, docs))
    });
    group.bench_function("parse-only", |b| b.iter(|| parse_only(&corpus, docs)));
    group.finish();
}

criterion_group!(indexing_benches, benches);
criterion_main!(indexing_benches);
