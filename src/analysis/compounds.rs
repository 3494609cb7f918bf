//! Compounds: the three spellings of `هم‌افزایی` (ZWNJ), `همافزایی` (joined) and `هم افزایی`
//! (spaced) must meet, in documents and in queries.
//!
//! Index side, every field holds for a ZWNJ word its parts at consecutive positions *and* its
//! joined form at the first part's position; the exact field also holds the concatenations of
//! 2 and 3 space-separated neighbours (`هم افزایی` → `همافزایی`) at the first word's position.
//! Query side, [`Chunk`]s group 1–3 consecutive query words into one joined term, which may meet
//! a joined or ZWNJ word of a document (via its joined form) or a spaced one (via the
//! concatenations). This module computes those forms; `tokenizer` and `search::query` use them.

use std::borrow::Cow;

use super::lexicon::Lexicon;
use super::segment::{Segments, Word};
use super::spelling::canonical_spelling;
use super::stemmer::stem;

/// Longest word run joined into one compound term (`دانش بنیان` is 2; `بیست و شش` is 3).
pub const MAX_CHUNK_WORDS: usize = 3;

/// Terms longer than this (in bytes) are not indexed: they are not words (base64, long URLs).
pub const MAX_TERM_BYTES: usize = 200;

/// The indexed form of a folded, ZWNJ-free word: its canonical spelling, stemmed or not.
pub fn word_term(folded: &str, stemmed: bool) -> Cow<'_, str> {
    let canonical = canonical_spelling(folded).unwrap_or(folded);
    if stemmed {
        match stem(canonical) {
            Cow::Borrowed(s) if s.len() == folded.len() && s == folded => Cow::Borrowed(folded),
            other => Cow::Owned(other.into_owned()),
        }
    } else if canonical.len() == folded.len() && canonical == folded {
        Cow::Borrowed(folded)
    } else {
        Cow::Owned(canonical.to_string())
    }
}

/// The canonical joined form of a word (`هم‌افزایی` → `همافزایی`), appended to `out`.
pub fn push_joined(seg: &Segments, word: &Word, out: &mut String) {
    let start = out.len();
    seg.joined(word, out);
    if let Some(canonical) = canonical_spelling(&out[start..]) {
        out.truncate(start);
        out.push_str(canonical);
    }
}

/// The concatenation of `words` (each in canonical joined form): what the exact field holds
/// for these words written with spaces, and what a query chunk looks up.
pub fn concatenation(seg: &Segments, words: &[Word]) -> String {
    let mut out = String::new();
    for w in words {
        push_joined(seg, w, &mut out);
    }
    out
}

/// The runs of 2..=[`MAX_CHUNK_WORDS`] words that start at word `i` and are separated by spaces
/// only: `(i, end)` with `end` exclusive.
pub fn spaced_runs(seg: &Segments, i: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    (2..=MAX_CHUNK_WORDS)
        .map(move |n| (i, i + n))
        .take_while(move |&(_, end)| {
            end <= seg.words.len() && seg.words[i + 1..end].iter().all(|w| w.spaced_from_previous)
        })
}

/// Prefixes and suffixes that Persian writers attach, separate with a ZWNJ, or with a space.
/// (The rest after them is often a verb form or an affixed word the lexicon does not list:
/// `میشود`, `همافزایی`, so it is not looked up.)
const DETACHABLE_PREFIXES: &[&str] = &["نمی", "می", "هم", "بی", "نا"];
const DETACHABLE_SUFFIXES: &[&str] = &["هایی", "های", "ها", "ترین", "تر", "ای"];

/// True when a joined word may appear in documents as two words or ZWNJ parts: two known
/// words (`تفاهمنامه`), a detachable prefix (`میشود`, `همافزایی`), or a known word with a
/// detachable suffix (`فناوریها`). Phrase queries then also try the word spread over two positions.
pub fn may_be_written_apart(word: &str) -> bool {
    let lex = Lexicon::get();
    let known_rest = |rest: &str| rest.chars().count() >= 2 && lex.contains(rest);
    DETACHABLE_PREFIXES.iter().any(|p| {
        word.strip_prefix(p)
            .is_some_and(|rest| rest.chars().count() >= 3)
    }) || DETACHABLE_SUFFIXES
        .iter()
        .any(|s| word.strip_suffix(s).is_some_and(known_rest))
        || lex.is_compound(word)
}

/// A run of consecutive query words taken as one compound.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// First word index and one past the last.
    pub words: (usize, usize),
    /// The unstemmed concatenation (looked up in exact fields).
    pub exact: String,
    /// Its stem (looked up in stemmed fields).
    pub stemmed: String,
}

/// Every chunk of 2..=3 query words separated only by spaces.
pub fn query_chunks(seg: &Segments) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    for i in 0..seg.words.len() {
        for (start, end) in spaced_runs(seg, i) {
            let exact = concatenation(seg, &seg.words[start..end]);
            if exact.len() > MAX_TERM_BYTES {
                continue;
            }
            let stemmed = word_term(&exact, true).into_owned();
            chunks.push(Chunk {
                words: (start, end),
                exact,
                stemmed,
            });
        }
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_join_spaced_words_not_punctuated_ones() {
        let mut seg = Segments::default();
        seg.split("هم افزایی، دانش بنیان ها");
        let chunks: Vec<(usize, usize, String, String)> = query_chunks(&seg)
            .into_iter()
            .map(|c| (c.words.0, c.words.1, c.exact, c.stemmed))
            .collect();
        assert_eq!(
            chunks,
            vec![
                (0, 2, "همافزایی".into(), "همافزایی".into()),
                (2, 4, "دانشبنیان".into(), "دانشبنیان".into()),
                (2, 5, "دانشبنیانها".into(), "دانشبنیان".into()),
                (3, 5, "بنیانها".into(), "بنیان".into()),
            ]
        );
    }

    #[test]
    fn words_that_may_be_written_apart() {
        for w in ["تفاهمنامه", "میشود", "فناوریها", "همافزایی"] {
            assert!(may_be_written_apart(w), "{w}");
        }
        assert!(!may_be_written_apart("پارک"));
    }

    #[test]
    fn word_terms_apply_spelling_then_stem() {
        assert_eq!(word_term("مسیله", false), "مساله");
        assert_eq!(word_term("کتابها", true), "کتاب");
        assert_eq!(word_term("کتابها", false), "کتابها");
    }
}
