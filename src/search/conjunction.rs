//! The documents every word of a query holds, when the words are unions of terms
//! ([`super::union`]): their windows are intersected as bits, 64 documents at a time.
//!
//! tantivy's intersection asks its rarest clause for each of its documents in turn and the
//! others whether they hold it: at a million documents, the unions' `advance` and `seek` were a
//! fifth of the time of searches of two and three frequent words. [`AllOfQuery`] fills each
//! union's window over the same documents and keeps the bits they all have, as tantivy counts
//! an intersection's documents (`count_including_deleted_dense`), but scoring them. Where a
//! word is far more frequent than the rarest one, filling its windows would cost more than
//! asking it about the rare word's documents, and tantivy's intersection is used as before
//! (the union then seeks, see [`super::union`]).

use std::fmt;

use tantivy::query::{
    BooleanQuery, EnableScoring, Explanation, Occur, Query, Scorer, Weight, intersect_scorers,
};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, TERMINATED, Term};

use super::union::{TermsUnionScorer, WINDOW, WORDS};

/// How many times its terms' count, for each document of the rarest word, a word's union may
/// hold before asking it is cheaper than filling its windows (as [`super::union`] decides to
/// seek).
const FILL_COST: u64 = 4;

/// Matches the documents all `clauses` match, scoring the sum of their scores, as a boolean
/// query of `Must` clauses does (the same documents and scores, added in the same order).
pub struct AllOfQuery {
    clauses: Vec<Box<dyn Query>>,
}

impl AllOfQuery {
    pub fn new(clauses: Vec<Box<dyn Query>>) -> AllOfQuery {
        AllOfQuery { clauses }
    }

    fn scoring_weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<AllOfWeight> {
        Ok(AllOfWeight {
            clauses: self
                .clauses
                .iter()
                .map(|q| q.weight(enable_scoring))
                .collect::<tantivy::Result<_>>()?,
            boolean: self.boolean().weight(enable_scoring)?,
        })
    }

    fn boolean(&self) -> BooleanQuery {
        BooleanQuery::new(
            self.clauses
                .iter()
                .map(|q| (Occur::Must, q.box_clone()))
                .collect(),
        )
    }
}

impl Clone for AllOfQuery {
    fn clone(&self) -> Self {
        AllOfQuery::new(self.clauses.iter().map(|q| q.box_clone()).collect())
    }
}

impl fmt::Debug for AllOfQuery {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "AllOf({:?})", self.clauses)
    }
}

impl Query for AllOfQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        if !enable_scoring.is_scoring_enabled() {
            return self.boolean().weight(enable_scoring);
        }
        Ok(Box::new(self.scoring_weight(enable_scoring)?))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for clause in &self.clauses {
            clause.query_terms(visitor);
        }
    }
}

struct AllOfWeight {
    clauses: Vec<Box<dyn Weight>>,
    /// The same clauses as a boolean query, for explanations and counts.
    boolean: Box<dyn Weight>,
}

/// A segment's intersection of the clauses.
enum Intersected {
    Windows(Box<Windows>),
    /// tantivy's intersection, as a boolean query of `Must` clauses builds it.
    Other(Box<dyn Scorer>),
}

impl AllOfWeight {
    /// Read window by window when every clause is a union and none holds more than
    /// [`FILL_COST`] times its terms' count for each document of the rarest.
    fn intersected(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Intersected> {
        let scorers = self
            .clauses
            .iter()
            .map(|w| w.scorer(reader, boost))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let num_docs = reader.num_docs();
        if !scorers.iter().all(|s| s.is::<TermsUnionScorer>()) {
            return Ok(Intersected::Other(intersect_scorers(scorers, num_docs)));
        }
        let mut unions: Vec<TermsUnionScorer> = scorers
            .into_iter()
            .filter_map(|s| s.downcast::<TermsUnionScorer>().ok().map(|u| *u))
            .collect();
        // In the order tantivy's intersection adds the scores.
        unions.sort_by_key(|u| u.cost());
        let rarest = u64::from(unions[0].size_hint().max(1));
        if unions[1..]
            .iter()
            .any(|u| u.cost() > FILL_COST * u.member_count() as u64 * rarest)
        {
            let scorers = unions
                .into_iter()
                .map(|u| Box::new(u) as Box<dyn Scorer>)
                .collect();
            return Ok(Intersected::Other(intersect_scorers(scorers, num_docs)));
        }
        Ok(Intersected::Windows(Box::new(Windows::new(
            unions, num_docs,
        ))))
    }
}

impl Weight for AllOfWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.intersected(reader, boost)? {
            Intersected::Windows(mut windows) => {
                windows.advance();
                windows
            }
            Intersected::Other(scorer) => scorer,
        })
    }

    /// Calls `callback` from the windows' bits, without a call through a pointer per document.
    fn for_each(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        match self.intersected(reader, 1.0)? {
            Intersected::Windows(mut windows) => {
                while windows.doc != TERMINATED {
                    let mut matched = std::mem::replace(&mut windows.matched, [0; WORDS]);
                    for (w, bits) in matched.iter_mut().enumerate() {
                        while *bits != 0 {
                            let delta = w * 64 + bits.trailing_zeros() as usize;
                            *bits &= *bits - 1;
                            callback(windows.start + delta as DocId, windows.score_at(delta));
                        }
                    }
                    windows.next_window(windows.start + WINDOW);
                }
            }
            Intersected::Other(mut scorer) => {
                let mut doc = scorer.doc();
                while doc != TERMINATED {
                    callback(doc, scorer.score());
                    doc = scorer.advance();
                }
            }
        }
        Ok(())
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.boolean.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.boolean.count(reader)
    }
}

/// The intersection of unions read window by window: the window's documents all the unions
/// hold, not yet reached.
struct Windows {
    /// By cost, as tantivy's intersection orders its clauses (and adds their scores).
    unions: Vec<TermsUnionScorer>,
    matched: [u64; WORDS],
    start: DocId,
    doc: DocId,
    num_docs: u32,
}

impl Windows {
    /// Before its first document: [`DocSet::advance`] moves to it.
    fn new(unions: Vec<TermsUnionScorer>, num_docs: u32) -> Windows {
        let mut windows = Windows {
            unions,
            matched: [0; WORDS],
            start: 0,
            doc: 0,
            num_docs,
        };
        windows.next_window(0);
        windows
    }

    /// Fills the first window from `from` on with documents all the unions hold (`doc` is its
    /// start, before any of them); `doc` is `TERMINATED` when there is none.
    fn next_window(&mut self, mut from: DocId) {
        loop {
            // The first document from `from` on that every union may hold.
            let mut start = from;
            for union in &mut self.unions {
                start = start.max(union.first_from(from));
            }
            if start == TERMINATED || !self.unions.iter_mut().all(|u| u.fill_from(start)) {
                self.doc = TERMINATED;
                self.matched = [0; WORDS];
                return;
            }
            self.matched = *self.unions[0].window();
            for union in &self.unions[1..] {
                for (m, bits) in self.matched.iter_mut().zip(union.window()) {
                    *m &= bits;
                }
            }
            if self.matched.iter().any(|&m| m != 0) {
                self.start = start;
                self.doc = start;
                return;
            }
            from = start + WINDOW;
        }
    }

    /// The sum of the unions' scores of the window's document `start + delta`, added as
    /// tantivy's intersection adds its clauses' (the two cheapest, then the others' sum).
    fn score_at(&self, delta: usize) -> Score {
        let rest: Score = self.unions[2..].iter().map(|u| u.score_at(delta)).sum();
        self.unions[0].score_at(delta) + self.unions[1].score_at(delta) + rest
    }

    /// Moves to the window's next document; false when it has none left.
    fn next_in_window(&mut self) -> bool {
        for (w, bits) in self.matched.iter_mut().enumerate() {
            if *bits != 0 {
                let delta = w * 64 + bits.trailing_zeros() as usize;
                *bits &= *bits - 1;
                self.doc = self.start + delta as DocId;
                return true;
            }
        }
        false
    }
}

impl DocSet for Windows {
    fn advance(&mut self) -> DocId {
        while self.doc != TERMINATED {
            if self.next_in_window() {
                return self.doc;
            }
            self.next_window(self.start + WINDOW);
        }
        TERMINATED
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let delta = target - self.start;
        if delta < WINDOW {
            let word = delta as usize / 64;
            self.matched[..word].fill(0);
            self.matched[word] &= u64::MAX << (delta % 64);
        } else {
            self.next_window(target);
        }
        self.advance()
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        let doc = self.seek(target);
        if doc == target {
            SeekDangerResult::Found
        } else {
            SeekDangerResult::SeekLowerBound(doc)
        }
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        // As tantivy estimates an intersection: words are not spread at random (1.3, then
        // less for each further word).
        let mut sizes = self.unions.iter().map(|u| f64::from(u.size_hint()));
        let Some(first) = sizes.next() else {
            return 0;
        };
        let (mut estimate, mut smallest, mut co_location) = (first, first, 1.3f64);
        for size in sizes {
            co_location = (co_location - 0.1).max(1.0);
            estimate *= size / f64::from(self.num_docs.max(1)) * co_location;
            smallest = smallest.min(size);
        }
        estimate.round().min(smallest) as u32
    }

    fn cost(&self) -> u64 {
        // As tantivy's intersection: the cost of the clause that leads.
        self.unions.first().map_or(0, |u| u.cost())
    }
}

impl Scorer for Windows {
    fn score(&mut self) -> Score {
        self.score_at((self.doc - self.start) as usize)
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{DocAddress, Index, Searcher, TantivyDocument};

    use super::*;
    use crate::search::union::TermsUnionQuery;

    /// 30,000 documents over two segments: `پژوهش` in a third, `فناوری` (twice) in about a
    /// fifth, `ساری` in a run of 8,000 and every 97th, `خاویار` in 50 and `نیروگاه` in 40 (both
    /// in the second segment only), `زوج` in every other.
    fn thirty_thousand() -> (Searcher, tantivy::schema::Field) {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 0u32..30_000 {
            let mut words = vec!["سند"];
            if i % 3 == 0 {
                words.push("پژوهش");
            }
            if i % 7 == 0 || i % 11 == 0 {
                words.extend(["فناوری"; 2]);
            }
            if (20_000..20_050).contains(&i) {
                words.push("خاویار");
            }
            if (25_000..25_040).contains(&i) {
                words.push("نیروگاه");
            }
            if i % 97 == 0 || (10_000..18_000).contains(&i) {
                words.push("ساری");
            }
            if i % 2 == 0 {
                words.push("زوج");
            }
            let mut doc = TantivyDocument::new();
            doc.add_text(text, words.join(" "));
            writer.add_document(doc).unwrap();
            if i == 15_000 {
                writer.commit().unwrap();
            }
        }
        writer.commit().unwrap();
        (index.reader().unwrap().searcher(), text)
    }

    /// Every match and its score, collected with the total as a search collects them.
    fn scored(searcher: &Searcher, query: &dyn Query) -> Vec<(DocAddress, Score)> {
        let (top, total) = searcher
            .search(
                query,
                &(TopDocs::with_limit(30_000).order_by_score(), Count),
            )
            .unwrap();
        let mut all: Vec<_> = top.into_iter().map(|(s, d)| (d, s)).collect();
        assert_eq!(all.len(), total);
        all.sort_by_key(|(d, _)| *d);
        all
    }

    /// Words as unions of two terms (the first segment holds no rare word), dense ones, a rare one with a dense one, and a union with a term, alone and inside another
    /// intersection: `AllOfQuery` matches and scores as a boolean query of the same `Must`
    /// clauses, and reads windows only where every clause is a union none far denser than the
    /// rarest.
    #[test]
    fn matches_and_scores_as_a_boolean_query_of_must_clauses() {
        let (searcher, text) = thirty_thousand();
        let term = |w: &str| Term::from_field_text(text, w);
        let union = |words: &[&str]| -> Box<dyn Query> {
            Box::new(TermsUnionQuery::new(
                words
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (term(w), 1.0 + i as f32 / 2.0))
                    .collect(),
            ))
        };
        let plain = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(term(w), IndexRecordOption::WithFreqs))
        };
        // Each case: its name, its clauses, and whether windows are read in every segment.
        type Case = (&'static str, Vec<Box<dyn Query>>, bool);
        let cases: Vec<Case> = vec![
            (
                "two dense unions",
                vec![union(&["پژوهش", "زوج"]), union(&["فناوری", "ساری"])],
                true,
            ),
            (
                "three unions",
                vec![
                    union(&["فناوری", "ساری"]),
                    union(&["پژوهش", "ساری"]),
                    union(&["زوج", "سند"]),
                ],
                true,
            ),
            (
                "a rare union and a dense one",
                vec![union(&["خاویار", "نیروگاه"]), union(&["زوج", "پژوهش"])],
                false,
            ),
            (
                "a union and a term",
                vec![union(&["پژوهش", "زوج"]), plain("فناوری")],
                false,
            ),
        ];
        for (case, clauses, windowed) in cases {
            let ours = AllOfQuery::new(clauses.iter().map(|q| q.box_clone()).collect());
            let theirs = BooleanQuery::new(
                clauses
                    .iter()
                    .map(|q| (Occur::Must, q.box_clone()))
                    .collect(),
            );
            let weight = ours
                .scoring_weight(EnableScoring::enabled_from_searcher(&searcher))
                .unwrap();
            for reader in searcher.segment_readers() {
                let read = weight.intersected(reader, 1.0).unwrap();
                assert_eq!(matches!(read, Intersected::Windows(_)), windowed, "{case}");
            }
            let nested = |q: Box<dyn Query>| -> Box<dyn Query> {
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, q),
                    (Occur::Must, plain("سند")),
                    (Occur::MustNot, plain("خاویار")),
                ]))
            };
            let ours: Box<dyn Query> = Box::new(ours);
            let theirs: Box<dyn Query> = Box::new(theirs);
            for (shape, got, expected) in [
                ("alone", ours.box_clone(), theirs.box_clone()),
                (
                    "nested",
                    nested(ours.box_clone()),
                    nested(theirs.box_clone()),
                ),
            ] {
                let got = scored(&searcher, &*got);
                let expected = scored(&searcher, &*expected);
                assert!(expected.len() >= 20, "{case} {shape}: {}", expected.len());
                assert_eq!(got, expected, "{case} {shape}");
            }
            let (score, doc) = searcher
                .search(&ours, &TopDocs::with_limit(1).order_by_score())
                .unwrap()[0];
            let explained = ours.explain(&searcher, doc).unwrap();
            assert!((explained.value() - score).abs() < 1e-5, "{case}");
        }
    }

    /// Asked about every 101st document and then about each of a run, the windows find what
    /// tantivy's intersection finds.
    #[test]
    fn seeks_as_tantivys_intersection() {
        let (searcher, text) = thirty_thousand();
        let clauses = || -> Vec<Box<dyn Query>> {
            ["پژوهش", "زوج"]
                .iter()
                .map(|w| {
                    Box::new(TermsUnionQuery::new(vec![
                        (Term::from_field_text(text, w), 1.0),
                        (Term::from_field_text(text, "ساری"), 1.0),
                    ])) as Box<dyn Query>
                })
                .collect()
        };
        let enabled = EnableScoring::enabled_from_searcher(&searcher);
        let ours = AllOfQuery::new(clauses()).weight(enabled).unwrap();
        let theirs = BooleanQuery::new(clauses().into_iter().map(|q| (Occur::Must, q)).collect())
            .weight(enabled)
            .unwrap();
        for reader in searcher.segment_readers() {
            let mut got = ours.scorer(reader, 1.0).unwrap();
            let mut expected = theirs.scorer(reader, 1.0).unwrap();
            assert!(got.is::<Windows>());
            let max = reader.max_doc();
            let targets = (0..max / 2).step_by(101).chain(max / 2..max + 1);
            for target in targets {
                let doc = got.seek(target);
                assert_eq!(doc, expected.seek(target), "{target}");
                if doc != TERMINATED {
                    assert_eq!(got.score(), expected.score(), "{doc}");
                }
            }
        }
    }
}
