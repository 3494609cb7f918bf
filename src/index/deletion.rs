//! Deleting the documents of one id, at the cost of the id alone.
//!
//! An upsert deletes the id before adding the document. tantivy's `delete_term` keeps a
//! `TermQuery` weight per delete until every segment has applied it, and that weight holds a
//! BM25 table of 256 floats, though a delete never scores: 1 KB per document written, and an
//! ingest kept tens of thousands alive at once, since a merge under way holds every delete
//! made after it started (42 MB at the peak of a 200k ingest). [`IdDeletion`] keeps the term
//! and reads its postings when a segment applies it.

use tantivy::query::{ConstScorer, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term};

/// The documents holding `term` (an id), for [`tantivy::IndexWriter::delete_query`].
#[derive(Clone, Debug)]
pub struct IdDeletion(pub Term);

impl Query for IdDeletion {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(IdDeletionWeight(self.0.clone())))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.0, false);
    }
}

struct IdDeletionWeight(Term);

impl Weight for IdDeletionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let index = reader.inverted_index(self.0.field())?;
        Ok(
            match index.read_postings(&self.0, IndexRecordOption::Basic)? {
                Some(postings) => Box::new(ConstScorer::new(postings, boost)),
                None => Box::new(EmptyScorer),
            },
        )
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) == doc {
            Ok(Explanation::new("Holds the id", 1.0))
        } else {
            Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not hold the id"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::Count;
    use tantivy::query::TermQuery;
    use tantivy::schema::{STORED, STRING, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument, doc};

    use super::*;

    #[test]
    fn an_id_is_deleted_in_earlier_commits_and_earlier_in_its_own() {
        let mut schema = Schema::builder();
        let (id, text) = (
            schema.add_text_field("id", STRING),
            schema.add_text_field("text", STRING | STORED),
        );
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter<TantivyDocument> =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer
            .add_document(doc!(id => "a", text => "first"))
            .unwrap();
        writer
            .add_document(doc!(id => "b", text => "kept"))
            .unwrap();
        writer.commit().unwrap();
        // Replaced across commits, and twice within one: only the last write stays.
        for version in ["second", "third"] {
            writer
                .delete_query(Box::new(IdDeletion(Term::from_field_text(id, "a"))))
                .unwrap();
            writer
                .add_document(doc!(id => "a", text => version))
                .unwrap();
        }
        writer
            .delete_query(Box::new(IdDeletion(Term::from_field_text(id, "missing"))))
            .unwrap();
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let count = |field, value| {
            let query = TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            );
            searcher.search(&query, &Count).unwrap()
        };
        assert_eq!(searcher.num_docs(), 2);
        assert_eq!(
            [
                count(text, "first"),
                count(text, "second"),
                count(text, "third")
            ],
            [0, 0, 1]
        );
        assert_eq!(count(text, "kept"), 1);
    }
}
