//! Common phrases: runs of words most documents hold, indexed as one term where all their words
//! stand side by side.
//!
//! A phrase of common words reads their pairs (`super::pairs`) in nearly every document, and a
//! pair's positions in each: the park's name, in every page of the park, is three pairs. The
//! pair fields (`title_pairs`, `body_pairs`) also hold, at position `p`, the term of every
//! phrase of `data/common-phrases.txt` whose words are exact terms at `p`, `p + 1`, …: its
//! documents, frequencies and positions are the phrase's. A phrase search for one reads that
//! term (`search::phrase`).
//!
//! Documents and queries must agree on the list: it is part of the analysis, and changing it
//! makes a new index version.

use std::sync::LazyLock;

use tantivy::tokenizer::Token;

const DATA: &str = include_str!("../../data/common-phrases.txt");

/// The fewest words a common phrase has (two words side by side are a pair).
pub const MIN_PHRASE_WORDS: usize = 3;

/// The common phrases, each as its words, by first word (a few: looked for in every text
/// indexed, by comparing each token with them rather than hashing it).
struct CommonPhrases {
    by_first_word: Vec<(&'static str, Vec<Vec<&'static str>>)>,
    most_words: usize,
}

impl CommonPhrases {
    fn starting_with(&self, word: &str) -> Option<&[Vec<&'static str>]> {
        self.by_first_word
            .iter()
            .find(|(first, _)| *first == word)
            .map(|(_, phrases)| phrases.as_slice())
    }
}

static PHRASES: LazyLock<CommonPhrases> = LazyLock::new(|| {
    let mut by_first_word: Vec<(&'static str, Vec<Vec<&'static str>>)> = Vec::new();
    let mut most_words = 0;
    for line in DATA.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<&'static str> = line.split(' ').collect();
        most_words = most_words.max(words.len());
        match by_first_word
            .iter_mut()
            .find(|(first, _)| *first == words[0])
        {
            Some((_, phrases)) => phrases.push(words),
            None => by_first_word.push((words[0], vec![words])),
        }
    }
    CommonPhrases {
        by_first_word,
        most_words,
    }
});

/// The most words a common phrase has.
pub fn most_phrase_words() -> usize {
    PHRASES.most_words
}

/// The term of the common phrase of `words` (exact terms, in order), when they are one.
pub fn phrase_term(words: &[&str]) -> Option<String> {
    PHRASES
        .starting_with(words.first()?)?
        .iter()
        .any(|phrase| phrase.as_slice() == words)
        .then(|| words.join(" "))
}

/// Calls `phrase` with each common phrase `words` (exact tokens in position order) hold: the
/// token of its first word, that of its last, and the phrase's term.
pub(super) fn each_phrase(words: &[Token], mut phrase: impl FnMut(&Token, &Token, &str)) {
    let mut text = String::new();
    for (i, first) in words.iter().enumerate() {
        let Some(listed) = PHRASES.starting_with(&first.text) else {
            continue;
        };
        for listed in listed {
            let mut last = first;
            let found = listed[1..].iter().enumerate().all(|(k, word)| {
                let position = first.position + k + 1;
                match word_at(&words[i + 1..], position, word) {
                    Some(token) => {
                        last = token;
                        true
                    }
                    None => false,
                }
            });
            if found {
                text.clear();
                for word in listed {
                    if !text.is_empty() {
                        text.push(' ');
                    }
                    text.push_str(word);
                }
                phrase(first, last, &text);
            }
        }
    }
}

/// The token of `tokens` (in position order) at `position` whose text is `word`.
fn word_at<'t>(tokens: &'t [Token], position: usize, word: &str) -> Option<&'t Token> {
    tokens
        .iter()
        .take_while(|t| t.position <= position)
        .find(|t| t.position == position && t.text == word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{PersianTokenizer, TermSet};

    fn phrases(text: &str) -> Vec<(usize, String, String)> {
        let mut exact = PersianTokenizer::new(TermSet::Exact);
        let mut got = Vec::new();
        each_phrase(exact.analyze(text), |first, last, phrase| {
            let source = text[first.offset_from..last.offset_to].to_string();
            got.push((first.position, phrase.to_string(), source))
        });
        got
    }

    /// A phrase of the list whose words are not exact terms as documents get them (a ZWNJ, an
    /// Arabic letter) would never be found.
    #[test]
    fn every_common_phrase_is_exact_terms() {
        let mut exact = PersianTokenizer::new(TermSet::Exact);
        for phrase in PHRASES.by_first_word.iter().flat_map(|(_, p)| p) {
            let text = phrase.join(" ");
            let terms: Vec<(usize, &str)> = exact
                .analyze(&text)
                .iter()
                .map(|t| (t.position, t.text.as_str()))
                .collect();
            let expected: Vec<(usize, &str)> = phrase.iter().copied().enumerate().collect();
            assert_eq!(terms, expected, "data/common-phrases.txt: {text:?}");
            assert!(phrase.len() >= MIN_PHRASE_WORDS, "{text:?} is a pair");
        }
    }

    #[test]
    fn the_park_s_name_and_the_phrases_within_it() {
        // امضای@0 تفاهم‌نامه@1-2 با@3 پارک@4 …
        let text = "امضای تفاهم‌نامه با پارک علم و فناوری مازندران در ساری";
        assert_eq!(
            phrases(text),
            vec![
                (
                    4,
                    "پارک علم و فناوری مازندران".to_string(),
                    "پارک علم و فناوری مازندران".to_string()
                ),
                (
                    4,
                    "پارک علم و فناوری".to_string(),
                    "پارک علم و فناوری".to_string()
                ),
                (
                    5,
                    "علم و فناوری مازندران".to_string(),
                    "علم و فناوری مازندران".to_string()
                ),
                (5, "علم و فناوری".to_string(), "علم و فناوری".to_string()),
            ]
        );
    }

    #[test]
    fn written_with_arabic_letters_it_is_still_found() {
        // Arabic kaf and yeh fold; the spans cover the source's own characters.
        let text = "پارك علم و فناوري مازندران";
        let found = phrases(text);
        assert_eq!(found.len(), 4);
        assert_eq!(found[0].1, "پارک علم و فناوری مازندران");
        assert_eq!(found[0].2, text);
    }

    #[test]
    fn words_not_side_by_side_are_no_phrase() {
        assert_eq!(phrases("پارک علم و مهم فناوری مازندران"), vec![]);
        assert_eq!(phrases("علم و"), vec![]);
        assert_eq!(phrases("فناوری مازندران علم و"), vec![]);
    }

    #[test]
    fn phrase_terms_are_the_listed_phrases_only() {
        assert_eq!(
            phrase_term(&["علم", "و", "فناوری"]).as_deref(),
            Some("علم و فناوری")
        );
        assert_eq!(phrase_term(&["علم", "و"]), None);
        assert_eq!(phrase_term(&["فناوری", "و", "علم"]), None);
        assert_eq!(phrase_term(&[]), None);
        assert_eq!(most_phrase_words(), 5);
    }
}
