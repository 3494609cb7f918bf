//! Analyzer throughput (MB/s) on realistic Persian text — the bundled corpus, as copied from the
//! web with lost ZWNJs and tatweel — next to tantivy's default tokenizer on the same text, in the
//! same run.
//!
//! `cargo bench --bench analyzer`; criterion prints each throughput; the ratio of the two
//! medians is what to report.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kavosh::analysis::{PersianTokenizer, TermSet};
use tantivy::tokenizer::{TextAnalyzer, TokenStream, TokenizerManager};

fn corpus_text() -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("corpus file is UTF-8"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn count_tokens(analyzer: &mut TextAnalyzer, text: &str) -> usize {
    let mut stream = analyzer.token_stream(text);
    let mut n = 0;
    while stream.advance() {
        n += 1;
    }
    n
}

fn analyzer_throughput(c: &mut Criterion) {
    let text = corpus_text();
    let mut group = c.benchmark_group("analyze-corpus");
    group.throughput(Throughput::Bytes(text.len() as u64));
    let mut default = TokenizerManager::default()
        .get("default")
        .expect("tantivy's default tokenizer");
    group.bench_function("tantivy-default", |b| {
        b.iter(|| count_tokens(&mut default, black_box(&text)))
    });
    for set in TermSet::ALL {
        let mut kavosh = TextAnalyzer::from(PersianTokenizer::new(set));
        group.bench_function(format!("kavosh-{}", set.tokenizer_name()), |b| {
            b.iter(|| count_tokens(&mut kavosh, black_box(&text)))
        });
    }
    group.finish();
}

criterion_group!(benches, analyzer_throughput);
criterion_main!(benches);
