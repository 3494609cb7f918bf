//! Malformed requests: each gets its documented 4xx with the `{"error":{"code","message"}}`
//! shape and the limit it broke named; none is a 500.

use reqwest::StatusCode;

use super::{KEY, assert_error, fixture, get, send};

const BAD: StatusCode = StatusCode::BAD_REQUEST;

#[tokio::test]
async fn bad_search_parameters_are_400s_saying_what_is_expected() {
    for (query, needle) in [
        (vec![("per_page", "ten")], "per_page"),
        (vec![("per_page", "101")], "100"),
        (vec![("page", "-1")], "page"),
        (vec![("page", "0")], "page"),
        (vec![("sort", "best")], "relevance, newest or oldest"),
        (vec![("typos", "3")], "0, 1, 2 or auto"),
        (vec![("match", "some")], "all or any"),
        (vec![("from", "1404/13/01")], "1404/13/01"),
        (vec![("to", "yesterday")], "yesterday"),
        (vec![("from", "1404/06/01"), ("to", "1404/01/01")], "after"),
        (vec![("domain", "space")], "unknown domain"),
        (vec![("kind", "memo")], "agreement or news"),
        (vec![("year", "next")], "Jalali year"),
        (vec![("per-page", "5")], "unknown parameter"),
        (
            vec![("sort", "newest"), ("sort", "oldest")],
            "more than once",
        ),
    ] {
        let got = get("/search", &query).await;
        assert_error(&got, BAD, "bad_request", needle);
    }
}

#[tokio::test]
async fn limits_are_named() {
    let max = kavosh::search::MAX_QUERY_CHARS;
    let long = "ن".repeat(max + 1);
    assert_error(
        &get("/search", &[("q", &long)]).await,
        BAD,
        "bad_request",
        &max.to_string(),
    );
    assert_eq!(
        get("/search", &[("q", &"ن".repeat(max))]).await.0,
        StatusCode::OK
    );
    let clauses = kavosh::search::parse::MAX_CLAUSES;
    let many = "(نفت) ".repeat(clauses + 1);
    assert_error(
        &get("/search", &[("q", &many)]).await,
        BAD,
        "bad_request",
        &clauses.to_string(),
    );
    let values = kavosh::search::filters::MAX_FILTER_VALUES;
    let partners: Vec<(&str, String)> =
        (0..=values).map(|i| ("partner", format!("p{i}"))).collect();
    let query: Vec<(&str, &str)> = partners.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_error(
        &get("/search", &query).await,
        BAD,
        "bad_request",
        &values.to_string(),
    );
    let text = "ا".repeat(kavosh::server::params::MAX_ANALYZE_CHARS + 1);
    assert_error(
        &get("/analyze", &[("text", &text)]).await,
        BAD,
        "bad_request",
        "10000",
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413_naming_it() {
    let max = kavosh::server::MAX_BODY_BYTES;
    // Refused from its Content-Length, before any of it is read.
    let head = format!("Content-Length: {}\r\n", max + 1);
    let (status, reply) = raw_post("/documents", &head, Vec::new()).await;
    assert_eq!(status, 413, "{reply}");
    assert!(
        reply.contains("payload_too_large") && reply.contains("10 MiB"),
        "{reply}"
    );
    // Chunked, so the limit is found while reading.
    let mut body = Vec::new();
    for chunk in vec![b'x'; max + 1].chunks(64 * 1024) {
        body.extend(format!("{:x}\r\n", chunk.len()).into_bytes());
        body.extend(chunk);
        body.extend(b"\r\n");
    }
    body.extend(b"0\r\n\r\n");
    let (status, reply) = raw_post("/documents", "Transfer-Encoding: chunked\r\n", body).await;
    assert_eq!(status, 413, "{reply}");
    assert!(
        reply.contains("payload_too_large") && reply.contains("10 MiB"),
        "{reply}"
    );
    // Just under the limit, the body is read (and found not to be JSON).
    let under = format!("[{}]", " ".repeat(max - 2)).replace("[ ", "[{");
    let got = send(
        reqwest::Client::new()
            .post(format!("{}/documents", fixture().base))
            .bearer_auth(KEY)
            .body(under),
    )
    .await;
    assert_eq!(got.0, BAD, "{}", got.1);
}

/// POSTs over a raw connection with the key, extra header lines and a body as given (a
/// client streaming a body the server refuses early may see its connection reset, so these
/// send only what the server reads): the status and the reply's text.
async fn raw_post(path: &str, headers: &str, body: Vec<u8>) -> (u16, String) {
    use std::io::{Read, Write};
    let address = fixture().base.trim_start_matches("http://").to_string();
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {KEY}\r\n\
         {headers}Connection: close\r\n\r\n"
    )
    .into_bytes();
    request.extend(body);
    let reply = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(&address).expect("a connection");
        stream.write_all(&request).expect("the request is sent");
        let mut reply = Vec::new();
        stream.read_to_end(&mut reply).expect("a reply");
        String::from_utf8_lossy(&reply).to_string()
    })
    .await
    .expect("the request runs");
    let status = reply
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {reply:.200}"));
    (status, reply)
}

#[tokio::test]
async fn bad_json_is_a_400_with_the_reason() {
    let url = format!("{}/documents/t-json", fixture().base);
    let got = send(
        reqwest::Client::new()
            .put(&url)
            .bearer_auth(KEY)
            .body("{\"id\": \"t-json\","),
    )
    .await;
    assert_error(&got, BAD, "bad_request", "line 1 column");
    let got = send(
        reqwest::Client::new()
            .put(&url)
            .bearer_auth(KEY)
            .body(vec![0xff, 0xfe]),
    )
    .await;
    assert_error(&got, BAD, "bad_request", "JSON");
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    assert_error(
        &get("/nowhere", &[]).await,
        StatusCode::NOT_FOUND,
        "not_found",
        "/nowhere",
    );
    assert_error(
        &get("/documents", &[]).await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "",
    );
    let r = reqwest::Client::new()
        .delete(format!("{}/search", fixture().base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.headers()["allow"].to_str().unwrap().contains("GET"));
    assert_eq!(r.headers()["content-type"], "application/json");
}
