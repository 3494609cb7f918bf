//! What the tests of the search's own queries ([`super::union`], [`super::conjunction`],
//! [`super::windowed`]) share: corpora of short documents over two segments, and every match of
//! a query with its score.

use tantivy::collector::{Count, TopDocs};
use tantivy::query::Query;
use tantivy::schema::{Field, STORED, Schema, TEXT};
use tantivy::{DocAddress, Index, Score, Searcher, TantivyDocument, Term};

use super::alternatives::AlternativesQuery;
use super::apart::WrittenApartQuery;
use super::union::TermsUnionQuery;

/// Documents `0..count` in one stored text field, document `i` the words `words(i)`, over two
/// segments: documents up to `first_segment_ends` (included), and the rest.
fn two_segments(
    count: u32,
    first_segment_ends: u32,
    words: impl Fn(u32) -> Vec<&'static str>,
) -> (Searcher, Field) {
    let mut schema = Schema::builder();
    let text = schema.add_text_field("text", TEXT | STORED);
    let index = Index::create_in_ram(schema.build());
    let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
    for i in 0..count {
        let mut doc = TantivyDocument::new();
        doc.add_text(text, words(i).join(" "));
        writer.add_document(doc).unwrap();
        if i == first_segment_ends {
            writer.commit().unwrap();
        }
    }
    writer.commit().unwrap();
    (index.reader().unwrap().searcher(), text)
}

/// 30,000 documents, over two segments (documents 0–15,000 and the rest):
/// `سند` in every one, `پژوهش` in a third, `فناوری` (twice) in about a fifth, `ساری` in every
/// 97th and in runs of 8,000 (10,000–18,000) and 25 (20,000–20,025), `خاویار` in 50
/// (20,000–20,050) and `بیوگاز` in 40 (25,000–25,040), both in the second segment only, `زوج`
/// in the even ones and `فرد` in the odd ones, `ماه` and `سال` in every other odd one (`ماه`
/// in 1, 5, 9, …), `الف` in every 15th.
pub(super) fn thirty_thousand_documents() -> (Searcher, Field) {
    two_segments(30_000, 15_000, |i| {
        let mut words = vec!["سند"];
        match i % 4 {
            1 => words.push("ماه"),
            3 => words.push("سال"),
            _ => {}
        }
        if i.is_multiple_of(15) {
            words.push("الف");
        }
        if i.is_multiple_of(3) {
            words.push("پژوهش");
        }
        if i.is_multiple_of(7) || i.is_multiple_of(11) {
            words.extend(["فناوری"; 2]);
        }
        if (20_000..20_050).contains(&i) {
            words.push("خاویار");
        }
        if (25_000..25_040).contains(&i) {
            words.push("بیوگاز");
        }
        if i.is_multiple_of(97) || (10_000..18_000).contains(&i) || (20_000..20_025).contains(&i) {
            words.push("ساری");
        }
        words.push(if i.is_multiple_of(2) {
            "زوج"
        } else {
            "فرد"
        });
        words
    })
}

/// 12,000 documents over two segments (6,000 each, so windows end inside and at their
/// ends): `تفاهمنامه` in every 3rd, `تفاهم نامه` apart in every 5th (twice in 5,000–5,100),
/// the words the other way round in every 7th, `همکاری` in every 11th, `زوج` or `فرد`.
pub(super) fn compounds() -> (Searcher, Field) {
    two_segments(12_000, 5_999, |i| {
        let mut words = vec![if i.is_multiple_of(2) {
            "زوج"
        } else {
            "فرد"
        }];
        if i.is_multiple_of(3) {
            words.push("تفاهمنامه");
        }
        if i.is_multiple_of(5) {
            words.extend(["تفاهم", "نامه"]);
        }
        if (5_000..5_100).contains(&i) {
            words.extend(["و", "تفاهم", "نامه"]);
        }
        if i.is_multiple_of(7) {
            words.extend(["نامه", "تفاهم"]);
        }
        if i.is_multiple_of(11) {
            words.push("همکاری");
        }
        words
    })
}

/// The union of `terms` (with their boosts) of the field `text`.
pub(super) fn union_of(text: Field, terms: &[(&str, Score)]) -> Box<dyn Query> {
    Box::new(TermsUnionQuery::new(
        terms
            .iter()
            .map(|&(w, boost)| (Term::from_field_text(text, w), boost))
            .collect(),
    ))
}

/// `تفاهم نامه` in [`compounds`] where `تفاهمنامه` is not.
pub(super) fn written_apart(text: Field) -> Box<dyn Query> {
    let term = |w: &str| Term::from_field_text(text, w);
    Box::new(WrittenApartQuery::new(
        vec![term("تفاهم"), term("نامه")],
        term("تفاهمنامه"),
    ))
}

/// A word's ways in [`compounds`], as a query builds them: its terms (`تفاهمنامه`, and
/// `همکاری` to make a union), or the compound written apart.
pub(super) fn compound_ways(text: Field) -> Box<dyn Query> {
    Box::new(AlternativesQuery::new(vec![
        union_of(text, &[("تفاهمنامه", 1.5), ("همکاری", 0.5)]),
        written_apart(text),
    ]))
}

/// Every match of `query` and its score, by document, collected with the total as a search
/// collects them (without the total, tantivy's block-max pass would add a document's scores in
/// another order).
pub(super) fn scored(searcher: &Searcher, query: &dyn Query) -> Vec<(DocAddress, Score)> {
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
