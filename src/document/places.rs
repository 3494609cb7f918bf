//! Place names (`data/places.toml`): Iran's provinces, cities and countries, and the words that
//! stand before a place (`استان`, `شهر`, …). Organisation names end after a place
//! (`دانشگاه گیلان`), and a place word before a place does not tell organisations apart
//! (`… استان مازندران` is `… مازندران`).
//!
//! Places are matched on words' comparison keys ([`crate::analysis::name_key`] of each word),
//! longest first, so `خراسان رضوی` is one place and `آذربایجان شرقی` is not `آذربایجان`.

use std::collections::HashSet;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::analysis::name_key;

const DATA: &str = include_str!("../../data/places.toml");

/// Longest place name, in words.
const MAX_PLACE_WORDS: usize = 3;

#[derive(Deserialize)]
struct File {
    provinces: Vec<String>,
    after_province_word_only: Vec<String>,
    cities: Vec<String>,
    countries: Vec<String>,
    place_words: Vec<String>,
}

/// What kind of place a match is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlaceKind {
    Province,
    City,
    /// A country, or `کشور`.
    Country,
}

/// The gazetteer, by the concatenated keys of each name's words.
pub struct Places {
    provinces: HashSet<String>,
    after_place_word_only: HashSet<String>,
    cities: HashSet<String>,
    countries: HashSet<String>,
    place_words: HashSet<String>,
}

static PLACES: LazyLock<Places> = LazyLock::new(|| {
    let file: File = toml::from_str(DATA).expect("data/places.toml is valid (tested)");
    let keys = |names: &[String]| names.iter().map(|n| name_key(n)).collect();
    Places {
        provinces: keys(&file.provinces),
        after_place_word_only: keys(&file.after_province_word_only),
        cities: keys(&file.cities),
        countries: keys(&file.countries),
        place_words: keys(&file.place_words),
    }
});

impl Places {
    /// The gazetteer compiled into the binary.
    pub fn get() -> &'static Places {
        &PLACES
    }

    /// The place starting at `words[at]` (words as comparison keys): its kind and length in
    /// words, the longest there is. `after_place_word` admits the places that are only places
    /// after `استان` (`مرکزی`).
    pub fn at(
        &self,
        words: &[&str],
        at: usize,
        after_place_word: bool,
    ) -> Option<(PlaceKind, usize)> {
        let mut joined = String::new();
        let mut best = None;
        for (n, word) in words.iter().skip(at).take(MAX_PLACE_WORDS).enumerate() {
            joined.push_str(word);
            let kind = if self.provinces.contains(&joined)
                || (after_place_word && self.after_place_word_only.contains(&joined))
            {
                Some(PlaceKind::Province)
            } else if self.cities.contains(&joined) {
                Some(PlaceKind::City)
            } else if self.countries.contains(&joined) {
                Some(PlaceKind::Country)
            } else {
                None
            };
            if let Some(kind) = kind {
                best = Some((kind, n + 1));
            }
        }
        best
    }

    /// Whether a word (as its key) is a place word: `استان`, `شهرستان`, `شهر`, `جمهوری`.
    pub fn is_place_word(&self, word: &str) -> bool {
        self.place_words.contains(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        text.split(' ').map(name_key).collect()
    }

    #[test]
    fn longest_place_first_in_any_spelling() {
        let p = Places::get();
        let words = keys("دانشگاه خراسان رضوی و گنبد كاووس");
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        assert_eq!(p.at(&words, 1, false), Some((PlaceKind::Province, 2)));
        assert_eq!(p.at(&words, 4, false), Some((PlaceKind::City, 2)));
        assert_eq!(p.at(&words, 0, false), None);
        let words = keys("استان مرکزی");
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        assert_eq!(p.at(&words, 1, false), None);
        assert_eq!(p.at(&words, 1, true), Some((PlaceKind::Province, 1)));
        assert!(p.is_place_word(&name_key("استان")));
        assert_eq!(
            p.at(&[name_key("روسیه").as_str()], 0, false),
            Some((PlaceKind::Country, 1))
        );
    }
}
