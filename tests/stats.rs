//! Analytics on the bundled corpus: exact counts for every `by`, with filters and as a two-level
//! breakdown, checked against counts computed here straight from the corpus files; CSV output
//! checked as RFC 4180.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use kavosh::document::{Kind, PartnerRegistry};
use kavosh::index::SearchIndex;
use kavosh::ingest::{ingest_paths, page::parse_page, settle};
use kavosh::search::export::stats_csv;
use kavosh::search::facets::MAX_FACET_VALUES;
use kavosh::search::stats::{StatsBucket, StatsBy, StatsRequest, stats};
use kavosh::search::{self, FacetValue, Filters, SearchRequest, Typos};

/// What the test knows of one corpus page, read from the file itself.
struct Page {
    kind: &'static str,
    year: String,
    month: String,
    /// Partner keys: the index shows one name per organisation, whichever form a page wrote.
    partners: Vec<String>,
    domains: Vec<String>,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// Kind, Jalali year and month straight from lines 2 and 3 of each page; partners and domains
/// from the extractors (the index and the aggregation engine are what is under test).
fn pages() -> &'static Vec<Page> {
    static PAGES: OnceLock<Vec<Page>> = OnceLock::new();
    PAGES.get_or_init(|| {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(corpus_dir()).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "txt") || path.ends_with("README.md") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            let kind = if lines[1].contains("خبر") {
                "news"
            } else {
                "agreement"
            };
            let digits: String = lines[2]
                .chars()
                .map(|c| match c {
                    '۰'..='۹' => char::from_digit(c as u32 - '۰' as u32, 10).unwrap(),
                    c => c,
                })
                .collect();
            let date = digits
                .split_whitespace()
                .find(|w| w.matches('/').count() == 2)
                .unwrap();
            let (year, month) = (date[..4].to_string(), date[..7].to_string());
            let id = path.file_stem().unwrap().to_string_lossy().into_owned();
            let doc = settle(parse_page(&id, "", &text).unwrap());
            out.push(Page {
                kind,
                year,
                month,
                partners: organisations(&doc.partners.unwrap()),
                domains: doc.domains.unwrap(),
            });
        }
        out
    })
}

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let index = SearchIndex::in_memory().unwrap();
        let report = ingest_paths(&index, &[corpus_dir()]).unwrap();
        assert!(report.rejected.is_empty(), "{:?}", report.rejected);
        index
    })
}

/// The values a page counts under for a dimension (domains roll up to their parents).
fn values(p: &Page, by: StatsBy) -> Vec<String> {
    match by {
        StatsBy::Kind => vec![p.kind.to_string()],
        StatsBy::Year => vec![p.year.clone()],
        StatsBy::Month => vec![p.month.clone()],
        StatsBy::Partner => p.partners.clone(),
        StatsBy::Domain => {
            let mut v: Vec<String> = Vec::new();
            for d in &p.domains {
                for ancestor in [
                    Some(d.as_str()),
                    d.split_once('/').map(|(parent, _)| parent),
                ]
                .into_iter()
                .flatten()
                {
                    if !v.iter().any(|x| x == ancestor) {
                        v.push(ancestor.to_string());
                    }
                }
            }
            v
        }
    }
}

fn expected(by: StatsBy, keep: impl Fn(&Page) -> bool) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for p in pages().iter().filter(|p| keep(p)) {
        for v in values(p, by) {
            *counts.entry(v).or_default() += 1;
        }
    }
    counts
}

fn request(by: Vec<StatsBy>, filters: Filters) -> StatsRequest {
    StatsRequest {
        q: String::new(),
        filters,
        by,
        top: None,
        typos: Typos::Exact,
    }
}

fn got(buckets: &[StatsBucket]) -> BTreeMap<String, u64> {
    buckets.iter().map(|b| (b.key.clone(), b.count)).collect()
}

/// Names as partner keys, each once.
fn organisations(names: &[String]) -> Vec<String> {
    let mut keys: Vec<String> = names
        .iter()
        .map(|n| PartnerRegistry::get().key(n))
        .collect();
    keys.dedup();
    keys
}

/// Counts by partner name as counts by partner key; no two names may share a key.
fn by_key(counts: BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for (name, count) in counts {
        let key = PartnerRegistry::get().key(&name);
        assert!(
            out.insert(key, count).is_none(),
            "two partner values are one organisation: {name}"
        );
    }
    out
}

/// What a stats reply counts, with partners by key.
fn got_by(by: StatsBy, buckets: &[StatsBucket]) -> BTreeMap<String, u64> {
    match by {
        StatsBy::Partner => by_key(got(buckets)),
        _ => got(buckets),
    }
}

#[test]
fn every_dimension_counts_exactly() {
    assert_eq!(pages().len(), 229);
    for by in [
        StatsBy::Kind,
        StatsBy::Year,
        StatsBy::Month,
        StatsBy::Partner,
        StatsBy::Domain,
    ] {
        let reply = stats(index(), &request(vec![by], Filters::default())).unwrap();
        assert_eq!(reply.total, 229);
        assert_eq!(
            got_by(by, &reply.buckets),
            expected(by, |_| true),
            "by {by:?}"
        );
    }
}

/// Search facets count with their own collector; they must agree with the corpus too, for
/// the whole index and under a filter of another facet.
#[test]
fn search_facets_count_exactly() {
    let as_map = |values: &[FacetValue]| -> BTreeMap<String, u64> {
        values.iter().map(|v| (v.value.clone(), v.count)).collect()
    };
    for kind in [None, Some(Kind::Agreement)] {
        let mut req = SearchRequest {
            facets: true,
            ..SearchRequest::default()
        };
        req.filters.kinds.extend(kind);
        let facets = search::search(index(), &req).unwrap().facets;
        let keep = |p: &Page| kind.is_none_or(|k| p.kind == k.as_str());
        // The most frequent MAX_FACET_VALUES partners, by exact counts.
        let partners = by_key(as_map(&facets.partner));
        let all = expected(StatsBy::Partner, keep);
        assert_eq!(partners.len(), all.len().min(MAX_FACET_VALUES));
        let least = partners.values().copied().min().unwrap_or(0);
        for (key, count) in &all {
            match partners.get(key) {
                Some(n) => assert_eq!(n, count, "{key}"),
                None => assert!(*count <= least, "{key} ({count}) is missing"),
            }
        }
        assert_eq!(as_map(&facets.domain), expected(StatsBy::Domain, keep));
        assert_eq!(as_map(&facets.year), expected(StatsBy::Year, keep));
        // The kind facet ignores its own filter (multi-select).
        assert_eq!(as_map(&facets.kind), expected(StatsBy::Kind, |_| true));
    }
}

#[test]
fn filters_and_labels() {
    let filters = Filters {
        kinds: vec![Kind::Agreement],
        years: vec![1403],
        ..Filters::default()
    };
    let reply = stats(index(), &request(vec![StatsBy::Domain], filters)).unwrap();
    let keep = |p: &Page| p.kind == "agreement" && p.year == "1403";
    assert_eq!(
        reply.total,
        pages().iter().filter(|p| keep(p)).count() as u64
    );
    assert_eq!(got(&reply.buckets), expected(StatsBy::Domain, keep));
    let energy = reply.buckets.iter().find(|b| b.key == "energy");
    if let Some(b) = energy {
        assert_eq!(b.label.as_deref(), Some("انرژی"));
    }

    let by_month = stats(index(), &request(vec![StatsBy::Month], Filters::default())).unwrap();
    let keys: Vec<&str> = by_month.buckets.iter().map(|b| b.key.as_str()).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "months in calendar order");
    let azar = by_month
        .buckets
        .iter()
        .find(|b| b.key == "1404/09")
        .unwrap();
    assert_eq!(azar.label.as_deref(), Some("آذر 1404"));

    let domain_filtered = Filters {
        domains: vec!["energy".into()],
        ..Filters::default()
    };
    let reply = stats(index(), &request(vec![StatsBy::Partner], domain_filtered)).unwrap();
    let keep = |p: &Page| {
        p.domains
            .iter()
            .any(|d| d == "energy" || d.starts_with("energy/"))
    };
    assert_eq!(
        got_by(StatsBy::Partner, &reply.buckets),
        expected(StatsBy::Partner, keep)
    );
}

#[test]
fn two_levels() {
    let reply = stats(
        index(),
        &request(vec![StatsBy::Year, StatsBy::Domain], Filters::default()),
    )
    .unwrap();
    for year in &reply.buckets {
        let inner = year.buckets.as_ref().expect("second level");
        assert_eq!(
            got(inner),
            expected(StatsBy::Domain, |p| p.year == year.key),
            "year {}",
            year.key
        );
    }
    assert_eq!(got(&reply.buckets), expected(StatsBy::Year, |_| true));
}

#[test]
fn top_keeps_the_largest_and_the_latest() {
    let mut req = request(vec![StatsBy::Partner], Filters::default());
    req.top = Some(3);
    let reply = stats(index(), &req).unwrap();
    assert_eq!(reply.buckets.len(), 3);
    let all = expected(StatsBy::Partner, |_| true);
    let mut counts: Vec<u64> = all.values().copied().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(
        reply.buckets.iter().map(|b| b.count).collect::<Vec<_>>(),
        counts[..3]
    );
    let mut req = request(vec![StatsBy::Year], Filters::default());
    req.top = Some(2);
    let keys: Vec<String> = stats(index(), &req)
        .unwrap()
        .buckets
        .into_iter()
        .map(|b| b.key)
        .collect();
    assert_eq!(keys, vec!["1404", "1405"]);
}

/// A minimal RFC 4180 reader: quoted fields, doubled quotes, CRLF records.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    assert!(text.ends_with("\r\n"));
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CR only before LF");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => {
                assert!(c != '\n' && c != '"', "bare {c:?} outside quotes");
                field.push(c);
            }
        }
    }
    records
}

#[test]
fn csv_is_rfc_4180_utf8() {
    let reply = stats(
        index(),
        &request(vec![StatsBy::Year, StatsBy::Domain], Filters::default()),
    )
    .unwrap();
    let csv = stats_csv(&reply);
    let records = parse_csv(&csv);
    assert_eq!(
        records[0],
        vec!["year", "year_label", "domain", "domain_label", "count"]
    );
    let mut total_rows = 0;
    for year in &reply.buckets {
        for d in year.buckets.as_ref().unwrap() {
            total_rows += 1;
            let row = records
                .iter()
                .find(|r| r[0] == year.key && r[2] == d.key)
                .expect("a row per bucket");
            assert_eq!(row[4], d.count.to_string());
            assert_eq!(row[3], d.label.clone().unwrap_or_default());
        }
    }
    assert_eq!(records.len(), total_rows + 1);
    // Labels with commas («نفت، گاز و پتروشیمی» uses the Arabic comma; partner names may use
    // ASCII ones) survive quoting.
    let partners = stats_csv(
        &stats(
            index(),
            &request(vec![StatsBy::Partner], Filters::default()),
        )
        .unwrap(),
    );
    for r in parse_csv(&partners).iter().skip(1) {
        assert_eq!(r.len(), 3, "{r:?}");
    }
}

#[test]
fn elasticsearch_style_aggregations_with_limits() {
    use kavosh::search::stats::aggregate;
    use serde_json::json;
    let reply = aggregate(
        index(),
        "",
        &Filters::default(),
        json!({
            "per_year": {"terms": {"field": "year", "size": 20},
                         "aggs": {"mou": {"stats": {"field": "number"}}}},
            "partners": {"cardinality": {"field": "partner"}},
            "by_date": {"date_histogram": {"field": "date", "fixed_interval": "30d"}}
        }),
    )
    .unwrap();
    let buckets = reply["per_year"]["buckets"].as_array().unwrap();
    let counted: BTreeMap<String, u64> = buckets
        .iter()
        .map(|b| (b["key"].to_string(), b["doc_count"].as_u64().unwrap()))
        .collect();
    let want: BTreeMap<String, u64> = expected(StatsBy::Year, |_| true)
        .into_iter()
        .map(|(k, v)| (k.parse::<f64>().unwrap().to_string(), v))
        .collect();
    assert_eq!(
        counted.values().sum::<u64>(),
        want.values().sum::<u64>(),
        "{counted:?} vs {want:?}"
    );
    let partners = reply["partners"]["value"].as_f64().unwrap();
    assert!(partners >= 30.0, "{partners}");
    assert!(
        reply["by_date"]["buckets"]
            .as_array()
            .is_some_and(|b| b.len() > 50)
    );

    let err = aggregate(
        index(),
        "",
        &Filters::default(),
        json!({"x": {"terms": {"field": "body"}}}),
    )
    .unwrap_err();
    assert!(
        matches!(err, kavosh::search::SearchError::Invalid(m) if m.contains("cannot be aggregated"))
    );
    let err = aggregate(
        index(),
        "",
        &Filters::default(),
        json!({"x": {"histogram": {"field": "date", "interval": 1000.0}}}),
    )
    .unwrap_err();
    assert!(
        matches!(err, kavosh::search::SearchError::Invalid(m) if m.contains("limit") || m.contains("bucket")),
        "bucket limit"
    );
}

/// No two partner values of the index are one organisation: every line of
/// `tests/data/organisation-names.tsv` (the ways the corpus writes one organisation's name,
/// listed by hand) is exactly one value of `/stats?by=partner` and of the search facet.
#[test]
fn no_two_partner_values_are_one_organisation() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/organisation-names.tsv");
    let groups: Vec<Vec<String>> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').map(kavosh::analysis::name_key).collect())
        .collect();
    assert!(groups.len() >= 20);
    let reply = stats(
        index(),
        &request(vec![StatsBy::Partner], Filters::default()),
    )
    .unwrap();
    let values: Vec<String> = reply.buckets.iter().map(|b| b.key.clone()).collect();
    let req = SearchRequest {
        facets: true,
        ..SearchRequest::default()
    };
    let facets = search::search(index(), &req).unwrap().facets;
    for group in &groups {
        let matching: Vec<&String> = values
            .iter()
            .filter(|v| group.contains(&kavosh::analysis::name_key(v)))
            .collect();
        assert_eq!(matching.len(), 1, "{group:?}: {matching:?}");
        let in_facet = facets
            .partner
            .iter()
            .filter(|v| group.contains(&kavosh::analysis::name_key(&v.value)))
            .count();
        assert!(in_facet <= 1, "{group:?} in the facet");
    }
    // Distinct values are distinct organisations by the partner key too (punctuation,
    // «استان», «ج.ا.ا», the registry's short forms), in stats, the facet and /aggregate alike.
    let registry = PartnerRegistry::get();
    let mut keys: Vec<String> = values.iter().map(|v| registry.key(v)).collect();
    keys.sort();
    let before = keys.len();
    keys.dedup();
    assert_eq!(keys.len(), before, "{values:?}");
    let terms = kavosh::search::stats::aggregate(
        index(),
        "",
        &Filters::default(),
        serde_json::json!({"p": {"terms": {"field": "partner", "size": 1000}}}),
    )
    .unwrap();
    let mut aggregated: Vec<String> = terms["p"]["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["key"].as_str().unwrap().to_string())
        .collect();
    let mut shown = values.clone();
    aggregated.sort();
    shown.sort();
    assert_eq!(aggregated, shown);
}
