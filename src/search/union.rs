//! The union of a query word's terms (its stem, its exact form, its joined and other forms, in
//! titles and bodies), scored as the sum of the scores of the terms a document holds.
//!
//! It reads terms as tantivy's union of a boolean query's clauses does: a window of 4,096
//! documents is filled from each term in turn, a bit and a score per document, and walked in
//! order. Inside an intersection (every query of two words or more, and every filtered search)
//! a union is mostly asked whether it holds a document the other words hold. tantivy's union
//! answers by stepping through every document of its window up to that one, and clears all
//! 4,096 scores whenever it leaves a window: at a million documents its `seek` took a tenth of
//! the time of searches of two and three words. [`TermsUnionQuery`] masks the window's bits up
//! to the document asked about and clears only the scores of the documents it passes. A word
//! searched alone is walked window by window, without a call through a pointer per document.
//!
//! Filling a window costs every document its terms hold in it. When the other words ask about
//! few of them (a rare word with a common one: `خاویار همکاری`), the union stops filling windows
//! and moves each term to the document asked about, scoring only the documents the
//! intersection keeps, as Lucene's disjunctions inside a conjunction do ([`Reading::Seeking`]).
//! It fills a window again every [`SEEKING_WINDOWS`] windows to see whether the asks grew denser.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

use super::phrase::{explained_sum, field_norms, seek_to};

/// Documents in a window.
pub(super) const WINDOW: u32 = 64 * WORDS as u32;
/// 64-bit words of a window's bits.
pub(super) const WORDS: usize = 64;
/// How many times dearer moving every term to a document is than adding a term's document to a
/// window, as measured at a million documents: the union seeks when a window held more than this
/// many times its terms' count for each document asked of it.
const SEEK_COST: u32 = 4;
/// How many windows' worth of documents a seeking union passes before it fills a window again,
/// to measure how many documents a window holds against how many are asked.
const SEEKING_WINDOWS: u32 = 8;

/// Matches the documents that hold any of the terms, scoring the sum of the BM25 scores of the
/// terms they hold, each times its boost (as a union of boosted term queries scores).
#[derive(Clone, Debug)]
pub struct TermsUnionQuery {
    terms: Vec<(Term, Score)>,
}

impl TermsUnionQuery {
    pub fn new(terms: Vec<(Term, Score)>) -> TermsUnionQuery {
        TermsUnionQuery { terms }
    }
}

impl Query for TermsUnionQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let bm25 = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => {
                let mut weights = Vec::with_capacity(self.terms.len());
                for (term, _) in &self.terms {
                    weights.push(Bm25Weight::for_terms(
                        statistics_provider,
                        std::slice::from_ref(term),
                    )?);
                }
                Some(weights)
            }
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(TermsUnionWeight {
            terms: self.terms.clone(),
            bm25,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (term, _) in &self.terms {
            visitor(term, false);
        }
    }
}

struct TermsUnionWeight {
    terms: Vec<(Term, Score)>,
    /// Each term's BM25 weight (unboosted), when scoring.
    bm25: Option<Vec<Bm25Weight>>,
}

impl TermsUnionWeight {
    /// The postings of the terms this segment holds, with their boosted weights.
    fn members(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Vec<TermMember>> {
        let record = if self.bm25.is_some() {
            IndexRecordOption::WithFreqs
        } else {
            IndexRecordOption::Basic
        };
        let mut members = Vec::with_capacity(self.terms.len());
        for (i, (term, term_boost)) in self.terms.iter().enumerate() {
            let index = reader.inverted_index(term.field())?;
            let Some(postings) = index.read_postings(term, record)? else {
                continue;
            };
            if postings.doc() == TERMINATED {
                continue;
            }
            members.push(TermMember {
                term: i,
                postings,
                norms: field_norms(reader, term.field())?,
                bm25: self
                    .bm25
                    .as_ref()
                    .map(|w| w[i].boost_by(boost * term_boost)),
            });
        }
        Ok(members)
    }
}

impl Weight for TermsUnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut members = self.members(reader, boost)?;
        Ok(match members.len() {
            0 => Box::new(EmptyScorer),
            // One term is read as it is: windows would only slow its seeks.
            1 => Box::new(members.remove(0)),
            _ => Box::new(TermsUnionScorer::new(members, reader.max_doc())),
        })
    }

    /// Walks the union without a call through a pointer per document: a word alone is walked
    /// whole, at a million documents up to a million times.
    fn for_each(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        let mut members = self.members(reader, 1.0)?;
        if let [term] = members.as_mut_slice() {
            while term.doc() != TERMINATED {
                callback(term.doc(), term.score());
                term.advance();
            }
            return Ok(());
        }
        let mut union = TermsUnionScorer::unstarted(members, reader.max_doc());
        while union.refill() {
            drain_window(
                &mut union.bits,
                &mut union.scores,
                union.start,
                &mut *callback,
            );
        }
        Ok(())
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut matched = Vec::new();
        for member in &mut self.members(reader, 1.0)? {
            if seek_to(&mut member.postings, doc) == doc {
                let mut explanation = member.explain();
                explanation.add_context(format!("Term={:?}", self.terms[member.term].0));
                matched.push(explanation);
            }
        }
        explained_sum("Any term of", doc, matched)
    }
}

/// One term's postings in a segment, scored as tantivy's term query scores them.
struct TermMember {
    /// Which of the query's terms.
    term: usize,
    postings: SegmentPostings,
    norms: FieldNormReader,
    bm25: Option<Bm25Weight>,
}

impl DocSet for TermMember {
    fn advance(&mut self) -> DocId {
        self.postings.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        seek_to(&mut self.postings, target)
    }

    fn doc(&self) -> DocId {
        self.postings.doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings.size_hint()
    }

    fn cost(&self) -> u64 {
        self.postings.cost()
    }
}

impl Scorer for TermMember {
    fn score(&mut self) -> Score {
        self.bm25.as_ref().map_or(0.0, |bm25| {
            bm25.score(
                self.norms.fieldnorm_id(self.postings.doc()),
                self.postings.term_freq(),
            )
        })
    }
}

impl TermMember {
    fn explain(&self) -> Explanation {
        match &self.bm25 {
            Some(bm25) => bm25.explain(
                self.norms.fieldnorm_id(self.postings.doc()),
                self.postings.term_freq(),
            ),
            None => Explanation::new("<no score>", 0.0),
        }
    }
}

pub(super) struct TermsUnionScorer {
    /// The members not yet walked to their end, each at its first document past the window.
    members: Vec<TermMember>,
    /// The window's documents not yet reached: bit `d % 64` of word `d / 64` is document
    /// `start + d`. Words before `word` are 0.
    bits: Box<[u64; WORDS]>,
    /// The score of each document of the window whose bit is set, 0 for the others: a
    /// document's score is taken when it is reached, and cleared when a seek passes it.
    scores: Box<[Score; WINDOW as usize]>,
    /// The word of the window being walked.
    word: usize,
    /// The window's first document.
    start: DocId,
    doc: DocId,
    score: Score,
    num_docs: u32,
    reading: Reading,
    /// The terms' documents in the window (or in the last one filled).
    filled: u32,
    /// The window's documents asked of the union (moved to).
    asked: u32,
}

/// How a [`TermsUnionScorer`] reads its terms.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Reading {
    /// Window by window: the window's bits and scores hold the documents not yet reached.
    Windows,
    /// Each term moved to the document asked about (the window is empty), scored on demand,
    /// until a document at or past `until` is asked about.
    Seeking { until: DocId },
}

impl TermsUnionScorer {
    /// At its first document, nothing read into a window yet (seeking until document 0: the
    /// first move decides how to read).
    fn new(members: Vec<TermMember>, num_docs: u32) -> TermsUnionScorer {
        let mut union = TermsUnionScorer::unstarted(members, num_docs);
        union.reading = Reading::Seeking { until: 0 };
        union.doc = union.first_member_doc();
        union
    }

    /// The first document of the members' postings (past the window), or `TERMINATED`.
    fn first_member_doc(&self) -> DocId {
        self.members
            .iter()
            .map(|m| m.doc())
            .min()
            .unwrap_or(TERMINATED)
    }

    /// Before its first document: its window is empty.
    fn unstarted(members: Vec<TermMember>, num_docs: u32) -> TermsUnionScorer {
        TermsUnionScorer {
            members,
            bits: Box::new([0; WORDS]),
            scores: Box::new([0.0; WINDOW as usize]),
            word: WORDS,
            start: 0,
            doc: 0,
            score: 0.0,
            num_docs,
            reading: Reading::Windows,
            filled: 0,
            asked: 0,
        }
    }

    /// Fills the window that starts at the members' first document; false when every member
    /// has been walked to its end.
    fn refill(&mut self) -> bool {
        let start = self.first_member_doc();
        if start == TERMINATED {
            return false;
        }
        self.fill_window(start);
        true
    }

    /// Fills the (empty) window that starts at `start` from the members, all at or past it.
    fn fill_window(&mut self, start: DocId) {
        self.start = start;
        self.word = 0;
        self.filled = 0;
        self.asked = 0;
        for member in &mut self.members {
            self.filled += fill(member, &mut self.bits, &mut self.scores, start);
        }
        self.members.retain(|m| m.postings.doc() != TERMINATED);
    }

    /// Empties the window and fills it with the documents from `start` to `start + WINDOW`
    /// (the members moved to `start` first), for an intersection to read ([`Self::window`],
    /// [`Self::score_at`]) rather than walk; false when no member has a document from `start`.
    pub(super) fn fill_from(&mut self, start: DocId) -> bool {
        self.reading = Reading::Windows;
        self.pass(WORDS, 0);
        if self.first_from(start) == TERMINATED {
            return false;
        }
        self.fill_window(start);
        true
    }

    /// The first document from `start` on that a member holds (its own postings, past the
    /// window), or `TERMINATED`.
    pub(super) fn first_from(&mut self, start: DocId) -> DocId {
        self.move_members(start, |postings, start| {
            seek_to(postings, start);
        });
        self.first_member_doc()
    }

    /// How many of its terms the segment holds, not walked to their end.
    pub(super) fn member_count(&self) -> usize {
        self.members.len()
    }

    /// The window's bits as [`Self::fill_from`] left them: bit `d % 64` of word `d / 64` is its
    /// document `start + d`.
    pub(super) fn window(&self) -> &[u64; WORDS] {
        &self.bits
    }

    /// The score of the window's document `start + delta` (0 where no member holds it).
    pub(super) fn score_at(&self, delta: usize) -> Score {
        self.scores[delta]
    }

    /// The window [`Self::fill_from`] left, for the caller to take its documents from: each
    /// document taken must have its bit and its score cleared (the next fill adds to them).
    pub(super) fn window_mut(&mut self) -> (&mut [u64; WORDS], &mut [Score; WINDOW as usize]) {
        (&mut self.bits, &mut self.scores)
    }

    /// Passes the window's documents before word `word` and those of `word` in `mask`, clearing
    /// their scores.
    fn pass(&mut self, word: usize, mask: u64) {
        for w in self.word..=word.min(WORDS - 1) {
            let bits = &mut self.bits[w];
            let mut passed = if w < word { *bits } else { *bits & mask };
            *bits &= !passed;
            while passed != 0 {
                self.scores[w * 64 + passed.trailing_zeros() as usize] = 0.0;
                passed &= passed - 1;
            }
        }
        self.word = word;
    }

    /// Moves each member's postings with `step` (given the postings and `doc`), and drops the
    /// members walked to their end.
    fn move_members(&mut self, doc: DocId, step: impl Fn(&mut SegmentPostings, DocId)) {
        for member in &mut self.members {
            step(&mut member.postings, doc);
        }
        self.members.retain(|m| m.postings.doc() != TERMINATED);
    }

    /// Moves to the window's next document; false when the window has none left.
    fn next_in_window(&mut self) -> bool {
        while self.word < WORDS {
            let bits = self.bits[self.word];
            if bits != 0 {
                self.bits[self.word] = bits & (bits - 1);
                let delta = self.word * 64 + bits.trailing_zeros() as usize;
                self.doc = self.start + delta as DocId;
                self.score = std::mem::take(&mut self.scores[delta]);
                self.asked += 1;
                return true;
            }
            self.word += 1;
        }
        false
    }
}

/// Gives each document of a window that starts at `start` (bit `d % 64` of word `d / 64` is
/// document `start + d`, its score `scores[d]`), in order, with its score, clearing its bit and
/// its score.
pub(super) fn drain_window(
    bits: &mut [u64; WORDS],
    scores: &mut [Score; WINDOW as usize],
    start: DocId,
    mut each: impl FnMut(DocId, Score),
) {
    for (w, word) in bits.iter_mut().enumerate() {
        while *word != 0 {
            let delta = w * 64 + word.trailing_zeros() as usize;
            *word &= *word - 1;
            each(start + delta as DocId, std::mem::take(&mut scores[delta]));
        }
    }
}

/// Sets `doc`'s bit in a window that starts at `start` and adds `score` to its score.
pub(super) fn add_to_window(
    bits: &mut [u64; WORDS],
    scores: &mut [Score; WINDOW as usize],
    start: DocId,
    doc: DocId,
    score: Score,
) {
    let delta = (doc - start) as usize;
    bits[delta / 64] |= 1u64 << (delta % 64);
    scores[delta] += score;
}

/// Adds `member`'s documents in the window that starts at `start` to its bits and scores, moves
/// `member` past it, and returns how many it added. Apart from the scorer, so that the window's
/// arrays stay in registers while the postings are read (as tantivy's union does).
#[inline(never)]
fn fill(
    member: &mut TermMember,
    bits: &mut [u64; WORDS],
    scores: &mut [Score; WINDOW as usize],
    start: DocId,
) -> u32 {
    let end = start + WINDOW;
    let mut added = 0;
    let TermMember {
        postings,
        norms,
        bm25,
        ..
    } = member;
    let mut doc = postings.doc();
    while doc < end {
        let delta = (doc - start) as usize;
        bits[delta / 64] |= 1u64 << (delta % 64);
        if let Some(bm25) = bm25 {
            scores[delta] += bm25.score(norms.fieldnorm_id(doc), postings.term_freq());
        }
        doc = postings.advance();
        added += 1;
    }
    added
}

impl DocSet for TermsUnionScorer {
    fn advance(&mut self) -> DocId {
        if let Reading::Seeking { .. } = self.reading {
            // Walked: the window is filled again from the next document.
            self.reading = Reading::Windows;
            self.move_members(self.doc, |postings, doc| {
                if postings.doc() == doc {
                    postings.advance();
                }
            });
        }
        loop {
            if self.next_in_window() {
                return self.doc;
            }
            if !self.refill() {
                self.doc = TERMINATED;
                return TERMINATED;
            }
        }
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        match self.reading {
            Reading::Windows if target - self.start < WINDOW => {
                // The current document is in the window, before the target: its word is at or
                // before the target's.
                let delta = target - self.start;
                let word = delta as usize / 64;
                self.pass(word, !(u64::MAX << (delta % 64)));
                return self.advance();
            }
            Reading::Windows => {
                self.pass(WORDS, 0);
                let members = self.members.len() as u32;
                if self.filled > SEEK_COST * members * self.asked.max(1) {
                    self.reading = Reading::Seeking {
                        until: target.saturating_add(SEEKING_WINDOWS * WINDOW),
                    };
                }
            }
            Reading::Seeking { until } if target >= until => self.reading = Reading::Windows,
            Reading::Seeking { .. } => {}
        }
        let first = self.first_from(target);
        if self.reading == Reading::Windows {
            return self.advance();
        }
        self.doc = first;
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        // As tantivy estimates a union: terms are not spread at random, and overlap (0.8).
        let outside = self.members.iter().fold(1.0f64, |p, m| {
            let size = f64::from(m.postings.size_hint());
            p * (1.0 - 0.8 * size / f64::from(self.num_docs.max(1)))
        });
        (f64::from(self.num_docs) * (1.0 - outside)).round() as u32
    }

    fn cost(&self) -> u64 {
        self.members.iter().map(|m| m.postings.cost()).sum()
    }
}

impl Scorer for TermsUnionScorer {
    fn score(&mut self) -> Score {
        if self.reading == Reading::Windows {
            return self.score;
        }
        // Summed in the members' order, as a window adds them.
        let mut score = 0.0;
        for member in &mut self.members {
            if member.doc() == self.doc {
                score += member.score();
            }
        }
        score
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{DocAddress, Index, TantivyDocument, Term};

    use super::*;
    use crate::search::testing::{scored, thirty_thousand_documents};

    /// Three terms of different densities (one in a run far past a window), boosted and not,
    /// over two segments, and a term alone: walked alone, asked inside an intersection (whose
    /// other word is sometimes sparse, sometimes dense), and excluded, the union matches and
    /// scores as tantivy's union of the same terms.
    #[test]
    fn matches_and_scores_as_tantivys_union() {
        let (searcher, text) = thirty_thousand_documents();
        let term = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(text, w),
                IndexRecordOption::WithFreqs,
            ))
        };
        let members = |terms: &[(&str, Score)]| -> Vec<Box<dyn Query>> {
            terms
                .iter()
                .map(|&(w, boost)| Box::new(BoostQuery::new(term(w), boost)) as Box<dyn Query>)
                .collect()
        };
        let ours = |terms: &[(&str, Score)]| -> Box<dyn Query> {
            Box::new(TermsUnionQuery::new(
                terms
                    .iter()
                    .map(|&(w, boost)| (Term::from_field_text(text, w), boost))
                    .collect(),
            ))
        };
        let theirs = |terms: &[(&str, Score)]| -> Box<dyn Query> {
            Box::new(BooleanQuery::union(members(terms)))
        };
        let and = |union: Box<dyn Query>, other: &str| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, union),
                (Occur::Must, term(other)),
            ]))
        };
        let not = |union: Box<dyn Query>| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, term("زوج")),
                (Occur::MustNot, union),
            ]))
        };
        // Three terms; and one term a segment lacks and one no segment holds: a term alone.
        let three: &[(&str, Score)] = &[("پژوهش", 1.0), ("فناوری", 1.5), ("خاویار", 1.0)];
        let one: &[(&str, Score)] = &[("نیروگاه", 2.0), ("خاویار", 1.0)];
        for terms in [three, one] {
            for case in [
                "alone",
                "with a sparse word",
                "with a dense word",
                "excluded",
            ] {
                let shape = |union: Box<dyn Query>| match case {
                    "alone" => union,
                    "with a sparse word" => and(union, "ساری"),
                    "with a dense word" => and(union, "فرد"),
                    _ => not(union),
                };
                let got = scored(&searcher, &*shape(ours(terms)));
                let expected = scored(&searcher, &*shape(theirs(terms)));
                assert!(expected.len() >= 12, "{terms:?} {case}: {}", expected.len());
                assert_eq!(got.len(), expected.len(), "{terms:?} {case}");
                for ((d1, s1), (d2, s2)) in got.iter().zip(&expected) {
                    assert_eq!(d1, d2, "{terms:?} {case}");
                    assert_eq!(s1, s2, "{terms:?} {case}: {d1:?}");
                }
            }
        }
        let top = searcher
            .search(&*ours(three), &TopDocs::with_limit(1).order_by_score())
            .unwrap()[0];
        let explained = ours(three).explain(&searcher, top.1).unwrap();
        assert!((explained.value() - top.0).abs() < 1e-5, "{explained:?}");
        // Document 20,002 holds `خاویار` alone of the terms: the explanation names it.
        let late = DocAddress::new(1, 20_002 - 15_001);
        let explained = format!("{:?}", ours(one).explain(&searcher, late).unwrap());
        assert!(explained.contains("خاویار"), "{explained}");
        assert!(!explained.contains("نیروگاه"), "{explained}");
    }

    /// Asked about every 101st document, a union of two dense terms moves its terms to each
    /// document instead of filling windows; walked on, or asked about every document, it fills
    /// windows again. Either way it finds each document and its score as a window does.
    #[test]
    fn seeks_where_few_documents_are_asked_and_fills_windows_where_many_are() {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let holds = |i: u32| i.is_multiple_of(2) || i.is_multiple_of(3);
        for i in 0u32..60_000 {
            let mut words = vec!["سند"];
            if i % 2 == 0 {
                words.push("پژوهش");
            }
            if i % 3 == 0 {
                words.extend(["فناوری"; 2]);
            }
            let mut doc = TantivyDocument::new();
            doc.add_text(text, words.join(" "));
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let reader = searcher.segment_reader(0);
        let terms = vec![
            (Term::from_field_text(text, "پژوهش"), 1.0),
            (Term::from_field_text(text, "فناوری"), 2.0),
        ];
        let bm25 = terms
            .iter()
            .map(|(t, _)| Bm25Weight::for_terms(&searcher, std::slice::from_ref(t)).unwrap())
            .collect();
        let weight = TermsUnionWeight {
            terms,
            bm25: Some(bm25),
        };
        let union = || TermsUnionScorer::new(weight.members(reader, 1.0).unwrap(), 60_000);
        // Every document with its score, as windows alone find them.
        let mut walked = union();
        let mut expected = std::collections::HashMap::new();
        while walked.doc() != TERMINATED {
            expected.insert(walked.doc(), walked.score());
            walked.advance();
        }
        assert_eq!(walked.reading, Reading::Windows);
        assert_eq!(expected.len(), (0..60_000).filter(|&i| holds(i)).count());

        let mut union = union();
        let check = |union: &mut TermsUnionScorer, doc: DocId, target: DocId| {
            let first = (target..60_000).find(|&i| holds(i)).unwrap_or(TERMINATED);
            assert_eq!(doc, first, "asked about {target}");
            if first != TERMINATED {
                assert_eq!(union.score(), expected[&first], "{first}");
            }
        };
        for target in (101..20_000).step_by(101) {
            let doc = union.seek(target);
            check(&mut union, doc, target);
        }
        assert!(matches!(union.reading, Reading::Seeking { .. }));
        let sought = union.doc();
        let doc = union.advance();
        check(&mut union, doc, sought + 1);
        assert_eq!(union.reading, Reading::Windows);
        for target in (20_000..30_000).step_by(101) {
            let doc = union.seek(target);
            check(&mut union, doc, target);
        }
        assert!(matches!(union.reading, Reading::Seeking { .. }));
        for target in 30_000..60_000 {
            let doc = union.seek(target);
            check(&mut union, doc, target);
        }
        assert_eq!(union.reading, Reading::Windows);
    }
}
