//! A query whose matches score their own score plus a constant: how the words a query holds as
//! typed rank above their other forms and synonyms (`query::LITERAL_BONUS`) without scoring
//! the same postings twice (a union with a constant-score copy of the query would).

use std::fmt;

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{
    COLLECT_BLOCK_BUFFER_LEN, DocId, DocSet, Score, SeekDangerResult, SegmentReader, Term,
};

/// Matches what `query` matches, scoring its score plus `bonus`.
pub struct BonusQuery {
    query: Box<dyn Query>,
    bonus: Score,
}

impl BonusQuery {
    pub fn new(query: Box<dyn Query>, bonus: Score) -> BonusQuery {
        BonusQuery { query, bonus }
    }
}

impl Clone for BonusQuery {
    fn clone(&self) -> Self {
        BonusQuery {
            query: self.query.box_clone(),
            bonus: self.bonus,
        }
    }
}

impl fmt::Debug for BonusQuery {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "Bonus(+{}, {:?})", self.bonus, self.query)
    }
}

impl Query for BonusQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let scoring = enable_scoring.is_scoring_enabled();
        let weight = self.query.weight(enable_scoring)?;
        Ok(if scoring {
            Box::new(BonusWeight {
                weight,
                bonus: self.bonus,
            })
        } else {
            weight
        })
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

struct BonusWeight {
    weight: Box<dyn Weight>,
    bonus: Score,
}

impl Weight for BonusWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(BonusScorer {
            scorer: self.weight.scorer(reader, boost)?,
            bonus: self.bonus * boost,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let inner = self.weight.explain(reader, doc)?;
        let mut explanation = Explanation::new("Bonus", inner.value() + self.bonus);
        explanation.add_detail(inner);
        Ok(explanation)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.weight.count(reader)
    }

    fn scorer_danger(
        &self,
        reader: &SegmentReader,
        target: DocId,
        boost: Score,
    ) -> tantivy::Result<(SeekDangerResult, Box<dyn Scorer>)> {
        let (seek, scorer) = self.weight.scorer_danger(reader, target, boost)?;
        let scorer = Box::new(BonusScorer {
            scorer,
            bonus: self.bonus * boost,
        });
        Ok((seek, scorer))
    }
}

pub(super) struct BonusScorer {
    scorer: Box<dyn Scorer>,
    bonus: Score,
}

impl BonusScorer {
    /// The scorer it adds to, and what it adds.
    pub(super) fn into_parts(self) -> (Box<dyn Scorer>, Score) {
        (self.scorer, self.bonus)
    }
}

impl DocSet for BonusScorer {
    fn advance(&mut self) -> DocId {
        self.scorer.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.scorer.seek(target)
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        self.scorer.seek_danger(target)
    }

    fn fill_buffer(&mut self, buffer: &mut [DocId; COLLECT_BLOCK_BUFFER_LEN]) -> usize {
        self.scorer.fill_buffer(buffer)
    }

    fn doc(&self) -> DocId {
        self.scorer.doc()
    }

    fn size_hint(&self) -> u32 {
        self.scorer.size_hint()
    }

    fn cost(&self) -> u64 {
        self.scorer.cost()
    }
}

impl Scorer for BonusScorer {
    fn score(&mut self) -> Score {
        self.scorer.score() + self.bonus
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, TermQuery};
    use tantivy::schema::{IndexRecordOption, STRING, Schema};
    use tantivy::{Index, TantivyDocument, Term};

    use super::*;

    #[test]
    fn matches_score_their_own_score_plus_the_bonus() {
        let mut schema = Schema::builder();
        let word = schema.add_text_field("word", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for w in ["typed", "other", "other", "other"] {
            let mut doc = TantivyDocument::new();
            doc.add_text(word, w);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(word, w),
                IndexRecordOption::Basic,
            ))
        };
        let plain = searcher
            .search(&*term("typed"), &TopDocs::with_limit(1).order_by_score())
            .unwrap()[0]
            .0;
        let either = BooleanQuery::union(vec![
            Box::new(BonusQuery::new(term("typed"), 100.0)) as Box<dyn Query>,
            term("other"),
        ]);
        let top = searcher
            .search(&either, &TopDocs::with_limit(4).order_by_score())
            .unwrap();
        assert_eq!(top.len(), 4);
        assert!((top[0].0 - (plain + 100.0)).abs() < 1e-4, "{top:?}");
        assert!(top[1..].iter().all(|(s, _)| *s < 100.0));
        let explained = either.explain(&searcher, top[0].1).unwrap();
        assert!(format!("{explained:?}").contains("Bonus"));
    }
}
