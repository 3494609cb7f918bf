//! Backups and reading beside a running service, with a real `kavosh serve`: `search`, `stats`
//! and `dump` work on the index it holds and see what it committed; `POST /dumps` and
//! `POST /snapshots` run while writes go on; a dump restores into an index equal to the
//! served one; a snapshot is served as an index. And every dump format version ever written
//! restores (`tests/data/dump-vN.ndjson`).

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{Serve, admin, json, kavosh};
use kavosh::document::StoredDocument;
use kavosh::index::SearchIndex;
use serde_json::Value;

fn data(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Runs kavosh; asserts it succeeded; its standard output.
fn run(args: &[&str]) -> String {
    let out = kavosh().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "kavosh {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn documents_of(dir: &Path) -> Vec<StoredDocument> {
    let index = SearchIndex::open_read_only(dir).unwrap();
    let mut docs = Vec::new();
    index
        .for_each_stored(&index.searcher(), |d| {
            docs.push(d);
            Ok(())
        })
        .unwrap();
    docs.sort_by(|a, b| a.id.cmp(&b.id));
    docs
}

/// The ids a search finds through `kavosh search --json`.
fn cli_search(dir: &Path, query: &str) -> Vec<String> {
    let reply: Value = serde_json::from_str(&run(&[
        "search",
        "--index",
        dir.to_str().unwrap(),
        "--json",
        query,
    ]))
    .unwrap();
    reply["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_dump_format_version_restores() {
    // Format 1, dumped from the upgraded index-v2 fixture with a synonyms setting. A new dump
    // format keeps this file and adds its own.
    let expected: Vec<Value> = std::fs::read_to_string(data("index-v2.documents.ndjson"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let work = tempfile::tempdir().unwrap();
    let target = work.path().join("restored");
    let dump = data("dump-v1.ndjson");
    let said = run(&[
        "restore",
        dump.to_str().unwrap(),
        "--index",
        target.to_str().unwrap(),
    ]);
    assert!(
        said.contains("restored 8 documents and 1 settings"),
        "{said}"
    );
    let index = SearchIndex::open_read_only(&target).unwrap();
    assert_eq!(index.num_docs(), expected.len() as u64);
    for old in &expected {
        let id = old["id"].as_str().unwrap();
        let now = index.get(id).unwrap().unwrap();
        assert_eq!(&serde_json::to_value(now).unwrap(), old);
    }
    let synonyms: Value = index.settings().get("synonyms").unwrap().unwrap();
    assert_eq!(synonyms["فاوا"][0], "فناوری اطلاعات و ارتباطات");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_commands_work_beside_a_running_serve() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("index");
    let pages = ["mou-001.txt", "mou-002.txt", "news-001.txt"]
        .map(|p| Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(p));
    let mut args = vec!["ingest", "--index", dir.to_str().unwrap()];
    args.extend(pages.iter().map(|p| p.to_str().unwrap()));
    run(&args);
    let serve = Serve::start(&dir, &[]);
    let client = admin();
    let write = |id: &str, title: &str| {
        client
            .post(serve.url("/documents"))
            .json(&serde_json::json!({"id": id, "kind": "news", "title": title, "date": "1404/03/03"}))
            .send()
    };
    assert_eq!(
        write("t-beside", "نشست کیوی‌کاران مازندران")
            .await
            .unwrap()
            .status(),
        200
    );

    // What serve committed is seen at once, and serve keeps its writer.
    assert_eq!(cli_search(&dir, "کیوی‌کاران"), ["t-beside"]);
    let stats: Value = serde_json::from_str(&run(&[
        "stats",
        "--index",
        dir.to_str().unwrap(),
        "--by",
        "kind",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(stats["total"], 4);
    let dump = work.path().join("beside.ndjson");
    run(&[
        "dump",
        "--index",
        dir.to_str().unwrap(),
        "--output",
        dump.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&dump).unwrap();
    assert_eq!(text.lines().count(), 5);
    assert!(text.contains("کیوی‌کاران"));
    assert_eq!(
        write("t-after", "همایش کیوی‌کاران").await.unwrap().status(),
        200
    );
    let mut found = cli_search(&dir, "کیوی‌کاران");
    found.sort();
    assert_eq!(found, ["t-after", "t-beside"]);

    // Without an index there is nothing to read (and nothing is created).
    let missing = work.path().join("none");
    let out = kavosh()
        .args(["search", "--index", missing.to_str().unwrap(), "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no index"));
    assert!(!missing.exists());
}

/// Polls `GET path` until its only item is no longer running; returns that item.
async fn wait_for(serve: &Serve, path: &str) -> Value {
    let started = Instant::now();
    loop {
        let list = json(admin().get(serve.url(path))).await;
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{list}");
        if items[0]["status"] != "running" {
            return items[0].clone();
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{list}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dumps_and_snapshots_are_taken_while_writes_go_on() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("index");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    run(&[
        "ingest",
        "--index",
        dir.to_str().unwrap(),
        corpus.to_str().unwrap(),
    ]);
    let (dumps, snapshots) = (work.path().join("dumps"), work.path().join("snapshots"));
    let serve = Serve::start(
        &dir,
        &[
            "--dumps",
            dumps.to_str().unwrap(),
            "--snapshots",
            snapshots.to_str().unwrap(),
        ],
    );
    let client = admin();
    let anonymous = reqwest::Client::new().get(serve.url("/dumps")).send();
    assert_eq!(anonymous.await.unwrap().status(), 401);

    let started: Value = json(client.post(serve.url("/dumps"))).await;
    assert_eq!(started["status"], "running", "{started}");
    // Writes go on while the dump is written.
    for i in 0..10 {
        let doc = serde_json::json!({"id": format!("t-during-{i}"), "kind": "news",
                         "title": "خبر هم‌زمان با پشتیبان‌گیری", "date": "1404/04/04"});
        let reply = client.post(serve.url("/documents")).json(&doc).send().await;
        assert_eq!(reply.unwrap().status(), 200);
    }
    let dumped = wait_for(&serve, "/dumps").await;
    assert_eq!(dumped["status"], "done", "{dumped}");
    assert_eq!(dumped["name"], started["name"]);

    let snap_started: Value = json(client.post(serve.url("/snapshots"))).await;
    assert_eq!(snap_started["status"], "running");
    let snap = wait_for(&serve, "/snapshots").await;
    assert_eq!(snap["status"], "done", "{snap}");

    // The dump restores into an index whose every document is the served one.
    let file = dumps.join(dumped["name"].as_str().unwrap());
    let restored = work.path().join("restored");
    run(&[
        "restore",
        file.to_str().unwrap(),
        "--index",
        restored.to_str().unwrap(),
    ]);
    let docs = documents_of(&restored);
    assert!(docs.len() >= 160, "{} documents", docs.len());
    for doc in &docs {
        let url = serve.url(&format!("/documents/{}", doc.id));
        let served: StoredDocument = serde_json::from_value(json(client.get(url)).await).unwrap();
        assert_eq!(&served, doc);
    }

    // The snapshot holds all of it (it was taken after the writes) and is served.
    let snapshot = snapshots.join(snap["name"].as_str().unwrap());
    let held = documents_of(&snapshot);
    let live = documents_of(&dir);
    assert_eq!(held, live);
    let served_snapshot = Serve::start(&snapshot, &[]);
    let health = json(client.get(served_snapshot.url("/health"))).await;
    assert_eq!(health["documents"], live.len());
    let during = json(client.get(served_snapshot.url("/documents/t-during-9"))).await;
    assert_eq!(during["title"], "خبر هم‌زمان با پشتیبان‌گیری");
}
