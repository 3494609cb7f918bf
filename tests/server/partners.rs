//! `GET /partners` and `PUT /partners/{key}`, and the byte order mark of every CSV. Edits use
//! partners of their own (`t-…` documents of the year 1389) so the other tests' counts stay
//! true.

use kavosh::analysis::name_key;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{KEY, assert_error, facet, fixture, get, search, send};

fn url(path: &str) -> String {
    format!("{}{path}", fixture().base)
}

/// The raw bytes of a GET (reqwest's `text()` would drop a byte order mark).
async fn bytes(path: &str, query: &[(&str, &str)]) -> (StatusCode, Vec<u8>) {
    let response = reqwest::Client::new()
        .get(url(path))
        .query(query)
        .send()
        .await
        .expect("an answer");
    let status = response.status();
    (status, response.bytes().await.expect("a body").to_vec())
}

async fn put_partner(key: &str, edit: &Value) -> (StatusCode, Value) {
    send(
        reqwest::Client::new()
            .put(url(&format!("/partners/{}", urlencoding(key))))
            .bearer_auth(KEY)
            .json(edit),
    )
    .await
}

fn urlencoding(key: &str) -> String {
    percent_encoding::utf8_percent_encode(key, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The partner of `GET /partners` with this name.
async fn partner(name: &str) -> Value {
    let (status, reply) = get("/partners", &[]).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    reply["partners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no partner {name}"))
}

#[tokio::test]
async fn every_csv_starts_with_a_byte_order_mark_unless_asked_not_to() {
    const BOM: &[u8] = "\u{FEFF}".as_bytes();
    for (path, query, header) in [
        (
            "/search",
            vec![("q", "فناوری"), ("format", "csv")],
            "id,kind,",
        ),
        (
            "/stats",
            vec![("by", "partner"), ("format", "csv")],
            "partner,partner_label,count",
        ),
        ("/partners", vec![("format", "csv")], "key,name,documents,"),
    ] {
        let (status, body) = bytes(path, &query).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(body.starts_with(BOM), "{path}: no byte order mark");
        let text = String::from_utf8(body[BOM.len()..].to_vec()).unwrap();
        assert!(text.starts_with(header), "{path}: {text:.80}");
        assert!(text.contains("مازندران"), "{path}: Persian text");
        let mut without = query.clone();
        without.push(("bom", "false"));
        let (status, body) = bytes(path, &without).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.starts_with(header.as_bytes()), "{path}: bom=false");
    }
    assert_error(
        &get("/partners", &[("format", "csv"), ("bom", "no")]).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "true or false",
    );
}

#[tokio::test]
async fn the_list_gives_keys_forms_and_likely_duplicates() {
    // news-201 writes «… استان مازندران», news-226 «… مازندران»: one partner, two forms.
    let (status, reply) = get("/partners", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let partners = reply["partners"].as_array().unwrap();
    assert_eq!(reply["total"].as_u64().unwrap() as usize, partners.len());
    let written = name_key("اداره کل فنی و حرفه‌ای مازندران");
    let technical = partners
        .iter()
        .find(|p| {
            p["forms"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| name_key(f["name"].as_str().unwrap()) == written)
        })
        .expect("the technical and vocational administration");
    assert_eq!(technical["documents"], 2, "{technical}");
    assert_eq!(
        technical["forms"].as_array().unwrap().len(),
        2,
        "{technical}"
    );
    assert_eq!(technical["registered"], false);
    let university = partners
        .iter()
        .find(|p| p["name"] == "دانشگاه مازندران")
        .unwrap();
    assert_eq!(university["registered"], true);
    // Most documents first.
    let counts: Vec<u64> = partners
        .iter()
        .map(|p| p["documents"].as_u64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]));
}

#[tokio::test]
async fn a_person_renames_merges_and_undoes() {
    let docs = json!([
        {"id": "t-partner-1", "kind": "agreement", "title": "تفاهم‌نامه آزمایشی زرکوب", "date": "1389/02/01",
         "partners": ["شرکت زرکوب آزمایشی"], "domains": []},
        {"id": "t-partner-2", "kind": "news", "title": "خبر آزمایشی زرکوب", "date": "1389/02/02",
         "partners": ["شرکت زرکوب آزمایشی (سهامی خاص)"], "domains": []},
        {"id": "t-partner-3", "kind": "news", "title": "خبر آزمایشی سیمرغ‌نما", "date": "1389/02/03",
         "partners": ["موسسه سیمرغ‌نمای آزمایشی"], "domains": []}
    ]);
    let (status, r) = send(
        reqwest::Client::new()
            .post(url("/documents"))
            .bearer_auth(KEY)
            .json(&docs),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    // Two forms, one partner.
    let zarkub = partner("شرکت زرکوب آزمایشی").await;
    assert_eq!(zarkub["documents"], 2, "{zarkub}");
    let key = zarkub["key"].as_str().unwrap().to_string();
    let other = partner("موسسه سیمرغ‌نمای آزمایشی").await["key"]
        .as_str()
        .unwrap()
        .to_string();

    // Writes need the key; unknown partners and bad edits are refused.
    let (status, _) = send(
        reqwest::Client::new()
            .put(url(&format!("/partners/{}", urlencoding(&key))))
            .json(&json!({"name": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(
        &put_partner("نیست", &json!({"name": "x"})).await,
        StatusCode::NOT_FOUND,
        "not_found",
        "GET /partners",
    );
    assert_error(
        &put_partner(&key, &json!({"name": "a", "merge_into": other})).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "not both",
    );
    assert_error(
        &put_partner(&key, &json!({"nmae": "a"})).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "unknown field",
    );
    assert_error(
        &put_partner(&key, &json!({"name": "موسسه سیمرغ‌نمای آزمایشی"})).await,
        StatusCode::CONFLICT,
        "conflict",
        "merge",
    );

    // A rename re-labels the documents; the old and new names both filter.
    let (status, r) = put_partner(&key, &json!({"name": "شرکت زرکوب"})).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(
        (r["name"].as_str(), r["relabelled"].as_u64()),
        (Some("شرکت زرکوب"), Some(2))
    );
    for name in ["شرکت زرکوب", "شركت زركوب آزمايشي"] {
        let reply = search(&[("partner", name), ("year", "1389")]).await;
        assert_eq!(reply["total"], 2, "{name}");
        // The partner facet leaves its own filter out (multi-select).
        assert_eq!(
            facet(&reply, "partner"),
            [
                ("شرکت زرکوب".to_string(), 2),
                ("موسسه سیمرغ‌نمای آزمایشی".to_string(), 1)
            ]
        );
    }
    let (_, doc) = get("/documents/t-partner-2", &[]).await;
    assert_eq!(doc["partners"], json!(["شرکت زرکوب"]));
    assert_eq!(
        doc["partners_as_written"],
        json!(["شرکت زرکوب آزمایشی (سهامی خاص)"])
    );

    // A merge moves the other partner's documents under this one.
    let (status, r) = put_partner(&other, &json!({"merge_into": "شرکت زرکوب"})).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["partner"], key.as_str());
    let reply = search(&[("partner", "موسسه سیمرغ‌نمای آزمایشی"), ("year", "1389")]).await;
    assert_eq!(reply["total"], 3);
    assert_eq!(facet(&reply, "partner"), [("شرکت زرکوب".to_string(), 3)]);
    let (_, stats) = get("/stats", &[("by", "partner"), ("year", "1389")]).await;
    assert_eq!(stats["buckets"][0]["key"], "شرکت زرکوب");
    assert_eq!(stats["buckets"][0]["count"], 3);

    // Later writes apply the edits.
    let (status, r) = send(
        reqwest::Client::new()
            .put(url("/documents/t-partner-4"))
            .bearer_auth(KEY)
            .json(
                &json!({"kind": "news", "title": "خبر آزمایشی دیگر", "date": "1389/02/04",
                "partners": ["مؤسسه سیمرغ نمای آزمایشی"], "domains": []}),
            ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    assert_eq!(r["partners"], json!(["شرکت زرکوب"]));

    // Undone: each back to its own name.
    let (status, _) = put_partner(&other, &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = put_partner(&key, &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    // t-partner-3 and t-partner-4 write the institute two ways, once each: one name for both.
    let (_, three) = get("/documents/t-partner-3", &[]).await;
    let (_, four) = get("/documents/t-partner-4", &[]).await;
    assert_eq!(three["partners"], four["partners"]);
    let institute = four["partners"][0].as_str().unwrap().to_string();
    assert_eq!(name_key(&institute), name_key("موسسه سیمرغ‌نمای آزمایشی"));
    let reply = search(&[("partner", "شرکت زرکوب آزمایشی"), ("year", "1389")]).await;
    assert_eq!(reply["total"], 2);
    let mut counts = facet(&reply, "partner");
    counts.sort();
    let mut expected = vec![("شرکت زرکوب آزمایشی".to_string(), 2), (institute, 2)];
    expected.sort();
    assert_eq!(counts, expected);
    for id in ["t-partner-1", "t-partner-2", "t-partner-3", "t-partner-4"] {
        let (status, _) = send(
            reqwest::Client::new()
                .delete(url(&format!("/documents/{id}")))
                .bearer_auth(KEY),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
}
