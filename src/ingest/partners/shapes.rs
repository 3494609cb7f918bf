//! The shapes of organisation names (`data/organisations.toml`), as word keys: heads, plural
//! heads, officials' titles, boundary words, vague and generic words, and the cues of passing
//! mentions. See that file for what each list means.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use serde::Deserialize;

use super::words::Words;
use crate::analysis::{name_key, word_keys};

const DATA: &str = include_str!("../../../data/organisations.toml");

#[derive(Deserialize)]
struct File {
    heads: Vec<String>,
    units: Vec<String>,
    place_heads: Vec<String>,
    plural_heads: HashMap<String, String>,
    officials: HashMap<String, String>,
    closed_officials: Vec<ClosedOfficialData>,
    words: WordLists,
    mentions: MentionData,
}

#[derive(Deserialize)]
struct ClosedOfficialData {
    title: String,
    head: String,
    closings: HashMap<String, String>,
}

#[derive(Deserialize)]
struct WordLists {
    titles: Vec<String>,
    boundaries: Vec<String>,
    vague: Vec<String>,
    references: Vec<String>,
    generic: Vec<String>,
    preverbs: Vec<String>,
    auxiliaries: Vec<String>,
}

#[derive(Deserialize)]
struct MentionData {
    phrase: Vec<String>,
    clause: Vec<String>,
    clause_ends: Vec<String>,
}

/// How a head's name goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadKind {
    /// Name words up to a boundary or a place.
    Open,
    /// One place.
    Place,
}

/// An organisation an official's title stands for.
#[derive(Clone, Debug)]
pub struct Official {
    /// The organisation's head, as written in names (`استانداری`).
    pub head: String,
    pub kind: HeadKind,
    /// Closing words (as word keys) the title needs, with what the name writes instead
    /// (`رئیس‌جمهور` → `ریاست جمهوری`); empty for titles that need none.
    pub closings: Vec<(Vec<String>, String)>,
}

/// Phrases looked up at a position in a text, longest first. A phrase is matched by the
/// concatenation of its words' keys, so it meets the text however its words are joined or
/// spaced (`اداره کل`, `اداره‌کل`; `صدا و سیمای`, `صداوسیمای`).
pub struct Phrases<T> {
    by_joined: HashMap<String, T>,
    /// The keys of `by_joined`, sorted: whether any phrase starts with a run of words.
    sorted: Vec<String>,
    /// Most words of a phrase.
    longest: usize,
}

impl<T> Phrases<T> {
    fn new(items: impl IntoIterator<Item = (String, T)>) -> Phrases<T> {
        let mut by_joined = HashMap::new();
        let mut longest = 1;
        for (phrase, value) in items {
            let keys = word_keys(&phrase);
            longest = longest.max(keys.len());
            if !keys.is_empty() {
                by_joined.insert(keys.concat(), value);
            }
        }
        let mut sorted: Vec<String> = by_joined.keys().cloned().collect();
        sorted.sort();
        Phrases {
            by_joined,
            sorted,
            longest,
        }
    }

    /// Whether some phrase starts with `joined`.
    fn starts(&self, joined: &str) -> bool {
        let at = self.sorted.partition_point(|k| k.as_str() < joined);
        self.sorted.get(at).is_some_and(|k| k.starts_with(joined))
    }

    /// The longest phrase starting at word `at` (words separated by spaces only), with the
    /// number of the text's words it covers.
    pub fn at(&self, words: &Words, at: usize) -> Option<(usize, &T)> {
        let mut joined = String::new();
        let mut best = None;
        // The text may write a word of the phrase as two (`شرکت های` for `شرکت‌های`).
        for k in 0..(self.longest + 2).min(words.len().saturating_sub(at)) {
            if k > 0 && words.gap(at + k) != super::words::Gap::Space {
                break;
            }
            joined.push_str(words.key(at + k));
            if !self.starts(&joined) {
                break;
            }
            if let Some(value) = self.by_joined.get(&joined) {
                best = Some((k + 1, value));
            }
        }
        best
    }

    /// The longest phrase ending just before word `end`, with the number of words it covers.
    pub fn ending_at(&self, words: &Words, end: usize) -> Option<usize> {
        (end.saturating_sub(self.longest + 2)..end)
            .filter_map(|start| self.at(words, start).filter(|(n, _)| start + n == end))
            .map(|(n, _)| n)
            .max()
    }
}

/// Everything name finding needs from `data/organisations.toml`.
pub struct Shapes {
    pub heads: Phrases<HeadKind>,
    /// Units of organisations (`مرکز رشد`, `معاونت`, …).
    pub units: Phrases<()>,
    /// Plural head → its singular, as written in names.
    pub plural_heads: Phrases<String>,
    pub officials: Phrases<Official>,
    pub titles: HashSet<String>,
    pub boundaries: HashSet<String>,
    pub vague: HashSet<String>,
    pub references: HashSet<String>,
    /// Generic phrases, each as the concatenation of its word keys.
    pub generic: HashSet<String>,
    pub preverbs: HashSet<String>,
    pub auxiliaries: HashSet<String>,
    pub phrase_cues: Phrases<()>,
    pub clause_cues: Phrases<()>,
    pub clause_ends: HashSet<String>,
}

static SHAPES: LazyLock<Shapes> = LazyLock::new(|| {
    let file: File = toml::from_str(DATA).expect("data/organisations.toml is valid (tested)");
    let set = |list: &[String]| list.iter().map(|w| name_key(w)).collect::<HashSet<_>>();
    let mut officials: Vec<(String, Official)> = file
        .officials
        .iter()
        .map(|(title, head)| {
            let kind = if file
                .place_heads
                .iter()
                .any(|h| name_key(h) == name_key(head))
            {
                HeadKind::Place
            } else {
                HeadKind::Open
            };
            let official = Official {
                head: head.clone(),
                kind,
                closings: Vec::new(),
            };
            (title.clone(), official)
        })
        .collect();
    for c in &file.closed_officials {
        let closings = c
            .closings
            .iter()
            .map(|(k, v)| (word_keys(k), v.clone()))
            .collect();
        officials.push((
            c.title.clone(),
            Official {
                head: c.head.clone(),
                kind: HeadKind::Open,
                closings,
            },
        ));
    }
    Shapes {
        heads: Phrases::new(
            file.heads
                .iter()
                .map(|h| (h.clone(), HeadKind::Open))
                .chain(
                    file.place_heads
                        .iter()
                        .map(|h| (h.clone(), HeadKind::Place)),
                ),
        ),
        units: Phrases::new(file.units.iter().map(|u| (u.clone(), ()))),
        plural_heads: Phrases::new(file.plural_heads.clone()),
        officials: Phrases::new(officials),
        titles: set(&file.words.titles),
        boundaries: set(&file.words.boundaries),
        vague: set(&file.words.vague),
        references: set(&file.words.references),
        generic: set(&file.words.generic),
        preverbs: set(&file.words.preverbs),
        auxiliaries: set(&file.words.auxiliaries),
        phrase_cues: Phrases::new(file.mentions.phrase.iter().map(|p| (p.clone(), ()))),
        clause_cues: Phrases::new(file.mentions.clause.iter().map(|p| (p.clone(), ()))),
        clause_ends: set(&file.mentions.clause_ends),
    }
});

impl Shapes {
    /// The shapes compiled into the binary.
    pub fn get() -> &'static Shapes {
        &SHAPES
    }

    /// Whether word `i` ends a name: a boundary word or a person's title.
    pub fn ends_name(&self, words: &Words, i: usize) -> bool {
        let key = words.key(i);
        self.boundaries.contains(key)
            || self.titles.contains(key)
            || key.chars().all(|c| c.is_ascii_digit())
            || self.officials.at(words, i).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_loads_and_heads_match_in_any_spelling() {
        let s = Shapes::get();
        let w = Words::of("اداره کل ورزش");
        assert_eq!(
            s.heads.at(&w, 0).map(|(n, k)| (n, *k)),
            Some((2, HeadKind::Open))
        );
        let w = Words::of("اداره‌کل ورزش");
        assert_eq!(
            s.heads.at(&w, 0).map(|(n, k)| (n, *k)),
            Some((1, HeadKind::Open))
        );
        let w = Words::of("شرکت های فناور");
        assert_eq!(
            s.plural_heads.at(&w, 0).map(|(n, k)| (n, k.as_str())),
            Some((2, ""))
        );
        let w = Words::of("شهرداري بابلسر");
        assert_eq!(
            s.heads.at(&w, 0).map(|(n, k)| (n, *k)),
            Some((1, HeadKind::Place))
        );
        let w = Words::of("استاندار گلستان");
        assert_eq!(
            s.officials.at(&w, 0).map(|(n, o)| (n, o.head.as_str())),
            Some((1, "استانداری"))
        );
        assert!(s.titles.contains(&name_key("رئیس")));
        assert!(s.boundaries.contains(&name_key("تفاهم‌نامه")));
    }
}
