//! Filters by kind, partner, domain, Jalali year and date range, as tantivy queries tagged with
//! the facet they belong to (so facet counts can leave their own filter out).

use std::ops::Bound;

use tantivy::query::{BooleanQuery, ConstScoreQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DateTime, Term};

use super::SearchError;
use super::facets::FacetName;
use crate::calendar::Day;
use crate::document::{Kind, Taxonomy};
use crate::index::SearchIndex;

/// Most values one filter may list.
pub const MAX_FILTER_VALUES: usize = 50;

/// A filter's query, tagged with the facet it belongs to.
pub type FilterClause = (FacetName, Box<dyn Query>);

/// The filters of a request; values of one filter are alternatives (OR), filters combine (AND).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filters {
    pub kinds: Vec<Kind>,
    pub partners: Vec<String>,
    pub domains: Vec<String>,
    pub years: Vec<u64>,
    pub from: Option<Day>,
    pub to: Option<Day>,
}

impl Filters {
    /// One query per active filter, tagged with its facet, scoring nothing. A partner is looked
    /// up by its key (any written form of an organisation finds all its documents, renames and
    /// merges followed).
    pub fn clauses(&self, index: &SearchIndex) -> Result<Vec<FilterClause>, SearchError> {
        let f = &index.fields;
        for (name, n) in [
            ("kind", self.kinds.len()),
            ("partner", self.partners.len()),
            ("domain", self.domains.len()),
            ("year", self.years.len()),
        ] {
            if n > MAX_FILTER_VALUES {
                return Err(SearchError::Invalid(format!(
                    "more than {MAX_FILTER_VALUES} values for filter {name}"
                )));
            }
        }
        let mut out: Vec<FilterClause> = Vec::new();
        let any_of = |terms: Vec<Term>| -> Box<dyn Query> {
            let queries: Vec<Box<dyn Query>> = terms
                .into_iter()
                .map(|t| Box::new(TermQuery::new(t, IndexRecordOption::Basic)) as Box<dyn Query>)
                .collect();
            Box::new(BooleanQuery::union(queries))
        };
        if !self.kinds.is_empty() {
            let terms = self
                .kinds
                .iter()
                .map(|k| Term::from_field_text(f.kind, k.as_str()))
                .collect();
            out.push((FacetName::Kind, any_of(terms)));
        }
        if !self.partners.is_empty() {
            let resolver = index.partner_resolver();
            let terms = self
                .partners
                .iter()
                .map(|p| Term::from_field_text(f.partner_key, &resolver.key_of(p)))
                .collect();
            out.push((FacetName::Partner, any_of(terms)));
        }
        if !self.domains.is_empty() {
            let taxonomy = Taxonomy::get();
            for d in &self.domains {
                if !taxonomy.contains(d) {
                    return Err(SearchError::Invalid(format!(
                        "unknown domain {d:?}; GET /taxonomy lists the ids"
                    )));
                }
            }
            let terms = self
                .domains
                .iter()
                .map(|d| Term::from_field_text(f.domain, d))
                .collect();
            out.push((FacetName::Domain, any_of(terms)));
        }
        if !self.years.is_empty() {
            let terms = self
                .years
                .iter()
                .map(|y| Term::from_field_u64(f.year, *y))
                .collect();
            out.push((FacetName::Year, any_of(terms)));
        }
        if self.from.is_some() || self.to.is_some() {
            if let (Some(from), Some(to)) = (self.from, self.to)
                && from > to
            {
                return Err(SearchError::Invalid(format!(
                    "from ({}) is after to ({})",
                    from.jalali_string(),
                    to.jalali_string()
                )));
            }
            let bound = |d: Option<Day>| match d {
                Some(d) => Bound::Included(Term::from_field_date(
                    f.date,
                    DateTime::from_timestamp_secs(d.days_since_epoch() * 86_400),
                )),
                None => Bound::Unbounded,
            };
            out.push((
                FacetName::Date,
                Box::new(RangeQuery::new(bound(self.from), bound(self.to))),
            ));
        }
        // A filter narrows the hits and scores nothing: each hit keeps its text's score, and a
        // document holding two of the partners asked for ranks no higher for it.
        Ok(out
            .into_iter()
            .map(|(facet, query)| {
                let unscored: Box<dyn Query> = Box::new(ConstScoreQuery::new(query, 0.0));
                (facet, unscored)
            })
            .collect())
    }
}
