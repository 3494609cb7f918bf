//! The HTTP service end to end: the real router over TCP on 127.0.0.1, on an index built from
//! the bundled corpus (`corpus/`) once per test run and shared by every test.
//!
//! Two servers share the index: one with the API key [`KEY`], one with no key configured
//! (writes refused) and CORS for [`ORIGIN`]. Tests that write use ids and words of their own
//! (`t-…`, made-up words, Jalali year 1390, before the corpus) so the other tests' counts
//! stay true while they run in parallel.

mod analytics;
mod documents;
mod errors;
mod guard;
mod insights;
mod operations;
mod partners;
mod rewrite;
mod search;
mod suggest;

use std::path::Path;
use std::sync::{Arc, OnceLock};

use axum::http::HeaderValue;
use kavosh::index::SearchIndex;
use kavosh::server::listener::ConnectionLimits;
use kavosh::server::{AppState, router};
use reqwest::StatusCode;
use serde_json::Value;

pub const KEY: &str = "test-key-5f1c";
pub const ORIGIN: &str = "https://site.example";

pub struct Fixture {
    /// The server with the key.
    pub base: String,
    /// The server without a key.
    pub keyless: String,
    /// Documents of the corpus.
    pub corpus_docs: u64,
}

/// The shared servers, started on first use on a runtime of their own (each test has its
/// own), over an index in the target directory that every run rebuilds.
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("server-index");
            let _ = std::fs::remove_dir_all(&dir);
            let index = Arc::new(SearchIndex::open_or_create(&dir).expect("an index"));
            let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
            let report =
                kavosh::ingest::ingest_paths(&index, &[corpus]).expect("the corpus ingests");
            assert!(report.rejected.is_empty(), "corpus pages rejected");
            let corpus_docs = index.num_docs();
            assert!(corpus_docs >= 160, "{corpus_docs} documents");
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                let limits = ConnectionLimits::default();
                let base = start(AppState::new(index.clone(), Some(KEY)), limits).await;
                let mut keyless = AppState::new(index, None);
                keyless.cors_origins = vec![HeaderValue::from_static(ORIGIN)];
                let keyless = start(keyless, limits).await;
                sender
                    .send(Fixture {
                        base,
                        keyless,
                        corpus_docs,
                    })
                    .expect("the tests wait");
                std::future::pending::<()>().await
            })
        });
        receiver.recv().expect("the servers start")
    })
}

/// Serves `state` on a free port of 127.0.0.1 as `kavosh serve` does, on the caller's runtime,
/// until it ends: the base URL.
pub async fn start(state: AppState, limits: ConnectionLimits) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let address = listener.local_addr().expect("an address");
    let served =
        kavosh::server::listener::serve(listener, router(state), limits, std::future::pending());
    tokio::spawn(served);
    format!("http://{address}")
}

/// `GET base + path` with query parameters: the status and the JSON body.
pub async fn get(path: &str, query: &[(&str, &str)]) -> (StatusCode, Value) {
    send(
        reqwest::Client::new()
            .get(format!("{}{path}", fixture().base))
            .query(query),
    )
    .await
}

/// `/search` with these parameters; asserts a 200.
pub async fn search(query: &[(&str, &str)]) -> Value {
    let (status, body) = get("/search", query).await;
    assert_eq!(status, StatusCode::OK, "{query:?}: {body}");
    body
}

/// Sends a request: the status and the JSON body (asserted to be JSON unless empty).
pub async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    let text = response.text().await.expect("a body");
    if text.is_empty() {
        return (status, Value::Null);
    }
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{status}: not JSON ({e}): {text:.200}"));
    (status, body)
}

/// Asserts the error shape, a status and a message containing `needle`.
#[track_caller]
pub fn assert_error(got: &(StatusCode, Value), status: StatusCode, code: &str, needle: &str) {
    let (s, body) = got;
    assert_eq!(*s, status, "{body}");
    let error = body["error"].as_object().expect("an error object");
    assert_eq!(error["code"], code, "{body}");
    let message = error["message"].as_str().expect("a message");
    assert!(message.contains(needle), "{message:?} lacks {needle:?}");
}

/// The ids of a reply's hits.
pub fn ids(reply: &Value) -> Vec<String> {
    reply["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().expect("an id").to_string())
        .collect()
}

/// `value → count` of one facet.
pub fn facet(reply: &Value, name: &str) -> Vec<(String, u64)> {
    reply["facets"][name]
        .as_array()
        .unwrap_or_else(|| panic!("facet {name}"))
        .iter()
        .map(|v| {
            (
                v["value"].as_str().expect("a value").to_string(),
                v["count"].as_u64().expect("a count"),
            )
        })
        .collect()
}
