//! Searching the segments of a query, and reading its hits, on several threads
//! (`KAVOSH_SEARCH_THREADS`) gives the same replies as doing it on one: hits, order, scores,
//! highlights, exact totals and facet counts, and the same suggestions. Driven through the real
//! binary (`search`, and `serve` over TCP) over an index of the bundled corpus in several
//! segments (one per ingest run).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn kavosh(threads: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kavosh"));
    command
        .env_remove("KAVOSH_INDEX")
        .env("KAVOSH_SEARCH_THREADS", threads);
    command
}

/// The `--json` reply of `kavosh search ARGS`, without its time.
fn search(index: &Path, threads: &str, args: &[&str]) -> Value {
    let out = kavosh(threads)
        .args(["search", "--index", index.to_str().unwrap(), "--json"])
        .args(args)
        .output()
        .expect("kavosh runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut reply: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    reply.as_object_mut().unwrap().remove("took_ms");
    reply
}

/// The bundled corpus in `dir`, ingested in three runs: at least three segments.
fn index_in_segments(dir: &Path) -> PathBuf {
    let index = dir.join("index");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut pages: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    pages.sort();
    // Three ingest runs, two segments each (one per indexing thread): the merge policy
    // leaves fewer than eight alone.
    for part in pages.chunks(pages.len().div_ceil(3)) {
        let out = kavosh("1")
            .args(["ingest", "--index", index.to_str().unwrap()])
            .args(part)
            .output()
            .expect("kavosh runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let segments = common::segment_files(&index);
    assert!(segments >= 3, "{segments} segments");
    index
}

#[test]
fn segments_searched_side_by_side_give_the_same_replies() {
    let dir = tempfile::tempdir().unwrap();
    let index = index_in_segments(dir.path());
    let cases: &[&[&str]] = &[
        &["همکاری"],
        &["پارک علم و فناوری", "--per-page", "100"],
        &["\"پارک علم و فناوری\"", "--page", "2"],
        &["دانشگاه", "مازندران", "--kind", "agreement"],
        &["فناوری", "--partner", "دانشگاه مازندران"],
        &["مازندرن"],
        &["تفاهم‌نامه", "--sort", "newest", "--per-page", "50"],
        &["همکاری", "OR", "کشاورزی", "--year", "1403"],
    ];
    for args in cases {
        let one = search(&index, "1", args);
        let two = search(&index, "2", args);
        assert!(one["total"].as_u64().unwrap() > 0, "{args:?} finds nothing");
        assert_eq!(one, two, "{args:?}");
    }
}

/// `/suggest` reads its titles on the search threads too: the service gives the same
/// suggestions with one thread and with two.
#[tokio::test]
async fn suggestions_read_side_by_side_are_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let index = index_in_segments(dir.path());
    let typed = ["هم", "تفا", "دانشگاه ماز", "پارک علم و فن"];
    let mut replies: Vec<Vec<Value>> = Vec::new();
    for threads in ["1", "2"] {
        let serve = common::Serve::start_with_env(
            &index,
            &["--rate-limit", "0"],
            &[("KAVOSH_SEARCH_THREADS", threads)],
        );
        let client = reqwest::Client::new();
        let mut these = Vec::new();
        for q in typed {
            let mut reply =
                common::json(client.get(serve.url("/suggest")).query(&[("q", q)])).await;
            reply.as_object_mut().unwrap().remove("took_ms");
            assert!(
                !reply["hits"].as_array().unwrap().is_empty(),
                "{q}: {reply}"
            );
            these.push(reply);
        }
        replies.push(these);
    }
    assert_eq!(replies[0], replies[1]);
}
