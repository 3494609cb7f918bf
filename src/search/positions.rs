//! A term's documents and positions read block by block, for the terms of a phrase whose
//! candidates are in most of the term's blocks.
//!
//! tantivy's `SegmentPostings` finds where a document's positions start by summing the
//! frequencies of the documents before it in its block, on every read: reading the positions
//! of every document of a block costs 128 × 64 additions. At a million documents that sum was
//! a quarter of `"تفاهم‌نامه همکاری"` and two fifths of the park's name as a phrase, whose
//! pairs are in most documents. [`WalkedPositions`] keeps the sum as it walks, reading every
//! block on its way (it cannot skip a block without its frequencies), so it serves terms
//! whose candidates are dense; a phrase's sparse terms keep tantivy's postings, which skip.

use std::path::PathBuf;
use std::sync::Arc;

use tantivy::directory::CompositeFile;
use tantivy::directory::Directory;
use tantivy::positions::PositionReader;
use tantivy::postings::{BlockSegmentPostings, Postings, SegmentPostings, TermInfo};
use tantivy::query::EnableScoring;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Index, InvertedIndexReader, SegmentReader, TERMINATED};

/// How many blocks a seek of [`WalkedPositions`] may read past before the term is read with
/// tantivy's postings, which skip them: a phrase asked about documents far apart (beside a
/// rarer word, or a compound written apart asked only where its joined form is not) read every
/// block between them, 11–17% slower at a million documents.
const WALKED_BLOCKS: usize = 2;

/// The index whose segments' positions files [`WalkedPositions`] reads (tantivy's segment
/// readers do not give them); none when a query is weighed without a searcher.
#[derive(Clone, Default)]
pub(crate) struct PositionFiles(Option<Index>);

impl PositionFiles {
    pub(crate) fn of(enable_scoring: &EnableScoring<'_>) -> PositionFiles {
        PositionFiles(enable_scoring.searcher().map(|s| s.index().clone()))
    }
}

/// A term's postings in one segment, with its positions.
pub(crate) enum TermPositions {
    /// tantivy's: seeks skip blocks.
    Skipping(SegmentPostings),
    Walked(WalkedPositions),
}

impl TermPositions {
    pub(crate) fn doc(&self) -> DocId {
        match self {
            TermPositions::Skipping(p) => p.doc(),
            TermPositions::Walked(p) => p.doc,
        }
    }

    pub(crate) fn advance(&mut self) -> DocId {
        match self {
            TermPositions::Skipping(p) => p.advance(),
            TermPositions::Walked(p) => p.advance(),
        }
    }

    /// The first document at or after `target` (the current one when it is there already).
    pub(crate) fn seek(&mut self, target: DocId) -> DocId {
        match self {
            TermPositions::Skipping(p) if p.doc() < target => p.seek(target),
            TermPositions::Skipping(p) => p.doc(),
            TermPositions::Walked(p) => {
                let (doc, blocks) = p.seek(target);
                // Asked about documents far apart: seeking skips blocks from here on.
                if blocks > WALKED_BLOCKS
                    && let Ok(mut skipping) = p.inverted.read_postings_from_terminfo(
                        &p.info,
                        IndexRecordOption::WithFreqsAndPositions,
                    )
                {
                    skipping.seek(doc);
                    *self = TermPositions::Skipping(skipping);
                }
                doc
            }
        }
    }

    pub(crate) fn doc_freq(&self) -> u32 {
        match self {
            TermPositions::Skipping(p) => p.doc_freq(),
            TermPositions::Walked(p) => p.block.doc_freq(),
        }
    }

    pub(crate) fn term_freq(&self) -> u32 {
        match self {
            TermPositions::Skipping(p) => p.term_freq(),
            TermPositions::Walked(p) => p.block.freq(p.index),
        }
    }

    /// The current document's positions, each plus `offset`, in `output` (emptied first).
    pub(crate) fn positions_with_offset(&mut self, offset: u32, output: &mut Vec<u32>) {
        match self {
            TermPositions::Skipping(p) => p.positions_with_offset(offset, output),
            TermPositions::Walked(p) => p.positions_with_offset(offset, output),
        }
    }
}

/// A term's postings walked block by block, with the count of its positions before the
/// current document kept as it goes.
pub(crate) struct WalkedPositions {
    inverted: Arc<InvertedIndexReader>,
    info: TermInfo,
    block: BlockSegmentPostings,
    positions: PositionReader,
    /// The current document's place in the block.
    index: usize,
    /// How many positions the term has in the documents before the current one.
    before: u64,
    doc: DocId,
}

impl WalkedPositions {
    /// The postings and positions of the term `info` describes in `inverted` (the index of
    /// `field` in `reader`'s segment); `None` when the field keeps no positions or `files` has
    /// no index.
    pub(crate) fn open(
        files: &PositionFiles,
        reader: &SegmentReader,
        field: Field,
        inverted: &Arc<InvertedIndexReader>,
        info: &TermInfo,
    ) -> tantivy::Result<Option<WalkedPositions>> {
        let Some(index) = &files.0 else {
            return Ok(None);
        };
        // The file tantivy names after the segment and its positions component.
        let path = PathBuf::from(format!("{}.pos", reader.segment_id().uuid_string()));
        let file = index.directory().open_read(&path)?;
        let Some(positions) = CompositeFile::open(&file)?.open_read(field) else {
            return Ok(None);
        };
        let positions =
            PositionReader::open(positions.read_bytes_slice(info.positions_range.clone())?)?;
        let block =
            inverted.read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
        let mut walked = WalkedPositions {
            inverted: Arc::clone(inverted),
            info: info.clone(),
            block,
            positions,
            index: 0,
            before: 0,
            doc: TERMINATED,
        };
        walked.doc = walked.doc_here();
        Ok(Some(walked))
    }

    /// The document at `index` in the block, `TERMINATED` past the last block.
    fn doc_here(&self) -> DocId {
        if self.index < self.block.block_len() {
            self.block.doc(self.index)
        } else {
            TERMINATED
        }
    }

    /// Moves past the current document.
    fn step(&mut self) {
        self.before += u64::from(self.block.freq(self.index));
        self.index += 1;
        if self.index == self.block.block_len() {
            self.block.advance();
            self.index = 0;
        }
    }

    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.step();
            self.doc = self.doc_here();
        }
        self.doc
    }

    /// The first document at or after `target`, and how many blocks it read past to reach it.
    fn seek(&mut self, target: DocId) -> (DocId, usize) {
        let mut blocks = 0;
        while self.doc < target {
            let len = self.block.block_len();
            if self.block.doc(len - 1) < target {
                // The rest of the block is before the target.
                self.before += self.block.freqs()[self.index..len]
                    .iter()
                    .map(|&f| u64::from(f))
                    .sum::<u64>();
                self.block.advance();
                self.index = 0;
                blocks += 1;
            } else {
                while self.block.doc(self.index) < target {
                    self.step();
                }
            }
            self.doc = self.doc_here();
        }
        (self.doc, blocks)
    }

    fn positions_with_offset(&mut self, offset: u32, output: &mut Vec<u32>) {
        output.clear();
        output.resize(self.block.freq(self.index) as usize, 0);
        // The positions are stored as each document's deltas, from 0.
        self.positions.read(self.before, output);
        let mut position = offset;
        for p in output.iter_mut() {
            position += *p;
            *p = position;
        }
    }
}

#[cfg(test)]
mod tests {
    use tantivy::Term;

    use super::*;
    use crate::search::testing::compounds;

    /// Moved alternately by a seek `step` documents ahead and by `advance`, each term gives
    /// the documents, frequencies and positions tantivy's postings give, in both segments:
    /// `زوج` in every other document, sparser words, and `تفاهم` and `نامه` twice in every 35th
    /// (apart and reversed).
    #[test]
    fn walks_as_tantivy_s_postings() {
        let (searcher, text) = compounds();
        let files = PositionFiles::of(&EnableScoring::enabled_from_searcher(&searcher));
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for word in ["زوج", "تفاهم", "نامه", "همکاری"] {
            let term = Term::from_field_text(text, word);
            for reader in searcher.segment_readers() {
                for step in [1, 3, 200, 1_000] {
                    let inverted = reader.inverted_index(text).unwrap();
                    let info = inverted.get_term_info(&term).unwrap().unwrap();
                    let walked = WalkedPositions::open(&files, reader, text, &inverted, &info);
                    let mut walked = TermPositions::Walked(walked.unwrap().unwrap());
                    let mut tantivy = TermPositions::Skipping(
                        inverted
                            .read_postings(&term, IndexRecordOption::WithFreqsAndPositions)
                            .unwrap()
                            .unwrap(),
                    );
                    assert_eq!(walked.doc_freq(), tantivy.doc_freq());
                    let mut target = 0;
                    let mut twice = false;
                    for n in 0.. {
                        let doc = if n % 2 == 0 {
                            let doc = tantivy.seek(target);
                            assert_eq!(walked.seek(target), doc, "{word} {step} {target}");
                            doc
                        } else {
                            let doc = tantivy.advance();
                            assert_eq!(walked.advance(), doc, "{word} {step}");
                            doc
                        };
                        if doc == TERMINATED {
                            break;
                        }
                        assert_eq!(walked.term_freq(), tantivy.term_freq(), "{word} {doc}");
                        twice |= tantivy.term_freq() > 1;
                        walked.positions_with_offset(3, &mut ours);
                        tantivy.positions_with_offset(3, &mut theirs);
                        assert_eq!(ours, theirs, "{word} {doc}");
                        target = doc + step;
                    }
                    assert_eq!(walked.doc(), TERMINATED, "{word} {step}");
                    if step == 1 {
                        // Every document was visited.
                        assert_eq!(twice, word == "تفاهم" || word == "نامه", "{word}");
                    }
                }
            }
        }
    }

    /// Without an index (a query weighed without a searcher) nothing is walked.
    #[test]
    fn nothing_is_walked_without_an_index() {
        let (searcher, text) = compounds();
        let term = Term::from_field_text(text, "زوج");
        let reader = searcher.segment_reader(0);
        let inverted = reader.inverted_index(text).unwrap();
        let info = inverted.get_term_info(&term).unwrap().unwrap();
        let walked =
            WalkedPositions::open(&PositionFiles::default(), reader, text, &inverted, &info);
        assert!(walked.unwrap().is_none());
    }
}
