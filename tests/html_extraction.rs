//! The HTML reader on the fixture site (`tests/data/site/`, three templates, one of them in
//! windows-1256): every article page is read as served and compared with the corpus page it was
//! built from. Prints the precision of title, date and body extraction (body: words extracted
//! that are the article's, and the article's words extracted) and asserts a floor for each; the
//! pages that are not articles must be recognised as such.
//!
//! `cargo test --release --test html_extraction -- --nocapture` prints the figures.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use kavosh::analysis::{fold, name_key};
use kavosh::ingest::html::{HtmlOptions, PageClass, read_html};
use kavosh::ingest::page::parse_page;
use url::Url;

const BASE: &str = "http://127.0.0.1:8080";

fn site() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/site")
}

/// url → (file, Content-Type header) of the first crawl's table.
fn routes() -> HashMap<String, (String, Option<String>)> {
    let table = std::fs::read_to_string(site().join("site.tsv")).unwrap();
    table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let content_type = cols
                .get(3)
                .and_then(|h| h.strip_prefix("Content-Type: "))
                .map(str::to_string);
            (cols[0].to_string(), (cols[2].to_string(), content_type))
        })
        .collect()
}

fn read(
    url_path: &str,
    file: &str,
    content_type: Option<&str>,
) -> kavosh::ingest::html::PageReading {
    let bytes = std::fs::read(site().join(file)).unwrap();
    let url = Url::parse(&format!("{BASE}{url_path}")).unwrap();
    read_html(&bytes, content_type, &url, &HtmlOptions::default())
}

fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Words of `got` found in `gold` (each gold word matched once).
fn matched(got: &[String], gold: &[String]) -> usize {
    let mut pool: HashMap<&str, usize> = HashMap::new();
    for w in gold {
        *pool.entry(w).or_default() += 1;
    }
    got.iter()
        .filter(|w| {
            pool.get_mut(w.as_str())
                .filter(|n| **n > 0)
                .map(|n| *n -= 1)
                .is_some()
        })
        .count()
}

#[test]
fn titles_dates_and_bodies_of_the_fixture_site() {
    let routes = routes();
    let pages = std::fs::read_to_string(site().join("pages.tsv")).unwrap();
    let (mut titles, mut dates, mut kinds, mut n) = (0, 0, 0, 0);
    let (mut body_matched, mut body_got, mut body_gold) = (0, 0, 0);
    for line in pages.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (url, corpus, template) = (cols[0], cols[1], cols[2]);
        let gold_text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("corpus")
                .join(corpus),
        )
        .unwrap();
        let gold = parse_page("gold", corpus, &gold_text).unwrap();
        let (file, content_type) = match routes.get(url) {
            Some(r) => r.clone(),
            None => (
                format!("fa/news/{}.html", url.rsplit('/').next().unwrap()),
                None,
            ),
        };
        n += 1;
        let reading = read(url, &file, content_type.as_deref());
        let article = match reading.article {
            Ok(a) => a,
            Err(e) => {
                println!("{url} ({template}): NOT READ: {e}");
                body_gold += words(&gold.body).len();
                continue;
            }
        };
        let title_ok = name_key(&article.title) == name_key(&gold.title);
        let date_ok = article.date == gold.date;
        let kind_ok = article.kind == gold.kind && article.number == gold.number;
        let (got, expected) = (words(&article.body), words(&gold.body));
        let m = matched(&got, &expected);
        titles += title_ok as usize;
        dates += date_ok as usize;
        kinds += kind_ok as usize;
        body_matched += m;
        body_got += got.len();
        body_gold += expected.len();
        println!(
            "{url} ({template}): title {} date {} kind {} body precision {:.3} recall {:.3}",
            if title_ok { "ok" } else { "WRONG" },
            if date_ok { "ok" } else { "WRONG" },
            if kind_ok { "ok" } else { "WRONG" },
            m as f64 / got.len().max(1) as f64,
            m as f64 / expected.len().max(1) as f64,
        );
        if !title_ok {
            println!(
                "    title: {:?}\n    gold:  {:?}",
                article.title, gold.title
            );
        }
        if !date_ok {
            println!("    date: {:?} gold {:?}", article.date, gold.date);
        }
        if m < got.len() {
            let stray: Vec<&String> = got
                .iter()
                .filter(|w| !expected.contains(w))
                .take(20)
                .collect();
            println!("    words not in the article: {stray:?}");
        }
    }
    let title_precision = titles as f64 / n as f64;
    let date_precision = dates as f64 / n as f64;
    let body_precision = body_matched as f64 / body_got.max(1) as f64;
    let body_recall = body_matched as f64 / body_gold.max(1) as f64;
    println!(
        "extraction on {n} article pages: title {title_precision:.3}, date {date_precision:.3}, \
         kind and number {:.3}, body precision {body_precision:.3}, body recall {body_recall:.3}",
        kinds as f64 / n as f64
    );
    assert!(n >= 25, "{n} article pages");
    assert!(title_precision >= 0.95, "title {title_precision}");
    assert!(date_precision >= 0.95, "date {date_precision}");
    assert!(kinds == n, "kind and number {kinds}/{n}");
    assert!(body_precision >= 0.97, "body precision {body_precision}");
    assert!(body_recall >= 0.97, "body recall {body_recall}");
}

#[test]
fn pages_that_are_not_articles_say_what_they_are() {
    let routes = routes();
    for (url, class) in [
        ("/", PageClass::Listing),
        ("/fa/news", PageClass::Listing),
        ("/fa/news?page=2", PageClass::Pagination),
        ("/fa/mou", PageClass::Listing),
        ("/fa/archive", PageClass::Listing),
        ("/fa/tag/انرژی", PageClass::Listing),
        ("/fa/search?q=فناوری", PageClass::Search),
        ("/fa/news/105?print=1", PageClass::Print),
        ("/fa/about", PageClass::NoArticle),
    ] {
        let (file, content_type) = &routes[url];
        let reading = read(url, file, content_type.as_deref());
        match reading.article {
            Ok(a) => panic!("{url} read as an article: {}", a.title),
            Err(e) => assert_eq!(e.class, class, "{url}: {e}"),
        }
    }
}

#[test]
fn links_and_canonical_urls() {
    let routes = routes();
    let (file, _) = &routes["/"];
    let home = read("/", file, None);
    let links: Vec<String> = home.links.iter().map(|u| u.to_string()).collect();
    for expected in [
        format!("{BASE}/fa/news/101?utm_source=telegram&utm_campaign=azar#comments"),
        format!("{BASE}/fa/news/102/"),
        format!("{BASE}/fa/tag/%D8%A7%D9%86%D8%B1%DA%98%DB%8C"),
        "https://parnian.example.ir/".to_string(),
    ] {
        assert!(links.contains(&expected), "{expected} not in {links:#?}");
    }
    assert!(
        !links
            .iter()
            .any(|l| l.starts_with("mailto:") || l.starts_with("javascript:"))
    );
    let (file, _) = &routes["/fa/news/103/نشست-مقدماتی"];
    let slug = read("/fa/news/103/نشست-مقدماتی", file, None);
    assert_eq!(
        slug.canonical.unwrap().as_str(),
        format!("{BASE}/fa/news/103")
    );
}

#[test]
fn kavosh_ingest_reads_saved_pages() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let article = site().join("fa/mou/54.html");
    let listing = site().join("fa/news.html");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_kavosh"))
        .arg("ingest")
        .arg("--index")
        .args([&index, &article, &listing])
        .env_remove("KAVOSH_INDEX")
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stdout.contains("read 2, indexed 1, rejected 1"), "{stdout}");
    assert!(
        stderr.contains("news.html:1: not an article: a listing"),
        "{stderr}"
    );
    let index = kavosh::index::SearchIndex::open_or_create(&index).unwrap();
    let doc = index
        .get("54")
        .unwrap()
        .expect("the page's id is its file name");
    assert_eq!(doc.number, Some(54));
    assert_eq!(doc.date_jalali, "1404/09/25");
    assert_eq!(doc.partners, ["پارک فناوری و نوآوری صنعت نفت"]);
}
