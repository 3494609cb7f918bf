//! Documents: reading, and writes that need the key, commit before answering and are seen by
//! the next search and suggestion (kept replies notwithstanding). Written documents use `t-…`
//! ids, made-up words and the year 1390.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{KEY, assert_error, fixture, get, search, send};

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

fn url(path: &str) -> String {
    format!("{}{path}", fixture().base)
}

async fn post(body: String) -> (StatusCode, Value) {
    send(client().post(url("/documents")).bearer_auth(KEY).body(body)).await
}

async fn put(id: &str, body: &Value) -> (StatusCode, Value) {
    send(
        client()
            .put(url(&format!("/documents/{id}")))
            .bearer_auth(KEY)
            .json(body),
    )
    .await
}

async fn delete(id: &str) -> (StatusCode, Value) {
    send(
        client()
            .delete(url(&format!("/documents/{id}")))
            .bearer_auth(KEY),
    )
    .await
}

async fn total(q: &str) -> u64 {
    search(&[("q", q), ("typos", "0")]).await["total"]
        .as_u64()
        .unwrap()
}

/// The ids of the titles `/suggest` offers for `typed`.
async fn suggested(typed: &str) -> Vec<String> {
    let (status, r) = get("/suggest", &[("q", typed)]).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_stored_document_has_both_dates_and_its_partners() {
    let (status, d) = get("/documents/mou-054", &[]).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["id"], "mou-054");
    assert_eq!(d["kind"], "agreement");
    assert_eq!(d["number"], 54);
    assert_eq!(
        (d["date"].as_str(), d["date_jalali"].as_str()),
        (Some("2025-12-16"), Some("1404/09/25"))
    );
    assert!(d["body"].as_str().unwrap().contains("همافزایی"));
    assert!(
        d["partners"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "پارک فناوری و نوآوری صنعت نفت"),
        "{d}"
    );
    assert!(!d["domains"].as_array().unwrap().is_empty());
    assert_error(
        &get("/documents/no-such-doc", &[]).await,
        StatusCode::NOT_FOUND,
        "not_found",
        "no-such-doc",
    );
}

#[tokio::test]
async fn a_posted_document_is_found_by_the_next_search_then_replaced_then_deleted() {
    let word = "قلمدانسازی‌آزمونی";
    // Asked twice before the write: the service keeps the (empty) reply.
    for _ in 0..2 {
        assert!(suggested("قلمدانساز").await.is_empty());
    }
    let doc = json!({"id": "t-life", "kind": "news", "title": format!("کارگاه {word} با دانشگاه مازندران"),
        "body": "کارگاه در بابلسر برگزار شد.", "date": "۱۳۹۰/۰۵/۰۱"});
    let (status, r) = post(doc.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r, json!({"indexed": 1, "ids": ["t-life"], "errors": []}));
    let found = search(&[("q", word)]).await;
    assert_eq!(super::ids(&found), ["t-life"]);
    assert_eq!(suggested("قلمدانساز").await, ["t-life"]);
    let (_, stored) = get("/documents/t-life", &[]).await;
    assert_eq!(stored["date_jalali"], "1390/05/01");
    assert_eq!(stored["date"], "2011-07-23");
    assert!(
        stored["partners"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "دانشگاه مازندران"),
        "partners are extracted when not given: {stored}"
    );

    // PUT replaces it (the body's id may be left out).
    let other = "سفالگری‌آزمونی";
    let (status, replaced) = put(
        "t-life",
        &json!({"kind": "agreement", "title": format!("تفاهم {other}"),
        "date": "1390-07-23", "partners": ["بانک ملی"], "domains": []}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(replaced["kind"], "agreement");
    assert_eq!(
        replaced["partners"],
        json!(["بانک ملی ایران"]),
        "partners are canonical"
    );
    assert_eq!(total(word).await, 0);
    assert_eq!(total(other).await, 1);
    assert!(suggested("قلمدانساز").await.is_empty());
    assert_eq!(suggested("سفالگری").await, ["t-life"]);

    let (status, _) = delete("t-life").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(total(other).await, 0);
    assert!(suggested("سفالگری").await.is_empty());
    assert_error(
        &get("/documents/t-life", &[]).await,
        StatusCode::NOT_FOUND,
        "not_found",
        "t-life",
    );
    assert_error(
        &delete("t-life").await,
        StatusCode::NOT_FOUND,
        "not_found",
        "t-life",
    );
}

#[tokio::test]
async fn put_creates_and_checks_the_id() {
    let doc =
        json!({"id": "t-put", "kind": "news", "title": "کوزه‌گری‌آزمونی", "date": "1390/01/10"});
    let (status, created) = put("t-put", &doc).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["id"], "t-put");
    assert_error(
        &put("t-other", &doc).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "t-other",
    );
    assert_error(
        &put("t-put", &json!([doc])).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "one JSON object",
    );
    assert_error(
        &put(
            "t-put",
            &json!({"kind": "memo", "title": "x", "date": "1390/01/10"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "unknown kind",
    );
    let (status, _) = send(
        client()
            .put(url("/documents/t-put"))
            .bearer_auth(KEY)
            .body("{\"id\": "),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(delete("t-put").await.0, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_batch_keeps_its_valid_documents_and_reports_the_others() {
    let good = |id: &str| {
        json!({"id": id, "kind": "news", "title": "آبنوس‌کاری‌آزمونی", "date": "1390/02/02",
        "partners": [], "domains": []})
    };
    // An array.
    let body = json!([good("t-batch-1"), {"id": "t-batch-x", "kind": "news", "title": "بی‌تاریخ"}, good("t-batch-2")]);
    let (status, r) = post(body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["indexed"], 2);
    assert_eq!(r["ids"], json!(["t-batch-1", "t-batch-2"]));
    assert_eq!(r["errors"].as_array().unwrap().len(), 1);
    assert_eq!(r["errors"][0]["item"], 2);
    assert!(
        r["errors"][0]["reason"].as_str().unwrap().contains("date"),
        "{r}"
    );
    assert_eq!(total("آبنوس‌کاری‌آزمونی").await, 2);

    // NDJSON, with a broken line.
    let ndjson = format!("{}\n{{\"id\": \n{}\n", good("t-batch-3"), good("t-batch-4"));
    let (status, r) = post(ndjson).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["indexed"], 2);
    assert_eq!(r["errors"][0]["item"], 2);

    // Nothing valid: a 400 with the same report.
    let (status, r) = post(json!([{"id": "t-batch-y"}]).to_string()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{r}");
    assert_eq!(r["error"]["code"], "bad_request");
    assert_eq!(r["indexed"], 0);
    assert_eq!(r["errors"][0]["item"], 1);
    let (status, r) = post("{\"id\": \"t-bad\", ".into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{r}");
    assert!(
        r["error"]["message"].as_str().unwrap().contains("JSON"),
        "{r}"
    );
    assert_error(
        &post(String::new()).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "no document",
    );

    for id in ["t-batch-1", "t-batch-2", "t-batch-3", "t-batch-4"] {
        assert_eq!(delete(id).await.0, StatusCode::NO_CONTENT);
    }
    assert_eq!(total("آبنوس‌کاری‌آزمونی").await, 0);
}

#[tokio::test]
async fn writes_need_the_key() {
    let doc = json!({"id": "t-auth", "kind": "news", "title": "بی‌کلید", "date": "1390/01/01"})
        .to_string();
    let missing = client()
        .post(url("/documents"))
        .body(doc.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(missing.headers()["www-authenticate"], "Bearer");
    assert_error(
        &send(
            client()
                .post(url("/documents"))
                .bearer_auth("wrong")
                .body(doc.clone()),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "wrong API key",
    );
    assert_error(
        &send(
            client()
                .put(url("/documents/t-auth"))
                .bearer_auth("wrong")
                .body(doc.clone()),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "",
    );
    assert_error(
        &send(
            client()
                .delete(url("/documents/mou-054"))
                .header("Authorization", KEY),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Bearer",
    );
    // A server without a key refuses every write, even one with some key.
    let keyless = &fixture().keyless;
    assert_error(
        &send(
            client()
                .post(format!("{keyless}/documents"))
                .bearer_auth(KEY)
                .body(doc.clone()),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "KAVOSH_API_KEY",
    );
    assert_error(
        &send(
            client()
                .delete(format!("{keyless}/documents/mou-054"))
                .bearer_auth(KEY),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "",
    );
    // Nothing was written, and reads need no key.
    assert_error(
        &get("/documents/t-auth", &[]).await,
        StatusCode::NOT_FOUND,
        "not_found",
        "",
    );
    assert_eq!(get("/documents/mou-054", &[]).await.0, StatusCode::OK);
}
