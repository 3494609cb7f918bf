//! The index schema: which fields exist, how each is analyzed, and which are fast fields for
//! filters, sorting, facets and aggregations.
//!
//! Each text (title, body) is indexed three ways (see `analysis::TermSet`): stemmed (`title`,
//! `body`), exact (`title_exact`, `body_exact`: exactness, phrases, completions and typo
//! expansions) and as pairs of common words and common phrases (`title_pairs`, `body_pairs`:
//! phrases of common words, see `analysis::pairs` and `analysis::phrases`). The original
//! document is stored once, as JSON, in `document`.
//!
//! Changing the schema (or the terms the analyzer gives documents) makes a new index version:
//! see `super::versions` for what must come with it.

use tantivy::schema::{
    FAST, Field, FieldType, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Type,
};

use crate::analysis::TermSet;
use crate::analysis::phrases::phrases_held;

/// Handles to every field of the schema.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub id: Field,
    pub kind: Field,
    pub title: Field,
    pub title_exact: Field,
    pub body: Field,
    pub body_exact: Field,
    /// The pair fields; indexes before version 5 have none.
    pub title_pairs: Option<Field>,
    pub body_pairs: Option<Field>,
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

/// A text field of a term set. Only exact and pair fields keep positions: phrases, proximity
/// and words written apart are all looked up there; stemmed fields answer term queries.
fn text(set: TermSet) -> TextOptions {
    let record = match set {
        TermSet::Stemmed => IndexRecordOption::WithFreqs,
        TermSet::Exact | TermSet::Pairs => IndexRecordOption::WithFreqsAndPositions,
    };
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(set.tokenizer_name())
            .set_index_option(record)
            // Pairs are scored by their exact field's norms (`search::phrase`).
            .set_fieldnorms(set != TermSet::Pairs),
    )
}

/// Builds the schema and its field handles.
pub fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    b.add_text_field("id", STRING | FAST);
    b.add_text_field("kind", STRING | FAST);
    b.add_text_field("title", text(TermSet::Stemmed));
    b.add_text_field("title_exact", text(TermSet::Exact));
    b.add_text_field("title_pairs", text(TermSet::Pairs));
    b.add_text_field("body", text(TermSet::Stemmed));
    b.add_text_field("body_exact", text(TermSet::Exact));
    b.add_text_field("body_pairs", text(TermSet::Pairs));
    b.add_text_field("partner", STRING | FAST);
    b.add_text_field("partner_key", STRING);
    b.add_text_field("domain", STRING | FAST);
    b.add_date_field("date", INDEXED | FAST);
    b.add_u64_field("year", INDEXED | FAST);
    b.add_u64_field("month", INDEXED | FAST);
    b.add_u64_field("number", INDEXED | FAST);
    b.add_text_field("document", STORED);
    let schema = b.build();
    let fields = Fields::resolve(&schema).expect("the schema has every field");
    (schema, fields)
}

/// The name of the pair field of an exact field (`body_exact` → `body_pairs`).
fn pairs_name(exact: &str) -> Option<String> {
    exact
        .strip_suffix("_exact")
        .map(|text| format!("{text}_pairs"))
}

/// The pair field of an exact field (see [`pairs_field`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PairField {
    pub field: Field,
    /// How many of the common phrases (`analysis::phrases`, the list's first ones) it also
    /// holds, as its tokenizer's name says (`analysis::phrases::PAIR_TOKENIZERS`).
    pub phrases: usize,
}

/// The pair field of `exact` in `schema`: `None` unless `exact` is an exact field and the index
/// has pair fields (version 5 on).
pub fn pairs_field(schema: &Schema, exact: Field) -> Option<PairField> {
    let name = pairs_name(schema.get_field_name(exact))?;
    let field = schema.get_field(&name).ok()?;
    let tokenizer = match schema.get_field_entry(field).field_type() {
        FieldType::Str(options) => options.get_indexing_options().map(|o| o.tokenizer()),
        _ => None,
    };
    Some(PairField {
        field,
        phrases: tokenizer.map_or(0, phrases_held),
    })
}

impl Fields {
    /// The handles of the fields kavosh uses, found by name: an index of an older version (see
    /// `super::versions`) has them at other places, and may have others besides. An error names
    /// a field that is missing or holds another type.
    pub fn resolve(schema: &Schema) -> Result<Fields, String> {
        let field = |name: &str, expected: Type| {
            let field = schema
                .get_field(name)
                .map_err(|_| format!("it has no field {name:?}"))?;
            let found = schema.get_field_entry(field).field_type().value_type();
            if found == expected {
                Ok(field)
            } else {
                Err(format!(
                    "its field {name:?} holds {found:?}, not {expected:?}"
                ))
            }
        };
        Ok(Fields {
            id: field("id", Type::Str)?,
            kind: field("kind", Type::Str)?,
            title: field("title", Type::Str)?,
            title_exact: field("title_exact", Type::Str)?,
            body: field("body", Type::Str)?,
            body_exact: field("body_exact", Type::Str)?,
            title_pairs: schema.get_field("title_pairs").ok(),
            body_pairs: schema.get_field("body_pairs").ok(),
            partner: field("partner", Type::Str)?,
            partner_key: field("partner_key", Type::Str)?,
            domain: field("domain", Type::Str)?,
            date: field("date", Type::Date)?,
            year: field("year", Type::U64)?,
            month: field("month", Type::U64)?,
            number: field("number", Type::U64)?,
            document: field("document", Type::Str)?,
        })
    }
}
