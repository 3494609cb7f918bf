//! The documents every word of a query holds, the words that are unions of terms
//! ([`super::union`]), and where every word is dense a word's ways ([`super::windowed`]: its
//! terms, its compound written apart, its other forms), intersected window by window as bits,
//! 64 documents at a time.
//!
//! tantivy's intersection asks its rarest clause for each of its documents in turn and the
//! others whether they hold it: at a million documents, the unions' `advance` and `seek` were a
//! fifth of the time of searches of two and three frequent words. [`AllOfQuery`] fills each
//! union's window over the same documents and keeps the bits they all have, as tantivy counts
//! an intersection's documents (`count_including_deleted_dense`), but scoring them; the other
//! clauses (a phrase, a word's ways where the rarest word is sparse) are asked about those
//! documents only.
//! Where a word is far more frequent than the rarest one, filling its windows would cost more
//! than asking it about the rare word's documents: it is asked too (and seeks, see
//! [`super::union`]). Where no union is near the rarest clause's density, tantivy's
//! intersection is used.

use std::fmt;

use tantivy::query::{
    BooleanQuery, EnableScoring, Explanation, Occur, Query, Scorer, Weight, intersect_scorers,
};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, TERMINATED, Term};

use super::phrase::does_not_match;
use super::union::{TermsUnionScorer, WINDOW, WORDS};
use super::windowed::{FilledWays, is_ways};

/// How many times its terms' count, for each document of the rarest word, a word's union may
/// hold before asking it is cheaper than filling its windows (as [`super::union`] decides to
/// seek).
const FILL_COST: u64 = 4;

/// How many times the rarest clause's documents a union may hold and still be filled: filling
/// scores every document it holds, asking it seeks its terms to the documents the filled
/// windows share. At a million documents filling was faster up to 4.2 times (`کود زیستی`,
/// `پزشکی راه دور`: 17% faster than asking), asking from 4.6 (`فناوری نانو`, `پارک فناوری نفت`,
/// `اتوماسیون صنعتی`: 16–21% faster than filling).
const FILL_DOCS: f64 = 4.5;

/// From what share of a segment's documents (one in this many) the rarest clause must hold for
/// a word's ways (a union of its terms, its compound written apart, its other forms) to be
/// filled window by window rather than asked about each document the other clauses share. A
/// way written apart reads each of its candidates, so filling pays only where nearly every
/// window is full: at a million documents `تفاهم‌نامه همکاری دانشگاه` (each word in three
/// quarters of the documents) took a third less time, `اقامتگاه‌های بوم‌گردی نوشهر` (a tenth)
/// two fifths more.
const DENSE_SHARE: u64 = 4;

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
        })
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
            let clauses = self.clauses.iter().map(|q| (Occur::Must, q.box_clone()));
            return BooleanQuery::new(clauses.collect()).weight(enable_scoring);
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
}

/// A segment's intersection of the clauses.
enum Intersected {
    Windows(Box<Windows>),
    /// tantivy's intersection, as a boolean query of `Must` clauses builds it.
    Other(Box<dyn Scorer>),
}

impl AllOfWeight {
    /// Read window by window when some union holds at most [`FILL_COST`] times its terms'
    /// count for each document of the rarest clause and at most [`FILL_DOCS`] times its
    /// documents, or a word's ways at most [`FILL_COST`] times the rarest clause's documents
    /// where that clause is dense ([`DENSE_SHARE`]): such clauses fill windows, and the others
    /// are asked about the documents those windows share.
    fn intersected(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Intersected> {
        let mut scorers = self
            .clauses
            .iter()
            .map(|w| w.scorer(reader, boost))
            .collect::<tantivy::Result<Vec<_>>>()?;
        // In the order tantivy's intersection asks its clauses and adds their scores.
        scorers.sort_by_key(|s| s.cost());
        let num_docs = reader.num_docs();
        let rarest = u64::from(scorers.first().map_or(0, |s| s.size_hint()).max(1));
        let fills = |s: &dyn Scorer| match s.downcast_ref::<TermsUnionScorer>() {
            Some(union) => {
                union.cost() <= FILL_COST * union.member_count() as u64 * rarest
                    && f64::from(union.size_hint()) <= FILL_DOCS * rarest as f64
            }
            None => {
                is_ways(s)
                    && s.cost() <= FILL_COST * rarest
                    && rarest * DENSE_SHARE >= u64::from(num_docs)
            }
        };
        if scorers.len() < 2
            || !scorers.iter().any(|s| fills(s.as_ref()))
            || scorers.iter().any(|s| s.doc() == TERMINATED)
        {
            return Ok(Intersected::Other(intersect_scorers(scorers, num_docs)));
        }
        let clauses = scorers
            .into_iter()
            .map(|scorer| {
                if !fills(&*scorer) {
                    return Clause::Asked(scorer);
                }
                Clause::Filled(match scorer.downcast::<TermsUnionScorer>() {
                    Ok(union) => Filled::Union(*union),
                    Err(ways) => Filled::Ways(Box::new(FilledWays::of(ways))),
                })
            })
            .collect();
        Ok(Intersected::Windows(Box::new(Windows::new(
            clauses, num_docs,
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

    /// Walks the windows without a call through a pointer per document.
    fn for_each(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        match self.intersected(reader, 1.0)? {
            Intersected::Windows(mut windows) => {
                while windows.advance() != TERMINATED {
                    callback(windows.doc, windows.score());
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

    /// The score of `doc` with each clause's explanation.
    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(does_not_match(doc));
        }
        let mut explanation = Explanation::new("All of", scorer.score());
        for clause in &self.clauses {
            explanation.add_detail(clause.explain(reader, doc)?);
        }
        Ok(explanation)
    }
}

/// A clause of [`Windows`].
enum Clause {
    /// A clause whose windows are filled and intersected.
    Filled(Filled),
    /// A clause asked whether it holds each document the filled windows share.
    Asked(Box<dyn Scorer>),
}

/// A clause read window by window: a union of terms, or a word's ways (`super::windowed`).
enum Filled {
    Union(TermsUnionScorer),
    Ways(Box<FilledWays>),
}

impl Filled {
    fn first_from(&mut self, from: DocId) -> DocId {
        match self {
            Filled::Union(union) => union.first_from(from),
            Filled::Ways(ways) => ways.first_from(from),
        }
    }

    fn fill_from(&mut self, start: DocId) -> bool {
        match self {
            Filled::Union(union) => union.fill_from(start),
            Filled::Ways(ways) => ways.fill_from(start),
        }
    }

    fn window(&self) -> &[u64; WORDS] {
        match self {
            Filled::Union(union) => union.window(),
            Filled::Ways(ways) => ways.window(),
        }
    }

    fn score_at(&self, delta: usize) -> Score {
        match self {
            Filled::Union(union) => union.score_at(delta),
            Filled::Ways(ways) => ways.score_at(delta),
        }
    }

    fn size_hint(&self) -> u32 {
        match self {
            Filled::Union(union) => union.size_hint(),
            Filled::Ways(ways) => ways.size_hint(),
        }
    }

    fn cost(&self) -> u64 {
        match self {
            Filled::Union(union) => union.cost(),
            Filled::Ways(ways) => ways.cost(),
        }
    }
}

/// The intersection read window by window: the documents of the window that every filled
/// clause holds, not yet reached, each asked of the other clauses when reached.
struct Windows {
    /// By cost, as tantivy's intersection orders its clauses (and adds their scores); one at
    /// least is filled.
    clauses: Vec<Clause>,
    /// Bit `d % 64` of word `d / 64` is document `start + d`; words before `word` are 0.
    matched: [u64; WORDS],
    word: usize,
    start: DocId,
    doc: DocId,
    num_docs: u32,
}

impl Windows {
    /// Before its first document: [`DocSet::advance`] moves to it.
    fn new(clauses: Vec<Clause>, num_docs: u32) -> Windows {
        let mut windows = Windows {
            clauses,
            matched: [0; WORDS],
            word: 0,
            start: 0,
            doc: 0,
            num_docs,
        };
        // Each asked clause is at its first document: none is asked about one before it.
        let first = windows.clauses.iter().map(|c| match c {
            Clause::Filled(_) => 0,
            Clause::Asked(scorer) => scorer.doc(),
        });
        windows.next_window(first.max().unwrap_or(0));
        windows
    }

    fn filled(&mut self) -> impl Iterator<Item = &mut Filled> {
        self.clauses.iter_mut().filter_map(|c| match c {
            Clause::Filled(filled) => Some(filled),
            Clause::Asked(_) => None,
        })
    }

    /// Fills the first window from `from` on with documents all the filled clauses hold (`doc`
    /// is its start, before any of them); `doc` is `TERMINATED` when there is none.
    fn next_window(&mut self, mut from: DocId) {
        loop {
            // The first document from `from` on that every union may hold.
            let start = self.filled().fold(from, |s, u| s.max(u.first_from(from)));
            if start == TERMINATED || !self.filled().all(|u| u.fill_from(start)) {
                self.doc = TERMINATED;
                self.matched = [0; WORDS];
                return;
            }
            let mut matched = [u64::MAX; WORDS];
            for union in self.filled() {
                for (m, bits) in matched.iter_mut().zip(union.window()) {
                    *m &= bits;
                }
            }
            if matched.iter().any(|&m| m != 0) {
                self.matched = matched;
                self.word = 0;
                self.start = start;
                self.doc = start;
                return;
            }
            from = start + WINDOW;
        }
    }

    /// Passes the window's documents before `target`, or moves to the first window from
    /// `target` on.
    fn pass_to(&mut self, target: DocId) {
        let delta = target - self.start;
        if delta < WINDOW {
            let word = delta as usize / 64;
            self.matched[self.word.min(word)..word].fill(0);
            self.matched[word] &= u64::MAX << (delta % 64);
            self.word = self.word.max(word);
        } else {
            self.next_window(target);
        }
    }

    /// The window's next document all filled clauses hold; `None` when it has none left.
    fn next_in_window(&mut self) -> Option<DocId> {
        while self.word < WORDS {
            let bits = &mut self.matched[self.word];
            if *bits != 0 {
                let delta = self.word * 64 + bits.trailing_zeros() as usize;
                *bits &= *bits - 1;
                return Some(self.start + delta as DocId);
            }
            self.word += 1;
        }
        None
    }

    /// Whether every asked clause holds `doc`; else the first document one of them may hold.
    fn ask(&mut self, doc: DocId) -> Result<(), DocId> {
        for clause in &mut self.clauses {
            if let Clause::Asked(scorer) = clause
                && let SeekDangerResult::SeekLowerBound(bound) = scorer.seek_danger(doc)
            {
                return Err(bound);
            }
        }
        Ok(())
    }
}

impl DocSet for Windows {
    fn advance(&mut self) -> DocId {
        while self.doc != TERMINATED {
            let Some(doc) = self.next_in_window() else {
                self.next_window(self.start + WINDOW);
                continue;
            };
            match self.ask(doc) {
                Ok(()) => {
                    self.doc = doc;
                    return doc;
                }
                Err(TERMINATED) => self.doc = TERMINATED,
                Err(bound) => self.pass_to(bound),
            }
        }
        TERMINATED
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.pass_to(target);
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
        let mut sizes = self.clauses.iter().map(|c| match c {
            Clause::Filled(filled) => f64::from(filled.size_hint()),
            Clause::Asked(scorer) => f64::from(scorer.size_hint()),
        });
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
        match self.clauses.first() {
            Some(Clause::Filled(filled)) => filled.cost(),
            Some(Clause::Asked(scorer)) => scorer.cost(),
            None => 0,
        }
    }
}

impl Scorer for Windows {
    /// The clauses' scores added as tantivy's intersection adds them: the two cheapest, then
    /// the sum of the others'.
    fn score(&mut self) -> Score {
        let delta = (self.doc - self.start) as usize;
        let mut scores = self.clauses.iter_mut().map(|c| match c {
            Clause::Filled(filled) => filled.score_at(delta),
            Clause::Asked(scorer) => scorer.score(),
        });
        let first = scores.next().unwrap_or(0.0);
        let second = scores.next().unwrap_or(0.0);
        let rest: Score = scores.sum();
        first + second + rest
    }
}

#[cfg(test)]
mod tests {
    use tantivy::DocAddress;
    use tantivy::collector::TopDocs;
    use tantivy::query::TermQuery;
    use tantivy::schema::IndexRecordOption;

    use super::*;
    use crate::search::alternatives::AlternativesQuery;
    use crate::search::bonus::BonusQuery;
    use crate::search::testing::{
        compound_ways, compounds, scored, thirty_thousand_documents, union_of,
    };
    use crate::search::union::TermsUnionQuery;

    /// Words as unions of two terms (the first segment holds no rare word), dense ones, a rare
    /// one with a dense one or with a term, and a dense one with a rarer term or a rare one,
    /// alone and inside another intersection: `AllOfQuery` matches and scores as a boolean
    /// query of the same `Must` clauses, and reads windows where a union is not far denser than
    /// the rarest clause, in its terms' postings and in its documents.
    #[test]
    fn matches_and_scores_as_a_boolean_query_of_must_clauses() {
        let (searcher, text) = thirty_thousand_documents();
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
        // Each case: its name, its clauses, and whether windows are read in each segment.
        type Case = (&'static str, Vec<Box<dyn Query>>, [bool; 2]);
        let cases: Vec<Case> = vec![
            (
                "two dense unions",
                vec![union(&["پژوهش", "زوج"]), union(&["فناوری", "ساری"])],
                [true, true],
            ),
            (
                "three unions",
                vec![
                    union(&["فناوری", "ساری"]),
                    union(&["پژوهش", "ساری"]),
                    union(&["زوج", "سند"]),
                ],
                [true, true],
            ),
            (
                "a rare union (the first segment has none) and a dense one",
                vec![union(&["خاویار", "بیوگاز"]), union(&["زوج", "پژوهش"])],
                [false, true],
            ),
            (
                "a rare union and a term",
                vec![union(&["خاویار", "بیوگاز"]), plain("زوج")],
                [false, true],
            ),
            (
                "a union and a rarer term",
                vec![union(&["پژوهش", "زوج"]), plain("فناوری")],
                [true, true],
            ),
            (
                "a union far denser than a rare term",
                vec![union(&["پژوهش", "زوج"]), plain("بیوگاز")],
                [false, false],
            ),
            (
                "a union of terms each under four times a rarer term's documents, together over \
                 4.5 times",
                vec![union(&["ماه", "سال"]), plain("الف")],
                [false, false],
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
            for (reader, windowed) in searcher.segment_readers().iter().zip(windowed) {
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
            let json = explained.to_pretty_json();
            assert!(
                json.contains("All of") && json.contains("Any term of"),
                "{json}"
            );
            let matched = scored(&searcher, &*ours);
            let unmatched = (0..)
                .map(|d| DocAddress::new(1, d))
                .find(|a| !matched.iter().any(|(m, _)| m == a))
                .unwrap();
            assert!(ours.explain(&searcher, unmatched).is_err(), "{case}");
        }
    }

    /// A word's ways (its terms, its compound written apart, a bonus over them) beside other
    /// words: filled window by window where the rarest word holds a quarter of the documents
    /// or more, asked about each document where it is rarer, and either way matching and
    /// scoring as a boolean query of the same `Must` clauses.
    #[test]
    fn a_word_s_ways_are_filled_where_every_word_is_dense() {
        let (searcher, text) = compounds();
        let union = |terms: &[(&str, Score)]| union_of(text, terms);
        let ways = || compound_ways(text);
        let forms = || -> Box<dyn Query> {
            Box::new(AlternativesQuery::new(vec![
                union(&[("همکاری", 1.0), ("فرد", 0.2)]),
                Box::new(BonusQuery::new(union(&[("زوج", 1.0), ("و", 0.5)]), 100.0)),
            ]))
        };
        let plain = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(text, w),
                IndexRecordOption::WithFreqs,
            ))
        };
        // Each case: its clauses, and whether a word's ways are filled.
        let cases: Vec<(Vec<Box<dyn Query>>, bool)> = vec![
            (vec![ways(), forms()], true),
            (
                vec![forms(), ways(), union(&[("زوج", 1.0), ("تفاهم", 0.5)])],
                true,
            ),
            (vec![ways(), union(&[("همکاری", 1.0), ("و", 0.5)])], false),
            (vec![ways(), plain("همکاری")], false),
        ];
        for (clauses, filled) in cases {
            let ours = AllOfQuery::new(clauses.iter().map(|q| q.box_clone()).collect());
            let weight = ours
                .scoring_weight(EnableScoring::enabled_from_searcher(&searcher))
                .unwrap();
            for reader in searcher.segment_readers() {
                let ways_filled = match weight.intersected(reader, 1.0).unwrap() {
                    Intersected::Windows(windows) => windows
                        .clauses
                        .iter()
                        .any(|c| matches!(c, Clause::Filled(Filled::Ways(_)))),
                    Intersected::Other(_) => false,
                };
                assert_eq!(ways_filled, filled, "{clauses:?}");
            }
            let theirs = BooleanQuery::new(
                clauses
                    .iter()
                    .map(|q| (Occur::Must, q.box_clone()))
                    .collect(),
            );
            let expected = scored(&searcher, &theirs);
            assert!(expected.len() >= 100, "{clauses:?}: {}", expected.len());
            assert_eq!(scored(&searcher, &ours), expected, "{clauses:?}");
        }
    }

    /// Asked about every 101st document and then about each of a run, the windows find what
    /// tantivy's intersection finds.
    #[test]
    fn seeks_as_tantivys_intersection() {
        let (searcher, text) = thirty_thousand_documents();
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
