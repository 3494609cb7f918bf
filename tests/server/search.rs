//! `GET /search`: reply and facet shapes, multi-select facets, highlights across spellings,
//! typo tolerance, sorts, pagination and the query language's lenient reading.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::Value;

use super::{assert_error, facet, fixture, get, ids, search};

const TECHNOLOGY: &str = "فناوری";

#[tokio::test]
async fn reply_and_facets_have_their_shape() {
    let r = search(&[("q", TECHNOLOGY)]).await;
    assert_eq!(r["query"], TECHNOLOGY);
    let total = r["total"].as_u64().unwrap();
    assert!(total > 0);
    assert!(r["took_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(
        (r["page"].as_u64(), r["per_page"].as_u64()),
        (Some(1), Some(10))
    );
    assert_eq!(r["relaxed"], false);
    assert_eq!(r["warnings"], Value::Array(vec![]));
    let hits = r["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 10);
    for h in hits {
        for field in ["id", "title", "date", "date_jalali"] {
            assert!(
                h[field].as_str().is_some_and(|s| !s.is_empty()),
                "{field}: {h}"
            );
        }
        assert!(["agreement", "news"].contains(&h["kind"].as_str().unwrap()));
        assert!(h["number"].is_null() || h["number"].is_u64());
        assert!(h["partners"].is_array() && h["domains"].is_array());
        assert!(h["score"].as_f64().unwrap() > 0.0);
        assert!(h["highlights"]["title"].is_string());
        let body = h["highlights"]["body"].as_str().unwrap();
        let shown = body
            .replace("<mark>", "")
            .replace("</mark>", "")
            .chars()
            .count();
        assert!(shown <= 200, "a snippet of {shown} characters");
        assert!(h["date_jalali"].as_str().unwrap().contains('/'), "{h}");
    }
    let kinds: BTreeMap<String, u64> = facet(&r, "kind").into_iter().collect();
    assert_eq!(kinds.values().sum::<u64>(), total, "every hit has one kind");
    assert!(kinds.contains_key("agreement") && kinds.contains_key("news"));
    let years = facet(&r, "year");
    assert!(
        years
            .iter()
            .all(|(y, _)| y.len() == 4 && y.parse::<u32>().is_ok()),
        "{years:?}"
    );
    assert_eq!(
        years.iter().map(|(_, c)| c).sum::<u64>(),
        total,
        "every hit has one year"
    );
    assert!(!facet(&r, "partner").is_empty());
    for d in r["facets"]["domain"].as_array().unwrap() {
        let label = d["label"].as_str().expect("domains carry a label");
        assert!(
            label
                .chars()
                .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
            "{label}"
        );
    }
}

#[tokio::test]
async fn ticking_a_partner_keeps_the_other_partners_and_narrows_the_domains() {
    let all = search(&[("q", TECHNOLOGY)]).await;
    let total = all["total"].as_u64().unwrap();
    let partners = facet(&all, "partner");
    let (partner, count) = partners
        .iter()
        .find(|(_, c)| *c > 1 && *c < total)
        .cloned()
        .expect("a partner on some of the hits");
    let one = search(&[
        ("q", TECHNOLOGY),
        ("partner", &partner),
        ("per_page", "100"),
    ])
    .await;
    assert_eq!(one["total"].as_u64(), Some(count));
    for h in one["hits"].as_array().unwrap() {
        assert!(
            h["partners"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p == &Value::from(partner.as_str())),
            "{h}"
        );
    }
    // Multi-select: the partner facet is counted without the partner filter.
    assert_eq!(facet(&one, "partner"), partners);
    // The other facets are counted with it.
    let domains_all = facet(&all, "domain");
    let domains_one = facet(&one, "domain");
    assert_ne!(domains_one, domains_all);
    assert!(domains_one.iter().all(|(_, c)| *c <= count));
    assert_eq!(
        facet(&one, "kind").iter().map(|(_, c)| c).sum::<u64>(),
        count
    );

    // Two partners: either of them.
    let (other, other_count) = partners
        .iter()
        .find(|(p, _)| *p != partner)
        .cloned()
        .unwrap();
    let two = search(&[
        ("q", TECHNOLOGY),
        ("partner", &partner),
        ("partner", &other),
    ])
    .await;
    let both = two["total"].as_u64().unwrap();
    assert!(both >= count.max(other_count) && both <= count + other_count);
}

#[tokio::test]
async fn a_parent_domain_matches_its_children() {
    let all = search(&[("q", TECHNOLOGY)]).await;
    let domains: BTreeMap<String, u64> = facet(&all, "domain").into_iter().collect();
    let (child, child_count) = domains
        .iter()
        .find(|(d, _)| d.contains('/'))
        .map(|(d, c)| (d.clone(), *c))
        .expect("a child domain");
    let parent = child.split('/').next().unwrap();
    let r = search(&[("q", TECHNOLOGY), ("domain", parent), ("per_page", "100")]).await;
    let total = r["total"].as_u64().unwrap();
    assert_eq!(
        Some(&total),
        domains.get(parent),
        "the parent's facet count rolls up"
    );
    assert!(total >= child_count);
    for h in r["hits"].as_array().unwrap() {
        let ds = h["domains"].as_array().unwrap();
        assert!(
            ds.iter()
                .any(|d| d.as_str().unwrap().split('/').next() == Some(parent)),
            "{h}"
        );
    }
}

#[tokio::test]
async fn kind_year_and_date_filters() {
    let news = search(&[("kind", "news")]).await;
    let years: Vec<(String, u64)> = facet(&news, "year");
    assert!(ids(&news).iter().all(|id| id.starts_with("news-")));
    let (year, count) = years
        .iter()
        .find(|(y, _)| y.starts_with("140"))
        .cloned()
        .unwrap();
    let in_year = search(&[("kind", "news"), ("year", &year), ("per_page", "100")]).await;
    assert_eq!(in_year["total"].as_u64(), Some(count));
    for h in in_year["hits"].as_array().unwrap() {
        assert!(h["date_jalali"].as_str().unwrap().starts_with(&year));
    }
    // The same year as a Jalali range in Persian digits, to the next Nowruz (no corpus page
    // is dated on a Nowruz).
    let persian = |s: String| -> String {
        s.chars()
            .map(|c| match c.to_digit(10) {
                Some(d) => char::from_u32('۰' as u32 + d).unwrap(),
                None => c,
            })
            .collect()
    };
    let next: u32 = year.parse::<u32>().unwrap() + 1;
    let from = persian(format!("{year}/01/01"));
    let to = persian(format!("{next}/01/01"));
    let by_range = search(&[("kind", "news"), ("from", &from), ("to", &to)]).await;
    assert_eq!(by_range["total"].as_u64(), Some(count));
    let first = in_year["hits"][0]["date"].as_str().unwrap().to_string();
    let one_day = search(&[("kind", "news"), ("from", &first), ("to", &first)]).await;
    assert!(
        one_day["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["date"] == first.as_str())
    );
    assert!(one_day["total"].as_u64().unwrap() >= 1);
}

#[tokio::test]
async fn marks_cover_the_original_text_for_another_spelling() {
    // Arabic yeh (ي) in the query, Persian yeh in the corpus.
    let r = search(&[("q", "فناوري"), ("per_page", "50")]).await;
    assert!(r["total"].as_u64().unwrap() > 0);
    let titles: Vec<&str> = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["highlights"]["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.iter().any(|t| t.contains("فناوری</mark>")),
        "{titles:?}"
    );

    // ZWNJ in the query; the corpus mostly lost it (تفاهمنامه), as copied from the park's site.
    let r = search(&[("q", "تفاهم‌نامه"), ("per_page", "100")]).await;
    let bodies: Vec<&str> = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["highlights"]["body"].as_str().unwrap())
        .collect();
    assert!(
        bodies.iter().any(|b| b.contains("<mark>تفاهمنامه</mark>")),
        "joined spelling marked"
    );
    assert!(
        bodies.iter().any(|b| b.contains("<mark>تفاهم نامه</mark>")),
        "spaced spelling marked whole"
    );

    // Spaced in the query, joined in the seed page (mou-054).
    let r = search(&[("q", "هم افزایی")]).await;
    let hit = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == "mou-054")
        .expect("mou-054 found");
    assert!(
        hit["highlights"]["body"]
            .as_str()
            .unwrap()
            .contains("<mark>همافزایی</mark>"),
        "{hit}"
    );
}

#[tokio::test]
async fn highlights_are_escaped() {
    let r = search(&[("q", "<b>فناوری</b>")]).await;
    for h in r["hits"].as_array().unwrap() {
        let text = format!("{}{}", h["highlights"]["title"], h["highlights"]["body"]);
        let stripped = text.replace("<mark>", "").replace("</mark>", "");
        assert!(!stripped.contains('<'), "{text}");
    }
}

#[tokio::test]
async fn typos_are_tolerated_unless_turned_off() {
    // «کشاورزی» (agriculture) with ز mistyped as ذ.
    let exact = search(&[("q", "کشاورزی")]).await["total"].as_u64().unwrap();
    assert!(exact > 0);
    let fuzzy = search(&[("q", "کشاورذی")]).await;
    assert!(fuzzy["total"].as_u64().unwrap() > 0);
    assert!(
        fuzzy["hits"][0]["highlights"]["body"]
            .as_str()
            .unwrap()
            .contains("<mark>")
    );
    let strict = search(&[("q", "کشاورذی"), ("typos", "0")]).await;
    assert_eq!(strict["total"], 0);
    assert_eq!(strict["did_you_mean"], "کشاورزی");
    // Short words are not fuzzed under auto: «نفت» (oil) does not find «گفت» (said).
    let oil = search(&[("q", "نفت"), ("per_page", "100")]).await;
    for h in oil["hits"].as_array().unwrap() {
        let marked = format!("{}{}", h["highlights"]["title"], h["highlights"]["body"]);
        assert!(
            marked.contains("نفت</mark>") || marked.contains("<mark>نفت"),
            "{}",
            h["id"]
        );
    }
}

#[tokio::test]
async fn every_sort_orders_its_way() {
    let base = [("q", TECHNOLOGY), ("per_page", "50")];
    let dates = |r: &Value| -> Vec<String> {
        r["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["date"].as_str().unwrap().to_string())
            .collect()
    };
    let newest = search(&[base[0], base[1], ("sort", "newest")]).await;
    let d = dates(&newest);
    assert!(d.windows(2).all(|w| w[0] >= w[1]), "{d:?}");
    assert!(
        newest["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["score"].is_null())
    );
    let oldest = search(&[base[0], base[1], ("sort", "oldest")]).await;
    let d = dates(&oldest);
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
    assert!(dates(&newest)[0] > dates(&oldest)[0]);
    let relevance = search(&[base[0], base[1], ("sort", "relevance")]).await;
    let scores: Vec<f64> = relevance["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert_eq!(
        ids(&relevance),
        ids(&search(&base).await),
        "relevance is the default"
    );
}

#[tokio::test]
async fn pages_and_their_limits() {
    let p1 = search(&[("q", TECHNOLOGY), ("per_page", "5")]).await;
    let p2 = search(&[("q", TECHNOLOGY), ("per_page", "5"), ("page", "2")]).await;
    assert_eq!(p2["page"], 2);
    let (a, b) = (ids(&p1), ids(&p2));
    assert_eq!((a.len(), b.len()), (5, 5));
    assert!(a.iter().all(|id| !b.contains(id)), "{a:?} {b:?}");
    let ten = search(&[("q", TECHNOLOGY), ("per_page", "10")]).await;
    assert_eq!(
        [a, b].concat(),
        ids(&ten),
        "pages 1 and 2 of 5 are page 1 of 10"
    );

    assert_error(
        &get("/search", &[("per_page", "101")]).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "100",
    );
    assert_error(
        &get("/search", &[("per_page", "0")]).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "100",
    );
    assert_error(
        &get("/search", &[("page", "0")]).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "page",
    );
    // Page 100 of 100 ends at hit 10,000 exactly; page 101 goes past it.
    let last = search(&[("page", "100"), ("per_page", "100")]).await;
    assert_eq!(last["hits"], Value::Array(vec![]));
    assert!(last["total"].as_u64().unwrap() >= fixture().corpus_docs);
    assert_error(
        &get("/search", &[("page", "101"), ("per_page", "100")]).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "10000",
    );
    assert_error(
        &get("/search", &[("page", "1001")]).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "10000",
    );
}

#[tokio::test]
async fn all_words_relax_to_any_when_nothing_has_them_all() {
    let r = search(&[("q", "کشاورزی زرشکپلوی‌ناموجود")]).await;
    assert_eq!(r["relaxed"], true);
    assert!(r["total"].as_u64().unwrap() > 0);
    // «بانک کشاورزی» (the agriculture bank): both words in a few documents, either in many.
    let all = search(&[("q", "بانک کشاورزی"), ("match", "all")]).await;
    let any = search(&[("q", "بانک کشاورزی"), ("match", "any")]).await;
    assert_eq!(
        (all["relaxed"].as_bool(), any["relaxed"].as_bool()),
        (Some(false), Some(false))
    );
    assert!(any["total"].as_u64().unwrap() > all["total"].as_u64().unwrap());
    assert!(all["total"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn malformed_queries_are_read_leniently_and_say_what_was_ignored() {
    for (q, warning) in [
        ("\"تفاهم نامه", "quote"),
        ("((نفت", ")"),
        ("نفت))", ")"),
        ("نفت OR", "OR"),
        ("OR نفت", "OR"),
        ("foo:نفت", "foo"),
        ("\"\"", "empty"),
    ] {
        let r = search(&[("q", q)]).await;
        let warnings: Vec<&str> = r["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap())
            .collect();
        assert!(
            warnings.iter().any(|w| w.contains(warning)),
            "{q}: {warnings:?}"
        );
        assert!(r["hits"].is_array() && r["facets"].is_object(), "{q}");
    }
    // The query language's operators.
    let oil = search(&[("q", "نفت")]).await["total"].as_u64().unwrap();
    let without_gas = search(&[("q", "نفت -گاز")]).await["total"]
        .as_u64()
        .unwrap();
    assert!(without_gas < oil);
    let title_only = search(&[("q", "title:نفت")]).await["total"]
        .as_u64()
        .unwrap();
    assert!(title_only < oil);
}
