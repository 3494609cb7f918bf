//! Clitics the stemmer does not take off: the colloquial `ش`, `م`, `ت` after a silent final `ه`
//! (`پروژهش`, "his project") and the pronouns after a long vowel (`دانشجویش`, `دانشجویمان`).
//! (`پروژهاش`, `پروژهام` and `پروژه‌اش` already stem to `پروژه`.)
//!
//! Documents are indexed as they are; queries look for both forms: [`base_of`] a word with such
//! a clitic, [`clitic_forms`] of a base. Words are folded and ZWNJ-free.

use super::lexicon::Lexicon;

/// What follows a silent final `ه` without the stemmer taking it off.
const AFTER_SILENT_HEH: &[&str] = &["ش", "م", "ت"];
/// What follows a long vowel (`ا`, `و`) without the stemmer taking it off.
const AFTER_LONG_VOWEL: &[&str] = &["یشان", "یتان", "یمان", "یش", "یم", "یت"];

/// The base of a word ending in one of these clitics (`پروژهش` → `پروژه`, `دانشجویش` →
/// `دانشجو`): only for a word the lexicon does not know whose base it knows, so `کاهش`,
/// `نمایش` and `آسایش` stay whole.
pub fn base_of(word: &str) -> Option<&str> {
    let lex = Lexicon::get();
    if lex.contains(word) {
        return None;
    }
    let known = |base: &str| base.chars().count() >= 2 && lex.contains(base);
    for suffix in AFTER_LONG_VOWEL {
        if let Some(base) = word.strip_suffix(suffix)
            && (base.ends_with('ا') || base.ends_with('و'))
            && known(base)
        {
            return Some(base);
        }
    }
    for suffix in AFTER_SILENT_HEH {
        if let Some(base) = word.strip_suffix(suffix)
            && base.ends_with('ه')
            && base.chars().count() >= 3
            && known(base)
        {
            return Some(base);
        }
    }
    None
}

/// The forms of a known `base` with these clitics (`پروژه` → `پروژهش`, `پروژهم`, `پروژهت`):
/// empty for a base they cannot follow or that the lexicon does not know.
pub fn clitic_forms(base: &str) -> Vec<String> {
    let suffixes = if base.ends_with('ه') && base.chars().count() >= 3 {
        AFTER_SILENT_HEH
    } else if base.ends_with('ا') || base.ends_with('و') {
        AFTER_LONG_VOWEL
    } else {
        return Vec::new();
    };
    if !Lexicon::get().contains(base) {
        return Vec::new();
    }
    suffixes
        .iter()
        .map(|s| format!("{base}{s}"))
        .filter(|form| base_of(form) == Some(base))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clitics_after_silent_heh_and_long_vowels() {
        assert_eq!(base_of("پروژهش"), Some("پروژه"));
        assert_eq!(base_of("برنامهم"), Some("برنامه"));
        assert_eq!(base_of("دانشجویش"), Some("دانشجو"));
        assert_eq!(base_of("دانشجویمان"), Some("دانشجو"));
        assert_eq!(base_of("اشنایش"), Some("اشنا"), "folded: آ is ا");
        assert!(clitic_forms("پروژه").contains(&"پروژهش".to_string()));
        assert!(clitic_forms("دانشجو").contains(&"دانشجویش".to_string()));
    }

    #[test]
    fn words_of_their_own_keep_their_ending() {
        for w in ["کاهش", "نمایش", "آسایش", "گرایش", "ارزش", "پروژه", "دانشجو"]
        {
            assert_eq!(base_of(w), None, "{w}");
        }
        assert!(clitic_forms("کتاب").is_empty());
        assert!(clitic_forms("نما").iter().all(|f| f != "نمایش"));
    }
}
