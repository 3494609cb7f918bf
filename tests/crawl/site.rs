//! The fixture website on 127.0.0.1: `tests/data/site/` answered as `site.tsv` says (and, from
//! the second phase on, as `v2.tsv` changes it), every request recorded.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use sha2::{Digest, Sha256};

/// One request the site received.
#[derive(Clone, Debug)]
pub struct Hit {
    /// Path and query, percent-decoded (`/fa/tag/انرژی`).
    pub target: String,
    pub if_none_match: Option<String>,
    pub if_modified_since: Option<String>,
    pub user_agent: String,
    pub at: Instant,
    pub status: u16,
}

#[derive(Clone, Debug)]
struct Route {
    status: u16,
    file: Option<String>,
    headers: Vec<(String, String)>,
    etag: bool,
}

pub struct Site {
    pub base: String,
    dir: PathBuf,
    phases: Vec<HashMap<String, Route>>,
    phase: AtomicU8,
    hits: Mutex<Vec<Hit>>,
}

fn table(path: &Path) -> HashMap<String, Route> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let extra = cols.get(3).copied().unwrap_or("").trim();
            let route = Route {
                status: cols[1].parse().unwrap(),
                file: (cols[2] != "-").then(|| cols[2].to_string()),
                headers: extra
                    .split("; ")
                    .filter(|h| h.contains(": "))
                    .map(|h| {
                        let (k, v) = h.split_once(": ").unwrap();
                        (k.to_string(), v.to_string())
                    })
                    .collect(),
                etag: extra == "etag",
            };
            (cols[0].to_string(), route)
        })
        .collect()
}

/// `%D8%A7` and `+` decoded.
fn decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Site {
    /// Serves the site on a port of its own, on a thread with its own runtime.
    pub fn start() -> Arc<Site> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/site");
        let v1 = table(&dir.join("site.tsv"));
        let mut v2 = v1.clone();
        v2.extend(table(&dir.join("v2.tsv")));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let site = Arc::new(Site {
            base: format!("http://{}", listener.local_addr().unwrap()),
            dir,
            phases: vec![v1, v2],
            phase: AtomicU8::new(0),
            hits: Mutex::new(Vec::new()),
        });
        let serving = site.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let app = axum::Router::new().fallback(answer).with_state(serving);
                axum::serve(listener, app).await.unwrap();
            });
        });
        site
    }

    /// 0: the first crawl's site; 1: with v2.tsv's changes.
    pub fn set_phase(&self, phase: u8) {
        self.phase.store(phase, Ordering::SeqCst);
    }

    /// Every request so far, and forgets them.
    pub fn take_hits(&self) -> Vec<Hit> {
        std::mem::take(&mut self.hits.lock().unwrap())
    }

    fn respond(&self, target: &str, headers: &HeaderMap) -> Response {
        let phase = self.phase.load(Ordering::SeqCst) as usize;
        // Like most servers, the site answers /a/b/ as /a/b.
        let routes = &self.phases[phase];
        let route = routes.get(target).or_else(|| {
            let (path, query) = target.split_once('?').unwrap_or((target, ""));
            let path = path.trim_end_matches('/');
            let query = if query.is_empty() {
                String::new()
            } else {
                format!("?{query}")
            };
            routes.get(&format!("{path}{query}"))
        });
        let Some(route) = route else {
            return status(StatusCode::NOT_FOUND);
        };
        let mut response = Response::builder().status(route.status);
        let has_type = route
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
        for (k, v) in &route.headers {
            response = response.header(k, v);
        }
        let Some(file) = &route.file else {
            return response.body(Body::empty()).unwrap();
        };
        let mut body = std::fs::read(self.dir.join(file)).unwrap();
        if !file.ends_with(".gz") {
            body = replace(&body, b"{{BASE}}", self.base.as_bytes());
        }
        if !has_type {
            response = response.header(header::CONTENT_TYPE, "text/html; charset=utf-8");
        }
        if route.etag {
            let etag = format!("\"{}\"", &hex(&Sha256::digest(&body))[..16]);
            if headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                == Some(&etag)
            {
                return status(StatusCode::NOT_MODIFIED);
            }
            response = response.header(header::ETAG, etag);
        }
        if let Some((_, modified)) = route
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("last-modified"))
            && headers
                .get(header::IF_MODIFIED_SINCE)
                .and_then(|v| v.to_str().ok())
                == Some(modified)
        {
            return status(StatusCode::NOT_MODIFIED);
        }
        response.body(Body::from(body)).unwrap()
    }
}

fn status(code: StatusCode) -> Response {
    Response::builder()
        .status(code)
        .body(Body::empty())
        .unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

async fn answer(State(site): State<Arc<Site>>, request: Request) -> Response {
    let uri = request.uri();
    let mut target = decode(uri.path(), false);
    if let Some(query) = uri.query() {
        target.push('?');
        target.push_str(&decode(query, true));
    }
    let headers = request.headers();
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    let response = site.respond(&target, headers);
    site.hits.lock().unwrap().push(Hit {
        target,
        if_none_match: text(header::IF_NONE_MATCH),
        if_modified_since: text(header::IF_MODIFIED_SINCE),
        user_agent: text(header::USER_AGENT).unwrap_or_default(),
        at: Instant::now(),
        status: response.status().as_u16(),
    });
    response
}
