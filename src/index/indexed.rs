//! The document the index writer takes: each field's values, with the document's title and
//! body held once for the three fields that analyze each (stemmed, exact, pairs).
//!
//! tantivy's own `TantivyDocument` holds a copy of a text per field, and the writer queues up
//! to 10,000 documents for its indexing threads: three copies of each body were 80 MB of a
//! 100k ingest's peak memory.

use tantivy::DateTime;
use tantivy::schema::document::{ReferenceValue, ReferenceValueLeaf};
use tantivy::schema::{Document, Field, Value};

/// A document for the index writer: its texts in one buffer (one allocation, not one per
/// value), each field value a span of it, a number or a date.
#[derive(Debug, Default)]
pub struct IndexedDocument {
    text: String,
    values: Vec<(Field, FieldValue)>,
}

/// Where a text is in an [`IndexedDocument`]'s buffer: one span may serve several fields.
#[derive(Clone, Copy, Debug)]
pub struct Span {
    from: usize,
    to: usize,
}

#[derive(Debug)]
enum FieldValue {
    Text(Span),
    U64(u64),
    Date(DateTime),
}

impl IndexedDocument {
    /// A document whose texts will take `bytes` in all: its buffer is allocated once, at that
    /// size. (Grown text by text, it doubled past its texts, and the up to 10,000 documents
    /// tantivy queues for its indexing threads held 40% more than their texts.)
    pub fn with_capacity(bytes: usize) -> IndexedDocument {
        IndexedDocument {
            text: String::with_capacity(bytes),
            values: Vec::new(),
        }
    }

    /// Bytes allocated for texts and not used by any (0 when the capacity asked for was exact).
    #[cfg(test)]
    pub fn unused_capacity(&self) -> usize {
        self.text.capacity() - self.text.len()
    }

    /// Puts `text` into the document without giving it to a field yet.
    pub fn push_text(&mut self, text: &str) -> Span {
        let from = self.text.len();
        self.text.push_str(text);
        Span {
            from,
            to: self.text.len(),
        }
    }

    /// Gives `field` a text already in the document.
    pub fn add_span(&mut self, field: Field, span: Span) {
        self.values.push((field, FieldValue::Text(span)));
    }

    pub fn add_text(&mut self, field: Field, text: &str) {
        let span = self.push_text(text);
        self.add_span(field, span);
    }

    pub fn add_u64(&mut self, field: Field, value: u64) {
        self.values.push((field, FieldValue::U64(value)));
    }

    pub fn add_date(&mut self, field: Field, value: DateTime) {
        self.values.push((field, FieldValue::Date(value)));
    }

    fn leaf<'a>(&'a self, value: &'a FieldValue) -> ReferenceValueLeaf<'a> {
        match value {
            FieldValue::Text(span) => ReferenceValueLeaf::Str(&self.text[span.from..span.to]),
            FieldValue::U64(n) => ReferenceValueLeaf::U64(*n),
            FieldValue::Date(d) => ReferenceValueLeaf::Date(*d),
        }
    }
}

/// One value of an [`IndexedDocument`]: always a leaf (kavosh's fields hold no objects).
#[derive(Clone, Debug)]
pub struct Leaf<'a>(ReferenceValueLeaf<'a>);

impl<'a> Value<'a> for Leaf<'a> {
    type ArrayIter = std::iter::Empty<Leaf<'a>>;
    type ObjectIter = std::iter::Empty<(&'a str, Leaf<'a>)>;

    fn as_value(&self) -> ReferenceValue<'a, Self> {
        ReferenceValue::Leaf(self.0.clone())
    }
}

/// The fields and values of an [`IndexedDocument`], in the order they were added.
pub struct FieldValues<'a> {
    doc: &'a IndexedDocument,
    next: usize,
}

impl<'a> Iterator for FieldValues<'a> {
    type Item = (Field, Leaf<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let (field, value) = self.doc.values.get(self.next)?;
        self.next += 1;
        Some((*field, Leaf(self.doc.leaf(value))))
    }
}

impl Document for IndexedDocument {
    type Value<'a> = Leaf<'a>;
    type FieldsValuesIter<'a> = FieldValues<'a>;

    fn iter_fields_and_values(&self) -> FieldValues<'_> {
        FieldValues { doc: self, next: 0 }
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::Count;
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, STORED, Schema, TEXT};
    use tantivy::{Index, IndexWriter, TantivyDocument, Term};

    use super::*;

    #[test]
    fn shared_texts_are_indexed_in_every_field_given_them() {
        let mut schema = Schema::builder();
        let (a, b, stored) = (
            schema.add_text_field("a", TEXT),
            schema.add_text_field("b", TEXT),
            schema.add_text_field("stored", STORED),
        );
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter<IndexedDocument> =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        let mut doc = IndexedDocument::default();
        let (title, body) = (doc.push_text("title"), doc.push_text("body words"));
        doc.add_span(a, title);
        doc.add_span(a, body);
        doc.add_span(b, body);
        doc.add_text(stored, "kept");
        writer.add_document(doc).unwrap();
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let count = |field, word| {
            let term = Term::from_field_text(field, word);
            let query = TermQuery::new(term, IndexRecordOption::Basic);
            searcher.search(&query, &Count).unwrap()
        };
        assert_eq!((count(a, "title"), count(a, "words")), (1, 1));
        assert_eq!((count(b, "words"), count(b, "title")), (1, 0));
        let kept: TantivyDocument = searcher.doc(tantivy::DocAddress::new(0, 0)).unwrap();
        assert_eq!(
            kept.get_first(stored).and_then(|v| v.as_str()),
            Some("kept")
        );
    }
}
