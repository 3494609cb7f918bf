//! `GET /suggest`: completions of a partial last word and matching titles.

use reqwest::StatusCode;

use super::{assert_error, get};

#[tokio::test]
async fn a_three_letter_prefix_completes_and_finds_titles() {
    let (status, r) = get("/suggest", &[("q", "فنا")]).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["query"], "فنا");
    let completions = r["completions"].as_array().unwrap();
    assert!(!completions.is_empty() && completions.len() <= 8, "{r}");
    let texts: Vec<&str> = completions
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert!(texts.contains(&"فناوری"), "{texts:?}");
    assert!(texts.iter().all(|t| t.starts_with("فن")), "{texts:?}");
    let counts: Vec<u64> = completions
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "most frequent first: {counts:?}"
    );
    let hits = r["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    for h in hits {
        assert!(h["title_html"].as_str().unwrap().contains("<mark>"), "{h}");
        assert!(["agreement", "news"].contains(&h["kind"].as_str().unwrap()));
        assert!(h["date_jalali"].as_str().unwrap().contains('/'));
        assert!(h["id"].is_string() && h["title"].is_string());
    }
}

#[tokio::test]
async fn earlier_words_are_kept_and_any_spelling_completes() {
    // Arabic kaf and yeh, and a lost ZWNJ, in what was typed.
    let (_, r) = get(
        "/suggest",
        &[("q", "پارک علم و فناوري مازند"), ("limit", "3")],
    )
    .await;
    let completions = r["completions"].as_array().unwrap();
    assert!(!completions.is_empty() && completions.len() <= 3, "{r}");
    assert!(
        completions.iter().all(|c| c["text"]
            .as_str()
            .unwrap()
            .starts_with("پارک علم و فناوري ")),
        "{r}"
    );
    assert!(
        completions
            .iter()
            .any(|c| c["text"].as_str().unwrap().ends_with("مازندران")),
        "{r}"
    );
}

#[tokio::test]
async fn limits_are_named() {
    assert_error(
        &get("/suggest", &[("q", "فنا"), ("limit", "21")]).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "20",
    );
    assert_error(
        &get("/suggest", &[("q", "فنا"), ("limit", "0")]).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "20",
    );
    let long = "ف".repeat(kavosh::search::MAX_QUERY_CHARS + 1);
    assert_error(
        &get("/suggest", &[("q", &long)]).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "512",
    );
    let (status, r) = get("/suggest", &[("q", "")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(r["completions"].as_array().map(Vec::len), Some(0));
}
