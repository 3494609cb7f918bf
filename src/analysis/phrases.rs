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
//! makes a new index version. The list grows at its end, and the name of the pair fields'
//! tokenizer says how many of its phrases an index holds ([`PAIR_TOKENIZERS`]).

use std::sync::LazyLock;

use tantivy::tokenizer::Token;

const DATA: &str = include_str!("../../data/common-phrases.txt");

/// The fewest words a common phrase has (two words side by side are a pair).
pub const MIN_PHRASE_WORDS: usize = 3;

/// The names the pair fields' tokenizer has had, oldest first, each with how many of the common
/// phrases (the list's first ones) the pair fields of an index of that name hold. Each phrase
/// added to the list takes a new name (and a new index version): an index built before it is
/// searched as it is until it is rebuilt, and there the phrase is read through its pairs
/// (`index::schema::pairs_field`). The last is this kavosh's.
pub const PAIR_TOKENIZERS: &[(&str, usize)] = &[
    // Index version 5: pairs only.
    ("fa_pairs", 0),
    // Version 6: the park's name and the phrases within it.
    ("fa_pairs_phrases", 4),
    // Version 7: تفاهم نامه همکاری.
    ("fa_pairs_phrases_5", 5),
];

/// How many of the common phrases the pair fields of an index hold, by their tokenizer's name
/// (none for a name this kavosh does not know).
pub fn phrases_held(tokenizer: &str) -> usize {
    PAIR_TOKENIZERS
        .iter()
        .find(|(name, _)| *name == tokenizer)
        .map_or(0, |(_, held)| *held)
}

/// A common phrase: its term (the line of the list: its words one space apart), its words, and
/// its rank in the list (an index holds the phrases of a lower rank than its count).
struct CommonPhrase {
    term: &'static str,
    words: Vec<&'static str>,
    rank: usize,
}

/// The common phrases by first word (a few: looked for in every text indexed, by comparing
/// each token with them rather than hashing it).
struct CommonPhrases {
    by_first_word: Vec<(&'static str, Vec<CommonPhrase>)>,
    most_words: usize,
}

impl CommonPhrases {
    fn starting_with(&self, word: &str) -> Option<&[CommonPhrase]> {
        self.by_first_word
            .iter()
            .find(|(first, _)| *first == word)
            .map(|(_, phrases)| phrases.as_slice())
    }
}

static PHRASES: LazyLock<CommonPhrases> = LazyLock::new(|| {
    let mut by_first_word: Vec<(&'static str, Vec<CommonPhrase>)> = Vec::new();
    let mut most_words = 0;
    let listed = DATA
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'));
    for (rank, term) in listed.enumerate() {
        let words: Vec<&'static str> = term.split(' ').collect();
        most_words = most_words.max(words.len());
        let first = words[0];
        let phrase = CommonPhrase { term, words, rank };
        match by_first_word.iter_mut().find(|(f, _)| *f == first) {
            Some((_, phrases)) => phrases.push(phrase),
            None => by_first_word.push((first, vec![phrase])),
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

/// The term of the common phrase of `words` (exact terms, in order), when they are one of the
/// first `held` phrases (those an index holds: [`phrases_held`]).
pub fn phrase_term(words: &[&str], held: usize) -> Option<&'static str> {
    PHRASES
        .starting_with(words.first()?)?
        .iter()
        .find(|phrase| phrase.rank < held && phrase.words == words)
        .map(|phrase| phrase.term)
}

/// Calls `phrase` with each common phrase `words` (exact tokens in position order) hold: the
/// token of its first word, that of its last, and the phrase's term.
pub(super) fn each_phrase(words: &[Token], mut phrase: impl FnMut(&Token, &Token, &str)) {
    for (i, first) in words.iter().enumerate() {
        let Some(listed) = PHRASES.starting_with(&first.text) else {
            continue;
        };
        for listed in listed {
            let mut last = first;
            let found = listed.words[1..].iter().enumerate().all(|(k, word)| {
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
                phrase(first, last, listed.term);
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

    /// How many phrases the list has.
    fn listed() -> usize {
        PHRASES.by_first_word.iter().map(|(_, p)| p.len()).sum()
    }

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
            let text = phrase.term;
            let terms: Vec<(usize, &str)> = exact
                .analyze(text)
                .iter()
                .map(|t| (t.position, t.text.as_str()))
                .collect();
            let expected: Vec<(usize, &str)> = phrase.words.iter().copied().enumerate().collect();
            assert_eq!(terms, expected, "data/common-phrases.txt: {text:?}");
            assert!(phrase.words.len() >= MIN_PHRASE_WORDS, "{text:?} is a pair");
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
    fn what_the_park_signs_written_with_a_zwnj_or_apart() {
        // A ZWNJ writing holds its parts side by side, as a spaced one does; the joined writing
        // is one word, whose pair with همکاری is a pair term already.
        for text in ["امضای تفاهم‌نامه همکاری", "امضای تفاهم نامه همکاری"]
        {
            let mou = "تفاهم نامه همکاری".to_string();
            let source = text["امضای ".len()..].to_string();
            assert_eq!(phrases(text), vec![(1, mou, source)], "{text}");
        }
        assert_eq!(phrases("امضای تفاهمنامه همکاری"), vec![]);
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
        let all = listed();
        assert_eq!(
            phrase_term(&["علم", "و", "فناوری"], all),
            Some("علم و فناوری")
        );
        assert_eq!(phrase_term(&["علم", "و"], all), None);
        assert_eq!(phrase_term(&["فناوری", "و", "علم"], all), None);
        assert_eq!(phrase_term(&[], all), None);
        assert_eq!(most_phrase_words(), 5);
    }

    #[test]
    fn an_index_holds_the_phrases_its_pair_tokenizer_names() {
        let mou = ["تفاهم", "نامه", "همکاری"];
        let park = ["پارک", "علم", "و", "فناوری", "مازندران"];
        let held = |name| {
            let held = phrases_held(name);
            (phrase_term(&park, held), phrase_term(&mou, held))
        };
        assert_eq!(held("fa_pairs"), (None, None));
        assert_eq!(
            held("fa_pairs_phrases"),
            (Some("پارک علم و فناوری مازندران"), None)
        );
        assert_eq!(
            held(TermSet::Pairs.tokenizer_name()),
            (
                Some("پارک علم و فناوری مازندران"),
                Some("تفاهم نامه همکاری")
            )
        );
        assert_eq!(held("a tokenizer of another program"), (None, None));
    }

    /// A phrase added to the list without a new tokenizer name would be looked for, and not
    /// found, in the indexes built before it.
    #[test]
    fn the_pair_tokenizer_is_renamed_with_each_phrase_added() {
        let (current, held) = PAIR_TOKENIZERS[PAIR_TOKENIZERS.len() - 1];
        assert_eq!(TermSet::Pairs.tokenizer_name(), current);
        assert_eq!(held, listed(), "data/common-phrases.txt changed: rename");
        assert!(PAIR_TOKENIZERS.windows(2).all(|w| w[0].1 < w[1].1));
    }
}
