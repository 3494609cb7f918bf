//! `GET /stats`, `POST /aggregate` and CSV export over HTTP. (Exact counts against the corpus
//! files are in `tests/stats.rs`; here: the routes agree with `/search`, and their formats.)

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{assert_error, fixture, get, search, send};

async fn text(
    path: &str,
    query: &[(&str, &str)],
) -> (StatusCode, String, reqwest::header::HeaderMap) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", fixture().base))
        .query(query)
        .send()
        .await
        .expect("an answer");
    let (status, headers) = (response.status(), response.headers().clone());
    (status, response.text().await.expect("a body"), headers)
}

#[tokio::test]
async fn stats_agree_with_search_facets() {
    let (status, stats) = get("/stats", &[("by", "partner"), ("kind", "agreement")]).await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    let facets = search(&[("kind", "agreement"), ("per_page", "1")]).await;
    assert_eq!(stats["total"], facets["total"]);
    let from_stats: Vec<(String, u64)> = stats["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["key"].as_str().unwrap().to_string(),
                b["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(from_stats, super::facet(&facets, "partner"));
}

#[tokio::test]
async fn stats_by_year_and_month_in_the_jalali_calendar() {
    let (status, r) = get(
        "/stats",
        &[("by", "year"), ("by", "month"), ("q", "کشاورزی")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["by"], json!(["year", "month"]));
    for year in r["buckets"].as_array().unwrap() {
        let y = year["key"].as_str().unwrap();
        let months = year["buckets"].as_array().unwrap();
        let sum: u64 = months.iter().map(|m| m["count"].as_u64().unwrap()).sum();
        assert_eq!(sum, year["count"].as_u64().unwrap());
        for m in months {
            assert!(
                m["key"].as_str().unwrap().starts_with(&format!("{y}/")),
                "{m}"
            );
            let label = m["label"].as_str().unwrap();
            assert!(
                label.ends_with(y) && label.chars().next().unwrap() > '\u{600}',
                "{label}"
            );
        }
    }
    assert_error(
        &get("/stats", &[]).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "by",
    );
    assert_error(
        &get(
            "/stats",
            &[("by", "year"), ("by", "kind"), ("by", "domain")],
        )
        .await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "1 to 2",
    );
}

#[tokio::test]
async fn stats_as_csv() {
    let (status, body, headers) = text("/stats", &[("by", "domain"), ("format", "csv")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let body = body.strip_prefix('\u{FEFF}').expect("a byte order mark");
    let mut lines = body.split("\r\n");
    assert_eq!(lines.next(), Some("domain,domain_label,count"));
    assert!(
        body.contains("energy/oil-gas,\"نفت، گاز و پتروشیمی\"")
            || body.contains("energy/oil-gas,نفت، گاز و پتروشیمی")
    );
}

#[tokio::test]
async fn search_exports_every_hit_as_csv() {
    let json_reply = search(&[("q", "فناوری"), ("per_page", "5")]).await;
    let total = json_reply["total"].as_u64().unwrap() as usize;
    let (status, body, headers) = text(
        "/search",
        &[("q", "فناوری"), ("format", "csv"), ("per_page", "5")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-kavosh-export-capped"], "false");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let body = body.strip_prefix('\u{FEFF}').expect("a byte order mark");
    assert!(
        body.starts_with("id,kind,date,date_jalali,number,title,partners,domains,url,source\r\n")
    );
    assert!(body.ends_with("\r\n"));
    // Every hit, not one page: titles have no newlines, so records are lines.
    assert_eq!(
        body.split("\r\n").filter(|l| !l.is_empty()).count(),
        total + 1
    );
    let first = ids_of_csv(body);
    assert_eq!(first[..5], super::ids(&json_reply)[..]);
    // A bad query is still a JSON error.
    let (status, _, _) = text("/search", &[("format", "csv"), ("per_page", "0")]).await;
    assert_eq!(status, StatusCode::OK, "per_page is ignored by an export");
    assert_error(
        &get("/search", &[("format", "csv"), ("domain", "space")]).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "unknown domain",
    );
}

fn ids_of_csv(body: &str) -> Vec<String> {
    body.split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn aggregate_runs_elasticsearch_style_requests() {
    let client = reqwest::Client::new();
    let url = format!("{}/aggregate", fixture().base);
    let request = json!({
        "q": "نفت",
        "filters": {"kind": ["agreement"]},
        "aggs": {"by_month": {"terms": {"field": "month", "size": 100}},
                 "numbers": {"stats": {"field": "number"}}}
    });
    let (status, r) = send(client.post(&url).json(&request)).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let agreements = search(&[("q", "نفت"), ("kind", "agreement"), ("per_page", "1")]).await;
    let sum: u64 = r["by_month"]["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["doc_count"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, agreements["total"].as_u64().unwrap());
    assert_eq!(r["numbers"]["count"], agreements["total"]);

    for (body, needle) in [
        (
            json!({"aggs": {"x": {"terms": {"field": "body"}}}}),
            "cannot be aggregated",
        ),
        (
            json!({"aggs": {"x": {"histogram": {"field": "date", "interval": 1.0}}}}),
            "limit",
        ),
        (json!({"aggs": {}, "extra": 1}), "unknown field"),
        (json!({"q": "x"}), "aggs"),
    ] {
        let got = send(client.post(&url).json(&body)).await;
        assert_error(&got, StatusCode::BAD_REQUEST, "bad_request", needle);
    }
    let bad_json = send(client.post(&url).body("{not json")).await;
    assert_error(
        &bad_json,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "bad aggregation request",
    );
    let _: Value = r;
}
