//! Any of several queries, each looked for only at the documents the union is asked about.
//!
//! A query word is found several ways (`query`): by terms, and by its compound written apart, a
//! phrase checked in positions (`super::apart`). tantivy's union (`BufferedUnionScorer`) fills
//! windows of 4,096 documents from every member in turn, so inside an intersection a phrase
//! member is still checked in every document holding its words, wherever the query's other
//! words are: at a million documents, most of the time of `شرکت‌های دانش‌بنیان کشاورزی`.
//! [`AlternativesQuery`] keeps its members apart. Asked whether a document matches
//! (`DocSet::seek_danger`, what an intersection asks of every clause but the one it walks), it
//! asks its members about that document alone, in turn until one holds it, so positions are
//! read only for the candidates the rest of the query allows; the other members are asked when
//! the document's score is wanted, that is when every clause matches there. Walked
//! (`advance`), it walks its members side by side; searched alone, or where every word is
//! dense, its members are read window by window instead (`super::windowed`).
//!
//! Members cheap to walk (terms) belong together in one member, a union of their own: walking
//! one union of terms is faster than walking them side by side.

use std::fmt;

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, TERMINATED, Term};

use super::phrase::explained_sum;
use super::windowed::Windowed;

/// Matches the documents any member matches, scoring the sum of the scores of those that do.
pub struct AlternativesQuery {
    members: Vec<Box<dyn Query>>,
}

impl AlternativesQuery {
    pub fn new(members: Vec<Box<dyn Query>>) -> AlternativesQuery {
        AlternativesQuery { members }
    }
}

impl Clone for AlternativesQuery {
    fn clone(&self) -> Self {
        AlternativesQuery {
            members: self.members.iter().map(|m| m.box_clone()).collect(),
        }
    }
}

impl fmt::Debug for AlternativesQuery {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "Alternatives{:?}", self.members)
    }
}

impl Query for AlternativesQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let members = self
            .members
            .iter()
            .map(|m| m.weight(enable_scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(AlternativesWeight { members }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for member in &self.members {
            member.query_terms(visitor);
        }
    }
}

struct AlternativesWeight {
    members: Vec<Box<dyn Weight>>,
}

impl Weight for AlternativesWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorers = Vec::with_capacity(self.members.len());
        for weight in &self.members {
            let scorer = weight.scorer(reader, boost)?;
            if !scorer.is::<EmptyScorer>() && scorer.doc() != TERMINATED {
                scorers.push(scorer);
            }
        }
        Ok(match scorers.len() {
            0 => Box::new(EmptyScorer),
            1 => scorers.remove(0),
            _ => Box::new(AlternativesScorer::new(scorers)),
        })
    }

    /// Walks the members window by window ([`Windowed`]), not document by document.
    fn for_each(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        Windowed::of(self.scorer(reader, 1.0)?).for_each(callback);
        Ok(())
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let matched: Vec<Explanation> = self
            .members
            .iter()
            .filter_map(|w| w.explain(reader, doc).ok())
            .collect();
        explained_sum("Any of", doc, matched)
    }
}

/// One member's scorer and where it stands.
struct Member {
    scorer: Box<dyn Scorer>,
    /// The member's document when `valid`; otherwise a bound at or below its next document,
    /// above the last document it was asked about (`seek_danger` found that one missing, and
    /// the member may then only be asked with `seek_danger` until it finds one).
    next: DocId,
    valid: bool,
}

impl Member {
    /// Moves to the member's first document at or after `target`.
    fn reach(&mut self, target: DocId) {
        if self.valid {
            if self.next < target {
                self.next = self.scorer.seek(target);
            }
            return;
        }
        let mut candidate = target.max(self.next);
        while candidate < TERMINATED {
            match self.scorer.seek_danger(candidate) {
                SeekDangerResult::Found => break,
                SeekDangerResult::SeekLowerBound(bound) => candidate = bound,
            }
        }
        // At TERMINATED the member is done: it is never asked again.
        self.next = candidate;
        self.valid = true;
    }

    /// Whether the member holds `target`, asking it about `target` alone.
    fn holds(&mut self, target: DocId) -> bool {
        if self.next == target && self.valid {
            return true;
        }
        if self.next > target {
            return false;
        }
        match self.scorer.seek_danger(target) {
            SeekDangerResult::Found => {
                self.next = target;
                self.valid = true;
            }
            SeekDangerResult::SeekLowerBound(bound) => {
                self.next = bound;
                self.valid = false;
            }
        }
        self.valid
    }
}

pub(super) struct AlternativesScorer {
    members: Vec<Member>,
    doc: DocId,
}

impl AlternativesScorer {
    /// The members' scorers, in order (read as [`Windowed`]: before any is moved).
    pub(super) fn into_member_scorers(self) -> Vec<Box<dyn Scorer>> {
        self.members.into_iter().map(|m| m.scorer).collect()
    }

    fn new(scorers: Vec<Box<dyn Scorer>>) -> AlternativesScorer {
        let members: Vec<Member> = scorers
            .into_iter()
            .map(|scorer| Member {
                next: scorer.doc(),
                scorer,
                valid: true,
            })
            .collect();
        let doc = members.iter().map(|m| m.next).min().unwrap_or(TERMINATED);
        AlternativesScorer { members, doc }
    }

    /// Moves every member to its first document at or after `target`; the first of them.
    fn reach(&mut self, target: DocId) -> DocId {
        let mut first = TERMINATED;
        for member in &mut self.members {
            member.reach(target);
            first = first.min(member.next);
        }
        first
    }
}

impl DocSet for AlternativesScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        let doc = self.doc;
        let mut first = TERMINATED;
        for member in &mut self.members {
            if member.valid && member.next == doc {
                // Cheaper than seeking to the next document.
                member.next = member.scorer.advance();
            } else {
                member.reach(doc + 1);
            }
            first = first.min(member.next);
        }
        self.doc = first;
        first
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc < target {
            self.doc = self.reach(target);
        }
        self.doc
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if target >= TERMINATED {
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        // The first member that holds `target` is enough for a match; the others are asked
        // only if its score is wanted (most candidates of an intersection are not matches).
        let mut bound = TERMINATED;
        for member in &mut self.members {
            if member.holds(target) {
                self.doc = target;
                return SeekDangerResult::Found;
            }
            bound = bound.min(member.next);
        }
        SeekDangerResult::SeekLowerBound(bound)
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.members
            .iter()
            .map(|m| m.scorer.size_hint())
            .fold(0, u32::saturating_add)
    }

    fn cost(&self) -> u64 {
        self.members.iter().map(|m| m.scorer.cost()).sum()
    }
}

impl Scorer for AlternativesScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        self.members
            .iter_mut()
            .filter_map(|m| m.holds(doc).then(|| m.scorer.score()))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{Field, IndexRecordOption};
    use tantivy::{DocAddress, Searcher};

    use super::*;
    use crate::search::apart::WrittenApartQuery;
    use crate::search::phrase::tests::index;

    fn term(field: Field, text: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, text),
            IndexRecordOption::WithFreqs,
        ))
    }

    fn apart(field: Field, parts: &[&str], joined: &str) -> Box<dyn Query> {
        Box::new(WrittenApartQuery::new(
            parts
                .iter()
                .map(|p| Term::from_field_text(field, p))
                .collect(),
            Term::from_field_text(field, joined),
        ))
    }

    /// Every match with its score.
    fn matches(searcher: &Searcher, query: &dyn Query) -> BTreeMap<DocAddress, Score> {
        let hits = searcher
            .search(query, &TopDocs::with_limit(1_000).order_by_score())
            .unwrap();
        assert_eq!(searcher.search(query, &Count).unwrap(), hits.len());
        hits.into_iter().map(|(score, at)| (at, score)).collect()
    }

    fn assert_same(
        searcher: &Searcher,
        alternatives: &dyn Query,
        union: &dyn Query,
    ) -> Result<(), TestCaseError> {
        let ours = matches(searcher, alternatives);
        let theirs = matches(searcher, union);
        prop_assert_eq!(
            ours.keys().collect::<Vec<_>>(),
            theirs.keys().collect::<Vec<_>>()
        );
        for (at, score) in &ours {
            prop_assert!(
                (score - theirs[at]).abs() < 1e-4,
                "{at:?}: {score} {}",
                theirs[at]
            );
            let explained = alternatives.explain(searcher, *at).unwrap();
            prop_assert!((explained.value() - score).abs() < 1e-4);
        }
        Ok(())
    }

    /// A word's alternatives (`تفاهمنامه`, or `تفاهم نامه` apart), alone and required beside
    /// another word, against tantivy's union of the same members.
    fn check(segments: &[Vec<String>], other: &str) -> Result<(), TestCaseError> {
        let segments: Vec<Vec<&str>> = segments
            .iter()
            .map(|s| s.iter().map(String::as_str).collect())
            .collect();
        let segments: Vec<&[&str]> = segments.iter().map(Vec::as_slice).collect();
        let (index, text) = index(&segments);
        let searcher = index.reader().unwrap().searcher();
        let members = || -> Vec<Box<dyn Query>> {
            vec![
                term(text, "تفاهمنامه"),
                apart(text, &["تفاهم", "نامه"], "تفاهمنامه"),
                apart(text, &["نامه", "همکاری"], "نامههمکاری"),
            ]
        };
        let alternatives = AlternativesQuery::new(members());
        let union = BooleanQuery::union(members());
        assert_same(&searcher, &alternatives, &union)?;
        let beside = |q: Box<dyn Query>| {
            BooleanQuery::new(vec![(Occur::Must, term(text, other)), (Occur::Must, q)])
        };
        assert_same(
            &searcher,
            &beside(Box::new(alternatives)),
            &beside(Box::new(union)),
        )
    }

    #[test]
    fn finds_what_a_union_finds_walked_and_asked() {
        let docs = |texts: &[&str]| texts.iter().map(|t| t.to_string()).collect::<Vec<_>>();
        check(
            &[
                docs(&[
                    "تفاهمنامه همکاری",
                    "تفاهم نامه همکاری",
                    "نامه تفاهم همکاری",
                    "همکاری",
                ]),
                docs(&["نامه همکاری تفاهم", "تفاهم نامه", "تفاهمنامه تفاهم نامه"]),
            ],
            "همکاری",
        )
        .unwrap();
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_documents_give_a_union_s_matches_and_scores(
            segments in prop::collection::vec(
                prop::collection::vec(
                    prop::collection::vec(
                        prop::sample::select(vec!["تفاهم", "نامه", "تفاهمنامه", "همکاری", "و"]),
                        0..6,
                    ).prop_map(|words| words.join(" ")),
                    1..30,
                ),
                1..3,
            ),
            other in prop::sample::select(vec!["همکاری", "و", "تفاهم"]),
        ) {
            check(&segments, other)?;
        }
    }
}
