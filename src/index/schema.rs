//! The index schema: which fields exist, how each is analyzed, and which are fast fields for
//! filters, sorting, facets and aggregations.
//!
//! Each text (title, body) is indexed two ways (see `analysis::TermSet`): stemmed (`title`,
//! `body`) and exact (`title_exact`, `body_exact`: exactness, phrases, completions and typo
//! expansions). The original document is stored once, as JSON, in `document`.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis::TermSet;

/// Handles to every field of the schema.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub id: Field,
    pub kind: Field,
    pub title: Field,
    pub title_exact: Field,
    pub body: Field,
    pub body_exact: Field,
    /// Canonical partner names (display form), fast for facets.
    pub partner: Field,
    /// Partner comparison keys (`analysis::name_key`), for filters typed in any spelling.
    pub partner_key: Field,
    /// Domain ids with their ancestors (`energy/oil-gas` and `energy`).
    pub domain: Field,
    pub date: Field,
    /// Jalali year, `1404`.
    pub year: Field,
    /// Jalali year and month, `140409`.
    pub month: Field,
    pub number: Field,
    /// The whole document as JSON.
    pub document: Field,
}

/// Names of the fast fields an aggregation request may use.
pub const AGGREGATABLE_FIELDS: &[&str] = &[
    "kind", "partner", "domain", "date", "year", "month", "number",
];

/// A text field of a term set. Only exact fields keep positions: phrases, proximity and
/// words written apart are all looked up there; stemmed fields answer term queries.
fn text(set: TermSet) -> TextOptions {
    let record = match set {
        TermSet::Stemmed => IndexRecordOption::WithFreqs,
        TermSet::Exact => IndexRecordOption::WithFreqsAndPositions,
    };
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(set.tokenizer_name())
            .set_index_option(record),
    )
}

/// Builds the schema and its field handles.
pub fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        id: b.add_text_field("id", STRING | FAST),
        kind: b.add_text_field("kind", STRING | FAST),
        title: b.add_text_field("title", text(TermSet::Stemmed)),
        title_exact: b.add_text_field("title_exact", text(TermSet::Exact)),
        body: b.add_text_field("body", text(TermSet::Stemmed)),
        body_exact: b.add_text_field("body_exact", text(TermSet::Exact)),
        partner: b.add_text_field("partner", STRING | FAST),
        partner_key: b.add_text_field("partner_key", STRING),
        domain: b.add_text_field("domain", STRING | FAST),
        date: b.add_date_field("date", INDEXED | FAST),
        year: b.add_u64_field("year", INDEXED | FAST),
        month: b.add_u64_field("month", INDEXED | FAST),
        number: b.add_u64_field("number", INDEXED | FAST),
        document: b.add_text_field("document", STORED),
    };
    (b.build(), fields)
}
