//! Analytics: exact document counts by partner, domain, kind, Jalali year or Jalali month (one or
//! two levels), for the same query and filters as search; and Elasticsearch-style aggregation
//! requests run by tantivy's aggregation engine on the index's fast fields, within stated limits.

use std::time::Instant;

use serde::Serialize;
use serde_json::{Value, json};
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::{AggContextParams, AggregationCollector, AggregationLimitsGuard};
use tantivy::collector::Count;

use super::query::{MatchMode, Typos};
use super::{Filters, SearchError, filtered_query};
use crate::calendar::jalali_month_label;
use crate::document::Taxonomy;
use crate::index::SearchIndex;
use crate::index::schema::AGGREGATABLE_FIELDS;

/// Most buckets one aggregation may produce.
pub const MAX_BUCKETS: u32 = 10_000;
/// Memory one aggregation may use.
pub const MAX_AGGREGATION_BYTES: u64 = 64 * 1024 * 1024;
/// Most levels of a `/stats` breakdown.
pub const MAX_LEVELS: usize = 2;

/// What to count by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatsBy {
    Partner,
    Domain,
    Kind,
    Year,
    Month,
}

impl StatsBy {
    pub fn parse(s: &str) -> Option<StatsBy> {
        match s {
            "partner" => Some(StatsBy::Partner),
            "domain" => Some(StatsBy::Domain),
            "kind" => Some(StatsBy::Kind),
            "year" => Some(StatsBy::Year),
            "month" => Some(StatsBy::Month),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            StatsBy::Partner => "partner",
            StatsBy::Domain => "domain",
            StatsBy::Kind => "kind",
            StatsBy::Year => "year",
            StatsBy::Month => "month",
        }
    }

    /// Time runs in calendar order; the rest by count.
    fn chronological(self) -> bool {
        matches!(self, StatsBy::Year | StatsBy::Month)
    }
}

/// A `/stats` request.
#[derive(Clone, Debug)]
pub struct StatsRequest {
    pub q: String,
    pub filters: Filters,
    pub by: Vec<StatsBy>,
    /// Keep only the `top` largest buckets of each level (time levels: the latest).
    pub top: Option<usize>,
    pub typos: Typos,
}

#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct StatsBucket {
    /// `دانشگاه مازندران`, `energy/oil-gas`, `agreement`, `1404`, `1404/09`.
    pub key: String,
    /// Persian label: the domain's name, or the month's (`آذر 1404`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub count: u64,
    /// The second level, when two `by` were asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub buckets: Option<Vec<StatsBucket>>,
}

#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct StatsResponse {
    pub query: String,
    /// Documents matching the query and filters.
    pub total: u64,
    pub by: Vec<String>,
    pub buckets: Vec<StatsBucket>,
    pub took_ms: f64,
    pub warnings: Vec<String>,
}

/// Counts documents by one or two dimensions.
pub fn stats(index: &SearchIndex, req: &StatsRequest) -> Result<StatsResponse, SearchError> {
    let started = Instant::now();
    if req.by.is_empty() || req.by.len() > MAX_LEVELS {
        return Err(SearchError::Invalid(format!(
            "give 1 to {MAX_LEVELS} `by` dimensions (partner, domain, kind, year, month)"
        )));
    }
    if req.q.chars().count() > super::MAX_QUERY_CHARS {
        return Err(SearchError::Invalid(format!(
            "query longer than {} characters",
            super::MAX_QUERY_CHARS
        )));
    }
    let (searcher, built, query) = filtered_query(
        index,
        &req.q,
        &req.filters,
        (req.typos, MatchMode::All),
        true,
    )?;

    let mut level: Option<Value> = None;
    for by in req.by.iter().rev() {
        let mut terms = json!({"terms": {"field": field_of(*by), "size": MAX_BUCKETS, "segment_size": MAX_BUCKETS}});
        if let Some(inner) = level.take() {
            terms["aggs"] = json!({ "inner": inner });
        }
        level = Some(terms);
    }
    let request = json!({ "outer": level.expect("at least one level") });
    let aggs: Aggregations = serde_json::from_value(request)
        .map_err(|e| SearchError::Invalid(format!("stats request: {e}")))?;
    let (total, results) = searcher.search(&*query, &(Count, collector(aggs)))?;
    let json = serde_json::to_value(&results)
        .map_err(|e| SearchError::Invalid(format!("stats results: {e}")))?;
    let buckets = to_buckets(&json["outer"], &req.by, req.top);
    Ok(StatsResponse {
        query: req.q.clone(),
        total: total as u64,
        by: req.by.iter().map(|b| b.name().to_string()).collect(),
        buckets,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        warnings: built.warnings,
    })
}

fn field_of(by: StatsBy) -> &'static str {
    match by {
        StatsBy::Partner => "partner",
        StatsBy::Domain => "domain",
        StatsBy::Kind => "kind",
        StatsBy::Year => "year",
        StatsBy::Month => "month",
    }
}

fn collector(aggs: Aggregations) -> AggregationCollector {
    AggregationCollector::from_aggs(
        aggs,
        AggContextParams::new(
            AggregationLimitsGuard::new(Some(MAX_AGGREGATION_BYTES), Some(MAX_BUCKETS)),
            Default::default(),
        ),
    )
}

fn to_buckets(agg: &Value, by: &[StatsBy], top: Option<usize>) -> Vec<StatsBucket> {
    let Some((&dimension, rest)) = by.split_first() else {
        return Vec::new();
    };
    let taxonomy = Taxonomy::get();
    let mut out: Vec<(u64, StatsBucket)> = super::facets::buckets(&agg["buckets"])
        .into_iter()
        .zip(agg["buckets"].as_array().into_iter().flatten())
        .map(|(v, raw)| {
            let numeric: u64 = v.value.parse().unwrap_or(0);
            let (key, label) = match dimension {
                StatsBy::Month => {
                    let (key, name) = jalali_month_label(numeric);
                    (key, Some(format!("{name} {}", numeric / 100)))
                }
                StatsBy::Domain => (
                    v.value.clone(),
                    taxonomy.label(&v.value).map(str::to_string),
                ),
                _ => (v.value.clone(), None),
            };
            let buckets = (!rest.is_empty()).then(|| to_buckets(&raw["inner"], rest, top));
            (
                numeric,
                StatsBucket {
                    key,
                    label,
                    count: v.count,
                    buckets,
                },
            )
        })
        .collect();
    if dimension.chronological() {
        out.sort_by_key(|(n, _)| *n);
        if let Some(top) = top {
            let skip = out.len().saturating_sub(top);
            out.drain(..skip);
        }
    } else {
        out.sort_by(|a, b| {
            b.1.count
                .cmp(&a.1.count)
                .then_with(|| a.1.key.cmp(&b.1.key))
        });
        if let Some(top) = top {
            out.truncate(top);
        }
    }
    out.into_iter().map(|(_, b)| b).collect()
}

/// An `/aggregate` request: an optional query and filters, and Elasticsearch-style `aggs`.
pub fn aggregate(
    index: &SearchIndex,
    q: &str,
    filters: &Filters,
    aggs: Value,
) -> Result<Value, SearchError> {
    check_fields(&aggs)?;
    let aggs: Aggregations = serde_json::from_value(aggs)
        .map_err(|e| SearchError::Invalid(format!("bad aggregation request: {e}")))?;
    let (searcher, _, query) =
        filtered_query(index, q, filters, (Typos::Auto, MatchMode::All), true)?;
    let results = searcher
        .search(&*query, &collector(aggs))
        .map_err(|e| SearchError::Invalid(format!("aggregation refused: {e}")))?;
    serde_json::to_value(&results)
        .map_err(|e| SearchError::Invalid(format!("aggregation results: {e}")))
}

/// Every `"field"` of the request must be one of the aggregatable fast fields.
fn check_fields(v: &Value) -> Result<(), SearchError> {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "field"
                    && let Some(field) = v.as_str()
                    && !AGGREGATABLE_FIELDS.contains(&field)
                {
                    return Err(SearchError::Invalid(format!(
                        "field {field:?} cannot be aggregated; use one of {}",
                        AGGREGATABLE_FIELDS.join(", ")
                    )));
                }
                check_fields(v)?;
            }
            Ok(())
        }
        Value::Array(items) => items.iter().try_for_each(check_fields),
        _ => Ok(()),
    }
}
