//! Partners as organisations: the registry of known partners (`data/partners.toml`: canonical
//! names and their aliases) and the key that tells organisations apart.
//!
//! A partner's key ([`organisation_key`]) ignores what does not distinguish organisations: Persian
//! folding, ZWNJs and spaces, punctuation, anything in parentheses, a place word before a place
//! (`استان مازندران` is `مازندران`) and the phrases of `data/organisations.toml` `[key.same_as]`
//! (`ج.ا.ا`, `جمهوری اسلامی ایران`, `سهامی خاص`, …). [`PartnerRegistry::key`] also maps a
//! registered partner's short forms and aliases to its canonical name's key. Names with one key
//! are one partner. Organisations not in the registry keep the name a source wrote.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::analysis::{name_key, word_keys};
use crate::document::places::Places;

const DATA: &str = include_str!("../../data/partners.toml");
const ORGANISATIONS: &str = include_str!("../../data/organisations.toml");

#[derive(Clone, Debug, Deserialize)]
pub struct Partner {
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Deserialize)]
struct File {
    partner: Vec<Partner>,
}

#[derive(Deserialize)]
struct KeyFile {
    key: KeyData,
    heads: Vec<String>,
    place_heads: Vec<String>,
}

#[derive(Deserialize)]
struct KeyData {
    same_as: HashMap<String, String>,
}

/// `[key.same_as]`: (phrase as its words' keys joined, its length in words, what it stands for
/// as word keys).
static SAME_AS: LazyLock<Vec<(String, usize, Vec<String>)>> = LazyLock::new(|| {
    let file: KeyFile =
        toml::from_str(ORGANISATIONS).expect("data/organisations.toml is valid (tested)");
    file.key
        .same_as
        .iter()
        .map(|(phrase, same)| {
            let words = word_keys(phrase);
            (words.concat(), words.len(), word_keys(same))
        })
        .filter(|(joined, _, _)| !joined.is_empty())
        .collect()
});

/// The heads of organisation names (`data/organisations.toml`), as their words' keys joined:
/// a registered name's alias may leave its head out (`گاز مازندران` for `شرکت گاز …`).
static HEADS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let file: KeyFile =
        toml::from_str(ORGANISATIONS).expect("data/organisations.toml is valid (tested)");
    file.heads
        .iter()
        .chain(&file.place_heads)
        .map(|h| word_keys(h).concat())
        .collect()
});

/// The key of an organisation's name, without the registry: folded words joined, without
/// what is in parentheses, without a place word before a place, with `[key.same_as]` applied.
/// `کمیته امداد امام خمینی (ره) استان مازندران` and `کمیته امداد امام خمینی مازندران` have one
/// key; so have `شرکت ملی پست ج.ا.ا` and `شرکت ملی پست جمهوری اسلامی ایران`.
pub fn organisation_key(name: &str) -> String {
    let words = word_keys(&without_parentheses(name));
    let mut words: Vec<String> = same_as(words);
    let places = Places::get();
    let mut i = 0;
    while i + 1 < words.len() {
        let keys: Vec<&str> = words.iter().map(String::as_str).collect();
        if places.is_place_word(keys[i]) && places.at(&keys, i + 1, true).is_some() {
            words.remove(i);
        } else {
            i += 1;
        }
    }
    let key = words.concat();
    if key.is_empty() {
        // A name that is all parentheses or ignored words keeps what it has.
        word_keys(name).concat()
    } else {
        key
    }
}

fn without_parentheses(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => {
                depth = depth.saturating_sub(1);
                out.push(' ');
            }
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Applies `[key.same_as]`: each phrase, wherever it occurs (its words spaced or joined),
/// becomes what it stands for.
fn same_as(words: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(words.len());
    let mut i = 0;
    'words: while i < words.len() {
        let mut joined = String::new();
        for (n, word) in words[i..].iter().enumerate() {
            joined.push_str(word);
            if let Some((_, _, same)) = SAME_AS.iter().find(|(phrase, _, _)| *phrase == joined) {
                out.extend(same.iter().cloned());
                i += n + 1;
                continue 'words;
            }
            if !SAME_AS
                .iter()
                .any(|(phrase, _, _)| phrase.starts_with(joined.as_str()))
            {
                break;
            }
        }
        out.push(words[i].clone());
        i += 1;
    }
    out
}

/// Known partners, looked up by any of their names in any spelling.
pub struct PartnerRegistry {
    pub partners: Vec<Partner>,
    by_key: HashMap<String, usize>,
    /// By the plain [`name_key`] of each name and alias, for finding them in running text.
    by_written: HashMap<String, usize>,
    /// The keys of `by_written`, sorted: whether any starts with a run of words.
    written_sorted: Vec<String>,
}

static REGISTRY: LazyLock<PartnerRegistry> = LazyLock::new(|| {
    let file: File = toml::from_str(DATA).expect("data/partners.toml is valid (tested)");
    PartnerRegistry::new(file.partner)
});

impl PartnerRegistry {
    /// The registry compiled into the binary.
    pub fn get() -> &'static PartnerRegistry {
        &REGISTRY
    }

    pub fn new(partners: Vec<Partner>) -> PartnerRegistry {
        let mut by_key = HashMap::new();
        let mut by_written = HashMap::new();
        for (i, p) in partners.iter().enumerate() {
            for name in std::iter::once(&p.name).chain(&p.aliases) {
                by_key.entry(organisation_key(name)).or_insert(i);
                by_written.entry(name_key(name)).or_insert(i);
            }
        }
        let mut written_sorted: Vec<String> = by_written.keys().cloned().collect();
        written_sorted.sort();
        PartnerRegistry {
            partners,
            by_key,
            by_written,
            written_sorted,
        }
    }

    /// The registered partner a name refers to, in any spelling, also when it is written with
    /// a head its alias leaves out (`اداره کل منابع طبیعی و آبخیزداری استان مازندران` for the
    /// alias `منابع طبیعی و آبخیزداری مازندران`).
    pub fn find(&self, name: &str) -> Option<&Partner> {
        let key = organisation_key(name);
        self.find_by_key(&key).or_else(|| {
            HEADS.iter().find_map(|head| {
                key.strip_prefix(head.as_str())
                    .filter(|rest| !rest.is_empty())
                    .and_then(|rest| self.find_by_key(rest))
            })
        })
    }

    /// The registered partner with this [`organisation_key`].
    pub fn find_by_key(&self, key: &str) -> Option<&Partner> {
        self.by_key.get(key).map(|&i| &self.partners[i])
    }

    /// The registered partner whose name or alias, words joined ([`name_key`]), is `joined`:
    /// how extraction finds registered names in running text, word run by word run.
    pub fn find_written(&self, joined: &str) -> Option<&Partner> {
        self.by_written.get(joined).map(|&i| &self.partners[i])
    }

    /// Whether some registered name or alias, words joined, starts with `joined` (so a run of
    /// words that does not is not worth extending).
    pub fn starts_written(&self, joined: &str) -> bool {
        let at = self.written_sorted.partition_point(|k| k.as_str() < joined);
        self.written_sorted
            .get(at)
            .is_some_and(|k| k.starts_with(joined))
    }

    /// The display name for a written name: the canonical one when registered, else the
    /// name as written (trimmed).
    pub fn canonical<'a>(&'a self, name: &'a str) -> &'a str {
        self.find(name).map_or(name.trim(), |p| p.name.as_str())
    }

    /// The partner key of a written name: the key of its canonical name when registered (so
    /// aliases and short forms are one partner), else its [`organisation_key`].
    pub fn key(&self, name: &str) -> String {
        match self.find(name) {
            Some(p) => organisation_key(&p.name),
            None => organisation_key(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_spellings_resolve_to_the_canonical_name() {
        let r = PartnerRegistry::get();
        assert!(r.partners.len() >= 30);
        assert_eq!(
            r.canonical("پارک فناوری و نوآوری صنعت نفت"),
            "پارک فناوری و نوآوری صنعت نفت"
        );
        assert_eq!(r.canonical("بانک ملی"), "بانک ملی ایران");
        assert_eq!(
            r.canonical("شركت شهركهاي صنعتي مازندران"),
            "شرکت شهرک‌های صنعتی استان مازندران"
        );
        assert_eq!(
            r.canonical("دانشگاه صنعتی  بابل"),
            "دانشگاه صنعتی نوشیروانی بابل"
        );
        assert_eq!(r.canonical(" شرکت ناشناخته "), "شرکت ناشناخته");
    }

    #[test]
    fn what_does_not_tell_organisations_apart() {
        let same = [
            (
                "اداره کل ورزش و جوانان استان گلستان",
                "اداره‌کل ورزش و جوانان گلستان",
            ),
            (
                "اتاق بازرگانی، صنایع، معادن و کشاورزی یزد",
                "اتاق بازرگانی صنایع معادن و کشاورزی یزد",
            ),
            ("شرکت ملی پست ج.ا.ا", "شرکت ملی پست جمهوری اسلامی ایران"),
            (
                "کمیته امداد امام خمینی (ره) استان مازندران",
                "كميته امداد امام خميني مازندران",
            ),
            ("شرکت نکاچوب (سهامی عام)", "شرکت نکاچوب"),
            (
                "شرکت دانش‌بنیان کشت‌افزار هوشمند شمال",
                "شرکت کشتافزار هوشمند شمال",
            ),
            ("سفارت جمهوری تاجیکستان", "سفارت تاجیکستان"),
            ("صداوسیمای مرکز مازندران", "صدا و سیمای مرکز مازندران"),
            ("شهرداری شهر بابلسر", "شهرداری بابلسر"),
            (
                "مؤسسه تحقیقات علوم شیلاتی کشور",
                "موسسه تحقیقات علوم شیلاتی کشور",
            ),
        ];
        for (a, b) in same {
            assert_eq!(organisation_key(a), organisation_key(b), "{a} / {b}");
        }
        let different = [
            ("دانشگاه علوم پزشکی گلستان", "دانشگاه گلستان"),
            ("پارک علم و فناوری سمنان", "پارک علم و فناوری مازندران"),
            // `استان` is only dropped before a province: here it is the name.
            (
                "سازمان مدیریت و برنامه‌ریزی استان",
                "سازمان مدیریت و برنامه‌ریزی",
            ),
        ];
        for (a, b) in different {
            assert_ne!(organisation_key(a), organisation_key(b), "{a} / {b}");
        }
    }

    #[test]
    fn registered_short_forms_share_the_canonical_key() {
        let r = PartnerRegistry::get();
        assert_eq!(r.key("بانک ملی"), r.key("بانک ملی ایران"));
        assert_eq!(
            r.key("آبفای مازندران"),
            r.key("شرکت آب و فاضلاب استان مازندران")
        );
        assert_eq!(r.key("شرکت ناشناخته"), organisation_key("شرکت ناشناخته"));
    }

    #[test]
    fn registered_partners_have_distinct_keys() {
        let r = PartnerRegistry::get();
        let mut seen = HashMap::new();
        for p in &r.partners {
            if let Some(other) = seen.insert(organisation_key(&p.name), &p.name) {
                panic!("{} and {other} have one key", p.name);
            }
        }
    }
}
