//! Multi-select facet counts: the counts of each facet are computed with every filter except
//! that facet's own, so a user who ticks one partner still sees the counts of the others.
//! Domain counts roll up to parents (documents are indexed under their domains' ancestors).

use serde::Serialize;
use serde_json::{Value, json};
use tantivy::Searcher;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::agg_result::AggregationResults;
use tantivy::aggregation::{AggContextParams, AggregationCollector, AggregationLimitsGuard};
use tantivy::query::Query;

use super::{FilterClause, Filters, SearchError, with_filters};
use crate::document::Taxonomy;

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

/// The facets whose counts equal the main query's (no filter of their own): counted in the
/// same pass as the hits.
pub fn shared(clauses: &[FilterClause]) -> Vec<FacetName> {
    FacetName::COUNTED
        .into_iter()
        .filter(|f| !clauses.iter().any(|(c, _)| c == f))
        .collect()
}

/// Counts the facets that have a filter of their own, each with every filter but its own, and
/// adds the shared facets' results (`shared_results`, from the main pass) to the reply.
pub fn count(
    searcher: &Searcher,
    text: &dyn Query,
    filters: &Filters,
    clauses: &[FilterClause],
    shared_results: Option<AggregationResults>,
) -> Result<FacetCounts, SearchError> {
    let mut counts = FacetCounts::default();
    if let Some(results) = shared_results {
        let facets = shared(clauses);
        for (facet, list) in facets.iter().zip(read(&results, &facets)?) {
            counts.set(*facet, list, filters);
        }
    }
    for (facet, _) in clauses {
        if !FacetName::COUNTED.contains(facet) {
            continue;
        }
        let query = with_filters(text.box_clone(), clauses, Some(*facet));
        let results = searcher.search(&*query, &collector(&[*facet]))?;
        let list = read(&results, &[*facet])?.pop().unwrap_or_default();
        counts.set(*facet, list, filters);
    }
    Ok(counts)
}

impl FacetCounts {
    fn set(&mut self, facet: FacetName, mut list: Vec<FacetValue>, filters: &Filters) {
        keep_top(&mut list, selected(filters, facet));
        match facet {
            FacetName::Partner => self.partner = list,
            FacetName::Domain => {
                let taxonomy = Taxonomy::get();
                for v in &mut list {
                    v.label = taxonomy.label(&v.value).map(str::to_string);
                }
                self.domain = list
            }
            FacetName::Kind => self.kind = list,
            FacetName::Year => self.year = list,
            FacetName::Date => {}
        }
    }
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

/// A collector of exact document counts per value of each facet's fast field.
pub fn collector(facets: &[FacetName]) -> AggregationCollector {
    let mut request = serde_json::Map::new();
    for f in facets {
        request.insert(
            f.field().to_string(),
            json!({"terms": {"field": f.field(), "size": FACET_BUCKETS, "segment_size": FACET_BUCKETS}}),
        );
    }
    let aggs: Aggregations =
        serde_json::from_value(Value::Object(request)).expect("a terms request is valid");
    AggregationCollector::from_aggs(
        aggs,
        AggContextParams::new(
            AggregationLimitsGuard::new(Some(256 * 1024 * 1024), Some(FACET_BUCKETS)),
            Default::default(),
        ),
    )
}

/// The values of each facet in a [`collector`]'s results.
fn read(
    results: &AggregationResults,
    facets: &[FacetName],
) -> Result<Vec<Vec<FacetValue>>, SearchError> {
    let json = serde_json::to_value(results)
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
