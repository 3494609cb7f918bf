//! `kavosh serve` as a process: the search insights are saved into the index when it stops
//! (SIGTERM) and read again when it starts; `KAVOSH_INSIGHTS=off` stores nothing; bad insights
//! settings are usage errors.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/mou-054.txt");
const KEY: &str = "serve-test-key";

struct Server {
    child: Child,
    base: String,
}

/// Starts `kavosh serve` on `index` (filled from a corpus of the seed page when empty) and waits
/// for `/health`.
async fn serve(index: &Path, corpus: &Path, env: &[(&str, &str)]) -> Server {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let child = Command::new(env!("CARGO_BIN_EXE_kavosh"))
        .args(["serve", "--index", index.to_str().unwrap()])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--corpus", corpus.to_str().unwrap()])
        .env_remove("KAVOSH_INDEX")
        .env("KAVOSH_API_KEY", KEY)
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("kavosh starts");
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if reqwest::get(format!("{}/health", server.base))
            .await
            .is_ok()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("kavosh serve did not answer /health");
}

impl Server {
    /// SIGTERM, then waits for the exit.
    fn stop(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "kavosh exited with {status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("kavosh serve did not stop on SIGTERM");
    }

    async fn search(&self, q: &str) {
        let r = reqwest::Client::new()
            .get(format!("{}/search", self.base))
            .query(&[("q", q)])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }

    async fn insights(&self) -> Value {
        reqwest::Client::new()
            .get(format!("{}/insights/queries", self.base))
            .bearer_auth(KEY)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

fn corpus(dir: &Path) -> std::path::PathBuf {
    let corpus = dir.join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::copy(SEED, corpus.join("mou-054.txt")).unwrap();
    corpus
}

/// The counter of search replies the cache made ready before users asked.
const REFRESHED: &str = "kavosh_search_cache_refreshed_total";

/// The value of [`REFRESHED`] in `/metrics` (0 before its first count).
async fn refreshed(server: &Server) -> f64 {
    let text = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(REFRESHED)?.trim().parse().ok())
        .unwrap_or(0.0)
}

/// Waits (20 s at most) until [`REFRESHED`] is at least `count`; `after` says after what.
async fn wait_for_refreshed(server: &Server, count: f64, after: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while refreshed(server).await < count {
        assert!(Instant::now() < deadline, "no search was refreshed {after}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn total(server: &Server, q: &str) -> u64 {
    let reply: Value = reqwest::Client::new()
        .get(format!("{}/search", server.base))
        .query(&[("q", q)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["total"].as_u64().unwrap()
}

#[tokio::test]
async fn a_write_is_followed_by_the_popular_searches_over_the_new_commit() {
    let dir = tempfile::tempdir().unwrap();
    let (index, corpus) = (dir.path().join("ix"), corpus(dir.path()));
    let server = serve(&index, &corpus, &[]).await;
    assert_eq!(total(&server, "زعفران").await, 0);
    assert_eq!(total(&server, "زعفران").await, 0);
    let before = refreshed(&server).await;
    let written = reqwest::Client::new()
        .post(format!("{}/documents", server.base))
        .bearer_auth(KEY)
        .json(&serde_json::json!({
            "id": "saffron-1",
            "kind": "news",
            "title": "صادرات زعفران مازندران",
            "body": "همکاری پارک با صادرکنندگان زعفران",
            "date": "1404/02/01",
        }))
        .send()
        .await
        .unwrap();
    assert!(written.status().is_success(), "{}", written.status());
    wait_for_refreshed(&server, before + 1.0, "after the write").await;
    assert_eq!(
        total(&server, "زعفران").await,
        1,
        "refreshed over the new commit"
    );
    server.stop();
}

#[tokio::test]
async fn a_restarted_server_searches_the_most_searched_queries_before_users_ask() {
    let dir = tempfile::tempdir().unwrap();
    let (index, corpus) = (dir.path().join("ix"), corpus(dir.path()));
    let env = [("KAVOSH_INSIGHTS_MIN_COUNT", "1")];
    let first = serve(&index, &corpus, &env).await;
    first.search("پالایشگاه نفت").await;
    first.stop();
    let second = serve(&index, &corpus, &env).await;
    wait_for_refreshed(&second, 1.0, "at start").await;
    second.stop();
    let off = serve(&index, &corpus, &[("KAVOSH_SEARCH_CACHE_MB", "0")]).await;
    off.search("پالایشگاه نفت").await;
    assert_eq!(refreshed(&off).await, 0.0, "no cache, nothing refreshed");
    off.stop();
}

#[tokio::test]
async fn insights_are_saved_at_shutdown_and_read_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let (index, corpus) = (dir.path().join("ix"), corpus(dir.path()));
    let first = serve(&index, &corpus, &[("KAVOSH_INSIGHTS_MIN_COUNT", "1")]).await;
    for q in ["نفت", "نفت", "پالایش"] {
        first.search(q).await;
    }
    let before = first.insights().await;
    assert_eq!(before["queries"][0]["query"], "نفت");
    assert_eq!(before["queries"][0]["searches"], 2);
    assert_eq!(before["queries"].as_array().unwrap().len(), 2);
    first.stop();
    assert!(index.join("settings").join("insights.json").is_file());

    let second = serve(&index, &corpus, &[("KAVOSH_INSIGHTS_MIN_COUNT", "1")]).await;
    assert_eq!(second.insights().await, before);
    second.search("نفت").await;
    assert_eq!(second.insights().await["queries"][0]["searches"], 3);
    second.stop();
}

#[tokio::test]
async fn off_stores_nothing_and_bad_settings_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (index, corpus) = (dir.path().join("ix"), corpus(dir.path()));
    let server = serve(&index, &corpus, &[("KAVOSH_INSIGHTS", "off")]).await;
    server.search("نفت").await;
    server.search("نفت").await;
    assert_eq!(server.insights().await["queries"], serde_json::json!([]));
    server.stop();
    assert!(!index.join("settings").join("insights.json").exists());

    for (name, value, expected) in [
        ("KAVOSH_INSIGHTS", "maybe", "expected on or off"),
        ("KAVOSH_INSIGHTS_MIN_COUNT", "0", "a whole number from 1"),
        ("KAVOSH_INSIGHTS_DAYS", "4000", "1 to 3660 days"),
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_kavosh"))
            .args(["serve", "--index", index.to_str().unwrap()])
            .env(name, value)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{name}={value}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(expected), "{name}={value}: {err}");
    }
}
