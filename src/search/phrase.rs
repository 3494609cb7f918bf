//! Exact phrases of the exact fields, and a phrase written several ways.
//!
//! A quoted phrase is searched in every way its words may be written (`query::phrase_variants`:
//! `"شرکت‌های دانش‌بنیان"` is also `شرکتهای دانشبنیان`, `شرکت های دانش بنیان`, …). A document
//! that wrote a compound with a ZWNJ holds its joined form and its parts (`analysis::compounds`),
//! so it is a candidate of most variants, and a union of phrase queries read its positions once
//! per variant. [`PhraseVariantsQuery`] checks a document's variants in turn and stops at the
//! first that matches: the documents matched are the same, each scored by that one variant.
//! [`PhrasePostings`] is the phrase matching both it and `super::apart` use. Where two common
//! words of a phrase are side by side, it reads their pair's postings (`analysis::pairs`)
//! instead of each word's, and where a common phrase's words are (`analysis::phrases`: the
//! park's name), that phrase's: the same documents, positions and counts, far fewer of them.
//! A term in most of the candidates' blocks reads its positions walking (`super::positions`).

use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{
    DocId, DocSet, Score, SeekDangerResult, SegmentReader, TERMINATED, TantivyError, Term,
};

use super::positions::{PositionFiles, TermPositions, WalkedPositions};
use super::union::{WINDOW, WORDS, add_to_window};
use crate::analysis::pairs::pair_term;
use crate::analysis::phrases::{MIN_PHRASE_WORDS, most_phrase_words, phrase_term};
use crate::index::schema::{PairField, pairs_field};

/// A phrase term is walked with its positions ([`WalkedPositions`]) when it is in at most this
/// many times the rarest term's documents: its blocks then hold 8 candidates or more each (as
/// many documents as a block, 128, over 16), and skipping saves little.
const WALK_SPREAD: u32 = 16;

/// The postings of a phrase's terms in one segment, on the documents holding all of them (the
/// candidates), with the phrase counted on demand from their positions.
pub(crate) struct PhrasePostings {
    /// Each term's postings with its offset in the phrase, rarest first (it leads).
    terms: Vec<(u32, TermPositions)>,
    last_offset: u32,
    doc: DocId,
    starts: Vec<u32>,
    positions: Vec<u32>,
}

impl PhrasePostings {
    /// The phrase of `terms` (each with its offset, all of one exact field) in `reader`'s
    /// segment; `None` when a term is in none of its documents (or there is no term). Positions
    /// are read only when the phrase has several terms once paired.
    pub(crate) fn open(
        files: &PositionFiles,
        reader: &SegmentReader,
        terms: &[(u32, Term)],
    ) -> tantivy::Result<Option<PhrasePostings>> {
        let Some((_, first)) = terms.first() else {
            return Ok(None);
        };
        match pairs_field(reader.schema(), first.field()) {
            Some(pairs) => Self::open_terms(files, reader, &with_pairs(terms, pairs)),
            None => Self::open_terms(files, reader, terms),
        }
    }

    /// The phrase of `terms` as they are, each read from its own field.
    fn open_terms(
        files: &PositionFiles,
        reader: &SegmentReader,
        terms: &[(u32, Term)],
    ) -> tantivy::Result<Option<PhrasePostings>> {
        if terms.is_empty() {
            return Ok(None);
        }
        let record = if terms.len() > 1 {
            IndexRecordOption::WithFreqsAndPositions
        } else {
            IndexRecordOption::WithFreqs
        };
        let mut found = Vec::with_capacity(terms.len());
        for (offset, term) in terms {
            let index = reader.inverted_index(term.field())?;
            let Some(info) = index.get_term_info(term)? else {
                return Ok(None);
            };
            found.push((*offset, term.field(), index, info));
        }
        found.sort_by_key(|(_, _, _, info)| info.doc_freq);
        let rarest = found[0].3.doc_freq;
        let mut postings = Vec::with_capacity(found.len());
        for (offset, field, index, info) in found {
            // Positions are read for the candidates: walked where they fill the term's blocks.
            let walked = if terms.len() > 1 && info.doc_freq <= WALK_SPREAD * rarest {
                WalkedPositions::open(files, reader, field, &index, &info)?
            } else {
                None
            };
            let term = match walked {
                Some(w) => TermPositions::Walked(w),
                None => TermPositions::Skipping(index.read_postings_from_terminfo(&info, record)?),
            };
            postings.push((offset, term));
        }
        let last_offset = postings.iter().map(|(o, _)| *o).max().unwrap_or(0);
        let first = postings[0].1.doc();
        let mut phrase = PhrasePostings {
            terms: postings,
            last_offset,
            doc: first,
            starts: Vec::new(),
            positions: Vec::new(),
        };
        phrase.doc = phrase.align(first);
        Ok(Some(phrase))
    }

    /// The current candidate: a document holding every term, or `TERMINATED`.
    pub(crate) fn doc(&self) -> DocId {
        self.doc
    }

    /// Moves to the next candidate.
    pub(crate) fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            let next = self.terms[0].1.advance();
            self.doc = self.align(next);
        }
        self.doc
    }

    /// Moves to the first candidate at or after `target`.
    pub(crate) fn seek(&mut self, target: DocId) -> DocId {
        if self.doc < target {
            let next = self.terms[0].1.seek(target);
            self.doc = self.align(next);
        }
        self.doc
    }

    /// How many documents the rarest term is in: the most candidates there can be.
    pub(crate) fn size_hint(&self) -> u32 {
        self.terms[0].1.doc_freq()
    }

    /// The first candidate at or after `candidate`, the leading term's current document.
    fn align(&mut self, mut candidate: DocId) -> DocId {
        let (lead, others) = self.terms.split_first_mut().expect("a phrase has terms");
        'candidates: while candidate != TERMINATED {
            for (_, postings) in others.iter_mut() {
                let doc = postings.seek(candidate);
                if doc > candidate {
                    candidate = lead.1.seek(doc);
                    continue 'candidates;
                }
            }
            return candidate;
        }
        TERMINATED
    }

    /// How many times the phrase is in the current candidate (0: its terms are not side by
    /// side there).
    pub(crate) fn count(&mut self) -> u32 {
        let (lead, others) = self.terms.split_first_mut().expect("a phrase has terms");
        if others.is_empty() {
            return lead.1.term_freq();
        }
        // Positions shifted so that the terms of one occurrence all land on one value.
        lead.1
            .positions_with_offset(self.last_offset - lead.0, &mut self.starts);
        for (offset, postings) in others {
            postings.positions_with_offset(self.last_offset - *offset, &mut self.positions);
            let positions = &self.positions;
            let mut i = 0;
            self.starts.retain(|p| {
                while i < positions.len() && positions[i] < *p {
                    i += 1;
                }
                i < positions.len() && positions[i] == *p
            });
            if self.starts.is_empty() {
                return 0;
            }
        }
        self.starts.len() as u32
    }
}

/// `terms` (offset, exact term) with each run of them side by side that makes a common phrase
/// (`analysis::phrases::phrase_term`, the longest first; where the field `pairs` holds them)
/// and then each two that make a pair term (`analysis::pairs::pair_term`) replaced by that term
/// of the field, at the first's offset. A term left alone pairs with the one before it when it
/// can (pairs may overlap), so that only words that are not common keep their own postings.
fn with_pairs(terms: &[(u32, Term)], pairs: PairField) -> Vec<(u32, Term)> {
    let PairField {
        field: pairs,
        phrases,
    } = pairs;
    let mut sorted: Vec<(u32, &str, &Term)> = terms
        .iter()
        .map(|(offset, term)| {
            (
                *offset,
                std::str::from_utf8(term.serialized_value_bytes()).unwrap_or(""),
                term,
            )
        })
        .collect();
    sorted.sort_by_key(|(offset, _, _)| *offset);
    let side_by_side = |run: &[(u32, &str, &Term)]| run.windows(2).all(|w| w[1].0 == w[0].0 + 1);
    let phrase_at = |i: usize| -> Option<(usize, (u32, Term))> {
        if phrases == 0 {
            return None;
        }
        (MIN_PHRASE_WORDS..=most_phrase_words())
            .rev()
            .find_map(|len| {
                let run = sorted.get(i..i + len)?;
                if !side_by_side(run) {
                    return None;
                }
                let words: Vec<&str> = run.iter().map(|(_, word, _)| *word).collect();
                let term = phrase_term(&words, phrases)?;
                Some((len, (run[0].0, Term::from_field_text(pairs, term))))
            })
    };
    let pair_at = |i: usize, j: usize| -> Option<(u32, Term)> {
        let ((a_offset, a, _), (b_offset, b, _)) = (sorted.get(i)?, sorted.get(j)?);
        if *b_offset != a_offset + 1 {
            return None;
        }
        let text = pair_term(a, b)?;
        Some((*a_offset, Term::from_field_text(pairs, &text)))
    };
    let mut out = Vec::with_capacity(terms.len());
    let mut i = 0;
    while i < sorted.len() {
        if let Some((len, phrase)) = phrase_at(i) {
            out.push(phrase);
            i += len;
            continue;
        }
        if let Some(pair) = pair_at(i, i + 1) {
            out.push(pair);
            i += 2;
            continue;
        }
        let alone = (sorted[i].0, sorted[i].2.clone());
        out.push(
            i.checked_sub(1)
                .and_then(|b| pair_at(b, i))
                .unwrap_or(alone),
        );
        i += 1;
    }
    out
}

/// Moves `postings` (or any doc set) to its first document at or after `target`, if it is not
/// there already.
pub(crate) fn seek_to<D: DocSet + ?Sized>(postings: &mut D, target: DocId) -> DocId {
    if postings.doc() < target {
        postings.seek(target)
    } else {
        postings.doc()
    }
}

/// The field norms BM25 reads for `field` (a constant where the field keeps none).
pub(crate) fn field_norms(
    reader: &SegmentReader,
    field: Field,
) -> tantivy::Result<FieldNormReader> {
    Ok(match reader.fieldnorms_readers().get_field(field)? {
        Some(norms) => norms,
        None => FieldNormReader::constant(reader.max_doc(), 1),
    })
}

/// The error of `explain` for a document the query does not match.
pub(crate) fn does_not_match(doc: DocId) -> TantivyError {
    TantivyError::InvalidArgument(format!("Document #({doc}) does not match"))
}

/// The explanation of a score that sums the `matched` parts' (`label`), or that `doc` does not
/// match when none did.
pub(crate) fn explained_sum(
    label: &'static str,
    doc: DocId,
    matched: Vec<Explanation>,
) -> tantivy::Result<Explanation> {
    if matched.is_empty() {
        return Err(does_not_match(doc));
    }
    let mut explanation = Explanation::new(label, matched.iter().map(Explanation::value).sum());
    for detail in matched {
        explanation.add_detail(detail);
    }
    Ok(explanation)
}

/// One phrase written in any of several ways (`variants`: terms with their offsets, all of one
/// field that keeps positions). A document matches when any variant does, and scores as the
/// first of its variants that does (BM25 of that phrase's count), as a phrase query would.
#[derive(Clone, Debug)]
pub struct PhraseVariantsQuery {
    variants: Vec<Vec<(u32, Term)>>,
}

impl PhraseVariantsQuery {
    /// `variants` in the order they are checked in a document: the ones most documents are
    /// matched by first saves reading the others' positions.
    pub fn new(variants: Vec<Vec<(u32, Term)>>) -> PhraseVariantsQuery {
        debug_assert!(variants.iter().all(|v| !v.is_empty()));
        PhraseVariantsQuery { variants }
    }
}

impl Query for PhraseVariantsQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let bm25 = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => {
                let mut weights = Vec::with_capacity(self.variants.len());
                for v in &self.variants {
                    let terms: Vec<Term> = v.iter().map(|(_, t)| t.clone()).collect();
                    weights.push(Bm25Weight::for_terms(statistics_provider, &terms)?);
                }
                Some(weights)
            }
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(PhraseVariantsWeight {
            query: self.clone(),
            bm25,
            files: PositionFiles::of(&enable_scoring),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (_, term) in self.variants.iter().flatten() {
            visitor(term, true);
        }
    }
}

struct PhraseVariantsWeight {
    query: PhraseVariantsQuery,
    /// Each variant's BM25 weight, when scoring.
    bm25: Option<Vec<Bm25Weight>>,
    files: PositionFiles,
}

impl PhraseVariantsWeight {
    fn variants_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<PhraseVariantsScorer>> {
        let mut variants = Vec::with_capacity(self.query.variants.len());
        for (i, terms) in self.query.variants.iter().enumerate() {
            if let Some(phrase) = PhrasePostings::open(&self.files, reader, terms)? {
                let bm25 = self.bm25.as_ref().map(|w| w[i].boost_by(boost));
                variants.push((phrase, bm25));
            }
        }
        if variants.is_empty() {
            return Ok(None);
        }
        let field = self.query.variants[0][0].1.field();
        Ok(Some(PhraseVariantsScorer::new(
            variants,
            field_norms(reader, field)?,
        )))
    }
}

impl Weight for PhraseVariantsWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.variants_scorer(reader, boost)? {
            Some(scorer) => Box::new(scorer),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self
            .variants_scorer(reader, 1.0)?
            .ok_or_else(|| does_not_match(doc))?;
        if scorer.seek(doc) != doc {
            return Err(does_not_match(doc));
        }
        Ok(Explanation::new(
            "Phrase, first matching writing",
            scorer.score(),
        ))
    }
}

/// The union of the variants' candidates; at each, the variants are counted in order until
/// one is found.
pub(super) struct PhraseVariantsScorer {
    variants: Vec<(PhrasePostings, Option<Bm25Weight>)>,
    norms: FieldNormReader,
    doc: DocId,
    score: Score,
}

impl PhraseVariantsScorer {
    fn new(
        variants: Vec<(PhrasePostings, Option<Bm25Weight>)>,
        norms: FieldNormReader,
    ) -> PhraseVariantsScorer {
        let mut scorer = PhraseVariantsScorer {
            variants,
            norms,
            doc: TERMINATED,
            score: 0.0,
        };
        scorer.doc = scorer.settle();
        scorer
    }

    /// The first match at or after the variants' smallest candidate.
    fn settle(&mut self) -> DocId {
        loop {
            let Some(candidate) = self.variants.iter().map(|(p, _)| p.doc()).min() else {
                return TERMINATED;
            };
            if candidate == TERMINATED {
                return TERMINATED;
            }
            if self.matches(candidate) {
                return candidate;
            }
            self.step_past(candidate);
        }
    }

    /// Whether a variant whose candidate is `candidate` is found there, counted in order (the
    /// first found gives the score).
    fn matches(&mut self, candidate: DocId) -> bool {
        for (phrase, bm25) in &mut self.variants {
            if phrase.doc() != candidate {
                continue;
            }
            let count = phrase.count();
            if count > 0 {
                let norm = self.norms.fieldnorm_id(candidate);
                self.score = bm25.as_ref().map_or(1.0, |w| w.score(norm, count));
                return true;
            }
        }
        false
    }

    /// Sets the bits of its matches from `start` to `start + WINDOW` in a window that starts at
    /// `start` and adds to the score there each one's score, its first variant's (as
    /// [`Self::matches`] scores it); then it is at its first match from there on. Documents
    /// before `start` are passed over. Each variant's candidates are read in a loop of their
    /// own, and counted only where no variant before it was found: walked one match at a time
    /// through every variant, a phrase that nearly every document holds as one term (the
    /// park's name) took twice as long as a word as frequent.
    pub(super) fn fill_window(
        &mut self,
        start: DocId,
        bits: &mut [u64; WORDS],
        scores: &mut [Score; WINDOW as usize],
    ) {
        let end = start + WINDOW;
        let mut found = [0u64; WORDS];
        for (phrase, bm25) in &mut self.variants {
            let mut doc = phrase.seek(start);
            while doc < end {
                let delta = (doc - start) as usize;
                let bit = 1u64 << (delta % 64);
                if found[delta / 64] & bit == 0 {
                    let count = phrase.count();
                    if count > 0 {
                        found[delta / 64] |= bit;
                        let norm = self.norms.fieldnorm_id(doc);
                        let score = bm25.as_ref().map_or(1.0, |w| w.score(norm, count));
                        add_to_window(bits, scores, start, doc, score);
                    }
                }
                doc = phrase.advance();
            }
        }
        self.doc = self.settle();
    }

    /// Moves every variant on `doc` to its next candidate.
    fn step_past(&mut self, doc: DocId) {
        for (phrase, _) in &mut self.variants {
            if phrase.doc() == doc {
                phrase.advance();
            }
        }
    }
}

impl DocSet for PhraseVariantsScorer {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.step_past(self.doc);
            self.doc = self.settle();
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc < target {
            for (phrase, _) in &mut self.variants {
                phrase.seek(target);
            }
            self.doc = self.settle();
        }
        self.doc
    }

    /// Checks `target` alone: positions are read only there, not up to the next match.
    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if target >= TERMINATED {
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        let mut next = TERMINATED;
        for (phrase, _) in &mut self.variants {
            next = next.min(phrase.seek(target));
        }
        if next == target && self.matches(target) {
            self.doc = target;
            return SeekDangerResult::Found;
        }
        SeekDangerResult::SeekLowerBound(next.max(target + 1))
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.variants
            .iter()
            .map(|(p, _)| p.size_hint())
            .max()
            .unwrap_or(0)
    }
}

impl Scorer for PhraseVariantsScorer {
    fn score(&mut self) -> Score {
        self.score
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, Occur, PhraseQuery, TermQuery};
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{Index, TantivyDocument};

    use super::*;

    /// An index of one positional field (whitespace tokens), a segment per slice of `texts`.
    pub(crate) fn index(segments: &[&[&str]]) -> (Index, Field) {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for texts in segments {
            for t in *texts {
                let mut doc = TantivyDocument::new();
                doc.add_text(text, t);
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
        }
        (index, text)
    }

    /// Every match of `phrase` in `reader`'s segment: (document, count).
    fn matches(phrase: Option<PhrasePostings>) -> Vec<(DocId, u32)> {
        let mut out = Vec::new();
        let Some(mut phrase) = phrase else {
            return out;
        };
        while phrase.doc() != TERMINATED {
            let count = phrase.count();
            if count > 0 {
                out.push((phrase.doc(), count));
            }
            phrase.advance();
        }
        out
    }

    /// Every run of 2–5 words of the seed page (a real park page, one document per line, in
    /// kavosh's schema): read through pairs and common phrases, a phrase matches the documents,
    /// and as many times, that its words' positions give.
    #[test]
    fn pairs_and_common_phrases_match_what_positions_match() {
        let (schema, fields) = crate::index::schema::build_schema();
        let index = Index::create_in_ram(schema);
        crate::analysis::register_tokenizers(index.tokenizers());
        let page = include_str!("../../tests/data/mou-054.txt");
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for line in page.lines().filter(|l| !l.trim().is_empty()) {
            let mut doc = TantivyDocument::new();
            doc.add_text(fields.body_exact, line);
            doc.add_text(fields.body_pairs.unwrap(), line);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let reader = searcher.segment_reader(0);
        // Through pairs, with positions walked where they can be, as tantivy reads each word.
        let walked = PositionFiles::of(&EnableScoring::enabled_from_searcher(&searcher));
        let pairs = pairs_field(&index.schema(), fields.body_exact).unwrap();
        let (mut phrases, mut paired, mut common) = (0, 0, 0);
        for line in page.lines() {
            let mut exact = crate::analysis::PersianTokenizer::new(crate::analysis::TermSet::Exact);
            let words: Vec<(u32, Term)> = exact
                .analyze(line)
                .iter()
                .map(|t| {
                    (
                        t.position as u32,
                        Term::from_field_text(fields.body_exact, &t.text),
                    )
                })
                .collect();
            for len in 2..=5 {
                for run in words.windows(len) {
                    let first = run[0].0;
                    let terms: Vec<(u32, Term)> =
                        run.iter().map(|(p, t)| (p - first, t.clone())).collect();
                    let through_pairs = with_pairs(&terms, pairs);
                    if through_pairs.iter().any(|(_, t)| t.field() == pairs.field) {
                        paired += 1;
                    }
                    let words_of =
                        |t: &Term| t.value().as_str().map_or(0, |s| s.split(' ').count());
                    if through_pairs.iter().any(|(_, t)| words_of(t) >= 3) {
                        common += 1;
                    }
                    phrases += 1;
                    assert_eq!(
                        matches(PhrasePostings::open(&walked, reader, &terms).unwrap()),
                        matches(
                            PhrasePostings::open_terms(&PositionFiles::default(), reader, &terms)
                                .unwrap()
                        ),
                        "{terms:?} read as {through_pairs:?}"
                    );
                }
            }
        }
        assert!(paired * 4 > phrases, "{paired} of {phrases} phrases paired");
        // The page names the park five times: runs within and around its name.
        assert!(
            common >= 20,
            "{common} of {phrases} phrases read a common phrase"
        );
    }

    /// A phrase is read through a common phrase only where the index's pair fields hold it:
    /// version 5's hold none, version 6's the park's name and the phrases within it.
    #[test]
    fn common_phrases_are_read_only_where_the_pair_fields_hold_them() {
        let park = [
            (0, "پارک"),
            (1, "علم"),
            (2, "و"),
            (3, "فناوری"),
            (4, "مازندران"),
        ];
        let mou = [(0, "تفاهم"), (1, "نامه"), (2, "همکاری")];
        let read = |schema: &tantivy::schema::Schema| -> [Vec<String>; 2] {
            let exact = crate::index::schema::Fields::resolve(schema)
                .unwrap()
                .body_exact;
            let pairs = pairs_field(schema, exact).unwrap();
            [&park[..], &mou[..]].map(|words| {
                with_pairs(&variant(exact, words), pairs)
                    .iter()
                    .map(|(o, t)| format!("{o}:{}", t.value().as_str().unwrap()))
                    .collect()
            })
        };
        let version = |n: u32| {
            crate::index::versions::KNOWN_VERSIONS
                .iter()
                .find(|v| v.version == n)
                .unwrap()
                .schema()
        };
        assert_eq!(
            read(&crate::index::schema::build_schema().0),
            [["0:پارک علم و فناوری مازندران"], ["0:تفاهم نامه همکاری"]]
                .map(|t| t.map(String::from).to_vec())
        );
        let mou_pairs = vec!["0:تفاهم نامه".to_string(), "1:نامه همکاری".to_string()];
        assert_eq!(
            read(&version(6)),
            [
                vec!["0:پارک علم و فناوری مازندران".to_string()],
                mou_pairs.clone()
            ]
        );
        assert_eq!(
            read(&version(5)),
            [
                ["0:پارک علم", "2:و فناوری", "3:فناوری مازندران"]
                    .map(String::from)
                    .to_vec(),
                mou_pairs
            ]
        );
    }

    fn variant(field: Field, words: &[(u32, &str)]) -> Vec<(u32, Term)> {
        words
            .iter()
            .map(|(o, w)| (*o, Term::from_field_text(field, w)))
            .collect()
    }

    fn phrase_query(terms: &[(u32, Term)]) -> Box<dyn Query> {
        Box::new(PhraseQuery::new_with_offset(
            terms
                .iter()
                .map(|(o, t)| (*o as usize, t.clone()))
                .collect(),
        ))
    }

    #[test]
    fn matches_what_the_union_of_its_variants_matches() {
        // As the analyzer indexes them: ZWNJ writings hold joined forms and parts at the first
        // part's position, so `شرکتهای دانشبنیان` are two apart there.
        let texts: &[&[&str]] = &[
            &[
                "شرکتهای دانشبنیان فعال",
                "شرکت های دانش بنیان فعال",
                "شرکتهای دانش بنیان",
                "دانشبنیان شرکتهای وارونه",
                "شرکت های شرکتهای دانش بنیان و باز شرکت های دانش بنیان",
            ],
            &["شرکت های دانشبنیان", "شرکتهای", "دانش بنیان شرکت"],
        ];
        let (index, text) = index(texts);
        let searcher = index.reader().unwrap().searcher();
        let variants = vec![
            variant(text, &[(0, "شرکت"), (1, "های"), (2, "دانش"), (3, "بنیان")]),
            variant(text, &[(0, "شرکتهای"), (1, "دانشبنیان")]),
            variant(text, &[(0, "شرکتهای"), (1, "دانش"), (2, "بنیان")]),
            variant(text, &[(0, "شرکت"), (1, "های"), (2, "دانشبنیان")]),
            variant(text, &[(0, "غایب"), (1, "دانشبنیان")]),
        ];
        let query = PhraseVariantsQuery::new(variants.clone());
        let union = BooleanQuery::union(variants.iter().map(|v| phrase_query(v)).collect());
        let docs = |q: &dyn Query| {
            let mut found: Vec<_> = searcher
                .search(q, &TopDocs::with_limit(100).order_by_score())
                .unwrap()
                .into_iter()
                .map(|(_, a)| (a.segment_ord, a.doc_id))
                .collect();
            found.sort();
            found
        };
        assert_eq!(docs(&query), vec![(0, 0), (0, 1), (0, 2), (0, 4), (1, 0)]);
        assert_eq!(docs(&query), docs(&union));
        assert_eq!(searcher.search(&query, &Count).unwrap(), 5);
        // Beside a rarer required word, asked about its documents alone (`seek_danger`).
        for other in ["فعال", "بنیان", "شرکت", "باز"] {
            let beside = |q: Box<dyn Query>| {
                let term = Term::from_field_text(text, other);
                let required = TermQuery::new(term, IndexRecordOption::Basic);
                BooleanQuery::new(vec![(Occur::Must, Box::new(required)), (Occur::Must, q)])
            };
            assert_eq!(
                docs(&beside(Box::new(query.clone()))),
                docs(&beside(Box::new(union.clone()))),
                "{other}"
            );
        }
    }

    #[test]
    fn a_document_scores_as_its_first_matching_variant() {
        let (index, text) = index(&[&[
            "شرکت های دانش بنیان",
            "شرکتهای دانشبنیان",
            "متن دیگر",
            "شرکت های دانش بنیان و شرکت های دانش بنیان",
        ]]);
        let searcher = index.reader().unwrap().searcher();
        let spaced = variant(text, &[(0, "شرکت"), (1, "های"), (2, "دانش"), (3, "بنیان")]);
        let joined = variant(text, &[(0, "شرکتهای"), (1, "دانشبنیان")]);
        let query = PhraseVariantsQuery::new(vec![spaced.clone(), joined.clone()]);
        let hits = searcher
            .search(&query, &TopDocs::with_limit(10).order_by_score())
            .unwrap();
        assert_eq!(hits.len(), 3);
        for (score, address) in &hits {
            let alone = if address.doc_id == 1 {
                &joined
            } else {
                &spaced
            };
            let expected = phrase_query(alone).explain(&searcher, *address).unwrap();
            assert!((expected.value() - score).abs() < 1e-5, "{hits:?}");
            let explained = query.explain(&searcher, *address).unwrap();
            assert!((explained.value() - score).abs() < 1e-5);
        }
        assert!(
            query
                .explain(&searcher, tantivy::DocAddress::new(0, 2))
                .is_err()
        );
        // One term is a variant too: its count is the term's frequency.
        let word = PhraseVariantsQuery::new(vec![variant(text, &[(0, "شرکت")])]);
        assert_eq!(searcher.search(&word, &Count).unwrap(), 2);
        // A writing of no term matches nothing.
        let reader = searcher.segment_reader(0);
        assert!(
            PhrasePostings::open(&PositionFiles::default(), reader, &[])
                .unwrap()
                .is_none()
        );
    }
}
