//! Analyzer throughput (MB/s) on realistic Persian text — the bundled corpus, as copied from the
//! web with lost ZWNJs and tatweel — next to tantivy's default tokenizer on the same text, in the
//! same run.
//!
//! Each iteration analyzes the corpus page by page, as indexing does. `kavosh-fa_stem`,
//! `kavosh-fa_exact` and `kavosh-fa_pairs` are one term set each; `kavosh-all` is what indexing
//! does with each text (stemmed, exact, then pairs: the later ones reuse the first's
//! segmentation).
//!
//! `cargo bench --bench analyzer`; criterion prints each throughput; the ratio of the two
//! medians is what to report.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kavosh::analysis::{PersianTokenizer, TermSet};
use tantivy::tokenizer::{TextAnalyzer, TokenStream, TokenizerManager};

fn corpus_pages() -> Vec<String> {
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
        .collect()
}

/// Tokens of every page, each page analyzed by each analyzer in turn.
fn count_tokens(analyzers: &mut [TextAnalyzer], pages: &[String]) -> usize {
    let mut n = 0;
    for page in pages {
        for analyzer in analyzers.iter_mut() {
            let mut stream = analyzer.token_stream(page);
            while stream.advance() {
                n += 1;
            }
        }
    }
    n
}

fn analyzer_throughput(c: &mut Criterion) {
    let pages = corpus_pages();
    let mut group = c.benchmark_group("analyze-corpus");
    group.throughput(Throughput::Bytes(
        pages.iter().map(|p| p.len() as u64).sum(),
    ));
    let default = TokenizerManager::default()
        .get("default")
        .expect("tantivy's default tokenizer");
    let kavosh = |set: TermSet| TextAnalyzer::from(PersianTokenizer::new(set));
    let mut runs = vec![("tantivy-default".to_string(), vec![default])];
    for set in TermSet::ALL {
        runs.push((
            format!("kavosh-{}", set.tokenizer_name()),
            vec![kavosh(set)],
        ));
    }
    runs.push(("kavosh-all".into(), TermSet::ALL.map(kavosh).to_vec()));
    for (name, mut analyzers) in runs {
        group.bench_function(name, |b| {
            b.iter(|| count_tokens(&mut analyzers, black_box(&pages)))
        });
    }
    group.finish();
}

criterion_group!(benches, analyzer_throughput);
criterion_main!(benches);
