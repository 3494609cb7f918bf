//! A filtered search and its multi-select facet counts in one pass over the text's matches.
//!
//! The counts of a filtered facet leave out its own filter (a user who ticked one partner
//! still sees the others'), so they are not the hits' counts. Counted apart, each filtered
//! facet cost one more pass over the text's matches: at a million documents, a search with a
//! year filter took 1.4 times as long as it does in one pass. [`MultiSelect`] walks the
//! text's matches once, checks each against every filter (each filter's documents, sought
//! forward as the matches go), and gives a match that passes every filter to the hits'
//! collector, scored then, and to each filtered facet's counts, and a match that fails one
//! filter to the counts of that filter's facet alone.
//!
//! With several filters only the matches passing all but one can count anywhere. With three or
//! more, or two that hold few of a segment's documents, the pass walks only the text's matches
//! that pass that many ([`candidates`]). Two filters that hold most documents between them (a
//! kind and a year) narrow little, and checking that narrowing cost more than it saved (at 1M,
//! `year=1402&kind=news` took a third longer than walking the text alone). Filters score
//! nothing, so a hit's score is its text's.

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentOrdinal, SegmentReader, TERMINATED};

use super::FilterClause;
use super::facets::{FacetCollector, FacetLists, FacetName, FacetSegmentCollector};

/// `text`'s matches that pass every filter but one at most (with two filters or more).
fn candidates(text: &dyn Query, filters: &[FilterClause]) -> Box<dyn Query> {
    let mut clauses = vec![(Occur::Must, text.box_clone())];
    clauses.extend(filters.iter().map(|(_, f)| (Occur::Should, f.box_clone())));
    let mut query = BooleanQuery::new(clauses);
    query.set_minimum_number_should_match(filters.len() - 1);
    Box::new(query)
}

/// Searching a query's text, collects with `hits` the matches that pass every filter, and
/// counts each filtered facet over the matches that pass every filter but its own.
pub struct MultiSelect<C> {
    hits: C,
    /// The [`candidates`] of the text (with two filters or more).
    candidates: Option<Box<dyn Weight>>,
    filters: Vec<Box<dyn Weight>>,
    /// Per filter, the counts of its facet when it has counts (`Date` has none).
    counts: Vec<Option<(FacetName, FacetCollector)>>,
}

impl<C: Collector> MultiSelect<C> {
    pub fn new(
        searcher: &Searcher,
        hits: C,
        (text, filters): (&dyn Query, &[FilterClause]),
    ) -> tantivy::Result<MultiSelect<C>> {
        let unscored = EnableScoring::disabled_from_searcher(searcher);
        let scoring = if hits.requires_scoring() {
            EnableScoring::enabled_from_searcher(searcher)
        } else {
            unscored
        };
        Ok(MultiSelect {
            candidates: (filters.len() > 1)
                .then(|| candidates(text, filters).weight(scoring))
                .transpose()?,
            hits,
            filters: filters
                .iter()
                .map(|(_, f)| f.weight(unscored))
                .collect::<tantivy::Result<_>>()?,
            counts: filters
                .iter()
                .map(|(facet, _)| {
                    facet
                        .is_counted()
                        .then(|| (*facet, FacetCollector::new(searcher, vec![*facet])))
                })
                .collect(),
        })
    }
}

/// One segment's pass: the hits' collector, each filter's documents, each facet's counts.
pub struct MultiSelectSegment<H> {
    hits: H,
    filters: Vec<Box<dyn Scorer>>,
    counts: Vec<Option<FacetSegmentCollector>>,
}

impl<H: SegmentCollector> MultiSelectSegment<H> {
    /// Takes a match of the text; `score` scores it, asked only for a hit.
    fn offer(&mut self, doc: DocId, score: impl FnOnce() -> Score) {
        let mut failed = None;
        for (i, filter) in self.filters.iter_mut().enumerate() {
            let mut at = filter.doc();
            if at < doc {
                at = filter.seek(doc);
            }
            if at != doc {
                if failed.is_some() {
                    return;
                }
                failed = Some(i);
            }
        }
        match failed {
            None => {
                self.hits.collect(doc, score());
                for counts in self.counts.iter_mut().flatten() {
                    counts.collect(doc, 0.0);
                }
            }
            Some(i) => {
                if let Some(counts) = &mut self.counts[i] {
                    counts.collect(doc, 0.0);
                }
            }
        }
    }
}

impl<H: SegmentCollector> SegmentCollector for MultiSelectSegment<H> {
    /// The hits' fruit, and each counted facet's values.
    type Fruit = (H::Fruit, Vec<BTreeMap<String, u64>>);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.offer(doc, || score);
    }

    fn harvest(self) -> Self::Fruit {
        let counts = self
            .counts
            .into_iter()
            .flatten()
            .flat_map(SegmentCollector::harvest)
            .collect();
        (self.hits.harvest(), counts)
    }
}

impl<C: Collector> Collector for MultiSelect<C> {
    /// The hits' fruit, and the counts of each filtered facet.
    type Fruit = (C::Fruit, FacetLists);
    type Child = MultiSelectSegment<C::Child>;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(MultiSelectSegment {
            hits: self.hits.for_segment(ord, segment)?,
            filters: self
                .filters
                .iter()
                .map(|w| w.scorer(segment, 1.0))
                .collect::<tantivy::Result<_>>()?,
            counts: self
                .counts
                .iter()
                .map(|c| {
                    c.as_ref()
                        .map(|(_, c)| c.for_segment(ord, segment))
                        .transpose()
                })
                .collect::<tantivy::Result<_>>()?,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.hits.requires_scoring()
    }

    /// Walks the matches of the text (`weight`) or of its [`candidates`] itself, to score only
    /// the hits.
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        ord: u32,
        segment: &SegmentReader,
    ) -> tantivy::Result<<Self::Child as SegmentCollector>::Fruit> {
        let mut child = self.for_segment(ord, segment)?;
        let narrowing = match &child.filters[..] {
            // Two filters narrow the text to the documents either holds.
            [a, b] => 2 * (a.cost() + b.cost()) < u64::from(segment.max_doc()),
            filters => filters.len() > 2,
        };
        let mut scorer = match &self.candidates {
            Some(candidates) if narrowing => candidates.scorer(segment, 1.0)?,
            _ => weight.scorer(segment, 1.0)?,
        };
        let scored = self.requires_scoring();
        let alive = segment.alive_bitset();
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                child.offer(doc, || if scored { scorer.score() } else { 0.0 });
            }
            doc = scorer.advance();
        }
        Ok(child.harvest())
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<Self::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<Self::Fruit> {
        let (hits, counts): (Vec<_>, Vec<_>) = fruits.into_iter().unzip();
        let hits = self.hits.merge_fruits(hits)?;
        let counted: Vec<&(FacetName, FacetCollector)> = self.counts.iter().flatten().collect();
        // By facet, each segment's values.
        let mut segments = vec![Vec::new(); counted.len()];
        for segment in counts {
            for (values, facet) in segment.into_iter().zip(&mut segments) {
                facet.push(vec![values]);
            }
        }
        let by_facet = counted
            .into_iter()
            .zip(segments)
            .map(|((facet, collector), segments)| {
                let list = collector.merge_fruits(segments)?.pop().unwrap_or_default();
                Ok((*facet, list))
            })
            .collect::<tantivy::Result<_>>()?;
        Ok((hits, by_facet))
    }
}
