//! A compound written apart (`تفاهم نامه`), looked for only in the documents that do not hold it
//! written as one term (`تفاهمنامه`).
//!
//! A query word that is a compound also matches its words side by side (`query`), a phrase.
//! But every document that wrote the compound with a ZWNJ holds its joined form *and* its parts
//! at consecutive positions (`analysis::compounds`), so a plain phrase reads the positions of
//! all of them, only to find what the joined term already found: at 1M documents that was two
//! thirds of the time of a frequent compound such as `تفاهم‌نامه`. Here the phrase's candidates
//! skip the documents holding the joined term before any position is read. A document matches
//! the word either way; what changes is that the phrase no longer adds its score to the joined
//! term's in documents holding both, so a ZWNJ writing no longer ranks above a joined one.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::SegmentPostings;
use tantivy::query::{Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, TERMINATED, Term};

use super::phrase::{PhrasePostings, does_not_match, field_norms, seek_to};
use super::positions::PositionFiles;
use super::union::{WINDOW, WORDS, add_to_window};

/// Matches the documents holding `parts` at consecutive positions and not holding `joined`,
/// scored as the phrase of `parts` (BM25 of the phrase's count). Every term is of one field,
/// which must keep positions.
#[derive(Clone, Debug)]
pub struct WrittenApartQuery {
    parts: Vec<Term>,
    joined: Term,
}

impl WrittenApartQuery {
    /// `parts` has at least two terms (one part is a term query, not a phrase).
    pub fn new(parts: Vec<Term>, joined: Term) -> WrittenApartQuery {
        debug_assert!(
            parts.len() > 1,
            "a compound written apart has several parts"
        );
        WrittenApartQuery { parts, joined }
    }
}

impl Query for WrittenApartQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let bm25 = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(Bm25Weight::for_terms(statistics_provider, &self.parts)?),
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(WrittenApartWeight {
            query: self.clone(),
            bm25,
            files: PositionFiles::of(&enable_scoring),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for term in &self.parts {
            visitor(term, true);
        }
        visitor(&self.joined, false);
    }
}

struct WrittenApartWeight {
    query: WrittenApartQuery,
    bm25: Option<Bm25Weight>,
    files: PositionFiles,
}

impl WrittenApartWeight {
    /// The scorer of a segment; `None` when a part is in none of its documents.
    fn apart_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<WrittenApartScorer>> {
        let parts: Vec<(u32, Term)> = (0..).zip(self.query.parts.iter().cloned()).collect();
        let Some(phrase) = PhrasePostings::open(&self.files, reader, &parts)? else {
            return Ok(None);
        };
        let field = self.query.joined.field();
        let unless = reader
            .inverted_index(field)?
            .read_postings(&self.query.joined, IndexRecordOption::Basic)?;
        let mut scorer = WrittenApartScorer {
            phrase,
            unless,
            bm25: self.bm25.as_ref().map(|w| w.boost_by(boost)),
            norms: field_norms(reader, field)?,
            doc: TERMINATED,
            count: 0,
        };
        scorer.doc = scorer.settle();
        Ok(Some(scorer))
    }
}

impl Weight for WrittenApartWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.apart_scorer(reader, boost)? {
            Some(scorer) => Box::new(scorer),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self
            .apart_scorer(reader, 1.0)?
            .ok_or_else(|| does_not_match(doc))?;
        if scorer.seek(doc) != doc {
            return Err(does_not_match(doc));
        }
        let mut explanation = Explanation::new("Written apart", scorer.score());
        if let Some(bm25) = &self.bm25 {
            let norm = scorer.norms.fieldnorm_id(doc);
            explanation.add_detail(bm25.explain(norm, scorer.count));
        }
        Ok(explanation)
    }
}

/// The phrase's candidates without the documents holding the joined term; positions are read
/// only for the others.
pub(super) struct WrittenApartScorer {
    phrase: PhrasePostings,
    unless: Option<SegmentPostings>,
    bm25: Option<Bm25Weight>,
    norms: FieldNormReader,
    doc: DocId,
    /// How many times the phrase is in `doc`.
    count: u32,
}

impl WrittenApartScorer {
    /// The first match at or after the phrase's current candidate.
    fn settle(&mut self) -> DocId {
        let mut candidate = self.phrase.doc();
        while candidate != TERMINATED {
            if self.matches(candidate) {
                return candidate;
            }
            candidate = self.phrase.advance();
        }
        TERMINATED
    }

    /// Whether the phrase's current candidate, `candidate`, matches (counting the phrase there).
    fn matches(&mut self, candidate: DocId) -> bool {
        if self.holds_joined(candidate) {
            return false;
        }
        self.count = self.phrase.count();
        self.count > 0
    }

    /// The first document from `from` on it may match (its phrase's next candidate), or
    /// `TERMINATED`.
    pub(super) fn first_from(&mut self, from: DocId) -> DocId {
        self.phrase.seek(from)
    }

    /// Adds the documents it matches from `start` to `start + WINDOW` to a window of
    /// `super::union` (their bits, and their scores to the scores there), and moves past them.
    pub(super) fn fill_window(
        &mut self,
        start: DocId,
        bits: &mut [u64; WORDS],
        scores: &mut [Score; WINDOW as usize],
    ) {
        let end = start + WINDOW;
        let mut candidate = self.phrase.seek(start);
        while candidate < end {
            if self.matches(candidate) {
                self.doc = candidate;
                add_to_window(bits, scores, start, candidate, self.score());
            }
            candidate = self.phrase.advance();
        }
    }

    /// Whether `doc` holds the joined term. Called with increasing docs only.
    fn holds_joined(&mut self, doc: DocId) -> bool {
        let Some(unless) = &mut self.unless else {
            return false;
        };
        seek_to(unless, doc) == doc
    }
}

impl DocSet for WrittenApartScorer {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.phrase.advance();
            self.doc = self.settle();
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc < target {
            self.phrase.seek(target);
            self.doc = self.settle();
        }
        self.doc
    }

    /// Checks `target` alone: positions are read only there, not up to the next match.
    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if target >= TERMINATED {
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        let candidate = self.phrase.seek(target);
        if candidate == target && self.matches(target) {
            self.doc = target;
            return SeekDangerResult::Found;
        }
        SeekDangerResult::SeekLowerBound(candidate.max(target + 1))
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.phrase.size_hint()
    }
}

impl Scorer for WrittenApartScorer {
    fn score(&mut self) -> Score {
        self.bm25.as_ref().map_or(1.0, |bm25| {
            bm25.score(self.norms.fieldnorm_id(self.doc), self.count)
        })
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::PhraseQuery;
    use tantivy::schema::Field;

    use super::*;
    use crate::search::phrase::tests::index;

    fn apart(field: Field, parts: &[&str], joined: &str) -> WrittenApartQuery {
        WrittenApartQuery::new(
            parts
                .iter()
                .map(|p| Term::from_field_text(field, p))
                .collect(),
            Term::from_field_text(field, joined),
        )
    }

    #[test]
    fn matches_the_phrase_only_where_the_joined_term_is_absent() {
        // Documents as the analyzer indexes them: a ZWNJ writing holds the joined form and the
        // parts, a spaced one the parts, a joined one the joined form.
        let (index, text) = index(&[&[
            "متن تفاهمنامه تفاهم نامه همکاری",
            "متن تفاهم نامه همکاری",
            "متن تفاهمنامه همکاری",
            "نامه تفاهم وارونه",
            "تفاهم نامه و باز تفاهم نامه",
        ]]);
        let searcher = index.reader().unwrap().searcher();
        let query = apart(text, &["تفاهم", "نامه"], "تفاهمنامه");
        let hits = searcher
            .search(&query, &TopDocs::with_limit(10).order_by_score())
            .unwrap();
        let mut docs: Vec<DocId> = hits.iter().map(|(_, a)| a.doc_id).collect();
        docs.sort();
        assert_eq!(docs, vec![1, 4]);
        assert_eq!(searcher.search(&query, &Count).unwrap(), 2);
        // Where it matches it scores as the phrase does.
        let phrase = PhraseQuery::new(vec![
            Term::from_field_text(text, "تفاهم"),
            Term::from_field_text(text, "نامه"),
        ]);
        let phrase_hits = searcher
            .search(&phrase, &TopDocs::with_limit(10).order_by_score())
            .unwrap();
        for (score, address) in &hits {
            let same = phrase_hits.iter().find(|(_, a)| a == address).unwrap();
            assert!((same.0 - score).abs() < 1e-5, "{hits:?} {phrase_hits:?}");
        }
        let explained = query.explain(&searcher, hits[0].1).unwrap();
        assert!((explained.value() - hits[0].0).abs() < 1e-5);
        let ruled_out = tantivy::DocAddress::new(0, 0);
        assert!(query.explain(&searcher, ruled_out).is_err());
    }

    #[test]
    fn every_segment_is_searched_and_a_missing_term_matches_nothing() {
        let (index, text) = index(&[
            &["تفاهمنامه تفاهم نامه", "تفاهم نامه"],
            &["تفاهم نامه", "تفاهم نامه تفاهمنامه", "تفاهم"],
        ]);
        let searcher = index.reader().unwrap().searcher();
        let count = |q: &WrittenApartQuery| searcher.search(q, &Count).unwrap();
        assert_eq!(count(&apart(text, &["تفاهم", "نامه"], "تفاهمنامه")), 2);
        // No document holds the joined term: the phrase alone.
        assert_eq!(count(&apart(text, &["تفاهم", "نامه"], "غایب")), 4);
        assert_eq!(count(&apart(text, &["تفاهم", "غایب"], "تفاهمنامه")), 0);
    }
}
