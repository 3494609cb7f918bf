//! What counting a search in the search insights costs (issue 16), on the index of the search
//! benchmark (`bench-data/bench-index-N`, N = `KAVOSH_BENCH_DOCS`, default 100k; 1,000 under
//! `cargo test --benches`):
//!
//! - `served` and `served+counted`: one iteration is a pass over the 200 benchmark queries as
//!   `GET /search` runs them (facets and highlights), without and with what its handler adds
//!   to count them (`server::insights::count_search`). Their ratio is the cost of counting on
//!   the request path;
//! - `record`: that counting alone, per search: a clock reading, a copy of the query, a push
//!   onto the queue;
//! - `count-queued`: what the upkeep does later, off the request path, per search: the query
//!   folded and added to the day's counts.
//!
//! `cargo bench --bench insights`. The queue holds 16,384 searches: measured batches stay
//! below that and are emptied between measurements, as the upkeep empties it every second.

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use kavosh::insights::{Insights, InsightsConfig, QUEUE_CAPACITY, SearchOutcome};
use kavosh::search::{SearchRequest, search};
use kavosh::server::insights::count_search;

/// Searches recorded between two emptyings of the queue.
const BATCH: u64 = QUEUE_CAPACITY as u64 / 2;

fn request(q: &str) -> SearchRequest {
    SearchRequest {
        q: q.to_string(),
        ..SearchRequest::default()
    }
}

/// Times `record` over `iters` searches of `queries`, emptying the queue between batches
/// (unmeasured).
fn time_records(insights: &Insights, queries: &[String], iters: u64) -> Duration {
    let mut measured = Duration::ZERO;
    let mut done = 0;
    while done < iters {
        let n = BATCH.min(iters - done);
        let started = Instant::now();
        for i in done..done + n {
            insights.record_search(
                &queries[i as usize % queries.len()],
                SearchOutcome::default(),
            );
        }
        measured += started.elapsed();
        insights.count_queued();
        done += n;
    }
    measured
}

/// Times the upkeep's counting of `iters` queued searches (queued unmeasured).
fn time_counting(insights: &Insights, queries: &[String], iters: u64) -> Duration {
    let mut measured = Duration::ZERO;
    let mut done = 0;
    while done < iters {
        let n = BATCH.min(iters - done);
        for i in done..done + n {
            insights.record_search(
                &queries[i as usize % queries.len()],
                SearchOutcome::default(),
            );
        }
        let started = Instant::now();
        insights.count_queued();
        measured += started.elapsed();
        done += n;
    }
    measured
}

fn benches(c: &mut Criterion) {
    let docs = if common::test_mode() {
        1_000
    } else {
        common::docs_from_env(100_000)
    };
    let index = common::index(docs);
    let queries: Vec<String> = common::queries().into_iter().map(|(_, q)| q).collect();
    let insights = Insights::new(InsightsConfig::default());
    println!(
        "insights bench: {} documents, {} queries",
        index.num_docs(),
        queries.len()
    );

    let mut group = c.benchmark_group(format!("insights-{docs}"));
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Elements(queries.len() as u64));
    group.bench_function("served", |b| {
        b.iter(|| {
            for q in &queries {
                black_box(search(&index, &request(q)).expect("search"));
            }
        })
    });
    group.bench_function("served+counted", |b| {
        b.iter_custom(|iters| {
            let mut measured = Duration::ZERO;
            for _ in 0..iters {
                let started = Instant::now();
                for q in &queries {
                    let reply = search(&index, &request(q)).expect("search");
                    count_search(&insights, &reply);
                    black_box(reply);
                }
                measured += started.elapsed();
                insights.count_queued();
            }
            measured
        })
    });
    group.throughput(Throughput::Elements(1));
    group
        .measurement_time(Duration::from_secs(3))
        .sampling_mode(SamplingMode::Auto)
        .sample_size(50);
    group.bench_function("record", |b| {
        b.iter_custom(|iters| time_records(&insights, &queries, iters))
    });
    group.bench_function("count-queued", |b| {
        b.iter_custom(|iters| time_counting(&insights, &queries, iters))
    });
    group.finish();
}

criterion_group!(insights_benches, benches);
criterion_main!(insights_benches);
