//! Issue 12 over HTTP: the `rewritten` notice and `rewrite=false` on `/search` and `/suggest`,
//! and the synonyms an index expands with (`GET`/`PUT /synonyms`).

use std::path::Path;

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{KEY, assert_error, fixture, get, search, send};

#[tokio::test]
async fn a_wrong_layout_query_is_searched_as_meant_and_said_so() {
    let r = search(&[("q", "tkh,vd")]).await;
    assert_eq!(
        r["rewritten"],
        json!({
            "from": "tkh,vd",
            "to": "فناوری",
            "reason": "keyboard_layout",
            "words": [{"from": "tkh,vd", "to": "فناوری", "reason": "keyboard_layout"}],
        })
    );
    assert!(r["total"].as_u64().unwrap() > 100, "{}", r["total"]);
    assert!(
        r["hits"][0]["highlights"]["title"]
            .as_str()
            .unwrap()
            .contains("<mark>"),
        "{}",
        r["hits"][0]
    );
    let as_typed = search(&[("q", "tkh,vd"), ("rewrite", "false")]).await;
    assert_eq!(as_typed["rewritten"], Value::Null);
    assert_eq!(as_typed["total"], 0);
    let plain = search(&[("q", "فناوری")]).await;
    assert_eq!(plain["rewritten"], Value::Null, "searched as typed: null");
}

#[tokio::test]
async fn finglish_words_are_rewritten_one_by_one() {
    let r = search(&[("q", "park elm o fanavari")]).await;
    let rewritten = &r["rewritten"];
    assert_eq!(rewritten["to"], "پارک علم و فناوری", "{rewritten}");
    assert_eq!(rewritten["reason"], "finglish");
    assert_eq!(rewritten["words"].as_array().unwrap().len(), 4);
    assert!(r["total"].as_u64().unwrap() > 100);
}

#[tokio::test]
async fn suggest_completes_a_finglish_or_wrong_layout_prefix() {
    for (q, reason) in [("fanav", "finglish"), ("tkh,", "keyboard_layout")] {
        let (status, r) = get("/suggest", &[("q", q)]).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(r["rewritten"]["reason"], reason, "{q}: {r}");
        let texts: Vec<&str> = r["completions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["text"].as_str().unwrap())
            .collect();
        assert!(texts.contains(&"فناوری"), "{q}: {texts:?}");
        assert!(!r["hits"].as_array().unwrap().is_empty(), "{q}: {r}");
        let (_, as_typed) = get("/suggest", &[("q", q), ("rewrite", "false")]).await;
        assert_eq!(as_typed["rewritten"], Value::Null, "{q}");
    }
    let (_, persian) = get("/suggest", &[("q", "فنا")]).await;
    assert_eq!(persian["rewritten"], Value::Null);
}

#[tokio::test]
async fn synonyms_are_read_replaced_and_used_on_the_next_query() {
    let (status, shipped) = get("/synonyms", &[]).await;
    assert_eq!(status, StatusCode::OK, "{shipped}");
    assert_eq!(shipped["source"], "shipped");
    let mut rules = shipped["rules"].as_array().unwrap().clone();
    assert!(
        rules
            .iter()
            .any(|r| r["synonyms"].as_array().unwrap().contains(&json!("فاوا")))
    );

    // A made-up word no document holds, so the other tests' counts stay true.
    let before = search(&[("q", "زرینوکتا")]).await;
    assert_eq!(before["total"], 0);
    rules.push(json!({"synonyms": ["زرینوکتا", "هم‌افزایی"]}));
    let client = reqwest::Client::new();
    let put = |base: &str, key: Option<&str>, body: Value| {
        let mut request = client.put(format!("{base}/synonyms")).json(&body);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        send(request)
    };
    let base = &fixture().base;
    let got = put(base, None, json!({"rules": rules})).await;
    assert_error(
        &got,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Authorization",
    );
    let got = put(&fixture().keyless, Some(KEY), json!({"rules": rules})).await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden", "KAVOSH_API_KEY");
    let got = put(base, Some(KEY), json!({"rules": [{"synonyms": ["تنها"]}]})).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "bad_request", "rule 1");
    let got = put(base, Some(KEY), json!({"rule": []})).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "bad_request", "bad synonyms");

    let (status, saved) = put(base, Some(KEY), json!({"rules": rules})).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["source"], "index");
    let (_, read) = get("/synonyms", &[]).await;
    assert_eq!(read["rules"], json!(rules));
    assert_eq!(read["source"], "index");

    let after = search(&[("q", "زرینوکتا")]).await;
    assert!(after["total"].as_u64().unwrap() > 0, "{after}");
    let marked = after["hits"].as_array().unwrap().iter().any(|h| {
        let body = h["highlights"]["body"].as_str().unwrap();
        body.contains("<mark>هم‌افزایی</mark>") || body.contains("<mark>همافزایی</mark>")
    });
    assert!(marked, "the synonym that matched is marked: {after}");
    let as_typed = search(&[("q", "زرینوکتا"), ("rewrite", "false")]).await;
    assert_eq!(as_typed["total"], 0, "rewrite=false: no synonyms");

    // Kept with the index, beside its segments.
    let stored = Path::new(env!("CARGO_TARGET_TMPDIR")).join("server-index/settings/synonyms.json");
    let stored: Value = serde_json::from_slice(&std::fs::read(stored).unwrap()).unwrap();
    assert_eq!(stored["rules"], json!(rules));
}
