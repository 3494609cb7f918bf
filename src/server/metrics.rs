//! Prometheus metrics (`GET /metrics`): requests counted and timed by method, route and
//! status, the number of documents, the index's size on disk, and the search replies the cache
//! refreshed over new views of the index.

use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::index::SearchIndex;

const REQUESTS: &str = "kavosh_http_requests_total";
const DURATION: &str = "kavosh_http_request_duration_seconds";
const DOCUMENTS: &str = "kavosh_documents";
const INDEX_BYTES: &str = "kavosh_index_size_bytes";
const CACHE_REFRESHED: &str = "kavosh_search_cache_refreshed_total";
/// Upper bounds of the latency histogram's buckets, in seconds. 3 and 20 ms are the search
/// targets at a million documents (p50 and p99, issue 14): the share of searches within each
/// is read off directly.
const DURATION_BUCKETS: [f64; 16] = [
    0.0005, 0.001, 0.0025, 0.003, 0.005, 0.01, 0.02, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
    10.0,
];

/// The process's recorder, installed on first use.
pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(DURATION.into()), &DURATION_BUCKETS)
                .expect("the bucket list is not empty")
                .build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("another metrics recorder is installed: /metrics stays empty");
            }
            metrics::describe_counter!(REQUESTS, "HTTP requests answered");
            metrics::describe_histogram!(
                DURATION,
                metrics::Unit::Seconds,
                "time to answer an HTTP request"
            );
            metrics::describe_gauge!(DOCUMENTS, "documents visible to searches");
            metrics::describe_gauge!(INDEX_BYTES, metrics::Unit::Bytes, "index size on disk");
            metrics::describe_counter!(
                CACHE_REFRESHED,
                "search replies searched again over a new view of the index, before users ask"
            );
            handle
        })
        .clone()
}

/// Middleware: counts and times every request. Routes are their patterns
/// (`/documents/{id}`), and requests that matched none are `unmatched`, so the label set
/// stays small.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!(REQUESTS, &labels).increment(1);
    metrics::histogram!(DURATION, &labels).record(started.elapsed().as_secs_f64());
    response
}

/// Counts `replies` refreshed by the search cache (`SearchCache::refresh`).
pub fn count_cache_refresh(replies: usize) {
    metrics::counter!(CACHE_REFRESHED).increment(replies as u64);
}

/// The exposition text, with the index gauges read now.
pub fn render(handle: &PrometheusHandle, index: &SearchIndex) -> String {
    metrics::gauge!(DOCUMENTS).set(index.num_docs() as f64);
    let bytes = index.path().map_or(0, dir_size);
    metrics::gauge!(INDEX_BYTES).set(bytes as f64);
    handle.render()
}

/// Bytes of the files under `dir`.
fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_size(&e.path()),
            Ok(_) => e.metadata().map_or(0, |m| m.len()),
            Err(_) => 0,
        })
        .sum()
}
