//! Multi-select facet counts: the counts of each facet are computed with every filter except
//! that facet's own, so a user who ticks one partner still sees the counts of the others.
//! Domain counts roll up to parents (documents are indexed under their domains' ancestors).

use serde::Serialize;
use serde_json::{Value, json};
use tantivy::Searcher;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::{AggContextParams, AggregationCollector, AggregationLimitsGuard};
use tantivy::query::Query;

use super::{Filters, SearchError, with_filters};
use crate::document::Taxonomy;
use crate::index::Fields;

/// Most values returned per facet (the most frequent; selected values are always included).
pub const MAX_FACET_VALUES: usize = 100;
/// Bucket limit of one facet aggregation.
const FACET_BUCKETS: u32 = 65_000;

/// The dimensions a request can filter on. `Date` filters only; it has no counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FacetName {
    Partner,
    Domain,
    Kind,
    Year,
    Date,
}

impl FacetName {
    pub const COUNTED: [FacetName; 4] = [
        FacetName::Partner,
        FacetName::Domain,
        FacetName::Kind,
        FacetName::Year,
    ];

    /// The fast field holding the facet's values.
    pub fn field(self) -> &'static str {
        match self {
            FacetName::Partner => "partner",
            FacetName::Domain => "domain",
            FacetName::Kind => "kind",
            FacetName::Year | FacetName::Date => "year",
        }
    }
}

#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
    /// Persian label (domains).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub struct FacetCounts {
    pub partner: Vec<FacetValue>,
    pub domain: Vec<FacetValue>,
    pub kind: Vec<FacetValue>,
    pub year: Vec<FacetValue>,
}

/// Counts every facet for `text` under `filters`, each without its own filter.
pub fn count(
    searcher: &Searcher,
    _fields: &Fields,
    text: &dyn Query,
    filters: &Filters,
    clauses: &[super::FilterClause],
) -> Result<FacetCounts, SearchError> {
    let filtered: Vec<FacetName> = clauses.iter().map(|(f, _)| *f).collect();
    // Facets without a filter of their own share one pass with all filters applied.
    let (own, shared): (Vec<FacetName>, Vec<FacetName>) = FacetName::COUNTED
        .into_iter()
        .partition(|f| filtered.contains(f));
    let mut counts = FacetCounts::default();
    let mut passes: Vec<(Option<FacetName>, Vec<FacetName>)> =
        own.into_iter().map(|f| (Some(f), vec![f])).collect();
    if !shared.is_empty() {
        passes.push((None, shared));
    }
    for (skip, facets) in passes {
        let query = with_filters(text.box_clone(), clauses, skip);
        let values = terms_counts(searcher, &*query, &facets)?;
        for (facet, mut list) in facets.into_iter().zip(values) {
            keep_top(&mut list, selected(filters, facet));
            match facet {
                FacetName::Partner => counts.partner = list,
                FacetName::Domain => {
                    let taxonomy = Taxonomy::get();
                    for v in &mut list {
                        v.label = taxonomy.label(&v.value).map(str::to_string);
                    }
                    counts.domain = list
                }
                FacetName::Kind => counts.kind = list,
                FacetName::Year => counts.year = list,
                FacetName::Date => {}
            }
        }
    }
    Ok(counts)
}

fn selected(filters: &Filters, facet: FacetName) -> Vec<String> {
    match facet {
        FacetName::Partner => filters.partners.clone(),
        FacetName::Domain => filters.domains.clone(),
        FacetName::Kind => filters
            .kinds
            .iter()
            .map(|k| k.as_str().to_string())
            .collect(),
        FacetName::Year => filters.years.iter().map(u64::to_string).collect(),
        FacetName::Date => Vec::new(),
    }
}

fn keep_top(list: &mut Vec<FacetValue>, selected: Vec<String>) {
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    let mut rank = 0;
    list.retain(|v| {
        rank += 1;
        rank <= MAX_FACET_VALUES || selected.contains(&v.value)
    });
}

/// Exact document counts per value of each facet's fast field, for one query.
pub fn terms_counts(
    searcher: &Searcher,
    query: &dyn Query,
    facets: &[FacetName],
) -> Result<Vec<Vec<FacetValue>>, SearchError> {
    let mut request = serde_json::Map::new();
    for f in facets {
        request.insert(
            f.field().to_string(),
            json!({"terms": {"field": f.field(), "size": FACET_BUCKETS, "segment_size": FACET_BUCKETS}}),
        );
    }
    let aggs: Aggregations = serde_json::from_value(Value::Object(request))
        .map_err(|e| SearchError::Invalid(format!("facet request: {e}")))?;
    let collector = AggregationCollector::from_aggs(
        aggs,
        AggContextParams::new(
            AggregationLimitsGuard::new(Some(256 * 1024 * 1024), Some(FACET_BUCKETS)),
            Default::default(),
        ),
    );
    let results = searcher.search(query, &collector)?;
    let json = serde_json::to_value(&results)
        .map_err(|e| SearchError::Invalid(format!("facet results: {e}")))?;
    Ok(facets
        .iter()
        .map(|f| buckets(&json[f.field()]["buckets"]))
        .collect())
}

/// `[{"key": .., "doc_count": ..}]` → facet values.
pub fn buckets(value: &Value) -> Vec<FacetValue> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .map(|b| FacetValue {
                    value: match &b["key"] {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => {
                            n.as_u64().map(|u| u.to_string()).unwrap_or_else(|| {
                                n.as_f64().map_or(String::new(), |f| (f as i64).to_string())
                            })
                        }
                        other => other.to_string(),
                    },
                    count: b["doc_count"].as_u64().unwrap_or(0),
                    label: None,
                })
                .collect()
        })
        .unwrap_or_default()
}
