//! Extraction throughput (pages per second) on the bundled corpus: each page parsed, then its
//! partners and domains extracted, as ingest does for a park page.
//!
//! `cargo bench --bench extraction`; criterion prints the throughput in pages (elements) per
//! second. Compare medians measured in the same session.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kavosh::document::Document;
use kavosh::ingest::{domains::assign_domains, page::parse_page, partners::extract_partners};

fn corpus_pages() -> Vec<Document> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("corpus file is UTF-8");
            let id = p.file_stem().unwrap().to_string_lossy();
            parse_page(&id, "corpus", &text).expect("corpus pages parse")
        })
        .collect()
}

fn extraction_throughput(c: &mut Criterion) {
    let pages = corpus_pages();
    let mut group = c.benchmark_group("extract-corpus");
    group.throughput(Throughput::Elements(pages.len() as u64));
    group.bench_function("partners", |b| {
        b.iter(|| {
            for d in black_box(&pages) {
                black_box(extract_partners(&d.title, &d.body));
            }
        })
    });
    group.bench_function("domains", |b| {
        b.iter(|| {
            for d in black_box(&pages) {
                black_box(assign_domains(&d.title, &d.body));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, extraction_throughput);
criterion_main!(benches);
