//! Word pairs: two common words side by side, indexed as one term for phrases.
//!
//! A phrase of words most documents hold (`"دانشگاه مازندران"`) is checked by reading the
//! positions of each word in nearly every document. The pair fields (`title_pairs`,
//! `body_pairs`) hold, at position `p`, the pair `a b` of every exact term `a` at `p` and `b` at
//! `p + 1` when both are common words (`data/common-words.txt`): the documents of such a pair,
//! and its positions, are the phrase's. A rarer word's own postings are short, so pairs of it
//! are not kept (Lucene's CommonGrams makes the same choice).
//!
//! Documents and queries must agree on the list: it is part of the analysis, and changing it
//! makes a new index version.

use std::sync::LazyLock;

use rustc_hash::FxHashSet;
use tantivy::tokenizer::Token;

const DATA: &str = include_str!("../../data/common-words.txt");

static COMMON: LazyLock<FxHashSet<&'static str>> = LazyLock::new(|| {
    DATA.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Whether `term` (an exact term, folded) is one of the common words.
pub fn is_common(term: &str) -> bool {
    COMMON.contains(term)
}

/// The pair term of `first` followed by `second`, when both are common words.
pub fn pair_term(first: &str, second: &str) -> Option<String> {
    (is_common(first) && is_common(second)).then(|| format!("{first} {second}"))
}

/// Calls `pair` with each pair of common words of `words` (exact tokens in position order):
/// the first token, the second, and the pair's text.
pub(super) fn each_pair(words: &[Token], mut pair: impl FnMut(&Token, &Token, &str)) {
    let mut text = String::new();
    let mut start = 0;
    while start < words.len() {
        let position = words[start].position;
        let end = start + at_position(&words[start..], position);
        let next_end = end + at_position(&words[end..], position + 1);
        for first in words[start..end].iter().filter(|t| is_common(&t.text)) {
            for second in words[end..next_end].iter().filter(|t| is_common(&t.text)) {
                text.clear();
                text.push_str(&first.text);
                text.push(' ');
                text.push_str(&second.text);
                pair(first, second, &text);
            }
        }
        start = end;
    }
}

/// How many of the leading `tokens` are at `position`.
fn at_position(tokens: &[Token], position: usize) -> usize {
    tokens.iter().take_while(|t| t.position == position).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{PersianTokenizer, TermSet};

    fn pairs(text: &str) -> Vec<(usize, String)> {
        let mut exact = PersianTokenizer::new(TermSet::Exact);
        let mut got = Vec::new();
        each_pair(exact.analyze(text), |first, _, pair| {
            got.push((first.position, pair.to_string()))
        });
        got
    }

    #[test]
    fn the_list_holds_the_park_s_words_folded() {
        for word in [
            "و",
            "پارک",
            "علم",
            "فناوری",
            "مازندران",
            "تفاهمنامه",
            "تفاهم",
            "نامه",
        ] {
            assert!(is_common(word), "{word}");
        }
        assert!(!is_common("تفاهم‌نامه"), "terms are folded: no ZWNJ");
        assert!(!is_common("آبخیزداری"));
    }

    /// A word of the list that is not an exact term as documents get it (a ZWNJ, an Arabic
    /// letter, two words) would never be paired.
    #[test]
    fn every_common_word_is_an_exact_term() {
        let mut exact = PersianTokenizer::new(TermSet::Exact);
        for word in COMMON.iter() {
            let terms: Vec<&str> = exact
                .analyze(word)
                .iter()
                .map(|t| t.text.as_str())
                .collect();
            assert_eq!(terms, [*word], "data/common-words.txt: {word:?}");
        }
    }

    #[test]
    fn pairs_of_common_words_only() {
        assert_eq!(
            pairs("پارک علم و فناوری مازندران"),
            vec![
                (0, "پارک علم".to_string()),
                (1, "علم و".to_string()),
                (2, "و فناوری".to_string()),
                (3, "فناوری مازندران".to_string()),
            ]
        );
        assert_eq!(pairs("آبخیزداری پارک آبخیزداری"), vec![]);
    }

    #[test]
    fn a_zwnj_compound_pairs_by_its_parts_and_its_joined_form() {
        // تفاهمنامه@0 تفاهم@0 نامه@1 همکاری@2
        assert_eq!(
            pairs("تفاهم‌نامه همکاری"),
            vec![
                (0, "تفاهمنامه نامه".to_string()),
                (0, "تفاهم نامه".to_string()),
                (1, "نامه همکاری".to_string()),
            ]
        );
    }

    #[test]
    fn pair_terms_need_two_common_words() {
        assert_eq!(pair_term("علم", "و").as_deref(), Some("علم و"));
        assert_eq!(pair_term("علم", "آبخیزداری"), None);
    }
}
