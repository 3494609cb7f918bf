//! Wrong keyboard layout: text typed with the US layout on where a Persian one was meant
//! (`tkh,vd` → `فناوری`), or with a Persian layout on where Latin letters were meant (`هزف` →
//! `ict`), read back through both Persian layouts of `data/keyboard-layouts.toml` (ISIRI 9147
//! and the legacy Windows one).

use std::sync::LazyLock;

use rustc_hash::FxHashMap;
use serde::Deserialize;

const DATA: &str = include_str!("../../../data/keyboard-layouts.toml");

/// One Persian layout, both ways.
pub struct Layout {
    pub name: String,
    /// Key (as the US layout types it) → Persian character.
    to_persian: FxHashMap<char, char>,
    /// Persian character → key.
    to_latin: FxHashMap<char, char>,
}

#[derive(Deserialize)]
struct File {
    layout: Vec<LayoutEntry>,
}

#[derive(Deserialize)]
struct LayoutEntry {
    name: String,
    keys: FxHashMap<String, String>,
    shift: FxHashMap<String, String>,
}

fn single_char(s: &str) -> char {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => c,
        _ => panic!("data/keyboard-layouts.toml: {s:?} is not one character"),
    }
}

static LAYOUTS: LazyLock<Vec<Layout>> = LazyLock::new(|| {
    let file: File = toml::from_str(DATA).expect("data/keyboard-layouts.toml is valid (tested)");
    file.layout
        .into_iter()
        .map(|entry| {
            let mut to_persian = FxHashMap::default();
            let mut to_latin = FxHashMap::default();
            for (key, persian) in entry.keys.iter().chain(&entry.shift) {
                let (key, persian) = (single_char(key), single_char(persian));
                to_persian.insert(key, persian);
                to_latin.entry(persian).or_insert(key);
            }
            Layout {
                name: entry.name,
                to_persian,
                to_latin,
            }
        })
        .collect()
});

/// Every Persian layout kavosh knows.
pub fn layouts() -> &'static [Layout] {
    &LAYOUTS
}

impl Layout {
    /// What `typed` gives with this layout on: each key's Persian character (an upper-case
    /// letter without a Shift character of its own gives its lower-case key's). `None` when a
    /// character is neither a key of the layout nor a digit, or no letter changes.
    pub fn to_persian(&self, typed: &str) -> Option<String> {
        convert(typed, |c| {
            self.to_persian
                .get(&c)
                .or_else(|| self.to_persian.get(&c.to_ascii_lowercase()))
                .copied()
        })
    }

    /// The keys that typed `typed` with this layout on, as the US layout gives them. `None`
    /// when a character is no key of the layout.
    pub fn to_latin(&self, typed: &str) -> Option<String> {
        convert(typed, |c| {
            self.to_latin
                .get(&arabic_to_persian(c))
                .or_else(|| self.to_latin.get(&c))
                .copied()
        })
    }
}

/// `typed` with each character mapped by `key` (digits kept): `None` when a character has no
/// mapping or none has one.
fn convert(typed: &str, key: impl Fn(char) -> Option<char>) -> Option<String> {
    let mut changed = false;
    let converted = typed
        .chars()
        .map(|c| match key(c) {
            Some(k) => {
                changed = true;
                Some(k)
            }
            None => c.is_ascii_digit().then_some(c),
        })
        .collect::<Option<String>>()?;
    changed.then_some(converted)
}

/// The Arabic yeh and kaf that older layouts typed, as the Persian letters of the tables.
fn arabic_to_persian(c: char) -> char {
    match c {
        'ي' | 'ى' => 'ی',
        'ك' => 'ک',
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_name(name: &str) -> &'static Layout {
        layouts().iter().find(|l| l.name == name).unwrap()
    }

    #[test]
    fn both_layouts_read_us_keys_as_persian() {
        for layout in layouts() {
            assert_eq!(layout.to_persian("tkh,vd").as_deref(), Some("فناوری"));
            assert_eq!(layout.to_persian("hv;").as_deref(), Some("ارک"));
            assert_eq!(layout.to_persian("Hfd").as_deref(), Some("آبی"));
            assert_eq!(layout.to_persian("p~"), None);
        }
        assert_eq!(
            by_name("isiri-9147").to_persian("ihv;").as_deref(),
            Some("هارک")
        );
        assert_eq!(
            by_name("isiri-9147").to_persian("mhv;").as_deref(),
            Some("پارک")
        );
        assert_eq!(
            by_name("windows-legacy").to_persian("\\hv;").as_deref(),
            Some("پارک")
        );
    }

    #[test]
    fn persian_keys_read_back_as_latin() {
        for layout in layouts() {
            assert_eq!(layout.to_latin("هزف").as_deref(), Some("ict"));
            assert_eq!(layout.to_latin("هخف").as_deref(), Some("iot"));
            assert_eq!(layout.to_latin("فناوري").as_deref(), Some("tkh,vd"));
            assert_eq!(layout.to_latin("abc"), None);
        }
        assert_eq!(by_name("isiri-9147").to_latin("پ").as_deref(), Some("m"));
        assert_eq!(
            by_name("windows-legacy").to_latin("پ").as_deref(),
            Some("\\")
        );
    }

    #[test]
    fn every_key_and_character_is_one_character() {
        assert_eq!(layouts().len(), 2);
        for layout in layouts() {
            assert!(layout.to_persian.len() >= 32, "{}", layout.name);
        }
    }
}
