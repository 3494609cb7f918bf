//! The Persian lexicon that guards the stemmer: which folded words exist, and which of them are
//! nouns or adjectives.
//!
//! The data is hazm's MIT-licensed `words.dat` (see `data/lexicon/README.md`), compiled into the
//! binary and parsed once, on first use. Entries are folded and their ZWNJs removed, so that
//! lookups match the joined forms the tokenizer produces (`تفاهم‌نامه` → `تفاهمنامه`).

use rustc_hash::FxHashMap;
use std::sync::LazyLock;

use super::fold::{ZWNJ, fold};

const WORDS: &str = include_str!("../../data/lexicon/words.dat");

/// Part-of-speech facts the stemmer and the plural rules need.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WordClass {
    pub noun: bool,
    pub adjective: bool,
    /// Tagged as a plural (`PL`): `تحقیقات`, `مراکز`.
    pub plural: bool,
    /// How often hazm's corpus has the word (0 for a word it lists without a count).
    pub count: u32,
}

/// Known words, keyed by their folded, ZWNJ-free form.
pub struct Lexicon {
    words: FxHashMap<Box<str>, WordClass>,
    /// The parts of the words the lexicon writes with ZWNJs (`تفاهم‌نامه`: `تفاهم`, `نامه`).
    parts: FxHashMap<Box<str>, Box<[Box<str>]>>,
}

static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::parse(WORDS));

impl Lexicon {
    /// The vendored lexicon, parsed on first use.
    pub fn get() -> &'static Lexicon {
        &LEXICON
    }

    fn parse(data: &str) -> Lexicon {
        let mut words: FxHashMap<Box<str>, WordClass> =
            FxHashMap::with_capacity_and_hasher(200_000, Default::default());
        let mut parts: FxHashMap<Box<str>, Box<[Box<str>]>> = FxHashMap::default();
        for line in data.lines() {
            let mut cols = line.split('\t');
            let (Some(word), count, pos) = (cols.next(), cols.next(), cols.next().unwrap_or(""))
            else {
                continue;
            };
            let count: u32 = count
                .and_then(|c| c.parse::<u64>().ok())
                .map_or(0, |c| c.min(u64::from(u32::MAX)) as u32);
            let folded = fold(word);
            let key: String = folded.chars().filter(|&c| c != ZWNJ).collect();
            if key.is_empty() {
                continue;
            }
            if folded.contains(ZWNJ) {
                let split: Box<[Box<str>]> = folded
                    .split(ZWNJ)
                    .filter(|p| !p.is_empty())
                    .map(Box::from)
                    .collect();
                if split.len() > 1 {
                    parts.insert(key.clone().into_boxed_str(), split);
                }
            }
            let class = words.entry(key.into_boxed_str()).or_default();
            class.count = class.count.saturating_add(count);
            for tag in pos.split(',') {
                match tag {
                    "N" => class.noun = true,
                    "AJ" => class.adjective = true,
                    "PL" => class.plural = true,
                    _ => {}
                }
            }
        }
        Lexicon { words, parts }
    }

    /// The class of a known (folded, ZWNJ-free) word, or `None` when it is unknown.
    pub fn lookup(&self, word: &str) -> Option<WordClass> {
        self.words.get(word).copied()
    }

    pub fn contains(&self, word: &str) -> bool {
        self.words.contains_key(word)
    }

    /// True when `word` is two known words of ≥ 3 letters written together (`دانشبنیان`), the
    /// usual shape of a compound whose ZWNJ was lost. (Shorter heads would let `برنامهای`
    /// split as `بر` + `نام` + `های`.)
    pub fn is_compound(&self, word: &str) -> bool {
        word.char_indices().skip(3).any(|(i, _)| {
            let (head, tail) = word.split_at(i);
            tail.chars().nth(2).is_some() && self.contains(head) && self.contains(tail)
        })
    }

    /// The parts of a word the lexicon writes with ZWNJs (`تفاهمنامه` → `تفاهم`, `نامه`).
    pub fn parts(&self, word: &str) -> Option<&[Box<str>]> {
        self.parts.get(word).map(|p| &**p)
    }

    /// Every known word (folded, ZWNJ-free), in no particular order.
    #[cfg(test)]
    pub(crate) fn words(&self) -> impl Iterator<Item = &str> {
        self.words.keys().map(|w| &**w)
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_the_vendored_words_folded_and_joined() {
        let lex = Lexicon::get();
        assert!(lex.len() > 150_000, "{}", lex.len());
        assert!(lex.contains("کتاب"));
        // Stored with a ZWNJ in words.dat, looked up joined.
        assert!(lex.contains("تفاهمنامه"));
        let parts: Vec<&str> = lex
            .parts("تفاهمنامه")
            .unwrap()
            .iter()
            .map(|p| &**p)
            .collect();
        assert_eq!(parts, ["تفاهم", "نامه"]);
        assert!(lex.parts("شبکه").is_none());
        let big = lex.lookup("بزرگ").unwrap();
        assert!(big.adjective);
        assert!(lex.lookup("دختر").unwrap().noun);
        assert!(lex.lookup("تحقیقات").unwrap().plural);
        assert!(!lex.lookup("مالیات").unwrap().plural);
        assert!(!lex.contains("کشورمان"));
    }
}
