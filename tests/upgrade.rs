//! Upgrades on real old indexes: `tests/data/index-vN` were built by the kavosh of each earlier
//! index version (`scripts/index-fixture.sh`: park pages ingested, documents written through the
//! HTTP API, one replaced, two deleted), and `index-vN.documents.ndjson` is every document as
//! that kavosh served it. Each must upgrade with every document and every field intact, through
//! every way a crash can interrupt the switch, and `kavosh migrate` killed at any moment must
//! leave an index that opens and loses nothing.
//!
//! Also the guard of the rule in `src/index/versions.rs`: every older version has its fixture,
//! and a change of the terms documents are indexed under shows up here until the version is
//! bumped.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use kavosh::index::migrate;
use kavosh::index::versions::{self, INDEX_VERSION, KNOWN_VERSIONS};
use kavosh::index::{Progress, SearchIndex, files};
use kavosh::search::{self, Filters, SearchRequest};
use serde_json::Value;

/// The analysis fingerprint of index version `.0` (see [`analysis_fingerprint`]).
const ANALYSIS_OF_VERSION: (u32, u64) = (7, 0x0f11_216e_58b6_beeb);

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The fixture of `version` and the documents its kavosh served.
fn fixture(version: u32) -> (PathBuf, Vec<Value>) {
    let dir = data(&format!("index-v{version}"));
    let documents = data(&format!("index-v{version}.documents.ndjson"));
    assert!(
        dir.join("meta.json").exists() && documents.exists(),
        "no fixture for index version {version}: every schema or analysis change commits its \
         predecessor's (see src/index/versions.rs)"
    );
    let documents = fs::read_to_string(documents)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (dir, documents)
}

fn older_versions() -> impl Iterator<Item = u32> {
    KNOWN_VERSIONS
        .iter()
        .map(|k| k.version)
        .filter(|&v| v < INDEX_VERSION)
}

/// A copy of the fixture of `version` to work on, in `parent/index`.
fn copy_of(version: u32, parent: &Path) -> PathBuf {
    let dir = parent.join("index");
    files::copy_tree(&fixture(version).0, &dir).unwrap();
    dir
}

/// Every document of `expected` is in `index`, every field equal; nothing else is.
fn assert_holds_exactly(index: &SearchIndex, expected: &[Value]) {
    assert_eq!(index.num_docs(), expected.len() as u64);
    for old in expected {
        let id = old["id"].as_str().unwrap();
        let new = index
            .get(id)
            .unwrap()
            .unwrap_or_else(|| panic!("{id} is lost"));
        assert_eq!(&serde_json::to_value(&new).unwrap(), old, "{id}");
    }
}

fn ids(index: &SearchIndex, q: &str, filters: Filters) -> Vec<String> {
    let request = SearchRequest {
        q: q.into(),
        filters,
        ..SearchRequest::default()
    };
    let mut ids: Vec<String> = search::search(index, &request)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect();
    ids.sort();
    ids
}

#[test]
fn every_older_fixture_upgrades_with_every_document_intact() {
    for version in older_versions() {
        let work = tempfile::tempdir().unwrap();
        let dir = copy_of(version, work.path());
        fs::create_dir(dir.join("settings")).unwrap();
        fs::write(
            dir.join("settings/synonyms.json"),
            r#"{"فاوا": ["فناوری اطلاعات"]}"#,
        )
        .unwrap();

        let old = SearchIndex::open_read_only(&dir).unwrap();
        assert_eq!(old.version(), version);
        // Searched as it is, an older index answers a phrase with the terms it holds (version
        // 5's pair fields hold no common phrases, version 6's not تفاهم نامه همکاری): the
        // same documents as once rebuilt. A ZWNJ writing (api-explicit) and joined ones.
        let park = "\"پارک علم و فناوری مازندران\"";
        let mou = "\"تفاهم‌نامه همکاری\"";
        let named_the_park = ids(&old, park, Filters::default());
        assert!(named_the_park.len() >= 3, "{named_the_park:?}");
        let signed = ids(&old, mou, Filters::default());
        assert!(
            signed.contains(&"api-explicit".to_string()) && signed.len() >= 2,
            "{signed:?}"
        );
        drop(old);
        let progress = Progress::new();
        let done = migrate::upgrade(&dir, &progress)
            .unwrap()
            .expect("an upgrade");
        let (_, expected) = fixture(version);
        assert_eq!(
            (done.from, done.documents),
            (version, expected.len() as u64)
        );
        assert_eq!(progress.get(), (done.documents, done.documents));
        assert_eq!(versions::recorded(&dir).unwrap(), Some(INDEX_VERSION));
        let siblings: Vec<_> = fs::read_dir(work.path()).unwrap().collect();
        assert_eq!(siblings.len(), 1, "the old index and the rebuild are gone");

        let index = SearchIndex::open_or_create(&dir).unwrap();
        assert_eq!(index.version(), INDEX_VERSION);
        assert_holds_exactly(&index, &expected);
        let synonyms: Value = index.settings().get("synonyms").unwrap().unwrap();
        assert_eq!(synonyms["فاوا"][0], "فناوری اطلاعات");
        // The terms are rebuilt from the stored fields: words, a partner in another spelling,
        // a parent domain of an explicit one.
        assert_eq!(ids(&index, "پالایش", Filters::default()), ["api-explicit"]);
        assert_eq!(ids(&index, park, Filters::default()), named_the_park);
        assert_eq!(ids(&index, mou, Filters::default()), signed);
        let partner = Filters {
            partners: vec!["شركت پالايش نفت شمال".into()],
            ..Filters::default()
        };
        assert_eq!(ids(&index, "", partner), ["api-explicit"]);
        let domain = Filters {
            domains: vec!["energy".into()],
            ..Filters::default()
        };
        assert!(ids(&index, "", domain).contains(&"api-explicit".to_string()));
        // Writes work again; deleted documents stayed deleted.
        assert!(index.get("mou-002").unwrap().is_none());
        assert!(index.get("api-deleted").unwrap().is_none());
        assert!(index.delete("api-empty-lists").unwrap());
        drop(index);
        assert_eq!(
            migrate::upgrade(&dir, &progress).unwrap().map(|d| d.from),
            None
        );
    }
}

#[test]
fn an_older_index_is_searched_but_not_written_until_upgraded() {
    let work = tempfile::tempdir().unwrap();
    let dir = copy_of(1, work.path());
    let index = SearchIndex::open_or_create(&dir).unwrap();
    assert_eq!(index.version(), 1);
    assert!(ids(&index, "پالایش", Filters::default()).contains(&"api-explicit".to_string()));
    let e = index.delete("mou-001").unwrap_err();
    assert!(e.to_string().contains("kavosh migrate"), "{e}");
    assert!(index.get("mou-001").unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_upgrades_in_the_background_searching_the_old_index_meanwhile() {
    let work = tempfile::tempdir().unwrap();
    let dir = copy_of(1, work.path());
    let (_, expected) = fixture(1);
    let serve = common::Serve::start(&dir, &[]);
    let client = common::admin();
    let new = serde_json::json!({
        "id": "t-after-upgrade", "kind": "news", "title": "خبر پس از ارتقای نمایه",
        "date": "1404/02/02", "partners": [], "domains": []
    });
    // Until the rebuilt index takes over, searches are answered and writes refused with 503
    // and Retry-After; then the write is accepted.
    let started = std::time::Instant::now();
    let mut refused = 0;
    loop {
        let search = client
            .get(serve.url("/search"))
            .query(&[("q", "پالایش")])
            .send()
            .await
            .unwrap();
        assert_eq!(search.status(), 200);
        let write = client
            .post(serve.url("/documents"))
            .json(&new)
            .send()
            .await
            .unwrap();
        match write.status().as_u16() {
            200 => break,
            503 => {
                assert!(write.headers().contains_key("retry-after"));
                refused += 1;
            }
            status => panic!("{status}: {}", write.text().await.unwrap()),
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the upgrade never ended"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!("{refused} writes refused during the upgrade");
    let health = common::json(client.get(serve.url("/health"))).await;
    assert_eq!(health["documents"], expected.len() + 1);
    assert!(health.get("upgrade").is_none(), "{health}");
    for old in &expected {
        let url = serve.url(&format!("/documents/{}", old["id"].as_str().unwrap()));
        let now = common::json(client.get(url)).await;
        assert_eq!(&now, old);
    }
    drop(serve);
    assert_eq!(versions::recorded(&dir).unwrap(), Some(INDEX_VERSION));
    assert_eq!(listing(work.path()), ["index"]);
}

/// The directory's siblings, by name.
fn listing(parent: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn every_state_a_crash_can_leave_opens_as_a_whole_index() {
    let (_, expected) = fixture(2);
    // A complete rebuild to plant where a crash would have left it.
    let made = tempfile::tempdir().unwrap();
    let rebuilt = copy_of(2, made.path());
    migrate::upgrade(&rebuilt, &Progress::new()).unwrap();

    // Cut between the renames: no index, the rebuild complete, the old one aside.
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("index");
    files::copy_tree(&rebuilt, &work.path().join("index.migrating")).unwrap();
    files::copy_tree(&fixture(2).0, &work.path().join("index.previous")).unwrap();
    let e = SearchIndex::open_read_only(&dir).err().unwrap();
    assert!(e.0.contains("kavosh migrate"), "{e}");
    let index = SearchIndex::open_or_create(&dir).unwrap();
    assert_eq!(index.version(), INDEX_VERSION);
    assert_holds_exactly(&index, &expected);
    drop(index);
    assert_eq!(listing(work.path()), ["index"]);

    // Cut during the rebuild (no version recorded yet), or before the switch began: the old
    // index is as it was and the rebuild is dropped.
    for complete in [false, true] {
        let work = tempfile::tempdir().unwrap();
        let dir = copy_of(2, work.path());
        let partial = work.path().join("index.migrating");
        files::copy_tree(&rebuilt, &partial).unwrap();
        if !complete {
            fs::remove_file(partial.join(versions::VERSION_FILE)).unwrap();
        }
        let index = SearchIndex::open_or_create(&dir).unwrap();
        assert_eq!(index.version(), 2);
        assert_holds_exactly(&index, &expected);
        assert_eq!(listing(work.path()), ["index"]);
    }

    // Cut after the switch, before the old copy was deleted.
    let work = tempfile::tempdir().unwrap();
    files::copy_tree(&rebuilt, &work.path().join("index")).unwrap();
    files::copy_tree(&fixture(2).0, &work.path().join("index.previous")).unwrap();
    let index = SearchIndex::open_or_create(&work.path().join("index")).unwrap();
    assert_holds_exactly(&index, &expected);
    assert_eq!(listing(work.path()), ["index"]);
}

#[test]
fn a_failed_rebuild_leaves_the_old_index_as_it_was_and_says_why() {
    let work = tempfile::tempdir().unwrap();
    let dir = copy_of(1, work.path());
    // A file the rebuild must copy but cannot read.
    fs::create_dir(dir.join("settings")).unwrap();
    let unreadable = dir.join("settings/partners.json");
    fs::write(&unreadable, "{}").unwrap();
    std::os::unix::fs::symlink("/nonexistent/target", dir.join("settings/broken.json")).unwrap();
    drop(SearchIndex::open_or_create(&dir).unwrap()); // Its lock files are made.
    let before = listing(&dir);
    let e = migrate::upgrade(&dir, &Progress::new()).unwrap_err();
    assert!(e.0.contains("the index is as it was"), "{e}");
    assert!(e.0.contains("broken.json"), "{e}");
    assert_eq!(listing(&dir), before);
    assert_eq!(listing(work.path()), ["index"]);
    let index = SearchIndex::open_read_only(&dir).unwrap();
    assert_eq!(index.version(), 1);
    assert_holds_exactly(&index, &fixture(1).1);
}

#[test]
fn kavosh_migrate_killed_at_any_moment_loses_nothing() {
    let (_, expected) = fixture(1);
    for delay_ms in [0, 100, 250, 400, 700] {
        let work = tempfile::tempdir().unwrap();
        let dir = copy_of(1, work.path());
        let mut child = Command::new(env!("CARGO_BIN_EXE_kavosh"))
            .args(["migrate", "--index", dir.to_str().unwrap()])
            .env_remove("KAVOSH_INDEX")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        let index = SearchIndex::open_or_create(&dir)
            .unwrap_or_else(|e| panic!("killed after {delay_ms} ms: {e}"));
        assert_holds_exactly(&index, &expected);
        drop(index);
        migrate::upgrade(&dir, &Progress::new()).unwrap();
        let index = SearchIndex::open_or_create(&dir).unwrap();
        assert_eq!(index.version(), INDEX_VERSION);
        assert_holds_exactly(&index, &expected);
        assert_eq!(
            listing(work.path()),
            ["index"],
            "killed after {delay_ms} ms"
        );
    }
}

/// A fingerprint of the terms the analysis gives documents: the documents of the newest
/// fixture, title and body analyzed as `kavosh analyze` shows (field, position, term), and
/// the partner keys they are filtered by. FNV-1a, so it is the same on every machine.
fn analysis_fingerprint() -> u64 {
    let (_, documents) = fixture(INDEX_VERSION - 1);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |text: &str| {
        for b in text.bytes().chain([b'\n']) {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    for doc in &documents {
        for text in [&doc["title"], &doc["body"]] {
            for t in kavosh::analysis::document_terms(text.as_str().unwrap()) {
                feed(&format!("{}\t{}\t{}", t.field, t.position, t.term));
            }
        }
        for p in doc["partners"].as_array().unwrap() {
            feed(&kavosh::document::PartnerRegistry::get().key(p.as_str().unwrap()));
        }
    }
    hash
}

#[test]
fn the_terms_documents_get_are_those_of_the_current_version() {
    let fingerprint = analysis_fingerprint();
    assert!(
        ANALYSIS_OF_VERSION == (INDEX_VERSION, fingerprint),
        "documents are now indexed under other terms than index version {} had (analysis \
         fingerprint {fingerprint:#x}, recorded {:#x} for version {}). Indexes built before \
         must be rebuilt: follow the steps in src/index/versions.rs (bump INDEX_VERSION, commit \
         the predecessor's fixture), then set ANALYSIS_OF_VERSION in tests/upgrade.rs to \
         ({INDEX_VERSION}, {fingerprint:#x}) with the new version.",
        ANALYSIS_OF_VERSION.0,
        ANALYSIS_OF_VERSION.1,
        ANALYSIS_OF_VERSION.0,
    );
}
