//! A light Persian stemmer guarded by the lexicon: it removes a suffix only when the lexicon
//! says the result is a word and, for the riskier suffixes, that the whole word is not.
//!
//! Rules (brief, "What kavosh's analyzer does", item 4), tried in this order:
//! 1. plural `ها` (+ `ی`, `یی`, possessives) when the rest is a known word of ≥ 3 letters
//!    or two known words written together (`کتابهایشان` → `کتاب`, `دانشبنیانها` →
//!    `دانشبنیان`; `تنها` stays);
//! 2. comparative `تر`/`ترین` when the rest is an adjective and the word is not a known noun
//!    (`بزرگترین` → `بزرگ`; `دختر` stays);
//! 3. ezafe/indefinite `ی` after `ا`/`و` when the rest is known and the word is not
//!    (`امضای` → `امضا`; `برای` stays);
//! 4. other suffixes only when the whole word is unknown and the rest known
//!    (`کشورمان` → `کشور`; `باران`, `ماهی`, `ساختمان` stay).
//!
//! Input is a folded word without ZWNJs.

use std::borrow::Cow;

use super::lexicon::Lexicon;

const PLURAL: &[&str] = &[
    "هایشان",
    "هایتان",
    "هایمان",
    "هایش",
    "هایت",
    "هایم",
    "هایی",
    "های",
    "ها",
];
const COMPARATIVE: &[&str] = &["ترین", "تر"];
/// Suffix and what replaces it; order matters (`ان` before `یان`: `ایرانیان` → `ایرانی`).
const GUARDED: &[(&str, &str)] = &[
    ("شان", ""),
    ("تان", ""),
    ("مان", ""),
    ("گان", "ه"),
    ("ان", ""),
    ("یان", ""),
    ("ات", ""),
    ("ای", ""),
    ("ام", ""),
    ("اش", ""),
    ("ی", ""),
];

/// Returns the stem of a folded, ZWNJ-free word (the word itself when no rule applies).
pub fn stem(word: &str) -> Cow<'_, str> {
    let lex = Lexicon::get();
    if word.chars().count() < 3 {
        return Cow::Borrowed(word);
    }
    for suffix in PLURAL {
        if let Some(rest) = word.strip_suffix(suffix)
            && rest.chars().count() >= 3
            && (lex.contains(rest) || lex.is_compound(rest))
        {
            return Cow::Borrowed(rest);
        }
    }
    let class = lex.lookup(word);
    for suffix in COMPARATIVE {
        if let Some(rest) = word.strip_suffix(suffix)
            && !class.is_some_and(|c| c.noun)
            && lex.lookup(rest).is_some_and(|c| c.adjective)
        {
            return Cow::Borrowed(rest);
        }
    }
    if let Some(rest) = word.strip_suffix('ی')
        && class.is_none()
        && (rest.ends_with('ا') || rest.ends_with('و'))
        && rest.chars().count() >= 2
        && lex.contains(rest)
    {
        return Cow::Borrowed(rest);
    }
    if class.is_some() {
        return Cow::Borrowed(word);
    }
    for (suffix, replacement) in GUARDED {
        if let Some(rest) = word.strip_suffix(suffix)
            && rest.chars().count() >= 2
        {
            if replacement.is_empty() {
                if lex.contains(rest) {
                    return Cow::Borrowed(rest);
                }
            } else {
                let candidate = format!("{rest}{replacement}");
                if lex.contains(&candidate) {
                    return Cow::Owned(candidate);
                }
            }
        }
    }
    Cow::Borrowed(word)
}

/// False only when [`stem`] cannot give `stem` for `word`: a stem is the word, a prefix of it,
/// or a prefix followed by `ه` (`نمایندگان` → `نماینده`). This lets a caller looking for a few
/// stems (highlighting) skip stemming most words.
pub fn may_stem_to(word: &str, stem: &str) -> bool {
    word.starts_with(stem) || stem.strip_suffix('ه').is_some_and(|s| word.starts_with(s))
}

#[cfg(test)]
mod tests {
    use super::{may_stem_to, stem};
    use crate::analysis::lexicon::Lexicon;

    #[test]
    fn every_stem_is_one_may_stem_to_allows() {
        let suffixes = ["", "ها", "هایشان", "ترین", "ان", "گان", "ات", "ی", "مان"];
        let mut checked = 0;
        for word in Lexicon::get().words() {
            for suffix in suffixes {
                let w = format!("{word}{suffix}");
                assert!(may_stem_to(&w, &stem(&w)), "{w} → {}", stem(&w));
                checked += 1;
            }
        }
        assert!(checked > 1_000_000);
        assert!(!may_stem_to("کتابها", "کشور"));
    }

    #[test]
    fn plurals_and_possessives_meet_their_singular() {
        assert_eq!(stem("کتابها"), "کتاب");
        assert_eq!(stem("کتابهایشان"), "کتاب");
        assert_eq!(stem("کتابهایم"), "کتاب");
        assert_eq!(stem("فناوریهای"), "فناوری");
        assert_eq!(stem("برنامهها"), "برنامه");
        assert_eq!(stem("کشورمان"), "کشور");
        assert_eq!(stem("برنامهای"), "برنامه");
        assert_eq!(stem("برنامهاش"), "برنامه");
        assert_eq!(stem("نمایندگان"), "نماینده");
        assert_eq!(stem("دانشبنیانها"), "دانشبنیان");
    }

    #[test]
    fn comparatives_and_ezafe() {
        assert_eq!(stem("بزرگترین"), "بزرگ");
        assert_eq!(stem("بزرگتر"), "بزرگ");
        assert_eq!(stem("امضای"), "امضا");
    }

    #[test]
    fn known_words_are_protected() {
        for w in [
            "تنها",
            "باران",
            "ماهی",
            "شیرین",
            "ساختمان",
            "دختر",
            "برای",
            "الگو",
        ] {
            assert_eq!(stem(w), w, "{w} must not be stemmed");
        }
    }
}
