//! Finglish: Persian words written in Latin letters (`fanavari`, `tafahomname`, `shilat`), read
//! as the Persian words of the index that can be written so, most frequent first.
//!
//! The spellings of each Persian letter are data (`data/finglish.toml`). [`FinglishAutomaton`]
//! accepts the Persian terms whose letters, each written one of its ways, give the Latin word
//! (short vowels may stand for no letter), so one walk of a term dictionary finds every
//! candidate, without listing the thousands of Persian spellings a Latin word may have.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use rustc_hash::FxHashMap;
use serde::Deserialize;
use tantivy_fst::Automaton;

const DATA: &str = include_str!("../../../data/finglish.toml");

/// Longest Latin word read as Finglish, in letters.
pub const MAX_LETTERS: usize = 40;

#[derive(Deserialize)]
struct File {
    unwritten: Vec<String>,
    letters: BTreeMap<String, Vec<String>>,
    initial: BTreeMap<String, Vec<String>>,
}

/// The spellings, compiled.
struct Rules {
    unwritten: Vec<char>,
    letters: FxHashMap<char, Vec<Vec<char>>>,
    initial: FxHashMap<char, Vec<Vec<char>>>,
}

static RULES: LazyLock<Rules> = LazyLock::new(|| {
    let file: File = toml::from_str(DATA).expect("data/finglish.toml is valid (tested)");
    let compile = |table: BTreeMap<String, Vec<String>>| {
        table
            .into_iter()
            .filter_map(|(letter, spellings)| {
                let letter = letter.chars().next()?;
                Some((
                    letter,
                    spellings.iter().map(|s| s.chars().collect()).collect(),
                ))
            })
            .collect()
    };
    Rules {
        unwritten: file
            .unwritten
            .iter()
            .filter_map(|s| s.chars().next())
            .collect(),
        letters: compile(file.letters),
        initial: compile(file.initial),
    }
});

/// True for a word Finglish can be read from: Latin letters (and apostrophes), at most
/// [`MAX_LETTERS`] of them.
pub fn is_finglish_word(word: &str) -> bool {
    let letters = word.chars().filter(char::is_ascii_alphabetic).count();
    let spelled = |c: char| RULES.letters.values().flatten().any(|s| s.contains(&c));
    (1..=MAX_LETTERS).contains(&letters)
        && word
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == '\'' || spelled(c))
}

/// Accepts the Persian terms (folded UTF-8) that spell a Latin word; with `prefix`, the terms
/// that begin with a spelling of it (search-as-you-type).
pub struct FinglishAutomaton {
    latin: Vec<char>,
    prefix: bool,
}

/// Where the reading stands: which Latin letters may have been spelled so far (bit `i`: the
/// first `i`), the first byte of a Persian character not yet complete, and whether a Persian
/// letter was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct State {
    at: u64,
    lead: u8,
    started: bool,
}

const DEAD: State = State {
    at: 0,
    lead: 0,
    started: true,
};

impl FinglishAutomaton {
    /// The automaton for a lower-case Latin word (`None` past [`MAX_LETTERS`]).
    pub fn new(latin: &str, prefix: bool) -> Option<Self> {
        let latin: Vec<char> = latin.chars().collect();
        (latin.len() <= MAX_LETTERS).then_some(FinglishAutomaton { latin, prefix })
    }

    fn done(&self) -> u64 {
        1 << self.latin.len()
    }

    /// The positions reachable from `at` by Latin letters that stand for nothing.
    fn closure(&self, mut at: u64) -> u64 {
        let rules = &*RULES;
        for p in 0..self.latin.len() {
            if at & (1 << p) != 0 && rules.unwritten.contains(&self.latin[p]) {
                at |= 1 << (p + 1);
            }
        }
        at
    }

    /// The positions reachable from `at` by spelling the Persian letter `c`.
    fn step(&self, at: u64, c: char, initial: bool) -> u64 {
        let rules = &*RULES;
        let mut next = 0;
        let spellings = rules.letters.get(&c).into_iter().flatten().chain(
            rules
                .initial
                .get(&c)
                .filter(|_| initial)
                .into_iter()
                .flatten(),
        );
        for spelling in spellings {
            for p in 0..=self.latin.len() {
                if at & (1 << p) == 0 {
                    continue;
                }
                let rest = &self.latin[p..];
                if rest.starts_with(spelling) {
                    let q = p + spelling.len();
                    next |= 1 << q;
                    // A doubled consonant: `tafahhom`, `mohammad`.
                    if let [single] = spelling.as_slice()
                        && !rules.unwritten.contains(single)
                        && !"iuy".contains(*single)
                        && self.latin.get(q) == Some(single)
                    {
                        next |= 1 << (q + 1);
                    }
                } else if self.prefix && !rest.is_empty() && spelling.starts_with(rest) {
                    next |= self.done();
                }
            }
        }
        self.closure(next)
    }
}

impl Automaton for FinglishAutomaton {
    type State = State;

    fn start(&self) -> State {
        State {
            at: 1,
            lead: 0,
            started: false,
        }
    }

    fn is_match(&self, state: &State) -> bool {
        state.lead == 0 && state.started && state.at & self.done() != 0
    }

    fn can_match(&self, state: &State) -> bool {
        state.at != 0
    }

    fn will_always_match(&self, state: &State) -> bool {
        self.prefix && self.is_match(state)
    }

    fn accept(&self, state: &State, byte: u8) -> State {
        if state.at == 0 || self.will_always_match(state) {
            return *state;
        }
        if state.lead == 0 {
            // Persian letters are U+0600–U+06FF: two bytes, led by 0xD8–0xDB.
            return if (0xD8..=0xDB).contains(&byte) {
                State {
                    lead: byte,
                    ..*state
                }
            } else {
                DEAD
            };
        }
        let code = (u32::from(state.lead & 0x1F) << 6) | u32::from(byte & 0x3F);
        match char::from_u32(code) {
            Some(c) => State {
                at: self.step(state.at, c, !state.started),
                lead: 0,
                started: true,
            },
            None => DEAD,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the automaton over a whole term.
    fn accepts(latin: &str, term: &str, prefix: bool) -> bool {
        let a = FinglishAutomaton::new(latin, prefix).unwrap();
        let mut state = a.start();
        for &b in term.as_bytes() {
            state = a.accept(&state, b);
            if !a.can_match(&state) {
                return false;
            }
        }
        a.is_match(&state)
    }

    #[test]
    fn every_common_transliteration() {
        for (latin, persian) in [
            ("fanavari", "فناوری"),
            ("fanaavari", "فناوری"),
            ("fanâvari", "فناوری"),
            ("tafahomname", "تفاهمنامه"),
            ("tafahomnameh", "تفاهمنامه"),
            ("tafahhomname", "تفاهمنامه"),
            ("danesh", "دانش"),
            ("bonyan", "بنیان"),
            ("shilat", "شیلات"),
            ("park", "پارک"),
            ("elm", "علم"),
            ("o", "و"),
            ("va", "و"),
            ("khodro", "خودرو"),
            ("xodro", "خودرو"),
            ("gheymat", "قیمت"),
            ("qeymat", "قیمت"),
            ("chai", "چای"),
            ("zhen", "ژن"),
            ("noor", "نور"),
            ("nour", "نور"),
            ("nur", "نور"),
            ("omid", "امید"),
            ("ensan", "انسان"),
            ("iran", "ایران"),
            ("keyfiat", "کیفیت"),
            ("sazman", "سازمان"),
            ("mazandaran", "مازندران"),
            ("etelaat", "اطلاعات"),
            ("masnooi", "مصنوعی"),
            ("jame", "جامعه"),
        ] {
            assert!(accepts(latin, persian, false), "{latin} → {persian}");
        }
    }

    #[test]
    fn only_whole_spellings_match() {
        assert!(!accepts("fanavari", "فناور", false));
        assert!(!accepts("fanavari", "فناوریها", false));
        assert!(!accepts("park", "بارک", false));
        assert!(!accepts("ict", "ict", false));
        assert!(accepts("fanav", "فناوری", true));
        assert!(accepts("tafahomn", "تفاهمنامه", true));
        assert!(
            accepts("s", "شیلات", true),
            "a prefix may end inside a spelling (sh)"
        );
        assert!(!accepts("fanav", "دانش", true));
    }

    #[test]
    fn finglish_words() {
        assert!(is_finglish_word("fanavari"));
        assert!(is_finglish_word("jame'e"));
        assert!(is_finglish_word("o"));
        assert!(!is_finglish_word(""));
        assert!(!is_finglish_word("'"));
        assert!(!is_finglish_word("tkh,vd"));
        assert!(!is_finglish_word("ict2"));
    }
}
