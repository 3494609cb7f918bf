//! Abuse and limits over real TCP: slow and idle connections, the connection cap, the rate
//! limit, read keys and text that is not UTF-8. Each test that needs limits of its own serves
//! the real router on a port of its own (short timeouts, so the tests take seconds).

use std::sync::Arc;
use std::time::{Duration, Instant};

use kavosh::index::SearchIndex;
use kavosh::server::AppState;
use kavosh::server::auth::Keys;
use kavosh::server::limits::{Quota, RateLimit, TrustedProxies};
use kavosh::server::listener::ConnectionLimits;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{KEY, assert_error, fixture, send, start};

fn state() -> AppState {
    AppState::new(
        Arc::new(SearchIndex::in_memory().expect("an index")),
        Some(KEY),
    )
}

const SHORT: ConnectionLimits = ConnectionLimits {
    header_timeout: Duration::from_secs(1),
    idle_timeout: Duration::from_secs(3),
    max_connections: 64,
};

async fn connect(base: &str) -> TcpStream {
    TcpStream::connect(base.trim_start_matches("http://"))
        .await
        .expect("the server accepts")
}

/// Reads one reply (head and a Content-Length body): its status and body.
async fn read_reply(stream: &mut TcpStream) -> (u16, String) {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.expect("a reply");
        assert!(n > 0, "the connection closed before a reply");
        bytes.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .expect("a Content-Length");
            if body.len() >= length {
                let status = head[9..12].parse().expect("a status");
                return (status, body.to_string());
            }
        }
    }
}

/// Whether the server has closed `stream`, waiting at most `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut byte = [0u8; 1];
    match tokio::time::timeout(within, stream.read(&mut byte)).await {
        Ok(Ok(0)) | Ok(Err(_)) => true,
        Ok(Ok(_)) => panic!("unexpected bytes from the server"),
        Err(_) => false,
    }
}

const HEALTH: &[u8] = b"GET /health HTTP/1.1\r\nHost: kavosh\r\n\r\n";

#[tokio::test]
async fn a_client_sending_its_headers_slowly_is_cut_off() {
    let base = start(state(), SHORT).await;
    // A byte every 100 ms: the head would take 3.8 s; the limit is 1 s.
    let mut slow = connect(&base).await;
    let started = Instant::now();
    let mut cut = false;
    for byte in HEALTH {
        if slow.write_all(&[*byte]).await.is_err() {
            cut = true;
            break;
        }
        if closed_within(&mut slow, Duration::from_millis(100)).await {
            cut = true;
            break;
        }
    }
    let took = started.elapsed();
    assert!(cut, "the slow client was never cut off");
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_millis(2500),
        "cut after {took:?}"
    );
    // A client that connects and sends nothing is cut off as well.
    let mut silent = connect(&base).await;
    assert!(closed_within(&mut silent, Duration::from_millis(2500)).await);
    // Meanwhile a normal client is served.
    let mut normal = connect(&base).await;
    normal.write_all(HEALTH).await.unwrap();
    assert_eq!(read_reply(&mut normal).await.0, 200);
}

#[tokio::test]
async fn a_kept_alive_connection_may_idle_longer_than_a_head_may_take() {
    let base = start(state(), SHORT).await;
    let mut conn = connect(&base).await;
    conn.write_all(HEALTH).await.unwrap();
    assert_eq!(read_reply(&mut conn).await.0, 200);
    // Idle for twice the header timeout, within the idle timeout: still open, and serves.
    assert!(!closed_within(&mut conn, Duration::from_secs(2)).await);
    conn.write_all(HEALTH).await.unwrap();
    assert_eq!(read_reply(&mut conn).await.0, 200);
    // Idle past the idle timeout: closed.
    let started = Instant::now();
    assert!(closed_within(&mut conn, Duration::from_secs(5)).await);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(2800) && took < Duration::from_secs(5),
        "closed after {took:?}"
    );
}

#[tokio::test]
async fn connections_past_the_cap_wait_for_a_free_slot() {
    let limits = ConnectionLimits {
        header_timeout: Duration::from_secs(20),
        max_connections: 2,
        ..SHORT
    };
    let base = start(state(), limits).await;
    let mut holders = vec![connect(&base).await, connect(&base).await];
    // Let the server take both before the third arrives.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut waiting = connect(&base).await;
    waiting.write_all(HEALTH).await.unwrap();
    let early = tokio::time::timeout(Duration::from_millis(700), read_reply(&mut waiting)).await;
    assert!(early.is_err(), "served past the cap");
    holders.pop();
    let reply = tokio::time::timeout(Duration::from_secs(3), read_reply(&mut waiting)).await;
    assert_eq!(reply.expect("served once a slot was free").0, 200);
    drop(holders);
}

fn limited(quota: Quota, proxies: &str) -> AppState {
    let mut state = state();
    let proxies = TrustedProxies::parse([proxies]).unwrap();
    state.rate_limit = Some(RateLimit::new(quota, proxies, state.keys.clone()));
    state
}

async fn get_from(base: &str, forwarded: Option<&str>, key: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(format!("{base}/suggest?q=%D9%81%D9%86%D8%A7"));
    if let Some(f) = forwarded {
        request = request.header("X-Forwarded-For", f);
    }
    if let Some(k) = key {
        request = request.bearer_auth(k);
    }
    request.send().await.expect("a reply")
}

#[tokio::test]
async fn a_client_over_its_rate_gets_429_with_retry_after() {
    let quota = Quota {
        per_second: 4.0,
        burst: 3,
    };
    let base = start(limited(quota, ""), SHORT).await;
    for _ in 0..3 {
        assert_eq!(get_from(&base, None, None).await.status(), StatusCode::OK);
    }
    let over = get_from(&base, None, None).await;
    assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(over.headers()["retry-after"], "1");
    let body: serde_json::Value = over.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("127.0.0.1") && message.contains("bursts of up to 3"),
        "{message}"
    );
    // X-Forwarded-For from a peer that is not trusted changes nothing.
    let spoofed = get_from(&base, Some("203.0.113.9"), None).await;
    assert_eq!(spoofed.status(), StatusCode::TOO_MANY_REQUESTS);
    // An admin key is never limited.
    assert_eq!(
        get_from(&base, None, Some(KEY)).await.status(),
        StatusCode::OK
    );
    // A token comes back every 250 ms.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(get_from(&base, None, None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_bucket() {
    let quota = Quota {
        per_second: 0.5,
        burst: 2,
    };
    let base = start(limited(quota, "127.0.0.1"), SHORT).await;
    for client in ["198.51.100.1", "198.51.100.2"] {
        // A client's own X-Forwarded-For entry is not believed: the proxy's view is.
        let header = format!("10.9.9.9, {client}");
        for _ in 0..2 {
            let r = get_from(&base, Some(&header), None).await;
            assert_eq!(r.status(), StatusCode::OK, "{client}");
        }
        let r = get_from(&base, Some(&header), None).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "{client}");
        let text = r.text().await.unwrap();
        assert!(text.contains(client), "{text}");
    }
    // The proxy's own requests have a bucket of their own.
    assert_eq!(get_from(&base, None, None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn with_read_keys_every_read_needs_a_key() {
    let mut state = state();
    state.keys = Keys::new([KEY, "rotated-in-2f9"], ["lab-key-1", "lab-key-2"]);
    let base = start(state, SHORT).await;
    let client = reqwest::Client::new();
    let search = |key: Option<&'static str>| {
        let mut r = client
            .get(format!("{base}/search"))
            .query(&[("q", "فناوری")]);
        if let Some(k) = key {
            r = r.bearer_auth(k);
        }
        send(r)
    };
    let got = search(None).await;
    assert_error(&got, StatusCode::UNAUTHORIZED, "unauthorized", "read key");
    assert_error(
        &search(Some("guess")).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "wrong key",
    );
    for key in ["lab-key-1", "lab-key-2", KEY, "rotated-in-2f9"] {
        assert_eq!(search(Some(key)).await.0, StatusCode::OK, "{key}");
    }
    for path in [
        "/stats?by=kind",
        "/metrics",
        "/openapi.json",
        "/documents/x",
        "/taxonomy",
        "/partners",
    ] {
        let status = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
    // Probes and the page's own files need no key.
    for path in ["/health", "/", "/app.js"] {
        let status = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    // A read key does not write; every admin key does.
    let doc = serde_json::json!({"kind": "news", "title": "آزمون کلید", "date": "1390/01/01"});
    let put = |key: &'static str| {
        send(
            client
                .put(format!("{base}/documents/t-key"))
                .bearer_auth(key)
                .json(&doc),
        )
    };
    assert_error(
        &put("lab-key-1").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "wrong API key",
    );
    assert_eq!(put("rotated-in-2f9").await.0, StatusCode::CREATED);
    assert_eq!(put(KEY).await.0, StatusCode::OK);
    // Nor corrects a partner: that is the operator's too.
    let doc = serde_json::json!({"kind": "news", "title": "آزمون کلید", "date": "1390/01/01",
        "partners": ["شرکت آزمون کلید"]});
    let put = client
        .put(format!("{base}/documents/t-key"))
        .bearer_auth(KEY);
    assert_eq!(send(put.json(&doc)).await.0, StatusCode::OK);
    let (status, partners) = send(
        client
            .get(format!("{base}/partners"))
            .bearer_auth("lab-key-1"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{partners}");
    let partner = partners["partners"][0]["key"].as_str().unwrap().to_string();
    let rename = |key: &'static str| {
        send(
            client
                .put(format!("{base}/partners/{partner}"))
                .bearer_auth(key)
                .json(&serde_json::json!({})),
        )
    };
    assert_error(
        &rename("lab-key-1").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "wrong API key",
    );
    assert_eq!(rename("rotated-in-2f9").await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_query_string_that_is_not_utf8_is_a_400_naming_the_parameter() {
    let base = &fixture().base;
    // «فن» in Windows-1256, and a UTF-8 sequence cut short.
    for (query, name) in [
        ("/search?q=%E1%E4", "q"),
        ("/search?q=%D9%81&partner=%D9", "partner"),
        ("/stats?by=year&q=%D9", "q"),
        ("/suggest?q=%FF", "q"),
        ("/analyze?text=%C3", "text"),
    ] {
        let got = send(reqwest::Client::new().get(format!("{base}{query}"))).await;
        assert_error(
            &got,
            StatusCode::BAD_REQUEST,
            "bad_request",
            &format!("{name:?}"),
        );
        assert!(
            got.1["error"]["message"]
                .as_str()
                .unwrap()
                .contains("UTF-8")
        );
    }
}

#[tokio::test]
async fn openapi_names_what_the_guards_answer() {
    let (_, doc) = super::get("/openapi.json", &[]).await;
    let responses = |path: &str, method: &str| {
        doc["paths"][path][method]["responses"]
            .as_object()
            .unwrap_or_else(|| panic!("{method} {path}"))
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    let search = responses("/search", "get");
    assert!(
        search.contains(&"429".into()) && search.contains(&"401".into()),
        "{search:?}"
    );
    let put = responses("/documents/{id}", "put");
    for status in ["401", "429", "503", "507"] {
        assert!(put.contains(&status.into()), "{status}: {put:?}");
    }
    assert!(!responses("/health", "get").contains(&"401".into()));
    assert!(doc["components"]["securitySchemes"]["read_key"].is_object());
}

#[tokio::test]
async fn click_reports_have_a_tighter_bucket_than_searches() {
    let base = start(limited(Quota::default(), ""), SHORT).await;
    let client = reqwest::Client::new();
    let click = || {
        client
            .post(format!("{base}/insights/click"))
            .json(&serde_json::json!({"query": "فناوری", "id": "mou-054", "position": 1}))
            .send()
    };
    let burst = kavosh::server::insights::CLICK_QUOTA.burst;
    for _ in 0..burst {
        assert_eq!(click().await.unwrap().status(), StatusCode::NO_CONTENT);
    }
    assert_eq!(
        click().await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Searches from the same client still have their own, larger bucket.
    assert_eq!(get_from(&base, None, None).await.status(), StatusCode::OK);
}
