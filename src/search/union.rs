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

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

use super::phrase::{explained_sum, field_norms, seek_to};

/// Documents in a window.
const WINDOW: u32 = 64 * WORDS as u32;
/// 64-bit words of a window's bits.
const WORDS: usize = 64;

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
            for (w, bits) in union.bits.iter_mut().enumerate() {
                while *bits != 0 {
                    let delta = w * 64 + bits.trailing_zeros() as usize;
                    *bits &= *bits - 1;
                    callback(
                        union.start + delta as DocId,
                        std::mem::take(&mut union.scores[delta]),
                    );
                }
            }
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

struct TermsUnionScorer {
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
}

impl TermsUnionScorer {
    fn new(members: Vec<TermMember>, num_docs: u32) -> TermsUnionScorer {
        let mut union = TermsUnionScorer::unstarted(members, num_docs);
        union.advance();
        union
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
        }
    }

    /// Fills the window that starts at the members' first document; false when every member
    /// has been walked to its end.
    fn refill(&mut self) -> bool {
        let Some(start) = self.members.iter().map(|m| m.postings.doc()).min() else {
            return false;
        };
        self.start = start;
        self.word = 0;
        for member in &mut self.members {
            fill(member, &mut self.bits, &mut self.scores, start);
        }
        self.members.retain(|m| m.postings.doc() != TERMINATED);
        true
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

    /// Moves to the window's next document; false when the window has none left.
    fn next_in_window(&mut self) -> bool {
        while self.word < WORDS {
            let bits = self.bits[self.word];
            if bits != 0 {
                self.bits[self.word] = bits & (bits - 1);
                let delta = self.word * 64 + bits.trailing_zeros() as usize;
                self.doc = self.start + delta as DocId;
                self.score = std::mem::take(&mut self.scores[delta]);
                return true;
            }
            self.word += 1;
        }
        false
    }
}

/// Adds `member`'s documents in the window that starts at `start` to its bits and scores, and
/// moves `member` past it. Apart from the scorer, so that the window's arrays stay in registers
/// while the postings are read (as tantivy's union does).
#[inline(never)]
fn fill(
    member: &mut TermMember,
    bits: &mut [u64; WORDS],
    scores: &mut [Score; WINDOW as usize],
    start: DocId,
) {
    let end = start + WINDOW;
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
    }
}

impl DocSet for TermsUnionScorer {
    fn advance(&mut self) -> DocId {
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
        let delta = target - self.start;
        if delta < WINDOW {
            // The current document is in the window, before the target: its word is at or
            // before the target's.
            let word = delta as usize / 64;
            self.pass(word, !(u64::MAX << (delta % 64)));
        } else {
            self.pass(WORDS, 0);
            for member in &mut self.members {
                seek_to(&mut member.postings, target);
            }
            self.members.retain(|m| m.postings.doc() != TERMINATED);
        }
        self.advance()
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
        self.score
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{DocAddress, Index, TantivyDocument, Term};

    use super::*;

    /// Three terms of different densities (one in a run far past a window), boosted and not,
    /// over two segments, and a term alone: walked alone, asked inside an intersection (whose
    /// other word is sometimes sparse, sometimes dense), and excluded, the union matches and
    /// scores as tantivy's union of the same terms.
    #[test]
    fn matches_and_scores_as_tantivys_union() {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 0u32..30_000 {
            let mut words = Vec::new();
            if i % 3 == 0 {
                words.push("پژوهش");
            }
            if i % 7 == 0 || i % 11 == 0 {
                words.push("فناوری");
                words.push("فناوری");
            }
            if (20_000..20_050).contains(&i) {
                words.push("خاویار");
            }
            if i % 97 == 0 || (10_000..18_000).contains(&i) || (20_000..20_025).contains(&i) {
                words.push("ساری");
            }
            words.push(if i % 2 == 0 { "زوج" } else { "فرد" });
            let mut doc = TantivyDocument::new();
            doc.add_text(text, words.join(" "));
            writer.add_document(doc).unwrap();
            if i == 15_000 {
                writer.commit().unwrap();
            }
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
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
        // Every match and its score, collected with the total as a search collects them (without
        // the total, tantivy's block-max pass would add a document's scores in another order).
        let scored = |q: &dyn Query| -> Vec<(DocAddress, Score)> {
            let (top, total) = searcher
                .search(q, &(TopDocs::with_limit(30_000).order_by_score(), Count))
                .unwrap();
            let mut all: Vec<_> = top.into_iter().map(|(s, d)| (d, s)).collect();
            assert_eq!(all.len(), total);
            all.sort_by_key(|(d, _)| *d);
            all
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
                let got = scored(&*shape(ours(terms)));
                let expected = scored(&*shape(theirs(terms)));
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
}
