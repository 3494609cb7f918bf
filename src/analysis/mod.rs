//! Persian analysis: how text becomes terms, the same way for documents and queries.
//!
//! - [`fold`]: per-character folding (Arabic letters, digits, marks, invisibles, spaces);
//! - [`segment`]: words and ZWNJ parts over the original text, with source offsets;
//! - [`spelling`]: whole-word spelling variants folding cannot unite (`مسئله`/`مساله`);
//! - [`lexicon`] and [`stemmer`]: a light stemmer that only strips what the lexicon allows;
//! - [`compounds`]: joined forms, query chunks, and splits of joined words into words;
//! - [`pairs`]: pairs of common words side by side, one term each, for phrases;
//! - [`phrases`]: common phrases (the park's name), one term each where their words stand
//!   side by side;
//! - [`tokenizer`]: the tantivy tokenizers built from all of the above;
//! - [`numbers`], [`plurals`], [`clitics`]: number words, Arabic plurals and clitics the
//!   stemmer leaves alone, which queries look for in every form.
//!
//! See `shared/briefs/persian-analysis.md` for why each step exists.

pub mod clitics;
pub mod compounds;
pub mod fold;
pub mod lexicon;
pub mod numbers;
pub mod pairs;
pub mod phrases;
pub mod plurals;
pub mod segment;
pub mod spelling;
pub mod stemmer;
pub mod tokenizer;

use std::cell::RefCell;

use tantivy::tokenizer::Token;

pub use fold::{fold, fold_char};
pub use tokenizer::{PersianTokenizer, TermSet};

/// Registers kavosh's tokenizers (one per [`TermSet`]) with a tantivy index, and loads the
/// lexicon now rather than on the first query.
pub fn register_tokenizers(manager: &tantivy::tokenizer::TokenizerManager) {
    lexicon::Lexicon::get();
    for set in TermSet::ALL {
        manager.register(set.tokenizer_name(), PersianTokenizer::new(set));
    }
}

/// A comparison key for names: folded, with spaces and ZWNJs removed, so that
/// `شرکت‌های دانش‌بنیان`, `شركتهاي دانشبنيان` and `شرکت های دانش بنیان` are equal.
pub fn name_key(name: &str) -> String {
    let mut seg = segment::Segments::default();
    seg.split(name);
    let mut out = String::new();
    for w in &seg.words {
        compounds::push_joined(&seg, w, &mut out);
    }
    out
}

/// The comparison key of each word of a name, in order ([`name_key`] is their concatenation).
pub fn word_keys(name: &str) -> Vec<String> {
    let mut seg = segment::Segments::default();
    seg.split(name);
    seg.words
        .iter()
        .map(|w| {
            let mut key = String::new();
            compounds::push_joined(&seg, w, &mut key);
            key
        })
        .collect()
}

thread_local! {
    /// An exact tokenizer kept on each thread, its buffers reused from one text to the next.
    static EXACT_TOKENIZER: RefCell<PersianTokenizer> =
        RefCell::new(PersianTokenizer::new(TermSet::Exact));
}

/// Calls `f` with the exact tokens of `text` (what the exact fields index). Highlights analyze
/// the title and body of every hit; a new tokenizer for each allocated a string per token, a
/// twentieth of a search's time at a million documents.
pub fn with_exact_tokens<R>(text: &str, f: impl FnOnce(&[Token]) -> R) -> R {
    EXACT_TOKENIZER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut tokenizer) => f(tokenizer.analyze(text)),
        // Asked again from inside `f`: a tokenizer of its own.
        Err(_) => f(PersianTokenizer::new(TermSet::Exact).analyze(text)),
    })
}

/// The ways `term` (an exact term) is written in `texts`: the source slices it is indexed from,
/// in order (`نوآوری` and `نو‌آوری` for the term `نواوری`).
pub fn written_forms<'t>(term: &str, texts: &[&'t str]) -> Vec<&'t str> {
    let mut forms = Vec::new();
    for &text in texts {
        with_exact_tokens(text, |tokens| {
            for t in tokens {
                if t.text == term {
                    forms.push(&text[t.offset_from..t.offset_to]);
                }
            }
        });
    }
    forms
}

/// True when folding leaves `text` as it is but for ZWNJs and the letters Persian writes with
/// a madda or hamza (`آ`, `أ`, `ؤ`, `ئ`, `ۀ`): no tatweel, Arabic ي/ك, vowel marks or invisibles
/// — a spelling to show users.
pub fn is_clean(text: &str) -> bool {
    text.chars().all(|c| {
        matches!(c, fold::ZWNJ | 'آ' | 'أ' | 'ؤ' | 'ئ' | 'ۀ') || {
            let mut same = true;
            fold_char(c, |f| same &= f == fold::FoldedChar::Char(c));
            same
        }
    })
}

/// One term a query looks for (or, from [`document_terms`], one term a text is indexed under):
/// `field` is `body` (stemmed), `body_exact` (unstemmed, joined ZWNJ words) or, for documents,
/// `body_pairs` (two common words side by side, see [`pairs`]); `position` is the index of the
/// word it starts at; `from..to` are byte offsets into the text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct QueryTerm {
    pub field: &'static str,
    pub position: usize,
    pub term: String,
    pub from: usize,
    pub to: usize,
}

/// The terms a run of plain query words is looked up by: each word's stem and exact form, and
/// the chunks of 2–3 neighbouring words joined (what `kavosh analyze --query` prints).
pub fn query_terms(text: &str) -> Vec<QueryTerm> {
    let mut seg = segment::Segments::default();
    seg.split(text);
    let mut out = Vec::new();
    for (i, word) in seg.words.iter().enumerate() {
        let mut joined = String::new();
        compounds::push_joined(&seg, word, &mut joined);
        let (from, to) = seg.span(word, word);
        out.push(QueryTerm {
            field: "body",
            position: i,
            term: compounds::word_term(&joined, true).into_owned(),
            from,
            to,
        });
        out.push(QueryTerm {
            field: "body_exact",
            position: i,
            term: joined,
            from,
            to,
        });
    }
    for chunk in compounds::query_chunks(&seg) {
        let (from, to) = seg.span(&seg.words[chunk.words.0], &seg.words[chunk.words.1 - 1]);
        for (field, term) in [("body", chunk.stemmed), ("body_exact", chunk.exact)] {
            out.push(QueryTerm {
                field,
                position: chunk.words.0,
                term,
                from,
                to,
            });
        }
    }
    out
}

/// The terms a document's text is indexed under: the `body` (stemmed) terms, the `body_exact`
/// ones, then the `body_pairs` ones (what `kavosh analyze` prints without `--query`).
pub fn document_terms(text: &str) -> Vec<QueryTerm> {
    let mut out = Vec::new();
    for (field, set) in [
        ("body", TermSet::Stemmed),
        ("body_exact", TermSet::Exact),
        ("body_pairs", TermSet::Pairs),
    ] {
        let mut tokenizer = PersianTokenizer::new(set);
        out.extend(tokenizer.analyze(text).iter().map(|t| QueryTerm {
            field,
            position: t.position,
            term: t.text.clone(),
            from: t.offset_from,
            to: t.offset_to,
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kept_tokenizer_gives_each_text_its_own_tokens_even_when_asked_from_inside() {
        let fresh = |text: &str| {
            let mut tokenizer = PersianTokenizer::new(TermSet::Exact);
            let tokens = tokenizer.analyze(text);
            tokens.iter().map(|t| t.text.clone()).collect::<Vec<_>>()
        };
        let long = "تفاهم‌نامه همکاری پارک علم و فناوری مازندران و دانشگاه";
        let short = "بانک ملی";
        let texts = |tokens: &[Token]| tokens.iter().map(|t| t.text.clone()).collect::<Vec<_>>();
        assert_eq!(with_exact_tokens(long, texts), fresh(long));
        // A shorter text after a longer one: none of the longer one's tokens are left over.
        let (outer, inner) = with_exact_tokens(short, |outer| {
            (texts(outer), with_exact_tokens(long, texts))
        });
        assert_eq!((outer, inner), (fresh(short), fresh(long)));
    }

    #[test]
    fn written_forms_slice_the_texts_and_clean_ones_can_be_told() {
        let forms = written_forms("نواوری", &["مرکز نوآوری و نو‌آوری", "نوآوريها"]);
        assert_eq!(forms, ["نوآوری", "نو‌آوری"]);
        assert!(is_clean("نوآوری") && is_clean("نو‌آوری") && is_clean("مؤسسه"));
        assert!(!is_clean("فنـاوری") && !is_clean("فناوري") && !is_clean("عِلم"));
    }
}
