//! `kavosh serve` as a real process on 127.0.0.1, for the tests that need the service and the
//! command line side by side; and what tests look at in an index's directory.

#![allow(dead_code)] // Each test crate uses part of it.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The key writes and admin requests present.
pub const KEY: &str = "store-test-key";

/// A running `kavosh serve`, stopped when dropped.
pub struct Serve {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl Serve {
    /// Serves the index in `index` (without a corpus) with [`KEY`] and `args`; returns once it
    /// accepts connections.
    pub fn start(index: &Path, args: &[&str]) -> Serve {
        Serve::spawn(index, args, &[], None)
    }

    /// As [`Serve::start`], with these environment variables set.
    pub fn start_with_env(index: &Path, args: &[&str], env: &[(&str, &str)]) -> Serve {
        Serve::spawn(index, args, env, None)
    }

    /// As [`Serve::start`], with the log at its default level (`info`: a line per request)
    /// written to the file `log`.
    pub fn start_logging(index: &Path, args: &[&str], log: &Path) -> Serve {
        Serve::spawn(index, args, &[], Some(log))
    }

    fn spawn(index: &Path, args: &[&str], env: &[(&str, &str)], log: Option<&Path>) -> Serve {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let listen = format!("127.0.0.1:{port}");
        let child = kavosh()
            .args([
                "serve",
                "--index",
                index.to_str().unwrap(),
                "--listen",
                &listen,
            ])
            .args(["--corpus", "/nonexistent"])
            .args(args)
            .env("KAVOSH_API_KEY", KEY)
            .env("RUST_LOG", if log.is_some() { "info" } else { "warn" })
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(log.map_or_else(Stdio::null, |path| {
                std::fs::File::create(path).expect("the log file").into()
            }))
            .spawn()
            .expect("kavosh serve starts");
        let started = Instant::now();
        while TcpStream::connect(&listen).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "serve never listened"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Serve {
            child,
            base: format!("http://{listen}"),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The kavosh binary, without the environment's index.
pub fn kavosh() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kavosh"));
    command.env_remove("KAVOSH_INDEX");
    command
}

/// An HTTP client whose writes carry [`KEY`].
pub fn admin() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {KEY}").parse().unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

/// Sends a request and reads its JSON reply, whatever the status.
pub async fn json(request: reqwest::RequestBuilder) -> serde_json::Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// How many segments the index in `dir` has files of (one `.idx` file each).
pub fn segment_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "idx")
        })
        .count()
}
