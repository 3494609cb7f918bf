//! The tantivy tokenizer: turns original text into the terms of one kind of field, each token's
//! `offset_from..offset_to` slicing the original text at character boundaries and covering
//! exactly the source characters the term came from.

use std::cell::RefCell;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::compounds::{MAX_TERM_BYTES, push_joined, word_term};
use super::pairs::each_pair;
use super::phrases::{PAIR_TOKENIZERS, each_phrase};
use super::segment::Segments;

/// Which terms a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TermSet {
    /// Stemmed parts and joined ZWNJ words: the main ranking field.
    Stemmed,
    /// Unstemmed parts and joined ZWNJ words: exactness, phrases, compounds, completions for
    /// search-as-you-type and typo expansions.
    Exact,
    /// Pairs of common exact terms side by side (`super::pairs`) and common phrases
    /// (`super::phrases`): phrases of common words.
    Pairs,
}

impl TermSet {
    /// The name the tokenizer is registered under in the index. The pairs' changes with the
    /// common phrases they hold (`super::phrases::PAIR_TOKENIZERS`): a phrase is read through a
    /// common phrase only in a pair field whose name says it holds it
    /// (`index::schema::pairs_field`).
    pub fn tokenizer_name(self) -> &'static str {
        match self {
            TermSet::Stemmed => "fa_stem",
            TermSet::Exact => "fa_exact",
            TermSet::Pairs => PAIR_TOKENIZERS[PAIR_TOKENIZERS.len() - 1].0,
        }
    }

    pub const ALL: [TermSet; 3] = [TermSet::Stemmed, TermSet::Exact, TermSet::Pairs];
}

thread_local! {
    /// The last text split on this thread, and its segments. Each text of a document is
    /// indexed three times in a row (its stemmed field, its exact one, its pairs): the later
    /// analyses reuse the split (segmentation and folding were ~20% of indexing).
    static LAST_SPLIT: RefCell<(String, Segments)> = RefCell::default();
}

/// kavosh's Persian tokenizer for one [`TermSet`]. Buffers are reused across texts.
#[derive(Clone, Debug)]
pub struct PersianTokenizer {
    set: TermSet,
    tokens: Tokens,
    /// The exact tokens pairs are made of (the pairs term set only).
    words: Tokens,
    scratch: String,
}

/// A reused buffer of tokens: the first `len` are this text's.
#[derive(Clone, Debug, Default)]
struct Tokens {
    all: Vec<Token>,
    len: usize,
}

impl PersianTokenizer {
    pub fn new(set: TermSet) -> Self {
        PersianTokenizer {
            set,
            tokens: Tokens::default(),
            words: Tokens::default(),
            scratch: String::new(),
        }
    }

    /// Analyzes `text` into the tokens of this term set, in position order.
    pub fn analyze(&mut self, text: &str) -> &[Token] {
        self.fill(text);
        self.tokens.filled()
    }

    fn fill(&mut self, text: &str) {
        LAST_SPLIT.with_borrow_mut(|(last, seg)| {
            if last != text {
                seg.split(text);
                last.clear();
                last.push_str(text);
            }
            match self.set {
                TermSet::Stemmed => self.tokens.fill_words(seg, true, &mut self.scratch),
                TermSet::Exact => self.tokens.fill_words(seg, false, &mut self.scratch),
                TermSet::Pairs => {
                    self.words.fill_words(seg, false, &mut self.scratch);
                    let tokens = &mut self.tokens;
                    tokens.len = 0;
                    each_pair(self.words.filled(), |first, second, pair| {
                        tokens.push(pair, first.position, first.offset_from, second.offset_to)
                    });
                    // After the pairs: each term's positions still come in increasing order,
                    // which is all indexing needs.
                    each_phrase(self.words.filled(), |first, last, phrase| {
                        tokens.push(phrase, first.position, first.offset_from, last.offset_to)
                    });
                }
            }
        });
    }
}

impl Tokens {
    fn filled(&self) -> &[Token] {
        &self.all[..self.len]
    }

    /// The terms of `seg`'s words (stemmed or exact), with `scratch` for joined forms.
    fn fill_words(&mut self, seg: &Segments, stemmed: bool, scratch: &mut String) {
        self.len = 0;
        let mut position = 0;
        for word in &seg.words {
            let parts = seg.word_parts(word);
            let word_position = position;
            let first_token = self.len;
            for part in parts {
                let term = word_term(seg.part_text(part), stemmed);
                self.push(&term, position, part.from, part.to);
                position += 1;
            }
            if parts.len() > 1 {
                let (from, to) = seg.span(word, word);
                scratch.clear();
                push_joined(seg, word, scratch);
                let joined = word_term(scratch, stemmed);
                // `فناوری‌ها` stems to its first part: one term is enough.
                let same_as_first = self
                    .filled()
                    .get(first_token)
                    .is_some_and(|t| t.text == *joined);
                if !same_as_first {
                    let before = self.len;
                    self.push(&joined, word_position, from, to);
                    // Indexing wants positions in increasing order: the joined form goes
                    // before the parts, at the first part's position.
                    if self.len > before {
                        self.all[first_token..self.len].rotate_right(1);
                    }
                }
            }
        }
    }

    /// Appends a token, unless its text is empty or longer than a term may be.
    fn push(&mut self, text: &str, position: usize, from: usize, to: usize) {
        if text.is_empty() || text.len() > MAX_TERM_BYTES {
            return;
        }
        if self.len == self.all.len() {
            self.all.push(Token::default());
        }
        let token = &mut self.all[self.len];
        token.text.clear();
        token.text.push_str(text);
        token.position = position;
        token.position_length = 1;
        token.offset_from = from;
        token.offset_to = to;
        self.len += 1;
    }
}

/// The token stream over a filled [`PersianTokenizer`].
pub struct PersianTokenStream<'a> {
    tokens: &'a mut [Token],
    next: usize,
}

impl Tokenizer for PersianTokenizer {
    type TokenStream<'a> = PersianTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PersianTokenStream<'a> {
        self.fill(text);
        PersianTokenStream {
            tokens: &mut self.tokens.all[..self.tokens.len],
            next: 0,
        }
    }
}

impl TokenStream for PersianTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(set: TermSet, text: &str) -> Vec<(usize, String, String)> {
        let mut t = PersianTokenizer::new(set);
        t.analyze(text)
            .iter()
            .map(|tok| {
                (
                    tok.position,
                    tok.text.clone(),
                    text[tok.offset_from..tok.offset_to].to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn zwnj_word_gives_parts_and_joined_form() {
        let got = terms(TermSet::Exact, "هم‌افزایی");
        assert_eq!(
            got,
            vec![
                (0, "همافزایی".into(), "هم‌افزایی".into()),
                (0, "هم".into(), "هم".into()),
                (1, "افزایی".into(), "افزایی".into()),
            ]
        );
    }

    #[test]
    fn spaced_words_are_indexed_one_by_one() {
        let exact = terms(TermSet::Exact, "هم افزایی ملی");
        assert_eq!(
            exact,
            vec![
                (0, "هم".into(), "هم".into()),
                (1, "افزایی".into(), "افزایی".into()),
                (2, "ملی".into(), "ملی".into()),
            ]
        );
    }

    #[test]
    fn stemmed_set_stems_joined_words() {
        let got = terms(TermSet::Stemmed, "فناوری‌ها و کتابهایشان");
        let texts: Vec<&str> = got.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(texts, vec!["فناوری", "ها", "و", "کتاب"]);
    }
}
