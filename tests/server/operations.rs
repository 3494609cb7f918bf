//! Operations and the page: health, taxonomy, analyze, OpenAPI, metrics, the page's files,
//! gzip and CORS.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH};

use super::{ORIGIN, fixture, get, search};

#[tokio::test]
async fn health_counts_the_documents() {
    let (status, r) = get("/health", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(r["status"], "ok");
    assert!(r["documents"].as_u64().unwrap() >= fixture().corpus_docs);
}

#[tokio::test]
async fn taxonomy_lists_domains_with_labels_and_parents() {
    let (_, r) = get("/taxonomy", &[]).await;
    let domains = r["domains"].as_array().unwrap();
    assert_eq!(
        domains.len(),
        kavosh::document::Taxonomy::get().domains.len()
    );
    let oil = domains
        .iter()
        .find(|d| d["id"] == "energy/oil-gas")
        .unwrap();
    assert_eq!(oil["label"], "نفت، گاز و پتروشیمی");
    assert_eq!(oil["parent"], "energy");
    assert!(domains.iter().find(|d| d["id"] == "energy").unwrap()["parent"].is_null());
}

#[tokio::test]
async fn analyze_shows_the_terms_of_a_document_or_a_query() {
    let (_, r) = get("/analyze", &[("text", "كتابهایشان")]).await;
    assert_eq!(r["query"], false);
    let terms = r["terms"].as_array().unwrap();
    let body: Vec<&str> = terms
        .iter()
        .filter(|t| t["field"] == "body")
        .map(|t| t["term"].as_str().unwrap())
        .collect();
    assert_eq!(body, ["کتاب"]);
    assert!(
        terms
            .iter()
            .all(|t| t["from"] == 0 && t["to"] == "كتابهایشان".len())
    );
    let (_, q) = get("/analyze", &[("text", "هم افزایی"), ("query", "true")]).await;
    assert_eq!(q["query"], true);
    assert!(
        q["terms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["field"] == "body_exact" && t["term"] == "همافزایی"),
        "{q}"
    );
}

#[tokio::test]
async fn openapi_describes_every_route() {
    let (status, doc) = get("/openapi.json", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/search", "get"),
        ("/suggest", "get"),
        ("/stats", "get"),
        ("/aggregate", "post"),
        ("/documents", "post"),
        ("/documents/{id}", "get"),
        ("/documents/{id}", "put"),
        ("/documents/{id}", "delete"),
        ("/health", "get"),
        ("/metrics", "get"),
        ("/openapi.json", "get"),
        ("/analyze", "get"),
        ("/taxonomy", "get"),
        ("/synonyms", "get"),
        ("/synonyms", "put"),
        ("/dumps", "post"),
        ("/dumps", "get"),
        ("/snapshots", "post"),
        ("/snapshots", "get"),
        ("/", "get"),
        ("/app.js", "get"),
        ("/style.css", "get"),
        ("/widget.js", "get"),
        ("/fonts/Vazirmatn-Regular.woff2", "get"),
        ("/insights", "get"),
        ("/insights/queries", "get"),
        ("/insights/click", "post"),
        ("/analytics", "get"),
        ("/analytics.js", "get"),
        ("/vendor/chart.umd.min.js", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path}"
        );
    }
    assert!(doc["components"]["schemas"]["SearchResponse"].is_object());
    assert!(doc["components"]["schemas"]["BackupList"].is_object());
    assert!(doc["components"]["securitySchemes"]["api_key"].is_object());
    let search_params: Vec<&str> = paths["/search"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        search_params.join(","),
        "q,kind,partner,domain,year,from,to,sort,page,per_page,typos,match,format,analytics,rewrite"
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    search(&[("q", "نفت")]).await;
    let _ = get("/search", &[("sort", "sideways")]).await;
    let text = reqwest::get(format!("{}/metrics", fixture().base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(r#"kavosh_http_requests_total{method="GET",route="/search",status="200"}"#),
        "{text:.2000}"
    );
    assert!(
        text.contains(r#"kavosh_http_requests_total{method="GET",route="/search",status="400"}"#)
    );
    // 3 and 20 ms: the search targets' p50 and p99, which scripts/load_test.sh reads.
    for le in ["0.003", "0.01", "0.02"] {
        let bucket = format!(
            r#"kavosh_http_request_duration_seconds_bucket{{method="GET",route="/search",status="200",le="{le}"}}"#
        );
        assert!(text.contains(&bucket), "{bucket}");
    }
    let gauge = |name: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert!(gauge("kavosh_documents ") >= fixture().corpus_docs as f64);
    assert!(gauge("kavosh_index_size_bytes ") > 100_000.0);
}

#[tokio::test]
async fn the_page_and_its_files_are_served_with_their_types() {
    let client = reqwest::Client::builder().no_gzip().build().unwrap();
    let base = &fixture().base;
    for (path, content_type, needle) in [
        ("/", "text/html", "<html"),
        ("/app.js", "text/javascript", "/suggest"),
        ("/style.css", "text/css", "Vazirmatn"),
        ("/widget.js", "text/javascript", "KavoshWidget"),
        ("/analytics", "text/html", "id=\"dashboard\""),
        ("/analytics.js", "text/javascript", "/stats?"),
        ("/vendor/chart.umd.min.js", "text/javascript", "Chart.js v4"),
        ("/vendor/chart.js-LICENSE.md", "text/plain", "MIT License"),
    ] {
        let r = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert!(
            r.headers()[CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with(content_type),
            "{path}"
        );
        assert!(r.text().await.unwrap().contains(needle), "{path}");
    }
    let font = client
        .get(format!("{base}/fonts/Vazirmatn-Regular.woff2"))
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(font.headers()[CONTENT_TYPE], "font/woff2");
    assert!(
        font.headers().get(CONTENT_ENCODING).is_none(),
        "woff2 is not gzipped again"
    );
    let etag = font.headers()[ETAG].clone();
    assert!(font.bytes().await.unwrap().starts_with(b"wOF2"));
    let again = client
        .get(format!("{base}/fonts/Vazirmatn-Regular.woff2"))
        .header(IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        client
            .get(format!("{base}/fonts/none.woff2"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn replies_are_gzipped_when_asked() {
    let client = reqwest::Client::builder().no_gzip().build().unwrap();
    let r = client
        .get(format!("{}/search?q=%D9%86%D9%81%D8%AA", fixture().base))
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()[CONTENT_ENCODING], "gzip");
    // reqwest's own client decompresses.
    assert!(search(&[("q", "نفت")]).await["total"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn cors_answers_only_the_configured_origins() {
    let client = reqwest::Client::new();
    let preflight = |origin: &'static str| {
        client
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/search", fixture().keyless),
            )
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .send()
    };
    let allowed = preflight(ORIGIN).await.unwrap();
    assert_eq!(allowed.headers()["access-control-allow-origin"], ORIGIN);
    let other = preflight("https://elsewhere.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
    // The keyed server has no origins configured.
    let none = client
        .get(format!("{}/health", fixture().base))
        .header("Origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert!(none.headers().get("access-control-allow-origin").is_none());
}
