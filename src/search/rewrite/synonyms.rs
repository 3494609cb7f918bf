//! Abbreviations and synonyms: `فاوا` also finds `فناوری اطلاعات و ارتباطات` and `ICT`.
//!
//! A rule is two-way (`{"synonyms": [...]}`: every entry finds every other) or one-way
//! (`{"root": "...", "synonyms": [...]}`: the root also finds the synonyms, not the reverse).
//! Entries of several words are matched as phrases, word for word, in any spelling the analyzer
//! folds together (`ج.ا.ا`, `ج. ا. ا`). The rules shipped in `data/synonyms.toml` apply until an
//! index is given its own (`PUT /synonyms`), kept in its settings under `synonyms` and used from
//! the next query on, without reindexing.

use std::sync::{Arc, LazyLock};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Deserializer, Serialize};

use crate::analysis::compounds::push_joined;
use crate::analysis::segment::Segments;
use crate::index::{IndexError, SearchIndex};

const SHIPPED: &str = include_str!("../../../data/synonyms.toml");

/// The name of the index setting that holds an index's own rules.
pub const SETTING: &str = "synonyms";
/// Most rules.
pub const MAX_RULES: usize = 5_000;
/// Most entries (root included) in one rule.
pub const MAX_RULE_ENTRIES: usize = 20;
/// Most words in one entry.
pub const MAX_ENTRY_WORDS: usize = 8;
/// Longest entry, in characters.
pub const MAX_ENTRY_CHARS: usize = 200;

/// One rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SynonymRule {
    /// One-way: what a query must contain to also find `synonyms`. Absent for a two-way rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    /// Two-way: words or phrases that all find each other (at least two). One-way: what `root`
    /// also finds (at least one).
    pub synonyms: Vec<String>,
}

/// A set of rules: the body of `PUT /synonyms` and the reply of `GET /synonyms`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SynonymRules {
    pub rules: Vec<SynonymRule>,
}

/// Rules compiled for matching query words.
#[derive(Debug)]
pub struct Synonyms {
    rules: SynonymRules,
    /// An entry's words (joined forms) → what it also finds (each a run of exact terms).
    expansions: FxHashMap<Vec<String>, Vec<Vec<String>>>,
    /// Most words of an entry.
    longest: usize,
}

/// The words of an entry as query words are compared: folded, joined, canonical spelling.
pub fn entry_words(text: &str) -> Vec<String> {
    let mut seg = Segments::default();
    seg.split(text);
    seg.words
        .iter()
        .map(|w| {
            let mut joined = String::new();
            push_joined(&seg, w, &mut joined);
            joined
        })
        .collect()
}

impl Synonyms {
    /// Checks and compiles rules; the error names the rule and what is wrong with it.
    pub fn compile(rules: SynonymRules) -> Result<Synonyms, String> {
        if rules.rules.len() > MAX_RULES {
            return Err(format!(
                "{} rules: at most {MAX_RULES} are allowed",
                rules.rules.len()
            ));
        }
        let mut expansions: FxHashMap<Vec<String>, Vec<Vec<String>>> = FxHashMap::default();
        let mut longest = 0;
        for (i, rule) in rules.rules.iter().enumerate() {
            let n = i + 1;
            let entries = rule.root.iter().chain(&rule.synonyms).count();
            let least = if rule.root.is_some() { 1 } else { 2 };
            if rule.synonyms.len() < least {
                return Err(format!(
                    "rule {n}: a {} rule needs at least {least} synonyms",
                    if rule.root.is_some() {
                        "one-way"
                    } else {
                        "two-way"
                    }
                ));
            }
            if entries > MAX_RULE_ENTRIES {
                return Err(format!(
                    "rule {n}: {entries} entries, at most {MAX_RULE_ENTRIES} are allowed"
                ));
            }
            let mut words_of = |text: &String| -> Result<Vec<String>, String> {
                if text.chars().count() > MAX_ENTRY_CHARS {
                    return Err(format!(
                        "rule {n}: {text:?} is longer than {MAX_ENTRY_CHARS} characters"
                    ));
                }
                let words = entry_words(text);
                if words.is_empty() {
                    return Err(format!("rule {n}: {text:?} has no word to search"));
                }
                if words.len() > MAX_ENTRY_WORDS {
                    return Err(format!(
                        "rule {n}: {text:?} has more than {MAX_ENTRY_WORDS} words"
                    ));
                }
                longest = longest.max(words.len());
                Ok(words)
            };
            let synonyms = rule
                .synonyms
                .iter()
                .map(&mut words_of)
                .collect::<Result<Vec<_>, _>>()?;
            let sources = match &rule.root {
                Some(root) => vec![words_of(root)?],
                None => synonyms.clone(),
            };
            for source in sources {
                let list = expansions.entry(source.clone()).or_default();
                for target in &synonyms {
                    if *target != source && !list.contains(target) {
                        list.push(target.clone());
                    }
                }
            }
        }
        expansions.retain(|_, list| !list.is_empty());
        Ok(Synonyms {
            rules,
            expansions,
            longest,
        })
    }

    /// The rules shipped with kavosh (`data/synonyms.toml`).
    pub fn shipped() -> Arc<Synonyms> {
        static SHIPPED_RULES: LazyLock<Arc<Synonyms>> = LazyLock::new(|| {
            let rules: SynonymRules =
                toml::from_str(SHIPPED).expect("data/synonyms.toml is valid (tested)");
            Arc::new(Synonyms::compile(rules).expect("data/synonyms.toml is valid (tested)"))
        });
        SHIPPED_RULES.clone()
    }

    /// The rules an index searches with: its own, or the shipped ones when it has none.
    pub fn of_index(index: &SearchIndex) -> Result<Arc<Synonyms>, IndexError> {
        Ok(index
            .settings()
            .get_shared::<Synonyms>(SETTING)?
            .unwrap_or_else(Synonyms::shipped))
    }

    /// Checks `rules` and makes them the index's own, for the next query on.
    pub fn set_for_index(index: &SearchIndex, rules: SynonymRules) -> Result<(), SetError> {
        Synonyms::compile(rules.clone()).map_err(SetError::Invalid)?;
        index
            .settings()
            .put(SETTING, &rules)
            .map_err(SetError::Index)
    }

    /// Whether an index has rules of its own (else it uses the shipped ones).
    pub fn index_has_own(index: &SearchIndex) -> Result<bool, IndexError> {
        Ok(index.settings().get_shared::<Synonyms>(SETTING)?.is_some())
    }

    pub fn rules(&self) -> &SynonymRules {
        &self.rules
    }

    /// The longest entry that the query words `words[start..]` begin with: where it ends and
    /// what it also finds.
    pub fn at(&self, words: &[String], start: usize) -> Option<(usize, &[Vec<String>])> {
        let most = self.longest.min(words.len().saturating_sub(start));
        (1..=most).rev().find_map(|n| {
            self.expansions
                .get(&words[start..start + n])
                .map(|list| (start + n, list.as_slice()))
        })
    }
}

/// Why rules could not be set.
#[derive(Debug)]
pub enum SetError {
    /// The rules are not valid (a 400).
    Invalid(String),
    Index(IndexError),
}

impl SynonymRules {
    /// Rules from JSON: `{"rules": [...]}`, or Meilisearch's shape, an object of words each with
    /// the list of what it also finds (`{"فاوا": ["ICT"]}`: one-way rules).
    pub fn from_json(value: serde_json::Value) -> Result<SynonymRules, String> {
        let is_map = value
            .as_object()
            .is_some_and(|o| !o.contains_key("rules") && o.values().all(|v| v.is_array()));
        if !is_map {
            return serde_json::from_value(value).map_err(|e| e.to_string());
        }
        let map: std::collections::BTreeMap<String, Vec<String>> = serde_json::from_value(value)
            .map_err(|e| format!("an object of words needs a list of words for each: {e}"))?;
        Ok(SynonymRules {
            rules: map
                .into_iter()
                .map(|(root, synonyms)| SynonymRule {
                    root: Some(root),
                    synonyms,
                })
                .collect(),
        })
    }
}

impl<'de> Deserialize<'de> for Synonyms {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Synonyms, D::Error> {
        let rules = SynonymRules::from_json(serde_json::Value::deserialize(d)?)
            .map_err(serde::de::Error::custom)?;
        Synonyms::compile(rules).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        entry_words(text)
    }

    fn expand(s: &Synonyms, query: &str) -> Vec<String> {
        let q = words(query);
        s.at(&q, 0)
            .map(|(_, list)| list.iter().map(|w| w.join(" ")).collect())
            .unwrap_or_default()
    }

    #[test]
    fn shipped_rules_compile_and_expand_both_ways() {
        let s = Synonyms::shipped();
        let fava = expand(&s, "فاوا");
        assert!(
            fava.contains(&"فناوری اطلاعات و ارتباطات".to_string()),
            "{fava:?}"
        );
        assert!(fava.contains(&"ict".to_string()));
        assert!(expand(&s, "فناوری اطلاعات و ارتباطات").contains(&"فاوا".to_string()));
        assert!(expand(&s, "ICT").contains(&"فاوا".to_string()));
        assert!(expand(&s, "ج.ا.ا").contains(&"جمهوری اسلامی ایران".to_string()));
        assert!(expand(&s, "ج. ا. ا").contains(&"جمهوری اسلامی ایران".to_string()));
        assert!(expand(&s, "جمهوری اسلامی ایران").contains(&"ج ا ا".to_string()));
        assert!(expand(&s, "پارک").is_empty());
    }

    #[test]
    fn one_way_rules_expand_from_the_root_only() {
        let s = Synonyms::compile(SynonymRules {
            rules: vec![SynonymRule {
                root: Some("خورشیدی".into()),
                synonyms: vec!["فتوولتائیک".into()],
            }],
        })
        .unwrap();
        assert_eq!(expand(&s, "خورشیدی"), ["فتوولتاییک"]);
        assert!(expand(&s, "فتوولتائیک").is_empty());
    }

    #[test]
    fn the_longest_entry_wins() {
        let s = Synonyms::shipped();
        let q = words("فناوری اطلاعات و ارتباطات مازندران");
        let (end, _) = s.at(&q, 0).unwrap();
        assert_eq!(end, 4);
    }

    #[test]
    fn meilisearch_shaped_synonyms_are_one_way_rules() {
        let s: Synonyms = serde_json::from_value(serde_json::json!({"فاوا": ["ICT"]})).unwrap();
        assert_eq!(expand(&s, "فاوا"), ["ict"]);
        assert!(expand(&s, "ICT").is_empty());
        let e = SynonymRules::from_json(serde_json::json!({"فاوا": [1]})).unwrap_err();
        assert!(e.contains("list of words"), "{e}");
        let e = SynonymRules::from_json(serde_json::json!({"rules": [{"words": []}]})).unwrap_err();
        assert!(e.contains("unknown field"), "{e}");
    }

    #[test]
    fn bad_rules_are_refused_with_the_rule_named() {
        let rule = |root: Option<&str>, synonyms: &[&str]| SynonymRules {
            rules: vec![SynonymRule {
                root: root.map(str::to_string),
                synonyms: synonyms.iter().map(|s| s.to_string()).collect(),
            }],
        };
        for (rules, expected) in [
            (
                rule(None, &["تنها"]),
                "rule 1: a two-way rule needs at least 2",
            ),
            (
                rule(Some("الف"), &[]),
                "rule 1: a one-way rule needs at least 1",
            ),
            (rule(None, &["الف", "«»"]), "has no word to search"),
            (rule(None, &["الف", &"ب ".repeat(9)]), "more than 8 words"),
        ] {
            let e = Synonyms::compile(rules).unwrap_err();
            assert!(e.contains(expected), "{e}");
        }
    }
}
