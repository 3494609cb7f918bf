//! What a real `kavosh serve` writes to its log: a line per request that names the path, never
//! the query string (what visitors search for stays out of the logs; the insights keep only
//! per-day aggregates of it).

mod common;

use common::Serve;

#[tokio::test]
async fn request_lines_name_the_path_but_not_what_was_searched() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("serve.log");
    let serve = Serve::start_logging(&dir.path().join("ix"), &[], &log);
    let url = reqwest::Url::parse_with_params(
        &serve.url("/search"),
        [("q", "فناوری نانو"), ("per_page", "5")],
    )
    .unwrap();
    let reply = reqwest::get(url.clone()).await.unwrap();
    assert_eq!(reply.status(), 200);
    drop(serve);
    let log = std::fs::read_to_string(&log).unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("path=/search"))
        .unwrap_or_else(|| panic!("no request line in:\n{log}"));
    assert!(line.contains("status=200"), "{line}");
    let query = url.query().unwrap();
    for secret in [query, "فناوری", "per_page"] {
        assert!(!log.contains(secret), "{secret:?} is in the log:\n{log}");
    }
}
