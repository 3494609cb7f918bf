//! Search insights over HTTP: what `GET /search` counts (folded queries, searches without
//! results, only first pages, not `analytics=false`), clicks, the minimum count, retention,
//! the key, `off`, and counts that survive a restart. Each test runs its own server over a
//! small index of its own, so the shared servers' searches do not count here.

use std::sync::Arc;

use kavosh::calendar::Day;
use kavosh::document::Document;
use kavosh::index::SearchIndex;
use kavosh::insights::{DailyCounts, Insights, InsightsConfig, SETTING, SearchOutcome, today};
use kavosh::server::AppState;
use kavosh::server::listener::ConnectionLimits;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{KEY, assert_error, send, start};

const DOCS: &[(&str, &str, &str)] = &[
    (
        "t-ins-1",
        "توسعهٔ فناوری اطلاعات در پارک",
        "تفاهم‌نامهٔ همکاری در فناوری اطلاعات و ارتباطات",
    ),
    (
        "t-ins-2",
        "شیلات مازندران و پرورش ماهی",
        "همکاری پژوهشی در شیلات و آبزی‌پروری",
    ),
    (
        "t-ins-3",
        "کشاورزی هوشمند",
        "حسگرها برای کشاورزی و فناوری آبیاری",
    ),
];

fn index_with_docs(index: SearchIndex) -> Arc<SearchIndex> {
    let docs: Vec<Document> = DOCS
        .iter()
        .map(|(id, title, body)| {
            let doc = Document::from_json(json!({
                "id": id, "kind": "agreement", "title": title, "body": body, "date": "1404/05/10"
            }))
            .expect("a valid document");
            kavosh::ingest::settle(doc)
        })
        .collect();
    index.upsert(&docs).expect("indexed");
    Arc::new(index)
}

/// A server with the key over a small index in memory, with these insights.
async fn server(config: InsightsConfig) -> String {
    let index = index_with_docs(SearchIndex::in_memory().expect("an index"));
    let mut state = AppState::new(index, Some(KEY));
    state.insights = Arc::new(Insights::new(config));
    start(state, ConnectionLimits::default()).await
}

async fn search(base: &str, query: &[(&str, &str)]) -> Value {
    let (status, body) = send(
        reqwest::Client::new()
            .get(format!("{base}/search"))
            .query(query),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{query:?}: {body}");
    body
}

async fn click(base: &str, body: &str) -> (StatusCode, Value) {
    send(
        reqwest::Client::new()
            .post(format!("{base}/insights/click"))
            .header("content-type", "text/plain;charset=UTF-8")
            .body(body.to_string()),
    )
    .await
}

async fn report(base: &str, path: &str, query: &[(&str, &str)]) -> Value {
    let (status, body) = send(
        reqwest::Client::new()
            .get(format!("{base}{path}"))
            .query(query)
            .bearer_auth(KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{path} {query:?}: {body}");
    body
}

/// `(query, searches, no_results, clicks)` of each row of a `/insights/queries` reply.
fn rows(reply: &Value) -> Vec<(String, u64, u64, u64)> {
    reply["queries"]
        .as_array()
        .expect("queries")
        .iter()
        .map(|q| {
            (
                q["query"].as_str().unwrap().to_string(),
                q["searches"].as_u64().unwrap(),
                q["no_results"].as_u64().unwrap(),
                q["clicks"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn day(days_since_epoch: i64) -> String {
    Day::from_days_since_epoch(days_since_epoch).jalali_string()
}

#[tokio::test]
async fn searches_are_counted_by_folded_query_with_no_results_and_clicks() {
    let base = server(InsightsConfig::default()).await;
    // Arabic yeh and kaf, Persian yeh, extra spaces: one query.
    for q in ["فناوري", "فناوری", "  فناوری ", "ظظظظ", "ظظظظ", "شیلات"]
    {
        search(&base, &[("q", q)]).await;
    }
    // Not counted: a second page, analytics=false, an export, a search by filters only.
    search(&base, &[("q", "فناوری"), ("page", "2"), ("per_page", "1")]).await;
    search(&base, &[("q", "فناوری"), ("analytics", "false")]).await;
    search(&base, &[("kind", "agreement")]).await;
    let csv = reqwest::get(format!(
        "{base}/search?q=%D9%81%D9%86%D8%A7%D9%88%D8%B1%DB%8C&format=csv"
    ))
    .await
    .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    for body in [
        r#"{"query":"فناوري","id":"t-ins-1","position":1}"#,
        r#"{"query":"فناوری","id":"t-ins-3","position":2}"#,
    ] {
        let (status, _) = click(&base, body).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }

    let r = report(&base, "/insights/queries", &[]).await;
    assert_eq!(
        rows(&r),
        [
            ("فناوری".to_string(), 3, 0, 2),
            ("ظظظظ".to_string(), 2, 2, 0)
        ],
        "شیلات was searched once, under the minimum of 2: {r}"
    );
    assert_eq!(r["queries"][0]["average_click_position"], 1.5);
    assert_eq!(r["queries"][0]["rewritten"], 0);
    assert_eq!(
        r["no_result_queries"],
        json!([{"query": "ظظظظ", "searches": 2}])
    );
    assert_eq!(r["to"], day(today()));
    assert_eq!(r["from"], day(today() - 29), "30 days by default");

    let o = report(&base, "/insights", &[]).await;
    assert_eq!(
        (
            &o["searches"],
            &o["no_results"],
            &o["clicks"],
            &o["enabled"]
        ),
        (&json!(6), &json!(2), &json!(2), &json!(true))
    );
    let days = o["days"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    assert_eq!(days[29]["day"], day(today()));
    assert_eq!(days[29]["searches"], 6);
    assert_eq!(days[28]["searches"], 0);
    assert_eq!(
        (&o["min_count"], &o["retention_days"]),
        (&json!(2), &json!(90))
    );
}

#[tokio::test]
async fn the_minimum_count_is_configurable_and_ranges_and_top_are_checked() {
    let base = server(InsightsConfig {
        min_count: 1,
        ..InsightsConfig::default()
    })
    .await;
    for q in ["کشاورزی", "کشاورزی", "شیلات"] {
        search(&base, &[("q", q)]).await;
    }
    let r = report(&base, "/insights/queries", &[]).await;
    assert_eq!(
        rows(&r),
        [
            ("کشاورزی".to_string(), 2, 0, 0),
            ("شیلات".to_string(), 1, 0, 0)
        ]
    );
    let top1 = report(&base, "/insights/queries", &[("top", "۱")]).await;
    assert_eq!(rows(&top1).len(), 1);
    // Jalali or ISO days, any digits; a range that ends before today has no searches.
    let iso_today = Day::from_days_since_epoch(today()).iso_string();
    let r = report(
        &base,
        "/insights/queries",
        &[("from", &iso_today), ("to", &iso_today)],
    )
    .await;
    assert_eq!(rows(&r).len(), 2);
    let r = report(&base, "/insights", &[("to", &day(today() - 1))]).await;
    assert_eq!(r["searches"], 0);

    let get = |query: &'static [(&'static str, &'static str)]| {
        send(
            reqwest::Client::new()
                .get(format!("{base}/insights/queries"))
                .query(query)
                .bearer_auth(KEY),
        )
    };
    assert_error(
        &get(&[("from", "1404/09/10"), ("to", "1404/09/01")]).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "after",
    );
    assert_error(
        &get(&[("from", "1390/01/01"), ("to", "1404/09/01")]).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "3660 days",
    );
    assert_error(
        &get(&[("top", "0")]).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "top",
    );
    assert_error(
        &get(&[("top", "1001")]).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "top",
    );
    assert_error(
        &get(&[("from", "دیروز")]).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "from:",
    );
    assert_error(
        &get(&[("limit", "5")]).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "unknown parameter",
    );
}

#[tokio::test]
async fn csv_replies_open_in_excel() {
    let base = server(InsightsConfig::default()).await;
    for q in ["فناوری, پارک", "فناوری, پارک", "ظظظظ", "ظظظظ"] {
        search(&base, &[("q", q)]).await;
    }
    let csv = |path: &str| {
        reqwest::Client::new()
            .get(format!("{base}{path}"))
            .query(&[("format", "csv")])
            .bearer_auth(KEY)
            .send()
    };
    let r = csv("/insights/queries").await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let text = r.text().await.unwrap();
    assert!(text.starts_with('\u{FEFF}'), "a byte order mark for Excel");
    let lines: Vec<&str> = text.trim_start_matches('\u{FEFF}').lines().collect();
    assert_eq!(
        lines,
        [
            "query,searches,no_results,rewritten,clicks,average_click_position",
            "ظظظظ,2,2,0,0,",
            "\"فناوری, پارک\",2,0,0,0,",
        ]
    );
    let days = csv("/insights").await.unwrap().text().await.unwrap();
    let last = days.lines().last().unwrap();
    assert_eq!(last, format!("{},4,2,0,0", day(today())));
    assert!(days.starts_with("\u{FEFF}day,searches,no_results,rewritten,clicks\r\n"));
}

#[tokio::test]
async fn clicks_need_no_key_but_a_small_valid_body() {
    let base = server(InsightsConfig::default()).await;
    for (body, status, needle) in [
        ("{", StatusCode::BAD_REQUEST, "bad click report"),
        (
            r#"{"query":"فناوری","id":"t-ins-1"}"#,
            StatusCode::BAD_REQUEST,
            "position",
        ),
        (
            r#"{"query":"فناوری","id":"t-ins-1","position":1,"user":"u-17"}"#,
            StatusCode::BAD_REQUEST,
            "unknown field",
        ),
        (
            r#"{"query":"فناوری","id":"t-ins-1","position":0}"#,
            StatusCode::BAD_REQUEST,
            "between 1 and 10000",
        ),
        (
            r#"{"query":"","id":"t-ins-1","position":1}"#,
            StatusCode::BAD_REQUEST,
            "query",
        ),
    ] {
        let got = click(&base, body).await;
        assert_error(&got, status, "bad_request", needle);
    }
    let big = format!(
        r#"{{"query":"{}","id":"t-ins-1","position":1}}"#,
        "ف".repeat(600)
    );
    assert_error(
        &click(&base, &big).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "at most 1024 bytes",
    );
    let o = report(&base, "/insights", &[]).await;
    assert_eq!(o["clicks"], 0, "refused reports count nothing");
}

#[tokio::test]
async fn reports_need_the_key() {
    let base = server(InsightsConfig::default()).await;
    for path in ["/insights", "/insights/queries"] {
        let anonymous = send(reqwest::Client::new().get(format!("{base}{path}"))).await;
        assert_error(
            &anonymous,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "search insights need the header Authorization",
        );
        let wrong = send(
            reqwest::Client::new()
                .get(format!("{base}{path}"))
                .bearer_auth("not-the-key"),
        )
        .await;
        assert_error(
            &wrong,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "wrong API key",
        );
        let keyless =
            send(reqwest::Client::new().get(format!("{}{path}", super::fixture().keyless))).await;
        assert_error(
            &keyless,
            StatusCode::FORBIDDEN,
            "forbidden",
            "search insights are disabled",
        );
    }
}

#[tokio::test]
async fn off_counts_nothing() {
    let base = server(InsightsConfig {
        enabled: false,
        ..InsightsConfig::default()
    })
    .await;
    for q in ["فناوری", "فناوری", "ظظظظ"] {
        search(&base, &[("q", q)]).await;
    }
    let (status, _) = click(&base, r#"{"query":"فناوری","id":"t-ins-1","position":1}"#).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let o = report(&base, "/insights", &[]).await;
    assert_eq!(o["enabled"], false);
    assert_eq!((&o["searches"], &o["clicks"]), (&json!(0), &json!(0)));
    assert_eq!(rows(&report(&base, "/insights/queries", &[]).await), []);
}

#[tokio::test]
async fn counts_survive_a_restart_without_the_days_past_retention() {
    let dir = tempfile::tempdir().unwrap();
    let index = index_with_docs(SearchIndex::open_or_create(dir.path()).unwrap());
    // Counts kept before: 200 days ago (past retention) and 5 days ago.
    let mut before = DailyCounts::default();
    for back in [200, 5, 5] {
        before.add_search(today() - back, "شیلات", SearchOutcome::default());
    }
    index.settings().put(SETTING, &before.to_stored()).unwrap();

    let config = InsightsConfig {
        retention_days: 30,
        ..InsightsConfig::default()
    };
    let mut state = AppState::new(index.clone(), Some(KEY));
    state.insights = Arc::new(Insights::load(config, index.settings()).unwrap());
    let base = start(state.clone(), ConnectionLimits::default()).await;
    for q in ["شیلات", "کشاورزی", "کشاورزی"] {
        search(&base, &[("q", q)]).await;
    }
    let (status, _) = click(&base, r#"{"query":"شیلات","id":"t-ins-2","position":1}"#).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let all_of_it = [("from", day(today() - 300)), ("to", day(today()))];
    let all_of_it: Vec<(&str, &str)> = all_of_it.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let first = report(&base, "/insights/queries", &all_of_it).await;
    assert_eq!(
        rows(&first),
        [
            ("شیلات".to_string(), 3, 0, 1),
            ("کشاورزی".to_string(), 2, 0, 0)
        ]
    );
    state.insights.save(index.settings()).unwrap();

    // A new server over the same index: what the first saved.
    let mut again = AppState::new(index.clone(), Some(KEY));
    again.insights = Arc::new(Insights::load(config, index.settings()).unwrap());
    let base = start(again, ConnectionLimits::default()).await;
    assert_eq!(report(&base, "/insights/queries", &all_of_it).await, first);
    let o = report(&base, "/insights", &all_of_it).await;
    assert_eq!(o["searches"], 5, "the day 200 days ago is gone: {o}");
}
