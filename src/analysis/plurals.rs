//! Arabic plurals used in Persian: `تحقیقات`/`تحقیق`, `معلمین`/`معلم` (sound plurals, by rule)
//! and `اساتید`/`استاد`, `مراکز`/`مرکز` (broken plurals, from `data/arabic-plurals.tsv`), without
//! merging words whose plural-looking form is a word of its own (`اطلاعات`, `مالیات`, `ماشین`).
//!
//! The stemmer leaves these plurals alone (documents are indexed as they are); queries look for
//! both forms: [`singulars`] of a plural, [`plurals`] of a singular. Words are folded and
//! ZWNJ-free.
//!
//! Sound plurals:
//! - `-ات` (`جات` after `ه`/`ی`): the word is tagged plural in the lexicon, or unknown to it;
//!   the singular is the rest with `ت` or `ه` restored (`خدمات` → `خدمت`, `جلسات` → `جلسه`) or
//!   the rest itself (`تحقیقات` → `تحقیق`), whichever the lexicon knows;
//! - `-ین`: only the plural of Arabic participles — a rest of ≥ 4 letters starting with `م`
//!   (`مسئولین`, `متخصصین`) or of the pattern فاعل (`ناظرین`) — of a word not known as an
//!   adjective (`سنگین`, `رنگین`, `نوین` and `شیرین` are no plurals);
//! - `-یون` after `ی` (`انقلابیون` → `انقلابی`).

use std::sync::LazyLock;

use rustc_hash::{FxHashMap, FxHashSet};

use super::fold::{ZWNJ, fold};
use super::lexicon::Lexicon;
use super::numbers;
use super::spelling::canonical_spelling;

const TABLE: &str = include_str!("../../data/arabic-plurals.tsv");

/// Most singulars or plurals one word is given.
pub const MAX_FORMS: usize = 4;

struct Table {
    /// Broken plural → singular.
    singular: FxHashMap<String, String>,
    /// Singular → its broken plurals.
    broken: FxHashMap<String, Vec<String>>,
    /// Words that only look like sound plurals.
    own_words: FxHashSet<String>,
}

static PLURALS: LazyLock<Table> = LazyLock::new(|| {
    let key = |s: &str| -> String {
        let folded: String = fold(s.trim()).chars().filter(|&c| c != ZWNJ).collect();
        canonical_spelling(&folded).map_or(folded, str::to_string)
    };
    let mut table = Table {
        singular: FxHashMap::default(),
        broken: FxHashMap::default(),
        own_words: FxHashSet::default(),
    };
    for line in TABLE.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let Some((word, singular)) = line.split_once('\t') else {
            continue;
        };
        let word = key(word);
        if singular.trim() == "-" {
            table.own_words.insert(word);
        } else {
            let singular = key(singular);
            table
                .broken
                .entry(singular.clone())
                .or_default()
                .push(word.clone());
            table.singular.insert(word, singular);
        }
    }
    table
});

/// The singulars `word` may be the plural of, the likeliest first (for `-ات`, a singular with
/// `ت` or `ه` restored before the bare rest: `خدمات` is `خدمت` before `خدمه`, `صفات` `صفت`
/// before `صف`). Empty for words that are no plural.
pub fn singulars(word: &str) -> Vec<String> {
    let table = &*PLURALS;
    if let Some(s) = table.singular.get(word) {
        return vec![s.clone()];
    }
    if table.own_words.contains(word) {
        return Vec::new();
    }
    let lex = Lexicon::get();
    let class = lex.lookup(word);
    let mut out = Vec::new();
    let mut push = |candidate: String| {
        if candidate.chars().count() >= 2 && lex.contains(&candidate) && !out.contains(&candidate) {
            out.push(candidate);
        }
    };
    let plural_or_unknown = class.is_none_or(|c| c.plural);
    if plural_or_unknown && let Some(rest) = word.strip_suffix("جات") {
        if rest.ends_with('ی') {
            push(rest.to_string());
        } else {
            push(format!("{rest}ه"));
        }
    } else if plural_or_unknown && let Some(rest) = word.strip_suffix("ات") {
        // A singular with its ت or ه restored that hazm's corpus has, the more frequent first,
        // before the bare rest: `حملات` is `حمله` though `حمل` is more frequent.
        let count = |w: &String| lex.lookup(w).map_or(0, |c| c.count);
        let mut restored = [format!("{rest}ت"), format!("{rest}ه")];
        restored.sort_by_key(|w| std::cmp::Reverse(count(w)));
        for w in restored.iter().filter(|w| count(w) > 0) {
            push(w.clone());
        }
        push(rest.to_string());
        for w in restored {
            push(w);
        }
    } else if plural_or_unknown
        && let Some(rest) = word.strip_suffix("ون")
        && rest.ends_with('ی')
    {
        push(rest.to_string());
    } else if let Some(rest) = word.strip_suffix("ین")
        && !class.is_some_and(|c| c.adjective)
        && is_participle(rest)
        && numbers::parse(word).is_none()
    {
        push(rest.to_string());
    }
    out
}

/// An Arabic participle, the only singulars that take `-ین`: `مسئول`, `متخصص` (`م` and ≥ 4
/// letters), `ناظر` (فاعل).
fn is_participle(word: &str) -> bool {
    let letters: Vec<char> = word.chars().collect();
    (letters.first() == Some(&'م') && letters.len() >= 4)
        || (letters.len() == 4 && letters[1] == 'ا')
}

/// The plurals of `singular` that the lexicon knows (broken ones from the table, sound ones
/// whose [`singulars`] lead back to it), at most [`MAX_FORMS`].
pub fn plurals(singular: &str) -> Vec<String> {
    let table = &*PLURALS;
    let mut out: Vec<String> = table.broken.get(singular).cloned().unwrap_or_default();
    let lex = Lexicon::get();
    let mut candidates = vec![format!("{singular}ات"), format!("{singular}ین")];
    if let Some(rest) = singular
        .strip_suffix('ه')
        .or_else(|| singular.strip_suffix('ت'))
    {
        candidates.push(format!("{rest}ات"));
    }
    if let Some(rest) = singular.strip_suffix('ه') {
        candidates.push(format!("{rest}جات"));
    }
    if singular.ends_with('ی') {
        candidates.push(format!("{singular}جات"));
        candidates.push(format!("{singular}ون"));
    }
    for c in candidates {
        if out.len() >= MAX_FORMS {
            break;
        }
        if lex.contains(&c)
            && !out.contains(&c)
            && singulars(&c).first().is_some_and(|s| s == singular)
        {
            out.push(c);
        }
    }
    out.truncate(MAX_FORMS);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::name_key;

    fn singular(w: &str) -> Vec<String> {
        singulars(&name_key(w))
    }

    #[test]
    fn sound_plurals_meet_their_singular() {
        for (plural, single) in [
            ("تحقیقات", "تحقیق"),
            ("امکانات", "امکان"),
            ("جلسات", "جلسه"),
            ("خدمات", "خدمت"),
            ("مسابقات", "مسابقه"),
            ("مسئولین", "مسئول"),
            ("متخصصین", "متخصص"),
            ("محققین", "محقق"),
            ("سبزیجات", "سبزی"),
            ("کارخانجات", "کارخانه"),
        ] {
            assert_eq!(
                singular(plural).first().map(String::as_str),
                Some(name_key(single).as_str()),
                "{plural}"
            );
        }
        assert!(plurals("تحقیق").contains(&"تحقیقات".to_string()));
        assert!(plurals("جلسه").contains(&"جلسات".to_string()));
        assert!(plurals(&name_key("مسئول")).contains(&name_key("مسئولین")));
    }

    #[test]
    fn broken_plurals_come_from_the_table() {
        for (plural, single) in [
            ("اساتید", "استاد"),
            ("مراکز", "مرکز"),
            ("اسناد", "سند"),
            ("مسائل", "مساله"),
            ("مسایل", "مساله"),
            ("اعضاء", "عضو"),
        ] {
            let folded_single =
                crate::analysis::compounds::word_term(&name_key(single), false).into_owned();
            let got: Vec<String> = singular(plural)
                .iter()
                .map(|s| crate::analysis::compounds::word_term(s, false).into_owned())
                .collect();
            assert_eq!(got, vec![folded_single], "{plural}");
        }
        assert!(plurals("مرکز").contains(&"مراکز".to_string()));
        assert!(plurals("شرط").contains(&"شرایط".to_string()));
    }

    #[test]
    fn words_of_their_own_are_not_plurals() {
        for word in [
            "اطلاعات",
            "مالیات",
            "حیات",
            "ماشین",
            "سنگین",
            "شیرین",
            "زمین",
            "پایین",
            "نوین",
            "رنگین",
            "آیین",
            "دومین",
            "سومین",
            "میلیون",
            "تضمین",
            "تامین",
            "جانشین",
            "مسکین",
            "کتاب",
        ] {
            assert!(singular(word).is_empty(), "{word}: {:?}", singular(word));
        }
        assert!(plurals("اطلاع").is_empty(), "{:?}", plurals("اطلاع"));
        assert!(plurals("ماش").is_empty());
        assert!(!plurals("صف").contains(&"صفات".to_string()));
    }
}
