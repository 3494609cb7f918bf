//! `kavosh crawl` and `kavosh serve --crawl` end to end, on the fixture website the test serves
//! itself on 127.0.0.1 (`tests/data/site/`, see its README): the real binary crawls it while the
//! site records every request; then pages are changed, removed and added (`v2.tsv`) and the
//! site is crawled again.

mod site;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use kavosh::document::{Document, StoredDocument};
use kavosh::index::SearchIndex;
use kavosh::search::{self, SearchRequest, Typos};
use serde_json::{Value, json};
use site::{Hit, Site};

/// The fixture's robots.txt asks for 20 ms between requests; the crawls below pass 5.
const CRAWL_DELAY: Duration = Duration::from_millis(20);

fn kavosh(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kavosh"))
        .args(args)
        .env_remove("KAVOSH_INDEX")
        .env("RUST_LOG", "warn")
        .output()
        .expect("kavosh runs")
}

fn crawl(index: &Path, base: &str, extra: &[&str]) -> Output {
    let index = index.to_str().unwrap();
    let start = format!("{base}/");
    let mut args = vec!["crawl", "--index", index, "--delay-ms", "5"];
    args.extend_from_slice(extra);
    args.push(&start);
    kavosh(&args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The summary line's counts by name.
fn counts(output: &Output) -> HashMap<String, usize> {
    text(&output.stdout)
        .trim()
        .split(", ")
        .filter_map(|part| {
            let (name, n) = part.split_once(' ')?;
            Some((name.to_string(), n.parse().ok()?))
        })
        .collect()
}

fn assert_counts(output: &Output, expected: &[(&str, usize)]) {
    let got = counts(output);
    for (name, n) in expected {
        assert_eq!(
            got.get(*name),
            Some(n),
            "{name} in {}\nstderr: {}",
            text(&output.stdout),
            text(&output.stderr)
        );
    }
}

/// The stored documents that match `q` (phrases, words…).
fn hits(index: &SearchIndex, q: &str) -> Vec<StoredDocument> {
    let request = SearchRequest {
        q: q.into(),
        typos: Typos::Exact,
        per_page: 100,
        ..SearchRequest::default()
    };
    let reply = search::search(index, &request).unwrap();
    reply
        .hits
        .iter()
        .map(|h| index.get(&h.id).unwrap().unwrap())
        .collect()
}

/// The stored document read from `path` of the site, if any.
fn doc_at(index: &SearchIndex, base: &str, path: &str) -> Option<StoredDocument> {
    hits(index, "")
        .into_iter()
        .find(|d| d.url.as_deref() == Some(&format!("{base}{path}")))
}

fn targets(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.target.as_str()).collect()
}

fn hit<'a>(hits: &'a [Hit], target: &str) -> &'a Hit {
    hits.iter()
        .find(|h| h.target == target)
        .unwrap_or_else(|| panic!("{target} was not requested: {:?}", targets(hits)))
}

/// Phrases that stand only in the template's noise: none may find a document.
const NOISE: &[(&str, &str)] = &[
    ("footer", "کوچه نارنجستان"),
    ("sidebar banner", "جشنواره ملی نوآوری سپیدار"),
    ("comments", "زنبورستان"),
    ("related news", "گلابتون"),
    ("menu", "سامانه پرنیان"),
    ("script", "کهربا"),
    ("share buttons", "تلگرام"),
    ("header date", "امروز شنبه ۸ آذر ۱۴۰۵"),
];

fn politeness(hits: &[Hit]) {
    assert_eq!(hits[0].target, "/robots.txt", "robots.txt first");
    assert!(hits.iter().all(|h| h.user_agent.starts_with("kavosh/")));
    for pair in hits.windows(2) {
        let gap = pair[1].at.duration_since(pair[0].at);
        assert!(
            gap >= CRAWL_DELAY - Duration::from_millis(1),
            "{} came {gap:?} after {} (Crawl-delay is {CRAWL_DELAY:?})",
            pair[1].target,
            pair[0].target
        );
    }
    let mut seen = HashSet::new();
    for h in hits {
        assert!(seen.insert(&h.target), "{} requested twice", h.target);
        let t = h.target.as_str();
        assert!(
            !t.starts_with("/fa/private/") && !t.starts_with("/fa/admin/"),
            "robots.txt disallows {t}"
        );
        assert!(!t.ends_with(".pdf"), "an attachment was downloaded: {t}");
        assert!(!t.contains("utm_"), "tracking parameters kept: {t}");
    }
}

#[test]
fn crawl_the_site_then_keep_in_step_with_it() {
    let site = Site::start();
    let base = site.base.clone();
    let dir = tempfile::tempdir().unwrap();
    let index_dir = dir.path().join("index");
    // A document from a file: no crawl may touch it.
    let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/mou-054.txt");
    assert!(
        kavosh(&["ingest", "--index", index_dir.to_str().unwrap(), seed])
            .status
            .success()
    );

    // ---- the first crawl ----
    let first = crawl(&index_dir, &base, &[]);
    let requests = site.take_hits();
    assert_eq!(first.status.code(), Some(1), "a broken link failed");
    assert_counts(
        &first,
        &[
            ("fetched", 40),
            ("indexed", 25),
            ("updated", 0),
            ("unchanged", 0),
            ("deleted", 0),
            ("skipped", 18),
            ("failed", 1),
        ],
    );
    assert_eq!(
        text(&first.stderr).trim(),
        format!("{base}/fa/news/199: HTTP 404 Not Found (linked from {base}/fa/news/108)")
    );
    politeness(&requests);
    let asked = targets(&requests);
    for t in [
        "/sitemap_index.xml",
        "/sitemap-news.xml",
        "/sitemap-mou.xml.gz",
        "/news.aspx?id=106",
        "/fa/news/106",
        "/fa/news/113",
        "/news_detail.asp?id=3",
    ] {
        assert!(asked.contains(&t), "{t} not requested: {asked:?}");
    }
    assert!(
        !asked.contains(&"/fa/news/102/"),
        "the sitemap's form comes first"
    );
    assert!(
        requests
            .iter()
            .all(|h| h.if_none_match.is_none() && h.if_modified_since.is_none())
    );

    let index = SearchIndex::open_or_create(&index_dir).unwrap();
    assert_eq!(index.num_docs(), 26);
    for (what, phrase) in NOISE {
        let found = hits(&index, &format!("\"{phrase}\""));
        assert!(
            found.is_empty(),
            "{what}: {phrase:?} found in {:?}",
            found[0].url
        );
    }
    // The most-viewed sidebar lists this title on every page of template A.
    let titled = hits(&index, "\"آغاز ثبت‌نام تسهیلات سرمایه در گردش\"");
    assert_eq!(titled.len(), 1);
    assert_eq!(
        titled[0].url.as_deref(),
        Some(&*format!("{base}/fa/news/103"))
    );
    // windows-1256 pages, declared in the header, in a <meta>, or not at all.
    for (id, phrase) in [
        (1, "ثبت اختراع و حمایت از مالکیت فکری"),
        (2, "پذیرش شش واحد فناور جدید"),
        (3, "بازدید استاندار مازندران"),
    ] {
        let found = hits(&index, &format!("title:\"{phrase}\""));
        assert_eq!(found.len(), 1, "{phrase}");
        assert_eq!(
            found[0].url.as_deref(),
            Some(&*format!("{base}/news_detail.asp?id={id}"))
        );
    }
    let mou = doc_at(&index, &base, "/fa/mou/54").expect("the agreement page");
    assert_eq!(mou.kind.as_str(), "agreement");
    assert_eq!(
        (mou.number, mou.date_jalali.as_str()),
        (Some(54), "1404/09/25")
    );
    assert_eq!(mou.partners, ["پارک فناوری و نوآوری صنعت نفت"]);
    assert!(
        mou.domains.contains(&"energy/oil-gas".to_string()),
        "{:?}",
        mou.domains
    );
    assert_eq!(mou.source.as_deref(), Some("crawl"));
    assert!(
        mou.body.starts_with("گامی تازه برای همافزایی ملی"),
        "{}",
        &mou.body[..80]
    );
    let record = mou.crawl.clone().unwrap();
    assert_eq!(record.canonical_url, format!("{base}/fa/mou/54"));
    assert_eq!(record.site, base.trim_start_matches("http://"));
    assert_eq!(
        record.last_modified.as_deref(),
        Some("Tue, 16 Dec 2025 08:30:00 GMT")
    );
    assert_eq!(record.content_hash.len(), 64);
    assert!(record.fetched_at.ends_with('Z'));
    assert!(
        doc_at(&index, &base, "/fa/news/101")
            .unwrap()
            .crawl
            .unwrap()
            .etag
            .is_some()
    );
    // One document per article, whatever the URL it was reached by.
    let urls: Vec<String> = hits(&index, "").into_iter().filter_map(|d| d.url).collect();
    for copy in [
        "show.aspx",
        "print",
        "%D9%86%D8%B4%D8%B3%D8%AA",
        "news.aspx",
        "/fa/news/102/",
    ] {
        assert!(
            !urls.iter().any(|u| u.contains(copy)),
            "{copy} indexed: {urls:?}"
        );
    }
    assert!(
        urls.contains(&format!("{base}/fa/news/106")),
        "the redirect's target"
    );
    let file_doc = index.get("mou-054").unwrap().unwrap();
    assert_eq!(file_doc.crawl, None);
    assert!(index.settings().get::<Value>("crawl").unwrap().is_some());

    // Between the crawls, someone replaces the document of /fa/news/109 through the API.
    let replaced_id = doc_at(&index, &base, "/fa/news/109").unwrap().id;
    let replacement = Document::from_json(json!({
        "id": replaced_id, "kind": "news", "title": "ویرایش دستی خبر نمایشگاه",
        "body": "متن ویرایش‌شده", "date": "1404/09/26", "url": format!("{base}/fa/news/109"),
    }))
    .unwrap();
    index
        .upsert(&[kavosh::ingest::settle(replacement)])
        .unwrap();
    drop(index);

    // ---- the site changes; the second crawl ----
    site.set_phase(1);
    let second = crawl(&index_dir, &base, &[]);
    let requests = site.take_hits();
    assert_eq!(
        second.status.code(),
        Some(1),
        "a 503 and a broken link failed"
    );
    assert_counts(
        &second,
        &[
            ("fetched", 39),
            ("indexed", 1),
            ("updated", 1),
            // 304s (an ETag, Last-Modified) and pages whose article hashes the same although
            // the page changed (a new comment on /fa/news/101).
            ("unchanged", 19),
            ("deleted", 3),
            ("skipped", 16),
            ("failed", 2),
        ],
    );
    let stderr = text(&second.stderr);
    assert!(
        stderr.contains(&format!("{base}/fa/news/111: HTTP 503 Service Unavailable")),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    politeness(&requests);
    // Conditional requests: ETags and Last-Modified dates sent back, 304s honoured.
    let etag = hit(&requests, "/fa/news/103");
    assert!(etag.if_none_match.is_some());
    assert_eq!(etag.status, 304);
    let dated = hit(&requests, "/fa/mou/47");
    assert_eq!(
        dated.if_modified_since.as_deref(),
        Some("Tue, 16 Dec 2025 08:30:00 GMT")
    );
    assert_eq!(dated.status, 304);
    assert!(
        !targets(&requests).contains(&"/fa/news/107"),
        "107 is linked nowhere now"
    );

    let index = SearchIndex::open_or_create(&index_dir).unwrap();
    for (gone, why) in [
        ("/fa/news/104", "404"),
        ("/fa/mou/50", "410"),
        ("/fa/news/107", "unreached"),
    ] {
        assert!(doc_at(&index, &base, gone).is_none(), "{gone} ({why}) kept");
    }
    let kept = index
        .get(&replaced_id)
        .unwrap()
        .expect("the API's document is kept");
    assert_eq!(kept.title, "ویرایش دستی خبر نمایشگاه");
    assert!(
        doc_at(&index, &base, "/fa/news/111").is_some(),
        "a 503 keeps the document"
    );
    assert!(
        doc_at(&index, &base, "/fa/news/115").is_some(),
        "the new page"
    );
    let edited = doc_at(&index, &base, "/fa/news/102").unwrap();
    assert!(edited.body.contains("برنامه زمانی دوره‌های آموزشی بعدی"));
    assert!(index.get("mou-054").unwrap().is_some());
    assert_eq!(index.num_docs(), 26 - 3 + 1);
    let before = index.num_docs();
    drop(index);

    // ---- a crawl cut short deletes nothing it did not reach ----
    let short = crawl(&index_dir, &base, &["--max-pages", "3"]);
    site.take_hits();
    assert_counts(&short, &[("fetched", 3), ("deleted", 0)]);
    let index = SearchIndex::open_or_create(&index_dir).unwrap();
    assert_eq!(index.num_docs(), before);
}

#[test]
fn bad_arguments_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let index = index.to_str().unwrap();
    for (args, needle) in [
        (vec!["ftp://mstp.ir/"], "not an http or https URL"),
        (vec!["not a url"], "bad URL"),
        (
            vec!["--deny", "(", "http://127.0.0.1:9/"],
            "bad --deny pattern",
        ),
        (
            vec!["--selector", "div[", "http://127.0.0.1:9/"],
            "bad CSS selector",
        ),
        (
            vec![
                "--allow",
                "http://127.0.0.1:9/fa/",
                "http://127.0.0.1:9/en/",
            ],
            "no start URL",
        ),
    ] {
        let mut all = vec!["crawl", "--index", index];
        all.extend(args);
        let o = kavosh(&all);
        assert_eq!(o.status.code(), Some(2), "{all:?}");
        assert!(
            text(&o.stderr).contains(needle),
            "{all:?}: {}",
            text(&o.stderr)
        );
    }
}

/// A free port on 127.0.0.1 for a server the test starts.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn get_json(url: &str) -> (u16, Value) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_crawls_in_the_background_and_reports_it() {
    let site = Site::start();
    let dir = tempfile::tempdir().unwrap();
    let listen = format!("127.0.0.1:{}", free_port());
    let mut server = Command::new(env!("CARGO_BIN_EXE_kavosh"))
        .args([
            "serve",
            "--index",
            dir.path().join("index").to_str().unwrap(),
        ])
        .args(["--listen", &listen])
        .env("KAVOSH_CRAWL", format!("{}/", site.base))
        .env("KAVOSH_CRAWL_EVERY", "1h")
        .env("KAVOSH_CRAWL_DELAY_MS", "5")
        .env("RUST_LOG", "warn")
        .spawn()
        .unwrap();
    let api = format!("http://{listen}");
    let mut status = Value::Null;
    let mut searched_while_crawling = false;
    for _ in 0..300 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if let Ok(r) = reqwest::get(format!("{api}/crawl")).await {
            status = r.json().await.unwrap();
            let current = &status["current"];
            if !current.is_null() {
                assert!(current["finished_at"].is_null());
                assert!(current["done"].as_u64() <= current["total"].as_u64());
                let (code, _) = get_json(&format!("{api}/search?q=%D9%BE%D8%A7%D8%B1%DA%A9")).await;
                assert_eq!(code, 200, "searches go on during a crawl");
                searched_while_crawling = true;
            }
            if !status["last"].is_null() {
                break;
            }
        }
    }
    assert!(searched_while_crawling, "the crawl was never seen running");
    let last = &status["last"];
    assert!(!last.is_null(), "no crawl ended: {status}");
    assert!(status["current"].is_null());
    assert_eq!(status["every_seconds"], 3600);
    assert_eq!(status["urls"], json!([format!("{}/", site.base)]));
    assert!(status["next_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(last["report"]["indexed"], 25);
    assert_eq!(last["report"]["failed"], 1);
    assert_eq!(last["report"]["complete"], true);
    assert!(
        last["report"]["errors"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/fa/news/199")
    );
    assert!(last["finished_at"].as_str().unwrap() >= last["started_at"].as_str().unwrap());
    assert_eq!(last["done"], last["total"]);

    // The corpus was not ingested: the index is the site's.
    let (_, health) = get_json(&format!("{api}/health")).await;
    assert_eq!(health["documents"], 25);
    let (code, found) = get_json(&format!("{api}/search?q=%D8%B4%DB%8C%D9%84%D8%A7%D8%AA")).await;
    assert_eq!(code, 200);
    let hit = &found["hits"][0];
    assert_eq!(hit["url"], format!("{}/fa/news/114", site.base));
    let (_, openapi) = get_json(&format!("{api}/openapi.json")).await;
    assert!(openapi["paths"]["/crawl"]["get"].is_object());
    server.kill().unwrap();
    server.wait().unwrap();
}

#[tokio::test]
async fn a_server_that_crawls_nothing_says_so() {
    let index = std::sync::Arc::new(SearchIndex::in_memory().unwrap());
    let app = kavosh::server::router(kavosh::server::AppState::new(index, None));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let (code, body) = get_json(&format!("http://{address}/crawl")).await;
    assert_eq!(code, 404);
    assert_eq!(body["error"]["code"], "not_found");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--crawl")
    );
}
