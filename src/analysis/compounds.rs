//! Compounds: the three spellings of `هم‌افزایی` (ZWNJ), `همافزایی` (joined) and `هم افزایی`
//! (spaced) must meet, in documents and in queries.
//!
//! Index side, every field holds for a ZWNJ word its parts at consecutive positions *and* its
//! joined form at the first part's position; spaced words are indexed as they are, word by word.
//! Query side, a word also looks for its [`splits`] into words the documents hold (`همافزایی`
//! → the phrase `هم افزایی`, meeting spaced and ZWNJ spellings), and [`Chunk`]s group 2–3
//! neighbouring query words into one joined term (`هم افزایی` → `همافزایی`, meeting joined and
//! ZWNJ spellings). So all the work of compounds is done at query time, on a few words, rather
//! than on every pair of neighbours of every document. This module computes those forms;
//! `tokenizer` and `search::query` use them.

use std::borrow::Cow;
use std::cell::RefCell;

use rustc_hash::FxHashMap;

use super::lexicon::Lexicon;

use super::segment::{Segments, Word};
use super::spelling::canonical_spelling;
use super::stemmer::stem;

/// Longest word run joined into one compound term (`دانش بنیان` is 2; `بیست و شش` is 3).
pub const MAX_CHUNK_WORDS: usize = 3;

/// Terms longer than this (in bytes) are not indexed: they are not words (base64, long URLs).
pub const MAX_TERM_BYTES: usize = 200;

/// How many words a thread's memo of stems holds before it starts over (a few MB).
const STEM_MEMO_WORDS: usize = 100_000;

thread_local! {
    /// The stemmed term of each folded word this thread has stemmed (`None`: the word itself).
    /// A text's words repeat across documents, and a stem costs several lexicon look-ups: they
    /// were ~5% of indexing.
    static STEMS: RefCell<FxHashMap<Box<str>, Option<Box<str>>>> = RefCell::default();
}

/// The indexed form of a folded, ZWNJ-free word: its canonical spelling, stemmed or not.
pub fn word_term(folded: &str, stemmed: bool) -> Cow<'_, str> {
    let canonical = || canonical_spelling(folded).unwrap_or(folded);
    if stemmed {
        return STEMS.with_borrow_mut(|memo| {
            if let Some(known) = memo.get(folded) {
                return known
                    .as_deref()
                    .map_or(Cow::Borrowed(folded), |term| Cow::Owned(term.to_string()));
            }
            let term = match stem(canonical()) {
                Cow::Borrowed(s) if s == folded => Cow::Borrowed(folded),
                other => Cow::Owned(other.into_owned()),
            };
            if memo.len() >= STEM_MEMO_WORDS {
                memo.clear();
            }
            let kept = match &term {
                Cow::Borrowed(_) => None,
                Cow::Owned(t) => Some(t.as_str().into()),
            };
            memo.insert(folded.into(), kept);
            term
        });
    }
    match canonical() {
        same if same == folded => Cow::Borrowed(folded),
        other => Cow::Owned(other.to_string()),
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

/// Prefixes and suffixes that Persian writers attach, separate with a ZWNJ, or with a space:
/// the only places a word the lexicon knows as one word (`میشود`, `همکاری`) is split.
const DETACHABLE_PREFIXES: &[&str] = &["نمی", "می", "هم", "بی", "نا"];
const DETACHABLE_SUFFIXES: &[&str] = &["هایی", "های", "ها", "ترین", "تر"];

/// The ways documents may hold a joined query word written apart, as runs of words for which
/// `is_word` holds (the words documents contain):
/// - a compound the lexicon writes with ZWNJs: its parts (`تفاهمنامه` → `تفاهم نامه`);
/// - a word the lexicon knows as one word: only a detachable prefix or suffix apart
///   (`میشود` → `می شود`; `شبکه` is not `شب که`, `سلامت` not `سل امت`);
/// - an unknown word: its [`splits`] (`دانشبنیان` → `دانش بنیان`, `همافزایی` → `هم افزایی`).
///
/// A split into the word's stem and a suffix is left out: the stem already finds it
/// (`فناوریها` meets `فناوری ها` through `فناوری`).
pub fn written_apart(word: &str, is_word: &mut dyn FnMut(&str) -> bool) -> Vec<Vec<String>> {
    let lex = Lexicon::get();
    if let Some(parts) = lex.parts(word) {
        return vec![
            parts
                .iter()
                .map(|p| word_term(p, false).into_owned())
                .collect(),
        ];
    }
    let known = lex.contains(word);
    let stem = word_term(word, true);
    let mut plausible = |split: &[String]| {
        let affixed = DETACHABLE_PREFIXES.contains(&split[0].as_str())
            || DETACHABLE_SUFFIXES.contains(&split[split.len() - 1].as_str());
        (!known || affixed) && !(split.len() == 2 && split[0] == *stem)
    };
    splits(word, is_word, &mut plausible)
}

/// Most ways one joined word is tried written apart.
pub const MAX_SPLITS: usize = 4;

/// Shortest part of a split: one letter would split `دارو` into `دار و`, which documents hold
/// everywhere (`سهام‌دار و …`).
pub const MIN_SPLIT_LETTERS: usize = 2;

/// The ways a joined word may be written as 2..=[`MAX_CHUNK_WORDS`] words of at least
/// [`MIN_SPLIT_LETTERS`] letters for which `is_word` holds (`همافزایی` → `هم افزایی`,
/// `دانشبنیان` → `دانش بنیان`), at most [`MAX_SPLITS`].
/// Documents are indexed word by word, so a query word looks for these runs too. `is_word` is
/// asked about the prefixes, and about a remainder only after its prefix is a word: a word of
/// n letters costs about n look-ups. Only the splits `keep` accepts are returned.
pub fn splits(
    word: &str,
    is_word: &mut dyn FnMut(&str) -> bool,
    keep: &mut dyn FnMut(&[String]) -> bool,
) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    split_rest(word, is_word, keep, &mut Vec::new(), &mut out);
    out
}

fn split_rest(
    rest: &str,
    is_word: &mut dyn FnMut(&str) -> bool,
    keep: &mut dyn FnMut(&[String]) -> bool,
    taken: &mut Vec<String>,
    out: &mut Vec<Vec<String>>,
) {
    let letters = rest.chars().count();
    let ends = rest
        .char_indices()
        .map(|(i, _)| i)
        .take(letters.saturating_sub(MIN_SPLIT_LETTERS) + 1)
        .skip(MIN_SPLIT_LETTERS);
    for i in ends {
        if out.len() >= MAX_SPLITS {
            return;
        }
        let (head, tail) = rest.split_at(i);
        if !is_word(head) {
            continue;
        }
        taken.push(head.to_string());
        if is_word(tail) {
            let mut split = taken.clone();
            split.push(tail.to_string());
            if keep(&split) {
                out.push(split);
            }
        }
        if taken.len() + 2 <= MAX_CHUNK_WORDS {
            split_rest(tail, is_word, keep, taken, out);
        }
        taken.pop();
    }
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
    fn a_remembered_stem_is_the_stem() {
        for word in [
            "کتابهایشان",
            "بزرگترین",
            "پارک",
            "تنها",
            "امضای",
            "کشورمان",
            "اطاق",
        ] {
            let canonical = canonical_spelling(word).unwrap_or(word);
            let expected = stem(canonical).into_owned();
            // The first call stems the word, the second finds it in the thread's memo.
            assert_eq!(word_term(word, true), expected, "{word}");
            assert_eq!(word_term(word, true), expected, "{word}, remembered");
        }
        assert_eq!(word_term("کتابهایشان", true), "کتاب");
        assert_eq!(word_term("کتابهایشان", false), "کتابهایشان");
    }

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
    fn splits_into_known_words() {
        let words = ["هم", "افزایی", "دار", "و", "دانش", "بنیان", "علم", "فن"];
        let mut is_word = |w: &str| words.contains(&w);
        let all = &mut |_: &[String]| true;
        assert_eq!(
            splits("همافزایی", &mut is_word, all),
            vec![vec!["هم", "افزایی"]]
        );
        assert_eq!(
            splits("علمفندانش", &mut is_word, all),
            vec![vec!["علم", "فن", "دانش"]]
        );
        assert!(splits("پارک", &mut is_word, all).is_empty());
        assert!(
            splits("دارو", &mut is_word, all).is_empty(),
            "one-letter parts"
        );
        let mut looked_up = 0;
        splits(
            "دانشبنیان",
            &mut |w: &str| {
                looked_up += 1;
                words.contains(&w)
            },
            all,
        );
        assert!(
            looked_up <= 2 * "دانشبنیان".chars().count(),
            "{looked_up} look-ups"
        );
    }

    #[test]
    fn known_words_split_only_at_affixes() {
        let words = [
            "تفاهم",
            "نامه",
            "شب",
            "که",
            "می",
            "شود",
            "فن",
            "اوری",
            "فناوری",
            "ها",
            "دانش",
            "بنیان",
        ];
        let mut is_word = |w: &str| words.contains(&w);
        assert_eq!(
            written_apart("تفاهمنامه", &mut is_word),
            vec![vec!["تفاهم", "نامه"]]
        );
        assert_eq!(
            written_apart("میشود", &mut is_word),
            vec![vec!["می", "شود"]]
        );
        assert_eq!(
            written_apart("دانشبنیان", &mut is_word),
            vec![vec!["دانش", "بنیان"]]
        );
        assert!(written_apart("شبکه", &mut is_word).is_empty());
        assert!(written_apart("سلامت", &mut is_word).is_empty());
        // The lexicon writes فن‌آوری with a ZWNJ: فن آوری is a spelling of فناوری.
        assert_eq!(
            written_apart("فناوری", &mut is_word),
            vec![vec!["فن", "اوری"]]
        );
        let plural = written_apart("فناوریها", &mut is_word);
        assert!(
            !plural.contains(&vec!["فناوری".into(), "ها".into()]),
            "the stem finds it"
        );
        assert!(plural.contains(&vec!["فن".into(), "اوری".into(), "ها".into()]));
    }

    #[test]
    fn word_terms_apply_spelling_then_stem() {
        assert_eq!(word_term("مسیله", false), "مساله");
        assert_eq!(word_term("کتابها", true), "کتاب");
        assert_eq!(word_term("کتابها", false), "کتابها");
    }
}
